"""Agreement between two coders: Cohen's kappa with its confidence limits.

When comments are coded into themes with a codebook, a second coder codes the same comments on their own
and the two are compared before the theme counts are trusted. :func:`coder_agreement` gives, for each
``by`` group (e.g. each theme), the observed agreement, the agreement expected by chance from each coder's
own use of the codes, Cohen's kappa, its standard error and limits, and a reading on Landis and Koch's
(1977) scale, which is a convention, not a test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import (
    as_written,
    by_columns,
    by_not_an_output,
    column_names,
    confidence_levels,
    fail_rows,
    group_codes,
    level_suffix,
    missing_labels,
    require_columns,
    require_dataframe,
)
from equity_lib.inequality._common import format_rounded as _fmt

__all__ = ["LANDIS_KOCH", "coder_agreement"]


#: Landis and Koch's (1977) labels for ranges of kappa, as pairs of upper bound and label. Below 0 is
#: "poor", 0 to 0.20 "slight", 0.21 to 0.40 "fair", 0.41 to 0.60 "moderate", 0.61 to 0.80 "substantial",
#: 0.81 to 1 "almost perfect" (Landis JR, Koch GG. The measurement of observer agreement for categorical
#: data. *Biometrics* 1977;33:159-74, p. 165). The authors called the divisions "clearly arbitrary", so
#: this is a convention for describing kappa, not a test.
LANDIS_KOCH = ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"),
               (1.0, "almost perfect"))

_OUTPUT = ("items", "categories", "observed_agreement", "expected_agreement", "value", "se", "band",
           "interpretation")


def _band(kappa: float) -> str:
    """The Landis and Koch label of a kappa (ranges closed above: 0.20 is 'slight', 0.21 'fair')."""
    for upper, label in LANDIS_KOCH:
        if kappa < upper or (upper > 0 and kappa <= upper + 1e-12):
            return label
    return LANDIS_KOCH[-1][1]


def _codes(data: pd.DataFrame, first: str, second: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Both coders' codes as integers 0..c-1 over one shared list of categories; codes that are numbers in one
    column and text in the other (1 and '1') are an error, not two categories."""
    a, b = data[first], data[second]
    kinds = []
    for column, series in ((first, a), (second, b)):
        # the values' own type (a categorical column of text is text)
        kind = pd.api.types.infer_dtype(series.astype(object), skipna=True)
        if kind.startswith("mixed"):
            raise TypeError(f"Column '{column}' mixes codes of different types (e.g. numbers and text), so 1 "
                            "and '1' would count as two codes. Fix: make every code the same type, e.g. "
                            f"data['{column}'] = data['{column}'].astype(str).")
        kinds.append("number" if kind in ("integer", "floating", "decimal", "mixed-integer-float")
                     else kind)
    if kinds[0] != kinds[1] and "empty" not in kinds:
        fix = (f"e.g. data['{first}'] = data['{first}'].astype(int) and the same for '{second}' (true/false "
               "as 1/0)" if "boolean" in kinds else
               f"e.g. data['{first}'] = data['{first}'].astype(str) and the same for '{second}'")
        raise TypeError(f"Columns '{first}' and '{second}' hold codes of different types ({kinds[0]} and "
                        f"{kinds[1]}), so no code of one could ever match a code of the other. Fix: use "
                        f"the same codes in both, {fix}.")
    both = pd.concat([a, b], ignore_index=True)
    codes, uniques = pd.factorize(both, sort=True)
    return codes[: len(a)], codes[len(a):], list(uniques)


def coder_agreement(data: pd.DataFrame, first: str, second: str, *, by: str | list[str] | None = None,
                    confidence: float | Sequence[float] = 0.95) -> pd.DataFrame:
    """Cohen's kappa for two coders who each coded the same items, with its limits.

    **Layout.** One row per item coded (a comment; or a comment x theme pair), with the first coder's code
    in ``first`` and the second coder's in ``second``. Two common designs:

    * each comment gets one code from the codebook: one row per comment, the codes as labels
      (``"access"``, ``"staff attitude"``, ...); kappa measures agreement over all codes at once;
    * each comment can have several themes (the usual case for free text): one row per comment x theme,
      each coder's column 1 (theme present) or 0 (absent), and ``by="theme"``: one kappa per theme, so a
      theme the coders apply differently is seen on its own rather than averaged away.

    **Formula** (Cohen J. A coefficient of agreement for nominal scales. *Educ Psychol Meas*
    1960;20:37-46). With ``p_ij`` the proportion of the n items that the first coder put in category i
    and the second in j, ``p_i.`` and ``p_.j`` the coders' own proportions: observed agreement
    ``p_o = sum_i p_ii``; agreement expected by chance ``p_e = sum_i p_i. p_.i``;
    ``kappa = (p_o - p_e) / (1 - p_e)``. Standard error: the large-sample formula of Fleiss, Cohen and
    Everitt (*Psychol Bull* 1969;72:323-7; Fleiss, Levin & Paik, *Statistical Methods for Rates and
    Proportions*, 3rd edn, Wiley, 2003, ch. 18),
    ``SE^2 = [sum_i p_ii (1 - (p_i. + p_.i)(1 - kappa))^2 + (1 - kappa)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
    - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2)``; limits ``kappa -/+ z SE`` with
    z = Phi^-1(1 - (1 - confidence) / 2), the upper limit cut at 1 (kappa cannot exceed 1). Kappa and
    its SE are computed by statsmodels' ``cohens_kappa`` (``statsmodels.stats.inter_rater``) from the
    table of the two coders' codes (as ``to_table`` builds it), so the library does not hand-write them.
    The limits assume items coded independently of each other and enough items: with fewer than about
    30 items, or a theme one coder hardly used, read them as rough.

    **Reading kappa.** ``band`` is Landis and Koch's (1977) label (see :data:`LANDIS_KOCH`): slight,
    fair, moderate, substantial, almost perfect. It is a convention, not a test, and kappa depends on how
    common a code is: a rare theme can have high observed agreement (both coders mostly say "absent")
    and a low kappa, so report the observed agreement beside it.

    **No kappa.** When both coders gave every item one and the same code (p_e = 1, e.g. a theme neither
    coder ever used), kappa is 0 / 0: ``value`` is missing and ``interpretation`` says why; the observed
    agreement (100%) is still shown. **No limits.** At kappa = 1 (the coders agreed on every item), when one
    coder gave every item the same code (kappa is then 0 whatever the other did) and at the lowest kappa the
    codes allow, the large-sample variance is 0: the limits and ``se`` are missing, rather than limits of no
    width, and ``interpretation`` says why.

    Parameters
    ----------
    data : DataFrame
        One row per item coded by both coders.
    first, second : str
        Columns of the two coders' codes: labels of the same type in both (text, or numbers such as 0/1);
        every row needs both codes.
    by : str or list of str, optional
        Columns of separate analyses (e.g. ``"theme"``): one kappa each.
    confidence : float or tuple of float
        e.g. ``0.95`` (default) or ``(0.95, 0.998)``.

    Returns
    -------
    DataFrame
        One row per ``by`` group (sorted): the ``by`` columns, ``items`` (n), ``categories`` (the number
        of codes either coder used there), ``observed_agreement`` (p_o), ``expected_agreement`` (p_e),
        ``value`` (kappa), ``lower_95``, ``upper_95`` (and other levels), ``se``, ``band`` (Landis and
        Koch) and ``interpretation`` (the reading in words, at the first level).

    Raises
    ------
    ValueError
        A missing code (naming the column, rows and fix); fewer than 2 items in the data or in a ``by``
        group; the same column for both coders; no rows.
    TypeError
        Codes of different types in the two columns (1 and '1'), or mixed within one.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import coder_agreement
    >>> coded = pd.DataFrame({"theme": ["waiting"] * 10 + ["staff"] * 10,
    ...                       "coder_a": [1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0],
    ...                       "coder_b": [1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]})
    >>> coder_agreement(coded, "coder_a", "coder_b", by="theme")[
    ...     ["theme", "items", "observed_agreement", "value", "band"]].round(3)
         theme  items  observed_agreement  value         band
    0    staff     10                 0.8  0.375         fair
    1  waiting     10                 0.9  0.783  substantial
    """
    require_dataframe(data)
    levels = confidence_levels(confidence)
    keys = by_columns(by)
    column_names({"first": first, "second": second}, hint="column of that coder's codes")
    require_columns(data, [first, second, *keys])
    if first == second:
        raise ValueError(f"first and second are the same column ('{first}'). Fix: pass the column of each "
                         "coder's codes, e.g. first='coder_a', second='coder_b'.")
    inside = [c for c in (first, second) if c in keys]
    if inside:
        raise ValueError(f"Column(s) {inside} are also in by={keys}. Fix: name the coders' columns in first= "
                         "and second=, and the separate analyses (e.g. the theme) in by=.")
    by_not_an_output(keys, _OUTPUT)
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per item that both coders coded.")
    missing_labels(data, keys, "a label")
    for column in (first, second):
        fail_rows(data, data[column].isna().to_numpy(), f"Column '{column}' has a missing code",
                  "code those items, or leave them out of the comparison (data = "
                  f"data.dropna(subset=['{first}', '{second}'])) and say how many were left out.")

    a, b, _ = _codes(data, first, second)
    codes, key_frame = group_codes(data, keys)
    k = len(key_frame)
    items = np.bincount(codes, minlength=k)
    few = np.flatnonzero(items < 2)
    if few.size:
        g = few[0]
        where = "the data" if not keys else ", ".join(f"{c}={as_written(key_frame.iloc[g][c])}" for c in keys)
        raise ValueError(f"{where} has {items[g]} item coded: kappa needs at least 2 (and its limits about "
                         "30 or more). Fix: code more items, or pool the groups of by=.")
    c = int(max(a.max(), b.max())) + 1
    # One c x c table per group (first coder in rows, second in columns), as statsmodels' to_table builds it.
    tables = np.bincount((codes * c + a) * c + b, minlength=k * c * c).reshape(k, c, c).astype("float64")

    from statsmodels.stats.inter_rater import cohens_kappa  # imported on first use (it is slow)

    observed = np.einsum("kii->k", tables) / items
    row, col = tables.sum(axis=2) / items[:, None], tables.sum(axis=1) / items[:, None]
    expected = (row * col).sum(axis=1)
    defined = expected < 1 - 1e-12
    kappa = np.full(k, np.nan)
    se = np.full(k, np.nan)
    for g in np.flatnonzero(defined):  # one call per analysis (a handful of themes), not per item
        with np.errstate(invalid="ignore", divide="ignore"):  # its test of kappa = 0 is 0/0 when SE0 is 0
            result = cohens_kappa(tables[g])
        kappa[g], se[g] = result.kappa, result.std_kappa
    # At kappa = 1, when one coder used a single code (kappa is then 0 whatever the other did), or at the
    # lowest kappa the codes allow, the large-sample variance is 0 (or rounding noise: SE below 1e-6, where
    # a real SE needs about 10^12 items): limits of no width would claim a certainty the items do not give.
    flat = defined & ~(se > 1e-6)
    se[flat] = np.nan

    out = key_frame.reset_index(drop=True)
    out["items"] = items
    out["categories"] = ((row > 0) | (col > 0)).sum(axis=1)
    out["observed_agreement"], out["expected_agreement"] = observed, expected
    out["value"] = kappa
    for level in levels:
        half = float(special.ndtri(1 - (1 - level) / 2)) * se
        out[f"lower_{level_suffix(level)}"] = kappa - half
        out[f"upper_{level_suffix(level)}"] = np.minimum(kappa + half, 1.0)
    out["se"] = se
    out["band"] = pd.array([_band(v) if np.isfinite(v) else None for v in kappa], dtype="str")
    single = ((row > 0).sum(axis=1) == 1) | ((col > 0).sum(axis=1) == 1)
    out["interpretation"] = _words(out, levels[0], single)
    return out


def _words(out: pd.DataFrame, level: float, single: np.ndarray) -> list[str]:
    suffix = level_suffix(level)
    percent = f"{round(level * 100, 8):g}%"
    texts = []
    for kappa, low, high, po, pe, n, band, one in zip(out["value"], out[f"lower_{suffix}"],
                                                     out[f"upper_{suffix}"], out["observed_agreement"],
                                                     out["expected_agreement"], out["items"], out["band"],
                                                     single, strict=True):
        if not np.isfinite(kappa):
            texts.append(f"No kappa: both coders gave all {n:,} items the same code, so there is nothing "
                         "to agree on beyond chance (kappa is 0 / 0). Observed agreement is 100%; check the "
                         "code is used at all, or pool items.")
            continue
        agreed = (f"the coders agreed on {_fmt(100 * po)}% of items, where {_fmt(100 * pe)}% would be "
                  "expected by chance")
        if not np.isfinite(low):
            why = ("one coder gave every item the same code, so kappa is 0 whatever the other coder did"
                   if one else "the coders agreed on every item" if po == 1 else
                   "kappa is at the lowest value these codes allow")
            texts.append(f"Kappa {_fmt(kappa)} over {n:,} items: {agreed}. No limits: {why}, and the "
                         "large-sample formula then gives limits of no width, which would claim a certainty "
                         f"{n:,} items do not give. '{band.capitalize()}' agreement on Landis and Koch's "
                         "scale (1977), a convention rather than a test.")
            continue
        span = _band(low), _band(high)
        limits = (f"limits from '{span[0]}' to '{span[1]}'" if span[0] != span[1] else
                  f"limits all '{span[0]}'")
        texts.append(
            f"Kappa {_fmt(kappa)} ({percent} limits {_fmt(low)} to {_fmt(high)}) over {n:,} items: "
            f"{agreed}. '{band.capitalize()}' agreement on Landis and Koch's scale (1977), a convention "
            f"rather than a test; {limits}.")
    return pd.array(texts, dtype="str")
