"""Pulls into data/raw and the ACLED update, against the local fake services: the files the
readers read, the provenance sidecar, deletions, changed and newer events, the previous version,
interrupted and resumed pulls, credentials kept out of everything written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import read_acled, read_ucdp_ged
from analysis.errors import DataError, ServiceError
from analysis.files import sha256_file
from analysis.reports.suite import find_event_exports
from analysis.sources.api.acled_pull import acled_file_name, pull_acled, update_acled
from analysis.sources.api.store import describe_pull, read_records, sidecar_path
from analysis.sources.api.ucdp_pull import pull_ucdp
from tests.api.conftest import FAST
from tests.api.fake_services import PASSWORD, UCDP_TOKEN, USERNAME

SECRETS = (USERNAME, PASSWORD, UCDP_TOKEN)


def _pull(server, account, clock, raw: Path, **options):
    options.setdefault("retry", FAST)
    options.setdefault("page_size", 7)
    return pull_acled(
        "Mali",
        base_url=server.url,
        raw_dir=raw,
        credentials=account,
        clock=clock,
        client_options={"sleep": lambda s: None},
        **options,
    )


def _update(server, account, clock, path: Path):
    return update_acled(
        path,
        base_url=server.url,
        credentials=account,
        retry=FAST,
        clock=clock,
        client_options={"sleep": lambda s: None},
    )


def _folder_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file()
    )


def test_pull_writes_what_the_reader_reads_with_provenance(
    server, acled, account, clock, tmp_path
) -> None:
    raw = tmp_path / "raw"
    result = _pull(server, account, clock, raw)
    assert result.path == raw / "acled" / "acled-mali.csv"
    events = read_acled(result.path, cache=False)
    assert set(events["event_id"]) == set(acled.events)
    assert result.events == len(acled.events) == 60
    expected_latest = max(int(e["timestamp"]) for e in acled.events.values())
    assert result.latest_timestamp == expected_latest
    assert events["fatalities"].sum() == sum(int(e["fatalities"]) for e in acled.events.values())
    record = json.loads(sidecar_path(result.path).read_text(encoding="utf-8"))
    assert record["service"] == "ACLED" and record["query"] == {
        "country": ["Mali"],
        "start": None,
        "end": None,
    }
    assert record["latest_timestamp"] == expected_latest
    assert record["events"] == 60 and record["sha256"] == sha256_file(result.path)
    assert record["pulled_at"] == "2025-02-01T00:00:00Z"
    assert record["api"]["base_url"] == server.url
    # year parts 1997..2025 plus the dates outside ACLED's coverage
    assert result.parts == 2025 - 1997 + 1 + 2 and result.resumed_parts == 0
    assert not (raw / "acled" / ".partial").exists()
    for secret in SECRETS:
        assert secret not in _folder_text(raw)
    # the report suite sees the export, not its sidecar
    assert find_event_exports(raw) == [(result.path, "acled")]
    assert "ACLED API pull of 2025-02-01T00:00:00Z" in describe_pull(result.path)


def test_pull_with_dates_asks_only_those_years(server, acled, account, clock, tmp_path) -> None:
    result = _pull(server, account, clock, tmp_path, start="2022-03-01", end="2023-06-30")
    assert result.path.name == acled_file_name(["Mali"], *_dates("2022-03-01", "2023-06-30"))
    expected = {
        k for k, e in acled.events.items() if "2022-03-01" <= e["event_date"] <= "2023-06-30"
    }
    assert set(read_acled(result.path, cache=False)["event_id"]) == expected
    assert result.parts == 2


def _dates(*texts: str):
    import datetime as dt

    return [dt.date.fromisoformat(t) for t in texts]


def test_events_dated_outside_acleds_coverage_are_pulled(
    server, acled, account, clock, tmp_path
) -> None:
    """Events dated year "0025" were once published by mistake (forecastbench issue 155)."""
    template = next(iter(acled.events.values()))
    acled.add({**template, "event_id_cnty": "MLI88888", "event_date": "0025-06-01"})
    acled.add({**template, "event_id_cnty": "MLI88889", "event_date": "2207-01-01"})
    result = _pull(server, account, clock, tmp_path)
    _, rows = read_records(result.path)
    dates = {row["event_id_cnty"]: row["event_date"] for row in rows}
    assert dates["MLI88888"] == "0025-06-01" and dates["MLI88889"] == "2207-01-01"
    assert len(rows) == 62
    edges = [
        e["query"]["event_date"][0]
        for e in acled.log
        if e["path"] == "/api/acled/read" and "event_date" in e["query"]
    ]
    assert edges[0] == "0001-01-01|1996-12-31" and "2026-01-01|9999-12-31" in edges


def test_update_applies_deletions_changes_and_newer_events(
    server, acled, account, clock, tmp_path
) -> None:
    pulled = _pull(server, account, clock, tmp_path)
    old_bytes = pulled.path.read_bytes()
    latest = pulled.latest_timestamp
    at_latest = next(k for k, e in acled.events.items() if int(e["timestamp"]) == latest)
    ids = sorted(k for k in acled.events if k != at_latest)
    # a week later ACLED has changed one event, deleted two, and added one dated after the copy
    clock.now += 7 * 86_400
    acled.change(ids[0], fatalities="99")
    acled.delete(ids[1])
    acled.delete(ids[2])
    newest = {**acled.events[ids[3]], "event_id_cnty": "MLI99999", "event_date": "2025-01-30"}
    acled.add(newest)
    acled.deletions.append({"event_id_cnty": "NGA1", "deleted_timestamp": str(int(clock.now))})

    result = _update(server, account, clock, pulled.path)

    assert result.since == latest
    assert result.added == ("MLI99999",)
    assert result.changed == (ids[0],)
    assert sorted(result.deleted) == sorted(ids[1:3])
    assert result.deletions_listed == 3  # every country's, NGA1 included
    assert result.unchanged >= 1  # the event at the latest timestamp is refetched identical
    assert result.refetched == 2 + result.unchanged
    events = read_acled(pulled.path, cache=False)
    assert set(events["event_id"]) == set(acled.events)
    assert events.set_index("event_id").loc[ids[0], "fatalities"] == 99
    assert str(events["date_start"].max().date()) == "2025-01-30"
    # the previous version is kept whole beside it, with its sidecar
    assert result.previous == pulled.path.parent / "previous" / pulled.path.name
    assert result.previous.read_bytes() == old_bytes
    assert sidecar_path(result.previous).is_file()
    record = json.loads(sidecar_path(pulled.path).read_text(encoding="utf-8"))
    assert record["sha256"] == sha256_file(pulled.path)
    assert record["latest_timestamp"] == int(clock.now)
    assert record["history"][-1]["added"] == 1 and record["history"][-1]["deleted"] == 2
    assert record["pulled_at"] == "2025-02-01T00:00:00Z" and record["updated_at"]
    frame = result.to_frame()
    assert list(frame.columns) == ["event_id_cnty", "change"] and len(frame) == 4
    # the update asked for uploads at or after the copy's latest timestamp, any event date
    read_query = [e["query"] for e in acled.log if e["path"] == "/api/acled/read"][-1]
    assert read_query["timestamp"] == [str(latest)] and read_query["timestamp_where"] == [">="]
    assert "event_date" not in read_query
    for secret in SECRETS:
        assert secret not in _folder_text(tmp_path)
    # the updated copy is the file a fresh pull writes now, byte for byte
    fresh = _pull(server, account, clock, tmp_path / "fresh")
    assert fresh.path.read_bytes() == pulled.path.read_bytes()


def test_update_with_nothing_new_leaves_the_file(server, acled, account, clock, tmp_path) -> None:
    pulled = _pull(server, account, clock, tmp_path)
    before = pulled.path.read_bytes()
    result = _update(server, account, clock, pulled.path)
    assert (result.added, result.changed, result.deleted) == ((), (), ())
    assert pulled.path.read_bytes() == before and result.previous is None
    assert not (pulled.path.parent / "previous").exists()


def test_update_refuses_an_edited_file_and_a_file_without_record(
    server, acled, account, clock, tmp_path
) -> None:
    pulled = _pull(server, account, clock, tmp_path)
    with open(pulled.path, "a", encoding="utf-8") as handle:
        handle.write("\n")
    with pytest.raises(DataError, match="differs from the one the last pull"):
        _update(server, account, clock, pulled.path)
    sidecar_path(pulled.path).unlink()
    with pytest.raises(DataError, match="no ACLED pull record"):
        _update(server, account, clock, pulled.path)


def test_interrupted_pull_resumes_without_losing_or_repeating(
    server, acled, account, clock, tmp_path
) -> None:
    reference = _pull(server, account, clock, tmp_path / "whole")
    seen: list[str] = []

    def stop_after_five(step) -> None:
        seen.append(step.label)
        if len(seen) == 5:
            raise KeyboardInterrupt

    raw = tmp_path / "raw"
    with pytest.raises(KeyboardInterrupt):
        _pull(server, account, clock, raw, progress=stop_after_five)
    target = raw / "acled" / "acled-mali.csv"
    assert not target.exists()  # nothing half-written
    assert len(list((raw / "acled" / ".partial" / target.stem).glob("*.json"))) == 6  # + state
    # a server failure on the way is as good as an interruption
    server.fail("/api/acled/read", 500, 500, 500, 500)
    with pytest.raises(ServiceError):
        _pull(server, account, clock, raw)
    asked_before = len([e for e in acled.log if e["path"] == "/api/acled/read"])
    result = _pull(server, account, clock, raw)
    assert result.resumed_parts == 5
    reads = [e["query"] for e in acled.log if e["path"] == "/api/acled/read"][asked_before:]
    years = {q["event_date"][0][:4] for q in reads if q.get("event_date_where") == ["BETWEEN"]}
    assert not years & {"1997", "1998", "1999", "2000"}  # saved parts were not asked again
    assert result.path.read_bytes() == reference.path.read_bytes()
    assert not (raw / "acled" / ".partial").exists()


def test_changes_during_a_pull_are_caught_up(server, acled, account, clock, tmp_path) -> None:
    victim = sorted(acled.events)[0]
    changed = sorted(acled.events)[1]
    calls = {"n": 0}

    def meanwhile(query) -> None:
        # when the part of 2025 is asked, every year holding events has been read
        if query.get("event_date", [""])[0].startswith("2025-") and not calls["n"]:
            calls["n"] += 1
            clock.now += 60
            acled.change(changed, fatalities="42")
            acled.delete(victim)

    acled.on_read = meanwhile
    result = _pull(server, account, clock, tmp_path)
    assert calls["n"] == 1
    events = read_acled(result.path, cache=False).set_index("event_id")
    assert victim not in events.index and events.loc[changed, "fatalities"] == 42
    assert result.deleted_during == 1 and result.caught_up >= 1


def test_empty_answer_is_reported_not_written(server, acled, account, clock, tmp_path) -> None:
    acled.empty_for_restricted = True
    with pytest.raises(ServiceError) as info:
        _pull(server, account, clock, tmp_path)
    assert info.value.reason == "access" and "access level" in str(info.value)
    assert not list(tmp_path.rglob("*.csv"))


def test_ucdp_pull_stitched_read_by_the_reader(server, ucdp, token, clock, tmp_path) -> None:
    def pull(**options):
        return pull_ucdp(
            "Mali",
            version="25.1",
            candidates=["25.0.1", "25.0.2"],
            base_url=server.url,
            raw_dir=tmp_path,
            token=token,
            retry=FAST,
            page_size=4,
            clock=clock,
            client_options={"sleep": lambda s: None},
            **options,
        )

    pages_seen: list[str] = []

    def stop(step) -> None:
        pages_seen.append(step.label)
        if len(pages_seen) == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pull(progress=stop)
    asked_before = len(ucdp.log)
    result = pull()
    assert result.resumed_pages == 6
    assert len(ucdp.log) - asked_before == result.pages - 6  # no page asked twice
    assert result.path.name == "ucdp-ged-mali-25.1-25.0.1-25.0.2.csv"
    after = [e for e in ucdp.versions["25.0.1"] if e["date_start"] >= "2025-01-01"]
    assert result.by_version["25.1"] == 45
    assert result.by_version["25.0.1"] == len(after)
    assert result.by_version["25.0.2"] == len(ucdp.versions["25.0.2"])
    events = read_ucdp_ged(result.path, cache=False)
    assert len(events) == result.events == sum(result.by_version.values())
    assert events["fatalities"].sum() == sum(
        e["best"] for e in ucdp.versions["25.1"] + after + ucdp.versions["25.0.2"]
    )
    header = result.path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-1] == "version"
    # candidates were asked from the day after the final release's end
    assert {e["query"].get("StartDate", [None])[0] for e in ucdp.log if e["version"] != "25.1"} == {
        "2025-01-01"
    }
    record = json.loads(sidecar_path(result.path).read_text(encoding="utf-8"))
    assert record["versions"] == "25.1 + 25.0.1 + 25.0.2"
    assert record["events_by_version"] == result.by_version
    assert "UCDP GED 25.1" in describe_pull(result.path)
    assert UCDP_TOKEN not in _folder_text(tmp_path)
