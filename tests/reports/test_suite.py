"""The suite file: expansion, conditional items, validation, and safe report names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import ParameterError, ReportError
from analysis.reports import suite as suite_module
from analysis.reports.runner import report_dir
from analysis.reports.suite import (
    adhoc_name,
    expand_suite,
    find_event_exports,
    incidents_with_min_bodies,
    load_suite,
    make_job,
    safe_name,
)
from analysis.sources.formats import ACCEPTED

SHIPPED_SUITE = Path(__file__).resolve().parents[2] / "reports" / "suite.yml"


def _synthetic_tallies() -> pd.DataFrame:
    """Synthetic evidence rows: incident a has three bodies, b two, c one (twice), d none."""
    rows = [
        ("t-001", "a", "hrw"),
        ("t-002", "a", "ohchr"),
        ("t-003", "a", "acled"),
        ("t-004", "b", "hrw"),
        ("t-005", "b", "gov_mali"),
        ("t-006", "c", "hrw"),
        ("t-007", "c", "hrw"),
        ("t-008", None, "minusma"),
        ("t-009", None, "un_sg"),
    ]
    return pd.DataFrame(rows, columns=["tally_id", "incident_id", "reporting_body"]).astype(
        {"incident_id": "string", "reporting_body": "string"}
    )


@pytest.fixture
def synthetic_tallies(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.sources.tallies as tallies

    monkeypatch.setattr(tallies, "load_tallies", lambda path=None, **kw: _synthetic_tallies())


@given(st.text())
def test_safe_names_never_leave_the_output_folder(text: str) -> None:
    name = safe_name(text)
    assert name and len(name) <= 100
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    root = Path("/srv/reports")
    assert (root / name).resolve().parent == root


def test_traversal_in_a_parameter_is_neutralised(tmp_path: Path) -> None:
    name = adhoc_name("incident", {"incident_id": "../../etc"})
    assert name == "incident-incident_id-etc"
    assert report_dir(tmp_path, name).parent == tmp_path.resolve()
    job = make_job("incident", {"incident_id": "../../etc/passwd"})
    assert ".." not in job.name and "/" not in job.name
    with pytest.raises(ReportError, match="not a safe file name"):
        report_dir(tmp_path, "../escape")


def test_long_names_are_cut_but_stay_distinct() -> None:
    first, second = safe_name("x" * 300 + "1"), safe_name("x" * 300 + "2")
    assert len(first) == len(second) == 100 and first != second


def test_foreach_makes_one_report_per_incident_with_enough_bodies(synthetic_tallies) -> None:
    assert incidents_with_min_bodies(2) == ["a", "b"]
    assert incidents_with_min_bodies(3) == ["a"]
    suite = expand_suite(
        [{"name": "incident-{incident_id}", "notebook": "incident",
          "foreach": {"incidents_with_min_bodies": 2}, "parameters": {"about_width": 0.2}}]
    )  # fmt: skip
    assert [job.name for job in suite.jobs] == ["incident-a", "incident-b"]
    assert [job.parameters["incident_id"] for job in suite.jobs] == ["a", "b"]
    assert all(job.parameters["about_width"] == 0.2 for job in suite.jobs)


def test_event_trends_joins_only_with_an_export(tmp_path: Path) -> None:
    from analysis.testing import write_hdx_workbook, write_ucdp_ged_csv

    item = {"name": "event_trends", "notebook": "event_trends", "when": "event_export"}
    aggregates = {
        "name": "aggregate_trends",
        "notebook": "aggregate_trends",
        "when": "aggregate_export",
    }
    (tmp_path / "acled").mkdir()
    (tmp_path / "ucdp").mkdir()
    (tmp_path / "acled" / ".gitkeep").write_text("", encoding="utf-8")
    empty = expand_suite([item, aggregates], raw_dir=tmp_path)
    assert empty.jobs == []
    assert "under data/raw/" in empty.notes[0].message
    assert "events_path" in empty.notes[0].message
    assert "aggregates_path" in empty.notes[1].message
    # recognised by content, whatever the folder: a UCDP file in acled/, an HDX workbook at the top
    export = write_ucdp_ged_csv(tmp_path / "acled" / "ged_mali.txt", n_events=5, seed=1)
    book = write_hdx_workbook(tmp_path / "mali.xlsx", n_events=20, seed=1)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 SYNTHETIC")
    assert find_event_exports(tmp_path) == [(export, "ucdp")]
    joined = expand_suite([item, aggregates], raw_dir=tmp_path)
    assert [note.message for note in joined.notes] == [
        "data/raw/notes.pdf was not read: not a table this project reads: it looks like a PDF "
        "document; accepted: " + ACCEPTED
    ]
    (job, aggregate_job) = joined.jobs
    assert job.parameters["events_path"] == str(export.resolve())
    assert job.parameters["source"] == "ucdp"
    assert (export, "event export") in [(Path(p).resolve(), r) for p, r in job.inputs]
    assert aggregate_job.notebook == "aggregate_trends"
    assert aggregate_job.parameters["aggregates_path"] == str(book.resolve())
    assert (book, "aggregate table") in [(Path(p).resolve(), r) for p, r in aggregate_job.inputs]


def test_relative_paths_in_a_suite_file_are_the_suite_folder_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.testing import write_acled_csv

    folder = tmp_path / "study"
    folder.mkdir()
    export = write_acled_csv(folder / "export.csv", n_events=5, seed=1)
    suite = folder / "suite.yml"
    suite.write_text(
        "- name: mine\n  notebook: event_trends\n  parameters:\n    events_path: export.csv\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # elsewhere: the path is the suite file's folder's
    (job,) = load_suite(suite, raw_dir=tmp_path / "raw").jobs
    assert job.parameters["events_path"] == str(export.resolve())


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ({"notebook": "incident"}, "a YAML list"),
        ([{"notebook": "incident", "params": {}}], "unknown key(s) params"),
        ([{"name": "x"}], "'notebook' must name a notebook"),
        ([{"notebook": "nope"}], "unknown notebook 'nope'"),
        ([{"notebook": "incident", "parameters": {"incident": "x"}}], "unknown parameter"),
        ([{"notebook": "incident"}, {"notebook": "incident"}], "names used twice: incident"),
        ([{"notebook": "event_trends", "when": "always"}], "only event_export or aggregate_export"),
        ([{"notebook": "incident", "foreach": {"incidents": 2}}], "incidents_with_min_bodies"),
        (
            [{"notebook": "source_comparison",
              "parameters": {"start": "2024-01-01", "end": "2020-01-01"}}],
            "item 1 (source_comparison): source_comparison: end (2020-01-01) is before start",
        ),
    ],
)  # fmt: skip
def test_bad_suite_files_are_refused(tmp_path: Path, items: object, message: str) -> None:
    import yaml

    path = tmp_path / "suite.yml"
    path.write_text(yaml.safe_dump(items), encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        load_suite(path, raw_dir=tmp_path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_the_shipped_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synthetic_tallies
) -> None:
    suite = load_suite(SHIPPED_SUITE, raw_dir=tmp_path)
    by_name = {job.name: job for job in suite.jobs}
    comparison = by_name["source_comparison-mali-2020-2024"]
    assert comparison.parameters["country"] == "Mali"
    assert (comparison.parameters["start"], comparison.parameters["end"]) == (
        "2020-01-01",
        "2024-12-31",
    )
    assert by_name["before_after"].parameters["arrival_date"] == "2021-12-01"
    assert {"incident-a", "incident-b"} <= set(by_name)
    assert [note.notebook for note in suite.notes] == ["event_trends", "aggregate_trends"]


def test_unreadable_evidence_table_is_a_clear_suite_error(tmp_path: Path) -> None:
    items = [{"notebook": "incident", "foreach": {"incidents_with_min_bodies": 2},
              "parameters": {"tallies_dir": str(tmp_path)}}]  # fmt: skip
    with pytest.raises(ParameterError, match="cannot list the incidents"):
        expand_suite(items)


def test_module_exports_exist() -> None:
    assert all(hasattr(suite_module, name) for name in suite_module.__all__)
