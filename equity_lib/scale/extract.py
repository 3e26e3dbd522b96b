"""A record-level synthetic extract of any size, as partitioned Parquet: ``make data-large``.

NOT REAL DATA. The collaborative's waiting list (one record per pathway on the list at each month end, April
2022 to March 2025) and outpatient appointments (one record per appointment attended or missed, April 2023 to
March 2025), made by expanding the committed aggregates (``datasets/rtt_quintile_monthly.csv`` and
``datasets/outpatients_weekly.csv``) to records, so the extract comes from the same seeded world and its
aggregates agree with ``datasets/`` exactly:

* ``scale`` records for each pathway or appointment counted in ``datasets/``: each committed cell's
  disjoint counts (waits under 18 weeks, 18 to 51 weeks, 52 weeks or more; appointments attended, missed)
  become ``round(scale x count)`` records (numpy's ``rint``: halves to even). With a whole ``scale``, the
  extract counted by trust x quintile x month is exactly ``scale`` times ``rtt_quintile_monthly`` (and by
  trust x quintile x ethnic group x week, ``outpatients_weekly``); with any scale it is exactly
  :func:`expected`'s table, and every share (% over 52 weeks, % DNA) is the committed one within
  ``0.5 / (scale x denominator)`` per rounded count (``tests/test_scale.py``).
* ``rows`` (default 20 million) sets ``scale = rows / 16,690,638`` (the committed counts: 9,463,722
  pathway-months and 7,226,916 appointments), so the extract has about ``rows`` records; 100 million and
  more is a matter of ``--rows`` and disk (about 12 bytes a record as Parquet).

Record-level detail, seeded (numpy ``default_rng([SEED, dataset, chunk])``, so a chunk does not depend on
the others) and illustrative: each record's small area is drawn from its trust x quintile's areas in
proportion to their residents (``areas``), its age band and sex from that area's residents
(``population``), a pathway's treatment function from its trust's March 2025 list
(``rtt_snapshot_specialty``) and its weeks waited inside its band with the waiting list's own decay
(``equity_lib.synthetic.waiting_list.WEEK_DECAY``), an appointment's date from the five weekdays of its
week. Pathways are not linked across months (each month-end list is drawn afresh), and records are shuffled
within each file, as an extract in arrival order would be.

Layout (one file per month, written one at a time, so memory stays bounded by the largest month)::

    OUT/waiting_list/2022-04.parquet ...   record_id, month, trust_code, imd_quintile, area_code,
                                           age_band, sex, treatment_function, weeks_waited
    OUT/outpatients/2023-04.parquet ...    record_id, appointment_date, trust_code, imd_quintile, area_code,
                                           age_band, sex, ethnic_group, dna
    OUT/extract.json                       rows, scale, seed, record counts (written last: a complete extract)

``python -m equity_lib.scale.extract --out _build/data-large [--rows 100000000] [--force]``; it does nothing
when OUT already holds the extract asked for. Needs the ``scale`` extra (pyarrow writes the Parquet).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from equity_lib.scale import _require

SEED = 2026
DEFAULT_ROWS = 20_000_000
FORMAT = 1  # bump when the records written change, so old extracts are rewritten
NAMES = ("waiting_list", "outpatients")


@cache
def _committed(name: str) -> pd.DataFrame:
    from equity_lib import datasets

    return datasets.load({"waiting_list": "rtt_quintile_monthly", "outpatients": "outpatients_weekly"}[name])


def base_rows() -> int:
    """Records in the extract at ``scale`` 1: the committed pathway-months plus appointments."""
    waits, appointments = _committed("waiting_list"), _committed("outpatients")
    return int(waits["waiting_total"].sum() + appointments["appointments"].sum())


def scale_for(rows: int) -> float:
    """The scale that gives about ``rows`` records."""
    if not isinstance(rows, (int, np.integer)) or isinstance(rows, bool) or rows < 1:
        raise ValueError(f"rows must be a whole number of records, at least 1, not {rows!r}.")
    return int(rows) / base_rows()


def _parts(name: str, scale: float) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """The committed table, the names of its disjoint parts, and their scaled counts [row, part]."""
    table = _committed(name)
    if name == "waiting_list":
        total, within, over = (table[c].to_numpy() for c in ("waiting_total", "within_18_weeks",
                                                               "over_52_weeks"))
        parts = np.stack([within, total - within - over, over], axis=1)
        labels = ["under_18", "18_to_51", "52_plus"]
    else:
        appointments, dna = table["appointments"].to_numpy(), table["dna"].to_numpy()
        parts = np.stack([appointments - dna, dna], axis=1)
        labels = ["attended", "dna"]
    return table, labels, np.rint(parts * float(scale)).astype(np.int64)


def expected(name: str, scale: float) -> pd.DataFrame:
    """What the extract written at ``scale`` gives when counted: the committed table with scaled counts.

    ``"waiting_list"``: ``rtt_quintile_monthly``'s rows with ``waiting_total``, ``within_18_weeks`` and
    ``over_52_weeks``; ``"outpatients"``: ``outpatients_weekly``'s with ``appointments`` and ``dna``. Each
    disjoint part is ``rint(scale x count)``, so with a whole scale every count is ``scale`` times the
    committed one.
    """
    if name not in NAMES:
        raise ValueError(f"name must be one of {NAMES}, not {name!r}.")
    table, _, parts = _parts(name, scale)
    out = table.copy()
    if name == "waiting_list":
        out["waiting_total"] = parts.sum(axis=1)
        out["within_18_weeks"] = parts[:, 0]
        out["over_52_weeks"] = parts[:, 2]
    else:
        out["appointments"] = parts.sum(axis=1)
        out["dna"] = parts[:, 1]
    return out


# --------------------------------------------------------------------------------------------------
# Drawing record-level detail, vectorised
# --------------------------------------------------------------------------------------------------

def _segments(cell: np.ndarray, weight: np.ndarray, n_cells: int) -> np.ndarray:
    """Keys for drawing, per cell, an item in proportion to its weight: items sorted by cell, each cell's
    normalised cumulative weights shifted by the cell number (strictly increasing across cells)."""
    total = np.bincount(cell, weights=weight, minlength=n_cells)
    cum = np.cumsum(weight) - np.repeat(np.cumsum(total) - total, np.bincount(cell, minlength=n_cells))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = cum / total[cell]
    share[np.flatnonzero(np.diff(cell, append=n_cells))] = 1.0  # each cell's last item ends it exactly
    return cell + share


def _draw(keys: np.ndarray, cell: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Index of the item drawn for each record of ``cell`` (see :func:`_segments`)."""
    return np.searchsorted(keys, cell + rng.random(len(cell)), side="right")


@cache
def _world():
    """Areas by trust x quintile, residents by area x age x sex, treatment functions by trust."""
    from equity_lib import datasets
    from equity_lib.synthetic import waiting_list, world

    codes = list(world.TRUST_CODES)
    areas = datasets.load("areas").sort_values(["trust_code", "imd_quintile", "area_code"], kind="stable")
    trust_index = areas["trust_code"].map({c: i for i, c in enumerate(codes)}).to_numpy(np.int64)
    area_cell = trust_index * 5 + areas["imd_quintile"].astype(int).to_numpy() - 1
    order = np.argsort(area_cell, kind="stable")
    areas = areas.iloc[order].reset_index(drop=True)
    area_cell = area_cell[order]
    area_keys = _segments(area_cell, areas["population"].to_numpy(float), len(codes) * 5)
    area_codes = areas["area_code"].astype(str).to_numpy()

    population = datasets.load("population")
    position = pd.Series(np.arange(len(areas)), index=area_codes)
    pop_area = position.loc[population["area_code"].astype(str)].to_numpy()
    order = np.argsort(pop_area, kind="stable")
    pop_area = pop_area[order]
    ages = population["age_band"].cat.categories
    age = population["age_band"].cat.codes.to_numpy()[order]
    sexes = population["sex"].cat.categories
    sex = population["sex"].cat.codes.to_numpy()[order]
    pop_keys = _segments(pop_area, population["population"].to_numpy(float)[order], len(areas))

    snapshot = datasets.load("rtt_snapshot_specialty")
    functions = sorted(snapshot["treatment_function"].astype(str).unique())
    tf_trust = snapshot["trust_code"].astype(str).map({c: i for i, c in enumerate(codes)}).to_numpy(np.int64)
    order = np.argsort(tf_trust, kind="stable")
    tf_index = snapshot["treatment_function"].astype(str).map(
        {f: i for i, f in enumerate(functions)}).to_numpy()[order]
    tf_keys = _segments(tf_trust[order], snapshot["waiting_total"].to_numpy(float)[order], len(codes))

    bands = []
    top = waiting_list.MAX_WEEKS + 1
    for lo, hi, label in ((0, 18, "under_18"), (18, 52, "18_to_51"), (52, top, "52_plus")):
        w = waiting_list.WEEK_DECAY[label] ** np.arange(hi - lo)
        bands.append((lo, w / w.sum()))
    return {
        "codes": codes, "area_keys": area_keys, "area_codes": area_codes, "pop_keys": pop_keys, "age": age,
        "sex": sex, "ages": list(ages), "sexes": list(sexes), "tf_keys": tf_keys, "tf_index": tf_index,
        "functions": functions, "bands": bands,
    }


def _dictionary(indices: np.ndarray, values: Sequence[str]):
    pa = _require("pyarrow")
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int16)), pa.array(list(values)))


def _records(name: str, table: pd.DataFrame, counts: np.ndarray, rng: np.random.Generator, first_id: int):
    """One chunk's records as an Arrow table: each row of ``table`` expanded by its parts' ``counts``."""
    pa = _require("pyarrow")
    w = _world()
    n_rows, n_parts = counts.shape
    row = np.repeat(np.repeat(np.arange(n_rows), n_parts), counts.ravel())
    part = np.repeat(np.tile(np.arange(n_parts), n_rows), counts.ravel())
    n = len(row)
    shuffle = rng.permutation(n)
    row, part = row[shuffle], part[shuffle]

    index = {c: i for i, c in enumerate(w["codes"])}
    trust = table["trust_code"].astype(str).map(index).to_numpy(np.int64)[row]
    quintile = table["imd_quintile"].astype(int).to_numpy()[row]
    area = _draw(w["area_keys"], trust * 5 + quintile - 1, rng)
    person = _draw(w["pop_keys"], area, rng)
    columns = {
        "record_id": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
    }
    if name == "waiting_list":
        columns["month"] = pa.array(table["month"].to_numpy().astype("datetime64[D]")[row])
    else:
        day = table["week_start"].to_numpy().astype("datetime64[D]")[row] + rng.integers(0, 5, n)
        columns["appointment_date"] = pa.array(day)
    columns |= {
        "trust_code": _dictionary(trust, w["codes"]),
        "imd_quintile": pa.array(quintile.astype(np.int8)),
        "area_code": _dictionary(area, w["area_codes"]),
        "age_band": _dictionary(w["age"][person], w["ages"]),
        "sex": _dictionary(w["sex"][person], w["sexes"]),
    }
    if name == "waiting_list":
        columns["treatment_function"] = _dictionary(w["tf_index"][_draw(w["tf_keys"], trust, rng)],
                                                    w["functions"])
        weeks = np.empty(n, dtype=np.int16)
        for b, (lo, p) in enumerate(w["bands"]):
            mask = part == b
            weeks[mask] = lo + rng.choice(len(p), size=int(mask.sum()), p=p)
        columns["weeks_waited"] = pa.array(weeks)
    else:
        groups = table["ethnic_group"].cat.categories
        columns["ethnic_group"] = _dictionary(table["ethnic_group"].cat.codes.to_numpy()[row], groups)
        columns["dna"] = pa.array(part == 1)
    return pa.table(columns)


def _chunks(name: str, table: pd.DataFrame) -> pd.Series:
    """Each committed row's file: the month of its period."""
    dates = table["month"] if name == "waiting_list" else table["week_start"]
    return dates.dt.strftime("%Y-%m")


def write_extract(out, *, rows: int = DEFAULT_ROWS, seed: int = SEED, force: bool = False,
                  verbose: bool = False) -> dict:
    """Write the extract into folder ``out`` (see the module docstring); return its manifest.

    Nothing is rewritten when ``out/extract.json`` already describes this extract (same rows, seed and
    format), unless ``force``.
    """
    pq = _require("pyarrow.parquet")
    scale = scale_for(rows)
    out = Path(out)
    manifest_path = out / "extract.json"
    wanted = {"format": FORMAT, "rows_asked": int(rows), "seed": int(seed), "scale": scale}
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text())
        if {k: manifest.get(k) for k in wanted} == wanted and all((out / n).is_dir() for n in NAMES):
            if verbose:
                print(f"{out} already holds this extract ({manifest['records']:,} records): nothing to do")
            return manifest
    out.mkdir(parents=True, exist_ok=True)
    manifest_path.unlink(missing_ok=True)
    started = time.perf_counter()
    records, first_id = {}, 0
    for number, name in enumerate(NAMES):
        folder = out / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        table, _, counts = _parts(name, scale)
        chunk = _chunks(name, table)
        records[name] = 0
        for c, label in enumerate(sorted(chunk.unique())):
            mask = (chunk == label).to_numpy()
            rng = np.random.default_rng([seed, number, c])
            arrow = _records(name, table[mask].reset_index(drop=True), counts[mask], rng, first_id)
            pq.write_table(arrow, folder / f"{label}.parquet", row_group_size=1 << 20)
            first_id += arrow.num_rows
            records[name] += arrow.num_rows
        if verbose:
            seconds = time.perf_counter() - started
            print(f"wrote {records[name]:,} {name} records to {folder} ({seconds:.1f} s)")
    manifest = wanted | {"records": sum(records.values()), "records_by_dataset": records,
                         "seconds": round(time.perf_counter() - started, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m equity_lib.scale.extract",
        description="Write the synthetic record-level extract (NOT real data) as partitioned Parquet.",
    )
    parser.add_argument("--out", required=True, help="folder to write into (e.g. _build/data-large)")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                        help=f"about how many records (default {DEFAULT_ROWS:,}; 100000000 for 100 million)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the record-level detail ({SEED})")
    parser.add_argument("--force", action="store_true", help="rewrite even if OUT already holds this extract")
    args = parser.parse_args(argv)
    try:
        write_extract(args.out, rows=args.rows, seed=args.seed, force=args.force, verbose=True)
    except ValueError as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
