"""The bad-input corpus: every malformed file either reads or fails with the project's error.

The files under ``corpus/`` are SYNTHETIC (written by ``corpus/generate.py``); ``corpus.csv``
lists each with its reader and what must happen. A file a real export can look like (a
byte-order mark, Windows line ends, columns in another order, an HXL row) must read, and give
the same table as the clean file; every other file must raise :class:`analysis.errors.DataError`
(event and evidence files: with the rule, line and column of the manifest) or
:class:`analysis.errors.ParameterError` (suite files and report parameters). No pandas, numpy,
csv, ``KeyError`` or ``UnicodeDecodeError`` may escape.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import DataError, ParameterError
from analysis.harmonize.actors import load_actor_table
from analysis.reports.params import parse_cli_parameters, validate_parameters
from analysis.reports.suite import load_suite
from analysis.sources.tallies import (
    BODIES_SPEC,
    SOURCES_SPEC,
    TALLIES_SPEC,
    load_bodies,
    load_interventions,
    load_known_issues,
    load_sources,
    load_tallies,
)
from tests.hardening.corpus import generate
from tests.tallies.synthetic import write_table

CORPUS = Path(__file__).parent / "corpus"


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "corpus.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


MANIFEST = _manifest()


def _evidence_beside(folder: Path) -> None:
    """A valid SYNTHETIC sources.csv and bodies.csv for a corpus tallies file to resolve in."""
    write_table(folder / "sources.csv", SOURCES_SPEC, [generate.GOOD_SOURCE])
    write_table(folder / "bodies.csv", BODIES_SPEC, [generate.GOOD_BODY])


def _read_tallies(path: Path) -> pd.DataFrame:
    _evidence_beside(path.parent)
    return load_tallies(path)


def _read_suite(path: Path) -> list[str]:
    return [job.name for job in load_suite(path).jobs]


def _read_params(path: Path) -> dict[str, object]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    values = parse_cli_parameters(spec["notebook"], spec["cli"], base_dir=path.parent)
    return validate_parameters(spec["notebook"], values, base_dir=path.parent)


def _event_readers() -> dict[str, Callable[[Path], object]]:
    from analysis.sources.acled import read_acled
    from analysis.sources.hdx import read_hdx_aggregates
    from analysis.sources.ucdp import read_ucdp_ged

    return {
        "acled": lambda path: read_acled(path, cache=False),
        "ucdp": lambda path: read_ucdp_ged(path, cache=False),
        "hdx": lambda path: read_hdx_aggregates(path, cache=False),
    }


READERS: dict[str, Callable[[Path], object]] = {
    "tallies": _read_tallies,
    "sources": load_sources,
    "bodies": load_bodies,
    "interventions": load_interventions,
    "known_issues": load_known_issues,
    "actors": load_actor_table,
    "suite": _read_suite,
    "params": _read_params,
}


def _reader(name: str) -> Callable[[Path], object]:
    if name in READERS:
        return READERS[name]
    return _event_readers()[name]


def _copy(entry: dict[str, str], tmp_path: Path) -> Path:
    target = tmp_path / entry["file"]
    shutil.copyfile(CORPUS / entry["file"], target)
    return target


def test_the_corpus_is_large_and_covers_every_reader() -> None:
    files = {path.name for path in CORPUS.iterdir() if path.name not in {"corpus.csv"}}
    listed = [entry["file"] for entry in MANIFEST]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert set(listed) <= files, "the manifest lists a file that is not there"
    assert len(listed) >= 30
    readers = {entry["reader"] for entry in MANIFEST}
    assert {"tallies", "sources", "bodies", "suite", "params"} <= readers
    assert all(entry["expect"] in {"reads", "DataError", "ParameterError"} for entry in MANIFEST)
    assert all(entry["what"] for entry in MANIFEST)


@pytest.mark.parametrize(
    "entry",
    [e for e in MANIFEST if e["expect"] == "DataError"],
    ids=lambda e: e["file"],
)
def test_malformed_file_raises_data_error_with_its_location(
    entry: dict[str, str], tmp_path: Path
) -> None:
    path = _copy(entry, tmp_path)
    with pytest.raises(DataError) as info:
        _reader(entry["reader"])(path)
    error = info.value
    assert error.file is not None and Path(error.file).name == entry["file"], str(error)
    assert error.rule == entry["rule"], str(error)
    if entry["line"]:
        assert error.line == int(entry["line"]), str(error)
    if entry["column"]:
        assert error.column == entry["column"], str(error)
    if entry["message"]:
        assert entry["message"] in str(error)
    # the message names the file and, where known, the line: a user can find the place
    assert entry["file"] in str(error)
    if error.line is not None:
        assert f"line {error.line}" in str(error)


@pytest.mark.parametrize(
    "entry",
    [e for e in MANIFEST if e["expect"] == "ParameterError"],
    ids=lambda e: e["file"],
)
def test_bad_suite_or_parameter_raises_parameter_error(
    entry: dict[str, str], tmp_path: Path
) -> None:
    path = _copy(entry, tmp_path)
    with pytest.raises(ParameterError) as info:
        _reader(entry["reader"])(path)
    assert entry["message"] in str(info.value)
    if entry["reader"] == "suite":
        assert entry["file"] in str(info.value), "a suite error names its file"


def _clean_tallies(tmp_path: Path) -> pd.DataFrame:
    folder = tmp_path / "clean"
    folder.mkdir()
    write_table(folder / "tallies.csv", TALLIES_SPEC, generate.good_tallies())
    return _read_tallies(folder / "tallies.csv")


@pytest.mark.parametrize(
    "entry",
    [e for e in MANIFEST if e["expect"] == "reads"],
    ids=lambda e: e["file"],
)
def test_file_a_real_export_can_look_like_reads(entry: dict[str, str], tmp_path: Path) -> None:
    path = _copy(entry, tmp_path)
    result = _reader(entry["reader"])(path)
    reader = entry["reader"]
    if reader == "tallies":
        clean = _clean_tallies(tmp_path)
        pd.testing.assert_frame_equal(result.drop(columns="line"), clean.drop(columns="line"))
        # line numbers point into this file, whatever its line ends or blank lines
        raw_lines = path.read_bytes().decode("utf-8-sig").splitlines()
        for tally_id, line in zip(result["tally_id"], result["line"], strict=True):
            assert raw_lines[line - 1].startswith(tally_id) or tally_id in raw_lines[line - 1]
    elif reader == "bodies":
        assert result["reporting_body"].tolist() == [generate.GOOD_BODY["reporting_body"]]
        assert result.columns[0] == "reporting_body"  # no BOM glued to the first name
    elif reader == "known_issues":
        assert result["issue_id"].tolist() == ["k1"] and result["set_aside"].isna().all()
    elif reader == "suite":
        assert result and all("/" not in name and not name.startswith(".") for name in result)
    elif reader == "params":
        spec = json.loads(path.read_text(encoding="utf-8"))
        name, _, text = spec["cli"][0].partition("=")
        assert result[name] == text  # arrives intact, byte for byte
    else:
        frame = result
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0
        expected = entry["message"]
        if expected:
            assert int(expected) == len(frame), f"expected {expected} rows"
