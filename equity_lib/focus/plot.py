"""The Pareto chart of :func:`equity_lib.focus.pareto` (drawing only).

Accessible by design (conventions.md, "Charts"): horizontal bars so long cell labels read without
rotating; each bar carries its value and cumulative share as text, so nothing depends on colour; the
cells up to the cut-off (the "vital few") are dark blue and hatched, the rest light blue; the title
states the finding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib._figures import hand_back, new_or_given
from equity_lib.colours import NHS


def plot_pareto(table: pd.DataFrame, *, top: int | None = 10, cutoff: float = 0.8, title: str | None = None,
                value_label: str = "Excess cases", ax=None):
    """Bars of the largest cells, with each one's cumulative share of the total.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`equity_lib.focus.pareto`.
    top : int or None
        How many cells to draw, at least 1 (default 10; None: all with a value above 0).
    cutoff : float
        Cumulative share that marks the vital few (default 0.8, Juran's 80%).
    title : str, optional
        The figure's title; the default states how many cells hold the cut-off share.
    value_label : str
        The x axis label, with units.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    required = {"label", "value", "share", "cumulative_share"}
    if not isinstance(table, pd.DataFrame) or not required <= set(table.columns):
        raise TypeError("table must be the DataFrame returned by equity_lib.focus.pareto().")
    if isinstance(cutoff, (bool, np.bool_)) or not isinstance(cutoff, (int, float, np.integer, np.floating)) \
            or not 0 < cutoff <= 1:
        raise ValueError(f"cutoff must be a share above 0 and at most 1, not {cutoff!r}. Fix: e.g. 0.8 for "
                         "Juran's 80%.")
    if top is not None and (isinstance(top, (bool, np.bool_)) or not isinstance(top, (int, np.integer))
                            or top < 1):
        raise ValueError(f"top must be a whole number of cells of at least 1, or None for all, not {top!r} "
                         "(0 would draw nothing and a negative top drops cells from the end). Fix: e.g. "
                         "top=10.")
    rows = table[table["value"] > 0]
    if rows.empty:
        raise ValueError("table has no cell with a value above 0, so there is no bar to draw. Fix: pass the "
                         "whole table that pareto() returned, not a filtered part of it.")
    if top is not None:
        rows = rows.head(int(top))
    vital = int(np.searchsorted(table["cumulative_share"].to_numpy(), cutoff - 1e-12) + 1)
    fig, ax, own_figure = new_or_given(ax, figsize=(8, 0.45 * len(rows) + 1.6))
    y = np.arange(len(rows))[::-1]
    is_vital = np.arange(len(rows)) < vital
    bars = ax.barh(y, rows["value"], color=np.where(is_vital, NHS["dark_blue"], NHS["light_blue"]),
                   edgecolor=NHS["ink"], linewidth=0.6)
    for bar, flag in zip(bars, is_vital, strict=True):
        if flag:  # a hatch as well as a colour marks the vital few
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    ax.set_yticks(y, rows["label"])
    top_value = rows["value"].max()
    for bar_y, value, cumulative in zip(y, rows["value"], rows["cumulative_share"], strict=True):
        so_far = _cumulative_text(cumulative, cutoff)
        ax.text(value + 0.01 * top_value, bar_y, f"{value:,.0f}  ({so_far} so far)",
                va="center", fontsize=9, color=NHS["ink"])
    ax.set_xlim(0, top_value * 1.35)
    ax.set_xlabel(value_label)
    ax.grid(axis="x", color=NHS["pale_grey"])
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title is None:
        total = table.loc[table["value"] > 0, "value"].sum()
        title = (f"{vital} of {int((table['value'] > 0).sum())} cells hold {100 * cutoff:.0f}% of the "
                 f"{total:,.0f} {value_label.lower()}")
    ax.set_title(title, loc="left", fontsize=12)
    fig.text(0.01, 0.005, f"Hatched dark bars: the cells that make up the first {100 * cutoff:.0f}% "
             "(the vital few).", fontsize=8.5, color=NHS["dark_grey"])
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return hand_back(fig, own_figure)


def _cumulative_text(cumulative: float, cutoff: float) -> str:
    """The running share as a whole percentage, or to one decimal where rounding would cross the cut-off.

    79.7% is short of an 80% cut-off, so the next bar is still one of the vital few: printed as "80%" the
    labels would contradict the hatching.
    """
    whole = round(100 * cumulative)
    if (cumulative < cutoff - 1e-12) != (whole < 100 * cutoff - 1e-9):
        return f"{100 * cumulative:.1f}%"
    return f"{whole:.0f}%"
