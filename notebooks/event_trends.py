# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Event-level trends from an ACLED or UCDP export
#
# The analysis of an export you hold: civilian fatalities by month and perpetrator group,
# events involving the Wagner Group (or its successors), an interrupted time series around
# the arrival date, perpetrator shares before and after, and the regional breakdown. Every
# number below traces back to event ids of the export named at the end.

# %% tags=["parameters"]
events_path = "data/raw/acled/export.csv"
source = "acled"
arrival_date = "2021-12-01"
start = None
end = None
admin1 = []
perpetrator_groups = []
freq = "MS"
family = "quasipoisson"

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import (
    aggregate_events,
    its_fit,
    plots,
    read_acled,
    read_ucdp_ged,
    share_change,
    unmatched_actors,
)
from analysis.display import md_code, md_escape, record
from analysis.files import sha256_file
from analysis.harmonize.selection import select_events, split_counts
from analysis.sources.api.store import describe_pull

reader = {"acled": read_acled, "ucdp": read_ucdp_ged}[source]
events = select_events(
    reader(events_path), start=start, end=end, admin1=admin1, perpetrator_groups=perpetrator_groups
)
civilian = select_events(events, civilian_only=True)
display(
    Markdown(
        f"**{len(events):,} events** ({len(civilian):,} with civilian victims, by {source.upper()}'s "
        f"own rule) from {events['date_start'].min():%Y-%m-%d} to "
        f"{events['date_start'].max():%Y-%m-%d}."
    )
)
record("n_events", len(events))
record("n_civilian_events", len(civilian))

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
fig = plots.series_by_body(
    by_group,
    body="perpetrator_group",
    value="fatalities",
    low=None,
    high=None,
    arrival_date=arrival_date,
    ylabel="civilian fatalities per period (count)",
    title="Civilian fatalities by perpetrator group",
    source=f"Source: {source.upper()} export {events_path}, events with civilian victims.",
)
fig

# %% [markdown]
# ## Events involving Wagner
#
# Events where any actor field names the Wagner Group, Africa Corps or other Russian forces
# (as listed in `data/hand/actors.csv`).

# %%
wagner = events[events["wagner_involved"].fillna(False).astype(bool)]
wagner_by_period = aggregate_events(wagner, freq=freq, civilian_only=False)
record("wagner_events", len(wagner))
wagner_by_period[wagner_by_period["events"] > 0]

# %% [markdown]
# ## Interrupted time series of civilian fatalities
#
# A log-linear model of the period's civilian fatalities with a trend and a step at the arrival
# date (`level_change`, a rate ratio), days of the period as exposure, and standard errors
# scaled for overdispersion.

# %%
total = aggregate_events(events, freq=freq, civilian_only=True)
fit = its_fit(total, date=arrival_date, count="fatalities", exposure="exposure_days", family=family)
record("its_level_change", fit.summary_frame().loc[["level_change"]].reset_index())
fit.summary_frame()

# %%
fig = plots.its_counterfactual(
    fit.counterfactual(),
    date=arrival_date,
    ylabel="civilian fatalities per period (count)",
    title="Observed, fitted, and the series without the step",
    source=f"Source: {source.upper()} export; model: analysis.its_fit ({family}).",
)
fig

# %%
fit.diagnostics()

# %% [markdown]
# ## Perpetrator shares before and after
#
# Each group's share of civilian fatalities before and after the date, with Newcombe's
# interval for the change in share (per group, not simultaneous).

# %%
before, after = split_counts(
    civilian, date=arrival_date, by="perpetrator_group", value="fatalities"
)
shares = share_change(before, after)
record("shares", shares[["group", "share_before", "share_after"]])
fig = plots.perpetrator_shares(
    shares,
    title="Share of civilian fatalities by perpetrator group",
    source=f"Source: {source.upper()} export, events with civilian victims.",
)
display(fig)
shares

# %% [markdown]
# ## Regions
#
# Civilian fatalities by first-level region and period.

# %%
by_region = aggregate_events(events, freq=freq, by="admin1", civilian_only=True)
fig = plots.region_month_heatmap(
    by_region,
    region="admin1",
    value="fatalities",
    arrival_date=arrival_date,
    title="Civilian fatalities by region",
    source=f"Source: {source.upper()} export, events with civilian victims.",
)
fig

# %% [markdown]
# ## Actor names the table did not recognise
#
# Add patterns for them to `data/hand/actors.csv` to have them grouped.

# %%
unmatched_actors(events).head(25)

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
pulled = describe_pull(events_path)  # the API pull that wrote the export, if one did
display(
    Markdown(
        f"- Export: {md_code(events_path)} ({source.upper()}), sha256 "
        f"`{sha256_file(events_path)}`; {len(events):,} events, ids from "
        f"{md_code(events['event_id'].min())} to {md_code(events['event_id'].max())}; "
        "each event's `origin` column gives the file and line it was read from."
        + (f"\n- Pulled: {md_escape(pulled)}." if pulled else "")
    )
)
