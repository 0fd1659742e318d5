"""robustness: each rule and the verdict on synthetic quarterly series whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import change_point_scan, pretrend_projection, robustness
from analysis.trends import RULES

DATE = "2021-10-01"  # quarter 7 of a series starting 2020-01 (7 before, 5 after)
WIGGLE = np.array([1.02, 0.97, 1.01, 0.99, 1.03, 0.98, 1.0, 1.01, 0.99, 1.02, 0.98, 1.0])


def quarterly(counts) -> pd.DataFrame:
    """A synthetic quarterly series starting 2020Q1."""
    return pd.DataFrame(
        {
            "period_start": pd.date_range("2020-01-01", periods=len(counts), freq="QS"),
            "count": np.round(np.asarray(counts, dtype=float)),
        }
    )


def findings(result) -> dict[str, bool]:
    return dict(zip(result.findings["rule"], result.findings["holds"], strict=True))


def test_clean_step_is_a_robust_change():
    """A doubling at the date with 2-3% noise and no trend: every check passes."""
    s = quarterly(100 * WIGGLE * np.where(np.arange(12) >= 7, 2.0, 1.0))
    r = robustness(s, date=DATE)
    assert r.verdict == "robust_change"
    assert findings(r) == {
        "lead": True, "placebo": False, "trend": False, "change_point": True,
        "influence": False,
    }  # fmt: skip
    assert r.lead["estimate"].iloc[0] == pytest.approx(2.0, rel=0.03)
    assert "higher after" in r.findings.set_index("rule").loc["lead", "sentence"]
    assert r.headline.startswith("The rate after 1 October 2021 is 2.0")
    assert "times the rate before (95% CI" in r.headline


def test_noise_without_change_is_not_distinguishable():
    """Counts that swing +/-30% around 100 with no change: the lead interval contains 1."""
    swings = np.array([1.3, 0.7, 1.2, 0.8, 1.25, 0.75, 1.0, 1.3, 0.7, 1.2, 0.8, 1.1])
    r = robustness(quarterly(100 * swings), date=DATE)
    assert r.verdict == "no_distinguishable_change"
    assert not findings(r)["lead"]
    assert "not distinguishable from the rate before" in r.headline


def test_steady_decline_is_the_trend_not_the_date():
    """A geometric decline of 12% a quarter and no step: the no-trend ratio is well below
    1, but every trend specification finds no level change, so the trend rule holds."""
    s = quarterly(400 * 0.88 ** np.arange(12) * WIGGLE)
    r = robustness(s, date=DATE)
    assert findings(r)["lead"] and findings(r)["trend"]
    assert r.verdict == "fragile_change"
    assert "the trend could explain it" in r.headline
    specs = r.specifications.set_index("specification")
    assert specs.loc["trend shared by both segments", "estimate"] == pytest.approx(1.0, abs=0.05)
    assert "cannot separate the arrival from the trend" in " ".join(r.sentences)


def test_swing_before_the_date_fires_the_placebo_rule():
    """The rate doubles at 2020Q4, long before the date, and stays: placebo dates give a
    change as large as the date's."""
    s = quarterly(100 * WIGGLE * np.where(np.arange(12) >= 3, 2.0, 1.0))
    r = robustness(s, date=DATE)
    assert findings(r)["placebo"]
    assert "Placebo dates" in r.findings.set_index("rule").loc["placebo", "sentence"]
    assert r.verdict in ("no_distinguishable_change", "fragile_change")


def test_one_huge_period_fires_the_influence_rule():
    """One quarter after the date is six times the others: without it there is no change."""
    counts = 100 * WIGGLE
    counts[8] *= 6
    r = robustness(quarterly(counts), date=DATE)
    assert findings(r)["influence"]
    assert "2022Q1" in r.findings.set_index("rule").loc["influence", "sentence"]


def test_step_after_the_date_is_found_elsewhere():
    """The rate doubles three quarters after the date: the best single step is at 2022Q3."""
    s = quarterly(100 * WIGGLE * np.where(np.arange(12) >= 10, 2.0, 1.0))
    r = robustness(s, date=DATE)
    assert not findings(r)["change_point"]
    best = r.change_points.loc[r.change_points["best"], "period_start"].iloc[0]
    assert best == pd.Timestamp("2022-07-01")
    assert "2022Q3, not at the date" in r.findings.set_index("rule").loc["change_point", "sentence"]


def test_every_rule_is_documented_and_reported_in_order():
    r = robustness(quarterly(100 * WIGGLE), date=DATE)
    assert r.findings["rule"].tolist() == list(RULES)
    assert r.sentences[0] == r.headline and len(r.sentences) == len(RULES) + 1


def test_pretrend_projection_recovers_a_planted_ratio():
    """Counts that follow a log-linear pre-trend exactly, then 1.5 times its projection:
    observed / projected is 1.5, whatever the trend after the date. Tolerance 1e-3
    (rounding of the counts to whole numbers)."""
    t = np.arange(12)
    mu = 1000 * np.exp(0.05 * t) * np.where(t >= 7, 1.5, 1.0)
    out = pretrend_projection(quarterly(mu), date=DATE).iloc[0]
    assert out["estimate"] == pytest.approx(1.5, rel=1e-3)
    assert out["trend"] == pytest.approx(np.exp(0.05), rel=1e-3)
    assert out["ci_low"] < 1.5 < out["ci_high"]
    with pytest.raises(ValueError, match="at least 3 periods before"):
        pretrend_projection(quarterly(mu), date="2020-07-01")


def test_change_point_posterior_sums_to_one_and_peaks_at_the_step():
    s = quarterly(100 * WIGGLE * np.where(np.arange(12) >= 5, 3.0, 1.0))
    scan = change_point_scan(s)
    assert scan["posterior"].sum() == pytest.approx(1.0)
    assert scan.loc[scan["posterior"].idxmax(), "period_start"] == pd.Timestamp("2021-04-01")
    assert scan["best"].sum() == 1
    with pytest.raises(ValueError, match="at least 4 periods"):
        change_point_scan(s.iloc[:3])


def test_a_large_placebo_too_uncertain_to_tell_does_not_count():
    """SYNTHETIC monthly series, 2005-2024: two sparse first months, then a noisy level of about
    40 that triples at the date. The split after the sparse months gives a ratio larger than
    the real one, but its interval spans 1: it does not make the change fragile."""
    rng = np.random.default_rng(3)
    months = pd.date_range("2005-01-01", "2024-12-01", freq="MS")
    mean = np.where(months >= "2021-12-01", 120.0, 40.0)
    counts = rng.negative_binomial(2, 2 / (2 + mean)).astype(float)
    counts[:2] = [0, 1]
    s = pd.DataFrame({"period_start": months, "count": counts})
    r = robustness(s, date="2021-12-01")
    placebo = r.placebo.dropna(subset=["estimate"])
    logs = np.abs(np.log(placebo["estimate"]))
    lead = abs(np.log(r.lead["estimate"].iloc[0]))
    largest = placebo.iloc[int(np.argmax(logs))]
    assert logs.max() >= lead  # a placebo ratio as large as the real one exists ...
    assert largest["ci_low"] < 1 < largest["ci_high"]  # ... but its interval spans 1
    assert not findings(r)["placebo"]
    assert "too wide to tell" in r.findings.set_index("rule").loc["placebo", "sentence"]


def test_placebo_windows_match_the_real_comparison():
    """Each placebo is fitted on at most as many periods on each side as the lead estimate."""
    rng = np.random.default_rng(4)
    months = pd.date_range("2005-01-01", "2024-12-01", freq="MS")
    counts = rng.poisson(np.where(months >= "2021-12-01", 60.0, 40.0)).astype(float)
    r = robustness(pd.DataFrame({"period_start": months, "count": counts}), date="2021-12-01")
    lead = r.lead.iloc[0]
    fitted = r.placebo.dropna(subset=["estimate"])
    assert (fitted["periods_before"] <= lead["periods_before"]).all()
    assert (fitted["periods_after"] <= lead["periods_after"]).all()
    assert fitted["periods_after"].max() == lead["periods_after"]  # capped, not the whole rest
