"""compare_incident and incidents_with_bodies on SYNTHETIC tables (not real figures)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.compare import compare_incident, incidents_with_bodies
from analysis.errors import DataError
from tests.compare.synthetic import typed_tallies


def _table(rows: list[dict]) -> pd.DataFrame:
    """A SYNTHETIC evidence table typed like load_tallies' output."""
    return typed_tallies(rows, period_start="2022-03-27", period_end="2022-03-31")


INCIDENT = "village-2022-03"


def _incident() -> pd.DataFrame:
    """A SYNTHETIC incident reported by five bodies, in the shapes real reports take."""
    return _table(
        [
            # an NGO: "about 300 civilians"
            dict(tally_id="ngo-001", reporting_body="ngo", qualifier="about", value=300),
            # the UN: "at least 500 people"
            dict(
                tally_id="un-001",
                reporting_body="un",
                victim_group="people",
                qualifier="at_least",
                value=500,
            ),
            # a data project: between 350 and 380 fatalities
            dict(
                tally_id="dp-001",
                reporting_body="dp",
                measure="fatalities",
                qualifier="between",
                value_low=350,
                value_high=380,
            ),
            # the army: 203 "terrorists" killed, and 51 arrested
            dict(
                tally_id="gov-001",
                reporting_body="gov",
                victim_group="suspected_militants",
                value=203,
            ),
            dict(
                tally_id="gov-002",
                reporting_body="gov",
                measure="arrested",
                victim_group="suspected_militants",
                value=51,
            ),
            # a newspaper: between 200 and 400 people
            dict(
                tally_id="press-001",
                reporting_body="press",
                victim_group="people",
                qualifier="between",
                value_low=200,
                value_high=400,
            ),
            # an unrelated incident
            dict(tally_id="ngo-002", reporting_body="ngo", incident_id="other-2022", value=12),
        ]
    ).assign(
        incident_id=lambda f: f["incident_id"].fillna(INCIDENT),
    )


def test_figures_are_split_into_comparable_and_apart_with_plain_reasons():
    """Deaths of civilians/people compare; 'terrorists' killed and arrests are apart, with why."""
    result = compare_incident(_incident(), INCIDENT)
    assert set(result.figures["tally_id"]) == {
        "ngo-001",
        "un-001",
        "dp-001",
        "gov-001",
        "gov-002",
        "press-001",
    }
    assert set(result.comparable["tally_id"]) == {"ngo-001", "un-001", "dp-001", "press-001"}
    apart = result.apart.set_index("tally_id")["reason"]
    assert "suspected militants" in apart["gov-001"]
    assert "arrested" in apart["gov-002"]
    assert result.comparable["reason"].isna().all()
    # comparable figures come first
    assert result.figures["comparable"].tolist()[:4] == [True] * 4


def test_envelope_consensus_and_spread_by_hand():
    """Hand computation on the synthetic incident (about = +/-10 %).

    Intervals: ngo [270, 330], un [500, inf), dp [350, 380], press [200, 400].
    Envelope = [min low, max high] = [200, inf]. Consensus = [max low, min high] = [500, 330]:
    empty, set by un-001 (low) against ngo-001 (high). Points: 300, 500, 365, 300 (press has
    no published value: the midpoint 300), so spread = 500 / 300.
    """
    s = compare_incident(_incident(), INCIDENT).summary.iloc[0]
    assert s["envelope_low"] == 200
    assert math.isinf(s["envelope_high"])
    assert bool(s["consensus_empty"])
    assert math.isnan(s["consensus_low"]) and math.isnan(s["consensus_high"])
    assert (s["binding_low_tally"], s["binding_high_tally"]) == ("un-001", "ngo-001")
    assert s["spread"] == pytest.approx(500 / 300, rel=1e-12)
    assert s["spread_high_tally"] == "un-001"
    assert s["n_bodies"] == 5 and s["n_bodies_comparable"] == 4
    assert s["n_figures"] == 6 and s["n_comparable"] == 4
    assert bool(s["includes_people"])


def test_people_apart_leaves_a_nonempty_consensus():
    """Without the 'people' figures: ngo [270, 330], dp [350, 380] still clash (330 < 350).

    Dropping dp as well (perpetrator filter does not apply; use a table without it) leaves
    ngo alone: consensus = its own interval [270, 330].
    """
    result = compare_incident(_incident(), INCIDENT, people="apart")
    s = result.summary.iloc[0]
    assert set(result.comparable["tally_id"]) == {"ngo-001", "dp-001"}
    assert "people of any status" in result.apart.set_index("tally_id").loc["un-001", "reason"]
    assert bool(s["consensus_empty"]) and not bool(s["includes_people"])
    alone = _incident().query("tally_id != 'dp-001'")
    s2 = compare_incident(alone, INCIDENT, people="apart").summary.iloc[0]
    assert not bool(s2["consensus_empty"])
    assert (s2["consensus_low"], s2["consensus_high"]) == pytest.approx((270, 330))
    assert s2["spread"] == 1.0


def test_perpetrator_filter_lists_other_attributions_apart():
    table = _incident()
    table.loc[table["tally_id"] == "dp-001", "perpetrator_group"] = "state_forces_with_foreign"
    result = compare_incident(table, INCIDENT, perpetrator_group="all")
    reason = result.apart.set_index("tally_id").loc["dp-001", "reason"]
    assert "state_forces_with_foreign" in reason


def test_a_bodys_own_part_counts_are_listed_apart():
    """SYNTHETIC, shaped like a fact-finding report: at least 500 people killed; 7 children
    and about 20 women among them; at least 238 identified by name; and a press copy of the
    same finding that drops the qualifier (500). The children and women lie wholly below the
    body's own 500 (parts of the victims); 'at least 238' is a lower bound below 500. The
    copies differing only in the qualifier both stay. With body_parts='compare' all stay."""
    table = _table(
        [
            dict(
                tally_id="u-001",
                reporting_body="u",
                incident_id="x",
                victim_group="people",
                qualifier="at_least",
                value=500,
            ),
            dict(
                tally_id="u-002",
                reporting_body="u",
                incident_id="x",
                victim_group="people",
                value=7,
            ),
            dict(
                tally_id="u-003",
                reporting_body="u",
                incident_id="x",
                victim_group="people",
                qualifier="about",
                value=20,
            ),
            dict(
                tally_id="u-004",
                reporting_body="u",
                incident_id="x",
                victim_group="people",
                qualifier="at_least",
                value=238,
            ),
            dict(
                tally_id="n-001", reporting_body="n", incident_id="x", qualifier="about", value=300
            ),
            dict(
                tally_id="u-005",
                reporting_body="u",
                incident_id="x",
                victim_group="people",
                value=500,
            ),
        ]
    )
    result = compare_incident(table, "x")
    assert set(result.comparable["tally_id"]) == {"u-001", "u-005", "n-001"}
    reasons = result.apart.set_index("tally_id")["reason"]
    assert reasons["u-002"].startswith("lies wholly below u's own figure u-00")
    assert reasons["u-003"].startswith("lies wholly below u's own figure u-00")
    assert reasons["u-004"].startswith("is a lower bound below u's own figure u-00")
    s = result.summary.iloc[0]
    assert s["envelope_low"] == 270 and bool(s["consensus_empty"])
    everything = compare_incident(table, "x", body_parts="compare")
    assert everything.figures["comparable"].all()
    assert everything.summary.loc[0, "envelope_low"] == 7


def test_grade_comes_from_the_sources_table():
    table = _incident()
    table["source_id"] = table["tally_id"].str.replace("-", "-src-")
    sources = pd.DataFrame(
        {"source_id": table["source_id"], "grade": ["P", "S", "M", "S", "S", "D", "P"]}
    )
    figures = compare_incident(table, INCIDENT, sources=sources).figures.set_index("tally_id")
    assert figures.loc["un-001", "grade"] == "S"
    assert figures.loc["dp-001", "grade"] == "M"
    assert compare_incident(table, INCIDENT).figures["grade"].isna().all()


def test_figures_without_a_number_are_listed_apart():
    table = _table(
        [
            dict(tally_id="a-001", reporting_body="a", incident_id="x", value=10),
            dict(tally_id="b-001", reporting_body="b", incident_id="x", qualifier="about"),
        ]
    )
    result = compare_incident(table, "x")
    assert result.apart.set_index("tally_id").loc["b-001", "reason"] == "gives no number"
    assert result.summary.loc[0, "consensus_low"] == 10


def test_a_relayed_allegation_is_listed_apart():
    """SYNTHETIC: an army announces an inquiry into 'the alleged killing of 53 civilians'; the
    figure is in print, but not the army's own count, so it is not set against others'."""
    table = _table(
        [
            dict(tally_id="a-001", reporting_body="a", incident_id="x", value=35),
            dict(tally_id="gov-001", reporting_body="gov", incident_id="x", value=53),
        ]
    ).assign(stance=pd.array([pd.NA, "alleged"], dtype="string"))
    result = compare_incident(table, "x")
    apart = result.apart.set_index("tally_id")
    assert "allegation" in apart.loc["gov-001", "reason"]
    assert list(result.comparable["tally_id"]) == ["a-001"]
    # without the column every figure is the body's own count
    assert len(compare_incident(table.drop(columns="stance"), "x").comparable) == 2


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="no figure has incident_id 'nowhere'"):
        compare_incident(_incident(), "nowhere")
    with pytest.raises(ValueError, match="people must be one of"):
        compare_incident(_incident(), INCIDENT, people="sometimes")
    with pytest.raises(DataError, match="'qualifier'"):
        compare_incident(_incident().drop(columns="qualifier"), INCIDENT)


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_comparison(rng):
    """Property: shuffling the table leaves figures and summary unchanged."""
    table = _incident()
    order = list(range(len(table)))
    rng.shuffle(order)
    a = compare_incident(table, INCIDENT)
    b = compare_incident(table.iloc[order], INCIDENT)
    pd.testing.assert_frame_equal(a.figures, b.figures)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_incidents_with_bodies_counts_distinct_bodies():
    table = _incident()
    out = incidents_with_bodies(table)
    assert out["incident_id"].tolist() == [INCIDENT]
    row = out.iloc[0]
    assert row["n_bodies"] == 5 and row["n_figures"] == 6
    assert row["bodies"] == "dp;gov;ngo;press;un"
    everything = incidents_with_bodies(table, min_bodies=1)
    assert everything["incident_id"].tolist() == [INCIDENT, "other-2022"]
    with pytest.raises(ValueError, match="at least 1"):
        incidents_with_bodies(table, min_bodies=0)


def _battle() -> pd.DataFrame:
    """A SYNTHETIC battle: every figure counts fighters, of two sides, as real claims word them."""
    return _table(
        [
            # the rebels: "we killed 80 Wagner fighters" and "30 Malian soldiers"
            dict(
                tally_id="reb-001",
                reporting_body="reb",
                victim_group="combatants",
                perpetrator_group="separatists",
                value=80,
                claim="The rebels said they killed 80 Wagner fighters.",
            ),
            dict(
                tally_id="reb-002",
                reporting_body="reb",
                victim_group="combatants",
                perpetrator_group="separatists",
                value=30,
                claim="The rebels said they killed 30 Malian soldiers.",
            ),
            # the rebels' own losses, killed by the army and Wagner
            dict(
                tally_id="reb-003",
                reporting_body="reb",
                victim_group="combatants",
                perpetrator_group="state_forces_with_foreign",
                value=5,
                claim="The rebels admitted losing five men to the army and Wagner.",
            ),
            # a press agency: at least 20 mercenaries
            dict(
                tally_id="press-001",
                reporting_body="press",
                victim_group="combatants",
                perpetrator_group="separatists",
                qualifier="at_least",
                value=20,
                claim="A press agency said at least 20 Russian mercenaries were killed.",
            ),
            # a broadcaster: up to 60 Wagner fighters
            dict(
                tally_id="tv-001",
                reporting_body="tv",
                victim_group="combatants",
                perpetrator_group="separatists",
                qualifier="up_to",
                value=60,
                claim="A former Wagner fighter said as many as 60 were killed.",
            ),
            # the army: 2 of its soldiers killed, 9 injured, about 25 'terrorists' killed
            dict(
                tally_id="gov-001",
                reporting_body="gov",
                victim_group="combatants",
                perpetrator_group="separatists",
                value=2,
                claim="The army said two of its soldiers were killed.",
            ),
            dict(
                tally_id="gov-002",
                reporting_body="gov",
                measure="injured",
                victim_group="combatants",
                perpetrator_group="separatists",
                value=9,
                claim="The army said nine soldiers were injured.",
            ),
            dict(
                tally_id="gov-003",
                reporting_body="gov",
                victim_group="suspected_militants",
                perpetrator_group="state_forces",
                qualifier="about",
                value=25,
                claim="The army said it killed about 25 terrorists.",
            ),
        ]  # fmt: skip
    ).assign(incident_id=INCIDENT)


def test_default_compares_civilians_so_a_battle_compares_nothing():
    """Default: today's rule, civilians only; a battle's figures of fighters all stay apart."""
    result = compare_incident(_battle(), INCIDENT)
    assert result.victim_group == "civilians"
    assert result.comparable.empty
    assert result.summary.loc[0, "victim_group"] == "civilians"
    assert pd.isna(result.summary.loc[0, "compared_side"])


def test_combatants_compares_one_sides_losses_as_claims_name_them():
    """Wagner fighters killed by the rebels are compared; Malian soldiers and the rebels' own
    losses, counted by the same bodies, are listed apart saying whose losses they count."""
    result = compare_incident(_battle(), INCIDENT, victim_group="combatants")
    assert set(result.comparable["tally_id"]) == {"reb-001", "press-001", "tv-001"}
    assert result.summary.loc[0, "compared_side"] == "Wagner fighters killed by separatists"
    reasons = result.apart.set_index("tally_id")["reason"]
    assert reasons["reb-002"].startswith("counts Malian soldiers killed by separatists")
    assert reasons["gov-001"].startswith("counts Malian soldiers killed by separatists")
    assert "killed by state_forces_with_foreign" in reasons["reb-003"]
    assert reasons["gov-002"] == "counts people injured, not deaths"
    assert reasons["gov-003"].startswith("counts suspected militants")
    # 80 exactly against "up to 60": they cannot both be right
    assert bool(result.summary.loc[0, "consensus_empty"])
    assert result.summary.loc[0, "spread"] == pytest.approx(80 / 20)


def test_a_claim_naming_both_forces_or_neither_is_its_own_side():
    """A figure whose claim names Wagner and the army (or no force) is not pooled with either."""
    table = _battle()
    table.loc[table["tally_id"] == "press-001", "claim"] = "At least 20 soldiers and Wagner men."
    result = compare_incident(table, INCIDENT, victim_group="combatants")
    assert "press-001" not in set(result.comparable["tally_id"])
    reason = result.apart.set_index("tally_id").loc["press-001", "reason"]
    assert reason.startswith("counts fighters (no one force named in the claim)")


def test_suspected_militants_compares_those_attributed_to_one_group():
    table = pd.concat(
        [
            _battle(),
            _table(
                [
                    dict(
                        tally_id="ngo-001",
                        reporting_body="ngo",
                        incident_id=INCIDENT,
                        victim_group="suspected_militants",
                        perpetrator_group="state_forces",
                        value=40,
                    ),
                    dict(
                        tally_id="ngo-002",
                        reporting_body="ngo",
                        incident_id=INCIDENT,
                        victim_group="suspected_militants",
                        perpetrator_group="jnim",
                        value=3,
                    ),
                ]
            ),
        ],  # fmt: skip
        ignore_index=True,
    )
    result = compare_incident(table, INCIDENT, victim_group="suspected_militants")
    assert set(result.comparable["tally_id"]) == {"gov-003", "ngo-001"}
    assert (
        result.apart.set_index("tally_id")
        .loc["ngo-002", "reason"]
        .startswith("counts suspected militants killed by jnim")
    )
    assert result.apart.set_index("tally_id").loc["reb-001", "reason"] == (
        "counts combatants, not suspected militants ('terrorists')"
    )


def test_auto_picks_civilians_when_any_figure_counts_them():
    """auto with a civilian figure is the default comparison, figure for figure."""
    auto = compare_incident(_incident(), INCIDENT, victim_group="auto")
    default = compare_incident(_incident(), INCIDENT)
    assert auto.victim_group == "civilians"
    pd.testing.assert_frame_equal(auto.figures, default.figures)
    assert auto.summary.loc[0, "victim_group_choice"].startswith("auto: some figures count")


def test_auto_picks_the_group_most_figures_count_and_says_so():
    result = compare_incident(_battle(), INCIDENT, victim_group="auto")
    assert result.victim_group == "combatants"
    choice = result.summary.loc[0, "victim_group_choice"]
    assert "6 combatants, 1 suspected_militants" in choice and "tie" not in choice


def test_auto_breaks_a_tie_by_the_fixed_order_and_says_so():
    """One figure of combatants, one of suspected militants killed: combatants, said a tie."""
    table = _battle().loc[lambda f: f["tally_id"].isin(["gov-001", "gov-003"])]
    result = compare_incident(table, INCIDENT, victim_group="auto")
    assert result.victim_group == "combatants"
    assert (
        "a tie broken in the fixed order combatants, suspected_militants"
        in (result.summary.loc[0, "victim_group_choice"])
    )


def test_an_unknown_victim_group_is_refused():
    with pytest.raises(ValueError, match="victim_group must be one of"):
        compare_incident(_battle(), INCIDENT, victim_group="soldiers")


def test_tinzaouaten_compares_wagner_losses_claimed_against_the_separatists():
    """On the shipped table: Tinzaouaten's figures all count fighters; auto compares the
    figures of Wagner fighters killed by the separatists and keeps the Malian soldiers' and
    the rebels' own losses apart."""
    from analysis import load_tallies

    result = compare_incident(load_tallies(), "tinzaouaten-2024-07", victim_group="auto")
    assert result.victim_group == "combatants"
    assert result.summary.loc[0, "compared_side"] == "Wagner fighters killed by separatists"
    compared = result.comparable
    assert (compared["victim_group"] == "combatants").all()
    assert (compared["perpetrator_group"] == "separatists").all()
    assert compared["claim"].str.contains("Wagner|mercenar", case=False).all()
    assert not compared["claim"].str.contains("soldier", case=False).any()
    assert compared["reporting_body"].nunique() >= 2
    apart = result.apart.set_index("tally_id")["reason"]
    assert apart["csp-004"].startswith("counts Malian soldiers killed by separatists")
