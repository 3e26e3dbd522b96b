"""Ratios of two proportions: how much more likely one group is than another, and who is represented.

* :func:`risk_ratio` - the ratio of a focus group's proportion to a reference group's (a risk ratio; the
  NHS Workforce Race Equality Standard's "relative likelihood", e.g. of White applicants being appointed
  from shortlisting compared with Black and minority ethnic applicants), with limits by the log method
  (Katz et al. 1978).
* :func:`representation` - for every group, its share of the numerator (e.g. of a survey's respondents)
  over its share of the denominator (of those invited): 1 when the group is represented in proportion,
  below 1 when it is under-represented, with limits from the delta method.

Both take counts (``numerator`` events out of ``denominator`` people), pool rows that share the ``by``
and ``group`` labels, and return one row per result with ``value``, ``lower_95``/``upper_95`` (and
``lower_99_8``, ... for other levels), ``se`` (the standard error of ``ln(value)``) and ``interpretation``,
the finding in words or, when there is no ratio, the reason why.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import (
    as_written,
    by_columns,
    by_not_an_output,
    column_names,
    confidence_levels,
    fail_rows,
    group_codes,
    in_sentence,
    level_suffix,
    missing_labels,
    numeric_column,
    require_columns,
    require_dataframe,
    rows_phrase,
    too_large,
)
from equity_lib.inequality._common import format_rounded as _fmt
from equity_lib.inequality._common import number_key, text_column

__all__ = ["representation", "risk_ratio"]


_RR_OUTPUT = ("focus_group", "reference_group", "focus_numerator", "focus_denominator", "reference_numerator",
              "reference_denominator", "focus_value", "reference_value", "value", "se", "interpretation")
_REP_OUTPUT = ("numerator_share", "denominator_share", "proportion", "overall_proportion", "value", "se",
               "interpretation")


def _z(level: float) -> float:
    """Two-sided normal deviate Phi^-1(1 - (1 - level) / 2): 1.959964 for 0.95 (``ndtri``)."""
    return float(special.ndtri(1 - (1 - level) / 2))


def _log_limits(out: pd.DataFrame, value, se, ok, levels) -> None:
    """Limits exp(ln value -/+ z se) for each level, and ``se`` (of ln value), into ``out``; missing where
    not ``ok`` (se is missing there)."""
    log_value = np.log(np.where(ok, value, 1.0))
    for level in levels:
        half = _z(level) * se
        out[f"lower_{level_suffix(level)}"] = np.exp(log_value - half)
        out[f"upper_{level_suffix(level)}"] = np.exp(log_value + half)
    out["se"] = se


def _percent(p: float) -> str:
    """A proportion as a percentage in words: 0.68 -> '68%', not '68.0%' from 68.00000000000001."""
    return f"{_fmt(100 * p)}%"


def _start(data, columns: dict, by, confidence, outputs) -> tuple[tuple[float, ...], list[str]]:
    """Shared checks: a DataFrame with rows, column names that exist, levels, by columns."""
    require_dataframe(data)
    levels = confidence_levels(confidence)
    keys = by_columns(by)
    column_names(columns)
    require_columns(data, [*columns.values(), *keys])
    named = list(columns.values())
    if len(set(named)) < len(named):
        raise ValueError(f"{', '.join(columns)} must name different columns (given "
                         f"{', '.join(repr(c) for c in named)}). Fix: pass a different column for each.")
    both = [c for c in named if c in keys]
    if both:
        raise ValueError(f"Column(s) {both} are also in by={keys}. Fix: name the separate analyses in by= "
                         "and the groups compared in group=.")
    by_not_an_output(keys, outputs)
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per group (or finer rows of counts, which are "
                         "added up).")
    return levels, keys


def _counts(data: pd.DataFrame, numerator: str, denominator: str) -> tuple[np.ndarray, np.ndarray]:
    """Numerators (missing allowed: the result is then missing, with the reason) and denominators, each
    whole and not negative, the numerator at most its denominator; else an error naming rows and fix."""
    num, den = numeric_column(data, numerator), numeric_column(data, denominator)
    fail_rows(data, num < 0, f"Column '{numerator}' (numerator) has negative counts",
              "counts cannot be negative; correct the extract.")
    with np.errstate(invalid="ignore"):
        fail_rows(data, np.isfinite(num) & (num != np.floor(num)),
                  f"Column '{numerator}' (numerator) has counts that are not whole numbers",
                  "pass counts of people or events, not rates, percentages or weighted figures (the log "
                  "method's variance is for counts).")
    fail_rows(data, np.isnan(den), f"Column '{denominator}' (denominator) is missing",
              "fill in the number at risk, or drop the row (a count without its denominator has no "
              "proportion).")
    fail_rows(data, den <= 0, f"Column '{denominator}' (denominator) is 0 or negative",
              "a group with no one at risk has no proportion: drop the row (a result whose group then has "
              "no rows is reported as missing, with the reason).")
    fail_rows(data, den != np.floor(den), f"Column '{denominator}' (denominator) has counts that are not "
              "whole numbers", "pass the number of people (or applicants, or invitations), not a rate.")
    too_large(data, numerator, num)
    too_large(data, denominator, den)
    with np.errstate(invalid="ignore"):
        fail_rows(data, num > den, f"Column '{numerator}' (numerator) is above column '{denominator}' "
                  "(denominator)", "a proportion's numerator cannot exceed its denominator; check that "
                  "numerator= and denominator= are not swapped.")
    return num, den


def _sum(values: np.ndarray, cell: np.ndarray, k: int) -> np.ndarray:
    """Sum per cell (cell -1: left out); a cell with a missing value is missing (not a sum too small)."""
    keep = cell >= 0
    cell, values = cell[keep], values[keep]
    missing = np.isnan(values)
    total = np.bincount(cell, weights=np.where(missing, 0.0, values), minlength=k)
    if missing.any():
        total[np.bincount(cell, weights=missing, minlength=k) > 0] = np.nan
    return total


def _check_labels(data: pd.DataFrame, group: str, focus, reference) -> None:
    present = pd.unique(data[group])
    present_set = set(present.tolist())
    for role, code in (("focus", focus), ("reference", reference)):
        if code not in present_set:
            shown = ", ".join(as_written(v) for v in sorted(present, key=str)[:20])
            raise ValueError(f"{role}={as_written(code)} is not a value of column '{group}' (its values: "
                             f"{shown}). Fix: pass one of those values as {role} (labels must match exactly, "
                             "including case and type: 1 is not '1').")
    if focus == reference:
        raise ValueError(f"focus and reference are the same group ({as_written(focus)}). Fix: pass two "
                         f"different values of '{group}', e.g. focus='White', reference='BME'.")


def risk_ratio(data: pd.DataFrame, numerator: str, denominator: str, group: str, *, focus, reference,
               by: str | list[str] | None = None,
               confidence: float | Sequence[float] = 0.95) -> pd.DataFrame:
    """The ratio of the focus group's proportion to the reference group's (risk ratio, relative likelihood).

    With a of n1 in the focus group and c of n2 in the reference group (rows sharing the ``by`` and
    ``group`` labels are added up first):

    * ``focus_value`` p1 = a / n1, ``reference_value`` p2 = c / n2, ``value`` RR = p1 / p2;
    * the log method: SE(ln RR) = sqrt(1/a - 1/n1 + 1/c - 1/n2), limits exp(ln RR -/+ z SE) with
      z = Phi^-1(1 - (1 - confidence) / 2) (Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence
      intervals for the risk ratio in cohort studies. *Biometrics* 1978;34:469-74; Altman DG. *Practical
      Statistics for Medical Research*. Chapman & Hall, 1991; Morris JA, Gardner MJ. Calculating
      confidence intervals for relative risks (odds ratios) and standardised ratios and rates. *BMJ*
      1988;296:1313-6). It equals statsmodels' ``Table2x2(...).riskratio_confint()`` (with
      ``shift_zeros=False``), which the library's tests check to 1e-9.

    The NHS Workforce Race Equality Standard (WRES, NHS England, indicator 2) calls this ratio the
    *relative likelihood*: of White applicants being appointed from shortlisting compared with Black and
    minority ethnic (BME) applicants is ``risk_ratio(data, "appointed", "shortlisted", "ethnic_group",
    focus="White", reference="BME")``; 1 means equal likelihood and WRES reads values above 1 as White
    applicants being more likely to be appointed. The limits allow for chance in the counts only: a ratio
    of 1.25 in a small trust can be noise, as its limits show.

    **Zero counts.** When a = 0 or c = 0 the ratio is 0 or infinite and ln RR has no finite standard
    error, so the log method gives no limits. The function does not add 0.5 to the cells (Haldane's
    continuity correction, statsmodels' ``shift_zeros``): that would print a finite ratio and limits that
    depend on an arbitrary constant and differ from the published WRES figures (a plain ratio of
    proportions). Instead ``value`` and its limits are missing and ``interpretation`` says why (e.g. "none
    of the 12 BME applicants shortlisted was appointed"); ``focus_value`` and ``reference_value`` still show
    the two proportions. Pool years or trusts to get a ratio. A missing count, or no rows at all for the
    focus or the reference group in a ``by`` group, likewise gives a missing ratio with the reason.

    Parameters
    ----------
    data : DataFrame
        Counts: one row per group (per ``by`` group), or finer rows (e.g. by staff group) that are added
        up. Rows of other groups (e.g. ethnicity not stated) are left out.
    numerator, denominator : str
        Columns of the count with the outcome (appointed) and the count at risk (shortlisted): whole
        numbers, not negative, the numerator at most the denominator, the denominator above 0.
    group : str
        Column of the groups compared (e.g. ``"ethnic_group"``).
    focus, reference
        The two values of ``group``: the ratio is focus over reference.
    by : str or list of str, optional
        Columns of separate analyses (e.g. ``["trust_code", "year"]``): one row each.
    confidence : float or tuple of float
        e.g. ``0.95`` (default) or ``(0.95, 0.998)``.

    Returns
    -------
    DataFrame
        One row per ``by`` group (sorted): the ``by`` columns, ``focus_group``, ``reference_group``,
        ``focus_numerator``, ``focus_denominator``, ``reference_numerator``, ``reference_denominator``
        (the pooled counts), ``focus_value``, ``reference_value`` (the proportions, 0 to 1), ``value`` (the
        ratio), ``lower_95``, ``upper_95`` (and other levels), ``se`` (the standard error of ln(value))
        and ``interpretation`` (the finding at the first level, or why there is no ratio).

    Raises
    ------
    ValueError
        ``focus`` or ``reference`` not a value of ``group``; negative or fractional counts; a missing, 0
        or fractional denominator; a numerator above its denominator; no rows. Each names the column, the
        rows and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import risk_ratio
    >>> wres = pd.DataFrame({"ethnic_group": ["White", "BME"], "shortlisted": [400, 250],
    ...                      "appointed": [100, 40]})
    >>> rr = risk_ratio(wres, "appointed", "shortlisted", "ethnic_group", focus="White", reference="BME")
    >>> rr[["focus_value", "reference_value", "value", "lower_95", "upper_95"]].round(3)
       focus_value  reference_value  value  lower_95  upper_95
    0         0.25             0.16  1.562     1.122     2.175
    """
    columns = {"numerator": numerator, "denominator": denominator, "group": group}
    levels, keys = _start(data, columns, by, confidence, _RR_OUTPUT)
    missing_labels(data, [group, *keys], "a label")
    _check_labels(data, group, focus, reference)

    labels = data[group].to_numpy()
    side = np.where(labels == focus, 1, np.where(labels == reference, 0, -1))
    chosen = side >= 0
    num, den = _counts(data.loc[chosen], numerator, denominator)
    codes, key_frame = group_codes(data, keys)
    k = len(key_frame)
    cell = codes[chosen] * 2 + side[chosen]
    a_c = _sum(num, cell, 2 * k)
    n_n = _sum(den, cell, 2 * k)
    rows = np.bincount(cell, minlength=2 * k)
    a, c, n1, n2 = a_c[1::2], a_c[0::2], n_n[1::2], n_n[0::2]
    absent_focus, absent_reference = rows[1::2] == 0, rows[0::2] == 0
    n1[absent_focus] = np.nan
    n2[absent_reference] = np.nan
    a[absent_focus] = np.nan
    c[absent_reference] = np.nan

    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a / n1, c / n2
        ok = (a > 0) & (c > 0)
        ratio = np.where(ok, p1 / p2, np.nan)
        se = np.where(ok, np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2), np.nan)
    out = key_frame.reset_index(drop=True)
    out["focus_group"] = pd.Series([focus] * k, dtype=object)
    out["reference_group"] = pd.Series([reference] * k, dtype=object)
    out["focus_numerator"], out["focus_denominator"] = a, n1
    out["reference_numerator"], out["reference_denominator"] = c, n2
    out["focus_value"], out["reference_value"] = p1, p2
    out["value"] = ratio
    _log_limits(out, ratio, se, ok, levels)
    reason = np.select([absent_focus, absent_reference, np.isnan(a), np.isnan(c), (a == 0) & (c == 0),
                        a == 0, c == 0], [1, 2, 3, 4, 5, 6, 7], 0)
    out["interpretation"] = _rr_words(out, reason, levels[0], numerator, denominator, group, focus,
                                      reference)
    return out


def _rr_words(out: pd.DataFrame, reason: np.ndarray, level: float, numerator: str, denominator: str,
              group: str, focus, reference):
    """The finding in words, or why there is no ratio (each distinct sentence built once)."""
    suffix = level_suffix(level)
    value = out["value"].to_numpy()
    low, high = out[f"lower_{suffix}"].to_numpy(), out[f"upper_{suffix}"].to_numpy()
    p1, p2 = out["focus_value"].to_numpy(), out["reference_value"].to_numpy()
    a, c = out["focus_numerator"].to_numpy(), out["reference_numerator"].to_numpy()
    n1, n2 = out["focus_denominator"].to_numpy(), out["reference_denominator"].to_numpy()
    percent = f"{round(level * 100, 8):g}%"
    what = f"{numerator} / {denominator}"
    raw = {1: focus, 2: reference}
    focus, reference = in_sentence(group, focus), in_sentence(group, reference)

    def build(i):
        r = reason[i]
        if r in (1, 2):
            label = raw[int(r)]
            return (f"No ratio: the data have no rows for {group}={as_written(label)} here. Fix: pool with "
                    "other groups of by= (years, trusts) if a ratio is needed.")
        if r in (3, 4):
            return (f"No ratio: a count in '{numerator}' is missing for {focus if r == 3 else reference} "
                    "(perhaps suppressed). Fill it in, or pool with other years or trusts.")
        if r == 5:
            return (f"No ratio: neither {focus} nor {reference} has any {numerator} ({_fmt(n1[i])} "
                    f"and {_fmt(n2[i])} in {denominator}), so the ratio is undefined.")
        if r == 6:
            return (f"No ratio with limits: none of the {_fmt(n1[i])} {focus} in {denominator} "
                    f"is in {numerator} (against {_percent(p2[i])} of {reference}), so the ratio is 0 and "
                    "the log method has no limits. Pool years or trusts, or report the two proportions.")
        if r == 7:
            return (f"No ratio: none of the {_fmt(n2[i])} {reference} in {denominator} is in "
                    f"{numerator} (against {_percent(p1[i])} of {focus}), so the ratio is infinite and the "
                    "log method has no limits. Pool years or trusts, or report the two proportions.")
        head = (f"{focus}: {_fmt(value[i])} times the proportion for {reference} ({what}: "
                f"{_percent(p1[i])} against {_percent(p2[i])}; {percent} limits {_fmt(low[i])} to "
                f"{_fmt(high[i])}).")
        if low[i] > 1 or high[i] < 1:
            direction = "higher" if value[i] > 1 else "lower"
            return (f"{head} The limits exclude 1 (equal proportions): {focus}'s proportion is {direction} "
                    f"than {reference}'s by more than chance alone would make likely.")
        return (f"{head} The limits include 1 (equal proportions), so these data do not show a difference: "
                "a ratio this size could be chance. They do not show that there is none either.")

    keys = [reason, *number_key(value), *number_key(low), *number_key(high), *number_key(100 * p1),
            *number_key(100 * p2), *number_key(n1), *number_key(n2), *number_key(a), *number_key(c)]
    return text_column(keys, build)


def representation(data: pd.DataFrame, numerator: str, denominator: str, group: str, *,
                   by: str | list[str] | None = None,
                   confidence: float | Sequence[float] = 0.95) -> pd.DataFrame:
    """Representation ratios: each group's share of the numerator over its share of the denominator.

    For a survey, ``numerator`` is the number who responded and ``denominator`` the number invited. With
    r_g of n_g responding in group g, R = sum r_h and N = sum n_h over the groups of one analysis (rows
    sharing the ``by`` and ``group`` labels are added up first):

    * ``value`` RR_g = (r_g / R) / (n_g / N) = p_g / P, where p_g = r_g / n_g is the group's response
      proportion and P = R / N the overall one: 1 when the group's share of respondents equals its share
      of those invited, 0.6 when it has 60% of the share it would have if everyone responded alike;
    * ``se`` and limits: ln RR_g = ln r_g - ln R + ln N - ln n_g, with the numbers invited fixed and each
      group's respondents binomial, r_h ~ Bin(n_h, p_h), independent between groups. The group's
      respondents are part of the total R, so ln r_g and ln R are **not** independent; the delta method
      (Agresti A. *Categorical Data Analysis*, 3rd edn, Wiley, 2013, sec. 16.1) with the gradient
      d ln RR_g / d r_g = 1/r_g - 1/R and d ln RR_g / d r_h = -1/R (h != g), and Var(r_h) = n_h p_h q_h
      estimated by r_h q_h (q_h = 1 - r_h / n_h), gives
      Var(ln RR_g) = (1/r_g - 1/R)^2 r_g q_g + (1/R^2) sum_{h != g} r_h q_h, which is
      q_g / r_g - 2 q_g / R + (1/R^2) sum_h r_h q_h: Var(ln p_g) + Var(ln P) - 2 Cov(ln p_g, ln P), whose
      covariance term is -2 q_g / R. Limits
      exp(ln RR_g -/+ z SE), z = Phi^-1(1 - (1 - confidence) / 2). Derived here for this library and
      checked by simulation: in 20,000 simulated surveys (five groups of 300 to 2,400 invited, response
      18% to 42%) the 95% limits covered the true ratio in 94.8% to 95.4% of surveys for every group,
      and in 94.9% to 95.3% with four groups of 40 to 200 invited (the tests repeat a 2,000-survey
      check). Without the covariance term (treating the group and the total as independent) the limits
      are too wide: 99% coverage for a group that is 42% of those invited, in 2,000 simulated surveys.

    Why this ratio rather than the group's response proportion over everyone else's (a plain risk ratio,
    :func:`risk_ratio` with the other groups relabelled "rest"): the share ratio answers the question a
    survey team asks, "is this group's voice in the results in proportion to its place among those we
    invited?", it is 1 for every group when response is even, and reweighting respondents by 1 / RR_g
    restores each group's share. The group-against-the-rest ratio is further from 1 and changes with the
    mix of the other groups.

    **No respondents.** A group with r_g = 0 has a share ratio of 0 with no log-scale limits: ``value``
    and its limits are missing and ``interpretation`` says so ("none of the 40 in 'invited' is in
    'responded' ... not represented at all"). A missing
    count makes every share of its ``by`` group unknown: those rows are missing, with the reason.

    Parameters
    ----------
    data : DataFrame
        Counts, one row per group (per ``by`` group) or finer rows that are added up.
    numerator, denominator : str
        Columns of those who responded and those invited: whole numbers, not negative, the numerator at
        most the denominator, the denominator above 0.
    group : str
        Column of the groups (e.g. ``"imd_quintile"``, ``"ethnic_group"``); each analysis needs at
        least two groups.
    by : str or list of str, optional
        Columns of separate analyses (e.g. ``"trust_code"``): each has its own totals.
    confidence : float or tuple of float
        e.g. ``0.95`` (default) or ``(0.95, 0.998)``.

    Returns
    -------
    DataFrame
        One row per ``by`` x ``group`` (sorted): the ``by`` columns, ``group`` under its own name, the
        pooled ``numerator`` and ``denominator`` columns under their own names, ``numerator_share``
        (r_g / R), ``denominator_share`` (n_g / N), ``proportion`` (p_g), ``overall_proportion`` (P),
        ``value`` (RR_g), ``lower_95``, ``upper_95`` (and other levels), ``se`` (of ln RR_g) and
        ``interpretation`` (at the first level).

    Raises
    ------
    ValueError
        Negative or fractional counts; a missing, 0 or fractional denominator; a numerator above its
        denominator; an analysis with fewer than two groups; no rows. Each names the column, the rows
        and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import representation
    >>> survey = pd.DataFrame({"imd_quintile": [1, 2, 3, 4, 5], "invited": [1000] * 5,
    ...                        "responded": [150, 220, 280, 320, 380]})
    >>> representation(survey, "responded", "invited", "imd_quintile")[
    ...     ["imd_quintile", "numerator_share", "value", "lower_95", "upper_95"]].round(3)
       imd_quintile  numerator_share  value  lower_95  upper_95
    0             1            0.111  0.556     0.484     0.638
    1             2            0.163  0.815     0.733     0.906
    2             3            0.207  1.037     0.949     1.133
    3             4            0.237  1.185     1.095     1.283
    4             5            0.281  1.407     1.314     1.508
    """
    columns = {"numerator": numerator, "denominator": denominator, "group": group}
    levels, keys = _start(data, columns, by, confidence, _REP_OUTPUT)
    missing_labels(data, [group, *keys], "a label")
    num, den = _counts(data, numerator, denominator)

    cells, cell_keys = group_codes(data, [*keys, group])
    m = len(cell_keys)
    r, n = _sum(num, cells, m), _sum(den, cells, m)
    analysis, analysis_keys = group_codes(cell_keys, keys)
    k = len(analysis_keys)
    groups_per = np.bincount(analysis, minlength=k)
    few = np.flatnonzero(groups_per < 2)
    if few.size:
        g = few[0]
        where = "the data" if not keys else ", ".join(f"{col}={as_written(analysis_keys.iloc[g][col])}"
                                                      for col in keys)
        rows = list(data.index[analysis[cells] == g])
        raise ValueError(f"{where} has only one group in '{group}' ({rows_phrase(rows)}): a group's share of "
                         "the total is then 1 and there is nothing to compare. Fix: include every group "
                         "invited (two or more), or drop that analysis.")

    total_r = _sum(r, analysis, k)[analysis]
    total_n = _sum(n, analysis, k)[analysis]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1 - r / n
        rq = r * q
        v_all = _sum(rq, analysis, k)[analysis]
        share_r, share_n = r / total_r, n / total_n
        p, overall = r / n, total_r / total_n
        ok = r > 0
        value = np.where(ok, share_r / share_n, np.nan)
        rest = np.maximum(v_all - rq, 0.0)  # sum over the other groups, never below 0 from rounding
        var = ((total_r - r) / (total_r * r)) ** 2 * rq + rest / total_r**2
        se = np.where(ok, np.sqrt(var), np.nan)

    out = cell_keys.reset_index(drop=True)
    out[numerator], out[denominator] = r, n
    out["numerator_share"], out["denominator_share"] = share_r, share_n
    out["proportion"], out["overall_proportion"] = p, overall
    out["value"] = value
    _log_limits(out, value, se, ok, levels)
    reason = np.select([np.isnan(total_r), total_r == 0, r == 0], [1, 2, 3], 0)
    out["interpretation"] = _rep_words(out, reason, levels[0], numerator, denominator, group)
    return out


def _rep_words(out: pd.DataFrame, reason: np.ndarray, level: float, numerator: str, denominator: str,
               group: str):
    suffix = level_suffix(level)
    value = out["value"].to_numpy()
    low, high = out[f"lower_{suffix}"].to_numpy(), out[f"upper_{suffix}"].to_numpy()
    share_r, share_n = out["numerator_share"].to_numpy(), out["denominator_share"].to_numpy()
    n = out[denominator].to_numpy()
    labels = out[group].to_numpy()
    percent = f"{round(level * 100, 8):g}%"

    def build(i):
        label = in_sentence(group, labels[i])  # '1: ...' would not say what 1 is
        if reason[i] == 1:
            return (f"No ratio: a count in '{numerator}' or '{denominator}' of this analysis is missing "
                    "(perhaps suppressed), so no group's share is known. Fill it in, or drop the analysis.")
        if reason[i] == 2:
            return f"No ratio: no one in any group is in '{numerator}', so there are no shares to compare."
        if reason[i] == 3:
            return (f"{label}: none of the {_fmt(n[i])} in '{denominator}' is in '{numerator}' "
                    f"(0% of {numerator} against {_percent(share_n[i])} of {denominator}): not represented "
                    "at all. The ratio is 0, with no limits on the log scale.")
        head = (f"{label}: {_fmt(value[i])} times its share ({_percent(share_r[i])} of {numerator} "
                f"against {_percent(share_n[i])} of {denominator}; {percent} limits {_fmt(low[i])} "
                f"to {_fmt(high[i])}).")
        if high[i] < 1:
            return f"{head} Under-represented: the limits lie below 1 (a share in proportion)."
        if low[i] > 1:
            return f"{head} Over-represented: the limits lie above 1 (a share in proportion)."
        return (f"{head} The limits include 1 (a share in proportion), so these data do not show that "
                f"{label} is under- or over-represented.")

    label_codes, _ = pd.factorize(pd.Series(labels, dtype=object), use_na_sentinel=False)
    keys = [reason, label_codes, *number_key(value), *number_key(low), *number_key(high),
            *number_key(100 * share_r), *number_key(100 * share_n), *number_key(n)]
    return text_column(keys, build)
