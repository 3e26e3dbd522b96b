"""spc under hostile input (issue 12): nothing silently wrong, a missing value never stops a chart, clear
errors, and the peers' answers where they are right.

- rebase/exclude in every form (text, Timestamp, datetime.date, numpy datetime64, Period) name the same
  point of a date, zoned-date, Period or datetime.date time column, or give a clear error;
- a series or phase that cannot have limits is charted without them, warned about by name and noted in
  summary(), while the others are charted exactly as they would be alone;
- an ordered categorical time column is in the order of its categories; Period time draws;
- g chart centre line and runs figures follow freeze and exclude (qicharts2 0.8.1's qic.g);
- s chart of equal measurements: SDs of exactly 0; xbar/s pool whenever the phase's subgroup sizes
  differ (qicharts2's qic.xbar / qic.s, transcribed below);
- a phase with no variation has no limits (a note, no warning); freeze longer than a phase warns.
"""

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from equity_lib import spc
from equity_lib.gaps import gap_spc
from equity_lib.process_control.engine import DataGapWarning, FreezeWarning, NoLimitsWarning

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TRIAL = pytest.mark.filterwarnings("ignore:.*trial limits:UserWarning")
RANDOM_COUNTS = pytest.mark.filterwarnings("ignore::equity_lib.overdispersion.OverdispersionWarning")
N = 24
Y = np.r_[np.full(12, 50.0), np.full(12, 60.0)] + np.tile([0.0, 1.5, -1.0, 2.0], 6)
ZONES = ["Europe/London", "America/New_York", "UTC", "Asia/Kolkata", "Australia/Sydney"]


def _stamps(freq, tz=None, start="2022-04-01"):
    return pd.date_range(start, periods=N, freq=freq, tz=tz)


def _time_column(kind, freq="MS", tz="Europe/London"):
    """A time column of N points of one kind, and the naive dates it stands for."""
    naive = _stamps(freq)
    if kind == "datetime64":
        return pd.Series(naive), naive
    if kind == "zoned":
        return pd.Series(_stamps(freq, tz)), naive
    if kind == "period":
        return pd.Series(naive.to_period({"MS": "M", "W-MON": "W-SUN", "D": "D"}[freq])), naive
    if kind == "date":
        return pd.Series([d.date() for d in naive], dtype=object), naive
    if kind == "text":
        return pd.Series([d.strftime("%Y-%m-%d") for d in naive], dtype=object), naive
    raise AssertionError(kind)


def _forms(stamp, kind, freq, tz):
    """Every way a user might write one time value of a column of that kind."""
    forms = {"text": stamp.strftime("%Y-%m-%d"), "timestamp": stamp, "date": stamp.date(),
             "datetime64": np.datetime64(stamp.date()),
             "period": pd.Period(stamp, freq={"MS": "M", "W-MON": "W-SUN", "D": "D"}[freq]
                                 if kind == "period" else "D")}
    if kind == "zoned":
        forms["zoned timestamp"] = stamp.tz_localize(tz)
        forms["same instant in UTC"] = stamp.tz_localize(tz).tz_convert("UTC")
    if kind == "period" and freq == "MS":
        forms["month text"] = stamp.strftime("%Y-%m")
    return forms


# --- rebase and exclude name the same point whatever their form ---------------------------------


@TRIAL
@pytest.mark.parametrize("kind", ["datetime64", "zoned", "period", "date", "text"])
@pytest.mark.parametrize("how", ["list", "dict"])
def test_every_form_of_a_date_names_the_same_point(kind, how):
    column, naive = _time_column(kind)
    data = pd.DataFrame({"t": column, "y": Y, "unit": "A"})
    expected = spc(pd.DataFrame({"t": naive, "y": Y}), "y", "t", rebase=[naive[12]], exclude=[naive[5]]).table
    for name, rebase in _forms(naive[12], kind, "MS", "Europe/London").items():
        exclude = _forms(naive[5], kind, "MS", "Europe/London")[name]
        spec = ([rebase], [exclude]) if how == "list" else ({"A": [rebase]}, {"A": [exclude]})
        t = spc(data, "y", "t", by="unit", rebase=spec[0], exclude=spec[1]).table
        assert t["phase"].tolist() == [1] * 12 + [2] * 12, name
        assert t.index[t["excluded"]].tolist() == [5], name
        for column_name in ("cl", "lcl", "ucl", "point_type"):
            pd.testing.assert_series_equal(t[column_name], expected[column_name], check_dtype=False)


@TRIAL
@SETTINGS
@given(kind=st.sampled_from(["datetime64", "zoned", "period", "date"]),
       freq=st.sampled_from(["MS", "W-MON", "D"]), tz=st.sampled_from(ZONES),
       start=st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)),
       at=st.integers(3, N - 3), out=st.integers(0, N - 1), form=st.integers(0, 10))
def test_a_date_in_any_form_matches_any_date_column(kind, freq, tz, start, at, out, form):
    naive = _stamps(freq, start=pd.Timestamp(start).to_period(
        {"MS": "M", "W-MON": "W-SUN", "D": "D"}[freq]).start_time)
    column = {"datetime64": pd.Series(naive), "zoned": pd.Series(naive.tz_localize(tz)),
              "period": pd.Series(naive.to_period({"MS": "M", "W-MON": "W-SUN", "D": "D"}[freq])),
              "date": pd.Series([d.date() for d in naive], dtype=object)}[kind]
    data = pd.DataFrame({"t": column, "y": Y})
    rebases, excludes = _forms(naive[at], kind, freq, tz), _forms(naive[out], kind, freq, tz)
    name = sorted(rebases)[form % len(rebases)]
    t = spc(data, "y", "t", rebase=[rebases[name]], exclude=[excludes[name]]).table
    assert (t["phase"] == np.where(np.arange(N) >= at, 2, 1)).all()
    assert t.index[t["excluded"]].tolist() == [out]
    assert t["time"].dtype == column.dtype or kind == "date"


@pytest.mark.parametrize("kind", ["datetime64", "zoned", "period", "date"])
@pytest.mark.parametrize("name", ["rebase", "exclude"])
def test_a_date_that_is_not_in_the_column_is_an_error_in_every_form(kind, name):
    column, naive = _time_column(kind)
    data = pd.DataFrame({"t": column, "y": Y})
    for value in _forms(pd.Timestamp("2030-01-01"), kind, "MS", "Europe/London").values():
        with pytest.raises(ValueError, match=f"{name} value.*not time values of the data.*'t'.*Fix:"):
            spc(data, "y", "t", **{name: [value]})


@TRIAL
def test_a_zoned_date_is_an_instant():
    # London midnight on 1 June 2022 is 23:00 UTC the day before: UTC midnight is not a point.
    data = pd.DataFrame({"t": _stamps("MS", "Europe/London"), "y": Y})
    with pytest.raises(ValueError, match=r"not time values.*Fix: .*'2022-04-01'"):
        spc(data, "y", "t", rebase=[pd.Timestamp("2022-06-01", tz="UTC")])
    t = spc(data, "y", "t", rebase=[pd.Timestamp("2022-05-31 23:00", tz="UTC")]).table
    assert t["phase"].tolist() == [1] * 2 + [2] * 22
    assert str(t["time"].dtype) == "datetime64[us, Europe/London]"


def test_a_zoned_date_against_a_column_without_a_zone_is_an_error():
    data = pd.DataFrame({"t": _stamps("MS"), "y": Y})
    with pytest.raises(ValueError, match="has a time zone, but column 't' has none.*Fix: .*'2023-04-01'"):
        spc(data, "y", "t", exclude=[pd.Timestamp("2023-04-01", tz="Europe/London")])


def test_a_period_of_another_frequency_is_an_error():
    data = pd.DataFrame({"t": _stamps("MS").to_period("M"), "y": Y})
    with pytest.raises(ValueError, match=r"\[Period\('2023Q2', 'Q-DEC'\)\].*frequency, M.*Fix: .* "
                                         r"'2022-04'\."):
        spc(data, "y", "t", rebase=[pd.Period("2023Q2", "Q")])


def test_a_list_inside_the_list_is_a_clear_error():
    data = pd.DataFrame({"t": _stamps("MS"), "y": Y})
    with pytest.raises(TypeError, match=r"rebase must be a list of time values.*Fix: e.g. "
                                        r"rebase=\['2022-04-01'\]"):
        spc(data, "y", "t", rebase=[["2023-04-01"]])


def test_a_number_against_a_date_column_is_an_error_that_shows_it():
    data = pd.DataFrame({"t": _stamps("MS", "Europe/London"), "y": Y})
    with pytest.raises(ValueError, match=r"\[6\] cannot be read as dates like those of column 't'.*Fix:"):
        spc(data, "y", "t", rebase=[6])


def test_a_clock_time_skipped_by_a_clock_change_is_an_error():
    data = pd.DataFrame({"t": pd.date_range("2024-03-30 22:00", periods=N, freq="h", tz="Europe/London"),
                         "y": Y})
    with pytest.raises(ValueError, match="cannot be read as dates.*Europe/London.*Fix:"):
        spc(data, "y", "t", rebase=["2024-03-31 01:30"])


@TRIAL
def test_hourly_zoned_data_across_the_autumn_clock_change_is_in_order():
    # 01:00-02:00 happens twice on 27 October 2024 in London: by instants, not wall times, it is sorted.
    times = pd.date_range("2024-10-26 18:00", periods=N, freq="h", tz="Europe/London")
    assert times.tz_localize(None).duplicated().any()
    t = spc(pd.DataFrame({"t": times, "y": Y}), "y", "t", rebase=[times[12]]).table
    assert t["phase"].tolist() == [1] * 12 + [2] * 12


# --- other time columns ---------------------------------------------------------------------------

MONTHS = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]


@TRIAL
@pytest.mark.parametrize("ordered", [True, False])
def test_a_categorical_time_column_is_in_the_order_of_its_categories(ordered):
    month = pd.Categorical(MONTHS * 2, categories=MONTHS, ordered=ordered)
    data = pd.DataFrame({"month": month, "y": Y, "unit": ["A"] * 12 + ["B"] * 12})
    result = spc(data, "y", "month", by="unit", rebase={"A": ["Oct"]}, exclude=["Jan"])
    t = result.table
    assert t["phase"].tolist() == [1] * 6 + [2] * 6 + [1] * 12
    assert t.index[t["excluded"]].tolist() == [9, 21]
    assert t["time"].dtype == data["month"].dtype
    s = result.summary()
    assert s[["start", "end"]].astype(str).to_numpy().tolist() == [["Apr", "Sep"], ["Oct", "Mar"],
                                                                   ["Apr", "Mar"]]
    with pytest.raises(ValueError, match=r"\['March'\] are not time values.*Fix: .*'Apr'"):
        spc(data, "y", "month", by="unit", rebase=["March"])


def test_an_unsorted_categorical_time_column_gets_a_fix_that_works():
    data = pd.DataFrame({"month": pd.Categorical(MONTHS * 2, categories=MONTHS, ordered=True),
                         "y": Y, "unit": ["A"] * 12 + ["B"] * 12}).sample(frac=1, random_state=3)
    with pytest.raises(ValueError, match="order of its categories.*Fix: sort first: "
                                         r"data.sort_values\(\['unit', 'month'\]\)") as info:
        spc(data, "y", "month", by="unit")
    assert "sort_values(['unit', 'month'])" in str(info.value)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*trial limits", category=UserWarning)
        t = spc(data.sort_values(["unit", "month"]), "y", "month", by="unit").table
    assert t["time"].astype(str).tolist()[:12] == MONTHS


@TRIAL
def test_periods_in_an_object_column_are_periods():
    periods = pd.Series(list(pd.period_range("2022-04", periods=N, freq="M")), dtype=object)
    t = spc(pd.DataFrame({"t": periods, "y": Y}), "y", "t", rebase=["2023-04"]).table
    assert isinstance(t["time"].dtype, pd.PeriodDtype)
    assert t["phase"].tolist() == [1] * 12 + [2] * 12


@TRIAL
def test_a_period_time_column_draws_on_a_date_axis():
    import matplotlib

    matplotlib.use("Agg")
    data = pd.DataFrame({"t": pd.period_range("2022-04", periods=N, freq="M"), "y": Y})
    fig = spc(data, "y", "t", rebase=["2023-04"]).plot()
    ax = fig.axes[0]
    x = ax.lines[0].get_xdata()
    assert np.issubdtype(np.asarray(x).dtype, np.datetime64)
    assert pd.Timestamp(x[0]) == pd.Timestamp("2022-04-01")


def test_period_and_zoned_columns_report_missing_periods():
    for column in (pd.Series(pd.period_range("2022-04", periods=N, freq="M")),
                   pd.Series(_stamps("MS", "Europe/London"))):
        data = pd.DataFrame({"t": column, "y": Y}).drop(index=[7])
        with pytest.warns(DataGapWarning, match=r"1 month\(s\) missing between 2022-10(-01)? and "
                                                r"2022-12(-01)?"):
            spc(data, "y", "t")
    complete = pd.DataFrame({"t": pd.period_range("2020Q1", periods=N, freq="Q"), "y": Y})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spc(complete, "y", "t")  # quarters counted as quarters: no gap


# --- a missing value never stops a chart ------------------------------------------------------------


def _series(chart, rng, size):
    if chart in ("p", "pp", "u", "up"):
        den = rng.integers(50, 400, size).astype(float)
        return pd.DataFrame({"num": rng.binomial(den.astype(int), 0.2).astype(float), "den": den})
    if chart in ("c", "g"):
        return pd.DataFrame({"num": rng.poisson(8, size).astype(float)})
    if chart == "t":
        return pd.DataFrame({"num": rng.exponential(10, size) + 0.5})
    return pd.DataFrame({"num": rng.normal(50, 5, size)})


def _columns(chart):
    if chart in ("p", "pp", "u", "up"):
        return dict(numerator="num", denominator="den")
    return dict(value="num")


BREAKS = {"all missing": (lambda v: np.full(v.size, np.nan), "no point has a value"),
          "every other missing": (lambda v: np.where(np.arange(v.size) % 2 == 1, np.nan, v),
                                  "no two consecutive points"),
          "one value": (lambda v: np.where(np.arange(v.size) == 3, v, np.nan), "only 1 point")}


@RANDOM_COUNTS
@SETTINGS
@given(chart=st.sampled_from(["xmr", "run", "mr", "p", "pp", "u", "up", "c", "g", "t"]),
       how=st.sampled_from(sorted(BREAKS)), n_good=st.integers(1, 3), broken=st.integers(0, 3),
       size=st.integers(13, 30), seed=st.integers(0, 2**32 - 1))
def test_a_series_that_cannot_be_charted_is_reported_and_the_others_are_charted_as_alone(
        chart, how, n_good, broken, size, seed):
    rng = np.random.default_rng(seed)
    blocks = [_series(chart, rng, size).assign(unit=f"u{i}", t=np.arange(size)) for i in range(n_good + 1)]
    broken %= n_good + 1
    bad_name = f"u{broken}"
    spoil, reason = BREAKS[how]
    blocks[broken]["num"] = spoil(blocks[broken]["num"].to_numpy())
    if how != "all missing" and chart in ("run", "c", "g", "p", "u"):
        reason = None  # one value sets these charts' centre line and limits (a run chart has none)
    data = pd.concat(blocks, ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = spc(data, time="t", by="unit", chart=chart, **_columns(chart))
    t, s = result.table, result.summary().set_index("unit")
    no_limits = [w for w in caught if issubclass(w.category, NoLimitsWarning)]
    if reason is None:
        assert not no_limits
        return
    (warning,) = no_limits
    assert f"series '{bad_name}' phase 1 ({reason}" in str(warning.message)
    assert s.loc[bad_name, "note"].startswith(f"no limits: {reason}")
    bad = t["unit"] == bad_name
    assert t.loc[bad, ["lcl", "ucl"]].isna().all(axis=None)
    assert not t.loc[bad, "special_cause"].any() or how != "all missing"
    assert len(t) == len(data)
    assert s.drop(index=bad_name)["note"].isna().all()
    # Every other series is charted exactly as it would be on its own.
    for name, block in data.groupby("unit"):
        if name == bad_name:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alone = spc(block, time="t", chart=chart, **_columns(chart)).table
        mine = t[t["unit"] == name].reset_index(drop=True)
        for column in ("value", "cl", "lcl", "ucl", "special_cause", "rule", "point_type"):
            pd.testing.assert_series_equal(mine[column], alone[column], check_names=False)


def test_an_xmr_series_missing_every_other_value_has_no_limits_as_in_qicharts2():
    # qicharts2 0.8.1: mr <- abs(diff(y[base])) is NA everywhere, mean(mr, na.rm = TRUE) is NaN: no limits.
    data = pd.DataFrame({"t": pd.date_range("2022-04-01", periods=N, freq="MS"),
                         "y": np.where(np.arange(N) % 2 == 0, Y, np.nan)})
    with pytest.warns(NoLimitsWarning, match=r"1 phase\(s\) have no process limits.*series 'all' phase 1 "
                                             r"\(no two consecutive points.*no moving range\).*Fix:"), \
            pytest.warns(DataGapWarning, match="12 point"):
        result = spc(data, "y", "t")
    t = result.table
    assert t["cl"].iloc[0] == pytest.approx(np.nanmean(data["y"]), rel=1e-12)
    assert t[["lcl", "ucl"]].isna().all(axis=None)
    assert not t["special_cause"].any()
    assert result.summary()["note"].iloc[0].startswith("no limits: no two consecutive points")


def test_a_phase_with_one_point_has_a_centre_line_and_no_limits():
    # qicharts2 0.8.1 with part = 23: the last part's cl is its one value and its limits NA; part 1 charted.
    data = pd.DataFrame({"t": np.arange(1, N + 1), "y": Y})
    with pytest.warns(NoLimitsWarning, match="series 'all' phase 2 \\(only 1 point has a value to set "
                                             "them; chart='xmr' needs 2\\)"):
        result = spc(data, "y", "t", rebase=[N], xmr_factor=3 / 1.128)
    t = result.table
    assert t["cl"].iloc[-1] == Y[-1] and np.isnan(t["lcl"].iloc[-1])
    alone = spc(data.iloc[:-1], "y", "t", xmr_factor=3 / 1.128).table
    pd.testing.assert_frame_equal(t.iloc[:-1][["cl", "lcl", "ucl", "point_type"]],
                                  alone[["cl", "lcl", "ucl", "point_type"]])
    s = result.summary()
    assert s["note"].isna().tolist() == [True, False]
    assert s["trial_limits"].tolist() == [False, False]


def test_xbar_with_one_measurement_per_subgroup_is_reported():
    data = pd.DataFrame({"sub": np.arange(N), "y": Y})
    with pytest.warns(NoLimitsWarning, match="no subgroup that sets the limits has 2 measurements"):
        t = spc(data, "y", "sub", chart="xbar").table
    assert t[["lcl", "ucl"]].isna().all(axis=None)


def test_two_by_columns_name_the_series_as_a_tuple():
    data = pd.DataFrame({"trust": ["A"] * N + ["B"] * N, "q": 1, "t": np.tile(np.arange(N), 2),
                         "y": np.r_[Y, np.full(N, np.nan)]})
    with pytest.warns(NoLimitsWarning, match=r"series \('B', 1\) phase 1"), pytest.warns(DataGapWarning):
        result = spc(data, "y", "t", by=["trust", "q"])
    assert result.summary()["note"].notna().tolist() == [False, True]


def test_gap_spc_with_a_reference_group_missing_alternate_months_is_charted():
    months = pd.date_range("2022-04-01", periods=N, freq="MS")
    rows = [(trust, m, q, 40 + (i * 7) % 9 if q == 1 else 60 + (i * 5) % 7, 100) for trust in ("A", "B")
            for i, m in enumerate(months) for q in (1, 5) if trust == "A" or q == 1 or i % 2 == 0]
    data = pd.DataFrame(rows, columns=["trust", "month", "q", "seen", "waiting"])
    with pytest.warns(NoLimitsWarning, match="series 'B' phase 1 \\(no two consecutive"), \
            pytest.warns(DataGapWarning, match="'B': 12"):
        result = gap_spc(data, time="month", group="q", focus=1, reference=5, numerator="seen",
                         denominator="waiting", by="trust")
    s = result.summary().set_index("trust")
    assert s.loc["A", ["lcl", "ucl"]].notna().all() and pd.isna(s.loc["A", "note"])
    assert s.loc["B", ["lcl", "ucl"]].isna().all()
    assert s.loc["B", "note"].startswith("no limits: no two consecutive points")


# --- freeze longer than a phase -----------------------------------------------------------------------


def test_freeze_longer_than_a_series_warns_naming_it_and_notes_it():
    data = pd.DataFrame({"unit": ["long"] * 30 + ["short"] * 15, "t": np.r_[np.arange(30), np.arange(15)],
                         "y": np.r_[np.tile(Y, 2)[:30], Y[:15]]})
    with pytest.warns(FreezeWarning, match=r"freeze=20 is longer than 1 phase\(s\).*series 'short' phase 1 "
                                           r"\(15 points\).*Fix:"):
        result = spc(data, "y", "t", by="unit", freeze=20)
    s = result.summary().set_index("unit")
    assert pd.isna(s.loc["long", "note"])
    assert s.loc["short", "note"] == ("freeze=20 is longer than this phase (15 points): its limits use all "
                                      "of them")
    short = result.table[result.table["unit"] == "short"].reset_index(drop=True)
    plain = spc(data[data["unit"] == "short"], "y", "t").table
    pd.testing.assert_frame_equal(short[["cl", "lcl", "ucl"]], plain[["cl", "lcl", "ucl"]])


def test_freeze_as_long_as_the_series_is_fine():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spc(pd.DataFrame({"t": np.arange(N), "y": Y}), "y", "t", freeze=N)


# --- no variation: no limits ----------------------------------------------------------------------------


@pytest.mark.parametrize("chart", ["xmr", "t", "mr", "c", "g", "p", "u", "pp", "up"])
def test_a_phase_with_no_variation_has_no_limits_and_a_note_but_no_warning(chart):
    value = 0.0 if chart in ("c", "g", "p", "u") else 5.0
    data = pd.DataFrame({"t": np.arange(1, 16), "num": value, "den": 10.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = spc(data, time="t", chart=chart, **_columns(chart))
    t = result.table
    assert t[["lcl", "ucl"]].isna().all(axis=None)
    assert not t["special_cause"].any()
    assert result.summary()["note"].iloc[0].startswith("no limits: no variation")


def test_a_frozen_flat_baseline_does_not_call_every_later_point_outside():
    later = 50 + np.tile([1.0, -1], 8)[:15]
    data = pd.DataFrame({"t": np.arange(1, 31), "y": np.r_[np.full(15, 50.0), later]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = spc(data, "y", "t", freeze=15).table
    assert not t["rule"].isin(["above_ucl", "below_lcl"]).any()
    assert (t["cl"] == 50).all()


# --- the g chart: centre line and runs from the points that set the limits (qicharts2 0.8.1) ---------

G_CASE = pd.DataFrame({"x": np.arange(1, 11), "y": [0.0, 1, 2, 3, 4, 100, 5, 6, 7, 8]})


@TRIAL
def test_g_chart_centre_line_leaves_out_excluded_points():
    result = spc(G_CASE, "y", "x", chart="g", exclude=[6])
    assert (result.table["cl"] == 4).all()  # qicharts2: median of 0..8 without 100
    gbar = np.mean([0, 1, 2, 3, 4, 5, 6, 7, 8])
    assert result.table["ucl"].iloc[0] == pytest.approx(gbar + 3 * np.sqrt(gbar * (gbar + 1)), rel=1e-12)
    s = result.summary().iloc[0]
    # runs around 4 of the 9 points not excluded; the point on the line (4) is not useful
    assert (s["n_useful"], s["longest_run"], s["crossings"]) == (8, 4, 1)


@TRIAL
def test_g_chart_centre_line_follows_freeze():
    t = spc(G_CASE, "y", "x", chart="g", freeze=5).table
    assert (t["cl"] == 2).all()  # qicharts2: median(0, 1, 2, 3, 4)


def _qic_g(y, base):
    """qicharts2 0.8.1 qic.g, transcribed: limits from mean(y[base]), centre line median(y[base])."""
    gbar = np.nanmean(y[base])
    sd = np.sqrt(gbar * (gbar + 1))
    return np.nanmedian(y[base]), max(gbar - 3 * sd, 0), gbar + 3 * sd


def _runs(y, cl):
    side = np.sign(y - cl)
    side = side[(side != 0) & ~np.isnan(side)]
    changes = int((side[1:] != side[:-1]).sum())
    lengths = np.diff(np.flatnonzero(np.r_[True, side[1:] != side[:-1], True]))
    return len(side), int(lengths.max()) if len(side) else None, changes if len(side) else None


@TRIAL
@SETTINGS
@given(y=st.lists(st.integers(0, 60), min_size=13, max_size=40), freeze=st.none() | st.integers(2, 40),
       exclude=st.lists(st.integers(1, 40), max_size=4, unique=True))
def test_g_chart_matches_qicharts2(y, freeze, exclude):
    y = np.array(y, float)
    exclude = [e for e in exclude if e <= len(y)]
    position = np.arange(1, len(y) + 1)
    base = ~np.isin(position, exclude) & (position <= (freeze or len(y)))
    assume(base.sum() >= 1)
    cl, lcl, ucl = _qic_g(y, base)
    assume(ucl > lcl)  # a phase of zeros has no limits (tested above)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FreezeWarning)
        result = spc(pd.DataFrame({"x": position, "y": y}), "y", "x", chart="g", freeze=freeze,
                     exclude=exclude or None)
    t = result.table
    np.testing.assert_allclose(t[["cl", "lcl", "ucl"]].to_numpy(), np.tile([cl, lcl, ucl], (len(y), 1)),
                               rtol=1e-12)
    s = result.summary().iloc[0]
    n_useful, longest, crossings = _runs(y[~np.isin(position, exclude)], cl)
    assert s["n_useful"] == n_useful
    assert s["longest_run"] == longest and s["crossings"] == crossings


# --- xbar and s: exact zeros, and qicharts2's pooling rule ------------------------------------------------


def _c4(n):
    n = np.asarray(n, float)
    return np.sqrt(2 / (n - 1)) * np.exp(gammaln(n / 2) - gammaln((n - 1) / 2))


def _qic_xbar_s(groups, freeze):
    """qicharts2 0.8.1 qic.xbar and qic.s on one part, transcribed (sizes of ALL subgroups decide)."""
    size = np.array([len(g) for g in groups], float)
    mean = np.array([np.mean(g) for g in groups])
    sd = np.array([np.std(g, ddof=1) if len(g) > 1 else np.nan for g in groups])
    base = np.arange(1, len(groups) + 1) <= freeze
    if len(np.unique(size)) > 1:
        keep = base & ~np.isnan(sd)
        stdev = np.sqrt(np.sum((size[keep] - 1) * sd[keep] ** 2) / np.sum(size[keep] - 1))
    else:
        stdev = np.nanmean(sd[base])
    cl = np.sum(size[base] * mean[base]) / np.sum(size[base])
    with np.errstate(divide="ignore", invalid="ignore"):  # a subgroup of 1 has no limits (NaN)
        c4 = np.where(size > 1, _c4(size), np.nan)
        a3 = 3 / (c4 * np.sqrt(size))
        b = 3 * np.sqrt(1 - c4**2) / c4
    return {"xbar": (np.full(len(groups), cl), cl - a3 * stdev, cl + a3 * stdev),
            "s": (np.full(len(groups), stdev), np.maximum(0, 1 - b) * stdev, (1 + b) * stdev)}


@TRIAL
@SETTINGS
@given(first=st.integers(2, 7), freeze=st.integers(2, 15),
       later=st.lists(st.integers(1, 7), min_size=0, max_size=15), chart=st.sampled_from(["xbar", "s"]),
       seed=st.integers(0, 2**32 - 1))
def test_xbar_and_s_match_qicharts2_with_frozen_subgroups_of_other_sizes(first, freeze, later, chart, seed):
    # The frozen subgroups share one size (sometimes all do); later ones (of 1 to 7) may differ.
    sizes = [first] * freeze + later
    rng = np.random.default_rng(seed)
    groups = [np.round(rng.normal(20, 3, k), 2) for k in sizes]
    data = pd.DataFrame({"sub": np.repeat(np.arange(len(sizes)), sizes), "y": np.concatenate(groups)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FreezeWarning)
        t = spc(data, "y", "sub", chart=chart, freeze=freeze).table
    cl, lcl, ucl = _qic_xbar_s(groups, freeze)[chart]
    np.testing.assert_allclose(t["cl"], cl, rtol=1e-9)
    np.testing.assert_allclose(t["lcl"], lcl, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(t["ucl"], ucl, rtol=1e-9)


@TRIAL
def test_frozen_subgroups_of_five_then_four_are_pooled():
    rng = np.random.default_rng(7)
    sizes = [5] * 10 + [4] * 10
    values = np.round(rng.normal(10, 2, sum(sizes)), 1)
    data = pd.DataFrame({"sub": np.repeat(np.arange(20), sizes), "y": values})
    sd = data.groupby("sub")["y"].std().to_numpy()
    t = spc(data, "y", "sub", chart="s", freeze=10).table
    pooled = np.sqrt(np.mean(sd[:10] ** 2))  # equal sizes in the baseline: pooled = root mean square
    assert t["cl"].iloc[0] == pytest.approx(pooled, rel=1e-12)
    assert t["cl"].iloc[0] != pytest.approx(np.mean(sd[:10]), rel=1e-6)
    same = spc(data[data["sub"] < 10], "y", "sub", chart="s").table
    assert same["cl"].iloc[0] == pytest.approx(np.mean(sd[:10]), rel=1e-12)  # one size: the mean SD


@TRIAL
@SETTINGS
@given(levels=st.lists(st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: abs(v) > 1e-3 or v == 0),
                       min_size=3, max_size=20),
       sizes=st.lists(st.integers(2, 9), min_size=20, max_size=20))
def test_subgroups_of_equal_measurements_have_sds_of_exactly_zero(levels, sizes):
    sizes = sizes[:len(levels)]
    data = pd.DataFrame({"sub": np.repeat(np.arange(len(levels)), sizes), "y": np.repeat(levels, sizes)})
    s = spc(data, "y", "sub", chart="s")
    assert (s.table["value"] == 0).all()
    summary = s.summary().iloc[0]
    assert summary["n_useful"] == 0 and pd.isna(summary["crossings"])
    xbar = spc(data, "y", "sub", chart="xbar").table
    assert (xbar["value"].to_numpy() == np.array(levels)).all()


def test_constant_subgroups_of_a_tenth_give_no_runs():
    # The case: SDs of 1.4e-16 made 8 useful points and 7 crossings around a centre line of ~0.
    data = pd.DataFrame({"sub": np.repeat(np.arange(10), 3), "y": 0.1})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*trial limits", category=UserWarning)
        s = spc(data, "y", "sub", chart="s").summary().iloc[0]
    assert s["n_useful"] == 0 and s["cl"] == 0


# --- many series: still one pass ----------------------------------------------------------------------------


def test_a_thousand_series_with_some_broken_ones_in_one_call():
    rng = np.random.default_rng(5)
    k, size = 1000, 24
    y = rng.normal(50, 5, (k, size))
    y[::10] = np.nan  # 100 all-missing series
    y[5::10, 1::2] = np.nan  # 100 series with every other value missing
    data = pd.DataFrame({"unit": np.repeat(np.arange(k), size), "t": np.tile(np.arange(size), k),
                         "y": y.ravel()})
    with pytest.warns(NoLimitsWarning, match=r"200 phase\(s\).*series 0 phase 1.* \.\.\."), \
            pytest.warns(DataGapWarning):
        result = spc(data, "y", "t", by="unit")
    s = result.summary()
    assert s["note"].notna().sum() == 200
    assert s.loc[s["note"].isna(), "lcl"].notna().all()


@pytest.mark.parametrize("chart", ["xmr", "pp", "xbar"])
@pytest.mark.parametrize("grouped", [True, False])
def test_changing_the_table_never_changes_the_data(chart, grouped):
    # Grouped rows are charted without reordering, and their by, time and value columns are shared
    # with the output (copy-on-write): writing into any output column must leave data as it was.
    rng = np.random.default_rng(3)
    months = pd.date_range("2024-01-01", periods=15, freq="MS")
    data = pd.DataFrame({"trust": np.repeat(["A", "B"], 15), "month": np.tile(months, 2),
                         "value": rng.normal(50, 5, 30), "den": rng.integers(50, 100, 30).astype(float)})
    data["num"] = np.floor(data["den"] * 0.3)
    if not grouped:
        data = data.sort_values(["month", "trust"]).reset_index(drop=True)
    if chart == "xbar":
        data = pd.concat([data, data.assign(value=data["value"] + 1)]).sort_values(
            ["trust", "month"] if grouped else ["month", "trust"], kind="stable").reset_index(drop=True)
    before = data.copy()
    args = {"numerator": "num", "denominator": "den"} if chart == "pp" else {"value": "value"}
    table = spc(data, time="month", chart=chart, by="trust", **args).table
    for j in range(table.shape[1]):
        table.iloc[0, j] = table.iloc[1, j]
    table["value"] += 1
    pd.testing.assert_frame_equal(data, before)
