"""Health-inequality measures for deprivation quantiles and other population subgroups.

* ``assign_quantiles`` - deprivation quintiles/deciles from a score, 1 = most deprived (PHE method).
* ``sii`` - slope and relative index of inequality with simulated or analytic limits (PHE method);
  ``sii_points`` - its points and fitted line, for ``plot_sii``.
* ``concentration_index`` - absolute, relative, Wagstaff and Erreygers concentration indices.
* ``summary_measures`` - every WHO HEAT summary measure, ordered or non-ordered subgroups.
* ``plot_sii``, ``plot_gap`` - accessible charts of those results.
"""

from equity_lib.inequality.concentration import concentration_index
from equity_lib.inequality.heat import summary_measures
from equity_lib.inequality.quantiles import assign_quantiles
from equity_lib.inequality.sii import sii, sii_points

__all__ = ["assign_quantiles", "concentration_index", "plot_gap", "plot_sii", "sii", "sii_points",
           "summary_measures"]


def __getattr__(name: str):
    """plot_gap and plot_sii load matplotlib, so they are imported on first use (PEP 562)."""
    if name in ("plot_gap", "plot_sii"):
        from equity_lib.inequality import plot

        value = getattr(plot, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'equity_lib.inequality' has no attribute {name!r}")
