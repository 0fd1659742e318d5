"""A parquet cache of parsed exports, keyed by the input's sha256 and the schema version.

A parsed file is stored as ``<cache dir>/<kind>-<key>.parquet``, where ``key`` is the sha256 of
the reader's kind, :data:`analysis.harmonize.schema.SCHEMA_VERSION`, the input file's sha256 and
the reader's options that change its output. The same facts are written into the parquet file's
metadata and checked again when it is read, so a cache entry is never trusted blindly:

* a changed input file has a different sha256, hence a different key: it is re-read;
* a new schema version changes every key: every file is re-read;
* an entry that cannot be read (truncated, corrupted, written by something else) or whose
  metadata or columns do not match is ignored with a warning, and the input is re-read and the
  entry rewritten.

Entries are written through :func:`analysis.files.atomic_write` (to a temporary file beside the
target, then renamed), so an interrupted run never leaves half an entry behind.

The cache folder is, in order of precedence: the ``cache_dir`` argument of a reader, the
environment variable ``TALLIES_CACHE_DIR``, or ``data/processed/`` under the project root (the
folder holding ``pyproject.toml``).
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from analysis.files import atomic_write
from analysis.harmonize.schema import SCHEMA_VERSION

__all__ = ["CacheWarning", "cache_path", "default_cache_dir", "cached_frame", "project_root"]

_META_KEY = b"tallies.cache"
ENV_VAR = "TALLIES_CACHE_DIR"


class CacheWarning(UserWarning):
    """A cache entry was unreadable or did not match, and was rebuilt."""


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` above the installed package (or the working dir)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


def default_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the cache folder: argument, then ``TALLIES_CACHE_DIR``, then ``data/processed``."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return project_root() / "data" / "processed"


def _key(kind: str, input_sha256: str, options: Mapping[str, object]) -> str:
    text = json.dumps(
        {
            "kind": kind,
            "schema": SCHEMA_VERSION,
            "input": input_sha256,
            "options": options,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_path(
    kind: str,
    input_sha256: str,
    options: Mapping[str, object] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Where the entry for this input and these options lives."""
    key = _key(kind, input_sha256, options or {})
    return default_cache_dir(cache_dir) / f"{kind}-{key[:40]}.parquet"


def _metadata(kind: str, input_sha256: str, options: Mapping[str, object]) -> dict[str, object]:
    return {
        "kind": kind,
        "schema_version": SCHEMA_VERSION,
        "input_sha256": input_sha256,
        "options": json.loads(json.dumps(options, sort_keys=True, default=str)),
    }


def _load(
    path: Path,
    expected: dict[str, object],
    restore: Callable[[pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame | None:
    import pyarrow.parquet as pq

    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"null"))
        if meta != expected:
            raise ValueError("the entry's metadata does not match the input")
        frame = restore(table.to_pandas())
    except Exception as exc:  # any failure means: do not trust it, re-read the input
        warnings.warn(
            f"ignoring the cache entry {path.name} ({type(exc).__name__}: {exc}); "
            "re-reading the input",
            CacheWarning,
            stacklevel=4,
        )
        return None
    return frame


def _store(frame: pd.DataFrame, path: Path, meta: dict[str, object]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    schema_meta = dict(table.schema.metadata or {})
    schema_meta[_META_KEY] = json.dumps(meta, sort_keys=True).encode("utf-8")
    table = table.replace_schema_metadata(schema_meta)
    with atomic_write(path, "wb") as handle:
        pq.write_table(table, handle, compression="lz4")


def cached_frame(
    kind: str,
    input_sha256: str,
    build: Callable[[], pd.DataFrame],
    *,
    restore: Callable[[pd.DataFrame], pd.DataFrame],
    options: Mapping[str, object] | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Return the parsed frame for an input, from the cache when a valid entry exists.

    Parameters
    ----------
    kind
        The reader (``"acled"``, ``"ucdp"``, ``"hdx"``), part of the key.
    input_sha256
        The input file's checksum.
    build
        Parses the input; called on a miss, and its result stored.
    restore
        Turns the frame read back from parquet into the reader's exact output (dtypes) and
        checks it; any exception it raises marks the entry as invalid.
    options
        The reader's options that change its output (part of the key).
    cache
        ``False`` bypasses the cache (neither read nor written).
    cache_dir
        Cache folder (see the module docstring for the default).
    """
    options = dict(options or {})
    if not cache:
        return build()
    path = cache_path(kind, input_sha256, options, cache_dir)
    meta = _metadata(kind, input_sha256, options)
    frame = _load(path, meta, restore)
    if frame is not None:
        return frame
    frame = build()
    try:
        _store(frame, path, meta)
    except OSError as exc:  # a read-only cache folder must not stop the analysis
        warnings.warn(f"could not write the cache entry {path}: {exc}", CacheWarning, stacklevel=3)
    return frame
