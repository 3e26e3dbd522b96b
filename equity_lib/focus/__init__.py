"""Choosing the focus: how many events a gap costs, and which few cells hold most of them.

"Inch wide, mile deep" means one focused project where it closes most of the gap. Two questions:

* :func:`excess_cases` - how many fewer events (e.g. long waits) if every group had the reference
  group's rate, e.g. if the most deprived matched the least deprived.
* :func:`pareto` - rank cells (e.g. trust x quintile, the ``by`` columns) by that excess and accumulate
  their share, to find the vital few. :func:`equity_lib.focus.plot.plot_pareto` draws it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib._validation import (
    by_columns,
    check_bool,
    column_names,
    count_column,
    fail_rows,
    missing_labels,
    numeric_column,
    positive_number,
    require_columns,
    require_dataframe,
    total_fits,
)

IMPROVEMENTS = ("decrease", "increase")


def excess_cases(
    data: pd.DataFrame,
    numerator: str,
    denominator: str,
    group: str,
    *,
    reference="best",
    improvement: str = "decrease",
    by: str | list[str] | None = None,
    pooled_reference: bool = False,
    reference_rate: float | None = None,
    multiplier: float = 1,
) -> pd.DataFrame:
    """Events in excess of what each group would have at the reference group's rate.

    For each group g (within each ``by`` series), with rows of the same group added up first:

    - ``rate_g = numerator_g / denominator_g``;
    - ``expected_g = denominator_g x reference_rate``;
    - ``excess_g = numerator_g - expected_g`` when the events are bad (``improvement="decrease"``,
      e.g. waits over 52 weeks), or ``expected_g - numerator_g`` when they are good (``"increase"``,
      e.g. seen within 18 weeks: the events missed). Positive means worse than the reference; the
      reference group's own excess is 0.

    This is the attributable (excess) number of the population attributable risk: the events that would
    not occur if every group had the reference rate (WHO HEAT technical notes, 2021, "population
    attributable risk", there against the best subgroup; PHE's *Health Inequalities Dashboard* uses the
    same counterfactual against the least deprived). The total of the positive excesses is the number a
    focused project could, at most, remove.

    Parameters
    ----------
    data : DataFrame
        Counts: one row per cell, or finer rows that are added up.
    numerator, denominator : str
        Columns of events and of people (or exposure) at risk.
    group : str
        Column of the groups compared (e.g. ``imd_quintile``).
    reference : object
        The group whose rate every group is held to: ``"best"`` (the default: the group with the
        lowest rate for ``decrease``, highest for ``increase``; the best of small groups is partly
        chance, so prefer a large named group such as the least deprived) or a group code.
    improvement : str
        ``decrease`` (events are bad; the default) or ``increase`` (events are good).
    by : str or list of str, optional
        Columns of separate series (e.g. trust). Each series gets its own reference rate, unless
        ``pooled_reference`` is true.
    pooled_reference : bool
        Take the reference rate from all rows pooled (e.g. the collaborative's least deprived quintile),
        so every ``by`` x ``group`` cell is held to the same standard: the basis for a Pareto of cells.
    reference_rate : float, optional
        A rate to hold every group to instead (on the ``multiplier`` scale), e.g. a national figure:
        from 0 up to ``multiplier`` (a proportion cannot exceed 1, so expected events never exceed the
        people at risk).
    multiplier : float
        Scale of ``rate`` and ``reference_rate`` (1 for a proportion, 100 for a percentage).

    Returns
    -------
    DataFrame
        One row per ``by`` x ``group``: the ``by`` columns, ``group``, ``numerator``, ``denominator``,
        ``rate``, ``reference_group`` (missing when ``reference_rate`` is given), ``reference_rate``,
        ``expected``, ``excess``.
    """
    require_dataframe(data)
    keys = by_columns(by)
    if improvement not in IMPROVEMENTS:
        raise ValueError(f"improvement must be one of {IMPROVEMENTS}, not {improvement!r}.")
    multiplier = positive_number(multiplier, "multiplier", "100 for a percentage")
    check_bool(pooled_reference, "pooled_reference")
    if reference_rate is not None:
        if isinstance(reference_rate, (bool, np.bool_)) or not isinstance(
                reference_rate, (int, float, np.integer, np.floating)) \
                or not np.isfinite(reference_rate) or reference_rate < 0:
            raise ValueError(f"reference_rate must be a number of at least 0, not {reference_rate!r} (on the "
                             "multiplier scale, e.g. 2.5 for 2.5% with multiplier=100).")
        if reference_rate > multiplier:
            raise ValueError(
                f"reference_rate={reference_rate!r} with multiplier={multiplier:g} is a proportion of "
                f"{reference_rate / multiplier:g}, above 1: every group would be expected to have more "
                "events than people at risk. Fix: give the rate on the multiplier's scale, e.g. "
                "reference_rate=2.5, multiplier=100 for 2.5% (or reference_rate=0.025 with multiplier=1).")
    column_names({"numerator": numerator, "denominator": denominator, "group": group})
    require_columns(data, [numerator, denominator, group, *keys])
    if group in keys:
        raise ValueError(f"group '{group}' is also in by. Fix: pass it only as group.")
    missing_labels(data, [group], "group")
    missing_labels(data, keys, "by")
    num = count_column(data, numerator)
    den = count_column(data, denominator)
    total_fits(denominator, den)
    fail_rows(data, num > den, f"Column '{numerator}' is above '{denominator}'",
              "events cannot outnumber the people at risk; check the two columns.")

    frame = data[[*keys, group]].copy()
    frame["numerator"], frame["denominator"] = num, den
    cells = frame.groupby([*keys, group], observed=True, sort=True)[["numerator", "denominator"]].sum()
    cells = cells.reset_index()
    empty = cells["denominator"].to_numpy() == 0
    if empty.all():
        raise ValueError(f"Every group has a denominator of 0 in '{denominator}'. "
                         "Fix: pass the people at risk.")
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["rate"] = np.where(empty, np.nan, cells["numerator"] / cells["denominator"])

    pooled = not keys or pooled_reference
    series = (np.zeros(len(cells), dtype=np.int64) if pooled
              else cells.groupby(keys, observed=True, sort=False).ngroup().to_numpy())
    # The reference group's rate in each series: its rows' events over its rows' people at risk.
    by_group = cells.assign(_s=series).groupby(["_s", group], observed=True, sort=False)[
        ["numerator", "denominator"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        group_rate = by_group["numerator"] / by_group["denominator"].where(by_group["denominator"] > 0)
    reference_group = pd.Series(pd.NA, index=cells.index, dtype=object)
    if reference_rate is not None:
        ref_rate = np.full(len(cells), float(reference_rate) / multiplier)
    elif isinstance(reference, str) and reference == "best":
        best = (group_rate.groupby(level="_s").idxmin() if improvement == "decrease"
                else group_rate.groupby(level="_s").idxmax())
        best_group = best.map(lambda key: key[1])
        ref_rate = group_rate.loc[list(best)].to_numpy()[series]
        reference_group[:] = best_group.to_numpy()[series]
    else:
        if isinstance(reference, (bool, np.bool_)) and not pd.api.types.is_bool_dtype(cells[group]):
            raise TypeError(f"reference={reference!r} is true/false, but column '{group}' does not hold "
                            "true/false values (True would match a group coded 1). Fix: pass the group's "
                            "own value, e.g. reference=5, or 'best'.")
        if reference not in set(cells[group]):
            shown = ", ".join(repr(v) for v in sorted(set(cells[group]), key=str)[:20])
            raise ValueError(f"reference={reference!r} is not a value of column '{group}' (its values: "
                             f"{shown}). Fix: pass one of them, 'best', or a number as reference_rate.")
        at_reference = group_rate.xs(reference, level=group)
        ref_rate = at_reference.reindex(range(series.max() + 1)).to_numpy()[series]
        reference_group[:] = reference
    missing_ref = np.isnan(ref_rate)
    if missing_ref.any():
        labels = cells.loc[missing_ref, keys].drop_duplicates().to_dict("records")
        raise ValueError(f"No reference rate for {labels[:5]}: the reference group has no rows or no one at "
                         "risk there. Fix: pass pooled_reference=True, or a rate as reference.")

    cells["reference_group"] = reference_group
    cells["reference_rate"] = ref_rate
    cells["expected"] = cells["denominator"] * cells["reference_rate"]
    if reference_rate is None and not (keys and pooled_reference):
        # The reference group's own cell: exactly its count (no -0.00 from rounding n / d * d).
        own = (cells[group] == reference_group).to_numpy(dtype=bool, na_value=False)
        cells.loc[own, "expected"] = cells.loc[own, "numerator"]
    sign = 1 if improvement == "decrease" else -1
    cells["excess"] = sign * (cells["numerator"] - cells["expected"])
    cells["rate"] *= multiplier
    cells["reference_rate"] *= multiplier
    return cells[[*keys, group, "numerator", "denominator", "rate", "reference_group", "reference_rate",
                  "expected", "excess"]]


def pareto(data: pd.DataFrame, value: str, by: str | list[str]) -> pd.DataFrame:
    """Cells ranked by a contribution, with their cumulative share: the "vital few".

    ``share = max(value, 0) / sum(max(value, 0))`` and ``cumulative_share`` its running total in
    descending order of ``value`` (Juran's Pareto analysis; NHS England and NHS Improvement, *Pareto
    charts*, QSIR tools, 2021). Cells with a value of 0 or less (no excess) have a share of 0 and come
    last.

    Parameters
    ----------
    data : DataFrame
        One row per cell, e.g. the output of :func:`excess_cases`.
    value : str
        Column of each cell's contribution (e.g. ``"excess"``).
    by : str or list of str
        Column(s) that identify a cell, e.g. ``["trust_code", "imd_quintile"]``; each cell appears once.

    Returns
    -------
    DataFrame
        One row per input row, sorted: ``rank`` (1 = largest), the ``by`` columns under their own names,
        ``label`` (the cell's values joined with " · "), ``value``, ``share`` and ``cumulative_share``
        (fractions of 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from equity_lib import pareto
    >>> cells = pd.DataFrame({"trust": ["A", "A", "B"], "quintile": [1, 2, 1], "excess": [30.0, 5.0, 65.0]})
    >>> pareto(cells, value="excess", by=["trust", "quintile"])["label"].tolist()
    ['B · 1', 'A · 1', 'A · 2']
    """
    require_dataframe(data)
    keys = by_columns(by)
    if not keys:
        raise ValueError("by must name the column(s) that identify a cell. Fix: pass e.g. "
                         "by=['trust_code', 'imd_quintile'].")
    column_names({"value": value})
    require_columns(data, [value, *keys])
    missing_labels(data, keys, "by: the cells")
    v = numeric_column(data, value)
    fail_rows(data, np.isnan(v), f"Column '{value}' has missing values", "fill them in, or drop those cells.")
    fail_rows(data, data.duplicated(keys, keep=False).to_numpy(), f"More than one row has the same {keys}",
              "add the rows up first, so each cell appears once.")
    positive = np.clip(v, 0, None)
    total = positive.sum()
    if total <= 0:
        raise ValueError(f"No cell has a value above 0 in '{value}': there is nothing to rank. Fix: pass "
                         "the cells' contributions with a positive value meaning worse, e.g. the 'excess' "
                         "column of excess_cases() (check improvement= if every excess is negative).")
    order = np.argsort(-v, kind="stable")
    out = data[keys].iloc[order].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["label"] = _joined_labels(out, keys)
    out["value"] = v[order]
    out["share"] = positive[order] / total
    out["cumulative_share"] = np.cumsum(out["share"].to_numpy())
    return out


def _joined_labels(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Each row's values of ``keys`` as text joined with " · " (as ``astype(str)`` writes them), built
    from each column's distinct values so that a million rows of a few trusts and quintiles are cheap."""
    label = None
    for key in keys:
        codes, uniques = pd.factorize(frame[key], use_na_sentinel=False)
        text = pd.Series(uniques).astype(str).to_numpy(dtype=object)[codes]
        label = text if label is None else label + " · " + text
    return label
