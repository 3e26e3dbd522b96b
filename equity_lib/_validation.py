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
    # Only the labels shown are formatted: a million flagged rows cost no more than five.
    shown = [repr(label) if isinstance(label, str) else str(label) for label in labels[:_MAX_ROWS_SHOWN]]
    if len(labels) == 1:
        return f"row {shown[0]}"
    rest = len(labels) - len(shown)
    if rest:
        return f"rows {', '.join(shown)} and {rest} more"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def as_written(value) -> str:
    """A value as a user wrote it, for messages: ``1``, not ``np.int64(1)`` (numpy 2's repr)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def in_sentence(column: str, label) -> str:
    """A group's label in a sentence: text as it is ('White', '2024/25'), a number with its column
    ('imd_quintile 1'), so that "1 is higher than 5" reads "imd_quintile 1 is higher than imd_quintile 5"."""
    if isinstance(label, (int, float, np.integer, np.floating)) and not isinstance(label, (bool, np.bool_)):
        return f"{column} {as_written(label)}"
    return str(label)


def require_dataframe(data) -> None:
    """``data`` is a DataFrame with one level of column names (a MultiIndex of columns is refused)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"data must be a pandas DataFrame, not {type(data).__name__}. "
            "Fix: pass a DataFrame, e.g. pandas.read_csv('extract.csv')."
        )
    if isinstance(data.columns, pd.MultiIndex):
        shown = ", ".join(repr(c) for c in list(data.columns)[:3])
        raise TypeError(
            f"data has {data.columns.nlevels} levels of column names (a MultiIndex: {shown}, ...), but "
            "equity_lib takes a tidy table with one name per column. Fix: join the levels, "
            "data.columns = ['_'.join(map(str, c)) for c in data.columns], or drop the levels you do not "
            "need with data.columns = data.columns.droplevel(0) (or, after a pivot, use data.stack() or "
            "data.reset_index() to get one row per value)."
        )


def column_names(named: dict, *, optional: bool = False, hint: str = "column name") -> None:
    """Each argument that names a column is text (``named``: argument name -> what was passed; with
    ``optional``, None means not given). Otherwise a TypeError naming the argument and the fix."""
    for name, column in named.items():
        if (column is None and optional) or isinstance(column, str):
            continue
        raise TypeError(f"{name} must be a column name (text), not {column!r}. Fix: pass "
                        f"{name}='<{hint}>'.")


def by_not_an_output(keys: list[str], outputs: Iterable[str]) -> None:
    """A by column must not share a name with a column the function returns (its limits included)."""
    clash = [k for k in keys if k in outputs or k.startswith(("lower_", "upper_"))]
    if clash:
        raise ValueError(f"by column(s) {clash} have the name of a column this function returns. Fix: rename "
                         "them first, e.g. data.rename(columns={...}).")


def require_columns(data: pd.DataFrame, columns: Iterable[str | None]) -> None:
    """Every named column exists, once (a name shared by two columns is refused)."""
    columns = [c for c in columns if c is not None]
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(
            f"Column(s) {missing} not found in data. Available columns: {list(data.columns)}. "
            "Fix: pass the name of a column that exists."
        )
    for column in dict.fromkeys(columns):
        _single_column(data, column)


def _single_column(data: pd.DataFrame, column) -> pd.Series:
    """data[column] as a Series; a name shared by several columns is an error naming it and the fix."""
    if isinstance(data.columns, pd.MultiIndex):
        require_dataframe(data)  # the MultiIndex message and its fix
    series = data[column]
    if isinstance(series, pd.DataFrame):
        raise ValueError(
            f"data has {series.shape[1]} columns named {column!r}, so it is not clear which to use. Fix: "
            "rename or drop the others, e.g. data = data.loc[:, ~data.columns.duplicated()] to keep the "
            "first."
        )
    return series


def numeric_column(data: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float64, missing values as NaN; any other non-numeric value is an error.

    Refused with an error naming the column, the rows and the fix: text that is not a number, dates,
    durations, true/false, complex numbers (whose imaginary part would otherwise be dropped) and
    infinite values.
    """
    series = _single_column(data, column)
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        raise TypeError(
            f"Column '{column}' holds dates or durations, not numbers. Fix: pass the column of values "
            "(a date column belongs in time=)."
        )
    if pd.api.types.is_bool_dtype(series):
        raise TypeError(
            f"Column '{column}' holds true/false values, not numbers. Fix: pass a numeric column."
        )
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True).startswith(("mixed",
                                                                                            "boolean")):
        # pandas would read a True among numbers as 1: only mixed columns need the per-value look
        flags = series.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)
        if flags.any():
            raise TypeError(
                f"Column '{column}' mixes true/false values with numbers at "
                f"{rows_phrase(list(data.index[flags]))}; a True would be read as 1. Fix: correct those "
                "values (or, if they are meant as 1/0, convert the column on purpose with "
                f"data['{column}'].astype(float))."
            )
    if series.dtype in (np.float64, np.float32, np.int64, np.int32, np.int16, np.int8, np.uint8,
                        np.uint16, np.uint32):
        values = series.to_numpy(dtype="float64")  # plain numbers: nothing to convert or refuse
        return _finite(data, column, values)
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        labels = list(data.index[bad.to_numpy()])
        examples = ", ".join(repr(v) for v in series[bad].head(3))
        raise ValueError(
            f"Column '{column}' has non-numeric values ({examples}) at {rows_phrase(labels)}. "
            "Fix: correct or remove those values; leave a value empty (missing) if it is unknown."
        )
    if converted.dtype.kind == "c":
        present = series.notna().to_numpy()
        imaginary = present & (np.imag(converted.to_numpy()) != 0)
        rows = imaginary if imaginary.any() else present
        examples = ", ".join(repr(v) for v in series[rows].head(3))
        raise TypeError(
            f"Column '{column}' holds complex numbers ({examples}) at {rows_phrase(list(data.index[rows]))}; "
            "equity_lib works with real numbers and will not drop the imaginary part for you. Fix: "
            "correct the values upstream (a square root or log of a negative number?); if every "
            f"imaginary part is 0, keep the real part: data['{column}'] = "
            f"np.real(data['{column}'].astype(complex))."
        )
    return _finite(data, column, converted.to_numpy(dtype="float64", na_value=np.nan))


def _finite(data: pd.DataFrame, column: str, values: np.ndarray) -> np.ndarray:
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
    raise TypeError(f"by must be a column name or a list of column names, not {by!r}. Fix: e.g. "
                    "by='area' or by=['area', 'year'].")


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


#: The largest count equity_lib accepts: 2**53, beyond which float64 (in which counts are summed and
#: divided) no longer holds every whole number exactly, far below int64's limit of about 9.2e18.
MAX_COUNT = 2**53


def count_column(data: pd.DataFrame, column: str) -> np.ndarray:
    """The column as int64 counts: numeric, present, whole, not negative and at most :data:`MAX_COUNT`
    (2**53, about 9.0e15), else a clear error."""
    values = numeric_column(data, column)
    fail_rows(data, np.isnan(values), f"Column '{column}' has missing counts",
              "fill in 0 where there were none, or drop the row.")
    fail_rows(data, values < 0, f"Column '{column}' has negative counts",
              "counts cannot be negative; correct the extract.")
    fail_rows(data, values != np.floor(values), f"Column '{column}' has counts that are not whole numbers",
              "counts of people or events are whole numbers; round or correct them before this step "
              "(a rate or a weighted figure is not a count).")
    too_large(data, column, values)
    return values.astype(np.int64)


def too_large(data: pd.DataFrame, column: str, values: np.ndarray, what: str = "counts") -> None:
    """Error naming the rows whose value is above :data:`MAX_COUNT` (where whole numbers stop being exact)."""
    with np.errstate(invalid="ignore"):
        fail_rows(data, np.abs(values) > MAX_COUNT,
                  f"Column '{column}' has {what} above 2**53 (9,007,199,254,740,992), too large to hold "
                  "exactly (and beyond int64 they would wrap round to nonsense)",
                  "check the column is a count and not an identifier, a code or a sum in other units; "
                  "if it is an identifier, pass it as a label (text) instead.")


def total_fits(column: str, values: np.ndarray, codes: np.ndarray | None = None,
               keys: pd.DataFrame | None = None) -> None:
    """Error if the counts, summed (per group when ``codes`` are given), pass :data:`MAX_COUNT`."""
    if codes is None:
        totals = np.array([values.sum(dtype="float64")])
    else:
        totals = np.bincount(codes, weights=values.astype("float64"), minlength=0 if keys is None
                             else len(keys))
    over = np.flatnonzero(totals > MAX_COUNT)
    if over.size:
        where = "" if keys is None or keys.shape[1] == 0 else " for " + ", ".join(
            f"{c}={keys.iloc[over[0]][c]!r}" for c in keys.columns)
        raise ValueError(f"Column '{column}' adds up to {totals[over[0]]:.3g}{where}, above 2**53 "
                         "(9,007,199,254,740,992): too large to count exactly. Fix: check the column is a "
                         "count (not an identifier or a code), or split the data into smaller groups.")


def missing_labels(data: pd.DataFrame, columns: Iterable[str | None], role: str) -> None:
    """Error naming the rows whose label in any of ``columns`` is missing (``role``: what the column does)."""
    for column in columns:
        if column is None:
            continue
        absent = _single_column(data, column).isna().to_numpy()
        fail_rows(data, absent, f"Column '{column}' ({role}) has a missing label",
                  f"give every row its label in '{column}', or drop those rows "
                  f"(data = data.dropna(subset=['{column}'])).")


def check_bool(value, name: str) -> bool:
    """True or False (numpy's too); anything else, "no" and 0 included, is a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {value!r}. Fix: pass {name}=True or "
                        f"{name}=False.")
    return bool(value)


def number_sequence(values, name: str, what: str = "numbers") -> np.ndarray:
    """A list (or array, Series) of real, finite numbers as float64; missing entries stay NaN.

    The list form of an argument that could also be a column gets the column's checks: text, true/false,
    complex and infinite entries are errors naming their positions.
    """
    array = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=object) \
        if not isinstance(values, np.ndarray) or values.dtype.kind not in "iuf" else values
    if array.dtype.kind == "O":
        for i, item in enumerate(array.ravel()):
            if item is None or item is pd.NA or (isinstance(item, (float, np.floating)) and np.isnan(item)):
                continue
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, float, np.integer,
                                                                              np.floating)):
                raise TypeError(f"{name} holds {item!r} at position {i}, which is not a real number. Fix: "
                                f"give {name} as {what}, e.g. [120.0, 95.5, ...].")
        array = np.array([np.nan if (v is None or v is pd.NA) else v for v in array.ravel()],
                         dtype="float64").reshape(array.shape)
    array = array.astype("float64")
    infinite = np.flatnonzero(np.isinf(array))
    if infinite.size:
        raise ValueError(f"{name} has an infinite value at position {infinite[0]}. Fix: correct it (a "
                         "division by zero upstream?).")
    return array


def whole_number(name: str, value, minimum: int, fix: str = "") -> int:
    """A parameter that must be a whole number of at least `minimum` (True/False are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}."
                         + (f" Fix: {fix}" if fix else ""))
    return int(value)
