"""WCAG 2.5.3 Label in Name, as Chromium itself names the controls.

A control that shows words must have an accessible name that contains them: a speech-input user says
what they see ("click Show code cell source"), and a screen reader should not announce words that are
not on the screen. axe-core 4.14 (test_accessibility.py) checks this with its own name computation;
these tests ask Chromium's accessibility tree (over the DevTools protocol), which is what assistive
technology is given, for the three controls that axe found misnamed:

- the search field in the sidebar shows "Search Ctrl+K" (its name was "Search");
- the colour-mode button shows the current mode's icon (its name was "Color mode");
- each "Show code cell source" toggle of a hidden code cell (its name was "Toggle hidden content").

The fixes: book/_templates/search-button-field.html and theme-switcher.html, book/_static/a11y.css and
book/_ext/code_toggle_names.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from bookcheck import ALL_PAGES, DESKTOP, MOBILE, NOTEBOOK_DOCS, SITE, Visitor, count, goto, new_context


def _ax(page: Any, selector: str, index: int = 0) -> dict[str, Any]:
    """Chromium's accessibility node for the index-th element matching selector: role, name, properties."""
    cdp = page.context.new_cdp_session(page)
    try:
        handle = cdp.send("Runtime.evaluate", {
            "expression": f"document.querySelectorAll({selector!r})[{index}]"})["result"]
        assert "objectId" in handle, f"no element {index} matches {selector}"
        node = cdp.send("Accessibility.getPartialAXTree",
                        {"objectId": handle["objectId"], "fetchRelatives": False})["nodes"][0]
    finally:
        cdp.detach()
    properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
    return {"role": node["role"]["value"], "name": node.get("name", {}).get("value", ""),
            "ignored": node.get("ignored", False), **properties}


def _words(text: str) -> str:
    """Text as the rule compares it: case and spacing ignored ("Search Ctrl + K" ~ "Search\\nCtrl+K")."""
    return re.sub(r"\s+", "", text).casefold()


def _pages_with_code_toggles() -> list[str]:
    return [doc for doc in NOTEBOOK_DOCS
            if '<details class="admonition hide' in (SITE / f"{doc}.html").read_text()]


@pytest.mark.parametrize("doc", [ALL_PAGES[0], NOTEBOOK_DOCS[0]])
def test_search_field_is_named_by_what_it_shows(page: Any, visitor: Visitor, doc: str) -> None:
    """At desktop width (on a phone the theme shows a magnifying-glass button named "Search" instead)."""
    goto(page, visitor.url(doc))
    field = page.locator(".search-button-field:visible")
    assert field.count() == 1, f"{doc}: {field.count()} search fields on show"
    shown = field.inner_text()
    index = page.evaluate("Array.from(document.querySelectorAll('.search-button-field'))"
                          ".findIndex(e => e.checkVisibility())")
    node = _ax(page, ".search-button-field", index)
    assert _words(shown) == _words("Search Ctrl+K"), f"{doc}: the search field shows {shown!r}"
    assert node["role"] == "button" and not node["ignored"], f"{doc}: {node}"
    assert _words(shown) in _words(node["name"]), (
        f"{doc}: the search field shows {shown!r} but is named {node['name']!r}")
    assert node.get("keyshortcuts") == "Control+K", f"{doc}: the shortcut is not declared: {node}"
    count("search fields named by what they show")


# What the theme's icon for each mode means, as the button's name says it.
MODE_WORDS = {"light": "Light", "dark": "Dark", "auto": "System Settings"}


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile"])
def test_colour_mode_button_names_the_mode_it_shows(browser: Any, visitor: Visitor,
                                                    viewport: dict[str, int]) -> None:
    """Pressed three times round all three modes, the button's name is always "Colour mode: <the mode
    whose icon is on show>", and only that one mode (Chromium once read all three icons' titles)."""
    context = new_context(browser, viewport=viewport)
    seen_modes = []
    try:
        page = context.new_page()
        goto(page, visitor.url(NOTEBOOK_DOCS[0]))
        button = page.locator(".theme-switch-button:visible")
        assert button.count() == 1
        for _ in range(len(MODE_WORDS)):
            mode = page.evaluate("document.documentElement.dataset.mode")
            icons = button.evaluate("b => Array.from(b.querySelectorAll('.theme-switch'))"
                                    ".filter(i => i.checkVisibility()).map(i => i.dataset.mode)")
            node = _ax(page, ".theme-switch-button")
            assert icons == [mode], f"mode {mode}: the icons on show are {icons}"
            assert node["role"] == "button" and not node["ignored"], node
            assert node["name"] == f"Colour mode: {MODE_WORDS[mode]}", (
                f"mode {mode} ({viewport['width']}px): the colour-mode button is named {node['name']!r}")
            seen_modes.append(mode)
            button.click()
            page.wait_for_function(f"document.documentElement.dataset.mode !== {mode!r}")
    finally:
        context.close()
    assert sorted(seen_modes) == sorted(MODE_WORDS), f"the button went through {seen_modes}"
    count("colour modes whose button name was checked", len(seen_modes))


@pytest.mark.parametrize("doc", _pages_with_code_toggles())
def test_code_cell_toggles_are_named_by_what_they_show(page: Any, visitor: Visitor, doc: str) -> None:
    """Every "Show code cell source" toggle is named so, collapsed; opened, it is "Hide code cell source",
    expanded; and it still opens and shuts the code."""
    goto(page, visitor.url(doc))
    toggles = page.locator("details.hide > summary")
    n = toggles.count()
    assert n > 0
    problems = []
    for i in range(n):
        shown, node = toggles.nth(i).inner_text(), _ax(page, "details.hide > summary", i)
        if not (_words(shown) == _words("Show code cell source") and node["name"] == shown.strip()
                and node.get("expanded") is False):
            problems.append(f"toggle {i + 1} shows {shown!r}, named {node['name']!r}, {node}")
    first = toggles.first
    first.click()
    code = page.locator("details.hide").first.locator(".cell_input")
    code.wait_for(state="visible")
    shown, node = first.inner_text(), _ax(page, "details.hide > summary")
    if not (_words(shown) == _words("Hide code cell source") and node["name"] == shown.strip()
            and node.get("expanded") is True):
        problems.append(f"toggle 1, open, shows {shown!r}, named {node['name']!r}, {node}")
    first.click()
    code.wait_for(state="hidden")
    assert not problems, f"{doc}:\n  " + "\n  ".join(problems)
    count("code cell toggles named by what they show", n)
