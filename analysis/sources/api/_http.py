"""What both API clients share: the base URL check, retries with backoff, and safe error text.

Requests go through ``httpx``; retries through ``tenacity``. A request is retried when the
service answers 429 (too many requests) or 500/502/503/504, or does not answer at all; the wait
doubles from :attr:`RetryPolicy.first_wait` up to :attr:`RetryPolicy.max_wait`, and a
``Retry-After`` header is honoured when it asks for longer (but a wait longer than ``max_wait``
is not made: the error says how long the service asked to wait). Any other status is handed
back to the client, which knows what it means for its service.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import tenacity

from analysis import __version__
from analysis.errors import ServiceError
from analysis.sources.api.credentials import Secret

__all__ = ["RetryPolicy", "check_base_url", "Http", "ServiceClient", "int_or_none", "shown_url"]

log = logging.getLogger("analysis.sources.api")

_RETRY_STATUS = {429: "quota", 500: "server", 502: "server", 503: "server", 504: "server"}
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a request the service could not serve.

    Parameters
    ----------
    attempts
        Requests made in all (the first one included) before giving up.
    first_wait, max_wait
        Seconds before the first retry, doubling each time up to ``max_wait``.
    timeout
        Seconds to wait for an answer to one request.
    """

    attempts: int = 6
    first_wait: float = 2.0
    max_wait: float = 120.0
    timeout: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.first_wait < 0 or self.max_wait < self.first_wait:
            raise ValueError("expected 0 <= first_wait <= max_wait")


def check_base_url(url: str, *, service: str) -> str:
    """``scheme://host[:port]`` of a base URL, checked.

    A base URL replaces the scheme and host of the service only (no path, query or user
    name). Plain ``http`` is accepted only for the loopback address: a password or token sent
    anywhere else travels encrypted.
    """
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ServiceError(
            f"the base URL {url!r} is not a URL ({exc})", service=service, reason="config"
        ) from None
    host = parsed.host
    if parsed.scheme not in ("http", "https") or not host:
        raise ServiceError(
            f"the base URL {url!r} needs a scheme and a host, e.g. https://mirror.example.org",
            service=service,
            reason="config",
        )
    if parsed.userinfo:
        raise ServiceError(
            "the base URL must not hold a user name or password; credentials come from the "
            "environment or the settings file",
            service=service,
            reason="config",
        )
    if parsed.path not in ("", "/") or parsed.query or parsed.fragment:
        raise ServiceError(
            f"the base URL {url!r} replaces the scheme and host only; give no path or query",
            service=service,
            reason="config",
        )
    if parsed.scheme == "http" and host not in _LOOPBACK:
        raise ServiceError(
            f"the base URL {url!r} uses plain http; credentials are sent only over https "
            "(or to the loopback address)",
            service=service,
            reason="config",
        )
    port = f":{parsed.port}" if parsed.port else ""
    shown_host = f"[{host}]" if ":" in host else host
    return f"{parsed.scheme}://{shown_host}{port}"


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None, url: str, retry_after: float | None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.url = url
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def shown_url(url: httpx.URL | str) -> str:
    """An address as quoted in messages: scheme, host, path and query (no user name)."""
    parsed = httpx.URL(str(url))
    return str(parsed.copy_with(username=None, password=None, fragment=None))


class Http:
    """One service's HTTP session: base URL, retries, and the secrets to keep out of messages.

    Parameters
    ----------
    service
        ``"ACLED"`` or ``"UCDP"`` (named in every error).
    base_url
        Checked with :func:`check_base_url`.
    retry
        The :class:`RetryPolicy`.
    secrets
        Returns the credentials in use (scrubbed from any text quoted from the service).
    sleep
        Called with the seconds to wait between attempts (``time.sleep``; tests pass a recorder).
    """

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        retry: RetryPolicy,
        secrets: Callable[[], Iterable[Secret | str | None]],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.base_url = check_base_url(base_url, service=service)
        self.retry = retry
        self._secrets = secrets
        self._sleep = sleep
        self.client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(retry.timeout, connect=min(30.0, retry.timeout)),
            headers={"User-Agent": f"tallies/{__version__} (+httpx)"},
            follow_redirects=False,
        )
        self.requests_made = 0

    def close(self) -> None:
        self.client.close()

    # -- text quoted from the service, cleaned -------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` with every credential in use replaced by ``***``."""
        for secret in self._secrets():
            value = secret.reveal() if isinstance(secret, Secret) else secret
            if value and len(value) >= 3:
                text = text.replace(value, "***")
        return text

    def message_of(self, response: httpx.Response) -> str:
        """What the service said about an error, in at most 300 characters, scrubbed."""
        said = ""
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        if isinstance(body, Mapping):
            parts = []
            for key in ("error", "error_description", "message", "messages", "hint"):
                value = body.get(key)
                if value in (None, "", [], {}):
                    continue
                parts.append(value if isinstance(value, str) else json.dumps(value))
            said = "; ".join(parts)
        elif body is None:
            said = re.sub(r"<[^>]*>", " ", response.text or "")
        said = re.sub(r"\s+", " ", said).strip()
        if len(said) > 300:
            said = said[:297] + "..."
        return self.scrub(said)

    def error(
        self,
        message: str,
        *,
        reason: str,
        response: httpx.Response | None = None,
        url: httpx.URL | str | None = None,
    ) -> ServiceError:
        """A :class:`ServiceError` of this service (message scrubbed of credentials)."""
        if response is not None and url is None:
            url = response.request.url
        return ServiceError(
            self.scrub(message),
            service=self.service,
            reason=reason,
            status=None if response is None else response.status_code,
            url=None if url is None else self.scrub(shown_url(url)),
        )

    def json_of(self, response: httpx.Response, what: str) -> Any:
        """The JSON body of an answer, or a ``"response"`` error naming what was expected."""
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            kind = response.headers.get("Content-Type", "no content type")
            return self._raise(
                self.error(
                    f"expected JSON ({what}) but got {kind!r}; the API may have changed or a "
                    "page in between (a proxy, a maintenance notice) answered",
                    reason="response",
                    response=response,
                )
            )

    @staticmethod
    def _raise(error: ServiceError) -> Any:
        raise error

    # -- requests ------------------------------------------------------------------------------
    def send(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Mapping[str, str | int] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request, retried on 429, 5xx and network failures; any other answer back.

        Raises
        ------
        analysis.errors.ServiceError
            ``reason`` ``"quota"``, ``"server"`` or ``"network"`` once the attempts are spent
            (or the service asks to wait longer than ``max_wait``).
        """
        policy = self.retry

        def wait(state: tenacity.RetryCallState) -> float:
            backoff = min(policy.max_wait, policy.first_wait * 2 ** (state.attempt_number - 1))
            failure = state.outcome.exception() if state.outcome else None
            asked = getattr(failure, "retry_after", None)
            return max(backoff, asked or 0.0)

        def retryable(failure: BaseException) -> bool:
            if not isinstance(failure, _Retryable):
                return False
            return failure.retry_after is None or failure.retry_after <= policy.max_wait

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.attempts),
            wait=wait,
            retry=tenacity.retry_if_exception(retryable),
            sleep=self._sleep,
            reraise=True,
            before_sleep=lambda state: log.info(
                "%s: %s, retrying (attempt %d of %d)",
                self.service,
                state.outcome.exception() if state.outcome else "failure",
                state.attempt_number + 1,
                policy.attempts,
            ),
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, url, params=params, data=data, headers=headers)
        except _Retryable as failure:
            raise self._spent(failure) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Mapping[str, str | int] | None,
        data: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        self.requests_made += 1
        request = self.client.build_request(method, url, params=params, data=data, headers=headers)
        try:
            response = self.client.send(request)
        except httpx.TransportError as exc:
            log.info("%s: %s %s failed: %s", self.service, method, request.url, type(exc).__name__)
            raise _Retryable("network", None, shown_url(request.url), None) from None
        log.debug("%s: %s %s -> %d", self.service, method, request.url, response.status_code)
        reason = _RETRY_STATUS.get(response.status_code)
        if reason is not None:
            raise _Retryable(
                reason, response.status_code, shown_url(request.url), _retry_after(response)
            )
        if 300 <= response.status_code < 400:
            target = response.headers.get("Location", "elsewhere")
            raise self.error(
                f"the service answered with a redirection to {target}; if the service moved, "
                "pass its address as --base-url",
                reason="response",
                response=response,
            )
        return response

    def _spent(self, failure: _Retryable) -> ServiceError:
        attempts = self.retry.attempts
        if failure.retry_after is not None and failure.retry_after > self.retry.max_wait:
            tried = f"it asked to wait {failure.retry_after:.0f} s before the next request"
        else:
            tried = f"after {attempts} attempt{'s' if attempts > 1 else ''} with backoff"
        what = {
            "quota": "refused more requests (too many requests, the account's quota)",
            "server": "failed with a server error",
            "network": "did not answer",
        }[failure.reason]
        resume = "; run the command again later: a pull resumes where it stopped"
        return ServiceError(
            f"the service {what}, {tried}{resume}",
            service=self.service,
            reason=failure.reason,
            status=failure.status,
            url=self.scrub(failure.url),
        )


def int_or_none(value: object) -> int | None:
    """A whole number sent as a number or as text (``"1719000000"``, ``1719000000.0``), else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


class ServiceClient:
    """What every API client shares: its :class:`Http` session (``self.http``), the base URL it
    talks to, and closing the session, also as a context manager."""

    http: Http

    @property
    def base_url(self) -> str:
        return self.http.base_url

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
