"""Where the project's files are: the project root, the shipped data, the cache, the reports."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "project_root",
    "data_dir",
    "tallies_dir",
    "hand_dir",
    "raw_dir",
    "reports_dir",
    "notebooks_dir",
    "PATH_VARIABLES",
    "absolute_environment",
]

#: environment variables that hold folders (made absolute by :func:`absolute_environment`)
PATH_VARIABLES = ("TALLIES_DATA_DIR", "TALLIES_CACHE_DIR")


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


def notebooks_dir() -> Path:
    """The report notebooks (each declares its parameters in its ``parameters`` cell)."""
    return project_root() / "notebooks"


def reports_dir() -> Path:
    """Generated reports."""
    return project_root() / "reports"


def absolute_environment(base: Path | None = None) -> dict[str, str]:
    """Make the folder variables (:data:`PATH_VARIABLES`) absolute, where the user wrote them.

    A relative ``TALLIES_DATA_DIR=mydata`` means ``mydata`` in the folder the command ran in
    (``base``, default the current directory). Report kernels run in ``notebooks/``, so the
    command rewrites the variables in its own environment before any kernel starts; kernels
    inherit the absolute form and read the same files.

    Returns
    -------
    dict
        The variables changed, with their new values.
    """
    folder = base if base is not None else Path.cwd()
    changed = {}
    for name in PATH_VARIABLES:
        value = os.environ.get(name)
        if value and not Path(value).expanduser().is_absolute():
            absolute = str((folder / Path(value).expanduser()).resolve())
            os.environ[name] = absolute
            changed[name] = absolute
        elif value and value.startswith("~"):
            os.environ[name] = changed[name] = str(Path(value).expanduser())
    return changed
