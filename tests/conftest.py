"""Shared test fixtures: the peer-tool reference outputs, kept in the repository (tests/reference)."""

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

# CI draws the same examples every run, so a red build can be reproduced from its log; a developer's
# run (no CI variable) keeps exploring new examples, and stores any failure in .hypothesis/ to replay.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

matplotlib.use("Agg")  # tests never open a window

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "reference"  # copied from ../shared; tests/reference/README.md names the sources


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The reference folder (tests/reference, in every clone: the reference tests never skip)."""
    return REFERENCE
