"""compare_windows and bodies_before_after on SYNTHETIC tables (not real figures)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.compare import bodies_before_after, compare_windows, published_before_after
from analysis.harmonize.periods import tally_series
from analysis.trends import before_after, simulate_bounds
from tests.compare.synthetic import typed_tallies

QUARTERS = [
    ("2021-01-01", "2021-03-31"),
    ("2021-04-01", "2021-06-30"),
    ("2021-07-01", "2021-09-30"),
    ("2021-10-01", "2021-12-31"),
]


def _reference(values=(10, 20, 30, 40), **extra) -> list[dict]:
    """SYNTHETIC quarterly figures of the reference body "ref" for 2021."""
    return [
        dict(
            tally_id=f"ref-{i + 1:03d}",
            reporting_body="ref",
            source_id=f"ref-doc-{i + 1}",
            period_start=start,
            period_end=end,
            value=value,
            **extra,
        )
        for i, ((start, end), value) in enumerate(zip(QUARTERS, values, strict=True))
    ]


def _other(tally_id: str, start: str, end: str, value: int, **extra) -> dict:
    """A SYNTHETIC figure of the body "oth"."""
    return dict(
        tally_id=tally_id,
        reporting_body="oth",
        source_id="oth-doc",
        period_start=start,
        period_end=end,
        value=value,
        **extra,
    )


def _row(frame: pd.DataFrame, tally_id: str) -> pd.Series:
    found = frame.loc[frame["tally_id"] == tally_id]
    assert len(found) == 1, tally_id
    return found.iloc[0]


# ── compare_windows ────────────────────────────────────────────────────────────────


def test_sum_over_whole_quarters_adds_the_reference_figures():
    table = typed_tallies([*_reference(), _other("oth-001", "2021-01-01", "2021-06-30", 45)])
    row = _row(compare_windows(table, reference_body="ref"), "oth-001")
    assert bool(row["comparable"])
    assert pd.isna(row["reason"])
    assert row["reference_point"] == 30  # 10 + 20
    assert (row["reference_low"], row["reference_high"]) == (30, 30)
    assert row["ratio"] == pytest.approx(1.5)
    assert (row["ratio_low"], row["ratio_high"]) == pytest.approx((1.5, 1.5))
    assert row["reference_tally_ids"] == "ref-001;ref-002"
    assert row["coverage"] == 1.0
    assert row["reference_periods"] == 2 and row["prorated_periods"] == 0
    assert not bool(row["prorated"])


def test_sum_refuses_a_window_that_cuts_a_quarter_and_prorate_spreads_it():
    # 15 February to 15 May: 45 of Q1's 90 days and 45 of Q2's 91 days
    table = typed_tallies([*_reference(), _other("oth-001", "2021-02-15", "2021-05-15", 30)])
    summed = _row(compare_windows(table, reference_body="ref", method="sum"), "oth-001")
    assert not bool(summed["comparable"])
    assert "part-way through a quarter" in summed["reason"]
    assert math.isnan(summed["reference_point"])
    prorated = _row(compare_windows(table, reference_body="ref", method="prorate"), "oth-001")
    assert bool(prorated["comparable"]) and bool(prorated["prorated"])
    expected = 10 * 45 / 90 + 20 * 45 / 91
    assert prorated["reference_point"] == pytest.approx(expected)
    assert prorated["ratio"] == pytest.approx(30 / expected)
    assert prorated["prorated_periods"] == 2
    assert "Prorated by days: January–March 2021 (45 of 90 days)" in prorated["note"]


def test_prorated_sums_of_adjacent_windows_add_up_to_the_sum_over_their_union():
    rows = [
        *_reference(),
        _other("oth-001", "2021-02-10", "2021-08-20", 1),
        _other("oth-002", "2021-02-10", "2021-05-03", 1),
        _other("oth-003", "2021-05-04", "2021-08-20", 1),
    ]
    out = compare_windows(typed_tallies(rows), reference_body="ref", method="prorate")
    whole = _row(out, "oth-001")["reference_point"]
    parts = _row(out, "oth-002")["reference_point"] + _row(out, "oth-003")["reference_point"]
    assert whole == pytest.approx(parts)


def test_a_quarter_without_a_reference_figure_leaves_the_window_uncovered():
    reference = [r for r in _reference() if r["tally_id"] != "ref-003"]
    table = typed_tallies([*reference, _other("oth-001", "2021-04-01", "2021-12-31", 90)])
    row = _row(compare_windows(table, reference_body="ref"), "oth-001")
    assert not bool(row["comparable"])
    assert "July–September 2021" in row["reason"]
    assert row["coverage"] == pytest.approx((91 + 92) / 275)
    assert math.isnan(row["ratio"])


def test_qualifiers_give_intervals_and_open_ends_stay_open_unless_capped():
    reference = _reference()
    reference[0] |= {"qualifier": "at_least"}
    table = typed_tallies(
        [*reference, _other("oth-001", "2021-01-01", "2021-06-30", 100, qualifier="about")]
    )
    row = _row(compare_windows(table, reference_body="ref", about_width=0.1), "oth-001")
    assert (row["figure_low"], row["figure_high"]) == pytest.approx((90, 110))
    assert row["reference_low"] == 30 and math.isinf(row["reference_high"])
    assert bool(row["reference_open"])
    assert row["ratio_low"] == 0.0  # nothing bounds the reference sum above
    assert row["ratio_high"] == pytest.approx(110 / 30)
    capped = _row(compare_windows(table, reference_body="ref", open_width=0.5), "oth-001")
    assert capped["reference_high"] == pytest.approx(15 + 20)
    assert capped["ratio_low"] == pytest.approx(90 / 35)
    assert not bool(capped["reference_open"])


def test_an_open_figure_against_exact_figures_is_at_least_its_ratio():
    table = typed_tallies(
        [*_reference(), _other("oth-001", "2021-01-01", "2021-03-31", 25, qualifier="at_least")]
    )
    row = _row(compare_windows(table, reference_body="ref"), "oth-001")
    assert bool(row["figure_open"])
    assert row["ratio_low"] == pytest.approx(2.5) and math.isinf(row["ratio_high"])


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"measure": "events", "victim_group": "not_applicable"}, "counts events, not deaths"),
        ({"measure": "violations"}, "not deaths"),
        ({"victim_group": "suspected_militants"}, "not civilians"),
        ({"admin1": "Mopti"}, "part of the country (Mopti)"),
        ({"perpetrator_group": "jnim"}, "no quarterly figure of civilians killed by JNIM"),
    ],
)
def test_figures_that_do_not_count_the_same_thing_keep_a_row_with_the_reason(extra, words):
    table = typed_tallies(
        [*_reference(), _other("oth-001", "2021-01-01", "2021-03-31", 5, **extra)]
    )
    row = _row(compare_windows(table, reference_body="ref"), "oth-001")
    assert not bool(row["comparable"])
    assert words in row["reason"]
    assert row["reason"].endswith(".")
    assert math.isnan(row["ratio"])


def test_a_people_figure_is_compared_and_flagged_unless_people_are_left_out():
    table = typed_tallies(
        [*_reference(), _other("oth-001", "2021-01-01", "2021-03-31", 5, victim_group="people")]
    )
    row = _row(compare_windows(table, reference_body="ref"), "oth-001")
    assert bool(row["comparable"])
    assert "people of any status" in row["note"]
    apart = _row(
        compare_windows(table, reference_body="ref", victim_groups=["civilians"]), "oth-001"
    )
    assert not bool(apart["comparable"])
    assert "people" in apart["reason"]


def test_disagreeing_reference_copies_keep_their_range_and_no_point():
    copy = dict(_reference()[0], tally_id="ref-101", source_id="ref-copy", value=14)
    table = typed_tallies([*_reference(), copy, _other("oth-001", "2021-01-01", "2021-06-30", 45)])
    row = _row(compare_windows(table, reference_body="ref"), "oth-001")
    assert bool(row["comparable"])
    assert math.isnan(row["reference_point"]) and math.isnan(row["ratio"])
    assert (row["reference_low"], row["reference_high"]) == (30, 34)
    assert (row["ratio_low"], row["ratio_high"]) == pytest.approx((45 / 34, 45 / 30))
    assert "ref-101" in row["reference_tally_ids"] and "disagree" in row["note"]


def test_reference_figures_that_leave_an_incident_out_are_noted():
    reference = _reference()
    reference[0] |= {"excludes": "somewhere-2021-02"}
    table = typed_tallies([*reference, _other("oth-001", "2021-01-01", "2021-03-31", 5)])
    row = _row(compare_windows(table, reference_body="ref"), "oth-001")
    assert "leaves out somewhere-2021-02" in row["note"]


def test_incident_figures_and_the_reference_body_are_not_rows():
    incident = _other("oth-002", "2021-02-01", "2021-02-02", 9, incident_id="x-2021-02")
    table = typed_tallies(
        [*_reference(), _other("oth-001", "2021-01-01", "2021-03-31", 5), incident]
    )
    out = compare_windows(table, reference_body="ref")
    assert out["tally_id"].tolist() == ["oth-001"]


def test_options_are_checked():
    table = typed_tallies([*_reference(), _other("oth-001", "2021-01-01", "2021-03-31", 5)])
    with pytest.raises(ValueError, match="method"):
        compare_windows(table, reference_body="ref", method="spread")
    with pytest.raises(ValueError, match="nobody"):
        compare_windows(table, reference_body="ref", bodies=["nobody"])
    with pytest.raises(ValueError, match="reference_body"):
        compare_windows(table, reference_body="oth-none")
    with pytest.raises(ValueError, match="open_width"):
        compare_windows(table, reference_body="ref", open_width=-1)


# ── bodies_before_after ─────────────────────────────────────────────────────────────


def _series_body(values, qualifiers=None) -> list[dict]:
    """SYNTHETIC quarterly figures of the body "ser" from Q1 2021."""
    starts = pd.date_range("2021-01-01", periods=len(values), freq="QS")
    qualifiers = qualifiers or ["exact"] * len(values)
    return [
        dict(
            tally_id=f"ser-{i + 1:03d}",
            reporting_body="ser",
            source_id=f"ser-doc-{i + 1}",
            period_start=start,
            period_end=(start + pd.offsets.QuarterEnd(0)).normalize(),
            value=value,
            qualifier=qualifier,
        )
        for i, (start, value, qualifier) in enumerate(zip(starts, values, qualifiers, strict=True))
    ]


def _one_body(frame: pd.DataFrame, body: str) -> pd.Series:
    found = frame.loc[frame["reporting_body"] == body]
    assert len(found) == 1, body
    return found.iloc[0]


def test_a_regular_exact_series_gets_the_quasi_poisson_fit_of_before_after():
    table = typed_tallies(_series_body([30, 42, 35, 80, 95, 70]))
    row = _one_body(bodies_before_after(table, date="2021-10-01"), "ser")
    series = tally_series(table, reporting_body="ser", victim_group=["civilians", "people"])
    fit = before_after(series, date="2021-10-01", exposure="exposure_days").iloc[0]
    assert row["basis"] == "series" and row["interval"] == "95% CI"
    assert (row["ratio"], row["ratio_low"], row["ratio_high"]) == pytest.approx(
        (fit["estimate"], fit["ci_low"], fit["ci_high"])
    )
    assert row["rate_before"] == pytest.approx((30 + 42 + 35) / (90 + 91 + 92))
    assert row["rate_after"] == pytest.approx((80 + 95 + 70) / (92 + 90 + 91))
    assert (row["before_windows"], row["after_windows"]) == (3, 3)
    assert row["before_start"] == pd.Timestamp("2021-01-01")
    assert row["after_end"] == pd.Timestamp("2022-06-30")
    assert row["tally_ids"].split(";") == [f"ser-{i:03d}" for i in range(1, 7)]


def test_an_open_figure_in_the_series_gives_the_pooled_interval_of_simulate_bounds():
    qualifiers = ["exact", "exact", "exact", "at_least", "exact", "exact"]
    table = typed_tallies(_series_body([30, 42, 35, 80, 95, 70], qualifiers))
    row = _one_body(bodies_before_after(table, date="2021-10-01", n=200, seed=3), "ser")
    series = tally_series(table, reporting_body="ser", victim_group=["civilians", "people"])
    pooled = simulate_bounds(series, date="2021-10-01", n=200, seed=3).summary_frame().iloc[0]
    assert row["interval"] == "95% CI (pooled over qualifier draws)"
    assert row["ratio"] == pytest.approx(pooled["estimate"])
    assert (row["ratio_low"], row["ratio_high"]) == pytest.approx(
        (pooled["ci_low"], pooled["ci_high"])
    )
    assert math.isinf(row["rate_after_high"])
    assert row["rate_after_low"] == pytest.approx((80 + 95 + 70) / (92 + 90 + 91))


def test_a_quarter_holding_the_date_counts_as_before_and_is_noted():
    table = typed_tallies(_series_body([30, 42, 35, 80, 95, 70]))
    row = _one_body(bodies_before_after(table, date="2021-12-01"), "ser")
    assert row["before_windows"] == 4 and row["after_windows"] == 2
    assert "October–December 2021 holds 1 December 2021" in row["note"]


def test_two_windows_of_one_document_give_the_qualifier_range_only():
    rows = [
        dict(tally_id="pair-001", reporting_body="pair", source_id="pair-doc",
             period_start="2020-12-01", period_end="2021-11-30", value=500, qualifier="about"),
        dict(tally_id="pair-002", reporting_body="pair", source_id="pair-doc",
             period_start="2021-12-01", period_end="2023-01-15", value=2000,
             qualifier="more_than"),
    ]  # fmt: skip
    table = typed_tallies(rows)
    row = _one_body(bodies_before_after(table, date="2021-12-01"), "pair")
    assert row["basis"] == "two windows" and row["interval"] == "qualifier range"
    assert row["ratio"] == pytest.approx((2000 / 411) / (500 / 365))
    assert row["ratio_low"] == pytest.approx((2000 / 411) / (550 / 365))
    assert math.isinf(row["ratio_high"])
    assert math.isnan(row["p_value"])
    assert (row["rate_before_low"], row["rate_before_high"]) == pytest.approx(
        (450 / 365, 550 / 365)
    )
    assert row["tally_ids"] == "pair-001;pair-002"
    pair = published_before_after(table, date="2021-12-01").iloc[0]
    assert (pair["before_low"], pair["before_high"], pair["after_days"]) == (450, 550, 411)


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (
            [dict(tally_id="inc-001", reporting_body="inc", period_start="2022-03-27",
                  period_end="2022-03-31", value=30, incident_id="x-2022-03")],
            "single incidents only",
        ),
        (
            [dict(tally_id="aft-001", reporting_body="aft", period_start="2022-01-01",
                  period_end="2022-06-30", value=30),
             dict(tally_id="aft-002", reporting_body="aft", period_start="2021-07-01",
                  period_end="2022-06-30", value=60)],
            "1 runs across it; none ends before it",
        ),
        (
            [dict(tally_id="two-001", reporting_body="two", source_id="doc-a",
                  period_start="2021-01-01", period_end="2021-06-30", value=30),
             dict(tally_id="two-002", reporting_body="two", source_id="doc-b",
                  period_start="2022-01-01", period_end="2022-06-30", value=60)],
            "not in one document",
        ),
        (
            [dict(tally_id="evt-001", reporting_body="evt", period_start="2021-01-01",
                  period_end="2022-06-30", value=30, measure="events",
                  victim_group="not_applicable")],
            "does not count civilians or people killed",
        ),
    ],
)  # fmt: skip
def test_a_body_without_a_ratio_says_why_in_one_sentence(rows, words):
    table = typed_tallies(rows)
    body = rows[0]["reporting_body"]
    row = _one_body(bodies_before_after(table, date="2021-12-01"), body)
    assert row["basis"] == "none"
    assert math.isnan(row["ratio"]) and pd.isna(row["interval"])
    assert words in row["note"]


def test_bodies_before_after_checks_its_options():
    table = typed_tallies(_series_body([30, 42, 35, 80]))
    with pytest.raises(ValueError, match="nobody"):
        bodies_before_after(table, date="2021-10-01", bodies=["nobody"])
    with pytest.raises(ValueError, match="min_periods"):
        bodies_before_after(table, date="2021-10-01", min_periods=2)
    with pytest.raises(ValueError, match="freq"):
        bodies_before_after(table, date="2021-10-01", freq="W")
    out = bodies_before_after(table, date="2021-10-01", bodies=["ser"])
    assert out["reporting_body"].tolist() == ["ser"]
    assert np.isfinite(out["ratio"]).all()
