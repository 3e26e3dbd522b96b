"""Shared test fixtures: the peer-tool reference outputs, kept in the repository (tests/reference)."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # tests never open a window

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "reference"  # copied from ../shared; tests/reference/README.md names the sources


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The reference folder (tests/reference, in every clone: the reference tests never skip)."""
    return REFERENCE
