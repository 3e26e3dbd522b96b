"""The HEAT measures' simulated limits redraw each estimate from a truncated normal distribution.

The sampler (normal draws, those outside the range replaced by exact inverse-CDF draws) must give
exactly that distribution: checked against scipy's truncnorm with a Kolmogorov-Smirnov test, where the
truncation is heavy (an estimate near 0 or near 100 with a large standard error) and where it is light.
"""

import numpy as np
import pytest
from scipy import stats

from equity_lib.inequality.heat import _truncated_normal

CASES = [  # (estimate, standard error, upper bound)
    (1.0, 2.0, 100.0),      # most of the normal lies below 0
    (99.0, 3.0, 100.0),     # most lies above 100
    (0.05, 0.2, 1.0),       # a proportion near 0
    (50.0, 5.0, 100.0),     # hardly truncated
    (0.5, 4.0, np.inf),     # unbounded above
]


@pytest.mark.parametrize(("y", "s", "top"), CASES)
def test_draws_follow_the_truncated_normal(y, s, top):
    rng = np.random.default_rng(20261206)
    n = 20_000
    draws = _truncated_normal(np.full((1, 1, 1), y), np.full((1, 1, 1), s), np.full((1, 1, 1), top), n,
                              rng, rng.spawn(1)[0]).ravel()
    assert draws.shape == (n,)
    assert draws.min() >= 0 and draws.max() <= top
    a, b = (0 - y) / s, (top - y) / s
    result = stats.kstest(draws, stats.truncnorm(a, b, loc=y, scale=s).cdf)
    # at n = 20,000 a sampler off by 0.015 in any CDF value fails (the KS statistic's 0.1% point is 0.0138)
    assert result.pvalue > 0.001, f"KS statistic {result.statistic:.4f}, p = {result.pvalue:.2g}"


def test_a_sampler_without_the_truncation_would_fail_the_same_check():
    """The check has power: plain normal draws clipped at 0 are not the truncated distribution."""
    rng = np.random.default_rng(20261206)
    y, s = 1.0, 2.0
    clipped = np.clip(rng.normal(y, s, 20_000), 0, None)
    assert stats.kstest(clipped, stats.truncnorm(-y / s, np.inf, loc=y, scale=s).cdf).pvalue < 1e-6


def test_several_subgroups_and_groups_each_keep_their_own_range():
    rng = np.random.default_rng(7)
    y = np.array([[1.0, 50.0], [99.0, 0.2]])[:, :, None]  # (subgroups, groups, 1)
    s = np.array([[3.0, 1.0], [3.0, 0.5]])[:, :, None]
    top = np.array([100.0, np.inf])[None, :, None]
    draws = _truncated_normal(y, s, top, 5_000, rng, rng.spawn(1)[0])
    assert draws.shape == (2, 2, 5_000)
    assert (draws >= 0).all() and (draws[:, 0] <= 100).all()
    assert draws[1, 0].max() <= 100 and draws[1, 0].mean() < 99  # pushed down from the bound
