"""The shipped evidence table: valid, cited, large enough, and consistent (or explained)."""

from __future__ import annotations

import io

from analysis import load_bodies, load_interventions, load_sources, tally_bounds
from analysis.audit import audit_folder, run_check
from analysis.sources.tallies import load_evidence


def test_shipped_table_is_valid_and_cited() -> None:
    evidence = load_evidence()
    tallies, sources = evidence["tallies"], evidence["sources"]
    assert len(tallies) >= 60
    assert tallies["reporting_body"].nunique() >= 6
    assert tallies["source_id"].isin(sources["source_id"]).all()
    assert tallies["claim"].notna().all()
    # every document cited, and every document is cited by some figure
    assert set(sources["source_id"]) == set(tallies["source_id"])
    # every body in the table has a definitions row
    assert set(tallies["reporting_body"]) <= set(load_bodies()["reporting_body"])


def test_shipped_table_covers_what_the_project_promises() -> None:
    tallies = load_evidence()["tallies"]
    bodies = set(tallies["reporting_body"])
    assert {"hrw", "ohchr", "minusma", "un_sg", "acled", "gov_mali", "fla"} <= bodies
    moura = tallies[tallies["incident_id"] == "moura-2022-03"]
    assert moura["reporting_body"].nunique() >= 4
    quarterly = tallies[
        (tallies["reporting_body"] == "minusma")
        & (tallies["measure"] == "killed")
        & (tallies["incident_id"].isna())
        & ((tallies["period_end"] - tallies["period_start"]).dt.days.between(89, 91))
    ]
    assert (
        quarterly["period_start"].nunique() >= 10
    )  # Q2 2020 to Q1 2023, derived quarters included
    assert tallies["derivation"].notna().any()


def test_shipped_audit_has_no_unexplained_finding() -> None:
    findings = audit_folder()
    assert (findings["severity"] == "known").all(), findings[findings["severity"] != "known"]
    assert findings["explanation"].str.len().gt(20).all()
    assert run_check(strict=True, out=io.StringIO()) == 0


def test_shipped_bounds_and_interventions() -> None:
    tallies = load_evidence()["tallies"]
    bounds = tally_bounds(tallies)
    assert (bounds["low"] <= bounds["point"]).all() and (bounds["point"] <= bounds["high"]).all()
    interventions = load_interventions()
    default = interventions[interventions["is_default"]]
    assert default["date"].dt.strftime("%Y-%m").tolist() == ["2021-12"]
    assert len(interventions) >= 4
    assert load_sources()["grade"].isin(["P", "M", "S", "D"]).all()
