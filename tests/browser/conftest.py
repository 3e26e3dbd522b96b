"""The built book in a real browser: fixtures.

The site in _build/html is served over HTTP on 127.0.0.1 (a free port) and driven with Playwright
and Debian's Chromium (/usr/bin/chromium; `.ci/run` installs it). Playwright never downloads a
browser here: do not run `playwright install`.

`make browser` (part of `make test`) builds the book first and sets REQUIRE_BROWSER=1, so that a
missing site, Playwright or Chromium fails the run. Run by hand (`pytest tests/browser`) without a
built site, the tests are skipped, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bookcheck import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COUNTS,
    FINDINGS,
    NOTES,
    REQUIRED,
    SEEN,
    SITE,
    Visitor,
    new_context,
    serve,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason}. REQUIRE_BROWSER=1 (set by `make browser`): the browser tests must run.",
                    pytrace=False)
    pytest.skip(f"{reason}: run `make browser`, which builds the book and then runs these tests")


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        _unavailable(f"the book is not built ({SITE / 'index.html'} is missing)")
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1, on a free port, for the whole session."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser(site: Path) -> Iterator[Any]:
    """One Chromium for the whole session: Debian's, never a download of Playwright's own."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (it is in the test extra: make install)")
    if not CHROMIUM.is_file():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, as .ci/run does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile at desktop width, light mode."""
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture(scope="session")
def visitor(browser: Any, base_url: str) -> Iterator[Visitor]:
    """Each page visited once, what the browser saw kept for every test that asks."""
    v = Visitor(browser, base_url)
    yield v
    v.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not (COUNTS or SEEN or NOTES or FINDINGS):
        return
    terminalreporter.section("browser tests: what was checked")
    for name, n in COUNTS.items():
        terminalreporter.write_line(f"{name}: {n}")
    for name, items in SEEN.items():
        terminalreporter.write_line(f"{name}: {len(items)}")
    for text in NOTES:
        terminalreporter.write_line(text)
    for (kind, rule), entry in FINDINGS.items():
        terminalreporter.write_line(f"{kind}: {rule} ({entry['text']}) in {len(entry['where'])} view(s): "
                                    f"{'; '.join(entry['where'])}. E.g. {entry['example']}")
