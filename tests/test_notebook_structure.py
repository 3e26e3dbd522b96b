"""Every lesson has the shape of ../shared/design/lesson-shape.md, and is safe to publish as it is stored.

Checked on the committed notebooks: the sections in order, the exercise and its dropdown solution, alt text on
every figure, stored outputs (so nbval compares something) and no warnings or errors in them.
"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Section headings, in order; each pattern matches a level-2 heading (## ...) of a markdown cell.
SECTIONS = [
    ("learning objectives", r"learning objectives"),
    ("the board or equity question", r"the (board|equity) question"),
    ("worked example", r"worked example"),
    ("exercise", r"exercise"),
    ("use it on your own data", r"use it on your own data"),
    ("key points", r"key points"),
    ("going further", r"going further"),
]


def _load(path):
    return json.loads(path.read_text())


def _markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_there_are_lessons():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_promise_and_at_a_glance(path):
    md = _markdown(_load(path))
    assert re.match(rf"# {path.stem[:2]} \S", md), "the first line is '# NN Title'"
    first_paragraph = md.split("\n\n")[1]
    assert first_paragraph.startswith("**") and first_paragraph.rstrip().endswith("?**"), \
        "a one-line promise in bold, phrased as the reader's question"
    glance = md[md.lower().index("at a glance"):].lower()
    for item in ("for", "time", "you need first", "dataset"):
        assert f"**{item}**" in glance, f"'At a glance' lacks {item!r}"
    assert re.search(r"\d+ minutes teaching, \d+ minutes exercise", md), "teaching and exercise minutes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_sections_in_order(path):
    headings = [h.lower() for h in re.findall(r"^## (.+)$", _markdown(_load(path)), flags=re.M)]
    positions = []
    for name, pattern in SECTIONS:
        found = [i for i, h in enumerate(headings) if re.match(pattern, h)]
        assert found, f"missing section: {name}"
        positions.append(found[0])
    assert positions == sorted(positions), f"sections out of order: {headings}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_objectives_start_with_a_verb(path):
    md = _markdown(_load(path))
    block = md[md.lower().index("## learning objectives"):].split("\n## ")[0]
    objectives = re.findall(r"^\s*(?:\d+\.|-)\s+\**([A-Za-z]+)", block, flags=re.M)
    assert 3 <= len(objectives) <= 5, f"3 to 5 objectives, found {len(objectives)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercise_with_dropdown_solution(path):
    md = _markdown(_load(path))
    label = re.search(r":::\{exercise\}[^\n]*\n:label: (\S+)", md)
    assert label, "an {exercise} directive with a :label:"
    start = re.search(rf":::\{{solution-start\}} {re.escape(label[1])}\n:class: dropdown", md)
    assert start, "a {solution-start} for that exercise, with :class: dropdown"
    assert ":::{solution-end}" in md[start.end():], "a {solution-end} after the solution"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_stored_clean_and_figures_described(path):
    nb = _load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any(c.get("outputs") for c in code), "stored outputs, so that nbval compares something"
    for i, cell in enumerate(code):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"code cell {i} stores an error"
            assert out.get("name") != "stderr", f"code cell {i} stores a warning or stderr output"
            if "image/png" in out.get("data", {}):
                alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
                assert len(alt) > 40, f"code cell {i} draws a figure without alt text saying what it shows"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_data_loaded_the_same_way(path):
    sources = "\n".join("".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "code")
    assert "load(" in sources, "data loaded with equity_lib.datasets.load"
    assert "read_csv(" not in sources, "no ad hoc file reading: add the dataset to equity_lib.datasets"
