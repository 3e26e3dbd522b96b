"""``summary_measures``: every summary measure of WHO's Health Equity Assessment Toolkit (HEAT), tidy.

Definitions follow WHO HEAT's technical notes and Schlotheuber & Hosseinpoor 2022 ("Summary measures of
health inequality: a review of existing measures and their application", *IJERPH* 19:3697), as WHO's
healthequal 1.0.1 computes them (checked against it to printed precision). Notation: subgroup j has
estimate y_j (column ``value``), standard error s_j (``se``) and population share p_j = pop_j / sum(pop)
(``population``); mu = sum p_j y_j (or the ``setting_average`` where HEAT uses one); n subgroups; for
ordered dimensions r_j is the relative rank (cumulative population share to the subgroup's midpoint) from
the most disadvantaged (order 1, e.g. the most deprived quintile) to the most advantaged.

Simple measures compare two subgroups y1 and y2, chosen as HEAT does:

* ordered dimension: favourable indicator y1 = most advantaged, y2 = most disadvantaged; adverse
  indicator the other way round (so D > 0 and R > 1 mean the disadvantaged are worse off);
* non-ordered, no reference group: y1 = highest, y2 = lowest estimate;
* non-ordered with a reference group: favourable y1 = reference, y2 = lowest; adverse y1 = highest,
  y2 = reference.

=================  ===================================================================================
measure            formula
=================  ===================================================================================
weighted_mean      mu = sum p_j y_j
D                  y1 - y2; se sqrt(s1^2 + s2^2)
R                  y1 / y2; limits exp(ln R -/+ z sqrt((s1/y1)^2 + (s2/y2)^2))
relative_gap_pct   100 (y1 - y2) / y2
ACI                sum p_j (2 r_j - 1) y_j (ordered); se from the convenient regression (O'Donnell 2008)
RCI                ACI / mu
RCI_wagstaff       (b - a) ACI / ((mu - a)(b - mu)) for bounds (a, b) (Wagstaff 2005)
ACI_erreygers      4 ACI / (b - a) (Erreygers 2009)
SII                slope of the population-weighted regression of y on r: fitted(1) - fitted(0);
                   se heteroskedasticity-robust (HC1), as healthequal's linear model and statsmodels
                   WLS(...).fit(cov_type="HC1") (closed form, vectorised over groups; tested against it)
SII_intercept      fitted(0), the most disadvantaged end
RII                fitted(1) / fitted(0); limits on the log scale (delta method, HC1)
BGV                sum p_j (y_j - mu)^2; se from Ahn et al. 2018
BGSD               sqrt(BGV)
COV                100 BGSD / mu
MDBW, MDBU         sum p_j abs(y_j - y_best); sum abs(y_j - y_best) / n (best: the highest if favourable,
                   else the lowest)
MDMW, MDMU         sum p_j abs(y_j - mu); sum abs(y_j - mu) / n
IDISW, IDISU       100 sum p_j abs(y_j - mu) / mu; (100 / n) sum abs(y_j - mu) / mu
TI                 1000 sum p_j (y_j / mu) ln(y_j / mu)  (HEAT's x 1000; a 0 estimate counts as 1e-6)
MLD                1000 sum p_j (-ln(y_j / mu))
PAR                y_ref - mu, set to 0 when on the better side (y_ref: most advantaged subgroup if
                   ordered, else the best performing); se Walter 1978 (needs ``scale``)
PAF                100 (y_ref - mu) / mu, set to 0 likewise
=================  ===================================================================================

HEAT's conventions kept: SII and RII are not turned round for adverse indicators (rank 1 minus rank 0,
as PHE's SII); TI and MLD are multiplied by 1000; RCI is not. Where healthequal 1.0.1 has a fault we do
not copy it: its TI and MLD limits add an unscaled standard error to the x 1000 index, and its PAF limits
add the attributable fraction's standard error (a proportion) to the PAF in percent; here both standard
errors are put on the index's own scale (``healthequal_limits=True`` reproduces healthequal's). BGSD,
COV, MDB, MDM and IDIS have no closed-form standard error: their limits are percentiles of
``simulations`` redraws of each estimate from a normal distribution truncated at 0 (and at ``scale`` for
a percentage or proportion), as healthequal does, but from a seeded numpy Generator, so not digit for
digit.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import (
    by_columns,
    column_names,
    confidence_levels,
    fail_rows,
    level_suffix,
    missing_labels,
    numeric_column,
    require_columns,
    require_dataframe,
    rows_phrase,
)
from equity_lib.inequality._common import (
    check_bool,
    check_choice,
    distinct_rows,
    duplicated_order,
    format_number,
    group_name,
    layout,
    number_key,
    relative_rank,
    wls_line,
    z_value,
)
from equity_lib.inequality.concentration import concentration

# name, label, absolute/relative, weighted, ordered_only, scale note
MEASURES = [
    ("weighted_mean", "Weighted mean", "", True, False, "unit of the estimate"),
    ("D", "Difference (D)", "absolute", False, False, "unit of the estimate"),
    ("R", "Ratio (R)", "relative", False, False, "ratio (no unit)"),
    ("relative_gap_pct", "Relative gap (%)", "relative", False, False, "percent of y2"),
    ("ACI", "Absolute concentration index (ACI)", "absolute", True, True, "unit of the estimate"),
    ("RCI", "Relative concentration index (RCI)", "relative", True, True, "no unit (-1 to 1)"),
    ("RCI_wagstaff", "Concentration index, Wagstaff normalisation", "relative", True, True,
     "no unit (-1 to 1)"),
    ("ACI_erreygers", "Concentration index, Erreygers correction", "absolute", True, True,
     "no unit (-1 to 1)"),
    ("SII", "Slope index of inequality (SII)", "absolute", True, True, "unit of the estimate"),
    ("SII_intercept", "SII fitted value at the most disadvantaged end", "", True, True,
     "unit of the estimate"),
    ("RII", "Relative index of inequality (RII)", "relative", True, True, "ratio (no unit)"),
    ("BGV", "Between-group variance (BGV)", "absolute", True, False, "squared unit of the estimate"),
    ("BGSD", "Between-group standard deviation (BGSD)", "absolute", True, False, "unit of the estimate"),
    ("COV", "Coefficient of variation (COV)", "relative", True, False, "percent of the mean"),
    ("MDBW", "Mean difference from best performing subgroup, weighted (MDB)", "absolute", True, False,
     "unit of the estimate"),
    ("MDBU", "Mean difference from best performing subgroup, unweighted (MDB)", "absolute", False, False,
     "unit of the estimate"),
    ("MDMW", "Mean difference from mean, weighted (MDM)", "absolute", True, False, "unit of the estimate"),
    ("MDMU", "Mean difference from mean, unweighted (MDM)", "absolute", False, False,
     "unit of the estimate"),
    ("IDISW", "Index of disparity, weighted (IDis)", "relative", True, False, "percent of the mean"),
    ("IDISU", "Index of disparity, unweighted (IDis)", "relative", False, False, "percent of the mean"),
    ("TI", "Theil index (TI)", "relative", True, False, "x 1000 (HEAT scaling)"),
    ("MLD", "Mean log deviation (MLD)", "relative", True, False, "x 1000 (HEAT scaling)"),
    ("PAR", "Population attributable risk (PAR)", "absolute", True, False, "unit of the estimate"),
    ("PAF", "Population attributable fraction (PAF)", "relative", True, False, "percent of the mean"),
]
SIMULATED = ("BGSD", "COV", "MDBW", "MDBU", "MDMW", "MDMU", "IDISW", "IDISU")
TI_ZERO = 1e-6  # healthequal replaces a 0 estimate by this in TI and MLD


def summary_measures(data: pd.DataFrame, group: str, value: str, population: str, *,
                     favourable: bool | str, se: str | None = None, order: str | None = None,
                     reference=None, by: str | list[str] | None = None, scale: float | str | None = None,
                     setting_average: float | str | None = None, bounds: tuple[float, float] | None = None,
                     confidence=0.95, simulations: int = 100, seed=123456,
                     most_disadvantaged: str = "lowest", healthequal_limits: bool = False) -> pd.DataFrame:
    """Every HEAT summary measure of inequality, one row per measure (per ``by`` group).

    Parameters
    ----------
    data : DataFrame
        One row per subgroup (e.g. deprivation quintile, region, sex) of each indicator/setting.
    group : str
        Column of subgroup labels (unique within each ``by`` group).
    value : str
        Column of subgroup estimates y_j (the indicator's value in each subgroup).
    population : str
        Column of subgroup populations, the weights p_j (greater than 0).
    favourable : bool or str
        True if higher values are better (a favourable indicator, e.g. vaccination coverage), False if
        adverse (e.g. mortality); or a column of true/false, constant within each ``by`` group.
    se : str, optional
        Column of standard errors; without it there are no limits.
    order : str, optional
        Column ordering the subgroups from the most disadvantaged (lowest, e.g. quintile 1 = most
        deprived) to the most advantaged: an ordered dimension. Without it the dimension is non-ordered
        and the ordered-only measures (ACI, RCI, SII, RII, ...) are missing.
    reference : str or object, optional
        The reference subgroup for D and R in a non-ordered dimension: a label of ``group``, or the name of
        a column of 1/0 (true/false) flags marking it. Ignored for ordered dimensions (as HEAT).
    by : str or list of str, optional
        Columns separating indicators, settings, years: one set of measures each. A missing label is an
        error (fill it in or drop the row).
    scale : float or str, optional
        The indicator's scale (100 for a percentage, 1000 for a rate per 1,000), or a column of it: needed
        for the PAR and PAF limits, and truncates simulated percentages at 100. Must be greater than 0.
    setting_average : float or str, optional
        The setting's (national) average, used as mu for IDIS, MDM, PAR and PAF instead of the weighted
        mean of the subgroups.
    bounds : tuple of float, optional
        The indicator's possible range, e.g. (0, 100), for the Wagstaff and Erreygers indices: two finite
        numbers, lower < upper. A value outside them is an error (the Wagstaff index would change sign
        and its interpretation reverse).
    confidence : float or tuple of float
        Level(s) of the limits.
    simulations : int
        Redraws for the simulated limits (healthequal's default 100).
    seed : int, numpy.random.Generator or None
        Seed of those redraws.
    most_disadvantaged : {"lowest", "highest"}
        Which end of ``order`` is the most disadvantaged.
    healthequal_limits : bool
        True reproduces healthequal 1.0.1's TI, MLD and PAF limits, whose standard errors are not on the
        index's scale (TI and MLD: 1000 times too narrow; PAF: 100 times). Default False: consistent.

    Returns
    -------
    DataFrame
        Long format: the ``by`` columns, ``measure`` (names in the module notes), ``label``, ``value``,
        ``se``, ``lower_95``, ``upper_95`` (one pair per level), ``scale`` (the measure's unit or scaling,
        in words), ``kind`` (absolute or relative), ``weighted``, ``ordered_only``, ``ci_method``,
        ``interpretation`` (in words, saying which direction is worse) and ``formula``. The text
        columns (``measure``, ``label``, ``scale``, ``kind``, ``ci_method``, ``interpretation``,
        ``formula``) are categorical: each distinct text is stored once, not once per row (compare
        them with text as usual: ``m["measure"] == "D"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import summary_measures
    >>> q = pd.DataFrame({"quintile": [1, 2, 3, 4, 5], "pop": [120, 110, 105, 100, 95],
    ...                   "pct": [24.0, 19.5, 15.2, 12.1, 9.8]})
    >>> m = summary_measures(q, group="quintile", value="pct", population="pop", order="quintile",
    ...                      favourable=False)
    >>> float(m.loc[m["measure"] == "D", "value"].iloc[0])
    14.2
    """
    require_dataframe(data)
    by = by_columns(by)
    levels = confidence_levels(confidence)
    check_choice("most_disadvantaged", most_disadvantaged, ("lowest", "highest"))
    check_bool(healthequal_limits, "healthequal_limits")
    if isinstance(simulations, (bool, np.bool_)) or not isinstance(simulations, (int, np.integer)) \
            or simulations < 10:
        raise ValueError(f"simulations must be a whole number of at least 10, not {simulations!r}. "
                         "Fix: pass e.g. 100 (healthequal) or 1000.")
    bounds = _check_bounds(bounds)
    column_names({"group": group, "value": value, "population": population, "se": se, "order": order},
                 optional=True)
    if not isinstance(favourable, (bool, np.bool_, str)):
        raise TypeError(f"favourable must be True (higher values are better), False (higher values are "
                        f"worse) or a column name, not {favourable!r}.")
    column_args = [c for c in (favourable, scale, setting_average) if isinstance(c, str)]
    reference_column = reference if isinstance(reference, str) and reference in data.columns else None
    require_columns(data, [group, value, population, se, order, *by, *column_args, reference_column])
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per subgroup.")

    missing_labels(data, by, "by: the indicators and settings measured separately")
    y = numeric_column(data, value)
    if bounds is not None:
        fail_rows(data, (y < bounds[0]) | (y > bounds[1]), f"Column '{value}' has values outside the bounds "
                  f"{bounds}", "check the bounds are the indicator's possible range (e.g. (0, 100) for a "
                  "percentage, (0, 1) for a proportion) and the values are on the same scale; outside them "
                  "the Wagstaff index changes sign and its interpretation reverses.")
    pop = numeric_column(data, population)
    fail_rows(data, np.isnan(pop) | (pop <= 0), f"Column '{population}' has a missing, zero or negative "
              "population", "every subgroup needs a population greater than 0.")
    s = numeric_column(data, se) if se is not None else np.full(len(data), np.nan)
    fail_rows(data, s < 0, f"Column '{se}' has negative standard errors", "correct the extract.")
    if data[group].isna().any():
        fail_rows(data, data[group].isna().to_numpy(), f"Column '{group}' (subgroup label) is missing",
                  "label every subgroup.")
    ordered = order is not None
    if ordered:
        o = numeric_column(data, order)
        fail_rows(data, np.isnan(o), f"Column '{order}' (subgroup order) is missing",
                  "give every subgroup its order (1 = most disadvantaged).")
        key = o if most_disadvantaged == "lowest" else -o
    else:
        key = None
    lay = layout(data, by, key)
    labels = _label_codes(data[group].to_numpy())
    _unique_labels(data, lay, labels, group)
    if ordered:
        duplicated_order(data, lay, key, order, "order")

    fav = _per_group(data, lay, favourable, "favourable", boolean=True)
    scale_g = _per_group(data, lay, scale, "scale", positive=True)
    setting = _per_group(data, lay, setting_average, "setting_average")
    ref_flags = _reference(data, lay, reference, reference_column, labels, group, ordered)

    mask = lay.mask
    pop_grid = lay.grid(pop)
    p = pop_grid / pop_grid.sum(axis=1, keepdims=True)
    yg = lay.grid(y)
    sg = lay.grid(s, fill=0.0)
    se_ok = ~np.isnan(lay.grid(s, fill=0.0)).any(axis=1)
    n = lay.size.astype("float64")
    missing_y = np.isnan(lay.grid(y, fill=0.0)).any(axis=1)
    if missing_y.any():
        g = np.flatnonzero(missing_y)[0]
        warnings.warn(f"{missing_y.sum()} group(s) have a missing value in column '{value}' (e.g. "
                      f"{group_name(lay.keys, g)}); their measures are missing. Fix: fill in or drop the "
                      "subgroup.", UserWarning,
                      stacklevel=2)

    values, errors, sims = _measures(pop_grid, p, yg, sg, mask, n, fav, ordered, ref_flags, setting,
                                     scale_g, bounds)
    if healthequal_limits:  # healthequal 1.0.1: se not rescaled with the index
        for name, factor in (("TI", 1000), ("MLD", 1000), ("PAF", 100)):
            errors[name] = errors[name] / factor
    lower_upper = _limits(values, errors, levels, se_ok)
    if se is not None:
        if seed is not None and not isinstance(seed, np.random.Generator) and (
                isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise TypeError(f"seed must be a whole number of 0 or more, a numpy Generator or None, not "
                            f"{seed!r}.")
        rng = np.random.default_rng(seed) if not isinstance(seed, np.random.Generator) else seed
        simulated = _simulate(p, yg, sg, mask, n, fav, setting, scale_g, levels, int(simulations), rng)
        for name in SIMULATED:
            for level in levels:
                lo, hi = simulated[name][level]
                lower_upper[name][level] = (np.where(se_ok, lo, np.nan), np.where(se_ok, hi, np.nan))
    for name in values:
        values[name] = np.where(missing_y, np.nan, values[name])
        errors[name] = np.where(missing_y, np.nan, errors[name])
        for level in levels:
            lo, hi = lower_upper[name][level]
            lower_upper[name][level] = (np.where(missing_y, np.nan, lo), np.where(missing_y, np.nan, hi))

    seed_text = f", seed {seed}" if isinstance(seed, (int, np.integer)) else ""
    return _assemble(lay, values, errors, lower_upper, levels, fav, ordered, sims, int(simulations),
                     se is not None, labels, seed_text)


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------

def _label_codes(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each row's subgroup label as a code into the distinct labels written as text (so 1 and "1" are
    one label), in order of first appearance: text is made for each distinct label, not each row."""
    raw, uniques = pd.factorize(labels, use_na_sentinel=False)
    code, texts = pd.factorize(pd.Index(uniques).astype(str), use_na_sentinel=False)
    return code[raw], list(texts)


def _unique_labels(data, lay, labels, group):
    code, texts = labels
    dup = pd.Index(lay.codes.astype(np.int64) * max(len(texts), 1) + code).duplicated(keep=False)
    fail_rows(data, dup, f"Column '{group}' repeats a subgroup within a group",
              "give each subgroup one row per indicator (or add the separating column to by=).")


def _per_group(data, lay, spec, name, boolean=False, positive=False):
    """A scalar or a column constant within each group, as one value per group (None if not given).

    ``positive``: the values must be greater than 0 (a scale such as 100 for a percentage).
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        column = data[spec]
        if boolean:
            bad = ~column.isin([True, False, 1, 0])
            fail_rows(data, bad.to_numpy(), f"Column '{spec}' ({name}) has values other than true/false",
                      "use True/1 (higher values are better) or False/0 (higher values are worse).")
            values = column.astype(bool).to_numpy().astype("float64")
        else:
            values = numeric_column(data, spec)
            fail_rows(data, np.isnan(values), f"Column '{spec}' ({name}) is missing", "fill it in.")
            if positive:
                fail_rows(data, values <= 0, f"Column '{spec}' ({name}) is zero or negative",
                          "give the indicator's scale, greater than 0: 100 for a percentage, 1 for a "
                          "proportion, 1000 for a rate per 1,000.")
        grid = lay.grid(values, fill=np.nan)
        first = grid[:, :1]
        varies = (lay.mask & (grid != first)).any(axis=1)
        if varies.any():
            raise ValueError(f"Column '{spec}' ({name}) is not the same throughout "
                             f"{group_name(lay.keys, np.flatnonzero(varies)[0])}. Fix: one value per "
                             "indicator and setting (or add the separating column to by=).")
        out = first[:, 0]
        return out.astype(bool) if boolean else out
    if boolean:
        return np.full(lay.n_groups, bool(spec))
    if isinstance(spec, bool) or not isinstance(spec, (int, float, np.integer, np.floating)) \
            or not np.isfinite(spec):
        raise TypeError(f"{name} must be a number or a column name, not {spec!r}.")
    if positive and spec <= 0:
        raise ValueError(f"{name} must be greater than 0, not {spec!r}: the PAR and PAF limits would be "
                         "missing without saying why. Fix: pass the indicator's scale, e.g. scale=100 for a "
                         "percentage, 1 for a proportion, 1000 for a rate per 1,000.")
    return np.full(lay.n_groups, float(spec))


def _check_bounds(bounds):
    """bounds as (lower, upper) finite real numbers with lower < upper, or None."""
    if bounds is None:
        return None
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2 or not all(
            isinstance(b, (int, float, np.integer, np.floating)) and not isinstance(b, (bool, np.bool_))
            for b in bounds):
        raise TypeError(f"bounds must be two numbers (lower, upper), not {bounds!r}. Fix: e.g. "
                        "bounds=(0, 100) for a percentage, (0, 1) for a proportion.")
    lower, upper = float(bounds[0]), float(bounds[1])
    if not (np.isfinite(lower) and np.isfinite(upper)):
        raise ValueError(f"bounds must be finite, not {bounds!r}: the Wagstaff and Erreygers indices divide "
                         "by the range, so an infinite bound leaves them missing. Fix: give the indicator's "
                         "possible range, e.g. (0, 100) for a percentage; for an unbounded indicator (a rate "
                         "or a count) leave bounds out and read ACI and RCI.")
    if not lower < upper:
        raise ValueError(f"bounds must be (lower, upper) with lower < upper, not {bounds!r}. Fix: e.g. "
                         "bounds=(0, 100) for a percentage.")
    return lower, upper


def _reference(data, lay, reference, reference_column, labels, group, ordered):
    """(groups, slots) flags of the reference subgroup, or None."""
    if reference is None or ordered:
        return None
    if reference_column is not None:
        column = data[reference_column]
        bad = ~column.isin([True, False, 1, 0])
        fail_rows(data, bad.to_numpy(), f"Column '{reference_column}' (reference) has values other than "
                  "1/0", "mark the reference subgroup with 1 (True) and the others 0 (False).")
        flags = column.astype(bool).to_numpy()
        where = f"column '{reference_column}'"
    else:
        code, texts = labels
        flags = np.array([text == str(reference) for text in texts], dtype=bool)[code]
        where = f"{group}={reference!r}"
    grid = lay.grid(flags.astype("float64")) > 0
    count = grid.sum(axis=1)
    if (count != 1).any():
        g = np.flatnonzero(count != 1)[0]
        rows = list(data.index[lay.rows[g][grid[g]]])
        found = f"{count[g]} ({rows_phrase(rows)})" if count[g] else "none"
        raise ValueError(f"{group_name(lay.keys, g)} needs exactly one reference subgroup ({where}); found "
                         f"{found}. Fix: mark one reference subgroup per group, or leave reference out.")
    return grid


# --------------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------------

def _pick(grid, index):
    return np.take_along_axis(grid, index[:, None], axis=1)[:, 0]


def _simple_pairs(yg, mask, n, fav, ordered, ref_flags):
    """Slot indices of y1 and y2 for D and R, per group."""
    first = np.zeros(len(n), dtype=np.int64)
    last = n.astype(np.int64) - 1
    if ordered:
        return np.where(fav, last, first), np.where(fav, first, last)
    high = np.argmax(np.where(mask, yg, -np.inf), axis=1)
    low = np.argmin(np.where(mask, yg, np.inf), axis=1)
    if ref_flags is None:
        return high, low
    ref = np.argmax(ref_flags, axis=1)
    return np.where(fav, ref, high), np.where(fav, low, ref)


def _best(yg, mask, fav):
    return np.where(fav, np.where(mask, yg, -np.inf).max(axis=1), np.where(mask, yg, np.inf).min(axis=1))


def _measures(pop, p, yg, sg, mask, n, fav, ordered, ref_flags, setting, scale, bounds):
    G = len(n)
    nan = np.full(G, np.nan)
    v, e = {}, {}
    mu = (p * yg).sum(axis=1)
    mu_set = mu if setting is None else setting
    v["weighted_mean"], e["weighted_mean"] = mu, nan
    i1, i2 = _simple_pairs(yg, mask, n, fav, ordered, ref_flags)
    y1, y2, s1, s2 = _pick(yg, i1), _pick(yg, i2), _pick(sg, i1), _pick(sg, i2)
    with np.errstate(invalid="ignore", divide="ignore"):
        v["D"], e["D"] = y1 - y2, np.sqrt(s1**2 + s2**2)
        v["R"], e["R"] = y1 / y2, np.sqrt((s1 / y1) ** 2 + (s2 / y2) ** 2)  # se of ln R
        v["relative_gap_pct"], e["relative_gap_pct"] = 100 * (y1 - y2) / y2, nan
    sims = {"pairs": (i1, i2), "has_reference": ref_flags is not None}

    for name in ("ACI", "RCI", "RCI_wagstaff", "ACI_erreygers", "SII", "SII_intercept", "RII"):
        v[name], e[name] = nan.copy(), nan.copy()
    if ordered:
        r = relative_rank(p)
        aci, se_aci = concentration(p, r, yg, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            v["ACI"], e["ACI"] = aci, se_aci
            v["RCI"], e["RCI"] = aci / mu, se_aci / np.abs(mu)
            if bounds is not None:
                a, b = float(bounds[0]), float(bounds[1])
                factor = (b - a) / ((mu - a) * (b - mu))
                v["RCI_wagstaff"], e["RCI_wagstaff"] = factor * aci, np.abs(factor) * se_aci
                v["ACI_erreygers"], e["ACI_erreygers"] = 4 * aci / (b - a), 4 * se_aci / (b - a)
            b0, b1, _, _ = wls_line(p, r, yg)
            cov = _hc1(p, r, yg, b0, b1, n)
            v["SII"], e["SII"] = b1, np.sqrt(cov[:, 1, 1])
            v["SII_intercept"], e["SII_intercept"] = b0, np.sqrt(cov[:, 0, 0])
            f1 = b0 + b1
            v["RII"] = f1 / b0
            g0, g1 = 1 / f1 - 1 / b0, 1 / f1  # d ln RII / d(b0, b1)
            e["RII"] = np.sqrt(g0**2 * cov[:, 0, 0] + 2 * g0 * g1 * cov[:, 0, 1] + g1**2 * cov[:, 1, 1])

    dev = np.where(mask, yg - mu[:, None], 0.0)
    bgv = (p * dev**2).sum(axis=1)
    p2s2 = p**2 * sg**2
    se2 = (p2s2 * dev**2).sum(axis=1)
    s2 = p2s2.sum(axis=1)
    s4 = (p**4 * sg**4).sum(axis=1)
    se4 = (p**2 * (1 - p) ** 2 * sg**4).sum(axis=1)
    v["BGV"], e["BGV"] = bgv, np.sqrt(4 * se2 + 2 * (s2**2 - s4 + se4))
    v["BGSD"], e["BGSD"] = np.sqrt(bgv), nan
    with np.errstate(invalid="ignore", divide="ignore"):
        v["COV"], e["COV"] = 100 * np.sqrt(bgv) / mu, nan
    best = _best(yg, mask, fav)
    gap_best = np.where(mask, np.abs(yg - best[:, None]), 0.0)
    gap_mean = np.where(mask, np.abs(yg - mu_set[:, None]), 0.0)
    v["MDBW"], e["MDBW"] = (p * gap_best).sum(axis=1), nan
    v["MDBU"], e["MDBU"] = gap_best.sum(axis=1) / n, nan
    v["MDMW"], e["MDMW"] = (p * gap_mean).sum(axis=1), nan
    v["MDMU"], e["MDMU"] = gap_mean.sum(axis=1) / n, nan
    with np.errstate(invalid="ignore", divide="ignore"):
        v["IDISW"], e["IDISW"] = 100 * (p * gap_mean).sum(axis=1) / mu_set, nan
        v["IDISU"], e["IDISU"] = 100 * gap_mean.sum(axis=1) / n / mu_set, nan

        nonzero = np.where(mask & (yg == 0), TI_ZERO, yg)
        mu_nz = (p * nonzero).sum(axis=1)
        rj = np.where(mask, nonzero / mu_nz[:, None], 1.0)
        log_r = np.log(rj)
        v["TI"] = 1000 * (p * rj * log_r).sum(axis=1)
        prep = (p * rj * (1 + log_r)).sum(axis=1, keepdims=True)
        e["TI"] = 1000 * np.sqrt((((1 + log_r - prep) ** 2) * p2s2 / mu_nz[:, None] ** 2).sum(axis=1))
        v["MLD"] = 1000 * (p * -log_r).sum(axis=1)
        e["MLD"] = 1000 * np.sqrt((p2s2 / mu_nz[:, None] ** 2 * (1 - 1 / rj) ** 2).sum(axis=1))

        ref_slot = (n.astype(np.int64) - 1) if ordered else np.argmax(
            np.where(mask, np.where(fav[:, None], yg, -yg), -np.inf), axis=1)
        y_ref = _pick(yg, ref_slot)
        wrong_side = np.where(fav, y_ref - mu_set < 0, y_ref - mu_set > 0)
        v["PAR"] = np.where(wrong_side, 0.0, y_ref - mu_set)
        v["PAF"] = np.where(wrong_side, 0.0, 100 * (y_ref - mu_set) / mu_set)
        if scale is not None:
            se_af = _walter_se(pop, ref_slot, y_ref, mu_set, scale)
            e["PAR"], e["PAF"] = np.abs(mu_set) * se_af, 100 * se_af
        else:
            e["PAR"], e["PAF"] = nan, nan
    sims["ref_slot"] = ref_slot
    return v, e, sims


def _hc1(p, r, y, b0, b1, n):
    """HC1 (White, with n / (n - 2)) covariance of (intercept, slope) of the weighted regression.

    With X_j = (1, r_j), residuals e_j = y_j - b0 - b1 r_j and weights p_j: cov = n / (n - 2) B^-1 M B^-1,
    B = sum p_j X_j X_j', M = sum (p_j e_j)^2 X_j X_j' (White 1980; MacKinnon & White 1985), which is
    statsmodels' ``WLS(y, X, weights=p).fit(cov_type="HC1").cov_params()`` and healthequal's. Computed in
    closed form for every group at once rather than by statsmodels, which fits one group per call (a loop
    over 1,000 groups was 770 times slower); the tests check it against statsmodels to 1e-9 on random
    data.
    """
    resid = y - b0[:, None] - b1[:, None] * r
    # With X_j = (1, r_j) every matrix is 2 x 2 and symmetric: B = [[s0, s1], [s1, s2]] with
    # s_k = sum p r^k, M likewise with (p e)^2; the inverse and the sandwich are written out, for every
    # group at once (einsum and a batched inverse took a tenth of summary_measures on 200,000 groups).
    w = (p * resid) ** 2
    s0, s1, s2 = p.sum(axis=1), (p * r).sum(axis=1), (p * r * r).sum(axis=1)
    m0, m1, m2 = w.sum(axis=1), (w * r).sum(axis=1), (w * r * r).sum(axis=1)
    det = s0 * s2 - s1 * s1
    # A group of one subgroup has a singular B (no spread in rank); its measures are withheld anyway
    # (n <= 2), so it gets no covariance rather than stopping every other group.
    fit = (n > 2) & np.isfinite(det) & (det > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        a00, a01, a11 = s2 / det, -s1 / det, s0 / det  # B^-1
        factor = np.where(n > 2, n / (n - 2), np.nan)
        # (B^-1 M B^-1): first M B^-1's columns, then B^-1 times them
        u0, u1 = m0 * a00 + m1 * a01, m1 * a00 + m2 * a01  # M (a00, a01)'
        v0, v1 = m0 * a01 + m1 * a11, m1 * a01 + m2 * a11  # M (a01, a11)'
        c00 = factor * (a00 * u0 + a01 * u1)
        c01 = factor * (a00 * v0 + a01 * v1)
        c11 = factor * (a01 * v0 + a11 * v1)
    cov = np.stack([np.stack([c00, c01], axis=-1), np.stack([c01, c11], axis=-1)], axis=-2)
    return np.where(fit[:, None, None], cov, np.nan)


def _walter_se(pop, ref_slot, y_ref, mu, scale):
    """Walter (1978) standard error of the attributable fraction, from the counts the scale implies.

    With the reference subgroup's events c = y_ref / scale x its population and non-events d, and the
    others' events a and non-events b (a + c = mu / scale x total population, N = a + b + c + d):
    var(AF) = c N (a d (N - c) + b c^2) / ((a + c)^3 (c + d)^3).
    """
    pop_total = pop.sum(axis=1)
    ref_pop = _pick(pop, ref_slot)
    c = y_ref / scale * ref_pop
    d = ref_pop - c
    a = mu / scale * pop_total - c
    b = pop_total - a - ref_pop
    N = a + b + c + d
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(c * N * (a * d * (N - c) + b * c**2) / ((a + c) ** 3 * (c + d) ** 3))


# --------------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------------

LOG_SCALE = ("R", "RII")  # se is that of the log; limits exp(ln value -/+ z se)


def _limits(values, errors, levels, se_ok):
    out = {}
    for name, value in values.items():
        se = np.where(se_ok, errors[name], np.nan)
        errors[name] = se
        out[name] = {}
        for level in levels:
            z = z_value(level)
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # a huge se: limit inf
                if name in LOG_SCALE:
                    log_value = np.log(value)
                    out[name][level] = (np.exp(log_value - z * se), np.exp(log_value + z * se))
                else:
                    out[name][level] = (value - z * se, value + z * se)
    return out


def _simulate(p, yg, sg, mask, n, fav, setting, scale, levels, simulations, rng, budget=2**18):
    """Percentile limits of the measures without a closed-form se, from truncated-normal redraws.

    Each estimate is redrawn from N(y_j, s_j^2) truncated to [0, upper], upper = the scale for a
    percentage (100) or proportion (1), else unbounded. A draw x = y + s z, z standard normal, that
    falls outside the range is replaced by an exact draw from the truncated distribution,
    x = y + s Phi^-1(Phi(-y/s) + u (Phi((upper - y)/s) - Phi(-y/s))), u uniform on [0, 1), from a
    second stream. Kept draws are the normal restricted to the range, which is the truncated normal, and
    the replacements are independent truncated normals, so every draw has exactly that distribution (as
    healthequal's redraw-until-in-range does); the inverse CDF, five times the cost of a normal draw,
    is paid only for the few draws outside the range. Both streams are consumed in (group, simulation,
    subgroup) order, so the limits do not depend on the batch size (``budget``, the most draws held at
    once: small enough to stay in the processor's cache). Each subgroup's draws are one contiguous
    (groups, simulations) plane and the sums over subgroups run plane by plane, in numpy's own order
    (:func:`_subgroup_sum`): the same numbers as summing a (groups, simulations, subgroups) array along
    its last axis, five times faster.
    """
    G, K = yg.shape
    upper = np.full(G, np.inf) if scale is None else np.where(np.isin(scale, (1.0, 100.0)), scale, np.inf)
    probs = sorted({q for level in levels for q in ((1 - level) / 2, (1 + level) / 2)})
    result = {name: np.full((len(probs), G), np.nan) for name in SIMULATED}
    step = max(1, budget // max(1, simulations * K))
    replacements = rng.spawn(1)[0]  # the second stream, for draws outside the range
    for start in range(0, G, step):
        sl = slice(start, min(start + step, G))
        # single precision: 7 significant digits, far finer than the Monte Carlo error of the limits
        # (about 10% of their width at 100 simulations), at half the memory traffic
        y, s = yg[sl].T[:, :, None].astype(np.float32), sg[sl].T[:, :, None].astype(np.float32)
        m, w = mask[sl].T[:, :, None], p[sl].T[:, :, None].astype(np.float32)
        draws = _truncated_normal(y, s, upper[sl][None, :, None], simulations, rng, replacements)
        x = []  # the draws: one (groups, simulations) plane per subgroup
        for k in range(K):
            draw = draws[k]
            if not (s[k] > 0).all():
                draw = np.where(s[k] > 0, draw, y[k])
            if not m[k].all():
                draw = np.where(m[k], draw, 0.0)
            x.append(draw)
        mu = _subgroup_sum([w[k] * x[k] for k in range(K)])
        mu_set = mu if setting is None else np.broadcast_to(setting[sl][:, None].astype(mu.dtype), mu.shape)
        dev = [x[k] - mu if m[k].all() else np.where(m[k], x[k] - mu, 0.0) for k in range(K)]
        bgsd = np.sqrt(_subgroup_sum([w[k] * dev[k] ** 2 for k in range(K)]))
        f = fav[sl][:, None]
        highest = lowest = None
        if f.any():
            highest = x[0] if m[0].all() else np.where(m[0], x[0], -np.inf)
            for k in range(1, K):
                highest = np.maximum(highest, x[k] if m[k].all() else np.where(m[k], x[k], -np.inf))
        if not f.all():
            lowest = x[0] if m[0].all() else np.where(m[0], x[0], np.inf)
            for k in range(1, K):
                lowest = np.minimum(lowest, x[k] if m[k].all() else np.where(m[k], x[k], np.inf))
        best = highest if lowest is None else lowest if highest is None else np.where(f, highest, lowest)
        gap_best = [np.abs(x[k] - best) if m[k].all() else np.where(m[k], np.abs(x[k] - best), 0.0)
                    for k in range(K)]
        if setting is None:  # |x - mu|, already known
            gap_mean = [np.abs(d) for d in dev]
        else:
            gap_mean = [np.where(m[k], np.abs(x[k] - mu_set), 0.0) for k in range(K)]
        mdmw = _subgroup_sum([w[k] * gap_mean[k] for k in range(K)])
        mean_gap = _subgroup_sum(gap_mean)
        nn = n[sl][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            stats = {
                "BGSD": bgsd, "COV": 100 * bgsd / mu,
                "MDBW": _subgroup_sum([w[k] * gap_best[k] for k in range(K)]),
                "MDBU": _subgroup_sum(gap_best) / nn,
                "MDMW": mdmw, "MDMU": mean_gap / nn,
                "IDISW": 100 * mdmw / mu_set,
                "IDISU": 100 * mean_gap / nn / mu_set,
            }
        for name, draws in stats.items():
            result[name][:, sl] = _row_quantiles(draws, probs)
    where = {q: i for i, q in enumerate(probs)}
    return {name: {level: (result[name][where[(1 - level) / 2]], result[name][where[(1 + level) / 2]])
                   for level in levels} for name in SIMULATED}


def _truncated_normal(y, s, top, simulations, rng, replacements):
    """Draws from N(y, s^2) truncated to [0, top], as (subgroups, groups, simulations) planes, for y, s
    and top of shape (subgroups, groups, 1): normal draws, those outside the range replaced by exact
    inverse-CDF draws from ``replacements`` (see :func:`_simulate`). Both generators are consumed in
    (group, simulation, subgroup) order."""
    K, G = y.shape[:2]
    # normals drawn as (groups, simulations, subgroups), then one contiguous plane per subgroup
    draws = np.ascontiguousarray(rng.standard_normal((G, simulations, K), dtype=y.dtype).transpose(2, 0, 1))
    np.multiply(draws, s, out=draws)
    np.add(draws, y, out=draws)
    outside = (draws < 0) | (draws > top)
    if outside.any():
        g, t, k = np.nonzero(outside.transpose(1, 2, 0))  # in the order the draws were made
        yk, sk = y[k, g, 0], s[k, g, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            lo_cdf = special.ndtr((0 - yk) / sk)
            hi_cdf = special.ndtr((top[0, g, 0] - yk) / sk)
            draws[k, g, t] = yk + sk * special.ndtri(lo_cdf + replacements.random(len(g)) * (hi_cdf - lo_cdf))
    return draws


def _subgroup_sum(terms):
    """The sum of per-subgroup planes, added in the order numpy adds along an axis (one by one below 8
    terms, else 8 running sums combined pairwise, in halves above 128), so that it equals, bit for bit,
    stacking the planes on a last axis and calling ``.sum(axis=-1)``, which is five times slower."""
    def pairwise(part):
        count = len(part)
        if count < 8:
            total = 0.0 + part[0]
            for term in part[1:]:
                total = total + term
            return total
        if count <= 128:
            running = list(part[:8])
            i = 8
            while i < count - count % 8:
                running = [running[j] + part[i + j] for j in range(8)]
                i += 8
            total = ((running[0] + running[1]) + (running[2] + running[3])) + \
                    ((running[4] + running[5]) + (running[6] + running[7]))
            for term in part[i:]:
                total = total + term
            return total
        half = count // 2
        half -= half % 8
        return pairwise(part[:half]) + pairwise(part[half:])

    return 0.0 + pairwise(terms)


def _row_quantiles(draws, probs):
    """``np.quantile(draws, probs, axis=1)`` (its default, linear interpolation), from one sort of each
    row: numpy's quantile works column by column along the first axis, slowly for many short rows. The
    interpolation is numpy's own: previous + (next - previous) t, or next - (next - previous)(1 - t) when
    t >= 0.5; a row with a missing value gives a missing quantile."""
    count = draws.shape[1]
    places = []
    for q in probs:
        virtual = np.asarray((count - 1) * q)
        if virtual >= count - 1:
            below = above = count - 1
        elif virtual < 0:
            below = above = 0
        else:
            below = int(np.floor(virtual))
            above = below + 1
        places.append((below, above, virtual - below))
    ordered = np.sort(draws, axis=1)  # (np.partition at 4 to 6 places is 3 times slower on rows of 100)
    has_nan = np.isnan(ordered[:, -1])
    out = np.empty((len(probs), ordered.shape[0]))
    for i, (below, above, t) in enumerate(places):
        a, b = ordered[:, below], ordered[:, above]
        with np.errstate(invalid="ignore"):  # inf - inf: missing, as numpy's
            diff = b - a
            out[i] = b - diff * (1 - t) if t >= 0.5 else a + diff * t
        out[i, has_nan] = np.nan
    return out


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------

FORMULAS = {
    "weighted_mean": "mu = sum(p_j y_j), p_j = pop_j / sum(pop)",
    "D": "D = y1 - y2 (HEAT's choice of subgroups; see notes)",
    "R": "R = y1 / y2",
    "relative_gap_pct": "100 (y1 - y2) / y2",
    "ACI": "ACI = sum(p_j (2 r_j - 1) y_j), r_j = cumulative share to the midpoint, most disadvantaged first",
    "RCI": "RCI = ACI / mu",
    "RCI_wagstaff": "W = (b - a) ACI / ((mu - a)(b - mu)), bounds (a, b)",
    "ACI_erreygers": "E = 4 ACI / (b - a), bounds (a, b)",
    "SII": "weighted least squares of y on r: fitted(r = 1) - fitted(r = 0)",
    "SII_intercept": "fitted(r = 0), the most disadvantaged end",
    "RII": "fitted(r = 1) / fitted(r = 0)",
    "BGV": "sum(p_j (y_j - mu)^2)",
    "BGSD": "sqrt(BGV)",
    "COV": "100 BGSD / mu",
    "MDBW": "sum(p_j |y_j - y_best|)",
    "MDBU": "sum(|y_j - y_best|) / n",
    "MDMW": "sum(p_j |y_j - mu|)",
    "MDMU": "sum(|y_j - mu|) / n",
    "IDISW": "100 sum(p_j |y_j - mu|) / mu",
    "IDISU": "(100 / n) sum(|y_j - mu|) / mu",
    "TI": "1000 sum(p_j (y_j / mu) ln(y_j / mu))",
    "MLD": "1000 sum(p_j (-ln(y_j / mu)))",
    "PAR": "y_ref - mu (0 if y_ref is on the worse side of mu)",
    "PAF": "100 (y_ref - mu) / mu (0 if y_ref is on the worse side of mu)",
}
SIMPLE = ("weighted_mean", "D", "R", "relative_gap_pct")


def _ci_method(name, has_se, simulations, seed_text):
    if not has_se:
        return "none (no standard errors given)"
    if name in SIMULATED:
        return f"simulation, {simulations} truncated-normal redraws{seed_text}"
    return {
        "weighted_mean": "none", "relative_gap_pct": "none",
        "D": "normal approximation", "BGV": "normal approximation (Ahn et al. 2018)",
        "TI": "normal approximation (Ahn et al. 2018)", "MLD": "normal approximation (Ahn et al. 2018)",
        "R": "log scale: exp(ln R -/+ z se(ln R)); se is that of ln R",
        "RII": "log scale, delta method with HC1 robust covariance; se is that of ln RII",
        "SII": "HC1 robust standard error", "SII_intercept": "HC1 robust standard error",
        "PAR": "Walter 1978 (needs scale)", "PAF": "Walter 1978 (needs scale)",
    }.get(name, "convenient regression (O'Donnell et al. 2008)")


def _assemble(lay, values, errors, lower_upper, levels, fav, ordered, sims, simulations, has_se, labels,
              seed_text):
    G = lay.n_groups
    n = lay.size
    names = [m[0] for m in MEASURES]
    complex_ok = n > 2
    for name in names:
        if name not in SIMPLE:
            values[name] = np.where(complex_ok, values[name], np.nan)
            errors[name] = np.where(complex_ok, errors[name], np.nan)
            for level in levels:
                lo, hi = lower_upper[name][level]
                lower_upper[name][level] = (np.where(complex_ok, lo, np.nan),
                                            np.where(complex_ok, hi, np.nan))
    words = _interpretations(values, fav, ordered, sims, lay, labels, n)
    rows = np.repeat(np.arange(G), len(names))
    slots = np.tile(np.arange(len(names)), G)
    meta = pd.DataFrame(MEASURES, columns=["measure", "label", "kind", "weighted", "ordered_only", "scale"])

    def tiled(texts):  # one text per measure, repeated for every group
        return _categorical(list(texts), slots)

    def stacked(arrays):  # one array per measure, of a value per group, as group-major rows
        return np.vstack(arrays).T.copy().ravel()  # one blocked transpose: 5 times np.stack(axis=1)

    columns = {"measure": tiled(meta["measure"]), "label": tiled(meta["label"]),
               "value": stacked([values[name] for name in names]),
               "se": stacked([errors[name] for name in names])}
    for level in levels:
        suffix = level_suffix(level)
        columns[f"lower_{suffix}"] = stacked([lower_upper[name][level][0] for name in names])
        columns[f"upper_{suffix}"] = stacked([lower_upper[name][level][1] for name in names])
    columns["scale"] = tiled(meta["scale"])
    columns["kind"] = tiled(meta["kind"])
    columns["weighted"] = meta["weighted"].to_numpy(dtype=bool)[slots]
    columns["ordered_only"] = meta["ordered_only"].to_numpy(dtype=bool)[slots]
    columns["ci_method"] = tiled(_ci_method(name, has_se, simulations, seed_text) for name in names)
    # each measure's distinct sentences, numbered after the previous measures' (codes: groups x measures)
    texts, codes, offset = [], np.empty((G, len(names)), dtype=np.int64), 0
    for j, name in enumerate(names):
        code, distinct = words[name]
        codes[:, j] = code + offset
        texts += distinct
        offset += len(distinct)
    columns["interpretation"] = _categorical(texts, codes.ravel())
    columns["formula"] = tiled(FORMULAS[name] for name in names)
    # built once from its columns (pandas would copy each column assigned to a frame one by one)
    keys = {column: lay.keys[column].array.take(rows) for column in lay.keys.columns}  # no index to take
    return pd.DataFrame({**keys, **columns}, copy=False)


def _categorical(texts: list[str], codes: np.ndarray) -> pd.Categorical:
    """``texts[codes]`` as a categorical column: each distinct sentence stored once, not once per row
    (4.8 million rows of repeated text would otherwise be most of the output's cost)."""
    distinct, position = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
    small = np.int8 if len(distinct) < 2**7 else np.int16 if len(distinct) < 2**15 else np.int32
    # codes come from np.unique's inverse, so they are valid by construction: no need to check 4.8M again
    categories = pd.Index(distinct, dtype="str")
    return pd.Categorical.from_codes(position.astype(small)[codes], categories=categories, validate=False)


def _interpretations(values, fav, ordered, sims, lay, labels, n):
    """One sentence per measure and group, saying which direction is worse: {measure: (each group's code,
    the distinct sentences)}.

    Each distinct sentence is built once (:func:`distinct_rows` of everything it depends on: the
    value as written, its sign and side of 1, the direction, the number of subgroups and the labels), so
    200,000 groups of rounded values cost a few thousand sentences, not 4.8 million.
    """
    i1, i2 = sims["pairs"]
    # Labels as codes into their distinct texts (text is made only for the sentences built)
    label_code, label_text = labels
    label_text = [*label_text, ""]  # code -1: no subgroup in that slot

    def label_at(slot):  # the code of the label of each group's subgroup in that slot
        row = np.take_along_axis(lay.rows, slot[:, None], axis=1)[:, 0]
        return np.where(row >= 0, label_code[np.maximum(row, 0)], -1)

    l1, l2, ref = label_at(i1), label_at(i2), label_at(sims["ref_slot"])
    fav = np.asarray(fav, dtype=bool)
    context, _ = distinct_rows([fav, n <= 2, l1 + 1, l2 + 1, ref + 1])
    has_reference = sims["has_reference"]
    out = {}
    for name, vals in values.items():
        within, tag = number_key(vals)
        code, first = distinct_rows([within, context * 64 + tag])
        # one sentence per distinct row, from plain Python values (numpy scalars cost more than the text)
        out[name] = code, [
            _text(name, v, f, k, ordered, has_reference, label_text[a], label_text[b], label_text[r])
            for v, f, k, a, b, r in zip(vals[first].tolist(), fav[first].tolist(), n[first].tolist(),
                                        l1[first].tolist(), l2[first].tolist(), ref[first].tolist(),
                                        strict=True)]
    return out


def _text(name, v, fav, n, ordered, has_reference, l1, l2, ref):
    """The sentence for one measure of one group."""
    worse = "higher values are better" if fav else "higher values are worse"
    if name in ("ACI", "RCI", "RCI_wagstaff", "ACI_erreygers", "SII", "SII_intercept", "RII") \
            and not ordered:
        return "needs an ordered dimension (pass order=, 1 = most disadvantaged)"
    if name not in SIMPLE and n <= 2:
        return "needs more than two subgroups (HEAT computes only simple measures for two)"
    if not math.isfinite(v):
        need = " (needs bounds=(lower, upper))" if name in ("RCI_wagstaff", "ACI_erreygers") else ""
        return f"not computed{need}"
    return f"{worse}; " + _sentence(name, v, fav, ordered, has_reference, l1, l2, ref, format_number)


def _worse_off(high_label, low_label, favourable):
    return low_label if favourable else high_label


def _sentence(name, v, fav, ordered, has_reference, l1, l2, ref, fmt):
    if ordered:
        role1 = "most advantaged" if fav else "most disadvantaged"
        role2 = "most disadvantaged" if fav else "most advantaged"
    elif has_reference:
        role1, role2 = ("reference", "lowest") if fav else ("highest", "reference")
    else:
        role1, role2 = "highest", "lowest"
    pair = f"the {role1} subgroup ('{l1}') and the {role2} ('{l2}')"
    if name == "weighted_mean":
        return f"the population-weighted average of the subgroups is {fmt(v)}"
    if name in ("D", "R", "relative_gap_pct"):
        y1_higher = (v > 0) if name in ("D", "relative_gap_pct") else (v > 1)
        equal = (v == 0) if name in ("D", "relative_gap_pct") else (v == 1)
        if equal:
            return f"no gap between {pair}"
        high, low = (l1, l2) if y1_higher else (l2, l1)
        who = _worse_off(high, low, fav)
        if name == "D":
            what = f"'{l1}' minus '{l2}' is {fmt(v)}"
        elif name == "R":
            what = f"'{l1}' has {fmt(v)} times the value of '{l2}'"
        else:
            what = f"'{l1}' is {fmt(abs(v))}% {'above' if v > 0 else 'below'} '{l2}'"
        return f"comparing {pair}: {what}, so '{who}' is worse off"
    if name in ("ACI", "RCI", "RCI_wagstaff", "ACI_erreygers"):
        if v == 0:
            return "no concentration: the indicator is spread evenly from the most to the least disadvantaged"
        among_poor = v < 0
        poor_worse = among_poor != fav
        return (f"{'negative' if among_poor else 'positive'}: the indicator is concentrated among the more "
                f"{'disadvantaged' if among_poor else 'advantaged'}, so the "
                f"{'more' if poor_worse else 'less'} disadvantaged are worse off")
    if name in ("SII", "RII"):
        rising = v > 0 if name == "SII" else v > 1
        if (name == "SII" and v == 0) or (name == "RII" and v == 1):
            return "no gradient from the most to the least disadvantaged"
        if name == "SII":
            change = f"the fitted value {'rises' if rising else 'falls'} by {fmt(abs(v))} from the most " \
                     "disadvantaged end (rank 0) to the most advantaged (rank 1)"
        else:
            change = f"the fitted value at the most advantaged end (rank 1) is {fmt(v)} times that at the " \
                     "most disadvantaged end (rank 0)"
        most_disadvantaged_worse = rising == fav
        who = "most" if most_disadvantaged_worse else "least"
        return f"{change}, so the {who} disadvantaged are worse off"
    if name == "SII_intercept":
        return f"the fitted value at the most disadvantaged end (rank 0) is {fmt(v)}"
    if name in ("MDBW", "MDBU"):
        return (f"on average the subgroups are {fmt(v)} from the best performing subgroup (the "
                f"{'highest' if fav else 'lowest'}); 0 means no inequality")
    if name in ("PAR", "PAF"):
        target = "most advantaged subgroup" if ordered else "best performing subgroup"
        if v == 0:
            return f"no improvement: no subgroup does worse than the {target} ('{ref}') on average"
        unit = "%" if name == "PAF" else ""
        return (f"the average would {'rise' if v > 0 else 'fall'} by {fmt(abs(v))}{unit} if every subgroup "
                f"had the value of the {target} ('{ref}')")
    unsigned = {
        "BGV": "between-group variance", "BGSD": "between-group standard deviation",
        "COV": "coefficient of variation (%)", "MDMW": "mean difference from the mean",
        "MDMU": "mean difference from the mean", "IDISW": "index of disparity (%)",
        "IDISU": "index of disparity (%)", "TI": "Theil index (x 1000)", "MLD": "mean log deviation (x 1000)",
    }[name]
    return (f"{unsigned} {fmt(v)}: 0 means no inequality, larger values more; it does not say who is worse "
            "off (see D, SII or ACI)")
