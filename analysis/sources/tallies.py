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
from analysis._checks import did_you_mean
from analysis.errors import DataError
from analysis.sources._csvtable import (
    Column,
    TableSpec,
    parse_table,
    problem_at,
    report,
    report_rows,
)
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
    "read_tallies",
    "check_tally_references",
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
    "load_stated_changes",
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


def load_sources(
    path: str | Path | None = None, *, problems: list[DataError] | None = None
) -> pd.DataFrame:
    """Load ``sources.csv``: one row per document (defaults to the shipped file).

    Parameters
    ----------
    path
        The file; defaults to the shipped ``data/tallies/sources.csv``.
    problems
        When a list, every broken rule is appended to it instead of raised (the rows that broke
        one are left out); see :func:`analysis.sources.evidence.check_evidence`.

    Returns
    -------
    pandas.DataFrame
        Columns ``source_id, reporting_body, body_type, title, publisher, published, url,
        copy_url, grade, language`` and ``line`` (the record's line in the file).

    Raises
    ------
    analysis.errors.DataError
        On any broken rule (required values, ISO dates, http(s) URLs, unique ids, grades, an
        address: ``url`` or ``copy_url``).
    """
    path = _default(path, "sources.csv")
    sources = parse_table(path, SOURCES_SPEC, problems=problems)
    no_address = (sources["url"].isna() & sources["copy_url"].isna()).to_numpy()
    report_rows(
        problems,
        sources,
        no_address,
        lambda i: "a document needs an address: the publisher's (url) or the copy read (copy_url)",
        path=path,
        column="url",
        rule="address",
    )
    return sources[~no_address].reset_index(drop=True) if no_address.any() else sources


def load_bodies(
    path: str | Path | None = None, *, problems: list[DataError] | None = None
) -> pd.DataFrame:
    """Load ``bodies.csv``: what each reporting body counts (defaults to the shipped file)."""
    path = _default(path, "bodies.csv")
    bodies = parse_table(path, BODIES_SPEC, problems=problems)
    _check_order(
        bodies, "coverage_start", "coverage_end", path, rule="period_order", problems=problems
    )
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


def read_tallies(path: str | Path, *, problems: list[DataError] | None = None) -> pd.DataFrame:
    """Parse one ``tallies.csv`` and check the rules within each row (no cross-file checks).

    The rules: those of the schema, ``period_start <= period_end``, ``value_low <= value <=
    value_high`` and the qualifier consistent with the bounds. :func:`load_tallies` adds the
    references to the documents, the bodies and the other figures.
    """
    path = Path(path)
    tallies = parse_table(path, TALLIES_SPEC, problems=problems)
    _check_order(
        tallies, "period_start", "period_end", path, rule="period_order", problems=problems
    )
    _check_values(tallies, path, problems=problems)
    return tallies


def check_tally_references(
    tallies: pd.DataFrame,
    path: str | Path,
    *,
    source_ids: set[str],
    body_ids: set[str] | None,
    tally_ids: set[str],
    problems: list[DataError] | None = None,
) -> None:
    """Every ``source_id`` and ``reporting_body`` resolves and every derivation names figures.

    ``tally_ids`` are the figures a derivation may name (those of the whole table, when a
    researcher's figures are merged with the shipped ones); ``body_ids`` None skips the bodies.
    """
    path = Path(path)
    _check_reference(tallies, "source_id", source_ids, "sources", path, problems=problems)
    if body_ids is not None:
        _check_reference(tallies, "reporting_body", body_ids, "bodies", path, problems=problems)
    _check_derivations(tallies, path, tally_ids, problems=problems)


def load_tallies(
    path: str | Path | None = None,
    *,
    sources: pd.DataFrame | str | Path | None = None,
    bodies: pd.DataFrame | str | Path | None = None,
    problems: list[DataError] | None = None,
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
    problems
        When a list, every broken rule is appended to it instead of raised.

    Returns
    -------
    pandas.DataFrame
        The columns of the codebook (``data/tallies/README.md``) with dates as ``datetime64``,
        vocabularies as categoricals, counts as nullable ``Int64``, text as strings, and
        ``line``: the record's line in the file, so a figure can be traced back to it.
        ``unverified`` is blank when the figure was read in the copy ``sources.csv`` cites.

    Raises
    ------
    analysis.errors.DataError
        A rule is broken: required columns and values, allowed values, ``period_start <=
        period_end``, ``value_low <= value <= value_high``, the qualifier consistent with the
        bounds, ``source_id``/``reporting_body`` resolving, unique ``tally_id``, derivations
        naming existing figures.
    """
    path = _default(path, "tallies.csv")
    tallies = read_tallies(path, problems=problems)
    if not isinstance(sources, pd.DataFrame):
        sources = load_sources(sources if sources is not None else path.parent / "sources.csv")
    if not isinstance(bodies, pd.DataFrame):
        body_path = Path(bodies) if bodies is not None else path.parent / "bodies.csv"
        bodies = load_bodies(body_path) if (bodies is not None or body_path.exists()) else None
    check_tally_references(
        tallies,
        path,
        source_ids=set(sources["source_id"].dropna()),
        body_ids=None if bodies is None else set(bodies["reporting_body"].dropna()),
        tally_ids=set(tallies["tally_id"].dropna()),
        problems=problems,
    )
    return tallies


def load_known_issues(
    path: str | Path | None = None, *, problems: list[DataError] | None = None
) -> pd.DataFrame:
    """Load ``known_issues.csv``: explained inconsistencies of the published record.

    ``set_aside`` names the copies judged misprints (e.g. a press copy printing 573 for the
    note's 543); :func:`set_aside` leaves them out of analyses and reports list them.
    """
    return parse_table(_default(path, "known_issues.csv"), KNOWN_ISSUES_SPEC, problems=problems)


def load_stated_changes(
    path: str | Path | None = None, *, problems: list[DataError] | None = None
) -> pd.DataFrame:
    """Load ``stated_changes.csv``: percentage changes stated by sources (the audit recomputes them)."""
    path = _default(path, "stated_changes.csv")
    table = parse_table(path, STATED_CHANGES_SPEC, problems=problems)
    bad = []
    for i, value in enumerate(table["stated_percent"]):
        try:
            float(str(value).replace("%", ""))
        except ValueError:
            bad.append(i)
            report(
                problems,
                problem_at(
                    table,
                    i,
                    f"{value!r} is not a percentage",
                    path=path,
                    column="stated_percent",
                    rule="number",
                ),
            )
    return table.drop(index=table.index[bad]).reset_index(drop=True) if bad else table


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


def load_evidence(
    directory: str | Path | None = None, *, overlay: str | Path | None = None
) -> dict[str, pd.DataFrame]:
    """Load and cross-validate the evidence table, with a researcher's own figures merged in.

    See :func:`analysis.sources.evidence.load_evidence` (this is the same function).
    """
    from analysis.sources.evidence import load_evidence as _load

    return _load(directory, overlay=overlay)


def _check_order(
    frame: pd.DataFrame,
    first: str,
    second: str,
    path: Path,
    *,
    rule: str,
    problems: list[DataError] | None = None,
) -> None:
    report_rows(
        problems,
        frame,
        (frame[first] > frame[second]).fillna(False).to_numpy(),
        lambda i: (
            f"{first} {frame[first].iloc[i]:%Y-%m-%d} is after {second} "
            f"{frame[second].iloc[i]:%Y-%m-%d}"
        ),
        path=path,
        column=first,
        rule=rule,
    )


def _check_values(
    tallies: pd.DataFrame, path: Path, *, problems: list[DataError] | None = None
) -> None:
    value, low, high = tallies["value"], tallies["value_low"], tallies["value_high"]
    for i, q in enumerate(tallies["qualifier"].astype(str)):
        error = _value_problem(tallies, i, q, value.iloc[i], low.iloc[i], high.iloc[i], path)
        if error is not None:
            report(problems, error)


def _value_problem(tallies, i, q, v, lo, hi, path) -> DataError | None:
    """The first rule of value, bounds and qualifier that row ``i`` breaks, or None."""
    v_na, lo_na, hi_na = pd.isna(v), pd.isna(lo), pd.isna(hi)

    def at(message: str, column: str, rule: str) -> DataError:
        return problem_at(tallies, i, message, path=path, column=column, rule=rule)

    if q == "between":
        if lo_na or hi_na:
            return at(
                "qualifier 'between' needs both value_low and value_high",
                "value_low" if lo_na else "value_high",
                "qualifier_bounds",
            )
        if lo > hi:
            return at(f"value_low {lo} is above value_high {hi}", "value_low", "bounds_order")
        if not v_na and not lo <= v <= hi:
            return at(f"value {v} lies outside [{lo}, {hi}]", "value", "bounds_order")
        return None
    if v_na:
        return at(
            f"qualifier {q!r} needs a value (only 'between' may leave it blank)",
            "value",
            "qualifier_bounds",
        )
    if not lo_na or not hi_na:
        return at(
            f"value_low/value_high are for qualifier 'between'; with {q!r} the bounds "
            "follow from the qualifier (leave them blank)",
            "value_low" if not lo_na else "value_high",
            "qualifier_bounds",
        )
    if tallies["measure"].iloc[i] == "percent_events" and v > 100:
        return at(f"a percentage of {v}", "value", "percentage")
    return None


def _check_reference(
    frame: pd.DataFrame,
    column: str,
    known: set[str],
    table: str,
    path: Path,
    *,
    problems: list[DataError] | None = None,
) -> None:
    values = frame[column]
    report_rows(
        problems,
        frame,
        (~values.isin(known) & values.notna()).to_numpy(),
        lambda i: (
            f"{values.iloc[i]!r} does not resolve: no such {column} in the {table} table"
            f"{did_you_mean(values.iloc[i], sorted(known))}"
        ),
        path=path,
        column=column,
        rule="foreign_key",
    )


def _check_derivations(
    tallies: pd.DataFrame,
    path: Path,
    ids: set[str],
    *,
    problems: list[DataError] | None = None,
) -> None:
    for i, derivation in enumerate(tallies["derivation"]):
        if pd.isna(derivation):
            continue
        refs = _TALLY_REF.findall(str(derivation))
        if not refs:
            report(
                problems,
                problem_at(
                    tallies,
                    i,
                    "a derivation must name the tally_ids it is computed from",
                    path=path,
                    column="derivation",
                    rule="derivation_reference",
                ),
            )
        for ref in refs:
            if ref not in ids or ref == tallies["tally_id"].iloc[i]:
                report(
                    problems,
                    problem_at(
                        tallies,
                        i,
                        f"the derivation names {ref!r}, which is not another figure of the table"
                        f"{did_you_mean(ref, sorted(ids - {tallies['tally_id'].iloc[i]}))}",
                        path=path,
                        column="derivation",
                        rule="derivation_reference",
                    ),
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
