"""equity_lib.inequality against PHEindicatormethods 2.1.0 and WHO healthequal 1.0.1 (../shared reference).

* Quantiles: expected/quantiles_5_invert.csv and every group of PHE's own test_quantiles tables, exactly.
* SII: point estimates (SII, RII, intercept) to 1e-9 relative for every reference case; analytic limits
  to 1e-9 against sii_normal_analytic_limits_HAND.csv; simulated limits within Monte Carlo tolerance:
  4 x the combined seed-to-seed SD of R's (sii_normal_se_seeds1to20_SUMMARY.csv) and our limits (both
  100,000 repetitions); PHE's own SII_test_data limits (from PHE's Excel tool) within PHE's tolerance, 5%.
* HEAT summary measures: expected/quintiles_summary_measures.csv to 1e-9.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from equity_lib import assign_quantiles, concentration_index, sii, summary_measures

RTOL = 1e-9
LIMIT_COLUMNS = ["sii_lower", "sii_upper", "rii_lower", "rii_upper"]


@pytest.fixture(scope="module")
def ref(shared_reference):
    return shared_reference / "inequality"


def sysdata(ref, name):
    return pd.read_csv(ref / "pheim_testdata" / "sysdata" / f"{name}.csv")


# --------------------------------------------------------------------------------------------------
# Quantiles
# --------------------------------------------------------------------------------------------------

def test_quantiles_5_invert(ref):
    data = pd.read_csv(ref / "inputs" / "in_quantiles.csv")
    expected = pd.read_csv(ref / "expected" / "quantiles_5_invert.csv")
    out = assign_quantiles(data, "score", 5, invert=True)
    assert out["quantile"].isna().tolist() == expected["quantile"].isna().tolist()
    assert out["quantile"].dropna().astype(int).tolist() == expected["quantile"].dropna().astype(int).tolist()
    assert (out["nquantiles"] == 5).all()
    assert (out["qinverted"] == expected["qinverted"]).all()


def _pheim_quantile_sets(table):
    """PHE's test_quantiles tables: (rows, by, nquantiles) for each group set its tests assign."""
    names = {"Half": 2, "Tertile": 3, "Quartile": 4, "Quintile": 5, "Sextile": 6, "Septile": 7,
             "Octile": 8, "Decile": 10}
    by = {"IndSex": ["IndSexRef"], "IndSexReg": ["IndSexRef", "ParentCode"], "none": []}
    table = table.assign(GroupSet=table["GroupSet"].fillna("none"))
    for (group_set, name), rows in table.groupby(["GroupSet", "QuantileNm"]):
        if group_set == "none":
            # One ungrouped assignment over all of these rows; PHE's test passes invert=TRUE.
            yield rows, [], names[name], True
        else:
            yield rows, by[group_set], names[name], "Polarity"


@pytest.mark.parametrize("name", ["test_quantiles_ug", "test_quantiles_g"])
def test_pheim_quantile_tables(ref, name):
    table = sysdata(ref, name)
    checked = 0
    for rows, by, nq, invert in _pheim_quantile_sets(table):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # groups with fewer areas than quantiles
            out = assign_quantiles(rows, "Value", nq, by=by or None, invert=invert)
        expected = rows["QuantileInGrp"]
        assert out["quantile"].isna().tolist() == expected.isna().tolist()
        assert (out["quantile"].dropna().astype(int) == expected.dropna().astype(int)).all()
        checked += len(rows)
    assert checked == len(table)


def test_pheim_quantile_small_group_warns_and_is_missing(ref):
    table = sysdata(ref, "test_quantiles_ug")
    rows = table[(table["GroupSet"] == "IndSexReg") & (table["Test"] == "Gooddata")]
    with pytest.warns(UserWarning, match="fewer values than the 10 quantiles"):
        out = assign_quantiles(rows, "Value", 10, by=["IndSexRef", "ParentCode"], invert="Polarity")
    small = rows.groupby(["IndSexRef", "ParentCode"])["Value"].transform("count") < 10
    assert out.loc[small.to_numpy(), "quantile"].isna().all()


def test_pheim_quantile_bad_polarity(ref):
    rows = sysdata(ref, "test_quantiles_fail")
    with pytest.raises(ValueError, match="'Polarity' \\(invert\\) is not the same throughout IndSexRef="):
        assign_quantiles(rows, "Value", 7, by="IndSexRef", invert="Polarity")


# --------------------------------------------------------------------------------------------------
# SII: expected/ (R 2.1.0 runs)
# --------------------------------------------------------------------------------------------------

def test_sii_normal_point_estimates(ref):
    data = pd.read_csv(ref / "inputs" / "in_sii_normal.csv")
    expected = pd.read_csv(ref / "expected" / "sii_normal_se_seed42.csv")
    out = sii(data, "decile", "population", "value", se="se", by="area", limits=None)
    for column in ("sii", "rii", "intercept"):
        np.testing.assert_allclose(out[column], expected[column], rtol=RTOL)


def test_sii_normal_analytic_limits(ref):
    data = pd.read_csv(ref / "inputs" / "in_sii_normal.csv")
    hand = pd.read_csv(ref / "expected" / "sii_normal_analytic_limits_HAND.csv")
    out = sii(data, "decile", "population", "value", se="se", by="area", limits="analytic",
              confidence=(0.95, 0.998))
    pairs = [("sii", "sii"), ("intercept", "intercept"), ("rii", "rii"),
             ("sii_lower_95", "sii_lower95_0_analytic"), ("sii_upper_95", "sii_upper95_0_analytic"),
             ("sii_lower_99_8", "sii_lower99_8_analytic"), ("sii_upper_99_8", "sii_upper99_8_analytic")]
    for ours, theirs in pairs:
        np.testing.assert_allclose(out[ours], hand[theirs], rtol=RTOL)
    # CLs instead of se give the same limits (se = (U - L) / (2 x 1.959964)).
    via_cls = sii(data, "decile", "population", "value", lower_cl="lowercl", upper_cl="uppercl", by="area",
                  limits="analytic", confidence=(0.95, 0.998))
    np.testing.assert_allclose(via_cls["sii_lower_99_8"], hand["sii_lower99_8_analytic"], rtol=1e-7)


def test_sii_normal_simulated_limits_within_monte_carlo_error(ref):
    data = pd.read_csv(ref / "inputs" / "in_sii_normal.csv")
    summary = pd.read_csv(ref / "expected" / "sii_normal_se_seeds1to20_SUMMARY.csv")
    seed42 = pd.read_csv(ref / "expected" / "sii_normal_se_seed42.csv").set_index("area")
    out = sii(data, "decile", "population", "value", se="se", by="area", repetitions=100_000,
              confidence=(0.95, 0.998), seed=20260601).set_index("area")
    names = {"sii_lower95_0cl": "sii_lower_95", "sii_upper95_0cl": "sii_upper_95",
             "sii_lower99_8cl": "sii_lower_99_8", "sii_upper99_8cl": "sii_upper_99_8",
             "rii_lower95_0cl": "rii_lower_95", "rii_upper95_0cl": "rii_upper_95",
             "rii_lower99_8cl": "rii_lower_99_8", "rii_upper99_8cl": "rii_upper_99_8"}
    for _, row in summary.iterrows():
        ours = out.loc[row["area"], names[row["limit"]]]
        # Our limit and R's mean of 20 seeds each have about R's seed-to-seed SD: 4 SD of their difference.
        tolerance = 4 * np.sqrt(row["sd"] ** 2 + row["sd"] ** 2 / 20)
        assert abs(ours - row["mean"]) < tolerance, (row["area"], row["limit"], ours, row["mean"])
        # and the seed-42 run itself, within R's spread plus ours
        assert abs(ours - seed42.loc[row["area"], row["limit"]]) < 4 * np.sqrt(2) * row["sd"]


def test_sii_proportion_quintiles(ref):
    data = pd.read_csv(ref / "expected" / "sii_proportion_quintiles_INPUT_with_wilson.csv")
    expected = pd.read_csv(ref / "expected" / "sii_proportion_quintiles_seed42.csv").iloc[0]
    runs = [sii(data, "quintile", "population", numerator="x", value_type=2, lower_cl="lowercl",
                upper_cl="uppercl", repetitions=100_000, multiplier=100, seed=seed) for seed in range(8)]
    first = runs[0].iloc[0]
    np.testing.assert_allclose(first["sii"], expected["sii"], rtol=RTOL)
    np.testing.assert_allclose(first["rii"], expected["rii"], rtol=RTOL)
    # PHEindicatormethods' intercept for an untransformed proportion stays on the 0-1 scale.
    np.testing.assert_allclose(first["intercept"], expected["intercept"], rtol=RTOL)
    both = sii(data, "quintile", "population", numerator="x", value_type=2, lower_cl="lowercl",
               upper_cl="uppercl", limits=None, multiplier=100, pheim_intercept=False).iloc[0]
    np.testing.assert_allclose(both["intercept"], 100 * expected["intercept"], rtol=RTOL)
    ours = pd.DataFrame([r.iloc[0] for r in runs])
    for ours_name, theirs in [("sii_lower_95", "sii_lower95_0cl"), ("sii_upper_95", "sii_upper95_0cl"),
                              ("rii_lower_95", "rii_lower95_0cl"), ("rii_upper_95", "rii_upper95_0cl")]:
        spread = ours[ours_name].astype(float).std()
        # R's single run and our mean of 8 differ by about spread * sqrt(1 + 1/8): allow 4 of those.
        assert abs(ours[ours_name].astype(float).mean() - expected[theirs]) < 4 * spread * np.sqrt(1 + 1 / 8)
        assert spread / abs(expected[theirs]) < 0.005


# --------------------------------------------------------------------------------------------------
# SII: PHEindicatormethods' own test table (SII_test_data; limits from PHE's Excel tool)
# --------------------------------------------------------------------------------------------------

CL = dict(value="Value", lower_cl="LowerCL", upper_cl="UpperCL")
SE = dict(value="Value", se="StandardError")
PHEIM_CASES = [  # (input rows, expected rows, arguments): the calls of PHEindicatormethods' testSII.R
    ((1, 20), (1, 11), dict(value_type=0, **SE)),
    ((1, 20), (1, 11), dict(value_type=0, **CL)),
    ((1, 20), (246, 256), dict(value_type=0, **CL)),
    ((21, 40), (21, 31), dict(value_type=0, confidence=0.99, **CL)),
    ((226, 245), (226, 236), dict(value_type=0, confidence=(0.95, 0.99), **SE)),
    ((41, 60), (41, 51), dict(value_type=0, **SE)),
    ((61, 70), (61, 66), dict(value_type=0, **SE)),
    ((71, 90), (71, 81), dict(value_type=1, **SE)),
    ((71, 90), (71, 81), dict(value_type=1, **CL)),
    ((71, 90), (266, 276), dict(value_type=1, **CL)),
    ((306, 325), (306, 316), dict(value_type=1, transform=True, **CL)),
    ((386, 405), (386, 396), dict(value_type=1, transform=True, multiplier=-1, **CL)),
    ((406, 425), (406, 416), dict(value_type=1, transform=True, confidence=0.98, **CL)),
    ((366, 385), (366, 376), dict(value_type=1, transform=True, confidence=(0.95, 0.98), **CL)),
    ((426, 445), (426, 436), dict(value_type=1, transform=True, **CL)),
    ((91, 110), (91, 101), dict(value_type=2, **SE)),
    ((91, 110), (91, 101), dict(value_type=2, **CL)),
    ((91, 110), (91, 101), dict(value_type=2, numerator="Count", lower_cl="LowerCL", upper_cl="UpperCL")),
    ((91, 110), (286, 296), dict(value_type=2, **CL)),
    ((111, 130), (111, 121), dict(value_type=2, multiplier=100, **CL)),
    ((131, 150), (131, 141), dict(value_type=2, multiplier=-100, **CL)),
    ((326, 345), (326, 336), dict(value_type=2, transform=True, **CL)),
    ((346, 365), (346, 356), dict(value_type=2, transform=True, multiplier=-1, **CL)),
    ((466, 485), (466, 476), dict(value_type=2, transform=True, confidence=0.98, **CL)),
    ((486, 505), (486, 496), dict(value_type=2, transform=True, confidence=(0.95, 0.98), **CL)),
    ((446, 465), (446, 456), dict(value_type=2, transform=True, **CL)),
]


@pytest.mark.parametrize("rows, expect, kwargs", PHEIM_CASES, ids=[f"rows{c[0][0]}-{c[0][1]}_{i}"
                                                                   for i, c in enumerate(PHEIM_CASES)])
def test_sii_pheim_test_table(ref, rows, expect, kwargs):
    table = sysdata(ref, "SII_test_data")
    data = table.iloc[rows[0] - 1:rows[1]]
    expected = table.iloc[[expect[0] - 1, expect[1] - 1]].set_index("Area")
    kwargs = dict(kwargs)
    levels = kwargs.pop("confidence", 0.95)
    levels = levels if isinstance(levels, tuple) else (levels,)
    out = sii(data, "Quantile", "Population", by="Area", confidence=levels, repetitions=20_000, seed=11,
              **kwargs).set_index("Area")
    for area, row in out.iterrows():
        want = expected.loc[area]
        for ours, theirs in (("sii", "sii"), ("rii", "rii"), ("intercept", "Intercept")):
            if pd.notna(want[theirs]):
                np.testing.assert_allclose(row[ours], want[theirs], rtol=RTOL)
        for k, level in enumerate(levels, start=1):
            suffix = f"{round(level * 100, 8):g}".replace(".", "_")
            for ours, theirs in (("sii_lower", "sii_lowercl"), ("sii_upper", "sii_uppercl"),
                                 ("rii_lower", "rii_lowercl"), ("rii_upper", "rii_uppercl")):
                if pd.notna(want[f"{theirs}_{k}"]):
                    np.testing.assert_allclose(row[f"{ours}_{suffix}"], want[f"{theirs}_{k}"], rtol=0.05)


def test_sii_pheim_incomplete_area_is_withheld_with_a_warning(ref):
    data = sysdata(ref, "SII_test_data").iloc[list(range(0, 15)) + list(range(16, 20))]
    with pytest.warns(UserWarning, match="some records have been removed due to incomplete or invalid data"):
        out = sii(data, "Quantile", "Population", "Value", lower_cl="LowerCL", upper_cl="UpperCL", by="Area",
                  repetitions=1000, seed=1)
    assert np.isfinite(out["sii"].iloc[0]) and np.isnan(out["sii"].iloc[1])
    assert "9 of the 10 quantiles" in out["reason"].iloc[1]


def test_sii_pheim_many_quantiles_warn(ref):
    data = sysdata(ref, "SII_test_data").iloc[210:225]
    with pytest.warns(UserWarning, match="Small values can make SII unstable"):
        sii(data, "Quantile", "Population", "Value", lower_cl="LowerCL", upper_cl="UpperCL", limits=None)


@pytest.mark.parametrize("rows, kwargs, message", [
    ((151, 160), dict(value="Value", se="StandardError"), "zero or negative population"),
    ((161, 165), dict(value="Value", se="StandardError"), "negative standard errors"),
    ((166, 170), dict(numerator="Count", value_type=2, se="StandardError"),
     "Column 'Count' \\(numerator\\) has a zero or negative count"),
    ((1, 20), dict(value="Value", value_type=2, se="StandardError"), "not all between 0 and 1"),
    ((171, 175), dict(value="Value", value_type=2, lower_cl="LowerCL", upper_cl="UpperCL"),
     "Confidence limit proportions"),
    ((176, 180), dict(value="Value", value_type=2, lower_cl="LowerCL", upper_cl="UpperCL"),
     "Confidence limit proportions"),
    ((1, 3), dict(value="Value", lower_cl="LowerCL", upper_cl="UpperCL"),
     "Number of quantiles must be between"),
    ((1, 20), dict(value="Value", lower_cl="LowerCL", upper_cl="UpperCL", value_type=0, transform=True),
     "value_type should be 1 or 2 when transform is true"),
    ((1, 20), dict(value="Value", se="StandardError", value_type=1, transform=True),
     "se to be missing when transform is true"),
])
def test_sii_pheim_error_cases(ref, rows, kwargs, message):
    data = sysdata(ref, "SII_test_data").iloc[rows[0] - 1:rows[1]]
    with pytest.raises(ValueError, match=message):
        sii(data, "Quantile", "Population", repetitions=1000, **kwargs)


# --------------------------------------------------------------------------------------------------
# HEAT summary measures and the concentration index
# --------------------------------------------------------------------------------------------------

HEAT_NAMES = {  # reference file measure -> summary_measures measure
    "weighted_mean": "weighted_mean", "abs_gap_D": "D", "rel_gap_R": "R", "rel_gap_pct": "relative_gap_pct",
    "ACI": "ACI", "RCI": "RCI", "SII_wls": "SII", "intercept_wls": "SII_intercept",
    "RII_wls_ratio_r1_over_r0": "RII",
}


def test_quintiles_summary_measures(ref):
    data = pd.read_csv(ref / "inputs" / "in_quintiles.csv")
    expected = pd.read_csv(ref / "expected" / "quintiles_summary_measures.csv")
    out = summary_measures(data, "quintile", "pct", "population", se="se_pct", order="quintile",
                           favourable=False, scale=100).set_index("measure")
    assert set(expected["measure"]) <= set(HEAT_NAMES), "a reference measure without a mapping"
    for _, row in expected.iterrows():
        ours = out.loc[HEAT_NAMES[row["measure"]]]
        np.testing.assert_allclose(ours["value"], row["value"], rtol=RTOL, err_msg=row["measure"])
        for bound in ("lower95", "upper95"):
            if pd.notna(row[bound]):
                np.testing.assert_allclose(ours[bound.replace("95", "_95")], row[bound], rtol=RTOL,
                                           err_msg=f"{row['measure']} {bound}")


def test_concentration_index_matches_heat(ref):
    data = pd.read_csv(ref / "inputs" / "in_quintiles.csv")
    expected = pd.read_csv(ref / "expected" / "quintiles_summary_measures.csv").set_index("measure")
    out = concentration_index(data, "pct", "population", "quintile").set_index("kind")
    np.testing.assert_allclose(out.loc["absolute", "value"], expected.loc["ACI", "value"], rtol=RTOL)
    np.testing.assert_allclose(out.loc["relative", "value"], expected.loc["RCI", "value"], rtol=RTOL)


def test_sii_of_quintiles_matches_heat_linear_sii(ref):
    data = pd.read_csv(ref / "inputs" / "in_quintiles.csv")
    expected = pd.read_csv(ref / "expected" / "quintiles_summary_measures.csv").set_index("measure")
    out = sii(data, "quintile", "population", "pct", limits=None).iloc[0]
    np.testing.assert_allclose(out["sii"], expected.loc["SII_wls", "value"], rtol=RTOL)
    np.testing.assert_allclose(out["rii"], expected.loc["RII_wls_ratio_r1_over_r0", "value"], rtol=RTOL)
    np.testing.assert_allclose(out["intercept"], expected.loc["intercept_wls", "value"], rtol=RTOL)
