"""Fixtures for the API tests: a fake clock, the fake services on 127.0.0.1, test credentials.

No test here contacts ACLED or UCDP: every base URL is the local server's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.sources.api._http import RetryPolicy
from analysis.sources.api.credentials import AcledCredentials, Secret
from tests.api.fake_services import (
    PASSWORD,
    UCDP_TOKEN,
    USERNAME,
    Clock,
    FakeAcled,
    FakeServer,
    FakeUcdp,
    acled_records,
    ucdp_records,
)

#: no waiting between retries in tests; the waits asked are recorded instead
FAST = RetryPolicy(attempts=4, first_wait=1.0, max_wait=60.0, timeout=10.0)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Own cache and settings folders; no credentials from the machine's environment."""
    monkeypatch.setenv("TALLIES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TALLIES_CONFIG", str(tmp_path / "settings" / "config.toml"))
    for name in ("ACLED_USERNAME", "ACLED_PASSWORD", "UCDP_TOKEN", "CI"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def acled(clock: Clock) -> FakeAcled:
    return FakeAcled(acled_records(), clock)


@pytest.fixture
def ucdp() -> FakeUcdp:
    versions = {
        "25.1": ucdp_records(45, seed=5, start="2019-01-01", end="2024-12-31"),
        "25.0.1": ucdp_records(12, seed=6, start="2024-12-01", end="2025-01-31", first_id=700_000),
        "25.0.2": ucdp_records(10, seed=7, start="2025-01-01", end="2025-02-28", first_id=800_000),
    }
    return FakeUcdp(versions, announce="https://ucdpapi.pcr.uu.se")


@pytest.fixture
def server(acled: FakeAcled, ucdp: FakeUcdp):
    with FakeServer(acled, ucdp) as running:
        yield running


@pytest.fixture
def account() -> AcledCredentials:
    return AcledCredentials(Secret(USERNAME), Secret(PASSWORD))


@pytest.fixture
def token() -> Secret:
    return Secret(UCDP_TOKEN)


@pytest.fixture
def credentials_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACLED_USERNAME", USERNAME)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("UCDP_TOKEN", UCDP_TOKEN)
