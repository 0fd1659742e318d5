"""`tallies events` as a user runs it, against the local fake services (never the real ones)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from analysis import paths, read_acled, read_ucdp_ged
from analysis.cli import main
from tests.api.fake_services import PASSWORD, UCDP_TOKEN, USERNAME

ACTORS = paths.project_root() / "data" / "hand" / "actors.csv"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("TALLIES_DATA_DIR", str(folder))
    return folder


def _no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in (USERNAME, PASSWORD, UCDP_TOKEN):
            assert secret not in text


def test_pull_then_update_acled(server, acled, clock, data_dir, credentials_env, capsys) -> None:
    assert main(["events", "pull", "acled", "--country", "Mali", "--base-url", server.url]) == 0
    out = capsys.readouterr()
    path = data_dir / "raw" / "acled" / "acled-mali.csv"
    assert f"wrote {path}: 60 events" in out.out or "acled-mali.csv: 60 events" in out.out
    assert len(read_acled(path, cache=False, actor_table=ACTORS)) == 60
    assert out.err == ""  # no progress bar outside a terminal

    clock.now += 86_400
    first, second = sorted(acled.events)[:2]
    acled.change(first, fatalities="12")
    acled.delete(second)
    assert main(["events", "update", "acled", "--base-url", server.url]) == 0
    out = capsys.readouterr()
    assert f"  added 0\n  changed 1: {first}\n  deleted 1: {second}\n" in out.out
    assert "previous/acled-mali.csv" in out.out
    _no_secrets(out.out, out.err)


def test_access_refused_exits_with_a_clear_error(
    server, acled, data_dir, credentials_env, capsys, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    acled.access_refused = True
    code = main(["events", "pull", "acled", "--country", "Mali", "--base-url", server.url])
    out = capsys.readouterr()
    assert code == 2
    assert out.err.startswith("tallies: error: ACLED (HTTP 403): ACLED issued a token")
    _no_secrets(out.out, out.err, caplog.text)
    assert not [p for p in data_dir.rglob("*.csv") if p.is_file()]


def test_missing_credentials(server, data_dir, capsys) -> None:
    code = main(
        [
            "events",
            "pull",
            "ucdp",
            "--country",
            "Mali",
            "--version",
            "25.1",
            "--base-url",
            server.url,
        ]
    )
    assert code == 2 and "no UCDP_TOKEN" in capsys.readouterr().err


def test_bad_version_and_dates_are_usage_errors(server, data_dir, credentials_env, capsys) -> None:
    assert (
        main(
            [
                "events",
                "pull",
                "ucdp",
                "--country",
                "Mali",
                "--version",
                "25.0.3",
                "--base-url",
                server.url,
            ]
        )
        == 2
    )
    assert "unknown UCDP GED version" in capsys.readouterr().err
    assert (
        main(
            [
                "events",
                "pull",
                "acled",
                "--country",
                "Mali",
                "--start",
                "1/2/2022",
                "--base-url",
                server.url,
            ]
        )
        == 2
    )
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_pull_ucdp_with_progress_on_a_terminal(
    server, ucdp, data_dir, credentials_env, capsys, monkeypatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    argv = [
        "events",
        "pull",
        "ucdp",
        "--country",
        "Mali",
        "--version",
        "25.1",
        "--candidate",
        "25.0.2",
        "--base-url",
        server.url,
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    path = data_dir / "raw" / "ucdp" / "ucdp-ged-mali-25.1-25.0.2.csv"
    assert "ucdp-ged-mali-25.1-25.0.2.csv: 55 events (45 from 25.1, 10 from 25.0.2)" in out
    assert "events" in terminal.getvalue() and "page" in terminal.getvalue()  # the bar
    assert len(read_ucdp_ged(path, cache=False, actor_table=ACTORS)) == 55
    monkeypatch.setenv("CI", "true")  # quiet in CI even on a terminal
    terminal.seek(0)
    terminal.truncate()
    assert main(argv) == 0
    assert terminal.getvalue() == ""


def test_update_without_a_pull_says_what_to_do(data_dir, credentials_env, capsys) -> None:
    assert main(["events", "update", "acled"]) == 2
    assert "tallies events pull acled" in capsys.readouterr().err
