"""UCDP's GED client against the local fake service: token header, NextPageUrl paging to the last
page, country filter, versions, stitching a final release with candidate months."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.errors import ServiceError
from analysis.sources.api.credentials import Secret
from analysis.sources.api.ucdp_api import UcdpClient, check_version, gw_code
from analysis.sources.api.ucdp_pull import final_release_end, stitch_versions
from tests.api.conftest import FAST
from tests.api.fake_services import UCDP_TOKEN


def _client(server, token, sleeps, **options) -> UcdpClient:
    options.setdefault("retry", FAST)
    return UcdpClient(token, base_url=server.url, sleep=sleeps.append, **options)


def test_follows_next_page_to_the_last_on_this_host(server, ucdp, token, sleeps) -> None:
    with _client(server, token, sleeps, page_size=10) as client:
        pages = list(client.pages("25.1", filters={"Country": 432}))
    assert len(pages) == 5  # 45 events, 10 a page
    assert "page" not in ucdp.log[0]["query"]  # the first page is asked without a number
    assert [e["query"].get("page") for e in ucdp.log[1:]] == [["1"], ["2"], ["3"], ["4"]]
    # NextPageUrl names the real host; every request still went to the local server
    assert all(page.url.startswith(server.url) for page in pages)
    assert pages[-1].next_url is None and pages[0].total_count == 45
    ids = [r["id"] for p in pages for r in p.records]
    assert sorted(ids) == sorted(r["id"] for r in ucdp.versions["25.1"])


def test_token_sent_in_its_header_and_a_bad_one_refused(server, ucdp, sleeps) -> None:
    with _client(server, Secret("wrong-token-value"), sleeps) as client:
        with pytest.raises(ServiceError) as info:
            client.read("25.1", country=432)
    assert info.value.reason == "credentials" and info.value.status == 401
    assert "UCDP_TOKEN" in str(info.value) and "wrong-token-value" not in str(info.value)


def test_country_filter(server, ucdp, token, sleeps) -> None:
    ucdp.versions["25.1"][0]["country_id"] = 436  # one event in Niger
    with _client(server, token, sleeps) as client:
        mali = client.read("25.1", country=432)
        niger = client.read("25.1", country=436)
    assert len(mali) == 44 and [e["id"] for e in niger] == [ucdp.versions["25.1"][0]["id"]]
    assert ucdp.log[0]["query"]["Country"] == ["432"]


def test_unknown_version_and_429_then_success(server, ucdp, token, sleeps) -> None:
    server.fail("/api/gedevents/", 429)
    with _client(server, token, sleeps) as client:
        assert len(client.read("25.1", country=432)) == 45
        with pytest.raises(ServiceError) as info:
            client.read("19.1", country=432)
    assert sleeps == [1.0]
    assert info.value.reason == "request" and info.value.status == 404


def test_changed_shape_named(server, ucdp, token, sleeps) -> None:
    ucdp.shape = lambda body: {"TotalCount": 1, "Results": body["Result"], "NextPageUrl": ""}
    with _client(server, token, sleeps) as client, pytest.raises(ServiceError) as info:
        client.read("25.1", country=432)
    assert info.value.reason == "response" and "Result array" in str(info.value)


def test_next_page_elsewhere_refused(server, ucdp, token, sleeps) -> None:
    ucdp.shape = lambda body: {**body, "NextPageUrl": "https://ucdpapi.pcr.uu.se/api/other/1"}
    with _client(server, token, sleeps) as client, pytest.raises(ServiceError) as info:
        client.read("25.1", country=432)
    assert "NextPageUrl points to '/api/other/1'" in str(info.value)


def test_versions_and_countries_checked() -> None:
    assert check_version("25.1", kind="final") == "25.1"
    assert check_version("25.0.11", kind="candidate") == "25.0.11"
    for bad, kind in (("25.0.11", "final"), ("25.1", "candidate"), ("25.0.13", "any")):
        with pytest.raises(ValueError, match="unknown UCDP GED version"):
            check_version(bad, kind=kind)
    assert gw_code("mali") == 432 and gw_code("432") == 432
    with pytest.raises(ValueError, match="Gleditsch-Ward"):
        gw_code("Atlantis")
    assert final_release_end("25.1") == dt.date(2024, 12, 31)


def test_stitch_keeps_candidate_months_after_the_final_release(ucdp) -> None:
    final = ucdp.versions["25.1"]
    first, second = ucdp.versions["25.0.1"], ucdp.versions["25.0.2"]
    # the later candidate revises an event of the earlier one (same id, new count)
    revised = next(e for e in first if e["date_start"] >= "2025-01-01")
    second = [*second, {**revised, "best": revised["best"] + 5}]
    events = stitch_versions(("25.1", final), [("25.0.2", second), ("25.0.1", first)])
    by_id = {e["id"]: e for e in events}
    assert {e["id"] for e in final} <= set(by_id)
    assert all(by_id[e["id"]]["version"] == "25.1" for e in final)
    kept = [e for e in first if e["date_start"] >= "2025-01-01"]
    dropped = [e for e in first if e["date_start"] < "2025-01-01"]
    assert kept and dropped  # the fixture spans the release's end
    assert not {e["id"] for e in dropped} & set(by_id)
    assert by_id[revised["id"]]["version"] == "25.0.2"
    assert by_id[revised["id"]]["best"] == revised["best"] + 5
    assert len(events) == len(final) + len({e["id"] for e in kept} | {e["id"] for e in second})
    with pytest.raises(ValueError, match="already holds"):
        stitch_versions(("25.1", final), [("24.0.3", first)])


def test_token_fixture_is_the_fake_services(token) -> None:
    assert token.reveal() == UCDP_TOKEN and UCDP_TOKEN not in repr(token)
