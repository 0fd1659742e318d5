"""The comparison functions on the shipped evidence table (data/tallies/tallies.csv).

The expected figures are the published ones, read from the documents the table cites, not
outputs of the code: Human Rights Watch, "Mali: Massacre by Army, Foreign Soldiers" (5 April
2022: about 300); OHCHR's fact-finding report on Moura (12 May 2023: at least 500); ACLED data
cited by the Guardian (spring 2022: 350 to 380); The Nation (April 2022: between 200 and 400);
the Malian defence ministry (1 April 2022: 203 "terrorists"); MINUSMA's quarterly notes on
human rights trends (civilians killed: Q4 2021 128, Q2 2022 317, Q3 2022 243); the
Secretary-General's report on Mali (1 July 2021 to 30 June 2022: 1,556 civilians killed).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import (
    compare_incident,
    compare_periods,
    incidents_with_bodies,
    load_sources,
    load_tallies,
    tally_series,
)
from analysis.errors import DataError

MOURA = "moura-2022-03"


@pytest.fixture(scope="module")
def tallies() -> pd.DataFrame:
    return load_tallies()


@pytest.fixture(scope="module")
def moura(tallies):
    return compare_incident(tallies, MOURA, sources=load_sources())


def test_moura_has_figures_from_at_least_four_bodies(moura, tallies):
    summary = moura.summary.iloc[0]
    assert summary["n_bodies"] >= 4
    assert {"hrw", "ohchr", "acled", "the_nation"} <= set(moura.comparable["reporting_body"])
    assert MOURA in set(incidents_with_bodies(tallies, min_bodies=4)["incident_id"])
    assert moura.figures["grade"].notna().all()


def test_moura_published_figures_as_intervals(moura):
    """HRW about 300 -> [270, 330]; OHCHR at least 500 -> [500, inf); ACLED 350-380;
    The Nation 200-400 (about = +/- 10 %)."""
    comp = moura.comparable
    by_body = comp.groupby("reporting_body")
    hrw = comp.loc[(comp["reporting_body"] == "hrw") & (comp["qualifier"] == "about")]
    assert (hrw["low"].iloc[0], hrw["high"].iloc[0]) == pytest.approx((270, 330))
    assert by_body["low"].max()["ohchr"] == 500
    assert math.isinf(by_body["high"].max()["ohchr"])
    acled = comp.loc[comp["reporting_body"] == "acled"]
    assert (acled["low"].min(), acled["high"].max()) == (350, 380)
    nation = comp.loc[comp["reporting_body"] == "the_nation"]
    assert (nation["low"].iloc[0], nation["high"].iloc[0]) == (200, 400)


def test_moura_army_figure_is_apart_and_the_bodies_disagree(moura):
    """The army's 203 'terrorists' is listed apart; OHCHR's floor (500) is above HRW's
    estimate (about 300, at most 330), so no single number satisfies every body."""
    apart = moura.apart
    army = apart.loc[(apart["reporting_body"] == "gov_mali") & (apart["measure"] == "killed")]
    assert not army.empty and (army["value"] == 203).any()
    assert army["reason"].str.contains("suspected militants").all()
    summary = moura.summary.iloc[0]
    assert bool(summary["consensus_empty"])
    assert summary["envelope_low"] == 200
    assert summary["spread"] == pytest.approx(500 / 300)


def test_minusma_quarterly_series_keeps_published_values_and_shows_disagreements(tallies):
    """MINUSMA's notes: Q4 2021 128, Q2 2022 317, Q3 2022 243 civilians killed. Q1 2022 is 543
    in most copies and 573 in one (a misprint): the series raises by default, and with
    conflict='range' keeps [543, 573] with no point."""
    with pytest.raises(DataError, match="543"):
        tally_series(tallies, reporting_body="minusma")
    s = tally_series(tallies, reporting_body="minusma", conflict="range").set_index("period_start")
    assert s.loc["2021-10-01", "count"] == 128
    assert s.loc["2022-04-01", "count"] == 317
    assert s.loc["2022-07-01", "count"] == 243
    q1 = s.loc["2022-01-01"]
    assert bool(q1["conflict"]) and math.isnan(q1["count"])
    assert (q1["count_low"], q1["count_high"]) == (543, 573)
    assert (s["exposure_days"] >= 90).all()
    starts = s.index.to_series()
    assert (starts.diff().dropna().dt.days.between(90, 92)).all()  # regular quarters


def test_minusma_series_with_moura_left_out(tallies):
    """MINUSMA's Q1 2022 note leaves Moura out (its excludes column says so): kept, noted."""
    s = tally_series(
        tallies, reporting_body="minusma", conflict="range", exclude_incidents=[MOURA]
    ).set_index("period_start")
    assert "already leaves moura-2022-03 out" in s.loc["2022-01-01", "note"]
    assert s.loc["2022-04-01", "count"] == 317


def test_secretary_general_year_prorated_against_minusma_quarters(tallies):
    """1,556 over 1 Jul 2021 - 30 Jun 2022 (365 days): Q2 2022 (91 days) gets 1556 * 91/365;
    its log ratio to MINUSMA's 317 is log(387.93 / 317)."""
    result = compare_periods(tallies, freq="QS", reference_body="minusma", fill="prorate")
    periods = result.periods.set_index(["reporting_body", "period_start"])
    row = periods.loc[("un_sg", pd.Timestamp("2022-04-01"))]
    assert bool(row["prorated"]) and row["window_days"] == 365
    assert row["count"] == pytest.approx(1556 * 91 / 365, rel=1e-12)
    assert row["log_ratio"] == pytest.approx(np.log(1556 * 91 / 365 / 317), rel=1e-12)
    stats = result.agreement.set_index(["reporting_body", "statistic"])
    assert stats.loc[("un_sg", "ratio"), "estimate"] > 1  # the SG counts more (broader scope)
