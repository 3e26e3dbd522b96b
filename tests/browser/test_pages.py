"""Every page a reader can reach loads cleanly: status, console, figures, links and anchors, navigation."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from bookcheck import ALL_PAGES, MOBILE, TOC_DOCS, Visitor, count, goto, new_context, note, seen


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_page_loads_without_errors(visitor: Visitor, doc: str) -> None:
    visit = visitor.visit(doc)
    count("pages loaded")
    assert visit.status == 200, f"{visit.url}: HTTP {visit.status}"
    problems = ([f"console error: {e}" for e in visit.console_errors]
                + [f"uncaught exception: {e}" for e in visit.page_errors]
                + [f"request: {r}" for r in visit.bad_responses])
    assert not problems, f"{doc}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_each_inline_script_once(visitor: Visitor, doc: str) -> None:
    """The thebe fault of Jupyter Book 1.0.4 (`const THEBE_JS_URL` declared twice) stays fixed.

    book/_ext/inline_scripts_once.py fixes it at its source; the console test above would
    catch the error itself, this names the cause.
    """
    visit = visitor.visit(doc)
    twice = {script[:80]: n for script, n in Counter(visit.inline_scripts).items() if n > 1}
    assert not twice, f"{doc}: inline scripts included more than once: {twice}"
    assert sum("THEBE_JS_URL" in s for s in visit.inline_scripts) <= 1


def test_site_root_opens_the_book(page: Any, base_url: str) -> None:
    page.goto(base_url)  # index.html redirects to the root document
    page.wait_for_url(f"{base_url}{TOC_DOCS[0]}.html")
    assert page.locator("article.bd-article h1").first.is_visible()


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_figures_load_and_have_alt_text(visitor: Visitor, doc: str) -> None:
    """Every image on the page loaded; every figure in the content has alt text.

    The lessons' figure alt text comes from each cell's metadata ({"mystnb": {"image": {"alt": ...}}}).
    """
    visit = visitor.visit(doc)
    problems = []
    for img in visit.images:
        if not (img["complete"] and img["naturalWidth"] > 0):
            problems.append(f"not loaded: {img['src']}")
        if img["alt"] is None:
            problems.append(f"no alt attribute: {img['src']}")
        elif img["inArticle"] and not img["decorative"] and not img["alt"].strip():
            problems.append(f"figure without alt text (set the cell's mystnb.image.alt): {img['src']}")
    count("images checked (loaded, alt)", len(visit.images))
    count("figures in page content", sum(img["inArticle"] for img in visit.images))
    assert not problems, f"{doc}:\n  " + "\n  ".join(problems)


def _status(url: str) -> int:
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own localhost server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("doc", ALL_PAGES)
def test_internal_links_and_anchors_resolve(visitor: Visitor, doc: str) -> None:
    """Every link inside the site reaches a page (HTTP 200) and, with a #fragment, an element with that id.

    Links leaving the site are not followed (this machine is offline); they must be https or mailto.
    """
    visit = visitor.visit(doc)
    base = visitor.base_url
    problems = []
    statuses: dict[str, int] = {}
    for link in visit.links:
        href = link["href"]
        scheme = urlsplit(href).scheme
        if not href.startswith(base):
            if scheme not in {"https", "mailto"}:
                problems.append(f"external link that is not https: {href} ({link['text']!r})")
            seen("external links (unique, not followed offline)", href)
            continue
        count("internal links checked")
        target, fragment = urldefrag(href)
        seen("internal link targets (unique)", target)
        if target not in statuses:
            statuses[target] = _status(target)
        if statuses[target] != 200:
            problems.append(f"HTTP {statuses[target]}: {link['raw']} ({link['text']!r})")
            continue
        if fragment:
            count("anchors checked")
            path = target.removeprefix(base)
            if not path.endswith(".html"):
                problems.append(f"anchor on a non-HTML target: {link['raw']}")
                continue
            if fragment not in visitor.visit(path.removesuffix(".html")).ids:
                problems.append(f"no id {fragment!r} in {path}: {link['raw']} ({link['text']!r})")
    assert not problems, f"{doc}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("doc", TOC_DOCS)
def test_navigation_lists_every_page_in_order(visitor: Visitor, doc: str) -> None:
    """The sidebar of every page lists every page of the table of contents, in its order."""
    visit = visitor.visit(doc)
    expected = [visitor.url(d) for d in TOC_DOCS]
    nav = [urldefrag(href)[0] for href in visit.nav]
    # The page itself is linked as "#" (which resolves to the page).
    assert [u for u in nav if u in expected] == expected, f"{doc}: the sidebar links {nav}"
    assert visit.final_url == visit.url


def test_previous_and_next_links_follow_the_toc(page: Any, visitor: Visitor) -> None:
    for here, there in zip(TOC_DOCS, TOC_DOCS[1:], strict=False):
        goto(page, visitor.url(here))
        page.locator("a.right-next").click()
        page.wait_for_load_state("load")
        assert page.url == visitor.url(there), f"'next' on {here} went to {page.url}"
        page.locator("a.left-prev").click()
        page.wait_for_load_state("load")
        assert page.url == visitor.url(here), f"'previous' on {there} went to {page.url}"


def test_menu_button_opens_the_navigation_on_a_phone(browser: Any, visitor: Visitor) -> None:
    """At phone width the sidebar is behind the menu button: it opens, and its links work.

    (Before the navbar_persistent fix in _config.yml the button did nothing: the theme's script
    was bound to a hidden copy of it.)
    """
    context = new_context(browser, viewport=MOBILE)
    try:
        page = context.new_page()
        goto(page, visitor.url(TOC_DOCS[0]))
        last = TOC_DOCS[-1]
        link = page.locator(f"nav.bd-docs-nav a[href$='{last.rsplit('/', 1)[-1]}.html']").first
        assert not link.is_visible(), "the navigation should be folded away at phone width"
        page.locator(".bd-header-article button.primary-toggle").click()
        dialog = page.locator("#pst-primary-sidebar-modal")
        assert dialog.evaluate("d => d.open"), "the menu button did not open the navigation"
        link.click()
        page.wait_for_load_state("load")
        assert page.url == visitor.url(last)
    finally:
        context.close()
    note(f"pages in the table of contents: {len(TOC_DOCS)}; "
         f"pages the theme makes: {len(ALL_PAGES) - len(TOC_DOCS)}")


def test_menu_button_hides_and_shows_the_sidebar_on_a_desktop(page: Any, visitor: Visitor) -> None:
    goto(page, visitor.url(TOC_DOCS[0]))
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    toggle = page.locator(".bd-header-article button.primary-toggle")
    toggle.click()
    sidebar.wait_for(state="hidden")
    toggle.click()
    sidebar.wait_for(state="visible")
