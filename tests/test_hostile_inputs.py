"""Issue 12: hostile inputs outside spc and disclosure get a clear error or a right answer, never a silent
wrong number or pandas internals.

Covers summary_measures' bounds and scale, isr's and dsr's list forms against their column forms,
excess_cases' and plot_pareto's arguments, counts beyond 2**53, complex numbers and true/false among
numbers, MultiIndex and repeated column names, missing group labels, all-missing means and plot_funnel's
input.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import equity_lib as el
from equity_lib import quality
from equity_lib._validation import MAX_COUNT, count_column, numeric_column
from equity_lib.datasets import Column, Shape, conform
from equity_lib.disclosure import check_safe, suppress
from equity_lib.focus import excess_cases, pareto
from equity_lib.focus.plot import plot_pareto


def _quintiles(**extra):
    frame = pd.DataFrame({"quintile": [1, 2, 3, 4, 5], "pop": [120, 110, 105, 100, 95],
                          "pct": [24.0, 19.5, 15.2, 12.1, 9.8]})
    return frame.assign(**extra)


def _measure(table, name, column="value"):
    return float(table.loc[table["measure"] == name, column].iloc[0])


# --------------------------------------------------------------------------------------------------
# summary_measures: bounds and scale
# --------------------------------------------------------------------------------------------------

def test_values_outside_bounds_are_refused_naming_the_rows():
    with pytest.raises(ValueError, match=r"Column 'pct' has values outside the bounds \(0.0, 10.0\) at rows "
                                         r"0, 1, 2 and 3\. Fix: .*Wagstaff index changes sign"):
        el.summary_measures(_quintiles(), "quintile", "pct", "pop", order="quintile", favourable=False,
                            bounds=(0, 10))


@pytest.mark.parametrize("bounds", [(0, np.inf), (-np.inf, 100), (0, np.nan), (np.nan, 1)])
def test_bounds_must_be_finite(bounds):
    with pytest.raises(ValueError, match="bounds must be finite.*Fix: give the indicator's possible range"):
        el.summary_measures(_quintiles(), "quintile", "pct", "pop", order="quintile", favourable=False,
                            bounds=bounds)


@pytest.mark.parametrize("bounds", [(False, True), ("0", "100"), (0, 1j), (0,), 100])
def test_bounds_must_be_two_real_numbers(bounds):
    with pytest.raises(TypeError, match="bounds must be two numbers"):
        el.summary_measures(_quintiles(), "quintile", "pct", "pop", order="quintile", favourable=False,
                            bounds=bounds)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(0.5, 99.5), min_size=3, max_size=8),
       lower=st.floats(-50, 60), width=st.floats(1, 200))
def test_wagstaff_never_reverses_the_concentration_index(values, lower, width):
    """Inside the bounds the Wagstaff factor (b - a) / ((mu - a)(b - mu)) is positive, so the normalised
    index has the sign of the ACI; any value outside the bounds is refused rather than flipped."""
    upper = lower + width
    frame = pd.DataFrame({"g": range(1, len(values) + 1), "pop": 100.0, "y": values})
    call = dict(group="g", value="y", population="pop", order="g", favourable=True, bounds=(lower, upper))
    if min(values) < lower or max(values) > upper:
        with pytest.raises(ValueError, match="outside the bounds"):
            el.summary_measures(frame, **call)
        return
    out = el.summary_measures(frame, **call)
    aci, wagstaff = _measure(out, "ACI"), _measure(out, "RCI_wagstaff")
    mu = float(np.mean(values))
    if lower < mu < upper and abs(aci) > 1e-9:
        assert np.sign(wagstaff) == np.sign(aci)


@pytest.mark.parametrize("scale", [0, -100, -1.0])
def test_scale_must_be_positive(scale):
    with pytest.raises(ValueError, match="scale must be greater than 0.*PAR and PAF limits would be missing"):
        el.summary_measures(_quintiles(se=1.0), "quintile", "pct", "pop", se="se", favourable=False,
                            scale=scale)


def test_a_scale_column_must_be_positive():
    with pytest.raises(ValueError, match=r"Column 'sc' \(scale\) is zero or negative at rows 0, 1, 2, 3 and "
                                         r"4\. Fix: give the indicator's scale"):
        el.summary_measures(_quintiles(se=1.0, sc=0.0), "quintile", "pct", "pop", se="se",
                            favourable=False, scale="sc")


def test_a_positive_scale_gives_par_limits():
    out = el.summary_measures(_quintiles(se=1.0), "quintile", "pct", "pop", se="se", favourable=True,
                              scale=100)
    assert np.isfinite(_measure(out, "PAR", "lower_95"))
    assert np.isfinite(_measure(out, "PAF", "upper_95"))


def test_missing_by_label_is_an_error_not_a_singular_matrix():
    frame = _quintiles(area=["a", "a", None, "a", "a"])
    with pytest.raises(ValueError, match=r"Column 'area' \(by: .*\) has a missing label at row 2\. Fix: give "
                                         r"every row its label in 'area', or drop those rows"):
        el.summary_measures(frame, "quintile", "pct", "pop", order="quintile", by="area", favourable=False)


def test_a_group_of_one_subgroup_does_not_stop_the_others():
    frame = pd.concat([_quintiles(area="a"), _quintiles(area="b").head(1)], ignore_index=True)
    out = el.summary_measures(frame, "quintile", "pct", "pop", order="quintile", by="area", favourable=False)
    a, b = out[out["area"] == "a"], out[out["area"] == "b"]
    assert np.isfinite(_measure(a, "SII"))
    assert np.isnan(_measure(b, "SII"))
    assert "needs more than two subgroups" in b.loc[b["measure"] == "SII", "interpretation"].iloc[0]


# --------------------------------------------------------------------------------------------------
# isr and dsr: a list is checked as its column is
# --------------------------------------------------------------------------------------------------

def _bands(groups=("A",), bands=3):
    rows = [(g, i, 2 + i, 100 + 10 * i) for g in groups for i in range(bands)]
    return pd.DataFrame(rows, columns=["g", "band", "x", "n"])


@pytest.mark.parametrize("which", ["reference_numerator", "reference_denominator"])
@pytest.mark.parametrize("form", ["list", "column"])
def test_isr_infinite_reference_is_an_error_in_both_forms(which, form):
    data = _bands()
    reference = {"reference_numerator": [10.0, 20.0, 30.0], "reference_denominator": [1000.0, 1000.0, 1000.0]}
    reference[which][1] = np.inf
    if form == "column":
        data = data.assign(rx=reference["reference_numerator"], rn=reference["reference_denominator"])
        reference = {"reference_numerator": "rx", "reference_denominator": "rn"}
    with pytest.raises(ValueError, match="infinite value.*Fix: correct"):
        el.isr(data, "x", "n", **reference)


@pytest.mark.parametrize("entry", [True, "12", 1 + 2j, object()])
def test_isr_reference_list_entries_must_be_real_numbers(entry):
    with pytest.raises(TypeError, match=r"reference_numerator holds .* at position 0, which is not a real "
                                        r"number\. Fix"):
        el.isr(_bands(), "x", "n", reference_numerator=[entry, 2.0, 3.0],
               reference_denominator=[100.0, 100.0, 100.0])


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.one_of(st.none(), st.just(0.0), st.floats(0.001, 1e4)), min_size=3, max_size=3),
       pops=st.lists(st.floats(1, 1e6), min_size=3, max_size=3))
def test_isr_list_and_column_forms_agree(counts, pops):
    """A missing reference count is 0 in both forms; the two forms give identical output."""
    data = _bands(groups=("A", "B"))
    if sum(c or 0 for c in counts) == 0:
        counts = [1.0, *counts[1:]]
    as_list = el.isr(data, "x", "n", by="g", reference_numerator=counts, reference_denominator=pops)
    columns = data.assign(rx=[np.nan if c is None else c for c in counts] * 2, rn=pops * 2)
    as_column = el.isr(columns, "x", "n", by="g", reference_numerator="rx", reference_denominator="rn")
    pd.testing.assert_frame_equal(as_list, as_column)


def test_isr_missing_by_label_names_the_column_and_row():
    data = _bands(groups=("A", "B"))
    data.loc[4, "g"] = None
    with pytest.raises(ValueError, match=r"Column 'g' \(by: the groups standardised\) has a missing label at "
                                         r"row 4"):
        el.isr(data, "x", "n", by="g", reference_numerator=[1, 2, 3], reference_denominator=[10, 10, 10])


def _esp_rows(areas=("a", "b")):
    bands = list(el.ESP2013["age_band"])
    return pd.DataFrame({"area": np.repeat(areas, len(bands)), "band": bands * len(areas),
                         "x": 12, "n": 1000})


@pytest.mark.parametrize("age_band", [None, "band"])
def test_dsr_missing_by_label_is_blamed_not_an_age_band(age_band):
    data = _esp_rows()
    data.loc[5, "area"] = None
    with pytest.raises(ValueError, match=r"Column 'area' \(by: .*\) has a missing label at row 5") as err:
        el.dsr(data, "x", "n", by="area", age_band=age_band)
    assert "age band" not in str(err.value)


def test_dsr_standard_list_is_checked_as_its_dataframe_form():
    weights = list(el.ESP2013["weight"])
    weights[3] = np.inf
    with pytest.raises(ValueError, match="standard has an infinite value at position 3"):
        el.dsr(_esp_rows(), "x", "n", by="area", standard=weights)
    frame = el.ESP2013.assign(weight=weights)
    with pytest.raises(ValueError, match="infinite"):
        el.dsr(_esp_rows(), "x", "n", by="area", standard=frame)
    same = el.dsr(_esp_rows(), "x", "n", by="area", standard=list(el.ESP2013["weight"]))
    pd.testing.assert_frame_equal(same, el.dsr(_esp_rows(), "x", "n", by="area"))


# --------------------------------------------------------------------------------------------------
# excess_cases and plot_pareto
# --------------------------------------------------------------------------------------------------

def _cells():
    return pd.DataFrame({"trust": ["A", "A", "B", "B"], "q": [1, 5, 1, 5], "x": [10, 5, 20, 2],
                         "n": [100, 100, 100, 100]})


@pytest.mark.parametrize("flag", ["no", "False", 0, 1, None, np.int64(1)])
def test_pooled_reference_must_be_true_or_false(flag):
    with pytest.raises(TypeError, match="pooled_reference must be True or False"):
        excess_cases(_cells(), "x", "n", "q", by="trust", pooled_reference=flag)


def test_pooled_reference_false_keeps_each_series_reference():
    apart = excess_cases(_cells(), "x", "n", "q", by="trust", pooled_reference=np.bool_(False))
    assert apart["reference_rate"].tolist() == [0.05, 0.05, 0.02, 0.02]


@pytest.mark.parametrize("rate, multiplier", [(2, 1), (1.01, 1), (150, 100)])
def test_reference_rate_above_a_proportion_of_one_is_refused(rate, multiplier):
    with pytest.raises(ValueError, match="above 1: every group would be expected to have more events than "
                                         "people at risk. Fix: give the rate on the multiplier's scale"):
        excess_cases(_cells(), "x", "n", "q", reference_rate=rate, multiplier=multiplier)


@settings(max_examples=50, deadline=None)
@given(rate=st.floats(0, 1), multiplier=st.sampled_from([1, 100, 1000]),
       people=st.lists(st.integers(1, 10_000), min_size=2, max_size=6))
def test_expected_events_never_exceed_the_people_at_risk(rate, multiplier, people):
    data = pd.DataFrame({"g": range(len(people)), "n": people, "x": [p // 3 for p in people]})
    out = excess_cases(data, "x", "n", "g", reference_rate=rate * multiplier, multiplier=multiplier)
    assert (out["expected"] <= out["denominator"] * (1 + 1e-12)).all()


def test_a_true_reference_does_not_match_group_1():
    with pytest.raises(TypeError, match=r"reference=True is true/false, but column 'q' does not hold "
                                        r"true/false values"):
        excess_cases(_cells().assign(q=[0, 1, 0, 1]), "x", "n", "q", reference=True)


def test_excess_cases_missing_group_label_names_the_row():
    data = _cells().astype({"q": object})
    data.loc[2, "q"] = None
    with pytest.raises(ValueError, match=r"Column 'q' \(group\) has a missing label at row 2"):
        excess_cases(data, "x", "n", "q")


def _pareto_table():
    cells = pd.DataFrame({"trust": ["A", "A", "B", "B", "C"], "q": [1, 5, 1, 5, 1],
                          "excess": [30.0, 5.0, 65.0, 2.0, 9.0]})
    return pareto(cells, "excess", ["trust", "q"])


@pytest.mark.parametrize("top", [-1, 0, True, 2.5, "3"])
def test_plot_pareto_refuses_a_top_that_is_not_a_positive_whole_number(top):
    with pytest.raises(ValueError, match="top must be a whole number of cells of at least 1"):
        plot_pareto(_pareto_table(), top=top)


@pytest.mark.parametrize("top, bars", [(1, 1), (3, 3), (None, 5), (50, 5)])
def test_plot_pareto_draws_top_bars(top, bars):
    fig = plot_pareto(_pareto_table(), top=top)
    assert len(fig.axes[0].patches) == bars
    plt.close(fig)


@pytest.mark.parametrize("cutoff", [True, 0, 1.2, "0.8"])
def test_plot_pareto_refuses_a_cutoff_that_is_not_a_share(cutoff):
    with pytest.raises(ValueError, match="cutoff must be a share"):
        plot_pareto(_pareto_table(), cutoff=cutoff)


def test_plot_pareto_of_no_positive_cell_says_so():
    table = _pareto_table()
    with pytest.raises(ValueError, match="no cell with a value above 0"):
        plot_pareto(table[table["value"] < 0])


def test_pareto_missing_label_names_the_column_and_row():
    cells = pd.DataFrame({"trust": ["A", None, "B"], "q": [1, 5, 1], "excess": [3.0, 2.0, 1.0]})
    with pytest.raises(ValueError, match=r"Column 'trust' \(by: the cells\) has a missing label at row 1"):
        pareto(cells, "excess", ["trust", "q"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["RA1", "RB2", "Z 9"]), st.integers(1, 5),
                          st.floats(-5, 100, allow_nan=False)),
                min_size=1, max_size=12, unique_by=lambda t: t[:2]))
def test_pareto_labels_are_the_cells_values_joined(rows):
    cells = pd.DataFrame(rows, columns=["trust", "q", "excess"])
    cells.loc[0, "excess"] = 1.0  # at least one positive cell
    out = pareto(cells, "excess", ["trust", "q"])
    expected = out[["trust", "q"]].astype(str).agg(" · ".join, axis=1)
    assert out["label"].tolist() == expected.tolist()


# --------------------------------------------------------------------------------------------------
# Counts beyond 2**53, complex numbers, true/false among numbers
# --------------------------------------------------------------------------------------------------

def test_count_column_refuses_counts_beyond_2_to_the_53():
    frame = pd.DataFrame({"k": [5, 2**64, MAX_COUNT + 2]}, dtype=object)
    with pytest.raises(ValueError, match=r"Column 'k' has counts above 2\*\*53 .* at rows 1 and 2\. "
                                         r"Fix: check the column is a count"):
        count_column(frame, "k")
    assert count_column(pd.DataFrame({"k": [MAX_COUNT, 0]}), "k").tolist() == [MAX_COUNT, 0]


def test_completeness_refuses_huge_counts_and_totals():
    records = pd.DataFrame({"eth": ["A", "B"], "k": [2**64, 5]}, dtype=object)
    with pytest.raises(ValueError, match=r"Column 'k' has counts above 2\*\*53.* at row 0"):
        quality.completeness(records, "eth", count="k")
    each_fits = pd.DataFrame({"org": ["X", "X", "Y"], "eth": ["A", "B", "A"],
                              "k": [2**52, 2**52 + 2, 3]})
    with pytest.raises(ValueError, match=r"Column 'k' adds up to 9\.01e\+15 for org='X', above 2\*\*53"):
        quality.completeness(each_fits, "eth", by="org", count="k")


def test_completeness_counts_stay_exact_up_to_the_limit():
    records = pd.DataFrame({"eth": ["A", "Z", "99"], "k": [2**52, 2**51, 2**51 - 1]})
    out = quality.completeness(records, "eth", count="k")
    assert out[["valid", "not_stated", "not_known"]].iloc[0].tolist() == [2**52, 2**51, 2**51 - 1]
    assert int(out["records"].iloc[0]) == 2**53 - 1


@pytest.mark.parametrize("missing", [False, True])
def test_conform_refuses_integers_beyond_2_to_the_53(missing):
    shape = Shape([Column("site", "code"), Column("count", "integer", missing=missing)])
    extract = pd.DataFrame({"site": ["a", "b", "c"], "count": [3, 1e20, -1e19]})
    with pytest.raises(ValueError, match=r"Column 'count' has values above 2\*\*53 .* at rows 1 and 2"):
        conform(extract, shape)


def test_excess_cases_refuses_people_at_risk_adding_up_beyond_2_to_the_53():
    data = pd.DataFrame({"g": [1, 2, 3], "x": [1, 1, 1], "n": [2**52, 2**52, 2**52]})
    with pytest.raises(ValueError, match=r"Column 'n' adds up to .* above 2\*\*53"):
        excess_cases(data, "x", "n", "g")


COMPLEX_COLUMNS = [pd.Series([1 + 2j, 2.0]), pd.Series([1 + 2j, 2.0], dtype=object),
                   pd.Series([1 + 0j, 2 + 0j])]


@pytest.mark.parametrize("column", COMPLEX_COLUMNS, ids=["complex128", "object", "zero-imaginary"])
def test_numeric_column_refuses_complex_numbers(column):
    with pytest.raises(TypeError, match=r"Column 'v' holds complex numbers .* at row(s)? 0.*Fix: .*np\.real"):
        numeric_column(pd.DataFrame({"v": column}), "v")


@pytest.mark.parametrize("call", [
    lambda d: el.proportion(d, "v", "n"),
    lambda d: el.rate(d, "v", "n"),
    lambda d: el.mean(d, "v"),
    lambda d: el.funnel_chart(d, "v", "n"),
    lambda d: excess_cases(d.assign(g=[1, 2]), "v", "n", "g"),
    lambda d: quality.completeness(d.assign(e=["A", "B"]), "e", count="v"),
    lambda d: conform(d, Shape([Column("v", "number")])),
    lambda d: el.concentration_index(d.assign(o=[1, 2]), "v", "n", "o"),
], ids=["proportion", "rate", "mean", "funnel_chart", "excess_cases", "completeness", "conform",
        "concentration_index"])
def test_public_functions_refuse_complex_values(call):
    data = pd.DataFrame({"v": [1 + 2j, 2 + 0j], "n": [10, 10]})
    with pytest.raises(TypeError, match="Column 'v' holds complex numbers"):
        call(data)


def test_true_among_numbers_is_not_read_as_1():
    data = pd.DataFrame({"x": pd.Series([3, True, 2.5], dtype=object), "n": [10, 10, 10]})
    with pytest.raises(TypeError, match=r"Column 'x' mixes true/false values with numbers at row 1"):
        el.proportion(data, "x", "n")
    numbers_as_text = pd.DataFrame({"x": pd.Series(["3", 2, None], dtype=object), "n": [10, 10, 10]})
    assert el.proportion(numbers_as_text, "x", "n")["value"].tolist()[:2] == [0.3, 0.2]


# --------------------------------------------------------------------------------------------------
# MultiIndex and repeated column names
# --------------------------------------------------------------------------------------------------

def _multi():
    frame = pd.DataFrame({"x": [1, 2, 3, 4, 5], "n": [10] * 5, "g": [1, 2, 3, 4, 5],
                          "t": pd.date_range("2024-01-01", periods=5, freq="MS")})
    frame.columns = pd.MultiIndex.from_product([["a"], frame.columns])
    return frame


MULTI_CALLS = {
    "spc": lambda d: el.spc(d, "x", "t"),
    "proportion": lambda d: el.proportion(d, "x", "n"),
    "rate": lambda d: el.rate(d, "x", "n"),
    "mean": lambda d: el.mean(d, "x"),
    "dsr": lambda d: el.dsr(d, "x", "n"),
    "isr": lambda d: el.isr(d, "x", "n", reference_numerator=[1] * 5, reference_denominator=[9] * 5),
    "funnel_chart": lambda d: el.funnel_chart(d, "x", "n"),
    "funnel_limits": lambda d: el.funnel_limits(d, "x", "n"),
    "funnel_significance": lambda d: el.funnel_significance(d, "x", "n"),
    "assign_quantiles": lambda d: el.assign_quantiles(d, "x", 2),
    "sii": lambda d: el.sii(d, "g", "n", "x", limits=None),
    "sii_points": lambda d: el.sii_points(d, "g", "n", "x"),
    "concentration_index": lambda d: el.concentration_index(d, "x", "n", "g"),
    "summary_measures": lambda d: el.summary_measures(d, "g", "x", "n", favourable=True),
    "excess_cases": lambda d: excess_cases(d, "x", "n", "g"),
    "pareto": lambda d: pareto(d, "x", "g"),
    "group_gap": lambda d: el.group_gap(d, time="t", group="g", value="x", focus=1, reference=2),
    "gap_spc": lambda d: el.gap_spc(d, time="t", group="g", value="x", focus=1, reference=2),
    "completeness": lambda d: quality.completeness(d, "g"),
    "map_ethnicity": lambda d: quality.map_ethnicity(d, "g", {1: "A"}),
    "gap_sensitivity": lambda d: quality.gap_sensitivity(d, "g", "x", focus=1, reference=2),
    "conform": lambda d: conform(d, Shape([Column("x", "integer")])),
    "suppress": lambda d: suppress(d),
    "check_safe": lambda d: check_safe(d),
}


@pytest.mark.parametrize("name", list(MULTI_CALLS))
def test_multiindex_columns_get_a_clear_error_and_the_fix(name):
    with pytest.raises(TypeError, match=r"data has 2 levels of column names \(a MultiIndex.*Fix: join the "
                                        r"levels, data\.columns = \['_'\.join\(map\(str, c\)\) for c in "
                                        r"data\.columns\].*droplevel"):
        MULTI_CALLS[name](_multi())


def test_the_suggested_fix_works():
    data = _multi()
    data.columns = data.columns.droplevel(0)
    assert el.proportion(data, "x", "n")["value"].tolist() == [0.1, 0.2, 0.3, 0.4, 0.5]


@pytest.mark.parametrize("call", [lambda d: el.proportion(d, "x", "n"),
                                  lambda d: el.funnel_chart(d, "x", "n"),
                                  lambda d: excess_cases(d, "x", "n", "g")])
def test_a_name_shared_by_two_columns_is_refused(call):
    data = pd.DataFrame([[1, 10, 2, 1], [2, 10, 3, 2], [3, 10, 1, 3]], columns=["x", "n", "x", "g"])
    with pytest.raises(ValueError, match=r"data has 2 columns named 'x', so it is not clear which to use\. "
                                         r"Fix: rename or drop the others"):
        call(data)


# --------------------------------------------------------------------------------------------------
# Missing labels in the other groupers; all-missing means; plot_funnel's input
# --------------------------------------------------------------------------------------------------

def test_assign_quantiles_missing_by_label_is_refused():
    data = pd.DataFrame({"region": ["N", "N", None, "S"], "score": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match=r"Column 'region' \(by: .*\) has a missing label at row 2"):
        el.assign_quantiles(data, "score", 2, by="region")


@pytest.mark.parametrize("values", [[np.nan, np.nan], [None, None], pd.array([None, None], dtype="Float64")])
def test_mean_of_all_missing_values_is_missing(values):
    out = el.mean(pd.DataFrame({"v": values}), "v")
    assert out["value_count"].tolist() == [0]
    assert out[["value_sum", "value", "stdev", "lower_95", "upper_95"]].isna().all(axis=None)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.one_of(st.none(), st.floats(-1e3, 1e3))),
                min_size=1, max_size=20))
def test_mean_by_group_matches_the_non_missing_values(rows):
    data = pd.DataFrame(rows, columns=["g", "v"]).astype({"v": float})
    out = el.mean(data, "v", by="g").set_index("g")
    for group, part in data.groupby("g"):
        present = part["v"].dropna()
        assert out.loc[group, "value_count"] == len(present)
        if len(present):
            assert out.loc[group, "value"] == pytest.approx(present.mean(), rel=1e-9, abs=1e-9)
        else:
            assert np.isnan(out.loc[group, "value"]) and np.isnan(out.loc[group, "value_sum"])


@pytest.mark.parametrize("given_instead", [pd.DataFrame({"x": [1]}), None, {"table": 1}])
def test_plot_funnel_says_to_pass_funnel_charts_result(given_instead):
    with pytest.raises(TypeError, match=r"plot_funnel draws the result of funnel_chart\(\).*Fix: result = "
                                        r"funnel_chart\("):
        el.plot_funnel(given_instead)


def test_plot_funnel_log_x_must_be_true_or_false():
    result = el.funnel_chart(pd.DataFrame({"x": [5, 8, 12, 3], "n": [100, 120, 150, 90]}), "x", "n")
    with pytest.raises(TypeError, match="log_x must be True or False"):
        el.plot_funnel(result, log_x="no")


def test_plot_gap_names_an_unknown_label_column():
    table = pd.DataFrame({"area": ["A", "B"], "sii": [1.0, 2.0], "sii_lower_95": [0.5, 1.5],
                          "sii_upper_95": [1.5, 2.5]})
    with pytest.raises(KeyError, match=r"label names column\(s\) \['trust'\] that the table does not have\. "
                                       r"Fix: pass one of"):
        el.plot_gap(table, label="trust")


def test_pareto_with_no_positive_cell_says_what_to_pass():
    cells = pd.DataFrame({"trust": ["A", "B"], "excess": [-3.0, 0.0]})
    with pytest.raises(ValueError, match=r"nothing to rank\. Fix: pass the cells' contributions"):
        pareto(cells, "excess", "trust")


@pytest.mark.parametrize("by", [pd.Index(["area"]), 3, ["area", 3]])
def test_by_of_the_wrong_type_says_the_fix(by):
    with pytest.raises(TypeError, match=r"by must be a column name or a list of column names.*Fix: e\.g\. "
                                        r"by='area'"):
        el.proportion(pd.DataFrame({"area": ["a"], "x": [1], "n": [2]}), "x", "n", by=by)


_COLUMN_ARGUMENTS = [
    ("proportion", {"numerator": "a", "denominator": "b"}, "numerator"),
    ("concentration_index", {"value": "a", "population": "b", "order": "c"}, "population"),
    ("summary_measures", {"group": "g", "value": "a", "population": "b", "favourable": True}, "value"),
    ("assign_quantiles", {"value": "a"}, "value"),
    ("sii", {"group": "g", "denominator": "b", "value": "a"}, "denominator"),
    ("excess_cases", {"numerator": "a", "denominator": "b", "group": "g"}, "group"),
    ("pareto", {"value": "a", "by": "g"}, "value"),
    ("risk_ratio", {"numerator": "a", "denominator": "b", "group": "g", "focus": 1, "reference": 2},
     "numerator"),
    ("representation", {"numerator": "a", "denominator": "b", "group": "g"}, "denominator"),
    ("coder_agreement", {"first": "a", "second": "b"}, "second"),
    ("compare_estimates", {"value": "a", "lower": "b", "upper": "c", "group": "g"}, "lower"),
]


@pytest.mark.parametrize(("function", "arguments", "wrong"), _COLUMN_ARGUMENTS)
def test_a_column_argument_that_is_not_text_names_the_argument_and_the_fix(function, arguments, wrong):
    # One check (equity_lib._validation.column_names) for every function: the same message and fix.
    data = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": [1, 2], "g": [1, 2]})
    with pytest.raises(TypeError, match=rf"^{wrong} must be a column name \(text\), not 5\. Fix: pass "
                                        rf"{wrong}='<"):
        getattr(el, function)(data, **{**arguments, wrong: 5})
