"""Estimators checked against R (r-base-core 4.2 with MASS, epitools; Debian bookworm).

Each expected value was printed by the R call in the comment beside it. The series is
MINUSMA's quarterly count of civilians killed, 2020Q2 to 2023Q1, as the shipped evidence
table gives it (tally_series of minusma/killed; the figures and their documents are in
data/tallies), with the days of each quarter as exposure. R's fits used
glm.control(epsilon = 1e-14); tolerances are stated per test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import before_after, its_fit, placebo_dates, rate_ratio, share_change
from analysis.compare import agreement
from analysis.trends.bounds import _pooled_ratio

Y = [323, 176, 96, 106, 160, 190, 128, 543, 317, 243, 174, 95]
DAYS = [91, 92, 92, 90, 91, 92, 92, 90, 91, 92, 92, 90]
DATE = (
    "2021-12-01"  # the first quarter on or after it is 2022Q1 (R: after <- c(rep(0,7), rep(1,5)))
)


@pytest.fixture
def series() -> pd.DataFrame:
    starts = pd.date_range("2020-04-01", periods=12, freq="QS")
    return pd.DataFrame({"period_start": starts, "count": Y, "exposure_days": DAYS})


def test_before_after_quasipoisson_uses_t(series):
    """R: q <- glm(y ~ after + offset(log(d)), family = quasipoisson)
    b <- coef(q)[2]; se <- sqrt(vcov(q)[2, 2]); exp(b + c(-1, 1) * qt(.975, 10) * se)
    -> 1.63685000326, 0.803548976924, 3.33430569899; summary(q) Pr(>|t|) 0.15381368412;
    dispersion 64.6564030745. Tolerance 1e-6 relative."""
    r = before_after(series, date=DATE, exposure="exposure_days", family="quasipoisson").iloc[0]
    assert r["estimate"] == pytest.approx(1.63685000326, rel=1e-6)
    assert r["ci_low"] == pytest.approx(0.803548976924, rel=1e-6)
    assert r["ci_high"] == pytest.approx(3.33430569899, rel=1e-6)
    assert r["p_value"] == pytest.approx(0.15381368412, rel=1e-6)
    assert r["dispersion"] == pytest.approx(64.6564030745, rel=1e-6)
    assert r["reference"] == "t(10)" and r["df_resid"] == 10


def test_default_family_is_quasipoisson(series):
    """The default before_after is the quasi-Poisson fit above (chosen by the coverage
    measured in benchmarks/coverage.py)."""
    default = before_after(series, date=DATE, exposure="exposure_days").iloc[0]
    assert default["family"] == "quasipoisson"
    assert default["ci_low"] == pytest.approx(0.803548976924, rel=1e-6)


def test_its_quasipoisson_uses_t(series):
    """R: its <- glm(y ~ t + after + offset(log(d)), family = quasipoisson), t <- 0:11
    exp(coef(its)[3] + c(0, -1, 1) * qt(.975, 9) * sqrt(vcov(its)[3, 3]))
    -> 6.13639949742, 1.9981002187, 18.8456006558; Pr(>|t|) 0.00525425375339.
    Tolerance 1e-5 relative."""
    fit = its_fit(series, date=DATE, exposure="exposure_days")
    row = fit.summary_frame().loc["level_change"]
    assert fit.reference == "t(9)"
    assert row["estimate"] == pytest.approx(6.13639949742, rel=1e-5)
    assert row["ci_low"] == pytest.approx(1.9981002187, rel=1e-5)
    assert row["ci_high"] == pytest.approx(18.8456006558, rel=1e-5)
    assert row["p_value"] == pytest.approx(0.00525425375339, rel=1e-4)


def test_placebo_p_value_uses_t(series):
    """The placebo at 2021-04-01 on the 7 quarters before the date.
    R: pl <- glm(yp ~ tp + ap + offset(log(dp)), family = quasipoisson), yp <- y[1:7],
    tp <- 0:6, ap <- as.numeric(tp >= 4) -> exp(coef) 3.11885360716, Pr(>|t|)
    0.0658318776086 (under N(0, 1) it was 0.012). Tolerance 1e-5 relative."""
    out = placebo_dates(
        series, dates=["2021-04-01"], actual_date=DATE, exposure="exposure_days"
    ).iloc[0]
    assert out["estimate"] == pytest.approx(3.11885360716, rel=1e-5)
    assert out["p_value"] == pytest.approx(0.0658318776086, rel=1e-4)
    assert out["p_value"] > 0.05


def test_negbin_expected_information_is_glm_nb(series):
    """R: nb <- MASS::glm.nb(y ~ after + offset(log(d))); b <- coef(nb)[2];
    se <- sqrt(vcov(nb)[2, 2]); exp(b + c(0, -1, 1) * qnorm(.975) * se)
    -> 1.63945237132, 0.958381900753, 2.80452299414; Pr(>|z|) 0.0711097487281;
    1 / nb$theta 0.214246512986. Tolerance 1e-5 relative."""
    r = before_after(series, date=DATE, exposure="exposure_days", family="negbin").iloc[0]
    assert r["information"] == "expected" and r["reference"] == "normal"
    assert r["estimate"] == pytest.approx(1.63945237132, rel=1e-5)
    assert r["ci_low"] == pytest.approx(0.958381900753, rel=1e-5)
    assert r["ci_high"] == pytest.approx(2.80452299414, rel=1e-5)
    assert r["p_value"] == pytest.approx(0.0711097487281, rel=1e-4)
    assert r["dispersion"] == pytest.approx(0.214246512986, rel=1e-4)


def test_negbin_observed_information_is_the_joint_hessian(series):
    """R: the NB2 log-likelihood in (b0, b1, log theta) maximised by optim(method = "BFGS")
    and its Hessian by optimHess; se <- sqrt(solve(H)[2, 2]) ->
    exp(b + c(-1, 1) * qnorm(.975) * se) = 0.958376754531, 2.8045380603.
    Tolerance 1e-5 relative."""
    r = before_after(
        series, date=DATE, exposure="exposure_days", family="negbin", information="observed"
    ).iloc[0]
    assert r["information"] == "observed"
    assert r["ci_low"] == pytest.approx(0.958376754531, rel=1e-5)
    assert r["ci_high"] == pytest.approx(2.8045380603, rel=1e-5)


def test_rubin_pooling_matches_r():
    """Five fixed draws of a 6-period series, each fitted in R with
    glm(D[j, ] ~ after + offset(log(d)), family = quasipoisson) and pooled by Rubin's rules
    with Barnard & Rubin's degrees of freedom (nu_com = 4):
    exp(qbar) 1.54597514439, CI 1.16438065367-2.05262698203, nu 2.84206020272,
    lambda 0.00525937881061, p 0.0170563224655. Tolerance 1e-8 relative."""
    draws = np.array(
        [
            [100, 120, 90, 150, 170, 160],
            [105, 118, 95, 155, 165, 171],
            [110, 115, 92, 149, 180, 158],
            [101, 125, 99, 160, 175, 166],
            [108, 119, 91, 152, 169, 175],
        ],
        dtype=float,
    )
    days = np.array([90, 91, 92, 92, 90, 91], dtype=float)
    after = np.array([0, 0, 0, 1, 1, 1], dtype=bool)
    out = _pooled_ratio(draws, days, after, family="quasipoisson", alpha=0.05)
    assert out["estimate"] == pytest.approx(1.54597514439, rel=1e-8)
    assert out["ci_low"] == pytest.approx(1.16438065367, rel=1e-8)
    assert out["ci_high"] == pytest.approx(2.05262698203, rel=1e-8)
    assert out["df"] == pytest.approx(2.84206020272, rel=1e-8)
    assert out["fraction_missing_information"] == pytest.approx(0.00525937881061, rel=1e-6)
    assert out["p_value"] == pytest.approx(0.0170563224655, rel=1e-6)


@pytest.mark.parametrize(
    ("counts", "low", "high", "p"),
    [
        # bounds, R: f <- function(p) pbinom(11, 32, p, lower.tail = FALSE) +
        #   0.5 * dbinom(11, 32, p) - 0.025; p <- uniroot(f, c(1e-9, 1 - 1e-9), tol = 1e-14)
        #   $root; p / (1 - p) * 3011 / 800 (and the lower tail for the upper bound)
        # p-value, R: epitools::rateratio(c(21, 11, 3011, 800), method = "midp")$p.value
        ((11, 800, 21, 3011), 0.916602075861, None, 0.08007683656),
        # bounds as above with x = 2 of n = 7; p-value, R:
        # epitools::rateratio(c(5, 2, 100, 100), method = "midp")$p.value
        ((2, 100, 5, 100), 0.053745470905, 2.02836958886, 0.2890625),
    ],
)
def test_midp_interval_and_p_value_follow_one_rule(counts, low, high, p):
    """The mid-p interval (each tail alpha / 2, solved tightly in R; epitools' own bounds
    agree to about 4e-4, its uniroot tolerance) and the two-sided mid-p p-value, twice the
    smaller mid-p tail (epitools::rate2by2.test's midp.exact). Tolerance 1e-8 relative."""
    r = rate_ratio(*counts, method="cond-midp").iloc[0]
    assert r["ci_low"] == pytest.approx(low, rel=1e-8)
    if high is not None:
        assert r["ci_high"] == pytest.approx(high, rel=1e-8)
    assert r["p_value"] == pytest.approx(p, rel=1e-9)
    # the same rule: the test rejects at 5% exactly when the interval excludes 1
    assert (r["p_value"] < 0.05) == (r["ci_low"] > 1 or r["ci_high"] < 1)


@pytest.mark.parametrize(
    ("x", "y", "rho", "p"),
    [
        # R: cor.test(1:7, c(2, 1, 4, 3, 7, 5, 6), method = "spearman")
        ([1, 2, 3, 4, 5, 6, 7], [2, 1, 4, 3, 7, 5, 6], 0.821428571429, 0.034126984127),
        # R: cor.test(c(5.1, 3.2, 8.8, 1.0, 4.4, 9.9, 2.5, 6.7, 7.3),
        #             c(4.0, 2.9, 7.1, 3.3, 1.2, 9.5, 2.0, 8.8, 6.1), method = "spearman")
        (
            [5.1, 3.2, 8.8, 1.0, 4.4, 9.9, 2.5, 6.7, 7.3],
            [4.0, 2.9, 7.1, 3.3, 1.2, 9.5, 2.0, 8.8, 6.1],
            0.8,
            0.0138282627866,
        ),
    ],
)
def test_spearman_exact_for_small_samples(x, y, rho, p):
    """R computes the exact permutation p-value for n <= 9 (AS 89). Tolerance 1e-9."""
    row = agreement(x, y, scale="raw").set_index("statistic").loc["spearman_rho"]
    assert row["estimate"] == pytest.approx(rho, rel=1e-9)
    assert row["p_value"] == pytest.approx(p, rel=1e-9)
    assert row["note"] == "exact permutation p-value"


def test_spearman_beyond_nine_pairs_says_approximate():
    x = np.arange(12.0)
    y = np.array([1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10.0])
    row = agreement(x + 1, y + 1, scale="raw").set_index("statistic").loc["spearman_rho"]
    assert row["note"] == "p-value from the t approximation"


@pytest.mark.parametrize(
    ("before", "after", "p"),
    [
        # R: r <- prop.test(c(7, 1), c(34, 34), correct = FALSE)
        #    pchisq(r$statistic * 67 / 68, 1, lower.tail = FALSE)
        ({"a": 1, "b": 33}, {"a": 7, "b": 27}, 0.024983925617),
        # R: r <- prop.test(c(30, 60), c(100, 100), correct = FALSE)
        #    pchisq(r$statistic * 199 / 200, 1, lower.tail = FALSE)
        ({"a": 60, "b": 40}, {"a": 30, "b": 70}, 2.10604556082e-05),
    ],
)
def test_share_change_is_miettinen_nurminen(before, after, p):
    """Under the null the Miettinen-Nurminen score statistic is Pearson's chi-square times
    (N - 1) / N. Tolerance 1e-8 relative."""
    out = share_change(before, after).set_index("group")
    assert out.loc["a", "p_value"] == pytest.approx(p, rel=1e-8)
    assert out.loc["a", "test"] == "Miettinen-Nurminen score"
