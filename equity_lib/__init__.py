"""equity_lib: measuring and improving quality equitably, for NHS improvement teams.

* :func:`spc` - statistical process control charts, Making Data Count style (``process_control``).
* Warnings a user may meet and filter by category: :class:`DataGapWarning` (a missing period, points
  with no value) and :class:`OverdispersionWarning` (limits too narrow for the data's spread).
* :mod:`equity_lib.datasets` - loaders for the synthetic Moorside Provider Collaborative data.
* :mod:`equity_lib.rates` - proportions, rates, means, directly and indirectly standardised rates with
  confidence limits (PHEindicatormethods methods): :func:`proportion`, :func:`rate`, :func:`mean`,
  :func:`dsr`, :func:`isr`, :data:`ESP2013`.
* :mod:`equity_lib.funnel` - funnel plots with PHE's limits and an overdispersion adjustment:
  :func:`funnel_chart`, :func:`funnel_limits`, :func:`funnel_significance`, :func:`plot_funnel`.
* :mod:`equity_lib.inequality` - deprivation quantiles, slope and relative index of inequality (PHE),
  concentration indices and WHO HEAT summary measures: :func:`assign_quantiles`, :func:`sii`,
  :func:`sii_points`, :func:`concentration_index`, :func:`summary_measures`, :func:`plot_sii`,
  :func:`plot_gap`.
* :mod:`equity_lib.gaps` - the gap between two groups over time and its own SPC chart: :func:`group_gap`,
  :func:`gap_spc`.
* :mod:`equity_lib.focus` - choosing the focus: :func:`excess_cases`, :func:`pareto`, :func:`plot_pareto`.
* :mod:`equity_lib.pause` - the equity pause record for a board: :func:`equity_pause`.
* :mod:`equity_lib.quality` and :mod:`equity_lib.disclosure` - data quality and safe publishing.
"""

from equity_lib.overdispersion import OverdispersionWarning
from equity_lib.process_control import SPCResult, spc
from equity_lib.process_control.engine import DataGapWarning

__all__ = ["DataGapWarning", "OverdispersionWarning", "SPCResult", "spc"]
from equity_lib.rates import ESP2013, dsr, isr, mean, proportion, rate  # noqa: E402

__all__ += ["ESP2013", "dsr", "isr", "mean", "proportion", "rate"]
from equity_lib.funnel import FunnelResult, funnel_chart, funnel_limits, funnel_significance  # noqa: E402
from equity_lib.funnel.plot import plot_funnel  # noqa: E402

__all__ += ["FunnelResult", "funnel_chart", "funnel_limits", "funnel_significance", "plot_funnel"]
from equity_lib.inequality import (  # noqa: E402
    assign_quantiles,
    concentration_index,
    plot_gap,
    plot_sii,
    sii,
    sii_points,
    summary_measures,
)

__all__ += ["assign_quantiles", "concentration_index", "plot_gap", "plot_sii", "sii", "sii_points",
            "summary_measures"]
from equity_lib.focus import excess_cases, pareto  # noqa: E402
from equity_lib.focus.plot import plot_pareto  # noqa: E402
from equity_lib.gaps import gap_spc, group_gap  # noqa: E402
from equity_lib.pause import EquityPause, equity_pause  # noqa: E402

__all__ += ["EquityPause", "equity_pause", "excess_cases", "gap_spc", "group_gap", "pareto", "plot_pareto"]

__version__ = "0.1.0"
