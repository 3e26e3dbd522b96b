"""Every lesson figure is legible where it is read: on a 1280-px desktop page it is shown at 0.7 or more of
its own width at 96 px per inch (../shared/design/curriculum.md, "Bitesize, measured").

A figure's own width in inches is its PNG's pixel width over the dots per inch matplotlib wrote into it
(the pHYs chunk); at 96 px per inch, matplotlib's 10-pt text is then about 13 px tall, and at 0.7 of that
size about 9.5 px, the smallest we accept. A figure squeezed into the page's column below that, as a
19-inch five-panel facet chart was, fails with its size and what to do.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from bookcheck import ALL_PAGES, SITE, Visitor, count
from PIL import Image

LESSONS = [doc for doc in ALL_PAGES if doc.startswith("notebooks/")]
MIN_SCALE = 0.7
CSS_PX_PER_INCH = 96


def _own_width_px(src: str) -> float:
    """The figure's width in CSS px at 96 px per inch, from its file in the built site."""
    path = SITE / urlparse(src).path.lstrip("/")
    with Image.open(Path(path)) as image:
        dpi = image.info.get("dpi", (CSS_PX_PER_INCH, CSS_PX_PER_INCH))[0]
        return image.width / float(dpi) * CSS_PX_PER_INCH


def test_there_are_lessons_to_check():
    assert len(LESSONS) >= 11


@pytest.mark.parametrize("doc", LESSONS)
def test_figures_are_shown_at_readable_size(visitor: Visitor, doc: str) -> None:
    figures = [img for img in visitor.visit(doc).images
               if img["inArticle"] and not img["decorative"] and img["src"].endswith(".png")]
    small = []
    for img in figures:
        own = _own_width_px(img["src"])
        scale = img["shownWidth"] / own
        if scale < MIN_SCALE:
            small.append(f"{img['alt'][:60]!r}: shown {img['shownWidth']:.0f} px of its {own:.0f} px "
                         f"({scale:.2f})")
    count("lesson figures checked for size", len(figures))
    assert not small, (f"{doc}: figures shown below {MIN_SCALE} of their size at 1280 px (make them "
                       "narrower: at most two panels across, about 8.7 in wide):\n  " + "\n  ".join(small))
