"""The evidence table: published figures, the documents behind them, what each body counts.

Three CSV files under ``data/tallies/`` (documented in ``data/tallies/README.md``):

``sources.csv``
    one row per document read (publisher, date, URL, the copy actually read and its grade);
``tallies.csv``
    one row per published figure, with its qualifier ("at least", "about", ...) and window;
``bodies.csv``
    what each reporting body counts (victim definition, rules, units, rounding).

and the intervention dates in ``data/hand/interventions.csv``. Every loader validates its file
and raises :class:`analysis.errors.DataError` naming the file, line, column and rule broken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.errors import DataError
from analysis.sources._csvtable import Column, TableSpec, fail_at, parse_table
from analysis.sources.datapackage import table_specs

__all__ = [
    "BODY_TYPES",
    "GRADES",
    "MEASURES",
    "DEATH_MEASURES",
    "PERPETRATOR_GROUPS",
    "QUALIFIERS",
    "VICTIM_GROUPS",
    "SOURCES_SPEC",
    "TALLIES_SPEC",
    "BODIES_SPEC",
    "INTERVENTIONS_SPEC",
    "load_sources",
    "load_tallies",
    "load_bodies",
    "load_interventions",
    "load_evidence",
    "tally_bounds",
    "select_tallies",
    "figures_by_body",
    "KNOWN_ISSUES_SPEC",
    "STATED_CHANGES_SPEC",
    "AUDIT_CHECKS",
    "load_known_issues",
    "set_aside",
]

_SPECS = table_specs()
SOURCES_SPEC = _SPECS["sources"]
TALLIES_SPEC = _SPECS["tallies"]
BODIES_SPEC = _SPECS["bodies"]
STATED_CHANGES_SPEC = _SPECS["stated_changes"]
KNOWN_ISSUES_SPEC = _SPECS["known_issues"]

# the vocabularies, as declared in data/tallies/datapackage.json
BODY_TYPES: tuple[str, ...] = SOURCES_SPEC.column("body_type").allowed or ()
GRADES: tuple[str, ...] = SOURCES_SPEC.column("grade").allowed or ()
MEASURES: tuple[str, ...] = TALLIES_SPEC.column("measure").allowed or ()
#: measures that count deaths (comparable with each other when the victims match)
DEATH_MEASURES = ("killed", "executed", "fatalities")
VICTIM_GROUPS: tuple[str, ...] = TALLIES_SPEC.column("victim_group").allowed or ()
PERPETRATOR_GROUPS: tuple[str, ...] = TALLIES_SPEC.column("perpetrator_group").allowed or ()
QUALIFIERS: tuple[str, ...] = TALLIES_SPEC.column("qualifier").allowed or ()
AUDIT_CHECKS: tuple[str, ...] = KNOWN_ISSUES_SPEC.column("check").allowed or ()
#: qualifiers whose interval is open above
OPEN_QUALIFIERS = ("at_least", "over", "more_than")
INTERVENTION_KINDS = ("arrival", "statement", "deployment", "withdrawal", "departure", "marker")

INTERVENTIONS_SPEC = TableSpec(
    name="interventions",
    key="intervention_id",
    columns=(
        Column("intervention_id", "id", required=True),
        Column("date", "date", required=True),
        Column("date_precision", "category", required=True, allowed=("day", "month", "year")),
        Column("kind", "category", required=True, allowed=INTERVENTION_KINDS),
        Column("label", required=True),
        Column("is_default", "bool", required=True),
        Column("description"),
        Column("source_title", required=True),
        Column("publisher", required=True),
        Column("published", "date"),
        Column("url", "url", required=True),
        Column("copy_url", "url"),
        Column("grade", "category", required=True, allowed=GRADES),
    ),
)

_TALLY_REF = re.compile(r"\b[a-z][a-z0-9_]*-\d{3}\b")


def _default(path: str | Path | None, name: str) -> Path:
    return Path(path) if path is not None else paths.tallies_dir() / name


def load_sources(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``sources.csv``: one row per document (defaults to the shipped file).

    Returns
    -------
    pandas.DataFrame
        Columns ``source_id, reporting_body, body_type, title, publisher, published, url,
        copy_url, grade, language`` and ``line`` (the record's line in the file).

    Raises
    ------
    analysis.errors.DataError
        On any broken rule (required values, ISO dates, http(s) URLs, unique ids, grades).
    """
    return parse_table(_default(path, "sources.csv"), SOURCES_SPEC)


def load_bodies(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``bodies.csv``: what each reporting body counts (defaults to the shipped file)."""
    path = _default(path, "bodies.csv")
    bodies = parse_table(path, BODIES_SPEC)
    _check_order(bodies, "coverage_start", "coverage_end", path, rule="period_order")
    return bodies


def load_interventions(path: str | Path | None = None) -> pd.DataFrame:
    """Load the dated interventions (``data/hand/interventions.csv``) for before/after analyses.

    Exactly one row is the default (``is_default``): Wagner's arrival in December 2021.
    """
    path = Path(path) if path is not None else paths.hand_dir() / "interventions.csv"
    table = parse_table(path, INTERVENTIONS_SPEC)
    n_default = int(table["is_default"].sum())
    if n_default != 1:
        raise DataError(
            f"exactly one intervention must be the default (is_default true), found {n_default}",
            file=path,
            column="is_default",
            rule="one_default",
        )
    return table.sort_values("date", kind="stable").reset_index(drop=True)


def load_tallies(
    path: str | Path | None = None,
    *,
    sources: pd.DataFrame | str | Path | None = None,
    bodies: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Load ``tallies.csv``: one row per published figure, validated and typed.

    Parameters
    ----------
    path
        The tallies file; defaults to the shipped ``data/tallies/tallies.csv``.
    sources, bodies
        The documents and bodies tables (or their paths) that every ``source_id`` and
        ``reporting_body`` must resolve in; default to ``sources.csv`` and ``bodies.csv``
        beside ``path``. A missing ``bodies.csv`` beside a user's own table is tolerated.

    Returns
    -------
    pandas.DataFrame
        The columns of the codebook (``data/tallies/README.md``) with dates as ``datetime64``,
        vocabularies as categoricals, counts as nullable ``Int64``, text as strings, and
        ``line``: the record's line in the file, so a figure can be traced back to it.

    Raises
    ------
    analysis.errors.DataError
        A rule is broken: required columns and values, allowed values, ``period_start <=
        period_end``, ``value_low <= value <= value_high``, the qualifier consistent with the
        bounds, ``source_id``/``reporting_body`` resolving, unique ``tally_id``, derivations
        naming existing figures.
    """
    path = _default(path, "tallies.csv")
    tallies = parse_table(path, TALLIES_SPEC)
    _check_order(tallies, "period_start", "period_end", path, rule="period_order")
    _check_values(tallies, path)
    if not isinstance(sources, pd.DataFrame):
        sources = load_sources(sources if sources is not None else path.parent / "sources.csv")
    _check_reference(tallies, "source_id", set(sources["source_id"].dropna()), "sources", path)
    if not isinstance(bodies, pd.DataFrame):
        body_path = Path(bodies) if bodies is not None else path.parent / "bodies.csv"
        bodies = load_bodies(body_path) if (bodies is not None or body_path.exists()) else None
    if bodies is not None:
        known = set(bodies["reporting_body"].dropna())
        _check_reference(tallies, "reporting_body", known, "bodies", path)
    _check_derivations(tallies, path)
    return tallies


def load_known_issues(path: str | Path | None = None) -> pd.DataFrame:
    """Load ``known_issues.csv``: explained inconsistencies of the published record.

    ``set_aside`` names the copies judged misprints (e.g. a press copy printing 573 for the
    note's 543); :func:`set_aside` leaves them out of analyses and reports list them.
    """
    return parse_table(_default(path, "known_issues.csv"), KNOWN_ISSUES_SPEC)


def set_aside(
    tallies: pd.DataFrame, known_issues: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split off the copies that ``known_issues`` sets aside as misprints.

    Returns ``(kept, aside)``: the figures to analyse, and the set-aside figures with the
    ``explanation`` of why (so a report can show them). Nothing is dropped silently.
    """
    if known_issues is None or "set_aside" not in known_issues or known_issues.empty:
        return tallies, tallies.iloc[0:0].assign(explanation=pd.Series(dtype="string"))
    reasons: dict[str, str] = {}
    for ids, why in zip(known_issues["set_aside"], known_issues["explanation"], strict=True):
        if pd.isna(ids):
            continue
        for tally_id in str(ids).split(";"):
            reasons.setdefault(tally_id.strip(), str(why))
    unknown = sorted(set(reasons) - set(tallies["tally_id"]))
    if unknown:
        raise DataError(
            f"known_issues sets aside figures that are not in the table: {unknown}",
            column="set_aside",
            rule="foreign_key",
        )
    aside_mask = tallies["tally_id"].isin(list(reasons))
    aside = tallies[aside_mask].copy()
    aside["explanation"] = aside["tally_id"].map(reasons).astype("string")
    return tallies[~aside_mask], aside


def load_evidence(directory: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Load and cross-validate the evidence-table files of one folder.

    Returns a dict with keys ``sources``, ``bodies``, ``tallies`` (every figure),
    ``known_issues`` (empty when the folder has no ``known_issues.csv``), ``usable`` (the
    figures without the copies set aside as misprints) and ``set_aside`` (those copies, with
    the explanation).
    """
    folder = Path(directory) if directory is not None else paths.tallies_dir()
    sources = load_sources(folder / "sources.csv")
    bodies = load_bodies(folder / "bodies.csv")
    _check_reference(
        sources, "reporting_body", set(bodies["reporting_body"]), "bodies", folder / "sources.csv"
    )
    tallies = load_tallies(folder / "tallies.csv", sources=sources, bodies=bodies)
    known_path = folder / "known_issues.csv"
    known = load_known_issues(known_path) if known_path.exists() else None
    try:
        usable, aside = set_aside(tallies, known)
    except DataError as error:
        raise DataError(
            error.message, file=known_path, column="set_aside", rule="foreign_key"
        ) from None
    return {
        "sources": sources,
        "bodies": bodies,
        "tallies": tallies,
        "known_issues": known
        if known is not None
        else pd.DataFrame(columns=KNOWN_ISSUES_SPEC.names),
        "usable": usable,
        "set_aside": aside,
    }


def _check_order(frame: pd.DataFrame, first: str, second: str, path: Path, *, rule: str) -> None:
    bad = (frame[first] > frame[second]).fillna(False).to_numpy()
    if bad.any():
        i = int(bad.nonzero()[0][0])
        fail_at(
            frame,
            i,
            f"{first} {frame[first].iloc[i]:%Y-%m-%d} is after {second} "
            f"{frame[second].iloc[i]:%Y-%m-%d}",
            path=path,
            column=first,
            rule=rule,
        )


def _check_values(tallies: pd.DataFrame, path: Path) -> None:
    value, low, high = tallies["value"], tallies["value_low"], tallies["value_high"]
    for i, q in enumerate(tallies["qualifier"].astype(str)):
        v, lo, hi = value.iloc[i], low.iloc[i], high.iloc[i]
        v_na, lo_na, hi_na = pd.isna(v), pd.isna(lo), pd.isna(hi)
        if q == "between":
            if lo_na or hi_na:
                missing = "value_low" if lo_na else "value_high"
                fail_at(
                    tallies,
                    i,
                    "qualifier 'between' needs both value_low and value_high",
                    path=path,
                    column=missing,
                    rule="qualifier_bounds",
                )
            if lo > hi:
                fail_at(
                    tallies,
                    i,
                    f"value_low {lo} is above value_high {hi}",
                    path=path,
                    column="value_low",
                    rule="bounds_order",
                )
            if not v_na and not lo <= v <= hi:
                fail_at(
                    tallies,
                    i,
                    f"value {v} lies outside [{lo}, {hi}]",
                    path=path,
                    column="value",
                    rule="bounds_order",
                )
            continue
        if v_na:
            fail_at(
                tallies,
                i,
                f"qualifier {q!r} needs a value (only 'between' may leave it blank)",
                path=path,
                column="value",
                rule="qualifier_bounds",
            )
        if not lo_na or not hi_na:
            column = "value_low" if not lo_na else "value_high"
            fail_at(
                tallies,
                i,
                f"value_low/value_high are for qualifier 'between'; with {q!r} the bounds "
                "follow from the qualifier (leave them blank)",
                path=path,
                column=column,
                rule="qualifier_bounds",
            )
        if tallies["measure"].iloc[i] == "percent_events" and v > 100:
            fail_at(
                tallies, i, f"a percentage of {v}", path=path, column="value", rule="percentage"
            )


def _check_reference(
    frame: pd.DataFrame, column: str, known: set[str], table: str, path: Path
) -> None:
    values = frame[column]
    bad = (~values.isin(known) & values.notna()).to_numpy()
    if bad.any():
        i = int(bad.nonzero()[0][0])
        fail_at(
            frame,
            i,
            f"{values.iloc[i]!r} does not resolve: no such {column} in the {table} table",
            path=path,
            column=column,
            rule="foreign_key",
        )


def _check_derivations(tallies: pd.DataFrame, path: Path) -> None:
    ids = set(tallies["tally_id"])
    for i, derivation in enumerate(tallies["derivation"]):
        if pd.isna(derivation):
            continue
        refs = _TALLY_REF.findall(str(derivation))
        if not refs:
            fail_at(
                tallies,
                i,
                "a derivation must name the tally_ids it is computed from",
                path=path,
                column="derivation",
                rule="derivation_reference",
            )
        for ref in refs:
            if ref not in ids or ref == tallies["tally_id"].iloc[i]:
                fail_at(
                    tallies,
                    i,
                    f"the derivation names {ref!r}, which is not another figure of the table",
                    path=path,
                    column="derivation",
                    rule="derivation_reference",
                )


def tally_bounds(tallies: pd.DataFrame, *, about_width: float = 0.1) -> pd.DataFrame:
    """Each figure's qualifier as an interval of the quantity it speaks of.

    Parameters
    ----------
    tallies
        Rows of the evidence table (needs ``qualifier``, ``value``, ``value_low``,
        ``value_high``).
    about_width
        Relative half-width given to "about" and the lower reach of "nearly" (default 0.1:
        "about 300" is [270, 330]). Must lie in [0, 1).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``tallies``: ``low``, ``high`` (floats; ``inf`` when open above),
        ``point`` (the published value; the midpoint for "between"), ``open_high`` (bool).

    Notes
    -----
    With :math:`v` the published value and :math:`w` = ``about_width``:

    =====================  ==========================
    qualifier              interval
    =====================  ==========================
    exact                  :math:`[v, v]`
    at_least, over,        :math:`[v, \\infty)` (over / more than are strict in words; the
    more_than              count is kept at :math:`v` so no figure is invented)
    about                  :math:`[v(1-w), v(1+w)]`
    nearly                 :math:`[v(1-w), v]`
    up_to                  :math:`[0, v]`
    between                :math:`[\\text{value\\_low}, \\text{value\\_high}]`
    =====================  ==========================

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"qualifier": ["at_least", "about"], "value": [300, 500],
    ...                   "value_low": [None, None], "value_high": [None, None]})
    >>> tally_bounds(t)[["low", "high"]].to_numpy().tolist()
    [[300.0, inf], [450.0, 550.0]]
    """
    if not 0 <= about_width < 1:
        raise ValueError(f"about_width must lie in [0, 1), got {about_width!r}")
    missing = {"qualifier", "value", "value_low", "value_high"} - set(tallies.columns)
    if missing:
        raise ValueError(f"tally_bounds needs the columns {sorted(missing)}")
    q = tallies["qualifier"].astype("string").to_numpy(dtype=object)
    unknown = set(pd.unique(q)) - set(QUALIFIERS) - {None, pd.NA}
    if unknown:
        raise ValueError(f"unknown qualifier(s) {sorted(map(str, unknown))}")
    v = pd.to_numeric(tallies["value"], errors="coerce").astype("float64").to_numpy()
    lo = pd.to_numeric(tallies["value_low"], errors="coerce").astype("float64").to_numpy()
    hi = pd.to_numeric(tallies["value_high"], errors="coerce").astype("float64").to_numpy()
    conditions = [
        q == "exact",
        np.isin(q, OPEN_QUALIFIERS),
        q == "about",
        q == "nearly",
        q == "up_to",
        q == "between",
    ]
    low = np.select(
        conditions, [v, v, v * (1 - about_width), v * (1 - about_width), 0.0, lo], np.nan
    )
    high = np.select(conditions, [v, np.inf, v * (1 + about_width), v, v, hi], np.nan)
    midpoint = (lo + hi) / 2
    point = np.where(q == "between", np.where(np.isnan(v), midpoint, v), v)
    return pd.DataFrame(
        {"low": low, "high": high, "point": point, "open_high": np.isinf(high)},
        index=tallies.index,
    )


def select_tallies(
    tallies: pd.DataFrame,
    *,
    country: str | None = None,
    start: object = None,
    end: object = None,
    bodies: Sequence[str] | None = None,
    victim_group: str | None = None,
    measures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The figures of a country, a date range, some bodies and a victim group.

    A figure is kept when its window overlaps ``[start, end]`` (both inclusive); ``bodies``
    empty or None keeps every body; ``victim_group`` None or ``"any"`` keeps every group.
    Unknown body ids raise a ValueError naming them, so a typo does not silently empty a report.
    """
    keep = pd.Series(True, index=tallies.index)
    if country:
        keep &= tallies["country"].astype("string").str.casefold() == country.casefold()
    if start is not None:
        keep &= tallies["period_end"] >= pd.Timestamp(start)
    if end is not None:
        keep &= tallies["period_start"] <= pd.Timestamp(end)
    if start is not None and end is not None and pd.Timestamp(start) > pd.Timestamp(end):
        raise ValueError(f"start {start} is after end {end}")
    if bodies:
        unknown = sorted(set(bodies) - set(tallies["reporting_body"].dropna()))
        if unknown:
            raise ValueError(f"no figures from the bodies {unknown} in the table")
        keep &= tallies["reporting_body"].isin(list(bodies))
    if victim_group not in (None, "any"):
        if victim_group not in VICTIM_GROUPS:
            raise ValueError(f"victim_group must be one of {VICTIM_GROUPS} or 'any'")
        keep &= tallies["victim_group"] == victim_group
    if measures:
        keep &= tallies["measure"].isin(list(measures))
    return tallies[keep.fillna(False)]


def figures_by_body(tallies: pd.DataFrame) -> pd.DataFrame:
    """One row per body: how many figures and documents, which measures, over which dates."""
    grouped = tallies.groupby(tallies["reporting_body"].astype("string"), sort=True)
    return pd.DataFrame(
        {
            "n_figures": grouped.size(),
            "n_documents": grouped["source_id"].nunique(),
            "n_incidents": grouped["incident_id"].nunique(),
            "measures": grouped["measure"].agg(lambda m: ", ".join(sorted(set(map(str, m))))),
            "first_day": grouped["period_start"].min(),
            "last_day": grouped["period_end"].max(),
        }
    ).reset_index()
