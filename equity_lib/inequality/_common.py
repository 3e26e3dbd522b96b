"""Plumbing shared by the inequality functions: groups as padded 2-D arrays, ranks, weighted regression.

Every measure here works on many groups (areas, indicators) at once. Rows are sorted by group and by
their order within the group, then laid out as a ``(groups, slots)`` array padded with zero weights, so
that each formula is a sum along ``axis=1`` and no Python loop runs over groups or rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import group_codes, rows_phrase


def z_value(level: float) -> float:
    """Two-sided standard normal quantile: 1.959964 for 0.95, 3.090232 for 0.998 (``ndtri``, the function
    ``scipy.stats.norm.ppf`` evaluates, without importing scipy.stats)."""
    return float(special.ndtri(1 - (1 - level) / 2))


def check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {value!r}.")
    return bool(value)


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {list(choices)}. Fix: pass one of those.")
    return value


def check_favourable(favourable, name: str = "favourable"):
    """True (higher is better), False (higher is worse) or None (not stated)."""
    if favourable is None or isinstance(favourable, (bool, np.bool_)):
        return None if favourable is None else bool(favourable)
    raise TypeError(f"{name} must be True (higher values are better), False (higher values are worse) or "
                    f"None, not {favourable!r}.")


def group_name(keys: pd.DataFrame, g: int) -> str:
    """'area=Area1, sex=F' for error messages; 'the data' when there is no grouping."""
    if keys.shape[1] == 0:
        return "the data"
    return ", ".join(f"{column}={keys.iloc[g][column]!r}" for column in keys.columns)


@dataclass
class Layout:
    """Rows of ``data`` laid out as a (groups, slots) grid, each group's rows in ascending ``order_key``.

    ``rows[g, j]`` is the position in ``data`` of group g's j-th row (-1 in a padding slot), ``mask``
    marks real slots and ``size`` counts each group's rows.
    """

    keys: pd.DataFrame
    codes: np.ndarray
    rows: np.ndarray
    mask: np.ndarray
    size: np.ndarray

    @property
    def n_groups(self) -> int:
        return self.rows.shape[0]

    def grid(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """Per-row values as a (groups, slots) array, ``fill`` in the padding."""
        out = np.full(self.rows.shape, fill, dtype="float64")
        out[self.mask] = values[self.rows[self.mask]]
        return out


def layout(data: pd.DataFrame, by: list[str], order_key: np.ndarray | None) -> Layout:
    """Group ``data`` by ``by`` and sort each group's rows by ``order_key`` (input order if None)."""
    codes, keys = group_codes(data, by)
    n_groups = len(keys)
    key = np.zeros(len(data)) if order_key is None else order_key
    order = np.lexsort((np.arange(len(data)), key, codes))
    sorted_codes = codes[order]
    size = np.bincount(codes, minlength=n_groups)
    starts = np.r_[0, np.cumsum(size)[:-1]]
    slot = np.arange(len(data)) - starts[sorted_codes]
    width = int(size.max()) if n_groups else 0
    rows = np.full((n_groups, width), -1, dtype=np.int64)
    rows[sorted_codes, slot] = order
    return Layout(keys=keys, codes=codes, rows=rows, mask=rows >= 0, size=size)


def duplicated_order(data: pd.DataFrame, lay: Layout, order_values: np.ndarray, column: str,
                     what: str) -> None:
    """Error if a group has two rows with the same order value (a quantile given twice)."""
    ordered = lay.grid(order_values, fill=np.nan)
    same = (ordered[:, 1:] == ordered[:, :-1]) & lay.mask[:, 1:]
    if same.any():
        g, j = np.argwhere(same)[0]
        labels = list(data.index[lay.rows[g, j:j + 2]])
        raise ValueError(
            f"{group_name(lay.keys, g)} has two rows for {what} {ordered[g, j]:g} (column '{column}', "
            f"{rows_phrase(labels)}). Fix: give each {what} one row per group (sum the populations and "
            "events first), or pass by= to separate the groups.")


def relative_rank(share: np.ndarray) -> np.ndarray:
    """Cumulative population share to the midpoint of each slot: r_j = sum_{i<j} a_i + a_j / 2.

    ``share`` is (groups, slots) with rows summing to 1 (zeros in padding); the first slot (most
    deprived) gets the smallest rank. Low & Low (2004); PHE Technical Guide, slope index of inequality.
    """
    return np.cumsum(share, axis=1) - share / 2


def wls_line(share: np.ndarray, rank: np.ndarray, y: np.ndarray):
    """Population-weighted least squares of y on rank, for every group (row) at once.

    With weights a_j (summing to 1): rbar = sum a r, ybar = sum a y, Sxx = sum a (r - rbar)^2,
    slope b1 = sum a (r - rbar)(y - ybar) / Sxx, intercept b0 = ybar - b1 rbar. Returns b0, b1 and the
    coefficient vectors c (b1 = sum c_j y_j) and d (b0 = sum d_j y_j), which carry every variance:
    c_j = a_j (r_j - rbar) / Sxx, d_j = a_j - rbar c_j.

    This is statsmodels' ``WLS(y, [1, r], weights=a).fit()`` written in closed form for all groups at once:
    statsmodels fits one group per call, and a Python loop over groups was 770 times slower (0.79 s
    against 1 ms for 1,000 areas x 10 deciles), so the closed form stays; the tests check it against
    statsmodels WLS to 1e-9 on random data (tests/test_inequality_properties.py).
    """
    rbar = (share * rank).sum(axis=1, keepdims=True)
    dev = rank - rbar
    sxx = (share * dev**2).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = share * dev / sxx
    d = share - rbar * c
    return (d * y).sum(axis=1), (c * y).sum(axis=1), c, d


_POWERS_OF_TEN = 10.0 ** np.arange(7)  # exact


def number_key(values) -> list[np.ndarray]:
    """Two integer columns that are equal for two values exactly when :func:`format_number` writes them
    alike and they are alike in sign and in their side of 1 (what the sentences about them test).

    The first column is the value within the branch of :func:`format_number` it takes: the whole number;
    for three significant figures with ``d`` decimals, ``d`` and the value rounded to ``d`` decimals,
    times 10^d (a value within 1e-6 of halfway is left to Python's exact rounding: it goes to the last
    branch); the float's own bits when not finite and in the last branch. The second packs the branch
    (0 not finite, 1 whole, 2 three significant figures, 3 otherwise) with the signs of the value and of
    ``value - 1`` (-1, 0, 1, or 2 when missing).
    """
    v = np.asarray(values, dtype="float64")
    magnitude = np.abs(v)
    finite = np.isfinite(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        in_range = magnitude < 1e7  # false for infinite and missing values
        whole = (v == np.floor(v)) & in_range
        ordinary = ~whole & (magnitude >= 1e-4) & in_range
        # 3 significant figures: 2 - floor(log10 |v|) decimals (0 to 6 in this range)
        digits = np.where(ordinary, np.maximum(0.0, 2 - np.floor(np.log10(magnitude))), 0.0).astype(np.int64)
    scaled = np.where(ordinary, magnitude, 0.0) * _POWERS_OF_TEN[digits]
    ordinary &= np.abs(scaled - np.floor(scaled) - 0.5) >= 1e-6
    branch = np.select([~finite, whole, ordinary], [0, 1, 2], 3)
    within = np.where(whole, v, 0.0).astype(np.int64)
    within = np.where(ordinary, digits * 2**40 + np.rint(scaled).astype(np.int64), within)
    within = np.where((branch == 0) | (branch == 3), v.view(np.int64), within)

    def side(x):
        with np.errstate(invalid="ignore"):
            return (x > 0).view(np.int8) - (x < 0).view(np.int8) + np.where(np.isnan(x), 3, 1)  # 0 to 3

    return [within, (side(v) * 4 + side(v - 1)) * 4 + branch]


def distinct_rows(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For rows described by equal-length key arrays: each row's combination code (0, 1, ... in order of
    first appearance) and the first row of each combination."""
    n = len(keys[0])
    code, size = np.zeros(n, dtype=np.int64), 1
    for key in keys:
        key = np.asarray(key)
        top = int(key.max()) + 1 if n and key.dtype.kind in "iu" and key.min() >= 0 else None
        if top is not None and top <= 2**16:
            key_codes, count = key.astype(np.int64, copy=False), top  # small whole numbers: codes already
        else:
            key_codes, uniques = pd.factorize(key, use_na_sentinel=False)
            count = max(len(uniques), 1)
        if size * count >= 2**62:  # renumber before the combined code could overflow
            code, uniques = pd.factorize(code)
            size = max(len(uniques), 1)
        code, size = code * count + key_codes, size * count
    code, _ = pd.factorize(code)
    previous_max = np.maximum.accumulate(np.r_[-1, code[:-1]]) if n else code
    return code, np.flatnonzero(code > previous_max)


def text_codes(keys: list[np.ndarray], build) -> tuple[np.ndarray, list[str]]:
    """``build(i)``, a sentence about row ``i``, for every row: each row's code into a list of the distinct
    sentences. ``build`` is called once per distinct combination of ``keys``, which must hold everything
    the sentence depends on (e.g. :func:`number_key` of the numbers it quotes): a million rows cost a
    Python call per distinct sentence, not per row."""
    code, first = distinct_rows(keys)
    return code, [build(i) for i in first]


def text_column(keys: list[np.ndarray], build):
    """As :func:`text_codes`, as a column of text (pandas' ``str`` dtype) with a sentence per row."""
    code, texts = text_codes(keys, build)
    return pd.array(texts, dtype="str").take(code)


def format_number(value: float) -> str:
    """Numbers in sentences: 3 significant figures, no scientific notation for ordinary sizes."""
    value = float(value)  # Python's math on one number: numpy's scalar functions cost more than the format
    if not math.isfinite(value):
        return "missing"
    if value.is_integer() and abs(value) < 1e7:
        return f"{int(value):,}"
    magnitude = abs(value)
    if 1e-4 <= magnitude < 1e7:
        digits = max(0, 2 - math.floor(math.log10(magnitude)))
        return f"{value:,.{digits}f}"
    return f"{value:.3g}"


def format_rounded(value: float) -> str:
    """:func:`format_number` after rounding away float noise at 12 significant figures:
    68.00000000000001 (a percentage computed as 100 x 0.68) is '68', not '68.0'."""
    return format_number(float(f"{value:.12g}"))
