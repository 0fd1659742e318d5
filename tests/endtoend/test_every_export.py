"""End to end: a copy of the project's data with a SYNTHETIC file shaped like each real kind of
export in ``raw/``, the default suite run as a user runs it, and every report checked.

The files, all invented by :mod:`analysis.testing`:

* an ACLED dyadic export of the older 31-column kind with the HXL row, ending in July 2020 (no
  month after Wagner's arrival: the before/after sections must say so, the rest render);
* an ACLED monadic export with dates written ``31 December 2020``;
* an ACLED export of the old schema, put at the top of ``raw/`` (found by content, not folder);
* an HDX workbook of monthly political-violence aggregates, 2019-2024;
* a UCDP GED "global" R data file with events in Russia, Syria and Afghanistan besides Mali;
* a PDF, which no reader takes (listed in the index with what it looks like).

The command runs in the copy's folder with ``TALLIES_DATA_DIR=data``, a relative path, so the
test also checks that the kernels (which run in ``notebooks/``) read the files the footer names.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import paths, read_acled, read_hdx_aggregates, read_ucdp_ged
from analysis.display import read_records
from analysis.harmonize.selection import scope_events
from analysis.testing import (
    write_acled_csv,
    write_acled_dyadic_31,
    write_hdx_workbook,
    write_ucdp_ged_rdata,
)

pytestmark = pytest.mark.notebook

ROOT = paths.project_root()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("project")
    data = folder / "data"
    for part in ("tallies", "hand"):
        shutil.copytree(ROOT / "data" / part, data / part)
    raw = data / "raw"
    for sub in ("acled", "ucdp", "hdx"):
        (raw / sub).mkdir(parents=True)
    files = {
        "dyadic": write_acled_dyadic_31(
            raw / "acled" / "mali_dyadic_hxl.csv",
            n_events=300,
            seed=21,
            start="2012-01-01",
            end="2020-07-31",
        ),
        "monadic": write_acled_csv(
            raw / "acled" / "mali_monadic.csv",
            n_events=200,
            seed=22,
            layout="monadic",
            date_style="long",
            start="2017-01-01",
            end="2020-12-31",
        ),
        "old": write_acled_csv(
            raw / "mali_old_schema.csv",
            n_events=150,
            seed=23,
            generation="old_schema",
            start="2017-01-01",
            end="2019-02-22",
        ),
        "hdx": write_hdx_workbook(
            raw / "hdx" / "mali_political_violence_by_admin2_month.xlsx", n_events=400, seed=24
        ),
        "ucdp": write_ucdp_ged_rdata(
            raw / "ucdp" / "ged_global_sample.rda", n_events=300, seed=25, other_countries=0.4
        ),
    }
    (raw / "notes.pdf").write_bytes(b"%PDF-1.4\n% SYNTHETIC: not an export\n")
    before = {name: _sha256(path) for name, path in files.items()}
    output = folder / "reports"
    env = dict(os.environ, TALLIES_DATA_DIR="data")  # relative: the folder the command runs in
    env.pop("TALLIES_CACHE_DIR", None)
    run = subprocess.run(
        [sys.executable, "-m", "analysis.cli", "report", "--suite",
         str(ROOT / "reports" / "suite.yml"), "--output-dir", "reports", "--jobs", "2"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )  # fmt: skip
    index = json.loads((output / "index.json").read_text(encoding="utf-8"))
    return {
        "run": run,
        "index": index,
        "files": files,
        "before": before,
        "output": output,
        "reports": {report["name"]: report for report in index["reports"]},
    }


def _records(project: dict[str, object], name: str) -> dict[str, object]:
    report = project["reports"][name]  # type: ignore[index]
    notebook = nbformat.read(project["output"] / report["ipynb"], as_version=4)  # type: ignore[operator]
    return read_records(notebook)


def test_every_report_renders_and_the_command_succeeds(project: dict[str, object]) -> None:
    run = project["run"]
    assert run.returncode == 0, run.stderr[-3000:]  # type: ignore[attr-defined]
    reports = project["reports"]
    assert all(report["status"] == "ok" for report in reports.values()), [  # type: ignore[union-attr]
        (name, report["error"])
        for name, report in reports.items()
        if report["status"] != "ok"  # type: ignore[union-attr]
    ]
    event_reports = sorted(n for n in reports if n.startswith("event_trends"))  # type: ignore[union-attr]
    assert event_reports == [
        "event_trends-acled-mali_dyadic_hxl",
        "event_trends-acled-mali_monadic",
        "event_trends-mali_old_schema",
        "event_trends-ucdp-ged_global_sample",
    ]
    assert [n for n in reports if n.startswith("aggregate_trends")] == ["aggregate_trends"]  # type: ignore[union-attr]
    notes = [note["message"] for note in project["index"]["notes"]]  # type: ignore[index]
    assert any("data/raw/notes.pdf was not read" in m and "a PDF document" in m for m in notes)


def test_inputs_are_unchanged_and_the_footer_names_the_files_read(
    project: dict[str, object],
) -> None:
    files = project["files"]
    assert {name: _sha256(path) for name, path in files.items()} == project["before"]  # type: ignore[union-attr]
    for name, report in project["reports"].items():  # type: ignore[union-attr]
        for item in report["inputs"]:
            path = Path(item["path"])
            assert path.is_absolute() and path.is_file(), (name, item)
            assert item["sha256"] == _sha256(path)
            if item["role"] in ("event export", "aggregate table"):
                # the copy's file, not one in the project or in notebooks/
                assert project["output"].parent in path.parents  # type: ignore[union-attr]


def test_a_global_ucdp_file_gives_a_mali_report(project: dict[str, object]) -> None:
    records = _records(project, "event_trends-ucdp-ged_global_sample")
    events = read_ucdp_ged(project["files"]["ucdp"], cache=False)  # type: ignore[index]
    mali, left_out = scope_events(events, country="Mali")
    assert records["n_export_rows"] == len(events)
    assert records["n_events"] == len(mali) < len(events)
    shown = {row["reason"]: row["n_rows"] for row in records["left_out"]}
    assert shown == {"other_country": len(events) - len(mali)}
    # Russia's army in 2000-2004 is not Wagner; only Malian events can involve it
    assert records["wagner_events"] == int(mali["wagner_involved"].sum()) > 0
    assert not events.loc[events["country"] != "Mali", "wagner_involved"].any()


def test_an_export_ending_before_the_date_says_why_and_the_rest_renders(
    project: dict[str, object],
) -> None:
    records = _records(project, "event_trends-acled-mali_dyadic_hxl")
    events = read_acled(project["files"]["dyadic"], cache=False)  # type: ignore[index]
    assert records["n_events"] == len(events)
    assert "none from it on" in records["skipped"]["its"]
    assert "2021-12-01" in records["skipped"]["its"]
    assert records["skipped"]["shares"].startswith("Not compared: there are")
    assert records["fatalities_by_group"]  # the descriptive sections rendered
    assert not any(str(k).startswith("#") for k in records["fatalities_by_group"])
    html = (
        project["output"] / project["reports"]["event_trends-acled-mali_dyadic_hxl"]["html"]
    ).read_text(  # type: ignore[operator,index]
        encoding="utf-8"
    )
    assert "Not estimated:" in html and "<img" in html


def test_monadic_and_old_schema_exports_report_their_own_events(
    project: dict[str, object],
) -> None:
    for key, name in (
        ("monadic", "event_trends-acled-mali_monadic"),
        ("old", "event_trends-mali_old_schema"),
    ):
        records = _records(project, name)
        events = read_acled(project["files"][key], cache=False)  # type: ignore[index]
        assert records["n_events"] == len(events), name
        assert records["left_out"] == [], name


def test_the_hdx_workbook_gives_a_before_after_report(project: dict[str, object]) -> None:
    records = _records(project, "aggregate_trends")
    table = read_hdx_aggregates(project["files"]["hdx"], cache=False)  # type: ignore[index]
    assert records["n_rows"] == len(table)
    assert records["indicator"] == "political_violence"
    assert records["series_totals"] == {
        "events": int(table["events"].sum()),
        "fatalities": int(table["fatalities"].sum()),
    }
    ratios = {row["count"]: row for row in records["before_after"]}
    assert set(ratios) == {"events", "fatalities"}
    assert all(row["ci_low"] < row["estimate"] < row["ci_high"] for row in ratios.values())
    assert records["regions"]  # region by region
    assert records["skipped"] == {}
