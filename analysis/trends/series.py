"""Mean rates before and after a date (:func:`before_after`) and shares (:func:`share_change`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.trends._common import (
    DEFAULT_FAMILY,
    Family,
    Information,
    _as_date,
    _check_alpha,
    _fit_counts,
    _series_frame,
)

__all__ = ["before_after", "share_change"]


def before_after(
    data: pd.DataFrame,
    *,
    date: object,
    count: str = "count",
    time: str = "period_start",
    exposure: str | None = None,
    window: int | None = None,
    family: Family = DEFAULT_FAMILY,
    information: Information = "expected",
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
        ``"quasipoisson"`` (the default: Poisson estimates with standard errors scaled by
        Pearson's :math:`X^2/\mathrm{df}`, and t intervals), ``"negbin"`` (NB2, dispersion
        estimated by maximum likelihood, normal intervals) or ``"poisson"`` (no
        overdispersion; rarely defensible for deaths).
    information
        For ``"negbin"``: the standard errors from the ``"expected"`` information given
        the estimated dispersion (the default; what R's ``MASS::glm.nb`` reports) or the
        ``"observed"`` information of the joint likelihood (the inverse Hessian).
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``periods_before, periods_after, count_before, count_after,
        exposure_before, exposure_after, rate_before, rate_after`` (total count over total
        exposure), ``estimate`` (rate after over rate before, from the model), ``ci_low,
        ci_high, p_value, family, dispersion`` (Pearson :math:`\chi^2/\mathrm{df}` for
        Poisson fits, NB2 :math:`\alpha` for negbin), ``reference`` (the distribution of
        the Wald statistic: ``"t(df)"`` or ``"normal"``), ``df_resid``, ``information``
        (where the standard errors come from), ``converged``.

    Notes
    -----
    The model is :math:`\log E[y_t] = \log e_t + \beta_0 + \beta_1 \mathbf{1}[t \ge
    \text{date}]`, so :math:`e^{\beta_1}` is the ratio of the mean rates. With
    ``family="poisson"`` this is exactly the ratio of the totals, and its Wald interval is
    :math:`\exp(\log \widehat{RR} \pm z \sqrt{1/C_{after} + 1/C_{before}})`, the
    ``wald-log`` interval of :func:`rate_ratio` (checked in the tests). No trend or
    seasonality is modelled: use :func:`its_fit` for that, and :func:`robustness` for the
    checks around this estimate.

    **Reference distribution.** When the dispersion is estimated from the residuals
    (quasi-Poisson), the Wald statistic is referred to Student's t with the residual
    degrees of freedom, for the p-value and the interval alike, as R's ``summary.glm``
    does; on a dozen periods t(10) instead of the normal widens a 95% interval by 14%.
    Poisson and negative-binomial fits (maximum likelihood) use the normal, as R does.

    **Why quasi-Poisson by default.** In ``benchmarks/coverage.py`` (seeded 12-quarter
    series shaped like MINUSMA's: 7 quarters before, 5 after, NB2-overdispersed) the 95%
    quasi-Poisson t interval covered the true ratio of mean rates in 96.4% (no change),
    94.9% (a step) and 95.6% (a trend and a step) of 1,000 series; the negative binomial's
    in 90-91%, with either information matrix; the Poisson's in about 22%. Under AR(1)
    errors (serial correlation 0.6) every interval undercovers (quasi-Poisson 75%): the
    periods are not independent and nothing here corrects for that; a short series
    cannot estimate the correlation well either.

    Checked against R: ``glm(y ~ after + offset(log(days)), family = quasipoisson)`` with
    a t interval, and ``MASS::glm.nb`` (``tests/stats/test_r_reference.py``).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"period_start": pd.date_range("2021-01-01", periods=6, freq="QS"),
    ...                   "count": [10, 12, 9, 30, 28, 35]})
    >>> r = before_after(s, date="2021-10-01", family="poisson")
    >>> round(float(r["estimate"].iloc[0]), 4)
    3.0
    """
    check_option("family", family, Family)
    check_option("information", information, Information)
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
    fit = _fit_counts(y, X, np.log(e), family, information=information)
    b, se = float(fit.params[1]), float(fit.se[1])
    crit = fit.critical(alpha)
    row.update(
        estimate=math.exp(b),
        ci_low=math.exp(b - crit * se),
        ci_high=math.exp(b + crit * se),
        p_value=float(fit.p_values()[1]),
        family=family,
        dispersion=fit.dispersion,
        reference=fit.reference,
        df_resid=fit.df_resid,
        information=fit.information,
        converged=fit.converged,
    )
    return pd.DataFrame([row])


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
        (Newcombe's hybrid score interval), ``p_value`` (Miettinen-Nurminen score test of
        equal shares), ``test`` (its name).

    Notes
    -----
    Each group's share is treated as a binomial proportion of its period's total, the two
    periods independent: :math:`\hat p_a - \hat p_b` with Newcombe's (1998) method 10
    interval, built from Wilson intervals, which behaves with small counts and shares near
    0 or 1 (``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``).
    The p-value is Miettinen & Nurminen's (1985) score test of equal proportions
    (``test_proportions_2indep(method="score", correction=True)``): under the null of no
    change it is Pearson's :math:`\chi^2` times :math:`(N - 1)/N`, :math:`N` the events of
    both periods, on 1 degree of freedom (checked against R's ``prop.test(correct=FALSE)``
    rescaled so). The test and the interval are both score-based but not inverses of each
    other: near the 5% boundary they can disagree. The intervals are per group, not
    simultaneous; the shares of a period sum to 1, so the changes sum to 0. Checked against the Newcombe interval for 7/34 vs 1/34 tabulated
    by Fagerland, Lydersen & Laake (2015).

    References
    ----------
    Newcombe RG (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine 17:873-890.

    Miettinen O, Nurminen M (1985). Comparative analysis of two rates. Statistics in
    Medicine 4:213-226.

    Examples
    --------
    >>> out = share_change({"jnim": 60, "state_forces": 40}, {"jnim": 30, "state_forces": 70})
    >>> out[["group", "share_before", "share_after", "estimate"]].round(2)
              group  share_before  share_after  estimate
    0          jnim           0.6          0.3      -0.3
    1  state_forces           0.4          0.7       0.3
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
            p = test_proportions_2indep(
                xa, na, xb, nb, method="score", compare="diff", correction=True
            ).pvalue
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
                "test": "Miettinen-Nurminen score",
            }
        )
    return pd.DataFrame(rows)
