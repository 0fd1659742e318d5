"""Local stand-ins for ACLED's and UCDP's APIs, serving SYNTHETIC events on 127.0.0.1.

They implement the behaviour documented in the clients' module docstrings: the OAuth password
and refresh grants with tokens that expire on a shared fake clock, ``/api/acled/read`` with its
filters (``country`` joined with ``|``, ``event_date``/``timestamp`` with ``_where``), paging by
``limit``/``page`` and ``with_total``, ``/api/deleted/read``; UCDP's ``/api/gedevents/<version>``
with the ``x-ucdp-access-token`` header, ``Country``/``StartDate`` filters and ``NextPageUrl``
paging (announcing the real host, as a mirror might). Failures can be scripted: a status (429,
503, ...) for the next requests to a path, an account whose access level refuses the data, a
response whose shape changed.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pandas as pd

from analysis.testing import synthetic_acled_events, synthetic_ucdp_events

USERNAME = "researcher@example.org"
PASSWORD = "pw-SYNTHETIC-7f3a9c"
UCDP_TOKEN = "ucdp-token-SYNTHETIC-51e0d2"
#: the fake clock starts here: 2025-02-01 00:00 UTC
START_TIME = 1_738_368_000.0


@dataclass
class Clock:
    """A clock both the fake services and the clients read; tests move it."""

    now: float = START_TIME
    step_per_read: float = 0.0  # seconds added by each data request (tokens expire mid-pull)

    def __call__(self) -> float:
        return self.now


@dataclass
class Scripted:
    """Answers forced on the next requests whose path starts with ``prefix``."""

    prefix: str
    statuses: list[int]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


def acled_records(n_events: int = 60, seed: int = 3) -> list[dict[str, str]]:
    """SYNTHETIC ACLED events (Mali, 2019-2024) as the API sends them (text values)."""
    frame = synthetic_acled_events(n_events, seed=seed)
    return frame.to_dict(orient="records")


def ucdp_records(
    n_events: int, *, seed: int, start: str, end: str, first_id: int | None = None
) -> list[dict[str, Any]]:
    """SYNTHETIC GED events as the API sends them (numbers as numbers, ISO date-times)."""
    frame = synthetic_ucdp_events(n_events, seed=seed, start=start, end=end)
    if first_id is not None:
        frame["id"] = first_id + frame.reset_index().index
    for column in ("date_start", "date_end"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%dT00:00:00.000")
    records = json.loads(frame.to_json(orient="records"))
    return records


class FakeAcled:
    """ACLED's API: accounts, tokens, events and deletions (see the module docstring)."""

    def __init__(self, events: list[dict[str, str]], clock: Clock, *, lifetime: float = 86_400):
        self.events = {e["event_id_cnty"]: dict(e) for e in events}
        self.deletions: list[dict[str, Any]] = []
        self.clock = clock
        self.lifetime = lifetime
        self.access: dict[str, float] = {}  # access token -> expiry
        self.refresh: dict[str, float] = {}
        self.access_refused = False
        self.empty_for_restricted = False
        self.reject_refresh = False
        self.log: list[dict[str, Any]] = []
        self.shape: Callable[[dict[str, Any]], Any] | None = None
        self.on_read: Callable[[dict[str, list[str]]], None] | None = None

    # -- changes made by ACLED between pulls -----------------------------------------------------
    def change(self, event_id: str, **fields: str) -> None:
        self.events[event_id] = {
            **self.events[event_id],
            **fields,
            "timestamp": str(int(self.clock.now)),
        }

    def add(self, event: dict[str, str]) -> None:
        self.events[event["event_id_cnty"]] = {**event, "timestamp": str(int(self.clock.now))}

    def delete(self, event_id: str) -> None:
        del self.events[event_id]
        self.deletions.append(
            {"event_id_cnty": event_id, "deleted_timestamp": str(int(self.clock.now))}
        )

    # -- endpoints --------------------------------------------------------------------------------
    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type")
        self.log.append({"path": "/oauth/token", "grant_type": grant, "form": dict(form)})
        if form.get("client_id") != "acled":
            return 400, {"error": "invalid_client"}
        if grant == "password":
            if form.get("username") != USERNAME or form.get("password") != PASSWORD:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": f"Invalid credentials for {form.get('username')}",
                }
        elif grant == "refresh_token":
            expiry = self.refresh.pop(form.get("refresh_token", ""), None)
            if self.reject_refresh or expiry is None or expiry <= self.clock.now:
                return 400, {"error": "invalid_grant", "error_description": "refresh expired"}
        else:
            return 400, {"error": "unsupported_grant_type"}
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.access[access] = self.clock.now + self.lifetime
        self.refresh[refresh] = self.clock.now + 14 * 86_400
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "access_token": access,
            "refresh_token": refresh,
        }

    def _authorised(self, headers: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        value = headers.get("authorization", "")
        token = value[7:] if value.startswith("Bearer ") else ""
        expiry = self.access.get(token)
        if expiry is None or expiry <= self.clock.now:
            return 401, {"error": "invalid_token", "message": "The token is expired or invalid"}
        if self.access_refused:
            return 403, {
                "status": 403,
                "success": False,
                "error": {"message": "Unauthorised access type"},
            }
        return None

    def read(self, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        refused = self._authorised(headers)
        self.log.append({"path": "/api/acled/read", "query": query, "refused": bool(refused)})
        if refused:
            return refused
        self.clock.now += self.clock.step_per_read
        if self.on_read is not None:
            self.on_read(query)
        rows = list(self.events.values())
        if "country" in query:
            wanted = set(query["country"][0].split("|"))
            rows = [r for r in rows if r["country"] in wanted]
        if "event_date" in query:
            rows = _where(rows, "event_date", query, str)
        if "timestamp" in query:
            rows = _where(rows, "timestamp", query, int)
        if self.empty_for_restricted:
            rows = []
        rows.sort(key=lambda r: r["event_id_cnty"])
        rows.sort(key=lambda r: r["event_date"], reverse=True)
        body = _paged(rows, query)
        if self.shape is not None:
            return 200, self.shape(body)
        return 200, body

    def deleted(self, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        refused = self._authorised(headers)
        self.log.append({"path": "/api/deleted/read", "query": query, "refused": bool(refused)})
        if refused:
            return refused
        rows = _where(list(self.deletions), "deleted_timestamp", query, int)
        return 200, _paged(rows, query)


def _where(rows: list[dict], name: str, query: dict[str, list[str]], kind: type) -> list[dict]:
    value = query[name][0]
    op = query.get(f"{name}_where", ["="])[0]
    if op == "BETWEEN":
        low, high = (kind(v) for v in value.split("|"))
        return [r for r in rows if low <= kind(r[name]) <= high]
    target = kind(value)
    tests = {
        "=": lambda x: x == target,
        ">=": lambda x: x >= target,
        "<=": lambda x: x <= target,
        ">": lambda x: x > target,
        "<": lambda x: x < target,
    }
    return [r for r in rows if tests[op](kind(r[name]))]


def _paged(rows: list[dict], query: dict[str, list[str]]) -> dict[str, Any]:
    limit = int(query.get("limit", ["5000"])[0])
    page = int(query.get("page", ["1"])[0])
    chunk = rows[(page - 1) * limit : page * limit]
    body: dict[str, Any] = {"status": 200, "success": True, "count": len(chunk), "data": chunk}
    if query.get("with_total") == ["true"]:
        body["total_count"] = len(rows)
    return body


class FakeUcdp:
    """UCDP's GED API: versions of events, the token header, ``NextPageUrl`` paging."""

    def __init__(self, versions: dict[str, list[dict[str, Any]]], *, announce: str):
        self.versions = versions
        self.announce = announce  # the host written into NextPageUrl
        self.token = UCDP_TOKEN
        self.log: list[dict[str, Any]] = []
        self.shape: Callable[[dict[str, Any]], Any] | None = None

    def events(
        self, version: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, Any]:
        self.log.append({"version": version, "query": query})
        if headers.get("x-ucdp-access-token") != self.token:
            return 401, {"message": "A valid access token is required"}
        if version not in self.versions:
            return 404, {"message": f"no version {version}"}
        rows = self.versions[version]
        if "Country" in query:
            rows = [r for r in rows if str(r["country_id"]) == query["Country"][0]]
        if "StartDate" in query:
            rows = [r for r in rows if r["date_start"][:10] >= query["StartDate"][0]]
        size = int(query.get("pagesize", ["100"])[0])
        page = int(query.get("page", ["0"])[0])
        chunk = rows[page * size : (page + 1) * size]
        pages = max(1, -(-len(rows) // size))

        def link(number: int) -> str:
            params = {k: v[0] for k, v in query.items() if k != "page"} | {"page": number}
            return f"{self.announce}/api/gedevents/{version}?{urlencode(params)}"

        body = {
            "TotalCount": len(rows),
            "TotalPages": pages,
            "PreviousPageUrl": link(page - 1) if page > 0 else "",
            "NextPageUrl": link(page + 1) if page + 1 < pages else "",
            "Result": chunk,
        }
        if self.shape is not None:
            return 200, self.shape(body)
        return 200, body


class FakeServer:
    """Both fakes behind one threaded HTTP server on 127.0.0.1 (a free port)."""

    def __init__(self, acled: FakeAcled | None = None, ucdp: FakeUcdp | None = None) -> None:
        self.acled = acled
        self.ucdp = ucdp
        self.scripted: list[Scripted] = []
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                owner._handle(self, "GET")

            def do_POST(self) -> None:
                owner._handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail(self, prefix: str, *statuses: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next requests under ``prefix`` with these statuses, one each."""
        self.scripted.append(Scripted(prefix, list(statuses), headers or {}))

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        with self.lock:
            parts = urlsplit(handler.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            headers = {k.lower(): v for k, v in handler.headers.items()}
            length = int(headers.get("content-length") or 0)
            raw = handler.rfile.read(length) if length else b""
            self.requests.append((method, handler.path))
            for script in self.scripted:
                if parts.path.startswith(script.prefix) and script.statuses:
                    status = script.statuses.pop(0)
                    self._send(handler, status, {"message": "scripted"}, script.headers)
                    return
            status, body = self._route(method, parts.path, query, headers, raw)
            self._send(handler, status, body)

    def _route(
        self, method: str, path: str, query: dict, headers: dict, raw: bytes
    ) -> tuple[int, Any]:
        if self.acled is not None:
            if method == "POST" and path == "/oauth/token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                return self.acled.token(form)
            if method == "GET" and path == "/api/acled/read":
                return self.acled.read(query, headers)
            if method == "GET" and path == "/api/deleted/read":
                return self.acled.deleted(query, headers)
        if self.ucdp is not None and method == "GET" and path.startswith("/api/gedevents/"):
            return self.ucdp.events(path.rsplit("/", 1)[1], query, headers)
        return 404, {"message": "not found"}

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        if isinstance(body, bytes):
            data, kind = body, "text/html"
        else:
            data, kind = json.dumps(body).encode(), "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)


def today() -> dt.date:
    return pd.Timestamp(START_TIME, unit="s").date()
