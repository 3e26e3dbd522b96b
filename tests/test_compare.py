"""compare_estimates: the difference between two independent estimates from their confidence limits
(Altman & Bland, BMJ 2003;326:219), checked against the paper's own example, statsmodels' tests of two
proportions and two Poisson rates, scipy by hand and simulation; its invariants by hypothesis; and its
errors, which name the column, the rows and the fix."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from equity_lib import compare_estimates, proportion, rate
from equity_lib.compare import _p_words

Z95 = stats.norm.ppf(0.975)


def two(values, lowers, uppers, labels=("A", "B"), **extra):
    return pd.DataFrame({"label": list(labels), "value": values, "lower": lowers, "upper": uppers, **extra})


# --- against published and independent computations -------------------------------------------------

def test_altman_and_bland_worked_example():
    """Their example: non-vertebral fractures with HRT, relative risk 0.67 (0.46 to 0.98) in women under 60
    and 0.88 (0.71 to 1.08) from 60 (Torgerson & Bell-Syer 2001). The paper's steps: d = -0.2726,
    SE(d) = 0.2206, z = -1.24 (P = 0.2), ratio of relative risks 0.76 (95% CI 0.49 to 1.17)."""
    data = two([0.67, 0.88], [0.46, 0.71], [0.98, 1.08], labels=["under 60", "60 and over"])
    out = compare_estimates(data, "value", lower="lower", upper="upper", group="label", focus="under 60",
                            reference="60 and over", scale="ratio")
    row = out.iloc[0]
    assert np.log(row["ratio"]) == pytest.approx(-0.2726, abs=5e-5)
    assert row["se"] == pytest.approx(0.2206, abs=5e-5)
    assert row["z"] == pytest.approx(-1.24, abs=5e-3)
    assert round(row["p_value"], 1) == 0.2
    assert [round(row[c], 2) for c in ("ratio", "lower_95", "upper_95")] == [0.76, 0.49, 1.17]
    assert "limits include 1 (no difference)" in row["interpretation"]


def test_difference_scale_matches_scipy_by_hand():
    data = two([249.45, 294.48], [221.44, 266.68], [277.07, 322.27], labels=["2022/23", "2023/24"])
    out = compare_estimates(data, "value", lower="lower", upper="upper", group="label",
                            confidence=(0.95, 0.998)).iloc[0]
    se1, se2 = (277.07 - 221.44) / (2 * Z95), (322.27 - 266.68) / (2 * Z95)
    d, se = 294.48 - 249.45, np.hypot(se1, se2)
    assert out["difference"] == pytest.approx(d, rel=1e-12)
    assert out["se"] == pytest.approx(se, rel=1e-12)
    assert out["z"] == pytest.approx(d / se, rel=1e-12)
    assert out["p_value"] == pytest.approx(2 * stats.norm.sf(d / se), rel=1e-10)
    assert out["lower_99_8"] == pytest.approx(d - stats.norm.ppf(0.999) * se, rel=1e-12)
    assert (out["focus_group"], out["reference_group"]) == ("2023/24", "2022/23")  # later minus earlier


def test_other_limits_level_gives_the_same_test():
    """99.8% limits of the same estimates, declared as such, give the same standard errors and p."""
    se = np.array([3.0, 4.0])
    values = np.array([10.0, 22.0])
    out95 = compare_estimates(two(values, values - Z95 * se, values + Z95 * se), "value", lower="lower",
                              upper="upper", group="label")
    z998 = stats.norm.ppf(0.999)
    out998 = compare_estimates(two(values, values - z998 * se, values + z998 * se), "value", lower="lower",
                               upper="upper", group="label", limits_confidence=0.998)
    assert out95["se"].iloc[0] == pytest.approx(5.0, rel=1e-12)
    assert out998["p_value"].iloc[0] == pytest.approx(out95["p_value"].iloc[0], rel=1e-12)


def test_two_proportions_with_wald_limits_equal_statsmodels_wald_test():
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    x, n = np.array([530, 480]), np.array([4000, 4200])
    p = x / n
    half = Z95 * np.sqrt(p * (1 - p) / n)
    out = compare_estimates(two(p, p - half, p + half), "value", lower="lower", upper="upper", group="label",
                            focus="A", reference="B").iloc[0]
    test = test_proportions_2indep(x[0], n[0], x[1], n[1], method="wald", compare="diff", correction=False)
    low, high = confint_proportions_2indep(x[0], n[0], x[1], n[1], method="wald", compare="diff",
                                           correction=False)
    assert out["z"] == pytest.approx(test.statistic, rel=1e-9)
    assert out["p_value"] == pytest.approx(test.pvalue, rel=1e-9)
    assert (out["lower_95"], out["upper_95"]) == pytest.approx((low, high), rel=1e-9)


def test_two_large_proportions_from_wilson_limits_agree_with_statsmodels():
    """Wilson limits (equity_lib.proportion) are asymmetric, so the test from them is approximate; with
    100,000 people in each group the asymmetry is negligible: z and p agree to 0.01%."""
    from statsmodels.stats.proportion import test_proportions_2indep

    counts = pd.DataFrame({"label": ["A", "B"], "x": [5_300, 5_000], "n": [100_000, 100_000]})
    wilson = proportion(counts, "x", "n")
    out = compare_estimates(wilson, "value", lower="lower_95", upper="upper_95", group="label", focus="A",
                            reference="B").iloc[0]
    test = test_proportions_2indep(5_300, 100_000, 5_000, 100_000, method="wald", compare="diff",
                                   correction=False)
    assert out["z"] == pytest.approx(test.statistic, rel=1e-4)
    assert out["p_value"] == pytest.approx(test.pvalue, rel=1e-3)


def test_two_rates_on_the_ratio_scale_agree_with_statsmodels_poisson_test():
    """Byar limits (equity_lib.rate) on the log scale give SE = 1/sqrt(events) x (1 + about
    1/(4 sqrt(events))): Byar's interval, like the exact one, is a little wider than the Wald interval behind
    statsmodels' test_poisson_2indep (the Wald test of the log rate ratio, SE from 1/sqrt(events)). With a
    million events each the excess is 0.025%, so z agrees to 0.05%, p to 0.3% and the limits to 0.001%."""
    from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

    x1, x2, people = 1_000_000, 1_004_000, 100_000_000
    counts = pd.DataFrame({"year": [2023, 2024], "events": [x1, x2], "people": [people, people]})
    rates = rate(counts, "events", "people")
    out = compare_estimates(rates, "value", lower="lower_95", upper="upper_95", group="year",
                            scale="ratio").iloc[0]
    test = test_poisson_2indep(x2, people, x1, people, method="wald-log", compare="ratio")
    low, high = confint_poisson_2indep(x2, people, x1, people, method="wald-log", compare="ratio")
    assert out["ratio"] == pytest.approx(x2 / x1, rel=1e-12)
    assert out["z"] == pytest.approx(test.statistic, rel=5e-4)
    assert out["p_value"] == pytest.approx(test.pvalue, rel=3e-3)
    assert (out["lower_95"], out["upper_95"]) == pytest.approx((low, high), rel=1e-5)


def test_simulated_estimates_reject_at_the_nominal_rate_and_limits_cover():
    """20,000 pairs of normal estimates with known standard errors and no true difference: about 5% of
    tests give p < 0.05, and the 95% limits of the difference cover the true 0 about 95% of the time
    (the binomial 99.9% range for 20,000 draws is 4.5% to 5.5%)."""
    rng = np.random.default_rng(20030125)
    m = 20_000
    se = rng.uniform(1, 10, size=(m, 2))
    values = rng.normal(100, se)
    data = pd.DataFrame({"pair": np.repeat(np.arange(m), 2), "label": np.tile(["a", "b"], m),
                         "value": values.ravel(), "lower": (values - Z95 * se).ravel(),
                         "upper": (values + Z95 * se).ravel()})
    out = compare_estimates(data, "value", lower="lower", upper="upper", group="label", by="pair")
    assert len(out) == m
    rejected = (out["p_value"] < 0.05).mean()
    covered = ((out["lower_95"] <= 0) & (out["upper_95"] >= 0)).mean()
    assert 0.045 < rejected < 0.055
    assert covered == pytest.approx(1 - rejected, abs=1e-12)  # the test and the interval agree
    assert out["se"].to_numpy() == pytest.approx(np.hypot(se[:, 0], se[:, 1]), rel=1e-9)


# --- the output ------------------------------------------------------------------------------------------

def test_output_columns_by_groups_and_words():
    data = pd.DataFrame({"trust": ["X", "X", "Y", "Y"], "sex": ["F", "M", "M", "F"],
                         "value": [418.0, 462.1, 207.1, 202.2], "lower_95": [403.8, 446.1, 194.5, 190.1],
                         "upper_95": [432.5, 478.6, 220.2, 214.9]})
    out = compare_estimates(data, "value", lower="lower_95", upper="upper_95", group="sex", by="trust",
                            focus="M", reference="F")
    assert list(out.columns) == ["trust", "focus_group", "reference_group", "focus_value", "reference_value",
                                 "difference", "lower_95", "upper_95", "se", "z", "p_value", "scale",
                                 "interpretation"]
    assert out["trust"].tolist() == ["X", "Y"]
    assert out["difference"].to_numpy() == pytest.approx([44.1, 4.9])
    assert out["interpretation"].iloc[0].startswith("M minus F: 44.1 (95% limits 22.")
    assert "limits exclude 0 (no difference): M is higher than F" in out["interpretation"].iloc[0]
    assert "do not show a difference" in out["interpretation"].iloc[1]
    ratio = compare_estimates(data, "value", lower="lower_95", upper="upper_95", group="sex", by="trust",
                              scale="ratio")
    assert "ratio" in ratio and "difference" not in ratio
    assert ratio["focus_group"].tolist() == ["M", "M"]  # without focus=: the later label in sorted order
    assert ratio["interpretation"].iloc[0].startswith("M divided by F: 1.11")


def test_focus_and_reference_pick_two_of_several_and_categorical_order_is_kept():
    years = pd.Categorical(["2024/25", "2022/23", "2023/24"], categories=["2024/25", "2023/24", "2022/23"],
                           ordered=True)
    data = pd.DataFrame({"year": years, "value": [3.0, 1.0, 2.0], "lower": [2.0, 0.0, 1.0],
                         "upper": [4.0, 2.0, 3.0]})
    out = compare_estimates(data, "value", lower="lower", upper="upper", group="year", focus="2024/25",
                            reference="2022/23")
    assert out["difference"].iloc[0] == 2.0
    pair = compare_estimates(data[data["year"] != "2023/24"], "value", lower="lower", upper="upper",
                             group="year")
    assert pair["focus_group"].iloc[0] == "2022/23"  # the later category in the categorical's own order


@pytest.mark.parametrize(("p", "words"), [(0.0004, "p < 0.001"), (0.0248, "p = 0.025"), (0.3157, "p = 0.32"),
                                          (1.0, "p = 1")])
def test_p_value_words(p, words):
    assert _p_words(p) == words


# --- invariants ------------------------------------------------------------------------------------------

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
width = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)
positive = st.floats(min_value=1e-2, max_value=1e4, allow_nan=False)


@st.composite
def pairs(draw, scale="difference"):
    values = [draw(positive if scale == "ratio" else finite) for _ in range(2)]
    if scale == "ratio":
        factors = [(draw(st.floats(1.001, 5)), draw(st.floats(1.001, 5))) for _ in range(2)]
        lowers = [v / f[0] for v, f in zip(values, factors, strict=True)]
        uppers = [v * f[1] for v, f in zip(values, factors, strict=True)]
    else:
        lowers = [v - draw(width) for v in values]
        uppers = [v + draw(width) for v in values]
    return two(values, lowers, uppers)


@settings(max_examples=200)
@given(pairs(), st.sampled_from(["difference", "ratio"]))
def test_swapping_the_two_negates_the_difference_and_keeps_p(data, scale):
    if scale == "ratio":
        data = data.assign(value=data["value"].abs() + 1, lower=data["lower"].abs() + 0.5)
        data = data.assign(lower=np.minimum(data["lower"], data["value"]),
                           upper=np.maximum(data["upper"], data["value"] + 0.1))
    kw = dict(lower="lower", upper="upper", group="label", scale=scale)
    ab = compare_estimates(data, "value", focus="A", reference="B", **kw).iloc[0]
    ba = compare_estimates(data, "value", focus="B", reference="A", **kw).iloc[0]
    assert ba["p_value"] == pytest.approx(ab["p_value"], rel=1e-9, abs=1e-300)
    assert ba["z"] == pytest.approx(-ab["z"], rel=1e-9, abs=1e-12)
    if scale == "difference":
        assert ba["difference"] == pytest.approx(-ab["difference"], rel=1e-9, abs=1e-9)
        assert ba["lower_95"] == pytest.approx(-ab["upper_95"], rel=1e-9, abs=1e-9)
    else:
        assert ba["ratio"] == pytest.approx(1 / ab["ratio"], rel=1e-9)
        assert ba["lower_95"] == pytest.approx(1 / ab["upper_95"], rel=1e-9)


@given(finite, width, width)
def test_identical_estimates_give_no_difference(value, below, above):
    data = two([value, value], [value - below] * 2, [value + above] * 2)
    out = compare_estimates(data, "value", lower="lower", upper="upper", group="label").iloc[0]
    assert (out["difference"], out["z"], out["p_value"]) == (0.0, 0.0, 1.0)
    assert "limits include 0" in out["interpretation"]


@settings(max_examples=200)
@given(st.one_of(pairs(), pairs("ratio")), st.sampled_from([0.8, 0.95, 0.99]))
def test_p_in_range_limits_contain_the_estimate_and_agree_with_the_test(data, level):
    scale = "ratio" if (data[["value", "lower"]] > 0).all().all() else "difference"
    out = compare_estimates(data, "value", lower="lower", upper="upper", group="label", scale=scale,
                            confidence=(level, 0.998)).iloc[0]
    estimate = out[scale]
    suffix = f"{level * 100:g}"
    assert 0 <= out["p_value"] <= 1
    assert out[f"lower_{suffix}"] <= estimate <= out[f"upper_{suffix}"]
    assert out["lower_99_8"] <= out[f"lower_{suffix}"] and out[f"upper_{suffix}"] <= out["upper_99_8"]
    null = 0.0 if scale == "difference" else 1.0
    excludes = out[f"lower_{suffix}"] > null or out[f"upper_{suffix}"] < null
    if abs(out["p_value"] - (1 - level)) > 1e-9:  # away from the boundary the two must agree
        assert excludes == (out["p_value"] < 1 - level)


@settings(max_examples=50)
@given(st.lists(pairs(), min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_by_groups_equal_separate_calls_in_any_row_order(frames, random):
    data = pd.concat([f.assign(area=i) for i, f in enumerate(frames)], ignore_index=True)
    order = list(range(len(data)))
    random.shuffle(order)
    together = compare_estimates(data.iloc[order], "value", lower="lower", upper="upper", group="label",
                                 by="area")
    for i, frame in enumerate(frames):
        alone = compare_estimates(frame, "value", lower="lower", upper="upper", group="label")
        mine = together[together["area"] == i].drop(columns="area").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


# --- errors: column, rows, fix ---------------------------------------------------------------------------

@pytest.fixture
def good():
    return pd.DataFrame({"area": ["X", "X", "Y", "Y"], "year": [2023, 2024, 2023, 2024],
                         "value": [10.0, 12.0, 20.0, 21.0], "lower": [8.0, 10.0, 18.0, 19.0],
                         "upper": [12.0, 14.0, 22.0, 23.0]})


def call(data, **kw):
    options = dict(lower="lower", upper="upper", group="year", by="area")
    options.update(kw)
    return compare_estimates(data, "value", **options)


def test_a_group_without_exactly_two_estimates(good):
    with pytest.raises(ValueError, match=r"area='Y' has 1 row\(s\) \(row 3\) but needs exactly two rows, one "
                                         r"for each value of 'year'.*Fix: "):
        call(good.drop(index=2))
    three = pd.concat([good, good.iloc[[0]].assign(year=2025)], ignore_index=True)
    with pytest.raises(ValueError, match=r"area='X' has 3 row\(s\) \(rows 0, 1 and 4\).*pass focus= and "
                                         r"reference= to pick two of several"):
        call(three)
    with pytest.raises(ValueError, match=r"area='Y' has 1 row\(s\) \(row 3\) but needs one row for "
                                         r"year=2024 and one for year=2023"):
        call(good.drop(index=2), focus=2024, reference=2023)


def test_the_same_label_twice_in_one_comparison(good):
    good.loc[1, "year"] = 2023
    with pytest.raises(ValueError, match=r"Column 'year' has the same label at rows 0 and 1.*Fix: give the "
                                         r"two estimates compared different labels"):
        call(good)


def test_limits_on_the_wrong_side(good):
    good.loc[2, "lower"] = 25.0
    with pytest.raises(ValueError, match=r"Column 'lower' \(lower limit\) is above column 'value' at row 2\. "
                                         r"Fix: check that lower= and upper= .* not swapped"):
        call(good)
    good.loc[2, "lower"], good.loc[1, "upper"] = 18.0, 11.0
    with pytest.raises(ValueError, match=r"Column 'upper' \(upper limit\) is below column 'value' at row 1"):
        call(good)


@pytest.mark.parametrize("column", ["value", "lower", "upper"])
def test_missing_estimate_or_limit(good, column):
    good.loc[3, column] = np.nan
    with pytest.raises(ValueError, match=rf"Column '{column}' is missing at row 3\. Fix: .*dropna"):
        call(good)


@pytest.mark.parametrize(("column", "bad"), [("value", 0.0), ("lower", 0.0), ("lower", -1.0)])
def test_non_positive_on_the_ratio_scale(good, column, bad):
    good.loc[0, "lower"] = min(good.loc[0, "lower"], bad)
    good.loc[0, column] = bad
    with pytest.raises(ValueError, match=rf"Column '{column}' is 0 or below, which has no logarithm at "
                                         r"row 0\. Fix: compare on scale='difference'"):
        call(good, scale="ratio")
    call(good.assign(lower=good["lower"] - 1))  # the difference scale takes it


def test_non_numeric_values(good):
    good["upper"] = good["upper"].astype(object)
    good.loc[1, "upper"] = "n/a"
    with pytest.raises(ValueError, match=r"Column 'upper' has non-numeric values \('n/a'\) at row 1\. Fix: "):
        call(good)


def test_limits_of_no_width(good):
    good.loc[[0, 1], ["lower", "upper"]] = good.loc[[0, 1], ["value", "value"]].to_numpy()
    with pytest.raises(ValueError, match=r"limits at rows 0 and 1 have no width.*Fix: pass the estimates' "
                                         r"real confidence limits"):
        call(good)


def test_limits_level_must_match_the_columns(good):
    data = good.rename(columns={"lower": "lower_99_8", "upper": "upper_99_8"})
    with pytest.raises(ValueError, match=r"Column 'lower_99_8' looks like 99.8% limits, but "
                                         r"limits_confidence is 0.95\. Fix: pass limits_confidence=0.998"):
        call(data, lower="lower_99_8", upper="upper_99_8")
    assert len(call(data, lower="lower_99_8", upper="upper_99_8", limits_confidence=0.998)) == 2


def test_argument_errors(good):
    with pytest.raises(ValueError, match=r"scale='log' is not one of \['difference', 'ratio'\]\. Fix: "):
        call(good, scale="log")
    with pytest.raises(ValueError, match=r"Give both focus and reference, or neither"):
        call(good, focus=2024)
    with pytest.raises(ValueError, match=r"focus=2030 is not a value of column 'year' \(its values: 2023, "
                                         r"2024\)\. Fix: "):
        call(good, focus=2030, reference=2023)
    with pytest.raises(ValueError, match=r"focus and reference are the same value \(2023\)"):
        call(good, focus=2023, reference=2023)
    with pytest.raises(KeyError, match=r"Column\(s\) \['nope'\] not found in data"):
        call(good, lower="nope")
    with pytest.raises(ValueError, match=r"group='year' is also in by="):
        call(good, by=["area", "year"])
    with pytest.raises(ValueError, match=r"confidence level 95 is not between 0 and 1.*pass 0.95"):
        call(good, confidence=95)
    with pytest.raises(ValueError, match=r"Column 'year' \(a label\) has a missing label at row 0"):
        call(good.assign(year=good["year"].astype(float).where(good.index != 0)))
    with pytest.raises(TypeError, match=r"data must be a pandas DataFrame"):
        compare_estimates(good.to_dict(), "value", lower="lower", upper="upper", group="year")


def test_numeric_groups_are_named_with_their_column_in_the_finding():
    data = pd.DataFrame({"imd_quintile": [1, 5], "value": [20.0, 10.0], "lower_95": [18.0, 9.0],
                         "upper_95": [22.0, 11.0]})
    out = compare_estimates(data, "value", lower="lower_95", upper="upper_95", group="imd_quintile",
                            focus=1, reference=5)
    assert out["interpretation"].iloc[0].startswith("imd_quintile 1 minus imd_quintile 5: 10")
    assert "imd_quintile 1 is higher than imd_quintile 5" in out["interpretation"].iloc[0]
