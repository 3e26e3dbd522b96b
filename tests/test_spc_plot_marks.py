"""How the limits were set, marked on the SPC chart (issue 10): a rebase, a frozen baseline, excluded
points and trial limits each have a mark (line style, shading, hollow marker, words) and a legend entry
only when the chart has them; the words sit above the data and never on each other."""

import io
import warnings

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equity_lib import spc
from equity_lib.process_control.engine import FreezeWarning
from equity_lib.process_control.plot import BASELINE_SHADE, EXCLUDED_LABEL, MARK_FONTSIZE

MONTHS = pd.date_range("2022-04-01", periods=36, freq="MS")
REBASE = "Rebase: limits recalculated"
BASELINE = "Baseline: its points set the limits"
TRIAL = "Trial limits (fewer than 13 points)"
MARK_ENTRIES = {REBASE, BASELINE, EXCLUDED_LABEL, TRIAL}


def _months(n=36, seed=4, **columns):
    rng = np.random.default_rng(seed)
    month = pd.date_range("2022-04-01", periods=n, freq="MS")
    return pd.DataFrame({"month": month, "value": 50 + rng.normal(0, 2, n), **columns})


def _quiet_spc(*args, **kwargs):
    """spc, its warnings (trial limits, freeze longer than a phase) not under test here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(*args, **kwargs)


def _marks(ax):
    """The words about the limits on a panel (not the icons' words), line breaks read as spaces."""
    starts = ("New ", "Limits from", "Trial limits")
    return [" ".join(t.get_text().split()) for t in ax.texts if t.get_text().startswith(starts)]


def _legend(fig):
    legend = fig.legends[0] if fig.legends else fig.axes[0].get_legend()
    return [t.get_text() for t in legend.get_texts()]


def _rebase_lines(ax):
    return [line for line in ax.lines if line.get_linestyle() == ":"]


def _hollow(ax):
    return [line for line in ax.lines if line.get_markerfacecolor() == "white"]


def _filled_x(ax):
    """x (date numbers) of every filled marker."""
    xs = [mdates.date2num(line.get_xdata()) for line in ax.lines
          if line.get_linestyle() == "None" and line.get_markerfacecolor() != "white"]
    return np.concatenate(xs)


# --- each mark only when its feature is there ----------------------------------------------------------

def test_a_plain_chart_has_none_of_the_marks():
    fig = spc(_months(), value="value", time="month").plot()
    ax = fig.axes[0]
    assert _marks(ax) == []
    assert _rebase_lines(ax) == [] and list(ax.patches) == [] and _hollow(ax) == []
    assert MARK_ENTRIES.isdisjoint(_legend(fig))
    plt.close(fig)


def test_a_rebase_is_a_dotted_line_between_the_phases_labelled_with_its_first_month():
    fig = spc(_months(), value="value", time="month", rebase=["2024-01-01"]).plot()
    ax = fig.axes[0]
    assert _marks(ax) == ["New limits from Jan 2024"]
    (line,) = _rebase_lines(ax)
    between = mdates.date2num(pd.Timestamp("2023-12-01")) + 31 / 2  # midway from December to January
    assert np.allclose(line.get_xdata(), between)
    assert line.get_ydata() == [0, 1]  # the panel's full height
    legend = _legend(fig)
    assert REBASE in legend and not {BASELINE, EXCLUDED_LABEL, TRIAL} & set(legend)
    plt.close(fig)


def test_a_rebase_of_one_series_marks_only_its_panel():
    data = pd.concat([_months(trust="A"), _months(seed=5, trust="B")])
    fig = spc(data, value="value", time="month", by="trust", rebase={"A": ["2023-07-01"]}).plot()
    a, b = (ax for ax in fig.axes if ax.get_title(loc="left"))
    assert _marks(a) == ["New limits from Jul 2023"] and len(_rebase_lines(a)) == 1
    assert _marks(b) == [] and _rebase_lines(b) == []
    assert REBASE in _legend(fig)
    plt.close(fig)


def test_frozen_limits_shade_the_points_that_set_them_and_say_how_many():
    fig = spc(_months(), value="value", time="month", freeze=24).plot()
    ax = fig.axes[0]
    assert _marks(ax) == ["Limits from first 24 points"]
    (span,) = ax.patches
    assert span.get_facecolor()[:3] == pytest.approx(plt.matplotlib.colors.to_rgb(BASELINE_SHADE))
    left, right = span.get_x(), span.get_x() + span.get_width()
    points = mdates.date2num(MONTHS)
    assert points[0] > left and points[23] < right < points[24]  # exactly the first 24 points
    legend = _legend(fig)
    assert BASELINE in legend and not {REBASE, EXCLUDED_LABEL, TRIAL} & set(legend)
    plt.close(fig)


def test_freeze_longer_than_the_series_marks_nothing():
    with pytest.warns(FreezeWarning):
        result = spc(_months(20), value="value", time="month", freeze=24)
    fig = result.plot()
    assert _marks(fig.axes[0]) == [] and list(fig.axes[0].patches) == []
    assert BASELINE not in _legend(fig)
    plt.close(fig)


def test_excluded_points_are_hollow_and_named_in_the_legend():
    data = _months()
    data.loc[8, "value"] = 80.0
    fig = spc(data, value="value", time="month", exclude=["2022-10-01", "2022-12-01"]).plot()
    ax = fig.axes[0]
    hollow = np.concatenate([mdates.date2num(line.get_xdata()) for line in _hollow(ax)])
    wanted = mdates.date2num(pd.to_datetime(["2022-10-01", "2022-12-01"]))
    assert sorted(hollow) == pytest.approx(sorted(wanted))
    assert not np.isin(wanted, _filled_x(ax)).any()  # drawn once, hollow
    markers = {line.get_marker() for line in _hollow(ax)}
    assert markers == {"D", "o"}  # still its type's shape: 80 is above the limit (improvement), the other not
    assert EXCLUDED_LABEL in _legend(fig) and _marks(ax) == []
    plt.close(fig)


def test_an_excluded_missing_value_draws_no_hollow_point():
    data = _months()
    data.loc[8, "value"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the gap is warned about; not under test here
        result = spc(data, value="value", time="month", exclude=["2022-12-01"])
    fig = result.plot()
    assert _hollow(fig.axes[0]) == [] and EXCLUDED_LABEL not in _legend(fig)
    plt.close(fig)


def test_trial_limits_are_labelled_in_the_panel_and_the_legend():
    with pytest.warns(UserWarning, match="trial"):
        result = spc(_months(10), value="value", time="month")
    fig = result.plot()
    assert _marks(fig.axes[0]) == ["Trial limits"]
    assert TRIAL in _legend(fig)
    plt.close(fig)
    enough = spc(_months(10), value="value", time="month", min_points=10).plot()
    assert _marks(enough.axes[0]) == [] and not any("Trial" in t for t in _legend(enough))
    plt.close(enough)
    fewer = _quiet_spc(_months(15), value="value", time="month", min_points=20).plot()
    assert "Trial limits (fewer than 20 points)" in _legend(fewer)
    plt.close(fewer)


def test_a_short_phase_after_a_rebase_says_its_limits_are_trial_limits():
    result = _quiet_spc(_months(), value="value", time="month", rebase=["2024-10-01"])
    fig = result.plot()
    assert _marks(fig.axes[0]) == ["New trial limits from Oct 2024"]
    assert {REBASE, TRIAL} <= set(_legend(fig))
    plt.close(fig)


def test_a_phase_without_limits_is_a_new_phase_not_new_limits():
    data = _months()
    data.loc[30:, "value"] = np.nan
    result = _quiet_spc(data, value="value", time="month", rebase=["2024-10-01"])
    assert result.table["lcl"].iloc[30:].isna().all()
    fig = result.plot()
    assert _marks(fig.axes[0]) == ["New phase from Oct 2024"]
    plt.close(fig)


@pytest.mark.parametrize(("data", "time", "rebase", "label"), [
    (_months(), "month", "2023-06-01", "New limits from Jun 2023"),
    (_months().assign(month=pd.date_range("2023-04-03", periods=36, freq="W-MON")), "month", "2023-08-07",
     "New limits from 7 Aug 2023"),
    (_months().assign(month=MONTHS.to_period("M")), "month", "2023-06", "New limits from Jun 2023"),
    (_months().assign(week=np.arange(1, 37)), "week", 20, "New limits from week 20"),
    (_months(), None, 20, "New limits from point 20"),
])
def test_the_rebase_label_names_the_first_point_in_the_time_columns_terms(data, time, rebase, label):
    fig = spc(data, value="value", time=time, rebase=[rebase]).plot()
    assert _marks(fig.axes[0]) == [label]
    plt.close(fig)


def test_subgroup_labels_are_marked_too():
    rng = np.random.default_rng(2)
    batches = np.repeat([f"B{i:02d}" for i in range(30)], 4)
    data = pd.DataFrame({"batch": batches, "value": rng.normal(10, 1, 120)})
    fig = spc(data, value="value", time="batch", chart="xbar", rebase=["B15"], exclude=["B03"]).plot()
    ax = fig.axes[0]
    assert _marks(ax) == ["New limits from B15"]
    (line,) = _rebase_lines(ax)
    assert np.allclose(line.get_xdata(), 14.5)  # between the 15th and 16th subgroup
    assert len(_hollow(ax)) == 1 and EXCLUDED_LABEL in _legend(fig)
    plt.close(fig)


# --- legible: words above the data, never on each other ------------------------------------------------

def _overlap(one, other) -> bool:
    """Two boxes share more than an edge (rows of words touch: one's line space is the next one's top)."""
    return (min(one.x1, other.x1) - max(one.x0, other.x0) > 0.5
            and min(one.y1, other.y1) - max(one.y0, other.y0) > 0.5)


def _check_legible(fig):
    """Every mark's words: inside its panel, above every point and line drawn, clear of the others and of
    any tick on the y axis; the legend (when inside the panel) clear of them too."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    radius = 6.2 / 2 / 72 * fig.dpi + 1  # the largest marker's half-width, in pixels
    for ax in fig.axes:
        words = [t for t in ax.texts if t.get_text().startswith(("New ", "Limits from", "Trial limits"))]
        if not words:
            continue
        boxes = [t.get_window_extent(renderer) for t in words]
        frame = ax.get_window_extent(renderer)
        drawn = [line.get_transform().transform(line.get_xydata()) for line in ax.lines
                 if line.get_linestyle() != ":"]
        top = np.nanmax(np.concatenate(drawn)[:, 1])  # display y grows upwards
        for box in boxes:
            assert box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1, "words run out of the panel"
            assert box.y1 <= frame.y1 + 1
            assert box.y0 >= top + radius, "words on the data"
        for i, one in enumerate(boxes):
            for other in boxes[i + 1:]:
                assert not _overlap(one, other), "words on words"
        ticks = ax.yaxis.get_major_locator()()
        low, high = ax.get_ylim()
        shown = [ax.transData.transform((0, v))[1] for v in ticks if low <= v <= high]
        assert all(y < min(b.y0 for b in boxes) for y in shown), "a tick among the words"
        legend = ax.get_legend()
        if legend is not None:
            inside = legend.get_window_extent(renderer)
            assert not any(_overlap(inside, box) for box in boxes), "the legend on the words"


def test_the_lessons_kinds_of_chart_are_legible():
    two = pd.concat([_months(trust="A"), _months(seed=5, trust="B"), _months(seed=6, trust="C")])
    figures = [
        spc(two, value="value", time="month", by="trust", rebase=["2024-01-01"]).plot(sharey=True),
        spc(two, value="value", time="month", by="trust", freeze=24).plot(sharey=True),
        _quiet_spc(two, value="value", time="month", by="trust", freeze=12, rebase={"A": ["2023-10-01"]},
                   exclude={"B": ["2022-12-01"]}).plot(),
        _quiet_spc(_months(), value="value", time="month", freeze=15, rebase=["2024-09-01"]).plot(),
    ]
    for fig in figures:
        _check_legible(fig)
        plt.close(fig)


def test_one_series_drawn_on_the_callers_axes_keeps_its_legend_off_the_words():
    result = _quiet_spc(_months(), value="value", time="month", freeze=12, rebase=["2023-10-01"],
                        exclude=["2022-09-01"])
    fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    result.plot(ax=ax)
    assert {REBASE, BASELINE, EXCLUDED_LABEL, TRIAL} <= set(_legend(fig))
    _check_legible(fig)
    plt.close(fig)
    # Limits frozen, then a rise flagged as concern (issue 10's harm): the emptiest corner of the panel is
    # the band of words, where a legend free to go anywhere would sit.
    rising = _months()
    rising.loc[28:, "value"] += np.arange(8) * 1.5
    fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    spc(rising, value="value", time="month", freeze=24, improvement="decrease").plot(ax=ax)
    assert "Special cause: concern" in _legend(fig)
    _check_legible(fig)
    plt.close(fig)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(8, 60), cuts=st.lists(st.floats(0.05, 0.95), max_size=3),
       freeze=st.one_of(st.none(), st.integers(1, 40)), excluded=st.lists(st.integers(0, 59), max_size=3),
       two=st.booleans(), sharey=st.booleans(), seed=st.integers(0, 99))
def test_words_never_sit_on_the_data_or_on_each_other(n, cuts, freeze, excluded, two, sharey, seed):
    data = _months(n, seed=seed)
    rebase = sorted({data["month"].iloc[max(1, int(c * n))] for c in cuts})
    exclude = sorted({data["month"].iloc[i % n] for i in excluded})
    if two:
        data = pd.concat([data.assign(trust="A"), data.assign(trust="B", value=data["value"] * 1.1)])
    result = _quiet_spc(data, value="value", time="month", by="trust" if two else None, rebase=rebase,
                        freeze=freeze, exclude=exclude)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # drawing warns nothing
        fig = result.plot(sharey=sharey)
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    _check_legible(fig)
    expected = {REBASE} if rebase else set()
    assert expected <= set(_legend(fig)) and (REBASE in _legend(fig)) == bool(rebase)
    assert (EXCLUDED_LABEL in _legend(fig)) == bool(exclude)
    assert all(t.get_fontsize() == MARK_FONTSIZE for ax in fig.axes for t in ax.texts if t.get_text()
               .startswith(("New ", "Limits from", "Trial limits")))
    plt.close(fig)
