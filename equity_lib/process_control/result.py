"""The result of :func:`equity_lib.spc`: tidy data to read, a summary a board can read, and a chart."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class SPCResult:
    """Statistical process control results.

    Attributes
    ----------
    table : DataFrame
        One row per point (per subgroup for xbar/s) in input order; columns documented in
        :func:`equity_lib.spc`.
    summary_table : DataFrame
        What :meth:`summary` returns.
    settings : dict
        The arguments the chart was made with (chart type, columns, improvement direction, ...).
    """

    table: pd.DataFrame
    summary_table: pd.DataFrame = field(repr=False)
    settings: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """One row per facet and phase.

        Columns: ``facet``, ``phase``, ``start`` and ``end`` (x of the phase's first and last point),
        ``n_points`` (points not excluded, with or without a value, as qicharts2 counts them), ``n_missing``, ``n_excluded``, ``cl``,
        ``lcl``, ``ucl`` (at the phase's last point), ``target``, ``variation`` (the type of the last
        point with a value: ``common_cause``, ``improvement``, ``concern`` or ``neutral``),
        ``variation_icon`` (the same with ``_high``/``_low``: which side of the centre line the last
        point lies), ``assurance`` (``pass``: the target lies beyond the lower limit for an
        increase, upper for a decrease, so the process consistently meets it; ``fail``: beyond the
        other limit, so it consistently misses; ``hit_and_miss``: between the limits; missing with
        no target or a neutral direction), counts ``n_special_cause``, ``n_improvement``,
        ``n_concern``, ``n_neutral``, the Anhoej runs analysis around the chart's centre line
        (``n_useful``, ``longest_run``, ``longest_run_max``, ``crossings``, ``crossings_min``,
        ``runs_signal``) and ``trial_limits``.
        """
        return self.summary_table.copy()

    def plot(self, **kwargs):
        """Draw the Making Data Count chart; see :func:`equity_lib.process_control.plot.plot_spc`."""
        from equity_lib.process_control.plot import plot_spc

        return plot_spc(self, **kwargs)

    def __repr__(self) -> str:
        s = self.settings
        return (f"SPCResult(chart={s.get('chart')!r}, y={s.get('y')!r}, facets="
                f"{self.summary_table['facet'].nunique()}, points={len(self.table)})")
