"""Pull ACLED events into ``data/raw/acled/`` and keep the copy current.

:func:`pull_acled` fetches a country's events year by year (each year a part saved as it
completes, so an interrupted pull resumes without fetching a part twice), then catches up with
what changed while it ran, and writes one CSV with its provenance sidecar.
:func:`update_acled` applies ACLED's deletions and refetches every event uploaded at or after the
copy's latest ``timestamp``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import __version__, paths
from analysis.errors import DataError, ServiceError
from analysis.files import sha256_file
from analysis.sources.api._http import RetryPolicy, int_or_none
from analysis.sources.api.acled_api import ACLED_BASE_URL, AcledClient, acled_filters
from analysis.sources.api.credentials import AcledCredentials, acled_credentials
from analysis.sources.api.store import (
    PartialPull,
    Progress,
    cell,
    columns_of,
    keep_previous,
    read_record_lines,
    read_sidecar,
    sidecar_path,
    utc_text,
    write_records,
    write_sidecar,
)

__all__ = [
    "ACLED_FIRST_YEAR",
    "PullResult",
    "UpdateResult",
    "acled_file_name",
    "pull_acled",
    "update_acled",
    "pulled_acled_files",
]

#: ACLED's African data begin in 1997; earlier (mistaken) dates are asked for in one more part
ACLED_FIRST_YEAR = 1997
#: the catch-up after a pull asks for uploads from this long before the pull started (clock skew)
_CATCH_UP_MARGIN = 3600


@dataclass(frozen=True)
class PullResult:
    """What a pull wrote.

    ``events`` rows in ``path``; ``latest_timestamp`` the largest upload time among them;
    ``parts`` the number of parts (years), ``resumed_parts`` how many were read back from an
    interrupted run; ``caught_up`` events that changed while the pull ran and
    ``deleted_during`` events deleted meanwhile.
    """

    path: Path
    sidecar: Path
    events: int
    latest_timestamp: int
    parts: int
    resumed_parts: int
    caught_up: int
    deleted_during: int
    previous: Path | None = None


@dataclass(frozen=True)
class UpdateResult:
    """What an update changed, by ``event_id_cnty``.

    ``since`` is the copy's latest ``timestamp`` before the update (events uploaded at or after
    it were refetched: ``refetched`` of them); ``deletions_listed`` the deletions ACLED lists
    since then for every country, of which ``deleted`` were in the copy.
    """

    path: Path
    sidecar: Path
    since: int
    added: tuple[str, ...]
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int
    refetched: int
    deletions_listed: int
    events: int
    latest_timestamp: int
    previous: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per event the update touched.

        Returns
        -------
        pandas.DataFrame
            ``event_id_cnty`` and ``change`` (``"added"``, ``"changed"`` or ``"deleted"``).
        """
        rows = [
            (event, change)
            for change, events in (
                ("added", self.added),
                ("changed", self.changed),
                ("deleted", self.deleted),
            )
            for event in events
        ]
        return pd.DataFrame(rows, columns=["event_id_cnty", "change"])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def acled_file_name(
    country: Sequence[str], start: dt.date | None = None, end: dt.date | None = None
) -> str:
    """The file a pull writes: ``acled-mali.csv``, ``acled-mali-2020-01-01-to-2023-12-31.csv``."""
    name = "acled-" + "-".join(_slug(c) for c in country)
    if start and end:
        name += f"-{start}-to-{end}"
    elif start:
        name += f"-from-{start}"
    elif end:
        name += f"-to-{end}"
    return name + ".csv"


def _parts(
    start: dt.date | None, end: dt.date | None, today: dt.date
) -> list[tuple[str, dict[str, dt.date]]]:
    """The pull split by year of event date, plus the dates outside ACLED's coverage."""
    low = start or dt.date(ACLED_FIRST_YEAR, 1, 1)
    high = end or dt.date(max(today.year, low.year), 12, 31)
    parts: list[tuple[str, dict[str, dt.date]]] = []
    day = dt.timedelta(days=1)
    if start is None:  # only BETWEEN, the documented form, even for the open ends
        parts.append((f"before-{low.year}", {"start": dt.date.min, "end": low - day}))
    for year in range(low.year, high.year + 1):
        first = max(low, dt.date(year, 1, 1))
        last = min(high, dt.date(year, 12, 31))
        parts.append((str(year), {"start": first, "end": last}))
    if end is None:
        parts.append((f"after-{high.year}", {"start": high + day, "end": dt.date.max}))
    return parts


def _stamp(record: Mapping[str, Any]) -> int:
    value = int_or_none(record.get("timestamp"))
    if value is None:
        raise ServiceError(
            f"event {record.get('event_id_cnty')!r} has no usable timestamp "
            f"({record.get('timestamp')!r}); ACLED may have changed its fields",
            service="ACLED",
            reason="response",
        )
    return value


def _same(row: Mapping[str, str], other: Mapping[str, str]) -> bool:
    """Whether two events agree on every field (a field absent from one counts as empty)."""
    return all(row.get(name, "") == other.get(name, "") for name in {*row, *other})


def _text_row(record: Mapping[str, Any]) -> dict[str, str]:
    try:
        return {name: cell(value) for name, value in record.items()}
    except TypeError as exc:
        raise ServiceError(
            f"event {record.get('event_id_cnty')!r} holds a {exc} where text or a number was "
            "expected; ACLED may have changed its response",
            service="ACLED",
            reason="response",
        ) from None


def _upsert(events: dict[str, dict[str, Any]], records: Iterable[Mapping[str, Any]]) -> int:
    """Put records in by ``event_id_cnty``, the latest ``timestamp`` winning (ties: the later)."""
    count = 0
    for record in records:
        key = str(record["event_id_cnty"])
        held = events.get(key)
        if held is None or _stamp(record) >= _stamp(held):
            events[key] = dict(record)
        count += 1
    return count


def _apply_deletions(
    events: dict[str, dict[str, Any]], deletions: Iterable[Mapping[str, Any]]
) -> list[str]:
    """Drop events deleted at or after their own upload; the ids removed."""
    removed = []
    for deletion in deletions:
        key = str(deletion["event_id_cnty"])
        held = events.get(key)
        if held is not None and _stamp(held) <= int(deletion["deleted_timestamp"]):
            del events[key]
            removed.append(key)
    return removed


def _ordered(events: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Newest event date first, as ACLED's exports are; then by id, for a stable file."""
    rows = sorted(events, key=lambda r: r.get("event_id_cnty", ""))
    return sorted(rows, key=lambda r: r.get("event_date", ""), reverse=True)


def _client(
    credentials: AcledCredentials | None,
    base_url: str,
    client_options: Mapping[str, Any] | None,
) -> AcledClient:
    options = dict(client_options or {})
    return AcledClient(credentials or acled_credentials(), base_url=base_url, **options)


def pull_acled(
    country: str | Sequence[str],
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    base_url: str = ACLED_BASE_URL,
    raw_dir: str | Path | None = None,
    credentials: AcledCredentials | None = None,
    retry: RetryPolicy | None = None,
    page_size: int = 5000,
    progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.time,
    client_options: Mapping[str, Any] | None = None,
) -> PullResult:
    """Pull a country's ACLED events into ``data/raw/acled/`` with a provenance sidecar.

    Parameters
    ----------
    country
        Country name(s) as ACLED writes them (``"Mali"``).
    start, end
        Event dates to pull (inclusive; either may be open). Without ``start`` the pull begins
        with ACLED's coverage (1997) and also asks for any event dated before it; without
        ``end`` it runs to the end of the current year and asks for any event dated after.
    base_url
        Scheme and host of the service; a mirror or a test server may stand in.
    raw_dir
        The folder of raw data (default ``data/raw``); the file goes into its ``acled/``.
    credentials
        The account; default from ``ACLED_USERNAME``/``ACLED_PASSWORD`` or the settings file.
    retry, page_size, client_options
        Passed to :class:`analysis.sources.api.acled_api.AcledClient`.
    progress
        Called with a :class:`analysis.sources.api.store.Progress` after each part.
    clock
        Unix time (tests replace it).

    Returns
    -------
    PullResult
        The file, its sidecar, and the counts.

    Notes
    -----
    *Parts.* Events are asked year by year of ``event_date`` (each part paged by ``limit`` and
    ``page``). A finished part is saved under ``.partial/``; after an interruption the same
    command skips the parts already saved. When every part is in, events uploaded or changed
    since the pull started (less an hour for clock differences) are fetched again and the
    deletions since then applied, so parts fetched at different times agree. Events are keyed
    by ``event_id_cnty``, the latest ``timestamp`` winning: none is held twice.

    *An empty answer.* ACLED answers some accounts whose access level excludes a query with no
    events instead of an error (acledR issue 41): a pull that finds no event raises a
    :class:`~analysis.errors.ServiceError` saying so rather than writing an empty file.

    Examples
    --------
    >>> pull_acled("Mali", start="2021-01-01")  # doctest: +SKIP
    PullResult(path=PosixPath('data/raw/acled/acled-mali-from-2021-01-01.csv'), ...)
    """
    countries = [country] if isinstance(country, str) else list(country)
    countries = [c.strip() for c in countries if c and c.strip()]
    if not countries:
        raise ValueError("give at least one country")
    first = _date(start, "start")
    last = _date(end, "end")
    if first and last and last < first:
        raise ValueError(f"the end date {last} is before the start date {first}")
    folder = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    target = folder / "acled" / acled_file_name(countries, first, last)
    query = {"country": countries, "start": _iso(first), "end": _iso(last)}
    options = {"page_size": page_size, "retry": retry, "clock": clock, **(client_options or {})}
    with _client(credentials, base_url, options) as client:
        partial = PartialPull(
            target,
            {"service": "ACLED", "base_url": client.base_url, "query": query, "limit": page_size},
        )
        if partial.get("started_at") is None:
            partial.note(started_at=int(clock()))
        started = int(partial.get("started_at"))
        today = dt.datetime.fromtimestamp(started, dt.UTC).date()
        parts = _parts(first, last, today)
        events: dict[str, dict[str, Any]] = {}
        resumed = 0
        for done, (name, dates) in enumerate(parts, start=1):
            if name in partial.parts:
                _upsert(events, partial.load(name))
                resumed += 1
                if progress:
                    progress(Progress(name, done, len(parts), len(events), resumed=True))
                continue
            records = _fetch_part(client, countries, dates)
            partial.save(name, records, events=len(records))
            _upsert(events, records)
            if progress:
                progress(Progress(name, done, len(parts), len(events)))
        since = started - _CATCH_UP_MARGIN
        changed = client.read(acled_filters(country=countries, start=first, end=last, since=since))
        caught_up = _upsert(events, changed)
        deleted = _apply_deletions(events, client.deleted(since))
        if not events:
            partial.discard()
            raise ServiceError(
                f"ACLED returned no events for country {'|'.join(countries)!r}"
                + (f" from {first}" if first else "")
                + (f" to {last}" if last else "")
                + ": check the country's name as ACLED writes it; if it is right, the "
                "account's access level may not include these data (ACLED answers some "
                "accounts with an empty result rather than an error)",
                service="ACLED",
                reason="access",
            )
        rows = _ordered(_text_row(record) for record in events.values())
        latest = max(_stamp(record) for record in events.values())
        previous = keep_previous(target)
        sha = write_records(target, rows, columns_of(rows))
        now = clock()
        sidecar = write_sidecar(
            target,
            _sidecar(
                client=client,
                query=query,
                file=target,
                sha=sha,
                events=len(rows),
                latest=latest,
                pulled_at=utc_text(started),
                history=[
                    {
                        "action": "pull",
                        "started": utc_text(started),
                        "finished": utc_text(now),
                        "events": len(rows),
                        "parts": len(parts),
                        "resumed_parts": resumed,
                        "caught_up": caught_up,
                        "deleted_during": len(deleted),
                    }
                ],
            ),
        )
        partial.discard()
    return PullResult(
        path=target,
        sidecar=sidecar,
        events=len(rows),
        latest_timestamp=latest,
        parts=len(parts),
        resumed_parts=resumed,
        caught_up=caught_up,
        deleted_during=len(deleted),
        previous=previous,
    )


def _fetch_part(
    client: AcledClient, countries: list[str], dates: Mapping[str, dt.date]
) -> list[dict[str, Any]]:
    """One part's events; asked again once when fewer came than the total ACLED announced."""
    for attempt in (1, 2):
        total = None
        records: list[dict[str, Any]] = []
        for page in client.pages(acled_filters(country=countries, **dates)):
            records.extend(page.records)
            if page.number == 1:
                total = page.total
        distinct = len({str(r["event_id_cnty"]) for r in records})
        if total is None or distinct >= total:
            return records
        if attempt == 2:
            raise ServiceError(
                f"ACLED announced {total} events for {dict(dates)} but its pages held "
                f"{distinct} distinct events, twice; the data may be changing while it is read: "
                "run the command again (finished parts are kept)",
                service="ACLED",
                reason="response",
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _sidecar(
    *,
    client: AcledClient,
    query: Mapping[str, Any],
    file: Path,
    sha: str,
    events: int,
    latest: int,
    pulled_at: str,
    history: list[dict[str, Any]],
    updated_at: str | None = None,
) -> dict[str, Any]:
    return {
        "service": "ACLED",
        "file": file.name,
        "sha256": sha,
        "events": events,
        "query": dict(query),
        "api": {
            "base_url": client.base_url,
            "token": "/oauth/token (OAuth2 password grant)",
            "read": "/api/acled/read?_format=json",
            "deleted": "/api/deleted/read?_format=json",
            "page_size": client.page_size,
        },
        "dataset_version": (
            f"ACLED does not number its releases; this copy holds uploads up to timestamp "
            f"{latest} ({utc_text(latest)})"
        ),
        "latest_timestamp": latest,
        "latest_timestamp_utc": utc_text(latest),
        "pulled_at": pulled_at,
        "updated_at": updated_at,
        "written_by": f"analysis {__version__}",
        "history": history,
    }


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{name} must be a date written YYYY-MM-DD, not {value!r}") from None


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def pulled_acled_files(raw_dir: str | Path | None = None) -> list[Path]:
    """The ACLED files in ``data/raw/acled/`` that a pull wrote (those with a sidecar)."""
    folder = (Path(raw_dir) if raw_dir is not None else paths.raw_dir()) / "acled"
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.glob("*.csv") if path.is_file() and sidecar_path(path).is_file()
    )


def update_acled(
    path: str | Path,
    *,
    base_url: str | None = None,
    credentials: AcledCredentials | None = None,
    retry: RetryPolicy | None = None,
    page_size: int | None = None,
    clock: Callable[[], float] = time.time,
    client_options: Mapping[str, Any] | None = None,
) -> UpdateResult:
    """Bring a pulled ACLED file up to date: deletions applied, new and changed events in.

    Parameters
    ----------
    path
        A file :func:`pull_acled` wrote (it has a provenance sidecar).
    base_url
        Scheme and host of the service; default the one the file was pulled from.
    credentials, retry, page_size, clock, client_options
        As for :func:`pull_acled` (``page_size`` defaults to the pull's).

    Returns
    -------
    UpdateResult
        The ids added, changed and deleted, and the counts.

    Notes
    -----
    The method of acledR's ``acled_update`` without its two flaws: take the copy's largest
    ``timestamp`` *T*; drop the copy's events that ACLED lists as deleted at or after *T*
    (``/api/deleted/read``, every country); fetch every event of the pull's query whose
    ``timestamp`` is at or after *T*, whatever its event date (so events dated after the copy's
    last date come in too; only a ``start``/``end`` given to the pull bounds the dates); replace
    events by ``event_id_cnty``. An event is "changed" when any field differs from the copy's,
    "unchanged" when it was refetched identical. Dates are written as ACLED sent them (the
    deletion step never rewrites them).

    The new file replaces the old one only once it is written whole; the old one is kept in
    ``previous/`` beside it, with its sidecar. When nothing changed the file is left as it was
    and only the sidecar records the check.

    *Limitation.* An event recoded out of the pull's query (moved to another country, or out of
    its ``start``/``end``) is not returned by the query and stays in the copy as it was; a
    fresh pull drops it.
    """
    path = Path(path)
    record = read_sidecar(path)
    if record is None or record.get("service") != "ACLED":
        raise DataError(
            "no ACLED pull record beside this file (expected "
            f"{sidecar_path(path).name}); pull it first with `tallies events pull acled`",
            file=path,
            rule="provenance",
        )
    if not path.is_file():
        raise DataError("the pulled file is missing", file=path, rule="required")
    if record.get("sha256") and sha256_file(path) != record["sha256"]:
        raise DataError(
            "the file differs from the one the last pull or update wrote (sha256 "
            f"{record['sha256'][:12]}...); raw data are never edited: restore it from "
            "previous/ or pull again",
            file=path,
            rule="provenance",
        )
    columns, rows, lines = read_record_lines(path)
    if "event_id_cnty" not in columns or "timestamp" not in columns:
        raise DataError(
            "expected the columns event_id_cnty and timestamp of a pulled file",
            file=path,
            line=1,
            column="timestamp" if "event_id_cnty" in columns else "event_id_cnty",
            rule="required",
        )
    held: dict[str, dict[str, str]] = {}
    for number, row in zip(lines, rows, strict=True):
        if int_or_none(row["timestamp"]) is None:
            raise DataError(
                f"timestamp {row['timestamp']!r} is not a whole number of seconds",
                file=path,
                line=number,
                column="timestamp",
                rule="type",
            )
        held[row["event_id_cnty"]] = row
    if not held:
        raise DataError("the pulled file holds no events", file=path, line=2, rule="empty")
    since = max(_stamp(row) for row in held.values())
    query = record["query"]
    countries = list(query.get("country") or [])
    first, last = _date(query.get("start"), "start"), _date(query.get("end"), "end")
    options = dict(client_options or {})
    options.update(
        retry=retry,
        clock=clock,
        page_size=page_size or int(record.get("api", {}).get("page_size") or 5000),
    )
    url = base_url or record.get("api", {}).get("base_url") or ACLED_BASE_URL
    with _client(credentials, url, options) as client:
        deletions = client.deleted(since)
        fresh = client.read(acled_filters(country=countries, start=first, end=last, since=since))
        events: dict[str, dict[str, Any]] = dict(held)
        deleted = _apply_deletions(events, deletions)
        newest: dict[str, dict[str, Any]] = {}
        _upsert(newest, fresh)
        latest_deletion = {str(d["event_id_cnty"]): int(d["deleted_timestamp"]) for d in deletions}
        added, changed, unchanged = [], [], 0
        for key, event in newest.items():
            if key in latest_deletion and _stamp(event) <= latest_deletion[key]:
                continue  # listed as deleted after this upload
            row = _text_row(event)
            before = held.get(key)
            if key in deleted:  # listed as deleted, then uploaded again
                deleted.remove(key)
            if before is None:
                added.append(key)
            elif _same(row, before):
                unchanged += 1
            else:
                changed.append(key)
            events[key] = row
        now = clock()
        touched = bool(added or changed or deleted)
        out_rows = _ordered(_text_row(e) for e in events.values())
        latest = max([_stamp(e) for e in events.values()], default=since)
        history = list(record.get("history") or [])
        history.append(
            {
                "action": "update",
                "at": utc_text(now),
                "since_timestamp": since,
                "refetched": len(fresh),
                "added": len(added),
                "changed": len(changed),
                "deleted": len(deleted),
                "unchanged": unchanged,
                "deletions_listed": len(deletions),
            }
        )
        previous = None
        sha = record.get("sha256")
        new_columns = columns_of(out_rows, first=columns)
        if touched:
            previous = keep_previous(path)
            sha = write_records(path, out_rows, new_columns)
        sidecar = write_sidecar(
            path,
            _sidecar(
                client=client,
                query=query,
                file=path,
                sha=str(sha),
                events=len(out_rows),
                latest=latest,
                pulled_at=str(record.get("pulled_at")),
                updated_at=utc_text(now),
                history=history,
            ),
        )
    return UpdateResult(
        path=path,
        sidecar=sidecar,
        since=since,
        added=tuple(added),
        changed=tuple(changed),
        deleted=tuple(deleted),
        unchanged=unchanged,
        refetched=len(fresh),
        deletions_listed=len(deletions),
        events=len(out_rows),
        latest_timestamp=latest,
        previous=previous,
    )
