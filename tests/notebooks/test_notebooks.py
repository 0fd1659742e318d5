"""Every notebook runs through papermill on the shipped data, and shows what the package computes.

The notebooks record their key numbers with ``analysis.display.record``; each test recomputes
them with the package and compares. ``event_trends`` runs on a small SYNTHETIC export.
"""

from __future__ import annotations

import math
from pathlib import Path

import jupytext
import nbformat
import pytest

from analysis import (
    aggregate_events,
    before_after,
    compare_incident,
    compare_periods,
    robustness,
    tally_series,
)
from analysis.display import read_records
from analysis.paths import project_root
from analysis.sources.tallies import load_evidence, select_tallies

NOTEBOOKS = project_root() / "notebooks"
NAMES = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))

pytestmark = pytest.mark.notebook


def _run(name: str, tmp_path: Path, **parameters) -> dict:
    import papermill

    out = tmp_path / f"{name}.out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(project_root()),
    )
    return read_records(out)


def _figures_shown(tmp_path: Path, name: str) -> tuple[int, int]:
    """(PNG outputs, figure calls) of an executed notebook: each figure is shown exactly once."""
    executed = nbformat.read(tmp_path / f"{name}.out.ipynb", as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
    calls = sum(c.source.count("plots.") for c in code)
    return images, calls


def test_every_notebook_has_a_twin_in_sync() -> None:
    assert {
        "source_comparison",
        "before_after",
        "incident",
        "event_trends",
        "overlapping_lists",
    } <= set(NAMES)
    for name in NAMES:
        ipynb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        twin = jupytext.read(NOTEBOOKS / f"{name}.py")
        ours = [(c.cell_type, c.source.strip()) for c in ipynb.cells]
        theirs = [(c.cell_type, c.source.strip()) for c in twin.cells]
        assert ours == theirs, f"{name}.ipynb and {name}.py have drifted: run jupytext --sync"


def _stored(name: str):
    """The notebook as git stores it (the index), or the file outside a git checkout: a
    notebook a researcher saved with outputs in the working copy is not what is committed."""
    import subprocess

    path = f"notebooks/{name}.ipynb"
    shown = subprocess.run(
        ["git", "show", f":{path}"], cwd=project_root(), capture_output=True, text=True
    )
    if shown.returncode == 0:
        return nbformat.reads(shown.stdout, as_version=4)
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def test_notebooks_are_stored_without_outputs() -> None:
    for name in NAMES:
        ipynb = _stored(name)
        code = [c for c in ipynb.cells if c.cell_type == "code"]
        assert code[0].metadata.get("tags") == ["parameters"], name
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), name
        assert ipynb.metadata["kernelspec"]["name"] == "tallies", name


def test_outputs_are_stripped_by_the_git_filter(tmp_path: Path) -> None:
    """The clean filter make configures (nbstripout) strips an executed notebook's outputs."""
    import shutil
    import subprocess
    import sys

    nbstripout = Path(sys.executable).with_name("nbstripout")
    assert nbstripout.is_file(), "nbstripout is a dev dependency installed by make"
    executed = nbformat.read(NOTEBOOKS / "incident.ipynb", as_version=4)
    code = next(
        c
        for c in executed.cells
        if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    )
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="SYNTHETIC output\n")]
    code.execution_count = 3
    target = tmp_path / "saved.ipynb"
    nbformat.write(executed, target)
    shutil.copy(target, tmp_path / "copy.ipynb")
    cleaned = subprocess.run(
        [str(nbstripout), "-t", str(target)], capture_output=True, text=True, check=True
    ).stdout
    stripped = nbformat.reads(cleaned, as_version=4)
    assert all(not c.get("outputs") for c in stripped.cells if c.cell_type == "code")
    assert (tmp_path / "copy.ipynb").read_bytes() == target.read_bytes()  # -t leaves the file


def test_incident_notebook(tmp_path: Path) -> None:
    records = _run("incident", tmp_path, incident_id="moura-2022-03")
    expected = compare_incident(load_evidence()["tallies"], "moura-2022-03")
    summary = expected.summary.iloc[0]
    assert records["n_figures"] == summary["n_figures"]
    assert records["n_bodies"] == summary["n_bodies"] >= 4
    shown = records["summary"][0]
    assert shown["envelope_low"] == pytest.approx(summary["envelope_low"])
    assert set(records["documents"]) == set(expected.figures["source_id"])
    assert records["events_linked"] is None  # no export given: one sentence, no table
    images, calls = _figures_shown(tmp_path, "incident")
    assert images == calls == 1


def test_source_comparison_notebook(tmp_path: Path) -> None:
    records = _run("source_comparison", tmp_path)
    evidence = load_evidence()
    selected = select_tallies(
        evidence["tallies"], country="Mali", start="2020-01-01", end="2024-12-31",
        victim_group="civilians",
    )  # fmt: skip
    assert records["n_figures"] == len(selected)
    usable = selected[~selected["tally_id"].isin(evidence["set_aside"]["tally_id"])]
    periods = compare_periods(usable, freq="QS", reference_body="minusma").periods
    shown = {(r["reporting_body"], r["period_start"]): r["count"] for r in records["periods"]}
    for row in periods.itertuples():
        value = shown[(row.reporting_body, f"{row.period_start:%Y-%m-%d}")]
        assert (value is None and math.isnan(float(row.count))) or value == pytest.approx(row.count)
    images, calls = _figures_shown(tmp_path, "source_comparison")
    assert images == calls == 1


def test_before_after_notebook(tmp_path: Path) -> None:
    records = _run("before_after", tmp_path, n_simulations=200)
    evidence = load_evidence()
    series = tally_series(
        evidence["usable"], reporting_body="minusma", measure="killed",
        victim_group=["civilians", "people"], freq="QS", conflict="range",
    )  # fmt: skip
    shown = [r["count"] for r in records["series_counts"]]
    expected = [None if math.isnan(float(c)) else float(c) for c in series["count"]]
    assert shown == expected
    assert sum(c is not None for c in shown) >= 10
    ratio = records["before_after"][0]
    direct = before_after(series, date="2021-12-01", exposure="exposure_days")
    assert ratio["family"] == "quasipoisson" and ratio["reference"].startswith("t(")
    assert ratio["estimate"] == pytest.approx(direct["estimate"].iloc[0], rel=1e-9)
    assert ratio["ci_low"] == pytest.approx(direct["ci_low"].iloc[0], rel=1e-9)
    checks = robustness(series, date="2021-12-01", exposure="exposure_days")
    assert records["verdict"] == checks.verdict
    assert [f["rule"] for f in records["findings"]] == checks.findings["rule"].tolist()
    assert [f["holds"] for f in records["findings"]] == checks.findings["holds"].tolist()
    lead = records["findings"][0]["sentence"]
    assert f"{direct['estimate'].iloc[0]:.2f}" in lead and "95% CI" in lead
    specs = {r["specification"]: r["estimate"] for r in records["specifications"]}
    assert specs["trend shared by both segments"] == pytest.approx(
        records["its_level_change"][0]["estimate"], rel=1e-9
    )
    assert records["published_pairs"] >= 1  # ACLED's own "2,000 since December 2021 vs 500"
    assert len(records["documents"]) >= 3
    assert records["simulation"][0]["n_draws"] == 200
    images, calls = _figures_shown(tmp_path, "before_after")
    assert images == calls == 3


def test_event_trends_notebook_on_synthetic_export(tmp_path: Path) -> None:
    from analysis import read_acled
    from analysis.files import sha256_file
    from analysis.sources.api.store import write_sidecar
    from analysis.testing import write_acled_csv

    export = write_acled_csv(tmp_path / "synthetic_acled.csv", n_events=300, seed=3)
    # as if `tallies events pull acled` had written it: the report names the pull
    write_sidecar(
        export,
        {
            "service": "ACLED",
            "query": {"country": ["Mali"], "start": None, "end": None},
            "pulled_at": "2025-02-01T00:00:00Z",
            "dataset_version": "SYNTHETIC uploads up to timestamp 1738000000",
            "sha256": sha256_file(export),
        },
    )
    records = _run("event_trends", tmp_path, events_path=str(export))
    executed = (tmp_path / "event_trends.out.ipynb").read_text(encoding="utf-8")
    assert "- Pulled: ACLED API pull of 2025" in executed  # Markdown escapes the dashes
    assert "SYNTHETIC uploads up to timestamp 1738000000" in executed
    events = read_acled(export, cache=False)
    assert records["n_events"] == len(events)
    monthly = aggregate_events(events, freq="MS", by="perpetrator_group", civilian_only=True)
    expected = monthly.groupby("perpetrator_group", observed=True)["fatalities"].sum()
    assert records["fatalities_by_group"] == {k: int(v) for k, v in expected.items()}
    assert records["wagner_events"] == int(events["wagner_involved"].sum())
    images, calls = _figures_shown(tmp_path, "event_trends")
    assert images == calls == 4


def test_reports_open_with_findings_composed_from_results(tmp_path: Path) -> None:
    """Each report records a title and a headline: the first of its key findings."""
    from analysis.findings import incident_findings, incident_label
    from analysis.tables import body_names

    evidence = load_evidence()
    records = _run("incident", tmp_path, incident_id="moura-2022-03")
    comparison = compare_incident(evidence["tallies"], "moura-2022-03", sources=evidence["sources"])
    expected = incident_findings(
        comparison,
        names=body_names(evidence["bodies"]),
        incident_label=incident_label(evidence["tallies"], "moura-2022-03"),
    )
    assert records["findings"] == expected and records["headline"] == expected[0]
    assert records["title"] == "Incident: Moura (March 2022)"
    assert records["warnings"] == []


def test_source_comparison_compares_bodies_over_matched_windows(tmp_path: Path) -> None:
    from analysis.compare import compare_windows

    records = _run("source_comparison", tmp_path)
    evidence = load_evidence()
    in_window = select_tallies(
        evidence["usable"], country="Mali", start="2020-01-01", end="2024-12-31",
        victim_group="any",
    )  # fmt: skip
    windows = compare_windows(in_window, reference_body="minusma", method="prorate")
    shown = records["windows"]
    assert [r["tally_id"] for r in shown] == windows["tally_id"].tolist()
    compared = {r["reporting_body"] for r in shown if r["comparable"]}
    assert {"un_sg", "acled", "hrw"} <= compared
    n = int(windows["comparable"].sum())
    assert records["headline"].startswith(f"{n} figures of other bodies cover windows")
    assert any(f.startswith("The evidence table holds") for f in records["findings"])
    assert any(r["reporting_body"] == "minusma" and r["ratio"] for r in records["panel"])


def test_a_conflicting_copy_added_by_a_researcher_raises_a_banner(tmp_path: Path) -> None:
    """A researcher's copy of MINUSMA's 2022Q1 figure with another value (SYNTHETIC row and
    source): the audit finds the disagreement unexplained, and the before/after report names
    it in a banner above its findings."""
    import shutil

    folder = tmp_path / "tallies"
    shutil.copytree(project_root() / "data" / "tallies", folder)
    with (folder / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "synthetic-copy-2022,minusma,un,SYNTHETIC test copy,Test,2022-06-01,"
            "https://example.org/synthetic,,S,en\n"
        )
    tallies = (folder / "tallies.csv").read_text(encoding="utf-8")
    header = tallies.splitlines()[0].split(",")
    row = dict.fromkeys(header, "")
    row.update(
        tally_id="minusma-900", source_id="synthetic-copy-2022", reporting_body="minusma",
        period_start="2022-01-01", period_end="2022-03-31", country="Mali", measure="killed",
        victim_group="civilians", perpetrator_claimed="all", perpetrator_group="all",
        qualifier="exact", value="250", claim="SYNTHETIC conflicting copy",
    )  # fmt: skip
    with (folder / "tallies.csv").open("a", encoding="utf-8") as handle:
        handle.write(",".join(row[h] for h in header) + "\n")
    records = _run("before_after", tmp_path, tallies_dir=str(folder), n_simulations=50)
    assert any("minusma-900" in line for line in records["warnings"])
    executed = nbformat.read(tmp_path / "before_after.out.ipynb", as_version=4)
    html = "".join(
        o.get("data", {}).get("text/html", "") for c in executed.cells for o in c.get("outputs", [])
    )
    assert 'class="input-warnings"' in html and "minusma-900" in html


def test_incident_notebook_with_a_synthetic_export(tmp_path: Path) -> None:
    from analysis import incident_coverage, incident_events, read_acled
    from analysis.testing import write_acled_csv

    export = write_acled_csv(tmp_path / "synthetic_acled.csv", n_events=3000, seed=3)
    records = _run("incident", tmp_path, incident_id="moura-2022-03", acled_path=str(export))
    tallies = load_evidence()["tallies"]
    events = read_acled(export, cache=False)
    linked = incident_events(tallies, events, incident_id="moura-2022-03")
    assert linked["event_id"].tolist() == records["events_linked"]
    assert records["events_linked"]  # the synthetic export has events in Djenné's cercle then
    coverage = incident_coverage(tallies, events, incident_id="moura-2022-03").iloc[0]
    shown = records["events_coverage"][0]
    assert shown["covered"] is True and shown["n_events"] == coverage["n_events"]
    assert shown["fatalities"] == coverage["fatalities"]


def test_overlapping_lists_notebook_on_synthetic_exports(tmp_path: Path) -> None:
    from analysis import (
        capture_histories,
        history_counts,
        links_from_matches,
        match_events,
        read_acled,
        read_ucdp_ged,
    )
    from analysis.harmonize.selection import select_events
    from analysis.testing import write_acled_csv, write_ucdp_ged_csv

    acled_path = write_acled_csv(tmp_path / "synthetic_acled.csv", n_events=1200, seed=3)
    ucdp_path = write_ucdp_ged_csv(tmp_path / "synthetic_ucdp.csv", n_events=400, seed=4)
    records = _run(
        "overlapping_lists", tmp_path, acled_path=str(acled_path), ucdp_path=str(ucdp_path),
        include_incidents=False,
    )  # fmt: skip
    acled, ucdp = read_acled(acled_path, cache=False), read_ucdp_ged(ucdp_path, cache=False)
    first = max(acled["date_start"].min(), ucdp["date_start"].min())
    last = min(acled["date_start"].max(), ucdp["date_start"].max())
    acled = select_events(acled, start=first, end=last, civilian_only=True)
    ucdp = select_events(ucdp, start=first, end=last, civilian_only=True)
    assert (records["n_acled"], records["n_ucdp"]) == (len(acled), len(ucdp))
    pairs = match_events(acled, ucdp)
    assert records["n_matched"] == int(pairs["matched"].sum())
    histories = capture_histories(
        {"acled": acled["event_id"], "ucdp": ucdp["event_id"]},
        links_from_matches(pairs, left="acled", right="ucdp"),
    )
    assert records["histories"] == {k: int(v) for k, v in history_counts(histories).items()}
    assert [r["model"] for r in records["estimates"]] == ["independence"]
    assert {r["threshold"] for r in records["sensitivity"]} == {0.05, 0.2, 0.5, 0.8, 0.95, 0.99}
