"""Property tests of the SPC engine's fast paths against the plain definitions.

The engine (rules.py, limits.py, engine.py) computes run lengths, trends, sides of the centre line,
limits and period numbers with vectorised shortcuts (doubling windows, reduceat over blocks, scratch
arrays a block at a time, calendar look-ups). Each test here writes the definition out the obvious way,
with Python loops, and checks the shortcut gives exactly the same answer on drawn data: data with many
ties, short and one-point segments, values on and beside the thresholds.
"""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from equity_lib.inequality._common import distinct_rows
from equity_lib.process_control import limits, rules
from equity_lib.process_control.engine import _period_numbers

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=60)  # examples that build bigger arrays or call scipy per segment

# --- strategies -----------------------------------------------------------------------------------


@st.composite
def segmented(draw, elements, max_segments=6, max_length=15):
    """Values and a sorted segment id per value: segments of random lengths (1 point included)."""
    lengths = draw(st.lists(st.integers(1, max_length), min_size=1, max_size=max_segments))
    seg = np.repeat(np.arange(len(lengths)), lengths)
    values = draw(st.lists(elements, min_size=seg.size, max_size=seg.size))
    return values, seg, len(lengths)


@st.composite
def runs_of(draw, choices, max_runs=12, max_run=12):
    """Values made of runs of one value (so long runs and ties are common, not rare)."""
    pieces = draw(st.lists(st.tuples(st.sampled_from(choices), st.integers(1, max_run)),
                           min_size=0, max_size=max_runs))
    return [v for v, k in pieces for _ in range(k)]


@st.composite
def segments_for(draw, n, max_segments=6):
    """Sorted segment ids for n points: cut points drawn anywhere (segments of 1 point included)."""
    cuts = sorted(draw(st.sets(st.integers(1, max(n - 1, 1)), max_size=max_segments))) if n > 1 else []
    seg = np.zeros(n, dtype=np.int64)
    for c in cuts:
        seg[c:] += 1
    return seg


# --- references: the definitions, written out ---------------------------------------------------


def maximal_runs(same, start):
    """(first, last) of each maximal stretch where same(i - 1, i) holds for consecutive points that do
    not cross a segment start."""
    out, first = [], 0
    for i in range(1, len(start) + 1):
        if i == len(start) or start[i] or not same(i - 1, i):
            out.append((first, i - 1))
            first = i
    return out if len(start) else []


def ref_trend(y, start, length):
    up, down = np.zeros(len(y), dtype=bool), np.zeros(len(y), dtype=bool)
    for flags, step in ((up, lambda a, b: y[b] > y[a]), (down, lambda a, b: y[b] < y[a])):
        for first, last in maximal_runs(step, start):
            if last - first + 1 >= length:  # last - first strict steps in a row
                flags[first:last + 1] = True
    return up, down


def ref_in_long_run(values, start, at_least):
    out = np.zeros(len(values), dtype=bool)
    for first, last in maximal_runs(lambda a, b: values[a] == values[b], start):
        if last - first + 1 >= at_least:
            out[first:last + 1] = True
    return out


def ref_side_and_nearness(y, cl, lcl, ucl):
    side = np.zeros(len(y), dtype=np.int8)
    near_high, near_low = np.zeros(len(y), dtype=bool), np.zeros(len(y), dtype=bool)
    for i, (yi, ci, lo, hi) in enumerate(zip(y.tolist(), cl.tolist(), lcl.tolist(), ucl.tolist(),
                                             strict=True)):
        if yi != yi or ci != ci:  # NaN: on neither side, near neither limit
            continue
        tolerance = 1e-9 * max(abs(ci), abs(yi))
        side[i] = 1 if yi - ci > tolerance else -1 if yi - ci < -tolerance else 0
        near_high[i] = yi - ci > 2 / 3 * (hi - ci)  # False when the limit is NaN
        near_low[i] = ci - yi > 2 / 3 * (ci - lo)
    return side, near_high, near_low


def ref_anhoej(side, seg, nseg):
    side, seg = side.tolist(), seg.tolist()
    out = {"n_useful": [], "longest_run": [], "longest_run_max": [], "crossings": [],
           "crossings_min": [], "runs_signal": []}
    in_long_run = np.zeros(len(side), dtype=bool)
    for k in range(nseg):
        points = [i for i in range(len(side)) if seg[i] == k and side[i] != 0]
        n = len(points)
        out["n_useful"].append(n)
        if n == 0:
            for name, value in (("longest_run", -1), ("longest_run_max", np.nan), ("crossings", -1),
                                ("crossings_min", np.nan), ("runs_signal", False)):
                out[name].append(value)
            continue
        runs = [[points[0]]]  # the useful points' runs of one side (points on the line are skipped)
        for i in points[1:]:
            if side[i] == side[runs[-1][-1]]:
                runs[-1].append(i)
            else:
                runs.append([i])
        longest, crossings = max(len(r) for r in runs), len(runs) - 1
        longest_max = float(np.round(np.log2(n))) + 3  # numpy's round: half to even, as the engine
        crossings_min = float(binom.ppf(0.05, n - 1, 0.5))
        out["longest_run"].append(longest)
        out["longest_run_max"].append(longest_max)
        out["crossings"].append(crossings)
        out["crossings_min"].append(crossings_min)
        out["runs_signal"].append(longest > longest_max or crossings < crossings_min)
        for r in runs:
            if len(r) > longest_max:
                in_long_run[r] = True
    out = {name: np.array(v) for name, v in out.items()}
    out["in_long_run"] = in_long_run
    return out


def ref_xmr(y, seg, nseg, screen, factor):
    """Mean and (screened) mean moving range of each segment, by loops."""
    cl, amr = np.full(nseg, np.nan), np.full(nseg, np.nan)
    for k in range(nseg):
        v = [float(a) for a, s in zip(y, seg, strict=True) if s == k]
        if v:
            cl[k] = sum(v) / len(v)
        mr = [abs(b - a) for a, b in zip(v[:-1], v[1:], strict=True)]
        if mr:
            mean = sum(mr) / len(mr)
            if screen and mean != 0:
                kept = [m for m in mr if m < 3.267 * mean]
                mean = sum(kept) / len(kept) if kept else np.nan
            amr[k] = mean
    return cl[seg], cl[seg] - factor * amr[seg], cl[seg] + factor * amr[seg]


def ref_distinct_rows(keys):
    seen, code, first = {}, [], []
    for i, combination in enumerate(zip(*[np.asarray(k).tolist() for k in keys], strict=True)):
        if combination not in seen:
            seen[combination] = len(seen)
            first.append(i)
        code.append(seen[combination])
    return np.array(code, dtype=np.int64), np.array(first, dtype=np.int64)


# --- 1. trends ------------------------------------------------------------------------------------

def check_trends(y, seg, length):
    start = rules.segment_starts(seg)
    up, down = rules._trend_flags(y, start, length)
    want_up, want_down = ref_trend(y, start, length)
    np.testing.assert_array_equal(up, want_up)
    np.testing.assert_array_equal(down, want_down)


# Small integers: equal neighbours (which break a trend) are common.
@SETTINGS
@given(segmented(st.integers(0, 4), max_segments=5, max_length=20), st.integers(2, 8))
def test_trend_flags_match_runs_of_strict_steps(data, length):
    values, seg, _ = data
    check_trends(np.array(values, dtype=float), seg, length)


# Long monotone stretches (where the doubling windows matter) cut by segment starts at random places.
@SETTINGS
@given(st.lists(st.tuples(st.sampled_from([-1, 0, 1]), st.integers(1, 12)), min_size=1, max_size=8),
       st.data(), st.integers(2, 8))
def test_trend_flags_on_long_monotone_stretches(pieces, data, length):
    steps = [d for d, k in pieces for _ in range(k)]
    y = np.cumsum([0] + steps).astype(float)
    check_trends(y, data.draw(segments_for(y.size)), length)


# --- 2. long runs of equal values -----------------------------------------------------------------

@SETTINGS
@given(runs_of([-1, 0, 1, 5]), st.data(), st.integers(1, 8))
def test_in_long_run_matches_runs_of_equal_values(values, data, at_least):
    values = np.array(values, dtype=np.int8)
    seg = data.draw(segments_for(values.size))
    start = rules.segment_starts(seg)
    want = ref_in_long_run(values, start, at_least)
    np.testing.assert_array_equal(rules._in_long_run(values, start, at_least), want)
    # The runs passed in when already known give the same answer.
    runs = rules.equal_runs(values, start)
    np.testing.assert_array_equal(rules._in_long_run(values, start, at_least, runs=runs), want)
    # No segments at all: runs may go the whole length.
    one_segment = np.arange(values.size) == 0
    np.testing.assert_array_equal(rules._in_long_run(values, None, at_least),
                                  ref_in_long_run(values, one_segment, at_least))


# Floats with ties too (the engine passes sides, but the helper is general).
@SETTINGS
@given(segmented(st.sampled_from([0.0, 0.5, -2.25]), max_segments=4, max_length=12), st.integers(1, 6))
def test_in_long_run_of_floats(data, at_least):
    values, seg, _ = data
    values = np.array(values)
    start = rules.segment_starts(seg)
    want = ref_in_long_run(values, start, at_least)
    np.testing.assert_array_equal(rules._in_long_run(values, start, at_least), want)
    np.testing.assert_array_equal(
        rules._in_long_run(values, start, at_least, runs=rules.equal_runs(values, start)), want)


# --- 3. side of the centre line and nearness to the limits ----------------------------------------

@st.composite
def points_and_lines(draw, max_size=30):
    """y, cl, lcl, ucl: points on the centre line, within 1e-12 and 1e-9 relative of it, on the
    two-thirds lines, and missing values and missing limits."""
    n = draw(st.integers(0, max_size))
    grid = st.integers(-12, 12).map(lambda i: i / 4)
    cl = np.array(draw(st.lists(st.sampled_from([0.0, 1.0, -3.0, 1e6, 0.1, 2.0 / 3]), min_size=n,
                                max_size=n)))
    width = np.array(draw(st.lists(st.sampled_from([0.0, 1.5, 3.0, 0.75]), min_size=n, max_size=n)))
    kinds = draw(st.lists(st.sampled_from(["grid", "on", "near", "tol", "two_thirds", "nan"]),
                          min_size=n, max_size=n))
    y = np.empty(n)
    for i, kind in enumerate(kinds):
        if kind == "grid":
            y[i] = cl[i] + draw(grid)
        elif kind == "on":
            y[i] = cl[i]
        elif kind == "near":  # within 1e-12 relative: on the line
            y[i] = cl[i] * (1 + draw(st.sampled_from([-1e-12, 1e-12, 5e-13]))) + draw(
                st.sampled_from([0.0, 1e-13, -1e-13]))
        elif kind == "tol":  # either side of the 1e-9 relative tolerance
            y[i] = cl[i] + draw(st.sampled_from([-1, 1])) * abs(cl[i]) * draw(
                st.sampled_from([0.9e-9, 1e-9, 1.1e-9]))
        elif kind == "two_thirds":
            y[i] = cl[i] + draw(st.sampled_from([-1, 1])) * 2 / 3 * width[i]
        else:
            y[i] = np.nan
    missing_cl = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    cl = np.where(missing_cl & (np.arange(n) % 5 == 0), np.nan, cl)  # now and then no centre line
    no_limits = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    lcl = np.where(no_limits & (np.arange(n) % 3 == 0), np.nan, cl - width)
    ucl = np.where(no_limits & (np.arange(n) % 3 == 0), np.nan, cl + width)
    return y, cl, lcl, ucl


def check_side_and_nearness(y, cl, lcl, ucl):
    side, near_high, near_low = rules.side_and_nearness(y, cl, lcl, ucl)
    want_side, want_high, want_low = ref_side_and_nearness(y, cl, lcl, ucl)
    np.testing.assert_array_equal(side, want_side)
    np.testing.assert_array_equal(near_high, want_high)
    np.testing.assert_array_equal(near_low, want_low)
    # Without limits only the side is computed, and it is the same.
    np.testing.assert_array_equal(rules.side_and_nearness(y, cl)[0], want_side)
    np.testing.assert_array_equal(rules.side_of_line(y, cl), want_side)


@SETTINGS
@given(points_and_lines())
def test_side_and_nearness_match_definitions(arrays):
    check_side_and_nearness(*arrays)


def test_side_and_nearness_across_blocks():
    # More points than one block (2**18): the second, short block must be computed too.
    n = rules._BLOCK + 5
    rng = np.random.default_rng(20240601)
    cl = rng.integers(-3, 4, n).astype(float)
    width = rng.choice([0.0, 1.5, 3.0], n)
    y = cl + rng.integers(-12, 13, n) / 4
    # The awkward cases on both sides of the block boundary and in the short final block: on the line,
    # within 1e-12 relative of it, on the two-thirds lines, beyond them, missing y, limits and line.
    cl[rules._BLOCK - 6:] = [2.0, 2.0, -3.0, 0.5, 1.0, 1.0, 4.0, 4.0, 1e6, -3.0, 2.0]
    width[rules._BLOCK - 6:] = [3.0, 3.0, 1.5, 0.0, 3.0, 3.0, 3.0, 1.5, 3.0, 3.0, 3.0]
    y[rules._BLOCK - 6:] = [2.0, 4.0, -4.0, np.nan, 2.0 * (1 + 1e-12), 3.0, -1.0, 5.0, 1e6 - 1e-7,
                            -3.0, 4.5]
    lcl, ucl = cl - width, cl + width
    lcl[n - 2], ucl[n - 2] = np.nan, np.nan
    cl[n - 1] = np.nan
    check_side_and_nearness(y, cl, lcl, ucl)
    # The short final block holds points above, below and on the line (the check is not vacuous there).
    assert set(rules.side_of_line(y, cl)[rules._BLOCK:].tolist()) == {-1, 0, 1}


# --- 4. Anhoej runs analysis ----------------------------------------------------------------------

@FEWER
@given(runs_of([-1, 0, 1, 1, -1], max_runs=14, max_run=10), st.data())
def test_anhoej_matches_runs_analysis_per_segment(side, data):
    side = np.array(side, dtype=np.int8)
    seg = data.draw(segments_for(side.size))
    # Now and then segments with no point at all (ids skipped, or after the last point).
    extra = data.draw(st.integers(0, 2))
    seg = seg * (1 + extra)
    nseg = (int(seg.max()) + 1 if seg.size else 0) + extra
    got = rules.anhoej(side, seg, nseg)
    want = ref_anhoej(side, seg, nseg)
    assert set(got) == set(want)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)


# With every point useful the runs of the sides may be passed in; the answer is the same.
@FEWER
@given(runs_of([-1, 1], max_runs=14, max_run=10).filter(len), st.data())
def test_anhoej_with_known_side_runs(side, data):
    side = np.array(side, dtype=np.int8)
    seg = data.draw(segments_for(side.size))
    nseg = int(seg.max()) + 1
    runs = rules.equal_runs(side, rules.segment_starts(seg))
    got = rules.anhoej(side, seg, nseg, side_runs=runs)
    want = ref_anhoej(side, seg, nseg)
    for name in want:
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)


# --- 5. XmR limits: the every-point fast path -----------------------------------------------------

@st.composite
def xmr_series(draw):
    """Segments of 1 to 12 points; some constant (every moving range 0), some with an outlying jump
    (which screening drops)."""
    kinds = draw(st.lists(st.sampled_from(["any", "constant", "jump", "grid"]), min_size=1, max_size=6))
    values, seg = [], []
    for k, kind in enumerate(kinds):
        n = draw(st.integers(1, 12))
        if kind == "constant":
            v = [draw(st.floats(-1e3, 1e3, allow_nan=False))] * n
        elif kind == "grid":
            v = [i / 4 for i in draw(st.lists(st.integers(-40, 40), min_size=n, max_size=n))]
        else:
            v = draw(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=n, max_size=n))
            if kind == "jump" and n > 2:
                v[n // 2] += 1e5
        values += v
        seg += [k] * n
    return np.array(values, dtype=float), np.array(seg, dtype=np.int64), len(kinds)


@SETTINGS
@given(xmr_series(), st.booleans(), st.sampled_from([limits.MDC_E2, limits.QIC_E2]))
def test_xmr_every_point_matches_general_definition(series, screen, factor):
    y, seg, nseg = series
    base = np.ones(y.size, dtype=bool)
    got = limits.xmr(y, seg, nseg, base, screen, factor)
    cl = limits.segment_mean(y, seg, nseg, base)
    amr = limits.mean_moving_range(y, seg, nseg, base, screen)
    general = (cl[seg], cl[seg] - factor * amr[seg], cl[seg] + factor * amr[seg])
    by_loops = ref_xmr(y, seg, nseg, screen, factor)
    for name, g, want, loop in zip(("cl", "lcl", "ucl"), got, general, by_loops, strict=True):
        # NaN in the same places (one-point segments: no moving range), equal to 1e-12 elsewhere
        np.testing.assert_allclose(g, want, rtol=1e-12, atol=0, equal_nan=True, err_msg=name)
        # and the loops' sums (another order of addition: a small absolute slack where a mean is ~0)
        np.testing.assert_allclose(g, loop, rtol=1e-12, atol=1e-9, equal_nan=True, err_msg=name)


def test_xmr_every_point_with_no_variation_and_single_points():
    # A constant segment (every moving range 0: screening keeps them, limits equal the centre line), a
    # one-point segment (no moving range: NaN limits) and an ordinary one with a screened jump.
    y = np.array([4.0, 4.0, 4.0, 4.0, 7.5, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 50.0, 1.0])
    seg = np.array([0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    base = np.ones(y.size, dtype=bool)
    for screen in (True, False):
        cl, lcl, ucl = limits.xmr(y, seg, 3, base, screen, 2.66)
        np.testing.assert_array_equal(cl[:5], [4.0, 4.0, 4.0, 4.0, 7.5])
        np.testing.assert_array_equal(lcl[:4], 4.0)
        np.testing.assert_array_equal(ucl[:4], 4.0)
        assert np.isnan(lcl[4]) and np.isnan(ucl[4])
        mean = limits.segment_mean(y, seg, 3, base)
        amr = limits.mean_moving_range(y, seg, 3, base, screen)
        np.testing.assert_allclose(ucl, mean[seg] + 2.66 * amr[seg], rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(lcl, mean[seg] - 2.66 * amr[seg], rtol=1e-12, equal_nan=True)
    # Segment 2's moving ranges: six of 1, then 49 and 49; mean 13, cut-off 3.267 x 13 = 42.5:
    # screened mean 1, unscreened 13.
    cl, lcl, ucl = limits.xmr(y, seg, 3, base, True, 2.66)
    np.testing.assert_allclose(ucl[5] - cl[5], 2.66 * 1.0, rtol=1e-12)
    cl, lcl, ucl = limits.xmr(y, seg, 3, base, False, 2.66)
    np.testing.assert_allclose(ucl[5] - cl[5], 2.66 * 13.0, rtol=1e-12)


# --- 6. period numbers of dates -------------------------------------------------------------------

EPOCH = pd.Timestamp("1970-01-01")
UNITS = st.sampled_from(["us", "ns", "s", "D"])


def ref_periods(x):
    """The period numbering from pandas' date fields, in the engine's order of precedence."""
    idx = pd.DatetimeIndex(x)
    if (idx != idx.normalize()).any():
        return None
    days = np.asarray((idx - EPOCH).days, dtype=np.int64)
    if (idx.day == 1).all():
        return np.asarray(idx.year, dtype=np.int64) * 12 + np.asarray(idx.month, dtype=np.int64) - 1, \
            "month", True
    weekday = np.asarray(idx.day_of_week)
    if (weekday == weekday[0]).all():
        return days // 7, "week", True
    if (weekday < 5).all():
        # the place of each date among all Monday-to-Friday dates from 1970-01-01
        working = pd.bdate_range(EPOCH, idx.max())
        return np.asarray(working.searchsorted(idx), dtype=np.int64), "working day", True
    return days, "day", False


def check_periods(dates, unit):
    x = np.array(dates, dtype="datetime64[D]").astype(f"datetime64[{unit}]")
    work = {"calendar": x, "kind": "datetime", "x": x}
    got, want = _period_numbers(work), ref_periods(x)
    if want is None:
        assert got is None
        return
    assert got is not None
    assert got[1:] == want[1:]
    np.testing.assert_array_equal(np.asarray(got[0]), want[0])
    assert np.asarray(got[0]).dtype == np.int64


def month_starts(years):
    return st.tuples(years, st.integers(1, 12)).map(lambda ym: np.datetime64(f"{ym[0]:04d}-{ym[1]:02d}-01"))


@SETTINGS
@given(st.one_of(
    st.lists(month_starts(st.integers(1990, 2040)), min_size=1, max_size=30),  # span of years
    st.integers(1990, 2039).flatmap(  # within a year or so: the look-up table branch
        lambda year: st.lists(month_starts(st.sampled_from([year, year + 1])), min_size=1, max_size=30)),
), UNITS)
def test_period_numbers_of_month_starts(dates, unit):
    check_periods(dates, unit)


DAYS = st.integers(int((pd.Timestamp("1990-01-01") - EPOCH).days),
                   int((pd.Timestamp("2040-12-31") - EPOCH).days))


def as_dates(days):
    return [np.datetime64(int(d), "D") for d in days]


@SETTINGS
@given(st.integers(0, 6), st.lists(DAYS, min_size=1, max_size=30), UNITS)
def test_period_numbers_of_one_weekday(weekday, days, unit):
    # Move each day to the given weekday (Monday 0; 1970-01-01, day 0, was a Thursday).
    days = [d - (d + 3) % 7 + weekday for d in days]
    check_periods(as_dates(days), unit)


@SETTINGS
@given(st.lists(DAYS, min_size=1, max_size=30), UNITS)
def test_period_numbers_of_working_days_and_other_days(days, unit):
    # Any dates (mostly several weekdays: "day") and the same dates moved off the weekend ("working day").
    check_periods(as_dates(days), unit)
    working = [d - max((d + 3) % 7 - 4, 0) for d in days]  # Saturday and Sunday back to Friday
    check_periods(as_dates(working), unit)


@SETTINGS
@given(st.lists(month_starts(st.integers(1990, 2040)), min_size=1, max_size=20), st.data(),
       st.sampled_from(["us", "ns", "s"]))
def test_period_numbers_none_with_a_time_of_day(dates, data, unit):
    x = np.array(dates).astype(f"datetime64[{unit}]")
    at = data.draw(st.integers(0, x.size - 1))
    per_day = int(np.timedelta64(1, "D") // np.timedelta64(1, unit))
    x[at] += np.timedelta64(data.draw(st.integers(1, per_day - 1)), unit)
    assert ref_periods(x) is None  # the reference agrees the column is not whole days
    assert _period_numbers({"calendar": x, "kind": "datetime", "x": x}) is None


def test_period_numbers_of_many_month_starts_over_fifty_years():
    # More points than days spanned: the look-up table over the whole span, dates unsorted.
    rng = np.random.default_rng(7)
    months = rng.integers(0, 51 * 12, 20_000)
    x = (np.datetime64("1990-01", "M") + months).astype("datetime64[D]").astype("datetime64[us]")
    got = _period_numbers({"calendar": x, "kind": "datetime", "x": x})
    idx = pd.DatetimeIndex(x)
    assert got[1:] == ("month", True)
    np.testing.assert_array_equal(got[0], np.asarray(idx.year, dtype=np.int64) * 12 + idx.month - 1)


# --- 7. distinct rows -----------------------------------------------------------------------------

KEY_KINDS = {
    "small": (st.integers(0, 3), np.int64),  # small whole numbers: used as codes directly
    "wide_small": (st.sampled_from([0, 2**16 - 1, 5]), np.int64),  # the largest still used directly
    "large": (st.sampled_from([2**16, 2**40, 2**62, 2**62 - 1, 0]), np.int64),
    "negative": (st.integers(-3, 2), np.int64),
    "unsigned": (st.integers(0, 5), np.uint8),
    "float": (st.sampled_from([0.0, 1.5, -2.25, 1e300, 0.1]), np.float64),
    "text": (st.sampled_from(["a", "b", "", "a b", "\u00e9"]), object),
}


@st.composite
def key_columns(draw):
    n = draw(st.integers(0, 40))
    kinds = draw(st.lists(st.sampled_from(sorted(KEY_KINDS)), min_size=1, max_size=6))
    keys = []
    for kind in kinds:
        element, dtype = KEY_KINDS[kind]
        keys.append(np.array(draw(st.lists(element, min_size=n, max_size=n)), dtype=dtype))
    return keys


@SETTINGS
@given(key_columns())
def test_distinct_rows_match_first_appearance(keys):
    code, first = distinct_rows(keys)
    want_code, want_first = ref_distinct_rows(keys)
    np.testing.assert_array_equal(code, want_code)
    np.testing.assert_array_equal(first, want_first)


# Many keys of large small-number ranges: the combined code would pass 2**62 without renumbering.
@FEWER
@given(st.integers(1, 30).flatmap(lambda n: st.lists(
    st.lists(st.sampled_from([0, 1, 2**16 - 1, 2**15]), min_size=n, max_size=n), min_size=4, max_size=8)))
def test_distinct_rows_with_many_wide_keys(columns):
    keys = [np.array(c, dtype=np.int64) for c in columns]
    code, first = distinct_rows(keys)
    want_code, want_first = ref_distinct_rows(keys)
    np.testing.assert_array_equal(code, want_code)
    np.testing.assert_array_equal(first, want_first)
