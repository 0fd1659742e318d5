"""UCDP Georeferenced Event Dataset (GED) files -> the canonical event table.

Reads the GED release and the candidate-event releases as CSV, and the R data files UCDP also
publishes (``.rda``/``.RData`` holding a data frame, or ``.rds``) through ``pyreadr``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import DataError
from analysis.harmonize.schema import check_events, conform_events
from analysis.sources import _tabular as tab
from analysis.sources.cache import cached_frame
from analysis.sources.formats import Sniffed, frame_input, open_input

__all__ = ["read_ucdp_ged", "TYPE_OF_VIOLENCE", "GW_TO_ISO3"]

PathLike = str | os.PathLike[str]

_REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "best", "date_start", "date_end")
_WANTED = (
    *_REQUIRED,
    "relid",
    "country",
    "country_id",
    "adm_1",
    "adm_2",
    "where_coordinates",
    "latitude",
    "longitude",
    "date_prec",
    "low",
    "high",
    "deaths_civilians",
    "source_article",
)

#: UCDP ``type_of_violence`` -> ``event_type`` in the canonical table.
TYPE_OF_VIOLENCE: dict[str, str] = {"1": "state-based", "2": "non-state", "3": "one-sided"}
_DATE_PREC = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}

#: Gleditsch-Ward country codes (UCDP ``country_id``) of Mali and its region -> ISO 3166 alpha-3.
GW_TO_ISO3: dict[str, str] = {
    "432": "MLI",
    "433": "SEN",
    "434": "BEN",
    "435": "MRT",
    "436": "NER",
    "437": "CIV",
    "438": "GIN",
    "439": "BFA",
    "452": "GHA",
    "461": "TGO",
    "475": "NGA",
    "483": "TCD",
    "600": "MAR",
    "615": "DZA",
    "620": "LBY",
}


def _map(values: pa.Array, mapping: dict[str, str]) -> pa.Array:
    encoded = values.dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    new = pa.array([mapping.get(v) if v is not None else None for v in dictionary], pa.string())
    return pc.take(new, encoded.indices)


def _strip_time(values: pa.Array) -> pa.Array:
    """``2013-01-03 00:00:00.000`` -> ``2013-01-03`` (UCDP's CSV writes a time of day)."""
    return pc.replace_substring_regex(values, r"^(\d{4}-\d{2}-\d{2})[ T].*$", r"\1")


def _require(table: tab.CsvTable) -> None:
    missing = [c for c in _REQUIRED if c not in table.columns]
    if not missing:
        return
    kind = tab.sniff_kind(table.columns)
    hint = f"; this looks like {kind}, not a UCDP GED file" if kind and "UCDP" not in kind else ""
    raise DataError(
        f"missing required column(s) {missing}; a UCDP GED file needs {list(_REQUIRED)}{hint}",
        file=table.raw.path,
        line=None if table.json_records else 1,
        column=missing[0],
        rule="wrong_kind" if hint else "required",
    )


def _first(mask: pa.Array) -> int:
    return int(pc.index(mask, True).as_py())


def _whole_number_text(values: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(tab.blank_to_null(values), r"\.0+$", "")


def _side(values: pa.Array, main: str, associates: str) -> dict[str, pa.Array]:
    """UCDP lists several actors of one side separated by commas ("GATIA, MSA"): the first
    becomes the main actor, the others its associates ("; "-separated, as in ACLED)."""
    parts = pc.split_pattern(values, pattern=", ")
    first = pc.list_element(parts, 0)
    rest = pc.binary_join(pc.list_slice(parts, 1), "; ")
    return {main: tab.dictionary(first), associates: tab.dictionary(rest)}


def _convert(batch: tab.Batch) -> dict[str, pa.Array]:
    present = batch.present
    text, optional = batch.text, batch.optional_dictionary
    event_id = _whole_number_text(text("id"))
    if event_id.null_count:
        raise batch.error(_first(pc.is_null(event_id)), "id", "missing event id", "required")
    tov = _whole_number_text(text("type_of_violence"))
    known = pc.fill_null(pc.is_in(tov, value_set=pa.array(list(TYPE_OF_VIOLENCE))), False)
    if not pc.all(known).as_py():
        row = _first(pc.invert(known))
        raise batch.error(
            row,
            "type_of_violence",
            f"unknown type of violence {text('type_of_violence')[row].as_py()!r}; "
            "expected 1, 2 or 3",
            "allowed_values",
        )
    start = tab.parse_dates(
        _strip_time(text("date_start")), table=batch, column="date_start", formats=("%Y-%m-%d",)
    )
    end = tab.parse_dates(
        _strip_time(text("date_end")), table=batch, column="date_end", formats=("%Y-%m-%d",)
    )
    before = pc.less(end, start)
    if pc.any(before).as_py():
        raise batch.error(_first(before), "date_end", "date_end is before date_start", "date_order")

    def counts(name: str, required: bool = False) -> pa.Array | None:
        if name not in present:
            return None
        return tab.parse_counts(text(name), table=batch, column=name, required=required)

    precision = None
    if "date_prec" in present:
        raw_prec = _whole_number_text(text("date_prec"))
        precision = _map(raw_prec, _DATE_PREC)
        bad = pc.and_(pc.is_valid(raw_prec), pc.is_null(precision))
        if pc.any(bad).as_py():
            row = _first(bad)
            raise batch.error(
                row,
                "date_prec",
                f"unknown date precision {raw_prec[row].as_py()!r}; expected 1 to 5",
                "allowed_values",
            )
        precision = precision.dictionary_encode()
    best = counts("best", required=True)
    civilians = counts("deaths_civilians")
    if civilians is not None:
        # best is the sum of the deaths of side A, side B, civilians and unknown: civilian
        # deaths above it mean the columns are shifted or the file was edited
        above = pc.fill_null(pc.greater(civilians, best), False)
        if pc.any(above).as_py():
            row = _first(above)
            raise batch.error(
                row,
                "deaths_civilians",
                f"{civilians[row].as_py()} civilian deaths, more than the best estimate of "
                f"{best[row].as_py()} deaths; expected deaths_civilians no larger than best "
                "(best counts every death of the event, civilians included)",
                "civilian_deaths",
            )
    iso3 = None
    if "country_id" in present:
        iso3 = _map(_whole_number_text(text("country_id")), GW_TO_ISO3).dictionary_encode()
    columns: dict[str, pa.Array | None] = {
        "event_id": event_id,
        "date_start": start,
        "date_end": end,
        "date_precision": precision,
        "country": optional("country"),
        "iso3": iso3,
        "admin1": optional("adm_1"),
        "admin2": optional("adm_2"),
        "location": tab.blank_to_null(text("where_coordinates"))
        if "where_coordinates" in present
        else None,
        **tab.coordinates(batch, text, present),
        "event_type": _map(tov, TYPE_OF_VIOLENCE).dictionary_encode(),
        **_side(text("side_a"), "actor1", "assoc_actor1"),
        **_side(text("side_b"), "actor2", "assoc_actor2"),
        "civilian_victims": pc.equal(tov, "3"),
        "fatalities": best,
        "fatalities_low": counts("low"),
        "fatalities_high": counts("high"),
        "civilian_fatalities": civilians,
        "notes": tab.blank_to_null(text("source_article"), trim=False)
        if "source_article" in present
        else None,
    }
    return {k: v for k, v in columns.items() if v is not None}


def _rows(meta: tab.CsvTable, columns: dict[str, pa.ChunkedArray]) -> pd.DataFrame:
    frame = tab.events_frame(meta, columns, source="ucdp")
    dup = frame["event_id"].duplicated(keep=False)
    if dup.any():
        content = [c for c in frame.columns if c != "origin"]
        distinct = frame.loc[dup.to_numpy(dtype=bool)].drop_duplicates(subset=content)
        clash = distinct["event_id"].duplicated(keep="first").to_numpy()
        if clash.any():
            row = int(distinct.index[clash][0])
            raise meta.error(
                row,
                "id",
                f"event id {frame['event_id'].iloc[row]!r} appears more than once with different "
                "content; expected unique ids",
                "conflicting_duplicate",
            )
        frame = frame.drop_duplicates(subset=content).reset_index(drop=True)
    return check_events(conform_events(frame), where=str(meta.raw.path))


def _r_table(raw: tab.RawFile) -> tab.CsvTable:
    import pyreadr

    try:
        objects = pyreadr.read_r(str(raw.path))
    except Exception as exc:  # pyreadr raises its own error types
        raise tab.unreadable(raw, "R data file", exc) from None
    frames = [(name, obj) for name, obj in objects.items() if isinstance(obj, pd.DataFrame)]
    if not frames:
        raise DataError("the R data file holds no data frame", file=raw.path, rule="wrong_kind")
    chosen = next(
        ((name, obj) for name, obj in frames if {"best", "type_of_violence"} <= set(obj.columns)),
        frames[0],
    )
    name, frame = chosen
    label = name if name not in (None, "None", "") else "rds"
    if frame.empty:
        raise DataError(f"the data frame {label!r} has no rows", file=raw.path, rule="empty")
    return tab.frame_table(raw, frame, label=label, base=1)


def _parse_file(raw: tab.RawFile, sniffed: Sniffed) -> pd.DataFrame:
    if sniffed.format == "json":
        raise DataError(
            "a JSON file; UCDP GED files are CSV, R data (.rda/.rds), xlsx or parquet (read the "
            "ACLED API's JSON with read_acled)",
            file=raw.path,
            rule="wrong_kind",
        )
    if sniffed.format in ("rda", "rds", "xlsx", "parquet"):
        meta = (
            _r_table(raw)
            if sniffed.format in ("rda", "rds")
            else frame_input(raw, sniffed, wanted={"best", "side_a"})
        )
        _require(meta)
        columns = {k: pa.chunked_array([v]) for k, v in _convert(meta.whole()).items()}
    else:
        meta, columns = tab.read_csv_columns(
            raw,
            _convert,
            include=_WANTED,
            hxl=True,
            check_header=_require,
            dictionary_columns=("country", "adm_1", "adm_2"),
        )
    return _rows(meta, columns)


def _restore(frame: pd.DataFrame) -> pd.DataFrame:
    return check_events(conform_events(frame))


def read_ucdp_ged(
    path: PathLike,
    *,
    cache: bool = True,
    cache_dir: PathLike | None = None,
    actor_table: PathLike | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read a UCDP GED file (CSV, candidate release, or R data) into the canonical event table.

    Parameters
    ----------
    path
        A GED or GED candidate CSV (comma, semicolon or tab separated; plain, gzip-compressed
        or alone in a zip), an R data file (``.rda``, ``.RData``, ``.rds``), an Excel workbook
        or a parquet file; the form is read from the content, not the name.
    cache, cache_dir
        As for :func:`analysis.read_acled`.
    actor_table
        The actor table (default ``data/hand/actors.csv``); UCDP's ``side_a`` is ``actor1``.

    Returns
    -------
    pandas.DataFrame
        The canonical event table with ``source`` = ``"ucdp"``; ``fatalities``,
        ``fatalities_low`` and ``fatalities_high`` are UCDP's ``best``, ``low`` and ``high``;
        ``civilian_fatalities`` is ``deaths_civilians``; ``actor1`` is the first actor named in
        ``side_a`` and ``assoc_actor1`` the others (UCDP separates them with commas), likewise
        ``actor2``/``assoc_actor2`` from ``side_b``; ``event_type`` is the type of
        violence in words; ``location`` is ``where_coordinates``; ``notes`` is
        ``source_article``; ``iso3`` comes from the Gleditsch-Ward ``country_id`` for Mali and
        its neighbours (:data:`GW_TO_ISO3`), missing elsewhere.

    Notes
    -----
    Civilian victims follow UCDP's definitions: ``civilian_victims`` is true for one-sided
    violence (``type_of_violence`` 3, "the use of armed force by the government of a state or by
    a formally organised group against civilians"), and ``civilian_fatalities`` counts civilian
    deaths in any type of event (``deaths_civilians``), never more than ``best`` (which
    sums the deaths of both sides, of civilians and of unknown status). Dates: UCDP's ``date_prec`` 1 is a day,
    2-3 a week, 4 a month, 5 a year or more. Checks: ``date_start <= date_end``, counts are
    non-negative whole numbers, ids are unique (exact duplicate rows collapse). ``best`` is not
    required to lie within ``[low, high]``: published GED releases contain a few events where it
    does not, and they are kept as published.

    References
    ----------
    Sundberg, R. and Melander, E. (2013). Introducing the UCDP Georeferenced Event Dataset.
    Journal of Peace Research 50(4). UCDP GED Codebook (version 23.1).

    Examples
    --------
    >>> ged = read_ucdp_ged("data/raw/ucdp/GEDEvent_v23_1.csv")  # doctest: +SKIP
    >>> ged[ged.iso3 == "MLI"].groupby(ged.date_start.dt.year).civilian_fatalities.sum()  # doctest: +SKIP
    """
    from analysis.harmonize.actors import harmonize_actors

    raw, sniffed = open_input(Path(path), cache_dir=cache_dir)
    events = cached_frame(
        "ucdp",
        raw,
        lambda: _parse_file(raw, sniffed),
        restore=_restore,
        options={"name": raw.name},
        cache=cache,
        cache_dir=cache_dir,
    )
    return check_events(harmonize_actors(events, table=actor_table))
