"""The HTML export without a kernel: figures carry their alt text, the style sheets are in place."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.reports.runner import export_html

# a 1 x 1 PNG (SYNTHETIC)
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2"
        "2e1e5f0000000049454e44ae426082"
    )
).decode()


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


def _images(page: str) -> list[dict[str, str | None]]:
    parser = _Images()
    parser.feed(page)
    return parser.images


def _notebook(*metadata: dict) -> nbformat.NotebookNode:
    outputs = [
        new_output("display_data", data={"image/png": PNG, "text/plain": "x"}, metadata=meta)
        for meta in metadata
    ]
    return new_notebook(cells=[new_code_cell("fig", outputs=outputs)])


def test_the_image_carries_the_alt_text_of_its_output_escaped() -> None:
    alt = 'Line chart, "<b>a & b</b>": 1,450 killed'
    page = export_html(_notebook({"image/png": {"alt": alt}}), title="synthetic")
    images = _images(page)
    assert len(images) == 1
    assert images[0]["alt"] == alt
    assert images[0]["src"].startswith("data:image/png;base64,")
    assert "<b>a &" not in page  # the markup in the alt text stays text
    assert not re.search(r"<b>\s*a", page)


def test_an_image_without_alt_text_gets_no_made_up_description() -> None:
    page = export_html(_notebook({}), title="synthetic")
    # nbconvert's placeholder, which the browser test refuses: no invented description
    assert [image["alt"] for image in _images(page)] == [
        "No description has been provided for this image"
    ]


def test_the_report_css_and_print_rules_follow_jupyterlabs() -> None:
    page = export_html(_notebook({}), title="synthetic")
    assert '<html lang="en">' in page
    lab = page.index(".jp-RenderedHTMLCommon a:link {")
    ours = page.index(".jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited")
    assert ours > lab, "the report's rules come after JupyterLab's, so they win"
    assert "@media print" in page[ours:]
    assert 'a[href^="http"]::after' in page[ours:]
