"""Every page of the default report suite, opened in headless Chromium as a reader would.

The suite (``tallies report --suite reports/suite.yml``) renders once, on a temporary copy of the
project's data (:mod:`tests.suite_run`), into a temporary folder; the index and every report are
then opened once each from disk, offline, and what happened is recorded
(:func:`tests.browser.chromium.visit`). The tests judge the records: no console or page errors;
no request for anything but the page's own files (nothing from a CDN); every local link, image
and anchor resolves; every image loads and says in words what it shows; axe-core finds no
serious or critical accessibility violation; the print stylesheet applies. A synthetic broken
page shows that each check can fail.

Chromium is the system's (Debian's ``chromium`` package): without it the tests fail, with a
line saying how to install it. The suite renders once per test worker that runs these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser import chromium
from tests.suite_run import data_copy, run_suite

pytestmark = [pytest.mark.notebook, pytest.mark.browser]


@pytest.fixture(scope="module")
def executable() -> Path:
    found = chromium.chromium_path()
    if found is None:
        pytest.fail(chromium.INSTALL_HINT, pytrace=False)
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default suite, rendered into a temporary folder (returned)."""
    base = tmp_path_factory.mktemp("site")
    data = data_copy(base / "data")
    output = base / "reports"
    done = run_suite(data, output)
    assert done.returncode == 0, done.stderr[-3000:]
    return output


@pytest.fixture(scope="module")
def visits(site: Path, executable: Path) -> dict[str, chromium.Visit]:
    """Each page (the index and every report) opened once, by path relative to the site."""
    pages = [site / "index.html", *sorted(site.glob("*/*.html"))]
    records = chromium.visit_pages(executable, pages)
    return {
        page.relative_to(site).as_posix(): record
        for page, record in zip(pages, records, strict=True)
    }


def _complaints(visits: dict[str, chromium.Visit], check) -> list[str]:
    return [f"{name}: {line}" for name, record in visits.items() for line in check(record)]


def test_every_report_of_the_index_is_opened(site: Path, visits) -> None:
    manifest = json.loads((site / "index.json").read_text(encoding="utf-8"))
    reports = {entry["html"] for entry in manifest["reports"]}
    assert [entry["status"] for entry in manifest["reports"]] == ["ok"] * len(reports)
    assert len(reports) >= 4, "the default suite renders several reports"
    assert set(visits) == {"index.html"} | reports
    index_links = {ref["value"] for ref in visits["index.html"].references}
    assert reports <= index_links, "the index links to every report"


def test_no_console_or_page_errors(visits) -> None:
    errors = _complaints(
        visits,
        lambda record: (
            [f"console: {text}" for text in record.console_errors]
            + [f"uncaught: {text}" for text in record.page_errors]
        ),
    )
    assert not errors, "\n".join(errors)


def test_pages_load_nothing_from_the_network(visits) -> None:
    outside = _complaints(visits, lambda record: record.outside_requests)
    assert not outside, "requests outside the page's files:\n" + "\n".join(outside)
    # the pages did load local resources: the images are embedded, not missing
    assert sum(len(record.images) for record in visits.values()) >= 5


def test_links_images_and_anchors_resolve(site: Path, visits) -> None:
    broken = _complaints(
        visits,
        lambda record: record.failed_requests + chromium.broken_references(record, site),
    )
    assert not broken, "\n".join(broken)
    assert any(ref["tag"] == "a" for ref in visits["index.html"].references)


def test_every_image_loads_and_says_what_it_shows(visits) -> None:
    bad = _complaints(visits, chromium.image_problems)
    assert not bad, "\n".join(bad)
    for name, record in visits.items():
        if name != "index.html" and not record.images:
            # only an incident whose figures all count something else has no figure, and says so
            text = record.path.read_text(encoding="utf-8")
            assert "nothing to set side by side" in text, f"{name}: a report without a figure"


def test_no_serious_accessibility_violations(visits) -> None:
    serious = _complaints(visits, chromium.serious_violations)
    assert not serious, "axe-core:\n" + "\n".join(serious)


def test_the_print_stylesheet_applies(visits) -> None:
    for name, record in visits.items():
        style = record.print_style
        assert style["background"] == "rgb(255, 255, 255)", name
        assert style["colour"] == "rgb(0, 0, 0)", name
        assert not style["overflowing"], (
            f"{name}: runs off the printed page: {style['overflowing']}"
        )
        if style["link_href"]:
            # on paper an external link is followed by its address
            assert style["link_href"] in style["link_after"], (name, style["link_after"])
    assert any(record.print_style["link_href"] for record in visits.values())


BROKEN_PAGE = """<!DOCTYPE html>
<html><head><title>SYNTHETIC broken page</title>
<script src="https://cdn.example.invalid/library.js"></script></head>
<body>
<p style="color: #bbbbbb; background: #ffffff">Faint text a reader cannot read.</p>
<img src="missing.png" alt="Line chart of a file that is not there, drawn for this test">
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==">
<a href="#nowhere">an anchor that does not exist</a>
<a href="other.html">a page that does not exist</a>
<script>console.error("SYNTHETIC console error"); throw new Error("SYNTHETIC page error");</script>
</body></html>
"""


def test_each_check_fails_on_a_broken_page(tmp_path: Path, executable: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(BROKEN_PAGE, encoding="utf-8")
    (record,) = chromium.visit_pages(executable, [page])
    assert "SYNTHETIC console error" in record.console_errors
    assert any("SYNTHETIC page error" in text for text in record.page_errors)
    assert record.outside_requests == ["https://cdn.example.invalid/library.js"]
    assert any("missing.png" in text for text in record.failed_requests)
    broken = chromium.broken_references(record, tmp_path)
    assert any("loads from the network" in line for line in broken)
    assert any("no anchor #nowhere" in line for line in broken)
    assert any("no file other.html" in line for line in broken)
    assert any("no file missing.png" in line for line in broken)
    images = chromium.image_problems(record)
    assert any(line.startswith("image 1") and "did not load" in line for line in images)
    assert any(line.startswith("image 2") and "no alt text" in line for line in images)
    serious = {line.split(" ", 1)[0] for line in chromium.serious_violations(record)}
    assert {"color-contrast", "html-has-lang", "image-alt"} <= serious
    assert len(chromium.problems(record, tmp_path)) >= 10
