"""Benchmark: every public computing function on a million rows, against plain pandas on the same rows.

Target (issue 12, "cliffs in scale"): each function within 20 times a plain ``groupby(keys).sum()`` of
the numeric columns of the same rows (the keys being the function's own grouping: its ``by`` columns,
or the cells it adds up), measured side by side in the same run, on 1,000,000 rows (200,000 groups of
5 for the SII, HEAT measures and concentration indices); ``suppress`` on a 100 x 30 table under 5 s;
and ``import equity_lib`` within twice ``import pandas, numpy`` (each in a fresh interpreter).

Areas, trusts, regions and series are identified by text codes, as in NHS extracts (E01000001, RXX);
pandas groups integer keys several times faster, so the same functions would show larger ratios
against integer keys.

Run with ``make bench`` (pinned to one core by ``taskset -c 0``), or
``taskset -c 0 .venv/bin/python benchmarks/bench_scale.py [name ...]`` for some cases only (names as
printed, or a part of one). Each time is the best of 3 runs (1 when a run takes over 30 s: the target is
then far out of reach anyway). ``--memory`` adds each case's peak memory (tracemalloc: the Python heap
including numpy and pandas buffers; one more run per case, slower under tracing). Data are built once,
from a fixed seed. Exit status 1 if any target is missed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the targets say
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import equity_lib  # noqa: E402
from equity_lib import quality  # noqa: E402
from equity_lib.datasets import Column, Shape, conform  # noqa: E402
from equity_lib.disclosure import suppress  # noqa: E402

ROWS = 1_000_000
RATIO_TARGET = 20.0
SUPPRESS_TARGET_SECONDS = 5.0
IMPORT_RATIO_TARGET = 2.0
REPEATS, SLOW_SECONDS, IMPORT_REPEATS = 3, 30.0, 5
SEED = 2026


# --------------------------------------------------------------------------------------------------
# Data, each built once (a million rows unless said)
# --------------------------------------------------------------------------------------------------

_BUILT: dict[str, pd.DataFrame] = {}


def data(name: str) -> pd.DataFrame:
    if name not in _BUILT:
        _BUILT[name] = BUILDERS[name](np.random.default_rng(SEED))
    return _BUILT[name]


def _areas(rng) -> pd.DataFrame:
    """52,632 areas x 19 ESP2013 age bands (1,000,008 rows): rates, DSR, ISR, means, a funnel."""
    from equity_lib.rates import ESP2013
    bands, areas = len(ESP2013), 52_632
    size = areas * bands
    pop = rng.integers(50, 2_000, size)
    band_rate = np.geomspace(0.0005, 0.15, bands)
    deaths = rng.binomial(pop, np.tile(band_rate, areas))
    return pd.DataFrame({
        "area": np.repeat([f"E{i:08d}" for i in range(areas)], bands),
        "age_band": np.tile(ESP2013["age_band"].to_numpy(), areas),
        "deaths": deaths, "population": pop,
        "ref_deaths": np.tile(np.round(band_rate * 1e6).astype(np.int64), areas),
        "ref_population": np.full(size, 1_000_000),
        "length_of_stay": rng.gamma(2.0, 2.5, size),
    })


def _series(rng) -> pd.DataFrame:
    """25,000 series x 40 months (1,000,000 points) for SPC charts."""
    series, months = 25_000, 40
    size = series * months
    cases = rng.integers(80, 400, size)
    return pd.DataFrame({
        "unit": np.repeat([f"U{i:06d}" for i in range(series)], months),
        "month": np.tile(pd.date_range("2022-04-01", periods=months, freq="MS").to_numpy(), series),
        "value": rng.normal(60, 4, size), "events": rng.binomial(cases, 0.2), "cases": cases,
    })


def _small_areas(rng) -> pd.DataFrame:
    """1,000,000 small areas in 10,000 regions, with a deprivation score (ties included)."""
    return pd.DataFrame({"region": np.repeat([f"E{i:08d}" for i in range(10_000)], ROWS // 10_000),
                         "score": np.round(rng.gamma(3.0, 7.0, ROWS), 1),
                         "population": rng.integers(1_000, 3_000, ROWS)})


def _quintiles(rng) -> pd.DataFrame:
    """200,000 areas x 5 deprivation quintiles (1,000,000 rows): SII, concentration, HEAT measures."""
    groups, k = 200_000, 5
    size = groups * k
    quintile = np.tile(np.arange(1, k + 1), groups)
    value = 20 + 1.5 * quintile + rng.normal(0, 2, size)
    se = rng.uniform(0.5, 2.0, size)
    return pd.DataFrame({"area": np.repeat([f"E{i:08d}" for i in range(groups)], k), "quintile": quintile,
                         "population": rng.integers(1_000, 20_000, size), "value": value, "se": se})


def _cells(rng) -> pd.DataFrame:
    """2,000 trusts x 100 months x 5 quintiles (1,000,000 rows) of counts: gaps, excess, Pareto, conform."""
    trusts, months, k = 2_000, 100, 5
    size = trusts * months * k
    waiting = rng.integers(50, 500, size)
    quintile = np.tile(np.arange(1, k + 1), trusts * months)
    seen = rng.binomial(waiting, 0.55 + 0.03 * quintile)
    return pd.DataFrame({
        "trust": np.repeat([f"R{i:04d}" for i in range(trusts)], months * k),
        "month": np.tile(np.repeat(pd.date_range("2017-01-01", periods=months, freq="MS").to_numpy(), k),
                         trusts),
        "quintile": quintile, "seen": seen, "waiting": waiting,
        "long_waits": waiting - seen,
        "excess": rng.normal(5, 20, size),
    })


ETHNIC = list(quality.ETHNIC_CODES) + ["", None, "X1"]  # blanks, missing and an invalid local code


def _records(rng) -> pd.DataFrame:
    """1,000,000 patient records: 50 trusts, 24 months, an ethnic code, a local code and an outcome."""
    p = np.r_[np.full(16, 0.8 / 16), 0.06, 0.06, 0.03, 0.03, 0.02]
    codes = np.array(ETHNIC, dtype=object)[rng.choice(len(ETHNIC), ROWS, p=p / p.sum())]
    local = np.array([f"L{i:02d}" for i in range(30)], dtype=object)[rng.integers(0, 30, ROWS)]
    return pd.DataFrame({
        "trust": np.array([f"R{i:02d}" for i in range(50)], dtype=object)[rng.integers(0, 50, ROWS)],
        "month": pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 24, ROWS) * 31, unit="D"),
        "ethnic_category": codes, "local_code": local,
        "waited_52": (rng.random(ROWS) < 0.05).astype(np.int64),
        "weeks": rng.gamma(2.0, 8.0, ROWS),
    })


def _table(rng) -> pd.DataFrame:
    """A 100 x 30 table of counts, some small, for suppress."""
    counts = rng.negative_binomial(2, 0.08, (100, 30))
    return pd.DataFrame(counts, index=pd.Index([f"R{i:03d}" for i in range(100)], name="trust"),
                        columns=[f"c{j:02d}" for j in range(30)])


BUILDERS = {"areas": _areas, "series": _series, "small_areas": _small_areas, "quintiles": _quintiles,
            "cells": _cells, "records": _records, "table": _table}

LOCAL_MAP = {f"L{i:02d}": quality.ETHNIC_CODES[i % 18] for i in range(28)}  # L28, L29 unmapped
CONFORM_SHAPE = Shape([Column("trust", "code"), Column("month", "date"),
                       Column("quintile", "code", codes="imd_quintile"),
                       Column("seen", "integer", minimum=0), Column("waiting", "integer", minimum=0)],
                      key=["trust", "month", "quintile"])


# --------------------------------------------------------------------------------------------------
# Cases: name, data set, the call, and the keys of the plain pandas baseline on the same rows
# --------------------------------------------------------------------------------------------------

def _summary(with_se):
    def call(d):
        return equity_lib.summary_measures(d, group="quintile", value="value", population="population",
                                           order="quintile", by="area", favourable=False,
                                           se="se" if with_se else None, scale=100)
    return call


CASES = [
    ("spc xmr", "series", ["unit"],
     lambda d: equity_lib.spc(d, value="value", time="month", by="unit")),
    ("spc p", "series", ["unit"],
     lambda d: equity_lib.spc(d, numerator="events", denominator="cases", time="month", by="unit",
                              chart="p")),
    ("proportion (one row each)", "areas", ["area"],
     lambda d: equity_lib.proportion(d, "deaths", "population")),
    ("proportion by area", "areas", ["area"],
     lambda d: equity_lib.proportion(d, "deaths", "population", by="area")),
    ("rate by area", "areas", ["area"],
     lambda d: equity_lib.rate(d, "deaths", "population", by="area")),
    ("mean by area", "areas", ["area"],
     lambda d: equity_lib.mean(d, "length_of_stay", by="area")),
    ("dsr by area", "areas", ["area"],
     lambda d: equity_lib.dsr(d, "deaths", "population", by="area", age_band="age_band")),
    ("isr by area", "areas", ["area"],
     lambda d: equity_lib.isr(d, "deaths", "population", reference_numerator="ref_deaths",
                              reference_denominator="ref_population", by="area")),
    ("funnel_chart (one row a unit)", "areas", ["area"],
     lambda d: equity_lib.funnel_chart(d, "deaths", "population")),
    ("funnel_chart, multiplicative", "areas", ["area"],
     lambda d: equity_lib.funnel_chart(d, "deaths", "population", overdispersion="multiplicative")),
    ("assign_quantiles by region", "small_areas", ["region"],
     lambda d: equity_lib.assign_quantiles(d, "score", 10, by="region")),
    ("sii (analytic limits)", "quintiles", ["area"],
     lambda d: equity_lib.sii(d, group="quintile", denominator="population", value="value", se="se",
                              by="area", limits="analytic")),
    ("concentration_index", "quintiles", ["area"],
     lambda d: equity_lib.concentration_index(d, "value", "population", "quintile", by="area",
                                              bounds=(0, 100))),
    ("summary_measures, no se", "quintiles", ["area"], _summary(False)),
    ("summary_measures, se", "quintiles", ["area"], _summary(True)),
    ("group_gap", "cells", ["trust", "month", "quintile"],
     lambda d: equity_lib.group_gap(d, time="month", group="quintile", focus=1, reference=5,
                                    numerator="seen", denominator="waiting", by="trust")),
    ("gap_spc", "cells", ["trust", "month", "quintile"],
     lambda d: equity_lib.gap_spc(d, time="month", group="quintile", focus=1, reference=5,
                                  numerator="seen", denominator="waiting", by="trust")),
    ("excess_cases", "cells", ["trust", "quintile"],
     lambda d: equity_lib.excess_cases(d, "long_waits", "waiting", "quintile", by="trust",
                                       reference=5, pooled_reference=True)),
    ("pareto", "cells", ["trust", "month", "quintile"],
     lambda d: equity_lib.pareto(d, "excess", by=["trust", "month", "quintile"])),
    ("completeness", "records", ["trust", "month"],
     lambda d: quality.completeness(d, "ethnic_category", by="trust", time="month")),
    ("map_ethnicity", "records", ["trust"],
     lambda d: quality.map_ethnicity(d, "local_code", LOCAL_MAP)),
    ("gap_sensitivity", "records", ["trust"],
     lambda d: quality.gap_sensitivity(d, "ethnic_category", "waited_52", focus="K", reference="A",
                                       within="trust")),
    ("conform", "cells", ["trust", "month", "quintile"],
     lambda d: conform(d, CONFORM_SHAPE)),
]


# --------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------

def best_time(call) -> tuple[float, int]:
    """Best of REPEATS runs (fewer when one run is over SLOW_SECONDS)."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # data-gap and overdispersion notes are not the subject here
            call()
        times.append(time.perf_counter() - start)
        if times[-1] > SLOW_SECONDS:
            break
    return min(times), len(times)


def peak_memory(call) -> float:
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def baseline(d: pd.DataFrame, keys: list[str]):
    numeric = [c for c in d.columns if c not in keys and pd.api.types.is_numeric_dtype(d[c])
               and not pd.api.types.is_bool_dtype(d[c])]
    return lambda: d.groupby(keys, observed=True)[numeric].sum()


def import_seconds(statement: str) -> float:
    """Best of IMPORT_REPEATS fresh interpreters: the time of ``statement`` alone."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    best = np.inf
    for _ in range(IMPORT_REPEATS):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        best = min(best, float(out.stdout))
    return best


def main(argv: list[str]) -> int:
    memory = "--memory" in argv
    wanted = [a for a in argv if not a.startswith("--")]

    def chosen(name):
        return not wanted or any(w in name for w in wanted)

    failed = False
    print(f"Each function against a plain pandas groupby(keys).sum() of the same rows' numeric columns; "
          f"best of {REPEATS}; target within {RATIO_TARGET:g}x")
    print(f"  {'function':32s} {'rows':>9s} {'seconds':>8s} {'pandas':>7s} {'ratio':>7s}"
          f"{'  peak MiB' if memory else ''}")
    for name, dataset, keys, call in CASES:
        if not chosen(name):
            continue
        d = data(dataset)
        seconds, runs = best_time(lambda: call(d))  # noqa: B023
        plain, _ = best_time(baseline(d, keys))
        ratio = seconds / plain
        ok = ratio <= RATIO_TARGET
        failed |= not ok
        extra = f"  {peak_memory(lambda: call(d)):8.0f}" if memory else ""  # noqa: B023
        note = "" if runs == REPEATS else f"  ({runs} run)"
        print(f"  {name:32s} {len(d):9,d} {seconds:8.3f} {plain:7.3f} {ratio:6.1f}x{extra}  "
              f"{'PASS' if ok else 'FAIL'}{note}")

    if chosen("suppress"):
        table = data("table")
        seconds, runs = best_time(lambda: suppress(table))
        ok = seconds < SUPPRESS_TARGET_SECONDS
        failed |= not ok
        note = "" if runs == REPEATS else f"  ({runs} run)"
        print(f"  {'suppress, 100 x 30 table':32s} {table.size:9,d} {seconds:8.3f} {'':>7s} {'':>7s}"
              f"  {'PASS' if ok else 'FAIL'} (target under {SUPPRESS_TARGET_SECONDS:g} s){note}")

    if chosen("import"):
        print(f"Imports in a fresh interpreter (best of {IMPORT_REPEATS}); target: import equity_lib "
              f"within {IMPORT_RATIO_TARGET:g}x of import pandas, numpy")
        plain = import_seconds("import pandas, numpy")
        print(f"  {'import pandas, numpy':36s} {plain:7.3f} s")
        seconds = import_seconds("import equity_lib")
        ratio = seconds / plain
        ok = ratio <= IMPORT_RATIO_TARGET
        failed |= not ok
        print(f"  {'import equity_lib':36s} {seconds:7.3f} s {ratio:6.2f}x  {'PASS' if ok else 'FAIL'}")
        print("  First use of a name (its module loads), for information:")
        for name in ("proportion", "funnel_chart", "sii", "summary_measures", "spc", "group_gap", "pareto",
                     "quality"):
            seconds = import_seconds(f"import pandas, numpy, equity_lib; equity_lib.{name}")
            print(f"  {'  equity_lib.' + name:36s} {seconds:7.3f} s {seconds / plain:6.2f}x")
    return int(failed)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
