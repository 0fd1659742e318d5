"""One run at a time per output folder: a lock file that a second run waits for (or fails on).

Two runs writing into the same folder at once would each write the index from what they saw,
and the later one would drop the other's reports. :func:`output_lock` holds an exclusive
``fcntl`` lock on ``<output folder>/.tallies.lock`` for the whole run; the operating system
releases it when the holder exits, however it exits (even killed outright), so a lock is never
left stale. The file itself stays (removing it would let a waiting run and a new one lock two
different files); it holds the pid of the run that has it, to name it in the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from analysis.errors import ReportError
from analysis.files import output_error

__all__ = ["LOCK_NAME", "output_lock", "check_output_folder"]

LOCK_NAME = ".tallies.lock"


@contextlib.contextmanager
def output_lock(folder: Path, *, wait: bool = True, out: IO[str] | None = None) -> Iterator[None]:
    """Hold the output folder's lock within the block.

    Parameters
    ----------
    folder
        The output folder (created if missing).
    wait
        When another run holds the lock: wait for it (saying so on ``out``), or, if False,
        raise at once.
    out
        Where the waiting message goes (None: no message).

    Raises
    ------
    analysis.errors.ReportError
        Another run holds the lock and ``wait`` is False.
    analysis.errors.OutputError
        The folder cannot be created or written (read-only, not writable, full disk).
    """
    fd = _open_lock_file(folder)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise ReportError(
                    f"another run ({holder}) is writing reports into {folder}; wait for it to "
                    "finish, or choose another --output-dir"
                ) from None
            if out is not None:
                print(
                    f"another run ({holder}) is writing reports into {folder}; waiting for it "
                    "to finish (--no-wait: fail instead)",
                    file=out,
                    flush=True,
                )
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):  # a full disk must not stop the run here
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def check_output_folder(folder: Path) -> None:
    """Refuse at once a folder the run could not write in, leaving nothing behind.

    A probe file is created and removed in the folder (or, when it does not exist yet, in the
    nearest folder above it that does), so that a read-only or unwritable folder is the
    project's error before a single input is opened.

    Raises
    ------
    analysis.errors.OutputError
        The folder cannot be written (read-only, not writable, full disk).
    """
    try:
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        fd, probe = tempfile.mkstemp(prefix=".tallies-probe-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise output_error(error, folder) from error


def _open_lock_file(folder: Path) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise output_error(error, folder) from error


def _holder(fd: int) -> str:
    """``pid N`` as the lock file names it, or ``pid unknown``."""
    with contextlib.suppress(OSError, ValueError):
        return f"pid {int(os.pread(fd, 32, 0).decode().strip())}"
    return "pid unknown"
