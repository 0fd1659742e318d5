"""Qualifier intervals carried into a before/after rate ratio: :func:`simulate_bounds`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.trends._common import (
    Assign,
    _as_date,
    _check_alpha,
    _check_option,
    _require_columns,
)

__all__ = ["BoundsSimulation", "simulate_bounds"]


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
