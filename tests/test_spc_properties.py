"""Property-based tests of equity_lib.spc: invariants that hold for any data, not only the
reference cases.

Values are drawn on a grid (multiples of 0.25, moderate magnitude) so sums and differences are exact
in floating point; where a transformation could still move a point across a threshold by rounding
alone (a point within 1e-7 of a limit, of the two-thirds line or of the screening cut-off), the
example is discarded with ``assume``: that is a floating-point tie, not a property of the method.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from equity_lib import spc

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=30)  # the slowest tests: several facets, many calls each
FLAGS = ["special_cause", "rule", "point_type"]
SWAP = {"above_ucl": "below_lcl", "trend_up": "trend_down",
        "two_in_three_above": "two_in_three_below", "shift_above": "shift_below",
        "long_run_above": "long_run_below"}
SWAP |= {v: k for k, v in SWAP.items()}
D4 = 3.267

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


def flags(table):
    """The judgement columns as plain Python lists (None for missing)."""
    return {c: [None if pd.isna(v) else v for v in table[c]] for c in FLAGS}


def swapped(flag_lists):
    out = dict(flag_lists)
    out["rule"] = [SWAP.get(r, r) for r in flag_lists["rule"]]
    return out


def scale_of(table):
    finite = table[["y", "cl", "lcl", "ucl"]].to_numpy(dtype=float)
    return float(np.nanmax(np.abs(finite))) + 1.0


def clear_of_ties(table, values=None, rel=1e-7):
    """No point lies within rounding distance of a threshold a rule compares it with."""
    t = table[table["y"].notna()]
    y, cl, lcl, ucl = (t[c].to_numpy(dtype=float) for c in ("y", "cl", "lcl", "ucl"))
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
    for col in ("y", "cl", "lcl", "ucl"):
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
    for col in ("y", "cl", "lcl", "ucl"):
        close(scaled[col], base[col] * k, scale_of(base) * k)
    assert flags(scaled) == flags(base)


@SETTINGS
@given(values=grid_values(), improvement=st.sampled_from(["increase", "decrease"]))
def test_negating_y_swaps_the_limits_and_the_direction(values, improvement):
    other = {"increase": "decrease", "decrease": "increase"}[improvement]
    base = spc(frame(values), "value", "seq", improvement=improvement).table
    negated = spc(frame([-v for v in values]), "value", "seq", improvement=other).table
    scale = scale_of(base)
    close(negated["y"], -base["y"], scale)
    close(negated["cl"], -base["cl"], scale)
    close(negated["lcl"], -base["ucl"], scale)
    close(negated["ucl"], -base["lcl"], scale)
    # Same direction of improvement on the negated data: improvement and concern change places.
    assert flags(negated) == swapped(flags(base))
    same = spc(frame([-v for v in values]), "value", "seq", improvement=improvement).table
    turn = {"improvement": "concern", "concern": "improvement"}
    assert [turn.get(p, p) for p in flags(same)["point_type"]] == flags(base)["point_type"]
    assert flags(same)["special_cause"] == flags(base)["special_cause"]


@SETTINGS
@given(data=proportions(), k=st.integers(2, 50), chart=st.sampled_from(["p", "u"]))
def test_scaling_numerator_and_denominator_keeps_cl_and_narrows_the_limits(data, k, chart):
    num, den = data
    base = spc(frame(num, den=den), "value", "seq", "den", chart=chart).table
    more = spc(frame([v * k for v in num], den=[d * k for d in den]), "value", "seq", "den",
               chart=chart).table
    close(more["y"], base["y"], 1.0, rel=1e-12)
    close(more["cl"], base["cl"], 1.0, rel=1e-12)
    assert (more["ucl"] <= base["ucl"] + 1e-12).all()
    assert (more["lcl"] >= base["lcl"] - 1e-12).all()


# --- the multiply argument ------------------------------------------------------------------------


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


@SETTINGS
@given(case=chart_data(), multiply=st.sampled_from([100, 1000, 0.01, 2.5, 7]))
def test_multiply_scales_exactly_and_keeps_the_flags(case, multiply):
    chart, data, n = case
    base = spc(data, "value", "seq", n, chart=chart).table
    scaled = spc(data, "value", "seq", n, chart=chart, multiply=multiply).table
    for col in ("y", "cl", "lcl", "ucl"):
        np.testing.assert_array_equal(scaled[col].to_numpy(), base[col].to_numpy() * multiply)
    assume(clear_of_ties(base))
    assert flags(scaled) == flags(base)


# --- facets ---------------------------------------------------------------------------------------

FACET_CHARTS = ("xmr", "run", "c", "p")


@st.composite
def faceted(draw, chart):
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


def _per_facet(table):
    return {f: g.reset_index(drop=True) for f, g in table.groupby("facet", sort=False)}


@FEWER
@given(data=st.data(), chart=st.sampled_from(FACET_CHARTS), interleave=st.booleans())
def test_reordering_facets_reorders_the_results_only(data, chart, interleave):
    blocks = data.draw(faceted(chart))
    n = "den" if chart == "p" else None
    original = pd.concat(blocks, ignore_index=True)
    order = data.draw(st.permutations(range(len(blocks))))
    shuffled = pd.concat([blocks[i] for i in order], ignore_index=True)
    if interleave:  # rows of different facets mixed, each facet still in x order
        labels = data.draw(st.permutations(list(shuffled["unit"])))
        rows = {u: list(idx) for u, idx in shuffled.groupby("unit").indices.items()}
        take = [rows[u].pop(0) for u in labels]
        shuffled = shuffled.iloc[take].reset_index(drop=True)
    a = spc(original, "value", "seq", n, chart=chart, facet="unit")
    b = spc(shuffled, "value", "seq", n, chart=chart, facet="unit")
    # The table follows input order.
    assert list(b.table["facet"]) == list(shuffled["unit"])
    assert list(b.table["x"]) == list(shuffled["seq"])
    y = shuffled["value"] / shuffled["den"] if n else shuffled["value"]
    np.testing.assert_array_equal(b.table["y"].to_numpy(), y.to_numpy())
    # Each facet's rows and summary are the same whatever the order of the facets.
    pa, pb = _per_facet(a.table), _per_facet(b.table)
    assert pa.keys() == pb.keys()
    for unit in pa:
        pd.testing.assert_frame_equal(pa[unit], pb[unit])
    sa = a.summary().set_index(["facet", "phase"]).sort_index()
    sb = b.summary().set_index(["facet", "phase"]).sort_index()
    pd.testing.assert_frame_equal(sa, sb)


@FEWER
@given(data=st.data(), chart=st.sampled_from(FACET_CHARTS))
def test_one_call_with_many_facets_equals_one_call_per_facet(data, chart):
    blocks = data.draw(faceted(chart))
    n = "den" if chart == "p" else None
    data_all = pd.concat(blocks, ignore_index=True)
    together = spc(data_all, "value", "seq", n, chart=chart, facet="unit")
    per_facet = _per_facet(together.table)
    summary = together.summary()
    for block in blocks:
        unit = block["unit"].iloc[0]
        alone = spc(block, "value", "seq", n, chart=chart)
        pd.testing.assert_frame_equal(per_facet[unit].drop(columns="facet"),
                                      alone.table.drop(columns="facet"))
        ours = summary[summary["facet"] == unit].drop(columns="facet").reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, alone.summary().drop(columns="facet"))


# --- where centre lines and limits lie ------------------------------------------------------------


@st.composite
def phased(draw, charts):
    """chart_data with, sometimes, a rebase that leaves at least 13 points in each phase."""
    chart, data, n = draw(chart_data(charts))
    rebase = None
    if chart != "mr" and len(data) >= 26 and draw(st.booleans()):
        rebase = [int(draw(st.integers(14, len(data) - 12)))]
    return chart, data, n, rebase


@SETTINGS
@given(case=phased(("xmr", "run", "c", "mr", "g", "t", "p", "pp", "u", "up")))
def test_limits_are_ordered_and_in_range(case):
    chart, data, n, rebase = case
    t = spc(data, "value", "seq", n, chart=chart, rebase=rebase).table
    tol = 1e-9 * scale_of(t)
    assert t["cl"].notna().all()
    if chart != "run":
        assert t[["lcl", "ucl"]].notna().all(axis=None)
        assert (t["lcl"] <= t["cl"] + tol).all() and (t["cl"] <= t["ucl"] + tol).all()
    if chart in ("p", "pp"):
        assert ((t["lcl"] >= 0) & (t["ucl"] <= 1)).all()
    if chart in ("u", "up", "c", "g", "mr", "t"):
        assert (t["lcl"] >= 0).all()
    if chart in ("xmr", "run", "c"):  # centre line within the range of its phase's values
        for _, part in t.groupby("phase"):
            assert part["y"].min() - tol <= part["cl"].iloc[0] <= part["y"].max() + tol


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
    t = spc(data, "value", "subgroup", chart=chart).table
    tol = 1e-9 * scale_of(t)
    assert len(t) == data["subgroup"].nunique()
    assert (t["lcl"] <= t["cl"] + tol).all() and (t["cl"] <= t["ucl"] + tol).all()
    if chart == "s":
        assert (t["lcl"] >= 0).all()


@pytest.mark.parametrize("screen", [True, False])
@pytest.mark.parametrize("chart", ["xmr", "t"])
def test_a_constant_series_has_zero_width_limits(chart, screen):
    # Regression: with screening every moving range (all 0) was ">= 3.267 x 0" and dropped, leaving
    # no limits at all; unscreened gave the right answer, limits equal to the centre line.
    t = spc(frame([5.0] * 15), "value", "seq", chart=chart, screen_mr=screen).table
    np.testing.assert_allclose(t[["lcl", "ucl"]].to_numpy(), 5.0, rtol=1e-12)
    assert not t["special_cause"].any()


@pytest.mark.parametrize("events", [0.0, 5.0, 10.0])
@pytest.mark.parametrize("chart", ["pp", "up"])
def test_a_constant_proportion_has_laney_limits(chart, events):
    # Regression: every z-score 0 (or 0/0 when the centre line is 0 or 1) left no limits.
    t = spc(frame([events] * 15, den=[10.0] * 15), "value", "seq", "den", chart=chart).table
    np.testing.assert_allclose(t[["lcl", "ucl"]].to_numpy(), events / 10, rtol=1e-12)
    assert not t["special_cause"].any()


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


def _check_gap_rows(t, gaps, chart):
    assert len(t) > max(gaps)
    rows = t.loc[gaps]
    assert rows["y"].isna().all()
    assert rows["cl"].notna().all()
    if chart != "run":
        assert rows[["lcl", "ucl"]].notna().all(axis=None)
    assert not rows["special_cause"].any()
    assert rows["point_type"].isna().all() and rows["rule"].isna().all()


@SETTINGS
@given(case=with_gaps())
def test_a_missing_value_keeps_its_row_and_never_signals(case):
    chart, data, n, gaps = case
    with warnings.catch_warnings():
        if chart == "mr":  # a gap costs an MR chart two moving ranges: fewer than 13 is fine here
            warnings.filterwarnings("ignore", message=".*trial limits", category=UserWarning)
        t = spc(data, "value", "seq", n, chart=chart).table
    assert len(t) == len(data)
    _check_gap_rows(t, gaps, chart)
    valued = t["y"].notna()
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
    t = spc(data, "value", "seq", "den", chart=chart).table
    assert (t["cl"] == 1.0).all()
    assert not t["special_cause"].any()


@SETTINGS
@given(before=grid_values(min_size=8, max_size=15, low=-20, high=20), start=st.integers(-10, 10),
       steps=st.lists(st.integers(1, 8), min_size=7, max_size=7), gap=st.integers(1, 6),
       after=grid_values(min_size=8, max_size=15, low=-20, high=20))
def test_a_missing_value_inside_a_rising_run_does_not_break_it(before, start, steps, gap, after):
    rise = list(np.cumsum([start, *steps]) / 4)  # 8 strictly rising points
    rise[gap] = np.nan  # 7 left, still rising once the gap is skipped
    values = [*before, rise[0] + 100, *rise, rise[-1] - 100, *after]
    at = len(before) + 1
    t = spc(frame(values), "value", "seq").table
    _check_gap_rows(t, [at + gap], "xmr")
    run = t.iloc[at:at + 8].drop(index=at + gap)
    assert run["special_cause"].all()
    assert run["rule"].isin(["above_ucl", "trend_up"]).all()


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
    side = np.sign(t["y"] - t["cl"]).to_numpy()
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
       trend=st.integers(5, 8), improvement=st.sampled_from(["increase", "decrease", "neutral"]))
def test_runs_and_trends_signal_exactly_where_they_are(values, shift, trend, improvement):
    t = spc(frame(values), "value", "seq", shift=shift, trend=trend, improvement=improvement).table
    y, cl = t["y"].to_numpy(), t["cl"].to_numpy()
    side = np.sign(y - cl).astype(int)
    runs = _side_runs(side)
    rises, falls = _strict_runs(y, +1), _strict_runs(y, -1)
    in_pattern = (runs >= shift) | (rises >= trend) | (falls >= trend)
    # Every point in a pattern is special cause, whatever the direction (improvement wins ties).
    assert t.loc[in_pattern, "special_cause"].all()
    rule = t["rule"].fillna("")
    assert (rises[rule == "trend_up"] >= trend).all()
    assert (falls[rule == "trend_down"] >= trend).all()
    assert (runs[rule.str.startswith("shift")] >= shift).all()
    assert (side[rule == "shift_above"] > 0).all() and (side[rule == "shift_below"] < 0).all()
    beyond = (y > t["ucl"].to_numpy()) | (y < t["lcl"].to_numpy())
    assert t.loc[beyond, "special_cause"].all()
    # Without a limit breach or a pattern, only two-in-three can flag a point.
    lone = t["special_cause"].to_numpy() & ~in_pattern & ~beyond
    assert rule[lone].str.startswith("two_in_three").all()


# --- summary --------------------------------------------------------------------------------------


@st.composite
def messy(draw):
    """Several facets, sometimes a rebase, exclusions and missing values."""
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


@FEWER
@given(case=messy())
def test_summary_counts_are_consistent(case):
    chart, data, rebase, exclude = case
    n = "den" if chart in ("p", "u") else None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*trial limits", category=UserWarning)
        try:
            result = spc(data, "value", "seq", n, chart=chart, facet="unit", rebase=rebase,
                         exclude=exclude)
        except ValueError as err:
            # A phase with no two adjacent values has no limits: an error tested in test_spc_inputs.
            if "No process limits could be computed" not in str(err):
                raise
            reject()
    t, s = result.table, result.summary()
    rows = t.groupby(["facet", "phase"], sort=False).size()
    s = s.set_index(["facet", "phase"])
    assert list(s.index) == list(rows.index)
    assert ((s["n_points"] + s["n_excluded"]) == rows).all()
    missing = t["y"].isna().groupby([t["facet"], t["phase"]], sort=False).sum()
    assert (s["n_missing"] == missing).all()
    assert (s["n_special_cause"] == s["n_improvement"] + s["n_concern"] + s["n_neutral"]).all()
    has = s["n_useful"] > 0
    assert (s.loc[has, "longest_run"] <= s.loc[has, "n_useful"]).all()
    assert (s.loc[has, "crossings"] <= s.loc[has, "n_useful"] - 1).all()
    assert (s.loc[has, "longest_run"] >= 1).all()
    assert s.loc[~has, "longest_run"].isna().all()
    assert (s["n_useful"] <= s["n_points"]).all()
