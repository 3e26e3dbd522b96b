"""Benchmark: spc() on 10,000 series x 36 monthly points, for an XmR and a p chart.

Target (issue 2): each chart's 360,000 points in under 2 s on one core. Run with `make bench`.
Prints points per second and peak memory (tracemalloc, the Python heap incl. numpy buffers).
"""

import os
import time
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from equity_lib import spc  # noqa: E402

FACETS, MONTHS, REPEATS = 10_000, 36, 3
TARGET_SECONDS = 2.0


def make_data(seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = FACETS * MONTHS
    den = rng.integers(80, 400, size)
    return pd.DataFrame({
        "unit": np.repeat(np.arange(FACETS), MONTHS),
        "month": np.tile(pd.date_range("2022-04-01", periods=MONTHS, freq="MS").to_numpy(), FACETS),
        "value": rng.normal(60, 4, size),
        "events": rng.binomial(den, 0.2),
        "cases": den,
    })


def main() -> int:
    data = make_data()
    failed = False
    print(f"spc() on {FACETS:,} series x {MONTHS} points = {len(data):,} points; best of {REPEATS}")
    for chart, kwargs in (("xmr", dict(value="value")), ("p", dict(numerator="events", denominator="cases"))):
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            spc(data, time="month", by="unit", chart=chart, **kwargs)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        spc(data, time="month", by="unit", chart=chart, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        best = min(times)
        ok = best < TARGET_SECONDS
        failed |= not ok
        print(f"  {chart:4s} {best:6.2f} s  {len(data) / best:12,.0f} points/s  peak {peak / 2**20:6.0f} MiB"
              f"  {'meets' if ok else 'MISSES'} the {TARGET_SECONDS:.0f} s target")
    return int(failed)


if __name__ == "__main__":
    raise SystemExit(main())
