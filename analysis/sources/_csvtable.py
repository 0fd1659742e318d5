"""Reading small hand-made CSV tables against a declared schema, with line-exact errors.

The evidence table and the hand-made lookups are small (hundreds of rows) and are edited by
people, so they are read with the standard library's :mod:`csv` module, which knows on which
physical line each record starts (a quoted field may span lines). Every rule broken raises
:class:`analysis.errors.DataError` naming the file, the line, the column and the rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from analysis._checks import did_you_mean
from analysis.errors import DataError
from analysis.sources._tabular import EARLIEST_YEAR

Kind = Literal["id", "text", "date", "int", "category", "bool", "url"]

IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_INT_RE = re.compile(r"^[0-9]+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://\S+$")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
# fields longer than this are refused: no cell of a hand-made table is anywhere near it
MAX_FIELD_CHARS = 20_000
#: The dates a table's date column may hold: from 1900 (earlier is a misread year, as for event
#: dates) to the last day pandas' datetime64[ns] columns can hold.
EARLIEST_DATE = dt.date(EARLIEST_YEAR, 1, 1)
LATEST_DATE = pd.Timestamp.max.date()


@dataclass(frozen=True)
class Column:
    """One column of a hand-made table.

    ``kind`` decides parsing and dtype: ``id`` (lowercase slug, string), ``text`` (string),
    ``date`` (ISO ``YYYY-MM-DD`` from :data:`EARLIEST_DATE` to :data:`LATEST_DATE`,
    datetime64), ``int`` (non-negative integer, Int64),
    ``category`` (one of ``allowed``, categorical), ``bool`` (true/false, boolean),
    ``url`` (http(s) address, string).
    """

    name: str
    kind: Kind = "text"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    doc: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A table's columns, its key, and a name for messages."""

    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    optional_columns: frozenset[str] = field(default_factory=frozenset)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def report(problems: list[DataError] | None, error: DataError) -> None:
    """Raise ``error``, or append it to ``problems`` when the caller collects every problem."""
    if problems is None:
        raise error
    problems.append(error)


def _decode(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(
            f"bytes that are not valid UTF-8 (at byte {error.start}); save the file as UTF-8",
            file=path,
            line=line,
            rule="encoding",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(
            "a NUL byte: this is not a text CSV file", file=path, line=line, rule="encoding"
        )
    return text


def read_records(
    path: Path, spec: TableSpec, *, problems: list[DataError] | None = None
) -> tuple[list[dict[str, str]], list[int]]:
    """Read ``path`` as CSV; return its records (as str dicts) and each record's start line.

    Checks the header (required columns present, no unknown or duplicated names) and that
    every record has as many fields as the header. A broken file or header always raises; with
    ``problems`` a list, a broken record is appended to it and left out, and reading goes on.
    """
    if not path.exists():
        raise DataError(f"the {spec.name} file does not exist", file=path, rule="missing_file")
    if path.is_dir():
        raise DataError(
            f"expected the {spec.name} CSV file, found a folder", file=path, rule="kind"
        )
    text = _decode(path.read_bytes(), path)
    if not text.strip():
        raise DataError(f"the {spec.name} file is empty", file=path, line=1, rule="empty")
    sniff = text.split("\n", 1)[0]
    if "," not in sniff and (";" in sniff or "\t" in sniff):
        raise DataError(
            "the header is not comma-separated (found ';' or tab): save as a comma-separated CSV",
            file=path,
            line=1,
            rule="delimiter",
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        raise DataError(f"unreadable header: {error}", file=path, line=1, rule="csv") from None
    header = [h.strip() for h in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(
                "the column name appears twice in the header",
                file=path,
                line=1,
                column=name,
                rule="duplicate_column",
            )
        seen.add(name)
    known = set(spec.names)
    for name in header:
        if name not in known:
            raise DataError(
                f"unknown column{did_you_mean(name, spec.names)}; the {spec.name} table has: "
                f"{', '.join(spec.names)}",
                file=path,
                line=1,
                column=name,
                rule="unknown_column",
            )
    for column in spec.columns:
        if column.name not in seen and column.name not in spec.optional_columns:
            raise DataError(
                f"required column missing from the header of the {spec.name} table",
                file=path,
                line=1,
                column=column.name,
                rule="required_column",
            )
    records: list[dict[str, str]] = []
    lines: list[int] = []
    skipped = 0  # broken records left out (only when collecting problems)
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise DataError(f"malformed CSV: {error}", file=path, line=start, rule="csv") from None
        if not row or all(not cell.strip() for cell in row):
            start = reader.line_num + 1
            continue
        if len(row) != len(header):
            report(
                problems,
                DataError(
                    f"{len(row)} fields where the header has {len(header)}"
                    " (a comma inside a field must be quoted)",
                    file=path,
                    line=start,
                    rule="field_count",
                ),
            )
            skipped += 1
            start = reader.line_num + 1
            continue
        oversized = [
            name for name, cell in zip(header, row, strict=True) if len(cell) > MAX_FIELD_CHARS
        ]
        for name in oversized:
            cell = row[header.index(name)]
            report(
                problems,
                DataError(
                    f"a field of {len(cell):,} characters (at most {MAX_FIELD_CHARS:,})",
                    file=path,
                    line=start,
                    column=name,
                    rule="field_size",
                ),
            )
        if oversized:
            skipped += 1
            start = reader.line_num + 1
            continue
        records.append({name: cell.strip() for name, cell in zip(header, row, strict=True)})
        lines.append(start)
        start = reader.line_num + 1
    if not records and not skipped:
        raise DataError(
            f"the {spec.name} file has a header but no rows", file=path, line=1, rule="empty"
        )
    return records, lines


class _Refused(Exception):
    """A cell's value breaks its column's rule: what is wrong, and the rule's name."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule


def _matching(pattern: re.Pattern[str], what_it_is_not: str, rule: str):
    """A cell parser that keeps the value as text when it matches ``pattern``."""

    def parse(value: str, column: Column) -> str:
        if not pattern.match(value):
            raise _Refused(f"{value!r} is not {what_it_is_not}", rule)
        return value

    return parse


def _as_text(value: str, column: Column) -> str:
    return value


def _as_date(value: str, column: Column) -> dt.date:
    if not _DATE_RE.match(value):
        raise _Refused(f"{value!r} is not an ISO date YYYY-MM-DD", "date")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise _Refused(f"{value!r} is not a real calendar date", "date") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise _Refused(
            f"{value!r} is outside the dates a table holds; expected a date from "
            f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()} (a year written "
            "0001 or 2300 is a typing error)",
            "date",
        )
    return day


def _as_int(value: str, column: Column) -> int:
    if not _INT_RE.match(value):
        raise _Refused(
            f"{value!r} is not a whole non-negative number (digits only, no separators)",
            "integer",
        )
    number = int(value)
    if number > _INT_MAX:
        raise _Refused(
            f"{value!r} is larger than any count a document publishes (at most {_INT_MAX:,})",
            "integer",
        )
    return number


def _as_category(value: str, column: Column) -> str:
    assert column.allowed is not None
    if value not in column.allowed:
        raise _Refused(
            f"{value!r} is not one of: {', '.join(column.allowed)}"
            f"{did_you_mean(value, column.allowed)}",
            "allowed_values",
        )
    return value


def _as_bool(value: str, column: Column) -> bool:
    low = value.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise _Refused(f"{value!r} is not true or false", "boolean")


#: How a non-empty cell of each column kind is checked and typed.
_CELL_PARSERS = {
    "id": _matching(
        IDENTIFIER, "an identifier (lowercase letters, digits, '-', '_', '.')", "identifier"
    ),
    "text": _as_text,
    "date": _as_date,
    "int": _as_int,
    "category": _as_category,
    "bool": _as_bool,
    "url": _matching(_URL_RE, "an http(s) address", "url"),
}


def _parse_cell(value: str, column: Column, path: Path, line: int):
    if value == "":
        if column.required:
            raise DataError(
                "a value is required", file=path, line=line, column=column.name, rule="required"
            )
        return None
    parse = _CELL_PARSERS.get(column.kind, _as_text)
    try:
        return parse(value, column)
    except _Refused as refused:
        raise DataError(
            refused.message, file=path, line=line, column=column.name, rule=refused.rule
        ) from None


def parse_table(
    path: str | Path, spec: TableSpec, *, problems: list[DataError] | None = None
) -> pd.DataFrame:
    """Read and type one hand-made table; the result has an extra ``line`` column.

    With ``problems`` a list, every broken rule is appended to it instead of raised, and the
    records that broke one are left out of the result (so later checks do not repeat them); a
    missing file or a broken header still raises.
    """
    path = Path(path)
    records, lines = read_records(path, spec, problems=problems)
    parsed: dict[str, list] = {c.name: [] for c in spec.columns}
    kept: list[int] = []
    for record, line in zip(records, lines, strict=True):
        values, ok = {}, True
        for column in spec.columns:
            try:
                values[column.name] = _parse_cell(record.get(column.name, ""), column, path, line)
            except DataError as error:
                report(problems, error)
                ok = False
        if ok:
            kept.append(line)
            for name, value in values.items():
                parsed[name].append(value)
    frame = pd.DataFrame({"line": pd.array(kept, dtype="Int64")})
    for column in spec.columns:
        frame[column.name] = _to_series(parsed[column.name], column)
    frame = frame[[*spec.names, "line"]]
    if spec.key is not None:
        first_line: dict[object, int] = {}
        duplicated = []
        for i, (key, line) in enumerate(zip(frame[spec.key], frame["line"], strict=True)):
            if key in first_line:
                report(
                    problems,
                    DataError(
                        f"{key!r} is used twice (first on line {first_line[key]})",
                        file=path,
                        line=int(line),
                        column=spec.key,
                        rule="unique",
                    ),
                )
                duplicated.append(i)
            else:
                first_line[key] = int(line)
        if duplicated:
            frame = frame.drop(index=frame.index[duplicated]).reset_index(drop=True)
    return frame


#: The largest whole number a table column holds (pandas' Int64); larger ones are refused.
_INT_MAX = 2**63 - 1


def _to_series(values: Sequence, column: Column) -> pd.Series:
    if column.kind == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype="object")), dtype="datetime64[ns]")
    if column.kind == "int":
        return pd.Series(pd.array(values, dtype="Int64"))
    if column.kind == "bool":
        return pd.Series(pd.array(values, dtype="boolean"))
    if column.kind == "category":
        assert column.allowed is not None
        return pd.Series(pd.Categorical(values, categories=list(column.allowed)))
    return pd.Series(pd.array(values, dtype="string"))


def problem_at(
    frame: pd.DataFrame, row: int, message: str, *, path: Path, column: str, rule: str
) -> DataError:
    """A :class:`DataError` for positional row ``row`` of a parsed table."""
    return DataError(
        message, file=path, line=int(frame["line"].iloc[row]), column=column, rule=rule
    )


def report_rows(
    problems: list[DataError] | None,
    frame: pd.DataFrame,
    bad: Iterable[bool],
    message: Callable[[int], str],
    *,
    path: Path,
    column: str,
    rule: str,
) -> None:
    """Report (see :func:`report`) every positional row of ``frame`` where ``bad`` is true,
    with ``message(row)`` as what is wrong in ``column``."""
    for row, is_bad in enumerate(bad):
        if is_bad:
            report(
                problems,
                problem_at(frame, row, message(row), path=path, column=column, rule=rule),
            )


def fail_at(frame: pd.DataFrame, row: int, message: str, *, path: Path, column: str, rule: str):
    """Raise a :class:`DataError` for positional row ``row`` of a parsed table."""
    raise problem_at(frame, row, message, path=path, column=column, rule=rule)
