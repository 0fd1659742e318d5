"""ACLED event exports (CSV in every generation, and the API's JSON) -> the canonical event table.

Formats handled
---------------
* The current columns (with ``disorder_type`` and ``civilian_targeting``), older exports without
  them, and the oldest schema without ``sub_event_type`` (event types such as
  ``"Battle-No change of territory"``, renamed here to the current ones).
* Dyadic exports (``actor1``/``actor2`` on one row) and monadic exports (one row per actor, no
  ``actor2`` column): monadic rows of one event are folded back into one event; the first row's
  actor is ``actor1`` (ACLED writes the rows in the order actor1, actor2), the second row's is
  ``actor2``, and any further actors are added to ``assoc_actor2``.
* The HXL hashtag row (``#event+code``, ``#date+occurred``, ...) some exports carry under the
  header; column names in any case; dates as ``2020-12-31``, ``31 December 2020`` or
  ``15-July-2022``.
* The JSON the ACLED API returns (an object whose ``data`` array holds one object per event), or a
  bare array of such objects.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import DataError
from analysis.harmonize.schema import (
    EVENT_COLUMNS,
    arrow_event_schema,
    check_events,
    conform_events,
)
from analysis.sources import _tabular as tab
from analysis.sources.cache import EarlyWrite, cached_frame
from analysis.sources.formats import Sniffed, frame_input, open_input

__all__ = ["read_acled", "read_deletions", "OLD_EVENT_TYPES"]

PathLike = str | os.PathLike[str]

_WANTED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "civilian_targeting",
    "country",
    "iso3",
    "iso",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "notes",
    "fatalities",
    "timestamp",
)
#: parsed straight into dictionary arrays by the CSV reader (categorical in the result)
_ENCODED = (
    "time_precision",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "iso3",
    "iso",
    "admin1",
    "admin2",
)
_REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1", "country", "fatalities")
_ALIASES = {
    "assoc_actor1": "assoc_actor_1",
    "assoc_actor2": "assoc_actor_2",
    "event_id": "event_id_cnty",
    "eventid_cnty": "event_id_cnty",
}

#: Event types of ACLED's schema before 2019 -> (current event type, sub-event type or None).
OLD_EVENT_TYPES: dict[str, tuple[str, str | None]] = {
    "Battle-No change of territory": ("Battles", "Armed clash"),
    "Battle-Non-state actor overtakes territory": (
        "Battles",
        "Non-state actor overtakes territory",
    ),
    "Battle-Government regains territory": ("Battles", "Government regains territory"),
    "Remote violence": ("Explosions/Remote violence", None),
    "Strategic development": ("Strategic developments", None),
    "Non-violent transfer of territory": (
        "Strategic developments",
        "Non-violent transfer of territory",
    ),
    "Headquarters or base established": (
        "Strategic developments",
        "Headquarters or base established",
    ),
}
_PRECISION = {"1": "day", "2": "week", "3": "month"}
#: ISO 3166 numeric (ACLED ``iso``) -> alpha-3, for Mali and its region; used when an export
#: has no ``iso3`` column (current exports do not).
ISO_NUMERIC_TO_ISO3: dict[str, str] = {
    "466": "MLI",
    "854": "BFA",
    "562": "NER",
    "478": "MRT",
    "686": "SEN",
    "324": "GIN",
    "384": "CIV",
    "12": "DZA",
    "148": "TCD",
    "566": "NGA",
    "204": "BEN",
    "768": "TGO",
    "288": "GHA",
    "434": "LBY",
    "504": "MAR",
}
_VAC = "Violence against civilians"
#: without a ``civilian_targeting`` column, these types count when actor2 is civilians
_CIVILIAN_TARGET_TYPES = ("Explosions/Remote violence", "Riots")


def _map_text(values: pa.Array, mapping: dict[str, str | None]) -> pa.Array:
    """Replace each value by ``mapping[value]`` (values not in the mapping are kept)."""
    encoded = values.dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    new = pa.array([mapping.get(v, v) if v is not None else None for v in dictionary], pa.string())
    return pc.take(new, encoded.indices)


_LARGEST_TIMESTAMP = 10**11
"""Seconds since 1970 stay below 10**11 until the year 5138; milliseconds pass it in 1973."""


def _iso3(batch: tab.Batch) -> pa.Array | None:
    if "iso3" in batch.present:
        return tab.dictionary(batch.text("iso3"))
    if "iso" in batch.present:
        number = tab.dictionary(batch.text("iso"))
        words = [
            ISO_NUMERIC_TO_ISO3.get(str(w).split(".")[0].lstrip("0") or "0")
            for w in number.dictionary.to_pylist()
        ]
        return pc.take(pa.array(words, pa.string()), number.indices).dictionary_encode()
    return None


def _require(table: tab.CsvTable) -> None:
    missing = [name for name in _REQUIRED if name not in table.columns]
    if not missing:
        return
    kind = tab.sniff_kind(table.columns)
    hint = ""
    if kind and kind != "an ACLED event export":
        hint = f"; this looks like {kind}, not an ACLED export"
        if "UCDP" in kind:
            hint += " (read it with read_ucdp_ged)"
        elif "HDX" in kind:
            hint += " (read it with read_hdx_aggregates)"
    raise DataError(
        f"missing required column(s) {missing}; an ACLED export needs {list(_REQUIRED)}{hint}",
        file=table.raw.path,
        line=None if table.json_records else 1,
        column=missing[0],
        rule="required" if not hint else "wrong_kind",
    )


def _first(mask: pa.Array) -> int:
    return int(pc.index(mask, True).as_py())


def _convert(batch: tab.Batch) -> dict[str, pa.Array]:
    """Text of one batch of rows -> canonical arrays (checked; line numbers on failure)."""
    present = batch.present
    text, optional = batch.text, batch.optional_dictionary
    event_id = tab.blank_to_null(text("event_id_cnty"))
    if event_id.null_count:
        raise batch.error(
            _first(pc.is_null(event_id)), "event_id_cnty", "missing event id", "required"
        )
    date = tab.parse_dates(text("event_date"), table=batch, column="event_date")
    event_type = tab.blank_to_null(text("event_type"))
    if event_type.null_count:
        raise batch.error(
            _first(pc.is_null(event_type)), "event_type", "missing event type", "required"
        )
    sub_event_type = tab.dictionary(text("sub_event_type")) if "sub_event_type" in present else None
    old = pc.is_in(event_type, value_set=pa.array(list(OLD_EVENT_TYPES)))
    if pc.any(old).as_py():
        new_sub = _map_text(event_type, {k: v[1] for k, v in OLD_EVENT_TYPES.items()})
        new_sub = pc.if_else(old, new_sub, pa.scalar(None, pa.string()))
        if sub_event_type is not None:
            new_sub = pc.coalesce(sub_event_type.cast(pa.string()), new_sub)
        sub_event_type = new_sub.dictionary_encode()
        event_type = _map_text(event_type, {k: v[0] for k, v in OLD_EVENT_TYPES.items()})
    if "inter1" in present:
        # the old "Riots/Protests" type, split as ACLED now does by the actor's type
        combined = pc.equal(event_type, "Riots/Protests")
        if pc.any(combined).as_py():
            inter1 = tab.blank_to_null(text("inter1"))
            for code, name in (("6", "Protests"), ("5", "Riots")):
                hit = pc.and_(combined, pc.fill_null(pc.equal(inter1, code), False))
                event_type = pc.if_else(hit, name, event_type)
    precision = None
    if "time_precision" in present:
        raw_precision = tab.dictionary(text("time_precision"))
        words = raw_precision.dictionary.to_pylist()
        unknown = [w for w in words if w not in _PRECISION]
        if unknown:
            bad = pc.is_in(raw_precision.cast(pa.string()), value_set=pa.array(unknown))
            row = _first(pc.fill_null(bad, False))
            raise batch.error(
                row,
                "time_precision",
                f"unknown time precision {unknown[0]!r}; expected 1, 2 or 3",
                "allowed_values",
            )
        precision = pa.DictionaryArray.from_arrays(
            raw_precision.indices, pa.array([_PRECISION[w] for w in words], pa.string())
        )
    columns: dict[str, pa.Array | None] = {
        "event_id": event_id,
        "date_start": date,
        "date_precision": precision,
        "country": tab.dictionary(text("country")),
        "iso3": _iso3(batch),
        "admin1": optional("admin1"),
        "admin2": optional("admin2"),
        "location": tab.blank_to_null(text("location")) if "location" in present else None,
        **tab.coordinates(batch, text, present),
        "event_type": event_type.dictionary_encode(),
        "sub_event_type": sub_event_type,
        "actor1": tab.dictionary(text("actor1")),
        "assoc_actor1": optional("assoc_actor_1"),
        "actor2": optional("actor2"),
        "assoc_actor2": optional("assoc_actor_2"),
        "fatalities": tab.parse_counts(text("fatalities"), table=batch, column="fatalities"),
        "notes": tab.blank_to_null(text("notes"), trim=False) if "notes" in present else None,
    }
    if "timestamp" in present:
        seconds = tab.parse_counts(
            text("timestamp"), table=batch, column="timestamp", required=False
        )
        too_big = pc.fill_null(pc.greater_equal(seconds, _LARGEST_TIMESTAMP), False)
        if pc.any(too_big).as_py():
            row = _first(too_big)
            raise batch.error(
                row,
                "timestamp",
                f"timestamp {seconds[row].as_py()} is too large for seconds since 1970 (it looks "
                "like milliseconds); expected seconds, as ACLED writes them",
                "timestamp",
            )
        columns["source_timestamp"] = pc.cast(seconds, pa.timestamp("s", tz="UTC"))
    if "civilian_targeting" in present:
        columns["_civilian_targeting"] = pc.is_valid(tab.blank_to_null(text("civilian_targeting")))
    return {name: value for name, value in columns.items() if value is not None}


def _frame(meta: tab.CsvTable, columns: dict[str, pa.ChunkedArray]) -> pd.DataFrame:
    """The converted columns of a whole file as one DataFrame (one row per input row)."""
    frame = tab.events_frame(meta, columns, source="acled")
    frame["date_end"] = frame["date_start"].copy()  # ACLED dates an event by one day
    if "_civilian_targeting" in frame:
        frame["_civilian_targeting"] = frame["_civilian_targeting"].to_numpy(dtype=bool)
    return frame


def _fold_monadic(frame: pd.DataFrame, table: tab.CsvTable) -> pd.DataFrame:
    """Fold one-row-per-actor rows back into one row per event (see the module docstring)."""
    codes, _ = pd.factorize(frame["event_id"], sort=False)
    n_events = int(codes.max()) + 1 if len(codes) else 0
    if n_events == len(frame):
        return frame
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    first_idx = order[starts]
    pos_sorted = np.arange(len(codes)) - np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    pos = np.empty(len(codes), dtype=np.int64)
    pos[order] = pos_sorted
    reference = first_idx[codes]
    varying = {"actor1", "assoc_actor1", "origin"}
    for name in frame.columns:
        if name in varying:
            continue
        values = frame[name]
        ref = values.take(reference).set_axis(values.index)
        differs = values.ne(ref).fillna(True).to_numpy(dtype=bool) & ~(
            values.isna().to_numpy() & ref.isna().to_numpy()
        )
        if differs.any():
            row = int(np.flatnonzero(differs)[0])
            first_row = int(reference[row])
            raise table.error(
                row,
                "event_id_cnty",
                f"rows of the monadic event {frame['event_id'].iloc[row]!r} disagree on "
                f"{name!r}: {values.iloc[row]!r} here, {values.iloc[first_row]!r} on line "
                f"{table.line_of(first_row)}; expected one event's rows to differ only in the actor",
                "conflicting_duplicate",
            )
    out = frame.iloc[first_idx].reset_index(drop=True)
    actor2 = np.full(n_events, None, dtype=object)
    assoc2 = np.full(n_events, None, dtype=object)
    second = np.flatnonzero(pos == 1)
    actor1_values = frame["actor1"].astype(object).where(frame["actor1"].notna(), None).to_numpy()
    assoc1_values = (
        frame["assoc_actor1"].astype(object).where(frame["assoc_actor1"].notna(), None).to_numpy()
        if "assoc_actor1" in frame
        else np.full(len(frame), None, dtype=object)
    )
    # event code -> output row: out rows are in order of first appearance, i.e. code order
    actor2[codes[second]] = actor1_values[second]
    assoc2[codes[second]] = assoc1_values[second]
    for row in np.flatnonzero(pos >= 2):
        code = codes[row]
        extra = [v for v in (actor1_values[row], assoc1_values[row]) if v]
        parts = [assoc2[code]] if assoc2[code] else []
        assoc2[code] = "; ".join(parts + extra) or None
    out["actor2"] = pd.Categorical(actor2)
    out["assoc_actor2"] = pd.Categorical(assoc2)
    return out


def _civilian_victims(frame: pd.DataFrame) -> np.ndarray:
    event_type = frame["event_type"]
    vac = (event_type == _VAC).to_numpy(dtype=bool)
    if "_civilian_targeting" in frame:
        return vac | frame["_civilian_targeting"].to_numpy(dtype=bool)
    actor2 = frame["actor2"] if "actor2" in frame else pd.Series(pd.NA, index=frame.index)
    targets_civilians = actor2.astype("category").cat.categories.str.startswith("Civilians")
    codes = actor2.astype("category").cat.codes.to_numpy()
    on_civilians = np.where(codes >= 0, np.r_[targets_civilians, False][codes], False)
    return vac | (event_type.isin(_CIVILIAN_TARGET_TYPES).to_numpy(dtype=bool) & on_civilians)


def _finish(frame: pd.DataFrame, table: tab.CsvTable) -> pd.DataFrame:
    monadic = "actor2" not in table.columns
    if monadic:
        frame = _fold_monadic(frame, table)
    frame["civilian_victims"] = _civilian_victims(frame)
    frame = frame.drop(columns=[c for c in frame.columns if c not in EVENT_COLUMNS])
    frame = check_events(conform_events(frame), where=str(table.raw.path))
    return _deduplicate(frame, {table.raw.name: table.raw.path})


def _parse_file(
    raw: tab.RawFile, sniffed: Sniffed, early: EarlyWrite | None = None
) -> pd.DataFrame:
    if sniffed.format in ("rda", "rds"):
        raise DataError(
            "an R data file, the form UCDP publishes; an ACLED export is CSV, xlsx, parquet or "
            "the API's JSON (read UCDP files with read_ucdp_ged)",
            file=raw.path,
            rule="wrong_kind",
        )
    if sniffed.format in ("json", "xlsx", "parquet"):
        meta = (
            _json_table(raw)
            if sniffed.format == "json"
            else frame_input(raw, sniffed, wanted={"event_id_cnty", "event_date"})
        )
        if meta.table is not None and sniffed.format != "json":
            meta.table = meta.table.rename_columns(
                [_ALIASES.get(name, name) for name in meta.table.column_names]
            )
            meta.columns = meta.table.column_names
        _require(meta)
        columns = {k: pa.chunked_array([v]) for k, v in _convert(meta.whole()).items()}
    else:
        stream = _Stream(raw, early)
        meta, columns = tab.read_csv_columns(
            raw,
            _convert,
            include=_WANTED,
            aliases=_ALIASES,
            check_header=stream.header,
            dictionary_columns=_ENCODED,
            on_batch=stream.batch,
        )
        if stream.dyadic:  # the Arrow table is already the final one
            table = stream.finish(meta, columns)
            frame = check_events(
                conform_events(
                    table.to_pandas(
                        types_mapper={pa.int64(): pd.Int64Dtype()}.get, split_blocks=True
                    )
                ),
                where=str(raw.path),
            )
            unique = _deduplicate(frame, {raw.name: raw.path})
            if unique is not frame and early is not None:
                early.discard()
            return unique
    return _finish(_frame(meta, columns), meta)


class _Stream:
    """Builds a dyadic export's canonical Arrow batches as they are parsed, and streams them to
    the cache writer (assuming one line per record for ``origin``; checked at the end)."""

    def __init__(self, raw: tab.RawFile, early: EarlyWrite | None) -> None:
        self.raw = raw
        self.early = early
        self.meta: tab.CsvTable | None = None
        self.dyadic = False
        self.batches: list[pa.RecordBatch] = []
        self.sink = None

    def header(self, meta: tab.CsvTable) -> None:
        _require(meta)
        self.meta = meta
        self.dyadic = "actor2" in meta.columns
        if self.dyadic and self.early is not None:
            self.sink = self.early.stream(arrow_event_schema())

    def batch(self, arrays: Mapping[str, pa.Array], start: int) -> None:
        if not self.dyadic:
            return
        assert self.meta is not None
        n = len(arrays["event_id"])
        lines = np.arange(start, start + n, dtype=np.int64) + self.meta.first_line
        record = _canonical_batch(arrays, n, tab.origin_array(self.raw.name, lines))
        self.batches.append(record)
        if self.sink is not None:
            self.sink.put(record)

    def finish(self, meta: tab.CsvTable, columns: dict[str, pa.ChunkedArray]) -> pa.Table:
        if meta.num_rows == 0:
            if self.sink is not None and self.early is not None:
                self.early.discard()
            raise DataError(
                "the file has a header but no events", file=meta.raw.path, line=2, rule="empty"
            )
        table = pa.Table.from_batches(self.batches, schema=arrow_event_schema())
        if meta.simple_lines:
            if self.sink is not None:
                self.sink.close()
            return table
        # line breaks inside quoted values: origins from the exact record starts
        if self.early is not None:
            self.early.discard()
        position = table.schema.get_field_index("origin")
        return table.set_column(position, "origin", meta.origins())


def _canonical_batch(arrays: Mapping[str, pa.Array], n: int, origin: pa.Array) -> pa.RecordBatch:
    """One batch of the canonical event table, in Arrow (see :func:`arrow_event_schema`)."""
    event_type = arrays["event_type"]
    civilian = _flags(event_type, lambda words: pc.equal(words, _VAC))
    if "_civilian_targeting" in arrays:
        civilian = pc.or_(civilian, arrays["_civilian_targeting"])
    elif "actor2" in arrays:
        on_civilians = _flags(arrays["actor2"], lambda words: pc.starts_with(words, "Civilians"))
        targeted = _flags(
            event_type, lambda words: pc.is_in(words, value_set=pa.array(_CIVILIAN_TARGET_TYPES))
        )
        civilian = pc.or_(civilian, pc.and_(on_civilians, targeted))
    derived = {
        "source": pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(n, np.int32)), pa.array(["acled"])
        ),
        "date_end": arrays["date_start"],
        "civilian_victims": civilian,
        "wagner_involved": pa.array(np.zeros(n, dtype=bool)),
        "origin": origin,
    }
    schema = arrow_event_schema()
    values = []
    for field in schema:
        value = derived.get(field.name, arrays.get(field.name))
        if value is None:
            value = pa.nulls(n, field.type)
        elif value.type != field.type:
            value = value.cast(field.type)
        values.append(value)
    return pa.record_batch(values, schema=schema)


def _flags(array: pa.Array, test: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply a test to a dictionary array's (small) dictionary and spread it over the rows."""
    if not isinstance(array, pa.DictionaryArray):
        array = array.dictionary_encode()
    return pc.fill_null(pc.take(test(array.dictionary), array.indices), False)


def _json_table(raw: tab.RawFile) -> tab.CsvTable:
    data = raw.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        tab.check_utf8(raw)
        raise
    payload = tab.read_json(text, raw.path, 'the ACLED API\'s response {"data": [...]}')
    records = payload.get("data") if isinstance(payload, dict) else payload
    if not isinstance(records, list):
        raise DataError(
            'expected the ACLED API\'s response, an object with a "data" array of events',
            file=raw.path,
            line=1,
            column="data",
            rule="json",
        )
    if not records:
        raise DataError("the JSON holds no events (empty data array)", file=raw.path, rule="empty")
    return tab.json_table(raw, records, aliases=_ALIASES)


def read_deletions(path: PathLike) -> set[str]:
    """Event ids from ACLED's deleted-events file (column ``event_id_cnty``)."""
    raw = tab.scan_file(path)
    table = tab.read_csv_text(raw, include=("event_id_cnty",), aliases=_ALIASES)
    if "event_id_cnty" not in table.columns:
        raise DataError(
            "a deletions file needs an event_id_cnty column",
            file=raw.path,
            line=1,
            column="event_id_cnty",
            rule="required",
        )
    ids = tab.blank_to_null(table.text("event_id_cnty")).drop_null()
    return set(ids.to_pylist())


def _deletion_ids(deletions: PathLike | Iterable[str] | None) -> set[str]:
    """The event ids to drop: a single text is always a file's path, never an id (a name
    such as ``deleted.txt`` must not pass for an event id and silently delete nothing)."""
    if deletions is None:
        return set()
    if isinstance(deletions, str | os.PathLike):
        return read_deletions(deletions)
    if isinstance(deletions, pd.DataFrame):
        if "event_id_cnty" not in deletions:
            raise ValueError("a deletions table needs an event_id_cnty column")
        return set(deletions["event_id_cnty"].dropna().astype(str))
    return {str(d) for d in deletions}


_CONTENT = [c for c in EVENT_COLUMNS if c not in ("origin",)]


def _same_value(x: object, y: object) -> bool:
    x_missing, y_missing = bool(pd.isna(x)), bool(pd.isna(y))
    if x_missing or y_missing:
        return x_missing and y_missing
    return bool(x == y)


def _deduplicate(frame: pd.DataFrame, paths: dict[str, Path]) -> pd.DataFrame:
    """Keep one row per event id: the latest ``source_timestamp``; identical rows collapse."""
    if frame["event_id"].is_unique:
        return frame
    dup = frame["event_id"].duplicated(keep=False).to_numpy()
    if not dup.any():
        return frame
    sub = frame.loc[dup]
    ts = sub["source_timestamp"]
    latest = ts.groupby(sub["event_id"], sort=False).transform("max")
    is_latest = (ts == latest).fillna(False) | (ts.isna() & latest.isna())
    candidates = sub.loc[is_latest.to_numpy(dtype=bool)]
    distinct = candidates.drop_duplicates(subset=_CONTENT)
    conflicting = distinct["event_id"].duplicated(keep=False).to_numpy()
    if conflicting.any():
        event = distinct.loc[conflicting, "event_id"].iloc[0]
        rows = distinct[distinct["event_id"] == event]
        a, b = rows.iloc[0], rows.iloc[1]
        column = next((c for c in _CONTENT if not _same_value(a[c], b[c])), None)
        name, _, line = str(b["origin"]).rpartition(":")
        raise DataError(
            f"event {event!r} appears more than once with different content "
            f"({column}: {a[column]!r} at {a['origin']}, {b[column]!r} here) and the same "
            "timestamp; expected duplicates to be identical or to differ in timestamp",
            file=paths.get(name, name),
            line=int(line) if line.isdigit() else None,
            column=column,
            rule="conflicting_duplicate",
        )
    keep = candidates.drop_duplicates(subset="event_id", keep="first").index
    drop = sub.index.difference(keep)
    return frame.drop(index=drop).reset_index(drop=True)


def _restore(frame: pd.DataFrame) -> pd.DataFrame:
    return check_events(conform_events(frame))


def _read_one(
    raw: tab.RawFile, sniffed: Sniffed, *, cache: bool, cache_dir: PathLike | None
) -> pd.DataFrame:
    return cached_frame(
        "acled",
        raw,
        lambda early: _parse_file(raw, sniffed, early),
        restore=_restore,
        options={"name": raw.name},
        cache=cache,
        cache_dir=cache_dir,
        early_write=True,
    )


def read_acled(
    path_or_paths: PathLike | Sequence[PathLike],
    *,
    deletions: PathLike | Collection[str] | None = None,
    cache: bool = True,
    cache_dir: PathLike | None = None,
    actor_table: PathLike | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read one or more ACLED exports into the canonical event table.

    Parameters
    ----------
    path_or_paths
        An export (any generation, dyadic or monadic, with or without the HXL row) as CSV
        (comma, semicolon or tab separated; plain, gzip-compressed or alone in a zip), as an
        Excel workbook or parquet file, or the JSON the ACLED API returns; or a list of them,
        concatenated. The form is read from the content, not the file name
        (:func:`analysis.sources.formats.sniff_format`).
    deletions
        Events ACLED has deleted since the export: a path to ACLED's deleted-events CSV (column
        ``event_id_cnty``) or a collection of event ids; a single string is always a path
        (a missing file is a :class:`DataError`, never taken for an id). Matching events are
        dropped.
    cache
        Read from and write to the parquet cache (see :mod:`analysis.sources.cache`).
    cache_dir
        Cache folder; default ``TALLIES_CACHE_DIR`` or ``data/processed/``.
    actor_table
        The actor table used for ``perpetrator_group`` and ``wagner_involved`` (a path or a
        frame from :func:`analysis.load_actor_table`); default ``data/hand/actors.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per event with the columns of
        :data:`analysis.harmonize.schema.EVENT_COLUMNS` (``source`` = ``"acled"``;
        ``fatalities_low``, ``fatalities_high`` and ``civilian_fatalities`` missing, since ACLED
        reports one figure and does not split civilian deaths).

    Notes
    -----
    *Duplicates.* Rows sharing an ``event_id_cnty`` (across files, or within one) are reduced
    to the row with the latest ``timestamp``; identical rows collapse into the first one; rows
    with the same timestamp but different content raise a :class:`DataError`.

    *Civilian victims.* ``civilian_victims`` follows ACLED's guidance: events of type
    "Violence against civilians", or flagged in ``civilian_targeting``. Exports older than that
    column do not say; there the flag is derived as type "Violence against civilians", or type
    "Explosions/Remote violence" or "Riots" with ``actor2`` a civilian group
    (``"Civilians (...)"``), which is how ACLED describes the flag.

    *Old event types* are renamed to the current ones (:data:`OLD_EVENT_TYPES`); the old
    "Riots/Protests" becomes "Protests" or "Riots" by the type of actor1 (``inter1`` 6 or 5).

    *Cache.* Each file's parsed table (monadic rows folded, duplicates within the file
    resolved) is cached by its sha256 and the schema version (see
    :mod:`analysis.sources.cache`); the actor mapping, de-duplication across files and deletions
    are applied after the cache, so editing the actor table needs no cache invalidation.

    *Performance.* A CSV is streamed in blocks and converted on worker threads; a 1,000,000-row
    export reads in about 1.3 times the time of ``pyarrow.csv.read_csv(...).to_pandas()`` with
    a peak memory of about 2.5 times the result, and from the cache in about a fifth of that
    (``benchmarks/ingest.py``).

    Examples
    --------
    >>> events = read_acled("data/raw/acled/mali.csv")  # doctest: +SKIP
    >>> events.groupby(events.date_start.dt.year).fatalities.sum()  # doctest: +SKIP
    """
    from analysis.harmonize.actors import harmonize_actors

    if isinstance(path_or_paths, (str, os.PathLike)):
        paths = [Path(path_or_paths)]
    else:
        paths = [Path(p) for p in path_or_paths]
    if not paths:
        raise ValueError("read_acled needs at least one file")
    remove = _deletion_ids(deletions)  # fail early on a bad deletions file
    frames = []
    by_name: dict[str, Path] = {}
    for path in paths:
        raw, sniffed = open_input(path, cache_dir=cache_dir)
        by_name[raw.name] = raw.path
        frames.append(_read_one(raw, sniffed, cache=cache, cache_dir=cache_dir))
    if len(frames) == 1:
        events = frames[0]  # duplicates within a file were resolved when it was parsed
    else:
        events = _deduplicate(conform_events(pd.concat(frames, ignore_index=True)), by_name)
    if remove:
        keep = ~events["event_id"].isin(remove).to_numpy(dtype=bool)
        events = events.loc[keep].reset_index(drop=True)
    events = harmonize_actors(events, table=actor_table)
    return check_events(events)
