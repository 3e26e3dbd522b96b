"""equity_lib.pause: the equity-pause record and its recommendation."""

import numpy as np
import pandas as pd
import pytest

from equity_lib import proportion, sii, spc
from equity_lib.disclosure import suppress
from equity_lib.pause import DECISIONS, equity_pause
from equity_lib.quality import completeness


def _stratified(concern=False):
    rng = np.random.default_rng(0)
    rows = []
    for q, level in ((1, 12.0), (2, 9.0), (3, 6.0)):
        y = level + rng.normal(0, 0.3, 30)
        if concern and q == 2:
            y[-1] += 5
        rows += [(q, t, v) for t, v in enumerate(y)]
    d = pd.DataFrame(rows, columns=["q", "week", "dna_pct"])
    return spc(d, "dna_pct", "week", by="q", improvement="decrease")


def _completeness(pct_first=95):
    codes = ["A"] * pct_first + ["99"] * (100 - pct_first) + ["A"] * 99 + ["Z"]
    return completeness(pd.DataFrame({"trust": ["X"] * 100 + ["Y"] * 100, "ethnic_category": codes}),
                        "ethnic_category", by="trust")


def _gradient(lower, upper):
    return pd.DataFrame({"sii": [(lower + upper) / 2], "sii_lower_95": [lower], "sii_upper_95": [upper],
                         "rii": [1.5], "interpretation": ["Higher values are worse."]})


def _safe_table():
    return suppress(pd.DataFrame({"a": [40, 50], "b": [60, 70]}, index=["r1", "r2"]))


def test_reaching_the_most_affected_with_sound_evidence_is_signed_off():
    p = equity_pause("Reminders", completeness=_completeness(), stratified=_stratified(),
                     gradient=_gradient(1, 3), focus_groups=[1], publication=_safe_table())
    assert p.most_affected == 1
    assert p.record["status"].tolist() == ["ok", "caution", "act", "ok", "ok"]
    assert p.recommendation.startswith("sign off:")


def test_missing_the_most_affected_is_not_signed_off():
    p = equity_pause("Reminders", stratified=_stratified(), focus_groups=3)
    assert p.record.loc[3, "status"] == "act"
    assert p.record.loc[3, "evidence"].startswith("Reached q 3, but not the most affected group (q 1)")
    assert p.recommendation.startswith("do not sign off yet")


def test_conditions_are_listed():
    p = equity_pause("Reminders", completeness=_completeness(80), stratified=_stratified(concern=True),
                     focus_groups=[1, 2])
    assert p.record.loc[0, "status"] == "caution"
    assert "Below 90%: X" in p.record.loc[0, "evidence"]
    assert p.record.loc[1, "status"] == "act"
    assert p.recommendation.startswith("sign off with conditions")
    for condition in ("completeness", "concern", "suppress"):
        assert condition in p.recommendation


def test_gradient_whose_limits_include_zero_is_ok_and_unassessed_steps_say_so():
    p = equity_pause("Reminders", gradient=_gradient(-1, 2))
    na = "not assessed"
    assert p.record["status"].tolist() == [na, na, "ok", na, na]
    assert p.recommendation.startswith("do not sign off yet: whether it reaches")


def test_unsafe_publication_is_an_action():
    unsafe = pd.DataFrame({"a": [3, 50], "b": [60, 70]}, index=["r1", "r2"])
    p = equity_pause("Reminders", publication=unsafe)
    assert p.record.loc[4, "status"] == "act"
    assert p.record.loc[4, "evidence"].startswith("Not safe to publish yet")


def test_markdown_record_for_board_papers():
    p = equity_pause("Reminders", stratified=_stratified(), focus_groups=[1], decision="sign off",
                     rationale="It reaches quintile 1.")
    text = p.to_markdown()
    assert text.startswith("### Equity pause: Reminders")
    assert text.count("\n| ") == 6  # header and five questions
    assert "**Decision:** sign off. It reaches quintile 1." in text


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"initiative": " "}, "initiative must name"),
    ({"decision": "approve"}, "decision must be one of"),
    ({"completeness": pd.DataFrame({"x": [1]})}, "completeness must be the table"),
    ({"gradient": pd.DataFrame({"sii": [1]})}, "gradient must be the table"),
    ({"stratified": spc(pd.DataFrame({"y": np.arange(20.0)}), "y")}, r"one series per group.*by=<group"),
    ({"stratified": spc(pd.DataFrame({"y": np.arange(40.0), "q": [1, 2] * 20, "t": ["a", "b"] * 20}), "y",
                        by=["q", "t"])}, "one series per group"),
    ({"stratified": spc(pd.DataFrame({"y": np.arange(40.0), "q": [1] * 20 + [2] * 20}), "y", by="q",
                        improvement={1: "decrease", 2: "decrease"})}, "one improvement direction"),
    ({"stratified": spc(pd.DataFrame({"y": np.arange(40.0), "q": [1] * 20 + [2] * 20}), "y", by="q",
                        improvement="neutral")}, "one improvement direction"),
])
def test_bad_input(kwargs, message):
    args = {"initiative": "Reminders"} | kwargs
    with pytest.raises(ValueError, match=message):
        equity_pause(**args)


def test_decisions_are_words():
    assert DECISIONS == ("sign off", "sign off with conditions", "do not sign off yet")


def test_a_group_deteriorating_beyond_frozen_limits_is_the_most_affected():
    # group 2 is stable below group 1 for 24 points, then rises past it: with limits frozen on the first 24
    # points its mean stays low, but its latest point is a concern and the worst value now
    rng = np.random.default_rng(1)
    rows = []
    for q, level in ((1, 3.2), (2, 3.0), (3, 2.9)):
        y = level + rng.normal(0, 0.05, 36)
        if q == 2:
            y[28:] += np.linspace(0.5, 2.8, 8)
        rows += [(q, t, v) for t, v in enumerate(y)]
    d = pd.DataFrame(rows, columns=["q", "month", "pct"])
    chart = spc(d, "pct", "month", by="q", improvement="decrease", freeze=24)
    p = equity_pause("Validation and extra clinics", stratified=chart, focus_groups=[2])
    assert p.most_affected == 2
    assert p.record.loc[1, "evidence"].startswith("Most affected: q 2 (latest point 5.")
    assert "a special cause concern above its mean of 3.0" in p.record.loc[1, "evidence"]
    assert p.record.loc[3, "status"] == "ok"
    assert equity_pause("Validation", stratified=chart, focus_groups=[1]).record.loc[3, "status"] == "act"


def test_gradient_in_words_on_the_sii_scale():
    d = pd.DataFrame({"q": [1, 2, 3, 4, 5], "n": [10_000] * 5, "x": [1000, 800, 650, 520, 440]})
    rates = proportion(d, numerator="x", denominator="n")
    g = sii(rates, "q", "n", "value", value_type="proportion", lower_cl="lower_95", upper_cl="upper_95",
            multiplier=-100, favourable=False, seed=1, repetitions=2000)
    p = equity_pause("Reminders", gradient=g)
    evidence = p.record.loc[2, "evidence"]
    assert evidence.startswith(f"SII {g['sii'].iloc[0]:.3g} (95% CI ")
    assert ("The most deprived have higher values and higher values are worse, so the most deprived are "
            "worse off; the 95% limits exclude 0") in evidence
    assert "fitted value" not in evidence  # sii's words quote the gap before the multiplier (0-1 scale)
    reverse = proportion(d.assign(x=d["x"][::-1].to_numpy()), numerator="x", denominator="n")
    lower = sii(reverse, "q", "n", "value", value_type="proportion", lower_cl="lower_95", upper_cl="upper_95",
                multiplier=-100, favourable=False, seed=1, repetitions=2000)
    assert "have lower values and higher values are worse, so the least deprived are worse off" in \
        equity_pause("Reminders", gradient=lower).record.loc[2, "evidence"]


def test_decision_is_its_own_paragraph():
    p = equity_pause("Reminders", decision="do not sign off yet", rationale="Redesign for quintile 1.")
    assert "\n\n**Decision:** do not sign off yet. Redesign for quintile 1." in p.to_markdown()


def test_markdown_cells_keep_a_pipe_inside_the_cell():
    d = pd.DataFrame({"trust": ["A|B"] * 100, "ethnic_category": ["A"] * 80 + ["99"] * 20})
    p = equity_pause("Reminders", completeness=completeness(d, "ethnic_category", by="trust"))
    row = next(line for line in p.to_markdown().splitlines() if line.startswith("| 1 |"))
    assert "A\\|B" in row
    assert row.count(" | ") == 3  # four cells: step, question, evidence, status


def _stratified_with(edit):
    """Three groups of 30 stable weeks (quintile 1 worst), with ``edit(q, y)`` applied to each group."""
    rng = np.random.default_rng(0)
    rows = []
    for q, level in ((1, 12.0), (2, 9.0), (3, 6.0)):
        y = level + rng.normal(0, 0.3, 30)
        edit(q, y)
        rows += [(q, t, v) for t, v in enumerate(y)]
    return spc(pd.DataFrame(rows, columns=["q", "week", "dna_pct"]), "dna_pct", "week", by="q",
               improvement="decrease")


def test_stability_is_claimed_only_when_no_point_of_the_latest_phase_is_special():
    stable = equity_pause("x", stratified=_stratified_with(lambda q, y: None)).record.loc[1, "evidence"]
    assert "Every group common cause: a stable difference" in stable

    def spike_early(q, y):  # one point far above the mean early on; the latest point is ordinary
        if q == 3:
            y[5] += 5
    chart = _stratified_with(spike_early)
    flagged = int(chart.summary().set_index("q").loc[3, "n_special_cause"])
    assert flagged >= 1 and (chart.summary()["variation"] == "common_cause").all()
    record = equity_pause("x", stratified=chart).record.loc[1, "evidence"]
    assert "stable difference" not in record
    assert "Latest point common cause in every group, but special cause points earlier in the latest " \
           f"phase in: q 3 ({flagged})." in record


def test_improving_groups_are_named_as_their_latest_point():
    def fall_at_end(q, y):  # group 2 improves (lower is better) in its last point
        if q == 2:
            y[-1] -= 5
    record = equity_pause("x", stratified=_stratified_with(fall_at_end)).record.loc[1, "evidence"]
    assert "Latest point improving in: q 2; the others common cause." in record
