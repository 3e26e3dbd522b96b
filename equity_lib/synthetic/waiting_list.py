"""Synthetic patient-level waiting list, March 2025 (``datasets/waiting_list.csv.gz``), and its counts.

NOT REAL DATA, and no real patient is in it. One row per incomplete referral-to-treatment (RTT)
pathway at the end of March 2025 in the five trusts, for notebook 07 ("What we can't see"). The list
is ``rtt_quintile_monthly``'s March 2025 made person by person: each trust x IMD quintile has exactly
that many rows, that many waiting under 18 weeks (``weeks_waited`` < 18) and that many over 52 weeks
(``weeks_waited`` >= 52); so each trust has exactly ``rtt_monthly``'s March 2025 figures. Two more
datasets are counted from it: ``rtt_snapshot_specialty`` (trust x treatment function) and the March
2025 row of each trust in ``ethnicity_completeness_monthly``.

Each pathway is a resident of the trust's catchment (``areas``): the area is drawn in proportion to
its residents weighted by age, sex and deprivation (``rtt_quintile.list_weight_per_area``), then age
band and sex from the area's residents with the same weights, and a true ethnic category from the
area's (``population_ethnicity``). Which pathways wait longest, within each trust and quintile, is
drawn from a score: treatment function, age (WLMDS: 3.0% of 19-64-year-olds over 52 weeks, 2.5% of
those 65 and over), ethnic category (WLMDS: within 18 weeks 60.3% White British, 58.2% Asian or
Asian British, 57.0% Bangladeshi; over 52 weeks 3.2% Bangladeshi, 2.8% British) and the deprivation
decile inside the quintile, plus chance.

Recorded ethnicity: the true category, or Z (not stated) or 99 (not known). Missing more often in
some trusts (by design from 53% valid codes, KDH before its drive, to 93%, inside the 53-100% range
of valid codes across providers in HES 2019/20; the collaborative's overall share missing near HES's
13% for inpatients and 17% for outpatients: Nuffield Trust/NHS Race and Health Observatory, 2021);
more often for some ethnic groups (mixed and "any other" categories most) and for longer waits
(older referrals). KDH began a data-quality drive in July 2024 (ethnicity asked at booking and at
validation calls): pathways referred since then are coded far more often, so KDH's completeness
climbs month by month as its list turns over (``ethnicity_completeness_monthly``). The size of every
effect on missingness is illustrative. Because missingness depends on the wait, pathways coded Z or
99 wait longer than the rest (about 52% within 18 weeks against 60%), so an analysis that drops them
looks better than the truth; because it also depends on ethnicity, the recorded gap between groups
is a little smaller than the true one (White British vs Asian, within 18 weeks: 1.8 points true,
1.75 recorded). Notebook 07's exercise strengthens that dependence and watches the gap shrink. The
true category is kept out of the file; ``build()`` returns it (column ``true_ethnic_category``) for
tests and trainers.

Treatment functions (codes as in NHS England's RTT statistics; ``X01`` gathers all the others): each
one's share of the list and how long it waits are illustrative, as is the designed outlier for
notebook 02: BDH's Trauma and Orthopaedics waits much longer than the rest (consultant vacancies).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit

from equity_lib.synthetic import areas, rtt_quintile, world
from equity_lib.synthetic._alloc import draw_within

SEED = 7
SNAPSHOT = "2025-03-01"  # the month whose month-end list this is (31 March 2025)
MAX_WEEKS = 104

TERTIARY_ONLY = {"150", "170"}  # neurosurgery and cardiothoracic surgery: MTH only
OUTLIER = {"trust": "BDH", "treatment_function": "110", "effect": 1.0}  # notebook 02's genuine outlier

# Log-odds effects on waiting longer (illustrative, chosen to land near the WLMDS figures above).
AGE_65_PLUS_EFFECT = -0.12
ETHNIC_WAIT_EFFECT = {"H": 0.05, "J": 0.09, "K": 0.07, "L": 0.08, "M": 0.03, "N": 0.05}
MORE_DEPRIVED_DECILE_EFFECT = 0.03  # the odd (more deprived) decile inside each quintile
# Shape of the wait inside each band: weight of week k (illustrative).
WEEK_DECAY = {"under_18": 0.985, "18_to_51": 0.955, "52_plus": 0.78}

# Ethnicity recording. Target share of valid codes (A-S) per trust, before noise: illustrative, the
# lowest near the bottom of HES's 53-100% range across providers.
COMPLETENESS = {"MTH": 0.91, "HVH": 0.87, "BDH": 0.93, "FRH": 0.62}
DRIVE = {"trust": "KDH", "start": "2024-07-01", "before": 0.53, "after": 0.86}
# Log-odds of a missing code by true category (White British least often missing) and per week
# waited: illustrative.
MISSING_ETHNIC_EFFECT = {
    "A": -0.4,
    "B": 0.0,
    "C": 0.3,
    "D": 0.6,
    "E": 0.6,
    "F": 0.6,
    "G": 0.8,
    "H": 0.1,
    "J": 0.1,
    "K": 0.2,
    "L": 0.5,
    "M": 0.3,
    "N": 0.4,
    "P": 0.7,
    "R": 0.4,
    "S": 0.8,
}
MISSING_PER_WEEK = 0.01
NOT_STATED_SHARE = 0.3  # of missing codes, the share that are Z (asked, declined) rather than 99

COLUMNS = [
    "pathway_id",
    "trust_code",
    "area_code",
    "imd_quintile",
    "treatment_function",
    "age_band",
    "sex",
    "ethnic_category",
    "weeks_waited",
]


def weeks_since_drive() -> int:
    """Whole weeks from the start of the data-quality drive to the snapshot's month end."""
    end = pd.Timestamp(SNAPSHOT) + pd.offsets.MonthEnd(0)
    return int((end - pd.Timestamp(DRIVE["start"])).days // 7)


def _calibrate(logit_base: np.ndarray, target: float) -> float:
    """The intercept that makes the mean probability of a valid code equal ``target``."""
    return brentq(lambda a: expit(-(a + logit_base)).mean() - target, -20, 20)


def missing_probability(
    trust: np.ndarray, ethnic: np.ndarray, weeks: np.ndarray, regime: str | None = None
) -> np.ndarray:
    """Probability that each pathway's ethnic category is not recorded (Z or 99).

    ``regime`` is for the drive trust only: ``"before"`` or ``"after"`` applies that regime to every
    pathway; by default pathways referred since the drive get ``"after"``.
    """
    effect = np.array([MISSING_ETHNIC_EFFECT[c] for c in world.VALID_ETHNIC_CODES])[ethnic]
    x = effect + MISSING_PER_WEEK * weeks
    p = np.empty(trust.size)
    for i, code in enumerate(world.TRUST_CODES):
        m = trust == i
        if not m.any():
            continue
        if code == DRIVE["trust"]:
            before = x[m] + _calibrate(x[m], DRIVE["before"])
            after = x[m] + _calibrate(x[m], DRIVE["after"])
            new = weeks[m] < weeks_since_drive()
            chosen = {"before": before, "after": after}.get(regime, np.where(new, after, before))
            p[m] = expit(chosen)
        else:
            p[m] = expit(x[m] + _calibrate(x[m], COMPLETENESS[code]))
    return p


@cache
def build(seed: int = SEED) -> pd.DataFrame:
    """The list with the true ethnic category (column ``true_ethnic_category``) and trust index ``t``."""
    rng = np.random.default_rng(seed)
    people = areas.build()
    quint = rtt_quintile.generate()
    march = quint[quint["month"] == pd.Timestamp(SNAPSHOT)]
    counts = march[["waiting_total", "within_18_weeks", "over_52_weeks"]].to_numpy()  # [trust*5 + q-1]
    n_cells = len(counts)
    cell = np.repeat(np.arange(n_cells), counts[:, 0])
    trust, quintile = cell // 5, cell % 5 + 1

    # Area: within the trust and quintile, weighted by expected list size.
    area_cell = people.trust_index * 5 + people.areas["imd_quintile"].to_numpy() - 1
    order = np.argsort(area_cell, kind="stable")
    weight = rtt_quintile.list_weight_per_area()
    cell_weights = np.zeros((n_cells, np.bincount(area_cell).max()))
    slot = np.arange(order.size) - np.searchsorted(area_cell[order], area_cell[order])
    cell_weights[area_cell[order], slot] = weight[order]
    pick = draw_within(rng, cell, cell_weights)
    starts = np.searchsorted(area_cell[order], np.arange(n_cells))
    area = order[starts[cell] + pick]

    # Age band and sex, from the area's residents weighted by list rates.
    rate = np.stack(
        [
            np.array(rtt_quintile.LIST_RATE_AGE) * rtt_quintile.LIST_RATE_FEMALE,
            np.array(rtt_quintile.LIST_RATE_AGE),
        ],
        axis=-1,
    )
    age_sex = draw_within(rng, area, (people.age_sex * rate).reshape(len(people.areas), -1))
    age, sex = age_sex // 2, age_sex % 2

    # True ethnic category, from the area's residents.
    ethnic = draw_within(rng, area, people.ethnicity)

    # Treatment function, by trust, age and sex.
    tf_codes = list(world.TREATMENT_FUNCTIONS)
    share = np.array([v[1] for v in world.TREATMENT_FUNCTIONS.values()])
    profile = (trust * len(world.AGE_BANDS) + age) * 2 + sex
    tf_weight = np.tile(share, (len(world.TRUSTS) * len(world.AGE_BANDS) * 2, 1))
    p_trust, p_age, p_sex = np.unravel_index(
        np.arange(tf_weight.shape[0]), (len(world.TRUSTS), len(world.AGE_BANDS), 2)
    )
    mid = np.array(world.AGE_MID)[p_age]
    column = {code: tf_codes.index(code) for code in tf_codes}
    tf_weight[(p_sex == 1) | (mid < 15), column["502"]] = 0  # gynaecology: women 15 and over
    tf_weight[mid < 65, column["430"]] = 0  # elderly medicine: 65 and over
    tf_weight[mid >= 60, column["130"]] *= 2.5  # ophthalmology: mostly older people
    tf_weight[mid >= 50, column["320"]] *= 1.5
    for code in TERTIARY_ONLY:
        tf_weight[p_trust != 0, column[code]] = 0
    tf = draw_within(rng, profile, tf_weight)

    # Wait band: rank a score within each trust x quintile; the top get the longest waits.
    effect = np.array([v[2] for v in world.TREATMENT_FUNCTIONS.values()])[tf]
    effect = effect + np.where(np.array(world.AGE_MID)[age] >= 65, AGE_65_PLUS_EFFECT, 0.0)
    effect += np.array([ETHNIC_WAIT_EFFECT.get(c, 0.0) for c in world.VALID_ETHNIC_CODES])[ethnic]
    decile = people.areas["imd_decile"].to_numpy()[area]
    effect += np.where(decile % 2 == 1, MORE_DEPRIVED_DECILE_EFFECT, 0.0)
    outlier = (trust == world.TRUST_CODES.index(OUTLIER["trust"])) & (
        tf == tf_codes.index(OUTLIER["treatment_function"])
    )
    effect += np.where(outlier, OUTLIER["effect"], 0.0)
    score = effect + rng.logistic(size=cell.size)
    ranked = np.lexsort((-score, cell))  # by cell, highest score first
    rank = np.empty(cell.size, dtype=np.int64)
    rank[ranked] = np.arange(cell.size) - np.searchsorted(cell[ranked], cell[ranked])
    over, within = counts[cell, 2], counts[cell, 1]
    band = np.where(rank < over, 2, np.where(rank < counts[cell, 0] - within, 1, 0))

    # Weeks waited inside each band.
    bands = [
        (0, 18, WEEK_DECAY["under_18"]),
        (18, 52, WEEK_DECAY["18_to_51"]),
        (52, MAX_WEEKS + 1, WEEK_DECAY["52_plus"]),
    ]
    weeks = np.empty(cell.size, dtype=np.int64)
    for b, (lo, hi, decay) in enumerate(bands):
        m = band == b
        w = decay ** np.arange(hi - lo)
        weeks[m] = lo + draw_within(rng, np.zeros(m.sum(), dtype=np.int64), w[None, :])

    # Recorded ethnicity.
    p_missing = missing_probability(trust, ethnic, weeks)
    missing = rng.random(cell.size) < p_missing
    not_stated = rng.random(cell.size) < NOT_STATED_SHARE
    codes = np.array(world.ETHNIC_CODES)
    recorded = np.where(missing, np.where(not_stated, "Z", "99"), codes[ethnic])

    frame = pd.DataFrame(
        {
            "trust_code": np.array(world.TRUST_CODES)[trust],
            "area_code": people.areas["area_code"].to_numpy()[area],
            "imd_quintile": quintile,
            "treatment_function": np.array(tf_codes)[tf],
            "age_band": np.array(world.AGE_BANDS)[age],
            "sex": np.array(world.SEXES)[sex],
            "ethnic_category": recorded,
            "weeks_waited": weeks,
            "true_ethnic_category": codes[ethnic],
            "t": trust,
            "_area": area,
            "_age": age,
        }
    )
    frame = frame.sort_values(["t", "_area", "_age", "sex", "weeks_waited"], kind="stable").reset_index(
        drop=True
    )
    frame.insert(0, "pathway_id", np.arange(1, len(frame) + 1))
    return frame.drop(columns=["_area", "_age"])


def generate() -> pd.DataFrame:
    """The ``waiting_list`` dataset (without the true ethnic category)."""
    return build()[COLUMNS].copy()


def generate_snapshot_specialty() -> pd.DataFrame:
    """The ``rtt_snapshot_specialty`` dataset: the March 2025 list by trust x treatment function."""
    frame = build()
    frame = frame.assign(within=frame["weeks_waited"] < 18, over=frame["weeks_waited"] >= 52)
    tf_order = {code: i for i, code in enumerate(world.TREATMENT_FUNCTIONS)}
    out = (
        frame.groupby(["t", "treatment_function"])
        .agg(
            waiting_total=("weeks_waited", "size"),
            within_18_weeks=("within", "sum"),
            over_52_weeks=("over", "sum"),
        )
        .reset_index()
    )
    out = out.sort_values(["t", "treatment_function"], key=lambda s: s.map(tf_order) if s.name != "t" else s)
    out.insert(0, "month", pd.Timestamp(SNAPSHOT))
    out.insert(1, "trust_code", np.array(world.TRUST_CODES)[out.pop("t").to_numpy()])
    out.insert(
        3, "treatment_function_name", out["treatment_function"].map(lambda c: world.TREATMENT_FUNCTIONS[c][0])
    )
    out["over_18_weeks"] = out["waiting_total"] - out["within_18_weeks"]
    cols = [
        "month",
        "trust_code",
        "treatment_function",
        "treatment_function_name",
        "waiting_total",
        "within_18_weeks",
        "over_18_weeks",
        "over_52_weeks",
    ]
    return out[cols].reset_index(drop=True).astype({c: "int64" for c in cols[4:]})
