"""Rules that tell special cause from common cause, applied to many series at once.

Making Data Count rules (NHS England, *Making Data Count: strengthening your decisions*, 2019; as
NHSRplotthedots 0.2.2 implements them), each within one phase of one series:

* a point strictly outside a process limit;
* a shift: ``shift`` (default 7) or more consecutive points on the same side of the centre line; a point
  on the centre line breaks the run;
* a trend: ``trend`` (default 7) or more consecutive points each strictly higher (lower) than the one
  before; equal neighbours break it;
* two in three: in a window of three consecutive points all on one side of the centre line, at least two
  are beyond two-thirds of the distance to that side's limit but not outside it; those points are flagged.

Missing values are skipped: the points on either side are treated as consecutive (as qicharts2's runs
analysis does), so a gap never stops or hides a pattern.

Anhoej runs analysis (Anhoej & Olesen 2014, *PLoS ONE* 9(11): e113825; Schilling 2012; Chen 2010), the
run-chart rules, also reported for every chart around its own centre line as qicharts2 does: with n
useful points (not missing, not on the centre line) the longest run is unusually long when it exceeds
round(log2(n)) + 3, and there are unusually few crossings when fewer than qbinom(0.05, n - 1, 0.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ON_LINE_RTOL = 1e-9  # "on the centre line" within floating-point error
_BLOCK = 2**18  # points per block where a step needs scratch arrays

# Rule labels, in the order of precedence used for the `rule` column (NHSRplotthedots' order).
HIGH_RULES = ("above_ucl", "trend_up", "two_in_three_above", "shift_above")
LOW_RULES = ("below_lcl", "trend_down", "two_in_three_below", "shift_below")
PRECEDENCE = ("above_ucl", "below_lcl", "trend_up", "trend_down",
              "two_in_three_above", "two_in_three_below", "shift_above", "shift_below")
RUN_CHART_RULES = {"shift_above": "long_run_above", "shift_below": "long_run_below"}


def side_of_line(y: np.ndarray, cl: np.ndarray) -> np.ndarray:
    """+1 above, -1 below, 0 on the centre line (within ON_LINE_RTOL relative) or missing."""
    return side_and_nearness(y, cl)[0]


def side_and_nearness(y, cl, lcl=None, ucl=None):
    """Each point's side of the centre line (as :func:`side_of_line`) and, given the limits, whether it
    is beyond two-thirds of the way to the upper limit (y - cl > 2/3 (ucl - cl)) and to the lower
    (cl - y > 2/3 (cl - lcl)).

    A block of points at a time: a national table's arrays are tens of megabytes, and y - cl is only a
    step to these small ones.
    """
    m = y.size
    side = np.empty(m, dtype=np.int8)
    near_high, near_low = np.zeros(m, dtype=bool), np.zeros(m, dtype=bool)
    with np.errstate(invalid="ignore"):
        for lo in range(0, m, _BLOCK):
            at = slice(lo, lo + _BLOCK)
            yb, cb = y[at], cl[at]
            diff = yb - cb
            tolerance = np.maximum(np.abs(cb), np.abs(yb))
            tolerance *= ON_LINE_RTOL
            # a NaN is on neither side: side 0
            np.subtract((diff > tolerance).view(np.int8), (diff < -tolerance).view(np.int8), out=side[at])
            if ucl is None:
                continue
            two_thirds = ucl[at] - cb
            two_thirds *= 2 / 3
            np.greater(diff, two_thirds, out=near_high[at])
            np.subtract(cb, lcl[at], out=two_thirds)
            two_thirds *= -2 / 3
            np.less(diff, two_thirds, out=near_low[at])  # -(cl - y) < -t: negation is exact
    return side, near_high, near_low


def segment_starts(seg: np.ndarray) -> np.ndarray:
    """True at the first element of each segment (``seg`` sorted, as every array here is)."""
    start = np.empty(seg.size, dtype=bool)
    if seg.size:
        start[0] = True
        np.not_equal(seg[1:], seg[:-1], out=start[1:])
    return start


def equal_runs(values: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Runs of equal consecutive values that do not cross a segment start: first index and length."""
    m = values.size
    breaks = np.empty(m, dtype=bool)
    if m:
        breaks[0] = True
        np.not_equal(values[1:], values[:-1], out=breaks[1:])
    if start is not None:
        breaks |= start
    first = np.flatnonzero(breaks)
    if m < 2**31:  # half the memory for the million runs of a national table
        first = first.astype(np.int32)
    return first, np.diff(first, append=first.dtype.type(m))


def _mark_runs(m: int, first: np.ndarray, length: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """A boolean array of m elements, true inside the chosen runs (few: no per-run repeat of all)."""
    out = np.zeros(m, dtype=bool)
    starts, lengths = first[chosen], length[chosen]
    if lengths.size:
        # positions start, start + 1, ..., start + length - 1 of each chosen run
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        out[np.repeat(starts, lengths) + offsets] = True
    return out


def _in_long_run(values: np.ndarray, start: np.ndarray | None, at_least: int, runs=None) -> np.ndarray:
    """Whether each element is in a run of ``at_least`` or more equal consecutive values (within a
    segment); ``runs`` is ``equal_runs(values, start)`` when already known."""
    first, length = equal_runs(values, start) if runs is None else runs
    return _mark_runs(values.size, first, length, length >= at_least)


def _window(a: np.ndarray, width: int, combine) -> np.ndarray:
    """``combine`` (np.logical_and or np.logical_or) of every ``width`` consecutive elements of a
    boolean array: element i covers a[i:i + width]. Doubling windows, so about log2(width) passes."""
    out, have = a, 1
    while have < width:
        step = min(have, width - have)  # windows of `have` overlapping by at most `have` stay contiguous
        out = combine(out[:-step], out[step:])
        have += step
    return out


def _trend_flags(y, start, length):
    """Points inside a run of >= length - 1 consecutive strict rises, and of strict falls.

    A step into a new segment is neither, so no run crosses a segment start. A point is flagged when
    some window of length - 1 consecutive rising (falling) steps ends or starts at it or spans it.
    """
    m = y.size
    if m < length or length < 2:
        return np.zeros(m, dtype=bool), np.zeros(m, dtype=bool)
    rises, falls = y[1:] > y[:-1], y[1:] < y[:-1]  # the sign of each step, with no array of steps
    into_new = np.flatnonzero(start[1:])
    flags = []
    for steps in (rises, falls):
        steps[into_new] = False
        runs = _window(steps, length - 1, np.logical_and)  # runs[i]: steps i .. i + length - 2
        # Each such window covers points i .. i + length - 1: spread it over them.
        padded = np.zeros(m + length - 1, dtype=bool)
        padded[length - 1:length - 1 + runs.size] = runs
        flags.append(_window(padded, length, np.logical_or))
    return flags[0], flags[1]


def _two_in_three(near, side, start, wanted):
    """Points near a limit on side ``wanted`` in a same-side window of 3 holding >= 2 such points."""
    m = near.size
    flags = np.zeros(m, dtype=bool)
    if m < 3:
        return flags
    on_side = side == wanted
    window = ~start[1:-1] & ~start[2:] & on_side[:-2] & on_side[1:-1] & on_side[2:]
    window &= (near[:-2].view(np.int8) + near[1:-1].view(np.int8) + near[2:].view(np.int8)) >= 2
    for offset in range(3):
        flags[offset:m - 2 + offset] |= window
    return flags & near


def _beyond(y, limit, direction):
    """Strictly beyond a limit (direction +1: above, -1: below) by more than floating-point error.

    A point on a limit is not outside it: without the tolerance a constant t chart, whose limits
    come back from y^(1/3.6) one unit in the last place below y, flagged every point.
    """
    with np.errstate(invalid="ignore"):
        out = y > limit if direction > 0 else y < limit
        at = np.flatnonzero(out)  # few points are outside: the tolerance is checked on those only
        ya, la = y[at], limit[at]
        out[at] = direction * (ya - la) > ON_LINE_RTOL * np.maximum(np.abs(ya), np.abs(la))
    return out


def mdc_rules(y, cl, lcl, ucl, side, start, shift: int, trend: int, side_runs=None,
              near=None) -> dict[str, np.ndarray]:
    """Boolean flags for each rule label, on arrays already free of missing values.

    ``side`` is :func:`side_of_line` of ``y`` and ``cl``; ``start`` marks each segment's first point;
    ``side_runs`` is ``equal_runs(side, start)`` and ``near`` the near_high and near_low of
    :func:`side_and_nearness` when already known.
    """
    above = _beyond(y, ucl, +1)
    below = _beyond(y, lcl, -1)
    near_high, near_low = side_and_nearness(y, cl, lcl, ucl)[1:] if near is None else near
    near_high = near_high & ~above & (side > 0)
    near_low = near_low & ~below & (side < 0)
    long_run = (side != 0) & _in_long_run(side, start, shift, side_runs)
    trend_up, trend_down = _trend_flags(y, start, trend)
    return {
        "above_ucl": above,
        "below_lcl": below,
        "trend_up": trend_up,
        "trend_down": trend_down,
        "two_in_three_above": _two_in_three(near_high, side, start, +1),
        "two_in_three_below": _two_in_three(near_low, side, start, -1),
        "shift_above": long_run & (side > 0),
        "shift_below": long_run & (side < 0),
    }


def anhoej(side, seg, nseg, side_runs=None) -> dict[str, np.ndarray]:
    """Runs analysis per segment, from the side of the centre line of points free of missing values.

    Returns per segment: n_useful, longest_run, longest_run_max, crossings, crossings_min, runs_signal;
    and per point: in_long_run (belongs to a run longer than longest_run_max). ``side_runs``:
    ``equal_runs(side, segment_starts(seg))`` when already known (used only when no point is on the line).
    """
    from scipy.stats import binom  # imported on first use (scipy.stats is slow to import)

    useful = side != 0
    all_useful = bool(useful.all())
    us, sseg = (side, seg) if all_useful else (side[useful], seg[useful])
    seg_first = np.flatnonzero(segment_starts(sseg))
    present = sseg[seg_first]  # the segments with a useful point, in order
    n_useful = np.zeros(nseg, dtype=np.int64)
    n_useful[present] = np.diff(seg_first, append=us.size)
    # Runs of one side within a segment (runs are in segment order): a segment with r runs has r - 1
    # crossings, and its longest run is the largest of its runs' lengths.
    if all_useful and side_runs is not None:
        first, length = side_runs
    else:
        first, length = equal_runs(us, segment_starts(sseg))
    run_at = np.searchsorted(first, seg_first)  # each segment's first run
    runs_per_seg = np.zeros(nseg, dtype=np.int64)
    runs_per_seg[present] = np.diff(run_at, append=first.size)
    longest = np.zeros(nseg, dtype=np.int64)
    if first.size:
        longest[present] = np.maximum.reduceat(length, run_at)
    has = n_useful > 0
    crossings = np.maximum(runs_per_seg - 1, 0)
    with np.errstate(divide="ignore"):
        longest_max = np.where(has, np.round(np.log2(np.maximum(n_useful, 1))) + 3, np.nan)
    # qbinom(0.05, n - 1, 0.5) once per distinct n (segments share few lengths)
    which, lengths = pd.factorize(n_useful)
    crossings_min = np.where(has, binom.ppf(0.05, np.maximum(lengths - 1, 0), 0.5)[which], np.nan)
    signal = has & ((longest > longest_max) | (crossings < crossings_min))
    run_limit = np.repeat(longest_max[present], runs_per_seg[present])
    long_run = _mark_runs(us.size, first, length, length > run_limit)
    if all_useful:
        in_long_run = long_run
    else:
        in_long_run = np.zeros(side.size, dtype=bool)
        in_long_run[useful] = long_run
    return {
        "n_useful": n_useful,
        "longest_run": np.where(has, longest, -1),
        "longest_run_max": longest_max,
        "crossings": np.where(has, crossings, -1),
        "crossings_min": crossings_min,
        "runs_signal": signal,
        "in_long_run": in_long_run,
    }
