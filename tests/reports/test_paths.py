"""Folder variables are made absolute where the user wrote them, before any kernel starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import paths


def test_relative_variables_become_absolute_against_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TALLIES_DATA_DIR", "mydata")
    monkeypatch.setenv("TALLIES_CACHE_DIR", str(tmp_path / "cache"))
    changed = paths.absolute_environment()
    assert changed == {"TALLIES_DATA_DIR": str((tmp_path / "mydata").resolve())}
    # a kernel in another folder (notebooks/) now reads the same data folder
    monkeypatch.chdir(tmp_path.parent)
    assert paths.data_dir() == (tmp_path / "mydata").resolve()
    assert paths.raw_dir() == (tmp_path / "mydata" / "raw").resolve()
    assert paths.absolute_environment() == {}


def test_the_command_rewrites_the_variables_before_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TALLIES_DATA_DIR", "elsewhere")
    seen = {}

    def record(args: object) -> int:
        import os

        seen["value"] = os.environ["TALLIES_DATA_DIR"]
        return 0

    monkeypatch.setattr("analysis.cli._data_check", record)
    assert main(["data", "check"]) == 0
    assert seen["value"] == str((tmp_path / "elsewhere").resolve())
