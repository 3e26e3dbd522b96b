"""Synthetic monthly referral-to-treatment (RTT) performance: ``datasets/rtt_monthly.csv``.

NOT REAL DATA. Five fictional trusts (``world.TRUSTS``) x 36 months, April 2022 to March 2025, one
row per trust and month: incomplete pathways at month end, how many had waited under 18 weeks and
how many over 52 weeks.

Where the numbers come from (``design/synthetic_parameters.yaml``, ``elective_waiting_list`` unless
named):

- Size of each trust's list: England's RTT waiting list, NHS England RTT waiting times statistics
  (as analysed by Insource/HSJ and Cover magazine): 7.75 million at its record in August 2023, 7.6
  million in December 2023, 7.62 million in June 2024; divided by England's population, ONS mid-year
  estimate June 2022, 57,106,398 (``deprivation.population_denominators_june_2022``, via NHS England
  North East and Yorkshire, "Inequalities Methodologies"): about 13% of the population. The April
  2022 (6.48 million) and March 2025 (7.42 million) ends of the curve are illustrative:
  approximately the published figures, but not in the parameter file.
- The 92% standard for incomplete pathways within 18 weeks: NHS Constitution; last met in 2015/16
  (QualityWatch).
- Levels of % within 18 weeks (55-64%): NHS England Waiting List Minimum Data Set (WLMDS), first
  release 17 July 2025 (59.2% in the most deprived to 60.9% in the least deprived IMD decile, HSJ
  analysis).
- Levels of % over 52 weeks (2.4-4.6%): WLMDS first release (2.7-3.1% by deprivation; 1.7-4.9% by
  region and deprivation) and The King's Fund, July 2021 (4.0-7.3% by deprivation quintile).

Everything else is illustrative (an assumption chosen for teaching): each trust's level and
month-to-month variation, the list per head of each trust, the winter dip, and the signals designed
in for notebook 01 ("Plot the dots"), read with an XmR chart and Making Data Count rules against the
92% standard:

- MTH: improving shift in % within 18 weeks from April 2024 (a shared improvement programme,
  reaching its full gain of 4 points in May 2024): all 12 months of 2024/25 lie above the 36-month
  mean. Its over-52-week share falls over the same year, from about 4.2% to about 1.6%. On one chart
  over all 36 months the months before the change sit below the mean, so they show as a concern
  shift too: rebasing at the change is notebook 09's subject.
- HVH: deteriorating trend: % within 18 weeks falls every month from August 2024 to March 2025 (8
  points, 7 falls), the last point below the lower limit; its over-52-week share creeps up over the
  same months.
- BDH: one special-cause month: an IT outage in October 2023 (patient administration system down,
  clinics cancelled) takes 5 points off % within 18 weeks for that month only.
- KDH: the lowest performer, but common-cause variation only: red on a RAG rating, nothing special
  happening.
- FRH: the highest performer, stable, common cause.

The 92% standard lies above every trust's upper process limit: every trust consistently fails it, as
England has since 2015/16. ``SEED`` is the first seed from 0 for which, on XmR charts of % within 18
weeks with and without moving-range screening, these signals appear and no unintended ones: no
special cause in BDH (apart from the outage), KDH or FRH, no improvement signal in HVH nor concern
before its trend, no improvement in MTH before April 2024. ``tests/test_datasets.py`` checks all of
this, so a change that breaks a signal fails the tests (then pick the next seed that passes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from equity_lib.synthetic import world

SEED = 18
START = "2022-04-01"
N_MONTHS = 36
STANDARD_PCT = 92.0  # NHS Constitution, incomplete pathways within 18 weeks

ENGLAND_POPULATION = 57_106_398  # ONS mid-year estimate, June 2022
ENGLAND_LIST = {  # incomplete RTT pathways in England, by month
    "2022-04-01": 6.48e6,  # illustrative
    "2023-08-01": 7.75e6,  # record, NHS England RTT statistics
    "2023-12-01": 7.60e6,
    "2024-06-01": 7.62e6,
    "2025-03-01": 7.42e6,  # illustrative
}
LIST_NOISE_SD = 0.004  # month-to-month relative variation of a trust's list (illustrative)
WINTER_DIP_PP = {12: -0.5, 1: -0.3}  # month of year -> points of % within 18 weeks (illustrative)

# Decimals of the percentage columns: 1 for % within 18 weeks (as NHS England publishes it), 2 for
# the small % over 52 weeks, so that a change of a few dozen patients still shows.
DECIMALS = {"pct_within_18_weeks": 1, "pct_over_52_weeks": 2}


@dataclass(frozen=True)
class Profile:
    """A trust's RTT process before any designed signal (all values illustrative)."""

    list_per_head: float  # relative to England's list per head
    pct_18: float  # mean % within 18 weeks
    pct_18_sd: float  # common-cause SD of % within 18 weeks, percentage points
    pct_52: float  # mean % over 52 weeks
    pct_52_cv: float  # common-cause relative SD of % over 52 weeks


PROFILES = {
    "MTH": Profile(1.10, 56.5, 0.7, 4.2, 0.04),
    "HVH": Profile(1.00, 61.0, 0.9, 3.0, 0.05),
    "BDH": Profile(0.95, 59.0, 0.7, 3.4, 0.05),
    "KDH": Profile(1.05, 55.0, 1.0, 4.6, 0.06),
    "FRH": Profile(0.90, 63.5, 0.9, 2.4, 0.07),
}

# Designed signals (see the module docstring).
IMPROVEMENT = {
    "trust": "MTH",
    "start": "2024-04-01",
    "ramp_months": 2,
    "gain_pp": 4.0,
    "over_52_end_factor": 0.38,
}
DETERIORATION = {
    "trust": "HVH",
    "peak": "2024-08-01",
    "fall_pp": (0.4, 0.6),
    "over_52_rise_pp_per_month": 0.1,
}
OUTAGE = {"trust": "BDH", "month": "2023-10-01", "drop_pp": 5.0}


def months() -> pd.DatetimeIndex:
    """The 36 month starts, April 2022 to March 2025."""
    return pd.date_range(START, periods=N_MONTHS, freq="MS")


def generate(seed: int = SEED) -> pd.DataFrame:
    """Build the dataset: one row per trust (largest first) and month, in that order."""
    rng = np.random.default_rng(seed)
    month = months()
    n_trusts, n_months = len(world.TRUSTS), len(month)
    codes = list(world.TRUST_CODES)
    row = {code: i for i, code in enumerate(codes)}
    prof = [PROFILES[code] for code in codes]

    def col(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in prof])[:, None]

    def index(date: str) -> int:
        return int(month.get_loc(pd.Timestamp(date)))

    t = np.arange(n_months)

    # Waiting list: the trust's share of England's list per head, with a little monthly noise.
    anchors = pd.to_datetime(list(ENGLAND_LIST))
    anchor_t = (anchors.year - month[0].year) * 12 + (anchors.month - month[0].month)
    per_head = np.interp(t, anchor_t, list(ENGLAND_LIST.values())) / ENGLAND_POPULATION
    catchment = np.array([tr.catchment for tr in world.TRUSTS], dtype=float)[:, None]
    size = catchment * col("list_per_head") * per_head
    waiting_total = np.rint(size * (1 + rng.normal(0, LIST_NOISE_SD, (n_trusts, n_months))))
    waiting_total = waiting_total.astype(np.int64)

    # % within 18 weeks: level + winter dip + common-cause noise + designed signals.
    winter = np.array([WINTER_DIP_PP.get(m, 0.0) for m in month.month])
    pct_18 = col("pct_18") + winter + col("pct_18_sd") * rng.standard_normal((n_trusts, n_months))

    i = row[IMPROVEMENT["trust"]]
    ramp = np.clip((t - index(IMPROVEMENT["start"]) + 1) / IMPROVEMENT["ramp_months"], 0, 1)
    pct_18[i] += IMPROVEMENT["gain_pp"] * ramp

    i, peak = row[DETERIORATION["trust"]], index(DETERIORATION["peak"])
    low, high = DETERIORATION["fall_pp"]
    falls = rng.uniform(low, high, n_months - peak - 1)  # each >= 0.4: survives 1-dp rounding
    pct_18[i, peak + 1 :] = pct_18[i, peak] - np.cumsum(falls)

    pct_18[row[OUTAGE["trust"]], index(OUTAGE["month"])] -= OUTAGE["drop_pp"]

    # % over 52 weeks: level with relative noise + designed signals.
    pct_52 = col("pct_52") * np.exp(col("pct_52_cv") * rng.standard_normal((n_trusts, n_months)))
    i, start = row[IMPROVEMENT["trust"]], index(IMPROVEMENT["start"])
    fraction = np.clip((t - start + 1) / (n_months - start), 0, 1)
    pct_52[i] *= 1 - (1 - IMPROVEMENT["over_52_end_factor"]) * fraction
    i, peak = row[DETERIORATION["trust"]], index(DETERIORATION["peak"])
    pct_52[i] += DETERIORATION["over_52_rise_pp_per_month"] * np.clip(t - peak, 0, None)

    within_18 = np.rint(waiting_total * pct_18 / 100).astype(np.int64)
    over_52 = np.rint(waiting_total * pct_52 / 100).astype(np.int64)

    def pct(count: np.ndarray, column: str) -> np.ndarray:
        return np.round(100 * count / waiting_total, DECIMALS[column]).ravel()

    return pd.DataFrame(
        {
            "month": np.tile(month.to_numpy(), n_trusts),
            "trust_code": np.repeat(codes, n_months),
            "trust_name": np.repeat(list(world.TRUST_NAMES), n_months),
            "waiting_total": waiting_total.ravel(),
            "within_18_weeks": within_18.ravel(),
            "pct_within_18_weeks": pct(within_18, "pct_within_18_weeks"),
            "over_52_weeks": over_52.ravel(),
            "pct_over_52_weeks": pct(over_52, "pct_over_52_weeks"),
        }
    )
