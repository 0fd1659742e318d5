"""Raw inputs stay byte-identical: every reader and ``tallies data check`` only read.

The sha256 of each input is taken before and after: every reader on its valid SYNTHETIC
fixture (with the parquet cache on, in a temporary folder) and on every file of the bad-input
corpus read in place, and ``tallies data check`` on a copy of the shipped evidence table.
``tallies report`` is covered by ``test_reproducible.py``, which hashes the data it renders from
before and after two suite runs. Nothing is written into the project: files are read where
they are and caches and copies live in temporary folders.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import shutil
import warnings
from pathlib import Path

import pytest

from analysis import paths, testing
from analysis.cli import main
from analysis.errors import AnalysisError
from analysis.sources.acled import read_acled
from analysis.sources.hdx import read_hdx_aggregates
from analysis.sources.tallies import (
    load_bodies,
    load_evidence,
    load_interventions,
    load_known_issues,
    load_sources,
    load_tallies,
)
from analysis.sources.ucdp import read_ucdp_ged

CORPUS = Path(__file__).parent / "corpus"


def snapshot(*folders: Path) -> dict[str, str]:
    """sha256 of every file under the folders, by path."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    testing.write_acled_csv(folder / "acled.csv", n_events=50, seed=1, hxl=True)
    testing.write_acled_json(folder / "acled.json", n_events=20, seed=1)
    testing.write_ucdp_ged_csv(folder / "ucdp.csv", n_events=30, seed=1)
    testing.write_ucdp_ged_rdata(folder / "ucdp.rds", n_events=30, seed=1)
    testing.write_hapi_csv(folder / "hapi.csv", n_events=40, seed=1)
    testing.write_hdx_workbook(folder / "mali_political_violence.xlsx", n_events=40, seed=1)
    return folder


def test_event_readers_leave_their_inputs_byte_identical(exports: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = snapshot(exports)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(2):  # a cold read (writes the cache), then a read from the cache
            read_acled(exports / "acled.csv", cache_dir=cache)
            read_acled(exports / "acled.json", cache_dir=cache)
            read_ucdp_ged(exports / "ucdp.csv", cache_dir=cache)
            read_ucdp_ged(exports / "ucdp.rds", cache_dir=cache)
            read_hdx_aggregates(exports / "hapi.csv", cache_dir=cache)
            read_hdx_aggregates(exports / "mali_political_violence.xlsx", cache_dir=cache)
    assert snapshot(exports) == before
    assert list(cache.glob("*.parquet")), "the cache was used, outside the inputs' folder"


def test_evidence_readers_leave_the_shipped_table_byte_identical() -> None:
    folders = (paths.project_root() / "data" / "tallies", paths.project_root() / "data" / "hand")
    before = snapshot(*folders)
    evidence = load_evidence(folders[0])
    load_tallies(folders[0] / "tallies.csv")
    load_sources(folders[0] / "sources.csv")
    load_bodies(folders[0] / "bodies.csv")
    load_known_issues(folders[0] / "known_issues.csv")
    load_interventions(folders[1] / "interventions.csv")
    assert len(evidence["tallies"]) > 0
    assert snapshot(*folders) == before


def _corpus_reader(reader: str):
    from analysis.harmonize.actors import load_actor_table
    from analysis.reports.suite import load_suite

    return {
        "tallies": load_tallies,
        "sources": load_sources,
        "bodies": load_bodies,
        "interventions": load_interventions,
        "known_issues": load_known_issues,
        "actors": load_actor_table,
        "suite": load_suite,
        "acled": lambda path: read_acled(path, cache=False),
        "ucdp": lambda path: read_ucdp_ged(path, cache=False),
        "hdx": lambda path: read_hdx_aggregates(path, cache=False),
    }.get(reader)


def test_malformed_inputs_are_left_as_they_were() -> None:
    """Every corpus file read in place (tallies files without their sibling tables fail early
    or late, both fine): no reader repairs, truncates or rewrites what it could not read."""
    before = snapshot(CORPUS)
    with (CORPUS / "corpus.csv").open(encoding="utf-8", newline="") as handle:
        entries = list(csv.DictReader(handle))
    read = 0
    for entry in entries:
        reader = _corpus_reader(entry["reader"])
        if reader is None:
            continue
        with warnings.catch_warnings(), contextlib.suppress(AnalysisError):
            warnings.simplefilter("ignore")
            reader(CORPUS / entry["file"])
        read += 1
    assert read >= 60
    assert snapshot(CORPUS) == before
    assert not list(CORPUS.glob(".*.tmp")), "no temporary file left beside the inputs"


def test_data_check_leaves_the_evidence_table_byte_identical(tmp_path: Path) -> None:
    copy = tmp_path / "tallies"
    shutil.copytree(paths.project_root() / "data" / "tallies", copy)
    before = snapshot(copy)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["data", "check", "--dir", str(copy)])
    assert status in (0, 1) and "valid" in out.getvalue()
    assert snapshot(copy) == before
    assert sorted(p.name for p in copy.iterdir()) == sorted(
        p.name for p in (paths.project_root() / "data" / "tallies").iterdir()
    ), "no file was added"


def test_data_check_on_a_broken_table_leaves_it_as_it_was(tmp_path: Path) -> None:
    copy = tmp_path / "tallies"
    shutil.copytree(paths.project_root() / "data" / "tallies", copy)
    (copy / "tallies.csv").write_bytes((CORPUS / "tallies_truncated.csv").read_bytes())
    before = snapshot(copy)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["data", "check", "--dir", str(copy)])
    assert status == 2 and "tallies.csv" in err.getvalue() and "line" in err.getvalue()
    assert snapshot(copy) == before
