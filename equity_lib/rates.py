"""Public-health rates with confidence limits: proportions, crude rates, means, directly and indirectly
standardised rates, for one unit per row or summed over groups.

Every function takes a tidy DataFrame ``data`` and column names (``numerator`` and ``denominator`` for
counts, ``value`` for :func:`mean`), ``by`` (a column or list of columns to sum over),
``confidence`` (one level, e.g. ``0.95``, or several, e.g. ``(0.95, 0.998)``) and ``multiplier``, and
returns a DataFrame with ``value`` and, for each level, ``lower_95``/``upper_95``,
``lower_99_8``/``upper_99_8`` and so on (``0.9`` -> ``90``, ``0.99`` -> ``99``). Defaults follow
PHEindicatormethods 2.1.0 (OHID/UKHSA) and the PHE Technical Guide *Confidence intervals* (APHO, 2008;
Fingertips methods), as ``conventions.md`` decides; the code is written from the published formulas:

* :func:`proportion`: Wilson score limits (Wilson 1927; Newcombe & Altman in *Statistics with
  Confidence*, 2nd edn, 2000, pp. 46-48), computed by statsmodels' ``proportion_confint``.
* :func:`rate`: exact Poisson limits from the chi-square distribution (Ulm 1990, *Am J Epidemiol*
  131:373-5) below 10 events, Byar's approximation (Breslow & Day 1987, *Statistical Methods in Cancer
  Research* vol. II, p. 69) from 10.
* :func:`mean`: Student's t.
* :func:`dsr`: directly standardised rate on the European Standard Population 2013 (:data:`ESP2013`),
  Dobson limits (Dobson, Kuulasmaa, Eberle & Scherer 1991, *Stat Med* 10:457-62), withheld below 10
  events; non-independent events as in the PHE Technical Guide.
* :func:`isr`: indirectly standardised ratio or rate (observed / expected), exact limits below 10
  observed, Byar from 10 (PHE Technical Guide, APHO 2008).

The low-level :func:`wilson_limits`, :func:`byar_limits`, :func:`exact_poisson_limits` and
:func:`poisson_limits` take and return numpy arrays, for use elsewhere (funnel plots, inequality).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import (
    by_columns,
    column_names,
    confidence_levels,
    fail_rows,
    group_codes,
    level_suffix,
    missing_labels,
    number_sequence,
    numeric_column,
    positive_number,
    require_columns,
    require_dataframe,
)

__all__ = [
    "ESP2013",
    "byar_limits",
    "dsr",
    "exact_poisson_limits",
    "isr",
    "mean",
    "poisson_limits",
    "proportion",
    "rate",
    "wilson_limits",
]

#: The European Standard Population 2013 (Eurostat 2013, as shipped in PHEindicatormethods), with 19
#: age bands ``0-4``, ``5-9``, ..., ``85-89``, ``90+`` and their weights (sum 100,000), in columns
#: ``age_band`` and ``weight``. :func:`dsr` uses it unless told otherwise; match your data to it by
#: position (19 rows per group, youngest first) or by label with ``age_band=`` (``"00-04"``,
#: ``"0 - 4"`` and ``"90 and over"`` are read as ``"0-4"`` and ``"90+"``).
ESP2013 = pd.DataFrame({
    "age_band": ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
                 "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+"],
    "weight": [5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0,
               6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0],
})

EXACT_BELOW = 10  # events: exact Poisson limits below this, Byar's from it (PHE Technical Guide)
DSR_MIN_COUNT = 10  # a DSR from fewer events is withheld (PHE Technical Guide; PHEindicatormethods)


# --------------------------------------------------------------------------------------------------
# Limits for counts and proportions (arrays in, arrays out)
# --------------------------------------------------------------------------------------------------

def _z(confidence: float) -> float:
    """Two-sided normal deviate: z = Phi^-1(1 - (1 - confidence) / 2), 1.959964 for 0.95 (``ndtri``, the
    function ``scipy.stats.norm.ppf`` evaluates, without importing scipy.stats)."""
    return float(special.ndtri(1 - (1 - confidence) / 2))


def wilson_limits(x, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of the proportion x / n (x numerators, n denominators; arrays or numbers).

    lower, upper = (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), z = Phi^-1(1 - alpha/2)
    (Wilson 1927, *J Am Stat Assoc* 22:209-12; Newcombe & Altman 2000). Computed by statsmodels'
    ``proportion_confint(x, n, alpha, method="wilson")``, the same interval written as
    (p + z^2/2n -/+ z sqrt(p(1 - p)/n + z^2/4n^2)) / (1 + z^2/n), p = x/n, clipped to [0, 1]: it
    reproduces PHEindicatormethods' reference cases to 2e-14 relative, is vectorised, and takes
    fractional (e.g. weighted) numerators. The lower limit is exactly 0 when x = 0 and the upper exactly
    1 when x = n. Missing x or n give NaN.
    """
    from statsmodels.stats.proportion import proportion_confint  # imported on first use (it is slow)

    x, n = np.asarray(x, dtype="float64"), np.asarray(n, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        lower, upper = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    lower = np.where(x == 0, 0.0, lower)  # exactly 0 and 1 at the ends, which rounding
    upper = np.where(x == n, 1.0, upper)  # would otherwise miss by 1e-16
    return lower, upper


def byar_limits(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson limits of an observed count x.

    lower = x (1 - 1/(9x) - z/(3 sqrt(x)))^3, upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
    (Breslow & Day 1987, vol. II, p. 69). For small x at high confidence the lower formula goes
    negative (x = 1 at 99.8%); such limits, and x = 0, are NaN: use :func:`poisson_limits`, which
    switches to exact limits below 10 events.
    """
    x = np.asarray(x, dtype="float64")
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        x1 = x + 1
        upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    lower = np.where(lower >= 0, lower, np.nan)
    return lower, upper


def exact_poisson_limits(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits of an observed count x, from the chi-square distribution.

    lower = chi2_{alpha/2}(2x) / 2 (0 when x = 0), upper = chi2_{1 - alpha/2}(2x + 2) / 2, where
    chi2_p(df) is the p quantile (Ulm 1990, *Am J Epidemiol* 131:373-5; Garwood 1936).
    """
    x = np.asarray(x, dtype="float64")
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, special.chdtri(2 * np.where(x > 0, x, 1), 1 - alpha / 2) / 2, 0.0)
        upper = special.chdtri(2 * x + 2, alpha / 2) / 2
    lower = np.where(np.isnan(x), np.nan, lower)
    return lower, upper


def poisson_limits(x, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Limits of a count as PHE computes them: exact below 10 events, Byar's from 10.

    Returns (lower, upper, method) with method ``"exact"`` or ``"byar"`` per element (missing x: NaN
    limits and a missing method). Sources: :func:`exact_poisson_limits`, :func:`byar_limits`.
    """
    x = np.asarray(x, dtype="float64")
    exact_lo, exact_hi = exact_poisson_limits(x, confidence)
    byar_lo, byar_hi = byar_limits(x, confidence)
    small = x < EXACT_BELOW
    return np.where(small, exact_lo, byar_lo), np.where(small, exact_hi, byar_hi), _poisson_method(x)


def _poisson_method(x: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(x), None, np.where(x < EXACT_BELOW, "exact", "byar")).astype(object)


# --------------------------------------------------------------------------------------------------
# Shared plumbing
# --------------------------------------------------------------------------------------------------

def _start(data, by, columns, confidence, multiplier, example_multiplier):
    require_dataframe(data)
    levels = confidence_levels(confidence)
    mult = positive_number(multiplier, "multiplier", example_multiplier)
    by = by_columns(by)
    for name, column in columns.items():
        if column is None:
            raise TypeError(f"{name} must name a column of data, not None. Fix: pass {name}='<column name>'.")
    column_names(columns)
    require_columns(data, [*columns.values(), *by])
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass at least one row.")
    return levels, mult, by


def _group_sum(values: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    """Sum per group; a group with any missing value is missing (as R's sum, PHEindicatormethods)."""
    missing = np.isnan(values)
    total = np.bincount(codes, weights=np.where(missing, 0.0, values), minlength=k)
    if missing.any():
        total[np.bincount(codes, weights=missing, minlength=k) > 0] = np.nan
    return total


def _output(data, keys, grouped_columns: dict, results: dict) -> pd.DataFrame:
    """Row-wise (keys None): the input plus the results; grouped: the keys, summed columns, results."""
    if keys is None:
        out = data.copy()
    else:
        out = keys.copy()
        for name, values in grouped_columns.items():
            out[name] = values
    clash = [name for name in results if name in out.columns]
    if clash:
        raise ValueError(f"data already has column(s) {clash}, which this function adds. "
                         "Fix: rename those columns first.")
    for name, values in results.items():
        out[name] = values
    return out


def _limit_columns(levels, value_fn) -> dict:
    """{'lower_95': ..., 'upper_95': ..., 'lower_99_8': ...} from value_fn(level) -> (lower, upper)."""
    columns = {}
    for level in levels:
        lower, upper = value_fn(level)
        columns[f"lower_{level_suffix(level)}"] = lower
        columns[f"upper_{level_suffix(level)}"] = upper
    return columns


def _check_counts(data, column, values, what="counts"):
    fail_rows(data, values < 0, f"Column '{column}' has negative {what}",
              f"{what} cannot be negative; correct the extract.")


def _check_denominators(data, column, values, allow_zero=False, what="denominator"):
    fail_rows(data, np.isnan(values), f"Column '{column}' has a missing {what}",
              f"fill in the {what}, or drop the row (a value without a {what} cannot be computed).")
    if allow_zero:
        fail_rows(data, values < 0, f"Column '{column}' has a negative {what}",
                  f"a {what} cannot be negative; correct the extract.")
    else:
        fail_rows(data, values <= 0, f"Column '{column}' has a zero or negative {what}",
                  f"a {what} must be greater than 0; drop the row or correct it.")


# --------------------------------------------------------------------------------------------------
# Proportions, rates, means
# --------------------------------------------------------------------------------------------------

def proportion(data: pd.DataFrame, numerator: str, denominator: str, *, by: str | list[str] | None = None,
               confidence: float | Sequence[float] = 0.95, multiplier: float = 1) -> pd.DataFrame:
    """Proportions numerator / denominator with Wilson score confidence limits.

    With x the numerator and n the denominator: value = x / n x multiplier; limits
    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)) x multiplier, z = Phi^-1(1 - (1 - confidence)/2)
    (Wilson 1927; Newcombe & Altman 2000), as PHEindicatormethods ``phe_proportion``; computed by
    :func:`wilson_limits`.

    Parameters
    ----------
    data : DataFrame
    numerator, denominator : str
        Columns of numerators (cases) and denominators (the population or sample); numerators may be
        fractional (e.g. weighted counts).
    by : str or list of str, optional
        Without ``by`` each row is its own unit and the output keeps every input column; with ``by`` the
        numerators and denominators are summed per group (as PHEindicatormethods does for grouped
        data) and the output has the grouping columns, the summed numerator and denominator columns
        (under their own names) and the results.
    confidence : float or tuple of float
        Two-sided level(s) strictly between 0 and 1, e.g. ``0.95`` or ``(0.95, 0.998)``.
    multiplier : float
        1 for a proportion, 100 for a percentage.

    Returns
    -------
    DataFrame
        ``value``, ``lower_95``, ``upper_95`` (and ``lower_99_8``, ... for other levels). A missing
        numerator gives missing results (a group with one is missing, as R's ``sum``); a missing, zero
        or negative denominator, a negative numerator or a numerator above its denominator is an error.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import proportion
    >>> d = pd.DataFrame({"dna": [12, 30], "appointments": [200, 250]})
    >>> proportion(d, numerator="dna", denominator="appointments", multiplier=100)["value"].tolist()
    [6.0, 12.0]
    """
    columns = {"numerator": numerator, "denominator": denominator}
    levels, mult, by = _start(data, by, columns, confidence, multiplier, "100 for a percentage")
    num, den = numeric_column(data, numerator), numeric_column(data, denominator)
    _check_counts(data, numerator, num, "numerators")
    _check_denominators(data, denominator, den)
    fail_rows(data, num > den, f"Column '{numerator}' (numerator) is above column '{denominator}' "
              "(denominator)", "a proportion cannot exceed 1; check that numerator= and denominator= are "
              "not swapped.")
    codes, keys = group_codes(data, by)
    if by:
        num, den = _group_sum(num, codes, len(keys)), _group_sum(den, codes, len(keys))

    def limits(level):
        lower, upper = wilson_limits(num, den, level)
        return lower * mult, upper * mult

    results = {"value": num / den * mult, **_limit_columns(levels, limits)}
    return _output(data, keys if by else None, {numerator: num, denominator: den}, results)


def rate(data: pd.DataFrame, numerator: str, denominator: str, *, by: str | list[str] | None = None,
         confidence: float | Sequence[float] = 0.95, multiplier: float = 100_000) -> pd.DataFrame:
    """Crude rates numerator / denominator with exact Poisson limits below 10 events, Byar's from 10.

    With x the numerator (events) and n the denominator:
    value = x / n x multiplier; limits = L(x) / n x multiplier and U(x) / n x multiplier, where for
    x < 10 L = chi2_{alpha/2}(2x)/2 and U = chi2_{1-alpha/2}(2x+2)/2 (exact; Ulm 1990) and for x >= 10
    L = x(1 - 1/(9x) - z/(3 sqrt x))^3, U = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3 (Byar, in
    Breslow & Day 1987), as PHEindicatormethods ``phe_rate`` and the PHE Technical Guide.

    Parameters
    ----------
    data : DataFrame
    numerator, denominator : str
        Columns of event counts and denominators (population or person-years).
    by : str or list of str, optional
        As in :func:`proportion`: each row its own unit, or counts and denominators summed per group.
    confidence : float or tuple of float
        e.g. ``0.95`` or ``(0.95, 0.998)``.
    multiplier : float
        Rate per how many (default 100,000).

    Returns
    -------
    DataFrame
        ``value``, ``lower_95``, ``upper_95``, ... and ``method`` (``"exact"`` or ``"byar"``; the
        choice depends on the count only, so it is the same for every level). A count may exceed its
        denominator (more events than people). Errors: negative counts; missing, zero or negative
        denominators.
    """
    columns = {"numerator": numerator, "denominator": denominator}
    levels, mult, by = _start(data, by, columns, confidence, multiplier, "100000 (per 100,000)")
    num, den = numeric_column(data, numerator), numeric_column(data, denominator)
    _check_counts(data, numerator, num)
    _check_denominators(data, denominator, den)
    codes, keys = group_codes(data, by)
    if by:
        num, den = _group_sum(num, codes, len(keys)), _group_sum(den, codes, len(keys))

    def limits(level):
        lower, upper, _ = poisson_limits(num, level)
        return lower / den * mult, upper / den * mult

    results = {"value": num / den * mult, **_limit_columns(levels, limits), "method": _poisson_method(num)}
    return _output(data, keys if by else None, {numerator: num, denominator: den}, results)


def mean(data: pd.DataFrame, value: str, *, by: str | list[str] | None = None,
         confidence: float | Sequence[float] = 0.95) -> pd.DataFrame:
    """Means with Student's t confidence limits.

    With x_1, ..., x_k the k non-missing values of the ``value`` column: mean = sum(x_i) / k; limits =
    mean -/+ t_{1-alpha/2, k-1} s / sqrt(k), with s the sample standard deviation (divisor k - 1), as
    PHEindicatormethods ``phe_mean``.

    Parameters
    ----------
    data : DataFrame
        One row per individual value.
    value : str
        Column of values; missing values are left out (``value_count`` counts those used).
    by : str or list of str, optional
        A mean per group; without ``by`` the whole column is one unit (a mean of one value has no
        limits, so unlike :func:`proportion` the rows are not separate units).
    confidence : float or tuple of float

    Returns
    -------
    DataFrame
        The grouping columns, ``value_sum``, ``value_count``, ``stdev``, ``value``, ``lower_95``,
        ``upper_95``, ... Limits are missing for a group with fewer than 2 values; a group whose values
        are all missing has ``value_count`` 0 and a missing ``value_sum``, ``value`` and limits (as
        :func:`proportion` gives missing results for a missing numerator), never an error.
    """
    levels, _, by = _start(data, by, {"value": value}, confidence, 1, "1")
    values = numeric_column(data, value)
    codes, keys = group_codes(data, by)
    k = len(keys)
    present = ~np.isnan(values)
    count = np.bincount(codes[present], minlength=k).astype("float64")
    # float64 even when no value is present (bincount of nothing is an integer array)
    total = np.bincount(codes[present], weights=values[present], minlength=k).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = total / count
        squares = np.bincount(codes[present], weights=(values[present] - centre[codes[present]]) ** 2,
                              minlength=k)
        sd = np.sqrt(squares / (count - 1))
    sd[count < 2] = np.nan
    total[count == 0] = np.nan

    from scipy import stats  # imported on first use (it is slow)

    def limits(level):
        with np.errstate(invalid="ignore", divide="ignore"):
            t = stats.t.ppf(1 - (1 - level) / 2, np.where(count >= 2, count - 1, np.nan))
            half = t * sd / np.sqrt(count)
        return centre - half, centre + half

    out = keys.copy()
    columns = {"value_sum": total, "value_count": count.astype(np.int64), "stdev": sd, "value": centre,
               **_limit_columns(levels, limits)}
    return _output(data, out, columns, {})


# --------------------------------------------------------------------------------------------------
# Directly standardised rates
# --------------------------------------------------------------------------------------------------

_BAND_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|to|–)\s*(\d+)\s*$", re.IGNORECASE)
_BAND_OPEN = re.compile(r"^\s*(\d+)\s*(?:\+|plus|and over|or over|and older)\s*$", re.IGNORECASE)


def _band_label(label) -> str:
    """'00-04', '0 - 4', '0 to 4' -> '0-4'; '90+', '90 and over' -> '90+'; anything else as text."""
    text = str(label)
    match = _BAND_RANGE.match(text)
    if match:
        return f"{int(match.group(1))}-{int(match.group(2))}"
    match = _BAND_OPEN.match(text)
    if match:
        return f"{int(match.group(1))}+"
    return text.strip()


def _band_codes(data, age_band) -> tuple[np.ndarray, list[str]]:
    """Each row's band as an integer code, and the bands' labels read loosely ('00-04' is '0-4')."""
    raw, uniques = pd.factorize(data[age_band], sort=False)
    fail_rows(data, raw < 0, f"Column '{age_band}' (age band) is missing", "label every row's band.")
    merged, labels = pd.factorize(pd.Index([_band_label(u) for u in uniques], dtype=object), sort=False)
    return merged[raw], list(labels)


def _group_name(keys: pd.DataFrame, group: int) -> str:
    if keys.shape[1] == 0:
        return "the data"
    row = keys.iloc[group]
    return "group " + ", ".join(f"{c}={row[c]!r}" for c in keys.columns)


def _positions(codes: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each group, in row order."""
    return pd.Series(codes).groupby(codes).cumcount().to_numpy()


def _standard_table(standard) -> tuple[list[str] | None, np.ndarray]:
    """(labels or None, weights) of a standard population given as None, a DataFrame or numbers."""
    if standard is None:
        return list(ESP2013["age_band"]), ESP2013["weight"].to_numpy()
    if isinstance(standard, pd.DataFrame):
        require_columns(standard, ["age_band", "weight"])
        weights = numeric_column(standard, "weight")
        labels = [_band_label(b) for b in standard["age_band"]]
        if len(set(labels)) < len(labels):
            raise ValueError("standard has an age band twice. Fix: give each band one row.")
    else:
        if isinstance(standard, (str, bytes)) or not isinstance(standard, (Sequence, np.ndarray, pd.Series)):
            raise TypeError(f"standard must be None (ESP2013), a column name, a DataFrame with columns "
                            f"age_band and weight, or a list of weights; not {type(standard).__name__}.")
        weights = number_sequence(standard, "standard", "weights, one per age band")
        labels = None
    if weights.ndim != 1 or weights.size == 0 or np.isnan(weights).any() or (weights <= 0).any():
        raise ValueError("standard population weights must be one or more numbers greater than 0. "
                         "Fix: pass e.g. equity_lib.rates.ESP2013.")
    return labels, weights


def _dsr_weights(data, codes, keys, standard, age_band, nonindependent):
    """Per-row standard weight, per-row band id, and for each group W = the sum of its bands' weights.

    Also the per-row flag 'first row of its (group, band)', so per-band quantities are counted once.
    """
    k = len(keys)
    if isinstance(standard, str):  # a column of weights, one per row
        require_columns(data, [standard])
        weights = numeric_column(data, standard)
        fail_rows(data, np.isnan(weights) | (weights <= 0), f"Column '{standard}' (standard population) "
                  "is missing, zero or negative", "give every age band its standard population weight.")
        band = _band_codes(data, age_band)[0] if age_band is not None else _positions(codes)
        nbands = int(band.max()) + 1
    else:
        labels, table = _standard_table(standard)
        nbands = table.size
        if age_band is None:
            band = _positions(codes)
            rows = np.bincount(codes, minlength=k)
            wrong = np.flatnonzero(rows != nbands)
            if wrong.size:
                name = "ESP2013" if standard is None else "the standard population"
                raise ValueError(
                    f"{_group_name(keys, wrong[0])} has {rows[wrong[0]]} rows but {name} has {nbands} age "
                    f"bands ({wrong.size} group(s) differ). Fix: give each group one row per age band, "
                    "youngest first, or pass age_band='<column of band labels>' to match them by label.")
        else:
            raw, uniques = _band_codes(data, age_band)
            if labels is None:  # a list of weights: the i-th distinct band in the data gets the i-th weight
                mapping = np.arange(len(uniques))
                if len(uniques) != nbands:
                    raise ValueError(f"Column '{age_band}' has {len(uniques)} distinct age bands but the "
                                     f"standard has {nbands} weights. Fix: give one weight per band.")
            else:
                lookup = {label: i for i, label in enumerate(labels)}
                unknown = [u for u in uniques if u not in lookup]
                if unknown:
                    raise ValueError(f"Column '{age_band}' has age band(s) {unknown[:5]} not in the standard "
                                     f"population, whose bands are {labels}. Fix: relabel or regroup the "
                                     "bands to match (wrong number of age bands?).")
                mapping = np.array([lookup[lab] for lab in uniques], dtype=np.int64)
            band = mapping[raw]
            _check_duplicates(data, codes * nbands + band, nonindependent)
            cells = np.bincount(codes * nbands + band, minlength=k * nbands).reshape(k, nbands)
            absent = np.argwhere(cells == 0)
            if absent.size:
                group, missing_band = absent[0]
                shown = labels[missing_band] if labels is not None else uniques[missing_band]
                raise ValueError(
                    f"{_group_name(keys, group)} has no row for age band {shown!r} ({len(absent)} "
                    f"group-band cell(s) missing): the standard has {nbands} age bands and each group "
                    "needs every one (wrong number of age bands). Fix: add the band with a count of 0 "
                    "and its population.")
        weights = table[band]
    _check_duplicates(data, codes * nbands + band, nonindependent)
    cell = codes * nbands + band
    first = ~pd.Series(cell).duplicated().to_numpy()
    if isinstance(standard, str):  # every group must cover the same number of bands (as PHE)
        per_group = np.bincount(codes[first], minlength=k)
        if (per_group != per_group[0]).any():
            other = int(np.flatnonzero(per_group != per_group[0])[0])
            raise ValueError(f"{_group_name(keys, 0)} has {per_group[0]} age bands but "
                             f"{_group_name(keys, other)} has {per_group[other]} (wrong number of age "
                             "bands). Fix: give every group a row for every band, with a count of 0 "
                             "where there were none.")
    total_weight = np.bincount(codes[first], weights=weights[first], minlength=k)
    return weights, cell, first, total_weight


def _check_duplicates(data, cell, nonindependent):
    if not nonindependent:
        fail_rows(data, pd.Series(cell).duplicated().to_numpy(), "An age band appears twice within a group",
                  "give each group one row per age band (sum the rows first), or for people counted by "
                  "number of events pass event_frequency=.")


def dsr(data: pd.DataFrame, numerator: str, denominator: str, *, by: str | list[str] | None = None,
        age_band: str | None = None, standard=None, confidence: float | Sequence[float] = 0.95,
        multiplier: float = 100_000, event_frequency: str | None = None,
        count_limits: str = "byar", min_count: int = DSR_MIN_COUNT, sum_rows: bool = False) -> pd.DataFrame:
    """Directly standardised rates with Dobson confidence limits.

    For each group, with x_i events (``numerator``), n_i population (``denominator``) and w_i standard
    weight in age band i, W = sum w_i and O = sum x_i:

    * DSR = sum(w_i x_i / n_i) / W x multiplier;
    * var(DSR) = sum(w_i^2 x_i / n_i^2) / W^2 (Poisson counts);
    * limits = DSR + sqrt(var / O) (O_L - O) and DSR + sqrt(var / O) (O_U - O), times the multiplier,
      where O_L, O_U are limits for the total count O (Dobson, Kuulasmaa, Eberle & Scherer 1991, *Stat
      Med* 10:457-62). Like the PHE Technical Guide and PHEindicatormethods ``calculate_dsr``, O_L and
      O_U are Byar's limits (Breslow & Day 1987); ``count_limits="exact"`` uses exact Poisson limits
      as Dobson et al. suggest (they differ by < 0.1% once O >= 10).
    * When O < 10 the rate is withheld (conventions.md; PHE): ``value`` and the limits are missing and
      ``reason`` says why.

    Non-independent events (people with more than one event; PHE Technical Guide, "DSRs for
    non-independent events"; PHEindicatormethods ``independent_events = FALSE``): each row holds, for
    one age band, the number of *people* x_fi with f events (``event_frequency``). Events are
    x_i = sum_f f x_fi and var(DSR) = sum_f f^2 sum_i w_i^2 x_fi / n_i^2 / W^2, which widens the limits.

    Parameters
    ----------
    data : DataFrame
        One row per group and age band (per group, band and event frequency for non-independent
        events).
    numerator, denominator : str
        Columns of event counts (people, with ``event_frequency``) and populations. A missing count is
        read as 0 events (as PHEindicatormethods); a missing, zero or negative population is an error.
    by : str or list of str, optional
        Columns identifying the groups (areas); without ``by`` the whole table is one group.
    age_band : str, optional
        Column of age-band labels, matched to the standard's labels (``"00-04"`` reads as ``"0-4"``).
        Without it rows are matched to the standard's bands by position within each group, so each group
        needs exactly one row per band, youngest first. Required with ``event_frequency``.
    standard : None, str, DataFrame or list
        The standard population: None for :data:`ESP2013` (19 bands, 0-4 ... 90+); a column of data
        holding each row's weight; a DataFrame with ``age_band`` and ``weight``; or weights in band order.
    confidence : float or tuple of float
    multiplier : float
        Rate per how many (default 100,000).
    event_frequency : str, optional
        Column of the number of events per person in the row (1, 2, 3, ...): non-independent events.
    count_limits : {"byar", "exact"}
        Limits for O in Dobson's formula (default Byar's, as PHE).
    min_count : int
        Rates from fewer events are withheld (default 10).
    sum_rows : bool
        False (default): each group has one row per age band, and a band given twice is an error.
        True: the rows of a group that share an age band are added up first (their counts, and their
        populations), so that a finer table, e.g. by trust, IMD decile, sex and year, is standardised per
        quintile in one call. Populations summed over years are person-years, so the rate is per
        person-year (per year). Needs ``age_band``; not with ``event_frequency``; a ``standard`` given
        as a column must hold the same weight in every row of a band. The formulas above then apply to
        the summed x_i and n_i.

    Returns
    -------
    DataFrame
        One row per group: the grouping columns, ``total_count`` (events), ``total_pop``, ``value``,
        ``lower_95``, ``upper_95``, ... and ``reason`` (missing unless the rate is withheld).
    """
    columns = {"numerator": numerator, "denominator": denominator}
    levels, mult, by = _start(data, by, columns, confidence, multiplier, "100000 (per 100,000)")
    require_columns(data, [age_band, event_frequency])
    if count_limits not in ("byar", "exact"):
        raise ValueError(f"count_limits={count_limits!r} is not one of ['byar', 'exact'].")
    if isinstance(min_count, (bool, np.bool_)) or not isinstance(min_count, (int, np.integer)) \
            or min_count < 1:
        raise ValueError(f"min_count must be a whole number of at least 1, not {min_count!r}.")
    if event_frequency is not None and age_band is None:
        raise ValueError("With event_frequency, dsr needs age_band='<column of band labels>' to gather each "
                         "band's rows.")
    if not isinstance(sum_rows, (bool, np.bool_)):
        raise TypeError(f"sum_rows must be True or False, not {sum_rows!r}.")
    missing_labels(data, by, "by: the groups standardised")
    counts, pops = numeric_column(data, numerator), numeric_column(data, denominator)
    _check_counts(data, numerator, counts)
    _check_denominators(data, denominator, pops, what="population")
    if sum_rows:
        data = _sum_band_rows(data, numerator, denominator, by, age_band, standard, event_frequency, counts,
                              pops)
        counts, pops = numeric_column(data, numerator), numeric_column(data, denominator)
    counts = np.where(np.isnan(counts), 0.0, counts)
    if event_frequency is not None:
        freq = numeric_column(data, event_frequency)
        fail_rows(data, np.isnan(freq) | (freq < 1) | (freq != np.floor(freq)),
                  f"Column '{event_frequency}' (events per person) is missing or not a whole number >= 1",
                  "give the number of events each person in the row had: 1, 2, 3, ...")
    else:
        freq = np.ones(len(data))

    codes, keys = group_codes(data, by)
    k = len(keys)
    weights, cell, first, total_weight = _dsr_weights(data, codes, keys, standard, age_band,
                                                      event_frequency is not None)
    if event_frequency is not None:
        _check_constant_within_band(data, cell, first, pops, denominator, "population")
        if isinstance(standard, str):
            _check_constant_within_band(data, cell, first, weights, standard, "standard weight")

    events = freq * counts
    observed = np.bincount(codes, weights=events, minlength=k)
    total_pop = np.bincount(codes[first], weights=pops[first], minlength=k)
    rate_sum = np.bincount(codes, weights=events * weights / pops, minlength=k)
    var_sum = np.bincount(codes, weights=freq * freq * counts * (weights / pops) ** 2, minlength=k)
    value = rate_sum / total_weight
    variance = var_sum / total_weight**2
    withheld = observed < min_count
    value = np.where(withheld, np.nan, value)
    count_fn = byar_limits if count_limits == "byar" else exact_poisson_limits

    def limits(level):
        low, high = count_fn(observed, level)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.sqrt(variance / observed)
        return (value + scale * (low - observed)) * mult, (value + scale * (high - observed)) * mult

    reason = np.where(withheld, f"total count below {min_count}: rate withheld", None).astype(object)
    results = {"total_count": observed, "total_pop": total_pop, "value": value * mult,
               **_limit_columns(levels, limits), "reason": reason}
    return _output(data, keys, {}, results)


def _sum_band_rows(data, numerator, denominator, by, age_band, standard, event_frequency, counts,
                   pops) -> pd.DataFrame:
    """One row per group and age band: counts and populations added up (``dsr(..., sum_rows=True)``).

    Counts and populations are already checked (a missing population is an error, a missing count is 0
    events), so the sums cannot silently skip a missing value. Bands are matched by their loosely read
    label ('00-04' is '0-4').
    """
    if age_band is None:
        raise ValueError("sum_rows=True needs age_band='<column of band labels>' to know which rows to add "
                         "up.")
    if event_frequency is not None:
        raise ValueError("sum_rows=True cannot be used with event_frequency: sum the people per group, age "
                         "band and number of events first.")
    band, labels = _band_codes(data, age_band)
    frame = pd.DataFrame({column: data[column].to_numpy() for column in by}, index=data.index)
    frame[age_band] = np.asarray(labels, dtype=object)[band]
    keys = [*by, age_band]
    if isinstance(standard, str):
        require_columns(data, [standard])
        weights = numeric_column(data, standard)
        cell = frame.groupby(keys, sort=False, dropna=False, observed=True).ngroup().to_numpy()
        first = ~pd.Series(cell).duplicated().to_numpy()
        _check_constant_within_band(data, cell, first, weights, standard, "standard weight",
                                    rows="rows (summed with sum_rows=True)")
        frame[standard] = weights
    frame[numerator] = np.where(np.isnan(counts), 0.0, counts)
    frame[denominator] = pops
    sums = {numerator: "sum", denominator: "sum"} | ({standard: "first"} if isinstance(standard, str) else {})
    out = frame.groupby(keys, sort=False, dropna=False, observed=True).agg(sums).reset_index()
    for column in by:  # keep the caller's dtypes (groupby can turn categories into objects)
        try:
            out[column] = out[column].astype(data[column].dtype)
        except (TypeError, ValueError):
            pass
    return out


def _check_constant_within_band(data, cell, first, values, column, what, rows="event-frequency rows"):
    reference = pd.Series(values).groupby(cell).transform("first").to_numpy()
    fail_rows(data, values != reference, f"Column '{column}' ({what}) differs between the {rows} of one "
              "group and age band",
              f"every row of a group's age band must carry the same {what}.")


# --------------------------------------------------------------------------------------------------
# Indirectly standardised ratios and rates
# --------------------------------------------------------------------------------------------------

def _reference(data, codes, keys, value, name):
    """A reference column (by name) or a sequence with one value per age band (by position)."""
    if isinstance(value, str):
        require_columns(data, [value])
        return numeric_column(data, value)
    if isinstance(value, (bytes, dict)) or not isinstance(value, (Sequence, np.ndarray, pd.Series)):
        raise TypeError(f"{name} must be a column name or a list of numbers (one per age band), "
                        f"not {type(value).__name__}.")
    table = number_sequence(value, name, "numbers, one per age band")
    if table.ndim != 1:
        raise ValueError(f"{name} must be a flat list of numbers, one per age band, not an array of shape "
                         f"{table.shape}.")
    rows = np.bincount(codes, minlength=len(keys))
    wrong = np.flatnonzero(rows != table.size)
    if wrong.size:
        raise ValueError(f"{name} has {table.size} values but {_group_name(keys, wrong[0])} has "
                         f"{rows[wrong[0]]} rows. Fix: give one reference value per age band, and each "
                         "group one row per band in the same order.")
    return table[_positions(codes)]


def isr(data: pd.DataFrame, numerator: str, denominator: str, *, reference_numerator=None,
        reference_denominator=None,
        by: str | list[str] | None = None, statistic: str = "ratio",
        confidence: float | Sequence[float] = 0.95, multiplier: float | None = None) -> pd.DataFrame:
    """Indirectly standardised ratios (observed / expected) or rates, with exact or Byar limits.

    For each group, with observed x_i (``numerator``) and population n_i (``denominator``) in age band i
    and reference counts X_i (``reference_numerator``) and populations N_i (``reference_denominator``):
    O = sum x_i, E = sum n_i X_i / N_i (expected events at the reference rates).

    * ratio = O / E x multiplier (1 for a ratio, 100 for the SMR style "x 100");
    * rate = O / E x R x multiplier, with R = sum X_i / sum N_i the crude reference rate;
    * limits: the limits of O divided by E (then scaled alike): exact chi-square limits when O < 10,
      Byar's from 10 (PHE Technical Guide *Confidence intervals*, APHO 2008; PHEindicatormethods
      ``calculate_ISRatio``/``calculate_ISRate``). E is treated as fixed.

    Parameters
    ----------
    data : DataFrame
        One row per group and age band.
    numerator, denominator : str
        Columns of observed events (missing read as 0) and populations (0 allowed in a band; missing or
        negative is an error).
    reference_numerator, reference_denominator : str or list
        The reference (standard) events and populations per age band: column names, or sequences in
        band order with one value per row of each group. Required. A missing reference count is read
        as 0; reference populations must be greater than 0.
    by : str or list of str, optional
        Columns identifying the groups; without ``by`` the whole table is one group.
    statistic : {"ratio", "rate"}
    confidence : float or tuple of float
    multiplier : float, optional
        Default 1 for a ratio, 100,000 for a rate.

    Returns
    -------
    DataFrame
        One row per group: the grouping columns, ``observed``, ``expected`` (``ref_rate`` too for a
        rate, per multiplier), ``value``, ``lower_95``, ``upper_95``, ... and ``method`` (``"exact"``
        or ``"byar"``).
    """
    if statistic not in ("ratio", "rate"):
        raise ValueError(f"statistic={statistic!r} is not one of ['ratio', 'rate'].")
    if multiplier is None:
        multiplier = 1 if statistic == "ratio" else 100_000
    columns = {"numerator": numerator, "denominator": denominator}
    levels, mult, by = _start(data, by, columns, confidence, multiplier,
                              "1 (ratio) or 100000 (rate per 100,000)")
    if reference_numerator is None or reference_denominator is None:
        missing = [name for name, v in (("reference_numerator", reference_numerator),
                                        ("reference_denominator", reference_denominator)) if v is None]
        raise ValueError(f"isr needs the reference population's events and population per age band; "
                         f"{' and '.join(missing)} not given. Fix: pass reference_numerator= and "
                         "reference_denominator= (column names, or lists with one value per age band), e.g. "
                         "England's counts and populations.")
    missing_labels(data, by, "by: the groups standardised")
    counts, pops = numeric_column(data, numerator), numeric_column(data, denominator)
    _check_counts(data, numerator, counts)
    _check_denominators(data, denominator, pops, allow_zero=True, what="population")
    counts = np.where(np.isnan(counts), 0.0, counts)
    codes, keys = group_codes(data, by)
    k = len(keys)
    ref_counts = _reference(data, codes, keys, reference_numerator, "reference_numerator")
    ref_pops = _reference(data, codes, keys, reference_denominator, "reference_denominator")
    if isinstance(reference_numerator, str):
        _check_counts(data, reference_numerator, ref_counts, "reference counts")
    elif (ref_counts < 0).any():
        raise ValueError("reference_numerator has negative reference counts. Fix: correct the reference "
                         "data.")
    if isinstance(reference_denominator, str):
        _check_denominators(data, reference_denominator, ref_pops, what="reference population")
    elif np.isnan(ref_pops).any() or (ref_pops <= 0).any():
        raise ValueError("reference_denominator has missing, zero or negative reference populations. Fix: "
                         "every age band needs a reference population greater than 0.")
    ref_counts = np.where(np.isnan(ref_counts), 0.0, ref_counts)
    observed = np.bincount(codes, weights=counts, minlength=k)
    expected = np.bincount(codes, weights=pops * ref_counts / ref_pops, minlength=k)
    if (expected <= 0).any():
        group = int(np.flatnonzero(expected <= 0)[0])
        raise ValueError(f"{_group_name(keys, group)} has 0 expected events (no population, or reference "
                         "rates of 0 in every band it has people in), so its ratio is undefined. Fix: drop "
                         "the group or check its populations.")
    scale = mult / expected
    columns = {"observed": observed, "expected": expected}
    if statistic == "rate":
        ref_rate = (np.bincount(codes, weights=ref_counts, minlength=k)
                    / np.bincount(codes, weights=ref_pops, minlength=k))
        scale = scale * ref_rate
        columns["ref_rate"] = ref_rate * mult

    def limits(level):
        lower, upper, _ = poisson_limits(observed, level)
        return lower * scale, upper * scale

    results = {**columns, "value": observed * scale, **_limit_columns(levels, limits),
               "method": _poisson_method(observed)}
    return _output(data, keys, {}, results)

