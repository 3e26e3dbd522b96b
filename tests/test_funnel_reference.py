"""equity_lib.funnel against PHEindicatormethods 2.1.0 (shared reference: expected/ and pheim_testdata).

Precision: proportions 1e-9 relative (expected/) or the printed precision of PHE's own tables (6 or 8
decimals). Ratios and rates: PHE finds the funnel by bisection on v = E / (1 + O + E), stopping when the
step is below 1e-7 (reference README), so the expected counts are compared on that scale, to 1.5e-7;
we solve the same equation exactly (chi-square quantiles).
"""

import numpy as np
import pandas as pd
import pytest

from equity_lib import funnel_limits, funnel_significance

LIMITS = [("lower_95", "lower_2s_limit"), ("upper_95", "upper_2s_limit"),
          ("lower_99_8", "lower_3s_limit"), ("upper_99_8", "upper_3s_limit")]
V_TOLERANCE = 1.5e-7


@pytest.fixture(scope="module")
def ref(shared_reference):
    return shared_reference / "inequality"


def sysdata(ref, name):
    return pd.read_csv(ref / "pheim_testdata" / "sysdata" / f"{name}.csv")


def v_scale(expected, observed):
    return np.asarray(expected, float) / (1 + np.asarray(observed, float) + np.asarray(expected, float))


def close_v(ours, theirs, observed):
    np.testing.assert_allclose(v_scale(ours, observed), v_scale(theirs, observed), rtol=0, atol=V_TOLERANCE)


def test_proportion_limits_expected(ref):
    data = pd.read_csv(ref / "inputs" / "in_funnel_prop.csv")
    expected = pd.read_csv(ref / "expected" / "funnel_limits_proportion_pct.csv")
    out = funnel_limits(data, "numerator", "denominator", statistic="proportion", multiplier=100)
    np.testing.assert_array_equal(out["denominator"], expected["Population"])
    for ours, theirs in [*LIMITS, ("baseline", "baseline")]:
        np.testing.assert_allclose(out[ours], expected[theirs], rtol=1e-9, atol=0)
    assert set(out["method"]) == {"Wilson"}


@pytest.mark.parametrize(("subset", "name", "decimals"), [
    (None, "test_funnel_outputs", 6),
    (31000, "test_funnel_outputs_axis_variation", 8),
])
def test_proportion_limits_pheim(ref, subset, name, decimals):
    data = sysdata(ref, "test_funnel_inputs")[["numerator", "denominator"]]
    if subset is not None:
        data = data[data["denominator"] < subset]
    expected = sysdata(ref, name)
    out = funnel_limits(data, "numerator", "denominator", multiplier=100)
    np.testing.assert_array_equal(out["denominator"], expected["Population"])
    for ours, theirs in [*LIMITS, ("baseline", "baseline")]:
        np.testing.assert_allclose(out[ours], expected[theirs], rtol=1e-12, atol=0.51 * 10.0**-decimals)


def test_proportion_significance(ref):
    data = pd.read_csv(ref / "inputs" / "in_funnel_prop.csv")
    expected = pd.read_csv(ref / "expected" / "funnel_significance_proportion.csv")
    out = funnel_significance(data, "numerator", "denominator", statistic="proportion")
    assert list(out["significance"].astype(str)) == list(expected["significance"])
    pheim = sysdata(ref, "test_funnel_inputs")
    out = funnel_significance(pheim[["Area", "numerator", "denominator"]], "numerator", "denominator")
    assert list(out["significance"].astype(str)) == list(pheim["significance"])


def test_ratio_significance(ref):
    pheim = sysdata(ref, "test_funnel_ratio_inputs")
    out = funnel_significance(pheim[["obs", "expected"]], "obs", "expected", statistic="ratio")
    assert list(out["significance"].astype(str)) == list(pheim["significance"])


@pytest.mark.parametrize(("column", "rate", "rate_type", "multiplier", "without_zero"), [
    ("dsr_per_100000_with_0", "rate_dsr", "dsr", 1e5, False),
    ("dsr_per_100_with_0", "rate_dsr", "dsr", 100, False),
    ("dsr_per_100000_without_0", "rate_dsr", "dsr", 1e5, True),
    ("dsr_per_100_without_0", "rate_dsr", "dsr", 100, True),
    ("crude_per_100000_with_0", "rate_crude_per_100000", "crude", 1e5, False),
    ("crude_per_100_with_0", "rate_crude_per_100", "crude", 100, False),
    ("crude_per_100000_without_0", "rate_crude_per_100000", "crude", 1e5, True),
    ("crude_per_100_without_0", "rate_crude_per_100", "crude", 100, True),
])
def test_rate_significance(ref, column, rate, rate_type, multiplier, without_zero):
    pheim = sysdata(ref, "test_funnel_rate_inputs")
    if without_zero:
        pheim = pheim[pheim["count"] != 0]
    out = funnel_significance(pheim[["count", rate, "pop"]], "count", "pop", statistic="rate", rate=rate,
                              rate_type=rate_type, multiplier=multiplier)
    assert list(out["significance"].astype(str)) == list(pheim[column])


@pytest.mark.parametrize("ratio_type", ["count", "isr"])
def test_ratio_limits(ref, ratio_type):
    data = sysdata(ref, "test_funnel_ratio_inputs")
    expected = sysdata(ref, "test_funnel_ratio_outputs")
    out = funnel_limits(data, "obs", "expected", statistic="ratio", ratio_type=ratio_type)
    observed = expected["Observed_events"]
    np.testing.assert_array_equal(out["observed"], observed)
    for side, sigma, level in [("lower", "2s", "95"), ("upper", "2s", "95"), ("lower", "3s", "99_8"),
                               ("upper", "3s", "99_8")]:
        theirs = expected[f"{side}_{sigma}_exp_events"]
        ours = out[f"expected_{side}_{level}"]
        close_v(ours, theirs, observed)
        # the limits are observed / expected (- 1 for "count", x 100 for "isr"): back to expected counts
        to_expected = (lambda lim: observed / (lim + 1)) if ratio_type == "count" else \
            (lambda lim: observed / (lim / 100))
        close_v(to_expected(out[f"{side}_{level}"]), to_expected(expected[f"{side}_{sigma}_{ratio_type}"]),
                observed)
    assert out["statistic"].iloc[0] == f"ratio ({ratio_type})"


def _rate_case(ref, case):
    data = sysdata(ref, "test_funnel_rate_funnels_input")
    if case == "dsr":
        return data, dict(rate="rate", rate_type="dsr"), "test_funnel_rate_funnels"
    if case == "crude_fewer_than_10":
        data = data.assign(ev=np.where(data["ev"] == data["ev"].max(), 5, data["ev"]))
        return data, dict(rate="rate", rate_type="crude"), "test_funnel_rate_funnels_2"
    data = data[["ev", "rate"]].copy()
    data["pop"] = 1e5 * data["ev"] / data["rate"]
    top = data["ev"] == data["ev"].max()
    data.loc[top, ["rate", "ev"]] = 0
    data = data[data["pop"] > data["pop"].max() / 2]
    return data, dict(rate="rate", rate_type="crude", denominator="pop"), "test_funnel_rate_funnels_3"


@pytest.mark.parametrize("case", ["dsr", "crude_fewer_than_10", "crude_zero_events_with_denominator"])
def test_rate_limits(ref, case):
    data, kwargs, name = _rate_case(ref, case)
    expected = sysdata(ref, name)
    out = funnel_limits(data, "ev", statistic="rate", multiplier=1e5, years_of_data=3, **kwargs)
    events = expected["Events"]
    np.testing.assert_array_equal(out["events"], events)
    np.testing.assert_allclose(out["baseline"], expected["baseline"], rtol=1e-9)
    average = expected["baseline"].iloc[0] / 1e5
    for side, sigma, level in [("lower", "2s", "95"), ("upper", "2s", "95"), ("lower", "3s", "99_8"),
                               ("upper", "3s", "99_8")]:
        # expected events at each point, from their yearly population and from their limit
        theirs_pop = expected[f"{side}_{sigma}_population_1_year"] * 3 * average
        ours_pop = out[f"population_{side}_{level}"] * 3 * average
        close_v(ours_pop, theirs_pop, events)
        theirs_limit = events / (expected[f"{side}_{sigma}_limit"] / 1e5) * average
        ours_limit = events / (out[f"{side}_{level}"] / 1e5) * average
        close_v(ours_limit, theirs_limit, events)
    assert out["statistic"].iloc[0] == expected["statistic"].iloc[0]
