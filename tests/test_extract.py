"""equity_lib.datasets.extract: a team's extract in a lesson's shape, or in a shape it declares."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity_lib.datasets import Column, Shape, available, columns, conform, load
from equity_lib.datasets.extract import NATIONAL_CODES


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
     r"Column 'within_18_weeks' is missing at row 4\. Fix: fill in the value \(0 for a count"),
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


# --- A shape the team declares -------------------------------------------------------------------

CLINICS = Shape(
    [
        Column("month", "date"),
        Column("clinic", "code", codes=("North", "East", "South")),
        Column("imd_quintile", "code", codes="imd_quintile"),
        Column("ethnic_category", "code", codes="ethnic_category", missing=True),
        Column("appointments", "integer", minimum=0),
        Column("dna", "integer", minimum=0, missing=True),
        Column("pct_dna", "number", minimum=0, maximum=100, missing=True),
        Column("note", "text", missing=True),
    ],
    key=["clinic", "imd_quintile", "month"],
)


def clinics_extract():
    """A team's extract as read from its CSV: its own column names, every value as text."""
    return pd.DataFrame({
        "Month": ["2024-05-01", "2024-04-01", "2024-03-01", "2024-04-01"],
        "Clinic": ["East", "North", "North ", "East"],
        "IMD": ["5", "1", "1.0", "3"],
        "Ethnicity": ["A", "99", None, "Z"],
        "Appts": ["40", "12", "7", "0"],
        "DNA": ["4", None, "1", "0"],
        "pct_dna": ["10", None, "14.3", None],
        "note": ["", "first month", None, " x "],
        "source": ["pas", "pas", "pas", "pas"],
    })


RENAME = {"Month": "month", "Clinic": "clinic", "IMD": "imd_quintile", "Ethnicity": "ethnic_category",
          "Appts": "appointments", "DNA": "dna"}


def test_a_declared_shape_types_a_teams_extract():
    typed = conform(clinics_extract(), CLINICS, rename=RENAME)
    assert list(typed.columns) == [*CLINICS.names, "source"]
    assert typed["month"].dtype == "datetime64[ns]"
    assert typed["appointments"].dtype == "int64"
    assert typed["dna"].dtype == "Int64" and typed["dna"].isna().sum() == 1
    assert typed["pct_dna"].dtype == "float64"
    # Codes: the team's own list in its order; a national list by name, ordered as the book's.
    assert list(typed["clinic"].cat.categories) == ["North", "East", "South"]
    assert not typed["clinic"].cat.ordered
    assert list(typed["imd_quintile"].cat.categories) == [1, 2, 3, 4, 5]
    assert typed["imd_quintile"].cat.ordered
    assert list(typed["ethnic_category"].cat.categories) == list(NATIONAL_CODES["ethnic_category"])
    # Sorted by the key: clinic (in its code order), quintile, month; blanks are missing.
    assert typed["clinic"].astype(str).tolist() == ["North", "North", "East", "East"]
    assert typed["imd_quintile"].tolist() == [1, 1, 3, 5]
    assert typed["month"].dt.strftime("%Y-%m").tolist() == ["2024-03", "2024-04", "2024-04", "2024-05"]
    assert typed["ethnic_category"].tolist()[1:] == ["99", "Z", "A"] and typed["ethnic_category"].isna()[0]
    assert typed["dna"].tolist()[0] == 1 and typed["dna"].isna()[1]
    assert typed["note"].tolist()[1:3] == ["first month", "x"] and typed["note"].isna()[[0, 3]].all()


def test_a_declared_shape_without_a_key_keeps_the_rows_in_order():
    shape = Shape([Column("site", "code"), Column("referrals", "integer")])
    typed = conform(pd.DataFrame({"site": ["b", "a", "b"], "referrals": [3.0, 1, 2]}), shape)
    assert typed["site"].astype(str).tolist() == ["b", "a", "b"]
    assert list(typed["site"].cat.categories) == ["b", "a"]
    assert typed["referrals"].tolist() == [3, 1, 2]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.drop(columns="Appts"),
     r"The extract lacks column\(s\) \['appointments'\] that the shape needs\. .*Fix: add them, or pass "
     r"rename="),
    (lambda d: d.assign(Appts=["40", "twelve", "7", "0"]),
     r"Column 'appointments' has non-numeric values \('twelve'\) at row 1\. Fix:"),
    (lambda d: d.assign(Appts=["40", "12", "7.5", "0"]),
     r"Column 'appointments' has values that are not whole numbers at row 2\. Fix: pass counts"),
    (lambda d: d.assign(pct_dna=["10", "120", None, None]),
     r"Column 'pct_dna' has values above 100 at row 1\. Fix: values must be at most 100"),
    (lambda d: d.assign(Month=["2024-05-01", "April 2024", "2024-04-01", "2024-04-01"]),
     r"Column 'month' has values that are not dates at row 1\. Fix: write dates as YYYY-MM-DD"),
    (lambda d: d.assign(Clinic=["East", "West", "North", "Centre"]),
     r"Column 'clinic' has values that are not valid codes \('West', 'Centre'\) at rows 1 and 3\. "
     r"Fix: recode them to one of the column's codes \(North, East, South\), or, if they are valid codes, "
     r"add them to its codes\."),
    (lambda d: d.assign(IMD=["5", "0", "1", "3"]),
     r"Column 'imd_quintile' has values that are not valid codes \('0'\) at row 1\. Fix: .*1 = most "
     r"deprived"),
    (lambda d: d.assign(Ethnicity=["A", "White British", None, "Z"]),
     r"'White British'\) at row 1\. Fix: map local codes .*map_ethnicity"),
    (lambda d: d.assign(Appts=["40", None, "7", "0"]),
     r"Column 'appointments' is missing at row 1\. Fix: fill in the value .*declared missing=True"),
    (lambda d: d.assign(Clinic=["East", "North", None, "East"]),
     r"Column 'clinic' is missing at row 2\. Fix: give every row its code"),
    (lambda d: d.assign(Month="2024-04-01", IMD=["3", "1", "2", "3"]),
     r"More than one row has the same \['clinic', 'imd_quintile', 'month'\] at rows 0 and 3\. "
     r"Fix: keep one row per combination"),
    (lambda d: d.assign(month=d["Month"]),
     r"The extract has more than one column named \['month'\] \(after rename\)"),
])
def test_bad_input_to_a_declared_shape_is_named(change, message):
    with pytest.raises((ValueError, KeyError, TypeError), match=message):
        conform(change(clinics_extract()), CLINICS, rename=RENAME)


def test_an_unknown_code_is_never_mapped():
    # 'f' is not 'F': it is reported, not guessed.
    shape = Shape([Column("sex", "code", codes="sex")])
    with pytest.raises(ValueError, match=r"Column 'sex' has values that are not valid codes "
                                         r"\('f'\) at row 1\."):
        conform(pd.DataFrame({"sex": ["F", "f", "M"]}), shape)
    many = pd.DataFrame({"code": list("abcdefg")})
    with pytest.raises(ValueError, match=r"\('b', 'c', 'd', 'e', 'f' and 1 more\) at rows 1, 2, 3, 4, 5 "
                                         r"and 1 more"):
        conform(many, Shape([Column("code", "code", codes=("a",))]))


@pytest.mark.parametrize(("declare", "message"), [
    (lambda: Shape([Column("month", "date"), Column("month", "text")]),
     r"The shape declares column\(s\) \['month'\] more than once\. Fix: declare each column once"),
    (lambda: Column("month", "datetime"),
     r"Column 'month' has type 'datetime'\. Fix: use one of 'date', 'integer', 'number', 'code', 'text'"),
    (lambda: Column("imd", "integer", codes=(1, 2, 3, 4, 5)),
     r"Column 'imd' has codes but type 'integer'\. Fix: declare it type='code'"),
    (lambda: Column("imd", "code", codes="imd"),
     r"codes='imd' is not a national code list\. Fix: name one of 'imd_decile', 'imd_quintile'"),
    (lambda: Column("site", "code", codes=()), r"Column 'site' has an empty list of codes"),
    (lambda: Column("site", "code", codes=(7, "7.0", "B")),
     r"Column 'site' lists code\(s\) \['7'\] more than once"),
    (lambda: Column("site", "code", minimum=0), r"Column 'site' has a minimum but type 'code'"),
    (lambda: Column("n", "integer", minimum=5, maximum=1), r"minimum 5 above maximum 1"),
    (lambda: Column("n", "integer", missing="yes"), r"missing must be True or False"),
    (lambda: Shape([Column("month", "date")], key=["site"]),
     r"The shape's key names column\(s\) \['site'\] that it does not declare"),
    (lambda: Shape([Column("site", "code", missing=True)], key=["site"]),
     r"Key column\(s\) \['site'\] are declared missing=True"),
    (lambda: Shape([]), r"The shape has no columns"),
    (lambda: Shape(Column("month", "date")), r"Shape takes a list of Columns"),
])
def test_a_bad_declaration_is_named(declare, message):
    with pytest.raises((ValueError, TypeError), match=message):
        declare()


def test_like_must_be_a_dataset_name_or_a_shape():
    with pytest.raises(TypeError, match=r"like must be a dataset name .* or a Shape, not dict"):
        conform(pd.DataFrame({"a": [1]}), {"a": "integer"})


# The book's datasets, declared as a team would declare them.
RTT_QUINTILE_MONTHLY = Shape(
    [
        Column("month", "date"),
        Column("trust_code", "code", ordered=True),
        Column("imd_quintile", "code", codes="imd_quintile"),
        Column("waiting_total", "integer", minimum=0),
        Column("within_18_weeks", "integer", minimum=0),
        Column("over_52_weeks", "integer", minimum=0),
    ],
    key=["trust_code", "imd_quintile", "month"],
)
WAITING_LIST = Shape(
    [
        Column("pathway_id", "integer", minimum=1),
        Column("trust_code", "code", ordered=True),
        Column("area_code", "text"),
        Column("imd_quintile", "code", codes="imd_quintile"),
        Column("treatment_function", "code"),
        Column("age_band", "code", codes="age_band"),
        Column("sex", "code", codes="sex"),
        Column("ethnic_category", "code", codes="ethnic_category"),
        Column("weeks_waited", "integer", minimum=0),
    ],
    key=["pathway_id"],
)
BOOK = {"rtt_quintile_monthly": (RTT_QUINTILE_MONTHLY, load("rtt_quintile_monthly")),
        "waiting_list": (WAITING_LIST, load("waiting_list").head(3000))}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(BOOK)), data=st.data())
def test_a_declared_shape_equal_to_a_datasets_conforms_alike(name, data):
    shape, source = BOOK[name]
    rows = data.draw(st.lists(st.integers(0, len(source) - 1), min_size=1, max_size=60, unique=True))
    extract = source.iloc[rows]
    if data.draw(st.booleans(), label="as text"):
        extract = extract.astype(str)
    if data.draw(st.booleans(), label="padded"):
        extract = extract.astype(str).apply(lambda c: " " + c + " " if c.name != "month" else c)
    extract = extract[data.draw(st.permutations(list(extract.columns)), label="column order")]
    pd.testing.assert_frame_equal(conform(extract, shape), conform(extract, name))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from(NATIONAL_CODES["age_band"]), min_size=1, max_size=30),
       spoil=st.integers(0, 29), code=st.sampled_from(["90-94", "85+", "", "0 to 4", "4"]))
def test_an_unknown_code_is_reported_at_its_row(values, spoil, code):
    shape = Shape([Column("age_band", "code", codes="age_band", missing=code == "")])
    frame = pd.DataFrame({"age_band": values})
    typed = conform(frame, shape)
    assert typed["age_band"].astype(str).tolist() == values
    frame.loc[spoil % len(values), "age_band"] = code
    if code == "":  # blank is missing (allowed here), never a code
        assert conform(frame, shape)["age_band"].isna().sum() == 1
    else:
        row = spoil % len(values)
        with pytest.raises(ValueError, match=rf"\('{re.escape(code)}'\) at row {row}\. Fix: band ages"):
            conform(frame, shape)
