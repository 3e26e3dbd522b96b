"""`import equity_lib` is cheap (issue 12): public names are imported from their modules on first use
(PEP 562), so scipy.stats, statsmodels and matplotlib load only when a function that needs them does.
The time itself is measured by the benchmark (`make bench`), not here."""

import subprocess
import sys

import pytest

import equity_lib

HEAVY = ("scipy.stats", "statsmodels", "matplotlib")


def _loaded_after(statement: str) -> set[str]:
    code = (f"import sys\n{statement}\n"
            f"print(' '.join(m for m in {HEAVY!r}\n"
            "                if any(k == m or k.startswith(m + '.') for k in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_equity_lib_loads_no_heavy_module():
    assert _loaded_after("import equity_lib") == set()


def test_rates_and_summary_measures_do_not_load_matplotlib_or_statsmodels_until_used():
    assert "matplotlib" not in _loaded_after("from equity_lib import summary_measures")
    assert "statsmodels" not in _loaded_after("from equity_lib import proportion")
    assert "statsmodels" in _loaded_after(
        "import pandas as pd\nfrom equity_lib import proportion\n"
        "proportion(pd.DataFrame({'x': [1], 'n': [10]}), 'x', 'n')")


def test_every_public_name_and_subpackage_resolves():
    for name in equity_lib.__all__:
        assert getattr(equity_lib, name).__module__.startswith("equity_lib") or name == "ESP2013"
    assert set(equity_lib.__all__) <= set(dir(equity_lib))
    assert equity_lib.quality.__name__ == "equity_lib.quality"
    assert equity_lib.inequality.plot_sii.__module__ == "equity_lib.inequality.plot"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'equity_lib' has no attribute 'nope'"):
        equity_lib.nope  # noqa: B018
    with pytest.raises(ImportError):
        exec("from equity_lib import nope")
