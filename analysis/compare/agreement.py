"""How well two sets of paired figures agree: :func:`agreement`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.compare._vocabulary import Scale

__all__ = ["agreement"]


_SPEARMAN_EXACT_MAX = 9


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float, str]:
    """Spearman's rho with an exact permutation p-value for n <= 9, else the t approximation."""
    import itertools

    from scipy import stats

    n = len(x)
    rx, ry = stats.rankdata(x), stats.rankdata(y)

    def pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a = a - a.mean(axis=-1, keepdims=True)
        b = b - b.mean(axis=-1, keepdims=True)
        return (a * b).sum(axis=-1) / np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))

    rho = float(pearson(rx, ry))
    if n <= _SPEARMAN_EXACT_MAX:
        perms = np.array(list(itertools.permutations(ry)), dtype=float)
        null = pearson(np.broadcast_to(rx, perms.shape), perms)
        p = float(np.mean(np.abs(null) >= abs(rho) - 1e-12))
        return rho, p, "exact permutation p-value"
    p = float(stats.spearmanr(x, y).pvalue)
    return rho, p, "p-value from the t approximation"


def agreement(
    reference: Sequence[float] | np.ndarray | pd.Series,
    other: Sequence[float] | np.ndarray | pd.Series,
    *,
    scale: Scale = "log",
    conf_level: float = 0.95,
    loa_z: float = 1.96,
) -> pd.DataFrame:
    """How well two sets of paired figures agree: Lin's CCC, Spearman, bias, limits of agreement.

    Parameters
    ----------
    reference, other
        Paired values (same length, e.g. two bodies' counts for the same periods). Pairs with
        a missing value are dropped. On the log scale all values must be positive.
    scale
        ``"log"`` (default): the statistics are computed on :math:`\\log` values, so the
        difference is a log ratio (counts of deaths vary over orders of magnitude and their
        disagreements are multiplicative). ``"raw"``: on the values themselves.
    conf_level
        Confidence level of the intervals (default 0.95).
    loa_z
        Multiplier of the standard deviation in the limits of agreement (1.96; Bland & Altman
        1986 used 2).

    Returns
    -------
    pandas.DataFrame
        One row per statistic with ``statistic``, ``estimate``, ``ci_low``, ``ci_high``,
        ``p_value``, ``note`` (how the p-value was computed, where that varies), ``n``:

        - ``lin_ccc``: Lin's concordance correlation coefficient with its interval on the
          Fisher z scale (needs n >= 3);
        - ``spearman_rho``: Spearman's rank correlation and its two-sided p-value (no
          interval): exact, from every permutation of the ranks, for up to 9 pairs (as R's
          ``cor.test(method="spearman")``); from the t approximation beyond, which ``note``
          says;
        - ``mean_log_ratio`` (``mean_difference`` on the raw scale): the mean of
          :math:`d = \\text{other} - \\text{reference}` with its t interval and the one-sample
          t test of zero;
        - ``ratio`` (log scale only): :math:`e^{\\bar d}`, the geometric-mean ratio of other to
          reference, with the back-transformed interval;
        - ``sd_log_ratio`` (``sd_difference``): the standard deviation of :math:`d`;
        - ``loa_low``, ``loa_high``: Bland-Altman limits of agreement
          :math:`\\bar d \\mp z s_d` with Bland & Altman's approximate intervals.

    Notes
    -----
    With :math:`x` the reference and :math:`y` the other values (logged when
    ``scale="log"``), :math:`n` pairs, means :math:`\\bar x, \\bar y`, variances
    :math:`s_x^2, s_y^2` and covariance :math:`s_{xy}` with divisor :math:`n` (Lin 1989):

    .. math::

        \\hat\\rho_c = \\frac{2 s_{xy}}{s_x^2 + s_y^2 + (\\bar x - \\bar y)^2}
                    = r \\, C_b .

    Its interval is built on :math:`z = \\operatorname{artanh} \\hat\\rho_c` with (Lin 1989,
    corrected in Lin 2000) :math:`u = (\\bar y - \\bar x) / \\sqrt{s_x s_y}` and

    .. math::

        \\widehat{\\operatorname{var}}(z) = \\frac{1}{n-2} \\left[
          \\frac{(1-r^2)\\rho_c^2}{(1-\\rho_c^2) r^2}
          + \\frac{2 \\rho_c^3 (1-\\rho_c) u^2}{r (1-\\rho_c^2)^2}
          - \\frac{\\rho_c^4 u^4}{2 r^2 (1-\\rho_c^2)^2} \\right],

    back-transformed with :math:`\\tanh` (as in R's ``DescTools::CCC`` and ``epiR::epi.ccc``,
    ``ci = "z-transform"``). The bias :math:`\\bar d` has the interval
    :math:`\\bar d \\pm t_{n-1} s_d / \\sqrt n`; each limit of agreement
    :math:`\\bar d \\pm z s_d` has the approximate standard error
    :math:`\\sqrt{3 s_d^2 / n}` and the interval :math:`\\pm t_{n-1}` of it (Bland & Altman
    1986). The statistics assume independent pairs; for counts in consecutive periods the
    intervals are optimistic when the disagreement itself is autocorrelated.

    References
    ----------
    Lin, L. I. (1989). A concordance correlation coefficient to evaluate reproducibility.
    *Biometrics* 45: 255-268; correction, *Biometrics* 56 (2000): 324-325.
    Bland, J. M. & Altman, D. G. (1986). Statistical methods for assessing agreement between
    two methods of clinical measurement. *The Lancet* 327: 307-310.

    Checked against Bland & Altman's (1986) peak-flow example (mean difference, SD, limits and
    the interval of the lower limit as printed) and hand-computed cases (see the tests).

    Examples
    --------
    >>> agreement([1, 2, 3, 4, 5], [2, 3, 4, 5, 6], scale="raw").set_index("statistic").loc[
    ...     "lin_ccc", "estimate"]
    np.float64(0.8)
    """
    from scipy import stats

    check_option("scale", scale, Scale)
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must lie in (0, 1), got {conf_level!r}")
    if not loa_z > 0:
        raise ValueError(f"loa_z must be positive, got {loa_z!r}")
    x = np.asarray(pd.to_numeric(pd.Series(reference), errors="coerce"), dtype=float)
    y = np.asarray(pd.to_numeric(pd.Series(other), errors="coerce"), dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"reference and other must be paired (lengths {x.size} and {y.size})")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if scale == "log":
        if np.any(x <= 0) or np.any(y <= 0) or np.any(np.isinf(x)) or np.any(np.isinf(y)):
            raise ValueError("on the log scale every value must be positive and finite")
        x, y = np.log(x), np.log(y)
    n = x.size
    alpha = 1 - conf_level
    zq = stats.norm.ppf(1 - alpha / 2)
    nan = float("nan")
    rows: list[dict[str, object]] = []

    def add(name: str, est: float, lo: float = nan, hi: float = nan, p: float = nan) -> None:
        row = {"statistic": name, "estimate": est, "ci_low": lo, "ci_high": hi, "p_value": p}
        rows.append({**row, "note": ""})

    # Lin's concordance correlation coefficient
    ccc = lo = hi = nan
    if n >= 2:
        mx, my = x.mean(), y.mean()
        sx2, sy2 = x.var(), y.var()
        sxy = np.mean((x - mx) * (y - my))
        denominator = sx2 + sy2 + (mx - my) ** 2
        ccc = 2 * sxy / denominator if denominator > 0 else nan
        if n >= 3 and sx2 > 0 and sy2 > 0 and abs(ccc) < 1:
            r = sxy / np.sqrt(sx2 * sy2)
            u = (my - mx) / (sx2 * sy2) ** 0.25
            var_z = (
                (1 - r**2) * ccc**2 / ((1 - ccc**2) * r**2)
                + 2 * ccc**3 * (1 - ccc) * u**2 / (r * (1 - ccc**2) ** 2)
                - ccc**4 * u**4 / (2 * r**2 * (1 - ccc**2) ** 2)
            ) / (n - 2)
            if var_z >= 0:
                z = np.arctanh(ccc)
                lo, hi = np.tanh(z - zq * np.sqrt(var_z)), np.tanh(z + zq * np.sqrt(var_z))
    add("lin_ccc", float(ccc), float(lo), float(hi))

    # Spearman's rho
    rho = p_rho = nan
    if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        rho, p_rho, how = _spearman(x, y)
    add("spearman_rho", rho, p=p_rho)
    if not np.isnan(rho):
        rows[-1]["note"] = how

    # bias, its interval, and the limits of agreement
    d = y - x
    label = "log_ratio" if scale == "log" else "difference"
    mean_d = float(d.mean()) if n else nan
    sd_d = float(d.std(ddof=1)) if n >= 2 else nan
    if n >= 2:
        tq = stats.t.ppf(1 - alpha / 2, n - 1)
        se = sd_d / np.sqrt(n)
        p_mean = float(2 * stats.t.sf(abs(mean_d) / se, n - 1)) if se > 0 else nan
        mean_ci = (mean_d - tq * se, mean_d + tq * se)
        se_limit = np.sqrt(3 * sd_d**2 / n)
    else:
        tq = p_mean = se_limit = nan
        mean_ci = (nan, nan)
    add(f"mean_{label}", mean_d, float(mean_ci[0]), float(mean_ci[1]), p_mean)
    if scale == "log":
        add("ratio", float(np.exp(mean_d)), float(np.exp(mean_ci[0])), float(np.exp(mean_ci[1])))
    add(f"sd_{label}", sd_d)
    for name, limit in (("loa_low", mean_d - loa_z * sd_d), ("loa_high", mean_d + loa_z * sd_d)):
        add(name, float(limit), float(limit - tq * se_limit), float(limit + tq * se_limit))
    out = pd.DataFrame(rows)
    out["n"] = n
    out["statistic"] = out["statistic"].astype("string")
    return out
