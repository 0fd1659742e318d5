"""Fixtures of the report runner's tests: tiny synthetic notebooks and their declarations.

The notebooks under ``tests/reports/fixtures/`` are synthetic: each has a ``parameters`` cell and
one behaviour to test (echo the parameters, draw a figure, raise, display text holding markup).
Their declarations, read from those cells, are added to the registry only for the duration of a
test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.reports.declarations import NOTEBOOKS, read_notebook_specs

FIXTURES = Path(__file__).parent / "fixtures"

# each fixture notebook declares its parameters in its own ``parameters`` cell, as the reports do
FIXTURE_SPECS = tuple(read_notebook_specs(FIXTURES).values())


def register_fixture_specs(patch: pytest.MonkeyPatch) -> None:
    for spec in FIXTURE_SPECS:
        patch.setitem(NOTEBOOKS, spec.name, spec)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The folder of the synthetic fixture notebooks."""
    return FIXTURES


@pytest.fixture(scope="session")
def register_specs():
    """The function that adds the fixture declarations through a ``MonkeyPatch``."""
    return register_fixture_specs


@pytest.fixture
def fixture_specs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    register_fixture_specs(monkeypatch)
    yield
