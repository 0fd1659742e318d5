"""Clients for ACLED's and UCDP's APIs, and the pulls that keep ``data/raw/`` current.

Modules
-------
:mod:`~analysis.sources.api.credentials`
    Credentials from environment variables or a user settings file outside the project.
:mod:`~analysis.sources.api.acled_api`, :mod:`~analysis.sources.api.ucdp_api`
    The two clients (tokens, paging, errors), each behind a base URL a test server can replace.
:mod:`~analysis.sources.api.acled_pull`, :mod:`~analysis.sources.api.ucdp_pull`
    Pulls into ``data/raw/acled/`` and ``data/raw/ucdp/``, and the ACLED update.
:mod:`~analysis.sources.api.store`
    The files: the CSV the readers read, the provenance sidecar, the previous version, the
    parts of an unfinished pull.

The facts these follow (endpoints, grants, paging, versions) are summarised with their sources
in each client's module docstring.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "AcledClient": "acled_api",
    "acled_filters": "acled_api",
    "UcdpClient": "ucdp_api",
    "RetryPolicy": "_http",
    "pull_acled": "acled_pull",
    "update_acled": "acled_pull",
    "PullResult": "acled_pull",
    "UpdateResult": "acled_pull",
    "pull_ucdp": "ucdp_pull",
    "stitch_versions": "ucdp_pull",
    "UcdpPullResult": "ucdp_pull",
    "describe_pull": "store",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Import on first use: the report code reads sidecars without loading the HTTP clients."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
