"""Drawing for :mod:`equity_lib.quality`: the gap under each way of filling in missing groups (drawing
only; every number is in the :class:`~equity_lib.quality.GapSensitivity` table)."""

from __future__ import annotations

import textwrap

import numpy as np

from equity_lib._figures import hand_back, new_or_given
from equity_lib.colours import NHS


def plot_gap_sensitivity(result, *, title: str | None = None, xlabel: str | None = None,
                         show_bounds: bool = True, ax=None):
    """Draw the gap under each scenario, and the no-assumption bounds, on one axis.

    One row per scenario, top to bottom in the order of ``table``: its gap (focus minus
    reference, percentage points) as a marker of its own shape, labelled with its value; the
    last row is the range from ``lower_bound`` to ``upper_bound`` (drawn with ``show_bounds``).
    A dotted line marks no gap. Nothing is computed here: every number is in ``table``.

    Parameters
    ----------
    result : equity_lib.quality.GapSensitivity
        The output of :func:`equity_lib.quality.gap_sensitivity`.
    title : str, optional
        The figure's title: state the finding ("Asian patients wait longer under every
        reallocation; only the no-assumption bounds allow a reversal").
    xlabel : str, optional
        The x axis label; default "Gap: <focus> minus <reference> (percentage points)".
    show_bounds : bool
        Draw the no-assumption bounds (they can be far wider than the scenarios).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """

    if not isinstance(show_bounds, (bool, np.bool_)):
        raise TypeError(f"show_bounds must be True or False, not {show_bounds!r}.")
    focus, reference = result.settings.get("names") or ("focus", "reference")
    t = result.table.set_index("scenario")
    words = {
        "complete_case": ("Complete cases (missing left out)", "o", NHS["blue"]),
        "like_observed": ("Missing like the observed", "D", NHS["dark_blue"]),
        "all_missing_in_focus": (f"All missing counted as {focus}", ">", NHS["pink"]),
        "all_missing_in_reference": (f"All missing counted as {reference}", "<", NHS["aqua_green"]),
    }
    rows = [s for s in words if s in t.index]
    n_rows = len(rows) + (1 if show_bounds else 0)
    fig, ax, own_figure = new_or_given(ax, figsize=(8.5, 1.6 + 0.5 * n_rows), layout="constrained")
    ypos = np.arange(n_rows)[::-1]
    values = [float(t.loc[s, "gap_pp"]) for s in rows]
    lo, hi = float(t.loc["lower_bound", "gap_pp"]), float(t.loc["upper_bound", "gap_pp"])
    shown = values + ([lo, hi] if show_bounds else [])
    span = max(max(shown) - min(shown), 1.0)
    for y, s, v in zip(ypos, rows, values, strict=False):
        label, marker, colour = words[s]
        ax.scatter([v], [y], marker=marker, s=80, color=colour, edgecolors=NHS["ink"], linewidths=0.8,
                   zorder=3)
        ax.annotate(f"{v:+.1f}", (v, y), xytext=(0, 9), textcoords="offset points", ha="center",
                    va="bottom", fontsize=9, color=NHS["ink"])
    labels = [words[s][0] for s in rows]
    if show_bounds:
        ax.hlines(ypos[-1], lo, hi, color=NHS["dark_grey"], linewidth=3, zorder=2)
        ax.scatter([lo, hi], [ypos[-1]] * 2, marker="|", s=220, color=NHS["dark_grey"], linewidths=2.5,
                   zorder=3)
        for v, ha, dx in ((lo, "left", 4), (hi, "right", -4)):
            ax.annotate(f"{v:+.1f}", (v, ypos[-1]), xytext=(dx, 7), textcoords="offset points",
                        ha=ha, va="bottom", fontsize=9, color=NHS["ink"])
        labels.append("Any allocation (no assumption)")
    ax.axvline(0, color=NHS["ink"], linewidth=1, linestyle=":", zorder=1)
    ax.set_yticks(ypos, labels)
    ax.set_ylim(-0.6, n_rows - 0.2)
    ax.set_xlim(min(min(shown), 0) - 0.06 * span, max(max(shown), 0) + 0.06 * span)
    ax.set_xlabel(xlabel or f"Gap: {focus} minus {reference} (percentage points)\n"
                            f"left of 0: {focus} lower;  right of 0: {focus} higher")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color=NHS["pale_grey"], linewidth=0.8, zorder=0)
    if title:  # wrapped to the width it has (12-pt bold: about 0.11 in a character), never cut off
        width = fig.get_figwidth() * (1 if own_figure else ax.get_position().width)
        title = textwrap.fill(title, width=max(20, int(width / 0.11)))
    if title and own_figure:  # across the whole figure
        fig.suptitle(title, fontsize=12, fontweight="bold", x=0.01, ha="left")
    elif title:
        ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    return hand_back(fig, own_figure)
