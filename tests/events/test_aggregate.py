"""aggregate_events: zero-filled periods, preserved totals, groups, filters.

Expected series are computed independently with pandas' own ``resample`` on the event dates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import DataError, aggregate_events, read_acled
from analysis.harmonize.schema import conform_events
from analysis.testing import write_acled_csv


def _events(dates: list[str], deaths: list[int], **extra) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "event_id": [f"E{i}" for i in range(len(dates))],
            "date_start": pd.to_datetime(dates),
            "fatalities": deaths,
            "civilian_victims": extra.pop("civilian", [False] * len(dates)),
            "source": "acled",
            **extra,
        }
    )
    return conform_events(frame.assign(date_end=frame["date_start"]))


def test_empty_months_are_filled_with_zeros() -> None:
    events = _events(["2021-01-05", "2021-01-20", "2021-03-02"], [1, 2, 4])
    out = aggregate_events(events)
    assert out["period_start"].dt.strftime("%Y-%m").tolist() == ["2021-01", "2021-02", "2021-03"]
    assert out["events"].tolist() == [2, 0, 1]
    assert out["fatalities"].tolist() == [3, 0, 4]
    assert out["exposure_days"].tolist() == [31, 28, 31]
    assert out["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2021-01-31",
        "2021-02-28",
        "2021-03-31",
    ]


@pytest.mark.parametrize("freq", ["D", "W-MON", "MS", "QS", "YS"])
def test_matches_pandas_resample(tmp_path: Path, freq: str) -> None:
    """Same counts and sums as pandas' own resample of the event dates."""
    rule = freq
    events = read_acled(write_acled_csv(tmp_path / "a.csv", n_events=300, seed=21))
    out = aggregate_events(events, freq=freq)
    series = events.set_index("date_start")["fatalities"].astype("int64").sort_index()
    if freq == "W-MON":  # Monday-to-Sunday weeks labelled by their Monday
        binned = series.resample("W-MON", closed="left", label="left")
    else:
        binned = series.resample(rule)
    counts = binned.size()
    sums = binned.sum()
    assert out["period_start"].tolist() == list(counts.index)
    assert out["events"].tolist() == counts.tolist()
    assert out["fatalities"].tolist() == sums.tolist()


def test_weeks_start_on_monday() -> None:
    events = _events(["2024-01-03", "2024-01-21"], [1, 1])  # a Wednesday and a Sunday
    out = aggregate_events(events, freq="W-MON")
    assert (out["period_start"].dt.day_of_week == 0).all()
    assert out["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
    ]
    assert out["events"].tolist() == [1, 0, 1]


def test_groups_get_every_period() -> None:
    events = _events(
        ["2022-01-10", "2022-03-10", "2022-03-11"],
        [5, 1, 2],
        perpetrator_group=["jnim", "state_forces_with_foreign", "jnim"],
    )
    out = aggregate_events(events, by="perpetrator_group")
    assert len(out) == 2 * 3
    jnim = out[out["perpetrator_group"] == "jnim"]
    assert jnim["events"].tolist() == [1, 0, 1]
    assert jnim["fatalities"].tolist() == [5, 0, 2]
    foreign = out[out["perpetrator_group"] == "state_forces_with_foreign"]
    assert foreign["events"].tolist() == [0, 0, 1]
    assert isinstance(out["perpetrator_group"].dtype, pd.CategoricalDtype)


def test_civilian_only_and_window() -> None:
    events = _events(
        ["2021-11-15", "2021-12-24", "2022-01-02", "2022-02-01"],
        [3, 4, 5, 6],
        civilian=[True, True, False, True],
    )
    out = aggregate_events(events, civilian_only=True, start="2021-12-01", end="2022-02-14")
    assert out["period_start"].dt.strftime("%Y-%m").tolist() == ["2021-12", "2022-01", "2022-02"]
    assert out["events"].tolist() == [1, 0, 1]
    assert out["fatalities"].tolist() == [4, 0, 6]
    assert out["exposure_days"].tolist() == [31, 31, 14]


def test_other_fatality_column_and_missing_values() -> None:
    events = _events(["2021-01-05"], [2])
    with pytest.raises(DataError, match="civilian_fatalities"):
        aggregate_events(events, fatalities="civilian_fatalities")
    events["civilian_fatalities"] = pd.array([1], dtype="Int64")
    assert aggregate_events(events, fatalities="civilian_fatalities")["fatalities"].tolist() == [1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "M"}, "freq must be one of"),
        ({"fatalities": "deaths"}, "fatalities must be one of"),
        ({"by": "no_such_column"}, "no column"),
        ({"start": "2022-01-01", "end": "2021-01-01"}, "after end"),
        ({"civilian_only": "yes"}, "civilian_only"),
    ],
)
def test_bad_options(kwargs, message) -> None:
    events = _events(["2021-01-05"], [2])
    with pytest.raises(ValueError, match=message):
        aggregate_events(events, **kwargs)


def test_empty_input_gives_empty_table() -> None:
    events = _events([], [])
    out = aggregate_events(events)
    assert out.empty
    assert list(out.columns) == [
        "period_start",
        "period_end",
        "events",
        "fatalities",
        "exposure_days",
    ]


@settings(max_examples=40, deadline=None)
@given(
    days=st.lists(st.integers(0, 2000), min_size=1, max_size=60),
    deaths=st.data(),
    freq=st.sampled_from(["D", "W-MON", "MS", "QS", "YS"]),
)
def test_totals_are_preserved(days, deaths, freq) -> None:
    """Property: for any events, the series sums to the number of events and their deaths,
    and the periods are consecutive without gaps."""
    counts = deaths.draw(st.lists(st.integers(0, 50), min_size=len(days), max_size=len(days)))
    dates = (pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    groups = np.where(np.array(days) % 2 == 0, "jnim", "isgs").tolist()
    events = _events(list(dates), counts, perpetrator_group=groups)
    for by in (None, "perpetrator_group"):
        out = aggregate_events(events, freq=freq, by=by)
        assert out["events"].sum() == len(days)
        assert out["fatalities"].sum() == sum(counts)
        first = out.groupby(by)["period_start"] if by else out["period_start"]
        starts = out[out["perpetrator_group"] == groups[0]]["period_start"] if by else first
        expected = pd.date_range(starts.min(), starts.max(), freq=freq)
        assert list(starts) == list(expected)
