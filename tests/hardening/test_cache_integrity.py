"""A cache entry is used only if it is what the cache wrote, for the bytes that were read.

* An entry edited by hand (still valid parquet, its metadata intact, other numbers) no longer
  matches the checksum recorded beside it: it is discarded with a warning, the input is read
  again, and the entry rewritten.
* An input rewritten while it is being read is refused (analysis.errors.DataError naming the
  file) and nothing is cached for it: no entry keyed by the old checksum holds the new values.
* Temporaries left in the cache folder by a writer that was killed are removed; those of a
  live process are not.

Inputs are SYNTHETIC ACLED-format exports (analysis.testing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import testing
from analysis.errors import DataError
from analysis.sources import _tabular
from analysis.sources import cache as cache_module
from analysis.sources.acled import read_acled


def _read(path: Path, folder: Path) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_acled(path, cache_dir=folder)
    return frame, [
        str(w.message) for w in caught if issubclass(w.category, cache_module.CacheWarning)
    ]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return testing.write_acled_csv(tmp_path / "export.csv", n_events=40, seed=5)


def test_an_entry_edited_by_hand_is_discarded_and_rebuilt(export: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "cache"
    clean, said = _read(export, folder)
    assert said == []
    (entry,) = folder.glob("*.parquet")
    assert cache_module.checksum_path(entry).is_file()
    table = pq.read_table(entry)
    frame = table.to_pandas()
    frame["fatalities"] = 999  # a valid entry, with its metadata, holding other numbers
    edited = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
    pq.write_table(edited.replace_schema_metadata(table.schema.metadata), entry)

    served, said = _read(export, folder)
    pd.testing.assert_frame_equal(served, clean)
    assert len(said) == 1 and entry.name in said[0]
    assert "does not match its checksum (edited or damaged)" in said[0]
    # rebuilt: the entry is the cache's own again, and the next read is silent
    again, said = _read(export, folder)
    pd.testing.assert_frame_equal(again, clean)
    assert said == []


def test_an_entry_without_its_checksum_is_not_trusted(export: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    clean, _ = _read(export, folder)
    (entry,) = folder.glob("*.parquet")
    cache_module.checksum_path(entry).unlink()
    served, said = _read(export, folder)
    pd.testing.assert_frame_equal(served, clean)
    assert len(said) == 1 and "it has no checksum of its content" in said[0]
    assert cache_module.checksum_path(entry).is_file(), "written again with the entry"


def _rewritten(path: Path) -> None:
    """Rewrite the file in place with other numbers, keeping its size (a re-export), a few
    clock ticks after it was scanned (a rewrite within one tick of the file system's clock
    can leave its times as they were: the limit the cache module states)."""
    time.sleep(0.05)
    data = path.read_bytes()
    header = data.split(b"\n", 1)[0].split(b",")
    at = [name.strip(b'"') for name in header].index(b"fatalities")
    lines = data.split(b"\n")
    for number, line in enumerate(lines[1:], start=1):
        fields = line.split(b'","')
        if len(fields) == len(header) and len(fields[at]) == 1:
            fields[at] = b"9" if fields[at] != b"9" else b"8"
            lines[number] = b'","'.join(fields)
    changed = b"\n".join(lines)
    assert len(changed) == len(data) and changed != data
    with open(path, "r+b") as handle:  # in place: same inode, same size
        handle.write(changed)


@pytest.mark.parametrize("early_write", [False, True])
def test_an_input_rewritten_while_it_is_parsed_is_refused(
    export: Path, tmp_path: Path, early_write: bool
) -> None:
    folder = tmp_path / "cache"
    source = _tabular.scan_file(export)
    source.hash_soon()
    old = pd.read_csv(export)
    table = None

    def build(early=None):
        nonlocal table
        if early is not None:
            import pyarrow as pa

            table = pa.Table.from_pandas(old, preserve_index=False)
            early.start(table)  # the entry is written from what was parsed
        _rewritten(export)  # meanwhile the file is rewritten
        return old

    with pytest.raises(DataError) as caught:
        cache_module.cached_frame(
            "acled",
            source,
            build,
            restore=lambda frame: frame,
            cache_dir=folder,
            early_write=early_write,
        )
    assert caught.value.rule == "changed" and caught.value.file == str(export)
    assert "changed while it was being read" in str(caught.value)
    assert not list(folder.glob("*.parquet")), "nothing is cached for bytes no longer there"
    assert not list(folder.glob("*.sha256"))
    # the file as it now is reads with its new numbers
    fresh, _ = _read(export, folder)
    assert (fresh["fatalities"] == pd.read_csv(export)["fatalities"]).all()


def test_an_input_rewritten_while_it_is_hashed_is_refused(export: Path, tmp_path: Path) -> None:
    source = _tabular.scan_file(export)
    _rewritten(export)  # after the scan, before the checksum
    with pytest.raises(DataError, match="changed while it was being read"):
        _ = source.sha256


def test_temporaries_of_killed_writers_are_removed_from_the_cache(
    export: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(ended.stdout)
    stale = folder / f".acled-0123.parquet.{dead}.abcd1234.tmp"
    live = folder / f".acled-4567.parquet.{os.getpid()}.efgh5678.tmp"
    for path in (stale, live):
        path.write_bytes(b"half an entry")
    _read(export, folder)
    assert not stale.exists(), "its writer is gone"
    assert live.exists(), "a live process may still be writing it"


def test_an_unpacked_copy_edited_by_hand_is_unpacked_again(export: Path, tmp_path: Path) -> None:
    """A gzip export is unpacked into the cache once; a copy altered since is not read."""
    import gzip

    folder = tmp_path / "cache"
    packed = tmp_path / "export.csv.gz"
    packed.write_bytes(gzip.compress(export.read_bytes()))
    clean, _ = _read(packed, folder)
    (copy,) = (folder / "unpacked").glob("*/export.csv")
    _rewritten(copy)  # the copy now holds other numbers, with the same size
    served, said = _read(packed, folder)
    pd.testing.assert_frame_equal(served, clean)
    assert any("unpacked copy export.csv" in message for message in said)
    assert copy.read_bytes() == export.read_bytes(), "unpacked again from the archive"
