"""ACLED's client against the local fake service: grants, token refresh, paging, deletions,
the errors a user must be able to tell apart, retries with backoff, changed response shapes."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from analysis.errors import ServiceError
from analysis.sources.api._http import RetryPolicy, check_base_url
from analysis.sources.api.acled_api import AcledClient, acled_filters
from analysis.sources.api.credentials import AcledCredentials, Secret
from tests.api.conftest import FAST
from tests.api.fake_services import PASSWORD, USERNAME


def _client(server, account, clock, sleeps, **options) -> AcledClient:
    options.setdefault("retry", FAST)
    return AcledClient(account, base_url=server.url, clock=clock, sleep=sleeps.append, **options)


def _no_secret(text: str, *extra: str) -> None:
    for secret in (USERNAME, PASSWORD, *extra):
        assert secret not in text


def test_password_grant_then_every_page_once(server, acled, account, clock, sleeps) -> None:
    with _client(server, account, clock, sleeps, page_size=7) as client:
        pages = list(client.pages(acled_filters(country=["Mali", "Niger"])))
    token_calls = [e for e in acled.log if e["path"] == "/oauth/token"]
    assert [e["form"] for e in token_calls] == [
        {"username": USERNAME, "password": PASSWORD, "grant_type": "password", "client_id": "acled"}
    ]
    reads = [e["query"] for e in acled.log if e["path"] == "/api/acled/read"]
    assert reads[0]["country"] == ["Mali|Niger"]  # several values joined with "|"
    assert reads[0]["with_total"] == ["true"] and reads[0]["_format"] == ["json"]
    assert [q["page"] for q in reads] == [[str(n)] for n in range(1, 10)]  # 60 rows / 7
    assert pages[0].total == 60
    ids = [r["event_id_cnty"] for p in pages for r in p.records]
    assert len(ids) == len(set(ids)) == 60
    assert set(ids) == set(acled.events)


def test_date_and_timestamp_filters_are_acleds() -> None:
    filters = acled_filters(
        country=["Mali"], start=dt.date(2022, 1, 1), end=dt.date(2022, 6, 30), since=1_700_000_000
    )
    assert filters == {
        "country": "Mali",
        "event_date": "2022-01-01|2022-06-30",
        "event_date_where": "BETWEEN",
        "timestamp": "1700000000",
        "timestamp_where": ">=",
    }
    assert acled_filters(country=["Mali"], start=dt.date(2024, 1, 1))["event_date_where"] == ">="
    with pytest.raises(ValueError, match="before the start"):
        acled_filters(country=["Mali"], start=dt.date(2022, 2, 1), end=dt.date(2022, 1, 1))


def test_filtered_read_returns_only_matching_events(server, acled, account, clock, sleeps) -> None:
    with _client(server, account, clock, sleeps) as client:
        events = client.read(
            acled_filters(country=["Mali"], start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31))
        )
    expected = {k for k, e in acled.events.items() if e["event_date"].startswith("2022")}
    assert expected and {e["event_id_cnty"] for e in events} == expected


def test_token_refreshed_before_it_expires(server, acled, account, clock, sleeps) -> None:
    acled.lifetime = 1000.0
    clock.step_per_read = 400.0  # each page moves the clock: the token runs out mid-pull
    with _client(server, account, clock, sleeps, page_size=10, refresh_margin=300.0) as client:
        events = client.read(acled_filters(country=["Mali"]))
        issued = dict(client.tokens_issued)
    assert len(events) == 60
    assert issued["password"] == 1 and issued["refresh_token"] >= 2
    assert not any(e.get("refused") for e in acled.log)  # never sent an expired token


def test_refused_refresh_falls_back_to_the_password(server, acled, account, clock, sleeps) -> None:
    acled.lifetime = 1000.0
    acled.reject_refresh = True
    clock.step_per_read = 800.0
    with _client(server, account, clock, sleeps, page_size=20) as client:
        assert len(client.read(acled_filters(country=["Mali"]))) == 60
        assert client.tokens_issued["password"] >= 2


def test_token_revoked_early_gets_one_new_token(server, acled, account, clock, sleeps) -> None:
    with _client(server, account, clock, sleeps, page_size=20) as client:
        client.read(acled_filters(country=["Mali"]))
        acled.access.clear()  # the service forgets the token before its expiry
        assert len(client.read(acled_filters(country=["Mali"]))) == 60
        assert client.tokens_issued == {"password": 1, "refresh_token": 1}
    assert [e["refused"] for e in acled.log if "refused" in e].count(True) == 1


def test_bad_credentials_named_without_the_credentials(server, clock, sleeps, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = AcledCredentials(Secret(USERNAME), Secret("not-the-password"))
    with _client(server, wrong, clock, sleeps) as client, pytest.raises(ServiceError) as info:
        client.read(acled_filters(country=["Mali"]))
    error = info.value
    assert error.reason == "credentials" and error.status == 400
    assert "e-mail and password" in str(error) and "ACLED_PASSWORD" in str(error)
    _no_secret(str(error), "not-the-password")  # the service echoed the user name: scrubbed
    assert "***" in str(error)
    _no_secret(caplog.text, "not-the-password")


def test_token_issued_but_data_refused_is_an_access_error(
    server, acled, account, clock, sleeps
) -> None:
    acled.access_refused = True
    with _client(server, account, clock, sleeps) as client, pytest.raises(ServiceError) as info:
        client.read(acled_filters(country=["Mali"]))
    assert info.value.reason == "access" and info.value.status == 403
    assert "issued a token" in str(info.value) and "access level" in str(info.value)
    assert "Unauthorised access type" in str(info.value)
    assert client.tokens_issued["password"] == 1
    _no_secret(str(info.value))


def test_429_then_success_waits_as_asked(server, acled, account, clock, sleeps) -> None:
    server.fail("/api/acled/read", 429, headers={"Retry-After": "7"})
    server.fail("/api/acled/read", 503)
    with _client(server, account, clock, sleeps) as client:
        assert len(client.read(acled_filters(country=["Mali"]))) == 60
    # first retry waits what Retry-After asked (7 s > the 1 s backoff), the second backs off
    assert sleeps == [7.0, 2.0]


def test_server_errors_retried_with_backoff_then_reported(
    server, acled, account, clock, sleeps
) -> None:
    server.fail("/api/acled/read", 500, 502, 503, 504)
    with _client(server, account, clock, sleeps) as client, pytest.raises(ServiceError) as info:
        client.read(acled_filters(country=["Mali"]))
    assert info.value.reason == "server" and info.value.status == 504
    assert sleeps == [1.0, 2.0, 4.0]  # FAST: 4 attempts, doubling from 1 s
    assert "4 attempts" in str(info.value) and "resumes" in str(info.value)


def test_quota_with_a_long_retry_after_stops_at_once(server, account, clock, sleeps) -> None:
    server.fail("/oauth/token", 429, headers={"Retry-After": "86400"})
    with _client(server, account, clock, sleeps) as client, pytest.raises(ServiceError) as info:
        client.read(acled_filters(country=["Mali"]))
    assert info.value.reason == "quota" and sleeps == []
    assert "86400 s" in str(info.value)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (lambda body: {**body, "data": {"rows": body["data"]}}, 'a "data" array'),
        (lambda body: body["data"], 'a "data" array'),
        (
            lambda body: {
                **body,
                "data": [{k: v for k, v in r.items() if k != "timestamp"} for r in body["data"]],
            },
            "lacks ['timestamp']",
        ),
        (lambda body: {**body, "data": ["MLI1", "MLI2"]}, "not an object"),
        (lambda body: b"<html><body>Down for maintenance</body></html>", "expected JSON"),
        (lambda body: {"status": 500, "success": False, "error": "Query failed"}, "Query failed"),
    ],
)
def test_changed_response_shapes_are_named(
    server, acled, account, clock, sleeps, shape, expected
) -> None:
    acled.shape = shape
    with _client(server, account, clock, sleeps) as client, pytest.raises(ServiceError) as info:
        client.read(acled_filters(country=["Mali"]))
    assert info.value.reason == "response"
    assert expected in str(info.value)
    assert "/api/acled/read" in str(info.value)


def test_deleted_events_since_a_time(server, acled, account, clock, sleeps) -> None:
    first = sorted(acled.events)[:3]
    acled.delete(first[0])
    clock.now += 100
    acled.delete(first[1])
    acled.delete(first[2])
    with _client(server, account, clock, sleeps, page_size=2) as client:
        everything = client.deleted(0)
        recent = client.deleted(int(clock.now))
    assert [d["event_id_cnty"] for d in everything] == first
    assert [d["event_id_cnty"] for d in recent] == first[1:]
    assert all(isinstance(d["deleted_timestamp"], int) for d in everything)
    query = [e["query"] for e in acled.log if e["path"] == "/api/deleted/read"][-1]
    assert query["deleted_timestamp_where"] == [">="]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://acleddata.com", "plain http"),
        ("https://acleddata.com/api", "scheme and host only"),
        ("https://user:secret@acleddata.com", "user name or password"),
        ("ftp://acleddata.com", "scheme and a host"),
    ],
)
def test_base_url_replaces_scheme_and_host_only(url: str, expected: str) -> None:
    with pytest.raises(ServiceError, match=expected) as info:
        check_base_url(url, service="ACLED")
    assert "secret" not in str(info.value)


def test_base_url_accepts_https_and_loopback() -> None:
    assert check_base_url("https://mirror.example.org/", service="ACLED") == (
        "https://mirror.example.org"
    )
    assert check_base_url("http://127.0.0.1:8080", service="ACLED") == "http://127.0.0.1:8080"


def test_retry_policy_is_checked() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)
