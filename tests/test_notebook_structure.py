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


# --- Bitesize, as ../shared/design/curriculum.md measures it ------------------------------------------------
# The core is everything before the final "## Going further": at most 1,300 words of prose and 3 figures,
# two quick checks, and an exercise whose charts and tables come before its solution.

CORE_WORDS, CORE_FIGURES, QUICK_CHECKS = 1300, 3, 2
SESSION_MINUTES, CAPSTONE_MINUTES = 25, 45


def _core(nb):
    """The cells before the final '## Going further' heading."""
    cells = nb["cells"]
    starts = [i for i, c in enumerate(cells)
              if c["cell_type"] == "markdown" and re.search(r"^## Going further", "".join(c["source"]), re.M)]
    assert starts, "a final '## Going further' heading"
    return cells[:starts[-1]] + [_before_going_further(cells[starts[-1]])]


def _before_going_further(cell):
    src = "".join(cell["source"])
    return {**cell, "source": src[:re.search(r"^## Going further", src, re.M).start()]}


def _prose_words(cells) -> int:
    words = 0
    for c in cells:
        if c["cell_type"] == "markdown":
            text = re.sub(r"```.*?```", " ", "".join(c["source"]), flags=re.S)
            words += len(re.findall(r"[A-Za-z][A-Za-z'’-]*", text))
    return words


def _figures(cells) -> int:
    return sum(1 for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])
               if {"image/png", "image/svg+xml"} & set(o.get("data", {})))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_core_is_bitesize(path):
    core = _core(_load(path))
    words, figures = _prose_words(core), _figures(core)
    assert words <= CORE_WORDS, (f"the core has {words} words of prose (at most {CORE_WORDS}): "
                                 "move side topics under '## Going further'")
    assert figures <= CORE_FIGURES, f"the core shows {figures} figures (at most {CORE_FIGURES})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_session_time_fits(path):
    md = _markdown(_load(path))
    teaching, exercise = map(int, re.search(r"(\d+) minutes teaching, (\d+) minutes exercise", md).groups())
    limit = CAPSTONE_MINUTES if re.search(r"\bcapstone\b", md[:md.lower().index("## learning objectives")],
                                          re.I) else SESSION_MINUTES
    assert teaching + exercise <= limit, f"{teaching} + {exercise} minutes: a session is at most {limit}"


QUICK_CHECK = re.compile(r"^### Check your understanding: (?P<topic>.+)$", re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_two_quick_checks_in_the_core(path):
    checks = [("".join(c["source"])) for c in _core(_load(path))
              if c["cell_type"] == "markdown" and QUICK_CHECK.search("".join(c["source"]))]
    assert len(checks) >= QUICK_CHECKS, \
        f"{len(checks)} quick checks ('### Check your understanding: ...') in the core"
    topics = [QUICK_CHECK.search(c)["topic"] for c in checks]
    assert len(set(topics)) == len(topics), f"each quick check has its own topic: {topics}"
    for check in checks:
        body = check[QUICK_CHECK.search(check).end():]
        question, _, rest = body.partition("- **A.**")
        assert question.strip().endswith("?"), f"the check asks a question: {question.strip()[-80:]!r}"
        options = re.findall(r"^- \*\*([A-D])\.\*\* \S", "- **A.**" + rest, re.M)
        assert options in (["A", "B", "C"], ["A", "B", "C", "D"]), f"3 or 4 answers A, B, C(, D): {options}"
        answer = re.search(
            r"<details>\s*<summary>Answer</summary>\s*\n\n\*\*([A-D])\.\*\* \S.*?\n\n</details>", rest, re.S)
        assert answer, "the answer in <details>: <summary>Answer</summary>, a blank line, '**X.** why'"
        assert answer[1] in options, f"the answer {answer[1]} is one of the options"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercise_material_comes_before_its_solution(path):
    cells = _load(path)["cells"]
    sources = ["".join(c["source"]) for c in cells]
    exercise = next(i for i, s in enumerate(sources) if ":::{exercise}" in s)
    solution = next(i for i, s in enumerate(sources) if ":::{solution-start}" in s)
    shown = [c for c in cells[exercise + 1:solution] if c["cell_type"] == "code" and c.get("outputs")]
    assert shown, ("the charts or tables the exercise needs are shown after it and before its solution, "
                   "so a learner who does not code can answer from the page")
