"""Making Data Count charts drawn from an :class:`SPCResult` (drawing only: nothing is computed here).

Colours are NHS England's Making Data Count palette (conventions.md); meaning is never carried by
colour alone: each point type has its own marker shape, every marker has a dark edge so it stands out
from the white background (WCAG 2.2 non-text contrast), and each icon carries a letter and a label in
words. The icons are drawn by this module's own code.
"""

from __future__ import annotations

import math

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from equity_lib.colours import MDC
from equity_lib.process_control.result import series_labels

COLOURS = MDC
MARKERS = {"common_cause": "o", "improvement": "D", "concern": "s", "neutral": "P"}
POINT_LABELS = {
    "common_cause": "Common cause",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neutral": "Special cause: neither better nor worse",
}
VARIATION_WORDS = {
    "common_cause": "Common cause",
    "improvement_high": "Improving (high)",
    "improvement_low": "Improving (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neutral_high": "Special cause (high)",
    "neutral_low": "Special cause (low)",
}
ASSURANCE_WORDS = {"pass": "Will meet target", "fail": "Will miss target", "hit_and_miss": "Hit and miss"}


def plot_spc(result, *, title: str | None = None, ylabel: str | None = None, xlabel: str | None = None,
             ncols: int | None = None, sharey: bool = False, icons: bool = True, percent: bool = False,
             panel_size: tuple[float, float] = (5.2, 2.8)):
    """Draw one panel per facet, with the variation and assurance icons of its last phase.

    Parameters
    ----------
    result : SPCResult
    title : str, optional
        The figure's title: state the finding ("Two trusts are improving; none will meet 92%").
    ylabel, xlabel : str, optional
        Axis labels with units; default the y and x column names.
    ncols : int, optional
        Panels per row (default up to 3).
    sharey : bool
        One y scale for every panel (compare levels) or one each (see each pattern).
    icons : bool
        Draw the variation and assurance icons beside each panel.
    percent : bool
        Label the y axis ticks with a % sign.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table, summary, settings = result.table, result.summary(), result.settings
    by = settings.get("by") or []
    table = table.assign(series=series_labels(table, by))
    summary = summary.assign(series=series_labels(summary, by))
    facets = list(pd.unique(table["series"]))
    ncols = ncols or min(3, len(facets))
    nrows = math.ceil(len(facets) / ncols)
    icon_share = 0.22 if icons else 0.0
    fig = plt.figure(figsize=(panel_size[0] * (1 + icon_share) * ncols, panel_size[1] * nrows + 1.3),
                     layout="constrained")
    grid = fig.add_gridspec(nrows, ncols * (2 if icons else 1),
                            width_ratios=([1, icon_share] if icons else [1]) * ncols)
    first_ax = None
    for k, facet in enumerate(facets):
        row, col = divmod(k, ncols)
        ax = fig.add_subplot(grid[row, col * (2 if icons else 1)],
                             sharey=first_ax if sharey and first_ax is not None else None)
        first_ax = first_ax or ax
        _draw_panel(ax, table[table["series"] == facet], settings)
        ax.set_title(str(facet) if by else "", loc="left", fontsize=11)
        ax.set_ylabel(ylabel or settings.get("value") or settings.get("numerator") or "value")
        ax.set_xlabel(xlabel or settings.get("time") or "point")
        if percent:
            ax.yaxis.set_major_formatter(lambda v, _: f"{v:g}%")
        if icons:
            last = summary[summary["series"] == facet].iloc[-1]
            _draw_icons(fig.add_subplot(grid[row, col * 2 + 1]), last)
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold", x=0.01, ha="left")
    centre = "median" if settings.get("chart") in ("run", "g") else "mean"
    fig.legend(handles=_legend_handles(table, centre), loc="outside lower center",
               ncol=2 if ncols == 1 else 4, frameon=False,
               fontsize=9)
    return fig


def _draw_panel(ax, t, settings):
    x = t["time"].to_numpy()
    is_date = np.issubdtype(x.dtype, np.datetime64)
    ax.plot(x, t["value"], color=COLOURS["line"], linewidth=1.2, zorder=2)
    for _, phase in t.groupby("phase", sort=False):
        px = phase["time"].to_numpy()
        ax.plot(px, phase["cl"], color=COLOURS["ink"], linewidth=1.4, zorder=1)
        for limit in ("lcl", "ucl"):
            ax.plot(px, phase[limit], color=COLOURS["line"], linewidth=1.0, linestyle="--", zorder=1)
    if t["target"].notna().any():
        ax.plot(x, t["target"], color=COLOURS["target"], linewidth=1.4, linestyle=(0, (6, 2, 1, 2)),
                zorder=1)
    for kind, marker in MARKERS.items():
        these = t[t["point_type"] == kind]
        if len(these):
            ax.scatter(these["time"], these["value"], marker=marker, s=34, color=COLOURS[kind],
                       edgecolors=COLOURS["ink"], linewidths=0.7, zorder=3)
    if is_date:
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#E8EDEE", linewidth=0.8)


def _draw_icons(ax, last):
    """Variation (top) and assurance (bottom) icons: a coloured disc with a letter, and words below."""
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 2.3)
    ax.set_aspect("equal", adjustable="box", anchor="C")
    ax.axis("off")
    icon = last["variation_icon"]
    if pd.notna(icon):
        kind = icon.rsplit("_", 1)[0] if icon != "common_cause" else "common_cause"
        letter = "" if kind == "common_cause" else ("H" if icon.endswith("high") else "L")
        _disc(ax, 1.75, COLOURS[kind], letter or "~", VARIATION_WORDS[icon])
    assurance = last["assurance"]
    if pd.notna(assurance):
        colour = {"pass": COLOURS["improvement"], "fail": COLOURS["concern"],
                  "hit_and_miss": COLOURS["common_cause"]}[assurance]
        letter = {"pass": "P", "fail": "F", "hit_and_miss": "?"}[assurance]
        _disc(ax, 0.6, colour, letter, ASSURANCE_WORDS[assurance])


def _disc(ax, y, colour, letter, words):
    ax.add_patch(Circle((0.5, y), 0.34, facecolor=colour, edgecolor=COLOURS["ink"], linewidth=1.2))
    ink = "white" if colour == COLOURS["neutral"] else COLOURS["ink"]
    ax.text(0.5, y, letter, ha="center", va="center", fontsize=15, fontweight="bold", color=ink)
    ax.text(0.5, y - 0.42, words, ha="center", va="top", fontsize=8, color=COLOURS["ink"], wrap=True)


def _legend_handles(table, centre):
    handles = [Line2D([], [], color=COLOURS["ink"], linewidth=1.4, label=f"Centre line ({centre})"),
               Line2D([], [], color=COLOURS["line"], linewidth=1.0, linestyle="--", label="Process limits")]
    if table["lcl"].isna().all():
        handles.pop()
    if table["target"].notna().any():
        handles.append(Line2D([], [], color=COLOURS["target"], linewidth=1.4,
                              linestyle=(0, (6, 2, 1, 2)), label="Target"))
    for kind in MARKERS:
        if (table["point_type"] == kind).any():
            handles.append(Line2D([], [], marker=MARKERS[kind], linestyle="none", markersize=7,
                                  markerfacecolor=COLOURS[kind], markeredgecolor=COLOURS["ink"],
                                  label=POINT_LABELS[kind]))
    return handles
