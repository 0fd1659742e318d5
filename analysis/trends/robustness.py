"""How far a before/after change holds up: :func:`robustness`, with a verdict in words.

The lead estimate is the ratio of the mean rates after and before the date
(:func:`analysis.before_after` with its default family). Around it, the checks that a careful
reader would ask for on a short, overdispersed series:

- interrupted time series under alternative specifications (a trend shared by both
  segments, a trend from the pre-period only, a change of slope, each family, the series
  without its largest period);
- placebo dates before the real one, where nothing is supposed to have happened;
- a change-point scan: where in the series a single step fits best;
- the influence of the largest period.

Each check is turned into a sentence by a documented rule (:data:`RULES`), tested on synthetic
series whose answer is known (``tests/stats/test_robustness.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.errors import DataError
from analysis.trends._common import (
    DEFAULT_FAMILY,
    Family,
    _as_date,
    _check_alpha,
    _fit_counts,
    _period_index,
    _series_frame,
    critical_value,
    two_sided_p,
)
from analysis.trends.its import its_fit, placebo_grid
from analysis.trends.series import before_after

__all__ = ["Robustness", "robustness", "pretrend_projection", "change_point_scan", "RULES"]

#: The rules behind each sentence of :func:`robustness`, in the order they are reported.
RULES: dict[str, str] = {
    "lead": (
        "The lead estimate is the ratio of the mean rates after and before the date "
        "(before_after, default family). It is 'higher' or 'lower' after the date when its "
        "1 - alpha interval excludes 1, and 'not distinguishable from no change' otherwise."
    ),
    "placebo": (
        "Placebo dates are the period starts before the date that leave at least 2 periods "
        "before them and 1 between them and the date. At each, the lead estimator is refitted "
        "on a window matched to the real comparison: at most as many periods before the placebo "
        "date as the lead estimate has before the date, and at most as many from it (ending "
        "before the date) as the lead estimate has after, so that a long series' sparse early "
        "years are not set against decades. The rule holds ('placebo dates give changes as "
        "large') when a placebo ratio is at least as far from 1, on the log scale, as the "
        "lead estimate and its own 1 - alpha interval excludes 1: a large ratio whose "
        "interval spans 1 says the placebo window is too sparse to tell, not that the "
        "series swings that much."
    ),
    "trend": (
        "The level change of the interrupted time series is estimated with a trend shared by "
        "both segments, a trend from the pre-period only (projected), and a change of slope. "
        "The rule holds ('cannot separate the arrival from the trend') when these estimates "
        "differ from each other or from the lead estimate by more than a factor of 2, or when "
        "their intervals and the lead's disagree on whether the change is distinguishable "
        "from no change."
    ),
    "change_point": (
        "A step with no trend is fitted at every split that leaves 2 periods on each side; "
        "with a flat prior over the splits, the posterior weight of a split is proportional "
        "to exp(-deviance / (2 x dispersion)), the dispersion being that of the best split. "
        "The rule holds ('the largest shift is near the date') when the best split is within "
        "one period of the date."
    ),
    "influence": (
        "The lead estimate is refitted without the period with the largest count. The rule "
        "holds ('the result depends on one period') when that changes whether the interval "
        "excludes 1, or moves the estimate by more than 25%."
    ),
}

_UNITS = {12: ("month", "months"), 4: ("quarter", "quarters"), 2: ("half-year", "half-years")}


def _unit(per_year: int, count: int) -> str:
    one, many = _UNITS.get(per_year, ("year", "years"))
    return one if count == 1 else many


def _fmt_ratio(x: float) -> str:
    if not np.isfinite(x):
        return "—"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _fmt_interval(est: float, low: float, high: float, level: float) -> str:
    return f"{_fmt_ratio(est)} ({level:.0%} CI {_fmt_ratio(low)}–{_fmt_ratio(high)})"


def _fmt_period(ts: pd.Timestamp, per_year: int) -> str:
    ts = pd.Timestamp(ts)
    if per_year == 4:
        return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"
    if per_year == 12:
        return ts.strftime("%B %Y")
    return str(ts.date())


def _excludes_one(low: float, high: float) -> bool:
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 1 or high < 1))


def pretrend_projection(
    data: pd.DataFrame,
    *,
    date: object,
    count: str = "count",
    time: str = "period_start",
    exposure: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Observed counts after ``date`` against the pre-period's log-linear trend, projected.

    Parameters
    ----------
    data, date, count, time, exposure
        As for :func:`analysis.its_fit`.
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate`` (observed over projected counts after the date), ``ci_low,
        ci_high, p_value``, ``observed, projected`` (counts after the date), ``trend`` (the
        pre-period's ratio per period), ``periods_before, periods_after, dispersion,
        reference``.

    Notes
    -----
    A quasi-Poisson regression :math:`\log E[y_t] = \log e_t + \beta_0 + \beta_1 t` is fitted
    to the periods before the date only, so the periods after cannot pull the trend (in
    :func:`analysis.its_fit` one trend is fitted to both segments). The estimate is
    :math:`R = \sum_{after} y_t / \sum_{after} \hat\mu_t`. Its log has the variance
    :math:`\hat\phi / \sum_{after} y_t + g^\top \widehat{V} g`, :math:`g = \sum \hat\mu_t x_t
    / \sum \hat\mu_t` (delta method), with the pre-period's dispersion :math:`\hat\phi` and
    coefficient covariance :math:`\widehat V`; the interval uses t with the pre-period's
    residual degrees of freedom. The projection assumes the pre-period trend would have
    gone on, which the further the projection reaches, the less anyone can know.
    """
    _check_alpha(alpha)
    when = _as_date(date)
    frame = _series_frame(data, count=count, time=time, exposure=exposure)
    period, _ = _period_index(frame["time"])
    after = (frame["time"] >= when).to_numpy()
    n_before, n_after = int((~after).sum()), int(after.sum())
    if n_before < 3 or n_after < 1:
        raise ValueError(
            f"a pre-period trend needs at least 3 periods before {when.date()} and 1 after; "
            f"the series has {n_before} before and {n_after} after"
        )
    y = frame["count"].to_numpy()
    offset = np.log(frame["exposure"].to_numpy())
    X = np.column_stack([np.ones(len(y)), period])
    fit = _fit_counts(y[~after], X[~after], offset[~after], "quasipoisson")
    mu = np.exp(X[after] @ fit.params + offset[after])
    observed, projected = float(y[after].sum()), float(mu.sum())
    g = (mu[:, None] * X[after]).sum(axis=0) / projected
    var = (fit.dispersion if np.isfinite(fit.dispersion) else 1.0) / max(observed, 0.5)
    var += float(g @ fit.cov @ g)
    log_r = math.log(observed / projected) if observed > 0 else -math.inf
    se = math.sqrt(var)
    crit = critical_value(alpha, fit.df_resid)
    return pd.DataFrame(
        [
            {
                "estimate": observed / projected,
                "ci_low": math.exp(log_r - crit * se),
                "ci_high": math.exp(log_r + crit * se),
                "p_value": float(two_sided_p(log_r / se, fit.df_resid)),
                "observed": observed,
                "projected": projected,
                "trend": math.exp(fit.params[1]),
                "periods_before": n_before,
                "periods_after": n_after,
                "dispersion": fit.dispersion,
                "reference": fit.reference,
            }
        ]
    )


def change_point_scan(
    data: pd.DataFrame,
    *,
    count: str = "count",
    time: str = "period_start",
    exposure: str | None = None,
    min_segment: int = 2,
) -> pd.DataFrame:
    r"""Where a single step fits the series best: a quasi-likelihood scan over the splits.

    Parameters
    ----------
    data, count, time, exposure
        As for :func:`analysis.before_after`.
    min_segment
        Periods required on each side of a split.

    Returns
    -------
    pandas.DataFrame
        One row per candidate split (the first period of the later segment):
        ``period_start, ratio`` (mean rate after over before), ``deviance``,
        ``lr_statistic`` (deviance of no change minus deviance of the split, over the
        dispersion), ``posterior`` (weight of the split), ``best`` (bool).

    Notes
    -----
    For each split :math:`k` the model :math:`\log E[y_t] = \log e_t + \beta_0 + \beta_1
    \mathbf{1}[t \ge k]` is fitted; with one common dispersion :math:`\hat\phi` (Pearson's,
    of the best split's fit) the splits' quasi-likelihoods are :math:`-D_k / (2\hat\phi)`,
    and with a flat prior over the splits (every split has the same number of parameters)
    the posterior weight of split :math:`k` is :math:`\propto \exp(-D_k / (2\hat\phi))`. It
    is an approximate Bayesian change-point posterior for one step (compare the
    product-partition models of Barry & Hartigan 1993): it says where a step fits best,
    not whether there is one, and a trend or a one-period spike also leaves a "best" split.
    """
    frame = _series_frame(data, count=count, time=time, exposure=exposure)
    n = len(frame)
    if n < 2 * min_segment:
        raise ValueError(
            f"a change-point scan needs at least {2 * min_segment} periods; the series has {n}"
        )
    y = frame["count"].to_numpy()
    offset = np.log(frame["exposure"].to_numpy())
    e = frame["exposure"].to_numpy()
    rows = []
    for k in range(min_segment, n - min_segment + 1):
        after = np.arange(n) >= k
        c_a, c_b = y[after].sum(), y[~after].sum()
        ratio = (c_a / e[after].sum()) / (c_b / e[~after].sum()) if c_b > 0 else math.inf
        X = np.column_stack([np.ones(n), after.astype(float)])
        if c_a == 0 or c_b == 0:
            rows.append({"k": k, "ratio": ratio, "deviance": np.nan, "pearson": np.nan})
            continue
        fit = _fit_counts(y, X, offset, "poisson")
        rows.append(
            {
                "k": k,
                "ratio": ratio,
                "deviance": fit.deviance,
                "pearson": fit.dispersion,
            }
        )
    scan = pd.DataFrame(rows)
    null = _fit_counts(y, np.ones((n, 1)), offset, "poisson")
    best = int(scan["deviance"].idxmin())
    phi = float(scan.loc[best, "pearson"])
    phi = phi if np.isfinite(phi) and phi > 0 else 1.0
    loglik = -scan["deviance"].to_numpy() / (2 * phi)
    weights = np.exp(loglik - np.nanmax(loglik))
    weights = np.where(np.isnan(weights), 0.0, weights)
    return pd.DataFrame(
        {
            "period_start": frame["time"].iloc[scan["k"].to_numpy()].to_numpy(),
            "ratio": scan["ratio"].to_numpy(),
            "deviance": scan["deviance"].to_numpy(),
            "lr_statistic": (null.deviance - scan["deviance"].to_numpy()) / phi,
            "posterior": weights / weights.sum(),
            "best": np.arange(len(scan)) == best,
        }
    )


@dataclass(frozen=True)
class Robustness:
    """The result of :func:`robustness`.

    Attributes
    ----------
    lead
        One row of :func:`analysis.before_after` at the date, with the default family.
    specifications
        The level change at the date under each specification: ``specification, estimate,
        ci_low, ci_high, p_value, reference, note``.
    placebo
        The lead estimator at placebo dates: ``date, estimate, ci_low, ci_high, p_value,
        periods_before, periods_after, note``.
    change_points
        :func:`change_point_scan` of the whole series.
    findings
        One row per rule of :data:`RULES`: ``rule, holds, sentence``.
    verdict
        ``"robust_change"``, ``"fragile_change"`` or ``"no_distinguishable_change"``.
    headline
        The verdict in one sentence.
    """

    lead: pd.DataFrame
    specifications: pd.DataFrame
    placebo: pd.DataFrame
    change_points: pd.DataFrame
    findings: pd.DataFrame
    verdict: str
    headline: str

    def summary_frame(self) -> pd.DataFrame:
        return self.findings

    to_frame = summary_frame

    @property
    def sentences(self) -> list[str]:
        """The headline, then the sentence of every finding."""
        return [self.headline, *self.findings["sentence"].tolist()]


def _spec_row(name: str, fn: Any) -> dict[str, Any]:
    try:
        row = fn()
    except (ValueError, np.linalg.LinAlgError) as err:
        return {
            "specification": name, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan,
            "p_value": np.nan, "reference": "", "note": str(err),
        }  # fmt: skip
    return {"specification": name, **row}


def _its_level(fit: Any) -> dict[str, Any]:
    lc = fit.summary_frame().loc["level_change"]
    return {
        "estimate": float(lc["estimate"]),
        "ci_low": float(lc["ci_low"]),
        "ci_high": float(lc["ci_high"]),
        "p_value": float(lc["p_value"]),
        "reference": fit.reference,
        "note": "" if fit.converged else "did not converge",
    }


def robustness(
    data: pd.DataFrame,
    *,
    date: object,
    count: str = "count",
    time: str = "period_start",
    exposure: str | None = None,
    family: Family = DEFAULT_FAMILY,
    date_label: str | None = None,
    alpha: float = 0.05,
) -> Robustness:
    r"""The lead before/after estimate, the checks around it, and a verdict in plain words.

    Parameters
    ----------
    data, date, count, time, exposure
        As for :func:`analysis.before_after`: one row per period (monthly or quarterly).
    family
        Family of the lead estimate (default: the default of :func:`before_after`).
    date_label
        How the sentences name the date (default: the date itself, e.g. "1 December 2021").
    alpha
        1 - confidence level of every interval.

    Returns
    -------
    Robustness
        ``.lead``, ``.specifications``, ``.placebo``, ``.change_points``, ``.findings``
        (one sentence per rule, in the order of :data:`RULES`), ``.verdict`` and
        ``.headline``.

    Notes
    -----
    The rules are in :data:`RULES`. The verdict is ``no_distinguishable_change`` when the
    lead interval contains 1; ``robust_change`` when it excludes 1 and no check undermines
    it (no placebo date gives as large a change, the trend specifications agree with it,
    the largest shift is near the date and the result does not hang on one period); and
    ``fragile_change`` otherwise, the headline naming the checks that failed. The checks
    are descriptive: with a dozen periods none of them has much power, and passing them is
    not proof that the date caused the change.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"period_start": pd.date_range("2020-01-01", periods=12, freq="QS"),
    ...                   "count": [100, 104, 97, 101, 99, 103, 98, 205, 198, 202, 196, 204]})
    >>> robustness(s, date="2021-10-01").verdict
    'robust_change'
    """
    check_option("family", family, Family)
    _check_alpha(alpha)
    when = _as_date(date)
    frame = _series_frame(data, count=count, time=time, exposure=exposure)
    clean = pd.DataFrame(
        {"period_start": frame["time"], "count": frame["count"], "exposure": frame["exposure"]}
    )
    opts: dict[str, Any] = {"exposure": "exposure", "alpha": alpha}
    _, per_year = _period_index(clean["period_start"])
    level = 1 - alpha
    label = date_label or f"{when.day} {when.strftime('%B %Y')}"

    lead = before_after(clean, date=when, family=family, **opts)
    lr = lead.iloc[0]
    lead_excludes = _excludes_one(lr["ci_low"], lr["ci_high"])
    direction = "higher" if lr["estimate"] > 1 else "lower"

    # interrupted time series under alternative specifications
    largest = int(clean["count"].to_numpy().argmax())
    without = clean.drop(index=largest)
    specs = [
        _spec_row(
            "no trend (the lead estimate)",
            lambda: {
                "estimate": lr["estimate"],
                "ci_low": lr["ci_low"],
                "ci_high": lr["ci_high"],
                "p_value": lr["p_value"],
                "reference": lr["reference"],
                "note": "",
            },
        ),  # fmt: skip
        _spec_row(
            "trend shared by both segments",
            lambda: _its_level(its_fit(clean, date=when, family=family, **opts)),
        ),
        _spec_row(
            "trend from the pre-period only (projected)",
            lambda: {
                **pretrend_projection(clean, date=when, **opts)
                .iloc[0][["estimate", "ci_low", "ci_high", "p_value", "reference"]]
                .to_dict(),
                "note": "",
            },
        ),
        _spec_row(
            "trend and a change of slope",
            lambda: _its_level(its_fit(clean, date=when, family=family, slope_change=True, **opts)),
        ),
    ]
    for other in ("quasipoisson", "negbin", "poisson"):
        if other != family:
            specs.append(
                _spec_row(
                    f"trend shared, {other}",
                    lambda other=other: _its_level(its_fit(clean, date=when, family=other, **opts)),
                )
            )
    dropped = _fmt_period(clean["period_start"].iloc[largest], per_year)
    specs.append(
        _spec_row(
            f"trend shared, without {dropped} (the largest count)",
            lambda: _its_level(its_fit(without, date=when, family=family, **opts)),
        )
    )
    specifications = pd.DataFrame(specs)
    specifications.loc[specifications["specification"].str.startswith("trend shared, poisson"),
                       "note"] = "Poisson intervals ignore overdispersion"  # fmt: skip

    # placebo dates: the lead estimator on the periods before the date, in windows matched to
    # the real comparison's numbers of periods before and after
    before = clean[clean["period_start"] < when].sort_values("period_start", ignore_index=True)
    n_before, n_after = int(lr["periods_before"]), int(lr["periods_after"])
    placebo_rows = []
    for d in placebo_grid(clean, date=when, count="count", min_before=2, min_after=1):
        at = int((before["period_start"] < d).sum())
        window = before.iloc[max(0, at - n_before) : at + n_after]
        try:
            r = before_after(window, date=d, family=family, **opts).iloc[0]
        except (ValueError, DataError) as err:
            placebo_rows.append({"date": d, "estimate": np.nan, "note": str(err)})
            continue
        placebo_rows.append(
            {
                "date": d, "estimate": r["estimate"], "ci_low": r["ci_low"],
                "ci_high": r["ci_high"], "p_value": r["p_value"],
                "periods_before": r["periods_before"], "periods_after": r["periods_after"],
                "note": "",
            }
        )  # fmt: skip
    placebo = pd.DataFrame(
        placebo_rows,
        columns=[
            "date", "estimate", "ci_low", "ci_high", "p_value", "periods_before",
            "periods_after", "note",
        ],
    )  # fmt: skip

    # change points
    try:
        scan = change_point_scan(clean, exposure="exposure")
    except ValueError:
        scan = pd.DataFrame(
            columns=["period_start", "ratio", "deviance", "lr_statistic", "posterior", "best"]
        )

    findings = []
    n_b, n_a = int(lr["periods_before"]), int(lr["periods_after"])
    conclusion = (
        f"{direction} after the date" if lead_excludes else "not distinguishable from no change"
    )
    findings.append(
        {
            "rule": "lead",
            "holds": lead_excludes,
            "sentence": (
                f"The rate was {lr['rate_before']:.2f} a day in the {n_b} "
                f"{_unit(per_year, n_b)} before {label} and {lr['rate_after']:.2f} a day in "
                f"the {n_a} {_unit(per_year, n_a)} from it: a ratio of "
                f"{_fmt_interval(lr['estimate'], lr['ci_low'], lr['ci_high'], level)}, "
                f"{conclusion}."
            ),
        }
    )

    lead_log = abs(math.log(lr["estimate"]))
    fitted = placebo.dropna(subset=["estimate"])
    if fitted.empty:
        findings.append(
            {
                "rule": "placebo",
                "holds": False,
                "sentence": (
                    f"There are too few {_unit(per_year, 2)} before the date to try placebo dates."
                ),
            }
        )
    else:
        logs = np.abs(np.log(fitted["estimate"].to_numpy(dtype=float)))
        bounds = zip(fitted["ci_low"], fitted["ci_high"], strict=True)
        clear = np.array([_excludes_one(low, high) for low, high in bounds], dtype=bool)
        as_large = (logs >= lead_log) & clear
        holds = bool(as_large.any())
        # the placebo a sentence names: the largest that counts, else the largest of all
        i = int(np.argmax(np.where(as_large, logs, -np.inf))) if holds else int(np.argmax(logs))
        big = fitted.iloc[i]
        when_big = _fmt_period(big["date"], per_year)
        shown = _fmt_interval(big["estimate"], big["ci_low"], big["ci_high"], level)
        if holds:
            sentence = (
                f"Placebo dates earlier in the series give changes as large as the date itself (a "
                f"ratio of {shown} at {when_big}, against {_fmt_ratio(lr['estimate'])}), so the "
                "series cannot separate the date from ordinary swings."
            )
        elif logs[i] >= lead_log:
            sentence = (
                "No placebo date earlier in the series gives a change both as large as the date's "
                f"and distinguishable from no change: the largest, {shown} at {when_big}, has an "
                f"interval too wide to tell ({len(fitted)} dates tried)."
            )
        else:
            sentence = (
                f"No placebo date earlier in the series gives a change as large as the date itself "
                f"(the largest: {_fmt_ratio(big['estimate'])} at {when_big}, of "
                f"{len(fitted)} tried)."
            )
        findings.append({"rule": "placebo", "holds": holds, "sentence": sentence})

    trend_specs = specifications.iloc[1:4].dropna(subset=["estimate"])
    if trend_specs.empty:
        findings.append(
            {
                "rule": "trend",
                "holds": False,
                "sentence": "The series is too short to fit a trend on each side of the date.",
            }
        )
    else:
        ests = np.r_[trend_specs["estimate"].to_numpy(dtype=float), lr["estimate"]]
        spread = float(ests.max() / ests.min())
        excl = [
            _excludes_one(a, b)
            for a, b in zip(trend_specs["ci_low"], trend_specs["ci_high"], strict=True)
        ]
        disagree = spread > 2 or len(set([*excl, lead_excludes])) > 1
        lo_s, hi_s = (
            _fmt_ratio(trend_specs["estimate"].min()),
            _fmt_ratio(trend_specs["estimate"].max()),
        )
        if disagree and lead_excludes and not any(excl):
            sentence = (
                "Once the trend is allowed for, the change is not distinguishable from no "
                f"change (level changes from {lo_s} to {hi_s}): the design cannot separate "
                "the arrival from the trend."
            )
        elif disagree:
            sentence = (
                f"Interrupted time series with different trend assumptions give level "
                f"changes from {lo_s} to {hi_s}, against {_fmt_ratio(lr['estimate'])} "
                "without a trend: the design cannot separate the arrival from the trend."
            )
        else:
            sentence = f"Allowing for a trend gives similar level changes ({lo_s} to {hi_s})."
        findings.append({"rule": "trend", "holds": bool(disagree), "sentence": sentence})

    if scan.empty:
        findings.append(
            {
                "rule": "change_point",
                "holds": False,
                "sentence": "The series is too short for a change-point scan.",
            }
        )
    else:
        best = scan[scan["best"]].iloc[0]
        starts = clean["period_start"].reset_index(drop=True)
        k_best = int(np.flatnonzero(starts == best["period_start"])[0])
        k_date = int(np.flatnonzero((starts >= when).to_numpy())[0])
        near = abs(k_best - k_date) <= 1
        near_mask = (
            np.abs(
                np.array([int(np.flatnonzero(starts == s)[0]) for s in scan["period_start"]])
                - k_date
            )
            <= 1
        )
        mass = float(scan.loc[near_mask, "posterior"].sum())
        where = _fmt_period(best["period_start"], per_year)
        if near:
            sentence = (
                f"A single step fits the series best at {where}, next to the date (weight of "
                f"a step within one {_unit(per_year, 1)} of the date: {mass:.0%})."
            )
        else:
            sentence = (
                f"A single step fits the series best at {where}, not at the date (weight of "
                f"a step within one {_unit(per_year, 1)} of the date: {mass:.0%})."
            )
        findings.append({"rule": "change_point", "holds": near, "sentence": sentence})

    try:
        inf = before_after(without, date=when, family=family, **opts).iloc[0]
    except (ValueError, DataError) as err:
        findings.append(
            {
                "rule": "influence",
                "holds": True,
                "sentence": f"Without {dropped}, the largest count, no estimate is possible: {err}.",
            }
        )
    else:
        flips = _excludes_one(inf["ci_low"], inf["ci_high"]) != lead_excludes
        moves = abs(math.log(inf["estimate"] / lr["estimate"])) > math.log(1.25)
        depends = bool(flips or moves)
        count_big = f"{clean['count'].iloc[largest]:,.0f}"
        if depends:
            sentence = (
                f"The result depends on one {_unit(per_year, 1)}: without {dropped} "
                f"({count_big}, the largest count) the ratio is "
                f"{_fmt_interval(inf['estimate'], inf['ci_low'], inf['ci_high'], level)}."
            )
        else:
            sentence = (
                f"Leaving out {dropped} ({count_big}, the largest count) changes little: "
                f"{_fmt_interval(inf['estimate'], inf['ci_low'], inf['ci_high'], level)}."
            )
        findings.append({"rule": "influence", "holds": depends, "sentence": sentence})

    table = pd.DataFrame(findings)
    holds = dict(zip(table["rule"], table["holds"], strict=True))
    if not lead_excludes:
        verdict = "no_distinguishable_change"
        headline = (
            f"The rate after {label} is not distinguishable from the rate before: "
            f"{_fmt_interval(lr['estimate'], lr['ci_low'], lr['ci_high'], level)}."
        )
    else:
        weak = []
        if holds.get("placebo"):
            weak.append("placebo dates give changes as large")
        if holds.get("trend"):
            weak.append("the trend could explain it")
        if "change_point" in holds and not holds["change_point"] and not scan.empty:
            weak.append("the largest shift comes at another time")
        if holds.get("influence"):
            weak.append("it depends on one period")
        ratio_text = (
            f"{_fmt_ratio(lr['estimate'])} times the rate before ({level:.0%} CI "
            f"{_fmt_ratio(lr['ci_low'])}–{_fmt_ratio(lr['ci_high'])})"
        )
        if weak:
            verdict = "fragile_change"
            headline = (
                f"The rate after {label} is {ratio_text}, but the change is fragile: "
                f"{'; '.join(weak)}."
            )
        else:
            verdict = "robust_change"
            headline = (
                f"The rate after {label} is {ratio_text}, and the change holds under every "
                "check below."
            )
    return Robustness(
        lead=lead,
        specifications=specifications,
        placebo=placebo,
        change_points=scan,
        findings=table,
        verdict=verdict,
        headline=headline,
    )
