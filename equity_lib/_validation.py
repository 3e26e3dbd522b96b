"""Input checks shared by every equity_lib function.

Bad input gets a clear error, never a silent wrong number: each message names the column, the rows
(by their index label in the caller's DataFrame) and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

_MAX_ROWS_SHOWN = 5


def rows_phrase(labels: Sequence) -> str:
    """'row 3' / 'rows 3, 7 and 9' / 'rows 3, 7, 9, 12, 15 and 20 more', for error messages."""
    labels = [repr(label) if isinstance(label, str) else str(label) for label in labels]
    if len(labels) == 1:
        return f"row {labels[0]}"
    shown = labels[:_MAX_ROWS_SHOWN]
    rest = len(labels) - len(shown)
    if rest:
        return f"rows {', '.join(shown)} and {rest} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def require_dataframe(data) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"data must be a pandas DataFrame, not {type(data).__name__}. "
            "Fix: pass a DataFrame, e.g. pandas.read_csv('extract.csv')."
        )


def require_columns(data: pd.DataFrame, columns: Iterable[str | None]) -> None:
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise KeyError(
            f"Column(s) {missing} not found in data. Available columns: {list(data.columns)}. "
            "Fix: pass the name of a column that exists."
        )


def numeric_column(data: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64, missing values as NaN; any other non-numeric value is an error."""
    series = data[column]
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        raise TypeError(
            f"Column '{column}' holds dates or durations, not numbers. Fix: pass the column of values "
            "(a date column belongs in time=)."
        )
    if pd.api.types.is_bool_dtype(series):
        raise TypeError(
            f"Column '{column}' holds true/false values, not numbers. Fix: pass a numeric column."
        )
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        labels = list(data.index[bad.to_numpy()])
        examples = ", ".join(repr(v) for v in series[bad].head(3))
        raise ValueError(
            f"Column '{column}' has non-numeric values ({examples}) at {rows_phrase(labels)}. "
            "Fix: correct or remove those values; leave a value empty (missing) if it is unknown."
        )
    values = converted.to_numpy(dtype="float64", na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise ValueError(
            f"Column '{column}' has infinite values at {rows_phrase(list(data.index[infinite]))}. "
            "Fix: correct those values (a division by zero upstream?)."
        )
    return values


def fail_rows(data: pd.DataFrame, mask: np.ndarray, message: str, fix: str) -> None:
    """Raise ValueError naming the rows where mask is true, if any."""
    if mask.any():
        raise ValueError(f"{message} at {rows_phrase(list(data.index[mask]))}. Fix: {fix}")


# --- helpers shared by the rate, ratio and funnel functions (equity_lib.rates, equity_lib.funnel) ---

def confidence_levels(confidence) -> tuple[float, ...]:
    """One confidence level or several, as a tuple of floats strictly between 0 and 1.

    ``0.95`` and ``(0.95, 0.998)`` are accepted; ``95`` (a percentage), ``1.5``, ``0``, ``1``, text,
    true/false and repeated levels are errors that say what to pass instead.
    """
    levels = confidence if isinstance(confidence, (list, tuple, np.ndarray, pd.Series)) else [confidence]
    if len(levels) == 0:
        raise ValueError("confidence is empty. Fix: pass a level such as 0.95, or several as (0.95, 0.998).")
    out = []
    for level in levels:
        if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, float, np.integer,
                                                                         np.floating)):
            raise TypeError(f"confidence level {level!r} is not a number. "
                            "Fix: pass e.g. 0.95 or (0.95, 0.998).")
        level = float(level)
        if not (0 < level < 1):
            hint = f" For {level:g}% pass {level / 100:g}." if 1 < level < 100 else ""
            raise ValueError(f"confidence level {level:g} is not between 0 and 1 (exclusive).{hint} "
                             "Fix: pass a proportion, e.g. 0.95 for 95% or 0.998 for 99.8%.")
        out.append(level)
    suffixes = [level_suffix(level) for level in out]
    if len(set(suffixes)) < len(suffixes):
        raise ValueError(f"confidence {tuple(out)} repeats a level. Fix: give each level once.")
    return tuple(out)


def level_suffix(level: float) -> str:
    """Column-name suffix of a confidence level: 0.95 -> '95', 0.998 -> '99_8', 0.9 -> '90'."""
    return f"{round(level * 100, 8):g}".replace(".", "_")


def positive_number(value, name: str, example: str) -> float:
    """A finite number greater than 0 (e.g. a multiplier), else an error naming the argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a number greater than 0, not {value!r}. Fix: pass e.g. {example}.")
    return float(value)


def by_columns(by) -> list[str]:
    """`by` as a list of column names: None -> [], 'area' -> ['area'], ['a', 'b'] unchanged."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    if isinstance(by, (list, tuple)) and all(isinstance(b, str) for b in by):
        if len(set(by)) < len(by):
            raise ValueError(f"by={list(by)} names a column twice. Fix: name each grouping column once.")
        return list(by)
    raise TypeError(f"by must be a column name or a list of column names, not {by!r}.")


def group_codes(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group id (0..k-1) of each row, and the k groups' keys (sorted; a missing key is a group).

    With ``by`` empty every row is in group 0 and the key frame has one row and no columns.
    """
    if not by:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=range(1 if len(data) else 0))
    grouped = data.groupby(by, sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    keys = grouped.size().index.to_frame(index=False)
    keys.columns = by
    for column in by:  # keep the caller's dtypes (to_frame can turn categories and ints into objects)
        try:
            keys[column] = keys[column].astype(data[column].dtype)
        except (TypeError, ValueError):
            pass
    return codes, keys


def count_column(data: pd.DataFrame, column: str) -> np.ndarray:
    """The column as int64 counts: numeric, present, whole and not negative, else a clear error."""
    values = numeric_column(data, column)
    fail_rows(data, np.isnan(values), f"Column '{column}' has missing counts",
              "fill in 0 where there were none, or drop the row.")
    fail_rows(data, values < 0, f"Column '{column}' has negative counts",
              "counts cannot be negative; correct the extract.")
    fail_rows(data, values != np.floor(values), f"Column '{column}' has counts that are not whole numbers",
              "counts of people or events are whole numbers; round or correct them before this step "
              "(a rate or a weighted figure is not a count).")
    return values.astype(np.int64)


def whole_number(name: str, value, minimum: int, fix: str = "") -> int:
    """A parameter that must be a whole number of at least `minimum` (True/False are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}."
                         + (f" Fix: {fix}" if fix else ""))
    return int(value)
