"""Reader view: the "Hide code" button that shows a lesson without its code (book/_static/reader-view.js).

For board members and other readers who never run code: on every page with code cells, a button near
the top hides every code cell's input and leaves the text, tables and figures. It is off until pressed
(learners need the code), remembered from page to page, and switched on by a link with ?reader=1
(book/for-readers.md links the lessons that way). WCAG 2.2 AA with it on, in light and dark mode.
"""

from __future__ import annotations

from typing import Any

import pytest
from bookcheck import NOTEBOOK_DOCS, SITE, TOC_DOCS, Visitor, count, goto, new_context
from test_accessibility import _mode_context, run_axe

BUTTON = "button#reader-view-toggle"
LABEL = "Hide code"
LESSONS = [doc for doc in NOTEBOOK_DOCS if doc.startswith("notebooks/")]

# What a reader sees of the article: code inputs, the "Show code cell source" toggles of folded
# inputs, outputs and figures that are rendered (not display: none, not inside a closed dropdown).
_SEEN = """() => {
  const article = document.querySelector('article.bd-article');
  const shown = e => e.getClientRects().length > 0;
  const all = s => Array.from(article.querySelectorAll(s));
  return {
    inputs: all('.cell_input').length,
    inputsShown: all('.cell_input').filter(shown).length,
    toggles: all('details.above-input').length,
    togglesShown: all('details.above-input').filter(shown).length,
    outputsShown: all('.cell_output').filter(shown).length,
    figuresShown: all('.cell_output img').filter(shown).map(img => img.getAttribute('src')),
    on: document.documentElement.classList.contains('reader-view'),
  };
}"""


def _has_code(doc: str) -> bool:
    return 'class="cell_input' in (SITE / f"{doc}.html").read_text()


def _open_solutions(page: Any) -> None:
    """Open every exercise solution, so that the figures and code inside them are on the page too."""
    for i in range(page.locator("div.solution").count()):
        page.locator("div.solution .admonition-title").nth(i).click()


def _state(page: Any) -> dict[str, Any]:
    button = page.locator(BUTTON)
    return {"pressed": button.get_attribute("aria-pressed"), **page.evaluate(_SEEN)}


@pytest.mark.parametrize("doc", TOC_DOCS)
def test_button_on_every_page_with_code(page: Any, visitor: Visitor, doc: str) -> None:
    """One "Hide code" button, not pressed, under the title of each notebook page; none on other pages."""
    goto(page, visitor.url(doc))
    buttons = page.locator(BUTTON)
    if doc not in NOTEBOOK_DOCS:
        assert not _has_code(doc), f"{doc} has code cells: is it a notebook now?"
        assert buttons.count() == 0, f"{doc} has no code, yet a reader-view button"
        return
    assert _has_code(doc), f"{doc} is a notebook page without code cells"
    assert buttons.count() == 1, f"{doc}: {buttons.count()} reader-view buttons"
    button = buttons.first
    assert button.is_visible()
    assert button.evaluate("b => b.tagName") == "BUTTON" and button.get_attribute("type") == "button"
    assert button.inner_text().strip() == LABEL
    assert button.get_attribute("aria-pressed") == "false", f"{doc}: reader view is on for a new reader"
    # It comes straight after the page's title, inside the article.
    assert button.evaluate("b => b.parentElement.previousElementSibling.tagName") == "H1"
    described = button.evaluate("b => document.getElementById(b.getAttribute('aria-describedby'))"
                                ".textContent")
    assert described.strip(), f"{doc}: the button's description is empty"
    state = page.evaluate(_SEEN)
    assert state["inputs"] > 0 and not state["on"]
    count("reader-view buttons checked")


def test_keyboard_presses_the_button(page: Any, visitor: Visitor) -> None:
    """Tab reaches the button, with a visible focus ring; Enter turns reader view on, Space off again."""
    doc = LESSONS[0]
    goto(page, visitor.url(doc))
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "reader-view-toggle":
            break
    else:
        pytest.fail(f"{doc}: 80 presses of Tab never reached the Hide code button")
    outline = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                            "return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert outline[0] != "none" and outline[1] >= 2, f"focus ring on the button: {outline}"
    before = _state(page)
    assert before["pressed"] == "false" and before["inputsShown"] > 0
    page.keyboard.press("Enter")
    on = _state(page)
    assert on["pressed"] == "true" and on["on"] and on["inputsShown"] == 0
    assert page.evaluate("document.activeElement.id") == "reader-view-toggle", "the button lost focus"
    page.keyboard.press("Space")
    off = _state(page)
    assert off["pressed"] == "false" and not off["on"]
    assert off["inputsShown"] == before["inputsShown"]


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_reader_view_hides_every_code_input_and_no_output(page: Any, visitor: Visitor, doc: str) -> None:
    """Pressed: no code input and no "Show code cell source" toggle shows; every output and figure still
    does (with the exercise solutions open, so that theirs count too)."""
    goto(page, visitor.url(doc))
    _open_solutions(page)
    before = _state(page)
    assert before["inputsShown"] > 0, f"{doc}: no code to hide"
    if doc in LESSONS:
        assert before["figuresShown"], f"{doc}: a lesson without a figure"
    page.locator(BUTTON).click()
    after = _state(page)
    assert after["pressed"] == "true"
    assert after["inputsShown"] == 0, f"{doc}: {after['inputsShown']} of {after['inputs']} code inputs show"
    assert after["togglesShown"] == 0, f"{doc}: {after['togglesShown']} 'Show code cell source' toggles show"
    assert after["figuresShown"] == before["figuresShown"], f"{doc}: figures hidden by reader view"
    assert after["outputsShown"] == before["outputsShown"], f"{doc}: outputs hidden by reader view"
    count("code inputs hidden by reader view", after["inputs"])
    count("figures checked still shown in reader view", len(after["figuresShown"]))


def test_choice_is_remembered_on_the_next_lesson(page: Any, visitor: Visitor) -> None:
    """On, it stays on through "next" and a lesson opened directly; off, it stays off after a reload."""
    first, second, third = LESSONS[:3]
    goto(page, visitor.url(first))
    page.locator(BUTTON).click()
    page.locator("a.right-next").click()
    page.wait_for_load_state("load")
    assert page.url == visitor.url(second)
    state = _state(page)
    assert state["pressed"] == "true" and state["on"] and state["inputsShown"] == 0, f"{second}: {state}"
    goto(page, visitor.url(third))
    assert _state(page)["pressed"] == "true", f"{third}: reader view was not remembered"
    page.locator(BUTTON).click()
    page.reload(wait_until="load")
    state = _state(page)
    assert state["pressed"] == "false" and state["inputsShown"] > 0, f"{third} after a reload: {state}"
    # A page without code keeps the choice for the next lesson, and shows no button.
    page.locator(BUTTON).click()
    goto(page, visitor.url(TOC_DOCS[0]))
    goto(page, visitor.url(first))
    assert _state(page)["pressed"] == "true"


def test_link_with_reader_1_opens_a_lesson_in_reader_view(browser: Any, visitor: Visitor) -> None:
    """A new reader following a ?reader=1 link sees the lesson without code, and the next one too; ?reader=0
    switches it off."""
    context = new_context(browser)
    try:
        page = context.new_page()
        first, second = LESSONS[:2]
        goto(page, f"{visitor.url(first)}?reader=1")
        state = _state(page)
        assert state["pressed"] == "true" and state["on"] and state["inputsShown"] == 0, state
        goto(page, visitor.url(second))
        assert _state(page)["pressed"] == "true", f"{second}: ?reader=1 was not remembered"
        goto(page, f"{visitor.url(second)}?reader=0")
        state = _state(page)
        assert state["pressed"] == "false" and state["inputsShown"] > 0, state
    finally:
        context.close()


def test_reader_view_links_in_the_book_work(browser: Any, visitor: Visitor) -> None:
    """Every ?reader=1 link in the book (book/for-readers.md) opens a lesson in reader view."""
    links = sorted({link["href"] for doc in TOC_DOCS for link in visitor.visit(doc).links
                    if "reader=1" in link["href"] and link["href"].startswith(visitor.base_url)})
    linked = {href.split("?")[0].removeprefix(visitor.base_url).removesuffix(".html") for href in links}
    assert set(LESSONS) <= linked, f"lessons with no reader-view link: {sorted(set(LESSONS) - linked)}"
    for href in links:
        context = new_context(browser)  # a new reader each time: nothing remembered
        try:
            page = context.new_page()
            goto(page, href)
            state = _state(page)
        finally:
            context.close()
        assert state["pressed"] == "true" and state["inputsShown"] == 0, f"{href}: {state}"
        count("?reader=1 links followed")


# 1.4.11 Non-text Contrast and 1.4.1 Use of Color: the button's edge against the page, in both states and
# both modes; the pressed state is shown by a tick as well as a fill.
_EDGE = """() => {
  const b = document.querySelector('#reader-view-toggle');
  const rgb = t => (/rgba?\\(([^)]*)\\)/.exec(t) || [0, '255,255,255'])[1].split(/[\\s,\\/]+/).map(Number);
  const lum = c => c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const x = lum(rgb(a)), y = lum(rgb(b));
      return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  let bg = null;
  for (let e = b.parentElement; e && !bg; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (rgb(c).length < 4 || rgb(c)[3] > 0) bg = c;
  }
  const s = getComputedStyle(b);
  return {edge: ratio(s.borderTopColor, bg || 'rgb(255,255,255)'),
          tick: getComputedStyle(b, '::before').content};
}"""


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_button_edge_contrast_and_pressed_tick(browser: Any, visitor: Visitor, mode: str) -> None:
    context = _mode_context(browser, mode)
    try:
        page = context.new_page()
        goto(page, visitor.url(LESSONS[0]))
        off = page.evaluate(_EDGE)
        page.locator(BUTTON).click()
        on = page.evaluate(_EDGE)
    finally:
        context.close()
    assert off["edge"] >= 3 and on["edge"] >= 3, (
        f"{mode}: the button's edge is {off['edge']:.2f}:1 (off), {on['edge']:.2f}:1 (on); needs 3:1")
    assert off["tick"] in ("none", "normal") and "\u2713" in on["tick"], (
        f"{mode}: the tick before the label: {off['tick']!r} (off), {on['tick']!r} (on)")


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_axe_with_reader_view_on(browser: Any, visitor: Visitor, doc: str, mode: str) -> None:
    """axe (WCAG 2.0-2.2 A and AA, best practice) finds no serious or critical violation, reader view on."""
    context = _mode_context(browser, mode)
    try:
        page = context.new_page()
        goto(page, f"{visitor.url(doc)}?reader=1")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        assert _state(page)["pressed"] == "true"
        failures = run_axe(page, f"{doc}, reader view on ({mode})")
    finally:
        context.close()
    count("pages checked with axe in reader view (page x mode)")
    assert not failures, f"{doc}, reader view on ({mode}):\n  " + "\n  ".join(failures)
