"""Helpers for the browser tests: which pages, how to open them, what a visit records.

The fixtures that use these are in conftest.py beside this file.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
SCREENSHOTS = SITE / "_screenshots"
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"

# How the built site is served and how Debian's Chromium is launched are written once, in the handouts
# tool (book/_tools/handouts.py), which prints the same pages: CHROMIUM, CHROMIUM_ARGS and serve().
_SPEC = importlib.util.spec_from_file_location("handouts", REPO / "book" / "_tools" / "handouts.py")
assert _SPEC and _SPEC.loader
handouts = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(handouts)
CHROMIUM = handouts.CHROMIUM
CHROMIUM_ARGS = handouts.CHROMIUM_ARGS
serve = handouts.serve

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}

# Pages the theme makes beside those in _toc.yml.
GENERATED_PAGES = ["genindex", "search", "py-modindex"]


# ---------------------------------------------------------------------------------------------
# Which pages: every document in _toc.yml, so that a new page is covered without editing the tests.


def _toc_files(entries: list[dict[str, Any]]) -> Iterator[str]:
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        if "glob" in entry:
            for path in sorted(REPO.glob(entry["glob"] + "*")):
                if path.suffix in {".md", ".ipynb"}:
                    yield path.relative_to(REPO).as_posix()
        for key in ("sections", "chapters"):
            yield from _toc_files(entry.get(key, []))
        for part in entry.get("parts", []):
            yield from _toc_files(part.get("chapters", []))


def toc_documents() -> list[str]:
    """The documents in _toc.yml in reading order, without suffix (e.g. "book/index")."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [toc["root"], *_toc_files([toc])]
    docs = [re.sub(r"\.(md|ipynb)$", "", f) for f in files]
    return list(dict.fromkeys(docs))


def source_of(doc: str) -> Path:
    """A document's source file in the repository."""
    for suffix in (".ipynb", ".md"):
        if (REPO / f"{doc}{suffix}").is_file():
            return REPO / f"{doc}{suffix}"
    raise FileNotFoundError(f"no .ipynb or .md source for {doc!r}")


TOC_DOCS = toc_documents()
NOTEBOOK_DOCS = [doc for doc in TOC_DOCS if source_of(doc).suffix == ".ipynb"]
ALL_PAGES = TOC_DOCS + GENERATED_PAGES


def screenshot_name(doc: str) -> str:
    return doc.replace("/", "-")


def book_config() -> dict[str, Any]:
    return yaml.safe_load((REPO / "_config.yml").read_text())


# ---------------------------------------------------------------------------------------------
# Opening pages.


def new_context(browser: Any, viewport: dict[str, int] = DESKTOP, color_scheme: str = "light") -> Any:
    context = browser.new_context(viewport=viewport, color_scheme=color_scheme, reduced_motion="reduce")
    context.set_default_timeout(15_000)
    return context


def goto(page: Any, url: str) -> Any:
    """Open a URL; return once it and all it loads have loaded and its fonts are ready."""
    response = page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return response


# ---------------------------------------------------------------------------------------------
# One visit per page at desktop width, recording what a reader's browser saw. Several tests
# (loading, figures, links) read the same visit.


@dataclass
class Visit:
    doc: str
    url: str
    status: int | None = None
    final_url: str = ""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    images: list[dict[str, Any]] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)
    nav: list[str] = field(default_factory=list)


_COLLECT = """() => {
  const main = document.querySelector('#main-content');
  const article = document.querySelector('article.bd-article');
  return {
    links: Array.from(document.querySelectorAll('a[href]')).map(a => ({
      href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim().slice(0, 60),
      inMain: !!(main && main.contains(a))})),
    ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name')),
    images: Array.from(document.querySelectorAll('img')).map(img => ({
      src: img.currentSrc || img.src, alt: img.getAttribute('alt'), complete: img.complete,
      naturalWidth: img.naturalWidth, shownWidth: img.getBoundingClientRect().width,
      inArticle: !!(article && article.contains(img)),
      decorative: img.getAttribute('role') === 'presentation'
        || img.getAttribute('aria-hidden') === 'true'})),
    inlineScripts: Array.from(document.querySelectorAll('script:not([src])'))
      .filter(s => !s.type || s.type === 'text/javascript' || s.type === 'module')
      .map(s => s.textContent.trim()),
    nav: Array.from(document.querySelectorAll('nav.bd-docs-nav a[href]')).map(a => a.href),
  };
}"""


class Visitor:
    """Visits each page of the site once (desktop width, light mode) and keeps what it saw."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base_url = base_url
        self.context = new_context(browser)
        self.visits: dict[str, Visit] = {}

    def url(self, doc: str) -> str:
        return f"{self.base_url}{doc}.html"

    def visit(self, doc: str) -> Visit:
        if doc in self.visits:
            return self.visits[doc]
        visit = Visit(doc=doc, url=self.url(doc))
        # A page of its own for each visit, so that a request of the page before (the browser
        # fetches the icon after "load") is never counted against this one.
        page = self.context.new_page()

        def on_console(message: Any) -> None:
            if message.type == "error":
                visit.console_errors.append(f"{message.text} (at {message.location.get('url', '?')})")

        def on_response(response: Any) -> None:
            if response.status >= 400:
                visit.bad_responses.append(f"{response.status} {response.url}")

        def on_failed(request: Any) -> None:
            visit.bad_responses.append(f"failed {request.url}: {request.failure}")

        def on_page_error(error: Any) -> None:
            visit.page_errors.append(str(error))

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        try:
            response = goto(page, visit.url)
            # Here, unlike elsewhere, wait until nothing is left loading: the icon and anything a
            # script fetches after "load" are requests of this page too.
            page.wait_for_load_state("networkidle")
            visit.status = response.status if response else None
            visit.final_url = page.url
            found = page.evaluate(_COLLECT)
        finally:
            for event, handler in [("console", on_console), ("pageerror", on_page_error),
                                   ("response", on_response), ("requestfailed", on_failed)]:
                page.remove_listener(event, handler)
            page.close()
        visit.links = found["links"]
        visit.ids = set(found["ids"])
        visit.images = found["images"]
        visit.inline_scripts = found["inlineScripts"]
        visit.nav = found["nav"]
        self.visits[doc] = visit
        return visit

    def close(self) -> None:
        self.context.close()


# ---------------------------------------------------------------------------------------------
# Counts for the end of the run: what the browser tests actually checked.

COUNTS: dict[str, int] = {}
SEEN: dict[str, set[str]] = {}
NOTES: list[str] = []


def count(name: str, n: int = 1) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + n


def seen(name: str, *items: str) -> None:
    SEEN.setdefault(name, set()).update(items)


def note(text: str) -> None:
    if text not in NOTES:
        NOTES.append(text)


# (kind, rule) -> what the rule says, where it was found, an example: findings that do not fail.
FINDINGS: dict[tuple[str, str], dict[str, Any]] = {}


def finding(kind: str, rule: str, text: str, where: str, example: str) -> None:
    entry = FINDINGS.setdefault((kind, rule), {"text": text, "where": [], "example": example})
    if where not in entry["where"]:
        entry["where"].append(where)
