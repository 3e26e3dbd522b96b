"""Tables a reader sees in a lesson have headers in words, not code (issue 10: "tables a reader sees have
plain-English headers"). Checked on the built pages: every header cell of a table in a code cell's
output (what reader view keeps) must not read as a column name from code, such as ``cl``, ``lcl``,
``sii_lower_95`` or ``trust_code``; lessons pipe displayed tables through ``equity_lib.readable``.

Tables written in the lesson's own markdown (the columns an extract needs, with their code names in
backticks) are not outputs and are not checked.
"""

from __future__ import annotations

import re

import pytest
from bookcheck import ALL_PAGES, SITE, count
from bs4 import BeautifulSoup

LESSONS = [doc for doc in ALL_PAGES if doc.startswith("notebooks/")]
# snake_case (trust_code, sii_lower_95) or the library's short SPC names on their own
CODE_LIKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|^(cl|lcl|ucl|se|n)$")


@pytest.mark.parametrize("doc", LESSONS)
def test_output_tables_have_headers_in_words(site, doc: str) -> None:
    soup = BeautifulSoup((SITE / f"{doc}.html").read_text(), "html.parser")
    headers = [th.get_text(" ", strip=True) for output in soup.select("article .cell_output")
               for th in output.select("th")]
    coded = sorted({h for h in headers if CODE_LIKE.search(h)})
    count("output table headers checked", len(headers))
    assert not coded, (f"{doc}: output tables show headers written as code: {coded}. Fix: display the "
                       "table through equity_lib.readable (table.pipe(readable)), or pass labels= for "
                       "your own columns")
