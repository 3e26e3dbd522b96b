"""How SPC results are shown (issues 10 and 11): ax=, figures not left open, axis labels in words,
thousands and percentages, pages of panels for many series, and the compact view (one row per series)."""

import io
import re
import time
import warnings
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from equity_lib import spc
from equity_lib.colours import MDC
from equity_lib.process_control.compact import VARIATION_ORDER, CompactView
from equity_lib.process_control.plot import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    assurance_icon,
    letter_ink,
    variation_icon,
)

MONTHS = pd.date_range("2022-04-01", periods=24, freq="MS")


def _trusts(n_trusts=3, months=24, seed=5, level=12_000.0):
    """A&E-like monthly data: attendances and four-hour breaches for ``n_trusts`` trusts."""
    rng = np.random.default_rng(seed)
    when = pd.date_range("2022-04-01", periods=months, freq="MS")
    frames = []
    for k in range(n_trusts):
        attendances = rng.normal(level * (1 + k % 5 / 10), level * 0.03, months).round()
        share = np.clip(rng.normal(0.25, 0.05) + rng.normal(0, 0.01, months), 0.02, 0.6)
        frames.append(pd.DataFrame({"trust_code": f"T{k:03d}", "month": when, "attendances": attendances,
                                    "over_4_hours": rng.binomial(attendances.astype(int), share)}))
    return pd.concat(frames, ignore_index=True)


def _shifting():
    """Three trusts: A improves (a shift up), B is stable, C has a worrying fall; two phases each."""
    base = np.tile([0.6, -0.4, 0.2, -0.5, 0.3, -0.2], 4)
    steps = {"A": np.r_[np.zeros(14), np.full(10, 6.0)], "B": np.zeros(24),
             "C": -np.r_[np.zeros(16), np.full(8, 5.0)]}
    frames = [pd.DataFrame({"trust": trust, "month": MONTHS, "score": 50 + base + step})
              for trust, step in steps.items()]
    return pd.concat(frames, ignore_index=True)


def _contrast(a: str, b: str) -> float:
    """WCAG 2.2 contrast ratio of two colours."""
    def luminance(colour):
        colour = {"white": "#FFFFFF"}.get(colour, colour)
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
        rgb = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(rgb @ [0.2126, 0.7152, 0.0722])

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _tick_texts(ax):
    ax.get_figure().canvas.draw()
    return [t.get_text() for t in ax.get_yticklabels() if t.get_text()]


# --- ax= and figures left open ---------------------------------------------------------------------

def test_ax_draws_one_series_into_the_given_axes_and_returns_its_figure():
    result = spc(_shifting(), "score", "month", by="trust")
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    before = plt.get_fignums()
    out = result.plot(ax=right, series="B")
    assert out is fig
    assert plt.get_fignums() == before  # no figure of its own
    assert len(right.lines) >= 4 and not left.lines  # values, centre line, limits, points
    assert right.get_title(loc="left") == "B"
    assert right.get_ylabel() == "Score" and right.get_xlabel() == "Month"
    assert VARIATION_WORDS["common_cause"] in {t.get_text() for t in right.texts}
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_ax_with_several_series_says_to_pick_one():
    result = spc(_shifting(), "score", "month", by="trust")
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"ax= draws one series, and 3 are asked for.*series='A'"):
        result.plot(ax=ax)
    with pytest.raises(ValueError, match="'Z' is not a series"):
        result.plot(ax=ax, series="Z")
    plt.close(fig)


def test_figures_made_here_are_not_left_open_in_pyplot():
    result = spc(_shifting(), "score", "month", by="trust")
    before = plt.get_fignums()
    figures = [result.plot(), result.plot(series="A"), *result.plot_pages(per_page=2),
               result.compact_view().to_image()]
    assert plt.get_fignums() == before  # so Jupyter shows each once, as the cell's value
    assert len(figures) == 5
    for fig in figures:
        fig.savefig(io.BytesIO(), format="png", dpi=40)  # still drawable


# --- words and numbers on the axes ---------------------------------------------------------------

def test_default_axis_labels_are_words():
    data = _trusts(1).rename(columns={"month": "week_start"})
    p = spc(data, numerator="over_4_hours", denominator="attendances", time="week_start", chart="pp",
            multiplier=100)
    ax = p.plot().axes[0]
    assert ax.get_xlabel() == "Week start"
    assert ax.get_ylabel() == "Over 4 hours (% of attendances)"
    assert all(text.endswith("%") for text in _tick_texts(ax))
    xmr = spc(data.assign(imd_score=data["attendances"] / 1000), "imd_score", "week_start")
    assert xmr.plot().axes[0].get_ylabel() == "IMD score"
    u = spc(data, numerator="over_4_hours", denominator="attendances", time="week_start", chart="up",
            multiplier=1000)
    assert u.plot().axes[0].get_ylabel() == "Over 4 hours per 1,000 attendances"
    mine = xmr.plot(ylabel="Score (points)", xlabel="Week")
    assert (mine.axes[0].get_ylabel(), mine.axes[0].get_xlabel()) == ("Score (points)", "Week")


def test_large_values_have_thousands_separators():
    result = spc(_trusts(1), "attendances", "month")
    labels = _tick_texts(result.plot().axes[0])
    assert labels and all(re.fullmatch(r"\d{1,3}(,\d{3})+", text) for text in labels), labels


def test_percent_ticks_show_only_the_decimals_their_steps_need():
    data = _trusts(1)
    result = spc(data, numerator="over_4_hours", denominator="attendances", time="month", chart="pp",
                 multiplier=100)
    labels = _tick_texts(result.plot().axes[0])
    values = [float(text.rstrip("%")) for text in labels]
    assert len(set(values)) == len(values), labels  # no two ticks read the same


# --- many series ---------------------------------------------------------------------------------

def _panels(fig):
    return [ax for ax in fig.axes if ax.lines]


def test_130_series_draw_a_page_at_a_time_or_say_how():
    result = spc(_trusts(130, months=36), numerator="over_4_hours", denominator="attendances",
                 time="month", chart="pp", by="trust_code", multiplier=100, improvement="decrease",
                 target=24)
    with pytest.raises(ValueError, match=r"130 series would need 11 pages of 12.*page=1.*compact_view"):
        result.plot()
    start = time.perf_counter()
    first = result.plot(page=1, title="Four-hour waits")
    seconds = time.perf_counter() - start
    assert len(_panels(first)) == 12
    assert "page 1 of 11" in first.get_suptitle() and first.get_suptitle().startswith("Four-hour waits")
    assert first.get_size_inches()[0] <= 9  # two across, legible in the book
    last = result.plot(page=11)
    assert len(_panels(last)) == 130 - 120
    assert [ax.get_title(loc="left") for ax in _panels(last)][0] == "T120"
    with pytest.raises(ValueError, match="page must be a whole number from 1 to 11"):
        result.plot(page=12)
    big = result.plot(page=3, per_page=50)
    assert len(_panels(big)) == 30
    assert seconds < 30  # building a page (not rendering it) takes well under a second unloaded


def test_series_picks_and_orders_the_panels():
    result = spc(_shifting(), "score", "month", by="trust")
    fig = result.plot(series=["C", "A"])
    assert [ax.get_title(loc="left") for ax in _panels(fig)] == ["C", "A"]
    assert fig.get_size_inches()[0] <= 9


def test_two_by_columns_name_each_panel():
    data = pd.concat([_shifting().assign(imd_quintile=q) for q in (1, 2)], ignore_index=True)
    result = spc(data, "score", "month", by=["trust", "imd_quintile"])
    fig = result.plot(series=[("A", 2), "C / 1"])
    assert [ax.get_title(loc="left") for ax in _panels(fig)] == ["A / IMD quintile 2", "C / IMD quintile 1"]


@pytest.mark.parametrize("chart", ["run", "xmr", "mr", "p", "pp", "u", "up", "c", "g", "t", "xbar", "s"])
def test_every_chart_type_draws_with_words_on_its_axes(chart):
    rng = np.random.default_rng(7)
    if chart in ("xbar", "s"):
        data = pd.DataFrame({"batch": np.repeat([f"B{i:02d}" for i in range(15)], 4),
                             "length_mm": rng.normal(50, 2, 60)})
        result = spc(data, "length_mm", "batch", chart=chart)
    elif chart in ("p", "pp", "u", "up"):
        appointments = rng.integers(300, 400, 24)
        dna = rng.binomial(appointments, 0.1) if chart.startswith("p") else rng.poisson(appointments * 0.1)
        data = pd.DataFrame({"month": MONTHS, "dna": dna, "appointments": appointments})
        result = spc(data, time="month", numerator="dna", denominator="appointments", chart=chart)
    else:
        data = pd.DataFrame({"month": MONTHS, "falls": rng.integers(2, 40, 24).astype(float)})
        result = spc(data, "falls", "month", chart=chart)
    fig = result.plot()
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    ax = fig.axes[0]
    assert ax.get_xlabel() in ("Month", "Batch")
    assert ax.get_ylabel()[0].isupper() and "_" not in ax.get_ylabel()


# --- the compact view -----------------------------------------------------------------------------

def _compact_result():
    data = _shifting()
    data.loc[len(data) - 1, "score"] = np.nan  # C's latest month has no value
    with pytest.warns(UserWarning, match="no value"):
        return spc(data, "score", "month", by="trust", target={"A": 45, "B": 60, "C": 50},
                   rebase={"A": [MONTHS[14]]}, min_points=10)


def test_compact_has_one_row_per_series_from_the_summarys_last_phase():
    result = _compact_result()
    compact = result.compact()
    summary = result.summary()
    last = summary.groupby("trust", sort=False).tail(1).reset_index(drop=True)
    assert list(compact["trust"]) == ["A", "B", "C"]
    for column in ("phase", "n_points", "cl", "lcl", "ucl", "target", "improvement", "variation",
                   "variation_icon", "assurance", "trial_limits"):
        pd.testing.assert_series_equal(compact[column], last[column], check_names=False)
    assert list(compact["phase"]) == [2, 1, 1]
    table = result.table.dropna(subset=["value"]).groupby("trust").tail(1).set_index("trust")
    assert compact.set_index("trust")["value"].to_dict() == table["value"].to_dict()
    assert compact.loc[2, "time"] == MONTHS[-2]  # C's last point with a value
    assert list(compact["variation_text"]) == [VARIATION_WORDS[c] for c in last["variation_icon"]]
    assert list(compact["assurance_text"]) == [ASSURANCE_WORDS[c] for c in last["assurance"]]


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(f"<root>{markup}</root>")  # raises unless the markup is well formed


def test_compact_html_is_a_valid_table_with_words_for_every_icon():
    result = _compact_result()
    view = result.compact_view()
    root = _parse(view.to_html())
    table = root.find(".//table")
    assert table is not None and table.find("caption") is not None
    headers = table.findall("./thead/tr/th")
    assert all(th.get("scope") == "col" for th in headers)
    names = ["".join(th.itertext()) for th in headers]
    assert names[0] == "Trust" and "Variation" in names and "Assurance" in names
    rows = table.findall("./tbody/tr")
    compact = result.compact()
    assert len(rows) == len(compact)
    for tr, (_, row) in zip(rows, compact.iterrows(), strict=True):
        cells = list(tr)
        assert len(cells) == len(headers)
        assert cells[0].tag == "th" and cells[0].get("scope") == "row" and cells[0].text == row["trust"]
        text = {name: " ".join("".join(cell.itertext()).split()) for name, cell in zip(names, cells,
                                                                                      strict=True)}
        assert text["Variation"].endswith(VARIATION_WORDS[row["variation_icon"]])
        assert text["Assurance"].endswith(ASSURANCE_WORDS[row["assurance"]])
    icons = [span for span in root.iter("span") if span.get("class") == "el-icon"]
    assert len(icons) == 2 * len(rows)
    for span in icons:  # the letter is decoration: the words beside it say the same
        assert span.get("aria-hidden") == "true" and span.text
        background = re.search(r"background:(#[0-9A-Fa-f]{6})", span.get("style")).group(1)
        ink = re.search(r";color:(#[0-9A-Fa-f]{6}|white)", span.get("style")).group(1)
        assert _contrast(background, ink) >= 4.5
    script = root.find(".//script")
    assert script is not None and table.get("id") in script.text and "aria-sort" in script.text


def test_icon_letters_and_words_have_enough_contrast():
    for code in VARIATION_ORDER:
        colour, letter, words = variation_icon(code)
        assert letter and words and _contrast(colour, letter_ink(colour)) >= 4.5
    for code in ASSURANCE_WORDS:
        colour, letter, words = assurance_icon(code)
        assert letter and words and _contrast(colour, letter_ink(colour)) >= 4.5
    assert _contrast(MDC["ink"], "#FFFFFF") >= 4.5 and _contrast(MDC["ink"], "#F0F4F5") >= 4.5


def test_compact_view_sorts_concerns_first_and_says_so():
    result = _compact_result()
    view = result.compact_view(sort="variation")
    assert view.rows()["variation_icon"].iloc[0].startswith("concern")
    root = _parse(view.to_html())
    sorted_headers = [th for th in root.iter("th") if th.get("aria-sort")]
    assert [("".join(th.itertext()), th.get("aria-sort")) for th in sorted_headers] == [("Variation",
                                                                                         "ascending")]
    by_value = view.sorted("value", ascending=False).rows()
    assert list(by_value["value"]) == sorted(by_value["value"], reverse=True)
    with pytest.raises(ValueError, match="not a column"):
        result.compact_view(sort="colour")


def test_compact_view_reuses_rows_from_several_results():
    first, second = _compact_result(), spc(_shifting(), "score", "month", by="trust")
    rows = pd.concat([first.compact().assign(measure="Score, target set"),
                      second.compact().assign(measure="Score")], ignore_index=True)
    view = CompactView(rows, by=["measure", "trust"], value_label="Score (points)")
    table = _parse(view.to_html()).find(".//table")
    assert len(table.findall("./tbody/tr")) == 6
    assert "No target" in "".join(table.itertext())


def test_compact_image_has_pages_and_words():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # trial limits of short series
        result = spc(_trusts(50, months=12), "attendances", "month", by="trust_code")
    view = result.compact_view()
    with pytest.raises(ValueError, match="50 rows would need 2 pages of 36"):
        view.to_image()
    fig = view.to_image(page=2)
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert "T049" in texts and "T000" not in texts and VARIATION_WORDS["common_cause"] in texts
    assert "page 2 of 2" in " ".join(t.get_text() for t in fig.texts)
    fig.savefig(io.BytesIO(), format="png", dpi=40)
