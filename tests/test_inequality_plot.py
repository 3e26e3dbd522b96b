"""The inequality charts draw only the tidy results, label axes and marks in words, use NHS colours and never
carry meaning by colour alone."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from equity_lib import plot_gap, plot_sii, sii, sii_points, summary_measures
from equity_lib.colours import NHS

PALETTE = {c.lower() for c in NHS.values()} | {"#ffffff"}


@pytest.fixture
def deciles():
    rng = np.random.default_rng(8)
    frames = []
    for k, area in enumerate(["Northby", "Southam", "Westford"]):
        decile = np.arange(1, 11)
        value = 76 + (0.2 + 0.5 * k) * decile + rng.normal(0, 0.5, 10)
        frames.append(pd.DataFrame({"area": area, "decile": decile, "pop": rng.integers(5000, 9000, 10),
                                    "le": value, "se": rng.uniform(0.3, 1.2, 10)}))
    return pd.concat(frames, ignore_index=True)


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_sii_draws_points_line_and_words(deciles):
    result = sii(deciles, "decile", "pop", "le", se="se", by="area", limits="analytic", favourable=True)
    points = sii_points(deciles, "decile", "pop", "le", by="area")
    title = "Life expectancy is lower at the most deprived end in Westford"
    fig = plot_sii(points, result, where={"area": "Westford"}, title=title,
                   value_label="Life expectancy (years)")
    ax = fig.axes[0]
    fig.savefig(io.BytesIO(), format="png")  # renders without warnings (they are errors here)
    assert ax.get_title(loc="left") == title
    assert "0 = most deprived" in ax.get_xlabel() and "1 = least deprived" in ax.get_xlabel()
    assert ax.get_ylabel() == "Life expectancy (years)"
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == "1 - most deprived" and labels[-1] == "10 - least deprived" and len(labels) == 10
    legend = _legend(ax)
    assert legend[0].startswith("Each decile (1 - most deprived)")
    assert legend[1] == "Fitted slope index line"
    row = result[result["area"] == "Westford"].iloc[0]
    assert legend[2].startswith(f"SII = {row['sii']:.3g}") and "95% limits" in legend[2]
    # points and line differ by shape and style, not only colour; all colours are NHS identity colours
    (line,) = [ln for ln in ax.get_lines()]
    assert line.get_linestyle() == "--"
    assert to_hex(line.get_color()) in PALETTE
    for collection in ax.collections:
        for colour in collection.get_facecolors():
            assert to_hex(colour, keep_alpha=False) in PALETTE
    plt.close(fig)


def test_plot_sii_transformed_curve_follows_the_points(deciles):
    data = deciles.assign(rate=np.exp(2 - 0.1 * deciles["decile"]), lo=lambda d: d["rate"] * 0.9,
                          hi=lambda d: d["rate"] / 0.9)
    points = sii_points(data, "decile", "pop", "rate", by="area", value_type=1, transform=True, multiplier=1)
    fitted = points[(points["layer"] == "fitted") & (points["area"] == "Northby")]["fitted"].to_numpy()
    assert np.all(np.diff(fitted) < 0)  # a falling rate: the curve falls
    fig = plot_sii(points, where={"area": "Northby"}, quantile_name="decile", value_label="Rate per 1,000")
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_plot_gap_from_sii_marks_chance_by_shape(deciles):
    flat = deciles.assign(le=np.where(deciles["area"] == "Northby", 80.0, deciles["le"]),
                          se=np.where(deciles["area"] == "Northby", 3.0, deciles["se"]))
    result = sii(flat, "decile", "pop", "le", se="se", by="area", limits="analytic", confidence=(0.95, 0.998))
    fig = plot_gap(result, title="Two of three areas have a gradient", value_label="SII (years)")
    ax = fig.axes[0]
    fig.savefig(io.BytesIO(), format="png")
    assert ax.get_title(loc="left") == "Two of three areas have a gradient"
    ticks = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
    assert [ticks[y] for y in sorted(ticks, reverse=True)] == ["Northby", "Southam", "Westford"]  # top down
    xlabel = ax.get_xlabel()
    assert xlabel.startswith("SII (years)") and "the most deprived have higher values" in xlabel
    legend = _legend(ax)
    assert legend == ["No gap (0)", "95% limits", "99.8% limits", "Gap; 95% limits exclude no gap",
                      "Gap; could be chance"]
    handles = ax.get_legend().legend_handles
    assert handles[3].get_marker() == "D" and handles[4].get_marker() == "o"
    assert to_hex(handles[4].get_markerfacecolor()) == "#ffffff"  # hollow: shape and fill, not colour alone
    plt.close(fig)


def test_plot_gap_from_summary_measures_ratio_on_log_scale():
    q = pd.DataFrame({"ind": ["a"] * 5 + ["b"] * 5, "q": list(range(1, 6)) * 2, "pop": [100] * 10,
                      "est": [24.0, 19.5, 15.2, 12.1, 9.8, 10, 11, 12, 13, 14],
                      "se": [0.5] * 10, "label": [f"Q{i}" for i in range(1, 6)] * 2})
    m = summary_measures(q, "label", "est", "pop", se="se", order="q", favourable=False, by="ind")
    fig = plot_gap(m, gap="R", label="ind", title="Deprivation gaps by indicator")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert _legend(ax)[0] == "No gap (1)"
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    fig = plot_gap(m, gap="D", label="ind")
    assert "the most disadvantaged are worse off" in fig.axes[0].get_xlabel()
    plt.close(fig)


def test_plot_gap_words_follow_a_negative_multiplier(deciles):
    """sii(multiplier=-1) turns the SII's sign (PHE's polarity switch): a positive SII then means the most
    deprived have the higher values, and the axis must say so."""
    falling = deciles.assign(le=90 - deciles["le"])  # higher at the most deprived end
    turned = sii(falling, "decile", "pop", "le", se="se", by="area", limits="analytic", multiplier=-1)
    assert (turned["sii"] > 0).all()
    fig = plot_gap(turned)
    assert "left of 0: the most deprived have lower values;  right: the most deprived have higher values" \
        in fig.axes[0].get_xlabel()
    plt.close(fig)
    plain = sii(falling, "decile", "pop", "le", se="se", by="area", limits="analytic")
    fig = plot_gap(plain)
    assert "left of 0: the most deprived have higher values;  right: the most deprived have lower values" \
        in fig.axes[0].get_xlabel()
    plt.close(fig)
    mixed = pd.concat([turned.iloc[:1], plain.iloc[1:]], ignore_index=True)
    fig = plot_gap(mixed)
    assert "left of 0" not in fig.axes[0].get_xlabel()  # signs differ between rows: no words, not wrong ones
    plt.close(fig)


def test_plot_sii_of_one_area_without_by(deciles):
    """sii and sii_points without by= give one area with no key columns: plot_sii draws it."""
    one = deciles[deciles["area"] == "Southam"].drop(columns="area")
    result = sii(one, "decile", "pop", "le", se="se", limits="analytic", favourable=True)
    fig = plot_sii(sii_points(one, "decile", "pop", "le"), result, value_label="Life expectancy (years)")
    ax = fig.axes[0]
    assert len(ax.texts) == 10
    assert _legend(ax)[2].startswith(f"SII = {result.loc[0, 'sii']:.3g}")
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


@pytest.mark.parametrize("direction", [1, -1])
def test_plot_sii_end_labels_sit_away_from_the_line(deciles, direction):
    """The end labels run along the axis; they go on the side of their point away from the fitted line, and
    clear of the marker."""
    one = deciles[deciles["area"] == "Westford"].assign(le=lambda d: 80 + direction * (d["le"] - 80))
    fig = plot_sii(sii_points(one, "decile", "pop", "le"))
    first, last = fig.axes[0].texts[0], fig.axes[0].texts[-1]
    rises = direction == 1  # Westford's values rise from the most to the least deprived decile
    assert (first.xyann[1] > 0) == (not rises) and (last.xyann[1] > 0) == rises
    assert first.get_va() == ("top" if rises else "bottom")
    assert last.get_va() == ("bottom" if rises else "top")
    assert all(abs(t.xyann[1]) > 4 for t in fig.axes[0].texts)
    plt.close(fig)
