"""Synthetic shared learning log of the collaborative: ``datasets/learning_log.csv``.

NOT REAL DATA, and illustrative throughout: the changes, the wording of each entry and the people to
ask are invented for teaching (lesson 15, "Learning from each other"). The log is what the Moorside
collaborative keeps so that trusts learn from each other: one row per result recorded for a change
one trust tried (what was tried, where, when, for whom, and what happened, for all patients and for
the groups it was meant to reach), as tidy data a team can filter and summarise.

Every change in the log is one that another dataset already shows, and every number is counted here
from that dataset's own generator, so the log cannot disagree with the data it summarises:

- MTH's inclusive-recruitment programme from April 2023 (``workforce``, lesson 12);
- MTH's text reminders with a link to book transport from 1 January 2024, week 40
  (``outpatients_weekly``, lesson 09): the average fell, the most deprived fifth barely moved, the
  gap widened (on quintile 1's chart, 12 of the 65 weeks since are an improvement);
- MTH's waiting-list validation and improvement programme from April 2024 (``rtt_monthly`` and
  ``rtt_quintile_monthly``, lessons 01 and 03);
- KDH's data-quality drive on ethnicity from July 2024 (``ethnicity_completeness_monthly``, lesson 07);
- BDH's navigator calls from April 2024 (the exercise of lesson 15): nothing was built into any dataset
  for them, so ``rtt_quintile_monthly`` shows no change at BDH. The team recorded one month, May 2024,
  when BDH's gap in long waits between its most and least deprived fifths was the smallest of the five
  trusts; its gap chart shows that month as common cause: best by chance.

``before`` and ``after`` are the centre lines of the measure's chart rebased at the change: the mean
of its monthly or weekly values (DNA rates pooled over the weeks of each phase, as a p' chart's centre
line), except for the workforce ratio (yearly counts pooled over the period) and BDH's one recorded
month. No random draw is
made here (so there is no seed): the log is counted from the seeded datasets it refers to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib.synthetic import completeness, outpatients, rtt, rtt_quintile, workforce

VERDICTS = ("improved", "improved a little", "gap widened", "gap narrowed", "not checked on a chart")

COLUMNS = (
    "entry_id",
    "trust_code",
    "start_month",
    "change",
    "aimed_at",
    "measure",
    "source",
    "result_for",
    "before_period",
    "before",
    "after_period",
    "after",
    "unit",
    "verdict",
    "lesson",
    "contact",
)


def _monthly_share(frame: pd.DataFrame, numerator: str, denominator: str) -> pd.Series:
    return 100 * frame[numerator] / frame[denominator]


def _period_mean(values: pd.Series, dates: pd.Series, start: str, end: str) -> float:
    inside = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    return float(values[inside].mean())


def _workforce_rows() -> list[dict]:
    wf = workforce.generate()
    mth = wf[wf["trust_code"] == "MTH"]

    def ratio(years: tuple[str, ...]) -> float:
        rows = (
            mth[mth["financial_year"].isin(years)].groupby("ethnic_group")[["appointed", "shortlisted"]].sum()
        )
        rate = rows["appointed"] / rows["shortlisted"]
        return float(rate["White"] / rate["BME"])

    base = {
        "entry_id": 1,
        "trust_code": "MTH",
        "start_month": pd.Timestamp("2023-04-01"),
        "change": "Inclusive recruitment: diverse interview panels for every post",
        "aimed_at": "BME applicants",
        "measure": "Relative likelihood of White applicants being appointed from shortlisting compared "
        "with BME applicants (1 = equal)",
        "source": "workforce",
        "lesson": "12",
        "contact": "Moorside's director of people",
    }
    return [
        base
        | {
            "result_for": "BME applicants",
            "before_period": "2020/21 to 2022/23",
            "before": ratio(("2020/21", "2021/22", "2022/23")),
            "after_period": "2024/25",
            "after": ratio(("2024/25",)),
            "unit": "ratio",
            "verdict": "improved",
        }
    ]


def _outpatient_rows() -> list[dict]:
    op = outpatients.generate()
    op = op[op["trust_code"] == "MTH"]
    op = op.assign(after=op["week"] >= 40)
    by_week = op.groupby(["week", "imd_quintile"], observed=True)[["dna", "appointments"]].sum()
    rate = (100 * by_week["dna"] / by_week["appointments"]).unstack("imd_quintile")
    gap = rate[1] - rate[5]
    # A rate's centre line on its p' chart is pooled (all DNAs over all appointments in the phase);
    # the gap's, on its XmR chart, the mean of the weekly gaps.
    pooled = op.groupby(["after", "imd_quintile"], observed=True)[["dna", "appointments"]].sum()
    pooled = (100 * pooled["dna"] / pooled["appointments"]).unstack("imd_quintile")
    total = op.groupby("after")[["dna", "appointments"]].sum()
    pooled["All"] = 100 * total["dna"] / total["appointments"]
    pooled["gap"] = [gap[gap.index <= 39].mean(), gap[gap.index >= 40].mean()]
    base = {
        "entry_id": 2,
        "trust_code": "MTH",
        "start_month": pd.Timestamp("2024-01-01"),
        "change": "Text-message reminders with a link to book hospital transport",
        "aimed_at": "All outpatients",
        "source": "outpatients_weekly",
        "before_period": "weeks 1-39 (April to December 2023)",
        "after_period": "weeks 40-104 (January 2024 to March 2025)",
        "lesson": "09",
        "contact": "Moorside's outpatient services manager",
    }
    measure = "% of outpatient appointments not attended (DNA), weekly"
    rows = []
    for column, result_for, unit, verdict in (
        ("All", "All patients", "%", "improved"),
        (1, "IMD quintile 1 (most deprived)", "%", "improved a little"),
        (5, "IMD quintile 5 (least deprived)", "%", "improved"),
        ("gap", "Gap: quintile 1 minus quintile 5", "percentage points", "gap widened"),
    ):
        rows.append(
            base
            | {
                "measure": measure,
                "result_for": result_for,
                "before": float(pooled.loc[False, column]),
                "after": float(pooled.loc[True, column]),
                "unit": unit,
                "verdict": verdict,
            }
        )
    return rows


def _waiting_list_rows() -> list[dict]:
    monthly = rtt.generate()
    mth = monthly[monthly["trust_code"] == "MTH"]
    quintile = rtt_quintile.generate()
    mth_q = quintile[quintile["trust_code"] == "MTH"]
    base = {
        "entry_id": 3,
        "trust_code": "MTH",
        "start_month": pd.Timestamp("2024-04-01"),
        "change": "Waiting-list validation and improvement programme",
        "aimed_at": "All patients waiting",
        "before_period": "April 2022 to March 2024",
        "after_period": "April 2024 to March 2025",
        "lesson": "01",
        "contact": "Moorside's chief operating officer",
    }
    share = mth["pct_within_18_weeks"]  # as published, to 1 decimal, and as lesson 01 charts it
    rows = [
        base
        | {
            "measure": "% of the waiting list within 18 weeks, month end",
            "source": "rtt_monthly",
            "result_for": "All patients",
            "before": _period_mean(share, mth["month"], "2022-04-01", "2024-03-01"),
            "after": _period_mean(share, mth["month"], "2024-04-01", "2025-03-01"),
            "unit": "%",
            "verdict": "improved",
        }
    ]
    long = _monthly_share(mth_q, "over_52_weeks", "waiting_total")
    wide = pd.DataFrame({"month": mth_q["month"], "q": mth_q["imd_quintile"], "value": long}).pivot(
        index="month", columns="q", values="value"
    )
    wide["gap"] = wide[1] - wide[5]
    dates = pd.Series(wide.index, index=wide.index)
    for column, result_for, unit, verdict in (
        (1, "IMD quintile 1 (most deprived)", "%", "improved"),
        (5, "IMD quintile 5 (least deprived)", "%", "improved"),
        ("gap", "Gap: quintile 1 minus quintile 5", "percentage points", "gap narrowed"),
    ):
        rows.append(
            base
            | {
                "measure": "% of the waiting list over 52 weeks, month end",
                "source": "rtt_quintile_monthly",
                "result_for": result_for,
                "before": _period_mean(wide[column], dates, "2022-04-01", "2024-03-01"),
                "after": _period_mean(wide[column], dates, "2024-04-01", "2025-03-01"),
                "unit": unit,
                "verdict": verdict,
                "lesson": "03",
            }
        )
    return rows


def _navigator_rows() -> list[dict]:
    quintile = rtt_quintile.generate()
    bdh = quintile[quintile["trust_code"] == "BDH"]
    long = _monthly_share(bdh, "over_52_weeks", "waiting_total")
    wide = pd.DataFrame({"month": bdh["month"], "q": bdh["imd_quintile"], "value": long}).pivot(
        index="month", columns="q", values="value"
    )
    gap = wide[1] - wide[5]
    dates = pd.Series(gap.index, index=gap.index)
    return [
        {
            "entry_id": 4,
            "trust_code": "BDH",
            "start_month": pd.Timestamp("2024-04-01"),
            "change": "Navigator phone calls to the longest waiters from the most deprived areas",
            "aimed_at": "IMD quintile 1 (most deprived)",
            "measure": "% of the waiting list over 52 weeks, month end",
            "source": "rtt_quintile_monthly",
            "result_for": "Gap: quintile 1 minus quintile 5",
            "before_period": "April 2022 to March 2024",
            "before": _period_mean(gap, dates, "2022-04-01", "2024-03-01"),
            "after_period": "May 2024 (the team wrote: smallest gap of the five trusts)",
            "after": float(gap.loc[pd.Timestamp("2024-05-01")]),
            "unit": "percentage points",
            "verdict": "not checked on a chart",
            "lesson": "15",
            "contact": "Brackenfield and Dale's patient access lead",
        }
    ]


def _completeness_rows() -> list[dict]:
    comp = completeness.generate()
    kdh = comp[comp["trust_code"] == "KDH"]
    share = _monthly_share(kdh, "valid_ethnic_category", "records")
    return [
        {
            "entry_id": 5,
            "trust_code": "KDH",
            "start_month": pd.Timestamp("2024-07-01"),
            "change": "Ethnicity asked and recorded at booking: a data-quality drive",
            "aimed_at": "All patients referred",
            "measure": "% of waiting-list records with a valid ethnic category, month end",
            "source": "ethnicity_completeness_monthly",
            "result_for": "All patients",
            "before_period": "April 2022 to June 2024",
            "before": _period_mean(share, kdh["month"], "2022-04-01", "2024-06-01"),
            "after_period": "July 2024 to March 2025",
            "after": _period_mean(share, kdh["month"], "2024-07-01", "2025-03-01"),
            "unit": "%",
            "verdict": "improved",
            "lesson": "07",
            "contact": "Kelderby's head of information",
        }
    ]


def generate() -> pd.DataFrame:
    """Build the log: one row per result recorded for a change, entries in the order they started."""
    rows = (
        _workforce_rows()
        + _outpatient_rows()
        + _waiting_list_rows()
        + _navigator_rows()
        + _completeness_rows()
    )
    log = pd.DataFrame(rows)[list(COLUMNS)]
    log["before"] = np.round(log["before"], 2)
    log["after"] = np.round(log["after"], 2)
    return log.reset_index(drop=True)


DECIMALS = {"before": 2, "after": 2}
