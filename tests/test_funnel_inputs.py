"""Bad input to equity_lib.funnel gets an error that names the column, the rows and the fix."""

import numpy as np
import pandas as pd
import pytest

from equity_lib import funnel_chart, funnel_limits, funnel_significance


@pytest.fixture
def units():
    return pd.DataFrame({"unit": ["A", "B", "C", "D"], "num": [30, 55, 12, 80], "den": [100, 250, 60, 300],
                         "rate": [30.0, 22.0, 20.0, 26.7]})


ALL = [
    lambda d, **k: funnel_chart(d, "num", "den", **k),
    lambda d, **k: funnel_limits(d, "num", "den", **k),
    lambda d, **k: funnel_significance(d, "num", "den", **k),
]


@pytest.mark.parametrize("call", ALL)
def test_negative_numerator(units, call):
    units.loc[2, "num"] = -1
    with pytest.raises(ValueError, match=r"Column 'num' has a negative numerator at row 2\. Fix: "):
        call(units)


@pytest.mark.parametrize("call", ALL)
def test_numerator_above_denominator(units, call):
    units.loc[1, "num"] = 251
    with pytest.raises(ValueError, match=r"Column 'num' \(numerator\) is above column 'den' at row 1\. Fix: "
                                         r".*swapped"):
        call(units)


@pytest.mark.parametrize("call", ALL)
@pytest.mark.parametrize("bad", [0, -3, np.nan])
def test_zero_negative_or_missing_denominator(units, call, bad):
    units["den"] = units["den"].astype(float)
    units.loc[3, "den"] = bad
    word = "missing" if np.isnan(bad) else "zero or negative"
    with pytest.raises(ValueError, match=rf"Column 'den' has a {word} denominator at row 3\. Fix: "):
        call(units)


@pytest.mark.parametrize("call", ALL)
def test_missing_numerator(units, call):
    units["num"] = units["num"].astype(float)
    units.loc[0, "num"] = np.nan
    with pytest.raises(ValueError, match=r"Column 'num' has a missing numerator at row 0\. Fix: a funnel "
                                         r"plot needs every unit's value"):
        call(units)


@pytest.mark.parametrize("call", ALL)
def test_non_numeric(units, call):
    units["den"] = units["den"].astype(object)
    units.loc[1, "den"] = "n/a"
    with pytest.raises(ValueError, match=r"Column 'den' has non-numeric values \('n/a'\) at row 1"):
        call(units)


def test_unknown_statistic_overdispersion_and_levels(units):
    with pytest.raises(ValueError, match=r"statistic='percentage' is not one of \['proportion', 'ratio', "
                                         r"'rate'\]"):
        funnel_chart(units, "num", "den", statistic="percentage")
    with pytest.raises(ValueError, match="overdispersion='random' is not one of"):
        funnel_chart(units, "num", "den", overdispersion="random")
    with pytest.raises(ValueError, match=r"confidence level 1\.5 is not between 0 and 1"):
        funnel_chart(units, "num", "den", confidence=(0.95, 1.5))
    with pytest.raises(ValueError, match="winsorise must be a share"):
        funnel_chart(units, "num", "den", overdispersion="additive", winsorise=0.5)
    with pytest.raises(ValueError, match="at least 3 units"):
        funnel_chart(units.iloc[:2], "num", "den", overdispersion="additive")
    with pytest.raises(ValueError, match="multiplier must be a number greater than 0"):
        funnel_chart(units, "num", "den", multiplier=-1)


def test_target_must_leave_room(units):
    with pytest.raises(ValueError, match=r"The target \(0\) must lie strictly inside"):
        funnel_chart(units.assign(num=0), "num", "den")
    with pytest.raises(ValueError, match=r"The target \(100\) must lie strictly inside"):
        funnel_chart(units, "num", "den", target=100)


def test_rate_inputs(units):
    with pytest.raises(ValueError, match="rate_type=None is not one of"):
        funnel_limits(units, "num", statistic="rate", rate="rate")
    with pytest.raises(ValueError, match="A dsr funnel needs rate="):
        funnel_limits(units, "num", "den", statistic="rate", rate_type="dsr")
    zero = units.assign(num=[0, 55, 12, 80])
    with pytest.raises(ValueError, match=r"Column 'num' has 0 events and no denominator was given at row 0\. "
                                         r"Fix: .*pass denominator="):
        funnel_limits(zero, "num", statistic="rate", rate="rate", rate_type="crude")
    missing = units.assign(rate=[np.nan, 22.0, 20.0, 26.7])
    with pytest.raises(ValueError, match=r"Column 'rate' has a missing rate at row 0"):
        funnel_significance(missing, "num", "den", statistic="rate", rate="rate", rate_type="crude",
                            multiplier=100)
    with pytest.raises(ValueError, match="pass the multiplier the rate column is expressed per"):
        funnel_significance(units, "num", "den", statistic="rate", rate="rate", rate_type="crude")
    with pytest.raises(ValueError, match="years_of_data must be a number greater than 0"):
        funnel_limits(units, "num", "den", statistic="rate", rate="rate", rate_type="crude", years_of_data=0)


def test_ratio_inputs(units):
    with pytest.raises(ValueError, match="ratio_type='smr' is not one of"):
        funnel_limits(units, "num", "den", statistic="ratio", ratio_type="smr")
    with pytest.raises(ValueError, match="ratio_type='count' gives observed / expected - 1 and takes no "):
        funnel_limits(units, "num", "den", statistic="ratio", ratio_type="count", multiplier=100)
    with pytest.raises(ValueError, match=r"A ratio funnel needs denominator='<column of expected counts>'"):
        funnel_limits(units, "num", statistic="ratio")
    with pytest.raises(ValueError, match=r"Column 'den' has a zero or negative expected count at row 0"):
        funnel_chart(units.assign(den=[0, 1, 2, 3]), "num", "den", statistic="ratio")


def test_columns_checked(units):
    with pytest.raises(KeyError, match=r"\['cases'\] not found"):
        funnel_chart(units, "cases", "den")
    with pytest.raises(ValueError, match=r"data already has column\(s\) \['value'\]"):
        funnel_chart(units.rename(columns={"unit": "value"}), "num", "den")
    with pytest.raises(ValueError, match="data already has a column 'significance'"):
        funnel_significance(units.assign(significance=1), "num", "den")
    for call in ALL:
        with pytest.raises(ValueError, match="data has no rows"):
            call(units.iloc[:0])
    with pytest.raises(ValueError, match="points must be a whole number of at least 2"):
        funnel_limits(units, "num", "den", points=1)


def test_modules_stay_reachable_by_name():
    """The package exports functions, but equity_lib.funnel and equity_lib.rates remain the modules."""
    import inspect

    import equity_lib

    assert inspect.ismodule(equity_lib.funnel) and inspect.ismodule(equity_lib.rates)
    assert equity_lib.funnel.funnel_chart is funnel_chart
