"""The consistency audit of the evidence table (``tallies data check``).

Validation (in :mod:`analysis.sources.tallies`) says whether each file is well formed. The audit
asks whether the figures agree with each other, and reports every disagreement as a finding:

``sub_period_sum``
    figures over sub-periods that tile a published total (four quarters and their year, two
    half-years, ...) of the same body, measure, victims and perpetrators: do they add up?
``derivation``
    a derived figure recomputed from the figures its ``derivation`` names.
``stated_change``
    a percentage change stated by a source (``stated_changes.csv``) recomputed from the figures.
``copies_disagree``
    the same figure carried by two documents with different values.
``published_before_period_end``
    a figure whose window ends after the document that carries it was published.
``incident_near_match``
    two incident ids that differ by a slip (``moura-2022-03`` and ``moura-2022-3``): did you mean?

Findings are ``error`` (the table itself is wrong: a derivation that does not compute, a window
that ends after publication; and a figure that conflicts with another copy, until
``known_issues.csv`` explains it), ``warning`` (an unexplained disagreement) or ``known`` (an
inconsistency in the published record, explained in ``known_issues.csv``). Nothing is hidden.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from analysis import paths
from analysis.errors import DataError
from analysis.sources.evidence import check_evidence, load_evidence
from analysis.sources.tallies import (
    KNOWN_ISSUES_SPEC,
    STATED_CHANGES_SPEC,
    load_stated_changes,
    tally_bounds,
)

__all__ = [
    "audit_tallies",
    "audit_folder",
    "run_check",
    "format_findings",
    "load_stated_changes",
    "FINDING_COLUMNS",
    "KNOWN_ISSUES_SPEC",
    "STATED_CHANGES_SPEC",
]

FINDING_COLUMNS = ["check", "severity", "tally_ids", "message", "explanation"]
SEVERITIES = ("error", "warning", "known")

# two figures describe "the same thing" when these agree
_SERIES_KEYS = [
    "reporting_body",
    "measure",
    "victim_group",
    "perpetrator_group",
    "country",
    "admin1",
    "admin2",
]
_FIGURE_KEYS = [*_SERIES_KEYS, "incident_id", "place", "period_start", "period_end"]
# a stated percentage is matched when it is within this many percentage points of the recomputed one
PERCENT_TOLERANCE = 1.0


def audit_tallies(
    tallies: pd.DataFrame,
    *,
    sources: pd.DataFrame | None = None,
    known_issues: pd.DataFrame | None = None,
    stated_changes: pd.DataFrame | None = None,
    max_parts: int = 4,
) -> pd.DataFrame:
    """Audit the figures of the evidence table against each other.

    Parameters
    ----------
    tallies
        The figures (:func:`analysis.load_tallies`).
    sources
        The documents (:func:`analysis.load_sources`); enables the publication-date check.
    known_issues
        Explained inconsistencies of the published record (``known_issues.csv``): a finding
        whose check and tally ids match a row is reported as ``known`` with its explanation.
    stated_changes
        Percentage changes stated by sources (``stated_changes.csv``), recomputed here.
    max_parts
        Largest number of sub-period figures tried as a tiling of one total.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``check``, ``severity`` (error, warning, known), ``tally_ids``
        (";"-joined), ``message``, ``explanation``. Empty when everything agrees.

    Notes
    -----
    Sums are compared as intervals (:func:`analysis.tally_bounds`): parts agree with a total
    when :math:`\\sum \\text{low}_i \\le \\text{high}_T` and :math:`\\sum \\text{high}_i \\ge
    \\text{low}_T`. For exact figures this is plain equality.
    """
    findings: list[dict[str, str]] = []
    tallies = tallies.reset_index(drop=True)
    bounds = tally_bounds(tallies)
    findings += _sub_period_sums(tallies, bounds, max_parts=max_parts)
    findings += _derivations(tallies)
    findings += _copies_disagree(tallies, bounds)
    findings += _incident_near_matches(tallies)
    if sources is not None:
        findings += _published_before_end(tallies, sources)
    if stated_changes is not None:
        findings += _stated_changes(tallies, stated_changes)
    frame = pd.DataFrame(findings, columns=FINDING_COLUMNS)
    if known_issues is not None and len(frame):
        frame = _apply_known(frame, known_issues)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    frame = frame.sort_values(
        ["severity", "check", "tally_ids"],
        key=lambda s: s.map(order) if s.name == "severity" else s,
    )
    return frame.reset_index(drop=True).astype("string")


def _ids(frame: pd.DataFrame) -> str:
    return ";".join(sorted(frame["tally_id"].astype(str)))


def _sub_period_sums(tallies: pd.DataFrame, bounds: pd.DataFrame, *, max_parts: int) -> list[dict]:
    """Sub-period figures against the published total of the same series.

    Every copy of a window is a candidate value: the parts agree with the total when *some*
    choice of one copy per window (and of the total) agrees, so a misprinted copy alone does
    not raise a sum finding (it raises ``copies_disagree``).
    """
    findings = []
    period_totals = tallies[tallies["incident_id"].isna()]
    key_frame = period_totals[_SERIES_KEYS].astype("string").fillna("")
    for _, group in period_totals.groupby([key_frame[k] for k in _SERIES_KEYS], sort=False):
        if len(group) < 3:
            continue
        copies = {
            w: list(ix) for w, ix in group.groupby(["period_start", "period_end"]).groups.items()
        }
        windows = pd.DataFrame(list(copies), columns=["period_start", "period_end"])
        for (start, end), total_copies in copies.items():
            inside = windows[
                (windows["period_start"] >= start)
                & (windows["period_end"] <= end)
                & ~((windows["period_start"] == start) & (windows["period_end"] == end))
            ].sort_values("period_start")
            for tiling in _tilings(inside, start, end, max_parts):
                part_copies = [copies[w] for w in tiling]
                sums = _copy_sums(part_copies, total_copies, bounds)
                if sums is None:
                    continue
                involved = tallies.loc[[i for ix in [*part_copies, total_copies] for i in ix]]
                total = tallies.loc[total_copies[0]]
                (low, high), (t_low, t_high) = sums
                findings.append(
                    {
                        "check": "sub_period_sum",
                        "severity": "warning",
                        "tally_ids": _ids(involved),
                        "message": (
                            f"{total['reporting_body']} {total['measure']} "
                            f"{start:%Y-%m-%d}..{end:%Y-%m-%d}: "
                            f"{len(tiling)} sub-periods add up to {_fmt(low, high)}, "
                            f"the total says {_fmt(t_low, t_high)}"
                        ),
                        "explanation": "",
                    }
                )
    return findings


# past this many combinations of copies, only each window's first copy is tried
_MAX_COMBINATIONS = 1024


def _copy_sums(part_copies, total_copies, bounds):
    """None when some choice of copies agrees; else the first copies' (parts, total) bounds."""
    choices = [*part_copies, total_copies]
    n = int(np.prod([len(c) for c in choices]))
    combos = (
        itertools.product(*choices) if n <= _MAX_COMBINATIONS else [tuple(c[0] for c in choices)]
    )
    for combo in combos:
        *parts, total = combo
        low = bounds.loc[list(parts), "low"].sum()
        high = bounds.loc[list(parts), "high"].sum()
        t_low, t_high = bounds.loc[total, ["low", "high"]]
        if low <= t_high and high >= t_low:
            return None
    first = [c[0] for c in part_copies]
    t = total_copies[0]
    return (
        (bounds.loc[first, "low"].sum(), bounds.loc[first, "high"].sum()),
        (bounds.loc[t, "low"], bounds.loc[t, "high"]),
    )


def _tilings(windows: pd.DataFrame, start, end, max_parts: int):
    """Every list of 2..max_parts windows (``(start, end)`` pairs) that covers [start, end]
    without gap or overlap."""
    by_start: dict = {}
    for row in windows.itertuples(index=False):
        by_start.setdefault(row.period_start, []).append((row.period_start, row.period_end))
    one_day = pd.Timedelta(days=1)

    def extend(cursor, chosen):
        if len(chosen) >= max_parts:
            return
        for window in by_start.get(cursor, []):
            if window[1] == end:
                if chosen:
                    yield [*chosen, window]
            elif window[1] < end:
                yield from extend(window[1] + one_day, [*chosen, window])

    yield from extend(start, [])


def _fmt(low: float, high: float) -> str:
    if low == high:
        return f"{low:,.0f}"
    return f"[{low:,.0f}, {'inf' if np.isinf(high) else f'{high:,.0f}'}]"


def _derivations(tallies: pd.DataFrame) -> list[dict]:
    """Recompute each derived figure: the part of ``derivation`` before any '(' is arithmetic."""
    findings = []
    values = {}
    for tally_id, value in zip(tallies["tally_id"], tallies["value"], strict=True):
        values[str(tally_id)] = np.nan if pd.isna(value) else float(value)
    for _, row in tallies[tallies["derivation"].notna()].iterrows():
        text = str(row["derivation"]).split("(")[0].strip()
        # tally ids contain '-', so substitute them with names before parsing
        names = {}
        expression = text
        for i, tally_id in enumerate(sorted(values, key=len, reverse=True)):
            if tally_id in expression:
                name = f"t{i}"
                names[name] = values[tally_id]
                expression = expression.replace(tally_id, name)
        try:
            tree = ast.parse(expression, mode="eval")
            result = _eval_named(tree.body, names)
        except (SyntaxError, ValueError, KeyError) as error:
            findings.append(
                {
                    "check": "derivation",
                    "severity": "error",
                    "tally_ids": str(row["tally_id"]),
                    "message": f"the derivation {text!r} cannot be computed: {error}",
                    "explanation": "",
                }
            )
            continue
        if np.isnan(result) or pd.isna(row["value"]) or result != float(row["value"]):
            findings.append(
                {
                    "check": "derivation",
                    "severity": "error",
                    "tally_ids": str(row["tally_id"]),
                    "message": f"{text} = {result:,.0f}, but the derived figure says {row['value']}",
                    "explanation": "",
                }
            )
    return findings


def _eval_named(node: ast.AST, names: dict[str, float]) -> float:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        left, right = _eval_named(node.left, names), _eval_named(node.right, names)
        return left + right if isinstance(node.op, ast.Add) else left - right
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return float(node.value)
    raise ValueError(
        f"only figures, whole numbers, + and - are allowed (found {type(node).__name__})"
    )


def _copies_disagree(tallies: pd.DataFrame, bounds: pd.DataFrame) -> list[dict]:
    findings = []
    keys = tallies[_FIGURE_KEYS].astype("string").fillna("")
    for _, group in tallies.groupby([keys[k] for k in _FIGURE_KEYS], sort=False):
        if group["source_id"].nunique() < 2:
            continue
        points = bounds.loc[group.index, "point"]
        if points.nunique(dropna=False) <= 1 and group["qualifier"].nunique() <= 1:
            continue
        # every pair of copies with different values
        for (i, a), (j, b) in itertools.combinations(group.iterrows(), 2):
            if a["source_id"] == b["source_id"]:
                continue
            if (
                bounds.loc[i, "point"] == bounds.loc[j, "point"]
                and a["qualifier"] == b["qualifier"]
            ):
                continue
            findings.append(
                {
                    "check": "copies_disagree",
                    "severity": "error",
                    "tally_ids": ";".join(sorted([str(a["tally_id"]), str(b["tally_id"])])),
                    "message": (
                        f"{a['reporting_body']} {a['measure']} "
                        f"{a['period_start']:%Y-%m-%d}..{a['period_end']:%Y-%m-%d}: "
                        f"{a['source_id']} carries {_figure(a)}, {b['source_id']} carries {_figure(b)}"
                    ),
                    "explanation": "",
                }
            )
    return findings


def _figure(row: pd.Series) -> str:
    if row["qualifier"] == "between":
        return f"between {row['value_low']} and {row['value_high']}"
    words = str(row["qualifier"]).replace("_", " ")
    return f"{row['value']}" if words == "exact" else f"{words} {row['value']}"


def _published_before_end(tallies: pd.DataFrame, sources: pd.DataFrame) -> list[dict]:
    published = tallies["source_id"].map(sources.set_index("source_id")["published"])
    late = tallies[(tallies["period_end"] > published).fillna(False)]
    return [
        {
            "check": "published_before_period_end",
            "severity": "error",
            "tally_ids": str(row["tally_id"]),
            "message": (
                f"the window ends {row['period_end']:%Y-%m-%d}, after {row['source_id']} was "
                f"published ({published[i]:%Y-%m-%d})"
            ),
            "explanation": "",
        }
        for i, row in late.iterrows()
    ]


def _stated_changes(tallies: pd.DataFrame, changes: pd.DataFrame) -> list[dict]:
    findings = []
    values = tallies.set_index("tally_id")["value"]
    for _, change in changes.iterrows():
        ids = f"{change['from_tally_id']};{change['to_tally_id']}"
        try:
            old, new = values[change["from_tally_id"]], values[change["to_tally_id"]]
        except KeyError as missing:
            findings.append(
                {
                    "check": "stated_change",
                    "severity": "error",
                    "tally_ids": ids,
                    "message": f"{change['change_id']}: no figure {missing} in the table",
                    "explanation": "",
                }
            )
            continue
        stated = float(str(change["stated_percent"]).replace("%", ""))
        actual = (float(new) - float(old)) / float(old) * 100
        if abs(actual - stated) > PERCENT_TOLERANCE:
            findings.append(
                {
                    "check": "stated_change",
                    "severity": "warning",
                    "tally_ids": ";".join(sorted(ids.split(";"))),
                    "message": (
                        f"{change['source_id']} states a change of {stated:+.0f}% "
                        f"({old} -> {new}), the figures give {actual:+.1f}%"
                    ),
                    "explanation": "",
                }
            )
    return findings


# a finding of these checks that known_issues.csv explains is "known"; every other error stays
EXPLAINABLE_ERRORS = ("copies_disagree",)


def _apply_known(findings: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    findings = findings.copy()
    explainable = (findings["severity"] == "warning") | (
        (findings["severity"] == "error") & findings["check"].isin(EXPLAINABLE_ERRORS)
    )
    for _, issue in known.iterrows():
        ids = ";".join(sorted(i.strip() for i in str(issue["tally_ids"]).split(";")))
        match = (findings["check"] == str(issue["check"])) & (findings["tally_ids"] == ids)
        findings.loc[match & explainable, "severity"] = "known"
        findings.loc[match, "explanation"] = str(issue["explanation"])
    return findings


def _incident_near_matches(tallies: pd.DataFrame) -> list[dict]:
    """Incident ids that nearly match another: the rarer one is likely a slip of the other."""
    counts = tallies["incident_id"].dropna().astype(str).value_counts()
    findings = []
    for a, b in itertools.combinations(sorted(counts.index), 2):
        if not incident_ids_nearly_match(a, b):
            continue
        rare, common = (a, b) if (counts[a], b) < (counts[b], a) else (b, a)
        rows = tallies[tallies["incident_id"].astype("string") == rare]
        findings.append(
            {
                "check": "incident_near_match",
                "severity": "warning",
                "tally_ids": _ids(rows),
                "message": (
                    f"incident_id {rare!r} ({counts[rare]} figure(s)) nearly matches {common!r} "
                    f"({counts[common]} figure(s)): did you mean {common!r}? If they are two "
                    "incidents, say so in known_issues.csv"
                ),
                "explanation": "",
            }
        )
    return findings


def incident_ids_nearly_match(a: str, b: str) -> bool:
    """True when two different incident ids look like one written twice.

    The letters (everything but digits) are at most two edits apart and the numbers are the
    same (``gao-convoy-2025-02`` / ``gao-convoi-2025-02``), or the letters are the same and the
    numbers differ only in their writing (``moura-2022-03`` / ``moura-2022-3``). Ids whose
    numbers differ (``tinzaouaten-strikes-2024-07`` / ``-2024-08``) are different incidents.
    """
    if a == b:
        return False
    letters_a, letters_b = re.sub(r"\d", "", a), re.sub(r"\d", "", b)
    numbers_a = [int(n) for n in re.findall(r"\d+", a)]
    numbers_b = [int(n) for n in re.findall(r"\d+", b)]
    if numbers_a != numbers_b:
        return False
    return letters_a == letters_b or _edit_distance(letters_a, letters_b) <= 2


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def audit_folder(
    tallies_dir: str | Path | None = None,
    *,
    evidence: dict[str, pd.DataFrame] | None = None,
    overlay: str | Path | None = None,
) -> pd.DataFrame:
    """Audit the evidence table of a folder (and of a researcher's overlay), with the known
    issues and stated changes of both; returns the findings (see :func:`audit_tallies`)."""
    if evidence is None:
        evidence = load_evidence(tallies_dir, overlay=overlay)
    known = evidence.get("known_issues")
    changes = evidence.get("stated_changes")
    return audit_tallies(
        evidence["tallies"],
        sources=evidence["sources"],
        known_issues=known if known is not None and len(known) else None,
        stated_changes=changes if changes is not None and len(changes) else None,
    )


def run_check(
    *,
    tallies_dir: str | Path | None = None,
    overlay: str | Path | None = None,
    strict: bool = False,
    show_known: bool = False,
    out: TextIO,
    err: TextIO | None = None,
) -> int:
    """Validate every file of the table (and of the overlay), then print the audit.

    Parameters
    ----------
    tallies_dir
        The table's folder (default: the shipped one).
    overlay
        A researcher's folder of extra rows (default: ``$TALLIES_OVERLAY_DIR``, if set).
    strict
        Fail on an unexplained warning too.
    show_known
        List the findings explained in ``known_issues.csv``; by default they collapse to a
        count, and only new findings are listed.
    out, err
        Where the report and the validation problems are printed (``err`` defaults to ``out``).

    Returns
    -------
    int
        2 when a file breaks a rule (every problem is printed, each with file, line, column and
        rule), 1 on an audit error (or, with ``strict``, an unexplained warning), else 0.
    """
    err = err if err is not None else out
    folder = Path(tallies_dir) if tallies_dir is not None else paths.tallies_dir()
    try:
        evidence, problems = check_evidence(folder, overlay=overlay)
    except DataError as error:  # a folder that cannot be read at all
        evidence, problems = None, [error]
    if problems:
        print(f"tallies: {len(problems)} problem(s) in the evidence table's files:", file=err)
        for problem in problems:
            print(f"  {problem}", file=err)
        return 2
    assert evidence is not None
    findings = audit_folder(folder, evidence=evidence)
    tallies = evidence["tallies"]
    theirs = int((tallies["origin"] == "researcher").sum())
    mine = f" ({theirs} of them yours)" if theirs else ""
    print(
        f"Evidence table {folder}: {len(tallies)} figures{mine} from "
        f"{tallies['reporting_body'].nunique()} reporting bodies in {len(evidence['sources'])} "
        "documents — valid.",
        file=out,
    )
    counts = findings["severity"].value_counts()
    print(
        "Consistency audit: "
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES)
        + (" finding(s)." if len(findings) else " — no findings."),
        file=out,
    )
    new = findings[findings["severity"] != "known"]
    known = findings[findings["severity"] == "known"]
    if len(new):
        print("New findings:", file=out)
        print(format_findings(new), file=out)
    if len(known) and show_known:
        print("Known findings, explained in known_issues.csv:", file=out)
        print(format_findings(known), file=out)
    elif len(known):
        print(
            f"{len(known)} known finding(s), explained in known_issues.csv "
            "(--show-known lists them).",
            file=out,
        )
    failing = counts.get("error", 0) + (counts.get("warning", 0) if strict else 0)
    return 1 if failing else 0


def format_findings(findings: pd.DataFrame, width: int = 100) -> str:
    """A plain-text table of findings, one block per finding, for the terminal."""
    import textwrap

    lines = []
    for _, f in findings.iterrows():
        lines.append(f"[{f['severity'].upper():7}] {f['check']}: {f['tally_ids']}")
        lines += textwrap.wrap(
            f["message"], width, initial_indent="          ", subsequent_indent="          "
        )
        if f["explanation"]:
            lines += textwrap.wrap(
                "why: " + f["explanation"],
                width,
                initial_indent="          ",
                subsequent_indent="               ",
            )
    return "\n".join(lines)
