"""Every number a lesson's prose states is a number its stored outputs show (issue 10: prose cannot drift).

nbval guarantees that a lesson's stored outputs are what its code produces now; this test closes the other
half: every number the prose states (findings, solutions, quick checks, key points, the trainer guide's
session plans, the reader page's findings) must be among the numbers those stored outputs show. It reads the
committed files with json and never executes a notebook: about a second for all of them.

Pages: every markdown cell of notebooks/NN_*.ipynb; each "### NN Title" section of book/for-trainers.md and
of book/for-readers.md, checked against the lesson its {doc} link names (else the lesson numbered NN).

Evidence (what supports a number): the numbers and dates in the lesson's text outputs (text/plain, text/html
without tags, any text/*, streams) and its code constants (numeric literals, and date or financial-year
strings such as "2024-01-01" or "2024/25", read with Python's tokenizer). Words in code strings are not
evidence: a chart title restating the prose would let both drift together. Images and alt text are not read,
so a number seen only on a chart fails: add an output that shows it. A sentence that names another lesson
("lesson 09 showed ...", or a {doc} link to it) may also be supported by that lesson's outputs.

Left out of the prose: fenced code, inline code, URLs and link targets, {doc}/{ref} targets, HTML, MyST
directive lines; digits glued to letters (Q2, A4, COVID-19, ESP2013, 2nd); numbers in words ("five trusts",
"two in three"); timings (a number before minutes, hours, seconds, pages or words, the "At a glance" Time
row, a table column headed Minutes or Time); the "At a glance" Dataset row (the data's description); labels
after lesson, cell, step, question, week, month, quintile, decile, rule or band ("lesson 09", "lessons 03,
05 and 10", "weeks 53-104"); reference list items (a list item with a doi, "2005;24:1185", "2(12):551" or a
"(year)" / "(Publisher, year)"); a bare year in parentheses or in a sentence that cites (a link, a {ref}
role, an *Italic Title*); and integers 0 to 12 as written, which count months, trusts, quintiles, rules and
steps far too often to check (a percentage such as "7%" and a decimal such as 0.2 are checked).

Matching at the precision the prose states:
- A number written with d decimals needs an output shown with at least d decimals that rounds to it: "57.2"
  matches 57.24 or 57.2, not 57.9 and not 57 (less precise than the prose).
- "1,234" is 1234 and matches 1233.6. A round number from 1,000 ("25,000", "3,000 to 9,000"), or one after
  about/around/roughly/some/nearly/almost, is read to its last non-zero digit: "about 25,000" matches
  25,111.
- A percentage ("57.2%", "57.2 per cent", "5.3 points", "5.3 percentage points") also matches a proportion a
  hundred times smaller: 0.5724, 0.053.
- Signs are ignored: prose says "a fall of 0.4" where an output shows -0.4.
- Ranges ("51% to 59%", "between 4.1 and 5.1%", "0.4-5.8 points"): each end is checked, and the second end's
  unit applies to the first. Ratios ("1.25", "2.36 times") are decimals like any other.
- After over/more than/above/at least a number is a bound at its own precision: "over 11,000" needs an
  output in [11,000, 12,000); after under/fewer than/less than/below/within/up to, "within 0.3" needs (0.2,
  0.3]. An exact match passes too (a threshold: "under 18 weeks").
- Dates: "March 2025" and "1 March 2025" need an output or constant dated in March 2025. A bare year needs
  the number or a year inside the span of dates shown; "2024/25" needs "2024/25" (or "2024-25") or April
  2024 to March 2025 inside the span of dates shown.

ALLOWED_CONSTANTS are method constants, passing on any page, each with its reason. NOT_OUTPUTS (numbers that
are not outputs by nature, e.g. an invented trust in a quick check) and KNOWN_FAILURES (flagged numbers
reported to the page's owner, not yet fixed) are per-page lists for review; an entry that is no longer
flagged fails test_listed_numbers_are_still_flagged, so both lists only shrink.

Anything else fails, naming the page, the cell (or section), the sentence, the number, the nearest output
and the fix. `python tests/test_prose_numbers.py` prints the numbers checked per page and every flagged
number."""

from __future__ import annotations

import bisect
import html
import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TRAINER_GUIDE = REPO / "book" / "for-trainers.md"
READER_PAGE = REPO / "book" / "for-readers.md"

# Method constants: numbers a page states because a method or an NHS standard fixes them, not because the data
# produced them. They pass on any page (integers 0 to 12 are never checked; see the docstring).
ALLOWED_CONSTANTS: dict[float, str] = {
    2.66: "XmR process limits: mean +/- 2.66 x the average moving range (Wheeler; 3/d2, d2 = 1.128)",
    3.27: "XmR moving-range chart's upper limit: 3.27 x the average moving range (D4 for subgroups of 2)",
    13: "Making Data Count: fewer than 13 points give trial limits",
    18: "the 18-week referral-to-treatment standard (NHS Constitution)",
    20: "1 in 20 outside 95% limits by chance; Making Data Count's 20 points for a baseline",
    52: "the 52-week long-wait threshold (NHS England)",
    92: "the 92% referral-to-treatment standard (NHS Constitution)",
    95: "95% limits (about 2 standard errors)",
    99.8: "99.8% limits (about 3 standard errors)",
    100: "per 100: a percentage as a multiplier",
    500: "1 in 500 outside 99.8% limits by chance",
    2013: "the 2013 European Standard Population (ESP2013): the standard's name, not a date",
    100_000: "per 100,000 residents: the rate multiplier of the admission lessons",
}

# Per-page lists, for review: (page, number as written, words of its sentence, reason). Page is a
# notebook stem ("01_plot_the_dots") or "for-trainers:NN" / "for-readers:NN".

# Numbers that are not outputs by nature (an invented scenario, a published source's figure, the reader's own
# arithmetic spelled out): they stay on the page as they are.
NOT_OUTPUTS: list[tuple[str, str, str, str]] = [
    ("01_plot_the_dots", "93%", "mean is 93% within", "quick check: an invented trust"),
    ("01_plot_the_dots", "89%", "process limits of 89% and 97%", "quick check: an invented trust"),
    ("01_plot_the_dots", "97%", "process limits of 89% and 97%", "quick check: an invented trust"),
    ("01_plot_the_dots", "89%", "its lower limit, 89%, is below", "quick check: an invented trust"),
    ("for-trainers:01", "93%", "a mean of 93%, limits", "lesson 01's quick check: an invented trust"),
    ("for-trainers:01", "89%", "limits of 89% and 97%", "lesson 01's quick check: an invented trust"),
    ("for-trainers:01", "97%", "limits of 89% and 97%", "lesson 01's quick check: an invented trust"),
    ("02_comparing_fairly", "March 2025", "at the end of March 2025",
     "the date of rtt_snapshot_specialty, a snapshot with no date column to show"),
    ("08_safe_to_share", "33%", '("1 of 3, 33%")', "an illustration of a percentage beside a hidden count"),
    ("09_did_it_work", "1.5", "fell by about 1.5 points too",
     "quick check's wrong answer A: the average's fall, 8.57 - 7.11 (both shown), applied to every group"),
    ("for-trainers:09", "1.5", "fell by about 1.5 points too", "lesson 09's quick check, wrong answer A"),
]

# Flagged numbers reported to the page's owner and not yet fixed: the reason says what the outputs show.
KNOWN_FAILURES: list[tuple[str, str, str, str]] = []

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_WORD = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
               r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)")

# ------------------------------------------------------------------------------------------------------------
# Evidence: the numbers and dates a lesson's outputs and code constants show


_OUTPUT_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"
                            r"|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)(?:-\d\d)?(?!\d)")


@dataclass
class Evidence:
    """Numbers (value, decimals shown) and dates of one lesson's stored outputs and code constants."""

    numbers: list[tuple[float, int]] = field(default_factory=list)
    months: set[tuple[int, int]] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)
    where: str = ""  # the cell being read, e.g. "cell 7": the first place each number is shown
    places: dict[tuple[float, int], str] = field(default_factory=dict)

    def __post_init__(self):
        self._sorted: list[tuple[float, int]] | None = None

    def add_number(self, text: str) -> None:
        text = text.replace(",", "").replace("_", "").lstrip("+-−")
        if not text or not re.fullmatch(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", text):
            return
        mantissa = re.split(r"[eE]", text)[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        if "e" in text.lower():
            decimals -= int(re.split(r"[eE]", text)[1])
        number = (abs(float(text)), max(decimals, 0))
        self.numbers.append(number)
        self.places.setdefault(number, self.where)
        self._sorted = None

    def add_text(self, text: str) -> None:
        """Every number and date in an output's text."""
        text = re.sub(r"<Figure size [^>]*>", " ", text)
        self.texts.append(text)
        for y, m in _ISO_DATE.findall(text):
            if 1 <= int(m) <= 12:
                self.months.add((int(y), int(m)))
        for mon, y in re.findall(rf"\b({_MONTH_WORD})\.?\s+((?:19|20)\d\d)\b", text, flags=re.I):
            self.months.add((int(y), MONTHS[mon.lower().rstrip(".")]))
        for number in _OUTPUT_NUMBER.findall(text):
            self.add_number(number)

    def add_code(self, source: str) -> None:
        """Numeric literals and date strings of a code cell (IPython magics and shell lines skipped)."""
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            return
        for token in tokens:
            if token.type == tokenize.NUMBER and not token.string.lower().endswith("j"):
                if re.match(r"0[xob]", token.string.lower()):
                    continue
                self.add_number(token.string)
            elif token.type == tokenize.STRING:
                for y, m in _ISO_DATE.findall(token.string):
                    if 1 <= int(m) <= 12:
                        self.months.add((int(y), int(m)))
                        self.numbers.append((float(y), 0))
                        self._sorted = None
                if re.search(r"(?:19|20)\d\d[/-]\d\d(?!\d)", token.string):
                    self.texts.append(token.string)  # a financial year the code filters on: "2024/25"

    # -- queries ---------------------------------------------------------------------------------------------

    def _index(self) -> list[tuple[float, int]]:
        if self._sorted is None:
            self._sorted = sorted(set(self.numbers))
        return self._sorted

    def _between(self, low: float, high: float) -> list[tuple[float, int]]:
        index = self._index()
        start = bisect.bisect_left(index, (low, -1))
        end = bisect.bisect_right(index, (high, 10**9))
        return index[start:end]

    def candidates(self, value: float, percent: bool, within: float) -> list[tuple[float, int]]:
        """Outputs near value as the prose could state them: as shown, and for a percentage also x100 (two
        decimals fewer: 0.5724 is 57.24%)."""
        within += 1.0
        found = list(self._between(value - within, value + within))
        if percent:
            low, high = (value - within) / 100, (value + within) / 100
            found += [(x * 100, d - 2) for x, d in self._between(low, high)]
        return found

    def supports(self, value: float, decimals: int, percent: bool, bound: str | None = None,
                 step: float = 1.0) -> bool:
        """An output that rounds to value at the prose's decimals (negative: "about 25,000" is to -3), shown
        at least that precisely; or, after a bound word, one inside the bound at that precision."""
        tolerance = 0.5 * 10.0**-decimals
        for x, shown in self.candidates(value, percent, tolerance):
            if shown >= decimals and abs(x - value) < tolerance + 0.5 * 10.0**-shown - 1e-9:
                return True
        if bound:
            low, high = (value, value + step) if bound == "over" else (value - step, value)
            for x, _ in self.candidates(value, percent, step):
                if (low <= x < high) if bound == "over" else (low < x <= high):
                    return True
        return False

    def nearest(self, value: float, percent: bool) -> str:
        """The output closest to value (as the prose could state it) and the cell that shows it."""
        pool = [(x, d, (x, d)) for x, d in self._between(value * 0.5 - 1, value * 1.5 + 1)]
        if percent:
            low, high = (value * 0.5 - 1) / 100, (value * 1.5 + 1) / 100
            pool += [(x * 100, max(d - 2, 0), (x, d)) for x, d in self._between(low, high)]
        if not pool:
            return "none within half to one and a half times it"
        x, d, origin = min(pool, key=lambda item: (abs(item[0] - value), -item[1]))
        place = self.places.get(origin)
        return f"{x:.{d}f}" + (f" in {place}" if place else "")

    def _span(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        return (min(self.months), max(self.months)) if self.months else None

    def has_month(self, year: int, month: int) -> bool:
        return (year, month) in self.months

    def has_year(self, year: int) -> bool:
        """A date shown in that year, the number itself, or a year inside the span of the dates shown."""
        span = self._span()
        if span and span[0][0] <= year <= span[1][0]:
            return True
        return (float(year), 0) in set(self._index())

    def has_financial_year(self, start: int, text: str) -> bool:
        """The year as written ("2024/25" or "2024-25"), or April to March inside the span of dates shown."""
        if any(text in t or text.replace("/", "-") in t for t in self.texts):
            return True
        span = self._span()
        return bool(span) and span[0] <= (start + 1, 3) and (start, 4) <= span[1]


def _html_text(markup: str) -> str:
    """A table's text without its style block or its row labels when they are a plain 0, 1, 2 ... index (a row
    number would otherwise support any small count the prose states)."""
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"(<tbody>.*?</tbody>)", lambda m: re.sub(r"<th>\s*\d+\s*</th>", " ", m.group(1)), markup,
                    flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def notebook_evidence(nb: dict) -> Evidence:
    """The numbers and dates of a notebook's code constants and text outputs. Where an output has an HTML
    table, that is read and its text/plain copy is not (the same numbers, with the row index unmarked)."""
    evidence = Evidence()
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        evidence.where = f"cell {index}"
        evidence.add_code("".join(cell["source"]))
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                evidence.add_text("".join(output.get("text", "")))
            data = {mime: "".join(v) if isinstance(v, list) else str(v)
                    for mime, v in output.get("data", {}).items() if mime.startswith("text/")}
            if "<table" in data.get("text/html", ""):
                data.pop("text/plain", None)
            for mime, text in data.items():
                evidence.add_text(_html_text(text) if mime == "text/html" else text)
    return evidence


# ------------------------------------------------------------------------------------------------------------
# Prose: the numbers a markdown text states


@dataclass
class Claim:
    """One number the prose states."""

    text: str  # as written, e.g. "57.2%" or "March 2025"
    sentence: str
    kind: str  # "number", "month", "year", "financial_year"
    value: float = 0.0
    decimals: int = 0
    percent: bool = False
    bound: str | None = None  # "over" or "under": the number follows a bound word
    bound_step: float = 1.0  # the bound's precision: over 11,000 is [11,000, 12,000)
    year: int = 0
    month: int = 0
    lessons: tuple[str, ...] = ()  # lessons the sentence names ("as lesson 09 showed"): theirs count too


def clean_markdown(text: str) -> str:
    """The prose a reader sees, without code, URLs, link targets, roles' targets, HTML or directive lines."""
    out, fence = [], None
    for line in text.splitlines():
        stripped = line.strip()
        opener = re.match(r"(`{3,}|~{3,})\s*(\{?[\w-]*\}?)", stripped)
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        if opener:
            info = opener.group(2)
            # a fence of code (```, ```python, ```{code-cell}) is skipped; a directive with prose is kept
            if not info or not info.startswith("{") or info in ("{code-cell}", "{code-block}", "{code}"):
                fence = opener.group(1)
            continue
        if stripped.startswith(":::") or re.match(r":[\w-]+:", stripped):
            continue
        out.append(line)
    text = "\n".join(out)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\{(?:term|abbr)\}`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", text)  # a term reads as its text
    # a {doc} link to a lesson names it ("lesson 09"), so that lesson's outputs count for the sentence
    text = re.sub(r"\{doc\}`(?:[^`]*?[</])?(\d\d)_[\w-]+>?`", rf"Lesson \1{CITE}", text)
    text = re.sub(r"\{(?:ref|cite|doc|numref|cite:\w+)\}`[^`]*`", CITE, text)  # a reference's target
    text = re.sub(r"\{\w[\w:-]*\}`([^`<]*?)\s*<[^>]*>`", r"\1", text)
    text = re.sub(r"\{\w[\w:-]*\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)  # inline code
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)", rf"\1{CITE}", text)
    text = re.sub(r"<https?://[^>]*>|https?://\S+", CITE, text)
    text = re.sub(r"</?[A-Za-z][^>]*>", " ", text)
    return text


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+(?=[\"“*(A-Z0-9])|\s*\|\s*", paragraph) if s.strip()]


_NUMBER = re.compile(r"(?<![\w.,/′'])(?<![A-Za-z]-)[-−–]?"
                     r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w′'])(?![.,]\d)")
_DATE = re.compile(rf"\b(?:(\d{{1,2}})\s+)?({_MONTH_WORD})\.?\s+((?:19|20)\d\d)\b(?!/)")
_FINANCIAL_YEAR = re.compile(r"\b((?:19|20)\d\d)[/-](\d\d)\b(?![/-]\d)")
_TIMING = re.compile(r"^\s*-?\s*(?:to\s+\d+\s+)?(?:minutes?|mins?|seconds?|s\b|hours?|pages?|px|pixels?"
                     r"|inch(?:es)?|words?)\b", re.I)
_PERCENT = re.compile(r"^\s*(?:%|per\s*cent|(?:percentage\s+)?points?\b|pp\b)", re.I)
_LESSON_REF = re.compile(r"\b(?:lessons?|cells?|sections?|steps?|chapters?|questions?|python|weeks?|months?"
                         r"|quintiles?|deciles?|rules?|bands?)\s+"
                         r"(?:\d+\s*(?:,|and|or|to|-|–)\s*)*$", re.I)
_APPROXIMATE = re.compile(r"(?:\b(?:about|around|roughly|approximately|some|nearly|almost)|~)\s*$", re.I)
_BOUND_OVER = re.compile(r"\b(?:over|more\s+than|above|at\s+least|exceeds?|exceeding)\s+$", re.I)
_BOUND_UNDER = re.compile(r"\b(?:under|fewer\s+than|less\s+than|below|within|up\s+to|at\s+most)\s+$",
                          re.I)
CITE = "\u2042"  # left where cleaning removed a link, a URL or a {ref}/{doc}: the sentence cites something
# a reference: a doi, a journal's year;volume, volume(issue):pages, or a (year) / (Publisher, [Month] year)
_REFERENCE = re.compile(rf"doi:|\b(?:19|20)\d\d;\s*\d|\b\d+\(\d+\):\s*e?\d|"
                        rf"\((?:[^()]*?,\s*)?(?:{_MONTH_WORD}\s+)?(?:19|20)\d\d[a-z]?\)")
_ITALIC_TITLE = re.compile(r"(?<![*\w])\*[A-Z][^*]{3,}\*(?!\*)")


def _drop_timing_columns(markdown: str) -> str:
    """A table whose first column is headed Minutes or Time (a session plan) loses that column."""
    out, timing = [], False
    for line in markdown.split("\n"):
        if not line.lstrip().startswith("|"):
            timing = False
        elif not timing and re.match(r"\s*\|\s*(?:minutes?|mins?|time)\s*\|", line, flags=re.I):
            timing = True
        if timing:
            line = re.sub(r"^(\s*)\|[^|]*\|", r"\1|", line)
        out.append(line)
    return "\n".join(out)


def prose_claims(markdown: str) -> list[Claim]:
    """Every number the prose states, with the sentence it is in, in the order written."""
    # the "At a glance" box's Time and Dataset rows: the lesson's timing and the data's description
    raw = re.sub(r"^\|\s*\*\*(?:Time|Dataset)\*\*.*$", "", markdown, flags=re.M)
    raw = _drop_timing_columns(raw)
    claims: list[Claim] = []
    for paragraph in re.split(r"\n\s*\n", clean_markdown(raw)):
        # each list item is a block of its own; a list item that is a reference is left out whole
        for block in re.split(r"\n(?=\s*(?:[-*+]|\d+\.)\s)", paragraph):
            block = re.sub(r"\s+", " ", block).strip()
            if re.match(r"(?:[-*+]|\d+\.)\s", block) and _REFERENCE.search(block):
                continue
            for sentence in _sentences(block):
                cites = CITE in sentence or bool(_ITALIC_TITLE.search(sentence))
                claims += _sentence_claims(re.sub(rf"\s*{CITE}", "", sentence).strip(), cites=cites)
    return claims


def _sentence_claims(sentence: str, *, cites: bool) -> list[Claim]:
    claims: list[Claim] = []
    named = re.findall(r"\blessons?\s+(\d\d(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*-\s*|\s+to\s+)\d\d)*)",
                       sentence, flags=re.I)
    lessons = tuple(re.findall(r"\d\d", " ".join(named)))
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for m in _DATE.finditer(sentence):
        taken.append(m.span())
        claims.append(Claim(m.group(0), sentence, "month", year=int(m.group(3)),
                            month=MONTHS[m.group(2).lower().rstrip(".")], lessons=lessons))
    for m in _FINANCIAL_YEAR.finditer(sentence):
        if not free(*m.span()):
            continue
        taken.append(m.span())
        claims.append(Claim(m.group(0), sentence, "financial_year", year=int(m.group(1)), lessons=lessons))
    numbers = [m for m in _NUMBER.finditer(sentence) if free(*m.span())]
    units: list[bool] = []
    for m in numbers:
        units.append(bool(_PERCENT.match(sentence[m.end():])))
    # the unit of a range's second end applies to its first ("51 to 59%", "between 4.1 and 5.1%")
    for i in range(len(numbers) - 2, -1, -1):
        gap = sentence[numbers[i].end():numbers[i + 1].start()]
        before = sentence[:numbers[i].start()]
        is_range = re.fullmatch(r"\s*(?:%|per\s*cent)?\s*(?:to|–|-)\s*[-−–]?", gap, flags=re.I) or (
            re.fullmatch(r"\s*(?:%|per\s*cent)?\s*and\s*", gap, flags=re.I)
            and re.search(r"between\s+$", before, flags=re.I))
        if is_range and units[i + 1]:
            units[i] = True
    for m, percent in zip(numbers, units, strict=True):
        written = m.group(1)
        before, after = sentence[:m.start()], sentence[m.end():]
        value = float(written.replace(",", ""))
        decimals = len(written.split(".")[1]) if "." in written else 0
        if _TIMING.match(after) or _LESSON_REF.search(before):
            continue
        if re.match(r"\s*(?:to|–|-)\s*\d+\s*(?:minutes?|mins?|pages?)\b", after, flags=re.I):
            continue  # the first end of a timing range ("20-25 minutes")
        if decimals == 0 and "," not in written and 1900 <= value <= 2099:
            in_parentheses = before.count("(") > before.count(")")
            if cites or in_parentheses:
                continue  # a citation's year
            claims.append(Claim(written, sentence, "year", year=int(value), lessons=lessons))
            continue
        if decimals == 0 and value <= 12 and not re.match(r"\s*(?:%|per\s*cent|percentage\s+point)", after,
                                                          flags=re.I):
            continue
        shown = written + ("%" if percent and after.lstrip().startswith("%") else "")
        claim = Claim(shown, sentence, "number", value=value, decimals=decimals, percent=percent,
                      lessons=lessons)
        digits = written.replace(",", "")
        zeros = len(digits) - len(digits.rstrip("0")) if decimals == 0 and value >= 100 else 0
        if _BOUND_OVER.search(before) or _BOUND_UNDER.search(before):
            claim.bound = "over" if _BOUND_OVER.search(before) else "under"
            claim.bound_step = 10.0 ** (zeros if zeros else -decimals)  # "over 11,000": 11,000 to 11,999
        elif zeros and (_APPROXIMATE.search(before) or zeros >= 3):
            claim.decimals = -zeros  # "about 25,000", "3,000 to 9,000 a week": to the nearest thousand
        claims.append(claim)
    return claims


# ------------------------------------------------------------------------------------------------------------
# Checking a page


@dataclass
class Flag:
    page: str
    where: str
    claim: Claim
    shows: str

    def message(self) -> str:
        return (f"{self.page}, {self.where}: the prose states {self.claim.text!r} in "
                f"“{self.claim.sentence}”, but no stored output or code constant of the lesson shows it "
                f"(nearest output: {self.shows}). Fix: change the prose to what the output shows, or add an "
                f"output that shows {self.claim.text!r}.")


def allowed_constant(claim: Claim) -> bool:
    if claim.kind == "year":
        return float(claim.year) in ALLOWED_CONSTANTS
    return claim.kind == "number" and claim.value in ALLOWED_CONSTANTS


def supported(claim: Claim, evidence: Evidence) -> bool:
    if allowed_constant(claim):
        return True
    if claim.kind == "month":
        return evidence.has_month(claim.year, claim.month)
    if claim.kind == "year":
        return evidence.has_year(claim.year)
    if claim.kind == "financial_year":
        return evidence.has_financial_year(claim.year, claim.text)
    return evidence.supports(claim.value, claim.decimals, claim.percent, claim.bound, claim.bound_step)


def _shows(claim: Claim, evidence: Evidence) -> str:
    if claim.kind in ("month", "year", "financial_year"):
        near = sorted(f"{y}-{m:02d}" for y, m in evidence.months if abs(y - claim.year) <= 1)
        return (f"dates {near[0]} to {near[-1]}, not this one" if near else "no date within a year of it")
    return evidence.nearest(claim.value, claim.percent)


def check(page: str, sections: list[tuple[str, str]], evidence: Evidence, *,
          lesson_evidence=lambda number: None) -> tuple[int, list[Flag]]:
    """Numbers checked and flags for one page: sections are (where, markdown) pairs. A sentence that names
    another lesson ("as lesson 09 showed") may also be supported by that lesson's outputs."""
    checked, flags = 0, []
    for where, markdown in sections:
        for claim in prose_claims(markdown):
            checked += 1
            if supported(claim, evidence):
                continue
            others = [e for e in map(lesson_evidence, claim.lessons) if e is not None]
            if any(supported(claim, other) for other in others):
                continue
            flags.append(Flag(page, where, claim, _shows(claim, evidence)))
    return checked, flags


def notebook_sections(nb: dict) -> list[tuple[str, str]]:
    return [(f"cell {i}", "".join(c["source"])) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "markdown"]


def book_sections(path: Path) -> dict[str, str]:
    """The '### NN Title' sections of a book page, by lesson number ('01'), each up to the next heading."""
    text = path.read_text()
    sections: dict[str, str] = {}
    for m in re.finditer(r"^### (\d\d) [^\n]*\n(.*?)(?=^#{1,3} |\Z)", text, flags=re.M | re.S):
        sections[m.group(1)] = m.group(0)
    return sections


def lesson_for(number: str, section: str) -> Path | None:
    """The notebook a book section is about: its {doc} link to lesson NN (a section may link to others too),
    else its only {doc} link to a lesson, else the lesson numbered NN."""
    stems = re.findall(r"notebooks/(\d\d_\w+)", section)
    own = [stem for stem in stems if stem.startswith(number + "_")]
    stem = own[0] if own else (stems[0] if len(set(stems)) == 1 else None)
    for path in NOTEBOOKS:
        if (stem and path.stem == stem) or (not stem and path.stem.startswith(number + "_")):
            return path
    return None


_EVIDENCE: dict[Path, Evidence] = {}


def evidence_for(path: Path) -> Evidence:
    if path not in _EVIDENCE:
        _EVIDENCE[path] = notebook_evidence(json.loads(path.read_text()))
    return _EVIDENCE[path]


def page_flags(page: str) -> tuple[int, list[Flag]]:
    """Checked count and flags for a page id: a notebook stem, 'for-trainers:NN' or 'for-readers:NN'."""
    if ":" not in page:
        path = REPO / "notebooks" / f"{page}.ipynb"
        return check(page, notebook_sections(json.loads(path.read_text())), evidence_for(path),
                     lesson_evidence=_lesson_evidence)
    name, number = page.split(":")
    book = TRAINER_GUIDE if name == "for-trainers" else READER_PAGE
    section = book_sections(book)[number]
    lesson = lesson_for(number, section)
    assert lesson is not None, f"{book.name}: section '### {number} ...' names no lesson in notebooks/"
    return check(page, [(f"section '### {number}'", section)], evidence_for(lesson),
                 lesson_evidence=_lesson_evidence)


def _lesson_evidence(number: str) -> Evidence | None:
    path = next((p for p in NOTEBOOKS if p.stem.startswith(number + "_")), None)
    return evidence_for(path) if path else None


def _listed(flag: Flag, entries) -> bool:
    return any(flag.page == page and flag.claim.text == number and words in flag.claim.sentence
               for page, number, words, _ in entries)


def _unexpected(flags: list[Flag]) -> list[Flag]:
    return [f for f in flags if not _listed(f, NOT_OUTPUTS) and not _listed(f, KNOWN_FAILURES)]


def all_pages() -> list[str]:
    pages = [p.stem for p in NOTEBOOKS]
    pages += [f"for-trainers:{n}" for n in book_sections(TRAINER_GUIDE)]
    pages += [f"for-readers:{n}" for n in book_sections(READER_PAGE)]
    return pages


# ------------------------------------------------------------------------------------------------------------
# The checker can fail


def _fake_flags(prose: str, output: str, code: str = "x") -> list[str]:
    nb = {"cells": [
        {"cell_type": "code", "source": code,
         "outputs": [{"output_type": "execute_result", "data": {"text/plain": output}}]},
        {"cell_type": "markdown", "source": prose},
    ]}
    return [f.claim.text for f in check("fake", notebook_sections(nb), notebook_evidence(nb))[1]]


def test_checker_fails_on_a_number_the_outputs_do_not_show():
    assert _fake_flags("**Finding:** the rate is 57.2%.", "rate    57.9") == ["57.2%"]
    flags = check("fake", [("cell 1", "The rate is 57.2%.")], notebook_evidence({"cells": []}))[1]
    message = flags[0].message()
    assert "fake, cell 1" in message and "'57.2%'" in message and "The rate is 57.2%." in message
    assert "Fix: change the prose" in message


def test_checker_passes_at_the_precision_the_prose_states():
    assert _fake_flags("The rate is 57.2%.", "rate    57.24") == []
    assert _fake_flags("The rate is 57%.", "rate    57.24") == []
    assert _fake_flags("The rate is 57.24%.", "rate    57.2") == ["57.24%"], "output less precise than prose"
    assert _fake_flags("1,234 patients wait.", "n    1233.6") == []
    assert _fake_flags("1,234 patients wait.", "n    1,236") == ["1,234"]
    assert _fake_flags("A gap of 0.10 points in 39 weeks.", "gap 0.09  weeks 40") == ["0.10", "39"]
    assert _fake_flags("The rate is 57.2%.", "rate    57.25") == [], "57.25 may be 57.245"
    assert _fake_flags("About 25,000 a week.", "n  25111") == []
    assert _fake_flags("About 24,000 a week.", "n  24591") == ["24,000"]


def test_checker_reads_a_percentage_of_a_proportion():
    assert _fake_flags("57.2% of patients.", "share    0.5724") == []
    assert _fake_flags("The gap is 5.3 points.", "gap    0.053") == []
    assert _fake_flags("57.2 patients per day.", "share    0.5724") == ["57.2"], "only a percentage scales"
    assert _fake_flags("Recorded for 7% of patients, in 7 months.", "share    0.091") == ["7%"]


def test_checker_reads_ranges_signs_bounds_dates_and_html():
    assert _fake_flags("It moves between 51% and 59%.", "lcl 0.512 ucl 0.589") == []
    assert _fake_flags("It moves from 51 to 59%.", "lcl 0.512 ucl 0.601") == ["59%"]
    assert _fake_flags("The gap fell by 0.4 points.", "change  -0.4") == []
    assert _fake_flags("In March 2025 it was red.", "2025-03-01  red") == []
    assert _fake_flags("In April 2025 it was red.", "2025-03-01  red") == ["April 2025"]
    assert _fake_flags("In 2023/24 it rose; by 2024 it fell.", "2023-04-01 2025-03-01") == []
    assert _fake_flags("In 2026 it fell.", "2023-04-01 2025-03-01") == ["2026"]
    assert _fake_flags("The SII is 270 per 100,000.", "<td>270.1</td>") == []
    assert _fake_flags("Over 11,000 patients.", "n  11482") == []
    assert _fake_flags("Over 11,000 patients.", "n  10950") == ["11,000"]
    assert _fake_flags("Every change is within 0.3 points.", "max change  0.26") == []
    assert _fake_flags("Every change is within 0.3 points.", "max change  0.11") == ["0.3"]


def test_checker_leaves_out_what_is_not_a_finding():
    prose = ("Five trusts, 7 months, two in three, quintile 1 (Q2), COVID-19. See lesson 09 and lessons 13, "
             "15 and 17. Allow 25 minutes. Limits are 2.66 times the moving range; 99.8% limits.\n\n"
             "Use `target=77`.\n\n"
             "```python\nx = 4444\n```\n\n"
             "- NHS England, [*Making Data Count*](https://example.org/2019/x) (2019).\n"
             "- Spiegelhalter, *Statistics in Medicine* 2005;24:1185-1202, doi:10.1002/sim.1970.")
    assert _fake_flags(prose, "nothing") == []
    plan = "| Minutes | Show | Say |\n|---|---|---|\n| 17 to 23 | The chart | A mean of 55.1%. |"
    assert [c.text for c in prose_claims(plan)] == ["55.1%"]
    table = "| Trust | Mean |\n|---|---|\n| 17 | 55.1% |"
    assert [c.text for c in prose_claims(table)] == ["17", "55.1%"]


def test_checker_takes_code_constants_but_not_words_in_code_strings():
    assert _fake_flags("The target is 93%.", "ok", code="spc(data, target=93)") == []
    assert _fake_flags("Stable around 55%.", "ok", code='plot(title="Stable around 55%")') == ["55%"]
    assert _fake_flags("From 1 January 2024.", "ok", code='rebase = "2024-01-01"') == []


def test_checker_reads_another_lesson_only_where_the_sentence_names_it():
    nb = {"cells": [{"cell_type": "markdown", "source": "Lesson 09 showed 8.6%. Here it is 8.6%. "
                     "{doc}`09_did_it_work` follows it from January 2024, {doc}`as 11 <11_x>` in 2024/25."}]}
    other = Evidence()
    other.add_text("mean  8.6  from 2024-01-01")
    flags = check("fake", notebook_sections(nb), Evidence(), lesson_evidence={"09": other}.get)[1]
    found = [(f.claim.text, f.claim.sentence[:10]) for f in flags]
    assert found == [("8.6%", "Here it is"), ("2024/25", "Lesson 09 ")], "no lesson 11 given: 2024/25 fails"


def test_book_sections_map_to_their_lesson(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Guide\n\nIntro 2024.\n\n### 02 Comparing\n\n"
                    "As {doc}`../notebooks/09_did_it_work` shows, 71.4%.\n"
                    "{doc}`Open <../notebooks/02_comparing_fairly>`\n\n## Other\n\n99 things.\n")
    sections = book_sections(page)
    assert list(sections) == ["02"] and "99 things" not in sections["02"] and "Intro" not in sections["02"]
    assert lesson_for("02", sections["02"]).stem == "02_comparing_fairly"


# ------------------------------------------------------------------------------------------------------------
# The lessons and the book pages


def test_there_are_pages_to_check():
    assert NOTEBOOKS, "no lessons in notebooks/"
    for book in (TRAINER_GUIDE, READER_PAGE):
        sections = book_sections(book)
        assert sections, f"{book.name} has no '### NN Title' lesson sections"
        for number, section in sections.items():
            assert lesson_for(number, section), f"{book.name}: '### {number}' names no lesson in notebooks/"


@pytest.mark.parametrize("page", all_pages())
def test_prose_numbers_are_in_the_outputs(page):
    checked, flags = page_flags(page)
    # a lesson always states numbers (a book section may not): none found means the page was not read
    assert checked > 0 or ":" in page, f"{page}: no number found in its prose; is the page read at all?"
    unexpected = _unexpected(flags)
    assert not unexpected, f"{len(unexpected)} of {checked} numbers not in the outputs:\n" + "\n".join(
        f.message() for f in unexpected)


def test_listed_numbers_are_still_flagged():
    stale, pages = [], all_pages()
    for name, entries in (("NOT_OUTPUTS", NOT_OUTPUTS), ("KNOWN_FAILURES", KNOWN_FAILURES)):
        for entry in entries:
            if entry[0] not in pages or not any(_listed(f, [entry]) for f in page_flags(entry[0])[1]):
                stale.append(f"{name}: {entry[:3]}")
    assert not stale, "no longer flagged (fixed or reworded): remove from the list:\n" + "\n".join(stale)


if __name__ == "__main__":  # a report for page owners: numbers checked per page and every flagged number
    total_checked = total_flagged = total_listed = 0
    for page in all_pages():
        checked, flags = page_flags(page)
        left = _unexpected(flags)
        total_checked += checked
        total_flagged += len(left)
        total_listed += len(flags) - len(left)
        print(f"{page:28} {checked:4d} checked {len(left):3d} flagged {len(flags) - len(left):3d} listed")
        for flag in left:
            print("    " + flag.message())
    print(f"total: {total_checked} checked, {total_flagged} flagged, {total_listed} on the reviewed lists")
