"""Quality of equity fields: what we can't see, and how much it could matter.

* :data:`ETHNIC_CATEGORIES` - the NHS Data Dictionary ethnic category codes, labels and broad groups.
* :func:`completeness` - records, valid, not stated, not known, missing and invalid counts of an
  equity field (ethnicity, IMD, age, sex) by organisation and period, shaped for a p chart:
  ``spc(table, numerator="valid", denominator="records", chart="pp", time=time, by=by)``.
* :func:`map_ethnicity` - local ethnicity codes to NHS codes, with a report of what did not map.
* :func:`gap_sensitivity` - how much a gap between two groups could change if the records with no
  usable group were known: complete cases, "like the observed", each group in turn, and bounds;
  ``.plot()`` draws them on one axis.

Missing equity data are a finding, not a nuisance (``conventions.md``, "Data"): "not stated" (Z) and
"not known" (99) are kept as their own categories and never silently dropped. Missingness is not
random: in 2019/20, 13% of inpatient and 17% of outpatient records in Hospital Episode Statistics
had no known, stated ethnicity; the share of records with a valid code ranged from 53% to almost
100% between providers, and minority ethnic patients were more often given inconsistent codes
(Scobie, Spencer and Raleigh, *Ethnicity coding in English health service datasets*, Nuffield
Trust and NHS Race and Health Observatory, June 2021). A complete-case gap assumes otherwise;
:func:`gap_sensitivity` shows how far that assumption carries the conclusion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from equity_lib._validation import (
    count_column,
    fail_rows,
    group_codes,
    require_columns,
    require_dataframe,
    rows_phrase,
    total_fits,
)

# NHS Data Dictionary, ETHNIC CATEGORY (the 2001 Census categories): code, label, broad group.
ETHNIC_CATEGORIES = pd.DataFrame(
    [
        ("A", "British", "White"),
        ("B", "Irish", "White"),
        ("C", "Any other White background", "White"),
        ("D", "White and Black Caribbean", "Mixed"),
        ("E", "White and Black African", "Mixed"),
        ("F", "White and Asian", "Mixed"),
        ("G", "Any other mixed background", "Mixed"),
        ("H", "Indian", "Asian or Asian British"),
        ("J", "Pakistani", "Asian or Asian British"),
        ("K", "Bangladeshi", "Asian or Asian British"),
        ("L", "Any other Asian background", "Asian or Asian British"),
        ("M", "Caribbean", "Black or Black British"),
        ("N", "African", "Black or Black British"),
        ("P", "Any other Black background", "Black or Black British"),
        ("R", "Chinese", "Other"),
        ("S", "Any other ethnic group", "Other"),
        ("Z", "Not stated", "Not stated"),
        ("99", "Not known", "Not known"),
    ],
    columns=["code", "label", "broad_group"],
)
"""The NHS Data Dictionary ethnic category codes, with ``code`` (A-S valid, Z not stated, 99 not known),
``label`` and ``broad_group`` (White, Mixed, Asian or Asian British, Black or Black British, Other,
Not stated, Not known)."""

#: The 18 codes in Data Dictionary order (A-S, then Z for not stated and 99 for not known).
ETHNIC_CODES = tuple(ETHNIC_CATEGORIES["code"])
VALID_ETHNIC_CODES = ETHNIC_CODES[:16]
NOT_STATED, NOT_KNOWN = "Z", "99"
KINDS = ("ethnicity", "imd_decile", "imd_quintile", "age", "sex")
CATEGORIES = ("valid", "not_stated", "not_known", "missing", "invalid")
AGE_MAX = 120

# Sex: NHS Data Dictionary PERSON GENDER CODE (0 not known, 1 male, 2 female, 9 not specified, i.e.
# indeterminate) and PERSON STATED GENDER CODE (1, 2, 9 indeterminate, X not known), plus the common
# local letters and words. 9 (indeterminate) is a recorded value, so it counts as valid.
_SEX_VALID = ("1", "2", "9", "M", "F", "I", "MALE", "FEMALE", "INDETERMINATE")
_SEX_NOT_KNOWN = ("0", "X", "U", "UNKNOWN", "NOT KNOWN")


def _distinct(series: pd.Series, upper: bool = True) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """The column as (codes, normalised distinct values, original distinct values): ``codes[i]`` indexes
    the distinct value of row ``i`` (-1 for a missing value). Values are compared as text: surrounding
    spaces removed, upper case (unless ``upper=False``), whole numbers without a decimal point (99, 99.0
    and ' 99 ' are all '99'), blanks as <NA>. Working on distinct values keeps a million rows of a few
    codes cheap."""
    if pd.api.types.is_bool_dtype(series):
        raise TypeError(f"Column '{series.name}' holds true/false values, not codes. Fix: pass the column "
                        "of codes.")
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype("string").str.strip()
    if upper:
        text = text.str.upper()
    number = pd.to_numeric(text, errors="coerce")
    whole = number.notna() & np.isfinite(number) & (number == np.floor(number)) & (number.abs() < 1e15)
    text = text.mask(whole, number.where(whole).astype("Int64").astype("string"))
    return codes, text.mask(text == "", pd.NA), np.asarray(uniques, dtype=object)


def _per_row(codes: np.ndarray, per_distinct: np.ndarray, missing_value) -> np.ndarray:
    """Spread a per-distinct-value array to the rows; a missing row (code -1) gets ``missing_value``."""
    padded = np.concatenate([per_distinct, np.array([missing_value], dtype=per_distinct.dtype)])
    return padded[codes]  # code -1 picks the last element


def _categorise(series: pd.Series, kind: str) -> np.ndarray:
    """Category of each value: 0 valid, 1 not stated, 2 not known, 3 missing, 4 invalid."""
    codes, text, _ = _distinct(series)
    missing = text.isna().to_numpy()
    if kind == "ethnicity":
        valid = text.isin(VALID_ETHNIC_CODES).to_numpy()
        not_stated = (text == NOT_STATED).fillna(False).to_numpy(dtype=bool)
        not_known = (text == NOT_KNOWN).fillna(False).to_numpy(dtype=bool)
    elif kind == "sex":
        valid = text.isin(_SEX_VALID).to_numpy()
        not_stated = np.zeros(len(text), dtype=bool)
        not_known = text.isin(_SEX_NOT_KNOWN).to_numpy()
    else:
        number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        low, high = {"imd_decile": (1, 10), "imd_quintile": (1, 5), "age": (0, AGE_MAX)}[kind]
        with np.errstate(invalid="ignore"):
            valid = (number == np.floor(number)) & (number >= low) & (number <= high)
        not_stated = not_known = np.zeros(len(text), dtype=bool)
    category = np.select([missing, valid, not_stated, not_known], [3, 0, 1, 2], 4).astype(np.int64)
    return _per_row(codes, category, 3)


def completeness(
    data: pd.DataFrame,
    column: str,
    *,
    by: str | None = None,
    time: str | None = None,
    kind: str = "ethnicity",
    count: str | None = None,
) -> pd.DataFrame:
    """Completeness and validity of an equity field, by organisation and over time.

    Every record falls in exactly one category:

    - ``valid``: a usable value (rules below);
    - ``not_stated``: ethnicity code Z (the person was asked and declined: a legitimate answer);
    - ``not_known``: ethnicity code 99, sex 0 / X / U / "unknown" / "not known";
    - ``missing``: empty (missing value or blank text);
    - ``invalid``: anything else (e.g. a local code not mapped to NHS codes: see
      :func:`map_ethnicity`).

    Validity rules (values are compared after removing surrounding spaces, in upper case, with
    whole numbers read from text or numbers alike: ``"7"``, ``7`` and ``7.0`` are the same):

    - ``ethnicity``: NHS Data Dictionary ETHNIC CATEGORY codes A-S (:data:`ETHNIC_CATEGORIES`);
      Z and 99 are counted apart, never as valid.
    - ``imd_decile``: whole numbers 1-10; ``imd_quintile``: whole numbers 1-5 (1 = most deprived,
      as ``conventions.md`` requires; the direction cannot be checked from the values).
    - ``age``: whole numbers of years 0-120 (45.5 is invalid: round ages down to completed years
      first; a negative age or over 120 is invalid).
    - ``sex``: NHS Data Dictionary PERSON GENDER CODE / PERSON STATED GENDER CODE: 1 male, 2 female,
      9 indeterminate (valid: a recorded value); 0 and X not known. Also accepted: M, F, I, male,
      female, indeterminate (valid) and U, unknown, not known (not known). Anything else is invalid.

    Parameters
    ----------
    data : DataFrame
        Record-level data: one row per patient, pathway or episode.
    column : str
        The equity column to assess.
    by : str, optional
        Column of organisations (or any grouping); each gets its own rows (and its own SPC series).
    time : str, optional
        Column of periods (e.g. month); each organisation gets one row per period with records.
    kind : str
        ``ethnicity``, ``imd_decile``, ``imd_quintile``, ``age`` or ``sex``.
    count : str, optional
        Column of record counts, for an aggregated extract (one row per code x organisation x period
        with how many records have it, e.g. appointments by ethnic group). Default: one record a row.

    Returns
    -------
    DataFrame
        One row per ``by`` x ``time`` combination present in the data, sorted by ``by`` then
        ``time``. Columns: ``by``, ``time`` (when given, under their own names), ``column`` (the
        column assessed),
        ``records``, ``valid``, ``not_stated``, ``not_known``, ``missing``, ``invalid`` (counts that
        add up to ``records``; not_stated and not_known are 0 for kinds without such codes) and
        ``pct_valid`` (100 x valid / records). Ready for a p chart of completeness:
        ``spc(table, numerator="valid", denominator="records", chart="p", time=time, by=by,
        multiplier=100)``. With a
        whole list per point (thousands of records) month-to-month variation usually exceeds the
        binomial, so the p chart's limits are too narrow and flag noise: use ``chart="pp"``
        (Laney) or an XmR chart of ``pct_valid`` instead (notebook 07).

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib.quality import completeness
    >>> d = pd.DataFrame({"trust": ["A", "A", "A", "B", "B"], "ethnic_category": ["A", "Z", None, "99", "H"]})
    >>> table = completeness(d, "ethnic_category", by="trust")
    >>> table[["trust", "records", "valid", "not_stated", "not_known", "missing", "invalid", "pct_valid"]]
      trust  records  valid  not_stated  not_known  missing  invalid  pct_valid
    0     A        3      1           1          0        1        0  33.333333
    1     B        2      1           0          1        0        0  50.000000
    """
    require_dataframe(data)
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not one of {list(KINDS)}.")
    if not isinstance(column, str):
        raise TypeError(f"column must name one column, not {column!r}.")
    keys = [k for k in (by, time) if k is not None]
    require_columns(data, [column, *keys, count])
    reserved = {"column", "records", "pct_valid", *CATEGORIES}
    clash = [k for k in keys if k in reserved]
    if clash:
        raise ValueError(f"by/time column(s) {clash} clash with output column names. Fix: rename them first.")
    if by is not None and by == time:
        raise ValueError("by and time name the same column. Fix: pass the organisation as by and the period "
                         "as time.")
    for key, role in ((by, "by"), (time, "time")):
        if key is not None:
            fail_rows(data, data[key].isna().to_numpy(), f"Column '{key}' ({role}) is missing",
                      f"give every record {'an organisation' if role == 'by' else 'a period'}, or drop those "
                      "records.")
    category = _categorise(data[column], kind)
    group, counts = group_codes(data, keys)
    k = len(CATEGORIES)
    weights = None if count is None else count_column(data, count)
    if weights is not None:  # each count and each by x time total exact (at most 2**53), never wrapped
        total_fits(count, weights, group, counts)
    tally = np.bincount(group * k + category, weights=weights, minlength=len(counts) * k)
    tally = tally.astype(np.int64).reshape(len(counts), k)
    counts = counts.reset_index(drop=True)
    counts["column"] = column
    counts["records"] = tally.sum(axis=1)
    for j, name in enumerate(CATEGORIES):
        counts[name] = tally[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        counts["pct_valid"] = 100 * counts["valid"] / counts["records"]
    return counts.reset_index(drop=True)


class EthnicityMapping(NamedTuple):
    """The output of :func:`map_ethnicity`: ``codes`` (a categorical Series of NHS codes, aligned with
    the input rows, <NA> where nothing mapped) and ``unmapped`` (the report)."""

    codes: pd.Series
    unmapped: pd.DataFrame


def map_ethnicity(
    data: pd.DataFrame,
    column: str,
    mapping: Mapping | pd.Series,
    *,
    keep_nhs_codes: bool = False,
    case_sensitive: bool = False,
) -> EthnicityMapping:
    """Map local ethnicity codes to NHS Data Dictionary ethnic category codes, reporting what did not map.

    Parameters
    ----------
    data : DataFrame
        Record-level data.
    column : str
        Column of local codes or descriptions.
    mapping : dict or Series
        Local value -> NHS code (A-S, Z for not stated, 99 for not known). Keys and values are matched
        after removing surrounding spaces and, unless ``case_sensitive``, ignoring case; whole numbers
        match as text (``1`` and ``"1"`` are the same key). A local "unknown" should map to ``"99"``
        and "declined" to ``"Z"``: the targets must be NHS codes.
    keep_nhs_codes : bool
        Also pass through values that already are NHS codes (default ``False``: a local ``"A"`` might
        mean "Asian", so every value must be mapped explicitly and anything unmapped is reported).
    case_sensitive : bool
        Match keys exactly in case.

    Returns
    -------
    EthnicityMapping
        ``codes``: categorical Series (categories :data:`ETHNIC_CODES` in Data Dictionary order) named
        ``ethnic_category``, with the input's index; <NA> for every value that did not map.
        ``unmapped``: one row per distinct original value that did not map, columns ``value`` (as it
        appears in the data; <NA> for missing), ``count``, ``pct`` (of all records) and ``reason``
        (``"no mapping"`` or ``"missing or blank"``), most frequent first. Fill <NA> with ``"99"``
        after reviewing the report if they should count as not known.
    """
    require_dataframe(data)
    require_columns(data, [column])
    if isinstance(mapping, pd.Series):
        mapping = dict(zip(mapping.index, mapping.to_numpy(), strict=True))
    if not isinstance(mapping, Mapping):
        raise TypeError(f"mapping must be a dict (or Series) of local value -> NHS code, not "
                        f"{type(mapping).__name__}.")
    for name, flag in (("keep_nhs_codes", keep_nhs_codes), ("case_sensitive", case_sensitive)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, not {flag!r}.")

    keys = pd.Series(list(mapping.keys()), dtype=object)
    targets = _normalised_values(list(mapping.values()))
    bad = ~targets.isin(ETHNIC_CODES)
    if bad.any():
        examples = [f"{k!r} -> {v!r}" for k, v, b in zip(mapping.keys(), mapping.values(), bad, strict=True)
                    if b][:5]
        raise ValueError(f"mapping has targets that are not NHS ethnic category codes: "
                         f"{', '.join(examples)}. Fix: map to one of {list(ETHNIC_CODES)} (Z = not stated, "
                         "99 = not known).")
    norm_keys = _normalised_values(list(keys), upper=not case_sensitive)
    if norm_keys.isna().any():
        raise ValueError("mapping has a missing or blank key. Fix: map only actual local values; missing "
                         "values are reported as 'missing or blank'.")
    table = pd.DataFrame({"key": norm_keys, "target": targets})
    clashes = table.groupby("key")["target"].nunique()
    clashes = clashes[clashes > 1]
    if len(clashes):
        raise ValueError(f"mapping gives different codes to keys that match the same value: "
                         f"{list(clashes.index)[:5]} (keys are matched ignoring case and surrounding "
                         "spaces). Fix: keep one of them, or pass case_sensitive=True.")
    lookup = dict(zip(table["key"], table["target"], strict=True))
    if keep_nhs_codes:
        lookup = {**{c: c for c in ETHNIC_CODES}, **lookup}

    source = data[column]
    row_codes, distinct, uniques = _distinct(source, upper=not case_sensitive)
    category = pd.Index(ETHNIC_CODES).get_indexer(distinct.map(lookup).to_numpy(dtype=object, na_value=None))
    codes = pd.Series(pd.Categorical.from_codes(_per_row(row_codes, category, -1),
                                                categories=list(ETHNIC_CODES)),
                      index=data.index, name="ethnic_category")

    # the report, from the distinct original values: blanks and missing values together as <NA>
    per_value = np.bincount(row_codes[row_codes >= 0], minlength=len(uniques))
    blank = distinct.isna().to_numpy(dtype=bool)
    unmatched = (category < 0) & ~blank
    n_blank = int(per_value[blank].sum() + (row_codes < 0).sum())
    unmapped = pd.DataFrame({"value": pd.Series(uniques[unmatched], dtype=object),
                             "count": per_value[unmatched], "reason": "no mapping"})
    if n_blank:
        unmapped.loc[len(unmapped)] = [None, n_blank, "missing or blank"]
    unmapped["count"] = unmapped["count"].astype(np.int64)
    unmapped["pct"] = 100 * unmapped["count"] / max(len(data), 1)
    unmapped = unmapped[["value", "count", "pct", "reason"]]
    unmapped = unmapped.sort_values(["count", "reason"], ascending=[False, True], kind="stable")
    return EthnicityMapping(codes, unmapped.reset_index(drop=True))


def _normalised_text(series: pd.Series, upper: bool = True) -> pd.Series:
    """The column's values normalised as :func:`_distinct` does, row by row, as text (<NA> for blanks)."""
    codes, distinct, _ = _distinct(series, upper)
    per_row = _per_row(codes, distinct.to_numpy(dtype=object, na_value=None), None)
    return pd.Series(per_row, index=series.index, dtype="string")


def _normalised_values(values: list, upper: bool = True) -> pd.Series:
    """A short list of values normalised as :func:`_distinct` does, one per value (<NA> for blanks)."""
    return _normalised_text(pd.Series(values, dtype=object, name="value"), upper)


@dataclass(frozen=True)
class GapSensitivity:
    """The output of :func:`gap_sensitivity`: ``table`` (one row per scenario), ``finding`` (plain words)
    and ``settings``; :meth:`plot` draws the scenarios and the bounds."""

    table: pd.DataFrame
    finding: str
    settings: dict = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        return self.finding

    def plot(self, *, title: str | None = None, xlabel: str | None = None, show_bounds: bool = True,
             ax=None):
        """Draw the gap under each scenario and the bounds: see
        :func:`equity_lib.quality.plot.plot_gap_sensitivity`."""
        from equity_lib.quality.plot import plot_gap_sensitivity

        return plot_gap_sensitivity(self, title=title, xlabel=xlabel, show_bounds=show_bounds, ax=ax)


def gap_sensitivity(
    data: pd.DataFrame,
    group: str,
    value: str,
    *,
    focus,
    reference,
    missing=(NOT_STATED, NOT_KNOWN),
    within: str | None = None,
    like_observed: bool = True,
    names: tuple[str, str] | None = None,
) -> GapSensitivity:
    """How much could the records with no usable group change a gap between two groups?

    The gap is the difference in the share of records with the outcome (e.g. waiting over 52 weeks)
    between a focus group (e.g. ethnic category K, Bangladeshi, or IMD quintile 1) and a reference
    group (e.g. A, White British, or quintile 5), in percentage points: ``gap_pp = focus_pct -
    reference_pct``, and ``ratio = focus_pct / reference_pct``.

    Scenarios (rows of ``table``; ``n`` records with no usable group, ``e`` of them with the outcome):

    - ``complete_case``: the records with no usable group are left out. Unbiased when whether a
      group is recorded does not depend on the outcome within each group (missingness that depends
      on the group alone shrinks the groups but leaves each group's share unbiased); biased when
      people with the outcome are more (or less) often unrecorded, which ethnicity coding may be
      (Nuffield Trust / NHS Race and Health Observatory, 2021: coding varies by provider and by
      ethnic group).
    - ``like_observed`` (if ``like_observed``): the missing records are shared among all the groups
      in the proportions seen among records with a usable group and the same outcome (within each
      ``within`` stratum, e.g. trust, if given): "missing at random given the outcome (and
      stratum)". A stratum x outcome with no usable group borrows the proportions of all strata with
      that outcome.
    - ``all_missing_in_focus`` / ``all_missing_in_reference``: every missing record is counted in
      one group, then the other: reallocating the missing to each group in turn.
    - ``lower_bound`` / ``upper_bound``: the smallest and largest gap possible whatever groups the
      missing records belong to, with no assumption at all (worst-case bounds in the sense of
      Manski, "Anatomy of the selection problem", J Human Resources 1989; Horowitz and Manski, JASA
      2000, for missing covariates). The largest gap counts the ``e`` missing records with the
      outcome in the focus group and the ``n - e`` without it in the reference group; the smallest
      does the opposite. These are sharp: both ends are reached by an allocation of the missing
      records, and every allocation (to these groups or any other), including the scenarios above,
      gives a gap between them.

    Bounds describe what the missing data could do, not sampling error: a gap can also be within
    chance (see ``equity_lib.rates`` for confidence limits).

    Parameters
    ----------
    data : DataFrame
        Record-level data, one row per patient or pathway.
    group : str
        Column of groups (ethnic category, IMD quintile, ...). Values are compared as upper-case text
        without surrounding spaces, whole numbers without decimals (``1``, ``1.0`` and ``"1"`` match).
    value : str
        Column of 0/1 or true/false outcomes: does the record have the outcome? Must not be missing.
    focus, reference : object or list
        The group(s) compared, e.g. ``focus="K", reference="A"`` or ``focus=[1], reference=[5]``, or
        broad groups as lists of codes.
    missing : object or list
        Group values that mean "no usable group" (default Z and 99); empty values always do. Values
        that are neither focus, reference nor missing belong to other groups: they stay where they
        are. Map or clean codes first (:func:`map_ethnicity`, :func:`completeness`).
    within : str, optional
        Column of strata (e.g. trust) for the ``like_observed`` allocation.
    like_observed : bool
        Include the ``like_observed`` scenario.
    names : tuple of str, optional
        Names of the focus and reference groups for the finding (default: their codes).

    Returns
    -------
    GapSensitivity
        ``table``: columns ``scenario``, ``assumption`` (in words), ``focus_records``,
        ``focus_events``, ``focus_pct``, ``reference_records``, ``reference_events``,
        ``reference_pct``, ``gap_pp``, ``ratio`` (<NA> when the reference share is 0). Records and
        events are fractional in ``like_observed``. ``finding``: the result in plain words, including
        whether the missing records could reverse the gap.
    """
    require_dataframe(data)
    require_columns(data, [group, value, within])
    if not isinstance(like_observed, (bool, np.bool_)):
        raise TypeError(f"like_observed must be True or False, not {like_observed!r}.")
    event = _binary(data, value)
    row_codes, distinct, _ = _distinct(data[group])
    focus_set = _value_set(focus, "focus")
    reference_set = _value_set(reference, "reference")
    missing_set = _value_set(missing, "missing")
    overlap = (focus_set & reference_set) | (focus_set & missing_set) | (reference_set & missing_set)
    if overlap:
        raise ValueError(f"Value(s) {sorted(overlap)} are in more than one of focus, reference and missing. "
                         "Fix: give each group value one role.")
    no_group = (distinct.isna() | distinct.isin(missing_set)).to_numpy(dtype=bool)
    is_missing = _per_row(row_codes, no_group, True)
    is_focus = _per_row(row_codes, distinct.isin(focus_set).to_numpy(dtype=bool), False) & ~is_missing
    is_reference = _per_row(row_codes, distinct.isin(reference_set).to_numpy(dtype=bool), False) & ~is_missing
    for mask, name, values in ((is_focus, "focus", focus_set), (is_reference, "reference", reference_set)):
        if not mask.any():
            seen = list(distinct.dropna()[:10])
            raise ValueError(f"No records with a usable group are in the {name} group {sorted(values)} "
                             f"(column '{group}'). Values seen include {seen}. Fix: check the codes.")
    if names is None:
        names = (_group_name(focus_set), _group_name(reference_set))
    elif not (isinstance(names, (tuple, list)) and len(names) == 2
              and all(isinstance(n, str) for n in names)):
        raise TypeError(f"names must be two texts (focus, reference), not {names!r}.")

    nf, ef = int(is_focus.sum()), int(event[is_focus].sum())
    nr, er = int(is_reference.sum()), int(event[is_reference].sum())
    nm, em = int(is_missing.sum()), int(event[is_missing].sum())
    rows = [
        ("complete_case", "records with no usable group are left out (unbiased when, within each group, "
                          "being missing does not depend on the outcome)",
         nf, ef, nr, er),
    ]
    if like_observed:
        strata = None if within is None else data[within]
        if strata is not None:
            fail_rows(data, strata.isna().to_numpy(), f"Column '{within}' (within) is missing",
                      "give every record a stratum, or leave within out.")
        add = _like_observed(event, is_focus, is_reference, is_missing, strata)
        rows.append(("like_observed",
                     "records with no usable group are shared among groups like the observed records with "
                     "the same outcome" + (f" in the same {within}" if within else ""),
                     nf + add[0], ef + add[1], nr + add[2], er + add[3]))
    rows += [
        ("all_missing_in_focus", "every record with no usable group is in the focus group",
         nf + nm, ef + em, nr, er),
        ("all_missing_in_reference", "every record with no usable group is in the reference group",
         nf, ef, nr + nm, er + em),
        ("lower_bound", "no assumption: the smallest gap possible (missing with the outcome in the reference "
                        "group, without it in the focus group)",
         nf + (nm - em), ef, nr + em, er + em),
        ("upper_bound", "no assumption: the largest gap possible (missing with the outcome in the focus "
                        "group, without it in the reference group)",
         nf + em, ef + em, nr + (nm - em), er),
    ]
    table = pd.DataFrame(rows, columns=["scenario", "assumption", "focus_records", "focus_events",
                                        "reference_records", "reference_events"])
    for col in ("focus_records", "focus_events", "reference_records", "reference_events"):
        table[col] = table[col].astype(float)
    table["focus_pct"] = 100 * table["focus_events"] / table["focus_records"]
    table["reference_pct"] = 100 * table["reference_events"] / table["reference_records"]
    table["gap_pp"] = table["focus_pct"] - table["reference_pct"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = table["focus_pct"] / table["reference_pct"]
    table["ratio"] = ratio.where(table["reference_pct"] > 0)
    table = table[["scenario", "assumption", "focus_records", "focus_events", "focus_pct",
                   "reference_records", "reference_events", "reference_pct", "gap_pp", "ratio"]]
    n_total = len(data)
    finding = _finding(table, names, value, nm, n_total, group)
    settings = dict(group=group, value=value, focus=sorted(focus_set), reference=sorted(reference_set),
                    names=tuple(names),
                    missing=sorted(missing_set), within=within, records=n_total, missing_records=nm,
                    missing_events=em, other_records=int((~is_missing & ~is_focus & ~is_reference).sum()))
    return GapSensitivity(table, finding, settings)


def _binary(data, value):
    series = data[value]
    fail_rows(data, series.isna().to_numpy(), f"Column '{value}' (value: the outcome) is missing",
              "every record needs an outcome (0/1 or true/false); drop records whose outcome is unknown, "
              "and say so.")
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=bool)
    number = pd.to_numeric(series, errors="coerce")
    bad = ~number.isin([0, 1]).to_numpy()
    if bad.any():
        labels = list(data.index[bad])
        examples = ", ".join(repr(v) for v in series[bad].head(3))
        raise ValueError(f"Column '{value}' (value: the outcome) must hold 0/1 or true/false; found "
                         f"{examples} at {rows_phrase(labels)}. Fix: code the outcome as 1 (has it) or 0 "
                         "(does not), e.g. "
                         "(data['weeks_waited'] > 52).astype(int).")
    return number.to_numpy(dtype=float) == 1


def _value_set(values, name):
    if values is None:
        values = []
    if isinstance(values, (str, int, float, np.integer, np.floating)):
        values = [values]
    try:
        values = list(values)
    except TypeError as err:
        raise TypeError(f"{name} must be a value or a list of values, not {values!r}.") from err
    if name != "missing" and not values:
        raise ValueError(f"{name} is empty. Fix: name at least one group value.")
    return set(_normalised_values(values).dropna()) if values else set()


def _group_name(values):
    return " / ".join(sorted(values))


def _like_observed(event, is_focus, is_reference, is_missing, strata):
    """Records and events added to focus and reference when the missing are allocated like the observed
    with the same outcome (and stratum): (focus records, focus events, reference records, reference
    events)."""
    cls = np.where(is_focus, 0, np.where(is_reference, 1, 2))  # 2 = any other observed group
    observed = ~is_missing
    s_codes = np.zeros(event.size, dtype=np.int64) if strata is None else pd.factorize(strata)[0]
    ns = int(s_codes.max()) + 1 if s_codes.size else 1
    y = event.astype(np.int64)
    # observed counts per stratum x outcome x class, missing counts per stratum x outcome
    cell = s_codes * 2 + y
    obs = np.bincount(cell[observed] * 3 + cls[observed], minlength=ns * 6).reshape(ns, 2, 3).astype(float)
    miss = np.bincount(cell[is_missing], minlength=ns * 2).reshape(ns, 2).astype(float)
    pooled = obs.sum(axis=0)  # outcome x class
    per_cell = obs.sum(axis=2, keepdims=True)
    share = obs / np.where(per_cell > 0, per_cell, 1)
    per_outcome = pooled.sum(axis=1, keepdims=True)
    pooled_share = pooled / np.where(per_outcome > 0, per_outcome, 1)
    any_outcome = pooled.sum(axis=0) / pooled.sum()
    pooled_share[pooled.sum(axis=1) == 0] = any_outcome
    empty = obs.sum(axis=2) == 0
    share[empty] = np.broadcast_to(pooled_share, share.shape)[empty]
    added = miss[:, :, None] * share  # stratum x outcome x class
    focus_records = added[:, :, 0].sum()
    focus_events = added[:, 1, 0].sum()
    reference_records = added[:, :, 1].sum()
    reference_events = added[:, 1, 1].sum()
    return focus_records, focus_events, reference_records, reference_events


def _finding(table, names, outcome, nm, n_total, group):
    t = table.set_index("scenario")
    focus, reference = names
    cc = t.loc["complete_case"]
    lo, hi = t.loc["lower_bound", "gap_pp"], t.loc["upper_bound", "gap_pp"]
    text = (f"Complete cases: {cc.focus_pct:.1f}% of {focus} records have {outcome}, against "
            f"{cc.reference_pct:.1f}% of {reference}: a gap of {cc.gap_pp:+.1f} percentage points. ")
    if nm == 0:
        return text + f"Every record has a usable {group}, so missing data cannot change this gap."
    text += f"{nm:,} of {n_total:,} records ({100 * nm / n_total:.1f}%) have no usable {group}. "
    if "like_observed" in t.index:
        text += (f"If they are like the observed records with the same outcome, the gap is "
                 f"{t.loc['like_observed', 'gap_pp']:+.1f} points. ")
    text += (f"Counting them all in {focus} gives {t.loc['all_missing_in_focus', 'gap_pp']:+.1f}, all in "
             f"{reference} {t.loc['all_missing_in_reference', 'gap_pp']:+.1f}. With no assumption about "
             f"where they belong, the gap could be anywhere from {lo:+.1f} to {hi:+.1f} points: ")
    if lo > 0:
        text += f"{focus} fares worse on {outcome} whatever groups the missing records belong to."
    elif hi < 0:
        text += f"{focus} fares better on {outcome} whatever groups the missing records belong to."
    else:
        text += ("the missing records alone could reverse or remove the gap, so its direction depends on "
                 f"who they are: improve {group} recording before drawing conclusions.")
    return text
