"""Fixtures for the event-reader tests: every test gets its own cache folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache folder (``TALLIES_CACHE_DIR``), so no test writes into data/processed."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TALLIES_CACHE_DIR", str(folder))
    return folder
