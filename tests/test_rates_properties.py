"""Invariants of equity_lib.rates, checked with hypothesis on generated data."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from equity_lib import rates

LEVELS = (0.95, 0.998)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
counts = st.integers(min_value=0, max_value=5000)
sizes = st.integers(min_value=1, max_value=200_000)


@st.composite
def proportion_rows(draw, min_size=1, max_size=12):
    n = draw(st.lists(sizes, min_size=min_size, max_size=max_size))
    x = [draw(st.integers(0, k)) for k in n]
    return pd.DataFrame({"x": x, "n": n})


@st.composite
def rate_rows(draw, min_size=1, max_size=12):
    x = draw(st.lists(counts, min_size=min_size, max_size=max_size))
    n = draw(st.lists(sizes, min_size=len(x), max_size=len(x)))
    return pd.DataFrame({"x": x, "n": n})


def assert_ordered(out, levels=LEVELS):
    """lower_99_8 <= lower_95 <= value <= upper_95 <= upper_99_8 (missing values skipped)."""
    keep = out["value"].notna()
    o = out[keep]
    tol = 1e-12 * np.maximum(1, o["value"].abs())
    assert (o["lower_95"] <= o["value"] + tol).all()
    assert (o["value"] <= o["upper_95"] + tol).all()
    if len(levels) > 1:
        assert (o["lower_99_8"] <= o["lower_95"] + tol).all()
        assert (o["upper_95"] <= o["upper_99_8"] + tol).all()
        assert (o["upper_99_8"] - o["lower_99_8"] > o["upper_95"] - o["lower_95"]).all()


@SETTINGS
@given(proportion_rows())
def test_wilson_contains_value_within_0_1_and_widens(data):
    out = rates.proportion(data, "x", "n", confidence=LEVELS)
    assert_ordered(out)
    for column in ("lower_95", "upper_95", "lower_99_8", "upper_99_8"):
        assert out[column].between(0, 1).all()
    assert (out.loc[data["x"] == 0, "lower_95"] == 0).all()
    assert (out.loc[data["x"] == data["n"], "upper_95"] == 1).all()


@SETTINGS
@given(proportion_rows(), st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998]))
def test_wilson_limits_solve_wilsons_equation(data, level):
    """Each limit L satisfies |x/n - L| = z sqrt(L (1 - L) / n) (Wilson 1927), unless clipped at 0 or 1."""
    x, n = data["x"].to_numpy(float), data["n"].to_numpy(float)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    for limit in rates.wilson_limits(x, n, level):
        inside = (limit > 0) & (limit < 1)
        lhs = np.abs(x / n - limit)[inside]
        rhs = (z * np.sqrt(limit * (1 - limit) / n))[inside]
        np.testing.assert_allclose(lhs, rhs, rtol=1e-7, atol=1e-12)


@SETTINGS
@given(rate_rows(), st.sampled_from([0.9, 0.95, 0.998]))
def test_exact_poisson_limits_have_the_stated_tail_probabilities(data, level):
    x = data["x"].to_numpy(float)
    lower, upper = rates.exact_poisson_limits(x, level)
    alpha = 1 - level
    np.testing.assert_allclose(stats.poisson.cdf(x, upper), alpha / 2, rtol=1e-6)
    positive = x > 0
    np.testing.assert_allclose(stats.poisson.sf(x[positive] - 1, lower[positive]), alpha / 2, rtol=1e-6)
    assert (lower[~positive] == 0).all()


@SETTINGS
@given(rate_rows())
def test_rate_limits_contain_value_and_widen(data):
    out = rates.rate(data, "x", "n", confidence=LEVELS)
    assert_ordered(out)
    assert (out["lower_95"] >= 0).all()
    assert set(out["method"]) <= {"exact", "byar"}
    assert ((out["method"] == "exact") == (data["x"] < 10)).all()


@SETTINGS
@given(proportion_rows(), st.floats(min_value=0.01, max_value=1e6))
def test_multiplier_scales_everything(data, multiplier):
    for function in (rates.proportion, rates.rate):
        one = function(data, "x", "n", confidence=LEVELS, multiplier=1)
        scaled = function(data, "x", "n", confidence=LEVELS, multiplier=multiplier)
        for column in ("value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"):
            np.testing.assert_allclose(scaled[column], one[column] * multiplier, rtol=1e-12)


@settings(SETTINGS, max_examples=30)
@given(rate_rows(min_size=2), st.randoms(use_true_random=False))
def test_grouping_equals_separate_calls(data, rnd):
    groups = ["a", "b", "c"]
    data = data.assign(g=[rnd.choice(groups) for _ in range(len(data))])
    for function in (rates.proportion, rates.rate):
        data_ok = data.assign(n=data["n"] + data["x"]) if function is rates.proportion else data
        together = function(data_ok, "x", "n", by="g", confidence=LEVELS).set_index("g")
        for name, part in data_ok.groupby("g"):
            summed = pd.DataFrame({"x": [part["x"].sum()], "n": [part["n"].sum()]})
            alone = function(summed, "x", "n", confidence=LEVELS)
            for column in ("value", "lower_95", "upper_95", "lower_99_8", "upper_99_8"):
                np.testing.assert_allclose(together.loc[name, column], alone[column].iloc[0], rtol=1e-12)
        shuffled = data_ok.sample(frac=1, random_state=rnd.randint(0, 1000))
        pd.testing.assert_frame_equal(function(shuffled, "x", "n", by="g").set_index("g"),
                                      function(data_ok, "x", "n", by="g").set_index("g"), rtol=1e-12)


@SETTINGS
@given(st.lists(st.floats(min_value=-1e4, max_value=1e4), min_size=2, max_size=40))
def test_mean_limits_contain_value_and_match_t(values):
    data = pd.DataFrame({"v": values})
    out = rates.mean(data, "v", confidence=LEVELS)
    assert out["value_count"].iloc[0] == len(values)
    sd = np.std(values, ddof=1)
    if sd > 0:
        assert_ordered(out)
        half = out["upper_95"].iloc[0] - out["value"].iloc[0]
        np.testing.assert_allclose(half, stats.t.ppf(0.975, len(values) - 1) * sd / np.sqrt(len(values)),
                                   rtol=1e-9, atol=1e-9)


@st.composite
def standard_like_population(draw):
    """Counts per ESP2013 band and a population exactly proportional to the standard."""
    scale = draw(st.integers(1, 50))
    x = draw(st.lists(st.integers(0, 300), min_size=19, max_size=19))
    return pd.DataFrame({"age_band": rates.ESP2013["age_band"], "x": x,
                         "n": rates.ESP2013["weight"] * scale / 100})


@SETTINGS
@given(standard_like_population())
def test_dsr_of_a_population_shaped_like_the_standard_is_the_crude_rate(data):
    out = rates.dsr(data, "x", "n", confidence=LEVELS)
    crude = rates.rate(pd.DataFrame({"x": [data["x"].sum()], "n": [data["n"].sum()]}), "x", "n")
    if data["x"].sum() >= 10:
        np.testing.assert_allclose(out["value"], crude["value"], rtol=1e-12)
        assert_ordered(out)
        # With every band weighted like the population, Dobson's limits are Byar's limits of the total.
        byar_lo, byar_hi = rates.byar_limits(data["x"].sum())
        np.testing.assert_allclose(out["lower_95"], byar_lo / data["n"].sum() * 100_000, rtol=1e-9)
        np.testing.assert_allclose(out["upper_95"], byar_hi / data["n"].sum() * 100_000, rtol=1e-9)
    else:
        assert out["value"].isna().all() and out["reason"].notna().all()


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 20_000)), min_size=19, max_size=19),
       st.floats(min_value=0.5, max_value=1e6))
def test_dsr_multiplier_and_grouping(rows, multiplier):
    x, n = zip(*rows, strict=True)
    one = pd.DataFrame({"x": x, "n": n})
    two = pd.concat([one.assign(area="A"), one.assign(area="B", x=one["x"] * 2)], ignore_index=True)
    grouped = rates.dsr(two, "x", "n", by="area", multiplier=multiplier).set_index("area")
    alone = rates.dsr(one, "x", "n", multiplier=multiplier)
    for column in ("value", "lower_95", "upper_95", "total_count", "total_pop"):
        np.testing.assert_allclose(grouped.loc["A", column], alone[column].iloc[0], rtol=1e-12)
    unit = rates.dsr(one, "x", "n", multiplier=1)
    np.testing.assert_allclose(alone["value"], unit["value"] * multiplier, rtol=1e-12)
    assert_ordered(grouped.reset_index(), levels=(0.95,))


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(100, 50_000)), min_size=19, max_size=19))
def test_dsr_non_independent_with_one_event_each_is_the_ordinary_dsr(rows):
    x, n = zip(*rows, strict=True)
    data = pd.DataFrame({"age_band": rates.ESP2013["age_band"], "x": x, "n": n})
    ordinary = rates.dsr(data, "x", "n", confidence=LEVELS)
    nonind = rates.dsr(data.assign(f=1), "x", "n", age_band="age_band", event_frequency="f",
                       confidence=LEVELS)
    pd.testing.assert_frame_equal(ordinary, nonind, rtol=1e-12)
    # people with 2 events each: twice the events, and wider limits than 2x independent events
    doubled = rates.dsr(data.assign(f=2), "x", "n", age_band="age_band", event_frequency="f")
    independent = rates.dsr(data.assign(x=data["x"] * 2), "x", "n")
    if ordinary["total_count"].iloc[0] >= 10:
        np.testing.assert_allclose(doubled["value"], independent["value"], rtol=1e-12)
        width = doubled["upper_95"] - doubled["lower_95"]
        assert (width > independent["upper_95"] - independent["lower_95"]).all()


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(100, 50_000)), min_size=3, max_size=19),
       st.floats(min_value=0.1, max_value=10))
def test_isr_of_the_reference_itself_is_one_and_scales(rows, factor):
    x, n = zip(*rows, strict=True)
    data = pd.DataFrame({"x": x, "n": n})
    if sum(x) == 0:
        return
    own = rates.isr(data, "x", "n", reference_numerator="x", reference_denominator="n",
                    confidence=LEVELS)
    np.testing.assert_allclose(own["value"], 1.0, rtol=1e-12)
    assert_ordered(own)
    as_rate = rates.isr(data, "x", "n", reference_numerator="x", reference_denominator="n",
                        statistic="rate")
    crude = sum(x) / sum(n) * 100_000
    np.testing.assert_allclose(as_rate["value"], crude, rtol=1e-12)
    np.testing.assert_allclose(as_rate["ref_rate"], crude, rtol=1e-12)
    bigger = rates.isr(data, "x", "n", reference_numerator=data["x"] * factor,
                       reference_denominator=data["n"], multiplier=100)
    np.testing.assert_allclose(bigger["value"], 100 / factor, rtol=1e-9)


@settings(SETTINGS, max_examples=25)
@given(rate_rows(min_size=1, max_size=5))
def test_poisson_limits_switch_at_ten(data):
    x = data["x"].to_numpy(float)
    lower, upper, method = rates.poisson_limits(x)
    exact_lo, exact_hi = rates.exact_poisson_limits(x)
    byar_lo, byar_hi = rates.byar_limits(x)
    small = x < 10
    np.testing.assert_array_equal(lower[small], exact_lo[small])
    np.testing.assert_array_equal(upper[~small], byar_hi[~small])
    # Byar's approximation is close to exact from 10 events on
    np.testing.assert_allclose(byar_lo[~small], exact_lo[~small], rtol=0.01)
    assert list(method) == ["exact" if s else "byar" for s in small]


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 20_000)), min_size=76, max_size=76),
       st.integers(0, 2**32 - 1))
def test_dsr_sum_rows_is_the_dsr_of_the_table_summed_first(rows, seed):
    """sum_rows=True (2 areas x 2 sexes x 19 bands, rows in any order) = summing per area and band first."""
    x, n = zip(*rows, strict=True)
    bands = list(rates.ESP2013["age_band"])
    fine = pd.DataFrame({"area": np.repeat(["A", "B"], 38), "sex": np.tile(np.repeat(["F", "M"], 19), 2),
                         "age_band": bands * 4, "x": x, "n": n})
    shuffled = fine.sample(frac=1, random_state=np.random.default_rng(seed).integers(2**31))
    summed = fine.groupby(["area", "age_band"], sort=False)[["x", "n"]].sum().reset_index()
    expected = rates.dsr(summed, "x", "n", by="area", age_band="age_band", confidence=LEVELS)
    out = rates.dsr(shuffled, "x", "n", by="area", age_band="age_band", confidence=LEVELS, sum_rows=True)
    pd.testing.assert_frame_equal(out, expected, rtol=1e-12)


@SETTINGS
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0.5, 1e7)), min_size=1, max_size=30),
       st.sampled_from([0.8, 0.95, 0.998]))
def test_wilson_limits_equal_the_stated_formula_for_fractional_numerators(pairs, level):
    """wilson_limits (statsmodels' proportion_confint, method="wilson") is the docstring's closed form
    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), also for fractional (weighted) numerators."""
    n = np.array([p[1] for p in pairs])
    x = np.array([p[0] for p in pairs]) * n
    z = stats.norm.ppf(1 - (1 - level) / 2)
    half = z * np.sqrt(z * z + 4 * x * (1 - x / n))
    centre, scale = 2 * x + z * z, 2 * (n + z * z)
    lower, upper = rates.wilson_limits(x, n, level)
    np.testing.assert_allclose(lower, np.clip((centre - half) / scale, 0, 1), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(upper, np.clip((centre + half) / scale, 0, 1), rtol=1e-9, atol=1e-15)
    out = rates.proportion(pd.DataFrame({"x": x, "n": n}), "x", "n", confidence=level)
    np.testing.assert_allclose(out.iloc[:, 3:5].to_numpy().T, [lower, upper], rtol=1e-15)
