"""Bad inputs raise DataError naming the file, the line, the column and what was expected;
what real exports legitimately contain is accepted. All files are SYNTHETIC."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import DataError, read_acled, read_ucdp_ged
from analysis.testing import (
    synthetic_acled_events,
    write_acled_csv,
    write_acled_json,
    write_hapi_csv,
    write_ucdp_ged_csv,
)


def _export(tmp_path: Path, *, n: int = 30, hxl: bool = False, name: str = "x.csv") -> Path:
    return write_acled_csv(tmp_path / name, n_events=n, seed=31, hxl=hxl)


def _edit(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (row 0 = first data row after the header and any HXL row)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    first = 2 if rows[1][0].startswith("#") else 1
    rows[first + row][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _raises(path: Path, **where) -> DataError:
    with pytest.raises(DataError) as info:
        read_acled(path)
    error = info.value
    assert error.file == str(path)
    assert path.name in str(error)
    for key, value in where.items():
        assert getattr(error, key) == value, (key, getattr(error, key), value)
    return error


def test_missing_required_column(tmp_path: Path) -> None:
    frame = synthetic_acled_events(10, seed=1).drop(columns="fatalities")
    path = tmp_path / "nofat.csv"
    frame.to_csv(path, index=False)
    error = _raises(path, line=1, column="fatalities", rule="required")
    assert "event_id_cnty" in error.message


@pytest.mark.parametrize("hxl", [False, True])
def test_unparseable_date(tmp_path: Path, hxl: bool) -> None:
    path = _export(tmp_path, hxl=hxl)
    _edit(path, 6, "event_date", "2021-13-45")
    error = _raises(path, line=8 + hxl, column="event_date", rule="date")
    assert "2021-13-45" in error.message
    assert "31 December 2020" in error.message


@pytest.mark.parametrize(
    ("value", "word"),
    [("-3", "negative"), ("three", "not a count"), ("", "missing"), ("2.5", "not a count")],
)
def test_bad_fatalities(tmp_path: Path, value: str, word: str) -> None:
    path = _export(tmp_path)
    _edit(path, 11, "fatalities", value)
    error = _raises(path, line=13, column="fatalities", rule="count")
    assert word in error.message
    assert "non-negative whole number" in error.message


def test_error_line_counts_line_breaks_inside_quotes(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "multi.csv", n_events=30, seed=31, multiline_notes=True)
    _edit(path, 10, "fatalities", "-1")
    # rows 0, 3, 6, 9 have two-line notes: row 10 starts 4 lines further down
    _raises(path, line=12 + 4, column="fatalities")


def test_conflicting_duplicate_ids(tmp_path: Path) -> None:
    frame = synthetic_acled_events(20, seed=2)
    twin = frame.iloc[[4]].copy()
    twin["fatalities"] = str(int(twin["fatalities"].iloc[0]) + 3)
    path = tmp_path / "dup.csv"
    pd.concat([frame, twin], ignore_index=True).to_csv(path, index=False)
    error = _raises(path, line=22, column="fatalities", rule="conflicting_duplicate")
    assert frame["event_id_cnty"].iloc[4] in error.message
    assert "dup.csv:6" in error.message


def test_conflicting_duplicates_across_files(tmp_path: Path) -> None:
    frame = synthetic_acled_events(20, seed=2)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    frame.to_csv(a, index=False)
    changed = frame.copy()
    changed.loc[3, "notes"] = "SYNTHETIC TEST DATA: revised without a new timestamp"
    changed.to_csv(b, index=False)
    with pytest.raises(DataError) as info:
        read_acled([a, b])
    assert info.value.rule == "conflicting_duplicate"
    assert info.value.column == "notes"
    assert info.value.file == str(b)
    assert info.value.line == 5


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    _raises(path, rule="empty")


def test_header_only(tmp_path: Path) -> None:
    path = _export(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    _raises(path, line=2, rule="empty")


def test_invalid_utf8(tmp_path: Path) -> None:
    path = _export(tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[9] = lines[9].replace(b"SYNTHETIC", b"SYNTH\xe9TIC", 1)  # Latin-1 e-acute
    path.write_bytes(b"\n".join(lines))
    error = _raises(path, line=10, rule="encoding")
    assert "UTF-8" in error.message


def test_ucdp_file_given_to_the_acled_reader(tmp_path: Path) -> None:
    path = write_ucdp_ged_csv(tmp_path / "ged.csv", n_events=10, seed=1)
    error = _raises(path, line=1, rule="wrong_kind")
    assert "UCDP" in error.message
    assert "read_ucdp_ged" in error.message


def test_hapi_file_given_to_the_acled_reader(tmp_path: Path) -> None:
    path = write_hapi_csv(tmp_path / "hapi.csv", n_events=10, seed=1)
    error = _raises(path, line=1, rule="wrong_kind")
    assert "read_hdx_aggregates" in error.message


def test_row_with_too_many_fields(tmp_path: Path) -> None:
    path = _export(tmp_path)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[7] = lines[7] + ",surplus"
    path.write_text("\n".join(lines), encoding="utf-8")
    _raises(path, line=8, rule="field_count")


def test_bad_latitude(tmp_path: Path) -> None:
    path = _export(tmp_path)
    _edit(path, 2, "latitude", "95.5")
    _raises(path, line=4, column="latitude", rule="number")


def test_unknown_time_precision(tmp_path: Path) -> None:
    path = _export(tmp_path)
    _edit(path, 0, "time_precision", "7")
    _raises(path, line=2, column="time_precision", rule="allowed_values")


def test_monadic_rows_that_disagree(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "m.csv", n_events=20, seed=4, layout="monadic")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    ids = [row[0] for row in rows[1:]]
    second = next(i for i in range(1, len(ids)) if ids[i] == ids[i - 1])  # an actor2 row
    _edit(path, second, "fatalities", "99")
    error = _raises(path, line=second + 2, rule="conflicting_duplicate")
    assert "monadic" in error.message


def test_bad_json(tmp_path: Path) -> None:
    path = write_acled_json(tmp_path / "a.json", n_events=5, seed=1)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:-10], encoding="utf-8")
    _raises(path, rule="json")
    path.write_text(json.dumps({"status": 200, "data": []}), encoding="utf-8")
    _raises(path, rule="empty")
    path.write_text(json.dumps({"status": 200, "data": {"not": "a list"}}), encoding="utf-8")
    _raises(path, rule="json", column="data")


def test_bad_value_in_json_names_the_record(tmp_path: Path) -> None:
    path = write_acled_json(tmp_path / "a.json", n_events=5, seed=1)
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload["data"][3]["fatalities"] = -4
    path.write_text(json.dumps(payload), encoding="utf-8")
    error = _raises(path, column="fatalities", rule="count")
    assert "data[3]" in error.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_acled(tmp_path / "nowhere.csv")
    with pytest.raises(DataError, match="not found"):
        read_ucdp_ged(tmp_path / "nowhere.csv")


def test_what_real_exports_contain_is_accepted(tmp_path: Path) -> None:
    """The HXL row, monadic duplicates and blank associated actors are not errors."""
    for kwargs in ({"hxl": True}, {"layout": "monadic"}, {"layout": "monadic", "hxl": True}):
        path = write_acled_csv(tmp_path / "ok.csv", n_events=40, seed=5, **kwargs)
        events = read_acled(path)
        assert len(events) == 40
        assert events["assoc_actor1"].isna().any()
