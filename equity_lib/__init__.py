"""equity_lib: measuring and improving quality equitably, for NHS improvement teams.

* :func:`spc` - statistical process control charts, Making Data Count style (``process_control``).
* :mod:`equity_lib.datasets` - loaders for the synthetic Moorside Provider Collaborative data.
"""

from equity_lib.process_control import SPCResult, spc

__all__ = ["SPCResult", "spc"]
__version__ = "0.1.0"
