"""Before and after: rates compared across a date, interrupted time series, sensitivity.

The functions here compare the rate of events (deaths, violations, incidents) before and
after a date, by default the arrival of the Wagner Group in Mali (December 2021):

- :func:`rate_ratio`: two Poisson rates compared, with exact and asymptotic intervals;
- :func:`before_after`: mean rate before and after a date on a regular series;
- :func:`its_fit`: segmented (interrupted time series) regression on counts;
- :func:`arrival_sensitivity` and :func:`placebo_dates`: how much hinges on the date;
- :func:`share_change`: perpetrator shares before and after;
- :func:`simulate_bounds`: qualifier intervals ("at least", "about") carried into a rate ratio.

Every function is pure: it returns a tidy DataFrame (or a small result object with
``.summary_frame()``/``.to_frame()``), never prints and never plots. statsmodels is imported
inside the functions that need it, so ``import analysis`` stays light.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from analysis.errors import DataError

__all__ = [
    "rate_ratio",
    "before_after",
    "its_fit",
    "ITSResult",
    "arrival_sensitivity",
    "placebo_dates",
    "share_change",
    "simulate_bounds",
    "BoundsSimulation",
]

RateMethod = Literal["exact-cond", "cond-midp", "score", "wald", "wald-log"]
Alternative = Literal["two-sided", "larger", "smaller"]
Family = Literal["poisson", "quasipoisson", "negbin"]
CovType = Literal["nonrobust", "HAC"]
Assign = Literal["start", "strict"]


def _check_option(name: str, value: object, kind: Any) -> None:
    allowed = get_args(kind)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")


# --------------------------------------------------------------------------------------
# two Poisson rates
# --------------------------------------------------------------------------------------


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
    inverts the mid-p tails. ``score`` and ``wald-log`` intervals come from
    ``statsmodels.stats.rates.confint_poisson_2indep``; ``wald`` inverts the Wald statistic
    :math:`(x_1 - x_2 r t_1/t_2) / \sqrt{x_1 + x_2 (r t_1/t_2)^2}` (W1A of Gu et al.) and
    is unbounded above when :math:`x_2 \le z^2`. All p-values come from
    ``statsmodels.stats.rates.test_poisson_2indep``. The counts are assumed Poisson and
    independent: overdispersed series (conflict deaths usually are) get intervals that are
    too narrow; see :func:`before_after` with ``family="negbin"``.

    Checked against R's ``poisson.test(c(11, 21), c(800, 3011))`` (its documented
    example), the R package ``exactci`` values stored in statsmodels' tests, and Gu, Ng,
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
    _check_option("method", method, RateMethod)
    _check_option("alternative", alternative, Alternative)
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


# --------------------------------------------------------------------------------------
# series helpers
# --------------------------------------------------------------------------------------


def _require_columns(data: pd.DataFrame, columns: Iterable[str | None]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    for col in columns:
        if col is not None and col not in data.columns:
            raise DataError(
                f"column {col!r} not found; the table has {list(map(str, data.columns))}",
                column=col,
                rule="required",
            )


def _series_frame(
    data: pd.DataFrame, *, count: str, time: str, exposure: str | None
) -> pd.DataFrame:
    """A clean copy: ``time`` (datetime), ``count`` (float, NaN rows dropped), ``exposure``."""
    _require_columns(data, [count, time, exposure])
    times = pd.to_datetime(data[time], errors="coerce")
    if times.isna().any():
        pos = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise DataError(f"row {pos} has no readable date in {time!r}", column=time, rule="date")
    counts = pd.to_numeric(data[count], errors="coerce").astype("float64")
    frame = pd.DataFrame({"time": times.to_numpy(), "count": counts.to_numpy()}, index=data.index)
    if exposure is not None:
        frame["exposure"] = (
            pd.to_numeric(data[exposure], errors="coerce").astype("float64").to_numpy()
        )
    else:
        frame["exposure"] = 1.0
    frame = frame[frame["count"].notna()]
    bad = frame[(frame["count"] < 0) | (frame["count"] != np.floor(frame["count"]))]
    if len(bad):
        raise DataError(
            f"counts must be non-negative whole numbers; row {bad.index[0]!r} has "
            f"{bad['count'].iloc[0]!r}",
            column=count,
            rule="count",
        )
    badx = frame[~(frame["exposure"] > 0)]
    if len(badx):
        raise DataError(
            f"exposure must be positive; row {badx.index[0]!r} has {badx['exposure'].iloc[0]!r}",
            column=exposure,
            rule="exposure",
        )
    if frame["time"].duplicated().any():
        dup = frame.loc[frame["time"].duplicated(), "time"].iloc[0]
        raise DataError(
            f"two rows share the period {pd.Timestamp(dup).date()}; aggregate first",
            column=time,
            rule="unique",
        )
    return frame.sort_values("time", kind="stable").reset_index(drop=True)


def _months(ts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    idx = pd.DatetimeIndex(ts)
    return np.asarray(idx.year * 12 + idx.month - 1, dtype=np.int64)


def _period_index(times: pd.Series) -> tuple[np.ndarray, int]:
    """Period number since the first period, from the dates, and the periods per year.

    Periods are calendar months, quarters or years (the step is the smallest gap in whole
    months between consecutive dates); gaps left by missing periods keep their place.
    """
    months = _months(times)
    if len(months) < 2:
        return np.zeros(len(months)), 12
    gaps = np.diff(months)
    step = int(gaps[gaps > 0].min()) if (gaps > 0).any() else 1
    if step not in (1, 3, 6, 12) or np.any(gaps % step) or np.any(gaps == 0):
        raise ValueError(
            "the series must be monthly, quarterly, half-yearly or yearly (dates a whole "
            f"number of periods apart); found gaps of {sorted(set(gaps.tolist()))} months"
        )
    return (months - months[0]) / step, 12 // step


def _as_date(date: object, name: str = "date") -> pd.Timestamp:
    try:
        ts = pd.Timestamp(date)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a date, got {date!r}") from None
    if ts is pd.NaT:
        raise ValueError(f"{name} must be a date, got {date!r}")
    return ts


# --------------------------------------------------------------------------------------
# before / after on a series
# --------------------------------------------------------------------------------------


def _fit_counts(
    y: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray,
    family: str,
    cov_type: str = "nonrobust",
    hac_maxlags: int | None = None,
) -> tuple[Any, float, bool]:
    """Fit a log-linear count model; return (results, dispersion, converged)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    cov_kwds = {"maxlags": hac_maxlags} if cov_type == "HAC" else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        if family == "negbin":
            from statsmodels.discrete.discrete_model import NegativeBinomial

            start = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit().params
            model = NegativeBinomial(y, X, offset=offset, loglike_method="nb2")
            res = model.fit(
                start_params=np.append(start, 0.1),
                disp=0,
                maxiter=200,
                cov_type=cov_type,
                cov_kwds=cov_kwds,
            )
            dispersion = float(res.params[-1])
            converged = bool(res.mle_retvals.get("converged", True))
        else:
            model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
            scale = 1.0
            if family == "quasipoisson":
                # Pearson's X2 / df; a perfect fit (X2 = 0) keeps the Poisson scale of 1
                first = model.fit()
                x2 = float(first.pearson_chi2) / first.df_resid if first.df_resid > 0 else 0.0
                scale = x2 if x2 > 0 else 1.0
            res = model.fit(scale=scale, cov_type=cov_type, cov_kwds=cov_kwds)
            dispersion = float(res.pearson_chi2 / res.df_resid) if res.df_resid > 0 else np.nan
            converged = bool(getattr(res, "converged", True))
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        converged = False
    return res, dispersion, converged


def before_after(
    data: pd.DataFrame,
    *,
    date: object,
    count: str = "count",
    time: str = "period_start",
    exposure: str | None = None,
    window: int | None = None,
    family: Family = "negbin",
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Mean rate before and after ``date`` on a regular series, and their ratio.

    Parameters
    ----------
    data
        One row per period: a count column, a period-start column and optionally an
        exposure column (e.g. ``exposure_days``). Rows with a missing count are dropped.
    date
        The interruption: periods starting on or after it are "after".
    count, time, exposure
        Column names. Without ``exposure`` every period weighs the same (rates are per
        period).
    window
        Keep only the ``window`` periods closest to ``date`` on each side (None: all).
    family
        ``"poisson"``, ``"quasipoisson"`` (Pearson-scaled standard errors) or ``"negbin"``
        (NB2, dispersion estimated; the default, since conflict counts are overdispersed).
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``periods_before, periods_after, count_before, count_after,
        exposure_before, exposure_after, rate_before, rate_after`` (total count over total
        exposure), ``estimate`` (rate after over rate before, from the model), ``ci_low,
        ci_high, p_value, family, dispersion`` (Pearson :math:`\chi^2/\mathrm{df}` for
        Poisson fits, NB2 :math:`\alpha` for negbin), ``converged``.

    Notes
    -----
    The model is :math:`\log E[y_t] = \log e_t + \beta_0 + \beta_1 \mathbf{1}[t \ge
    \text{date}]`, so :math:`e^{\beta_1}` is the ratio of the mean rates. With
    ``family="poisson"`` this is exactly the ratio of the totals, and its Wald interval is
    :math:`\exp(\log \widehat{RR} \pm z \sqrt{1/C_{after} + 1/C_{before}})`, the
    ``wald-log`` interval of :func:`rate_ratio` (checked in the tests). No trend or
    seasonality is modelled: use :func:`its_fit` for that.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"period_start": pd.date_range("2021-01-01", periods=6, freq="QS"),
    ...                   "count": [10, 12, 9, 30, 28, 35]})
    >>> r = before_after(s, date="2021-10-01", family="poisson")
    >>> round(float(r["estimate"].iloc[0]), 4)
    3.0
    """
    _check_option("family", family, Family)
    _check_alpha(alpha)
    when = _as_date(date)
    frame = _series_frame(data, count=count, time=time, exposure=exposure)
    after = (frame["time"] >= when).to_numpy()
    if window is not None:
        if not isinstance(window, int | np.integer) or window < 1:
            raise ValueError(f"window must be a positive whole number of periods, got {window!r}")
        keep_before = np.flatnonzero(~after)[-window:]
        keep_after = np.flatnonzero(after)[:window]
        frame = frame.iloc[np.sort(np.concatenate([keep_before, keep_after]))]
        after = (frame["time"] >= when).to_numpy()
    n_before, n_after = int((~after).sum()), int(after.sum())
    if n_before == 0 or n_after == 0:
        raise ValueError(
            f"the series needs periods on both sides of {when.date()}: it has {n_before} "
            f"before and {n_after} after"
        )
    needed = 3 if family != "poisson" else 2
    if len(frame) < needed:
        raise ValueError(
            f"family={family!r} needs at least {needed} periods, the series has {len(frame)}"
        )
    y = frame["count"].to_numpy()
    e = frame["exposure"].to_numpy()
    c_b, c_a = float(y[~after].sum()), float(y[after].sum())
    e_b, e_a = float(e[~after].sum()), float(e[after].sum())
    row: dict[str, Any] = {
        "periods_before": n_before,
        "periods_after": n_after,
        "count_before": c_b,
        "count_after": c_a,
        "exposure_before": e_b,
        "exposure_after": e_a,
        "rate_before": c_b / e_b,
        "rate_after": c_a / e_a,
    }
    if c_b == 0 or c_a == 0:
        raise ValueError(
            f"one side of {when.date()} has no events (before: {c_b:g}, after: {c_a:g}); "
            "the log-linear model is not estimable: use rate_ratio(method='exact-cond')"
        )
    X = np.column_stack([np.ones(len(y)), after.astype(float)])
    res, dispersion, converged = _fit_counts(y, X, np.log(e), family)
    from scipy import stats

    b, se = float(res.params[1]), float(res.bse[1])
    z = stats.norm.isf(alpha / 2)
    row.update(
        estimate=math.exp(b),
        ci_low=math.exp(b - z * se),
        ci_high=math.exp(b + z * se),
        p_value=float(res.pvalues[1]),
        family=family,
        dispersion=dispersion,
        converged=converged,
    )
    return pd.DataFrame([row])


# --------------------------------------------------------------------------------------
# interrupted time series
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ITSResult:
    """A fitted segmented regression; see :func:`its_fit`.

    Attributes
    ----------
    frame
        The model frame: ``time, period, count, exposure, after, since`` and the Fourier
        terms, one row per observed period.
    terms
        Names of the model terms, in the order of ``params``.
    params, cov
        Coefficients on the log scale and their covariance matrix.
    family, cov_type, date, alpha, dispersion, converged, df_resid
        As fitted.
    """

    frame: pd.DataFrame
    terms: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    p_values: np.ndarray
    family: str
    cov_type: str
    date: pd.Timestamp
    alpha: float
    dispersion: float
    converged: bool
    df_resid: float
    fitted_values: np.ndarray
    pearson_residuals: np.ndarray
    deviance: float
    periods_per_year: int
    nb_alpha: float | None = None
    _design: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]

    def summary_frame(self) -> pd.DataFrame:
        """One row per term: ``estimate`` (exp of the coefficient: a rate ratio, or the
        baseline rate for ``baseline``), ``ci_low, ci_high, p_value``, ``coef`` and ``se``
        (log scale)."""
        from scipy import stats

        z = stats.norm.isf(self.alpha / 2)
        se = np.sqrt(np.diag(self.cov))
        out = pd.DataFrame(
            {
                "estimate": np.exp(self.params),
                "ci_low": np.exp(self.params - z * se),
                "ci_high": np.exp(self.params + z * se),
                "p_value": self.p_values,
                "coef": self.params,
                "se": se,
            },
            index=pd.Index(self.terms, name="term"),
        )
        return out

    to_frame = summary_frame

    def counterfactual(self) -> pd.DataFrame:
        """Fitted series and the series without the interruption, with its interval.

        Returns a DataFrame per observed period: ``time, count, exposure, fitted,
        counterfactual, cf_ci_low, cf_ci_high`` (the interval of the expected count with
        ``level_change`` and ``slope_change`` set to zero, by the delta method on the
        linear predictor), and ``after``. Before the date the counterfactual equals the
        fit.
        """
        from scipy import stats

        z = stats.norm.isf(self.alpha / 2)
        X = self._design.copy()
        for name in ("level_change", "slope_change"):
            if name in self.terms:
                X[:, self.terms.index(name)] = 0.0
        offset = np.log(self.frame["exposure"].to_numpy())
        eta = X @ self.params + offset
        var = np.einsum("ij,jk,ik->i", X, self.cov, X)
        sd = np.sqrt(np.maximum(var, 0))
        return pd.DataFrame(
            {
                "time": self.frame["time"].to_numpy(),
                "count": self.frame["count"].to_numpy(),
                "exposure": self.frame["exposure"].to_numpy(),
                "fitted": self.fitted_values,
                "counterfactual": np.exp(eta),
                "cf_ci_low": np.exp(eta - z * sd),
                "cf_ci_high": np.exp(eta + z * sd),
                "after": self.frame["after"].to_numpy(),
            }
        )

    def diagnostics(self, *, lags: int | None = None) -> pd.DataFrame:
        """Dispersion and residual autocorrelation.

        Returns one row: ``n_obs, df_resid, deviance, pearson_chi2, dispersion``
        (Pearson :math:`\\chi^2` / df), ``durbin_watson`` and the Ljung-Box test on the
        Pearson residuals (``lb_lags, lb_stat, lb_p_value``; ``lags`` defaults to the
        periods per year, at most n/4). Residuals are taken in time order, ignoring gaps.
        """
        from statsmodels.stats.diagnostic import acorr_ljungbox
        from statsmodels.stats.stattools import durbin_watson

        r = self.pearson_residuals
        n = len(r)
        if lags is None:
            lags = max(1, min(self.periods_per_year, n // 4))
        lb = acorr_ljungbox(r, lags=[lags], return_df=True)
        chi2 = float(np.sum(r**2))
        return pd.DataFrame(
            {
                "n_obs": [n],
                "df_resid": [self.df_resid],
                "deviance": [self.deviance],
                "pearson_chi2": [chi2],
                "dispersion": [chi2 / self.df_resid if self.df_resid > 0 else np.nan],
                "durbin_watson": [float(durbin_watson(r))],
                "lb_lags": [lags],
                "lb_stat": [float(lb["lb_stat"].iloc[0])],
                "lb_p_value": [float(lb["lb_pvalue"].iloc[0])],
            }
        )


def its_fit(
    data: pd.DataFrame,
    *,
    date: object,
    count: str = "count",
    time: str = "period_start",
    exposure: str | None = None,
    seasonality: int = 0,
    slope_change: bool = False,
    family: Family = "quasipoisson",
    cov_type: CovType = "nonrobust",
    hac_maxlags: int | None = None,
    alpha: float = 0.05,
) -> ITSResult:
    r"""Segmented (interrupted time series) regression of counts on a trend and a step.

    Parameters
    ----------
    data
        One row per period (monthly, quarterly, half-yearly or yearly period starts). Rows
        with a missing count (a period no source covered) are dropped, but the time index
        is computed from the dates, so gaps do not shift the trend.
    date
        The interruption; periods starting on or after it are "after".
    count, time, exposure
        Column names; ``exposure`` (e.g. days in the period) enters as a log offset.
    seasonality
        Number of Fourier pairs :math:`\sin(2\pi k t/P), \cos(2\pi k t/P)`, with :math:`P`
        the periods per year (12 monthly, 4 quarterly). At most :math:`P/2`.
    slope_change
        Add a change of slope after the date.
    family
        ``"quasipoisson"`` (default: Poisson with errors scaled by Pearson's
        :math:`X^2`/df, or by 1 when the fit is perfect), ``"poisson"`` or
        ``"negbin"`` (NB2, dispersion estimated by maximum likelihood).
    cov_type
        ``"nonrobust"`` or ``"HAC"`` (Newey-West, ``hac_maxlags`` lags; default the
        periods per year, at most n/4), against residual autocorrelation.
    alpha
        1 - confidence level.

    Returns
    -------
    ITSResult
        ``.summary_frame()`` indexed by term (``baseline``, ``trend``, ``level_change``,
        ``slope_change``, ``sin1``, ``cos1``, ...) with ``estimate`` as a ratio (exp of
        the coefficient), ``ci_low, ci_high, p_value``; ``.counterfactual()``;
        ``.diagnostics()``.

    Notes
    -----
    With :math:`t` the period number since the first period and :math:`t_0` that of the
    first period on or after the date,

    .. math:: \log E[y_t] = \log e_t + \beta_0 + \beta_1 t + \beta_2 \mathbf{1}[t\ge t_0]
              + \beta_3 (t - t_0)_+ + \sum_k \gamma_k \sin(2\pi k t/P) + \delta_k
              \cos(2\pi k t/P).

    ``level_change`` is :math:`e^{\beta_2}`: the ratio of the expected count just after
    the date to the extrapolated pre-date trend; ``trend`` and ``slope_change`` are ratios
    per period. Assumes the pre-date trend would have continued (log-linearly) and that
    nothing else changed at the date. Follows Bernal, Cummins & Gasparrini (2017).

    References
    ----------
    Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for
    the evaluation of public health interventions: a tutorial. Int J Epidemiol
    46(1):348-355.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(24)
    >>> s = pd.DataFrame({"period_start": pd.date_range("2020-01-01", periods=24, freq="MS"),
    ...                   "count": np.round(50 * np.exp(0.01 * t) * np.where(t >= 12, 2, 1))})
    >>> fit = its_fit(s, date="2021-01-01")
    >>> round(float(fit.summary_frame().loc["level_change", "estimate"]), 2)
    2.0
    """
    _check_option("family", family, Family)
    _check_option("cov_type", cov_type, CovType)
    _check_alpha(alpha)
    when = _as_date(date)
    if not isinstance(seasonality, int | np.integer) or seasonality < 0:
        raise ValueError(f"seasonality must be a non-negative whole number, got {seasonality!r}")
    frame = _series_frame(data, count=count, time=time, exposure=exposure)
    period, per_year = _period_index(frame["time"])
    if seasonality > per_year // 2:
        raise ValueError(
            f"seasonality={seasonality} needs more than {2 * seasonality} periods per year; "
            f"this series has {per_year}"
        )
    after = (frame["time"] >= when).to_numpy()
    n_before, n_after = int((~after).sum()), int(after.sum())
    if n_before == 0 or n_after == 0:
        raise ValueError(
            f"the series needs observed periods on both sides of {when.date()}: it has "
            f"{n_before} before and {n_after} after"
        )
    if slope_change and n_after < 2:
        raise ValueError(
            f"slope_change needs at least 2 observed periods after {when.date()}, "
            f"the series has {n_after}"
        )
    # t0: the period number of the date itself (the first period starting on or after it)
    t0 = float(period[after].min())
    frame = frame.assign(period=period, after=after.astype(float))
    columns = {"baseline": np.ones(len(frame)), "trend": period, "level_change": after * 1.0}
    if slope_change:
        columns["slope_change"] = np.where(after, period - t0, 0.0)
    for k in range(1, seasonality + 1):
        columns[f"sin{k}"] = np.sin(2 * np.pi * k * period / per_year)
        columns[f"cos{k}"] = np.cos(2 * np.pi * k * period / per_year)
        if 2 * k == per_year:  # the sine of the Nyquist term is identically zero
            del columns[f"sin{k}"]
    terms = tuple(columns)
    X = np.column_stack(list(columns.values()))
    needed = len(terms) + (0 if family == "poisson" else 1) + 1
    if len(frame) < needed:
        raise ValueError(
            f"the model has {len(terms)} terms ({', '.join(terms)}) and needs at least "
            f"{needed} observed periods; the series has {len(frame)}"
        )
    frame = frame.assign(**{k: v for k, v in columns.items() if k != "baseline"})
    y = frame["count"].to_numpy()
    offset = np.log(frame["exposure"].to_numpy())
    if hac_maxlags is None:
        hac_maxlags = max(1, min(per_year, len(frame) // 4))
    res, dispersion, converged = _fit_counts(y, X, offset, family, cov_type, hac_maxlags)
    k = len(terms)
    params = np.asarray(res.params)[:k]
    cov = np.asarray(res.cov_params())[:k, :k]
    p_values = np.asarray(res.pvalues)[:k]
    mu = np.exp(X @ params + offset)
    nb_alpha = float(res.params[-1]) if family == "negbin" else None
    var = mu + (nb_alpha or 0.0) * mu**2
    pearson = (y - mu) / np.sqrt(var)
    if family == "negbin":
        deviance = float(
            2
            * np.sum(
                np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0)
                - (y + 1 / nb_alpha) * np.log((1 + nb_alpha * y) / (1 + nb_alpha * mu))
            )
        )
    else:
        deviance = float(res.deviance)
    return ITSResult(
        frame=frame,
        terms=terms,
        params=params,
        cov=cov,
        p_values=p_values,
        family=family,
        cov_type=cov_type,
        date=when,
        alpha=alpha,
        dispersion=dispersion,
        converged=converged,
        df_resid=float(len(frame) - k - (1 if family == "negbin" else 0)),
        fitted_values=mu,
        pearson_residuals=pearson,
        deviance=deviance,
        periods_per_year=per_year,
        nb_alpha=nb_alpha,
        _design=X,
    )


def _level_rows(data: pd.DataFrame, dates: Iterable[object], **its_options: Any) -> pd.DataFrame:
    if "date" in its_options:
        raise TypeError("pass the dates to try as dates=, not date=")
    rows = []
    for d in dates:
        when = _as_date(d, "dates")
        row: dict[str, Any] = {"date": when}
        try:
            fit = its_fit(data, date=when, **its_options)
        except (ValueError, DataError) as err:
            if isinstance(err, DataError):
                raise
            row.update(
                estimate=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan,
                periods_before=np.nan, periods_after=np.nan, note=str(err),
            )  # fmt: skip
        else:
            lc = fit.summary_frame().loc["level_change"]
            after = fit.frame["after"].to_numpy().astype(bool)
            row.update(
                estimate=float(lc["estimate"]),
                ci_low=float(lc["ci_low"]),
                ci_high=float(lc["ci_high"]),
                p_value=float(lc["p_value"]),
                periods_before=int((~after).sum()),
                periods_after=int(after.sum()),
                note="" if fit.converged else "did not converge",
            )
        rows.append(row)
    return pd.DataFrame(rows)


def arrival_sensitivity(
    data: pd.DataFrame, *, dates: Sequence[object], **its_options: Any
) -> pd.DataFrame:
    """The level change of :func:`its_fit` re-estimated for each date in ``dates``.

    Parameters
    ----------
    data
        As for :func:`its_fit`.
    dates
        Candidate arrival dates (e.g. the alternatives in ``data/hand/interventions``).
    **its_options
        Passed to :func:`its_fit` (``count``, ``time``, ``exposure``, ``family``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per date: ``date, estimate`` (level change as a ratio), ``ci_low,
        ci_high, p_value, periods_before, periods_after, note`` (why a date could not be
        fitted, e.g. too few periods on one side; the other columns are then NaN).

    Notes
    -----
    On a quarterly series dates inside the same quarter give the same split, hence the
    same estimate: the series' resolution bounds what can be learnt about the date.
    """
    return _level_rows(data, dates, **its_options)


def placebo_dates(
    data: pd.DataFrame,
    *,
    dates: Sequence[object],
    actual_date: object | None = None,
    **its_options: Any,
) -> pd.DataFrame:
    """Placebo interruptions: the level change estimated at dates where nothing happened.

    Parameters
    ----------
    data
        As for :func:`its_fit`.
    dates
        Placebo dates, all before ``actual_date``.
    actual_date
        The real interruption. When given, periods starting on or after it are dropped
        before fitting, so the real change cannot leak into the placebo estimates.
    **its_options
        Passed to :func:`its_fit`.

    Returns
    -------
    pandas.DataFrame
        As :func:`arrival_sensitivity`, plus ``placebo`` (True). Level changes at placebo
        dates that are as large as the one at the real date weaken the case that the
        real date caused it.
    """
    data_used = data
    if actual_date is not None:
        real = _as_date(actual_date, "actual_date")
        late = [d for d in dates if _as_date(d, "dates") >= real]
        if late:
            raise ValueError(
                f"placebo dates must fall before actual_date {real.date()}: got {late}"
            )
        time = its_options.get("time", "period_start")
        _require_columns(data, [time])
        data_used = data[pd.to_datetime(data[time]) < real]
    out = _level_rows(data_used, dates, **its_options)
    out["placebo"] = True
    return out


# --------------------------------------------------------------------------------------
# shares
# --------------------------------------------------------------------------------------


def _as_counts(name: str, counts: Mapping[str, float] | pd.Series) -> pd.Series:
    s = pd.Series(counts, dtype="float64") if isinstance(counts, Mapping) else counts
    if not isinstance(s, pd.Series):
        raise TypeError(f"{name} must be a mapping or Series of counts by group")
    s = pd.to_numeric(s, errors="coerce").astype("float64")
    if s.isna().any() or (s < 0).any() or (s != np.floor(s)).any():
        raise ValueError(f"{name} must hold non-negative whole counts, got {s.to_dict()}")
    return s.groupby(level=0).sum()


def share_change(
    before: Mapping[str, float] | pd.Series,
    after: Mapping[str, float] | pd.Series,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Each group's share of the events before and after, and the change in share.

    Parameters
    ----------
    before, after
        Counts by group (perpetrator group, say), as a mapping or a Series indexed by
        group. A group missing on one side counts 0 there.
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group, count_before, count_after, share_before,
        share_after, estimate`` (share after minus share before), ``ci_low, ci_high``
        (Newcombe's hybrid score interval), ``p_value`` (score test of equal shares).

    Notes
    -----
    Each group's share is treated as a binomial proportion of its period's total, the two
    periods independent: :math:`\hat p_a - \hat p_b` with Newcombe's (1998) method 10
    interval, built from Wilson intervals, which behaves with small counts and shares near
    0 or 1 (``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``).
    The intervals are per group, not simultaneous; the shares of a period sum to 1, so
    the changes sum to 0.

    References
    ----------
    Newcombe RG (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17:873-890.
    """
    _check_alpha(alpha)
    from statsmodels.stats.proportion import (
        confint_proportions_2indep,
        test_proportions_2indep,
    )

    b = _as_counts("before", before)
    a = _as_counts("after", after)
    groups = b.index.union(a.index)
    b, a = b.reindex(groups, fill_value=0.0), a.reindex(groups, fill_value=0.0)
    nb, na = float(b.sum()), float(a.sum())
    if nb == 0 or na == 0:
        raise ValueError(f"both periods need events: before has {nb:g}, after has {na:g}")
    rows = []
    for g in groups:
        xb, xa = float(b[g]), float(a[g])
        low, high = confint_proportions_2indep(
            xa, na, xb, nb, method="newcomb", compare="diff", alpha=alpha
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            p = test_proportions_2indep(xa, na, xb, nb, method="score", compare="diff").pvalue
        rows.append(
            {
                "group": g,
                "count_before": xb,
                "count_after": xa,
                "share_before": xb / nb,
                "share_after": xa / na,
                "estimate": xa / na - xb / nb,
                "ci_low": float(low),
                "ci_high": float(high),
                "p_value": float(p) if np.isfinite(p) else 1.0,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# qualifier intervals carried into a rate ratio
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundsSimulation:
    """The result of :func:`simulate_bounds`.

    Attributes
    ----------
    summary
        One-row DataFrame (see :func:`simulate_bounds`).
    rows
        The rows used, with their side (``before``/``after``), days, ``low``, ``high``
        (after the cap on open intervals) and ``point``.
    dropped
        The rows left out by ``exclude_incidents`` (``tally_id``, ``incident_id``,
        ``line`` where present).
    draws
        The simulated ratios (None unless ``return_draws=True``).
    """

    summary: pd.DataFrame
    rows: pd.DataFrame
    dropped: pd.DataFrame
    draws: np.ndarray | None = None

    def summary_frame(self) -> pd.DataFrame:
        return self.summary

    to_frame = summary_frame


def simulate_bounds(
    tallies: pd.DataFrame,
    *,
    date: object,
    n: int = 1000,
    seed: int = 0,
    about_width: float = 0.1,
    open_width: float = 0.5,
    exclude_incidents: Sequence[str] = (),
    assign: Assign = "start",
    return_draws: bool = False,
    alpha: float = 0.05,
) -> BoundsSimulation:
    r"""Carry each figure's qualifier interval into the before/after rate ratio.

    Parameters
    ----------
    tallies
        Either a tally series as rows of the evidence table, one per period
        (``period_start``, ``period_end``, ``qualifier``, ``value``, ``value_low``,
        ``value_high``; optional ``incident_id``, ``tally_id``, ``line``), or the output of
        :func:`analysis.harmonize.periods.tally_series` (``count_low``, ``count_high``,
        ``exposure_days``; periods without a figure are dropped and listed in
        ``.dropped``; two copies that disagree give the interval between them). Periods on
        one side must not overlap.
    date
        The interruption.
    n, seed
        Number of draws and the seed of ``numpy.random.default_rng``.
    about_width
        Relative half-width of "about" (and lower reach of "nearly"); see
        :func:`analysis.sources.tallies.tally_bounds`.
    open_width
        Upper cap of open intervals ("at least", "over", "more than"): :math:`[v, (1 +
        w) v]`. The published words give no upper bound, so the cap is an assumption:
        vary it to see how much it matters.
    exclude_incidents
        Incident ids whose rows are dropped (listed in ``.dropped``). Evidence-table rows
        only; for a series, pass them to ``tally_series``.
    assign
        ``"start"`` (default): a period belongs to the side on which it starts, as in
        :func:`before_after` and :func:`its_fit` (a quarter starting before a December
        arrival is "before"); ``"strict"``: a period that straddles the date is an error.
    return_draws
        Keep the simulated ratios in ``.draws``.
    alpha
        The percentile interval covers :math:`1 - \alpha` of the draws.

    Returns
    -------
    BoundsSimulation
        ``.summary_frame()``: one row with ``estimate`` (median ratio of draws),
        ``ci_low, ci_high`` (percentile interval of the draws), ``share_above_1``,
        ``point_estimate`` (the ratio of the published point values; midpoints where
        copies disagree), ``low_estimate`` and ``high_estimate`` (every figure at the end
        of its interval that makes the ratio smallest, and largest), ``rows_before,
        rows_after, straddling_rows, days_before, days_after, n_draws, seed, about_width,
        open_width, dropped_rows``.

    Notes
    -----
    Each figure is drawn independently and uniformly on its interval: the words "at least
    300" say the count lies in an interval, nothing about where within it, and the uniform
    is the simplest statement of that ignorance. The ratio of each draw is
    :math:`(\sum_{after} x / D_{after}) / (\sum_{before} x / D_{before})` with :math:`D`
    the days covered (inclusive of both ends). The spread measures only the vagueness of
    the published words: it is not a sampling interval (see :func:`rate_ratio` for that)
    and says nothing about undercounting that every figure shares.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"period_start": pd.to_datetime(["2021-01-01", "2022-01-01"]),
    ...                   "period_end": pd.to_datetime(["2021-12-31", "2022-12-31"]),
    ...                   "qualifier": ["exact", "at_least"], "value": [100, 200],
    ...                   "value_low": [None, None], "value_high": [None, None]})
    >>> s = simulate_bounds(t, date="2022-01-01", n=200).summary_frame()
    >>> bool(s["ci_low"].iloc[0] >= 2.0)
    True
    """
    from analysis.sources.tallies import tally_bounds

    _check_alpha(alpha)
    _check_option("assign", assign, Assign)
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    if not (math.isfinite(open_width) and open_width >= 0):
        raise ValueError(f"open_width must be a non-negative number, got {open_width!r}")
    if isinstance(exclude_incidents, str):
        exclude_incidents = [exclude_incidents]
    when = _as_date(date)
    is_series = {"count_low", "count_high"} <= set(tallies.columns) and (
        "qualifier" not in tallies.columns
    )
    if is_series:
        _require_columns(tallies, ["period_start", "period_end"])
        if exclude_incidents:
            raise ValueError(
                "exclude_incidents applies to evidence-table rows; for a series built by "
                "tally_series, pass exclude_incidents to tally_series"
            )
        missing = pd.to_numeric(tallies["count_low"], errors="coerce").isna().to_numpy()
        keep_cols = [c for c in ("period_start", "tally_ids", "note") if c in tallies.columns]
        dropped = tallies.loc[missing, keep_cols].reset_index(drop=True)
        table = tallies.loc[~missing]
    else:
        _require_columns(tallies, ["period_start", "period_end", "qualifier", "value"])
        table = tallies
        if exclude_incidents:
            _require_columns(tallies, ["incident_id"])
            incident = tallies["incident_id"].astype("string")
            drop = incident.isin(list(exclude_incidents)).fillna(False).to_numpy(dtype=bool)
            keep_cols = [c for c in ("tally_id", "incident_id", "line") if c in tallies.columns]
            dropped = tallies.loc[drop, keep_cols].reset_index(drop=True)
            table = tallies.loc[~drop]
        else:
            dropped = pd.DataFrame(columns=["tally_id", "incident_id", "line"])
    if table.empty:
        raise ValueError("no rows left to simulate")

    def where(i: int) -> dict[str, Any]:
        if "line" in table.columns and pd.notna(table["line"].iloc[i]):
            return {"line": int(table["line"].iloc[i])}
        return {}

    start = pd.to_datetime(table["period_start"])
    end = pd.to_datetime(table["period_end"])
    for i in range(len(table)):
        if pd.isna(start.iloc[i]) or pd.isna(end.iloc[i]) or end.iloc[i] < start.iloc[i]:
            raise DataError(
                "each row needs a period_start on or before its period_end",
                column="period_end",
                rule="period",
                **where(i),
            )
    straddles = ((start < when) & (end >= when)).to_numpy()
    if assign == "strict" and straddles.any():
        i = int(np.flatnonzero(straddles)[0])
        raise DataError(
            f"the period {start.iloc[i].date()} to {end.iloc[i].date()} straddles "
            f"{when.date()}; split it, leave it out or use assign='start'",
            column="period_start",
            rule="straddles",
            **where(i),
        )
    is_after = (start >= when).to_numpy()
    side = np.where(is_after, "after", "before")
    for label in ("before", "after"):
        idx = np.flatnonzero(side == label)
        if len(idx) == 0:
            raise ValueError(f"no rows {label} {when.date()}")
        order = idx[np.argsort(start.iloc[idx].to_numpy(), kind="stable")]
        for a, b in zip(order[:-1], order[1:], strict=False):
            if start.iloc[b] <= end.iloc[a]:
                raise DataError(
                    f"periods overlap ({start.iloc[a].date()}-{end.iloc[a].date()} and "
                    f"{start.iloc[b].date()}-{end.iloc[b].date()}): the same deaths would "
                    "be counted twice",
                    column="period_start",
                    rule="overlap",
                    **where(int(b)),
                )

    if is_series:
        low = pd.to_numeric(table["count_low"], errors="coerce").to_numpy(dtype=float)
        high = pd.to_numeric(table["count_high"], errors="coerce").to_numpy(dtype=float)
        published = pd.to_numeric(table.get("count"), errors="coerce")
        mid = np.where(np.isinf(high), low, (low + high) / 2)
        point = mid if published is None else np.where(published.isna(), mid, published.to_numpy())
        point = np.asarray(point, dtype=float)
    else:
        bounds = tally_bounds(table, about_width=about_width)
        low = bounds["low"].to_numpy(dtype=float)
        high = bounds["high"].to_numpy(dtype=float)
        point = bounds["point"].to_numpy(dtype=float)
    if np.isnan(low).any() or np.isnan(high).any():
        i = int(np.flatnonzero(np.isnan(low) | np.isnan(high))[0])
        raise DataError(
            "a figure has no value (or no value_low/value_high for 'between')",
            column="value",
            rule="required",
            **where(i),
        )
    high = np.where(np.isinf(high), low * (1 + open_width), high)
    if is_series and "exposure_days" in table.columns:
        days = pd.to_numeric(table["exposure_days"], errors="coerce").to_numpy(dtype=float)
    else:
        days = ((end - start).dt.days + 1).to_numpy(dtype=float)
    d_b, d_a = days[~is_after].sum(), days[is_after].sum()

    def ratio(values: np.ndarray) -> np.ndarray:
        after_sum = values[..., is_after].sum(axis=-1)
        before_sum = values[..., ~is_after].sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (after_sum / d_a) / (before_sum / d_b)

    rng = np.random.default_rng(seed)
    draws = rng.uniform(low, high, size=(int(n), len(low)))
    ratios = ratio(draws)
    smallest = np.where(is_after, low, high)
    largest = np.where(is_after, high, low)
    summary = pd.DataFrame(
        {
            "estimate": [float(np.median(ratios))],
            "ci_low": [float(np.quantile(ratios, alpha / 2))],
            "ci_high": [float(np.quantile(ratios, 1 - alpha / 2))],
            "share_above_1": [float(np.mean(ratios > 1))],
            "point_estimate": [float(ratio(point))],
            "low_estimate": [float(ratio(smallest))],
            "high_estimate": [float(ratio(largest))],
            "rows_before": [int((~is_after).sum())],
            "rows_after": [int(is_after.sum())],
            "straddling_rows": [int(straddles.sum())],
            "days_before": [float(d_b)],
            "days_after": [float(d_a)],
            "n_draws": [int(n)],
            "seed": [seed],
            "about_width": [about_width],
            "open_width": [open_width],
            "dropped_rows": [len(dropped)],
        }
    )
    ids = ("tally_id", "tally_ids", "incident_id", "line", "qualifier", "value")
    keep = [c for c in ids if c in table.columns]
    rows = (
        table[keep]
        .reset_index(drop=True)
        .assign(
            period_start=start.to_numpy(),
            period_end=end.to_numpy(),
            side=side,
            days=days,
            low=low,
            high=high,
            point=point,
        )
    )
    return BoundsSimulation(
        summary=summary, rows=rows, dropped=dropped, draws=ratios if return_draws else None
    )
