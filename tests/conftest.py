"""Settings for the whole test session.

No test writes into the checkout's ``data/processed/``: the parsed-export cache of every test
(and of every notebook and report a test runs, which inherit the environment) goes to a folder
of the session's own. Tests that check where the cache goes by default unset the variable
themselves.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory):
    previous = os.environ.get("TALLIES_CACHE_DIR")
    os.environ["TALLIES_CACHE_DIR"] = str(tmp_path_factory.mktemp("tallies-cache"))
    yield
    if previous is None:
        os.environ.pop("TALLIES_CACHE_DIR", None)
    else:
        os.environ["TALLIES_CACHE_DIR"] = previous
