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

A name takes the group of the first ``exact`` row that matches it; failing that, of the first
``contains`` or ``regex`` row in the table's order (so specific patterns go above general ones).
Associated-actor fields list several names separated by ``;``; each is matched on its own.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.harmonize.schema import PERPETRATOR_GROUPS, event_dtypes

__all__ = [
    "load_actor_table",
    "harmonize_actors",
    "unmatched_actors",
    "match_actor",
    "ACTOR_FIELDS",
]

ACTOR_FIELDS: tuple[str, ...] = ("actor1", "assoc_actor1", "actor2", "assoc_actor2")
_COLUMNS = ("pattern", "match_type", "perpetrator_group", "wagner", "note")
_MATCH_TYPES = ("exact", "contains", "regex")
_TRUE = {"true", "yes", "1"}
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
        Columns ``pattern``, ``match_type``, ``perpetrator_group``, ``wagner`` (bool), ``note``
        and ``line`` (the row's line in the file), in the file's order.

    Raises
    ------
    DataError
        A missing column, an unknown match type or group, a ``wagner`` value that is not
        true/false, a regular expression that does not compile, or a repeated pattern, naming
        the line.
    """
    source = Path(path) if path is not None else default_actor_table_path()
    try:
        text = source.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError("actor table not found", file=source, rule="missing_file") from None
    except UnicodeDecodeError as exc:
        raise DataError("the actor table is not valid UTF-8", file=source, rule="encoding") from exc
    import io

    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, comment=None)
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; expected {list(_COLUMNS)}",
            file=source,
            line=1,
            column=missing[0],
            rule="required",
        )
    frame = frame[list(_COLUMNS)].apply(lambda s: s.str.strip())
    frame["line"] = np.arange(2, len(frame) + 2)
    seen: dict[tuple[str, str], int] = {}
    wagner = []
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
        key = (row.match_type, row.pattern.lower())
        if key in seen:
            raise DataError(
                f"pattern repeated (first on line {seen[key]})",
                column="pattern",
                rule="duplicate",
                **where,
            )
        seen[key] = int(row.line)
    frame["wagner"] = np.array(wagner, dtype=bool)
    return frame.reset_index(drop=True)


class _Matcher:
    """Matches single actor names against the table (memoised)."""

    def __init__(self, table: pd.DataFrame) -> None:
        exact = table[table["match_type"] == "exact"]
        self._exact = {
            p.strip().lower(): (g, bool(w))
            for p, g, w in zip(
                exact["pattern"], exact["perpetrator_group"], exact["wagner"], strict=True
            )
        }
        self._others = [
            (
                re.compile(re.escape(p), re.IGNORECASE) if t == "contains" else re.compile(p),
                g,
                bool(w),
            )
            for p, t, g, w in zip(
                table["pattern"],
                table["match_type"],
                table["perpetrator_group"],
                table["wagner"],
                strict=True,
            )
            if t != "exact"
        ]
        self._wagner_exact = {p for p, (_, w) in self._exact.items() if w}
        self._wagner_others = [regex for regex, _, w in self._others if w]
        self._memo: dict[str, tuple[str, bool] | None] = {}

    def name(self, name: str) -> tuple[str, bool] | None:
        """``(group, names_russians)``: the group of the first matching row; whether *any*
        Wagner/Russian row matches (so "Government of Mali, Wagner Group" counts)."""
        if name in self._memo:
            return self._memo[name]
        key = name.strip().lower()
        found = self._exact.get(key)
        if found is None:
            for regex, group, wagner in self._others:
                if regex.search(name):
                    found = (group, wagner)
                    break
        if found is not None and not found[1]:
            russians = key in self._wagner_exact or any(
                regex.search(name) for regex in self._wagner_others
            )
            found = (found[0], russians)
        self._memo[name] = found
        return found

    def cell(self, value: str) -> list[tuple[str, tuple[str, bool] | None]]:
        return [(part, self.name(part)) for part in _split(value)]


def _split(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _table(table: str | os.PathLike[str] | pd.DataFrame | None) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    return load_actor_table(table)


def match_actor(
    name: str, *, table: str | os.PathLike[str] | pd.DataFrame | None = None
) -> tuple[str, bool] | None:
    """``(perpetrator_group, wagner)`` for one actor name, or ``None`` if the table misses it."""
    return _Matcher(_table(table)).name(name)


def _per_category(
    series: pd.Series, matcher: _Matcher, position: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """For each row: the group code of its first name (-1 if none), and whether any name in it
    designates Wagner or other Russian forces. Work is per distinct value, not per row."""
    cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    categories = cat.cat.categories
    codes = cat.cat.codes.to_numpy()
    first_group = np.full(len(categories) + 1, -1, dtype=np.int8)
    any_wagner = np.zeros(len(categories) + 1, dtype=bool)
    for i, value in enumerate(categories):
        found = matcher.cell(value)
        if found and found[0][1] is not None:
            first_group[i] = position[found[0][1][0]]
        any_wagner[i] = any(m is not None and m[1] for _, m in found)
    # code -1 (missing) indexes the last slot: no group, no Wagner
    return first_group[codes], any_wagner[codes]


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
    n = len(events)
    dtype = event_dtypes()["perpetrator_group"]
    position = {name: i for i, name in enumerate(dtype.categories)}
    wagner = np.zeros(n, dtype=bool)
    codes = np.full(n, -1, dtype=np.int8)
    for field in ACTOR_FIELDS:
        if field not in events:
            continue
        first, any_wagner = _per_category(events[field], matcher, position)
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
    counts: dict[str, set[int]] = {}
    fields: dict[str, set[str]] = {}
    positions = np.arange(len(events))
    for field in ACTOR_FIELDS:
        if field not in events:
            continue
        series = events[field]
        cat = series.astype("category")
        codes = cat.cat.codes.to_numpy()
        for i, value in enumerate(cat.cat.categories):
            missing = [name for name, m in matcher.cell(value) if m is None]
            if not missing:
                continue
            rows = positions[codes == i]
            for name in missing:
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
