"""Slope index (SII) and relative index of inequality (RII), the PHE way, for many areas at once.

Method (Low & Low 2004, *J Public Health* 26:388-95; PHE Technical Guide, *Slope index of inequality*,
as PHEindicatormethods 2.1.0's ``phe_sii`` implements it; code written from those formulas):

* Quantiles are ordered 1 = most deprived to K = least deprived. Each quantile's relative rank is the
  cumulative population share to its midpoint, r_j = a_1 + ... + a_(j-1) + a_j / 2, with a_j its share
  of the area's population.
* The indicator is regressed on r by weighted least squares with the population shares as weights (the
  same fit as PHE's regression of y sqrt(a) on sqrt(a) and r sqrt(a) through the origin):
  b1 = sum a (r - rbar)(y - ybar) / sum a (r - rbar)^2, b0 = ybar - b1 rbar. This closed form, vectorised
  over areas, equals statsmodels' ``WLS(y, [1, r], weights=a).fit()`` (tested to 1e-9), which would need
  a Python loop over the areas (770 times slower for 1,000 areas).
* SII = fitted value at r = 1 minus fitted value at r = 0 (least minus most deprived) = b1, times
  ``multiplier``. RII = fitted(1) / fitted(0) = (b0 + b1) / b0; a negative multiplier turns the SII's
  sign and inverts the RII (PHE: "to account for the change in polarity"). ``intercept`` = fitted(0).
* ``transform=True`` fits the line to log(rate) or logit(proportion) and back-transforms the two fitted
  ends: SII = h(b0 + b1) - h(b0), RII = h(b0 + b1) / h(b0), intercept = h(b0), with h = exp or the
  inverse logit.

Standard errors (PHE Technical Guide, *Confidence intervals*, as phe_sii takes them): given (``se``), or
from the 95% limits: normal (value_type 0) se = (U - L) / (2 x 1.959964); rate (1) on the log scale,
(ln U - ln L) / (2 x 1.959964); proportion (2) on the logit scale, (logit U - logit L) / (2 x 1.959964).
A given ``se`` for a rate or a proportion is on that log or logit scale (as PHEindicatormethods' own test
data supply it).

Limits:

* ``"simulation"`` (PHE's Monte Carlo method): each quantile's value is redrawn ``repetitions`` times
  from a normal distribution on its modelling scale (value, log rate or logit proportion, with its se),
  back-transformed where the line is fitted to untransformed rates or proportions, the SII and RII
  recomputed for every draw and the limits read off as the (1 - level)/2 and (1 + level)/2 quantiles of
  the draws (R's default type-7 quantile). When the line is fitted on the scale the values are drawn on
  (value_type 0, or ``transform=True``) the two fitted ends are linear in the draws, so their joint
  normal distribution is drawn directly: the same distribution with 2 random numbers per repetition
  instead of one per quantile. Seeded with a numpy Generator (SFC64), so not R's ``rnorm`` stream:
  limits agree with PHEindicatormethods to within Monte Carlo error, not digit for digit. Batched over
  areas (and over repetitions when one area's draws exceed ``batch_size``), so memory stays bounded; the
  draws do not depend on the batch size. PHE's ``reliability_stat`` (ten repeated simulations) is not
  offered: run again with another ``seed`` to see the Monte Carlo variation.
* ``"analytic"``: the large-repetition limit of the simulation by the delta method. The fitted ends are
  linear in the values, f0 = sum d_j y_j and f1 = sum (c_j + d_j) y_j; their variances and covariance
  follow from the quantiles' se; SII -/+ z sd, RII exp(ln RII -/+ z sd(ln RII)). For value_type 0 without
  transform the SII limits are exactly SII -/+ z sqrt(sum c_j^2 se_j^2), c_j = a_j (r_j - rbar) / Sxx.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import (
    by_columns,
    column_names,
    confidence_levels,
    fail_rows,
    level_suffix,
    numeric_column,
    require_columns,
    require_dataframe,
    rows_phrase,
)
from equity_lib.inequality._common import (
    Layout,
    check_bool,
    check_choice,
    check_favourable,
    duplicated_order,
    format_number,
    group_name,
    layout,
    number_key,
    relative_rank,
    text_column,
    wls_line,
    z_value,
)

VALUE_TYPES = {0: "normal", 1: "rate", 2: "proportion"}
LIMIT_METHODS = ("simulation", "analytic", None)
Z975 = 1.959963984540054  # qnorm(0.975): 95% input limits -> se
MIN_QUANTILES, MAX_QUANTILES, WARN_QUANTILES = 5, 100, 10
MIN_REPETITIONS = 1000


@dataclass
class _Prepared:
    data: pd.DataFrame
    lay: Layout
    valid: np.ndarray  # groups with a complete, usable set of quantiles
    reason: np.ndarray  # why a group is withheld (None when valid)
    share: np.ndarray  # (valid groups, K) population shares
    rank: np.ndarray
    y: np.ndarray  # values on the input scale
    t: np.ndarray  # values on the modelling scale (log / logit for rates / proportions)
    s: np.ndarray | None  # se on the modelling scale
    quantiles: np.ndarray  # (valid groups, K) quantile labels
    population: np.ndarray  # (valid groups,) total population
    value_type: int
    transform: bool


def _forward(value_type: int):
    return {0: lambda v: v, 1: np.log, 2: special.logit}[value_type]


def _back(value_type: int):
    return {0: lambda v: v, 1: np.exp, 2: special.expit}[value_type]


def _back_derivative(value_type: int, back_values):
    """dh/dt at t, written in terms of h(t): 1, exp(t) = h, expit'(t) = h (1 - h)."""
    if value_type == 0:
        return np.ones_like(back_values)
    if value_type == 1:
        return back_values
    return back_values * (1 - back_values)


def sii(data: pd.DataFrame, group: str, denominator: str, value: str | None = None, *,
        numerator: str | None = None, by: str | list[str] | None = None, value_type: int | str = 0,
        transform: bool = False, se: str | None = None, lower_cl: str | None = None,
        upper_cl: str | None = None, multiplier: float = 1, confidence=0.95,
        limits: str | None = "simulation", repetitions: int = 100_000, seed=None,
        favourable: bool | None = None, most_deprived: str = "lowest", pheim_intercept: bool = True,
        batch_size: int = 2**21) -> pd.DataFrame:
    """Slope and relative index of inequality with confidence limits, one row per area (``by`` group).

    Parameters
    ----------
    data : DataFrame
        One row per area and quantile (e.g. deprivation decile), with its population and value.
    group : str
        Column of the quantile labels compared, 1 = most deprived (see ``most_deprived``). Every area
        needs a row for each quantile present in the data; between 5 and 100 quantiles (PHE).
    denominator : str
        Column of each quantile's population (the denominator), all greater than 0; the population shares
        a_j are the regression weights.
    value : str, optional
        Column of indicator values. For proportions give ``numerator`` instead to use numerator /
        denominator.
    numerator : str, optional
        Column of numerators, for proportions (value_type 2) without ``value``.
    by : str or list of str, optional
        Columns identifying areas (or area and period, sex, ...): one SII each.
    value_type : {0, 1, 2} or {"normal", "rate", "proportion"}
        0: symmetric limits (e.g. life expectancy); 1: a rate (limits and simulation on the log scale);
        2: a proportion between 0 and 1 (logit scale).
    transform : bool
        Fit the line to log rates / logit proportions (value_type 1 or 2 only; give the 95% limits, not se,
        as PHEindicatormethods requires).
    se, lower_cl, upper_cl : str, optional
        Column of standard errors, or of the values' 95% confidence limits (see the module notes for the
        scale). Needed unless ``limits=None``.
    multiplier : float
        Multiplies the SII and its limits (e.g. 100 for proportions as percentages). Negative: turns the
        SII's sign and inverts the RII, as PHE does to align polarity.
    confidence : float or tuple of float
        Level(s) of the limits, e.g. ``0.95`` (default) or ``(0.95, 0.998)``.
    limits : {"simulation", "analytic", None}
        PHE's Monte Carlo limits (default), the analytic (delta-method) limits, or none.
    repetitions : int
        Monte Carlo repetitions (at least 1000; PHE's default 100,000).
    seed : int, numpy.random.Generator or None
        Seed of the simulation; None draws fresh entropy (limits then vary slightly from run to run).
    favourable : bool, optional
        True if higher values are better (e.g. life expectancy), False if worse (e.g. mortality). Used
        only for the words in ``worse_direction`` and ``interpretation``.
    most_deprived : {"lowest", "highest"}
        Which end of the quantile labels is most deprived: "lowest" (1 = most deprived, the equity_lib
        and PHE convention) or "highest".
    pheim_intercept : bool
        True (default) reproduces PHEindicatormethods 2.1.0: without a transform the intercept is on the
        input scale (not multiplied); with a transform it is multiplied by abs(multiplier). False: the
        intercept is always multiplied by the multiplier, the scale of the SII.
    batch_size : int
        Largest number of simulated values held at once (memory: about 16 bytes each).

    Returns
    -------
    DataFrame
        One row per area: the ``by`` columns, ``quantiles`` (how many), ``denominator`` (the area's
        total population), ``sii``,
        ``sii_lower_95``, ``sii_upper_95`` (and ``_99_8`` etc. for other levels), ``rii`` and its limits,
        ``intercept``, ``value_type``, ``transform``, ``multiplier``, ``ci_method``, ``worse_direction``,
        ``interpretation`` (the finding in words) and ``reason`` (why a group's SII is withheld;
        missing otherwise).

    Warns
    -----
    UserWarning
        When groups are withheld (a quantile missing, a missing value, population or se), and when there
        are more than 10 quantiles (PHE: small values make the SII unstable).

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import sii
    >>> d = pd.DataFrame({"decile": range(1, 11), "pop": [7000] * 10,
    ...                   "le": [76, 77.5, 78, 79, 79.5, 80, 81, 81.5, 82, 83], "se": [0.8] * 10})
    >>> r = sii(d, group="decile", denominator="pop", value="le", se="se", limits="analytic",
    ...         favourable=True)
    >>> round(float(r["sii"].iloc[0]), 3)
    7.182
    """
    levels = confidence_levels(confidence)
    check_choice("limits", limits, LIMIT_METHODS)
    favourable = check_favourable(favourable)
    check_bool(pheim_intercept, "pheim_intercept")
    if not isinstance(multiplier, (int, float, np.integer, np.floating)) or isinstance(multiplier, bool) \
            or not np.isfinite(multiplier) or multiplier == 0:
        raise ValueError(f"multiplier must be a non-zero number, not {multiplier!r}. Fix: pass e.g. 100 for "
                         "percentages, or -1 to turn the SII's sign.")
    if limits == "simulation":
        if isinstance(repetitions, (bool, np.bool_)) or not isinstance(repetitions, (int, np.integer)) \
                or repetitions < MIN_REPETITIONS:
            raise ValueError(f"repetitions must be a whole number of at least {MIN_REPETITIONS:,}, not "
                             f"{repetitions!r}. Fix: pass e.g. 100_000 (PHE's default) or 10_000 for a "
                             "quick look.")
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of at least 1, not {batch_size!r}.")
    rng = _generator(seed) if limits == "simulation" else None

    prep = _prepare(data, group, denominator, value, numerator=numerator, by=by, value_type=value_type,
                    transform=transform, se=se, lower_cl=lower_cl, upper_cl=upper_cl,
                    need_se=limits is not None, most_deprived=most_deprived)
    n_valid = prep.share.shape[0]

    # Point estimates (before the multiplier): fitted ends f0 (most deprived) and f1 (least deprived).
    model_y = prep.t if prep.transform else prep.y
    b0, b1, c, d = wls_line(prep.share, prep.rank, model_y)
    h = _back(prep.value_type) if prep.transform else _back(0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        f0, f1 = h(b0), h(b0 + b1)
        sii_raw, rii_raw = f1 - f0, f1 / f0

    bounds = {}
    if limits == "simulation" and n_valid:
        bounds = _simulate(prep, c, d, b0, b1, levels, int(repetitions), rng, int(batch_size))
    elif limits == "analytic" and n_valid:
        bounds = _analytic(prep, c, d, b0, b1, levels)

    m = float(multiplier)
    columns: dict[str, np.ndarray] = {"sii": m * sii_raw}
    for level in levels:
        lo, hi = bounds.get(level, (np.full(n_valid, np.nan),) * 4)[:2]
        lo, hi = (m * lo, m * hi) if m > 0 else (m * hi, m * lo)
        columns[f"sii_lower_{level_suffix(level)}"], columns[f"sii_upper_{level_suffix(level)}"] = lo, hi
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        columns["rii"] = rii_raw if m > 0 else 1 / rii_raw
        for level in levels:
            lo, hi = bounds.get(level, (np.full(n_valid, np.nan),) * 4)[2:]
            lo, hi = (lo, hi) if m > 0 else (1 / hi, 1 / lo)
            columns[f"rii_lower_{level_suffix(level)}"] = lo
            columns[f"rii_upper_{level_suffix(level)}"] = hi
    if pheim_intercept:
        columns["intercept"] = f0 * abs(m) if prep.transform else f0
    else:
        columns["intercept"] = f0 * m

    if limits == "simulation":
        seed_words = f", seed {seed}" if isinstance(seed, (int, np.integer)) else ""
        method = f"simulation, {int(repetitions):,} repetitions{seed_words}"
    else:
        method = "analytic (delta method)" if limits == "analytic" else "none"
    return _output(prep, columns, levels, m, method, favourable)


def sii_points(data: pd.DataFrame, group: str, denominator: str, value: str | None = None, *,
               numerator: str | None = None, by: str | list[str] | None = None, value_type: int | str = 0,
               transform: bool = False, multiplier: float = 1, most_deprived: str = "lowest",
               curve_points: int = 41) -> pd.DataFrame:
    """The points and fitted line behind :func:`sii`, tidy, for plotting
    (:func:`plot_sii`).

    Arguments as :func:`sii`. Returns one row per area and quantile (``layer = "quantile"``: ``group``
    (the quantile label), ``denominator`` (its population), ``population_share``, ``relative_rank``,
    ``value`` and ``fitted``) and ``curve_points`` rows per area
    along the fitted line from relative rank 0 (most deprived) to 1 (``layer = "fitted"``). Values and
    fitted values are on the scale of the SII's magnitude: times abs(``multiplier``).
    """
    if not isinstance(curve_points, (int, np.integer)) or isinstance(curve_points, bool) or curve_points < 2:
        raise ValueError(f"curve_points must be a whole number of at least 2, not {curve_points!r}.")
    if not isinstance(multiplier, (int, float, np.integer, np.floating)) or isinstance(multiplier, bool) \
            or not np.isfinite(multiplier) or multiplier == 0:
        raise ValueError(f"multiplier must be a non-zero number, not {multiplier!r}.")
    prep = _prepare(data, group, denominator, value, numerator=numerator, by=by, value_type=value_type,
                    transform=transform, se=None, lower_cl=None, upper_cl=None, need_se=False,
                    most_deprived=most_deprived)
    scale = abs(float(multiplier))
    model_y = prep.t if prep.transform else prep.y
    b0, b1, _, _ = wls_line(prep.share, prep.rank, model_y)
    h = _back(prep.value_type) if prep.transform else _back(0)
    keys = prep.lay.keys.iloc[np.flatnonzero(prep.valid)].reset_index(drop=True)
    n_valid, width = prep.share.shape
    real = prep.share > 0
    points = keys.loc[np.repeat(np.arange(n_valid), width)].reset_index(drop=True)
    points["layer"] = "quantile"
    points["group"] = prep.quantiles.ravel()
    points["denominator"] = (prep.share * prep.population[:, None]).ravel()
    points["population_share"] = prep.share.ravel()
    points["relative_rank"] = prep.rank.ravel()
    points["value"] = scale * prep.y.ravel()
    points["fitted"] = scale * h(b0[:, None] + b1[:, None] * prep.rank).ravel()
    points = points[real.ravel()]
    grid = np.linspace(0.0, 1.0, int(curve_points))
    curve = keys.loc[np.repeat(np.arange(n_valid), grid.size)].reset_index(drop=True)
    curve["layer"] = "fitted"
    curve["relative_rank"] = np.tile(grid, n_valid)
    curve["fitted"] = scale * h(b0[:, None] + b1[:, None] * grid[None, :]).ravel()
    return pd.concat([points, curve], ignore_index=True)


# --------------------------------------------------------------------------------------------------
# Input checks and layout
# --------------------------------------------------------------------------------------------------

def _value_type(value_type) -> int:
    if isinstance(value_type, str):
        names = {v: k for k, v in VALUE_TYPES.items()}
        if value_type in names:
            return names[value_type]
    elif isinstance(value_type, (int, np.integer)) and not isinstance(value_type, bool) \
            and int(value_type) in VALUE_TYPES:
        return int(value_type)
    raise ValueError(f"value_type should be 0, 1 or 2 (or 'normal', 'rate', 'proportion'), not "
                     f"{value_type!r}. Fix: 0 for values with symmetric limits (life expectancy), 1 for a "
                     "rate, 2 for a proportion between 0 and 1.")


def _generator(seed):
    """numpy Generator: the one given, or SFC64 seeded with ``seed`` (a fast, high-quality bit generator)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        return np.random.Generator(np.random.SFC64(seed))
    raise TypeError(f"seed must be a whole number of 0 or more, a numpy Generator or None, not {seed!r}.")


def _prepare(data, group, denominator, value, *, numerator, by, value_type, transform, se, lower_cl,
             upper_cl, need_se, most_deprived) -> _Prepared:
    require_dataframe(data)
    by = by_columns(by)
    value_type = _value_type(value_type)
    transform = check_bool(transform, "transform")
    check_choice("most_deprived", most_deprived, ("lowest", "highest"))
    column_names({"group": group, "denominator": denominator, "value": value, "numerator": numerator,
                  "se": se, "lower_cl": lower_cl, "upper_cl": upper_cl}, optional=True)
    if group is None or denominator is None:
        raise TypeError("sii needs group= (the quantile column) and denominator= (the population "
                        "column). Fix: pass both column names, e.g. sii(data, group='decile', "
                        "denominator='population', value='rate', ...).")
    if value is None and numerator is None:
        raise ValueError("sii needs a value column, or numerator (the numerators) for a proportion. Fix: "
                         "pass value='<column>' (or numerator='<column>' with value_type=2).")
    if numerator is not None and value is None and value_type != 2:
        raise ValueError("numerator is used only for proportions. Fix: pass value_type=2, or give the "
                         "values in value=.")
    if transform and value_type == 0:
        raise ValueError("value_type should be 1 or 2 when transform is true: only rates (log) and "
                         "proportions (logit) are transformed. Fix: drop transform=True or set value_type.")
    if transform and se is not None:
        raise ValueError("sii needs se to be missing when transform is true: give the values' 95% limits "
                         "(lower_cl=, upper_cl=) instead, as PHEindicatormethods requires.")
    if (lower_cl is None) != (upper_cl is None):
        raise ValueError("lower_cl and upper_cl go together. Fix: pass both 95% limits, or se= instead.")
    if need_se and se is None and lower_cl is None:
        raise ValueError("sii needs either lower_cl and upper_cl (the values' 95% limits) or se to compute "
                         "limits. Fix: pass them, or limits=None for the SII alone.")
    require_columns(data, [group, denominator, value, numerator, se, lower_cl, upper_cl, *by])
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per area and quantile.")

    q = numeric_column(data, group)
    fail_rows(data, np.isnan(q), f"Column '{group}' (group: the quantile) is missing",
              "give every row its quantile (1 = most deprived), or drop the row.")
    pop = numeric_column(data, denominator)
    fail_rows(data, pop <= 0, f"Column '{denominator}' (denominator) has a zero or negative population",
              "every quantile needs a population greater than 0 (PHE); correct the extract.")
    if value is not None:
        y = numeric_column(data, value)
    else:
        xs = numeric_column(data, numerator)
        fail_rows(data, xs <= 0, f"Column '{numerator}' (numerator) has a zero or negative count",
                  "a proportion's numerator must be greater than 0 (PHE), or give value= and limits.")
        fail_rows(data, xs > pop, f"Column '{numerator}' (numerator) is larger than column '{denominator}' "
                  "(denominator)", "the numerator counts members of the denominator's population, so "
                  "numerator <= denominator; check that the two columns are not swapped.")
        with np.errstate(invalid="ignore", divide="ignore"):
            y = xs / pop
    s_model = None
    if se is not None:
        s_model = numeric_column(data, se)
        fail_rows(data, s_model < 0, f"Column '{se}' has negative standard errors",
                  "a standard error cannot be negative; correct the extract.")
    lo = hi = None
    if lower_cl is not None:
        lo, hi = numeric_column(data, lower_cl), numeric_column(data, upper_cl)

    name = value if value is not None else f"{numerator} / {denominator}"
    if value_type == 2:
        fail_rows(data, (y < 0) | (y > 1), f"Value proportions ('{name}') are not all between 0 and 1",
                  "give proportions as 0-1 (use multiplier=100 for percentages), or value_type=0.")
        if lo is not None:
            fail_rows(data, (lo < 0) | (lo > 1) | (hi < 0) | (hi > 1),
                      f"Confidence limit proportions ('{lower_cl}', '{upper_cl}') are not all between 0 "
                      "and 1", "give the limits on the same 0-1 scale as the values.")
    if lo is not None:
        fail_rows(data, lo > hi, f"Lower limit '{lower_cl}' is above upper limit '{upper_cl}'",
                  "swap the columns, or correct those limits.")
    model_scale = value_type != 0 and (transform or need_se)
    if model_scale:
        scale_name = "log" if value_type == 1 else "logit"
        inside = (y > 0) if value_type == 1 else ((y > 0) & (y < 1))
        fail_rows(data, ~inside & ~np.isnan(y),
                  f"Values ('{name}') of {'0' if value_type == 1 else '0 or 1'} have no {scale_name}",
                  f"the {scale_name}-scale method needs values strictly "
                  f"{'above 0' if value_type == 1 else 'between 0 and 1'}; use value_type=0 with se= for "
                  "these data.")
        if lo is not None:
            inside = (lo > 0) if value_type == 1 else ((lo > 0) & (hi < 1))
            fail_rows(data, ~inside & ~np.isnan(lo) & ~np.isnan(hi),
                      f"Limits of {'0' if value_type == 1 else '0 or 1'} have no {scale_name}",
                      f"a {scale_name}-scale standard error cannot be derived from them; give se= on the "
                      f"{scale_name} scale, or use value_type=0 with se=.")
    if lo is not None and se is None:
        f = _forward(value_type)
        with np.errstate(invalid="ignore", divide="ignore"):
            s_model = (f(hi) - f(lo)) / (2 * Z975)

    key = q if most_deprived == "lowest" else -q
    lay = layout(data, by, key)
    duplicated_order(data, lay, key, group, "quantile")

    n_quantiles = np.unique(q).size
    if not MIN_QUANTILES <= n_quantiles <= MAX_QUANTILES:
        raise ValueError(f"Number of quantiles must be between {MIN_QUANTILES} and {MAX_QUANTILES}; "
                         f"'{group}' has {n_quantiles}. Fix: use quintiles (5) or deciles (10), e.g. "
                         "from assign_quantiles().")
    if n_quantiles > WARN_QUANTILES:
        warnings.warn(f"Small values can make SII unstable when using a large number of quantiles "
                      f"({n_quantiles} here; PHE). Check each quantile's population and value.",
                      UserWarning, stacklevel=3)

    missing = np.isnan(pop) | np.isnan(y)
    if s_model is not None:
        missing |= np.isnan(s_model)
    reasons = np.full(lay.n_groups, None, dtype=object)
    incomplete = lay.size < n_quantiles
    bad_rows = np.bincount(lay.codes, weights=missing, minlength=lay.n_groups) > 0
    reasons[incomplete] = [f"withheld: {k} of the {n_quantiles} quantiles present (a row is needed for "
                           "each)" for k in lay.size[incomplete]]
    what = "population, value or standard error" if s_model is not None else "population or value"
    reasons[bad_rows & ~incomplete] = f"withheld: a missing {what} in some quantile"
    valid = ~incomplete & ~bad_rows
    if (~valid).any():
        bad = np.flatnonzero(~valid)
        labels = list(data.index[lay.rows[bad[0]][lay.mask[bad[0]]]])
        warnings.warn(f"some records have been removed due to incomplete or invalid data: the SII of "
                      f"{bad.size} group(s) is withheld (e.g. {group_name(lay.keys, bad[0])}, "
                      f"{rows_phrase(labels)}: {reasons[bad[0]]}). See the 'reason' column.",
                      UserWarning, stacklevel=3)

    sub = Layout(keys=lay.keys, codes=lay.codes, rows=lay.rows[valid][:, :n_quantiles],
                 mask=lay.mask[valid][:, :n_quantiles], size=lay.size[valid])
    pop_grid = sub.grid(pop)
    total = pop_grid.sum(axis=1)
    share = pop_grid / total[:, None]
    y_grid = sub.grid(y)
    t_grid = y_grid
    if value_type != 0 and (transform or s_model is not None):
        with np.errstate(invalid="ignore", divide="ignore"):
            t_grid = _forward(value_type)(y_grid)
    return _Prepared(data=data, lay=lay, valid=valid, reason=reasons, share=share,
                     rank=relative_rank(share), y=y_grid, t=t_grid,
                     s=None if s_model is None else sub.grid(s_model), quantiles=sub.grid(q),
                     population=total, value_type=value_type, transform=transform)


# --------------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------------

def _probabilities(levels):
    probs = sorted({p for level in levels for p in ((1 - level) / 2, (1 + level) / 2)})
    return np.array(probs), {p: i for i, p in enumerate(probs)}


def _simulate(prep: _Prepared, c, d, b0, b1, levels, repetitions, rng, batch_size):
    """PHE Monte Carlo limits, batched: (level -> (sii_lo, sii_hi, rii_lo, rii_hi)) before the multiplier.

    When the line is fitted on the scale the values are drawn on (value_type 0, or a transform), the two
    fitted ends are linear in the draws: (f0, f1) = (b0, b0 + b1) + sum_j (d_j, d_j + c_j) s_j e_j. Their
    joint distribution is exactly bivariate normal with covariance V = sum_j s_j^2 (d_j, d_j + c_j)^T
    (d_j, d_j + c_j), so they are drawn directly (Cholesky factor of V): the same distribution as redrawing
    every quantile and refitting, with 2 random numbers per repetition instead of K. Otherwise (rates and
    proportions fitted untransformed) every quantile's value is drawn on the log / logit scale,
    back-transformed and the line refitted (single precision, ample for the Monte Carlo error).
    Draws are taken in (area, repetition, ...) order, so each area's draws, and the limits, do not depend
    on ``batch_size``.
    """
    n_valid, width = prep.share.shape
    probs, where = _probabilities(levels)
    out_sii = np.empty((probs.size, n_valid))
    out_rii = np.empty((probs.size, n_valid))
    linear = prep.value_type == 0 or prep.transform
    h = _back(prep.value_type)
    if linear:
        v0, v1 = d * prep.s, (d + c) * prep.s
        var0, var1, cov = (v0 * v0).sum(1), (v1 * v1).sum(1), (v0 * v1).sum(1)
        l11 = np.sqrt(var0)
        with np.errstate(invalid="ignore", divide="ignore"):
            l21 = np.where(l11 > 0, cov / l11, 0.0)
        l22 = np.sqrt(np.maximum(var1 - l21**2, 0.0))
        base = np.stack([b0, b0 + b1], axis=-1)
        chol_t = np.zeros((n_valid, 2, 2))  # transposed lower factor: F = base + z @ L^T
        chol_t[:, 0, 0], chol_t[:, 0, 1], chol_t[:, 1, 1] = l11, l21, l22
        draw_width = 2
    else:
        ends = np.stack([d, d + c], axis=-1).astype(np.float32)  # (n, K, 2): fitted value at r = 0 and 1
        scale32, shift32 = prep.s.astype(np.float32), prep.t.astype(np.float32)
        draw_width = width

    def draw_statistics(sl, n, reps):
        if linear:
            fitted = base[sl][:, None, :] + rng.standard_normal((n, reps, 2)) @ chol_t[sl]
            if prep.transform:
                with np.errstate(over="ignore"):
                    fitted = h(fitted)
        else:  # simulate each quantile on the log / logit scale, back-transform, refit
            draws = rng.standard_normal((n, reps, width), dtype=np.float32)
            draws *= scale32[sl][:, None, :]
            draws += shift32[sl][:, None, :]
            with np.errstate(over="ignore"):
                draws = h(draws, out=draws)
            fitted = (draws @ ends[sl]).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return fitted[..., 1] - fitted[..., 0], fitted[..., 1] / fitted[..., 0]

    per_area = repetitions * draw_width
    if per_area <= batch_size:
        step = max(1, batch_size // per_area)
        for start in range(0, n_valid, step):
            sl = slice(start, min(start + step, n_valid))
            s_star, r_star = draw_statistics(sl, sl.stop - sl.start, repetitions)
            out_sii[:, sl] = np.quantile(s_star, probs, axis=1)
            out_rii[:, sl] = np.quantile(r_star, probs, axis=1)
    else:  # one area's draws exceed the batch: split its repetitions
        step = max(1, batch_size // draw_width)
        s_star, r_star = np.empty(repetitions), np.empty(repetitions)
        for g in range(n_valid):
            for start in range(0, repetitions, step):
                stop = min(start + step, repetitions)
                s_part, r_part = draw_statistics(slice(g, g + 1), 1, stop - start)
                s_star[start:stop], r_star[start:stop] = s_part[0], r_part[0]
            out_sii[:, g] = np.quantile(s_star, probs)
            out_rii[:, g] = np.quantile(r_star, probs)
    return {level: (out_sii[where[(1 - level) / 2]], out_sii[where[(1 + level) / 2]],
                    out_rii[where[(1 - level) / 2]], out_rii[where[(1 + level) / 2]]) for level in levels}


def _analytic(prep: _Prepared, c, d, b0, b1, levels):
    """Delta-method limits: the large-repetition limit of the simulation (before the multiplier)."""
    if prep.value_type == 0 or prep.transform:
        s = prep.s
        h = _back(prep.value_type) if prep.transform else _back(0)
        m0, m1 = b0, b0 + b1  # fitted ends on the modelling scale
    else:  # line fitted to rates / proportions: se on the value scale by the delta method
        s = _back_derivative(prep.value_type, prep.y) * prep.s
        h = _back(0)
        m0, m1 = b0, b0 + b1
    v0, v1 = d * s, (d + c) * s
    var0, var1, cov = (v0 * v0).sum(1), (v1 * v1).sum(1), (v0 * v1).sum(1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # degenerate lines give inf/nan
        f0, f1 = h(m0), h(m1)
        g0 = _back_derivative(prep.value_type if prep.transform else 0, f0)
        g1 = _back_derivative(prep.value_type if prep.transform else 0, f1)
        sd_sii = np.sqrt(np.maximum(g0**2 * var0 + g1**2 * var1 - 2 * g0 * g1 * cov, 0))
        k0, k1 = g0 / f0, g1 / f1
        sd_log_rii = np.sqrt(np.maximum(k0**2 * var0 + k1**2 * var1 - 2 * k0 * k1 * cov, 0))
        log_rii = np.log(f1 / f0)
    out = {}
    for level in levels:
        z = z_value(level)
        sii_raw = f1 - f0
        with np.errstate(over="ignore", invalid="ignore"):  # an RII near 0/0 has limits 0 and inf
            out[level] = (sii_raw - z * sd_sii, sii_raw + z * sd_sii,
                          np.exp(log_rii - z * sd_log_rii), np.exp(log_rii + z * sd_log_rii))
    return out


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------

def _output(prep: _Prepared, columns, levels, multiplier, method, favourable) -> pd.DataFrame:
    lay = prep.lay
    out = lay.keys.copy().reset_index(drop=True)
    valid_idx = np.flatnonzero(prep.valid)
    out["quantiles"] = lay.size
    population = np.full(lay.n_groups, np.nan)
    population[valid_idx] = prep.population
    out["denominator"] = population
    for name, values in columns.items():
        full = np.full(lay.n_groups, np.nan)
        full[valid_idx] = values
        out[name] = full
    out["value_type"] = VALUE_TYPES[prep.value_type]
    out["transform"] = prep.transform
    out["multiplier"] = multiplier
    out["ci_method"] = method
    worse, words = _interpretation(out, levels, multiplier, favourable, prep.reason)
    out["worse_direction"] = worse
    out["interpretation"] = words
    out["reason"] = pd.Series(prep.reason, dtype=object)  # None where the SII is given
    return out


WORSE_WORDS = {
    True: "lower values are worse",
    False: "higher values are worse",
    None: "direction not stated (pass favourable=True if higher values are better, False if worse)",
}


def _interpretation(out, levels, multiplier, favourable, reasons):
    """Plain words: which way is worse, which end has the higher values, who is worse off.

    Each distinct sentence is built once (keyed on the reason, the gap as written, the gradient's sign
    and where the limits fall), not once per area."""
    sii_values = out["sii"].to_numpy()
    gradient = np.sign(sii_values / multiplier)  # > 0: values rise from most to least deprived
    suffix = level_suffix(levels[0])
    lower = out[f"sii_lower_{suffix}"].to_numpy()
    upper = out[f"sii_upper_{suffix}"].to_numpy()
    worse = WORSE_WORDS[favourable]
    level = f"{round(levels[0] * 100, 8):g}%"

    def build(k):
        if reasons[k] is not None:
            return f"{worse}; no SII: {reasons[k]}"
        gap = format_number(abs(sii_values[k]))  # on the SII's own scale (times abs(multiplier))
        if gradient[k] == 0 or not np.isfinite(gradient[k]):
            return f"{worse}; no gradient: the fitted line is flat from the most to the least deprived"
        most_higher = gradient[k] < 0
        text = (f"{worse}; the most deprived have {'higher' if most_higher else 'lower'} values (the fitted "
                f"value is {gap} {'higher' if most_higher else 'lower'} at the most deprived end than at "
                "the least deprived end)")
        if favourable is not None:
            most_worse = most_higher != favourable
            text += f", so the {'most' if most_worse else 'least'} deprived are worse off"
        if np.isfinite(lower[k]) and np.isfinite(upper[k]):
            if lower[k] > 0 or upper[k] < 0:
                text += f"; the {level} limits exclude 0 (0 would mean no gradient)"
            else:
                text += (f"; the {level} limits include 0 (0 would mean no gradient), so the gap could be "
                         "chance")
        return text

    with np.errstate(invalid="ignore"):
        limits = np.select([~(np.isfinite(lower) & np.isfinite(upper)), (lower > 0) | (upper < 0)], [0, 1], 2)
    reason_codes, _ = pd.factorize(pd.Series(reasons, dtype=object), use_na_sentinel=False)
    keys = [*number_key(sii_values), np.where(np.isnan(gradient), 2, gradient), limits, reason_codes]
    return worse, text_column(keys, build)
