"""File helpers shared by every stage: checksums, atomic writes, spreadsheet-safe CSV.

Every file the project writes (reports, cache entries, exported tables) goes through
:func:`atomic_write`, so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
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
