"""A number too large for any count (30 nines) is the project's DataError, never an overflow.

Hypothesis found these with constants drawn from the project's own modules; each case is pinned
here on a SYNTHETIC file.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from analysis import DataError, testing
from analysis.paths import project_root
from analysis.sources.tallies import load_evidence
from analysis.sources.ucdp import read_ucdp_ged

HUGE = "9" * 30


def _replace_first(path: Path, column: str, value: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    index = rows[0].index(column)
    row = next(i for i, r in enumerate(rows[1:], 1) if r and not r[0].startswith("#"))
    rows[row][index] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_evidence_table_value_too_large(tmp_path: Path) -> None:
    folder = tmp_path / "tallies"
    shutil.copytree(project_root() / "data" / "tallies", folder)
    _replace_first(folder / "tallies.csv", "value", HUGE)
    with pytest.raises(DataError, match="larger than any count") as error:
        load_evidence(folder)
    assert error.value.line == 2 and error.value.column == "value"


def test_ucdp_best_too_large(tmp_path: Path) -> None:
    path = tmp_path / "ucdp.csv"
    testing.write_ucdp_ged_csv(path)
    _replace_first(path, "best", HUGE)
    with pytest.raises(DataError, match="larger than any count") as error:
        read_ucdp_ged(path, cache=False)
    assert error.value.column == "best"


def test_suite_number_too_large_for_a_float(tmp_path: Path) -> None:
    from analysis.errors import ParameterError
    from analysis.reports.suite import load_suite

    suite = tmp_path / "suite.yml"
    suite.write_text(
        "- name: x\n  notebook: incident\n  parameters:\n    about_width: " + "9" * 400 + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ParameterError, match="finite number"):
        load_suite(suite)
