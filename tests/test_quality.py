"""Quality of equity fields: code lists, completeness (and its p chart), mapping, and gap sensitivity."""

from __future__ import annotations

import doctest
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equity_lib import spc
from equity_lib.overdispersion import OverdispersionWarning
from equity_lib.quality import (
    ETHNIC_CATEGORIES,
    ETHNIC_CODES,
    VALID_ETHNIC_CODES,
    completeness,
    gap_sensitivity,
    map_ethnicity,
)

COUNT_COLUMNS = ["records", "valid", "not_stated", "not_known", "missing", "invalid"]


# --- the code list -------------------------------------------------------------------------------

def test_ethnic_categories_are_the_data_dictionary_list():
    assert list(ETHNIC_CATEGORIES.columns) == ["code", "label", "broad_group"]
    assert ETHNIC_CATEGORIES["code"].tolist() == list("ABCDEFGHJKLMNPRSZ") + ["99"]
    assert VALID_ETHNIC_CODES == tuple("ABCDEFGHJKLMNPRS")
    assert ETHNIC_CODES[-2:] == ("Z", "99")
    groups = ETHNIC_CATEGORIES.groupby("broad_group", sort=False)["code"].apply("".join).to_dict()
    assert groups == {"White": "ABC", "Mixed": "DEFG", "Asian or Asian British": "HJKL",
                      "Black or Black British": "MNP", "Other": "RS", "Not stated": "Z", "Not known": "99"}
    labels = dict(zip(ETHNIC_CATEGORIES["code"], ETHNIC_CATEGORIES["label"], strict=True))
    assert labels["A"] == "British" and labels["K"] == "Bangladeshi" and labels["N"] == "African"
    assert labels["Z"] == "Not stated" and labels["99"] == "Not known"


# --- completeness ----------------------------------------------------------------------------------

def test_ethnicity_completeness_by_organisation_and_period():
    data = pd.DataFrame({
        "trust": ["B"] * 3 + ["A"] * 8 + ["A"] * 2,
        "month": ["2024-01"] * 3 + ["2024-02"] * 8 + ["2024-01"] * 2,
        "eth": ["A", "A", "S",  # B
                "A", "z", " 99", None, "", "X", 99, "H",  # A, February
                "99.0", "c"],  # A, January
    })
    table = completeness(data, "eth", by="trust", time="month")
    assert list(table.columns) == ["trust", "month", "column", *COUNT_COLUMNS, "pct_valid"]
    assert table[["trust", "month"]].values.tolist() == [["A", "2024-01"], ["A", "2024-02"], ["B", "2024-01"]]
    assert table[COUNT_COLUMNS].values.tolist() == [
        [2, 1, 0, 1, 0, 0],
        [8, 2, 1, 2, 2, 1],
        [3, 3, 0, 0, 0, 0],
    ]
    assert table["pct_valid"].tolist() == [50.0, 25.0, 100.0]
    assert (table["column"] == "eth").all()
    assert (table[COUNT_COLUMNS[1:]].sum(axis=1) == table["records"]).all()


def test_completeness_overall_and_by_organisation_only():
    data = pd.DataFrame({"trust": ["A", "A", "A", "B", "B"], "eth": ["A", "Z", None, "99", "H"]})
    overall = completeness(data, "eth")
    assert overall[COUNT_COLUMNS].values.tolist() == [[5, 2, 1, 1, 1, 0]]
    by_trust = completeness(data, "eth", by="trust")
    assert by_trust[["trust", *COUNT_COLUMNS]].values.tolist() == [["A", 3, 1, 1, 0, 1, 0],
                                                                   ["B", 2, 1, 0, 1, 0, 0]]


def test_imd_decile_and_quintile_rules():
    decile = pd.DataFrame({"imd": [1, 10, 0, 11, 5.5, "3", " 7 ", "", None, "ten", 5.0]})
    row = completeness(decile, "imd", kind="imd_decile").iloc[0]
    assert row[COUNT_COLUMNS].tolist() == [11, 5, 0, 0, 2, 4]
    quintile = pd.DataFrame({"imd": [1, 5, 6, 0, "2", np.nan]})
    row = completeness(quintile, "imd", kind="imd_quintile").iloc[0]
    assert row[COUNT_COLUMNS].tolist() == [6, 3, 0, 0, 1, 2]


def test_age_rules():
    data = pd.DataFrame({"age": [0, 120, 121, -1, 45.5, 45.0, "45", "abc", None, 30]})
    row = completeness(data, "age", kind="age").iloc[0]
    assert row[COUNT_COLUMNS].tolist() == [10, 5, 0, 0, 1, 4]
    floats = pd.DataFrame({"age": [30.0, np.nan, 119.0]})
    assert completeness(floats, "age", kind="age").iloc[0][COUNT_COLUMNS].tolist() == [3, 2, 0, 0, 1, 0]


def test_sex_rules():
    data = pd.DataFrame({"sex": [1, 2, 9, 0, "M", "f", "x", "U", "I", 3, "", "Female", "not known"]})
    row = completeness(data, "sex", kind="sex").iloc[0]
    assert row[COUNT_COLUMNS].tolist() == [13, 7, 0, 4, 1, 1]


def months(n):
    return pd.date_range("2023-04-01", periods=n, freq="MS")


@pytest.fixture(scope="module")
def waiting_list():
    """Synthetic records: 3 trusts x 24 months x 150 records; trust C's recording worsens."""
    rng = np.random.default_rng(7)
    frames = []
    for trust, p_missing in (("A", 0.05), ("B", 0.15), ("C", None)):
        for i, month in enumerate(months(24)):
            p = p_missing if p_missing is not None else 0.05 + 0.01 * i
            eth = rng.choice(list("AHKN"), size=150)
            lost = rng.random(150) < p
            eth = np.where(lost, rng.choice(["Z", "99", ""], size=150), eth)
            frames.append(pd.DataFrame({"trust": trust, "month": month, "ethnic_category": eth}))
    return pd.concat(frames, ignore_index=True)


def test_completeness_goes_straight_into_a_p_chart(waiting_list):
    table = completeness(waiting_list, "ethnic_category", by="trust", time="month")
    assert len(table) == 72
    # Trust C's recording drifts: more spread than binomial chance, and spc says so (naming C only).
    with pytest.warns(OverdispersionWarning, match=r"in 1 of 3 series: 'C' \(phi = "):
        result = spc(table, time="month", numerator="valid", denominator="records", chart="p", by="trust")
    chart = result.table
    assert chart["trust"].tolist() == table["trust"].tolist()
    np.testing.assert_allclose(chart["value"], table["valid"] / table["records"])
    assert (chart["denominator"] == table["records"]).all()
    summary = result.summary()
    assert summary["trust"].tolist() == ["A", "B", "C"]
    # trust C's completeness falls month by month: a special cause concern
    assert summary.set_index("trust").loc["C", "variation"] == "concern"
    with pytest.warns(OverdispersionWarning, match="'C'"):
        as_pct = spc(table, time="month", numerator="valid", denominator="records", chart="p", by="trust",
                     multiplier=100)
    np.testing.assert_allclose(as_pct.table["value"], table["pct_valid"])
    # The Laney p' chart the docstring recommends for whole-list completeness: no warning.
    laney = spc(table, time="month", numerator="valid", denominator="records", chart="pp", by="trust")
    assert laney.summary().set_index("trust").loc["C", "variation"] == "concern"


def test_completeness_of_other_kinds_also_charts():
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"month": np.repeat(months(15), 40),
                         "age": np.where(rng.random(600) < 0.1, None, rng.integers(0, 100, 600))})
    table = completeness(data, "age", time="month", kind="age")
    result = spc(table, time="month", numerator="valid", denominator="records", chart="p")
    assert len(result.table) == 15


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(column="eth", kind="ethnic"), ValueError, r"kind='ethnic' is not one of \['ethnicity', "),
    (dict(column="nope"), KeyError, r"Column\(s\) \['nope'\] not found in data"),
    (dict(column="eth", by="trust"), ValueError,
     r"Column 'trust' \(by\) is missing at row 1\. Fix: give every record an organisation"),
    (dict(column="eth", time="trust"), ValueError, r"Column 'trust' \(time\) is missing at row 1\. Fix: give "
                                                   r"every record a period"),
    (dict(column=["eth"]), TypeError, r"column must name one column"),
    (dict(column="flag"), TypeError, r"Column 'flag' holds true/false values"),
    (dict(column="eth", by="records"), ValueError, r"clash with output column names"),
    (dict(column="eth", by="column"), ValueError, r"clash with output column names"),
    (dict(column="eth", by="eth2", time="eth2"), ValueError, r"by and time name the same column"),
    (dict(field="eth"), TypeError, r"unexpected keyword argument 'field'"),
    (dict(column="eth", over="trust"), TypeError, r"unexpected keyword argument 'over'"),
])
def test_completeness_bad_input(kwargs, error, message):
    data = pd.DataFrame({"trust": ["A", None], "eth": ["A", "B"], "flag": [True, False], "records": [1, 2],
                         "eth2": ["x", "y"], "column": ["c", "d"]})
    with pytest.raises(error, match=message):
        completeness(data, **kwargs)


def test_completeness_needs_a_dataframe():
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        completeness(["A"], "eth")


# --- mapping local codes -----------------------------------------------------------------------------

LOCAL = pd.DataFrame({"local": ["WB", " wb", "White Irish", "Indian", "Pakistani", "Pakistani", None, "",
                                "Unknown", "Declined", "A"]})
MAPPING = {"WB": "A", "White Irish": "b", "Indian": "H", "Unknown": 99, "Declined": "Z"}


def test_map_ethnicity_and_report_what_did_not_map():
    codes, unmapped = map_ethnicity(LOCAL, "local", MAPPING)
    assert codes.astype(object).where(codes.notna(), None).tolist() == [
        "A", "A", "B", "H", None, None, None, None, "99", "Z", None]
    assert list(codes.cat.categories) == list(ETHNIC_CODES)
    assert codes.name == "ethnic_category" and codes.index.equals(LOCAL.index)
    assert list(unmapped.columns) == ["value", "count", "pct", "reason"]
    rows = unmapped.astype(object).where(unmapped.notna(), None).values.tolist()
    assert rows == [[None, 2, 2 / 11 * 100, "missing or blank"], ["Pakistani", 2, 2 / 11 * 100, "no mapping"],
                    ["A", 1, 1 / 11 * 100, "no mapping"]]


def test_map_ethnicity_options():
    codes, unmapped = map_ethnicity(LOCAL, "local", MAPPING, keep_nhs_codes=True)
    assert codes.iloc[-1] == "A" and "A" not in unmapped["value"].tolist()
    codes, unmapped = map_ethnicity(LOCAL, "local", pd.Series(MAPPING), case_sensitive=True)
    assert pd.isna(codes.iloc[1])  # " wb" is not "WB" when case matters (spaces are still trimmed)
    assert " wb" in unmapped["value"].tolist()
    # mapped codes feed completeness, where unmapped values count as missing
    table = completeness(pd.DataFrame({"eth": map_ethnicity(LOCAL, "local", MAPPING).codes}), "eth")
    assert table[COUNT_COLUMNS].values.tolist() == [[11, 4, 1, 1, 5, 0]]


def test_numeric_local_codes_match_text_keys():
    data = pd.DataFrame({"local": [1, 2, 2.0, 3]})
    codes, unmapped = map_ethnicity(data, "local", {"1": "A", 2: "H"})
    assert codes.astype(object).tolist()[:3] == ["A", "H", "H"]
    assert unmapped["value"].tolist() == [3]


@pytest.mark.parametrize("mapping, error, message", [
    ({"Mixed": "Mixed", "WB": "A"}, ValueError, r"targets that are not NHS ethnic category codes: 'Mixed' -> "
                                                r"'Mixed'\. Fix: map to one of"),
    ({"Unknown": None}, ValueError, r"'Unknown' -> None"),
    ({"wb": "A", "WB ": "B"}, ValueError, r"different codes to keys that match the same value: \['WB'\]"),
    ({"": "A"}, ValueError, r"mapping has a missing or blank key"),
    ([("WB", "A")], TypeError, r"mapping must be a dict \(or Series\)"),
])
def test_map_ethnicity_bad_mapping(mapping, error, message):
    with pytest.raises(error, match=message):
        map_ethnicity(LOCAL, "local", mapping)


def test_map_ethnicity_case_sensitive_keys_may_differ_in_case():
    codes, _ = map_ethnicity(pd.DataFrame({"x": ["wb", "WB"]}), "x", {"wb": "A", "WB": "B"},
                             case_sensitive=True)
    assert codes.astype(object).tolist() == ["A", "B"]


# --- gap sensitivity --------------------------------------------------------------------------------

def records(group, n, events):
    return [(group, 1)] * events + [(group, 0)] * (n - events)


@pytest.fixture
def gap_data():
    rows = (records("K", 100, 10) + records("A", 200, 10) + records("Z", 30, 6) + records("99", 10, 2)
            + records(None, 10, 2) + records("H", 40, 4))
    return pd.DataFrame(rows, columns=["eth", "over_52"])


def pct(events, n):
    return float(100 * Fraction(events) / Fraction(n))


def test_gap_sensitivity_scenarios_by_hand(gap_data):
    result = gap_sensitivity(gap_data, "eth", "over_52", focus="K", reference="A")
    t = result.table.set_index("scenario")
    assert list(t.index) == ["complete_case", "like_observed", "all_missing_in_focus",
                             "all_missing_in_reference", "lower_bound", "upper_bound"]
    # 50 records have no usable group (Z, 99, empty), 10 of them with the outcome
    expected = {
        "complete_case": (pct(10, 100), pct(10, 200)),
        "all_missing_in_focus": (pct(20, 150), pct(10, 200)),
        "all_missing_in_reference": (pct(10, 100), pct(20, 250)),
        "lower_bound": (pct(10, 140), pct(20, 210)),  # 40 without the outcome to K, 10 with it to A
        "upper_bound": (pct(20, 110), pct(10, 240)),  # 10 with the outcome to K, 40 without it to A
    }
    for scenario, (focus, reference) in expected.items():
        assert t.loc[scenario, "focus_pct"] == pytest.approx(focus)
        assert t.loc[scenario, "reference_pct"] == pytest.approx(reference)
        assert t.loc[scenario, "gap_pp"] == pytest.approx(focus - reference)
        assert t.loc[scenario, "ratio"] == pytest.approx(focus / reference)
    # like the observed with the same outcome: events 10 K, 10 A, 4 H; non-events 90 K, 190 A, 36 H
    k_events, a_events = Fraction(10 * 10, 24), Fraction(10 * 10, 24)
    k_non, a_non = Fraction(40 * 90, 316), Fraction(40 * 190, 316)
    focus = 100 * (10 + k_events) / (100 + k_events + k_non)
    reference = 100 * (10 + a_events) / (200 + a_events + a_non)
    assert t.loc["like_observed", "focus_pct"] == pytest.approx(float(focus))
    assert t.loc["like_observed", "reference_pct"] == pytest.approx(float(reference))
    assert t.loc["complete_case", "focus_records"] == 100 and t.loc["upper_bound", "focus_events"] == 20
    assert result.settings["missing_records"] == 50 and result.settings["other_records"] == 40


def test_gap_sensitivity_finding_in_words(gap_data):
    result = gap_sensitivity(gap_data, "eth", "over_52", focus="K", reference="A",
                             names=("Bangladeshi", "White British"))
    text = result.finding
    assert text.startswith("Complete cases: 10.0% of Bangladeshi records have over_52, against 5.0% of "
                           "White British: a gap of +5.0 percentage points. 50 of 390 records (12.8%) have "
                           "no usable eth.")
    assert "anywhere from -2.4 to +14.0 points" in text
    assert "could reverse or remove the gap" in text
    assert str(result) == text


def test_a_gap_that_survives_any_allocation():
    rows = records("K", 1000, 300) + records("A", 2000, 100) + records("Z", 20, 2)
    result = gap_sensitivity(pd.DataFrame(rows, columns=["eth", "y"]), "eth", "y", focus="K", reference="A")
    assert result.table.set_index("scenario").loc["lower_bound", "gap_pp"] > 0
    assert "K fares worse on y whatever groups the missing records belong to" in result.finding
    reverse = gap_sensitivity(pd.DataFrame(rows, columns=["eth", "y"]), "eth", "y", focus="A", reference="K")
    assert "A fares better on y whatever groups" in reverse.finding


def test_no_missing_records():
    rows = records("K", 10, 2) + records("A", 10, 1)
    result = gap_sensitivity(pd.DataFrame(rows, columns=["eth", "y"]), "eth", "y", focus="K", reference="A",
                             like_observed=False)
    assert "like_observed" not in result.table["scenario"].tolist()
    assert result.table["gap_pp"].nunique() == 1
    assert "missing data cannot change this gap" in result.finding


def test_like_observed_within_strata():
    rows = ([("T1", *r) for r in records("K", 10, 5) + records("A", 30, 3) + records("Z", 8, 4)]
            + [("T2", *r) for r in records("K", 40, 4) + records("A", 20, 2) + records("99", 12, 2)])
    data = pd.DataFrame(rows, columns=["trust", "eth", "y"])
    result = gap_sensitivity(data, "eth", "y", focus="K", reference="A", within="trust")
    t = result.table.set_index("scenario")
    # T1: events K 5 / A 3 -> 4 missing events split 5/8, 3/8; non-events K 5 / A 27 -> 4 split 5/32, 27/32
    # T2: events K 4 / A 2 -> 2 split 4/6, 2/6; non-events K 36 / A 18 -> 10 split 36/54, 18/54
    k_events = Fraction(4 * 5, 8) + Fraction(2 * 4, 6)
    k_records = k_events + Fraction(4 * 5, 32) + Fraction(10 * 36, 54)
    a_events = Fraction(4 * 3, 8) + Fraction(2 * 2, 6)
    a_records = a_events + Fraction(4 * 27, 32) + Fraction(10 * 18, 54)
    assert t.loc["like_observed", "focus_records"] == pytest.approx(float(50 + k_records))
    focus = 100 * (9 + k_events) / (50 + k_records)
    reference = 100 * (5 + a_events) / (50 + a_records)
    assert t.loc["like_observed", "focus_pct"] == pytest.approx(float(focus))
    assert t.loc["like_observed", "reference_pct"] == pytest.approx(float(reference))


def test_groups_as_lists_and_numbers():
    data = pd.DataFrame({"imd": [1, 1.0, "2", 5, 5, 4, np.nan, None], "y": [1, 0, 1, 0, 0, 1, 1, 0]})
    t = gap_sensitivity(data, "imd", "y", focus=[1, 2], reference=5, missing=()).table.set_index("scenario")
    assert t.loc["complete_case", "focus_pct"] == pytest.approx(200 / 3)
    assert t.loc["complete_case", "reference_pct"] == 0
    assert pd.isna(t.loc["complete_case", "ratio"])
    assert t.loc["all_missing_in_focus", "focus_records"] == 5  # the two empty values are missing


def test_bool_outcome():
    data = pd.DataFrame({"eth": ["K", "K", "A", "A"], "y": [True, False, False, False]})
    assert gap_sensitivity(data, "eth", "y", focus="K", reference="A").table["gap_pp"].iloc[0] == 50


@pytest.mark.parametrize("kwargs, data_change, error, message", [
    ({}, {"y": [1, 2, 0, 0]}, ValueError,
     r"Column 'y' \(value: the outcome\) must hold 0/1 or true/false; found 2 at row 1\. Fix: code the "
     r"outcome"),
    ({}, {"y": ["yes", "no", "no", "no"]}, ValueError, r"found 'yes', 'no', 'no' at rows 0, 1, 2 and 3"),
    ({}, {"y": [1, np.nan, 0, 0]}, ValueError, r"Column 'y' \(value: the outcome\) is missing at row 1"),
    (dict(reference="K"), {}, ValueError, r"Value\(s\) \['K'\] are in more than one of focus, reference"),
    (dict(focus="Z"), {}, ValueError, r"Value\(s\) \['Z'\] are in more than one"),
    (dict(focus="J"), {}, ValueError, r"No records with a usable group are in the focus group \['J'\]"),
    (dict(focus=[]), {}, ValueError, r"focus is empty"),
    (dict(names="K"), {}, TypeError, r"names must be two texts"),
    (dict(within="trust"), {"trust": ["T1", None, "T1", "T1"]}, ValueError,
     r"Column 'trust' \(within\) is missing at row 1"),
    (dict(within="nope"), {}, KeyError, r"Column\(s\) \['nope'\] not found"),
])
def test_gap_sensitivity_bad_input(kwargs, data_change, error, message):
    data = pd.DataFrame({"eth": ["K", "K", "A", "A"], "y": [1, 0, 0, 0], **data_change})
    arguments = {"focus": "K", "reference": "A", **kwargs}
    with pytest.raises(error, match=message):
        gap_sensitivity(data, "eth", "y", **arguments)


groups_and_outcomes = st.lists(st.tuples(st.sampled_from(["K", "A", "H", "Z", "99"]), st.integers(0, 1)),
                               min_size=2, max_size=60)


@settings(max_examples=80, deadline=None)
@given(rows=groups_and_outcomes, seed=st.integers(0, 2**32 - 1))
def test_every_allocation_of_the_missing_lies_within_the_bounds(rows, seed):
    rows = [("K", 0), ("A", 1)] + rows
    data = pd.DataFrame(rows, columns=["eth", "y"])
    t = gap_sensitivity(data, "eth", "y", focus="K", reference="A").table.set_index("scenario")
    low, high = t.loc["lower_bound", "gap_pp"], t.loc["upper_bound", "gap_pp"]
    assert low <= t["gap_pp"].min() + 1e-9 and t["gap_pp"].max() <= high + 1e-9
    # any allocation of the missing records (to K, A or elsewhere) gives a gap within the bounds
    rng = np.random.default_rng(seed)
    missing = data["eth"].isin(["Z", "99"]).to_numpy()
    allocated = data["eth"].to_numpy().copy()
    allocated[missing] = rng.choice(["K", "A", "H"], size=missing.sum())
    y = data["y"].to_numpy()
    gap = 100 * (y[allocated == "K"].mean() - y[allocated == "A"].mean())
    assert low - 1e-9 <= gap <= high + 1e-9


def test_gap_sensitivity_plot_draws_every_scenario_and_the_bounds(gap_data):
    import matplotlib.pyplot as plt

    result = gap_sensitivity(gap_data, "eth", "over_52", focus="K", reference="A",
                             names=("Bangladeshi", "White British"))
    assert result.settings["names"] == ("Bangladeshi", "White British")
    t = result.table.set_index("scenario")
    fig = result.plot(title="A finding")
    ax = fig.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["Complete cases (missing left out)", "Missing like the observed",
                      "All missing counted as Bangladeshi", "All missing counted as White British",
                      "Any allocation (no assumption)"]
    # one marker per scenario, at its gap, top to bottom in the table's order; the bounds as a line
    markers = [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
    points = [c.get_offsets()[0] for c in markers if len(c.get_offsets()) == 1]
    assert [x for x, _ in points] == pytest.approx(t["gap_pp"].iloc[:4].tolist())
    assert [y for _, y in points] == [4, 3, 2, 1]
    (segment,) = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"][0].get_segments()
    bounds = [t.loc["lower_bound", "gap_pp"], t.loc["upper_bound", "gap_pp"]]
    assert segment[:, 0].tolist() == pytest.approx(bounds)
    texts = [a.get_text() for a in ax.texts]
    assert f"{t.loc['upper_bound', 'gap_pp']:+.1f}" in texts and "+5.0" in texts
    lo, hi = ax.get_xlim()
    assert lo < t.loc["lower_bound", "gap_pp"] and hi > t.loc["upper_bound", "gap_pp"]
    assert fig._suptitle.get_text() == "A finding"
    assert "Bangladeshi minus White British (percentage points)" in ax.get_xlabel()
    plt.close(fig)


def test_gap_sensitivity_plot_options(gap_data):
    import matplotlib.pyplot as plt

    result = gap_sensitivity(gap_data, "eth", "over_52", focus="K", reference="A", like_observed=False)
    fig, ax = plt.subplots()
    assert result.plot(show_bounds=False, ax=ax, title="T", xlabel="Gap (points)") is fig
    assert [tick.get_text() for tick in ax.get_yticklabels()] == [
        "Complete cases (missing left out)", "All missing counted as K", "All missing counted as A"]
    assert ax.get_title(loc="left") == "T" and ax.get_xlabel() == "Gap (points)"
    assert ax.get_xlim()[0] < 0 < t_max(result) < ax.get_xlim()[1]
    with pytest.raises(TypeError, match="show_bounds"):
        result.plot(show_bounds="no")
    plt.close("all")


def t_max(result):
    t = result.table.set_index("scenario")
    return t.loc[["complete_case", "all_missing_in_focus", "all_missing_in_reference"], "gap_pp"].max()


def test_docstring_examples_run():
    import equity_lib.quality as module

    assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["T1", "T2"]), st.sampled_from(["A", "H", "Z", "99", "x", None]),
                          st.integers(0, 50)), min_size=1, max_size=20))
def test_completeness_of_an_aggregated_extract_equals_that_of_its_records(rows):
    """count= weights each row by its records: the same table as one row per record."""
    agg = pd.DataFrame(rows, columns=["trust", "ethnic_category", "n"])
    records = agg.loc[agg.index.repeat(agg["n"])].drop(columns="n")
    weighted = completeness(agg, "ethnic_category", by="trust", count="n")
    plain = completeness(records, "ethnic_category", by="trust") if len(records) else None
    if plain is None:
        assert weighted["records"].sum() == 0
        return
    kept = weighted[weighted["records"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, plain, check_dtype=False)


def test_completeness_count_must_be_counts():
    agg = pd.DataFrame({"trust": ["T1", "T1"], "ethnic_category": ["A", "Z"], "n": [5, -1]})
    with pytest.raises(ValueError, match=r"Column 'n' has negative counts at row 1"):
        completeness(agg, "ethnic_category", by="trust", count="n")


def test_gap_sensitivity_and_completeness_take_the_shared_vocabulary_by_keyword(gap_data):
    by_keyword = gap_sensitivity(data=gap_data, group="eth", value="over_52", focus="K", reference="A")
    positional = gap_sensitivity(gap_data, "eth", "over_52", focus="K", reference="A")
    pd.testing.assert_frame_equal(by_keyword.table, positional.table)
    assert by_keyword.settings["value"] == "over_52"
    with pytest.raises(TypeError, match="outcome"):
        gap_sensitivity(gap_data, "eth", outcome="over_52", focus="K", reference="A")
    table = completeness(data=gap_data, column="eth")
    assert table["column"].tolist() == ["eth"] and table["records"].tolist() == [len(gap_data)]
