"""equity_lib.gaps: the gap between two groups over time, and its SPC chart."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equity_lib.gaps import gap_spc, group_gap
from equity_lib.process_control.engine import DataGapWarning


def _counts(rng, periods=24, groups=(1, 2, 3), trusts=("A", "B")):
    rows = [(t, m, g) for t in trusts for m in range(periods) for g in groups]
    d = pd.DataFrame(rows, columns=["trust", "month", "q"])
    d["n"] = rng.integers(50, 500, len(d))
    d["events"] = rng.binomial(d["n"], 0.2 + 0.05 * d["q"])
    return d


def test_gap_is_focus_minus_reference_from_counts():
    d = _counts(np.random.default_rng(1))
    g = group_gap(d, time="month", group="q", focus=1, reference=3, numerator="events", denominator="n",
                  by="trust")
    one = d.set_index(["trust", "month", "q"])
    focus = 100 * one["events"].xs(1, level="q") / one["n"].xs(1, level="q")
    ref = 100 * one["events"].xs(3, level="q") / one["n"].xs(3, level="q")
    expected = (focus - ref).sort_index().to_numpy()
    np.testing.assert_allclose(g["gap"].to_numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(g["ratio"].to_numpy(), (focus / ref).sort_index().to_numpy(), rtol=1e-12)
    assert list(g.columns) == ["trust", "month", "focus_group", "reference_group", "focus_value",
                               "reference_value", "gap", "ratio", "focus_numerator", "focus_denominator",
                               "reference_numerator", "reference_denominator"]


def test_rows_are_pooled_before_the_gap():
    d = _counts(np.random.default_rng(2))
    pooled = group_gap(d, time="month", group="q", focus=1, reference=2, numerator="events", denominator="n")
    sums = d.groupby(["month", "q"])[["events", "n"]].sum()
    rate = 100 * sums["events"] / sums["n"]
    np.testing.assert_allclose(pooled["gap"], (rate.xs(1, level="q") - rate.xs(2, level="q")).to_numpy(),
                               rtol=1e-12)


def test_a_missing_count_leaves_a_missing_gap_and_the_chart_still_draws():
    d = _counts(np.random.default_rng(3), trusts=("A",))
    d["events"] = d["events"].astype(float)
    d.loc[(d["month"] == 5) & (d["q"] == 1), "events"] = np.nan
    g = group_gap(d, time="month", group="q", focus=1, reference=3, numerator="events", denominator="n")
    assert g["gap"].isna().tolist() == [m == 5 for m in range(24)]
    with pytest.warns(DataGapWarning, match=r"1 point\(s\) have no value"):
        result = gap_spc(d, time="month", group="q", focus=1, reference=3, numerator="events",
                         denominator="n")
    assert result.table["value"].isna().sum() == 1
    assert np.isfinite(result.summary()["cl"].iloc[0])


def test_values_given_directly():
    d = pd.DataFrame({"month": [1, 1, 2, 2], "q": ["most", "least", "most", "least"],
                      "pct": [40.0, 50, 42, 49]})
    g = group_gap(d, time="month", group="q", focus="most", reference="least", value="pct")
    assert g["gap"].tolist() == [-10.0, -7.0]
    assert "focus_numerator" not in g


def test_gap_spc_is_an_xmr_chart_of_the_gap():
    d = _counts(np.random.default_rng(4))
    r = gap_spc(d, time="month", group="q", focus=1, reference=3, numerator="events", denominator="n",
                by="trust", improvement="decrease")
    gaps = r.settings["gaps"]
    summary = r.summary().set_index("trust")
    for trust, rows in gaps.groupby("trust"):
        y = rows["gap"].to_numpy()
        mr = np.abs(np.diff(y))
        assert summary.loc[trust, "cl"] == pytest.approx(y.mean(), rel=1e-12)
        # Moving-range screening (on by default) drops nothing from these well-behaved series.
        assert mr.max() < 3.267 * mr.mean()
        assert summary.loc[trust, "ucl"] == pytest.approx(y.mean() + 2.66 * mr.mean(), rel=1e-12)
    assert r.settings["improvement"] == "decrease"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 1000), st.integers(0, 1000), st.integers(1, 1000),
                          st.integers(0, 1000)), min_size=1, max_size=12))
def test_swapping_the_groups_negates_the_gap_and_inverts_the_ratio(rows):
    records = []
    for i, (n1, e1, n2, e2) in enumerate(rows):
        records += [(i, "a", min(e1, n1), n1), (i, "b", min(e2, n2), n2)]
    d = pd.DataFrame(records, columns=["t", "g", "e", "n"])
    ab = group_gap(d, time="t", group="g", focus="a", reference="b", numerator="e", denominator="n")
    ba = group_gap(d, time="t", group="g", focus="b", reference="a", numerator="e", denominator="n")
    np.testing.assert_allclose(ab["gap"], -ba["gap"], atol=1e-12)
    both = ab["ratio"].notna() & ba["ratio"].notna()
    np.testing.assert_allclose(ab.loc[both, "ratio"] * ba.loc[both, "ratio"], 1, rtol=1e-12)
    assert (ab["gap"].abs() <= 100 + 1e-9).all()


@pytest.mark.parametrize(("change", "kwargs", "message"), [
    (None, {"focus": 9}, r"focus=9 is not a value of column 'q'.*Fix"),
    (None, {"reference": 1}, r"the same group"),
    (lambda d: d.assign(events=-d["events"]), {}, r"Column 'events' has negative counts at rows? .*Fix"),
    (lambda d: d.assign(events=d["n"] + 1), {}, r"Column 'events' is above 'n' at rows .*Fix"),
    (lambda d: d.assign(n=0), {}, r"zero or negative denominators at rows .*Fix"),
    (lambda d: d.assign(events=d["events"] + 0.5), {}, r"not whole numbers"),
    (lambda d: d.assign(events="x"), {}, r"Column 'events'"),
    (lambda d: d.assign(month=np.where(d.index == 3, np.nan, d["month"])), {},
     r"Column 'month' \(time\) is missing at row 3"),
])
def test_bad_input_is_named(change, kwargs, message):
    d = _counts(np.random.default_rng(5), periods=4, trusts=("A",))
    if change is not None:
        d = change(d)
    args = {"time": "month", "group": "q", "focus": 1, "reference": 1 if "reference" in kwargs else 3,
            "numerator": "events", "denominator": "n"} | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        group_gap(d, **args)


def test_duplicated_values_and_argument_mistakes():
    d = pd.DataFrame({"month": [1, 1, 1], "q": [1, 1, 5], "pct": [1.0, 2, 3]})
    with pytest.raises(ValueError, match=r"More than one row has the same month, q at rows 0 and 1"):
        group_gap(d, time="month", group="q", focus=1, reference=5, value="pct")
    with pytest.raises(ValueError, match="either value"):
        group_gap(d, time="month", group="q", focus=1, reference=5)
    with pytest.raises(ValueError, match="needs a denominator"):
        group_gap(d, time="month", group="q", focus=1, reference=5, numerator="pct")
    with pytest.raises(KeyError, match=r"\['a', 'b'\] not found"):
        gap_spc(d, time="month", group="q", focus=1, reference=5, value="pct", by=["a", "b"])
    with pytest.raises(TypeError, match="unexpected keyword"):
        group_gap(d, x="month", group="q", focus=1, reference=5, value="pct")  # the old name
    with pytest.raises(KeyError, match="not found"):
        group_gap(d, time="week", group="q", focus=1, reference=5, value="pct")


def test_rates_may_exceed_their_denominator():
    d = pd.DataFrame({"y": [1, 1], "g": ["a", "b"], "e": [30, 10], "pop": [20, 20]})
    g = group_gap(d, time="y", group="g", focus="a", reference="b", numerator="e", denominator="pop",
                  statistic="rate", multiplier=1000)
    assert g["gap"].iloc[0] == pytest.approx(1000)


def _two_by(rng):
    """Counts by region x trust x month x quintile (trust names repeat across regions)."""
    frames = [_counts(rng, periods=15).assign(region=region) for region in ("North", "South")]
    return pd.concat(frames, ignore_index=True)


def test_gap_spc_with_two_by_columns_charts_each_combination_alone():
    d = _two_by(np.random.default_rng(6))
    together = gap_spc(d, time="month", group="q", focus=1, reference=3, numerator="events",
                       denominator="n", by=["region", "trust"], improvement="decrease")
    t, s = together.table, together.summary()
    assert list(t.columns[:3]) == ["region", "trust", "time"]
    assert list(s[["region", "trust"]].itertuples(index=False, name=None)) == [
        ("North", "A"), ("North", "B"), ("South", "A"), ("South", "B")]
    for (region, trust), rows in d.groupby(["region", "trust"]):
        alone = gap_spc(rows, time="month", group="q", focus=1, reference=3, numerator="events",
                        denominator="n", improvement="decrease")
        mine = (t["region"] == region) & (t["trust"] == trust)
        pd.testing.assert_frame_equal(t[mine].drop(columns=["region", "trust"]).reset_index(drop=True),
                                      alone.table)
        ours = s[(s["region"] == region) & (s["trust"] == trust)]
        pd.testing.assert_frame_equal(ours.drop(columns=["region", "trust"]).reset_index(drop=True),
                                      alone.summary())


def test_gap_spc_improvement_per_series():
    d = _counts(np.random.default_rng(8), periods=15)
    mixed = gap_spc(d, time="month", group="q", focus=1, reference=3, numerator="events", denominator="n",
                    by="trust", improvement={"A": "decrease", "B": "increase"})
    summary = mixed.summary().set_index("trust")
    assert summary["improvement"].to_dict() == {"A": "decrease", "B": "increase"}
    for trust, direction in (("A", "decrease"), ("B", "increase")):
        alone = gap_spc(d[d["trust"] == trust], time="month", group="q", focus=1, reference=3,
                        numerator="events", denominator="n", improvement=direction)
        ours = mixed.table[mixed.table["trust"] == trust].drop(columns="trust").reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, alone.table)


def test_gap_spc_warns_of_a_missing_period():
    d = _counts(np.random.default_rng(9), periods=16, trusts=("A",))
    d["month"] = pd.date_range("2023-04-01", periods=16, freq="MS")[d["month"].to_numpy()]
    d = d[d["month"] != pd.Timestamp("2023-10-01")]
    with pytest.warns(DataGapWarning, match=r"1 month\(s\) missing between 2023-09-01 and 2023-11-01"):
        gap_spc(d, time="month", group="q", focus=1, reference=3, numerator="events", denominator="n")


def test_an_unknown_focus_is_named_as_written_not_as_numpy_shows_it():
    data = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "group": [1, 5, 1, 5], "events": [5, 3, 6, 2],
                         "people": [100, 100, 100, 100]})
    with pytest.raises(ValueError) as caught:
        group_gap(data, time="year", group="group", focus=2, reference=5, numerator="events",
                  denominator="people")
    assert "its values: 1, 5" in str(caught.value) and "np.int64" not in str(caught.value)
