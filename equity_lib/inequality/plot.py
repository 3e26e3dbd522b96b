"""Charts of inequality results (drawing only: they take the tidy outputs, nothing is computed here).

Colours are the NHS identity palette (conventions.md). Meaning is never carried by colour alone: points,
lines and limits differ by marker shape and line style, and each is named in the legend in words; axes
say which end is most deprived.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from equity_lib._figures import hand_back, new_or_given
from equity_lib._validation import level_suffix
from equity_lib.colours import NHS
from equity_lib.inequality._common import format_number

# What a positive / negative gap means, by measure (SII: least minus most deprived end).
GAP_MEANING = {
    "sii": ("the most deprived have higher values", "the most deprived have lower values"),
    "d": ("the most disadvantaged are better off", "the most disadvantaged are worse off"),
}
RATIO_MEASURES = ("rii", "r")


def _select(table: pd.DataFrame, where: dict | None, what: str) -> pd.DataFrame:
    if where:
        missing = [k for k in where if k not in table.columns]
        if missing:
            raise KeyError(f"where= names column(s) {missing} that {what} does not have. "
                           f"Available: {list(table.columns)}.")
        keep = np.ones(len(table), dtype=bool)
        for column, value in where.items():
            keep &= (table[column] == value).to_numpy()
        table = table[keep]
        if table.empty:
            raise ValueError(f"No rows of {what} match where={where!r}. Fix: check the area's name.")
    return table


def plot_sii(points: pd.DataFrame, result: pd.DataFrame | None = None, *, where: dict | None = None,
             title: str | None = None, value_label: str = "Value", quantile_name: str = "decile",
             level: float = 0.95, ax=None):
    """Values by relative rank with the fitted slope index line, for one area.

    Parameters
    ----------
    points : DataFrame
        Output of :func:`sii_points` (quantile points and fitted line).
    result : DataFrame, optional
        Output of :func:`sii` for the same data: its SII and limits are written on the chart.
    where : dict, optional
        Which area to draw when there are several, e.g. ``{"area": "Area1"}``.
    title : str, optional
        The figure's title: state the finding ("Life expectancy is 7 years lower in the most deprived
        areas").
    value_label : str
        The y axis label, with units ("Life expectancy (years)").
    quantile_name : str
        What the quantiles are, for the labels ("decile", "quintile").
    level : float
        Which confidence level's limits to quote from ``result``.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    required = {"layer", "relative_rank", "fitted", "value", "group", "population_share"}
    if not isinstance(points, pd.DataFrame) or not required <= set(points.columns):
        raise TypeError("points must be the DataFrame returned by sii_points(). Fix: points = "
                        "sii_points(data, group='decile', denominator='population', value='value', by=...).")
    points = _select(points, where, "points")
    key_columns = [c for c in points.columns if c not in required | {"denominator"}]
    if key_columns and len(points[key_columns].drop_duplicates()) > 1:  # no key columns: one area (no by=)
        raise ValueError(f"points holds several areas ({key_columns}); pick one with where={{...}}.")
    dots = points[points["layer"] == "quantile"]
    line = points[points["layer"] == "fitted"]
    fig, ax, own_figure = new_or_given(ax, figsize=(7.5, 4.6), layout="constrained")
    sizes = 60 + 1400 * dots["population_share"].to_numpy()
    ax.scatter(dots["relative_rank"], dots["value"], s=sizes, marker="o", color=NHS["blue"],
               edgecolors=NHS["dark_blue"], linewidths=1.0, alpha=0.85, zorder=3)
    ax.plot(line["relative_rank"], line["fitted"], color=NHS["dark_blue"], linestyle="--", linewidth=2,
            zorder=2)
    last = len(dots) - 1
    # The two end labels run along the axis (left-aligned at the first point, right-aligned at the last), so
    # they go on the side of their point away from the fitted line: above the first point and below the last
    # when the line falls, the other way round when it rises. Other labels sit above their point. Offsets
    # clear the marker's radius (sqrt(size) / 2 points).
    fitted = dots["fitted"].to_numpy(dtype="float64")
    falling = len(fitted) > 1 and fitted[-1] < fitted[0]
    radius = np.sqrt(sizes) / 2
    for k, (_, row) in enumerate(dots.iterrows()):
        q = float(row["group"])
        q = str(int(q)) if q.is_integer() else format_number(q)
        text = q + (" - most deprived" if k == 0 else " - least deprived" if k == last else "")
        below = (k == last and falling) or (k == 0 and last > 0 and not falling)
        offset = -(radius[k] + 2) if below else radius[k] + 2
        ax.annotate(text, (row["relative_rank"], row["value"]), xytext=(0, offset),
                    textcoords="offset points",
                    ha="left" if k == 0 else "right" if k == last else "center",
                    va="top" if below else "bottom", fontsize=8, color=NHS["ink"])
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("Relative rank: cumulative share of the population, from 0 = most deprived to "
                  "1 = least deprived")
    ax.set_ylabel(value_label)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=NHS["pale_grey"], linewidth=0.8)
    handles = [
        Line2D([], [], marker="o", linestyle="none", markersize=8, color=NHS["blue"],
               markeredgecolor=NHS["dark_blue"], label=f"Each {quantile_name} (1 - most deprived); area = "
               "population"),
        Line2D([], [], color=NHS["dark_blue"], linestyle="--", linewidth=2, label="Fitted slope index line"),
    ]
    if result is not None:
        row = _select(result, where, "result")
        if len(row) != 1:
            raise ValueError("result has several areas; pick one with where={...}.")
        row = row.iloc[0]
        text = f"SII = {format_number(row['sii'])}"
        lower, upper = f"sii_lower_{level_suffix(level)}", f"sii_upper_{level_suffix(level)}"
        if lower in row and np.isfinite(row[lower]):
            text += (f" ({round(level * 100, 8):g}% limits {format_number(row[lower])} to "
                     f"{format_number(row[upper])})")
        handles.append(Line2D([], [], linestyle="none", label=text))
    ax.legend(handles=handles, loc="best", frameon=False, fontsize=8.5)
    if title:
        ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    return hand_back(fig, own_figure)


def plot_gap(table: pd.DataFrame, *, gap: str = "sii", label: str | list[str] | None = None,
             title: str | None = None, value_label: str | None = None, levels=(0.95, 0.998),
             negative_means: str | None = None, positive_means: str | None = None, ax=None):
    """Most-versus-least deprived gap for each area, with its limits (a forest-style chart).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`sii` (columns ``sii``, ``sii_lower_95``, ...; also ``rii``), or of
        :func:`summary_measures` (the rows whose ``measure`` is ``gap``, e.g. "D" or "SII").
    gap : str
        The measure to draw: "sii" or "rii" for :func:`sii` output; a ``measure`` name for
        :func:`summary_measures` output.
    label : str or list of str, optional
        Column(s) naming each row (default: the grouping columns).
    title : str, optional
        The figure's title: state the finding.
    value_label : str, optional
        The x axis label, with units.
    levels : tuple of float
        Confidence levels whose limits to draw, widest drawn thinnest (those present in ``table``).
    negative_means, positive_means : str, optional
        What a gap below / above "no gap" means, printed under the axis (defaults for SII and D; for
        :func:`sii` output with a negative ``multiplier``, which turns the SII's sign, the SII's defaults
        swap).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError("table must be the DataFrame returned by sii() or summary_measures().")
    if "measure" in table.columns:
        rows = table[table["measure"] == gap]
        if rows.empty:
            raise ValueError(f"table has no measure {gap!r}. Available: {sorted(table['measure'].unique())}.")
        value_column, prefix = "value", ""
    else:
        if gap not in table.columns:
            raise ValueError(f"table has no column {gap!r}. Fix: gap='sii' or 'rii' for sii() output.")
        rows, value_column, prefix = table, gap, f"{gap}_"
    metric = {"measure", "label", "value", "se", "scale", "kind", "weighted", "ordered_only", "ci_method",
              "interpretation", "formula", "quantiles", "denominator", "value_type", "transform",
              "multiplier", "worse_direction", "reason", "intercept"}
    if label is None:
        label = [c for c in rows.columns if c not in metric and not c.startswith(("sii", "rii", "lower_",
                                                                                   "upper_"))]
    label = [label] if isinstance(label, str) else list(label)
    unknown = [c for c in label if c not in rows.columns]
    if unknown:
        raise KeyError(f"label names column(s) {unknown} that the table does not have. Fix: pass one of "
                       f"{list(rows.columns)}, or leave label out to use the grouping columns.")
    names = rows[label].astype(str).agg(", ".join, axis=1).to_numpy() if label else \
        np.array([f"row {i + 1}" for i in range(len(rows))])
    values = rows[value_column].to_numpy(dtype="float64")
    ratio = gap.lower() in RATIO_MEASURES
    null = 1.0 if ratio else 0.0
    present = [lv for lv in sorted(levels) if f"{prefix}lower_{level_suffix(lv)}" in rows.columns]

    fig, ax, own_figure = new_or_given(ax, figsize=(8.5, 1.9 + 0.45 * len(rows)), layout="constrained")
    ypos = np.arange(len(rows))[::-1]
    widths = {lv: w for lv, w in zip(present, (5, 2, 1), strict=False)}
    excludes = np.zeros(len(rows), dtype=bool)
    for lv in present:
        lo = rows[f"{prefix}lower_{level_suffix(lv)}"].to_numpy(dtype="float64")
        hi = rows[f"{prefix}upper_{level_suffix(lv)}"].to_numpy(dtype="float64")
        ax.hlines(ypos, lo, hi, color=NHS["dark_grey"] if lv != present[0] else NHS["light_blue"],
                  linewidth=widths[lv], zorder=2)
        if lv == present[0]:
            excludes = (lo > null) | (hi < null)
    for mask, marker, face in ((excludes, "D", NHS["dark_blue"]), (~excludes, "o", "white")):
        ax.scatter(values[mask], ypos[mask], marker=marker, s=55, facecolors=face,
                   edgecolors=NHS["dark_blue"], linewidths=1.4, zorder=3)
    ax.axvline(null, color=NHS["ink"], linewidth=1, linestyle=":", zorder=1)
    ax.set_yticks(ypos, names)
    if ratio:
        ax.set_xscale("log")
    xlabel = value_label or f"{gap.upper()}: gap between the least and the most deprived ends"
    negative, positive = GAP_MEANING.get(gap.lower(), (None, None))
    if gap.lower() == "sii" and "multiplier" in rows.columns:
        # sii() with a negative multiplier turns the SII's sign (PHE's polarity switch): a positive SII then
        # means the most deprived have the higher values, so the default words swap; mixed signs: no words.
        signs = set(np.sign(rows["multiplier"].to_numpy(dtype="float64")))
        if signs == {-1.0}:
            negative, positive = positive, negative
        elif len(signs) > 1:
            negative = positive = None
    negative, positive = negative_means or negative, positive_means or positive
    if negative or positive:
        xlabel += f"\nleft of {format_number(null)}: {negative or '-'};  right: {positive or '-'}"
    ax.set_xlabel(xlabel)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Line2D([], [], color=NHS["ink"], linestyle=":", label=f"No gap ({format_number(null)})")]
    for lv in present:
        handles.append(Line2D([], [], color=NHS["dark_grey"] if lv != present[0] else NHS["light_blue"],
                              linewidth=widths[lv], label=f"{round(lv * 100, 8):g}% limits"))
    if present:
        handles += [
            Line2D([], [], marker="D", linestyle="none", markerfacecolor=NHS["dark_blue"],
                   markeredgecolor=NHS["dark_blue"], label=f"Gap; {round(present[0] * 100, 8):g}% limits "
                   "exclude no gap"),
            Line2D([], [], marker="o", linestyle="none", markerfacecolor="white",
                   markeredgecolor=NHS["dark_blue"], label="Gap; could be chance"),
        ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8.5)
    if title:
        ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    return hand_back(fig, own_figure)
