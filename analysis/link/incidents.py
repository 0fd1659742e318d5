"""Incidents meet events: the events of the user's exports in an incident's place and days.

The evidence table (``data/tallies``) names an incident by its days (``period_start``,
``period_end`` of each figure) and its place (``admin1``, ``admin2``, ``place``), not by
coordinates. :func:`incident_events` lists the events of one or more canonical event tables
(ACLED, UCDP, or both stacked) that fall in those days and that place, and
:func:`incident_coverage` says, per incident and source, whether an export covers the
incident at all and what its events add up to.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

import numpy as np
import pandas as pd

from analysis.errors import DataError, ParameterError
from analysis.harmonize.schema import check_events
from analysis.link.match import _option

__all__ = ["incident_windows", "incident_events", "incident_coverage"]

PlaceLevel = Literal["place", "admin2", "admin1"]
Window = Literal["core", "union"]
_LEVELS: tuple[str, ...] = get_args(PlaceLevel)


def _name(value: object) -> str:
    """A place name for comparison: no accents, lower case, words joined by one space."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _names(value: object) -> frozenset[str]:
    """The places of a ``"; "``-separated list (``"Kalala; Boura"``), each as :func:`_name`."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    return frozenset(n for n in (_name(part) for part in str(value).split(";")) if n)


def incident_windows(
    tallies: pd.DataFrame, *, window: Window = "core", slack_days: int = 3
) -> pd.DataFrame:
    """The days and place of each incident of the evidence table.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`).
    window
        ``"core"`` (default): the days that the largest number of the incident's figures
        cover, from the first to the last such day (the days every figure covers, when they
        share any); ``"union"``: from the earliest ``period_start`` to the latest
        ``period_end``.
    slack_days
        Days added before and after, for events dated a little off.

    Returns
    -------
    pandas.DataFrame
        One row per incident: ``incident_id``, ``first_day``, ``last_day`` (the incident's
        days), ``window_start``, ``window_end`` (with the slack), ``window`` (which rule gave
        the days), ``country``, ``admin1``, ``admin2``, ``place`` (``"; "``-joined names
        every figure gives), ``n_figures``.
    """
    _option("window", window, Window)
    if isinstance(slack_days, bool) or not isinstance(slack_days, int | np.integer):
        raise ParameterError(f"slack_days must be a whole number, got {slack_days!r}")
    if slack_days < 0:
        raise ParameterError(f"slack_days must be >= 0, got {slack_days!r}")
    needed = ["incident_id", "period_start", "period_end", "country", "admin1", "admin2", "place"]
    for column in needed:
        if column not in tallies.columns:
            raise DataError("the evidence table lacks a column", file="tallies", column=column)
    rows = tallies[tallies["incident_id"].notna()]
    out = []
    for incident_id, group in rows.groupby("incident_id", sort=True):
        periods = group[["period_start", "period_end"]].dropna()
        start, end = periods["period_start"].min(), periods["period_end"].max()
        rule = "union"
        if window == "core":
            days = pd.date_range(start, end, freq="D").to_numpy()
            count = np.zeros(len(days), dtype=np.int64)
            for first, last in periods.itertuples(index=False):
                count += (days >= np.datetime64(first)) & (days <= np.datetime64(last))
            top = np.flatnonzero(count == count.max())
            start, end = pd.Timestamp(days[top[0]]), pd.Timestamp(days[top[-1]])
            rule = f"core: {int(count.max())} of {len(periods)} figures"

        def joined(column: str, frame: pd.DataFrame = group) -> object:
            values = sorted({v.strip() for v in frame[column].dropna().astype(str) if v.strip()})
            return "; ".join(values) if values else pd.NA

        out.append(
            {
                "incident_id": str(incident_id),
                "first_day": start,
                "last_day": end,
                "window_start": start - pd.Timedelta(days=int(slack_days)),
                "window_end": end + pd.Timedelta(days=int(slack_days)),
                "window": rule,
                "country": joined("country"),
                "admin1": joined("admin1"),
                "admin2": joined("admin2"),
                "place": joined("place"),
                "n_figures": len(group),
            }
        )
    columns = [
        "incident_id", "first_day", "last_day", "window_start", "window_end", "window",
        "country", "admin1", "admin2", "place", "n_figures",
    ]  # fmt: skip
    frame = pd.DataFrame(out, columns=columns)
    for column in ("first_day", "last_day", "window_start", "window_end"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    for column in ("incident_id", "window", "country", "admin1", "admin2", "place"):
        frame[column] = frame[column].astype("string")
    return frame


def _select(incidents: pd.DataFrame, incident_id: str | None) -> pd.DataFrame:
    if incident_id is None:
        return incidents
    chosen = incidents[incidents["incident_id"] == incident_id]
    if chosen.empty:
        raise ParameterError(
            f"incident_id {incident_id!r} is not in the evidence table; known: "
            f"{incidents['incident_id'].tolist()}"
        )
    return chosen


def incident_events(
    tallies: pd.DataFrame,
    events: pd.DataFrame,
    *,
    incident_id: str | None = None,
    place_level: PlaceLevel = "admin2",
    window: Window = "core",
    slack_days: int = 3,
) -> pd.DataFrame:
    """The events of an export that fall in an incident's days and place.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`).
    events
        A canonical event table (one export, or several stacked with ``pd.concat``).
    incident_id
        One incident, or ``None`` for every incident of the evidence table.
    place_level
        The widest place an event may share with the incident: ``"place"`` (the locality the
        figures name, matched to the event's ``location``), ``"admin2"`` (default: also
        events in the incident's cercle) or ``"admin1"`` (also events in its region).
    window, slack_days
        The incident's days; see :func:`incident_windows`.

    Returns
    -------
    pandas.DataFrame
        One row per (incident, event), nearest place first then by date: ``incident_id``,
        ``place_match`` (``place``, ``admin2`` or ``admin1``: the narrowest the event shares
        with the incident), ``days_outside`` (days the event lies outside the incident's own
        days, 0 inside), ``source``, ``event_id``, ``date_start``, ``date_end``, ``admin1``,
        ``admin2``, ``location``, ``latitude``, ``longitude``, ``perpetrator_group``,
        ``civilian_victims``, ``fatalities``, ``civilian_fatalities``, ``origin``.

    Notes
    -----
    Names are compared without accents, case or punctuation (``Djenné`` = ``Djenne``). An
    event is kept when its dates overlap the incident's window and it shares a place at
    ``place_level`` or narrower: an incident that names only a locality matches only events
    at that locality. The incident's country must be the event's (when both give one).
    These are the events *in the incident's place and days*, not proof that they code the
    same killings: read their notes.

    Examples
    --------
    >>> from analysis import load_tallies
    >>> from analysis.harmonize.schema import empty_events
    >>> incident_events(load_tallies(), empty_events(), incident_id="moura-2022-03").empty
    True
    """
    _option("place_level", place_level, PlaceLevel)
    check_events(events, where="events")
    incidents = _select(
        incident_windows(tallies, window=window, slack_days=slack_days), incident_id
    )
    widest = _LEVELS.index(place_level)
    start = events["date_start"].to_numpy()
    end = events["date_end"].fillna(events["date_start"]).to_numpy()
    names = {
        "place": events["location"].map(_name).to_numpy(dtype=object),
        "admin2": events["admin2"].astype(object).map(_name).to_numpy(dtype=object),
        "admin1": events["admin1"].astype(object).map(_name).to_numpy(dtype=object),
    }
    country = events["country"].astype(object).map(_name).to_numpy(dtype=object)
    parts = []
    for incident in incidents.itertuples(index=False):
        in_days = (start <= np.datetime64(incident.window_end)) & (
            end >= np.datetime64(incident.window_start)
        )
        wanted = _names(incident.country)
        same_country = np.ones(len(events), dtype=bool)
        if wanted:
            same_country = np.isin(country, list(wanted)) | (country == "")
        level = np.full(len(events), -1)
        for i, name in reversed(list(enumerate(_LEVELS[: widest + 1]))):
            targets = _names(getattr(incident, name))
            if targets:
                level[np.isin(names[name], list(targets))] = i
        keep = np.flatnonzero(in_days & same_country & (level >= 0))
        if not len(keep):
            continue
        chosen = events.iloc[keep]
        first = np.datetime64(incident.first_day)
        last = np.datetime64(incident.last_day)
        before = (first - end[keep]).astype("timedelta64[D]").astype(np.int64)
        after = (start[keep] - last).astype("timedelta64[D]").astype(np.int64)
        parts.append(
            pd.DataFrame(
                {
                    "incident_id": incident.incident_id,
                    "place_match": np.array(_LEVELS, dtype=object)[level[keep]],
                    "days_outside": np.maximum(0, np.maximum(before, after)),
                    **{
                        column: chosen[column].to_numpy()
                        for column in (
                            "source",
                            "event_id",
                            "date_start",
                            "date_end",
                            "admin1",
                            "admin2",
                            "location",
                            "latitude",
                            "longitude",
                            "perpetrator_group",
                            "civilian_victims",
                        )  # fmt: skip
                    },
                    "fatalities": chosen["fatalities"].array,
                    "civilian_fatalities": chosen["civilian_fatalities"].array,
                    "origin": chosen["origin"].to_numpy(),
                }
            )
        )
    columns = [
        "incident_id", "place_match", "days_outside", "source", "event_id", "date_start",
        "date_end", "admin1", "admin2", "location", "latitude", "longitude",
        "perpetrator_group", "civilian_victims", "fatalities", "civilian_fatalities", "origin",
    ]  # fmt: skip
    if not parts:
        out = events.iloc[:0].assign(incident_id="", place_match="", days_outside=0)[columns]
        return out.reset_index(drop=True)
    out = pd.concat(parts, ignore_index=True)
    out["_rank"] = out["place_match"].map({name: i for i, name in enumerate(_LEVELS)})
    out = out.sort_values(
        ["incident_id", "_rank", "days_outside", "date_start", "source", "event_id"], kind="stable"
    )
    for column in ("fatalities", "civilian_fatalities"):
        out[column] = out[column].astype("Int64")
    return out[columns].reset_index(drop=True)


def incident_coverage(
    tallies: pd.DataFrame,
    events: pd.DataFrame,
    *,
    incident_id: str | None = None,
    place_level: PlaceLevel = "admin2",
    window: Window = "core",
    slack_days: int = 3,
) -> pd.DataFrame:
    """Per incident and source: does the export cover the incident, and what do its events say.

    Parameters
    ----------
    tallies, events, incident_id, place_level, window, slack_days
        As for :func:`incident_events`.

    Returns
    -------
    pandas.DataFrame
        One row per (incident, source present in ``events``): ``incident_id``, ``source``,
        ``export_first``, ``export_last`` (the export's first and last event dates),
        ``covered`` (the export's dates span the incident's days), ``n_events`` (events in
        the incident's place and days), ``fatalities`` (their sum; NA when none gives a
        figure), ``civilian_fatalities`` (likewise), ``event_ids`` (``"; "``-joined),
        ``note`` (in words: not covered, or covered with no event in the place and days).

    Notes
    -----
    An export "covers" an incident when its first event is on or before the incident's
    first day and its last event on or after its last day; an export that stops before the
    incident cannot say whether the source coded it. Summed fatalities of several events can
    count one death twice when a source coded one killing as two events, or include deaths
    of fighters: read them beside the published figures, not as a figure of the same thing.
    """
    check_events(events, where="events")
    incidents = _select(
        incident_windows(tallies, window=window, slack_days=slack_days), incident_id
    )
    linked = incident_events(
        tallies, events, incident_id=incident_id, place_level=place_level, window=window,
        slack_days=slack_days,
    )  # fmt: skip
    rows = []
    sources = [str(s) for s in events["source"].dropna().unique()]
    for incident in incidents.itertuples(index=False):
        for source in sorted(sources):
            own = events[events["source"] == source]
            first, last = own["date_start"].min(), own["date_end"].fillna(own["date_start"]).max()
            covered = bool(first <= incident.first_day and last >= incident.last_day)
            hits = linked[
                (linked["incident_id"] == incident.incident_id) & (linked["source"] == source)
            ]
            fat = hits["fatalities"].dropna()
            civ = hits["civilian_fatalities"].dropna()
            if not covered:
                note = (
                    f"the {source.upper()} export runs from {first:%Y-%m-%d} to {last:%Y-%m-%d} "
                    f"and does not cover the incident's days"
                )
            elif hits.empty:
                note = f"no {source.upper()} event in the incident's place and days"
            else:
                note = ""
            rows.append(
                {
                    "incident_id": incident.incident_id,
                    "source": source,
                    "export_first": first,
                    "export_last": last,
                    "covered": covered,
                    "n_events": len(hits),
                    "fatalities": int(fat.sum()) if len(fat) else pd.NA,
                    "civilian_fatalities": int(civ.sum()) if len(civ) else pd.NA,
                    "event_ids": "; ".join(hits["event_id"].astype(str)),
                    "note": note,
                }
            )
    columns = [
        "incident_id", "source", "export_first", "export_last", "covered", "n_events",
        "fatalities", "civilian_fatalities", "event_ids", "note",
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    for column in ("fatalities", "civilian_fatalities"):
        out[column] = out[column].astype("Int64")
    out["n_events"] = out["n_events"].astype("int64")
    return out
