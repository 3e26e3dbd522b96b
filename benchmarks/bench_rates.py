"""Benchmark: dsr() on 52,632 areas x 19 ESP2013 age bands (1,000,008 rows), grouped by area.

Target (rates issue): under 5 s on one core. Run with
``taskset -c 0 .venv/bin/python benchmarks/bench_rates.py``. Two ways of matching rows to the
standard population are timed: by age-band label (``age_band=``) and by position (19 rows per area,
youngest first). Prints the best of 3 runs, rows per second and peak memory (tracemalloc: the Python
heap including numpy and pandas buffers). Also times rate() and proportion() on the same rows.
"""

import os
import time
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from equity_lib.rates import ESP2013, dsr, proportion, rate  # noqa: E402

AREAS, REPEATS = 52_632, 3
TARGET_SECONDS = 5.0


def make_data(seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bands = len(ESP2013)
    size = AREAS * bands
    pop = rng.integers(50, 2000, size)
    rates_by_band = np.tile(np.geomspace(0.0005, 0.15, bands), AREAS)
    return pd.DataFrame({
        "area": np.repeat([f"E{i:08d}" for i in range(AREAS)], bands),
        "age_band": np.tile(ESP2013["age_band"].to_numpy(), AREAS),
        "deaths": rng.binomial(pop, rates_by_band),
        "population": pop,
    })


def measure(label, call, rows):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    best = min(times)
    ok = best < TARGET_SECONDS
    print(f"  {label:32s} {best:6.2f} s  {rows / best:12,.0f} rows/s  peak {peak / 2**20:6.0f} MiB"
          f"  {'meets' if ok else 'MISSES'} the {TARGET_SECONDS:.0f} s target")
    return ok


def main() -> int:
    data = make_data()
    rows = len(data)
    print(f"dsr() on {AREAS:,} areas x {len(ESP2013)} age bands = {rows:,} rows; best of {REPEATS}")
    levels = (0.95, 0.998)
    ok = measure("dsr, bands matched by label",
                 lambda: dsr(data, numerator="deaths", denominator="population", by="area",
                             age_band="age_band", confidence=levels), rows)
    ok &= measure("dsr, bands matched by position",
                  lambda: dsr(data, numerator="deaths", denominator="population", by="area",
                              confidence=levels), rows)
    ok &= measure("rate, grouped by area",
                  lambda: rate(data, numerator="deaths", denominator="population", by="area",
                               confidence=levels), rows)
    ok &= measure("proportion, one unit per row",
                  lambda: proportion(data, numerator="deaths", denominator="population", confidence=levels),
                  rows)
    return int(not ok)


if __name__ == "__main__":
    raise SystemExit(main())
