"""Accessibility (WCAG 2.2 AA, which UK public-sector sites must meet), checked in the browser.

axe-core (the current release, pinned: see below) runs on every page, in light and dark mode at desktop
width and in light mode at phone width, and on the lesson's interactive states (solution open,
menus open, search open, phone navigation open). It runs the WCAG 2.0, 2.1 and 2.2 level A and AA
rules and axe's best-practice rules; any serious or critical violation fails the test. Moderate
and minor findings are listed at the end of the run.

No rule is excluded. If one ever must be, add it to EXCLUDED_RULES with the reason; fix the page
(book/_static/a11y.css, book/_templates, _config.yml) before reaching for that.

The axe-core is the one pinned in tests/browser/package.json (and package-lock.json), installed from
npm by `make browser` (`npm ci` into tests/browser/node_modules, once, like .venv), and injected into each
page as it is checked: not the older copy bundled with the axe-playwright-python wrapper, which lags
axe-core's releases and so its newer rules (its 4.12 still marked WCAG 2.5.3 "label in name" as
experimental, so it never ran; 4.14 runs it, and found the search and colour-mode buttons and the code-cell
toggles, whose names did not contain their visible text). To move to a newer axe-core:
`npm install --prefix tests/browser --save-exact axe-core@<version>`, then run `make browser`.

axe cannot check everything: keyboard access to the main content (the skip link), that focus
stays visible, and reflow at phone width are checked here directly.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from bookcheck import (
    ALL_PAGES,
    DESKTOP,
    MOBILE,
    NOTEBOOK_DOCS,
    REQUIRED,
    TOC_DOCS,
    Visitor,
    count,
    finding,
    goto,
    new_context,
    note,
    seen,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TAGS = [*WCAG_TAGS, "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}

# rule id -> why it cannot apply to this book. Empty: every rule in TAGS is checked.
EXCLUDED_RULES: dict[str, str] = {}

NODE_MODULES = Path(__file__).parent / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
AXE_LOCK = Path(__file__).parent / "package-lock.json"


@cache
def axe_core() -> tuple[str, str]:
    """The pinned axe-core: (its version in package-lock.json, the text of its axe.min.js)."""
    pinned = json.loads(AXE_LOCK.read_text())["packages"]["node_modules/axe-core"]["version"]
    installed = NODE_MODULES / "axe-core" / "package.json"
    if not AXE_SCRIPT.is_file() or json.loads(installed.read_text())["version"] != pinned:
        reason = (f"axe-core {pinned} is not installed in {NODE_MODULES} "
                  "(`make browser` installs it: npm ci --prefix tests/browser)")
        if REQUIRED:
            pytest.fail(f"{reason}. REQUIRE_BROWSER=1 (set by `make browser`): the browser tests must run.",
                        pytrace=False)
        pytest.skip(reason)
    note(f"axe-core {pinned} (tests/browser/package-lock.json), injected into each page")
    return pinned, AXE_SCRIPT.read_text()


def run_axe(page: Any, where: str) -> list[str]:
    """Run axe on the page as it is now; return the serious and critical violations, described."""
    options: dict[str, Any] = {"runOnly": {"type": "tag", "values": TAGS},
                               "resultTypes": ["violations", "incomplete"]}
    if EXCLUDED_RULES:
        options["rules"] = {rule: {"enabled": False} for rule in EXCLUDED_RULES}
    version, script = axe_core()
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(script)
    running = page.evaluate("axe.version")
    assert running == version, f"{where}: the page runs axe-core {running}, not the pinned {version}"
    results = page.evaluate("options => axe.run(document, options)", options)
    count("axe runs")
    applied = [r for kind in ("passes", "violations", "incomplete") for r in results[kind]]
    every = [*applied, *results["inapplicable"]]
    seen("axe rules run (WCAG 2.0/2.1/2.2 A and AA, and best practice)", *(r["id"] for r in every))
    seen("axe WCAG A/AA rules run", *(r["id"] for r in every if set(r["tags"]) & set(WCAG_TAGS)))
    seen("axe rules that applied to some page (passed or found something)", *(r["id"] for r in applied))
    failures = []
    for violation in results["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        if violation["impact"] in FAILING_IMPACTS:
            failures.append(f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                            + "\n".join(f"      {t}" for t in targets[:8]))
        else:
            finding(f"axe {violation['impact']}, not failing", violation["id"], violation["help"], where,
                    f"{len(targets)} element(s), e.g. {targets[0]}")
    for review in results["incomplete"]:
        targets = [" ".join(map(str, node["target"])) for node in review["nodes"]]
        if review["id"] == "color-contrast":
            failures += _check_contrast(page, targets, where)
        else:
            finding("axe could not decide", review["id"], review["help"], where, targets[0])
    return failures


# WCAG 1.4.3 by hand, for the text axe could not decide on ("needs review": the background could
# not be determined, e.g. a link partly over another element, or a one-letter text). The text's
# colour is compared with the nearest opaque background behind it in the page's own styles.
_CONTRAST = """selectors => selectors.map(selector => {
  const el = document.querySelector(selector);
  const rgba = text => {
    const m = /^rgba?\\(([^)]*)\\)$/.exec(text);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  if (!el) return {selector, ratio: null, why: 'not found'};
  let bg = null;
  for (let e = el; e && !bg; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c && c.a >= 1) bg = c;
  }
  bg = bg || {r: 255, g: 255, b: 255, a: 1};
  const style = getComputedStyle(el), fg = rgba(style.color);
  if (!fg) return {selector, ratio: null, why: 'colour ' + style.color};
  const over = k => fg[k] * fg.a + bg[k] * (1 - fg.a);
  const lum = c => ['r', 'g', 'b'].map(k => { const v = c[k] / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const a = lum({r: over('r'), g: over('g'), b: over('b')}), b = lum(bg);
  const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
  return {selector, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
          needed: size >= 24 || (bold && size >= 18.66) ? 3 : 4.5};
})"""


def _check_contrast(page: Any, targets: list[str], where: str) -> list[str]:
    failures = []
    for result in page.evaluate(_CONTRAST, targets):
        if result["ratio"] is None:
            finding("axe could not decide, nor could the test", "color-contrast", result["why"], where,
                    result["selector"])
        elif result["ratio"] < result["needed"]:
            failures.append(f"color-contrast (checked by hand): {result['ratio']:.2f}:1, "
                            f"needs {result['needed']}:1: {result['selector']}")
        else:
            count("text contrast checked by hand where axe could not decide")
    return failures


def _mode_context(browser: Any, mode: str, viewport: dict[str, int] = DESKTOP) -> Any:
    """A browser profile with the theme in light or dark mode, as the theme's own switch leaves it."""
    context = new_context(browser, viewport=viewport, color_scheme=mode)
    context.add_init_script(f"localStorage.setItem('mode', '{mode}'); "
                            f"localStorage.setItem('theme', '{mode}');")
    return context


def _open(context: Any, url: str, mode: str) -> Any:
    page = context.new_page()
    goto(page, url)
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    return page


VIEWS = [("light", DESKTOP), ("dark", DESKTOP), ("light", MOBILE)]


@pytest.mark.parametrize(("mode", "viewport"), VIEWS, ids=["desktop-light", "desktop-dark", "mobile-light"])
@pytest.mark.parametrize("doc", ALL_PAGES)
def test_axe_finds_no_serious_violations(browser: Any, visitor: Visitor, doc: str, mode: str,
                                         viewport: dict[str, int]) -> None:
    context = _mode_context(browser, mode, viewport)
    try:
        page = _open(context, visitor.url(doc), mode)
        failures = run_axe(page, f"{doc} ({mode}, {viewport['width']}px)")
    finally:
        context.close()
    count("pages checked with axe (page x view)")
    assert not failures, f"{doc} ({mode}, {viewport['width']}px):\n  " + "\n  ".join(failures)


def _lesson_states(page: Any, visitor: Visitor, doc: str) -> list[tuple[str, list[str]]]:
    results = []
    for i in range(page.locator("div.solution").count()):
        page.locator("div.solution .admonition-title").nth(i).click()
    results.append(("solutions open", run_axe(page, f"{doc}, solutions open")))
    for menu in ("download", "launch"):
        toggle = page.locator(f".dropdown-{menu}-buttons button.dropdown-toggle")
        if toggle.count():
            toggle.click()
            page.locator(f".dropdown-{menu}-buttons .dropdown-menu").wait_for(state="visible")
            results.append((f"{menu} menu open", run_axe(page, f"{doc}, {menu} menu open")))
            page.keyboard.press("Escape")
            page.mouse.move(0, 0)
    page.keyboard.press("Control+k")
    page.locator("#pst-search-dialog input[name='q']").wait_for()
    results.append(("search open", run_axe(page, f"{doc}, search open")))
    return results


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_axe_on_the_lessons_interactive_states(browser: Any, visitor: Visitor, doc: str, mode: str) -> None:
    context = _mode_context(browser, mode)
    try:
        page = _open(context, visitor.url(doc), mode)
        results = _lesson_states(page, visitor, doc)
    finally:
        context.close()
    failures = [f"{state}: {f}" for state, fs in results for f in fs]
    assert not failures, f"{doc} ({mode}):\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_on_the_phone_navigation(browser: Any, visitor: Visitor, mode: str) -> None:
    context = _mode_context(browser, mode, MOBILE)
    try:
        page = _open(context, visitor.url(TOC_DOCS[0]), mode)
        page.locator(".bd-header-article button.primary-toggle").click()
        page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav").wait_for(state="visible")
        failures = run_axe(page, f"phone navigation ({mode})")
    finally:
        context.close()
    assert not failures, "\n  ".join(failures)


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_skip_link_reaches_the_main_content(page: Any, visitor: Visitor, doc: str) -> None:
    """The first Tab shows "Skip to main content"; Enter on it moves the keyboard into the main content."""
    goto(page, visitor.url(doc))
    page.keyboard.press("Tab")
    focused = page.evaluate("() => ({text: document.activeElement.textContent.trim(), "
                            "href: document.activeElement.getAttribute('href')})")
    assert focused["href"] == "#main-content", f"{doc}: the first Tab focused {focused}"
    # It slides into view (at once, for readers who ask for reduced motion, as this browser does).
    page.wait_for_function("""() => { const r = document.activeElement.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""", timeout=2_000)
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    page.keyboard.press("Tab")
    where = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    assert page.evaluate("!!document.activeElement.closest('#main-content')"), (
        f"{doc}: after the skip link, Tab went to {where}")
    count("skip links checked")


_FOCUS_STATE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  const style = getComputedStyle(e);
  return {
    what: e.outerHTML.slice(0, 100),
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
      && r.right > 0 && r.left < innerWidth,
    uncovered: !!top && (e === top || e.contains(top) || top.contains(e)),
    indicator: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== 'none',
  };
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
@pytest.mark.parametrize("doc", NOTEBOOK_DOCS + [TOC_DOCS[0]])
def test_keyboard_focus_stays_visible(browser: Any, visitor: Visitor, doc: str,
                                      viewport: dict[str, int]) -> None:
    """Tab through the page: each focused control is on screen, not hidden under the sticky header
    (WCAG 2.4.11), and shows a focus indicator (WCAG 2.4.7)."""
    context = new_context(browser, viewport=viewport)
    problems = []
    try:
        page = context.new_page()
        goto(page, visitor.url(doc))
        stops = 0
        for _ in range(400):
            page.keyboard.press("Tab")
            state = page.evaluate(_FOCUS_STATE)
            if state is None:  # back to the start of the page: every stop visited
                break
            stops += 1
            if not (state["onScreen"] and state["uncovered"]):
                # Focus scrolls its control into view, and a scroll may still be under way (a sidebar's,
                # on a busy machine): give it a second to settle before judging it hidden.
                try:
                    page.wait_for_function(f"() => {{ const s = ({_FOCUS_STATE})(); "
                                           "return s && s.onScreen && s.uncovered; }", timeout=1_000)
                except PlaywrightTimeout:
                    pass
                settled = page.evaluate(_FOCUS_STATE)
                if settled is None:
                    # Now and then (about one run in eight, on the "On this page" links at desktop width)
                    # Chromium drops the focus to the page while it scrolls the sticky sidebar, so the
                    # control cannot be judged and the next Tab would start the page again. Say so in the
                    # summary and stop here: every stop before it has been checked.
                    count("tab walks that ended when the focus fell back to the page while scrolling")
                    break
                state = settled
            for check, what in [("onScreen", "off screen"), ("uncovered", "covered by another element"),
                                ("indicator", "without a focus indicator")]:
                if not state[check]:
                    problems.append(f"stop {stops} {what}: {state['what']}")
    finally:
        context.close()
    count("keyboard focus stops checked", stops)
    assert stops > 10, f"{doc}: only {stops} keyboard stops"
    assert not problems, f"{doc} ({viewport['width']}px):\n  " + "\n  ".join(problems[:20])


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_no_sideways_scrolling_at_phone_width(browser: Any, visitor: Visitor, doc: str) -> None:
    """WCAG 1.4.10 Reflow: 320px wide, the page scrolls only down (wide tables and code scroll in a box)."""
    context = new_context(browser, viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        goto(page, visitor.url(doc))
        widths = page.evaluate("({page: document.documentElement.scrollWidth, view: innerWidth})")
    finally:
        context.close()
    assert widths["page"] <= widths["view"], f"{doc}: {widths['page']}px wide in a {widths['view']}px window"


def test_every_page_says_it_is_in_english(site: Path) -> None:
    """Every built page has lang="en" (screen readers choose their voice from it; WCAG 3.1.1)."""
    pages = [p for p in sorted(site.glob("**/*.html"))
             if not {"_static", "_screenshots", "_sources"} & set(p.relative_to(site).parts)]
    assert len(pages) >= len(ALL_PAGES)
    without = [p.relative_to(site).as_posix() for p in pages
               if '<html lang="en"' not in p.read_text() and 'http-equiv="Refresh"' not in p.read_text()]
    assert not without, f"pages without lang=en: {without}"
