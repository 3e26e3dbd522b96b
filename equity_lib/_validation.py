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
