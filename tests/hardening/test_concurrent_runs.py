"""Two runs into one output folder: the second waits for the first (or fails with --no-wait),
and the index lists the reports of both.

Real ``tallies report`` processes on the SYNTHETIC fixture notebook ``waits`` (see
tests/report_processes.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.reports.declarations import NOTEBOOKS
from analysis.reports.lock import output_lock
from tests.report_processes import WAITS, finish, log_text, start_report, wait_for

pytestmark = pytest.mark.notebook


def _names(output: Path) -> list[str]:
    manifest = json.loads((output / "index.json").read_text(encoding="utf-8"))
    return sorted(entry["name"] for entry in manifest["reports"])


def test_two_runs_at_once_both_stay_in_the_index(tmp_path: Path) -> None:
    output = tmp_path / "reports"
    marker, release = tmp_path / "first-running", tmp_path / "release"
    first = start_report(
        ["--notebook", "waits", "--name", "first", "-p", f"marker={marker}",
         "-p", f"release={release}", "-p", "seconds=120"],
        output,
        tmp_path / "first.txt",
    )  # fmt: skip
    wait_for(marker.exists, what="the first run's cell")
    # the second run, a suite (which used to replace the index's list), starts meanwhile
    suite = tmp_path / "suite.yml"
    suite.write_text("- name: second\n  notebook: waits\n", encoding="utf-8")
    second = start_report(["--suite", str(suite)], output, tmp_path / "second.txt")
    wait_for(
        lambda: "waiting for it" in log_text(tmp_path / "second.txt"),
        what="the second run to wait",
    )
    assert f"another run (pid {first.pid}) is writing reports into {output}" in log_text(
        tmp_path / "second.txt"
    )
    release.touch()  # the first run's cell ends
    assert finish(first) == 0, log_text(tmp_path / "first.txt")
    assert finish(second) == 0, log_text(tmp_path / "second.txt")
    assert _names(output) == ["first", "second"]
    index = (output / "index.html").read_text(encoding="utf-8")
    assert 'href="first/first.html"' in index and 'href="second/second.html"' in index


def test_no_wait_fails_clearly_while_another_run_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(NOTEBOOKS, "waits", WAITS)
    output = tmp_path / "reports"
    with output_lock(output):  # another run holds the folder
        code = main(["report", "--notebook", "waits", "--no-wait", "--output-dir", str(output)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("tallies: error: another run (pid ")
    assert f"pid {os.getpid()}) is writing reports into {output}" in err
    assert "Traceback" not in err
    assert not (output / "index.json").exists()


def test_a_report_no_longer_in_the_folder_leaves_the_index(tmp_path: Path) -> None:
    """The index keeps earlier reports only while their files are there."""
    from analysis.reports.index import write_index
    from analysis.reports.provenance import RunInfo
    from analysis.reports.results import ReportResult

    info = RunInfo(version="0", commit=None, dirty=None, packages=(), run_date="2026-01-01")
    output = tmp_path / "reports"
    for name in ("kept", "removed"):
        (output / name).mkdir(parents=True)
        (output / name / f"{name}.html").write_text("<p>synthetic</p>", encoding="utf-8")
    earlier = [
        ReportResult(name, "waits", {}, "ok", 1.0, html=f"{name}/{name}.html")
        for name in ("kept", "removed")
    ]
    write_index(output, earlier, [], info)
    (output / "removed" / "removed.html").unlink()
    write_index(
        output, [ReportResult("new", "waits", {}, "ok", 1.0, html="new/new.html")], [], info
    )
    assert _names(output) == ["kept", "new"]
