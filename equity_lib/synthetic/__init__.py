"""Generators of the synthetic datasets shipped in the repository's ``datasets/`` folder.

NOT REAL DATA: every dataset is made up by code here, for teaching. Its parameters come from
published figures listed, each with its source, in ``design/synthetic_parameters.yaml`` (NHS England
RTT statistics, the NHS Constitution, NHS England's Waiting List Minimum Data Set, The King's Fund,
ONS population estimates); values that no source gave are labelled illustrative, in each generator's
docstring and in ``datasets/README.md``.

``python -m equity_lib.synthetic [OUT_DIR]`` regenerates every dataset, byte for byte (all
randomness is seeded).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from equity_lib.synthetic import rtt


class Recipe(NamedTuple):
    """How to make one dataset: a seeded builder, and the fixed decimals of its float columns."""

    build: Callable[[], pd.DataFrame]
    decimals: Mapping[str, int]


# Dataset name (as in equity_lib.datasets.REGISTRY) -> recipe.
RECIPES: dict[str, Recipe] = {
    "rtt_monthly": Recipe(rtt.generate, rtt.DECIMALS),
}


def to_csv_bytes(frame: pd.DataFrame, decimals: Mapping[str, int]) -> bytes:
    """A frame as CSV bytes, reproducible: fixed decimals, ISO dates, "\\n" line ends, no index."""
    out = frame.copy()
    for column, places in decimals.items():
        out[column] = out[column].map(f"{{:.{places}f}}".format)
    text = out.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
    return text.encode("utf-8")


def write_all(out_dir: str | Path | None = None) -> list[Path]:
    """Regenerate every dataset into ``out_dir`` (default: the repository's ``datasets/``).

    Returns the paths written.
    """
    # Imported here: equity_lib.datasets imports this package's world module.
    from equity_lib.datasets import DATASETS_DIR, REGISTRY

    folder = Path(out_dir) if out_dir is not None else DATASETS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, recipe in RECIPES.items():
        path = folder / REGISTRY[name].filename
        path.write_bytes(to_csv_bytes(recipe.build(), recipe.decimals))
        written.append(path)
    return written
