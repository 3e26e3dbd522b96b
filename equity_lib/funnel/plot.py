"""Funnel plots drawn from a :class:`equity_lib.funnel.FunnelResult` (drawing only: nothing is computed
here but positions and words).

Accessible by design (conventions.md, "Charts"): NHS identity colours; a unit's signal is carried by
marker *shape* and *fill* as well as colour (circles within the limits; triangles pointing up above and
down below; hollow beyond the inner limit, filled beyond the outer one), every marker has a dark or
coloured edge with at least 3:1 contrast on white (WCAG 2.2 non-text contrast), limit lines differ by
line style, the legend says everything in words, and the default title states the finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogFormatter
from matplotlib.transforms import Bbox

from equity_lib._figures import hand_back, new_or_given
from equity_lib._validation import check_bool
from equity_lib.colours import NHS

_LINE_STYLES = ["--", "-", ":", "-."]  # innermost level first


def _words(result, level):
    return f"{round(level * 100, 8):g}%"


def default_title(result) -> str:
    """A title that states the finding, e.g. "3 of 20 units lie outside the 99.8% limits (2 above)"."""
    table, levels = result.table, sorted(result.settings["confidence"])
    outer = _words(result, levels[-1])
    above = int((table["signal"] == f"above {outer} limit").sum())
    below = int((table["signal"] == f"below {outer} limit").sum())
    total = len(table)
    if above + below == 0:
        inner = _words(result, levels[0])
        beyond = int((table["signal"] != "within limits").sum())
        text = f"All {total} units lie within the {outer} limits"
        if len(levels) > 1 and beyond:
            text += f"; {beyond} lie outside the {inner} limits"
    else:
        parts = [f"{n} {side}" for n, side in ((above, "above"), (below, "below")) if n]
        text = f"{above + below} of {total} units lie outside the {outer} limits ({', '.join(parts)})"
    od = result.settings.get("overdispersion")
    if od:
        text += f"\nlimits adjusted for overdispersion ({od}, phi = {result.phi:.2f})"
    return text


def _default_labels(result):
    statistic, mult = result.settings["statistic"], result.settings["multiplier"]
    if statistic == "proportion":
        y = "Percentage (%)" if mult == 100 else ("Proportion" if mult == 1 else f"Proportion x {mult:g}")
        return "Denominator (number in the group)", y
    if statistic == "ratio":
        y = "Ratio of observed to expected" + ("" if mult == 1 else f" (x {mult:g})")
        return "Expected events", y
    return "Population (person-years)", f"Rate per {mult:,.0f}"


def plot_funnel(result, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None,
                label: str | None = None, ax=None, log_x: bool = False, figsize=(8, 5.5),
                legend_loc: str = "best", centre_label: str | None = None):
    """Draw a funnel plot from the result of :func:`equity_lib.funnel.funnel_chart`.

    Parameters
    ----------
    result : equity_lib.funnel.FunnelResult
    title : str, optional
        The figure's title; by default it states the finding ("3 of 20 units lie outside the 99.8%
        limits (2 above, 1 below)", plus the overdispersion adjustment when one was made).
    xlabel, ylabel : str, optional
        Axis labels with units; defaults depend on the statistic ("Denominator (number in the group)",
        "Percentage (%)", "Expected events", "Rate per 100,000", ...).
    label : str, optional
        A column of ``result.table`` (e.g. the unit's name) used to label the units beyond the widest
        limits. Each label goes beside its unit, on the first side where it stays inside the axes and
        overlaps no other label, labelled unit or legend.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes instead of a new figure.
    legend_loc : str
        Where the legend goes: any matplotlib location inside the axes (default ``"best"``, the corner
        that hides least), or ``"outside"``, to the right of the axes, so that it can hide neither a
        unit nor a limit line. Inside, it sits on a white box so that limit lines do not run through
        its words.
    log_x : bool
        Logarithmic x axis (for denominators spanning several orders of magnitude), its ticks written
        as plain numbers (100, 1,000, 10,000).
    centre_label : str, optional
        The legend's name for the centre line. By default it says what the line is: "Target" when
        ``funnel_chart`` was given ``target=``, "Average of all units" when the line is the units'
        pooled value, "As expected" for a ratio to expected; with its value.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from equity_lib.funnel import FunnelResult

    if not isinstance(result, FunnelResult):
        what = "a DataFrame" if isinstance(result, pd.DataFrame) else f"a {type(result).__name__}"
        raise TypeError(f"plot_funnel draws the result of funnel_chart(), not {what}. Fix: "
                        "result = funnel_chart(data, numerator=..., denominator=...); then "
                        "plot_funnel(result) or result.plot().")
    check_bool(log_x, "log_x")
    table, curve, settings = result.table, result.limits, result.settings
    statistic = settings["statistic"]
    xname = {"proportion": "denominator", "ratio": "expected", "rate": "population"}[statistic]
    x_units = table[settings["denominator"]].to_numpy(dtype=float)
    levels = sorted(settings["confidence"])
    if label is not None and label not in table.columns:
        raise KeyError(f"label column {label!r} not found in the result's table. Fix: pass one of "
                       f"{list(table.columns)}.")
    fig, ax, own_figure = new_or_given(ax, figsize=figsize, layout="constrained")

    handles = []
    ax.plot(curve[xname], curve["target"], color=NHS["dark_blue"], lw=1.6, zorder=2)
    centre = curve["target"].iloc[0]
    # a proportion or a ratio to expected times 100 is a percentage; a rate per 100 is not
    percent = statistic in ("proportion", "ratio") and settings["multiplier"] == 100
    centre_text = f"{centre:.3g}%" if percent else f"{centre:,.4g}"
    name = centre_label if centre_label is not None else {
        "target": "Target", "average": "Average of all units", "expected": "As expected",
    }[settings.get("centre", "target")]
    handles.append(Line2D([], [], color=NHS["dark_blue"], lw=1.6, label=f"{name} ({centre_text})"))
    for i, level in enumerate(levels):
        style = _LINE_STYLES[i % len(_LINE_STYLES)]
        suffix = f"{round(level * 100, 8):g}".replace(".", "_")
        for side in ("lower", "upper"):
            ax.plot(curve[xname], curve[f"{side}_{suffix}"], color=NHS["dark_grey"], ls=style, lw=1.3,
                    zorder=2)
        handles.append(Line2D([], [], color=NHS["dark_grey"], ls=style, lw=1.3,
                              label=f"{_words(result, level)} limits"))

    signal = table["signal"].astype(str).to_numpy()
    values = table["value"].to_numpy(dtype=float)
    styles = [("within limits", "o", NHS["blue"], NHS["dark_blue"], 36, "Within the limits")]
    for i, level in enumerate(reversed(levels)):
        words = _words(result, level)
        outermost = i == 0
        face = NHS["pink"] if outermost else "white"
        size = 70 if outermost else 56
        styles.append((f"above {words} limit", "^", face, NHS["pink"], size, f"Above the {words} limit"))
        styles.append((f"below {words} limit", "v", face, NHS["pink"], size, f"Below the {words} limit"))
    for key, marker, face, edge, size, text in styles:
        mask = signal == key
        if not mask.any():
            continue
        ax.scatter(x_units[mask], values[mask], marker=marker, s=size, facecolors=face, edgecolors=edge,
                   linewidths=1.4, zorder=3)
        handles.append(Line2D([], [], ls="", marker=marker, markersize=8, markerfacecolor=face,
                              markeredgecolor=edge, markeredgewidth=1.4, label=f"{text} ({int(mask.sum())})"))

    default_x, default_y = _default_labels(result)
    ax.set_xlabel(xlabel or default_x)
    ax.set_ylabel(ylabel or default_y)
    ax.set_title(title if title is not None else default_title(result), loc="left", fontsize=11)
    if log_x:
        ax.set_xscale("log")
        # plain numbers (100, 1,000, 10,000), not powers of ten, for readers who never use them
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _plain(v)))
        ax.xaxis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))
    ax.grid(True, color="#E8EDEE", lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if legend_loc == "outside":
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    else:
        ax.legend(handles=handles, loc=legend_loc, fontsize=8, frameon=True, facecolor="white",
                  edgecolor="#E8EDEE", framealpha=0.9)
    if label is not None:
        outer = _words(result, levels[-1])
        flagged = np.flatnonzero(np.isin(signal, [f"above {outer} limit", f"below {outer} limit"]))
        _place_labels(fig, ax, [(str(table[label].iloc[i]), x_units[i], values[i]) for i in flagged],
                      np.column_stack([x_units, values]), legend_inside=legend_loc != "outside")
    return hand_back(fig, own_figure)


def _plain(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


class _PlainLogFormatter(LogFormatter):
    """Matplotlib's choice of which minor ticks of a log axis to label (all of them over less than
    0.4 of a power of ten, some up to one, none beyond), written as plain numbers (200, 3,000)."""

    def __call__(self, x, pos=None):
        return _plain(x) if super().__call__(x, pos) else ""


# Where a label may go, in order of preference: (offset in points, horizontal and vertical alignment).
_LABEL_SPOTS = [((7, 3), "left", "bottom"), ((-7, 3), "right", "bottom"), ((7, -3), "left", "top"),
                ((-7, -3), "right", "top"), ((0, 9), "center", "bottom"), ((0, -9), "center", "top"),
                ((7, 14), "left", "bottom"), ((-7, 14), "right", "bottom"), ((7, -14), "left", "top"),
                ((-7, -14), "right", "top")]


def _annotate(ax, text, x, y, spot):
    offset, ha, va = spot
    note = ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va, fontsize=8,
                       color="#231F20", zorder=2.5,
                       bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85))
    note.set_in_layout(False)
    return note


def _place_labels(fig, ax, labels, points, legend_inside):
    """Label each (text, x, y) in the first spot that stays inside the axes and overlaps neither another
    label, any unit's marker (``points``, x and y) nor an inside legend (the first spot when none
    does). A white box keeps a label readable where it crosses a limit line; it is drawn under the
    markers (zorder 3) and above the lines (2), so that it never hides a unit. Labels are left out of
    the layout, which is settled first so that the positions measured are the final ones."""
    if not labels:
        return
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    half = 4.5 * fig.dpi / 72  # half the width of the largest marker (70 points squared), in pixels
    taken = [Bbox.from_extents(px - half, py - half, px + half, py + half)
             for px, py in ax.transData.transform(points)]
    if legend_inside and ax.get_legend() is not None:
        taken.append(ax.get_legend().get_window_extent(renderer))

    def fits(box):
        within = inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
        return within and not any(box.overlaps(other) for other in taken)

    for text, x, y in labels:
        for spot in _LABEL_SPOTS:
            note = _annotate(ax, text, x, y, spot)
            box = note.get_window_extent(renderer).padded(1.5)
            if fits(box):
                break
            note.remove()
        else:  # nowhere is free: the first spot
            note = _annotate(ax, text, x, y, _LABEL_SPOTS[0])
            box = note.get_window_extent(renderer)
        taken.append(box)
