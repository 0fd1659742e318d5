"""Shared helpers of the readers: read-only scanning, CSV parsing with line numbers, value checks.

The CSV path is built for large exports. The file is opened read-only; its sha256 is computed on
a background thread (and its lines counted on another) while ``pyarrow.csv`` streams it batch by
batch with every column read as text; each batch is converted and checked with vectorised
``pyarrow.compute`` kernels, so only the converted columns are held for the whole file. The
physical line of a row is worked out only when it is needed (for ``origin`` and for error
messages): when the file has one line per record, row ``i`` is on line ``first_line + i``; when
quoted values hold line breaks or the file has blank lines, the record boundaries are found with
a vectorised scan of the bytes.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import json
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from analysis.errors import DataError

if TYPE_CHECKING:  # pandas is imported where a frame is made
    import pandas as pd

__all__ = [
    "coordinates",
    "RawFile",
    "stat_key",
    "CsvTable",
    "Batch",
    "scan_file",
    "read_csv_columns",
    "json_table",
    "frame_table",
    "check_utf8",
    "check_line_ends",
    "read_json",
    "DayMonthOrder",
    "dictionary",
    "events_frame",
    "normalise_name",
    "unreadable",
    "read_csv_text",
    "blank_to_null",
    "EARLIEST_YEAR",
    "one_year_from",
    "parse_dates",
    "parse_counts",
    "parse_floats",
    "origin_array",
    "sniff_kind",
    "header_cells",
    "is_hxl_row",
    "drop_hxl_row",
]

_CHUNK = 1 << 22
_BOM = b"\xef\xbb\xbf"
_HEAD = 1 << 16


_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tallies-sha256")


_COUNTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tallies-lines")


def stat_key(stat: os.stat_result) -> list[int]:
    """What stands for a file's content between two looks at it: size, modification and
    change times (ns), inode and device. Rewriting a file in place moves its change time;
    replacing it changes its inode."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


def _digest(path: Path) -> tuple[str, int, list[int]]:
    """sha256 and size of a file, in one read-only pass (hashlib releases the GIL), and its
    :func:`stat_key` once read (by the open handle: a file replaced meanwhile shows it)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
            size += len(block)
        after = stat_key(os.fstat(handle.fileno()))
    return digest.hexdigest(), size, after


def _count_lines(path: Path) -> tuple[int, bool]:
    """Newline count and whether the file ends with one (numpy, so the GIL is released)."""
    newlines = 0
    last = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            newlines += int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == 10))
            last = block[-1:]
    return newlines, last == b"\n"


class RawFile:
    """An input file, opened read-only: its first bytes now, its checksum and line count later.

    The sha256 is computed on a background thread once asked for (:meth:`hash_soon`), so that
    a reader can do other work (parse the file, load a cache entry) meanwhile; :attr:`sha256`
    waits for it. ``hash_started`` is the wall-clock time the hashing began.
    """

    def __init__(self, path: Path, head: bytes, stat: os.stat_result) -> None:
        self.path = path
        self.head = head
        #: the CSV field delimiter (set from the content by analysis.sources.formats)
        self.delimiter = ","
        self.stat = stat
        self._sha: Future[tuple[str, int, list[int]]] | None = None
        self.hash_started: float | None = None
        self._lines: Future[tuple[int, bool]] | None = None

    def hash_soon(self) -> None:
        """Start computing the sha256 on a background thread (once)."""
        if self._sha is None:
            self.hash_started = time.time()
            self._sha = _HASHER.submit(_digest, self.path)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def sha256(self) -> str:
        self.hash_soon()
        assert self._sha is not None
        digest, size, after = self._sha.result()
        if size != self.stat.st_size or after != stat_key(self.stat):
            raise self._changed()
        return digest

    def _changed(self) -> DataError:
        return DataError(
            "the file changed while it was being read (rewritten or replaced since reading "
            "began); read it again once nothing is writing it",
            file=self.path,
            rule="changed",
        )

    def check_unchanged(self) -> None:
        """Raise unless the file is as it was when scanned (same :func:`stat_key`): whatever
        was parsed from it since is then what its checksum describes.

        Raises
        ------
        analysis.errors.DataError
            The file was rewritten, replaced, touched or removed since it was scanned.
        """
        try:
            now = stat_key(os.stat(self.path))
        except OSError:
            raise self._changed() from None
        if now != stat_key(self.stat):
            raise self._changed()

    @property
    def size(self) -> int:
        return self.stat.st_size

    def hashed(self) -> bool:
        """Whether the checksum is already known."""
        return self._sha is not None and self._sha.done()

    def count_lines_soon(self) -> None:
        """Start counting the lines on a background thread (for a reader about to parse)."""
        if self._lines is None:
            self._lines = _COUNTER.submit(_count_lines, self.path)

    @property
    def n_newlines(self) -> int:
        self.count_lines_soon()
        assert self._lines is not None
        return self._lines.result()[0]

    @property
    def ends_with_newline(self) -> bool:
        self.count_lines_soon()
        assert self._lines is not None
        return self._lines.result()[1]

    @property
    def n_lines(self) -> int:
        """Number of physical lines (a last line without a line break counts)."""
        return self.n_newlines + (0 if self.ends_with_newline or self.size == 0 else 1)

    def read_bytes(self) -> bytes:
        """The whole file (opened read-only); checked against the checksum."""
        with open(self.path, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise self._changed()
        return data


def scan_file(path: str | os.PathLike[str]) -> RawFile:
    """Open ``path`` read-only: its first 64 KiB now, its sha256 on a background thread.

    Raises
    ------
    DataError
        If the file does not exist, is not a regular file, or is empty.
    """
    target = Path(path)
    if not target.exists():
        raise DataError("file not found", file=target, rule="missing_file")
    if not target.is_file():
        raise DataError("not a regular file", file=target, rule="missing_file")
    with open(target, "rb") as handle:
        stat = os.fstat(handle.fileno())
        head = handle.read(_HEAD)
    if stat.st_size == 0 or not head.strip(_BOM + b" \r\n\t"):
        raise DataError("the file is empty", file=target, line=1, rule="empty")
    return RawFile(target, head, stat)


def unreadable(raw: RawFile, what: str, error: Exception) -> DataError:
    """The error for a file the library reading ``what`` (``"Excel workbook"``) could not
    read, naming the library's own error."""
    return DataError(
        f"not a readable {what} ({type(error).__name__}: {error})", file=raw.path, rule="parse"
    )


def normalise_name(name: str) -> str:
    """Column names in any case and spacing: ``"Admin2 Pcode"`` -> ``"admin2_pcode"``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip()).lower()


def _line_of_offset(path: Path, offset: int) -> int:
    count = 0
    remaining = offset
    with open(path, "rb") as handle:
        while remaining > 0:
            block = handle.read(min(_CHUNK, remaining))
            if not block:
                break
            count += block.count(b"\n")
            remaining -= len(block)
    return count + 1


def check_utf8(raw: RawFile) -> None:
    """Raise a :class:`DataError` at the first byte that is not valid UTF-8, if any."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(raw.path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                raise DataError(
                    f"bytes that are not valid UTF-8 (byte {bad}: {block[exc.start : exc.start + 4]!r});"
                    " expected a UTF-8 text file (re-save the export as UTF-8)",
                    file=raw.path,
                    line=_line_of_offset(raw.path, bad),
                    rule="encoding",
                ) from None
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DataError(
                "the file ends in the middle of a UTF-8 character; expected a UTF-8 text file",
                file=raw.path,
                line=raw.n_lines,
                rule="encoding",
            ) from None


def read_json(text: str, path: Path, expected: str) -> object:
    """Parse JSON text; anything the parser cannot take is a :class:`DataError` naming ``path``.

    Besides malformed JSON (with its line and column), that is JSON nested thousands of levels
    deep (which would exhaust Python's recursion limit) and an integer of thousands of digits
    (which Python refuses to convert). ``expected`` says, for the message, what should be there.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"not valid JSON ({exc.msg}, column {exc.colno}); expected {expected}",
            file=path,
            line=exc.lineno,
            rule="json",
        ) from None
    except RecursionError:
        raise DataError(
            "JSON nested too deeply to read (arrays or objects inside one another thousands of "
            f"levels deep); expected {expected}",
            file=path,
            rule="json",
        ) from None
    except ValueError as exc:  # an integer literal of more digits than Python converts
        raise DataError(
            f"a number in the JSON is too long to read ({exc}); expected {expected}",
            file=path,
            rule="json",
        ) from None


def sniff_kind(columns: Iterable[str]) -> str | None:
    """Guess which export a set of (normalised) column names belongs to."""
    names = set(columns)
    if {"event_id_cnty", "event_date"} <= names:
        return "an ACLED event export"
    if {"relid", "type_of_violence"} & names and {"best", "side_a"} <= names:
        return "a UCDP GED file"
    if {"location_code", "reference_period_start"} <= names:
        return "an HDX HAPI conflict-event file"
    if {"admin2_pcode", "events", "fatalities", "month"} <= names:
        return "an HDX monthly aggregate table"
    return None


@dataclass
class CsvTable:
    """A tabular input read as text: its columns, and where each row came from.

    For CSV files the text itself is streamed batch by batch (see :func:`read_csv_columns`),
    so ``table`` is None; JSON records and R data frames are held whole in ``table``.
    """

    raw: RawFile
    table: pa.Table | None
    columns: list[str]
    first_line: int
    hxl: bool
    _lines: np.ndarray | None = field(default=None, repr=False)
    record_label: str | None = None
    record_base: int = 0
    n_rows: int | None = None
    simple_lines: bool | None = None
    #: what the dd/mm/yyyy dates of every batch say about their order (see :class:`DayMonthOrder`)
    day_month: DayMonthOrder = field(default_factory=lambda: DayMonthOrder())

    @property
    def num_rows(self) -> int:
        if self.n_rows is not None:
            return self.n_rows
        return 0 if self.table is None else self.table.num_rows

    @property
    def json_records(self) -> bool:
        """True when rows are records of a JSON array or an R data frame, not CSV lines."""
        return self.record_label is not None

    def _exact_lines(self) -> np.ndarray:
        if self._lines is None:
            skip = 1 + int(self.hxl)
            self._lines = _record_lines(self.raw.path)[skip:]
        return self._lines

    def lines(self) -> np.ndarray:
        """The 1-based physical line of each data row."""
        if self.simple_lines:
            return np.arange(self.first_line, self.first_line + self.num_rows, dtype=np.int64)
        lines = self._exact_lines()
        if lines.size != self.num_rows:  # pragma: no cover - defensive
            raise DataError(
                "could not match the rows to lines of the file", file=self.raw.path, rule="parse"
            )
        return lines

    def line_of(self, row: int) -> int | None:
        if self.simple_lines:
            return self.first_line + int(row)
        lines = self._exact_lines()
        return int(lines[row]) if 0 <= row < lines.size else None

    def error(self, row: int | None, column: str | None, message: str, rule: str) -> DataError:
        if self.json_records:
            where = "" if row is None else f"record {self.record_label}[{row + self.record_base}]: "
            return DataError(where + message, file=self.raw.path, column=column, rule=rule)
        line = None if row is None else self.line_of(row)
        return DataError(message, file=self.raw.path, line=line, column=column, rule=rule)

    def origins(self) -> pa.Array:
        """``"<file>:<line>"`` (or ``"<file>:data[<i>]"`` for JSON) of each row."""
        if self.json_records:
            numbers = np.arange(self.num_rows, dtype=np.int64) + self.record_base
            index = pc.cast(pa.array(numbers), pa.string())
            return pc.binary_join_element_wise(
                pa.scalar(f"{self.raw.name}:{self.record_label}["), index, pa.scalar("]"), ""
            )
        return origin_array(self.raw.name, self.lines())

    def text(self, name: str) -> pa.ChunkedArray:
        assert self.table is not None
        return self.table.column(name)

    def whole(self) -> Batch:
        """The held table as one batch (JSON and R inputs)."""
        assert self.table is not None
        return Batch(self, self.table, 0)


class Batch:
    """A slice of an input's rows, as text, that knows its rows' place in the file."""

    def __init__(self, source: CsvTable, data: pa.RecordBatch | pa.Table, offset: int) -> None:
        self.source = source
        self.data = data
        self.offset = offset
        self.present = set(data.schema.names)

    @property
    def num_rows(self) -> int:
        return self.data.num_rows

    @property
    def columns(self) -> list[str]:
        return self.source.columns

    def text(self, name: str) -> pa.Array:
        column = self.data.column(name)
        return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column

    def optional_dictionary(self, name: str) -> pa.Array | None:
        """The column dictionary-encoded (see :func:`dictionary`), or None when it is absent."""
        return dictionary(self.text(name)) if name in self.present else None

    def error(self, row: int | None, column: str | None, message: str, rule: str) -> DataError:
        return self.source.error(None if row is None else self.offset + row, column, message, rule)


def _record_lines(path: Path) -> np.ndarray:
    """First physical line of every non-blank CSV record, quotes respected (vectorised)."""
    data = np.fromfile(path, dtype=np.uint8)
    newlines = np.flatnonzero(data == 10)
    quotes = np.flatnonzero(data == 34)
    quotes_before = np.searchsorted(quotes, newlines)
    ends = newlines[quotes_before % 2 == 0]
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [data.size]))
    length = stops - starts
    has_cr = np.zeros(length.size, dtype=bool)
    one = length == 1
    has_cr[one] = data[starts[one]] == 13
    keep = (length > 0) & ~(one & has_cr)
    return np.searchsorted(newlines, starts[keep]) + 1


def is_hxl_row(cells: Iterable[object]) -> bool:
    """Whether a row is an HXL hashtag row: every non-empty cell starts with ``#``, and one does.

    Examples
    --------
    >>> is_hxl_row(["#event+code", "", "#date+occurred"]), is_hxl_row(["#1", "Gao"])
    (True, False)
    """
    values = ["" if c is None else str(c).strip() for c in cells]
    values = ["" if v in ("nan", "None", "<NA>", "NaT") else v for v in values]
    return any(v.startswith("#") for v in values) and all(
        not v or v.startswith("#") for v in values
    )


def drop_hxl_row(frame: object) -> tuple[object, bool]:
    """A pandas frame without its first row when that row is an HXL hashtag row.

    Returns the frame (column types re-inferred once the tags are gone) and whether a row was
    dropped.
    """
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    if len(frame) and is_hxl_row(frame.iloc[0].tolist()):
        rest = frame.iloc[1:].reset_index(drop=True).infer_objects()
        for column in rest.columns:
            if rest[column].dtype == object:
                converted = pd.to_numeric(rest[column], errors="coerce")
                if converted.notna().sum() == rest[column].notna().sum() and len(rest):
                    rest[column] = converted
        return rest, True
    return frame, False


def header_cells(raw: RawFile) -> list[str]:
    """The header row's cells, as written (the file's delimiter, quotes respected)."""
    return _header(raw)


def check_line_ends(head: bytes, path: Path) -> None:
    """Raise a :class:`DataError` when a text file's lines end with a carriage return alone.

    Old Mac text (and some spreadsheets' "CSV (Macintosh)") ends lines with ``\\r`` only; the
    line numbers of every message would be wrong and the CSV parsers disagree on such files, so
    they are refused with what to do. The first line end decides (``\\r\\n`` is Windows').
    """
    carriage = head.find(b"\r")
    if carriage < 0:
        return
    newline = head.find(b"\n")
    if (newline < 0 or carriage < newline) and head[carriage + 1 : carriage + 2] != b"\n":
        raise DataError(
            "lines end with a carriage return only (old Mac line ends); expected a CSV file "
            "with Unix (LF) or Windows (CRLF) line ends: save it again as CSV UTF-8",
            file=path,
            line=1,
            rule="line_ends",
        )


def _header(raw: RawFile) -> list[str]:
    head = raw.head[len(_BOM) :] if raw.head.startswith(_BOM) else raw.head
    check_line_ends(head, raw.path)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            check_utf8(raw)
        text = head[: exc.start].decode("utf-8")
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), delimiter=raw.delimiter), None)
    except csv.Error as exc:
        raise DataError(
            f"unreadable header row ({exc})", file=raw.path, line=1, rule="csv"
        ) from None
    if not first or not any(cell.strip() for cell in first):
        raise DataError("the file has no header row", file=raw.path, line=1, rule="empty")
    return first


def _names(raw: RawFile, aliases: Mapping[str, str] | None) -> list[str]:
    names = [normalise_name(name) for name in _header(raw)]
    if aliases:
        names = [aliases.get(name, name) for name in names]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(
                f"the column {name!r} appears twice in the header (names are compared "
                "case-insensitively)",
                file=raw.path,
                line=1,
                column=name,
                rule="duplicate_column",
            )
        seen.add(name)
    return names


def read_csv_columns(
    raw: RawFile,
    convert: Callable[[Batch], Mapping[str, pa.Array]],
    *,
    include: Sequence[str] | None = None,
    hxl: bool = True,
    aliases: Mapping[str, str] | None = None,
    check_header: Callable[[CsvTable], None] | None = None,
    block_size: int | None = None,
    dictionary_columns: Iterable[str] = (),
    on_batch: Callable[[Mapping[str, pa.Array], int], None] | None = None,
) -> tuple[CsvTable, dict[str, pa.ChunkedArray]]:
    """Stream a CSV file as text, batch by batch, through ``convert``; collect its output.

    Every column is read as text (empty cells are empty strings) so that each reader converts
    and checks values itself, with line numbers. Only the converted columns are kept, so the
    text of columns that become categories or numbers never exists for the whole file at once.

    Parameters
    ----------
    raw
        The scanned file.
    convert
        Turns a :class:`Batch` of text into named arrays (raise ``batch.error(...)`` on bad
        values).
    include
        Normalised column names to read (others are skipped by the parser).
    hxl
        Recognise (and drop) an HXL hashtag row right under the header.
    aliases
        Other spellings of column names (normalised) -> the name used by the reader.
    check_header
        Called with the (still empty) table once the header is known, e.g. to check required
        columns before any data is parsed.
    block_size
        Bytes of text parsed per batch; default :data:`BLOCK_SIZE`.
    dictionary_columns
        Columns the parser dictionary-encodes itself (on its worker threads); the converter
        receives them as dictionary arrays of text (see :func:`dictionary`).
    on_batch
        Called in file order with each batch's converted arrays and its first row's index
        (e.g. to stream them to a writer while the rest of the file is parsed).

    Returns
    -------
    (CsvTable, dict)
        The table's description (columns, row count, line numbers) and the converted columns.
    """
    raw.count_lines_soon()
    names = _names(raw, aliases)
    known = set(names)
    keep = names if include is None else [name for name in include if name in known]
    if not keep:
        keep = names[:1]
    meta = CsvTable(raw, None, names, 2, False)
    as_dictionary = set(dictionary_columns)
    encoded = pa.dictionary(pa.int32(), pa.string())
    if check_header is not None:
        check_header(meta)
    invalid: list[object] = []

    def _on_invalid(row: object) -> str:
        invalid.append(row)
        return "error"

    out: dict[str, list[pa.Array]] = {}
    offset = 0
    first = True
    pending: deque[tuple[int, Future[Mapping[str, pa.Array]]]] = deque()

    def collect(limit: int) -> None:
        # results are taken in file order, so the first bad row of the file is the one reported
        while len(pending) > limit:
            start, future = pending.popleft()
            converted = future.result()
            for key, value in converted.items():
                out.setdefault(key, []).append(value)
            if on_batch is not None:
                on_batch(converted, start)

    previous_hook, undecodable = _quiet_invalid_rows()
    try:
        try:
            reader = pv.open_csv(
                raw.path,
                read_options=pv.ReadOptions(
                    column_names=names, skip_rows=1, block_size=block_size or BLOCK_SIZE
                ),
                parse_options=pv.ParseOptions(
                    delimiter=raw.delimiter,
                    newlines_in_values=True,
                    invalid_row_handler=_on_invalid,
                ),
                convert_options=pv.ConvertOptions(
                    column_types={
                        name: encoded if name in as_dictionary else pa.string() for name in names
                    },
                    include_columns=keep,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            for batch in reader:
                if first and hxl and batch.num_rows:
                    if _first_row_is_hxl(batch) and _row_is_hxl(raw, names):
                        meta.hxl = True
                        meta.first_line = 3
                        batch = batch.slice(1)
                first = False
                if batch.num_rows == 0:
                    continue
                # batches are converted on worker threads (Arrow's kernels release the GIL)
                pending.append((offset, _CONVERTERS.submit(convert, Batch(meta, batch, offset))))
                offset += batch.num_rows
                collect(_IN_FLIGHT)
        except pa.ArrowInvalid as exc:
            collect(0)  # a bad value in an earlier batch comes first
            if undecodable:
                check_utf8(raw)
            raise _translate(raw, exc, invalid, names) from None
        collect(0)
    finally:
        sys.unraisablehook = previous_hook
        for _, future in pending:
            future.cancel()
    meta.n_rows = offset
    meta.simple_lines = offset + 1 + int(meta.hxl) == raw.n_lines
    unsettled = meta.day_month.problem()
    if unsettled is not None:
        row, column, message = unsettled
        raise meta.error(row, column, message, "date")
    columns = {
        key: pa.chunked_array(chunks) if chunks else pa.chunked_array([], pa.string())
        for key, chunks in out.items()
    }
    return meta, columns


#: bytes of CSV text parsed per batch (the default of :func:`read_csv_columns`)
BLOCK_SIZE = 1 << 22
_CONVERTERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tallies-convert")
_IN_FLIGHT = 3


def _quiet_invalid_rows() -> tuple[Callable[..., object], list[object]]:
    """Catch the UnicodeDecodeError pyarrow hits when it hands us an invalid row that is not
    UTF-8 (it would print "Exception ignored ..."); the caller then reports the bad bytes."""
    previous = sys.unraisablehook
    caught: list[object] = []

    def hook(unraisable: object) -> None:
        if isinstance(getattr(unraisable, "exc_value", None), UnicodeDecodeError):
            caught.append(unraisable)
        else:
            previous(unraisable)  # type: ignore[arg-type]

    sys.unraisablehook = hook
    return previous, caught


def _first_row_is_hxl(batch: pa.RecordBatch) -> bool:
    return is_hxl_row(batch.slice(0, 1).to_pylist()[0].values())


def read_csv_text(
    raw: RawFile,
    *,
    include: Sequence[str] | None = None,
    hxl: bool = True,
    aliases: Mapping[str, str] | None = None,
) -> CsvTable:
    """Read a (small) CSV file whole, as text; ``table`` holds its columns."""

    def identity(batch: Batch) -> dict[str, pa.Array]:
        return {name: batch.text(name) for name in batch.data.schema.names}

    meta, columns = read_csv_columns(raw, identity, include=include, hxl=hxl, aliases=aliases)
    if columns:
        meta.table = pa.table(columns)
    else:
        names = include if include is not None else meta.columns
        present = [n for n in names if n in set(meta.columns)] or meta.columns[:1]
        meta.table = pa.table({n: pa.array([], pa.string()) for n in present})
    return meta


def _row_is_hxl(raw: RawFile, names: list[str]) -> bool:
    head = raw.head[len(_BOM) :] if raw.head.startswith(_BOM) else raw.head
    rows = csv.reader(io.StringIO(head.decode("utf-8", errors="replace")), delimiter=raw.delimiter)
    next(rows, None)
    second = next(rows, None)
    return bool(second) and is_hxl_row(second)


def _translate(
    raw: RawFile, exc: pa.ArrowInvalid, invalid: list[object], names: list[str]
) -> DataError:
    message = str(exc)
    if "UTF8" in message or "utf8" in message.lower():
        check_utf8(raw)
    if invalid:
        row = invalid[0]
        text = getattr(row, "text", "") or ""
        expected = getattr(row, "expected_columns", len(names))
        actual = getattr(row, "actual_columns", None)
        line = getattr(row, "number", None)
        if line is None and text:
            line = _find_line(raw, text)
        return DataError(
            f"expected {expected} fields as in the header, found {actual}",
            file=raw.path,
            line=line,
            rule="field_count",
        )
    return DataError(
        f"the file is not a readable CSV table ({message})", file=raw.path, rule="parse"
    )


def _find_line(raw: RawFile, text: str) -> int | None:
    needle = text.encode("utf-8", errors="replace")
    with open(raw.path, "rb") as handle:
        data = handle.read()
    at = data.find(needle, data.find(b"\n") + 1)
    if at < 0:
        return None
    return data.count(b"\n", 0, at) + 1


# ---- value conversion ----------------------------------------------------------------------


def blank_to_null(values: pa.Array | pa.ChunkedArray, *, trim: bool = True) -> pa.Array:
    """Trim whitespace (unless ``trim=False``); empty strings become null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    text = pc.utf8_trim_whitespace(values) if trim else values
    blank = pc.equal(text, "")
    if not pc.any(blank).as_py():
        return text
    return pc.if_else(blank, pa.scalar(None, pa.string()), text)


def _value_error(
    table: CsvTable | Batch | None,
    row: int,
    column: str,
    message: str,
    rule: str,
    *,
    where: Path | None = None,
    line: int | None = None,
) -> DataError:
    """The error for a bad value in ``row``: ``table``'s (it knows the row's line) when there
    is a table, else one naming ``where`` and ``line``."""
    if table is not None:
        return table.error(row, column, message, rule)
    return DataError(message, file=where, line=line, column=column, rule=rule)


def _first_true(mask: pa.Array | pa.ChunkedArray) -> int:
    idx = pc.index(mask, True).as_py()
    return int(idx)


def _value(values: pa.Array | pa.ChunkedArray, row: int) -> str:
    value = values[row].as_py()
    return repr(value)


DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%Y/%m/%d")


def parse_dates(
    values: pa.Array | pa.ChunkedArray,
    *,
    table: CsvTable | Batch | None,
    column: str,
    formats: Sequence[str] = DATE_FORMATS,
    required: bool = True,
    where: Path | None = None,
    latest: datetime.date | None = None,
) -> pa.Array:
    """Parse dates written as ISO, ``31 December 2020`` or ``15-July-2022`` (vectorised).

    The ISO format is tried on every row; each further format only on the rows still unparsed.
    Month names may be written in full or abbreviated (``%B`` accepts both).

    Notes
    -----
    Forms that would otherwise be read silently wrong raise a :class:`DataError` (rule
    ``date``) naming the row and column: a year before :data:`EARLIEST_YEAR` (a two-digit year
    such as ``22`` or one written with leading zeros such as ``0025``, which Arrow reads as the
    years 22 and 25); a date after ``latest`` (by default one year from today: an event dated
    ahead); and ``dd/mm/yyyy`` dates whose day/month order the column does not settle (every
    such date has both numbers at most 12 and some differ, e.g. ``03/04/2022``, and no date
    has a first number above 12). When ``table`` is a :class:`Batch` of a streamed file, the
    order is decided over the whole file (see :class:`DayMonthOrder`), not batch by batch.
    """
    text = blank_to_null(values)
    out = pc.strptime(text, format=formats[0], unit="s", error_is_null=True)
    for fmt in formats[1:]:
        missing = pc.and_(pc.is_null(out), pc.is_valid(text))
        if not pc.any(missing).as_py():
            break
        retry = pc.strptime(
            pc.if_else(missing, text, pa.scalar(None, pa.string())),
            format=fmt,
            unit="s",
            error_is_null=True,
        )
        out = pc.coalesce(out, retry)
    failed = pc.and_(pc.is_null(out), pc.is_valid(text))
    if required:
        failed = pc.or_(failed, pc.is_null(text))
    # Arrow's strptime rolls an impossible day over (2022-02-30 -> 2022-03-02): the day written
    # must be the day parsed.
    rolled = pc.fill_null(pc.not_equal(_written_day(text), pc.day(out)), False)
    if pc.any(rolled).as_py():
        row = _first_true(rolled)
        message = f"{_value(values, row)} is not a real calendar date"
        raise _value_error(table, row, column, message, "date", where=where, line=row + 2)
    if pc.any(failed).as_py():
        row = _first_true(failed)
        message = (
            f"unparseable date {_value(values, row)}; expected a date such as 2020-12-31, "
            "31 December 2020 or 15-July-2022"
        )
        raise _value_error(table, row, column, message, "date", where=where, line=row + 2)
    problem = _date_problem(text, out, latest=latest)
    if problem is None and "%d/%m/%Y" in formats:
        ambiguous, settled = _day_month_evidence(text)
        if isinstance(table, Batch):  # decided over the whole file once every batch is read
            shown = None if ambiguous is None else text[ambiguous].as_py()
            row = None if ambiguous is None else table.offset + ambiguous
            table.source.day_month.note(column, row, shown, settled=settled)
        elif ambiguous is not None and not settled:
            problem = ambiguous, DayMonthOrder.message(text[ambiguous].as_py())
    if problem is not None:
        row, message = problem
        raise _value_error(table, row, column, message, "date", where=where, line=row + 2)
    return out


EARLIEST_YEAR = 1900
"""The earliest year an event date may carry (an earlier one is a misread year)."""


def one_year_from(day: datetime.date) -> datetime.date:
    """The same calendar day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


_SLASH_DMY = r"^\s*(?P<first>\d{1,2})/(?P<second>\d{1,2})/"


def _date_problem(
    text: pa.Array, out: pa.Array, *, latest: datetime.date | None
) -> tuple[int, str] | None:
    """The first row whose parsed date is a misread, and why (``None`` when none is)."""
    if out.null_count == len(out):
        return None
    year = pc.year(out)
    early = pc.fill_null(pc.less(year, EARLIEST_YEAR), False)
    if pc.any(early).as_py():
        row = _first_true(early)
        return row, (
            f"year {year[row].as_py():04d} read from {text[row].as_py()!r}; expected a "
            f"four-digit year from {EARLIEST_YEAR} on (two-digit years and years written with "
            "leading zeros are not read)"
        )
    limit = latest if latest is not None else one_year_from(datetime.date.today())
    bound = pa.scalar(datetime.datetime(limit.year, limit.month, limit.day), pa.timestamp("s"))
    ahead = pc.fill_null(pc.greater(out, bound), False)
    if pc.any(ahead).as_py():
        row = _first_true(ahead)
        return row, (
            f"date {text[row].as_py()!r} is after {limit.isoformat()}; expected an event date "
            "no later than one year from today"
        )
    return None


def _day_month_evidence(text: pa.Array) -> tuple[int | None, bool]:
    """The first ``dd/mm/yyyy`` date whose order is ambiguous (or None), and whether a date
    with a first number above 12 settles the order as day/month/year."""
    parts = pc.extract_regex(text, _SLASH_DMY)
    first = pc.cast(pc.struct_field(parts, "first"), pa.int64())
    second = pc.cast(pc.struct_field(parts, "second"), pa.int64())
    ambiguous = pc.fill_null(
        pc.and_(
            pc.and_(pc.less_equal(first, 12), pc.less_equal(second, 12)),
            pc.not_equal(first, second),
        ),
        False,
    )
    settled = bool(pc.any(pc.fill_null(pc.greater(first, 12), False)).as_py())
    if not pc.any(ambiguous).as_py():
        return None, settled
    return _first_true(ambiguous), settled


class DayMonthOrder:
    """Whether the ``dd/mm/yyyy`` dates of a whole file settle their day/month order.

    A large file is parsed batch by batch; one batch may hold only ambiguous dates
    (``03/04/2022``) and a later one the date that settles the order (``25/12/2022``), or the
    reverse. Each batch notes what it saw (:meth:`note`, from any thread); once every batch is
    read, :meth:`problem` gives the first ambiguous date of a column no date settles.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settled: set[str] = set()
        self._first: dict[str, tuple[int, str]] = {}

    @staticmethod
    def message(shown: object) -> str:
        """The message for an ambiguous date ``shown`` (as written)."""
        return (
            f"day/month order of {shown!r} is not settled: no date in the column has "
            "a day above 12; expected dates written as 2020-12-31 or 31 December 2020"
        )

    def note(self, column: str, row: int | None, shown: str | None, *, settled: bool) -> None:
        """Record a batch: its first ambiguous date (file row and text) and whether it settles."""
        with self._lock:
            if settled:
                self._settled.add(column)
            if row is not None and (column not in self._first or row < self._first[column][0]):
                self._first[column] = (row, str(shown))

    def problem(self) -> tuple[int, str, str] | None:
        """``(row, column, message)`` of the first ambiguous date no date of its column settles."""
        unsettled = [
            (row, column, shown)
            for column, (row, shown) in self._first.items()
            if column not in self._settled
        ]
        if not unsettled:
            return None
        row, column, shown = min(unsettled)
        return row, column, self.message(shown)


_DAY = r"^\s*(?:\d{4}[-/]\d{1,2}[-/](?P<ymd>\d{1,2})|(?P<dmy>\d{1,2})[ /-])"


def _written_day(text: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The day of the month as written in each date text (null when none is found)."""
    # fast path, the usual case of a large export: every date is YYYY-MM-DD, day at 8-9
    iso = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}$")
    if pc.all(pc.fill_null(iso, True)).as_py():
        return pc.cast(pc.utf8_slice_codeunits(text, 8, 10), pa.int64())
    parts = pc.extract_regex(text, _DAY)
    ymd, dmy = pc.struct_field(parts, "ymd"), pc.struct_field(parts, "dmy")
    day = pc.if_else(pc.equal(ymd, ""), dmy, ymd)
    day = pc.if_else(pc.equal(day, ""), pa.scalar(None, pa.string()), day)
    return pc.cast(day, pa.int64())


_COUNT = r"^\s*[0-9]+(\.0*)?\s*$"


def parse_counts(
    values: pa.Array | pa.ChunkedArray,
    *,
    table: CsvTable | None,
    column: str,
    required: bool = True,
    where: Path | None = None,
    row_offset: int = 2,
) -> pa.Array:
    """Parse non-negative whole numbers (``"3"``, ``"3.0"``); blank is missing unless required."""
    text = blank_to_null(values)
    if text.null_count == 0 or not required:
        try:  # fast path: every value a plain integer
            number = pc.cast(text, pa.int64())
        except pa.ArrowInvalid:
            number = None
        if number is not None and (len(number) == number.null_count or pc.min(number).as_py() >= 0):
            return number
    ok = pc.match_substring_regex(text, _COUNT)
    bad = pc.invert(pc.fill_null(ok, not required))
    if pc.any(bad).as_py():
        row = _first_true(bad)
        shown = text[row].as_py()
        if shown is None:
            problem = "missing count"
        elif re.match(r"^\s*-\s*[0-9.]+\s*$", shown):
            problem = f"negative count {shown!r}"
        else:
            problem = f"not a count {shown!r}"
        message = f"{problem}; expected a non-negative whole number"
        raise _value_error(table, row, column, message, "count", where=where, line=row + row_offset)
    floats = pc.cast(text, pa.float64())
    too_big = pc.fill_null(pc.greater_equal(floats, 2.0**63), False)
    if pc.any(too_big).as_py():
        row = _first_true(too_big)
        message = (
            f"count {text[row].as_py()!r} is larger than any count a source publishes; "
            "expected a non-negative whole number"
        )
        raise _value_error(table, row, column, message, "count", where=where, line=row + row_offset)
    return pc.cast(floats, pa.int64())


def coordinates(
    batch: CsvTable, text: Callable[[str], pa.Array], present: Iterable[str]
) -> dict[str, pa.Array | None]:
    """``latitude`` and ``longitude`` of ``batch`` parsed and checked against their ranges
    (``None`` for a column the file lacks); ``text(name)`` gives a column as strings."""

    present = set(present)

    def parse(column: str, bound: float) -> pa.Array | None:
        if column not in present:
            return None
        return parse_floats(text(column), table=batch, column=column, low=-bound, high=bound)

    return {"latitude": parse("latitude", 90), "longitude": parse("longitude", 180)}


def parse_floats(
    values: pa.Array | pa.ChunkedArray,
    *,
    table: CsvTable | None,
    column: str,
    low: float | None = None,
    high: float | None = None,
) -> pa.Array:
    """Parse decimal numbers (blank is missing), optionally within ``[low, high]``."""
    text = blank_to_null(values)
    try:  # fast path: every value a number within the bounds
        number = pc.cast(text, pa.float64())
        extremes = pc.min_max(number).as_py()
        if (
            low is None
            or high is None
            or extremes["min"] is None
            or (extremes["min"] >= low and extremes["max"] <= high)
        ) and not pc.any(pc.is_nan(number)).as_py():
            return number
    except pa.ArrowInvalid:
        pass
    ok = pc.match_substring_regex(text, r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
    bad = pc.invert(pc.fill_null(ok, True))
    number = pc.cast(pc.if_else(bad, pa.scalar(None, pa.string()), text), pa.float64())
    if low is not None and high is not None:
        bad = pc.or_(
            bad, pc.fill_null(pc.or_(pc.less(number, low), pc.greater(number, high)), False)
        )
    if pc.any(bad).as_py():
        row = _first_true(bad)
        message = f"not a number in [{low}, {high}]: {_value(values, row)}"
        raise _value_error(table, row, column, message, "number")
    return number


def origin_array(name: str, lines: np.ndarray) -> pa.Array:
    """``"<name>:<line>"`` for each line number."""
    as_text = pc.cast(pa.array(lines, type=pa.int64()), pa.string())
    return pc.binary_join_element_wise(pa.scalar(f"{name}:"), as_text, "")


def events_frame(
    meta: CsvTable, columns: Mapping[str, pa.Array | pa.ChunkedArray], *, source: str
) -> pd.DataFrame:
    """The converted columns of a whole file as one pandas DataFrame, one row per input row.

    A categorical ``source`` column (``source`` on every row) comes first and ``origin``
    (:meth:`CsvTable.origins`) last; Arrow int64 columns become pandas' nullable ``Int64``.
    A file with a header and no rows raises :class:`DataError`.
    """
    import pandas as pd

    if meta.num_rows == 0:
        raise DataError(
            "the file has a header but no events", file=meta.raw.path, line=2, rule="empty"
        )
    arrays = {
        "source": pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(meta.num_rows, np.int8)), pa.array([source])
        ),
        **columns,
        "origin": meta.origins(),
    }
    return pa.table(arrays).to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype()}.get, split_blocks=True
    )


def dictionary(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Dictionary-encode text, trimmed, blank -> null; becomes a pandas categorical.

    The values are encoded first and the (small) dictionary trimmed, so the work is
    proportional to the number of distinct values, not of rows.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = values if isinstance(values, pa.DictionaryArray) else values.dictionary_encode()
    words = encoded.dictionary
    trimmed = pc.utf8_trim_whitespace(words)
    if not pc.all(pc.equal(trimmed, words)).as_py():
        # padded values: trim every row, so that "Mali " and "Mali" become one category
        text = encoded.cast(pa.string()) if isinstance(values, pa.DictionaryArray) else values
        return blank_to_null(text).dictionary_encode()
    blank = pc.equal(words, "")
    if not pc.any(blank).as_py():
        return encoded
    empty = int(pc.index(blank, True).as_py())
    indices = encoded.indices
    shifted = pc.if_else(
        pc.greater(indices, empty), pc.subtract(indices, pa.scalar(1, indices.type)), indices
    )
    shifted = pc.if_else(pc.equal(indices, empty), pa.scalar(None, indices.type), shifted)
    kept = pa.concat_arrays([words.slice(0, empty), words.slice(empty + 1)])
    return pa.DictionaryArray.from_arrays(shifted, kept)


def json_table(
    raw: RawFile, records: list[object], *, aliases: Mapping[str, str] | None = None
) -> CsvTable:
    """Records (dicts) of a JSON export as a text table; values become strings, null blank."""
    names: dict[str, str] = {}
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise DataError(
                f"record data[{i}] is a {type(record).__name__}; expected an object of fields",
                file=raw.path,
                rule="json",
            )
        for key in record:
            if key not in names:
                name = normalise_name(str(key))
                names[key] = (aliases or {}).get(name, name)
    base = 0
    if records and isinstance(records[0], dict) and is_hxl_row(records[0].values()):
        records, base = records[1:], 1  # an HXL record (tags only) is not an event
    columns: dict[str, list[str]] = {name: [] for name in names.values()}
    for record in records:
        for key, name in names.items():
            value = record.get(key)  # type: ignore[union-attr]
            columns[name].append("" if value is None else str(value))
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return CsvTable(
        raw,
        table,
        list(columns),
        1,
        bool(base),
        None,
        record_label="data",
        record_base=base,
        n_rows=table.num_rows,
    )


def frame_table(raw: RawFile, frame: object, *, label: str, base: int = 1) -> CsvTable:
    """A pandas DataFrame (e.g. from an R data file) as a text table, as if read from CSV.

    An HXL hashtag first row is dropped (``base`` then counts it). Whole-number floats are written without ``.0``; datetimes as ``YYYY-MM-DD``; missing values
    become empty strings.
    """
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    frame, hxl = drop_hxl_row(frame)
    assert isinstance(frame, pd.DataFrame)
    base += int(hxl)
    columns: dict[str, pa.Array] = {}
    for key in frame.columns:
        series = frame[key]
        name = normalise_name(str(key))
        if pd.api.types.is_datetime64_any_dtype(series):
            text = series.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(series):
            values = series.to_numpy(dtype="float64")
            finite = np.isfinite(values)
            safe = np.where(finite, values, 0.0)
            # a whole number beyond int64 keeps its float text (and fails the count check)
            whole = finite & (np.floor(safe) == safe) & (np.abs(safe) < 2.0**63)
            text = pd.Series(
                np.where(
                    whole,
                    np.char.mod("%d", np.where(whole, safe, 0).astype(np.int64)),
                    values.astype(str),
                ),
                index=series.index,
            ).where(finite, "")
        else:
            text = series.astype("object").where(series.notna(), "").astype(str)
        columns[name] = pa.array(text.fillna("").astype(str).tolist(), pa.string())
    table = pa.table(columns)
    return CsvTable(
        raw,
        table,
        list(columns),
        1,
        hxl,
        None,
        record_label=label,
        record_base=base,
        n_rows=table.num_rows,
    )
