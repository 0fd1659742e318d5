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
# # What each body published, side by side
#
# The figures each reporting body published about civilian deaths over the period, set
# against each other where their windows can be matched: the reference body's figures summed
# or prorated over another body's window, each body's own change across the arrival of the
# Wagner Group, what each body counts, and where the published record disagrees with itself.

# %% tags=["parameters"]
# fmt: off
country: str = "Mali"  # country of the figures
start: "date" = "2020-01-01"  # first day of the period
end: "date" = "2024-12-31"  # last day of the period {not before: start}
bodies: "list[str]" = []  # reporting bodies to show ([]: all)
victim_group: str = "civilians"  # whose deaths are counted {one of: civilians, people, any}
freq: str = "QS"  # aligned period length {one of: QS, YS}
reference_body: str = "minusma"  # body the others are compared to
arrival_date: "date" = "2021-12-01"  # the date of each body's before/after
tallies_dir: "Optional[path]" = None  # folder with sources.csv, tallies.csv, bodies.csv (None: the shipped evidence table) {folder}
# fmt: on

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import compare_periods, plots
from analysis.audit import audit_folder
from analysis.compare import (
    bodies_before_after,
    compare_windows,
    describe_body_before_after,
    describe_window_comparison,
)
from analysis.display import (
    cited_documents,
    definitions_markdown,
    documents_markdown,
    md_escape,
    record,
    warning_banner,
)
from analysis.findings import audit_banner, overview_findings, windows_finding
from analysis.sources.tallies import load_evidence, select_tallies
from analysis.tables import (
    GROUP_LABELS,
    MEASURE_LABELS,
    VICTIM_LABELS,
    body_names,
    display_table,
    fmt_bounds,
    fmt_count,
    fmt_date,
    fmt_interval,
    fmt_ratio,
    fmt_share,
)

evidence = load_evidence(tallies_dir)
names = body_names(evidence["bodies"])
selected = select_tallies(
    evidence["tallies"],
    country=country,
    start=start,
    end=end,
    bodies=bodies,
    victim_group=victim_group,
)
usable = selected[~selected["tally_id"].isin(evidence["set_aside"]["tally_id"])]
in_window = select_tallies(
    evidence["usable"], country=country, start=start, end=end, bodies=bodies, victim_group="any"
)
record("title", f"What each body published, {country}, {fmt_date(start)} to {fmt_date(end)}")
record("n_figures", len(selected))
display(
    Markdown(
        f"**Scope:** {md_escape(country)}, {fmt_date(start)} to {fmt_date(end)}; victims: "
        f"{md_escape(VICTIM_LABELS.get(victim_group, victim_group))}; reference body: "
        f"{md_escape(names.get(reference_body, reference_body))}."
    )
)
audit = audit_folder(tallies_dir, evidence=evidence)
warnings_here = audit_banner(audit, tally_ids=selected["tally_id"])
record("warnings", warnings_here)
if warnings_here:
    display(warning_banner(warnings_here))

# %% [markdown]
# ## Key findings

# %%
comparison = compare_periods(
    usable,
    freq=freq,
    reference_body=reference_body,
    victim_group=victim_group if victim_group != "any" else "civilians",
)
windows = compare_windows(in_window, reference_body=reference_body, method="prorate")
windows["sentence"] = [describe_window_comparison(r, names=names) for _, r in windows.iterrows()]
panel = bodies_before_after(in_window, date=arrival_date)
panel["sentence"] = [describe_body_before_after(r, names=names) for _, r in panel.iterrows()]
findings = overview_findings(
    selected,
    names=names,
    start=start,
    end=end,
    agreement=comparison.agreement,
    reference_body=reference_body,
    incidents=in_window,
)
findings.insert(0, windows_finding(windows, reference=names.get(reference_body, reference_body)))
estimated = panel[panel["ratio"].notna()]
for _, row in estimated.iterrows():
    findings.append(row["sentence"])
record("findings", findings)
record("headline", findings[0])
display(Markdown("\n".join(f"- {md_escape(sentence)}" for sentence in findings)))

# %% [markdown]
# ## Bodies against the reference, window by window
#
# For each figure another body published over a period, the reference body's figures over
# the same window: whole quarters summed, quarters that the window covers in part prorated by
# days (flagged). Both sides are intervals when the words are ("at least", "about"), and so
# is their ratio: the range the qualifiers allow, not a confidence interval. A figure that
# cannot be compared says why.

# %%
record("windows", windows.drop(columns=["sentence"]))
display_table(
    windows.sort_values(
        ["comparable", "reporting_body", "window_start"], ascending=[False, True, True]
    ),
    columns={
        "reporting_body": "Body",
        "window": "Window",
        "figure": "Its figure",
        "reference": "Reference over the same window",
        "ratio_shown": "Ratio (range the words allow)",
        "coverage": "Window covered",
        "why": "Comparison",
        "tally_id": "Figure",
    },
    formats={
        "reporting_body": lambda b: names.get(b, b),
        "window": lambda row: f"{fmt_date(row['window_start'])} to {fmt_date(row['window_end'])}",
        "figure": lambda row: (
            f"{fmt_bounds(row['figure_low'], row['figure_high'])} "
            f"{VICTIM_LABELS.get(row['victim_group'], row['victim_group'])} "
            f"{MEASURE_LABELS.get(row['measure'], row['measure'])}"
            + (
                f" by {GROUP_LABELS.get(row['perpetrator_group'], row['perpetrator_group'])}"
                if row["perpetrator_group"] != "all"
                else ""
            )
        ),
        "reference": lambda row: (
            fmt_bounds(row["reference_low"], row["reference_high"])
            + (" (prorated)" if row["prorated"] is True else "")
        ),
        "ratio_shown": lambda row: (
            fmt_interval(row["ratio"], row["ratio_low"], row["ratio_high"])
            if row["comparable"] is True
            else "—"
        ),
        "coverage": fmt_share,
        "why": lambda row: "compared" if row["comparable"] is True else row["reason"],
    },
    numeric=("Ratio (range the words allow)", "Window covered"),
    interactive=len(windows) > 20,
    raw=windows.drop(columns=["sentence"]),
    csv_name="windows-against-reference.csv",
)

# %% [markdown]
# ## Each body's own change across the arrival date
#
# Each body's rate per day before and after the date, from its own figures: a regular series
# gives a confidence interval (quasi-Poisson, or pooled over the qualifiers); two windows give
# only the range the words allow. A body with no estimate says why.

# %%
record("panel", panel.drop(columns=["sentence"]))
display_table(
    panel,
    columns={
        "reporting_body": "Body",
        "before": "Before",
        "after": "After",
        "ratio_shown": "Ratio after / before",
        "what": "Interval",
        "note": "Note",
    },
    formats={
        "reporting_body": lambda b: names.get(b, b),
        "before": lambda row: (
            "—"
            if pd.isna(row["rate_before"])
            else f"{fmt_ratio(row['rate_before'])} a day ({fmt_date(row['before_start'])} to "
            f"{fmt_date(row['before_end'])})"
        ),
        "after": lambda row: (
            "—"
            if pd.isna(row["rate_after"])
            else f"{fmt_ratio(row['rate_after'])} a day ({fmt_date(row['after_start'])} to "
            f"{fmt_date(row['after_end'])})"
        ),
        "ratio_shown": lambda row: fmt_interval(row["ratio"], row["ratio_low"], row["ratio_high"]),
        "what": lambda x: x if isinstance(x, str) else "—",
    },
    numeric=("Ratio after / before",),
)

# %% [markdown]
# ## Agreement over aligned periods
#
# Each body's death figures whose window is exactly one calendar period, beside the reference
# body's for the same period. The agreement statistics (Lin's concordance, Spearman's rho, the
# mean log ratio with its interval, Bland-Altman limits) need at least three periods that both
# bodies cover.

# %%
record("periods", comparison.periods[["reporting_body", "period_start", "count"]])
others = sorted(set(comparison.periods["reporting_body"].astype(str)) - {reference_body})
if comparison.agreement.empty:
    display(
        Markdown(
            "No other body published figures for three or more of the calendar periods that "
            f"{md_escape(names.get(reference_body, reference_body))} covers"
            + (
                f" (bodies with any period figure: {md_escape(', '.join(names.get(b, b) for b in others))})"
                if others
                else ""
            )
            + ", so agreement period by period cannot be measured; the window comparison above "
            "is the comparison that can be made."
        )
    )
else:
    display(
        display_table(
            comparison.agreement,
            columns={
                "reporting_body": "Body",
                "statistic": "Statistic",
                "est": "Estimate (95% CI)",
                "n": "Periods",
            },
            formats={
                "reporting_body": lambda b: names.get(b, b),
                "est": lambda row: fmt_interval(row["estimate"], row["ci_low"], row["ci_high"]),
                "n": fmt_count,
            },
            numeric=("Estimate (95% CI)", "Periods"),
        )
    )

# %%
fig = plots.series_by_body(
    comparison.periods,
    arrival_date=arrival_date,
    ylabel="civilians killed per period (count)",
    title="Period figures by body (vertical line: Wagner's arrival, December 2021)",
    source="Sources: the documents listed at the end of this report (data/tallies/sources.csv).",
)
fig

# %% [markdown]
# ## Every figure
#
# One row per published figure in the scope, as published: the window it covers, what it
# counts, the words around the number, and the figure's id in the evidence table. Search or
# sort the table; the CSV below it holds every column.

# %%
display(Markdown(f"{len(selected):,} figures from {selected['reporting_body'].nunique()} bodies."))
display_table(
    selected.sort_values(["period_start", "reporting_body"]),
    columns={
        "reporting_body": "Body",
        "window": "Window",
        "incident_id": "Incident",
        "what": "Counts",
        "shown": "As published",
        "perpetrator_group": "Attributed to",
        "checked": "Copy checked",
        "tally_id": "Figure",
    },
    formats={
        "checked": lambda row: (
            "unverified: " + row["unverified"]
            if isinstance(row.get("unverified"), str) and row.get("unverified")
            else "yes"
        ),
        "reporting_body": lambda b: names.get(b, b),
        "window": lambda row: f"{fmt_date(row['period_start'])} to {fmt_date(row['period_end'])}",
        "what": lambda row: (
            f"{VICTIM_LABELS.get(row['victim_group'], row['victim_group'])} "
            f"{MEASURE_LABELS.get(row['measure'], row['measure'])}"
        ),
        "shown": lambda row: (
            fmt_bounds(row["value_low"], row["value_high"])
            if row["qualifier"] == "between"
            else f"{str(row['qualifier']).replace('_', ' ')} {fmt_count(row['value'])}"
            if row["qualifier"] != "exact"
            else fmt_count(row["value"])
        ),
        "perpetrator_group": lambda g: GROUP_LABELS.get(g, g),
    },
    interactive=True,
    raw=selected.drop(columns=["line"], errors="ignore"),
    csv_name=f"figures-{country}-{start}-{end}.csv",
)

# %% [markdown]
# ## What each body counts
#
# The definitions card of each body in the table: who counts as a victim, what is included
# and left out, the unit counted, how figures are verified and rounded.

# %%
display(Markdown(definitions_markdown(evidence["bodies"], selected["reporting_body"].unique())))

# %% [markdown]
# ## Where the published record disagrees with itself
#
# The consistency audit of the whole evidence table: sub-period figures against published
# totals, derived figures, stated percentage changes, and copies that carry different values.
# Known inconsistencies of the published record are shown with their explanation.

# %%
record("audit_findings", len(audit))
display_table(
    audit,
    columns={
        "severity": "Severity",
        "check": "Check",
        "message": "Finding",
        "explanation": "Explanation",
        "tally_ids": "Figures",
    },
    formats={"explanation": lambda x: x if isinstance(x, str) and x else "—"},
    interactive=len(audit) > 20,
)

# %% [markdown]
# ## Caveats
#
# - Definitions differ between bodies (civilians or people; deaths or violations; victims
#   documented or fatalities reported in the press); the definitions cards above say which.
# - Counts are minimums of what each body could document or verify.
# - MINUSMA's quarterly notes leave out the Moura killings of March 2022, which OHCHR
#   reported separately.
# - MINUSMA left Mali in 2023: coverage by every body falls after it.

# %% [markdown]
# ## The documents behind these numbers

# %%
documents = cited_documents(
    pd.concat([selected, in_window[in_window["tally_id"].isin(windows["tally_id"])]]),
    evidence["sources"],
)
record("documents", documents["source_id"].tolist())
display(Markdown(documents_markdown(documents)))
