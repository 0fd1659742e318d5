"""Shared helpers of the before/after statistics: option checks, series frames, count fits."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from analysis.errors import DataError

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
