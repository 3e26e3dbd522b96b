"""equity_lib.rates against PHEindicatormethods 2.1.0: the shared reference outputs (expected/) and the
package's own expected-value tables (pheim_testdata/sysdata), to 1e-9 relative.

Where the reference keeps rows our functions refuse (a missing denominator), those rows are left out
here and their error is tested in test_rates_inputs.py. The four cells of test_DSR_results that the
reference README documents as wrong (the 99.8% limits of both testdata_1976 rows) are not used.
"""

import numpy as np
import pandas as pd
import pytest
import yaml

from equity_lib import rates

RTOL = 1e-9
LIMITS = [("lower_95", "lower95_0cl"), ("upper_95", "upper95_0cl"),
          ("lower_99_8", "lower99_8cl"), ("upper_99_8", "upper99_8cl")]


def close(actual, expected, rtol=RTOL):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=rtol, atol=0, equal_nan=True)


@pytest.fixture(scope="module")
def ref(shared_reference):
    return shared_reference / "inequality"


def sysdata(ref, name):
    return pd.read_csv(ref / "pheim_testdata" / "sysdata" / f"{name}.csv")


def test_esp2013_matches_the_synthetic_parameters(shared_reference):
    path = shared_reference / "design" / "synthetic_parameters.yaml"
    esp = yaml.safe_load(path.read_text())["esp2013_weights"]
    assert list(rates.ESP2013["age_band"]) == esp["bands"]
    assert list(rates.ESP2013["weight"]) == esp["weights"]
    assert rates.ESP2013["weight"].sum() == esp["total"] == 100_000


def test_proportions_wilson_95(ref):
    expected = pd.read_csv(ref / "expected" / "proportions_wilson_95.csv")
    out = rates.proportion(expected[["case", "x", "n"]], "x", "n")
    assert list(out.columns) == ["case", "x", "n", "value", "lower_95", "upper_95"]
    close(out["value"], expected["value"])
    close(out["lower_95"], expected["lowercl"])
    close(out["upper_95"], expected["uppercl"])


def test_rates_exact_and_byar_95(ref):
    expected = pd.read_csv(ref / "expected" / "rates_byars_95.csv")
    out = rates.rate(expected[["case", "x", "n"]], "x", "n", multiplier=100_000)
    close(out["value"], expected["value"])
    close(out["lower_95"], expected["lowercl"])
    close(out["upper_95"], expected["uppercl"])
    assert list(out["method"]) == [{"Exact": "exact", "Byars": "byar"}[m] for m in expected["method"]]


@pytest.mark.parametrize("multiplier", [1, 100])
def test_pheim_proportions_two_levels(ref, multiplier):
    table = sysdata(ref, "test_Prop")
    table = table[(table["multiplier"] == multiplier) & table["Denominator"].notna()]
    out = rates.proportion(table[["Area", "Numerator", "Denominator"]], "Numerator", "Denominator",
                           confidence=(0.95, 0.998), multiplier=multiplier)
    close(out["value"], table["value"])
    for ours, theirs in LIMITS:
        close(out[ours], table[theirs])


def test_pheim_proportions_grouped(ref):
    data = sysdata(ref, "test_Prop_g")
    data = data[data["Denominator"].notna()]
    out = rates.proportion(data[["Area", "Numerator", "Denominator"]], "Numerator", "Denominator", by="Area")
    expected = sysdata(ref, "test_Prop_g_results").set_index("Area").loc[out["Area"]]
    close(out["Numerator"], expected["Numerator"])
    close(out["Denominator"], expected["Denominator"])
    close(out["value"], expected["value"])
    close(out["lower_95"], expected["lowercl"])
    close(out["upper_95"], expected["uppercl"])


@pytest.mark.parametrize("multiplier", [100, 100_000])
def test_pheim_rates_two_levels(ref, multiplier):
    table = sysdata(ref, "test_Rate")
    table = table[(table["multiplier"] == multiplier) & table["Denominator"].notna()]
    out = rates.rate(table[["Area", "Numerator", "Denominator"]], "Numerator", "Denominator",
                     confidence=(0.95, 0.998), multiplier=multiplier)
    close(out["value"], table["value"])
    for ours, theirs in LIMITS:
        close(out[ours], table[theirs])
    method = table["method"].map({"Exact": "exact", "Byars": "byar"})
    assert list(out["method"].fillna("none")) == list(method.fillna("none"))


def test_pheim_rates_grouped(ref):
    data = sysdata(ref, "test_Rate_g")
    data = data[data["Denominator"].notna()]
    out = rates.rate(data[["Area", "Numerator", "Denominator"]], "Numerator", "Denominator", by="Area")
    expected = sysdata(ref, "test_Rate_g_results").set_index("Area").loc[out["Area"]]
    close(out["value"], expected["value"])
    close(out["lower_95"], expected["lowercl"])
    close(out["upper_95"], expected["uppercl"])


def test_pheim_byar_and_wilson_internals(ref):
    table = sysdata(ref, "test_BW")
    for row in table.itertuples():
        level = {"95%": 0.95, "99.8%": 0.998}[row.confidence]
        if row.method == "Byars":
            lower, upper = rates.byar_limits(row.x, level)
        else:
            lower, upper = rates.wilson_limits(row.x, row.n, level)
        close([lower, upper], [row.lowercl, row.uppercl])  # x = 1 at 99.8%: Byar's lower is NaN, as PHE


def test_pheim_means(ref):
    data = sysdata(ref, "test_Mean")
    grouped = rates.mean(data, "values", by="area", confidence=(0.95, 0.998))
    whole = rates.mean(data, "values", confidence=(0.95, 0.998))
    out = pd.concat([grouped, whole], ignore_index=True)
    expected = sysdata(ref, "test_Mean_results")
    for column in ("value_sum", "value_count", "stdev", "value"):
        close(out[column], expected[column])
    for ours, theirs in LIMITS:
        close(out[ours], expected[theirs])


def test_dsr_dobson_95(ref):
    data = pd.read_csv(ref / "inputs" / "in_dsr.csv")
    expected = pd.read_csv(ref / "expected" / "dsr_dobson_95.csv")
    # rows matched to ESP2013 by position, by band label, and by the input's own esp2013 column
    for kwargs in ({}, {"age_band": "ageband"}, {"standard": "esp2013"}):
        out = rates.dsr(data, "x", "n", by="area", **kwargs)
        close(out["total_count"], expected["total_count"])
        close(out["total_pop"], expected["total_pop"])
        close(out["value"], expected["value"])
        close(out["lower_95"], expected["lowercl"])
        close(out["upper_95"], expected["uppercl"])
        withheld = expected["value"].isna().to_numpy()
        assert out["reason"].notna().to_numpy().tolist() == withheld.tolist()


@pytest.mark.parametrize(("multiplier", "rows"), [(10_000, [0, 1, 2]), (100_000, [4, 5, 6])])
def test_pheim_dsr_two_levels(ref, multiplier, rows):
    data = sysdata(ref, "test_multiarea")
    expected = sysdata(ref, "test_DSR_results").iloc[rows].reset_index(drop=True)
    out = rates.dsr(data, "count", "pop", by="area", multiplier=multiplier, confidence=(0.95, 0.998))
    assert list(out["area"]) == list(expected["area"])
    close(out["total_count"], expected["total_count"])
    close(out["total_pop"], expected["total_pop"])
    close(out["value"], expected["value"])
    for ours, theirs in LIMITS:
        close(out[ours], expected[theirs])


@pytest.mark.parametrize(("multiplier", "row"), [(10_000, 3), (100_000, 7)])
def test_pheim_dsr_own_standard_1976(ref, multiplier, row):
    """An 18-band standard (ESP 1976) given as a column. Only the 95% cells: the 99.8% ones are wrong."""
    data = sysdata(ref, "test_DSR_1976")
    expected = sysdata(ref, "test_DSR_results").iloc[row]
    out = rates.dsr(data, "count", "pop", standard="esp1976", multiplier=multiplier)
    close(out[["total_count", "total_pop", "value", "lower_95", "upper_95"]].iloc[0],
          expected[["total_count", "total_pop", "value", "lower95_0cl", "upper95_0cl"]])
    as_list = rates.dsr(data, "count", "pop", standard=list(data["esp1976"]), multiplier=multiplier)
    close(as_list["value"], out["value"])


def test_pheim_dsr_non_independent_events(ref):
    data = sysdata(ref, "test_DSR_nonind")
    expected = sysdata(ref, "test_DSR_results").iloc[8:12].reset_index(drop=True)
    out = rates.dsr(data, "persons", "pop", by="area", age_band="ageband", event_frequency="freq",
                    standard="esp2013", confidence=(0.95, 0.998))
    close(out["total_count"], expected["total_count"])
    close(out["total_pop"], expected["total_pop"])
    close(out["value"], expected["value"])
    for ours, theirs in LIMITS:
        close(out[ours], expected[theirs])


ISR_COLUMNS = [("observed", "observed"), ("expected", "expected"), ("value", "value"), *LIMITS]


@pytest.mark.parametrize(("statistic", "multiplier", "rows"), [
    ("rate", 100_000, [0, 1, 2]), ("rate", 1000, [3, 4, 5]),
    ("ratio", 1, [6, 7, 8]), ("ratio", 100, [9, 10, 11]),
])
def test_pheim_isr(ref, statistic, multiplier, rows):
    data = sysdata(ref, "test_multiarea")
    reference = sysdata(ref, "test_ISR_refdata")
    expected = sysdata(ref, "test_ISR_results").iloc[rows].reset_index(drop=True)
    out = rates.isr(data, "count", "pop", reference_numerator=reference["refcount"],
                    reference_denominator=reference["refpop"], by="area",
                    statistic=statistic, multiplier=multiplier, confidence=(0.95, 0.998))
    for ours, theirs in ISR_COLUMNS:
        close(out[ours], expected[theirs])
    if statistic == "rate":
        close(out["ref_rate"], expected["ref_rate"])
    assert list(out["method"]) == [{"Exact": "exact", "Byars": "byar"}[m] for m in expected["method"]]


@pytest.mark.parametrize(("statistic", "multiplier", "rows"), [("rate", 100_000, [12, 13]),
                                                               ("ratio", 100, [14, 15])])
def test_pheim_isr_zero_population_band(ref, statistic, multiplier, rows):
    data = sysdata(ref, "test_err2")
    reference = sysdata(ref, "test_ISR_refdata")
    expected = sysdata(ref, "test_ISR_results").iloc[rows].reset_index(drop=True)
    out = rates.isr(data, "count", "pop", reference_numerator=list(reference["refcount"]),
                    reference_denominator=reference["refpop"].to_numpy(), by="area", statistic=statistic,
                    multiplier=multiplier)
    for ours, theirs in ISR_COLUMNS[:5]:
        close(out[ours], expected[theirs])


def test_pheim_isr_reference_as_columns_and_missing_reference_count(ref):
    own = sysdata(ref, "test_ISR_ownref")
    # testdata_tiny has no population in a band whose reference count is 0 (missing); it adds no
    # expected events either way, and a missing population is an error here, so it is filled with 0.
    own["pop"] = own["pop"].fillna(0)
    expected = sysdata(ref, "test_ISR_results").iloc[6:9].reset_index(drop=True)
    out = rates.isr(own, "count", "pop", reference_numerator="refcount", reference_denominator="refpop",
                    by="area")
    close(out["value"], expected["value"])
    close(out["lower_95"], expected["lower95_0cl"])
    reference = sysdata(ref, "test_ISR_refdata")
    with_missing = reference["refcount"].astype(float).copy()
    with_missing.iloc[2] = np.nan  # a missing reference count reads as 0, as PHE
    out = rates.isr(sysdata(ref, "test_multiarea"), "count", "pop", reference_numerator=with_missing,
                    reference_denominator=reference["refpop"], by="area")
    close(out["value"], expected["value"])


def test_isratio_95_ref1(ref):
    data = pd.read_csv(ref / "inputs" / "in_isr.csv")
    expected = pd.read_csv(ref / "expected" / "isratio_95_ref1.csv")
    out = rates.isr(data, "x", "n", reference_numerator="x_ref", reference_denominator="n_ref",
                    by="area")
    for ours, theirs in [("observed", "observed"), ("expected", "expected"), ("value", "value"),
                         ("lower_95", "lowercl"), ("upper_95", "uppercl")]:
        close(out[ours], expected[theirs])
