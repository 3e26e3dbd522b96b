"""datasets/datapackage.json: a Frictionless Data Package that every committed file satisfies.

Validated with frictionless 5.21.0 (types, required values, enum codes, minimum/maximum, patterns,
primary keys and foreign keys, row by row, the gzip-compressed waiting list included).
"""

from __future__ import annotations

import gc
import json
import shutil
import warnings

import pandas as pd
import pytest

from equity_lib import datasets

frictionless = pytest.importorskip("frictionless")

PACKAGE = datasets.DATASETS_DIR / "datapackage.json"


@pytest.fixture(scope="module")
def descriptor() -> dict:
    return json.loads(PACKAGE.read_text(encoding="utf-8"))


def _validate(path) -> object:
    """frictionless.validate, closing what it leaves open.

    frictionless 5.21 leaves the gzip-compressed file's handle to the garbage collector, which then
    warns (ResourceWarning); collect it here, with that one warning silenced, rather than at random
    in a later test.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        result = frictionless.validate(str(path))
        gc.collect()
    return result


@pytest.fixture(scope="module")
def report():
    return _validate(PACKAGE)


def test_package_is_the_registry(descriptor):
    """The committed descriptor is what the registry writes (the regeneration test checks the bytes)."""
    assert descriptor == json.loads(json.dumps(datasets.datapackage()))
    assert [r["name"] for r in descriptor["resources"]] == list(datasets.REGISTRY)


def test_every_file_satisfies_its_schema(report):
    errors = [(task.name, e.type, e.message) for task in report.tasks for e in task.errors]
    assert report.valid, errors[:10]


def test_every_row_was_checked(report):
    """Frictionless read every row of every resource, as many as the loaders return."""
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    for name in datasets.REGISTRY:
        assert rows[name] == len(datasets.load(name)), name


def test_schemas_carry_types_units_codes_and_keys(descriptor):
    for resource in descriptor["resources"]:
        spec = datasets.REGISTRY[resource["name"]]
        schema = resource["schema"]
        assert resource["path"] == spec.filename
        assert [f["name"] for f in schema["fields"]] == spec.columns
        assert schema["primaryKey"] == list(spec.primary_key)
        assert "SYNTHETIC" in resource["description"]
        for field, column in zip(schema["fields"], spec.fields, strict=True):
            assert field["type"] in {"string", "integer", "number", "date"}
            assert field["constraints"]["required"] is True
            if column.codes is not None:
                assert field["constraints"]["enum"] == list(column.codes)
            measured = column.codes is None and field["name"] != "pathway_id"
            if field["type"] in {"integer", "number"} and measured:
                assert "Unit:" in field["description"], (resource["name"], field["name"])
        header = pd.read_csv(datasets.DATASETS_DIR / spec.filename, nrows=0).columns.tolist()
        assert header == spec.columns


def test_foreign_keys_to_areas_and_trusts(descriptor):
    keys = {
        r["name"]: {fk["reference"]["resource"] for fk in r["schema"].get("foreignKeys", [])}
        for r in descriptor["resources"]
    }
    for name in ["population", "population_ethnicity", "waiting_list"]:
        assert "areas" in keys[name], name
    for name, spec in datasets.REGISTRY.items():
        if "trust_code" in spec.columns and name != "trusts":
            assert "trusts" in keys[name], name


def test_codes_follow_nhs_conventions(descriptor):
    fields = {(r["name"], f["name"]): f for r in descriptor["resources"] for f in r["schema"]["fields"]}
    assert fields[("waiting_list", "ethnic_category")]["constraints"]["enum"][-2:] == ["Z", "99"]
    assert fields[("areas", "imd_decile")]["constraints"]["enum"] == list(range(1, 11))
    assert "1 = the most deprived" in fields[("areas", "imd_decile")]["description"]
    assert len(fields[("population", "age_band")]["constraints"]["enum"]) == 19


def test_validation_catches_bad_data(tmp_path, descriptor):
    """A wrong code, an unknown area and a repeated key are all reported (so a pass means something)."""
    keep = ["trusts", "areas", "population_ethnicity"]
    small = dict(descriptor, resources=[r for r in descriptor["resources"] if r["name"] in keep])
    for name in keep:
        shutil.copy(datasets.DATASETS_DIR / datasets.REGISTRY[name].filename, tmp_path)
    path = tmp_path / "population_ethnicity.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",A,", ",Q,")  # not an ethnic category code
    lines[2] = "MPC9999" + lines[2][7:]  # no such area
    lines[4] = lines[3]  # the same area and category twice
    path.write_text("\n".join(lines) + "\n")
    (tmp_path / "datapackage.json").write_text(json.dumps(small))
    result = _validate(tmp_path / "datapackage.json")
    found = {e.type for task in result.tasks for e in task.errors}
    assert {"constraint-error", "foreign-key", "primary-key"} <= found
