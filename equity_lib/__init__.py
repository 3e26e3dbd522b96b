"""equity_lib: measuring and improving quality equitably, for NHS improvement teams.

* :func:`spc` - statistical process control charts, Making Data Count style (``process_control``).
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
"""

from equity_lib.process_control import SPCResult, spc

__all__ = ["SPCResult", "spc"]
from equity_lib.rates import ESP2013, dsr, isr, mean, proportion, rate  # noqa: E402

__all__ += ["ESP2013", "dsr", "isr", "mean", "proportion", "rate"]
from equity_lib.funnel import FunnelResult, funnel_chart, funnel_limits, funnel_significance  # noqa: E402
from equity_lib.funnel_plot import plot_funnel  # noqa: E402

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
__version__ = "0.1.0"
