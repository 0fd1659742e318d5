"""Loading the evidence table: typed output, and one breaking input per validation rule."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from analysis import DataError, load_bodies, load_sources, load_tallies
from analysis.sources.tallies import (
    BODIES_SPEC,
    INTERVENTIONS_SPEC,
    SOURCES_SPEC,
    TALLIES_SPEC,
    load_evidence,
    load_interventions,
)
from tests.tallies.synthetic import SOURCES, TALLIES, write_table


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _rewrite(path: Path, spec, change) -> None:
    rows = _rows(path)
    change(rows)
    write_table(path, spec, rows)


def test_typed_output(evidence_dir: Path) -> None:
    tallies = load_tallies(evidence_dir / "tallies.csv")
    assert len(tallies) == len(TALLIES)
    assert tallies["period_start"].dtype == "datetime64[ns]"
    assert isinstance(tallies["qualifier"].dtype, pd.CategoricalDtype)
    assert tallies["value"].dtype == "Int64"
    assert tallies["tally_id"].dtype == "string"
    # the line of each record in the file: header is line 1
    assert tallies["line"].tolist() == list(range(2, 2 + len(TALLIES)))
    between = tallies.set_index("tally_id").loc["body_b-002"]
    assert pd.isna(between["value"]) and between["value_low"] == 200


def test_sources_and_bodies_typed(evidence_dir: Path) -> None:
    sources = load_sources(evidence_dir / "sources.csv")
    assert sources["published"].dtype == "datetime64[ns]"
    assert sources["grade"].tolist() == [s["grade"] for s in SOURCES]
    assert pd.isna(sources.loc[0, "copy_url"])
    bodies = load_bodies(evidence_dir / "bodies.csv")
    assert set(bodies["reporting_body"]) == {"body_a", "body_b"}
    evidence = load_evidence(evidence_dir)
    assert {"sources", "bodies", "tallies", "usable", "set_aside"} <= set(evidence)
    # without known_issues.csv nothing is set aside
    assert len(evidence["usable"]) == len(evidence["tallies"]) and evidence["set_aside"].empty


def test_set_aside_copies_are_split_off_with_their_reason(evidence_dir: Path) -> None:
    from analysis.sources.tallies import KNOWN_ISSUES_SPEC

    write_table(
        evidence_dir / "known_issues.csv",
        KNOWN_ISSUES_SPEC,
        [{"issue_id": "k", "check": "copies_disagree", "tally_ids": "body_a-001;body_a-002",
          "explanation": "Synthetic misprint.", "set_aside": "body_a-002"}],
    )  # fmt: skip
    evidence = load_evidence(evidence_dir)
    assert "body_a-002" not in set(evidence["usable"]["tally_id"])
    assert evidence["set_aside"]["explanation"].tolist() == ["Synthetic misprint."]
    write_table(
        evidence_dir / "known_issues.csv",
        KNOWN_ISSUES_SPEC,
        [{"issue_id": "k", "check": "copies_disagree", "tally_ids": "body_a-001",
          "explanation": "Synthetic.", "set_aside": "body_a-999"}],
    )  # fmt: skip
    with pytest.raises(DataError) as info:
        load_evidence(evidence_dir)
    assert info.value.rule == "foreign_key" and info.value.column == "set_aside"


def test_bom_and_windows_line_endings_read(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    tallies = load_tallies(path)
    assert len(tallies) == len(TALLIES)
    assert tallies.columns[0] == "tally_id"


def test_multiline_field_keeps_line_numbers(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"

    def change(rows):
        rows[0]["notes"] = "first line\nsecond line"
        rows[2]["value"] = "x"

    _rewrite(path, TALLIES_SPEC, change)
    with pytest.raises(DataError) as info:
        load_tallies(path)
    # record 3 starts on line 5: header, record 1 (two lines), record 2
    assert info.value.line == 5
    assert info.value.column == "value"


# (file, change, expected rule, expected line, expected column)
def _set(i, **values):
    def change(rows):
        rows[i].update(values)

    return change


BREAKS = [
    ("tallies.csv", _set(0, claim=""), "required", 2, "claim"),
    ("tallies.csv", _set(1, tally_id="Body A 2"), "identifier", 3, "tally_id"),
    ("tallies.csv", _set(2, period_end="2022-02-30"), "date", 4, "period_end"),
    ("tallies.csv", _set(2, period_start="31/03/2022"), "date", 4, "period_start"),
    ("tallies.csv", _set(0, value="1,277"), "integer", 2, "value"),
    ("tallies.csv", _set(0, value="-5"), "integer", 2, "value"),
    ("tallies.csv", _set(3, measure="deaths"), "allowed_values", 5, "measure"),
    ("tallies.csv", _set(3, qualifier="roughly"), "allowed_values", 5, "qualifier"),
    ("tallies.csv", _set(4, tally_id="body_a-001"), "unique", 6, "tally_id"),
    (
        "tallies.csv",
        _set(1, period_start="2022-07-01", period_end="2022-06-30"),
        "period_order",
        3,
        "period_start",
    ),
    ("tallies.csv", _set(6, value_low="500"), "bounds_order", 8, "value_low"),
    ("tallies.csv", _set(6, value="450"), "bounds_order", 8, "value"),
    ("tallies.csv", _set(6, value_high=""), "qualifier_bounds", 8, "value_high"),
    ("tallies.csv", _set(5, value_high="400"), "qualifier_bounds", 7, "value_high"),
    ("tallies.csv", _set(0, value=""), "qualifier_bounds", 2, "value"),
    (
        "tallies.csv",
        _set(0, measure="percent_events", victim_group="not_applicable", value="171"),
        "percentage",
        2,
        "value",
    ),
    ("tallies.csv", _set(3, source_id="nowhere-2022"), "foreign_key", 5, "source_id"),
    ("tallies.csv", _set(3, reporting_body="body_z"), "foreign_key", 5, "reporting_body"),
    (
        "tallies.csv",
        _set(7, derivation="body_a-099 - body_a-001"),
        "derivation_reference",
        9,
        "derivation",
    ),
    (
        "tallies.csv",
        _set(7, derivation="the year minus the rest"),
        "derivation_reference",
        9,
        "derivation",
    ),
    ("sources.csv", _set(1, url="www.example.org/b"), "url", 3, "url"),
    ("sources.csv", _set(0, grade="A"), "allowed_values", 2, "grade"),
    ("sources.csv", _set(0, published="2022-13-01"), "date", 2, "published"),
    ("sources.csv", _set(1, source_id="src-a-2022"), "unique", 3, "source_id"),
    ("bodies.csv", _set(0, body_type="charity"), "allowed_values", 2, "body_type"),
    (
        "bodies.csv",
        _set(1, coverage_start="2023-01-01", coverage_end="2022-01-01"),
        "period_order",
        3,
        "coverage_start",
    ),
]

SPECS = {"tallies.csv": TALLIES_SPEC, "sources.csv": SOURCES_SPEC, "bodies.csv": BODIES_SPEC}


@pytest.mark.parametrize(("name", "change", "rule", "line", "column"), BREAKS)
def test_each_rule_names_file_line_column(evidence_dir, name, change, rule, line, column) -> None:
    path = evidence_dir / name
    _rewrite(path, SPECS[name], change)
    with pytest.raises(DataError) as info:
        load_evidence(evidence_dir)
    error = info.value
    assert error.rule == rule
    assert error.line == line
    assert error.column == column
    assert Path(error.file).name == name
    assert name in str(error) and f"line {line}" in str(error)


def _replace_text(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_tallies(tmp_path / "tallies.csv")
    assert info.value.rule == "missing_file"


def test_empty_file_and_header_only(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty") as info:
        load_tallies(path)
    assert info.value.rule == "empty"
    write_table(path, TALLIES_SPEC, [])
    with pytest.raises(DataError, match="no rows"):
        load_tallies(path)


def test_not_utf8_names_line(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    raw = path.read_bytes().replace(b"Synthetic claim.", "Synth\xe9tic claim.".encode("latin-1"), 1)
    path.write_bytes(raw)
    with pytest.raises(DataError) as info:
        load_tallies(path)
    assert info.value.rule == "encoding" and info.value.line == 2


def test_semicolon_delimited_refused(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_tallies(path)
    assert info.value.rule == "delimiter" and info.value.line == 1


@pytest.mark.parametrize(
    ("old", "new", "rule", "column"),
    [
        ("tally_id,", "", "required_column", "tally_id"),
        ("claim,", "claims,", "unknown_column", "claims"),
        ("notes", "claim", "duplicate_column", "claim"),
    ],
)
def test_header_rules(evidence_dir: Path, old, new, rule, column) -> None:
    path = evidence_dir / "tallies.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_tallies(path)
    assert info.value.rule == rule and info.value.column == column and info.value.line == 1


def test_field_count(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3] + ",extra"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_tallies(path)
    assert info.value.rule == "field_count" and info.value.line == 4


def test_enormous_field_refused(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    _rewrite(path, TALLIES_SPEC, _set(1, notes="x" * 50_000))
    with pytest.raises(DataError) as info:
        load_tallies(path)
    assert info.value.rule == "field_size" and info.value.line == 3


def _intervention(**extra):
    row = {
        "intervention_id": "arrival",
        "date": "2021-12-01",
        "date_precision": "month",
        "kind": "arrival",
        "label": "Synthetic arrival",
        "is_default": "true",
        "source_title": "Synthetic source",
        "publisher": "Synthetic",
        "url": "https://example.org/i",
        "grade": "P",
    }
    row.update(extra)
    return row


def test_interventions(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "interventions.csv",
        INTERVENTIONS_SPEC,
        [
            _intervention(),
            _intervention(intervention_id="later", date="2022-02-17", is_default="false"),
        ],
    )
    table = load_interventions(path)
    assert table["is_default"].tolist() == [True, False]
    write_table(path, INTERVENTIONS_SPEC, [_intervention(), _intervention(intervention_id="b")])
    with pytest.raises(DataError) as info:
        load_interventions(path)
    assert info.value.rule == "one_default"
    write_table(path, INTERVENTIONS_SPEC, [_intervention(is_default="maybe")])
    with pytest.raises(DataError) as info:
        load_interventions(path)
    assert info.value.rule == "boolean" and info.value.line == 2


def test_raw_files_untouched(evidence_dir: Path) -> None:
    before = {p.name: p.read_bytes() for p in evidence_dir.iterdir()}
    load_evidence(evidence_dir)
    assert {p.name: p.read_bytes() for p in evidence_dir.iterdir()} == before
