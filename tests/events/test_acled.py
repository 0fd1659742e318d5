"""read_acled on SYNTHETIC exports of every generation, layout, date style and format.

The expected values are computed directly with pandas from the generator's event table
(:func:`analysis.testing.synthetic_acled_events`), independently of the reader.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from analysis import read_acled
from analysis.harmonize.schema import EVENT_COLUMNS, check_events
from analysis.testing import (
    SYNTHETIC_LABEL,
    synthetic_acled_events,
    write_acled_csv,
    write_acled_json,
)

N = 150
SEED = 7


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    frame = synthetic_acled_events(N, seed=SEED)
    frame["year"] = pd.to_datetime(frame["event_date"]).dt.year
    frame["deaths"] = frame["fatalities"].astype(int)
    frame["civilian"] = frame["civilian_targeting"] != ""
    return frame


def _per_year(frame: pd.DataFrame, year: pd.Series, deaths: pd.Series, civ: pd.Series):
    table = pd.DataFrame(
        {"year": year.to_numpy(), "deaths": deaths.to_numpy(), "civ": civ.to_numpy()}
    )
    return (
        table.groupby("year").size().to_dict(),
        table.groupby("year")["deaths"].sum().to_dict(),
        table[table["civ"]].groupby("year")["deaths"].sum().to_dict(),
    )


@pytest.mark.parametrize("generation", ["current", "no_disorder", "old_schema"])
@pytest.mark.parametrize("layout", ["dyadic", "monadic"])
@pytest.mark.parametrize("date_style", ["iso", "long", "dmy_month"])
@pytest.mark.parametrize("hxl", [False, True])
def test_every_format_gives_the_events_of_the_export(
    tmp_path: Path, truth: pd.DataFrame, generation, layout, date_style, hxl
) -> None:
    """Events, fatalities and civilian-targeting fatalities per year equal those of the
    generator's table (pandas on the truth), for every generation, layout, date style, with
    and without the HXL row."""
    path = write_acled_csv(
        tmp_path / "export.csv",
        n_events=N,
        seed=SEED,
        generation=generation,
        layout=layout,
        date_style=date_style,
        hxl=hxl,
    )
    events = read_acled(path)
    check_events(events)
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert len(events) == N
    assert events["event_id"].is_unique
    got = _per_year(
        events, events["date_start"].dt.year, events["fatalities"], events["civilian_victims"]
    )
    expected = _per_year(truth, truth["year"], truth["deaths"], truth["civilian"])
    assert got == expected
    assert set(events["event_id"]) == set(truth["event_id_cnty"])
    assert (events["source"] == "acled").all()
    assert events["notes"].str.startswith(SYNTHETIC_LABEL).all()


def test_dates_match_the_truth_in_every_style(tmp_path: Path, truth: pd.DataFrame) -> None:
    """'2020-12-31', '31 December 2020' and '15-July-2022' give the same dates."""
    expected = pd.Series(
        pd.to_datetime(truth["event_date"]).to_numpy(), index=truth["event_id_cnty"]
    )
    for style in ("iso", "long", "dmy_month"):
        path = write_acled_csv(tmp_path / f"{style}.csv", n_events=N, seed=SEED, date_style=style)
        events = read_acled(path).set_index("event_id")
        assert (events["date_start"] == expected.loc[events.index].to_numpy()).all()
        assert (events["date_end"] == events["date_start"]).all()


def test_monadic_export_folds_back_to_dyadic_actors(tmp_path: Path, truth: pd.DataFrame) -> None:
    """Folding one-row-per-actor rows recovers actor1/actor2 and their associates."""
    path = write_acled_csv(tmp_path / "m.csv", n_events=N, seed=SEED, layout="monadic")
    events = read_acled(path).set_index("event_id")
    want = truth.set_index("event_id_cnty").loc[events.index]
    for got_col, want_col in (
        ("actor1", "actor1"),
        ("assoc_actor1", "assoc_actor_1"),
        ("actor2", "actor2"),
        ("assoc_actor2", "assoc_actor_2"),
    ):
        got = events[got_col].astype(object).where(events[got_col].notna(), "")
        assert (got.to_numpy() == want[want_col].to_numpy()).all(), got_col


def test_origin_names_the_physical_line(tmp_path: Path) -> None:
    """origin is '<file>:<line>', the 1-based physical line of the row, also with the HXL row
    and with line breaks inside quoted notes (checked with Python's csv module)."""
    path = write_acled_csv(
        tmp_path / "lines.csv", n_events=60, seed=3, hxl=True, multiline_notes=True
    )
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    next(reader)  # header
    starts = {}
    line = reader.line_num + 1
    for row in reader:
        if not row[0].startswith("#"):
            starts[row[0]] = line
        line = reader.line_num + 1
    events = read_acled(path)
    expected = events["event_id"].map(lambda e: f"lines.csv:{starts[e]}")
    assert (events["origin"] == expected).all()
    assert events["notes"].str.contains("\n").any()


def test_column_names_in_any_case(tmp_path: Path) -> None:
    lower = read_acled(write_acled_csv(tmp_path / "a.csv", n_events=40, seed=1))
    upper = read_acled(
        write_acled_csv(tmp_path / "b.csv", n_events=40, seed=1, upper_case_header=True)
    )
    pd.testing.assert_frame_equal(lower.drop(columns="origin"), upper.drop(columns="origin"))


def test_api_json_equals_the_csv(tmp_path: Path) -> None:
    """The API's JSON (data array) reads to the same events as the CSV of the same seed."""
    from_csv = read_acled(write_acled_csv(tmp_path / "a.csv", n_events=50, seed=2))
    from_json = read_acled(write_acled_json(tmp_path / "a.json", n_events=50, seed=2))
    pd.testing.assert_frame_equal(from_csv.drop(columns="origin"), from_json.drop(columns="origin"))
    assert from_json["origin"].iloc[0] == "a.json:data[0]"
    assert from_json["origin"].iloc[-1] == "a.json:data[49]"


def test_old_schema_event_types_are_renamed(tmp_path: Path, truth: pd.DataFrame) -> None:
    """Pre-2019 types map to the current ones; 'Battle-No change of territory' is an armed
    clash; civilian targeting is derived from type and actor2 (ACLED's definition)."""
    path = write_acled_csv(tmp_path / "old.csv", n_events=N, seed=SEED, generation="old_schema")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert "Battle-No change of territory" in set(raw["event_type"])
    events = read_acled(path).set_index("event_id")
    want = truth.set_index("event_id_cnty").loc[events.index]
    assert (events["event_type"].astype(str).to_numpy() == want["event_type"].to_numpy()).all()
    battles = events["event_type"] == "Battles"
    assert (events.loc[battles, "sub_event_type"] == "Armed clash").all()
    assert (events["civilian_victims"].to_numpy() == want["civilian"].to_numpy()).all()


def test_iso3_from_numeric_code_when_absent(tmp_path: Path) -> None:
    """Current exports have only the numeric ISO code (466 = Mali, ISO 3166-1)."""
    path = write_acled_csv(tmp_path / "c.csv", n_events=20, seed=1, generation="current")
    assert "iso3" not in pd.read_csv(path, nrows=1).columns
    assert (read_acled(path)["iso3"] == "MLI").all()


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_overlapping_files_keep_the_latest_timestamp(tmp_path: Path, truth: pd.DataFrame) -> None:
    """Events in two exports are de-duplicated by event_id_cnty, keeping the later timestamp."""
    frame = synthetic_acled_events(80, seed=4)
    first = frame.iloc[:50].copy()
    second = frame.iloc[30:].copy()
    # the overlap (rows 30-49) was revised: one more death, a later timestamp
    second.loc[second.index[:20], "fatalities"] = (
        second["fatalities"].iloc[:20].astype(int) + 1
    ).astype(str)
    second.loc[second.index[:20], "timestamp"] = (
        second["timestamp"].iloc[:20].astype(int) + 86_400
    ).astype(str)
    a = _write(first, tmp_path / "first.csv")
    b = _write(second, tmp_path / "second.csv")
    for order in ((a, b), (b, a)):
        events = read_acled(list(order))
        assert len(events) == 80
        assert events["event_id"].is_unique
        expected = frame["fatalities"].astype(int).sum() + 20
        assert events["fatalities"].sum() == expected
        revised = events.set_index("event_id").loc[frame["event_id_cnty"].iloc[30:50]]
        assert revised["origin"].str.startswith("second.csv:").all()


def test_identical_duplicates_collapse(tmp_path: Path) -> None:
    frame = synthetic_acled_events(30, seed=5)
    doubled = pd.concat([frame, frame.iloc[:5]], ignore_index=True)
    events = read_acled(_write(doubled, tmp_path / "d.csv"))
    assert len(events) == 30
    assert events["fatalities"].sum() == frame["fatalities"].astype(int).sum()


def test_deletions_list_and_file(tmp_path: Path) -> None:
    frame = synthetic_acled_events(30, seed=6)
    path = _write(frame, tmp_path / "e.csv")
    gone = list(frame["event_id_cnty"].iloc[:4])
    assert set(read_acled(path, deletions=gone)["event_id"]) == set(frame["event_id_cnty"]) - set(
        gone
    )
    deletions = tmp_path / "deleted.csv"
    pd.DataFrame({"event_id_cnty": gone, "deleted_timestamp": "1700000000"}).to_csv(
        deletions, index=False
    )
    assert len(read_acled(path, deletions=deletions)) == 26


def test_raw_file_is_read_only_and_unchanged(tmp_path: Path) -> None:
    """Reading works on a read-only file and leaves its bytes identical (sha256 before/after),
    also when the result is served from the cache."""
    path = write_acled_csv(tmp_path / "ro.csv", n_events=40, seed=8, hxl=True)
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    read_acled(path)
    read_acled(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime


def test_blank_associated_actors_are_missing_not_empty(tmp_path: Path) -> None:
    events = read_acled(write_acled_csv(tmp_path / "b.csv", n_events=60, seed=9))
    assert events["assoc_actor1"].isna().any()
    assert "" not in set(events["assoc_actor1"].dropna())
    assert "" not in list(events["assoc_actor1"].cat.categories)
