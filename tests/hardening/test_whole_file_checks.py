"""Checks that must look at the whole input, and readings that must not be silently wrong.

* The day/month order of ``dd/mm/yyyy`` dates is decided over the whole file, not per batch of
  the streaming parser: a file whose first batches hold only ambiguous dates (``03/04/2022``)
  and a later batch the date that settles it (``25/12/2022``) reads, and so does the reverse;
  a file no date settles is refused at its first ambiguous date.
* A deletions file's name is never taken for an event id.
* Errors name the physical line, after blank lines and quoted line breaks (the pulled CSV).

Every file here is SYNTHETIC (from ``analysis.testing`` or written inline).
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest

from analysis import testing
from analysis.errors import DataError
from analysis.sources import _tabular as tab
from analysis.sources.acled import read_acled
from analysis.sources.api import store

N_EVENTS = 60
SMALL_BLOCK = 2048  # bytes per batch: a 60-event export spans several batches


def _slashed_export(path: Path, settling_row: int | None) -> list[str]:
    """A SYNTHETIC export whose dates are all written dd/mm/yyyy with day and month at most 12,
    except the date of data row ``settling_row`` (0-based), given a day of 25."""
    testing.write_acled_csv(path, n_events=N_EVENTS, seed=9)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("event_date")
    written = []
    for i, row in enumerate(rows[1:]):
        day = 25 if i == settling_row else 1 + i % 12
        month = 1 + (i + 5) % 12
        if month == day:
            month = 1 + month % 12
        row[column] = f"{day:02d}/{month:02d}/2020"
        written.append(row[column])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    assert path.stat().st_size > 4 * SMALL_BLOCK, "the file must span several batches"
    return written


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tab, "BLOCK_SIZE", SMALL_BLOCK)


@pytest.mark.parametrize("settling_row", [N_EVENTS - 1, 0], ids=["settled_late", "settled_early"])
def test_day_month_order_is_decided_over_the_whole_file(
    small_batches: None, tmp_path: Path, settling_row: int
) -> None:
    path = tmp_path / "slashed.csv"
    written = _slashed_export(path, settling_row)
    events = read_acled(path, cache=False)
    assert len(events) == N_EVENTS
    expected = {
        datetime.date(int(text[6:]), int(text[3:5]), int(text[:2])) for text in written
    }  # day/month/year, as the settling date says
    assert set(events["date_start"].dt.date) == expected


def test_a_file_no_date_settles_is_refused_at_its_first_ambiguous_date(
    small_batches: None, tmp_path: Path
) -> None:
    path = tmp_path / "slashed.csv"
    written = _slashed_export(path, None)
    with pytest.raises(DataError) as info:
        read_acled(path, cache=False)
    error = info.value
    assert (error.rule, error.column, error.line) == ("date", "event_date", 2)
    assert written[0] in str(error)


def test_a_deletions_file_name_is_never_an_event_id(tmp_path: Path) -> None:
    export = testing.write_acled_csv(tmp_path / "export.csv", n_events=5, seed=2)
    with pytest.raises(DataError) as info:
        read_acled(export, cache=False, deletions="deleted_events.txt")
    assert info.value.rule == "missing_file"
    first = read_acled(export, cache=False)["event_id"].iloc[0]
    deletions = tmp_path / "deleted_events.txt"
    deletions.write_text(f"event_id_cnty\n{first}\n", encoding="utf-8")
    kept = read_acled(export, cache=False, deletions=str(deletions))
    assert len(kept) == 4 and first not in set(kept["event_id"])
    assert len(read_acled(export, cache=False, deletions=[first])) == 4


def test_pulled_csv_errors_name_the_physical_line(tmp_path: Path) -> None:
    path = tmp_path / "acled-mali.csv"
    path.write_text(
        'event_id_cnty,notes\nMLI1,"three\nline\nnote"\n\nMLI2,ok,extra\n', encoding="utf-8"
    )
    with pytest.raises(DataError) as info:
        store.read_records(path)
    assert (info.value.rule, info.value.line) == ("extra_field", 6)


def test_pulled_csv_rows_know_their_physical_lines(tmp_path: Path) -> None:
    path = tmp_path / "acled-mali.csv"
    path.write_text(
        'event_id_cnty,notes\nMLI1,"three\nline\nnote"\n\nMLI2,ok\n"MLI3","a\r\nb"\n',
        encoding="utf-8",
    )
    columns, rows, lines = store.read_record_lines(path)
    assert columns == ["event_id_cnty", "notes"]
    assert [row["event_id_cnty"] for row in rows] == ["MLI1", "MLI2", "MLI3"]
    assert lines == [2, 6, 7]
