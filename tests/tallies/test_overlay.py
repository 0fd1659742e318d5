"""A researcher's own figures: an overlay folder merged with the table and validated with it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from analysis.audit import run_check
from analysis.cli import main
from analysis.errors import DataError
from analysis.sources.evidence import OVERLAY_ENV, check_evidence, load_evidence
from analysis.sources.tallies import KNOWN_ISSUES_SPEC, SOURCES_SPEC, TALLIES_SPEC
from tests.tallies.synthetic import SYNTHETIC, TALLIES, write_table

# SYNTHETIC: a researcher's document and two figures that refer to the table's body_b
MY_SOURCE = {
    "source_id": "my-report-2022",
    "reporting_body": "body_b",
    "body_type": "ngo",
    "title": "Synthetic field notes",
    "publisher": "Synthetic researcher",
    "published": "2022-12-31",
    "copy_url": "https://example.org/my-notes",
    "grade": "S",
    "language": "en",
}


def _my_figure(tally_id: str, **values: str) -> dict[str, str]:
    row = {
        "tally_id": tally_id,
        "source_id": "my-report-2022",
        "reporting_body": "body_b",
        "incident_id": "synthetic-attack-2022-05",
        "period_start": "2022-05-02",
        "period_end": "2022-05-02",
        "country": "Mali",
        "measure": "killed",
        "victim_group": "civilians",
        "perpetrator_group": "unknown",
        "qualifier": "at_least",
        "value": "7",
        "claim": "Synthetic figure from the researcher's own notes.",
        "notes": SYNTHETIC,
    }
    row.update(values)
    return row


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    write_table(folder / "sources.csv", SOURCES_SPEC, [MY_SOURCE])
    write_table(
        folder / "tallies.csv",
        TALLIES_SPEC,
        [_my_figure("body_b-101"), _my_figure("body_b-102", source_id="src-b-2022", value="3")],
    )
    return folder


def test_overlay_rows_are_merged_and_marked_as_theirs(evidence_dir: Path, overlay: Path) -> None:
    evidence = load_evidence(evidence_dir, overlay=overlay)
    tallies = evidence["tallies"]
    assert len(tallies) == len(TALLIES) + 2
    mine = tallies[tallies["origin"] == "researcher"]
    assert mine["tally_id"].tolist() == ["body_b-101", "body_b-102"]
    assert (tallies.loc[tallies["origin"] == "shipped", "tally_id"].str.startswith("body_")).all()
    # lines point into the overlay's own file
    assert mine["line"].tolist() == [2, 3]
    # the researcher's figure may cite a shipped document; vocabularies stay categorical
    assert str(tallies["measure"].dtype) == "category"
    assert set(evidence["sources"]["origin"]) == {"shipped", "researcher"}
    # the raw files are untouched
    with (overlay / "tallies.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 2


def test_overlay_from_the_environment(
    evidence_dir: Path, overlay: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(OVERLAY_ENV, str(overlay))
    assert (load_evidence(evidence_dir)["tallies"]["origin"] == "researcher").sum() == 2
    monkeypatch.delenv(OVERLAY_ENV)
    assert (load_evidence(evidence_dir)["tallies"]["origin"] == "shipped").all()


def test_overlay_may_not_reuse_a_shipped_id(evidence_dir: Path, overlay: Path) -> None:
    write_table(overlay / "tallies.csv", TALLIES_SPEC, [_my_figure("body_a-001")])
    with pytest.raises(DataError) as caught:
        load_evidence(evidence_dir, overlay=overlay)
    error = caught.value
    assert error.file == str(overlay / "tallies.csv") and error.line == 2
    assert error.column == "tally_id" and error.rule == "unique"
    assert "already used by the shipped table" in error.message


def test_every_problem_in_one_run_with_did_you_mean(evidence_dir: Path, overlay: Path) -> None:
    write_table(
        overlay / "tallies.csv",
        TALLIES_SPEC,
        [
            _my_figure("body_b-101", measure="kiled"),
            _my_figure("body_b-102", qualifier="atleast"),
            _my_figure("body_b-103", victim_group="civilian"),
            _my_figure("body_b-104", reporting_body="body_c"),
            _my_figure("body_b-105", source_id="my-report-2021"),
            _my_figure("body_b-106", period_start="2022-06-01"),
            _my_figure("body_b-107"),
        ],
    )
    evidence, problems = check_evidence(evidence_dir, overlay=overlay)
    found = {(p.line, p.column, p.rule) for p in problems}
    assert found == {
        (2, "measure", "allowed_values"),
        (3, "qualifier", "allowed_values"),
        (4, "victim_group", "allowed_values"),
        (5, "reporting_body", "foreign_key"),
        (6, "source_id", "foreign_key"),
        (7, "period_start", "period_order"),
    }
    assert all(p.file == str(overlay / "tallies.csv") for p in problems)
    messages = " ".join(p.message for p in problems)
    for suggestion in ("'killed'", "'at_least'", "'civilians'", "'body_b'", "'my-report-2022'"):
        assert f"did you mean {suggestion}?" in messages
    # the valid row is kept; the broken ones are left out of the table
    assert "body_b-107" in set(evidence["tallies"]["tally_id"])
    # the command prints them all and exits 2
    err = io.StringIO()
    assert run_check(tallies_dir=evidence_dir, overlay=overlay, out=io.StringIO(), err=err) == 2
    assert "6 problem(s)" in err.getvalue() and err.getvalue().count("line ") == 6


def test_a_row_with_several_problems_gets_them_all_in_one_run(
    evidence_dir: Path, overlay: Path
) -> None:
    """A broken vocabulary does not hide the row's unresolved body and document."""
    write_table(
        overlay / "tallies.csv",
        TALLIES_SPEC,
        [_my_figure("body_b-101", measure="kiled", reporting_body="body_c",
                    source_id="my-report-2021")],
    )  # fmt: skip
    _, problems = check_evidence(evidence_dir, overlay=overlay)
    assert {(p.line, p.column, p.rule) for p in problems} == {
        (2, "measure", "allowed_values"),
        (2, "reporting_body", "foreign_key"),
        (2, "source_id", "foreign_key"),
    }


def test_problems_of_several_files_in_one_run(evidence_dir: Path, overlay: Path) -> None:
    write_table(overlay / "sources.csv", SOURCES_SPEC, [dict(MY_SOURCE, grade="Q", copy_url="")])
    write_table(overlay / "tallies.csv", TALLIES_SPEC, [_my_figure("body_b-101", value="-3")])
    _, problems = check_evidence(evidence_dir, overlay=overlay)
    files = sorted({Path(p.file).name for p in problems})
    rules = sorted(p.rule for p in problems)
    assert files == ["sources.csv", "tallies.csv"]
    # grade Q and the value -3; the rows that broke a rule are not checked further
    assert rules == ["allowed_values", "integer"]


def test_a_document_needs_an_address(evidence_dir: Path, overlay: Path) -> None:
    write_table(overlay / "sources.csv", SOURCES_SPEC, [dict(MY_SOURCE, copy_url="")])
    _, problems = check_evidence(evidence_dir, overlay=overlay)
    assert [(p.column, p.rule) for p in problems][0] == ("url", "address")


def test_empty_or_missing_overlay_folder(evidence_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_evidence(evidence_dir, overlay=tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError) as caught:
        load_evidence(evidence_dir, overlay=empty)
    assert caught.value.rule == "empty_overlay"


def test_overlay_figures_are_audited_with_the_table(evidence_dir: Path, overlay: Path) -> None:
    # the researcher's copy of body_a's Q1 (40) printing 45: a conflict, an error until explained
    with (evidence_dir / "tallies.csv").open(encoding="utf-8", newline="") as handle:
        q1 = next(csv.DictReader(handle))
    write_table(
        overlay / "tallies.csv",
        TALLIES_SPEC,
        [dict(q1, tally_id="body_a-101", source_id="my-report-2022", value="45")],
    )
    out = io.StringIO()
    assert run_check(tallies_dir=evidence_dir, overlay=overlay, out=out) == 1
    assert "1 of them yours" in out.getvalue()
    assert "copies_disagree: body_a-001;body_a-101" in out.getvalue()
    write_table(
        overlay / "known_issues.csv",
        KNOWN_ISSUES_SPEC,
        [
            {
                "issue_id": "my-q1",
                "check": "copies_disagree",
                "tally_ids": "body_a-001;body_a-101",
                "explanation": "My copy is an early draft of the synthetic note.",
            }
        ],
    )
    assert run_check(tallies_dir=evidence_dir, overlay=overlay, strict=True, out=io.StringIO()) == 0
    assert main(["data", "check", "--dir", str(evidence_dir), "--overlay", str(overlay)]) == 0
