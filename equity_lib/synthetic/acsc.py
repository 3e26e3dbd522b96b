"""Synthetic emergency admissions for ambulatory care sensitive conditions: ``datasets/acsc_admissions.csv``.

NOT REAL DATA. For notebooks 05 ("Measuring the gradient") and 06 ("Like for like"): admissions and
residents by trust catchment x financial year (2022/23 to 2024/25) x IMD decile x the 19 ESP2013 age
bands x sex. The residents are ``population``'s, summed over the areas of each trust and decile (the
same in each year).

Sources (``design/synthetic_parameters.yaml``, ``emergency_and_acsc``): age-specific ACS admission
rates per 100,000 in England, 2011/12, least vs most deprived (Blunt I, Nuffield Trust, JECH
2013;67(Suppl 1):A34, OP72): 64 vs 104 at 15-19 (1.6 times), 49 vs 184 at 45-49 (3.8 times, the
largest gap), 993 vs 1,610 at 85 and over (1.6 times). Here they are the rates of the least and most
deprived quintiles in 2022/23 (the abstract says "least and most deprived groups"; quintiles are our
reading). Rates grow by 2% a year: ACS admission rates grew 26% from 2001 to 2013 (QualityWatch),
about 1.9% a year.

Illustrative: the rates in the other 16 age bands and their ratios (a smooth curve through the three
published points: high in the under-5s, lowest in young adults, rising steeply after 60); the
gradient between quintiles and deciles (log-linear in decile, so that quintile 1 / quintile 5 is the
published ratio); men's rates 10% above women's. Admissions are Poisson draws around these rates.

For trainers (notebook 06): deprived areas are younger (``areas.AGE_TILT``) and ACS rates rise
steeply with age, so crude rates understate the gradient; standardised to the ESP2013, the most
deprived quintile's rate is well over twice the least deprived's, and the crude ranking of the
quintiles changes. Notebook 05: the gap is not narrowing (constant ratios, all rates growing 2% a
year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equity_lib.synthetic import areas, world

SEED = 5
YEARS = ("2022/23", "2023/24", "2024/25")
GROWTH_PER_YEAR = 0.02

# Least deprived quintile's rate per 100,000 and the most / least deprived ratio, per ESP2013 band.
# Blunt (2013): 15-19, 45-49 and 85+ (85-89 and 90+ both take the 85+ value); the rest illustrative.
RATE_LEAST = (900, 260, 120, 64, 58, 52, 48, 47, 47, 49, 70, 105, 160, 230, 330, 480, 690, 993, 993)
PUBLISHED = {"15-19": (64, 104), "45-49": (49, 184), "85+": (993, 1610)}  # least, most deprived
_R15, _R45, _R85 = (most / least for least, most in PUBLISHED.values())  # 1.625, 3.755, 1.621
RATIO = (1.8, 1.7, 1.6, _R15, 2.0, 2.4, 2.8, 3.2, 3.6, _R45, 3.6, 3.3, 3.0, 2.7, 2.4, 2.1, 1.8, _R85, _R85)
MALE_FACTOR = 1.1  # men's rate / women's (illustrative), applied around the sex-averaged rate


def expected_rate(decile: np.ndarray, age: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Rate per 100,000 by decile (1-10), age band index (0-18) and year index (0, 1, 2), both sexes."""
    least, ratio = np.array(RATE_LEAST, dtype=float)[age], np.array(RATIO)[age]
    # log-linear in decile: deciles 9.5 on average in quintile 5, 1.5 in quintile 1 (8 steps apart).
    return least * ratio ** ((9.5 - decile) / 8) * (1 + GROWTH_PER_YEAR) ** year


def generate(seed: int = SEED) -> pd.DataFrame:
    """Build the dataset: one row per trust, year, decile, age band and sex, in that order."""
    rng = np.random.default_rng(seed)
    people = areas.build()
    n_t, n_y, n_d, n_a, n_s = len(world.TRUSTS), len(YEARS), 10, len(world.AGE_BANDS), 2
    population = np.zeros((n_t, n_d, n_a, n_s), dtype=np.int64)
    np.add.at(population, (people.trust_index, people.areas["imd_decile"].to_numpy() - 1), people.age_sex)
    t, y, d, a, s = np.meshgrid(*(np.arange(k) for k in (n_t, n_y, n_d, n_a, n_s)), indexing="ij")
    sex_factor = np.where(s == 1, 2 * MALE_FACTOR / (1 + MALE_FACTOR), 2 / (1 + MALE_FACTOR))
    rate = expected_rate(d + 1, a, y) * sex_factor
    pop = np.broadcast_to(population[:, None], (n_t, n_y, n_d, n_a, n_s))
    admissions = rng.poisson(pop * rate / 100_000)
    return pd.DataFrame(
        {
            "financial_year": np.array(YEARS)[y.ravel()],
            "trust_code": np.array(world.TRUST_CODES)[t.ravel()],
            "imd_decile": d.ravel() + 1,
            "imd_quintile": d.ravel() // 2 + 1,
            "age_band": np.array(world.AGE_BANDS)[a.ravel()],
            "sex": np.array(world.SEXES)[s.ravel()],
            "population": pop.ravel(),
            "admissions": admissions.ravel(),
        }
    )[
        [
            "trust_code",
            "financial_year",
            "imd_decile",
            "imd_quintile",
            "age_band",
            "sex",
            "population",
            "admissions",
        ]
    ]
