"""The result of :func:`equity_lib.spc`: tidy data to read, a summary a board can read, and a chart."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


def series_labels(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """The series each row belongs to, as one label: the ``by`` value, values joined by " / " for two or
    more ``by`` columns, or "all" without ``by``."""
    if not by:
        return pd.Series("all", index=frame.index)
    if len(by) == 1:
        return frame[by[0]]
    return frame[by].astype(str).agg(" / ".join, axis=1)


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
        """One row per series and phase.

        Columns: the ``by`` column(s), ``phase``, ``start`` and ``end`` (time of the phase's first and
        last point), ``improvement`` (the series' better direction),
        ``n_points`` (points not excluded, with or without a value, as qicharts2 counts them),
        ``n_missing``, ``n_excluded``, ``cl``,
        ``lcl``, ``ucl`` (at the phase's last point), ``target``, ``variation`` (the type of the last
        point with a value: ``common_cause``, ``improvement``, ``concern`` or ``neutral``),
        ``variation_icon`` (the same with ``_high``/``_low``: which side of the centre line the last
        point lies), ``assurance`` (as Making Data Count says it: ``pass`` when both limits lie on
        the passing side of the target, e.g. a target below the lower limit of a measure where higher
        is better, so the process will consistently meet it; ``fail`` when both lie on the failing
        side, so it will consistently miss; ``hit_and_miss`` when the target lies between the limits;
        missing with no target or a neutral direction), counts ``n_special_cause``, ``n_improvement``,
        ``n_concern``, ``n_neutral``, the Anhoej runs analysis around the chart's centre line
        (``n_useful``, ``longest_run``, ``longest_run_max``, ``crossings``, ``crossings_min``,
        ``runs_signal``), ``trial_limits`` and ``note`` (why the phase has no limits, e.g. "no limits:
        no point has a value ...", or that ``freeze`` is longer than it; missing otherwise).
        """
        return self.summary_table.copy()

    def describe(self, decimals: int = 1) -> pd.Series:
        """One plain-English sentence per series about its latest phase, for findings and alt text.

        Returns a Series indexed by series label (see ``series_labels``), e.g. "Trust A: common
        cause variation around a mean of 58.2 (limits 52.1 to 64.3); the target of 92 lies above the
        upper limit, so it will consistently be missed unless the process changes."
        """
        by = self.settings.get("by") or []
        summary = self.summary_table.assign(series=series_labels(self.summary_table, by))
        latest = summary.groupby("series", sort=False).tail(1)
        centre = "median" if self.settings.get("chart") in ("run", "g") else "mean"
        sentences = {}
        for row in latest.itertuples(index=False):
            fmt = f"{{:.{decimals}f}}"
            level = f"around a {centre} of {fmt.format(row.cl)}"
            if pd.notna(row.lcl) and pd.notna(row.ucl):
                level += f" (limits {fmt.format(row.lcl)} to {fmt.format(row.ucl)})"
            text = f"{_VARIATION_SENTENCE.get(row.variation_icon, 'no data')} {level}"
            # A single unnamed series gets no "all:" prefix.
            text = f"{row.series}: {text}" if by else text[0].upper() + text[1:]
            if pd.notna(row.assurance):
                text += f"; the target of {row.target:g} " + _ASSURANCE_SENTENCE[row.assurance][
                    row.improvement]
            sentences[row.series] = text + "."
        return pd.Series(sentences, name="finding")

    def plot(self, **kwargs):
        """Draw the Making Data Count chart; see :func:`equity_lib.process_control.plot.plot_spc`.

        ``ax=`` draws one series on a given axes; more series than ``per_page`` (12) need ``page=``.
        Returns the figure, closed in pyplot, so Jupyter shows it once as the cell's value.
        """
        from equity_lib.process_control.plot import plot_spc

        return plot_spc(self, **kwargs)

    def plot_pages(self, **kwargs):
        """Every page of :meth:`plot`, one figure at a time (``per_page`` panels each, default 12).

        E.g. ``with PdfPages("trusts.pdf") as pdf: [pdf.savefig(f) for f in result.plot_pages()]``.
        """
        from equity_lib.process_control.plot import plot_pages

        return plot_pages(self, **kwargs)

    def compact(self) -> pd.DataFrame:
        """One row per series: its latest point and the icons of its last phase, from :meth:`summary`.

        Columns: the ``by`` column(s), ``time`` and ``value`` of the latest point with a value,
        ``phase``, ``n_points``, ``cl``, ``lcl``, ``ucl``, ``target``, ``improvement``, ``variation``,
        ``variation_icon``, ``assurance``, ``trial_limits`` (as in :meth:`summary`), and
        ``variation_text``, ``assurance_text`` (the icons in words). Sort it with pandas, e.g.
        ``result.compact().sort_values("value")``; pick series to plot from it with
        ``result.plot(series=list(rows["trust"]))``. Made by
        ``equity_lib.process_control.compact.compact_table``.
        """
        from equity_lib.process_control.compact import compact_table

        return compact_table(self)

    def compact_view(self, **kwargs):
        """:meth:`compact` as a table to read: HTML in Jupyter (icons with letters and words; headers
        that sort), ``.to_image()`` for print. ``sort="variation"`` puts concerns first,
        ``sort="assurance"`` misses first. Returns an
        ``equity_lib.process_control.compact.CompactView``; its parameters are the keyword arguments.
        """
        from equity_lib.process_control.compact import CompactView

        return CompactView.from_result(self, **kwargs)

    def __repr__(self) -> str:
        s = self.settings
        column = s.get("value") or s.get("numerator")
        n_series = len(self.summary_table.drop_duplicates(s.get("by") or [])) if s.get("by") else 1
        return (f"SPCResult(chart={s.get('chart')!r}, value={column!r}, series={n_series}, "
                f"points={len(self.table)})")


_VARIATION_SENTENCE = {
    "common_cause": "common cause variation",
    "improvement_high": "special cause improvement (the latest point is high)",
    "improvement_low": "special cause improvement (the latest point is low)",
    "concern_high": "special cause concern (the latest point is high)",
    "concern_low": "special cause concern (the latest point is low)",
    "neutral_high": "special cause variation, high",
    "neutral_low": "special cause variation, low",
}
_ASSURANCE_SENTENCE = {
    "pass": {"increase": "lies below the lower limit, so it will consistently be met",
             "decrease": "lies above the upper limit, so it will consistently be met"},
    "fail": {"increase": "lies above the upper limit, so it will consistently be missed unless the "
                         "process changes",
             "decrease": "lies below the lower limit, so it will consistently be missed unless the "
                         "process changes"},
    "hit_and_miss": {"increase": "lies between the limits, so it will be hit and missed by chance",
                     "decrease": "lies between the limits, so it will be hit and missed by chance"},
}
