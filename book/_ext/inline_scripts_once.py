"""Each inline ``<script>`` once per page: the fix for Jupyter Book 1.0.4's thebe console error.

Every page of a Jupyter Book 1.0.4 site threw "Identifier 'THEBE_JS_URL' has already been
declared" in the browser, even with thebe off, because the page's ``<head>`` held the same
inline script twice::

    <script>const THEBE_JS_URL = "..."; const thebe_selector = ...</script>

Where it comes from: Jupyter Book always loads ``sphinx_thebe``, which adds that script with
``app.add_js_file(None, body=...)`` in ``env-before-read-docs``, i.e. after the HTML builder
has been initialised. Sphinx 7.4's ``Sphinx.add_js_file`` then records it twice, once in the
registry and once directly on the builder, as ``_JavaScript(None, ...)``. When writing
starts, ``StandaloneHTMLBuilder.prepare_writing`` re-adds every registry entry as
``_JavaScript(filename or '', ...)`` and skips those already present, but ``None != ''``, so
an inline script (no file name) added after ``builder-inited`` is never recognised as already
present and is written twice. Scripts with a file name are not affected (both paths give the
same ``_static/...`` name); plain Sphinx + myst-nb has no such late inline script, which is why
only Jupyter Book shows the error.

The fix: once reading is done (``env-updated``, before ``prepare_writing``), give the
builder's inline entries the file name ``''`` that ``prepare_writing`` uses, so that its
de-duplication works and each script is written once. Nothing is filtered or removed from
the page by pattern: the builder simply stops adding the registry's copy.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.builders.html._assets import _JavaScript
from sphinx.util import logging

logger = logging.getLogger(__name__)


def normalise_inline_scripts(app: Sphinx, env: Any) -> None:
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):
        return
    scripts = getattr(builder, "_js_files", None)
    if scripts is None:
        # Sphinx's internals moved (checked on Sphinx 7.4.7): say so, and under -W fail the build,
        # rather than let the double script come back unnoticed.
        logger.warning("inline_scripts_once: the HTML builder has no _js_files; check the thebe fix "
                       "(book/_ext/inline_scripts_once.py) against this Sphinx version")
        return
    normalised: list[_JavaScript] = []
    for script in scripts:
        if script.filename is None:
            script = _JavaScript("", priority=script.priority, **script.attributes)
        if script not in normalised:
            normalised.append(script)
    scripts[:] = normalised


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-updated", normalise_inline_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
