"""Centre lines and process limits for each chart type, computed for many series at once.

Every function works on arrays sorted by series and time, with ``seg`` the integer id (0..k-1) of each
point's segment (one facet's one phase) and ``base`` the points that set the limits (in the phase's
freeze window, not excluded; a missing value is carried as NaN and skipped where a formula needs a
value). Formulas and sources:

* XmR / I chart (Wheeler, *Understanding Variation*; NHS England, *Making Data Count*, 2019):
  CL = mean(y); limits = CL +/- E2 x mean moving range, E2 = 2.66 (MDC, NHSRplotthedots 0.2.2) or
  3 / d2 = 3 / 1.128 (Montgomery, *Introduction to Statistical Quality Control*, 6.33; qicharts2).
  Moving ranges are ``|y_i - y_(i-1)|`` between consecutive baseline points; a missing value leaves the
  two moving ranges beside it missing. Screening (Provost & Murray, *The Health Care Data Guide*,
  p. 156): moving ranges >= 3.267 x the mean moving range are dropped and the mean recomputed once.
* MR chart: CL = mean moving range; UCL = D4 x CL with D4 = 3.267; LCL = 0 (no screening).
* p chart: CL = sum(num) / sum(den); limits = CL +/- 3 sqrt(CL (1 - CL) / n_i), clipped to [0, 1]
  (Montgomery 7.8). u chart: CL = sum(num) / sum(den); limits = CL +/- 3 sqrt(CL / n_i), LCL >= 0
  (Montgomery 7.19). The sums run over points with a numerator: a missing numerator's denominator is
  left out too (qicharts2 0.8.1 keeps it, pulling the centre line towards 0).
* p' and u' (Laney 2002, *Quality Engineering* 14(4):531-7): z_i = (y_i - CL) / sigma_i; sigma_z =
  mean moving range of z / 1.128 (screened as above); limits = CL +/- 3 sigma_i sigma_z.
* c chart: CL = mean(y); limits = CL +/- 3 sqrt(CL), LCL >= 0 (Montgomery 7.17).
* g chart (Benneyan 2001; Montgomery p. 319): limits from the mean gbar: gbar +/- 3 sqrt(gbar (gbar + 1)),
  LCL >= 0; the centre line drawn is the median of the points that set the limits (``base``: freeze
  and exclude apply to it as to gbar, as in qicharts2 0.8.1), and the runs analysis is around it.
* t chart (Nelson 1994, *Journal of Quality Technology* 26(3)): an I chart (3 / 1.128) of y^(1/3.6),
  back-transformed with ^3.6; a negative lower limit becomes 0; y must be > 0.
* Xbar and S charts (Montgomery 6.29-6.31): CL(xbar) = sum(n_i xbar_i) / sum(n_i); s_bar = mean(s_i) of
  the baseline subgroups when every subgroup of the phase has the same size, else the pooled
  sqrt(sum((n_i - 1) s_i^2) / sum(n_i - 1)) over the baseline subgroups. As in qicharts2 0.8.1, "every
  subgroup of the phase" includes those after the freeze and excluded ones: frozen subgroups of 5
  followed by subgroups of 4 are pooled, not averaged (a subgroup with no measurement has no size; a
  subgroup of 1 has a size but no SD). Limits xbar: CL +/- A3(n_i) s_bar; S: CL = s_bar, limits
  B3(n_i) s_bar, B4(n_i) s_bar, with the exact constants c4(n) = sqrt(2 / (n - 1)) Gamma(n / 2) /
  Gamma((n - 1) / 2), A3 = 3 / (c4 sqrt(n)), B3 = max(0, 1 - 3 sqrt(1 - c4^2) / c4),
  B4 = 1 + 3 sqrt(1 - c4^2) / c4. Subgroup means and SDs are computed about one of the subgroup's own
  values (a shifted two-pass sum), so a subgroup of equal measurements has exactly that mean and an SD
  of exactly 0.
* Run chart: CL = median; no limits.

Phases without limits (decided in ``engine._phase_notes``; qicharts2 0.8.1 likewise returns such a
phase with no limits and charts the rest): a phase where no point sets the limits (all missing or
excluded), where an XmR, t, MR, p' or u' chart has one point or no two consecutive values (no moving
range: we follow qicharts2 and draw no limits, rather than take differences of non-adjacent points),
or where no xbar/s subgroup has two measurements, gets no limits; so does a phase with no variation,
whose limits would have zero width (every value equal, every moving range 0, or a count chart's centre
line of 0): both peers' XmR charts give none there, and a band of zero width would call any later
point (after a freeze) "outside". The centre line is kept where it exists; the warning and
``summary()``'s ``note`` say why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

D2 = 1.128  # bias correction of the moving range of two (Montgomery, Appendix VI)
D4 = 3.267  # upper limit factor of the moving range of two
MDC_E2 = 2.66  # 3 / d2 rounded, as in the Making Data Count tool and NHSRplotthedots
QIC_E2 = 3 / D2
T_POWER = 3.6  # Nelson's transformation for the t chart


def _kept(values: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """The points to use (in mask, with a value), or None when that is every point."""
    keep = ~np.isnan(values)
    keep &= mask
    return None if keep.all() else keep


def _blocks(seg: np.ndarray, nseg: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each segment's block starts, and which segment it is (``seg`` is sorted)."""
    if seg.size == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=seg.dtype)
    starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
    return starts, seg[starts]


def block_sums(values: np.ndarray, seg: np.ndarray, nseg: int, dtype=np.float64) -> np.ndarray:
    """Per segment, the sum of values: one reduceat over the sorted blocks (a weighted bincount is
    four times slower on millions of points); 0 for a segment with no element."""
    out = np.zeros(nseg, dtype=dtype)
    starts, which = _blocks(seg, nseg)
    if starts.size:
        out[which] = np.add.reduceat(values, starts, dtype=dtype)
    return out


def segment_sum(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    """Sum per segment of the values in ``mask`` that are not missing. ``seg`` is sorted, as every
    array here is (in working order: by series, then time)."""
    keep = _kept(values, mask)
    return block_sums(values if keep is None else np.where(keep, values, 0.0), seg, nseg)


def segment_count(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    keep = _kept(values, mask)
    if keep is None:
        return np.bincount(seg, minlength=nseg).astype("float64")
    return block_sums(keep, seg, nseg, dtype=np.int64).astype("float64")


def segment_mean(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    keep = _kept(values, mask)
    if keep is None:
        total, count = block_sums(values, seg, nseg), np.bincount(seg, minlength=nseg)
    else:
        total = block_sums(np.where(keep, values, 0.0), seg, nseg)
        count = block_sums(keep, seg, nseg, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def segment_median(values: np.ndarray, seg: np.ndarray, nseg: int, mask: np.ndarray) -> np.ndarray:
    keep = mask & ~np.isnan(values)
    medians = pd.Series(values[keep]).groupby(seg[keep]).median()
    out = np.full(nseg, np.nan)
    out[medians.index.to_numpy()] = medians.to_numpy()
    return out


def moving_ranges(values: np.ndarray, seg: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|difference| between consecutive masked points, and the segment of the later one; NaN where the
    two are in different segments.

    Points outside ``mask`` (excluded, or after the freeze) are skipped, so their neighbours become
    adjacent; a missing value stays in the sequence, so the moving ranges beside it are NaN.
    """
    if mask.all():
        v, s = values, seg
    else:
        idx = np.flatnonzero(mask)
        v, s = values[idx], seg[idx]
    # Between segments there is no moving range: NaN, which every mean here skips like a missing one.
    mr = np.abs(np.diff(v))
    mr[s[1:] != s[:-1]] = np.nan
    return mr, s[1:]


def mean_moving_range(values, seg, nseg, mask, screen: bool) -> np.ndarray:
    mr, mr_seg = moving_ranges(values, seg, mask)
    everywhere = np.ones(mr.shape, dtype=bool)
    amr = segment_mean(mr, mr_seg, nseg, everywhere)
    if screen:
        # A phase whose moving ranges are all 0 keeps them: "mr >= 3.267 x 0" would drop every one and
        # give NaN, where the answer is 0 (no variation; the engine then reports the phase as having no
        # limits for that reason, not for want of a moving range).
        amr = segment_mean(mr, mr_seg, nseg, (mr < D4 * amr[mr_seg]) | (amr[mr_seg] == 0))
    return amr


def c4(n: np.ndarray) -> np.ndarray:
    """Exact c4(n) = sqrt(2 / (n - 1)) Gamma(n / 2) / Gamma((n - 1) / 2); NaN for n < 2."""
    from scipy.special import gammaln  # imported on first use

    n = np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sqrt(2 / (n - 1)) * np.exp(gammaln(n / 2) - gammaln((n - 1) / 2))
    return np.where(n >= 2, out, np.nan)


def xmr(y, seg, nseg, base, screen, factor):
    if y.size and base.all() and not np.isnan(y).any():
        cl, amr, length = _xmr_every_point(y, seg, nseg, screen)
        # Limits are constant within a segment, whose points are consecutive: repeat, not gather.
        return tuple(np.repeat(v, length) for v in (cl, cl - factor * amr, cl + factor * amr))
    cl = segment_mean(y, seg, nseg, base)
    amr = mean_moving_range(y, seg, nseg, base, screen)
    cl_i, width = cl[seg], factor * amr[seg]
    return cl_i, cl_i - width, cl_i + width


def _xmr_every_point(y, seg, nseg, screen):
    """Centre line and mean moving range per segment when every point has a value and sets the
    limits (no exclude, freeze or missing value): the same sums as :func:`segment_mean` and
    :func:`mean_moving_range`, over whole blocks, without masks.

    ``mr[i]`` is the moving range from point i to i + 1, and 0 at the last point of a segment, so
    each segment's block of ``mr`` holds its length - 1 moving ranges and one 0.
    """
    starts, _ = _blocks(seg, nseg)  # every segment has a point here
    length = np.diff(starts, append=y.size)
    last = starts[1:] - 1
    cl = np.add.reduceat(y, starts) / length
    mr = np.empty_like(y)
    np.subtract(y[1:], y[:-1], out=mr[:-1])
    np.abs(mr, out=mr)
    mr[last] = 0.0
    mr[-1] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        amr = np.add.reduceat(mr, starts) / (length - 1)  # one point: 0 / 0, no moving range
        if screen:
            # Drop moving ranges >= D4 x the mean and recompute, as mean_moving_range does (a segment
            # whose moving ranges are all 0 keeps them; the 0 at each segment's end is no range).
            limit = np.repeat(D4 * amr, length)
            kept = mr < limit
            kept[last] = False
            kept[-1] = False
            count = np.add.reduceat(kept, starts, dtype=np.int64)
            total = np.add.reduceat(np.where(kept, mr, 0.0), starts)
            amr = np.where(amr == 0, amr, total / count)
    return cl, amr, length


def mr_chart(y, seg, nseg, base):
    # y here is already the moving range of each point (first point of a phase missing).
    cl = segment_mean(y, seg, nseg, base)[seg]
    return cl, np.zeros_like(cl), D4 * cl


def run(y, seg, nseg, base):
    cl = segment_median(y, seg, nseg, base)[seg]
    nan = np.full_like(cl, np.nan)
    return cl, nan, nan.copy()


def _laney_sigma_z(y, cl, sigma, seg, nseg, base, screen):
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y - cl) / sigma
    # A centre line of 0 or 1 (no events, or all events) has sigma 0: its points lie on it, z = 0,
    # not 0/0, which left the whole phase without limits.
    z[(sigma == 0) & (y == cl)] = 0
    return mean_moving_range(z, seg, nseg, base, screen) / D2


def _ratio_cl(num, den, seg, nseg, base):
    """sum(num) / sum(den) over the points with a numerator: the denominator of a missing numerator
    (an unknown point) is left out too, or the centre line would be pulled towards 0."""
    known = base & ~np.isnan(num)
    return (segment_sum(num, seg, nseg, known) / segment_sum(den, seg, nseg, known))[seg]


def p(num, den, seg, nseg, base, laney=False, screen=True):
    cl = _ratio_cl(num, den, seg, nseg, base)
    sigma = np.sqrt(cl * (1 - cl) / den)
    if laney:
        sigma = sigma * _laney_sigma_z(num / den, cl, sigma, seg, nseg, base, screen)[seg]
    return cl, np.clip(cl - 3 * sigma, 0, 1), np.clip(cl + 3 * sigma, 0, 1)


def u(num, den, seg, nseg, base, laney=False, screen=True):
    cl = _ratio_cl(num, den, seg, nseg, base)
    sigma = np.sqrt(cl / den)
    if laney:
        sigma = sigma * _laney_sigma_z(num / den, cl, sigma, seg, nseg, base, screen)[seg]
    return cl, np.maximum(cl - 3 * sigma, 0), cl + 3 * sigma


def c(y, seg, nseg, base):
    cl = segment_mean(y, seg, nseg, base)[seg]
    sigma = np.sqrt(cl)
    return cl, np.maximum(cl - 3 * sigma, 0), cl + 3 * sigma


def g(y, seg, nseg, base):
    gbar = segment_mean(y, seg, nseg, base)[seg]
    sigma = np.sqrt(gbar * (gbar + 1))
    # The centre line is the median of the points that set the limits (freeze and exclude apply), as
    # qicharts2 0.8.1 computes it: median(y[baseline & include]).
    cl = segment_median(y, seg, nseg, base)[seg]
    return cl, np.maximum(gbar - 3 * sigma, 0), gbar + 3 * sigma


def t(y, seg, nseg, base, screen, factor):
    cl, lcl, ucl = xmr(y ** (1 / T_POWER), seg, nseg, base, screen, factor)
    with np.errstate(invalid="ignore"):
        return cl**T_POWER, np.maximum(lcl, 0) ** T_POWER, ucl**T_POWER


def _s_bar(sd, size, seg, nseg, base):
    """s_bar per segment: the mean SD when every subgroup of the phase has the same size, else pooled.

    "Every subgroup of the phase" is qicharts2's rule: it looks at the sizes of all subgroups in the
    phase (after the freeze and excluded ones too), not only those that set the limits, so frozen
    subgroups of 5 followed by subgroups of 4 pool the frozen SDs. A subgroup with no measurement at
    all has no size here (qicharts2 counts it as a size of 0, and a missing subgroup would then switch
    the estimator).
    """
    measured = size >= 1
    low = np.full(nseg, np.inf)
    high = np.full(nseg, -np.inf)
    np.minimum.at(low, seg[measured], size[measured])
    np.maximum.at(high, seg[measured], size[measured])
    equal = ~(high > low)
    mean_sd = segment_mean(sd, seg, nseg, base)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(
            segment_sum((size - 1) * sd**2, seg, nseg, base & ~np.isnan(sd))
            / segment_sum(size - 1, seg, nseg, base & ~np.isnan(sd))
        )
    return np.where(equal, mean_sd, pooled)


def xbar(mean, sd, size, seg, nseg, base):
    with_mean = base & ~np.isnan(mean)
    cl = (segment_sum(size * mean, seg, nseg, base) / segment_sum(size, seg, nseg, with_mean))[seg]
    width = 3 / (c4(size) * np.sqrt(size)) * _s_bar(sd, size, seg, nseg, base)[seg]
    return cl, cl - width, cl + width


def s(sd, size, seg, nseg, base):
    cl = _s_bar(sd, size, seg, nseg, base)[seg]
    c4n = c4(size)
    spread = 3 * np.sqrt(1 - c4n**2) / c4n
    return cl, np.maximum(1 - spread, 0) * cl, (1 + spread) * cl
