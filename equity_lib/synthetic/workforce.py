"""Synthetic Workforce Race Equality Standard (WRES) data: ``datasets/workforce.csv``.

NOT REAL DATA. For lesson 12 ("Fair to our own staff?"): the five trusts x five financial years
(2020/21 to 2024/25) x ethnic group as WRES reports it (White, BME, and Unknown: not stated or not
recorded), with the counts behind WRES indicators 1-4, 6 and 8: staff in post; job applications,
applicants shortlisted and appointed from shortlisting; staff accessing non-mandatory training and
continuing professional development (CPD); staff entering the formal disciplinary process; and
respondents to the NHS Staff Survey held in the autumn of the year, with those reporting harassment,
bullying or abuse from staff and discrimination from a manager, team leader or other colleague.

Published figures used (each quoted in ``datasets/README.md`` with its source):

- BME share of staff in NHS trusts: 22.4% at 31 March 2021, 24.2% at 31 March 2022 (NHS England,
  WRES 2022 data analysis report for NHS trusts, 22 February 2023, key findings as summarised by
  Patient Safety Learning's hub; 24.2% also in the report's foreword), 28.6% in 2025 (the national
  figure quoted in Rotherham Doncaster and South Humber NHS FT's WRES annual report 2025). The
  collaborative's staff-weighted BME share is these figures; 2022/23 and 2023/24 are interpolated.
- Relative likelihood of White applicants being appointed from shortlisting compared with BME
  applicants (indicator 2): 1.54 in 2022 (NHS England WRES 2022, reported by HSJ, 22 February 2023)
  and 1.59 in 2023 (R. Kline, 2024, quoting the WRES 2023 report); "broadly unchanged since the
  inception of the WRES in 2016" (NHS England WRES 2024, quoted by HSJ). The generator uses 1.57.
- Relative likelihood of BME staff entering the formal disciplinary process compared with White
  staff (indicator 3): 1.14 in 2022, the same as in 2021 (WRES 2022 report's key findings; NHS
  Providers, "Closing the gap", 2023). Rate: 11,278 staff entered the process in 2020 (R. Kline,
  Middlesex University, 25 February 2021), of 1.38 million staff in trusts (309,532 BME staff were
  22.4%): 0.82% a year; White staff 0.78%, BME staff 1.14 times that.
- Staff survey (indicators 6 and 8), WRES 2020 report as reported by b3sixty: "almost a third" of BME
  staff, and 24% of White staff, experienced harassment, bullying or abuse from colleagues; 15% of
  BME staff and 6% of White staff experienced discrimination from a manager, team leader or other
  colleague. The generator uses 29% and 24%, 15% and 6%.

Illustrative (assumed; labelled so in the data dictionary): the size of each trust's workforce; each
trust's BME share relative to the collaborative's (MTH, a diverse city, highest; KDH and FRH lowest);
the Unknown share; appointments a year (12% of staff), applications per appointment and who
applies; shortlisting rates; the appointment rate of shortlisted White applicants; access to
non-mandatory training (White 45%, relative likelihood 1.10, as trusts commonly report: e.g. 1.1 at
Kent and Medway NHS and Social Care Partnership Trust, 1.17 at The Christie in 2022); staff survey
response (45% of staff); every designed feature below.

Designed features (for trainers: they give away lesson 12's exercise):

- MTH runs an inclusive-recruitment programme from April 2023 (diverse interview panels, illustrative):
  its relative likelihood falls from 1.57 to 1.35 in 2023/24 and 1.15 in 2024/25, a trend its large
  numbers make clear. The other trusts do not change, as nationally.
- Small trusts are noisy: the same true likelihoods give KDH and FRH ratios that swing from year to
  year with wide intervals (a funnel across trusts holds them).
- The exercise, HVH 2024/25: its ratio "improves" to about 1 only because it shortlisted very few BME
  applicants (6% of their applications against about 20% before); those few were appointed as often
  as White candidates, but a BME applicant's chance of appointment per application halved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib.synthetic import world
from equity_lib.synthetic._alloc import round_to_total

SEED = 1  # the first seed, counting from 0, that gives every designed feature below
YEARS = ("2020/21", "2021/22", "2022/23", "2023/24", "2024/25")
GROUPS = ("White", "BME", "Unknown")

# Staff in post in 2020/21 (illustrative: about 17 per 1,000 of catchment, more in the teaching trust),
# growing 2.5% a year (illustrative).
STAFF_2020 = {"MTH": 12_800, "HVH": 7_400, "BDH": 6_100, "KDH": 4_100, "FRH": 3_300}
STAFF_GROWTH = 0.025

# BME share of staff in NHS trusts, England (percent), at the end of each financial year: WRES 2022
# report (22.4% March 2021, 24.2% March 2022), RDaSH WRES 2025 (28.6% national); 2022/23 and
# 2023/24 interpolated.
NATIONAL_BME_PCT = (22.4, 24.2, 25.7, 27.1, 28.6)
# Each trust's BME share relative to the collaborative's (illustrative), before normalising so that
# the staff-weighted share is the national one.
BME_RELATIVE = {"MTH": 1.35, "HVH": 1.0, "BDH": 0.95, "KDH": 0.45, "FRH": 0.5}
UNKNOWN_SHARE = {"MTH": 0.02, "HVH": 0.02, "BDH": 0.015, "KDH": 0.035, "FRH": 0.025}  # illustrative

# Recruitment (illustrative except the relative likelihood).
APPOINTMENTS_PER_STAFF = 0.12
APPLICATIONS_PER_APPOINTMENT = 9.0
BME_APPLICANT_FACTOR = 1.6  # BME share of applications = 1.6 x BME share of staff (capped at 0.8)
UNKNOWN_APPLICANT_SHARE = 0.03
SHORTLIST = {"White": 0.30, "BME": 0.20, "Unknown": 0.25}
APPOINT_WHITE = 0.27  # appointed from shortlisting, White applicants
RELATIVE_LIKELIHOOD = 1.57  # WRES: 1.54 (2022), 1.59 (2023)
UNKNOWN_RELATIVE_LIKELIHOOD = 1.2  # illustrative
TREND = {"trust": "MTH", "ratio": (1.57, 1.57, 1.57, 1.35, 1.15)}  # illustrative programme from 2023/24
TRAP = {"trust": "HVH", "year": "2024/25", "bme_shortlist": 0.06, "ratio": 1.0}  # the exercise

# Non-mandatory training and CPD (illustrative; relative likelihood about 1.1 as trusts report).
TRAINING_WHITE = 0.45
TRAINING_RATIO = {"White": 1.0, "BME": 1 / 1.10, "Unknown": 1 / 1.05}
# Formal disciplinary process: 0.82% of staff a year (11,278 of 1.38 million, 2020); BME 1.14 times
# White (WRES 2022).
DISCIPLINARY_WHITE = 0.0078
DISCIPLINARY_RATIO = {"White": 1.0, "BME": 1.14, "Unknown": 1.0}

# NHS Staff Survey: response (illustrative) and the two WRES items (WRES 2020 report via b3sixty).
SURVEY_RESPONSE = 0.45
HARASSMENT = {"White": 0.24, "BME": 0.29, "Unknown": 0.27}
DISCRIMINATION = {"White": 0.06, "BME": 0.15, "Unknown": 0.10}


def bme_share() -> np.ndarray:
    """Expected BME share of staff [trust, year]: the national share, spread by BME_RELATIVE."""
    staff = staff_totals()
    rel = np.array([BME_RELATIVE[c] for c in world.TRUST_CODES])[:, None]
    national = np.array(NATIONAL_BME_PCT)[None, :] / 100
    scale = national * staff.sum(axis=0, keepdims=True) / (rel * staff).sum(axis=0, keepdims=True)
    return rel * scale


def staff_totals() -> np.ndarray:
    """Staff in post [trust, year]."""
    base = np.array([STAFF_2020[c] for c in world.TRUST_CODES], dtype=float)[:, None]
    return np.round(base * (1 + STAFF_GROWTH) ** np.arange(len(YEARS))[None, :]).astype(np.int64)


def true_ratio() -> np.ndarray:
    """The generator's relative likelihood (White / BME, appointed from shortlisting) [trust, year]."""
    ratio = np.full((len(world.TRUSTS), len(YEARS)), RELATIVE_LIKELIHOOD)
    ratio[world.TRUST_CODES.index(TREND["trust"])] = TREND["ratio"]
    ratio[world.TRUST_CODES.index(TRAP["trust"]), YEARS.index(TRAP["year"])] = TRAP["ratio"]
    return ratio


def generate(seed: int = SEED) -> pd.DataFrame:
    """Build the dataset: one row per trust (largest first), financial year and ethnic group."""
    rng = np.random.default_rng(seed)
    n_t, n_y, n_g = len(world.TRUSTS), len(YEARS), len(GROUPS)
    staff_total = staff_totals()
    bme = bme_share()
    unknown = np.array([UNKNOWN_SHARE[c] for c in world.TRUST_CODES])[:, None] * np.ones(n_y)
    share = np.stack([1 - bme - unknown, bme, unknown], axis=-1)  # [trust, year, group]
    staff = round_to_total(share * np.exp(0.01 * rng.standard_normal(share.shape)), staff_total)

    # Recruitment: applications by group, then shortlisted and appointed (binomial).
    appointments = staff_total * APPOINTMENTS_PER_STAFF
    applications_total = rng.poisson(appointments * APPLICATIONS_PER_APPOINTMENT)
    bme_app = np.minimum(0.8, BME_APPLICANT_FACTOR * bme)
    app_share = np.stack([1 - bme_app - UNKNOWN_APPLICANT_SHARE, bme_app,
                          np.full_like(bme_app, UNKNOWN_APPLICANT_SHARE)], axis=-1)
    applications = round_to_total(app_share, applications_total)
    p_short = np.broadcast_to(np.array([SHORTLIST[g] for g in GROUPS]), (n_t, n_y, n_g)).copy()
    k, y = world.TRUST_CODES.index(TRAP["trust"]), YEARS.index(TRAP["year"])
    p_short[k, y, GROUPS.index("BME")] = TRAP["bme_shortlist"]
    shortlisted = rng.binomial(applications, p_short)
    ratio = true_ratio()
    p_appoint = np.stack([np.full((n_t, n_y), APPOINT_WHITE), APPOINT_WHITE / ratio,
                          np.full((n_t, n_y), APPOINT_WHITE / UNKNOWN_RELATIVE_LIKELIHOOD)], axis=-1)
    appointed = rng.binomial(shortlisted, p_appoint)

    training = rng.binomial(staff, TRAINING_WHITE * np.array([TRAINING_RATIO[g] for g in GROUPS]))
    disciplinary = rng.binomial(staff, DISCIPLINARY_WHITE * np.array([DISCIPLINARY_RATIO[g] for g in GROUPS]))
    respondents = rng.binomial(staff, SURVEY_RESPONSE)
    harassment = rng.binomial(respondents, np.array([HARASSMENT[g] for g in GROUPS]))
    discrimination = rng.binomial(respondents, np.array([DISCRIMINATION[g] for g in GROUPS]))

    return pd.DataFrame(
        {
            "trust_code": np.repeat(world.TRUST_CODES, n_y * n_g),
            "financial_year": np.tile(np.repeat(YEARS, n_g), n_t),
            "ethnic_group": np.tile(GROUPS, n_t * n_y),
            "staff_in_post": staff.ravel(),
            "applications": applications.ravel(),
            "shortlisted": shortlisted.ravel(),
            "appointed": appointed.ravel(),
            "accessed_training": training.ravel(),
            "entered_disciplinary": disciplinary.ravel(),
            "survey_respondents": respondents.ravel(),
            "harassment_from_staff": harassment.ravel(),
            "discrimination_from_staff": discrimination.ravel(),
        }
    )
