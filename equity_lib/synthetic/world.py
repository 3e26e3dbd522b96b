"""The fictional Moorside Provider Collaborative: five acute trusts serving about 2 million people.

Every name and code here is invented; none is a real NHS trust, and the three-letter codes are short
labels, not NHS organisation (ODS) codes. The shape of the collaborative follows the real comparator
named in ``design/synthetic_parameters.yaml`` (``trust_size.example_collaborative``): the West
Yorkshire Association of Acute Trusts (WYAAT), six acute trusts serving 2.6 million people. Each
catchment lies inside the range of trust catchments in the same file
(``trust_size.catchment_population_range``, 124,000 to 817,000). The catchment of each trust is an
assumption, chosen for teaching: illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trust:
    """One acute trust of the collaborative."""

    code: str
    name: str
    catchment: int  # people served (illustrative)
    kind: str


COLLABORATIVE = "Moorside Provider Collaborative"

# Largest first: this is also the order of every categorical trust column.
TRUSTS: tuple[Trust, ...] = (
    Trust("MTH", "Moorside Teaching Hospitals", 690_000, "teaching trust, tertiary services"),
    Trust("HVH", "Hollinbeck Valley Hospitals", 460_000, "two district general hospitals"),
    Trust("BDH", "Brackenfield and Dale Hospitals", 380_000, "district general hospital"),
    Trust("KDH", "Kelderby District Hospital", 250_000, "district general hospital"),
    Trust("FRH", "Ferncliffe Royal Hospital", 220_000, "smaller district general hospital"),
)

TRUST_CODES: tuple[str, ...] = tuple(t.code for t in TRUSTS)
TRUST_NAMES: tuple[str, ...] = tuple(t.name for t in TRUSTS)
POPULATION: int = sum(t.catchment for t in TRUSTS)

# --- Code lists shared by every dataset ------------------------------------------------------------

# The 19 age bands of the European Standard Population 2013 (Eurostat), with its weights per 100,000
# (as shipped in PHEindicatormethods, UKHSA/OHID).
AGE_BANDS: tuple[str, ...] = (
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
)
ESP2013_WEIGHTS: tuple[int, ...] = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
)
AGE_MID = tuple(2.5 + 5 * i for i in range(len(AGE_BANDS) - 1)) + (92.5,)  # for smooth age curves

SEXES: tuple[str, ...] = ("F", "M")  # female, male

IMD_DECILES: tuple[int, ...] = tuple(range(1, 11))  # 1 = most deprived 10% of small areas in England
IMD_QUINTILES: tuple[int, ...] = tuple(range(1, 6))  # 1 = most deprived 20%


@dataclass(frozen=True)
class EthnicCategory:
    """One NHS Data Dictionary ethnic category (the 2001 Census classification that NHS records use)."""

    code: str
    label: str
    broad_group: str  # short name of the NHS broad group: White, Mixed, Asian (or Asian British), ...
    census_2021_pct: float | None  # share of England and Wales' population, Census 2021 (None: Z, 99)


# NHS Data Dictionary order. Z ("not stated": the person was asked and declined) and 99 ("not known":
# not asked, or not recorded) are categories of their own, never dropped. Census 2021 percentages: the
# group totals (White 81.7, Mixed 2.9, Asian 9.3 including Chinese, Black 4.0, Other 2.1 excluding
# Chinese), White British 74.4, Any other White background 6.2 and Indian 3.1 are the published figures
# in the parameter file; the other splits are approximately Census 2021's and are illustrative. Code C
# also holds Census 2021's Gypsy or Irish Traveller and Roma groups (about 0.3% together), hence 6.4.
# Chinese (R) is an "Other ethnic group" in the NHS codes but "Asian" in Census 2021.
ETHNIC: tuple[EthnicCategory, ...] = (
    EthnicCategory("A", "White - British", "White", 74.4),
    EthnicCategory("B", "White - Irish", "White", 0.9),
    EthnicCategory("C", "White - Any other White background", "White", 6.4),
    EthnicCategory("D", "Mixed - White and Black Caribbean", "Mixed", 0.8),
    EthnicCategory("E", "Mixed - White and Black African", "Mixed", 0.4),
    EthnicCategory("F", "Mixed - White and Asian", "Mixed", 0.8),
    EthnicCategory("G", "Mixed - Any other mixed background", "Mixed", 0.9),
    EthnicCategory("H", "Asian or Asian British - Indian", "Asian", 3.1),
    EthnicCategory("J", "Asian or Asian British - Pakistani", "Asian", 2.7),
    EthnicCategory("K", "Asian or Asian British - Bangladeshi", "Asian", 1.1),
    EthnicCategory("L", "Asian or Asian British - Any other Asian background", "Asian", 1.7),
    EthnicCategory("M", "Black or Black British - Caribbean", "Black", 1.0),
    EthnicCategory("N", "Black or Black British - African", "Black", 2.5),
    EthnicCategory("P", "Black or Black British - Any other Black background", "Black", 0.5),
    EthnicCategory("R", "Other Ethnic Groups - Chinese", "Other", 0.7),
    EthnicCategory("S", "Other Ethnic Groups - Any other ethnic group", "Other", 2.1),
    EthnicCategory("Z", "Not stated", "Not stated", None),
    EthnicCategory("99", "Not known", "Not known", None),
)
ETHNIC_CODES: tuple[str, ...] = tuple(e.code for e in ETHNIC)
VALID_ETHNIC_CODES: tuple[str, ...] = ETHNIC_CODES[:-2]  # A-S: a person's own stated ethnic category
BROAD_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(e.broad_group for e in ETHNIC))

# RTT treatment functions (codes as in NHS England's RTT statistics; X01 gathers all the others) ->
# (name, share of the waiting list, log-odds effect on waiting longer). Shares and effects are
# illustrative.
TREATMENT_FUNCTIONS = {
    "100": ("General Surgery", 0.07, 0.15),
    "101": ("Urology", 0.05, 0.05),
    "110": ("Trauma and Orthopaedics", 0.11, 0.45),
    "120": ("Ear Nose and Throat", 0.07, 0.35),
    "130": ("Ophthalmology", 0.09, 0.0),
    "140": ("Oral Surgery", 0.04, 0.4),
    "150": ("Neurosurgery", 0.01, 0.3),
    "160": ("Plastic Surgery", 0.02, 0.3),
    "170": ("Cardiothoracic Surgery", 0.005, -0.2),
    "300": ("General Internal Medicine", 0.02, -0.5),
    "301": ("Gastroenterology", 0.05, 0.1),
    "320": ("Cardiology", 0.04, -0.4),
    "330": ("Dermatology", 0.05, 0.2),
    "340": ("Respiratory Medicine", 0.025, -0.2),
    "400": ("Neurology", 0.025, 0.15),
    "410": ("Rheumatology", 0.015, -0.1),
    "430": ("Elderly Medicine", 0.005, -0.6),
    "502": ("Gynaecology", 0.08, 0.3),
    "X01": ("Other", 0.2, -0.1),
}
