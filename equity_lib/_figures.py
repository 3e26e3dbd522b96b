"""Figures handed back to the caller: shown once in Jupyter, never left open in pyplot."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg


def new_or_given(ax, **subplots_kw):
    """The figure and axes to draw on: the caller's ``ax`` and its figure, or a new figure's.

    Returns ``(fig, ax, own)``; ``own`` is True when the figure was made here.
    """
    if ax is None:
        fig, ax = plt.subplots(**subplots_kw)
        return fig, ax, True
    return ax.figure, ax, False


def hand_back(fig, own: bool = True):
    """Return ``fig``, closed in pyplot when this library made it.

    A figure left open in pyplot is drawn by Jupyter at the end of the cell *and* again as the cell's
    value when a plot function's result is its last line. Closing it in pyplot means Jupyter shows it
    exactly once, as the value. Closing leaves the figure a bare canvas, so it gets an Agg (image)
    canvas back: ``fig.savefig(...)``, ``fig.canvas.draw()`` and ``get_renderer()`` keep working. A
    figure the caller made (they passed ``ax=``) is theirs to show.
    """
    if own:
        plt.close(fig)
        FigureCanvasAgg(fig)
    return fig
