"""Your own extract in a known shape: the book's datasets' shapes, or one you declare.

* :func:`columns` - the data dictionary of one dataset: each column's type, unit, allowed codes and
  meaning, i.e. what a team's extract needs to hold to run that lesson on its own data.
* :class:`Shape` and :class:`Column` - declare the shape of your own table: each column's name, type
  (date, integer, number, code, text), whether it may be missing, its allowed codes (your own list, or
  a national code list by name: ``equity_lib.datasets.NATIONAL_CODES``) and the columns that identify a row.
* :func:`conform` - check a team's DataFrame against a lesson's dataset or a declared shape and
  return it typed exactly as :func:`equity_lib.datasets.load` types the synthetic data (ordered
  categoricals with 1 = most deprived, int64 counts, datetime64 dates, sorted by the key), or say
  precisely what to fix.

A lesson's dataset is checked as a :class:`Shape` made from its entry in the registry, so a book
dataset and a declared shape go through the same checks. National code lists are enforced (IMD
deciles 1-10 and quintiles 1-5, the 19 ESP2013 age bands, sex F/M, NHS ethnic category codes with Z
and 99, the broad ethnic groups). A lesson's local codes (trusts, treatment functions, financial
years, names) are the team's own: any value is accepted, kept in order of first appearance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from equity_lib._validation import fail_rows, numeric_column, require_dataframe, rows_phrase, too_large
from equity_lib.datasets._registry import (
    AGE_BAND,
    ETHNIC_RECORDED,
    IMD_DECILE,
    IMD_QUINTILE,
    REGISTRY,
    SEX,
    DatasetSpec,
    Field,
)
from equity_lib.quality import _normalised_text

_NATIONAL_FIELDS: dict[str, Field] = {
    f.name: f for f in (IMD_DECILE, IMD_QUINTILE, AGE_BAND, SEX, ETHNIC_RECORDED,
                        *(f for f in REGISTRY["outpatients_weekly"].fields if f.name == "ethnic_group"))
}

#: The national code lists :func:`conform` enforces, by name, each in its order: a :class:`Column` can
#: name one as its ``codes`` (e.g. ``codes="imd_quintile"``).
NATIONAL_CODES: dict[str, tuple] = {name: f.codes for name, f in _NATIONAL_FIELDS.items()}

_CODE_FIXES = {
    "imd_decile": "use the national IMD decile of the patient's small area, 1 = most deprived, 10 = least "
                  "(check the direction: some sources number 1 as least deprived)",
    "imd_quintile": "use the national IMD quintile, 1 = most deprived, 5 = least (deciles 1-2 are "
                    "quintile 1)",
    "age_band": "band ages into the 19 ESP2013 bands '0-4', '5-9', ..., '85-89', '90+'",
    "sex": "code sex as 'F' or 'M' (e.g. map 1 -> 'M', 2 -> 'F'); keep unknowns out of rate calculations",
    "ethnic_category": "map local codes to NHS ethnic categories with equity_lib.quality.map_ethnicity, "
                       "keeping 'Z' (not stated) and '99' (not known)",
    "ethnic_group": "use the broad groups White, Mixed, Asian, Black, Other, Not stated, Not known",
}

#: The types a :class:`Column` can have.
TYPES = ("date", "integer", "number", "code", "text")


def _fail(message: str) -> None:
    raise ValueError(message)


@dataclass(frozen=True)
class Column:
    """One column of a declared :class:`Shape`.

    Parameters
    ----------
    name : str
        The column's name (after ``conform``'s ``rename``).
    type : str
        ``"date"`` (ISO ``YYYY-MM-DD`` text, or dates; typed datetime64), ``"integer"`` (whole numbers,
        e.g. counts; int64, or Int64 when missing values are allowed), ``"number"`` (float64),
        ``"code"`` (a categorical) or ``"text"`` (trimmed text).
    codes : tuple or str, optional
        For a code column, its allowed codes in order (e.g. ``("RA1", "RB2")``), or the name of a
        national code list in ``equity_lib.datasets.NATIONAL_CODES`` (``"imd_decile"``, ``"imd_quintile"``,
        ``"age_band"``, ``"sex"``, ``"ethnic_category"``, ``"ethnic_group"``). Any other value is an
        error naming it and its rows: nothing is mapped for you. Without ``codes`` any value is
        accepted, in order of first appearance.
    missing : bool
        Whether a value may be missing (empty). Default ``False``: a missing value is an error.
    ordered : bool, optional
        Whether the codes have an order (a national list keeps its own: IMD and age bands are ordered).
    minimum, maximum : float, optional
        Smallest and largest allowed value of an integer or number column (a count has ``minimum=0``).
    fix : str, optional
        What to tell whoever supplies a value that is not one of ``codes`` (the end of the error).
    """

    name: str
    type: str
    codes: tuple | str | None = None
    missing: bool = False
    ordered: bool | None = None
    minimum: float | None = None
    maximum: float | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"Column name must be text, not {self.name!r}. Fix: e.g. "
                            "Column('month', 'date').")
        where = f"Column '{self.name}'"
        if self.type not in TYPES:
            _fail(f"{where} has type {self.type!r}. Fix: use one of {', '.join(map(repr, TYPES))}.")
        for flag in ("missing", "ordered"):
            value = getattr(self, flag)
            if not isinstance(value, (bool, np.bool_)) and not (flag == "ordered" and value is None):
                raise TypeError(f"{where}: {flag} must be True or False, not {value!r}.")
        if self.codes is not None:
            if self.type != "code":
                _fail(f"{where} has codes but type {self.type!r}. Fix: declare it type='code', or drop "
                      "codes.")
            if isinstance(self.codes, str):
                if self.codes not in NATIONAL_CODES:
                    _fail(f"{where}: codes={self.codes!r} is not a national code list. Fix: name one of "
                          f"{', '.join(map(repr, NATIONAL_CODES))}, or give the codes themselves, e.g. "
                          "codes=('A', 'B').")
            else:
                try:
                    codes = tuple(self.codes)
                except TypeError as err:
                    raise TypeError(f"{where}: codes must be a list of codes or the name of a national "
                                    f"list, not {self.codes!r}.") from err
                object.__setattr__(self, "codes", codes)
                if not codes:
                    _fail(f"{where} has an empty list of codes. Fix: list the allowed codes, or leave "
                          "codes out to accept any value.")
                text = _normalised_text(pd.Series(codes, dtype=object), upper=False)
                if text.isna().any():
                    _fail(f"{where} lists a blank code. Fix: remove it (declare missing=True if a value "
                          "may be missing).")
                repeated = sorted(set(text[text.duplicated()]))
                if repeated:
                    _fail(f"{where} lists code(s) {repeated} more than once (7, 7.0 and '7' are the same "
                          "code). Fix: list each code once.")
        for bound in ("minimum", "maximum"):
            value = getattr(self, bound)
            if value is not None and self.type not in ("integer", "number"):
                _fail(f"{where} has a {bound} but type {self.type!r}. Fix: drop {bound}, or declare the "
                      "column 'integer' or 'number'.")
            if value is not None and (isinstance(value, (bool, np.bool_))
                                      or not isinstance(value, (int, float, np.integer, np.floating))):
                raise TypeError(f"{where}: {bound} must be a number, not {value!r}.")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            _fail(f"{where} has minimum {self.minimum:g} above maximum {self.maximum:g}. Fix: swap them.")

    @property
    def allowed(self) -> tuple | None:
        """The allowed codes in order (a national list's, when ``codes`` names one); None: any value."""
        return NATIONAL_CODES[self.codes] if isinstance(self.codes, str) else self.codes

    @property
    def is_ordered(self) -> bool:
        """Whether the codes are typed as ordered (``ordered`` if given, else as the national list is)."""
        if self.ordered is not None:
            return bool(self.ordered)
        return isinstance(self.codes, str) and _NATIONAL_FIELDS[self.codes].ordered


@dataclass(frozen=True)
class Shape:
    """The shape of a team's own table: its columns and, optionally, the columns that identify a row.

    Parameters
    ----------
    columns : list of Column
        Every column the table must have, in the order :func:`conform` returns them; each name once.
    key : list of str, optional
        Columns that together identify a row (e.g. ``["site", "month"]``): :func:`conform` rejects
        duplicate combinations and sorts by them. Key columns cannot be declared ``missing=True``.

    Examples
    --------
    >>> from equity_lib.datasets import Column, Shape
    >>> clinics = Shape([Column("month", "date"), Column("clinic", "code"),
    ...                  Column("imd_quintile", "code", codes="imd_quintile"),
    ...                  Column("appointments", "integer", minimum=0)],
    ...                 key=["clinic", "imd_quintile", "month"])
    """

    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.columns, Column) or isinstance(self.columns, str):
            raise TypeError("Shape takes a list of Columns. Fix: Shape([Column('month', 'date'), ...]).")
        columns = tuple(self.columns)
        not_columns = [c for c in columns if not isinstance(c, Column)]
        if not_columns:
            raise TypeError(f"Shape's columns must be Columns, not {not_columns[0]!r}. Fix: declare each "
                            "one as Column(name, type, ...).")
        if not columns:
            _fail("The shape has no columns. Fix: declare at least one Column.")
        names = [c.name for c in columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            _fail(f"The shape declares column(s) {repeated} more than once. Fix: declare each column once "
                  "(a Column per name).")
        key = (self.key,) if isinstance(self.key, str) else tuple(self.key)
        unknown = [k for k in key if k not in names]
        if unknown:
            _fail(f"The shape's key names column(s) {unknown} that it does not declare. Its columns: "
                  f"{names}. Fix: declare them, or remove them from key.")
        if len(set(key)) < len(key):
            _fail(f"The shape's key {list(key)} names a column twice. Fix: name each key column once.")
        optional = [k for k in key if columns[names.index(k)].missing]
        if optional:
            _fail(f"Key column(s) {optional} are declared missing=True, but a row must have its key. Fix: "
                  "declare them missing=False, or leave them out of key.")
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "key", key)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _book_column(f: Field) -> Column:
    """A registry field as the Column conform checks: the book's rules for a team's extract."""
    if f.type == "date":
        return Column(f.name, "date")
    if f.codes is not None:
        if f.name in NATIONAL_CODES:  # the dataset's own list: population_ethnicity has no Z or 99
            return Column(f.name, "code", codes=f.codes, ordered=f.ordered, fix=_CODE_FIXES[f.name])
        return Column(f.name, "code", ordered=f.ordered)  # local codes: the team's own values
    if f.type in ("integer", "number"):
        # Only the minimum: a maximum describes the synthetic data (104 weeks), not a real list.
        return Column(f.name, f.type, missing=f.type == "number", minimum=f.minimum)
    return Column(f.name, "text")


def _book_shape(spec: DatasetSpec) -> Shape:
    return Shape([_book_column(f) for f in spec.fields], key=spec.primary_key)


def _spec(like: str) -> DatasetSpec:
    spec = REGISTRY.get(like) if isinstance(like, str) else None
    if spec is None:
        raise ValueError(f"Unknown dataset {like!r}. Fix: pass one of {', '.join(sorted(REGISTRY))}.")
    return spec


def columns(like: str) -> pd.DataFrame:
    """The columns an extract needs to take the shape of dataset ``like``.

    Returns
    -------
    DataFrame
        One row per column, in the dataset's order: ``column``, ``type`` (Table Schema: string,
        integer, number, date), ``unit``, ``codes`` (the allowed values, in order, for national code
        lists; "your own codes" for local ones; empty otherwise), ``key`` (part of the dataset's
        primary key: one row per combination) and ``meaning``.
    """
    spec = _spec(like)
    rows = []
    for f in spec.fields:
        if f.codes is None:
            codes = ""
        elif f.name in NATIONAL_CODES:
            codes = ", ".join(map(str, f.codes))
        else:
            codes = "your own codes"
        rows.append({"column": f.name, "type": f.type, "unit": f.unit or "", "codes": codes,
                     "key": f.name in spec.primary_key, "meaning": f.description})
    return pd.DataFrame(rows)


def _as_text(series: pd.Series) -> pd.Series:
    """Codes as trimmed text; whole numbers read from numbers or text alike (7, 7.0, '7' -> '7'): the
    normalisation equity_lib.quality uses for the same codes, so the two agree on what a code is."""
    return _normalised_text(series, upper=False)


_MISSING_FIXES = {
    "date": "give every row its date, or drop those rows",
    "integer": "fill in the value (0 for a count with none), or drop those rows",
    "number": "fill in the value, or drop those rows",
    "code": "give every row its code (for ethnicity, '99' is 'not known'), or drop those rows",
    "text": "fill in the value, or drop those rows",
}


def _no_missing(frame: pd.DataFrame, column: Column, absent: np.ndarray) -> None:
    if not column.missing:
        fail_rows(frame, absent, f"Column '{column.name}' is missing",
                  f"{_MISSING_FIXES[column.type]} (a column that may be empty is declared missing=True).")


def _typed(frame: pd.DataFrame, column: Column):
    """One column of the extract checked against its declaration and typed."""
    name, series = column.name, frame[column.name]
    if column.type == "date":
        parsed = series if pd.api.types.is_datetime64_any_dtype(series) else \
            pd.to_datetime(series, format="%Y-%m-%d", errors="coerce")
        fail_rows(frame, (parsed.isna() & series.notna()).to_numpy(),
                  f"Column '{name}' has values that are not dates",
                  "write dates as YYYY-MM-DD (a month as its 1st day), or parse them before.")
        _no_missing(frame, column, series.isna().to_numpy())
        return parsed.astype("datetime64[ns]")
    if column.type in ("integer", "number"):
        values = numeric_column(frame, name)
        absent = np.isnan(values)
        _no_missing(frame, column, absent)
        with np.errstate(invalid="ignore"):
            if column.type == "integer":
                fail_rows(frame, ~absent & (values != np.round(values)),
                          f"Column '{name}' has values that are not whole numbers",
                          "pass counts, not rates or percentages.")
                too_large(frame, name, values, "values")
            if column.minimum is not None:
                fix = "counts cannot be negative; correct the extract." if column.minimum == 0 else \
                    f"values must be at least {column.minimum:g}; correct the extract."
                fail_rows(frame, values < column.minimum,
                          f"Column '{name}' has values below {column.minimum:g}", fix)
            if column.maximum is not None:
                fail_rows(frame, values > column.maximum,
                          f"Column '{name}' has values above {column.maximum:g}",
                          f"values must be at most {column.maximum:g}; correct the extract.")
        if column.type == "number":
            return values
        return pd.array(values, dtype="Int64") if column.missing else values.astype("int64")
    if column.type == "text":  # as given, trimmed (not read as a code: '007' stays '007')
        text = series.astype("string").str.strip()
        text = text.mask(text == "")
        _no_missing(frame, column, text.isna().to_numpy())
        return text.astype(str)
    text = _as_text(series)
    absent = text.isna().to_numpy()
    allowed = column.allowed
    if allowed is None:  # any value, in order of first appearance
        _no_missing(frame, column, absent)
        return pd.Categorical(text, categories=list(pd.unique(text.dropna().astype(str))),
                              ordered=column.is_ordered)
    allowed_text = _as_text(pd.Series(allowed, dtype=object))
    bad = ~absent & ~text.isin(allowed_text).to_numpy()
    if bad.any():
        unknown = pd.unique(text[bad])
        shown = ", ".join(repr(v) for v in unknown[:5]) + (f" and {len(unknown) - 5} more"
                                                          if len(unknown) > 5 else "")
        listed = ", ".join(map(str, allowed[:12])) + (", ..." if len(allowed) > 12 else "")
        fix = column.fix or (_CODE_FIXES[column.codes] if isinstance(column.codes, str) else
                             f"recode them to one of the column's codes ({listed}), or, if they are valid "
                             "codes, add them to its codes")
        raise ValueError(f"Column '{name}' has values that are not valid codes ({shown}) at "
                         f"{rows_phrase(list(frame.index[bad]))}. Fix: {fix}.")
    _no_missing(frame, column, absent)
    codes = text.map(dict(zip(allowed_text, allowed, strict=True)))
    return pd.Categorical(codes, categories=list(allowed), ordered=column.is_ordered)


def conform(data: pd.DataFrame, like: str | Shape, *, rename: dict[str, str] | None = None) -> pd.DataFrame:
    """Check an extract against a lesson's dataset or a declared :class:`Shape`, and return it typed.

    Checks, each failing with a message that names the column, the rows and the fix:

    - every declared column is present (after ``rename``, a mapping from your names to the shape's);
    - integers (counts) are numbers and whole; numbers are numeric; each within its minimum and
      maximum;
    - dates parse (ISO ``YYYY-MM-DD`` text, or already dates);
    - codes are among the allowed codes, if the column has a list (national code lists:
      ``equity_lib.datasets.NATIONAL_CODES``); any unknown code is an error naming it and its rows,
      never mapped;
    - no value is missing unless its column allows it;
    - the key (e.g. trust, quintile and month) has no duplicates.

    A lesson's dataset is checked as the Shape of its registry entry: counts, dates and codes must
    not be missing; other numbers may be; national code lists are enforced and the dataset's other
    codes (trusts, specialties) are your own.

    Parameters
    ----------
    data : DataFrame
        The team's extract.
    like : str or Shape
        The dataset whose shape to take, e.g. ``"rtt_quintile_monthly"`` (see :func:`columns`), or
        your own :class:`Shape`.
    rename : dict, optional
        Your column names mapped to the shape's, e.g. ``{"Month": "month", "IMD_Q": "imd_quintile"}``.

    Returns
    -------
    DataFrame
        The shape's columns first, typed as :func:`load` types them (dates datetime64, integers
        int64 - Int64 if they may be missing -, numbers float64, codes categoricals in the order of
        their codes, text str), then any other columns of yours unchanged; sorted by the key, with a
        fresh index.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib.datasets import Column, Shape, conform
    >>> shape = Shape([Column("clinic", "code"), Column("imd_quintile", "code", codes="imd_quintile"),
    ...                Column("dna", "integer", minimum=0)], key=["clinic", "imd_quintile"])
    >>> extract = pd.DataFrame({"Clinic": ["East", "East"], "IMD": ["5", "1"], "dna": [3, 9]})
    >>> conform(extract, shape, rename={"Clinic": "clinic", "IMD": "imd_quintile"})
      clinic imd_quintile  dna
    0   East            1    9
    1   East            5    3
    """
    require_dataframe(data)
    if isinstance(like, Shape):
        shape, label = like, "the shape"
    elif isinstance(like, str):
        shape, label = _book_shape(_spec(like)), repr(like)
    else:
        raise TypeError(f"like must be a dataset name (e.g. 'rtt_quintile_monthly') or a Shape, not "
                        f"{type(like).__name__}. Fix: pass one of {', '.join(sorted(REGISTRY))}, or "
                        "declare your own with Shape([Column(...), ...]).")
    frame = data.rename(columns=rename or {})
    missing = [c for c in shape.names if c not in frame.columns]
    if missing:
        raise KeyError(f"The extract lacks column(s) {missing} that {label} needs. Its columns: "
                       f"{list(frame.columns)}. Fix: add them, or pass "
                       f"rename={{'your name': '{missing[0]}'}}.")
    twice = sorted({c for c in shape.names if list(frame.columns).count(c) > 1})
    if twice:
        raise ValueError(f"The extract has more than one column named {twice} (after rename). Fix: keep "
                         "one, or rename the other.")
    out = pd.DataFrame(index=frame.index)
    for column in shape.columns:
        out[column.name] = _typed(frame, column)
    key = list(shape.key)
    if key:
        fail_rows(frame, out.duplicated(key, keep=False).to_numpy(), f"More than one row has the same {key}",
                  "keep one row per combination: add duplicates up, or remove repeated rows.")
    extra = [c for c in frame.columns if c not in shape.names]
    out = pd.concat([out, frame[extra]], axis=1)
    if key:
        out = out.sort_values(key, kind="stable")
    return out.reset_index(drop=True)
