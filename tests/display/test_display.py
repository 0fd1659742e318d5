"""Data-derived text is inert in Markdown and HTML; key numbers round-trip through a notebook."""

from __future__ import annotations

import markdown_it
import nbformat
import pandas as pd
import pytest

from analysis.display import (
    RECORD_MIME,
    _jsonable,
    documents_markdown,
    md_code,
    md_escape,
    read_records,
    safe_url,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    "$x$ **bold** `code` # heading",
]


def _render(text: str) -> str:
    return markdown_it.MarkdownIt("commonmark").render(text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_escape_renders_as_plain_text(payload: str) -> None:
    html = _render(md_escape(payload))
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<strong>" not in html and "<code>" not in html and "<h1>" not in html


def test_md_code_escapes_html() -> None:
    assert md_code("a<b>-c") == "<code>a&lt;b&gt;-c</code>"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.hrw.org/news/2022/04/05/x", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("https://x.org/a b", False),
        ('https://x.org/"onmouseover=', False),
        (None, False),
    ],
)
def test_safe_url(url, ok) -> None:
    assert (safe_url(url) is not None) is ok


def test_documents_markdown_links_only_safe_urls() -> None:
    docs = pd.DataFrame(
        {
            "source_id": ["a-2022-01-01", "b-2022-01-02"],
            "publisher": ["L'Agence <b>", "Other"],
            "title": ["Title [x](javascript:alert(1))", "Plain"],
            "published": pd.to_datetime(["2022-01-01", "2022-01-02"]),
            "grade": ["S", "P"],
            "url": ["javascript:alert(1)", "https://example.org/plain"],
            "copy_url": [None, "https://mirror.example.org/plain"],
        }
    )
    html = _render(documents_markdown(docs))
    assert 'href="javascript' not in html
    assert 'href="https://example.org/plain"' in html
    assert "L'Agence &lt;b&gt;" in html  # quotes kept readable, tags escaped
    assert "copy read" in html


def test_records_round_trip_with_infinity() -> None:
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={RECORD_MIME: {"name": "x", "value": _jsonable(float("inf"))}}
        )
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    assert read_records(notebook) == {"x": "inf"}
    assert _jsonable(pd.DataFrame({"a": [1.5, None]})) == [{"a": 1.5}, {"a": None}]
