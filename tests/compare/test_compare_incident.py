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
