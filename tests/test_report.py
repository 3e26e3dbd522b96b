"""The collaborative's equity report (equity_lib.report): values from the spc results, not recomputed;
sorting; accessible HTML; the image; Excel; clear errors; one cell per measure x row x column value."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity_lib import spc
from equity_lib.process_control.plot import ASSURANCE_WORDS, VARIATION_WORDS
from equity_lib.report import CELL_COLUMNS, EquityReport, equity_report
from equity_lib.report.plot import A4_LANDSCAPE

matplotlib.use("Agg")

MONTHS = pd.date_range("2023-04-01", periods=24, freq="MS")
TRUSTS = ["MTH", "HVH", "KDH"]
BASE = np.tile([0.6, -0.4, 0.2, -0.5, 0.3, -0.2], 4)


def _data(trusts=TRUSTS, quintiles=(1, 2, 3, 4, 5), drop=()):
    """Monthly scores by trust and quintile: quintile 1 of MTH falls (concern where higher is better),
    the rest are stable at a level that rises with the quintile. ``drop``: (trust, quintile) series left
    out."""
    frames = []
    for t, trust in enumerate(trusts):
        for q in quintiles:
            if (trust, q) in drop:
                continue
            step = -np.r_[np.zeros(16), np.full(8, 5.0)] if (trust, q) == ("MTH", 1) else np.zeros(24)
            frames.append(pd.DataFrame({"trust_code": trust, "imd_quintile": q, "month": MONTHS,
                                        "score": 50 + 2 * q + t + BASE * (1 + q / 10) + step,
                                        "wait": 20 - q + t + BASE[::-1] + 0.1 * q}))
    return pd.concat(frames, ignore_index=True)


def _results(data=None):
    data = _data() if data is None else data
    by = ["trust_code", "imd_quintile"]
    return {
        "Score": spc(data, "score", "month", by=by, improvement="increase", target=55),
        "Wait (weeks)": spc(data, "wait", "month", by=by, improvement="decrease", target=18),
    }


OWNERS = {"Score": "COO, Moorside", "Wait (weeks)": "COO, Kelderby"}


def _report(**kwargs):
    kwargs.setdefault("owners", OWNERS)
    kwargs.setdefault("columns", "imd_quintile")
    return equity_report(_results(), **kwargs)


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(f"<root>{markup}</root>")  # raises unless the markup is well formed


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


# --- values come from the results -----------------------------------------------------------------

def test_every_value_is_the_results_own_compact_row_and_summary():
    results = _results()
    report = equity_report(results, owners=OWNERS, columns="imd_quintile")
    assert list(report.table.columns) == ["measure", "owner", "trust_code", "imd_quintile", *CELL_COLUMNS]
    for name, result in results.items():
        mine = report.table[report.table["measure"] == name].reset_index(drop=True)
        assert set(mine["owner"]) == {OWNERS[name]}
        compact = result.compact()
        merged = compact.merge(mine, on=["trust_code", "imd_quintile"], suffixes=("", "_report"))
        assert len(merged) == len(compact) == len(mine) == 15
        for column in CELL_COLUMNS:
            pd.testing.assert_series_equal(merged[f"{column}_report"], merged[column], check_names=False,
                                           check_dtype=False)
        # and against summary() and table directly: the last phase, the latest point
        last = result.summary().groupby(["trust_code", "imd_quintile"]).tail(1)
        check = last.merge(mine, on=["trust_code", "imd_quintile"], suffixes=("", "_report"))
        for column in ("cl", "lcl", "ucl", "target", "improvement", "variation", "variation_icon",
                       "assurance"):
            assert check[f"{column}_report"].tolist() == check[column].tolist()
        latest = result.table.groupby(["trust_code", "imd_quintile"]).tail(1)
        check = latest.merge(mine, on=["trust_code", "imd_quintile"], suffixes=("", "_report"))
        assert check["value_report"].tolist() == check["value"].tolist()
        assert check["time_report"].tolist() == check["time"].tolist()
    concern = report.table.query("measure == 'Score' and trust_code == 'MTH' and imd_quintile == 1")
    assert concern["variation_icon"].item() == "concern_low"
    assert concern["variation_text"].item() == VARIATION_WORDS["concern_low"]


def test_words_for_the_icons_and_a_target_per_measure():
    table = _report().table
    assert set(table.loc[table["measure"] == "Score", "improvement"]) == {"increase"}
    assert set(table.loc[table["measure"] == "Wait (weeks)", "target"]) == {18}
    assert (table["variation_text"] == table["variation_icon"].map(VARIATION_WORDS)).all()
    judged = table["assurance"].notna()
    assert judged.all()
    assert (table.loc[judged, "assurance_text"] == table.loc[judged, "assurance"].map(ASSURANCE_WORDS)).all()


def test_a_list_of_results_is_named_by_value_labels_and_owners_by_position():
    results = list(_results().values())
    report = equity_report(results, owners=["A", "B"], columns="trust_code")
    assert list(report.measures) == ["Score", "Wait"]
    assert report.rows_by == ["imd_quintile"] and report.columns == ["trust_code"]
    owners = report.table.groupby("measure", sort=False)["owner"].first().to_dict()
    assert owners == {"Score": "A", "Wait": "B"}
    assert [k[0] for k in report.column_keys()] == sorted(TRUSTS)


def test_default_columns_is_the_last_by_column_and_a_missing_series_is_an_empty_cell():
    data = _data(drop=[("KDH", 5)])
    results = _results(data)
    report = equity_report(results)
    assert report.columns == ["imd_quintile"] and report.rows_by == ["trust_code"]
    assert len(report.table) == 2 * 3 * 5
    gap = report.table.query("trust_code == 'KDH' and imd_quintile == 5")
    assert len(gap) == 2 and gap["value"].isna().all() and gap["variation_text"].isna().all()
    assert report.table["owner"].isna().all()
    rows = _parse(report.to_html()).findall(".//tbody/tr")
    kdh = [tr for tr in rows if _text(tr.findall("th")[1]) == "KDH"]
    assert [_text(td) for td in kdh[0].findall("td") if td.get("class") == "el-cell"][-1] == "No data"


# --- bad input ------------------------------------------------------------------------------------

def test_clear_errors_name_what_is_wrong_and_the_fix():
    results = _results()
    with pytest.raises(ValueError, match=r"empty dict.*Fix"):
        equity_report({})
    with pytest.raises(ValueError, match=r"empty list.*Fix"):
        equity_report([])
    with pytest.raises(TypeError, match=r"results\['Score'\] is a DataFrame.*Fix"):
        equity_report({"Score": _data()})
    with pytest.raises(TypeError, match=r"one SPCResult.*Fix"):
        equity_report(results["Score"])
    by_trust = spc(_data(quintiles=(1,)), "score", "month", by="trust_code")
    with pytest.raises(ValueError, match=r"'Trust only' is not split by \['imd_quintile'\].*Fix: make it "
                                         r"with spc\(\.\.\., by=\['trust_code', 'imd_quintile'\]\)"):
        equity_report({**results, "Trust only": by_trust}, columns="imd_quintile")
    with pytest.raises(ValueError, match=r"split by different columns.*Fix: pass columns="):
        equity_report({**results, "Trust only": by_trust})
    with pytest.raises(ValueError, match=r"no by column.*Fix"):
        equity_report({"All": spc(_data().query("trust_code == 'MTH' and imd_quintile == 1"), "score",
                                  "month")})
    with pytest.raises(ValueError, match=r"no owner for \['Wait \(weeks\)'\].*Fix"):
        equity_report(results, owners={"Score": "COO"})
    with pytest.raises(ValueError, match=r"no measure is named \['Scor'\].*Fix"):
        equity_report(results, owners={"Scor": "COO", "Score": "COO", "Wait (weeks)": "COO"})
    with pytest.raises(ValueError, match=r"owners has 1 entries for 2 measures.*Fix"):
        equity_report(results, owners=["COO"])
    with pytest.raises(ValueError, match=r"both named 'Score'.*Fix"):
        equity_report([results["Score"], results["Score"]])
    with pytest.raises(ValueError, match=r"sort='colour'.*Fix"):
        _report().sorted("colour")


# --- sorting --------------------------------------------------------------------------------------

def test_sorting_by_a_column_puts_its_concerns_and_misses_first():
    report = _report()
    by_q1 = report.sorted(1).wide()
    first = by_q1.iloc[0]
    assert (first["measure"], first["trust_code"]) == ("Score", "MTH")  # the only concern
    q1 = report.table[report.table["imd_quintile"] == 1].set_index(["measure", "trust_code"])
    ranks = [q1.loc[(m, t), "variation_icon"] for m, t in zip(by_q1["measure"], by_q1["trust_code"],
                                                                 strict=True)]
    assert ranks[0] == "concern_low" and "concern_low" not in ranks[1:]
    last = report.sorted(1, ascending=False).wide().iloc[-1]
    assert (last["measure"], last["trust_code"]) == ("Score", "MTH")
    attention = report.sorted("attention").wide()["attention"].tolist()
    assert attention == sorted(attention, reverse=True) and attention[0] > attention[-1]
    by_trust = report.sorted("trust_code").wide()["trust_code"].tolist()
    assert by_trust == sorted(by_trust)
    root = _parse(report.sorted(1).to_html())
    marked = [(_text(th), th.get("aria-sort")) for th in root.iter("th") if th.get("aria-sort")]
    assert marked == [("IMD quintile 1", "ascending")]
    body = root.find(".//tbody")
    assert [_text(tr.findall("th")[0]) for tr in body][0] == "Score"
    assert _text(body[0].findall("th")[2]) == "MTH"


def test_each_cells_sort_value_ranks_concern_then_fail_first():
    root = _parse(_report().to_html())
    cells = [td for td in root.iter("td") if td.get("class") == "el-cell"]
    ranks = {_text(td): float(td.get("data-sort")) for td in cells}
    concern = [rank for text, rank in ranks.items() if "Concern" in text]
    others = [rank for text, rank in ranks.items() if "Concern" not in text]
    assert concern and max(concern) < min(others)


# --- HTML -----------------------------------------------------------------------------------------

def test_html_has_a_caption_scopes_words_for_every_icon_a_key_and_print_styles():
    report = _report(caption="Quintile 1 at Moorside falls below its limits.")
    markup = report.to_html()
    root = _parse(markup)
    table = root.find(".//table")
    assert _text(table.find("caption")) == "Quintile 1 at Moorside falls below its limits."
    headers = table.findall("./thead/tr/th")
    assert all(th.get("scope") == "col" for th in headers)
    names = [_text(th) for th in headers]
    assert names[:6] == ["Measure", "Owner", "Trust code", "Better", "Target", "Latest"]
    assert names[6:11] == [f"IMD quintile {q}" for q in range(1, 6)] and names[-1] == "Needs attention"
    rows = table.findall("./tbody/tr")
    assert len(rows) == 2 * 3
    for tr in rows:
        heads = tr.findall("th")
        assert [th.get("scope") for th in heads] == ["row"] * 3
        cells = [td for td in tr.findall("td") if td.get("class") == "el-cell"]
        assert len(cells) == 5
        for td in cells:  # the value, then each icon: a letter hidden from screen readers, and its words
            icons = [s for s in td.iter("span") if s.get("class") == "el-icon"]
            assert len(icons) == 2 and all(s.get("aria-hidden") == "true" and s.text for s in icons)
            text = _text(td)
            assert re.match(r"^\d+\.\d ", text)
            assert any(w in text for w in VARIATION_WORDS.values())
            assert any(w in text for w in ASSURANCE_WORDS.values())
    legend = root.find(".//div[@class='el-legend']")
    assert legend is not None
    key = _text(legend)
    assert all(w in key for w in [*VARIATION_WORDS.values(), *ASSURANCE_WORDS.values()])
    assert "@page{size:A4 landscape" in markup and "@media print{" in markup
    script = root.find(".//script")
    assert table.get("id") in script.text and "aria-sort" in script.text
    region = root.find("./div")
    assert region.get("role") == "region" and region.get("aria-labelledby") == table.find("caption").get("id")


def test_two_columns_get_group_headers_and_labels_name_the_values():
    report = _report(columns=["trust_code", "imd_quintile"], labels={1: "Most deprived"})
    assert report.rows_by == [] and len(report.wide()) == 2
    root = _parse(report.to_html())
    head = root.findall(".//thead/tr")
    assert len(head) == 2
    groups = [(th.get("scope"), th.get("colspan"), _text(th)) for th in head[0].findall("th")]
    assert groups == [("colgroup", "5", trust) for trust in sorted(TRUSTS)]
    leaves = [_text(th) for th in head[1].findall("th")]
    assert leaves[5:10] == ["Most deprived", "IMD quintile 2", "IMD quintile 3", "IMD quintile 4",
                            "IMD quintile 5"]
    assert all(len(tr.findall("td")) == 3 + 15 + 1 for tr in root.findall(".//tbody/tr"))


# --- image and Excel ------------------------------------------------------------------------------

def test_the_image_fits_a4_landscape_with_legible_words_in_every_cell(tmp_path):
    report = _report()
    fig = report.to_image(path=tmp_path / "report.png")
    assert (tmp_path / "report.png").stat().st_size > 10_000
    width, height = fig.get_size_inches()
    assert width <= A4_LANDSCAPE[0] and height <= A4_LANDSCAPE[1]
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text()]
    assert min(t.get_fontsize() for t in texts) >= 7.5
    shown = [t.get_text() for t in texts]
    n_cells = len(report.table)
    assert sum(s in VARIATION_WORDS.values() for s in shown) == n_cells
    assert sum(s in ASSURANCE_WORDS.values() for s in shown) == n_cells
    assert sum(s in {"~", "H", "L"} for s in shown) == n_cells  # each icon's letter on its disc
    assert "Concern (low)" in shown and "Score" in shown
    with pytest.raises(ValueError, match=r"6 rows would need 2 pages of 4.*page=1"):
        report.to_image(per_page=4)
    second = report.to_image(per_page=4, page=2)
    assert "page 2 of 2" in second.texts[0].get_text()


def test_excel_round_trips_with_the_icons_in_words(tmp_path):
    report = _report().sorted("attention")
    path = report.to_excel(tmp_path / "report.xlsx")
    back = pd.read_excel(path, sheet_name="Equity report")
    assert list(back.columns) == list(report.table.columns)
    order = report.wide()[["measure", "trust_code"]]
    expected = order.merge(report.table, on=["measure", "trust_code"])
    assert back["measure"].tolist() == expected["measure"].tolist()
    # openpyxl writes 16 significant digits (Excel itself keeps 15), so a value may come back one unit in
    # the last place away, never more.
    for column in ("value", "cl", "lcl", "ucl", "target", "n_points"):
        np.testing.assert_allclose(back[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-15,
                                   atol=0)
    for column in ("owner", "trust_code", "improvement", "variation_text", "assurance_text"):
        assert back[column].tolist() == expected[column].astype(object).tolist()
    assert back["imd_quintile"].tolist() == expected["imd_quintile"].astype(int).tolist()
    assert (pd.to_datetime(back["time"]) == expected["time"]).all()


# --- property: one cell per measure x row x column value ------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_measures=st.integers(1, 3), n_trusts=st.integers(1, 3),
       quintiles=st.lists(st.integers(1, 5), min_size=1, max_size=5, unique=True),
       across=st.sampled_from(["imd_quintile", "trust_code"]))
def test_cell_count_is_measures_times_rows_times_column_values(n_measures, n_trusts, quintiles, across):
    data = _data(trusts=TRUSTS[:n_trusts], quintiles=tuple(quintiles))
    by = ["trust_code", "imd_quintile"]
    results = {f"Measure {k}": spc(data.assign(v=data["score"] + k), "v", "month", by=by)
               for k in range(n_measures)}
    report = equity_report(results, columns=across)
    n_columns = len(quintiles) if across == "imd_quintile" else n_trusts
    n_rows = n_trusts if across == "imd_quintile" else len(quintiles)
    assert len(report.table) == n_measures * n_rows * n_columns
    assert len(report.column_keys()) == n_columns
    root = _parse(report.to_html())
    body = root.findall(".//tbody/tr")
    assert len(body) == n_measures * n_rows
    assert sum(td.get("class") == "el-cell" for tr in body for td in tr.findall("td")) == len(report.table)
    assert isinstance(report, EquityReport)


def test_table_ids_are_numbered_not_random_and_never_repeat_on_a_page():
    """A notebook run twice stores the same HTML (nbval compares it); two tables on one page differ."""
    report = _report()
    first, second = report.to_html(), report.to_html()
    ids = [re.search(r'id="(el-report-\d+)"', markup)[1] for markup in (first, second)]
    assert ids[0] != ids[1]
    assert int(ids[1].rsplit("-", 1)[1]) == int(ids[0].rsplit("-", 1)[1]) + 1


def test_the_caption_has_its_own_colours_for_dark_themes():
    assert re.search(r"caption\{[^}]*color:#231F20;background:#FFFFFF", _report().to_html())
