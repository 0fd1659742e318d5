"""The monthly ACLED aggregates published on HDX, and the HDX HAPI conflict-event CSV.

HDX publishes ACLED's counts of events and fatalities per month and place as Excel workbooks:
one ``Data`` sheet, or one sheet per group of countries (``HRP_1``, ``HRP_2``, ``Non_HRP``, ...),
with the columns Country, Admin1, Admin2, ISO3, Admin2 Pcode, Admin1 Pcode, Month, Year,
Events, Fatalities (the country-level sheets have only Country, Month, Year, Events,
Fatalities); a ``TOU`` sheet carries the terms of use and is skipped. HAPI's conflict-event CSV
has one row per place, month and event type (``political_violence``, ``civilian_targeting``,
``demonstration``).
"""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import DataError
from analysis.harmonize.schema import HDX_COLUMNS, check_hdx
from analysis.sources import _tabular as tab
from analysis.sources.cache import cached_frame
from analysis.sources.formats import Sniffed, check_formula_results, open_input

__all__ = ["read_hdx_aggregates", "Indicator"]

PathLike = str | os.PathLike[str]
Indicator = Literal["political_violence", "civilian_targeting", "demonstrations"]
_INDICATORS: tuple[str, ...] = get_args(Indicator)
_HAPI_TYPES = {
    "political_violence": "political_violence",
    "civilian_targeting": "civilian_targeting",
    "demonstration": "demonstrations",
    "demonstrations": "demonstrations",
}
_MONTHS = {
    name.lower(): i
    for i, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
_SHEET_REQUIRED = ("country", "month", "year", "events", "fatalities")
_HAPI_REQUIRED = ("location_code", "event_type", "events", "reference_period_start")


def _indicator_from_name(path: Path) -> str | None:
    name = path.name.lower().replace("-", "_")
    for key, value in (
        ("civilian_targeting", "civilian_targeting"),
        ("political_violence", "political_violence"),
        ("demonstration", "demonstrations"),
    ):
        if key in name:
            return value
    return None


def _conform(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for name, dtype in HDX_COLUMNS.items():
        series = frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype=object)
        if str(series.dtype) != dtype:
            if dtype == "datetime64[s]":
                series = pd.to_datetime(series).astype(dtype)
            else:
                series = series.astype(dtype)
        if dtype == "category" and not len(series.cat.categories):
            # all missing: one spelling of an empty categorical, whatever the origin
            empty = pd.CategoricalDtype(pd.Index([], dtype="str"))
            codes = np.full(len(series), -1, dtype=np.int8)
            series = pd.Series(pd.Categorical.from_codes(codes, dtype=empty), index=series.index)
        out[name] = series
    result = pd.DataFrame(out)
    result.index = pd.RangeIndex(len(result))
    return result


def _counts(
    values: pd.Series, *, column: str, path: Path, sheet: str, required: bool, rows: np.ndarray
) -> np.ndarray:
    # a TRUE/FALSE cell is a boolean, which pandas would count as 1 or 0: refused
    boolean = values.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
    numeric = pd.to_numeric(values.where(~boolean, None), errors="coerce")
    number = numeric.to_numpy(dtype="float64", na_value=np.nan)
    blank = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
    too_big = np.nan_to_num(number) >= 2.0**63
    bad = ~blank & (
        boolean
        | np.isnan(number)
        | (number < 0)
        | too_big
        | (np.floor(np.nan_to_num(number)) != np.nan_to_num(number))
    )
    if required:
        bad |= blank
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = values.iloc[row]
        if blank[row]:
            problem = "missing count"
        elif boolean[row]:
            problem = f"a true/false value {value!r} where a count belongs"
        elif too_big[row]:
            problem = f"count {value!r} is larger than any count a source publishes"
        else:
            problem = f"{'negative' if number[row] < 0 else 'not a'} count {value!r}"
        raise DataError(
            f"sheet {sheet!r}: {problem}; expected a non-negative whole number",
            file=path,
            line=int(rows[row]),
            column=column,
            rule="count",
        )
    return number


def _read_sheet(path: Path, name: str, sheet: pd.DataFrame) -> pd.DataFrame:
    frame, hxl = tab.drop_hxl_row(sheet.copy())
    assert isinstance(frame, pd.DataFrame)
    frame.columns = [tab.normalise_name(str(c)) for c in frame.columns]
    first = 2 + int(hxl)  # the sheet's row of the first data row (the header is row 1)
    # empty rows are skipped (as blank lines of a CSV are); each row keeps its sheet row number
    rows = np.arange(first, first + len(frame))
    blank = frame.isna() | frame.apply(lambda column: column.astype(str).str.strip().eq(""))
    empty = blank.all(axis=1).to_numpy()
    if empty.any():
        frame, rows = frame.loc[~empty].reset_index(drop=True), rows[~empty]
    n = len(frame)
    month_text = frame["month"].astype(str).str.strip()
    month_number = month_text.str.lower().map(_MONTHS)
    numeric_month = pd.to_numeric(month_text, errors="coerce")
    month_number = month_number.fillna(numeric_month.where(numeric_month.between(1, 12)))
    year = pd.to_numeric(frame["year"], errors="coerce")
    bad_month = month_number.isna().to_numpy()
    last_year = tab.one_year_from(datetime.date.today()).year
    bad_year = (
        year.isna() | (year < tab.EARLIEST_YEAR) | (year > last_year) | (year % 1 != 0)
    ).to_numpy()
    for bad, column, expected in (
        (bad_month, "month", "a month name (January) or number (1-12)"),
        (bad_year, "year", f"a four-digit year from {tab.EARLIEST_YEAR} to {last_year}"),
    ):
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"sheet {name!r}: unreadable {column} {frame[column].iloc[row]!r}; expected {expected}",
                file=path,
                line=int(rows[row]),
                column=column,
                rule="date",
            )
    months = pd.to_datetime(
        {"year": year.astype(int), "month": month_number.astype(int), "day": np.ones(n, dtype=int)}
    ).astype("datetime64[s]")
    events = _counts(
        frame["events"], column="events", path=path, sheet=name, required=True, rows=rows
    )
    fatalities = _counts(
        frame["fatalities"],
        column="fatalities",
        path=path,
        sheet=name,
        required=False,
        rows=rows,
    )

    def text(column: str) -> pd.Series:
        if column not in frame:
            return pd.Series([pd.NA] * n, dtype="object")
        s = frame[column].astype("object")
        return s.where(s.notna() & (s.astype(str).str.strip() != ""), pd.NA).map(
            lambda v: v if v is pd.NA else str(v).strip()
        )

    has1 = "admin1" in frame
    has2 = "admin2" in frame
    return pd.DataFrame(
        {
            "country": text("country"),
            "iso3": text("iso3"),
            "admin1": text("admin1"),
            "admin2": text("admin2"),
            "admin1_pcode": text("admin1_pcode"),
            "admin2_pcode": text("admin2_pcode"),
            "admin_level": np.full(n, 2 if has2 else 1 if has1 else 0),
            "month": months,
            "events": pd.array(events.astype("int64"), dtype="Int64"),
            "fatalities": pd.Series(fatalities).astype("Int64"),
            "origin": [f"{path.name}[{name}]:{i}" for i in rows],
        }
    )


def _read_workbook(raw: tab.RawFile, indicator: str | None) -> pd.DataFrame:
    chosen = indicator or _indicator_from_name(raw.path)
    if chosen is None:
        raise DataError(
            "the file name does not say which counts the workbook holds; expected a name "
            "with political_violence, civilian_targeting or demonstrations in it, or pass "
            f"indicator= one of {list(_INDICATORS)}",
            file=raw.path,
            rule="indicator",
        )
    check_formula_results(raw.path)
    try:
        sheets = pd.read_excel(io.BytesIO(raw.read_bytes()), sheet_name=None, dtype=object)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise tab.unreadable(raw, "Excel workbook", exc) from None
    parts = []
    for name, sheet in sheets.items():
        columns = {tab.normalise_name(str(c)) for c in sheet.columns}
        if not set(_SHEET_REQUIRED) <= columns:
            continue
        if sheet.empty:
            continue
        parts.append(_read_sheet(raw.path, str(name), sheet))
    if not parts:
        raise DataError(
            "no sheet has the columns "
            f"{list(_SHEET_REQUIRED)}; expected an HDX workbook of ACLED monthly aggregates "
            f"(sheets: {list(sheets)})",
            file=raw.path,
            rule="wrong_kind",
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "indicator", chosen)
    return frame


def _read_hapi(raw: tab.RawFile, indicator: str | None) -> pd.DataFrame:
    table = tab.read_csv_text(raw, hxl=True)
    missing = [c for c in _HAPI_REQUIRED if c not in table.columns]
    if missing:
        kind = tab.sniff_kind(table.columns)
        hint = f"; this looks like {kind}" if kind and "HAPI" not in kind else ""
        raise DataError(
            f"missing required column(s) {missing}; a HAPI conflict-event file needs "
            f"{list(_HAPI_REQUIRED)}{hint}",
            file=raw.path,
            line=1,
            column=missing[0],
            rule="wrong_kind" if hint else "required",
        )
    if table.num_rows == 0:
        raise DataError("the file has a header but no rows", file=raw.path, line=2, rule="empty")
    event_type = tab.blank_to_null(table.text("event_type"))
    mapped = pc.take(
        pa.array(
            [_HAPI_TYPES.get(v) for v in event_type.dictionary_encode().dictionary.to_pylist()],
            pa.string(),
        ),
        event_type.dictionary_encode().indices,
    )
    bad = pc.is_null(mapped)
    if pc.any(bad).as_py():
        row = int(pc.index(bad, True).as_py())
        raise table.error(
            row,
            "event_type",
            f"unknown event type {event_type[row].as_py()!r}; expected one of {sorted(_HAPI_TYPES)}",
            "allowed_values",
        )
    start_text = pc.replace_substring_regex(
        tab.blank_to_null(table.text("reference_period_start")),
        r"^(\d{4}-\d{2}-\d{2})[ T].*$",
        r"\1",
    )
    start = tab.parse_dates(
        start_text, table=table, column="reference_period_start", formats=("%Y-%m-%d",)
    )
    day = pc.day(start)
    not_first = pc.not_equal(day, 1)
    if pc.any(not_first).as_py():
        row = int(pc.index(not_first, True).as_py())
        raise table.error(
            row,
            "reference_period_start",
            "the period does not start on the first of a month; expected monthly rows",
            "date",
        )
    events = tab.parse_counts(table.text("events"), table=table, column="events")
    fatalities = (
        tab.parse_counts(table.text("fatalities"), table=table, column="fatalities", required=False)
        if "fatalities" in table.columns
        else pa.nulls(table.num_rows, pa.int64())
    )
    level = (
        tab.parse_counts(
            table.text("admin_level"), table=table, column="admin_level", required=False
        )
        if "admin_level" in table.columns
        else pa.nulls(table.num_rows, pa.int64())
    )

    def text(name: str) -> pa.Array:
        if name in table.columns:
            return tab.blank_to_null(table.text(name))
        return pa.nulls(table.num_rows, pa.string())

    arrays = {
        "indicator": mapped,
        "country": pa.nulls(table.num_rows, pa.string()),
        "iso3": text("location_code"),
        "admin1": text("admin1_name"),
        "admin2": text("admin2_name"),
        "admin1_pcode": text("admin1_code"),
        "admin2_pcode": text("admin2_code"),
        "admin_level": level,
        "month": start,
        "events": events,
        "fatalities": fatalities,
        "origin": table.origins(),
    }
    frame = pa.table(arrays).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    if indicator is not None:
        frame = frame[frame["indicator"] == indicator]
    return frame


def _check_duplicates(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    key = [
        "indicator",
        "country",
        "iso3",
        "admin1",
        "admin2",
        "admin1_pcode",
        "admin2_pcode",
        "month",
    ]
    dup = frame.duplicated(subset=key, keep=False).to_numpy()
    if not dup.any():
        return frame
    sub = frame.loc[dup]
    distinct = sub.drop_duplicates(subset=[*key, "events", "fatalities"])
    clash = distinct.duplicated(subset=key, keep="first").to_numpy()
    if clash.any():
        row = distinct.loc[clash].iloc[0]
        raise DataError(
            f"the place and month of {row['origin']} appear more than once with different counts; "
            "expected one row per place and month",
            file=path,
            column="events",
            rule="conflicting_duplicate",
        )
    keep = ~frame.duplicated(subset=[*key, "events", "fatalities"], keep="first").to_numpy()
    return frame.loc[keep]


def _parse(raw: tab.RawFile, sniffed: Sniffed, indicator: str | None) -> pd.DataFrame:
    if sniffed.format == "xlsx":
        frame = _check_duplicates(_read_workbook(raw, indicator), raw.path)
    elif sniffed.format != "csv":
        raise DataError(
            f"a {sniffed.format} file; HDX aggregates are Excel workbooks and HAPI files CSV",
            file=raw.path,
            rule="wrong_kind",
        )
    else:
        # HAPI maps several provider units to one p-code at times (rows stay distinct)
        frame = _read_hapi(raw, indicator)
    return check_hdx(_conform(frame), where=str(raw.path))


def read_hdx_aggregates(
    path: PathLike,
    *,
    indicator: Indicator | None = None,
    cache: bool = True,
    cache_dir: PathLike | None = None,
) -> pd.DataFrame:
    """Read ACLED's monthly aggregates from HDX (Excel workbook) or an HDX HAPI CSV.

    Parameters
    ----------
    path
        An HDX workbook (one ``Data`` sheet or one sheet per region group) or a HAPI
        conflict-event CSV.
    indicator
        ``"political_violence"``, ``"civilian_targeting"`` or ``"demonstrations"``. For a
        workbook: what its counts are (default: read from the file name, e.g.
        ``..._civilian_targeting_...xlsx``). For a HAPI file, which holds all three: keep only
        this one (default: keep all).
    cache, cache_dir
        As for :func:`analysis.read_acled`.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, place and month: ``indicator``, ``country``, ``iso3``,
        ``admin1``, ``admin2``, ``admin1_pcode``, ``admin2_pcode``, ``admin_level`` (0 country,
        1 admin1, 2 admin2: the level the row counts), ``month`` (first day of the month),
        ``events``, ``fatalities`` (``Int64``; HAPI leaves demonstrations' fatalities blank, kept
        missing), ``origin`` (``"<file>[<sheet>]:<row>"`` for workbooks, ``"<file>:<line>"`` for
        CSV).

    Notes
    -----
    HAPI files give the ISO3 code (``location_code``) but not the country name, so ``country``
    is missing there. In a workbook, rows repeated with the same counts collapse to one and the
    same place and month with different counts raise a :class:`DataError`. A HAPI file's rows
    are all kept: HAPI sometimes maps two of the provider's units to one p-code, and both rows
    count. Summing a mix of admin levels would
    double-count only if a country were given at two levels; HDX gives each country at one.

    Examples
    --------
    >>> agg = read_hdx_aggregates("mali_political_violence_by_admin2_month.xlsx")  # doctest: +SKIP
    >>> agg.groupby(agg.month.dt.year)[["events", "fatalities"]].sum()  # doctest: +SKIP
    """
    if indicator is not None and indicator not in _INDICATORS:
        raise ValueError(f"indicator must be one of {list(_INDICATORS)}, not {indicator!r}")
    raw, sniffed = open_input(Path(path), cache_dir=cache_dir)
    return cached_frame(
        "hdx",
        raw,
        lambda: _parse(raw, sniffed, indicator),
        restore=lambda frame: check_hdx(_conform(frame)),
        options={"indicator": indicator, "name": raw.name},
        cache=cache,
        cache_dir=cache_dir,
    )
