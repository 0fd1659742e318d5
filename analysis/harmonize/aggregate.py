"""Events and fatalities per calendar period (and group), zero-filled, for the trend functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from analysis.errors import DataError

__all__ = ["aggregate_events", "Freq", "FatalityColumn"]

Freq = Literal["D", "W-MON", "MS", "QS", "YS"]
FatalityColumn = Literal["fatalities", "fatalities_low", "fatalities_high", "civilian_fatalities"]
_FREQS: tuple[str, ...] = get_args(Freq)
_FATALITY_COLUMNS: tuple[str, ...] = get_args(FatalityColumn)


def _floor(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """The start of the period holding each date."""
    values = pd.DatetimeIndex(dates).normalize()
    if freq == "D":
        return values
    if freq == "W-MON":
        return values - pd.to_timedelta(values.day_of_week, unit="D")
    if freq == "MS":
        return pd.DatetimeIndex(values.to_numpy().astype("datetime64[M]"))
    if freq == "QS":
        month0 = (values.month - 1) // 3 * 3 + 1
        return pd.DatetimeIndex(
            pd.to_datetime({"year": values.year, "month": month0, "day": 1})
            if len(values)
            else values
        )
    return pd.DatetimeIndex(values.to_numpy().astype("datetime64[Y]"))


def _as_day(value: object, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a date, not {value!r}") from exc
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return stamp.normalize()


def aggregate_events(
    events: pd.DataFrame,
    *,
    freq: Freq = "MS",
    by: str | Sequence[str] | None = None,
    civilian_only: bool = False,
    start: object = None,
    end: object = None,
    fatalities: FatalityColumn = "fatalities",
) -> pd.DataFrame:
    """Count events and sum fatalities per period (and group), filling empty periods with zeros.

    Parameters
    ----------
    events
        A canonical event table (:func:`analysis.read_acled`, :func:`analysis.read_ucdp_ged`).
    freq
        Period length: ``"D"`` (day), ``"W-MON"`` (weeks starting on Monday), ``"MS"`` (calendar
        month), ``"QS"`` (calendar quarter) or ``"YS"`` (calendar year).
    by
        Column(s) to split by, e.g. ``"perpetrator_group"`` or ``["source", "admin1"]``. Every
        combination of the values seen in the (filtered) events gets every period, zero-filled.
        Missing values form their own group.
    civilian_only
        Keep only events with ``civilian_victims`` true.
    start, end
        First and last day to count (inclusive), compared with ``date_start``. Default: the
        start of the first event's period and the end of the last event's period. Periods
        partly outside ``[start, end]`` are kept, with ``exposure_days`` the number of their days
        inside it.
    fatalities
        Which fatality column to sum (``"fatalities"`` is ACLED's figure or UCDP's ``best``).

    Returns
    -------
    pandas.DataFrame
        One row per group and period, sorted by group then period: ``period_start``,
        ``period_end`` (last day), the ``by`` columns, ``events`` (number of events), the summed
        fatality column under the name ``fatalities``, and ``exposure_days``. The series fits
        :func:`analysis.before_after` and :func:`analysis.its_fit` with
        ``time="period_start"``, ``count="events"`` or ``"fatalities"`` and
        ``exposure="exposure_days"``.

    Raises
    ------
    ValueError
        An unknown ``freq`` or ``fatalities`` option, a ``by`` column that does not exist,
        ``start`` after ``end``.
    DataError
        The chosen fatality column is missing for some included events (for instance
        ``civilian_fatalities`` of ACLED events, which ACLED does not define).

    Notes
    -----
    An event counts in the period holding its ``date_start`` (an event spanning several days
    is not split). Totals are preserved: ``events`` sums to the number of included events and
    ``fatalities`` to their fatalities.

    *Aggregates.* Given the monthly aggregates of :func:`analysis.read_hdx_aggregates` instead of
    events, the series is built by :func:`analysis.harmonize.monthly.aggregate_series` (months,
    quarters or years; ``civilian_only`` keeps the ``civilian_targeting`` indicator, and
    otherwise the table must hold one indicator).

    Examples
    --------
    >>> monthly = aggregate_events(events, civilian_only=True, by="perpetrator_group")  # doctest: +SKIP
    >>> before_after(monthly[monthly.perpetrator_group == "state_forces_with_foreign"],
    ...              date="2021-12-01", count="fatalities")  # doctest: +SKIP
    """
    if {"indicator", "month"} <= set(events.columns) and "date_start" not in events.columns:
        return _from_aggregates(
            events, freq=freq, by=by, civilian_only=civilian_only, start=start, end=end
        )
    if freq not in _FREQS:
        raise ValueError(f"freq must be one of {list(_FREQS)}, not {freq!r}")
    if fatalities not in _FATALITY_COLUMNS:
        raise ValueError(f"fatalities must be one of {list(_FATALITY_COLUMNS)}, not {fatalities!r}")
    if not isinstance(civilian_only, bool):
        raise ValueError(f"civilian_only must be True or False, not {civilian_only!r}")
    groups = [by] if isinstance(by, str) else list(by or [])
    needed = ["date_start", fatalities, *groups] + (["civilian_victims"] if civilian_only else [])
    absent = [c for c in needed if c not in events.columns]
    if absent:
        raise ValueError(f"the events table has no column(s) {absent}")
    reserved = {"period_start", "period_end", "events", "fatalities", "exposure_days"}
    if reserved & set(groups):
        raise ValueError(f"cannot group by {sorted(reserved & set(groups))}: output column names")

    frame = events
    if civilian_only:
        frame = frame.loc[frame["civilian_victims"].fillna(False).to_numpy(dtype=bool)]
    dates = pd.to_datetime(frame["date_start"]).dt.normalize()
    lo = _as_day(start, "start") if start is not None else None
    hi = _as_day(end, "end") if end is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start ({lo.date()}) is after end ({hi.date()})")
    keep = np.ones(len(frame), dtype=bool)
    if lo is not None:
        keep &= (dates >= lo).to_numpy()
    if hi is not None:
        keep &= (dates <= hi).to_numpy()
    frame = frame.loc[keep]
    dates = dates.loc[keep]
    values = frame[fatalities]
    if values.isna().any():
        first = (
            frame.loc[values.isna().to_numpy(), "event_id"].iloc[0] if "event_id" in frame else "?"
        )
        raise DataError(
            f"{int(values.isna().sum())} included event(s) have no {fatalities} (e.g. event "
            f"{first}); choose another fatality column or filter those events",
            column=fatalities,
            rule="missing_value",
        )
    if lo is None and len(dates):
        lo = _floor(pd.DatetimeIndex([dates.min()]), freq)[0]
    if hi is None and len(dates):
        last = _floor(pd.DatetimeIndex([dates.max()]), freq)[0]
        hi = pd.date_range(last, periods=2, freq=freq)[1] - pd.Timedelta(days=1)
    columns = ["period_start", "period_end", *groups, "events", "fatalities", "exposure_days"]
    if lo is None or hi is None:
        return pd.DataFrame({c: [] for c in columns})

    first_period = _floor(pd.DatetimeIndex([lo]), freq)[0]
    periods = pd.date_range(first_period, hi, freq=freq)
    if len(periods) == 0 or periods[0] != first_period:
        periods = pd.DatetimeIndex([first_period]).append(periods).unique()
    next_starts = pd.date_range(periods[-1], periods=2, freq=freq)[1]
    period_ends = periods[1:].append(pd.DatetimeIndex([next_starts])) - pd.Timedelta(days=1)
    exposure = (np.minimum(period_ends, hi) - np.maximum(periods, lo)).days.to_numpy() + 1

    keys = pd.DataFrame({"period_start": _floor(dates, freq)}, index=frame.index)
    originals = {}
    for g in groups:
        originals[g] = frame[g].dtype
        keys[g] = frame[g].astype(object).where(frame[g].notna(), np.nan)
    keys["_fatalities"] = values.astype("float64").to_numpy()
    counted = (
        keys.groupby(["period_start", *groups], dropna=False, sort=False)
        .agg(events=("_fatalities", "size"), fatalities=("_fatalities", "sum"))
        .reset_index()
    )
    grid = pd.DataFrame(
        {
            "period_start": periods,
            "period_end": period_ends,
            "exposure_days": exposure.astype("int64"),
        }
    )
    if groups:
        combos = keys[groups].drop_duplicates()
        grid = combos.merge(grid, how="cross")
    out = grid.merge(counted, on=["period_start", *groups], how="left")
    out["events"] = out["events"].fillna(0).astype("int64")
    out["fatalities"] = out["fatalities"].fillna(0).round().astype("int64")
    for g in groups:
        dtype = originals[g]
        try:
            if isinstance(dtype, pd.CategoricalDtype):
                out[g] = pd.Categorical(out[g], categories=dtype.categories)
            elif not pd.api.types.is_object_dtype(dtype):
                out[g] = out[g].astype(dtype)
        except (TypeError, ValueError):
            pass
    out["period_start"] = out["period_start"].astype("datetime64[s]")
    out["period_end"] = out["period_end"].astype("datetime64[s]")
    out = out.sort_values([*groups, "period_start"], kind="stable", na_position="last")
    return out[columns].reset_index(drop=True)


def _from_aggregates(
    aggregates: pd.DataFrame,
    *,
    freq: str,
    by: str | Sequence[str] | None,
    civilian_only: bool,
    start: object,
    end: object,
) -> pd.DataFrame:
    """:func:`aggregate_events` on HDX/HAPI aggregates (see its Notes)."""
    from analysis.harmonize.monthly import aggregate_series

    present = sorted(str(v) for v in pd.unique(aggregates["indicator"].dropna()))
    if civilian_only:
        indicator = "civilian_targeting"
    elif len(present) > 1:
        raise ValueError(
            f"the aggregates hold several indicators {present}, which overlap; choose one with "
            "aggregate_series(..., indicator=...) or civilian_only=True"
        )
    else:
        indicator = present[0] if present else None
    return aggregate_series(
        aggregates,
        indicator=indicator,
        freq=freq,
        by=by,
        start=start,
        end=end,  # type: ignore[arg-type]
    )
