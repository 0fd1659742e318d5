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
# # Event-level trends from an ACLED or UCDP export
#
# The analysis of an export you hold: civilian fatalities by month and perpetrator group,
# events involving the Wagner Group (or its successors), an interrupted time series around
# the arrival date, perpetrator shares before and after, and the regional breakdown. Every
# number below traces back to event ids of the export named at the end. A section that the
# export cannot support (no months after the date, too few periods) says why and the others
# still render.

# %% tags=["parameters"]
# fmt: off
events_path: "path" = "data/raw/acled/export.csv"  # the export file {required; file; input: event export}
source: str = "auto"  # which reader (auto: told by the file's content) {one of: auto, acled, ucdp}
country: str = "Mali"  # country kept, by name or ISO 3166 alpha-3 code (others are counted) {pattern: \S.*}
arrival_date: "date" = "2021-12-01"  # the intervention date {between: start, end}
start: "Optional[date]" = None  # first day (None: the export's first)
end: "Optional[date]" = None  # last day (None: the export's last) {not before: start}
admin1: "list[str]" = []  # regions kept ([]: all)
perpetrator_groups: "list[str]" = []  # perpetrator groups ([]: all)
freq: str = "MS"  # period length {one of: MS, QS, YS}
family: str = "quasipoisson"  # count model of the fits {one of: poisson, quasipoisson, negbin}
# fmt: on

# %%
import os

import pandas as pd
from IPython.display import Markdown, display

from analysis import (
    DataError,
    aggregate_events,
    confusable_actors,
    detect_source,
    its_fit,
    plots,
    read_acled,
    read_ucdp_ged,
    share_change,
    unmatched_actors,
)
from analysis.display import id_span, md_code, md_escape, record
from analysis.estimability import PERIOD_WORDS, before_after_gap, shares_gap
from analysis.files import sha256_file
from analysis.findings import series_findings
from analysis.harmonize.selection import scope_events, select_events, split_counts
from analysis.result_tables import (
    diagnostics_table,
    its_terms_table,
    period_label,
    share_change_table,
)
from analysis.sources.api.store import describe_pull
from analysis.tables import display_table, fmt_count

if source == "auto":
    source = detect_source(events_path)
    if source not in ("acled", "ucdp"):
        raise DataError(
            "not an ACLED or UCDP event export"
            + ("; it is an HDX aggregate table (the aggregate_trends report)" if source else ""),
            file=events_path,
            rule="wrong_kind",
        )
reader = {"acled": read_acled, "ucdp": read_ucdp_ged}[source]
export = reader(events_path)
in_scope, left_out = scope_events(export, country=country, start=start, end=end)
events = select_events(in_scope, admin1=admin1, perpetrator_groups=perpetrator_groups)
civilian = select_events(events, civilian_only=True)
skipped = {}
window = (
    f" between {start or 'the first event'} and {end or 'the last event'}" if start or end else ""
)
lines = [
    f"**{len(events):,} events** in {md_escape(country)}{window} of the export's "
    f"{len(export):,} ({len(civilian):,} with civilian victims, by {source.upper()}'s own rule)"
    + (
        f", from {events['date_start'].min():%Y-%m-%d} to {events['date_start'].max():%Y-%m-%d}."
        if len(events)
        else "."
    )
]
if len(left_out):
    lines.append("Left out of every number below:")
    lines.extend(
        f"- {row.n_rows:,} events "
        + {
            "other_country": f"in other countries ({md_escape(row.detail)})",
            "before_start": f"dated {row.detail}",
            "after_end": f"dated {row.detail}",
        }[row.reason]
        for row in left_out.itertuples()
    )
if len(in_scope) != len(events):
    lines.append(
        f"- {len(in_scope) - len(events):,} events outside the chosen regions or perpetrator groups"
    )
display(Markdown("\n".join(lines)))
record("n_export_rows", len(export))
record("n_events", len(events))
record("n_civilian_events", len(civilian))
record("left_out", left_out)
record(
    "title", f"Event data: {source.upper()} export {os.path.basename(str(events_path))}, {country}"
)

# %% [markdown]
# ## Key findings

# %%
total = aggregate_events(events, freq=freq, civilian_only=True)
headline, findings = series_findings(
    total,
    date=arrival_date,
    count="fatalities",
    what=f"the series of civilian fatalities per {PERIOD_WORDS[freq][:-1]}",
    freq=freq,
    family=family,
)
headline = (
    f"{source.upper()}, civilian fatalities in {country}: {headline[0].lower()}{headline[1:]}"
)
record("headline", headline)
record("findings", findings)
display(
    Markdown(
        f"**{md_escape(headline)}**\n\n"
        + "\n".join(f"- {md_escape(sentence)}" for sentence in findings)
        + "\n\nFatalities are the source's own coding of each event, not a count of every "
        "death; the intervals assume that the periods are independent of each other."
    )
)

# %% [markdown]
# ## Civilian fatalities by perpetrator group
#
# Fatalities of events with civilian victims, per period, by the perpetrator group that
# `data/hand/actors.csv` gives the perpetrating side. Empty periods are zeros here: an export
# records events, and a month with none recorded is a month with none. Fatalities are the
# source's best estimate (ACLED codes the most conservative figure reported).

# %%
by_group = aggregate_events(events, freq=freq, by="perpetrator_group", civilian_only=True)
record(
    "fatalities_by_group",
    by_group.groupby("perpetrator_group", observed=True)["fatalities"].sum().to_dict(),
)
if len(civilian):
    display(
        plots.series_by_body(
            by_group,
            body="perpetrator_group",
            value="fatalities",
            low=None,
            high=None,
            arrival_date=arrival_date,
            ylabel="civilian fatalities per period (count)",
            title="Civilian fatalities by perpetrator group",
            source=(
                f"Source: {source.upper()} export {os.path.basename(str(events_path))}, "
                "events with civilian victims."
            ),
        )
    )
else:
    skipped["by_group"] = (
        f"Not drawn: none of the {len(events):,} events in scope has civilian victims."
    )
    display(Markdown(skipped["by_group"]))

# %% [markdown]
# ## Events involving Wagner
#
# Events where any actor field names the Wagner Group, Africa Corps or other Russian forces
# where and when `data/hand/actors.csv` says they operated.

# %%
wagner = events[events["wagner_involved"].fillna(False).astype(bool)]
wagner_by_period = aggregate_events(wagner, freq=freq, civilian_only=False)
record("wagner_events", len(wagner))
if len(wagner):
    display(
        display_table(
            wagner_by_period[wagner_by_period["events"] > 0],
            columns={"period_start": PERIOD_WORDS[freq][:-1].capitalize(), "events": "Events",
                     "fatalities": "Fatalities"},
            formats={"period_start": lambda d: period_label(d, freq), "events": fmt_count,
                     "fatalities": fmt_count},
            numeric=("Events", "Fatalities"),
            interactive=True,
        )
    )  # fmt: skip
else:
    display(
        Markdown(
            f"None of the {len(events):,} events in scope names the Wagner Group, Africa Corps "
            "or Russian forces where and when they operated."
        )
    )

# %% [markdown]
# ## Interrupted time series of civilian fatalities
#
# A log-linear model of the period's civilian fatalities with a trend and a step at the arrival
# date (`level_change`, a rate ratio), days of the period as exposure, and standard errors
# scaled for overdispersion.

# %%
fit = None
skipped["its"] = before_after_gap(
    total,
    date=arrival_date,
    count="fatalities",
    freq=freq,
    what=f"the series of civilian fatalities per {PERIOD_WORDS[freq][:-1]}",
)
if skipped["its"] is None:
    fit = its_fit(
        total, date=arrival_date, count="fatalities", exposure="exposure_days", family=family
    )
    record("its_level_change", fit.summary_frame().loc[["level_change"]].reset_index())
    display(its_terms_table(fit, freq=freq))
else:
    display(Markdown(skipped["its"]))

# %%
if fit is not None:
    display(
        plots.its_counterfactual(
            fit.counterfactual(),
            date=arrival_date,
            ylabel="civilian fatalities per period (count)",
            title="Observed, fitted, and the series without the step",
            source=f"Source: {source.upper()} export; model: analysis.its_fit ({family}).",
        )
    )
    display(diagnostics_table(fit.diagnostics(), caption="Checks of the fit's assumptions"))

# %% [markdown]
# ## Perpetrator shares before and after
#
# Each group's share of civilian fatalities before and after the date, with Newcombe's
# interval for the change in share (per group, not simultaneous).

# %%
before, after = split_counts(
    civilian, date=arrival_date, by="perpetrator_group", value="fatalities"
)
skipped["shares"] = shares_gap(before, after, date=arrival_date)
if skipped["shares"] is None:
    shares = share_change(before, after)
    record("shares", shares[["group", "share_before", "share_after"]])
    display(
        plots.perpetrator_shares(
            shares,
            title="Share of civilian fatalities by perpetrator group",
            source=f"Source: {source.upper()} export, events with civilian victims.",
        )
    )
    display(share_change_table(shares))
else:
    display(Markdown(skipped["shares"]))

# %% [markdown]
# ## Regions
#
# Civilian fatalities by first-level region and period.

# %%
by_region = aggregate_events(events, freq=freq, by="admin1", civilian_only=True)
if len(civilian):
    display(
        plots.region_month_heatmap(
            by_region,
            region="admin1",
            value="fatalities",
            arrival_date=arrival_date,
            title="Civilian fatalities by region",
            source=f"Source: {source.upper()} export, events with civilian victims.",
        )
    )
else:
    display(Markdown("Not drawn: no event in scope has civilian victims."))
record("skipped", {key: value for key, value in skipped.items() if value is not None})

# %% [markdown]
# ## Actor names the table did not recognise
#
# Add patterns for them to `data/hand/actors.csv` to have them grouped.

# %%
unmatched = unmatched_actors(events)
if unmatched.empty:
    display(Markdown("None: every actor name of the events in scope has a group."))
else:
    display(
        display_table(
            unmatched.head(25),
            columns={"actor": "Actor name", "n_events": "Events", "fields": "Where it appears"},
            formats={"n_events": fmt_count},
            numeric=("Events",),
            caption=f"The {min(len(unmatched), 25)} most frequent of {len(unmatched):,}",
        )
    )

# %% [markdown]
# ## Actor names read through a look-alike letter
#
# Names that mix Latin letters with Cyrillic or Greek look-alikes, counted under the Latin name.

# %%
lookalikes = confusable_actors(events)
if lookalikes.empty:
    display(Markdown("None: no actor name mixes Latin letters with look-alikes."))
else:
    display(
        display_table(
            lookalikes.head(25),
            columns={"actor": "Actor name as written", "read_as": "Read as",
                     "n_events": "Events", "fields": "Where it appears"},
            formats={"n_events": fmt_count},
            numeric=("Events",),
        )
    )  # fmt: skip

# %% [markdown]
# ## Caveats
#
# - An export's fatalities are reported estimates; coverage depends on the press and local
#   partners, and fell in areas closed to reporting after MINUSMA left in 2023.
# - Which events have civilian victims follows the source's own rule (ACLED: violence against
#   civilians or civilian targeting; UCDP: one-sided violence), not this project's judgement.
# - Perpetrator groups come from a hand-made table of actor names; unmatched names are listed
#   above.

# %% [markdown]
# ## The data behind these numbers

# %%
span = id_span(events["event_id"])
pulled = describe_pull(events_path)  # the API pull that wrote the export, if one did
display(
    Markdown(
        f"- Export: {md_code(events_path)} ({source.upper()}), sha256 "
        f"`{sha256_file(events_path)}`; {len(events):,} events in scope"
        + (f", ids from {md_code(span[0])} to {md_code(span[1])}" if span else "")
        + "; each event's `origin` column gives the file and line it was read from."
        + (f"\n- Pulled: {md_escape(pulled)}." if pulled else "")
    )
)
