"""The equity report's HTML in Chromium: axe-core (WCAG 2.2 A and AA and best practice, as for the book),
headers that sort the rows, and the printed page: A4 landscape, the whole table on one page, legible.

The report is the collaborative's three waiting and attendance measures (Laney p' charts, since the
counts are overdispersed) for five trusts by deprivation quintile: 15 rows of 5 cells, as a board would
get it. The page is the report alone in a minimal document (a language, a title, a heading and a main
landmark, as a board paper saved from a notebook would have).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from test_accessibility import run_axe

from equity_lib import datasets, spc
from equity_lib.report import equity_report

OWNERS = {"Seen within 18 weeks": "COO, Moorside Teaching Hospitals",
          "Waiting over 52 weeks": "COO, Hollinbeck Valley",
          "Missed appointments": "COO, Kelderby District"}
A4_LANDSCAPE_CSS_PX = (297 - 20) / 25.4 * 96  # the printable width at 10 mm margins, in CSS pixels


@pytest.fixture(scope="module")
def report():
    waits = datasets.load("rtt_quintile_monthly")
    by = ["trust_code", "imd_quintile"]
    visits = datasets.load("outpatients_weekly").groupby(["week_start", *by], observed=True, as_index=False)
    visits = visits[["appointments", "dna"]].sum()
    common = dict(chart="pp", multiplier=100, by=by)
    results = {
        "Seen within 18 weeks": spc(waits, time="month", numerator="within_18_weeks",
                                    denominator="waiting_total", improvement="increase", target=65, **common),
        "Waiting over 52 weeks": spc(waits, time="month", numerator="over_52_weeks",
                                     denominator="waiting_total", improvement="decrease", target=1, **common),
        "Missed appointments": spc(visits, time="week_start", numerator="dna", denominator="appointments",
                                   improvement="decrease", target=8, **common),
    }
    return equity_report(results, owners=OWNERS, columns="imd_quintile",
                         labels={1: "Quintile 1 (most deprived)", 5: "Quintile 5 (least deprived)"})


def _open(page: Any, report, heading: bool = True) -> None:
    title = "<h1>The collaborative's equity report</h1>" if heading else ""
    document = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Equity report</title>'
                f"</head><body><main>{title}{report.to_html()}</main></body></html>")
    page.set_content(document, wait_until="load")


def test_axe_finds_no_serious_or_critical_violation(page: Any, report) -> None:
    _open(page, report)
    failures = run_axe(page, "equity report (light, desktop)")
    assert not failures, "\n".join(failures)
    page.keyboard.press("Tab")  # the table's region takes focus (it scrolls on narrow screens) ...
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    page.keyboard.press("Tab")  # ... then the first header's sort button
    assert page.evaluate("document.activeElement.className") == "el-sort"
    failures = run_axe(page, "equity report (a sort button focused)")
    assert not failures, "\n".join(failures)


def test_a_quintile_header_sorts_concerns_and_misses_first_and_says_so(page: Any, report) -> None:
    _open(page, report)
    header = page.locator("thead th").filter(has_text="Quintile 1 (most deprived)")
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    ranks = page.eval_on_selector_all("tbody tr", "rows => rows.map(r => Number(r.cells[6].dataset.sort))")
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    first = page.locator("tbody tr").first.locator("td").nth(3).inner_text()
    expected = report.sorted(1).wide().iloc[0]
    cell = report.table.query(f"measure == {expected['measure']!r} and "
                              f"trust_code == {expected['trust_code']!r} and imd_quintile == 1").iloc[0]
    assert cell["variation_text"] in first and cell["assurance_text"] in first
    header.get_by_role("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("thead th[aria-sort]").count() == 1


def test_printed_on_a4_landscape_the_table_fits_one_page_in_legible_type(page: Any, report) -> None:
    _open(page, report, heading=False)  # the report's caption is its title
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(A4_LANDSCAPE_CSS_PX), "height": 700})
    width = page.evaluate("document.querySelector('table').getBoundingClientRect().width")
    assert width <= A4_LANDSCAPE_CSS_PX + 1, f"the printed table is {width:.0f}px wide, over A4 landscape"
    smallest = page.evaluate("""() => Math.min(...Array.from(
        document.querySelectorAll('.el-report td, .el-report th, .el-report li'),
        e => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= 7.5 * 96 / 72 - 0.01, f"printed text as small as {smallest:.1f}px"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    sizes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the report printed on {pages} pages"
    w, h = (float(v) for v in sizes[0])
    assert (round(w), round(h)) == (842, 595), f"page {w} x {h} pt is not A4 landscape"
    text = page.inner_text("table")
    assert html.unescape("Will miss target") in text and "Quintile 1 (most deprived)" in text
