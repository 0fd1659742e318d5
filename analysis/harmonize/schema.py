"""The canonical event table: one definition of its columns, used by every reader.

Every reader of event exports (:func:`analysis.read_acled`, :func:`analysis.read_ucdp_ged`)
returns a DataFrame with exactly the columns of :data:`EVENT_COLUMNS`, in that order and with
those dtypes, and checks it with :func:`check_events` before handing it back. The parquet cache
stores frames of this shape and is keyed on :data:`SCHEMA_VERSION`: bump it whenever a column,
a dtype or the meaning of a value changes, and every cached file is re-read.

Columns
-------
source
    ``"acled"`` or ``"ucdp"`` (categorical).
event_id
    The source's event identifier (ACLED ``event_id_cnty``; UCDP ``id``).
date_start, date_end
    First and last day of the event (``datetime64[s]``, midnight). ACLED gives one date, so both
    are equal; UCDP gives a range.
date_precision
    How precisely the date is known, on one scale for both sources (categorical, ordered):
    ``day`` < ``week`` < ``month`` < ``year``. ACLED ``time_precision`` 1/2/3 -> day/week/month;
    UCDP ``date_prec`` 1 -> day, 2 and 3 -> week, 4 -> month, 5 -> year.
country, iso3, admin1, admin2, location
    Place names as the source writes them (categorical, except ``location``).
latitude, longitude
    Decimal degrees (``float64``; missing as NaN).
event_type, sub_event_type
    ACLED's event type and sub-event type, with the pre-2019 event types renamed to the current
    ones (see :mod:`analysis.sources.acled`); for UCDP the type of violence in words
    (``state-based``, ``non-state``, ``one-sided``) and no sub-type.
actor1, assoc_actor1, actor2, assoc_actor2
    Actor names as the source writes them; associated actors are ``"; "``-separated lists.
    UCDP's ``side_a`` and ``side_b`` are ``actor1`` and ``actor2``.
perpetrator_group
    The perpetrating side's group from the actor table ``data/hand/actors.csv`` (see
    :mod:`analysis.harmonize.actors` for the vocabulary); missing where the table has no entry.
wagner_involved
    True where any actor field names the Wagner Group, Africa Corps or other Russian forces.
civilian_victims
    True where the source counts the event as targeting civilians (ACLED: violence against
    civilians or ``civilian_targeting``; UCDP: one-sided violence, ``type_of_violence`` 3).
fatalities, fatalities_low, fatalities_high
    Reported deaths: ACLED's single figure, UCDP's ``best``, ``low`` and ``high`` (``Int64``;
    ACLED has no low/high, so they are missing).
civilian_fatalities
    Civilian deaths where the source defines them (UCDP ``deaths_civilians``); missing for ACLED.
notes
    The source's description of the event.
source_timestamp
    When the source last changed the row (ACLED ``timestamp``, UTC); missing for UCDP.
origin
    ``"<file name>:<line>"`` of the input row (1-based physical line, header = line 1), or
    ``"<file name>:data[<i>]"`` for JSON and ``"<file name>:<object>[<i>]"`` for R data files.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.sources.tallies import PERPETRATOR_GROUPS as _TALLY_GROUPS

__all__ = [
    "SCHEMA_VERSION",
    "EVENT_COLUMNS",
    "DATE_PRECISIONS",
    "PERPETRATOR_GROUPS",
    "HDX_COLUMNS",
    "event_dtypes",
    "arrow_event_schema",
    "empty_events",
    "conform_events",
    "check_events",
]

#: Bump when a column, dtype or the meaning of a value changes (invalidates the parquet cache).
SCHEMA_VERSION = "events-4"

DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "year")

#: The perpetrator-group vocabulary: the evidence table's (documented in ``data/tallies/README.md``)
#: without its ``all``, plus ``civilians`` (as a victim side) and ``other``; see ``data/hand/README.md``.
PERPETRATOR_GROUPS: tuple[str, ...] = (
    *(group for group in _TALLY_GROUPS if group != "all"),
    "civilians",
    "other",
)

_STR = "str"
_CAT = "category"

#: column -> dtype of the canonical event table, in order.
EVENT_COLUMNS: dict[str, str] = {
    "source": _CAT,
    "event_id": _STR,
    "date_start": "datetime64[s]",
    "date_end": "datetime64[s]",
    "date_precision": _CAT,
    "country": _CAT,
    "iso3": _CAT,
    "admin1": _CAT,
    "admin2": _CAT,
    "location": _STR,
    "latitude": "float64",
    "longitude": "float64",
    "event_type": _CAT,
    "sub_event_type": _CAT,
    "actor1": _CAT,
    "assoc_actor1": _CAT,
    "actor2": _CAT,
    "assoc_actor2": _CAT,
    "perpetrator_group": _CAT,
    "wagner_involved": "bool",
    "civilian_victims": "bool",
    "fatalities": "Int64",
    "fatalities_low": "Int64",
    "fatalities_high": "Int64",
    "civilian_fatalities": "Int64",
    "notes": _STR,
    "source_timestamp": "datetime64[s, UTC]",
    "origin": _STR,
}

#: column -> dtype of the table :func:`analysis.read_hdx_aggregates` returns.
HDX_COLUMNS: dict[str, str] = {
    "indicator": _CAT,
    "country": _CAT,
    "iso3": _CAT,
    "admin1": _CAT,
    "admin2": _CAT,
    "admin1_pcode": _CAT,
    "admin2_pcode": _CAT,
    "admin_level": "Int8",
    "month": "datetime64[s]",
    "events": "Int64",
    "fatalities": "Int64",
    "origin": _STR,
}

_FIXED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "source": ("acled", "ucdp"),
    "date_precision": DATE_PRECISIONS,
    "perpetrator_group": PERPETRATOR_GROUPS,
}


def arrow_event_schema():
    """The canonical event columns as an Arrow schema (categoricals as dictionaries).

    Readers that build the table in Arrow use it so that every batch, and the parquet cache
    entry written from them, has exactly these types.
    """
    import pyarrow as pa

    text = pa.string()
    category = pa.dictionary(pa.int32(), text)
    types = {
        "str": text,
        "category": category,
        "datetime64[s]": pa.timestamp("s"),
        "datetime64[s, UTC]": pa.timestamp("s", tz="UTC"),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "Int64": pa.int64(),
    }
    return pa.schema([(name, types[dtype]) for name, dtype in EVENT_COLUMNS.items()])


def event_dtypes() -> dict[str, object]:
    """Return the pandas dtype of every canonical column (fixed categories spelled out)."""
    out: dict[str, object] = {}
    for name, dtype in EVENT_COLUMNS.items():
        if name in _FIXED_CATEGORIES:
            out[name] = pd.CategoricalDtype(
                list(_FIXED_CATEGORIES[name]), ordered=name == "date_precision"
            )
        else:
            out[name] = pd.api.types.pandas_dtype(dtype)
    return out


def empty_events() -> pd.DataFrame:
    """An event table with no rows and every canonical column."""
    return conform_events(pd.DataFrame({name: [] for name in EVENT_COLUMNS}))


def _convert(series: pd.Series, name: str, dtype: object) -> pd.Series:
    if isinstance(dtype, pd.CategoricalDtype):
        if dtype.categories is not None and len(dtype.categories):
            return series.astype(dtype)
        return series.astype("category")
    if name in ("date_start", "date_end"):
        if not pd.api.types.is_datetime64_dtype(series.dtype):
            series = pd.to_datetime(series)
        return series.astype("datetime64[s]")
    if name == "source_timestamp":
        if not isinstance(series.dtype, pd.DatetimeTZDtype):
            series = pd.to_datetime(series, utc=True)
        return series.astype("datetime64[s, UTC]")
    return series.astype(dtype)


def _missing(n: int, dtype: object, index: pd.Index) -> pd.Series:
    """A column of ``n`` missing values of ``dtype``, built without per-element work."""
    if isinstance(dtype, pd.CategoricalDtype):
        if dtype.categories is None or not len(dtype.categories):
            dtype = pd.CategoricalDtype(pd.Index([], dtype="str"))
        values = pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=dtype)
        return pd.Series(values, index=index)
    if dtype == np.dtype(bool):
        return pd.Series(np.zeros(n, dtype=bool), index=index)
    if isinstance(dtype, pd.Int64Dtype):
        return pd.Series(
            pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)),
            index=index,
        )
    if isinstance(dtype, pd.DatetimeTZDtype):
        naive = pd.Series(np.full(n, np.datetime64("NaT", "s")), index=index)
        return naive.dt.tz_localize(dtype.tz)
    if np.dtype("M8[s]") == dtype:
        return pd.Series(np.full(n, np.datetime64("NaT", "s")), index=index)
    if dtype == np.dtype("float64"):
        return pd.Series(np.full(n, np.nan), index=index)
    return pd.Series(np.full(n, np.nan, dtype=object), index=index).astype(dtype)


def _same(have: object, want: object) -> bool:
    if isinstance(want, pd.CategoricalDtype):
        if not isinstance(have, pd.CategoricalDtype):
            return False
        if want.categories is None or not len(want.categories):
            return True
        return list(have.categories) == list(want.categories) and have.ordered == want.ordered
    return have == want


def conform_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Put ``frame`` into the canonical shape: columns in order, canonical dtypes.

    Missing columns are added as missing values; extra columns are dropped. Values are not
    validated here (the readers do that with line numbers); use :func:`check_events` to check.
    """
    dtypes = event_dtypes()
    columns: dict[str, pd.Series] = {}
    n = len(frame)
    for name, dtype in dtypes.items():
        if name in frame.columns:
            series = frame[name]
            if not _same(series.dtype, dtype):
                series = _convert(series, name, dtype)
            if isinstance(series.dtype, pd.CategoricalDtype) and not len(series.cat.categories):
                series = _missing(n, dtype, frame.index)  # all missing: one spelling of empty
        else:
            series = _missing(n, dtype, frame.index)
        columns[name] = series
    out = pd.DataFrame(columns, copy=False)
    out.index = pd.RangeIndex(len(out))
    return out


def check_events(frame: pd.DataFrame, *, where: str | None = None) -> pd.DataFrame:
    """Check that ``frame`` has the canonical columns, order and dtypes; return it unchanged.

    Raises
    ------
    DataError
        Naming the first column that is missing, extra, out of order or of the wrong dtype.
    """
    return _check(frame, event_dtypes(), where=where)


def check_hdx(frame: pd.DataFrame, *, where: str | None = None) -> pd.DataFrame:
    """Check that ``frame`` has the columns and dtypes of :data:`HDX_COLUMNS`."""
    dtypes = {name: pd.api.types.pandas_dtype(d) for name, d in HDX_COLUMNS.items()}
    return _check(frame, dtypes, where=where)


def _check(frame: pd.DataFrame, dtypes: Mapping[str, object], *, where: str | None) -> pd.DataFrame:
    expected = list(dtypes)
    actual = list(frame.columns)
    if actual != expected:
        missing = [c for c in expected if c not in actual]
        extra = [c for c in actual if c not in expected]
        detail = (
            f"missing {missing}" if missing else f"unexpected {extra}" if extra else "out of order"
        )
        raise DataError(
            f"table does not have the canonical columns ({detail}); expected {expected}",
            file=where,
            rule="schema",
        )
    for name, dtype in dtypes.items():
        have = frame[name].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            ok = isinstance(have, pd.CategoricalDtype) and (
                dtype.categories is None
                or not len(dtype.categories)
                or list(have.categories) == list(dtype.categories)
            )
        else:
            ok = have == dtype
        if not ok:
            raise DataError(
                f"column has dtype {have}, expected {dtype}",
                file=where,
                column=name,
                rule="schema",
            )
    return frame
