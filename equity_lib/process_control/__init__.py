"""Statistical process control in the NHS Making Data Count style, and the other qicharts2 charts.

``spc()`` computes (engine, limits, rules); ``SPCResult`` holds the tidy table, ``summary()`` and
``plot()``; drawing is kept apart from computing in ``plot``.
"""

from equity_lib.process_control.engine import CHARTS, spc
from equity_lib.process_control.result import SPCResult

__all__ = ["CHARTS", "SPCResult", "spc"]
