"""File helpers shared by every stage: checksums, atomic writes, spreadsheet-safe CSV.

Every file the project writes (reports, cache entries, exported tables) goes through
:func:`atomic_write`, so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal

import pandas as pd

__all__ = ["atomic_write", "sha256_file", "to_safe_csv", "safe_csv_text", "neutralise_formula"]

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex sha256 of a file, read in binary and read-only."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: Literal["w", "wb"] = "w",
    *,
    encoding: str | None = "utf-8",
) -> Iterator[IO]:
    """Write ``path`` all at once: into a temporary file beside it, then renamed over it.

    If the block raises, the temporary file is removed and ``path`` is left as it was.

    Examples
    --------
    >>> with atomic_write("out.txt") as fh:  # doctest: +SKIP
    ...     fh.write("done")
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        if mode == "wb":
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with a single quote.

    Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are neutralised
    (OWASP's advice on CSV injection). Numbers are left alone: a negative *number* is not text.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formula)
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
