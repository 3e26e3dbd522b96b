"""Safe publishing: suppression, rounding, totals, secondary suppression, and an intruder who must fail.

The intruder here is written independently of ``equity_lib.disclosure``: it reads only the published
text table and solves whole-number programmes (``scipy.optimize.milp``, not the library's linear
programmes), so a fault in the library's own attack cannot hide a fault in its suppression.

What the intruder knows (the published table and the rules, nothing else):

- a published number ``r`` is a rounded count: the true count ``x`` is a whole number with
  ``round(x) == r`` (half up to the base), ``x >= 0``, and ``x`` is not a count the rule hides
  (1..threshold, or 0..threshold with ``suppress_zeros``);
- a ``*`` is a whole number ``>= 1`` when zeros are shown (``suppress_zeros=False`` with a threshold of at
  least 1): the rule hides counts of 1 to the threshold, and secondary suppression never hides a zero, so a
  zero would have been published as ``0``; otherwise (zeros hidden too, or no threshold) ``>= 0``;
- every row and column with a published total adds up to it (totals come from unrounded counts).

"Recovered" (the intruder wins) is defined as: for some ``*``, the set of whole numbers it can take
given all of the above has exactly one member (``min == max`` over whole-number solutions); or,
supposing that ``*`` hides a small count (adding ``small_lo <= x <= threshold`` for that cell alone),
exactly one member. The intruder must never win against :func:`suppress`.
"""

from __future__ import annotations

import doctest
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from equity_lib.disclosure import (
    DisclosureWarning,
    SafetyCheck,
    SuppressionResult,
    check_safe,
    plot_ranges,
    round_counts,
    suppress,
)

TOTAL = "Total"


# --- the intruder ------------------------------------------------------------------------------------------

def _possible_true_values(r: int, base: int, threshold: int, suppress_zeros: bool) -> list[int]:
    """Every whole count that the rules would publish as r (by brute force over a window)."""
    hidden_low = 0 if suppress_zeros else 1
    out = []
    for x in range(max(0, r - base), r + base + 1):
        rounds_to_r = (2 * x + base) // (2 * base) * base == r
        hidden = hidden_low <= x <= threshold
        if rounds_to_r and not hidden:
            out.append(x)
    return out


def hidden_floor(threshold: int, suppress_zeros: bool) -> int:
    """The least a '*' can hold, as the intruder who knows the rules reads it (module docstring)."""
    return 1 if not suppress_zeros and threshold >= 1 else 0


def attack(published: pd.DataFrame, threshold: int, rounding: int, suppress_zeros: bool,
           floor: int | None = None) -> pd.DataFrame:
    """Try to recover every '*' of a published table; one row per '*' with its whole-number range. Each '*'
    is at least ``floor`` (default: :func:`hidden_floor` of the rules)."""
    floor = hidden_floor(threshold, suppress_zeros) if floor is None else floor
    text = published.astype(str).to_numpy()
    rows, cols = list(published.index), list(published.columns)
    nr, nc = text.shape
    var = np.arange(nr * nc).reshape(nr, nc)
    lower = np.zeros(nr * nc)
    upper = np.full(nr * nc, np.inf)
    for i in range(nr):
        for j in range(nc):
            if text[i, j] == "*":
                lower[var[i, j]] = floor
                continue
            values = _possible_true_values(int(text[i, j]), rounding, threshold, suppress_zeros)
            assert values, f"published {text[i, j]} cannot come from any count"
            assert values == list(range(values[0], values[-1] + 1)), "not an interval: see the module notes"
            lower[var[i, j]], upper[var[i, j]] = values[0], values[-1]
    equations = []
    if TOTAL in cols:  # each row adds up to its total
        t = cols.index(TOTAL)
        for i in range(nr):
            a = np.zeros(nr * nc)
            a[[var[i, j] for j in range(nc) if j != t]] = 1
            a[var[i, t]] = -1
            equations.append(a)
    if TOTAL in rows:  # each column adds up to its total
        t = rows.index(TOTAL)
        for j in range(nc):
            a = np.zeros(nr * nc)
            a[[var[i, j] for i in range(nr) if i != t]] = 1
            a[var[t, j]] = -1
            equations.append(a)
    constraints = [LinearConstraint(np.array(equations), 0, 0)] if equations else []
    integer = np.ones(nr * nc)

    big = 10**7  # a hidden cell that reaches half of this is unbounded: no total limits it

    def extreme(k, sign, lo, hi):
        c = np.zeros(nr * nc)
        c[k] = sign
        res = milp(c, constraints=constraints, bounds=Bounds(lo, np.minimum(hi, big)), integrality=integer)
        if res.status == 2:  # infeasible
            return None
        assert res.status == 0, res.message
        value = round(sign * res.fun)
        return np.inf if value >= big // 2 else value  # others at their floor hold it a little below big

    small_lo = 0 if suppress_zeros else 1
    found = []
    for i in range(nr):
        for j in range(nc):
            if text[i, j] != "*":
                continue
            k = var[i, j]
            lowest, highest = extreme(k, 1, lower, upper), extreme(k, -1, lower, upper)
            small = (None, None)
            if lowest <= threshold and highest >= small_lo:  # else it cannot be a small count
                lo_small, hi_small = lower.copy(), upper.copy()
                lo_small[k], hi_small[k] = small_lo, threshold
                small = (extreme(k, 1, lo_small, hi_small), extreme(k, -1, lo_small, hi_small))
            found.append({"row": rows[i], "column": cols[j], "lowest": lowest, "highest": highest,
                          "lowest_if_small": small[0], "highest_if_small": small[1]})
    return pd.DataFrame(found, columns=["row", "column", "lowest", "highest", "lowest_if_small",
                                        "highest_if_small"])


def recovered(found: pd.DataFrame, threshold: int, suppress_zeros: bool) -> pd.DataFrame:
    """The cells the intruder pinned to one value (outright, or supposing it is a small count)."""
    small_size = threshold - (0 if suppress_zeros else 1) + 1
    pinned = found["lowest"] == found["highest"]
    if small_size >= 2:
        pinned |= found["lowest_if_small"].notna() & (found["lowest_if_small"] == found["highest_if_small"])
    return found.loc[pinned]


def assert_intruder_fails(result: SuppressionResult, exposed=()) -> pd.DataFrame:
    """The intruder recovers no hidden cell, except exactly the cells in ``exposed`` ((row, column) pairs
    that suppress reported it could not protect); the library's audit gives the intruder's ranges."""
    s = result.settings
    found = attack(result.table, s["threshold"], s["rounding"], s["suppress_zeros"])
    won = recovered(found, s["threshold"], s["suppress_zeros"])
    assert sorted(map(tuple, won[["row", "column"]].values.tolist())) == sorted(exposed), \
        f"intruder recovered cells:\n{won}\nfrom\n{result.table}"
    # soundness: the truth is among the intruder's possibilities (else the attack would be unfair)
    truth = result.unrounded
    for row in found.itertuples(index=False):
        true = truth.loc[row.row, row.column]
        assert row.lowest <= true <= row.highest
    # the library's audit is the same attack: the same lowest and highest values
    mine = result.audit.set_index(["row", "column"])
    for row in found.itertuples(index=False):
        assert mine.loc[(row.row, row.column), ["lowest", "highest"]].tolist() == [row.lowest, row.highest]
    return found


# --- rounding ---------------------------------------------------------------------------------------------

def test_round_to_nearest_5_has_no_ties_for_whole_numbers():
    assert round_counts(list(range(16)), 5).tolist() == [0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10,
                                                         15, 15, 15]


def test_even_base_rounds_ties_half_up():
    assert round_counts([4, 5, 14, 15, 25, 26], 10).tolist() == [0, 10, 10, 20, 30, 30]
    assert round_counts([1, 2, 3], 2).tolist() == [2, 2, 4]


def test_rounding_base_1_changes_nothing_and_keeps_the_container():
    assert round_counts(np.array([[0, 3], [7, 123]]), 1).tolist() == [[0, 3], [7, 123]]
    s = pd.Series([12, 13], index=["a", "b"], name="n")
    out = round_counts(s)
    assert out.tolist() == [10, 15] and list(out.index) == ["a", "b"] and out.name == "n"
    frame = round_counts(pd.DataFrame({"x": [2, 3]}))
    assert frame["x"].tolist() == [0, 5]


@pytest.mark.parametrize("values, message", [
    ([1, -2], r"Column 'values' has negative counts at row 1\. Fix"),
    ([1, 2.5], r"Column 'values' has counts that are not whole numbers at row 1"),
    (["3", "abc"], r"Column 'values' has non-numeric values \('abc'\) at row 1"),
    ([1, np.nan], r"Column 'values' has missing counts at row 1"),
])
def test_round_counts_bad_values(values, message):
    with pytest.raises(ValueError, match=message):
        round_counts(values)


def test_round_counts_bad_base():
    with pytest.raises(ValueError, match=r"rounding must be a whole number of at least 1, not 0"):
        round_counts([1], 0)


# --- primary suppression, rounding and totals ---------------------------------------------------------

def one_row(values, **kwargs):
    table = pd.DataFrame([values], columns=[f"c{i}" for i in range(len(values))], index=["r"])
    return suppress(table, row_totals=False, column_totals=False, **kwargs)


def test_default_threshold_hides_1_to_7_and_shows_zero():
    res = one_row([0, 1, 7, 8, 12, 13, 250])
    assert res.table.loc["r"].tolist() == ["0", "*", "*", "10", "10", "15", "250"]
    assert res.status.loc["r"].tolist() == ["shown", "primary", "primary", "shown", "shown", "shown",
                                            "shown"]
    assert res.values.loc["r"].tolist()[3:] == [10, 10, 15, 250]
    assert res.values.dtypes.eq("Int64").all() and res.values.loc["r", "c1"] is pd.NA


def test_threshold_10():
    res = one_row([0, 8, 10, 11, 12, 13], threshold=10)
    assert res.table.loc["r"].tolist() == ["0", "*", "*", "10", "10", "15"]


def test_suppress_zeros():
    res = one_row([0, 3, 9], suppress_zeros=True)
    assert res.table.loc["r"].tolist() == ["*", "*", "10"]


def test_no_rounding_and_other_symbol():
    res = one_row([0, 3, 9], rounding=1, symbol="[c]")
    assert res.table.loc["r"].tolist() == ["0", "[c]", "9"]


def test_totals_are_calculated_from_unrounded_counts_then_rounded():
    table = pd.DataFrame({"a": [8, 8, 8], "b": [8, 8, 8]}, index=["x", "y", "z"])
    res = suppress(table)
    # each 8 shows as 10, but each row total is 16 -> 15 (not 20), each column 24 -> 25 (not 30),
    # and the grand total 48 -> 50 (not 60)
    assert res.table.loc["x"].tolist() == ["10", "10", "15"]
    assert res.table.loc[TOTAL].tolist() == ["25", "25", "50"]
    assert res.unrounded.loc[TOTAL].tolist() == [24, 24, 48]
    assert res.unrounded.loc["x", TOTAL] == 16
    assert "calculated before rounding" in res.footnote


def test_a_small_total_is_hidden_like_any_small_count():
    table = pd.DataFrame({"a": [3, 40], "b": [0, 50]}, index=["x", "y"])
    res = suppress(table)
    assert res.status.loc["x", TOTAL] == "primary"
    assert res.table.loc["x", TOTAL] == "*"
    assert_intruder_fails(res)


def test_only_the_totals_asked_for_are_published():
    table = pd.DataFrame({"a": [3, 40], "b": [20, 50]}, index=["x", "y"])
    rows_only = suppress(table, column_totals=False)
    assert list(rows_only.table.columns) == ["a", "b", TOTAL] and list(rows_only.table.index) == ["x", "y"]
    cols_only = suppress(table, row_totals=False)
    assert list(cols_only.table.columns) == ["a", "b"] and list(cols_only.table.index) == ["x", "y", TOTAL]
    for res in (rows_only, cols_only):
        assert_intruder_fails(res)
        assert check_safe(res).safe


def test_labels_from_index_argument_and_a_subset_of_columns():
    table = pd.DataFrame({"trust": ["T1", "T2"], "a": [30, 3], "b": [40, 50], "note": ["x", "y"]})
    res = suppress(table, ["a", "b"], index="trust")
    assert list(res.table.index) == ["T1", "T2", TOTAL] and res.table.index.name == "trust"
    assert list(res.table.columns) == ["a", "b", TOTAL]


# --- secondary suppression --------------------------------------------------------------------------------

def test_docstring_example_hides_the_next_smallest_cell_in_each_line():
    counts = pd.DataFrame({"White": [120, 95, 60], "Asian": [14, 3, 22], "Black": [9, 11, 4]},
                          index=pd.Index(["Trust A", "Trust B", "Trust C"], name="trust"))
    res = suppress(counts)
    expected = pd.DataFrame(
        [["120", "15", "10", "145"], ["95", "*", "*", "110"], ["60", "*", "*", "85"],
         ["275", "40", "25", "340"]],
        index=pd.Index(["Trust A", "Trust B", "Trust C", TOTAL], name="trust"),
        columns=["White", "Asian", "Black", TOTAL])
    pd.testing.assert_frame_equal(res.table, expected, check_dtype=False)
    # Trust B: 3 is small; the next smallest in its row is Black 11. Trust C: 4 is small; next is
    # Asian 22. That leaves two hidden cells in each column too.
    assert res.status.loc["Trust B", "Black"] == "secondary"
    assert res.status.loc["Trust C", "Asian"] == "secondary"
    assert_intruder_fails(res)


def test_a_zero_is_not_used_for_secondary_suppression_when_another_cell_will_do():
    table = pd.DataFrame({"a": [3, 30], "b": [0, 40], "c": [25, 50]}, index=["x", "y"])
    res = suppress(table)
    assert res.table.loc["x", "b"] == "0"
    assert res.status.loc["x", "c"] == "secondary"
    assert_intruder_fails(res)


LINE_RULE_ONLY = pd.DataFrame(  # counts [[0, 0, 24], [27, 2, 1], [5, 3, 56]], unrounded, line rule only
    [["0", "0", "*", "*"], ["27", "*", "*", "*"], ["*", "*", "56", "64"], ["*", "*", "81", "118"]],
    index=["r0", "r1", "r2", TOTAL], columns=["c0", "c1", "c2", TOTAL])


def test_the_line_rule_alone_can_leave_a_cell_recoverable_and_suppress_does_not():
    # Every row and column has 0 or at least 2 hidden cells, yet the margins pin the hidden 2:
    # column c1 gives x11 + x21 = x31 and row r1 gives x11 + x12 = x13 - 27; row r0 gives
    # x02 = x03, column c2 gives x02 + x12 = 25, the total column x03 + x13 = 54 ... only x11 = 2 fits.
    found = attack(LINE_RULE_ONLY, 7, 1, False)
    won = recovered(found, 7, False)
    assert ["r1", "c1"] in won[["row", "column"]].values.tolist()
    assert found.set_index(["row", "column"]).loc[("r1", "c1"), ["lowest", "highest"]].tolist() == [2, 2]
    check = check_safe(LINE_RULE_ONLY, rounding=1)
    assert not check.safe
    assert any("row 'r1', column 'c1'" in r and "exactly 2" in r for r in check.reasons)
    assert not any("exactly one hidden cell" in r for r in check.reasons)  # the line rule holds
    res = suppress(pd.DataFrame([[0, 0, 24], [27, 2, 1], [5, 3, 56]], columns=["c0", "c1", "c2"],
                                index=["r0", "r1", "r2"]), rounding=1)
    assert_intruder_fails(res)
    assert check_safe(res).safe
    assert (res.table != LINE_RULE_ONLY).any().any()  # more was hidden


def test_without_secondary_suppression_the_intruder_wins_when_nothing_is_rounded():
    table = pd.DataFrame({"a": [3, 40], "b": [50, 60]}, index=["x", "y"])
    naive = suppress(table, rounding=1, secondary=False)
    found = attack(naive.table, 7, 1, False)
    won = recovered(found, 7, False)
    assert won[["row", "column", "lowest"]].values.tolist() == [["x", "a", 3]]
    assert not check_safe(naive).safe
    assert_intruder_fails(suppress(table, rounding=1))


def test_min_values_widens_protection():
    table = pd.DataFrame({"a": [3, 40, 31], "b": [50, 9, 22], "c": [18, 27, 6]}, index=["x", "y", "z"])
    res = suppress(table, min_values=10, rounding=1)
    assert (res.audit["possible_values"] >= 10).all()
    assert check_safe(res).safe


def tables(min_side=1, max_side=4):
    cell = st.one_of(st.integers(0, 3), st.integers(1, 12), st.integers(8, 60), st.integers(50, 400))
    return st.integers(min_side, max_side).flatmap(lambda nr: st.integers(min_side, max_side).flatmap(
        lambda nc: st.lists(st.lists(cell, min_size=nc, max_size=nc), min_size=nr, max_size=nr)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=tables(), threshold=st.sampled_from([2, 5, 7, 10]), rounding=st.sampled_from([1, 5, 10]),
       suppress_zeros=st.booleans(), row_totals=st.booleans(), column_totals=st.booleans())
def test_the_intruder_never_recovers_a_hidden_cell(values, threshold, rounding, suppress_zeros, row_totals,
                                                   column_totals):
    check_suppression_against_intruder(values, threshold, rounding, suppress_zeros, row_totals, column_totals)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=tables(3, 5), threshold=st.sampled_from([5, 7, 10]), rounding=st.sampled_from([1, 5]))
def test_the_intruder_never_recovers_a_hidden_cell_of_a_two_way_table_with_all_totals(values, threshold,
                                                                                       rounding):
    check_suppression_against_intruder(values, threshold, rounding, False, True, True)


def check_suppression_against_intruder(values, threshold, rounding, suppress_zeros, row_totals,
                                       column_totals):
    top_of_zero = (rounding + 1) // 2 - 1
    assume(suppress_zeros or not (1 <= threshold < top_of_zero))
    counts = np.array(values)
    table = pd.DataFrame(counts, columns=[f"c{j}" for j in range(counts.shape[1])],
                         index=[f"r{i}" for i in range(counts.shape[0])])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DisclosureWarning)
        try:
            res = suppress(table, threshold=threshold, rounding=rounding, suppress_zeros=suppress_zeros,
                           row_totals=row_totals, column_totals=column_totals)
        except ValueError as error:  # a row or column equal to the sum of the others: refused by design
            assert "looks like a total" in str(error)
            return
    warned = [w for w in caught if issubclass(w.category, DisclosureWarning)]
    assert len(warned) == len(caught) <= 1
    exposed = res.audit.loc[~res.audit["protected"], ["row", "column"]]
    exposed = [tuple(x) for x in exposed.values.tolist()]
    assert bool(warned) == bool(exposed)
    event(f"could not protect every cell: {bool(warned)}")
    if warned:  # only when nothing is left to hide but zeros
        assert not suppress_zeros
        assert ((res.table == "*") | (res.unrounded == 0)).all().all()
    found = assert_intruder_fails(res, exposed)
    # no zero is ever hidden to protect another cell
    assert not ((res.status == "secondary") & (res.unrounded == 0)).any().any()
    event(f"hidden cells: {min(len(found), 6)}{'+' if len(found) >= 6 else ''}")
    event(f"secondary cells: {min(int((res.status == 'secondary').sum().sum()), 3)}")
    # every count the rule hides is hidden; every shown number is a rounded count
    small = (res.unrounded >= (0 if suppress_zeros else 1)) & (res.unrounded <= threshold)
    assert (res.table[small] == "*").sum().sum() == small.sum().sum()
    shown = res.values.notna()
    assert (res.values[shown] == round_counts(res.unrounded, rounding)[shown]).all().all()
    # totals are sums of the unrounded counts
    inner = res.unrounded.loc[table.index, table.columns]
    if row_totals:
        assert (res.unrounded.loc[table.index, TOTAL] == inner.sum(axis=1)).all()
    if column_totals:
        assert (res.unrounded.loc[TOTAL, table.columns] == inner.sum(axis=0)).all()
    # every line with a total holds 0 or at least 2 hidden cells
    hidden = (res.table == "*").to_numpy()
    if row_totals:
        assert not (hidden.sum(axis=1) == 1).any()
    if column_totals:
        assert not (hidden.sum(axis=0) == 1).any()
    check = check_safe(res)
    assert check.safe != bool(warned), str(check)


# --- check_safe -------------------------------------------------------------------------------------------

def published(rows, index=None, columns=None):
    return pd.DataFrame(rows, index=index, columns=columns)


def test_check_safe_says_why_a_table_is_safe():
    res = suppress(pd.DataFrame({"a": [3, 40], "b": [12, 50], "c": [30, 35]}, index=["x", "y"]))
    check = check_safe(res)
    assert isinstance(check, SafetyCheck) and check.safe
    text = " ".join(check.reasons)
    assert "No count from 1 to 7 is shown" in text
    assert "multiple of 5" in text
    assert "at least two" in text
    assert "cannot pin any hidden cell" in text
    assert str(check).startswith("Safe to publish.")
    # the same from the text table alone, with the default rules
    assert check_safe(res.table).safe


def test_check_safe_flags_a_small_count_shown():
    table = published([["5", "40", "45"], ["20", "30", "50"], ["25", "70", "95"]], ["x", "y", TOTAL],
                      ["a", "b", TOTAL])
    check = check_safe(table)
    assert not check.safe
    assert any("Row 'x', column 'a' shows 5, which only a count of 1 to 7 could give" in r
               for r in check.reasons)
    unrounded = published([["3", "40"]], ["x"], ["a", "b"])
    assert any("shows 3" in r for r in check_safe(unrounded).reasons)


def test_a_small_count_shown_is_not_also_called_inconsistent():
    # the unsuppressed table with its true totals: the small counts are the problem, not the totals
    table = published([[6, 40, 46], [20, 30, 50], [26, 70, 96]], ["x", "y", TOTAL], ["a", "b", TOTAL])
    check = check_safe(table, rounding=1)
    assert not check.safe
    assert check.reasons == ["Row 'x', column 'a' shows 6, which only a count of 1 to 7 could give: the rule "
                             "hides those as '*'."]
    # totals that do not fit are still reported
    wrong = published([[6, 40, 47], [20, 30, 50], [26, 70, 97]], ["x", "y", TOTAL], ["a", "b", TOTAL])
    assert any("inconsistent" in r for r in check_safe(wrong, rounding=1).reasons)


def test_check_safe_flags_unrounded_numbers():
    table = published([["13", "40"]], ["x"], ["a", "b"])
    check = check_safe(table)
    assert not check.safe
    assert ("Row 'x', column 'a' shows 13, which is not a multiple of 5: round shown counts to the "
            "nearest 5.") in check.reasons


def test_check_safe_flags_a_line_with_one_hidden_cell():
    table = published([["*", "40", "45"], ["20", "30", "50"]], ["x", "y"], ["a", "b", TOTAL])
    check = check_safe(table)
    assert not check.safe
    assert any(r.startswith("Row 'x' has exactly one hidden cell (column 'a')") for r in check.reasons)


def test_check_safe_flags_a_recoverable_cell():
    table = published([["*", "40", "43"], ["20", "30", "50"], ["*", "70", "93"]], ["x", "y", TOTAL],
                      ["a", "b", TOTAL])
    check = check_safe(table, rounding=1)
    assert not check.safe
    assert any("row 'x', column 'a' can be worked out" in r and "exactly 3" in r for r in check.reasons)


EXPOSED_IF_SMALL = published([["*", "*", "57"], ["*", "*", "41"], ["47", "51", "98"]], ["r0", "r1", TOTAL],
                             ["c0", "c1", TOTAL])


def test_check_safe_flags_a_cell_exposed_if_it_is_small():
    # x + y = 57, u + v = 41, x + u = 47, y + v = 51 with x = 7, v = 1: every '*' is at least 1 (zeros are
    # shown), so u is at most 40 and x can be 7 to 46, but if it hides a small count it can only be 7.
    check = check_safe(EXPOSED_IF_SMALL, rounding=1)
    assert not check.safe
    assert any("row 'r0', column 'c0' is exposed if it hides a small count: it would have to be exactly 7"
               in r for r in check.reasons)
    found = attack(EXPOSED_IF_SMALL, 7, 1, False).set_index(["row", "column"])
    assert found.loc[("r0", "c0")].tolist() == [7, 46, 7, 7]


def test_check_safe_flags_inconsistent_totals():
    table = published([["10", "10", "50"]], ["x"], ["a", "b", TOTAL])
    check = check_safe(table)
    assert not check.safe
    assert any("inconsistent" in r for r in check.reasons)


def test_check_safe_without_totals():
    check = check_safe(published([["*", "40"], ["10", "0"]], ["x", "y"], ["a", "b"]))
    assert check.safe
    assert any("no totals" in r for r in check.reasons)


def test_check_safe_accepts_numbers_and_margins_anywhere():
    # the Total row and column are recognised by label, wherever they are
    ok = published([[40, 15, 25], [40, 15, 25]], [TOTAL, "x"], [TOTAL, "a", "b"])
    assert check_safe(ok).safe
    wrong = published([[40, 15, 25], [50, 15, 25]], [TOTAL, "x"], [TOTAL, "a", "b"])
    assert not check_safe(wrong).safe


@pytest.mark.parametrize("cell, message", [
    ("abc", r"row 'x', column 'a' \('abc'\)"),
    ("-5", r"row 'x', column 'a' \('-5'\)"),
    ("2.5", r"row 'x', column 'a' \('2.5'\)"),
    (None, r"row 'x', column 'a' \(None\)"),
])
def test_check_safe_bad_cells(cell, message):
    with pytest.raises(ValueError, match=r"Published cells must be '\*' or a whole number of at least 0; "
                       r"found " + message):
        check_safe(published([[cell, "40"]], ["x"], ["a", "b"]))


def test_check_safe_bad_tables():
    with pytest.raises(ValueError, match=r"Row labels \['x'\] appear more than once"):
        check_safe(published([["10"], ["20"]], ["x", "x"], ["a"]))
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        check_safe([["10"]])


# --- bad input to suppress ------------------------------------------------------------------------------

def frame(**columns):
    return pd.DataFrame(columns, index=["T1", "T2"])


@pytest.mark.parametrize("table, message", [
    (frame(a=[3, -4]), r"Column 'a' has negative counts at row 'T2'\. Fix: counts cannot be negative"),
    (frame(a=[3, 4.5]), r"Column 'a' has counts that are not whole numbers at row 'T2'\. Fix:"),
    (frame(a=[3, "many"]), r"Column 'a' has non-numeric values \('many'\) at row 'T2'\. Fix:"),
    (frame(a=[3, np.nan]), r"Column 'a' has missing counts at row 'T2'\. Fix: fill in 0"),
    (frame(a=[True, False]), r"Column 'a' holds true/false values, not numbers"),
    (frame(a=[np.inf, 1]), r"Column 'a' has infinite values at row 'T1'"),
    (frame(trust=["x", "y"], a=[1, 2]), r"Column 'trust' holds labels, not counts\. Fix: .*index='trust'"),
    (pd.DataFrame({"a": [1, 2]}, index=["T1", "T1"]), r"Row labels \['T1'\] appear more than once"),
    (pd.DataFrame({"a": [1, 2]}, index=["T1", TOTAL]), r"A row is already labelled 'Total'"),
    (frame(a=[1, 2], Total=[1, 2]), r"A column is already labelled 'Total'"),
    (pd.DataFrame({"a": []}), r"The table has no rows"),
    (pd.DataFrame(index=["T1"]), r"There are no count columns"),
    (pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("x", 1), ("x", 2)])),
     r"(several levels of column labels|2 levels of column names)"),
])
def test_bad_tables(table, message):
    with pytest.raises((ValueError, TypeError), match=message):
        suppress(table)


@pytest.mark.parametrize("kwargs, message", [
    (dict(threshold=-1), r"threshold must be a whole number of at least 0, not -1"),
    (dict(threshold=7.5), r"threshold must be a whole number of at least 0, not 7\.5"),
    (dict(threshold=True), r"threshold must be a whole number of at least 0, not True"),
    (dict(threshold="7"), r"threshold must be a whole number of at least 0, not '7'"),
    (dict(rounding=0), r"rounding must be a whole number of at least 1, not 0"),
    (dict(rounding=2.5), r"rounding must be a whole number of at least 1"),
    (dict(min_values=0), r"min_values must be a whole number of at least 1"),
    (dict(threshold=1), r"threshold=1 with rounding=5 would hide counts of 1 to 1 but show counts of 2 to 2 "
                        r"as 0"),
    (dict(threshold=3, rounding=10), r"threshold=3 with rounding=10 .* at least 4"),
    (dict(suppress_zeros="no"), r"suppress_zeros must be True or False"),
    (dict(row_totals=1), r"row_totals must be True or False"),
    (dict(symbol="5"), r"symbol must be a non-empty text that is not a number"),
    (dict(columns=["b"]), r"Column\(s\) \['b'\] not found"),
])
def test_bad_settings(kwargs, message):
    with pytest.raises((ValueError, TypeError, KeyError), match=message):
        suppress(frame(a=[3, 40]), **kwargs)


def test_threshold_1_is_fine_without_rounding_or_with_zeros_hidden():
    assert one_row([1, 2], threshold=1, rounding=1).table.loc["r"].tolist() == ["*", "2"]
    assert one_row([0, 2, 3], threshold=1, suppress_zeros=True).table.loc["r"].tolist() == ["*", "0", "5"]


def test_check_safe_keeps_the_rules_it_checked():
    table = published([["*", "40"], ["10", "0"]], ["x", "y"], ["a", "b"])
    check = check_safe(table, threshold=10, rounding=10)
    assert check.settings == dict(threshold=10, rounding=10, suppress_zeros=False, min_values=2)
    assert check_safe(suppress(pd.DataFrame({"a": [3, 40]}), threshold=5)).settings["threshold"] == 5


# --- plot_ranges --------------------------------------------------------------------------------------------

NAIVE_TABLE = pd.DataFrame({"a": [3, 40], "b": [50, 60]}, index=["x", "y"])


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_plot_ranges_marks_a_worked_out_cell_and_states_the_finding():
    import matplotlib.pyplot as plt

    naive = suppress(NAIVE_TABLE, rounding=1, secondary=False)
    safe = suppress(NAIVE_TABLE, rounding=1)
    fig = plot_ranges({"Primary only": naive, "Safe": safe}, xlabel="Patients (count)")
    top, bottom = fig.axes[:2]
    assert top.get_title(loc="left") == "Primary only: the hidden cell can be worked out"
    assert "exactly 3: worked out" in _texts(top)
    assert [t.get_text() for t in top.get_yticklabels()] == ["x, a"]
    assert bottom.get_title(loc="left").startswith("Safe: none of the 4 hidden cells")
    # every hidden cell of the safe table gets its range in words, read from the audit
    expected = [f"{int(lo)} to {int(hi)}" for lo, hi in zip(safe.audit["lowest"], safe.audit["highest"],
                                                             strict=True)]
    assert _texts(bottom) == expected
    assert bottom.get_xlabel() == "Patients (count)"
    assert top.get_ylabel() == bottom.get_ylabel() == "Hidden cell (row, column)"
    assert fig.get_suptitle() == "1 of 5 hidden cells can be worked out"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Range the intruder is left with", "Worked out exactly",
                      "Counts the rule hides (1 to 7)"]
    plt.close(fig)


def test_plot_ranges_of_a_check_an_unbounded_cell_and_a_cell_exposed_if_small():
    import matplotlib.pyplot as plt

    # no totals: the hidden cell is unbounded
    fig = plot_ranges(check_safe(published([["*", "40"], ["10", "0"]], ["x", "y"], ["a", "b"])), title="T")
    assert _texts(fig.axes[0]) == ["1 to no upper limit"]  # zeros are shown, so a '*' is at least 1
    assert fig.get_suptitle() == "T"
    assert fig.axes[0].get_title(loc="left") == ""  # one table: no panel title
    plt.close(fig)
    # x can be 7 to 46, but exactly 7 if it is small (see test_check_safe_flags_a_cell_exposed_if_it_is_small)
    fig = plot_ranges(check_safe(EXPOSED_IF_SMALL, rounding=1))
    assert "7 to 46; exactly 7 if it is small" in _texts(fig.axes[0])
    assert "Narrowed too far" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert fig.get_suptitle() == "1 of 4 hidden cells can be worked out"
    plt.close(fig)


def test_plot_ranges_with_nothing_hidden_and_bad_input():
    import matplotlib.pyplot as plt

    fig = plot_ranges(suppress(pd.DataFrame({"a": [30, 40]})))
    assert _texts(fig.axes[0]) == ["No cell is hidden"]
    assert fig.get_suptitle() == "Nothing hidden"
    plt.close(fig)
    both = suppress(pd.DataFrame({"a": [3, 40], "b": [50, 2]}), rounding=1, secondary=False)
    fig = plot_ranges(both)
    assert fig.get_suptitle() == "All 2 hidden cells can be worked out"
    assert _texts(fig.axes[0]) == ["exactly 3: worked out", "exactly 2: worked out"]
    plt.close(fig)
    with pytest.raises(TypeError, match=r"not DataFrame for 'p'\. Fix: pass suppress\(data\)"):
        plot_ranges({"p": NAIVE_TABLE})
    with pytest.raises(ValueError, match="No results to draw"):
        plot_ranges({})


def test_not_a_dataframe():
    with pytest.raises(TypeError, match=re.escape("data must be a pandas DataFrame, not list")):
        suppress([[1, 2]])


def test_docstring_examples_run():
    import equity_lib.disclosure as module

    assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_vocabulary_names_and_no_old_names():
    """Issue 11: suppress(data, ...) and check_safe(data, ...); the old table= and published= are gone."""
    counts = pd.DataFrame({"a": [40, 50], "b": [60, 70]}, index=["r1", "r2"])
    result = suppress(data=counts)
    pd.testing.assert_frame_equal(result.table, suppress(counts).table)
    assert check_safe(data=result).safe
    assert check_safe(data=result.table).safe
    with pytest.raises(TypeError, match="unexpected keyword argument 'table'"):
        suppress(table=counts)
    with pytest.raises(TypeError, match="unexpected keyword argument 'published'"):
        check_safe(published=result.table)
