"""Every reader against every class of hostile file: a table, or the project's DataError.

Each reader starts from a valid SYNTHETIC file of its own kind; each hostile class turns that
file into a bad one (emptied, old-Mac line ends, JSON nested past Python's recursion limit,
binary bytes, an unclosed quote, a NUL byte, blank lines, every count made 400 digits long or
``TRUE``). Whatever comes in, only :class:`analysis.errors.DataError` (naming the file) may
come out: never a bare exception from pandas, pyarrow, csv, json, openpyxl or the standard
library. Where a silent read would be a wrong read (a 400-digit or ``TRUE`` count), the error
is required.
"""

from __future__ import annotations

import io
import re
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths, testing
from analysis.errors import DataError
from analysis.sources.api import store
from analysis.sources.tallies import (
    BODIES_SPEC,
    INTERVENTIONS_SPEC,
    SOURCES_SPEC,
    TALLIES_SPEC,
    load_bodies,
    load_interventions,
    load_sources,
    load_tallies,
)
from tests.tallies.synthetic import BODIES, SOURCES, TALLIES, write_table

SYNTHETIC_INTERVENTION = {
    "intervention_id": "arrival",
    "date": "2021-12-01",
    "date_precision": "month",
    "kind": "arrival",
    "label": "Synthetic arrival",
    "is_default": "true",
    "source_title": "SYNTHETIC TEST ROW",
    "publisher": "Synthetic publisher",
    "url": "https://example.org/synthetic",
    "grade": "S",
}


@dataclass(frozen=True)
class Reader:
    """A reader, the name of its valid fixture, how to write that fixture, whether it reads
    counts (so a 400-digit or TRUE count must be refused, not read)."""

    file: str
    write: Callable[[Path], None]
    read: Callable[[Path], object]
    counts: bool


def _acled(path: Path) -> object:
    from analysis.sources.acled import read_acled

    return read_acled(path, cache=False)


def _ucdp(path: Path) -> object:
    from analysis.sources.ucdp import read_ucdp_ged

    return read_ucdp_ged(path, cache=False)


def _hdx(path: Path) -> object:
    from analysis.sources.hdx import read_hdx_aggregates

    return read_hdx_aggregates(path, cache=False)


def _deletions(path: Path) -> object:
    from analysis.sources.acled import read_deletions

    return read_deletions(path)


def _actors(path: Path) -> object:
    from analysis.harmonize.actors import load_actor_table

    return load_actor_table(path)


def _tallies(path: Path) -> object:
    write_table(path.parent / "sources.csv", SOURCES_SPEC, SOURCES)
    write_table(path.parent / "bodies.csv", BODIES_SPEC, BODIES)
    return load_tallies(path)


def _sidecar(path: Path) -> object:
    data = path.with_name(path.name.removesuffix(store.SIDECAR_SUFFIX))
    return store.read_sidecar(data)


def _write_sidecar(path: Path) -> None:
    data = path.with_name(path.name.removesuffix(store.SIDECAR_SUFFIX))
    store.write_sidecar(data, {"service": "ACLED", "query": {"country": "Mali"}, "events": 12})


READERS: dict[str, Reader] = {
    "tallies": Reader(
        "tallies.csv", lambda p: write_table(p, TALLIES_SPEC, TALLIES), _tallies, True
    ),
    "sources": Reader(
        "sources.csv", lambda p: write_table(p, SOURCES_SPEC, SOURCES), load_sources, False
    ),
    "bodies": Reader(
        "bodies.csv", lambda p: write_table(p, BODIES_SPEC, BODIES), load_bodies, False
    ),
    "interventions": Reader(
        "interventions.csv",
        lambda p: write_table(p, INTERVENTIONS_SPEC, [SYNTHETIC_INTERVENTION]),
        load_interventions,
        False,
    ),
    "actors": Reader(
        "actors.csv",
        lambda p: shutil.copyfile(paths.hand_dir() / "actors.csv", p),
        _actors,
        False,
    ),
    "deletions": Reader(
        "deleted.csv",
        lambda p: p.write_text("event_id_cnty\nMLI101\nMLI102\n", encoding="utf-8"),
        _deletions,
        False,
    ),
    "pulled_csv": Reader(
        "acled-mali.csv",
        lambda p: store.write_records(
            p, [{"event_id_cnty": "MLI1", "fatalities": "3"}], ["event_id_cnty", "fatalities"]
        ),
        store.read_records,
        False,
    ),
    "sidecar": Reader("acled-mali.csv" + store.SIDECAR_SUFFIX, _write_sidecar, _sidecar, False),
    "acled_csv": Reader(
        "acled.csv", lambda p: testing.write_acled_csv(p, n_events=8, seed=4), _acled, True
    ),
    "acled_json": Reader(
        "acled.json", lambda p: testing.write_acled_json(p, n_events=5, seed=4), _acled, True
    ),
    "ucdp_csv": Reader(
        "ucdp.csv", lambda p: testing.write_ucdp_ged_csv(p, n_events=6, seed=4), _ucdp, True
    ),
    "hapi_csv": Reader(
        "hapi.csv",
        lambda p: testing.write_hapi_csv(p, n_events=10, start="2022-01-01", end="2022-01-31"),
        _hdx,
        True,
    ),
    "hdx_workbook": Reader(
        "hdx_political_violence.xlsx",
        lambda p: testing.write_hdx_workbook(p, n_events=10, start="2022-01-01", end="2022-01-31"),
        _hdx,
        True,
    ),
}

# -- hostile classes: valid bytes -> bad bytes -------------------------------------------------

# a whole number standing alone (not part of a date, a decimal, an id or a word)
_WHOLE_NUMBER = re.compile(rb"(?<![\w.\-/:])\d+(?![\w.\-/:])")


def _numbers_as(data: bytes, text: str, cell: object) -> bytes:
    """Every whole number of a text file replaced by ``text``; in a workbook, every whole
    number below its header row by ``cell``."""
    if not data.startswith(b"PK"):
        quoted = text.encode() if data.lstrip()[:1] not in (b"{", b"[") else f'"{text}"'.encode()
        return _WHOLE_NUMBER.sub(lambda _: quoted, data)
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for each in row:
                if isinstance(each.value, int) and not isinstance(each.value, bool):
                    each.value = cell
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _second_line(data: bytes, insert: bytes) -> bytes:
    at = data.find(b"\n") + 1
    return data[:at] + insert + data[at:]


HOSTILE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "cr_line_ends": lambda data: data.replace(b"\r\n", b"\n").replace(b"\n", b"\r"),
    "nested_json": lambda data: b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "binary": lambda data: bytes(range(256)) * 8,
    "unclosed_quote": lambda data: _second_line(data, b'"'),
    "nul_byte": lambda data: _second_line(data, b"\x00"),
    "blank_lines": lambda data: _second_line(data, b"\n\n"),
    "huge_counts": lambda data: _numbers_as(data, "9" * 400, 10**30),
    "true_counts": lambda data: _numbers_as(data, "TRUE", True),
}
#: classes a reader of counts must refuse (reading them would be a silent wrong read)
MUST_REFUSE = {"huge_counts", "true_counts"}


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("valid")
    out = {}
    for name, reader in READERS.items():
        path = folder / reader.file
        reader.write(path)
        out[name] = path.read_bytes()
    return out


@pytest.mark.parametrize("name", sorted(READERS))
def test_the_valid_fixtures_read(valid: dict[str, bytes], name: str, tmp_path: Path) -> None:
    reader = READERS[name]
    path = tmp_path / reader.file
    path.write_bytes(valid[name])
    assert reader.read(path) is not None


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
@pytest.mark.parametrize("name", sorted(READERS))
def test_every_reader_meets_every_hostile_file(
    valid: dict[str, bytes], name: str, hostile: str, tmp_path: Path
) -> None:
    reader = READERS[name]
    path = tmp_path / reader.file
    bad = HOSTILE[hostile](valid[name])
    path.write_bytes(bad)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = reader.read(path)
    except DataError as error:
        assert error.file is not None, str(error)
        assert Path(error.file).name == path.name, str(error)
        assert path.read_bytes() == bad, "the reader changed its input"
        return
    assert path.read_bytes() == bad, "the reader changed its input"
    if reader.counts and hostile in MUST_REFUSE:
        assert bad == valid[name], f"{hostile} was read without an error"
    if isinstance(result, pd.DataFrame):
        assert len(result.columns) > 0
