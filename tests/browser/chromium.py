"""Open a generated page in headless Chromium and record what a reader's browser would see.

:func:`visit` loads one page from disk and records, in a :class:`Visit`: console messages of
level error, uncaught page errors, every request that is not a local file or a ``data:`` URI
(such requests are aborted, so nothing reaches the network), requests that failed, every
``href``/``src`` on the page, every image (size as decoded, alt text), the page's ids, an
axe-core scan (``axe-playwright-python`` bundles axe-core's JavaScript), and a few computed
styles under print media. :func:`problems` turns a visit into readable complaints.

The browser is the system's Chromium (Debian's ``chromium`` package), never one downloaded by a
tool: :func:`chromium_path` finds it (``TALLIES_CHROMIUM`` overrides the search).

Tests call :func:`visit_pages`, which drives the browser from a child process
(``python -m tests.browser.chromium PAGE...`` prints the visits as JSON): Playwright's event loop
and thread pool then never live in the test process, whose other tests fork report workers.
"""

from __future__ import annotations

import html.parser
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The text nbconvert puts on an image that came without an alt text.
NBCONVERT_PLACEHOLDER_ALT = "No description has been provided for this image"

#: axe-core impacts that fail a page.
FAILING_IMPACTS = ("serious", "critical")

#: URL schemes a page may load from: its own files and inline data.
LOCAL = ("file:", "data:")

#: External links a reader may follow (never loaded by the page itself).
LINK_SCHEMES = ("http", "https", "mailto")

LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

#: The project folder (``tests.browser`` is importable from it).
ROOT = Path(__file__).resolve().parents[2]

INSTALL_HINT = (
    "Chromium is not installed: run `apt-get install -y chromium` (make test does it when run "
    "as root), or set TALLIES_CHROMIUM to a Chromium executable"
)


def chromium_path() -> Path | None:
    """The Chromium executable to drive: ``TALLIES_CHROMIUM``, else ``chromium`` on the PATH."""
    named = os.environ.get("TALLIES_CHROMIUM")
    found = named or shutil.which("chromium") or shutil.which("chromium-browser")
    if found and os.access(found, os.X_OK):
        return Path(found)
    return None


@contextmanager
def browser(executable: Path) -> Iterator[object]:
    """A headless Chromium (Playwright's ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=list(LAUNCH_ARGS)
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Visit:
    """What happened when one page was opened (see :func:`visit`)."""

    path: Path
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    violations: list[dict] = field(default_factory=list)
    print_style: dict = field(default_factory=dict)


_REFERENCES = """() => Array.from(document.querySelectorAll('[href], [src]')).map(e => {
  const attr = e.hasAttribute('href') ? 'href' : 'src';
  const value = e.getAttribute(attr);
  const absolute = attr === 'href' ? e.href : e.src;
  return {tag: e.tagName.toLowerCase(), attr: attr, value: value.slice(0, 200),
          url: typeof absolute === 'string' ? absolute : value, rel: e.getAttribute('rel')};
})"""

_IMAGES = """() => Array.from(document.images).map(i => ({
  src: i.getAttribute('src').slice(0, 60), alt: i.getAttribute('alt'),
  complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))"""

_IDS = """() => Array.from(document.querySelectorAll('[id], a[name]'))
  .map(e => e.id || e.getAttribute('name'))"""

_PRINT_STYLE = """() => {
  const link = Array.from(document.querySelectorAll('a[href^="http"]'))[0];
  const body = getComputedStyle(document.body);
  return {
    background: body.backgroundColor,
    colour: body.color,
    link_after: link ? getComputedStyle(link, '::after').content : null,
    link_href: link ? link.getAttribute('href') : null,
    overflowing: Array.from(document.querySelectorAll('img, table, pre')).filter(
      e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map(e => e.tagName.toLowerCase() + ': ' + e.textContent.trim().slice(0, 60)),
  };
}"""


def visit(browser: object, path: Path, *, print_width: int = 700) -> Visit:
    """Open ``path`` (a local HTML file) and record what happens; never raises for the page.

    ``print_width`` is the viewport width (CSS pixels) under print media: about an A4 page's
    printable width at 96 pixels per inch.
    """
    from axe_playwright_python.sync_playwright import Axe

    record = Visit(path=path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def requested(request) -> None:
        if not request.url.startswith(LOCAL):
            record.outside_requests.append(request.url[:200])

    def failed(request) -> None:
        if request.url.startswith(LOCAL):  # the others were aborted here, on purpose
            record.failed_requests.append(f"{request.url[:200]} ({request.failure})")

    def console(message) -> None:
        if message.type == "error":
            record.console_errors.append(message.text[:500])

    # nothing leaves the machine: a request for anything but the page's own files is aborted
    page.route(lambda url: not url.startswith(LOCAL), lambda route: route.abort())
    page.on("request", requested)
    page.on("requestfailed", failed)
    page.on("console", console)
    page.on("pageerror", lambda error: record.page_errors.append(str(error)[:500]))
    try:
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=60_000)
        record.references = page.evaluate(_REFERENCES)
        record.images = page.evaluate(_IMAGES)
        record.ids = set(page.evaluate(_IDS))
        record.violations = Axe().run(page).response["violations"]
        page.set_viewport_size({"width": print_width, "height": 900})
        page.emulate_media(media="print")
        record.print_style = page.evaluate(_PRINT_STYLE)
    finally:
        context.close()
    return record


def visit_pages(executable: Path, pages: Sequence[Path], *, timeout: float = 600) -> list[Visit]:
    """:func:`visit` each page, in one browser driven by a child process (see the module's
    notes); raises ``RuntimeError`` with the child's error output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.browser.chromium", str(executable)]
        + [str(page.resolve()) for page in pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the browser process failed:\n{done.stderr[-3000:]}")
    records = []
    for item in json.loads(done.stdout):
        item["path"] = Path(item["path"])
        item["ids"] = set(item["ids"])
        records.append(Visit(**item))
    return records


def _main(arguments: Sequence[str]) -> int:
    executable, *pages = arguments
    with browser(Path(executable)) as launched:
        records = [visit(launched, Path(page)) for page in pages]
    out = []
    for record in records:
        item = asdict(record)
        item["path"] = str(record.path)
        item["ids"] = sorted(record.ids)
        out.append(item)
    json.dump(out, sys.stdout)
    return 0


class _Ids(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


@lru_cache(maxsize=64)
def _ids_of(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


def broken_references(record: Visit, root: Path) -> list[str]:
    """Every ``href``/``src`` of the page that does not resolve offline, as complaints.

    Local references must name a file inside ``root`` that exists, and their ``#fragment`` an
    id (or ``<a name>``) in it; ``data:`` is fine; ``http``, ``https`` and ``mailto`` are fine
    for a link (``<a href>``) a reader follows, and refused for anything the page itself loads
    (an image, a style sheet, a script: nothing from a CDN).
    """
    out = []
    base = root.resolve()
    for ref in record.references:
        url, tag, value = ref["url"], ref["tag"], ref["value"]
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        if parts.scheme in LINK_SCHEMES:
            if tag != "a":
                out.append(f"<{tag} {ref['attr']}={value!r}> loads from the network")
            continue
        if parts.scheme != "file":
            out.append(f"<{tag} {ref['attr']}={value!r}>: scheme {parts.scheme!r}")
            continue
        target = Path(unquote(parts.path))
        if not target.is_file():
            out.append(f"<{tag} {ref['attr']}={value!r}>: no file {target.name}")
            continue
        if not target.resolve().is_relative_to(base):
            out.append(f"<{tag} {ref['attr']}={value!r}>: outside the output folder")
            continue
        if parts.fragment:
            fragment = unquote(parts.fragment)
            ids = record.ids if target.resolve() == record.path.resolve() else _ids_of(target)
            if fragment not in ids:
                out.append(f"<{tag} {ref['attr']}={value!r}>: no anchor #{fragment}")
    return out


def image_problems(record: Visit, *, min_words: int = 5) -> list[str]:
    """Images that did not load, or whose alt text is missing, nbconvert's placeholder, or
    shorter than ``min_words`` words."""
    out = []
    for number, image in enumerate(record.images, start=1):
        where = f"image {number} ({image['src']}...)"
        if not image["complete"] or not image["width"]:
            out.append(f"{where} did not load")
        alt = (image["alt"] or "").strip()
        if not alt or alt == NBCONVERT_PLACEHOLDER_ALT:
            out.append(f"{where} has no alt text")
        elif len(alt.split()) < min_words:
            out.append(f"{where} alt text {alt!r} says too little")
    return out


def serious_violations(record: Visit) -> list[str]:
    """The axe-core violations of impact serious or critical, one line each."""
    return [
        f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} element"
        f"{'s' if len(violation['nodes']) != 1 else ''}): {violation['help']}; first: "
        f"{violation['nodes'][0]['html'][:160]}"
        for violation in record.violations
        if violation["impact"] in FAILING_IMPACTS
    ]


def problems(record: Visit, root: Path) -> list[str]:
    """Everything wrong with a visit, as readable lines (empty: the page is fine)."""
    return (
        [f"console error: {text}" for text in record.console_errors]
        + [f"page error: {text}" for text in record.page_errors]
        + [f"request outside the page's files: {url}" for url in record.outside_requests]
        + [f"failed request: {text}" for text in record.failed_requests]
        + broken_references(record, root)
        + image_problems(record)
        + serious_violations(record)
    )


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
