"""Every bad input to equity_lib.inequality gets a clear error naming the column, the rows and the fix."""

import numpy as np
import pandas as pd
import pytest

from equity_lib import (
    assign_quantiles,
    concentration_index,
    plot_gap,
    plot_sii,
    sii,
    sii_points,
    summary_measures,
)


def deciles(areas=("A", "B"), value=None):
    rows = []
    for a, area in enumerate(areas):
        for d in range(1, 11):
            v = 70 + d + a if value is None else value
            rows.append(dict(area=area, decile=d, pop=1000 + 10 * d, value=v, se=0.5, lo=v - 1, hi=v + 1,
                             rate=5.0 - 0.2 * d, rlo=4.5 - 0.2 * d, rhi=5.5 - 0.2 * d,
                             prop=0.3 - 0.01 * d, plo=0.28 - 0.01 * d, phi=0.32 - 0.01 * d, x=100 - 5 * d))
    return pd.DataFrame(rows)


def quintiles():
    return pd.DataFrame({"q": [1, 2, 3, 4, 5], "pop": [120, 110, 105, 100, 95],
                         "est": [24.0, 19.5, 15.2, 12.1, 9.8], "se": [0.12, 0.12, 0.11, 0.10, 0.10],
                         "label": ["Q1", "Q2", "Q3", "Q4", "Q5"]})


# --- assign_quantiles ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    (dict(nquantiles=1), ValueError, "nquantiles must be a whole number of at least 2"),
    (dict(nquantiles=2.5), ValueError, "nquantiles must be a whole number"),
    (dict(nquantiles=True), ValueError, "nquantiles must be a whole number"),
    (dict(invert="yes please"), KeyError, "not found in data"),
    (dict(invert=1.0), TypeError, "invert must be True, False or the name of a column"),
    (dict(by="region"), KeyError, r"Column\(s\) \['region'\] not found"),
])
def test_assign_quantiles_bad_arguments(kwargs, error, message):
    data = pd.DataFrame({"score": np.arange(20.0)})
    with pytest.raises(error, match=message):
        assign_quantiles(data, "score", **kwargs)


def test_assign_quantiles_bad_values():
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        assign_quantiles([1, 2, 3], "score")
    with pytest.raises(TypeError, match="value must be a column name"):
        assign_quantiles(pd.DataFrame({"score": [1.0]}), 3)
    with pytest.raises(ValueError, match="Column 'score' has non-numeric values \\('high'\\) at row 1"):
        assign_quantiles(pd.DataFrame({"score": [1.0, "high"] + [2.0] * 8}), "score")
    with pytest.raises(ValueError, match="already has column\\(s\\) \\['quantile'\\]"):
        assign_quantiles(pd.DataFrame({"score": np.arange(10.0), "quantile": 1}), "score")
    flags = pd.DataFrame({"score": np.arange(10.0), "inv": ["yes"] * 10})
    with pytest.raises(ValueError, match="'inv' \\(invert\\) has values other than True/False at rows 0"):
        assign_quantiles(flags, "score", invert="inv")
    missing = pd.DataFrame({"score": np.arange(10.0), "inv": [True] * 9 + [None]})
    with pytest.raises(ValueError, match="'inv' \\(invert\\) is missing at row 9"):
        assign_quantiles(missing, "score", invert="inv")


# --- sii ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    (dict(value_type=3), ValueError, "value_type should be 0, 1 or 2"),
    (dict(value_type="rates"), ValueError, "value_type should be 0, 1 or 2"),
    (dict(limits="bootstrap"), ValueError, "limits='bootstrap' is not one of"),
    (dict(repetitions=999), ValueError, "repetitions must be a whole number of at least 1,000"),
    (dict(repetitions="many"), ValueError, "repetitions must be a whole number"),
    (dict(multiplier=0), ValueError, "multiplier must be a non-zero number"),
    (dict(multiplier="100"), ValueError, "multiplier must be a non-zero number"),
    (dict(confidence=95), ValueError, "confidence level 95 is not between 0 and 1.*pass 0.95"),
    (dict(confidence=(0.95, 0.95)), ValueError, "repeats a level"),
    (dict(seed=-1), TypeError, "seed must be a whole number of 0 or more"),
    (dict(seed="abc"), TypeError, "seed must be a whole number"),
    (dict(favourable="yes"), TypeError, "favourable must be True"),
    (dict(transform=1), TypeError, "transform must be True or False"),
    (dict(pheim_intercept=None), TypeError, "pheim_intercept must be True or False"),
    (dict(most_deprived="first"), ValueError, "most_deprived='first' is not one of"),
    (dict(batch_size=0), ValueError, "batch_size must be a whole number of at least 1"),
    (dict(by="region"), KeyError, r"\['region'\] not found"),
])
def test_sii_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        sii(deciles(), "decile", "pop", "value", se="se", by=kwargs.pop("by", "area"), **kwargs)


def test_sii_missing_arguments():
    data = deciles()
    with pytest.raises(ValueError, match="sii needs a value column, or numerator"):
        sii(data, "decile", "pop", se="se")
    with pytest.raises(ValueError, match="needs either lower_cl and upper_cl .* or se"):
        sii(data, "decile", "pop", "value", by="area")
    with pytest.raises(ValueError, match="lower_cl and upper_cl go together"):
        sii(data, "decile", "pop", "value", lower_cl="lo", by="area")
    with pytest.raises(ValueError, match="numerator is used only for proportions"):
        sii(data, "decile", "pop", numerator="x", se="se", by="area")
    with pytest.raises(TypeError, match="group must be a column name"):
        sii(data, 1, "pop", "value", se="se")
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        sii(data.to_dict(), "decile", "pop", "value", se="se")
    with pytest.raises(ValueError, match="data has no rows"):
        sii(data.iloc[:0], "decile", "pop", "value", se="se")


@pytest.mark.parametrize("change, kwargs, message", [
    (dict(pop=(3, 0)), {}, "Column 'pop' \\(denominator\\) has a zero or negative population at row 3"),
    (dict(pop=(3, -5)), {}, "zero or negative population at row 3"),
    (dict(decile=(4, np.nan)), {}, "Column 'decile' \\(group: the quantile\\) is missing at row 4"),
    (dict(decile=(4, 3)), {}, "area='A' has two rows for quantile 3 .*rows 2 and 4"),
    (dict(se=(5, -0.1)), {}, "Column 'se' has negative standard errors at row 5"),
    (dict(value=(6, "n/a")), {}, "Column 'value' has non-numeric values \\('n/a'\\) at row 6"),
    (dict(value=(6, np.inf)), {}, "Column 'value' has infinite values at row 6"),
])
def test_sii_bad_rows(change, kwargs, message):
    data = deciles()
    (column, (row, value)), = change.items()
    data[column] = data[column].astype(object)
    data.loc[row, column] = value
    with pytest.raises(ValueError, match=message):
        sii(data, "decile", "pop", "value", se="se", by="area", limits="analytic", **kwargs)


def test_sii_bad_limits_and_scales():
    data = deciles()
    swapped = data.assign(lo=data["hi"], hi=data["lo"])
    with pytest.raises(ValueError, match="Lower limit 'lo' is above upper limit 'hi' at rows 0, 1, 2"):
        sii(swapped, "decile", "pop", "value", lower_cl="lo", upper_cl="hi", by="area", limits="analytic")
    zero_rate = data.assign(rate=np.where(data["decile"] == 2, 0.0, data["rate"]))
    with pytest.raises(ValueError, match="Values \\('rate'\\) of 0 have no log at rows 1 and 11"):
        sii(zero_rate, "decile", "pop", "rate", value_type=1, lower_cl="rlo", upper_cl="rhi", by="area")
    zero_lower = data.assign(rlo=np.where(data["decile"] == 2, 0.0, data["rlo"]))
    with pytest.raises(ValueError, match="Limits of 0 have no log at rows 1 and 11"):
        sii(zero_lower, "decile", "pop", "rate", value_type=1, lower_cl="rlo", upper_cl="rhi", by="area")
    one = data.assign(prop=np.where(data["decile"] == 1, 1.0, data["prop"]))
    with pytest.raises(ValueError, match="Values \\('prop'\\) of 0 or 1 have no logit at rows 0 and 10"):
        sii(one, "decile", "pop", "prop", value_type=2, lower_cl="plo", upper_cl="phi", by="area",
            limits="analytic")
    over = data.assign(x=data["pop"] + 1)
    with pytest.raises(ValueError, match="Column 'x' \\(numerator\\) is larger than column 'pop' "
                                         "\\(denominator\\) at rows 0, 1.*Fix: .*swapped"):
        sii(over, "decile", "pop", numerator="x", value_type=2, lower_cl="plo", upper_cl="phi", by="area")
    with pytest.raises(ValueError, match="Number of quantiles must be between 5 and 100; 'decile' has 4"):
        sii(data[data["decile"] <= 4], "decile", "pop", "value", se="se", by="area")


def test_sii_missing_values_withhold_the_area_with_a_reason():
    data = deciles()
    data.loc[3, "value"] = np.nan
    with pytest.warns(UserWarning, match="the SII of 1 group\\(s\\) is withheld \\(e.g. area='A', rows 0, 1"):
        out = sii(data, "decile", "pop", "value", se="se", by="area", limits="analytic")
    assert np.isnan(out.loc[0, "sii"]) and np.isfinite(out.loc[1, "sii"])
    assert out.loc[0, "reason"] == "withheld: a missing population, value or standard error in some quantile"
    assert out.loc[1, "reason"] is None
    assert "no SII" in out.loc[0, "interpretation"]


def test_sii_points_bad_arguments():
    with pytest.raises(ValueError, match="curve_points must be a whole number of at least 2"):
        sii_points(deciles(), "decile", "pop", "value", by="area", curve_points=1)
    with pytest.raises(ValueError, match="multiplier must be a non-zero number"):
        sii_points(deciles(), "decile", "pop", "value", by="area", multiplier=0)


# --- concentration_index ----------------------------------------------------------------------------

def test_concentration_index_bad_inputs():
    q = quintiles()
    with pytest.raises(ValueError, match="kind='gini' is not one of"):
        concentration_index(q, "est", "pop", "q", kind="gini")
    with pytest.raises(ValueError, match="Wagstaff and Erreygers indices need the variable's bounds"):
        concentration_index(q, "est", "pop", "q", kind="wagstaff")
    with pytest.raises(ValueError, match="bounds must be \\(lower, upper\\) numbers with lower < upper"):
        concentration_index(q, "est", "pop", "q", bounds=(100, 0))
    with pytest.raises(ValueError, match="'est' has values outside the bounds \\(0, 1\\) at rows 0, 1"):
        concentration_index(q, "est", "pop", "q", bounds=(0, 1))
    with pytest.raises(ValueError, match="names a kind twice"):
        concentration_index(q, "est", "pop", "q", kind=["absolute", "absolute"])
    bad = q.assign(pop=[120, 0, 105, 100, 95])
    with pytest.raises(ValueError, match="Column 'pop' has a missing, zero or negative population at row 1"):
        concentration_index(bad, "est", "pop", "q")
    bad = q.assign(est=[24.0, np.nan, 15.2, 12.1, 9.8])
    with pytest.raises(ValueError, match="Column 'est' is missing at row 1"):
        concentration_index(bad, "est", "pop", "q")
    with pytest.raises(ValueError, match="most_disadvantaged='top' is not one of"):
        concentration_index(q, "est", "pop", "q", most_disadvantaged="top")
    with pytest.raises(TypeError, match="order must be a column name"):
        concentration_index(q, "est", "pop", None)


# --- summary_measures --------------------------------------------------------------------------------

def test_summary_measures_bad_inputs():
    q = quintiles()
    args = ("label", "est", "pop")
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'favourable'"):
        summary_measures(q, *args)
    with pytest.raises(TypeError, match="favourable must be True .* or a column name"):
        summary_measures(q, *args, favourable=1)
    with pytest.raises(ValueError, match="simulations must be a whole number of at least 10"):
        summary_measures(q, *args, favourable=False, simulations=5)
    with pytest.raises(ValueError, match="Column 'label' repeats a subgroup within a group at rows 0 and 1"):
        summary_measures(q.assign(label=["Q1", "Q1", "Q3", "Q4", "Q5"]), *args, favourable=False)
    with pytest.raises(ValueError, match="has two rows for order 2"):
        summary_measures(q.assign(q=[1, 2, 2, 4, 5]), *args, favourable=False, order="q")
    with pytest.raises(ValueError, match="Column 'pop' has a missing, zero or negative population at row 4"):
        summary_measures(q.assign(pop=[1, 2, 3, 4, -5]), *args, favourable=False)
    with pytest.raises(ValueError, match="Column 'se' has negative standard errors at row 2"):
        summary_measures(q.assign(se=[0.1, 0.1, -0.1, 0.1, 0.1]), *args, favourable=False, se="se")
    with pytest.raises(ValueError, match="needs exactly one reference subgroup \\(label='Q9'\\); found none"):
        summary_measures(q, *args, favourable=False, reference="Q9")
    flagged = q.assign(ref=[1, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="needs exactly one reference subgroup \\(column 'ref'\\); found 2"):
        summary_measures(flagged, *args, favourable=False, reference="ref")
    mixed = pd.concat([q.assign(ind="a", fav=True), q.assign(ind="b", fav=[True, True, False, True, True])])
    with pytest.raises(ValueError, match="Column 'fav' \\(favourable\\) is not the same throughout ind='b'"):
        summary_measures(mixed, *args, favourable="fav", by="ind")
    with pytest.raises(ValueError, match="Column 'fav' \\(favourable\\) has values other than true/false"):
        summary_measures(q.assign(fav="adverse"), *args, favourable="fav")
    with pytest.raises(TypeError, match="scale must be a number or a column name"):
        summary_measures(q, *args, favourable=False, scale=[100])
    with pytest.raises(ValueError, match="bounds must be \\(lower, upper\\)"):
        summary_measures(q, *args, favourable=False, bounds=(1, 1))
    with pytest.raises(ValueError, match="Column 'q' \\(subgroup order\\) is missing at row 0"):
        summary_measures(q.assign(q=[np.nan, 2, 3, 4, 5]), *args, favourable=False, order="q")
    with pytest.raises(TypeError, match="seed must be a whole number"):
        summary_measures(q, *args, favourable=False, se="se", seed=1.5)


def test_summary_measures_missing_value_withholds_the_group():
    q = quintiles()
    data = pd.concat([q.assign(ind="a"), q.assign(ind="b", est=[24.0, np.nan, 15.2, 12.1, 9.8])])
    with pytest.warns(UserWarning, match="1 group\\(s\\) have a missing value in column 'est' "
                                         "\\(e.g. ind='b'\\)"):
        out = summary_measures(data, "label", "est", "pop", favourable=False, order="q", by="ind")
    assert out.loc[out["ind"] == "b", "value"].isna().all()
    assert out.loc[out["ind"] == "a", "value"].notna().any()


# --- plots -------------------------------------------------------------------------------------------

def test_plot_bad_inputs():
    data = deciles()
    result = sii(data, "decile", "pop", "value", se="se", by="area", limits="analytic")
    points = sii_points(data, "decile", "pop", "value", by="area")
    with pytest.raises(TypeError, match="points must be the DataFrame returned by sii_points"):
        plot_sii(result)
    with pytest.raises(ValueError, match="points holds several areas"):
        plot_sii(points)
    with pytest.raises(ValueError, match="No rows of points match where=\\{'area': 'Z'\\}"):
        plot_sii(points, where={"area": "Z"})
    with pytest.raises(KeyError, match="where= names column\\(s\\) \\['region'\\]"):
        plot_sii(points, where={"region": "A"})
    with pytest.raises(ValueError, match="table has no column 'gap'"):
        plot_gap(result, gap="gap")
    measures = summary_measures(quintiles(), "label", "est", "pop", favourable=False, order="q")
    with pytest.raises(ValueError, match="table has no measure 'E'"):
        plot_gap(measures, gap="E")
    with pytest.raises(TypeError, match="table must be the DataFrame returned by sii"):
        plot_gap(None)


def test_vocabulary_names_and_no_old_names():
    """Issue 11: sii(group, denominator, value, numerator=), summary_measures(group, value, population)."""
    data = deciles()
    by_keyword = sii(data, group="decile", denominator="pop", value="value", se="se", by="area",
                     limits="analytic")
    pd.testing.assert_frame_equal(by_keyword, sii(data, "decile", "pop", "value", se="se", by="area",
                                                  limits="analytic"))
    assert by_keyword["denominator"].tolist() == [data.loc[data["area"] == a, "pop"].sum() for a in "AB"]
    points = sii_points(data, group="decile", denominator="pop", value="value", by="area")
    dots = points[points["layer"] == "quantile"]
    assert dots["group"].tolist() == list(range(1, 11)) * 2
    assert dots["denominator"].tolist() == data["pop"].tolist()
    share = data.assign(p=data["x"] / data["pop"])
    from_numerator = sii(share, "decile", "pop", numerator="x", value_type=2, by="area", limits=None)
    np.testing.assert_allclose(from_numerator["sii"], sii(share, "decile", "pop", "p", value_type=2,
                                                          by="area", limits=None)["sii"], rtol=1e-12)
    q = quintiles()
    measures = summary_measures(q, group="label", value="est", population="pop", order="q", favourable=False)
    assert measures.loc[measures["measure"] == "D", "value"].iloc[0] == pytest.approx(24.0 - 9.8)
    for call in (lambda: sii(data, quantile="decile", population="pop", value="value", limits=None),
                 lambda: sii(share, "decile", "pop", x="x", value_type=2, by="area", limits=None),
                 lambda: sii_points(data, quantile="decile", population="pop", value="value"),
                 lambda: summary_measures(q, "label", estimate="est", population="pop", favourable=False)):
        with pytest.raises(TypeError, match="unexpected keyword argument"):
            call()
    with pytest.raises(TypeError, match="sii needs group= .* and denominator= .*Fix: pass both column names"):
        sii(data, None, "pop", "value", limits=None)
