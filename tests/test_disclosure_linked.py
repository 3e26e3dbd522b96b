"""Issue 12, disclosure: tables published together (a breakdown and its total, shared margins, two periods and
their sum) are audited and protected together, and an intruder who reads all of them must fail.

The intruder here is written independently of ``equity_lib.disclosure``. It reads only the published text
tables, names the variables from their row and column label names, and builds the finest table behind all
of them: one unknown whole count of at least 0 for every combination of every variable. Every published
cell of every table is the sum of the finest counts in its box (a level labelled "Total"/"All" means every
value of that variable, and so does an empty level beside it); a shown number ``r`` bounds that sum to the
whole counts that publish as ``r`` (found by brute force), and a ``*`` to at least 1 when zeros are shown
(the rule hides counts of 1 to the threshold and secondary suppression never hides a zero; 0 when zeros are
hidden too). For each ``*`` it solves whole-number programmes
(``scipy.optimize.milp``) for the lowest and highest value, and again with the cell held to the counts the
rule hides. The promise for one table (tests/test_disclosure.py) is that no ``*`` is left with fewer than
``min_values`` values, nor with exactly one if it is a small count; across tables it must hold as well.
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

import equity_lib.disclosure as disclosure
from equity_lib.datasets import ETHNIC_CATEGORIES, load
from equity_lib.disclosure import (
    DisclosureWarning,
    LinkedSuppressionResult,
    SuppressionResult,
    check_safe,
    plot_ranges,
    round_counts,
    suppress,
    suppress_linked,
)

TOTALS = {"total", "totals", "all", "overall", "grand total"}


# --- the independent linked intruder ------------------------------------------------------------------------

def _is_total(value):
    return " ".join(str(value).split()).casefold() in TOTALS


def _keys(index):
    """Per label, {variable: value, or None for every value}."""
    names = list(index.names)
    assert all(n is not None for n in names), "every level of labels names its variable"
    out = []
    for label in index:
        key = label if isinstance(label, tuple) else (label,)
        total = [_is_total(v) for v in key]
        out.append({n: None if t or (any(total) and v == "") else v for n, v, t in zip(names, key, total,
                                                                                        strict=True)})
    return out


def publishes_as(r, base, threshold, suppress_zeros):
    """The whole counts the rules publish as r (brute force), as (lowest, highest): an interval."""
    small_lo = 0 if suppress_zeros else 1
    xs = [x for x in range(max(0, r - base), r + base + 1)
          if (2 * x + base) // (2 * base) * base == r and not small_lo <= x <= threshold]
    assert xs and xs == list(range(xs[0], xs[-1] + 1)), (r, xs)
    return xs[0], xs[-1]


def linked_attack(tables: dict, threshold: int, rounding: int, suppress_zeros: bool = False) -> pd.DataFrame:
    cells, values = [], {}
    for name, table in tables.items():
        text = table.astype(str).to_numpy()
        rows, cols = enumerate(_keys(table.index)), enumerate(_keys(table.columns))
        for (i, rk), (j, ck) in itertools.product(rows, cols):
            key = {**rk, **ck}
            for var, val in key.items():
                values.setdefault(var, [])
                if val is not None and val not in values[var]:
                    values[var].append(val)
            cells.append((name, table.index[i], table.columns[j], text[i, j].strip(), key))
    variables = list(values)
    finest = list(itertools.product(*(values[v] for v in variables)))
    stars, rows, lo, hi = [], [], [], []
    for cell in cells:
        a = np.array([all(cell[4].get(v) is None or cell[4][v] == f[k] for k, v in enumerate(variables))
                      for f in finest], dtype=float)
        if cell[3] == "*":
            stars.append((cell, a))
        else:
            low, high = publishes_as(int(cell[3]), rounding, threshold, suppress_zeros)
            rows.append(a)
            lo.append(low)
            hi.append(high)
    floor = 1 if not suppress_zeros and threshold >= 1 else 0
    if stars:  # every '*' is at least the floor
        rows += [a for _, a in stars]
        lo += [floor] * len(stars)
        hi += [np.inf] * len(stars)
    constraints = [LinearConstraint(np.array(rows), lo, hi)] if rows else []
    big = 10**7  # a cell that reaches this is unbounded

    def extreme(a, sign, window=None):
        extra = [LinearConstraint(a[None, :], *window)] if window else []
        res = milp(sign * a, constraints=constraints + extra, bounds=Bounds(0, big),
                   integrality=np.ones(len(finest)))
        if res.status == 2:
            return None
        assert res.status == 0, res.message
        v = round(sign * res.fun)
        return np.inf if v >= big // 2 else v  # other cells at their floor hold it a little below big

    small_lo = 0 if suppress_zeros else 1
    found = []
    for (name, row, column, _, _), a in stars:
        lowest, highest = extreme(a, 1), extreme(a, -1)
        assert lowest is not None, "the published tables are inconsistent"
        small = (None, None)
        if lowest <= threshold and highest >= small_lo:
            small = (extreme(a, 1, (small_lo, threshold)), extreme(a, -1, (small_lo, threshold)))
        found.append({"table": name, "row": row, "column": column, "lowest": lowest, "highest": highest,
                      "lowest_if_small": small[0], "highest_if_small": small[1]})
    return pd.DataFrame(found, columns=["table", "row", "column", "lowest", "highest", "lowest_if_small",
                                        "highest_if_small"])


def narrower_than_promised(found, threshold, suppress_zeros=False, min_values=2):
    need = min(min_values, 2, threshold - (0 if suppress_zeros else 1) + 1)
    few = (found["highest"] - found["lowest"] + 1) < min_values
    small = found["lowest_if_small"].notna() & (
        (found["highest_if_small"] - found["lowest_if_small"] + 1) < need)
    return found.loc[few | small]


def assert_intruder_fails(result: LinkedSuppressionResult):
    """The intruder narrows no hidden cell further than promised, except exactly those the library's audit
    marks unprotected (suppress_linked warned it ran out of non-zero cells to hide)."""
    s = result.settings
    found = linked_attack({n: r.table for n, r in result.tables.items()}, s["threshold"], s["rounding"],
                          s["suppress_zeros"])
    won = narrower_than_promised(found, s["threshold"], s["suppress_zeros"], s["min_values"])
    flagged = result.audit.loc[~result.audit["protected"], ["table", "row", "column"]]
    assert ({tuple(x) for x in won[["table", "row", "column"]].itertuples(index=False)}
            == {tuple(x) for x in flagged.itertuples(index=False)}), \
        f"intruder narrowed cells:\n{won}\nfrom\n{result}"
    # soundness, and the library's own audit is the same attack (its ranges are exact, not just safe)
    mine = result.audit.reset_index(drop=True)
    assert len(mine) == len(found)
    for theirs, ours in zip(found.itertuples(index=False), mine.itertuples(index=False), strict=True):
        truth = result.tables[theirs.table].unrounded.loc[theirs.row, theirs.column]
        assert theirs.lowest <= truth <= theirs.highest
        assert (ours.table, ours.row, ours.column) == (theirs.table, theirs.row, theirs.column)
        assert (ours.lowest, ours.highest) == (theirs.lowest, theirs.highest)
        if pd.isna(theirs.lowest_if_small):  # it cannot be a small count
            assert np.isnan(ours.lowest_if_small) and np.isnan(ours.highest_if_small)
        else:
            assert (ours.lowest_if_small, ours.highest_if_small) == (theirs.lowest_if_small,
                                                                      theirs.highest_if_small)
    return found


# --- the example: trust x sex x ethnic group with trust x ethnic group ------------------------------

@pytest.fixture(scope="module")
def long_waits():
    waiting = load("waiting_list")
    broad = ETHNIC_CATEGORIES.set_index("code")["broad_group"]
    waiting["ethnic_group"] = waiting["ethnic_category"].map(broad)
    return waiting[waiting["weeks_waited"] >= 65]


def test_two_tables_that_pass_alone_give_cells_away_together(long_waits):
    """Over-65-week waits at Kelderby: the by-sex table hides White women (12) and the small counts beside
    it; the overall table shows White 21, so White women are 21 - 9 = 12, and the rest follow."""
    d = long_waits
    by_sex = suppress(pd.crosstab([d["trust_code"], d["sex"]], d["ethnic_group"]), rounding=1)
    overall = suppress(pd.crosstab(d["trust_code"], d["ethnic_group"]), rounding=1)
    assert check_safe(by_sex).safe and check_safe(overall).safe
    found = linked_attack({"by sex": by_sex.table, "all": overall.table}, 7, 1)
    won = narrower_than_promised(found, 7)
    assert won[["row", "column", "lowest", "highest"]].values.tolist() == [
        [("KDH", "F"), "White", 12, 12], [("KDH", "F"), "Not stated", 3, 3],
        [("KDH", "M"), "Not stated", 6, 6], [("KDH", "M"), "Not known", 5, 5]]
    check = check_safe({"by sex": by_sex, "all": overall})
    assert not check.safe
    assert check.reasons == [
        f"The hidden cell at table 'by sex', row {row!r}, column {column!r} can be worked out from the "
        f"published tables together: it must be exactly {value}."
        for row, column, value, _ in won.values[:, 1:5].tolist()]
    assert check_safe({"by sex": by_sex.table, "all": overall.table}, rounding=1).reasons == check.reasons
    assert check_safe([by_sex.table, overall.table], rounding=1).reasons[0].startswith(
        "The hidden cell at table 'table 1', row ('KDH', 'F'), column 'White'")

    linked = suppress_linked(d, {"by sex": (["trust_code", "sex"], "ethnic_group"),
                                 "all": ("trust_code", "ethnic_group")}, rounding=1)
    assert_intruder_fails(linked)
    assert check_safe(linked).safe
    # Kelderby's men: White and "not known" are hidden too, so women's and men's White add up to 21 with
    # each free to move (the four cells pinned before had 4 hidden cells between them, now 6)
    assert (by_sex.table.loc["KDH"] == "*").sum().sum() == 4
    assert (linked["by sex"].table.loc["KDH"] == "*").sum().sum() == 6
    assert linked["by sex"].table.loc[("KDH", "M"), "White"] == "*"
    # a count published in both tables (each column's total) is published the same in both
    pd.testing.assert_series_equal(linked["by sex"].table.loc[("Total", "")].rename(None),
                                   linked["all"].table.loc["Total"].rename(None))


def test_the_default_rule_is_caught_too():
    """At the default threshold 7 and rounding 5 (the issue's "both pass check_safe at default settings"):
    trust C's men in group x (a hidden 1) must be exactly 1 (the module's docstring example)."""
    counts = pd.DataFrame([[25, 7, 3], [62, 3, 8], [20, 57, 24], [53, 1, 9], [28, 5, 10], [1, 3, 3]],
                          index=pd.MultiIndex.from_product([["A", "B", "C"], ["F", "M"]],
                                                           names=["trust", "sex"]),
                          columns=pd.Index(["x", "y", "z"], name="group"))
    by_sex, overall = suppress(counts), suppress(counts.groupby(level="trust").sum())
    assert check_safe(by_sex).safe and check_safe(overall).safe
    won = narrower_than_promised(linked_attack({"by sex": by_sex.table, "all": overall.table}, 7, 5), 7)
    assert won[["row", "column", "lowest", "highest"]].values.tolist() == [[("C", "M"), "x", 1, 1]]
    check = check_safe({"by sex": by_sex, "all": overall})
    assert check.reasons == ["The hidden cell at table 'by sex', row ('C', 'M'), column 'x' can be worked "
                             "out from the published tables together: it must be exactly 1."]
    tidy = counts.stack().rename("n").reset_index()
    linked = suppress_linked(tidy, {"by sex": (["trust", "sex"], "group"), "all": ("trust", "group")},
                             value="n")
    assert_intruder_fails(linked)
    assert check_safe(linked).safe
    # one row per person gives the same tables as one row per group with its count
    people = tidy.loc[tidy.index.repeat(tidy["n"]), ["trust", "sex", "group"]]
    again = suppress_linked(people, {"by sex": (["trust", "sex"], "group"), "all": ("trust", "group")})
    for name in ("by sex", "all"):
        pd.testing.assert_frame_equal(again[name].table, linked[name].table)


# --- other links: shared margins, two periods and their sum -------------------------------------------------

def test_tables_sharing_a_margin():
    """trust x sex and trust x group share each trust's total; the tables are protected together and each
    trust total is published the same in both."""
    rng = np.random.default_rng(5)
    people = pd.DataFrame({"trust": rng.choice(list("ABCD"), 300, p=[.5, .3, .15, .05]),
                           "sex": rng.choice(["F", "M"], 300),
                           "group": rng.choice(list("xyz"), 300, p=[.8, .15, .05])})
    linked = suppress_linked(people, {"sex": ("trust", "sex"), "group": ("trust", "group")}, rounding=1)
    assert_intruder_fails(linked)
    pd.testing.assert_series_equal(linked["sex"].table["Total"], linked["group"].table["Total"])


def test_two_periods_and_their_sum():
    rng = np.random.default_rng(11)
    n = 400
    people = pd.DataFrame({"year": rng.choice([2023, 2024], n),
                           "trust": rng.choice(list("ABC"), n, p=[.6, .3, .1]),
                           "group": rng.choice(list("xyz"), n, p=[.85, .1, .05])})
    tables = {"by year": (["year", "trust"], "group"), "both years": ("trust", "group")}
    separately = [suppress(people[people["year"] == y].pipe(lambda d: pd.crosstab(d["trust"], d["group"])))
                  for y in (2023, 2024)]
    both = suppress(pd.crosstab(people["trust"], people["group"]))
    by_year = pd.concat({2023: separately[0].table, 2024: separately[1].table}, names=["year"])
    linked = suppress_linked(people, tables)
    assert_intruder_fails(linked)
    assert check_safe(linked).safe
    # the separately made tables, read together as the intruder would read them: what the audit says matches
    found = linked_attack({"by year": by_year, "both years": both.table}, 7, 5)
    check = check_safe({"by year": by_year, "both years": both.table})
    assert check.safe == narrower_than_promised(found, 7).empty


def test_one_table_with_subtotals_is_read_with_them():
    """Rows trust x sex with a subtotal per trust ("A", "Total"): the subtotals are equations too."""
    counts = pd.DataFrame([[25, 7, 13], [62, 3, 18], [20, 57, 24], [53, 11, 9]],
                          index=pd.MultiIndex.from_product([["A", "B"], ["F", "M"]], names=["trust", "sex"]),
                          columns=pd.Index(["x", "y", "z"], name="group"))
    trusts = counts.groupby(level="trust").sum()
    trusts.index = pd.MultiIndex.from_tuples([(t, "Total") for t in trusts.index], names=["trust", "sex"])
    table = pd.concat([counts, trusts]).sort_index(kind="stable")
    table.loc[("Total", ""), :] = counts.sum()
    table["Total"] = table.sum(axis=1)
    text = table.astype(int).astype(str).astype(object)
    for row in [("A", "F"), ("A", "M")]:  # y alone hidden in trust A: each row's total gives it away
        text.loc[row, "y"] = "*"
    check = check_safe(text, rounding=1)
    found = linked_attack({"t": text}, 7, 1)
    assert found[["lowest", "highest"]].to_numpy().tolist() == [[7, 7], [3, 3]]
    assert check.audit[["lowest", "highest"]].to_numpy().tolist() == [[7, 7], [3, 3]]
    assert not check.safe and check.reasons == [
        f"The hidden cell at row {row!r}, column 'y' can be worked out from the published numbers: it must "
        f"be exactly {value}." for row, value in ((("A", "F"), 7), (("A", "M"), 3))]
    for row in [("A", "F"), ("A", "M")]:  # y and z hidden: two unknowns per row and per subtotal column
        text.loc[row, "z"] = "*"
    check = check_safe(text, rounding=1)
    found = linked_attack({"t": text}, 7, 1)
    assert check.safe and narrower_than_promised(found, 7).empty
    assert check.audit[["lowest", "highest"]].to_numpy().tolist() == \
        found[["lowest", "highest"]].to_numpy().tolist()
    assert any("solves the totals and subtotals as equations" in r for r in check.reasons)


# --- properties ---------------------------------------------------------------------------------------------

LAYOUTS = {
    "breakdown and total": {"detail": (["a", "b"], "c"), "total": ("a", "c")},
    "shared margin": {"ab": ("a", "b"), "ac": ("a", "c")},
    "three ways": {"ab by c": (["a", "b"], "c"), "a by c": ("a", "c"), "b by c": ("b", "c")},
    "one table": {"only": ("a", "c")},
}


@st.composite
def linked_data(draw):
    sizes = [draw(st.integers(2, 3)), 2, draw(st.integers(2, 3))]
    cells = int(np.prod(sizes))
    count = st.one_of(st.integers(0, 3), st.integers(1, 9), st.integers(5, 40))
    counts = draw(st.lists(count, min_size=cells, max_size=cells))
    keys = list(itertools.product(*(range(s) for s in sizes)))
    data = pd.DataFrame(keys, columns=["a", "b", "c"]).assign(n=counts)
    data["a"] = data["a"].map(dict(enumerate("PQR")))
    data["c"] = data["c"].map(dict(enumerate("xyz")))
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=linked_data(), layout=st.sampled_from(sorted(LAYOUTS)), threshold=st.sampled_from([3, 5, 7]),
       rounding=st.sampled_from([1, 5]), min_values=st.sampled_from([2, 3]))
def test_the_linked_intruder_recovers_nothing_narrower_than_promised(data, layout, threshold, rounding,
                                                                      min_values):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DisclosureWarning)
        result = suppress_linked(data, LAYOUTS[layout], value="n", threshold=threshold, rounding=rounding,
                                 min_values=min_values)
    assert len(caught) <= 1 and all(issubclass(w.category, DisclosureWarning) for w in caught)
    warned = bool(caught)
    event(f"could not protect every cell: {warned}")
    assert warned == (~result.audit["protected"]).any()
    assert_intruder_fails(result)
    check = check_safe(result)
    assert check.safe != warned, str(check)
    for table in result.tables.values():
        # no zero is hidden to protect another cell; when suppress_linked gave up, nothing else was left
        assert not ((table.status == "secondary") & (table.unrounded == 0)).any().any()
        if warned:
            assert ((table.table == "*") | (table.unrounded == 0)).all().all()
    for table in result.tables.values():
        # every count the rule hides is hidden; every shown number is the rounded true count
        small = (table.unrounded >= 1) & (table.unrounded <= threshold)
        assert (table.table[small] == "*").sum().sum() == small.sum().sum()
        shown = table.values.notna()
        assert (table.values[shown] == round_counts(table.unrounded, rounding)[shown]).all().all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=linked_data(), layout=st.sampled_from(["breakdown and total", "shared margin", "three ways"]),
       rounding=st.sampled_from([1, 5]))
def test_check_safe_of_tables_made_separately_agrees_with_the_intruder(data, layout, rounding):
    tables = {}
    for name, (rows, column) in LAYOUTS[layout].items():
        rows = [rows] if isinstance(rows, str) else rows
        wide = data.pivot_table(index=rows, columns=column, values="n", aggfunc="sum")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DisclosureWarning)  # the check below must say so
                tables[name] = suppress(wide, rounding=rounding)
        except ValueError as error:  # a row or column that equals the sum of the others: refused by design
            assert "looks like a total" in str(error)
            return
    found = linked_attack({n: r.table for n, r in tables.items()}, 7, rounding)
    won = narrower_than_promised(found, 7)
    check = check_safe(tables)
    assert check.safe == won.empty
    flagged = check.audit.loc[~check.audit["protected"], ["table", "row", "column"]]
    pinned = {(t, r, c) for t, r, c in won[["table", "row", "column"]].itertuples(index=False)}
    assert {tuple(x) for x in flagged.itertuples(index=False)} == pinned
    ranges = check.audit[["lowest", "highest"]].to_numpy().tolist()
    assert ranges == found[["lowest", "highest"]].to_numpy().tolist()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=linked_data(), layout=st.sampled_from(sorted(LAYOUTS)), rounding=st.sampled_from([1, 5]))
def test_maximum_flows_and_linear_programming_protect_linked_tables_alike(data, layout, rounding):
    """A breakdown and its total form a network and are attacked by maximum flows; forced onto linear
    programming instead, the same cells are hidden and the same ranges found."""
    tables = LAYOUTS[layout]
    warnings.simplefilter("ignore", DisclosureWarning)  # (pytest restores the filters after the test)
    by_flow = suppress_linked(data, tables, value="n", rounding=rounding)
    original = disclosure._Boxes.network
    try:
        disclosure._Boxes.network = lambda self: None
        by_lp = suppress_linked(data, tables, value="n", rounding=rounding)
        check_lp = check_safe(by_lp)
    finally:
        disclosure._Boxes.network = original
    pd.testing.assert_frame_equal(by_flow.audit, by_lp.audit)
    for name in tables:
        pd.testing.assert_frame_equal(by_flow[name].table, by_lp[name].table)
    pd.testing.assert_frame_equal(check_safe(by_flow).audit, check_lp.audit)


@pytest.mark.parametrize("layout, network", [("breakdown and total", True), ("one table", True),
                                             ("shared margin", False), ("three ways", False)])
def test_which_linked_sets_are_networks(layout, network):
    specs = disclosure._table_specs(LAYOUTS[layout])
    names = ["a", "b", "c"]
    sizes = np.array([2, 2, 2])
    layouts = []
    for name, rows, column in specs:
        row_vars = [names.index(v) for v in rows]
        keys = np.array(list(itertools.product(*(range(2) for _ in rows))) + [[-1] * len(rows)])
        layouts.append(disclosure._Layout(name, row_vars, names.index(column), keys, np.array([0, 1, -1])))
    assert (disclosure._Boxes(layouts, sizes).network() is not None) == network


# --- the result, and bad input ------------------------------------------------------------------------------

def small_people():
    return pd.DataFrame({"trust": list("AAAABBBB") * 5, "sex": list("FM") * 20, "group": list("xxyz") * 10})


def test_the_result_holds_one_suppression_result_per_table():
    result = suppress_linked(small_people(), [(["trust", "sex"], "group"), ("trust", "group")])
    assert list(result.tables) == ["trust x sex by group", "trust by group"]
    part = result["trust x sex by group"]
    assert isinstance(part, SuppressionResult)
    assert part.table.index.names == ["trust", "sex"]
    assert part.table.index[-1] == ("Total", "") and part.table.columns[-1] == "Total"
    assert part.settings["rows"] == ["trust", "sex"] and part.settings["column"] == "group"
    assert list(result.audit.columns) == ["table", "row", "column", "status", "lowest", "highest",
                                          "possible_values", "lowest_if_small", "highest_if_small",
                                          "protected"]
    assert repr(result).startswith("LinkedSuppressionResult(2 tables protected together;")
    assert "trust by group:\n" in repr(result)
    assert result.footnote == part.footnote
    # each table on its own passes too, and the tables can be checked as a list of their texts
    assert all(check_safe(r).safe for r in result.tables.values())
    assert check_safe([r.table for r in result.tables.values()]).safe


def test_zeros_and_rows_with_nobody_are_published():
    people = small_people()
    people.loc[people["trust"] == "B", "group"] = "x"  # trust B has nobody in y or z
    result = suppress_linked(people, {"t": ("trust", "group")})
    assert result["t"].table.loc["B"].tolist() == ["20", "0", "0", "20"]


@pytest.mark.parametrize("tables, error, message", [
    ("trust", TypeError, r"tables must be a dict \{name: \(rows, column\)\} or a list of \(rows, column\)"),
    ({}, ValueError, r"tables is empty"),
    ({"t": ("trust",)}, TypeError, r"Each table is \(rows, column\)"),
    ({"t": (["trust"], ["group"])}, TypeError, r"Each table is \(rows, column\)"),
    ({"t": ("trust", "trust")}, ValueError, r"names a variable twice"),
    ({"t": ("trust", "ward")}, KeyError, r"Column\(s\) \['ward'\] not found"),
    ([("trust", "group"), ("trust", "group")], ValueError, r"Two tables are both named 'trust by group'"),
])
def test_bad_tables(tables, error, message):
    with pytest.raises(error, match=message):
        suppress_linked(small_people(), tables)


def test_bad_labels_and_counts():
    people = small_people()
    people.loc[3, "sex"] = None
    with pytest.raises(ValueError, match=r"Column 'sex' has missing labels at row 3\. Fix: give them a lab"):
        suppress_linked(people, {"t": (["trust", "sex"], "group")})
    people = small_people()
    people.loc[people["group"] == "z", "group"] = "All"
    with pytest.raises(ValueError, match=r"Column 'group' has the value 'All', which would read as a total"):
        suppress_linked(people, {"t": ("trust", "group")})
    counted = small_people().assign(n=[1.5] * 40)
    with pytest.raises(ValueError, match=r"Column 'n' has counts that are not whole numbers"):
        suppress_linked(counted, {"t": ("trust", "group")}, value="n")
    counted = small_people().assign(n=[2**52] * 40)
    with pytest.raises(ValueError, match=r"Column 'n' adds up to .*, above 2\*\*53"):
        suppress_linked(counted, {"t": ("trust", "group")}, value="n")
    with pytest.raises(ValueError, match=r"value='group' is also a variable of a table"):
        suppress_linked(small_people(), {"t": ("trust", "group")}, value="group")
    wide = pd.DataFrame({f"v{i}": np.arange(40) % 9 for i in range(6)})
    with pytest.raises(ValueError, match=r"break the data into 531,441 combinations .* more than 200,000"):
        suppress_linked(wide, {"t": (["v0", "v1", "v2", "v3", "v4"], "v5")})


def test_check_safe_of_several_tables_needs_named_labels_and_one_set_of_rules():
    a = suppress(pd.DataFrame({"x": [30, 40], "y": [50, 60]}, index=["P", "Q"]))
    b = suppress(pd.DataFrame({"x": [70]}, index=["all trusts"]))
    with pytest.raises(ValueError, match=r"Table 'table 1': its columns have no name, so it cannot be link"):
        check_safe([a, b])
    c = suppress(pd.DataFrame({"x": [30, 40], "y": [50, 60]}, index=["P", "Q"]), rounding=10)
    with pytest.raises(ValueError, match=r"The tables were made with different rules"):
        check_safe([a, c])
    with pytest.raises(ValueError, match=r"There is no table to check"):
        check_safe([])
    with pytest.raises(TypeError, match=r"data must be a pandas DataFrame, not int"):
        check_safe([a.table, 3])


def test_tables_about_different_people_are_inconsistent():
    one = pd.DataFrame({"x": ["30", "40", "70"]}, index=pd.Index(["P", "Q", "Total"], name="trust"))
    one.columns.name = "group"
    other = pd.DataFrame({"x": ["35", "40", "75"]}, index=pd.Index(["P", "Q", "Total"], name="trust"))
    other.columns.name = "group"
    check = check_safe({"2023": one, "2024": other}, rounding=1)
    assert not check.safe
    assert any("inconsistent" in r and "do the tables describe the same people" in r for r in check.reasons)


def test_plot_ranges_draws_each_linked_table():
    import matplotlib.pyplot as plt

    tables = {"by sex": (["trust", "sex"], "group"), "all": ("trust", "group")}
    result = suppress_linked(small_people(), tables)
    fig = plot_ranges(result)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles[0].startswith("by sex: ") and titles[1].startswith("all: ")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels and all(" / " in label for label in labels)  # ('A', 'F') drawn as A / F
    plt.close(fig)
    check = check_safe(result)
    fig = plot_ranges(check)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0].startswith("by sex: ")
    plt.close(fig)
