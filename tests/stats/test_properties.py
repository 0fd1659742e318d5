"""Property tests (hypothesis) and the seeded coverage simulation of its_fit.

All data here are synthetic.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import before_after, its_fit, rate_ratio

counts = st.integers(min_value=1, max_value=500)
exposures = st.floats(min_value=0.5, max_value=1000, allow_nan=False, allow_infinity=False)
methods = st.sampled_from(["exact-cond", "cond-midp", "score", "wald", "wald-log"])


@settings(max_examples=40, deadline=None)
@given(counts, exposures, counts, exposures, st.integers(min_value=2, max_value=20), methods)
def test_scaling_counts_leaves_the_ratio_unchanged(x1, t1, x2, t2, k, method):
    """Multiplying both counts by k leaves the estimate unchanged and narrows the
    interval around it (more events, same rates)."""
    a = rate_ratio(x1, t1, x2, t2, method=method).iloc[0]
    b = rate_ratio(k * x1, t1, k * x2, t2, method=method).iloc[0]
    assert b["estimate"] == pytest.approx(a["estimate"], rel=1e-12)
    assert b["ci_low"] <= b["estimate"] <= b["ci_high"]
    bounded = all(np.isfinite(r["ci_high"]) and r["ci_low"] > 0 for r in (a, b))
    if bounded:
        assert math.log(b["ci_high"] / b["ci_low"]) <= math.log(a["ci_high"] / a["ci_low"]) + 1e-9


@settings(max_examples=40, deadline=None)
@given(counts, exposures, counts, exposures, st.floats(min_value=0.01, max_value=100))
def test_scaling_exposure_units_leaves_the_ratio_unchanged(x1, t1, x2, t2, c):
    """Days or years: measuring both exposures in another unit changes nothing."""
    a = rate_ratio(x1, t1, x2, t2).iloc[0]
    b = rate_ratio(x1, c * t1, x2, c * t2).iloc[0]
    for col in ("estimate", "ci_low", "ci_high", "p_value"):
        assert b[col] == pytest.approx(a[col], rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(counts, exposures, counts, exposures)
def test_swapping_the_periods_inverts_the_ratio(x1, t1, x2, t2):
    a = rate_ratio(x1, t1, x2, t2).iloc[0]
    b = rate_ratio(x2, t2, x1, t1).iloc[0]
    assert b["estimate"] == pytest.approx(1 / a["estimate"], rel=1e-12)
    assert b["ci_low"] == pytest.approx(1 / a["ci_high"], rel=1e-9)
    assert b["p_value"] == pytest.approx(a["p_value"], rel=1e-9)


series_counts = st.lists(st.integers(min_value=1, max_value=200), min_size=8, max_size=16)


def _series(values):
    return pd.DataFrame(
        {
            "period_start": pd.date_range("2020-01-01", periods=len(values), freq="QS"),
            "count": values,
            "days": 91.0,
        }
    )


@settings(max_examples=25, deadline=None)
@given(series_counts, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(values, rnd):
    """Shuffling the rows of the series changes neither before_after nor its_fit."""
    s = _series(values)
    date = s["period_start"].iloc[len(values) // 2]
    order = list(range(len(s)))
    rnd.shuffle(order)
    shuffled = s.iloc[order]
    a = before_after(s, date=date, family="poisson")
    b = before_after(shuffled, date=date, family="poisson")
    pd.testing.assert_frame_equal(a, b)
    fa = its_fit(s, date=date, exposure="days").summary_frame()
    fb = its_fit(shuffled, date=date, exposure="days").summary_frame()
    pd.testing.assert_frame_equal(fa, fb)


@settings(max_examples=25, deadline=None)
@given(series_counts, st.integers(min_value=0, max_value=7), st.floats(0.05, 0.95))
def test_splitting_a_period_leaves_the_before_after_ratio_unchanged(values, i, share):
    """A period split in two (its count and its exposure divided between the halves,
    every other row kept) leaves the Poisson before/after ratio of totals unchanged."""
    s = _series(values)
    date = s["period_start"].iloc[len(values) // 2]
    whole = before_after(s, date=date, exposure="days", family="poisson").iloc[0]
    row = s.iloc[i]
    first = round(row["count"] * share)
    halves = pd.DataFrame(
        {
            "period_start": [row["period_start"], row["period_start"] + pd.Timedelta(days=40)],
            "count": [first, row["count"] - first],
            "days": [40.0, row["days"] - 40.0],
        }
    )
    split = pd.concat([s.drop(index=s.index[i]), halves], ignore_index=True)
    got = before_after(split, date=date, exposure="days", family="poisson").iloc[0]
    assert got["estimate"] == pytest.approx(whole["estimate"], rel=1e-9)
    assert got["count_before"] + got["count_after"] == sum(values)


def test_its_interval_coverage_on_planted_level_change():
    """Seeded simulation: 200 monthly series of 48 months (Poisson counts, baseline 30,
    trend 0.5% a month, seasonality, a planted level change of 1.4 at month 24). The 95%
    quasi-Poisson interval of level_change covers 1.4 in between 90% and 99% of the runs
    (binomial sd of the coverage with 200 runs: 1.5 points), and the mean log estimate is
    within 0.02 of log(1.4)."""
    rng = np.random.default_rng(20211201)
    t = np.arange(48)
    starts = pd.date_range("2019-01-01", periods=48, freq="MS")
    mu = 30 * np.exp(0.005 * t + 0.2 * np.sin(2 * np.pi * t / 12)) * np.where(t >= 24, 1.4, 1)
    covered, logs = 0, []
    for _ in range(200):
        s = pd.DataFrame({"period_start": starts, "count": rng.poisson(mu)})
        row = its_fit(s, date="2021-01-01", seasonality=1).summary_frame().loc["level_change"]
        covered += row["ci_low"] <= 1.4 <= row["ci_high"]
        logs.append(row["coef"])
    assert 0.90 <= covered / 200 <= 0.99
    assert abs(np.mean(logs) - math.log(1.4)) < 0.02


@pytest.mark.parametrize(
    "module",
    [
        "analysis.trends.rates",
        "analysis.trends.series",
        "analysis.trends.its",
        "analysis.trends.bounds",
        "analysis.mse",
        "analysis.trends.robustness",
    ],
)
def test_docstring_examples(module):
    """The Examples sections of the docstrings run and print what they say."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
