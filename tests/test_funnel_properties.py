"""Invariants of equity_lib.funnel (hypothesis), and why the overdispersion adjustment matters."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity_lib import funnel_chart, rates
from equity_lib.funnel import overdispersion_estimates, poisson_funnel_counts, proportion_funnel
from equity_lib.overdispersion import OverdispersionWarning

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMIT_COLUMNS = ["lower_95", "upper_95", "lower_99_8", "upper_99_8"]


@st.composite
def units(draw, statistic="proportion", min_size=3, max_size=30):
    size = draw(st.integers(min_size, max_size))
    den = np.array(draw(st.lists(st.integers(20, 50_000), min_size=size, max_size=size)), dtype=float)
    share = draw(st.floats(0.05, 0.6))
    if statistic == "proportion":
        num = [draw(st.integers(0, int(d))) if draw(st.booleans()) else int(round(share * d)) for d in den]
    else:
        num = [draw(st.integers(0, int(3 * share * d) + 1)) for d in den]
    data = pd.DataFrame({"unit": [f"U{i}" for i in range(size)], "num": num, "den": den})
    if sum(num) == 0 or (statistic == "proportion" and sum(num) == den.sum()):
        data.loc[0, "num"] = 1 if sum(num) == 0 else data.loc[0, "num"] - 1
    return data


def _chart(data, *args, **kwargs):
    """funnel_chart, asserting its overdispersion guardrail on whatever data it is given: one
    OverdispersionWarning exactly when the limits are unadjusted and the test says overdispersed
    (result.p_overdispersion < 0.001), and no other warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = funnel_chart(data, *args, **kwargs)
    expected = result.settings["overdispersion"] is None and result.p_overdispersion < 0.001
    assert [w.category for w in caught] == ([OverdispersionWarning] if expected else [])
    return result


@SETTINGS
@given(st.floats(1, 1e6), st.floats(0.001, 0.999), st.sampled_from([0.9, 0.95, 0.998]))
def test_proportion_funnel_is_the_inverted_wilson_interval(n, target, level):
    """At the lower limit y, the upper Wilson limit of y equals the target (and vice versa)."""
    lower, upper = proportion_funnel(n, target, level)
    if lower > 0:
        assert abs(rates.wilson_limits(lower * n, n, level)[1] - target) < 1e-9 * max(1, target)
    if upper < 1:
        assert abs(rates.wilson_limits(upper * n, n, level)[0] - target) < 1e-9 * max(1, target)


@SETTINGS
@given(st.floats(0.05, 1e6), st.sampled_from([0.9, 0.95, 0.998]))
def test_poisson_funnel_is_the_inverted_exact_interval(expected, level):
    """At the lower limit O, O's exact upper limit is E; at the upper limit, O's exact lower limit is E."""
    lower, upper = poisson_funnel_counts(expected, level)
    if lower > 0:
        np.testing.assert_allclose(rates.exact_poisson_limits(lower, level)[1], expected, rtol=1e-8)
    np.testing.assert_allclose(rates.exact_poisson_limits(upper, level)[0], expected, rtol=1e-8)


@SETTINGS
@given(st.sampled_from(["proportion", "ratio", "rate"]).flatmap(lambda s: st.tuples(st.just(s), units(s))))
def test_limits_widen_with_confidence_and_narrow_with_size(case):
    statistic, data = case
    result = _chart(data, "num", "den", statistic=statistic)
    table, curve = result.table, result.limits
    for frame in (table, curve):
        assert (frame["lower_99_8"] <= frame["lower_95"] + 1e-12).all()
        assert (frame["lower_95"] <= frame["target"] + 1e-12).all()
        assert (frame["target"] <= frame["upper_95"] + 1e-12).all()
        assert (frame["upper_95"] <= frame["upper_99_8"] + 1e-12).all()
        assert (frame["lower_99_8"] >= 0).all()
    if statistic == "proportion":
        assert (curve[LIMIT_COLUMNS] <= 100).all().all()
    width = (curve["upper_95"] - curve["lower_95"]).to_numpy()
    assert (np.diff(width) <= 1e-9).all()  # the funnel narrows as the denominator grows


@SETTINGS
@given(units("proportion"))
def test_signal_agrees_with_the_limits_and_rows_keep_their_order(data):
    table = _chart(data, "num", "den").table
    assert list(table["unit"]) == list(data["unit"])
    value = table["value"]
    outside_998 = (value > table["upper_99_8"]) | (value < table["lower_99_8"])
    outside_95 = (value > table["upper_95"]) | (value < table["lower_95"])
    signal = table["signal"].astype(str)
    assert (signal.str.endswith("99.8% limit") == outside_998).all()
    assert ((signal == "within limits") == ~outside_95).all()
    assert (signal[value > table["target"]].str.startswith(("above", "within"))).all()
    shuffled = _chart(data.iloc[::-1], "num", "den").table.iloc[::-1]
    pd.testing.assert_frame_equal(shuffled, table, rtol=1e-12)


@SETTINGS
@given(units("rate"), st.floats(0.5, 1e6))
def test_multiplier_scales_values_limits_and_target(data, multiplier):
    one = _chart(data, "num", "den", statistic="rate", multiplier=1)
    scaled = _chart(data, "num", "den", statistic="rate", multiplier=multiplier)
    for column in ["value", "target", *LIMIT_COLUMNS]:
        np.testing.assert_allclose(scaled.table[column], one.table[column] * multiplier, rtol=1e-12)
    assert (scaled.table["signal"] == one.table["signal"]).all()


@SETTINGS
@given(st.sampled_from(["proportion", "ratio", "rate"]).flatmap(lambda s: st.tuples(st.just(s), units(s))),
       st.sampled_from(["multiplicative", "additive"]))
def test_adjustment_only_widens_and_by_the_stated_factor(case, method):
    statistic, data = case
    plain = _chart(data, "num", "den", statistic=statistic)
    adjusted = _chart(data, "num", "den", statistic=statistic, overdispersion=method)
    assert adjusted.phi == plain.phi and adjusted.tau2 == plain.tau2
    t0, t1 = plain.table, adjusted.table
    target = t0["target"]
    theta = target / plain.settings["multiplier"]
    variance = theta * (1 - theta) if statistic == "proportion" else theta
    s2 = variance / data["den"]  # the null variance of the unscaled value (Spiegelhalter's s_i^2)
    factor = np.sqrt(max(plain.phi, 1.0)) if method == "multiplicative" else np.sqrt(1 + plain.tau2 / s2)
    for column in ("upper_95", "upper_99_8"):
        expected = target + factor * (t0[column] - target)
        if statistic == "proportion":
            expected = np.minimum(expected, 100)
        np.testing.assert_allclose(t1[column], expected, rtol=1e-9)
    np.testing.assert_allclose(t1["z_adjusted"], t0["z"] / factor, rtol=1e-9)
    if plain.phi <= 1:
        pd.testing.assert_frame_equal(t0.drop(columns="z_adjusted"), t1.drop(columns="z_adjusted"))


def test_no_adjustment_when_units_are_exactly_on_target():
    data = pd.DataFrame({"num": [10, 20, 40, 80], "den": [100, 200, 400, 800]})
    plain = funnel_chart(data, "num", "den")
    for method in ("multiplicative", "additive"):
        adjusted = funnel_chart(data, "num", "den", overdispersion=method)
        assert adjusted.phi == 0 and adjusted.tau2 == 0
        pd.testing.assert_frame_equal(adjusted.table, plain.table)


def test_overdispersion_estimates_by_hand():
    z = np.array([-3.0, -1.0, -0.5, 0.0, 0.2, 0.4, 0.6, 1.0, 1.5, 6.0])
    s = np.full(10, 0.1)
    low, high = np.quantile(z, [0.1, 0.9])  # -1.2 and 1.95 (R's type 7)
    assert np.isclose(low, -1.2) and np.isclose(high, 1.95)
    phi, tau2, p = overdispersion_estimates(z, s, 0.1)
    w = np.clip(z, low, high)
    assert np.isclose(phi, np.mean(w**2))
    weights = 1 / s**2
    assert np.isclose(tau2, max(0, (10 * phi - 9) / (weights.sum() - (weights**2).sum() / weights.sum())))
    assert 0 < p < 1
    assert overdispersion_estimates(z, s, 0.0)[0] == np.mean(z**2)


def _overdispersed(seed, units=200):
    """In-control units whose true proportions vary around 20% (logit scale SD 0.1): no unit is
    special, but the between-unit variation is far more than binomial chance allows."""
    rng = np.random.default_rng(seed)
    n = rng.integers(500, 20_000, units)
    p = 1 / (1 + np.exp(-(np.log(0.2 / 0.8) + rng.normal(0, 0.1, units))))
    return pd.DataFrame({"unit": np.arange(units), "x": rng.binomial(n, p), "n": n})


def _flagged(result):
    t = result.table
    return (((t["value"] < t["lower_95"]) | (t["value"] > t["upper_95"])).mean(),
            ((t["value"] < t["lower_99_8"]) | (t["value"] > t["upper_99_8"])).mean())


def test_overdispersion_adjustment_stops_false_alarms():
    """4,000 in-control units (20 seeded data sets of 200). Without adjustment about 59% of units are
    flagged at 95% and 41% at 99.8% (nominal 5% and 0.2%). With Spiegelhalter's adjustment (10%
    Winsorised phi) about 12% and 2%: Winsorising shrinks phi (for normal z-scores to ~0.68 of its
    value), so the limits stay a little narrow. Without Winsorising, the additive (random-effects)
    limits flag the nominal 5% and 0.2%."""
    rates_found = {key: [] for key in ("none", "multiplicative", "additive", "additive_unwinsorised")}
    phis = []
    for seed in range(20):
        data = _overdispersed(seed)
        with pytest.warns(OverdispersionWarning, match=r"overdispersion=\"additive\""):
            plain = funnel_chart(data, "x", "n")
        phis.append(plain.phi)
        rates_found["none"].append(_flagged(plain))
        rates_found["multiplicative"].append(
            _flagged(funnel_chart(data, "x", "n", overdispersion="multiplicative")))
        rates_found["additive"].append(_flagged(funnel_chart(data, "x", "n", overdispersion="additive")))
        rates_found["additive_unwinsorised"].append(
            _flagged(funnel_chart(data, "x", "n", overdispersion="additive", winsorise=0)))
    mean = {key: np.mean(value, axis=0) for key, value in rates_found.items()}
    assert min(phis) > 5  # clear overdispersion, and the chi-square test sees it
    with pytest.warns(OverdispersionWarning, match="p < 1e-10"):
        assert funnel_chart(_overdispersed(0), "x", "n").p_overdispersion < 1e-10
    assert mean["none"][0] > 0.5 and mean["none"][1] > 0.35  # 10x and 200x the nominal rates
    for key in ("multiplicative", "additive"):
        assert mean[key][0] < 0.15 and mean[key][1] < 0.03
    assert mean["additive_unwinsorised"][0] < 0.07 and mean["additive_unwinsorised"][1] < 0.005


def test_no_overdispersion_no_change_in_false_alarms():
    """Pure binomial data: phi is below 1 (Winsorised), tau^2 is 0, and the adjusted limits are the
    unadjusted ones, flagging close to the nominal 5% and 0.2%."""
    flagged = []
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        n = rng.integers(500, 20_000, 200)
        data = pd.DataFrame({"x": rng.binomial(n, 0.2), "n": n})
        plain = funnel_chart(data, "x", "n")
        assert plain.phi < 1 and plain.tau2 == 0
        adjusted = funnel_chart(data, "x", "n", overdispersion="additive")
        pd.testing.assert_frame_equal(adjusted.table, plain.table)
        flagged.append(_flagged(plain))
    mean = np.mean(flagged, axis=0)
    assert 0.03 < mean[0] < 0.07 and mean[1] < 0.006


def test_overdispersed_ratios():
    rng = np.random.default_rng(7)
    expected = rng.uniform(20, 2000, 300)
    observed = rng.poisson(expected * np.exp(rng.normal(0, 0.1, 300)))
    data = pd.DataFrame({"observed": observed, "expected": expected})
    with pytest.warns(OverdispersionWarning, match="units lie outside the 99.8% limits"):
        plain = funnel_chart(data, "observed", "expected", statistic="ratio")
    adjusted = funnel_chart(data, "observed", "expected", statistic="ratio", overdispersion="additive")
    assert plain.table["target"].eq(1).all()
    assert _flagged(plain)[1] > 0.15 and _flagged(adjusted)[1] < 0.03


def test_summary_counts_units_beyond_each_limit_against_chance():
    """summary() agrees with the table and with phi, p and tau^2; nothing in it is computed twice."""
    data = _overdispersed(3, units=120)
    for method in (None, "multiplicative", "additive"):
        result = _chart(data, "x", "n", overdispersion=method)
        row = result.summary().iloc[0]
        t = result.table
        beyond_95 = ((t["value"] < t["lower_95"]) | (t["value"] > t["upper_95"])).sum()
        beyond_998 = ((t["value"] < t["lower_99_8"]) | (t["value"] > t["upper_99_8"])).sum()
        assert (row["units"], row["outside_95"], row["outside_99_8"]) == (120, beyond_95, beyond_998)
        assert np.isclose(row["expected_outside_95"], 6) and np.isclose(row["expected_outside_99_8"], 0.24)
        assert row["target"] == t["target"].iloc[0] and row["phi"] == result.phi
        assert row["p_overdispersion"] == result.p_overdispersion
        assert np.isclose(row["tau"], 100 * np.sqrt(result.tau2))  # percentage points
        assert row["overdispersion"] == (method or "none")
    with pytest.warns(OverdispersionWarning, match="outside the 90% limits"):
        one_level = funnel_chart(data, "x", "n", confidence=0.9).summary()
    assert list(one_level.columns[:4]) == ["units", "target", "outside_90", "expected_outside_90"]
    assert "outside_95" not in one_level.columns
