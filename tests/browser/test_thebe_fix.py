"""book/_ext/inline_scripts_once.py, on a minimal Sphinx project (no browser, no built book needed).

sphinx-thebe, which Jupyter Book always loads, adds an inline script after the HTML builder has
started; Sphinx 7.4 then writes it twice and the browser throws "Identifier 'THEBE_JS_URL' has
already been declared". The control build shows the fault is still there upstream: when it
passes no more, the extension can go.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bookcheck import REPO

EXT = REPO / "book" / "_ext"


def _build(tmp_path: Path, extensions: list[str]) -> str:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(f"extensions = {extensions!r}\nhtml_theme = 'basic'\n")
    (src / "index.rst").write_text("Title\n=====\n\nText.\n")
    out = tmp_path / "html"
    warnings = io.StringIO()
    with docutils_namespace():  # each build its own directives and roles, as sphinx-build has
        app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
                     status=None, warning=warnings, freshenv=True)
        app.build()
    assert not warnings.getvalue(), warnings.getvalue()
    return (out / "index.html").read_text()


@pytest.fixture
def ext_on_path() -> Iterator[None]:
    sys.path.insert(0, str(EXT))
    yield
    sys.path.remove(str(EXT))
    sys.modules.pop("inline_scripts_once", None)


def test_without_the_fix_sphinx_thebe_script_is_written_twice(tmp_path: Path) -> None:
    html = _build(tmp_path, ["sphinx_thebe"])
    assert html.count("const THEBE_JS_URL") == 2


def test_with_the_fix_it_is_written_once(tmp_path: Path, ext_on_path: None) -> None:
    html = _build(tmp_path, ["sphinx_thebe", "inline_scripts_once"])
    assert html.count("const THEBE_JS_URL") == 1
    assert html.count("sphinx-thebe.js") == 1
