"""Safe rendering of data-derived text in notebooks and reports.

Claims, notes, titles, actor and place names come from files the project does not control. Every
piece of such text that reaches HTML or Markdown in a report goes through this module:
:func:`md_escape` neutralises Markdown and HTML, :func:`safe_url` keeps only http(s) links, and the
table helpers render with pandas' HTML escaping on.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable

import pandas as pd

__all__ = [
    "md_escape",
    "md_code",
    "safe_url",
    "cited_documents",
    "documents_markdown",
    "definitions_markdown",
    "html_table",
    "warning_banner",
    "record",
    "read_records",
    "RECORD_MIME",
    "natural_key",
    "id_span",
]

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: object) -> tuple[object, ...]:
    """Sort key of an identifier with numbers compared as numbers: ``MLI2`` before ``MLI10``.

    Examples
    --------
    >>> sorted(["MLI10", "MLI9", "MLI100"], key=natural_key)
    ['MLI9', 'MLI10', 'MLI100']
    """
    parts = _DIGITS.split(str(text))
    return tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(parts))


def id_span(ids: Iterable[object]) -> tuple[str, str] | None:
    """The first and last identifier in natural order (numbers by their value), or ``None``.

    Examples
    --------
    >>> id_span(["MLI999", "MLI1000", "MLI12"])
    ('MLI12', 'MLI1000')
    """
    values = [str(i) for i in ids if i is not None and not (isinstance(i, float) and math.isnan(i))]
    if not values:
        return None
    ordered = sorted(set(values), key=natural_key)
    return ordered[0], ordered[-1]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")
_URL_OK = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def md_escape(text: object) -> str:
    """Text from data made inert in Markdown: HTML escaped, Markdown punctuation backslashed.

    ``<script>`` becomes ``&lt;script&gt;``; ``[x](javascript:...)`` loses its link syntax;
    ``$`` no longer opens maths; line breaks become spaces.
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    flat = " ".join(str(text).split())
    # quotes stay as they are: entities such as &#x27; would have their '#' escaped below
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def md_code(text: object) -> str:
    """Text from data shown as inline code in Markdown (HTML-escaped ``<code>``: inside a
    Markdown code span backslash escapes would show, so an HTML element is used instead)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return f"<code>{html.escape(' '.join(str(text).split()), quote=True)}</code>"


def safe_url(url: object) -> str | None:
    """The URL when it is a plain http(s) address, else None (so it is never made a link)."""
    if url is None or (not isinstance(url, str) and pd.isna(url)):
        return None
    url = str(url).strip()
    return url if _URL_OK.match(url) else None


def _link(label: str, url: object) -> str:
    safe = safe_url(url)
    if safe is None:
        return md_escape(label)
    # parentheses and spaces in the target are percent-encoded so the link cannot be broken out of
    target = safe.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{md_escape(label)}](<{html.escape(target, quote=True)}>)"


def cited_documents(
    tallies: pd.DataFrame,
    sources: pd.DataFrame,
    *,
    tally_ids: Iterable[object] | None = None,
) -> pd.DataFrame:
    """The documents behind a set of figures: one row per ``source_id`` they cite.

    Parameters
    ----------
    tallies
        Figures of the evidence table (all of them, or the ones a report showed).
    sources
        The documents table.
    tally_ids
        When given, only these figures count; entries may be ";"-joined lists of ids (as in
        the ``tally_ids`` columns of the package's tables); missing values are skipped.

    Returns ``source_id, reporting_body, publisher, title, published, grade, url, copy_url,
    n_figures`` (how many of the figures come from the document), sorted by date.
    """
    if tally_ids is not None:
        wanted = {
            part.strip()
            for joined in tally_ids
            if joined is not None and not (not isinstance(joined, str) and pd.isna(joined))
            for part in str(joined).split(";")
        }
        tallies = tallies[tallies["tally_id"].isin(wanted)]
    counts = tallies["source_id"].astype("string").value_counts()
    docs = sources[sources["source_id"].isin(counts.index)].copy()
    docs["n_figures"] = docs["source_id"].map(counts).astype("Int64")
    columns = [
        "source_id",
        "reporting_body",
        "publisher",
        "title",
        "published",
        "grade",
        "url",
        "copy_url",
        "n_figures",
    ]
    return docs[columns].sort_values(["published", "source_id"]).reset_index(drop=True)


def documents_markdown(documents: pd.DataFrame) -> str:
    """A Markdown list of documents with links: publisher, date, title, grade, copy read."""
    lines = []
    for _, doc in documents.iterrows():
        date = "" if pd.isna(doc["published"]) else f"{pd.Timestamp(doc['published']):%Y-%m-%d}"
        line = (
            f"- {md_escape(doc['publisher'])} ({date}): {_link(str(doc['title']), doc['url'])}"
            f" — grade {md_escape(doc['grade'])}, {md_code(doc['source_id'])}"
        )
        if safe_url(doc.get("copy_url")):
            line += f"; copy read: {_link('copy', doc['copy_url'])}"
        lines.append(line)
    return "\n".join(lines) if lines else "_No document._"


def definitions_markdown(bodies: pd.DataFrame, body_ids: Iterable[str] | None = None) -> str:
    """The definitions card of each body: what it counts, its rules, its unit, its rounding."""
    table = bodies if body_ids is None else bodies[bodies["reporting_body"].isin(list(body_ids))]
    fields = [
        ("victim_definition", "Counts"),
        ("inclusion_rules", "Includes"),
        ("exclusion_rules", "Excludes"),
        ("attribution_categories", "Attribution"),
        ("counting_unit", "Unit"),
        ("verification_standard", "Verification"),
        ("rounding_conventions", "Rounding"),
    ]
    blocks = []
    for _, body in table.iterrows():
        lines = [f"**{md_escape(body['name'])}** ({md_code(body['reporting_body'])})"]
        for column, label in fields:
            if column in body.index and not pd.isna(body[column]):
                lines.append(f"- *{label}:* {md_escape(body[column])}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else "_No body._"


def html_table(frame: pd.DataFrame, *, index: bool = False, float_format: str = "{:,.2f}") -> str:
    """An HTML table with every cell escaped (pandas' ``escape=True``)."""
    return frame.to_html(
        index=index,
        escape=True,
        na_rep="",
        border=0,
        classes="dataframe",
        float_format=float_format.format,
    )


def warning_banner(lines: Iterable[str], *, title: str | None = None) -> object:
    """A banner naming the unexplained conflicts and warnings of a report's inputs.

    Each line is escaped; the page styles it (:mod:`analysis.reports.assets`).
    """
    from IPython.display import HTML

    items = "".join(f"<li>{html.escape(str(line))}</li>" for line in lines)
    heading = title or (
        "Warning: the inputs of this report carry conflicts or warnings that the audit of the "
        "evidence table (tallies data check) does not explain"
    )
    return HTML(
        f'<div class="input-warnings"><strong>{html.escape(heading)}:</strong>'
        f"<ul>{items}</ul></div>"
    )


#: MIME type under which notebooks record their key numbers; HTML export ignores it, tests read it
RECORD_MIME = "application/x.tallies.record+json"


def record(name: str, value: object) -> None:
    """Record a key number of a notebook in its executed output (read back by the tests).

    The value is stored under :data:`RECORD_MIME` in the cell's output, which the HTML report
    does not show; ``read_records`` reads it back from the executed notebook.
    """
    from IPython.display import display

    display({RECORD_MIME: {"name": name, "value": _jsonable(value)}}, raw=True)


def _jsonable(value: object) -> object:
    if isinstance(value, pd.DataFrame):
        return [{k: _jsonable(v) for k, v in row.items()} for row in value.to_dict("records")]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if value is None or (
        not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)
    ):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else "-inf"  # JSON has no infinity
    return value


def read_records(notebook: object) -> dict[str, object]:
    """The values recorded with :func:`record` in an executed notebook (path or nbformat node)."""
    import nbformat

    node = notebook if hasattr(notebook, "cells") else nbformat.read(str(notebook), as_version=4)
    found: dict[str, object] = {}
    for cell in node.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RECORD_MIME in data:
                item = data[RECORD_MIME]
                found[item["name"]] = item["value"]
    return found
