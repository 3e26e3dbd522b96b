"""The equity pause: a short, data-driven record that a board reads before it signs off an initiative.

The programme report asks boards to "only sign off initiatives that address inequalities", after a pause to
ask "What does our data tell us about how this issue affects different populations?". What the report calls
an equity pause (after the Virginia Mason Institute) has no public definition that we found; this is our
own data-driven version, close in spirit to UW Medicine's Equity Impact Review. It gathers the outputs of
the other lessons into five questions and a decision:

1. **Can we see everyone?** completeness of the equity field (:func:`equity_lib.quality.completeness`).
2. **How does it affect different populations?** one SPC chart per group (:func:`equity_lib.spc` with a
   group as its by column): each group's level and latest icon, and which group is most affected: the
   worst mean of the latest phase, unless a group's latest point is a special cause concern, whose value
   is then its level (limits frozen before a deterioration would otherwise hide the group that is worst now).
3. **How steep is the gradient?** the slope and relative index of inequality
   (:func:`equity_lib.inequality.sii`).
4. **Does the initiative reach the most affected?** the groups it targets against question 2's answer.
5. **Can we publish it?** the suppression check (:func:`equity_lib.disclosure.check_safe`).

:func:`equity_pause` builds the record; every answer is in words, and each status is a word (``ok``,
``caution``, ``act``), never a colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from equity_lib._validation import as_written
from equity_lib.disclosure import SafetyCheck, SuppressionResult, check_safe
from equity_lib.process_control import SPCResult

#: The status of one question, in words (never a colour alone).
STATUSES = ("ok", "caution", "act")
#: The decisions a board can record.
DECISIONS = ("sign off", "sign off with conditions", "do not sign off yet")
_COMPLETENESS_COLUMNS = {"column", "records", "valid", "not_stated", "not_known", "missing", "invalid",
                         "pct_valid"}


@dataclass
class EquityPause:
    """The record of one equity pause.

    ``record`` has one row per question: ``step``, ``question``, ``evidence`` (in words, with the
    figures) and ``status`` (``ok``, ``caution``, ``act`` or ``not assessed``). ``recommendation`` is one
    of :data:`DECISIONS` with its reason, derived from the record; ``decision`` and ``rationale`` are what
    the board decided, in its own words.
    """

    initiative: str
    record: pd.DataFrame
    recommendation: str
    most_affected: object = None
    decision: str | None = None
    rationale: str | None = None

    def to_markdown(self) -> str:
        """The record as a Markdown section for board papers."""
        lines = [f"### Equity pause: {self.initiative}", "", "| # | Question | Evidence | Status |",
                 "|---|---|---|---|"]

        def cell(text) -> str:  # a "|" inside a cell would end it early
            return str(text).replace("|", "\\|").replace("\n", " ")

        for row in self.record.itertuples(index=False):
            lines.append(f"| {row.step} | {cell(row.question)} | {cell(row.evidence)} | {cell(row.status)} |")
        lines += ["", f"**Recommendation:** {self.recommendation}"]
        if self.decision is not None:
            decided = f"**Decision:** {self.decision}" + (f". {self.rationale}" if self.rationale else "")
            lines += ["", decided]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return self.to_markdown()


def _completeness_answer(table: pd.DataFrame, threshold: float) -> tuple[str, str]:
    if not {"records", "valid", "pct_valid"} <= set(table.columns):
        raise ValueError("completeness must be the table from equity_lib.quality.completeness (columns "
                         "records, valid, pct_valid).")
    if table.empty or table["records"].sum() == 0:
        return "No records to assess.", "act"
    labels = [c for c in table.columns if c not in _COMPLETENESS_COLUMNS]
    name = (table[labels].astype(str).agg(" ".join, axis=1) if labels
            else pd.Series([f"row {i}" for i in table.index], index=table.index))
    overall = 100 * table["valid"].sum() / table["records"].sum()
    field = table["column"].iloc[0] if "column" in table else "the field"
    lowest = table["pct_valid"].idxmin()
    below = name[table["pct_valid"] < threshold].tolist()
    evidence = (f"{field} is valid for {overall:.1f}% of {int(table['records'].sum()):,} records; lowest "
                f"{table['pct_valid'][lowest]:.1f}% ({name[lowest]}).")
    if not below:
        return evidence + f" Every row is at or above {threshold:g}%.", "ok"
    return (evidence + f" Below {threshold:g}%: {', '.join(below)}. Report the breakdown with its "
            "completeness and the sensitivity bounds; improve recording alongside the work."), "caution"


def _stratified_answer(result: SPCResult) -> tuple[str, str, object]:
    direction = result.settings.get("improvement")
    by = result.settings.get("by") or []
    if len(by) != 1:
        raise ValueError("stratified must be an SPC result with one series per group: "
                         "spc(..., by=<group column>).")
    if direction not in ("increase", "decrease"):
        raise ValueError("stratified needs one improvement direction (improvement='increase' or "
                         "'decrease') to say which group is most affected.")
    name = by[0]
    latest = result.summary().groupby(name, sort=False, observed=True).tail(1).set_index(name)
    concerns = latest.index[latest["variation"] == "concern"].tolist()
    # a group's level now: its latest phase's mean, or, when its latest point is a special cause concern
    # (the process has moved away from that mean, e.g. limits frozen before a deterioration), that point
    last_y = result.table.groupby(name, sort=False, observed=True)["value"].last()
    level = latest["cl"].copy()
    level[concerns] = last_y[concerns]
    worst = level.idxmin() if direction == "increase" else level.idxmax()
    best = latest["cl"].idxmax() if direction == "increase" else latest["cl"].idxmin()
    if worst in concerns:
        side = "below" if direction == "increase" else "above"
        evidence = (f"Most affected: {name} {worst} (latest point {level[worst]:.1f}, a special cause "
                    f"concern {side} its mean of {latest.loc[worst, 'cl']:.1f}; mean "
                    f"{latest.loc[best, 'cl']:.1f} for {name} {best}).")
    else:
        evidence = (f"Most affected: {name} {worst} (mean {latest.loc[worst, 'cl']:.1f}, against "
                    f"{latest.loc[best, 'cl']:.1f} for {name} {best}).")
    if concerns:
        evidence += f" Latest point special cause concern in: {', '.join(f'{name} {g}' for g in concerns)}."
        return evidence, "act", worst
    improving = latest.index[latest["variation"] == "improvement"].tolist()
    # the icons read the latest point; special cause earlier in the same phase is said, not hidden
    earlier = latest["n_special_cause"][latest["n_special_cause"] > 0]
    flagged = ", ".join(f"{name} {group} ({int(n)})" for group, n in earlier.items())
    if improving:
        evidence += (f" Latest point improving in: {', '.join(f'{name} {g}' for g in improving)}; the others "
                     "common cause.")
    elif earlier.empty:
        evidence += " Every group common cause: a stable difference that needs a change to the system."
    else:
        evidence += (f" Latest point common cause in every group, but special cause points earlier in the "
                     f"latest phase in: {flagged}.")
    return evidence, "caution", worst


def _gradient_answer(table: pd.DataFrame) -> tuple[str, str]:
    if not {"sii", "rii", "sii_lower_95", "sii_upper_95"} <= set(table.columns):
        raise ValueError("gradient must be the table from equity_lib.sii with 95% limits (columns sii, rii, "
                         "sii_lower_95, sii_upper_95).")
    row = table.iloc[-1]
    if pd.isna(row["sii"]):
        return f"SII withheld: {row.get('reason', 'no value')}.", "caution"
    limits = f"95% CI {row['sii_lower_95']:.3g} to {row['sii_upper_95']:.3g}"
    evidence = f"SII {row['sii']:.3g} ({limits}), RII {row['rii']:.3g}."
    significant = row["sii_lower_95"] > 0 or row["sii_upper_95"] < 0
    if {"multiplier", "worse_direction"} <= set(row.index) and row["sii"] != 0:
        # in words, on the SII's own scale (sii's interpretation quotes the gap before the multiplier)
        most_higher = row["sii"] / row["multiplier"] < 0
        evidence += f" The most deprived have {'higher' if most_higher else 'lower'} values"
        if row["worse_direction"] in ("higher values are worse", "lower values are worse"):
            most_worse = most_higher == (row["worse_direction"] == "higher values are worse")
            who = "most" if most_worse else "least"
            evidence += f" and {row['worse_direction']}, so the {who} deprived are worse off"
        evidence += ("; the 95% limits exclude 0 (they allow for chance in the counts, not for other "
                     "variation between groups)." if significant else
                     "; the 95% limits include 0, so the gradient could be chance.")
    elif isinstance(row.get("interpretation"), str) and row["interpretation"].strip():
        text = row["interpretation"].strip()
        evidence += " " + text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return evidence, ("act" if significant else "ok")


def _reach_answer(focus_groups, most_affected, name=None) -> tuple[str, str]:
    groups = list(focus_groups)

    def label(group):
        return f"{name} {group}" if name else str(group)

    names = ", ".join(map(label, groups))
    if most_affected is None:
        return f"Reached: {names}. Most affected group not assessed (no stratified chart).", "caution"
    if most_affected in groups:
        return f"Reached {names}, which includes the most affected group ({label(most_affected)}).", "ok"
    return (f"Reached {names}, but not the most affected group ({label(most_affected)}): it may widen the "
            "gap (an intervention-generated inequality)."), "act"


def _publication_answer(check: SafetyCheck) -> tuple[str, str]:
    if check.safe:
        return "The published table passes the suppression check.", "ok"
    return "Not safe to publish yet: " + " ".join(check.reasons[:2]), "act"


def _check_inputs(completeness, stratified, gradient, threshold) -> None:
    """Each piece of evidence is the output it should be, and the threshold a percentage."""
    for name, value, source in (("completeness", completeness, "equity_lib.quality.completeness(...)"),
                                ("gradient", gradient, "equity_lib.sii(...)")):
        if value is not None and not isinstance(value, pd.DataFrame):
            raise TypeError(f"{name} must be the table from {source} (a DataFrame), not a "
                            f"{type(value).__name__}. Fix: pass that table, or leave {name} out.")
    if stratified is not None and not isinstance(stratified, SPCResult):
        hint = (" (a table, e.g. its .table or .summary())" if isinstance(stratified, pd.DataFrame) else "")
        raise TypeError(f"stratified must be the result of equity_lib.spc(..., by=<group column>) itself, "
                        f"not a {type(stratified).__name__}{hint}. Fix: pass the SPCResult that spc "
                        "returns, e.g. stratified=spc(data, 'pct', 'month', by='imd_quintile', "
                        "improvement='decrease').")
    number = isinstance(threshold, (int, float, np.integer, np.floating)) and not isinstance(
        threshold, (bool, np.bool_))
    if not number or not np.isfinite(threshold) or not 0 <= threshold <= 100:
        raise ValueError(f"completeness_threshold is a percentage of valid codes from 0 to 100, not "
                         f"{threshold!r}. Fix: pass e.g. completeness_threshold=90 for 90%.")


def _focus_groups(focus_groups, stratified) -> list:
    """The focus groups as values of the stratified chart's group column.

    A value matches a group exactly, or else as :mod:`equity_lib.quality` compares codes (as text, without
    surrounding spaces, case-insensitive, whole numbers without a decimal point): "4" and 4.0 are group 4.
    A value that matches no group, or two, is an error: judging the wrong group would be a silent wrong
    answer.
    """
    if isinstance(focus_groups, (str, bytes, int, float, np.generic)):
        focus_groups = [focus_groups]
    try:
        groups = list(focus_groups)
    except TypeError as err:
        raise TypeError(f"focus_groups must be a group or a list of groups, not {focus_groups!r}.") from err
    if not groups:
        raise ValueError("focus_groups is empty. Fix: name the groups the initiative has reached, e.g. "
                         "focus_groups=[1].")
    if stratified is None:
        return groups
    from equity_lib.quality import _normalised_values

    name = (stratified.settings.get("by") or [None])[0]
    if name is None:
        return groups  # _stratified_answer says the chart needs one group column
    known = list(pd.unique(stratified.summary_table[name]))
    normal_known = list(_normalised_values(known))
    matched = []
    for group in groups:
        exact = [k for k in known if _same(k, group)]
        if not exact:
            normal = _normalised_values([group]).iloc[0]
            exact = [k for k, n in zip(known, normal_known, strict=True)
                     if not pd.isna(normal) and not pd.isna(n) and n == normal]
        if len(exact) != 1:
            shown = ", ".join(as_written(k) for k in known[:20])
            what = "matches more than one group" if exact else "is not a group of the stratified chart"
            raise ValueError(f"focus_groups value {group!r} {what} (its {name} values: {shown}). Fix: pass "
                             f"values of column {name!r} exactly as they appear there.")
        matched.append(exact[0])
    return list(dict.fromkeys(matched))


def _same(a, b) -> bool:
    try:
        return bool(a == b) and type(a) is not bool and type(b) is not bool
    except (TypeError, ValueError):
        return False


def equity_pause(
    initiative: str,
    *,
    completeness: pd.DataFrame | None = None,
    stratified: SPCResult | None = None,
    gradient: pd.DataFrame | None = None,
    focus_groups=None,
    publication: SafetyCheck | SuppressionResult | pd.DataFrame | None = None,
    completeness_threshold: float = 90,
    decision: str | None = None,
    rationale: str | None = None,
) -> EquityPause:
    """Collect the evidence for one initiative into an equity-pause record, with a recommendation.

    Each argument is the output of another equity_lib function; any can be left out (its question is then
    "not assessed"). The recommendation follows the board's rule, sign off only initiatives that address
    inequalities:

    - **do not sign off yet** when the initiative does not reach the most affected group (question 4 is
      ``act``) or when question 4 could not be assessed;
    - **sign off with conditions** when it does, but the data are incomplete, a group's latest point is a
      concern, or the table is not yet safe to publish (the conditions are listed);
    - **sign off** otherwise.

    Parameters
    ----------
    initiative : str
        What is being decided, in a few words.
    completeness : DataFrame, optional
        :func:`equity_lib.quality.completeness` of the equity field (one row per organisation, for the
        latest period).
    stratified : SPCResult, optional
        :func:`equity_lib.spc` of the outcome with the group as its ``by`` column and an improvement
        direction. The most affected group is the one with the worst level now: its latest phase's mean,
        or its latest point when that point is a special cause concern.
    gradient : DataFrame, optional
        :func:`equity_lib.inequality.sii` with 95% limits (the last row is used, e.g. the latest year).
    focus_groups : list, optional
        The groups (``by`` values of ``stratified``) the initiative has reached, from the data (who
        took it up, or whose chart has improved since it began), not the groups it is designed or
        offered for: the pause judges reach. Each must name one group: exactly, or as
        :mod:`equity_lib.quality` compares codes ("4" is group 4); a value that names no group is an
        error.
    publication : object, optional
        The table to publish (a DataFrame or :class:`~equity_lib.disclosure.SuppressionResult`), or its
        check (:class:`~equity_lib.disclosure.SafetyCheck`, from :func:`equity_lib.disclosure.check_safe`).
    completeness_threshold : float
        Percentage of valid codes (0 to 100) below which question 1 is a caution. 90 is an illustrative
        default (HES inpatient ethnicity was 90.5% complete in 2013); set your own.
    decision, rationale : str, optional
        What the board decided (one of :data:`DECISIONS`) and why, recorded with the evidence.

    Returns
    -------
    EquityPause
    """
    if not isinstance(initiative, str) or not initiative.strip():
        raise ValueError("initiative must name what is being decided, e.g. 'Text reminders for outpatients'.")
    if decision is not None and decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}.")
    _check_inputs(completeness, stratified, gradient, completeness_threshold)
    if focus_groups is not None:
        focus_groups = _focus_groups(focus_groups, stratified)
    if publication is not None and not isinstance(publication, SafetyCheck):
        publication = check_safe(publication)

    rows = []
    na = ("Not assessed.", "not assessed")
    most_affected = None
    evidence, status = (_completeness_answer(completeness, completeness_threshold) if completeness is not None
                        else na)
    rows.append((1, "Can we see everyone? (completeness of the equity data)", evidence, status))
    if stratified is not None:
        evidence, status, most_affected = _stratified_answer(stratified)
    else:
        evidence, status = na
    rows.append((2, "What does our data tell us about how this issue affects different populations?",
                 evidence, status))
    evidence, status = _gradient_answer(gradient) if gradient is not None else na
    rows.append((3, "How steep is the gradient across deprivation?", evidence, status))
    facet_name = stratified.settings["by"][0] if stratified is not None else None
    evidence, status = (_reach_answer(focus_groups, most_affected, facet_name) if focus_groups is not None
                        else na)
    rows.append((4, "Is the initiative focused on the groups most disproportionately affected?", evidence,
                 status))
    evidence, status = _publication_answer(publication) if publication is not None else na
    rows.append((5, "Can we publish this in public board papers?", evidence, status))
    record = pd.DataFrame(rows, columns=["step", "question", "evidence", "status"])

    reach = record.loc[3, "status"]
    if reach != "ok":
        recommendation = ("do not sign off yet: the initiative does not reach the most affected group."
                          if reach == "act" else
                          "do not sign off yet: whether it reaches the most affected group is not assessed.")
    else:
        conditions = []
        if record.loc[0, "status"] in ("caution", "act", "not assessed"):
            conditions.append("report completeness beside every breakdown and improve recording")
        if record.loc[1, "status"] == "act":
            conditions.append("find out what changed for the groups whose latest point is a concern")
        if record.loc[4, "status"] in ("act", "not assessed"):
            conditions.append("suppress the published table until it passes the check")
        recommendation = ("sign off with conditions: " + "; ".join(conditions) + "." if conditions else
                          "sign off: it reaches the most affected group and the evidence is sound.")
    return EquityPause(initiative=initiative, record=record, recommendation=recommendation,
                       most_affected=most_affected, decision=decision, rationale=rationale)
