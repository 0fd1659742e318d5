"""A ``tallies report`` stopped by a signal, at several points, leaves nothing running and
nothing half-written.

Real signals go to a real ``tallies report`` process (a fresh Python running the command on the
SYNTHETIC fixture notebook ``waits``, see tests/report_processes.py): while its kernel server is
still importing, while a cell runs in the command's own process (``--jobs 1``), while cells run
in two worker processes (``--jobs 2``), and ``SIGKILL`` (no clean-up possible) of the command
alone and of its whole process group. Every process of the run is read from ``/proc`` before
the signal and checked afterwards; the output folder and the temporary folder are checked for
leftovers.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.report_processes import (
    descendants,
    finish,
    kernel_folders,
    log_text,
    start_report,
    survivors,
    temporaries,
    wait_for,
)

pytestmark = pytest.mark.notebook


def _suite(folder: Path, seconds: float = 60.0) -> Path:
    """A suite of two waiting reports (SYNTHETIC), each writing a marker when its cell runs."""
    suite = folder / "suite.yml"
    suite.write_text(
        "".join(
            f"- name: wait{n}\n  notebook: waits\n"
            f"  parameters: {{marker: {folder / f'running{n}'}, seconds: {seconds}}}\n"
            for n in (1, 2)
        ),
        encoding="utf-8",
    )
    return suite


def _assert_stopped_cleanly(process, code: int, log: Path, output: Path, pids: set[int]) -> None:
    assert finish(process) == code, log_text(log)
    lines = [line for line in log_text(log).splitlines() if line.startswith("tallies:")]
    name = signal.Signals(code - 128).name
    assert len(lines) == 1 and f"stopped by {name}" in lines[0], log_text(log)
    assert "Traceback" not in log_text(log)
    assert survivors(pids) == set(), "no child of the run survives it"
    assert temporaries(output) == []
    assert kernel_folders(pids | {process.pid}) == []
    pages = [page for page in output.rglob("*.html") if page.name != "index.html"]
    assert not pages, "no report finished, none half-written"


def test_sigterm_while_the_kernel_server_imports(tmp_path: Path) -> None:
    output, log = tmp_path / "reports", tmp_path / "err.txt"
    process = start_report(["--notebook", "waits", "-p", "seconds=60"], output, log)
    wait_for(lambda: "rendering 1 report" in log_text(log), what="the run to start")
    pids = descendants(process.pid)
    assert pids, "the kernel server is running"
    process.send_signal(signal.SIGTERM)
    _assert_stopped_cleanly(process, 128 + signal.SIGTERM, log, output, pids)


def test_sigint_while_a_cell_runs_in_the_command(tmp_path: Path) -> None:
    output, log = tmp_path / "reports", tmp_path / "err.txt"
    marker = tmp_path / "running"
    process = start_report(
        ["--notebook", "waits", "-p", f"marker={marker}", "-p", "seconds=60", "--jobs", "1"],
        output,
        log,
    )
    wait_for(marker.exists, what="the cell to run")
    pids = descendants(process.pid)
    kernel = int(marker.read_text())
    assert kernel in pids
    assert temporaries(output), "the running notebook is being written"
    process.send_signal(signal.SIGINT)
    _assert_stopped_cleanly(process, 128 + signal.SIGINT, log, output, pids)


def test_sigterm_while_cells_run_in_two_workers(tmp_path: Path) -> None:
    output, log = tmp_path / "reports", tmp_path / "err.txt"
    process = start_report(["--suite", str(_suite(tmp_path)), "--jobs", "2"], output, log)
    markers = [tmp_path / "running1", tmp_path / "running2"]
    wait_for(lambda: all(m.exists() for m in markers), what="both cells to run")
    pids = descendants(process.pid)
    kernels = {int(m.read_text()) for m in markers}
    assert kernels <= pids and len(pids) >= 5, "server, two workers, two kernels"
    process.send_signal(signal.SIGTERM)
    _assert_stopped_cleanly(process, 128 + signal.SIGTERM, log, output, pids)


def test_after_sigkill_the_children_end_on_their_own(tmp_path: Path) -> None:
    output, log = tmp_path / "reports", tmp_path / "err.txt"
    process = start_report(["--suite", str(_suite(tmp_path)), "--jobs", "2"], output, log)
    markers = [tmp_path / "running1", tmp_path / "running2"]
    wait_for(lambda: all(m.exists() for m in markers), what="both cells to run")
    pids = descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    assert finish(process) == -signal.SIGKILL
    assert survivors(pids) == set(), "server, workers and kernels end when the command dies"
    # the workers, told by the kernel, removed what they were writing
    assert temporaries(output) == []


def test_the_next_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    output, log = tmp_path / "reports", tmp_path / "err.txt"
    process = start_report(
        ["--suite", str(_suite(tmp_path)), "--jobs", "2"], output, log, new_session=True
    )
    markers = [tmp_path / "running1", tmp_path / "running2"]
    wait_for(lambda: all(m.exists() for m in markers), what="both cells to run")
    pids = descendants(process.pid)
    os.killpg(process.pid, signal.SIGKILL)  # the command, its workers and server at once
    assert finish(process) == -signal.SIGKILL
    assert survivors(pids) == set(), "the kernels end when their server dies"
    left = temporaries(output)
    assert len(left) == 2, "nobody could clean up: the two running notebooks stay"

    again = start_report(["--notebook", "waits", "--name", "next"], output, tmp_path / "e2.txt")
    assert finish(again) == 0, log_text(tmp_path / "e2.txt")
    said = log_text(tmp_path / "e2.txt")
    assert "removed 2 temporary files left by an interrupted run" in said
    assert temporaries(output) == []
    assert kernel_folders(pids | {process.pid}) == []
    assert (output / "next" / "next.html").is_file()


def test_reports_finished_before_a_stop_are_in_the_index(tmp_path: Path) -> None:
    """SYNTHETIC suite: a quick report, then one that waits; the stop comes while it waits."""
    import json

    marker = tmp_path / "running"
    suite = tmp_path / "suite.yml"
    suite.write_text(
        "- name: quick\n  notebook: waits\n"
        f"- name: slow\n  notebook: waits\n  parameters: {{marker: {marker}, seconds: 60}}\n",
        encoding="utf-8",
    )
    output, log = tmp_path / "reports", tmp_path / "err.txt"
    process = start_report(["--suite", str(suite), "--jobs", "1"], output, log)
    wait_for(marker.exists, what="the second report's cell to run")
    process.send_signal(signal.SIGTERM)
    assert finish(process) == 128 + signal.SIGTERM, log_text(log)
    assert "listed in the index" in log_text(log)
    listed = json.loads((output / "index.json").read_text(encoding="utf-8"))["reports"]
    assert [(entry["name"], entry["status"]) for entry in listed] == [("quick", "ok")]
    assert "quick" in (output / "index.html").read_text(encoding="utf-8")
    assert temporaries(output) == []
