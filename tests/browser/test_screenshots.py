"""Screenshots of every page at desktop and phone width, kept in the build for people to look at.

They are written to _build/html/_screenshots/<page>-desktop.png and <page>-mobile.png (full page),
with an index.html showing them all, so that anyone can see what readers see without building
the book. A page that renders blank fails: its article must have visible text, and the screenshot
of the article must not be a single colour.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bookcheck import (
    ALL_PAGES,
    DESKTOP,
    MOBILE,
    SCREENSHOTS,
    Visitor,
    count,
    goto,
    new_context,
    screenshot_name,
)
from PIL import Image

WIDTHS = {"desktop": DESKTOP, "mobile": MOBILE}
MIN_TEXT = 40  # characters of visible text in the article: less is an empty page
SEARCH_EXAMPLE = "variation"
# The page's own content: the article, or on the search page the search form and results.
CONTENT = "article.bd-article, div.bd-search-container"


@pytest.fixture(scope="module")
def screenshots(site: Path) -> Iterator[Path]:
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    yield SCREENSHOTS
    rows = []
    for doc in ALL_PAGES:
        name = screenshot_name(doc)
        cells = "".join(
            f'<figure><a href="{name}-{width}.png"><img src="{name}-{width}.png"'
            f' width="{320 if width == "desktop" else 160}" alt="{html.escape(doc)} at {width} width"></a>'
            f"<figcaption>{width}</figcaption></figure>"
            for width in WIDTHS if (SCREENSHOTS / f"{name}-{width}.png").is_file())
        title = html.escape(doc)
        rows.append(f'<section><h2><a href="../{title}.html">{title}</a></h2>{cells}</section>')
    (SCREENSHOTS / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Screenshots of the book</title>'
        "<style>body{font-family:sans-serif;margin:2rem}figure{display:inline-block;margin:0 1rem 1rem 0;"
        "vertical-align:top}img{border:1px solid #ccc}</style></head><body><h1>Screenshots of the book</h1>"
        "<p>Made by the browser tests (tests/browser/test_screenshots.py), full page, "
        "at 1280&times;800 and 390&times;844.</p>" + "".join(rows) + "</body></html>\n")


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("doc", ALL_PAGES)
def test_screenshot_shows_the_page(browser: Any, visitor: Visitor, screenshots: Path, doc: str,
                                   width: str) -> None:
    context = new_context(browser, viewport=WIDTHS[width])
    path = screenshots / f"{screenshot_name(doc)}-{width}.png"
    try:
        page = context.new_page()
        if doc == "search":  # the search page as a reader sees it: with results
            goto(page, f"{visitor.url(doc)}?q={SEARCH_EXAMPLE}")
            page.locator("#search-results ul.search li").first.wait_for()
            page.locator("#search-results h2", has_text="Search Results").wait_for(state="attached")
        else:
            goto(page, visitor.url(doc))
        article = page.locator(CONTENT).first
        assert article.is_visible(), f"{doc} ({width}): the article is not visible"
        text = article.inner_text().strip()
        assert len(text) >= MIN_TEXT, f"{doc} ({width}): the article shows almost no text: {text!r}"
        box = article.bounding_box()
        scroll_y = page.evaluate("scrollY")
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    finally:
        context.close()
    count("screenshots written")
    image = _open_own_screenshot(path)
    assert image.width == WIDTHS[width]["width"]
    assert image.height >= WIDTHS[width]["height"]
    assert _colours(image) > 1, f"{doc} ({width}): the screenshot is a single colour"
    assert box is not None
    article_area = image.crop((int(box["x"]), int(box["y"] + scroll_y),
                               int(box["x"] + box["width"]), int(box["y"] + scroll_y + box["height"])))
    assert _colours(article_area) > 1, f"{doc} ({width}): the article renders as a blank area"


def _open_own_screenshot(path: Path) -> Image.Image:
    """The screenshot just taken, as RGB. Pillow refuses images of more than about 89 million pixels, a
    guard against decompression bombs in files from elsewhere; a full-page screenshot of a long page is
    more (the API reference at desktop width: 1280 x 76,639 px, 98 million), and this file is our own.
    The guard is lifted for this one file only and restored at once."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path) as shot:
            return shot.convert("RGB")
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def _colours(image: Image.Image) -> int:
    """How many colours the image has (counting stops at 2: blank or not)."""
    low, high = zip(*image.getextrema(), strict=True)
    return 1 if low == high else 2
