"""Making Data Count charts drawn from an :class:`SPCResult` (drawing only: nothing is computed here).

Colours are NHS England's Making Data Count palette (conventions.md); meaning is never carried by
colour alone: each point type has its own marker shape, every marker has a dark edge so it stands out
from the white background (WCAG 2.2 non-text contrast), and each icon carries a letter and a label in
words. The icons are drawn by this module's own code.

Figures stay legible in the book: two panels across at most by default (about 8.5 inches wide), and
many series are drawn a page of panels at a time (``page=``, ``per_page=``); one row per series, for
any number of series, is ``SPCResult.compact_view()`` (``equity_lib.process_control.compact``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import text_to_path
from matplotlib.ticker import MaxNLocator, PercentFormatter, StrMethodFormatter
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from equity_lib._figures import hand_back
from equity_lib.colours import MDC

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
PER_PAGE = 12  # panels on one page: six rows of two, a printed page
ICON_WIDTH = 0.85  # inches right of each panel for its icons

# How limits were set, marked on the chart in lines, shading and words (never colour alone).
REBASE_STYLE = dict(color=COLOURS["ink"], linewidth=1.0, linestyle=":")  # vertical, where a phase starts
BASELINE_SHADE = "#EEF2F3"  # behind the points that set frozen limits; its label says what it is
MARK_FONTSIZE = 8  # the words at the top of a panel: as large as the tick labels
MARK_ROW = 0.15  # inches from one row of those words to the next
MARK_PAD = 0.04  # inches between the panel's top and the first row
EXCLUDED_LABEL = "Excluded from limits"


# --- icons: what each shows, shared with the compact view ------------------------------------------

def variation_icon(code) -> tuple[str, str, str] | None:
    """The variation icon for a ``variation_icon`` code: (colour, letter, words), or None if missing."""
    if not isinstance(code, str):
        return None
    kind = "common_cause" if code == "common_cause" else code.rsplit("_", 1)[0]
    letter = "~" if kind == "common_cause" else ("H" if code.endswith("high") else "L")
    return COLOURS[kind], letter, VARIATION_WORDS[code]


def assurance_icon(code) -> tuple[str, str, str] | None:
    """The assurance icon for an ``assurance`` code: (colour, letter, words), or None if missing."""
    if not isinstance(code, str):
        return None
    colour = {"pass": COLOURS["improvement"], "fail": COLOURS["concern"],
              "hit_and_miss": COLOURS["common_cause"]}[code]
    letter = {"pass": "P", "fail": "F", "hit_and_miss": "?"}[code]
    return colour, letter, ASSURANCE_WORDS[code]


def letter_ink(colour: str) -> str:
    """The colour of a letter on an icon of ``colour``: white on the dark purple, ink elsewhere (each
    at least 4.5:1)."""
    return "white" if colour == COLOURS["neutral"] else COLOURS["ink"]


# --- words for the axes -----------------------------------------------------------------------------

_ACRONYMS = {"ae": "A&E", "a&e": "A&E", "imd": "IMD", "nhs": "NHS", "dna": "DNA", "rtt": "RTT",
             "gp": "GP", "icb": "ICB", "ons": "ONS", "los": "LOS", "id": "ID", "pct": "%"}


def words(name) -> str:
    """A column name in words: ``"week_start"`` -> "Week start", ``"imd_quintile"`` -> "IMD quintile"."""
    parts = [p for p in re.split(r"[_\s]+", str(name).strip()) if p]
    parts = [_ACRONYMS.get(p.lower(), p) for p in parts]
    text = " ".join(parts)
    return text[:1].upper() + text[1:] if text else str(name)


def _lower(text: str) -> str:
    """``text`` to follow other words: first letter lower case unless it starts an acronym."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def time_label(settings: dict) -> str:
    """The default x axis label: the ``time`` column in words, or what a point is without one."""
    if settings.get("time"):
        return words(settings["time"])
    return "Subgroup" if settings.get("chart") in ("xbar", "s") else "Point"


def value_label(settings: dict) -> str:
    """The default y axis label, in words, from the columns, chart and multiplier.

    p charts: "Over 4 hours (% of attendances)" when ``multiplier`` is 100; u charts: "Admissions per
    100,000 population"; others the value column in words ("Waiting time (%)" for ``multiplier=100``).
    """
    chart, m = settings.get("chart"), settings.get("multiplier", 1)
    if chart in ("p", "pp", "u", "up"):
        num, den = words(settings["numerator"]), _lower(words(settings["denominator"]))
        if chart in ("p", "pp"):
            if m == 100:
                return f"{num} (% of {den})"
            if m == 1:
                return f"{num} (proportion of {den})"
        return f"{num} per {m:,g} {den}" if m != 1 else f"{num} per {den}"
    base = words(settings.get("value") or "value")
    base = {"mr": f"Moving range of {_lower(base)}", "xbar": f"Mean of {_lower(base)}",
            "s": f"Standard deviation of {_lower(base)}"}.get(chart, base)
    if m == 100:
        return f"{base} (%)"
    return f"{base} (x {m:,g})" if m != 1 else base


def series_title(label, by: list[str]) -> str:
    """A panel's title: the series' ``by`` value(s); a number is named by its column ("IMD quintile 1")."""
    values = label if isinstance(label, tuple) else (label,)
    parts = []
    for column, value in zip(by, values, strict=False):
        is_number = isinstance(value, numbers.Number) and not isinstance(value, bool)
        parts.append(f"{words(column)} {value:g}" if is_number else str(value))
    return " / ".join(parts)


# --- which series, which page -----------------------------------------------------------------------

def series_keys(frame: pd.DataFrame, by: list[str]) -> list:
    """Each row's series as a hashable key: the ``by`` value, a tuple of values for two or more ``by``
    columns, or ``"all"``."""
    if not by:
        return ["all"] * len(frame)
    if len(by) == 1:
        return list(np.asarray(frame[by[0]], dtype=object))
    return list(zip(*(np.asarray(frame[c], dtype=object) for c in by), strict=True))


def _key_text(key) -> str:
    return " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def choose_series(keys: list, series, by: list[str]) -> list:
    """The keys asked for by ``series`` (a label, a tuple of ``by`` values, or a list of them), in the
    order given; every key, in data order, when ``series`` is None."""
    if series is None:
        return keys
    wanted = list(series) if isinstance(series, (list, pd.Index, pd.Series, np.ndarray)) else [series]
    by_text = {_key_text(k): k for k in keys}
    chosen = []
    for item in wanted:
        key = item if item in keys else by_text.get(_key_text(item))
        if key is None:
            shown = ", ".join(repr(_key_text(k)) for k in keys[:5]) + (", ..." if len(keys) > 5 else "")
            raise ValueError(f"series={item!r} is not a series of this result (by={by}); its series are "
                             f"{shown}. Fix: pass one of those.")
        chosen.append(key)
    return chosen


def page_slice(n: int, page: int | None, per_page: int, *, what: str, fix: str) -> tuple[slice, int]:
    """The items of page ``page`` (1-based) of ``n`` items, ``per_page`` a page, and the number of pages.

    Without ``page``, every item when they fit on one page; otherwise a ValueError naming the pages and
    ``fix``.
    """
    if not isinstance(per_page, (int, np.integer)) or isinstance(per_page, bool) or per_page < 1:
        raise ValueError(f"per_page must be a whole number of at least 1, not {per_page!r}.")
    pages = max(1, math.ceil(n / per_page))
    if page is None:
        if n > per_page:
            raise ValueError(f"{n} {what} would need {pages} pages of {per_page}. Fix: {fix}")
        return slice(0, n), 1
    if not isinstance(page, (int, np.integer)) or isinstance(page, bool) or not 1 <= page <= pages:
        raise ValueError(f"page must be a whole number from 1 to {pages} ({n} {what}, {per_page} a page), "
                         f"not {page!r}.")
    return slice((page - 1) * per_page, page * per_page), pages


# --- the chart ----------------------------------------------------------------------------------------

def plot_spc(result, *, ax=None, series=None, page: int | None = None, per_page: int = PER_PAGE,
             title: str | None = None, ylabel: str | None = None, xlabel: str | None = None,
             ncols: int | None = None, sharey: bool = False, icons: bool = True,
             percent: bool | None = None, legend: bool = True,
             panel_size: tuple[float, float] | None = None):
    """Draw one panel per series, with the variation and assurance icons of its last phase.

    How the limits were set is marked on each panel, in line style, markers and words as well as
    colour, and named in the legend only when some panel shows it: a rebase (``rebase=``) is a vertical
    dotted line labelled "New limits from <time>"; frozen limits (``freeze=n``) shade the n points
    that set them, labelled "Limits from first n points", so the later points read as judged against
    that baseline; excluded points (``exclude=``) are hollow markers ("Excluded from limits"), still
    of their type's shape; trial limits (fewer than ``min_points`` points set them) are labelled
    "Trial limits" ("Trial limits (fewer than 13 points)" in the legend). The words sit above the data,
    in a band at the top of the panel with no ticks.

    Parameters
    ----------
    result : SPCResult
    ax : matplotlib.axes.Axes, optional
        Draw one series on this axes (pick it with ``series`` when the result has several); the
        icons go just right of it and the legend inside it. Returns the axes' figure.
    series : str, tuple or list, optional
        The series to draw, in this order: ``by`` values (a tuple, or the values joined by " / ",
        for two or more ``by`` columns). Default every series, in data order. Pick them from
        :meth:`~equity_lib.process_control.SPCResult.compact`, e.g. its rows sorted by variation.
    page, per_page : int, optional
        Draw page ``page`` (1, 2, ...) of the series, ``per_page`` panels a page (default 12). More
        series than ``per_page`` need a ``page`` (or
        :meth:`~equity_lib.process_control.SPCResult.plot_pages` for every page): a figure of 100
        panels cannot be read; ``result.compact_view()`` shows every series as one row each. The
        page and the number of pages go in the title.
    title : str, optional
        The figure's title: state the finding ("Two trusts are improving; none will meet 92%").
    ylabel, xlabel : str, optional
        Axis labels with units; default the columns in words (``value_label``,
        ``time_label`` in this module), e.g. "Over 4 hours (% of attendances)" and "Month".
    ncols : int, optional
        Panels across (default 2, 1 for a single series): the figure stays about 8.5 inches wide,
        legible at 0.7 of its size on a 1280-pixel page.
    sharey : bool
        One y scale for every panel (compare levels) or one each (see each pattern).
    icons : bool
        Draw the variation and assurance icons beside each panel.
    percent : bool, optional
        Label the y ticks as percentages of 100 (values already on a 0-100 scale). Default: for p
        and p' charts with ``multiplier=100``. Otherwise ticks of 1,000 and over have thousands
        separators.
    legend : bool
        Draw the legend of lines and point types.
    panel_size : tuple of float, optional
        Width and height of one panel in inches (default (6, 3.2) for one across, (3.5, 2.4) for
        two).

    Returns
    -------
    matplotlib.figure.Figure
        Closed in pyplot when made here (shown once in Jupyter as the cell's value; ``savefig``
        works), or the figure of ``ax``.
    """
    settings = result.settings
    by = settings.get("by") or []
    table = result.table
    keys = series_keys(table, by)
    rows = pd.Series(np.arange(len(table))).groupby(pd.Series(keys, dtype=object), sort=False).indices
    names = list(rows)
    chosen = choose_series(names, series, by)
    summary = result.summary_table
    last = dict(zip(series_keys(summary, by), summary.itertuples(index=False), strict=True))
    if percent is None:
        percent = settings.get("chart") in ("p", "pp") and settings.get("multiplier") == 100
    ylabel = value_label(settings) if ylabel is None else ylabel
    xlabel = time_label(settings) if xlabel is None else xlabel
    centre = "median" if settings.get("chart") in ("run", "g") else "mean"
    if ax is not None:
        if len(chosen) != 1:
            shown = ", ".join(repr(_key_text(k)) for k in chosen[:3]) + (", ..." if len(chosen) > 3 else "")
            raise ValueError(f"ax= draws one series, and {len(chosen)} are asked for ({shown}). Fix: pass "
                             f"series={_key_text(chosen[0])!r} to draw one of them on ax, or leave out "
                             "ax= to draw one panel per series (by).")
        t = table.iloc[rows[chosen[0]]]
        box = ax.get_window_extent()  # the caller's axes: its size before any layout, in inches
        size = (box.width / _root(ax).dpi, box.height / _root(ax).dpi)
        marks = _draw_panel(ax, t, settings, size)
        _format_y(ax, _span(t), percent)
        band = _make_room(ax, marks, size[1])
        ax.set_title(title or (series_title(chosen[0], by) if by else ""), loc="left", fontsize=11)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        if icons:
            _draw_icons(ax, last[chosen[0]])
        if legend:
            handles = _legend_handles(t, centre, settings)
            ax.legend(handles=handles, loc="best", fontsize=7, frameon=True, framealpha=0.9, edgecolor="none",
                      ncol=2 if len(handles) > 6 else 1,  # two columns: less of the data hidden
                      bbox_to_anchor=(0, 0, 1, 1 - band))  # below the words at the top
        return _root(ax)

    part, pages = page_slice(
        len(chosen), page, per_page, what="series",
        fix=f"pass page=1 (up to {math.ceil(len(chosen) / per_page)}) to draw one page, "
            "result.plot_pages() for every page, series=[...] for the ones you need, or per_page= for "
            "bigger pages; or see every series as one row in result.compact_view().")
    on_page = chosen[part]
    ncols = ncols or (1 if len(on_page) == 1 else 2)
    ncols = max(1, min(ncols, len(on_page)))
    nrows = math.ceil(len(on_page) / ncols)
    width, height = panel_size or ((6.0, 3.2) if ncols == 1 else (3.5, 2.4))
    icon_width = ICON_WIDTH if icons else 0.0
    fig = plt.figure(figsize=((width + icon_width) * ncols, height * nrows + (1.3 if legend else 0.6)),
                     layout="constrained")
    grid = fig.add_gridspec(nrows, ncols)
    shared_span = _span(table.iloc[np.concatenate([rows[k] for k in on_page])]) if sharey else None
    first_ax = None
    # The plotting area of a panel, less than the panel (axis labels, title): the size words are fitted to.
    size = (width - 0.5, height - 0.5)
    made_room = []
    for k, key in enumerate(on_page):
        row, col = divmod(k, ncols)
        panel = fig.add_subplot(grid[row, col],
                                sharey=first_ax if sharey else None)
        first_ax = first_ax or panel
        t = table.iloc[rows[key]]
        made_room.append((panel, _draw_panel(panel, t, settings, size)))
        _format_y(panel, shared_span or _span(t), percent)
        panel.set_title(series_title(key, by) if by else "", loc="left", fontsize=10)
        panel.set_ylabel(ylabel if col == 0 else "", fontsize=9)
        panel.set_xlabel(xlabel if row == nrows - 1 or k + ncols >= len(on_page) else "", fontsize=9)
        panel.tick_params(labelsize=8)
        if icons:
            _draw_icons(panel, last[key])
    # Room for the words at the top, once every panel is drawn (a shared y scale is set once, for all).
    if sharey:
        _make_room(first_ax, max(marks for _, marks in made_room), size[1])
    else:
        for panel, marks in made_room:
            _make_room(panel, marks, size[1])
    heading = title or ""
    if pages > 1:
        first, end = part.start + 1, part.start + len(on_page)
        note = f"page {page} of {pages}: series {first} to {end} of {len(chosen)}"
        heading = f"{heading} ({note})" if heading else note[0].upper() + note[1:]
    if heading:
        fig.suptitle(heading, fontsize=12, fontweight="bold", x=0.01, ha="left", wrap=True)
    if legend:
        handles = _legend_handles(table.iloc[np.concatenate([rows[k] for k in on_page])], centre, settings)
        fig.legend(handles=handles, loc="outside lower center", ncol=2 if ncols == 1 else 3, frameon=False,
                   fontsize=8)
    return hand_back(fig)


def plot_pages(result, *, per_page: int = PER_PAGE, **kwargs) -> Iterator:
    """Every page of :func:`plot_spc`, one figure at a time (e.g. into a PdfPages file)."""
    by = result.settings.get("by") or []
    keys = choose_series(list(dict.fromkeys(series_keys(result.table, by))), kwargs.pop("series", None), by)
    for page in range(1, max(1, math.ceil(len(keys) / per_page)) + 1):
        yield plot_spc(result, series=keys, page=page, per_page=per_page, **kwargs)


def _root(ax):
    """The top-level figure of ``ax`` (not a subfigure)."""
    try:
        return ax.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        fig = ax.figure
        return getattr(fig, "figure", fig) or fig


def _span(t) -> tuple[float, float]:
    """The lowest and highest number drawn: values, limits and target."""
    drawn = t[["value", "cl", "lcl", "ucl", "target"]].to_numpy(dtype=float)
    finite = drawn[np.isfinite(drawn)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def _format_y(ax, span, percent: bool) -> None:
    """At most five steps of 1, 2 or 5 (times a power of ten) on the y axis, labelled with the decimals
    they need: as percentages, or with thousands separators (matplotlib's formatters)."""
    low, high = span
    step = (high - low) / 5
    decimals = 0 if step <= 0 else int(min(6, max(0, math.ceil(-math.log10(step)))))
    ax.yaxis.set_major_locator(_TicksUpTo(nbins=5, steps=[1, 2, 5, 10]))
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=decimals))
    else:
        ax.yaxis.set_major_formatter(StrMethodFormatter(f"{{x:,.{decimals}f}}"))


def _with_breaks(x, y, phase):
    """x and y with a gap between phases, so each phase's line is one piece of one Line2D."""
    if len(phase) < 2 or (phase[1:] == phase[:-1]).all():
        return x, y
    starts = np.flatnonzero(phase[1:] != phase[:-1]) + 1
    is_date = np.issubdtype(x.dtype, np.datetime64)
    gap_x = np.array(["NaT"] * len(starts), dtype=x.dtype) if is_date else np.full(len(starts), np.nan)
    return (np.insert(x.astype(x.dtype if is_date else float), starts, gap_x),
            np.insert(y.astype(float), starts, np.nan))


def _draw_panel(ax, t, settings: dict, size: tuple[float, float]) -> int:
    """Draw one series on ``ax`` (about ``size`` inches of plotting area): values, centre line,
    limits, target and points, and how the limits were set (:func:`_mark_limits`). Returns the rows of
    words at the panel's top, to make room for with :func:`_make_room` once the y scale is known."""
    x = _drawable_time(t["time"])
    if x.dtype == object:  # numbers stored as objects become numbers; text labels stay text
        numeric = pd.to_numeric(t["time"], errors="coerce")
        x = numeric.to_numpy(dtype=float) if numeric.notna().all() else x.astype(str)
    is_date = np.issubdtype(x.dtype, np.datetime64)
    value = t["value"].to_numpy(dtype=float)
    phase = t["phase"].to_numpy()
    ax.plot(x, value, color=COLOURS["line"], linewidth=1.2, zorder=2)
    if x.dtype.kind in "fiuM":
        lines = [("cl", dict(color=COLOURS["ink"], linewidth=1.4)),
                 ("lcl", dict(color=COLOURS["line"], linewidth=1.0, linestyle="--")),
                 ("ucl", dict(color=COLOURS["line"], linewidth=1.0, linestyle="--"))]
        for column, style in lines:
            ax.plot(*_with_breaks(x, t[column].to_numpy(dtype=float), phase), zorder=1, **style)
    else:  # text labels (xbar/s subgroups): one line per phase
        for p in pd.unique(phase):
            inside = phase == p
            ax.plot(x[inside], t["cl"].to_numpy()[inside], color=COLOURS["ink"], linewidth=1.4, zorder=1)
            for limit in ("lcl", "ucl"):
                ax.plot(x[inside], t[limit].to_numpy()[inside], color=COLOURS["line"], linewidth=1.0,
                        linestyle="--", zorder=1)
    target = t["target"].to_numpy(dtype=float)
    if np.isfinite(target).any():
        ax.plot(x, target, color=COLOURS["target"], linewidth=1.4, linestyle=(0, (6, 2, 1, 2)), zorder=1)
    kinds = t["point_type"]
    excluded = t["excluded"].to_numpy(dtype=bool)
    for kind, marker in MARKERS.items():
        these = kinds.eq(kind).to_numpy(dtype=bool, na_value=False)
        kept = these & ~excluded
        if kept.any():
            ax.plot(x[kept], value[kept], linestyle="none", marker=marker, markersize=5.8,
                    markerfacecolor=COLOURS[kind], markeredgecolor=COLOURS["ink"], markeredgewidth=0.7,
                    zorder=3)
        left_out = these & excluded  # hollow: still judged (its shape gives its type), not in the limits
        if left_out.any():
            ax.plot(x[left_out], value[left_out], linestyle="none", marker=marker, markersize=6.2,
                    markerfacecolor="white", markeredgecolor=COLOURS["ink"], markeredgewidth=1.2, zorder=3)
    rows = _mark_limits(ax, t, x, settings, size)
    if is_date:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
        locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]  # 2-3 years of weeks: a tick a year
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#E8EDEE", linewidth=0.8)
    return rows


# --- how the limits were set: rebase, frozen baseline, trial limits -----------------------------------

def _positions(x) -> np.ndarray:
    """Where ``x`` (as drawn) lies on the x axis, as numbers: dates as matplotlib date numbers, text
    labels as 0, 1, ... in order of first appearance (matplotlib's categorical axis), numbers as they are."""
    if np.issubdtype(x.dtype, np.datetime64):
        return mdates.date2num(x)
    if x.dtype.kind in "fiu":
        return x.astype(float)
    return pd.factorize(x)[0].astype(float)


def _when(value, settings: dict, monthly: bool) -> str:
    """A time value in words for a label: "Jan 2024" (monthly), "1 Jan 2024", "week 40", "B"."""
    if isinstance(value, pd.Period):
        if value.freqstr.startswith("M"):
            return f"{value:%b %Y}"
        if value.freqstr[:1] in ("D", "B", "W"):
            value = value.start_time
        else:
            return str(value)
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "strftime"):
        day = pd.Timestamp(value)
        if monthly:
            return f"{day:%b %Y}"
        clock = f" {day:%H:%M}" if day != day.normalize() else ""
        return f"{day.day} {day:%b %Y}{clock}"
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return f"{_lower(time_label(settings))} {value:g}"
    return str(value)


def _text_width(text: str) -> float:
    """The width of ``text`` at ``MARK_FONTSIZE``, in inches (measured from the font, no renderer)."""
    width, _, _ = text_to_path.get_text_width_height_descent(text, FontProperties(size=MARK_FONTSIZE),
                                                             ismath=False)
    return width * 1.04 / 72


def _phase_label(k: int, frozen: bool, trial: bool, has_limits: bool, freeze, when: str) -> str | None:
    """The words for phase ``k`` (0 for the first): how its limits were set, or None if nothing to say."""
    if k == 0:
        if frozen:
            return f"{'Trial limits' if trial else 'Limits'} from first {freeze} points"
        return "Trial limits" if trial else None
    what = "trial limits" if trial else ("limits" if has_limits else "phase")
    return f"New {what} from {when}"


def _mark_limits(ax, t, x, settings: dict, size: tuple[float, float]) -> int:
    """Mark on ``ax`` how each phase's limits were set, in line style, shading and words.

    * a rebase (a phase after the first): a vertical dotted line between the two phases, labelled
      "New limits from <time of its first point>";
    * frozen limits (``freeze=n`` and a phase longer than n): the n points that set them shaded, the
      first phase labelled "Limits from first n points", so what later points are judged against reads
      on the chart;
    * trial limits (a phase with fewer than ``min_points`` points setting its limits): "Trial limits"
      (the legend says "fewer than 13 points").

    The words sit in rows at the top of the panel (a row further down when two would overlap), in a band
    that :func:`_make_room` keeps clear of the data. Returns the number of rows (0: nothing to say).
    """
    n = len(t)
    if n == 0:
        return 0
    pos = _positions(x)
    phase = t["phase"].to_numpy()
    starts = np.flatnonzero(np.r_[True, phase[1:] != phase[:-1]])
    ends = np.r_[starts[1:], n]
    step = pos[1] - pos[0] if n > 1 and np.isfinite(pos[:2]).all() and pos[1] != pos[0] else 1.0
    edges = np.r_[pos[0] - step / 2, (pos[:-1] + pos[1:]) / 2]  # just before each point
    freeze = settings.get("freeze")
    trial = t["trial_limits"].to_numpy(dtype=bool)
    limits = np.isfinite(t[["lcl", "ucl"]].to_numpy(dtype=float)).any(axis=1)
    monthly = False  # every time the first of a month at midnight: labels say "Jan 2024"
    if pd.api.types.is_datetime64_any_dtype(t["time"]):
        days = pd.DatetimeIndex(t["time"]).dropna()
        monthly = bool(len(days)) and bool(((days.day == 1) & (days == days.normalize())).all())
    labels = []
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        left = edges[start]
        if not np.isfinite(left):
            continue
        if k > 0:
            ax.axvline(left, zorder=1.5, **REBASE_STYLE)
        frozen = freeze is not None and end - start > freeze
        if frozen:
            right = edges[start + freeze]
            if np.isfinite(right):
                ax.axvspan(left, right, facecolor=BASELINE_SHADE, edgecolor="none", zorder=0)
        text = _phase_label(k, frozen, bool(trial[start]), bool(limits[start:end].any()), freeze,
                            _when(t["time"].iloc[start], settings, monthly) if k > 0 else "")
        if text:
            labels.append((left, text))
    if not labels:
        return 0
    return _place_labels(ax, labels, size[0])


def _place_labels(ax, labels, width: float) -> int:
    """Write each (x position, words) at the top of ``ax`` (``width`` inches wide): just right of its
    position, on two lines ("... / from ...") when one would run past the right edge, else just left of
    it; a row lower when it would overlap words already placed. Returns the number of rows used."""
    x0, x1 = ax.get_xlim()
    gap = 3 / 72  # inches between a label and its line, and between two labels
    fig = ax.get_figure()
    along = blended_transform_factory(ax.transData, ax.transAxes)
    taken: list[list[tuple[float, float]]] = []  # per row, the spans (inches) already written

    def free(row, first, last):
        return row >= len(taken) or all(last + gap <= a or first >= b + gap for a, b in taken[row])

    for where, text in labels:
        at = min(max((where - x0) / (x1 - x0) * width, 0.0), width)  # inches from the panel's left edge
        forms = [text] + ([text.replace(" from ", "\nfrom ", 1)] if " from " in text else [])
        choices = []
        for side in ("left", "right"):  # ha: words to the right of the position, then to its left
            for form in forms:
                wide = max(_text_width(line) for line in form.split("\n"))
                first = at + gap if side == "left" else at - gap - wide
                if first >= 0 and first + wide <= width:
                    choices.append((form, side, first, first + wide))
        if not choices:  # wider than either side: as near its position as the panel allows
            form = forms[-1]
            wide = max(_text_width(line) for line in form.split("\n"))
            first = max(0.0, min(at + gap, width - wide))
            choices.append((form, "free", first, first + wide))
        row = 0
        while True:
            spot = next((c for c in choices
                         if all(free(r, c[2], c[3]) for r in range(row, row + c[0].count("\n") + 1))), None)
            if spot is not None:
                break
            row += 1
        form, side, first, last = spot
        for r in range(row, row + form.count("\n") + 1):
            taken.extend([] for _ in range(r + 1 - len(taken)))
            taken[r].append((first, last))
        down = -(MARK_PAD + row * MARK_ROW)
        style = dict(va="top", fontsize=MARK_FONTSIZE, color=COLOURS["ink"],
                     linespacing=MARK_ROW * 72 / MARK_FONTSIZE)
        if side == "free":
            ax.text(0, 1, form, transform=ax.transAxes + ScaledTranslation(first, down, fig.dpi_scale_trans),
                    ha="left", **style)
        else:
            shift = gap if side == "left" else -gap
            ax.text(where if x0 <= where <= x1 else (x0 if where < x0 else x1), 1, form,
                    transform=along + ScaledTranslation(shift, down, fig.dpi_scale_trans), ha=side, **style)
    return len(taken)


class _TicksUpTo(MaxNLocator):
    """:class:`MaxNLocator` with no tick above ``top`` (the band of words above the data has none)."""

    top: float | None = None

    def tick_values(self, vmin, vmax):
        ticks = super().tick_values(vmin, vmax)
        if self.top is None:
            return ticks
        return ticks[ticks <= self.top + 1e-9 * max(abs(self.top), abs(vmax - vmin), 1e-300)]


def _make_room(ax, rows: int, height: float) -> float:
    """Raise the top of ``ax`` (about ``height`` inches tall) so ``rows`` rows of words fit above the data,
    with no tick or grid line among them. Returns the share of the panel's height kept for them."""
    if rows <= 0:
        return 0.0
    low, high = ax.get_ylim()
    share = min(0.45, (MARK_PAD + rows * MARK_ROW + 0.03) / max(height, 0.5))
    ax.set_ylim(low, high + (high - low) * share / (1 - share))
    locator = ax.yaxis.get_major_locator()
    if isinstance(locator, _TicksUpTo):
        locator.top = high
    return share


def _draw_icons(ax, last):
    """Variation (upper) and assurance (lower) icons just right of ``ax``: a disc with a letter, and
    words below it. Text artists of ``ax`` (a fixed distance from its edge, in inches), so the layout
    makes room for them and no extra axes are drawn."""
    fig = ax.get_figure()
    for y, icon in ((0.72, variation_icon(last.variation_icon)), (0.24, assurance_icon(last.assurance))):
        if icon is None:
            continue
        colour, letter, text = icon
        centre = ax.transAxes + ScaledTranslation(ICON_WIDTH / 2, 0, fig.dpi_scale_trans)
        below = ax.transAxes + ScaledTranslation(ICON_WIDTH / 2, -0.2, fig.dpi_scale_trans)
        ax.text(1, y, letter, transform=centre, ha="center", va="center", fontsize=11,
                fontweight="bold", color=letter_ink(colour), clip_on=False,
                bbox=dict(boxstyle="circle,pad=0.45", facecolor=colour, edgecolor=COLOURS["ink"],
                          linewidth=1.1))
        ax.text(1, y, text.replace(" (", "\n(").replace(" target", "\ntarget"), transform=below,
                ha="center", va="top", fontsize=7, color=COLOURS["ink"], linespacing=1.1, clip_on=False)


def _legend_handles(table, centre, settings=None):
    """The legend's entries: lines and point types drawn, then how the limits were set (rebase, frozen
    baseline, excluded points, trial limits), each only when some panel shows it."""
    handles = [Line2D([], [], color=COLOURS["ink"], linewidth=1.4, label=f"Centre line ({centre})"),
               Line2D([], [], color=COLOURS["line"], linewidth=1.0, linestyle="--", label="Process limits")]
    if table["lcl"].isna().all() and table["ucl"].isna().all():
        handles.pop()
    if table["target"].notna().any():
        handles.append(Line2D([], [], color=COLOURS["target"], linewidth=1.4,
                              linestyle=(0, (6, 2, 1, 2)), label="Target"))
    for kind in MARKERS:
        if (table["point_type"] == kind).any():
            handles.append(Line2D([], [], marker=MARKERS[kind], linestyle="none", markersize=7,
                                  markerfacecolor=COLOURS[kind], markeredgecolor=COLOURS["ink"],
                                  label=POINT_LABELS[kind]))
    return handles + _limit_handles(table, settings or {})


def _limit_handles(table, settings: dict) -> list:
    """Legend entries for what :func:`_mark_limits` and the hollow markers show, when it is shown."""
    by = settings.get("by") or []
    keys = pd.Series(series_keys(table, by), index=table.index, dtype=object)
    handles = []
    phase = table["phase"]
    if (phase.groupby(keys, sort=False).nunique() > 1).any():
        handles.append(Line2D([], [], label="Rebase: limits recalculated", **REBASE_STYLE))
    freeze = settings.get("freeze")
    if freeze is not None and (table.groupby([keys, phase], sort=False).size() > freeze).any():
        handles.append(Patch(facecolor=BASELINE_SHADE, edgecolor=COLOURS["line"], linewidth=0.5,
                             label="Baseline: its points set the limits"))
    if (table["excluded"].to_numpy(dtype=bool) & table["value"].notna().to_numpy()).any():
        handles.append(Line2D([], [], marker="o", linestyle="none", markersize=7, markerfacecolor="white",
                              markeredgecolor=COLOURS["ink"], markeredgewidth=1.2, label=EXCLUDED_LABEL))
    if table["trial_limits"].to_numpy(dtype=bool).any():
        fewer = settings.get("min_points", 13)
        handles.append(Line2D([], [], linestyle="none", label=f"Trial limits (fewer than {fewer} points)"))
    return handles


def _drawable_time(time: pd.Series) -> np.ndarray:
    """Times matplotlib draws on a date axis: a Period as its start, a zoned time as its local clock time."""
    if isinstance(time.dtype, pd.PeriodDtype):
        return time.dt.to_timestamp().to_numpy()
    if isinstance(time.dtype, pd.DatetimeTZDtype):
        return time.dt.tz_localize(None).to_numpy()
    return time.to_numpy()
