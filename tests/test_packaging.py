"""equity_lib as a package: what the wheel carries, what it depends on, and that it works installed.

The slow test builds the wheel from this working tree, installs it with its runtime dependencies from
PyPI (pinned by constraints.txt) into a new virtual environment outside the repository, and there loads
every dataset and runs lesson 01's and lesson 02's calls, comparing the results with this checkout's.
It needs PyPI, as `make install` does.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from equity_lib import datasets, proportion, spc
from equity_lib.synthetic.__main__ import main as synthetic_main

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PROJECT["tool"]["setuptools"]

# Declared for code being written now (issue 11: rates and inequality adopt statsmodels); a runtime
# dependency that equity_lib does not import is allowed only if named here.
NOT_YET_IMPORTED = {"statsmodels"}


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


# Subpackages whose dependencies are an optional extra (imported only there, never by `import equity_lib`):
# subpackage -> the extras that install what it imports.
OPTIONAL = {"scale": ("scale", "spark")}


def _imported_distributions(only: str | None = None) -> set[str]:
    """The distributions whose modules equity_lib imports (stdlib and equity_lib itself left out): outside
    the OPTIONAL subpackages, or (``only``) inside one of them."""
    modules = set()
    for path in (REPO / "equity_lib").rglob("*.py"):
        part = path.relative_to(REPO / "equity_lib").parts[0]
        if (part != only) if only else (part in OPTIONAL):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {"__future__", "equity_lib"}
    owners = packages_distributions()
    unknown = {m for m in modules if m not in owners}
    assert not unknown, f"equity_lib imports {unknown}, which no installed distribution provides"
    return {_norm(dist) for m in modules for dist in owners[m]}


def test_runtime_dependencies_are_what_equity_lib_imports():
    declared = {_norm(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in PROJECT["project"]["dependencies"]}
    imported = _imported_distributions()
    assert not imported - declared, f"imported but not in [project] dependencies: {imported - declared}"
    unused = declared - imported - NOT_YET_IMPORTED
    assert not unused, f"runtime dependencies equity_lib never imports (move them to an extra): {unused}"


def test_optional_subpackages_import_only_their_extras():
    extras = PROJECT["project"]["optional-dependencies"]
    for package, names in OPTIONAL.items():
        declared = {_norm(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for n in names for d in extras[n]}
        declared |= {_norm(d) for d in PROJECT["project"]["dependencies"]}
        declared = {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0] for d in declared}
        imported = _imported_distributions(only=package)
        assert imported, f"equity_lib.{package} imports nothing optional: take it out of OPTIONAL"
        assert not imported - declared, f"equity_lib.{package} imports {imported - declared}: add to {names}"


def test_every_subpackage_is_in_the_wheel():
    """pyproject.toml lists the packages by name (for the data mapping): a new subpackage must be added."""
    listed = set(SETUPTOOLS["packages"])
    found = {
        ".".join(init.parent.relative_to(REPO).parts) for init in (REPO / "equity_lib").rglob("__init__.py")
    }
    assert found == listed - {"equity_lib.data"}, f"add to [tool.setuptools] packages: {found - listed}"
    assert SETUPTOOLS["package-dir"] == {"equity_lib.data": "datasets"}


def test_every_data_file_is_package_data():
    """Every file in datasets/ matches a package-data pattern, so the wheel carries it."""
    patterns = SETUPTOOLS["package-data"]["equity_lib.data"]
    files = [p.name for p in (REPO / "datasets").iterdir() if p.is_file()]
    missed = [f for f in files if not any(fnmatch.fnmatch(f, pattern) for pattern in patterns)]
    assert not missed, f"datasets/ files the wheel would leave out: {missed}"
    for name in datasets.available():
        assert any(fnmatch.fnmatch(datasets.REGISTRY[name].filename, p) for p in patterns), name


def test_a_checkout_reads_and_regenerates_its_own_datasets_folder():
    assert datasets.SOURCE_CHECKOUT == REPO
    assert datasets.DATASETS_DIR == REPO / "datasets"


def test_regenerating_without_a_checkout_needs_an_output_folder(monkeypatch, capsys):
    """Installed from a wheel, `python -m equity_lib.synthetic` refuses to write into site-packages."""
    monkeypatch.setattr(datasets, "SOURCE_CHECKOUT", None)
    with pytest.raises(SystemExit) as stopped:
        synthetic_main([])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert "not running from a source checkout" in message and "--out OUT_DIR" in message


# --- The wheel, installed ---------------------------------------------------------------------------

LESSON = """
import json
from pathlib import Path

import equity_lib
from equity_lib import proportion, spc
from equity_lib.datasets import DATASETS_DIR, SOURCE_CHECKOUT, available, load

package = Path(equity_lib.__file__).parent
assert SOURCE_CHECKOUT is None, SOURCE_CHECKOUT
assert DATASETS_DIR == package / "data", DATASETS_DIR
rows = {name: len(load(name)) for name in available()}

# Lesson 01: the trusts' charts; lesson 02: the services' league table.
result = spc(load("rtt_monthly"), value="pct_within_18_weeks", time="month", by="trust_code", target=92)
figure = result.plot()
figure.savefig("chart.png")
league = proportion(load("rtt_snapshot_specialty"), "over_18_weeks", "waiting_total", multiplier=100)

# `python -m equity_lib.synthetic` with no --out: refused, nothing written.
from contextlib import redirect_stderr
from io import StringIO
from equity_lib.synthetic.__main__ import main
stderr = StringIO()
try:
    with redirect_stderr(stderr):
        main([])
except SystemExit as stop:
    refused = (stop.code, stderr.getvalue())
print(json.dumps({
    "refused": refused,
    "package": str(package),
    "rows": rows,
    "summary": result.summary().to_csv(index=False),
    "league": league.to_csv(index=False),
}))
"""


def _files(folder: Path) -> set[str]:
    """Every file under folder, bytecode caches left out (Python writes those on import)."""
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _run(args, cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_wheel_installs_into_a_new_venv_and_runs_a_lesson(tmp_path):
    # Build from a copy of what the wheel is made of, so that the build leaves nothing in the working tree.
    source = tmp_path / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("equity_lib", "datasets"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    # This machine's pip settings (index, certificates) stay; nothing Python-specific leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env |= {"PYTHONNOUSERSITE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(tmp_path / "mpl")}
    wheelhouse = tmp_path / "wheelhouse"
    built = _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
                  str(wheelhouse), str(source)], tmp_path, env)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheelhouse.glob("equity_lib-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    assert "equity_lib/py.typed" in names
    for name in datasets.available():
        assert f"equity_lib/data/{datasets.REGISTRY[name].filename}" in names, name
    assert "equity_lib/data/datapackage.json" in names
    tops = {n.split("/")[0] for n in names}
    version = PROJECT["project"]["version"]
    assert tops == {"equity_lib", f"equity_lib-{version}.dist-info"}, f"the wheel installs more: {tops}"

    # A new environment from the base interpreter, outside the repository; no package reused from .venv
    # (only .venv's pip, driving the new interpreter with --python, which saves installing pip into it).
    # --no-compile: Python compiles what the lesson imports, not all of scipy, pandas and statsmodels.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    installed = _run([*pip, "install", "--quiet", "--no-compile", "-c", str(REPO / "constraints.txt"),
                      str(wheel)], tmp_path, env)
    assert installed.returncode == 0, installed.stderr
    site = Path(_run([str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     tmp_path, env).stdout.strip())
    before = _files(site)

    work = tmp_path / "work"
    work.mkdir()
    ran = _run([str(python), "-I", "-c", LESSON], work, env)
    assert ran.returncode == 0, ran.stderr
    out = json.loads(ran.stdout.strip().splitlines()[-1])
    assert Path(out["package"]) == site / "equity_lib"
    assert out["rows"] == {name: len(datasets.load(name)) for name in datasets.available()}
    here = spc(datasets.load("rtt_monthly"), value="pct_within_18_weeks", time="month", by="trust_code",
               target=92)
    assert out["summary"] == here.summary().to_csv(index=False)
    snapshot = datasets.load("rtt_snapshot_specialty")
    league = proportion(snapshot, "over_18_weeks", "waiting_total", multiplier=100)
    assert out["league"] == league.to_csv(index=False)
    assert (work / "chart.png").stat().st_size > 10_000

    code, message = out["refused"]
    assert code == 2 and "not running from a source checkout" in message and "--out OUT_DIR" in message
    assert _files(site) == before, "something was written into site-packages"
    assert not (site / "datasets").exists()

    removed = _run([*pip, "uninstall", "--yes", "--quiet", "equity_lib"], work, env)
    assert removed.returncode == 0, removed.stderr
    assert not (site / "equity_lib").exists() or not _files(site / "equity_lib"), "pip uninstall left files"
