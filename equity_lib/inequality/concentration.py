"""Concentration indices: absolute, relative, Wagstaff-normalised and Erreygers-corrected.

Formulas (O'Donnell, van Doorslaer, Wagstaff & Lindelow 2008, *Analyzing Health Equity Using Household
Survey Data*, World Bank, ch. 8; Wagstaff 2005, *Health Economics* 14:429-32; Erreygers 2009, *J Health
Economics* 28:504-15; WHO HEAT / Schlotheuber & Hosseinpoor 2022, *IJERPH* 19:3697):

* Units (individuals, areas or groups) are ranked from the most disadvantaged to the least; each gets the
  fractional rank r_j = cumulative population share to its midpoint (units with the same order share the
  midpoint of their block). With population shares p_j and mean mu = sum p_j y_j:
* absolute (generalised) concentration index ACI = sum p_j (2 r_j - 1) y_j = 2 cov_p(y, r);
* relative concentration index RCI = ACI / mu (between -1 and 1 for a non-negative y);
* Wagstaff's normalisation for a variable bounded in [a, b]: W = (b - a) ACI / ((mu - a)(b - mu)), which is
  RCI / (1 - mu) for a proportion in [0, 1];
* Erreygers' corrected index E = 4 ACI / (b - a) (= 4 ACI for a proportion).

Standard errors come from the "convenient regression" (O'Donnell et al. 2008, eq. 8.7): the weighted
least-squares regression of 2 var_p(r) y_j on r_j with population weights has slope ACI, and its slope's
usual standard error s / sqrt(Sxx), s^2 = sum p e^2 / (n - 2), is the ACI's; the other indices are the
ACI rescaled (mu treated as fixed), as WHO's healthequal 1.0.1 computes them. With two units there is no
standard error. The regression is written in closed form for all groups at once: the ACI and its standard
error are 2 Sxx times the slope and standard error of statsmodels' ``WLS(y, [1, r], weights=p).fit()``
(tested to 1e-9; a statsmodels call per group would be a Python loop over the groups).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib._validation import (
    by_columns,
    column_names,
    confidence_levels,
    fail_rows,
    level_suffix,
    numeric_column,
    require_columns,
    require_dataframe,
)
from equity_lib.inequality._common import (
    check_choice,
    check_favourable,
    format_number,
    layout,
    number_key,
    text_column,
    z_value,
)

KINDS = ("absolute", "relative", "wagstaff", "erreygers")


def fractional_rank(share: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Midpoint ranks on (groups, slots) grids sorted by ``order``; tied orders share their block's midpoint.

    ``share`` has zeros in padding slots; ``order`` is NaN there.
    """
    cum = np.cumsum(share, axis=1)
    before = cum - share
    width = share.shape[1]
    slot = np.arange(width)
    new_block = np.ones(share.shape, dtype=bool)
    new_block[:, 1:] = order[:, 1:] != order[:, :-1]  # NaN padding never equals, so it starts blocks
    ends_block = np.ones(share.shape, dtype=bool)
    ends_block[:, :-1] = new_block[:, 1:]
    first = np.maximum.accumulate(np.where(new_block, slot, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends_block, slot, width - 1)[:, ::-1], axis=1)[:, ::-1]
    return (np.take_along_axis(before, first, axis=1) + np.take_along_axis(cum, last, axis=1)) / 2


def concentration(share, rank, y, size):
    """ACI = 2 sum p (r - rbar)(y - ybar) and its convenient-regression standard error, per group.

    The standard error is 2 Sxx times that of the slope of the population-weighted regression of y on r:
    sqrt(s^2 / Sxx), s^2 = sum p e^2 / (n - 2) (missing with two units or fewer, or no spread in rank).
    """
    rbar = (share * rank).sum(axis=1, keepdims=True)
    ybar = (share * y).sum(axis=1, keepdims=True)
    sxx = (share * (rank - rbar) ** 2).sum(axis=1)
    sxy = (share * (rank - rbar) * (y - ybar)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = sxy / sxx
        resid = y - ybar - slope[:, None] * (rank - rbar)
        s2 = (share * resid**2).sum(axis=1) / (size - 2)
        se = 2 * sxx * np.sqrt(s2 / sxx)
    return 2 * sxy, np.where(size > 2, se, np.nan)


def concentration_index(data: pd.DataFrame, value: str, population: str, order: str, *,
                        by: str | list[str] | None = None, kind=None,
                        bounds: tuple[float, float] | None = None,
                        confidence=0.95, favourable: bool | None = None,
                        most_disadvantaged: str = "lowest") -> pd.DataFrame:
    """Concentration indices of ``value`` over units ranked by ``order``, one row per group and kind.

    Parameters
    ----------
    data : DataFrame
        One row per unit: a person (population 1 or a survey weight), an area, or a group such as a
        deprivation quintile.
    value : str
        Column of the health variable.
    population : str
        Column of populations or weights (greater than 0).
    order : str
        Column ranking the units from the most to the least disadvantaged, e.g. the deprivation quintile
        (1 = most deprived) or, with ``most_disadvantaged="highest"``, a deprivation score.
    by : str or list of str, optional
        One set of indices per group (area, period, indicator).
    kind : str or tuple of str, optional
        Any of "absolute", "relative", "wagstaff", "erreygers". Default: absolute and relative, plus
        wagstaff and erreygers when ``bounds`` are given.
    bounds : tuple of float, optional
        The variable's possible range (a, b), e.g. (0, 1) for a proportion or (0, 100) for a percentage;
        needed by the Wagstaff and Erreygers versions.
    confidence : float or tuple of float
        Level(s) of the limits.
    favourable : bool, optional
        True if higher values are better, False if worse: the interpretation then says who is worse off.
    most_disadvantaged : {"lowest", "highest"}
        Which end of ``order`` is most disadvantaged.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``kind``, ``value``, ``se``, ``lower_95``, ``upper_95`` (one pair per level),
        ``mean``, ``units``, ``worse_direction`` and ``interpretation`` (in words: among whom the variable
        is concentrated, and who is worse off).

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import concentration_index
    >>> q = pd.DataFrame({"quintile": [1, 2, 3, 4, 5], "pop": [120, 110, 105, 100, 95],
    ...                   "pct": [24.0, 19.5, 15.2, 12.1, 9.8]})
    >>> ci = concentration_index(q, "pct", "pop", "quintile", favourable=False)
    >>> round(float(ci.loc[ci["kind"] == "relative", "value"].iloc[0]), 4)
    -0.1756
    """
    require_dataframe(data)
    by = by_columns(by)
    levels = confidence_levels(confidence)
    favourable = check_favourable(favourable)
    check_choice("most_disadvantaged", most_disadvantaged, ("lowest", "highest"))
    if bounds is not None:
        if not isinstance(bounds, (tuple, list)) or len(bounds) != 2 or not all(
                isinstance(b, (int, float, np.integer, np.floating)) and not isinstance(b, bool)
                and np.isfinite(b) for b in bounds) or not bounds[0] < bounds[1]:
            raise ValueError(f"bounds must be (lower, upper) numbers with lower < upper, not {bounds!r}. "
                             "Fix: e.g. bounds=(0, 1) for a proportion or (0, 100) for a percentage.")
    kinds = _kinds(kind, bounds)
    column_names({"value": value, "population": population, "order": order})
    require_columns(data, [value, population, order, *by])
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per unit.")
    y = numeric_column(data, value)
    pop = numeric_column(data, population)
    rank_by = numeric_column(data, order)
    fail_rows(data, np.isnan(y), f"Column '{value}' is missing", "drop those rows or fill them in.")
    fail_rows(data, np.isnan(pop) | (pop <= 0), f"Column '{population}' has a missing, zero or negative "
              "population", "every unit needs a population (or weight) greater than 0.")
    fail_rows(data, np.isnan(rank_by), f"Column '{order}' is missing", "give every unit its order.")
    if bounds is not None:
        fail_rows(data, (y < bounds[0]) | (y > bounds[1]), f"Column '{value}' has values outside the "
                  f"bounds {tuple(bounds)}", "check the bounds (e.g. (0, 100) for percentages).")
    key = rank_by if most_disadvantaged == "lowest" else -rank_by
    lay = layout(data, by, key)
    pop_grid = lay.grid(pop)
    share = pop_grid / pop_grid.sum(axis=1, keepdims=True)
    y_grid = lay.grid(y)
    rank = fractional_rank(share, lay.grid(key, fill=np.nan))
    mean = (share * y_grid).sum(axis=1)
    aci, se_aci = concentration(share, rank, y_grid, lay.size)
    single = lay.size < 2
    aci[single] = np.nan
    values = {"absolute": (aci, se_aci)}
    with np.errstate(invalid="ignore", divide="ignore"):
        values["relative"] = (aci / mean, se_aci / np.abs(mean))
        if bounds is not None:
            lo, hi = float(bounds[0]), float(bounds[1])
            factor = (hi - lo) / ((mean - lo) * (hi - mean))
            values["wagstaff"] = (factor * aci, np.abs(factor) * se_aci)
            values["erreygers"] = (4 * aci / (hi - lo), 4 * se_aci / (hi - lo))
    frames = []
    for k in kinds:
        est, se = values[k]
        part = lay.keys.copy().reset_index(drop=True)
        part["kind"] = k
        part["value"] = est
        part["se"] = se
        for level in levels:
            z = z_value(level)
            part[f"lower_{level_suffix(level)}"] = est - z * se
            part[f"upper_{level_suffix(level)}"] = est + z * se
        part["mean"] = mean
        part["units"] = lay.size
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    worse, words = _words(out, favourable)
    out["worse_direction"] = worse
    out["interpretation"] = words
    if by:
        out = out.sort_values(by, kind="stable").reset_index(drop=True)
    return out


def _kinds(kind, bounds) -> list[str]:
    if kind is None:
        return list(KINDS) if bounds is not None else ["absolute", "relative"]
    kinds = [kind] if isinstance(kind, str) else list(kind)
    for k in kinds:
        check_choice("kind", k, KINDS)
    if bounds is None and {"wagstaff", "erreygers"} & set(kinds):
        raise ValueError("The Wagstaff and Erreygers indices need the variable's bounds. Fix: pass "
                         "bounds=(0, 1) for a proportion, (0, 100) for a percentage.")
    if len(set(kinds)) < len(kinds):
        raise ValueError(f"kind={kinds} names a kind twice. Fix: name each once.")
    return kinds


def _words(out: pd.DataFrame, favourable):
    """Which direction is worse, and a sentence per row (built once per distinct sentence)."""
    worse = {True: "lower values are worse", False: "higher values are worse",
             None: "direction not stated (pass favourable=True if higher values are better, False if worse)"}
    worse = worse[favourable]
    values = out["value"].to_numpy()

    def build(i):
        value = values[i]
        if not np.isfinite(value):
            return f"{worse}; not computed (needs at least two units with a positive mean)"
        if value == 0:
            return f"{worse}; no concentration: the variable is spread evenly across the ranking"
        among_poor = value < 0
        text = (f"{worse}; the variable is concentrated among the more "
                f"{'disadvantaged' if among_poor else 'advantaged'} (index {format_number(value)})")
        if favourable is not None:
            poor_worse = among_poor != favourable
            text += f", so the {'more' if poor_worse else 'less'} disadvantaged are worse off"
        return text

    return worse, text_column(number_key(values), build)
