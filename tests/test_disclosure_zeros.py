"""Zeros are published, so no '*' is 0: the intruder who knows the rules gives every hidden cell a lower bound
of 1, and suppress must protect against that intruder (single tables, linked tables, with rounding).

The intruder here is written independently of ``equity_lib.disclosure`` (``scipy.optimize.milp`` over the
published text only). Unknowns are the finest counts behind all the published tables (for one table: its
inner cells), whole numbers of at least 0; every published number ``r`` bounds the sum of its box to the
whole counts that publish as ``r`` (brute force over the rounding window, the counts the rule hides left
out); every ``*`` bounds its box's sum to at least 1 (``floor``). Promise: each ``*`` keeps at least
``min_values`` possible values, and at least two if it hides a small count (1 to the threshold).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from equity_lib.disclosure import DisclosureWarning, check_safe, suppress, suppress_linked

TOTALS = {"total", "totals", "all", "overall", "grand total"}
BIG = 10**6  # a '*' that reaches half of this is unbounded

REVIEWER = pd.DataFrame({"A": [1, 1, 40], "B": [1, 1, 45], "C": [50, 60, 70]},
                        index=pd.Index(["r1", "r2", "r3"], name="row"))


# --- the intruder -----------------------------------------------------------------------------------------

def _box(label, names):
    key = label if isinstance(label, tuple) else (label,)
    total = [" ".join(str(v).split()).casefold() in TOTALS for v in key]
    return {n: None if t or (any(total) and v == "") else v
            for n, v, t in zip(names, key, total, strict=True)}


def _publishes_as(r, base, threshold):
    xs = [x for x in range(max(0, r - base), r + base + 1)
          if (2 * x + base) // (2 * base) * base == r and not 1 <= x <= threshold]
    assert xs == list(range(xs[0], xs[-1] + 1))
    return xs[0], xs[-1]


def intruder(tables: dict, threshold: int, rounding: int, floor: int = 1) -> pd.DataFrame:
    """Every '*' of the tables published together: lowest, highest, and both again if it is small."""
    cells, values = [], {}
    for name, table in tables.items():
        names = [*table.index.names, table.columns.name]
        for label, column in itertools.product(table.index, table.columns):
            key = {**_box(label, names[:-1]), **_box(column, names[-1:])}
            for v, x in key.items():
                values.setdefault(v, [])
                if x is not None and x not in values[v]:
                    values[v].append(x)
            cells.append((name, label, column, str(table.loc[label, column]).strip(), key))
    variables = list(values)
    finest = list(itertools.product(*(values[v] for v in variables)))
    rows, lo, hi, stars = [], [], [], []
    for cell in cells:
        a = np.array([all(cell[4].get(v) is None or cell[4][v] == f[k] for k, v in enumerate(variables))
                      for f in finest], dtype=float)
        rows.append(a)
        if cell[3] == "*":
            stars.append((cell, a))
            lo.append(floor)
            hi.append(np.inf)
        else:
            low, high = _publishes_as(int(cell[3]), rounding, threshold)
            lo.append(low)
            hi.append(high)
    constraints = [LinearConstraint(np.array(rows), lo, hi)]

    def extreme(a, sign, window=None):
        extra = [LinearConstraint(a[None, :], *window)] if window else []
        res = milp(sign * a, constraints=constraints + extra, bounds=Bounds(0, BIG),
                   integrality=np.ones(len(finest)))
        if res.status == 2:
            return None
        assert res.status == 0, res.message
        v = round(sign * res.fun)
        return np.inf if v >= BIG // 2 else v

    out = []
    for (name, label, column, _, _), a in stars:
        lowest, highest = extreme(a, 1), extreme(a, -1)
        assert lowest is not None, "no table fits the published numbers with every '*' at least the floor"
        small = (np.nan, np.nan)
        if lowest <= threshold:
            small = (extreme(a, 1, (1, threshold)), extreme(a, -1, (1, threshold)))
        out.append({"table": name, "row": label, "column": column, "lowest": lowest, "highest": highest,
                    "lowest_if_small": small[0], "highest_if_small": small[1]})
    return pd.DataFrame(out, columns=["table", "row", "column", "lowest", "highest", "lowest_if_small",
                                      "highest_if_small"])


def narrowed(found, threshold, min_values=2):
    """The '*' the intruder narrows further than promised."""
    few = found["highest"] - found["lowest"] + 1 < min_values
    need = min(min_values, 2, threshold)
    small = found["lowest_if_small"].notna() & (
        found["highest_if_small"] - found["lowest_if_small"] + 1 < need)
    return found.loc[few | small]


def keys(frame):
    return {tuple(x) for x in frame[["table", "row", "column"]].itertuples(index=False)}


def quietly(call):
    """Run call, returning (result, whether it gave a DisclosureWarning); any other warning fails."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DisclosureWarning)
        result = call()
    assert all(issubclass(w.category, DisclosureWarning) for w in caught)
    return result, bool(caught)


# --- the reviewer's case ----------------------------------------------------------------------------------

def test_the_reviewers_table_was_pinned_under_the_rules_and_is_now_protected():
    # what suppress published before: the four 1s pass as "0 to 2" if a '*' could be 0, but zeros are
    # shown, so each is at least 1 and each row's pair adds up to 2: every one is exactly 1
    before = pd.DataFrame([["*", "*", "50", "52"], ["*", "*", "60", "62"], ["40", "45", "70", "155"],
                           ["42", "47", "180", "269"]],
                          index=pd.Index(["r1", "r2", "r3", "Total"], name="row"),
                          columns=["A", "B", "C", "Total"])
    found = intruder({"t": before}, 7, 1)
    assert found[["lowest", "highest"]].values.tolist() == [[1, 1]] * 4
    check = check_safe(before, rounding=1)
    assert not check.safe
    assert sum("must be exactly 1" in r for r in check.reasons) == 4
    assert check.audit[["lowest", "highest"]].values.tolist() == [[1, 1]] * 4

    result = suppress(REVIEWER, rounding=1)
    found = intruder({"t": result.table}, 7, 1)
    assert len(found) == int((result.table == "*").sum().sum()) > 4  # complements were added
    assert narrowed(found, 7).empty
    assert (found["highest"] - found["lowest"] + 1 >= 2).all()
    assert found["lowest"].min() >= 1
    # the library's audit is the intruder's
    assert result.audit[["lowest", "highest"]].values.tolist() == found[["lowest", "highest"]].values.tolist()
    assert not ((result.status == "secondary") & (result.unrounded == 0)).any().any()
    check = check_safe(result)
    assert check.safe
    assert "knowing that every '*' is at least 1" in check.reasons[-1]


@pytest.mark.parametrize("rounding", [1, 5])
@pytest.mark.parametrize("min_values", [2, 5])
def test_the_reviewers_table_with_rounding_and_wider_protection(rounding, min_values):
    result = suppress(REVIEWER, rounding=rounding, min_values=min_values)
    found = intruder({"t": result.table}, 7, rounding)
    assert narrowed(found, 7, min_values).empty
    assert check_safe(result).safe


# --- no zero is hidden as a complement --------------------------------------------------------------------

def test_a_zero_is_never_hidden_as_a_complement_even_when_it_is_the_only_small_cell_in_a_line():
    # row x: 3 and zeros; the only non-zero complements are elsewhere
    table = pd.DataFrame({"a": [3, 30, 12], "b": [0, 40, 9], "c": [0, 50, 20]}, index=["x", "y", "z"])
    result = suppress(table, rounding=1)
    zeros = result.unrounded == 0
    assert (result.table[zeros] == "0").sum().sum() == zeros.sum().sum()
    assert narrowed(intruder({"t": result.table.rename_axis(index="r", columns="k")}, 7, 1), 7).empty


def test_nothing_left_to_hide_but_zeros_warns_and_check_safe_agrees():
    # seven 1s and their total: every '*' is at least 1, so the total is at least 7 - exactly 7 if small
    table = pd.DataFrame([[1] * 7 + [0]], index=pd.Index(["x"], name="r"),
                         columns=pd.Index([f"c{j}" for j in range(8)], name="k"))
    message = (r"1 hidden cell\(s\) cannot be protected, e\.g\. row 'x', column 'Total'.*Fix: hide zeros too "
               r"\(suppress_zeros=True\)")
    with pytest.warns(DisclosureWarning, match=message):
        result = suppress(table, rounding=1, column_totals=False)
    assert result.table.loc["x", "c7"] == "0"  # not hidden: it would protect nothing
    row = result.audit.set_index("column").loc["Total"]
    assert not row["protected"] and (row["lowest_if_small"], row["highest_if_small"]) == (7, 7)
    found = intruder({"t": result.table}, 7, 1)
    assert keys(narrowed(found, 7)) == {("t", "x", "Total")}
    check = check_safe(result)
    assert not check.safe
    assert any("row 'x', column 'Total' is exposed if it hides a small count: it would have to be exactly 7"
               in r for r in check.reasons)
    # hiding zeros too protects it (the zero then may be anything from 0, and so may every '*')
    assert check_safe(suppress(table, rounding=1, column_totals=False, suppress_zeros=True)).safe
    # primary suppression only: no warning (the audit says what is exposed, as asked)
    assert not suppress(table, rounding=1, column_totals=False, secondary=False).audit["protected"].all()


# --- check_safe of a table made elsewhere that hides a zero ------------------------------------------------

def test_check_safe_of_a_table_that_must_hide_a_zero_is_not_safe_and_says_why():
    # truth [[20, 30], [0, 40]] with the 0 hidden as a complement: row y gives y/a = 40 - 40 = 0, which no
    # '*' can be when zeros are shown (the independent intruder finds no table with every '*' at least 1)
    table = pd.DataFrame([["*", "*", "50"], ["*", "40", "40"], ["20", "70", "90"]],
                         index=pd.Index(["x", "y", "Total"], name="r"), columns=pd.Index(["a", "b", "Total"],
                                                                                        name="k"))
    with pytest.raises(AssertionError, match="no table fits"):
        intruder({"t": table}, 7, 1)
    assert intruder({"t": table}, 7, 1, floor=0)[["lowest", "highest"]].values.tolist() == [
        [20, 20], [30, 30], [0, 0]]
    check = check_safe(table, rounding=1)  # no crash, and not called safe
    assert not check.safe
    assert any("some '*' must hide a 0" in r and "suppress_zeros=True" in r for r in check.reasons)
    assert not any("inconsistent" in r for r in check.reasons)
    # the fallback attack lets a '*' be 0, as the intruder who notices does: its ranges are the audit
    assert check.audit[["lowest", "highest"]].values.tolist() == [[20, 20], [30, 30], [0, 0]]
    assert any("row 'y', column 'a'" in r and "exactly 0" in r for r in check.reasons)
    # numbers that no table fits even with a '*' of 0 are still called inconsistent
    bad = table.replace({"90": "95"})
    assert any("inconsistent" in r for r in check_safe(bad, rounding=1).reasons)


def test_a_total_found_by_its_numbers_is_still_found_when_a_zero_is_hidden():
    # no total labels; row w equals x + y wherever both are shown, and w/a = 0 with x/a and y/a hidden:
    # read as a total (as an intruder would) the '*' must be 0, not "a table without totals, safe"
    table = pd.DataFrame([["*", "12", "40"], ["*", "20", "30"], ["0", "32", "70"]], index=["x", "y", "w"],
                         columns=["a", "b", "c"])
    check = check_safe(table, rounding=1)
    assert any("The row 'w' was read as the total" in r for r in check.reasons)
    assert not check.safe
    assert any("some '*' must hide a 0" in r for r in check.reasons)
    assert not any("has no totals" in r for r in check.reasons)


def test_linked_tables_that_must_hide_a_zero_are_not_safe():
    # the overall table shows group x as 0; the by-sex table hides both sexes' x: each must be 0
    by_sex = pd.DataFrame([["*", "20", "*"], ["*", "30", "*"], ["*", "50", "*"]],
                          index=pd.Index(["F", "M", "Total"], name="sex"),
                          columns=pd.Index(["x", "y", "Total"], name="g"))
    overall = pd.DataFrame([["0", "50", "50"]], index=pd.Index(["Total"], name="sex"),
                           columns=pd.Index(["x", "y", "Total"], name="g"))
    check = check_safe({"by sex": by_sex, "overall": overall}, rounding=1)
    assert not check.safe
    assert any("No table of whole counts fits the published tables with every '*' at least 1" in r
               for r in check.reasons)
    assert check.audit.set_index(["row", "column"]).loc[("F", "x"), ["lowest", "highest"]].tolist() == [0, 0]


# --- properties -------------------------------------------------------------------------------------------

def small_tables(min_side=1, max_side=4):
    cell = st.one_of(st.integers(0, 2), st.integers(1, 9), st.integers(8, 60))
    return st.integers(min_side, max_side).flatmap(lambda nr: st.integers(min_side, max_side).flatmap(
        lambda nc: st.lists(st.lists(cell, min_size=nc, max_size=nc), min_size=nr, max_size=nr)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=small_tables(), threshold=st.sampled_from([3, 7, 10]), rounding=st.sampled_from([1, 5]),
       row_totals=st.booleans(), column_totals=st.booleans(), min_values=st.sampled_from([2, 3]))
def test_suppress_keeps_its_promise_against_an_intruder_with_a_floor_of_1(values, threshold, rounding,
                                                                         row_totals, column_totals,
                                                                         min_values):
    counts = np.array(values)
    table = pd.DataFrame(counts, index=pd.Index([f"r{i}" for i in range(counts.shape[0])], name="r"),
                         columns=pd.Index([f"c{j}" for j in range(counts.shape[1])], name="k"))
    try:
        result, warned = quietly(lambda: suppress(table, threshold=threshold, rounding=rounding,
                                                  row_totals=row_totals, column_totals=column_totals,
                                                  min_values=min_values))
    except ValueError as error:  # a row or column equal to the sum of the others: refused by design
        assert "looks like a total" in str(error)
        return
    event(f"warned: {warned}")
    # no zero hidden as a complement, so the floor of 1 is a public fact
    assert not ((result.status == "secondary") & (result.unrounded == 0)).any().any()
    found = intruder({"t": result.table}, threshold, rounding)
    event(f"hidden: {min(len(found), 8)}")
    truth = result.unrounded
    for row in found.itertuples(index=False):
        assert row.lowest <= truth.loc[row.row, row.column] <= row.highest
    flagged = result.audit.loc[~result.audit["protected"], ["row", "column"]].assign(table="t")
    assert keys(narrowed(found, threshold, min_values)) == keys(flagged)
    assert warned == (not flagged.empty)
    if warned:  # only when every non-zero cell is hidden
        assert ((result.table == "*") | (truth == 0)).all().all()
    assert result.audit[["lowest", "highest"]].values.tolist() == found[["lowest", "highest"]].values.tolist()
    assert check_safe(result).safe != warned


@st.composite
def people(draw):
    sizes = [draw(st.integers(2, 3)), 2, draw(st.integers(2, 3))]
    count = st.one_of(st.integers(0, 2), st.integers(1, 9), st.integers(5, 40))
    counts = draw(st.lists(count, min_size=int(np.prod(sizes)), max_size=int(np.prod(sizes))))
    data = pd.DataFrame(list(itertools.product(*(range(s) for s in sizes))), columns=["a", "b", "c"])
    return data.assign(n=counts, a=data["a"].map(dict(enumerate("PQR"))),
                       c=data["c"].map(dict(enumerate("xyz"))))


LINKED = {
    "breakdown and total": {"detail": (["a", "b"], "c"), "total": ("a", "c")},
    "shared margin": {"ab": ("a", "b"), "ac": ("a", "c")},
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=people(), layout=st.sampled_from(sorted(LINKED)), threshold=st.sampled_from([3, 7]),
       rounding=st.sampled_from([1, 5]))
def test_suppress_linked_keeps_its_promise_against_an_intruder_with_a_floor_of_1(data, layout, threshold,
                                                                                rounding):
    result, warned = quietly(lambda: suppress_linked(data, LINKED[layout], value="n", threshold=threshold,
                                                     rounding=rounding))
    event(f"warned: {warned}")
    for table in result.tables.values():
        assert not ((table.status == "secondary") & (table.unrounded == 0)).any().any()
    found = intruder({n: r.table for n, r in result.tables.items()}, threshold, rounding)
    flagged = result.audit.loc[~result.audit["protected"]]
    assert keys(narrowed(found, threshold)) == keys(flagged)
    assert warned == (not flagged.empty)
    assert result.audit[["lowest", "highest"]].values.tolist() == found[["lowest", "highest"]].values.tolist()
    assert check_safe(result).safe != warned
