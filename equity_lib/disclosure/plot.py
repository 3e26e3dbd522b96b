"""Drawing for :mod:`equity_lib.disclosure`: what an intruder can learn about each hidden cell (drawing
only; every number comes from the audit of :func:`~equity_lib.disclosure.suppress` or
:func:`~equity_lib.disclosure.check_safe`)."""

from __future__ import annotations

import numpy as np

from equity_lib._figures import hand_back


def plot_ranges(results, *, title: str | None = None, xlabel: str = "Count the hidden cell could hold",
                ylabel: str = "Hidden cell (row, column)", figsize=None):
    """Draw what an intruder can learn about each hidden cell: the range of counts it could hold.

    One line per hidden cell of the ``audit`` (see the module notes for the attack), from the lowest to
    the highest count the published numbers allow, labelled in words ("0 to 18"). A cell the intruder
    pins to one count is a cross labelled "exactly 3"; one pinned to fewer than ``min_values`` counts,
    or to one count if it hides a small count, is a dashed line labelled likewise. Meaning is carried
    by marker, line style and label, not by colour alone. The counts the rule hides (1 to
    ``threshold``) are shaded.

    Parameters
    ----------
    results : object
        One table (a :class:`~equity_lib.disclosure.SuppressionResult` or
        :class:`~equity_lib.disclosure.SafetyCheck`), or ``{panel title: result}`` for several tables one
        above the other on a shared axis (e.g. ``{"Primary suppression only": check_safe(naive),
        "suppress()": result}``). Tables protected together (a
        :class:`~equity_lib.disclosure.LinkedSuppressionResult`) get a panel each; a check of several
        tables labels each cell with its table.
    title : str, optional
        The figure's title; by default it states the finding ("1 of 5 hidden cells can be worked out").
        With several panels each panel's title also states its own finding.
    xlabel : str
        The x-axis label, with its unit (e.g. "Patients the hidden cell could hold").
    ylabel : str
        The y-axis label of each panel.
    figsize : tuple, optional
        Width and height in inches (default: 8 wide, taller with more hidden cells).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from equity_lib.colours import NHS
    from equity_lib.disclosure import (  # the package imports this module
        LinkedSuppressionResult,
        SafetyCheck,
        SuppressionResult,
    )

    if isinstance(results, LinkedSuppressionResult):
        results = dict(results.tables)
    panels = dict(results) if isinstance(results, dict) else {None: results}
    if not panels:
        raise ValueError("No results to draw. Fix: pass the result of suppress() or check_safe(), or a dict "
                         "of them.")

    for name, result in panels.items():
        if not isinstance(result, (SuppressionResult, SafetyCheck)):
            where = "" if name is None else f" for {name!r}"
            raise TypeError(f"plot_ranges draws the result of suppress() or check_safe(), not "
                            f"{type(result).__name__}{where}. Fix: pass suppress(data) or "
                            "check_safe(data).")
    audits = {name: r.audit for name, r in panels.items()}
    settings = {name: r.settings for name, r in panels.items()}
    sizes = [max(len(a), 1) for a in audits.values()]
    finite = [h for a in audits.values() for h in a["highest"] if np.isfinite(h)]
    thresholds = [s.get("threshold", 7) for s in settings.values()]
    right = max([*finite, *thresholds, 1])
    xmax = right * 1.35 + 5
    if figsize is None:
        figsize = (8, 1.2 + 0.9 * len(panels) + 0.32 * sum(sizes))
    fig, axes = plt.subplots(len(panels), 1, figsize=figsize, sharex=True, layout="constrained",
                             squeeze=False, gridspec_kw={"height_ratios": sizes})
    worked_out_total = hidden_total = 0
    for ax, (name, audit) in zip(axes[:, 0], audits.items(), strict=True):
        rules = settings[name]
        threshold = rules.get("threshold", 7)
        min_values = rules.get("min_values", 2)
        small_lo = 0 if rules.get("suppress_zeros", False) else 1
        if threshold >= small_lo:
            ax.axvspan(small_lo - 0.5, threshold + 0.5, color=NHS["warm_yellow"], alpha=0.25, lw=0, zorder=0)
        tables = audit["table"] if "table" in audit else [None] * len(audit)
        labels = [_cell_label(table, row, column) for table, row, column in
                  zip(tables, audit["row"], audit["column"], strict=True)]
        worked_out = 0
        for y, cell in enumerate(audit.itertuples(index=False)):
            lo, hi = float(cell.lowest), float(cell.highest)
            pinned = cell.possible_values < min_values
            exposed = not cell.protected
            worked_out += int(exposed)
            end = min(hi, xmax)
            if lo == hi:
                ax.plot([lo], [y], ls="", marker="X", ms=11, color=NHS["pink"], mec=NHS["ink"], zorder=3)
                text = f"exactly {int(lo)}: worked out"
            else:
                ax.plot([lo, end], [y, y], color=NHS["pink"] if exposed else NHS["blue"],
                        ls="--" if exposed else "-", lw=3, solid_capstyle="butt", zorder=2)
                ax.plot([lo], [y], ls="", marker="|", ms=12, mew=2, color=NHS["ink"], zorder=3)
                open_end = np.isinf(hi)
                ax.plot([end], [y], ls="", marker=">" if open_end else "|", ms=7 if open_end else 12, mew=2,
                        color=NHS["ink"], zorder=3)
                text = f"{int(lo)} to {_end_words(hi)}"
                if pinned:
                    text += ": worked out"
                elif exposed:
                    text += f"; exactly {int(cell.lowest_if_small)} if it is small"
            ax.annotate(text, (end, y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9,
                        color=NHS["ink"])
        if audit.empty:
            ax.text(0.5, 0.5, "No cell is hidden", transform=ax.transAxes, ha="center", va="center",
                    color=NHS["ink"])
        ax.set_yticks(range(len(labels)), labels)
        ax.set_ylabel(ylabel)
        ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
        ax.set_xlim(-0.5, xmax)
        ax.grid(True, axis="x", color=NHS["pale_grey"], lw=0.8, zorder=0)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        finding = _ranges_finding(worked_out, len(audit))
        if name is not None:
            ax.set_title(f"{name}: {finding}", loc="left", fontsize=10)
        worked_out_total += worked_out
        hidden_total += len(audit)
    axes[-1, 0].set_xlabel(xlabel)
    handles = [
        Line2D([], [], color=NHS["blue"], lw=3, label="Range the intruder is left with"),
        Line2D([], [], ls="", marker="X", ms=10, color=NHS["pink"], mec=NHS["ink"],
               label="Worked out exactly"),
        Patch(color=NHS["warm_yellow"], alpha=0.25,
              label=f"Counts the rule hides ({small_lo} to {threshold})"),
    ]
    if any((~a["protected"] & (a["lowest"] < a["highest"])).any() for a in audits.values()):
        handles.insert(2, Line2D([], [], color=NHS["pink"], ls="--", lw=3, label="Narrowed too far"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
    fig.suptitle(title if title is not None else _ranges_finding(worked_out_total, hidden_total).capitalize(),
                 x=0.01, ha="left", fontsize=11)
    return hand_back(fig)


def _ranges_finding(worked_out, hidden):
    if hidden == 0:
        return "nothing hidden"
    if hidden == 1:
        return f"the hidden cell {'can' if worked_out else 'cannot'} be worked out"
    if worked_out == 0:
        return f"none of the {hidden} hidden cells can be worked out"
    if worked_out == hidden:
        return f"all {hidden} hidden cells can be worked out"
    return f"{worked_out} of {hidden} hidden cells can be worked out"


# --- internals -------------------------------------------------------------------------------------------


def _cell_label(table, row, column):
    """'Trust A, White'; a row of several levels as 'Trust A / F' (a total level left out); with the table
    first when several tables were checked together."""
    if isinstance(row, tuple):
        row = " / ".join(str(v) for v in row if str(v) != "")
    return f"{row}, {column}" if table is None else f"{table}: {row}, {column}"


def _end_words(x):
    return "no upper limit" if np.isinf(x) else str(int(x))
