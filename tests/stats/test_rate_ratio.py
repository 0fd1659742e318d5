"""rate_ratio against published reference values (R, the R package exactci, Gu et al. 2008)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import rate_ratio


def test_exact_cond_matches_r_poisson_test():
    """R's documented example ``poisson.test(c(11, 6+8+7), c(800, 1083+1050+878))``.

    R (stats::poisson.test, the ISwR eba1977 example in ``?poisson.test``) prints:
    count1 = 11, expected count1 = 6.7174, p-value = 0.07967; 95 percent confidence
    interval 0.8584264 4.2772659; rate ratio 1.971488.
    Tolerance: 1e-6 relative on the printed digits, 5e-6 absolute on the p-value.
    """
    r = rate_ratio(11, 800, 6 + 8 + 7, 1083 + 1050 + 878, method="exact-cond").iloc[0]
    assert r["estimate"] == pytest.approx(1.971488, rel=1e-6)
    assert r["ci_low"] == pytest.approx(0.8584264, rel=1e-6)
    assert r["ci_high"] == pytest.approx(4.2772659, rel=1e-6)
    assert r["p_value"] == pytest.approx(0.07967, abs=5e-6)


def test_exact_cond_p_values_match_exactci():
    """R package exactci, ``poisson.exact(c(60, 30), c(51477.5, 54308.7), tsmethod="minlike")``.

    Values stored in statsmodels' test suite (statsmodels/stats/tests/results/
    results_rates.py and test_rates_poisson.py::test_twosample_poisson_r): two-sided p
    0.000675182658686321 (mid-p 0.000557262406619052); with r = 1.2, "greater" p
    0.006651774552714537, "less" p 0.9964625674930079, mid-p "greater"
    0.005094603529853279, mid-p "less" 0.9949053964701466. Estimate 2.10999757175465.
    Tolerance: 1e-10 relative (exact), 5e-6 absolute for the two-sided mid-p.
    """
    args = (60, 51477.5, 30, 54308.7)
    r = rate_ratio(*args).iloc[0]
    assert r["estimate"] == pytest.approx(2.10999757175465, rel=1e-12)
    assert r["p_value"] == pytest.approx(0.000675182658686321, rel=1e-10)
    central = rate_ratio(*args, method="cond-midp", value=1.2).iloc[0]
    assert central["p_value"] == pytest.approx(2 * 0.005094603529853279, rel=1e-10)
    cases = [
        ("exact-cond", "larger", 0.006651774552714537),
        ("exact-cond", "smaller", 0.9964625674930079),
        ("cond-midp", "larger", 0.005094603529853279),
        ("cond-midp", "smaller", 0.9949053964701466),
    ]
    for method, alternative, expected in cases:
        got = rate_ratio(*args, method=method, alternative=alternative, value=1.2)
        assert got["p_value"].iloc[0] == pytest.approx(expected, rel=1e-10), (method, alternative)


def test_asymptotic_p_values_match_gu_et_al():
    """Gu, Ng, Tang & Schucany (2008), Biometrical Journal 50:283, example 1 (60/51477.5 vs
    30/54308.7), one-sided p-values: Wald W1A 0.000356, score W2A 0.000316, log-Wald W3A
    0.000420 (as also used in statsmodels' tests). Two-sided = 2 x one-sided.
    Tolerance: 5e-6 absolute (the paper prints 3 significant digits)."""
    args = (60, 51477.5, 30, 54308.7)
    for method, one_sided in [("wald", 0.000356), ("score", 0.000316), ("wald-log", 0.000420)]:
        larger = rate_ratio(*args, method=method, alternative="larger")["p_value"].iloc[0]
        two = rate_ratio(*args, method=method)["p_value"].iloc[0]
        assert larger == pytest.approx(one_sided, abs=5e-6), method
        assert two == pytest.approx(2 * one_sided, abs=1e-5), method


def test_score_interval_matches_reference():
    """Score interval for 60/51477.5 vs 30/54308.7 at 95%: (1.365962, 3.259306), the value
    statsmodels' test_confint_poisson_2indep checks (R package ratesci, scoreci with
    distrib="poi", contrast="RR", skew=FALSE). Tolerance: 5e-6 absolute."""
    r = rate_ratio(60, 51477.5, 30, 54308.7, method="score").iloc[0]
    assert r["ci_low"] == pytest.approx(1.365962, abs=5e-6)
    assert r["ci_high"] == pytest.approx(3.259306, abs=5e-6)


def test_wald_log_interval_is_the_textbook_formula():
    """The standard large-sample interval for a rate ratio, exp(log RR +/- z sqrt(1/x1 +
    1/x2)) (W3A in Gu et al. 2008), computed by hand for 11/800 vs 21/3011.
    Tolerance: 1e-9 relative."""
    rr = (11 / 800) / (21 / 3011)
    half = 1.959963984540054 * math.sqrt(1 / 11 + 1 / 21)
    r = rate_ratio(11, 800, 21, 3011, method="wald-log").iloc[0]
    assert r["ci_low"] == pytest.approx(rr * math.exp(-half), rel=1e-9)
    assert r["ci_high"] == pytest.approx(rr * math.exp(half), rel=1e-9)


@pytest.mark.parametrize("method", ["exact-cond", "cond-midp", "score", "wald", "wald-log"])
def test_interval_inverts_the_test(method):
    """At each end of the two-sided 95% interval the test of that value gives p = 0.05
    (intervals and tests are consistent; exact-cond is checked with its central, one-sided
    tails, as R's poisson.test). Synthetic counts. Tolerance: 1e-4 absolute."""
    args = (30, 40.0, 7, 30.0)
    r = rate_ratio(*args, method=method).iloc[0]
    assert r["ci_low"] < r["estimate"] < r["ci_high"]
    if method in ("exact-cond", "cond-midp"):
        lo = rate_ratio(*args, method=method, value=r["ci_low"], alternative="larger")
        hi = rate_ratio(*args, method=method, value=r["ci_high"], alternative="smaller")
        assert lo["p_value"].iloc[0] == pytest.approx(0.025, abs=1e-4)
        assert hi["p_value"].iloc[0] == pytest.approx(0.025, abs=1e-4)
    else:
        for end in ("ci_low", "ci_high"):
            p = rate_ratio(*args, method=method, value=r[end])["p_value"].iloc[0]
            assert p == pytest.approx(0.05, abs=1e-4), end


def test_one_sided_interval_is_open_on_the_other_side():
    """R's poisson.test with alternative="greater" returns [low, Inf) with low from
    qbeta(alpha, x1, n - x1 + 1): here checked as the lower end of the two-sided 90%
    interval (same quantile). Synthetic counts."""
    larger = rate_ratio(11, 800, 21, 3011, alternative="larger").iloc[0]
    ninety = rate_ratio(11, 800, 21, 3011, alpha=0.10).iloc[0]
    assert math.isinf(larger["ci_high"])
    assert larger["ci_low"] == pytest.approx(ninety["ci_low"], rel=1e-12)
    smaller = rate_ratio(11, 800, 21, 3011, alternative="smaller").iloc[0]
    assert smaller["ci_low"] == 0.0
    assert smaller["ci_high"] == pytest.approx(ninety["ci_high"], rel=1e-12)


def test_zero_counts():
    """A zero count gives an estimate of 0 (or inf) with a finite exact interval end."""
    r = rate_ratio(0, 5, 3, 5).iloc[0]
    assert r["estimate"] == 0 and r["ci_low"] == 0 and np.isfinite(r["ci_high"])
    r = rate_ratio(4, 5, 0, 5).iloc[0]
    assert math.isinf(r["estimate"]) and math.isinf(r["ci_high"]) and r["ci_low"] > 0


def test_columns():
    out = rate_ratio(5, 1, 5, 1)
    assert list(out.columns[:9]) == [
        "count1", "exposure1", "count2", "exposure2", "rate1", "rate2",
        "estimate", "ci_low", "ci_high",
    ]  # fmt: skip
    assert out["estimate"].iloc[0] == 1.0 and out["p_value"].iloc[0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "fisher"}, "method must be one of"),
        ({"alternative": "greater"}, "alternative must be one of"),
        ({"value": 0}, "value must be a positive"),
        ({"alpha": 1.5}, "alpha must lie"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rate_ratio(5, 1, 5, 1, **kwargs)


@pytest.mark.parametrize(
    "args", [(-1, 1, 5, 1), (2.5, 1, 5, 1), (5, 0, 5, 1), (5, 1, 5, -2), ("x", 1, 5, 1)]
)
def test_bad_inputs(args):
    with pytest.raises(ValueError):
        rate_ratio(*args)
