"""The people of the collaborative: small areas, their deprivation, and who lives there.

NOT REAL DATA. Three datasets come from here, and every other dataset is drawn from them:

- ``areas``: 1,334 small areas (like 2021 Lower layer Super Output Areas, LSOAs, of about 1,500
  people; the codes and names are invented), each in the catchment of one trust, with its national
  Index of Multiple Deprivation (IMD) decile and quintile: 1 = most deprived.
- ``population``: residents by area x the 19 age bands of the European Standard Population 2013 x
  sex (50,692 rows).
- ``population_ethnicity``: residents by area x ethnic category (A-S, the NHS Data Dictionary codes;
  a census has no "not stated" or "not known", 21,344 rows). Ethnicity is drawn independently of age
  and sex within an area: a simplification.

Sources (``design/synthetic_parameters.yaml``): about 1,500 residents per LSOA (MHCLG, English
Indices of Deprivation 2025, ``deprivation.lsoa_mean_population``); IMD rank 1 = most deprived, decile
1 = the most deprived 10% of small areas in England (IoD2019); the collaborative's ethnic mix: Census
2021, England and Wales (Cabinet Office/ONS Ethnicity facts and figures; see ``world.ETHNIC``).

Illustrative (assumptions chosen for teaching): each trust's mix of deprivation deciles (the
collaborative is more deprived than England, as West Yorkshire is); the age pyramid (approximately
England and Wales, Census 2021) and how much younger deprived areas are, and each trust's
catchment; the female share by age; how concentrated each ethnic group is in deprived areas and in
each trust; the spread of area sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from equity_lib.synthetic import world
from equity_lib.synthetic._alloc import round_to_total

SEED = 2021
AREA_POPULATION_MEAN = 1500  # MHCLG IoD2025: 2021 LSOAs average about 1,500 residents
AREA_POPULATION_CV = 0.15  # illustrative
AREA_POPULATION_RANGE = (1000, 3000)  # LSOAs are built to hold 1,000 to 3,000 residents

# Share of each trust's small areas in each national IMD decile, 1 (most deprived) to 10: illustrative.
DECILE_MIX = {
    "MTH": (0.22, 0.14, 0.11, 0.09, 0.08, 0.08, 0.07, 0.07, 0.07, 0.07),  # a city with deprived inner wards
    "HVH": (0.14, 0.12, 0.11, 0.10, 0.10, 0.10, 0.09, 0.08, 0.08, 0.08),  # mill towns and their valleys
    "BDH": (0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.10),  # mixed: like England
    "KDH": (0.20, 0.15, 0.12, 0.10, 0.09, 0.08, 0.07, 0.07, 0.06, 0.06),  # a former coalfield
    "FRH": (0.04, 0.05, 0.07, 0.08, 0.10, 0.11, 0.12, 0.14, 0.14, 0.15),  # a market town and its villages
}

# Age pyramid, % of residents in each ESP2013 band: approximately England and Wales, Census 2021
# (illustrative).
AGE_PCT = (5.4, 5.9, 6.0, 5.6, 6.0, 6.6, 6.8, 6.6, 6.2, 6.3, 6.8, 6.6, 5.8, 5.0, 5.1, 3.7, 2.6, 1.6, 0.9)
# How much younger deprived areas are: relative share of an age band scales by
# exp(AGE_TILT * (age - 40) / 40 * (decile - 5.5) / 4.5). Illustrative; it gives about 13% aged 65 and
# over in decile 1 and 26% in decile 10 (England: roughly 14% and 25%).
AGE_TILT = 0.33
# And how much older or younger each trust's catchment is, beyond its deprivation: relative share of
# an age band scales by exp(tilt * (age - 40) / 40). Illustrative: a young city (MTH, with its
# students) and an older market town with retirement villages (FRH).
AGE_TILT_TRUST = {"MTH": -0.15, "HVH": 0.0, "BDH": 0.05, "KDH": 0.1, "FRH": 0.35}
# Female share of each age band: approximately England and Wales, Census 2021 (illustrative).
FEMALE_SHARE = (
    0.488,
    0.488,
    0.488,
    0.487,
    0.495,
    0.505,
    0.508,
    0.508,
    0.506,
    0.507,
    0.507,
    0.506,
    0.510,
    0.515,
    0.525,
    0.540,
    0.565,
    0.605,
    0.685,
)

# How concentrated each ethnic category is in deprived areas (log relative share per unit of
# (5.5 - decile) / 4.5) and in each trust (relative share of every category but A): illustrative.
ETHNIC_DEPRIVATION = {
    "A": 0.0,
    "B": -0.1,
    "C": 0.3,
    "D": 0.5,
    "E": 0.5,
    "F": 0.2,
    "G": 0.3,
    "H": 0.1,
    "J": 1.0,
    "K": 1.1,
    "L": 0.4,
    "M": 0.8,
    "N": 0.7,
    "P": 0.7,
    "R": -0.1,
    "S": 0.5,
}
ETHNIC_TRUST = {"MTH": 1.7, "HVH": 1.2, "BDH": 0.8, "KDH": 0.45, "FRH": 0.35}


@dataclass(frozen=True)
class People:
    """The built population: one row per area, and counts in numpy arrays aligned with it."""

    areas: pd.DataFrame  # area_code, area_name, trust_code, imd_decile, imd_quintile, population
    age_sex: np.ndarray  # int64 [area, age band, sex]
    ethnicity: np.ndarray  # int64 [area, valid ethnic category A-S]

    @property
    def trust_index(self) -> np.ndarray:
        """Position of each area's trust in ``world.TRUST_CODES``."""
        return self.areas["trust_code"].map({c: i for i, c in enumerate(world.TRUST_CODES)}).to_numpy()


@cache
def build(seed: int = SEED) -> People:
    """Build the areas and their residents (cached: every dataset uses the same people)."""
    rng = np.random.default_rng(seed)
    rows = []
    for trust in world.TRUSTS:
        n = round(trust.catchment / AREA_POPULATION_MEAN)
        sigma = np.sqrt(np.log1p(AREA_POPULATION_CV**2))
        size = AREA_POPULATION_MEAN * rng.lognormal(-(sigma**2) / 2, sigma, n)
        size = round_to_total(np.clip(size, *AREA_POPULATION_RANGE), trust.catchment)
        deciles = np.repeat(world.IMD_DECILES, round_to_total(DECILE_MIX[trust.code], n))
        deciles = rng.permutation(deciles)
        place = trust.name.split()[0]
        for j in range(n):
            rows.append(
                (trust.code, f"{place} {j // 5 + 1:03d}{'ABCDE'[j % 5]}", int(deciles[j]), int(size[j]))
            )
    areas = pd.DataFrame(rows, columns=["trust_code", "area_name", "imd_decile", "population"])
    areas.insert(0, "area_code", [f"MPC{i + 1:04d}" for i in range(len(areas))])
    areas.insert(4, "imd_quintile", (areas["imd_decile"] + 1) // 2)
    areas = areas[["area_code", "area_name", "trust_code", "imd_decile", "imd_quintile", "population"]]

    decile = areas["imd_decile"].to_numpy()
    z_dep = (decile - 5.5) / 4.5  # -1 most deprived, +1 least deprived
    population = areas["population"].to_numpy()

    # Age and sex: the pyramid, tilted younger in deprived areas, then drawn for each area.
    z_age = (np.array(world.AGE_MID) - 40) / 40
    trust_tilt = areas["trust_code"].map(AGE_TILT_TRUST).to_numpy()
    age = np.array(AGE_PCT) * np.exp(z_age[None, :] * (AGE_TILT * z_dep + trust_tilt)[:, None])
    female = np.array(FEMALE_SHARE)
    p_age_sex = np.stack([age * female, age * (1 - female)], axis=-1).reshape(len(areas), -1)
    p_age_sex /= p_age_sex.sum(axis=1, keepdims=True)
    age_sex = rng.multinomial(population, p_age_sex).reshape(len(areas), len(world.AGE_BANDS), 2)

    # Ethnicity: Census 2021 shares, concentrated by deprivation and trust, then raked so that the
    # collaborative as a whole matches Census 2021.
    census = np.array([e.census_2021_pct for e in world.ETHNIC[:-2]]) / 100
    grad = np.array([ETHNIC_DEPRIVATION[c] for c in world.VALID_ETHNIC_CODES])
    trust_factor = areas["trust_code"].map(ETHNIC_TRUST).to_numpy()
    minority = np.array([c != "A" for c in world.VALID_ETHNIC_CODES])
    p_eth = census * np.exp(-grad[None, :] * z_dep[:, None]) * np.where(minority, trust_factor[:, None], 1.0)
    for _ in range(50):
        p_eth /= p_eth.sum(axis=1, keepdims=True)
        p_eth *= census / (population @ p_eth / population.sum())
    p_eth /= p_eth.sum(axis=1, keepdims=True)
    ethnicity = rng.multinomial(population, p_eth)
    return People(areas=areas, age_sex=age_sex, ethnicity=ethnicity)


def generate_areas() -> pd.DataFrame:
    """The ``areas`` dataset: one row per small area, in trust order (largest trust first)."""
    return build().areas.copy()


def generate_population() -> pd.DataFrame:
    """The ``population`` dataset: residents by area x age band x sex."""
    people = build()
    n_areas, n_ages, n_sexes = people.age_sex.shape
    return pd.DataFrame(
        {
            "area_code": np.repeat(people.areas["area_code"].to_numpy(), n_ages * n_sexes),
            "age_band": np.tile(np.repeat(world.AGE_BANDS, n_sexes), n_areas),
            "sex": np.tile(world.SEXES, n_areas * n_ages),
            "population": people.age_sex.ravel(),
        }
    )


def generate_population_ethnicity() -> pd.DataFrame:
    """The ``population_ethnicity`` dataset: residents by area x ethnic category (A-S)."""
    people = build()
    n_areas, n_groups = people.ethnicity.shape
    return pd.DataFrame(
        {
            "area_code": np.repeat(people.areas["area_code"].to_numpy(), n_groups),
            "ethnic_category": np.tile(world.VALID_ETHNIC_CODES, n_areas),
            "population": people.ethnicity.ravel(),
        }
    )
