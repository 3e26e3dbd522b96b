"""Properties of equity_lib.inequality that must hold for any data (hypothesis)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from equity_lib import assign_quantiles, concentration_index, sii, sii_points, summary_measures

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.5, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def area_deciles(draw, k_min=5, k_max=12, areas=1):
    k = draw(st.integers(k_min, k_max))
    frames = []
    for a in range(areas):
        pop = draw(st.lists(st.integers(50, 100_000), min_size=k, max_size=k))
        value = draw(st.lists(st.floats(1, 100, allow_nan=False), min_size=k, max_size=k))
        se = draw(st.lists(st.floats(0.01, 5, allow_nan=False), min_size=k, max_size=k))
        frames.append(pd.DataFrame({"area": f"A{a}", "q": np.arange(1, k + 1), "pop": pop, "value": value,
                                    "se": se}))
    return pd.concat(frames, ignore_index=True)


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # more than 10 quantiles
        return func(*args, **kwargs)


# --------------------------------------------------------------------------------------------------
# assign_quantiles
# --------------------------------------------------------------------------------------------------

scores = st.lists(st.one_of(st.integers(0, 30).map(float), st.floats(0, 100, allow_nan=False)),
                  min_size=10, max_size=80)


@SETTINGS
@given(values=scores, nq=st.integers(2, 10), seed=st.integers(0, 1000))
def test_quantiles_are_monotone_tied_and_order_free(values, nq, seed):
    data = pd.DataFrame({"score": values})
    out = assign_quantiles(data, "score", nq)
    q = out["quantile"].astype(int).to_numpy()
    assert q.min() >= 1 and q.max() <= nq
    v = data["score"].to_numpy()
    higher = v[:, None] > v[None, :]
    assert (q[:, None] <= q[None, :])[higher].all()  # higher score, same or lower quantile (1 = highest)
    assert (q[:, None] == q[None, :])[v[:, None] == v[None, :]].all()  # ties share a quantile
    shuffled = data.sample(frac=1, random_state=seed)
    again = assign_quantiles(shuffled, "score", nq)
    assert (again["quantile"].sort_index().to_numpy() == out["quantile"].to_numpy()).all()
    flipped = assign_quantiles(data.assign(score=-data["score"]), "score", nq, invert=False)
    assert (flipped["quantile"].to_numpy() == out["quantile"].to_numpy()).all()


@SETTINGS
@given(n=st.integers(10, 200), nq=st.integers(2, 10), seed=st.integers(0, 1000))
def test_quantiles_without_ties_are_balanced(n, nq, seed):
    values = np.random.default_rng(seed).permutation(n).astype(float)
    out = assign_quantiles(pd.DataFrame({"score": values}), "score", nq)
    counts = out["quantile"].value_counts().reindex(range(1, nq + 1), fill_value=0).to_numpy()
    assert set(counts) <= {n // nq, -(-n // nq)}


@SETTINGS
@given(a=scores, b=scores, nq=st.integers(2, 6))
def test_quantiles_by_group_equal_separate_calls(a, b, nq):
    data = pd.concat([pd.DataFrame({"g": "a", "score": a}), pd.DataFrame({"g": "b", "score": b})],
                     ignore_index=True)
    together = assign_quantiles(data, "score", nq, by="g")["quantile"].to_numpy()
    apart = np.concatenate([assign_quantiles(data[data["g"] == g], "score", nq)["quantile"].to_numpy()
                            for g in ("a", "b")])
    assert (together == apart).all()


def test_quantiles_missing_values_stay_missing_and_do_not_count():
    data = pd.DataFrame({"score": [5.0, np.nan, 4.0, 3.0, np.nan, 2.0, 1.0]})
    out = assign_quantiles(data, "score", 5)
    assert out["quantile"].isna().tolist() == data["score"].isna().tolist()
    assert out["quantile"].dropna().tolist() == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------------------------------
# sii
# --------------------------------------------------------------------------------------------------

def ranks(pop):
    share = np.asarray(pop, float) / np.sum(pop)
    return np.cumsum(share) - share / 2


@SETTINGS
@given(data=area_deciles(), alpha=st.floats(10, 100), beta=st.floats(-20, 20))
def test_sii_recovers_an_exact_line(data, alpha, beta):
    line = data.assign(value=alpha + beta * ranks(data["pop"]))
    out = quiet(sii, line, "q", "pop", "value", limits=None).iloc[0]
    np.testing.assert_allclose(out["sii"], beta, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out["intercept"], alpha, rtol=1e-9)
    np.testing.assert_allclose(out["rii"], (alpha + beta) / alpha, rtol=1e-9)


@SETTINGS
@given(data=area_deciles(), a=st.floats(0.1, 10), b=finite, c=st.integers(1, 50), seed=st.integers(0, 99))
def test_sii_affine_population_scale_and_row_order(data, a, b, c, seed):
    base = quiet(sii, data, "q", "pop", "value", se="se", limits="analytic").iloc[0]
    moved = quiet(sii, data.assign(value=a * data["value"] + b, se=a * data["se"]), "q", "pop", "value",
                  se="se", limits="analytic").iloc[0]
    np.testing.assert_allclose(moved["sii"], a * base["sii"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(moved["sii_upper_95"] - moved["sii_lower_95"],
                               a * (base["sii_upper_95"] - base["sii_lower_95"]), rtol=1e-9)
    np.testing.assert_allclose(moved["intercept"], a * base["intercept"] + b, rtol=1e-9, atol=1e-9)
    scaled = quiet(sii, data.assign(pop=c * data["pop"]), "q", "pop", "value", se="se",
                   limits="analytic").iloc[0]
    shuffled = quiet(sii, data.sample(frac=1, random_state=seed), "q", "pop", "value", se="se",
                     limits="analytic").iloc[0]
    for other in (scaled, shuffled):
        for column in ("sii", "rii", "intercept", "sii_lower_95", "rii_upper_95"):
            np.testing.assert_allclose(other[column], base[column], rtol=1e-9, atol=1e-9)


@SETTINGS
@given(data=area_deciles(), m=st.sampled_from([-100.0, -1.0, 2.5, 100.0]),
       value_type=st.sampled_from([0, 1, 2]), transform=st.booleans())
def test_sii_multiplier_turns_sign_and_inverts_rii(data, m, value_type, transform):
    assume(not (transform and value_type == 0))
    if value_type == 2:
        data = data.assign(value=data["value"] / 101, se=0.05)
    kwargs = dict(value_type=value_type, transform=transform, limits="analytic", confidence=(0.95, 0.998))
    if transform:
        v = data["value"].to_numpy()
        if value_type == 2:
            kwargs.update(lower_cl="lo", upper_cl="hi")
            data = data.assign(lo=v * 0.95, hi=np.minimum(v * 1.05, 0.999))
        else:
            kwargs.update(lower_cl="lo", upper_cl="hi")
            data = data.assign(lo=v * 0.9, hi=v * 1.1)
    else:
        kwargs.update(se="se")
    one = quiet(sii, data, "q", "pop", "value", **kwargs).iloc[0]
    out = quiet(sii, data, "q", "pop", "value", multiplier=m, **kwargs).iloc[0]
    np.testing.assert_allclose(out["sii"], m * one["sii"], rtol=1e-9, atol=1e-12)
    lo, hi = (m * one["sii_lower_95"], m * one["sii_upper_95"])
    np.testing.assert_allclose(sorted([out["sii_lower_95"], out["sii_upper_95"]]), sorted([lo, hi]),
                               rtol=1e-9)
    assert out["sii_lower_95"] <= out["sii"] <= out["sii_upper_95"]
    assert out["sii_lower_99_8"] <= out["sii_lower_95"] and out["sii_upper_95"] <= out["sii_upper_99_8"]
    expected_rii = one["rii"] if m > 0 else 1 / one["rii"]
    np.testing.assert_allclose(out["rii"], expected_rii, rtol=1e-9)
    if m > 0:  # RII = (intercept + SII) / intercept, on the intercept's scale (PHE)
        scale = m if transform else 1
        np.testing.assert_allclose(out["rii"], (out["intercept"] + out["sii"] / m * scale)
                                   / out["intercept"], rtol=1e-7)


@SETTINGS
@given(data=area_deciles(areas=3), seed=st.integers(0, 2**32 - 1))
def test_sii_simulation_is_independent_of_batch_size(data, seed):
    kwargs = dict(se="se", by="area", repetitions=2000, seed=seed, confidence=(0.95, 0.998))
    big = quiet(sii, data, "q", "pop", "value", **kwargs)
    small = quiet(sii, data, "q", "pop", "value", batch_size=1500, **kwargs)  # splits the repetitions
    tiny = quiet(sii, data, "q", "pop", "value", batch_size=4100, **kwargs)  # one area per batch
    numeric = [c for c in big.columns if c.startswith(("sii", "rii"))]
    pd.testing.assert_frame_equal(big[numeric], small[numeric])
    pd.testing.assert_frame_equal(big[numeric], tiny[numeric])


@SETTINGS
@given(data=area_deciles(areas=3))
def test_sii_many_areas_equal_one_at_a_time(data):
    together = quiet(sii, data, "q", "pop", "value", se="se", by="area", limits="analytic")
    apart = pd.concat([quiet(sii, data[data["area"] == a], "q", "pop", "value", se="se", limits="analytic")
                       for a in ("A0", "A1", "A2")], ignore_index=True)
    numeric = [c for c in together.columns if c.startswith(("sii", "rii", "intercept"))]
    pd.testing.assert_frame_equal(together[numeric], apart[numeric], rtol=1e-12)


@pytest.mark.parametrize("value_type, transform", [(0, False), (1, False), (1, True), (2, False), (2, True)])
def test_sii_simulation_converges_to_the_analytic_limits(value_type, transform):
    rng = np.random.default_rng(5)
    k = 10
    pop = rng.integers(2000, 20000, k)
    value = {0: 75 + np.arange(k), 1: 8 - 0.4 * np.arange(k), 2: 0.3 - 0.02 * np.arange(k)}[value_type]
    rel = 0.05
    data = pd.DataFrame({"q": np.arange(1, k + 1), "pop": pop, "value": value,
                         "lo": value * (1 - rel), "hi": value * (1 + rel)})
    kwargs = dict(value_type=value_type, transform=transform, lower_cl="lo", upper_cl="hi")
    analytic = sii(data, "q", "pop", "value", limits="analytic", **kwargs).iloc[0]
    simulated = sii(data, "q", "pop", "value", repetitions=200_000, seed=3, **kwargs).iloc[0]
    for name in ("sii", "rii"):
        width = analytic[f"{name}_upper_95"] - analytic[f"{name}_lower_95"]
        for side in ("lower", "upper"):
            assert abs(simulated[f"{name}_{side}_95"] - analytic[f"{name}_{side}_95"]) < 0.03 * width


@SETTINGS
@given(data=area_deciles(), transform=st.booleans(), m=st.sampled_from([1.0, 100.0]))
def test_sii_points_lie_on_the_fitted_line(data, transform, m):
    data = data.assign(value=data["value"] / 101)
    points = quiet(sii_points, data, "q", "pop", "value", value_type=2, transform=transform, multiplier=m)
    result = quiet(sii, data, "q", "pop", "value", value_type=2, transform=transform, multiplier=m,
                   limits=None, pheim_intercept=False).iloc[0]
    curve = points[points["layer"] == "fitted"]
    np.testing.assert_allclose(curve["fitted"].iloc[0], result["intercept"], rtol=1e-9)
    np.testing.assert_allclose(curve["fitted"].iloc[-1] - curve["fitted"].iloc[0], result["sii"], rtol=1e-9,
                               atol=1e-12)
    dots = points[points["layer"] == "quantile"]
    np.testing.assert_allclose(dots["population_share"].sum(), 1.0)
    assert dots["relative_rank"].is_monotonic_increasing


# --------------------------------------------------------------------------------------------------
# concentration_index
# --------------------------------------------------------------------------------------------------

@st.composite
def units(draw):
    n = draw(st.integers(3, 15))
    return pd.DataFrame({
        "order": draw(st.lists(st.integers(1, 6), min_size=n, max_size=n)),
        "pop": draw(st.lists(st.integers(1, 500), min_size=n, max_size=n)),
        "y": draw(st.lists(st.floats(0.5, 99.5, allow_nan=False), min_size=n, max_size=n)),
    })


def brute_force_aci(data):
    """ACI = 2 cov_p(y, r) for individuals: expand every unit into `pop` people, rank by order (ties share
    the mean rank of their block)."""
    people = data.loc[data.index.repeat(data["pop"])].sort_values("order", kind="stable")
    n = len(people)
    position = (np.arange(n) + 0.5) / n
    rank = pd.Series(position).groupby(people["order"].to_numpy()).transform("mean").to_numpy()
    y = people["y"].to_numpy()
    return 2 * np.mean((y - y.mean()) * (rank - rank.mean()))


@SETTINGS
@given(data=units())
def test_concentration_index_equals_its_individual_level_definition(data):
    out = concentration_index(data, "y", "pop", "order", bounds=(0, 100)).set_index("kind")["value"]
    aci = brute_force_aci(data)
    mu = np.average(data["y"], weights=data["pop"])
    np.testing.assert_allclose(out["absolute"], aci, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out["relative"], aci / mu, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out["erreygers"], 4 * aci / 100, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out["wagstaff"], (aci / mu) / (1 - mu / 100), rtol=1e-9, atol=1e-9)


@SETTINGS
@given(data=units(), c=st.floats(0.1, 10))
def test_concentration_index_scale_and_direction(data, c):
    data = data.drop_duplicates("order")
    assume(len(data) >= 2)
    base = concentration_index(data, "y", "pop", "order").set_index("kind")["value"]
    scaled = concentration_index(data.assign(y=c * data["y"]), "y", "pop", "order").set_index("kind")["value"]
    np.testing.assert_allclose(scaled["absolute"], c * base["absolute"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(scaled["relative"], base["relative"], rtol=1e-9, atol=1e-9)
    reverse = concentration_index(data, "y", "pop", "order", most_disadvantaged="highest")
    np.testing.assert_allclose(reverse.set_index("kind")["value"], -base, rtol=1e-9, atol=1e-9)
    flat = concentration_index(data.assign(y=7.0), "y", "pop", "order")
    np.testing.assert_allclose(flat["value"], 0, atol=1e-12)


# --------------------------------------------------------------------------------------------------
# summary_measures
# --------------------------------------------------------------------------------------------------

@st.composite
def subgroups(draw, n_min=3, n_max=8):
    n = draw(st.integers(n_min, n_max))
    return pd.DataFrame({
        "group": [f"g{i}" for i in range(n)], "order": np.arange(1, n + 1),
        "pop": draw(st.lists(st.integers(10, 10_000), min_size=n, max_size=n)),
        "est": draw(st.lists(st.floats(1, 99, allow_nan=False), min_size=n, max_size=n)),
        "se": draw(st.lists(st.floats(0.1, 3, allow_nan=False), min_size=n, max_size=n)),
    })


def measures(data, **kwargs):
    kwargs.setdefault("order", "order")
    kwargs.setdefault("favourable", False)
    return summary_measures(data, "group", "est", "pop", bounds=(0, 100), **kwargs).set_index("measure")


ZERO_WHEN_EQUAL = ["D", "ACI", "RCI", "RCI_wagstaff", "ACI_erreygers", "SII", "BGV", "BGSD", "COV", "MDBW",
                   "MDBU", "MDMW", "MDMU", "IDISW", "IDISU", "TI", "MLD", "PAR", "PAF", "relative_gap_pct"]


@SETTINGS
@given(data=subgroups(), level=st.floats(1, 99), favourable=st.booleans())
def test_summary_measures_are_null_without_inequality(data, level, favourable):
    out = measures(data.assign(est=level), favourable=favourable)["value"]
    np.testing.assert_allclose(out[ZERO_WHEN_EQUAL].astype(float), 0, atol=1e-9)
    np.testing.assert_allclose(out[["R", "RII"]].astype(float), 1, rtol=1e-12)
    np.testing.assert_allclose(out["weighted_mean"], level, rtol=1e-12)


ABSOLUTE = ["D", "ACI", "SII", "SII_intercept", "BGSD", "MDBW", "MDBU", "MDMW", "MDMU", "PAR",
            "weighted_mean"]
RELATIVE = ["R", "RCI", "RII", "COV", "IDISW", "IDISU", "TI", "MLD", "PAF", "relative_gap_pct"]


@SETTINGS
@given(data=subgroups(), c=st.floats(0.1, 1.0), seed=st.integers(0, 99))
def test_summary_measures_scale_and_row_order(data, c, seed):
    base = measures(data)["value"]
    scaled = measures(data.assign(est=c * data["est"]))["value"]
    np.testing.assert_allclose(scaled[ABSOLUTE].astype(float), c * base[ABSOLUTE].astype(float), rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(scaled[RELATIVE].astype(float), base[RELATIVE].astype(float), rtol=1e-7,
                               atol=1e-9)
    np.testing.assert_allclose(scaled["BGV"], c**2 * base["BGV"], rtol=1e-9, atol=1e-12)
    shuffled = measures(data.sample(frac=1, random_state=seed))["value"]
    np.testing.assert_allclose(shuffled.astype(float), base.astype(float), rtol=1e-9, atol=1e-9)


@SETTINGS
@given(data=subgroups(), ordered=st.booleans())
def test_summary_measures_signs_follow_heat(data, ordered):
    order = "order" if ordered else None
    fav = measures(data, favourable=True, order=order)["value"]
    adv = measures(data, favourable=False, order=order)["value"]
    for out in (fav, adv):
        assert (out[["BGV", "BGSD", "COV", "MDBW", "MDBU", "MDMW", "MDMU", "IDISW", "IDISU"]] >= -1e-12).all()
        assert out["TI"] >= -1e-9 and out["MLD"] >= -1e-9
    assert fav["PAR"] >= 0 and adv["PAR"] <= 0 and fav["PAF"] >= 0 and adv["PAF"] <= 0
    if ordered:  # D turns round with the indicator's polarity; SII does not (HEAT, PHE)
        np.testing.assert_allclose(fav["D"], -adv["D"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(fav["SII"], adv["SII"], rtol=1e-12)
    else:  # highest minus lowest, whatever the polarity
        assert fav["D"] >= 0 and adv["D"] >= 0
        assert np.isnan(fav["SII"]) and np.isnan(fav["ACI"])


@SETTINGS
@given(data=subgroups())
def test_summary_measures_match_direct_formulas(data):
    out = measures(data, favourable=True)["value"]
    y, p = data["est"].to_numpy(), data["pop"].to_numpy() / data["pop"].sum()
    mu = (p * y).sum()
    n = len(y)
    np.testing.assert_allclose(out["MDBU"], np.abs(y - y.max()).sum() / n, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out["MDMW"], (p * np.abs(y - mu)).sum(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out["IDISU"], 100 / n * np.abs(y - mu).sum() / mu, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out["TI"], 1000 * (p * y / mu * np.log(y / mu)).sum(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out["MLD"], -1000 * (p * np.log(y / mu)).sum(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out["COV"], 100 * np.sqrt((p * (y - mu) ** 2).sum()) / mu, rtol=1e-9)
    np.testing.assert_allclose(out["PAR"], max(y[-1] - mu, 0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(out["D"], y[-1] - y[0], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(a=subgroups(), b=subgroups())
def test_summary_measures_by_group_equal_separate_calls(a, b):
    both = pd.concat([a.assign(ind="a"), b.assign(ind="b")], ignore_index=True)
    together = summary_measures(both, "group", "est", "pop", se="se", order="order", favourable=False,
                                by="ind", scale=100)
    apart = pd.concat([summary_measures(d, "group", "est", "pop", se="se", order="order", favourable=False,
                                        scale=100).assign(ind=name) for name, d in (("a", a), ("b", b))],
                      ignore_index=True)
    closed_form = ~together["measure"].isin(["BGSD", "COV", "MDBW", "MDBU", "MDMW", "MDMU", "IDISW", "IDISU"])
    for column in ("value", "se", "lower_95", "upper_95"):
        np.testing.assert_allclose(together.loc[closed_form, column].astype(float),
                                   apart.loc[closed_form.to_numpy(), column].astype(float), rtol=1e-9,
                                   atol=1e-12)
    np.testing.assert_allclose(together["value"].astype(float), apart["value"].astype(float), rtol=1e-9,
                               atol=1e-12)


def test_summary_measures_reference_group_and_non_ordered_choice():
    data = pd.DataFrame({"group": ["North", "South", "East", "West"], "pop": [100, 200, 300, 400],
                         "est": [10.0, 30.0, 20.0, 40.0]})
    no_ref = summary_measures(data, "group", "est", "pop", favourable=True).set_index("measure")
    assert no_ref.loc["D", "value"] == 30  # highest minus lowest
    fav = summary_measures(data, "group", "est", "pop", favourable=True, reference="East")
    fav = fav.set_index("measure")
    assert fav.loc["D", "value"] == 10  # reference minus lowest
    adv = summary_measures(data, "group", "est", "pop", favourable=False, reference="East")
    adv = adv.set_index("measure")
    assert adv.loc["D", "value"] == 20 and adv.loc["R", "value"] == 2  # highest over reference
    assert "'West' is worse off" in adv.loc["D", "interpretation"]
    two = summary_measures(data.iloc[:2], "group", "est", "pop", favourable=True).set_index("measure")
    assert np.isfinite(two.loc["D", "value"]) and np.isnan(two.loc["BGV", "value"])
    assert "more than two subgroups" in two.loc["BGV", "interpretation"]


def test_summary_measures_simulated_limits_bracket_the_estimate():
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"group": list("abcde"), "order": range(1, 6), "pop": rng.integers(100, 1000, 5),
                         "est": [30.0, 25, 22, 18, 12], "se": [1.0, 1, 1, 1, 1]})
    out = summary_measures(data, "group", "est", "pop", se="se", order="order", favourable=False, scale=100,
                           simulations=2000, seed=4).set_index("measure")
    for name in ("BGSD", "COV", "MDBW", "MDMW", "IDISW"):
        assert out.loc[name, "lower_95"] < out.loc[name, "value"] < out.loc[name, "upper_95"], name
    again = summary_measures(data, "group", "est", "pop", se="se", order="order", favourable=False, scale=100,
                             simulations=2000, seed=4)
    np.testing.assert_array_equal(again["lower_95"].to_numpy(), out["lower_95"].to_numpy())


def test_summary_measures_healthequal_limits_reproduce_its_scaling():
    data = pd.DataFrame({"group": list("abcde"), "order": range(1, 6), "pop": [120, 110, 105, 100, 95],
                         "est": [24.0, 19.5, 15.2, 12.1, 9.8], "se": [0.12, 0.12, 0.11, 0.10, 0.10]})
    ours = measures(data, se="se", scale=100)
    theirs = measures(data, se="se", scale=100, healthequal_limits=True)
    for name, factor in (("TI", 1000), ("MLD", 1000), ("PAF", 100)):
        np.testing.assert_allclose(theirs.loc[name, "se"] * factor, ours.loc[name, "se"], rtol=1e-12)
    same = ~ours.index.isin(["TI", "MLD", "PAF"])
    np.testing.assert_allclose(theirs.loc[same, "se"].astype(float), ours.loc[same, "se"].astype(float))


@SETTINGS
@given(data=area_deciles())
def test_sii_most_deprived_highest_label(data):
    k = data["q"].max()
    flipped = data.assign(q=k + 1 - data["q"])
    base = quiet(sii, data, "q", "pop", "value", se="se", limits="analytic").iloc[0]
    other = quiet(sii, flipped, "q", "pop", "value", se="se", limits="analytic",
                  most_deprived="highest").iloc[0]
    for column in ("sii", "rii", "intercept", "sii_lower_95", "sii_upper_95"):
        np.testing.assert_allclose(other[column], base[column], rtol=1e-9, atol=1e-12)


def test_sii_interpretation_quotes_the_gap_on_the_sii_scale():
    """With multiplier=-100 (percentages; higher is worse) the words quote the SII's own size."""
    d = pd.DataFrame({"decile": range(1, 11), "pop": [7000] * 10, "se": [0.003] * 10,
                      "p": np.linspace(0.12, 0.06, 10)})
    out = sii(d, "decile", "pop", "p", se="se", limits="analytic", favourable=False, multiplier=-100)
    size = f"{abs(out.loc[0, 'sii']):.3g}"
    assert f"the fitted value is {size} higher at the most deprived end" in out.loc[0, "interpretation"]


def test_sii_interpretation_says_what_zero_means():
    """The words name 0 as the value of no gradient, so that 'exclude 0' cannot be read as 'no gradient'."""
    d = pd.DataFrame({"decile": range(1, 11), "pop": [7000] * 10, "se": [0.3] * 10,
                      "steep": np.linspace(70, 80, 10), "flat": [75.0, 75.2] * 5})
    steep = sii(d, "decile", "pop", "steep", se="se", limits="analytic", favourable=True)
    flat = sii(d, "decile", "pop", "flat", se="se", limits="analytic", favourable=True)
    assert steep.loc[0, "interpretation"].endswith("the 95% limits exclude 0 (0 would mean no gradient)")
    assert flat.loc[0, "interpretation"].endswith(
        "the 95% limits include 0 (0 would mean no gradient), so the gap could be chance")


# --------------------------------------------------------------------------------------------------
# The closed-form weighted least squares against statsmodels (issue 11)
# --------------------------------------------------------------------------------------------------

def _statsmodels_fit(pop, y, cov_type):
    """statsmodels WLS of y on the relative rank with population weights, for one group in order."""
    import statsmodels.api as sm

    share = pop / pop.sum()
    rank = np.cumsum(share) - share / 2
    fit = sm.WLS(y, sm.add_constant(rank), weights=pop).fit(cov_type=cov_type)
    return fit, share, rank


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sii_and_hc1_closed_forms_equal_statsmodels_wls(seed):
    """summary_measures' SII, intercept and RII standard errors are statsmodels WLS(...).fit(cov_type="HC1")
    to 1e-9, and sii()'s line is its fit, for groups of 3 to 12 subgroups laid out together (padded)."""
    rng = np.random.default_rng(seed)
    frames = []
    for g in range(60):
        k = int(rng.integers(3, 13))
        order = rng.permutation(k) + 1
        frames.append(pd.DataFrame({"ind": f"i{g}", "order": order, "group": [f"q{o}" for o in order],
                                    "pop": rng.integers(50, 100_000, k).astype(float),
                                    "est": rng.uniform(1, 99, k) + 0.5 * order * rng.normal(1, 1),
                                    "se": rng.uniform(0.1, 3, k)}))
    data = pd.concat(frames, ignore_index=True)
    out = summary_measures(data, "group", "est", "pop", se="se", order="order", favourable=False,
                           by="ind").set_index(["ind", "measure"])
    for ind, part in data.groupby("ind"):
        part = part.sort_values("order")
        fit, _, _ = _statsmodels_fit(part["pop"].to_numpy(), part["est"].to_numpy(), "HC1")
        (b0, b1), cov = fit.params, fit.cov_params()
        np.testing.assert_allclose(out.loc[(ind, "SII"), ["value", "se"]].astype(float),
                                   [b1, np.sqrt(cov[1, 1])], rtol=1e-9)
        np.testing.assert_allclose(out.loc[(ind, "SII_intercept"), ["value", "se"]].astype(float),
                                   [b0, np.sqrt(cov[0, 0])], rtol=1e-9)
        gradient = np.array([1 / (b0 + b1) - 1 / b0, 1 / (b0 + b1)])  # d ln RII / d(b0, b1)
        np.testing.assert_allclose(out.loc[(ind, "RII"), "se"], np.sqrt(gradient @ cov @ gradient), rtol=1e-9)

    deciles = pd.DataFrame({"area": np.repeat(np.arange(40), 10), "decile": np.tile(np.arange(1, 11), 40),
                            "pop": rng.integers(1000, 50_000, 400).astype(float),
                            "value": rng.normal(75, 3, 400)})
    line = sii(deciles, "decile", "pop", "value", by="area", limits=None).set_index("area")
    for area, part in deciles.groupby("area"):
        fit, _, _ = _statsmodels_fit(part["pop"].to_numpy(), part["value"].to_numpy(), "nonrobust")
        np.testing.assert_allclose(line.loc[area, ["intercept", "sii"]].astype(float), fit.params, rtol=1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_concentration_se_equals_statsmodels_wls(seed):
    """ACI = 2 Sxx b1 and its convenient-regression se = 2 Sxx se(b1), the classical WLS se (O'Donnell et
    al. 2008), as statsmodels WLS(...).fit() gives it."""
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"area": np.repeat(np.arange(30), 7), "order": np.tile(np.arange(1, 8), 30),
                         "pop": rng.integers(100, 20_000, 210).astype(float), "y": rng.uniform(5, 60, 210)})
    out = concentration_index(data, "y", "pop", "order", by="area", kind="absolute").set_index("area")
    for area, part in data.groupby("area"):
        fit, share, rank = _statsmodels_fit(part["pop"].to_numpy(), part["y"].to_numpy(), "nonrobust")
        sxx = (share * (rank - (share * rank).sum()) ** 2).sum()
        np.testing.assert_allclose(out.loc[area, ["value", "se"]].astype(float),
                                   [2 * sxx * fit.params[1], 2 * sxx * fit.bse[1]], rtol=1e-9)
