"""The SPC chart and its findings: every chart type draws, warns nothing, and says what it shows."""

import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from equity_lib import spc
from equity_lib.overdispersion import OverdispersionWarning
from equity_lib.process_control.engine import DataGapWarning
from equity_lib.process_control.plot import ASSURANCE_WORDS, VARIATION_WORDS

MONTHS = pd.date_range("2022-04-01", periods=24, freq="MS")


def _series(values, **columns):
    return pd.DataFrame({"month": MONTHS[: len(values)], "value": values, **columns})


def _texts(fig):
    """Every text drawn on the figure, with line breaks read as spaces."""
    return {" ".join(t.get_text().split()) for ax in fig.axes for t in ax.texts}


@pytest.mark.parametrize("chart", ["run", "xmr", "mr", "p", "pp", "u", "up", "c", "g", "t"])
def test_every_chart_type_draws_with_a_missing_value(chart):
    rng = np.random.default_rng(7)
    data = _series(rng.integers(20, 40, 24).astype(float), cases=rng.integers(100, 200, 24))
    data.loc[5, "value"] = np.nan
    columns = (dict(numerator="value", denominator="cases") if chart in ("p", "pp", "u", "up")
               else dict(value="value"))
    with pytest.warns(DataGapWarning, match="1 point"):
        with warnings.catch_warnings():
            # 20 to 40 events in 100 to 200 cases, drawn at random: more spread than binomial chance.
            warnings.filterwarnings("ignore", category=OverdispersionWarning)
            result = spc(data, time="month", chart=chart, **columns)
    fig = result.plot(title="A title", ylabel="Value (count)")
    fig.savefig(io.BytesIO(), format="png")  # rendering must raise and warn nothing
    assert fig.axes[0].get_ylabel() == "Value (count)"
    assert fig.axes[0].get_title(loc="left") == ""  # one series, no by: no panel title
    plt.close(fig)


def test_icons_are_labelled_in_words_and_one_panel_per_series():
    data = pd.concat([_series(np.r_[np.full(12, 50.0), np.full(12, 60.0)] + np.tile([0.5, -0.5], 12),
                              trust="A"),
                      _series(50 + np.tile([1.0, -1.0, 0.5, -0.5], 6), trust="B")])
    result = spc(data, "value", "month", by="trust", target=70)
    fig = result.plot()
    texts = _texts(fig)
    assert VARIATION_WORDS["improvement_high"] in texts
    assert VARIATION_WORDS["common_cause"] in texts
    assert ASSURANCE_WORDS["fail"] in texts
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == ["A", "B"]
    plt.close(fig)


def test_describe_states_each_finding_in_words():
    data = _series(50 + np.tile([1.0, -1.0, 0.5, -0.5], 6))
    finding = spc(data, "value", "month", target=40).describe()
    assert finding.iloc[0].startswith("Common cause variation around a mean of 50.0")
    assert "consistently be met" in finding.iloc[0]
    decrease = spc(data, "value", "month", target=40, improvement="decrease").describe()
    assert "consistently be missed" in decrease.iloc[0]


def test_one_panel_per_combination_of_two_by_columns():
    wave = 50 + np.tile([1.0, -1.0, 0.5, -0.5], 6)
    data = pd.concat([_series(wave + 10 * i, trust=trust, group=group)
                      for i, (trust, group) in enumerate([("A", "x"), ("A", "y"), ("B", "x")])])
    result = spc(data, "value", "month", by=["trust", "group"])
    fig = result.plot(icons=False)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == ["A / x", "A / y", "B / x"]
    assert list(result.describe().index) == titles
    plt.close(fig)


def test_describe_is_indexed_by_series():
    data = pd.concat([_series(50 + np.tile([1.0, -1.0, 0.5, -0.5], 6), trust=t) for t in ("A", "B")])
    finding = spc(data, "value", "month", by="trust", target={"A": 40}).describe()
    assert list(finding.index) == ["A", "B"]
    assert finding["A"].startswith("A: common cause variation")
    assert "consistently be met" in finding["A"] and "target" not in finding["B"]
