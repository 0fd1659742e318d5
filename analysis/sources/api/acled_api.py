"""A client for ACLED's API (the OAuth API in use since September 2025).

Endpoints, relative to the base URL (``https://acleddata.com`` by default)
---------------------------------------------------------------------------
``POST /oauth/token``
    OAuth2 password grant (``username``, ``password``, ``grant_type=password``,
    ``client_id=acled``) and refresh grant (``grant_type=refresh_token``). The access token
    lasts 24 hours, the refresh token 14 days.
``GET /api/acled/read?_format=json``
    The events, with ACLED's filters (``country=Mali|Niger``,
    ``event_date=START|END&event_date_where=BETWEEN``, ``timestamp=<unix>&timestamp_where=>=``)
    and paging (``limit``, ``page`` from 1); ``with_total=true`` asks for ``total_count``.
``GET /api/deleted/read?_format=json&deleted_timestamp=<unix>&deleted_timestamp_where=>=``
    Events deleted since a time (``event_id_cnty``, ``deleted_timestamp``), all countries.

Sources: acledR 1.0.1 (``R/acled_auth.R``, ``R/acled_update.R``, commit d5a9b5a for ``|``),
the PyPI ``acled`` README (5,000-row pages), forecastbench issue 188 (``with_total``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from analysis.sources.api._http import Http, RetryPolicy, ServiceClient, int_or_none
from analysis.sources.api.credentials import AcledCredentials

__all__ = [
    "ACLED_BASE_URL",
    "ACLED_REQUIRED_FIELDS",
    "AcledClient",
    "AcledPage",
    "acled_filters",
]

ACLED_BASE_URL = "https://acleddata.com"
#: fields every event must carry: what the reader needs, and ``timestamp`` for updates
ACLED_REQUIRED_FIELDS = (
    "event_id_cnty",
    "event_date",
    "event_type",
    "actor1",
    "country",
    "fatalities",
    "timestamp",
)
_TOKEN_PATH = "/oauth/token"
_READ_PATH = "/api/acled/read"
_DELETED_PATH = "/api/deleted/read"
_REFRESH_LIFETIME = 14 * 86_400.0


def acled_filters(
    *,
    country: Sequence[str],
    start: dt.date | None = None,
    end: dt.date | None = None,
    since: int | None = None,
) -> dict[str, str]:
    """ACLED's query parameters for a country, a range of event dates and an upload time.

    Parameters
    ----------
    country
        Country names as ACLED writes them; several are joined with ``|``.
    start, end
        Event dates within ``[start, end]`` (either may be open; ``BETWEEN`` when both are
        given, ``>=`` or ``<=`` otherwise).
    since
        Events whose ``timestamp`` (upload time, unix seconds) is at or after it.

    Examples
    --------
    >>> acled_filters(country=["Mali"], start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31))
    {'country': 'Mali', 'event_date': '2022-01-01|2022-12-31', 'event_date_where': 'BETWEEN'}
    """
    if not country:
        raise ValueError("give at least one country")
    filters = {"country": "|".join(country)}
    if start is not None and end is not None:
        if end < start:
            raise ValueError(f"the end date {end} is before the start date {start}")
        filters |= {"event_date": f"{start}|{end}", "event_date_where": "BETWEEN"}
    elif start is not None:
        filters |= {"event_date": str(start), "event_date_where": ">="}
    elif end is not None:
        filters |= {"event_date": str(end), "event_date_where": "<="}
    if since is not None:
        filters |= {"timestamp": str(int(since)), "timestamp_where": ">="}
    return filters


@dataclass(frozen=True)
class AcledPage:
    """One page of an answer: its number (from 1), its records, and the total when sent."""

    number: int
    records: list[dict[str, Any]]
    total: int | None


class AcledClient(ServiceClient):
    """ACLED's API: token management, the events and the deleted events, page by page.

    Parameters
    ----------
    credentials
        The account (:func:`analysis.sources.api.credentials.acled_credentials`).
    base_url
        Scheme and host of the service (a mirror or a test server may stand in).
    page_size
        Rows asked per page (``limit``); the service's own default is 5,000.
    retry
        Retries on 429, 5xx and network failures (:class:`RetryPolicy`).
    refresh_margin
        Seconds before a token's expiry at which it is renewed.
    clock, sleep
        The time (unix seconds) and the wait between retries; tests replace them.

    Notes
    -----
    A token is renewed with the refresh token before it expires; when the refresh is refused
    (the refresh token lapsed after 14 days), the password grant is made again. An answer of
    401 to a data request (a token revoked early) leads to one new token and one more try.

    A token is not access: the service issues tokens to accounts whose access level then
    refuses the data. The two failures raise different errors (``reason="credentials"`` when
    no token is issued, ``reason="access"`` when the data is refused).

    Examples
    --------
    >>> from analysis.sources.api.credentials import acled_credentials  # doctest: +SKIP
    >>> with AcledClient(acled_credentials()) as acled:  # doctest: +SKIP
    ...     events = acled.read(acled_filters(country=["Mali"], since=1735689600))
    """

    def __init__(
        self,
        credentials: AcledCredentials,
        *,
        base_url: str = ACLED_BASE_URL,
        page_size: int = 5000,
        retry: RetryPolicy | None = None,
        refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._credentials = credentials
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self._refresh_expires_at = 0.0
        self._clock = clock
        self.page_size = page_size
        self.refresh_margin = refresh_margin
        self.tokens_issued = {"password": 0, "refresh_token": 0}
        self.http = Http(
            service="ACLED",
            base_url=base_url,
            retry=retry or RetryPolicy(),
            secrets=lambda: (
                credentials.username,
                credentials.password,
                self._access,
                self._refresh,
            ),
            sleep=sleep,
        )

    # -- tokens --------------------------------------------------------------------------------
    def _grant(self, grant: str) -> None:
        if grant == "password":
            form = {
                "username": self._credentials.username.reveal(),
                "password": self._credentials.password.reveal(),
                "grant_type": "password",
                "client_id": "acled",
            }
        else:
            assert self._refresh is not None
            form = {
                "refresh_token": self._refresh,
                "grant_type": "refresh_token",
                "client_id": "acled",
            }
        asked_at = self._clock()
        response = self.http.send("POST", _TOKEN_PATH, data=form)
        if response.status_code in (400, 401, 403):
            said = self.http.message_of(response)
            if grant == "refresh_token":
                raise _RefreshRefused()
            raise self.http.error(
                "ACLED refused the account's e-mail and password when asked for a token"
                + (f" ({said})" if said else "")
                + "; check ACLED_USERNAME and ACLED_PASSWORD",
                reason="credentials",
                response=response,
            )
        if response.status_code != 200:
            raise self.http.error(
                f"unexpected answer to the token request: {self.http.message_of(response)}",
                reason="response",
                response=response,
            )
        body = self.http.json_of(response, "the token response")
        access = body.get("access_token") if isinstance(body, Mapping) else None
        expires = body.get("expires_in") if isinstance(body, Mapping) else None
        if not isinstance(access, str) or not access:
            raise self.http.error(
                "the token response holds no access_token; the OAuth API may have changed",
                reason="response",
                response=response,
            )
        try:
            lifetime = float(expires) if expires is not None else 86_400.0
        except (TypeError, ValueError):
            raise self.http.error(
                "the token response's expires_in is not a number",
                reason="response",
                response=response,
            ) from None
        self._access = access
        self._expires_at = asked_at + lifetime
        refresh = body.get("refresh_token")
        if isinstance(refresh, str) and refresh:
            self._refresh = refresh
            self._refresh_expires_at = asked_at + _REFRESH_LIFETIME
        self.tokens_issued[grant] += 1

    def _token(self) -> str:
        now = self._clock()
        if self._access is not None and now < self._expires_at - self.refresh_margin:
            return self._access
        if self._refresh is not None and now < self._refresh_expires_at - self.refresh_margin:
            try:
                self._grant("refresh_token")
            except _RefreshRefused:
                self._refresh = None
                self._grant("password")
        else:
            self._grant("password")
        assert self._access is not None
        return self._access

    # -- data ----------------------------------------------------------------------------------
    def _get(self, path: str, params: Mapping[str, str | int]) -> Any:
        for attempt in (1, 2):
            token = self._token()
            response = self.http.send(
                "GET", path, params=params, headers={"Authorization": f"Bearer {token}"}
            )
            if response.status_code == 401 and attempt == 1:
                self._access = None  # revoked or expired early: one new token, one more try
                continue
            break
        status = response.status_code
        if status in (401, 403):
            said = self.http.message_of(response)
            raise self.http.error(
                "ACLED issued a token for this account but refused the data"
                + (f" ({said})" if said else "")
                + ": the account's access level does not include this query. Check the "
                "account's access on acleddata.com (the e-mail and password were accepted)",
                reason="access",
                response=response,
            )
        if status in (400, 404, 422):
            said = self.http.message_of(response)
            raise self.http.error(
                f"ACLED rejected the query ({said or 'no reason given'}); its filters may have "
                "changed",
                reason="request",
                response=response,
            )
        if status != 200:
            raise self.http.error(
                f"unexpected answer: {self.http.message_of(response) or 'no message'}",
                reason="response",
                response=response,
            )
        body = self.http.json_of(response, 'an object with a "data" array')
        if isinstance(body, Mapping) and body.get("success") is False:
            inner = body.get("status")
            said = self.http.message_of(response)
            if inner in (401, 403, "401", "403"):
                raise self.http.error(
                    "ACLED issued a token for this account but refused the data"
                    + (f" ({said})" if said else "")
                    + ": the account's access level does not include this query",
                    reason="access",
                    response=response,
                )
            raise self.http.error(
                f"ACLED answered that the request failed ({said or 'no reason given'})",
                reason="response",
                response=response,
            )
        if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
            shape = type(body).__name__ if not isinstance(body, Mapping) else sorted(body)[:8]
            raise self.http.error(
                f'expected an object with a "data" array of events, got {shape}; ACLED may '
                "have changed its response",
                reason="response",
                response=response,
            )
        return body, response

    def _pages(
        self, path: str, filters: Mapping[str, str], required: Sequence[str], id_field: str
    ) -> Iterator[AcledPage]:
        number = 1
        previous_ids: list[str] | None = None
        while True:
            params: dict[str, str | int] = {
                **filters,
                "_format": "json",
                "limit": self.page_size,
                "page": number,
            }
            if number == 1:
                params["with_total"] = "true"
            body, response = self._get(path, params)
            records = body["data"]
            for position, record in enumerate(records):
                if not isinstance(record, Mapping):
                    raise self.http.error(
                        f"record {position} of page {number} is not an object; ACLED may have "
                        "changed its response",
                        reason="response",
                        response=response,
                    )
                missing = [name for name in required if name not in record]
                if missing:
                    raise self.http.error(
                        f"record {position} of page {number} "
                        f"({record.get(id_field, 'no id')}) lacks {missing}; ACLED may have "
                        "changed its fields",
                        reason="response",
                        response=response,
                    )
            ids = [str(record[id_field]) for record in records]
            if previous_ids is not None and ids and ids == previous_ids:
                raise self.http.error(
                    f"page {number} repeats page {number - 1}; the service seems to ignore the "
                    "page parameter",
                    reason="response",
                    response=response,
                )
            total = int_or_none(body.get("total_count")) if number == 1 else None
            yield AcledPage(number, [dict(record) for record in records], total)
            if len(records) < self.page_size:
                return
            previous_ids = ids
            number += 1

    def pages(self, filters: Mapping[str, str]) -> Iterator[AcledPage]:
        """The events matching ACLED's ``filters`` (see :func:`acled_filters`), page by page.

        Every record is checked for :data:`ACLED_REQUIRED_FIELDS`. Paging stops at the first
        page shorter than ``page_size``.
        """
        return self._pages(_READ_PATH, filters, ACLED_REQUIRED_FIELDS, "event_id_cnty")

    def read(self, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        """All events matching ``filters``, as the API sends them (one dict per event)."""
        return [record for page in self.pages(filters) for record in page.records]

    def deleted(self, since: int) -> list[dict[str, Any]]:
        """Events deleted at or after ``since`` (unix seconds), every country.

        Returns
        -------
        list of dict
            ``event_id_cnty`` and ``deleted_timestamp`` (unix seconds) of each deletion.
        """
        filters = {"deleted_timestamp": str(int(since)), "deleted_timestamp_where": ">="}
        out = []
        for page in self._pages(
            _DELETED_PATH, filters, ("event_id_cnty", "deleted_timestamp"), "event_id_cnty"
        ):
            for record in page.records:
                stamp = int_or_none(record["deleted_timestamp"])
                if stamp is None:
                    raise self.http.error(
                        f"deletion of {record['event_id_cnty']} has no usable deleted_timestamp "
                        f"({record['deleted_timestamp']!r})",
                        reason="response",
                        url=httpx.URL(self.base_url + _DELETED_PATH),
                    )
                out.append(
                    {"event_id_cnty": str(record["event_id_cnty"]), "deleted_timestamp": stamp}
                )
        return out


class _RefreshRefused(Exception):
    pass
