"""The vectorised paths that keep a million rows fast (issue 12, "cliffs in scale") give what a plain
per-group or per-row computation gives. The speed itself is measured by benchmarks/bench_scale.py
(`make bench`), not here."""

import subprocess
import sys

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from equity_lib import concentration_index, funnel_chart, group_gap, sii, summary_measures
from equity_lib.funnel import _one_sided, proportion_funnel
from equity_lib.inequality._common import format_number, number_key, text_column, z_value
from equity_lib.inequality.heat import _row_quantiles, _subgroup_sum, _text
from equity_lib.overdispersion import dispersion_test
from equity_lib.rates import _z

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------------
# group_gap: counts pooled per key, a key with any missing count missing
# --------------------------------------------------------------------------------------------------

@st.composite
def pooled_counts(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows = draw(st.integers(1, 80))
    d = pd.DataFrame({"trust": rng.choice(["A", "B", "C"], rows), "month": rng.integers(1, 5, rows),
                      "q": rng.choice([1, 3, 5], rows)})
    d["n"] = rng.integers(1, 200, rows).astype(float)
    d["events"] = np.floor(d["n"] * rng.random(rows))
    for column in ("n", "events"):
        d.loc[rng.random(rows) < draw(st.sampled_from([0.0, 0.1, 0.4])), column] = np.nan
    return d


def _plain_gap(d, by):
    """The gap table the slow way: one group of rows at a time, in Python."""
    cells = {}
    for key, part in d[d["q"].isin([1, 5])].groupby([*by, "month", "q"], sort=True):
        complete = part["events"].notna().all() and part["n"].notna().all()
        cells[key] = (part["events"].sum(), part["n"].sum()) if complete else (np.nan, np.nan)
    rows = []
    for key in sorted({k[:-1] for k in cells}):
        focus = cells.get((*key, 1), (np.nan, np.nan))
        reference = cells.get((*key, 5), (np.nan, np.nan))
        f_value = 100 * focus[0] / focus[1]
        r_value = 100 * reference[0] / reference[1]
        rows.append((*key, f_value, r_value, f_value - r_value, *focus, *reference))
    return pd.DataFrame(rows, columns=[*by, "month", "focus_value", "reference_value", "gap",
                                       "focus_numerator", "focus_denominator", "reference_numerator",
                                       "reference_denominator"])


@SETTINGS
@given(d=pooled_counts(), by_trust=st.booleans())
def test_group_gap_equals_a_per_group_computation(d, by_trust):
    if not {1, 5} <= set(d["q"]):
        return
    by = ["trust"] if by_trust else []
    out = group_gap(d, time="month", group="q", focus=1, reference=5, numerator="events", denominator="n",
                    by=by or None)
    expected = _plain_gap(d, by)
    got = out[expected.columns].reset_index(drop=True)
    got = got.astype({c: float for c in expected.columns if c not in (*by, "month")})
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12, atol=0)


# --------------------------------------------------------------------------------------------------
# Sentences built once per distinct sentence equal sentences built row by row
# --------------------------------------------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e8, max_value=1e8),
    st.integers(-10**8, 10**8).map(float),
    st.sampled_from([0.0, -0.0, 1.0, 0.125, 0.5, 2.5, 1.005, 9.995, 99.95, 999.5, 1e-4, 1e7, 9999999.5,
                     0.000999999999, 0.99999999, 1.00000001]),
    # values near a power of ten and halfway between rounded values
    st.builds(lambda k, d: 10.0**k * (1 + d), st.integers(-5, 7), st.floats(-1e-9, 1e-9)),
    st.builds(lambda m, k: (m + 0.5) / 10.0**k, st.integers(100, 999), st.integers(0, 6)),
)


@SETTINGS
@given(values=st.lists(numbers, min_size=1, max_size=60))
def test_number_key_separates_every_difference_a_sentence_can_show(values):
    v = np.array(values + [round(x, 2) for x in values if np.isfinite(x)], dtype=float)

    def quoted(i):
        x = v[i]
        return (format_number(x), format_number(abs(x)), bool(x > 0), bool(x == 0), bool(x < 0), bool(x > 1),
                bool(x == 1), bool(np.isfinite(x)))

    column = text_column(number_key(v), lambda i: repr(quoted(i)))
    assert list(column) == [repr(quoted(i)) for i in range(len(v))]
    assert column.dtype == "str"


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), ordered=st.booleans(), reference=st.booleans())
def test_summary_measures_sentences_equal_one_sentence_per_group(seed, ordered, reference):
    rng = np.random.default_rng(seed)
    groups = 40
    sizes = rng.integers(2, 7, groups)
    rows = np.repeat(np.arange(groups), sizes)
    slot = np.concatenate([np.arange(k) for k in sizes])
    d = pd.DataFrame({"area": rows, "order": slot + 1, "label": np.array(list("ABCDEFG"))[slot],
                      "pop": rng.integers(10, 1000, rows.size),
                      "y": np.round(rng.choice([0.5, 5.0, 50.0]) * rng.random(rows.size), rng.integers(0, 3)),
                      "fav": np.repeat(rng.random(groups) < 0.5, sizes), "ref": (slot == 1).astype(int)})
    out = summary_measures(d, "label", "y", "pop", favourable="fav", by="area",
                           order="order" if ordered else None, reference="ref" if reference else None)
    first = d.groupby("area").first()
    sample = out.set_index(["area", "measure"]).sample(60, random_state=seed % 1000)
    for (area, measure), row in sample.iterrows():
        part = d[d["area"] == area]
        alone = summary_measures(part, "label", "y", "pop", favourable=bool(first.loc[area, "fav"]),
                                 order="order" if ordered else None, reference="ref" if reference else None)
        assert row["interpretation"] == alone.set_index("measure").loc[measure, "interpretation"]
    # and each sentence is the one _text writes for that value
    one = out[out["area"] == 0].set_index("measure")
    assert one.loc["weighted_mean", "interpretation"] == _text(
        "weighted_mean", one.loc["weighted_mean", "value"], bool(first.loc[0, "fav"]), sizes[0], ordered,
        reference and not ordered, "", "", "")


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), favourable=st.sampled_from([None, True, False]))
def test_concentration_and_sii_sentences_equal_separate_calls(seed, favourable):
    rng = np.random.default_rng(seed)
    areas = 12
    d = pd.DataFrame({"area": np.repeat(np.arange(areas), 5), "q": np.tile(np.arange(1, 6), areas),
                      "pop": rng.integers(100, 1000, areas * 5),
                      "y": np.round(20 + rng.normal(0, 3, areas * 5), 1),
                      "se": rng.uniform(0.1, 2, areas * 5)})
    d.loc[d["area"] == 3, "y"] = 20.0  # no gradient at all
    ci = concentration_index(d, "y", "pop", "q", by="area", favourable=favourable)
    fit = sii(d, "q", "pop", "y", se="se", by="area", limits="analytic", favourable=favourable)
    for area in range(areas):
        part = d[d["area"] == area]
        alone_ci = concentration_index(part, "y", "pop", "q", favourable=favourable)
        assert list(ci.loc[ci["area"] == area, "interpretation"]) == list(alone_ci["interpretation"])
        alone_sii = sii(part, "q", "pop", "y", se="se", limits="analytic", favourable=favourable)
        assert fit.loc[fit["area"] == area, "interpretation"].item() == alone_sii["interpretation"].item()


# --------------------------------------------------------------------------------------------------
# The simulation's sums and percentiles are numpy's, bit for bit
# --------------------------------------------------------------------------------------------------

@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), terms=st.integers(1, 140), zeros=st.booleans())
def test_subgroup_sum_is_numpys_sum_along_the_last_axis(seed, terms, zeros):
    rng = np.random.default_rng(seed)
    planes = rng.normal(0, 1, (terms, 7, 3)) * 10.0 ** rng.integers(-8, 8, (terms, 7, 3))
    if zeros:
        planes[:, 0, :] = -0.0
    expected = np.stack(list(planes), axis=-1).sum(axis=-1)
    got = _subgroup_sum(list(planes))
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), width=st.integers(1, 120),
       levels=st.lists(st.floats(0.01, 0.999), min_size=1, max_size=3), nan=st.booleans())
def test_row_quantiles_are_numpys_quantiles(seed, width, levels, nan):
    rng = np.random.default_rng(seed)
    draws = rng.normal(0, 1, (9, width)) * rng.choice([1.0, 1e-300, 1e300], (9, 1))
    draws[2] = np.round(draws[2])  # ties
    if nan:
        draws[4, width // 2] = np.nan
        draws[5, :] = np.inf
    probs = sorted({q for level in levels for q in ((1 - level) / 2, (1 + level) / 2)})
    with np.errstate(invalid="ignore"):
        expected = np.quantile(draws, probs, axis=1)
    np.testing.assert_array_equal(_row_quantiles(draws, probs), expected)


def test_simulated_limits_do_not_depend_on_the_batch_size():
    rng = np.random.default_rng(7)
    d = pd.DataFrame({"area": np.repeat(np.arange(30), 6), "q": np.tile(np.arange(1, 7), 30),
                      "pop": rng.integers(100, 1000, 180), "y": rng.uniform(5, 60, 180),
                      "se": rng.uniform(0.5, 4, 180)})
    from equity_lib.inequality import heat
    args = dict(favourable=False, se="se", order="q", by="area", scale=100, seed=3)
    default = summary_measures(d, "q", "y", "pop", **args)
    original = heat._simulate.__defaults__
    try:
        heat._simulate.__defaults__ = (1000,)  # a few groups per batch
        small = summary_measures(d, "q", "y", "pop", **args)
    finally:
        heat._simulate.__defaults__ = original
    pd.testing.assert_frame_equal(small, default, check_exact=True)


# --------------------------------------------------------------------------------------------------
# scipy.stats replaced by the scipy.special function it evaluates; not imported by the modules
# --------------------------------------------------------------------------------------------------

@SETTINGS
@given(level=st.floats(0.5, 0.999999999))
def test_normal_quantiles_equal_scipy_stats(level):
    expected = stats.norm.ppf(1 - (1 - level) / 2)
    assert z_value(level) == expected
    assert _z(level) == expected
    n = np.array([100.0])
    lower, upper = proportion_funnel(n, 0.3, level)
    half = stats.norm.ppf(_one_sided(level)) * np.sqrt(0.3 * (1 - 0.3) / n)
    np.testing.assert_array_equal(lower, 0.3 - half)
    np.testing.assert_array_equal(upper, 0.3 + half)


def test_dispersion_p_value_is_the_chi_square_tail():
    z = np.random.default_rng(2).normal(0, 1.5, 40)
    test = dispersion_test(z)
    assert test.p_value == stats.chi2.sf(40 * test.phi, 39)


def test_computing_modules_do_not_import_scipy_stats():
    # (equity_lib.process_control still does: its engine imports scipy.stats.chi2)
    modules = ("equity_lib.rates", "equity_lib.funnel", "equity_lib.inequality", "equity_lib.focus",
               "equity_lib.quality", "equity_lib.overdispersion")
    code = f"import sys\nimport {', '.join(modules)}\nprint('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_funnel_signal_is_the_widest_limit_crossed():
    rng = np.random.default_rng(5)
    den = rng.integers(50, 5000, 300)
    d = pd.DataFrame({"num": rng.binomial(den, rng.uniform(0.1, 0.3, 300)), "den": den})
    table = funnel_chart(d, "num", "den", confidence=(0.8, 0.95, 0.998), overdispersion="additive").table
    for _, row in table.iterrows():
        expected = "within limits"
        for level, suffix in ((0.8, "80"), (0.95, "95"), (0.998, "99_8")):
            if row["value"] > row[f"upper_{suffix}"]:
                expected = f"above {level * 100:g}% limit"
            elif row["value"] < row[f"lower_{suffix}"]:
                expected = f"below {level * 100:g}% limit"
        assert row["signal"] == expected
