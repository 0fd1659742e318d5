"""Key findings in words, composed from computed results.

Every sentence a report opens with comes from a function here, never from typed text: the
numbers are formatted by :mod:`analysis.tables`, and the rule that picks the wording is in the
function's docstring and tested (``tests/display/test_findings.py``). The before/after
sentences come from :func:`analysis.robustness`.

- :func:`describe_figure`: one published figure as words ("at least 500 people killed");
- :func:`incident_findings`: what the bodies said about one incident, and whether they can
  all be right;
- :func:`overview_findings`: what the evidence table holds for a period;
- :func:`audit_banner`: the unexplained conflicts and warnings of the audit that touch the
  figures a report uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.tables import MEASURE_LABELS, VICTIM_LABELS, fmt_count, fmt_ratio, label

__all__ = [
    "describe_figure",
    "incident_label",
    "incident_findings",
    "overview_findings",
    "audit_banner",
    "series_findings",
    "windows_finding",
]

_QUALIFIER_WORDS = {
    "exact": "",
    "at_least": "at least ",
    "about": "about ",
    "over": "over ",
    "more_than": "more than ",
    "nearly": "nearly ",
    "up_to": "up to ",
}

_NUMBER_WORDS = {
    1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine",
}  # fmt: skip


def _count_words(n: int) -> str:
    return _NUMBER_WORDS.get(n, f"{n:,}")


def describe_figure(row: Mapping[str, object]) -> str:
    """One figure in words: qualifier, number, victims, measure.

    ``{"qualifier": "at_least", "value": 500, "victim_group": "people", "measure":
    "killed"}`` -> ``"at least 500 people (any status) killed"``; a ``between`` figure reads
    ``"350 to 380 ..."``; ``suspected_militants`` and ``combatants`` keep their words, so the
    army's "203 terrorists neutralised" reads ``"203 suspected militants killed"``.
    """
    qualifier = str(row.get("qualifier", "exact"))
    victims = VICTIM_LABELS.get(str(row.get("victim_group")), str(row.get("victim_group")))
    measure = MEASURE_LABELS.get(str(row.get("measure")), str(row.get("measure")))
    if qualifier == "between":
        low = row.get("value_low", row.get("low"))
        high = row.get("value_high", row.get("high"))
        number = f"{fmt_count(low)} to {fmt_count(high)}"
    else:
        number = _QUALIFIER_WORDS.get(qualifier, "") + fmt_count(row.get("value"))
    victims = "" if victims == "—" else f" {victims}"
    return f"{number}{victims} {measure}"


def incident_label(tallies: pd.DataFrame, incident_id: str) -> str:
    """How a reader names an incident: its most cited place and the month it began.

    ``"moura-2022-03"`` -> ``"Moura (March 2022)"``; the id itself when the rows name no
    place. When another incident of the table has the same place and month, the words of the
    id that name neither are added: ``"tinzaouaten-strikes-2024-07"`` -> ``"Tinzaouaten,
    strikes (July 2024)"`` beside ``"Tinzaouaten (July 2024)"``.
    """
    ids = tallies["incident_id"].astype("string")
    place, start = _place_and_start(tallies[ids == incident_id])
    if place is None:
        return incident_id
    month = f" ({start:%B %Y})" if pd.notna(start) else ""

    def same_name(other: str) -> bool:
        other_place, other_start = _place_and_start(tallies[ids == other])
        return other_place == place and (
            f"{other_start:%Y-%m}" == f"{start:%Y-%m}" if pd.notna(start) else pd.isna(other_start)
        )

    others = [other for other in ids.dropna().unique() if other != incident_id and same_name(other)]
    extra = _id_words(incident_id, place, start) if others else ""
    return f"{place}, {extra}{month}" if extra else f"{place}{month}"


def _place_and_start(rows: pd.DataFrame) -> tuple[str | None, pd.Timestamp]:
    """An incident's most cited place (locality, else cercle, else region) and first day."""
    if rows.empty:
        return None, pd.NaT
    place = None
    for column in ("place", "admin2", "admin1"):
        if column in rows and rows[column].notna().any():
            place = str(rows[column].dropna().astype(str).mode().iloc[0])
            break
    return place, pd.to_datetime(rows["period_start"]).min()


def _id_words(incident_id: str, place: str, start: pd.Timestamp) -> str:
    """The words of an incident id that name neither its place nor its date."""
    known = {word.lower() for word in re.split(r"\W+", place) if word}
    if pd.notna(start):
        known |= {f"{start:%Y}", f"{start:%m}"}
    return " ".join(w for w in re.split(r"[-_.]", incident_id) if w and w.lower() not in known)


def incident_findings(
    comparison: object, *, names: Mapping[str, str], incident_label: str
) -> list[str]:
    """What the bodies published about one incident, in three or four sentences.

    Parameters
    ----------
    comparison
        An :class:`analysis.compare.IncidentComparison`.
    names
        Body code -> name (:func:`analysis.tables.body_names`).
    incident_label
        How the sentences name the incident (its place and month, say).

    Returns
    -------
    list of str
        1. How many bodies and figures (when fighters' deaths are compared, which: "of which
           those of Wagner fighters killed by separatists are compared"), and the lowest and highest comparable figures, by
           point value, with their bodies ("from 203 ... (Malian army) to at least 500 ...
           (OHCHR)").
        2. Whether the comparable figures can all be right: their intervals overlap (the
           consensus, the values every figure allows) or not ("do not overlap: at least two
           of the bodies cannot both be right"); with one comparable figure, that there is
           nothing to compare.
        3. When figures are set apart: how many, and the reason of the first.
        4. When a figure counts people of any status: that, as a count of civilians, it
           leans high.
    """
    summary = comparison.summary.iloc[0]  # type: ignore[attr-defined]
    figures = comparison.figures  # type: ignore[attr-defined]
    comparable = comparison.comparable  # type: ignore[attr-defined]
    apart = comparison.apart  # type: ignore[attr-defined]
    n_bodies = int(summary["n_bodies"])
    n_figures = int(summary["n_figures"])
    sentences = []
    bodies_word = "body" if n_bodies == 1 else "bodies"
    figures_word = "figure" if n_figures == 1 else "figures"
    opening = f"{_count_words(n_bodies)} {bodies_word} published {n_figures} {figures_word} about {incident_label}"
    compared_group = str(summary.get("victim_group", "civilians"))
    if compared_group != "civilians":
        side = summary.get("compared_side")
        whose = (
            str(side)
            if isinstance(side, str)
            else f"{VICTIM_LABELS.get(compared_group, compared_group)} killed"
        )
        opening = f"{opening}, of which those of {whose} are compared"
    compared_bodies = comparable["reporting_body"].astype(str).unique()
    if len(comparable) >= 2 and len(compared_bodies) == 1:
        sentences.append(
            f"{opening}; only {label(compared_bodies[0], names)}'s figures count the same "
            "thing, so no two bodies are compared."
        )
    elif len(comparable) >= 2:
        points = comparable["point"].to_numpy(dtype=float)
        lo = comparable.iloc[int(np.nanargmin(points))]
        hi = comparable.iloc[int(np.nanargmax(points))]
        if describe_figure(lo) == describe_figure(hi):
            bodies_named = ", ".join(label(b, names) for b in compared_bodies)
            sentences.append(
                f"{opening}: the compared figures agree on {describe_figure(lo)} ({bodies_named})."
            )
        else:
            sentences.append(
                f"{opening}: from {describe_figure(lo)} ({label(lo['reporting_body'], names)}) "
                f"to {describe_figure(hi)} ({label(hi['reporting_body'], names)})."
            )
        if bool(summary["consensus_empty"]):
            sentences.append(
                "Their intervals do not overlap: at least two of the bodies cannot both be "
                "right about the same toll."
            )
        else:
            low, high = float(summary["consensus_low"]), float(summary["consensus_high"])
            allowed = (
                f"at least {fmt_count(low)}"
                if np.isinf(high)
                else (
                    fmt_count(low)
                    if low == high
                    else f"between {fmt_count(low)} and {fmt_count(high)}"
                )
            )
            spread = float(summary["spread"])
            tail = (
                f"; the highest figure is {fmt_ratio(spread)} times the lowest"
                if np.isfinite(spread) and spread > 1
                else ""
            )
            sentences.append(f"Every comparable figure allows a toll of {allowed}{tail}.")
    else:
        sentences.append(
            f"{opening}; fewer than two of them count the same thing, so none is compared."
        )
    if len(apart):
        first = apart.iloc[0]
        sentences.append(
            f"{len(apart)} {'figure counts' if len(apart) == 1 else 'figures count'} something "
            f"else and {'is' if len(apart) == 1 else 'are'} listed apart, for example "
            f"{describe_figure(first)} ({label(first['reporting_body'], names)}), which "
            f"{first['reason']}."
        )
    if bool(summary.get("includes_people", False)):
        sentences.append(
            "Some compared figures count people of any status, not civilians only: as counts "
            "of civilians they lean high."
        )
    del figures
    return sentences


def overview_findings(
    selected: pd.DataFrame,
    *,
    names: Mapping[str, str],
    start: object,
    end: object,
    agreement: pd.DataFrame | None = None,
    reference_body: str | None = None,
    incidents: pd.DataFrame | None = None,
) -> list[str]:
    """What the evidence table holds for a period, and how the bodies line up.

    1. How many figures from how many bodies and documents, and the body with the most.
    2. How many incidents have figures from two or more bodies (counted in ``incidents``,
       default ``selected``: pass every figure of the scope, whatever its victim group).
    3. With ``agreement`` (from :func:`analysis.compare_periods`): for each other body with
       at least 3 periods shared with ``reference_body``, the geometric-mean ratio of its
       figures to the reference's, with its interval; otherwise that no body shares enough
       periods with the reference to measure agreement.
    """
    sentences = []
    n = len(selected)
    counts = selected["reporting_body"].astype(str).value_counts()
    top = counts.index[0] if len(counts) else None
    docs = selected["source_id"].nunique() if "source_id" in selected else 0
    sentences.append(
        f"The evidence table holds {n:,} figures from {len(counts)} bodies in {docs} documents "
        f"for {pd.Timestamp(start):%B %Y} to {pd.Timestamp(end):%B %Y}"
        + (f"; {label(top, names)} published the most ({counts.iloc[0]})." if top else ".")
    )
    pool = selected if incidents is None else incidents
    if "incident_id" in pool:
        inc = pool.dropna(subset=["incident_id"]).groupby("incident_id")["reporting_body"]
        multi = int((inc.nunique() >= 2).sum())
        sentences.append(
            f"{multi} incident{'s have' if multi != 1 else ' has'} figures from two or more "
            "bodies; each has its own report."
        )
    if agreement is not None and reference_body is not None:
        rows = agreement
        if "statistic" in rows:
            ratios = rows[(rows["statistic"] == "ratio") & (rows["n"] >= 3)]
            if len(ratios):
                for _, r in ratios.iterrows():
                    sentences.append(
                        f"Over the {int(r['n'])} periods it shares with "
                        f"{label(reference_body, names)}, {label(r['reporting_body'], names)}'s "
                        f"figures are {fmt_ratio(r['estimate'])} times the reference's on "
                        f"average (95% CI {fmt_ratio(r['ci_low'])}–{fmt_ratio(r['ci_high'])})."
                    )
            else:
                sentences.append(
                    f"No other body published figures for three or more of the same calendar "
                    f"periods as {label(reference_body, names)}, so their agreement period by "
                    "period cannot be measured."
                )
    return sentences


def audit_banner(findings: pd.DataFrame, tally_ids: Iterable[str] | None = None) -> list[str]:
    """The audit's unexplained findings (errors and warnings) that touch the given figures.

    Parameters
    ----------
    findings
        :func:`analysis.audit.audit_folder`'s table (``check, severity, tally_ids, message``).
    tally_ids
        The figures a report uses (None: every figure).

    Returns
    -------
    list of str
        One line per finding of severity ``error`` or ``warning`` (``known`` findings carry
        their explanation and are not repeated here) sharing a tally id with ``tally_ids``:
        ``"warning (copies_disagree; figures a-1, a-2): <message>"``. Empty when there is
        none.
    """
    if findings is None or findings.empty:
        return []
    wanted = None if tally_ids is None else {str(t) for t in tally_ids}
    lines = []
    for _, row in findings.iterrows():
        if str(row["severity"]) not in ("error", "warning"):
            continue
        ids = {i for i in str(row["tally_ids"]).split(";") if i}
        if wanted is not None and not ids & wanted:
            continue
        figures = ", ".join(sorted(ids))
        lines.append(f"{row['severity']} ({row['check']}; figures {figures}): {row['message']}")
    return lines


def series_findings(
    series: pd.DataFrame,
    *,
    date: object,
    count: str,
    what: str,
    date_label: str | None = None,
    freq: str = "MS",
    exposure: str = "exposure_days",
    family: str = "quasipoisson",
) -> tuple[str, list[str]]:
    """The headline and key findings of an event-level or aggregate series around a date.

    When :func:`analysis.estimability.before_after_gap` finds the series cannot support a
    before/after comparison, the headline is its one-sentence reason and there are no other
    findings. Otherwise :func:`analysis.robustness` runs on the periods with a count: the
    headline is its verdict and the findings its sentences.

    Returns
    -------
    (str, list of str)
    """
    from analysis.estimability import before_after_gap
    from analysis.trends import robustness

    reason = before_after_gap(series, date=date, count=count, freq=freq, what=what)
    if reason is not None:
        return reason, []
    observed = series[pd.to_numeric(series[count], errors="coerce").notna()]
    checks = robustness(
        observed, date=date, count=count, exposure=exposure, family=family, date_label=date_label
    )
    return checks.headline, checks.findings["sentence"].tolist()


def windows_finding(windows: pd.DataFrame, *, reference: str) -> str:
    """One sentence on :func:`analysis.compare.compare_windows`: how many figures of other
    bodies could be set against the reference body's over the same windows, the range of their
    ratios (point values; two or more needed), and how many could not."""
    compared = windows[windows["comparable"].astype(bool)]
    if compared.empty:
        return (
            f"No figure of another body covers a window that {reference}'s figures also cover, "
            "so no figure can be set against them; the reasons are given below."
        )
    points = pd.to_numeric(compared["ratio"], errors="coerce").dropna()
    spread = (
        f"; other/{reference} ratios run from {fmt_ratio(points.min())} to "
        f"{fmt_ratio(points.max())}"
        if len(points) > 1
        else ""
    )
    return (
        f"{len(compared)} figures of other bodies cover windows that {reference}'s figures "
        f"also cover, summed or prorated by days{spread}; {len(windows) - len(compared)} "
        "others cannot be set against them, each for the reason given below."
    )
