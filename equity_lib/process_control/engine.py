"""``spc()``: one verb for every statistical process control chart, many series in one call."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2

from equity_lib._validation import (
    as_written,
    by_columns,
    fail_rows,
    numeric_column,
    require_columns,
    require_dataframe,
)
from equity_lib.overdispersion import ALPHA, OverdispersionWarning
from equity_lib.process_control import limits, rules
from equity_lib.process_control.result import SPCResult

CHARTS = ("run", "xmr", "i", "mr", "p", "pp", "u", "up", "c", "g", "t", "xbar", "s")
IMPROVEMENTS = ("increase", "decrease", "neutral")
PRECEDENCES = ("rule_order", "improvement")
_DIRECTION = {"increase": 1, "decrease": -1, "neutral": 0}
# Fewest points (subgroups for xbar/s) with a value that can set a phase's limits.
_MIN_TO_COMPUTE = {"run": 1, "xmr": 2, "mr": 2, "p": 1, "pp": 2, "u": 1, "up": 2, "c": 1, "g": 1,
                   "t": 2, "xbar": 1, "s": 1}
_NEEDS_COUNTS = ("p", "pp", "u", "up")
# Charts whose limits are one pair per phase (p, u and their Laney forms, xbar and s vary with n).
_SAME_LIMITS_IN_A_PHASE = ("run", "xmr", "mr", "c", "g", "t")
# Charts of points at regular periods, where a period with no row is a gap worth a warning (g and t
# charts are of events at irregular times; xbar and s of subgroups).
_REGULAR = ("run", "xmr", "mr", "p", "pp", "u", "up", "c")
_OUTPUT = ("time", "value", "denominator", "phase", "excluded", "baseline", "cl", "lcl", "ucl",
           "special_cause", "rule", "point_type", "trial_limits", "target")


class DataGapWarning(UserWarning):
    """A series has a missing period, or points with no value that are not charted."""


class NoLimitsWarning(UserWarning):
    """A phase of a series has no process limits (no values, too few, no moving range, no spread or no
    variation): it is charted without them, the others as usual, and ``summary()``'s note says why."""


class FreezeWarning(UserWarning):
    """``freeze`` asks for more points than a phase has, so its limits use all of them."""


def spc(
    data: pd.DataFrame,
    value: str | None = None,
    time: str | None = None,
    *,
    numerator: str | None = None,
    denominator: str | None = None,
    chart: str = "xmr",
    by: str | list[str] | None = None,
    improvement: str | Mapping = "increase",
    target: float | Mapping | None = None,
    rebase: list | Mapping | None = None,
    freeze: int | None = None,
    exclude: list | Mapping | None = None,
    screen_mr: bool = True,
    shift: int = 7,
    trend: int = 7,
    multiplier: float = 1,
    xmr_factor: float | None = None,
    min_points: int = 13,
    precedence: str = "rule_order",
) -> SPCResult:
    """Statistical process control chart data, Making Data Count style, for one or many series.

    Parameters
    ----------
    data : DataFrame
        Tidy data: one row per point (per measurement for ``xbar`` and ``s``), sorted by ``time``
        within each series.
    value : str, optional
        Column of values, for every chart but ``p``/``pp``/``u``/``up``; for ``xbar``/``s`` the
        individual measurements.
    time : str, optional
        Column of dates or sequence numbers (subgroup labels for ``xbar``/``s``). Dates written as ISO
        text ("2024-04-01") or as ``datetime.date`` are read as dates; dates with a time zone, Periods
        (``pd.Period``, e.g. months) and categories keep their type in the output. A categorical column's
        time order is the order of its categories (as ``data.sort_values`` sorts it), so month names
        as an ordered Categorical work. Default: row order.
    numerator, denominator : str, optional
        Columns of counts for ``p``/``pp`` (events and cases) and ``u``/``up`` (events and exposure);
        those charts need both and take no ``value``.
    chart : str
        ``run``, ``xmr`` (alias ``i``), ``mr``, ``p``, ``pp`` (Laney p'), ``u``, ``up`` (Laney u'),
        ``c``, ``g``, ``t``, ``xbar`` or ``s``. Formulas and sources:
        :mod:`equity_lib.process_control.limits`.
    by : str or list of str, optional
        Column(s) that split the data into series (trusts, groups, trust and group); each series gets
        its own limits and rules. The output keeps these columns under their own names.
    improvement : str or dict
        Which direction is better: ``increase``, ``decrease`` or ``neutral``; a dict gives one per
        series (keys: values of ``by``; tuples when ``by`` is a list), so one call charts measures with
        different directions.
    target : float or dict, optional
        Target on the plotted scale (after ``multiplier``); a dict gives one per series. Sets the
        assurance icon.
    rebase : list or dict, optional
        ``time`` values where a new phase starts (limits recalculated); a dict gives a list per series.
        A plain list applies to every series holding that value. On a date column a value may be text
        ("2024-04-01"), a Timestamp, a ``datetime.date``, a numpy datetime64 or a Period (its start); on
        a column with a time zone a value without one is a clock time in that zone; on a Period column a
        date names the period that holds it, and a Period must have the column's frequency. A value that
        names no point of the data is an error, never ignored.
    freeze : int, optional
        Compute each phase's limits from its first ``freeze`` points only and extend them. A phase with
        fewer points than ``freeze`` uses all of them: a
        :class:`~equity_lib.process_control.engine.FreezeWarning` names its series and ``summary()``'s
        note says so (one short series does not stop the others).
    exclude : list or dict, optional
        ``time`` values (read as for ``rebase``) left out of the centre line and limits (neighbours
        become adjacent in the moving ranges, as qicharts2 does) but still plotted and judged.
    screen_mr : bool
        Drop moving ranges >= 3.267 x the mean moving range, then recompute (NHSRplotthedots and
        qicharts2 when attached; ``False`` reproduces the MDC Excel tool). For xmr, t, pp, up.
    shift, trend : int
        Points in a run on one side of the centre line / in a strict rise or fall that signal
        (Making Data Count: 7; IHI: 6 or 8).
    multiplier : float
        Multiplies plotted values, centre lines and limits (e.g. 100 for percentages); must be
        greater than 0.
    xmr_factor : float, optional
        Width of XmR limits in mean moving ranges. Default 2.66 for ``xmr`` (Making Data Count,
        NHSRplotthedots) and 3 / 1.128 for ``t`` (qicharts2); pass ``3 / 1.128`` to reproduce qicharts2's
        I chart (the two differ by about 2e-4 relative).
    min_points : int
        Phases with fewer points that set limits are marked ``trial_limits`` with a warning
        (NHSRplotthedots: 13).
    precedence : str
        When a point is in both an improving and a concerning pattern: ``rule_order`` (default, as
        NHSRplotthedots 0.2.2) takes the first rule it meets in the order outside a limit, trend,
        two-in-three, shift, so a point below the lower limit of a higher-is-better measure is a
        concern even when it starts a rising trend; ``improvement`` lets improvement win (as some
        Making Data Count trainers teach).

    Returns
    -------
    SPCResult
        ``.table``: one row per point (per subgroup for xbar/s) in input order, columns: the ``by``
        column(s), ``time``, ``value`` (plotted value), ``denominator`` (p/u denominators; subgroup
        sizes for xbar/s; missing otherwise), ``phase`` (1, 2, ...), ``excluded``, ``baseline`` (the
        point set the limits), ``cl``, ``lcl``, ``ucl``, ``special_cause`` (bool), ``rule`` (the rule
        that gave the point its type: ``above_ucl``, ``below_lcl``, ``trend_up``, ``trend_down``,
        ``two_in_three_above``, ``two_in_three_below``, ``shift_above``, ``shift_below``; for run
        charts ``long_run_above``/``long_run_below``; missing when none), ``point_type``
        (``common_cause``, ``improvement``, ``concern``, ``neutral``; missing for a missing value),
        ``trial_limits`` (bool) and ``target``. ``rule`` and ``point_type`` are pandas categoricals of
        those fixed labels (one byte a point; ``.cat.categories`` lists them all, so tables of any
        chart concatenate): compare them with ``==`` or ``isin``, and to fill a missing rule with
        text first make it text, ``table["rule"].astype("string").fillna("none")``. Rows already
        grouped by series are charted without reordering, and their ``by``, ``time`` and ``value``
        columns are shared with ``data`` until either is changed (pandas' copy-on-write), so the
        table costs little memory beyond its new columns. ``.summary()``: one row per series and
        phase, with a ``note`` saying why a phase has no limits (or that ``freeze`` is longer than
        it). ``.plot()``: the Making Data Count chart.

    Warns
    -----
    OverdispersionWarning
        A p or u chart whose baseline points vary more than binomial (Poisson) chance allows, by
        Spiegelhalter's (2005) test: z_i = (y_i - CL) / sigma_i over each phase's baseline points,
        phi = (1/k) sum z_i^2, overdispersed when P(chi-square(k - 1) >= k phi) < 0.001 (the threshold
        and its false-alarm rate: :mod:`equity_lib.overdispersion`). The limits are then too narrow
        and flag ordinary variation: use ``pp``/``up`` (Laney), an XmR chart of the ratio, or rebase at a
        real shift. Names the series and their phi.
    DataGapWarning
        A regular series (run, xmr, mr, p, pp, u, up, c charts) lacks a period (a month, week or day
        between its first and last that has no row), naming the series and the first gaps; or points
        with no value are not charted, with their count and series.
    NoLimitsWarning
        A phase cannot have process limits: no point with a value sets them (a series all missing, or
        everything excluded), one point where the chart needs two, no two consecutive values (an XmR
        series missing every other value has no moving range: no limits, as qicharts2 0.8.1), or no
        xbar/s subgroup with two measurements. Names the series, phase and reason; that phase is charted
        without limits and ``summary()``'s ``note`` says why, while every other series and phase is
        charted as usual. A phase with no variation (limits of zero width) has no limits too, with a
        note but no warning: see :mod:`equity_lib.process_control.limits`.
    FreezeWarning
        ``freeze`` is longer than a phase, naming the series.

    Notes
    -----
    Rules and defaults are those of ``conventions.md``: Making Data Count as NHSRplotthedots 0.2.2
    implements it for the XmR chart (see :mod:`equity_lib.process_control.rules`); other charts as
    qicharts2 0.8.1. A missing value keeps its row, with its phase's limits, and never stops a chart; a
    series or phase that cannot be charted is reported (warning and ``note``), never an error that stops
    the others.
    Run charts flag points in an unusually long run (Anhoej); their crossings signal is in
    ``summary()``. MR charts are judged by their upper limit only: consecutive moving ranges share a
    point, so run rules do not apply (as in qicharts2).

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import spc
    >>> d = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=24, freq="MS"),
    ...                   "score": [50, 52, 49, 51, 50, 48, 52, 51, 49, 50, 51, 50,
    ...                             55, 56, 54, 57, 55, 56, 58, 55, 57, 56, 55, 57]})
    >>> spc(d, "score", "month").summary()[["variation", "longest_run", "runs_signal"]]
    ... # doctest: +NORMALIZE_WHITESPACE
       variation  longest_run  runs_signal
    0  improvement          12         True
    """
    require_dataframe(data)
    chart = _check_choice("chart", "i" if chart == "I" else chart, CHARTS)
    chart = "xmr" if chart == "i" else chart
    precedence = _check_choice("precedence", precedence, PRECEDENCES)
    for name, number in (("shift", shift), ("trend", trend), ("min_points", min_points)):
        if not isinstance(number, (int, np.integer)) or isinstance(number, bool) or number < 2:
            raise ValueError(f"{name} must be a whole number of at least 2, not {number!r}. "
                             f"Fix: pass e.g. {name}=7.")
    if freeze is not None and (not isinstance(freeze, (int, np.integer)) or isinstance(freeze, bool)
                               or freeze < 1):
        raise ValueError(f"freeze must be a whole number of points of at least 1, not {freeze!r}.")
    if not isinstance(multiplier, (int, float, np.integer, np.floating)) or isinstance(multiplier, bool) \
            or not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a number greater than 0, not {multiplier!r}. Fix: pass e.g. "
                         "multiplier=100 for percentages.")
    if xmr_factor is not None and (not isinstance(xmr_factor, (int, float, np.integer, np.floating))
                                   or isinstance(xmr_factor, bool) or not np.isfinite(xmr_factor)
                                   or xmr_factor <= 0):
        raise ValueError(f"xmr_factor must be a number greater than 0, not {xmr_factor!r}. Fix: leave it "
                         "out (2.66) or pass 3 / 1.128.")
    if not isinstance(screen_mr, (bool, np.bool_)):
        raise TypeError(f"screen_mr must be True or False, not {screen_mr!r}.")
    y, n = _value_columns(chart, value, numerator, denominator)
    by = by_columns(by)
    require_columns(data, [y, time, n, *by])
    clash = [c for c in by if c in _OUTPUT]
    if clash:
        raise ValueError(f"by column(s) {clash} have the name of an output column of spc. Fix: rename "
                         f"them first, e.g. data.rename(columns={{{clash[0]!r}: {clash[0] + '_group'!r}}}).")
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass at least two points per series.")

    values = numeric_column(data, y)
    denominators = numeric_column(data, n) if n is not None else None
    _check_values(data, chart, y, values, n, denominators)

    codes, series = _series_codes(data, by)
    axis = _time_values(data, time)
    # Rows already grouped by series (as a warehouse's ORDER BY returns them) are not reordered: the
    # arrays below are then the input's own, and its by, time and value columns go to the output as
    # they are (shared, copy-on-write) rather than copied.
    order = None if _nondecreasing(codes) else np.argsort(codes, kind="stable")
    _check_sorted(data, time, axis, codes, order, allow_repeats=chart in ("xbar", "s"), by=by)

    work = _working_points(chart, _take(codes, order), axis, order, _take(values, order),
                           _take(denominators, order))
    if chart in _REGULAR:
        _warn_gaps(work, series)
    first_of_series = rules.segment_starts(work["code"])
    is_start = _match_time(rebase, "rebase", work, series, time, by)
    is_start &= ~first_of_series
    if is_start.any():
        # Phase = 1 + rebases so far in the series: a running count less its value at the series' start.
        so_far = np.cumsum(is_start)
        phase = so_far - so_far[first_of_series][work["code"]] + 1
        seg_start = first_of_series | is_start
        seg = np.cumsum(seg_start) - 1
    else:
        phase = np.broadcast_to(np.int64(1), work["code"].shape)  # made a full array in the table
        seg_start, seg = first_of_series, work["code"]  # codes count the series 0, 1, ... in order
    excluded = _match_time(exclude, "exclude", work, series, time, by)
    nseg = int(seg[-1]) + 1
    base = ~excluded
    if freeze is not None:
        position = np.arange(seg.size) - np.flatnonzero(seg_start)[seg]
        base &= position < freeze

    with np.errstate(invalid="ignore", divide="ignore"):  # a phase with no value has NaN limits
        y_plot, cl, lcl, ucl = _limits(chart, work, seg, nseg, base, screen_mr, xmr_factor)
    base_points = limits.segment_count(y_plot, seg, nseg, base)
    raw_points = base_points if y_plot is work["y"] else limits.segment_count(work["y"], seg, nseg, base)
    no_limits, note = _phase_notes(chart, work, raw_points, lcl, ucl, seg, nseg, freeze, series, phase)
    if no_limits.any():
        lcl = np.where(no_limits[seg], np.nan, lcl)
        ucl = np.where(no_limits[seg], np.nan, ucl)
    trial = (base_points < min_points) & ~no_limits
    if trial.any():
        short = np.flatnonzero(trial)
        first = short[0]
        warnings.warn(
            f"{short.size} phase(s) have fewer than {min_points} points to set their limits (e.g. "
            f"series {_name(series[work['code'][seg == first][0]])}, phase "
            f"{phase[seg == first][0]}: {int(base_points[first])} points): their limits are trial "
            "limits (column trial_limits); treat signals with caution and recalculate when more "
            "data arrive.",
            UserWarning,
            stacklevel=2,
        )
    _warn_no_value(y_plot, work, series)
    if chart in ("p", "u"):
        _warn_overdispersed(chart, y_plot, cl, work["n"], seg, nseg, base, work, series, phase)

    plotted_as_given = y_plot is work["y"] and multiplier == 1
    if multiplier != 1:
        y_plot, cl, lcl, ucl = (a * multiplier for a in (y_plot, cl, lcl, ucl))
    directions = _per_series(improvement, "improvement", series, by, _improvement_direction, "a direction")
    judged = _judge(chart, y_plot, cl, lcl, ucl, seg, nseg, excluded, directions, work["code"], shift, trend,
                    precedence)
    targets = _per_series(target, "target", series, by, _number, "a number")

    points = {"time": work["x"], "phase": phase, "excluded": excluded, "cl": cl, "lcl": lcl, "ucl": ucl,
              "special_cause": judged["special_cause"], "trial": trial[seg]}
    summary = _summarise(data, by, work, points, judged, seg, nseg, directions, targets, note)
    computed = {
        "value": y_plot,
        "denominator": work["n"],
        "phase": phase,
        "excluded": excluded,
        "baseline": base & ~np.isnan(y_plot),
        "cl": cl,
        "lcl": lcl,
        "ucl": ucl,
        "special_cause": judged["special_cause"],
        "rule": judged["rule"],
        "point_type": judged["point_type"],
        "trial_limits": points["trial"],
        # the missing values of the columns a chart leaves empty are made last, once (see _table)
        "target": targets[work["code"]] if target is not None else np.broadcast_to(np.nan, phase.shape),
    }
    # Let go of the working arrays before the table's own columns are made: at national scale they
    # are tens of megabytes each, and the peak is when the table is made.
    work = {k: work[k] for k in ("x", "row")}
    del codes, seg, seg_start, first_of_series, is_start, base, judged, points, values, denominators
    table = _table(data, by, time, y, chart, axis, work, order, plotted_as_given, computed)
    settings = dict(chart=chart, value=value, time=time, numerator=numerator, denominator=denominator,
                    by=by, improvement=improvement, multiplier=multiplier, shift=shift, trend=trend,
                    screen_mr=screen_mr, freeze=freeze, min_points=min_points, precedence=precedence)
    return SPCResult(table=table, summary_table=summary, settings=settings)


def _check_choice(name, value, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {list(allowed)}. Fix: pass one of those.")
    return value


def _nondecreasing(a):
    return a.size < 2 or bool((a[1:] >= a[:-1]).all())


def _take(a, order):
    return a if a is None or order is None else a[order]


def _table(data, by, time, y, chart, axis, work, order, plotted_as_given, computed):
    """result.table: one row per input row in input order (per subgroup for xbar/s, in order of first
    appearance). The ``computed`` columns are in working order (by series, then time); the by, time and
    value columns of data that the output shows unchanged are shared with it, not copied (pandas'
    copy-on-write copies them if either is later changed)."""
    if chart in ("xbar", "s"):
        back = None if _nondecreasing(work["row"]) else np.argsort(work["row"], kind="stable")
        rows = _take(work["row"], back)
        own = {column: data[column].array.take(rows) for column in by}
        own["time"] = _take(work["x"], back)
    else:
        # The inverse of order: output row i is working point back[i].
        back = None
        if order is not None:
            back = np.empty_like(order)
            back[order] = np.arange(order.size)
        own = {column: data[column].reset_index(drop=True) for column in by}
        if axis is None:
            own["time"] = _take(work["x"], back)
        else:
            own["time"] = axis.column.reset_index(drop=True)
        if plotted_as_given and data[y].dtype == np.float64:
            computed = {**computed, "value": data[y].reset_index(drop=True)}
    columns = {**own, **{name: _take(values, back) if not isinstance(values, pd.Series) else values
                         for name, values in computed.items()}}
    for name, values in columns.items():
        # A read-only view of an input column (the denominators, say) is copied: the table must be
        # the caller's to change, and changing it must never change data.
        if isinstance(values, np.ndarray) and not values.flags.writeable:
            columns[name] = values.copy()
    return pd.DataFrame({name: columns[name] for name in [*by, *_OUTPUT]}, copy=False)


def _value_columns(chart, value, numerator, denominator):
    """The column of plotted values (or numerators) and of denominators, checked against the chart."""
    if chart in _NEEDS_COUNTS:
        if value is not None:
            raise ValueError(f"A {chart} chart is drawn from counts, not value={value!r}. Fix: pass "
                             "numerator='<column of events>' and denominator='<column of cases>'.")
        if numerator is None or denominator is None:
            missing = " and ".join(k for k, v in (("numerator", numerator), ("denominator", denominator))
                                   if v is None)
            raise ValueError(f"A {chart} chart needs {missing}. Fix: pass numerator='<column of events>' "
                             "and denominator='<column of cases or exposure>'.")
        return numerator, denominator
    if numerator is not None or denominator is not None:
        raise ValueError(
            f"numerator and denominator are used only by p, pp, u and up charts, not {chart}. Fix: "
            "chart counts with chart='pp' (or 'up'), or divide first and pass the ratio as value=.")
    if value is None:
        raise TypeError("value must name the column of values, not None. Fix: pass value='<column name>'.")
    return value, None


def _check_values(data, chart, y, values, n, dens):
    present = ~np.isnan(values)
    if chart in ("p", "pp", "u", "up", "c", "g"):
        fail_rows(data, present & (values < 0), f"Column '{y}' has negative counts",
                  "counts cannot be negative; correct the extract.")
    if chart == "t":
        fail_rows(data, present & (values <= 0), f"Column '{y}' has times between events of zero "
                  "or less", "a t chart needs times greater than zero; use a g chart for counts.")
    if dens is None:
        return
    fail_rows(data, present & np.isnan(dens), f"Column '{n}' has a missing denominator",
              "fill in the denominator, or leave the numerator empty too if the point is unknown.")
    fail_rows(data, present & (dens <= 0), f"Column '{n}' has a zero or negative denominator",
              "a denominator must be greater than zero; drop the row or correct it.")
    if chart in ("p", "pp"):
        fail_rows(data, present & (values > dens), f"Column '{y}' (numerator) is above column "
                  f"'{n}' (denominator)", "a proportion cannot exceed 1; check the two columns "
                  "are not swapped.")


def _series_codes(data, by):
    """One code per row for its series, and the series' labels (a MultiIndex when by has 2+ columns)."""
    if not by:
        return np.zeros(len(data), dtype=np.int32), pd.Index(["all"])
    for column in by:
        fail_rows(data, data[column].isna().to_numpy(), f"Column '{column}' (by) is missing",
                  "give every row a group, or drop rows with no group.")
    keys = data[by[0]] if len(by) == 1 else pd.MultiIndex.from_frame(data[by])
    codes, uniques = pd.factorize(keys, sort=False)
    # 4 bytes a row rather than 8 (a code is carried through every step) while it fits
    return codes.astype(np.int32 if len(uniques) < 2**31 else np.int64), pd.Index(uniques)


@dataclass(frozen=True)
class _TimeAxis:
    """A time column read once: what the output shows, and a key that orders and matches its values.

    ``kind`` is ``datetime`` (no time zone), ``zoned`` (a time zone: the key is the UTC instant, so a
    clock change never reorders or duplicates points; ``wall`` the local clock time, for finding missing
    periods), ``period`` (the key is the period's ordinal), ``category`` (the key is the category code,
    so the categories' order is time order, as in ``data.sort_values``) or ``other`` (numbers or text,
    the key is the value).
    """

    values: object  # a numpy array or a pandas array (tz-aware dates, periods, categories keep their dtype)
    key: np.ndarray
    kind: str
    column: pd.Series  # the column as read (dates from ISO text), in input order
    dtype: object = None
    wall: np.ndarray | None = None


def _time_values(data, time):
    if time is None:
        return None
    column = data[time]
    fail_rows(data, column.isna().to_numpy(), f"Column '{time}' (time) is missing",
              "every point needs a date or sequence number.")
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=False) == "period":
        try:  # Periods kept as objects (e.g. after a concat) are Periods, not the timestamps of their starts
            column = pd.Series(pd.array(column.to_numpy(), dtype=pd.PeriodDtype(column.iloc[0].freq)),
                               index=column.index)
        except (TypeError, ValueError):
            pass  # periods of different frequencies: _check_sorted says they cannot be ordered
    if (column.dtype == object or isinstance(column.dtype, pd.StringDtype)) \
            and pd.api.types.infer_dtype(column, skipna=True) in ("string", "date", "datetime"):
        # ISO dates read from a CSV as text ("2024-04-01") are dates, not 36 category labels; so are
        # datetime.date objects. Numbers kept as objects are sequence numbers, never epoch times.
        try:
            column = pd.Series(pd.to_datetime(column, format="ISO8601"), index=column.index)
        except (TypeError, ValueError):
            pass
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _TimeAxis(column.array, column.cat.codes.to_numpy(np.int64), "category", column, dtype)
    if isinstance(dtype, pd.PeriodDtype):
        return _TimeAxis(column.array, column.array.asi8.copy(), "period", column, dtype)
    if isinstance(dtype, pd.DatetimeTZDtype):
        utc = column.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        return _TimeAxis(column.array, utc, "zoned", column, dtype,
                         wall=column.dt.tz_localize(None).to_numpy())
    values = column.to_numpy()
    if np.issubdtype(values.dtype, np.datetime64):
        return _TimeAxis(values, values, "datetime", column, values.dtype)
    return _TimeAxis(values, values, "other", column, values.dtype)


def _check_sorted(data, time, axis, codes, order, allow_repeats, by=()):
    if axis is None or len(codes) < 2:
        return
    sx, sc = _take(axis.key, order), _take(codes, order)
    same = sc[1:] == sc[:-1]
    try:
        rising = sx[1:] > sx[:-1]
        equal = sx[1:] == sx[:-1]
    except TypeError as err:
        raise TypeError(f"Column '{time}' mixes values that cannot be ordered ({err}). "
                        "Fix: use one type of date or number.") from err
    later = order[1:] if order is not None else np.arange(1, len(codes))
    repeated = same & equal
    if not allow_repeats and repeated.any():
        fail_rows(data, _at(len(data), later[repeated]), f"Column '{time}' has duplicated values "
                  "within a series", "aggregate to one row per date (per series), or pass by=.")
    earlier = same & ~rising & ~equal
    if earlier.any():
        keys = ", ".join(repr(c) for c in [*by, time])
        order_word = {"category": " in the order of its categories",
                      "zoned": " (as instants in time)"}.get(axis.kind, "")
        fail_rows(data, _at(len(data), later[earlier]),
                  f"Column '{time}' is not sorted within each series{order_word} (the value is earlier "
                  "than the row before it)", f"sort first: data.sort_values([{keys}]).")


def _at(size, positions):
    mask = np.zeros(size, dtype=bool)
    mask[positions] = True
    return mask


def _working_points(chart, code, axis, order, values, dens):
    """Arrays sorted by series and time, one entry per point (per subgroup for xbar and s).

    ``x`` is what the output shows, ``key`` what orders and matches it (see :class:`_TimeAxis`),
    ``calendar`` the dates or period numbers that find missing periods (None when time has none).
    """
    if axis is None:
        xs = pd.Series(code).groupby(code).cumcount().to_numpy() + 1
        key, kind, calendar = xs, "row", xs
    else:
        xs, key, kind = _take(axis.values, order), _take(axis.key, order), axis.kind
        calendar = _take(axis.wall, order) if axis.wall is not None else key
    if chart not in ("xbar", "s"):
        return {"code": code, "x": xs, "key": key, "calendar": calendar, "kind": kind, "y": values,
                "n": dens if dens is not None else np.broadcast_to(np.nan, values.shape), "row": order}
    start = np.r_[True, (code[1:] != code[:-1]) | (key[1:] != key[:-1])]
    sub = np.cumsum(start) - 1
    nsub = int(sub[-1]) + 1
    first = np.flatnonzero(start)
    every = np.ones(sub.size, dtype=bool)
    size = limits.segment_count(values, sub, nsub, every)
    # Centre each subgroup on one of its own values before summing, so a subgroup whose measurements
    # are all equal has a mean equal to them and a standard deviation of exactly 0 (summing 0.1 three
    # times and dividing by 3 is not 0.1, which gave SDs of 1e-17 and runs around a centre line of 0).
    shift = np.fmax.reduceat(values, first)  # NaN only for a subgroup with no value at all
    shifted = values - shift[sub]
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = limits.segment_sum(shifted, sub, nsub, every) / size
        mean = shift + offset
        centred = shifted - offset[sub]
        sd = np.sqrt(limits.segment_sum(centred**2, sub, nsub, every) / (size - 1))
    sd[size < 2] = np.nan
    mean[size < 1] = np.nan
    return {"code": code[first], "x": xs[first], "key": key[first], "calendar": calendar[first],
            "kind": kind, "y": mean, "sd": sd, "n": size, "row": first if order is None else order[first]}


_PERIOD_UNITS = {"M": "month", "Q": "quarter", "Y": "year", "A": "year", "W": "week", "D": "day",
                 "B": "business day", "h": "hour", "H": "hour", "min": "minute", "s": "second"}


def _period_numbers(work):
    """Whole-number periods of a time column, their unit, and whether the calendar makes it regular.

    A Period column counts its own periods. Month starts count months (quarterly and yearly data step
    by 3 and 12: each series' smallest step is its period); dates all on one weekday count weeks; dates
    all on Monday to Friday count working days (a weekend is not a gap); other midnight dates count
    days and whole numbers count points (both judged regular only when most steps are the smallest
    step). A column with a time zone is judged on its local dates.
    """
    xs = work["calendar"]
    if work["kind"] == "period":
        dtype = work["x"].dtype
        code = pd.PeriodIndex([], dtype=dtype).freqstr.split("-")[0].lstrip("0123456789")
        # Periods of 2 months have ordinals 2 apart: count periods, not months.
        return np.asarray(xs, dtype=np.int64) // dtype.freq.n, _PERIOD_UNITS.get(code, code), True
    if work["kind"] == "category":
        return None
    if np.issubdtype(np.asarray(xs).dtype, np.datetime64):
        # numpy's calendar units, not pandas' date fields: one cast per test over millions of dates
        x = np.asarray(xs)
        per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(x.dtype)[0]) \
            if np.datetime_data(x.dtype)[0] not in ("Y", "M", "W", "D") else 1
        if per_day > 1 and (x.view(np.int64) % per_day).any():  # a time of day: not whole days
            return None
        days = x.view(np.int64) // per_day if per_day > 1 else x.astype("datetime64[D]").astype(np.int64)
        dates = days.view("datetime64[D]")
        lo, hi = int(days.min()), int(days.max())
        if hi - lo <= max(days.size, 366):
            # Month of each day of the span, looked up (a calendar cast per point is 5 times slower)
            span = np.arange(lo, hi + 1).astype("datetime64[D]")
            month_of = span.astype("datetime64[M]")
            starts = month_of.astype("datetime64[D]") == span
            at = days - lo
            if starts[at].all():  # every date the 1st of its month
                return month_of.astype(np.int64)[at] + 1970 * 12, "month", True
        else:
            months = x.astype("datetime64[M]")
            if (months == x).all():
                return months.astype(np.int64) + 1970 * 12, "month", True
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        if (weekday == weekday[0]).all():
            return days // 7, "week", True
        if (weekday < 5).all():
            return np.busday_count(np.datetime64("1970-01-01"), dates), "working day", True
        return days, "day", False
    if np.issubdtype(np.asarray(xs).dtype, np.integer):
        return np.asarray(xs, dtype=np.int64), "point", False
    return None


def _warn_gaps(work, series):
    """Warn, naming the series and the gap, when a regular series has no row for a period."""
    found = _period_numbers(work)
    if found is None or work["code"].size < 2:
        return
    k, unit, calendar = found
    code = work["code"]
    starts = rules.segment_starts(code)
    same = ~starts[1:]
    step_size = np.diff(k)
    # Each series' period is its smallest step (1 month for monthly data, 3 for quarterly). Step i
    # (from point i to i + 1) belongs to point i + 1's series; series are consecutive blocks, so one
    # reduceat over the steps gives each series' smallest (a step into a new series does not count).
    positive = same & (step_size > 0)
    largest = np.iinfo(np.int64).max
    step = np.full(len(series), largest)
    firsts = np.flatnonzero(starts)
    step[code[firsts]] = np.minimum.reduceat(np.where(positive, step_size, largest),
                                             np.maximum(firsts - 1, 0))
    own_step = step[code[1:]]
    gap = same & (step_size > own_step)
    if not calendar:
        on_step = np.bincount(code[1:][positive & (step_size == own_step)], minlength=len(series))
        regular = on_step >= 0.75 * np.maximum(np.bincount(code[1:][positive], minlength=len(series)), 1)
        gap &= regular[code[1:]]
    if not gap.any():
        return
    gap &= step_size % np.where(gap, own_step, 1) == 0
    if not gap.any():
        return
    at = np.flatnonzero(gap)
    missing = (step_size[at] // own_step[at] - 1).sum()
    def period(i):
        return unit if step[code[i]] == 1 else f"{step[code[i]]}-{unit} period"

    examples = [f"{_name(series[code[i]])}: {int(step_size[i] // step[code[i]] - 1)} {period(i)}(s) missing "
                f"between {_show(work['x'][i])} and {_show(work['x'][i + 1])}" for i in at[:3]]
    warnings.warn(
        f"{len(np.unique(code[at]))} series have missing periods ({int(missing)} in all): "
        f"{'; '.join(examples)}{' ...' if at.size > 3 else ''}. The chart joins the points either side "
        "and the moving range spans the gap. Fix: add a row for each missing period (with no value if "
        "it is unknown), or check the extract.",
        DataGapWarning, stacklevel=3)


def _phase_names(segments, details, seg, work, series, phase):
    """'series 'A' phase 2 (detail)' for the first five of ``segments``, for a warning."""
    first_point = np.searchsorted(seg, segments[:5])
    return [f"series {_name(series[work['code'][i]])} phase {phase[i]} ({detail})"
            for i, detail in zip(first_point, details, strict=True)]


def _name(label):
    """A series label as the user wrote it: 1, not np.int64(1)."""
    return as_written(label)


def _show(x):
    return str(pd.Timestamp(x).date()) if isinstance(x, (np.datetime64, pd.Timestamp)) else str(x)


def _warn_no_value(y_plot, work, series):
    """Say how many points have no value (so are not charted) and where."""
    missing = np.isnan(work["y"])
    if not missing.any():
        return
    per_series = pd.Series(work["code"][missing]).value_counts(sort=False)
    where = ", ".join(f"{_name(series[c])}: {k}" for c, k in list(per_series.items())[:5])
    warnings.warn(
        f"{int(missing.sum())} point(s) have no value and are not charted ({where}"
        f"{' ...' if per_series.size > 5 else ''}). They keep their rows in result.table with their "
        "phase's limits; the points either side are judged as neighbours.",
        DataGapWarning, stacklevel=3)


def _warn_overdispersed(chart, ratio, cl, den, seg, nseg, base, work, series, phase):
    """Warn when a p or u chart's baseline varies more than chance allows (Spiegelhalter 2005).

    The test of :func:`equity_lib.overdispersion.dispersion_test`, computed here for every phase at
    once (phases hold different numbers of points).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(cl * (1 - cl) / den) if chart == "p" else np.sqrt(cl / den)
        z = (ratio - cl) / sigma
    use = base & np.isfinite(z)
    k = np.bincount(seg[use], minlength=nseg)
    phi = np.bincount(seg[use], weights=z[use] ** 2, minlength=nseg) / np.maximum(k, 1)
    p_value = np.where(k >= 2, chi2.sf(k * phi, np.maximum(k - 1, 1)), 1.0)
    flagged = np.flatnonzero(p_value < ALPHA)
    if not flagged.size:
        return
    first_point = np.searchsorted(seg, flagged)
    names = [f"{_name(series[work['code'][i]])}" + (f" phase {phase[i]}" if phase[i] > 1 else "")
             + f" (phi = {phi[s]:.3g})" for s, i in zip(flagged[:5], first_point[:5], strict=True)]
    n_series = len(np.unique(work["code"][first_point]))
    laney = {"p": "pp", "u": "up"}[chart]
    warnings.warn(
        f"{chart} chart: the points vary more than {'binomial' if chart == 'p' else 'Poisson'} chance "
        f"allows in {n_series} of {len(series)} series: {', '.join(names)}"
        f"{' ...' if flagged.size > 5 else ''} (Spiegelhalter's test, p < {ALPHA:g}; phi would be "
        "about 1 by chance). Its limits are then too narrow and flag ordinary variation as special "
        f"cause. Fix: chart='{laney}' (Laney's {chart}'), or an XmR chart of the ratio; if the extra "
        "variation is one real shift, rebase at it instead. To show this chart on purpose, filter "
        "OverdispersionWarning.",
        OverdispersionWarning, stacklevel=3)


def _match_time(spec, name, work, series, time, by=()):
    """Boolean mask of the working points named by a list (every series) or a dict per series.

    Each value is read in the time column's own terms (:func:`_spec_keys`), so "2024-04-01", a
    Timestamp, a datetime.date and a Period of the column's frequency all name the same point of a
    date, zoned-date or Period column; a value that names no point is an error, never ignored.
    """
    mask = np.zeros(work["code"].size, dtype=bool)
    if spec is None:
        return mask
    per_series = isinstance(spec, Mapping)
    if per_series:
        _check_series_keys(name, spec, series, by, "a list")
        pairs = [(series.get_loc(k), v) for k, vs in spec.items() for v in _as_list(vs)]
        codes, originals = zip(*pairs, strict=True) if pairs else ((), ())
    else:
        originals = _as_list(spec)  # every series: matched on time alone, with no loop over series
    if not originals:
        return mask
    try:
        distinct = list(dict.fromkeys(originals))
    except TypeError as err:  # e.g. a list inside the list
        raise TypeError(f"{name} must be a list of time values, or a dict of such lists per series, not "
                        f"{spec!r}. Fix: e.g. {name}=[{_example(work)}].") from err
    key_of = _spec_keys(distinct, work, name, time)
    keys = [key_of[v] for v in originals]
    if work["kind"] in ("datetime", "zoned"):
        wanted = pd.Index(np.array(keys, dtype=work["key"].dtype))
    else:
        wanted = pd.Index(keys, dtype=object if work["key"].dtype == object else None)
    if per_series:
        points = pd.MultiIndex.from_arrays([work["code"], work["key"]])
        asked = pd.MultiIndex.from_arrays([np.asarray(codes), wanted])
        found = asked.isin(points)
        missing = [f"{_name(series[c])}: {v!r}" for (c, v), f in zip(pairs, found, strict=True) if not f]
    else:
        points = pd.Index(work["key"])
        asked = wanted
        # A value must name a point of at least one series; report it as the caller wrote it.
        missing = [v for v, f in zip(originals, asked.isin(points), strict=True) if not f]
    if missing:
        raise ValueError(f"{name} value(s) {missing[:5]} are not time values of the data"
                         f"{' (column ' + repr(time) + ')' if time else ' (row numbers, from 1)'}. "
                         f"Fix: use values that appear in the time column, e.g. {_example(work)}.")
    return points.isin(asked)


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple, set, np.ndarray, pd.Index, pd.Series)) else [v]


def _example(work):
    """The first time value, as a user would write it in rebase or exclude."""
    first = work["x"][0]
    if work["kind"] in ("datetime", "zoned"):
        stamp = pd.Timestamp(first)
        return repr(str(stamp.date()) if stamp == stamp.normalize() else stamp.isoformat())
    if work["kind"] == "period":
        return repr(str(first))
    return as_written(first)


_DATE_LIKE = (str, dt.date, np.datetime64, pd.Period)


def _spec_keys(values, work, name, time):
    """{value: key} for rebase/exclude values, in the time column's terms (see :class:`_TimeAxis`).

    Dates (text, Timestamp, datetime.date, numpy datetime64) and Periods name a date column's points
    (a Period by its start); on a column with a time zone a date without one is a clock time in that
    zone, a date with one the same instant; on a Period column a date names the period that holds it
    and a Period must have the column's frequency; on a categorical column a value is a category.
    A value that cannot be read so is an error naming it, the column and an example that works.
    """
    kind, out, bad, why = work["kind"], {}, [], ""
    if kind not in ("datetime", "zoned", "period"):
        if kind == "category":
            categories = work["x"].dtype.categories
            return {v: int(categories.get_indexer([v])[0]) for v in values}
        return {v: v for v in values}
    dtype = work["x"].dtype
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, _DATE_LIKE):
            bad.append(v)
            why = "they are not dates"
            continue
        if isinstance(v, pd.Period) and kind == "period":
            if v.freq != dtype.freq:
                bad.append(v)
                why = f"a Period must have the column's frequency, {pd.PeriodIndex([], dtype=dtype).freqstr}"
                continue
            out[v] = v.ordinal
            continue
        try:
            stamp = v.start_time if isinstance(v, pd.Period) else pd.Timestamp(v)
        except (TypeError, ValueError) as err:
            bad.append(v)
            why = str(err)
            continue
        if stamp is pd.NaT:
            bad.append(v)
            why = "it is not a date"
            continue
        if kind == "period":
            local = stamp.tz_localize(None) if stamp.tz is not None else stamp  # its own calendar date
            out[v] = pd.Period(local, freq=dtype.freq).ordinal
            continue
        if kind == "zoned":
            try:
                stamp = stamp.tz_convert(dtype.tz) if stamp.tz is not None else stamp.tz_localize(dtype.tz)
            except (ValueError, OverflowError) as err:  # a clock time skipped or repeated by a clock change
                bad.append(v)
                why = f"in time zone {dtype.tz}: {err}"
                continue
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        elif stamp.tz is not None:
            raise ValueError(f"{name} value {v!r} has a time zone, but column {time!r} has none, so it is "
                             "not clear which clock time it means. Fix: give it without a time zone, e.g. "
                             f"{str(stamp.tz_localize(None).date())!r}, or give the column its time zone "
                             f"(data[{time!r}].dt.tz_localize(...)).")
        exact = stamp.to_datetime64()
        key = exact.astype(work["key"].dtype)
        # A time finer than the column's resolution names no point (rather than the one it rounds to).
        out[v] = key if key.astype(exact.dtype) == exact else np.datetime64("NaT")
    if bad:
        raise ValueError(f"{name} value(s) {bad[:5]} cannot be read as dates like those of column {time!r} "
                         f"({why}). Fix: use values that appear in the time column, e.g. {_example(work)}.")
    return out


def _limits(chart, w, seg, nseg, base, screen, factor):
    y = w["y"]
    if chart == "xmr":
        return (y, *limits.xmr(y, seg, nseg, base, screen, limits.MDC_E2 if factor is None else factor))
    if chart == "t":
        return (y, *limits.t(y, seg, nseg, base, screen, limits.QIC_E2 if factor is None else factor))
    if chart == "mr":
        same = np.r_[False, seg[1:] == seg[:-1]]
        mr = np.where(same, np.abs(np.r_[np.nan, np.diff(y)]), np.nan)
        return (mr, *limits.mr_chart(mr, seg, nseg, base))
    if chart in ("p", "pp", "u", "up"):
        fn = limits.p if chart[0] == "p" else limits.u
        with np.errstate(invalid="ignore"):
            ratio = y / w["n"]
        return (ratio, *fn(y, w["n"], seg, nseg, base, laney=chart.endswith("p") and len(chart) == 2,
                           screen=screen))
    if chart == "xbar":
        return (y, *limits.xbar(y, w["sd"], w["n"], seg, nseg, base))
    if chart == "s":
        return (w["sd"], *limits.s(w["sd"], w["n"], seg, nseg, base))
    return (y, *{"run": limits.run, "c": limits.c, "g": limits.g}[chart](y, seg, nseg, base))


def _phase_notes(chart, work, raw, lcl, ucl, seg, nseg, freeze, series, phase):
    """Which phases have no process limits, and a note per phase saying why (None when all is well).

    A phase that cannot have limits is charted without them (``lcl`` and ``ucl`` missing), reported in a
    :class:`NoLimitsWarning` naming its series and the reason, and noted in ``summary()``; the other
    phases and series are charted as usual (qicharts2 0.8.1 likewise returns such a phase with no
    limits). Reasons: no value sets the limits (all missing or excluded); one point where the chart needs
    two (XmR, t, MR, p', u': a moving range); no two consecutive values, so no moving range (qicharts2:
    no limits, not limits from the differences of non-adjacent points); no subgroup of xbar/s with two
    measurements. A phase with no variation, whose limits would have zero width (every value equal,
    every moving range 0, or a count chart's centre line of 0), has no limits either, so that no point
    is judged "outside" a band of zero width (both peers' XmR charts give none there); it is noted in
    ``summary()`` but not warned about, since nothing is missing. A ``freeze`` longer than a phase is
    noted and warned about (:class:`FreezeWarning`): its limits then rest on all of its points.
    """
    need = _MIN_TO_COMPUTE[chart]
    if chart in _SAME_LIMITS_IN_A_PHASE:
        # One look per phase, at its first point: the limits are the same at every point.
        first = np.flatnonzero(rules.segment_starts(seg))
        spread = np.abs(ucl[first] - lcl[first])
        has = np.isfinite(spread)
        width = np.where(has, spread, 0.0)
    else:
        spread = np.abs(ucl - lcl)
        finite = np.isfinite(spread)  # both limits finite (limits are never infinite)
        has = limits.block_sums(finite, seg, nseg, dtype=np.int64) > 0
        width = limits.block_sums(np.where(finite, spread, 0.0), seg, nseg)
    reason = np.select([raw == 0, raw < need, ~has, width == 0], [1, 2, 3, 4], 0)
    if chart == "run":  # a run chart has a centre line and no limits
        reason = np.where(reason == 1, 1, 0)
    no_spread = {"xbar": "no subgroup that sets the limits has 2 measurements, so there is no spread to "
                         "measure",
                 "s": "no subgroup that sets the limits has 2 measurements, so there is no spread to "
                      "measure"}.get(chart, "no two consecutive points that set the limits both have a "
                                            "value, so there is no moving range")
    window = f" in the first {freeze}" if freeze is not None else ""
    texts = np.array([
        None,
        f"no limits: no point{window} has a value that can set them (all missing or excluded)",
        f"no limits: only 1 point{window} has a value to set them; chart='{chart}' needs 2",
        f"no limits: {no_spread}",
        "no limits: no variation (every moving range or spread that sets them is 0, so they would have "
        "zero width)",
    ], dtype=object)
    note = pd.Series(texts[reason], dtype=object)
    no_limits = reason > 0
    # A phase with no variation is noted, not warned about: nothing is missing, the flat line is the
    # whole story, and summary() says why it has no limits.
    if (no_limits & (reason < 4)).any():
        where = np.flatnonzero(no_limits & (reason < 4))
        names = _phase_names(where, [texts[r][11:] for r in reason[where[:5]]], seg, work, series, phase)
        warnings.warn(
            f"{where.size} phase(s) have no process limits and are charted without them: "
            f"{'; '.join(names)}{' ...' if where.size > 5 else ''}. Their points keep their rows (lcl and "
            "ucl missing) and summary() says why in column note; every other phase is charted as usual. "
            "Fix: add data, or remove a rebase, exclude or freeze that leaves too few points; or chart "
            "those series with chart='run'.",
            NoLimitsWarning, stacklevel=3)
    if freeze is not None:
        length = np.bincount(seg, minlength=nseg)
        short = length < freeze
        if short.any():
            # object text throughout: with pyarrow installed, pandas' str dtype will not add to object text
            extra = pd.Series([f"freeze={freeze} is longer than this phase ({n} points): its limits use all "
                               "of them" for n in length], dtype=object)
            note = pd.Series(np.where(short, np.where(note.isna(), extra, note + "; " + extra), note),
                             dtype=object)
            where = np.flatnonzero(short)
            names = _phase_names(where, [f"{n} points" for n in length[where[:5]]], seg, work, series, phase)
            warnings.warn(
                f"freeze={freeze} is longer than {where.size} phase(s), whose limits therefore use all of "
                f"their points, as if there were no freeze: {'; '.join(names)}"
                f"{' ...' if where.size > 5 else ''}. summary() notes it in column note. Fix: pass a "
                "freeze no longer than the shortest phase, or leave it out for those series.",
                FreezeWarning, stacklevel=3)
    return no_limits, pd.array(note.to_numpy(), dtype="string")


# The labels of the rule and point_type columns: categoricals of these fixed labels, in this order.
RULE_LABELS = (*rules.PRECEDENCE, *rules.RUN_CHART_RULES.values())
RULE_DTYPE = pd.CategoricalDtype(RULE_LABELS)
POINT_TYPES = ("common_cause", "improvement", "concern", "neutral")
POINT_TYPE_DTYPE = pd.CategoricalDtype(POINT_TYPES)
_NO_RULE = len(rules.PRECEDENCE)


def _first_met(flags, candidates):
    """Per point, the index (in rules.PRECEDENCE) of the first of ``candidates`` met, else _NO_RULE."""
    code = np.full(flags[rules.PRECEDENCE[0]].size, _NO_RULE, dtype=np.int8)
    for k in sorted(candidates, reverse=True):
        code[flags[rules.PRECEDENCE[k]]] = k
    return code


def _judge(chart, y, cl, lcl, ucl, seg, nseg, excluded, directions, code, shift, trend, precedence):
    """Apply the rules to the points with a value; return per-point and per-segment results.

    ``directions`` is +1 (higher is better), -1 (lower is better) or 0 (neutral) per series, ``code``
    each point's series. The Making
    Data Count rules judge excluded points too; the runs analysis leaves them out, as qicharts2 does.
    Each point's rule is a code (its place in rules.PRECEDENCE), chosen rule by rule over whole arrays.
    """
    valid = ~np.isnan(y)
    every = bool(valid.all())
    if every:  # no copies when no value is missing (the usual case)
        vy, vcl, vlcl, vucl, vseg, vcode, vexcluded = y, cl, lcl, ucl, seg, code, excluded
    else:
        vy, vcl, vlcl, vucl, vseg, vcode, vexcluded = (a[valid] for a in (y, cl, lcl, ucl, seg, code,
                                                                       excluded))
    side, near_high, near_low = rules.side_and_nearness(vy, vcl, vlcl, vucl)
    start = rules.segment_starts(vseg)
    side_runs = rules.equal_runs(side, start)  # shared by the shift rule and the runs analysis
    counted = ~vexcluded
    if counted.all():
        runs = rules.anhoej(side, vseg, nseg, side_runs)
        long_run = runs["in_long_run"]
    else:
        runs = rules.anhoej(side[counted], vseg[counted], nseg)
        long_run = np.zeros(vy.size, dtype=bool)
        long_run[counted] = runs["in_long_run"]
    if chart == "run":
        no = np.zeros(vy.size, dtype=bool)
        flags = {name: no for name in rules.PRECEDENCE}
        flags["shift_above"] = long_run & (side > 0)
        flags["shift_below"] = long_run & (side < 0)
    else:
        flags = rules.mdc_rules(vy, vcl, vlcl, vucl, side, start, shift, trend, side_runs,
                                (near_high, near_low))
    del near_high, near_low
    if chart == "mr":
        # Consecutive moving ranges share a point, so they are not independent: run rules do not
        # apply (qicharts2 reports no runs signal for MR charts); only the limits judge.
        no = np.zeros(vy.size, dtype=bool)
        flags.update({name: no for name in rules.PRECEDENCE[2:]})
        runs["runs_signal"][:] = False
    # High rules (above_ucl, trend_up, ...) have even codes, low rules odd: a rule is good news when its
    # side is the better direction.
    assert rules.PRECEDENCE[0::2] == rules.HIGH_RULES
    first = _first_met(flags, range(_NO_RULE))
    if precedence == "improvement":
        # Improvement wins: the first good rule met, else the first rule met.
        first_high = _first_met(flags, range(0, _NO_RULE, 2))
        first_low = _first_met(flags, range(1, _NO_RULE, 2))
        d = directions[vcode]
        good_first = np.where(d > 0, first_high, first_low)
        chosen = np.where((d != 0) & (good_first < _NO_RULE), good_first, first).astype(np.int8)
    else:
        chosen = first
    special = chosen < _NO_RULE
    # point_type codes: 0 common_cause, 1 improvement, 2 concern, 3 neutral; worked out only for the
    # (few) special-cause points, in int8 throughout
    rule_code = np.full(special.size, -1, dtype=np.int8)
    type_code = np.zeros(special.size, dtype=np.int8)
    at = np.flatnonzero(special)
    rule_code[at] = chosen[at]
    d_at = directions[vcode[at]]
    good = (chosen[at] % 2 == 0) == (d_at > 0)
    type_code[at] = np.where(d_at == 0, 3, np.where(good, 1, 2))
    if chart == "run":  # shift_above/below are called long runs on a run chart
        rule_code[rule_code == RULE_LABELS.index("shift_above")] = RULE_LABELS.index("long_run_above")
        rule_code[rule_code == RULE_LABELS.index("shift_below")] = RULE_LABELS.index("long_run_below")

    if every:
        out_rule, out_type, out_special, out_side = rule_code, type_code, special, side
    else:
        out_rule = np.full(y.size, -1, dtype=np.int8)
        out_rule[valid] = rule_code
        out_type = np.full(y.size, -1, dtype=np.int8)
        out_type[valid] = type_code
        out_special = np.zeros(y.size, dtype=bool)
        out_special[valid] = special
        out_side = np.zeros(y.size, dtype=np.int8)
        out_side[valid] = side
    return {"special_cause": out_special,
            "rule": pd.Categorical.from_codes(out_rule, dtype=RULE_DTYPE, validate=False),
            "point_type": pd.Categorical.from_codes(out_type, dtype=POINT_TYPE_DTYPE, validate=False),
            "type_code": out_type, "side": out_side, "runs": runs, "valid": valid}


def _check_series_keys(name, spec, series, by, plain):
    unknown = [k for k in spec if k not in series]
    if not unknown:
        return
    if not by:
        raise ValueError(f"{name} is a dict by series ({unknown[:5]}) but no by column was given. "
                         f"Fix: pass by='<column of groups>', or give {name} as {plain}.")
    what = f"column {by[0]!r}" if len(by) == 1 else f"columns {by} (keys are tuples)"
    raise ValueError(f"{name} names unknown series {unknown[:5]} of {what}. Known series: "
                     f"{list(series)[:10]}{' ...' if len(series) > 10 else ''}. "
                     f"Fix: use values of {what} as the keys of {name}.")


def _improvement_direction(value, where):
    if not isinstance(value, str) or value not in IMPROVEMENTS:
        raise ValueError(f"improvement{where} is {value!r}, not one of {list(IMPROVEMENTS)}. Fix: pass "
                         "'increase' (higher is better), 'decrease' or 'neutral'.")
    return _DIRECTION[value]


def _number(value, where):
    if value is None:
        return np.nan
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"target{where} must be a number, not {value!r}. Fix: pass e.g. target=92, or a "
                        "dict of numbers per series.")
    return float(value)


def _per_series(spec, name, series, by, convert, plain):
    """One value per series from a single value or a dict keyed by series (missing keys: no target)."""
    if isinstance(spec, Mapping):
        _check_series_keys(name, spec, series, by, plain)
        if name == "improvement":
            absent = [s for s in series if s not in spec]
            if absent:
                raise ValueError(f"improvement gives no direction for series {absent[:5]}. Fix: add them "
                                 "to the dict, or pass one direction for all.")
        return np.array([convert(spec.get(s), f" for series {s!r}") for s in series], dtype=float)
    return np.full(len(series), convert(spec, ""), dtype=float)


def _summarise(data, by, work, points, judged, seg, nseg, directions, targets, note):
    """One row per series and phase: variation, assurance, the runs analysis and a note.

    ``points`` holds per-point arrays in working order (by series, then time), so each segment is a
    block of consecutive points.
    """
    runs, valid = judged["runs"], judged["valid"]
    first_row = np.flatnonzero(rules.segment_starts(seg))
    last_row = np.r_[first_row[1:], seg.size] - 1
    # The last point with a value in each segment: the last valid position at or before its end.
    all_valid = bool(valid.all())
    if all_valid:
        last_valid = last_row
    else:
        last_valid = np.maximum.accumulate(np.where(valid, np.arange(seg.size), -1))[last_row]
        last_valid = np.where(last_valid >= first_row, last_valid, -1)

    type_code = judged["type_code"]
    has_last = last_valid >= 0
    last_type = np.where(has_last, type_code[np.maximum(last_valid, 0)], -1)
    side = judged["side"][np.maximum(last_valid, 0)]
    # variation_icon: common_cause, or the point type with _high or _low (its side of the line)
    icons = ["common_cause", *[f"{t}_{s}" for t in POINT_TYPES[1:] for s in ("high", "low")]]
    icon = np.where(last_type > 0, 2 * last_type - 1 + (side < 0), last_type)

    lcl, ucl = points["lcl"][last_row], points["ucl"][last_row]
    tgt = targets[work["code"][last_row]]
    seg_direction = directions[work["code"][first_row]]
    with np.errstate(invalid="ignore"):
        passing = np.where(seg_direction > 0, tgt < lcl, tgt > ucl)
        failing = np.where(seg_direction > 0, tgt > ucl, tgt < lcl)
    assurance = np.select([passing, failing], [0, 1], 2)  # pass, fail, hit_and_miss
    assurance[np.isnan(tgt) | np.isnan(lcl) | np.isnan(ucl) | (seg_direction == 0)] = -1

    flagged = np.flatnonzero(type_code > 0)  # special cause: few points
    per_type = np.bincount(seg[flagged] * len(POINT_TYPES) + type_code[flagged],
                           minlength=nseg * len(POINT_TYPES)).reshape(nseg, len(POINT_TYPES))
    counts = {t: per_type[:, POINT_TYPES.index(t)] for t in ("improvement", "concern", "neutral")}
    length = np.diff(np.r_[first_row, seg.size])
    excluded = points["excluded"]
    none = np.zeros(nseg, dtype=np.int64)
    n_excluded = np.bincount(seg[excluded], minlength=nseg) if excluded.any() else none
    n_missing = none if all_valid else np.bincount(seg[~valid], minlength=nseg)
    input_rows = _take(work["row"], first_row) if work["row"] is not None else first_row
    time = points["time"]
    return pd.DataFrame({
        **{column: data[column].array.take(input_rows).to_numpy() for column in by},
        "phase": points["phase"][first_row],
        "start": time[first_row],
        "end": time[last_row],
        "improvement": _text(seg_direction.astype(np.int64) + 1, ["decrease", "neutral", "increase"]),
        "n_points": length - n_excluded,
        "n_missing": n_missing,
        "n_excluded": n_excluded,
        "cl": points["cl"][last_row],
        "lcl": lcl,
        "ucl": ucl,
        "target": tgt,
        "variation": _text(last_type, POINT_TYPES),
        "variation_icon": _text(icon, icons),
        "assurance": _text(assurance, ["pass", "fail", "hit_and_miss"]),
        "n_special_cause": per_type[:, 1:].sum(axis=1),
        "n_improvement": counts["improvement"],
        "n_concern": counts["concern"],
        "n_neutral": counts["neutral"],
        "n_useful": runs["n_useful"],
        "longest_run": _whole_numbers(runs["longest_run"], runs["longest_run"] < 0),
        "longest_run_max": _whole_numbers(runs["longest_run_max"], np.isnan(runs["longest_run_max"])),
        "crossings": _whole_numbers(runs["crossings"], runs["crossings"] < 0),
        "crossings_min": _whole_numbers(runs["crossings_min"], np.isnan(runs["crossings_min"])),
        "runs_signal": runs["runs_signal"],
        "trial_limits": points["trial"][first_row],
        "note": note,
    })


def _text(codes, labels):
    """``labels[code]`` per row (missing where code is -1) as pandas' string dtype: the few labels made
    text once, then taken (with Arrow's storage, no Python string per row)."""
    return pd.array(list(labels), dtype=pd.StringDtype()).take(np.asarray(codes), allow_fill=True)


def _whole_numbers(a, missing):
    """Nullable integers (Int64), missing where ``missing``."""
    return pd.arrays.IntegerArray(np.where(missing, 0, a).astype(np.int64), missing.copy())
