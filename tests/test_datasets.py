"""The synthetic datasets: reproducible, typed, and with the signals designed in for each lesson.

Published figures (realism) and agreement between datasets are in ``test_synthetic_realism.py``;
the Frictionless Data Package in ``test_datapackage.py``.
"""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pandas as pd
import pytest

from equity_lib import OverdispersionWarning, datasets, spc
from equity_lib.synthetic import (
    RECIPES,
    acsc,
    clear_caches,
    completeness,
    outpatients,
    rtt,
    rtt_quintile,
    waiting_list,
    world,
)
from equity_lib.synthetic.__main__ import main

RTT_COLUMNS = [
    "month",
    "trust_code",
    "trust_name",
    "waiting_total",
    "within_18_weeks",
    "pct_within_18_weeks",
    "over_52_weeks",
    "pct_over_52_weeks",
]
COUNTS = ["waiting_total", "within_18_weeks", "over_52_weeks"]


@pytest.fixture(scope="module")
def rtt_monthly() -> pd.DataFrame:
    return datasets.load("rtt_monthly")


def test_registry_and_generators_agree():
    assert datasets.available() == sorted(RECIPES)


def test_regenerating_gives_the_committed_bytes(tmp_path, capsys):
    """Every committed file, and datapackage.json, equals a fresh run from the seeds, byte for byte."""
    clear_caches()  # build the world again from its seeds, not from what earlier tests cached
    assert main([str(tmp_path)]) == 0
    capsys.readouterr()
    filenames = [datasets.REGISTRY[name].filename for name in datasets.available()] + ["datapackage.json"]
    for filename in filenames:
        committed = (datasets.DATASETS_DIR / filename).read_bytes()
        fresh = (tmp_path / filename).read_bytes()
        if filename.endswith(".gz"):
            same_data = gzip.decompress(fresh) == gzip.decompress(committed)
            assert same_data, f"{filename}: data differ from a fresh run"
            assert fresh == committed, (
                f"{filename}: same data, different gzip bytes (a different zlib version?); the data are right"
            )
        assert fresh == committed, f"{filename} differs from a fresh run"
    written = {p.name for p in tmp_path.iterdir()}
    assert written == set(filenames)


def test_compressed_file_is_byte_stable():
    """The gzip header carries no file name and modification time 0; CSV lines end in \\n."""
    raw = (datasets.DATASETS_DIR / datasets.REGISTRY["waiting_list"].filename).read_bytes()
    assert raw[:4] == b"\x1f\x8b\x08\x00" and raw[4:8] == b"\x00\x00\x00\x00"
    assert b"\r" not in gzip.decompress(raw)


@pytest.mark.parametrize("name", sorted(datasets.REGISTRY))
def test_every_dataset_is_typed_and_complete(name):
    """Columns, types and codes as the registry says; no missing values; unique keys; small files."""
    spec = datasets.REGISTRY[name]
    path = datasets.DATASETS_DIR / spec.filename
    assert path.stat().st_size < 4_000_000, f"{spec.filename} is too big to commit"
    df = datasets.load(name)
    assert list(df.columns) == spec.columns
    assert df.notna().all().all()
    for field in spec.fields:
        column = df[field.name]
        if field.type == "date":
            assert column.dtype == np.dtype("datetime64[ns]"), field.name
        elif field.codes is not None:
            assert isinstance(column.dtype, pd.CategoricalDtype), field.name
            assert list(column.cat.categories) == list(field.codes), field.name
            assert column.dtype.ordered == field.ordered, field.name
        else:
            assert column.dtype == field.dtype, field.name
        if field.minimum is not None:
            assert (column >= field.minimum).all(), field.name
        if field.maximum is not None:
            assert (column <= field.maximum).all(), field.name
    assert not df.duplicated(list(spec.primary_key)).any(), f"{name}: primary key not unique"


def test_deprivation_is_ordered_most_deprived_first():
    areas = datasets.load("areas")
    for column, top in (("imd_decile", 10), ("imd_quintile", 5)):
        dtype = areas[column].dtype
        assert dtype.ordered and list(dtype.categories) == list(range(1, top + 1))
    assert ((areas["imd_decile"].astype(int) + 1) // 2 == areas["imd_quintile"].astype(int)).all()


def test_lookup_tables():
    eth = datasets.ETHNIC_CATEGORIES
    assert list(eth["code"].astype(str)) == list("ABCDEFGHJKLMNPRS") + ["Z", "99"]
    assert list(eth.columns) == ["code", "label", "broad_group", "census_2021_pct"]
    assert eth.set_index(eth["code"].astype(str)).loc["K", "label"] == "Asian or Asian British - Bangladeshi"
    assert eth.set_index(eth["code"].astype(str)).loc["Z", "label"] == "Not stated"
    assert eth.set_index(eth["code"].astype(str)).loc["99", "label"] == "Not known"
    assert list(eth["broad_group"].cat.categories) == [
        "White", "Mixed", "Asian", "Black", "Other", "Not stated", "Not known"
    ]
    assert eth["census_2021_pct"].sum() == pytest.approx(100)
    assert list(datasets.AGE_BANDS.categories) == list(world.AGE_BANDS) and datasets.AGE_BANDS.ordered
    assert datasets.ESP2013["weight"].sum() == 100_000
    assert len(datasets.TREATMENT_FUNCTIONS) == len(world.TREATMENT_FUNCTIONS)


def test_data_dictionary_describes_every_dataset_and_column():
    readme = (datasets.DATASETS_DIR / "README.md").read_text(encoding="utf-8")
    for name, spec in datasets.REGISTRY.items():
        assert f"`{name}`" in readme and f"`{spec.filename}`" in readme, name
        for column in spec.columns:
            assert f"`{column}`" in readme, (name, column)
    assert readme.count("**illustrative**") > 20


def test_missing_codes_are_kept_as_their_own_categories():
    wl = datasets.load("waiting_list")
    counts = wl["ethnic_category"].value_counts()
    assert counts["Z"] > 0 and counts["99"] > 0
    op = datasets.load("outpatients_weekly")
    assert {"Not stated", "Not known"} <= set(op["ethnic_group"].unique())


def test_rtt_schema(rtt_monthly):
    df = rtt_monthly
    assert list(df.columns) == RTT_COLUMNS
    assert len(df) == 180
    assert df.notna().all().all()
    assert df["month"].dtype == np.dtype("datetime64[ns]")
    assert df["month"].nunique() == 36
    assert df["month"].min() == pd.Timestamp("2022-04-01")
    assert df["month"].max() == pd.Timestamp("2025-03-01")
    assert (df["month"].dt.day == 1).all()
    assert isinstance(df["trust_code"].dtype, pd.CategoricalDtype)
    assert df["trust_code"].dtype.ordered
    assert list(df["trust_code"].cat.categories) == list(world.TRUST_CODES)
    assert df["trust_code"].nunique() == 5
    assert df.groupby("trust_code", observed=True)["month"].nunique().eq(36).all()
    names = dict(zip(world.TRUST_CODES, world.TRUST_NAMES, strict=True))
    assert (df["trust_name"].astype(str) == df["trust_code"].astype(str).map(names)).all()
    for column in COUNTS:
        assert df[column].dtype == np.dtype("int64")
        assert (df[column] >= 0).all()
    for column in ["pct_within_18_weeks", "pct_over_52_weeks"]:
        assert df[column].dtype == np.dtype("float64")
    assert (df["within_18_weeks"] <= df["waiting_total"]).all()
    assert (df["over_52_weeks"] <= df["waiting_total"] - df["within_18_weeks"]).all()
    pairs = [("within_18_weeks", "pct_within_18_weeks"), ("over_52_weeks", "pct_over_52_weeks")]
    for count, column in pairs:
        exact = 100 * df[count] / df["waiting_total"]
        places = rtt.DECIMALS[column]
        np.testing.assert_allclose(df[column], exact.round(places), rtol=0, atol=1e-9)


def test_rtt_is_realistic(rtt_monthly):
    df = rtt_monthly
    total = df["waiting_total"].sum()
    assert 50 < 100 * df["within_18_weeks"].sum() / total < 70
    assert 1 < 100 * df["over_52_weeks"].sum() / total < 6
    by_trust = df.groupby("trust_code", observed=True)
    assert (by_trust["pct_within_18_weeks"].mean() < rtt.STANDARD_PCT).all()
    # About 13% of each trust's catchment is on the list (England: 7.6 million of 57 million).
    catchment = pd.Series({t.code: t.catchment for t in world.TRUSTS})
    per_head = by_trust["waiting_total"].mean() / catchment
    assert per_head.between(0.10, 0.16).all()


def test_unknown_name_lists_the_available_datasets():
    with pytest.raises(ValueError, match="Unknown dataset 'no_such_data'") as caught:
        datasets.load("no_such_data")
    for name in datasets.available():
        assert name in str(caught.value)


def test_missing_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DATASETS_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="datasets folder .* is missing"):
        datasets.load("rtt_monthly")


def test_generator_matches_the_file(rtt_monthly):
    fresh = rtt.generate()
    assert (fresh["trust_code"] == rtt_monthly["trust_code"].astype(str)).all()
    np.testing.assert_array_equal(fresh["month"].to_numpy(), rtt_monthly["month"].to_numpy())
    for column in COUNTS:
        np.testing.assert_array_equal(fresh[column].to_numpy(), rtt_monthly[column].to_numpy())


# --- The signals designed in for notebook 01 ---------------------------------------------------
# Checked with equity_lib.spc, whose rules are themselves checked against NHSRplotthedots in
# test_spc_reference.py.


@pytest.mark.parametrize("screen", [True, False])
def test_designed_signals_in_pct_within_18_weeks(rtt_monthly, screen):
    result = spc(rtt_monthly, "pct_within_18_weeks", "month", by="trust_code",
                 target=rtt.STANDARD_PCT, screen_mr=screen)
    t, summary = result.table, result.summary().set_index("trust_code")
    charts = {code: g.reset_index(drop=True)
              for code, g in t.groupby("trust_code", sort=False, observed=True)}
    month = rtt.months()

    # The 92% standard is above every upper limit: every trust consistently fails it.
    assert (summary["assurance"] == "fail").all()

    # MTH: improving shift in 2024/25 - all 12 months above the mean, the last point an
    # improvement, and no improvement signal before April 2024.
    mth = charts["MTH"]
    start = month.get_loc(pd.Timestamp(rtt.IMPROVEMENT["start"]))
    assert len(mth) - start == 12 and (mth["value"][start:] > mth["cl"][start:]).all()
    assert summary.loc["MTH", "variation_icon"] == "improvement_high"
    assert not (mth["point_type"][start:] == "concern").any()
    assert not (mth["point_type"][:start] == "improvement").any()

    # HVH: falling every month from August 2024 to March 2025 (at least 7 points), the last point a
    # concern below the lower limit; no improvement signal, and no concern before the trend.
    hvh = charts["HVH"]
    peak = month.get_loc(pd.Timestamp(rtt.DETERIORATION["peak"]))
    assert (np.diff(hvh["value"][peak:]) < 0).all() and len(hvh) - peak >= 7
    assert summary.loc["HVH", "variation_icon"] == "concern_low"
    assert hvh["value"].iloc[-1] < hvh["lcl"].iloc[-1]
    assert not (hvh["point_type"] == "improvement").any()
    assert not (hvh["point_type"][:peak] == "concern").any()

    # BDH: one special-cause month, the outage, below the lower limit; nothing else.
    bdh = charts["BDH"]
    outage = month.get_loc(pd.Timestamp(rtt.OUTAGE["month"]))
    assert np.flatnonzero(bdh["special_cause"]).tolist() == [outage]
    assert bdh["rule"][outage] == "below_lcl"

    # KDH and FRH: common cause only; KDH is the lowest performer.
    for code in ["KDH", "FRH"]:
        assert not charts[code]["special_cause"].any(), code
    assert summary["cl"].idxmin() == "KDH"


def test_designed_fall_in_over_52_weeks(rtt_monthly):
    mth = rtt_monthly[rtt_monthly["trust_code"] == "MTH"].sort_values("month")
    pct = mth["pct_over_52_weeks"].to_numpy()
    assert pct[-1] < 0.5 * pct[:24].mean()
    assert (pct[-6:] < pct[:24].min()).all()


# --- Notebook 02: one genuine outlier among trust x treatment function units --------------------


def test_designed_outlier_in_the_specialty_snapshot():
    """BDH Trauma and Orthopaedics stands far out, even after allowing for overdispersion."""
    s = datasets.load("rtt_snapshot_specialty")
    s = s[s["waiting_total"] >= 1000]
    p = s["over_18_weeks"] / s["waiting_total"]
    p0 = s["over_18_weeks"].sum() / s["waiting_total"].sum()
    z = (p - p0) / np.sqrt(p0 * (1 - p0) / s["waiting_total"])
    # Spiegelhalter's multiplicative overdispersion, from 10%-Winsorised z-scores.
    phi = (z.clip(z.quantile(0.1), z.quantile(0.9)) ** 2).mean()
    z_adj = (z / np.sqrt(phi)).sort_values(ascending=False)
    top = s.loc[z_adj.index[0]]
    assert (top["trust_code"], top["treatment_function"]) == (
        waiting_list.OUTLIER["trust"], waiting_list.OUTLIER["treatment_function"])
    assert z_adj.iloc[0] > 3 and z_adj.iloc[0] > 2 * z_adj.iloc[1]


# --- Notebook 03: a 7-point shift that begins in one quintile of one trust ----------------------


def _quintile_charts(screen: bool) -> pd.DataFrame:
    d = datasets.load("rtt_quintile_monthly")
    d["pct_over_52_weeks"] = 100 * d["over_52_weeks"] / d["waiting_total"]
    d["series"] = d["trust_code"].astype(str) + " Q" + d["imd_quintile"].astype(str)
    return spc(d, "pct_over_52_weeks", "month", by="series", improvement="decrease", screen_mr=screen,
               freeze=24).table


@pytest.mark.parametrize("screen", [True, False])
def test_designed_shift_in_one_quintile(screen):
    """Limits from 2022/23-2023/24: HVH quintile 2 lies above its mean from September 2024 (7 months,
    all special cause) and nowhere before August 2024; no other series has a shift, except MTH, whose
    long waits fall in every quintile (notebook 01's improvement); no other HVH quintile signals."""
    t = _quintile_charts(screen)
    month = rtt.months()
    start = month.get_loc(pd.Timestamp(rtt_quintile.SHIFT["from"]))
    target = f"{rtt_quintile.SHIFT['trust']} Q{rtt_quintile.SHIFT['quintile']}"
    for series, g in t.groupby("series", sort=False):
        special = g["special_cause"].to_numpy()
        shift = g["rule"].astype("string").fillna("").str.startswith("shift").to_numpy()
        if series == target:
            above = g["value"].to_numpy()[start:] > g["cl"].to_numpy()[start:]
            assert special[start:].all() and above.all()
            assert len(special) - start == 7
            assert not special[: start - 1].any()
        elif series.startswith("HVH"):
            assert not special.any(), series
        elif series.startswith("MTH"):
            assert not (g["point_type"] == "concern").any(), series
        else:
            assert not shift.any(), series


def test_quintile_shift_is_hidden_in_the_trust_total():
    """HVH's whole list rises only by 0.1 points a month; its quintile 2 carries all of that rise."""
    q = datasets.load("rtt_quintile_monthly")
    hvh = q[q["trust_code"] == "HVH"].pivot(index="month", columns="imd_quintile", values="over_52_weeks")
    totals = datasets.load("rtt_quintile_monthly").groupby(["trust_code", "month"], observed=True)
    share = hvh.div(totals["waiting_total"].sum().loc["HVH"], axis=0) * 100
    rise = share.iloc[-1] - share.iloc[:24].mean()
    assert rise[rtt_quintile.SHIFT["quintile"]] > 0.5
    assert (rise.drop(rtt_quintile.SHIFT["quintile"]).abs() < 0.15).all()


# --- Notebook 07: completeness as an SPC measure; missingness not at random ----------------------


@pytest.mark.parametrize("screen", [True, False])
def test_designed_completeness_signals(screen):
    """KDH improves after its July 2024 data-quality drive; the other trusts are common cause."""
    d = datasets.load("ethnicity_completeness_monthly")
    d["pct_valid"] = 100 * d["valid_ethnic_category"] / d["records"]
    drive = rtt.months().get_loc(pd.Timestamp(waiting_list.DRIVE["start"]))
    others = d[d["trust_code"] != waiting_list.DRIVE["trust"]]
    t = spc(others, "pct_valid", "month", by="trust_code", screen_mr=screen).table
    assert not t["special_cause"].any()
    kdh = d[d["trust_code"] == waiting_list.DRIVE["trust"]]
    k = spc(kdh, "pct_valid", "month", freeze=drive, screen_mr=screen).table
    special = k["special_cause"].to_numpy()
    assert not special[: drive - 3].any()
    assert (k["rule"][drive - 3 : drive].astype("string").fillna("trend_up") == "trend_up").all()
    assert special[drive + 1 :].all() and not (k["point_type"] == "concern").any()
    pct = kdh["pct_valid"].to_numpy()
    assert pct[:drive].max() < 56 and pct[-1] > 78


def test_missing_ethnicity_is_not_at_random():
    """Z and 99 are commoner for long waits and for some ethnic groups (known only to the generator)."""
    wl = waiting_list.build()
    missing = wl["ethnic_category"].isin(["Z", "99"])
    by_wait = missing.groupby(pd.cut(wl["weeks_waited"], [-1, 17, 51, 200])).mean()
    assert by_wait.is_monotonic_increasing and by_wait.iloc[-1] > 1.5 * by_wait.iloc[0]
    by_group = missing.groupby(wl["true_ethnic_category"]).mean()
    assert (by_group.drop(["A", "B"]) > by_group["A"]).all()
    assert by_group[["D", "E", "F", "G", "S"]].min() > 1.4 * by_group["A"]
    kdh = wl["trust_code"] == waiting_list.DRIVE["trust"]
    new = wl["weeks_waited"] < waiting_list.weeks_since_drive()
    assert missing[kdh & ~new].mean() > 0.4 > 0.2 > missing[kdh & new].mean()


# --- Notebooks 04 and 09: weekly DNAs --------------------------------------------------------------


def _weekly_dna(by: list[str]) -> pd.DataFrame:
    op = datasets.load("outpatients_weekly")
    return op.groupby(by + ["week"], observed=True)[["appointments", "dna"]].sum().reset_index()


def test_overdispersion_needs_laney():
    """Large weekly denominators: the p chart flags many weeks in the big trusts, Laney's p' none."""
    t = _weekly_dna(["trust_code"])
    rebase = {outpatients.CHANGE["trust"]: [outpatients.CHANGE["week"]]}
    with pytest.warns(OverdispersionWarning, match="MTH"):
        p = spc(t, time="week", numerator="dna", denominator="appointments", chart="p", by="trust_code",
                improvement="decrease", rebase=rebase).table
    pp = spc(t, time="week", numerator="dna", denominator="appointments", chart="pp", by="trust_code",
             improvement="decrease", rebase=rebase).table
    flagged = p.groupby("trust_code", observed=True)["special_cause"].sum()
    assert (flagged[["MTH", "HVH", "BDH"]] >= 5).all()
    assert not pp["special_cause"].any()
    t["pct_dna"] = 100 * t["dna"] / t["appointments"]
    xmr = spc(t, "pct_dna", "week", by="trust_code", improvement="decrease", rebase=rebase).table
    assert not xmr["special_cause"].any()


def test_designed_change_improves_the_average_but_widens_the_gap():
    """MTH from week 40: the DNA rate falls, but least in the most deprived quintile."""
    q = _weekly_dna(["trust_code", "imd_quintile"])
    q["after"] = q["week"] >= outpatients.CHANGE["week"]
    rate = q.groupby(["trust_code", "after", "imd_quintile"], observed=True)[["dna", "appointments"]].sum()
    rate = 100 * rate["dna"] / rate["appointments"]
    mth = rate.loc["MTH"].unstack()
    gap_before, gap_after = mth.loc[False, 1] - mth.loc[False, 5], mth.loc[True, 1] - mth.loc[True, 5]
    assert gap_after > gap_before + 1.5
    assert (mth.loc[True] < mth.loc[False]).all()
    assert mth.loc[False, 1] - mth.loc[True, 1] < 1 < mth.loc[False, 5] - mth.loc[True, 5]
    overall = q.groupby(["trust_code", "after"], observed=True)[["dna", "appointments"]].sum()
    overall = 100 * overall["dna"] / overall["appointments"]
    assert overall["MTH", False] - overall["MTH", True] > 1.2
    for code in ["HVH", "BDH", "KDH", "FRH"]:
        assert abs(overall[code, False] - overall[code, True]) < 0.3, code
    # A single-phase p' chart of MTH shows the improvement from week 40.
    t = _weekly_dna(["trust_code"])
    mth_chart = spc(t[t["trust_code"] == "MTH"], time="week", numerator="dna", denominator="appointments",
                    chart="pp", improvement="decrease").table
    after = mth_chart["point_type"][outpatients.CHANGE["week"] - 1 :]
    assert (after == "improvement").mean() > 0.8
    assert not (mth_chart["point_type"][: outpatients.CHANGE["week"] - 1] == "improvement").any()


def test_dna_gradient_by_deprivation_and_ethnicity():
    op = datasets.load("outpatients_weekly")
    by_q = op.groupby("imd_quintile", observed=True)[["dna", "appointments"]].sum()
    rate = by_q["dna"] / by_q["appointments"]
    assert rate.is_monotonic_decreasing and rate[1] / rate[5] > 1.8


# --- Notebooks 05 and 06: age structure makes crude and standardised rates differ ---------------


def _dsr(df: pd.DataFrame, by: str) -> pd.Series:
    g = df.groupby([by, "age_band"], observed=True)[["admissions", "population"]].sum()
    rate = (g["admissions"] / g["population"]).unstack()
    weights = pd.Series(world.ESP2013_WEIGHTS, index=world.AGE_BANDS)
    return 1e5 * (rate[list(world.AGE_BANDS)] * weights).sum(axis=1) / weights.sum()


def _crude(df: pd.DataFrame, by: str) -> pd.Series:
    g = df.groupby(by, observed=True)[["admissions", "population"]].sum()
    return 1e5 * g["admissions"] / g["population"]


def test_deprived_areas_are_younger():
    pop = datasets.load("population").merge(datasets.load("areas")[["area_code", "imd_quintile"]])
    old = pop["age_band"].isin(world.AGE_BANDS[13:])
    share = pop[old].groupby("imd_quintile", observed=True)["population"].sum() / pop.groupby(
        "imd_quintile", observed=True)["population"].sum()
    assert share.is_monotonic_increasing and share[5] - share[1] > 0.08


def test_standardising_widens_the_gradient_and_reranks_trusts():
    ac = datasets.load("acsc_admissions")
    crude, dsr = _crude(ac, "imd_quintile"), _dsr(ac, "imd_quintile")
    assert dsr[1] / dsr[5] > crude[1] / crude[5] + 0.1
    assert dsr.is_monotonic_decreasing
    crude_t, dsr_t = _crude(ac, "trust_code"), _dsr(ac, "trust_code")
    assert list(crude_t.sort_values().index) != list(dsr_t.sort_values().index)
    assert crude_t["FRH"] - dsr_t["FRH"] > 15  # the oldest catchment


def test_acsc_gap_is_not_narrowing():
    ac = datasets.load("acsc_admissions")
    ratio = [
        (lambda r: r[1] / r[5])(_dsr(ac[ac["financial_year"] == year], "imd_quintile")) for year in acsc.YEARS
    ]
    assert max(ratio) - min(ratio) < 0.25 and all(r > 1.8 for r in ratio)


def test_small_counts_exist_for_suppression_lessons():
    """Notebook 06 withholds rates from fewer than 10 events; notebook 08 suppresses 1-7."""
    ac = datasets.load("acsc_admissions")
    assert (ac["admissions"] < 10).mean() > 0.5
    op = datasets.load("outpatients_weekly")
    assert ((op["dna"] >= 1) & (op["dna"] <= 7)).any()


def test_generators_warn_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        completeness.generate()
        outpatients.generate()
        acsc.generate()
