"""before_after and share_change. All series here are synthetic."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import DataError, before_after, rate_ratio, share_change


def quarterly(counts, start="2020-01-01", days=None):
    """A synthetic quarterly series."""
    starts = pd.date_range(start, periods=len(counts), freq="QS")
    frame = pd.DataFrame({"period_start": starts, "count": counts})
    frame["exposure_days"] = (
        (starts + pd.offsets.QuarterBegin(startingMonth=1) - starts).days if days is None else days
    )
    return frame


COUNTS = [40, 55, 38, 61, 47, 52, 90, 120, 85, 140, 101, 97]  # synthetic
DATE = "2021-07-01"


def test_poisson_equals_ratio_of_totals_and_wald_log_interval():
    """With family="poisson" the step coefficient of log E[y] = log e + b0 + b1 after is
    the log of the ratio of the totals, and its Wald interval is the log-Wald interval of
    two Poisson counts, exp(log RR +/- z sqrt(1/C_a + 1/C_b)) (the closed form of the
    two-group Poisson GLM). Cross-checked against rate_ratio(method="wald-log").
    Tolerance: 1e-7 relative (IRLS convergence)."""
    s = quarterly(COUNTS)
    got = before_after(s, date=DATE, exposure="exposure_days", family="poisson").iloc[0]
    after = s["period_start"] >= DATE
    c_a, c_b = s.loc[after, "count"].sum(), s.loc[~after, "count"].sum()
    e_a, e_b = s.loc[after, "exposure_days"].sum(), s.loc[~after, "exposure_days"].sum()
    ref = rate_ratio(c_a, e_a, c_b, e_b, method="wald-log").iloc[0]
    assert got["estimate"] == pytest.approx((c_a / e_a) / (c_b / e_b), rel=1e-7)
    assert got["ci_low"] == pytest.approx(ref["ci_low"], rel=1e-7)
    assert got["ci_high"] == pytest.approx(ref["ci_high"], rel=1e-7)
    assert got["p_value"] == pytest.approx(ref["p_value"], rel=1e-5)
    assert (got["periods_before"], got["periods_after"]) == (6, 6)
    assert got["rate_after"] == pytest.approx(c_a / e_a)


def test_quasipoisson_widens_by_root_dispersion_and_uses_t():
    """Quasi-Poisson standard errors are the Poisson ones times sqrt(Pearson chi2 / df)
    (McCullagh & Nelder 1989, section 4.5), and with the dispersion estimated the interval
    uses t with the residual degrees of freedom instead of the normal (R's summary.glm);
    the point estimate is unchanged."""
    from scipy import stats

    s = quarterly(COUNTS)
    p = before_after(s, date=DATE, family="poisson").iloc[0]
    q = before_after(s, date=DATE, family="quasipoisson").iloc[0]
    assert q["estimate"] == pytest.approx(p["estimate"], rel=1e-9)
    width_p = math.log(p["ci_high"] / p["ci_low"])
    width_q = math.log(q["ci_high"] / q["ci_low"])
    t_over_z = stats.t.isf(0.025, len(COUNTS) - 2) / stats.norm.isf(0.025)
    assert width_q / width_p == pytest.approx(math.sqrt(q["dispersion"]) * t_over_z, rel=1e-6)
    assert q["dispersion"] > 1
    assert (p["reference"], q["reference"]) == ("normal", f"t({len(COUNTS) - 2})")


def test_negbin_on_overdispersed_series():
    """On strongly overdispersed synthetic counts the negative binomial interval is wider
    than the Poisson one, and the estimated NB2 dispersion is positive."""
    rng = np.random.default_rng(3)
    mean = np.r_[np.full(12, 20.0), np.full(12, 40.0)]
    counts = rng.negative_binomial(2, 2 / (2 + mean))
    s = pd.DataFrame(
        {"period_start": pd.date_range("2019-01-01", periods=24, freq="MS"), "count": counts}
    )
    nb = before_after(s, date="2020-01-01", family="negbin").iloc[0]
    po = before_after(s, date="2020-01-01", family="poisson").iloc[0]
    assert nb["converged"]
    assert nb["dispersion"] > 0.1
    assert nb["ci_high"] / nb["ci_low"] > po["ci_high"] / po["ci_low"]
    assert nb["ci_low"] < nb["estimate"] < nb["ci_high"]


def test_window_keeps_the_periods_next_to_the_date():
    s = quarterly(COUNTS)
    got = before_after(s, date=DATE, window=2, family="poisson").iloc[0]
    assert (got["periods_before"], got["periods_after"]) == (2, 2)
    assert got["count_before"] == 47 + 52 and got["count_after"] == 90 + 120


def test_missing_counts_are_dropped():
    counts = list(COUNTS)
    counts[3] = np.nan
    got = before_after(quarterly(counts), date=DATE, family="poisson").iloc[0]
    assert got["periods_before"] == 5
    assert got["count_before"] == sum(COUNTS[:6]) - COUNTS[3]


def test_validation():
    s = quarterly(COUNTS)
    with pytest.raises(ValueError, match="family must be one of"):
        before_after(s, date=DATE, family="binomial")
    with pytest.raises(ValueError, match="both sides"):
        before_after(s, date="2030-01-01")
    with pytest.raises(DataError, match="column 'deaths' not found"):
        before_after(s, date=DATE, count="deaths")
    bad = s.assign(count=s["count"].astype(float))
    bad.loc[2, "count"] = -1
    with pytest.raises(DataError, match="non-negative whole"):
        before_after(bad, date=DATE)
    with pytest.raises(ValueError, match="window"):
        before_after(s, date=DATE, window=0)


def test_share_change_matches_newcombe():
    """Newcombe's hybrid score interval for a difference of proportions, 7/34 vs 1/34:
    (0.019, 0.34) as tabulated in Fagerland, Lydersen & Laake (2015), Stat Methods Med Res
    24:224 (also checked in statsmodels' test_proportion.py). Here group "a" has 7 of 34
    events after and 1 of 34 before. Tolerance: 0.005 absolute (the table's rounding)."""
    out = share_change({"a": 1, "b": 33}, {"a": 7, "b": 27}).set_index("group")
    assert out.loc["a", "estimate"] == pytest.approx(6 / 34)
    assert out.loc["a", "ci_low"] == pytest.approx(0.019, abs=0.005)
    assert out.loc["a", "ci_high"] == pytest.approx(0.34, abs=0.005)
    assert out["estimate"].sum() == pytest.approx(0.0, abs=1e-12)
    assert out.loc["a", "p_value"] < 0.05


def test_share_change_fills_missing_groups_and_validates():
    out = share_change(pd.Series({"jnim": 10, "state_forces": 5}), {"wagner": 4, "jnim": 6})
    row = out.set_index("group").loc["wagner"]
    assert row["count_before"] == 0 and row["share_after"] == pytest.approx(0.4)
    with pytest.raises(ValueError, match="both periods need events"):
        share_change({"a": 0}, {"a": 3})
    with pytest.raises(ValueError, match="whole counts"):
        share_change({"a": -1}, {"a": 3})


# ---------------------------------------------------------------------------------------
# the shipped evidence table: MINUSMA's quarterly civilian deaths around Wagner's arrival
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minusma():
    from analysis import load_interventions, load_tallies, tally_series

    tallies = load_tallies()
    interventions = load_interventions()
    series = tally_series(
        tallies, reporting_body="minusma", victim_group=("civilians", "people"), conflict="range"
    )
    default = interventions.loc[interventions["is_default"].astype(bool), "date"].iloc[0]
    return tallies, interventions, series, pd.Timestamp(default)


def test_shipped_minusma_before_after(minusma):
    """Poisson before/after on the shipped series equals the ratio of the totals summed
    here straight from the series rows (NA periods left out), and every family gives an
    interval around the same point estimate."""
    _, _, series, arrival = minusma
    assert arrival == pd.Timestamp("2021-12-01")
    known = series[series["count"].notna()]
    after = known["period_start"] >= arrival
    expected = (known.loc[after, "count"].sum() / known.loc[after, "exposure_days"].sum()) / (
        known.loc[~after, "count"].sum() / known.loc[~after, "exposure_days"].sum()
    )
    for family in ("poisson", "quasipoisson", "negbin"):
        row = before_after(series, date=arrival, exposure="exposure_days", family=family).iloc[0]
        assert row["ci_low"] < row["estimate"] < row["ci_high"], family
        assert row["periods_before"] == (~after).sum() and row["periods_after"] == after.sum()
        if family != "negbin":
            assert row["estimate"] == pytest.approx(expected, rel=1e-8), family


def test_shipped_minusma_alternative_dates(minusma):
    """Dates inside the same quarter split the quarterly series the same way, so give the
    same level change; dates after the last quarter are reported, not fitted."""
    from analysis import arrival_sensitivity

    _, interventions, series, _ = minusma
    dates = interventions["date"].tolist()
    out = arrival_sensitivity(series, dates=dates, exposure="exposure_days")
    assert len(out) == len(dates)
    quarter = pd.to_datetime(out["date"]).dt.to_period("Q")
    fitted = out[out["note"] == ""]
    assert len(fitted) >= 2
    for _, group in fitted.groupby(quarter[fitted.index]):
        assert group["estimate"].nunique() == 1
    late = out[pd.to_datetime(out["date"]) > series["period_start"].max()]
    assert late["estimate"].isna().all() and late["note"].str.contains("both sides").all()


def test_shipped_minusma_bounds_and_moura(minusma):
    """The qualifier-interval simulation on the shipped series: the published-point ratio
    and every draw lie between the extreme ratios, which are recomputed here from the
    series' count_low / count_high; leaving Moura out (incident moura-2022-03) runs
    through tally_series and never raises the number of usable periods."""
    from analysis import simulate_bounds, tally_series

    tallies, _, series, arrival = minusma
    res = simulate_bounds(series, date=arrival, n=400, return_draws=True)
    s = res.summary_frame().iloc[0]
    used = series[series["count_low"].notna()]
    after = used["period_start"] >= arrival
    high = used["count_high"].where(~np.isinf(used["count_high"]), used["count_low"] * 1.5)
    d_a, d_b = used.loc[after, "exposure_days"].sum(), used.loc[~after, "exposure_days"].sum()
    low_ratio = (used.loc[after, "count_low"].sum() / d_a) / (high[~after].sum() / d_b)
    high_ratio = (high[after].sum() / d_a) / (used.loc[~after, "count_low"].sum() / d_b)
    assert s["low_estimate"] == pytest.approx(low_ratio)
    assert s["high_estimate"] == pytest.approx(high_ratio)
    assert low_ratio <= res.draws.min() and res.draws.max() <= high_ratio
    assert low_ratio <= s["point_estimate"] <= high_ratio
    assert len(res.dropped) == series["count_low"].isna().sum()
    without = tally_series(
        tallies,
        reporting_body="minusma",
        victim_group=("civilians", "people"),
        conflict="range",
        exclude_incidents=["moura-2022-03"],
    )
    q1 = without.loc[without["period_start"] == "2022-01-01"].iloc[0]
    assert pd.isna(q1["count_low"]) or "moura-2022-03" in str(q1["note"])
    a = before_after(series, date=arrival, exposure="exposure_days", family="poisson").iloc[0]
    b = before_after(without, date=arrival, exposure="exposure_days", family="poisson").iloc[0]
    assert b["periods_after"] <= a["periods_after"]
