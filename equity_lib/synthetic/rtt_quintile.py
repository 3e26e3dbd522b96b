"""Synthetic RTT waiting list by trust x IMD quintile x month: ``datasets/rtt_quintile_monthly.csv``.

NOT REAL DATA. ``rtt_monthly`` split by the deprivation quintile of where each patient lives, for
notebook 03 ("Who is waiting?"). For every trust and month the five quintiles add up exactly to
``rtt_monthly``'s ``waiting_total``, ``within_18_weeks`` and ``over_52_weeks``; March 2025 is the
patient-level ``waiting_list``, counted.

How the list splits (``design/synthetic_parameters.yaml``, ``elective_waiting_list``):

- By quintile, in proportion to each quintile's residents weighted by how often people of each age
  and sex are on the list. Those weights reproduce the Waiting List Minimum Data Set's (WLMDS, first
  release, July 2025) list shares: 57% female, 11% aged 0-18, 56% aged 19-64 and 33% aged 65 and
  over (``list_share_pct``). Lists per head are larger in deprived areas: The King's Fund (July
  2021) found lists had grown by 55.2% since April 2020 in the most deprived areas and 36% in the
  least (``kings_fund_july_2021.list_growth_since_apr_2020_pct``); had lists per head been equal in
  April 2020, the most deprived quintile's would now be 1.552 / 1.36 = 1.14 times the least
  deprived's. That equality is an assumption (illustrative).
- % within 18 weeks is lower in deprived quintiles: WLMDS 59.2% in the most deprived decile, 60.9%
  in the least (``within_18_weeks_pct``). Most of that gap in the collaborative comes from where
  deprived people live (more of them in trusts with lower performance); within each trust the
  quintiles differ by about 0.4 points (illustrative).
- % over 52 weeks is higher in deprived quintiles: WLMDS 3.1% vs 2.7% (``over_52_weeks_pct``). In
  one trust, KDH, the most deprived quintile's share is 1.8 times the least deprived's, as The King's
  Fund found for England in July 2021 (7.3% vs 4.02%), and within the WLMDS's largest gap in one
  trust (7.1% vs 2.2%); in the other trusts it is 1.05 times (illustrative).

Illustrative: the month-to-month noise (binomial), and each trust's gradient other than KDH's.
Designed signal for notebook 03 (exercise "Find the quintile where a 7-point shift begins"): all of
the rise in HVH's over-52-week waits from September 2024 (``rtt.DETERIORATION``: 0.1 percentage
points of its whole list a month) falls on its second most deprived quintile (quintile 2: the
valley towns served by its second site, illustrative). With limits set on the 24 months of 2022/23
and 2023/24, that quintile's % over 52 weeks is special cause in each of the 7 months September 2024
to March 2025, nowhere before August 2024, while HVH's other quintiles stay common cause; no series
of BDH, KDH or FRH shows a shift. MTH's fall in long waits over 2024/25 (``rtt.IMPROVEMENT``) shows
as improvement in all its quintiles. ``SEED`` is the first seed from 0 that gives all of this and also
puts the collaborative's WLMDS figures (decile 1 vs 10: % over 52 weeks ratio within 0.06 of 1.15,
% within 18 weeks gap within 0.6 of 1.7 points, on the March 2025 ``waiting_list``) well inside their
tested tolerances. ``tests/test_datasets.py`` and ``tests/test_synthetic_realism.py`` check it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from equity_lib.synthetic import areas, rtt, world
from equity_lib.synthetic._alloc import noisy_split

SEED = 1806

# Relative rate of being on the waiting list by age band, and for women aged 15-64 (gynaecology and
# more) and otherwise: illustrative, chosen to reproduce the WLMDS list shares by age and sex.
LIST_RATE_AGE = (
    0.55,
    0.5,
    0.5,
    0.55,
    0.6,
    0.7,
    0.8,
    0.85,
    0.9,
    1.0,
    1.1,
    1.25,
    1.45,
    1.7,
    1.95,
    2.15,
    2.2,
    2.0,
    1.7,
)
LIST_RATE_FEMALE = (1.0,) * 3 + (1.35,) * 10 + (1.1,) * 6
LIST_PER_HEAD_Q1_VS_Q5 = 1.552 / 1.36  # The King's Fund list growth since April 2020, see above

LIST_SHARE_NOISE_CV = 0.01  # month-to-month relative noise of a quintile's share of the list
WITHIN_18_LOGIT_GAP = 0.015  # log odds of within 18 weeks, quintile 5 minus quintile 1 (about 0.4 points)
# % over 52 weeks, quintile 1 / quintile 5, within each trust (KDH: The King's Fund's 1.8).
OVER_52_RATIO = {"MTH": 1.05, "HVH": 1.05, "BDH": 1.05, "KDH": 7.3 / 4.02, "FRH": 1.05}
NOISE_SD_FACTOR = 1.0  # noise of the split of within-18 and over-52 counts, in binomial SDs
SHIFT = {"trust": "HVH", "quintile": 2, "from": "2024-09-01"}  # where HVH's rise in long waits falls


def list_weight_per_area() -> np.ndarray:
    """Expected waiting-list pathways per area, up to a constant: residents weighted by age, sex and IMD."""
    people = areas.build()
    rate = np.stack([np.array(LIST_RATE_AGE) * LIST_RATE_FEMALE, np.array(LIST_RATE_AGE)], axis=-1)
    quintile = people.areas["imd_quintile"].to_numpy()
    deprivation = LIST_PER_HEAD_Q1_VS_Q5 ** ((5 - quintile) / 4)
    return (people.age_sex * rate).sum(axis=(1, 2)) * deprivation


@cache
def generate(seed: int = SEED) -> pd.DataFrame:
    """Build the dataset: one row per trust (largest first), quintile (1 first) and month."""
    rng = np.random.default_rng(seed)
    monthly = rtt.generate()
    month = rtt.months()
    codes = list(world.TRUST_CODES)
    n_t, n_m, n_q = len(codes), len(month), 5

    def grid(column: str) -> np.ndarray:
        return monthly[column].to_numpy().reshape(n_t, n_m)

    total, within, over = grid("waiting_total"), grid("within_18_weeks"), grid("over_52_weeks")

    people = areas.build()
    weight = (
        pd.DataFrame(
            {"t": people.trust_index, "q": people.areas["imd_quintile"] - 1, "w": list_weight_per_area()}
        )
        .groupby(["t", "q"])["w"]
        .sum()
    )
    share = weight.unstack().to_numpy(dtype=float, copy=True)
    share /= share.sum(axis=1, keepdims=True)  # [trust, quintile]

    # Pathways on the list.
    expected = total[..., None] * share[:, None, :]
    n = noisy_split(rng, expected, total, extra_cv=LIST_SHARE_NOISE_CV)

    # Within 18 weeks: each quintile's odds shifted around the trust's.
    q = np.arange(1, n_q + 1)
    p_trust = within / total
    p_q = expit(logit(p_trust)[..., None] + WITHIN_18_LOGIT_GAP * (q - 3) / 4)
    within_q = noisy_split(rng, n * p_q, within, sd_factor=NOISE_SD_FACTOR)

    # Over 52 weeks: a ratio between quintiles per trust; HVH's designed rise goes to one quintile.
    ratio = np.array([OVER_52_RATIO[c] for c in codes])
    relative = ratio[:, None] ** ((n_q - q)[None, :] / (n_q - 1))
    excess = np.zeros_like(over)
    i, peak = codes.index(SHIFT["trust"]), int(month.get_loc(pd.Timestamp(rtt.DETERIORATION["peak"])))
    rise_pp = rtt.DETERIORATION["over_52_rise_pp_per_month"] * np.clip(np.arange(n_m) - peak, 0, None)
    excess[i] = np.minimum(np.rint(total[i] * rise_pp / 100).astype(np.int64), over[i])
    base = over - excess
    p_over = base / total
    over_q = noisy_split(
        rng,
        n * p_over[..., None] * relative[:, None, :] / (share * relative).sum(axis=1)[:, None, None],
        base,
        sd_factor=NOISE_SD_FACTOR,
    )
    over_q[:, :, SHIFT["quintile"] - 1] += excess
    assert (within_q + over_q <= n).all()

    # Rows: trust, quintile, month.
    def flat(a: np.ndarray) -> np.ndarray:
        return a.transpose(0, 2, 1).ravel()

    return pd.DataFrame(
        {
            "month": np.tile(month.to_numpy(), n_t * n_q),
            "trust_code": np.repeat(codes, n_q * n_m),
            "imd_quintile": np.tile(np.repeat(q, n_m), n_t),
            "waiting_total": flat(n),
            "within_18_weeks": flat(within_q),
            "over_52_weeks": flat(over_q),
        }
    )
