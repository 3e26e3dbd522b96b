"""equity_lib.agreement: Cohen's kappa for two coders.

Checked against published worked examples computed by hand here (exact fractions, no sklearn), the
large-sample standard error written out from Fleiss, Cohen & Everitt (1969), and statsmodels' to_table.
"""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import to_table

from equity_lib import coder_agreement
from equity_lib.agreement import LANDIS_KOCH, _band

# Altman DG. Practical Statistics for Medical Research (Chapman & Hall, 1991), ch. 14: two radiologists
# grading 85 xeromammograms (Boyd et al. 1982) as normal, benign, suspected cancer or cancer; Altman gives
# kappa = 0.47 (the Stata manual's `kap` example on the same data: agreement 63.53%, expected 30.82%,
# kappa 0.4728). Rows: the first radiologist; columns: the second.
ALTMAN = np.array([[21, 12, 0, 0],
                   [4, 17, 1, 0],
                   [3, 9, 15, 2],
                   [0, 0, 0, 1]])
GRADES = ["normal", "benign", "suspected", "cancer"]

# Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions, 3rd edn (2003), ch. 18: two raters'
# diagnoses of 100 subjects (psychotic, neurotic, organic); p_o = 0.89, p_e = 0.66, kappa = 0.68.
FLEISS = np.array([[75, 1, 4],
                   [5, 4, 1],
                   [0, 0, 10]])


def _items(table: np.ndarray, labels) -> pd.DataFrame:
    """One row per item from a table of counts (first coder in rows, second in columns)."""
    i, j = np.nonzero(table)
    counts = table[i, j]
    return pd.DataFrame({"first": np.repeat(np.asarray(labels, dtype=object)[i], counts),
                         "second": np.repeat(np.asarray(labels, dtype=object)[j], counts)})


def _hand_kappa(table: np.ndarray) -> tuple[Fraction, Fraction, Fraction]:
    """p_o, p_e and kappa as exact fractions (Cohen 1960)."""
    n = int(table.sum())
    po = Fraction(int(np.trace(table)), n)
    pe = sum(Fraction(int(table[i].sum()) * int(table[:, i].sum()), n * n) for i in range(len(table)))
    return po, pe, (po - pe) / (1 - pe) if pe != 1 else None


def _hand_se(table: np.ndarray) -> float:
    """Fleiss, Cohen & Everitt (1969) large-sample SE, written out cell by cell."""
    n = table.sum()
    p = table / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    po, pe = np.trace(p), float(row @ col)
    kappa = (po - pe) / (1 - pe)
    c = len(table)
    a = sum(p[i, i] * (1 - (row[i] + col[i]) * (1 - kappa)) ** 2 for i in range(c))
    b = (1 - kappa) ** 2 * sum(p[i, j] * (col[i] + row[j]) ** 2 for i in range(c) for j in range(c) if i != j)
    last = (kappa - pe * (1 - kappa)) ** 2
    return float(np.sqrt(max((a + b - last) / ((1 - pe) ** 2 * n), 0.0)))


def test_altman_xeromammogram_example():
    out = coder_agreement(_items(ALTMAN, GRADES), "first", "second", confidence=(0.95, 0.998)).iloc[0]
    po, pe, kappa = _hand_kappa(ALTMAN)
    assert (po, pe) == (Fraction(54, 85), Fraction(2227, 7225))
    assert out["items"] == 85 and out["categories"] == 4
    assert out["observed_agreement"] == pytest.approx(float(po), rel=1e-12)
    assert out["expected_agreement"] == pytest.approx(float(pe), rel=1e-12)
    assert out["value"] == pytest.approx(float(kappa), rel=1e-12)
    assert round(out["value"], 2) == 0.47 and round(out["value"], 4) == 0.4728  # as published
    assert round(100 * out["observed_agreement"], 2) == 63.53
    assert round(100 * out["expected_agreement"], 2) == 30.82
    se = _hand_se(ALTMAN)
    assert out["se"] == pytest.approx(se, rel=1e-12)
    assert out["lower_95"] == pytest.approx(float(kappa) - 1.959963984540054 * se, rel=1e-12)
    assert out["upper_99_8"] == pytest.approx(float(kappa) + 3.090232306167813 * se, rel=1e-12)
    assert out["band"] == "moderate"
    assert out["interpretation"] == (
        "Kappa 0.473 (95% limits 0.330 to 0.615) over 85 items: the coders agreed on 63.5% of items, where "
        "30.8% would be expected by chance. 'Moderate' agreement on Landis and Koch's scale (1977), a "
        "convention rather than a test; limits from 'fair' to 'substantial'.")


def test_fleiss_levin_paik_example():
    out = coder_agreement(_items(FLEISS, ["psychotic", "neurotic", "organic"]), "first", "second").iloc[0]
    po, pe, kappa = _hand_kappa(FLEISS)
    assert (po, pe) == (Fraction(89, 100), Fraction(66, 100))
    assert out["value"] == pytest.approx(float(kappa), rel=1e-12)
    assert round(out["value"], 2) == 0.68
    assert out["se"] == pytest.approx(_hand_se(FLEISS), rel=1e-12)
    assert out["band"] == "substantial"


def test_one_kappa_per_theme_from_comment_by_theme_rows_with_statsmodels_tables():
    rng = np.random.default_rng(13)
    themes = ["access", "staff attitude", "waiting", "communication"]
    rows = []
    for t, theme in enumerate(themes):
        truth = rng.random(120) < 0.1 + 0.1 * t
        a = np.where(rng.random(120) < 0.9, truth, ~truth).astype(int)
        b = np.where(rng.random(120) < 0.85, truth, ~truth).astype(int)
        rows.append(pd.DataFrame({"comment": np.arange(120), "theme": theme, "coder_a": a, "coder_b": b}))
    d = pd.concat(rows, ignore_index=True).sample(frac=1, random_state=1)
    out = coder_agreement(d, "coder_a", "coder_b", by="theme")
    assert out["theme"].tolist() == sorted(themes)
    for _, row in out.iterrows():
        sub = d[d["theme"] == row["theme"]]
        table, _ = to_table(sub[["coder_a", "coder_b"]].to_numpy())
        _, _, kappa = _hand_kappa(table.astype(int))
        assert row["value"] == pytest.approx(float(kappa), rel=1e-12)
        assert row["se"] == pytest.approx(_hand_se(table), rel=1e-12)
        agreed = (sub["coder_a"] == sub["coder_b"]).mean()
        assert row["observed_agreement"] == pytest.approx(agreed, rel=1e-12)
    assert list(out.columns) == ["theme", "items", "categories", "observed_agreement", "expected_agreement",
                                 "value", "lower_95", "upper_95", "se", "band", "interpretation"]


def test_a_theme_neither_coder_used_has_no_kappa_and_says_why():
    d = pd.DataFrame({"theme": ["parking"] * 30 + ["food"] * 30, "a": [0] * 30 + [1, 0] * 15,
                      "b": [0] * 30 + [1, 0] * 14 + [0, 0]})
    out = coder_agreement(d, "a", "b", by="theme")
    parking = out.set_index("theme").loc["parking"]
    assert np.isnan(parking["value"]) and np.isnan(parking["lower_95"]) and pd.isna(parking["band"])
    assert parking["observed_agreement"] == 1.0
    assert parking["interpretation"].startswith("No kappa: both coders gave all 30 items the same code")
    assert np.isfinite(out.set_index("theme").loc["food", "value"])


def test_perfect_agreement_is_kappa_1_and_the_upper_limit_never_passes_1():
    d = pd.DataFrame({"a": ["x", "y", "z", "x", "y"] * 4, "b": ["x", "y", "z", "x", "y"] * 4})
    out = coder_agreement(d, "a", "b").iloc[0]
    assert out["value"] == 1.0 and out["band"] == "almost perfect"
    assert np.isnan(out["lower_95"]) and np.isnan(out["upper_95"]) and np.isnan(out["se"])
    assert out["interpretation"] == (
        "Kappa 1 over 20 items: the coders agreed on 100% of items, where 36% would be expected by chance. "
        "No limits: the coders agreed on every item, and the large-sample formula then gives limits of no "
        "width, which would claim a certainty 20 items do not give. 'Almost perfect' agreement on Landis and "
        "Koch's scale (1977), a convention rather than a test.")
    one = coder_agreement(d.assign(a="x"), "a", "b").iloc[0]
    assert one["value"] == pytest.approx(0, abs=1e-12) and np.isnan(one["lower_95"])
    assert "No limits: one coder gave every item the same code, so kappa is 0 whatever" in \
        one["interpretation"]
    worst = coder_agreement(pd.DataFrame({"a": ["x", "y"] * 5, "b": ["y", "x"] * 5}), "a", "b").iloc[0]
    assert worst["value"] == -1 and "No limits: kappa is at the lowest value these codes allow" in \
        worst["interpretation"]
    near = coder_agreement(d.assign(b=["x", "y", "z", "x", "x"] + ["x", "y", "z", "x", "y"] * 3), "a", "b")
    assert (near["upper_95"] <= 1).all() and (near["value"] < 1).all()


def test_landis_koch_bands_at_their_edges():
    assert [_band(v) for v in (-0.05, 0.0, 0.2, 0.21, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1.0)] == [
        "poor", "slight", "slight", "fair", "fair", "moderate", "moderate", "substantial", "substantial",
        "almost perfect", "almost perfect"]
    assert [label for _, label in LANDIS_KOCH] == ["poor", "slight", "fair", "moderate", "substantial",
                                                  "almost perfect"]


@pytest.mark.parametrize(("change", "error", "pattern"), [
    (lambda d: d.assign(b=["x", None, "y", "x"]), ValueError,
     r"Column 'b' has a missing code at row 1\. Fix: code those items, or leave them out"),
    (lambda d: d.assign(b=[1, 2, 1, 1]), TypeError,
     r"Columns 'a' and 'b' hold codes of different types \(string and number\).*Fix: use the same codes"),
    (lambda d: d.assign(a=["x", 1, "y", "x"]), TypeError, r"Column 'a' mixes codes of different types"),
    (lambda d: d.iloc[:1], ValueError, r"the data has 1 item coded: kappa needs at least 2"),
    (lambda d: d.iloc[:0], ValueError, r"data has no rows\. Fix:"),
])
def test_bad_input_is_an_error_naming_column_row_and_fix(change, error, pattern):
    d = pd.DataFrame({"a": ["x", "y", "y", "x"], "b": ["x", "y", "x", "x"]})
    with pytest.raises(error, match=pattern):
        coder_agreement(change(d), "a", "b")


def test_categorical_codes_match_text_codes_and_true_false_against_1_0_is_refused():
    d = pd.DataFrame({"a": ["x", "y", "x", "y", "x"], "b": ["x", "y", "y", "y", "x"]})
    plain = coder_agreement(d, "a", "b")
    categorical = coder_agreement(d.assign(a=pd.Categorical(d["a"], categories=["y", "x", "z"])), "a", "b")
    pd.testing.assert_frame_equal(plain, categorical)
    with pytest.raises(TypeError, match=r"\(boolean and number\).*astype\(int\)"):
        coder_agreement(pd.DataFrame({"a": [True, False, True], "b": [1, 0, 0]}), "a", "b")


def test_misnamed_arguments_and_small_groups_are_errors():
    d = pd.DataFrame({"theme": ["t1", "t1", "t2"], "a": [1, 0, 1], "b": [1, 0, 0]})
    with pytest.raises(ValueError, match=r"theme='t2' has 1 item coded.*Fix: code more items, or pool"):
        coder_agreement(d, "a", "b", by="theme")
    with pytest.raises(ValueError, match=r"first and second are the same column \('a'\)"):
        coder_agreement(d, "a", "a")
    with pytest.raises(KeyError, match=r"Column\(s\) \['coder_c'\] not found"):
        coder_agreement(d, "a", "coder_c")
    with pytest.raises(ValueError, match=r"Column\(s\) \['a'\] are also in by=\['a'\]"):
        coder_agreement(d, "a", "b", by="a")
    with pytest.raises(ValueError, match=r"Column 'theme' \(a label\) has a missing label at row 2"):
        coder_agreement(d.assign(theme=["t1", "t1", None]), "a", "b", by="theme")


codes = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=60)


@settings(max_examples=150, deadline=None)
@given(codes, st.permutations(["p", "q", "r", "s"]))
def test_property_kappa_is_symmetric_label_free_and_matches_the_hand_formula(pairs, names):
    d = pd.DataFrame(pairs, columns=["a", "b"])
    out = coder_agreement(d, "a", "b").iloc[0]
    table = np.zeros((4, 4), dtype=int)
    np.add.at(table, (d["a"].to_numpy(), d["b"].to_numpy()), 1)
    po, pe, kappa = _hand_kappa(table)
    assert out["observed_agreement"] == pytest.approx(float(po), rel=1e-12)
    if pe == 1:  # both coders used one and the same code throughout
        assert np.isnan(out["value"])
        return
    assert out["value"] == pytest.approx(float(kappa), rel=1e-9, abs=1e-12)
    assert out["value"] <= 1 + 1e-12
    hand_se = _hand_se(table)
    assert np.isnan(out["lower_95"]) == (hand_se < 1e-6)  # no limits only where the variance is 0
    if (d["a"].nunique() == 1) or (d["b"].nunique() == 1) or po == 1:
        assert np.isnan(out["lower_95"])
    if not np.isnan(out["lower_95"]):
        assert out["se"] == pytest.approx(hand_se, rel=1e-9)
        assert out["lower_95"] < out["value"] < out["upper_95"] + 1e-12 and out["upper_95"] <= 1
    assert (out["value"] == 1) == (po == 1)
    swapped = coder_agreement(d, "b", "a").iloc[0]
    assert swapped["value"] == pytest.approx(out["value"], rel=1e-9, abs=1e-12)
    assert swapped["se"] == pytest.approx(out["se"], rel=1e-9, abs=1e-12, nan_ok=True)
    relabelled = coder_agreement(d.replace(dict(enumerate(names))), "a", "b").iloc[0]
    assert relabelled["value"] == pytest.approx(out["value"], rel=1e-9, abs=1e-12)
    assert relabelled["se"] == pytest.approx(out["se"], rel=1e-9, abs=1e-12, nan_ok=True)
