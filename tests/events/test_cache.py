"""The parquet cache: hits, and never serving stale data (changed input, schema, corruption)."""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import read_acled, read_hdx_aggregates, read_ucdp_ged
from analysis.sources import acled, cache, hdx, ucdp
from analysis.testing import (
    synthetic_acled_events,
    write_acled_csv,
    write_hapi_csv,
    write_ucdp_ged_csv,
)


class Counter:
    """Wraps a module's parse function and counts the calls."""

    def __init__(self, module, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapped)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet"))


def test_second_read_is_served_from_the_cache(tmp_path, cache_dir, monkeypatch) -> None:
    parses = Counter(acled, "_parse_file", monkeypatch)
    path = write_acled_csv(tmp_path / "a.csv", n_events=60, seed=1)
    first = read_acled(path)
    assert parses.calls == 1
    assert len(_entries(cache_dir)) == 1
    second = read_acled(path)
    assert parses.calls == 1
    pd.testing.assert_frame_equal(first, second)


def test_cache_false_neither_reads_nor_writes(tmp_path, cache_dir, monkeypatch) -> None:
    parses = Counter(acled, "_parse_file", monkeypatch)
    path = write_acled_csv(tmp_path / "a.csv", n_events=20, seed=1)
    read_acled(path, cache=False)
    read_acled(path, cache=False)
    assert parses.calls == 2
    assert not cache_dir.exists() or not _entries(cache_dir)


def test_changed_file_is_re_read_even_with_same_size(tmp_path, cache_dir, monkeypatch) -> None:
    """A file rewritten at once with other content of the same length (same size, possibly the
    same modification time) is re-read: the key is the content's sha256."""
    parses = Counter(acled, "_parse_file", monkeypatch)
    frame = synthetic_acled_events(30, seed=2)
    path = tmp_path / "a.csv"
    frame.to_csv(path, index=False)
    assert read_acled(path)["fatalities"].sum() == frame["fatalities"].astype(int).sum()
    text = path.read_text(encoding="utf-8")
    digit = frame["fatalities"].iloc[0]
    changed = frame.copy()
    changed.loc[0, "fatalities"] = "9" if digit != "9" else "8"
    changed.to_csv(path, index=False)
    assert len(path.read_text(encoding="utf-8")) == len(text)
    events = read_acled(path)
    assert parses.calls == 2
    assert events["fatalities"].sum() == changed["fatalities"].astype(int).sum()


def test_schema_version_change_re_reads(tmp_path, monkeypatch) -> None:
    parses = Counter(acled, "_parse_file", monkeypatch)
    path = write_acled_csv(tmp_path / "a.csv", n_events=20, seed=3)
    read_acled(path)
    monkeypatch.setattr(cache, "SCHEMA_VERSION", "a-later-version")
    read_acled(path)
    assert parses.calls == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupted_entry_is_detected_and_rewritten(tmp_path, cache_dir, monkeypatch, damage):
    parses = Counter(acled, "_parse_file", monkeypatch)
    path = write_acled_csv(tmp_path / "a.csv", n_events=40, seed=4)
    good = read_acled(path)
    (entry,) = _entries(cache_dir)
    data = entry.read_bytes()
    entry.write_bytes(
        {"truncate": data[: len(data) // 2], "garbage": b"not parquet" * 50, "empty": b""}[damage]
    )
    with pytest.warns(cache.CacheWarning, match="ignoring the cache entry"):
        again = read_acled(path)
    assert parses.calls == 2
    pd.testing.assert_frame_equal(good, again)
    # rewritten: the next read is a clean hit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_acled(path)
    assert parses.calls == 2


def test_entry_with_foreign_metadata_is_not_trusted(tmp_path, cache_dir, monkeypatch) -> None:
    """An entry at the right place whose recorded input checksum differs is ignored."""
    parses = Counter(acled, "_parse_file", monkeypatch)
    a = write_acled_csv(tmp_path / "a.csv", n_events=20, seed=5)
    b = write_acled_csv(tmp_path / "b.csv", n_events=25, seed=6)
    read_acled(a)
    read_acled(b)
    entry_a, entry_b = _entries(cache_dir)
    # swap the two entries' contents
    data_a, data_b = entry_a.read_bytes(), entry_b.read_bytes()
    entry_a.write_bytes(data_b)
    entry_b.write_bytes(data_a)
    with pytest.warns(cache.CacheWarning):
        assert len(read_acled(a)) == 20
    with pytest.warns(cache.CacheWarning):
        assert len(read_acled(b)) == 25
    assert parses.calls == 4


def test_stale_index_hint_is_never_trusted(tmp_path, cache_dir, monkeypatch) -> None:
    """Pointing the stat hint of file A at file B's entry does not serve B's events for A."""
    a = write_acled_csv(tmp_path / "a.csv", n_events=20, seed=7)
    b = write_acled_csv(tmp_path / "b.csv", n_events=25, seed=8)
    read_acled(a)
    read_acled(b)
    hints = {json.loads(p.read_text())["entry"]: p for p in (cache_dir / "index").glob("*.json")}
    assert len(hints) == 2
    (hint_a, hint_b) = sorted(hints.values(), key=lambda p: p.stat().st_mtime_ns)
    other = json.loads(hint_b.read_text())["entry"]
    record = json.loads(hint_a.read_text())
    record["entry"] = other
    hint_a.write_text(json.dumps(record))
    assert len(read_acled(a)) == 20


def test_copy_under_another_name_has_its_own_origin(tmp_path) -> None:
    a = write_acled_csv(tmp_path / "a.csv", n_events=20, seed=9)
    b = tmp_path / "copy.csv"
    b.write_bytes(a.read_bytes())
    assert read_acled(a)["origin"].str.startswith("a.csv:").all()
    assert read_acled(b)["origin"].str.startswith("copy.csv:").all()


def test_cache_dir_argument_and_environment(tmp_path, cache_dir, monkeypatch) -> None:
    path = write_acled_csv(tmp_path / "a.csv", n_events=10, seed=1)
    other = tmp_path / "elsewhere"
    read_acled(path, cache_dir=other)
    assert len(_entries(other)) == 1
    assert not cache_dir.exists() or not _entries(cache_dir)
    read_acled(path)
    assert len(_entries(cache_dir)) == 1


def test_default_cache_dir_is_under_the_project_root(monkeypatch) -> None:
    monkeypatch.delenv("TALLIES_CACHE_DIR")
    folder = cache.default_cache_dir()
    assert folder.parts[-2:] == ("data", "processed")
    assert (folder.parent.parent / "pyproject.toml").is_file()


def test_no_temporary_files_left(tmp_path, cache_dir) -> None:
    path = write_acled_csv(tmp_path / "a.csv", n_events=10, seed=1)
    read_acled(path)
    leftovers = [p for p in cache_dir.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_ucdp_and_hdx_are_cached(tmp_path, monkeypatch) -> None:
    u = Counter(ucdp, "_parse_file", monkeypatch)
    h = Counter(hdx, "_parse", monkeypatch)
    ged = write_ucdp_ged_csv(tmp_path / "g.csv", n_events=30, seed=1)
    hapi = write_hapi_csv(tmp_path / "h.csv", n_events=30, seed=1)
    pd.testing.assert_frame_equal(read_ucdp_ged(ged), read_ucdp_ged(ged))
    pd.testing.assert_frame_equal(read_hdx_aggregates(hapi), read_hdx_aggregates(hapi))
    assert (u.calls, h.calls) == (1, 1)
    # the indicator option is part of the key
    read_hdx_aggregates(hapi, indicator="civilian_targeting")
    assert h.calls == 2


@pytest.mark.parametrize("kind", ["acled_json", "ucdp_csv", "ucdp_rda", "hdx_xlsx", "hapi_csv"])
def test_inputs_are_byte_identical_after_reading(tmp_path, kind) -> None:
    """Every reader leaves its input unchanged (sha256 and mtime before and after a cold and a
    cached read)."""
    from analysis.testing import write_acled_json, write_hdx_workbook, write_ucdp_ged_rdata

    makers = {
        "acled_json": (lambda p: write_acled_json(p / "a.json", n_events=20), read_acled),
        "ucdp_csv": (lambda p: write_ucdp_ged_csv(p / "g.csv", n_events=20), read_ucdp_ged),
        "ucdp_rda": (lambda p: write_ucdp_ged_rdata(p / "g.rda", n_events=20), read_ucdp_ged),
        "hdx_xlsx": (
            lambda p: write_hdx_workbook(p / "x_political_violence.xlsx", n_events=20),
            read_hdx_aggregates,
        ),
        "hapi_csv": (lambda p: write_hapi_csv(p / "h.csv", n_events=20), read_hdx_aggregates),
    }
    make, read = makers[kind]
    path = make(tmp_path)
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    read(path)
    read(path)
    after = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    assert before == after


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"generation": "no_disorder", "hxl": True},
        {"generation": "old_schema", "date_style": "long"},
        {"layout": "monadic"},
        {"multiline_notes": True, "hxl": True},
    ],
)
def test_cached_read_equals_the_cold_read(tmp_path, kwargs) -> None:
    """The frame served from the cache is identical (values, dtypes, category order) to the one
    parsed from the file, for every layout and generation."""
    path = write_acled_csv(tmp_path / "a.csv", n_events=120, seed=13, **kwargs)
    cold = read_acled(path)
    cached = read_acled(path)
    uncached = read_acled(path, cache=False)
    pd.testing.assert_frame_equal(cold, cached)
    pd.testing.assert_frame_equal(cold, uncached)


def test_duplicates_resolved_before_caching(tmp_path, cache_dir) -> None:
    """A file whose duplicates are resolved at parse time caches the resolved table."""
    frame = synthetic_acled_events(40, seed=14)
    path = tmp_path / "d.csv"
    pd.concat([frame, frame.iloc[:6]], ignore_index=True).to_csv(path, index=False)
    cold = read_acled(path)
    cached = read_acled(path)
    assert len(cold) == len(cached) == 40
    pd.testing.assert_frame_equal(cold, cached)


class HashCounter:
    """Counts how often input files are hashed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from analysis.sources import _tabular

        self.calls = 0
        original = _tabular._digest

        def counted(path):
            self.calls += 1
            return original(path)

        monkeypatch.setattr(_tabular, "_digest", counted)


def test_recently_changed_files_are_always_hashed(tmp_path, cache_dir, monkeypatch) -> None:
    """A file changed less than SETTLE_SECONDS before it was hashed is hashed again at every
    read: its stat alone could miss a rewrite within one tick of the file system's clock."""
    hashes = HashCounter(monkeypatch)
    path = write_acled_csv(tmp_path / "a.csv", n_events=20, seed=15)
    read_acled(path)
    read_acled(path)
    assert hashes.calls == 2
    (hint,) = (cache_dir / "index").glob("*.json")
    assert json.loads(hint.read_text())["settled"] is False


def test_settled_unchanged_file_is_not_hashed_again(tmp_path, cache_dir, monkeypatch) -> None:
    """Once a file had settled when it was hashed, an unchanged stat stands for its content
    (the entry must still carry the recorded checksum); any rewrite moves its change time."""
    import time

    monkeypatch.setattr(cache, "SETTLE_SECONDS", -1.0)
    hashes = HashCounter(monkeypatch)
    parses = Counter(acled, "_parse_file", monkeypatch)
    frame = synthetic_acled_events(30, seed=16)
    path = tmp_path / "a.csv"
    frame.to_csv(path, index=False)
    first = read_acled(path)
    second = read_acled(path)
    assert (hashes.calls, parses.calls) == (1, 1)
    pd.testing.assert_frame_equal(first, second)
    # a same-size rewrite (a later clock tick) changes the stat: hashed and parsed again
    time.sleep(0.05)
    changed = frame.copy()
    changed.loc[0, "fatalities"] = "9" if frame["fatalities"].iloc[0] != "9" else "8"
    changed.to_csv(path, index=False)
    third = read_acled(path)
    assert (hashes.calls, parses.calls) == (2, 2)
    assert third["fatalities"].sum() == changed["fatalities"].astype(int).sum()
    # a damaged entry behind a trusted record is not served
    read_acled(path)
    assert hashes.calls == 2
    for entry in _entries(cache_dir):
        entry.write_bytes(b"garbage")
    with pytest.warns(cache.CacheWarning):
        fourth = read_acled(path)
    pd.testing.assert_frame_equal(third, fourth)
    assert parses.calls == 3
