"""Bad input to equity_lib.spc gets a clear error, never a silent wrong number.

Each test checks the exception type and that the message names the column, the row (by its index
label in the caller's DataFrame, here strings like 'r3', never a position) and the fix.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from equity_lib import NoLimitsWarning, spc
from equity_lib.process_control.engine import DataGapWarning

N = 15
LABELS = [f"r{i}" for i in range(N)]


@pytest.fixture
def data():
    """15 monthly points, string row labels, two columns of counts and a by column."""
    return pd.DataFrame({
        "month": pd.date_range("2024-01-01", periods=N, freq="MS"),
        "events": np.arange(N) + 5.0,
        "cases": np.full(N, 50.0),
        "unit": "A",
    }, index=LABELS)


@pytest.fixture
def two_units(data):
    b = data.assign(unit="B")
    b.index = [f"b{i}" for i in range(N)]
    return pd.concat([data, b])


def raises(exc, call, *needles):
    """Run call, expect exc, and check each needle appears in the message; return the message."""
    with pytest.raises(exc) as info:
        call()
    message = str(info.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    return message


# --- counts and denominators ----------------------------------------------------------------------


def counts(chart, numerator="events", denominator="cases"):
    """The column arguments of a chart: numerator and denominator for p/pp/u/up, else value."""
    if chart in ("p", "pp", "u", "up"):
        return dict(numerator=numerator, denominator=denominator)
    return dict(value=numerator)


@pytest.mark.parametrize("chart", ["c", "g", "p", "pp", "u", "up"])
def test_negative_count(data, chart):
    data.loc["r3", "events"] = -1
    raises(ValueError, lambda: spc(data, time="month", chart=chart, **counts(chart)),
           "'events'", "negative", "row 'r3'", "Fix:")


@pytest.mark.parametrize("chart", ["p", "pp"])
def test_numerator_above_denominator(data, chart):
    data.loc["r4", "events"] = 51
    raises(ValueError, lambda: spc(data, time="month", chart=chart, **counts(chart)),
           "'events'", "'cases'", "row 'r4'", "Fix:")


@pytest.mark.parametrize("bad", [0.0, -3.0])
@pytest.mark.parametrize("chart", ["p", "u"])
def test_zero_or_negative_denominator(data, chart, bad):
    data.loc["r6", "cases"] = bad
    raises(ValueError, lambda: spc(data, time="month", chart=chart, **counts(chart)),
           "'cases'", "zero or negative", "row 'r6'", "Fix:")


@pytest.mark.parametrize("chart", ["p", "u"])
def test_missing_denominator_with_a_numerator(data, chart):
    data.loc["r2", "cases"] = np.nan
    raises(ValueError, lambda: spc(data, time="month", chart=chart, **counts(chart)),
           "'cases'", "missing denominator", "row 'r2'", "Fix:")


def test_missing_numerator_and_denominator_is_a_missing_point(data):
    data.loc["r2", ["events", "cases"]] = np.nan
    with pytest.warns(DataGapWarning, match="1 point"):
        t = spc(data, time="month", chart="p", **counts("p")).table
    assert len(t) == N and np.isnan(t["value"].iloc[2]) and not t["special_cause"].iloc[2]


# --- values that are not numbers ------------------------------------------------------------------


def test_non_numeric_value(data):
    data["events"] = data["events"].astype(object)
    data.loc["r4", "events"] = "12a"
    raises(ValueError, lambda: spc(data, "events", "month"),
           "'events'", "non-numeric", "'12a'", "row 'r4'", "Fix:")


def test_non_numeric_denominator(data):
    data["cases"] = data["cases"].astype(object)
    data.loc["r7", "cases"] = "fifty"
    raises(ValueError, lambda: spc(data, time="month", chart="p", **counts("p")),
           "'cases'", "'fifty'", "row 'r7'", "Fix:")


def test_infinite_value(data):
    data.loc["r5", "events"] = np.inf
    raises(ValueError, lambda: spc(data, "events", "month"), "'events'", "infinite", "row 'r5'",
           "Fix:")


def test_true_false_column(data):
    data["flag"] = data["events"] > 10
    raises(TypeError, lambda: spc(data, "flag", "month"), "'flag'", "true/false", "Fix:")


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_t_chart_needs_times_above_zero(data, bad):
    data.loc["r8", "events"] = bad
    raises(ValueError, lambda: spc(data, "events", "month", chart="t"),
           "'events'", "zero or less", "row 'r8'", "Fix:")


# --- time: order and duplicates -------------------------------------------------------------------


def test_unsorted_dates_within_a_series(two_units):
    two_units.loc[["b4", "b5"], "month"] = two_units.loc[["b5", "b4"], "month"].to_numpy()
    message = raises(ValueError, lambda: spc(two_units, "events", "month", by="unit"),
                     "'month'", "not sorted", "row 'b5'", "Fix:")
    assert "sort_values(['unit', 'month'])" in message  # the fix names the real by column


def test_unsorted_dates_name_every_by_column(two_units):
    two_units["ward"] = "W1"
    two_units.loc[["b4", "b5"], "month"] = two_units.loc[["b5", "b4"], "month"].to_numpy()
    message = raises(ValueError, lambda: spc(two_units, "events", "month", by=["unit", "ward"]),
                     "not sorted", "row 'b5'", "Fix:")
    assert "sort_values(['unit', 'ward', 'month'])" in message


def test_unsorted_dates_without_by(data):
    data.loc[["r4", "r5"], "month"] = data.loc[["r5", "r4"], "month"].to_numpy()
    message = raises(ValueError, lambda: spc(data, "events", "month"), "row 'r5'", "Fix:")
    assert "sort_values(['month'])" in message


def test_duplicated_dates_within_a_series(two_units):
    two_units.loc["b6", "month"] = two_units.loc["b5", "month"]
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit"),
           "'month'", "duplicated", "row 'b6'", "Fix:")


def test_the_same_dates_in_different_series_are_fine(two_units):
    assert len(spc(two_units, "events", "month", by="unit").table) == 2 * N


def test_missing_date(data):
    data.loc["r9", "month"] = pd.NaT
    raises(ValueError, lambda: spc(data, "events", "month"), "'month'", "missing", "row 'r9'",
           "Fix:")


# Numbers held in an object column are never parsed as dates (once they were, and pandas' Pandas4Warning
# "will be interpreted as epochs" leaked out before the intended error or result).
def test_time_values_that_cannot_be_ordered(data):
    data["label"] = [1, "a", *range(2, N)]
    raises(TypeError, lambda: spc(data, "events", "label"), "'label'", "Fix:")


def test_whole_numbers_in_an_object_column_are_sequence_numbers(data):
    # e.g. a column that held a header or a blank before cleaning: still 1, 2, 3, never dates (pandas
    # says numbers parsed with a format will become epochs, i.e. 1970 timestamps).
    as_objects = data.assign(seq=pd.Series(range(1, N + 1), index=data.index, dtype=object))
    as_numbers = data.assign(seq=np.arange(1, N + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_objects = spc(as_objects, "events", "seq")
    assert from_objects.table["time"].tolist() == list(range(1, N + 1))
    pd.testing.assert_frame_equal(from_objects.table, spc(as_numbers, "events", "seq").table,
                                  check_dtype=False)


# --- too few points -------------------------------------------------------------------------------


def no_limits(call, *needles, also=()):
    """Run call, expect a NoLimitsWarning whose message holds each needle (and each warning class in
    ``also``, e.g. a DataGapWarning for missing values); return the result and the message."""
    with pytest.warns(NoLimitsWarning) as caught:
        if also:
            with pytest.warns(also):
                result = call()
        else:
            result = call()
    messages = [str(w.message) for w in caught if issubclass(w.category, NoLimitsWarning)]
    assert len(messages) == 1, messages
    for needle in needles:
        assert needle in messages[0], f"{needle!r} not in {messages[0]!r}"
    return result, messages[0]


def test_one_point_gets_no_limits_and_a_warning_for_an_xmr_chart(data):
    result, _ = no_limits(lambda: spc(data.iloc[:1], "events", "month"), "series 'all' phase 1",
                          "only 1 point", "chart='xmr' needs 2", "Fix:")
    row = result.table.iloc[0]
    assert np.isnan(row["lcl"]) and np.isnan(row["ucl"])
    assert row["cl"] == row["value"] == 5.0  # the centre line is kept
    assert not row["special_cause"]
    assert result.summary()["note"].iloc[0].startswith("no limits: only 1 point")


def test_too_few_points_names_the_series_and_the_others_are_charted_as_if_alone(two_units):
    short = pd.concat([two_units[two_units["unit"] == "A"], two_units.loc[["b0"]]])
    result, _ = no_limits(lambda: spc(short, "events", "month", by="unit"), "series 'B' phase 1",
                          "only 1 point", "Fix:")
    a, b = (result.table[result.table["unit"] == unit] for unit in "AB")
    assert b["lcl"].isna().all() and b["ucl"].isna().all()
    alone = spc(two_units[two_units["unit"] == "A"], "events", "month", by="unit").table
    pd.testing.assert_frame_equal(a.reset_index(drop=True), alone)
    notes = result.summary().set_index("unit")["note"]
    assert pd.isna(notes["A"]) and notes["B"].startswith("no limits: only 1 point")


def test_no_rows(data):
    raises(ValueError, lambda: spc(data.iloc[:0], "events", "month"), "no rows", "Fix:")


# --- target, rebase and exclude -------------------------------------------------------------------


def test_unknown_series_in_target(two_units):
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit", target={"C": 10}),
           "'C'", "'unit'", "Fix:")


def test_target_dict_without_by(data):
    raises(ValueError, lambda: spc(data, "events", "month", target={"A": 10}), "by=", "Fix:")


def test_target_that_is_not_a_number(two_units):
    raises(TypeError, lambda: spc(two_units, "events", "month", by="unit", target={"A": "high"}),
           "target", "'high'", "Fix:")


@pytest.mark.parametrize("name", ["rebase", "exclude"])
def test_unknown_series_in_rebase_or_exclude(two_units, name):
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit",
                                   **{name: {"C": ["2024-06-01"]}}),
           name, "'C'", "'unit'", "Fix:")


def test_rebase_value_not_among_the_time_values(data):
    raises(ValueError, lambda: spc(data, "events", "month", rebase=["2024-06-15"]),
           "'2024-06-15'", "'month'", "Fix:")


def test_rebase_value_in_a_dict_not_among_that_series_time_values(two_units):
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit",
                                   rebase={"B": ["2030-01-01"]}),
           "'B'", "2030-01-01", "'month'", "Fix:")


def test_rebase_value_is_reported_as_written(data):
    # A number against a date column: the message shows 6, not the date pandas would make of it.
    message = raises(ValueError, lambda: spc(data, "events", "month", rebase=[6]), "[6]", "Fix:")
    assert "1970" not in message


def test_rebase_value_that_is_not_a_date(data):
    raises(ValueError, lambda: spc(data, "events", "month", rebase=["banana"]),
           "'banana'", "'month'", "Fix:")


def test_exclude_value_not_among_row_numbers(data):
    raises(ValueError, lambda: spc(data, "events", exclude=[99]), "[99]", "row numbers", "Fix:")


# --- arguments ------------------------------------------------------------------------------------


def test_unknown_chart(data):
    raises(ValueError, lambda: spc(data, "events", "month", chart="xmrr"), "'xmrr'", "'xmr'")


def test_chart_alias_i(data):
    assert spc(data, "events", "month", chart="I").settings["chart"] == "xmr"


def test_unknown_improvement(data):
    raises(ValueError, lambda: spc(data, "events", "month", improvement="up"),
           "'up'", "'increase'", "'decrease'")


@pytest.mark.parametrize("counts", [dict(numerator="cases"), dict(denominator="cases"),
                                    dict(numerator="events", denominator="cases")])
def test_numerator_or_denominator_given_for_an_xmr_chart(data, counts):
    raises(ValueError, lambda: spc(data, "events", "month", **counts), "xmr", "numerator",
           "Fix:", "value=")


def test_numerator_without_value_for_an_xmr_chart(data):
    # The count columns of a p chart passed to the default xmr chart: told to choose pp or divide.
    raises(ValueError, lambda: spc(data, time="month", numerator="events", denominator="cases"),
           "only by p, pp, u and up", "chart='pp'")


@pytest.mark.parametrize("chart", ["p", "pp", "u", "up"])
def test_value_given_for_a_ratio_chart(data, chart):
    message = raises(ValueError, lambda: spc(data, "events", "month", chart=chart), f"A {chart} chart",
                     "value='events'", "Fix:", "numerator=", "denominator=")
    assert "counts" in message


@pytest.mark.parametrize("chart", ["p", "u"])
@pytest.mark.parametrize("given, missing", [(dict(numerator="events"), "denominator"),
                                            (dict(denominator="cases"), "numerator"),
                                            ({}, "numerator and denominator")])
def test_numerator_or_denominator_missing_for_a_ratio_chart(data, chart, given, missing):
    raises(ValueError, lambda: spc(data, time="month", chart=chart, **given),
           f"A {chart} chart needs {missing}.", "Fix:")


def test_missing_by_value(two_units):
    two_units.loc["b3", "unit"] = None
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit"),
           "'unit'", "missing", "row 'b3'", "Fix:")


@pytest.mark.parametrize("bad", [{"events": [1, 2]}, np.arange(15.0), pd.Series(np.arange(15.0))])
def test_data_that_is_not_a_dataframe(bad):
    raises(TypeError, lambda: spc(bad, "events"), "DataFrame", "Fix:")


@pytest.mark.parametrize("argument", ["time", "numerator", "denominator", "by"])
def test_missing_column(data, argument):
    kwargs = dict(time="month", chart="p", numerator="events", denominator="cases", by="unit")
    kwargs[argument] = "no_such_column"
    raises(KeyError, lambda: spc(data, **kwargs), "'no_such_column'", "'events'", "Fix:")


@pytest.mark.parametrize("argument", ["value", "time", "by"])
def test_missing_column_of_an_xmr_chart(data, argument):
    kwargs = dict(value="events", time="month", by="unit")
    kwargs[argument] = "no_such_column"
    raises(KeyError, lambda: spc(data, **kwargs), "'no_such_column'", "'events'", "Fix:")


def test_missing_one_of_two_by_columns(data):
    raises(KeyError, lambda: spc(data, "events", "month", by=["unit", "ward"]), "'ward'", "Fix:")


def test_value_none(data):
    raises(TypeError, lambda: spc(data, None, "month"), "value", "Fix:")


@pytest.mark.parametrize("bad", [0, -1, -100, float("nan"), "100", True])
def test_multiplier_must_be_a_positive_number(data, bad):
    # A negative multiplier turned the limits upside down (lcl > ucl) and flagged half the points.
    raises(ValueError, lambda: spc(data, "events", "month", multiplier=bad), "multiplier", "Fix:")


def test_old_argument_names_are_gone(data):
    # One vocabulary, no aliases: the old names are an error, not silently ignored.
    for old in (dict(y="events"), dict(x="month"), dict(n="cases"), dict(facet="unit"),
                dict(multiply=100)):
        with pytest.raises(TypeError, match="unexpected keyword"):
            spc(data, **({"value": "events"} if "y" not in old else {}), **old)


@pytest.mark.parametrize("bad", [0, -2.66, "2.66"])
def test_xmr_factor_must_be_a_positive_number(data, bad):
    raises(ValueError, lambda: spc(data, "events", "month", xmr_factor=bad), "xmr_factor", "Fix:")


@pytest.mark.parametrize("bad", ["no", 0, None])
def test_screen_mr_must_be_true_or_false(data, bad):
    # screen_mr="no" used to switch screening on.
    raises(TypeError, lambda: spc(data, "events", "month", screen_mr=bad), "screen_mr")


@pytest.mark.parametrize("name,bad", [("shift", 1), ("trend", 6.5), ("min_points", True),
                                      ("freeze", 0)])
def test_whole_number_arguments(data, name, bad):
    raises(ValueError, lambda: spc(data, "events", "month", **{name: bad}), name, repr(bad))


# --- the row is named by its label, not its position ----------------------------------------------


def test_messages_name_index_labels_not_positions(data):
    data.index = range(1000, 1000 + N)
    data.loc[1003, "events"] = -1
    message = raises(ValueError, lambda: spc(data, "events", "month", chart="c"), "row 1003")
    assert not re.search(r"\brow 3\b", message)


def test_many_bad_rows_are_summarised(data):
    data["events"] = -1.0
    raises(ValueError, lambda: spc(data, "events", "month", chart="c"),
           "rows 'r0', 'r1', 'r2', 'r3', 'r4' and 10 more")


# --- limits that cannot be computed are reported (a warning and a note), never a silent gap ------------


def test_date_column_as_values(data):
    raises(TypeError, lambda: spc(data, "month", "month"), "Column 'month'", "dates", "Fix:")


def test_no_two_consecutive_values_means_no_moving_range_and_no_limits(data):
    data.loc[data.index[1::2], "events"] = np.nan
    result, _ = no_limits(lambda: spc(data, "events", "month"), "series 'all' phase 1",
                          "no two consecutive points", "no moving range", "Fix:", also=DataGapWarning)
    table = result.table
    assert len(table) == N  # every row kept, the missing ones too
    assert table["lcl"].isna().all() and table["ucl"].isna().all()
    assert table["cl"].eq(data["events"].mean()).all()
    assert "no two consecutive points" in result.summary()["note"].iloc[0]


def test_xbar_with_one_measurement_per_subgroup_has_no_limits(data):
    result, _ = no_limits(lambda: spc(data, "events", "month", chart="xbar"), "series 'all' phase 1",
                          "no subgroup that sets the limits has 2 measurements", "Fix:")
    assert result.table["lcl"].isna().all() and result.table["ucl"].isna().all()
    assert "has 2 measurements" in result.summary()["note"].iloc[0]


@pytest.mark.parametrize("kwargs", [dict(chart="bar"), dict(improvement="up"), dict(chart="p"),
                                    dict(shift=1), dict(precedence="improvement_wins"),
                                    dict(multiplier=-1)])
def test_choice_and_argument_messages_say_how_to_fix(data, kwargs):
    with pytest.raises(ValueError, match="Fix:"):
        spc(data, "events", "month", **kwargs)


# --- by, improvement, target and precedence per series (issue 11) ------------------------------------


def test_improvement_dict_missing_a_series(two_units):
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit", improvement={"A": "increase"}),
           "improvement", "no direction", "'B'", "Fix:", "add them")


def test_improvement_dict_with_an_unknown_series(two_units):
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit",
                                   improvement={"A": "increase", "B": "decrease", "C": "increase"}),
           "improvement", "unknown series", "'C'", "'unit'", "Known series", "'A'", "Fix:")


def test_improvement_dict_with_a_bad_direction(two_units):
    raises(ValueError, lambda: spc(two_units, "events", "month", by="unit",
                                   improvement={"A": "increase", "B": "up"}),
           "'B'", "'up'", "'increase'", "Fix:")


def test_improvement_dict_without_by(data):
    raises(ValueError, lambda: spc(data, "events", "month", improvement={"A": "increase"}),
           "improvement", "no by column", "Fix:", "by=")


def test_dict_keys_for_two_by_columns_are_tuples(two_units):
    two_units["ward"] = "W1"
    message = raises(ValueError, lambda: spc(two_units, "events", "month", by=["unit", "ward"],
                                             target={"A": 10}),
                     "'A'", "tuples", "Fix:")
    assert "['unit', 'ward']" in message
    # The tuple keys work.
    result = spc(two_units, "events", "month", by=["unit", "ward"], target={("A", "W1"): 10})
    assert result.table.loc[result.table["unit"] == "A", "target"].eq(10).all()
    assert result.table.loc[result.table["unit"] == "B", "target"].isna().all()


@pytest.mark.parametrize("column", ["time", "value", "denominator", "phase", "cl", "ucl", "point_type",
                                    "target"])
def test_by_column_named_like_an_output_column(two_units, column):
    renamed = two_units.rename(columns={"unit": column})
    raises(ValueError, lambda: spc(renamed, "events", "month", by=column),
           f"['{column}']", "output column", "Fix:", f"rename(columns={{'{column}': '{column}_group'}})")


def test_one_of_two_by_columns_named_like_an_output_column(two_units):
    renamed = two_units.assign(phase="x")
    raises(ValueError, lambda: spc(renamed, "events", "month", by=["unit", "phase"]),
           "['phase']", "output column", "Fix:")


@pytest.mark.parametrize("bad", [True, False, np.bool_(True)])
def test_target_true_is_not_a_number(data, bad):
    raises(TypeError, lambda: spc(data, "events", "month", target=bad), "target", "must be a number",
           "Fix:", "target=92")


def test_target_text_is_not_a_number(data):
    raises(TypeError, lambda: spc(data, "events", "month", target="92"), "target", "'92'", "Fix:")


@pytest.mark.parametrize("bad", [["unit", "unit"], 3, ["unit", 3]])
def test_by_must_be_column_names(two_units, bad):
    with pytest.raises((TypeError, ValueError), match="by"):
        spc(two_units, "events", "month", by=bad)


def test_unknown_precedence(data):
    raises(ValueError, lambda: spc(data, "events", "month", precedence="improvement_wins"),
           "precedence='improvement_wins'", "'rule_order'", "'improvement'", "Fix:")


def test_without_time_points_are_numbered_in_row_order(two_units):
    result = spc(two_units, "events", by="unit")
    assert result.table["time"].tolist() == [*range(1, N + 1)] * 2
    numbered = two_units.assign(seq=[*range(1, N + 1)] * 2)
    pd.testing.assert_frame_equal(result.table, spc(numbered, "events", "seq", by="unit").table,
                                  check_dtype=False)
    assert result.settings["time"] is None
