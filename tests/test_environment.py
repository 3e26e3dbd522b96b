"""environment.yml (conda, Binder) and constraints.txt (pip, the lock) name the same versions."""

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[_norm(name)] = version
    return pins


def _environment() -> dict[str, str]:
    spec = yaml.safe_load((REPO / "environment.yml").read_text())
    pins = {}
    for dep in spec["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*=?=\s*([^\s]+)", entry)
            if match:
                pins[_norm(match[1])] = match[2]
    return pins


def test_every_conda_pin_matches_the_lock():
    lock, env = _constraints(), _environment()
    env.pop("python")
    assert env, "environment.yml pins nothing"
    mismatched = {name: (v, lock.get(name)) for name, v in env.items() if lock.get(name) != v}
    assert not mismatched, f"environment.yml vs constraints.txt: {mismatched}"


def test_every_direct_dependency_is_in_both():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()
    direct = project["dependencies"] + [d for extra in extras for d in extra]
    names = {_norm(re.split(r"[<>=\[ ]", d, maxsplit=1)[0]) for d in direct}
    lock, env = _constraints(), _environment()
    assert not names - lock.keys(), f"not pinned in constraints.txt: {names - lock.keys()}"
    assert not names - env.keys(), f"missing from environment.yml: {names - env.keys()}"
