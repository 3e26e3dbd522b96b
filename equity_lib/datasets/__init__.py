"""Load the synthetic datasets shipped in the repository's ``datasets/`` folder.

NOT REAL DATA: every dataset here is synthetic, made by ``equity_lib.synthetic`` from published
parameters (see ``datasets/README.md``, the data dictionary, for every column and the source of each
number).

>>> from equity_lib.datasets import load
>>> rtt = load("rtt_monthly")

To add a dataset: add its entry to ``REGISTRY`` here and its recipe to
``equity_lib.synthetic.RECIPES``, run ``python -m equity_lib.synthetic`` and describe it in
``datasets/README.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from equity_lib.synthetic import world

# The package is installed editable from a checkout; the data live at the repository's top level.
DATASETS_DIR = Path(__file__).resolve().parents[2] / "datasets"

_TRUST_CODE = pd.CategoricalDtype(list(world.TRUST_CODES), ordered=True)  # largest trust first
_TRUST_NAME = pd.CategoricalDtype(list(world.TRUST_NAMES), ordered=True)


@dataclass(frozen=True)
class DatasetSpec:
    """How to read one dataset: its file in ``datasets/``, what it holds, and its column types."""

    filename: str
    description: str
    parse_dates: tuple[str, ...] = ()  # ISO dates (YYYY-MM-DD), read as datetime64[ns]
    dtypes: Mapping[str, Any] = field(default_factory=dict)


REGISTRY: dict[str, DatasetSpec] = {
    "rtt_monthly": DatasetSpec(
        filename="rtt_monthly.csv",
        description=(
            "Synthetic monthly referral-to-treatment (RTT) waiting list for the five trusts of "
            "the fictional Moorside Provider Collaborative, April 2022 to March 2025: incomplete "
            "pathways, within 18 weeks and over 52 weeks (180 rows: 5 trusts x 36 months)."
        ),
        parse_dates=("month",),
        dtypes={
            "trust_code": _TRUST_CODE,
            "trust_name": _TRUST_NAME,
            "waiting_total": "int64",
            "within_18_weeks": "int64",
            "pct_within_18_weeks": "float64",
            "over_52_weeks": "int64",
            "pct_over_52_weeks": "float64",
        },
    ),
}


def available() -> list[str]:
    """Names of the datasets that ``load`` knows, sorted."""
    return sorted(REGISTRY)


def load(name: str) -> pd.DataFrame:
    """Read a synthetic dataset by name, with typed columns (see ``datasets/README.md``).

    Raises ValueError for an unknown name (the message lists the available names) and
    FileNotFoundError when the datasets folder or the file is missing.
    """
    spec = REGISTRY.get(name) if isinstance(name, str) else None
    if spec is None:
        raise ValueError(f"Unknown dataset {name!r}. Available datasets: {', '.join(available())}.")
    regenerate = "Regenerate the files with `python -m equity_lib.synthetic`."
    if not DATASETS_DIR.is_dir():
        raise FileNotFoundError(
            f"The datasets folder {DATASETS_DIR} is missing. equity_lib reads its data from the "
            "datasets/ folder of a repository checkout, so install it from one (pip install -e .). "
            f"{regenerate}"
        )
    path = DATASETS_DIR / spec.filename
    if not path.is_file():
        raise FileNotFoundError(f"Dataset {name!r}: {path} is missing. {regenerate}")
    frame = pd.read_csv(path, dtype=dict(spec.dtypes))
    for column in spec.parse_dates:
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[ns]")
    return frame
