# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (tallies)
#     language: python
#     name: tallies
# ---

# %% [markdown]
# # Every figure published about one incident
#
# Each reporting body's figure for the incident, with its qualifier read as an interval
# ("at least 300" runs on to the right), what it counts, and the document it comes from.
# Figures that count something else — suspected militants rather than civilians, violations
# rather than deaths — are listed apart with the reason, never averaged in.

# %% tags=["parameters"]
# fmt: off
incident_id: str = "moura-2022-03"  # the incident's id
about_width: float = 0.1  # relative width of an 'about' figure's interval {min: 0; below: 1}
tallies_dir: "Optional[path]" = None  # folder with sources.csv, tallies.csv, bodies.csv (None: the shipped evidence table) {folder}
acled_path: "Optional[path]" = None  # an ACLED export whose events are shown beside the figures (None: none) {file}
ucdp_path: "Optional[path]" = None  # a UCDP GED export whose events are shown beside the figures (None: none) {file}
place_level: str = "admin2"  # widest place an event may share with the incident {one of: place, admin2, admin1}
slack_days: int = 3  # days added before and after the incident's days {min: 0; max: 366}
victim_group: str = "auto"  # whose deaths are compared (auto: civilians when a figure counts them, else the fighters most figures count) {one of: auto, civilians, combatants, suspected_militants}
# fmt: on

# %%
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from analysis import compare_incident, plots
from analysis.audit import audit_folder
from analysis.display import (
    cited_documents,
    documents_markdown,
    md_code,
    md_escape,
    record,
    warning_banner,
)
from analysis.findings import audit_banner, incident_findings, incident_label
from analysis.sources.tallies import load_evidence
from analysis.tables import (
    GROUP_LABELS,
    MEASURE_LABELS,
    VICTIM_LABELS,
    body_names,
    display_table,
    fmt_bounds,
    fmt_count,
    fmt_ratio,
    key_value_table,
)

evidence = load_evidence(tallies_dir)
names = body_names(evidence["bodies"])
comparison = compare_incident(
    evidence["tallies"],
    incident_id,
    sources=evidence["sources"],
    about_width=about_width,
    victim_group=victim_group,
)
summary = comparison.summary.iloc[0]
# whose deaths the figures set side by side count, in the headings' words
fighters = comparison.victim_group != "civilians"
compared_words = (
    f"{VICTIM_LABELS.get(comparison.victim_group, comparison.victim_group)} killed"
    if pd.isna(summary["compared_side"])
    else str(summary["compared_side"])
)
record("victim_group", comparison.victim_group)
place = incident_label(evidence["tallies"], incident_id)
record("title", f"Incident: {place}")
record("n_figures", int(summary["n_figures"]))
record("n_bodies", int(summary["n_bodies"]))
display(Markdown(f"## {md_escape(place)} <small>({md_code(incident_id)})</small>"))
warnings_here = audit_banner(
    audit_folder(tallies_dir, evidence=evidence), tally_ids=comparison.figures["tally_id"]
)
record("warnings", warnings_here)
if warnings_here:
    display(warning_banner(warnings_here))

# %% [markdown]
# ## Key findings

# %%
findings = incident_findings(comparison, names=names, incident_label=place)
record("findings", findings)
record("headline", findings[0])
display(Markdown("\n".join(f"- {md_escape(sentence)}" for sentence in findings)))

# %%
display(
    Markdown(
        f"## Figures of fighters killed that count the same thing: {md_escape(compared_words)}"
        if fighters
        else "## The figures that count the same thing"
    )
)

# %% [markdown]
# Each figure with the interval its words allow ("≥ 500": at least 500, no upper end; an
# "about" figure is given a relative half-width of `about_width`, a convention of this
# report, not of the source), what it counts, who it attributes the deaths to, and the
# grade of the copy read (P the publisher's page, M a verbatim repost, S a press report, D
# derived; "unverified" when the cited copy could not be found again to check the figure).

# %%
figure_columns = {
    "reporting_body": "Body",
    "words": "As published",
    "interval": "Interval",
    "victim_group": "Victims",
    "perpetrator_group": "Attributed to",
    "copy": "Grade",
    "source_id": "Document",
    "tally_id": "Figure",
}
figure_formats = {
    "reporting_body": lambda b: names.get(b, b),
    "words": lambda row: (
        f"{str(row['qualifier']).replace('_', ' ')} {fmt_count(row['value'])}"
        if row["qualifier"] not in ("exact", "between")
        else fmt_bounds(row["low"], row["high"])
        if row["qualifier"] == "between"
        else fmt_count(row["value"])
    ),
    "interval": lambda row: fmt_bounds(row["low"], row["high"]),
    "victim_group": lambda v: f"{VICTIM_LABELS.get(v, v)}",
    "perpetrator_group": lambda g: GROUP_LABELS.get(g, g),
    "copy": lambda row: (
        str(row["grade"])
        + (" (copy not found again: unverified)" if isinstance(row["unverified"], str) else "")
    ),
}
nothing_compared = comparison.comparable.empty
if nothing_compared:
    display(
        Markdown(
            (
                f"No figure about this incident counts {md_escape(compared_words)}, "
                if fighters
                else "No figure about this incident counts civilians (or people of any status) "
                "killed, "
            )
            + "so there is nothing to set side by side here: every figure is listed below under "
            "*Figures that count something else*, with what it counts."
        )
    )
else:
    if fighters:
        display(
            Markdown(
                "The figures compared here count fighters killed, not civilians: those of "
                f"{md_escape(compared_words)} (the side most figures "
                "count: who killed them, and whose fighters the claim names). A body's count "
                "of its enemy's dead is not set against a count of its own losses; the other "
                "sides' figures are listed apart."
            )
        )
    display(
        display_table(
            comparison.comparable,
            columns=figure_columns,
            formats=figure_formats,
            numeric=("Interval",),
            raw=comparison.comparable,
            csv_name=f"{incident_id}-figures.csv",
        )
    )

# %%
fig = None
if not nothing_compared:
    fig = plots.incident_intervals(
        comparison.comparable,
        title=(
            f"Figures of {compared_words}\npublished about {place}"
            if fighters
            else f"Figures published about {place}"
        ),
        counted="fighters killed" if fighters else "people killed",
        source=(
            "Sources: the documents listed at the end of this report (data/tallies/sources.csv)."
        ),
    )
fig

# %% [markdown]
# ## Where the bodies agree
#
# The *envelope* runs from the lowest low to the highest high: every value some body's
# figure allows. The *consensus* is the intersection of the intervals: the values every
# figure allows; when it is empty, at least two bodies cannot both be right about the same
# quantity. The *spread* is the highest point over the lowest. All three use only figures
# that count the same thing.

# %%
summary_columns = [
    "n_figures", "n_bodies", "n_comparable", "bodies_comparable", "envelope_low",
    "envelope_high", "consensus_low", "consensus_high", "consensus_empty", "spread",
]  # fmt: skip
record("summary", comparison.summary[summary_columns])
compared_bodies = [b for b in str(summary["bodies_comparable"] or "").split(";") if b]
if nothing_compared:
    display(
        Markdown(
            "No two figures count the same thing, so there is no envelope, consensus or spread."
        )
    )
else:
    agreement = key_value_table(
        [
            ("Figures (bodies)", f"{int(summary['n_figures'])} ({int(summary['n_bodies'])})"),
            (
                "Compared figures (bodies)",
                f"{int(summary['n_comparable'])}: {', '.join(names.get(b, b) for b in compared_bodies) or '—'}",
            ),
            ("Envelope", fmt_bounds(summary["envelope_low"], summary["envelope_high"])),
            (
                "Consensus",
                "none: the intervals do not overlap"
                if summary["consensus_empty"]
                else fmt_bounds(summary["consensus_low"], summary["consensus_high"]),
            ),
            ("Spread (highest point / lowest)", fmt_ratio(summary["spread"])),
        ]
    )
    display(agreement)

# %% [markdown]
# ## Figures that count something else
#
# Listed apart with the reason they are not compared (a different victim group, a measure
# that is not a death count, a part of the body's own toll, ...).

# %%
if len(comparison.apart):
    display(
        display_table(
            comparison.apart,
            columns={
                "reporting_body": "Body",
                "words": "As published",
                "measure": "Measure",
                "victim_group": "Victims",
                "reason": "Why it is not compared",
                "tally_id": "Figure",
            },
            formats={
                **figure_formats,
                "measure": lambda m: MEASURE_LABELS.get(m, m),
            },
        )
    )
else:
    display(Markdown("Every figure about this incident counts the same thing."))

# %% [markdown]
# ## Events coded in the incident's place and days
#
# The events of the ACLED and UCDP exports given to this report that fall in the incident's
# days (those most of its figures cover, widened by `slack_days`) and its place (the locality
# the figures name, or its cercle or region, up to `place_level`). They are the events *in
# the place and days*, not proof that they code the same killings: read their notes. Summed
# event fatalities count everyone the source says died, fighters included (UCDP's
# `civilian_fatalities` only civilians), and can count one death twice when one killing was
# coded as two events.

# %%
from analysis import incident_coverage, incident_events, incident_windows, read_acled, read_ucdp_ged
from analysis.harmonize.schema import conform_events

exports = {
    name: reader(path)
    for name, reader, path in (
        ("acled", read_acled, acled_path),
        ("ucdp", read_ucdp_ged, ucdp_path),
    )
    if path
}
window = incident_windows(evidence["tallies"], slack_days=slack_days)
window = window[window["incident_id"] == incident_id].iloc[0]
if not exports:
    record("events_linked", None)
    display(
        Markdown(
            "No ACLED or UCDP export was given to this report (parameters `acled_path`, "
            "`ucdp_path`), so the events that sources coded for this incident are not shown."
        )
    )
else:
    events = conform_events(pd.concat(exports.values(), ignore_index=True))
    coverage = incident_coverage(
        evidence["tallies"], events, incident_id=incident_id, place_level=place_level,
        slack_days=slack_days,
    )  # fmt: skip
    linked = incident_events(
        evidence["tallies"], events, incident_id=incident_id, place_level=place_level,
        slack_days=slack_days,
    )  # fmt: skip
    record("events_linked", linked["event_id"].tolist())
    record("events_coverage", coverage[["source", "covered", "n_events", "fatalities"]])
    lines = [
        f"The incident's days: {window['first_day']:%Y-%m-%d} to {window['last_day']:%Y-%m-%d} "
        f"({md_escape(window['window'])}), searched from {window['window_start']:%Y-%m-%d} to "
        f"{window['window_end']:%Y-%m-%d}; place: "
        + md_escape(
            ", ".join(str(window[c]) for c in ("place", "admin2", "admin1") if pd.notna(window[c]))
            or "not given"
        )
        + "."
    ]
    low, high = summary["envelope_low"], summary["envelope_high"]
    published = f"{low:,.0f} to " + (f"{high:,.0f}" if np.isfinite(high) else "no upper end")
    for row in coverage.itertuples(index=False):
        if not row.covered or row.n_events == 0:
            lines.append(f"- **{row.source.upper()}**: {md_escape(row.note)}.")
        else:
            fat = (
                "no fatality figure"
                if pd.isna(row.fatalities)
                else f"{row.fatalities:,} fatalities"
            )
            lines.append(
                f"- **{row.source.upper()}**: {row.n_events} event(s), {fat} in all, beside "
                f"published figures from {published}."
            )
    display(Markdown("\n".join(lines)))

# %%
if exports and not linked.empty:
    display(
        linked[
            ["source", "event_id", "date_start", "location", "admin2", "place_match",
             "days_outside", "perpetrator_group", "fatalities", "civilian_fatalities", "origin"]
        ]
    )  # fmt: skip

# %% [markdown]
# ## Caveats
#
# - Definitions differ: a body that counts *people* killed includes anyone killed; one that
#   counts *civilians* excludes those it judged to be fighters; a government figure of
#   *terrorists neutralised* counts the same dead as combatants.
# - Human Rights Watch's counts are minimums documented by its own interviews, not totals.
# - Press figures relay a body's number; where copies disagree, each is shown.

# %% [markdown]
# ## What each body counts

# %%
from analysis.display import definitions_markdown

display(
    Markdown(
        definitions_markdown(evidence["bodies"], comparison.figures["reporting_body"].unique())
    )
)

# %% [markdown]
# ## The documents behind these numbers

# %%
documents = cited_documents(comparison.figures, evidence["sources"])
record("documents", documents["source_id"].tolist())
display(Markdown(documents_markdown(documents)))
