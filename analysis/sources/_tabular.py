"""Shared helpers of the readers: read-only scanning, CSV parsing with line numbers, value checks.

The CSV path is built for large exports: the file is streamed once to compute its sha256 and to
count its lines, then parsed by ``pyarrow.csv`` with every column read as text, and each column is
converted and checked with vectorised ``pyarrow.compute`` kernels. The physical line of a row is
worked out only when it is needed (for ``origin`` and for error messages): when the file has one
line per record, row ``i`` is on line ``first_line + i``; when quoted values hold line breaks or
the file has blank lines, the record boundaries are found with a vectorised scan of the bytes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from analysis.errors import DataError

__all__ = [
    "RawFile",
    "CsvTable",
    "scan_file",
    "normalise_name",
    "read_csv_text",
    "blank_to_null",
    "parse_dates",
    "parse_counts",
    "parse_floats",
    "origin_array",
    "sniff_kind",
]

_CHUNK = 1 << 22
_BOM = b"\xef\xbb\xbf"
_HEAD = 1 << 16


@dataclass(frozen=True)
class RawFile:
    """What a read-only pass over an input file found: checksum, size, line count, first bytes."""

    path: Path
    sha256: str
    size: int
    n_newlines: int
    ends_with_newline: bool
    head: bytes

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def n_lines(self) -> int:
        """Number of physical lines (a last line without a line break counts)."""
        return self.n_newlines + (0 if self.ends_with_newline or self.size == 0 else 1)

    def read_bytes(self) -> bytes:
        """The whole file (opened read-only); checked against the checksum of the scan."""
        with open(self.path, "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise DataError("file changed while it was being read", file=self.path, rule="changed")
        return data


def scan_file(path: str | os.PathLike[str]) -> RawFile:
    """Stream ``path`` once, read-only: sha256, size, newline count and the first 64 KiB.

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
    digest = hashlib.sha256()
    size = 0
    newlines = 0
    head = b""
    last = b""
    with open(target, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
            newlines += block.count(b"\n")
            if len(head) < _HEAD:
                head += block[: _HEAD - len(head)]
            size += len(block)
            last = block[-1:]
    if size == 0 or not head.strip(_BOM + b" \r\n\t"):
        raise DataError("the file is empty", file=target, line=1, rule="empty")
    return RawFile(target, digest.hexdigest(), size, newlines, last == b"\n", head)


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
    """A CSV file parsed as text: one string column per (normalised) header name."""

    raw: RawFile
    table: pa.Table
    columns: list[str]
    first_line: int
    hxl: bool
    _lines: np.ndarray | None = field(default=None, repr=False)

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    record_label: str | None = None
    record_base: int = 0

    @property
    def json_records(self) -> bool:
        """True when rows are records of a JSON array or an R data frame, not CSV lines."""
        return self.record_label is not None

    def lines(self) -> np.ndarray:
        """The 1-based physical line of each data row."""
        if self._lines is None:
            return np.arange(self.first_line, self.first_line + self.num_rows, dtype=np.int64)
        return self._lines

    def line_of(self, row: int) -> int:
        if self._lines is None:
            return self.first_line + int(row)
        return int(self._lines[row])

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
        return self.table.column(name)


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


def _header(raw: RawFile) -> list[str]:
    head = raw.head[len(_BOM) :] if raw.head.startswith(_BOM) else raw.head
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            check_utf8(raw)
        text = head[: exc.start].decode("utf-8")
    first = next(csv.reader(io.StringIO(text)), None)
    if not first or not any(cell.strip() for cell in first):
        raise DataError("the file has no header row", file=raw.path, line=1, rule="empty")
    return first


def read_csv_text(
    raw: RawFile,
    *,
    include: Sequence[str] | None = None,
    hxl: bool = True,
    aliases: Mapping[str, str] | None = None,
) -> CsvTable:
    """Parse a CSV file with every column as text (empty cells are empty strings).

    Parameters
    ----------
    raw
        The scanned file.
    include
        Normalised column names to keep (those absent from the file are ignored).
    hxl
        Recognise (and drop) an HXL hashtag row right under the header.
    aliases
        Other spellings of column names (normalised) -> the name used by the reader.
    """
    header = _header(raw)
    names = [normalise_name(name) for name in header]
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
    keep = names if include is None else [name for name in include if name in seen]
    if not keep:
        keep = names[:1]
    invalid: list[object] = []

    def _on_invalid(row: object) -> str:
        invalid.append(row)
        return "error"

    def _parse(newlines_in_values: bool) -> pa.Table:
        return pv.read_csv(
            raw.path,
            read_options=pv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pv.ParseOptions(
                newlines_in_values=newlines_in_values, invalid_row_handler=_on_invalid
            ),
            convert_options=pv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                include_columns=keep,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    lines: np.ndarray | None = None
    try:
        table = _parse(False)
    except pa.ArrowInvalid:
        invalid.clear()
        table = None
    if table is None or table.num_rows + 1 != raw.n_lines:
        try:
            table = _parse(True)
        except pa.ArrowInvalid as exc:
            raise _translate(raw, exc, invalid, names) from None
        lines = _record_lines(raw.path)[1:]
        if lines.size != table.num_rows:  # pragma: no cover - defensive
            raise DataError(
                "could not match the rows to lines of the file", file=raw.path, rule="parse"
            )
    first_line = 2
    is_hxl = False
    if hxl and table.num_rows:
        first = table.slice(0, 1).to_pylist()[0]
        values = [str(v).strip() for v in first.values()]
        if any(v.startswith("#") for v in values) and all(
            not v or v.startswith("#") for v in values
        ):
            # every kept column is blank or a hashtag: check the whole row to be sure
            is_hxl = _row_is_hxl(raw, names)
    if is_hxl:
        table = table.slice(1)
        first_line = 3
        if lines is not None:
            lines = lines[1:]
    table = table.combine_chunks()
    return CsvTable(raw, table, names, first_line, is_hxl, lines)


def _row_is_hxl(raw: RawFile, names: list[str]) -> bool:
    head = raw.head[len(_BOM) :] if raw.head.startswith(_BOM) else raw.head
    rows = csv.reader(io.StringIO(head.decode("utf-8", errors="replace")))
    next(rows, None)
    second = next(rows, None)
    if not second:
        return False
    cells = [cell.strip() for cell in second]
    return any(c.startswith("#") for c in cells) and all(not c or c.startswith("#") for c in cells)


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


def blank_to_null(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Trim whitespace; empty strings become null."""
    trimmed = pc.utf8_trim_whitespace(values)
    out = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


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
    table: CsvTable | None,
    column: str,
    formats: Sequence[str] = DATE_FORMATS,
    required: bool = True,
    where: Path | None = None,
) -> pa.Array:
    """Parse dates written as ISO, ``31 December 2020`` or ``15-July-2022`` (vectorised).

    The ISO format is tried on every row; each further format only on the rows still unparsed.
    Month names may be written in full or abbreviated (``%B`` accepts both).
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
    if pc.any(failed).as_py():
        row = _first_true(failed)
        message = (
            f"unparseable date {_value(values, row)}; expected a date such as 2020-12-31, "
            "31 December 2020 or 15-July-2022"
        )
        if table is not None:
            raise table.error(row, column, message, "date")
        raise DataError(message, file=where, line=row + 2, column=column, rule="date")
    return out


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
        if table is not None:
            raise table.error(row, column, message, "count")
        raise DataError(message, file=where, line=row + row_offset, column=column, rule="count")
    return pc.cast(pc.cast(text, pa.float64()), pa.int64())


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
        if table is not None:
            raise table.error(row, column, message, "number")
        raise DataError(message, column=column, rule="number")
    return number


def origin_array(name: str, lines: np.ndarray) -> pa.Array:
    """``"<name>:<line>"`` for each line number."""
    as_text = pc.cast(pa.array(lines, type=pa.int64()), pa.string())
    return pc.binary_join_element_wise(pa.scalar(f"{name}:"), as_text, "")


def dictionary(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Dictionary-encode text (blank -> null); becomes a pandas categorical."""
    return blank_to_null(values).dictionary_encode()


def strings_of(values: Iterable[object]) -> list[str | None]:
    return [None if v is None else str(v) for v in values]


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
    columns: dict[str, list[str]] = {name: [] for name in names.values()}
    for record in records:
        for key, name in names.items():
            value = record.get(key)  # type: ignore[union-attr]
            columns[name].append("" if value is None else str(value))
    table = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    return CsvTable(raw, table, list(columns), 1, False, None, record_label="data")


def frame_table(raw: RawFile, frame: object, *, label: str, base: int = 1) -> CsvTable:
    """A pandas DataFrame (e.g. from an R data file) as a text table, as if read from CSV.

    Whole-number floats are written without ``.0``; datetimes as ``YYYY-MM-DD``; missing values
    become empty strings.
    """
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
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
            whole = finite & (np.floor(safe) == safe)
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
    return CsvTable(raw, table, list(columns), 1, False, None, record_label=label, record_base=base)
