"""Reproducibility: two runs of the default suite on the same inputs give the same numbers.

``tallies report --suite reports/suite.yml`` runs twice, into two temporary folders, on a
temporary copy of the project's data (``TALLIES_DATA_DIR``), so nothing is written into the
project (the parsed export is cached in the copy's ``processed/``). The executed notebooks' outputs must be equal (``text/plain``, ``text/markdown``,
``text/html`` with run times and durations blanked, and the
``application/x.tallies.record+json`` records), ignoring execution metadata; each report's
provenance footer names the pinned version of every key package. The data the runs read must
be byte-identical afterwards (sha256 of every file before and after), the SYNTHETIC event
export in ``raw/acled/`` included.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from analysis import paths
from analysis.display import RECORD_MIME
from analysis.reports.provenance import KEY_PACKAGES
from tests.suite_run import data_copy, run_suite

pytestmark = pytest.mark.notebook

ROOT = paths.project_root()
COMPARED = ("text/plain", "text/markdown", "text/html", RECORD_MIME)
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?( ?UTC|Z|[+-]\d{2}:?\d{2})?"
)
_DURATION = re.compile(r"\b\d+(\.\d+)?\s?(s|sec|seconds|ms)\b")


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _normalise(mime: str, value: object) -> object:
    if mime == "text/html":
        text = "".join(value) if isinstance(value, list) else str(value)
        return _DURATION.sub("<duration>", _TIMESTAMP.sub("<time>", text))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return value


def outputs(notebook_path: Path) -> list[tuple[int, str, object]]:
    """Each compared output of each code cell, as (cell number, mime type, value)."""
    import nbformat

    notebook = nbformat.read(str(notebook_path), as_version=4)
    found = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                found.append((number, f"stream/{output['name']}", output["text"]))
            for mime, value in output.get("data", {}).items():
                if mime in COMPARED:
                    found.append((number, mime, _normalise(mime, value)))
    return found


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("repro")
    data = data_copy(base / "data")
    before = snapshot(data)
    runs = []
    for label in ("first", "second"):
        done = run_suite(data, base / label)
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(base / label)
    after = snapshot(data)
    cached = sorted(name for name in after if name.startswith("processed/"))
    return {
        "runs": runs,
        "before": before,
        "after": {name: digest for name, digest in after.items() if name not in cached},
        "cached": cached,
    }


def test_the_raw_inputs_are_byte_identical_after_two_report_runs(two_runs) -> None:
    assert "tallies/tallies.csv" in two_runs["before"]
    assert "raw/acled/synthetic.csv" in two_runs["before"]
    assert two_runs["after"] == two_runs["before"], "an input changed, or a file was added"
    # the parsed export is cached beside the data read (TALLIES_DATA_DIR), not in the project
    assert any(name.endswith(".parquet") for name in two_runs["cached"])


def test_two_runs_of_the_default_suite_give_the_same_numbers(two_runs) -> None:
    first, second = two_runs["runs"]
    notebooks = sorted(p.relative_to(first) for p in first.glob("*/*.ipynb"))
    assert len(notebooks) >= 3, "the default suite renders several reports"
    assert any(path.parts[0] == "event_trends" for path in notebooks), "the export's report"
    assert notebooks == sorted(p.relative_to(second) for p in second.glob("*/*.ipynb"))
    for relative in notebooks:
        a, b = outputs(first / relative), outputs(second / relative)
        assert any(mime == RECORD_MIME for _, mime, _ in a), f"{relative}: no recorded numbers"
        assert a == b, f"{relative}: the outputs differ between two runs"


def test_each_footer_names_the_pinned_versions(two_runs) -> None:
    pins = _pins()
    first = two_runs["runs"][0]
    pages = sorted(first.glob("*/*.html"))
    assert pages
    for page in pages:
        footer = page.read_text(encoding="utf-8").split('id="provenance"', 1)
        assert len(footer) == 2, f"{page.name}: no provenance footer"
        for package in KEY_PACKAGES:
            pinned = pins[package]
            row = re.search(
                rf"<tr><td>{package}</td><td><code>([^<]+)</code></td><td>(.*?)</td></tr>",
                footer[1],
            )
            assert row, f"{page.name}: {package} is not in the footer"
            installed, note = row.groups()
            assert installed == pinned or f"pinned {pinned}" in note, (page.name, package)
