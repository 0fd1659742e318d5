"""The shipped evidence table: valid, cited, large enough, and consistent (or explained)."""

from __future__ import annotations

import io
import re

import pandas as pd

from analysis import load_bodies, load_interventions, load_sources, paths, tally_bounds
from analysis.audit import audit_folder, run_check
from analysis.sources.tallies import load_evidence


def test_shipped_table_is_valid_and_cited() -> None:
    evidence = load_evidence()
    tallies, sources = evidence["tallies"], evidence["sources"]
    assert len(tallies) >= 435
    assert tallies["reporting_body"].nunique() >= 23
    assert (tallies["origin"] == "shipped").all()
    # every document has an address: the publisher's, or the copy read
    assert (sources["url"].notna() | sources["copy_url"].notna()).all()
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
    bodies_per_incident = tallies.groupby("incident_id", observed=True)["reporting_body"].nunique()
    assert (bodies_per_incident >= 2).sum() >= 26
    for incident in ("diallassagou-2022-06", "tinzaouaten-2024-07", "tombouctou-boat-2023-09"):
        assert bodies_per_incident[incident] >= 3, incident
    quarterly = tallies[
        (tallies["reporting_body"] == "minusma")
        & (tallies["measure"] == "killed")
        & (tallies["incident_id"].isna())
        & ((tallies["period_end"] - tallies["period_start"]).dt.days.between(89, 91))
    ]
    assert (
        quarterly["period_start"].nunique() >= 12
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


def test_shipped_corrections_hold() -> None:
    evidence = load_evidence()
    tallies = evidence["tallies"].set_index("tally_id")
    sources = evidence["sources"].set_index("source_id")
    # Africanews quotes the Moura report: "executed by the Malian Armed Forces and ..."
    assert tallies.loc[["ohchr-008", "ohchr-009"], "measure"].tolist() == ["executed"] * 2
    # url holds the publisher's address, never a repost; the repost read is copy_url
    for source_id in ("time-2023-08-02", "ohchr-2023-05-12", "unnews-2023-05-12"):
        assert pd.isna(sources.loc[source_id, "url"]) and pd.notna(
            sources.loc[source_id, "copy_url"]
        )
    assert pd.isna(sources.loc["europapress-2023-06-16", "url"])
    # only reposts of Al Jazeera's 2025 article were read
    aj = sources.loc[sources.index.str.startswith("aljazeera-2025")]
    assert aj["copy_url"].notna().all() and (aj["grade"] != "P").all()
    # the Bamada copy cannot predate the High Commissioner's statement of 13 September 2021
    assert sources.loc["bamada-2021-09-xx", "published"] >= pd.Timestamp("2021-09-13")


def test_unverified_figures_say_why() -> None:
    tallies = load_evidence()["tallies"]
    flagged = tallies[tallies["unverified"].notna()]
    assert len(flagged) == 14
    assert flagged["unverified"].str.contains("not found").all()
    assert set(flagged["source_id"]) == {
        "legriot-2021-05-xx",
        "bamada-2021-09-xx",
        "malitribune-2023-03-xx",
        "bamada-2022-11-09",
    }


def test_readme_counts_match_the_shipped_table() -> None:
    text = (paths.project_root() / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"In numbers: (\d+) published figures from (\d+) reporting bodies .*? in (\d+) documents",
        text,
        flags=re.S,
    )
    assert found is not None
    evidence = load_evidence()
    tallies = evidence["tallies"]
    assert [int(n) for n in found.groups()] == [
        len(tallies),
        tallies["reporting_body"].nunique(),
        len(evidence["sources"]),
    ]
