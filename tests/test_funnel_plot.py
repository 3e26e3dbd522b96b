"""The funnel plot draws only what funnel_chart() computed, labels everything in words, and never carries a
unit's signal by colour alone."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from equity_lib import funnel_chart, plot_funnel
from equity_lib.colours import NHS
from equity_lib.funnel.plot import default_title
from equity_lib.overdispersion import OverdispersionWarning


@pytest.fixture
def result():
    rng = np.random.default_rng(3)
    n = rng.integers(200, 5000, 40)
    x = rng.binomial(n, 0.3)
    x[0], x[1] = int(n[0] * 0.6), int(n[1] * 0.05)  # one far above, one far below
    data = pd.DataFrame({"trust": [f"T{i}" for i in range(40)], "x": x, "n": n})
    # the two pull the pooled target, so the rest spread too widely around it (phi 2.15): unadjusted
    # limits on purpose, so the guardrail warns
    with pytest.warns(OverdispersionWarning, match="3 of the 40 units lie outside the 99.8% limits"):
        return funnel_chart(data, "x", "n")


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_draws_labels_and_states_the_finding(result):
    fig = plot_funnel(result, label="trust")
    ax = fig.axes[0]
    fig.savefig(io.BytesIO(), format="png")  # renders without warnings (they are errors here)
    counts = result.counts()
    outer = int(counts["above 99.8% limit"] + counts["below 99.8% limit"])
    assert ax.get_title(loc="left").startswith(f"{outer} of 40 units lie outside the 99.8% limits")
    assert ax.get_xlabel() == "Denominator (number in the group)"
    assert ax.get_ylabel() == "Percentage (%)"
    legend = _legend(ax)
    # no target was given: the centre line is the units' pooled value, and the legend says so
    centre = result.table["target"].iloc[0]
    assert legend[:3] == [f"Average of all units ({centre:.3g}%)", "95% limits", "99.8% limits"]
    for key in ("above 99.8% limit", "below 99.8% limit", "within limits"):
        words = key.replace("limits", "the limits").replace(" 99.8", " the 99.8").capitalize()
        assert f"{words} ({counts[key]})" in legend
    assert {t.get_text() for t in ax.texts} >= {"T0", "T1"}
    plt.close(fig)


def test_signal_is_carried_by_shape_and_fill_not_colour_alone(result):
    fig = result.plot()
    ax = fig.axes[0]
    handles = {h.get_label().rsplit(" (", 1)[0]: h for h in ax.get_legend().legend_handles}
    within, above, below = (handles["Within the limits"], handles["Above the 99.8% limit"],
                            handles["Below the 99.8% limit"])
    assert within.get_marker() == "o" and above.get_marker() == "^" and below.get_marker() == "v"
    if "Above the 95% limit" in handles:  # hollow beyond the inner limit, filled beyond the outer one
        assert to_hex(handles["Above the 95% limit"].get_markerfacecolor()) == "#ffffff"
    assert to_hex(above.get_markerfacecolor()) == NHS["pink"].lower()
    assert to_hex(within.get_markerfacecolor()) == NHS["blue"].lower()
    palette = {c.lower() for c in NHS.values()} | {"#ffffff"}
    for line in ax.get_lines():
        assert to_hex(line.get_color()) in palette
    plt.close(fig)


def test_title_axes_and_ax_arguments(result):
    fig, ax = plt.subplots()
    out = plot_funnel(result, title="Trust T0 is well above the rest", xlabel="Admissions (count)",
                      ylabel="Readmitted within 30 days (%)", ax=ax, log_x=True)
    assert out is fig
    assert ax.get_title(loc="left") == "Trust T0 is well above the rest"
    assert ax.get_xlabel() == "Admissions (count)" and ax.get_xscale() == "log"
    plt.close(fig)


def test_plot_reads_the_tidy_output_only(result):
    table, limits = result.table.copy(), result.limits.copy()
    fig = result.plot()
    pd.testing.assert_frame_equal(result.table, table)
    pd.testing.assert_frame_equal(result.limits, limits)
    lines = fig.axes[0].get_lines()
    np.testing.assert_array_equal(lines[0].get_xdata(), limits["denominator"])
    np.testing.assert_array_equal(lines[0].get_ydata(), limits["target"])
    plt.close(fig)


@pytest.mark.parametrize(("statistic", "x", "y"), [
    ("ratio", "Expected events", "Ratio of observed to expected"),
    ("rate", "Population (person-years)", "Rate per 100,000"),
])
def test_ratio_and_rate_defaults_and_adjusted_title(statistic, x, y):
    rng = np.random.default_rng(5)
    den = rng.uniform(50, 5000, 60)
    num = rng.poisson(den * np.exp(rng.normal(0, 0.3, 60)) * (1 if statistic == "ratio" else 0.01))
    result = funnel_chart(pd.DataFrame({"o": num, "e": den}), "o", "e", statistic=statistic,
                    overdispersion="multiplicative")
    fig = result.plot()
    ax = fig.axes[0]
    assert ax.get_xlabel() == x and ax.get_ylabel() == y
    adjusted = f"limits adjusted for overdispersion (multiplicative, phi = {result.phi:.2f})"
    assert adjusted in ax.get_title(loc="left")
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_default_title_when_all_within():
    data = pd.DataFrame({"x": [20, 40, 60, 80], "n": [100, 200, 300, 400]})
    result = funnel_chart(data, "x", "n")
    assert default_title(result) == "All 4 units lie within the 99.8% limits"
    with pytest.raises(KeyError, match="label column 'name' not found"):
        result.plot(label="name")


def test_log_axis_in_plain_numbers_and_labels_readable_over_lines(result):
    fig = plot_funnel(result, label="trust", log_x=True)
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "1,000" in ticks and not any("10^" in t or "$" in t for t in ticks)
    for text in ax.texts:  # the outliers' labels sit on a white box above the lines, under the markers
        box = text.get_bbox_patch()
        assert box is not None and to_hex(box.get_facecolor()) == "#ffffff"
        assert max(line.get_zorder() for line in ax.get_lines()) < text.get_zorder()
        assert text.get_zorder() < min(c.get_zorder() for c in ax.collections)
    plt.close(fig)


def test_legend_inside_on_white_or_outside_the_axes(result):
    fig = plot_funnel(result)
    legend = fig.axes[0].get_legend()
    assert legend.get_frame_on() and to_hex(legend.get_frame().get_facecolor()) == "#ffffff"
    plt.close(fig)
    fig = plot_funnel(result, legend_loc="outside")
    fig.savefig(io.BytesIO(), format="png")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    assert ax.get_legend().get_window_extent(renderer).x0 > ax.get_window_extent(renderer).x1
    plt.close(fig)


@pytest.mark.parametrize("legend_loc", ["best", "outside"])
def test_labels_stay_inside_and_apart(legend_loc):
    """Three outliers close together, one at the right-hand edge: their labels overlap neither each
    other nor the axes' edges (the first spot, to the right, would run off the axes for the largest)."""
    n = np.array([200, 230, 260, 5000, 400, 800, 1500, 3000, 600, 900, 1200, 2500])
    x = np.round(n * 0.3).astype(int)
    x[:4] = np.round(n[:4] * np.array([0.75, 0.7, 0.66, 0.75])).astype(int)
    data = pd.DataFrame({"name": [f"A rather long unit name {i}" for i in range(len(n))], "x": x, "n": n})
    with pytest.warns(OverdispersionWarning, match="'A rather long unit name 0'"):
        result = funnel_chart(data, "x", "n", target=30)
    fig = plot_funnel(result, label="name", legend_loc=legend_loc, log_x=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == 4
    ticks = [t.get_text() for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels() if t.get_text()]
    assert "1,000" in ticks and "2,000" in ticks and not any("times" in t or "$" in t for t in ticks)
    inside = ax.get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0 and box.y1 <= inside.y1
        assert not any(box.overlaps(other) for other in boxes[i + 1:])
    plt.close(fig)


def test_the_centre_line_is_named_for_what_it_is():
    data = pd.DataFrame({"x": [30, 45, 52, 61], "n": [100, 150, 160, 200]})
    given = funnel_chart(data, "x", "n", target=30)
    legend = _legend(plot_funnel(given).axes[0])
    assert legend[0] == "Target (30%)"
    own = _legend(plot_funnel(given, centre_label="National standard").axes[0])
    assert own[0] == "National standard (30%)"


def test_a_ratio_to_expected_in_percent_is_labelled_as_a_percentage():
    data = pd.DataFrame({"o": [50, 60, 40, 55], "e": [50.0] * 4})
    legend = _legend(funnel_chart(data, "o", "e", statistic="ratio", multiplier=100).plot().axes[0])
    assert legend[0] == "As expected (100%)"
