"""The gap between two groups over time, as a measure in its own right, with its own SPC chart.

A stratified chart (one series per group) shows whether each group's process has changed; it does not
show whether the *distance* between them has. Lesson 03 charts that distance: for each period, the
focus group's value minus the reference group's, on an XmR chart with its own limits.

* :func:`group_gap` - one row per period: the two groups' values, the gap and the ratio.
* :func:`gap_spc` - the same, charted: :func:`equity_lib.spc` on the gap (XmR by default).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib._validation import (
    as_written,
    by_columns,
    fail_rows,
    numeric_column,
    positive_number,
    require_columns,
    require_dataframe,
)
from equity_lib.process_control import SPCResult, spc

STATISTICS = ("proportion", "rate")


def _check_codes(data: pd.DataFrame, group: str, focus, reference) -> None:
    present = pd.unique(data[group].dropna())
    for role, code in (("focus", focus), ("reference", reference)):
        if code not in set(present):
            shown = ", ".join(as_written(v) for v in sorted(present, key=str)[:20])
            raise ValueError(f"{role}={as_written(code)} is not a value of column '{group}' (its values: "
                             f"{shown}). Fix: pass one of those values as {role}.")
    if focus == reference:
        raise ValueError(f"focus and reference are the same group ({as_written(focus)}). Fix: pass two "
                         "different groups, e.g. the most and the least deprived.")


def _counts_by_key(sub: pd.DataFrame, keys: list[str], numerator: str, denominator: str,
                   statistic: str) -> pd.DataFrame:
    """Numerator and denominator added up per key; a key with any missing count stays missing."""
    num = numeric_column(sub, numerator)
    den = numeric_column(sub, denominator)
    fail_rows(sub, num < 0, f"Column '{numerator}' has negative counts", "counts cannot be negative; correct "
              "the extract.")
    fail_rows(sub, np.isfinite(num) & (num != np.round(num)), f"Column '{numerator}' has counts that are not "
              "whole numbers", "pass counts of events, not rates or percentages.")
    fail_rows(sub, den <= 0, f"Column '{denominator}' has zero or negative denominators",
              "a group with no one at risk has no rate: drop the row, or leave the denominator empty "
              "(the point is then missing on the chart).")
    if statistic == "proportion":
        fail_rows(sub, num > den, f"Column '{numerator}' is above '{denominator}'",
                  "a proportion's numerator cannot exceed its denominator; check the two columns, or pass "
                  "statistic='rate' for events that can repeat per person.")
    frame = sub[keys].copy()
    frame["numerator"], frame["denominator"] = num, den
    grouped = frame.groupby(keys, observed=True, sort=True)
    # sum(min_count=...) alone would treat a missing trust as 0 and understate a pooled count.
    totals = grouped[["numerator", "denominator"]].sum()
    missing = np.isnan(num) | np.isnan(den)
    if missing.any():  # a key is incomplete if any of its rows misses a count (ngroup numbers keys in order)
        code = grouped.ngroup().to_numpy()
        incomplete = np.bincount(code[code >= 0], weights=missing[code >= 0], minlength=len(totals)) > 0
        totals.loc[incomplete] = np.nan
    return totals


def group_gap(
    data: pd.DataFrame,
    *,
    time: str,
    group: str,
    focus,
    reference,
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    by: str | list[str] | None = None,
    statistic: str = "proportion",
    multiplier: float = 100,
) -> pd.DataFrame:
    """The gap between a focus group and a reference group in every period.

    For each period ``time`` (and each ``by`` series):

    - value of a group: the ``value`` column as given, or ``multiplier x numerator / denominator``
      from counts (rows sharing ``by``, ``time`` and ``group`` are added up first, so trusts can be pooled
      into a collaborative; a missing count makes the pooled value missing rather than too small);
    - ``gap = focus_value - reference_value`` (the absolute gap, in the units of the values, e.g.
      percentage points);
    - ``ratio = focus_value / reference_value`` (the relative gap; missing when the reference is 0).

    The gap is the simple two-group range difference (D) and the ratio the range ratio (R) of WHO's
    Health Equity Assessment Toolkit (HEAT technical notes, 2021), taken period by period. Charting the
    gap on its own XmR chart (:func:`gap_spc`) follows Making Data Count's advice to plot any measure
    as dots over time (NHS England, 2019).

    Parameters
    ----------
    data : DataFrame
        Tidy data, one row per period x group (x ``by``), or finer rows of counts to be pooled.
    time : str
        Column of periods (dates or sequence numbers).
    group : str
        Column of the groups compared (e.g. ``imd_quintile``).
    focus, reference
        The two values of ``group``: typically the most deprived (focus) and the least deprived.
    value : str, optional
        Column of values already computed (e.g. a percentage). Pass either ``value`` or
        ``numerator`` and ``denominator``.
    numerator, denominator : str, optional
        Columns of counts: events, and people (or exposure) at risk.
    by : str or list of str, optional
        Columns of separate series (e.g. trust); each gets its own gaps.
    statistic : str
        ``proportion`` (the default: the numerator cannot exceed the denominator) or ``rate``.
    multiplier : float
        Scale of values computed from counts: 100 for percentages (the default), 100000 for a rate
        per 100,000.

    Returns
    -------
    DataFrame
        One row per ``by`` x ``time``, sorted: the ``by`` columns, the ``time`` column, ``focus_group``,
        ``reference_group``, ``focus_value``, ``reference_value``, ``gap``, ``ratio`` and, from counts,
        ``focus_numerator``, ``focus_denominator``, ``reference_numerator``, ``reference_denominator``.
        A period where either group is missing has a missing gap (it keeps its place on a chart).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"month": [1, 1, 2, 2], "q": [1, 5, 1, 5], "seen": [50, 70, 55, 72],
    ...                   "waiting": [100, 100, 100, 100]})
    >>> group_gap(d, time="month", group="q", focus=1, reference=5, numerator="seen",
    ...           denominator="waiting")[["month", "focus_value", "reference_value", "gap"]]
       month  focus_value  reference_value   gap
    0      1         50.0             70.0 -20.0
    1      2         55.0             72.0 -17.0
    """
    require_dataframe(data)
    keys = by_columns(by)
    if (value is None) == (numerator is None):
        raise ValueError("Pass either value (a column of values) or numerator and denominator (columns of "
                         "counts), not both and not neither.")
    if numerator is not None and denominator is None:
        raise ValueError("numerator needs a denominator. Fix: pass denominator, the column of people (or "
                         "exposure) at risk.")
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, not {statistic!r}.")
    multiplier = positive_number(multiplier, "multiplier", "100 for a percentage")
    require_columns(data, [time, group, value, numerator, denominator, *keys])
    if time in keys or group in keys or time == group:
        raise ValueError("time, group and by must name different columns.")
    for column, role in ((time, "time"), *((k, "by") for k in keys)):
        fail_rows(data, data[column].isna().to_numpy(), f"Column '{column}' ({role}) is missing",
                  "give every row its period and series, or drop those rows.")
    _check_codes(data, group, focus, reference)

    sub = data.loc[data[group].isin([focus, reference]).to_numpy()]
    cell = [*keys, time, group]
    if value is not None:
        fail_rows(sub, sub.duplicated(cell, keep=False).to_numpy(),
                  f"More than one row has the same {', '.join(cell)}",
                  "keep one row per period and group (per series), or pass numerator and denominator so "
                  "the rows can be added up.")
        values = sub[cell].copy()
        values["value"] = numeric_column(sub, value)
        values = values.set_index(cell)
    else:
        values = _counts_by_key(sub, cell, numerator, denominator, statistic)
        with np.errstate(divide="ignore", invalid="ignore"):
            values["value"] = multiplier * values["numerator"] / values["denominator"]

    wide = values.unstack(group)
    wide.columns = [f"{'focus' if g == focus else 'reference'}_{name}" for name, g in wide.columns]
    out = wide.reset_index()
    out.insert(len(keys) + 1, "focus_group", focus)
    out.insert(len(keys) + 2, "reference_group", reference)
    for side in ("focus", "reference"):
        if f"{side}_value" not in out:
            out[f"{side}_value"] = np.nan
    out["gap"] = out["focus_value"] - out["reference_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["focus_value"].to_numpy(float) / out["reference_value"].to_numpy(float)
    out["ratio"] = np.where(np.isfinite(ratio), ratio, np.nan)
    columns = [*keys, time, "focus_group", "reference_group", "focus_value", "reference_value", "gap",
               "ratio"]
    if value is None:
        columns += ["focus_numerator", "focus_denominator", "reference_numerator", "reference_denominator"]
    return out.reindex(columns=columns).sort_values([*keys, time], kind="stable").reset_index(drop=True)


def gap_spc(
    data: pd.DataFrame,
    *,
    time: str,
    group: str,
    focus,
    reference,
    value: str | None = None,
    numerator: str | None = None,
    denominator: str | None = None,
    by: str | list[str] | None = None,
    statistic: str = "proportion",
    multiplier: float = 100,
    improvement: str | dict = "increase",
    chart: str = "xmr",
    **spc_options,
) -> SPCResult:
    """An SPC chart of the gap between two groups (:func:`group_gap`), with its own limits.

    The chart's ``value`` is ``gap = focus_value - reference_value``; each ``by`` series gets its own
    limits.
    Limits and rules are those of :func:`equity_lib.spc` (XmR by default: mean +/- 2.66 x mean moving
    range, Making Data Count rules), so a shift in the gap is detected as in any other measure.

    ``improvement`` is the direction in which the *outcome* improves, as for the groups' own charts.
    When the focus group is the disadvantaged one, the gap then improves in the same direction: with
    "% seen within 18 weeks" (``increase``) the most deprived group's gap is negative and improves as
    it rises towards 0; with "% did not attend" (``decrease``) the gap is positive and improves as it
    falls. Other keyword arguments (``target``, ``rebase``, ``freeze``, ``exclude``, ...) go to
    :func:`equity_lib.spc`.

    Returns
    -------
    SPCResult
        As :func:`equity_lib.spc`, with ``value`` the gap; the gap table is in ``settings["gaps"]``.
    """
    gaps = group_gap(data, time=time, group=group, focus=focus, reference=reference, value=value,
                     numerator=numerator, denominator=denominator, by=by, statistic=statistic,
                     multiplier=multiplier)
    result = spc(gaps, "gap", time, chart=chart, by=by, improvement=improvement, **spc_options)
    result.settings["gaps"] = gaps
    return result
