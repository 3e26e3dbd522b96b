"""Load the synthetic datasets: ``datasets/`` in the repository, ``equity_lib/data/`` in an installed wheel.

NOT REAL DATA: every dataset here is synthetic, made by ``equity_lib.synthetic`` from published
parameters (see ``datasets/README.md``, the data dictionary, for every column and the source of each
number, and ``datasets/datapackage.json`` for the same schemas as a Frictionless Data Package).

>>> from equity_lib.datasets import load
>>> rtt = load("rtt_monthly")

Loaded columns are typed: codes are categoricals in a fixed order (trusts largest first; IMD deciles
and quintiles ordered with 1 = most deprived; age bands youngest first; ethnic categories in NHS Data
Dictionary order, A to S, then Z "not stated" and 99 "not known"), counts int64, dates datetime64.
Lookup tables: ``ETHNIC_CATEGORIES`` (code, label, broad group), ``AGE_BANDS`` and ``ESP2013`` (the
European Standard Population 2013 weights), ``TREATMENT_FUNCTIONS``.

Your own extract: ``columns(name)`` lists what a lesson's dataset holds, and ``conform(extract, name)``
checks a team's extract against it and types it the same way; ``conform(extract, Shape([Column(...),
...]))`` does the same for a shape you declare (``equity_lib.datasets.extract``).

To add a dataset: add its entry to ``REGISTRY`` (``equity_lib/datasets/_registry.py``) and its recipe
to ``equity_lib.synthetic.RECIPES``, run ``python -m equity_lib.synthetic`` and describe it in
``datasets/README.md``.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

import pandas as pd

from equity_lib.datasets._registry import PACKAGE, REGISTRY, DatasetSpec, Field, datapackage
from equity_lib.datasets.extract import Column, Shape, columns, conform
from equity_lib.synthetic import world


def _source_checkout() -> Path | None:
    """The repository checkout this package is imported from (an editable install), or None."""
    root = Path(__file__).resolve().parents[2]
    try:
        name = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    except (OSError, ValueError, KeyError):
        return None
    return root if name == "equity_lib" and (root / "datasets").is_dir() else None


def _datasets_dir() -> Path:
    # An installed wheel carries the data as package data (pyproject.toml maps datasets/ to
    # equity_lib/data); an editable install reads them where they are kept, in the checkout's datasets/.
    packaged = files("equity_lib").joinpath("data")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    if SOURCE_CHECKOUT is not None:
        return SOURCE_CHECKOUT / "datasets"
    return Path(str(packaged))


SOURCE_CHECKOUT: Path | None = _source_checkout()
"""The repository checkout equity_lib runs from (installed with ``pip install -e .``), or None when it is
installed from a wheel. Only a checkout's ``datasets/`` is ever regenerated (``equity_lib.synthetic``)."""

DATASETS_DIR: Path = _datasets_dir()
"""Where ``load`` reads the files: the package data of an installed wheel, or a checkout's ``datasets/``."""

ETHNIC_CATEGORIES = pd.DataFrame(
    {
        "code": pd.Categorical(world.ETHNIC_CODES, categories=world.ETHNIC_CODES),
        "label": [e.label for e in world.ETHNIC],
        "broad_group": pd.Categorical([e.broad_group for e in world.ETHNIC], categories=world.BROAD_GROUPS),
        "census_2021_pct": [e.census_2021_pct for e in world.ETHNIC],
    }
)
"""The NHS Data Dictionary ethnic categories in NHS order, with code, label, broad group (short name) and the
share of England and Wales' population in Census 2021 (missing for Z and 99)."""

AGE_BANDS = pd.CategoricalDtype(list(world.AGE_BANDS), ordered=True)
"""The 19 ESP2013 age bands, youngest first, as an ordered categorical type."""

ESP2013 = pd.DataFrame(
    {"age_band": pd.Categorical(world.AGE_BANDS, dtype=AGE_BANDS), "weight": list(world.ESP2013_WEIGHTS)}
)
"""The European Standard Population 2013, the weight per 100,000 for each of the 19 age bands."""

TREATMENT_FUNCTIONS = pd.DataFrame(
    {"code": list(world.TREATMENT_FUNCTIONS), "name": [v[0] for v in world.TREATMENT_FUNCTIONS.values()]}
)
"""The treatment functions used in ``waiting_list`` and ``rtt_snapshot_specialty``."""

__all__ = [
    "AGE_BANDS",
    "DATASETS_DIR",
    "SOURCE_CHECKOUT",
    "ESP2013",
    "ETHNIC_CATEGORIES",
    "PACKAGE",
    "REGISTRY",
    "TREATMENT_FUNCTIONS",
    "Column",
    "DatasetSpec",
    "Field",
    "Shape",
    "available",
    "columns",
    "conform",
    "datapackage",
    "load",
]


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
    if SOURCE_CHECKOUT is not None:
        regenerate = "Regenerate the files with `make data` (python -m equity_lib.synthetic)."
    else:
        regenerate = "Reinstall equity_lib: its wheel carries the data (equity_lib/data)."
    if not DATASETS_DIR.is_dir():
        raise FileNotFoundError(
            f"The datasets folder {DATASETS_DIR} is missing. equity_lib reads its data from the package "
            "data of an installed wheel (equity_lib/data) or from the datasets/ folder of a repository "
            f"checkout (pip install -e .). {regenerate}"
        )
    path = DATASETS_DIR / spec.filename
    if not path.is_file():
        raise FileNotFoundError(f"Dataset {name!r}: {path} is missing. {regenerate}")
    frame = pd.read_csv(path, dtype=dict(spec.dtypes), keep_default_na=False, na_values=[""])
    for column in spec.parse_dates:
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[ns]")
    return frame
