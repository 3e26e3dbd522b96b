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

ON_LINE_RTOL = 1e-9  # "on the centre line" within floating-point error

# Rule labels, in the order of precedence used for the `rule` column (NHSRplotthedots' order).
HIGH_RULES = ("above_ucl", "trend_up", "two_in_three_above", "shift_above")
LOW_RULES = ("below_lcl", "trend_down", "two_in_three_below", "shift_below")
PRECEDENCE = ("above_ucl", "below_lcl", "trend_up", "trend_down",
              "two_in_three_above", "two_in_three_below", "shift_above", "shift_below")
RUN_CHART_RULES = {"shift_above": "long_run_above", "shift_below": "long_run_below"}


def side_of_line(y: np.ndarray, cl: np.ndarray) -> np.ndarray:
    """+1 above, -1 below, 0 on the centre line (within ON_LINE_RTOL relative) or missing."""
    diff = y - cl
    on_line = np.abs(diff) <= ON_LINE_RTOL * np.maximum(np.abs(cl), np.abs(y))
    side = np.sign(diff)
    side[on_line | np.isnan(diff)] = 0
    return side.astype(np.int8)


def _run_lengths(values: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Length of the run of equal consecutive values (within a segment) that each element belongs to."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.ones(values.size, dtype=bool)
    starts[1:] = (values[1:] != values[:-1]) | (seg[1:] != seg[:-1])
    run_id = np.cumsum(starts) - 1
    return np.bincount(run_id)[run_id]


def _trend_flags(y, seg, length, direction):
    """Points inside a run of >= length - 1 consecutive strict rises (direction +1) or falls (-1)."""
    m = y.size
    flags = np.zeros(m, dtype=bool)
    if m < 2 or length < 2:
        return flags
    step = (np.sign(np.diff(y)) == direction) & (seg[1:] == seg[:-1])
    qualifies = step & (_run_lengths(step, seg[1:]) >= length - 1)
    flags[1:] |= qualifies  # the point each qualifying step rises to
    flags[:-1] |= qualifies  # and the point it rises from
    return flags


def _two_in_three(near, side, seg, wanted):
    """Points near a limit on side ``wanted`` in a same-side window of 3 holding >= 2 such points."""
    m = near.size
    flags = np.zeros(m, dtype=bool)
    if m < 3:
        return flags
    w_same_seg = (seg[:-2] == seg[2:])
    w_side = (side[:-2] == wanted) & (side[1:-1] == wanted) & (side[2:] == wanted)
    w_near = near[:-2].astype(int) + near[1:-1] + near[2:]
    window = w_same_seg & w_side & (w_near >= 2)
    covered = np.zeros(m, dtype=bool)
    for offset in range(3):
        covered[offset:m - 2 + offset] |= window
    return covered & near


def _beyond(y, limit, direction):
    """Strictly beyond a limit (direction +1: above, -1: below) by more than floating-point error.

    A point on a limit is not outside it: without the tolerance a constant t chart, whose limits
    come back from y^(1/3.6) one unit in the last place below y, flagged every point.
    """
    with np.errstate(invalid="ignore"):
        return direction * (y - limit) > ON_LINE_RTOL * np.maximum(np.abs(y), np.abs(limit))


def mdc_rules(y, cl, lcl, ucl, seg, shift: int, trend: int) -> dict[str, np.ndarray]:
    """Boolean flags for each rule label, on arrays already free of missing values."""
    side = side_of_line(y, cl)
    above = _beyond(y, ucl, +1)
    below = _beyond(y, lcl, -1)
    with np.errstate(invalid="ignore"):
        near_high = ~above & (side > 0) & (y - cl > 2 / 3 * (ucl - cl))
        near_low = ~below & (side < 0) & (cl - y > 2 / 3 * (cl - lcl))
    long_run = (side != 0) & (_run_lengths(side, seg) >= shift)
    return {
        "above_ucl": above,
        "below_lcl": below,
        "trend_up": _trend_flags(y, seg, trend, +1),
        "trend_down": _trend_flags(y, seg, trend, -1),
        "two_in_three_above": _two_in_three(near_high, side, seg, +1),
        "two_in_three_below": _two_in_three(near_low, side, seg, -1),
        "shift_above": long_run & (side > 0),
        "shift_below": long_run & (side < 0),
    }


def anhoej(y, cl, seg, nseg) -> dict[str, np.ndarray]:
    """Runs analysis per segment, on points free of missing values.

    Returns per segment: n_useful, longest_run, longest_run_max, crossings, crossings_min, runs_signal;
    and per point: in_long_run (belongs to a run longer than longest_run_max).
    """
    from scipy.stats import binom  # imported on first use (scipy.stats is slow to import)

    side = side_of_line(y, cl)
    useful = side != 0
    us, sseg = side[useful], seg[useful]
    n_useful = np.bincount(sseg, minlength=nseg)
    run_len = _run_lengths(us, sseg)
    longest = np.zeros(nseg, dtype=np.int64)
    np.maximum.at(longest, sseg, run_len)
    changes = np.zeros(us.size, dtype=np.int64)
    if us.size > 1:
        changes[1:] = (us[1:] != us[:-1]) & (sseg[1:] == sseg[:-1])
    crossings = np.bincount(sseg, weights=changes, minlength=nseg).astype(np.int64)
    with np.errstate(divide="ignore"):
        longest_max = np.where(n_useful > 0, np.round(np.log2(np.maximum(n_useful, 1))) + 3, np.nan)
    crossings_min = np.where(n_useful > 0, binom.ppf(0.05, np.maximum(n_useful - 1, 0), 0.5), np.nan)
    has = n_useful > 0
    signal = has & ((longest > longest_max) | (crossings < crossings_min))
    in_long_run = np.zeros(y.size, dtype=bool)
    in_long_run[np.flatnonzero(useful)] = run_len > longest_max[sseg]
    return {
        "n_useful": n_useful,
        "longest_run": np.where(has, longest, -1),
        "longest_run_max": longest_max,
        "crossings": np.where(has, crossings, -1),
        "crossings_min": crossings_min,
        "runs_signal": signal,
        "in_long_run": in_long_run,
        "side": side,
    }
