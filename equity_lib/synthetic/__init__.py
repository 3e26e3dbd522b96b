"""Generators of the synthetic datasets shipped in the repository's ``datasets/`` folder.

NOT REAL DATA: every dataset is made up by code here, for teaching. Its parameters come from
published figures listed, each with its source, in ``design/synthetic_parameters.yaml`` (NHS England
RTT statistics, the NHS Constitution, NHS England's Waiting List Minimum Data Set, The King's Fund,
ONS population estimates); values that no source gave are labelled illustrative, in each generator's
docstring and in ``datasets/README.md``.

One synthetic world feeds every dataset, so they agree with each other: ``world`` (the five trusts
and the code lists), ``areas`` (small areas, deprivation and residents), then ``rtt`` (the monthly
RTT list, notebook 01), ``rtt_quintile`` (split by deprivation), ``waiting_list`` (the March 2025
list person by person, and what is counted from it), ``completeness``, ``outpatients`` and ``acsc``;
``workforce`` (the trusts' Workforce Race Equality Standard counts, lesson 12) and ``patient_survey``
(an inpatient survey, its comments and their coding, lesson 13); ``learning_log`` (the collaborative's
shared log of changes tried and their results, counted from the datasets above, lesson 15).

``python -m equity_lib.synthetic [--out OUT_DIR]`` (``make data``) regenerates every dataset and
``datapackage.json``, byte for byte (all randomness is seeded with numpy's ``default_rng``), into a source
checkout's ``datasets/`` folder, or into OUT_DIR. It never writes into an installed package: without a
checkout, OUT_DIR is required.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from equity_lib.synthetic import (
    acsc,
    areas,
    completeness,
    learning_log,
    outpatients,
    patient_survey,
    rtt,
    rtt_quintile,
    waiting_list,
    workforce,
    world,
)


class Recipe(NamedTuple):
    """How to make one dataset: a seeded builder, and the fixed decimals of its float columns."""

    build: Callable[[], pd.DataFrame]
    decimals: Mapping[str, int]


def _trusts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trust_code": world.TRUST_CODES,
            "trust_name": world.TRUST_NAMES,
            "catchment_population": [t.catchment for t in world.TRUSTS],
            "kind": [t.kind for t in world.TRUSTS],
        }
    )


# Dataset name (as in equity_lib.datasets.REGISTRY) -> recipe.
RECIPES: dict[str, Recipe] = {
    "trusts": Recipe(_trusts, {}),
    "areas": Recipe(areas.generate_areas, {}),
    "population": Recipe(areas.generate_population, {}),
    "population_ethnicity": Recipe(areas.generate_population_ethnicity, {}),
    "rtt_monthly": Recipe(rtt.generate, rtt.DECIMALS),
    "rtt_quintile_monthly": Recipe(lambda: rtt_quintile.generate().copy(), {}),
    "rtt_snapshot_specialty": Recipe(waiting_list.generate_snapshot_specialty, {}),
    "waiting_list": Recipe(waiting_list.generate, {}),
    "ethnicity_completeness_monthly": Recipe(completeness.generate, {}),
    "outpatients_weekly": Recipe(outpatients.generate, {}),
    "acsc_admissions": Recipe(acsc.generate, {}),
    "workforce": Recipe(workforce.generate, {}),
    "patient_survey": Recipe(patient_survey.generate_survey, {}),
    "patient_comments": Recipe(patient_survey.generate_comments, {}),
    "comment_codebook": Recipe(patient_survey.generate_codebook, {}),
    "comment_codes": Recipe(patient_survey.generate_codes, {}),
    "learning_log": Recipe(learning_log.generate, learning_log.DECIMALS),
}


def to_csv_bytes(frame: pd.DataFrame, decimals: Mapping[str, int]) -> bytes:
    """A frame as CSV bytes, reproducible: fixed decimals, ISO dates, "\\n" line ends, no index."""
    out = frame.copy()
    for column, places in decimals.items():
        out[column] = out[column].map(f"{{:.{places}f}}".format)
    text = out.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return text.encode("utf-8")


def clear_caches() -> None:
    """Forget the cached world, so that the next build starts from the seeds again."""
    for cached in (areas.build, rtt_quintile.generate, waiting_list.build, patient_survey.build):
        cached.cache_clear()


def gzip_bytes(data: bytes) -> bytes:
    """gzip-compress reproducibly: no file name, modification time 0, OS "unknown", zlib level 9.

    The header is written here, not by zlib, so that it is the same on every platform. (The compressed
    bytes can still differ between zlib versions; the data inside never do.)
    """
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    body = deflate.compress(data) + deflate.flush()
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x02\xff"
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


class NotASourceCheckout(RuntimeError):
    """No folder to write to: equity_lib is installed from a wheel and no output folder was given."""


def default_out_dir() -> Path:
    """The ``datasets/`` folder of the source checkout equity_lib runs from (an editable install).

    Raises NotASourceCheckout when equity_lib is installed from a wheel: the generators never write
    into site-packages.
    """
    # Imported here: equity_lib.datasets imports this package's world module.
    from equity_lib.datasets import SOURCE_CHECKOUT

    if SOURCE_CHECKOUT is None:
        raise NotASourceCheckout(
            "equity_lib is not running from a source checkout (it is installed from a wheel), so there "
            "is no datasets/ folder to regenerate, and nothing is ever written into site-packages. Name a "
            "folder to write to: python -m equity_lib.synthetic --out OUT_DIR (or write_all(OUT_DIR)); "
            "or run `make data` in a clone of the repository."
        )
    return SOURCE_CHECKOUT / "datasets"


def write_all(out_dir: str | Path | None = None) -> list[Path]:
    """Regenerate every dataset, and ``datapackage.json``, into ``out_dir``.

    ``out_dir`` defaults to the source checkout's ``datasets/`` (``default_out_dir``; without a checkout
    NotASourceCheckout is raised). Files named ``*.gz`` are gzip-compressed (``gzip_bytes``). Returns the
    paths written.
    """
    # Imported here: equity_lib.datasets imports this package's world module.
    from equity_lib.datasets import REGISTRY, datapackage

    folder = Path(out_dir) if out_dir is not None else default_out_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, recipe in RECIPES.items():
        spec = REGISTRY[name]
        frame = recipe.build()
        if list(frame.columns) != spec.columns:
            raise AssertionError(
                f"{name}: columns {list(frame.columns)} differ from the registry's {spec.columns}"
            )
        data = to_csv_bytes(frame, recipe.decimals)
        path = folder / spec.filename
        path.write_bytes(gzip_bytes(data) if spec.filename.endswith(".gz") else data)
        written.append(path)
    path = folder / "datapackage.json"
    path.write_text(
        json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
    )
    written.append(path)
    return written
