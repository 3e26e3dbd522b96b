"""Your own extract in the shape of a lesson's dataset: the columns it needs, and a check that types it.

* :func:`columns` - the data dictionary of one dataset: each column's type, unit, allowed codes and
  meaning, i.e. what a team's extract needs to hold to run that lesson on its own data.
* :func:`conform` - check a team's DataFrame against that dictionary and return it typed exactly as
  :func:`equity_lib.datasets.load` returns the synthetic data (ordered categoricals with 1 = most
  deprived, int64 counts, datetime64 dates, sorted by the dataset's key), or say precisely what to fix.

National code lists are enforced (IMD deciles 1-10 and quintiles 1-5, the 19 ESP2013 age bands, sex F/M,
NHS ethnic category codes with Z and 99, the broad ethnic groups). Local codes (trusts, treatment
functions, financial years, names) are the team's own: any value is accepted, kept in order of first
appearance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib._validation import fail_rows, numeric_column, require_dataframe, rows_phrase
from equity_lib.datasets._registry import REGISTRY, DatasetSpec
from equity_lib.quality import _normalised_text

#: Columns whose codes are national standards, checked by :func:`conform`; other coded columns are local.
NATIONAL_CODES = ("imd_decile", "imd_quintile", "age_band", "sex", "ethnic_category", "ethnic_group")

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


def conform(data: pd.DataFrame, like: str, *, rename: dict[str, str] | None = None) -> pd.DataFrame:
    """Check an extract against dataset ``like`` and return it typed as :func:`load` would.

    Checks, each failing with a message that names the column, the rows and the fix:

    - every column of the dataset is present (after ``rename``, a mapping from your names to the
      dataset's);
    - counts (integer columns) are numbers, whole, not missing and not negative; other numbers are
      numeric (missing allowed);
    - dates parse (ISO ``YYYY-MM-DD`` text, or already dates);
    - codes in national code lists (``NATIONAL_CODES`` in ``equity_lib.datasets.extract``) are valid;
      local codes are kept as given;
    - the dataset's key (e.g. trust, quintile and month) has no duplicates and no missing values.

    Parameters
    ----------
    data : DataFrame
        The team's extract.
    like : str
        The dataset whose shape to take, e.g. ``"rtt_quintile_monthly"`` (see :func:`columns`).
    rename : dict, optional
        Your column names mapped to the dataset's, e.g. ``{"Month": "month", "IMD_Q": "imd_quintile"}``.

    Returns
    -------
    DataFrame
        The dataset's columns first, typed, then any other columns of yours unchanged; sorted by the
        dataset's key, with a fresh index.
    """
    require_dataframe(data)
    spec = _spec(like)
    frame = data.rename(columns=rename or {})
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise KeyError(f"The extract lacks column(s) {missing} that {like!r} needs. Its columns: "
                       f"{list(frame.columns)}. Fix: add them, or pass "
                       f"rename={{'your name': '{missing[0]}'}}.")
    out = pd.DataFrame(index=frame.index)
    for f in spec.fields:
        column = frame[f.name]
        if f.type == "date":
            parsed = pd.to_datetime(column, format="%Y-%m-%d", errors="coerce") if not \
                pd.api.types.is_datetime64_any_dtype(column) else column
            fail_rows(frame, (parsed.isna() & column.notna()).to_numpy(),
                      f"Column '{f.name}' has values that are not dates",
                      "write dates as YYYY-MM-DD (a month as its 1st day), or parse them before.")
            fail_rows(frame, column.isna().to_numpy(), f"Column '{f.name}' is missing",
                      "give every row its date, or drop those rows.")
            out[f.name] = parsed.astype("datetime64[ns]")
        elif f.type in ("integer", "number") and f.codes is None:
            values = numeric_column(frame, f.name)
            if f.type == "integer":
                fail_rows(frame, np.isnan(values), f"Column '{f.name}' has missing counts",
                          "fill in 0 where there were none, or drop the row.")
                fail_rows(frame, values != np.round(values), f"Column '{f.name}' has counts that are not "
                          "whole numbers", "pass counts, not rates or percentages.")
            if f.minimum is not None:
                fail_rows(frame, values < f.minimum, f"Column '{f.name}' has values below {f.minimum:g}",
                          "counts cannot be negative; correct the extract.")
            out[f.name] = values.astype("int64") if f.type == "integer" else values
        elif f.codes is not None and f.name in NATIONAL_CODES:
            text = _as_text(column)
            allowed = [str(c) for c in f.codes]
            bad = text.notna().to_numpy() & ~text.isin(allowed).to_numpy()
            if bad.any():
                shown = ", ".join(repr(v) for v in pd.unique(text[bad])[:5])
                raise ValueError(f"Column '{f.name}' has values that are not valid codes ({shown}) at "
                                 f"{rows_phrase(list(frame.index[bad]))}. Fix: {_CODE_FIXES[f.name]}.")
            fail_rows(frame, text.isna().to_numpy(), f"Column '{f.name}' is missing",
                      "record the code (for ethnicity, '99' is 'not known'), or drop those rows.")
            codes = text.map(dict(zip(allowed, f.codes, strict=True)))
            out[f.name] = pd.Categorical(codes, categories=list(f.codes), ordered=f.ordered)
        elif f.codes is not None:  # a local code list: the team's own values, in order of appearance
            text = _as_text(column)
            fail_rows(frame, text.isna().to_numpy(), f"Column '{f.name}' is missing",
                      "give every row its code, or drop those rows.")
            out[f.name] = pd.Categorical(text.astype(str), categories=list(pd.unique(text.astype(str))),
                                         ordered=f.ordered)
        else:
            out[f.name] = column.astype("string").str.strip().astype(str)
    key = list(spec.primary_key)
    fail_rows(frame, out.duplicated(key, keep=False).to_numpy(), f"More than one row has the same {key}",
              "keep one row per combination: add duplicates up, or remove repeated rows.")
    extra = [c for c in frame.columns if c not in spec.columns]
    out = pd.concat([out, frame[extra]], axis=1)
    return out.sort_values(key, kind="stable").reset_index(drop=True)
