"""A parquet cache of parsed exports, keyed by the input's sha256 and the schema version.

A parsed file is stored as ``<cache dir>/<kind>-<key>.parquet``, where ``key`` is the sha256 of
the reader's kind, :data:`analysis.harmonize.schema.SCHEMA_VERSION`, the input file's sha256 and
the reader's options that change its output. The same facts are written into the parquet file's
metadata and checked again when it is read, so a cache entry is never trusted blindly:

* a changed input file has a different sha256, hence a different key: it is re-read;
* a new schema version changes every key: every file is re-read;
* an entry that cannot be read (truncated, corrupted, written by something else) or whose
  metadata or columns do not match is ignored with a warning, and the input is re-read and the
  entry rewritten;
* each entry has a checksum of its own bytes beside it (``<entry>.sha256``), checked before
  the entry is used: an entry edited or damaged after it was written (even one still a valid
  parquet file with the right metadata) is discarded with a warning and rebuilt;
* an input that changes while it is read (its size, times or inode differ between the scan
  that began the read and the end of the parse or of the checksum) is refused with a
  :class:`analysis.errors.DataError` and nothing is stored for it, so an entry keyed by one
  content never holds another's values. (A rewrite of the same size within one tick of the
  file system's clock, a few milliseconds, can escape this test.)

Entries are written through :func:`analysis.files.atomic_write` (to a temporary file beside the
target, then renamed), so an interrupted run never leaves half an entry behind; temporaries left
by a process that was killed are removed when the folder is next used.

The cache folder is, in order of precedence: the ``cache_dir`` argument of a reader, the
environment variable ``TALLIES_CACHE_DIR``, or ``processed/`` in the data folder (``data/`` under
the project root, or ``TALLIES_DATA_DIR`` when set).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import queue
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.errors import DataError
from analysis.files import atomic_write, remove_stale_temporaries, sha256_file
from analysis.harmonize.schema import SCHEMA_VERSION
from analysis.sources._tabular import RawFile, stat_key

__all__ = [
    "CacheWarning",
    "cache_path",
    "checksum_path",
    "record_checksum",
    "check_checksum",
    "default_cache_dir",
    "cached_frame",
    "tidy",
]

_META_KEY = b"tallies.cache"
ENV_VAR = "TALLIES_CACHE_DIR"
#: the suffix of an entry's checksum file (``<entry>.sha256``: the sha256 of the entry's bytes)
CHECKSUM_SUFFIX = ".sha256"


class CacheWarning(UserWarning):
    """A cache entry was unreadable or did not match, and was rebuilt."""


def default_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the cache folder: argument, then ``TALLIES_CACHE_DIR``, then ``data/processed``.

    ``data/`` is the project's data folder, or ``TALLIES_DATA_DIR`` when set
    (:func:`analysis.paths.data_dir`): the parsed exports of another data folder are cached
    beside it, not in the checkout.
    """
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return paths.data_dir() / "processed"


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


def checksum_path(entry: Path) -> Path:
    """The file holding the sha256 of ``entry``'s bytes."""
    return entry.with_name(entry.name + CHECKSUM_SUFFIX)


def record_checksum(entry: Path) -> None:
    """Record the sha256 of a cached file just written (taken of the bytes on disk)."""
    with atomic_write(checksum_path(entry)) as handle:
        handle.write(sha256_file(entry) + "\n")


def _recorded_checksum(entry: Path) -> str:
    try:
        return checksum_path(entry).read_text(encoding="utf-8").strip()
    except OSError:
        raise ValueError("it has no checksum of its content") from None


def check_checksum(entry: Path) -> None:
    """Check a cached file against its recorded checksum (read in blocks).

    Raises
    ------
    ValueError
        No checksum is recorded, or the bytes do not match it (edited or damaged).
    """
    if sha256_file(entry) != _recorded_checksum(entry):
        raise ValueError("its content does not match its checksum (edited or damaged)")


def _verified_bytes(entry: Path) -> bytes:
    """The entry's bytes, once they match its recorded checksum (read once, for parsing).

    Raises
    ------
    ValueError
        No checksum is recorded, or the bytes do not match it (edited or damaged).
    """
    recorded = _recorded_checksum(entry)
    data = entry.read_bytes()
    if hashlib.sha256(data).hexdigest() != recorded:
        raise ValueError("its content does not match its checksum (edited or damaged)")
    return data


def _discard(entry: Path) -> None:
    """Remove an entry and its checksum."""
    for path in (entry, checksum_path(entry)):
        with contextlib.suppress(OSError):
            path.unlink()


def _load(
    path: Path,
    expected: dict[str, object] | None,
    restore: Callable[[pd.DataFrame], pd.DataFrame],
    *,
    quiet: bool = False,
) -> tuple[pd.DataFrame, dict[str, object]] | None:
    """Read an entry; ``None`` (with a warning) if it is unreadable, does not match its own
    checksum, or does not match the input.

    With ``quiet=True`` only check that a valid entry exists (checksum and metadata, no
    warning).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.is_file():
        return None
    if quiet:
        try:
            found = pq.read_schema(pa.BufferReader(_verified_bytes(path))).metadata or {}
            meta = json.loads(found.get(_META_KEY, b"null"))
        except Exception:
            return None
        return (pd.DataFrame(), meta) if meta == expected else None
    try:
        table = pq.read_table(pa.BufferReader(_verified_bytes(path)))
        meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"null"))
        if not isinstance(meta, dict) or (expected is not None and meta != expected):
            raise ValueError("the entry's metadata does not match the input")
        frame = restore(
            table.to_pandas(types_mapper={_int64(): pd.Int64Dtype()}.get, split_blocks=True)
        )
    except Exception as exc:  # any failure means: do not trust it, re-read the input
        warnings.warn(
            f"ignoring the cache entry {path.name} ({type(exc).__name__}: {exc}); "
            "re-reading the input",
            CacheWarning,
            stacklevel=4,
        )
        return None
    return frame, meta


def _int64() -> object:
    import pyarrow as pa

    return pa.int64()


def _index_path(folder: Path, kind: str, source: Path, options: Mapping[str, object]) -> Path:
    text = json.dumps([kind, str(source.resolve()), options], sort_keys=True, default=str)
    return folder / "index" / f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"


#: An input's stat is trusted to stand for its content only if the file had not changed for
#: this long when it was hashed (the "racy git" rule: a change within the same tick of the
#: file system's clock could otherwise leave size and times as they were).
SETTLE_SECONDS = 10.0


def _hint(index: Path, stat: os.stat_result) -> dict[str, object] | None:
    """What the last read of this file recorded, if its stat is unchanged since."""
    try:
        hint = json.loads(index.read_text(encoding="utf-8"))
        if isinstance(hint, dict) and hint.get("stat") == stat_key(stat):
            return hint
    except (OSError, ValueError):
        return None
    return None


def _remember(index: Path, source: RawFile, entry: Path) -> None:
    stat = source.stat
    changed = max(stat.st_mtime, stat.st_ctime)
    settled = source.hash_started is not None and source.hash_started - changed > SETTLE_SECONDS
    record = {
        "stat": stat_key(stat),
        "entry": entry.name,
        "sha256": source.sha256,
        "settled": settled,
    }
    try:
        with atomic_write(index) as handle:
            json.dump(record, handle)
    except OSError:
        pass


def _store(frame: pd.DataFrame | object, path: Path, meta: dict[str, object]) -> None:
    """Write an entry (a DataFrame, or an Arrow table already in the reader's final shape)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if isinstance(frame, BatchSink):
        _store_stream(frame, path, meta)
        record_checksum(path)
        return
    if isinstance(frame, pa.Table):
        table = frame
    else:
        assert isinstance(frame, pd.DataFrame)
        table = pa.Table.from_pandas(frame, preserve_index=False)
    schema = _with_meta(table.schema, meta)
    with atomic_write(path, "wb") as handle:
        # row groups of 128k rows bound the writer's memory; only categories are
        # dictionary-encoded (free text such as notes is written plain)
        pq.write_table(
            table.replace_schema_metadata(schema.metadata),
            handle,
            compression="lz4",
            row_group_size=_ROW_GROUP,
            use_dictionary=_categorical(schema),
            write_statistics=False,  # no predicate pushdown on a cache entry
        )
    record_checksum(path)


_ROW_GROUP = 1 << 17


def _with_meta(schema: object, meta: dict[str, object]) -> object:
    import pyarrow as pa

    assert isinstance(schema, pa.Schema)
    schema_meta = dict(schema.metadata or {})
    schema_meta[_META_KEY] = json.dumps(meta, sort_keys=True).encode("utf-8")
    return schema.with_metadata(schema_meta)


def _categorical(schema: object) -> list[str]:
    import pyarrow as pa

    assert isinstance(schema, pa.Schema)
    return [f.name for f in schema if pa.types.is_dictionary(f.type)]


def _row_group(batches: list[object], schema: object) -> object:
    """Batches as one table whose dictionary columns share one dictionary, so that the writer
    keeps them dictionary-encoded (with a new dictionary per batch it would fall back to plain
    text, which the reader then has to encode again)."""
    import pyarrow as pa

    return pa.Table.from_batches(batches, schema=schema).unify_dictionaries()


def _store_stream(sink: BatchSink, path: Path, meta: dict[str, object]) -> None:
    """Write streamed record batches as an entry, in row groups of about 128k rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _with_meta(sink.schema, meta)
    with atomic_write(path, "wb") as handle:
        writer = pq.ParquetWriter(
            handle,
            schema,
            compression="lz4",
            use_dictionary=_categorical(schema),
            write_statistics=False,
        )
        try:
            group: list[object] = []
            rows = 0
            for batch in sink.batches():
                assert isinstance(batch, pa.RecordBatch)
                group.append(batch)
                rows += batch.num_rows
                if rows >= _ROW_GROUP:
                    writer.write_table(_row_group(group, schema))
                    group, rows = [], 0
            if group:
                writer.write_table(_row_group(group, schema))
        finally:
            writer.close()


class EarlyWrite:
    """Lets a reader hand over its final Arrow table before converting it to pandas.

    The entry is then written on a background thread while the reader builds its DataFrame;
    :func:`cached_frame` waits for the write before returning, so an entry exists as soon as
    the read has returned, as without it. A reader that finds it must still change the data
    (e.g. duplicates to resolve) calls :meth:`discard`, and the final frame is written instead.
    """

    def __init__(self, write: Callable[[object], Path | None]) -> None:
        self._write = write
        self._future: Future[Path | None] | None = None
        self._sink: BatchSink | None = None
        self.discarded = False

    def start(self, table: object) -> None:
        """Write this (complete) Arrow table as the entry."""
        if self._future is None and not self.discarded:
            self._future = _EARLY.submit(self._write, table)

    def stream(self, schema: object) -> BatchSink:
        """Write the entry from record batches handed over one by one (see :class:`BatchSink`);
        the writer waits for the input's checksum, then writes as the batches come."""
        sink = BatchSink(schema)
        self._sink = sink
        if self._future is None and not self.discarded:
            self._future = _EARLY.submit(self._write, sink)
        else:
            sink.abort()
        return sink

    def discard(self) -> None:
        """Give up the early entry (a streamed one is removed); the final frame is written."""
        self.discarded = True
        if self._sink is not None:
            self._sink.abort()

    @property
    def started(self) -> bool:
        return self._future is not None

    def wait(self) -> Path | None:
        return None if self._future is None else self._future.result()


_EARLY = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tallies-cache")


class _Aborted(Exception):
    """The reader gave up the streamed entry (it is removed, never left half-written)."""


class BatchSink:
    """Record batches on their way to a parquet entry, written by a background thread."""

    _CLOSE = object()
    _ABORT = object()

    def __init__(self, schema: object) -> None:
        self.schema = schema
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()

    def put(self, batch: object) -> None:
        self._queue.put(batch)

    def close(self) -> None:
        """All batches are in: finish the entry."""
        self._queue.put(self._CLOSE)

    def abort(self) -> None:
        """Drop the entry (the reader's final data differ from the batches sent)."""
        self._queue.put(self._ABORT)

    def batches(self) -> Iterator[object]:
        while True:
            item = self._queue.get()
            if item is self._CLOSE:
                return
            if item is self._ABORT:
                raise _Aborted
            yield item

    def drain(self) -> None:
        with contextlib.suppress(_Aborted):
            for _ in self.batches():
                pass


def cached_frame(
    kind: str,
    source: RawFile,
    build: Callable[[], pd.DataFrame],
    *,
    restore: Callable[[pd.DataFrame], pd.DataFrame],
    options: Mapping[str, object] | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    early_write: bool = False,
) -> pd.DataFrame:
    """Return the parsed frame for an input, from the cache when a valid entry exists.

    Parameters
    ----------
    kind
        The reader (``"acled"``, ``"ucdp"``, ``"hdx"``), part of the key.
    source
        The scanned input file (its sha256 is part of the key).
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
    early_write
        ``build`` takes an :class:`EarlyWrite` and may hand it its final Arrow table, so that
        the entry is written while the DataFrame is built.

    Notes
    -----
    Each read records the input's stat (size, modification and change times, inode, device)
    with its sha256. If the stat is unchanged at the next read *and* the file had not changed for
    :data:`SETTLE_SECONDS` when it was hashed, the recorded sha256 stands for the content (as
    git's index does; a file cannot be rewritten without its change time moving, and the
    settling rule excludes a rewrite within one tick of the file system's clock), and the entry
    keyed by it is served after checking that it carries that sha256. Otherwise the sha256 is
    computed on a background thread; meanwhile the entry named by an unchanged-stat record is
    loaded, and returned only if its checksum equals the one computed. An input with no such
    record (never read, or copied or touched since) is parsed while its checksum is computed,
    and its entry written (or, if one with that checksum exists, kept).
    """
    options = dict(options or {})
    if not cache:
        return build(None) if early_write else build()
    folder = default_cache_dir(cache_dir)
    tidy(folder)
    index = _index_path(folder, kind, source.path, options)
    hint = _hint(index, source.stat)
    guess = folder / str(hint["entry"]) if hint else None
    if hint and hint.get("settled") and isinstance(hint.get("sha256"), str):
        # unchanged (same size, times, inode) since a read that hashed it well after its last
        # change: its recorded checksum stands; the entry must still carry that checksum
        digest = str(hint["sha256"])
        meta = _metadata(kind, digest, options)
        path = cache_path(kind, digest, options, cache_dir)
        loaded = _load(path, meta, restore) if path == guess else None
        if loaded is not None:
            return loaded[0]
    source.hash_soon()
    if guess is None and not source.hashed():
        # never read in this state: parse while the checksum is computed
        return _build_and_store(
            kind, source, build, restore, options, cache_dir, index, early_write
        )
    speculative = _load(guess, None, restore) if guess is not None else None
    digest = source.sha256
    meta = _metadata(kind, digest, options)
    path = cache_path(kind, digest, options, cache_dir)
    if speculative is not None and guess == path:
        if speculative[1] == meta:
            return speculative[0]
        warnings.warn(
            f"ignoring the cache entry {path.name} (its metadata does not match the input); "
            "re-reading the input",
            CacheWarning,
            stacklevel=3,
        )
    loaded = _load(path, meta, restore) if guess != path else None
    if loaded is not None:
        _remember(index, source, path)
        return loaded[0]
    return _build_and_store(kind, source, build, restore, options, cache_dir, index, early_write)


@functools.lru_cache(maxsize=16)
def tidy(folder: Path) -> None:
    """Once per process and folder: remove the temporaries of writers that were killed
    (:func:`analysis.files.remove_stale_temporaries`)."""
    remove_stale_temporaries(folder, depth=0)


def _build_and_store(
    kind: str,
    source: RawFile,
    build: Callable[..., pd.DataFrame],
    restore: Callable[[pd.DataFrame], pd.DataFrame],
    options: dict[str, object],
    cache_dir: str | os.PathLike[str] | None,
    index: Path,
    early_write: bool,
) -> pd.DataFrame:
    """Parse the input and write its entry (unless a valid one with its checksum exists)."""

    def target() -> tuple[Path, dict[str, object]]:
        digest = source.sha256
        return cache_path(kind, digest, options, cache_dir), _metadata(kind, digest, options)

    def write(data: object) -> Path | None:
        path, meta = target()
        if _load(path, meta, restore, quiet=True) is not None:
            if isinstance(data, BatchSink):
                data.drain()
            return path
        try:
            _store(data, path, meta)
        except _Aborted:
            return None
        return path

    if not early_write:
        frame = build()
        source.check_unchanged()  # what was parsed is what the checksum describes
        path, meta = target()
        if _load(path, meta, restore, quiet=True) is None:
            _write(frame, path, meta)
        _remember(index, source, path)
        return frame
    early = EarlyWrite(write)
    try:
        frame = build(early)
    except BaseException:
        early.discard()  # never leave the writer waiting for batches
        raise
    path, meta = target()
    try:
        early.wait()
    except Exception as exc:  # written again below from the frame; say why
        warnings.warn(f"could not write the cache entry {path}: {exc}", CacheWarning, stacklevel=3)
        early.discard()
    try:
        source.check_unchanged()
    except DataError:
        if early.started and not early.discarded:
            _discard(path)  # written from bytes that are no longer the file's
        raise
    if not early.started or early.discarded:
        _write(frame, path, meta)
    _remember(index, source, path)
    return frame


def _write(frame: pd.DataFrame, path: Path, meta: dict[str, object]) -> None:
    try:
        _store(frame, path, meta)
    except OSError as exc:  # a read-only cache folder must not stop the analysis
        warnings.warn(f"could not write the cache entry {path}: {exc}", CacheWarning, stacklevel=4)
