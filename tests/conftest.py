"""Shared test fixtures: the peer-tool reference outputs in ../shared (read-only, beside the clone)."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # tests never open a window

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The reference folder, or skip: a clone without ../shared cannot compare against peer tools."""
    path = SHARED / "reference"
    if not path.is_dir():
        pytest.skip(f"peer-tool reference outputs not found at {path} (only present beside the "
                    "project's own checkout); the method tests still run")
    return path
