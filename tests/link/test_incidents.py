"""Incidents meet events: SYNTHETIC events placed in and around an invented incident."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import DataError, ParameterError, incident_coverage, incident_events, incident_windows
from analysis.harmonize.schema import conform_events


def _tallies() -> pd.DataFrame:
    rows = [
        # three figures: two cover 10-12 May, one the whole month
        ("inc-a", "2023-05-10", "2023-05-12", "Mali", "Mopti", "Djenné", "Moura"),
        ("inc-a", "2023-05-10", "2023-05-12", "Mali", "Mopti", None, "Moura"),
        ("inc-a", "2023-05-01", "2023-05-31", "Mali", "Mopti", "Djenné", None),
        ("inc-b", "2023-07-01", "2023-07-01", "Mali", None, None, "Ogota; Ouémbé"),
        ("inc-c", "2025-01-01", "2025-01-02", "Mali", "Gao", None, None),
        (None, "2023-01-01", "2023-12-31", "Mali", None, None, None),  # a period total
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "incident_id",
            "period_start",
            "period_end",
            "country",
            "admin1",
            "admin2",
            "place",
        ],
    )
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _events() -> pd.DataFrame:
    rows = [
        # id, source, start, end, admin1, admin2, location, fatalities
        ("E0", "acled", "2023-01-02", "2023-01-02", "Koulikoro", "Kati", "Kati", 1),
        ("E1", "acled", "2023-05-11", "2023-05-11", "Mopti", "Djenne", "Moura", 30),
        ("E2", "acled", "2023-05-14", "2023-05-14", "Mopti", "Djenne", "Sofara", 4),
        ("E3", "acled", "2023-05-20", "2023-05-20", "Mopti", "Djenne", "Moura", 2),
        ("E4", "acled", "2023-05-11", "2023-05-11", "Mopti", "Bandiagara", "Bandiagara", 7),
        ("E5", "acled", "2023-07-02", "2023-07-02", "Mopti", "Bandiagara", "Ouembe", 12),
        ("U1", "ucdp", "2023-05-09", "2023-05-13", "Mopti region", "Djenné cercle", "Moura", None),
        ("U2", "ucdp", "2022-01-01", "2023-06-30", "Mopti", "Djenne", "Moura", 1),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["event_id", "source", "date_start", "date_end", "admin1", "admin2", "location",
                 "fatalities"],
    )  # fmt: skip
    frame["country"] = "Mali"
    frame["notes"] = "SYNTHETIC TEST DATA"
    frame["origin"] = [f"synthetic.csv:{i + 2}" for i in range(len(frame))]
    frame["fatalities"] = frame["fatalities"].astype("Int64")
    return conform_events(frame)


def test_windows_take_the_days_most_figures_cover() -> None:
    windows = incident_windows(_tallies(), slack_days=2).set_index("incident_id")
    assert list(windows.index) == ["inc-a", "inc-b", "inc-c"]
    a = windows.loc["inc-a"]
    assert (a["first_day"], a["last_day"]) == (
        pd.Timestamp("2023-05-10"),
        pd.Timestamp("2023-05-12"),
    )
    assert a["window_start"] == pd.Timestamp("2023-05-08")
    assert a["window"] == "core: 3 of 3 figures"
    assert a["place"] == "Moura" and a["admin2"] == "Djenné" and a["n_figures"] == 3
    union = incident_windows(_tallies(), window="union").set_index("incident_id").loc["inc-a"]
    assert (union["first_day"], union["last_day"]) == (
        pd.Timestamp("2023-05-01"), pd.Timestamp("2023-05-31"),
    )  # fmt: skip


def test_events_in_place_and_days_nearest_place_first() -> None:
    linked = incident_events(_tallies(), _events(), incident_id="inc-a", slack_days=3)
    # at Moura: U2 (a long range over the days), U1 (its cercle spelled otherwise), E1; then
    # E2 in the cercle 2 days after; E3 is too late, E4 in another cercle
    assert linked["event_id"].tolist() == ["U2", "U1", "E1", "E2"]
    assert linked["place_match"].tolist() == ["place", "place", "place", "admin2"]
    assert linked["days_outside"].tolist() == [0, 0, 0, 2]
    assert linked["fatalities"].tolist() == [1, pd.NA, 30, 4]
    assert linked["origin"].iloc[2] == "synthetic.csv:3"
    narrow = incident_events(_tallies(), _events(), incident_id="inc-a", place_level="place")
    assert narrow["event_id"].tolist() == ["U2", "U1", "E1"]
    wide = incident_events(_tallies(), _events(), incident_id="inc-a", place_level="admin1")
    assert set(wide["event_id"]) == {"E1", "U1", "U2", "E2", "E4"}


def test_accents_and_lists_of_places() -> None:
    linked = incident_events(_tallies(), _events(), incident_id="inc-b")
    assert linked["event_id"].tolist() == ["E5"]  # "Ouémbé" in the table, "Ouembe" in the event
    assert linked["days_outside"].tolist() == [1]


def test_coverage_says_when_an_export_does_not_cover_the_incident() -> None:
    cover = incident_coverage(_tallies(), _events()).set_index(["incident_id", "source"])
    a = cover.loc[("inc-a", "acled")]
    assert bool(a["covered"]) and a["n_events"] == 2 and a["fatalities"] == 34
    assert a["event_ids"] == "E1; E2"
    c = cover.loc[("inc-c", "acled")]
    assert not c["covered"] and c["n_events"] == 0 and pd.isna(c["fatalities"])
    assert "does not cover" in c["note"]
    u = cover.loc[("inc-b", "ucdp")]
    assert bool(u["covered"]) is False  # UCDP's events end in June 2023
    assert (cover.loc[("inc-a", "ucdp"), "fatalities"]) == 1


def test_no_event_anywhere_gives_empty_tables() -> None:
    events = _events().iloc[:0]
    assert incident_events(_tallies(), events).empty
    assert incident_coverage(_tallies(), events).empty


def test_bad_input() -> None:
    with pytest.raises(ParameterError, match="not in the evidence table"):
        incident_events(_tallies(), _events(), incident_id="nowhere")
    with pytest.raises(ParameterError, match="place_level"):
        incident_events(_tallies(), _events(), place_level="village")
    with pytest.raises(ParameterError, match="slack_days"):
        incident_windows(_tallies(), slack_days=-1)
    with pytest.raises(DataError, match="canonical columns"):
        incident_events(_tallies(), _events().drop(columns="origin"))
    with pytest.raises(DataError) as caught:
        incident_windows(_tallies().drop(columns="place"))
    assert caught.value.column == "place"
