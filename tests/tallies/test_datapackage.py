"""The evidence table as a Frictionless Data Package, checked with the frictionless library."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import frictionless
import pytest

from analysis import paths
from analysis.errors import DataError
from analysis.sources.datapackage import load_package, package_path, resource_spec
from analysis.sources.tallies import (
    MEASURES,
    SOURCES_SPEC,
    TALLIES_SPEC,
    load_evidence,
)


def _validate(folder: Path):
    return frictionless.validate(str(folder / "datapackage.json"))


def _errors(report) -> list[tuple[str, str]]:
    return [(task.name, error.type) for task in report.tasks for error in task.errors]


def test_shipped_table_is_a_valid_data_package() -> None:
    report = _validate(paths.tallies_dir())
    assert report.valid, _errors(report)
    names = [task.name for task in report.tasks]
    assert names == ["sources", "tallies", "bodies", "stated_changes", "known_issues"]


def test_the_package_is_the_declaration_the_loaders_use() -> None:
    package = load_package()
    resources = {r["name"]: r for r in package["resources"]}
    assert resource_spec(resources["tallies"]).names == TALLIES_SPEC.names
    assert resource_spec(resources["sources"]).names == SOURCES_SPEC.names
    measure = next(f for f in resources["tallies"]["schema"]["fields"] if f["name"] == "measure")
    assert tuple(measure["constraints"]["enum"]) == MEASURES
    # every column is described, and the files are tied together by foreign keys
    for resource in package["resources"]:
        assert all(field.get("description") for field in resource["schema"]["fields"])
    keys = {
        (r["name"], fk["fields"][0], fk["reference"]["resource"])
        for r in package["resources"]
        for fk in r["schema"].get("foreignKeys", [])
    }
    assert ("tallies", "source_id", "sources") in keys
    assert ("tallies", "reporting_body", "bodies") in keys
    assert ("stated_changes", "to_tally_id", "tallies") in keys


def _copy_table(tmp_path: Path) -> Path:
    folder = tmp_path / "tallies"
    shutil.copytree(paths.tallies_dir(), folder, ignore=shutil.ignore_patterns("*.md"))
    return folder


def _edit_first_figure(folder: Path, **values: str) -> None:
    path = folder / "tallies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    rows[0].update(values)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_frictionless_and_the_loader_refuse_the_same_broken_rows(tmp_path: Path) -> None:
    folder = _copy_table(tmp_path)
    _edit_first_figure(folder, measure="kiled", source_id="no-such-document")
    errors = _errors(_validate(folder))
    assert ("tallies", "constraint-error") in errors
    assert ("tallies", "foreign-key") in errors
    with pytest.raises(DataError) as caught:
        load_evidence(folder)
    assert "kiled" in str(caught.value)


def test_schema_file_is_found_beside_the_shipped_table() -> None:
    assert package_path() == paths.project_root() / "data" / "tallies" / "datapackage.json"
    assert package_path().exists()
