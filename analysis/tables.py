"""Numbers and tables formatted for a reader: the report's display layer.

A report never shows a pandas dump. Numbers are formatted by the functions here (counts with
thousands separators, ratios with two or three significant digits, intervals as "1.64
(0.80–3.33)", p-values as "p < 0.001", open intervals as "≥ 500", missing values as "—"),
bodies and groups are named by their names, and tables are rendered without an index and
without truncation by :func:`display_table`. Long tables are searchable and sortable in the
report page, offline (``interactive=True``; see :mod:`analysis.reports.assets`), and every
table can carry a link to its raw CSV, written into the page itself so that it works offline
too.

Every text cell from data is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from analysis.files import safe_csv_text

__all__ = [
    "MISSING",
    "fmt_count",
    "fmt_number",
    "fmt_ratio",
    "fmt_interval",
    "fmt_p",
    "fmt_bounds",
    "fmt_date",
    "fmt_ci",
    "fmt_window",
    "fmt_share",
    "body_names",
    "SHORT_NAMES",
    "key_value_table",
    "label",
    "GROUP_LABELS",
    "MEASURE_LABELS",
    "VICTIM_LABELS",
    "display_table",
    "csv_link",
]

#: What a missing value looks like in a report.
MISSING = "—"

#: Perpetrator groups by name (the codebook's vocabulary, data/tallies/README.md).
GROUP_LABELS: dict[str, str] = {
    "state_forces": "Malian state forces",
    "state_forces_with_foreign": "Malian forces with foreign personnel",
    "wagner": "Wagner Group / Africa Corps",
    "russian_state_forces": "Russian state forces",
    "jnim": "JNIM",
    "isgs": "Islamic State Sahel (ISGS)",
    "islamist_armed_groups": "Islamist armed groups (JNIM or ISGS)",
    "militias": "Militias",
    "separatists": "Separatist groups (CMA/FLA)",
    "international_forces": "International forces",
    "unknown": "Unknown",
    "all": "All perpetrators",
    "other": "Other",
}

#: Measures by name.
MEASURE_LABELS: dict[str, str] = {
    "killed": "killed",
    "executed": "executed",
    "fatalities": "fatalities",
    "violations": "violations and abuses",
    "injured": "injured",
    "abducted": "abducted",
    "arrested": "arrested",
    "sexual_violence": "victims of sexual violence",
    "events": "events",
    "percent_events": "share of events (%)",
}

#: Victim groups by name.
VICTIM_LABELS: dict[str, str] = {
    "civilians": "civilians",
    "people": "people (any status)",
    "combatants": "combatants",
    "suspected_militants": "suspected militants",
    "not_applicable": "—",
}


def _missing(x: object) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def fmt_count(x: object, *, open_high: bool = False) -> str:
    """A count with thousands separators: ``1372`` -> ``"1,372"``; missing -> ``"—"``.

    Non-whole values keep one decimal (a prorated count, ``"12.5"``); infinity is ``"∞"``;
    ``open_high`` marks a lower bound (``"≥ 500"``: an "at least" figure, or a sum with one
    in it).
    """
    if _missing(x):
        return MISSING
    value = float(x)  # type: ignore[arg-type]
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    text = f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"
    return f"≥ {text}" if open_high else text


def fmt_number(x: object, digits: int = 2) -> str:
    """A rate or other real number with ``digits`` decimals: ``1.842188`` -> ``"1.84"``."""
    if _missing(x):
        return MISSING
    value = float(x)  # type: ignore[arg-type]
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:,.{digits}f}"


def fmt_ratio(x: object) -> str:
    """A ratio with 2-3 significant digits: ``1.63685`` -> ``"1.64"``, ``6.136`` -> ``"6.14"``,
    ``18.85`` -> ``"18.8"``, ``0.0537`` -> ``"0.054"``, ``250.3`` -> ``"250"``."""
    if _missing(x):
        return MISSING
    value = float(x)  # type: ignore[arg-type]
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.1:
        return f"{value:.2f}"
    return f"{value:.2g}" if magnitude >= 0.001 else f"{value:.1e}"


def fmt_interval(estimate: object, low: object, high: object, *, fmt: Callable = fmt_ratio) -> str:
    """``"1.64 (0.80–3.33)"``; the estimate alone when the interval is missing or has no
    width at the shown precision."""
    if _missing(estimate):
        return MISSING
    if _missing(low) or _missing(high) or fmt(low) == fmt(high):
        return fmt(estimate)
    return f"{fmt(estimate)} ({fmt(low)}–{fmt(high)})"


def fmt_p(p: object) -> str:
    """A p-value for a reader: ``"< 0.001"``, ``"0.005"``, ``"0.07"``, ``"0.15"``."""
    if _missing(p):
        return MISSING
    value = float(p)  # type: ignore[arg-type]
    if value < 0.001:
        return "< 0.001"
    if value < 0.01:
        return f"{value:.3f}"
    return f"{value:.2f}"


def fmt_share(x: object) -> str:
    """A share as a percentage: ``0.4281`` -> ``"43%"``."""
    if _missing(x):
        return MISSING
    return f"{100 * float(x):.0f}%"  # type: ignore[arg-type]


def fmt_bounds(low: object, high: object, *, fmt: Callable = fmt_count) -> str:
    """An interval of counts as a reader reads it: ``(500, inf)`` -> ``"≥ 500"``,
    ``(300, 330)`` -> ``"300–330"``, ``(300, 300)`` -> ``"300"``, ``(0, 40)`` -> ``"≤ 40"``."""
    if _missing(low) and _missing(high):
        return MISSING
    lo = None if _missing(low) else float(low)  # type: ignore[arg-type]
    hi = None if _missing(high) else float(high)  # type: ignore[arg-type]
    if hi is None or math.isinf(hi):
        return MISSING if lo is None else f"≥ {fmt(lo)}"
    if lo is None or lo == 0:
        return f"≤ {fmt(hi)}" if lo is None or hi > 0 else fmt(hi)
    if lo == hi:
        return fmt(lo)
    return f"{fmt(lo)}–{fmt(hi)}"


def fmt_ci(low: object, high: object, *, label: str = "95% CI") -> str:
    """An interval in parentheses with what it is: ``"(95% CI 0.96–2.80)"``, or ``"(range
    the qualifiers allow 3.23–∞)"``: never call a range of words a confidence interval."""
    return f"({label} {fmt_ratio(low)}–{fmt_ratio(high)})"


def fmt_date(x: object, *, long: bool = False) -> str:
    """``2021-12-01`` -> ``"1 Dec 2021"`` (tables), or ``"1 December 2021"`` (sentences)."""
    if _missing(x):
        return MISSING
    ts = pd.Timestamp(x)  # type: ignore[arg-type]
    return f"{ts.day} {ts:%B %Y}" if long else f"{ts.day} {ts:%b %Y}"


def fmt_window(start: object, end: object) -> str:
    """A window in words: a calendar quarter as ``"April–June 2023"``, a month as ``"March
    2022"``, a year as ``"2022"``, anything else as ``"1 December 2021 – 15 January 2023"``.

    Examples
    --------
    >>> fmt_window("2023-04-01", "2023-06-30"), fmt_window("2022-01-01", "2022-12-31")
    ('April–June 2023', '2022')
    >>> fmt_window("2021-12-01", "2022-03-15")
    '1 December 2021 – 15 March 2022'
    """
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()  # type: ignore[arg-type]
    month_end = (last + pd.offsets.MonthEnd(0)).normalize() == last
    if first.day == 1 and month_end:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months == 1:
            return f"{first:%B %Y}"
        if months == 12 and first.month == 1:
            return str(first.year)
        if months == 3 and first.month in (1, 4, 7, 10):
            return f"{first:%B}–{last:%B %Y}"
    return f"{fmt_date(first, long=True)} – {fmt_date(last, long=True)}"


#: The names the reports use for the bodies they name most (``bodies.csv`` has the full ones).
SHORT_NAMES: dict[str, str] = {
    "minusma": "MINUSMA",
    "ohchr": "OHCHR",
    "un_sg": "UN Secretary-General",
    "acled": "ACLED",
    "ucdp": "UCDP",
    "hrw": "Human Rights Watch",
    "gov_mali": "Malian government",
    "fla": "FLA",
    "amnesty": "Amnesty International",
}


def body_names(bodies: pd.DataFrame | None = None) -> dict[str, str]:
    """Body code -> the name a reader knows it by (``"un_sg"`` -> ``"UN Secretary-General"``).

    :data:`SHORT_NAMES` first; any other body by its ``bodies.csv`` name, without the
    parenthesised gloss (``"Azawad Liberation Front (Front de ...)"`` -> ``"Azawad
    Liberation Front"``).
    """
    if bodies is None:
        from analysis.sources.tallies import load_bodies

        bodies = load_bodies()
    names = {}
    for code, name in zip(
        bodies["reporting_body"].astype(str), bodies["name"].astype(str), strict=True
    ):
        names[code] = SHORT_NAMES.get(code) or name.split(" (")[0].strip() or code
    return names


def label(code: object, names: Mapping[str, str]) -> str:
    """The name of a code, or the code itself when it has none; missing -> ``"—"``."""
    if _missing(code):
        return MISSING
    return names.get(str(code), str(code))


def csv_link(frame: pd.DataFrame, filename: str, text: str = "Download this table (CSV)") -> str:
    """An HTML link that downloads ``frame`` as CSV, embedded in the page (works offline).

    Text cells that a spreadsheet would run as formulas are neutralised
    (:func:`analysis.files.neutralise_formula`).
    """
    payload = base64.b64encode(safe_csv_text(frame).encode("utf-8")).decode("ascii")
    name = html.escape("".join(c if c.isalnum() or c in "-_." else "_" for c in filename))
    return (
        f'<a class="csv-link" download="{name}" '
        f'href="data:text/csv;charset=utf-8;base64,{payload}">{html.escape(text)}</a>'
    )


def display_table(
    frame: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    numeric: tuple[str, ...] = (),
    caption: str | None = None,
    raw: pd.DataFrame | None = None,
    csv_name: str | None = None,
    interactive: bool = False,
) -> Any:
    """A table made for reading, as an IPython HTML object.

    Parameters
    ----------
    frame
        The table. Its index is never shown.
    columns
        Column -> header, in display order (default: every column under its own name).
    formats
        Column -> function turning a cell into text (default: text, ``"—"`` when missing).
        Functions may also take the whole row: give them as ``lambda row: ...`` under a
        column name that is not in ``frame`` (a computed column).
    numeric
        Headers (after renaming) whose cells are right-aligned numbers.
    caption
        A caption above the table.
    raw
        The table offered as CSV below it (default: ``frame``); ``csv_name`` names the file.
    interactive
        For long tables: the full static table, marked so that the report page makes it
        searchable, sortable and paged (:mod:`analysis.reports.assets`, offline); in
        JupyterLab and in print it stays the full table.

    Returns
    -------
    IPython.display.HTML
        Display it, or make it the last expression of a cell.
    """
    from IPython.display import HTML

    columns = dict(columns) if columns is not None else {c: str(c) for c in frame.columns}
    formats = dict(formats or {})
    shown: dict[str, list[str]] = {}
    rows = list(frame.to_dict("records"))
    for column, header in columns.items():
        fn = formats.get(column)
        if column in frame.columns:
            values = [
                fn(row[column]) if fn else (MISSING if _missing(row[column]) else str(row[column]))
                for row in rows
            ]
        elif fn is not None:
            values = [fn(row) for row in rows]
        else:
            raise KeyError(f"column {column!r} is neither in the table nor computed")
        shown[header] = values
    text = pd.DataFrame(shown, columns=list(shown))
    link = ""
    if csv_name is not None:
        link = csv_link(raw if raw is not None else frame, csv_name)
    klass = "reader-table interactive" if interactive else "reader-table"
    table = _styled(text, numeric=numeric, caption=caption, klass=klass)
    return HTML(table + link)


def _styled(
    text: pd.DataFrame, *, numeric: tuple[str, ...], caption: str | None, klass: str
) -> str:
    """The table of formatted text through pandas' Styler: no index, every cell escaped,
    numeric cells classed ``num``. The Styler's element ids come from the table's content,
    so a page renders the same twice and two different tables never share an id."""
    import hashlib

    content = "\x1f".join([*text.columns, *text.to_numpy().ravel().tolist()])
    digest = hashlib.sha1(content.encode("utf-8")).hexdigest()[:10]
    classes = pd.DataFrame(
        [["num" if column in numeric else "" for column in text.columns]] * len(text),
        index=text.index,
        columns=text.columns,
    )
    styler = (
        text.style.hide(axis="index")
        .format(escape="html")
        .set_uuid(digest)
        .set_td_classes(classes)
        .set_table_attributes(f'class="{klass}"')
    )
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler.to_html(doctype_html=False)


def key_value_table(items: list[tuple[str, str]], *, caption: str | None = None) -> Any:
    """A two-column table of already formatted results (what, value), for one-row results."""
    frame = pd.DataFrame(items, columns=["what", "value"])
    return display_table(frame, columns={"what": "Result", "value": "Value"}, caption=caption)
