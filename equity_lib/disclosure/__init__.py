"""Publishing counts safely: small-number suppression, rounding to 5 and secondary suppression.

* :func:`suppress` - the table to publish: counts of 1 to 7 shown as ``*``, the rest rounded to the
  nearest 5, totals calculated from the unrounded counts and then rounded, and further cells hidden
  so that no hidden cell can be worked out from the totals.
* :func:`check_safe` - is a published table safe, and why (or why not)? It runs the same attack as
  an intruder would: the totals as equations, solved by linear programming.
* :func:`round_counts` - round whole counts to a base (default 5), half up.
* :func:`plot_ranges` - draw what the intruder is left with: the range of counts each hidden cell could
  hold, for one table or several side by side (e.g. primary suppression only against :func:`suppress`).

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
   cell, the smallest other cell is hidden too, repeated until no such line is left. "Smallest"
   prefers, in order: a non-zero cell (a zero may be structural - men in maternity - and known to an
   intruder, so hiding it protects nothing); a cell inside the table over a total; the smallest
   count; the first in reading order. Then the table is attacked (below); while any hidden cell can
   be pinned, the smallest visible cell in its row or column is hidden too, and the loop repeats.

The attack (what "cannot be recovered" means)
---------------------------------------------
The intruder sees only the published table and knows the rules above. Every published number ``r``
means the true count lies in ``r - floor(base/2) .. r + ceil(base/2) - 1`` (8 to 12 for ``10`` with
base 5), is not negative, and is not 1 to 7 (or it would have been hidden): a published ``0`` is an
exact zero (with ``threshold=0``, rounding only, it is 0 to 2). A hidden cell is an unknown whole
number of at least 0. Every row and column adds up to its total. For each hidden cell the intruder
minimises and maximises it subject to all of this (``scipy.optimize.linprog``, HiGHS): the lowest and
highest value it could take. The constraint matrix of a table with margins is a network (flow)
matrix, which is totally unimodular, so with whole-number bounds both ends are whole numbers and
every whole number between them is possible: linear programming gives the exact answer over whole
numbers.

A hidden cell is **protected** when (a) the intruder is left with at least ``min_values`` (2)
possible values, and (b) supposing it hides a small count (1 to 7), it could still be at least two
of them (the range (a) intersected with 1..7; if that is empty the intruder learns only that it is
not a small count, which discloses nothing). This follows the feasibility-interval ("intruder")
approach of Hundepool et al., *Statistical Disclosure Control* (Wiley, 2012), chapters 4-5, with the
smallest protection interval that still forbids exact disclosure. It assumes the intruder does not
know which ``*`` are small counts; (b) lets the intruder test that guess one cell at a time.

What it does not cover: several tables published from the same data (their common cells link them:
check them as one table), differencing against earlier publications, and an intruder who reasons
about which cells the secondary-suppression rule would have chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from equity_lib._validation import count_column, require_columns, require_dataframe, whole_number

SUPPRESSED = "*"
TOTAL = "Total"
SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"

_AUDIT_COLUMNS = ["row", "column", "status", "lowest", "highest", "possible_values", "lowest_if_small",
                  "highest_if_small", "protected"]


@dataclass(frozen=True)
class SuppressionResult:
    """The output of :func:`suppress`.

    Attributes
    ----------
    table : DataFrame
        What to publish: text, ``"*"`` for a hidden cell, otherwise the rounded count as digits
        (``"0"``, ``"10"``, ``"1235"``; no thousands separators). Totals are in the last row and
        column, labelled ``total_label``. Text rather than numbers so the ``*`` survives a CSV or a
        board paper; :attr:`values` has the same numbers to compute with.
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
        when it cannot be one) and ``protected``.
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
class SafetyCheck:
    """The output of :func:`check_safe`: ``safe``, the ``reasons`` in words, the intruder's ``audit``
    (columns as :attr:`SuppressionResult.audit`, without ``status``) and the rules checked
    (``settings``: threshold, rounding, suppress_zeros, min_values)."""

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
    same kind of object (array, Series or DataFrame) as given, as int64.

    >>> round_counts([0, 2, 3, 7, 8, 12, 13], 5).tolist()
    [0, 0, 5, 5, 10, 10, 15]
    """
    base = whole_number("rounding", base, 1, "pass e.g. rounding=5 (1 means no rounding).")
    if isinstance(values, pd.DataFrame):
        frame = values.copy()
        for column in frame.columns:
            frame[column] = _round(pd.Series(count_column(values, column), index=values.index), base)
        return frame
    if isinstance(values, pd.Series):
        name = values.name if values.name is not None else "values"
        counts = count_column(values.to_frame(name), name)
        return pd.Series(_round(counts, base), index=values.index, name=values.name)
    array = np.asarray(values)
    frame = pd.DataFrame({"values": array.ravel()})
    return _round(count_column(frame, "values"), base).reshape(array.shape)


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
        A wide table of counts: one row per organisation (the index labels the rows), one column per
        category. Do not include totals: they are calculated here from the unrounded counts. From
        tidy data, pivot first, e.g. ``d.pivot_table(index="trust", columns="ethnic_group",
        values="n", aggfunc="sum", fill_value=0)``.
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
    for name, flag in (("row_totals", row_totals), ("column_totals", column_totals),
                       ("secondary", secondary)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, not {flag!r}.")
    if not isinstance(symbol, str) or not symbol.strip() or _is_number_text(symbol):
        raise ValueError(f"symbol must be a non-empty text that is not a number, not {symbol!r}. "
                         "Fix: use '*'.")
    frame = _counts_frame(data, columns, index, total_label, row_totals, column_totals)

    counts = np.column_stack([count_column(frame, c) for c in frame.columns])
    full = counts
    if row_totals:
        full = np.column_stack([full, full.sum(axis=1)])
    if column_totals:
        full = np.vstack([full, full.sum(axis=0)])
    rounded = _round(full, rounding)
    low_small = 0 if suppress_zeros else 1
    primary = (full >= low_small) & (full <= threshold)
    hidden = primary.copy()

    rules = dict(threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                 min_values=min_values, row_lines=row_totals, column_lines=column_totals)
    if secondary:
        hidden, lowest, highest = _secondary(full, hidden, rules)
    else:
        lowest, highest, _ = _attack(np.where(hidden, np.nan, rounded), hidden, rules)

    row_labels = list(frame.index) + ([total_label] if column_totals else [])
    col_labels = list(frame.columns) + ([total_label] if row_totals else [])
    rows = pd.Index(row_labels, name=frame.index.name)
    cols = pd.Index(col_labels, name=frame.columns.name)
    text = np.where(hidden, symbol, rounded.astype(str))
    status = np.where(primary, PRIMARY, np.where(hidden, SECONDARY, SHOWN))
    values = pd.DataFrame(np.where(hidden, None, rounded), index=rows, columns=cols).astype("Int64")
    audit = _audit_frame(hidden, lowest, highest, rules, rows, cols, status)
    settings = dict(columns=list(frame.columns), threshold=threshold, rounding=rounding,
                    suppress_zeros=suppress_zeros, row_totals=row_totals, column_totals=column_totals,
                    secondary=secondary, min_values=min_values, total_label=total_label, symbol=symbol)
    return SuppressionResult(
        table=pd.DataFrame(text, index=rows, columns=cols),
        values=values,
        status=pd.DataFrame(status, index=rows, columns=cols),
        unrounded=pd.DataFrame(full, index=rows, columns=cols),
        audit=audit,
        footnote=_footnote(threshold, rounding, suppress_zeros, symbol, row_totals or column_totals),
        settings=settings,
    )


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
    """Is a published table of counts safe, and why?

    Checks, in words in ``reasons``:

    1. no count from 1 to ``threshold`` is shown (a shown number that only such a count could round
       to, e.g. ``5`` with threshold 7, counts as shown);
    2. every shown number is a multiple of ``rounding``;
    3. every row and column that has a total has no hidden cell or at least two;
    4. the numbers are consistent (some table of whole counts fits them);
    5. the attack of the module notes pins no hidden cell: each keeps at least ``min_values``
       possible values, and at least two if it hides a small count.

    Parameters
    ----------
    data : DataFrame or SuppressionResult
        The table as published: ``symbol`` for a hidden cell, otherwise whole numbers (text or
        numbers). A row and/or column labelled ``total_label`` holds the totals. Given a
        :class:`SuppressionResult`, its table and settings are used and the other arguments ignored.
    threshold, rounding, suppress_zeros, min_values, total_label, symbol
        The rules the table claims to follow; see :func:`suppress`.

    Returns
    -------
    SafetyCheck
        ``safe`` (bool), ``reasons`` (list of sentences: the problems when unsafe, what was checked
        when safe) and ``audit`` (the intruder's range for every hidden cell).
    """
    if isinstance(data, SuppressionResult):
        s = data.settings
        threshold, rounding, suppress_zeros = s["threshold"], s["rounding"], s["suppress_zeros"]
        min_values, total_label, symbol = s["min_values"], s["total_label"], s["symbol"]
        data = data.table
    require_dataframe(data)
    threshold, rounding, min_values = _check_settings(threshold, rounding, suppress_zeros, min_values)
    numbers, hidden, rows, cols, row_lines, column_lines = _parse_published(data, total_label, symbol)
    rules = dict(threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                 min_values=min_values, row_lines=row_lines, column_lines=column_lines)
    small = f"{'0' if suppress_zeros else '1'} to {threshold}"
    checked = dict(threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                   min_values=min_values)
    problems: list[str] = []

    shown = ~hidden
    with np.errstate(invalid="ignore"):
        unrounded = shown & (numbers % rounding != 0)
        in_small = (numbers >= (0 if suppress_zeros else 1)) & (numbers <= threshold)
    lo, hi = _known_ranges(numbers, hidden, rules)
    small_shown = shown & ((lo > hi) | (unrounded & in_small))
    for r, c in zip(*np.nonzero(small_shown), strict=True):
        problems.append(f"{_cell(rows, cols, r, c)} shows {int(numbers[r, c])}, which only a count of "
                        f"{small} could give: the rule hides those as '{symbol}'.")
    for r, c in zip(*np.nonzero(unrounded & ~small_shown), strict=True):
        problems.append(f"{_cell(rows, cols, r, c)} shows {int(numbers[r, c])}, which is not a multiple of "
                        f"{rounding}: round shown counts to the nearest {rounding}.")
    for where, lines in _single_lines(hidden, row_lines, column_lines, rows, cols):
        problems.append(f"{where} has exactly one hidden cell ({lines}): with the total published it is "
                        "the total minus the rest; hide a second cell in that line.")

    # a small count shown is reported above; the attack takes it at its word, so that the totals are
    # judged on their own
    lowest, highest, consistent = _attack(np.where(hidden, np.nan, numbers), hidden, rules, exact=small_shown)
    audit = _audit_frame(hidden, lowest, highest, rules, rows, cols, None)
    if not consistent:
        problems.append("The published numbers are inconsistent: no table of whole counts fits them with "
                        f"the stated rules (threshold {threshold}, rounding {rounding}). Were the totals "
                        "added up from rounded numbers, or were other rules used? Nothing else can be "
                        "checked until they agree.")
    else:
        for row in audit.loc[~audit["protected"]].itertuples(index=False):
            where = f"row {row.row!r}, column {row.column!r}"
            if row.possible_values < min_values:
                exact = (f"it must be exactly {int(row.lowest)}" if row.lowest == row.highest else
                         f"it can only be {int(row.lowest)} to {int(row.highest)}")
                problems.append(f"The hidden cell at {where} can be worked out from the published numbers: "
                                f"{exact}.")
            else:
                problems.append(f"The hidden cell at {where} is exposed if it hides a small count: it would "
                                f"have to be exactly {int(row.lowest_if_small)}.")
    if problems:
        return SafetyCheck(False, problems, audit, checked)

    reasons = []
    n_hidden = int(hidden.sum())
    reasons.append(f"No count from {small} is shown" + (f": {n_hidden} cell(s) are hidden as '{symbol}'."
                                                         if n_hidden else "; none needed hiding."))
    reasons.append(f"Every shown number is a multiple of {rounding}." if rounding > 1 else
                   "Shown numbers are not rounded (rounding=1).")
    if not (row_lines or column_lines):
        reasons.append("The table has no totals, so no hidden cell can be worked out from them; check "
                       "together any tables published from the same data.")
    elif n_hidden:
        narrowest = audit.sort_values("possible_values", kind="stable").iloc[0]
        reasons.append("Every row and column with a total has no hidden cell or at least two.")
        reasons.append(
            "An intruder who solves the totals as equations cannot pin any hidden cell: the narrowest "
            f"range is {_count_words(narrowest.possible_values)} (row {narrowest.row!r}, column "
            f"{narrowest.column!r}: {int(narrowest.lowest)} to {_end(narrowest.highest)}).")
    return SafetyCheck(True, reasons, audit, checked)


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


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _counts_frame(data, columns, index, total_label, row_totals, column_totals):
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
    if isinstance(frame.index, pd.MultiIndex) or isinstance(frame.columns, pd.MultiIndex):
        raise ValueError("The table has several levels of row or column labels. Fix: flatten them first, "
                         "e.g. data.index = [' / '.join(map(str, k)) for k in data.index].")
    duplicated = frame.index[frame.index.duplicated()]
    if len(duplicated):
        raise ValueError(f"Row labels {list(dict.fromkeys(duplicated))[:5]} appear more than once. Fix: "
                         "add up rows with the same label first (data.groupby(level=0).sum()).")
    if column_totals and total_label in frame.index:
        raise ValueError(f"A row is already labelled {total_label!r}. Fix: pass the counts without totals "
                         "(they are calculated here from unrounded counts), or choose another total_label.")
    if row_totals and total_label in columns:
        raise ValueError(f"A column is already labelled {total_label!r}. Fix: pass the counts without "
                         "totals (they are calculated here from unrounded counts), or choose another "
                         "total_label.")
    return frame[columns]


def _secondary(full, hidden, rules):
    """Line rule, then attack-and-extend, until every hidden cell is protected. Returns the hidden cells
    and the intruder's lowest and highest value of each."""
    nr, nc = full.shape
    margin = np.zeros(full.shape, dtype=bool)
    if rules["row_lines"]:
        margin[:, -1] = True
    if rules["column_lines"]:
        margin[-1, :] = True
    order = np.argsort(full.ravel(), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    n = order.size
    cost = ((full == 0) * 2 * n + margin * n + rank.reshape(full.shape)).astype(float)
    rounded = _round(full, rules["rounding"])
    while True:
        hidden = _line_rule(hidden, cost, rules["row_lines"], rules["column_lines"])
        lowest, highest, consistent = _attack(np.where(hidden, np.nan, rounded), hidden, rules)
        if not consistent:  # pragma: no cover - the true table always fits its own totals
            raise RuntimeError("internal error: the published table is inconsistent with its own counts")
        exposed = hidden & ~_protected(lowest, highest, rules)
        if not exposed.any():
            return hidden, lowest, highest
        r, c = np.argwhere(exposed)[0]
        candidates = np.zeros(full.shape, dtype=bool)
        if rules["row_lines"]:
            candidates[r, :] = True
        if rules["column_lines"]:
            candidates[:, c] = True
        candidates &= ~hidden
        if not candidates.any():
            candidates = ~hidden
        if not candidates.any():  # pragma: no cover - a fully hidden table is always protected
            return hidden, lowest, highest
        pick = np.argmin(np.where(candidates, cost, np.inf))
        hidden = hidden.copy()
        hidden[np.unravel_index(pick, (nr, nc))] = True


def _line_rule(hidden, cost, row_lines, column_lines):
    """Hide the cheapest visible cell of every line (row or column with a total) with one hidden cell."""
    hidden = hidden.copy()
    while True:
        changed = False
        for axis, active in ((1, row_lines), (0, column_lines)):
            if not active:
                continue
            single = np.flatnonzero(hidden.sum(axis=axis) == 1)
            if single.size == 0:
                continue
            pick = np.argmin(np.where(hidden, np.inf, cost), axis=axis)[single]
            if axis == 1:
                hidden[single, pick] = True
            else:
                hidden[pick, single] = True
            changed = True
        if not changed:
            return hidden


def _known_ranges(numbers, hidden, rules):
    """What the intruder knows of each cell: lowest and highest true value (inf: unbounded).

    A published multiple of the base is a rounded count: its rounding interval, not negative, minus
    the counts the rule hides. Any other published number is taken as exact.
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
    lo = np.where(hidden, 0, lo).astype(float)
    hi = np.where(hidden, np.inf, hi).astype(float)
    return lo, hi


def _constraints(shape, row_lines, column_lines):
    """Equality constraints 'cells of a line minus its total = 0', total in the last row/column."""
    nr, nc = shape
    index = np.arange(nr * nc).reshape(shape)
    blocks = []
    if row_lines:
        a = np.zeros((nr, nr * nc))
        a[np.repeat(np.arange(nr), nc - 1), index[:, :-1].ravel()] = 1
        a[np.arange(nr), index[:, -1]] = -1
        blocks.append(a)
    if column_lines:
        a = np.zeros((nc, nr * nc))
        a[np.tile(np.arange(nc), nr - 1), index[:-1, :].ravel()] = 1
        a[np.arange(nc), index[-1, :]] = -1
        blocks.append(a)
    return np.vstack(blocks) if blocks else None


def _attack(numbers, hidden, rules, exact=None):
    """The intruder's lowest and highest value for every hidden cell (nan elsewhere), and whether the
    published numbers are consistent at all. Linear programming is exact here (see the module notes).
    Cells marked in ``exact`` are taken as exactly the number shown."""
    lo, hi = _known_ranges(numbers, hidden, rules)
    if exact is not None and exact.any():
        lo, hi = np.where(exact, numbers, lo), np.where(exact, numbers, hi)
    lowest = np.full(hidden.shape, np.nan)
    highest = np.full(hidden.shape, np.nan)
    if (lo > hi).any():
        return lowest, highest, False
    a_eq = _constraints(hidden.shape, rules["row_lines"], rules["column_lines"])
    if a_eq is None:
        lowest[hidden], highest[hidden] = lo[hidden], hi[hidden]
        return lowest, highest, True
    bounds = list(zip(lo.ravel(), [None if np.isinf(h) else h for h in hi.ravel()], strict=True))
    b_eq = np.zeros(a_eq.shape[0])
    size = hidden.size
    first = linprog(np.zeros(size), A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if first.status == 2:
        return lowest, highest, False
    for k in np.flatnonzero(hidden.ravel()):
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(size)
            c[k] = sign
            res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
            if res.status == 3:
                ends.append(np.inf)
            elif res.status == 0:
                ends.append(np.round(sign * res.fun))
            else:  # pragma: no cover - feasibility was established above
                raise RuntimeError(f"linear programme failed: {res.message}")
        lowest.flat[k], highest.flat[k] = ends
    return lowest, highest, True


def _small_range(lowest, highest, rules):
    small_lo = 0 if rules["suppress_zeros"] else 1
    return np.maximum(lowest, small_lo), np.minimum(highest, rules["threshold"])


def _protected(lowest, highest, rules):
    """Per cell: at least min_values possible values, and at least two (or as many as the small range
    holds) if it hides a small count. Cells that are not hidden (nan) count as protected."""
    with np.errstate(invalid="ignore"):
        n_values = highest - lowest + 1
        s_lo, s_hi = _small_range(lowest, highest, rules)
        n_small = np.where(s_hi >= s_lo, s_hi - s_lo + 1, 0)
        small_lo = 0 if rules["suppress_zeros"] else 1
        need_small = min(rules["min_values"], 2, rules["threshold"] - small_lo + 1)
        ok = (n_values >= rules["min_values"]) & ((n_small == 0) | (n_small >= need_small))
    return ok | np.isnan(lowest)


def _audit_frame(hidden, lowest, highest, rules, rows, cols, status):
    r, c = np.nonzero(hidden)
    low, high = lowest[r, c], highest[r, c]
    s_lo, s_hi = _small_range(low, high, rules)
    can_be_small = s_hi >= s_lo
    data = {
        "row": rows.take(r),
        "column": cols.take(c),
        "status": None if status is None else status[r, c],
        "lowest": low,
        "highest": high,
        "possible_values": high - low + 1,
        "lowest_if_small": np.where(can_be_small, s_lo, np.nan),
        "highest_if_small": np.where(can_be_small, s_hi, np.nan),
        "protected": _protected(low, high, rules),
    }
    columns = [k for k in _AUDIT_COLUMNS if not (k == "status" and status is None)]
    return pd.DataFrame({k: data[k] for k in columns})


def _parse_published(data, total_label, symbol):
    frame = data
    if isinstance(frame.index, pd.MultiIndex) or isinstance(frame.columns, pd.MultiIndex):
        raise ValueError("The table has several levels of row or column labels. Fix: flatten them first.")
    for axis, labels in (("Row", frame.index), ("Column", frame.columns)):
        dup = labels[labels.duplicated()]
        if len(dup):
            raise ValueError(f"{axis} labels {list(dict.fromkeys(dup))[:5]} appear more than once. Fix: give "
                             "each row and column its own label.")
    if frame.size == 0:
        raise ValueError("The published table is empty. Fix: pass the table as published.")
    row_lines = total_label in frame.columns  # a total column: each row adds up
    column_lines = total_label in frame.index
    order_cols = [c for c in frame.columns if c != total_label] + ([total_label] if row_lines else [])
    order_rows = [r for r in frame.index if r != total_label] + ([total_label] if column_lines else [])
    frame = frame.loc[order_rows, order_cols]
    text = frame.astype(str).apply(lambda s: s.str.strip())
    hidden = (text == symbol).to_numpy()
    numbers = text.apply(lambda s: pd.to_numeric(s, errors="coerce")).to_numpy(dtype=float, copy=True)
    raw_missing = frame.isna().to_numpy()
    bad = ~hidden & (np.isnan(numbers) | raw_missing | (numbers < 0) | (numbers != np.floor(numbers)))
    if bad.any():
        where = [f"row {frame.index[r]!r}, column {frame.columns[c]!r} ({frame.iat[r, c]!r})"
                 for r, c in np.argwhere(bad)[:5]]
        raise ValueError(
            f"Published cells must be '{symbol}' or a whole number of at least 0; found "
            f"{'; '.join(where)}{' and more' if bad.sum() > 5 else ''}. Fix: correct those cells (a blank "
            f"should be 0 or '{symbol}').")
    numbers[hidden] = np.nan
    rows = pd.Index(frame.index)
    cols = pd.Index(frame.columns)
    return numbers, hidden, rows, cols, row_lines, column_lines


def _single_lines(hidden, row_lines, column_lines, rows, cols):
    out = []
    if row_lines:
        for r in np.flatnonzero(hidden.sum(axis=1) == 1):
            out.append((f"Row {rows[r]!r}", f"column {cols[np.argmax(hidden[r])]!r}"))
    if column_lines:
        for c in np.flatnonzero(hidden.sum(axis=0) == 1):
            out.append((f"Column {cols[c]!r}", f"row {rows[np.argmax(hidden[:, c])]!r}"))
    return out


def _cell(rows, cols, r, c):
    return f"Row {rows[r]!r}, column {cols[c]!r}"


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
