"""Funnel plots drawn from a :class:`equity_lib.funnel.FunnelResult` (drawing only: nothing is computed
here but positions and words).

Accessible by design (conventions.md, "Charts"): NHS identity colours; a unit's signal is carried by
marker *shape* and *fill* as well as colour (circles within the limits; triangles pointing up above and
down below; hollow beyond the inner limit, filled beyond the outer one), every marker has a dark or
coloured edge with at least 3:1 contrast on white (WCAG 2.2 non-text contrast), limit lines differ by
line style, the legend says everything in words, and the default title states the finding.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

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
                label: str | None = None, ax=None, log_x: bool = False, figsize=(8, 5.5)):
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
        limits.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes instead of a new figure.
    log_x : bool
        Logarithmic x axis (for denominators spanning several orders of magnitude).

    Returns
    -------
    matplotlib.figure.Figure
    """
    table, curve, settings = result.table, result.limits, result.settings
    statistic = settings["statistic"]
    xname = {"proportion": "denominator", "ratio": "expected", "rate": "population"}[statistic]
    x_units = table[settings["denominator"]].to_numpy(dtype=float)
    levels = sorted(settings["confidence"])
    if label is not None and label not in table.columns:
        raise KeyError(f"label column {label!r} not found in the result's table. Fix: pass one of "
                       f"{list(table.columns)}.")
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure

    handles = []
    ax.plot(curve[xname], curve["target"], color=NHS["dark_blue"], lw=1.6, zorder=2)
    target_text = f"{curve['target'].iloc[0]:.4g}"
    handles.append(Line2D([], [], color=NHS["dark_blue"], lw=1.6, label=f"Target ({target_text})"))
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

    if label is not None:
        outer = _words(result, levels[-1])
        for idx in np.flatnonzero(np.isin(signal, [f"above {outer} limit", f"below {outer} limit"])):
            ax.annotate(str(table[label].iloc[idx]), (x_units[idx], values[idx]), xytext=(5, 4),
                        textcoords="offset points", fontsize=8, color="#231F20")

    default_x, default_y = _default_labels(result)
    ax.set_xlabel(xlabel or default_x)
    ax.set_ylabel(ylabel or default_y)
    ax.set_title(title if title is not None else default_title(result), loc="left", fontsize=11)
    if log_x:
        ax.set_xscale("log")
    ax.grid(True, color="#E8EDEE", lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=handles, loc="best", fontsize=8, frameon=False)
    return fig
