"""A client for UCDP's GED API.

``GET /api/gedevents/<version>?pagesize=<n>&Country=<code>`` on ``https://ucdpapi.pcr.uu.se``,
with the token in the ``x-ucdp-access-token`` header (5,000 requests a day, errors included;
pages of up to 1,000 events). The first page is asked without a page number and
``NextPageUrl`` is followed until it is empty (client code disagrees on whether pages count from
0 or 1). Each answer holds ``TotalCount``, ``TotalPages``, ``PreviousPageUrl``, ``NextPageUrl``
and ``Result`` (the events).

Versions: the yearly final releases ``YY.1`` (``25.1`` covers events up to the end of 2024) and
the monthly candidate releases ``YY.0.M`` (``25.0.11``) covering months after the last final
release. Every version is fixed: the same address always returns the same data.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from analysis.sources.api._http import Http, RetryPolicy, ServiceClient, int_or_none
from analysis.sources.api.credentials import Secret

__all__ = [
    "UCDP_BASE_URL",
    "UCDP_REQUIRED_FIELDS",
    "GW_CODES",
    "UcdpClient",
    "UcdpPage",
    "check_version",
    "gw_code",
]

UCDP_BASE_URL = "https://ucdpapi.pcr.uu.se"
UCDP_REQUIRED_FIELDS = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "best",
    "date_start",
    "date_end",
    "country_id",
)
#: Gleditsch-Ward codes of Mali and its region (the codes of ``analysis.sources.ucdp.GW_TO_ISO3``)
GW_CODES: dict[str, int] = {
    "Mali": 432,
    "Senegal": 433,
    "Benin": 434,
    "Mauritania": 435,
    "Niger": 436,
    "Ivory Coast": 437,
    "Cote d'Ivoire": 437,
    "Guinea": 438,
    "Burkina Faso": 439,
    "Ghana": 452,
    "Togo": 461,
    "Nigeria": 475,
    "Chad": 483,
    "Morocco": 600,
    "Algeria": 615,
    "Libya": 620,
}
_FINAL = re.compile(r"^(\d{2})\.1$")
_CANDIDATE = re.compile(r"^(\d{2})\.0\.([1-9]|1[0-2])$")


def check_version(version: str, *, kind: str = "any") -> str:
    """A GED version, checked: ``YY.1`` (final) or ``YY.0.M`` (candidate, month 1-12).

    ``kind`` is ``"final"``, ``"candidate"`` or ``"any"``.
    """
    if kind not in ("final", "candidate", "any"):
        raise ValueError(f"kind must be 'final', 'candidate' or 'any', not {kind!r}")
    text = str(version).strip()
    final, candidate = _FINAL.match(text), _CANDIDATE.match(text)
    ok = {"final": final, "candidate": candidate, "any": final or candidate}[kind]
    if not ok:
        expected = {
            "final": "a yearly release such as 25.1",
            "candidate": "a monthly candidate release such as 25.0.11",
            "any": "25.1 (yearly) or 25.0.11 (monthly candidate)",
        }[kind]
        raise ValueError(f"unknown UCDP GED version {version!r}; expected {expected}")
    return text


def gw_code(country: str) -> int:
    """The Gleditsch-Ward code UCDP filters on: a country name of :data:`GW_CODES` or a number."""
    text = str(country).strip()
    if text.isdigit():
        return int(text)
    for name, code in GW_CODES.items():
        if name.lower() == text.lower():
            return code
    raise ValueError(
        f"no Gleditsch-Ward code known for {country!r}; give the number UCDP uses "
        f"(Mali is 432) or one of {sorted(GW_CODES)}"
    )


@dataclass(frozen=True)
class UcdpPage:
    """One page: its address, its events, the next address (``None`` on the last page) and the
    total the service announced."""

    url: str
    records: list[dict[str, Any]]
    next_url: str | None
    total_count: int | None


class UcdpClient(ServiceClient):
    """UCDP's GED API, page by page.

    Parameters
    ----------
    token
        The access token (:func:`analysis.sources.api.credentials.ucdp_token`).
    base_url
        Scheme and host of the service (a mirror or a test server may stand in).
    page_size
        Events per page (at most 1,000).
    retry, sleep
        As for :class:`analysis.sources.api.acled_api.AcledClient`.

    Examples
    --------
    >>> from analysis.sources.api.credentials import ucdp_token  # doctest: +SKIP
    >>> with UcdpClient(ucdp_token()) as ucdp:  # doctest: +SKIP
    ...     events = ucdp.read("25.1", country=432)
    """

    def __init__(
        self,
        token: Secret,
        *,
        base_url: str = UCDP_BASE_URL,
        page_size: int = 1000,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 1 <= page_size <= 1000:
            raise ValueError("page_size must be between 1 and 1000")
        self._token = token
        self.page_size = page_size
        self.http = Http(
            service="UCDP",
            base_url=base_url,
            retry=retry or RetryPolicy(),
            secrets=lambda: (token,),
            sleep=sleep,
        )

    def first_url(self, version: str, filters: Mapping[str, str | int]) -> str:
        """The address of a query's first page (no page number)."""
        version = check_version(version)
        url = httpx.URL(self.base_url + f"/api/gedevents/{version}").copy_merge_params(
            {"pagesize": self.page_size, **{k: str(v) for k, v in filters.items()}}
        )
        return str(url)

    def _follow(self, next_url: str, version: str, response: httpx.Response) -> str:
        """The next page's address on *this* base URL (a mirror may announce the real host)."""
        parsed = httpx.URL(next_url)
        expected = f"/api/gedevents/{version}"
        if parsed.path.rstrip("/") != expected:
            raise self.http.error(
                f"NextPageUrl points to {parsed.path!r}, not {expected!r}; the API may have "
                "changed its paging",
                reason="response",
                response=response,
            )
        query = parsed.query.decode("ascii") if parsed.query else ""
        return self.base_url + expected + (f"?{query}" if query else "")

    def pages(
        self,
        version: str,
        *,
        filters: Mapping[str, str | int] | None = None,
        start_url: str | None = None,
    ) -> Iterator[UcdpPage]:
        """Pages of a version's events, following ``NextPageUrl`` until it is empty.

        Parameters
        ----------
        version
            ``YY.1`` or ``YY.0.M`` (checked).
        filters
            UCDP's filters, e.g. ``{"Country": 432}``.
        start_url
            Resume at this page (a ``next_url`` given earlier) instead of the first.
        """
        version = check_version(version)
        url = start_url or self.first_url(version, filters or {})
        seen: set[str] = set()
        while url:
            if url in seen:
                raise self.http.error(
                    "NextPageUrl leads back to a page already read", reason="response", url=url
                )
            seen.add(url)
            response = self.http.send(
                "GET", url, headers={"x-ucdp-access-token": self._token.reveal()}
            )
            body = self._check(response, version)
            next_url = body.get("NextPageUrl") or None
            followed = self._follow(next_url, version, response) if next_url else None
            yield UcdpPage(
                url=url,
                records=[dict(record) for record in body["Result"]],
                next_url=followed,
                total_count=int_or_none(body.get("TotalCount")),
            )
            url = followed

    def read(self, version: str, *, country: int | None = None, **filters: str | int) -> list[dict]:
        """Every event of a version (optionally of one country, by Gleditsch-Ward code)."""
        if country is not None:
            filters["Country"] = country
        return [r for page in self.pages(version, filters=filters) for r in page.records]

    def _check(self, response: httpx.Response, version: str) -> Mapping[str, Any]:
        status = response.status_code
        if status in (401, 403):
            said = self.http.message_of(response)
            raise self.http.error(
                "UCDP refused the access token"
                + (f" ({said})" if said else "")
                + "; check UCDP_TOKEN (tokens are issued by UCDP's API maintainer)",
                reason="credentials",
                response=response,
            )
        if status == 404:
            raise self.http.error(
                f"UCDP has no GED version {version!r} (or the API moved); yearly versions look "
                "like 25.1, monthly candidates like 25.0.11",
                reason="request",
                response=response,
            )
        if status != 200:
            said = self.http.message_of(response)
            raise self.http.error(
                f"UCDP rejected the request ({said or 'no reason given'})",
                reason="request" if 400 <= status < 500 else "response",
                response=response,
            )
        body = self.http.json_of(response, "an object with Result and NextPageUrl")
        if not isinstance(body, Mapping) or not isinstance(body.get("Result"), list):
            shape = type(body).__name__ if not isinstance(body, Mapping) else sorted(body)[:8]
            raise self.http.error(
                f"expected an object with a Result array, got {shape}; UCDP may have changed "
                "its response",
                reason="response",
                response=response,
            )
        if "NextPageUrl" not in body:
            raise self.http.error(
                "the answer has no NextPageUrl; UCDP may have changed its paging",
                reason="response",
                response=response,
            )
        for position, record in enumerate(body["Result"]):
            if not isinstance(record, Mapping):
                raise self.http.error(
                    f"event {position} of the page is not an object",
                    reason="response",
                    response=response,
                )
            missing = [name for name in UCDP_REQUIRED_FIELDS if name not in record]
            if missing:
                raise self.http.error(
                    f"event {position} of the page ({record.get('id', 'no id')}) lacks "
                    f"{missing}; UCDP may have changed its fields",
                    reason="response",
                    response=response,
                )
        return body
