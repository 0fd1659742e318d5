"""What a file is, from its bytes rather than its name, and which reader takes it.

Researchers bring exports in whatever form they were downloaded or passed on: CSV with commas,
semicolons or tabs, gzip-compressed CSV, a zip holding one export, an Excel workbook, parquet,
the ACLED API's JSON, UCDP's R data files. :func:`sniff_format` looks at the first bytes;
:func:`open_input` gives the readers a :class:`~analysis.sources._tabular.RawFile` of the data
itself (a compressed file is unpacked once into the cache folder, keyed by its checksum; the
original is never changed); :func:`detect_source` tells which reader a file belongs to, from its
column names. A file that is none of these gets a :class:`~analysis.errors.DataError` saying what
it looks like and what is accepted.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from analysis.errors import DataError
from analysis.sources import _tabular as tab

__all__ = [
    "Format",
    "Sniffed",
    "Source",
    "ACCEPTED",
    "sniff_format",
    "open_input",
    "detect_source",
    "file_columns",
    "check_formula_results",
]

Format = Literal["csv", "json", "xlsx", "parquet", "rda", "rds"]
FORMATS: tuple[str, ...] = get_args(Format)
Source = Literal["acled", "ucdp", "hdx"]
#: the accepted forms, in words, for error messages
ACCEPTED = (
    "CSV (comma, semicolon or tab separated, UTF-8), optionally gzip-compressed; a zip holding "
    "one export; an Excel .xlsx workbook; parquet; the ACLED API's JSON; UCDP's R data files "
    "(.rda/.RData/.rds)"
)
_DELIMITERS = (",", ";", "\t")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Sniffed:
    """What a file holds: ``format``, the CSV ``delimiter``, and ``packing`` (``None``,
    ``"gzip"`` or ``"zip"``, with the ``member`` read from a zip)."""

    format: Format
    delimiter: str = ","
    packing: Literal["gzip", "zip"] | None = None
    member: str | None = None


def _looks_like(head: bytes) -> str:
    """A few words on what unrecognised bytes look like."""
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Excel .xls (or other OLE) file; save it as .xlsx or CSV"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "an image"
    if head.startswith(b"SQLite format 3"):
        return "an SQLite database"
    lowered = head[:512].lstrip(_BOM + b" \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "an HTML page (a download that returned a web page?)"
    if lowered.startswith(b"<?xml") or lowered.startswith(b"<"):
        return "an XML or HTML document"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "a UTF-16 text file; save it as UTF-8"
    if b"\x00" in head[:4096]:
        return "binary data of an unknown kind"
    return "text without a header row of comma, semicolon or tab separated columns"


def _r_kind(head: bytes) -> Format | None:
    if head.startswith((b"RDX2\n", b"RDX3\n", b"RDA2\n", b"RDA3\n", b"RDB2\n", b"RDB3\n")):
        return "rda"
    if head[:2] in (b"X\n", b"A\n", b"B\n"):
        return "rds"
    return None


def _decompressed_head(head: bytes, data_path: Path, packing: str) -> bytes:
    opener = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[packing]
    try:
        with opener(data_path, "rb") as handle:
            return handle.read(1 << 16)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise DataError(
            f"a {packing} file that cannot be decompressed ({exc})", file=data_path, rule="parse"
        ) from None


def _delimiter(text_head: bytes, path: Path) -> str:
    """The CSV delimiter: the candidate splitting the header into the most fields, and as
    many in the next line (quotes respected)."""
    text = text_head.removeprefix(_BOM).decode("utf-8", errors="replace")
    best, best_fields = None, 1
    for delimiter in _DELIMITERS:
        rows = csv.reader(io.StringIO(text), delimiter=delimiter)
        header = next(rows, None)
        if not header or len(header) <= best_fields:
            continue
        second = next(rows, None)
        if second is not None and len(second) not in (len(header), 1) and len(text) < (1 << 16):
            continue
        best, best_fields = delimiter, len(header)
    if best is None:
        first = text.splitlines()[0].strip() if text.strip() else ""
        if first and " " not in first and first.isprintable():
            return ","  # a table of one column (e.g. ACLED's deleted-events list)
        raise DataError(
            f"not a table this project reads: it looks like {_looks_like(text_head)}; "
            f"accepted: {ACCEPTED}",
            file=path,
            line=1,
            rule="unknown_format",
        )
    return best


def _plain_kind(head: bytes, path: Path) -> tuple[Format, str]:
    if head.startswith(b"PAR1"):
        return "parquet", ","
    r_kind = _r_kind(head)
    if r_kind is not None:
        return r_kind, ","
    stripped = head.lstrip(_BOM + b" \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "json", ","
    if head.startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\xff\xfe", b"\xfe\xff")) or (
        b"\x00" in head[:4096]
    ):
        raise DataError(
            f"not a table this project reads: it looks like {_looks_like(head)}; "
            f"accepted: {ACCEPTED}",
            file=path,
            rule="unknown_format",
        )
    if stripped.lower().startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise DataError(
            f"not a table this project reads: it looks like {_looks_like(head)}; "
            f"accepted: {ACCEPTED}",
            file=path,
            rule="unknown_format",
        )
    tab.check_line_ends(head.removeprefix(_BOM), path)
    return "csv", _delimiter(head, path)


def _zip_member(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                info.filename
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not Path(info.filename).name.startswith(".")
                and Path(info.filename).suffix.lower() not in (".txt", ".md", ".pdf", ".html")
            ]
    except zipfile.BadZipFile as exc:
        raise DataError(f"a damaged zip archive ({exc})", file=path, rule="parse") from None
    if len(names) != 1:
        shown = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "")
        raise DataError(
            f"a zip archive holding {len(names)} data files ({shown or 'none'}); expected "
            "exactly one export: unpack it and put each export in data/raw/",
            file=path,
            rule="unknown_format",
        )
    return names[0]


def sniff_format(path: str | os.PathLike[str]) -> Sniffed:
    """What ``path`` holds, from its first bytes (the suffix is not consulted).

    Parameters
    ----------
    path
        Any file.

    Returns
    -------
    Sniffed
        ``format`` one of ``csv``, ``json``, ``xlsx``, ``parquet``, ``rda``, ``rds``; the CSV
        ``delimiter`` (``,``, ``;`` or tab); ``packing`` (``"gzip"`` or ``"zip"``, else
        ``None``) and the zip ``member``.

    Raises
    ------
    DataError
        The file is missing or empty, a zip holds no or several data files, or the content is
        none of the accepted forms; the message says what it looks like (a PDF, an HTML page, an
        old ``.xls`` workbook, UTF-16 text, binary data, text without columns) and lists what
        is accepted.

    Notes
    -----
    R's ``.rds`` and ``.rda`` files are usually gzip (sometimes bzip2 or xz) compressed; they
    are told apart from a compressed CSV by the first bytes inside (``RDX``/``X\\n``). A zip
    whose entries include ``xl/workbook.xml`` is an Excel workbook; any other zip must hold
    exactly one data file (documentation files such as ``.txt``, ``.md``, ``.pdf`` are ignored).

    Examples
    --------
    >>> sniff_format("data/raw/acled/export.csv.gz")  # doctest: +SKIP
    Sniffed(format='csv', delimiter=',', packing='gzip', member=None)
    """
    raw = tab.scan_file(path)
    head = raw.head
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(raw.path) as archive:
                entries = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise DataError(
                f"a damaged zip archive or workbook ({exc})", file=raw.path, rule="parse"
            ) from None
        if "xl/workbook.xml" in entries:
            return Sniffed("xlsx")
        member = _zip_member(raw.path)
        with zipfile.ZipFile(raw.path) as archive, archive.open(member) as handle:
            inner = handle.read(1 << 16)
        if inner.startswith(b"PK\x03\x04"):
            return Sniffed("xlsx", packing="zip", member=member)
        if inner[:2] == b"\x1f\x8b":
            inner = gzip.decompress(inner) if len(inner) < (1 << 16) else inner
        kind, delimiter = _plain_kind(inner, raw.path)
        return Sniffed(kind, delimiter, packing="zip", member=member)
    for magic, packing in ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz")):
        if head.startswith(magic):
            inner = _decompressed_head(head, raw.path, packing)
            r_kind = _r_kind(inner)
            if r_kind is not None:
                return Sniffed(r_kind)  # R reads its own compression
            if packing != "gzip":
                raise DataError(
                    f"a {packing}-compressed file that is not an R data file; accepted: {ACCEPTED}",
                    file=raw.path,
                    rule="unknown_format",
                )
            if not inner:
                raise DataError("the file is empty once decompressed", file=raw.path, rule="empty")
            kind, delimiter = _plain_kind(inner, raw.path)
            return Sniffed(kind, delimiter, packing="gzip")
    kind, delimiter = _plain_kind(head, raw.path)
    return Sniffed(kind, delimiter)


def _unpack_dir(cache_dir: str | os.PathLike[str] | None) -> Path:
    from analysis.sources.cache import default_cache_dir

    return default_cache_dir(cache_dir) / "unpacked"


def open_input(
    path: str | os.PathLike[str], *, cache_dir: str | os.PathLike[str] | None = None
) -> tuple[tab.RawFile, Sniffed]:
    """The data of ``path`` as a scanned file, and what it is.

    A gzip-compressed CSV or a zip's single export is unpacked once into
    ``<cache>/unpacked/<file name>-<sha256 prefix>/`` (atomically, with the copy's checksum
    beside it, checked before each reuse; reused while the archive is
    unchanged) and that copy is scanned; everything else is scanned where it is. The returned
    file's ``delimiter`` is set for CSV.
    """
    from analysis.files import atomic_write
    from analysis.sources.cache import record_checksum, tidy

    sniffed = sniff_format(path)
    raw = tab.scan_file(path)
    if sniffed.packing is not None:
        folder = _unpack_dir(cache_dir) / f"{raw.name}-{raw.sha256[:16]}"
        name = Path(sniffed.member).name if sniffed.member else raw.path.name
        if sniffed.packing == "gzip" and name.lower().endswith(".gz"):
            name = name[:-3]
        target = folder / name
        if not _unpacked_intact(target):
            folder.mkdir(parents=True, exist_ok=True)
            tidy(folder)
            with atomic_write(target, "wb") as out:
                if sniffed.packing == "gzip":
                    with gzip.open(raw.path, "rb") as handle:
                        _copy(handle, out, raw.path)
                else:
                    with zipfile.ZipFile(raw.path) as archive:
                        with archive.open(str(sniffed.member)) as handle:
                            if sniffed.format == "csv" and _is_gzip_member(archive, sniffed):
                                handle = gzip.GzipFile(fileobj=handle)
                            _copy(handle, out, raw.path)
            record_checksum(target)
        raw = tab.scan_file(target)
    raw.delimiter = sniffed.delimiter
    return raw, sniffed


def _unpacked_intact(target: Path) -> bool:
    """Whether an unpacked copy exists and is as it was written (its recorded checksum); a
    copy edited or damaged since is unpacked again, with a warning."""
    import warnings

    from analysis.sources.cache import CacheWarning, check_checksum

    if not target.is_file():
        return False
    try:
        check_checksum(target)
    except ValueError as reason:
        warnings.warn(
            f"ignoring the unpacked copy {target.name} ({reason}); unpacking the archive again",
            CacheWarning,
            stacklevel=3,
        )
        return False
    return True


def _is_gzip_member(archive: zipfile.ZipFile, sniffed: Sniffed) -> bool:
    with archive.open(str(sniffed.member)) as handle:
        return handle.read(2) == b"\x1f\x8b"


def _copy(source: io.BufferedIOBase, target: object, path: Path) -> None:
    try:
        while block := source.read(1 << 22):
            target.write(block)  # type: ignore[attr-defined]
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"the compressed data is damaged ({exc})", file=path, rule="parse"
        ) from None


def file_columns(raw: tab.RawFile, sniffed: Sniffed) -> list[str]:
    """Normalised column names of a scanned file (every sheet's for a workbook), read cheaply."""
    if sniffed.format == "csv":
        return [tab.normalise_name(name) for name in tab.header_cells(raw)]
    if sniffed.format == "parquet":
        import pyarrow.parquet as pq

        return [tab.normalise_name(name) for name in pq.read_schema(raw.path).names]
    if sniffed.format == "json":
        text = raw.head.decode("utf-8", errors="replace")
        return [word for word in ("event_id_cnty", "event_date", "actor1") if word in text]
    if sniffed.format == "xlsx":
        import openpyxl

        names: list[str] = []
        workbook = openpyxl.load_workbook(raw.path, read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                for row in sheet.iter_rows(min_row=1, max_row=1, values_only=True):
                    names.extend(tab.normalise_name(str(c)) for c in row if c is not None)
        finally:
            workbook.close()
        return names
    return []  # R data files: read whole by the UCDP reader


def detect_source(path: str | os.PathLike[str]) -> Source | None:
    """Which reader takes ``path``: ``"acled"``, ``"ucdp"``, ``"hdx"``, or ``None``.

    Decided by content: the format (:func:`sniff_format`) and the column names. An ACLED event
    export has ``event_id_cnty`` and ``event_date``; a UCDP GED file ``best`` and ``side_a``
    (R data files are UCDP's form); an HDX aggregate ``month``, ``year``, ``events`` (workbooks)
    or HAPI's ``location_code`` and ``reference_period_start``. Files that are not tables, or
    tables of another kind, give ``None``.
    """
    try:
        raw, sniffed = open_input(path)
    except DataError:
        return None
    if sniffed.format in ("rda", "rds"):
        return "ucdp"
    try:
        names = set(file_columns(raw, sniffed))
    except Exception:  # a damaged workbook or parquet file: not recognised here
        return None
    if {"event_id_cnty", "event_date"} <= names or (
        sniffed.format == "json" and "event_id_cnty" in names
    ):
        return "acled"
    if {"best", "side_a"} <= names:
        return "ucdp"
    if {"location_code", "reference_period_start"} <= names or {
        "month",
        "year",
        "events",
    } <= names:
        return "hdx"
    return None


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def check_formula_results(path: Path) -> None:
    """Raise a :class:`DataError` for a formula cell of a workbook that holds no stored result.

    Excel stores each formula's last result beside it, and that result is what is read; a
    workbook written by a program that does not compute formulas has none, and the cell would
    be read as empty. The message names the sheet and the cell. A workbook without formulas
    (the usual export) is recognised from its XML without opening it in openpyxl.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            if not any(_FORMULA_TAG.search(archive.read(name)) for name in sheets):
                return
    except Exception:  # zipfile and zlib raise several types for a damaged archive
        return  # a damaged workbook is reported by the reader that opens it
    import openpyxl

    try:
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        results = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file; the reader reports it
        return
    try:
        for sheet, stored in zip(formulas.worksheets, results.worksheets, strict=True):
            rows = zip(sheet.iter_rows(), stored.iter_rows(values_only=True), strict=False)
            for number, (cells, values) in enumerate(rows, start=1):
                for index, cell in enumerate(cells):
                    if getattr(cell, "data_type", None) != "f":
                        continue
                    value = values[index] if index < len(values) else None
                    if value is None:
                        raise DataError(
                            f"sheet {sheet.title!r}: cell {cell.coordinate} holds the formula "
                            f"{str(cell.value)[:80]!r} with no stored result, so it would read "
                            "as empty; open the workbook in a spreadsheet program and save it "
                            "(which stores the results), or replace the formula by its value",
                            file=path,
                            line=number,
                            rule="formula",
                        )
    finally:
        formulas.close()
        results.close()


def frame_input(raw: tab.RawFile, sniffed: Sniffed, *, wanted: set[str]) -> tab.CsvTable:
    """An Excel workbook or a parquet file as a text table (the HXL row dropped).

    For a workbook, the first sheet whose header holds all of ``wanted`` (normalised names) is
    read, else the first sheet; rows are labelled ``<sheet>[<row>]`` with the header as row 1,
    as in Excel. A parquet file's rows are ``parquet[<i>]``.
    """
    import pandas as pd

    if sniffed.format == "parquet":
        import pyarrow.parquet as pq

        try:
            frame = pq.read_table(raw.path).to_pandas()
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise tab.unreadable(raw, "parquet file", exc) from None
        return tab.frame_table(raw, frame, label="parquet", base=0)
    check_formula_results(raw.path)
    try:
        # read as objects, then typed per column: pandas would otherwise turn a TRUE cell in
        # a column of whole numbers into 1 (a mixed column stays objects, and is refused)
        sheets = {
            name: sheet.infer_objects()
            for name, sheet in pd.read_excel(raw.path, sheet_name=None, dtype=object).items()
        }
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise tab.unreadable(raw, "Excel workbook", exc) from None
    if not sheets:
        raise DataError("the workbook has no sheet", file=raw.path, rule="empty")
    chosen = next(
        (
            (name, sheet)
            for name, sheet in sheets.items()
            if wanted <= {tab.normalise_name(str(c)) for c in sheet.columns}
        ),
        next(iter(sheets.items())),
    )
    name, sheet = chosen
    if sheet.empty:
        raise DataError(f"the sheet {name!r} has no rows", file=raw.path, rule="empty")
    return tab.frame_table(raw, sheet, label=str(name), base=2)
