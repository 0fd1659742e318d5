"""Shared helpers of the before/after statistics: option checks, series frames, count fits."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.errors import DataError

RateMethod = Literal["exact-cond", "cond-midp", "score", "wald", "wald-log"]
Alternative = Literal["two-sided", "larger", "smaller"]
Family = Literal["poisson", "quasipoisson", "negbin"]
CovType = Literal["nonrobust", "HAC"]
Information = Literal["expected", "observed"]
Assign = Literal["start", "strict"]

# The default family of before_after and its_fit, chosen by the coverage measured in
# benchmarks/coverage.py (see benchmarks/README.md).
DEFAULT_FAMILY: Family = "quasipoisson"


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")


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


@dataclass(frozen=True)
class CountFit:
    r"""A fitted log-linear count model, reduced to what the estimators need.

    Attributes
    ----------
    params, cov
        Coefficients of the design columns (log scale) and their covariance (the NB2
        dispersion is not among them).
    df_resid
        Observations minus estimated parameters (the NB2 dispersion counts as one).
    use_t
        True when the scale is estimated from the residuals (quasi-Poisson): Wald
        statistics are then referred to Student's t with ``df_resid`` degrees of freedom,
        as R's ``summary.glm`` does; otherwise to the standard normal.
    dispersion
        Pearson :math:`X^2/\mathrm{df}` of the fit for Poisson families, the NB2
        :math:`\alpha` for negbin.
    converged, deviance, mu
        As fitted; ``mu`` are the fitted counts.
    nb_alpha
        The NB2 dispersion :math:`\alpha` (variance :math:`\mu + \alpha\mu^2`), or None.
    information
        Where the standard errors come from: ``"expected"`` or ``"observed"`` Fisher
        information, or ``"HAC"`` (Newey-West sandwich).
    """

    params: np.ndarray
    cov: np.ndarray
    df_resid: float
    use_t: bool
    dispersion: float
    converged: bool
    deviance: float
    mu: np.ndarray
    nb_alpha: float | None
    information: str

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    @property
    def reference(self) -> str:
        """The reference distribution of the Wald statistics, e.g. ``"t(10)"`` or ``"normal"``."""
        return f"t({self.df_resid:g})" if self.use_t else "normal"

    def critical(self, alpha: float) -> float:
        return critical_value(alpha, self.df_resid if self.use_t else None)

    def p_values(self, null: float | np.ndarray = 0.0) -> np.ndarray:
        stat = (self.params - null) / self.se
        return two_sided_p(stat, self.df_resid if self.use_t else None)


def critical_value(alpha: float, df: float | None) -> float:
    """The two-sided ``1 - alpha`` quantile of t(df), or of the normal when ``df`` is None."""
    from scipy import stats

    if df is None or not np.isfinite(df):
        return float(stats.norm.isf(alpha / 2))
    if df <= 0:
        return float("nan")
    return float(stats.t.isf(alpha / 2, df))


def two_sided_p(stat: np.ndarray | float, df: float | None) -> np.ndarray:
    """Two-sided p-values of Wald statistics against t(df), or the normal when ``df`` is None."""
    from scipy import stats

    stat = np.abs(np.asarray(stat, dtype=float))
    if df is None or not np.isfinite(df):
        return 2 * stats.norm.sf(stat)
    if df <= 0:
        return np.full_like(stat, np.nan)
    return 2 * stats.t.sf(stat, df)


def _nb2_deviance(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0.0)
        return float(
            2 * np.sum(ylogy - (y + 1 / alpha) * np.log((1 + alpha * y) / (1 + alpha * mu)))
        )


def _fit_counts(
    y: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray,
    family: str,
    cov_type: str = "nonrobust",
    hac_maxlags: int | None = None,
    information: str = "expected",
) -> CountFit:
    r"""Fit a log-linear count model by maximum (quasi-)likelihood.

    Poisson: ML, standard errors from the Fisher information (expected equals observed
    for the canonical log link), normal reference. Quasi-Poisson: the Poisson estimates,
    their covariance scaled by Pearson's :math:`X^2/\mathrm{df}` (1 when the fit is
    perfect), t reference with the residual degrees of freedom. Negative binomial (NB2):
    joint ML of the coefficients and :math:`\alpha`; the coefficients' covariance is the
    inverse ``"expected"`` information given :math:`\hat\alpha`, :math:`(X^\top W X)^{-1}`
    with :math:`W = \mu / (1 + \alpha\mu)` (what R's ``MASS::glm.nb`` reports), or the
    ``"observed"`` information of the joint likelihood (the inverse Hessian, which also
    carries the uncertainty of :math:`\hat\alpha`); normal reference, as in R.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    k = X.shape[1]
    n = len(y)
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
            params = np.asarray(res.params)[:k]
            nb_alpha = float(res.params[-1])
            mu = np.exp(X @ params + offset)
            if cov_type == "HAC":
                cov, info = np.asarray(res.cov_params())[:k, :k], "HAC"
            elif information == "observed":
                cov, info = np.asarray(res.cov_params())[:k, :k], "observed"
            else:
                w = mu / (1 + nb_alpha * mu)
                cov, info = np.linalg.inv(X.T @ (w[:, None] * X)), "expected"
            converged = bool(res.mle_retvals.get("converged", True))
            return_fit = dict(
                params=params,
                cov=cov,
                df_resid=float(n - k - 1),
                use_t=False,
                dispersion=nb_alpha,
                deviance=_nb2_deviance(y, mu, nb_alpha),
                mu=mu,
                nb_alpha=nb_alpha,
                information=info,
            )
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
            return_fit = dict(
                params=np.asarray(res.params),
                cov=np.asarray(res.cov_params()),
                df_resid=float(res.df_resid),
                use_t=family == "quasipoisson",
                dispersion=dispersion,
                deviance=float(res.deviance),
                mu=np.asarray(res.fittedvalues),
                nb_alpha=None,
                information="HAC" if cov_type == "HAC" else "expected",
            )
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        converged = False
    return CountFit(converged=converged, **return_fit)
