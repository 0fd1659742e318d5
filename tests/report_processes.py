"""Real ``tallies report`` processes for the fault tests, and what they leave behind.

The runs render the SYNTHETIC fixture notebook ``tests/reports/fixtures/waits.ipynb``: it writes
its kernel's pid into a marker file (so a test knows a cell is running), then waits a given
time or until a release file exists. It declares its parameters in its own ``parameters`` cell,
which the command reads from ``--notebooks-dir``; :data:`LAUNCH` calls the ``tallies`` entry
point in a fresh Python process.

Processes are looked at through ``/proc`` only (no psutil): the descendants of a run are read
from ``/proc/<pid>/task/<tid>/children`` while it runs, and checked afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.reports.declarations import read_notebook_spec
from analysis.reports.lock import LOCK_NAME

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "reports" / "fixtures"

#: the declaration of the synthetic ``waits`` notebook, read from its ``parameters`` cell
WAITS = read_notebook_spec(FIXTURES / "waits.ipynb")

#: the command (the notebooks of ``--notebooks-dir`` declare their own parameters)
LAUNCH = """
import sys
from analysis.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_report(
    arguments: Sequence[str], output: Path, log: Path, *, new_session: bool = False
) -> subprocess.Popen[bytes]:
    """Start ``tallies report ARGUMENTS --output-dir OUTPUT`` on the fixture notebooks, its
    standard error going to ``log``."""
    command = [sys.executable, "-c", LAUNCH, "report", *arguments]
    command += ["--output-dir", str(output), "--notebooks-dir", str(FIXTURES)]
    with open(log, "wb") as err:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=new_session,
        )


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    """Poll ``condition`` until it holds (fails the test after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (children, their children, ...), from ``/proc``."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie, dead but not yet reaped, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def survivors(pids: set[int], timeout: float = 15.0) -> set[int]:
    """Those of ``pids`` still running after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = {pid for pid in pids if running(pid)}
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {pid for pid in alive if running(pid)}
    return alive


def temporaries(output: Path) -> list[str]:
    """Temporary files and folders under ``output``: anything hidden but the lock file."""
    return sorted(
        str(path.relative_to(output)) for path in output.rglob(".*") if path.name != LOCK_NAME
    )


def kernel_folders(pids: set[int]) -> list[str]:
    """The private kernel folders in the temporary folder that belong to ``pids``."""
    names = []
    for entry in Path(tempfile.gettempdir()).glob("tallies-kernel*-*"):
        match = re.match(r"^tallies-kernels?-([0-9]+)-", entry.name)
        if match and int(match[1]) in pids:
            names.append(entry.name)
    return names


def log_text(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")


def finish(process: subprocess.Popen[bytes], timeout: float = 60.0) -> int:
    """Wait for a run to end (kill it and fail if it does not)."""
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, 9)
        raise
