"""its_fit, arrival_sensitivity, placebo_dates. All series here are synthetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import DataError, arrival_sensitivity, its_fit, placebo_dates


def monthly(n=48, *, level=1.5, slope=0.0, base=40.0, trend=0.005, start="2019-01-01", seed=0):
    """Synthetic monthly Poisson counts with a planted change at month 24."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    after = t >= 24
    mu = base * np.exp(trend * t) * np.where(after, level, 1.0) * np.exp(slope * (t - 24) * after)
    return pd.DataFrame(
        {
            "period_start": pd.date_range(start, periods=n, freq="MS"),
            "count": rng.poisson(mu),
            "days": pd.date_range(start, periods=n, freq="MS").days_in_month,
        }
    )


DATE = "2021-01-01"  # month 24 of a series starting 2019-01


def test_recovers_noise_free_change_exactly():
    """Counts that follow the model (no noise, rounded to whole numbers) give back the
    planted trend, level change and slope change. Tolerance: 1e-4 relative."""
    t = np.arange(36)
    after = t >= 12
    mu = 100 * np.exp(0.01 * t) * np.where(after, 0.6, 1) * np.exp(0.02 * (t - 12) * after)
    starts = pd.date_range("2020-01-01", periods=36, freq="MS")
    s = pd.DataFrame({"period_start": starts, "count": mu})
    with pytest.raises(DataError, match="whole numbers"):  # counts must be counts
        its_fit(s, date="2021-01-01")
    s["count"] = np.round(mu * 1000)  # large counts: rounding error below 1e-4
    fit = its_fit(s, date="2021-01-01", slope_change=True, family="poisson")
    table = fit.summary_frame()
    assert table.loc["trend", "estimate"] == pytest.approx(np.exp(0.01), rel=1e-4)
    assert table.loc["level_change", "estimate"] == pytest.approx(0.6, rel=1e-4)
    assert table.loc["slope_change", "estimate"] == pytest.approx(np.exp(0.02), rel=1e-4)


def test_agrees_with_direct_statsmodels_glm():
    """The same design fitted directly with statsmodels' GLM (Poisson, offset log days,
    scale="X2") gives the same level change and standard error. Tolerance: 1e-8."""
    import statsmodels.api as sm

    s = monthly(seed=1)
    fit = its_fit(s, date=DATE, exposure="days", seasonality=1)
    t = np.arange(48.0)
    X = np.column_stack(
        [np.ones(48), t, (t >= 24) * 1.0, np.sin(2 * np.pi * t / 12), np.cos(2 * np.pi * t / 12)]
    )
    ref = sm.GLM(
        s["count"], X, family=sm.families.Poisson(), offset=np.log(s["days"].to_numpy(float))
    ).fit(scale="X2")
    row = fit.summary_frame().loc["level_change"]
    assert row["coef"] == pytest.approx(ref.params.iloc[2], rel=1e-8)
    assert row["se"] == pytest.approx(ref.bse.iloc[2], rel=1e-8)
    assert list(fit.summary_frame().index) == ["baseline", "trend", "level_change", "sin1", "cos1"]


def test_gaps_keep_the_time_index():
    """Dropping a quarter (NaN count) must not shift the trend: the fit on the series with
    a gap equals the fit on the series without that row."""
    s = monthly(seed=2)
    gap = s.copy()
    gap.loc[10, "count"] = np.nan
    without = s.drop(index=10)
    a = its_fit(gap, date=DATE).summary_frame()
    b = its_fit(without, date=DATE).summary_frame()
    pd.testing.assert_frame_equal(a, b)
    assert its_fit(gap, date=DATE).frame["period"].tolist()[10] == 11


def test_quarterly_series_and_seasonality_limit():
    q = pd.DataFrame(
        {"period_start": pd.date_range("2018-01-01", periods=20, freq="QS"), "count": range(20, 40)}
    )
    fit = its_fit(q, date="2021-01-01", seasonality=2)
    assert fit.periods_per_year == 4
    assert "cos2" in fit.terms and "sin2" not in fit.terms  # Nyquist sine is zero
    with pytest.raises(ValueError, match="seasonality=3"):
        its_fit(q, date="2021-01-01", seasonality=3)


def test_counterfactual_and_diagnostics():
    s = monthly(level=2.0, seed=4)
    fit = its_fit(s, date=DATE, exposure="days")
    cf = fit.counterfactual()
    before = ~cf["after"].astype(bool)
    np.testing.assert_allclose(cf.loc[before, "counterfactual"], cf.loc[before, "fitted"])
    ratio = (cf.loc[~before, "fitted"] / cf.loc[~before, "counterfactual"]).to_numpy()
    np.testing.assert_allclose(ratio, fit.summary_frame().loc["level_change", "estimate"])
    assert (cf["cf_ci_low"] <= cf["counterfactual"]).all()
    assert (cf["counterfactual"] <= cf["cf_ci_high"]).all()
    d = fit.diagnostics().iloc[0]
    assert d["n_obs"] == 48 and d["df_resid"] == 45
    assert 0 < d["lb_p_value"] <= 1 and 0 < d["durbin_watson"] < 4
    assert d["dispersion"] == pytest.approx(fit.dispersion)


def test_negbin_and_hac_run():
    s = monthly(seed=5)
    nb = its_fit(s, date=DATE, family="negbin")
    assert nb.nb_alpha is not None and nb.nb_alpha >= 0
    hac = its_fit(s, date=DATE, cov_type="HAC")
    plain = its_fit(s, date=DATE)
    lc = "level_change"
    assert hac.summary_frame().loc[lc, "coef"] == pytest.approx(
        plain.summary_frame().loc[lc, "coef"]
    )
    assert hac.summary_frame().loc[lc, "se"] != pytest.approx(plain.summary_frame().loc[lc, "se"])


def test_validation_messages():
    s = monthly()
    with pytest.raises(ValueError, match="both sides"):
        its_fit(s, date="2030-01-01")
    with pytest.raises(ValueError, match="needs at least 5 observed periods; the series has 4"):
        its_fit(s.iloc[22:26], date=DATE)
    with pytest.raises(ValueError, match="family must be one of"):
        its_fit(s, date=DATE, family="gaussian")
    with pytest.raises(ValueError, match="cov_type must be one of"):
        its_fit(s, date=DATE, cov_type="HC0")
    with pytest.raises(ValueError, match="slope_change needs at least 2"):
        its_fit(s.iloc[:25], date=DATE, slope_change=True)
    weekly = s.assign(period_start=pd.date_range("2019-01-01", periods=48, freq="W"))
    with pytest.raises(ValueError, match="monthly, quarterly"):
        its_fit(weekly, date="2019-06-01")


def test_arrival_sensitivity_and_placebo():
    s = monthly(level=2.0, seed=6)
    dates = ["2020-07-01", "2021-01-01", "2021-07-01", "2031-01-01"]
    out = arrival_sensitivity(s, dates=dates)
    assert list(out["date"]) == [pd.Timestamp(d) for d in dates]
    best = out.loc[out["estimate"].idxmax(), "date"]
    assert best == pd.Timestamp("2021-01-01")  # the planted date gives the largest step
    assert np.isnan(out["estimate"].iloc[-1]) and "both sides" in out["note"].iloc[-1]
    pl = placebo_dates(s, dates=["2019-10-01", "2020-04-01"], actual_date=DATE)
    assert pl["placebo"].all()
    assert (pl["ci_low"] < 2.0).all()
    assert (pl["periods_before"] + pl["periods_after"] == 24).all()
    with pytest.raises(ValueError, match="before actual_date"):
        placebo_dates(s, dates=["2021-06-01"], actual_date=DATE)
    with pytest.raises(TypeError, match="dates="):
        arrival_sensitivity(s, dates=dates, date=DATE)


def test_placebo_grid():
    """Placebo dates are observed pre-period starts leaving min_before periods before and
    min_after up to the date; a gap (NA count) is skipped."""
    from analysis.trends import placebo_grid

    s = monthly(n=30, seed=7)
    s.loc[5, "count"] = np.nan
    grid = placebo_grid(s, date=DATE, min_before=3, min_after=2)
    starts = s.loc[s["count"].notna() & (s["period_start"] < DATE), "period_start"].tolist()
    assert grid == starts[3:-1]
    assert pd.Timestamp("2019-06-01") not in grid
    assert placebo_grid(s.iloc[:2], date=DATE) == []
    out = placebo_dates(s, dates=grid[:3], actual_date=DATE)
    assert out["note"].eq("").all()
    empty = placebo_dates(s, dates=[], actual_date=DATE)
    assert empty.empty and {"date", "estimate", "ci_low", "ci_high", "placebo"} <= set(empty)
