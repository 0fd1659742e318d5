"""Disks that refuse writes: a read-only output folder, a full disk.

The project's own error (analysis.errors.OutputError: the folder, what to do) instead of a
traceback; nothing half-written; a report either fully replaced or left as it was, with the
index marking the failure.

A full disk is a small tmpfs mounted for the test (the tests run as root in the project's
container). Where mounting is refused, the same faults are made by a monkeypatched ``fsync``
that reports ENOSPC, as a full disk does when the written data reach it; a read-only folder is
then a folder without write permission (``chmod``, written to as ``nobody`` when the tests run
as root, since root ignores permissions); that case runs as well, as a third way.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import pkgutil
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import files
from analysis.cli import main
from analysis.errors import OutputError
from analysis.reports.declarations import NOTEBOOKS
from tests.report_processes import FIXTURES, WAITS, temporaries

pytestmark = pytest.mark.notebook


def _mount(folder: Path, options: str) -> bool:
    """Mount a tmpfs on ``folder``; False if this system refuses."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@contextlib.contextmanager
def _small_disk(folder: Path, size_kib: int) -> Iterator[bool]:
    """A tmpfs of ``size_kib`` KiB on ``folder`` (yields True), or the folder as it is (False)."""
    mounted = shutil.which("mount") is not None and _mount(folder, f"size={size_kib}k,mode=755")
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the disk holding ``folder`` until about ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free
    (folder / "filler").write_bytes(b"\0" * max(0, free - leave))


def _report(output: Path, *extra: str) -> list[str]:
    return ["report", "--notebook", "waits", "--name", "waits", "--jobs", "1", *extra,
            "--output-dir", str(output), "--notebooks-dir", str(FIXTURES)]  # fmt: skip


@pytest.fixture
def waits_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(NOTEBOOKS, "waits", WAITS)


def _disk_full_at_fsync(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Stand-in for a full disk: ``fsync`` of a file larger than ``limit`` bytes fails."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.fstat(fd).st_size > limit:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)


def test_a_failed_rerun_on_a_full_disk_keeps_the_previous_report(
    tmp_path: Path,
    waits_notebook: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    output = tmp_path / "disk"
    with _small_disk(output, 1024) as mounted:
        assert main(_report(output)) == 0
        page = (output / "waits" / "waits.html").read_bytes()
        notebook = (output / "waits" / "waits.ipynb").read_bytes()
        assert len(page) > 100_000  # the page is the large file: it will not fit
        if mounted:
            _fill(output, leave=64 * 1024)
        else:
            _disk_full_at_fsync(monkeypatch, limit=64 * 1024)
        capsys.readouterr()
        assert main(_report(output, "-p", "seconds=0.01")) == 1
        err = capsys.readouterr().err
        assert "the disk is full" in err and str(output / "waits") in err
        # the previous pair, untouched: never a new notebook beside an old page
        assert (output / "waits" / "waits.html").read_bytes() == page
        assert (output / "waits" / "waits.ipynb").read_bytes() == notebook
        assert temporaries(output) == []
        index = (output / "index.html").read_text(encoding="utf-8")
        assert "<h2>Failed</h2>" in index and "the disk is full" in index
        assert 'href="waits/waits.html">page of an earlier run (kept)' in index

        # no room even for the index: the project's error, naming the folder
        if mounted:
            (output / "filler").unlink()
            _fill(output, leave=0)
        else:
            _disk_full_at_fsync(monkeypatch, limit=0)
        before = (output / "index.json").read_bytes()
        assert main(_report(output, "-p", "seconds=0.02")) == 2
        err = capsys.readouterr().err
        assert f"tallies: error: {output}: cannot write here" in err
        assert "the disk is full: free some space there, or write somewhere else" in err
        assert "Traceback" not in err
        assert (output / "index.json").read_bytes() == before
        assert temporaries(output) == []


def test_writes_on_a_full_disk_raise_the_projects_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both writers (atomic_write, write_together), and neither leaves a temporary behind."""
    disk = tmp_path / "disk"
    with _small_disk(disk, 64) as mounted:
        if not mounted:
            _disk_full_at_fsync(monkeypatch, limit=0)
        (disk / "kept.txt").write_text("before", encoding="utf-8")
        if mounted:
            _fill(disk, leave=0)
        with pytest.raises(OutputError) as caught, files.atomic_write(disk / "kept.txt") as out:
            out.write("x" * 200_000)
        assert caught.value.errno == errno.ENOSPC and caught.value.folder == str(disk)
        with pytest.raises(OutputError):
            files.write_together({disk / "a.txt": "a" * 200_000, disk / "kept.txt": "new"})
        assert (disk / "kept.txt").read_text(encoding="utf-8") == "before"
        assert sorted(p.name for p in disk.iterdir()) == sorted(
            ["kept.txt"] + (["filler"] if mounted else [])
        )


@contextlib.contextmanager
def _as_nobody() -> Iterator[None]:
    """Within the block, this process acts as ``nobody`` if it runs as root (who ignores
    permissions), so that a folder without write permission refuses its writes."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def _import_command_modules() -> None:
    """Import every module of the package (the command imports some lazily)."""
    import analysis

    for module in pkgutil.walk_packages(analysis.__path__, "analysis."):
        if not module.name.startswith("analysis._shipped"):
            importlib.import_module(module.name)


@pytest.mark.parametrize("how", ["read-only tmpfs", "read-only bind mount", "no write permission"])
def test_a_read_only_output_folder_is_the_projects_error(
    how: str, waits_notebook: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # a folder anyone may enter (the command may act as another user), removed at the end
    parent = Path(tempfile.mkdtemp(prefix="tallies-read-only-"))
    os.chmod(parent, 0o755)
    output = parent / "reports"
    output.mkdir()
    mounted = False
    try:
        if how == "read-only tmpfs":
            mounted = _mount(output, "size=64k,mode=755,ro")
        elif how == "read-only bind mount":
            mounted = (
                subprocess.run(
                    ["mount", "--bind", str(output), str(output)], check=False
                ).returncode
                == 0
            )
            if mounted:
                subprocess.run(["mount", "-o", "remount,bind,ro", str(output)], check=True)
        if not mounted:  # refused (not root): permissions stand in for the mount
            os.chmod(output, 0o555)
        if not mounted:
            # as nobody the process may not read a private checkout (a clone in a 0700
            # folder): the package's modules, some imported lazily, are loaded first
            _import_command_modules()
        with _as_nobody() if not mounted else contextlib.nullcontext():
            code = main(_report(output, "--no-preload"))
        err = capsys.readouterr().err
        assert code == 2, err
        assert err.startswith(f"tallies: error: {output}: cannot write here (")
        expected = "read-only file system" if mounted else "may not write in the folder"
        assert expected in err and "write somewhere else" in err
        assert "Traceback" not in err
        assert list(output.iterdir()) == []
    finally:
        if mounted:
            subprocess.run(["umount", str(output)], check=True)
        os.chmod(output, 0o755)
        shutil.rmtree(parent)
