"""The compact view of an SPC result: one row per series, for any number of series.

:func:`compact_table` takes each series' last phase from ``summary()`` (nothing is recomputed) and its
latest point from ``table``; :class:`CompactView` shows such rows as an HTML table (icons with a
letter and words, never colour alone; headers that sort the rows) and as a matplotlib figure for print.
The rows are a plain DataFrame, so several results (measures) can be put together with
``pandas.concat`` and shown by one :class:`CompactView`.
"""

from __future__ import annotations

import html
import itertools
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from equity_lib._figures import hand_back
from equity_lib.process_control.plot import (
    COLOURS,
    PER_PAGE,
    assurance_icon,
    letter_ink,
    page_slice,
    series_keys,
    value_label,
    variation_icon,
    words,
)

# Sort order of the icons: what needs attention first.
VARIATION_ORDER = ("concern_high", "concern_low", "neutral_high", "neutral_low", "improvement_high",
                   "improvement_low", "common_cause")
ASSURANCE_ORDER = ("fail", "hit_and_miss", "pass")
COLUMNS = ("time", "value", "phase", "n_points", "cl", "lcl", "ucl", "target", "improvement", "variation",
           "variation_icon", "variation_text", "assurance", "assurance_text", "trial_limits")
IMPROVEMENT_WORDS = {"increase": "Higher", "decrease": "Lower", "neutral": "Neither"}
ROWS_PER_IMAGE = 3 * PER_PAGE  # rows of the printed table on one page


_NUMBERS = itertools.count(1)


def element_id(kind: str) -> str:
    """An id for one HTML table on a page: numbered in the order made, so a notebook run twice gives the
    same ids (nbval compares them) and two tables on one page never share one."""
    return f"el-{kind}-{next(_NUMBERS)}"


def compact_table(result) -> pd.DataFrame:
    """One row per series: its last phase from ``result.summary()`` and its latest point.

    Columns: the ``by`` column(s), ``time`` and ``value`` (the series' latest point with a value, in its
    last phase), ``phase``, ``n_points``, ``cl``, ``lcl``, ``ucl``, ``target``, ``improvement``,
    ``variation``, ``variation_icon``, ``assurance`` and ``trial_limits`` as in ``summary()``, and
    ``variation_text`` and ``assurance_text``: the icons in words ("Concern (high)", "Will miss
    target"). Rows in the order of the series in the data.
    """
    by = result.settings.get("by") or []
    summary = result.summary_table
    keys = pd.Series(series_keys(summary, by), index=summary.index, dtype=object)
    last = summary[~keys.duplicated(keep="last")]
    table = result.table
    # The latest point with a value of each series: the last in input order (time order within a series).
    table_keys = pd.Series(series_keys(table, by), dtype=object)
    with_value = np.flatnonzero(table["value"].notna().to_numpy())
    latest = dict(zip(table_keys.iloc[with_value], with_value, strict=True))  # later rows overwrite
    phase = table["phase"].to_numpy()
    position = np.array([latest.get(k, -1) for k in keys[last.index]], dtype=int)
    found = (position >= 0) & (phase[np.maximum(position, 0)] == last["phase"].to_numpy())
    rows = last[[*by, "phase"]].reset_index(drop=True)
    take = np.maximum(position, 0)
    rows["time"] = table["time"].iloc[take].reset_index(drop=True).where(found)
    rows["value"] = table["value"].iloc[take].reset_index(drop=True).where(found)
    last = last.reset_index(drop=True)
    for column in ("n_points", "cl", "lcl", "ucl", "target", "improvement", "variation", "variation_icon",
                   "assurance", "trial_limits"):
        rows[column] = last[column]
    rows["variation_text"] = [i[2] if i else None for i in map(variation_icon, last["variation_icon"])]
    rows["assurance_text"] = [i[2] if i else None for i in map(assurance_icon, last["assurance"])]
    return rows[[*by, *COLUMNS]]


def sort_key(column: str):
    """The sort key of a compact column: icons by ``VARIATION_ORDER``/``ASSURANCE_ORDER`` (concern and
    fail first), other columns by value."""
    orders = {"variation": VARIATION_ORDER, "variation_icon": VARIATION_ORDER,
              "variation_text": VARIATION_ORDER, "assurance": ASSURANCE_ORDER,
              "assurance_text": ASSURANCE_ORDER}
    if column not in orders:
        return None
    return orders[column]


@dataclass(frozen=True)
class CompactView:
    """Rows of :func:`compact_table` as a table to read: HTML in Jupyter and the book, or an image.

    Parameters
    ----------
    data : DataFrame
        Rows as :func:`compact_table` makes them (several results may be concatenated).
    by : list of str
        The columns that name each row (shown first, as row headers).
    value_label : str
        What the values are, with units (the caption says so).
    centre : str
        "mean" or "median": the centre line's name.
    percent : bool
        Show values with a % sign.
    decimals : int
        Decimal places of values, centre lines, limits and targets.
    caption : str, optional
        The table's caption: state the finding; default says what the rows are.
    sort : str, optional
        A column of ``data`` to sort the rows by: ``variation`` puts concerns first, ``assurance``
        misses first; other columns by value. The HTML headers sort the rows again in the browser.
    ascending : bool
        Sort order.
    """

    data: pd.DataFrame = field(repr=False)
    by: list = field(default_factory=list)
    value_label: str = "Value"
    centre: str = "mean"
    percent: bool = False
    decimals: int = 1
    caption: str | None = None
    sort: str | None = None
    ascending: bool = True

    @classmethod
    def from_result(cls, result, **kwargs) -> CompactView:
        """The compact view of an :class:`SPCResult`; ``kwargs`` as the class's parameters."""
        settings = result.settings
        kwargs.setdefault("value_label", value_label(settings))
        kwargs.setdefault("centre", "median" if settings.get("chart") in ("run", "g") else "mean")
        kwargs.setdefault("percent",
                          settings.get("chart") in ("p", "pp") and settings.get("multiplier") == 100)
        return cls(compact_table(result), list(settings.get("by") or []), **kwargs)

    def __post_init__(self):
        if self.sort is not None and self.sort not in self.data.columns:
            raise ValueError(f"sort={self.sort!r} is not a column of the compact table. Fix: pass one of "
                             f"{list(self.data.columns)}.")

    def sorted(self, by: str, ascending: bool = True) -> CompactView:
        """The same view with rows sorted by column ``by`` (see ``sort``)."""
        return replace(self, sort=by, ascending=ascending)

    def rows(self) -> pd.DataFrame:
        """``data`` in the order shown."""
        if self.sort is None:
            return self.data
        order = sort_key(self.sort)
        column = self.sort
        if order is not None:
            code = {"variation": "variation_icon", "variation_text": "variation_icon",
                    "assurance_text": "assurance"}.get(column, column)
            rank = {c: i for i, c in enumerate(order)}
            return self.data.sort_values(code, key=lambda s: s.map(rank), ascending=self.ascending,
                                         na_position="last", kind="stable")
        return self.data.sort_values(column, ascending=self.ascending, na_position="last", kind="stable")

    # --- cells in words -----------------------------------------------------------------------------

    def _number(self, value) -> str:
        if value is None or pd.isna(value):
            return ""
        return f"{value:,.{self.decimals}f}" + ("%" if self.percent else "")

    @staticmethod
    def _time(values: pd.Series) -> list[str]:
        if pd.api.types.is_datetime64_any_dtype(values):
            present = values.dropna()
            monthly = bool(len(present)) and bool((present.dt.day == 1).all())
            return ["" if pd.isna(v) else v.strftime("%b %Y" if monthly else "%d %b %Y") for v in values]
        return ["" if pd.isna(v) else str(v) for v in values]

    def _headers(self) -> list[tuple[str, str]]:
        """(column key, header text) for every column shown."""
        label_columns = [(c, words(c)) for c in self.by] or [("series", "Series")]
        return [*label_columns, ("time", "Latest"), ("value", "Latest value"),
                ("cl", self.centre.capitalize()), ("limits", "Process limits"), ("target", "Target"),
                ("improvement", "Better"), ("variation", "Variation"), ("assurance", "Assurance")]

    def _cells(self, row) -> dict:
        """Each shown cell of ``row``: (text, sort value)."""
        limits = ""
        if pd.notna(row["lcl"]) or pd.notna(row["ucl"]):
            limits = f"{self._number(row['lcl']) or 'none'} to {self._number(row['ucl']) or 'none'}"
        cells = {c: (str(row[c]), row[c]) for c in self.by} or {"series": ("All", "All")}
        cells.update({
            "value": (self._number(row["value"]), row["value"]),
            "cl": (self._number(row["cl"]), row["cl"]),
            "limits": (limits, row["lcl"]),
            "target": (self._number(row["target"]), row["target"]),
            "improvement": (IMPROVEMENT_WORDS.get(row["improvement"], ""), row["improvement"]),
            "variation": (_text(row["variation_text"], "No data"),
                          _rank(VARIATION_ORDER, row["variation_icon"])),
            "assurance": (_text(row["assurance_text"], "No target" if pd.isna(row["target"])
                                else "Not judged (neither direction is better)"),
                          _rank(ASSURANCE_ORDER, row["assurance"])),
        })
        return cells

    # --- HTML ---------------------------------------------------------------------------------------

    def to_html(self) -> str:
        """The table as HTML: a caption, row headers, icons as a letter on a disc beside their words, and
        header buttons (added by a small script) that sort the rows and set ``aria-sort``."""
        rows = self.rows()
        headers = self._headers()
        table_id = element_id("compact")
        caption = self.caption or (f"{self.value_label}: the latest point of each series and the icons of "
                                   f"its last phase ({len(rows)} series).")
        out = [f'<div class="el-compact">{_STYLE}',
               f'<table id="{table_id}" class="el-compact-table">',
               f"<caption>{html.escape(caption)}</caption>", "<thead><tr>"]
        for key, text in headers:
            sort = ""
            if self.sort is not None and _shown_column(self.sort) == key:
                sort = f' aria-sort="{"ascending" if self.ascending else "descending"}"'
            out.append(f'<th scope="col"{sort}>{html.escape(text)}</th>')
        out.append("</tr></thead><tbody>")
        times = self._time(rows["time"])
        n_labels = max(1, len(self.by))
        for (_, row), when in zip(rows.iterrows(), times, strict=True):
            cells = self._cells(row)
            cells["time"] = (when, "" if pd.isna(row["time"]) else _sortable(row["time"]))
            out.append("<tr>")
            for k, (key, _) in enumerate(headers):
                text, value = cells[key]
                tag = "th" if k < n_labels else "td"
                scope = ' scope="row"' if tag == "th" else ""
                numeric = ' class="el-num"' if key in ("value", "cl", "limits", "target") else ""
                body = html.escape(text)
                if key == "variation":
                    body = _badge(variation_icon(row["variation_icon"]), text)
                elif key == "assurance":
                    body = _badge(assurance_icon(row["assurance"]), text)
                sort = html.escape(_sortable(value))
                out.append(f'<{tag}{scope}{numeric} data-sort="{sort}">{body}</{tag}>')
            out.append("</tr>")
        out.append("</tbody></table>")
        out.append(f"<script>{_SCRIPT.replace('TABLE_ID', table_id)}</script></div>")
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"CompactView({len(self.data)} series, by={self.by}, sort={self.sort!r})"

    # --- image --------------------------------------------------------------------------------------

    def to_image(self, *, page: int | None = None, per_page: int = ROWS_PER_IMAGE, path=None,
                 title: str | None = None, dpi: int = 150):
        """The table as a matplotlib figure (for print and slides), ``per_page`` rows a page.

        Parameters
        ----------
        page, per_page : int, optional
            More rows than ``per_page`` need a ``page`` (1, 2, ...); the page goes in the title.
        path : str or Path, optional
            Also save the figure there (format from the extension).
        title : str, optional
            The figure's title (default the caption).
        dpi : int
            Resolution when saving.

        Returns
        -------
        matplotlib.figure.Figure
            Closed in pyplot (shown once in Jupyter).
        """
        import matplotlib.pyplot as plt

        rows = self.rows()
        part, pages = page_slice(len(rows), page, per_page, what="rows",
                                 fix=f"pass page=1 (up to {math.ceil(len(rows) / per_page)}) or a bigger "
                                     "per_page=.")
        rows = rows.iloc[part]
        headers = self._headers()
        widths = {"series": 1.2, "time": 0.8, "value": 0.9, "cl": 0.8, "limits": 1.3, "target": 0.7,
                  "improvement": 0.65, "variation": 1.55, "assurance": 1.45}
        spans = [widths.get(key, 1.2) for key, _ in headers]
        total = sum(spans)
        row_height, top = 0.27, 0.45  # inches: a row; the title above the table
        height = row_height * (len(rows) + 1.4) + top
        width = max(total, 6.0) + 0.2
        # A fixed layout (no layout engine): the table fills the figure below its title.
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0.1 / width, 0.05 / height, total / width, 1 - (top + 0.05) / height))
        ax.set_xlim(0, total)
        ax.set_ylim(len(rows) + 0.6, -0.6)
        ax.axis("off")
        left = np.r_[0, np.cumsum(spans)[:-1]]
        numeric = {"value", "cl", "limits", "target"}
        n_labels = max(1, len(self.by))
        for (key, text), x0, span in zip(headers, left, spans, strict=True):
            ha, x = ("right", x0 + span - 0.08) if key in numeric else ("left", x0 + 0.04)
            ax.text(x, -0.2, text, ha=ha, va="center", fontsize=8.5, fontweight="bold", color=COLOURS["ink"])
        ax.axhline(0.35, color=COLOURS["ink"], linewidth=0.8)
        times = self._time(rows["time"])
        discs = []  # (x, y, colour, letter) of every icon, drawn together below
        for i, ((_, row), when) in enumerate(zip(rows.iterrows(), times, strict=True)):
            y = i + 1
            if i % 2:
                ax.axhspan(y - 0.5, y + 0.5, color="#F0F4F5", zorder=0, linewidth=0)
            cells = self._cells(row)
            cells["time"] = (when, None)
            for k, ((key, _), x0, span) in enumerate(zip(headers, left, spans, strict=True)):
                text = cells[key][0]
                icon = {"variation": variation_icon(row["variation_icon"]),
                        "assurance": assurance_icon(row["assurance"])}.get(key)
                if icon is not None:
                    discs.append((x0 + 0.14, y, icon[0], icon[1]))
                    ax.text(x0 + 0.3, y, text, ha="left", va="center", fontsize=8, color=COLOURS["ink"])
                    continue
                ha, x = ("right", x0 + span - 0.08) if key in numeric else ("left", x0 + 0.04)
                ax.text(x, y, text, ha=ha, va="center", fontsize=8, color=COLOURS["ink"],
                        fontweight="bold" if k < n_labels else "normal")
        if discs:
            xs, ys, colours, letters = zip(*discs, strict=True)
            ax.scatter(xs, ys, s=150, c=list(colours), edgecolors=COLOURS["ink"], linewidths=0.9, zorder=2)
            for x, y, colour, letter in discs:
                ax.text(x, y, letter, ha="center", va="center", fontsize=7.5, fontweight="bold",
                        color=letter_ink(colour), zorder=3)
        heading = title or self.caption or self.value_label
        if pages > 1:
            heading += f" (page {page} of {pages}: rows {part.start + 1} to {part.start + len(rows)})"
        fig.text(0.1 / width, 1 - 0.12 / height, heading, ha="left", va="top", fontsize=10, fontweight="bold",
                 color=COLOURS["ink"], wrap=True)
        if path is not None:
            fig.savefig(path, dpi=dpi)
        return hand_back(fig)


def _text(value, missing: str) -> str:
    return value if isinstance(value, str) else missing


def _rank(order, code) -> float:
    return float(order.index(code)) if isinstance(code, str) and code in order else np.nan


def _shown_column(column: str) -> str:
    """The shown column a data column is sorted under."""
    return {"variation_icon": "variation", "variation_text": "variation", "assurance_text": "assurance",
            "lcl": "limits", "ucl": "limits"}.get(column, column)


def _sortable(value) -> str:
    """A cell's sort value: numbers as numbers, dates as ISO text, missing as ""."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    return str(value)


def _badge(icon, text: str) -> str:
    """An icon: a disc with its letter (hidden from screen readers: the words say it) and its words."""
    if icon is None:
        return f'<span class="el-badge">{html.escape(text)}</span>'
    colour, letter, _ = icon
    return (f'<span class="el-badge"><span class="el-icon" aria-hidden="true" style="background:{colour};'
            f'color:{letter_ink(colour)}">{html.escape(letter)}</span> {html.escape(text)}</span>')


_STYLE = (
    "<style>"
    ".el-compact{overflow-x:auto;max-width:100%}"
    ".el-compact-table{border-collapse:collapse;font-size:0.9em;color:#231F20;background:#FFFFFF}"
    # the caption's own colours: a dark theme would otherwise give it light text on this white table
    ".el-compact-table caption{text-align:left;font-weight:bold;padding:0.3em 0;color:#231F20;"
    "background:#FFFFFF}"
    ".el-compact-table th,.el-compact-table td{padding:0.25em 0.6em;border-bottom:1px solid #D8DDE0;"
    "text-align:left;vertical-align:middle;white-space:nowrap}"
    ".el-compact-table thead th{border-bottom:2px solid #231F20}"
    ".el-compact-table td.el-num{text-align:right;font-variant-numeric:tabular-nums}"
    ".el-compact-table .el-icon{display:inline-block;width:1.5em;height:1.5em;line-height:1.5em;"
    "border-radius:50%;border:1px solid #231F20;text-align:center;font-weight:bold;margin-right:0.3em}"
    ".el-compact-table button.el-sort{font:inherit;font-weight:bold;color:inherit;background:none;"
    "border:0;padding:0;cursor:pointer;text-align:inherit}"
    ".el-compact-table button.el-sort:focus-visible{outline:2px solid #005EB8;outline-offset:2px}"
    # The arrow is decoration (aria-sort says the order): empty alternative text where supported.
    ".el-compact-table th[aria-sort=ascending] button.el-sort::after"
    "{content:' \\25B2';content:' \\25B2' / ''}"
    ".el-compact-table th[aria-sort=descending] button.el-sort::after"
    "{content:' \\25BC';content:' \\25BC' / ''}"
    "</style>"
)

# Header buttons that sort the rows (missing values last either way) and say so with aria-sort. Written
# without '<' or '&' so the markup stays well-formed XML. The buttons go in the last header row (the one
# with a header per body column; the equity report has group headers above it).
_SCRIPT = (
    "(function(){var t=document.getElementById('TABLE_ID');"
    "if(!t||t.getAttribute('data-sortable'))return;t.setAttribute('data-sortable','1');"
    "var hr=t.tHead.rows,hs=hr[hr.length-1].cells;"
    "Array.prototype.forEach.call(hs,function(th,i){var b=document.createElement('button');"
    "b.type='button';b.className='el-sort';while(th.firstChild)b.appendChild(th.firstChild);"
    "th.appendChild(b);b.addEventListener('click',function(){"
    "var up=th.getAttribute('aria-sort')!=='ascending';"
    "Array.prototype.forEach.call(hs,function(h){h.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',up?'ascending':'descending');"
    "var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);"
    "rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-sort'),"
    "y=b.cells[i].getAttribute('data-sort');"
    "if(x===y)return 0;if(x==='')return 1;if(y==='')return -1;"
    "var nx=Number(x),ny=Number(y),c=(isNaN(nx)||isNaN(ny))?x.localeCompare(y):nx-ny;return up?c:-c;});"
    "rows.forEach(function(r){body.appendChild(r);});});});})();"
)
