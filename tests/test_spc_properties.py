"""Property-based tests of equity_lib.spc: invariants that hold for any data, not only the
reference cases.

Values are drawn on a grid (multiples of 0.25, moderate magnitude) so sums and differences are exact
in floating point; where a transformation could still move a point across a threshold by rounding
alone (a point within 1e-7 of a limit, of the two-thirds line or of the screening cut-off), the
example is discarded with ``assume``: that is a floating-point tie, not a property of the method.
"""

import contextlib
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from equity_lib import NoLimitsWarning, spc
from equity_lib.process_control.engine import DataGapWarning

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=30)  # the slowest tests: several series, many calls each
FLAGS = ["special_cause", "rule", "point_type"]
SWAP = {"above_ucl": "below_lcl", "trend_up": "trend_down",
        "two_in_three_above": "two_in_three_below", "shift_above": "shift_below",
        "long_run_above": "long_run_below"}
SWAP |= {v: k for k, v in SWAP.items()}
D4 = 3.267
# Random counts are rarely binomial (or Poisson): spc's overdispersion guardrail would warn on most
# drawn p and u charts. That warning is about the data, not the invariant a test checks, so the tests
# drawing counts leave it out (each by its own mark, not globally).
RANDOM_COUNTS = pytest.mark.filterwarnings("ignore::equity_lib.overdispersion.OverdispersionWarning")

# --- strategies -----------------------------------------------------------------------------------


def grid_values(min_size=13, max_size=40, low=-200, high=200):
    """Multiples of 0.25 between low/4 and high/4: exact in binary floating point."""
    return st.lists(st.integers(low, high), min_size=min_size, max_size=max_size).map(
        lambda v: [i / 4 for i in v])


@st.composite
def proportions(draw, min_size=13, max_size=40):
    den = draw(st.lists(st.integers(1, 400), min_size=min_size, max_size=max_size))
    num = [draw(st.integers(0, d)) for d in den]
    return [float(i) for i in num], [float(i) for i in den]


def frame(values, **columns):
    return pd.DataFrame({"value": values, "seq": np.arange(1, len(values) + 1), **columns})


def cols(n):
    """The column arguments of spc: counts (numerator 'value', denominator n) when n is given."""
    return dict(value="value") if n is None else dict(numerator="value", denominator=n)


def gap_warning(expected):
    """Expect spc's DataGapWarning (points with no value) when expected, and no warning otherwise."""
    return pytest.warns(DataGapWarning, match="no value") if expected else contextlib.nullcontext()


def flags(table):
    """The judgement columns as plain Python lists (None for missing)."""
    return {c: [None if pd.isna(v) else v for v in table[c]] for c in FLAGS}


def swapped(flag_lists):
    out = dict(flag_lists)
    out["rule"] = [SWAP.get(r, r) for r in flag_lists["rule"]]
    return out


def scale_of(table):
    finite = table[["value", "cl", "lcl", "ucl"]].to_numpy(dtype=float)
    return float(np.nanmax(np.abs(finite))) + 1.0


def clear_of_ties(table, values=None, rel=1e-7):
    """No point lies within rounding distance of a threshold a rule compares it with."""
    t = table[table["value"].notna()]
    y, cl, lcl, ucl = (t[c].to_numpy(dtype=float) for c in ("value", "cl", "lcl", "ucl"))
    tol = rel * scale_of(table)
    gaps = [y - ucl, y - lcl, (y - cl) - 2 / 3 * (ucl - cl), (cl - y) - 2 / 3 * (cl - lcl)]
    side = y - cl
    # A point exactly on the line (up to rounding) is fine: the engine's tolerance covers it.
    gaps.append(np.where(np.abs(side) < 1e-9 * scale_of(table), np.inf, side))
    if values is not None:  # moving-range screening: mr against 3.267 x mean moving range
        v = np.asarray(values, dtype=float)
        mr = np.abs(np.diff(v[~np.isnan(v)]))
        if mr.size:
            gaps.append(mr - D4 * mr.mean())
    gaps = np.concatenate([g[~np.isnan(g)] for g in gaps])
    return bool((np.abs(gaps) > tol).all())


NO_VARIATION = "no limits: no variation"


def phase_notes(result):
    """summary()'s note for each row of result.table (missing where the phase has no note)."""
    s = result.summary()
    keys = list(s.columns[:list(s.columns).index("phase") + 1])
    notes = s.set_index(keys)["note"]
    index = pd.MultiIndex.from_frame(result.table[keys]) if len(keys) > 1 else result.table[keys[0]]
    return pd.Series(notes.reindex(index).to_numpy(), index=result.table.index, dtype=object)


def check_no_variation(table, notes, chart=None):
    """Where a phase has a note, it is the no-variation note, the phase has no limits, and nothing
    varies in what sets the limits (a band of zero width is not drawn); return the rows with a note.

    For charts whose limits come from screened moving ranges (xmr, t, pp, up) that is: every moving
    range kept by the screen (below 3.267 x their mean) is 0, so a flat phase with one jump has no
    limits too. For the others every value of the phase is equal.
    """
    noted = notes.notna().to_numpy()
    assert notes[noted].str.startswith(NO_VARIATION).all(), notes[noted].unique()
    assert table.loc[noted, ["lcl", "ucl"]].isna().all(axis=None)
    for _, part in table[noted].groupby("phase"):
        if chart not in ("xmr", "t", "pp", "up"):
            assert part["value"].nunique() == 1
            continue
        x = part["value"].to_numpy(float)
        if chart == "t":
            x = x ** (1 / 3.6)
        elif chart in ("pp", "up"):
            cl, den = part["cl"].to_numpy(float), part["denominator"].to_numpy(float)
            sigma = np.sqrt(cl * (1 - cl) / den) if chart == "pp" else np.sqrt(cl / den)
            x = np.where(sigma > 0, (x - cl) / np.where(sigma > 0, sigma, 1), 0.0)
        moving = np.abs(np.diff(x))
        moving = moving[~np.isnan(moving)]  # a missing value leaves the moving ranges beside it out
        kept = moving[moving < 3.267 * moving.mean()] if moving.mean() > 0 else moving
        assert np.allclose(kept, 0, atol=1e-12 * max(1.0, np.abs(x).max()))
    return noted


def close(a, b, scale, rel=1e-9):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rel,
                               atol=rel * scale, equal_nan=True)


# --- adding a constant ----------------------------------------------------------------------------


@SETTINGS
@given(values=grid_values(), c=st.integers(-4000, 4000).map(lambda i: i / 4),
       chart=st.sampled_from(["xmr", "run"]),
       improvement=st.sampled_from(["increase", "decrease", "neutral"]))
def test_adding_a_constant_moves_everything_and_keeps_the_flags(values, c, chart, improvement):
    kw = dict(chart=chart, improvement=improvement)
    base = spc(frame(values), "value", "seq", **kw).table
    moved = spc(frame([v + c for v in values]), "value", "seq", **kw).table
    assume(clear_of_ties(base) and clear_of_ties(moved))
    scale = scale_of(base) + abs(c)
    for col in ("value", "cl", "lcl", "ucl"):
        close(moved[col], base[col] + c, scale)
    assert flags(moved) == flags(base)


# --- multiplying by a constant --------------------------------------------------------------------


@SETTINGS
@given(values=grid_values(), k=st.sampled_from([0.1, 0.5, 2, 3, 7.5, 10, 100, 1 / 3]),
       chart=st.sampled_from(["xmr", "run"]), screen=st.booleans())
def test_multiplying_by_a_positive_constant_scales_and_keeps_the_flags(values, k, chart, screen):
    kw = dict(chart=chart, screen_mr=screen)
    base = spc(frame(values), "value", "seq", **kw).table
    scaled = spc(frame([v * k for v in values]), "value", "seq", **kw).table
    assume(clear_of_ties(base, values) and clear_of_ties(scaled))
    for col in ("value", "cl", "lcl", "ucl"):
        close(scaled[col], base[col] * k, scale_of(base) * k)
    assert flags(scaled) == flags(base)


@SETTINGS
@given(values=grid_values(), improvement=st.sampled_from(["increase", "decrease"]))
def test_negating_y_swaps_the_limits_and_the_direction(values, improvement):
    other = {"increase": "decrease", "decrease": "increase"}[improvement]
    base = spc(frame(values), "value", "seq", improvement=improvement).table
    negated = spc(frame([-v for v in values]), "value", "seq", improvement=other).table
    scale = scale_of(base)
    close(negated["value"], -base["value"], scale)
    close(negated["cl"], -base["cl"], scale)
    close(negated["lcl"], -base["ucl"], scale)
    close(negated["ucl"], -base["lcl"], scale)
    # Same direction of improvement on the negated data: improvement and concern change places.
    assert flags(negated) == swapped(flags(base))
    same = spc(frame([-v for v in values]), "value", "seq", improvement=improvement).table
    turn = {"improvement": "concern", "concern": "improvement"}
    assert [turn.get(p, p) for p in flags(same)["point_type"]] == flags(base)["point_type"]
    assert flags(same)["special_cause"] == flags(base)["special_cause"]


@RANDOM_COUNTS
@SETTINGS
@given(data=proportions(), k=st.integers(2, 50), chart=st.sampled_from(["p", "u"]))
def test_scaling_numerator_and_denominator_keeps_cl_and_narrows_the_limits(data, k, chart):
    num, den = data
    base_result = spc(frame(num, den=den), time="seq", **cols("den"), chart=chart)
    more_result = spc(frame([v * k for v in num], den=[d * k for d in den]), time="seq", **cols("den"),
                      chart=chart)
    base, more = base_result.table, more_result.table
    close(more["value"], base["value"], 1.0, rel=1e-12)
    close(more["cl"], base["cl"], 1.0, rel=1e-12)
    # A centre line of 0 (or a p chart's 1) has limits of zero width: no limits, at any scale.
    notes = phase_notes(base_result)
    assert notes.equals(phase_notes(more_result))
    noted = check_no_variation(base, notes)
    check_no_variation(more, notes)
    if noted.any():
        assert base["cl"].isin([0.0, 1.0] if chart == "p" else [0.0]).all()
    keep = ~noted
    assert base.loc[keep, ["lcl", "ucl"]].notna().all(axis=None)
    assert (more.loc[keep, "ucl"] <= base.loc[keep, "ucl"] + 1e-12).all()
    assert (more.loc[keep, "lcl"] >= base.loc[keep, "lcl"] - 1e-12).all()


# --- the multiplier argument ----------------------------------------------------------------------


@st.composite
def chart_data(draw, charts=("xmr", "run", "mr", "c", "g", "t", "p", "pp", "u", "up"), min_size=13):
    """(chart, DataFrame with columns value and seq (and den), n column name or None).

    MR charts get one point more: their first point has no moving range.
    """
    chart = draw(st.sampled_from(charts))
    size = min_size + (chart == "mr")
    if chart in ("p", "pp", "u", "up"):
        num, den = draw(proportions(min_size=size))
        return chart, frame(num, den=den), "den"
    if chart in ("c", "g", "t"):
        low = 1 if chart == "t" else 0  # t: times between events, > 0
        values = draw(st.lists(st.integers(low, 400), min_size=size, max_size=40))
        return chart, frame([float(v) for v in values]), None
    return chart, frame(draw(grid_values(min_size=size))), None


@RANDOM_COUNTS
@SETTINGS
@given(case=chart_data(), multiplier=st.sampled_from([100, 1000, 0.01, 2.5, 7]))
def test_multiplier_scales_exactly_and_keeps_the_flags(case, multiplier):
    chart, data, n = case
    base = spc(data, time="seq", **cols(n), chart=chart).table
    scaled = spc(data, time="seq", **cols(n), chart=chart, multiplier=multiplier).table
    for col in ("value", "cl", "lcl", "ucl"):
        np.testing.assert_array_equal(scaled[col].to_numpy(), base[col].to_numpy() * multiplier)
    assume(clear_of_ties(base))
    assert flags(scaled) == flags(base)


# --- series (by) ----------------------------------------------------------------------------------

SERIES_CHARTS = ("xmr", "run", "c", "p")


@st.composite
def series_blocks(draw, chart):
    k = draw(st.integers(2, 4))
    blocks = []
    for i in range(k):
        if chart == "p":
            num, den = draw(proportions(max_size=25))
        else:
            num = draw(st.lists(st.integers(0, 60), min_size=13, max_size=25).map(
                lambda v: [float(i) for i in v]) if chart == "c" else grid_values(max_size=25))
            den = [np.nan] * len(num)
        blocks.append(pd.DataFrame({"unit": f"unit {i}", "seq": np.arange(1, len(num) + 1),
                                    "value": num, "den": den}))
    return blocks


def _per_series(table):
    return {f: g.reset_index(drop=True) for f, g in table.groupby("unit", sort=False)}


@RANDOM_COUNTS
@FEWER
@given(data=st.data(), chart=st.sampled_from(SERIES_CHARTS), interleave=st.booleans())
def test_reordering_series_reorders_the_results_only(data, chart, interleave):
    blocks = data.draw(series_blocks(chart))
    n = "den" if chart == "p" else None
    original = pd.concat(blocks, ignore_index=True)
    order = data.draw(st.permutations(range(len(blocks))))
    shuffled = pd.concat([blocks[i] for i in order], ignore_index=True)
    if interleave:  # rows of different series mixed, each still in time order
        labels = data.draw(st.permutations(list(shuffled["unit"])))
        rows = {u: list(idx) for u, idx in shuffled.groupby("unit").indices.items()}
        take = [rows[u].pop(0) for u in labels]
        shuffled = shuffled.iloc[take].reset_index(drop=True)
    a = spc(original, time="seq", **cols(n), chart=chart, by="unit")
    b = spc(shuffled, time="seq", **cols(n), chart=chart, by="unit")
    # The table follows input order.
    assert list(b.table["unit"]) == list(shuffled["unit"])
    assert list(b.table["time"]) == list(shuffled["seq"])
    y = shuffled["value"] / shuffled["den"] if n else shuffled["value"]
    np.testing.assert_array_equal(b.table["value"].to_numpy(), y.to_numpy())
    # Each series' rows and summary are the same whatever the order of the series.
    pa, pb = _per_series(a.table), _per_series(b.table)
    assert pa.keys() == pb.keys()
    for unit in pa:
        pd.testing.assert_frame_equal(pa[unit], pb[unit])
    sa = a.summary().set_index(["unit", "phase"]).sort_index()
    sb = b.summary().set_index(["unit", "phase"]).sort_index()
    pd.testing.assert_frame_equal(sa, sb)


@RANDOM_COUNTS
@FEWER
@given(data=st.data(), chart=st.sampled_from(SERIES_CHARTS))
def test_one_call_with_many_series_equals_one_call_per_series(data, chart):
    blocks = data.draw(series_blocks(chart))
    n = "den" if chart == "p" else None
    data_all = pd.concat(blocks, ignore_index=True)
    together = spc(data_all, time="seq", **cols(n), chart=chart, by="unit")
    per_series = _per_series(together.table)
    summary = together.summary()
    for block in blocks:
        unit = block["unit"].iloc[0]
        alone = spc(block, time="seq", **cols(n), chart=chart)
        assert (per_series[unit]["unit"] == unit).all()
        pd.testing.assert_frame_equal(per_series[unit].drop(columns="unit"), alone.table)
        ours = summary[summary["unit"] == unit].drop(columns="unit").reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, alone.summary())


# --- where centre lines and limits lie ------------------------------------------------------------


@st.composite
def phased(draw, charts):
    """chart_data with, sometimes, a rebase that leaves at least 13 points in each phase."""
    chart, data, n = draw(chart_data(charts))
    rebase = None
    if chart != "mr" and len(data) >= 26 and draw(st.booleans()):
        rebase = [int(draw(st.integers(14, len(data) - 12)))]
    return chart, data, n, rebase


@RANDOM_COUNTS
@SETTINGS
@given(case=phased(("xmr", "run", "c", "mr", "g", "t", "p", "pp", "u", "up")))
def test_limits_are_ordered_and_in_range(case):
    chart, data, n, rebase = case
    result = spc(data, time="seq", **cols(n), chart=chart, rebase=rebase)
    t = result.table
    tol = 1e-9 * scale_of(t)
    assert t["cl"].notna().all()
    # 13 points or more in each phase, all with a value: only a phase with no variation (e.g. every
    # value 0) has no limits, and its note says so.
    notes = phase_notes(result)
    noted = check_no_variation(t, notes, chart)
    limited = t[~noted]
    if chart == "run":
        assert not noted.any()
    else:
        assert limited[["lcl", "ucl"]].notna().all(axis=None)
        assert (limited["lcl"] <= limited["cl"] + tol).all()
        assert (limited["cl"] <= limited["ucl"] + tol).all()
    if chart in ("p", "pp"):
        assert ((limited["lcl"] >= 0) & (limited["ucl"] <= 1)).all()
    if chart in ("u", "up", "c", "g", "mr", "t"):
        assert (limited["lcl"] >= 0).all()
    if chart in ("xmr", "run", "c"):  # centre line within the range of its phase's values
        for _, part in t.groupby("phase"):
            assert part["value"].min() - tol <= part["cl"].iloc[0] <= part["value"].max() + tol


@st.composite
def subgroups(draw):
    sizes = draw(st.lists(st.integers(2, 6), min_size=13, max_size=25))
    if draw(st.booleans()):
        sizes = [sizes[0]] * len(sizes)
    rows = [(g + 1, draw(st.integers(-100, 100)) / 4)
            for g, size in enumerate(sizes) for _ in range(size)]
    return pd.DataFrame(rows, columns=["subgroup", "value"])


@SETTINGS
@given(data=subgroups(), chart=st.sampled_from(["xbar", "s"]))
def test_xbar_and_s_limits_are_ordered(data, chart):
    result = spc(data, "value", "subgroup", chart=chart)
    t = result.table
    tol = 1e-9 * scale_of(t)
    assert len(t) == data["subgroup"].nunique()
    # Every subgroup has 2 or more measurements: limits are missing only where every subgroup's
    # measurements are all equal (s_bar = 0, limits of zero width), and the note says so.
    note = result.summary()["note"].iloc[0]
    spread = (data.groupby("subgroup")["value"].nunique() > 1).any()
    if spread:
        assert pd.isna(note)
        assert t[["lcl", "ucl"]].notna().all(axis=None)
        assert (t["lcl"] <= t["cl"] + tol).all() and (t["cl"] <= t["ucl"] + tol).all()
        if chart == "s":
            assert (t["lcl"] >= 0).all()
    else:
        assert note.startswith(NO_VARIATION)
        assert t[["lcl", "ucl"]].isna().all(axis=None)


@pytest.mark.parametrize("screen", [True, False])
@pytest.mark.parametrize("chart", ["xmr", "t"])
def test_a_constant_series_has_no_limits_and_a_note(chart, screen):
    # Issue 12: a phase with no spread gets no limits (both peers' XmR charts give none), not limits of
    # zero width; summary() says why, and nothing is missing, so there is no warning. Screened or not
    # (every moving range 0 is ">= 3.267 x 0"), the answer is the same.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = spc(frame([5.0] * 15), "value", "seq", chart=chart, screen_mr=screen)
    t = result.table
    assert t[["lcl", "ucl"]].isna().all(axis=None)
    np.testing.assert_allclose(t["cl"].to_numpy(), 5.0, rtol=1e-12)  # the centre line is kept
    assert not t["special_cause"].any()
    assert result.summary()["note"].iloc[0].startswith(NO_VARIATION)


def test_points_after_a_frozen_constant_phase_are_not_judged_against_a_zero_width_band():
    # Zero-width limits from a flat baseline would call every later point that differs "outside".
    values = [5.0] * 15 + [5.25, 4.75, 5.5, 5.0]
    result = spc(frame(values), "value", "seq", freeze=15)
    t = result.table
    assert t[["lcl", "ucl"]].isna().all(axis=None)
    assert not t["rule"].isin(["above_ucl", "below_lcl", "two_in_three_above",
                               "two_in_three_below"]).any()
    assert not t["special_cause"].any()
    assert result.summary()["note"].iloc[0].startswith(NO_VARIATION)


@pytest.mark.parametrize("events", [0.0, 5.0, 10.0])
@pytest.mark.parametrize("chart", ["pp", "up"])
def test_a_constant_proportion_has_no_laney_limits_and_a_note(chart, events):
    # Every z-score 0 (or 0/0 when the centre line is 0 or 1): no spread, so no limits and a note.
    result = spc(frame([events] * 15, den=[10.0] * 15), time="seq", **cols("den"), chart=chart)
    t = result.table
    assert t[["lcl", "ucl"]].isna().all(axis=None)
    np.testing.assert_allclose(t["cl"].to_numpy(), events / 10, rtol=1e-12)
    assert not t["special_cause"].any()
    assert result.summary()["note"].iloc[0].startswith(NO_VARIATION)


# --- missing values -------------------------------------------------------------------------------


@st.composite
def with_gaps(draw):
    charts = ("xmr", "run", "c", "g", "t", "mr", "p", "u", "pp")
    chart, data, n = draw(chart_data(charts, min_size=14))
    size = len(data)
    room = size - 13  # keep 13 points with a value: no trial-limits warning
    # Positions 0 and 1 keep their values, so each chart has at least one moving range.
    gaps = draw(st.lists(st.integers(2, size - 1), min_size=1, max_size=room, unique=True))
    data.loc[gaps, "value"] = np.nan
    return chart, data, n, sorted(gaps)


def _check_gap_rows(t, gaps, chart, has_limits=True):
    assert len(t) > max(gaps)
    rows = t.loc[gaps]
    assert rows["value"].isna().all()
    assert rows["cl"].notna().all()
    if chart != "run":  # a missing value has its phase's limits, or none when the phase has none
        assert rows[["lcl", "ucl"]].notna().all(axis=None) if has_limits else \
            rows[["lcl", "ucl"]].isna().all(axis=None)
    assert not rows["special_cause"].any()
    assert rows["point_type"].isna().all() and rows["rule"].isna().all()


@RANDOM_COUNTS
@SETTINGS
@given(case=with_gaps())
def test_a_missing_value_keeps_its_row_and_never_signals(case):
    chart, data, n, gaps = case
    with warnings.catch_warnings():
        if chart == "mr":  # a gap costs an MR chart two moving ranges: fewer than 13 is fine here
            warnings.filterwarnings("ignore", message=".*trial limits", category=UserWarning)
        with pytest.warns(DataGapWarning, match=f"{len(gaps)} point\\(s\\) have no value") as caught:
            result = spc(data, time="seq", **cols(n), chart=chart)
    t = result.table
    (gap_warning_,) = [w for w in caught if issubclass(w.category, DataGapWarning)]
    assert "'all'" in str(gap_warning_.message)
    assert len(t) == len(data)
    # 13 values, the first two adjacent: only a series with no variation (e.g. all 0) has no limits.
    noted = check_no_variation(t, phase_notes(result), chart)
    assert chart != "run" or not noted.any()
    _check_gap_rows(t, gaps, chart, has_limits=not noted.any())
    valued = t["value"].notna()
    if chart != "mr":  # the MR chart's first point has no moving range
        assert valued.sum() == len(data) - len(gaps)
    assert t.loc[valued, "point_type"].notna().all()
    if n is not None:  # an unknown numerator takes its denominator out of the centre line too
        known = data["value"].notna()
        expected = data.loc[known, "value"].sum() / data.loc[known, "den"].sum()
        close(t["cl"], np.full(len(t), expected), 1.0, rel=1e-12)


@pytest.mark.parametrize("chart", ["p", "pp", "u", "up"])
def test_a_missing_numerator_leaves_its_denominator_out(chart):
    # Regression: cl was sum(events) / sum(all denominators), so 13 of 13 known cases (and one
    # unknown month of 1 case) gave cl = 13/14 and a p' chart flagged every point.
    data = frame([1.0] * 14, den=[1.0] * 14)
    data.loc[3, "value"] = np.nan
    with gap_warning(True):
        t = spc(data, time="seq", **cols("den"), chart=chart).table
    assert (t["cl"] == 1.0).all()
    assert not t["special_cause"].any()


@SETTINGS
@given(before=grid_values(min_size=8, max_size=15, low=-20, high=20), start=st.integers(-10, 10),
       steps=st.lists(st.integers(1, 8), min_size=7, max_size=7), gap=st.integers(1, 6),
       after=grid_values(min_size=8, max_size=15, low=-20, high=20),
       precedence=st.sampled_from(["rule_order", "improvement"]))
def test_a_missing_value_inside_a_rising_run_does_not_break_it(before, start, steps, gap, after,
                                                                precedence):
    rise = list(np.cumsum([start, *steps]) / 4)  # 8 strictly rising points
    rise[gap] = np.nan  # 7 left, still rising once the gap is skipped
    values = [*before, rise[0] + 100, *rise, rise[-1] - 100, *after]
    at = len(before) + 1
    with gap_warning(True):
        t = spc(frame(values), "value", "seq", precedence=precedence).table
    _check_gap_rows(t, [at + gap], "xmr")
    run = t.iloc[at:at + 8].drop(index=at + gap)
    assert run["special_cause"].all()
    if precedence == "improvement":  # higher is better: the rise is improvement, wherever it starts
        assert run["rule"].isin(["above_ucl", "trend_up"]).all()
        assert (run["point_type"] == "improvement").all()
    else:  # the first rule met, in NHSRplotthedots' order: a limit before the trend
        first = np.select([run["value"] > run["ucl"], run["value"] < run["lcl"]],
                          ["above_ucl", "below_lcl"], "trend_up")
        assert list(run["rule"]) == list(first)
        assert list(run["point_type"]) == ["concern" if r == "below_lcl" else "improvement"
                                           for r in first]


# --- the shift rule -------------------------------------------------------------------------------


@st.composite
def shift_case(draw):
    shift = draw(st.integers(5, 9))
    exact = draw(st.booleans())
    a = draw(st.integers(2, 10))
    b = draw(st.integers(1, a - 1))
    level = draw(st.integers(-100, 100))
    sign = draw(st.sampled_from([1, -1]))
    pre = draw(st.integers(3, 8))
    post = draw(st.integers(3, 8))
    k = shift if exact else shift - 1
    # Alternating around `level`, ending and restarting on the far side from the block, so the block
    # is a run of exactly k points on its side of the mean.
    hi, lo = level + sign * a, level - sign * a
    values = [hi, lo] * pre + [level + sign * b] * k + [lo, hi] * post
    return shift, exact, sign, k, 2 * pre, [float(v) for v in values]


@SETTINGS
@given(case=shift_case())
def test_exactly_shift_points_on_one_side_signal_and_one_fewer_do_not(case):
    shift, exact, sign, k, first, values = case
    t = spc(frame(values), "value", "seq", shift=shift).table
    block = np.zeros(len(values), dtype=bool)
    block[first:first + k] = True
    side = np.sign(t["value"] - t["cl"]).to_numpy()
    assert (side[block] == sign).all()  # strictly on one side of the mean
    if exact:
        wanted = "shift_above" if sign > 0 else "shift_below"
        assert (t.loc[block, "rule"] == wanted).all()
        assert (t.loc[block, "point_type"] == ("improvement" if sign > 0 else "concern")).all()
    else:
        assert not t.loc[block, "special_cause"].any()
    assert not t.loc[~block, "special_cause"].any()


# --- the trend rule -------------------------------------------------------------------------------


@st.composite
def trend_case(draw, length=None):
    if length is None:
        length = draw(st.integers(4, 9))  # points in the rise
    step = draw(st.integers(1, 3))
    a = draw(st.integers(15, 30))
    level = draw(st.integers(-100, 100))
    pre = draw(st.integers(3, 8))
    post = draw(st.integers(3, 8))
    sign = draw(st.sampled_from([1, -1]))
    # The run is centred on `level`, so it crosses the mean and forms no long run on one side; it
    # starts below a high point and ends above a low one, so neighbours do not extend it.
    rise = [level + sign * step * (i - (length - 1) / 2) for i in range(length)]
    hi, lo = level + sign * a, level - sign * a
    values = [lo, hi] * pre + rise + [lo, hi] * post
    return length, sign, 2 * pre, [float(v) for v in values]


@SETTINGS
@given(case=trend_case(), trend=st.integers(5, 8))
def test_trend_points_signal_and_one_fewer_do_not(case, trend):
    length, sign, first, values = case
    t = spc(frame(values), "value", "seq", trend=trend).table
    block = np.zeros(len(values), dtype=bool)
    block[first:first + length] = True
    if length >= trend:
        assert (t.loc[block, "rule"] == ("trend_up" if sign > 0 else "trend_down")).all()
        assert t.loc[block, "special_cause"].all()
    else:
        assert not t.loc[block, "special_cause"].any()
    assert not t.loc[~block, "special_cause"].any()


@SETTINGS
@given(case=trend_case(length=7), equal_at=st.integers(1, 6))
def test_equal_neighbours_break_a_trend(case, equal_at):
    length, sign, first, values = case
    trends = ["trend_up", "trend_down"]
    assert spc(frame(values), "value", "seq").table["rule"].isin(trends).sum() == 7
    # The same seven points with one step flat: no strict rise (fall) of seven is left.
    values = list(values)
    values[first + equal_at] = values[first + equal_at - 1]
    t = spc(frame(values), "value", "seq").table
    assert not t["rule"].isin(trends).any()


def _strict_runs(y, direction):
    """Per point: length of its strict rise (+1) / fall (-1), 0 if none; NaN skipped."""
    idx = np.flatnonzero(~np.isnan(y))
    v = y[idx]
    out = np.zeros(y.size, dtype=int)
    i = 0
    while i < v.size - 1:
        j = i
        while j + 1 < v.size and np.sign(v[j + 1] - v[j]) == direction:
            j += 1
        if j > i:
            out[idx[i:j + 1]] = np.maximum(out[idx[i:j + 1]], j - i + 1)
            i = j
        else:
            i += 1
    return out


def _side_runs(side):
    """Per point: length of the run of equal non-zero sides it belongs to (0 on the line)."""
    out = np.zeros(side.size, dtype=int)
    start = 0
    for i in range(1, side.size + 1):
        if i == side.size or side[i] != side[start]:
            if side[start] != 0:
                out[start:i] = i - start
            start = i
    return out


@SETTINGS
@given(values=grid_values(min_size=13, max_size=60, low=-40, high=40), shift=st.integers(5, 8),
       trend=st.integers(5, 8), improvement=st.sampled_from(["increase", "decrease", "neutral"]),
       precedence=st.sampled_from(["rule_order", "improvement"]))
def test_runs_and_trends_signal_exactly_where_they_are(values, shift, trend, improvement, precedence):
    t = spc(frame(values), "value", "seq", shift=shift, trend=trend, improvement=improvement,
            precedence=precedence).table
    y, cl = t["value"].to_numpy(), t["cl"].to_numpy()
    side = np.sign(y - cl).astype(int)
    runs = _side_runs(side)
    rises, falls = _strict_runs(y, +1), _strict_runs(y, -1)
    in_pattern = (runs >= shift) | (rises >= trend) | (falls >= trend)
    # Every point in a pattern is special cause, whatever the direction and the precedence.
    assert t.loc[in_pattern, "special_cause"].all()
    rule = t["rule"].astype("string").fillna("")
    assert (rises[rule == "trend_up"] >= trend).all()
    assert (falls[rule == "trend_down"] >= trend).all()
    assert (runs[rule.str.startswith("shift")] >= shift).all()
    assert (side[rule == "shift_above"] > 0).all() and (side[rule == "shift_below"] < 0).all()
    beyond = (y > t["ucl"].to_numpy()) | (y < t["lcl"].to_numpy())
    assert t.loc[beyond, "special_cause"].all()
    # Without a limit breach or a pattern, only two-in-three can flag a point.
    lone = t["special_cause"].to_numpy() & ~in_pattern & ~beyond
    assert rule[lone].str.startswith("two_in_three").all()
    if precedence == "rule_order" or improvement == "neutral":
        # The first rule met gives the type: a limit, then a trend (up before down), whatever else.
        tol = 1e-9 * scale_of(t)
        ucl, lcl = t["ucl"].to_numpy(), t["lcl"].to_numpy()
        assert (rule[y > ucl + tol] == "above_ucl").all()
        assert (rule[y < lcl - tol] == "below_lcl").all()
        inside = (y < ucl - tol) & (y > lcl + tol)
        assert (rule[inside & (rises >= trend)] == "trend_up").all()
        assert (rule[inside & (rises < trend) & (falls >= trend)] == "trend_down").all()


# --- summary --------------------------------------------------------------------------------------


@st.composite
def messy(draw):
    """Several series, sometimes a rebase, exclusions and missing values."""
    chart = draw(st.sampled_from(["xmr", "run", "c", "p", "u", "mr"]))
    blocks = []
    for i in range(draw(st.integers(1, 3))):
        size = draw(st.integers(15, 40))
        den = draw(st.lists(st.integers(1, 300), min_size=size, max_size=size))
        num = [draw(st.integers(0, d)) for d in den] if chart in ("p", "u") else \
            draw(st.lists(st.integers(0, 60), min_size=size, max_size=size))
        block = pd.DataFrame({"unit": f"unit {i}", "seq": np.arange(1, size + 1),
                              "value": np.array(num, float), "den": np.array(den, float)})
        gaps = draw(st.lists(st.integers(2, size - 1), max_size=4, unique=True))
        block.loc[gaps, "value"] = np.nan
        blocks.append(block)
    rebase = None if chart == "mr" else draw(st.sampled_from([None, [8]]))
    exclude = draw(st.lists(st.integers(3, 15), max_size=3, unique=True)) or None
    return chart, pd.concat(blocks, ignore_index=True), rebase, exclude


@RANDOM_COUNTS
@FEWER
@given(case=messy())
def test_summary_counts_are_consistent(case):
    chart, data, rebase, exclude = case
    n = "den" if chart in ("p", "u") else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("ignore", message=".*trial limits", category=UserWarning)
        # Exclusions and gaps can leave a phase too few values to set limits: it is charted without
        # them (NoLimitsWarning, tested in test_spc_inputs); recorded here and checked below.
        warnings.filterwarnings("always", category=NoLimitsWarning)
        with gap_warning(data["value"].isna().any()):
            result = spc(data, time="seq", **cols(n), chart=chart, by="unit", rebase=rebase,
                         exclude=exclude)
    t, s = result.table, result.summary()
    # A phase has limits exactly when it has no note; a note other than "no variation" is warned about,
    # in one warning counting those phases.
    phase_limits = t["lcl"].notna().groupby([t["unit"], t["phase"]], sort=False).any()
    notes = s.set_index(["unit", "phase"])["note"]
    if chart != "run":
        assert (phase_limits == notes.isna()).all()
    warned = int((notes.notna() & ~notes.str.startswith(NO_VARIATION, na=False)).sum())
    messages = [str(w.message) for w in caught if issubclass(w.category, NoLimitsWarning)]
    if warned:
        (message,) = messages
        assert message.startswith(f"{warned} phase(s) have no process limits")
    else:
        assert messages == []
    assert len(caught) == len(messages)  # nothing else was recorded
    rows = t.groupby(["unit", "phase"], sort=False).size()
    s = s.set_index(["unit", "phase"])
    assert list(s.index) == list(rows.index)
    assert ((s["n_points"] + s["n_excluded"]) == rows).all()
    missing = t["value"].isna().groupby([t["unit"], t["phase"]], sort=False).sum()
    assert (s["n_missing"] == missing).all()
    assert (s["n_special_cause"] == s["n_improvement"] + s["n_concern"] + s["n_neutral"]).all()
    has = s["n_useful"] > 0
    assert (s.loc[has, "longest_run"] <= s.loc[has, "n_useful"]).all()
    assert (s.loc[has, "crossings"] <= s.loc[has, "n_useful"] - 1).all()
    assert (s.loc[has, "longest_run"] >= 1).all()
    assert s.loc[~has, "longest_run"].isna().all()
    assert (s["n_useful"] <= s["n_points"]).all()


# --- by as a list, improvement and target per series (issue 11) --------------------------------------

DATES = st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2040-01-01").date())


@st.composite
def two_way_blocks(draw, chart):
    """Series keyed by two columns (trust x group), each complete and in time order."""
    trusts = draw(st.lists(st.sampled_from(["T1", "T2", "T3"]), min_size=1, max_size=2, unique=True))
    groups = draw(st.lists(st.integers(1, 5), min_size=1, max_size=2, unique=True))
    assume(len(trusts) * len(groups) >= 2)
    blocks = []
    for trust in trusts:
        for group in groups:
            if chart == "p":
                num, den = draw(proportions(max_size=20))
            elif chart == "c":
                counts = draw(st.lists(st.integers(0, 60), min_size=13, max_size=20))
                num, den = [float(v) for v in counts], None
            else:
                num, den = draw(grid_values(max_size=20)), None
            blocks.append(pd.DataFrame({"trust": trust, "group": group, "seq": np.arange(1, len(num) + 1),
                                        "value": num, "den": den if den is not None else np.nan}))
    return blocks


@RANDOM_COUNTS
@FEWER
@given(data=st.data(), chart=st.sampled_from(SERIES_CHARTS), interleave=st.booleans())
def test_by_two_columns_equals_one_call_per_combination(data, chart, interleave):
    blocks = data.draw(two_way_blocks(chart))
    n = "den" if chart == "p" else None
    everything = pd.concat(blocks, ignore_index=True)
    if interleave:  # rows of different series mixed, each still in time order
        everything = everything.sort_values(["seq"], kind="stable").reset_index(drop=True)
    together = spc(everything, time="seq", **cols(n), chart=chart, by=["trust", "group"])
    t, s = together.table, together.summary()
    assert list(t.columns[:3]) == ["trust", "group", "time"]
    assert list(s.columns[:3]) == ["trust", "group", "phase"]
    assert list(t["trust"]) == list(everything["trust"]) and list(t["group"]) == list(everything["group"])
    for block in blocks:
        trust, group = block["trust"].iloc[0], block["group"].iloc[0]
        alone = spc(block, time="seq", **cols(n), chart=chart)
        mine = (t["trust"] == trust) & (t["group"] == group)
        pd.testing.assert_frame_equal(t[mine].drop(columns=["trust", "group"]).reset_index(drop=True),
                                      alone.table)
        ours = s[(s["trust"] == trust) & (s["group"] == group)]
        pd.testing.assert_frame_equal(ours.drop(columns=["trust", "group"]).reset_index(drop=True),
                                      alone.summary())
    # One finding per combination, labelled "trust / group".
    labels = [f"{b['trust'].iloc[0]} / {b['group'].iloc[0]}" for b in blocks]
    assert sorted(together.describe().index) == sorted(labels)


@RANDOM_COUNTS
@FEWER
@given(data=st.data(), chart=st.sampled_from(SERIES_CHARTS))
def test_improvement_and_target_per_series_equal_separate_calls(data, chart):
    blocks = data.draw(series_blocks(chart))
    n = "den" if chart == "p" else None
    units = [b["unit"].iloc[0] for b in blocks]
    directions = {u: data.draw(st.sampled_from(["increase", "decrease", "neutral"])) for u in units}
    targets = {u: data.draw(st.none() | st.integers(-50, 50).map(float)) for u in units}
    given_targets = {u: v for u, v in targets.items() if v is not None}  # a series left out: no target
    together = spc(pd.concat(blocks, ignore_index=True), time="seq", **cols(n), chart=chart, by="unit",
                   improvement=directions, target=given_targets)
    per_series = _per_series(together.table)
    summary = together.summary()
    for unit in units:
        alone = spc(blocks[units.index(unit)], time="seq", **cols(n), chart=chart,
                    improvement=directions[unit], target=targets[unit])
        pd.testing.assert_frame_equal(per_series[unit].drop(columns="unit"), alone.table)
        ours = summary[summary["unit"] == unit].drop(columns="unit").reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, alone.summary())
        assert (ours["improvement"] == directions[unit]).all()


@FEWER
@given(values=grid_values(min_size=13, max_size=30), start=DATES,
       freq=st.sampled_from(["MS", "W-MON", "W-SUN", "D"]), two_series=st.booleans(),
       text_type=st.sampled_from([object, "string"]))
def test_iso_date_text_gives_the_same_result_as_dates(values, start, freq, two_series, text_type):
    dates = pd.date_range(pd.Timestamp(start), periods=len(values), freq=freq)
    data = pd.DataFrame({"when": dates, "value": values, "unit": "A"})
    if two_series:
        data = pd.concat([data, data.assign(unit="B", value=data["value"][::-1].to_numpy())],
                         ignore_index=True)
    text = data.assign(when=data["when"].dt.strftime("%Y-%m-%d").astype(text_type))
    parsed = text.assign(when=pd.to_datetime(text["when"]))
    by = "unit" if two_series else None
    rebase = [str(dates[13].date())] if len(values) >= 26 else None
    from_text = spc(text, "value", "when", by=by, rebase=rebase)
    from_parsed = spc(parsed, "value", "when", by=by, rebase=rebase)
    assert np.issubdtype(from_text.table["time"].dtype, np.datetime64)
    pd.testing.assert_frame_equal(from_text.table, from_parsed.table)
    pd.testing.assert_frame_equal(from_text.summary(), from_parsed.summary())
    # The same dates at another resolution (date_range of a date: seconds) chart the same points.
    from_dates = spc(data, "value", "when", by=by, rebase=rebase)
    unit = from_text.table["time"].dtype
    pd.testing.assert_frame_equal(from_text.table, from_dates.table.astype({"time": unit}))
    pd.testing.assert_frame_equal(from_text.summary(),
                                  from_dates.summary().astype({"start": unit, "end": unit}))


# --- DataGapWarning --------------------------------------------------------------------------------


def _dated(dates, unit="A"):
    return pd.DataFrame({"when": dates, "value": np.tile([50.0, 52.0, 49.0, 51.0], len(dates))[:len(dates)],
                         "unit": unit})


@SETTINGS
@given(start=DATES,
       size=st.integers(14, 40), data=st.data(), two_series=st.booleans())
def test_a_monthly_series_missing_one_month_warns_naming_the_series_and_the_gap(start, size, data,
                                                                                two_series):
    months = pd.date_range(pd.Timestamp(start).replace(day=1), periods=size, freq="MS")
    drop = data.draw(st.integers(1, size - 2))  # never the first or last: a gap inside the series
    gappy = _dated(months.delete(drop), unit="B")
    frame_ = pd.concat([_dated(months, unit="A"), gappy], ignore_index=True) if two_series else gappy
    with pytest.warns(DataGapWarning) as caught:
        spc(frame_, "value", "when", by="unit", chart=data.draw(st.sampled_from(["xmr", "run", "c"])))
    (warning,) = [w for w in caught if issubclass(w.category, DataGapWarning)]
    message = str(warning.message)
    assert message.startswith("1 series have missing periods (1 in all)")
    assert (f"'B': 1 month(s) missing between {months[drop - 1].date()} and {months[drop + 1].date()}"
            in message)
    assert "'A'" not in message
    assert "Fix:" in message


def test_a_missing_month_in_a_series_of_two_by_columns_names_both():
    months = pd.date_range("2023-04-01", periods=15, freq="MS")
    full = _dated(months).assign(group=1)
    gappy = _dated(months.delete(5)).assign(group=2)
    with pytest.warns(DataGapWarning, match=r"(\('A', 2\)|A / 2): 1 month\(s\) missing between "
                                            r"2023-08-01 and 2023-10-01"):
        spc(pd.concat([full, gappy], ignore_index=True), "value", "when", by=["unit", "group"])


@pytest.mark.parametrize("chart", ["p", "u"])
def test_a_missing_period_warns_for_charts_of_counts(chart):
    months = pd.date_range("2023-04-01", periods=15, freq="MS").delete(7)
    data = _dated(months).assign(events=10.0, cases=100.0)
    with pytest.warns(DataGapWarning, match=r"'all': 1 month\(s\) missing between 2023-10-01 and 2023-12-01"):
        spc(data, time="when", numerator="events", denominator="cases", chart=chart)


def test_missing_weeks_and_days_are_counted_in_their_own_unit():
    weeks = pd.date_range("2024-01-03", periods=20, freq="W-WED").delete([4, 5])
    with pytest.warns(DataGapWarning, match=r"2 week\(s\) missing between 2024-01-24 and 2024-02-14"):
        spc(_dated(weeks), "value", "when")
    days = pd.date_range("2024-01-01", periods=20, freq="D").delete(10)
    with pytest.warns(DataGapWarning, match=r"1 day\(s\) missing between 2024-01-10 and 2024-01-12"):
        spc(_dated(days), "value", "when")


def test_points_with_no_value_warn_with_their_count_and_series():
    months = pd.date_range("2023-04-01", periods=15, freq="MS")
    a, b = _dated(months, "A"), _dated(months, "B")
    b.loc[[3, 4], "value"] = np.nan
    with pytest.warns(DataGapWarning, match=r"2 point\(s\) have no value and are not charted \('B': 2\)"):
        t = spc(pd.concat([a, b], ignore_index=True), "value", "when", by="unit").table
    assert t["value"].isna().sum() == 2


def test_xbar_g_and_t_charts_do_not_warn_of_missing_periods():
    # Events at irregular times (g, t) and subgroups (xbar, s) are not regular series.
    days = pd.date_range("2024-01-01", periods=40, freq="D").delete([3, 9, 10, 20])
    data = _dated(days)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for chart in ("g", "t"):
            spc(data, "value", "when", chart=chart)
        subgroups = pd.DataFrame({"week": np.repeat(pd.date_range("2024-01-01", periods=20, freq="W-MON")
                                                    .delete(5), 3),
                                  "value": np.tile([1.0, 2.0, 4.0], 19)})
        spc(subgroups, "value", "week", chart="xbar")


def _no_warning(data, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return spc(data, "value", "when", **kwargs)


@SETTINGS
@given(start=DATES,
       size=st.integers(18, 60), freq=st.sampled_from(["MS", "W-MON", "W-THU", "W-SUN", "D"]),
       offset=st.integers(0, 5))
def test_a_complete_monthly_weekly_or_daily_series_does_not_warn(start, size, freq, offset):
    dates = pd.date_range(pd.Timestamp(start), periods=size, freq=freq)
    # A second series starting later (and so shorter) on the same calendar is complete too.
    data = pd.concat([_dated(dates, "A"), _dated(dates[offset:], "B")], ignore_index=True)
    _no_warning(data, by="unit")


# Regressions: _warn_gaps once counted days for dates on different weekdays and months for dates on the
# 1st, with a step of one period, so a weekend (business days) and the months between quarters or years
# were reported as missing periods.
@SETTINGS
@given(start=DATES,
       size=st.integers(13, 80))
def test_business_day_data_does_not_warn(start, size):
    # Weekdays only: a weekend is not a missing period.
    _no_warning(_dated(pd.bdate_range(pd.Timestamp(start), periods=size)))


@pytest.mark.parametrize("freq", ["QS", "QS-APR", "YS", "YS-APR"])
def test_complete_quarterly_or_yearly_data_does_not_warn(freq):
    # Dates on the first of the month, three or twelve months apart: no month is missing.
    _no_warning(_dated(pd.date_range("2010-04-01", periods=15, freq=freq)))


def test_sequence_numbers_with_a_step_do_not_warn():
    _no_warning(pd.DataFrame({"when": np.arange(2, 32, 2), "value": np.tile([1.0, 3.0, 2.0], 5)}))


# --- precedence: a point in both an improving and a concerning pattern -------------------------------

# 20 stable points around 50 (limits 43.4 to 56.6 when frozen there), then a point far below the lower
# limit that starts a rise of 7 crossing the mean (no run of 7 on one side, no two-in-three), then stable.
STABLE = [50.0, 52, 48, 51, 49, 50, 52, 48, 51, 49, 50, 52, 48, 51, 49, 50, 52, 48, 51, 49]
RISE = [30.0, 46, 48, 50.5, 53, 54, 55]
PRECEDENCE_CASE = pd.DataFrame({"month": pd.date_range("2021-01-01", periods=34, freq="MS"),
                                "value": STABLE + RISE + [48.0, 51, 49, 50, 52, 48, 51]})
LOW = len(STABLE)  # the point below the lower limit


def test_a_low_point_starting_a_rise_is_a_concern_by_default():
    t = spc(PRECEDENCE_CASE, "value", "month", freeze=20).table
    assert t.loc[LOW, "value"] < t.loc[LOW, "lcl"]
    assert t["special_cause"].sum() == 7  # the rise, nothing else
    # NHSRplotthedots 0.2.2: the first rule met (below_lcl before trend_up) gives the type.
    assert t.loc[LOW, "rule"] == "below_lcl"
    assert t.loc[LOW, "point_type"] == "concern"
    # The rest of the rise is inside the limits: a trend, improvement for an increase measure.
    assert (t.loc[LOW + 1:LOW + 6, "rule"] == "trend_up").all()
    assert (t.loc[LOW + 1:LOW + 6, "point_type"] == "improvement").all()
    assert spc(PRECEDENCE_CASE, "value", "month", freeze=20,
               precedence="rule_order").table.equals(t)


def test_improvement_wins_with_precedence_improvement():
    t = spc(PRECEDENCE_CASE, "value", "month", freeze=20, precedence="improvement").table
    assert t.loc[LOW, "rule"] == "trend_up"
    assert t.loc[LOW, "point_type"] == "improvement"
    assert (t.loc[LOW:LOW + 6, "point_type"] == "improvement").all()


@pytest.mark.parametrize("precedence", ["rule_order", "improvement"])
def test_precedence_on_a_decrease_measure_mirrors_it(precedence):
    # The same data turned upside down, lower is better: a point above the upper limit starting a fall.
    mirrored = PRECEDENCE_CASE.assign(value=100 - PRECEDENCE_CASE["value"])
    t = spc(mirrored, "value", "month", freeze=20, improvement="decrease", precedence=precedence).table
    assert t.loc[LOW, "value"] > t.loc[LOW, "ucl"]
    expected = {"rule_order": ("above_ucl", "concern"), "improvement": ("trend_down", "improvement")}
    assert (t.loc[LOW, "rule"], t.loc[LOW, "point_type"]) == expected[precedence]


@pytest.mark.parametrize("precedence", ["rule_order", "improvement"])
def test_precedence_does_not_matter_for_a_neutral_measure(precedence):
    t = spc(PRECEDENCE_CASE, "value", "month", freeze=20, improvement="neutral", precedence=precedence).table
    assert (t.loc[LOW, "rule"], t.loc[LOW, "point_type"]) == ("below_lcl", "neutral")


@pytest.mark.parametrize("precedence", ["rule_order", "improvement"])
def test_precedence_counts_in_the_summary(precedence):
    s = spc(PRECEDENCE_CASE, "value", "month", freeze=20, precedence=precedence).summary().iloc[0]
    concerns = {"rule_order": 1, "improvement": 0}[precedence]
    assert s["n_concern"] == concerns
    assert s["n_special_cause"] == s["n_improvement"] + s["n_concern"]


@SETTINGS
@given(values=grid_values(min_size=13, max_size=40, low=-40, high=40), shift=st.integers(5, 8),
       trend=st.integers(5, 8), improvement=st.sampled_from(["increase", "decrease"]))
def test_precedence_changes_only_points_in_both_kinds_of_pattern(values, shift, trend, improvement):
    kw = dict(shift=shift, trend=trend, improvement=improvement)
    first = spc(frame(values), "value", "seq", **kw).table
    wins = spc(frame(values), "value", "seq", precedence="improvement", **kw).table
    # The same points are special cause; a point changes type only from concern to improvement.
    assert list(first["special_cause"]) == list(wins["special_cause"])
    changed = (first["point_type"] != wins["point_type"]).fillna(False).to_numpy()
    assert (first.loc[changed, "point_type"] == "concern").all()
    assert (wins.loc[changed, "point_type"] == "improvement").all()
    pd.testing.assert_frame_equal(first.loc[~changed], wins.loc[~changed])
