"""Choosing the events an analysis covers, and splitting them around a date.

Small, explicit filters over the canonical event table (:mod:`analysis.harmonize.schema`), so
notebooks and scripts select events the same way and say what they kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["select_events", "split_counts"]


def select_events(
    events: pd.DataFrame,
    *,
    start: object = None,
    end: object = None,
    admin1: Sequence[str] | None = None,
    perpetrator_groups: Sequence[str] | None = None,
    civilian_only: bool = False,
) -> pd.DataFrame:
    """Events starting in ``[start, end]``, in the given regions and perpetrator groups.

    Empty or None filters keep everything. Region names are compared without regard to case.
    A region or group that matches no event raises a ValueError naming it (a typo should not
    silently empty a report).
    """
    keep = pd.Series(True, index=events.index)
    if start is not None:
        keep &= events["date_start"] >= pd.Timestamp(start)
    if end is not None:
        keep &= events["date_start"] <= pd.Timestamp(end)
    if admin1:
        names = events["admin1"].astype("string").str.casefold()
        wanted = {a.casefold() for a in admin1}
        missing = sorted(wanted - set(names.dropna()))
        if missing:
            raise ValueError(f"no events in the region(s) {missing}")
        keep &= names.isin(wanted)
    if perpetrator_groups:
        groups = events["perpetrator_group"].astype("string")
        missing = sorted(set(perpetrator_groups) - set(groups.dropna()))
        if missing:
            raise ValueError(f"no events of the perpetrator group(s) {missing}")
        keep &= groups.isin(list(perpetrator_groups))
    if civilian_only:
        keep &= events["civilian_victims"].fillna(False).astype(bool)
    return events[keep.fillna(False)]


def split_counts(
    events: pd.DataFrame,
    *,
    date: object,
    by: str = "perpetrator_group",
    value: str | None = "fatalities",
) -> tuple[pd.Series, pd.Series]:
    """Totals by group before ``date`` and from ``date`` on (by ``date_start``).

    ``value`` None counts events; otherwise the column is summed (missing as 0). Returns two
    Series indexed by group, the input of :func:`analysis.trends.share_change`.
    """
    when = pd.Timestamp(date)
    groups = events[by].astype("string").fillna("unknown")
    amounts = (
        pd.Series(1, index=events.index)
        if value is None
        else pd.to_numeric(events[value], errors="coerce").fillna(0)
    )
    before = events["date_start"] < when
    return (
        amounts[before].groupby(groups[before]).sum(),
        amounts[~before].groupby(groups[~before]).sum(),
    )
