"""equity_pause quotes completeness's own words: the column assessed and each organisation by name."""

import pandas as pd

from equity_lib import equity_pause
from equity_lib.quality import completeness


def test_completeness_evidence_names_the_column_and_organisations_only():
    records = pd.DataFrame({"trust": ["A"] * 10 + ["B"] * 10,
                            "ethnic_category": ["A"] * 9 + ["99"] + ["A"] * 5 + ["Z"] * 5})
    evidence = equity_pause("x", completeness=completeness(records, "ethnic_category", by="trust")
                            ).record.loc[0, "evidence"]
    assert evidence.startswith("ethnic_category is valid for 70.0% of 20 records; lowest 50.0% (B).")
    assert "Below 90%: B." in evidence
