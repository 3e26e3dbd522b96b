"""Is the difference between two estimates bigger than chance? A test from their confidence limits.

Two estimates that each come with confidence limits (two years' SIIs from
:func:`equity_lib.inequality.sii`, two rates or proportions from :func:`equity_lib.rates.rate`,
:func:`equity_lib.rates.proportion` or :func:`equity_lib.rates.dsr`) are compared by testing their
difference, not by asking whether one lies inside the other's limits: that is not a test of a change (two
estimates can each lie outside the other's 95% limits and still differ by less than chance allows, or
have overlapping limits and differ by more).

* :func:`compare_estimates` - one row per comparison: the two estimates, their difference (or ratio)
  with its confidence limits, z, the two-sided p value and the finding in words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from equity_lib._validation import (
    by_columns,
    by_not_an_output,
    column_names,
    confidence_levels,
    fail_rows,
    group_codes,
    in_sentence,
    level_suffix,
    missing_labels,
    numeric_column,
    require_columns,
    require_dataframe,
    rows_phrase,
)
from equity_lib.inequality._common import format_number, number_key, text_column

__all__ = ["compare_estimates"]

SCALES = ("difference", "ratio")
_SUFFIX = re.compile(r"_(\d+(?:_\d+)?)$")  # 'sii_lower_95' -> '95', 'lower_99_8' -> '99_8'
_OUTPUT = ("focus_group", "reference_group", "focus_value", "reference_value", "difference", "ratio", "se",
           "z", "p_value", "scale", "interpretation")


def _z(level: float) -> float:
    """Two-sided normal deviate Phi^-1(1 - (1 - level) / 2): 1.959964 for 0.95 (``ndtri``)."""
    return float(special.ndtri(1 - (1 - level) / 2))


def compare_estimates(data: pd.DataFrame, value: str, *, lower: str, upper: str, group: str,
                      focus=None, reference=None, by: str | list[str] | None = None,
                      scale: str = "difference", confidence: float | Sequence[float] = 0.95,
                      limits_confidence: float = 0.95) -> pd.DataFrame:
    """Test the difference between two independent estimates from their confidence limits.

    Method (Altman DG, Bland JM. Interaction revisited: the difference between two estimates. *BMJ*
    2003;326:219): the standard error of each estimate is recovered from its confidence limits, the two
    are combined, and the difference is tested against the normal distribution. With estimates E_f (the
    focus) and E_r (the reference), limits L and U at level ``limits_confidence`` and
    z_in = Phi^-1(1 - (1 - limits_confidence) / 2) (1.959964 for 95% limits):

    * ``scale="difference"`` (e.g. two SIIs, two life expectancies): SE = (U - L) / (2 z_in) for each
      estimate; d = E_f - E_r; SE(d) = sqrt(SE_f^2 + SE_r^2); z = d / SE(d); two-sided
      p = 2 (1 - Phi(abs(z))); limits of the difference d -/+ z_out SE(d), z_out from ``confidence``.
    * ``scale="ratio"`` (rates, ratios, RIIs; every value and limit above 0): the same on the log scale,
      SE = (ln U - ln L) / (2 z_in), d = ln E_f - ln E_r; the ratio E_f / E_r and its limits
      exp(d -/+ z_out SE(d)).

    Assumptions: the two estimates are **independent** (e.g. different years of different events, or
    different areas; not an area and a total that includes it, and not two groups drawn from one
    sample), and each is approximately normal on the chosen scale, so that its limits are
    estimate -/+ z_in SE. An asymmetric interval (Wilson for a proportion, exact or Byar for a rate,
    Dobson for a directly standardised rate, a simulated SII) is only approximately normal: the method
    uses its width and ignores its asymmetry. Limits of a rate are close to symmetric on the log scale,
    which is why ``scale="ratio"`` is offered for rates; for a small count or a proportion near 0 or 1
    the approximation is rough, and for two proportions from counts a test on the counts is better.
    Three or more periods compared two at a time give several tests: one p below 0.05 among many is
    expected by chance.

    Parameters
    ----------
    data : DataFrame
        One row per estimate: e.g. the output of :func:`equity_lib.inequality.sii` with
        ``by="financial_year"``, or of :func:`equity_lib.rates.rate` with ``by=["trust_code", "sex"]``.
    value : str
        Column of the estimates (``"sii"``, ``"rii"``, ``"value"``).
    lower, upper : str
        Columns of each estimate's lower and upper confidence limits, at level ``limits_confidence``
        (e.g. ``"sii_lower_95"``, ``"lower_95"``). Every estimate needs both, with
        lower <= value <= upper.
    group : str
        Column of the labels of the two things compared (e.g. the year, or the sex).
    focus, reference : optional
        The two values of ``group`` compared: the result is focus minus reference (or focus divided by
        reference). Give both or neither; without them each ``by`` group must have exactly two rows, and
        the later one in ``group``'s order (sorted, or the order of a categorical) is the focus, so that
        a year-on-year comparison reads as later minus earlier.
    by : str or list of str, optional
        Columns of separate comparisons (e.g. the trust): one result each.
    scale : {"difference", "ratio"}
        Compare on the difference scale or on the log scale as a ratio (see above).
    confidence : float or tuple of float
        Level(s) of the limits of the difference (or ratio), e.g. ``0.95`` (default) or ``(0.95, 0.998)``.
    limits_confidence : float
        The level of the limits given in ``lower`` and ``upper`` (default 0.95). A column whose name ends
        in another level (``lower_99_8`` with 0.95) is an error.

    Returns
    -------
    DataFrame
        One row per ``by`` group (sorted): the ``by`` columns, ``focus_group``, ``reference_group``,
        ``focus_value``, ``reference_value``, ``difference`` (focus minus reference) or ``ratio`` (focus
        over reference), ``lower_95``, ``upper_95`` (and ``lower_99_8``, ... for other levels) of the
        difference or ratio, ``se`` (standard error of the difference; of the log ratio on the ratio
        scale), ``z``, ``p_value`` (two-sided), ``scale`` and ``interpretation`` (the finding in words, at
        the first ``confidence`` level).

    Raises
    ------
    ValueError
        A ``by`` group without exactly two estimates (or without one row each for ``focus`` and
        ``reference``); a missing estimate or limit; lower above the value or upper below it; limits of
        no width for both estimates; on the ratio scale a value or limit of 0 or below. Each message
        names the column, the rows and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import compare_estimates
    >>> yearly = pd.DataFrame({"year": ["2022/23", "2024/25"], "sii": [249.45, 269.63],
    ...                        "sii_lower_95": [221.44, 241.56], "sii_upper_95": [277.07, 297.44]})
    >>> change = compare_estimates(yearly, "sii", lower="sii_lower_95", upper="sii_upper_95", group="year")
    >>> change[["focus_group", "reference_group", "difference", "lower_95", "upper_95", "p_value"]].round(2)
      focus_group reference_group  difference  lower_95  upper_95  p_value
    0     2024/25         2022/23       20.18    -19.24      59.6     0.32
    """
    require_dataframe(data)
    levels = confidence_levels(confidence)
    in_level = confidence_levels(limits_confidence)
    if len(in_level) != 1:
        raise ValueError(f"limits_confidence={limits_confidence!r} gives more than one level. Fix: pass the "
                         "one level of the limits in lower= and upper=, e.g. 0.95.")
    in_level = in_level[0]
    if scale not in SCALES:
        raise ValueError(f"scale={scale!r} is not one of {list(SCALES)}. Fix: pass scale='difference' (e.g. "
                         "two SIIs) or scale='ratio' (e.g. two rates, compared on the log scale).")
    keys = by_columns(by)
    column_names({"value": value, "lower": lower, "upper": upper, "group": group})
    require_columns(data, [value, lower, upper, group, *keys])
    if group in keys:
        raise ValueError(f"group='{group}' is also in by={keys}. Fix: name the column of the two things "
                         "compared in group= and the columns of separate comparisons in by=.")
    if len({value, lower, upper}) < 3:
        raise ValueError(f"value, lower and upper must be three different columns (given '{value}', "
                         f"'{lower}', '{upper}'). Fix: pass the estimate and its two limits.")
    by_not_an_output(keys, _OUTPUT)
    for column in (lower, upper):
        match = _SUFFIX.search(column)
        if match:
            named = float(match.group(1).replace("_", ".")) / 100
            if 0.5 <= named < 1 and level_suffix(named) != level_suffix(in_level):
                raise ValueError(
                    f"Column '{column}' looks like {named:.1%} limits, but limits_confidence is "
                    f"{in_level:g}. Fix: pass limits_confidence={named:g}, or the columns of the "
                    f"{in_level:.1%} limits.".replace(".0%", "%"))
    if (focus is None) != (reference is None):
        raise ValueError("Give both focus and reference, or neither. Fix: e.g. focus='2024/25', "
                         "reference='2022/23'; without them each by group must have exactly two rows.")
    if len(data) == 0:
        raise ValueError("data has no rows. Fix: pass one row per estimate, two per comparison.")
    missing_labels(data, [group, *keys], "a label")

    if focus is not None:
        present = set(pd.unique(data[group]).tolist())
        for role, code in (("focus", focus), ("reference", reference)):
            if code not in present:
                shown = ", ".join(repr(v) for v in sorted(present, key=str)[:20])
                raise ValueError(f"{role}={code!r} is not a value of column '{group}' (its values: {shown}). "
                                 f"Fix: pass one of those values as {role}.")
        if focus == reference:
            raise ValueError(f"focus and reference are the same value ({focus!r}). Fix: pass two different "
                             f"values of '{group}'.")
        data = data.loc[data[group].isin([focus, reference]).to_numpy()]

    estimate = numeric_column(data, value)
    low = numeric_column(data, lower)
    high = numeric_column(data, upper)
    for column, values in ((value, estimate), (lower, low), (upper, high)):
        fail_rows(data, np.isnan(values), f"Column '{column}' is missing",
                  "an estimate without its value and both limits has no standard error: fill it in, or "
                  f"drop those rows (data.dropna(subset=['{value}', '{lower}', '{upper}'])) and compare "
                  "what is left.")
    fail_rows(data, low > estimate, f"Column '{lower}' (lower limit) is above column '{value}'",
              "check that lower= and upper= name the limits of this value and are not swapped.")
    fail_rows(data, high < estimate, f"Column '{upper}' (upper limit) is below column '{value}'",
              "check that lower= and upper= name the limits of this value and are not swapped.")
    if scale == "ratio":
        for column, values in ((value, estimate), (lower, low)):
            fail_rows(data, values <= 0, f"Column '{column}' is 0 or below, which has no logarithm",
                      "compare on scale='difference', or pool periods or areas so that every estimate and "
                      "lower limit is above 0 (a rate of 0 has no ratio).")

    # Pair the rows: each by group's two rows, in group's order (the later one is the focus).
    codes, key_frame = group_codes(data, keys)
    k = len(key_frame)
    label_codes, _ = pd.factorize(data[group], sort=True)
    if focus is not None:
        label_codes = np.where(data[group].to_numpy() == focus, 1, 0)
    counts = np.bincount(codes, minlength=k)
    wrong = np.flatnonzero(counts != 2)
    if wrong.size:
        g = wrong[0]
        where = "the data" if not keys else ", ".join(f"{c}={key_frame.iloc[g][c]!r}" for c in keys)
        rows = list(data.index[codes == g])
        want = (f"one row for {group}={focus!r} and one for {group}={reference!r}" if focus is not None else
                f"exactly two rows, one for each value of '{group}' compared")
        raise ValueError(f"{where} has {counts[g]} row(s) ({rows_phrase(rows)}) but needs {want}. Fix: keep "
                         "two estimates per comparison (pass focus= and reference= to pick two of several, "
                         "or by= to separate the comparisons).")
    order = np.lexsort((label_codes, codes))  # by group, then label: positions 2g (reference), 2g+1 (focus)
    ref, foc = order[0::2], order[1::2]
    same = label_codes[ref] == label_codes[foc]
    if same.any():
        g = int(np.flatnonzero(same)[0])
        rows = [data.index[ref[g]], data.index[foc[g]]]
        raise ValueError(f"Column '{group}' has the same label at {rows_phrase(rows)}, which are one "
                         "comparison. Fix: give the two estimates compared different labels, or pass by= to "
                         "separate the comparisons.")

    z_in = _z(in_level)
    if scale == "ratio":
        t, t_low, t_high = np.log(estimate), np.log(low), np.log(high)
    else:
        t, t_low, t_high = estimate, low, high
    se_each = (t_high - t_low) / (2 * z_in)
    d = t[foc] - t[ref]
    se = np.sqrt(se_each[foc] ** 2 + se_each[ref] ** 2)
    flat = se == 0
    if flat.any():
        g = int(np.flatnonzero(flat)[0])
        pair = rows_phrase([data.index[ref[g]], data.index[foc[g]]])
        raise ValueError(f"The limits at {pair} have no width (columns '{lower}' and '{upper}' equal), so "
                         "there is no standard error to test with. Fix: pass the estimates' real confidence "
                         "limits.")
    with np.errstate(over="ignore"):
        z = d / se
    p = 2 * special.ndtr(-np.abs(z))

    out = key_frame.reset_index(drop=True)
    group_values = data[group].to_numpy()
    out["focus_group"] = group_values[foc]
    out["reference_group"] = group_values[ref]
    out["focus_value"] = estimate[foc]
    out["reference_value"] = estimate[ref]
    name = "difference" if scale == "difference" else "ratio"
    back = (lambda v: v) if scale == "difference" else np.exp
    with np.errstate(over="ignore"):
        out[name] = back(d)
        for level in levels:
            half = _z(level) * se
            out[f"lower_{level_suffix(level)}"] = back(d - half)
            out[f"upper_{level_suffix(level)}"] = back(d + half)
    out["se"] = se
    out["z"] = z
    out["p_value"] = p
    out["scale"] = scale
    out["interpretation"] = _interpretation(out, name, levels[0], group)
    return out


def _p_words(p: float) -> str:
    if p < 0.001:
        return "p < 0.001"
    return f"p = {float(f'{p:.2g}'):g}"


def _p_key(p: np.ndarray) -> np.ndarray:
    """Equal for two p values exactly when :func:`_p_words` writes them alike (2 significant figures)."""
    small = p < 0.001
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = np.where(small | (p == 0), 0, 1 - np.floor(np.log10(np.where(p > 0, p, 1))))
    return np.where(small, -1, np.rint(p * 10.0**digits) * 100 + digits).astype(np.int64)


def _interpretation(out: pd.DataFrame, name: str, level: float, group: str):
    """'2024/25 minus 2022/23: 20.2 (95% limits -19.3 to 59.6; p = 0.32). The limits include 0 (no
    difference), so these data do not show a difference: one this size could be chance.'

    Each distinct sentence is built once (keyed on the labels, the numbers as written and the p value)."""
    estimate = out[name].to_numpy()
    suffix = level_suffix(level)
    low, high = out[f"lower_{suffix}"].to_numpy(), out[f"upper_{suffix}"].to_numpy()
    p = out["p_value"].to_numpy()
    null = 0.0 if name == "difference" else 1.0
    def words(labels):  # each distinct label written once: "imd_quintile 1", "2024/25"
        codes, distinct = pd.factorize(labels, use_na_sentinel=False)
        return np.array([in_sentence(group, v) for v in distinct], dtype=object)[codes]

    focus, reference = words(out["focus_group"]), words(out["reference_group"])
    percent = f"{round(level * 100, 8):g}%"

    def build(i):
        if name == "difference":
            head = f"{focus[i]} minus {reference[i]}: {format_number(estimate[i])}"
        else:
            head = f"{focus[i]} divided by {reference[i]}: {format_number(estimate[i])}"
        head += (f" ({percent} limits {format_number(low[i])} to {format_number(high[i])}; "
                 f"{_p_words(p[i])})")
        nothing = "0 (no difference)" if name == "difference" else "1 (no difference)"
        if low[i] > null or high[i] < null:
            direction = "higher" if estimate[i] > null else "lower"
            return (f"{head}. The limits exclude {nothing}: {focus[i]} is {direction} than {reference[i]} by "
                    "more than chance alone would make likely.")
        return (f"{head}. The limits include {nothing}, so these data do not show a difference: one this "
                "size could be chance. They do not show that there is none either: any value within the "
                "limits fits the data.")

    focus_codes, _ = pd.factorize(pd.Series(focus, dtype=object), use_na_sentinel=False)
    reference_codes, _ = pd.factorize(pd.Series(reference, dtype=object), use_na_sentinel=False)
    with np.errstate(invalid="ignore"):
        side = np.select([low > null, high < null], [1, 2], 0)
    keys = [focus_codes, reference_codes, *number_key(estimate), *number_key(low), *number_key(high),
            _p_key(p), side]
    return text_column(keys, build)
