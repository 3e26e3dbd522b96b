"""equity_lib: measuring and improving quality equitably, for NHS improvement teams.

* :func:`spc` - statistical process control charts, Making Data Count style (``process_control``).
* Warnings a user may meet and filter by category: :class:`DataGapWarning` (a missing period, points
  with no value), :class:`NoLimitsWarning` (a series or phase charted without limits, and why),
  :class:`FreezeWarning` (``freeze`` longer than a phase) and :class:`OverdispersionWarning` (limits
  too narrow for the data's spread).
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
* :mod:`equity_lib.compare` - is the difference between two estimates (two years' SIIs, two rates) bigger
  than chance? A test from their confidence limits (Altman & Bland 2003): :func:`compare_estimates`.
* :mod:`equity_lib.ratios` - the ratio of two groups' proportions with log-method limits (the WRES
  "relative likelihood"), and representation ratios (a group's share of survey respondents over its share
  of those invited): :func:`risk_ratio`, :func:`representation`.
* :mod:`equity_lib.agreement` - agreement between two coders of comments (Cohen's kappa with its limits,
  read on Landis and Koch's scale): :func:`coder_agreement`.
* :mod:`equity_lib.focus` - choosing the focus: :func:`excess_cases`, :func:`pareto`, :func:`plot_pareto`.
* :mod:`equity_lib.pause` - the equity pause record for a board: :func:`equity_pause`.
* :mod:`equity_lib.report` - the collaborative's one-page equity report: many measures' latest values and
  SPC icons, split by trust or deprivation quintile, as sortable HTML, an image and Excel:
  :func:`equity_report`, :class:`EquityReport`.
* :mod:`equity_lib.quality` and :mod:`equity_lib.disclosure` - data quality and safe publishing.
* :func:`readable` - plain-English column headers for a table shown to a reader.
* :mod:`equity_lib.scale` - record-level data too large for pandas, counted where they are held (DuckDB,
  Spark or a warehouse, through Ibis): :func:`equity_lib.scale.aggregate`; optional extra ``scale``.

Importing the package is cheap: each name is imported from its module the first time it is used
(PEP 562), so ``import equity_lib`` does not load scipy, statsmodels or matplotlib until a function
that needs them is called or imported.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> the module that defines it (imported on first use)
_LAZY = {
    "DataGapWarning": "equity_lib.process_control.engine",
    "FreezeWarning": "equity_lib.process_control.engine",
    "NoLimitsWarning": "equity_lib.process_control.engine",
    "OverdispersionWarning": "equity_lib.overdispersion",
    "SPCResult": "equity_lib.process_control",
    "spc": "equity_lib.process_control",
    **{name: "equity_lib.rates" for name in ("ESP2013", "dsr", "isr", "mean", "proportion", "rate")},
    **{name: "equity_lib.funnel" for name in ("FunnelResult", "funnel_chart", "funnel_limits",
                                              "funnel_significance")},
    "plot_funnel": "equity_lib.funnel.plot",
    **{name: "equity_lib.inequality" for name in ("assign_quantiles", "concentration_index", "plot_gap",
                                                  "plot_sii", "sii", "sii_points", "summary_measures")},
    "excess_cases": "equity_lib.focus",
    "pareto": "equity_lib.focus",
    "plot_pareto": "equity_lib.focus.plot",
    "compare_estimates": "equity_lib.compare",
    "representation": "equity_lib.ratios",
    "risk_ratio": "equity_lib.ratios",
    "coder_agreement": "equity_lib.agreement",
    "gap_spc": "equity_lib.gaps",
    "group_gap": "equity_lib.gaps",
    "readable": "equity_lib.readable",
    "EquityPause": "equity_lib.pause",
    "equity_pause": "equity_lib.pause",
    "EquityReport": "equity_lib.report",
    "equity_report": "equity_lib.report",
}
_SUBMODULES = ("agreement", "colours", "compare", "datasets", "disclosure", "focus", "funnel", "gaps",
               "inequality", "overdispersion", "pause", "process_control", "quality", "rates", "ratios",
               "readable", "report", "scale", "synthetic")

__all__ = ["DataGapWarning", "FreezeWarning", "NoLimitsWarning", "OverdispersionWarning", "SPCResult", "spc",
           "ESP2013", "dsr", "isr", "mean", "proportion", "rate",
           "FunnelResult", "funnel_chart", "funnel_limits", "funnel_significance", "plot_funnel",
           "assign_quantiles", "concentration_index", "plot_gap", "plot_sii", "sii", "sii_points",
           "summary_measures",
           "compare_estimates", "representation", "risk_ratio", "coder_agreement",
           "EquityPause", "equity_pause", "EquityReport", "equity_report", "excess_cases", "gap_spc",
           "group_gap", "pareto", "plot_pareto", "readable"]


def __getattr__(name: str):
    """Import a public name (or a subpackage) the first time it is asked for, then keep it."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"equity_lib.{name}")
    else:
        raise AttributeError(f"module 'equity_lib' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})
