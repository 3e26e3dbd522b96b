"""Synthetic ethnicity completeness by trust and month: ``datasets/ethnicity_completeness_monthly.csv``.

NOT REAL DATA. For notebook 07 ("What we can't see"): completeness of ethnic category on each trust's
waiting list at each month end, April 2022 to March 2025, charted as a measure in its own right. The
records are ``rtt_monthly``'s ``waiting_total``; each is a valid code (A-S), Z (not stated) or 99
(not known). March 2025 is the patient-level ``waiting_list``, counted exactly.

Each trust's level is what the ``waiting_list`` model gives its list (``COMPLETENESS`` there:
about 53% to 93% valid, inside HES 2019/20's 53-100% range across providers; Nuffield Trust/NHS Race
and Health Observatory, 2021), with month-to-month noise (illustrative). Designed signal: KDH starts
a data-quality drive in July 2024; newly referred pathways are coded 86% of the time against 53%
before, so KDH's completeness rises month by month as its list turns over (the share of its list
referred since the drive is read from the March 2025 list's waits). On an XmR chart KDH shows
improvement from the autumn of 2024; the other trusts show common cause only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from equity_lib.synthetic import rtt, waiting_list, world

SEED = 4
MONTH_NOISE_LOGIT_SD = 0.03  # month-to-month variation in each trust's completeness (illustrative)


def generate(seed: int = SEED) -> pd.DataFrame:
    """Build the dataset: one row per trust (largest first) and month."""
    rng = np.random.default_rng(seed)
    month = rtt.months()
    month_end = month + pd.offsets.MonthEnd(0)
    records = rtt.generate()["waiting_total"].to_numpy().reshape(len(world.TRUSTS), len(month))
    wl = waiting_list.build()
    trust = wl["t"].to_numpy()
    ethnic = wl["true_ethnic_category"].map({c: i for i, c in enumerate(world.VALID_ETHNIC_CODES)}).to_numpy()
    weeks = wl["weeks_waited"].to_numpy()
    recorded = wl["ethnic_category"].to_numpy()

    valid = np.empty_like(records)
    not_stated = np.empty_like(records)
    for i, code in enumerate(world.TRUST_CODES):
        m = trust == i
        if code == waiting_list.DRIVE["trust"]:
            before = 1 - waiting_list.missing_probability(trust[m], ethnic[m], weeks[m], "before").mean()
            after = 1 - waiting_list.missing_probability(trust[m], ethnic[m], weeks[m], "after").mean()
            since = (month_end - pd.Timestamp(waiting_list.DRIVE["start"])).days.to_numpy() // 7
            new_share = (weeks[m][None, :] < since[:, None]).mean(axis=1)
            level = new_share * after + (1 - new_share) * before
        else:
            level = np.full(
                len(month), 1 - waiting_list.missing_probability(trust[m], ethnic[m], weeks[m]).mean()
            )
        p = expit(logit(level) + MONTH_NOISE_LOGIT_SD * rng.standard_normal(len(month)))
        valid[i] = rng.binomial(records[i], p)
        not_stated[i] = rng.binomial(records[i] - valid[i], waiting_list.NOT_STATED_SHARE)
        # The last month is the waiting list itself.
        assert m.sum() == records[i, -1]
        valid[i, -1] = np.isin(recorded[m], world.VALID_ETHNIC_CODES).sum()
        not_stated[i, -1] = (recorded[m] == "Z").sum()

    return pd.DataFrame(
        {
            "month": np.tile(month.to_numpy(), len(world.TRUSTS)),
            "trust_code": np.repeat(world.TRUST_CODES, len(month)),
            "records": records.ravel(),
            "valid_ethnic_category": valid.ravel(),
            "not_stated": not_stated.ravel(),
            "not_known": (records - valid - not_stated).ravel(),
        }
    )
