"""Each body's figure per calendar period, compared with a reference body: :func:`compare_periods`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.compare._vocabulary import Fill, as_string
from analysis.compare.agreement import agreement
from analysis.errors import DataError
from analysis.harmonize.periods import (
    DEATH_MEASURES,
    FIGURE_CONTENT_COLUMNS,
    Freq,
    align_periods,
    exact_period_rows,
    merge_copies,
    period_intervals,
    require_tally_columns,
    window_days,
)

__all__ = ["PeriodComparison", "compare_periods"]


@dataclass(frozen=True)
class PeriodComparison:
    """What :func:`compare_periods` returns.

    Attributes
    ----------
    periods
        One row per (body, calendar period) with a figure, and its log ratio to the reference.
    agreement
        One row per (body, statistic) over the periods shared with the reference body.
    reference_body
        The body every other is compared with.
    """

    periods: pd.DataFrame
    agreement: pd.DataFrame
    reference_body: str

    def to_frame(self) -> pd.DataFrame:
        """The per-period table (a copy of ``periods``)."""
        return self.periods.copy()


def _body_periods(rows: pd.DataFrame, freq: Freq, fill: Fill, about_width: float) -> pd.DataFrame:
    """One body's figure per calendar period: exact windows first, then (optionally) prorated."""
    exact = exact_period_rows(rows, freq)
    found: dict[pd.Timestamp, dict[str, object]] = {}
    if exact.any():
        work = period_intervals(rows.loc[exact], about_width)
        for period, group in work.groupby("period_start", sort=True):
            row = merge_copies(group, "range", period, "compare_periods")
            row.update(prorated=False, window_days=np.nan)
            found[pd.Timestamp(period)] = row
    if fill == "prorate" and (~exact).any():
        aligned = align_periods(
            rows.loc[~exact], freq=freq, method="prorate", about_width=about_width
        )
        aligned = aligned.loc[aligned["coverage"] >= 1]
        aligned = aligned.loc[~aligned["period_start"].isin(list(found))]
        for period, group in aligned.groupby("period_start", sort=True):
            shortest = group.loc[group["window_days"] == group["window_days"].min()]
            work = shortest.rename(columns={"count": "point", "count_low": "low"})
            work = work.rename(columns={"count_high": "high"})
            row = merge_copies(work, "range", period, "compare_periods")
            row.update(prorated=True, window_days=float(shortest["window_days"].iloc[0]))
            found[pd.Timestamp(period)] = row
    out = pd.DataFrame.from_dict(found, orient="index")
    if out.empty:
        return out
    out.index.name = "period_start"
    return out.reset_index()


def compare_periods(
    tallies: pd.DataFrame,
    *,
    freq: Freq = "QS",
    reference_body: str = "minusma",
    measure: str | Sequence[str] = DEATH_MEASURES,
    victim_group: str = "civilians",
    perpetrator_group: str = "all",
    fill: Fill = "exact",
    conf_level: float = 0.95,
    about_width: float = 0.1,
) -> PeriodComparison:
    """Each body's figure per calendar period, its log ratio to a reference body, and agreement.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`). Only period figures (no
        ``incident_id``) of the chosen measure, victims and perpetrators are used: an
        incident's toll is part of a period's total, not a figure of it.
    freq
        ``"MS"``, ``"QS"`` or ``"YS"``.
    reference_body
        The body every other is compared with (default MINUSMA, whose quarterly notes give
        the longest regular series).
    measure, victim_group, perpetrator_group
        What the figures must count; ``measure`` may be several death measures (default
        ``killed``, ``executed``, ``fatalities``).
    fill
        ``"exact"`` (default): a body has a figure for a period only when one of its windows is
        exactly that period. ``"prorate"``: periods without one get the body's figure over the
        shortest window that covers the whole period, prorated by days
        (:func:`align_periods`), flagged ``prorated``; an assumption of a constant rate.
    conf_level
        Confidence level of the agreement intervals.
    about_width
        Passed to :func:`analysis.sources.tallies.tally_bounds`.

    Returns
    -------
    PeriodComparison
        ``.periods``: one row per body and period with ``reporting_body``, ``period_start``,
        ``period_end``, ``count``, ``count_low``, ``count_high``, ``tally_ids``,
        ``n_figures``, ``conflict`` (copies disagree: ``count`` is NA and the range is kept),
        ``prorated``, ``window_days`` (of the prorated window), ``reference_count``,
        ``reference_tally_ids``, ``log_ratio`` (:math:`\\log(\\text{count} / \\text{reference\\_count})`, NaN unless
        both are positive). ``.agreement``: for each other body with shared periods, the
        statistics of :func:`agreement` on the log scale (``reporting_body``,
        ``reference_body``, ``statistic``, ``estimate``, ``ci_low``, ``ci_high``,
        ``p_value``, ``n``).

    Notes
    -----
    The shared periods of a body are those where both it and the reference have a positive
    point count; periods with a zero, a conflict or an open bound only (no point) are shown in
    ``periods`` but left out of the agreement statistics. Prorating repeats one published
    figure over several periods; a pair of the same published figures with the same log ratio
    (a body's year against the reference's year, both prorated to quarters) is counted once,
    so ``n`` is the number of distinct pairs of figures, not of periods. Prorated periods that
    pair one figure with several different reference figures still share that figure, so with
    ``fill="prorate"`` the intervals are optimistic. A prorated figure ignores what the body
    published for sub-periods of its window (a year is spread evenly even where the body's
    own quarter is known). With few shared periods (fewer than
    3) most statistics are NaN rather than invented. See :func:`agreement` for the formulas
    and the published values they were checked against.

    Examples
    --------
    >>> from analysis import load_tallies  # doctest: +SKIP
    >>> compare_periods(load_tallies(), freq="YS", fill="prorate").agreement  # doctest: +SKIP
    """
    check_option("freq", freq, Freq)
    check_option("fill", fill, Fill)
    measures = (measure,) if isinstance(measure, str) else tuple(measure)
    needed = (
        "tally_id",
        "reporting_body",
        "incident_id",
        "period_start",
        "period_end",
        *FIGURE_CONTENT_COLUMNS,
    )
    require_tally_columns(tallies, needed, "compare_periods")
    chosen = (
        as_string(tallies["incident_id"]).isna()
        & as_string(tallies["measure"]).isin(measures)
        & (as_string(tallies["victim_group"]) == victim_group)
        & (as_string(tallies["perpetrator_group"]) == perpetrator_group)
    ).fillna(False)
    rows = tallies.loc[chosen.to_numpy()]
    if rows.empty:
        raise DataError(
            f"compare_periods: no period figure counts {'/'.join(measures)} of {victim_group} "
            f"by {perpetrator_group}",
            rule="no_figures",
        )
    window_days(rows, "compare_periods")
    bodies = sorted(as_string(rows["reporting_body"]).dropna().unique())
    if reference_body not in bodies:
        raise ValueError(
            f"reference_body {reference_body!r} has no period figure of this kind; "
            f"bodies that do: {bodies}"
        )
    parts = []
    for body in bodies:
        per = _body_periods(
            rows.loc[(as_string(rows["reporting_body"]) == body).to_numpy()],
            freq,
            fill,
            about_width,
        )
        if not per.empty:
            per.insert(0, "reporting_body", body)
            parts.append(per)
    periods = pd.concat(parts, ignore_index=True)
    grid = pd.DatetimeIndex(periods["period_start"])
    alias = {"MS": "M", "QS": "Q", "YS": "Y"}[freq]
    periods["period_start"] = grid
    periods["period_end"] = pd.DatetimeIndex(grid.to_period(alias).end_time).normalize()
    ref = periods.loc[
        periods["reporting_body"] == reference_body, ["period_start", "count", "tally_ids"]
    ]
    ref = ref.rename(columns={"count": "reference_count", "tally_ids": "reference_tally_ids"})
    periods = periods.merge(ref, on="period_start", how="left")
    count = periods["count"].astype(float).to_numpy()
    ref_count = periods["reference_count"].astype(float).to_numpy()
    ok = (count > 0) & (ref_count > 0) & np.isfinite(count) & np.isfinite(ref_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        periods["log_ratio"] = np.where(ok, np.log(count) - np.log(ref_count), np.nan)
    periods = periods.sort_values(["reporting_body", "period_start"], kind="stable")
    periods = periods.reset_index(drop=True)
    columns = [
        "reporting_body",
        "period_start",
        "period_end",
        "count",
        "count_low",
        "count_high",
        "tally_ids",
        "n_figures",
        "conflict",
        "prorated",
        "window_days",
        "reference_count",
        "reference_tally_ids",
        "log_ratio",
    ]
    periods = periods[columns].astype(
        {
            "reporting_body": "string",
            "tally_ids": "string",
            "count": "float64",
            "count_low": "float64",
            "count_high": "float64",
            "n_figures": "int64",
            "conflict": "bool",
            "prorated": "bool",
            "window_days": "float64",
            "reference_count": "float64",
            "reference_tally_ids": "string",
        }
    )
    stats_rows = []
    for body in bodies:
        if body == reference_body:
            continue
        mine = periods.loc[(periods["reporting_body"] == body) & periods["log_ratio"].notna()]
        # one pair of published figures is one observation, however many periods it spans
        key = mine[["tally_ids", "reference_tally_ids"]].assign(r=mine["log_ratio"].round(9))
        mine = mine.loc[~key.duplicated().to_numpy()]
        if mine.empty:
            continue
        table = agreement(
            mine["reference_count"].to_numpy(),
            mine["count"].to_numpy(),
            scale="log",
            conf_level=conf_level,
        )
        table.insert(0, "reference_body", reference_body)
        table.insert(0, "reporting_body", body)
        stats_rows.append(table)
    agreement_columns = [
        "reporting_body",
        "reference_body",
        "statistic",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "n",
    ]
    table = (
        pd.concat(stats_rows, ignore_index=True)
        if stats_rows
        else pd.DataFrame(columns=agreement_columns)
    )
    table = table[agreement_columns].astype(
        {"reporting_body": "string", "reference_body": "string", "statistic": "string"}
    )
    return PeriodComparison(periods=periods, agreement=table, reference_body=reference_body)
