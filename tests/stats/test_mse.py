"""Lincoln-Petersen, Chapman and log-linear multiple systems estimation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from analysis import chapman, lincoln_petersen, mse_compare, mse_loglinear

# Hepatitis A outbreak, northern Taiwan 1995, three lists: P (serum tests, 135 cases),
# Q (hospital records, 122), E (epidemiologists, 126); 271 distinct cases. Capture
# histories as published by Chao, Tsay, Lin, Shau & Chao (2001), "The applications of
# capture-recapture models to epidemiological data", Statistics in Medicine 20:3123-3157,
# Table II, and shipped as the `HAV` data set of the R package CARE1 (whose documentation
# gives the list totals 135 / 122 / 126 and 271 cases, checked below).
HAV = {"111": 28, "110": 21, "101": 17, "100": 69, "011": 18, "010": 55, "001": 63}


def test_hav_histories_match_the_published_totals():
    """CARE1's ?HAV: P-list 135 cases, Q-list 122, E-list 126, 271 after merging."""
    totals = [sum(v for k, v in HAV.items() if k[j] == "1") for j in range(3)]
    assert totals == [135, 122, 126] and sum(HAV.values()) == 271


def test_chapman_matches_published_table():
    """Published Chapman estimates: Table 2 ("Annual, single-census population estimates
    (N*, Chapman modification of the Peterson method; Seber 1973)") of the article on
    repatriated razorback suckers in Lake Mohave, Arizona-Nevada, 1999-2002 (running head
    "Repatriation to conserve imperiled fish", p. 551; scanned copy at
    https://dnrweblink.state.co.us/CWCB/0/doc/133791/Page5.aspx): (M, C, R) -> N* =
    (105, 62, 4) -> 1,335; (153, 105, 8) -> 1,813; (80, 153, 4) -> 2,494;
    (87, 80, 6) -> 1,017. Tolerance: 0.5 (the table rounds to whole fish)."""
    for n1, n2, m, published in [
        (105, 62, 4, 1335),
        (153, 105, 8, 1813),
        (80, 153, 4, 2494),
        (87, 80, 6, 1017),
    ]:
        got = chapman(n1, n2, m)["estimate"].iloc[0]
        assert got == pytest.approx(published, abs=0.5)


def test_lincoln_petersen_and_variance_formula():
    """N = n1 n2 / m and var = n1 n2 (n1 - m)(n2 - m) / m^3 (Seber 1982, section 3.1.1),
    for the recapr documentation example n1 = n2 = 100, m = 20: N = 500, var = 16000,
    computed by hand. Tolerance: 1e-12 relative."""
    r = lincoln_petersen(100, 100, 20).iloc[0]
    assert r["estimate"] == pytest.approx(500.0, rel=1e-12)
    assert r["se"] == pytest.approx(math.sqrt(100 * 100 * 80 * 80 / 20**3), rel=1e-12)
    assert r["n_observed"] == 180
    assert r["n_observed"] <= r["ci_low"] < r["estimate"] < r["ci_high"]


def test_chapman_variance_and_lognormal_interval():
    """Seber's (1970) variance of the Chapman estimate, (n1+1)(n2+1)(n1-m)(n2-m) /
    ((m+1)^2 (m+2)), and Chao's (1987) log-normal interval r + f0/C, r + f0 C,
    C = exp(1.96 sqrt(log(1 + var / f0^2))), computed by hand for (105, 62, 4)."""
    n1, n2, m = 105, 62, 4
    est = 106 * 63 / 5 - 1
    var = 106 * 63 * 101 * 58 / (25 * 6)
    r = chapman(n1, n2, m).iloc[0]
    assert r["se"] == pytest.approx(math.sqrt(var), rel=1e-12)
    observed = n1 + n2 - m
    f0 = est - observed
    c = math.exp(1.959963984540054 * math.sqrt(math.log(1 + var / f0**2)))
    assert r["ci_low"] == pytest.approx(observed + f0 / c, rel=1e-9)
    assert r["ci_high"] == pytest.approx(observed + f0 * c, rel=1e-9)
    normal = chapman(n1, n2, m, ci="normal").iloc[0]
    assert normal["ci_high"] == pytest.approx(est + 1.959963984540054 * math.sqrt(var))


def test_two_list_loglinear_is_lincoln_petersen():
    """Two lists, independence model: the log-linear estimate is n10 n01 / n11 unobserved,
    i.e. Lincoln-Petersen, and its variance m0 + m0^2 var(log m0) equals Seber's
    (Cormack 1989). Tolerance: 1e-8 relative."""
    fit = mse_loglinear({"10": 60, "01": 45, "11": 15})
    lp = lincoln_petersen(75, 60, 15).iloc[0]
    assert fit.n_hat == pytest.approx(lp["estimate"], rel=1e-8)
    assert fit.se == pytest.approx(lp["se"], rel=1e-8)
    assert fit.df == 0 and fit.deviance == pytest.approx(0, abs=1e-8)


def test_three_lists_all_pairs_closed_form():
    """All two-way interactions (df = 0): m0 = n111 n100 n010 n001 / (n110 n101 n011)
    (Bishop, Fienberg & Holland 1975, section 6.4). HAV data. Tolerance: 1e-8 relative."""
    fit = mse_loglinear(HAV, interactions=[(0, 1), (0, 2), (1, 2)])
    m0 = 28 * 69 * 55 * 63 / (21 * 17 * 18)
    assert fit.unobserved == pytest.approx(m0, rel=1e-8)
    assert fit.n_hat == pytest.approx(271 + m0, rel=1e-8)
    assert fit.df == 0


def test_three_lists_independence_solves_darroch():
    """Independence model: N solves Darroch's (1958) equation 1 - M/N = prod_j (1 - n_j/N)
    (the M_t model), with M = 271 observed and list sizes 135, 122, 126 (HAV).
    Tolerance: 1e-6 relative."""

    def darroch(n):
        return (1 - 271 / n) - (1 - 135 / n) * (1 - 122 / n) * (1 - 126 / n)

    root = optimize.brentq(darroch, 272, 10_000)
    fit = mse_loglinear(HAV)
    assert fit.n_hat == pytest.approx(root, rel=1e-6)
    assert fit.df == 3
    assert fit.ci_low < fit.n_hat < fit.ci_high


def test_one_interaction_closed_form():
    """Model [01][2] (lists 0 and 1 dependent, list 2 independent of both): the expected
    table factorises as a(h0, h1) b(h2), so b(1)/b(0) is estimated by the ratio of the
    patterns seen with and without list 2 among those seen by list 0 or 1, and the
    unobserved cell is m0 = n001 * (n100 + n010 + n110) / (n101 + n011 + n111) (derived
    here; the decomposable-model closed forms of Bishop, Fienberg & Holland 1975, ch. 6).
    Tolerance: 1e-8 relative."""
    fit = mse_loglinear(HAV, interactions=[(0, 1)])
    without_2 = HAV["100"] + HAV["010"] + HAV["110"]
    with_2 = HAV["101"] + HAV["011"] + HAV["111"]
    assert fit.unobserved == pytest.approx(HAV["001"] * without_2 / with_2, rel=1e-8)


def test_profile_interval_properties():
    """The profile-likelihood interval contains the estimate, never falls below the number
    observed, and is wider for the less constrained model."""
    ind = mse_loglinear(HAV)
    sat = mse_loglinear(HAV, interactions=[(0, 1), (0, 2), (1, 2)])
    for fit in (ind, sat):
        assert 271 <= fit.ci_low < fit.n_hat < fit.ci_high
    assert sat.ci_high - sat.ci_low > ind.ci_high - ind.ci_low
    narrow = mse_loglinear(HAV, alpha=0.2)
    assert ind.ci_low < narrow.ci_low and narrow.ci_high < ind.ci_high


def test_profile_interval_two_lists_reaches_chi2_cutoff():
    """At each end of the interval the profile deviance equals chi2_1(0.95) = 3.841: the
    multinomial log-likelihood of N for two lists has the closed form
    log N!/(N-n)! + sum n_h log p_h with p fitted by independence, computed here by hand."""
    from scipy.special import gammaln

    n10, n01, n11 = 60, 45, 15
    n = n10 + n01 + n11

    def loglik(total):
        p1 = (n10 + n11) / total
        p2 = (n01 + n11) / total
        cells = {(1, 0): n10, (0, 1): n01, (1, 1): n11}
        value = gammaln(total + 1) - gammaln(total - n + 1)
        for (a, b), c in cells.items():
            value += c * np.log((p1 if a else 1 - p1) * (p2 if b else 1 - p2))
        return value + (total - n) * np.log((1 - p1) * (1 - p2))

    grid = np.linspace(n + 0.01, 2000, 200_001)
    best = loglik(grid).max()
    fit = mse_loglinear({"10": n10, "01": n01, "11": n11})
    for end in (fit.ci_low, fit.ci_high):
        assert 2 * (best - loglik(end)) == pytest.approx(3.8414588, abs=1e-3)


def test_mse_compare_ranks_by_aic():
    out = mse_compare(HAV, {"ind": [], "PQ": [(0, 1)], "all": [(0, 1), (0, 2), (1, 2)]})
    assert list(out.columns[:5]) == ["model", "n_hat", "se", "ci_low", "ci_high"]
    assert out["aic"].is_monotonic_increasing
    assert out["delta_aic"].iloc[0] == 0
    assert out["aic_weight"].sum() == pytest.approx(1.0)
    labels = mse_compare(HAV, [[], [(0, 1)]])["model"].tolist()
    assert set(labels) == {"independence", "0x1"}


def test_mse_compare_reports_unfittable_models():
    histories = {"10": 5, "01": 7, "11": 3}
    out = mse_compare(histories, {"ok": [], "bad": [(0, 1)]})
    bad = out.set_index("model").loc["bad"]
    assert "not identifiable" in bad["note"] and np.isnan(bad["n_hat"])


@pytest.mark.parametrize(
    ("histories", "interactions", "message"),
    [
        ({"10": 5, "011": 2}, (), "same length"),
        ({"1": 5}, (), "at least two lists"),
        ({"12": 5}, (), "only 0 and 1"),
        ({"00": 5, "10": 3}, (), "unobserved cell"),
        ({"10": -1, "01": 3, "11": 1}, (), "non-negative whole"),
        ({"10": 5, "01": 3, "11": 2}, [(0, 1)], "not identifiable"),
        ({"10": 5, "01": 3, "11": 2}, [(0, 0)], "two different lists"),
        ({"10": 5, "01": 3}, (), "shares no one"),
        ({"110": 5, "100": 3, "010": 2, "001": 4, "101": 1}, [(1, 2)], "share no one"),
    ],
)
def test_mse_validation(histories, interactions, message):
    with pytest.raises(ValueError, match=message):
        mse_loglinear(histories, interactions=interactions)


def test_two_list_validation():
    with pytest.raises(ValueError, match="m = 0"):
        lincoln_petersen(10, 10, 0)
    with pytest.raises(ValueError, match="cannot exceed"):
        chapman(5, 10, 6)
    with pytest.raises(ValueError, match="ci must be one of"):
        chapman(5, 10, 2, ci="wilson")
