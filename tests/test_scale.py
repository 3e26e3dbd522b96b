"""equity_lib.scale (issue 15): the one aggregation step on DuckDB and on Spark, and the large extract.

A small extract (300,000 records, written by the same code as ``make data-large``) is counted by DuckDB,
by Spark in local mode (one session for the module: it starts in about 10 s) and by pandas: the three
agree to the row, and the counts are exactly what the committed datasets say at that scale. Speed is
measured by benchmarks/bench_scale_engines.py (``make bench``), not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import equity_lib.scale as scale
from equity_lib import datasets
from equity_lib.scale import extract

ROWS = 300_000

pytestmark = [
    # py4j (Spark's bridge to the JVM) leaves sockets for the garbage collector to close.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

WAITS = {"within_18_weeks": lambda t: t.weeks_waited < 18, "over_52_weeks": lambda t: t.weeks_waited >= 52}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("extract")
    manifest = extract.write_extract(out, rows=ROWS)
    return out, manifest


@pytest.fixture(scope="module")
def duck():
    return scale.connect()


@pytest.fixture(scope="module")
def spark():
    session = scale.spark_session(cores=2)
    yield scale.connect("spark", spark=session)
    session.stop()


def _waits(folder, connection):
    return scale.aggregate(scale.read(folder / "waiting_list", connection=connection), time="month",
                           by="trust_code", group="imd_quintile", numerator=WAITS)


def _appointments(folder, connection, period="week"):
    return scale.aggregate(scale.read(folder / "outpatients", connection=connection), time="appointment_date",
                           period=period, by=["trust_code", "imd_quintile"], group="ethnic_group",
                           numerator="dna")


def _committed_layout(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = table.copy()
    for column in keys:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(str) if column != "imd_quintile" else out[column].astype(np.int8)
    return out.sort_values(keys, ignore_index=True)


# --------------------------------------------------------------------------------------------------
# The extract agrees with datasets/
# --------------------------------------------------------------------------------------------------

def test_the_extract_counted_by_duckdb_is_exactly_the_committed_tables_at_its_scale(small, duck):
    folder, manifest = small
    assert abs(manifest["records"] - ROWS) < ROWS * 0.01
    got = _waits(folder, duck)
    want = extract.expected("waiting_list", manifest["scale"])
    want = want.rename(columns={"waiting_total": "denominator"})
    want = _committed_layout(want[want["denominator"] > 0], ["trust_code", "imd_quintile", "month"])
    pd.testing.assert_frame_equal(got, want[got.columns.tolist()])

    got = _appointments(folder, duck)
    want = extract.expected("outpatients", manifest["scale"])
    want = want[want["appointments"] > 0].rename(columns={"week_start": "appointment_date",
                                                          "appointments": "denominator"})
    want = _committed_layout(want, ["trust_code", "imd_quintile", "ethnic_group", "appointment_date"])
    pd.testing.assert_frame_equal(got, want[got.columns.tolist()])


def test_the_extracts_shares_are_the_committed_ones_within_rounding(small):
    """Each part is rint(scale x count): |p_s - p| <= 0.5 (1 + p P) / n_s for P rounded parts."""
    _, manifest = small
    s = manifest["scale"]
    for name, part, total, n_parts in (("waiting_list", "over_52_weeks", "waiting_total", 3),
                                       ("waiting_list", "within_18_weeks", "waiting_total", 3),
                                       ("outpatients", "dna", "appointments", 2)):
        committed = extract._committed(name)
        scaled = extract.expected(name, s)
        kept = scaled[total].to_numpy() > 0
        p = committed[part].to_numpy()[kept] / committed[total].to_numpy()[kept]
        p_s = scaled[part].to_numpy()[kept] / scaled[total].to_numpy()[kept]
        bound = 0.5 * (1 + p * n_parts) / scaled[total].to_numpy()[kept]
        assert (np.abs(p_s - p) <= bound + 1e-12).all(), name
        # and the bound is tight enough to mean something: over 52 weeks in rows of 100+ pathways
        assert bound[scaled[total].to_numpy()[kept] >= 100].max() < 0.02


def test_a_whole_scale_multiplies_every_committed_count():
    for name, columns in (("waiting_list", ["waiting_total", "within_18_weeks", "over_52_weeks"]),
                          ("outpatients", ["appointments", "dna"])):
        committed = datasets.load({"waiting_list": "rtt_quintile_monthly",
                                   "outpatients": "outpatients_weekly"}[name])
        three = extract.expected(name, 3)
        np.testing.assert_array_equal(three[columns].to_numpy(), 3 * committed[columns].to_numpy())
    assert extract.base_rows() == 9_463_722 + 7_226_916


def test_the_extract_is_seeded_and_written_once(small, tmp_path):
    folder, manifest = small
    again = extract.write_extract(folder, rows=ROWS)
    assert again == manifest  # nothing rewritten: the same manifest, with the first run's seconds
    first = extract.write_extract(tmp_path / "a", rows=20_000)
    second = extract.write_extract(tmp_path / "b", rows=20_000)
    assert first["records"] == second["records"]
    for name in extract.NAMES:
        files = sorted(p.name for p in (tmp_path / "a" / name).iterdir())
        assert files == sorted(p.name for p in (tmp_path / "b" / name).iterdir())
        for file in files:
            pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / name / file),
                                          pd.read_parquet(tmp_path / "b" / name / file))
    other = extract.write_extract(tmp_path / "c", rows=20_000, seed=1)
    assert other["records"] == first["records"]
    a = pd.read_parquet(tmp_path / "a" / "waiting_list" / "2024-03.parquet")
    c = pd.read_parquet(tmp_path / "c" / "waiting_list" / "2024-03.parquet")
    assert not a["area_code"].equals(c["area_code"])
    assert json.loads((tmp_path / "a" / "extract.json").read_text())["records"] == first["records"]


def test_record_level_detail_is_consistent_with_the_world(small):
    folder, _ = small
    waits = pd.read_parquet(folder / "waiting_list" / "2025-03.parquet")
    areas = datasets.load("areas").astype({"trust_code": str, "imd_quintile": int})
    joined = waits.astype({"area_code": str, "trust_code": str}).merge(
        areas[["area_code", "trust_code", "imd_quintile"]], on="area_code", suffixes=("", "_area"))
    assert len(joined) == len(waits)
    assert (joined["trust_code"] == joined["trust_code_area"]).all()
    assert (joined["imd_quintile"] == joined["imd_quintile_area"]).all()
    assert waits["weeks_waited"].between(0, 104).all()
    appointments = pd.read_parquet(folder / "outpatients" / "2024-01.parquet")
    assert (pd.to_datetime(appointments["appointment_date"]).dt.day_of_week < 5).all()


# --------------------------------------------------------------------------------------------------
# The same aggregation on Spark, DuckDB and pandas
# --------------------------------------------------------------------------------------------------

def test_spark_gives_duckdbs_table_to_the_row(small, duck, spark):
    folder, _ = small
    pd.testing.assert_frame_equal(_waits(folder, spark), _waits(folder, duck))
    pd.testing.assert_frame_equal(_appointments(folder, spark), _appointments(folder, duck))
    by_month = _appointments(folder, spark, period="month")
    pd.testing.assert_frame_equal(by_month, _appointments(folder, duck, period="month"))
    assert by_month["appointment_date"].dt.day.eq(1).all() and len(by_month) > 0


def test_duckdb_gives_pandas_groupby_on_the_same_records(small, duck):
    folder, _ = small
    records = pd.read_parquet(folder / "waiting_list")
    records = records.astype({"trust_code": str})
    want = (records.assign(within_18_weeks=records["weeks_waited"] < 18,
                           over_52_weeks=records["weeks_waited"] >= 52, denominator=1)
            .groupby(["trust_code", "imd_quintile", "month"], observed=True)
            [["within_18_weeks", "over_52_weeks", "denominator"]].sum().reset_index())
    got = _waits(folder, duck)
    assert len(got) == len(want) == 900
    for column in ("within_18_weeks", "over_52_weeks", "denominator"):
        np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy())
    np.testing.assert_array_equal(got["month"].to_numpy(), pd.to_datetime(want["month"]).to_numpy())
    assert got["trust_code"].tolist() == want["trust_code"].tolist()


@st.composite
def records(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 300))
    frame = pd.DataFrame({
        "trust": rng.choice(["A", "B", "C"], n),
        "q": rng.integers(1, 6, n),
        "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 120, n), unit="D"),
        "flag": rng.random(n) < draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
        "count": rng.integers(0, 5, n),
        "weight": rng.integers(1, 4, n),
    })
    return frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.sampled_from([None, "week", "month"]), st.booleans())
def test_any_records_counted_by_duckdb_are_pandas_groupby(frame, period, weighted):
    got = scale.aggregate(frame, time="day", period=period, by="trust", group="q",
                          numerator=["flag", "count"], denominator="weight" if weighted else None)
    keyed = frame.assign(day=frame["day"].dt.to_period({"week": "W-SUN", "month": "M"}[period]).dt.start_time
                         if period else frame["day"], denominator=frame["weight"] if weighted else 1)
    want = (keyed.groupby(["trust", "q", "day"])[["flag", "count", "denominator"]].sum().reset_index()
            .rename(columns={"denominator": "weight" if weighted else "denominator"}))
    assert got.columns.tolist() == want.columns.tolist()
    assert got["trust"].tolist() == want["trust"].tolist()
    np.testing.assert_array_equal(got["q"].to_numpy(), want["q"].to_numpy())
    np.testing.assert_array_equal(got["day"].to_numpy(), want["day"].astype("datetime64[ns]").to_numpy())
    for column in want.columns[3:]:
        np.testing.assert_array_equal(got[column].to_numpy(), want[column].to_numpy().astype(np.int64))
    # the invariant the charts rely on: no numerator above its denominator, and every record counted once
    if not weighted:
        assert (got["flag"] <= got["denominator"]).all() and got["denominator"].sum() == len(frame)


# --------------------------------------------------------------------------------------------------
# Bad input: clear errors
# --------------------------------------------------------------------------------------------------

FRAME = pd.DataFrame({"trust": ["A", "B"], "month": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                      "dna": [True, False], "code": ["x", "y"], "n": [1.0, None]})


def test_a_missing_column_is_named_with_the_tables_columns():
    with pytest.raises(KeyError, match=r"by='trusts'.*no column 'trusts'.*trust, month, dna"):
        scale.aggregate(FRAME, time="month", by="trusts", numerator="dna")
    with pytest.raises(KeyError, match="numerator='dnas'"):
        scale.aggregate(FRAME, time="month", by="trust", numerator="dnas")
    with pytest.raises(KeyError, match="time='week'"):
        scale.aggregate(FRAME, time="week", by="trust", numerator="dna")


def test_an_unknown_engine_or_period_is_refused():
    with pytest.raises(ValueError, match="unknown engine 'duckbd'.*'duckdb'.*'spark'"):
        scale.connect("duckbd")
    with pytest.raises(ValueError, match="unknown engine"):
        scale.aggregate(FRAME, time="month", numerator="dna", connection="nosuchengine")
    with pytest.raises(ValueError, match="period='fortnight'"):
        scale.aggregate(FRAME, time="month", numerator="dna", period="fortnight")
    with pytest.raises(TypeError, match="period='month' needs time='trust' to be dates"):
        scale.aggregate(FRAME, time="trust", numerator="dna", period="month")


def test_text_numerators_and_missing_counts_are_refused_not_miscounted():
    with pytest.raises(TypeError, match="numerator 'code'.*string, not numbers or true/false"):
        scale.aggregate(FRAME, time="month", numerator="code")
    with pytest.raises(ValueError, match=r"'n' has 1 missing value.*first in \{'trust': 'B'"):
        scale.aggregate(FRAME, time="month", by="trust", numerator="n")
    with pytest.raises(ValueError, match="two columns called \\['denominator'\\]"):
        scale.aggregate(FRAME, time="month", numerator={"denominator": "dna"})
    with pytest.raises(ValueError, match="group is one column"):
        scale.aggregate(FRAME, time="month", group=["trust", "code"], numerator="dna")


def test_a_missing_path_or_a_wrong_type_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="make data-large"):
        scale.read(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"no \.parquet file"):
        scale.read(tmp_path)
    with pytest.raises(TypeError, match="Ibis table, a path to Parquet files or a pandas DataFrame"):
        scale.read([1, 2])
    with pytest.raises(ValueError, match="rows must be a whole number"):
        extract.scale_for(0)


def test_without_the_extra_the_error_names_it():
    code = ("import sys\nsys.modules['ibis'] = None\nimport equity_lib.scale as s\n"
            "try:\n    s.connect()\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'equity_lib[scale]'" in out


def test_import_equity_lib_does_not_load_the_engines():
    code = ("import sys, equity_lib\nequity_lib.spc\n"
            "print(sorted(m for m in ('ibis', 'duckdb', 'pyspark', 'sqlglot') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
