"""Benchmark (issue 15): from record-level Parquet to the SPC table, on DuckDB through equity_lib.scale,
beside DuckDB's own bare GROUP BY, pandas alone and (``--spark``) Spark; and ``spc`` at national scale.

Targets, measured side by side in one run:

* the waiting list's SPC table of trust x quintile x month (a p chart of % waiting over 52 weeks: read the
  Parquet, ``scale.aggregate``, ``spc``), end to end, within 3 times DuckDB's own time for the bare
  ``GROUP BY`` on the same files, and at least 20 million records a second on this 2-core machine;
* peak memory (the process's peak RSS, VmHWM, everything included: Python, pandas, DuckDB) under 2 GiB, a
  target stated for 100 million records: run with ``--rows 100000000`` to measure it there;
* beside them, the pandas-only route on the same files (``pandas.read_parquet`` of the four columns needed,
  ``groupby().sum()``, ``spc``): its time and peak RSS;
* ``spc`` at national scale: 100,000 series of 36 points (an XmR chart per series, ``by`` a text code):
  peak memory within 2 times the input's size, by tracemalloc (the Python heap, numpy and pandas buffers)
  and by the rise in the process's peak RSS (everything), and time within 5 times pandas'
  ``groupby(by)[value].transform("mean")`` over the same rows (the two taken in turn, best of 5).

Times: after one warm-up run each, the best of 5, the routes taken in turn in one process (so that whatever
else the machine does falls on all alike; the files are in the page cache after the first read, as on any
machine that has just written or read them). Peak RSS: each route once more in a fresh interpreter, so
that its peak is its own. Spark (``--spark``) is timed in its own interpreter, its start-up reported apart.
All cores are used (DuckDB's default), not ``taskset -c 0``: the target is for 2 cores.

``make bench`` runs it on the default extract (``make data-large``'s 20 million records in
``_build/data-large``, written first if missing); ``python benchmarks/bench_scale_engines.py --rows
100000000`` on 100 million (written to ``_build/data-large-100000000``, about 90 s, 1.2 GB). Exit status 1
if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROWS = 20_000_000
RATIO_TARGET, SPEED_TARGET, RSS_TARGET_GIB = 3.0, 20e6, 2.0
SPC_MEMORY_TARGET, SPC_TIME_TARGET = 2.0, 5.0
SERIES, POINTS = 100_000, 36
REPEATS, SPC_REPEATS = 5, 5

KEYS = ["trust_code", "imd_quintile", "month"]


def folder_for(rows: int) -> Path:
    return REPO / "_build" / ("data-large" if rows == DEFAULT_ROWS else f"data-large-{rows}")


def _peak_rss_gib() -> float:
    """This process's peak RSS: VmHWM (getrusage's ru_maxrss would keep the parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _spc_table(table):
    from equity_lib import spc

    # Laney's p' chart: on tens of thousands of pathways a month the points vary more than binomial chance
    return spc(table, time="month", numerator="over_52_weeks", denominator="denominator", chart="pp",
               by=["trust_code", "imd_quintile"], multiplier=100).table


# --------------------------------------------------------------------------------------------------
# Cases, each run in its own interpreter: python bench_scale_engines.py --case NAME --folder F
# --------------------------------------------------------------------------------------------------

def case_duckdb_bare(folder: Path):
    import duckdb

    con = duckdb.connect()
    sql = (f"SELECT trust_code, imd_quintile, month, SUM(CAST(weeks_waited >= 52 AS BIGINT)), COUNT(*) "
           f"FROM read_parquet('{folder}/waiting_list/*.parquet') GROUP BY ALL")
    return lambda: con.sql(sql).fetchall()


def case_equity_lib_duckdb(folder: Path):
    import equity_lib.scale as scale

    return _through_scale(folder, scale.connect())


def case_pandas(folder: Path):
    import pandas as pd

    def run():
        records = pd.read_parquet(folder / "waiting_list", columns=[*KEYS, "weeks_waited"])
        records["over_52_weeks"] = records["weeks_waited"] >= 52
        table = (records.groupby(KEYS, observed=True)["over_52_weeks"].agg(["sum", "size"])
                 .rename(columns={"sum": "over_52_weeks", "size": "denominator"}).reset_index())
        table["month"] = pd.to_datetime(table["month"])
        table["trust_code"] = table["trust_code"].astype(str)
        return _spc_table(table)
    return run


def case_equity_lib_spark(folder: Path):
    import equity_lib.scale as scale

    started = time.perf_counter()
    session = scale.spark_session()
    con = scale.connect("spark", spark=session)
    case_equity_lib_spark.startup = time.perf_counter() - started
    return _through_scale(folder, con)


def _through_scale(folder: Path, con):
    """The route through equity_lib.scale on a connection (DuckDB or Spark): read, aggregate, spc."""
    import equity_lib.scale as scale

    def run():
        waits = scale.read(folder / "waiting_list", connection=con)
        table = scale.aggregate(waits, time="month", by="trust_code", group="imd_quintile",
                                numerator={"over_52_weeks": waits.weeks_waited >= 52})
        return _spc_table(table)
    return run


def _national_table():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2026)
    return pd.DataFrame({
        "series": np.repeat([f"E{i:08d}" for i in range(SERIES)], POINTS),
        "month": np.tile(pd.date_range("2022-04-01", periods=POINTS, freq="MS").to_numpy(), SERIES),
        "value": rng.normal(50, 5, SERIES * POINTS),
    })


def _national_chart(data):
    from equity_lib import spc

    spc(data.head(10 * POINTS), value="value", time="month", by="series")  # imports, first-call costs
    return lambda: spc(data, value="value", time="month", by="series").table


def spc_national() -> dict:
    """spc on 100,000 series x 36 points against pandas' groupby().transform('mean') on the same rows:
    the best of SPC_REPEATS, the two taken in turn."""
    data = _national_table()
    chart = _national_chart(data)

    def mean():
        return data.groupby("series")["value"].transform("mean")

    times = {"transform": [], "spc": []}
    mean(), chart()
    for _ in range(SPC_REPEATS):
        for name, f in (("transform", mean), ("spc", chart)):
            times[name].append(_timed(f))
    return {"rows": len(data), "input_bytes": int(data.memory_usage(deep=True).sum()),
            "spc_seconds": min(times["spc"]), "transform_seconds": min(times["transform"])}


def spc_national_memory() -> dict:
    """The peak memory of one spc call on the national table, in a fresh interpreter, two ways: traced
    by tracemalloc (Python objects and numpy buffers; Arrow's own buffers are not traced), and the rise
    of the process's peak RSS over its RSS before the call (VmHWM reset through /proc/self/clear_refs),
    which counts everything. The parent starts this interpreter with glibc's mmap threshold fixed
    (MALLOC_MMAP_THRESHOLD_), so that an array freed during the call goes back to the system rather than
    stay in the heap and count as peak (it also makes the call slower: it is not timed here)."""
    import gc

    data = _national_table()
    chart = _national_chart(data)
    gc.collect()
    rss_rise = _rss_rise(chart)
    gc.collect()
    tracemalloc.start()
    chart()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"spc_peak_bytes": peak, "spc_rss_rise_bytes": rss_rise}


def _rss_rise(f) -> int | None:
    """How far the process's peak RSS rises above its RSS while f runs (None where Linux does not say)."""
    def status(key):
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(key))

    try:
        before = status("VmRSS:")
        with open("/proc/self/clear_refs", "w") as reset:
            reset.write("5")  # peak RSS := current RSS
        f()
        return status("VmHWM:") - before
    except OSError:
        return None


def _timed(f) -> float:
    started = time.perf_counter()
    f()
    return time.perf_counter() - started


CASES = {
    "duckdb_bare": case_duckdb_bare,
    "equity_lib_duckdb": case_equity_lib_duckdb,
    "pandas": case_pandas,
    "equity_lib_spark": case_equity_lib_spark,
}


def run_case(name: str, folder: Path) -> dict:
    """In a fresh interpreter: one run for its peak RSS (Spark: also its time, best of REPEATS)."""
    if name == "spc_national":
        return spc_national()
    if name == "spc_national_memory":
        return spc_national_memory() | {"peak_rss_gib": _peak_rss_gib()}
    run = CASES[name](folder)
    out = run()
    result = {"peak_rss_gib": _peak_rss_gib(), "rows_out": len(out)}
    if name == "equity_lib_spark":
        result["seconds"] = min(_timed(run) for _ in range(REPEATS))
        result["startup_seconds"] = CASES[name].startup
    return result


def time_side_by_side(names: list[str], folder: Path) -> dict[str, float]:
    """Best of REPEATS for each route, taken in turn (round robin) in this one process, so that whatever
    else the machine is doing falls on every route alike; one warm-up run each first."""
    runs = {name: CASES[name](folder) for name in names}
    for run in runs.values():
        run()
    times = {name: [] for name in names}
    for _ in range(REPEATS):
        for name, run in runs.items():
            times[name].append(_timed(run))
    return {name: min(t) for name, t in times.items()}


def _in_fresh_interpreter(name: str, folder: Path) -> dict:
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    if name == "spc_national_memory":
        env["MALLOC_MMAP_THRESHOLD_"] = str(128 * 1024)  # see spc_national_memory
    done = subprocess.run([sys.executable, __file__, "--case", name, "--folder", str(folder)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"failed": " | ".join(tail) or f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="records in the extract")
    parser.add_argument("--spark", action="store_true", help="also time equity_lib on Spark (local mode)")
    parser.add_argument("--no-pandas", action="store_true", help="leave out the pandas-only route")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, Path(args.folder) if args.folder else None)))
        return 0

    from equity_lib.scale.extract import write_extract

    folder = folder_for(args.rows)
    manifest = write_extract(folder, rows=args.rows, verbose=True)
    waits = manifest["records_by_dataset"]["waiting_list"]
    print(f"\nExtract {folder.relative_to(REPO)}: {manifest['records']:,} records; the waiting list's "
          f"{waits:,} are read for the SPC table of trust x quintile x month ({os.cpu_count()} cores).\n")

    names = ["duckdb_bare", "equity_lib_duckdb"] + ([] if args.no_pandas else ["pandas"])
    seconds = time_side_by_side(names, folder)
    names += ["equity_lib_spark"] if args.spark else []
    results = {name: _in_fresh_interpreter(name, folder) for name in names}
    for name in seconds:
        results[name].setdefault("seconds", seconds[name])
    print(f"{'route to the SPC table':<34} {'seconds':>8} {'records/s':>13} {'peak RSS':>10}")
    for name, r in results.items():
        if "failed" in r:
            print(f"{name:<34} failed: {r['failed']}")
            continue
        extra = (f"  (+{r['startup_seconds']:.1f} s to start Spark; RSS of Python only, not Spark's JVM)"
                 if "startup_seconds" in r else "")
        print(f"{name:<34} {r['seconds']:>8.2f} {waits / r['seconds'] / 1e6:>11.1f} M "
              f"{r['peak_rss_gib']:>8.2f} GiB{extra}")

    missed = []
    ours, bare = results["equity_lib_duckdb"], results["duckdb_bare"]
    if "failed" in ours or "failed" in bare:
        missed.append("a DuckDB case failed")
    else:
        ratio, speed = ours["seconds"] / bare["seconds"], waits / ours["seconds"]
        print(f"\nequity_lib on DuckDB, end to end: {ratio:.2f} x DuckDB's bare GROUP BY (target <= "
              f"{RATIO_TARGET:g}); {speed / 1e6:.1f} M records/s (target >= {SPEED_TARGET / 1e6:g} M); "
              f"peak RSS {ours['peak_rss_gib']:.2f} GiB at {waits:,} records "
              f"(target < {RSS_TARGET_GIB:g} GiB at 100 M)")
        if ratio > RATIO_TARGET:
            missed.append(f"end to end {ratio:.2f} x the bare GROUP BY")
        if speed < SPEED_TARGET:
            missed.append(f"{speed / 1e6:.1f} M records/s")
        if ours["peak_rss_gib"] >= RSS_TARGET_GIB:
            missed.append(f"peak RSS {ours['peak_rss_gib']:.2f} GiB")

    s = _in_fresh_interpreter("spc_national", None)
    s |= _in_fresh_interpreter("spc_national_memory", None)
    if "failed" in s:
        missed.append("spc at national scale failed: " + s["failed"])
    else:
        memory = s["spc_peak_bytes"] / s["input_bytes"]
        ratio = s["spc_seconds"] / s["transform_seconds"]
        print(f"\nspc, {SERIES:,} series x {POINTS} points ({s['rows']:,} rows, input "
              f"{s['input_bytes'] / 2**20:.0f} MiB): {s['spc_seconds']:.2f} s = {ratio:.1f} x "
              "groupby().transform('mean') "
              f"({s['transform_seconds']:.2f} s; target <= {SPC_TIME_TARGET:g} x); peak traced memory "
              f"{s['spc_peak_bytes'] / 2**20:.0f} MiB = {memory:.2f} x the input (target <= "
              f"{SPC_MEMORY_TARGET:g} x)", end="")
        rise = s.get("spc_rss_rise_bytes")
        if rise is not None:
            print(f"; peak RSS rise {rise / 2**20:.0f} MiB = {rise / s['input_bytes']:.2f} x", end="")
        print(f"; process peak RSS {s['peak_rss_gib']:.2f} GiB")
        if ratio > SPC_TIME_TARGET:
            missed.append(f"spc {ratio:.1f} x transform")
        if memory > SPC_MEMORY_TARGET:
            missed.append(f"spc peak memory {memory:.2f} x its input")
        if rise is not None and rise / s["input_bytes"] > SPC_MEMORY_TARGET:
            missed.append(f"spc peak RSS rise {rise / s['input_bytes']:.2f} x its input")
    if missed:
        print("\nTargets missed: " + "; ".join(missed))
        return 1
    print("\nAll targets met.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
