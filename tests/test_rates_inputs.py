"""Bad input to equity_lib.rates gets an error that names the column, the rows and the fix."""

import numpy as np
import pandas as pd
import pytest

from equity_lib import rates


@pytest.fixture
def props():
    return pd.DataFrame({"area": ["A", "B", "C"], "x": [5, 10, 20], "n": [100, 200, 300]})


def esp_rows(areas=("A", "B"), count=3, pop=1000):
    bands = list(rates.ESP2013["age_band"])
    return pd.DataFrame({"area": np.repeat(list(areas), len(bands)), "age_band": bands * len(areas),
                         "x": count, "n": pop})


@pytest.mark.parametrize("function", [rates.proportion, rates.rate])
def test_negative_counts(props, function):
    props.loc[1, "x"] = -1
    with pytest.raises(ValueError, match=r"Column 'x' has negative .* at row 1\. Fix: .*cannot be negative"):
        function(props, "x", "n")


def test_numerator_above_denominator(props):
    props.loc[2, "x"] = 301
    with pytest.raises(ValueError, match=r"Column 'x' \(numerator\) is above column 'n' \(denominator\) at "
                                         r"row 2\. Fix: .*swapped"):
        rates.proportion(props, "x", "n")
    assert rates.rate(props, "x", "n")["value"].iloc[2] > 100_000  # more events than people is a rate


@pytest.mark.parametrize("function", [rates.proportion, rates.rate])
@pytest.mark.parametrize("bad", [0, -5])
def test_zero_or_negative_denominators(props, function, bad):
    props.loc[0, "n"] = bad
    with pytest.raises(ValueError, match=r"Column 'n' has a zero or negative denominator at row 0\. Fix: "):
        function(props, "x", "n")


@pytest.mark.parametrize("function", [rates.proportion, rates.rate])
def test_missing_denominators(props, function):
    props["n"] = props["n"].astype(float)
    props.loc[[0, 2], "n"] = np.nan
    with pytest.raises(ValueError, match=r"Column 'n' has a missing denominator at rows 0 and 2\. Fix: fill"):
        function(props, "x", "n")


def test_missing_numerator_gives_missing_results(props):
    props["x"] = props["x"].astype(float)
    props.loc[1, "x"] = np.nan
    out = rates.proportion(props, "x", "n")
    assert out.loc[1, ["value", "lower_95", "upper_95"]].isna().all()
    assert out.loc[[0, 2], "value"].notna().all()
    grouped = rates.rate(props.assign(g=["a", "a", "b"]), "x", "n", by="g")
    assert grouped["value"].isna().tolist() == [True, False]  # a group with a missing count is missing


@pytest.mark.parametrize("function", [rates.proportion, rates.rate])
def test_non_numeric(props, function):
    props["x"] = props["x"].astype(object)
    props.loc[1, "x"] = "ten"
    with pytest.raises(ValueError, match=r"Column 'x' has non-numeric values \('ten'\) at row 1\. Fix:"):
        function(props, "x", "n")


def test_true_false_is_not_numeric(props):
    props["x"] = [True, False, True]
    with pytest.raises(TypeError, match="Column 'x' holds true/false values"):
        rates.proportion(props, "x", "n")


@pytest.mark.parametrize(("confidence", "message"), [
    (1.5, r"confidence level 1\.5 is not between 0 and 1.*Fix: pass a proportion, e\.g\. 0\.95"),
    (95, r"confidence level 95 is not between 0 and 1 \(exclusive\)\. For 95% pass 0\.95\."),
    ((0.95, 99.8), r"For 99\.8% pass 0\.998\."),
    (0, "confidence level 0 is not between 0 and 1"),
    (1, "confidence level 1 is not between 0 and 1"),
    ((0.95, 0.95), r"repeats a level"),
    ((), "confidence is empty"),
])
def test_unknown_confidence_level(props, confidence, message):
    for function in (rates.proportion, rates.rate):
        with pytest.raises(ValueError, match=message):
            function(props, "x", "n", confidence=confidence)
    with pytest.raises(ValueError, match=message):
        rates.mean(props, "x", confidence=confidence)


@pytest.mark.parametrize("confidence", ["95%", None, True])
def test_confidence_must_be_a_number(props, confidence):
    with pytest.raises(TypeError, match="is not a number. Fix: pass e.g. 0.95"):
        rates.rate(props, "x", "n", confidence=confidence)


@pytest.mark.parametrize("multiplier", [0, -100, np.nan, "100", True])
def test_bad_multiplier(props, multiplier):
    with pytest.raises(ValueError, match="multiplier must be a number greater than 0"):
        rates.rate(props, "x", "n", multiplier=multiplier)


def test_unknown_columns_and_by(props):
    with pytest.raises(KeyError, match=r"Column\(s\) \['cases'\] not found in data"):
        rates.proportion(props, "cases", "n")
    with pytest.raises(KeyError, match=r"\['region'\] not found"):
        rates.rate(props, "x", "n", by="region")
    with pytest.raises(TypeError, match="by must be a column name or a list"):
        rates.rate(props, "x", "n", by=3)
    with pytest.raises(TypeError, match="data must be a pandas DataFrame, not dict"):
        rates.rate(props.to_dict(), "x", "n")
    with pytest.raises(ValueError, match="data has no rows"):
        rates.rate(props.iloc[:0], "x", "n")


def test_output_column_clash(props):
    with pytest.raises(ValueError, match=r"data already has column\(s\) \['value'\].*rename"):
        rates.rate(props.rename(columns={"area": "value"}), "x", "n")


def test_dsr_negative_counts_zero_and_negative_populations(shared_reference):
    sysdata = shared_reference / "inequality" / "pheim_testdata" / "sysdata"
    with pytest.raises(ValueError, match=r"Column 'count' has negative counts at row 5\."):
        rates.dsr(pd.read_csv(sysdata / "test_err1.csv"), "count", "pop")
    with pytest.raises(ValueError, match=r"Column 'pop' has a zero or negative population at row 1\."):
        rates.dsr(pd.read_csv(sysdata / "test_err2_esp.csv"), "count", "pop", by="area")
    with pytest.raises(ValueError, match=r"Column 'pop' has a zero or negative population at row 1\."):
        rates.dsr(pd.read_csv(sysdata / "test_err3.csv"), "count", "pop")
    with pytest.raises(ValueError, match=r"Column 'stdpop' \(standard population\) is missing, zero or "
                                         r"negative at row 5\."):
        rates.dsr(pd.read_csv(sysdata / "test_err4.csv"), "count", "pop", standard="stdpop")


def test_dsr_wrong_number_of_age_bands():
    data = esp_rows()
    short = data.drop(index=18)  # area A loses its 90+ row
    with pytest.raises(ValueError, match=r"group area='A' has 18 rows but ESP2013 has 19 age bands \(1 "
                                         r"group\(s\) differ\)\. Fix: give each group one row per age band"):
        rates.dsr(short, "x", "n", by="area")
    with pytest.raises(ValueError, match=r"group area='A' has no row for age band '90\+'.*wrong number of "
                                         r"age bands\)\. Fix: add the band"):
        rates.dsr(short, "x", "n", by="area", age_band="age_band")
    with pytest.raises(ValueError, match=r"has 19 rows but the standard population has 18 age bands"):
        rates.dsr(data, "x", "n", by="area", standard=[1000] * 18)
    weighted = data.assign(w=np.tile(rates.ESP2013["weight"], 2)).drop(index=20)  # B loses a band
    with pytest.raises(ValueError, match=r"group area='A' has 19 age bands but group area='B' has 18 \(wrong "
                                         r"number of age bands\)\. Fix: "):
        rates.dsr(weighted, "x", "n", by="area", standard="w")
    with pytest.raises(ValueError, match=r"group area='A' has 19 age bands but group area='B' has 18"):
        rates.dsr(weighted, "x", "n", by="area", standard="w", age_band="age_band")
    unlabelled = data.assign(age_band=data["age_band"].where(data.index != 4))
    with pytest.raises(ValueError, match=r"Column 'age_band' \(age band\) is missing at row 4\."):
        rates.dsr(unlabelled, "x", "n", by="area", age_band="age_band")
    relabelled = data.replace({"age_band": {"85-89": "85+", "90+": "85+"}})
    with pytest.raises(ValueError, match=r"Column 'age_band' has age band\(s\) \['85\+'\] not in the "
                                         r"standard"):
        rates.dsr(relabelled, "x", "n", by="area", age_band="age_band")


def test_dsr_duplicated_band_and_labels_read_loosely():
    data = esp_rows()
    twice = data.copy()
    twice.loc[1, "age_band"] = "0-4"
    with pytest.raises(ValueError, match=r"An age band appears twice within a group at row 1\. Fix: "):
        rates.dsr(twice, "x", "n", by="area", age_band="age_band")
    loose = data.copy()
    loose["age_band"] = loose["age_band"].str.replace(r"^(\d)-(\d)$", r"0\1 - 0\2", regex=True)
    loose["age_band"] = loose["age_band"].replace({"90+": "90 and over"})
    assert loose["age_band"].iloc[0] == "00 - 04"
    pd.testing.assert_frame_equal(rates.dsr(loose, "x", "n", by="area", age_band="age_band"),
                                  rates.dsr(data, "x", "n", by="area"))


def test_dsr_non_independent_inputs(shared_reference):
    sysdata = shared_reference / "inequality" / "pheim_testdata" / "sysdata"
    good = pd.read_csv(sysdata / "test_DSR_nonind.csv")
    with pytest.raises(ValueError, match="With event_frequency, dsr needs age_band="):
        rates.dsr(good, "persons", "pop", by="area", event_frequency="freq", standard="esp2013")
    err1 = pd.read_csv(sysdata / "test_DSR_nonind_err1.csv")
    with pytest.raises(ValueError, match=r"Column 'pop' \(population\) differs between the "
                                         r"event-frequency rows of one group and age band at rows "):
        rates.dsr(err1, "persons", "pop", by="area", age_band="ageband", event_frequency="freq",
                  standard="esp2013")
    err2 = pd.read_csv(sysdata / "test_DSR_nonind_err2.csv")
    with pytest.raises(ValueError, match=r"Column 'esp2013' \(standard weight\) differs between"):
        rates.dsr(err2, "persons", "pop", by="area", age_band="ageband", event_frequency="freq",
                  standard="esp2013")
    bad_freq = good.assign(freq=good["freq"] - 0.5)
    with pytest.raises(ValueError, match=r"Column 'freq' \(events per person\) is missing or not a whole "):
        rates.dsr(bad_freq, "persons", "pop", by="area", age_band="ageband", event_frequency="freq",
                  standard="esp2013")


def test_dsr_options_checked():
    data = esp_rows()
    with pytest.raises(ValueError, match="count_limits='normal' is not one of"):
        rates.dsr(data, "x", "n", by="area", count_limits="normal")
    with pytest.raises(ValueError, match="min_count must be a whole number"):
        rates.dsr(data, "x", "n", by="area", min_count=0)
    with pytest.raises(TypeError, match="standard must be None"):
        rates.dsr(data, "x", "n", by="area", standard=3)
    with pytest.raises(ValueError, match="standard population weights must be one or more numbers greater"):
        rates.dsr(data, "x", "n", by="area", standard=[-1] * 19)


def test_isr_without_reference():
    data = esp_rows()
    with pytest.raises(ValueError, match=r"isr needs the reference population's events and population "
                                         r"per age band; reference_numerator and reference_denominator not "
                                         r"given\. Fix: pass reference_numerator= and "
                                         r"reference_denominator="):
        rates.isr(data, "x", "n", by="area")
    with pytest.raises(ValueError, match=r"; reference_denominator not given\."):
        rates.isr(data, "x", "n", by="area", reference_numerator=[1] * 19)


def test_isr_reference_problems():
    data = esp_rows()
    with pytest.raises(ValueError, match=r"reference_numerator has 18 values but group area='A' has 19 "
                                         r"rows\. Fix:"):
        rates.isr(data, "x", "n", by="area", reference_numerator=[10] * 18,
                  reference_denominator=[1000] * 19)
    with pytest.raises(ValueError, match="reference_denominator has missing, zero or negative reference "
                                         "populations"):
        rates.isr(data, "x", "n", by="area", reference_numerator=[10] * 19,
                  reference_denominator=[0] + [1000] * 18)
    with pytest.raises(ValueError, match="statistic='smr' is not one of"):
        rates.isr(data, "x", "n", by="area", reference_numerator=[10] * 19,
                  reference_denominator=[1000] * 19, statistic="smr")
    with pytest.raises(ValueError, match=r"group area='A' has 0 expected events"):
        rates.isr(data.assign(n=np.where(data["area"] == "A", 0, 1000)), "x", "n", by="area",
                  reference_numerator=[10] * 19, reference_denominator=[1000] * 19)
    with pytest.raises(ValueError, match=r"Column 'x' has negative counts at row 3"):
        rates.isr(data.assign(x=np.where(data.index == 3, -1, 3)), "x", "n", by="area",
                  reference_numerator=[10] * 19, reference_denominator=[1000] * 19)


def test_dsr_sum_rows_checked():
    data = pd.concat([esp_rows().assign(sex="F"), esp_rows().assign(sex="M")], ignore_index=True)
    with pytest.raises(ValueError, match=r"sum_rows=True needs age_band="):
        rates.dsr(data, "x", "n", by="area", sum_rows=True)
    with pytest.raises(ValueError, match=r"sum_rows=True cannot be used with event_frequency"):
        rates.dsr(data.assign(f=1), "x", "n", by="area", age_band="age_band", event_frequency="f",
                  sum_rows=True)
    with pytest.raises(TypeError, match=r"sum_rows must be True or False, not 'yes'"):
        rates.dsr(data, "x", "n", by="area", age_band="age_band", sum_rows="yes")
    # a missing population is still an error, not skipped by the sum
    gap = data.assign(n=data["n"].where(data.index != 25))
    with pytest.raises(ValueError, match=r"Column 'n' has a missing population at row 25\."):
        rates.dsr(gap, "x", "n", by="area", age_band="age_band", sum_rows=True)
    weighted = data.assign(w=np.tile(rates.ESP2013["weight"], 4))
    weighted.loc[40, "w"] = 1.0  # area A's 0-4 weight for men differs from women's
    with pytest.raises(ValueError, match=r"Column 'w' \(standard weight\) differs between the rows \(summed "
                                         r"with sum_rows=True\) of one group and age band at row 40\."):
        rates.dsr(weighted, "x", "n", by="area", age_band="age_band", standard="w", sum_rows=True)


def test_dsr_sum_rows_adds_up_loosely_read_bands_and_keeps_dtypes():
    data = pd.concat([esp_rows().assign(sex="F"), esp_rows().assign(sex="M")], ignore_index=True)
    data["area"] = pd.Categorical(data["area"], categories=["B", "A", "C"], ordered=True)
    loose = data.copy()
    relabel = {"0-4": "00-04", "90+": "90 and over"}
    loose.loc[loose["sex"] == "M", "age_band"] = loose["age_band"].replace(relabel)
    summed = rates.dsr(loose, "x", "n", by="area", age_band="age_band", sum_rows=True)
    assert summed["area"].dtype == data["area"].dtype
    assert list(summed["area"]) == ["B", "A"]
    assert (summed["total_count"] == 2 * 3 * 19).all() and (summed["total_pop"] == 2 * 1000 * 19).all()
    expected = rates.dsr(esp_rows(count=6, pop=2000), "x", "n", by="area")
    np.testing.assert_allclose(summed.set_index(summed["area"].astype(str)).loc[["A", "B"], "value"],
                               expected["value"], rtol=1e-12)
    # without sum_rows a band given twice stays an error
    with pytest.raises(ValueError, match=r"An age band appears twice within a group"):
        rates.dsr(data, "x", "n", by="area", age_band="age_band")


def test_vocabulary_names_and_no_old_names(props):
    """Issue 11: numerator/denominator, value, reference_numerator/reference_denominator; no aliases."""
    by_keyword = rates.proportion(data=props, numerator="x", denominator="n")
    pd.testing.assert_frame_equal(by_keyword, rates.proportion(props, "x", "n"))
    rates.rate(props, numerator="x", denominator="n", by="area")
    assert rates.mean(props, value="x")["value"].iloc[0] == pytest.approx(35 / 3)
    data = esp_rows()
    rates.dsr(data, numerator="x", denominator="n", by="area")
    rates.isr(data, numerator="x", denominator="n", by="area", reference_numerator=[10] * 19,
              reference_denominator=[1000] * 19)
    for call in (lambda: rates.proportion(props, x="x", n="n"), lambda: rates.rate(props, x="x", n="n"),
                 lambda: rates.mean(props, x="x"), lambda: rates.dsr(data, x="x", n="n", by="area"),
                 lambda: rates.isr(data, "x", "n", by="area", x_ref=[10] * 19, n_ref=[1000] * 19)):
        with pytest.raises(TypeError, match="unexpected keyword argument"):
            call()
    with pytest.raises(TypeError, match="numerator must name a column of data, not None. Fix: pass "
                                        "numerator='<column name>'"):
        rates.proportion(props, None, "n")
