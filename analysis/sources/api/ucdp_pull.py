"""Pull UCDP GED events into ``data/raw/ucdp/``: a final release stitched with candidate months.

Each page is saved under ``.partial/`` as it arrives, with the address of the next one: an
interrupted pull run again continues from the last saved page (a GED version never changes, so
pages fetched on different days fit together).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import __version__, paths
from analysis.errors import ServiceError
from analysis.sources.api._http import RetryPolicy
from analysis.sources.api.credentials import Secret, ucdp_token
from analysis.sources.api.store import (
    PartialPull,
    Progress,
    cell,
    columns_of,
    keep_previous,
    utc_text,
    write_records,
    write_sidecar,
)
from analysis.sources.api.ucdp_api import UCDP_BASE_URL, UcdpClient, check_version, gw_code

__all__ = ["UcdpPullResult", "final_release_end", "stitch_versions", "ucdp_file_name", "pull_ucdp"]

#: the column added to each event: the GED version it came from
VERSION_COLUMN = "version"


@dataclass(frozen=True)
class UcdpPullResult:
    """What a UCDP pull wrote: ``events`` rows in ``path``, ``by_version`` how many came from
    each version, ``pages`` read and ``resumed_pages`` read back from an interrupted run."""

    path: Path
    sidecar: Path
    events: int
    by_version: dict[str, int]
    pages: int
    resumed_pages: int
    previous: Path | None = None


def final_release_end(version: str) -> dt.date:
    """The last day a final GED release covers: ``YY.1`` ends on 31 December of ``20YY - 1``.

    Examples
    --------
    >>> final_release_end("25.1")
    datetime.date(2024, 12, 31)
    """
    check_version(version, kind="final")
    return dt.date(2000 + int(version.split(".")[0]) - 1, 12, 31)


def _start_date(record: Mapping[str, Any], version: str) -> dt.date:
    text = str(record.get("date_start", ""))[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(
            f"event {record.get('id')!r} of version {version} has date_start "
            f"{record.get('date_start')!r}; expected a date such as 2025-01-31",
            service="UCDP",
            reason="response",
        ) from None


def stitch_versions(
    final: tuple[str, Sequence[Mapping[str, Any]]],
    candidates: Sequence[tuple[str, Sequence[Mapping[str, Any]]]] = (),
) -> list[dict[str, Any]]:
    """A final release's events, then candidate events dated after the release's end.

    Parameters
    ----------
    final
        ``(version, events)`` of a final release (``"25.1"``).
    candidates
        ``(version, events)`` of candidate releases (``"25.0.11"``), in any order.

    Returns
    -------
    list of dict
        The events, each with a ``version`` field naming the release it came from: every event
        of the final release, and the candidate events whose ``date_start`` falls after
        :func:`final_release_end`. When candidate releases hold the same ``id``, the later
        release (higher month) wins.

    Notes
    -----
    Candidate events dated within the final release's years are left out: the final release
    is the checked record of those months. A candidate of an earlier year than the final
    release covers no month after it and is refused.
    """
    version, events = final
    end = final_release_end(version)
    out: dict[str, dict[str, Any]] = {}
    for event in events:
        out[str(event["id"])] = {**event, VERSION_COLUMN: version}
    final_year = int(version.split(".")[0])

    def order(item: tuple[str, Sequence[Mapping[str, Any]]]) -> tuple[int, int]:
        year, _, month = check_version(item[0], kind="candidate").split(".")
        return int(year), int(month)

    for candidate, records in sorted(candidates, key=order):
        if order((candidate, records))[0] < final_year:
            raise ValueError(
                f"candidate release {candidate} covers months that the final release "
                f"{version} already holds (it ends on {end}); give a candidate of 20"
                f"{final_year} or later"
            )
        for event in records:
            if _start_date(event, candidate) > end:
                key = str(event["id"])
                if key in out and out[key][VERSION_COLUMN] == version:
                    continue
                out[key] = {**event, VERSION_COLUMN: candidate}
    return list(out.values())


def ucdp_file_name(country: str, version: str, candidates: Sequence[str] = ()) -> str:
    """``ucdp-ged-mali-25.1.csv``, ``ucdp-ged-mali-25.1-25.0.11.csv``."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in str(country).lower()).strip("-")
    return "-".join(["ucdp-ged", slug or "x", version, *candidates]) + ".csv"


def _fetch_version(
    client: UcdpClient,
    version: str,
    filters: Mapping[str, str | int],
    partial: PartialPull,
    on_page: Callable[[str, bool, int], None],
) -> tuple[list[dict[str, Any]], int, int]:
    """A version's events page by page, saved as they come; (events, pages, resumed pages)."""
    saved = sorted(
        (int(name.rsplit("-", 1)[1]), name)
        for name in partial.parts
        if name.startswith(f"{version}-page-")
    )
    records: list[dict[str, Any]] = []
    total = None
    next_url: str | None = None
    for _, name in saved:
        page_records = partial.load(name)
        records.extend(page_records)
        meta = partial.parts[name]
        next_url = meta.get("next_url")
        total = meta.get("total", total) if total is None else total
        on_page(name, True, len(page_records))
    resumed = len(saved)
    number = resumed
    if not saved or next_url:
        for page in client.pages(version, filters=filters, start_url=next_url):
            number += 1
            name = f"{version}-page-{number:05d}"
            if total is None:
                total = page.total_count
            partial.save(name, page.records, next_url=page.next_url, total=page.total_count)
            records.extend(page.records)
            on_page(name, False, len(page.records))
    if total is not None and len(records) != total:
        raise ServiceError(
            f"version {version} announced {total} events (TotalCount) but its pages held "
            f"{len(records)}; run the command again to fetch it afresh",
            service="UCDP",
            reason="response",
        )
    ids = [str(r["id"]) for r in records]
    if len(set(ids)) != len(ids):
        raise ServiceError(
            f"version {version}'s pages hold the same event id more than once; the paging may "
            "have changed",
            service="UCDP",
            reason="response",
        )
    return records, number, resumed


def pull_ucdp(
    country: str,
    *,
    version: str,
    candidates: Sequence[str] = (),
    base_url: str = UCDP_BASE_URL,
    raw_dir: str | Path | None = None,
    token: Secret | None = None,
    retry: RetryPolicy | None = None,
    page_size: int = 1000,
    progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.time,
    client_options: Mapping[str, Any] | None = None,
) -> UcdpPullResult:
    """Pull a country's UCDP GED events (a final release, and candidate months after it).

    Parameters
    ----------
    country
        A country name of :data:`analysis.sources.api.ucdp_api.GW_CODES` or its
        Gleditsch-Ward code (Mali is 432).
    version
        The final release, ``YY.1``.
    candidates
        Candidate releases ``YY.0.M`` whose events after the final release's end are added.
    base_url
        Scheme and host of the service; a mirror or a test server may stand in.
    raw_dir
        The folder of raw data (default ``data/raw``); the file goes into its ``ucdp/``.
    token
        UCDP's access token; default from ``UCDP_TOKEN`` or the settings file.
    retry, page_size, client_options
        Passed to :class:`analysis.sources.api.ucdp_api.UcdpClient`.
    progress
        Called with a :class:`analysis.sources.api.store.Progress` after each page.
    clock
        Unix time (tests replace it).

    Returns
    -------
    UcdpPullResult
        The file, its sidecar and the counts by version.

    Notes
    -----
    The file has UCDP's field names as columns (the API's ``Result`` objects) and a
    ``version`` column; :func:`analysis.read_ucdp_ged` reads it. Candidate releases are asked
    only for events from the day after the final release's end (``StartDate``), and
    :func:`stitch_versions` keeps only those. Each version's page count is checked against
    the ``TotalCount`` the service announced.

    Examples
    --------
    >>> pull_ucdp("Mali", version="25.1", candidates=["25.0.11"])  # doctest: +SKIP
    """
    version = check_version(version, kind="final")
    candidates = [check_version(c, kind="candidate") for c in candidates]
    if len(set(candidates)) != len(candidates):
        raise ValueError("each candidate release may be given once")
    code = gw_code(country)
    end = final_release_end(version)
    for candidate in candidates:
        if int(candidate.split(".")[0]) < int(version.split(".")[0]):
            raise ValueError(
                f"candidate release {candidate} covers months the final release {version} "
                f"already holds (it ends on {end})"
            )
    name = str(country).strip()
    folder = Path(raw_dir) if raw_dir is not None else paths.raw_dir()
    target = folder / "ucdp" / ucdp_file_name(name, version, candidates)
    query = {"country": name, "Country": code, "version": version, "candidates": candidates}
    options = {"page_size": page_size, "retry": retry, **(client_options or {})}
    token = token or ucdp_token()
    with UcdpClient(token, base_url=base_url, **options) as client:
        partial = PartialPull(
            target,
            {"service": "UCDP", "base_url": client.base_url, "query": query, "pagesize": page_size},
        )
        if partial.get("started_at") is None:
            partial.note(started_at=int(clock()))
        started = int(partial.get("started_at"))
        counter = {"pages": 0, "events": 0}

        def on_page(label: str, resumed: bool, n: int) -> None:
            counter["pages"] += 1
            counter["events"] += n
            if progress:
                progress(Progress(label, counter["pages"], None, counter["events"], resumed))

        fetched: dict[str, list[dict[str, Any]]] = {}
        pages = resumed = 0
        for each in [version, *candidates]:
            filters: dict[str, str | int] = {"Country": code}
            if each != version:
                filters["StartDate"] = (end + dt.timedelta(days=1)).isoformat()
            records, n_pages, n_resumed = _fetch_version(client, each, filters, partial, on_page)
            fetched[each] = records
            pages += n_pages
            resumed += n_resumed
        events = stitch_versions((version, fetched[version]), [(c, fetched[c]) for c in candidates])
        if not events:
            partial.discard()
            raise ServiceError(
                f"UCDP returned no events for Country={code} in version {version}"
                + (f" or {', '.join(candidates)}" if candidates else "")
                + "; check the Gleditsch-Ward code",
                service="UCDP",
                reason="response",
            )
        try:
            rows = [{k: cell(v) for k, v in event.items()} for event in events]
        except TypeError as exc:
            raise ServiceError(
                f"an event holds a {exc} where text or a number was expected; UCDP may have "
                "changed its response",
                service="UCDP",
                reason="response",
            ) from None
        rows.sort(key=lambda r: (r.get("date_start", ""), r.get("id", "")))
        by_version = {v: sum(r[VERSION_COLUMN] == v for r in rows) for v in [version, *candidates]}
        columns = [c for c in columns_of(rows) if c != VERSION_COLUMN] + [VERSION_COLUMN]
        previous = keep_previous(target)
        sha = write_records(target, rows, columns)
        dataset_version = " + ".join([version, *candidates])
        sidecar = write_sidecar(
            target,
            {
                "service": "UCDP",
                "file": target.name,
                "sha256": sha,
                "events": len(rows),
                "events_by_version": by_version,
                "query": query,
                "api": {
                    "base_url": client.base_url,
                    "events": "/api/gedevents/<version>",
                    "pagesize": page_size,
                    "token_header": "x-ucdp-access-token",
                },
                "dataset_version": (
                    f"UCDP GED {version}"
                    + (
                        f", with candidate events after {end} from {', '.join(candidates)}"
                        if candidates
                        else ""
                    )
                ),
                "versions": dataset_version,
                "final_release_end": end.isoformat(),
                "pulled_at": utc_text(started),
                "updated_at": None,
                "written_by": f"analysis {__version__}",
                "history": [
                    {
                        "action": "pull",
                        "started": utc_text(started),
                        "finished": utc_text(clock()),
                        "events": len(rows),
                        "pages": pages,
                        "resumed_pages": resumed,
                    }
                ],
            },
        )
        partial.discard()
    return UcdpPullResult(
        path=target,
        sidecar=sidecar,
        events=len(rows),
        by_version=by_version,
        pages=pages,
        resumed_pages=resumed,
        previous=previous,
    )
