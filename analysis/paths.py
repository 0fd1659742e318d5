"""Where the project's files are: the shipped data, the user's data, the cache, the reports.

Two layouts, told apart by whether the package sits in a checkout (a folder holding
``pyproject.toml`` and ``data/tallies/`` above ``analysis/``):

================= ================================= ==========================================
                  from a checkout                   installed with ``pip install``
================= ================================= ==========================================
shipped tables    ``data/tallies/``, ``data/hand/`` package data (``analysis/_shipped/``)
notebooks, suite  ``notebooks/``, ``reports/``      package data (``analysis/_shipped/``)
your data         ``data/`` (``raw/``, cache)        :func:`user_dir` (``raw/``, ``processed/``)
reports           ``reports/``                      ``reports/`` under :func:`user_dir`
================= ================================= ==========================================

``TALLIES_DATA_DIR`` replaces the data folder in both layouts (its ``tallies/`` and ``hand/``
then replace the shipped tables); ``TALLIES_HOME`` replaces :func:`user_dir`.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = [
    "project_root",
    "checkout_root",
    "user_dir",
    "shipped_dir",
    "data_dir",
    "tallies_dir",
    "hand_dir",
    "raw_dir",
    "reports_dir",
    "notebooks_dir",
    "suite_file",
    "PATH_VARIABLES",
    "absolute_environment",
]

#: environment variables that hold folders (made absolute by :func:`absolute_environment`)
PATH_VARIABLES = ("TALLIES_DATA_DIR", "TALLIES_CACHE_DIR", "TALLIES_HOME")

# where each shipped folder is in a checkout, and its name in the installed package data
_SHIPPED = {
    "tallies": ("data", "tallies"),
    "hand": ("data", "hand"),
    "notebooks": ("notebooks",),
    "suite": ("reports",),
}


def _find_checkout() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "data" / "tallies").is_dir():
        return root
    return None


# Where the package runs from does not change while it runs: looked at once, on import (not
# again by every path asked for, nor later by a process that has dropped its privileges).
_CHECKOUT = _find_checkout()


def checkout_root() -> Path | None:
    """The checkout the package runs from, or ``None`` when it is installed."""
    return _CHECKOUT


def user_dir() -> Path:
    """The folder of the user's own files when the package is installed.

    ``$TALLIES_HOME`` when set, else the platform's user data folder for ``tallies``
    (``~/.local/share/tallies`` on Linux, as :mod:`platformdirs` gives). From a checkout the
    user's files live in the checkout and this folder is not used.
    """
    override = os.environ.get("TALLIES_HOME")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("tallies", appauthor=False))


def project_root() -> Path:
    """The checkout (the folder holding ``pyproject.toml``), or :func:`user_dir` when installed.

    Relative paths are shown from it, and its git commit is recorded in a report's footer.
    """
    return checkout_root() or user_dir()


def shipped_dir(name: str) -> Path:
    """A folder the project ships: ``tallies``, ``hand``, ``notebooks`` or ``suite``.

    From a checkout, the checkout's folder; installed, the package data (read through
    :mod:`importlib.resources`, which must be a real folder: the package is not run from a zip).
    """
    parts = _SHIPPED[name]
    root = checkout_root()
    if root is not None:
        return root.joinpath(*parts)
    folder = resources.files("analysis") / "_shipped" / name
    if not isinstance(folder, Path):
        raise RuntimeError(
            f"the package's data ({folder}) is not a folder on disk; install the package "
            "unpacked (pip install does) rather than running it from a zip archive"
        )
    return folder


def data_dir() -> Path:
    """The data folder: ``$TALLIES_DATA_DIR``, else ``<checkout>/data``, else :func:`user_dir`."""
    override = os.environ.get("TALLIES_DATA_DIR")
    if override:
        return Path(override)
    root = checkout_root()
    return root / "data" if root is not None else user_dir()


def tallies_dir() -> Path:
    """The evidence table: ``sources.csv``, ``tallies.csv``, ``bodies.csv``, ...

    ``$TALLIES_DATA_DIR/tallies`` when the variable is set, else the shipped table.
    """
    if os.environ.get("TALLIES_DATA_DIR"):
        return data_dir() / "tallies"
    return shipped_dir("tallies")


def hand_dir() -> Path:
    """Hand-made lookups (actor patterns, intervention dates); shipped unless overridden."""
    if os.environ.get("TALLIES_DATA_DIR"):
        return data_dir() / "hand"
    return shipped_dir("hand")


def raw_dir() -> Path:
    """Where a user puts event exports (``acled/``, ``ucdp/``); read-only to the code."""
    return data_dir() / "raw"


def notebooks_dir() -> Path:
    """The report notebooks (each declares its parameters in its ``parameters`` cell)."""
    return shipped_dir("notebooks")


def suite_file() -> Path:
    """The default report suite, ``suite.yml``."""
    return shipped_dir("suite") / "suite.yml"


def reports_dir() -> Path:
    """Generated reports: ``<checkout>/reports``, or ``reports/`` under :func:`user_dir`."""
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
