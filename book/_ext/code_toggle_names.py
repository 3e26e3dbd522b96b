"""The "Show code cell source" toggles named by what they show (WCAG 2.5.3 Label in Name).

myst-nb 1.4 writes each hidden code cell (the ``hide-input`` tag) as::

    <details class="admonition hide above-input">
    <summary aria-label="Toggle hidden content">
    <p class="collapsed admonition-title">Show code cell source</p>
    <p class="expanded admonition-title">Hide code cell source</p>
    </summary>

The aria-label replaces the text the reader sees, so the toggle's accessible name was "Toggle
hidden content" while it shows "Show code cell source": a speech-input user who says "click Show
code cell source" is not understood, and a screen reader announces words that are not on the page
(axe-core 4.14: label-content-name-mismatch, serious, on every lesson). Without the aria-label the
summary is named by its visible text: "Show code cell source", or "Hide code cell source" once open
(the theme hides the other paragraph), with the expanded or collapsed state the browser gives every
``<summary>``. Nothing needs JavaScript.

How: the HTML visitor of myst-nb's ``HideCodeCellNode`` is wrapped; myst-nb still writes the
markup, and only the attribute is left out of the ``<summary>`` tag it has just written. If a
myst-nb release writes that tag differently, the build says so (a warning, an error under ``-W``)
rather than let the name come back unnoticed: check the new markup in a browser
(tests/browser/test_accessibility.py) and update ``MYST_NB_SUMMARY`` here.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

MYST_NB_SUMMARY = '<summary aria-label="Toggle hidden content">\n'
SUMMARY = "<summary>\n"


def _wrap(visit: Any) -> Any:
    def visit_named_by_its_text(translator: Any, node: Any) -> None:
        start = len(translator.body)
        visit(translator, node)
        written = translator.body[start:]
        if MYST_NB_SUMMARY not in written:
            logger.warning("code_toggle_names: myst-nb no longer writes %r for a hidden code cell; check "
                           "the toggle's accessible name (book/_ext/code_toggle_names.py)",
                           MYST_NB_SUMMARY.strip(), location=node)
            return
        translator.body[start + written.index(MYST_NB_SUMMARY)] = SUMMARY

    return visit_named_by_its_text


def name_code_toggles_by_their_text(app: Sphinx) -> None:
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput

    app.registry.add_translation_handlers(HideCodeCellNode,
                                          html=(_wrap(visit_HideCellInput), depart_HideCellInput))


def setup(app: Sphinx) -> dict[str, Any]:
    # After every extension's setup (myst-nb registers its own visitor there), before any page is written.
    app.connect("builder-inited", name_code_toggles_by_their_text)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
