"""Formatting for readers (analysis.tables): every rule of the module docstring."""

from __future__ import annotations

import base64
import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis.tables import (
    MISSING,
    body_names,
    csv_link,
    display_table,
    fmt_bounds,
    fmt_count,
    fmt_date,
    fmt_interval,
    fmt_p,
    fmt_ratio,
    fmt_share,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1372, "1,372"), (1372.0, "1,372"), (12.5, "12.5"), (None, MISSING), (np.nan, MISSING),
     (pd.NA, MISSING), (math.inf, "∞"), (0, "0")],
)  # fmt: skip
def test_fmt_count(value, text):
    assert fmt_count(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.63685, "1.64"), (6.136, "6.14"), (18.84, "18.8"), (0.0537, "0.054"), (250.3, "250"),
     (0.8035, "0.80"), (math.inf, "∞"), (None, MISSING)],
)  # fmt: skip
def test_fmt_ratio_two_or_three_significant_digits(value, text):
    assert fmt_ratio(value) == text


def test_fmt_interval_and_p():
    assert fmt_interval(1.63685, 0.8035, 3.3343) == "1.64 (0.80–3.33)"
    assert fmt_interval(1.5, np.nan, 2) == "1.50"
    assert fmt_p(0.00025) == "< 0.001" and fmt_p(0.0053) == "0.005" and fmt_p(0.1538) == "0.15"
    assert fmt_p(None) == MISSING
    assert fmt_share(0.4281) == "43%"


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(500, math.inf, "≥ 500"), (300, 330, "300–330"), (300, 300, "300"), (0, 40, "≤ 40"),
     (np.nan, np.nan, MISSING), (1000, 2500, "1,000–2,500")],
)  # fmt: skip
def test_fmt_bounds_reads_like_the_words(low, high, text):
    assert fmt_bounds(low, high) == text


def test_fmt_date():
    assert fmt_date("2021-12-01") == "1 Dec 2021" and fmt_date(None) == MISSING


def test_body_names_short_and_without_glosses():
    bodies = pd.DataFrame(
        {
            "reporting_body": ["un_sg", "fla", "newbody"],
            "name": ["UN Secretary-General (reports)", "Azawad Liberation Front (FLA)", "X Y"],
        }
    )
    names = body_names(bodies)
    assert names == {"un_sg": "UN Secretary-General", "fla": "FLA", "newbody": "X Y"}


def test_display_table_escapes_formats_and_hides_the_index():
    """SYNTHETIC rows: text from data is escaped, missing cells show the dash, no index."""
    frame = pd.DataFrame(
        {"body": ["<script>alert(1)</script>", "hrw"], "count": [1372.0, np.nan]},
        index=[10, 11],
    )
    html = display_table(
        frame,
        columns={"body": "Body", "count": "Count"},
        formats={"count": fmt_count},
        numeric=("Count",),
        caption="Synthetic",
    ).data
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "1,372" in html and MISSING in html
    assert ">10<" not in html and ">11<" not in html
    assert re.search(r'<td [^>]*class="[^"]*\bnum\b[^"]*"\s*>1,372</td>', html)
    assert "<caption>Synthetic</caption>" in html
    assert 'class="reader-table"' in html
    interactive = display_table(frame, interactive=True).data
    assert 'class="reader-table interactive"' in interactive
    with pytest.raises(KeyError, match="neither in the table nor computed"):
        display_table(frame, columns={"missing": "M"})


def test_csv_link_carries_the_raw_table_with_formulas_neutralised():
    frame = pd.DataFrame({"claim": ["=HYPERLINK(1)", "plain"], "value": [1, 2]})
    link = csv_link(frame, "table one.csv")
    assert 'download="table_one.csv"' in link
    payload = link.split("base64,")[1].split('"')[0]
    text = base64.b64decode(payload).decode("utf-8")
    assert text.splitlines()[1].startswith("'=HYPERLINK")
    assert text.splitlines()[0] == "claim,value"
