"""Fixtures for the evidence-table tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.sources.tallies import BODIES_SPEC, SOURCES_SPEC, TALLIES_SPEC
from tests.tallies.synthetic import BODIES, SOURCES, TALLIES, write_table


@pytest.fixture
def evidence_dir(tmp_path: Path) -> Path:
    """A folder holding a valid synthetic sources.csv, bodies.csv and tallies.csv."""
    write_table(tmp_path / "sources.csv", SOURCES_SPEC, SOURCES)
    write_table(tmp_path / "bodies.csv", BODIES_SPEC, BODIES)
    write_table(tmp_path / "tallies.csv", TALLIES_SPEC, TALLIES)
    return tmp_path
