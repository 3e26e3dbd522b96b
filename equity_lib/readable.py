"""Plain-English column headers for the tables a reader sees.

The library's tables keep short, stable column names (``cl``, ``lcl``, ``sii_lower_95``) so code can rely
on them. A board paper, or the book with its code hidden, needs headers in words. :func:`readable`
renames a table's columns for display, and only for display: keep computing on the original.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

# Whole column names with a header of their own: the library's documented outputs and the book's datasets.
LABELS: dict[str, str] = {
    # spc: table, summary() and describe()
    "time": "Time", "value": "Value", "denominator": "Denominator", "numerator": "Numerator",
    "phase": "Phase", "excluded": "Excluded from limits", "baseline": "In the baseline",
    "cl": "Mean", "lcl": "Lower limit", "ucl": "Upper limit", "target": "Target",
    "special_cause": "Special cause", "rule": "Rule", "point_type": "Point type",
    "trial_limits": "Trial limits", "start": "From", "end": "To", "improvement": "Better when",
    "n_points": "Points", "n_missing": "Missing points", "n_excluded": "Excluded points",
    "variation": "Variation", "variation_icon": "Variation icon", "assurance": "Assurance",
    "n_special_cause": "Special cause points", "n_improvement": "Improvement points",
    "n_concern": "Concern points", "n_neutral": "Neutral points", "n_useful": "Useful points",
    "longest_run": "Longest run", "longest_run_max": "Longest run expected (max)",
    "crossings": "Mean crossings", "crossings_min": "Mean crossings expected (min)",
    "runs_signal": "Runs signal", "note": "Note",
    # rates, funnels, inequality, focus, quality, disclosure
    "se": "Standard error", "method": "Method", "multiplier": "Per", "stdev": "Standard deviation",
    "value_sum": "Sum of values", "value_count": "Number of values",
    "sii": "SII", "rii": "RII", "intercept": "Intercept", "quantiles": "Quantiles",
    "interpretation": "Interpretation", "reason": "Reason", "finding": "Finding",
    "ci_method": "Interval method", "worse_direction": "Worse when",
    "concentration_index": "Concentration index", "measure": "Measure", "estimate": "Estimate",
    "expected": "Expected", "observed": "Observed", "excess": "Excess", "share": "Share",
    "cumulative_share": "Cumulative share", "reference_rate": "Reference rate",
    "significance": "Significance", "z": "z", "z_adjusted": "z (adjusted)", "phi": "Phi",
    "pct_valid": "Valid (%)", "valid": "Valid", "invalid": "Invalid", "missing": "Missing",
    "gap": "Gap", "gap_pp": "Gap (percentage points)", "status": "Status", "decision": "Decision",
    "p_value": "p value", "difference": "Difference", "ratio": "Ratio",
    # the book's datasets
    "trust_code": "Trust code", "trust_name": "Trust", "month": "Month", "week": "Week",
    "week_start": "Week starting", "financial_year": "Financial year",
    "imd_quintile": "Deprivation quintile (1 = most deprived)",
    "imd_decile": "Deprivation decile (1 = most deprived)",
    "ethnic_group": "Ethnic group", "ethnic_category": "Ethnic category", "sex": "Sex",
    "age_band": "Age band", "area_code": "Area code", "area_name": "Area",
    "population": "Population", "catchment_population": "Catchment population",
    "admissions": "Admissions", "appointments": "Appointments", "dna": "Did not attend",
    "waiting_total": "Waiting", "within_18_weeks": "Waiting under 18 weeks",
    "over_18_weeks": "Waiting over 18 weeks", "over_52_weeks": "Waiting over 52 weeks",
    "pct_within_18_weeks": "Under 18 weeks (%)", "pct_over_52_weeks": "Over 52 weeks (%)",
    "weeks_waited": "Weeks waited", "treatment_function": "Specialty code",
    "treatment_function_name": "Specialty", "records": "Records", "not_stated": "Not stated",
    "not_known": "Not known", "valid_ethnic_category": "Valid ethnic category", "pathway_id": "Pathway",
}

# Words inside other names: ``lower_99_8`` -> "Lower limit (99.8%)", ``focus_pct`` -> "Focus (%)".
_WORDS = {"pct": "(%)", "n": "number of", "lcl": "lower limit", "ucl": "upper limit", "cl": "mean",
          "lower": "lower limit", "upper": "upper limit", "sii": "SII", "rii": "RII", "imd": "IMD",
          "dsr": "DSR", "isr": "ISR", "se": "standard error", "ci": "interval"}


def _level(tokens: list[str]) -> tuple[list[str], str]:
    """Split a trailing confidence level (``95``, ``99_8``) off a name's words."""
    if len(tokens) >= 2 and tokens[-2].isdigit() and tokens[-1].isdigit() and len(tokens[-1]) == 1:
        return tokens[:-2], f" ({tokens[-2]}.{tokens[-1]}%)"
    if tokens and tokens[-1].isdigit() and tokens[-1] in {"80", "90", "95", "99"}:
        return tokens[:-1], f" ({tokens[-1]}%)"
    return tokens, ""


def label(name) -> str:
    """The plain-English header for one column name (see :func:`readable`)."""
    if not isinstance(name, str):
        return str(name)
    if name in LABELS:
        return LABELS[name]
    if " " in name and "_" not in name:  # already written in words ("p chart"): leave it as it is
        return name
    tokens, level = _level([t for t in name.split("_") if t])
    if not tokens:
        return name
    words = " ".join(_WORDS.get(t.lower(), t) for t in tokens)
    words = re.sub(r"\s+\(%\)", " (%)", words).strip()
    return words[:1].upper() + words[1:] + level


def readable(table: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The same table with plain-English column (and index) headers, for showing to a reader.

    Each name (of a column, or of the index or the columns themselves, as a crosstab names its row
    and column variables) is looked up in ``LABELS`` (the library's output columns and the book's
    dataset columns), then in ``labels`` (your own, which win); a name already in words ("p chart")
    is kept; any other name has its underscores turned into spaces and a trailing confidence level
    written as a percentage: ``sii_lower_95`` -> "SII lower limit (95%)", ``lower_99_8`` -> "Lower
    limit (99.8%)". Values are not changed. Use it last, on the table you display:
    ``result.summary().pipe(readable)``.

    Parameters
    ----------
    table : DataFrame
        Any table; it is not modified.
    labels : dict, optional
        ``{column: header}`` for your own columns, or to override a header.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"readable takes a DataFrame, not {type(table).__name__}. "
                        "Fix: pass the table itself, e.g. result.summary().pipe(readable).")
    own = dict(labels or {})

    def header(name):
        return own[name] if name in own else label(name)

    shown = table.rename(columns=header)
    if shown.columns.duplicated().any():
        twice = sorted({str(c) for c in shown.columns[shown.columns.duplicated()]})
        raise ValueError(f"readable would give two columns the header {twice[0]!r}. "
                         "Fix: pass labels={column: header} to tell them apart.")
    for axis in ("index", "columns"):  # the axes' own names (a crosstab's row and column variables)
        names = getattr(shown, axis).names
        if any(name is not None for name in names):
            setattr(shown, axis, getattr(shown, axis).set_names([None if n is None else header(n)
                                                                 for n in names]))
    return shown
