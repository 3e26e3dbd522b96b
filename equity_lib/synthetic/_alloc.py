"""Small helpers shared by the generators: whole numbers that add up, and seeded draws."""

from __future__ import annotations

import numpy as np


def round_to_total(weights: np.ndarray, total: np.ndarray | int) -> np.ndarray:
    """Whole numbers in proportion to ``weights`` (along the last axis) that add up to ``total`` exactly.

    Largest-remainder rounding: scale the weights to the total, take the floor, then give the units
    still missing to the largest remainders (ties: the earlier position). ``weights`` must be
    non-negative; a row of zero weights spreads its total evenly.
    """
    w = np.asarray(weights, dtype=float)
    total = np.asarray(total, dtype=np.int64)
    sums = w.sum(axis=-1, keepdims=True)
    w = np.where(sums > 0, w, 1.0)
    x = w * (total[..., None] / w.sum(axis=-1, keepdims=True))
    base = np.floor(x)
    short = total - base.sum(axis=-1).astype(np.int64)
    order = np.argsort(-(x - base), axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(w.shape[-1]), order.shape), axis=-1)
    return (base + (ranks < short[..., None])).astype(np.int64)


def noisy_split(
    rng: np.random.Generator,
    expected: np.ndarray,
    total: np.ndarray,
    sd_factor: float = 1.0,
    extra_cv: float = 0.0,
) -> np.ndarray:
    """Split ``total`` over the last axis around ``expected`` counts, with sampling-like noise.

    Each expected count gets Gaussian noise of SD ``sd_factor * sqrt(expected) + extra_cv * expected``
    (clipped at zero); the result is then rounded to whole numbers that add up to ``total`` exactly.
    """
    expected = np.asarray(expected, dtype=float)
    sd = sd_factor * np.sqrt(expected) + extra_cv * expected
    noisy = np.clip(expected + sd * rng.standard_normal(expected.shape), 0, None)
    return round_to_total(noisy, total)


def draw_categories(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category index per row of ``probs`` (rows need not be normalised), vectorised."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1)


def draw_within(rng: np.random.Generator, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One category per item: item i is drawn from row ``group[i]`` of ``weights`` [groups, categories].

    Vectorised with one sorted search: row g's cumulative shares are laid out on (g, g + 1].
    Every row used must have a positive sum.
    """
    w = np.asarray(weights, dtype=float)
    n_groups, n_cats = w.shape
    sums = w.sum(axis=1, keepdims=True)
    cum = np.cumsum(w, axis=1) / np.where(sums > 0, sums, 1.0)
    flat = (np.arange(n_groups)[:, None] + cum).ravel()
    group = np.asarray(group, dtype=np.int64)
    position = np.searchsorted(flat, group + rng.random(group.size), side="right")
    return np.clip(position - group * n_cats, 0, n_cats - 1)
