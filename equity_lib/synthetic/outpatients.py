"""Synthetic weekly outpatient appointments and did-not-attends (DNAs): ``datasets/outpatients_weekly.csv``.

NOT REAL DATA. For notebooks 04 ("Missed appointments aren't random") and 09 ("Did it work, and for
whom?"): 104 weeks, Monday 3 April 2023 to the week starting Monday 24 March 2025, by trust x IMD
quintile x recorded ethnic group (the five NHS broad groups, plus "Not stated" and "Not known"):
appointments that should have been attended (attended + DNA; cancellations are not counted) and
DNAs.

Sources (``design/synthetic_parameters.yaml``, ``outpatients``):

- Volume: NHS England booked 103 million outpatient appointments in 2021/22 (``nhse_2021_22``), 1.80
  per head of England's 57.1 million people a year; HES 2019/20 gives 96.4 million attended plus 6.2%
  of 124.9 million DNAs, 1.82 per head. Appointments per trust are not published
  (``outpatient_appointments_per_trust: NOT FOUND``): each trust's are its residents x 1.8 a year,
  illustrative.
- DNA rate about 7.6% of booked appointments (NHS England 2021/22). HES 2019/20's 6.2% is of all
  appointments including the 16.2% cancelled: 6.2 / (77.2 + 6.2) = 7.4% of those not cancelled.
- Recorded ethnicity: HES 2019/20 had 17% of outpatient records with ethnicity unknown or not stated
  (Nuffield Trust/NHS Race and Health Observatory, 2021); each trust's completeness is illustrative
  (lower in KDH and FRH, as on their waiting lists; KDH's rises after its July 2024 data-quality
  drive).
- First attendances per 100,000 vary by about 6% between deprivation deciles (HES 2019/20: 53,000 to
  56,300): residents of the most deprived quintile book 6% more appointments (illustrative).

Illustrative (not found in any source, ``dna_gradient_by_deprivation_england: NOT FOUND``): the DNA
gradient by deprivation (odds ratio 2.0, most vs least deprived quintile) and by ethnic group; week-to-
week variation beyond chance (so Laney's p' chart is needed for large denominators); fewer
appointments in bank-holiday and Christmas weeks.

Designed signal for notebook 09 (for trainers): from week 40 (the week starting 1 January 2024) MTH
sends text-message reminders with a link to book hospital transport. The average DNA rate falls,
but the change reaches the least deprived most (a smartphone and data are needed to use it), so the
gap between the most and least deprived quintiles widens: an intervention-generated inequality
(Health Equity Evidence Centre, 2025). The other four trusts are stable throughout (notebook 04).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from equity_lib.synthetic import areas, waiting_list, world

SEED = 187
START = "2023-04-03"  # a Monday
N_WEEKS = 104
APPOINTMENTS_PER_HEAD_PER_YEAR = 1.8  # NHS England 2021/22: 103 million / 57.1 million
USE_BY_QUINTILE = (1.06, 1.045, 1.03, 1.015, 1.0)  # most deprived first (illustrative, see above)

# DNA model, on the log-odds scale (illustrative). BASE_DNA is the rate for the least deprived
# quintile's White patients in an average trust, chosen so that the overall rate is about 7.6%.
BASE_DNA = 0.05
DNA_ODDS_RATIO_Q1_VS_Q5 = 2.0
DNA_ETHNIC = {"White": 0.0, "Mixed": 0.25, "Asian": 0.15, "Black": 0.35, "Other": 0.2}
DNA_TRUST = {"MTH": 0.05, "HVH": 0.0, "BDH": -0.05, "KDH": 0.1, "FRH": -0.1}
WEEK_NOISE_SD = 0.05  # log-odds, shared by a trust's cells in a week: extra-binomial variation
CELL_NOISE_SD = 0.03  # log-odds, each cell and week
VOLUME_NOISE_CV = 0.03  # week-to-week variation in a trust's appointments

# Outpatient ethnicity completeness (share with a valid code) per trust: illustrative.
COMPLETENESS = {"MTH": 0.88, "HVH": 0.85, "BDH": 0.91, "KDH": 0.6, "FRH": 0.63}
KDH_AFTER_DRIVE = 0.8  # reached 26 weeks after the drive starts (linear ramp)
MISSING_BY_GROUP = {"White": -0.3, "Mixed": 0.6, "Asian": 0.2, "Black": 0.4, "Other": 0.6}  # log-odds

# Notebook 09's change in MTH: log-odds change in DNA from week 40, most deprived quintile first.
CHANGE = {"trust": "MTH", "week": 40, "effect": (-0.05, -0.2, -0.35, -0.5, -0.65)}

# Weeks with bank holidays (England) and Christmas: relative volume (illustrative).
LOW_WEEKS = {
    "2023-04-03": 0.78,
    "2023-05-01": 0.82,
    "2023-05-08": 0.82,
    "2023-05-29": 0.82,
    "2023-08-28": 0.82,
    "2023-12-18": 0.85,
    "2023-12-25": 0.45,
    "2024-01-01": 0.8,
    "2024-03-25": 0.82,
    "2024-04-01": 0.82,
    "2024-05-06": 0.82,
    "2024-05-27": 0.82,
    "2024-08-26": 0.82,
    "2024-12-16": 0.85,
    "2024-12-23": 0.45,
    "2024-12-30": 0.8,
}
VALID_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
RECORDED_GROUPS = VALID_GROUPS + ("Not stated", "Not known")


def weeks() -> pd.DatetimeIndex:
    """The 104 week starts (Mondays)."""
    return pd.date_range(START, periods=N_WEEKS, freq="7D")


def generate(seed: int = SEED) -> pd.DataFrame:
    """Build the dataset: one row per trust, quintile, recorded ethnic group and week, in that order."""
    rng = np.random.default_rng(seed)
    people = areas.build()
    week = weeks()
    n_t, n_q, n_g, n_w = len(world.TRUSTS), 5, len(VALID_GROUPS), N_WEEKS

    # Residents by trust x quintile x broad group.
    group_of = np.array([VALID_GROUPS.index(e.broad_group) for e in world.ETHNIC[:-2]])
    by_group = np.zeros((len(people.areas), n_g))
    np.add.at(by_group.T, group_of, people.ethnicity.T)
    cell = people.trust_index * n_q + people.areas["imd_quintile"].to_numpy() - 1
    residents = np.zeros((n_t * n_q, n_g))
    np.add.at(residents, cell, by_group)
    residents = residents.reshape(n_t, n_q, n_g)

    # Appointments (true group), with volume dips and noise.
    volume = np.array([LOW_WEEKS.get(str(w.date()), 1.0) for w in week])
    volume /= volume.mean()
    trust_week = volume * np.exp(VOLUME_NOISE_CV * rng.standard_normal((n_t, n_w)))
    use = np.array(USE_BY_QUINTILE)[None, :, None]
    use = use * residents.sum() / (residents * use).sum()  # the collaborative's average stays 1.8 a head
    expected = (residents * use * APPOINTMENTS_PER_HEAD_PER_YEAR / 52)[..., None] * trust_week[
        :, None, None, :
    ]
    appointments = rng.poisson(expected)

    # DNAs.
    q = np.arange(n_q)
    x = (logit(BASE_DNA) + np.log(DNA_ODDS_RATIO_Q1_VS_Q5) * (4 - q) / 4)[None, :, None, None]
    x = x + np.array([DNA_ETHNIC[g] for g in VALID_GROUPS])[None, None, :, None]
    x = x + np.array([DNA_TRUST[c] for c in world.TRUST_CODES])[:, None, None, None]
    x = x + WEEK_NOISE_SD * rng.standard_normal((n_t, 1, 1, n_w))
    x = x + CELL_NOISE_SD * rng.standard_normal((n_t, n_q, n_g, n_w))
    i = world.TRUST_CODES.index(CHANGE["trust"])
    after = np.arange(1, n_w + 1) >= CHANGE["week"]
    x[i] += np.array(CHANGE["effect"])[:, None, None] * after[None, None, :]
    dna = rng.binomial(appointments, expit(x))

    # Recorded ethnic group: valid, or not stated / not known.
    level = np.array([COMPLETENESS[c] for c in world.TRUST_CODES])[:, None] * np.ones(n_w)
    k = world.TRUST_CODES.index(waiting_list.DRIVE["trust"])
    drive_week = int((pd.Timestamp(waiting_list.DRIVE["start"]) - week[0]).days // 7)
    ramp = np.clip((np.arange(n_w) - drive_week) / 26, 0, 1)
    level[k] += (KDH_AFTER_DRIVE - COMPLETENESS["KDH"]) * ramp
    missing_effect = np.array([MISSING_BY_GROUP[g] for g in VALID_GROUPS])
    # Intercepts so that each trust-week's expected completeness (over its group mix) is its level.
    mix = residents.sum(axis=1)  # [trust, group]
    mix = mix / mix.sum(axis=1, keepdims=True)
    intercept = np.empty((n_t, n_w))
    grid = np.linspace(-8, 8, 3201)
    for t in range(n_t):
        valid_share = (mix[t][:, None] * expit(-(grid[None, :] + missing_effect[:, None]))).sum(axis=0)
        intercept[t] = np.interp(-level[t], -valid_share, grid)
    p_missing = expit(intercept[:, None, None, :] + missing_effect[None, None, :, None])
    p_missing = np.broadcast_to(p_missing, appointments.shape)

    def split(count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        missing = rng.binomial(count, p_missing)
        stated = rng.binomial(missing, waiting_list.NOT_STATED_SHARE)
        return count - missing, stated, missing - stated

    attended = appointments - dna
    a_valid, a_z, a_99 = split(attended)
    d_valid, d_z, d_99 = split(dna)
    # [trust, quintile, recorded group, week]
    rec_app = np.concatenate(
        [a_valid + d_valid, (a_z + d_z).sum(axis=2, keepdims=True), (a_99 + d_99).sum(axis=2, keepdims=True)],
        axis=2,
    )
    rec_dna = np.concatenate(
        [d_valid, d_z.sum(axis=2, keepdims=True), d_99.sum(axis=2, keepdims=True)], axis=2
    )
    n_r = len(RECORDED_GROUPS)
    return pd.DataFrame(
        {
            "week": np.tile(np.arange(1, n_w + 1), n_t * n_q * n_r),
            "week_start": np.tile(week.to_numpy(), n_t * n_q * n_r),
            "trust_code": np.repeat(world.TRUST_CODES, n_q * n_r * n_w),
            "imd_quintile": np.tile(np.repeat(np.arange(1, n_q + 1), n_r * n_w), n_t),
            "ethnic_group": np.tile(np.repeat(RECORDED_GROUPS, n_w), n_t * n_q),
            "appointments": rec_app.ravel(),
            "dna": rec_dna.ravel(),
        }
    )
