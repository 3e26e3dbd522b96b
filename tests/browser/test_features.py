"""What readers use: search, the notebook download and launch buttons, the exercise solutions."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urljoin

import pytest
from bookcheck import NOTEBOOK_DOCS, REPO, SITE, TOC_DOCS, Visitor, book_config, count, goto, source_of

# A word that lesson 01 uses and no other page does: search must find the lesson from its body
# text, not only from its title. If the lesson stops using it, choose another such word.
LESSON = "notebooks/01_plot_the_dots"
LESSON_TERM = "Kelderby"


def _fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own localhost server
        return response.status, response.read()


def _search_results(page: Any) -> list[str]:
    """The result links once Sphinx's client-side search has finished."""
    # The theme hides this heading; Sphinx's search sets its text when it has finished.
    page.locator("#search-results h2", has_text="Search Results").wait_for(state="attached")
    return page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(a => a.href)")


def test_search_box_finds_a_term_from_a_lesson(page: Any, visitor: Visitor) -> None:
    goto(page, visitor.url(LESSON))
    assert LESSON_TERM in page.locator("article.bd-article").inner_text(), (
        f"lesson {LESSON} no longer uses {LESSON_TERM!r}: pick another word from it for this test")
    goto(page, visitor.url(TOC_DOCS[0]))
    page.keyboard.press("Control+k")  # the theme's search shortcut, as the search button says
    box = page.locator("#pst-search-dialog input[name='q']")
    box.wait_for()
    assert box.evaluate("el => el === document.activeElement"), "Ctrl+K did not put the cursor in the box"
    box.fill(LESSON_TERM)
    box.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    results = _search_results(page)
    assert any(r.startswith(visitor.url(LESSON)) for r in results), f"{LESSON_TERM!r}: results {results}"
    count("searches")


def test_search_page_finds_the_lesson_by_a_title_word(page: Any, visitor: Visitor) -> None:
    goto(page, visitor.url(LESSON))
    title = page.locator("article.bd-article h1").first.inner_text()
    word = max((w.strip("?:,.!") for w in title.split()), key=len)
    goto(page, f"{visitor.base_url}search.html?q={word}")
    results = _search_results(page)
    assert results and results[0].startswith(visitor.url(LESSON)), f"{word!r}: results {results}"
    count("searches")


@pytest.mark.parametrize("doc", TOC_DOCS)
def test_download_button_offers_the_page_source(page: Any, visitor: Visitor, doc: str) -> None:
    """The download menu opens on click and offers the page's source (.ipynb or .md), as in the repository."""
    goto(page, visitor.url(doc))
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    link = page.locator(".dropdown-download-buttons a.btn-download-source-button")
    link.wait_for(state="visible")
    source = source_of(doc)
    href = link.get_attribute("href")
    assert href is not None
    url = urljoin(page.url, href)
    assert url == f"{visitor.base_url}_sources/{source.relative_to(REPO).as_posix()}"
    status, body = _fetch(url)
    assert status == 200
    assert body == source.read_bytes(), f"{url} differs from {source}"
    if source.suffix == ".ipynb":
        notebook = json.loads(body)
        assert notebook["nbformat"] == 4 and notebook["cells"], f"{url} is not a notebook with cells"
    count("download links checked")


def _launch_url(doc: str) -> str:
    config = book_config()
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    binder = config["launch_buttons"]["binderhub_url"].rstrip("/")
    interface = {"jupyterlab": "lab/tree", "classic": "tree"}[config["launch_buttons"]["notebook_interface"]]
    path = f"{config['repository'].get('path_to_book', '').strip('/')}/{doc}.ipynb".lstrip("/")
    return f"{binder}/v2/gh/{repo}/{config['repository']['branch']}?urlpath={interface}/{path}"


@pytest.mark.parametrize("doc", NOTEBOOK_DOCS)
def test_launch_button_opens_the_notebook_on_binder(page: Any, visitor: Visitor, doc: str) -> None:
    """The launch menu's Binder link names this repository, branch and notebook (which exists there).

    Binder itself cannot be reached from here; the link's target is checked, not followed.
    """
    goto(page, visitor.url(doc))
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    links = page.locator(".dropdown-launch-buttons a.dropdown-item")
    links.first.wait_for(state="visible")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [_launch_url(doc)]
    notebook = hrefs[0].split("urlpath=lab/tree/", 1)[1]
    assert (REPO / notebook).is_file(), f"the launch link names {notebook}, not in the repository"
    count("launch links checked")


@pytest.mark.parametrize("doc", TOC_DOCS)
def test_repository_button_points_to_the_repository(visitor: Visitor, doc: str) -> None:
    visit = visitor.visit(doc)
    repo = book_config()["repository"]["url"]
    assert repo in [link["href"] for link in visit.links], f"{doc}: no link to {repo}"


def _pages_with_solutions() -> list[str]:
    return [doc for doc in TOC_DOCS if 'class="solution' in (SITE / f"{doc}.html").read_text()]


def test_exercise_solutions_are_hidden_until_opened(page: Any, visitor: Visitor) -> None:
    """Each solution is hidden when the page opens, opens on a click, and also from the keyboard."""
    docs = _pages_with_solutions()
    assert docs, "no page of the book has an exercise solution"
    for doc in docs:
        goto(page, visitor.url(doc))
        solutions = page.locator("div.solution")
        for i in range(solutions.count()):
            solution = solutions.nth(i)
            body = solution.locator(":scope > section, :scope > div:not(.admonition-title)").first
            button = solution.locator("button.toggle-button")
            assert solution.locator(".admonition-title").is_visible()
            assert body.is_hidden(), f"{doc}: solution {i + 1} is showing before it is opened"
            assert button.get_attribute("aria-expanded") == "false"
            solution.locator(".admonition-title").click()
            body.wait_for(state="visible")
            assert button.get_attribute("aria-expanded") == "true"
            solution.locator(".admonition-title").click()
            body.wait_for(state="hidden")
            # The same from the keyboard: the toggle is a button, so Enter opens it.
            button.focus()
            page.keyboard.press("Enter")
            body.wait_for(state="visible")
            count("exercise solutions checked")
