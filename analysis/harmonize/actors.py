"""Actor names -> perpetrator groups, from the hand-made table ``data/hand/actors.csv``.

The table has one row per name pattern:

``pattern``
    The text to look for in an actor name.
``match_type``
    ``exact`` (the whole name, ignoring case and surrounding spaces), ``contains`` (a substring,
    ignoring case) or ``regex`` (a Python regular expression searched in the name; add ``(?i)``
    to ignore case).
``perpetrator_group``
    One of :data:`analysis.harmonize.schema.PERPETRATOR_GROUPS`.
``wagner``
    ``true`` if the name designates the Wagner Group, its successor Africa Corps or other
    Russian forces.
``note``
    Why, with the source where there is one.
``countries`` (optional)
    Where the row applies: country names or ISO 3166 alpha-3 codes separated by ``;``,
    compared with the event's ``country`` and ``iso3`` (see
    :func:`analysis.harmonize.countries.country_mask`). Empty: everywhere.
``start``, ``end`` (optional)
    When the row applies: first and last day (``YYYY-MM-DD``, inclusive), compared with the
    event's ``date_start``. Empty: open.

A name takes the group of the first ``exact`` row that matches it and applies to the event;
failing that, of the first ``contains`` or ``regex`` row in the table's order that does (so
specific patterns go above general ones, and a scoped row above the general row for the same
name). Associated-actor fields list several names separated by ``;``; each is matched on its
own.

Scoped rows are how one name means different things in different places: "Military Forces of
Russia" in Mali from Wagner's arrival are the Wagner Group and its successor Africa Corps;
elsewhere, or earlier, they are Russia's state forces.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.harmonize.countries import country_mask
from analysis.harmonize.schema import PERPETRATOR_GROUPS, event_dtypes
from analysis.sources._csvtable import Column, TableSpec, read_records

__all__ = [
    "load_actor_table",
    "harmonize_actors",
    "unmatched_actors",
    "confusable_actors",
    "normalise_actor_name",
    "match_actor",
    "ACTOR_FIELDS",
]

ACTOR_FIELDS: tuple[str, ...] = ("actor1", "assoc_actor1", "actor2", "assoc_actor2")
_COLUMNS = ("pattern", "match_type", "perpetrator_group", "wagner", "note")
_SCOPE_COLUMNS = ("countries", "start", "end")
_MATCH_TYPES = ("exact", "contains", "regex")
_SPEC = TableSpec(
    name="actor",
    columns=tuple(Column(name) for name in (*_COLUMNS, *_SCOPE_COLUMNS)),
    optional_columns=frozenset(_SCOPE_COLUMNS),
)
_TRUE = {"true", "yes", "1"}

# Cyrillic and Greek letters drawn like Latin ones (replaced only in a name that also has Latin
# letters: a name written wholly in Cyrillic or Greek is left as written).
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕһԁԛԝӏАВЕКМНОРСТХІЈЅҮ"  # Cyrillic
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο",  # Greek
    "aeopcyxijshdqwlABEKMHOPCTXIJSYABEZHIKMNOPTYXo",
)


def normalise_actor_name(name: str) -> tuple[str, bool]:
    """The actor name as matched, and whether a look-alike letter had to be replaced.

    Parameters
    ----------
    name
        An actor name as written in an export.

    Returns
    -------
    tuple of (str, bool)
        The name in Unicode NFKC form (full-width letters become ASCII) with format and control
        characters (zero-width spaces and joiners, soft hyphens, byte-order marks) removed and,
        when it mixes Latin letters with Cyrillic or Greek look-alikes (``Wаgner`` with a
        Cyrillic ``а``), those look-alikes replaced by the Latin letters; and ``True`` when
        such a replacement was made.

    Notes
    -----
    The look-alikes are the Cyrillic and Greek letters drawn like a Latin letter; a name with
    no Latin letter is left in its own script.

    Examples
    --------
    >>> normalise_actor_name("W\u0430gner Group")
    ('Wagner Group', True)
    >>> normalise_actor_name("\uff37agner\u200b Group")
    ('Wagner Group', False)
    """
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc"})
    if not any("a" <= ch.lower() <= "z" for ch in text):
        return text, False
    replaced = text.translate(_LOOK_ALIKES)
    return replaced, replaced != text


_FALSE = {"false", "no", "0", ""}


def default_actor_table_path() -> Path:
    """``actors.csv`` in the hand-made lookups folder (``data/hand/``, see :mod:`analysis.paths`)."""
    from analysis.paths import hand_dir

    return hand_dir() / "actors.csv"


def load_actor_table(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and check the actor table.

    Parameters
    ----------
    path
        The CSV file; default ``data/hand/actors.csv`` in the project.

    Returns
    -------
    pandas.DataFrame
        Columns ``pattern``, ``match_type``, ``perpetrator_group``, ``wagner`` (bool), ``note``,
        ``countries`` (text, empty for everywhere), ``start`` and ``end`` (``datetime64[s]``,
        missing when open) and ``line`` (the row's line in the file), in the file's order.

    Raises
    ------
    DataError
        An empty file, a header without rows, a missing or unknown column, a malformed CSV
        (an unclosed quote) or a value running over several lines, an unknown match type or
        group, a ``wagner`` value that is not
        true/false, a regular expression that does not compile, a date that is not
        ``YYYY-MM-DD`` or an end before the start, or a pattern repeated with the same scope,
        naming the line.
    """
    source = Path(path) if path is not None else default_actor_table_path()
    records, lines = read_records(source, _SPEC)
    for record, line in zip(records, lines, strict=True):
        for column, value in record.items():
            if "\n" in value or "\r" in value:
                raise DataError(
                    "a value runs over several lines: a quote opened and closed only further "
                    "down would swallow the rules in between; expected one rule per line",
                    file=source,
                    line=line,
                    column=column,
                    rule="line_break",
                )
    frame = pd.DataFrame(
        {
            column: pd.Series([record.get(column, "") for record in records], dtype=object)
            for column in (*_COLUMNS, *_SCOPE_COLUMNS)
        }
    )
    frame["line"] = np.array(lines, dtype=np.int64)
    seen: dict[tuple[str, str, str, str, str], int] = {}
    wagner = []
    bounds: dict[str, list[object]] = {"start": [], "end": []}
    for row in frame.itertuples(index=False):
        where = {"file": source, "line": int(row.line)}
        if not row.pattern:
            raise DataError("empty pattern", column="pattern", rule="required", **where)
        if row.match_type not in _MATCH_TYPES:
            raise DataError(
                f"unknown match type {row.match_type!r}; expected one of {list(_MATCH_TYPES)}",
                column="match_type",
                rule="allowed_values",
                **where,
            )
        if row.perpetrator_group not in PERPETRATOR_GROUPS:
            raise DataError(
                f"unknown group {row.perpetrator_group!r}; expected one of "
                f"{list(PERPETRATOR_GROUPS)}",
                column="perpetrator_group",
                rule="allowed_values",
                **where,
            )
        flag = row.wagner.lower()
        if flag not in _TRUE | _FALSE:
            raise DataError(
                f"wagner must be true or false, not {row.wagner!r}",
                column="wagner",
                rule="allowed_values",
                **where,
            )
        wagner.append(flag in _TRUE)
        if row.match_type == "regex":
            try:
                re.compile(row.pattern)
            except re.error as exc:
                raise DataError(
                    f"the regular expression does not compile ({exc})",
                    column="pattern",
                    rule="regex",
                    **where,
                ) from None
        for column in ("start", "end"):
            text = getattr(row, column)
            if not text:
                bounds[column].append(pd.NaT)
                continue
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    raise ValueError(text)
                bounds[column].append(pd.Timestamp(text))
            except ValueError:
                raise DataError(
                    f"{column} must be a date written YYYY-MM-DD (or empty), not {text!r}",
                    column=column,
                    rule="date",
                    **where,
                ) from None
        if pd.notna(bounds["start"][-1]) and pd.notna(bounds["end"][-1]):
            if bounds["end"][-1] < bounds["start"][-1]:
                raise DataError(
                    f"end ({row.end}) is before start ({row.start})",
                    column="end",
                    rule="date_order",
                    **where,
                )
        countries = ";".join(part.strip() for part in row.countries.split(";") if part.strip())
        key = (row.match_type, row.pattern.lower(), countries.casefold(), row.start, row.end)
        if key in seen:
            raise DataError(
                f"pattern repeated with the same scope (first on line {seen[key]})",
                column="pattern",
                rule="duplicate",
                **where,
            )
        seen[key] = int(row.line)
    frame["wagner"] = np.array(wagner, dtype=bool)
    frame["countries"] = frame["countries"].map(
        lambda text: ";".join(part.strip() for part in text.split(";") if part.strip())
    )
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(pd.Series(bounds[column], dtype="object")).astype(
            "datetime64[s]"
        )
    return frame[[*_COLUMNS, *_SCOPE_COLUMNS, "line"]].reset_index(drop=True)


@dataclass(frozen=True)
class _Rule:
    group: str
    wagner: bool
    countries: tuple[str, ...]
    start: pd.Timestamp | None
    end: pd.Timestamp | None

    @property
    def scoped(self) -> bool:
        return bool(self.countries) or self.start is not None or self.end is not None

    def applies(self, country: object, iso3: object, date: object) -> bool:
        """Whether the rule applies to one event (missing context: only unscoped rules)."""
        if self.countries:
            row = pd.DataFrame({"country": [country], "iso3": [iso3]})
            if not any(country_mask(row, wanted)[0] for wanted in self.countries):
                return False
        if self.start is not None or self.end is not None:
            if date is None or pd.isna(date):
                return False
            when = pd.Timestamp(date)
            if self.start is not None and when < self.start:
                return False
            if self.end is not None and when > self.end:
                return False
        return True

    def mask(self, events: pd.DataFrame) -> np.ndarray:
        """Rows of ``events`` the rule applies to (no country or date column: none, if scoped)."""
        keep = np.ones(len(events), dtype=bool)
        if self.countries:
            if "country" not in events and "iso3" not in events:
                return np.zeros(len(events), dtype=bool)
            keep &= np.logical_or.reduce([country_mask(events, c) for c in self.countries])
        if self.start is not None or self.end is not None:
            if "date_start" not in events:
                return np.zeros(len(events), dtype=bool)
            dates = pd.to_datetime(events["date_start"])
            if self.start is not None:
                keep &= (dates >= self.start).fillna(False).to_numpy(dtype=bool)
            if self.end is not None:
                keep &= (dates <= self.end).fillna(False).to_numpy(dtype=bool)
        return keep


class _Matcher:
    """Matches single actor names against the table (memoised).

    For each name it lists the rules that could decide it: every matching rule up to and
    including the first unscoped one (the group is the first of these that applies to the
    event), and every later matching Wagner rule (for ``wagner_involved``).
    """

    def __init__(self, table: pd.DataFrame) -> None:
        if not set(_SCOPE_COLUMNS) <= set(table.columns):
            table = table.assign(
                **{c: "" if c == "countries" else pd.NaT for c in _SCOPE_COLUMNS if c not in table}
            )
        rules = [
            _Rule(
                str(g),
                bool(w),
                tuple(part for part in str(c or "").split(";") if part),
                None if pd.isna(a) else pd.Timestamp(a),
                None if pd.isna(b) else pd.Timestamp(b),
            )
            for g, w, c, a, b in zip(
                table["perpetrator_group"],
                table["wagner"],
                table["countries"].fillna(""),
                table["start"],
                table["end"],
                strict=True,
            )
        ]
        self.rules = rules
        types = table["match_type"].tolist()
        patterns = table["pattern"].tolist()
        self._exact: list[tuple[str, int]] = [
            (normalise_actor_name(p)[0].strip().lower(), i)
            for i, (p, t) in enumerate(zip(patterns, types, strict=True))
            if t == "exact"
        ]
        self._others = [
            (re.compile(re.escape(p), re.IGNORECASE) if t == "contains" else re.compile(p), i)
            for i, (p, t) in enumerate(zip(patterns, types, strict=True))
            if t != "exact"
        ]
        self._memo: dict[str, tuple[int, ...]] = {}

    def candidates(self, name: str) -> tuple[int, ...]:
        """Indices of the rules that can decide ``name`` (see the class docstring)."""
        found = self._memo.get(name)
        if found is not None:
            return found
        text, _ = normalise_actor_name(name)
        key = text.strip().lower()
        matching = [i for pattern, i in self._exact if pattern == key]
        matching += [i for regex, i in self._others if regex.search(text)]
        out: list[int] = []
        settled = False
        for i in matching:
            rule = self.rules[i]
            if not settled:
                out.append(i)
                settled = not rule.scoped
            elif rule.wagner:
                out.append(i)
        result = tuple(out)
        self._memo[name] = result
        return result

    def name(
        self, name: str, country: object = None, iso3: object = None, date: object = None
    ) -> tuple[str, bool] | None:
        """``(group, names_russians)`` of one name for one event's country and date, or
        ``None`` when no row applies. ``names_russians``: whether *any* applicable Wagner row
        matches (so "Government of Mali, Wagner Group" counts)."""
        applicable = [
            i for i in self.candidates(name) if self.rules[i].applies(country, iso3, date)
        ]
        if not applicable:
            return None
        return self.rules[applicable[0]].group, any(self.rules[i].wagner for i in applicable)

    def cell(self, value: str) -> list[tuple[str, tuple[int, ...]]]:
        return [(part, self.candidates(part)) for part in _split(value)]


def _split(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _table(table: str | os.PathLike[str] | pd.DataFrame | None) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    return load_actor_table(table)


def match_actor(
    name: str,
    *,
    table: str | os.PathLike[str] | pd.DataFrame | None = None,
    country: str | None = None,
    date: object = None,
) -> tuple[str, bool] | None:
    """``(perpetrator_group, wagner)`` for one actor name, or ``None`` if no row applies.

    ``country`` (a name or alpha-3 code) and ``date`` place the event; rows scoped to
    countries or dates apply only when the event is placed inside their scope.

    Examples
    --------
    >>> match_actor("Government of Russia (Soviet Union)", country="Russia", date="2002-05-01")
    ('other', False)
    >>> match_actor("Government of Russia (Soviet Union)", country="Mali", date="2023-03-01")
    ('wagner', True)
    """
    return _Matcher(_table(table)).name(name, country, country, date)


class _Context:
    """Which rows of an event table each scoped rule applies to (computed once per rule)."""

    def __init__(self, events: pd.DataFrame, matcher: _Matcher) -> None:
        self.events = events
        self.matcher = matcher
        self._masks: dict[int, np.ndarray] = {}

    def mask(self, rule: int, rows: np.ndarray) -> np.ndarray:
        if not self.matcher.rules[rule].scoped:
            return np.ones(len(rows), dtype=bool)
        if rule not in self._masks:
            self._masks[rule] = self.matcher.rules[rule].mask(self.events)
        return self._masks[rule][rows]


def _per_category(
    series: pd.Series, matcher: _Matcher, position: dict[str, int], context: _Context
) -> tuple[np.ndarray, np.ndarray]:
    """For each row: the group code of its first name (-1 if none), and whether any name in it
    designates Wagner or other Russian forces where and when the row applies. Work is per
    distinct value, and per row only for values that a scoped rule matches."""
    cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    categories = cat.cat.categories
    codes = cat.cat.codes.to_numpy()
    first_group = np.full(len(categories) + 1, -1, dtype=np.int8)
    any_wagner = np.zeros(len(categories) + 1, dtype=bool)
    scoped: list[tuple[int, list[tuple[str, tuple[int, ...]]]]] = []
    for i, value in enumerate(categories):
        found = matcher.cell(value)
        if any(matcher.rules[r].scoped for _, rules in found for r in rules):
            scoped.append((i, found))
            continue
        if found and found[0][1]:
            first_group[i] = position[matcher.rules[found[0][1][0]].group]
        any_wagner[i] = any(matcher.rules[r].wagner for _, rules in found for r in rules)
    # code -1 (missing) indexes the last slot: no group, no Wagner
    group, wagner = first_group[codes], any_wagner[codes]
    for i, found in scoped:
        rows = np.flatnonzero(codes == i)
        if not len(rows):
            continue
        decided = np.zeros(len(rows), dtype=bool)
        chosen = np.full(len(rows), -1, dtype=np.int8)
        for r in found[0][1] if found else ():
            applies = context.mask(r, rows) & ~decided
            chosen[applies] = position[matcher.rules[r].group]
            decided |= applies
        named = np.zeros(len(rows), dtype=bool)
        for _, rules in found:
            for r in rules:
                if matcher.rules[r].wagner:
                    named |= context.mask(r, rows)
        group[rows] = chosen
        wagner[rows] = named
    return group, wagner


def harmonize_actors(
    events: pd.DataFrame,
    *,
    table: str | os.PathLike[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Set ``perpetrator_group`` and ``wagner_involved`` from the actor names.

    Parameters
    ----------
    events
        A canonical event table (or any frame with the four actor columns).
    table
        The actor table: a frame from :func:`load_actor_table`, a path, or ``None`` for
        ``data/hand/actors.csv``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``events`` with ``perpetrator_group`` and ``wagner_involved`` replaced.

    Notes
    -----
    ``perpetrator_group`` is the group of ``actor1``, the perpetrating side in ACLED's and
    UCDP's coding (UCDP's ``side_a``); it is missing where the table has no pattern for actor1
    (see :func:`unmatched_actors`). When actor1 is a state force (``state_forces``) and any
    actor field (actor1, assoc_actor1, actor2, assoc_actor2) names the Wagner Group, Africa
    Corps or other Russian forces, the group is ``state_forces_with_foreign``: ACLED often codes
    Russian personnel as an associated actor of the Malian military. ``wagner_involved`` is true
    where any actor field names them.
    """
    matcher = _Matcher(_table(table))
    context = _Context(events, matcher)
    n = len(events)
    dtype = event_dtypes()["perpetrator_group"]
    position = {name: i for i, name in enumerate(dtype.categories)}
    wagner = np.zeros(n, dtype=bool)
    codes = np.full(n, -1, dtype=np.int8)
    for field in ACTOR_FIELDS:
        if field not in events:
            continue
        first, any_wagner = _per_category(events[field], matcher, position, context)
        wagner |= any_wagner
        if field == "actor1":
            codes = first
    state = codes == position["state_forces"]
    codes = np.where(state & wagner, position["state_forces_with_foreign"], codes).astype(np.int8)
    out = events.copy(deep=False)  # copy-on-write: the caller's frame is not changed
    out["perpetrator_group"] = pd.Categorical.from_codes(codes, dtype=dtype)
    out["wagner_involved"] = wagner
    return out


def unmatched_actors(
    events: pd.DataFrame,
    *,
    table: str | os.PathLike[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Actor names that the actor table does not match, with how many events name them.

    Parameters
    ----------
    events
        A canonical event table.
    table
        The actor table (default ``data/hand/actors.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns ``actor`` (one name; associated-actor lists are split at ``;``), ``n_events``
        (events naming it in any actor field, each event counted once) and ``fields`` (the
        fields it appears in, e.g. ``"actor1; assoc_actor2"``), sorted by ``n_events``
        descending then name. Empty when every name is matched.

    Examples
    --------
    >>> unmatched_actors(read_acled("export.csv")).head()  # doctest: +SKIP
    """
    matcher = _Matcher(_table(table))
    return _tally_names(events, lambda name: not matcher.candidates(name))


def confusable_actors(events: pd.DataFrame) -> pd.DataFrame:
    """Actor names that are matched only after replacing a look-alike letter.

    Parameters
    ----------
    events
        A canonical event table.

    Returns
    -------
    pandas.DataFrame
        Columns ``actor`` (the name as written, look-alikes and all), ``read_as`` (the name
        as matched, see :func:`normalise_actor_name`), ``n_events`` (events naming it in any
        actor field, each counted once) and ``fields`` (the fields it appears in), sorted by
        ``n_events`` descending then name. Empty when no name mixes scripts.

    Notes
    -----
    A Latin name with a Cyrillic ``а`` is a typing accident or a disguise; either way it is
    counted under the Latin name, and this table shows where that happened.

    Examples
    --------
    >>> confusable_actors(read_acled("export.csv"))  # doctest: +SKIP
    """
    frame = _tally_names(events, lambda name: normalise_actor_name(name)[1])
    frame.insert(1, "read_as", [normalise_actor_name(name)[0] for name in frame["actor"]])
    return frame


def _tally_names(events: pd.DataFrame, keep: Callable[[str], bool]) -> pd.DataFrame:
    """The names in the actor fields for which ``keep`` holds: events and fields naming each."""
    counts: dict[str, set[int]] = {}
    fields: dict[str, set[str]] = {}
    positions = np.arange(len(events))
    for field in ACTOR_FIELDS:
        if field not in events:
            continue
        series = events[field]
        cat = series.astype("category").cat.remove_unused_categories()
        codes = cat.cat.codes.to_numpy()
        for i, value in enumerate(cat.cat.categories):
            chosen = [name for name in _split(value) if keep(name)]
            if not chosen:
                continue
            rows = positions[codes == i]
            for name in chosen:
                counts.setdefault(name, set()).update(rows.tolist())
                fields.setdefault(name, set()).add(field)
    order = {f: i for i, f in enumerate(ACTOR_FIELDS)}
    frame = pd.DataFrame(
        {
            "actor": list(counts),
            "n_events": [len(rows) for rows in counts.values()],
            "fields": ["; ".join(sorted(fields[name], key=order.get)) for name in counts],
        },
        columns=["actor", "n_events", "fields"],
    )
    frame["n_events"] = frame["n_events"].astype("int64")
    return frame.sort_values(["n_events", "actor"], ascending=[False, True]).reset_index(drop=True)
