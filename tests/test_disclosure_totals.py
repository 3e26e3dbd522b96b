"""Issue 12, disclosure: totals recognised whatever their label (or with no label at all), counts too large
to hold exactly refused, and the one-table attack (maximum flows) checked against linear programming.

The intruder of tests/test_disclosure.py (whole-number programmes, independent of the library) reads only
totals labelled exactly "Total"; here a table's totals carry other labels, and the truth is known, so the
test states what an intruder recovers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import equity_lib.disclosure as disclosure
from equity_lib.disclosure import check_safe, round_counts, suppress

TRUE = np.array([[3, 12, 40], [5, 20, 30], [25, 10, 70]])  # two small counts, both in column 'a'


def published(total_row, total_column=None, hide=((0, 0), (1, 0)), rows=("x", "y", "w"),
              cols=("a", "b", "c")):
    """TRUE with its totals (unrounded) and the cells in ``hide`` as '*', as a text table."""
    full = np.vstack([np.column_stack([TRUE, TRUE.sum(axis=1)]), np.append(TRUE.sum(axis=0), TRUE.sum())])
    text = full.astype(str).astype(object)
    for r, c in hide:
        text[r, c] = "*"
    total_column = total_row if total_column is None else total_column
    return pd.DataFrame(text, index=[*rows, total_row], columns=[*cols, total_column])


# --- totals by their label ----------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["Total", "All", "total", "Total ", " TOTALS", "Grand  total", "Overall",
                                   "ALL"])
def test_totals_are_read_whatever_their_case_and_spacing(label):
    """The issue: with totals labelled "All", "total" or "Total " check_safe said "the table has no totals"
    and called the table safe, though x/a = 43 - 40 and y/a = 50 - 45 are worked out exactly."""
    check = check_safe(published(label), rounding=1)
    assert not check.safe
    for row, value in (("x", 3), ("y", 5)):
        assert (f"The hidden cell at row {row!r}, column 'a' can be worked out from the published numbers: "
                f"it must be exactly {value}.") in check.reasons
    assert not any("no totals" in r for r in check.reasons)
    assert check.audit["lowest"].tolist() == check.audit["highest"].tolist() == [3, 5]
    said = [r for r in check.reasons if "was read as a total: its label says so" in r]
    expected = [f"The {axis} {label!r} was read as a total: its label says so." for axis in ("row", "column")]
    assert said == ([] if label == "Total" else expected)


def test_a_total_row_and_column_with_different_labels_and_a_declared_label():
    check = check_safe(published("All", "Total"), rounding=1)
    assert not check.safe and check.audit["lowest"].tolist() == [3, 5]
    own = check_safe(published("Sum over trusts"), rounding=1, total_label="Sum over trusts")
    assert not own.safe and own.audit["highest"].tolist() == [3, 5]
    assert not any("read as a total" in r for r in own.reasons)


def test_pandas_margins_with_several_levels_of_row_labels():
    """crosstab(margins=True) labels the total row ('All', ''): both levels mean every value."""
    data = pd.DataFrame({"trust": list("AAAABBBB"), "sex": list("FMFMFMFM"),
                         "group": ["x", "x", "y", "y", "x", "y", "x", "y"]})
    table = pd.crosstab([data["trust"], data["sex"]], data["group"], margins=True).astype(object)
    table.iloc[0, 0] = table.iloc[1, 0] = "*"  # A/F/x and A/M/x: one each, in one column only
    check = check_safe(table, rounding=1)
    assert not check.safe
    assert "The row ('All', '') was read as a total: its label says so." in check.reasons
    assert check.audit[["lowest", "highest"]].to_numpy().tolist() == [[1, 1], [1, 1]]


def test_an_unlabelled_total_row_is_found_by_its_numbers():
    table = published("z").drop(columns="z")  # the total row is called 'z' and there is no total column
    check = check_safe(table, rounding=1)
    assert check.safe  # x/a + y/a = 33 - 25 = 8, each at least 1 (zeros are shown): each could be 1 to 7
    assert check.audit[["lowest", "highest"]].to_numpy().tolist() == [[1, 7], [1, 7]]
    assert ("The row 'z' was read as the total of the other rows: it equals their sum wherever they are all "
            "shown, as an intruder would notice.") in check.reasons
    # with the total column too, under a label that is no total word: both are found, both cells pinned
    both = check_safe(published("z", "sum of groups"), rounding=1)
    assert not both.safe and both.audit["lowest"].tolist() == [3, 5]
    assert any("The column 'sum of groups' was read as the total" in r for r in both.reasons)


def test_a_coincidence_in_one_column_is_not_read_as_a_total():
    # w/c = x/c + y/c (70 = 40 + 30) but w/b != x/b + y/b: w is not the total of x and y
    table = pd.DataFrame([["*", "12", "40"], ["*", "20", "30"], ["25", "10", "70"]], index=["x", "y", "w"],
                         columns=["a", "b", "c"])
    check = check_safe(table, rounding=1)
    assert check.safe and not any("read as" in r for r in check.reasons)
    # equal in two columns but each with one non-zero part only: not evidence of a total either
    zeros = pd.DataFrame([[0, 0, 5], [12, 20, 0], [12, 20, 9]], index=["x", "y", "w"],
                         columns=["a", "b", "c"])
    assert not any("read as" in r for r in check_safe(zeros, rounding=1).reasons)


def test_a_row_that_cannot_be_a_total_is_not_read_as_one():
    # z matches the sum of x, y and w where all are shown, but the hidden cells would have to be negative
    table = pd.DataFrame([["*", "12", "40"], ["*", "20", "30"], ["25", "10", "70"], ["20", "42", "140"]],
                         index=["x", "y", "w", "z"], columns=["a", "b", "c"])
    check = check_safe(table, rounding=1)
    assert not any("read as" in r for r in check.reasons)
    assert check.safe and any("no totals" in r for r in check.reasons)


def test_a_published_result_is_not_searched_for_sum_lines():
    # the data have a row equal to the sum of two others in one column only: suppress accepts it, and
    # check_safe(result) reads the totals from the result's settings
    counts = pd.DataFrame({"a": [30, 40, 70], "b": [25, 60, 50]}, index=["x", "y", "w"])
    result = suppress(counts, rounding=1)
    assert check_safe(result).safe


@pytest.mark.parametrize("labels, axis, message", [
    (["T1", "All"], "index", r"A row is already labelled 'All', which reads as a total"),
    (["T1", "total "], "index", r"A row is already labelled 'total ', which reads as a total"),
    (["a", "Overall"], "columns", r"A column is already labelled 'Overall', which reads as a total"),
    (["a", "TOTALS"], "columns", r"A column is already labelled 'TOTALS', which reads as a total"),
])
def test_suppress_refuses_data_with_labelled_totals(labels, axis, message):
    data = pd.DataFrame([[10, 20], [30, 50]])
    setattr(data, axis, labels)
    with pytest.raises(ValueError, match=message + r".*Fix: pass the counts without totals"):
        suppress(data)


def test_suppress_refuses_a_margin_row_of_several_levels():
    data = pd.DataFrame({"x": [3, 9, 12], "y": [10, 5, 15]},
                        index=pd.MultiIndex.from_tuples([("A", "F"), ("A", "M"), ("All", "")]))
    with pytest.raises(ValueError, match=r"A row is already labelled \('All', ''\), which reads as a total"):
        suppress(data)


def test_suppress_refuses_an_unlabelled_total():
    data = pd.DataFrame({"a": [3, 12, 15], "b": [20, 5, 25], "c": [9, 9, 18]}, index=["x", "y", "sum"])
    with pytest.raises(ValueError, match=r"Row 'sum' equals the sum of the other rows in every column: it "
                                         r"looks like a total, and an intruder would read it as one\. Fix: "
                                         r"drop it"):
        suppress(data)
    with pytest.raises(ValueError, match=r"Column 'c' equals the sum of the other columns in every row"):
        suppress(pd.DataFrame({"a": [3, 12, 20], "b": [20, 5, 4], "c": [23, 17, 24]}))


def test_suppress_accepts_several_levels_of_row_labels():
    data = pd.DataFrame({"x": [3, 19, 24, 30], "y": [10, 5, 15, 20]},
                        index=pd.MultiIndex.from_product([["A", "B"], ["F", "M"]], names=["trust", "sex"]))
    result = suppress(data, rounding=1)
    assert result.table.index[-1] == ("Total", "")
    assert result.table.index.names == ["trust", "sex"]
    assert result.table.loc[("A", "F"), "x"] == "*"
    assert result.audit["row"].tolist()[0] == ("A", "F")
    assert check_safe(result).safe and check_safe(result.table, rounding=1).safe


# --- counts too large to hold exactly -----------------------------------------------------------------------

BIG = [
    pytest.param(pd.Series([3, 2**53 + 1], dtype="int64"), id="int64 above 2**53 (a float would round it)"),
    pytest.param(pd.Series([3, 2**63 - 1], dtype="int64"), id="int64 max"),
    pytest.param(pd.Series(np.array([3, 2**64 - 1], dtype=np.uint64)), id="uint64 beyond int64"),
    pytest.param(pd.Series([3, 10**20], dtype=object), id="Python int beyond int64"),
    pytest.param(pd.Series([3.0, 1e20]), id="float 1e20"),
]


@pytest.mark.parametrize("values", BIG)
def test_round_counts_refuses_counts_above_2_53(values):
    series = values.set_axis(["T1", "T2"]).rename("n")
    with pytest.raises(ValueError, match=r"Column 'n' has counts above 2\*\*53 \(9,007,199,254,740,992\) at "
                                         r"row 'T2'.*Fix: check the column is a count"):
        round_counts(series)
    with pytest.raises(ValueError, match=r"Column 'values' has counts above 2\*\*53 .* at row 1"):
        round_counts(values.tolist() if values.dtype == object else values.to_numpy())


@pytest.mark.parametrize("values", BIG)
def test_suppress_refuses_counts_above_2_53(values):
    data = pd.DataFrame({"a": values.to_numpy(), "b": [10, 20]}, index=["T1", "T2"])
    with pytest.raises(ValueError, match=r"Column 'a' has counts above 2\*\*53 .* at row 'T2'"):
        suppress(data)


@pytest.mark.parametrize("values", [pd.Series([1 + 2j, 3]), pd.Series([1 + 2j, 3], dtype=object)],
                         ids=["complex128", "object"])
def test_complex_counts_are_refused_not_cut_to_their_real_part(values):
    with pytest.raises(TypeError, match=r"Column 'a' holds complex numbers \(\(1\+2j\)\) at row 'T1'"):
        suppress(pd.DataFrame({"a": values.to_numpy(), "b": [10, 20]}, index=["T1", "T2"]))
    with pytest.raises(TypeError, match=r"Column 'values' holds complex numbers"):
        round_counts(values.to_numpy())


def test_totals_above_2_53_are_refused_before_they_are_added():
    half = 2**52 + 1  # each count is fine, but two of them pass 2**53 (and int64 would not warn)
    with pytest.raises(ValueError, match=r"Column 'a' adds up to 9\.007e\+15, above 2\*\*53"):
        suppress(pd.DataFrame({"a": [half, half], "b": [10, 20]}, index=["T1", "T2"]))
    with pytest.raises(ValueError, match=r"Row 'T1' adds up to 9\.007e\+15, above 2\*\*53"):
        suppress(pd.DataFrame({"a": [half, 3], "b": [half, 20]}, index=["T1", "T2"]))
    quarter = 2**51 + 1
    with pytest.raises(ValueError, match=r"The table adds up to 9\.007e\+15"):
        suppress(pd.DataFrame({"a": [quarter, quarter], "b": [quarter, quarter]}, index=["T1", "T2"]))


def test_counts_up_to_2_53_are_exact():
    assert round_counts(pd.Series([2**53, 2**53 - 3]), 5).tolist() == [9007199254740990, 9007199254740990]
    assert round_counts(np.array([2**53 - 2], dtype=np.int64), 10).tolist() == [9007199254740990]


def test_check_safe_refuses_a_published_number_above_2_53():
    table = pd.DataFrame([["*", str(10**17)], ["5", "10"]], index=["x", "y"], columns=["a", "b"])
    with pytest.raises(ValueError, match=r"Published cells must be '\*' or a whole number of at most 2\*\*53 "
                                         r"\(9,007,199,254,740,992\); found row 'x', column 'b'"):
        check_safe(table)


@pytest.mark.parametrize("row_totals", [True, False])
def test_large_counts_are_protected_exactly(row_totals, monkeypatch):
    """Counts of 10**9 pass scipy's int32 maximum flows: capacities are capped at 2**29, bounds below the cap
    stay exact, a bound that reaches it is solved by linear programming (without row totals, the rows' sums
    are free arcs carrying billions), and a first table that fits is found by linear programming."""
    base = 10**9
    counts = pd.DataFrame({"a": [3, base, base + 7], "b": [base + 2, 5, base], "c": [40, 60, base]},
                          index=["x", "y", "z"])
    result = suppress(counts, rounding=1, row_totals=row_totals)
    check = check_safe(result)
    assert check.safe
    shifted = counts - np.where(counts >= base, base - 1000, 0)  # the same table with small numbers
    small = suppress(shifted, rounding=1, row_totals=row_totals)
    assert (result.table == "*").equals(small.table == "*")
    truth = result.unrounded
    for row in result.audit.itertuples(index=False):
        assert row.lowest <= truth.loc[row.row, row.column] <= row.highest
        assert row.protected
    assert check.audit[["lowest", "highest"]].equals(result.audit[["lowest", "highest"]])
    monkeypatch.setattr(disclosure, "_FLOW_LIMIT", 1)  # every bound of a unit or more by linear programming
    by_lp = suppress(counts, rounding=1, row_totals=row_totals)
    pd.testing.assert_frame_equal(by_lp.audit, result.audit)
    pd.testing.assert_frame_equal(check_safe(result).audit, check.audit)


# --- the network attack against linear programming ----------------------------------------------------------

def cells(min_side=1, max_side=5):
    value = st.one_of(st.integers(0, 3), st.integers(1, 12), st.integers(8, 60), st.integers(50, 400))
    return st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side)).flatmap(
        lambda s: st.tuples(
            st.lists(st.lists(value, min_size=s[1], max_size=s[1]), min_size=s[0], max_size=s[0]),
            st.lists(st.lists(st.booleans(), min_size=s[1] + 1, max_size=s[1] + 1), min_size=s[0] + 1,
                     max_size=s[0] + 1)))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=cells(), rounding=st.sampled_from([1, 5, 10]), threshold=st.sampled_from([0, 5, 7]),
       row_lines=st.booleans(), column_lines=st.booleans(), limit=st.sampled_from([1, 30]))
def test_maximum_flows_give_the_bounds_linear_programming_gives(table, rounding, threshold, row_lines,
                                                                 column_lines, limit):
    """Any pattern of hidden cells (not only suppress's): the bounds from two maximum flows per cell equal
    the bounds from two linear programmes per cell (the library's fallback for a bound the capped flows
    cannot give). With the cap at 1 every bound of a unit or more goes to linear programming; at 30 some
    do."""
    assume(threshold == 0 or threshold >= (rounding + 1) // 2 - 1)
    values, hide = table
    counts = np.array(values)
    full = counts
    if row_lines:
        full = np.column_stack([full, full.sum(axis=1)])
    if column_lines:
        full = np.vstack([full, full.sum(axis=0)])
    hidden = np.array(hide)[:full.shape[0], :full.shape[1]]
    rules = dict(threshold=threshold, rounding=rounding, suppress_zeros=False, min_values=2,
                 row_lines=row_lines, column_lines=column_lines)
    shown_small = (full >= 1) & (full <= threshold)
    hidden = hidden | shown_small  # the rule never shows them
    if (hidden & (full == 0)).any():  # a hidden zero: the intruder's floor of 1 would not fit (check_safe)
        rules["floor"] = 0
    numbers = np.where(hidden, np.nan, disclosure._round(full, rounding)).astype(float)
    by_flow = disclosure._grid_attack(numbers, hidden, rules)
    cap = disclosure._FLOW_LIMIT
    try:
        disclosure._FLOW_LIMIT = limit
        by_lp = disclosure._grid_attack(numbers, hidden, rules)
    finally:
        disclosure._FLOW_LIMIT = cap
    assert by_flow is not None and by_lp is not None  # the truth fits
    for a, b in zip(by_flow, by_lp, strict=True):
        np.testing.assert_array_equal(a, b)
    lowest, highest = by_flow[0][hidden], by_flow[1][hidden]
    assert (lowest <= full[hidden]).all() and (full[hidden] <= highest).all()
