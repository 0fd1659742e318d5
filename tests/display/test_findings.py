"""Key-finding sentences (analysis.findings), each rule on synthetic or shipped figures."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import compare_incident
from analysis.findings import (
    audit_banner,
    describe_figure,
    incident_findings,
    incident_label,
    overview_findings,
    windows_finding,
)
from analysis.sources.tallies import load_evidence
from analysis.tables import body_names


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


def test_describe_figure_keeps_the_published_words():
    row = {"qualifier": "at_least", "value": 500, "victim_group": "people", "measure": "killed"}
    assert describe_figure(row) == "at least 500 people (any status) killed"
    row = {"qualifier": "between", "value_low": 350, "value_high": 380,
           "victim_group": "people", "measure": "fatalities"}  # fmt: skip
    assert describe_figure(row) == "350 to 380 people (any status) fatalities"
    row = {"qualifier": "exact", "value": 203, "victim_group": "suspected_militants",
           "measure": "killed"}  # fmt: skip
    assert describe_figure(row) == "203 suspected militants killed"


def test_moura_bodies_cannot_all_be_right(evidence):
    """On the shipped table: HRW's about 300 civilians and OHCHR's at least 500 people do
    not overlap, so the consensus sentence says so; the army's figure is set apart."""
    comparison = compare_incident(evidence["tallies"], "moura-2022-03", sources=evidence["sources"])
    place = incident_label(evidence["tallies"], "moura-2022-03")
    assert place == "Moura (March 2022)"
    sentences = incident_findings(
        comparison, names=body_names(evidence["bodies"]), incident_label=place
    )
    n_bodies = int(comparison.summary["n_bodies"].iloc[0])
    assert sentences[0].startswith(
        f"{['Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine'][n_bodies - 2]} bodies published"
    )
    assert "(OHCHR)" in sentences[0] and "Human Rights Watch" in sentences[0]
    assert sentences[1].startswith("Their intervals do not overlap")
    assert any("suspected militants" in s and "listed apart" in s for s in sentences)


def test_overlapping_figures_give_the_consensus():
    """SYNTHETIC: two bodies, 'at least 20' and 'at least 24': every figure allows >= 24."""
    tallies = pd.DataFrame(
        {
            "tally_id": ["a-1", "b-1"], "source_id": ["s1", "s2"], "reporting_body": ["a", "b"],
            "incident_id": ["x-2020-01"] * 2, "period_start": pd.to_datetime(["2020-01-05"] * 2),
            "period_end": pd.to_datetime(["2020-01-05"] * 2), "measure": ["killed"] * 2,
            "victim_group": ["civilians"] * 2, "perpetrator_group": ["unknown"] * 2,
            "qualifier": ["at_least", "at_least"], "value": pd.array([20, 24], dtype="Int64"),
            "value_low": pd.array([None, None], dtype="Int64"),
            "value_high": pd.array([None, None], dtype="Int64"), "claim": ["", ""],
            "place": ["Somewhere", "Somewhere"], "line": [2, 3],
        }
    )  # fmt: skip
    comparison = compare_incident(tallies, "x-2020-01")
    sentences = incident_findings(comparison, names={"a": "Body A"}, incident_label="X")
    assert sentences[0] == (
        "Two bodies published 2 figures about X: from at least 20 civilians killed (Body A) "
        "to at least 24 civilians killed (b)."
    )
    assert sentences[1] == (
        "Every comparable figure allows a toll of at least 24; the highest figure is 1.20 "
        "times the lowest."
    )


def test_overview_says_when_agreement_cannot_be_measured(evidence):
    tallies = evidence["tallies"]
    empty = pd.DataFrame(columns=["reporting_body", "statistic", "estimate", "ci_low",
                                  "ci_high", "n"])  # fmt: skip
    sentences = overview_findings(
        tallies, names={"minusma": "MINUSMA"}, start="2020-01-01", end="2024-12-31",
        agreement=empty, reference_body="minusma",
    )  # fmt: skip
    assert sentences[0].startswith(f"The evidence table holds {len(tallies):,} figures")
    assert "cannot be measured" in sentences[-1]


def test_audit_banner_names_only_unexplained_findings_of_the_figures_used():
    findings = pd.DataFrame(
        {
            "check": ["copies_disagree", "sub_period_sum", "copies_disagree"],
            "severity": ["warning", "known", "error"],
            "tally_ids": ["a-1;a-2", "a-1;a-3", "b-1;b-2"],
            "message": ["two copies differ", "explained", "parts exceed total"],
        }
    )
    assert audit_banner(findings, ["a-1"]) == [
        "warning (copies_disagree; figures a-1, a-2): two copies differ"
    ]
    assert len(audit_banner(findings)) == 2
    assert audit_banner(findings, ["zzz"]) == []
    assert audit_banner(findings.iloc[0:0]) == []


def test_one_body_compared_or_figures_that_agree_are_said_so():
    """SYNTHETIC: when only one body's figures count the same thing, no range across bodies
    is claimed; when the compared figures are the same, they are said to agree."""
    base = {
        "source_id": ["s1", "s2"], "incident_id": ["x-2020-01"] * 2,
        "period_start": pd.to_datetime(["2020-01-05"] * 2),
        "period_end": pd.to_datetime(["2020-01-05"] * 2), "measure": ["killed"] * 2,
        "perpetrator_group": ["unknown"] * 2, "qualifier": ["exact", "exact"],
        "value_low": pd.array([None, None], dtype="Int64"),
        "value_high": pd.array([None, None], dtype="Int64"), "claim": ["", ""],
        "place": ["Somewhere"] * 2, "line": [2, 3],
    }  # fmt: skip
    same = pd.DataFrame(
        {**base, "tally_id": ["a-1", "b-1"], "reporting_body": ["a", "b"],
         "victim_group": ["civilians"] * 2, "value": pd.array([14, 14], dtype="Int64")}
    )  # fmt: skip
    agree = incident_findings(compare_incident(same, "x-2020-01"), names={}, incident_label="X")
    assert agree[0] == (
        "Two bodies published 2 figures about X: the compared figures agree on 14 civilians "
        "killed (a, b)."
    )
    one = pd.DataFrame(
        {**base, "tally_id": ["a-1", "a-2"], "reporting_body": ["a", "a"],
         "victim_group": ["civilians"] * 2, "value": pd.array([17, 17], dtype="Int64")}
    )  # fmt: skip
    other = one.iloc[[0]].assign(
        tally_id="b-1", reporting_body="b", victim_group="suspected_militants", source_id="s3"
    )
    one = pd.concat([one, other], ignore_index=True)
    only = incident_findings(compare_incident(one, "x-2020-01"), names={}, incident_label="X")
    assert "only a's figures count the same thing" in only[0]
    assert not any("do not overlap" in s or "allows a toll" in s for s in only)


def test_windows_finding_counts_and_spans_the_ratios():
    """SYNTHETIC comparison rows: two compared (ratios 0.5 and 2), one not."""
    rows = pd.DataFrame({"comparable": [True, True, False], "ratio": [0.5, 2.0, float("nan")]})
    assert windows_finding(rows, reference="MINUSMA") == (
        "2 figures of other bodies cover windows that MINUSMA's figures also cover, summed or "
        "prorated by days; other/MINUSMA ratios run from 0.50 to 2.00; 1 others cannot be set "
        "against them, each for the reason given below."
    )
    assert windows_finding(rows.iloc[2:], reference="MINUSMA").startswith("No figure of another")


def test_moura_findings_read_as_before_whatever_the_victim_group_option(evidence):
    """On the shipped table: a civilian incident's sentences are the same with the default
    comparison and with victim_group="auto", and none speaks of fighters."""
    place = incident_label(evidence["tallies"], "moura-2022-03")
    names = body_names(evidence["bodies"])
    sentences = {
        option: incident_findings(
            compare_incident(
                evidence["tallies"], "moura-2022-03", sources=evidence["sources"],
                victim_group=option,
            ),
            names=names,
            incident_label=place,
        )
        for option in ("civilians", "auto")
    }  # fmt: skip
    assert sentences["auto"] == sentences["civilians"]
    assert not any("fighters" in s or "are compared" in s for s in sentences["auto"])


def test_a_battle_headline_names_whose_losses_are_compared(evidence):
    """On the shipped table: Tinzaouaten's headline says that Wagner fighters' deaths are
    compared, from its lowest to its highest such figure."""
    comparison = compare_incident(evidence["tallies"], "tinzaouaten-2024-07", victim_group="auto")
    place = incident_label(evidence["tallies"], "tinzaouaten-2024-07")
    headline = incident_findings(
        comparison, names=body_names(evidence["bodies"]), incident_label=place
    )[0]
    assert "of which those of Wagner fighters killed by separatists are compared: from" in headline
    assert "combatants killed" in headline


def test_incidents_with_the_same_place_and_month_get_different_names() -> None:
    """SYNTHETIC: a battle and strikes in one town and month; a third incident elsewhere."""
    table = pd.DataFrame(
        {
            "incident_id": ["town-2024-07", "town-strikes-2024-07", "village-2024-07"],
            "place": ["Town", "Town", "Village"],
            "period_start": pd.to_datetime(["2024-07-25", "2024-07-30", "2024-07-02"]),
        }
    )
    assert incident_label(table, "town-2024-07") == "Town (July 2024)"
    assert incident_label(table, "town-strikes-2024-07") == "Town, strikes (July 2024)"
    assert incident_label(table, "village-2024-07") == "Village (July 2024)"
