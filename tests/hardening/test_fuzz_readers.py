"""Property-based fuzzing of every reader: random corruptions of valid SYNTHETIC fixtures.

Each reader gets a valid synthetic file (the evidence table's ``tallies.csv``, ACLED CSV and
API JSON, UCDP GED CSV, an HDX workbook and a HAPI CSV, the default suite file, the shipped
actor table) and hypothesis corrupts it: byte flips, truncation, deleted or duplicated lines,
swapped delimiters, inserted quotes, old-Mac line ends, random text in a numeric column, one to
three at a time. Whatever comes out, the reader
either returns a table or raises :class:`analysis.errors.DataError` naming the file
(:class:`analysis.errors.ParameterError` for the suite file); nothing else may escape.

Examples are bounded and derandomised (the same examples on every run, so CI is reproducible).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import paths
from analysis.errors import DataError, ParameterError
from analysis.sources.tallies import BODIES_SPEC, SOURCES_SPEC, TALLIES_SPEC, load_tallies
from tests.tallies.synthetic import BODIES, SOURCES, TALLIES, write_table

N_EXAMPLES = 60
FUZZ = settings(
    max_examples=N_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Target:
    """A reader, its valid fixture's file name, and its numeric columns (for text in them)."""

    name: str
    file: str
    numeric: tuple[str, ...]
    read: Callable[[Path], object]
    error: type[Exception] = DataError


def _read_tallies(path: Path) -> object:
    return load_tallies(
        path, sources=path.parent / "sources.csv", bodies=path.parent / "bodies.csv"
    )


def _read_suite(path: Path) -> object:
    from analysis.reports.suite import load_suite

    return load_suite(path, raw_dir=path.parent / "raw", tallies_dir=path.parent)


def _acled(path: Path) -> object:
    from analysis.sources.acled import read_acled

    return read_acled(path, cache=False)


def _ucdp(path: Path) -> object:
    from analysis.sources.ucdp import read_ucdp_ged

    return read_ucdp_ged(path, cache=False)


def _hdx(path: Path) -> object:
    from analysis.sources.hdx import read_hdx_aggregates

    return read_hdx_aggregates(path, cache=False)


def _actors(path: Path) -> object:
    from analysis.harmonize.actors import load_actor_table

    return load_actor_table(path)


def _hdx_workbook(path: Path) -> object:
    from analysis.sources.hdx import read_hdx_aggregates

    return read_hdx_aggregates(path, cache=False, indicator="political_violence")


TARGETS = {
    target.name: target
    for target in (
        Target("tallies", "tallies.csv", ("value", "value_low", "value_high"), _read_tallies),
        Target("acled_csv", "acled.csv", ("fatalities", "latitude", "inter1"), _acled),
        Target("acled_json", "acled.json", ("fatalities", "latitude"), _acled),
        Target("ucdp_csv", "ucdp.csv", ("best", "high", "low", "deaths_civilians"), _ucdp),
        Target("hapi_csv", "hapi.csv", ("events", "fatalities"), _hdx),
        Target("hdx_workbook", "hdx.xlsx", (), _hdx_workbook),
        Target("actors", "actors.csv", ("wagner",), _actors),
        Target("suite", "suite.yml", (), _read_suite, ParameterError),
    )
}


def _fixtures(folder: Path) -> dict[str, bytes]:
    """The valid SYNTHETIC files, written once into ``folder``; their bytes by target name."""
    from analysis import testing

    write_table(folder / "sources.csv", SOURCES_SPEC, SOURCES)
    write_table(folder / "bodies.csv", BODIES_SPEC, BODIES)
    write_table(folder / "tallies.csv", TALLIES_SPEC, TALLIES)
    testing.write_acled_csv(folder / "acled.csv", n_events=12, seed=5)
    testing.write_acled_json(folder / "acled.json", n_events=6, seed=5)
    testing.write_ucdp_ged_csv(folder / "ucdp.csv", n_events=10, seed=5)
    testing.write_hapi_csv(folder / "hapi.csv", n_events=20, start="2022-01-01", end="2022-02-28")
    testing.write_hdx_workbook(
        folder / "hdx.xlsx", n_events=20, start="2022-01-01", end="2022-02-28"
    )
    shutil.copyfile(paths.project_root() / "reports" / "suite.yml", folder / "suite.yml")
    shutil.copyfile(paths.hand_dir() / "actors.csv", folder / "actors.csv")
    return {name: (folder / target.file).read_bytes() for name, target in TARGETS.items()}


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "valid").mkdir()
    return folder, _fixtures(folder / "valid")


# -- corruptions -----------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def flip(data: bytes, at: float, value: int) -> bytes:
    if not data:
        return data
    i = int(at * len(data)) % len(data)
    return data[:i] + bytes([value]) + data[i + 1 :]


def truncate(data: bytes, at: float) -> bytes:
    return data[: int(at * len(data))]


def delete_line(data: bytes, at: float) -> bytes:
    lines = _lines(data)
    del lines[int(at * len(lines)) % len(lines)]
    return b"\n".join(lines)


def duplicate_line(data: bytes, at: float) -> bytes:
    lines = _lines(data)
    i = int(at * len(lines)) % len(lines)
    lines.insert(i, lines[i])
    return b"\n".join(lines)


def swap_delimiter(data: bytes, new: bytes, count: int) -> bytes:
    return data.replace(b",", new, count if count else -1)


def old_mac_line_ends(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def insert_quote(data: bytes, at: float) -> bytes:
    i = int(at * len(data))
    return data[:i] + b'"' + data[i:]


def text_in_number(data: bytes, column: str, at: float, text: str) -> bytes:
    """Put ``text`` in ``column`` of one record (CSV or ACLED's JSON); unchanged if absent."""
    if data.lstrip(b"\xef\xbb\xbf").startswith(b"{"):
        payload = json.loads(data)
        records = payload.get("data") or [{}]
        records[int(at * len(records)) % len(records)][column] = text
        return json.dumps(payload).encode("utf-8")
    bom = data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if len(rows) < 2 or column not in rows[0]:
        return data
    row = 1 + int(at * (len(rows) - 1)) % (len(rows) - 1)
    rows[row][rows[0].index(column)] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


_AT = st.floats(min_value=0, max_value=1, exclude_max=True)
_TEXT = st.one_of(
    st.sampled_from(["", " ", "n/a", "-1", "1e9", "12.5", "1,000", "NaN", "∞", "9" * 30]),
    st.text(max_size=12),
)
_BYTE_OPS = st.one_of(
    st.tuples(st.just("flip"), _AT, st.integers(0, 255)),
    st.tuples(st.just("truncate"), _AT),
    st.tuples(st.just("delete_line"), _AT),
    st.tuples(st.just("duplicate_line"), _AT),
    st.tuples(st.just("swap_delimiter"), st.sampled_from([b";", b"\t", b"|"]), st.integers(0, 5)),
    st.tuples(st.just("insert_quote"), _AT),
    st.tuples(st.just("old_mac_line_ends")),
)
_OPS = {
    "flip": flip,
    "truncate": truncate,
    "delete_line": delete_line,
    "duplicate_line": duplicate_line,
    "swap_delimiter": swap_delimiter,
    "insert_quote": insert_quote,
    "old_mac_line_ends": old_mac_line_ends,
}


@st.composite
def corruptions(draw: st.DrawFn, numeric: tuple[str, ...]) -> list[tuple]:
    """One to three corruptions; text in a numeric column, when drawn, comes first."""
    ops: list[tuple] = []
    if numeric and draw(st.booleans()):
        ops.append(("text_in_number", draw(st.sampled_from(numeric)), draw(_AT), draw(_TEXT)))
    ops.extend(draw(st.lists(_BYTE_OPS, min_size=0 if ops else 1, max_size=2)))
    return ops


def corrupt(data: bytes, ops: list[tuple]) -> bytes:
    for op in ops:
        if op[0] == "text_in_number":
            data = text_in_number(data, *op[1:])
        else:
            data = _OPS[op[0]](data, *op[1:])
    return data


def test_the_corruptions_do_what_they_say() -> None:
    data = b"a,b\n1,2\n3,4\n"
    assert flip(data, 0.0, 0x41) == b"A,b\n1,2\n3,4\n"
    assert truncate(data, 0.5) == data[:6]
    assert delete_line(data, 0.34) == b"a,b\n3,4\n"
    assert duplicate_line(data, 0.0) == b"a,b\na,b\n1,2\n3,4\n"
    assert swap_delimiter(data, b";", 0) == b"a;b\n1;2\n3;4\n"
    assert insert_quote(data, 0.0) == b'"' + data
    assert text_in_number(data, "b", 0.9, "x y") == b"a,b\n1,2\n3,x y\n"
    assert old_mac_line_ends(b"a,b\r\n1,2\n") == b"a,b\r1,2\r"


# -- the property ------------------------------------------------------------------------------


def _check(target: Target, folder: Path, base: bytes, ops: list[tuple]) -> None:
    path = folder / target.file
    path.write_bytes(corrupt(base, ops))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = target.read(path)
    except target.error as error:
        if isinstance(error, DataError):
            assert error.file is not None, f"{error} does not name the file"
            assert Path(error.file).name == target.file, str(error)
        else:
            assert target.file in str(error), str(error)
        return
    if target.error is DataError:
        assert isinstance(result, pd.DataFrame)


def _fuzz(name: str):
    target = TARGETS[name]

    @given(ops=corruptions(target.numeric))
    @FUZZ
    def run(fixtures: tuple[Path, dict[str, bytes]], ops: list[tuple]) -> None:
        folder, base = fixtures
        work = folder / "work"
        if not work.exists():
            shutil.copytree(folder / "valid", work)
        _check(target, work, base[name], ops)
        (work / target.file).write_bytes(base[name])  # the next example starts clean

    run.__name__ = f"test_fuzz_{name}"
    run.__doc__ = f"Corrupted {target.file}: a table, or {target.error.__name__} naming the file."
    return run


test_fuzz_tallies = _fuzz("tallies")
test_fuzz_acled_csv = _fuzz("acled_csv")
test_fuzz_acled_json = _fuzz("acled_json")
test_fuzz_ucdp_csv = _fuzz("ucdp_csv")
test_fuzz_hapi_csv = _fuzz("hapi_csv")
test_fuzz_hdx_workbook = _fuzz("hdx_workbook")
test_fuzz_suite = _fuzz("suite")
test_fuzz_actors = _fuzz("actors")


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_the_valid_fixtures_read(
    fixtures: tuple[Path, dict[str, bytes]], name: str, tmp_path: Path
) -> None:
    """The uncorrupted fixtures read: the fuzzing starts from files that are valid."""
    folder, _ = fixtures
    shutil.copytree(folder / "valid", tmp_path / "valid")
    result = TARGETS[name].read(tmp_path / "valid" / TARGETS[name].file)
    if name == "suite":
        assert result.jobs
    else:
        assert isinstance(result, pd.DataFrame) and len(result) > 0
