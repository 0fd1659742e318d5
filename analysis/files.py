"""File helpers shared by every stage: checksums, atomic writes, spreadsheet-safe CSV.

Every file the project writes (reports, cache entries, exported tables) goes through
:func:`atomic_write` (or :func:`write_together`, for files that must change together), so an
interrupted run never leaves a half-written file behind.

A temporary file is named after the file it becomes and the process writing it
(``.<name>.<pid>.<random>.tmp``): one left behind by a process that was killed outright can be
proved stale (its process no longer exists) and is removed by the next run
(:func:`remove_stale_temporaries`). A folder that cannot be written (read-only, not this user's,
on a full disk) is reported as an :class:`analysis.errors.OutputError` naming the folder and
what to do, not as a bare ``OSError``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Literal

import pandas as pd

from analysis.errors import OutputError

__all__ = [
    "atomic_write",
    "write_together",
    "temporary_file",
    "temporary_folder",
    "remove_stale_temporaries",
    "process_alive",
    "output_error",
    "sha256_file",
    "to_safe_csv",
    "safe_csv_text",
    "neutralise_formula",
]

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file, read in binary and read-only."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


#: what to do about a folder that cannot be written, by the error's number
_WRITE_FAILURES = {
    errno.ENOSPC: "the disk is full: free some space there, or write somewhere else",
    errno.EDQUOT: "the disk quota is used up: free some space there, or write somewhere else",
    errno.EROFS: "the folder is on a read-only file system: write somewhere else",
    errno.EACCES: "this user may not write in the folder: change its permissions, or write "
    "somewhere else",
    errno.EPERM: "this user may not write in the folder: change its permissions, or write "
    "somewhere else",
}


def output_error(error: OSError, folder: str | os.PathLike[str]) -> OSError:
    """An :class:`analysis.errors.OutputError` for a failure to write in ``folder``
    (read-only, not writable, full disk), or ``error`` itself for any other failure."""
    if isinstance(error, OutputError) or error.errno not in _WRITE_FAILURES:
        return error
    return OutputError(
        f"cannot write here ({error.strerror or error}); {_WRITE_FAILURES[error.errno]}",
        folder=folder,
        errno=error.errno,
    )


#: a temporary file of :func:`temporary_file`: ``.<name>.<pid>.<8 random characters><suffix>``
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[a-z0-9_]{8}(?P<suffix>\.[a-z.]+)$")


def temporary_file(target: Path, suffix: str = ".tmp") -> Path:
    """Create an empty temporary file beside ``target``, named after it and this process.

    Raises
    ------
    analysis.errors.OutputError
        The folder cannot be created or written.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=suffix, dir=target.parent
        )
    except OSError as error:
        raise output_error(error, target.parent) from error
    os.close(fd)
    return Path(name)


def temporary_folder(target: Path, suffix: str) -> Path:
    """Create an empty temporary folder beside ``target``, named after it and this process
    (for files written by code that may outlive a stop: removing the folder makes its later
    writes fail instead of leaving files behind).

    Raises
    ------
    analysis.errors.OutputError
        The folder cannot be created.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(
            tempfile.mkdtemp(
                prefix=f".{target.name}.{os.getpid()}.", suffix=suffix, dir=target.parent
            )
        )
    except OSError as error:
        raise output_error(error, target.parent) from error


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (Linux: read from ``/proc``)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: the signal test is all there is
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def remove_stale_temporaries(
    folder: str | os.PathLike[str], *, depth: int = 1, finished: frozenset[int] = frozenset()
) -> list[Path]:
    """Remove the temporary files (and staging folders) that processes which no longer exist
    left in ``folder`` and, down to ``depth`` levels, its subfolders; return what was removed.

    Only names of the form :func:`temporary_file` gives are touched, and only when the process
    named in them is gone: a file being written by a live process is never removed.
    ``finished`` names processes to treat as gone too (a run that is stopping, once it has
    ended its children and abandoned its own writes).
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        pid = int(match["pid"]) if match is not None else 0
        if match is not None and (pid in finished or not process_alive(pid)):
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(Path(entry.path))
        elif depth > 0 and match is None and entry.is_dir(follow_symlinks=False):
            removed.extend(remove_stale_temporaries(entry.path, depth=depth - 1, finished=finished))
    return removed


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_together(contents: Mapping[Path, str | bytes]) -> None:
    """Write several files so that either all of them are replaced or none is.

    Each is written in full to a temporary file beside it first; only when every one is on
    disk are they renamed over their targets. If writing any of them fails, the temporaries
    are removed and every target is left as it was (a full disk, say, never leaves a new
    notebook beside an old page).

    Raises
    ------
    analysis.errors.OutputError
        A folder cannot be written (read-only, not writable, full disk).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, content in contents.items():
            tmp = temporary_file(target)
            staged.append((tmp, target))
            with open(tmp, "wb") as handle:
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
        for folder in {target.parent for _, target in staged}:
            _fsync_folder(folder)
    except OSError as error:
        raise output_error(error, staged[-1][1].parent if staged else Path(".")) from error
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["w", "wb"] = "w",
    *,
    encoding: str | None = "utf-8",
) -> Iterator[IO]:
    """Write ``path`` all at once: into a temporary file beside it, then renamed over it.

    If the block raises, the temporary file is removed and ``path`` is left as it was. A
    folder that cannot be written raises :class:`analysis.errors.OutputError`.

    Examples
    --------
    >>> with atomic_write("out.txt") as fh:  # doctest: +SKIP
    ...     fh.write("done")
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    tmp = temporary_file(target)
    try:
        if mode == "wb":
            handle = open(tmp, "wb")
        else:
            handle = open(tmp, "w", encoding=encoding, newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as error:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise output_error(error, target.parent) from error
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a formula after a separator: a spreadsheet that splits at another separator than the file's
# (``;`` in much of Europe, tab when pasted) starts a new cell there
_AFTER_SEPARATOR = re.compile(r"([,;\t|]\s*)(?=[=+\-@])")


def neutralise_formula(value: object) -> object:
    """Neutralise a text cell that a spreadsheet would run as a formula with a single quote.

    Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a ``'``
    prefix (OWASP's advice on CSV injection); so does any ``=``, ``+``, ``-`` or ``@`` that
    follows a separator (``,``, ``;``, tab or ``|``, then optional spaces) inside the cell, since
    a spreadsheet splitting at that separator would start a new cell there. Numbers are left
    alone: a negative *number* is not text.

    Examples
    --------
    >>> neutralise_formula("=1+1"), neutralise_formula("Gao;=1+1"), neutralise_formula(-3)
    ("'=1+1", "Gao;'=1+1", -3)
    """
    if not isinstance(value, str):
        return value
    text = _AFTER_SEPARATOR.sub(r"\1'", value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _neutralised_index(index: pd.Index) -> pd.Index:
    """Index labels (or a header) with formula-like text neutralised, names included."""
    if isinstance(index, pd.MultiIndex):
        levels = [_neutralised_index(level) for level in index.levels]
        out = index.set_levels(levels)
    elif index.dtype == object or pd.api.types.is_string_dtype(index):
        out = index.map(neutralise_formula)
    else:
        out = index
    return out.set_names([neutralise_formula(name) for name in index.names])


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if (
            series.dtype == object
            or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype)
        ):
            safe[column] = series.map(neutralise_formula)
    safe.columns = _neutralised_index(safe.columns)
    safe.index = _neutralised_index(safe.index)
    return safe


def safe_csv_text(frame: pd.DataFrame) -> str:
    """The CSV text of a table for spreadsheet users (formula-like text neutralised, no
    index, CRLF records), for a file or a download link in a page."""
    return _neutralised(frame).to_csv(index=False, lineterminator="\r\n")


def to_safe_csv(frame: pd.DataFrame, path: str | os.PathLike[str], **to_csv_kwargs) -> Path:
    """Export a table for spreadsheet users: formula-like text neutralised, written atomically.

    Records end with CRLF (RFC 4180) unless ``lineterminator`` is given: Python's CSV writer
    quotes a field holding a character of the line terminator, so a cell with a bare carriage
    return is quoted instead of splitting its row in two.
    """
    safe = _neutralised(frame)
    to_csv_kwargs.setdefault("index", False)
    to_csv_kwargs.setdefault("lineterminator", "\r\n")
    with atomic_write(path) as handle:
        safe.to_csv(handle, **to_csv_kwargs)
    return Path(path)
