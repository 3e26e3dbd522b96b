"""Spiegelhalter's overdispersion test (equity_lib.overdispersion) and the funnel's guardrail: unadjusted
limits on overdispersed units warn, naming the units and the fix; in-control units and adjusted limits
do not."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special, stats

from equity_lib import funnel_chart
from equity_lib.overdispersion import ALPHA, DispersionTest, OverdispersionWarning, dispersion_test


def _z(x, n):
    """z-scores of proportions against the pooled target, along the last axis."""
    theta = x.sum(axis=-1, keepdims=True) / n.sum(axis=-1, keepdims=True)
    return (x / n - theta) / np.sqrt(theta * (1 - theta) / n)


def _binomial(seed, units=134, sd=0.0, low=1_000, high=20_000):
    """Units with denominators in the thousands; true proportions around 20%, varying between units with
    this SD on the logit scale (0: in control, differing by binomial chance only)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(low, high, units)
    p = 1 / (1 + np.exp(-(np.log(0.25) + rng.normal(0, sd, units))))
    return pd.DataFrame({"trust": [f"Trust {i:03d}" for i in range(units)], "x": rng.binomial(n, p), "n": n})


# --------------------------------------------------------------------------------------------------
# The test itself
# --------------------------------------------------------------------------------------------------

def test_statistic_and_p_value_by_hand():
    rng = np.random.default_rng(11)
    z = rng.normal(0, 1.3, 60)
    phi, p, flagged = dispersion_test(z)
    assert phi == pytest.approx(np.sum(z**2) / 60, rel=1e-14)
    assert p == pytest.approx(stats.chi2.sf(60 * phi, 59), rel=1e-12)
    assert p == pytest.approx(special.gammaincc(59 / 2, 60 * phi / 2), rel=1e-10)  # the same, from Gamma
    assert flagged == (p < 0.001)
    assert isinstance(phi, float) and isinstance(p, float) and isinstance(flagged, bool)
    # Winsorised: clipped at the 10th and 90th percentiles (linear interpolation, R's type 7)
    low, high = np.percentile(z, [10, 90])
    clipped = np.minimum(np.maximum(z, low), high)
    phi_w, p_w, _ = dispersion_test(z, winsorise=0.1)
    assert phi_w == pytest.approx(np.mean(clipped**2), rel=1e-14)
    assert p_w == pytest.approx(stats.chi2.sf(60 * phi_w, 59), rel=1e-12)
    assert phi_w < phi


def test_threshold_is_p_below_alpha():
    """phi just above chi2_{0.999}(k - 1) / k is overdispersed, just below is not."""
    k = 87
    critical = stats.chi2.isf(ALPHA, k - 1) / k
    assert ALPHA == 0.001 and critical == pytest.approx(1.52, abs=0.005)
    base = np.tile([1.0, -1.0], k // 2 + 1)[:k]  # mean square 1
    above = dispersion_test(base * np.sqrt(critical * 1.001))
    below = dispersion_test(base * np.sqrt(critical * 0.999))
    assert above.overdispersed and above.p_value < ALPHA
    assert not below.overdispersed and below.p_value > ALPHA
    assert dispersion_test(base * np.sqrt(critical * 0.999), alpha=0.01).overdispersed


def test_vectorised_over_sets_of_units():
    rng = np.random.default_rng(5)
    z = rng.normal(0, 1.2, (7, 40))
    many = dispersion_test(z, winsorise=0.1)
    assert many.phi.shape == many.p_value.shape == many.overdispersed.shape == (7,)
    for i in range(7):
        one = dispersion_test(z[i], winsorise=0.1)
        assert one.phi == pytest.approx(many.phi[i], rel=1e-14)
        assert one.p_value == pytest.approx(many.p_value[i], rel=1e-12)
        assert one.overdispersed == many.overdispersed[i]
    np.testing.assert_allclose(dispersion_test(z.T, axis=0).phi, dispersion_test(z).phi, rtol=1e-14)


def test_false_alarms_near_one_in_a_thousand():
    """20,000 in-control binomial data sets of 50 units (denominators 1,000 to 20,000, target pooled):
    the plain test flags about 0.001 of them (expected 20; here 29); the 10%-Winsorised one, whose
    chi-square reference is conservative, none."""
    rng = np.random.default_rng(2005)
    n = rng.integers(1_000, 20_000, (20_000, 50))
    z = _z(rng.binomial(n, 0.2), n)
    plain = dispersion_test(z).overdispersed.mean()
    assert 0.0003 < plain < 0.0019  # 20 +/- 4 sd of a binomial(20,000, 0.001) count, as rates
    assert dispersion_test(z, winsorise=0.1).overdispersed.mean() <= 0.0001


def test_power_on_overdispersed_units():
    """Logit-scale SD 0.1 between units of thousands: flagged in every one of 200 data sets."""
    rng = np.random.default_rng(3)
    n = rng.integers(1_000, 20_000, (200, 134))
    p = 1 / (1 + np.exp(-(np.log(0.25) + rng.normal(0, 0.1, n.shape))))
    z = _z(rng.binomial(n, p), n)
    assert dispersion_test(z).overdispersed.all() and dispersion_test(z, winsorise=0.1).overdispersed.all()


def test_bad_input():
    with pytest.raises(ValueError, match="missing or infinite"):
        dispersion_test([0.5, np.nan, 1.0])
    with pytest.raises(ValueError, match="at least 2 units"):
        dispersion_test([0.5])
    with pytest.raises(ValueError, match="not a single number"):
        dispersion_test(2.0)
    with pytest.raises(ValueError, match="winsorise must be"):
        dispersion_test([0.5, 1.0, 2.0], winsorise=0.5)
    with pytest.raises(ValueError, match="alpha must be"):
        dispersion_test([0.5, 1.0, 2.0], alpha=0)


def test_describe_and_warning_category():
    assert DispersionTest(31.34, 0.0, True).describe() == "phi = 31.3, p < 1e-10"
    assert DispersionTest(1.6, 0.00042, True).describe() == "phi = 1.6, p = 0.00042"
    assert issubclass(OverdispersionWarning, UserWarning)


# --------------------------------------------------------------------------------------------------
# The funnel's guardrail
# --------------------------------------------------------------------------------------------------

def test_unadjusted_funnel_on_overdispersed_units_warns_and_names_them():
    data = _binomial(1, sd=0.15)
    with pytest.warns(OverdispersionWarning) as caught:
        result = funnel_chart(data, "x", "n")
    assert len(caught) == 1
    message = str(caught[0].message)
    t = result.table
    outside = t[t["signal"].astype(str).str.endswith("99.8% limit")]
    first = outside.loc[outside["z"].abs().sort_values(ascending=False).index[:5], "trust"]
    assert len(outside) > 40  # far more than the 0.27 expected by chance
    assert f"{len(outside)} of the 134 units lie outside the 99.8% limits" in message
    assert ", ".join(repr(name) for name in first) + f" and {len(outside) - 5} more" in message
    # the figures are the result's (one computation), with the test and threshold stated
    assert result.p_overdispersion < ALPHA
    assert f"phi = {result.phi:.3g}, p < 1e-10" in message
    assert "Spiegelhalter's test of 134 x phi, from 10%-Winsorised z-scores, against chi-square with " \
           "133 degrees of freedom, threshold p < 0.001" in message
    assert 'Fix: pass overdispersion="additive"' in message
    assert caught[0].filename == __file__  # points at the caller's line


def test_one_computation_of_phi_and_p():
    result = pytest.warns(OverdispersionWarning, funnel_chart, _binomial(2, sd=0.15), "x", "n")
    phi, p, flagged = dispersion_test(result.table["z"].to_numpy(), winsorise=0.1)
    assert (phi, p, flagged) == (result.phi, result.p_overdispersion, True)
    row = result.summary().iloc[0]
    assert row["phi"] == result.phi and row["p_overdispersion"] == result.p_overdispersion


def test_no_warning_when_the_limits_are_adjusted():
    data = _binomial(1, sd=0.15)
    for method in ("additive", "multiplicative"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = funnel_chart(data, "x", "n", overdispersion=method)
        assert caught == [] and result.p_overdispersion < ALPHA


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(30, 200))
def test_no_warning_on_in_control_units(seed, units):
    """Binomial chance only, denominators in the thousands: never a warning (the 10%-Winsorised test
    flagged no such data set in 20,000; pytest turns a warning into an error)."""
    result = funnel_chart(_binomial(seed, units=units), "x", "n")
    assert result.p_overdispersion >= ALPHA


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.03, 0.1]), st.sampled_from([0.0, 0.1]))
def test_warns_exactly_when_the_test_says_so(seed, sd, winsorise):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = funnel_chart(_binomial(seed, units=60, sd=sd), "x", "n", winsorise=winsorise)
    expected = dispersion_test(result.table["z"].to_numpy(), winsorise=winsorise).overdispersed
    assert [w.category for w in caught] == ([OverdispersionWarning] if expected else [])
    if expected and winsorise == 0:
        assert "from z-scores, against" in str(caught[0].message)


def test_names_from_label_or_index_and_other_statistics():
    data = _binomial(4, units=40, sd=0.2)
    data["code"] = [f"R{i:02d}" for i in range(40)]
    with pytest.warns(OverdispersionWarning, match=r"'R\d\d', 'R\d\d'"):
        funnel_chart(data, "x", "n", label="code")
    with pytest.raises(KeyError, match="'nope'"):
        funnel_chart(data, "x", "n", label="nope")
    numbers = data[["x", "n"]].set_index(pd.Index(range(100, 140), name="id"))
    with pytest.warns(OverdispersionWarning, match=r"units lie outside the 99.8% limits[^:]*: rows 1\d\d, "):
        funnel_chart(numbers, "x", "n")
    rng = np.random.default_rng(9)
    expected = rng.uniform(50, 3000, 80)
    ratios = pd.DataFrame({"site": [f"S{i}" for i in range(80)],
                           "o": rng.poisson(expected * np.exp(rng.normal(0, 0.3, 80))), "e": expected})
    for statistic in ("ratio", "rate"):
        with pytest.warns(OverdispersionWarning, match="'S"):
            funnel_chart(ratios, "o", "e", statistic=statistic)


def test_filterable_by_category_and_silent_below_three_units():
    data = _binomial(1, sd=0.15)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=OverdispersionWarning)
        assert funnel_chart(data, "x", "n").p_overdispersion < ALPHA
    two = pd.DataFrame({"x": [10, 900], "n": [1000, 1000]})
    assert np.isnan(funnel_chart(two, "x", "n").phi)  # no test, so no warning


def test_lesson_02_data():
    """Lesson 02's RTT snapshot: the issue's situation, 51 of 87 services outside the 99.8% limits."""
    from equity_lib.datasets import load

    snapshot = load("rtt_snapshot_specialty")
    snapshot["service"] = (snapshot["trust_code"].astype(str) + " "
                           + snapshot["treatment_function_name"].astype(str))
    with pytest.warns(OverdispersionWarning, match=re.escape(
            "(phi = 31.3, p < 1e-10; Spiegelhalter's test of 87 x phi")) as caught:
        funnel_chart(snapshot, "over_18_weeks", "waiting_total")
    assert ("51 of the 87 units lie outside the 99.8% limits, where chance alone would put 0.17: "
            "'BDH Trauma and Orthopaedics', ") in str(caught[0].message)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        funnel_chart(snapshot, "over_18_weeks", "waiting_total", overdispersion="additive")
    assert caught == []
