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
