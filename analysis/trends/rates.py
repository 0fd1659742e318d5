"""Two Poisson rates compared: :func:`rate_ratio`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.trends._common import Alternative, RateMethod, _check_alpha

__all__ = ["rate_ratio"]


def _as_count(name: str, x: float) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a non-negative whole number, got {x!r}") from None
    if not math.isfinite(value) or value < 0 or value != math.floor(value):
        raise ValueError(f"{name} must be a non-negative whole number, got {x!r}")
    return value


def _as_exposure(name: str, t: float) -> float:
    try:
        value = float(t)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {t!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {t!r}")
    return value


def _binom_midp_bounds(x: float, n: float, alpha: float) -> tuple[float, float]:
    """Central mid-p interval for a binomial proportion (each tail alpha / 2)."""
    from scipy import optimize, stats

    a2 = alpha / 2

    def upper_tail(p: float) -> float:  # P(X > x) + P(X = x) / 2, increasing in p
        return stats.binom.sf(x, n, p) + 0.5 * stats.binom.pmf(x, n, p)

    def lower_tail(p: float) -> float:  # P(X < x) + P(X = x) / 2, decreasing in p
        return stats.binom.cdf(x - 1, n, p) + 0.5 * stats.binom.pmf(x, n, p)

    eps = 1e-15
    low = 0.0 if x == 0 else optimize.brentq(lambda p: upper_tail(p) - a2, eps, 1 - eps)
    high = 1.0 if x == n else optimize.brentq(lambda p: lower_tail(p) - a2, eps, 1 - eps)
    return low, high


def _midp_p_value(x: float, n: float, pi0: float, alternative: str) -> float:
    """Mid-p p-value of a binomial count ``x`` of ``n`` against proportion ``pi0``.

    One-sided: the mid-p tail in the direction of the alternative. Two-sided: twice the
    smaller tail, capped at 1 (the central rule of the mid-p interval, so the test rejects
    exactly when the interval excludes the null value; R's ``epitools::rate2by2.test``).
    """
    from scipy import stats

    half = 0.5 * stats.binom.pmf(x, n, pi0)
    lower = float(stats.binom.cdf(x - 1, n, pi0) + half)  # P(X < x) + P(X = x) / 2
    upper = float(stats.binom.sf(x, n, pi0) + half)  # P(X > x) + P(X = x) / 2
    if alternative == "larger":
        return min(1.0, upper)
    if alternative == "smaller":
        return min(1.0, lower)
    return min(1.0, 2 * min(lower, upper))


def _ratio_from_p(p: float, t1: float, t2: float) -> float:
    if p >= 1:
        return math.inf
    return p / (1 - p) * t2 / t1


def _wald_ratio_bounds(
    x1: float, t1: float, x2: float, t2: float, alpha: float
) -> tuple[float, float]:
    """Invert the Wald statistic W1A of Gu et al. (2008) for the ratio of two rates."""
    from scipy import optimize, stats

    z = stats.norm.isf(alpha / 2)
    est = (x1 / t1) / (x2 / t2)

    def stat(r: float) -> float:  # decreasing in r, from sqrt(x1) to -sqrt(x2)
        rd = r * t1 / t2
        return (x1 - x2 * rd) / math.sqrt(x1 + x2 * rd**2)

    low = 0.0 if math.sqrt(x1) <= z else optimize.brentq(lambda r: stat(r) - z, 0.0, est)
    if math.sqrt(x2) <= z:
        high = math.inf
    else:
        hi = max(est, 1e-300) * 2
        while stat(hi) > -z:
            hi *= 2
        high = optimize.brentq(lambda r: stat(r) + z, est, hi)
    return low, high


def rate_ratio(
    count1: float,
    exposure1: float,
    count2: float,
    exposure2: float,
    *,
    method: RateMethod = "exact-cond",
    alternative: Alternative = "two-sided",
    value: float = 1.0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Compare two Poisson rates: the ratio ``(count1 / exposure1) / (count2 / exposure2)``.

    Parameters
    ----------
    count1, exposure1
        Events and exposure (e.g. days) of the first period (usually "after").
    count2, exposure2
        Events and exposure of the second period (usually "before").
    method
        ``"exact-cond"`` (default; conditional binomial test and Clopper-Pearson interval, as
        R's ``poisson.test``), ``"cond-midp"`` (the same with mid-p), ``"score"``, ``"wald"``,
        ``"wald-log"``.
    alternative
        ``"two-sided"``, ``"larger"`` (ratio > ``value``) or ``"smaller"``. With a one-sided
        alternative the interval is one-sided too (as in R), the other end being 0 or inf.
    value
        The ratio under the null hypothesis.
    alpha
        1 - confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row: ``count1, exposure1, count2, exposure2, rate1, rate2, estimate`` (rate 1
        over rate 2), ``ci_low, ci_high, p_value, method, alternative, value``.

    Notes
    -----
    Conditional on the total :math:`n = x_1 + x_2`, :math:`x_1 \sim
    \mathrm{Binomial}(n, \pi)` with :math:`\pi = r t_1 / (r t_1 + t_2)`, so a bound
    :math:`\pi^*` on :math:`\pi` maps to a bound :math:`r^* = \pi^* / (1 - \pi^*) \cdot t_2
    / t_1` on the ratio :math:`r`. ``exact-cond`` uses the Clopper-Pearson bounds
    (``poisson.test`` in R) and the two-sided "minimum likelihood" p-value; ``cond-midp``
    inverts the mid-p tails (each tail :math:`\alpha/2`), and its two-sided p-value is
    twice the smaller mid-p tail, the same central rule, so the test rejects exactly when
    the interval excludes ``value`` (R's ``epitools::rate2by2.test``). ``score`` and
    ``wald-log`` intervals come from ``statsmodels.stats.rates.confint_poisson_2indep``;
    ``wald`` inverts the Wald statistic :math:`(x_1 - x_2 r t_1/t_2) / \sqrt{x_1 + x_2
    (r t_1/t_2)^2}` (W1A of Gu et al.) and is unbounded above when :math:`x_2 \le z^2`.
    The other p-values come from ``statsmodels.stats.rates.test_poisson_2indep``.

    **When it is not valid.** Every method assumes that each count is Poisson: events
    that occur independently, at a constant rate within each period. That can suit
    separate events (incidents, not victims) counted over two windows. It does not suit
    a total of deaths summed
    over quarters or months whose counts vary more than a Poisson count would
    (overdispersion: massacres and quiet months), nor deaths that come in clusters (one
    attack, many victims): the intervals are then far too narrow and the p-values far too
    small. Comparing one quarter's 543 deaths with another's 128 by this test gives
    :math:`p \approx 10^{-64}`, a statement about Poisson noise that MINUSMA's series,
    whose quarter-to-quarter variance is about 65 times its mean, does not support. For a
    series of period totals use :func:`before_after` (quasi-Poisson or negative binomial),
    which estimates the overdispersion from the series.

    Checked against R's ``poisson.test(c(11, 21), c(800, 3011))`` (its documented
    example), ``epitools::rateratio(..., method="midp")`` for the mid-p interval and
    p-value, the R package ``exactci`` values stored in statsmodels' tests, and Gu, Ng,
    Tang & Schucany (2008) for the score and Wald statistics.

    References
    ----------
    Gu K, Ng HKT, Tang ML, Schucany WR (2008). Testing the ratio of two Poisson rates.
    Biometrical Journal 50(2):283-298.

    Examples
    --------
    >>> rate_ratio(11, 800, 21, 3011)[["estimate", "ci_low", "ci_high"]].round(4)
       estimate  ci_low  ci_high
    0    1.9715  0.8584   4.2773
    """
    check_option("method", method, RateMethod)
    check_option("alternative", alternative, Alternative)
    _check_alpha(alpha)
    x1, x2 = _as_count("count1", count1), _as_count("count2", count2)
    t1, t2 = _as_exposure("exposure1", exposure1), _as_exposure("exposure2", exposure2)
    if not (math.isfinite(float(value)) and value > 0):
        raise ValueError(f"value must be a positive number, got {value!r}")

    from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

    rate1, rate2 = x1 / t1, x2 / t2
    n = x1 + x2
    if n == 0:
        estimate = math.nan
    elif x2 == 0:
        estimate = math.inf
    else:
        estimate = rate1 / rate2

    # p-value
    if n == 0:
        p_value = 1.0
    elif method == "cond-midp":
        p_value = _midp_p_value(x1, n, value * t1 / (value * t1 + t2), alternative)
    elif method in ("wald", "wald-log") and (x1 == 0 or x2 == 0):
        p_value = math.nan
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            res = test_poisson_2indep(
                int(x1), t1, int(x2), t2, value=value, method=method, alternative=alternative
            )
        p_value = float(min(1.0, res.pvalue))

    # interval: two-sided at alpha, or one side of the two-sided interval at 2 alpha
    level = alpha if alternative == "two-sided" else 2 * alpha
    if n == 0:
        low, high = 0.0, math.inf
    elif method == "exact-cond":
        from scipy import stats

        p_low = 0.0 if x1 == 0 else stats.beta.ppf(level / 2, x1, n - x1 + 1)
        p_high = 1.0 if x1 == n else stats.beta.ppf(1 - level / 2, x1 + 1, n - x1)
        low, high = _ratio_from_p(p_low, t1, t2), _ratio_from_p(p_high, t1, t2)
    elif method == "cond-midp":
        p_low, p_high = _binom_midp_bounds(x1, n, level)
        low, high = _ratio_from_p(p_low, t1, t2), _ratio_from_p(p_high, t1, t2)
    elif x1 == 0 or x2 == 0:
        low, high = math.nan, math.nan  # asymptotic intervals undefined at a zero count
    elif method == "wald":
        low, high = _wald_ratio_bounds(x1, t1, x2, t2, level)
    else:
        low, high = (
            float(b)
            for b in confint_poisson_2indep(
                x1, t1, x2, t2, method=method, compare="ratio", alpha=level
            )
        )
    if alternative == "larger":
        high = math.inf
    elif alternative == "smaller":
        low = 0.0

    return pd.DataFrame(
        {
            "count1": [x1],
            "exposure1": [t1],
            "count2": [x2],
            "exposure2": [t2],
            "rate1": [rate1],
            "rate2": [rate2],
            "estimate": [estimate],
            "ci_low": [float(low)],
            "ci_high": [float(high)],
            "p_value": [p_value],
            "method": [method],
            "alternative": [alternative],
            "value": [float(value)],
        }
    )
