"""HDX and HAPI monthly aggregates -> regular series, the same shape as :func:`aggregate_events`.

ACLED's aggregates on HDX (read by :func:`analysis.read_hdx_aggregates`) count events and
fatalities per place and month. :func:`aggregate_series` turns them into one series per period
(and area), so the before/after functions (:func:`analysis.before_after`,
:func:`analysis.its_fit`) take them exactly as they take an event export's series.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

__all__ = ["aggregate_series", "choose_indicator", "AggregateFreq"]

AggregateFreq = Literal["MS", "QS", "YS"]
_FREQS: tuple[str, ...] = get_args(AggregateFreq)
_AREAS = ("country", "iso3", "admin1", "admin2", "admin1_pcode", "admin2_pcode")
#: the indicator a report uses when a file holds several: the one closest to civilian harm
_PREFERENCE = ("civilian_targeting", "political_violence", "demonstrations")


def choose_indicator(aggregates: pd.DataFrame, indicator: str | None = None) -> str:
    """The indicator to analyse: ``indicator`` if given (and present), else the file's only
    one, else ``civilian_targeting``, then ``political_violence``, then ``demonstrations``.

    Raises
    ------
    ValueError
        ``indicator`` is not in the table (the message lists those that are), or the table is
        empty.
    """
    present = [str(v) for v in pd.unique(aggregates["indicator"].dropna())]
    if indicator is not None:
        if indicator not in present:
            raise ValueError(
                f"the aggregates hold no {indicator!r} rows; they hold {sorted(present)}"
            )
        return indicator
    if not present:
        raise ValueError("the aggregate table has no rows")
    if len(present) == 1:
        return present[0]
    return next(name for name in _PREFERENCE if name in present)


def aggregate_series(
    aggregates: pd.DataFrame,
    *,
    indicator: str | None = None,
    freq: AggregateFreq = "MS",
    by: str | Sequence[str] | None = None,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Events and fatalities per period (and area) from HDX/HAPI monthly aggregates.

    Parameters
    ----------
    aggregates
        The table of :func:`analysis.read_hdx_aggregates` (already limited to one country,
        e.g. with :func:`analysis.harmonize.selection.scope_events`).
    indicator
        ``"political_violence"``, ``"civilian_targeting"`` or ``"demonstrations"``; default
        as :func:`choose_indicator`. Indicators are never summed together: they overlap.
    freq
        ``"MS"`` (months, as published), ``"QS"`` or ``"YS"`` (sums of the months).
    by
        Area column(s) to split by: ``"admin1"``, ``"admin2"``, ``"admin1_pcode"``, ... Every
        area seen gets every period (zero-filled).
    start, end
        First and last day counted (months are whole: a month counts when its first day lies
        in ``[start, end]``). Default: the table's first and last month.

    Returns
    -------
    pandas.DataFrame
        One row per area and period, sorted by area then period: ``period_start``,
        ``period_end`` (last day), the ``by`` columns, ``events``, ``fatalities`` (``Int64``;
        a missing fatality count, as HAPI leaves for demonstrations, counts as 0 and is
        reported in ``fatalities_missing``), ``fatalities_missing`` (rows of the period with
        no fatality count) and ``exposure_days`` (days of the period's months that the table
        covers). A period none of whose months appears in the table is missing (``<NA>``
        counts, ``exposure_days`` 0), never a zero. The shape of
        :func:`analysis.aggregate_events`: it fits :func:`analysis.before_after` and
        :func:`analysis.its_fit` with ``count="events"`` or ``"fatalities"`` and
        ``exposure="exposure_days"``.

    Notes
    -----
    Totals are preserved: ``events`` sums to the indicator's events in the window, and
    ``fatalities`` to its fatalities. HDX lists every place for every month it covers, so a
    month with no row at all was not published (a truncated file, a gap) and stays missing;
    an area absent from a month that other areas have is a zero. The last
    month of a file may be incomplete if the file was extracted during it; the report names
    the file's last month so a reader can judge.

    Examples
    --------
    >>> agg = read_hdx_aggregates("mali_political_violence_by_admin2_month.xlsx")  # doctest: +SKIP
    >>> monthly = aggregate_series(agg)  # doctest: +SKIP
    >>> before_after(monthly, date="2021-12-01", count="fatalities",
    ...              exposure="exposure_days")  # doctest: +SKIP
    """
    if freq not in _FREQS:
        raise ValueError(f"freq must be one of {list(_FREQS)}, not {freq!r}")
    groups = [by] if isinstance(by, str) else list(by or [])
    unknown = [g for g in groups if g not in _AREAS]
    if unknown:
        raise ValueError(f"by must name area columns {list(_AREAS)}, not {unknown}")
    for column in ("indicator", "month", "events", "fatalities", *groups):
        if column not in aggregates:
            raise ValueError(
                f"the table has no {column!r} column; expected the output of read_hdx_aggregates"
            )
    chosen = choose_indicator(aggregates, indicator) if len(aggregates) else indicator
    frame = aggregates[aggregates["indicator"].astype("string") == chosen] if chosen else aggregates
    months = pd.to_datetime(frame["month"])
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start ({lo.date()}) is after end ({hi.date()})")
    keep = np.ones(len(frame), dtype=bool)
    if lo is not None:
        keep &= (months >= lo).to_numpy()
    if hi is not None:
        keep &= (months <= hi).to_numpy()
    frame, months = frame.loc[keep], months.loc[keep]
    columns = [
        "period_start",
        "period_end",
        *groups,
        "events",
        "fatalities",
        "fatalities_missing",
        "exposure_days",
    ]
    if frame.empty:
        return pd.DataFrame({c: [] for c in columns})
    period = _floor(months, freq)
    periods = pd.date_range(period.min(), period.max(), freq=freq)
    ends = (periods + pd.tseries.frequencies.to_offset(freq)) - pd.Timedelta(days=1)
    # the days each period's published months cover (a month without any row is not covered)
    present = pd.DatetimeIndex(months.drop_duplicates().sort_values())
    covered = (
        pd.Series(present.days_in_month.to_numpy(), index=_floor(pd.Series(present), freq))
        .groupby(level=0)
        .sum()
    )
    keys = pd.DataFrame({"period_start": period.to_numpy()}, index=frame.index)
    for g in groups:
        keys[g] = frame[g].astype("string").fillna("(no area)").astype(object)
    keys["events"] = pd.to_numeric(frame["events"]).astype("int64")
    fatalities = pd.to_numeric(frame["fatalities"])
    keys["fatalities"] = fatalities.fillna(0).astype("int64")
    keys["fatalities_missing"] = fatalities.isna().astype("int64")
    counted = keys.groupby(["period_start", *groups], sort=False).sum().reset_index()
    grid = pd.DataFrame(
        {
            "period_start": periods,
            "period_end": ends,
            "exposure_days": covered.reindex(periods, fill_value=0).to_numpy().astype("int64"),
        }
    )
    if groups:
        grid = keys[groups].drop_duplicates().merge(grid, how="cross")
    out = grid.merge(counted, on=["period_start", *groups], how="left")
    observed = out["exposure_days"].to_numpy() > 0
    for column in ("events", "fatalities", "fatalities_missing"):
        values = out[column].fillna(0).astype("int64")
        out[column] = pd.array(values.where(observed, pd.NA), dtype="Int64")
    out["period_start"] = out["period_start"].astype("datetime64[s]")
    out["period_end"] = out["period_end"].astype("datetime64[s]")
    out = out.sort_values([*groups, "period_start"], kind="stable")
    return out[columns].reset_index(drop=True)


def _floor(months: pd.Series, freq: str) -> pd.DatetimeIndex:
    values = pd.DatetimeIndex(months)
    if freq == "MS":
        return pd.DatetimeIndex(values.to_numpy().astype("datetime64[M]"))
    if freq == "QS":
        first_month = (values.month - 1) // 3 * 3 + 1
        return pd.DatetimeIndex(
            pd.to_datetime({"year": values.year, "month": first_month, "day": 1})
        )
    return pd.DatetimeIndex(values.to_numpy().astype("datetime64[Y]"))
