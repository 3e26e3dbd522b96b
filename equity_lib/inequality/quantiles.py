"""``assign_quantiles``: deprivation quintiles, deciles or other quantiles from a score, 1 = most deprived."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from equity_lib._validation import (
    by_columns,
    column_names,
    fail_rows,
    group_codes,
    missing_labels,
    numeric_column,
    require_columns,
    require_dataframe,
)
from equity_lib.inequality._common import group_name

INVERTED = "lowest quantile represents highest values"
NOT_INVERTED = "lowest quantile represents lowest values"


def assign_quantiles(data: pd.DataFrame, value: str, nquantiles: int = 10, *,
                     by: str | list[str] | None = None, invert: bool | str = True) -> pd.DataFrame:
    """Assign each row to a quantile of ``value`` (e.g. a small area's deprivation score), within groups.

    The method of the PHE Technical Guide *Assigning deprivation categories* as PHEindicatormethods
    2.1.0's ``phe_quantile`` applies it. In each group the N rows with a value are ranked, ties sharing
    the lowest rank (rank 1 = the highest value when ``invert`` is true, the lowest otherwise), and

        quantile = floor(nquantiles x (rank - 1) / N) + 1

    (computed in integer arithmetic, so a value on a boundary is never misplaced by rounding). Tied values
    therefore always share a quantile, which can make quantiles unequal in size; the Technical Guide
    advises reviewing small areas of equal rank that straddle a boundary.

    Parameters
    ----------
    data : DataFrame
        One row per small area (or other unit).
    value : str
        Column of scores to rank, e.g. the IMD score (higher = more deprived).
    nquantiles : int
        Number of quantiles: 5 for quintiles, 10 for deciles (default).
    by : str or list of str, optional
        Assign quantiles separately within each group (e.g. within each region). A missing label is an
        error: the rows would otherwise be ranked among themselves as a group of their own.
    invert : bool or str
        True (default): the highest values go to quantile 1, so with a deprivation score (higher = more
        deprived) quantile 1 is the most deprived, as equity_lib always labels deprivation. False: the
        lowest values go to quantile 1 (e.g. an income score, where low = deprived). A column name: that
        column's true/false value, which must be the same throughout each group.

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``quantile`` (nullable integer; missing where ``value`` is missing or the
        group has fewer values than quantiles), ``nquantiles`` and ``qinverted`` (which end quantile 1 is,
        in words).

    Warns
    -----
    UserWarning
        When a group has fewer values than quantiles: its quantiles are left missing (as phe_quantile).
    """
    require_dataframe(data)
    by = by_columns(by)
    if isinstance(nquantiles, (bool, np.bool_)) or not isinstance(nquantiles, (int, np.integer)) \
            or nquantiles < 2:
        raise ValueError(f"nquantiles must be a whole number of at least 2, not {nquantiles!r}. "
                         "Fix: pass e.g. 5 for quintiles or 10 for deciles.")
    nquantiles = int(nquantiles)
    column_names({"value": value})
    invert_column = invert if isinstance(invert, str) else None
    if invert_column is None and not isinstance(invert, (bool, np.bool_)):
        raise TypeError(f"invert must be True, False or the name of a column of true/false values, not "
                        f"{invert!r}.")
    require_columns(data, [value, *by, invert_column])
    added = [c for c in ("quantile", "nquantiles", "qinverted") if c in data.columns]
    if added:
        raise ValueError(f"data already has column(s) {added}, which assign_quantiles adds. "
                         "Fix: rename or drop them first.")

    missing_labels(data, by, "by: the groups ranked separately")
    scores = numeric_column(data, value)
    codes, keys = group_codes(data, by)
    if invert_column is None:
        inverted = np.full(len(data), bool(invert))
    else:
        inverted = _invert_column(data, invert_column, codes, keys)

    has_value = ~np.isnan(scores)
    # Rank 1 = the value that goes to quantile 1: the highest when inverted (rank on -value), ties "min".
    key = pd.Series(np.where(inverted, -scores, scores), index=data.index)
    rank = key.groupby(codes).rank(method="min", na_option="keep").to_numpy()
    counts = np.bincount(codes, weights=has_value, minlength=len(keys)).astype(np.int64)
    n = counts[codes]
    too_few = has_value & (n < nquantiles)
    quantile = np.full(len(data), -1, dtype=np.int64)
    ok = has_value & ~too_few
    quantile[ok] = (nquantiles * (rank[ok].astype(np.int64) - 1)) // n[ok] + 1

    if too_few.any():
        short = np.unique(codes[too_few])
        names = "; ".join(group_name(keys, g) for g in short[:3])
        more = f" and {short.size - 3} more" if short.size > 3 else ""
        warnings.warn(f"{short.size} group(s) have fewer values than the {nquantiles} quantiles asked for "
                      f"({names}{more}); their quantiles are left missing. Fix: use fewer quantiles or "
                      "larger groups.", UserWarning, stacklevel=2)

    out = data.copy()
    out["quantile"] = pd.arrays.IntegerArray(np.where(quantile > 0, quantile, 0), quantile < 0)
    out["nquantiles"] = nquantiles
    out["qinverted"] = np.where(inverted, INVERTED, NOT_INVERTED)
    return out


def _invert_column(data, column, codes, keys) -> np.ndarray:
    series = data[column]
    fail_rows(data, series.isna().to_numpy(), f"Column '{column}' (invert) is missing",
              "give every row True or False.")
    if not pd.api.types.is_bool_dtype(series):
        bad = ~series.isin([True, False])
        fail_rows(data, bad.to_numpy(), f"Column '{column}' (invert) has values other than True/False",
                  "use True (highest values in quantile 1) or False (lowest values in quantile 1).")
    flags = series.astype(bool).to_numpy()
    mixed = np.bincount(codes, weights=flags, minlength=len(keys))
    size = np.bincount(codes, minlength=len(keys))
    bad_groups = np.flatnonzero((mixed > 0) & (mixed < size))
    if bad_groups.size:
        where = group_name(keys, bad_groups[0]) + (" and other groups" if bad_groups.size > 1 else "")
        raise ValueError(f"Column '{column}' (invert) is not the same throughout {where}. Fix: one "
                         "direction per group (add the column that separates them to by=).")
    return flags
