"""readable(): plain-English headers for display, values untouched, no snake_case left in a header."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equity_lib import proportion, readable, sii, spc
from equity_lib.datasets import load
from equity_lib.readable import label


def _no_code_left(headers):
    """No header reads as code: no underscores, starts with a capital or a symbol."""
    return [h for h in headers if "_" in str(h) or re.match(r"[a-z]", str(h)) and str(h) not in {"z"}]


def test_spc_summary_and_table_headers_are_words():
    rtt = load("rtt_monthly")
    result = spc(rtt, value="pct_within_18_weeks", time="month", by="trust_name", target=92)
    for table in (result.summary(), result.table):
        shown = readable(table)
        assert _no_code_left(shown.columns) == []
        assert list(shown.columns[:1]) == ["Trust"]
    shown = readable(result.summary())
    assert {"Mean", "Lower limit", "Upper limit", "Variation", "Assurance"} <= set(shown.columns)


def test_values_unchanged_and_input_not_modified():
    rtt = load("rtt_monthly")
    before = rtt.copy()
    shown = readable(rtt)
    pd.testing.assert_frame_equal(rtt, before)
    np.testing.assert_array_equal(shown.to_numpy(), rtt.to_numpy())
    assert len(shown.columns) == len(rtt.columns)


def test_confidence_levels_are_written_as_percentages():
    assert label("lower_95") == "Lower limit (95%)"
    assert label("upper_99_8") == "Upper limit (99.8%)"
    assert label("sii_lower_95") == "SII lower limit (95%)"
    assert label("rii_upper_99_8") == "RII upper limit (99.8%)"
    assert label("focus_pct") == "Focus (%)"
    assert label("p chart") == "p chart"  # already words: kept as written


def test_every_column_of_the_main_outputs_gets_a_word_header():
    rtt = load("rtt_monthly")
    p = proportion(rtt, "within_18_weeks", "waiting_total", by="trust_name", confidence=[0.95, 0.998])
    assert _no_code_left(readable(p).columns) == []
    assert {"Lower limit (95%)", "Upper limit (99.8%)"} <= set(readable(p).columns)
    acsc = load("acsc_admissions")
    keys = ["financial_year", "imd_decile"]
    deciles = acsc.groupby(keys, as_index=False)[["admissions", "population"]].sum()
    deciles["rate"] = deciles["admissions"] / deciles["population"] * 100_000
    deciles["se"] = np.sqrt(deciles["admissions"]) / deciles["population"] * 100_000
    table = sii(deciles, group="imd_decile", denominator="population", value="rate", se="se",
                by="financial_year")
    assert _no_code_left(readable(table).columns) == []


def test_own_labels_win_and_index_names_are_renamed():
    table = pd.DataFrame({"cl": [1.0], "my_col": [2]}).set_index(pd.Index(["a"], name="trust_name"))
    shown = readable(table, labels={"cl": "Average wait"})
    assert list(shown.columns) == ["Average wait", "My col"]
    assert shown.index.name == "Trust"


def test_a_crosstabs_row_and_column_variables_are_renamed():
    data = pd.DataFrame({"ethnic_group": ["A", "B", "A"], "trust_name": ["X", "X", "Y"]})
    shown = readable(pd.crosstab(data["ethnic_group"], data["trust_name"]))
    assert (shown.index.name, shown.columns.name) == ("Ethnic group", "Trust")


def test_two_columns_that_would_share_a_header_are_refused():
    with pytest.raises(ValueError, match="labels="):
        readable(pd.DataFrame({"cl": [1], "mean": [2]}), labels={"mean": "Mean"})


def test_not_a_dataframe_is_refused():
    with pytest.raises(TypeError, match="DataFrame"):
        readable(pd.Series([1, 2]))


@given(st.lists(st.from_regex(r"[a-z]{1,6}(_[a-z0-9]{1,6}){0,3}", fullmatch=True), min_size=1, max_size=6,
                unique=True))
def test_any_snake_case_name_becomes_a_header_without_underscores(names):
    headers = [label(n) for n in names]
    assert all("_" not in h and h for h in headers)
