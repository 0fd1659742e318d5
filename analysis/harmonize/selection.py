"""Choosing the events an analysis covers, and splitting them around a date.

Small, explicit filters over the canonical event table (:mod:`analysis.harmonize.schema`), so
notebooks and scripts select events the same way and say what they kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["select_events", "scope_events", "split_counts"]

_SHOWN = 5  # other countries named in a scope summary


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


def scope_events(
    events: pd.DataFrame,
    *,
    country: str = "Mali",
    start: object = None,
    end: object = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events of one country and window, and a count of those left out, by reason.

    Parameters
    ----------
    events
        A canonical event table (or an HDX aggregate table: any frame with ``country`` and/or
        ``iso3`` and a date column ``date_start`` or ``month``).
    country
        A name (``"Mali"``) or an ISO 3166 alpha-3 code (``"MLI"``); see
        :func:`analysis.harmonize.countries.country_mask`.
    start, end
        First and last day kept (inclusive); ``None`` keeps every date.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The rows kept (a view of ``events``), and the rows left out, one row per reason:
        ``reason`` (``"other_country"``, ``"before_start"`` or ``"after_end"``), ``detail``
        (for other countries the five with most rows, with their counts, and the rest summed,
        e.g. ``"Syria 120; Somalia 80; ...; and 300 in 12 more"``; for dates the bound), ``n_rows``. Each left-out row is
        counted once, under the first reason in that order. Reasons with no row are omitted.

    Notes
    -----
    The counts add up: ``len(kept) + left_out.n_rows.sum() == len(events)``.

    Examples
    --------
    >>> kept, left_out = scope_events(read_ucdp_ged("ged.rda"), country="Mali")  # doctest: +SKIP
    """
    from analysis.harmonize.countries import country_mask

    dates = pd.to_datetime(events["date_start" if "date_start" in events else "month"])
    in_country = country_mask(events, country)
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    early = (dates < lo).to_numpy() if lo is not None else np.zeros(len(events), dtype=bool)
    late = (dates > hi).to_numpy() if hi is not None else np.zeros(len(events), dtype=bool)
    rows = []
    elsewhere = ~in_country
    if elsewhere.any():
        names = pd.Series("(no country)", index=events.index[elsewhere], dtype="string")
        for column in ("iso3", "country"):  # the name where there is one, else the code
            if column in events:
                names = events.loc[elsewhere, column].astype("string").fillna(names)
        counts = names.value_counts()
        counts = counts.sort_index().sort_values(ascending=False, kind="stable")
        detail = "; ".join(f"{name} {n:,}" for name, n in counts.head(_SHOWN).items())
        if len(counts) > _SHOWN:
            detail += f"; and {int(counts.iloc[_SHOWN:].sum()):,} in {len(counts) - _SHOWN} more"
        rows.append(("other_country", detail, int(elsewhere.sum())))
    before = in_country & early
    if before.any():
        rows.append(("before_start", f"before {lo:%Y-%m-%d}", int(before.sum())))
    after = in_country & ~early & late
    if after.any():
        rows.append(("after_end", f"after {hi:%Y-%m-%d}", int(after.sum())))
    left_out = pd.DataFrame(rows, columns=["reason", "detail", "n_rows"])
    left_out["n_rows"] = left_out["n_rows"].astype("int64")
    return events[in_country & ~early & ~late], left_out


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
