"""The consistency audit finds planted inconsistencies and explains known ones."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from analysis.audit import (
    KNOWN_ISSUES_SPEC,
    STATED_CHANGES_SPEC,
    audit_folder,
    audit_tallies,
    incident_ids_nearly_match,
    run_check,
)
from analysis.cli import main
from analysis.sources.tallies import TALLIES_SPEC, load_evidence
from tests.tallies.synthetic import write_table


def _edit(path: Path, tally_id: str, **values) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["tally_id"] == tally_id:
            row.update(values)
    write_table(path, TALLIES_SPEC, rows)


def _audit(folder: Path):
    evidence = load_evidence(folder)
    return audit_tallies(evidence["tallies"], sources=evidence["sources"])


def test_consistent_table_has_no_findings(evidence_dir: Path) -> None:
    assert _audit(evidence_dir).empty
    out = io.StringIO()
    assert run_check(tallies_dir=evidence_dir, strict=True, out=out) == 0
    assert "no findings" in out.getvalue()


def test_planted_quarter_that_breaks_the_year_total(evidence_dir: Path) -> None:
    # synthetic: Q2 changed from 30 to 35, so the four quarters add up to 105, not 100
    _edit(evidence_dir / "tallies.csv", "body_a-002", value="35")
    findings = _audit(evidence_dir)
    sums = findings[findings["check"] == "sub_period_sum"]
    assert len(sums) == 1
    # both copies of Q3 (the published 20 and the derived 20) are named
    assert sums["tally_ids"].iloc[0] == (
        "body_a-001;body_a-002;body_a-003;body_a-004;body_a-005;body_a-006"
    )
    assert "105" in sums["message"].iloc[0] and "100" in sums["message"].iloc[0]
    # the derived Q3 (100 - 40 - 35 - 10 = 15) no longer computes either
    derived = findings[findings["check"] == "derivation"]
    assert derived["severity"].tolist() == ["error"]


def test_qualified_parts_compared_as_intervals(evidence_dir: Path) -> None:
    # "at least 40" in Q1 still fits a total of 100: the parts' interval reaches above it
    _edit(evidence_dir / "tallies.csv", "body_a-001", qualifier="at_least")
    assert _audit(evidence_dir).query("check == 'sub_period_sum'").empty
    # "at least 60" in Q1 cannot: 60 + 30 + 20 + 10 > 100
    _edit(evidence_dir / "tallies.csv", "body_a-001", value="60")
    assert len(_audit(evidence_dir).query("check == 'sub_period_sum'")) == 1


def test_a_misprinted_copy_alone_does_not_break_a_sum(evidence_dir: Path) -> None:
    # synthetic: a second copy of Q4 misprints 10 as 100; the other copy still adds up
    path = evidence_dir / "tallies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    copy = dict(rows[3], tally_id="body_a-007", source_id="src-b-2022", value="100")
    write_table(path, TALLIES_SPEC, [*rows, copy])
    findings = _audit(evidence_dir)
    assert findings.query("check == 'sub_period_sum'").empty
    assert findings.query("check == 'copies_disagree'")["tally_ids"].tolist() == [
        "body_a-004;body_a-007"
    ]


def test_regional_figures_are_not_copies_of_the_national_one(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    region = dict(rows[0], tally_id="body_a-007", source_id="src-b-2022", value="4", admin1="Gao")
    write_table(path, TALLIES_SPEC, [*rows, region])
    assert _audit(evidence_dir).empty


def test_two_copies_disagreeing(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    copy = dict(rows[3], tally_id="body_a-007", source_id="src-b-2022", value="12")
    write_table(path, TALLIES_SPEC, [*rows, copy])
    findings = _audit(evidence_dir)
    copies = findings[findings["check"] == "copies_disagree"]
    assert copies["tally_ids"].tolist() == ["body_a-004;body_a-007"]
    # a conflicting copy is an error until known_issues.csv explains it
    assert copies["severity"].tolist() == ["error"]
    write_table(
        evidence_dir / "known_issues.csv",
        KNOWN_ISSUES_SPEC,
        [
            {
                "issue_id": "k-copy",
                "check": "copies_disagree",
                "tally_ids": "body_a-007;body_a-004",
                "explanation": "A synthetic press copy rounds the note's figure.",
            }
        ],
    )
    explained = audit_folder(evidence_dir).query("check == 'copies_disagree'")
    assert explained["severity"].tolist() == ["known"]
    (evidence_dir / "known_issues.csv").unlink()
    # with the same value, two copies agree
    copy["value"] = "10"
    write_table(path, TALLIES_SPEC, [*rows, copy])
    assert _audit(evidence_dir).query("check == 'copies_disagree'").empty


def test_window_after_publication_is_an_error(evidence_dir: Path) -> None:
    # src-b-2022 was published 2022-04-05; a window ending 2022-05-01 cannot come from it
    _edit(evidence_dir / "tallies.csv", "body_b-001", period_end="2022-05-01")
    findings = _audit(evidence_dir)
    late = findings[findings["check"] == "published_before_period_end"]
    assert late["tally_ids"].tolist() == ["body_b-001"]
    assert late["severity"].tolist() == ["error"]
    assert run_check(tallies_dir=evidence_dir, out=io.StringIO()) == 1


def test_stated_change_recomputed_and_known_issue_explained(evidence_dir: Path) -> None:
    write_table(
        evidence_dir / "stated_changes.csv",
        STATED_CHANGES_SPEC,
        [
            # Q1 40 -> Q2 30 is -25%: stated right
            {
                "change_id": "c1",
                "source_id": "src-a-2022",
                "from_tally_id": "body_a-001",
                "to_tally_id": "body_a-002",
                "stated_percent": "-25",
                "claim": "Synthetic.",
            },
            # Q2 30 -> Q3 20 is -33%: stated wrong
            {
                "change_id": "c2",
                "source_id": "src-a-2022",
                "from_tally_id": "body_a-002",
                "to_tally_id": "body_a-003",
                "stated_percent": "-54",
                "claim": "Synthetic.",
            },
        ],
    )
    out = io.StringIO()
    assert run_check(tallies_dir=evidence_dir, out=out) == 0
    assert run_check(tallies_dir=evidence_dir, strict=True, out=io.StringIO()) == 1
    assert "-54%" in out.getvalue() and "-33.3%" in out.getvalue()
    write_table(
        evidence_dir / "known_issues.csv",
        KNOWN_ISSUES_SPEC,
        [
            {
                "issue_id": "k1",
                "check": "stated_change",
                "tally_ids": "body_a-003;body_a-002",
                "explanation": "A synthetic misprint.",
            }
        ],
    )
    out = io.StringIO()
    assert run_check(tallies_dir=evidence_dir, strict=True, out=out) == 0
    # known findings collapse to a count; --show-known lists them with their explanation
    assert "1 known finding(s)" in out.getvalue() and "A synthetic misprint." not in out.getvalue()
    out = io.StringIO()
    assert run_check(tallies_dir=evidence_dir, strict=True, show_known=True, out=out) == 0
    assert "KNOWN" in out.getvalue() and "A synthetic misprint." in out.getvalue()


def test_new_findings_are_listed_apart_from_known_ones(evidence_dir: Path) -> None:
    write_table(
        evidence_dir / "known_issues.csv",
        KNOWN_ISSUES_SPEC,
        [
            {
                "issue_id": "k-late",
                "check": "copies_disagree",
                "tally_ids": "body_a-001;body_a-007",
                "explanation": "Explained synthetic disagreement.",
            }
        ],
    )
    path = evidence_dir / "tallies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # a second copy of Q1 (body_a-001, 40) printing 41
    copy = dict(rows[0], tally_id="body_a-007", source_id="src-b-2022", value="41")
    write_table(path, TALLIES_SPEC, [*rows, copy])
    _edit(path, "body_a-002", value="35")  # a new, unexplained sum finding
    out = io.StringIO()
    assert run_check(tallies_dir=evidence_dir, strict=True, out=out) == 1
    text = out.getvalue()
    new_part = text.split("New findings:")[1]
    assert "sub_period_sum" in new_part and "copies_disagree" not in new_part
    assert "1 known finding(s)" in text


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("moura-2022-03", "moura-2022-3", True),
        ("gao-convoy-2025-02", "gao-convoi-2025-02", True),
        ("tinzaouaten-strikes-2024-07", "tinzaouaten-strikes-2024-08", False),
        ("hombori-2022-04", "hombori-camp-2022-04", False),
        ("moura-2022-03", "moura-2022-03", False),
    ],
)
def test_incident_ids_that_nearly_match(a: str, b: str, near: bool) -> None:
    assert incident_ids_nearly_match(a, b) is near


def test_near_matching_incident_id_is_a_warning(evidence_dir: Path) -> None:
    path = evidence_dir / "tallies.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["incident_id"] = "attack-2022-01"
    rows[1]["incident_id"] = "attack-2022-01"
    rows[4]["incident_id"] = "atack-2022-01"
    write_table(path, TALLIES_SPEC, rows)
    findings = _audit(evidence_dir)
    near = findings[findings["check"] == "incident_near_match"]
    assert near["severity"].tolist() == ["warning"]
    assert near["tally_ids"].tolist() == [rows[4]["tally_id"]]
    assert "did you mean 'attack-2022-01'?" in near["message"].iloc[0]


def test_cli_exit_codes(evidence_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", "--dir", str(evidence_dir)]) == 0
    _edit(evidence_dir / "tallies.csv", "body_a-002", value="x")
    assert main(["data", "check", "--dir", str(evidence_dir)]) == 2
    err = capsys.readouterr().err
    assert "tallies.csv" in err and "line 3" in err and "'value'" in err
