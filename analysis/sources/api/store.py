"""Where pulled events are kept: the CSV the readers read, its provenance sidecar, the previous
version, and the pages of an unfinished pull.

Layout, in ``data/raw/acled/`` (or ``ucdp/``)
----------------------------------------------
``acled-mali.csv``
    The events as the API sent them, one row per event, the API's field names as columns
    (:func:`analysis.read_acled` and :func:`analysis.read_ucdp_ged` read it as they read an
    export).
``acled-mali.csv.provenance.json``
    The sidecar: service, base URL and endpoints, the query, when it was pulled (and updated),
    the dataset version, the latest ``timestamp``, counts, the file's sha256, and the history of
    updates. Never a credential.
``previous/acled-mali.csv`` (and its sidecar)
    The version an update replaced.
``.partial/acled-mali/``
    The parts of a pull not yet finished (one JSON file per part, and ``state.json``); a pull
    run again with the same query resumes from them. Removed once the pull is complete.

Every file is written through :func:`analysis.files.atomic_write`: a reader never sees half a
file, and an interrupted command leaves the previous file whole; the temporary files of a
command killed outright are removed by the next pull.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import DataError
from analysis.files import atomic_write, remove_stale_temporaries, sha256_file
from analysis.sources._tabular import read_json

__all__ = [
    "SIDECAR_SUFFIX",
    "sidecar_path",
    "is_sidecar",
    "cell",
    "write_records",
    "read_records",
    "read_record_lines",
    "write_sidecar",
    "read_sidecar",
    "keep_previous",
    "PartialPull",
    "describe_pull",
    "utc_text",
    "Progress",
]

SIDECAR_SUFFIX = ".provenance.json"
_FORMAT = 1


@dataclass(frozen=True)
class Progress:
    """How far a pull has come, handed to a progress callback after each part.

    ``done`` of ``total`` parts (years of ACLED events, pages of UCDP events), ``events`` so
    far, and ``label`` naming the part just finished (or resumed from disk).
    """

    label: str
    done: int
    total: int | None
    events: int
    resumed: bool = False


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """The provenance sidecar of a pulled file: ``<file>.provenance.json`` beside it."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def is_sidecar(path: str | os.PathLike[str]) -> bool:
    """Whether a file is a provenance sidecar (not an export)."""
    return Path(path).name.endswith(SIDECAR_SUFFIX)


def utc_text(moment: float | dt.datetime) -> str:
    """A moment as ``2026-11-30T05:17:32Z``."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.fromtimestamp(moment, dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cell(value: object) -> str:
    """One API value as CSV text: missing is empty, numbers as JSON writes them.

    Raises ``TypeError`` for a nested value (a list or object), which no export has.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    raise TypeError(f"nested value {type(value).__name__}")


def columns_of(records: Iterable[Mapping[str, Any]], first: Sequence[str] = ()) -> list[str]:
    """Field names in order of first appearance, after ``first``."""
    names = dict.fromkeys(first)
    for record in records:
        names.update(dict.fromkeys(record))
    return list(names)


def write_records(
    path: str | os.PathLike[str], records: Sequence[Mapping[str, str]], columns: Sequence[str]
) -> str:
    """Write records (already text, see :func:`cell`) as a UTF-8 CSV, atomically; its sha256."""
    with atomic_write(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), restval="", lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow(record)
    return sha256_file(path)


def read_records(path: str | os.PathLike[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The columns and rows (as text) of a file :func:`write_records` wrote."""
    columns, rows, _ = read_record_lines(path)
    return columns, rows


def read_record_lines(
    path: str | os.PathLike[str],
) -> tuple[list[str], list[dict[str, str]], list[int]]:
    """As :func:`read_records`, with the physical line each row starts on (for messages)."""
    path = Path(path)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            columns = list(reader.fieldnames or [])
            for row in reader:
                if None in row:
                    raise DataError(
                        "more fields than the header names; expected the CSV a pull wrote",
                        file=path,
                        line=_first_line(reader.line_num, row),
                        rule="extra_field",
                    )
                rows.append(dict(row))
                lines.append(_first_line(reader.line_num, row))
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not UTF-8 ({exc.reason}); expected the CSV a pull wrote", file=path, rule="encoding"
        ) from None
    except csv.Error as exc:
        raise DataError(
            f"malformed CSV ({exc}); expected the CSV a pull wrote",
            file=path,
            line=reader.line_num,
            rule="csv",
        ) from None
    return columns, rows, lines


def _first_line(last_line: int, row: dict[str | None, object]) -> int:
    """The physical line a record starts on, from the line it ends on and the line breaks
    inside its quoted values (blank lines before it are skipped by the reader)."""
    breaks = 0
    for value in row.values():
        for text in value if isinstance(value, list) else [value]:
            breaks += str(text or "").count("\n")
    return last_line - breaks


def write_sidecar(path: str | os.PathLike[str], record: Mapping[str, Any]) -> Path:
    """Write the sidecar of ``path`` (``record`` plus the format number), atomically."""
    target = sidecar_path(path)
    with atomic_write(target) as handle:
        json.dump({"format": _FORMAT, **record}, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return target


def read_sidecar(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The sidecar of a pulled file, or ``None`` when it has none."""
    target = sidecar_path(path)
    if not target.is_file():
        return None
    try:
        text = target.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"the provenance sidecar is not UTF-8 ({exc.reason})", file=target, rule="json"
        ) from None
    record = read_json(text, target, "the provenance sidecar a pull wrote")
    if not isinstance(record, dict) or "service" not in record or "query" not in record:
        raise DataError(
            "the provenance sidecar lacks 'service' or 'query'", file=target, rule="required"
        )
    return record


def keep_previous(path: str | os.PathLike[str]) -> Path | None:
    """Copy a file and its sidecar into ``previous/`` beside it (replacing the older copy).

    Returns the copy's path, or ``None`` when there was no file.
    """
    path = Path(path)
    if not path.is_file():
        return None
    folder = path.parent / "previous"
    for source in (path, sidecar_path(path)):
        if source.is_file():
            with atomic_write(folder / source.name, "wb", encoding=None) as handle:
                with open(source, "rb") as original:
                    shutil.copyfileobj(original, handle)
    return folder / path.name


class PartialPull:
    """The saved parts of an unfinished pull, keyed by what was asked.

    Parameters
    ----------
    target
        The file the pull will write.
    query
        Everything that defines the pull (service, base URL, query, page size): parts saved
        under another query are discarded rather than mixed in.
    """

    def __init__(self, target: Path, query: Mapping[str, Any]) -> None:
        self.folder = target.parent / ".partial" / target.stem
        # what a pull killed outright was writing (its process is gone)
        remove_stale_temporaries(target.parent, depth=0)
        remove_stale_temporaries(self.folder, depth=0)
        self.query = json.loads(json.dumps(query, default=str))
        self.state: dict[str, Any] = {}
        state_file = self.folder / "state.json"
        if state_file.is_file():
            try:
                state = json.loads(state_file.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):  # damaged: start afresh
                state = {}
            if isinstance(state, dict) and state.get("query") == self.query:
                self.state = state
            else:
                self.discard()
        self.resumed = bool(self.state)
        if not self.state:
            self.state = {"query": self.query, "parts": {}}

    @property
    def parts(self) -> dict[str, Any]:
        """Saved parts: name -> what was noted with it."""
        return self.state["parts"]

    def get(self, key: str, default: Any = None) -> Any:
        return self.state.get(key, default)

    def note(self, **values: Any) -> None:
        """Remember values with the state (e.g. when the pull started)."""
        self.state.update(values)
        self._save_state()

    def save(self, name: str, records: list[dict[str, Any]], **meta: Any) -> None:
        """Save one finished part (its records as the API sent them)."""
        with atomic_write(self.folder / f"{name}.json") as handle:
            json.dump(records, handle, ensure_ascii=False)
        self.parts[name] = meta
        self._save_state()

    def load(self, name: str) -> list[dict[str, Any]]:
        """The records of a saved part (a damaged part is a :class:`DataError` naming it)."""
        path = self.folder / f"{name}.json"
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"a saved part of the pull is not UTF-8 ({exc.reason}); delete {self.folder.name}"
                " to pull afresh",
                file=path,
                rule="json",
            ) from None
        records = read_json(text, path, "the records of a saved part of the pull")
        if not isinstance(records, list):
            raise DataError(
                "a saved part of the pull is not a list of records; delete the folder to pull "
                "afresh",
                file=path,
                rule="json",
            )
        return records

    def _save_state(self) -> None:
        with atomic_write(self.folder / "state.json") as handle:
            json.dump(self.state, handle, ensure_ascii=False)

    def discard(self) -> None:
        """Remove the saved parts (once the pull is complete, or when the query changed)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        parent = self.folder.parent
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()


def describe_pull(path: str | os.PathLike[str]) -> str | None:
    """One line naming a pulled file's service, pull date and dataset version, for reports.

    ``None`` when the file has no sidecar (an export placed by hand) or the sidecar cannot be
    read.

    Examples
    --------
    >>> describe_pull("data/raw/acled/acled-mali.csv")  # doctest: +SKIP
    'ACLED API pull of 2026-11-30T05:17:32Z, updated 2026-12-07T08:00:00Z; dataset version: ...'
    """
    try:
        record = read_sidecar(path)
    except (DataError, OSError):
        return None
    if record is None:
        return None
    text = f"{record.get('service', '?')} API pull of {record.get('pulled_at', '?')}"
    if record.get("updated_at"):
        text += f", updated {record['updated_at']}"
    text += f"; dataset version: {record.get('dataset_version', 'not stated')}"
    if record.get("sha256") and Path(path).is_file() and sha256_file(path) != record["sha256"]:
        text += " (the file differs from the one the pull wrote)"
    return text
