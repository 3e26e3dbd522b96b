"""Printable handouts: each lesson page of the built book as an A4 PDF, and a trainer pack.

    make handouts          (after `make book`)
    .venv/bin/python book/_tools/handouts.py [--site _build/html] [--out _build/handouts]

The built site (_build/html) is served on 127.0.0.1 and printed with Playwright driving Debian's
Chromium (/usr/bin/chromium), launched as tests/browser/conftest.py launches it. Playwright never
downloads a browser here: do not run `playwright install`.

What a handout holds is what the page prints: the theme's print styles drop the sidebars and the
buttons above the page (launch, download); book/_static/a11y.css, under `@media print`, keeps wide
tables and code on the paper and leaves out what is collapsed. Solutions stay collapsed, as a
learner first sees them (sphinx-togglebutton would open them for printing: see
_KEEP_SOLUTIONS_COLLAPSED), so a lesson's handout can be given out before the exercise. The
trainer pack is the trainer guide page (book/for-trainers), with its session plans.

Output: _build/handouts/NN_name.pdf for each lesson, and _build/handouts/trainer-guide.pdf.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
OUT = REPO / "_build" / "handouts"

# As tests/browser/bookcheck.py: Debian's Chromium, and none of its background traffic (this
# machine, and CI, reach only package registries).
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # running as root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TRAINER_GUIDE = "book/for-trainers"
TRAINER_PDF = "trainer-guide.pdf"

# A4, backgrounds printed (admonitions, table stripes), a left margin wide enough to hole-punch.
# Scale 0.8 sets body text at about 10 points and lets a DataFrame of eight columns fit the width;
# at 1.0 a lesson takes half as many pages again and wide tables are cut off.
PDF_OPTIONS: dict[str, Any] = {
    "format": "A4",
    "print_background": True,
    "margin": {"top": "15mm", "bottom": "15mm", "left": "18mm", "right": "15mm"},
    "prefer_css_page_size": False,
    "scale": 0.8,
}
# The window the page is opened in: desktop width, so that the theme's scripts set the page up as
# a reader at a computer sees it. Printing lays it out again at the paper's width: the width of
# A4 between the margins, divided by the scale, in CSS pixels (96 to the inch).
VIEWPORT = {"width": 1280, "height": 800}
PRINT_WIDTH = round((210 - 18 - 15) / 25.4 * 96 / PDF_OPTIONS["scale"])

# Tables too wide for the paper (a DataFrame of many columns) get the class print-squeeze, which
# book/_static/a11y.css sets smaller and lets break inside long names; the others are left
# alone, so that short words in narrow columns ("caution") are never broken.
_SQUEEZE_WIDE_TABLES = """() => {
  const wide = Array.from(document.querySelectorAll('article.bd-article table')).filter(
    t => t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 1);
  wide.forEach(t => t.classList.add('print-squeeze'));
  return wide.length;
}"""


def lesson_pages(site: Path) -> list[str]:
    """The lesson pages of the built site, in order: "notebooks/01_plot_the_dots", ..."""
    return [f"notebooks/{path.stem}" for path in sorted((site / "notebooks").glob("[0-9][0-9]_*.html"))]


# Run in the page before printing: collapsed solutions are still collapsed (sphinx-togglebutton
# hides their content once its script has run), and every image has loaded.
_STATE = """() => ({
  open: Array.from(document.querySelectorAll('.solution.dropdown'))
    .filter(s => !s.classList.contains('toggle-hidden')).map(s => s.id),
  images: Array.from(document.querySelectorAll('article img'))
    .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src),
})"""


# sphinx-togglebutton opens every collapsed solution when the page is
# printed, and closes them again afterwards: its "beforeprint" listener is registered when its
# script loads. This runs before any of the page's scripts and stops that event first (capture
# listeners on the window run before the page's own), so that a handout shows what the web page
# first shows. It also records that it ran, which print_page checks.
_KEEP_SOLUTIONS_COLLAPSED = """
window.__handoutPrints = 0;
window.addEventListener('beforeprint', (event) => {
  window.__handoutPrints += 1;
  event.stopImmediatePropagation();
}, true);
"""


def print_page(browser: Any, url: str, out: Path) -> Path:
    """Print one page of the built book (served at `url`) to the PDF `out`, as a handout.

    Raises RuntimeError if a solution is shown open or an image has not loaded: a learner's
    handout must not give the solutions away, nor miss a chart.
    """
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light", reduced_motion="reduce")
    try:
        page = context.new_page()
        page.add_init_script(_KEEP_SOLUTIONS_COLLAPSED)
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        state = page.evaluate(_STATE)
        if state["open"]:
            raise RuntimeError(f"{url}: solution(s) {state['open']} are open; a handout keeps them collapsed")
        if state["images"]:
            raise RuntimeError(f"{url}: image(s) did not load: {state['images']}")
        page.set_viewport_size({"width": PRINT_WIDTH, "height": VIEWPORT["height"]})
        page.emulate_media(media="print")
        page.evaluate(_SQUEEZE_WIDE_TABLES)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(out), **PDF_OPTIONS)
        if page.evaluate("window.__handoutPrints") < 1:
            raise RuntimeError(f"{url}: printed without the guard that keeps solutions collapsed")
    finally:
        context.close()
    return out


# ---------------------------------------------------------------------------------------------
# Reading the PDFs back, without a PDF library. Chromium (Skia) writes a classic PDF: a
# cross-reference table of each object's byte offset, a catalogue whose page tree lists the pages
# in order, and for each page one "/Contents" stream of drawing operators (Flate-compressed).
# Scanning the file for "obj" instead would trip over the same bytes inside compressed data.

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF = re.compile(rb"xref\s+(\d+)\s+(\d+)\s+")
_HEADER = re.compile(rb"(\d+)\s+0\s+obj\s*")
_REF = rb"(\d+)\s+0\s+R"
# Operators that put something on the page: text (Tj, TJ) or an image or form (Do).
_MARKS = re.compile(rb"\b(?:Tj|TJ|Do)\b")


class _Reader:
    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        found = _STARTXREF.search(pdf[-64:])
        table = _XREF.match(pdf, int(found.group(1))) if found else None
        if table is None:
            raise ValueError("not a PDF with a classic cross-reference table (as Chromium writes)")
        first, count = int(table.group(1)), int(table.group(2))
        self.offsets: dict[int, int] = {}
        for i in range(count):
            entry = pdf[table.end() + 20 * i: table.end() + 20 * (i + 1)].split()
            if entry[2:3] == [b"n"]:
                self.offsets[first + i] = int(entry[0])

    def dictionary(self, number: int) -> bytes:
        """The object's text up to its stream (if any) or its end."""
        start = _HEADER.match(self.pdf, self.offsets[number]).end()
        ends = [i for i in (self.pdf.find(b"stream", start), self.pdf.find(b"endobj", start)) if i >= 0]
        return self.pdf[start:min(ends)]

    def stream(self, number: int) -> bytes:
        head = self.dictionary(number)
        length = int(re.search(rb"/Length\s+(\d+)", head).group(1))
        start = _HEADER.match(self.pdf, self.offsets[number]).end() + len(head) + len(b"stream")
        start += 2 if self.pdf[start:start + 2] == b"\r\n" else 1
        data = self.pdf[start:start + length]
        return zlib.decompress(data) if b"/FlateDecode" in head else data

    def pages(self, number: int) -> Iterator[int]:
        """The page objects under a node of the page tree, in reading order."""
        node = self.dictionary(number)
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", node)
        if kids is None:
            yield number
            return
        for kid in re.findall(_REF, kids.group(1)):
            yield from self.pages(int(kid))


def page_contents(pdf: bytes) -> list[bytes]:
    """Each page's drawing operators, in page order."""
    reader = _Reader(pdf)
    trailer = pdf[pdf.rfind(b"trailer"):]
    catalogue = reader.dictionary(int(re.search(rb"/Root\s+" + _REF, trailer).group(1)))
    root = int(re.search(rb"/Pages\s+" + _REF, catalogue).group(1))
    contents = []
    for page in reader.pages(root):
        ref = re.search(rb"/Contents\s+" + _REF, reader.dictionary(page))
        contents.append(reader.stream(int(ref.group(1))) if ref else b"")
    return contents


def blank_pages(pdf: bytes) -> list[int]:
    """Pages (counting from 1) with no text and no image on them."""
    return [i for i, ops in enumerate(page_contents(pdf), start=1) if not _MARKS.search(ops)]


# ---------------------------------------------------------------------------------------------
# Serving the built site and driving Chromium.


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser closed a page while a file was still being sent: not an error
        super().handle_error(request, client_address)


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1, on a free port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="handouts-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, never a download of Playwright's own."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise SystemExit(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def make_handouts(site: Path = SITE, out_dir: Path = OUT, pages: list[str] | None = None,
                  trainer_guide: bool = True, browser: Any = None, base_url: str | None = None) -> list[Path]:
    """Print each lesson page (or the given `pages`) and the trainer guide to PDFs in `out_dir`.

    `pages` are documents of the site without suffix ("notebooks/01_plot_the_dots"); by default
    every lesson page. A running `browser` and the site's `base_url` may be passed in (the tests
    do); otherwise the site is served and Chromium launched here. Returns the PDFs written.
    """
    if not (site / "index.html").is_file():
        raise SystemExit(f"The book is not built ({site / 'index.html'} is missing): run `make book` first.")
    docs = lesson_pages(site) if pages is None else list(pages)
    jobs = [(doc, out_dir / f"{Path(doc).name}.pdf") for doc in docs]
    if trainer_guide:
        jobs.append((TRAINER_GUIDE, out_dir / TRAINER_PDF))
    for doc, _ in jobs:
        if not (site / f"{doc}.html").is_file():
            raise SystemExit(f"{site / doc}.html is missing: is it in _toc.yml, and was the book rebuilt?")
    if browser is not None and base_url is not None:
        return [print_page(browser, f"{base_url}{doc}.html", out) for doc, out in jobs]
    with serve(site) as url, chromium() as launched:
        return [print_page(launched, f"{url}{doc}.html", out) for doc, out in jobs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE, help="the built book (default: _build/html)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PDFs go (default: _build/handouts)")
    parser.add_argument("pages", nargs="*", help="only these pages, e.g. notebooks/01_plot_the_dots")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    written = make_handouts(args.site, args.out, args.pages or None, trainer_guide=not args.pages)
    for path in written:
        pdf = path.read_bytes()
        blank = blank_pages(pdf)
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
              f"{len(page_contents(pdf))} pages, {len(pdf) / 1024:.0f} KiB"
              + (f"; blank page(s) {blank}" if blank else ""))
    print(f"{len(written)} handout(s) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
