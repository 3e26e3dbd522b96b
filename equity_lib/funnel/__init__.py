"""Funnel plots: control limits and outliers for proportions, ratios and rates, with an overdispersion
adjustment. Computation only; :mod:`equity_lib.funnel.plot` draws the result.

Two layers:

* :func:`funnel_limits` and :func:`funnel_significance` reproduce PHEindicatormethods 2.1.0
  (``calculate_funnel_limits``, ``assign_funnel_significance``; PHE Fingertips technical guidance):
  the 100-point table of 95% (PHE "2s", one-sided 0.975) and 99.8% ("3s", one-sided 0.999) limits, and
  the "High (0.001)" ... "Not significant" label of each unit.
* :func:`funnel_chart` is the tidy, general version: one row per unit with its value, z-score, limits at its
  own denominator and signal; a curve of limits to draw; and, when asked, limits adjusted for
  overdispersion (Spiegelhalter 2005), which PHEindicatormethods lacks.

Limits (target theta, one-sided probability p = 1 - (1 - confidence) / 2, z = Phi^-1(p)):

* Proportions: the proportions whose Wilson score interval just reaches theta. Solving Wilson's
  equation abs(y - theta) = z sqrt(theta (1 - theta) / n) for y gives theta -/+ z sqrt(theta (1 - theta) / n)
  (Spiegelhalter 2005, *Stat Med* 24:1185-1202, section 2; PHE's "sigma adjustment" is the same
  expression written as a quadratic's roots).
* Ratios (observed O / expected E) and rates (events O / population P, with E = theta P): the counts
  O at which an exact Poisson interval for O just reaches E. The lower limit is the O with
  chi2_p(2O + 2) / 2 = E, the upper the O with chi2_{1-p}(2O) / 2 = E (Ulm 1990; PHE), solved in closed
  form with the inverse of the chi-square distribution in its degrees of freedom (scipy's
  ``chdtriv``); PHEindicatormethods finds the same points by bisection (to ~1e-7 on v = E / (1 + O + E)).

Overdispersion (Spiegelhalter 2005, section 6; NHS England's SHMI specification): z-scores
z_i = (y_i - theta) / s_i with s_i the unit's standard error under the target (sqrt(theta (1 - theta) /
n_i) for a proportion, sqrt(theta / E_i) for a ratio, sqrt(theta / P_i) for a rate) are Winsorised
(the lowest and highest 10% set to the 10th and 90th percentiles); phi = sum(z_w^2) / I.

* multiplicative: limits are theta -/+ sqrt(phi) x (the unadjusted limit's distance from theta), with
  phi taken as 1 when the estimate is below 1;
* additive random effects: tau^2 = max(0, (I phi - (I - 1)) / (sum w_i - sum w_i^2 / sum w_i)), w_i =
  1 / s_i^2 (DerSimonian & Laird 1986, as Spiegelhalter 2005 eq. 9), and limits are theta -/+
  sqrt(1 + tau^2 / s_i^2) x (the unadjusted distance).

For proportions this is exactly Spiegelhalter's theta -/+ z sqrt(phi s_i^2) and theta -/+ z sqrt(s_i^2 +
tau^2); for ratios and rates it scales the exact Poisson limits by the same factors, so that without
overdispersion (phi <= 1, tau^2 = 0) the adjusted limits are the unadjusted ones.

Guardrail: the same phi is tested, I phi against chi-square(I - 1), by
:func:`equity_lib.overdispersion.dispersion_test`; when the units are overdispersed (p < 0.001) and
:func:`funnel_chart` draws unadjusted limits, it warns
(:class:`~equity_lib.overdispersion.OverdispersionWarning`), naming the units outside the widest limits
and suggesting ``overdispersion="additive"``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import (
    confidence_levels,
    fail_rows,
    level_suffix,
    numeric_column,
    positive_number,
    require_columns,
    require_dataframe,
    rows_phrase,
)
from equity_lib.overdispersion import ALPHA, DispersionTest, OverdispersionWarning, dispersion_test
from equity_lib.rates import poisson_limits

__all__ = [
    "FunnelResult",
    "funnel_chart",
    "funnel_limits",
    "funnel_significance",
    "overdispersion_estimates",
    "poisson_funnel_counts",
    "proportion_funnel",
]

STATISTICS = ("proportion", "ratio", "rate")
OVERDISPERSION = (None, "multiplicative", "additive")
PHE_LEVELS = (0.95, 0.998)
SIGNIFICANCE_LEVELS = ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)", "Not significant",
                       "Not applicable for events less than 10 for dsrs"]


# --------------------------------------------------------------------------------------------------
# Limits as functions of the denominator (arrays in, arrays out)
# --------------------------------------------------------------------------------------------------

def _one_sided(confidence: float) -> float:
    return 1 - (1 - confidence) / 2


def proportion_funnel(n, target: float, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits for a proportion at denominators n: target -/+ z sqrt(target (1 - target) / n).

    These are the proportions whose Wilson score interval at this confidence just reaches the target
    (Spiegelhalter 2005; PHEindicatormethods' ``sigma_adjustment``). Not clipped to [0, 1].
    """
    n = np.asarray(n, dtype="float64")
    z = special.ndtri(_one_sided(confidence))  # the normal quantile (what scipy.stats.norm.ppf evaluates)
    half = z * np.sqrt(target * (1 - target) / n)
    return target - half, target + half


def poisson_funnel_counts(expected, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits for an observed count when E events are expected, from exact Poisson intervals.

    lower: the O whose exact upper limit chi2_p(2O + 2) / 2 equals E; upper: the O whose exact lower
    limit chi2_{1-p}(2O) / 2 equals E, p = 1 - (1 - confidence) / 2 (Ulm 1990; as PHEindicatormethods'
    funnels). Continuous in O; the lower limit is 0 where even O = 0 would be inside the funnel.
    """
    expected = np.asarray(expected, dtype="float64")
    p = _one_sided(confidence)
    with np.errstate(invalid="ignore"):
        lower = special.chdtriv(p, 2 * expected) / 2 - 1
        upper = special.chdtriv(1 - p, 2 * expected) / 2
    return np.maximum(lower, 0.0), upper


def _expected_at_count(observed, confidence):
    """Inverse of poisson_funnel_counts: the E at which O is on the lower and on the upper limit."""
    observed = np.asarray(observed, dtype="float64")
    p = _one_sided(confidence)
    on_lower = special.chdtri(2 * observed + 2, 1 - p) / 2  # chi2_p(2O + 2) / 2
    with np.errstate(invalid="ignore"):
        on_upper = np.where(observed > 0, special.chdtri(2 * np.maximum(observed, 1e-300), p) / 2, 0.0)
    return on_lower, on_upper


# --------------------------------------------------------------------------------------------------
# PHEindicatormethods' axis (the 100 points of calculate_funnel_limits)
# --------------------------------------------------------------------------------------------------

def _digits(value: float) -> int:
    """Digits of a whole number. (PHE counts R's printed characters, and R prints 100000 as "1e+05";
    the rounding below gives the same axis either way, since such a number is already round.)"""
    return len(str(int(value)))


def _axis_floor(x: float) -> float:
    """PHE's neat axis minimum: 95% of x rounded down to its leading digit."""
    if x == 0:
        return 0.0
    scale = 10.0 ** (_digits(np.floor(x * 0.95)) - 1)
    return float(np.floor(x * 0.95 / scale) * scale)


def _axis_ceiling(x: float) -> float:
    """PHE's neat axis maximum: 105% of x rounded up to two leading digits."""
    if x == 0:
        return 0.0
    scale = 10.0 ** (_digits(np.ceil(x * 1.05)) - 2)
    return float(np.ceil(x * 1.05 / scale) * scale)


def _axis(minimum: float, maximum: float, per: float = 1.0) -> tuple[float, float]:
    """Axis range: from 0 when the denominators span more than a factor 2, else from a neat minimum."""
    lo = 0.0 if maximum > 2 * minimum else _axis_floor(minimum / per) * per
    return lo, _axis_ceiling(maximum / per) * per


def _axis_points(lo: float, hi: float, ratio: bool = False, points: int = 100) -> np.ndarray:
    """PHE's 100 whole-number points: start at max(1, lo), each one step of a geometric progression to
    hi (rounded half to even, as R), at least 1 above the one before."""
    out = [max(1.0, lo)]
    for j in range(2, points + 1):
        steps = points + 1 - (j - 1 if ratio else j)
        out.append(max(float(np.round((hi / out[-1]) ** (1 / steps) * out[-1])), out[-1] + 1))
    return np.array(out)


# --------------------------------------------------------------------------------------------------
# Input handling shared by the three public functions
# --------------------------------------------------------------------------------------------------

def _check_statistic(statistic):
    if statistic not in STATISTICS:
        raise ValueError(f"statistic={statistic!r} is not one of {list(STATISTICS)}.")


def _counts(data, column, what="numerator"):
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per unit.")
    values = numeric_column(data, column)
    fail_rows(data, np.isnan(values), f"Column '{column}' has a missing {what}",
              "a funnel plot needs every unit's value: fill it in or drop the row.")
    fail_rows(data, values < 0, f"Column '{column}' has a negative {what}", f"a {what} cannot be negative.")
    return values


def _denominators(data, column, what="denominator"):
    values = numeric_column(data, column)
    fail_rows(data, np.isnan(values), f"Column '{column}' has a missing {what}",
              f"fill in the {what} or drop the row.")
    fail_rows(data, values <= 0, f"Column '{column}' has a zero or negative {what}",
              f"a {what} must be greater than 0; drop the row or correct it.")
    return values


def _rate_denominators(data, numerator, num, denominator, rate, rate_type, multiplier, for_limits):
    """PHE's derived denominators for rates: for a DSR multiplier x events / rate (missing at 0 events);
    for a crude rate the denominator when given, else multiplier x events / rate."""
    if rate_type not in ("dsr", "crude"):
        raise ValueError(f"rate_type={rate_type!r} is not one of ['dsr', 'crude']. Fix: say whether the "
                         "rates are directly standardised ('dsr') or crude ('crude').")
    den = _denominators(data, denominator) if denominator is not None else None
    if rate is None:
        if rate_type == "dsr" or den is None:
            raise ValueError(f"A {rate_type} funnel needs rate='<column of rates>'"
                             + ("" if rate_type == "dsr" else " or denominator='<column of populations>'")
                             + ".")
        return den
    rates = numeric_column(data, rate)
    zero = num == 0
    # a missing rate is expected where it was withheld: a DSR from fewer than 10 events, or 0 events
    withheld = zero | ((num < 10) if rate_type == "dsr" else False)
    fail_rows(data, np.isnan(rates) & ~withheld, f"Column '{rate}' has a missing rate",
              "fill in the rate or drop the row (only rates from 0 events, or DSRs from fewer than 10, "
              "may be missing).")
    fail_rows(data, rates < 0, f"Column '{rate}' has a negative rate", "a rate cannot be negative.")
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = multiplier * num / rates
    if rate_type == "dsr":
        return np.where(zero, np.nan, derived)
    if den is None:
        if zero.any():
            fail_rows(data, zero, f"Column '{numerator}' has 0 events and no denominator was given",
                      "for rates where a unit has 0 events pass denominator='<column of populations>'.")
        return derived
    return den if for_limits else np.where(zero, den, derived)


# --------------------------------------------------------------------------------------------------
# PHEindicatormethods-compatible functions
# --------------------------------------------------------------------------------------------------

def funnel_limits(data: pd.DataFrame, numerator: str, denominator: str | None = None, *,
                  statistic: str = "proportion", rate: str | None = None, rate_type: str | None = None,
                  ratio_type: str = "isr", years_of_data: float = 1, multiplier: float | None = None,
                  points: int = 100) -> pd.DataFrame:
    """Funnel-plot limits at 95% and 99.8% on PHEindicatormethods' 100-point axis.

    As PHEindicatormethods 2.1.0 ``calculate_funnel_limits``: the axis runs from 0 (when the largest
    denominator is more than twice the smallest) or a neat value below the smallest, to a neat value
    above the largest, in whole-number geometric steps. Limits: see the module docstring.

    * proportion: x = ``denominator``; limits on the multiplier's scale (default 100: percentages),
      clipped to [0, multiplier]; ``baseline`` = sum(numerator) / sum(denominator).
    * ratio (``numerator`` observed, ``denominator`` expected counts): x = ``observed`` (whole numbers,
      spanning the range of the expected counts); ``expected_lower_95`` is the expected count at which
      that many observed events sit on the lower 95% limit, ``lower_95`` = observed / that expected
      (``ratio_type="isr"``: times the multiplier, default 100; ``"count"``: minus 1, as PHE).
    * rate (``numerator`` events; ``rate`` and/or ``denominator``; ``rate_type`` "dsr" or "crude"):
      x = ``events``; ``population_lower_95`` the yearly population (over ``years_of_data``) at which
      that many events sit on the lower 95% limit; limits per ``multiplier`` (default 100,000);
      ``baseline`` the average rate. For a DSR each denominator is derived as multiplier x events / rate.

    Returns
    -------
    DataFrame
        ``points`` rows; the columns above plus ``statistic`` and ``method`` (``"Wilson"`` or
        ``"Poisson"``).
    """
    require_dataframe(data)
    _check_statistic(statistic)
    require_columns(data, [numerator, denominator, rate])
    if not isinstance(points, (int, np.integer)) or isinstance(points, bool) or points < 2:
        raise ValueError(f"points must be a whole number of at least 2, not {points!r}.")
    num = _counts(data, numerator)
    if statistic == "proportion":
        mult = positive_number(100 if multiplier is None else multiplier, "multiplier", "100 for percentages")
        den = _need_denominator(data, denominator, statistic)
        fail_rows(data, num > den, f"Column '{numerator}' (numerator) is above column '{denominator}'",
                  "a proportion cannot exceed 1; check the two columns are not swapped.")
        target = num.sum() / den.sum()
        x = _axis_points(*_axis(den.min(), den.max()), points=points)
        out = pd.DataFrame({"denominator": x})
        for level in PHE_LEVELS:
            lower, upper = proportion_funnel(x, target, level)
            out[f"lower_{level_suffix(level)}"] = np.clip(lower * mult, 0, mult)
            out[f"upper_{level_suffix(level)}"] = np.clip(upper * mult, 0, mult)
        out["baseline"] = target * mult
        out["statistic"], out["method"] = "proportion", "Wilson"
        return out
    if statistic == "ratio":
        if ratio_type not in ("isr", "count"):
            raise ValueError(f"ratio_type={ratio_type!r} is not one of ['isr', 'count'].")
        if ratio_type == "count" and multiplier is not None:
            raise ValueError("ratio_type='count' gives observed / expected - 1 and takes no multiplier.")
        mult = positive_number(100 if multiplier is None else multiplier, "multiplier", "100")
        den = _need_denominator(data, denominator, statistic, "expected count")
        observed = _axis_points(*_axis(den.min(), den.max()), ratio=True, points=points)
        out = pd.DataFrame({"observed": observed})
        for level in PHE_LEVELS:
            on_lower, on_upper = _expected_at_count(observed, level)
            for side, expected in (("lower", on_lower), ("upper", on_upper)):
                ratio = observed / expected
                out[f"expected_{side}_{level_suffix(level)}"] = expected
                out[f"{side}_{level_suffix(level)}"] = ratio - 1 if ratio_type == "count" else ratio * mult
        out["statistic"], out["method"] = f"ratio ({ratio_type})", "Poisson"
        return out
    mult = positive_number(100_000 if multiplier is None else multiplier, "multiplier", "100000")
    years = positive_number(years_of_data, "years_of_data", "3 for three years' data pooled")
    derived = _rate_denominators(data, numerator, num, denominator, rate, rate_type, mult, for_limits=True)
    target = num.sum() / np.nansum(derived)
    lo, hi = _axis(np.nanmin(derived), np.nanmax(derived), per=years)
    events = _axis_points(np.floor(lo * target), np.ceil(hi * target), points=points)
    out = pd.DataFrame({"events": events})
    for level in PHE_LEVELS:
        on_lower, on_upper = _expected_at_count(events, level)
        for side, expected in (("lower", on_lower), ("upper", on_upper)):
            population = expected / target
            out[f"population_{side}_{level_suffix(level)}"] = population / years
            out[f"{side}_{level_suffix(level)}"] = events / population * mult
    out["baseline"] = target * mult
    out["statistic"] = f"rate ({rate_type} per {mult:,.0f})"
    out["method"] = "Poisson"
    return out


def _need_denominator(data, denominator, statistic, what="denominator"):
    if denominator is None:
        raise ValueError(f"A {statistic} funnel needs denominator='<column of {what}s>'.")
    return _denominators(data, denominator, what)


def funnel_significance(data: pd.DataFrame, numerator: str, denominator: str | None = None, *,
                        statistic: str = "proportion", rate: str | None = None,
                        rate_type: str | None = None, multiplier: float | None = None) -> pd.DataFrame:
    """Each unit's funnel-plot label, as PHEindicatormethods 2.1.0 ``assign_funnel_significance``.

    Labels: "High (0.001)" / "Low (0.001)" beyond the 99.8% limits, "High (0.025)" / "Low (0.025)"
    beyond the 95% limits, else "Not significant" (and, for DSRs from fewer than 10 events, "Not
    applicable for events less than 10 for dsrs").

    * proportion: the unit's proportion against the funnel limits at its own denominator around the
      average sum(numerator) / sum(denominator) (:func:`proportion_funnel`);
    * ratio: the unit's confidence interval for observed / expected (exact below 10 observed, Byar
      from 10, :func:`equity_lib.rates.poisson_limits`) against 1;
    * rate: the unit's interval for events / derived denominator (see :func:`funnel_limits`) against
      the average rate sum(events) / sum(derived denominators). For rates the multiplier must be the
      one the ``rate`` column is expressed per.

    Returns
    -------
    DataFrame
        The input with a categorical ``significance`` column added.
    """
    require_dataframe(data)
    _check_statistic(statistic)
    require_columns(data, [numerator, denominator, rate])
    if "significance" in data.columns:
        raise ValueError("data already has a column 'significance'. Fix: rename it first.")
    num = _counts(data, numerator)
    if statistic == "proportion":
        den = _need_denominator(data, denominator, statistic)
        fail_rows(data, num > den, f"Column '{numerator}' (numerator) is above column '{denominator}'",
                  "a proportion cannot exceed 1; check the two columns are not swapped.")
        target = num.sum() / den.sum()
        value = num / den
        bands = {level: proportion_funnel(den, target, level) for level in PHE_LEVELS}
        label = np.select([value < bands[0.998][0], value < bands[0.95][0],
                           value > bands[0.998][1], value > bands[0.95][1]],
                          ["Low (0.001)", "Low (0.025)", "High (0.001)", "High (0.025)"], "Not significant")
    else:
        if statistic == "ratio":
            den = _need_denominator(data, denominator, statistic, "expected count")
            target = 1.0
        else:
            if multiplier is None:
                raise ValueError("For rates, pass the multiplier the rate column is expressed per "
                                 "(e.g. multiplier=100000).")
            mult = positive_number(multiplier, "multiplier", "100000")
            den = _rate_denominators(data, numerator, num, denominator, rate, rate_type, mult,
                                     for_limits=False)
            target = num.sum() / np.nansum(den)
        bands = {}
        for level in PHE_LEVELS:
            lower, upper, _ = poisson_limits(num, level)
            with np.errstate(invalid="ignore", divide="ignore"):
                # the unit's interval for its ratio or rate; 0 events has a lower limit of 0
                bands[level] = (np.where(num == 0, 0.0, lower) / den, upper / den)
        label = np.select([bands[0.998][0] > target, bands[0.95][0] > target,
                           bands[0.998][1] < target, bands[0.95][1] < target],
                          ["High (0.001)", "High (0.025)", "Low (0.001)", "Low (0.025)"], "Not significant")
        if statistic == "rate" and rate_type == "dsr":
            label = np.where(num < 10, SIGNIFICANCE_LEVELS[-1], label)
    out = data.copy()
    out["significance"] = pd.Categorical(label, categories=SIGNIFICANCE_LEVELS)
    return out


# --------------------------------------------------------------------------------------------------
# The general funnel: units, limits at their own denominators, overdispersion
# --------------------------------------------------------------------------------------------------

_X_NAMES = {"proportion": "denominator", "ratio": "expected", "rate": "population"}


@dataclass(frozen=True)
class FunnelResult:
    """What :func:`funnel_chart` returns: tidy tables to read, overdispersion figures, and a plot.

    Attributes
    ----------
    table : DataFrame
        One row per unit, in input order: the input columns, ``value``, ``target``, ``z`` (the
        unadjusted z-score (y - target) / s), ``z_adjusted`` (divided by the overdispersion factor;
        equal to ``z`` without adjustment), ``lower_95``, ``upper_95``, ``lower_99_8``, ``upper_99_8``
        (the limits at the unit's own denominator; adjusted when asked) and ``signal``
        (``"above 99.8% limit"``, ``"above 95% limit"``, ``"within limits"``, ``"below 95% limit"``,
        ``"below 99.8% limit"``: the widest limit the unit lies beyond).
    limits : DataFrame
        The funnel to draw: a fine grid of the x variable (``denominator``, ``expected`` or
        ``population``), ``target`` and each limit.
    phi : float
        The Winsorised overdispersion ratio sum(z_w^2) / I (about 1 when the units vary by chance only).
    tau2 : float
        The DerSimonian-Laird between-unit variance, on the unscaled value's scale (a proportion, a
        ratio, a rate per person): 0 when phi <= (I - 1) / I.
    p_overdispersion : float
        P(chi-square with I - 1 df >= I phi): a small value is evidence of overdispersion; below 0.001
        :func:`funnel_chart` warns about unadjusted limits (:mod:`equity_lib.overdispersion`).
    settings : dict
        The arguments the funnel was made with.
    """

    table: pd.DataFrame
    limits: pd.DataFrame = field(repr=False)
    phi: float
    tau2: float
    p_overdispersion: float
    settings: dict = field(default_factory=dict)

    def plot(self, **kwargs):
        """The funnel plot: see :func:`equity_lib.funnel.plot.plot_funnel` for the arguments."""
        from equity_lib.funnel.plot import plot_funnel

        return plot_funnel(self, **kwargs)

    def counts(self) -> pd.Series:
        """How many units carry each signal."""
        return self.table["signal"].value_counts(sort=False)

    def summary(self) -> pd.DataFrame:
        """One row: how many units lie beyond each limit against how many chance alone would put
        there, and the overdispersion figures.

        Columns: ``units``; ``target`` (plotted scale); for each confidence level, e.g. 95%,
        ``outside_95`` (units beyond the 95% limits on either side, counting those also beyond wider
        limits) and ``expected_outside_95`` = units x (1 - 0.95), the number expected if the units
        differed by chance alone; ``phi``; ``p_overdispersion``; ``tau``, the between-unit standard
        deviation sqrt(tau^2) on the plotted scale (percentage points for a percentage; Spiegelhalter
        2005, section 6); ``overdispersion``, the adjustment made (``"none"`` without one).
        """
        levels = self.settings["confidence"]
        signal = self.table["signal"].astype(str)
        units = len(self.table)
        row = {"units": units, "target": float(self.table["target"].iloc[0])}
        for level in sorted(levels):
            beyond = [f"{side} {_pct(wider)} limit" for wider in levels if wider >= level
                      for side in ("above", "below")]
            row[f"outside_{level_suffix(level)}"] = int(signal.isin(beyond).sum())
            row[f"expected_outside_{level_suffix(level)}"] = units * (1 - level)
        row.update(phi=self.phi, p_overdispersion=self.p_overdispersion,
                   tau=float(np.sqrt(self.tau2) * self.settings["multiplier"]),
                   overdispersion=self.settings["overdispersion"] or "none")
        return pd.DataFrame([row])


def _null_sd(statistic, target, den):
    """Standard error of the unscaled value under the target: the s_i of Spiegelhalter (2005)."""
    if statistic == "proportion":
        return np.sqrt(target * (1 - target) / den)
    return np.sqrt(target / den)  # Poisson: var(O / E) = theta / E, var(O / P) = theta / P


def _unadjusted(statistic, target, den, level):
    if statistic == "proportion":
        return proportion_funnel(den, target, level)
    lower, upper = poisson_funnel_counts(target * den, level)
    return lower / den, upper / den


def overdispersion_estimates(z, s, winsorise: float = 0.1) -> tuple[float, float, float]:
    """(phi, tau^2, p) from z-scores and null standard errors s (Spiegelhalter 2005, section 6).

    z is Winsorised at its ``winsorise`` and 1 - ``winsorise`` quantiles (R's default quantile
    definition, linear interpolation); phi = sum(z_w^2) / I and p = P(chi2_{I-1} >= I phi), both from
    :func:`equity_lib.overdispersion.dispersion_test`; tau^2 = max(0, (I phi - (I - 1)) / (sum w - sum
    w^2 / sum w)), w = 1 / s^2 (DerSimonian & Laird 1986).
    """
    z, s = np.asarray(z, dtype="float64"), np.asarray(s, dtype="float64")
    units = z.size
    phi, p, _ = dispersion_test(z, winsorise=winsorise)
    w = 1 / s**2
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return phi, float(tau2), p


def _signal(value, bounds, levels):
    """The widest level whose limits the value lies beyond, as words (a categorical, built from codes)."""
    categories = ([f"above {_pct(lv)} limit" for lv in sorted(levels, reverse=True)] + ["within limits"]
                  + [f"below {_pct(lv)} limit" for lv in sorted(levels)])
    code = np.full(value.shape, categories.index("within limits"), dtype=np.int64)
    for level in sorted(levels):  # wider levels overwrite narrower ones
        lower, upper = bounds[level]
        code = np.where(value > upper, categories.index(f"above {_pct(level)} limit"), code)
        code = np.where(value < lower, categories.index(f"below {_pct(level)} limit"), code)
    return pd.Categorical.from_codes(code, categories=categories)


def _pct(level: float) -> str:
    return f"{round(level * 100, 8):g}%"


def funnel_chart(data: pd.DataFrame, numerator: str, denominator: str, *, statistic: str = "proportion",
           target: float | None = None, multiplier: float | None = None,
           confidence: float | Sequence[float] = PHE_LEVELS, overdispersion: str | None = None,
           winsorise: float = 0.1, points: int = 200, label: str | None = None) -> FunnelResult:
    """Funnel plot data: each unit's value against limits at its own denominator, optionally adjusted
    for overdispersion.

    Unadjusted limits are PHEindicatormethods' (Wilson for proportions, exact Poisson for ratios and
    rates; see the module docstring), at every level in ``confidence``. With ``overdispersion`` the
    limits are widened as Spiegelhalter (2005, *Stat Med* 24:1185-1202) describes, with phi estimated
    from Winsorised z-scores (the 10% most extreme each side pulled in, as in NHS England's SHMI):
    ``"multiplicative"`` scales each limit's distance from the target by sqrt(phi) (phi >= 1);
    ``"additive"`` (random effects) by sqrt(1 + tau^2 / s_i^2), tau^2 by DerSimonian-Laird. Use an
    adjustment when the units differ for many small reasons the data cannot capture (case mix, coding):
    then unadjusted limits flag far more than 5% / 0.2% of units that are in fact in control.

    Parameters
    ----------
    data : DataFrame
        One row per unit (trust, practice, area).
    numerator, denominator : str
        proportion: cases and people; ratio: observed and expected counts; rate: events and population.
    statistic : {"proportion", "ratio", "rate"}
    target : float, optional
        The centre line on the plotted scale (after ``multiplier``). Default: the overall value
        sum(numerator) / sum(denominator) (x multiplier) for proportions and rates, 1 x multiplier
        for ratios.
    multiplier : float, optional
        Default 100 for proportions (percentages), 1 for ratios, 100,000 for rates.
    confidence : float or tuple of float
        Default (0.95, 0.998): PHE's 2- and 3-sigma limits (one-sided 0.975 and 0.999).
    overdispersion : {None, "multiplicative", "additive"}
    winsorise : float
        The share of z-scores pulled in at each end when estimating phi (0.1, as Spiegelhalter 2005;
        0 for none). Winsorising protects phi from real outliers but also shrinks it: for z-scores
        that are all normal, the 10% Winsorised mean square is about 0.68 of the true one. In the
        seeded test (tests/test_funnel_properties.py: 4,000 in-control but overdispersed units)
        unadjusted limits flag 59% of units at 95% and 41% at 99.8%; Winsorised adjustments 12% and
        2%; the additive adjustment without Winsorising 5.2% and 0.18%.
    points : int
        Points on the drawn funnel (``result.limits``).
    label : str, optional
        The column naming the units, for the overdispersion warning. Default: the first text column
        whose values are all present and distinct, else the rows' index labels.

    Returns
    -------
    FunnelResult
        ``.table`` (one row per unit), ``.limits`` (the curve), ``.phi``, ``.tau2``,
        ``.p_overdispersion``, ``.summary()`` (one row: units beyond each limit against the number
        chance alone would put there, phi, p, tau), ``.plot()``.

    Warns
    -----
    OverdispersionWarning
        With ``overdispersion=None`` (unadjusted limits) when the units are overdispersed: Spiegelhalter's
        test of I phi (the same Winsorised phi as ``result.phi``) against chi-square with I - 1 degrees
        of freedom gives p < 0.001 (``result.p_overdispersion``; see :mod:`equity_lib.overdispersion`
        for the test and the threshold). The warning names the units outside the widest limits and
        suggests ``overdispersion="additive"``. Never with an adjustment. To draw unadjusted limits on
        purpose, filter it: ``warnings.filterwarnings("ignore", category=OverdispersionWarning)``.
    """
    require_dataframe(data)
    _check_statistic(statistic)
    if overdispersion not in OVERDISPERSION:
        raise ValueError(f"overdispersion={overdispersion!r} is not one of {list(OVERDISPERSION)}.")
    levels = confidence_levels(confidence)
    default_mult = {"proportion": 100, "ratio": 1, "rate": 100_000}[statistic]
    mult = positive_number(default_mult if multiplier is None else multiplier, "multiplier",
                           f"{default_mult}")
    if isinstance(winsorise, bool) or not isinstance(winsorise, (int, float)) or not 0 <= winsorise < 0.5:
        raise ValueError(f"winsorise must be a share from 0 up to (not including) 0.5, not {winsorise!r}. "
                         "Fix: pass 0.1 to pull in the 10% most extreme z-scores at each end.")
    if not isinstance(points, (int, np.integer)) or isinstance(points, bool) or points < 2:
        raise ValueError(f"points must be a whole number of at least 2, not {points!r}.")
    require_columns(data, [numerator, denominator, label])
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per unit.")
    num = _counts(data, numerator)
    what = {"proportion": "denominator", "ratio": "expected count", "rate": "population"}[statistic]
    den = _denominators(data, denominator, what)
    if statistic == "proportion":
        fail_rows(data, num > den, f"Column '{numerator}' (numerator) is above column '{denominator}'",
                  "a proportion cannot exceed 1; check the two columns are not swapped.")
    if target is None:
        theta = 1.0 if statistic == "ratio" else num.sum() / den.sum()
    else:
        theta = positive_number(target, "target", "the national value on the plotted scale") / mult
    if (statistic == "proportion" and not 0 < theta < 1) or theta <= 0:
        raise ValueError(f"The target ({theta * mult:g}) must lie strictly inside the possible range "
                         "(above 0, and below 1 for a proportion): limits around it have no width. "
                         "Fix: pass target= or check the numerators.")
    if overdispersion is not None and len(data) < 3:
        raise ValueError("Estimating overdispersion needs at least 3 units. Fix: pass overdispersion=None.")

    value = num / den
    s = _null_sd(statistic, theta, den)
    z = (value - theta) / s
    phi, tau2, p = _overdispersion_or_nan(z, s, winsorise)

    def factor(sd):
        if overdispersion == "multiplicative":
            return np.sqrt(max(phi, 1.0)) * np.ones_like(sd)
        if overdispersion == "additive":
            return np.sqrt(1 + tau2 / sd**2)
        return np.ones_like(sd)

    def bounds(x, sd):
        out = {}
        f = factor(sd)
        for level in levels:
            lower, upper = _unadjusted(statistic, theta, x, level)
            lower, upper = theta + f * (lower - theta), theta + f * (upper - theta)
            out[level] = (np.maximum(lower, 0.0), np.minimum(upper, 1.0) if statistic == "proportion"
                          else upper)
        return out

    unit_bounds = bounds(den, s)
    table = data.copy()
    added = {"value": value * mult, "target": theta * mult, "z": z, "z_adjusted": z / factor(s)}
    for level in levels:
        added[f"lower_{level_suffix(level)}"] = unit_bounds[level][0] * mult
        added[f"upper_{level_suffix(level)}"] = unit_bounds[level][1] * mult
    added["signal"] = _signal(value, unit_bounds, levels)
    clash = [name for name in added if name in table.columns]
    if clash:
        raise ValueError(f"data already has column(s) {clash}, which funnel adds. Fix: rename them first.")
    for name, values in added.items():
        table[name] = values

    grid = np.geomspace(den.min() * 0.8, den.max() * 1.1, points)
    grid_bounds = bounds(grid, _null_sd(statistic, theta, grid))
    curve = pd.DataFrame({_X_NAMES[statistic]: grid, "target": theta * mult})
    for level in levels:
        curve[f"lower_{level_suffix(level)}"] = grid_bounds[level][0] * mult
        curve[f"upper_{level_suffix(level)}"] = grid_bounds[level][1] * mult
    # what the centre line is, for its label: a target given, or computed from the data themselves
    centre = "target" if target is not None else "expected" if statistic == "ratio" else "average"
    settings = dict(numerator=numerator, denominator=denominator, statistic=statistic,
                    multiplier=mult, confidence=levels, overdispersion=overdispersion, winsorise=winsorise,
                    centre=centre)
    if overdispersion is None and p < ALPHA:  # p is NaN (no test) below 3 units
        _warn_overdispersed(data, _unit_names(data, label, (numerator, denominator)), z, added["signal"],
                            levels, DispersionTest(phi, p, True), winsorise)
    return FunnelResult(table=table, limits=curve, phi=phi, tau2=tau2, p_overdispersion=p, settings=settings)


_NAMES_SHOWN = 5


def _unit_names(data, label, skip):
    """The names of the units: the label column, else the first text column whose values are all present
    and distinct, else None (the index labels are used)."""
    if label is not None:
        return data[label]
    for column in data.columns:
        series = data[column]
        if column in skip or not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)
                                  or isinstance(series.dtype, pd.CategoricalDtype)):
            continue
        if series.notna().all() and series.is_unique:
            return series
    return None


def _warn_overdispersed(data, names, z, signal, levels, test, winsorise):
    """OverdispersionWarning: the test's figures, the units outside the widest limits the data reach
    (most extreme first) and the fix."""
    units = len(data)
    found = "No unit lies outside the limits yet, but they are too narrow for these units."
    for level in sorted(levels, reverse=True):  # the first level any unit lies beyond, from the widest
        outside = np.isin(signal.codes, [signal.categories.get_loc(f"{side} {_pct(level)} limit")
                                         for side in ("above", "below")])
        beyond = np.flatnonzero(outside)
        beyond = beyond[np.argsort(-np.abs(z[beyond]), kind="stable")]  # most extreme first
        if beyond.size:
            if names is None:
                shown = rows_phrase(list(data.index[beyond]))
            else:
                listed = [repr(str(v)) for v in names.iloc[beyond[:_NAMES_SHOWN]]]
                more = len(beyond) - len(listed)
                shown = ", ".join(listed) + (f" and {more} more" if more else "")
            found = (f"{len(beyond)} of the {units} units lie outside the {_pct(level)} limits, where chance "
                     f"alone would put {units * (1 - level):.2g}: {shown}.")
            break
    how = f"{winsorise * 100:g}%-Winsorised " if winsorise else ""
    warnings.warn(
        f"Overdispersion: these units differ far more than chance allows ({test.describe()}; "
        f"Spiegelhalter's test of {units} x phi, from {how}z-scores, against chi-square with {units - 1} "
        f"degrees of freedom, threshold p < {ALPHA:g}), so the unadjusted limits mark ordinary "
        f"differences between units as signals. {found} Fix: pass overdispersion=\"additive\" for "
        "Spiegelhalter's random-effects limits, which allow for those differences (to show unadjusted "
        "limits on purpose, filter OverdispersionWarning).",
        OverdispersionWarning, stacklevel=3)


def _overdispersion_or_nan(z, s, winsorise):
    if z.size < 3:
        return np.nan, np.nan, np.nan
    return overdispersion_estimates(z, s, winsorise)
