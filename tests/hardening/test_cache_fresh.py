"""The parquet cache never serves stale data.

A changed input (even of the same size and modification time), a new schema version, or a
corrupted entry (garbage bytes, a truncated file, a valid parquet file whose numbers were
altered under the old schema) all lead to a fresh read of the SYNTHETIC input, and a corrupted
entry is replaced by a valid one.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import testing
from analysis.sources import cache as cache_module
from analysis.sources.acled import read_acled


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet"))


def _read(path: Path, folder: Path) -> tuple[pd.DataFrame, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_acled(path, cache_dir=folder)
    return frame, [w for w in caught if issubclass(w.category, cache_module.CacheWarning)]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return testing.write_acled_csv(tmp_path / "export.csv", n_events=40, seed=11)


def _same_size_change(data: bytes) -> tuple[bytes, int]:
    """Change one single-digit fatality count to another digit; return the bytes and the delta."""
    lines = data.split(b"\n")
    header = lines[0].split(b",")
    at = [name.strip(b'"') for name in header].index(b"fatalities")
    for number, line in enumerate(lines[1:], start=1):
        fields = line.split(b'","')
        if len(fields) == len(header) and len(fields[at]) == 1 and fields[at] != b"9":
            delta = 9 - int(fields[at])
            fields[at] = b"9"
            lines[number] = b'","'.join(fields)
            return b"\n".join(lines), delta
    raise AssertionError("no single-digit fatality count in the fixture")


def test_a_changed_input_of_the_same_size_and_mtime_is_read_again(
    export: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    first, _ = _read(export, folder)
    assert len(_entries(folder)) == 1
    stat = export.stat()
    data = export.read_bytes()
    changed, delta = _same_size_change(data)
    assert len(changed) == len(data) and changed != data
    export.write_bytes(changed)
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second, _ = _read(export, folder)
    assert int(second["fatalities"].sum()) == int(first["fatalities"].sum()) + delta
    pd.testing.assert_frame_equal(second, read_acled(export, cache=False))


def test_a_new_schema_version_ignores_every_old_entry(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "cache"
    clean, _ = _read(export, folder)
    (entry,) = _entries(folder)
    # alter the numbers of the entry, keeping it valid parquet with its metadata
    table = pq.read_table(entry)
    frame = table.to_pandas()
    frame["fatalities"] = 999
    poisoned = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
    pq.write_table(poisoned.replace_schema_metadata(table.schema.metadata), entry)
    # and record its checksum, as the cache would have for an entry it wrote itself (a
    # hand-edited entry without it is refused: test_cache_integrity.py)
    cache_module.record_checksum(entry)
    served, _ = _read(export, folder)
    assert (served["fatalities"] == 999).all(), "same version: the entry is what is served"
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", f"{cache_module.SCHEMA_VERSION}-next")
    fresh, _ = _read(export, folder)
    pd.testing.assert_frame_equal(fresh, clean)
    assert len(_entries(folder)) == 2, "the new version writes its own entry"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_corrupted_entry_is_detected_and_replaced(
    export: Path, tmp_path: Path, damage: str
) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "cache"
    clean, _ = _read(export, folder)
    (entry,) = _entries(folder)
    data = entry.read_bytes()
    entry.write_bytes(
        {"garbage": b"PAR1 not parquet at all PAR1", "truncated": data[: len(data) // 2],
         "empty": b""}[damage]
    )  # fmt: skip
    again, caught = _read(export, folder)
    pd.testing.assert_frame_equal(again, clean)
    assert caught, "the user is told the entry was ignored"
    pq.read_table(entry)  # replaced by a readable entry
    third, caught = _read(export, folder)
    pd.testing.assert_frame_equal(third, clean)
    assert caught == []
