"""Seeded generators of small SYNTHETIC files in every format the readers accept.

Every file written here is invented: the notes, source and terms-of-use fields say
``SYNTHETIC TEST DATA``. Place names are real Malian places and actor names follow ACLED's and
UCDP's naming, so the files exercise the actor table and the reports as real exports would,
but no count in them describes anything that happened.

The series spans 2019-2024 by default. From December 2021 the Malian military's events name
the Wagner Group (and, from June 2024, Africa Corps) as an associated actor in part of the
events, and some events have Wagner itself as actor1, so before/after reports have something
to find.

Public functions
----------------
:func:`synthetic_acled_events`
    The underlying event table (current ACLED columns, as text), the "truth" the writers
    serialise.
:func:`write_acled_csv`, :func:`write_acled_json`, :func:`write_acled_dyadic_31`
    ACLED exports: generations ``current``, ``no_disorder``, ``old_schema``; ``dyadic`` or
    ``monadic``; three date styles; with or without the HXL row; and the older 31-column
    dyadic export with its HXL row and long notes.
:func:`synthetic_ucdp_events`
    The UCDP GED event table the UCDP writers serialise (as the API's events, typed).
:func:`write_ucdp_ged_csv`, :func:`write_ucdp_ged_rdata`
    UCDP GED (or candidate) events as CSV, ``.rda`` or ``.rds``.
:func:`write_hdx_workbook`, :func:`write_hapi_csv`
    HDX's monthly aggregates (built from :func:`synthetic_acled_events`, so they agree with
    the ACLED files of the same seed) and the HAPI conflict-event CSV.

Every writer takes ``seed`` and is deterministic for a given seed, and writes through
:func:`analysis.files.atomic_write`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd

from analysis.files import atomic_write

__all__ = [
    "SYNTHETIC_LABEL",
    "synthetic_acled_events",
    "write_acled_csv",
    "write_acled_json",
    "write_acled_dyadic_31",
    "write_ucdp_ged_csv",
    "synthetic_ucdp_events",
    "write_ucdp_ged_rdata",
    "write_hdx_workbook",
    "write_hapi_csv",
    "WAGNER_ARRIVAL",
]

PathLike = str | os.PathLike[str]
Generation = Literal["current", "no_disorder", "old_schema"]
Layout = Literal["dyadic", "monadic"]
DateStyle = Literal["iso", "long", "dmy_month"]

SYNTHETIC_LABEL = "SYNTHETIC TEST DATA"
#: The month from which the generator names Wagner (the arrival is dated December 2021).
WAGNER_ARRIVAL = pd.Timestamp("2021-12-01")
_AFRICA_CORPS = pd.Timestamp("2024-06-01")

# admin1, admin2, location, latitude, longitude, admin1 pcode, admin2 pcode
_PLACES = [
    ("Mopti", "Bandiagara", "Bandiagara", 14.3500, -3.6100, "ML05", "ML0502"),
    ("Mopti", "Bankass", "Bankass", 14.0800, -3.5200, "ML05", "ML0503"),
    ("Mopti", "Djenne", "Djenne", 13.9060, -4.5530, "ML05", "ML0504"),
    ("Mopti", "Douentza", "Boni", 15.0500, -1.9500, "ML05", "ML0505"),
    ("Segou", "Niono", "Diabaly", 14.6900, -6.0100, "ML04", "ML0405"),
    ("Segou", "Macina", "Macina", 13.9600, -5.3600, "ML04", "ML0404"),
    ("Tombouctou", "Niafunke", "Niafunke", 15.9300, -3.9900, "ML06", "ML0605"),
    ("Gao", "Ansongo", "Ansongo", 15.6600, 0.5000, "ML07", "ML0701"),
    ("Menaka", "Menaka", "Menaka", 15.9200, 2.4000, "ML10", "ML1001"),
    ("Koulikoro", "Kati", "Kati", 12.7400, -8.0700, "ML02", "ML0204"),
]

_VAC = "Violence against civilians"
_ER = "Explosions/Remote violence"
# scenario: disorder_type, event_type, sub_event_type, actor1 kind, actor2 kind, mean deaths,
# weight
_SCENARIOS = [
    ("Political violence", _VAC, "Attack", "jnim", "civilians", 2.0, 14),
    ("Political violence", _VAC, "Attack", "isgs", "civilians", 3.0, 8),
    ("Political violence", _VAC, "Attack", "military", "civilians", 3.0, 10),
    ("Political violence", _VAC, "Abduction/forced disappearance", "jnim", "civilians", 0.0, 4),
    ("Political violence", _VAC, "Attack", "militia", "civilians", 2.5, 7),
    ("Political violence", _VAC, "Attack", "unidentified", "civilians", 1.5, 6),
    ("Political violence", "Battles", "Armed clash", "military", "jnim", 4.0, 14),
    ("Political violence", "Battles", "Armed clash", "isgs", "separatists", 5.0, 5),
    ("Political violence", "Battles", "Armed clash", "international", "jnim", 3.0, 4),
    (
        "Political violence",
        _ER,
        "Remote explosive/landmine/IED",
        "unidentified",
        "civilians",
        1.0,
        6,
    ),
    ("Political violence", _ER, "Air/drone strike", "military", "civilians", 2.0, 4),
    ("Political violence", _ER, "Remote explosive/landmine/IED", "jnim", "military", 2.0, 5),
    (
        "Strategic developments",
        "Strategic developments",
        "Looting/property destruction",
        "jnim",
        "civilians",
        0.0,
        4,
    ),
    ("Demonstrations", "Protests", "Peaceful protest", "protesters", "none", 0.0, 9),
]

_OLD_TYPES = {
    ("Battles", "Armed clash"): "Battle-No change of territory",
    (_ER, None): "Remote violence",
    ("Strategic developments", None): "Strategic development",
    ("Protests", None): "Riots/Protests",
}

_INTER = {
    "military": "1",
    "wagner": "8",
    "jnim": "2",
    "isgs": "2",
    "separatists": "2",
    "militia": "4",
    "unidentified": "3",
    "international": "8",
    "protesters": "6",
    "civilians": "7",
    "none": "",
}

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]

_HXL = {
    "event_id_cnty": "#event+code",
    "event_date": "#date+occurred",
    "year": "#date+year",
    "event_type": "#event+type",
    "actor1": "#group+name+first",
    "assoc_actor_1": "#group+name+first+assoc",
    "actor2": "#group+name+second",
    "assoc_actor_2": "#group+name+second+assoc",
    "region": "#region+name",
    "country": "#country+name",
    "admin1": "#adm1+name",
    "admin2": "#adm2+name",
    "admin3": "#adm3+name",
    "location": "#loc+name",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "source": "#meta+source",
    "notes": "#description",
    "fatalities": "#affected+killed",
    "iso3": "#country+code",
}


def _check(name: str, value: object, options: tuple[str, ...]) -> None:
    if value not in options:
        raise ValueError(f"{name} must be one of {list(options)}, not {value!r}")


def _military(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.where(
        dates < pd.Timestamp("2020-08-19"),
        "Military Forces of Mali (2013-2020)",
        np.where(
            dates < pd.Timestamp("2021-05-25"),
            "Military Forces of Mali (2020-2021)",
            "Military Forces of Mali (2021-)",
        ),
    )


def _russians(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.where(dates >= _AFRICA_CORPS, "Africa Corps", "Wagner Group")


def _isgs(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.where(
        dates < pd.Timestamp("2022-03-01"),
        "Islamic State (Greater Sahara)",
        "Islamic State Sahel Province",
    )


def _actor(
    kind: str, dates: pd.DatetimeIndex, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Actor names and associated actors for a vector of events of one actor kind."""
    n = len(dates)
    assoc = np.full(n, "", dtype=object)
    if kind == "military":
        names = _military(dates).astype(object)
        with_russians = (dates >= WAGNER_ARRIVAL) & (rng.random(n) < 0.5)
        assoc[with_russians] = _russians(dates)[with_russians]
        wagner_alone = (dates >= WAGNER_ARRIVAL) & (rng.random(n) < 0.15)
        names[wagner_alone] = _russians(dates)[wagner_alone]
        assoc[wagner_alone] = ""
    elif kind == "jnim":
        pick = rng.random(n)
        names = np.where(
            pick < 0.6, "JNIM: Group for Support of Islam and Muslims", "Katiba Macina"
        ).astype(object)
        assoc[pick >= 0.6] = "JNIM: Group for Support of Islam and Muslims"
    elif kind == "isgs":
        names = _isgs(dates).astype(object)
    elif kind == "militia":
        names = np.where(
            rng.random(n) < 0.6, "Dan Na Ambassagou", "Dozo Communal Militia (Mali)"
        ).astype(object)
    elif kind == "separatists":
        names = np.where(
            dates < pd.Timestamp("2024-11-30"),
            "CMA: Coordination of Movements of the Azawad",
            "FLA: Azawad Liberation Front",
        ).astype(object)
    elif kind == "unidentified":
        names = np.full(n, "Unidentified Armed Group (Mali)", dtype=object)
    elif kind == "international":
        names = np.where(
            dates < pd.Timestamp("2022-08-15"),
            "Military Forces of France (2017-) Operation Barkhane",
            "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2013-2023)",
        ).astype(object)
    elif kind == "protesters":
        names = np.full(n, "Protesters (Mali)", dtype=object)
    elif kind == "civilians":
        names = np.full(n, "Civilians (Mali)", dtype=object)
        groups = rng.random(n)
        assoc[groups < 0.3] = "Fulani Ethnic Group (Mali)"
        assoc[(groups >= 0.3) & (groups < 0.4)] = "Dogon Ethnic Group (Mali); Farmers (Mali)"
    else:
        names = np.full(n, "", dtype=object)
    return names, assoc


def synthetic_acled_events(
    n_events: int = 200,
    *,
    seed: int = 0,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
) -> pd.DataFrame:
    """A SYNTHETIC event table with ACLED's current columns (all text, as in an export).

    Parameters
    ----------
    n_events
        Number of events.
    seed
        Seed of the random generator (same seed, same table).
    start, end
        Date range of the events (uniform over days).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ACLED_COLUMNS` (strings), one row per event, newest first like ACLED's
        exports, with unique ``event_id_cnty`` and ``civilian_targeting`` set for violence
        against civilians and for explosions/remote violence against civilians.
    """
    if n_events < 1:
        raise ValueError("n_events must be at least 1")
    rng = np.random.default_rng(seed)
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    days = (last - first).days + 1
    dates = pd.DatetimeIndex(
        np.sort(first + pd.to_timedelta(rng.integers(0, days, n_events), unit="D"))[::-1]
    )
    weights = np.array([s[-1] for s in _SCENARIOS], dtype=float)
    scenario = rng.choice(len(_SCENARIOS), size=n_events, p=weights / weights.sum())
    cols: dict[str, np.ndarray] = {
        name: np.full(n_events, "", dtype=object)
        for name in (
            "disorder_type",
            "event_type",
            "sub_event_type",
            "actor1",
            "assoc_actor_1",
            "inter1",
            "actor2",
            "assoc_actor_2",
            "inter2",
            "civilian_targeting",
        )
    }
    deaths = np.zeros(n_events, dtype=np.int64)
    for i, (disorder, etype, sub, kind1, kind2, mean, _) in enumerate(_SCENARIOS):
        rows = np.flatnonzero(scenario == i)
        if not rows.size:
            continue
        sub_dates = dates[rows]
        a1, s1 = _actor(kind1, sub_dates, rng)
        a2, s2 = _actor(kind2, sub_dates, rng)
        cols["disorder_type"][rows] = disorder
        cols["event_type"][rows] = etype
        cols["sub_event_type"][rows] = sub
        cols["actor1"][rows] = a1
        cols["assoc_actor_1"][rows] = s1
        cols["actor2"][rows] = a2
        cols["assoc_actor_2"][rows] = s2
        inter1 = np.full(rows.size, _INTER[kind1], dtype=object)
        inter1[np.isin(a1, ["Wagner Group", "Africa Corps"])] = "8"
        cols["inter1"][rows] = inter1
        cols["inter2"][rows] = _INTER[kind2]
        if etype == _VAC or (etype == _ER and kind2 == "civilians"):
            cols["civilian_targeting"][rows] = "Civilian targeting"
        deaths[rows] = rng.poisson(mean, rows.size) if mean > 0 else 0
    place = rng.integers(0, len(_PLACES), n_events)
    places = np.array(_PLACES, dtype=object)[place]
    inter1 = cols["inter1"].astype(str)
    inter2 = cols["inter2"].astype(str)
    lo = np.where((inter2 != "") & (inter2 < inter1), inter2, inter1)
    hi = np.where((inter2 != "") & (inter2 < inter1), inter1, inter2)
    interaction = np.where(inter2 == "", np.char.add(inter1, "0"), np.char.add(lo, hi))
    ids = rng.permutation(np.arange(10_000, 10_000 + n_events))
    lat = places[:, 3].astype(float) + rng.normal(0, 0.05, n_events)
    lon = places[:, 4].astype(float) + rng.normal(0, 0.05, n_events)
    timestamp = dates.as_unit("s").asi8 + rng.integers(3, 30, n_events) * 86_400
    date_iso = dates.strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "event_id_cnty": pd.Series(ids).map("MLI{}".format).to_numpy(),
            "event_date": date_iso,
            "year": dates.year.astype(str),
            "time_precision": rng.choice(["1", "1", "1", "1", "2", "3"], n_events),
            **{
                k: v
                for k, v in cols.items()
                if k
                in (
                    "disorder_type",
                    "event_type",
                    "sub_event_type",
                    "actor1",
                    "assoc_actor_1",
                    "inter1",
                    "actor2",
                    "assoc_actor_2",
                    "inter2",
                )
            },
            "interaction": interaction,
            "civilian_targeting": cols["civilian_targeting"],
            "iso": "466",
            "region": "Western Africa",
            "country": "Mali",
            "admin1": places[:, 0],
            "admin2": places[:, 1],
            "admin3": places[:, 2],
            "location": places[:, 2],
            "latitude": np.char.mod("%.4f", lat),
            "longitude": np.char.mod("%.4f", lon),
            "geo_precision": rng.choice(["1", "2", "3"], n_events),
            "source": "Synthetic Source",
            "source_scale": "National",
            "notes": "",
            "fatalities": deaths.astype(str),
            "tags": "",
            "timestamp": np.asarray(timestamp).astype(np.int64).astype(str),
        }
    )
    frame["notes"] = (
        f"{SYNTHETIC_LABEL}: on "
        + frame["event_date"]
        + ", "
        + frame["actor1"].astype(str)
        + " ("
        + frame["sub_event_type"].astype(str)
        + ") in "
        + frame["location"].astype(str)
        + " ("
        + frame["admin2"].astype(str)
        + ", "
        + frame["admin1"].astype(str)
        + "); "
        + frame["fatalities"]
        + " fatalities."
    )
    for column in frame.columns:
        frame[column] = frame[column].astype(object).astype(str)
    return frame[ACLED_COLUMNS]


def _format_dates(iso: pd.Series, style: str) -> pd.Series:
    dates = pd.to_datetime(iso, format="%Y-%m-%d")
    if style == "iso":
        return iso
    if style == "long":
        return pd.Series(dates.dt.strftime("%d %B %Y"), index=iso.index)
    return pd.Series(dates.dt.strftime("%d-%B-%Y"), index=iso.index)


def _acled_layout(
    frame: pd.DataFrame, *, generation: str, layout: str, date_style: str
) -> pd.DataFrame:
    out = frame.copy()
    out["event_date"] = _format_dates(out["event_date"], date_style)
    if generation != "current":
        out = out.drop(columns=["disorder_type", "civilian_targeting", "tags"])
        out.insert(0, "data_id", (np.arange(len(out)) + 7_000_000).astype(str))
        out["iso3"] = "MLI"
    if generation == "old_schema":
        old = []
        for etype, sub in zip(out["event_type"], out["sub_event_type"], strict=True):
            old.append(_OLD_TYPES.get((etype, sub)) or _OLD_TYPES.get((etype, None)) or etype)
        out["event_type"] = old
        out = out.drop(columns=["sub_event_type"])
    if layout == "monadic":
        first = out.drop(columns=["actor2", "assoc_actor_2", "inter2"])
        second = out[out["actor2"] != ""].copy()
        second["actor1"] = second["actor2"]
        second["assoc_actor_1"] = second["assoc_actor_2"]
        second["inter1"] = second["inter2"]
        second = second.drop(columns=["actor2", "assoc_actor_2", "inter2"])
        first["_order"] = np.arange(len(first)) * 2
        second["_order"] = np.flatnonzero((out["actor2"] != "").to_numpy()) * 2 + 1
        out = pd.concat([first, second]).sort_values("_order").drop(columns="_order")
    return out.reset_index(drop=True)


def _write_csv(
    frame: pd.DataFrame, path: PathLike, *, hxl: bool = False, bom: bool = False
) -> Path:
    import pyarrow as pa
    import pyarrow.csv as pv

    table = pa.Table.from_pandas(frame.astype(str), preserve_index=False)
    with atomic_write(path, "wb") as handle:
        if bom:
            handle.write(b"\xef\xbb\xbf")
        if hxl:
            header = pv.WriteOptions(include_header=True, quoting_style="needed")
            buffer = pa.BufferOutputStream()
            pv.write_csv(table.slice(0, 0), buffer, write_options=header)
            handle.write(buffer.getvalue().to_pybytes())
            tags = [_HXL.get(c, "") for c in frame.columns]
            handle.write((",".join(tags) + "\n").encode("utf-8"))
            options = pv.WriteOptions(include_header=False, quoting_style="needed")
        else:
            options = pv.WriteOptions(include_header=True, quoting_style="needed")
        pv.write_csv(table, handle, write_options=options)
    return Path(path)


def write_acled_csv(
    path: PathLike,
    *,
    n_events: int = 200,
    seed: int = 0,
    generation: Generation = "current",
    layout: Layout = "dyadic",
    date_style: DateStyle = "iso",
    hxl: bool = False,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
    multiline_notes: bool = False,
    upper_case_header: bool = False,
) -> Path:
    """Write a SYNTHETIC ACLED CSV export.

    Parameters
    ----------
    path
        Where to write.
    n_events, seed, start, end
        As for :func:`synthetic_acled_events` (the events are the same for the same values).
    generation
        ``"current"`` (with ``disorder_type``, ``civilian_targeting``, ``tags``; no ``iso3``),
        ``"no_disorder"`` (without those three, with ``data_id`` and ``iso3``) or
        ``"old_schema"`` (also without ``sub_event_type``, and the pre-2019 event types).
    layout
        ``"dyadic"`` (one row per event) or ``"monadic"`` (one row per actor: actor1's row
        first, then actor2's; no actor2 columns).
    date_style
        ``"iso"`` (2020-12-31), ``"long"`` (31 December 2020) or ``"dmy_month"`` (15-July-2022).
    hxl
        Add the HXL hashtag row under the header.
    multiline_notes
        Put a line break inside the notes of every third event (quoted, as in real exports).
    upper_case_header
        Write the column names in upper case.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    _check("generation", generation, get_args(Generation))
    _check("layout", layout, get_args(Layout))
    _check("date_style", date_style, get_args(DateStyle))
    events = synthetic_acled_events(n_events, seed=seed, start=start, end=end)
    if multiline_notes:
        rows = np.arange(len(events)) % 3 == 0
        events.loc[rows, "notes"] = events.loc[rows, "notes"] + "\nSecond line of the notes."
    frame = _acled_layout(events, generation=generation, layout=layout, date_style=date_style)
    if upper_case_header:
        frame.columns = [c.upper() for c in frame.columns]
    return _write_csv(frame, path, hxl=hxl)


_REAL_DYADIC = (
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year",
    "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "timestamp", "iso3",
)  # fmt: skip


def write_acled_dyadic_31(
    path: PathLike,
    *,
    n_events: int = 200,
    seed: int = 0,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
) -> Path:
    """Write a SYNTHETIC export shaped like the older 31-column dyadic ACLED exports.

    The columns of that export in its order (``data_id``, ``iso``, ``event_id_cnty``,
    ``event_id_no_cnty``, ..., ``iso3``; no ``disorder_type`` or ``civilian_targeting``), the
    HXL row under the header with blank tags where ACLED leaves them blank, quotes only where a
    value needs them, and long notes (30 to 850 characters, median 160: a record of about 430
    characters at the median, as in such exports). The events are those of
    :func:`synthetic_acled_events` with the same arguments.
    """
    import csv

    rows = n_events
    events = synthetic_acled_events(n_events, seed=seed, start=start, end=end)
    rng = np.random.default_rng(seed)
    filler = (
        " Local sources report that armed men arrived on motorbikes at the weekly market, "
        "fired on the crowd and set fire to granaries before leaving towards the forest; "
        "the toll was reported by a local official and could not be confirmed independently."
    )
    lengths = np.clip(rng.lognormal(np.log(160), 0.6, rows), 30, 850).astype(int)
    notes = [
        (f"{SYNTHETIC_LABEL}. " + filler * 5)[:n] for n in lengths
    ]  # commas inside: these values are quoted, as in real exports
    frame = events.assign(
        iso="466",
        event_id_no_cnty=events["event_id_cnty"].str.replace(r"^\D+", "", regex=True),
        notes=notes,
        iso3="MLI",
        data_id=(np.arange(rows) + 7_000_000).astype(str),
    )
    with atomic_write(path) as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(_REAL_DYADIC)
        writer.writerow([_HXL.get(c, "") for c in _REAL_DYADIC])
        writer.writerows(frame[list(_REAL_DYADIC)].itertuples(index=False, name=None))
    return Path(path)


def write_acled_json(
    path: PathLike,
    *,
    n_events: int = 200,
    seed: int = 0,
    generation: Generation = "current",
    date_style: DateStyle = "iso",
    start: str = "2019-01-01",
    end: str = "2024-12-31",
) -> Path:
    """Write a SYNTHETIC response of ACLED's API: ``{"status": 200, ..., "data": [...]}``."""
    _check("generation", generation, get_args(Generation))
    _check("date_style", date_style, get_args(DateStyle))
    events = synthetic_acled_events(n_events, seed=seed, start=start, end=end)
    frame = _acled_layout(events, generation=generation, layout="dyadic", date_style=date_style)
    records = frame.to_dict(orient="records")
    for record in records:
        record["fatalities"] = int(record["fatalities"])
        record["timestamp"] = int(record["timestamp"])
    payload = {
        "status": 200,
        "success": True,
        "messages": [SYNTHETIC_LABEL],
        "count": len(records),
        "data": records,
    }
    with atomic_write(path) as handle:
        json.dump(payload, handle, ensure_ascii=False)
    return Path(path)


#: other countries of a SYNTHETIC "global" UCDP file: (country, Gleditsch-Ward id, side_a,
#: first and last year), shaped like GED's global releases (UCDP names Russia's army
#: "Government of Russia (Soviet Union)", here in 2000-2004 as in the Chechen war).
_OTHER_COUNTRIES = (
    ("Russia (Soviet Union)", 365, "Government of Russia (Soviet Union)", 2000, 2004),
    ("Syria", 652, "Government of Syria", 2013, 2019),
    ("Afghanistan", 700, "Government of Afghanistan", 2010, 2020),
)


def _place_elsewhere(frame: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """Move a ``share`` of the events to other countries (and their years), as a global file."""
    moved = np.flatnonzero(rng.random(len(frame)) < share)
    which = rng.integers(0, len(_OTHER_COUNTRIES), len(moved))
    frame = frame.copy()
    frame["country"] = frame["country"].astype(object)
    frame["side_a"] = frame["side_a"].astype(object)
    for row, k in zip(moved, which, strict=True):
        country, gw, side_a, first, last = _OTHER_COUNTRIES[k]
        shift = pd.Timestamp(year=int(rng.integers(first, last + 1)), month=1, day=1)
        day = pd.Timedelta(days=int(frame.at[row, "date_start"].day_of_year) - 1)
        length = frame.at[row, "date_end"] - frame.at[row, "date_start"]
        frame.at[row, "date_start"] = shift + day
        frame.at[row, "date_end"] = shift + day + length
        frame.at[row, "year"] = shift.year
        frame.at[row, "country"] = country
        frame.at[row, "country_id"] = gw
        frame.at[row, "side_a"] = side_a
        frame.at[row, "adm_1"] = f"{country} province"
        frame.at[row, "adm_2"] = f"{country} district"
        frame.at[row, "relid"] = str(frame.at[row, "relid"]).replace("MLI", country[:3].upper())
    return frame


def _ucdp_frame(
    n_events: int, seed: int, start: str, end: str, other_countries: float = 0.0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    days = (last - first).days + 1
    date_start = pd.DatetimeIndex(
        first + pd.to_timedelta(rng.integers(0, days, n_events), unit="D")
    ).sort_values()
    length = rng.choice([0, 0, 0, 1, 3, 6], n_events)
    date_end = date_start + pd.to_timedelta(length, unit="D")
    date_prec = np.where(length == 0, 1, np.where(length <= 6, 2, 4))
    tov = rng.choice([1, 2, 3], n_events, p=[0.45, 0.2, 0.35])
    side_a = np.where(
        tov == 1, "Government of Mali", np.where(rng.random(n_events) < 0.5, "JNIM", "IS")
    )
    russians = (tov == 3) & (date_start >= WAGNER_ARRIVAL) & (rng.random(n_events) < 0.3)
    side_a = np.where(russians, "Wagner Group", side_a)
    joint = (tov == 1) & (date_start >= WAGNER_ARRIVAL) & (rng.random(n_events) < 0.4)
    side_a = np.where(joint, "Government of Mali, Wagner Group", side_a)
    tov1_b = np.where(rng.random(n_events) < 0.6, "JNIM", "IS")
    side_b = np.where(
        tov == 1, tov1_b, np.where(tov == 2, np.where(side_a == "JNIM", "IS", "JNIM"), "Civilians")
    )
    best = rng.poisson(4, n_events)
    low = np.maximum(best - rng.integers(0, 3, n_events), 0)
    high = best + rng.integers(0, 5, n_events)
    deaths_civ = np.where(tov == 3, best, rng.binomial(best, 0.2))
    rest = best - deaths_civ
    deaths_a = rng.binomial(rest, 0.4)
    deaths_b = rng.binomial(rest - deaths_a, 0.7)
    deaths_unknown = rest - deaths_a - deaths_b
    place = np.array(_PLACES, dtype=object)[rng.integers(0, len(_PLACES), n_events)]
    names = {1: "state-based", 2: "non-state", 3: "one-sided"}
    ids = 500_000 + rng.permutation(n_events)
    frame = pd.DataFrame(
        {
            "id": ids,
            "relid": [
                f"MLI-{d.year}-{t}-{i}" for d, t, i in zip(date_start, tov, ids, strict=True)
            ],
            "year": date_start.year,
            "active_year": 1,
            "code_status": "Clear",
            "type_of_violence": tov,
            "conflict_name": [f"Mali: {names[t]}" for t in tov],
            "dyad_name": [f"{a} - {b}" for a, b in zip(side_a, side_b, strict=True)],
            "side_a": side_a,
            "side_b": side_b,
            "number_of_sources": rng.integers(1, 4, n_events),
            "source_article": f"{SYNTHETIC_LABEL} (no source)",
            "where_prec": rng.integers(1, 5, n_events),
            "where_coordinates": [f"{p} town" for p in place[:, 2]],
            "adm_1": [f"{p} region" for p in place[:, 0]],
            "adm_2": [f"{p} cercle" for p in place[:, 1]],
            "latitude": place[:, 3].astype(float),
            "longitude": place[:, 4].astype(float),
            "country": "Mali",
            "country_id": 432,
            "region": "Africa",
            "event_clarity": 1,
            "date_prec": date_prec,
            "date_start": date_start,
            "date_end": date_end,
            "deaths_a": deaths_a,
            "deaths_b": deaths_b,
            "deaths_civilians": deaths_civ,
            "deaths_unknown": deaths_unknown,
            "best": best,
            "high": high,
            "low": low,
        }
    )
    if other_countries:
        frame = _place_elsewhere(frame, other_countries, np.random.default_rng(seed + 1))
    return frame


def synthetic_ucdp_events(
    n_events: int = 100,
    *,
    seed: int = 0,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
) -> pd.DataFrame:
    """A SYNTHETIC UCDP GED event table (GED columns; dates as timestamps, counts as integers).

    The table :func:`write_ucdp_ged_csv` writes, before its dates are formatted; ids are
    unique, ``country_id`` is 432 (Mali), ``source_article`` says ``SYNTHETIC TEST DATA``.
    """
    if n_events < 1:
        raise ValueError("n_events must be at least 1")
    return _ucdp_frame(n_events, seed, start, end)


def write_ucdp_ged_csv(
    path: PathLike,
    *,
    n_events: int = 100,
    seed: int = 0,
    candidate: bool = False,
    other_countries: float = 0.0,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
) -> Path:
    """Write SYNTHETIC UCDP GED events as CSV.

    ``candidate=False`` writes dates as UCDP's GED CSV does (``2020-01-03 00:00:00.000``);
    ``candidate=True`` as the candidate releases (``2020-01-03``) with ``code_status``
    ``"Candidate"``. ``other_countries`` moves that share of the events to Russia (2000-2004,
    side_a ``"Government of Russia (Soviet Union)"``), Syria and Afghanistan, as in UCDP's
    global files.
    """
    frame = _ucdp_frame(n_events, seed, start, end, other_countries)
    fmt = "%Y-%m-%d" if candidate else "%Y-%m-%d 00:00:00.000"
    frame["date_start"] = frame["date_start"].dt.strftime(fmt)
    frame["date_end"] = frame["date_end"].dt.strftime(fmt)
    if candidate:
        frame["code_status"] = "Candidate"
    return _write_csv(frame, path)


def write_ucdp_ged_rdata(
    path: PathLike,
    *,
    n_events: int = 100,
    seed: int = 0,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
    object_name: str = "ucdpged",
    other_countries: float = 0.0,
) -> Path:
    """Write SYNTHETIC UCDP GED events as an R data file (``.rda``/``.RData``, or ``.rds``).

    Numbers are written as R doubles and dates as R dates, as in UCDP's own R releases;
    ``other_countries`` as for :func:`write_ucdp_ged_csv`.
    """
    import pyreadr

    frame = _ucdp_frame(n_events, seed, start, end, other_countries)
    for column in frame.columns:
        if pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = frame[column].astype("float64")
        elif pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].astype(object)
    target = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / target.name
        if target.suffix.lower() == ".rds":
            pyreadr.write_rds(str(scratch), frame)
        else:
            pyreadr.write_rdata(str(scratch), frame, df_name=object_name)
        with atomic_write(target, "wb") as handle, open(scratch, "rb") as source:
            shutil.copyfileobj(source, handle)
    return target


def _monthly(
    events: pd.DataFrame, civilian_only: bool, span: pd.DataFrame | None = None
) -> pd.DataFrame:
    frame = events.copy()
    span = events if span is None else span
    if civilian_only:
        frame = frame[frame["civilian_targeting"] != ""]
    frame["month"] = pd.to_datetime(frame["event_date"]).dt.to_period("M").dt.to_timestamp()
    frame["fatalities"] = frame["fatalities"].astype(int)
    counted = frame.groupby(["admin2", "month"]).agg(
        Events=("event_id_cnty", "size"), Fatalities=("fatalities", "sum")
    )
    months = pd.date_range(
        pd.to_datetime(span["event_date"]).min().to_period("M").to_timestamp(),
        pd.to_datetime(span["event_date"]).max(),
        freq="MS",
    )
    places = pd.DataFrame(
        _PLACES, columns=["Admin1", "Admin2", "loc", "lat", "lon", "Admin1 Pcode", "Admin2 Pcode"]
    )
    grid = places.merge(pd.DataFrame({"month": months}), how="cross")
    out = grid.merge(counted, left_on=["Admin2", "month"], right_index=True, how="left")
    out[["Events", "Fatalities"]] = out[["Events", "Fatalities"]].fillna(0).astype(int)
    return out


def write_hdx_workbook(
    path: PathLike,
    *,
    n_events: int = 200,
    seed: int = 0,
    indicator: Literal["political_violence", "civilian_targeting"] = "political_violence",
    layout: Literal["data", "regions"] = "data",
    start: str = "2019-01-01",
    end: str = "2024-12-31",
) -> Path:
    """Write a SYNTHETIC HDX workbook of monthly ACLED-style aggregates per admin2.

    The counts are those of :func:`synthetic_acled_events` with the same ``n_events``,
    ``seed``, ``start`` and ``end`` (all events for ``political_violence`` except protests and
    strategic developments; events with ``civilian_targeting`` for ``civilian_targeting``), with
    every place and month present (zeros included), as HDX publishes them.

    ``layout="data"`` writes one ``Data`` sheet; ``"regions"`` splits the places over sheets
    ``HRP_1`` and ``HRP_2`` and adds a country-level ``Non_HRP`` sheet for a second country.
    Both add a ``TOU`` sheet labelling the file as synthetic.
    """
    _check("indicator", indicator, ("political_violence", "civilian_targeting"))
    _check("layout", layout, ("data", "regions"))
    events = everything = synthetic_acled_events(n_events, seed=seed, start=start, end=end)
    if indicator == "political_violence":
        events = events[events["disorder_type"] == "Political violence"]
    monthly = _monthly(events, civilian_only=indicator == "civilian_targeting", span=everything)
    monthly["Country"] = "Mali"
    monthly["ISO3"] = "MLI"
    monthly["Month"] = monthly["month"].dt.strftime("%B")
    monthly["Year"] = monthly["month"].dt.year
    columns = [
        "Country",
        "Admin1",
        "Admin2",
        "ISO3",
        "Admin2 Pcode",
        "Admin1 Pcode",
        "Month",
        "Year",
        "Events",
        "Fatalities",
    ]
    sheets: dict[str, pd.DataFrame] = {}
    if layout == "data":
        sheets["Data"] = monthly[columns]
    else:
        half = monthly["Admin1"].isin(["Mopti", "Segou"])
        sheets["HRP_1"] = monthly.loc[half, columns]
        sheets["HRP_2"] = monthly.loc[~half, columns]
        months = monthly["month"].drop_duplicates()
        sheets["Non_HRP"] = pd.DataFrame(
            {
                "Country": "Senegal",
                "Month": months.dt.strftime("%B").to_numpy(),
                "Year": months.dt.year.to_numpy(),
                "Events": 0,
                "Fatalities": 0,
            }
        )
    sheets["TOU"] = pd.DataFrame(
        {"Licensing": [SYNTHETIC_LABEL, "Invented counts for tests; not ACLED data."]}
    )
    with atomic_write(path, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        for name, sheet in sheets.items():
            sheet.to_excel(writer, sheet_name=name, index=False)
    return Path(path)


def write_hapi_csv(
    path: PathLike,
    *,
    n_events: int = 200,
    seed: int = 0,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
    bom: bool = True,
) -> Path:
    """Write a SYNTHETIC HDX HAPI conflict-event CSV (three event types per place and month).

    Counts come from :func:`synthetic_acled_events` of the same arguments: political violence,
    civilian targeting and demonstrations (protests; their fatalities are left blank, as HAPI
    does). The ``warning`` column carries the synthetic label.
    """
    events = synthetic_acled_events(n_events, seed=seed, start=start, end=end)
    parts = []
    for event_type, subset, civilian in (
        ("political_violence", events[events["disorder_type"] == "Political violence"], False),
        ("civilian_targeting", events, True),
        ("demonstration", events[events["disorder_type"] == "Demonstrations"], False),
    ):
        monthly = _monthly(subset, civilian_only=civilian, span=events)
        monthly["event_type"] = event_type
        parts.append(monthly)
    frame = pd.concat(parts, ignore_index=True)
    period_end = frame["month"] + pd.offsets.MonthEnd(0)
    out = pd.DataFrame(
        {
            "location_code": "MLI",
            "has_hrp": "Y",
            "in_gho": "Y",
            "provider_admin1_name": frame["Admin1"],
            "provider_admin2_name": frame["Admin2"],
            "admin1_code": frame["Admin1 Pcode"],
            "admin1_name": frame["Admin1"],
            "admin2_code": frame["Admin2 Pcode"],
            "admin2_name": frame["Admin2"],
            "admin_level": "2",
            "event_type": frame["event_type"],
            "events": frame["Events"].astype(str),
            "fatalities": np.where(
                frame["event_type"] == "demonstration", "", frame["Fatalities"].astype(str)
            ),
            "reference_period_start": frame["month"].dt.strftime("%Y-%m-%d"),
            "reference_period_end": period_end.dt.strftime("%Y-%m-%d"),
            "dataset_hdx_id": "00000000-0000-0000-0000-000000000000",
            "resource_hdx_id": "00000000-0000-0000-0000-000000000000",
            "warning": SYNTHETIC_LABEL,
            "error": "",
        }
    )
    return _write_csv(out, path, bom=bom)
