"""align_periods, tally_series and compare_periods on SYNTHETIC tables (not real figures)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.compare import compare_periods
from analysis.errors import DataError
from analysis.harmonize.periods import align_periods, calendar_periods, tally_series
from tests.compare.synthetic import typed_tallies


def _table(rows: list[dict]) -> pd.DataFrame:
    """A SYNTHETIC evidence table typed like load_tallies' output."""
    return typed_tallies(rows, reporting_body="a")


def _one(start: str, end: str, value: int, **extra) -> pd.DataFrame:
    return _table(
        [dict(tally_id="a-001", period_start=start, period_end=end, value=value, **extra)]
    )


# ── align_periods ──────────────────────────────────────────────────────────────


def test_a_july_to_june_year_prorated_by_days():
    """Hand-computed: 1 Jul 2021 - 30 Jun 2022 is 365 days; the quarters hold 92, 92, 90, 91.

    A figure of 1,556 gives 1556 * 92/365 = 392.19..., etc. Every quarter is fully covered.
    """
    out = align_periods(_one("2021-07-01", "2022-06-30", 1556), freq="QS")
    assert out["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-07-01",
        "2021-10-01",
        "2022-01-01",
        "2022-04-01",
    ]
    assert out["overlap_days"].tolist() == [92, 92, 90, 91]
    np.testing.assert_allclose(out["count"], 1556 * np.array([92, 92, 90, 91]) / 365, rtol=1e-12)
    assert not out["partial"].any() and (out["coverage"] == 1).all()
    assert out["count"].sum() == pytest.approx(1556, rel=1e-12)


def test_since_december_figure_marks_partial_periods():
    """'Since 1 Dec 2021' published 15 Jan 2023, at least 2,000: Q4 2021 is covered for 31 of
    92 days, Q1 2023 for 15 of 90. Prorated lows add up to 2,000; highs stay open (inf)."""
    out = align_periods(
        _one("2021-12-01", "2023-01-15", 2000, qualifier="more_than"), freq="QS"
    ).set_index("period_start")
    assert len(out) == 6
    assert out.loc["2021-10-01", "coverage"] == pytest.approx(31 / 92)
    assert out.loc["2023-01-01", "coverage"] == pytest.approx(15 / 90)
    assert out["partial"].tolist() == [True, False, False, False, False, True]
    assert out["count_low"].sum() == pytest.approx(2000)
    assert np.isinf(out["count_high"]).all()


def test_bounds_for_a_window_inside_and_across_periods():
    """Bounds, by hand. An incident of 27-31 Mar 2022, about 300 ([270, 330]): Q1 2022 holds
    the whole window, so Q1 is in [270, 330] with point 300. A half-year figure of exactly 266
    over H1 2021: each quarter is in [0, 266] (all or none may have fallen in it)."""
    incident = align_periods(
        _one("2022-03-27", "2022-03-31", 300, qualifier="about"), method="bounds"
    )
    assert len(incident) == 1
    row = incident.iloc[0]
    assert (row["count_low"], row["count_high"], row["count"]) == pytest.approx((270, 330, 300))
    assert bool(row["window_within_period"]) and bool(row["partial"])
    half = align_periods(_one("2021-01-01", "2021-06-30", 266), method="bounds")
    assert half["count_low"].tolist() == [0.0, 0.0]
    assert half["count_high"].tolist() == [266.0, 266.0]
    assert half["count"].isna().all()
    yearly = align_periods(_one("2021-01-01", "2021-06-30", 266), method="bounds", freq="YS")
    assert (yearly["count_low"].iloc[0], yearly["count_high"].iloc[0]) == (266.0, 266.0)


def test_prorating_by_an_event_series():
    """A half-year figure of 300 with SYNTHETIC events 10 in Q1 and 20 in Q2: shares 1/3, 2/3.
    Where the events do not cover the window, days are used and the reason is given."""
    events = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2021-01-01", "2021-04-01"]),
            "period_end": pd.to_datetime(["2021-03-31", "2021-06-30"]),
            "count": [10, 20],
        }
    )
    out = align_periods(_one("2021-01-01", "2021-06-30", 300), weights=events)
    assert out["weighting"].tolist() == ["events", "events"]
    np.testing.assert_allclose(out["count"], [100, 200])
    longer = align_periods(_one("2021-01-01", "2021-09-30", 300), weights=events)
    assert longer["weighting"].str.startswith("days (").all()
    np.testing.assert_allclose(longer["count"], 300 * np.array([90, 91, 92]) / 273)


def test_align_refuses_bad_options_and_windows():
    table = _one("2021-01-01", "2021-06-30", 10)
    with pytest.raises(ValueError, match="freq must be one of"):
        align_periods(table, freq="W")
    with pytest.raises(ValueError, match="method must be one of"):
        align_periods(table, method="guess")
    with pytest.raises(ValueError, match="only used with method='prorate'"):
        align_periods(table, method="bounds", weights=table)
    no_end = table.assign(period_end=pd.NaT)
    with pytest.raises(DataError, match="line 2") as raised:
        align_periods(no_end)
    assert raised.value.column == "period_end"


window_starts = st.dates(
    min_value=pd.Timestamp("2019-01-01").date(), max_value=pd.Timestamp("2023-12-31").date()
)


@settings(max_examples=60, deadline=None)
@given(window_starts, st.integers(0, 900), st.integers(1, 5000))
def test_prorated_totals_are_conserved_and_calendar_independent(start, length, value):
    """Property: shares sum to 1, so the prorated figure sums to the figure; summing months
    into quarters (splitting each quarter into three) gives the same quarterly totals."""
    end = pd.Timestamp(start) + pd.Timedelta(days=length)
    table = _one(str(start), str(end.date()), value)
    quarters = align_periods(table, freq="QS")
    months = align_periods(table, freq="MS")
    assert quarters["count"].sum() == pytest.approx(value, rel=1e-9)
    assert months["count"].sum() == pytest.approx(value, rel=1e-9)
    by_quarter = months.groupby(months["period_start"].dt.to_period("Q"))["count"].sum()
    expected = quarters.set_index(quarters["period_start"].dt.to_period("Q"))["count"]
    np.testing.assert_allclose(by_quarter.to_numpy(), expected.to_numpy(), rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(window_starts, st.integers(1, 600), st.integers(0, 599), st.integers(1, 3000))
def test_splitting_a_window_in_two_leaves_prorated_totals_unchanged(start, length, cut, value):
    """Property: a figure over W and the same figure split by days into W1 and W2 prorate to
    the same per-period totals (shares by days are additive)."""
    cut = cut % length
    w_start = pd.Timestamp(start)
    w_end = w_start + pd.Timedelta(days=length)
    mid = w_start + pd.Timedelta(days=cut)
    whole = _one(str(w_start.date()), str(w_end.date()), value)
    days1, days2 = cut + 1, length - cut
    part1 = value * days1 / (length + 1)
    split = _table(
        [
            dict(tally_id="a-001", period_start=w_start, period_end=mid, value=1),
            dict(
                tally_id="a-002",
                period_start=mid + pd.Timedelta(days=1),
                period_end=w_end,
                value=1,
            ),
        ]
    )
    assert days1 + days2 == length + 1
    aligned = align_periods(split)
    # integer values cannot hold the exact split, so scale each part's shares by hand
    aligned["count"] = np.where(
        aligned["tally_id"] == "a-001", aligned["share"] * part1, aligned["share"] * (value - part1)
    )
    a = align_periods(whole).groupby("period_start")["count"].sum()
    b = aligned.groupby("period_start")["count"].sum()
    pd.testing.assert_series_equal(a, b, check_exact=False, rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_row_order_does_not_change_alignment(rng):
    table = _table(
        [
            dict(tally_id="a-001", period_start="2021-07-01", period_end="2022-06-30", value=900),
            dict(tally_id="b-001", period_start="2021-12-01", period_end="2022-03-31", value=50),
            dict(tally_id="c-001", period_start="2022-03-27", period_end="2022-03-31", value=300),
        ]
    )
    order = list(range(len(table)))
    rng.shuffle(order)
    for method in ("prorate", "bounds"):
        pd.testing.assert_frame_equal(
            align_periods(table, method=method), align_periods(table.iloc[order], method=method)
        )


def test_calendar_periods_lengths():
    """2020 is a leap year: Q1 2020 has 91 days, February 29."""
    grid = calendar_periods("2020-01-15", "2020-03-01", freq="MS")
    assert grid["period_days"].tolist() == [31, 29, 31]
    assert calendar_periods("2020-02-01", "2020-02-01", freq="QS")["period_days"].tolist() == [91]


# ── tally_series ───────────────────────────────────────────────────────────────


def _quarterly() -> pd.DataFrame:
    """SYNTHETIC quarterly notes of body 'a' with a gap, a derived quarter and two copies."""
    return _table(
        [
            dict(tally_id="a-001", period_start="2021-01-01", period_end="2021-03-31", value=100),
            dict(tally_id="a-002", period_start="2021-01-01", period_end="2021-06-30", value=250),
            dict(
                tally_id="a-003",
                period_start="2021-04-01",
                period_end="2021-06-30",
                value=150,
                derivation="a-002 - a-001",
            ),
            # Q3 2021 missing
            dict(tally_id="a-004", period_start="2021-10-01", period_end="2021-12-31", value=80),
            dict(
                tally_id="a-005",
                source_id="src-copy",
                period_start="2021-10-01",
                period_end="2021-12-31",
                value=80,
            ),
            dict(
                tally_id="a-006",
                period_start="2022-01-01",
                period_end="2022-03-31",
                value=400,
                excludes="village-2022-03",
            ),
            dict(
                tally_id="a-007",
                period_start="2022-01-01",
                period_end="2022-03-31",
                measure="violations",
                value=700,
            ),
            dict(
                tally_id="b-001",
                reporting_body="b",
                incident_id="village-2022-03",
                period_start="2022-03-27",
                period_end="2022-03-31",
                value=300,
            ),
            dict(tally_id="a-008", period_start="2022-04-01", period_end="2022-06-30", value=90),
        ]
    )


def test_series_is_regular_with_gaps_as_na_and_copies_merged():
    s = tally_series(_quarterly(), reporting_body="a")
    assert s["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-01-01",
        "2021-04-01",
        "2021-07-01",
        "2021-10-01",
        "2022-01-01",
        "2022-04-01",
    ]
    assert s["count"].iloc[[0, 1, 3, 4, 5]].tolist() == [100, 150, 80, 400, 90]
    assert math.isnan(s["count"].iloc[2]) and s["n_figures"].iloc[2] == 0
    assert s["tally_ids"].iloc[3] == "a-004;a-005" and s["n_figures"].iloc[3] == 2
    assert bool(s["derived"].iloc[1]) and not bool(s["derived"].iloc[0])
    assert s["exposure_days"].tolist() == [90, 91, 92, 92, 90, 91]
    assert list(s.columns[:8]) == [
        "period_start",
        "period_end",
        "count",
        "count_low",
        "count_high",
        "exposure_days",
        "tally_ids",
        "n_figures",
    ]


def test_disagreeing_copies_raise_or_become_a_range():
    table = _quarterly()
    table.loc[table["tally_id"] == "a-005", "value"] = 87
    with pytest.raises(DataError, match=r"a-004: 80 .*a-005: 87"):
        tally_series(table, reporting_body="a")
    s = tally_series(table, reporting_body="a", conflict="range").set_index("period_start")
    q4 = s.loc["2021-10-01"]
    assert math.isnan(q4["count"]) and (q4["count_low"], q4["count_high"]) == (80, 87)
    assert bool(q4["conflict"])


def test_nested_copies_are_consistent_and_merge_to_the_tightest():
    """SYNTHETIC: one copy says 106, another 'at least 100' for the same quarter. Both are true
    if the count is 106, so the series gives 106 (no conflict) and names both copies."""
    table = _quarterly()
    table.loc[table["tally_id"] == "a-005", "qualifier"] = "at_least"
    table.loc[table["tally_id"] == "a-005", "value"] = 75
    q4 = tally_series(table, reporting_body="a").set_index("period_start").loc["2021-10-01"]
    assert (q4["count"], q4["count_low"], q4["count_high"]) == (80, 80, 80)
    assert not bool(q4["conflict"]) and "a-004 lies within the looser a-005" in q4["note"]


def test_several_victim_groups_are_merged_like_copies():
    """SYNTHETIC: a 'people' copy of Q4 2021 with another value shows as a conflict."""
    table = _quarterly()
    table.loc[table["tally_id"] == "a-005", "victim_group"] = "people"
    table.loc[table["tally_id"] == "a-005", "value"] = 95
    civilians = tally_series(table, reporting_body="a")
    assert civilians.set_index("period_start").loc["2021-10-01", "tally_ids"] == "a-004"
    both = tally_series(
        table, reporting_body="a", victim_group=("civilians", "people"), conflict="range"
    ).set_index("period_start")
    assert bool(both.loc["2021-10-01", "conflict"])
    assert "a-005: 95" in both.loc["2021-10-01", "note"]


def test_excluding_an_incident_keeps_figures_that_already_leave_it_out():
    """Q1 2022's figure says it excludes the incident: kept, with a note. Without that
    statement the period's count becomes NA (the incident cannot be removed from it)."""
    s = tally_series(_quarterly(), reporting_body="a", exclude_incidents=("village-2022-03",))
    q1 = s.set_index("period_start").loc["2022-01-01"]
    assert q1["count"] == 400 and "already leaves" in q1["note"]
    table = _quarterly()
    table.loc[table["tally_id"] == "a-006", "excludes"] = pd.NA
    s2 = tally_series(table, reporting_body="a", exclude_incidents=("village-2022-03",))
    q1b = s2.set_index("period_start").loc["2022-01-01"]
    assert math.isnan(q1b["count"]) and "may include" in q1b["note"]
    assert s2["count"].notna().sum() == 4
    with pytest.raises(ValueError, match="no figure has incident_id"):
        tally_series(_quarterly(), reporting_body="a", exclude_incidents=("nowhere",))


def test_series_options_are_checked():
    with pytest.raises(ValueError, match="conflict must be one of"):
        tally_series(_quarterly(), reporting_body="a", conflict="pick_first")
    with pytest.raises(ValueError, match="no figure whose window"):
        tally_series(_quarterly(), reporting_body="b")


# ── compare_periods ────────────────────────────────────────────────────────────


def _two_bodies() -> pd.DataFrame:
    """SYNTHETIC: body 'a' quarterly; body 'b' quarterly at roughly twice a's level, plus a
    July-June year; body 'c' only a July-June year."""
    a = [100, 150, 120, 80, 400, 90]
    b = [210, 290, 250, 170, 780, None]
    starts = pd.date_range("2021-01-01", periods=6, freq="QS")
    rows = []
    for i, s in enumerate(starts):
        e = (s + pd.offsets.QuarterEnd(0)).strftime("%Y-%m-%d")
        rows.append(dict(tally_id=f"a-{i:03d}", period_start=s, period_end=e, value=a[i]))
        if b[i] is not None:
            rows.append(
                dict(
                    tally_id=f"b-{i:03d}",
                    reporting_body="b",
                    period_start=s,
                    period_end=e,
                    value=b[i],
                )
            )
    rows.append(
        dict(
            tally_id="c-001",
            reporting_body="c",
            period_start="2021-07-01",
            period_end="2022-06-30",
            value=730,
        )
    )
    rows.append(
        dict(
            tally_id="b-100",
            reporting_body="b",
            incident_id="x",
            period_start="2022-03-27",
            period_end="2022-03-31",
            value=300,
        )
    )
    return _table(rows)


def test_compare_periods_log_ratios_and_agreement():
    """Log ratios by hand: log(210/100), ...; the agreement table is agreement() on the 5
    shared quarters; the incident figure b-100 is not a period figure and is not used."""
    result = compare_periods(_two_bodies(), reference_body="a")
    b = result.periods.loc[result.periods["reporting_body"] == "b"]
    assert len(b) == 5 and "b-100" not in ";".join(b["tally_ids"])
    np.testing.assert_allclose(
        b["log_ratio"], np.log(np.array([210, 290, 250, 170, 780]) / [100, 150, 120, 80, 400])
    )
    stats = result.agreement.set_index(["reporting_body", "statistic"])
    assert stats.loc[("b", "mean_log_ratio"), "n"] == 5
    assert stats.loc[("b", "ratio"), "estimate"] == pytest.approx(
        np.exp(np.mean(b["log_ratio"])), rel=1e-12
    )
    assert "c" not in set(result.agreement["reporting_body"])  # no exact quarter for c


def test_compare_periods_prorate_fills_from_the_shortest_covering_window():
    result = compare_periods(_two_bodies(), reference_body="a", fill="prorate")
    c = result.periods.loc[result.periods["reporting_body"] == "c"].set_index("period_start")
    assert c["prorated"].all() and len(c) == 4
    assert c.loc["2021-07-01", "count"] == pytest.approx(730 * 92 / 365)
    assert (c["window_days"] == 365).all()
    a = result.periods.loc[result.periods["reporting_body"] == "a"]
    assert not a["prorated"].any()


def test_compare_periods_checks_its_options():
    with pytest.raises(ValueError, match="reference_body 'z'"):
        compare_periods(_two_bodies(), reference_body="z")
    with pytest.raises(ValueError, match="fill must be one of"):
        compare_periods(_two_bodies(), reference_body="a", fill="interpolate")


def test_one_pair_of_prorated_figures_counts_once():
    """SYNTHETIC: two bodies' 2021 totals (400 and 800), both prorated to quarters, are one
    pair of published figures: four periods with log ratio log 2, but n = 1."""
    table = _table(
        [
            dict(tally_id="a-001", period_start="2021-01-01", period_end="2021-12-31", value=400),
            dict(
                tally_id="b-001",
                reporting_body="b",
                period_start="2021-01-01",
                period_end="2021-12-31",
                value=800,
            ),
        ]
    )
    result = compare_periods(table, reference_body="a", fill="prorate")
    b = result.periods.loc[result.periods["reporting_body"] == "b"]
    assert len(b) == 4 and b["prorated"].all()
    np.testing.assert_allclose(b["log_ratio"], np.log(2))
    assert (result.agreement["n"] == 1).all()
    ratio = result.agreement.set_index("statistic").loc["ratio", "estimate"]
    assert ratio == pytest.approx(2.0)


def test_an_incident_dated_by_most_of_its_figures():
    """SYNTHETIC: three figures date an incident 27-31 March; a fourth runs to 1 April. The
    incident's dates are the days most figures cover, so Q2's figure is not touched."""
    table = _quarterly()
    extra = _table(
        [
            dict(
                tally_id=f"c-00{i}",
                reporting_body="c",
                incident_id="village-2022-03",
                period_start="2022-03-27",
                period_end=end,
                value=300,
            )
            for i, end in enumerate(["2022-03-31", "2022-03-31", "2022-04-01"])
        ]
    )
    table = pd.concat([table, extra], ignore_index=True)
    s = tally_series(table, reporting_body="a", exclude_incidents=["village-2022-03"])
    q2 = s.set_index("period_start").loc["2022-04-01"]
    assert q2["count"] == 90 and pd.isna(q2["note"])
