"""equity_lib.spc against qicharts2 0.8.1 and NHSRplotthedots 0.2.2 on the shared reference inputs.

Every case in ../shared/reference/spc/expected is reproduced to 1e-9 relative.
"""

import numpy as np
import pandas as pd
import pytest

from equity_lib import spc
from equity_lib.process_control.engine import DataGapWarning

RTOL = 1e-9
QIC_E2 = 3 / 1.128

# qicharts2 file -> (input, keyword arguments of spc). value/time/numerator/denominator name columns
# of the input.
VALUES = dict(value="value", time="date")
COUNTS = dict(numerator="num", denominator="den", time="date")
QIC_CASES = {
    "qic__run_shift__run": ("run_shift", dict(VALUES, chart="run")),
    "qic__run_few_crossings__run": ("run_few_crossings", dict(VALUES, chart="run")),
    "qic__xmr_stable__run": ("xmr_stable", dict(VALUES, chart="run")),
    "qic__xmr_shift8__run": ("xmr_shift8", dict(VALUES, chart="run")),
    "qic__xmr_rebase__run_part15": ("xmr_rebase", dict(VALUES, chart="run",
                                                       rebase=["2021-04-01"])),
    "qic__xmr_stable__i": ("xmr_stable", dict(VALUES, chart="i", xmr_factor=QIC_E2)),
    "qic__xmr_shift8__i": ("xmr_shift8", dict(VALUES, chart="i", xmr_factor=QIC_E2)),
    "qic__xmr_outlier__i_screened": ("xmr_outlier", dict(VALUES, chart="i", xmr_factor=QIC_E2)),
    "qic__xmr_outlier__i_unscreened": ("xmr_outlier", dict(VALUES, chart="i", xmr_factor=QIC_E2,
                                                           screen_mr=False)),
    "qic__xmr_outlier__i_exclude12": ("xmr_outlier", dict(VALUES, chart="i", xmr_factor=QIC_E2,
                                                          exclude=["2020-12-01"])),
    "qic__xmr_outlier__mr": ("xmr_outlier", dict(VALUES, chart="mr")),
    "qic__xmr_stable__mr": ("xmr_stable", dict(VALUES, chart="mr")),
    "qic__xmr_rebase__i_part15": ("xmr_rebase", dict(VALUES, chart="i", xmr_factor=QIC_E2,
                                                     rebase=["2021-04-01"])),
    "qic__xmr_rebase__i": ("xmr_rebase", dict(VALUES, chart="i", xmr_factor=QIC_E2)),
    "qic__p_varying_n__p": ("p_varying_n", dict(COUNTS, chart="p")),
    "qic__p_varying_n__pp": ("p_varying_n", dict(COUNTS, chart="pp")),
    "qic__u_varying_exposure__u": ("u_varying_exposure", dict(COUNTS, chart="u")),
    "qic__u_varying_exposure__up": ("u_varying_exposure", dict(COUNTS, chart="up")),
    "qic__c_counts__c": ("c_counts", dict(value="count", time="date", chart="c")),
    "qic__g_between_events__g": ("g_between_events", dict(value="days_between", time="event", chart="g")),
    "qic__t_between_events__t": ("t_between_events", dict(value="days_between", time="event", chart="t")),
    "qic__xbar_s_subgroups__xbar": ("xbar_s_subgroups", dict(value="value", time="subgroup", chart="xbar")),
    "qic__xbar_s_subgroups__s": ("xbar_s_subgroups", dict(value="value", time="subgroup", chart="s")),
}

PTD_CASES = {
    "ptd__xmr_stable__default": ("xmr_stable", {}),
    "ptd__xmr_shift8__default": ("xmr_shift8", {}),
    "ptd__xmr_outlier__screen_true": ("xmr_outlier", dict(screen_mr=True)),
    "ptd__xmr_outlier__screen_false": ("xmr_outlier", dict(screen_mr=False)),
    "ptd__xmr_rebase__rebase16": ("xmr_rebase", dict(rebase=["2021-04-01"])),
    "ptd__xmr_rebase__norebase": ("xmr_rebase", {}),
    "ptd__xmr_mixed_decrease__decrease_target55": ("xmr_mixed_decrease",
                                                   dict(improvement="decrease", target=55)),
    "ptd__xmr_target__increase_target0.75": ("xmr_target", dict(improvement="increase", target=0.75)),
    "ptd__xmr_target__increase_target0.92": ("xmr_target", dict(improvement="increase", target=0.92)),
    "ptd__run_shift__default": ("run_shift", {}),
}

PTD_RULE = {
    "Above UCL": "above_ucl", "Below LCL": "below_lcl",
    "7 Point Trend (Increasing)": "trend_up", "7 Point Trend (Decreasing)": "trend_down",
    "2 in 3 Above CL": "two_in_three_above", "2 in 3 Below CL": "two_in_three_below",
    "7 Points Above CL": "shift_above", "7 Points Below CL": "shift_below", "Common Cause": None,
}
PTD_TYPE = {
    "common_cause": "common_cause", "special_cause_improvement": "improvement",
    "special_cause_concern": "concern", "special_cause_neutral_high": "neutral",
    "special_cause_neutral_low": "neutral",
}
PTD_ASSURANCE = {"consistent_pass": "pass", "consistent_fail": "fail", "inconsistent": "hit_and_miss"}


def _input(ref, name):
    d = pd.read_csv(ref / "spc" / "inputs" / f"{name}.csv")
    if "date" in d:
        d["date"] = pd.to_datetime(d["date"])
    return d


def _close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float), rtol=RTOL,
                               atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("case", sorted(QIC_CASES))
def test_qicharts2_points(shared_reference, case):
    source, kwargs = QIC_CASES[case]
    expected = pd.read_csv(shared_reference / "spc" / "expected" / f"{case}.csv")
    kwargs = dict(kwargs)
    result = spc(_input(shared_reference, source), **kwargs)
    t = result.table
    assert len(t) == len(expected)
    for ours, theirs in (("value", "y"), ("cl", "cl"), ("lcl", "lcl"), ("ucl", "ucl")):
        _close(t[ours], expected[theirs])
    if kwargs["chart"] not in ("p", "pp", "u", "up"):
        assert (t["denominator"].isna() | (kwargs["chart"] in ("xbar", "s"))).all()
    else:
        _close(t["denominator"], expected["n"])
    assert (t["phase"].to_numpy() == expected["part"].to_numpy()).all()
    outside = ((t["value"] > t["ucl"]) | (t["value"] < t["lcl"])).to_numpy()
    assert (outside == expected["sigma.signal"].to_numpy()).all()
    # Points outside a limit are special cause with the limit rule, whatever the direction.
    if kwargs["chart"] != "run":
        assert t.loc[outside, "special_cause"].all()


@pytest.mark.parametrize("case", sorted(QIC_CASES))
def test_qicharts2_runs_analysis(shared_reference, case):
    source, kwargs = QIC_CASES[case]
    expected = pd.read_csv(shared_reference / "spc" / "expected" / f"{case}.csv")
    summary = spc(_input(shared_reference, source), **kwargs).summary()
    per_part = expected.groupby("part").first()
    assert list(summary["phase"]) == list(per_part.index)
    for ours, theirs in (("n_points", "n.obs"), ("n_useful", "n.useful"), ("longest_run", "longest.run"),
                         ("longest_run_max", "longest.run.max"), ("crossings", "n.crossings"),
                         ("crossings_min", "n.crossings.min"), ("runs_signal", "runs.signal")):
        assert list(summary[ours].astype(int)) == list(per_part[theirs].astype(int)), ours


@pytest.mark.parametrize("case", sorted(PTD_CASES))
def test_nhsrplotthedots_points(shared_reference, case):
    source, kwargs = PTD_CASES[case]
    expected = pd.read_csv(shared_reference / "spc" / "expected" / f"{case}.csv")
    t = spc(_input(shared_reference, source), "value", "date", **kwargs).table
    _close(t["value"], expected["y"])
    _close(t["cl"], expected["mean_col"])
    _close(t["lcl"], expected["lpl"])
    _close(t["ucl"], expected["upl"])
    assert list(t["phase"] - 1) == list(expected["rebase_group"])
    assert list(t["point_type"]) == [PTD_TYPE[v] for v in expected["point_type"]]
    assert list(t["special_cause"]) == list(expected["special_cause_flag"])
    ours = [None if pd.isna(r) else r for r in t["rule"]]
    assert ours == [PTD_RULE[v] for v in expected["special_cause_type"]]


def test_nhsrplotthedots_summary(shared_reference):
    expected = pd.read_csv(shared_reference / "spc" / "expected" / "ptd__SUMMARY.csv")
    for file, rows in expected.groupby("file", sort=False):
        source, kwargs = PTD_CASES[file.removesuffix(".csv")]
        summary = spc(_input(shared_reference, source), "value", "date", **kwargs).summary()
        assert len(summary) == len(rows), file
        for (_, ours), (_, theirs) in zip(summary.iterrows(), rows.iterrows(), strict=True):
            _close([ours.cl, ours.lcl, ours.ucl], [theirs.mean_col, theirs.lpl, theirs.upl])
            assert ours.n_points == theirs.n
            assert ours.n_points - ours.n_special_cause == theirs.common_cause
            assert ours.n_improvement == theirs.special_cause_improvement
            assert ours.n_concern == theirs.special_cause_concern
            assert ours.variation == PTD_TYPE[theirs.variation_type], file
            if isinstance(theirs.icon_variation, str):
                assert ours.variation_icon == theirs.icon_variation.removesuffix(".svg"), file
            if isinstance(theirs.assurance_type, str):
                assert ours.assurance == PTD_ASSURANCE[theirs.assurance_type], file


def test_short_series_warns_and_marks_trial_limits(shared_reference):
    with pytest.warns(UserWarning, match="trial limits"):
        result = spc(_input(shared_reference, "xmr_short10"), "value", "date")
    assert result.table["trial_limits"].all()


def test_missing_value_inside_a_trend_never_stops_the_chart(shared_reference):
    # NHSRplotthedots 0.2.2 stops with an error on this input.
    data = _input(shared_reference, "xmr_na_in_trend")
    # The one point with no value is reported (DataGapWarning), and nothing else is.
    with pytest.warns(DataGapWarning, match=r"1 point\(s\) have no value and are not charted \('all': 1\)") \
            as caught:
        t = spc(data, "value", "date").table
    assert [w.category for w in caught] == [DataGapWarning]
    missing = t["value"].isna()
    assert missing.sum() == 1
    assert t.loc[missing, ["cl", "lcl", "ucl"]].notna().all(axis=None)
    assert not t.loc[missing, "special_cause"].any()
    # The gap is skipped, not a break: the six valued points around it (47, 48, 49, gap, 51, 52, 53)
    # are one rise of six. That is short of a trend of 7, and is a trend of 6 (IHI's length).
    rising = (t["time"] >= "2020-11-01") & (t["time"] <= "2021-05-01") & ~missing
    assert rising.sum() == 6
    assert not t["rule"].isin(["trend_up", "trend_down"]).any()
    with pytest.warns(DataGapWarning):
        six = spc(data, "value", "date", trend=6).table
    assert (six.loc[rising, "rule"] == "trend_up").all()
    assert six.loc[~rising, "rule"].isna().all()


def test_point_exactly_on_the_mean_breaks_a_run(shared_reference):
    t = spc(_input(shared_reference, "xmr_point_on_mean"), "value", "date").table
    assert t["cl"].iloc[0] == pytest.approx(50, rel=1e-12)
    assert not t["rule"].astype("string").fillna("").str.startswith("shift").any()


@pytest.mark.parametrize("case", sorted(PTD_CASES))
def test_nhsrplotthedots_cases_hold_no_point_where_precedence_matters(shared_reference, case):
    # The default precedence (rule_order) is NHSRplotthedots 0.2.2's. These reference inputs have no point
    # in both an improving and a concerning pattern, so improvement-wins gives the same table; the point
    # where the two differ is tested in test_spc_properties (a low point starting a rise).
    source, kwargs = PTD_CASES[case]
    data = _input(shared_reference, source)
    default = spc(data, "value", "date", **kwargs).table
    wins = spc(data, "value", "date", precedence="improvement", **kwargs).table
    pd.testing.assert_frame_equal(wins, default)
