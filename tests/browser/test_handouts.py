"""Printable handouts (book/_tools/handouts.py, `make handouts`): a lesson page of the built book
printed to an A4 PDF, as a learner would be handed it.

The PDFs are read back without a PDF library: the script's own reader (page_contents) is checked
here against a PDF with a page known to be blank.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from bookcheck import CHROMIUM_ARGS, NOTEBOOK_DOCS, count, goto, handouts, note

# The first lesson in _toc.yml (templates/your_data is a notebook page, but not a lesson).
LESSON = next(doc for doc in NOTEBOOK_DOCS if re.fullmatch(r"notebooks/\d\d_\w+", doc))


def test_a_lesson_page_prints_to_an_a4_handout(browser: Any, base_url: str, site: Path,
                                               tmp_path: Path) -> None:
    start = time.perf_counter()
    written = handouts.make_handouts(site, tmp_path, pages=[LESSON], trainer_guide=False,
                                     browser=browser, base_url=base_url)
    seconds = time.perf_counter() - start
    pdf_path = tmp_path / f"{Path(LESSON).name}.pdf"
    assert written == [pdf_path]
    assert pdf_path.is_file(), f"no handout written for {LESSON}"
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF"), f"{pdf_path.name} is not a PDF: it starts {pdf[:20]!r}"
    pages = handouts.page_contents(pdf)
    assert len(pages) >= 2, f"{pdf_path.name} has {len(pages)} page(s): a whole lesson takes at least 2"
    sizes = {(round(float(w)), round(float(h)))
             for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(596, 843)}, f"pages of {sorted(sizes)} points, not A4 (595.92 x 842.88)"
    assert not handouts.blank_pages(pdf), f"{pdf_path.name}: blank page(s) {handouts.blank_pages(pdf)}"
    count("handout pages printed", len(pages))
    note(f"handout of {LESSON}: {len(pages)} pages, {len(pdf) / 1024:.0f} KiB, {seconds:.1f} s")


def test_the_blank_page_check_finds_a_blank_page(browser: Any, tmp_path: Path) -> None:
    """A control for the test above: a PDF with an empty second page is caught."""
    page = browser.new_page()
    try:
        page.set_content("<p>Page one</p><div style='break-before: page'></div>"
                         "<p style='break-before: page'>Page three</p>")
        pdf = page.pdf(format="A4")
    finally:
        page.close()
    assert len(handouts.page_contents(pdf)) == 3
    assert handouts.blank_pages(pdf) == [2]


def _open_solutions(page: Any) -> int:
    """Solutions of the page that show their content once the browser starts to print."""
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    return page.evaluate("document.querySelectorAll('.solution.dropdown:not(.toggle-hidden)').length")


def test_solutions_stay_collapsed_when_a_handout_is_printed(browser: Any, base_url: str) -> None:
    """sphinx-togglebutton opens every solution for printing; the handout's guard stops it.

    The control (a page without the guard) shows the guard is still needed: if it fails because
    the solutions stay collapsed anyway, the theme no longer opens them, and the guard can go.
    """
    url = f"{base_url}{LESSON}.html"
    context = browser.new_context()
    try:
        control = context.new_page()
        goto(control, url)
        solutions = control.evaluate("document.querySelectorAll('.solution.dropdown').length")
        assert solutions, f"{LESSON} has no collapsed solution to check"
        assert _open_solutions(control) == solutions, "control: printing no longer opens the solutions"
        guarded = context.new_page()
        guarded.add_init_script(handouts._KEEP_SOLUTIONS_COLLAPSED)
        goto(guarded, url)
        assert _open_solutions(guarded) == 0, "the handout would print the solutions open"
    finally:
        context.close()


def test_handouts_launch_chromium_as_the_browser_tests_do() -> None:
    assert handouts.CHROMIUM_ARGS == CHROMIUM_ARGS
