"""The equity report drawn as a matplotlib figure, legible printed on A4 landscape (drawing only).

Each cell shows the latest value, then each icon as a letter on a disc of its Making Data Count colour
beside the icon's words (the same icons as the compact view), so no meaning rests on colour alone.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd

from equity_lib._figures import hand_back
from equity_lib.process_control.compact import IMPROVEMENT_WORDS
from equity_lib.process_control.plot import (
    COLOURS,
    assurance_icon,
    letter_ink,
    page_slice,
    series_title,
    variation_icon,
    words,
)
from equity_lib.report import _label

A4_LANDSCAPE = (11.69, 8.27)  # inches
ROWS_PER_PAGE = 15  # report rows on one A4 landscape page (three measures x five trusts)
FONT = 8.0  # points: every text in the figure is at least 7.5
SMALL = 7.5
CELL_WIDTH = 1.25  # inches per column value
ROW_HEIGHT = 0.44  # inches: value, variation, assurance


def plot_report(report, *, page: int | None = None, per_page: int = ROWS_PER_PAGE, path=None,
                title: str | None = None, dpi: int = 150):
    """Draw an :class:`~equity_lib.report.EquityReport` as a table figure.

    Parameters
    ----------
    report : equity_lib.report.EquityReport
    page, per_page : int, optional
        More rows than ``per_page`` (15, an A4 landscape page with five or six column values) need a
        ``page`` (1, 2, ...); the page goes in the title.
    path : str or path-like, optional
        Also save the figure there (format from the extension).
    title : str, optional
        The figure's title (default the report's caption).
    dpi : int
        Resolution when saving.

    Returns
    -------
    matplotlib.figure.Figure
        Closed in pyplot (shown once in Jupyter). About 11.7 x 8.3 inches or less for up to 15 rows of
        up to six column values: A4 landscape at full size.
    """
    import matplotlib.pyplot as plt

    rows = report.wide()
    part, pages = page_slice(len(rows), page, per_page, what="rows",
                             fix=f"pass page=1 (up to {math.ceil(len(rows) / per_page)}) or a bigger "
                                 "per_page=.")
    rows = rows.iloc[part]
    col_keys = report.column_keys()
    cells = report._cells()
    facts = report._row_facts(rows)
    times = report._times()
    table = report.table
    has_owner = table["owner"].notna().any()
    labels = [("measure", "Measure", 1.7)] + ([("owner", "Owner", 0.95)] if has_owner else []) + \
             [(c, words(c), 0.6) for c in report.rows_by]
    facts_columns = [("improvement", "Better", 0.55), ("target", "Target", 0.55)]
    spans = [w for *_, w in labels] + [w for *_, w in facts_columns] + [CELL_WIDTH] * len(col_keys) + [0.7]
    total = sum(spans)
    header_rows = len(report.columns)
    top, bottom = 0.55, 0.45  # inches: title above, key below
    height = ROW_HEIGHT * (len(rows) + 0.5 * header_rows + 0.3) + top + bottom
    width = total + 0.2
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0.1 / width, bottom / height, total / width, 1 - (top + bottom) / height))
    ax.set_xlim(0, total)
    # y in row units: header rows above 0, report rows 1..n (each a ROW_HEIGHT)
    head = 0.5 * header_rows
    ax.set_ylim(len(rows) + 0.5, 0.5 - head - 0.1)
    ax.axis("off")
    left = np.r_[0, np.cumsum(spans)[:-1]]
    ink = COLOURS["ink"]
    # headers
    headers = [text for _, text, _ in labels] + [text for _, text, _ in facts_columns] + \
              [report._header(k, leaf=True) for k in col_keys] + ["Needs attention"]
    y_leaf = 0.5 - 0.25
    for text, x0, span in zip(headers, left, spans, strict=True):
        ax.text(x0 + 0.04, y_leaf, _wrap(text, span), ha="left", va="center", fontsize=FONT,
                fontweight="bold", color=ink)
    n_before = len(labels) + len(facts_columns)
    for level in range(header_rows - 1):
        y = 0.5 - head + 0.25 + 0.5 * level
        prefixes = [k[: level + 1] for k in col_keys]
        start = 0
        while start < len(prefixes):
            end = start
            while end < len(prefixes) and prefixes[end] == prefixes[start]:
                end += 1
            x0, x1 = left[n_before + start], left[n_before + end - 1] + spans[n_before + end - 1]
            ax.text((x0 + x1) / 2, y, series_title(prefixes[start][-1], [report.columns[level]]), ha="center",
                    va="center", fontsize=FONT, fontweight="bold", color=ink)
            ax.plot([x0 + 0.05, x1 - 0.05], [y + 0.2, y + 0.2], color=ink, linewidth=0.6)
            start = end
    ax.axhline(0.5, color=ink, linewidth=0.9)
    discs = []
    for i, (_, row) in enumerate(rows.iterrows()):
        y = i + 1
        if i % 2:
            ax.axhspan(y - 0.5, y + 0.5, color="#F0F4F5", zorder=0, linewidth=0)
        key = tuple(None if (not isinstance(row[k], str) and pd.isna(row[k])) else row[k]
                    for k in ["measure", *report.rows_by])
        fact = facts[key]
        measure = row["measure"]
        texts = []
        for column, _, span in labels:
            value = row[column]
            text = _label(value, "Not named" if column == "owner" else "All")
            texts.append((_wrap(text, span), column == "measure"))
        better = IMPROVEMENT_WORDS.get(fact["improvement"], "Varies") if fact["improvement"] else "Varies"
        target = "Varies" if fact["target"] is None else (
            "None" if pd.isna(fact["target"]) else report._number(measure, fact["target"]))
        texts += [(better, False), (target, False)]
        for (text, bold), x0 in zip(texts, left, strict=False):
            ax.text(x0 + 0.04, y, text, ha="left", va="center", fontsize=FONT, color=ink,
                    fontweight="bold" if bold else "normal")
        for j, col in enumerate(col_keys):
            x0 = left[n_before + j]
            index = cells.get((key, col))
            cell = table.loc[index] if index is not None else None
            if cell is None or pd.isna(cell["value"]):
                ax.text(x0 + 0.04, y, "No data", ha="left", va="center", fontsize=FONT, color=ink)
                continue
            value = report._number(measure, cell["value"])
            if fact["_time"] is None:
                value += f" ({times[index]})"
            if fact["target"] is None and pd.notna(cell["target"]):
                value += f", target {report._number(measure, cell['target'])}"
            ax.text(x0 + 0.04, y - 0.27, value, ha="left", va="center", fontsize=FONT, fontweight="bold",
                    color=ink)
            for dy, icon, text in ((0.02, variation_icon(cell["variation_icon"]), cell["variation_text"]),
                                   (0.29, assurance_icon(cell["assurance"]), _assurance(cell))):
                text = text if isinstance(text, str) else "No icon"
                if icon is not None:
                    discs.append((x0 + 0.11, y + dy, icon[0], icon[1]))
                ax.text(x0 + 0.24, y + dy, text, ha="left", va="center", fontsize=SMALL, color=ink)
        ax.text(left[-1] + 0.04, y, f"{int(row['attention'])} of {len(col_keys)}", ha="left", va="center",
                fontsize=FONT, color=ink)
    if discs:
        xs, ys, colours, letters = zip(*discs, strict=True)
        ax.scatter(xs, ys, s=80, c=list(colours), edgecolors=ink, linewidths=0.8, zorder=2)
        for x, y, colour, letter in discs:
            ax.text(x, y, letter, ha="center", va="center", fontsize=SMALL, fontweight="bold",
                    color=letter_ink(colour), zorder=3)
    heading = title or report._caption()
    if pages > 1:
        heading += f" (page {page} of {pages}: rows {part.start + 1} to {part.start + len(rows)})"
    fig.text(0.1 / width, 1 - 0.08 / height, textwrap.fill(heading, int(width * 11)), ha="left", va="top",
             fontsize=9.5, fontweight="bold", color=ink)
    key = ("Icons: ~ common cause; H / L special cause, high / low (concern, improving or neither, in "
           "words); P will meet target; F will miss target; ? hit and miss. Needs attention: cells with "
           "special cause concern or a target that will be missed.")
    fig.text(0.1 / width, 0.08 / height, textwrap.fill(key, int(width * 13)), ha="left", va="bottom",
             fontsize=SMALL, color=ink)
    if path is not None:
        fig.savefig(path, dpi=dpi)
    return hand_back(fig)


def _assurance(cell) -> str:
    if isinstance(cell["assurance_text"], str):
        return cell["assurance_text"]
    return "No target" if pd.isna(cell["target"]) else "Not judged"


def _wrap(text: str, span: float) -> str:
    """Wrap ``text`` to fit ``span`` inches at 8 points (about 15 characters an inch)."""
    return textwrap.fill(text, max(6, int(span * 15)), max_lines=3, placeholder="...")
