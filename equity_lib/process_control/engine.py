"""``spc()``: one verb for every statistical process control chart, many series in one call."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from equity_lib._validation import (
    fail_rows,
    numeric_column,
    require_columns,
    require_dataframe,
)
from equity_lib.process_control import limits, rules
from equity_lib.process_control.result import SPCResult

CHARTS = ("run", "xmr", "i", "mr", "p", "pp", "u", "up", "c", "g", "t", "xbar", "s")
IMPROVEMENTS = ("increase", "decrease", "neutral")
NO_FACET = "all"
# Fewest points (subgroups for xbar/s) with a value that can set a phase's limits.
_MIN_TO_COMPUTE = {"run": 1, "xmr": 2, "mr": 2, "p": 1, "pp": 2, "u": 1, "up": 2, "c": 1, "g": 1,
                   "t": 2, "xbar": 1, "s": 1}
_NEEDS_N = ("p", "pp", "u", "up")


def spc(
    data: pd.DataFrame,
    y: str,
    x: str | None = None,
    n: str | None = None,
    *,
    chart: str = "xmr",
    facet: str | None = None,
    improvement: str = "increase",
    target: float | Mapping | None = None,
    rebase: list | Mapping | None = None,
    freeze: int | None = None,
    exclude: list | Mapping | None = None,
    screen_mr: bool = True,
    shift: int = 7,
    trend: int = 7,
    multiply: float = 1,
    xmr_factor: float | None = None,
    min_points: int = 13,
) -> SPCResult:
    """Statistical process control chart data, Making Data Count style, for one or many series.

    Parameters
    ----------
    data : DataFrame
        Tidy data: one row per point (per measurement for ``xbar`` and ``s``), sorted by ``x`` within
        each facet.
    y : str
        Column of values; for ``p``/``pp``/``u``/``up`` the numerator (events), for ``xbar``/``s`` the
        individual measurements.
    x : str, optional
        Column of dates or sequence numbers (subgroup labels for ``xbar``/``s``). Default: row order.
    n : str, optional
        Column of denominators (cases for ``p``/``pp``, exposure for ``u``/``up``); required by those
        charts and not used by the others.
    chart : str
        ``run``, ``xmr`` (alias ``i``), ``mr``, ``p``, ``pp`` (Laney p'), ``u``, ``up`` (Laney u'),
        ``c``, ``g``, ``t``, ``xbar`` or ``s``. Formulas and sources:
        :mod:`equity_lib.process_control.limits`.
    facet : str, optional
        Column that splits the data into series (trusts, groups); each gets its own limits and rules.
    improvement : str
        Which direction is better: ``increase``, ``decrease`` or ``neutral``.
    target : float or dict, optional
        Target on the plotted scale (after ``multiply``); a dict gives one per facet. Sets the
        assurance icon.
    rebase : list or dict, optional
        ``x`` values where a new phase starts (limits recalculated); a dict gives a list per facet.
        A plain list with facets applies to every facet holding that value.
    freeze : int, optional
        Compute each phase's limits from its first ``freeze`` points only and extend them.
    exclude : list or dict, optional
        ``x`` values left out of the centre line and limits (neighbours become adjacent in the moving
        ranges, as qicharts2 does) but still plotted and judged.
    screen_mr : bool
        Drop moving ranges >= 3.267 x the mean moving range, then recompute (NHSRplotthedots and
        qicharts2 when attached; ``False`` reproduces the MDC Excel tool). For xmr, t, pp, up.
    shift, trend : int
        Points in a run on one side of the centre line / in a strict rise or fall that signal
        (Making Data Count: 7; IHI: 6 or 8).
    multiply : float
        Multiplies plotted values, centre lines and limits (e.g. 100 for percentages); must be
        greater than 0.
    xmr_factor : float, optional
        Width of XmR limits in mean moving ranges. Default 2.66 for ``xmr`` (Making Data Count,
        NHSRplotthedots) and 3 / 1.128 for ``t`` (qicharts2); pass ``3 / 1.128`` to reproduce qicharts2's
        I chart (the two differ by about 2e-4 relative).
    min_points : int
        Phases with fewer points that set limits are marked ``trial_limits`` with a warning
        (NHSRplotthedots: 13).

    Returns
    -------
    SPCResult
        ``.table``: one row per point (per subgroup for xbar/s) in input order, columns ``facet``,
        ``x``, ``y`` (plotted value), ``n``, ``phase`` (1, 2, ...), ``excluded``, ``baseline`` (the
        point set the limits), ``cl``, ``lcl``, ``ucl``, ``special_cause`` (bool), ``rule`` (the rule
        that flagged it: ``above_ucl``, ``below_lcl``, ``trend_up``, ``trend_down``,
        ``two_in_three_above``, ``two_in_three_below``, ``shift_above``, ``shift_below``; for run
        charts ``long_run_above``/``long_run_below``; missing when none), ``point_type``
        (``common_cause``, ``improvement``, ``concern``, ``neutral``; missing for a missing value),
        ``trial_limits`` (bool) and ``target``. ``.summary()``: one row per facet and phase.
        ``.plot()``: the Making Data Count chart.

    Notes
    -----
    Rules and defaults are those of ``conventions.md``: Making Data Count as NHSRplotthedots 0.2.2
    implements it for the XmR chart (see :mod:`equity_lib.process_control.rules`); other charts as
    qicharts2 0.8.1. When a point is in both an improving and a concerning pattern, improvement wins
    (the MDC team's rule). A missing value keeps its row, with its phase's limits, and never stops a
    chart. Run charts flag points in an unusually long run (Anhoej); their crossings signal is in
    ``summary()``. MR charts are judged by their upper limit only: consecutive moving ranges share a
    point, so run rules do not apply (as in qicharts2).

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import spc
    >>> d = pd.DataFrame({"month": pd.date_range("2024-01-01", periods=24, freq="MS"),
    ...                   "value": [50, 52, 49, 51, 50, 48, 52, 51, 49, 50, 51, 50,
    ...                             55, 56, 54, 57, 55, 56, 58, 55, 57, 56, 55, 57]})
    >>> spc(d, "value", "month").summary()[["variation", "longest_run", "runs_signal"]]
    ... # doctest: +NORMALIZE_WHITESPACE
       variation  longest_run  runs_signal
    0  improvement          12         True
    """
    require_dataframe(data)
    chart = _check_choice("chart", "i" if chart == "I" else chart, CHARTS)
    chart = "xmr" if chart == "i" else chart
    improvement = _check_choice("improvement", improvement, IMPROVEMENTS)
    for name, value in (("shift", shift), ("trend", trend), ("min_points", min_points)):
        if not isinstance(value, (int, np.integer)) or value < 2:
            raise ValueError(f"{name} must be a whole number of at least 2, not {value!r}. "
                             f"Fix: pass e.g. {name}=7.")
    if freeze is not None and (not isinstance(freeze, (int, np.integer)) or freeze < 1):
        raise ValueError(f"freeze must be a whole number of points of at least 1, not {freeze!r}.")
    if not isinstance(multiply, (int, float, np.integer, np.floating)) or isinstance(multiply, bool) \
            or not np.isfinite(multiply) or multiply <= 0:
        raise ValueError(f"multiply must be a number greater than 0, not {multiply!r}. Fix: pass e.g. "
                         "multiply=100 for percentages.")
    if xmr_factor is not None and (not isinstance(xmr_factor, (int, float, np.integer, np.floating))
                                   or isinstance(xmr_factor, bool) or not np.isfinite(xmr_factor)
                                   or xmr_factor <= 0):
        raise ValueError(f"xmr_factor must be a number greater than 0, not {xmr_factor!r}. Fix: leave it "
                         "out (2.66) or pass 3 / 1.128.")
    if not isinstance(screen_mr, (bool, np.bool_)):
        raise TypeError(f"screen_mr must be True or False, not {screen_mr!r}.")
    if y is None:
        raise TypeError("y must name the column of values, not None. Fix: pass y='<column name>'.")
    require_columns(data, [y, x, n, facet])
    if chart in _NEEDS_N and n is None:
        raise ValueError(f"A {chart} chart needs denominators. Fix: pass n='<column of denominators>'.")
    if chart not in _NEEDS_N and n is not None:
        raise ValueError(
            f"n (denominators) is used only by p, pp, u and up charts, not {chart}. "
            "Fix: drop n, or divide y by n first and chart the ratio with an xmr chart."
        )
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass at least two points per series.")

    values = numeric_column(data, y)
    denominators = numeric_column(data, n) if n is not None else None
    _check_values(data, chart, y, values, n, denominators)

    codes, facet_values = _facet_codes(data, facet)
    xs = _x_values(data, x, codes)
    order = np.argsort(codes, kind="stable")
    _check_sorted(data, x, xs, codes, order, allow_repeats=chart in ("xbar", "s"), facet=facet)

    work = _working_points(chart, codes[order], xs[order], values[order],
                           None if denominators is None else denominators[order], order)
    is_start = _match_x(rebase, "rebase", work, facet_values, x, facet)
    first_of_facet = np.r_[True, work["code"][1:] != work["code"][:-1]]
    is_start &= ~first_of_facet
    phase = pd.Series(is_start).groupby(work["code"]).cumsum().to_numpy() + 1
    excluded = _match_x(exclude, "exclude", work, facet_values, x, facet)

    seg_start = first_of_facet | np.r_[False, phase[1:] != phase[:-1]]
    seg = np.cumsum(seg_start) - 1
    nseg = int(seg[-1]) + 1
    position = np.arange(seg.size) - np.flatnonzero(seg_start)[seg]
    base = ~excluded
    if freeze is not None:
        base &= position < freeze

    y_plot, cl, lcl, ucl = _limits(chart, work, seg, nseg, base, screen_mr, xmr_factor)
    base_points = limits.segment_count(y_plot, seg, nseg, base)
    _check_enough_points(chart, base_points, seg, work, facet_values, phase)
    _check_limits_exist(chart, lcl, seg, nseg, work, facet_values, phase)
    trial = base_points < min_points
    if trial.any():
        short = np.flatnonzero(trial)
        first = short[0]
        warnings.warn(
            f"{short.size} phase(s) have fewer than {min_points} points to set their limits (e.g. "
            f"facet {facet_values[work['code'][seg == first][0]]!r}, phase "
            f"{phase[seg == first][0]}: {int(base_points[first])} points): their limits are trial "
            "limits (column trial_limits); treat signals with caution and recalculate when more "
            "data arrive.",
            UserWarning,
            stacklevel=2,
        )

    y_plot, cl, lcl, ucl = (a * multiply for a in (y_plot, cl, lcl, ucl))
    judged = _judge(chart, y_plot, cl, lcl, ucl, seg, nseg, excluded, improvement, shift, trend)
    targets = _targets(target, facet_values, facet)[work["code"]]

    table = pd.DataFrame({
        "facet": facet_values.take(work["code"]),
        "x": work["x"],
        "y": y_plot,
        "n": work["n"],
        "phase": phase,
        "excluded": excluded,
        "baseline": base & ~np.isnan(y_plot),
        "cl": cl,
        "lcl": lcl,
        "ucl": ucl,
        "special_cause": judged["special_cause"],
        "rule": judged["rule"],
        "point_type": judged["point_type"],
        "trial_limits": trial[seg],
        "target": targets,
    })
    summary = _summarise(table, judged, seg, nseg, improvement, chart)
    input_order = np.argsort(work["row"], kind="stable")
    table = table.iloc[input_order].reset_index(drop=True)
    settings = dict(chart=chart, y=y, x=x, n=n, facet=facet, improvement=improvement,
                    multiply=multiply, shift=shift, trend=trend, screen_mr=screen_mr,
                    freeze=freeze, min_points=min_points)
    return SPCResult(table=table, summary_table=summary, settings=settings)


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {list(allowed)}. Fix: pass one of those.")
    return value


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


def _facet_codes(data, facet):
    if facet is None:
        return np.zeros(len(data), dtype=np.int64), pd.Index([NO_FACET])
    column = data[facet]
    fail_rows(data, column.isna().to_numpy(), f"Column '{facet}' (facet) is missing",
              "give every row a group, or drop rows with no group.")
    codes, uniques = pd.factorize(column, sort=False)
    return codes.astype(np.int64), pd.Index(uniques)


def _x_values(data, x, codes):
    if x is None:
        return pd.Series(codes).groupby(codes).cumcount().to_numpy() + 1
    column = data[x]
    fail_rows(data, column.isna().to_numpy(), f"Column '{x}' (x) is missing",
              "every point needs a date or sequence number.")
    return column.to_numpy()


def _check_sorted(data, x, xs, codes, order, allow_repeats, facet=None):
    if x is None or len(order) < 2:
        return
    sx, same = xs[order], codes[order][1:] == codes[order][:-1]
    try:
        rising = sx[1:] > sx[:-1]
        equal = sx[1:] == sx[:-1]
    except TypeError as err:
        raise TypeError(f"Column '{x}' mixes values that cannot be ordered ({err}). "
                        "Fix: use one type of date or number.") from err
    later = order[1:]
    if not allow_repeats:
        fail_rows(data, _at(len(data), later[same & equal]), f"Column '{x}' has duplicated values "
                  "within a series", "aggregate to one row per date (per facet), or pass facet=.")
    fail_rows(data, _at(len(data), later[same & ~rising & ~equal]),
              f"Column '{x}' is not sorted within each series (the value is earlier than the row "
              "before it)",
              f"sort first: data.sort_values([{repr(facet) + ', ' if facet is not None else ''}'{x}']).")


def _at(size, positions):
    mask = np.zeros(size, dtype=bool)
    mask[positions] = True
    return mask


def _working_points(chart, code, xs, values, dens, rows):
    """Arrays sorted by facet and x, one entry per point (per subgroup for xbar and s)."""
    if chart not in ("xbar", "s"):
        return {"code": code, "x": xs, "y": values, "n": dens if dens is not None
                else np.full(values.shape, np.nan), "row": rows}
    start = np.r_[True, (code[1:] != code[:-1]) | (xs[1:] != xs[:-1])]
    sub = np.cumsum(start) - 1
    nsub = int(sub[-1]) + 1
    every = np.ones(sub.size, dtype=bool)
    size = limits.segment_count(values, sub, nsub, every)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = limits.segment_sum(values, sub, nsub, every) / size
        centred = values - mean[sub]
        sd = np.sqrt(limits.segment_sum(centred**2, sub, nsub, every) / (size - 1))
    sd[size < 2] = np.nan
    mean[size < 1] = np.nan
    first = np.flatnonzero(start)
    return {"code": code[first], "x": xs[first], "y": mean, "sd": sd, "n": size, "row": rows[first]}


def _match_x(spec, name, work, facet_values, x, facet=None):
    """Boolean mask of the working points named by a list (every facet) or a dict per facet."""
    mask = np.zeros(work["code"].size, dtype=bool)
    if spec is None:
        return mask
    if isinstance(spec, Mapping):
        _check_facet_keys(name, spec, facet_values, facet, "a list")
        pairs = [(facet_values.get_loc(k), v) for k, vs in spec.items() for v in _as_list(vs)]
    else:
        pairs = [(c, v) for v in _as_list(spec) for c in range(len(facet_values))]
    if not pairs:
        return mask
    codes, originals = zip(*pairs, strict=True)
    try:
        wanted = _like_x(list(originals), work["x"])
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} value(s) {list(dict.fromkeys(originals))[:5]} cannot be "
                         f"read as dates like those of column {x!r} ({err}). Fix: use values that "
                         "appear in the x column, e.g. '2024-04-01'.") from err
    points = pd.MultiIndex.from_arrays([work["code"], work["x"]])
    asked = pd.MultiIndex.from_arrays([np.asarray(codes), wanted])
    found = asked.isin(points)
    if isinstance(spec, Mapping):
        missing = [f"{facet_values[c]!r}: {v!r}" for (c, v), f in zip(pairs, found, strict=True) if not f]
    else:
        # One entry per value and facet, value by value: report the values as the caller wrote them.
        hit = found.reshape(-1, len(facet_values)).any(axis=1)
        missing = [v for v, h in zip(_as_list(spec), hit, strict=True) if not h]
    if missing:
        raise ValueError(f"{name} value(s) {missing[:5]} are not x values of the data"
                         f"{' (column ' + repr(x) + ')' if x else ' (row numbers, from 1)'}. "
                         "Fix: use values that appear in the x column.")
    return points.isin(asked)


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple, set, np.ndarray, pd.Index, pd.Series)) else [v]


def _like_x(values, xs):
    """Convert rebase/exclude values to the x column's type, so '2021-04-01' matches a date."""
    if np.issubdtype(np.asarray(xs).dtype, np.datetime64):
        return pd.to_datetime(values).to_numpy().astype(np.asarray(xs).dtype)
    return pd.Index(values)


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


def _check_enough_points(chart, counts, seg, work, facet_values, phase):
    need = _MIN_TO_COMPUTE[chart]
    short = np.flatnonzero(counts < need)
    if short.size:
        where = [f"facet {facet_values[work['code'][seg == s][0]]!r} phase {phase[seg == s][0]} "
                 f"({int(counts[s])})" for s in short[:5]]
        raise ValueError(
            f"Too few points with a value to set limits: a {chart} chart needs at least {need} per "
            f"phase; {', '.join(where)}{' and more' if short.size > 5 else ''}. Fix: add data, "
            "remove a rebase, or drop that series."
        )


def _check_limits_exist(chart, lcl, seg, nseg, work, facet_values, phase):
    """Limits that could not be computed are an error, never a silent gap on the chart."""
    if chart == "run":
        return
    no_limits = np.ones(nseg, dtype=bool)
    no_limits[seg[~np.isnan(lcl)]] = False
    bad = np.flatnonzero(no_limits)
    if bad.size:
        where = [f"facet {facet_values[work['code'][seg == s][0]]!r} phase {phase[seg == s][0]}"
                 for s in bad[:5]]
        why = {"xbar": "every subgroup there has fewer than 2 measurements, so no spread can be measured",
               "s": "every subgroup there has fewer than 2 measurements, so no spread can be measured"}.get(
            chart, "no two consecutive points there both have a value, so there is no moving range")
        raise ValueError(
            f"No process limits could be computed for {', '.join(where)}"
            f"{' and more' if bad.size > 5 else ''}: {why}. Fix: fill in the missing values, "
            "or chart that series with chart='run'."
        )


def _judge(chart, y, cl, lcl, ucl, seg, nseg, excluded, improvement, shift, trend):
    """Apply the rules to the points with a value; return per-point and per-segment results.

    The Making Data Count rules judge excluded points too; the runs analysis leaves them out, as
    qicharts2 does.
    """
    valid = ~np.isnan(y)
    vy, vcl, vseg = y[valid], cl[valid], seg[valid]
    counted = ~excluded[valid]
    runs = rules.anhoej(vy[counted], vcl[counted], vseg[counted], nseg)
    side = rules.side_of_line(vy, vcl)
    if chart == "run":
        long_run = np.zeros(vy.size, dtype=bool)
        long_run[counted] = runs["in_long_run"]
        flags = {name: np.zeros(vy.size, dtype=bool) for name in rules.PRECEDENCE}
        flags["shift_above"] = long_run & (side > 0)
        flags["shift_below"] = long_run & (side < 0)
    else:
        flags = rules.mdc_rules(vy, vcl, lcl[valid], ucl[valid], vseg, shift, trend)
    if chart == "mr":
        # Consecutive moving ranges share a point, so they are not independent: run rules do not
        # apply (qicharts2 reports no runs signal for MR charts); only the limits judge.
        for name in rules.PRECEDENCE[2:]:
            flags[name][:] = False
        runs["runs_signal"][:] = False
    matrix = np.column_stack([flags[name] for name in rules.PRECEDENCE])
    high = np.isin(rules.PRECEDENCE, rules.HIGH_RULES)
    any_high, any_low = matrix[:, high].any(axis=1), matrix[:, ~high].any(axis=1)
    if improvement == "neutral":
        point_type = np.where(any_high | any_low, "neutral", "common_cause")
        chosen = matrix
    else:
        good, bad = (any_high, any_low) if improvement == "increase" else (any_low, any_high)
        good_cols = high if improvement == "increase" else ~high
        point_type = np.select([good, bad], ["improvement", "concern"], "common_cause")
        # The rule shown is the first, in precedence, of the direction that won.
        chosen = matrix & np.where(good[:, None], good_cols[None, :], ~good_cols[None, :])
    labels = np.array(rules.PRECEDENCE, dtype=object)
    if chart == "run":
        labels = np.array([rules.RUN_CHART_RULES.get(r, r) for r in rules.PRECEDENCE], dtype=object)
    special = chosen.any(axis=1)
    rule = np.where(special, labels[chosen.argmax(axis=1)], None)

    out_type = np.full(y.size, None, dtype=object)
    out_type[valid] = point_type
    out_rule = np.full(y.size, None, dtype=object)
    out_rule[valid] = rule
    out_special = np.zeros(y.size, dtype=bool)
    out_special[valid] = special
    out_side = np.zeros(y.size, dtype=np.int8)
    out_side[valid] = side
    return {"special_cause": out_special, "rule": pd.array(out_rule, dtype="string"),
            "point_type": pd.array(out_type, dtype="string"), "side": out_side, "runs": runs,
            "valid": valid}


def _check_facet_keys(name, spec, facet_values, facet, plain):
    unknown = [k for k in spec if k not in facet_values]
    if not unknown:
        return
    if facet is None:
        raise ValueError(f"{name} is a dict by facet ({unknown[:5]}) but no facet column was given. "
                         f"Fix: pass facet='<column of groups>', or give {name} as {plain}.")
    raise ValueError(f"{name} names unknown facet(s) {unknown[:5]} of column {facet!r}. Known facets: "
                     f"{list(facet_values)[:10]}{' ...' if len(facet_values) > 10 else ''}. "
                     f"Fix: use values of column {facet!r} as the keys of {name}.")


def _targets(target, facet_values, facet=None):
    if target is None:
        return np.full(len(facet_values), np.nan)
    if isinstance(target, Mapping):
        _check_facet_keys("target", target, facet_values, facet, "a number")
        try:
            return np.array([float(target.get(f, np.nan)) for f in facet_values])
        except (TypeError, ValueError) as err:
            raise TypeError(f"target values must be numbers, not {list(target.values())[:5]} ({err}). "
                            "Fix: pass a dict of numbers per facet.") from err
    try:
        return np.full(len(facet_values), float(target))
    except (TypeError, ValueError) as err:
        raise TypeError(f"target must be a number or a dict of numbers per facet, not {target!r}.") from err


def _summarise(table, judged, seg, nseg, improvement, chart):
    """One row per facet and phase: variation, assurance and the runs analysis."""
    runs, valid = judged["runs"], judged["valid"]
    rows = np.arange(seg.size)
    last_row = np.zeros(nseg, dtype=np.int64)
    np.maximum.at(last_row, seg, rows)
    last_valid = np.full(nseg, -1, dtype=np.int64)
    np.maximum.at(last_valid, seg[valid], rows[valid])
    first_row = np.full(nseg, seg.size, dtype=np.int64)
    np.minimum.at(first_row, seg, rows)

    point_type = table["point_type"].to_numpy(dtype=object, na_value=None)
    has_last = last_valid >= 0
    variation = np.where(has_last, point_type[np.maximum(last_valid, 0)], None)
    side = judged["side"][np.maximum(last_valid, 0)]
    icon = np.where(variation == "common_cause", "common_cause",
                    np.char.add(variation.astype(str), np.where(side >= 0, "_high", "_low")))
    icon = np.where(has_last, icon, None)

    lcl, ucl = table["lcl"].to_numpy()[last_row], table["ucl"].to_numpy()[last_row]
    tgt = table["target"].to_numpy()[last_row]
    if improvement == "increase":
        passing, failing = tgt < lcl, tgt > ucl
    else:
        passing, failing = tgt > ucl, tgt < lcl
    assurance = np.select([passing, failing], ["pass", "fail"], "hit_and_miss").astype(object)
    assurance[np.isnan(tgt) | np.isnan(lcl) | np.isnan(ucl) | (improvement == "neutral")] = None

    counts = {t: np.bincount(seg[point_type == t], minlength=nseg) for t in
              ("improvement", "concern", "neutral")}
    is_missing = ~valid
    excluded = table["excluded"].to_numpy()
    return pd.DataFrame({
        "facet": table["facet"].to_numpy()[first_row],
        "phase": table["phase"].to_numpy()[first_row],
        "start": table["x"].to_numpy()[first_row],
        "end": table["x"].to_numpy()[last_row],
        "n_points": np.bincount(seg[~excluded], minlength=nseg),
        "n_missing": np.bincount(seg[is_missing], minlength=nseg),
        "n_excluded": np.bincount(seg[excluded], minlength=nseg),
        "cl": table["cl"].to_numpy()[last_row],
        "lcl": lcl,
        "ucl": ucl,
        "target": tgt,
        "variation": pd.array(variation, dtype="string"),
        "variation_icon": pd.array(icon, dtype="string"),
        "assurance": pd.array(assurance, dtype="string"),
        "n_special_cause": np.bincount(seg[table["special_cause"].to_numpy()], minlength=nseg),
        "n_improvement": counts["improvement"],
        "n_concern": counts["concern"],
        "n_neutral": counts["neutral"],
        "n_useful": runs["n_useful"],
        "longest_run": pd.array(np.where(runs["longest_run"] >= 0, runs["longest_run"], None),
                                dtype="Int64"),
        "longest_run_max": pd.array(_int_or_na(runs["longest_run_max"]), dtype="Int64"),
        "crossings": pd.array(np.where(runs["crossings"] >= 0, runs["crossings"], None), dtype="Int64"),
        "crossings_min": pd.array(_int_or_na(runs["crossings_min"]), dtype="Int64"),
        "runs_signal": runs["runs_signal"],
        "trial_limits": table["trial_limits"].to_numpy()[first_row],
    })


def _int_or_na(a):
    return [None if np.isnan(v) else int(v) for v in a] if np.isnan(a).any() else a.astype(np.int64)
