"""Credentials: environment first, then a user settings file outside the project; never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import paths
from analysis.errors import ServiceError
from analysis.sources.api.credentials import (
    Secret,
    acled_credentials,
    settings_file,
    ucdp_token,
)


def _settings(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_wins_over_the_file(tmp_path, monkeypatch) -> None:
    _settings(tmp_path, 'ACLED_USERNAME = "file@example.org"\nACLED_PASSWORD = "from-file"\n')
    monkeypatch.setenv("ACLED_PASSWORD", "from-env")
    account = acled_credentials()
    assert account.username.reveal() == "file@example.org"
    assert account.password.reveal() == "from-env"


def test_missing_credentials_named(tmp_path) -> None:
    with pytest.raises(ServiceError) as info:
        acled_credentials()
    assert info.value.reason == "credentials"
    assert "ACLED_USERNAME or ACLED_PASSWORD" in str(info.value)
    assert str(settings_file()) in str(info.value)
    _settings(tmp_path, 'UCDP_TOKEN = "tok-123456"\n')
    assert ucdp_token().reveal() == "tok-123456"


def test_settings_file_inside_the_project_refused(monkeypatch) -> None:
    inside = paths.project_root() / "pyproject.toml"  # any existing file in the project
    monkeypatch.setenv("TALLIES_CONFIG", str(inside))
    with pytest.raises(ServiceError, match="inside the project") as info:
        ucdp_token()
    assert info.value.reason == "config"


def test_broken_settings_file_does_not_quote_its_lines(tmp_path) -> None:
    _settings(tmp_path, 'ACLED_PASSWORD = "hunter2-secret\n')  # unclosed string
    with pytest.raises(ServiceError) as info:
        acled_credentials()
    assert info.value.reason == "config" and "hunter2-secret" not in str(info.value)


def test_secret_never_printed() -> None:
    secret = Secret("s3cr3t-value")
    assert "s3cr3t-value" not in repr(secret) and "s3cr3t-value" not in f"{secret} {[secret]}"
    assert secret == Secret("s3cr3t-value") and secret.reveal() == "s3cr3t-value"
