"""Publishing counts safely: small-number suppression, rounding to 5 and secondary suppression, for one
table or for several tables published together.

* :func:`suppress` - the table to publish: counts of 1 to 7 shown as ``*``, the rest rounded to the
  nearest 5, totals calculated from the unrounded counts and then rounded, and further cells hidden
  so that no hidden cell can be worked out from the totals.
* :func:`suppress_linked` - several tables from the same data (a breakdown and its total, tables that
  share a margin, two periods and their sum), protected together: reading all of them narrows no hidden
  cell further than the rule promises for one table.
* :func:`check_safe` - is a published table, or a set of tables published together, safe, and why (or
  why not)? It runs the same attack as an intruder would: every total as an equation, solved exactly.
* :func:`round_counts` - round whole counts to a base (default 5), half up.
* :class:`DisclosureWarning` - :func:`suppress` could not protect every hidden cell (only zeros were
  left to hide while zeros are shown).
* :func:`~equity_lib.disclosure.plot.plot_ranges` - draw what the intruder is left with: the range of
  counts each hidden cell could hold, for one table or several side by side (e.g. primary suppression
  only against :func:`suppress`).

Rules and sources
-----------------
Defaults follow ``conventions.md`` ("Publishing safely"): the rule NHS Digital adopted for Hospital
Episode Statistics (HES) and the Emergency Care Data Set from September 2018, and which OpenSAFELY
projects apply (``redact_small_numbers(n=7, rounding_base=5)``):

1. Primary suppression: a count from 1 to ``threshold`` (7) is shown as ``*``. Zeros are shown as
   ``0`` (``suppress_zeros=True`` hides them too). 10 is also a common threshold.
2. Rounding: every other count is rounded to the nearest ``rounding`` (5). Ties round half up
   (away from zero). With a base of 5 whole numbers never tie (2 rounds to 0, 3 to 5); with an even
   base they do, e.g. base 10: 5 -> 10, 15 -> 20. ``rounding=1`` turns rounding off.
3. Totals: row totals, column totals and the grand total are calculated from the unrounded counts,
   then suppressed (if 1 to 7) or rounded like any other count. So a published total need not equal
   the sum of the published cells; :attr:`SuppressionResult.footnote` says so in words.
4. Secondary suppression (``conventions.md`` asks for it; NHS Digital's 2018 method was introduced
   to replace manual secondary suppression with rounding, and ``secondary=False`` gives primary
   suppression and rounding only): in every row or column that has a total and exactly one hidden
   cell, the smallest other cell is hidden too, repeated until no such line is left. A zero is never
   hidden to protect another cell: zeros are published as ``0``, so a hidden zero protects nothing (an
   intruder who knows the rule knows every ``*`` is at least 1), and it may be structural - men in
   maternity - and known anyway. "Smallest" prefers, in order: a cell inside the table over a total; the
   smallest count; the first in reading order. Then the table is attacked (below); while any hidden
   cell can be pinned, the smallest visible non-zero cell in its row or column (or, if there is none,
   in the table) is hidden too, and the loop repeats. A cheap pattern first, then the audit (below)
   until it passes, as Hundepool et al. (2012), chapter 4, describe for secondary cell suppression. If
   every non-zero cell is hidden and a cell is still exposed (a row of seven 1s and its total: the total
   is at least 7, so "if small" it is exactly 7), nothing more can protect it while zeros are shown:
   :func:`suppress` warns (:class:`DisclosureWarning`), its audit marks the cell, and
   ``suppress_zeros=True`` is the fix.

Totals
------
A row or column is a total when its label, ignoring case and spaces, is ``total_label`` or one of
"Total", "Totals", "All" (what ``pandas.crosstab(margins=True)`` writes), "Overall" or "Grand total".
With several levels of row labels (a MultiIndex, e.g. trust and sex), a level so labelled means "every
value", and so do the empty levels beside it (``("Total", "")``, as pandas writes a margin); a label such
as ``("Trust A", "Total")`` is a subtotal. :func:`check_safe` also reads as a total a row (column) that is
not labelled as one but equals the sum of the other rows (columns) wherever they are all shown, in at
least two columns (rows) with at least two non-zero parts each: an intruder would, and the reasons say
so. :func:`suppress` refuses data that carry their own totals, labelled or not: it adds the totals itself,
from the unrounded counts.

The attack (what "cannot be recovered" means)
---------------------------------------------
The intruder sees only the published tables and knows the rules above. Every published number ``r``
means the true count lies in ``r - floor(base/2) .. r + ceil(base/2) - 1`` (8 to 12 for ``10`` with
base 5), is not negative, and is not 1 to 7 (or it would have been hidden): a published ``0`` is an
exact zero (with ``threshold=0``, rounding only, it is 0 to 2). A hidden cell is an unknown whole
number of at least 1 when zeros are shown (the default, ``suppress_zeros=False``): the rule hides counts
of 1 to the threshold and secondary suppression never hides a zero, so a ``*`` is never 0, and an
intruder who knows the rules uses that (four hidden 1s in two rows each adding up to 2 are all exactly
1, though each could be 0 to 2 if a ``*`` could be 0). With ``suppress_zeros=True`` (or
``threshold=0``) a hidden cell is an unknown whole number of at least 0. Every row and column adds up
to its total. For each hidden cell the intruder
minimises and maximises it subject to all of this: the lowest and highest value it could take.

A hidden cell is **protected** when (a) the intruder is left with at least ``min_values`` (2)
possible values, and (b) supposing it hides a small count (1 to 7), it could still be at least two
of them (the range (a) intersected with 1..7; if that is empty the intruder learns only that it is
not a small count, which discloses nothing). This follows the feasibility-interval ("intruder")
approach of Hundepool et al., *Statistical Disclosure Control* (Wiley, 2012), chapters 4-5 (the audit
of a suppression pattern: two linear programmes per hidden cell), with the smallest protection interval
that still forbids exact disclosure. It assumes the intruder does not know which ``*`` are small counts;
(b) lets the intruder test that guess one cell at a time.

How the bounds are computed, exactly over whole numbers:

* One table. Its cells, margins and grand total form a network: a node per row and per column, a
  source and a sink; a cell is an arc from its row to its column, a row total an arc from the source,
  a column total an arc to the sink, the grand total an arc back, each bounded by what the intruder
  knows of it. Any table of counts that fits the published numbers is a circulation in this network,
  and the largest value of cell ``k`` (an arc ``u -> v`` carrying ``f_k`` in one such circulation) is
  ``f_k + maxflow(v -> u)`` in the residual network without that arc's own reverse edge; the smallest
  is ``f_k - maxflow(u -> v)`` likewise (Gusfield, "A graph theoretic approach to statistical data
  security", *SIAM J. Computing* 17(3), 1988; Ahuja, Magnanti and Orlin, *Network Flows*, 1993,
  chapters 6-7). Network matrices are totally unimodular, so the ends are whole numbers and every whole
  number between them is possible. Two maximum flows per hidden cell replace two linear programmes;
  while secondary suppression searches, a cell is first tested by whether one unit can move round a
  cycle through it (a breadth-first search), which is all that the protection rule needs for a
  small count. scipy's maximum flow holds capacities as int32, so they are capped at 2**29: a flow below
  the cap is still exact, and a bound that reaches it (counts in the hundreds of millions) is solved by
  linear programming instead.
* Linked tables. Tables published from the same data are all sums of one finer table: the count of
  every combination of every variable used in any of them (trust x sex x ethnic group for a trust x sex
  x ethnic group table and a trust x ethnic group table). The intruder's unknowns are those finest
  counts, whole numbers of at least 0; every published number, in any table, is the sum of the finest
  counts in its box and is bounded as above (a hidden one at least 1 when zeros are shown: a finest count
  may be 0, a ``*`` may not). Every linear relation among the tables (a shared margin,
  a breakdown and its total, two periods and their sum) follows from this, and so do the Frechet-type
  bounds a finest count's non-negativity gives. When the boxes split into two families of nested boxes
  (a breakdown and its total; two periods and their sum) the constraints are again a network, and the
  bounds are maximum flows as for one table. Otherwise (tables that share only a margin, three-way sets)
  each bound is a linear programme (HiGHS, through ``scipy.optimize.milp``); such constraints need not be
  a network, so when an optimum is not at whole numbers the whole-number programme is solved instead,
  and the range "if it is small" is solved with the cell held to 1..7 rather than read off the range.
  This is the audit of linked tables of Hundepool et al. (2012), chapter 4, and of de Wolf and Giessing,
  "Adjusting the tau-ARGUS modular approach to deal with linked tables", *Data & Knowledge Engineering*
  68(11), 2009.
  ``possible_values`` counts the whole numbers from lowest to highest; with linked tables a number in
  between may be impossible (the ends are exact).

Tables made elsewhere. :func:`check_safe` takes the stated rules at their word, so with zeros shown
every ``*`` is at least 1. If no table of whole counts fits the published numbers that way (a ``*`` must
hide a 0: another tool hid a zero as a complement, or the rules stated are not the ones used), the table
is NOT safe: the reasons say a ``*`` must be 0, which the stated rules rule out, and the attack is run
again with every ``*`` at least 0 (what an intruder falls back to on noticing), its ranges in the
audit and any cell it pins reported as well. Why not safe: the publication contradicts its own rules,
so no promise made under those rules holds; the fix is to show zeros as 0, or, if zeros are hidden
too, to check with ``suppress_zeros=True``. A hidden zero that the numbers do not reveal cannot be seen
in the published table; the check then holds for an intruder who believes the stated rules, and its
verdict says it assumed every ``*`` is at least 1.

What it does not cover: differencing against earlier publications that are not passed in, and an
intruder who reasons about which cells the secondary-suppression rule would have chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
import pandas as pd

from equity_lib._validation import MAX_COUNT as _MAX_COUNT
from equity_lib._validation import count_column, require_columns, require_dataframe, rows_phrase, whole_number

SUPPRESSED = "*"
TOTAL = "Total"
SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"

#: Labels read as a total (compared ignoring case and surrounding or repeated spaces).
TOTAL_LABELS = ("Total", "Totals", "All", "Overall", "Grand total")

#: The largest count handled, 2**53, beyond which float64 no longer holds every whole number exactly
#: (and beyond int64, about 9.2e18, whole numbers wrap round to nonsense).
MAX_COUNT = _MAX_COUNT

_FLOW_LIMIT = 2**29  # capacities of the maximum flows are int32: capped here (see _Network)
_MAX_ATOMS = 200_000  # finest cells of a set of linked tables
_AUDIT_COLUMNS = ["row", "column", "status", "lowest", "highest", "possible_values", "lowest_if_small",
                  "highest_if_small", "protected"]


class DisclosureWarning(UserWarning):
    """:func:`suppress` or :func:`suppress_linked` could not protect every hidden cell: only zeros were
    left to hide, and a zero hidden while zeros are shown protects nothing. The result's ``audit`` marks
    those cells ``protected=False``; :func:`check_safe` calls the table not safe."""


@dataclass(frozen=True)
class SuppressionResult:
    """The output of :func:`suppress` (and, per table, of :func:`suppress_linked`).

    Attributes
    ----------
    table : DataFrame
        What to publish: text, ``"*"`` for a hidden cell, otherwise the rounded count as digits
        (``"0"``, ``"10"``, ``"1235"``; no thousands separators). Totals are in the last row and
        column, labelled ``total_label`` (``(total_label, "")`` with several levels of row labels).
        Text rather than numbers so the ``*`` survives a CSV or a board paper; :attr:`values` has the
        same numbers to compute with.
    values : DataFrame
        The published numbers as ``Int64``, ``<NA>`` where hidden.
    status : DataFrame
        Per cell: ``"shown"``, ``"primary"`` (a count from 1 to the threshold, or 0 with
        ``suppress_zeros``) or ``"secondary"`` (hidden to protect a primary cell).
    unrounded : DataFrame
        The true counts and totals. NOT for publication: for the publisher's own checks.
    audit : DataFrame
        One row per hidden cell: ``row``, ``column``, ``status``, the intruder's ``lowest`` and
        ``highest`` possible value (``inf`` when nothing bounds it), ``possible_values``, the range if
        the intruder supposes it is a small count (``lowest_if_small``, ``highest_if_small``; missing
        when it cannot be one) and ``protected``. From :func:`suppress_linked`, the intruder reads all
        the tables published together.
    footnote : str
        A note to print under the published table.
    settings : dict
        The arguments used.
    """

    table: pd.DataFrame
    values: pd.DataFrame = field(repr=False)
    status: pd.DataFrame = field(repr=False)
    unrounded: pd.DataFrame = field(repr=False)
    audit: pd.DataFrame = field(repr=False)
    footnote: str = field(repr=False)
    settings: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        counts = self.status.stack().value_counts()
        return (f"SuppressionResult({self.table.shape[0]} x {self.table.shape[1]} cells with totals; "
                f"{int(counts.get(PRIMARY, 0))} small counts hidden, {int(counts.get(SECONDARY, 0))} more "
                "hidden to protect them)\n" + self.table.to_string())

    def _repr_html_(self) -> str:
        return self.table.to_html()


@dataclass(frozen=True)
class LinkedSuppressionResult:
    """The output of :func:`suppress_linked`: several tables protected together.

    Attributes
    ----------
    tables : dict of str to SuppressionResult
        Each table to publish, by name (``result["by sex"]`` is ``result.tables["by sex"]``). A count
        that appears in more than one table (a shared margin, the grand total) is hidden in all of them
        or in none, and each table's ``audit`` gives the ranges left by reading all the tables.
    audit : DataFrame
        One row per hidden cell of every table: ``table`` and the columns of
        :attr:`SuppressionResult.audit`.
    footnote : str
        A note to print under each published table.
    settings : dict
        The arguments used.
    """

    tables: dict
    audit: pd.DataFrame = field(repr=False)
    footnote: str = field(repr=False)
    settings: dict = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> SuppressionResult:
        return self.tables[name]

    def __repr__(self) -> str:
        status = pd.concat([r.status.stack() for r in self.tables.values()])
        counts = status.value_counts()
        head = (f"LinkedSuppressionResult({len(self.tables)} tables protected together; "
                f"{int(counts.get(PRIMARY, 0))} small-count cells hidden, {int(counts.get(SECONDARY, 0))} "
                "more hidden to protect them)")
        return "\n\n".join([head, *(f"{name}:\n{r.table.to_string()}" for name, r in self.tables.items())])


@dataclass(frozen=True)
class SafetyCheck:
    """The output of :func:`check_safe`: ``safe``, the ``reasons`` in words, the intruder's ``audit``
    (columns as :attr:`SuppressionResult.audit`, without ``status``; with a first column ``table`` when
    several tables were checked together) and the rules checked (``settings``: threshold, rounding,
    suppress_zeros, min_values)."""

    safe: bool
    reasons: list[str]
    audit: pd.DataFrame = field(repr=False)
    settings: dict = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        head = "Safe to publish." if self.safe else "NOT safe to publish."
        return "\n".join([head, *(f"- {r}" for r in self.reasons)])


def round_counts(values, base: int = 5):
    """Round whole, non-negative counts to the nearest multiple of ``base``, ties half up.

    ``round(v) = floor(v / base + 1/2) * base``, in exact integer arithmetic. With ``base=5`` no whole
    number ties (0-2 -> 0, 3-7 -> 5, 8-12 -> 10); with ``base=10``, 5 -> 10 and 15 -> 20. Returns the
    same kind of object (array, Series or DataFrame) as given, as int64. Counts above 2**53 are refused
    (an error naming the column and row): beyond it whole numbers are no longer exact.

    >>> round_counts([0, 2, 3, 7, 8, 12, 13], 5).tolist()
    [0, 0, 5, 5, 10, 10, 15]
    """
    base = whole_number("rounding", base, 1, "pass e.g. rounding=5 (1 means no rounding).")
    if isinstance(values, pd.DataFrame):
        frame = values.copy()
        for column in frame.columns:
            frame[column] = _round(pd.Series(_count_values(values, column), index=values.index), base)
        return frame
    if isinstance(values, pd.Series):
        name = values.name if values.name is not None else "values"
        counts = _count_values(values.to_frame(name), name)
        return pd.Series(_round(counts, base), index=values.index, name=values.name)
    array = np.asarray(values)
    frame = pd.DataFrame({"values": array.ravel()})
    return _round(_count_values(frame, "values"), base).reshape(array.shape)


def _round(v, base):
    return (2 * v + base) // (2 * base) * base


def suppress(
    data: pd.DataFrame,
    columns: list[str] | str | None = None,
    *,
    index: str | list[str] | None = None,
    threshold: int = 7,
    rounding: int = 5,
    suppress_zeros: bool = False,
    row_totals: bool = True,
    column_totals: bool = True,
    secondary: bool = True,
    min_values: int = 2,
    total_label: str = TOTAL,
    symbol: str = SUPPRESSED,
) -> SuppressionResult:
    """Make a table of counts safe to publish (rules, sources and the attack: see the module notes).

    Parameters
    ----------
    data : DataFrame
        A wide table of counts: one row per organisation (the index labels the rows; several levels,
        e.g. trust and sex, are fine), one column per category. Do not include totals: they are
        calculated here from the unrounded counts, and a row or column labelled as a total (see the
        module notes), or equal to the sum of the others, is refused. From tidy data, pivot first, e.g.
        ``d.pivot_table(index="trust", columns="ethnic_group", values="n", aggfunc="sum",
        fill_value=0)``. Tables published together from the same data: :func:`suppress_linked`.
    columns : list of str, optional
        The count columns (default: every column).
    index : str or list of str, optional
        Column(s) that label the rows, moved to the index first (``data.set_index(index)``).
    threshold : int
        Counts from 1 to ``threshold`` are hidden (default 7, the HES/OpenSAFELY rule; 10 is also
        common).
    rounding : int
        Round shown counts and totals to the nearest multiple of this (default 5; 1 = no rounding).
    suppress_zeros : bool
        Hide zeros as well (default ``False``: a zero is shown as ``0``).
    row_totals, column_totals : bool
        Publish a total column (each row's total) and a total row (each column's total); with both,
        the grand total too. A published total links the cells of its line, so the attack and the
        secondary suppression use exactly the totals published.
    secondary : bool
        Apply secondary suppression (default ``True``). ``False`` gives primary suppression and
        rounding only, as NHS Digital's 2018 HES method does.
    min_values : int
        The fewest possible values an intruder may be left with for any hidden cell (default 2: no
        hidden cell can be pinned to one number).
    total_label : str
        Label of the total row and column.
    symbol : str
        What a hidden cell shows.

    Returns
    -------
    SuppressionResult
        ``.table`` to publish (text), ``.values`` (Int64), ``.status``, ``.unrounded`` (not for
        publication), ``.audit`` (the intruder's ranges) and ``.footnote``.

    Warns
    -----
    DisclosureWarning
        When every non-zero cell is hidden and a hidden cell is still exposed (zeros are shown, so the
        intruder knows every ``*`` is at least 1; no zero is hidden, as that would protect nothing). The
        audit marks the cell ``protected=False``. Fix: ``suppress_zeros=True``, or fewer totals.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib.disclosure import suppress
    >>> counts = pd.DataFrame({"White": [120, 95, 60], "Asian": [14, 3, 22], "Black": [9, 11, 4]},
    ...                       index=pd.Index(["Trust A", "Trust B", "Trust C"], name="trust"))
    >>> result = suppress(counts)
    >>> print(result.table)  # doctest: +NORMALIZE_WHITESPACE
            White Asian Black Total
    trust
    Trust A   120    15    10   145
    Trust B    95     *     *   110
    Trust C    60     *     *    85
    Total     275    40    25   340

    Trust B's 3 and Trust C's 4 are small; the next smallest in their rows (11 and 22) are hidden too,
    which leaves two hidden cells in each row and column. The grand total is 338 rounded, not the sum
    of the rounded totals. ``check_safe(result)`` confirms that no hidden cell can be worked out.
    """
    require_dataframe(data)
    threshold, rounding, min_values = _check_settings(threshold, rounding, suppress_zeros, min_values)
    _check_flags(row_totals=row_totals, column_totals=column_totals, secondary=secondary)
    _check_labels(total_label, symbol)
    frame = _counts_frame(data, columns, index, total_label)

    counts = np.column_stack([_count_values(frame, c) for c in frame.columns])
    _totals_fit(counts, frame)
    _refuse_sum_lines(counts, frame)
    full = counts
    if row_totals:
        full = np.column_stack([full, full.sum(axis=1)])
    if column_totals:
        full = np.vstack([full, full.sum(axis=0)])
    rules = dict(threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                 min_values=min_values, row_lines=row_totals, column_lines=column_totals)
    rounded = _round(full, rounding)
    primary = _primary(full, rules)
    intruder = _GridIntruder(full, rounded, rules)
    if secondary:
        families = _grid_families(full.shape, row_totals, column_totals)
        margin = _grid_margin(full.shape, row_totals, column_totals)
        hidden, ranges = _protect(primary.ravel(), _cost(full.ravel(), margin.ravel()), families, intruder)
    else:
        hidden = primary.ravel()
        ranges = intruder.audit(hidden)
    hidden = hidden.reshape(full.shape)
    ranges = tuple(r.reshape(full.shape) for r in ranges)

    rows = _with_total(frame.index, total_label, column_totals)
    cols = _with_total(frame.columns, total_label, row_totals)
    settings = dict(columns=list(frame.columns), threshold=threshold, rounding=rounding,
                    suppress_zeros=suppress_zeros, row_totals=row_totals, column_totals=column_totals,
                    secondary=secondary, min_values=min_values, total_label=total_label, symbol=symbol)
    footnote = _footnote(threshold, rounding, suppress_zeros, symbol, row_totals or column_totals)
    result = _grid_result(full, rounded, hidden, primary, ranges, rows, cols, rules, settings, footnote)
    if secondary:
        _warn_unprotected(result.audit, rules)
    return result


def suppress_linked(
    data: pd.DataFrame,
    tables,
    value: str | None = None,
    *,
    threshold: int = 7,
    rounding: int = 5,
    suppress_zeros: bool = False,
    row_totals: bool = True,
    column_totals: bool = True,
    secondary: bool = True,
    min_values: int = 2,
    total_label: str = TOTAL,
    symbol: str = SUPPRESSED,
) -> LinkedSuppressionResult:
    """Make several tables from the same data safe to publish together.

    Each table is made as :func:`suppress` makes one (primary suppression, rounding, totals from the
    unrounded counts), and secondary suppression continues until an intruder who reads *all* the
    tables at once - every published number as the sum of the finest counts behind all of them (see
    "Linked tables" in the module notes) - can pin no hidden cell: each keeps at least ``min_values``
    possible values, and at least two if it hides a small count. A count published in more than one
    table (a shared margin, the grand total, a trust's total in a trust x sex table and in a trust x
    ethnic group table) is hidden in all of them or in none. Relations come from the variables the
    tables share, so a breakdown and its total (trust x sex x ethnic group with trust x ethnic group),
    tables sharing a margin (trust x sex with trust x ethnic group) and two periods with their sum
    (rows ``["year", "trust"]`` with rows ``"trust"``) are all covered.

    Parameters
    ----------
    data : DataFrame
        Tidy data: one row per person (or per event), or one row per group with its count in
        ``value``. Every variable named in ``tables`` is a column; a missing label is refused.
    tables : dict or list
        The tables to publish: ``{name: (rows, column)}``, where ``rows`` is a column name or a list of
        them (the row labels, outer level first) and ``column`` one column name (the column labels).
        A list of ``(rows, column)`` names each table after its variables, e.g. ``"trust x sex by
        ethnic_group"``. Every combination of the values seen in ``data`` gets a row or column, zeros
        included.
    value : str, optional
        The column of counts to add up (default: count rows).
    threshold, rounding, suppress_zeros, row_totals, column_totals, secondary, min_values
        As for :func:`suppress`, the same for every table.
    total_label, symbol
        As for :func:`suppress`.

    Returns
    -------
    LinkedSuppressionResult
        ``.tables`` (name to :class:`SuppressionResult`, each with ``.table`` to publish), ``.audit``
        (the joint intruder's range for every hidden cell of every table) and ``.footnote``.
        ``check_safe(result)`` audits the published tables together again, from their text.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib.disclosure import check_safe, suppress, suppress_linked
    >>> waits = pd.DataFrame({"trust": list("AAAAAABBBBBBCCCCCC"), "sex": list("FFFMMM") * 3,
    ...                       "group": list("xyz") * 6,
    ...                       "n": [25, 7, 3, 62, 3, 8, 20, 57, 24, 53, 1, 9, 28, 5, 10, 1, 3, 3]})
    >>> by_sex = waits.pivot_table(index=["trust", "sex"], columns="group", values="n", aggfunc="sum")
    >>> overall = waits.pivot_table(index="trust", columns="group", values="n", aggfunc="sum")
    >>> check_safe(suppress(by_sex)).safe, check_safe(suppress(overall)).safe
    (True, True)
    >>> print(check_safe({"by sex": suppress(by_sex), "all": suppress(overall)}).reasons[0])
    The hidden cell at table 'by sex', row ('C', 'M'), column 'x' can be worked out from the published
    tables together: it must be exactly 1.
    >>> result = suppress_linked(waits, {"by sex": (["trust", "sex"], "group"), "all": ("trust", "group")},
    ...                          value="n")
    >>> print(result["by sex"].table)  # doctest: +NORMALIZE_WHITESPACE
    group        x   y   z Total
    trust sex
    A     F     25   *   *     *
          M     60   *   *     *
    B     F      *   *   *   100
          M      *   *   *    65
    C     F      *   *   *     *
          M      *   *   *     *
    Total      190  75  55   320
    >>> check_safe(result).safe
    True

    Each table passes on its own, but trust C's row in the overall table (30 in group x) with the by-sex
    table's column x leaves the hidden count of trust C's men in group x at exactly 1: every ``*`` is at
    least 1, since zeros are shown. Protected together, the by-sex table hides more of its cells.
    """
    require_dataframe(data)
    threshold, rounding, min_values = _check_settings(threshold, rounding, suppress_zeros, min_values)
    _check_flags(row_totals=row_totals, column_totals=column_totals, secondary=secondary)
    _check_labels(total_label, symbol)
    specs = _table_specs(tables)
    variables = list(dict.fromkeys(v for _, rows, column in specs for v in [*rows, column]))
    require_columns(data, [*variables, value])
    if value is not None and value in variables:
        raise ValueError(f"value='{value}' is also a variable of a table. Fix: pass the column of counts as "
                         "value and the label columns in tables.")
    words = _total_words(total_label)
    codes, labels = zip(*(_variable_codes(data, v, words, total_label) for v in variables), strict=True)
    sizes = np.array([len(v) for v in labels], dtype=np.int64)
    n_atoms = int(np.prod(sizes))
    if n_atoms > _MAX_ATOMS:
        raise ValueError(
            f"The tables together break the data into {n_atoms:,} combinations of "
            f"{', '.join(f'{v} ({s})' for v, s in zip(variables, sizes, strict=True))}, more than "
            f"{_MAX_ATOMS:,}. Fix: publish fewer or coarser variables together, or group rare values.")
    weights = (np.ones(len(data), dtype=np.int64) if value is None else _count_values(data, value))
    if value is not None:
        _sum_fits(weights, f"Column '{value}'")
    atom_of_row = np.ravel_multi_index(codes, sizes) if len(data) else np.zeros(0, dtype=np.int64)
    truth_atoms = np.bincount(atom_of_row, weights=weights.astype(np.float64),
                              minlength=n_atoms).astype(np.int64)

    layouts = []
    for name, rows, column in specs:
        row_vars = [variables.index(v) for v in rows]
        col_var = variables.index(column)
        row_keys = np.array(list(product(*(range(sizes[v]) for v in row_vars))), dtype=np.int64)
        row_keys = row_keys.reshape(-1, len(row_vars))
        if column_totals:
            row_keys = np.vstack([row_keys, np.full((1, len(row_vars)), -1)])
        col_keys = np.arange(sizes[col_var] + (1 if row_totals else 0), dtype=np.int64)
        if row_totals:
            col_keys[-1] = -1
        layouts.append(_Layout(name, row_vars, col_var, row_keys, col_keys))
    boxes = _Boxes(layouts, sizes)
    truth = np.rint(boxes.M @ truth_atoms.astype(np.float64)).astype(np.int64)  # exact: sums below 2**53
    rules = dict(threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                 min_values=min_values)
    rounded = _round(truth, rounding)
    primary = _primary(truth, rules)

    def known(hidden):
        return _known_ranges(np.where(hidden, np.nan, rounded), hidden, rules)

    intruder = _linked_intruder(boxes, known, rules, truth_atoms=truth_atoms)
    if secondary:
        hidden, ranges = _protect(primary, _cost(truth, boxes.margin), boxes.families(), intruder)
    else:
        hidden = primary
        ranges = intruder.audit(hidden)

    footnote = _footnote(threshold, rounding, suppress_zeros, symbol, row_totals or column_totals)
    results = {}
    for (name, rows, column), layout in zip(specs, layouts, strict=True):
        cells = boxes.cells[layout.name]
        index = _labels_index([labels[v] for v in layout.row_vars], layout.row_keys, rows, total_label)
        columns_index = pd.Index([labels[layout.col_var][k] if k >= 0 else total_label
                                  for k in layout.col_keys], name=column)
        settings = dict(rows=list(rows), column=column, threshold=threshold, rounding=rounding,
                        suppress_zeros=suppress_zeros, row_totals=row_totals, column_totals=column_totals,
                        secondary=secondary, min_values=min_values, total_label=total_label,
                        symbol=symbol)
        table_rules = dict(rules, row_lines=row_totals, column_lines=column_totals)
        results[name] = _grid_result(truth[cells], rounded[cells], hidden[cells], primary[cells],
                                     tuple(r[cells] for r in ranges), index, columns_index, table_rules,
                                     settings, footnote)
    audit = pd.concat([r.audit.assign(table=name) for name, r in results.items()], ignore_index=True)
    audit = audit[["table", *_AUDIT_COLUMNS]]
    settings = dict(tables={name: (list(rows), column) for name, rows, column in specs}, value=value,
                    threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                    row_totals=row_totals, column_totals=column_totals, secondary=secondary,
                    min_values=min_values, total_label=total_label, symbol=symbol)
    if secondary:
        _warn_unprotected(audit, rules)
    return LinkedSuppressionResult(results, audit, footnote, settings)


def check_safe(
    data,
    *,
    threshold: int = 7,
    rounding: int = 5,
    suppress_zeros: bool = False,
    min_values: int = 2,
    total_label: str = TOTAL,
    symbol: str = SUPPRESSED,
) -> SafetyCheck:
    """Is a published table safe, or a set of tables published together, and why?

    Checks, in words in ``reasons``:

    1. no count from 1 to ``threshold`` is shown (a shown number that only such a count could round
       to, e.g. ``5`` with threshold 7, counts as shown);
    2. every shown number is a multiple of ``rounding``;
    3. every row and column that has a total has no hidden cell or at least two;
    4. the numbers are consistent (some table of whole counts fits them), with every hidden cell at
       least 1 when zeros are shown (``suppress_zeros=False``: the rule hides counts of 1 to the
       threshold and never a zero). If only a table with a hidden 0 fits, the table is not safe: it
       breaks the rules it claims, the reasons say so, and the attack is run with hidden cells of at
       least 0 (module notes, "Tables made elsewhere");
    5. the attack of the module notes pins no hidden cell: each keeps at least ``min_values``
       possible values, and at least two if it hides a small count. With several tables, the
       intruder reads all of them at once.

    Totals are found by their labels, whatever their case and spacing ("Total", "All", "total ", ...;
    see the module notes) and, in a table given as a DataFrame, by their numbers: a row or column equal
    to the sum of the others is read as their total, as an intruder would read it.

    Parameters
    ----------
    data : DataFrame, SuppressionResult, LinkedSuppressionResult, list or dict
        The table as published, or a list or dict of them: ``symbol`` for a hidden cell, otherwise
        whole numbers (text or numbers). A row and/or column labelled as a total holds the totals. Given a
        :class:`SuppressionResult` or :class:`LinkedSuppressionResult`, its tables and settings are used
        and the other arguments ignored. Several tables published together - a list, or a dict of
        ``{name: table}`` - are checked as one publication: they are linked through the names of their
        row and column labels (``table.index.names``, ``table.columns.name``), which must name the
        variable each breaks down (``"trust"``, ``"sex"``, ...), the same in every table; all of them
        describe the same people, so a total in one is the same count as the matching total in another.
        Several levels of row labels are fine (trust and sex); the columns have one.
    threshold, rounding, suppress_zeros, min_values, total_label, symbol
        The rules the tables claim to follow; see :func:`suppress`.

    Returns
    -------
    SafetyCheck
        ``safe`` (bool), ``reasons`` (list of sentences: the problems when unsafe, what was checked
        when safe) and ``audit`` (the intruder's range for every hidden cell).
    """
    items, rules, checked = _check_items(data, threshold, rounding, suppress_zeros, min_values, total_label,
                                         symbol)
    if len(items) == 1:
        name, frame, label, sym, from_result = items[0]
        parsed = _parse_table(frame, label, sym, name=None, detect_sums=not from_result, rules=rules)
        if parsed.grid_shaped:
            return _check_grid(parsed, rules, checked, sym)
    parsed = [_parse_table(frame, label, sym, name=name, detect_sums=False, rules=rules)
              for name, frame, label, sym, _ in items]
    return _check_boxes(parsed, rules, checked, items[0][3], single=len(items) == 1)


# --- settings and input checks ----------------------------------------------------------------------------

def _check_settings(threshold, rounding, suppress_zeros, min_values):
    threshold = whole_number("threshold", threshold, 0, "pass e.g. threshold=7 (or 10).")
    rounding = whole_number("rounding", rounding, 1, "pass e.g. rounding=5 (1 means no rounding).")
    min_values = whole_number("min_values", min_values, 1, "pass e.g. min_values=2.")
    if not isinstance(suppress_zeros, (bool, np.bool_)):
        raise TypeError(f"suppress_zeros must be True or False, not {suppress_zeros!r}.")
    top_of_zero = (rounding + 1) // 2 - 1  # the largest count that rounds to 0
    if not suppress_zeros and 1 <= threshold < top_of_zero:
        raise ValueError(
            f"threshold={threshold} with rounding={rounding} would hide counts of 1 to {threshold} but show "
            f"counts of {threshold + 1} to {top_of_zero} as 0, so a published 0 would not mean none. Fix: "
            f"use threshold=0 (rounding only), a threshold of at least {top_of_zero}, or "
            "suppress_zeros=True.")
    return threshold, rounding, min_values


def _check_flags(**flags):
    for name, flag in flags.items():
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, not {flag!r}.")


def _check_labels(total_label, symbol):
    if not isinstance(symbol, str) or not symbol.strip() or _is_number_text(symbol):
        raise ValueError(f"symbol must be a non-empty text that is not a number, not {symbol!r}. "
                         "Fix: use '*'.")
    if not isinstance(total_label, str) or not total_label.strip() or _is_number_text(total_label):
        raise ValueError(f"total_label must be a non-empty text that is not a number, not {total_label!r}. "
                         "Fix: use 'Total'.")


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _normal(label) -> str:
    """A label as compared with the total labels: text, case folded, spaces trimmed and single."""
    return " ".join(str(label).split()).casefold()


def _total_words(total_label) -> frozenset:
    return frozenset(_normal(w) for w in (*TOTAL_LABELS, total_label))


def _reads_as_total(labels, words) -> np.ndarray:
    """Per label (per level of a MultiIndex: an (n, levels) array) whether it means "every value": it
    is a total label, or an empty level beside one (as pandas writes a margin, ``("All", "")``)."""
    if isinstance(labels, pd.MultiIndex):
        levels = np.array([[_normal(v) for v in key] for key in labels], dtype=object).reshape(
            len(labels), labels.nlevels)
        total = np.isin(levels, list(words))
        empty = levels == ""
        return total | (empty & total.any(axis=1, keepdims=True))
    return np.isin(np.array([_normal(v) for v in labels], dtype=object), list(words)).reshape(-1, 1)


def _count_values(frame: pd.DataFrame, column) -> np.ndarray:
    """The column as int64 counts (:func:`equity_lib._validation.count_column`), refusing counts above
    :data:`MAX_COUNT` exactly, whole numbers held as integers included (a float would round them)."""
    series = frame[column]
    if isinstance(series, pd.Series) and series.dtype.kind in "iuO":
        values = series.to_numpy()
        if series.dtype.kind == "O":
            whole = np.array([isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
                              for v in values], dtype=bool) if len(values) else np.zeros(0, dtype=bool)
            big = np.zeros(len(values), dtype=bool)
            if whole.any():
                big[whole] = np.array([abs(int(v)) > MAX_COUNT for v in values[whole]], dtype=bool)
        else:
            big = values > MAX_COUNT
        _fail_big(frame, column, big)
    elif isinstance(series, pd.Series) and series.dtype.kind == "f":
        values = series.to_numpy()
        with np.errstate(invalid="ignore"):
            _fail_big(frame, column, np.isfinite(values) & (np.abs(values) > MAX_COUNT))
    return count_column(frame, column)


def _fail_big(frame, column, big):
    if big.any():
        raise ValueError(
            f"Column '{column}' has counts above 2**53 (9,007,199,254,740,992) at "
            f"{rows_phrase(list(frame.index[big]))}: too large to add up exactly (beyond int64 they would "
            "wrap round to nonsense). Fix: check the column is a count and not an identifier, a code or a "
            "sum in other units; a count this large cannot be disclosive, so publish it without this step.")


def _sum_fits(values, what):
    total = float(np.sum(values, dtype=np.float64))
    if total > MAX_COUNT:
        raise ValueError(
            f"{what} adds up to {total:.4g}, above 2**53 (9,007,199,254,740,992): its total cannot be held "
            "exactly. Fix: check the counts (identifiers or codes summed by mistake?), or publish the "
            "totals of such large numbers without this step.")


def _totals_fit(counts, frame):
    """Every total of the table is at most 2**53 (checked in floating point before any int64 sum)."""
    as_float = counts.astype(np.float64)
    for axis, labels, word in ((0, frame.columns, "Column"), (1, frame.index, "Row")):
        sums = as_float.sum(axis=axis)
        over = np.flatnonzero(sums > MAX_COUNT)
        if over.size:
            _sum_fits(as_float.take(over[0], axis=1 - axis), f"{word} {labels[over[0]]!r}")
    _sum_fits(as_float, "The table")


def _counts_frame(data, columns, index, total_label):
    frame = data
    if index is not None:
        names = [index] if isinstance(index, str) else list(index)
        require_columns(frame, names)
        frame = frame.set_index(index)
    if columns is None:
        columns = list(frame.columns)
        for column in columns:
            series = frame[column]
            if not pd.api.types.is_numeric_dtype(series) and len(series) and \
                    pd.to_numeric(series, errors="coerce").isna().all():
                raise ValueError(
                    f"Column '{column}' holds labels, not counts. Fix: make it the row labels with "
                    f"index='{column}', or list the count columns with columns=[...].")
    else:
        columns = [columns] if isinstance(columns, str) else list(columns)
        require_columns(frame, columns)
    if not columns:
        raise ValueError("There are no count columns. Fix: pass a table with at least one column of counts.")
    if len(frame) == 0:
        raise ValueError("The table has no rows. Fix: pass at least one row of counts.")
    if len(set(columns)) < len(columns):
        raise ValueError(f"columns={columns} names a column twice. Fix: name each count column once.")
    if isinstance(frame.columns, pd.MultiIndex):
        raise ValueError("The table has several levels of column labels. Fix: keep one variable in the "
                         "columns and move the others to the row labels, e.g. data.stack(level=0).")
    duplicated = frame.index[frame.index.duplicated()]
    if len(duplicated):
        raise ValueError(f"Row labels {list(dict.fromkeys(duplicated))[:5]} appear more than once. Fix: "
                         "add up rows with the same label first (data.groupby(level=0).sum()).")
    words = _total_words(total_label)
    for what, labels in (("row", frame.index), ("column", pd.Index(columns))):
        flagged = np.flatnonzero(_reads_as_total(labels, words).any(axis=1))
        if flagged.size:
            raise ValueError(
                f"A {what} is already labelled {labels[flagged[0]]!r}, which reads as a total. Fix: pass the "
                "counts without totals (they are calculated here from unrounded counts), or rename that "
                f"{what} if it is a real category; choose another total_label if it clashes.")
    return frame[columns]


def _refuse_sum_lines(counts, frame):
    """A row (column) equal to the sum of the other rows (columns) is a total an intruder would read:
    refused when it is so in every column, with at least two columns where two or more others add up."""
    for what, other, m, labels in (("Row", "rows", counts, frame.index), ("Column", "columns", counts.T,
                                                                           frame.columns)):
        if m.shape[0] < 3:
            continue
        others = m.sum(axis=0, keepdims=True) - m
        nonzero = (m > 0).sum(axis=0, keepdims=True) - (m > 0)
        equal = (m == others).all(axis=1)
        evidence = ((nonzero >= 2) & (m > 0)).sum(axis=1) >= 2
        found = np.flatnonzero(equal & evidence)
        if found.size:
            across = "column" if what == "Row" else "row"
            raise ValueError(
                f"{what} {labels[found[0]]!r} equals the sum of the other {other} in every {across}: it "
                "looks like a total, and an intruder would read it as one. Fix: drop it (the totals are "
                "calculated here from the unrounded counts).")


def _with_total(labels: pd.Index, total_label, add: bool) -> pd.Index:
    if not add:
        return labels.copy()
    if isinstance(labels, pd.MultiIndex):
        key = (total_label,) + ("",) * (labels.nlevels - 1)
        return pd.MultiIndex.from_tuples([*labels, key], names=labels.names)
    return pd.Index([*labels, total_label], name=labels.name)


# --- the rule: primary cells, costs, protection -------------------------------------------------------------

def _primary(full, rules):
    low_small = 0 if rules["suppress_zeros"] else 1
    return (full >= low_small) & (full <= rules["threshold"])


def _cost(values, margin):
    """Secondary suppression (module notes, rule 4) never hides a zero (cost inf) and prefers a cell inside
    the table, the smallest count, the first in reading order: cost = n [margin] + rank."""
    n = values.size
    order = np.argsort(values, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return np.where(values == 0, np.inf, margin * n + rank).astype(float)


def _window(rules):
    """The counts the rule hides: small_lo .. threshold."""
    return (0 if rules["suppress_zeros"] else 1), rules["threshold"]


def _floor(rules):
    """The least a hidden cell can hold, as the intruder knows it (module notes, "The attack"): 1 when zeros
    are shown and counts of 1 to the threshold are hidden (secondary suppression never hides a zero), else
    0. ``rules["floor"]`` overrides it (check_safe's fallback for a table that hides a zero)."""
    if "floor" in rules:
        return rules["floor"]
    return 1 if (not rules["suppress_zeros"] and rules["threshold"] >= 1) else 0


def _need_small(rules):
    s_lo, top = _window(rules)
    return min(rules["min_values"], 2, top - s_lo + 1)


def _small_range(lowest, highest, rules):
    """The range intersected with the hidden counts, nan where they do not meet (one table: every whole
    number between lowest and highest is possible)."""
    s_lo, top = _window(rules)
    with np.errstate(invalid="ignore"):
        lo, hi = np.maximum(lowest, s_lo), np.minimum(highest, top)
        meet = hi >= lo
    return np.where(meet, lo, np.nan), np.where(meet, hi, np.nan)


def _protected(lowest, highest, low_small, high_small, rules):
    """Per cell: at least min_values possible values, and at least two (or as many as the small range
    holds) if it hides a small count. Cells that are not hidden (nan) count as protected."""
    lowest, highest = np.asarray(lowest, dtype=float), np.asarray(highest, dtype=float)
    with np.errstate(invalid="ignore"):
        n_values = highest - lowest + 1
        n_small = np.where(np.isnan(low_small), 0, np.asarray(high_small, dtype=float) - low_small + 1)
        ok = (n_values >= rules["min_values"]) & ((n_small == 0) | (n_small >= _need_small(rules)))
    return ok | np.isnan(lowest)


def _known_ranges(numbers, hidden, rules):
    """What the intruder knows of each cell: lowest and highest true value (inf: unbounded).

    A published multiple of the base is a rounded count: its rounding interval, not negative, minus
    the counts the rule hides. Any other published number is taken as exact. A hidden cell is at least
    :func:`_floor` (1 when zeros are shown), with no upper limit.
    """
    t, base = rules["threshold"], rules["rounding"]
    with np.errstate(invalid="ignore"):
        num = np.where(hidden, 0, numbers)
        rounded = (num % base) == 0
        lo = np.where(rounded, num - base // 2, num)
        hi = np.where(rounded, num + (base + 1) // 2 - 1, num)
    lo = np.maximum(lo, 0)
    small_lo = 0 if rules["suppress_zeros"] else 1
    if t >= small_lo:
        above_lo = np.maximum(lo, t + 1)  # the part of the interval above the hidden counts
        zero_only = (lo == 0) & (small_lo == 1)  # an exact zero is shown as 0
        new_lo = np.where(zero_only, 0, above_lo)
        new_hi = np.where(zero_only & (above_lo > hi), 0, hi)
        # hidden counts excluded only for rounded numbers; an unrounded number is taken at its word
        lo, hi = np.where(rounded, new_lo, lo), np.where(rounded, new_hi, hi)
    lo = np.where(hidden, _floor(rules), lo).astype(float)
    hi = np.where(hidden, np.inf, hi).astype(float)
    return lo, hi


# --- secondary suppression ----------------------------------------------------------------------------------

def _grid_families(shape, row_lines, column_lines):
    index = np.arange(shape[0] * shape[1]).reshape(shape)
    return [f for f, on in ((index, row_lines), (index.T.copy(), column_lines)) if on]


def _grid_margin(shape, row_lines, column_lines):
    margin = np.zeros(shape, dtype=bool)
    if row_lines:
        margin[:, -1] = True
    if column_lines:
        margin[-1, :] = True
    return margin


def _protect(primary, cost, families, intruder):
    """Secondary suppression (module notes, rule 4) on any set of published cells, as flat arrays: the line
    rule, then attack-and-extend until the audit passes. ``families`` are the lines (every row or column
    with its total; each line an array row of cell numbers, -1 as padding). A cell of infinite ``cost`` (a
    zero) is never hidden. Returns the hidden cells and the final audit's ranges; when every cell that may
    be hidden already is and a cell is still exposed, that audit says so (``suppress`` warns)."""
    from scipy import sparse

    n = primary.size
    lines = [f[i][f[i] >= 0] for f in families for i in range(len(f))]
    if lines:
        membership = sparse.csr_array((np.ones(sum(map(len, lines)), dtype=np.int8),
                                       (np.repeat(np.arange(len(lines)), [len(x) for x in lines]),
                                        np.concatenate(lines))), shape=(len(lines), n))
        by_cell = membership.T.tocsr()
    hidden = primary.copy()
    while True:
        hidden = _line_rule(hidden, cost, families)
        k = intruder.first_exposed(hidden)
        if k is None:
            return hidden, intruder.audit(hidden)
        candidates = np.zeros(n, dtype=bool)
        if lines:
            through = by_cell.indices[by_cell.indptr[k]:by_cell.indptr[k + 1]]
            candidates[membership[through].indices] = True
        eligible = ~hidden & np.isfinite(cost)
        candidates &= eligible
        if not candidates.any():
            candidates = eligible
        if not candidates.any():  # nothing left to hide but zeros: the audit reports what is exposed
            return hidden, intruder.audit(hidden)
        hidden = hidden.copy()
        hidden[np.argmin(np.where(candidates, cost, np.inf))] = True


def _warn_unprotected(audit, rules):
    """Warn (DisclosureWarning) when secondary suppression ran out of cells to hide."""
    exposed = audit.loc[~audit["protected"]]
    if exposed.empty:
        return
    import warnings

    first = exposed.iloc[0]
    where = (f"table {first['table']!r}, " if "table" in exposed else "") + \
        f"row {first['row']!r}, column {first['column']!r}"
    warnings.warn(
        f"{len(exposed)} hidden cell(s) cannot be protected, e.g. {where} (audit: protected is False): "
        "every non-zero cell that could help is hidden already, and with zeros shown as 0 every hidden cell "
        f"is known to be at least 1, so the totals still narrow it to fewer than {rules['min_values']} "
        "values, or to one value if it is a small count. Hiding a zero would not help: zeros are shown, so "
        "an intruder knows a hidden cell is not 0. Fix: hide zeros too (suppress_zeros=True), or publish "
        "fewer totals (row_totals=False or column_totals=False).", DisclosureWarning, stacklevel=3)


def _line_rule(hidden, cost, families):
    """Hide the cheapest visible cell of every line (a row or column with its total) with one hidden cell,
    all lines of a family at once, the families in turn, until no such line is left. Only cells of finite
    cost (not zeros) are hidden; a line with one hidden cell always has one (its shown total equals the
    hidden cell plus zeros, so it is not 0)."""
    hidden = hidden.copy()
    while True:
        changed = False
        for lines in families:
            valid = lines >= 0
            idx = np.where(valid, lines, 0)
            h = hidden[idx] & valid
            line_cost = np.where(h | ~valid, np.inf, cost[idx])
            single = np.flatnonzero((h.sum(axis=1) == 1) & np.isfinite(line_cost).any(axis=1))
            if single.size == 0:
                continue
            pick = np.argmin(line_cost[single], axis=1)
            hidden[idx[single, pick]] = True
            changed = True
        if not changed:
            return hidden


# --- the attack on one table: maximum flows in its network --------------------------------------------------

class _TooLarge(Exception):
    """Numbers too large for the int32 capacities of scipy's maximum flow (finding a first circulation)."""


class _Network:
    """One table as a network (module notes): arcs ``tails -> heads`` with bounds ``lo..hi`` and a feasible
    whole-number circulation ``flow``; the first arcs are the table's cells in reading order.

    scipy's maximum flow takes int32 capacities, so every residual capacity is capped at ``_FLOW_LIMIT``
    (2**29). A maximum flow below the cap is still exact: a minimum cut below it holds no capped edge, and
    capping only lowers cuts. A bound that reaches the cap is not known from the flow (``bounds`` returns
    None) and is solved by linear programming instead; with small counts nothing reaches it.
    """

    def __init__(self, n, tails, heads, lo, hi, flow):
        from scipy.sparse import csr_array

        self.n, self.tails, self.heads, self.hi = n, tails, heads, hi
        self.flow = np.asarray(flow, dtype=np.int64)
        up, self.down = hi - self.flow, self.flow - lo
        self.up = up
        finite = np.isfinite(up)
        finite_sum = float(up[finite].sum() + self.down.sum())
        # below the cap, "at least big" can only mean unbounded: more than any finite cut
        self.exact = finite_sum + 1 <= _FLOW_LIMIT
        self.big = int(finite_sum) + 1 if self.exact else _FLOW_LIMIT
        m = tails.size
        src, dst = np.concatenate([tails, heads]), np.concatenate([heads, tails])
        cap = np.concatenate([np.where(finite, up, self.big), self.down])
        cap = np.minimum(cap, self.big).astype(np.int64)
        order = np.argsort(src * n + dst, kind="stable")  # residual edges, row by row (no parallel arcs)
        position = np.empty(2 * m, dtype=np.int64)
        position[order] = np.arange(2 * m)
        self.fwd, self.bwd = position[:m], position[m:]
        self.cap = cap[order]
        positive = self.cap > 0  # the residual edges one more unit can cross (the others are left out)
        self.p_pos = np.where(positive, np.cumsum(positive) - 1, -1)
        self.p_indices = dst[order][positive].astype(np.int32)
        self.p_indptr = np.concatenate([[0], np.cumsum(np.bincount(src[order][positive], minlength=n))]
                                       ).astype(np.int32)
        self.graph = csr_array((self.cap[positive].astype(np.int32), self.p_indices, self.p_indptr),
                               shape=(n, n))
        self._bounds = {}

    @classmethod
    def from_grid(cls, lo, hi, row_lines, column_lines, truth=None):
        """The network of one table (the full grid, totals last); None if no circulation fits."""
        nr, nc = lo.shape
        n_rows, n_cols = nr - int(column_lines), nc - int(row_lines)
        n = n_rows + n_cols + 2
        source, sink = 0, n - 1
        row_node, col_node = 1 + np.arange(n_rows), 1 + n_rows + np.arange(n_cols)
        r, c = np.divmod(np.arange(nr * nc), nc)
        tails, heads = np.empty(nr * nc, dtype=np.int64), np.empty(nr * nc, dtype=np.int64)
        for mask, t, h in (((r < n_rows) & (c < n_cols), lambda m: row_node[r[m]], lambda m: col_node[c[m]]),
                           ((r < n_rows) & (c == n_cols), lambda m: source, lambda m: row_node[r[m]]),
                           ((r == n_rows) & (c < n_cols), lambda m: col_node[c[m]], lambda m: sink),
                           ((r == n_rows) & (c == n_cols), lambda m: sink, lambda m: source)):
            tails[mask], heads[mask] = t(mask), h(mask)
        free_t, free_h = [], []  # margins not published: free arcs
        if not row_lines:
            free_t.append(np.full(n_rows, source))
            free_h.append(row_node)
        if not column_lines:
            free_t.append(col_node)
            free_h.append(np.full(n_cols, sink))
        if not (row_lines and column_lines):
            free_t.append([sink])
            free_h.append([source])
        tails = np.concatenate([tails, *free_t]).astype(np.int64)
        heads = np.concatenate([heads, *free_h]).astype(np.int64)
        extra = tails.size - nr * nc
        lo_all = np.concatenate([lo.ravel(), np.zeros(extra)])
        hi_all = np.concatenate([hi.ravel(), np.full(extra, np.inf)])
        if truth is None:
            try:
                flow = cls.feasible_flow(n, tails, heads, lo_all, hi_all)
            except _TooLarge:  # one linear programme finds a table that fits instead
                fit = _LinearIntruder(_grid_matrix(lo.shape, row_lines, column_lines),
                                      lambda h: (lo.ravel(), hi.ravel()), {})
                if not fit.feasible(np.zeros(lo.size, dtype=bool)):
                    return None
                truth = np.rint(fit.M @ fit.point).astype(np.int64).reshape(lo.shape)
            else:
                if flow is None:
                    return None
        if truth is not None:
            inner = truth[:n_rows, :n_cols]
            free_flow = []
            if not row_lines:
                free_flow.append(inner.sum(axis=1))
            if not column_lines:
                free_flow.append(inner.sum(axis=0))
            if not (row_lines and column_lines):
                free_flow.append([inner.sum()])
            flow = np.concatenate([truth.ravel(), *free_flow])
        return cls(n, tails, heads, lo_all, hi_all, flow)

    @staticmethod
    def feasible_flow(n, tails, heads, lo, hi):
        """A whole-number circulation within the bounds, or None: lower bounds reduced to a maximum flow
        from a super source to a super sink (Ahuja, Magnanti and Orlin 1993, section 6.7)."""
        from scipy.sparse import csr_array
        from scipy.sparse.csgraph import maximum_flow

        low = lo.astype(np.int64)
        excess = (np.bincount(heads, weights=low, minlength=n)
                  - np.bincount(tails, weights=low, minlength=n)).astype(np.int64)
        give, take = np.flatnonzero(excess > 0), np.flatnonzero(excess < 0)
        supply = int(excess[give].sum())
        room = hi - lo
        finite = np.isfinite(room)
        big = int(room[finite].sum()) + supply + 1
        if big > _FLOW_LIMIT:
            raise _TooLarge
        s, t = n, n + 1
        src = np.concatenate([tails, np.full(give.size, s), take])
        dst = np.concatenate([heads, give, np.full(take.size, t)])
        cap = np.concatenate([np.where(finite, room, big), excess[give], -excess[take]]).astype(np.int32)
        graph = csr_array((cap, (src, dst)), shape=(n + 2, n + 2))
        result = maximum_flow(graph, s, t)
        if result.flow_value < supply:
            return None
        return low + result.flow.toarray()[tails, heads]

    def _maxflow(self, s, t):
        from scipy.sparse.csgraph import maximum_flow

        return int(maximum_flow(self.graph, s, t).flow_value)

    def bounds(self, a):
        """Exact lowest and highest value of arc ``a`` (module notes: one maximum flow each way, less the
        arc's own reverse edge, which joins the two ends directly), or None if a flow reached the cap."""
        if a not in self._bounds:
            self._bounds[a] = self._solve(a)
        return self._bounds[a]

    def _solve(self, a):
        u, v = self.tails[a], self.heads[a]
        f = float(self.flow[a])
        up = self._maxflow(v, u) - int(self.cap[self.bwd[a]])
        if up < self.big:
            high = min(f + up, float(self.hi[a]))
        elif self.exact or self.up[a] < self.big:  # unbounded, or as high as the arc's own bound
            high = float(self.hi[a])
        else:
            return None
        down = self._maxflow(u, v) - int(self.cap[self.fwd[a]])
        if down >= self.big and self.down[a] >= self.big:
            return None
        return f - min(down, float(self.down[a])), high

    def _reaches(self, source, target, skip):
        """Can one more unit go from source to target in the residual network without the edge ``skip``?"""
        from scipy.sparse import csr_array
        from scipy.sparse.csgraph import breadth_first_order

        indices, indptr = self.p_indices, self.p_indptr
        j = self.p_pos[skip]
        if j >= 0:
            indices = np.delete(indices, j)
            indptr = indptr.copy()
            indptr[source + 1:] -= 1
        graph = csr_array((np.ones(indices.size, dtype=np.int8), indices, indptr), shape=(self.n, self.n))
        return bool((breadth_first_order(graph, source, directed=True, return_predecessors=False)
                     == target).any())

    def exposed(self, a, t, rules, fallback):
        """Is hidden cell ``a`` (true count ``t``) unprotected, and if not, is it protected for good? Exact;
        for a small count only whether one unit can move round a cycle through it in each direction (t + 1
        or t - 1 possible) is needed. Returns (exposed, stable).

        Stable: protected by at least ``min_values`` values and, if the window of small counts holds two,
        by two of them - a property that hiding more cells keeps, since that only widens what is possible
        (secondary suppression hides no zero, so a newly hidden cell's range, at least 1, holds its shown
        one). A cell protected only because it cannot be a small count is not stable: a wider range may
        reach down to exactly the threshold."""
        s_lo, top = _window(rules)
        need, least = _need_small(rules), rules["min_values"]
        if least > 2 or (need >= 2 and not s_lo <= t <= top):
            low, high = self.bounds(a) or fallback(a)
            small = _small_range(np.array([low]), np.array([high]), rules)
            ok = _protected(np.array([low]), np.array([high]), *small, rules)[0]
            n_small = 0 if np.isnan(small[0][0]) else small[1][0] - small[0][0] + 1
            return not ok, bool(ok and (need <= 1 or n_small >= need))
        if least <= 1:
            return False, True
        u, v = self.tails[a], self.heads[a]
        if need >= 2:
            exposed = not ((t < top and self._reaches(v, u, self.bwd[a]))
                           or (t > s_lo and self._reaches(u, v, self.fwd[a])))
        else:
            exposed = not (self._reaches(v, u, self.bwd[a]) or self._reaches(u, v, self.fwd[a]))
        return exposed, not exposed

    def ranges(self, targets, rules, fallback):
        lowest, highest = np.full(targets.size, np.nan), np.full(targets.size, np.nan)
        for a in np.flatnonzero(targets):
            lowest[a], highest[a] = self.bounds(a) or fallback(a)
        return (lowest, highest, *_small_range(lowest, highest, rules))


def _grid_matrix(shape, row_lines, column_lines):
    """One table's cells (reading order, totals last) as sums of its inner cells (the finest counts)."""
    from scipy import sparse

    nr, nc = shape
    n_rows, n_cols = nr - int(column_lines), nc - int(row_lines)
    atom = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    cell = np.arange(nr * nc).reshape(shape)
    rows = [cell[:n_rows, :n_cols].ravel()]
    cols = [atom.ravel()]
    if row_lines:
        rows.append(np.repeat(cell[:n_rows, n_cols], n_cols))
        cols.append(atom.ravel())
    if column_lines:
        rows.append(np.tile(cell[n_rows, :n_cols], n_rows))
        cols.append(atom.ravel())
    if row_lines and column_lines:
        rows.append(np.full(atom.size, cell[n_rows, n_cols]))
        cols.append(atom.ravel())
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(nr * nc, atom.size))


def _first_exposed(intruder, hidden, truth):
    """The first hidden cell an intruder (single or linked tables) leaves exposed, or None; ``truth`` holds
    each cell's true count. Cells once found stably protected are remembered on the intruder and skipped:
    ``hidden`` only grows from call to call."""
    net, fallback = intruder._network(hidden), intruder._fallback(hidden)
    if intruder._stable is None:
        intruder._stable = np.zeros(hidden.size, dtype=bool)
    stable = intruder._stable
    for a in np.flatnonzero(hidden & ~stable):
        exposed, stable[a] = net.exposed(a, int(truth[a]), intruder.rules, fallback)
        if exposed:
            return int(a)
    return None


class _GridIntruder:
    """The attack on one table whose true counts are known, for secondary suppression: maximum flows, and
    linear programming for a bound too large for them."""

    def __init__(self, full, rounded, rules):
        self.full, self.rounded, self.rules = full, rounded, rules
        self._key, self._net, self._linear, self._stable = None, None, None, None

    def _known(self, hidden):
        h = hidden.reshape(self.full.shape)
        lo, hi = _known_ranges(np.where(h, np.nan, self.rounded), h, self.rules)
        return lo.ravel(), hi.ravel()

    def _network(self, hidden):
        key = hidden.tobytes()
        if key != self._key:
            lo, hi = self._known(hidden)
            shape = self.full.shape
            self._net = _Network.from_grid(lo.reshape(shape), hi.reshape(shape), self.rules["row_lines"],
                                           self.rules["column_lines"], truth=self.full)
            self._key = key
        return self._net

    def _fallback(self, hidden):
        if self._linear is None:
            shape, r = self.full.shape, self.rules
            inner = self.full[:shape[0] - int(r["column_lines"]), :shape[1] - int(r["row_lines"])]
            self._linear = _LinearIntruder(_grid_matrix(shape, r["row_lines"], r["column_lines"]),
                                           self._known, self.rules, truth_atoms=inner.ravel())

        def bounds(a):
            self._linear._prepare(hidden)
            return self._linear._extreme(a, 1.0), self._linear._extreme(a, -1.0)
        return bounds

    def first_exposed(self, hidden):
        """The first hidden cell left exposed, or None. ``hidden`` only grows from call to call (secondary
        suppression), so a cell found stably protected (:meth:`_Network.exposed`) is not attacked again."""
        return _first_exposed(self, hidden, self.full.ravel())

    def audit(self, hidden):
        return self._network(hidden).ranges(hidden, self.rules, self._fallback(hidden))


def _grid_attack(numbers, hidden, rules, exact=None):
    """The intruder's ranges for every hidden cell of one published table (nan elsewhere), or None if no
    table of whole counts fits the published numbers. Cells marked in ``exact`` are taken as exactly the
    number shown."""
    lo, hi = _known_ranges(numbers, hidden, rules)
    if exact is not None and exact.any():
        lo, hi = np.where(exact, numbers, lo), np.where(exact, numbers, hi)
    if (lo > hi).any():
        return None
    net = _Network.from_grid(lo, hi, rules["row_lines"], rules["column_lines"])
    if net is None:
        return None
    linear = _LinearIntruder(_grid_matrix(hidden.shape, rules["row_lines"], rules["column_lines"]),
                             lambda h: (lo.ravel(), hi.ravel()), rules)

    def fallback(a):
        linear._prepare(np.zeros(hidden.size, dtype=bool))
        return linear._extreme(a, 1.0), linear._extreme(a, -1.0)

    return tuple(r.reshape(hidden.shape) for r in net.ranges(hidden.ravel(), rules, fallback))


# --- the attack on linked tables: linear programmes over the finest counts ----------------------------------

class _LinearIntruder:
    """The intruder of the module notes ("Linked tables") over published cells ``M @ x`` of finest counts
    ``x >= 0``: lowest and highest value of a cell by linear programming (HiGHS via scipy.optimize.milp),
    exact over whole numbers (an optimum not at whole numbers is solved again as a whole-number programme).

    ``known(hidden)`` gives every cell's bounds when ``hidden`` are hidden. Whole-number solutions found on
    the way are kept as witnesses: each is a table the intruder cannot rule out, so the values it gives a
    cell are possible, and a cell whose witnesses already show it protected needs no programme. Hiding more
    cells only widens what is possible, so witnesses stay valid as secondary suppression goes on.
    """

    def __init__(self, matrix, known, rules, zero_atoms=None, truth_atoms=None):
        from scipy import sparse

        self.M = sparse.csr_array(matrix, dtype=np.float64)
        self.known, self.rules = known, rules
        self.upper = np.full(self.M.shape[1], np.inf)
        if zero_atoms is not None:
            self.upper[zero_atoms] = 0
        self.wmin = np.full(self.M.shape[0], np.inf)
        self.wmax = np.full(self.M.shape[0], -np.inf)
        self._key = None
        if truth_atoms is not None:
            self._witness(np.asarray(truth_atoms, dtype=np.float64))

    def _prepare(self, hidden):
        key = hidden.tobytes()
        if key == self._key:
            return
        lo, hi = self.known(hidden)
        bounded = np.flatnonzero(~hidden | (lo > 0) | np.isfinite(hi))  # hidden cells: at least the floor
        self.consistent = not (lo[bounded] > hi[bounded]).any()
        self._rows, self._lb, self._ub = self.M[bounded], lo[bounded], hi[bounded]
        self._cache = {}
        self._key = key

    def _witness(self, x):
        values = self.M @ x
        np.minimum(self.wmin, values, out=self.wmin)
        np.maximum(self.wmax, values, out=self.wmax)

    def _solve(self, c, extra, integer):
        from scipy.optimize import Bounds, LinearConstraint, milp

        constraints = [LinearConstraint(self._rows, self._lb, self._ub)] if self._rows.shape[0] else []
        if extra is not None:
            constraints.append(LinearConstraint(self.M[[extra[0]]], extra[1], extra[2]))
        return milp(c, integrality=np.full(c.size, int(integer)), bounds=Bounds(0, self.upper),
                    constraints=constraints)

    def _whole(self, x, extra):
        """The solution rounded to whole numbers if it is one (within 1e-6) and still fits exactly."""
        xr = np.round(x)
        if np.abs(x - xr).max(initial=0) > 1e-6:
            return None
        v = self._rows @ xr
        if (v < self._lb).any() or (v > self._ub).any():
            return None
        if extra is not None and not extra[1] <= (self.M[[extra[0]]] @ xr)[0] <= extra[2]:
            return None
        return xr

    def _run(self, c, extra=None):
        """Optimum of c @ x over whole numbers: ('ok', x), ('infeasible', None) or ('unbounded', None)."""
        for integer in (False, True):
            res = self._solve(c, extra, integer)
            if res.status == 2:
                return "infeasible", None
            if res.status == 3:  # unbounded as a linear programme: so over whole numbers too
                return "unbounded", None
            if res.status != 0:  # pragma: no cover - HiGHS solves these small programmes
                raise RuntimeError(f"linear programme failed: {res.message}")
            x = self._whole(res.x, extra) if not integer else np.round(res.x)
            if x is not None:
                self._witness(x)
                return "ok", x
        raise AssertionError("unreachable")  # pragma: no cover

    def feasible(self, hidden) -> bool:
        """Does some table of whole counts fit? Keeps one in ``point`` (finest counts)."""
        self._prepare(hidden)
        if not self.consistent:
            return False
        status, self.point = self._run(np.zeros(self.M.shape[1]))
        return status == "ok"

    def _extreme(self, q, sign, window=None):
        key = (q, sign, window)
        if key not in self._cache:
            c = sign * self.M[[q]].toarray().ravel()
            status, x = self._run(c, None if window is None else (q, *window))
            self._cache[key] = (None if status == "infeasible" else np.inf if status == "unbounded"
                                else float((self.M[[q]] @ x)[0]))
        return self._cache[key]

    def _exact(self, q):
        low, high = self._extreme(q, 1.0), self._extreme(q, -1.0)
        s_lo, top = _window(self.rules)
        if top < s_lo or high < s_lo or low > top:
            return low, high, np.nan, np.nan
        small_lo = low if low >= s_lo else self._extreme(q, 1.0, (s_lo, top))
        small_hi = high if high <= top else self._extreme(q, -1.0, (s_lo, top))
        if small_lo is None or small_hi is None:  # no whole-number table gives it a small count
            return low, high, np.nan, np.nan
        return low, high, small_lo, small_hi

    def _proven(self, q):
        a, b = self.wmin[q], self.wmax[q]
        if b - a + 1 < self.rules["min_values"]:
            return False
        s_lo, top = _window(self.rules)
        return _need_small(self.rules) <= 1 or min(b, top) - max(a, s_lo) + 1 >= _need_small(self.rules)

    def first_exposed(self, hidden, targets=None):
        self._prepare(hidden)
        for q in np.flatnonzero(hidden if targets is None else targets):
            if self._proven(q):
                continue
            ranges = [np.array([v]) for v in self._exact(q)]
            if not _protected(*ranges, self.rules)[0]:
                return int(q)
        return None

    def audit(self, hidden, targets=None):
        self._prepare(hidden)
        targets = hidden if targets is None else targets
        out = np.full((4, hidden.size), np.nan)
        for q in np.flatnonzero(targets):
            out[:, q] = self._exact(q)
        return tuple(out)


@dataclass
class _Layout:
    """One table of a linked set: its row variables and column variable (numbers into the list of
    variables) and the value code of each row and column (-1: every value, i.e. a total)."""

    name: str
    row_vars: list
    col_var: int
    row_keys: np.ndarray  # (rows, len(row_vars))
    col_keys: np.ndarray  # (columns,)


class _Boxes:
    """The cells of linked tables as sums of the finest counts (every combination of every variable):
    ``M`` (distinct published counts x finest counts, 0/1), the distinct count behind each table cell
    (``cells[name]``, a grid), which counts are margins, and the lines (a count with its parts)."""

    def __init__(self, layouts, sizes):
        from scipy import sparse

        self.sizes = np.asarray(sizes, dtype=np.int64)
        n_vars = self.sizes.size
        keys, shapes = [], []
        for layout in layouts:
            nr, nc = len(layout.row_keys), len(layout.col_keys)
            k = np.full((nr, nc, n_vars), -1, dtype=np.int64)
            k[:, :, layout.row_vars] = layout.row_keys[:, None, :]
            k[:, :, layout.col_var] = layout.col_keys[None, :]
            keys.append(k.reshape(-1, n_vars))
            shapes.append((nr, nc))
        every = np.vstack(keys)
        unique, first, inverse = np.unique(every, axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # distinct counts in order of first appearance
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        self.keys = unique[order]
        q_of_cell = rank[inverse.ravel()]
        self.cells, start, margin = {}, 0, np.zeros(order.size, dtype=bool)
        for layout, (nr, nc) in zip(layouts, shapes, strict=True):
            grid = q_of_cell[start:start + nr * nc].reshape(nr, nc)
            self.cells[layout.name] = grid
            margin[grid[(layout.row_keys < 0).any(axis=1), :].ravel()] = True
            margin[grid[:, layout.col_keys < 0].ravel()] = True
            start += nr * nc
        self.margin = margin
        self.layouts = layouts
        n_atoms = int(np.prod(self.sizes))
        coords = np.unravel_index(np.arange(n_atoms), tuple(self.sizes)) if n_vars else ()
        fixed = self.keys >= 0
        rows, cols = [], []
        for pattern in np.unique(fixed, axis=0):
            qs = np.flatnonzero((fixed == pattern).all(axis=1))
            free = np.flatnonzero(pattern)
            if free.size == 0:
                rows.append(np.repeat(qs, n_atoms))
                cols.append(np.tile(np.arange(n_atoms), qs.size))
                continue
            radix = tuple(self.sizes[free])
            lookup = np.full(int(np.prod(radix)), -1, dtype=np.int64)
            lookup[np.ravel_multi_index(tuple(self.keys[qs][:, free].T), radix)] = qs
            q_of_atom = lookup[np.ravel_multi_index(tuple(coords[f] for f in free), radix)]
            hit = q_of_atom >= 0
            rows.append(q_of_atom[hit])
            cols.append(np.flatnonzero(hit))
        rows, cols = np.concatenate(rows), np.concatenate(cols)
        self.M = sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(len(self.keys), n_atoms))
        self.coords = coords

    def zero_atoms(self):
        """Finest counts a table's totals rule out: a table with a total lists every row (column) that adds
        up to it, so a combination outside its rows (columns) but inside its total is 0."""
        zero = np.zeros(self.M.shape[1], dtype=bool)
        for layout in self.layouts:
            grid = self.cells[layout.name]
            listed = np.ones(self.M.shape[1], dtype=bool)
            full_rows = layout.row_keys[(layout.row_keys >= 0).all(axis=1)]
            radix = tuple(self.sizes[layout.row_vars])
            atom_code = np.ravel_multi_index(tuple(self.coords[v] for v in layout.row_vars), radix)
            listed &= np.isin(atom_code, np.ravel_multi_index(tuple(full_rows.T), radix))
            listed &= np.isin(self.coords[layout.col_var], layout.col_keys[layout.col_keys >= 0])
            total_row = (layout.row_keys < 0).any(axis=1)
            totals = np.unique(np.concatenate([grid[total_row, :].ravel(),
                                               grid[:, layout.col_keys < 0].ravel()]))
            if totals.size:
                covered = np.asarray(self.M[totals].sum(axis=0)).ravel() > 0
                zero |= covered & ~listed
        return zero

    def families(self):
        """Lines for the line rule: each table's rows and columns with their totals, then every count that
        is the sum over one variable of other published counts (a total across tables)."""
        out = []
        for layout in self.layouts:
            grid = self.cells[layout.name]
            if (layout.col_keys < 0).any():
                out.append(grid)
            if (layout.row_keys < 0).any():
                out.append(grid.T.copy())
        code = np.ravel_multi_index(tuple((self.keys + 1).T), tuple(self.sizes + 1))
        order = np.argsort(code)
        for v, size in enumerate(self.sizes):
            totals = np.flatnonzero(self.keys[:, v] < 0)
            if totals.size == 0:
                continue
            parts = np.repeat(self.keys[totals][:, None, :], size, axis=1)
            parts[:, :, v] = np.arange(size)
            part_code = np.ravel_multi_index(tuple((parts.reshape(-1, self.sizes.size) + 1).T),
                                             tuple(self.sizes + 1))
            pos = np.minimum(np.searchsorted(code[order], part_code), code.size - 1)
            found = (code[order][pos] == part_code).reshape(totals.size, size)
            complete = found.all(axis=1)
            if complete.any():
                q = order[pos].reshape(totals.size, size)[complete]
                out.append(np.column_stack([q, totals[complete]]))
        return out


    def _lookup(self, keys):
        """The published count with each of these keys (-1: every value), or -1 where none is published."""
        radix = tuple(self.sizes + 1)
        codes = np.ravel_multi_index(tuple((self.keys + 1).T), radix)
        order = np.argsort(codes)
        wanted = np.ravel_multi_index(tuple((np.asarray(keys) + 1).T), radix)
        pos = np.minimum(np.searchsorted(codes[order], wanted), codes.size - 1)
        return np.where(codes[order][pos] == wanted, order[pos], -1)

    def network(self):
        """The published counts as the arcs of a network, if they have one.

        Boxes that neither nest nor are disjoint (a trust's total and a sex's total) cross. When the kinds
        of box (which variables each fixes) can be split into two families with no crossing inside either,
        each family is laminar, and a matrix whose rows are two laminar families of sets is a network matrix
        (Schrijver, *Combinatorial Optimization*, 2003, on totally unimodular matrices; each family is a
        tree): a node per box, an arc into each box of the first family from the box around it, an arc out
        of each box of the second family to the box around it, a finest count an arc from its smallest box
        in the first family to its smallest in the second, the grand total an arc back. A breakdown and its
        total (trust x sex x group with trust x group), and two periods with their sum, are such sets;
        tables sharing only a margin (trust x sex with trust x group) are not.

        Returns None, or (nodes, tails, heads, extra): arcs 0.. are the published counts in order, then one
        arc per ``extra`` entry: an array of finest counts that no published count tells apart (their sum),
        or an int, the arc whose flow a subdividing arc repeats.
        """
        keys, n_q = self.keys, len(self.keys)
        fixed = keys >= 0
        whole, grand = fixed.all(axis=1), ~fixed.any(axis=1)
        boxes = np.flatnonzero(~whole & ~grand)
        patterns, pattern_of = np.unique(fixed[boxes], axis=0, return_inverse=True)
        pattern_of = pattern_of.ravel()
        k = len(patterns)
        nested = (patterns[:, None, :] <= patterns[None, :, :]).all(axis=2)
        cross = ~(nested | nested.T)
        colour = np.full(k, -1)
        for start in range(k):  # two-colour the kinds of box (a handful: at most 2**variables)
            if colour[start] >= 0:
                continue
            colour[start], stack = 0, [start]
            while stack:
                a = stack.pop()
                for b in np.flatnonzero(cross[a]):
                    if colour[b] < 0:
                        colour[b] = 1 - colour[a]
                        stack.append(b)
                    elif colour[b] == colour[a]:
                        return None
        node = np.full(n_q, -1, dtype=np.int64)
        node[boxes] = 2 + np.arange(boxes.size)  # 0 and 1: the outermost box of each family
        n_atoms = self.M.shape[1]
        atom_keys = np.column_stack(self.coords)
        tails, heads = np.zeros(n_q, dtype=np.int64), np.zeros(n_q, dtype=np.int64)
        leaf = [np.full(n_atoms, 0, dtype=np.int64), np.full(n_atoms, 1, dtype=np.int64)]
        for family in (0, 1):
            chain = np.flatnonzero(colour == family)
            chain = chain[np.argsort(-patterns[chain].sum(axis=1), kind="stable")]  # smallest boxes first
            for i, p in enumerate(chain):
                members = boxes[pattern_of == p]
                parent = np.full(members.size, family, dtype=np.int64)
                open_ = np.ones(members.size, dtype=bool)
                for q in chain[i + 1:]:
                    found = self._lookup(np.where(patterns[q], keys[members], -1))
                    take = open_ & (found >= 0)
                    parent[take] = node[found[take]]
                    open_ &= ~take
                tails[members], heads[members] = ((parent, node[members]) if family == 0 else
                                                  (node[members], parent))
            assigned = np.zeros(n_atoms, dtype=bool)
            for p in chain:
                found = self._lookup(np.where(patterns[p], atom_keys, -1))
                take = ~assigned & (found >= 0)
                leaf[family][take] = node[found[take]]
                assigned |= take
        tails[grand], heads[grand] = 1, 0
        atom_q = self._lookup(atom_keys)
        tails[atom_q[atom_q >= 0]] = leaf[0][atom_q >= 0]
        heads[atom_q[atom_q >= 0]] = leaf[1][atom_q >= 0]
        extra, extra_t, extra_h = [], [], []
        free = np.flatnonzero(atom_q < 0)  # finest counts not published: one arc per pair of smallest boxes
        if free.size:
            pair = leaf[0][free] * (boxes.size + 2) + leaf[1][free]
            uniq, group = np.unique(pair, return_inverse=True)
            for g in range(uniq.size):
                extra.append(free[group.ravel() == g])
            extra_t += list(uniq // (boxes.size + 2))
            extra_h += list(uniq % (boxes.size + 2))
        if not grand.any():
            extra.append(np.zeros(0, dtype=np.int64))  # the grand total, not published: a free arc
            extra_t.append(1)
            extra_h.append(0)
        tails, heads = np.concatenate([tails, extra_t]).astype(np.int64), np.concatenate([heads, extra_h]
                                                                                         ).astype(np.int64)
        n = boxes.size + 2
        seen = {}
        for a in range(tails.size):  # parallel or opposite arcs: all but the first get a node of their own
            pair = (min(tails[a], heads[a]), max(tails[a], heads[a]))
            if pair in seen:
                tails, heads = np.append(tails, n), np.append(heads, heads[a])
                heads[a] = n
                extra.append(a)
                n += 1
            else:
                seen[pair] = a
        return n, tails, heads, extra


class _FlowIntruder:
    """Linked tables that form a network (:meth:`_Boxes.network`): the attack of one table, maximum flows,
    with linear programming for a bound that reaches the flows' cap and for a first fitting table when the
    true counts are not known and a flow cannot find one."""

    def __init__(self, boxes, structure, known, rules, zero_atoms=None, truth_atoms=None):
        self.n, self.tails, self.heads, self.extra = structure
        self.known, self.rules, self.truth_atoms = known, rules, truth_atoms
        self.zero = np.zeros(boxes.M.shape[1], dtype=bool) if zero_atoms is None else zero_atoms
        self.linear = _LinearIntruder(boxes.M, known, rules, zero_atoms=zero_atoms, truth_atoms=truth_atoms)
        self.n_q = boxes.M.shape[0]
        self._key, self._stable = None, None

    def _flow(self, atoms):
        flow = list(self.linear.M @ atoms)
        for e in self.extra:
            flow.append(flow[e] if isinstance(e, (int, np.integer)) else atoms[e].sum())
        return np.rint(np.array(flow, dtype=np.float64)).astype(np.int64)

    def _network(self, hidden):
        key = hidden.tobytes()
        if key != self._key:
            lo, hi = self.known(hidden)
            x_lo, x_hi = [], []
            for e in self.extra:
                x_lo.append(0.0)
                x_hi.append(0.0 if not isinstance(e, (int, np.integer)) and e.size and self.zero[e].all()
                            else np.inf)
            lo, hi = np.concatenate([lo, x_lo]), np.concatenate([hi, x_hi])
            self._net = None
            if self.truth_atoms is not None:
                flow = self._flow(self.truth_atoms)
            else:
                try:
                    flow = _Network.feasible_flow(self.n, self.tails, self.heads, lo, hi)
                except _TooLarge:
                    flow = self._flow(self.linear.point) if self.linear.feasible(hidden) else None
            if flow is not None:
                self._net = _Network(self.n, self.tails, self.heads, lo, hi, flow)
            self._key = key
        return self._net

    def _fallback(self, hidden):
        def bounds(a):
            self.linear._prepare(hidden)
            return self.linear._extreme(a, 1.0), self.linear._extreme(a, -1.0)
        return bounds

    def _targets(self, mask):
        return np.concatenate([mask, np.zeros(self.tails.size - self.n_q, dtype=bool)])

    def feasible(self, hidden) -> bool:
        return self._network(hidden) is not None

    def first_exposed(self, hidden):
        """As :meth:`_GridIntruder.first_exposed`: stably protected cells are not attacked again."""
        return _first_exposed(self, hidden, self._flow(self.truth_atoms))

    def audit(self, hidden, targets=None):
        net = self._network(hidden)
        targets = hidden if targets is None else targets
        return tuple(r[:self.n_q] for r in net.ranges(self._targets(targets), self.rules,
                                                       self._fallback(hidden)))


def _linked_intruder(boxes, known, rules, zero_atoms=None, truth_atoms=None):
    structure = boxes.network()
    if structure is None:
        return _LinearIntruder(boxes.M, known, rules, zero_atoms=zero_atoms, truth_atoms=truth_atoms)
    return _FlowIntruder(boxes, structure, known, rules, zero_atoms=zero_atoms, truth_atoms=truth_atoms)


# --- linked tables from tidy data --------------------------------------------------------------------------

def _table_specs(tables):
    if isinstance(tables, dict):
        items = list(tables.items())
    elif isinstance(tables, (list, tuple)):
        items = [(None, t) for t in tables]
    else:
        raise TypeError(f"tables must be a dict {{name: (rows, column)}} or a list of (rows, column), not "
                        f"{type(tables).__name__}. Fix: e.g. tables={{'by sex': (['trust', 'sex'], "
                        "'ethnic_group'), 'all': ('trust', 'ethnic_group')}.")
    if not items:
        raise ValueError("tables is empty. Fix: name at least one table, e.g. tables={'all': ('trust', "
                         "'ethnic_group')}.")
    specs = []
    for name, spec in items:
        ok = isinstance(spec, (tuple, list)) and len(spec) == 2
        rows, column = spec if ok else (None, None)
        rows = [rows] if isinstance(rows, str) else list(rows) if isinstance(rows, (list, tuple)) else None
        if not ok or not rows or not all(isinstance(r, str) for r in rows) or not isinstance(column, str):
            raise TypeError("Each table is (rows, column): a column name or a list of them for the rows, "
                            "one column name for the columns, e.g. (['trust', 'sex'], 'ethnic_group'); not "
                            f"{spec!r}.")
        if column in rows or len(set(rows)) < len(rows):
            raise ValueError(f"Table {spec!r} names a variable twice. Fix: use each variable once per table.")
        if name is None:
            name = f"{' x '.join(rows)} by {column}"
        if not isinstance(name, str):
            raise TypeError(f"Table names must be text, not {name!r}.")
        specs.append((name, rows, column))
    names = [s[0] for s in specs]
    if len(set(names)) < len(names):
        raise ValueError(f"Two tables are both named {next(n for n in names if names.count(n) > 1)!r}. Fix: "
                         "give each table its own name (a dict), or list each table once.")
    return specs


def _variable_codes(data, variable, words, total_label):
    series = data[variable]
    missing = series.isna().to_numpy()
    if missing.any():
        where = rows_phrase(list(data.index[missing]))
        raise ValueError(f"Column '{variable}' has missing labels at {where}. Fix: give them a label, e.g. "
                         f"data['{variable}'].fillna('Not known'), or drop those rows.")
    try:
        codes, uniques = pd.factorize(series, sort=True)
    except TypeError:  # labels of mixed types cannot be sorted
        codes, uniques = pd.factorize(series, sort=False)
    labels = list(uniques)
    clash = [v for v in labels if _normal(v) in words or _normal(v) == ""]
    if clash:
        raise ValueError(f"Column '{variable}' has the value {clash[0]!r}, which would read as a total (or "
                         f"an empty label) in a published table. Fix: rename it, e.g. data['{variable}'] = "
                         f"data['{variable}'].replace({clash[0]!r}, 'Other').")
    return codes.astype(np.int64), labels


def _labels_index(values, keys, names, total_label):
    labels = [tuple(v[k] if k >= 0 else (total_label if j == 0 else "") for j, (v, k) in
                    enumerate(zip(values, key, strict=True))) for key in keys]
    if len(names) == 1:
        return pd.Index([label[0] for label in labels], name=names[0])
    return pd.MultiIndex.from_tuples(labels, names=names)


# --- results ------------------------------------------------------------------------------------------------

def _grid_result(full, rounded, hidden, primary, ranges, rows, cols, rules, settings, footnote):
    symbol = settings["symbol"]
    text = np.where(hidden, symbol, rounded.astype(str))
    status = np.where(primary, PRIMARY, np.where(hidden, SECONDARY, SHOWN))
    values = pd.DataFrame(np.where(hidden, None, rounded), index=rows, columns=cols).astype("Int64")
    return SuppressionResult(
        table=pd.DataFrame(text, index=rows, columns=cols),
        values=values,
        status=pd.DataFrame(status, index=rows, columns=cols),
        unrounded=pd.DataFrame(full, index=rows, columns=cols),
        audit=_audit_frame(hidden, ranges, rules, rows, cols, status),
        footnote=footnote,
        settings=settings,
    )


def _take(labels: pd.Index, positions):
    taken = labels.take(positions)
    return list(taken) if isinstance(taken, pd.MultiIndex) else taken


def _audit_frame(hidden, ranges, rules, rows, cols, status):
    r, c = np.nonzero(hidden)
    low, high, s_lo, s_hi = (np.asarray(a, dtype=float)[r, c] for a in ranges)
    data = {
        "row": _take(rows, r),
        "column": _take(cols, c),
        "status": None if status is None else status[r, c],
        "lowest": low,
        "highest": high,
        "possible_values": high - low + 1,
        "lowest_if_small": s_lo,
        "highest_if_small": s_hi,
        "protected": _protected(low, high, s_lo, s_hi, rules),
    }
    columns = [k for k in _AUDIT_COLUMNS if not (k == "status" and status is None)]
    return pd.DataFrame({k: data[k] for k in columns})


# --- check_safe: reading published tables -------------------------------------------------------------------

def _check_items(data, threshold, rounding, suppress_zeros, min_values, total_label, symbol):
    """The tables to check, as (name, frame, total_label, symbol, made by suppress), and the rules."""
    if isinstance(data, LinkedSuppressionResult):
        entries = list(data.tables.items())
    elif isinstance(data, dict):
        entries = list(data.items())
    elif isinstance(data, (list, tuple)):
        entries = [(None, d) for d in data]
    else:
        entries = [(None, data)]
    flat = []
    for name, item in entries:
        if isinstance(item, LinkedSuppressionResult):
            flat.extend(item.tables.items())
        else:
            flat.append((name, item))
    if not flat:
        raise ValueError("There is no table to check. Fix: pass a table, or a list of the tables published "
                         "together.")
    keys = ("threshold", "rounding", "suppress_zeros", "min_values")
    made = [item.settings for _, item in flat if isinstance(item, SuppressionResult)]
    if made:
        rules = {k: made[0][k] for k in keys}
        if any({k: s[k] for k in keys} != rules for s in made):
            raise ValueError("The tables were made with different rules (threshold, rounding, suppress_zeros "
                             "or min_values), so no one check fits them all. Fix: make them with the same "
                             "rules, or check each on its own.")
    else:
        rules = dict(threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                     min_values=min_values)
        _check_labels(total_label, symbol)
    threshold, rounding, min_values = _check_settings(rules["threshold"], rules["rounding"],
                                                      rules["suppress_zeros"], rules["min_values"])
    rules.update(threshold=threshold, rounding=rounding, min_values=min_values)
    items = []
    for i, (name, item) in enumerate(flat):
        if name is None and len(flat) > 1:
            name = f"table {i + 1}"
        if isinstance(item, SuppressionResult):
            s = item.settings
            items.append((name, item.table, s["total_label"], s["symbol"], True))
        else:
            require_dataframe(item)
            items.append((name, item, total_label, symbol, False))
    names = [i[0] for i in items]
    if len(items) > 1 and len(set(names)) < len(names):
        raise ValueError("Two tables have the same name. Fix: give each its own name in the dict.")
    return items, rules, dict(rules)


@dataclass
class _Parsed:
    """A published table as read by the intruder: its numbers, hidden cells and, per row and column label,
    which levels mean "every value" (a total)."""

    name: str | None
    frame: pd.DataFrame
    rows: pd.Index
    cols: pd.Index
    row_all: np.ndarray  # (rows, levels)
    col_all: np.ndarray  # (columns,)
    numbers: np.ndarray
    hidden: np.ndarray
    notes: list

    @property
    def grid_shaped(self) -> bool:
        """Rows are each all data or all total, at most one total row and one total column: a plain table
        (a network); otherwise it holds subtotals."""
        whole = self.row_all.all(axis=1)
        return (bool((self.row_all.any(axis=1) == whole).all()) and whole.sum() <= 1
                and self.col_all.sum() <= 1)

    @property
    def row_lines(self) -> bool:
        return bool(self.col_all.any())

    @property
    def column_lines(self) -> bool:
        return bool(self.row_all.all(axis=1).any())

    def where(self, r, c) -> str:
        head = "" if self.name is None else f"Table {self.name!r}: row"
        return f"{head or 'Row'} {self.rows[r]!r}, column {self.cols[c]!r}"


def _parse_table(frame, total_label, symbol, name, detect_sums, rules):
    require_dataframe(frame)
    where = "" if name is None else f"Table {name!r}: "
    if isinstance(frame.columns, pd.MultiIndex):
        raise ValueError(f"{where}the table has several levels of column labels. Fix: keep one variable in "
                         "the columns and move the others to the row labels, e.g. table.stack(level=0).")
    for axis, labels in (("Row", frame.index), ("Column", frame.columns)):
        dup = labels[labels.duplicated()]
        if len(dup):
            raise ValueError(f"{where}{axis} labels {list(dict.fromkeys(dup))[:5]} appear more than once. "
                             "Fix: give each row and column its own label.")
    if frame.size == 0:
        raise ValueError(f"{where}the published table is empty. Fix: pass the table as published.")
    words = _total_words(total_label)
    row_all = _reads_as_total(frame.index, words)
    col_all = _reads_as_total(frame.columns, words)[:, 0]
    text = frame.astype(str).apply(lambda s: s.str.strip())
    hidden = (text == symbol).to_numpy()
    numbers = text.apply(lambda s: pd.to_numeric(s, errors="coerce")).to_numpy(dtype=float, copy=True)
    raw_missing = frame.isna().to_numpy()
    with np.errstate(invalid="ignore"):
        bad = ~hidden & (np.isnan(numbers) | raw_missing | (numbers < 0) | (numbers != np.floor(numbers)))
        big = ~hidden & ~bad & (numbers > MAX_COUNT)
    for mask, rule in ((bad, "'{symbol}' or a whole number of at least 0"),
                       (big, "'{symbol}' or a whole number of at most 2**53 (9,007,199,254,740,992)")):
        if mask.any():
            cells = [f"row {frame.index[r]!r}, column {frame.columns[c]!r} ({frame.iat[r, c]!r})"
                     for r, c in np.argwhere(mask)[:5]]
            raise ValueError(
                f"{where}Published cells must be {rule.format(symbol=symbol)}; found {'; '.join(cells)}"
                f"{' and more' if mask.sum() > 5 else ''}. Fix: correct those cells (a blank should be 0 or "
                f"'{symbol}').")
    numbers[hidden] = np.nan
    parsed = _Parsed(name, frame, pd.Index(frame.index) if not isinstance(frame.index, pd.MultiIndex)
                     else frame.index, pd.Index(frame.columns), row_all, col_all, numbers, hidden, [])
    for axis, labels, flags in (("row", parsed.rows, row_all.all(axis=1)), ("column", parsed.cols, col_all)):
        for label in labels[flags]:
            if label != _total_key(labels, total_label):
                parsed.notes.append(f"The {axis} {label!r} was read as a total: its label says so.")
    if parsed.grid_shaped and detect_sums:
        _find_sum_lines(parsed, rules)
    if parsed.grid_shaped:
        parsed = _totals_last(parsed)
    return parsed


def _total_key(labels, total_label):
    return (total_label,) + ("",) * (labels.nlevels - 1) if isinstance(labels, pd.MultiIndex) else total_label


def _totals_last(p: _Parsed) -> _Parsed:
    rows = np.argsort(p.row_all.all(axis=1), kind="stable")
    cols = np.argsort(p.col_all, kind="stable")
    return _Parsed(p.name, p.frame, p.rows.take(rows), p.cols.take(cols), p.row_all[rows], p.col_all[cols],
                   p.numbers[np.ix_(rows, cols)], p.hidden[np.ix_(rows, cols)], p.notes)


def _find_sum_lines(p: _Parsed, rules):
    """Read as a total a row (column) that is not labelled as one but equals the sum of the others wherever
    they are all shown (module notes, "Totals"), if the table stays consistent with it as a total."""
    for axis in (0, 1):
        flags = p.row_all if axis == 0 else p.col_all[:, None]
        labels = p.rows if axis == 0 else p.cols
        if flags.any() or isinstance(labels, pd.MultiIndex):
            continue
        x = p.numbers if axis == 0 else p.numbers.T
        h = p.hidden if axis == 0 else p.hidden.T
        # read permissively, a hidden cell at least 0: a table that hides a zero is still read with its
        # totals (and then reported, see _check_grid), not called safe for having none
        k = _sum_line(x, h, dict(rules, floor=0))
        if k is None:
            continue
        trial_row_all, trial_col_all = p.row_all.copy(), p.col_all.copy()
        if axis == 0:
            trial_row_all[k] = True
        else:
            trial_col_all[k] = True
        trial = _totals_last(_Parsed(p.name, p.frame, p.rows, p.cols, trial_row_all, trial_col_all, p.numbers,
                                     p.hidden, p.notes))
        grid_rules = dict(rules, row_lines=trial.row_lines, column_lines=trial.column_lines, floor=0)
        small_shown, _ = _shown_problems(trial.numbers, trial.hidden, grid_rules)
        if _grid_consistent(trial, grid_rules, small_shown):
            p.row_all, p.col_all = trial_row_all, trial_col_all
            word, other = ("row", "rows") if axis == 0 else ("column", "columns")
            p.notes.append(f"The {word} {labels[k]!r} was read as the total of the other {other}: it equals "
                           "their sum wherever they are all shown, as an intruder would notice.")


def _sum_line(x, h, rules):
    """The line (row of x) equal to the sum of the others: consistent in every column, and shown with at least
    two non-zero parts in at least two columns. None if there is none."""
    n = x.shape[0]
    if n < 3:
        return None
    lo, hi = _known_ranges(x, h, rules)
    inf = np.isinf(hi)
    finite_hi = np.where(inf, 0, hi)
    others_lo = lo.sum(axis=0, keepdims=True) - lo
    others_hi = np.where(inf.sum(axis=0, keepdims=True) - inf > 0, np.inf,
                         finite_hi.sum(axis=0, keepdims=True) - finite_hi)
    consistent = ((others_lo <= hi) & (lo <= others_hi)).all(axis=1)
    positive = ~h & (np.nan_to_num(x) > 0)
    parts = positive.sum(axis=0, keepdims=True) - positive
    evidence = (positive & ~h.any(axis=0, keepdims=True) & (parts >= 2)).sum(axis=1) >= 2
    found = np.flatnonzero(consistent & evidence)
    if found.size == 0:
        return None
    return int(found[np.argmax(np.nansum(x[found], axis=1))])


def _grid_consistent(p: _Parsed, rules, exact):
    lo, hi = _known_ranges(p.numbers, p.hidden, rules)
    lo, hi = np.where(exact, p.numbers, lo), np.where(exact, p.numbers, hi)
    if (lo > hi).any():
        return False
    return _Network.from_grid(lo, hi, rules["row_lines"], rules["column_lines"]) is not None


def _shown_problems(numbers, hidden, rules):
    """Shown numbers only a small count could give (taken at their word by the attack), and shown numbers
    that are not multiples of the rounding base."""
    shown = ~hidden
    with np.errstate(invalid="ignore"):
        unrounded = shown & (numbers % rules["rounding"] != 0)
        in_small = (numbers >= (0 if rules["suppress_zeros"] else 1)) & (numbers <= rules["threshold"])
    lo, hi = _known_ranges(numbers, hidden, rules)
    return shown & ((lo > hi) | (unrounded & in_small)), unrounded


def _shown_reasons(p: _Parsed, rules, symbol, small_shown, unrounded):
    small = f"{'0' if rules['suppress_zeros'] else '1'} to {rules['threshold']}"
    out = [f"{p.where(r, c)} shows {int(p.numbers[r, c])}, which only a count of {small} could give: the "
           f"rule hides those as '{symbol}'." for r, c in zip(*np.nonzero(small_shown), strict=True)]
    out += [f"{p.where(r, c)} shows {int(p.numbers[r, c])}, which is not a multiple of {rules['rounding']}: "
            f"round shown counts to the nearest {rules['rounding']}."
            for r, c in zip(*np.nonzero(unrounded & ~small_shown), strict=True)]
    return out


def _single_lines(p: _Parsed):
    out = []
    head = "" if p.name is None else f"Table {p.name!r}: "
    if p.row_lines:
        for r in np.flatnonzero(p.hidden.sum(axis=1) == 1):
            out.append((f"{head}{'Row' if not head else 'row'} {p.rows[r]!r}",
                        f"column {p.cols[np.argmax(p.hidden[r])]!r}"))
    if p.column_lines:
        for c in np.flatnonzero(p.hidden.sum(axis=0) == 1):
            out.append((f"{head}{'Column' if not head else 'column'} {p.cols[c]!r}",
                        f"row {p.rows[np.argmax(p.hidden[:, c])]!r}"))
    return [f"{where} has exactly one hidden cell ({cell}): with the total published it is the total minus "
            "the rest; hide a second cell in that line." for where, cell in out]


def _exposed_reason(where, row, min_values, together):
    source = "the published tables together" if together else "the published numbers"
    if row.possible_values < min_values:
        exact = (f"it must be exactly {int(row.lowest)}" if row.lowest == row.highest else
                 f"it can only be {int(row.lowest)} to {int(row.highest)}")
        return f"The hidden cell at {where} can be worked out from {source}: {exact}."
    return (f"The hidden cell at {where} is exposed if it hides a small count: it would have to be exactly "
            f"{int(row.lowest_if_small)}.")


def _inconsistent(rules, together):
    what = "tables" if together else "numbers"
    return (f"The published {what} are inconsistent: no table of whole counts fits them with the stated "
            f"rules (threshold {rules['threshold']}, rounding {rules['rounding']}). Were the totals added up "
            "from rounded numbers, or were other rules used"
            + ("; do the tables describe the same people, with the same names for their variables?"
               if together else "?") + " Nothing else can be checked until they agree.")


def _hidden_zero(rules, symbol, together):
    what = "tables" if together else "numbers"
    return (f"No table of whole counts fits the published {what} with every '{symbol}' at least 1, as the "
            f"rules imply when zeros are shown (a '{symbol}' is a count of 1 to {rules['threshold']}, or a "
            f"non-zero count hidden to protect one): some '{symbol}' must hide a 0. An intruder who notices "
            "knows the rules were not followed, so the ranges here let a hidden cell be 0. Fix: show zeros "
            "as 0 (hiding a zero protects nothing once zeros are shown), or if zeros are hidden too, check "
            "with suppress_zeros=True.")


def _floor_words(rules, symbol):
    if _floor(rules) < 1:
        return ""
    return (f", knowing that every '{symbol}' is at least 1 (zeros are shown as 0 and never hidden),")


def _check_grid(p: _Parsed, rules, checked, symbol):
    """One plain table: its network (module notes)."""
    rules = dict(rules, row_lines=p.row_lines, column_lines=p.column_lines)
    small_shown, unrounded = _shown_problems(p.numbers, p.hidden, rules)
    problems = _shown_reasons(p, rules, symbol, small_shown, unrounded) + _single_lines(p)
    # a small count shown is reported above; the attack takes it at its word, so that the totals are
    # judged on their own
    ranges = _grid_attack(p.numbers, p.hidden, rules, exact=small_shown)
    if ranges is None and _floor(rules) > 0 and p.hidden.any():
        # no table fits with every hidden cell at least 1: a zero is hidden (module notes, "The attack")
        ranges = _grid_attack(p.numbers, p.hidden, dict(rules, floor=0), exact=small_shown)
        if ranges is not None:
            problems.append(_hidden_zero(rules, symbol, together=False))
            rules = dict(rules, floor=0)
    nan = np.full(p.hidden.shape, np.nan)
    audit = _audit_frame(p.hidden, ranges or (nan, nan, nan, nan), rules, p.rows, p.cols, None)
    if ranges is None:
        problems.append(_inconsistent(rules, together=False))
    else:
        for row in audit.loc[~audit["protected"]].itertuples(index=False):
            problems.append(_exposed_reason(f"row {row.row!r}, column {row.column!r}", row,
                                            rules["min_values"], together=False))
    if problems:
        return SafetyCheck(False, problems + p.notes, audit, checked)
    small = f"{'0' if rules['suppress_zeros'] else '1'} to {rules['threshold']}"
    n_hidden = int(p.hidden.sum())
    reasons = [f"No count from {small} is shown" + (f": {n_hidden} cell(s) are hidden as '{symbol}'."
                                                    if n_hidden else "; none needed hiding.")]
    reasons.append(f"Every shown number is a multiple of {rules['rounding']}." if rules["rounding"] > 1 else
                   "Shown numbers are not rounded (rounding=1).")
    if not (p.row_lines or p.column_lines):
        reasons.append("The table has no totals, so no hidden cell can be worked out from them; check "
                       "together any tables published from the same data (check_safe([table, other])).")
    elif n_hidden:
        narrowest = audit.sort_values("possible_values", kind="stable").iloc[0]
        reasons.append("Every row and column with a total has no hidden cell or at least two.")
        reasons.append(
            f"An intruder who solves the totals as equations{_floor_words(rules, symbol)} cannot pin any "
            f"hidden cell: the narrowest range is {_count_words(narrowest.possible_values)} (row "
            f"{narrowest.row!r}, column {narrowest.column!r}: {int(narrowest.lowest)} to "
            f"{_end(narrowest.highest)}).")
    return SafetyCheck(True, reasons + p.notes, audit, checked)


def _check_boxes(parsed, rules, checked, symbol, single):
    """Tables read together (or one table with subtotals): every published count as the sum of the finest
    counts behind all of them (module notes, "Linked tables")."""
    variables, values = [], {}
    layouts_in = []
    for p in parsed:
        row_names = list(p.rows.names)
        names = row_names + [p.cols.name]
        if any(n is None for n in names):
            if not single:
                axis = "columns" if p.cols.name is None else "rows (a level)"
                raise ValueError(
                    f"Table {p.name!r}: its {axis} have no name, so it cannot be linked to the other tables. "
                    "Fix: name each level of labels after the variable it breaks down, the same in every "
                    "table, e.g. table.columns.name = 'ethnic_group' and table.index.names = ['trust', "
                    "'sex'].")
            names = [n if n is not None else f"level {j + 1} of the row labels" for j, n in
                     enumerate(row_names)] + [p.cols.name if p.cols.name is not None else "the column labels"]
        if len(set(names)) < len(names):
            raise ValueError(f"Table {p.name!r}: one variable labels two levels of its rows and columns "
                             f"({names}). Fix: name each level after a different variable.")
        row_labels = [k if isinstance(k, tuple) else (k,) for k in p.rows]
        for j, v in enumerate(names[:-1]):
            seen = values.setdefault(v, {})
            for label, flag in zip(row_labels, p.row_all[:, j], strict=True):
                if not flag:
                    seen.setdefault(label[j], len(seen))
        seen = values.setdefault(names[-1], {})
        for label, flag in zip(p.cols, p.col_all, strict=True):
            if not flag:
                seen.setdefault(label, len(seen))
        for v in names:
            if v not in variables:
                variables.append(v)
        layouts_in.append((p, names, row_labels))
    sizes = np.array([max(len(values[v]), 1) for v in variables], dtype=np.int64)
    n_atoms = int(np.prod(sizes))
    if n_atoms > _MAX_ATOMS:
        raise ValueError(f"The tables together break the data into {n_atoms:,} combinations, more than "
                         f"{_MAX_ATOMS:,}. Fix: check fewer tables together, or tables with fewer variables.")
    layouts = []
    for p, names, row_labels in layouts_in:
        row_vars = [variables.index(v) for v in names[:-1]]
        row_keys = np.array([[-1 if p.row_all[i, j] else values[v][label[j]]
                              for j, v in enumerate(names[:-1])] for i, label in enumerate(row_labels)],
                            dtype=np.int64).reshape(len(row_labels), -1)
        col_keys = np.array([-1 if flag else values[names[-1]][label] for label, flag in
                             zip(p.cols, p.col_all, strict=True)], dtype=np.int64)
        layouts.append(_Layout(p.name or "table", row_vars, variables.index(names[-1]), row_keys, col_keys))
    boxes = _Boxes(layouts, sizes)
    n_q = boxes.M.shape[0]
    lo_q, hi_q = np.zeros(n_q), np.full(n_q, np.inf)
    shown_q, target_q = np.zeros(n_q, dtype=bool), np.zeros(n_q, dtype=bool)
    problems = []
    for p, layout in zip(parsed, layouts, strict=True):
        grid_rules = dict(rules, row_lines=p.row_lines, column_lines=p.column_lines)
        small_shown, unrounded = _shown_problems(p.numbers, p.hidden, grid_rules)
        problems += _shown_reasons(p, grid_rules, symbol, small_shown, unrounded)
        if p.grid_shaped:
            problems += _single_lines(p)
        lo, hi = _known_ranges(p.numbers, p.hidden, grid_rules)
        lo, hi = np.where(small_shown, p.numbers, lo), np.where(small_shown, p.numbers, hi)
        q = boxes.cells[layout.name]
        shown = ~p.hidden
        np.maximum.at(lo_q, q[shown], lo[shown])
        np.minimum.at(hi_q, q[shown], hi[shown])
        shown_q[q[shown]] = True
        target_q[q[p.hidden]] = True
    hidden_q = ~shown_q
    lo_q[hidden_q] = _floor(rules)
    zero_atoms = boxes.zero_atoms()
    intruder = _linked_intruder(boxes, lambda h: (lo_q, hi_q), rules, zero_atoms=zero_atoms)
    consistent = intruder.feasible(hidden_q)
    if not consistent and _floor(rules) > 0 and hidden_q.any():
        # no set of tables fits with every hidden cell at least 1: a zero is hidden (module notes)
        lo_0 = np.where(hidden_q, 0.0, lo_q)
        intruder = _linked_intruder(boxes, lambda h: (lo_0, hi_q), rules, zero_atoms=zero_atoms)
        consistent = intruder.feasible(hidden_q)
        if consistent:
            problems.append(_hidden_zero(rules, symbol, together=not single))
            rules = dict(rules, floor=0)
    ranges = intruder.audit(hidden_q, targets=target_q) if consistent else np.full((4, n_q), np.nan)
    audits = []
    for p, layout in zip(parsed, layouts, strict=True):
        q = boxes.cells[layout.name]
        grid_rules = dict(rules, row_lines=p.row_lines, column_lines=p.column_lines)
        audit = _audit_frame(p.hidden, tuple(r[q] for r in ranges), grid_rules, p.rows, p.cols, None)
        audit.insert(0, "quantity", q[p.hidden])
        if not single:
            audit.insert(0, "table", p.name)
        audits.append(audit)
    audit = pd.concat(audits, ignore_index=True)
    together = not single
    if not consistent:
        problems.append(_inconsistent(rules, together))
    else:
        first = audit.drop_duplicates("quantity")
        for row in first.loc[~first["protected"]].itertuples(index=False):
            where = (f"table {row.table!r}, " if together else "") + f"row {row.row!r}, column {row.column!r}"
            problems.append(_exposed_reason(where, row, rules["min_values"], together))
    audit = audit.drop(columns="quantity")
    notes = [n for p in parsed for n in p.notes]
    if problems:
        return SafetyCheck(False, problems + notes, audit, checked)
    small = f"{'0' if rules['suppress_zeros'] else '1'} to {rules['threshold']}"
    n_hidden = int(sum(p.hidden.sum() for p in parsed))
    tables = f"in any of the {len(parsed)} tables" if together else ""
    reasons = [f"No count from {small} is shown{(' ' + tables) if tables else ''}"
               + (f": {n_hidden} cell(s) are hidden as '{symbol}'." if n_hidden else "; none needed hiding.")]
    reasons.append(f"Every shown number is a multiple of {rules['rounding']}." if rules["rounding"] > 1 else
                   "Shown numbers are not rounded (rounding=1).")
    if n_hidden:
        narrowest = audit.sort_values("possible_values", kind="stable").iloc[0]
        where = (f"table {narrowest.table!r}, " if together else "") + \
            f"row {narrowest.row!r}, column {narrowest.column!r}"
        reasons.append("Every row and column with a total has no hidden cell or at least two.")
        reasons.append(
            (f"An intruder who reads the {len(parsed)} tables together, every published number as a sum of "
             "the finest counts behind all of them" if together else
             "An intruder who solves the totals and subtotals as equations")
            + (_floor_words(rules, symbol) or ("," if together else ""))
            + " cannot pin any hidden cell: the narrowest range is "
            f"{_count_words(narrowest.possible_values)} ({where}: {int(narrowest.lowest)} to "
            f"{_end(narrowest.highest)}).")
    return SafetyCheck(True, reasons + notes, audit, checked)


def _count_words(n):
    return "unbounded" if np.isinf(n) else f"{int(n)} possible values"


def _end(x):
    return "no upper limit" if np.isinf(x) else str(int(x))


def _footnote(threshold, rounding, suppress_zeros, symbol, totals):
    small = f"{'0' if suppress_zeros else '1'} to {threshold}"
    parts = [f"{symbol} = a count of {small}, or a cell hidden so that such a count cannot be worked out "
             "from the others."]
    if rounding > 1:
        parts.append(f"Other counts are rounded to the nearest {rounding}.")
    if totals and rounding > 1:
        parts.append("Totals were calculated before rounding, so they may not equal the sum of the "
                     "rounded numbers shown.")
    return " ".join(parts)


from equity_lib.disclosure.plot import plot_ranges as plot_ranges  # noqa: E402  (drawing: plot.py)
