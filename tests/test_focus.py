"""equity_lib.focus: excess cases and the Pareto of cells; equity_lib.focus.plot."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equity_lib.focus import excess_cases, pareto
from equity_lib.focus.plot import plot_pareto


def _table():
    return pd.DataFrame({
        "trust": ["A"] * 3 + ["B"] * 3,
        "q": [1, 2, 3] * 2,
        "long": [30, 20, 10, 12, 8, 6],
        "list": [300, 400, 500, 200, 200, 300],
    })


def test_excess_against_a_named_group_within_each_series():
    e = excess_cases(_table(), "long", "list", "q", reference=3, by="trust")
    a = e[e["trust"] == "A"].set_index("q")
    assert a.loc[3, "excess"] == 0 and not np.signbit(a.loc[3, "excess"])
    assert a.loc[1, "expected"] == pytest.approx(300 * 10 / 500)
    assert a.loc[1, "excess"] == pytest.approx(30 - 6)
    b = e[e["trust"] == "B"].set_index("q")
    assert b.loc[1, "reference_rate"] == pytest.approx(6 / 300)
    assert (e["reference_group"] == 3).all()


def test_pooled_reference_holds_every_cell_to_one_rate():
    e = excess_cases(_table(), "long", "list", "q", reference=3, by="trust", pooled_reference=True)
    assert e["reference_rate"].nunique() == 1
    assert e["reference_rate"].iloc[0] == pytest.approx(16 / 800)


def test_best_group_and_direction():
    t = _table()
    worst_is_good = excess_cases(t, "long", "list", "q", by="trust")
    assert worst_is_good.groupby("trust")["excess"].min().tolist() == pytest.approx([0, 0])
    assert (worst_is_good["excess"] >= -1e-9).all()
    good_events = excess_cases(t, "long", "list", "q", by="trust", improvement="increase")
    assert (good_events["excess"] >= -1e-9).all()
    a = good_events[good_events["trust"] == "A"].set_index("q")
    assert a.loc[1, "reference_group"] == 1  # 10% is the highest rate in A
    assert a.loc[3, "excess"] == pytest.approx(500 * 0.1 - 10)


def test_reference_rate_on_the_multiplier_scale():
    e = excess_cases(_table(), "long", "list", "q", reference_rate=2.0, multiplier=100)
    assert e["reference_rate"].tolist() == pytest.approx([2.0] * 3)
    assert e["reference_group"].isna().all()
    assert e.set_index("q").loc[1, "excess"] == pytest.approx(42 - 500 * 0.02)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10_000), st.floats(0, 1)), min_size=2, max_size=8),
       st.integers(0, 7))
def test_excess_adds_up_and_vanishes_for_equal_rates(cells, pick):
    d = pd.DataFrame({"g": range(len(cells)), "n": [c[0] for c in cells]})
    d["e"] = np.floor(d["n"] * [c[1] for c in cells]).astype(int)
    ref = pick % len(cells)
    e = excess_cases(d, "e", "n", "g", reference=ref)
    rate = d.loc[ref, "e"] / d.loc[ref, "n"]
    np.testing.assert_allclose(e["excess"], d["e"] - d["n"] * rate, atol=1e-9)
    equal = excess_cases(d.assign(e=d["n"]), "e", "n", "g")
    np.testing.assert_allclose(equal["excess"], 0, atol=1e-9)


@pytest.mark.parametrize(("change", "kwargs", "message"), [
    (lambda d: d.assign(long=-d["long"]), {}, r"Column 'long' has negative counts at rows? .*Fix"),
    (lambda d: d.assign(long=d["list"] + 1), {}, r"Column 'long' is above 'list' at rows .*Fix"),
    (lambda d: d.assign(list=np.where(d.index == 2, np.nan, d["list"])), {},
     r"'list' has missing counts at row 2"),
    (None, {"reference": 7}, r"reference=7 is not a value of column 'q'"),
    (None, {"improvement": "up"}, r"improvement must be one of"),
    (None, {"reference_rate": -1.0}, r"reference_rate must be a number of at least 0"),
    (lambda d: d.assign(list=0, long=0), {}, r"Every group has a denominator of 0"),
])
def test_bad_input_is_named(change, kwargs, message):
    d = _table()
    if change is not None:
        d = change(d)
    with pytest.raises((ValueError, TypeError), match=message):
        excess_cases(d, "long", "list", "q", by="trust", **kwargs)


def test_a_series_without_its_reference_group_is_an_error_not_a_silent_zero():
    d = _table()
    d = d[~((d["trust"] == "B") & (d["q"] == 3))]
    with pytest.raises(ValueError, match="No reference rate for.*pooled_reference=True"):
        excess_cases(d, "long", "list", "q", reference=3, by="trust")


def test_pareto_ranks_and_accumulates():
    e = excess_cases(_table(), "long", "list", "q", reference=3, by="trust", pooled_reference=True)
    p = pareto(e, "excess", ["trust", "q"])
    assert p["rank"].tolist() == list(range(1, 7))
    assert p["value"].is_monotonic_decreasing
    assert p["cumulative_share"].iloc[-1] == pytest.approx(1)
    assert p["cumulative_share"].is_monotonic_increasing
    assert p["label"].iloc[0] == "A · 1"
    assert (p.loc[p["value"] <= 0, "share"] == 0).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-100, 1000, allow_nan=False), min_size=1, max_size=30).filter(lambda v: max(v) > 0))
def test_pareto_shares_sum_to_one(values):
    d = pd.DataFrame({"cell": range(len(values)), "v": values})
    p = pareto(d, "v", "cell")
    assert p["share"].sum() == pytest.approx(1)
    assert (np.diff(p["cumulative_share"]) >= -1e-12).all()
    assert sorted(p["cell"]) == list(range(len(values)))


def test_pareto_bad_input():
    d = pd.DataFrame({"cell": [1, 1], "v": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"More than one row has the same \['cell'\] at rows 0 and 1"):
        pareto(d, "v", "cell")
    with pytest.raises(ValueError, match="nothing to rank"):
        pareto(pd.DataFrame({"cell": [1, 2], "v": [0.0, -1]}), "v", "cell")
    with pytest.raises(ValueError, match=r"Column 'v' has missing values at row 1"):
        pareto(pd.DataFrame({"cell": [1, 2], "v": [1.0, np.nan]}), "v", "cell")


def test_plot_pareto_marks_the_vital_few_by_hatch_and_words():
    e = excess_cases(_table(), "long", "list", "q", reference=3, by="trust", pooled_reference=True)
    p = pareto(e, "excess", ["trust", "q"])
    fig = plot_pareto(p, value_label="Excess long waits (pathways)")
    ax = fig.axes[0]
    hatched = [bar.get_hatch() for bar in ax.patches]
    vital = int(np.searchsorted(p["cumulative_share"], 0.8 - 1e-12) + 1)
    assert hatched.count("//") == vital
    assert "cells hold 80%" in ax.get_title(loc="left")
    assert any("so far" in t.get_text() for t in ax.texts)
    plt.close(fig)
    with pytest.raises(TypeError, match="pareto"):
        plot_pareto(e)


def test_plot_pareto_labels_agree_with_the_hatching_near_the_cutoff():
    # 79.7% after four cells: rounded to a whole percent it would read "80%", yet the fifth cell is still
    # needed to reach 80% and is hatched; the label says 79.7% instead.
    values = [404.0, 327, 159, 98, 63, 63, 63, 63]
    p = pareto(pd.DataFrame({"cell": list("abcdefgh"), "v": values}), "v", "cell")
    assert p["cumulative_share"].iloc[3] == pytest.approx(0.797, abs=5e-4)
    fig = plot_pareto(p)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "404  (33% so far)"
    assert texts[3] == "98  (79.7% so far)"
    assert texts[4] == "63  (85% so far)"
    assert [bar.get_hatch() for bar in ax.patches].count("//") == 5
    plt.close(fig)


def test_pareto_vocabulary_by_and_no_cells():
    """Issue 11: pareto(data, value, by); by columns keep their own names; cells= is gone."""
    d = pd.DataFrame({"trust": ["A", "A", "B"], "q": [1, 2, 1], "excess": [30.0, 5.0, 65.0]})
    p = pareto(d, value="excess", by=["trust", "q"])
    assert list(p.columns) == ["rank", "trust", "q", "label", "value", "share", "cumulative_share"]
    assert p["label"].tolist() == ["B · 1", "A · 1", "A · 2"]
    with pytest.raises(TypeError, match="unexpected keyword argument 'cells'"):
        pareto(d, value="excess", cells=["trust", "q"])
    with pytest.raises(ValueError, match=r"by must name the column\(s\) that identify a cell\. Fix: pass"):
        pareto(d, "excess", [])
