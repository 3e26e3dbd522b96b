"""The synthetic datasets: reproducible, typed, realistic, and with their designed signals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equity_lib import datasets, spc
from equity_lib.synthetic import RECIPES, rtt, world
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
    assert main([str(tmp_path)]) == 0
    capsys.readouterr()
    for name in datasets.available():
        filename = datasets.REGISTRY[name].filename
        committed = (datasets.DATASETS_DIR / filename).read_bytes()
        fresh = (tmp_path / filename).read_bytes()
        assert fresh == committed, f"{filename} differs from a fresh run"


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
    result = spc(rtt_monthly, "pct_within_18_weeks", "month", facet="trust_code",
                 target=rtt.STANDARD_PCT, screen_mr=screen)
    t, summary = result.table, result.summary().set_index("facet")
    charts = {code: g.reset_index(drop=True) for code, g in t.groupby("facet", sort=False)}
    month = rtt.months()

    # The 92% standard is above every upper limit: every trust consistently fails it.
    assert (summary["assurance"] == "fail").all()

    # MTH: improving shift in 2024/25 - all 12 months above the mean, the last point an
    # improvement, and no improvement signal before April 2024.
    mth = charts["MTH"]
    start = month.get_loc(pd.Timestamp(rtt.IMPROVEMENT["start"]))
    assert len(mth) - start == 12 and (mth["y"][start:] > mth["cl"][start:]).all()
    assert summary.loc["MTH", "variation_icon"] == "improvement_high"
    assert not (mth["point_type"][start:] == "concern").any()
    assert not (mth["point_type"][:start] == "improvement").any()

    # HVH: falling every month from August 2024 to March 2025 (at least 7 points), the last point a
    # concern below the lower limit; no improvement signal, and no concern before the trend.
    hvh = charts["HVH"]
    peak = month.get_loc(pd.Timestamp(rtt.DETERIORATION["peak"]))
    assert (np.diff(hvh["y"][peak:]) < 0).all() and len(hvh) - peak >= 7
    assert summary.loc["HVH", "variation_icon"] == "concern_low"
    assert hvh["y"].iloc[-1] < hvh["lcl"].iloc[-1]
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
