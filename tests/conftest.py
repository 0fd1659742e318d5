"""Settings for the whole test session.

No test writes into the user's folders. The parsed-export cache of every test (and of every
notebook and report a test runs, which inherit the environment) goes to a folder of the
session's own, and so does the user folder of an installed copy (``TALLIES_HOME``). Tests that
check where the cache goes by default unset the variable themselves. At the end of the session
the checkout's ``data/``, ``notebooks/`` and ``reports/`` are compared with what they held at
its start: a test that wrote there fails the run, naming the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import paths

_WATCHED = ("data", "notebooks", "reports")


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    files = {}
    for name in _WATCHED:
        for path in (root / name).rglob("*"):
            if path.is_file():
                stat = path.stat()
                files[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return files


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        root = paths.checkout_root()
        config._checkout_before = (root, _snapshot(root)) if root else None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    recorded = getattr(session.config, "_checkout_before", None)
    if recorded is None:
        return
    root, before = recorded
    after = _snapshot(root)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    if changed:
        shown = ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else "")
        session.config.get_terminal_reporter().write_line(
            f"FAILED: the tests wrote into the checkout's folders: {shown}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True, scope="session")
def _session_folders(tmp_path_factory: pytest.TempPathFactory):
    names = ("TALLIES_CACHE_DIR", "TALLIES_HOME")
    previous = {name: os.environ.get(name) for name in names}
    os.environ["TALLIES_CACHE_DIR"] = str(tmp_path_factory.mktemp("tallies-cache"))
    os.environ["TALLIES_HOME"] = str(tmp_path_factory.mktemp("tallies-home"))
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
