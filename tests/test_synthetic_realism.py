"""Realism you can check: every published figure the generator uses, reproduced within a stated tolerance.

Each test names its source (``design/synthetic_parameters.yaml`` in the shared design folder lists
them all) and states its tolerance. Figures the generator takes as assumptions are labelled
illustrative in ``datasets/README.md`` and are not tested here as if they were facts. The second half
checks that the datasets agree with each other: they come from one synthetic world.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import norm

from equity_lib import datasets
from equity_lib.synthetic import acsc, rtt_quintile, waiting_list, world

PARAMETERS = Path(__file__).resolve().parent / "reference" / "design" / "synthetic_parameters.yaml"
MARCH_2025 = pd.Timestamp("2025-03-01")


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {name: datasets.load(name) for name in datasets.available()}


@pytest.fixture(scope="module")
def wl(data) -> pd.DataFrame:
    """The waiting list with wait bands and IMD decile."""
    df = data["waiting_list"].merge(data["areas"][["area_code", "imd_decile"]], on="area_code")
    return df.assign(within=df["weeks_waited"] < 18, over=df["weeks_waited"] >= 52)


def pct(mask: pd.Series) -> float:
    return 100 * float(mask.mean())


# --- The figures as published (checked against the shared parameter file when it is there) ------

FIGURES = {
    ("deprivation", "lsoa_mean_population"): 1500,
    ("ethnicity_census_2021_england_wales_pct", "white_british"): 74.4,
    ("elective_waiting_list", "wlmds_first_release_week_ending_2025_06_29", "over_52_weeks_pct"): {
        "most_deprived": 3.1, "least_deprived": 2.7},
    ("elective_waiting_list", "wlmds_first_release_week_ending_2025_06_29", "within_18_weeks_pct"): {
        "imd_decile_1": 59.2, "imd_decile_10": 60.9},
    ("elective_waiting_list", "kings_fund_july_2021", "over_52_weeks_pct"): {
        "most_deprived_quintile": 7.3, "least_deprived_quintile": 4.02},
    ("outpatients", "nhse_2021_22", "dna_pct"): 7.6,
    ("outpatients", "hes_2019_20", "dna_pct"): 6.2,
    ("ethnicity_recording", "hes_2019_20_unknown_or_not_stated_pct"): {"inpatients": 13, "outpatients": 17},
    ("ethnicity_recording", "valid_code_range_by_provider_pct"): [53, 100],
    ("emergency_and_acsc", "acs_rate_per_100k_2011_12_least_vs_most_deprived"): {
        "age_15_19": [64, 104], "age_45_49": [49, 184], "age_85_plus": [993, 1610]},
    ("esp2013_weights", "weights"): list(world.ESP2013_WEIGHTS),
}


def test_figures_match_the_shared_parameter_file():
    """The figures tested below are those in design/synthetic_parameters.yaml."""
    params = yaml.safe_load(PARAMETERS.read_text())
    for path, value in FIGURES.items():
        node = params
        for key in path:
            node = node[key]
        assert node == value, path
    assert params["esp2013_weights"]["bands"] == list(world.AGE_BANDS)


# --- Population ----------------------------------------------------------------------------------


def test_area_size_mhclg_iod2025_lsoa_mean_1500(data):
    """MHCLG, English Indices of Deprivation 2025: 2021 LSOAs hold about 1,500 residents. Tolerance 2%."""
    areas = data["areas"]
    assert areas["population"].mean() == pytest.approx(1500, rel=0.02)
    assert areas["population"].between(900, 3000).all()


def test_collaborative_size_wyaat_and_catchment_range(data):
    """About 2 million people in five trusts (WYAAT: 2.6 million, six trusts); every catchment inside the
    published range of trust catchments, 124,000 to 817,000 (trust_size). Exact."""
    trusts = data["trusts"]
    assert trusts["catchment_population"].sum() == 2_000_000
    assert trusts["catchment_population"].between(124_000, 817_000).all()
    by_trust = data["areas"].groupby("trust_code", observed=True)["population"].sum()
    assert (by_trust == trusts.set_index("trust_code")["catchment_population"]).all()


CENSUS_2021 = {  # ONS / Cabinet Office, Ethnicity facts and figures, Census 2021, England and Wales (%)
    "white_total": ("ABC", 81.7),
    "white_british": ("A", 74.4),
    "white_other": ("C", 6.2),  # code C also holds Gypsy or Irish Traveller and Roma (about 0.3%)
    "asian_total": ("HJKLR", 9.3),  # Census 2021 counts Chinese (R) as Asian
    "indian": ("H", 3.1),
    "black_total": ("MNP", 4.0),
    "mixed_total": ("DEFG", 2.9),
    "other_total": ("S", 2.1),
}


@pytest.mark.parametrize("figure", sorted(CENSUS_2021))
def test_ethnic_mix_census_2021(data, figure):
    """Census 2021 (England and Wales) share of each ethnic group, reproduced by the collaborative's
    residents within 0.3 percentage points (0.35 for White other: code C includes about 0.3% more)."""
    codes, published = CENSUS_2021[figure]
    eth = data["population_ethnicity"]
    chosen = eth.loc[eth["ethnic_category"].isin(list(codes)), "population"].sum()
    share = 100 * chosen / eth["population"].sum()
    tolerance = 0.35 if figure == "white_other" else 0.3
    assert share == pytest.approx(published, abs=tolerance)


# --- Waiting list (WLMDS, The King's Fund) -----------------------------------------------------------


def test_wlmds_over_52_weeks_most_vs_least_deprived(wl):
    """NHS England WLMDS first release (July 2025): 3.1% of the most deprived decile's list over 52
    weeks, 2.7% of the least deprived's (ratio 1.15). Tolerance: ratio 0.10; each level 0.5 points."""
    most, least = pct(wl.loc[wl["imd_decile"] == 1, "over"]), pct(wl.loc[wl["imd_decile"] == 10, "over"])
    assert most / least == pytest.approx(3.1 / 2.7, abs=0.10)
    assert most == pytest.approx(3.1, abs=0.5) and least == pytest.approx(2.7, abs=0.5)


def test_wlmds_within_18_weeks_by_decile(wl):
    """WLMDS (HSJ analysis, Sep 2025): 59.2% within 18 weeks in IMD decile 1, 60.9% in decile 10 (gap
    1.7 points). Tolerance: gap 1.0 point; levels 2.5 points (each trust's level is illustrative)."""
    d1, d10 = pct(wl.loc[wl["imd_decile"] == 1, "within"]), pct(wl.loc[wl["imd_decile"] == 10, "within"])
    assert d10 - d1 == pytest.approx(1.7, abs=1.0)
    assert d1 == pytest.approx(59.2, abs=2.5) and d10 == pytest.approx(60.9, abs=2.5)


def test_kings_fund_quintile_gap_in_the_steepest_trust(data):
    """The King's Fund (July 2021): 7.3% vs 4.02% over 52 weeks, most vs least deprived quintile (ratio
    1.82). KDH has that ratio (36 months pooled, tolerance 0.15); every trust's ratio stays below the
    WLMDS largest trust gap, 7.1% vs 2.2% (3.2 times)."""
    q = data["rtt_quintile_monthly"].groupby(["trust_code", "imd_quintile"], observed=True)[
        ["over_52_weeks", "waiting_total"]].sum()
    share = (q["over_52_weeks"] / q["waiting_total"]).unstack()
    ratio = share[1] / share[5]
    assert ratio["KDH"] == pytest.approx(7.3 / 4.02, abs=0.15)
    assert ratio.idxmax() == "KDH" and (ratio < 7.1 / 2.2).all() and (ratio > 1).all()


@pytest.mark.parametrize(
    ("bands", "published", "tolerance"),
    [((0, 4), 11, 1.5), ((4, 13), 56, 2.0), ((13, 19), 33, 2.0)],
    ids=["age_0_18", "age_19_64", "age_65_plus"],
)
def test_wlmds_list_share_by_age(wl, bands, published, tolerance):
    """WLMDS: 11% of the list aged 0-18, 56% 19-64, 33% 65 and over. Our bands are 0-19, 20-64 and 65+
    (ESP2013 bands); tolerance as given (1.5-2 points)."""
    share = pct(wl["age_band"].isin(world.AGE_BANDS[slice(*bands)]))
    assert share == pytest.approx(published, abs=tolerance)


def test_wlmds_list_share_female(wl):
    """WLMDS: 57% of the list female, 43% male. Tolerance 1.5 points."""
    assert pct(wl["sex"] == "F") == pytest.approx(57, abs=1.5)


def test_wlmds_over_52_weeks_by_age(wl):
    """WLMDS: 3.0% of 19-64-year-olds over 52 weeks, 2.5% of those 65 and over. Tolerance: levels 0.4
    points, ratio 0.1."""
    working = pct(wl.loc[wl["age_band"].isin(world.AGE_BANDS[4:13]), "over"])
    older = pct(wl.loc[wl["age_band"].isin(world.AGE_BANDS[13:]), "over"])
    assert working == pytest.approx(3.0, abs=0.4) and older == pytest.approx(2.5, abs=0.4)
    assert working / older == pytest.approx(3.0 / 2.5, abs=0.1)


def test_wlmds_within_18_weeks_by_ethnicity(wl):
    """WLMDS: 60.3% within 18 weeks for White British, 58.2% Asian or Asian British (gap 2.1), 57.0%
    Bangladeshi (gap 3.3), by recorded ethnicity. Tolerance: 1.0 point for the Asian gap; 2.0 points
    for Bangladeshi (about 2,600 pathways, a sampling SD near 1 point)."""
    british = pct(wl.loc[wl["ethnic_category"] == "A", "within"])
    asian = pct(wl.loc[wl["ethnic_category"].isin(list("HJKL")), "within"])
    bangladeshi = pct(wl.loc[wl["ethnic_category"] == "K", "within"])
    assert british - asian == pytest.approx(60.3 - 58.2, abs=1.0)
    assert british - bangladeshi == pytest.approx(60.3 - 57.0, abs=2.0)


def test_rtt_list_per_head_nhse(data):
    """NHS England RTT: 7.6 million of England's 57.1 million on the list (13%); the collaborative's list
    in March 2025 is 2,000,000 x 13% x each trust's illustrative factor. Tolerance: 11%-15% a head."""
    march = data["rtt_monthly"][data["rtt_monthly"]["month"] == MARCH_2025]
    assert 100 * march["waiting_total"].sum() / world.POPULATION == pytest.approx(13, abs=2)


# --- Ethnicity recording (Nuffield Trust / NHS RHO, HES 2019/20) -------------------------------------


def test_hes_inpatient_unknown_13_percent_on_the_waiting_list(wl):
    """HES 2019/20: ethnicity unknown or not stated for 13% of inpatient and 17% of outpatient records.
    The waiting list (mostly inpatient and day-case pathways): 13% within 2 points."""
    assert pct(wl["ethnic_category"].isin(["Z", "99"])) == pytest.approx(13, abs=2)


def test_hes_outpatient_unknown_17_percent(data):
    """HES 2019/20: 17% of outpatient records with ethnicity unknown or not stated. Tolerance 2 points."""
    op = data["outpatients_weekly"]
    unknown = op.loc[op["ethnic_group"].isin(["Not stated", "Not known"]), "appointments"].sum()
    assert 100 * unknown / op["appointments"].sum() == pytest.approx(17, abs=2)


def test_hes_valid_code_range_across_providers(data):
    """HES 2019/20: valid ethnic codes ranged from 53% to 100% across providers. Every trust-month lies
    in 53-100% (3 points' slack at the bottom), and the trusts span most of it (below 60%, above 90%)."""
    c = data["ethnicity_completeness_monthly"]
    valid = 100 * c["valid_ethnic_category"] / c["records"]
    assert valid.min() >= 53 - 3 and valid.max() <= 100
    assert valid.min() < 60 and valid.max() > 90
    march = c[c["month"] == MARCH_2025]
    by_trust = 100 * march["valid_ethnic_category"] / march["records"]
    assert by_trust.min() < 70 and by_trust.max() > 90  # lower completeness in one or two trusts


# --- Outpatients ------------------------------------------------------------------------------------


def test_dna_rate_nhse_2021_22(data):
    """NHS England (2021/22): 7.6% of booked outpatient appointments were DNAs. Tolerance 0.4 points."""
    op = data["outpatients_weekly"]
    assert 100 * op["dna"].sum() / op["appointments"].sum() == pytest.approx(7.6, abs=0.4)


def test_dna_rate_hes_2019_20(data):
    """HES 2019/20: DNAs 6.2% of all appointments, of which 16.2% were cancelled and 77.2% attended:
    6.2 / (77.2 + 6.2) = 7.4% of appointments not cancelled. Tolerance 0.5 points."""
    op = data["outpatients_weekly"]
    assert 100 * op["dna"].sum() / op["appointments"].sum() == pytest.approx(100 * 6.2 / 83.4, abs=0.5)


def test_outpatient_volume_nhse(data):
    """NHS England: 103 million appointments booked in 2021/22, 1.80 per head of 57.1 million; HES
    2019/20: 96.4 million attended + 7.7 million DNAs, 1.82. Tolerance 0.05 a head a year."""
    op = data["outpatients_weekly"]
    per_head = op["appointments"].sum() / 2 / world.POPULATION
    assert per_head == pytest.approx(103 / 57.106398, abs=0.05)


# --- ACSC admissions (Blunt, Nuffield Trust, 2013) ---------------------------------------------------

BLUNT = {"15-19": (64, 104), "45-49": (49, 184), "85+": (993, 1610)}


def _bands(label: str) -> list[str]:
    return ["85-89", "90+"] if label == "85+" else [label]


def test_acsc_model_reproduces_blunt_exactly():
    """The generator's expected rates in 2022/23 are Blunt's least and most deprived rates (log-linear
    in decile: quintile 5 centred on decile 9.5, quintile 1 on 1.5)."""
    for label, (least, most) in BLUNT.items():
        age = world.AGE_BANDS.index(_bands(label)[0])
        assert acsc.expected_rate(np.array(9.5), np.array(age), np.array(0)) == pytest.approx(least)
        assert acsc.expected_rate(np.array(1.5), np.array(age), np.array(0)) == pytest.approx(most)


@pytest.mark.parametrize("label", sorted(BLUNT))
def test_acsc_ratio_blunt_2013(data, label):
    """Blunt I (Nuffield Trust, JECH 2013): ACS admissions per 100,000, least vs most deprived, 64 vs 104
    at 15-19 (1.6 times), 49 vs 184 at 45-49 (3.8 times), 993 vs 1,610 at 85+ (1.6 times). The
    published ratio lies inside the 95% confidence interval of the synthetic quintile 1 / quintile 5
    ratio (three years pooled; Poisson, log scale): the tolerance is the sampling error of the counts."""
    ac = data["acsc_admissions"]
    ac = ac[ac["age_band"].isin(_bands(label))]
    g = ac.groupby("imd_quintile", observed=True)[["admissions", "population"]].sum()
    rate = g["admissions"] / g["population"]
    ratio = rate[1] / rate[5]
    se = np.sqrt(1 / g.loc[1, "admissions"] + 1 / g.loc[5, "admissions"])
    low, high = ratio * np.exp(-norm.ppf(0.975) * se), ratio * np.exp(norm.ppf(0.975) * se)
    least, most = BLUNT[label]
    assert low < most / least < high


@pytest.mark.parametrize("label", sorted(BLUNT))
def test_acsc_least_deprived_rate_blunt_2013(data, label):
    """Blunt (2013) least deprived rates (64, 49, 993 per 100,000), grown 2% a year: inside the 95%
    Poisson interval of the synthetic least deprived quintile's rate, three years pooled."""
    ac = data["acsc_admissions"]
    ac = ac[ac["age_band"].isin(_bands(label)) & (ac["imd_quintile"] == 5)]
    events, population = ac["admissions"].sum(), ac["population"].sum()
    growth = np.mean([(1 + acsc.GROWTH_PER_YEAR) ** y for y in range(len(acsc.YEARS))])
    expected = BLUNT[label][0] * growth
    rate = 1e5 * events / population
    half = norm.ppf(0.975) / np.sqrt(events)
    assert rate * np.exp(-half) < expected < rate * np.exp(half)


def test_acs_growth_qualitywatch():
    """QualityWatch: ACS admission rates grew 26% from 2001 to 2013, about 1.9% a year; the generator
    grows them 2% a year (12 years: 27%). Tolerance 2 points over 12 years."""
    assert 100 * ((1 + acsc.GROWTH_PER_YEAR) ** 12 - 1) == pytest.approx(26, abs=2)


# --- The datasets agree with each other -------------------------------------------------------------


def test_population_tables_agree(data):
    pop = data["population"].groupby("area_code")["population"].sum()
    eth = data["population_ethnicity"].groupby("area_code")["population"].sum()
    areas = data["areas"].set_index("area_code")["population"]
    assert (pop.loc[areas.index] == areas).all() and (eth.loc[areas.index] == areas).all()
    assert len(data["population"]) == len(areas) * 19 * 2
    assert len(data["population_ethnicity"]) == len(areas) * 16


def test_rtt_quintiles_add_up_to_rtt_monthly(data):
    q = data["rtt_quintile_monthly"].groupby(["trust_code", "month"], observed=True)[
        ["waiting_total", "within_18_weeks", "over_52_weeks"]].sum()
    counts = ["waiting_total", "within_18_weeks", "over_52_weeks"]
    m = data["rtt_monthly"].set_index(["trust_code", "month"])[counts]
    pd.testing.assert_frame_equal(q.sort_index(), m.sort_index(), check_names=False)
    q = data["rtt_quintile_monthly"]
    assert (q["within_18_weeks"] + q["over_52_weeks"] <= q["waiting_total"]).all()


def test_waiting_list_is_the_march_2025_snapshot(data, wl):
    """Exactly rtt_quintile_monthly's March 2025 rows, within 18 weeks and over 52 weeks per trust and
    quintile (hence rtt_monthly's per trust)."""
    got = wl.groupby(["trust_code", "imd_quintile"], observed=True).agg(
        waiting_total=("over", "size"), within_18_weeks=("within", "sum"), over_52_weeks=("over", "sum"))
    q = data["rtt_quintile_monthly"]
    want = q[q["month"] == MARCH_2025].set_index(["trust_code", "imd_quintile"])[
        ["waiting_total", "within_18_weeks", "over_52_weeks"]]
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_dtype=False)
    m = data["rtt_monthly"][data["rtt_monthly"]["month"] == MARCH_2025].set_index("trust_code")
    assert (wl.groupby("trust_code", observed=True).size() == m["waiting_total"]).all()


def test_waiting_list_areas_agree(data, wl):
    """Each pathway's area belongs to its trust, and its quintile is the area's."""
    areas = data["areas"].set_index("area_code")
    assert (areas.loc[wl["area_code"], "trust_code"].to_numpy() == wl["trust_code"].to_numpy()).all()
    assert (areas.loc[wl["area_code"], "imd_quintile"].to_numpy() == wl["imd_quintile"].to_numpy()).all()
    assert wl["pathway_id"].tolist() == list(range(1, len(wl) + 1))


def test_specialty_snapshot_is_the_waiting_list_counted(data, wl):
    s = data["rtt_snapshot_specialty"].set_index(["trust_code", "treatment_function"])
    got = wl.groupby(["trust_code", "treatment_function"], observed=True).agg(
        waiting_total=("over", "size"), within_18_weeks=("within", "sum"), over_52_weeks=("over", "sum"))
    pd.testing.assert_frame_equal(got.sort_index(), s[got.columns].sort_index(), check_dtype=False)
    assert (s["over_18_weeks"] == s["waiting_total"] - s["within_18_weeks"]).all()
    assert (data["rtt_snapshot_specialty"]["month"] == MARCH_2025).all()
    counts = ["waiting_total", "within_18_weeks", "over_52_weeks"]
    per_trust = s.groupby(level="trust_code", observed=True)[counts].sum()
    m = data["rtt_monthly"][data["rtt_monthly"]["month"] == MARCH_2025].set_index("trust_code")
    assert (per_trust == m[per_trust.columns]).all().all()
    assert 15 <= s.index.get_level_values("treatment_function").nunique() <= 20


def test_completeness_agrees_with_rtt_and_the_list(data, wl):
    c = data["ethnicity_completeness_monthly"]
    m = data["rtt_monthly"]
    assert (c["records"].to_numpy() == m["waiting_total"].to_numpy()).all()
    assert (c["month"].to_numpy() == m["month"].to_numpy()).all()
    assert (c["valid_ethnic_category"] + c["not_stated"] + c["not_known"] == c["records"]).all()
    march = c[c["month"] == MARCH_2025].set_index("trust_code")
    codes = wl.groupby("trust_code", observed=True)["ethnic_category"]
    assert (codes.apply(lambda s: (~s.isin(["Z", "99"])).sum()) == march["valid_ethnic_category"]).all()
    assert (codes.apply(lambda s: (s == "Z").sum()) == march["not_stated"]).all()
    assert (codes.apply(lambda s: (s == "99").sum()) == march["not_known"]).all()


def test_acsc_population_is_the_population_table(data):
    pop = data["population"].merge(data["areas"][["area_code", "trust_code", "imd_decile"]], on="area_code")
    want = pop.groupby(["trust_code", "imd_decile", "age_band", "sex"], observed=True)["population"].sum()
    ac = data["acsc_admissions"]
    assert (ac["imd_quintile"].astype(int) == (ac["imd_decile"].astype(int) + 1) // 2).all()
    for year in acsc.YEARS:
        got = ac[ac["financial_year"] == year].set_index(["trust_code", "imd_decile", "age_band", "sex"])
        got = got["population"]
        assert (got.sort_index() == want.sort_index()).all(), year


def test_outpatients_agree_with_the_population(data):
    """Appointments per head follow each trust's residents; DNAs never exceed appointments; weeks run on."""
    op = data["outpatients_weekly"]
    assert (op["dna"] <= op["appointments"]).all()
    start = op["week_start"] - pd.to_timedelta(7 * (op["week"] - 1), unit="D")
    assert (start == pd.Timestamp("2023-04-03")).all()
    per_trust = op.groupby("trust_code", observed=True)["appointments"].sum() / 2
    catchment = data["trusts"].set_index("trust_code")["catchment_population"]
    assert (per_trust / catchment).between(1.7, 1.9).all()


def test_collaborative_ethnic_mix_follows_deprivation(data):
    """Minority ethnic groups live more often in deprived areas (illustrative, as in most English cities)."""
    eth = data["population_ethnicity"].merge(data["areas"][["area_code", "imd_quintile"]], on="area_code")
    by_quintile = eth.groupby("imd_quintile", observed=True)["population"].sum()
    minority = eth[eth["ethnic_category"] != "A"].groupby("imd_quintile", observed=True)["population"].sum()
    share = minority / by_quintile
    assert share.is_monotonic_decreasing


def test_designed_parameters_are_consistent():
    """Parameters shared between generators stay in step."""
    assert rtt_quintile.SHIFT["trust"] == "HVH"
    assert waiting_list.DRIVE["trust"] == "KDH"
    assert set(acsc.PUBLISHED) == set(BLUNT) and all(acsc.PUBLISHED[k] == BLUNT[k] for k in BLUNT)
