"""simulate_bounds on small synthetic tally series (not real figures)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import DataError, simulate_bounds


def series(qualifiers, values, *, incidents=None, lows=None, highs=None):
    """A synthetic quarterly tally series: 2021 Q1-Q4 before, 2022 Q1-Q4 after."""
    starts = pd.date_range("2021-01-01", periods=len(values), freq="QS")
    ends = starts + pd.offsets.QuarterEnd(0)
    n = len(values)
    return pd.DataFrame(
        {
            "tally_id": [f"t{i}" for i in range(n)],
            "incident_id": pd.array(incidents or [None] * n, dtype="string"),
            "period_start": starts,
            "period_end": ends,
            "qualifier": pd.Categorical(qualifiers),
            "value": pd.array(values, dtype="Int64"),
            "value_low": pd.array(lows or [None] * n, dtype="Int64"),
            "value_high": pd.array(highs or [None] * n, dtype="Int64"),
            "line": range(2, n + 2),
        }
    )


DATE = "2022-01-01"


def days(start, end):
    return (pd.Timestamp(end) - pd.Timestamp(start)).days + 1


def test_exact_figures_give_the_published_ratio_with_no_spread():
    """Exact figures: every draw equals the ratio of the published values, computed here by
    hand from the days covered (365 before, 365 after); the qualifier range has no width."""
    t = series(["exact"] * 8, [10, 20, 30, 40, 50, 60, 70, 80])
    s = simulate_bounds(t, date=DATE, n=50).summary_frame().iloc[0]
    expected = (260 / 365) / (100 / 365)
    for col in ("estimate", "qualifier_median", "qualifier_low", "qualifier_high"):
        assert s[col] == pytest.approx(expected, rel=1e-12)
    assert s["point_estimate"] == pytest.approx(expected, rel=1e-12)
    assert s["share_above_1"] == 1.0
    assert (s["rows_before"], s["rows_after"]) == (4, 4)
    assert s["between_variance"] == 0 and s["fraction_missing_information"] == 0


def test_exact_figures_give_the_before_after_interval():
    """With nothing to draw, Rubin's pooled interval is the complete-data one: the
    quasi-Poisson interval of before_after on the same periods, with its t(k - 2)
    reference (Barnard & Rubin's df equals the complete-data df when B = 0 only up to
    their (k + 1) / (k + 3) factor, so the df is compared as such). Tolerance 1e-5 (the
    iterative fit of before_after against the closed form)."""
    from scipy import stats

    from analysis import before_after

    t = series(["exact"] * 8, [10, 20, 30, 45, 50, 61, 70, 80])
    s = simulate_bounds(t, date=DATE, n=20).summary_frame().iloc[0]
    frame = pd.DataFrame(
        {
            "period_start": t["period_start"],
            "count": t["value"].astype(float),
            "days": (t["period_end"] - t["period_start"]).dt.days + 1,
        }
    )
    ref = before_after(frame, date=DATE, exposure="days", family="quasipoisson").iloc[0]
    assert s["estimate"] == pytest.approx(ref["estimate"], rel=1e-9)
    se = np.log(ref["ci_high"] / ref["estimate"]) / stats.t.isf(0.025, 6)
    assert s["within_variance"] == pytest.approx(se**2, rel=1e-5)
    assert s["df"] == pytest.approx(6 * 7 / 9, rel=1e-12)


def test_pooled_interval_is_wider_than_the_words_alone():
    """Qualifiers and sampling noise together: the pooled confidence interval contains the
    qualifier range and is wider; the fraction of missing information lies in (0, 1)."""
    t = series(["about"] * 4 + ["at_least"] * 4, [100, 130, 90, 120, 150, 210, 170, 160])
    s = simulate_bounds(t, date=DATE, n=500, seed=3).summary_frame().iloc[0]
    assert s["ci_low"] < s["qualifier_low"] < s["qualifier_high"] < s["ci_high"]
    assert 0 < s["fraction_missing_information"] < 1
    assert s["family"] == "quasipoisson" and s["note"] == ""


def test_two_figures_give_only_the_qualifier_range():
    """One figure a side cannot estimate overdispersion: no confidence interval, a note."""
    t = series(["exact", "exact", "exact", "exact", "at_least"], [10, 10, 10, 10, 80]).iloc[3:]
    s = simulate_bounds(t, date=DATE, n=50).summary_frame().iloc[0]
    assert np.isnan(s["ci_low"]) and np.isnan(s["estimate"])
    assert "at least 3 figures" in s["note"]
    assert s["qualifier_low"] >= (80 / 365) / (10 / 92)


def test_at_least_after_and_about_before_bounds():
    """ "at least" figures after the date can only raise the ratio: every draw lies between
    the ratio of published values and the ratio with the cap (1 + open_width) v; "about"
    figures spread both ways by about_width. The extremes are computed by hand."""
    t = series(["about"] * 4 + ["at_least"] * 4, [100] * 4 + [150] * 4)
    res = simulate_bounds(t, date=DATE, n=2000, seed=1, open_width=0.5, return_draws=True)
    s = res.summary_frame().iloc[0]
    d_b, d_a = days("2021-01-01", "2021-12-31"), days("2022-01-01", "2022-12-31")
    low = (600 / d_a) / (440 / d_b)
    high = (900 / d_a) / (360 / d_b)
    assert s["low_estimate"] == pytest.approx(low)
    assert s["high_estimate"] == pytest.approx(high)
    assert low <= res.draws.min() and res.draws.max() <= high
    assert s["point_estimate"] == pytest.approx((600 / d_a) / (400 / d_b))
    assert s["qualifier_median"] > s["point_estimate"]  # "at least" pulls the ratio up
    assert s["qualifier_low"] < s["qualifier_median"] < s["qualifier_high"]
    wider = simulate_bounds(t, date=DATE, n=2000, seed=1, open_width=1.0).summary_frame()
    assert wider["qualifier_high"].iloc[0] > s["qualifier_high"]


def test_seed_reproducible_and_changes_with_seed():
    t = series(["about"] * 8, [100, 90, 80, 70, 120, 130, 140, 150])
    a = simulate_bounds(t, date=DATE, seed=7, return_draws=True)
    b = simulate_bounds(t, date=DATE, seed=7, return_draws=True)
    c = simulate_bounds(t, date=DATE, seed=8, return_draws=True)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    assert a.draws.shape == (1000,)
    assert simulate_bounds(t, date=DATE).draws is None


def test_between_and_up_to():
    t = series(
        ["between", "up_to", "exact", "exact", "exact", "exact", "exact", "exact"],
        [None, 40, 10, 10, 10, 10, 10, 10],
        lows=[20, None, None, None, None, None, None, None],
        highs=[30, None, None, None, None, None, None, None],
    )
    res = simulate_bounds(t, date=DATE, n=10)
    rows = res.rows.set_index("tally_id")
    assert (rows.loc["t0", "low"], rows.loc["t0", "high"]) == (20, 30)
    assert (rows.loc["t1", "low"], rows.loc["t1", "high"]) == (0, 40)


def test_exclude_incidents_drops_rows_and_says_which():
    """Dropping the row of a named incident removes its figure and its days from its
    side; the result lists the dropped rows."""
    t = series(
        ["exact"] * 8,
        [10, 10, 10, 10, 400, 10, 10, 10],
        incidents=[None] * 4 + ["moura"] + [None] * 3,
    )
    full = simulate_bounds(t, date=DATE, n=10).summary_frame().iloc[0]
    res = simulate_bounds(t, date=DATE, n=10, exclude_incidents=["moura"])
    s = res.summary_frame().iloc[0]
    assert s["dropped_rows"] == 1 and s["rows_after"] == 3
    assert res.dropped["tally_id"].tolist() == ["t4"] and res.dropped["line"].tolist() == [6]
    d_b = days("2021-01-01", "2021-12-31")
    d_a = days("2022-04-01", "2022-12-31")
    assert s["point_estimate"] == pytest.approx((30 / d_a) / (40 / d_b))
    assert s["point_estimate"] < full["point_estimate"]


def test_errors_name_the_line():
    t = series(["exact"] * 8, [1] * 8)
    straddle = t.copy()
    straddle.loc[3, "period_end"] = pd.Timestamp("2022-02-28")
    with pytest.raises(DataError, match="straddles") as err:
        simulate_bounds(straddle, date=DATE, assign="strict")
    assert err.value.line == 5
    counted = simulate_bounds(straddle, date=DATE, n=10).summary_frame().iloc[0]
    assert counted["straddling_rows"] == 1 and counted["rows_before"] == 4
    with pytest.raises(ValueError, match="assign must be one of"):
        simulate_bounds(t, date=DATE, assign="end")
    overlap = t.copy()
    overlap.loc[1, "period_start"] = pd.Timestamp("2021-03-01")
    with pytest.raises(DataError, match="overlap"):
        simulate_bounds(overlap, date=DATE)
    with pytest.raises(ValueError, match="no rows after"):
        simulate_bounds(t.iloc[:4], date=DATE)
    with pytest.raises(ValueError, match="open_width"):
        simulate_bounds(t, date=DATE, open_width=-1)
    with pytest.raises(ValueError, match="n must be"):
        simulate_bounds(t, date=DATE, n=0)


def test_accepts_a_tally_series():
    """The output shape of tally_series (count, count_low, count_high, exposure_days; a
    missing period with NA counts; copies that disagree as a range): the missing period is
    dropped and listed, the range is drawn from, the point is its midpoint. Synthetic."""
    starts = pd.date_range("2021-01-01", periods=6, freq="QS")
    s = pd.DataFrame(
        {
            "period_start": starts,
            "period_end": starts + pd.offsets.QuarterEnd(0),
            "count": [100.0, np.nan, 100.0, np.nan, 200.0, 200.0],
            "count_low": [100.0, np.nan, 100.0, 180.0, 200.0, 200.0],
            "count_high": [100.0, np.nan, 100.0, 220.0, 200.0, np.inf],
            "exposure_days": [90, 91, 92, 92, 90, 91],
            "tally_ids": ["a", pd.NA, "c", "d;e", "f", "g"],
        }
    )
    res = simulate_bounds(s, date="2021-10-01", n=500, open_width=0.5, return_draws=True)
    out = res.summary_frame().iloc[0]
    assert res.dropped["period_start"].tolist() == [starts[1]]
    assert (out["rows_before"], out["rows_after"]) == (2, 3)
    assert (out["days_before"], out["days_after"]) == (182, 273)
    assert out["point_estimate"] == pytest.approx((600 / 273) / (200 / 182))
    assert out["low_estimate"] == pytest.approx((580 / 273) / (200 / 182))
    assert out["high_estimate"] == pytest.approx((720 / 273) / (200 / 182))
    assert out["low_estimate"] <= res.draws.min() <= res.draws.max() <= out["high_estimate"]
    with pytest.raises(ValueError, match="pass exclude_incidents to tally_series"):
        simulate_bounds(s, date="2021-10-01", exclude_incidents=["x"])


def test_series_without_a_count_column():
    """A series with only count_low / count_high (no published point): the point is the
    midpoint, or the lower end of an open interval. (It used to crash.)"""
    starts = pd.date_range("2021-01-01", periods=6, freq="QS")
    s = pd.DataFrame(
        {
            "period_start": starts,
            "period_end": starts + pd.offsets.QuarterEnd(0),
            "count_low": [100.0, 90.0, 110.0, 180.0, 200.0, 200.0],
            "count_high": [100.0, 110.0, 110.0, 220.0, 200.0, np.inf],
            "exposure_days": [90, 91, 92, 92, 90, 91],
        }
    )
    out = simulate_bounds(s, date="2021-10-01", n=200).summary_frame().iloc[0]
    assert out["point_estimate"] == pytest.approx((600 / 273) / (310 / 273))
    assert out["ci_low"] < out["estimate"] < out["ci_high"]
