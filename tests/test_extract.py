"""equity_lib.datasets.extract: a team's extract in a lesson's shape."""

import numpy as np
import pandas as pd
import pytest

from equity_lib.datasets import available, columns, conform, load


@pytest.mark.parametrize("name", [n for n in available() if n != "waiting_list"])
def test_a_dataset_conforms_to_itself(name):
    data = load(name)
    # As a team's CSV would arrive: every column as text.
    typed = conform(data.astype(str), name)
    assert list(typed.columns) == list(data.columns)
    for column in data.columns:
        left, right = typed[column], data[column]
        if isinstance(right.dtype, pd.CategoricalDtype):
            assert left.astype(str).tolist() == right.astype(str).tolist(), column
            assert left.cat.ordered == right.cat.ordered
        else:
            assert left.dtype == right.dtype, column
            pd.testing.assert_series_equal(left, right, check_names=False)


def test_national_codes_keep_their_order_and_local_codes_are_accepted():
    d = load("rtt_quintile_monthly").head(10).copy()
    d["trust_code"] = "RXX"
    d = d.rename(columns={"imd_quintile": "IMD quintile"})
    typed = conform(d, "rtt_quintile_monthly", rename={"IMD quintile": "imd_quintile"})
    assert list(typed["imd_quintile"].cat.categories) == [1, 2, 3, 4, 5]
    assert typed["imd_quintile"].cat.ordered
    assert typed["trust_code"].astype(str).unique().tolist() == ["RXX"]


def test_extra_columns_are_kept_after_the_lessons_columns():
    d = load("rtt_quintile_monthly").head(5).assign(note="x")
    typed = conform(d, "rtt_quintile_monthly")
    assert typed.columns[-1] == "note"


def test_columns_lists_what_an_extract_needs():
    c = columns("rtt_quintile_monthly")
    assert c["column"].tolist() == ["month", "trust_code", "imd_quintile", "waiting_total", "within_18_weeks",
                                    "over_52_weeks"]
    assert c.set_index("column").loc["imd_quintile", "codes"] == "1, 2, 3, 4, 5"
    assert c.set_index("column").loc["trust_code", "codes"] == "your own codes"
    assert c["key"].sum() == 3


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.drop(columns="over_52_weeks"), r"lacks column\(s\) \['over_52_weeks'\].*rename="),
    (lambda d: d.assign(imd_quintile=np.where(d.index == 2, 6, d["imd_quintile"])),
     r"Column 'imd_quintile' has values that are not valid codes \('6'\) at row 2\. "
     r"Fix: .*1 = most deprived"),
    (lambda d: d.assign(waiting_total=np.where(d.index == 1, -5, d["waiting_total"])),
     r"Column 'waiting_total' has values below 0 at row 1"),
    (lambda d: d.assign(over_52_weeks=d["over_52_weeks"] + 0.5), r"not whole numbers"),
    (lambda d: d.assign(within_18_weeks=np.where(d.index == 4, np.nan, d["within_18_weeks"])),
     r"Column 'within_18_weeks' has missing counts at row 4"),
    (lambda d: d.assign(month=np.where(d.index == 3, "March 2025", d["month"].astype(str))),
     r"Column 'month' has values that are not dates at row 3. Fix: write dates as YYYY-MM-DD"),
    (lambda d: pd.concat([d, d.iloc[[0]]]), r"More than one row has the same \['trust_code', 'imd_quintile', "
                                            r"'month'\] at rows 0 and 0"),
    (lambda d: d.assign(waiting_total="many"), r"Column 'waiting_total'"),
])
def test_bad_extracts_are_named(change, message):
    d = change(load("rtt_quintile_monthly").head(10))
    with pytest.raises((ValueError, KeyError, TypeError), match=message):
        conform(d, "rtt_quintile_monthly")


def test_ethnicity_codes_point_to_the_mapping_tool():
    d = load("waiting_list").head(20).astype({"ethnic_category": str})
    d.loc[d.index[5], "ethnic_category"] = "White British"
    with pytest.raises(ValueError, match=r"'White British'.*at row 5.*map_ethnicity"):
        conform(d, "waiting_list")


def test_unknown_dataset():
    with pytest.raises(ValueError, match="Unknown dataset 'rtt'. Fix: pass one of"):
        conform(pd.DataFrame(), "rtt")
