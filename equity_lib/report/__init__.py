"""The collaborative's equity report: many measures on one page, split by trust or by group.

:func:`equity_report` puts several :func:`equity_lib.spc` results (measures, each with its own
``improvement`` direction and ``target`` set in ``spc``, and an owner such as the chief operating officer
who owns it) into one table a board reads on one page: a row per measure (and owner, and any other ``by``
column, e.g. trust), a column per value of the ``columns`` by-column(s) of the results (trusts, deprivation
quintiles, ethnic groups, or trust x quintile), each cell the series' latest value with its variation and
assurance icons. Every number comes from the results: each cell is a row of
``equity_lib.process_control.compact.compact_table`` (the series' last phase from ``summary()``, its
latest point from ``table``); nothing is recomputed. The icons are the compact view's: a letter on a disc
of the Making Data Count colour beside the icon's words, so meaning never rests on colour alone.

How this compares with what exists:

* Making Data Count's summary table of icons (NHS England and NHS Improvement, *Making Data Count*, 2019,
  and its companion *Making Data Count: strengthening your decisions*;
  https://www.england.nhs.uk/publication/making-data-count/): the integrated performance report's one row
  per measure with its latest value, target, variation icon and assurance icon. One cell per measure, for
  the organisation as a whole; its icons are pictures (colour, shape and a letter such as H, L, P or F)
  without words beside them.
* NHSRplotthedots (NHS-R Community, version 0.2.2; https://github.com/nhs-r-community/NHSRplotthedots):
  ``ptd_spc`` charts one measure, faceted by ``facet_field``, drawn by ``ptd_create_ggplot`` or
  ``ptd_create_plotly`` with the icons in each panel's corner (``geom_ptd_icon``); its ``summary()``
  prints each facet's mean, process limits and counts of common and special cause points. Its reference
  index has no table of many measures, by group or otherwise, and no export of the icons as a table.
* This report keeps MDC's row per measure and adds what neither has: the **equity split**. Each measure's
  cells run across trusts, deprivation quintiles or ethnic groups (or trust x quintile), so a board sees at
  a glance where a trust is failing whom, e.g. "will miss target" only in the most deprived quintile. Each
  cell says its icons in words; the owner of each measure is named; a "needs attention" count (cells with
  special cause concern or a target it will miss) sorts the rows; the same table is HTML (sortable,
  accessible, A4 landscape when printed), an image and an Excel sheet.

For example::

    report = equity_report({"Seen within 18 weeks": rtt_result, "Missed appointments": dna_result},
                           owners={"Seen within 18 weeks": "COO, Moorside Teaching Hospitals",
                                   "Missed appointments": "COO, Kelderby District"},
                           columns="imd_quintile")
    report.table  # tidy: one row per measure x row x column value
    report.to_html(); report.to_image(); report.to_excel("report.xlsx")
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from equity_lib._validation import by_columns
from equity_lib.process_control.compact import (
    _SCRIPT,
    _STYLE,
    ASSURANCE_ORDER,
    IMPROVEMENT_WORDS,
    VARIATION_ORDER,
    CompactView,
    _badge,
    _sortable,
    compact_table,
    element_id,
)
from equity_lib.process_control.plot import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    assurance_icon,
    series_title,
    value_label,
    variation_icon,
    words,
)
from equity_lib.process_control.result import SPCResult

__all__ = ["CELL_COLUMNS", "EquityReport", "equity_report"]

#: The columns of each cell in :attr:`EquityReport.table`, after ``measure``, ``owner``, the row by-columns
#: and the ``columns`` by-column(s): as ``compact_table`` makes them.
CELL_COLUMNS = ("time", "value", "cl", "lcl", "ucl", "target", "improvement", "variation", "variation_icon",
                "variation_text", "assurance", "assurance_text", "phase", "n_points", "trial_limits")
_MISSING_RANK = 99  # cells with no icon sort after every icon


def equity_report(results, *, owners=None, columns=None, labels=None, caption: str | None = None,
                  decimals=1) -> EquityReport:
    """Many measures' latest values and icons, split by trust or group, as one table for a board.

    Parameters
    ----------
    results : dict of {str: SPCResult} or list of SPCResult
        One :func:`equity_lib.spc` result per measure, each made with the ``by`` column(s) the report is
        split by (e.g. ``by=["trust_code", "imd_quintile"]``) and its own ``improvement`` and ``target``.
        A dict's keys name the measures; in a list each measure is named by its value label (e.g.
        "Within 18 weeks (% of waiting total)").
    owners : dict of {measure: str}, list of str, optional
        Who owns each measure (e.g. "COO, Moorside Teaching Hospitals"): one per measure, a dict keyed
        by measure name or a list in the order of ``results``.
    columns : str or list of str, optional
        The by-column(s) of the results whose values become the table's columns: ``"imd_quintile"``
        (quintiles across), ``"trust_code"`` (trusts across) or ``["trust_code", "imd_quintile"]``
        (trust x quintile). The results' other by-columns become rows under each measure. Default:
        the last by-column, when every result has the same ``by``.
    labels : dict, optional
        Header text for column values, e.g. ``{1: "Quintile 1 (most deprived)"}`` (a value, or a tuple
        of values for two or more ``columns``). Default: the value, with its column's name when it is a
        number ("IMD quintile 1").
    caption : str, optional
        The table's caption: state the finding. Default says what the table shows.
    decimals : int or dict of {measure: int}
        Decimal places of each measure's values and targets.

    Returns
    -------
    EquityReport
        ``.table`` (tidy), ``.to_html()``, ``.to_image()``, ``.to_excel(path)``, ``.sorted(...)``.

    Notes
    -----
    Each cell is the series' row of ``compact_table(result)``: ``value`` and ``time`` are the series'
    latest point with a value in its last phase (from ``result.table``), ``cl``, ``lcl``, ``ucl``,
    ``target``, ``improvement``, ``variation``, ``variation_icon`` and ``assurance`` are that phase's row
    of ``result.summary()``. A measure with no series for a column value gets an empty cell ("No data").
    The icons follow Making Data Count (NHS England and NHS Improvement, 2019).
    """
    measures = _measures(results)
    owner_of = _owners(owners, list(measures))
    decimals_of = _decimals(decimals, list(measures))
    columns = _columns(columns, measures)
    row_by: list[str] = []
    for result in measures.values():
        row_by += [c for c in (result.settings.get("by") or []) if c not in columns and c not in row_by]

    orders = {c: _value_order(c, measures) for c in columns}
    combos = _column_combos(columns, orders, measures)
    parts = []
    styles = {}
    for name, result in measures.items():
        by = list(result.settings.get("by") or [])
        rows = compact_table(result)
        own_rows = [c for c in by if c not in columns]
        # Every row of this measure gets a cell for every column value: a missing series is an empty cell.
        keys = rows[own_rows].drop_duplicates() if own_rows else pd.DataFrame(index=[0])
        grid = keys.merge(combos, how="cross") if own_rows else combos.copy()
        rows = grid.merge(rows, how="left", on=[*own_rows, *columns], validate="one_to_one")
        rows.insert(0, "owner", owner_of[name])
        rows.insert(0, "measure", name)
        parts.append(rows)
        styles[name] = {"label": value_label(result.settings),
                        "percent": result.settings.get("chart") in ("p", "pp")
                        and result.settings.get("multiplier") == 100,
                        "decimals": decimals_of[name]}
    table = pd.concat(parts, ignore_index=True)
    for column in (*row_by, *columns):
        if column not in table.columns:
            table[column] = np.nan
    for column, order in orders.items():
        table[column] = pd.Categorical(table[column], categories=order)
    table["owner"] = table["owner"].astype(object)
    table = table[["measure", "owner", *row_by, *columns, *CELL_COLUMNS]]
    return EquityReport(table=table, columns=columns, rows_by=row_by, measures=styles,
                        labels=dict(labels or {}), caption=caption)


# --- checking the input ------------------------------------------------------------------------------

def _measures(results) -> dict[str, SPCResult]:
    if isinstance(results, SPCResult):
        raise TypeError("results is one SPCResult; a report needs a dict {measure name: result} or a list "
                        "of results. Fix: e.g. equity_report({'Seen within 18 weeks': result}).")
    if isinstance(results, dict):
        items = list(results.items())
    elif isinstance(results, (list, tuple)):
        items = [(None, r) for r in results]
    else:
        raise TypeError(f"results must be a dict {{measure name: SPCResult}} or a list of SPCResult, not "
                        f"{type(results).__name__}. Fix: e.g. equity_report({{'Seen within 18 weeks': "
                        "spc(...)}).")
    if not items:
        raise ValueError(f"results is an empty {type(results).__name__}: a report needs at least one spc "
                         "result. Fix: pass {measure name: spc(data, ..., by=[...])} for each measure.")
    measures: dict[str, SPCResult] = {}
    for position, (name, result) in enumerate(items):
        where = f"results[{name!r}]" if name is not None else f"results[{position}]"
        if not isinstance(result, SPCResult):
            raise TypeError(f"{where} is a {type(result).__name__}, not an SPCResult. Fix: pass what "
                            "equity_lib.spc(...) returns for each measure.")
        if name is None:
            name = value_label(result.settings)
            if name in measures:
                raise ValueError(f"results[{position}] and an earlier result are both named {name!r} (from "
                                 "their value labels). Fix: pass a dict {measure name: result} with a "
                                 "different name for each.")
        elif not isinstance(name, str) or not name.strip():
            raise TypeError(f"measure name {name!r} must be non-empty text. Fix: name each measure, e.g. "
                            "{'Seen within 18 weeks': result}.")
        measures[name] = result
    return measures


def _owners(owners, names: list[str]) -> dict:
    if owners is None:
        return dict.fromkeys(names)
    if isinstance(owners, dict):
        unknown = [k for k in owners if k not in names]
        missing = [n for n in names if n not in owners]
        if unknown or missing:
            problem = "; ".join(p for p in (f"no measure is named {unknown}" if unknown else "",
                                            f"no owner for {missing}" if missing else "") if p)
            raise ValueError(f"owners does not match the measures: {problem}. The measures are {names}. "
                             "Fix: give owners one entry per measure, keyed by its name.")
        return dict(owners)
    if isinstance(owners, (list, tuple)):
        if len(owners) != len(names):
            raise ValueError(f"owners has {len(owners)} entries for {len(names)} measures ({names}). Fix: "
                             "give one owner per measure, in the order of results, or a dict by measure.")
        return dict(zip(names, owners, strict=True))
    raise TypeError(f"owners must be a dict {{measure: owner}} or a list, not {type(owners).__name__}. Fix: "
                    "e.g. owners={'Seen within 18 weeks': 'COO, Moorside Teaching Hospitals'}.")


def _decimals(decimals, names: list[str]) -> dict:
    given = decimals if isinstance(decimals, dict) else dict.fromkeys(names, decimals)
    unknown = [k for k in given if k not in names]
    if unknown:
        raise ValueError(f"decimals names {unknown}, which are not measures ({names}). Fix: key decimals by "
                         "measure name.")
    out = {}
    for name in names:
        d = given.get(name, 1)
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or not 0 <= d <= 6:
            raise ValueError(f"decimals for {name!r} must be a whole number from 0 to 6, not {d!r}.")
        out[name] = int(d)
    return out


def _columns(columns, measures: dict[str, SPCResult]) -> list[str]:
    bys = {name: list(r.settings.get("by") or []) for name, r in measures.items()}
    if columns is None:
        distinct = {tuple(b) for b in bys.values()}
        if len(distinct) > 1:
            raise ValueError(f"the results are split by different columns ({bys}), so the report's columns "
                             "cannot be guessed. Fix: pass columns=, a by-column every result has, e.g. "
                             "columns='imd_quintile'.")
        by = next(iter(bys.values()))
        if not by:
            raise ValueError("the results have no by column, so there is nothing to split the report by. "
                             "Fix: make each result with spc(..., by='trust_code') or by=['trust_code', "
                             "'imd_quintile'].")
        return [by[-1]]
    chosen = by_columns(columns)
    if not chosen:
        raise ValueError("columns=[] names no column. Fix: name a by-column of the results, e.g. "
                         "columns='imd_quintile'.")
    for name, by in bys.items():
        lacking = [c for c in chosen if c not in by]
        if lacking:
            wanted = [*[b for b in by if b not in chosen], *chosen]
            raise ValueError(f"the result for measure {name!r} is not split by {lacking} (its by is {by}). "
                             f"Fix: make it with spc(..., by={wanted}) or choose columns from its by-columns."
                             )
    return chosen


def _value_order(column: str, measures: dict[str, SPCResult]) -> list:
    """The values of ``column`` across the results: in category order when it is categorical, else
    sorted (or in order of appearance when the values cannot be sorted)."""
    values = []
    for result in measures.values():
        values.append(result.summary_table[column])
    first = values[0]
    present = pd.unique(pd.concat([v.astype(object) for v in values], ignore_index=True).dropna())
    if isinstance(first.dtype, pd.CategoricalDtype):
        return [c for c in first.cat.categories if c in set(present)] + \
            [v for v in present if v not in set(first.cat.categories)]
    try:
        return sorted(present)
    except TypeError:
        return list(present)


def _column_combos(columns: list[str], orders: dict, measures: dict[str, SPCResult]) -> pd.DataFrame:
    """The column values (one row per combination present in some result), in display order."""
    seen = pd.concat([r.summary_table[columns].astype(object) for r in measures.values()],
                     ignore_index=True).dropna().drop_duplicates()
    rank = [seen[c].map({v: i for i, v in enumerate(orders[c])}) for c in columns]
    order = np.lexsort([r.to_numpy() for r in reversed(rank)])
    return seen.iloc[order].reset_index(drop=True)


# --- the report ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EquityReport:
    """Many measures by trust or group, each cell a series' latest value and its icons.

    Attributes
    ----------
    table : DataFrame
        Tidy: one row per measure x row x column value. Columns ``measure``, ``owner``, the row
        by-columns (``rows_by``, e.g. ``trust_code`` when the columns are quintiles), the ``columns``
        by-column(s), then :data:`CELL_COLUMNS`: ``time``, ``value``, ``cl``, ``lcl``, ``ucl``, ``target``,
        ``improvement``, ``variation``, ``variation_icon``, ``variation_text`` (the icon in words),
        ``assurance``, ``assurance_text``, ``phase``, ``n_points``, ``trial_limits``. Missing where the
        measure has no series for that cell.
    columns : list
        The by-column(s) across (column names).
    rows_by : list
        The by-column(s) down, under each measure (column names).
    measures : dict
        Each measure's value label, whether it is a percentage, and its decimals.
    labels : dict
        Header text for column values.
    caption : str, optional
        The caption.
    sort : optional
        How rows are ordered: None (as given), ``"measure"``, ``"owner"``, a row by-column,
        ``"attention"`` (cells needing attention, most first), or a column value (e.g. ``1``, or
        ``("MTH", 1)``) to sort by that cell's icons: special cause concern first, then the other
        variation icons in ``VARIATION_ORDER`` (``equity_lib.process_control.compact``), each with a
        target it will miss first.
    ascending : bool
        Sort order.
    """

    table: pd.DataFrame = field(repr=False)
    columns: list = field(default_factory=list)
    rows_by: list = field(default_factory=list)
    measures: dict = field(default_factory=dict, repr=False)
    labels: dict = field(default_factory=dict, repr=False)
    caption: str | None = None
    sort: object = None
    ascending: bool = True

    def __post_init__(self):
        if self.sort is not None:
            allowed = ["measure", "owner", *self.rows_by, "attention"]
            if self.sort not in allowed and _key(self.sort) not in self.column_keys():
                values = [k[0] if len(k) == 1 else k for k in self.column_keys()]
                raise ValueError(f"sort={self.sort!r} is neither a row heading nor a column value of the "
                                 f"report. Fix: pass one of {allowed} or a column value, one of {values}.")

    # --- shape --------------------------------------------------------------------------------------

    def column_keys(self) -> list[tuple]:
        """The column values as tuples, in display order."""
        combos = self.table[self.columns].drop_duplicates()
        combos = combos.sort_values(self.columns, kind="stable")
        return [tuple(row) for row in combos.itertuples(index=False, name=None)]

    def _row_keys(self) -> list[str]:
        return ["measure", *self.rows_by]

    def wide(self) -> pd.DataFrame:
        """One row per report row (measure and row by-columns), in the order shown, with ``owner``,
        ``attention`` (cells with special cause concern or a target it will miss) and ``cells`` (the
        number of cells with data)."""
        keys = self._row_keys()
        t = self.table
        needs = (t["variation"].astype(object).eq("concern")
                 | t["assurance"].astype(object).eq("fail")).astype(int)
        grouped = t.assign(_needs=needs, _has=t["value"].notna().astype(int)).groupby(
            keys, sort=False, dropna=False, observed=True)
        rows = grouped.agg(owner=("owner", "first"), attention=("_needs", "sum"),
                           cells=("_has", "sum")).reset_index()
        rows = rows[["measure", "owner", *self.rows_by, "attention", "cells"]]
        if self.sort is None:
            return rows
        if self.sort == "attention":
            return rows.sort_values("attention", ascending=not self.ascending, kind="stable")
        if self.sort in ("measure", "owner", *self.rows_by):
            return rows.sort_values(self.sort, ascending=self.ascending, kind="stable", na_position="last")
        key = _key(self.sort)
        match = np.ones(len(t), dtype=bool)
        for column, value in zip(self.columns, key, strict=True):
            match &= (t[column] == value).to_numpy()
        cells = t[match].assign(_rank=_severity(t[match]))
        rank = rows.merge(cells[[*keys, "_rank"]], on=keys, how="left")["_rank"]
        return rows.assign(_rank=rank.to_numpy()).sort_values(
            "_rank", ascending=self.ascending, kind="stable", na_position="last").drop(columns="_rank")

    def sorted(self, by, ascending: bool = True) -> EquityReport:
        """The same report with rows sorted by ``by`` (see ``sort``)."""
        return replace(self, sort=by, ascending=ascending)

    def _cells(self) -> dict:
        """{(row key, column key): the tidy row of that cell}."""
        keys = self._row_keys()
        t = self.table
        row_keys = list(zip(*(t[k].astype(object) for k in keys), strict=True))
        col_keys = list(zip(*(t[c].astype(object) for c in self.columns), strict=True))
        return {(_norm_key(r), c): i for i, (r, c) in enumerate(zip(row_keys, col_keys, strict=True))}

    def _header(self, key: tuple, leaf: bool = False) -> str:
        """A column value's header: its label, else the value (a number with its column's name). With
        ``leaf`` and two or more ``columns``, only the last value (the group header above says the rest)."""
        single = key[0] if len(key) == 1 else key
        if single in self.labels:
            return str(self.labels[single])
        if leaf and len(key) > 1:
            return str(self.labels[key[-1]]) if key[-1] in self.labels else \
                series_title(key[-1], self.columns[-1:])
        return series_title(single, self.columns)

    def _caption(self) -> str:
        if self.caption:
            return self.caption
        n = len(self.measures)
        across = " x ".join(_lower_words(c) for c in self.columns)
        return (f"{n} measure{'s' if n != 1 else ''} by {across}: each cell is the latest value, its "
                "variation icon and its assurance icon (Making Data Count), from the last phase of that "
                "series' SPC chart.")

    # --- cells in words -----------------------------------------------------------------------------

    def _number(self, measure: str, value) -> str:
        if value is None or pd.isna(value):
            return ""
        style = self.measures[measure]
        return f"{value:,.{style['decimals']}f}" + ("%" if style["percent"] else "")

    def _row_facts(self, rows: pd.DataFrame) -> dict:
        """Per report row: its improvement, target and latest time when the same in every cell (shown
        once in the row), else None (each cell says its own)."""
        keys = self._row_keys()
        t = self.table.assign(_time=self.table["time"].astype(object))
        times = self._times()
        facts = {}
        for key, part in t.groupby(keys, sort=False, dropna=False, observed=True):
            key = _norm_key(key if isinstance(key, tuple) else (key,))
            have = part[part["value"].notna()]
            facts[key] = {c: (have[c].iloc[0] if len(have) and have[c].nunique(dropna=False) == 1 else None)
                          for c in ("improvement", "target", "_time")}
            facts[key]["time_text"] = times[have.index[0]] if facts[key]["_time"] is not None else "Varies"
        return facts

    def _times(self) -> dict:
        """Each cell's time in words, as the compact view writes it, measure by measure (a monthly measure
        as "Mar 2025", a weekly one as "24 Mar 2025")."""
        out = {}
        for _, part in self.table.groupby("measure", sort=False):
            out.update(zip(part.index, CompactView._time(part["time"]), strict=True))
        return out

    # --- HTML ---------------------------------------------------------------------------------------

    def to_html(self) -> str:
        """The report as HTML: a caption, column and row headers with ``scope``, each cell's value and its
        two icons (a letter on a disc, hidden from screen readers, beside the icon's words), header
        buttons that sort the rows (``aria-sort``), a key to the icons, and print styles: a document that
        shows the report prints on A4 landscape, and three measures for five trusts by five quintiles
        (15 rows) fit one page in 7.5 point type (checked in Chromium by the browser tests).
        Wrapped in a focusable region (named by the caption) so that a keyboard can scroll it on a narrow
        screen."""
        rows = self.wide()
        col_keys = self.column_keys()
        cells = self._cells()
        facts = self._row_facts(rows)
        times = self._times()
        t = self.table
        has_owner = t["owner"].notna().any()
        labels = [("measure", "Measure")] + ([("owner", "Owner")] if has_owner else []) + \
                 [(c, words(c)) for c in self.rows_by]
        facts_headers = [("improvement", "Better"), ("target", "Target"), ("time", "Latest")]
        table_id = element_id("report")
        caption = self._caption()
        out = [f'<div class="el-compact el-report" role="region" tabindex="0" '
               f'aria-labelledby="{table_id}-caption">{_STYLE}{_REPORT_STYLE}',
               f'<table id="{table_id}" class="el-compact-table el-report-table">',
               f'<caption id="{table_id}-caption">{html.escape(caption)}</caption>', "<thead>"]
        n_before = len(labels) + len(facts_headers)
        if len(self.columns) > 1:  # one row of group headers per outer column
            for level in range(len(self.columns) - 1):
                out.append(f'<tr><td colspan="{n_before}"></td>')
                runs = _runs([k[: level + 1] for k in col_keys])
                for prefix, span in runs:
                    text = series_title(prefix[-1], [self.columns[level]])
                    out.append(f'<th scope="colgroup" colspan="{span}">{html.escape(text)}</th>')
                out.append("<td></td></tr>")
        out.append("<tr>")
        sorted_on = self.sort
        for key, text in [*labels, *facts_headers]:
            sort = _aria(self.ascending if key != "attention" else not self.ascending) \
                if sorted_on == key else ""
            out.append(f'<th scope="col"{sort}>{html.escape(text)}</th>')
        for key in col_keys:
            text = self._header(key, leaf=True)
            sort = _aria(self.ascending) if sorted_on is not None and _key(sorted_on) == key else ""
            out.append(f'<th scope="col"{sort}>{html.escape(text)}</th>')
        sort = _aria(not self.ascending) if sorted_on == "attention" else ""
        out.append(f'<th scope="col"{sort}>Needs attention</th></tr></thead><tbody>')
        for _, row in rows.iterrows():
            key = _norm_key(tuple(row[k] for k in self._row_keys()))
            measure = row["measure"]
            fact = facts[key]
            out.append("<tr>")
            for column, _ in labels:
                value = row[column]
                text = _label(value, "Not named" if column == "owner" else "All")
                sort = html.escape(_sortable(text))
                out.append(f'<th scope="row" data-sort="{sort}">{html.escape(text)}</th>')
            better = IMPROVEMENT_WORDS.get(fact["improvement"], "Varies") if fact["improvement"] else "Varies"
            target = self._number(measure, fact["target"]) if fact["target"] is not None else "Varies"
            if fact["target"] is not None and pd.isna(fact["target"]):
                target = "None"
            latest = fact["time_text"]
            for text, value in ((better, better), (target, fact["target"]), (latest, fact["_time"])):
                out.append(f'<td data-sort="{html.escape(_sortable(value))}">{html.escape(text)}</td>')
            for col in col_keys:
                i = cells.get((key, col))
                cell = t.loc[i] if i is not None else None
                out.append(self._cell_html(measure, cell, fact, times.get(i, "")))
            out.append(f'<td class="el-num" data-sort="{int(row["attention"])}">{int(row["attention"])} of '
                       f'{len(col_keys)}</td>')
            out.append("</tr>")
        out.append("</tbody></table>")
        out.append(self._legend_html())
        out.append(f"<script>{_SCRIPT.replace('TABLE_ID', table_id)}</script></div>")
        return "".join(out)

    def _cell_html(self, measure: str, cell, fact: dict, when: str) -> str:
        if cell is None or pd.isna(cell["value"]):
            return f'<td class="el-cell" data-sort="{_MISSING_RANK * 10}">No data</td>'
        parts = [f'<span class="el-value">{html.escape(self._number(measure, cell["value"]))}</span>']
        if fact["_time"] is None:
            parts.append(f'<span class="el-extra">at {html.escape(when)}</span>')
        if fact["target"] is None and pd.notna(cell["target"]):
            parts.append(f'<span class="el-extra">target {html.escape(self._number(measure, cell["target"]))}'
                         "</span>")
        if fact["improvement"] is None:
            parts.append(f'<span class="el-extra">{IMPROVEMENT_WORDS.get(cell["improvement"], "")} is better'
                         "</span>")
        variation = cell["variation_text"] if isinstance(cell["variation_text"], str) else "No icon"
        parts.append(_badge(variation_icon(cell["variation_icon"]), variation))
        parts.append(_badge(assurance_icon(cell["assurance"]), _assurance_words(cell)))
        rank = int(_severity(pd.DataFrame([cell]))[0])
        return f'<td class="el-cell" data-sort="{rank}">{" ".join(parts)}</td>'

    def _legend_html(self) -> str:
        items = []
        for code in VARIATION_ORDER:
            items.append(f"<li>{_badge(variation_icon(code), VARIATION_WORDS[code])}"
                         f'<span class="el-meaning">: {html.escape(_MEANING[code])}</span></li>')
        for code in ASSURANCE_ORDER:
            items.append(f"<li>{_badge(assurance_icon(code), ASSURANCE_WORDS[code])}"
                         f'<span class="el-meaning">: {html.escape(_MEANING[code])}</span></li>')
        return ('<div class="el-legend"><p class="el-legend-title">Key to the icons (Making Data Count). '
                "Sort the rows with the column headers: a trust or group column puts its concerns and misses "
                f'first.</p><ul>{"".join(items)}</ul></div>')

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return (f"EquityReport({len(self.measures)} measures, columns={self.columns}, "
                f"rows_by={self.rows_by}, {len(self.table)} cells, sort={self.sort!r})")

    # --- image and Excel ----------------------------------------------------------------------------

    def to_image(self, **kwargs):
        """The report as a matplotlib figure, legible on A4 landscape; see
        :func:`equity_lib.report.plot.plot_report` for the options."""
        from equity_lib.report.plot import plot_report

        return plot_report(self, **kwargs)

    def to_excel(self, path, *, sheet_name: str = "Equity report"):
        """Write :attr:`table` to one sheet of an Excel workbook at ``path`` (icons in words in
        ``variation_text`` and ``assurance_text``), rows in the order shown. Needs openpyxl (a dependency
        of equity_lib). Returns ``path``."""
        import openpyxl  # noqa: F401  (the writer pandas uses; imported here so the report loads without it)

        order = self.wide()[self._row_keys()]
        table = order.merge(self.table, on=self._row_keys(), how="left", sort=False)
        table = table[list(self.table.columns)]
        for column in (*self.rows_by, *self.columns):
            table[column] = table[column].astype(object)
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            table.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes = "A2"
            for k, column in enumerate(table.columns):
                width = max(len(str(column)), *(len(str(v)) for v in table[column].head(200))) + 2
                sheet.column_dimensions[_excel_column(k)].width = min(width, 48)
        return path


# --- helpers -------------------------------------------------------------------------------------------

_MEANING = {
    "common_cause": "no sign of change: the variation expected of this process",
    "improvement_high": "special cause variation, better, high",
    "improvement_low": "special cause variation, better, low",
    "concern_high": "special cause variation, worse, high",
    "concern_low": "special cause variation, worse, low",
    "neutral_high": "special cause variation, high, where neither direction is better",
    "neutral_low": "special cause variation, low, where neither direction is better",
    "pass": "the target lies outside the limits on the passing side: it will consistently be met",
    "fail": "the target lies outside the limits on the failing side: it will consistently be missed unless "
            "the process changes",
    "hit_and_miss": "the target lies between the limits: it will be met and missed by chance",
}


def _label(value, missing: str) -> str:
    """A row heading's text: the value, or ``missing`` (a measure not split by this row column)."""
    return missing if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _assurance_words(cell) -> str:
    if isinstance(cell["assurance_text"], str):
        return cell["assurance_text"]
    if pd.isna(cell["target"]):
        return "No target"
    return "Not judged (neither direction is better)"


def _severity(cells: pd.DataFrame) -> np.ndarray:
    """The sort rank of cells: variation icon in ``VARIATION_ORDER`` (concern first), then assurance in
    ``ASSURANCE_ORDER`` (fail first); cells without data last."""
    v = cells["variation_icon"].map({c: i for i, c in enumerate(VARIATION_ORDER)})
    a = cells["assurance"].map({c: i for i, c in enumerate(ASSURANCE_ORDER)})
    rank = v.astype(float).fillna(_MISSING_RANK) * 10 + a.astype(float).fillna(len(ASSURANCE_ORDER))
    return rank.to_numpy()


def _key(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _norm_key(key) -> tuple:
    """A row key with missing values as None (NaN != NaN would lose the cell)."""
    return tuple(None if (not isinstance(v, str) and pd.isna(v)) else v for v in key)


def _runs(prefixes: list[tuple]) -> list[tuple[tuple, int]]:
    runs: list[list] = []
    for p in prefixes:
        if runs and runs[-1][0] == p:
            runs[-1][1] += 1
        else:
            runs.append([p, 1])
    return [(p, n) for p, n in runs]


def _aria(ascending: bool) -> str:
    return f' aria-sort="{"ascending" if ascending else "descending"}"'


def _lower_words(column: str) -> str:
    text = words(column)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _excel_column(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_REPORT_STYLE = (
    "<style>"
    ".el-report{margin:0.5em 0}"
    ".el-report-table td.el-cell{white-space:normal;min-width:8.5em;vertical-align:top}"
    ".el-report-table th[scope=row]{white-space:normal;max-width:16em;font-weight:normal}"
    ".el-report-table th[scope=row]:first-child{font-weight:bold}"
    ".el-report-table th[scope=colgroup]{text-align:center;border-bottom:1px solid #231F20}"
    ".el-report-table .el-value{display:block;font-weight:bold}"
    ".el-report-table .el-extra{display:block;font-size:0.9em}"
    ".el-report-table .el-cell .el-badge{display:block;white-space:nowrap;margin-top:0.15em}"
    ".el-report .el-legend{font-size:0.9em;color:#231F20;background:#FFFFFF}"
    ".el-report .el-legend-title{font-weight:bold;margin:0.5em 0 0.2em}"
    ".el-report .el-legend ul{list-style:none;padding:0;margin:0;columns:2}"
    ".el-report .el-legend .el-icon{display:inline-block;width:1.5em;height:1.5em;line-height:1.5em;"
    "border-radius:50%;border:1px solid #231F20;text-align:center;font-weight:bold;margin-right:0.3em}"
    ".el-report .el-legend li{margin:0.15em 0;break-inside:avoid}"
    ".el-report:focus-visible{outline:2px solid #005EB8;outline-offset:2px}"
    # Printed: A4 landscape (for the whole document that shows the report: a named page would start the
    # report on a sheet of its own after an empty one in Chromium), the whole table on the page, words
    # wrapped, header rows repeated on a second page.
    "@page{size:A4 landscape;margin:10mm}"
    "@media print{.el-report{overflow:visible;max-width:none}"
    # Each cell's three lines (value, variation, assurance) in 7.5 pt; the key's icons and words on a line
    # or two (the words are in every cell; their meanings are on screen).
    ".el-report-table{font-size:7.5pt;line-height:1.1;width:100%}"
    ".el-report-table caption{font-size:8.5pt;padding:0 0 2pt}"
    ".el-report-table th,.el-report-table td{white-space:normal;padding:1pt 3pt}"
    ".el-report-table td.el-cell{min-width:0}"
    ".el-report-table .el-icon,.el-report .el-legend .el-icon{width:1.1em;height:1.1em;line-height:1.1em;"
    "margin-right:0.2em}"
    ".el-report-table .el-cell .el-badge{margin-top:0}"
    ".el-report-table thead{display:table-header-group}"
    ".el-report-table tr{break-inside:avoid}"
    ".el-report .el-legend{font-size:7.5pt;line-height:1.2}"
    ".el-report .el-legend-title{margin:3pt 0 1pt}"
    ".el-report .el-legend ul{columns:auto}"
    ".el-report .el-legend li{display:inline-block;margin:0 1em 0 0}"
    ".el-report .el-legend .el-meaning{display:none}}"
    "</style>"
)
