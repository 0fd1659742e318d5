"""Where the project's files are: the project root, the shipped data, the cache, the reports."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["project_root", "data_dir", "tallies_dir", "hand_dir", "raw_dir", "reports_dir"]


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` (the package's parent in a checkout)."""
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The data folder: ``$TALLIES_DATA_DIR`` when set, else ``<project>/data``."""
    override = os.environ.get("TALLIES_DATA_DIR")
    return Path(override) if override else project_root() / "data"


def tallies_dir() -> Path:
    """The evidence table: ``sources.csv``, ``tallies.csv``, ``bodies.csv``."""
    return data_dir() / "tallies"


def hand_dir() -> Path:
    """Hand-made lookups: actor patterns, intervention dates."""
    return data_dir() / "hand"


def raw_dir() -> Path:
    """Where a user puts event exports (``acled/``, ``ucdp/``); read-only to the code."""
    return data_dir() / "raw"


def reports_dir() -> Path:
    """Generated reports."""
    return project_root() / "reports"
