"""equity_pause under hostile input (issue 12): the wrong kind of evidence, focus groups written as text
for groups that are numbers, and thresholds that are not percentages get a clear error or the right
answer, never a judgement about the wrong group."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equity_lib import spc
from equity_lib.pause import equity_pause


def _chart(groups=(1, 2, 3, 4)):
    """Weekly DNA % by quintile: group 4 is the worst (highest, improvement='decrease')."""
    rng = np.random.default_rng(1)
    rows = []
    for i, q in enumerate(groups):
        y = 3.0 + i * 0.3 + rng.normal(0, 0.05, 20)
        rows += [(q, t, v) for t, v in enumerate(y)]
    d = pd.DataFrame(rows, columns=["q", "week", "dna_pct"])
    return spc(d, "dna_pct", "week", by="q", improvement="decrease")


CHART = _chart()


@pytest.mark.parametrize("written", ["4", " 4 ", "4.0", 4.0, np.int64(4), ["4"], ("4", 4)])
def test_a_focus_group_written_as_text_or_a_float_is_the_integer_group(written):
    p = equity_pause("Reminders", stratified=CHART, focus_groups=written)
    assert p.most_affected == 4
    assert p.record.loc[3, "status"] == "ok"
    assert p.record.loc[3, "evidence"] == "Reached q 4, which includes the most affected group (q 4)."


@pytest.mark.parametrize("written", ["1", 1, ["1", "2"]])
def test_a_focus_group_that_misses_the_most_affected_is_still_an_action(written):
    p = equity_pause("Reminders", stratified=CHART, focus_groups=written)
    assert p.record.loc[3, "status"] == "act"
    assert p.recommendation.startswith("do not sign off yet")


@settings(max_examples=30, deadline=None)
@given(group=st.integers(1, 4), form=st.sampled_from([str, float, lambda g: f" {g} ", lambda g: f"{g}.0"]))
def test_any_spelling_of_a_group_is_judged_as_that_group(group, form):
    p = equity_pause("Reminders", stratified=CHART, focus_groups=[form(group)])
    assert p.record.loc[3, "status"] == ("ok" if group == 4 else "act")
    assert f"Reached q {group}," in p.record.loc[3, "evidence"]


def test_text_groups_match_regardless_of_case_and_spaces():
    chart = _chart(groups=("Q1", "Q2", "Q3", "Q4 most"))
    p = equity_pause("Reminders", stratified=chart, focus_groups=["q4 MOST "])
    assert p.most_affected == "Q4 most" and p.record.loc[3, "status"] == "ok"


@pytest.mark.parametrize("written", ["5", 0, "four", [4, "9"]])
def test_a_focus_group_that_is_not_a_group_is_an_error(written):
    with pytest.raises(ValueError, match=r"focus_groups value .* is not a group of the stratified chart "
                                         r"\(its q values: 1, 2, 3, 4\)\. Fix:"):
        equity_pause("Reminders", stratified=CHART, focus_groups=written)


def test_a_focus_group_that_matches_two_groups_is_an_error():
    chart = _chart(groups=("a", "A", "b", "c"))
    assert equity_pause("Reminders", stratified=chart, focus_groups=["A"]).most_affected == "c"
    with pytest.raises(ValueError, match="'a ' matches more than one group"):
        equity_pause("Reminders", stratified=chart, focus_groups=["a "])


def test_empty_focus_groups_is_an_error():
    with pytest.raises(ValueError, match="focus_groups is empty. Fix:"):
        equity_pause("Reminders", stratified=CHART, focus_groups=[])


def test_focus_groups_without_a_chart_are_kept_as_given():
    p = equity_pause("Reminders", focus_groups="4")
    assert p.record.loc[3, "evidence"].startswith("Reached: 4.")


@pytest.mark.parametrize("table", ["table", "summary"])
def test_a_table_instead_of_the_spc_result_is_a_clear_error(table):
    evidence = CHART.table if table == "table" else CHART.summary()
    with pytest.raises(TypeError, match="stratified must be the result of equity_lib.spc.*not a DataFrame "
                                        r"\(a table, e\.g\. its \.table or \.summary\(\)\)\. Fix:"):
        equity_pause("Reminders", stratified=evidence)


@pytest.mark.parametrize("name", ["completeness", "gradient"])
def test_evidence_that_is_not_a_table_is_a_clear_error(name):
    with pytest.raises(TypeError, match=f"{name} must be the table from .* not a SPCResult. Fix:"):
        equity_pause("Reminders", **{name: CHART})


@pytest.mark.parametrize("threshold", [100.5, 101, 900, -1, float("nan"), float("inf"), True, "90", None])
def test_a_threshold_that_is_not_a_percentage_is_refused(threshold):
    with pytest.raises(ValueError, match=f"completeness_threshold is a percentage of valid codes from 0 to "
                                         f"100, not {threshold!r}. Fix:"):
        equity_pause("Reminders", completeness_threshold=threshold)


@pytest.mark.parametrize("threshold", [0, 50, 90, 100, 99.5])
def test_a_threshold_from_0_to_100_is_accepted(threshold):
    equity_pause("Reminders", completeness_threshold=threshold)
