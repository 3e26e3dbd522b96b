"""equity_lib.ratios: risk ratios (WRES relative likelihood) and representation ratios.

Independent checks: statsmodels' Table2x2 (risk ratio and its log-method limits) and statsmodels' numerical
differentiation of ln RR (the delta method computed numerically, not from the library's closed form); the
representation limits' coverage by simulation.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.tools.numdiff import approx_fprime

from equity_lib import representation, risk_ratio


def _wres(rng, trusts=12):
    rows = []
    for t in range(trusts):
        for group in ("White", "BME", "Not stated"):
            n = int(rng.integers(20, 600))
            rows.append((f"T{t:02d}", group, n, int(rng.binomial(n, 0.15 + 0.1 * (group == "White")))))
    return pd.DataFrame(rows, columns=["trust", "ethnic_group", "shortlisted", "appointed"])


# ---------------------------------------------------------------------------------------------------
# risk_ratio
# ---------------------------------------------------------------------------------------------------

def test_risk_ratio_matches_statsmodels_table2x2_for_every_trust_and_level():
    d = _wres(np.random.default_rng(1))
    out = risk_ratio(d, "appointed", "shortlisted", "ethnic_group", focus="White", reference="BME",
                     by="trust", confidence=(0.95, 0.998))
    assert len(out) == 12 and out["trust"].tolist() == sorted(d["trust"].unique())
    one = d.set_index(["trust", "ethnic_group"])
    for _, row in out.iterrows():
        a, n1 = one.loc[(row["trust"], "White"), ["appointed", "shortlisted"]]
        c, n2 = one.loc[(row["trust"], "BME"), ["appointed", "shortlisted"]]
        table = Table2x2(np.array([[a, n1 - a], [c, n2 - c]], dtype=float), shift_zeros=False)
        assert row["value"] == pytest.approx(table.riskratio, rel=1e-9)
        assert row["se"] == pytest.approx(table.log_riskratio_se, rel=1e-9)
        for level, suffix in ((0.95, "95"), (0.998, "99_8")):
            lower, upper = table.riskratio_confint(alpha=1 - level)
            assert row[f"lower_{suffix}"] == pytest.approx(lower, rel=1e-9)
            assert row[f"upper_{suffix}"] == pytest.approx(upper, rel=1e-9)
        assert row["focus_value"] == pytest.approx(a / n1, rel=1e-12)
        assert row["reference_value"] == pytest.approx(c / n2, rel=1e-12)


def test_risk_ratio_columns_in_order():
    d = _wres(np.random.default_rng(2), trusts=2)
    out = risk_ratio(d, "appointed", "shortlisted", "ethnic_group", focus="White", reference="BME",
                     by="trust")
    assert list(out.columns) == ["trust", "focus_group", "reference_group", "focus_numerator",
                                 "focus_denominator", "reference_numerator", "reference_denominator",
                                 "focus_value", "reference_value", "value", "lower_95", "upper_95", "se",
                                 "interpretation"]


def test_finer_rows_are_pooled_before_the_ratio_and_other_groups_are_left_out():
    d = pd.DataFrame({"g": ["W", "W", "B", "B", "U"], "n": [100, 300, 50, 200, 10], "x": [20, 80, 5, 35, 99],
                      "staff_group": ["a", "b", "a", "b", "a"]})
    d.loc[4, "x"] = 9  # the 'U' row is not compared, but its counts are still counts
    out = risk_ratio(d, "x", "n", "g", focus="W", reference="B")
    table = Table2x2(np.array([[100, 300], [40, 210]], dtype=float), shift_zeros=False)
    assert out["value"].iloc[0] == pytest.approx(table.riskratio, rel=1e-12)
    assert out[["focus_numerator", "focus_denominator", "reference_numerator",
                "reference_denominator"]].iloc[0].tolist() == [100, 400, 40, 250]


def test_the_wres_example_in_words():
    d = pd.DataFrame({"ethnic_group": ["White", "BME"], "shortlisted": [400, 250], "appointed": [100, 40]})
    text = risk_ratio(d, "appointed", "shortlisted", "ethnic_group", focus="White",
                      reference="BME")["interpretation"].iloc[0]
    assert text == ("White: 1.56 times the proportion for BME (appointed / shortlisted: 25% against 16%; 95% "
                    "limits 1.12 to 2.18). The limits exclude 1 (equal proportions): White's proportion is "
                    "higher than BME's by more than chance alone would make likely.")


def test_a_ratio_of_1_25_in_a_small_trust_is_read_as_possibly_chance():
    d = pd.DataFrame({"g": ["White", "BME"], "n": [40, 32], "x": [10, 6]})
    out = risk_ratio(d, "x", "n", "g", focus="White", reference="BME")
    assert out["value"].iloc[0] == pytest.approx(1.3333333333, rel=1e-9)
    assert out["lower_95"].iloc[0] < 1 < out["upper_95"].iloc[0]
    assert "The limits include 1 (equal proportions), so these data do not show a difference" in \
        out["interpretation"].iloc[0]


def test_zero_cells_give_a_missing_ratio_with_the_reason_not_a_number():
    d = pd.DataFrame({"trust": ["A", "A", "B", "B", "C", "C"], "g": ["W", "B"] * 3,
                      "n": [50, 12, 40, 30, 20, 10], "x": [10, 0, 0, 6, 0, 0]})
    out = risk_ratio(d, "x", "n", "g", focus="W", reference="B", by="trust")
    assert out[["value", "lower_95", "upper_95", "se"]].isna().all().all()
    assert out["focus_value"].tolist() == [0.2, 0.0, 0.0]
    assert out["reference_value"].tolist() == [0.0, 0.2, 0.0]
    a, b, c = out["interpretation"]
    assert a.startswith("No ratio: none of the 12 B in n is in x (against 20% of W), so the ratio is "
                        "infinite")
    assert b.startswith("No ratio with limits: none of the 40 W in n is in x (against 20% of B), so the "
                        "ratio is 0")
    assert c.startswith("No ratio: neither W nor B has any x")


def test_a_trust_without_reference_rows_or_with_a_missing_count_has_a_missing_ratio_with_the_reason():
    d = pd.DataFrame({"trust": ["A", "A", "B", "C", "C"], "g": ["W", "B", "W", "W", "B"],
                      "n": [50, 20, 40, 30, 30], "x": [10, 3, 8, np.nan, 4]})
    out = risk_ratio(d, "x", "n", "g", focus="W", reference="B", by="trust")
    assert out["trust"].tolist() == ["A", "B", "C"]
    assert np.isfinite(out["value"].iloc[0]) and out["value"].iloc[1:].isna().all()
    assert out["interpretation"].iloc[1] .startswith("No ratio: the data have no rows for g='B' here.")
    assert out["interpretation"].iloc[2].startswith("No ratio: a count in 'x' is missing for W")


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 400), st.integers(0, 400), st.integers(1, 400), st.integers(0, 400),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_property_agrees_with_statsmodels_and_is_symmetric(a, extra1, c, extra2, level):
    n1, n2 = a + extra1, c + extra2
    d = pd.DataFrame({"g": ["f", "r"], "n": [n1, n2], "x": [a, c]})
    out = risk_ratio(d, "x", "n", "g", focus="f", reference="r", confidence=(level, 0.999)).iloc[0]
    swapped = risk_ratio(d, "x", "n", "g", focus="r", reference="f", confidence=(level, 0.999)).iloc[0]
    suffix = f"{round(level * 100, 8):g}".replace(".", "_")
    table = Table2x2(np.array([[a, n1 - a], [c, n2 - c]], dtype=float), shift_zeros=False)
    lower, upper = table.riskratio_confint(alpha=1 - level)
    assert out["value"] == pytest.approx(table.riskratio, rel=1e-9)
    assert out[f"lower_{suffix}"] == pytest.approx(lower, rel=1e-9)
    assert out[f"upper_{suffix}"] == pytest.approx(upper, rel=1e-9)
    assert out[f"lower_{suffix}"] <= out["value"] <= out[f"upper_{suffix}"]
    assert out["lower_99_9"] <= out[f"lower_{suffix}"] and out["upper_99_9"] >= out[f"upper_{suffix}"]
    assert swapped["value"] == pytest.approx(1 / out["value"], rel=1e-12)
    assert swapped[f"lower_{suffix}"] == pytest.approx(1 / out[f"upper_{suffix}"], rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["f", "r"]), st.integers(1, 50), st.integers(0, 50)), min_size=2,
                max_size=12).filter(lambda rows: {"f", "r"} <= {g for g, _, _ in rows}),
       st.randoms(use_true_random=False))
def test_property_row_order_and_splitting_do_not_change_the_ratio(rows, rnd):
    d = pd.DataFrame([(g, x, x + extra) for g, x, extra in rows], columns=["g", "x", "n"])
    shuffled = d.sample(frac=1, random_state=rnd.randint(0, 10**6))
    pooled = d.groupby("g", as_index=False)[["x", "n"]].sum()
    cols = ["value", "lower_95", "upper_95"]
    one = risk_ratio(shuffled, "x", "n", "g", focus="f", reference="r")[cols]
    two = risk_ratio(pooled, "x", "n", "g", focus="f", reference="r")[cols]
    pd.testing.assert_frame_equal(one, two, rtol=1e-12)


@pytest.mark.parametrize(("change", "pattern"), [
    (lambda d: d.assign(x=[-1, 5]), r"Column 'x' \(numerator\) has negative counts at row 0\. Fix: counts"),
    (lambda d: d.assign(x=[10, 60]),
     r"Column 'x' \(numerator\) is above column 'n' \(denominator\) at row 1\. Fix: .*not swapped"),
    (lambda d: d.assign(n=[0, 50]),
     r"Column 'n' \(denominator\) is 0 or negative at row 0\. Fix: .*drop the row"),
    (lambda d: d.assign(n=[np.nan, 50]), r"Column 'n' \(denominator\) is missing at row 0\. Fix: fill in"),
    (lambda d: d.assign(x=[2.5, 5]),
     r"Column 'x' \(numerator\) has counts that are not whole numbers at row 0"),
    (lambda d: d.assign(n=[40.5, 50]), r"Column 'n' \(denominator\) has counts that are not whole numbers"),
    (lambda d: d.assign(x=["ten", 5]), r"Column 'x' has non-numeric values \('ten'\) at row 0\. Fix:"),
    (lambda d: d.assign(g=["W", None]), r"Column 'g' \(a label\) has a missing label at row 1\. Fix:"),
    (lambda d: d.iloc[:0], r"data has no rows\. Fix:"),
])
def test_bad_input_is_an_error_naming_column_row_and_fix(change, pattern):
    d = pd.DataFrame({"g": ["W", "B"], "n": [40, 50], "x": [10, 5]})
    with pytest.raises((ValueError, TypeError), match=pattern):
        risk_ratio(change(d), "x", "n", "g", focus="W", reference="B")


def test_unknown_or_equal_labels_and_misnamed_arguments_are_errors():
    d = pd.DataFrame({"g": ["W", "B"], "n": [40, 50], "x": [10, 5], "trust": ["A", "A"]})
    with pytest.raises(ValueError, match=r"reference='BME' is not a value of column 'g' \(its values: 'B', "
                                         r"'W'\)\. Fix: pass one of those values as reference"):
        risk_ratio(d, "x", "n", "g", focus="W", reference="BME")
    with pytest.raises(ValueError, match=r"focus and reference are the same group \('W'\)"):
        risk_ratio(d, "x", "n", "g", focus="W", reference="W")
    with pytest.raises(KeyError, match=r"Column\(s\) \['events'\] not found"):
        risk_ratio(d, "events", "n", "g", focus="W", reference="B")
    with pytest.raises(ValueError, match=r"Column\(s\) \['g'\] are also in by=\['g'\]"):
        risk_ratio(d, "x", "n", "g", focus="W", reference="B", by="g")
    with pytest.raises(ValueError, match=r"confidence level 95 is not between 0 and 1.*pass 0\.95"):
        risk_ratio(d, "x", "n", "g", focus="W", reference="B", confidence=95)
    with pytest.raises(ValueError, match="must name different columns"):
        risk_ratio(d, "x", "x", "g", focus="W", reference="B")


# ---------------------------------------------------------------------------------------------------
# representation
# ---------------------------------------------------------------------------------------------------

INVITED = np.array([2400, 1500, 900, 600, 300])
RATES = np.array([0.18, 0.24, 0.30, 0.36, 0.42])


def _delta_se(r: np.ndarray, n: np.ndarray, g: int) -> float:
    """The delta method done numerically: the gradient of ln RR_g in the respondent counts by statsmodels'
    finite differences, Var = J diag(r q) J', with no closed form from the library."""
    total_n = n.sum()

    def log_ratio(counts):
        return np.log((counts[g] / counts.sum()) / (n[g] / total_n))

    jac = approx_fprime(r.astype(float), log_ratio, centered=True)
    cov = np.diag(r * (1 - r / n))
    return float(np.sqrt(jac @ cov @ jac))


def test_representation_is_share_over_share_and_rate_over_overall_rate():
    r = np.array([430, 360, 270, 216, 126])
    d = pd.DataFrame({"q": [1, 2, 3, 4, 5], "invited": INVITED, "responded": r})
    out = representation(d, "responded", "invited", "q", confidence=(0.95, 0.998))
    np.testing.assert_allclose(out["value"], (r / r.sum()) / (INVITED / INVITED.sum()), rtol=1e-12)
    np.testing.assert_allclose(out["value"], (r / INVITED) / (r.sum() / INVITED.sum()), rtol=1e-12)
    for g in range(5):
        se = _delta_se(r, INVITED, g)
        assert out["se"].iloc[g] == pytest.approx(se, rel=1e-6)
        for level, suffix in ((0.95, "95"), (0.998, "99_8")):
            z = stats.norm.ppf(1 - (1 - level) / 2)
            assert out[f"lower_{suffix}"].iloc[g] == pytest.approx(out["value"].iloc[g] * np.exp(-z * se),
                                                                   rel=1e-6)
            assert out[f"upper_{suffix}"].iloc[g] == pytest.approx(out["value"].iloc[g] * np.exp(z * se),
                                                                   rel=1e-6)
    assert list(out.columns) == ["q", "responded", "invited", "numerator_share", "denominator_share",
                                 "proportion", "overall_proportion", "value", "lower_95", "upper_95",
                                 "lower_99_8", "upper_99_8", "se", "interpretation"]
    assert out["interpretation"].iloc[0] == (
        "q 1: 0.728 times its share (30.7% of responded against 42.1% of invited; 95% limits 0.679 to "
        "0.781). Under-represented: the limits lie below 1 (a share in proportion).")


def test_representation_limits_cover_the_true_ratio_in_2000_simulated_surveys():
    """Monte Carlo tolerance: with 2,000 surveys the coverage of a true 95% interval has standard error
    sqrt(0.95 x 0.05 / 2000) = 0.0049, so 0.93 to 0.97 is about 4 standard errors either side: a correct
    interval fails this by chance with probability below 1 in 10,000 per group (the seed is fixed)."""
    rng = np.random.default_rng(20261206)
    sims = 2000
    respondents = rng.binomial(INVITED, RATES, size=(sims, len(INVITED)))
    d = pd.DataFrame({"survey": np.repeat(np.arange(sims), len(INVITED)),
                      "q": np.tile(np.arange(1, 6), sims), "invited": np.tile(INVITED, sims),
                      "responded": respondents.ravel()})
    out = representation(d, "responded", "invited", "q", by="survey")
    truth = RATES / ((INVITED * RATES).sum() / INVITED.sum())
    true_value = np.tile(truth, sims)
    covered = (out["lower_95"].to_numpy() <= true_value) & (true_value <= out["upper_95"].to_numpy())
    coverage = covered.reshape(sims, len(INVITED)).mean(axis=0)
    assert ((coverage >= 0.93) & (coverage <= 0.97)).all(), coverage
    # Without the covariance term (the group and the total as if independent) the limits are too wide for the
    # largest group: the term matters.
    r = respondents.astype(float)
    q = 1 - r / INVITED
    naive = np.sqrt(q / r + (r * q).sum(axis=1, keepdims=True) / r.sum(axis=1, keepdims=True) ** 2)
    value = out["value"].to_numpy().reshape(sims, len(INVITED))
    lo, hi = value * np.exp(-1.959964 * naive), value * np.exp(1.959964 * naive)
    assert ((lo <= truth) & (truth <= hi)).mean(axis=0)[0] > 0.98


def test_no_respondents_in_a_group_and_a_missing_count_give_missing_ratios_with_reasons():
    d = pd.DataFrame({"trust": ["A"] * 3 + ["B"] * 3, "g": ["x", "y", "z"] * 2,
                      "invited": [100, 80, 40] * 2, "responded": [30, 20, 0, 30, np.nan, 10]})
    out = representation(d, "responded", "invited", "g", by="trust")
    assert np.isfinite(out["value"].iloc[:2]).all() and out["value"].iloc[2:].isna().all()
    assert out["interpretation"].iloc[2].startswith(
        "z: none of the 40 in 'invited' is in 'responded' (0% of responded against 18.2% of invited): not "
        "represented at all")
    assert out["interpretation"].iloc[3].startswith("No ratio: a count in 'responded' or 'invited' of this "
                                                    "analysis is missing")


def test_representation_errors():
    d = pd.DataFrame({"trust": ["A", "A", "B"], "g": ["x", "y", "x"], "invited": [100, 80, 40],
                      "responded": [30, 20, 10]})
    with pytest.raises(ValueError, match=r"trust='B' has only one group in 'g' \(row 2\).*Fix: include every "
                                         r"group invited"):
        representation(d, "responded", "invited", "g", by="trust")
    with pytest.raises(ValueError, match=r"Column 'responded' \(numerator\) is above column 'invited' "
                                         r"\(denominator\) at row 1"):
        representation(d.assign(responded=[30, 90, 10]), "responded", "invited", "g")
    with pytest.raises(ValueError, match=r"Column 'invited' \(denominator\) is 0 or negative at row 2"):
        representation(d.assign(invited=[100, 80, 0], responded=[30, 20, 0]), "responded", "invited", "g")
    with pytest.raises(ValueError, match=r"Column 'responded' \(numerator\) has negative counts at row 0"):
        representation(d.assign(responded=[-3, 20, 10]), "responded", "invited", "g")
    with pytest.raises(ValueError, match=r"Column 'invited' has non-numeric values \('many'\) at row 0"):
        representation(d.assign(invited=["many", 80, 40]), "responded", "invited", "g")


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3000), st.floats(0.02, 0.98)), min_size=2, max_size=7),
       st.sampled_from([0.9, 0.95, 0.998]))
def test_property_shares_weighted_by_invitation_average_to_one(groups, level):
    invited = np.array([n for n, _ in groups])
    responded = np.maximum(1, np.floor(invited * np.array([p for _, p in groups]))).astype(int)
    d = pd.DataFrame({"g": [f"g{i}" for i in range(len(groups))], "n": invited, "r": responded})
    out = representation(d, "r", "n", "g", confidence=level)
    suffix = f"{round(level * 100, 8):g}".replace(".", "_")
    # sum over groups of (n_g / N) x RR_g = sum of r_g / R = 1
    assert (out["denominator_share"] * out["value"]).sum() == pytest.approx(1, rel=1e-12)
    assert out["numerator_share"].sum() == pytest.approx(1, rel=1e-12)
    assert (out[f"lower_{suffix}"] <= out["value"] * (1 + 1e-12)).all()
    assert (out[f"upper_{suffix}"] >= out["value"] * (1 - 1e-12)).all()
    assert (out["se"] >= 0).all()
    # even response: every group's ratio is 1
    even = representation(d.assign(r=invited), "r", "n", "g")
    np.testing.assert_allclose(even["value"], 1, rtol=1e-12)


def test_numeric_group_labels_are_named_as_written_in_messages_and_sentences():
    d = pd.DataFrame({"q": [1, 5], "n": [40, 50], "x": [10, 5]})
    with pytest.raises(ValueError, match=r"focus=7 is not a value of column 'q' \(its values: 1, 5\)"):
        risk_ratio(d, "x", "n", "q", focus=7, reference=5)
    out = risk_ratio(d, "x", "n", "q", focus=1, reference=5)
    assert out["interpretation"].iloc[0].startswith(
        "q 1: 2.50 times the proportion for q 5 (x / n: 25% against 10%")
