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
# # Overlapping lists: ACLED and UCDP events matched, and what every list missed
#
# ACLED and UCDP each code the events they learn of; some events are in both, some in one,
# and some in neither. Matching the two exports event by event gives, for every event seen,
# the lists that saw it (its *capture history*); multiple systems estimation then estimates
# how many events no list saw. The estimate rests on assumptions stated below, and on the
# matching: it is shown at several match thresholds.

# %% tags=["parameters"]
# fmt: off
acled_path: "path" = None  # an ACLED export {required; file}
ucdp_path: "path" = None  # a UCDP GED export {required; file}
start: "Optional[date]" = None  # first day (None: where both begin)
end: "Optional[date]" = None  # last day (None: where both end) {not before: start}
civilian_only: bool = True  # keep only events each source counts as targeting civilians
threshold: float = 0.5  # match probability a pair needs {above: 0; max: 1}
max_days: int = 7  # window on dates, in days {min: 0; max: 366}
max_km: float = 25.0  # window on places, in km {above: 0; max: 2000}
include_incidents: bool = True  # add the evidence table's incidents as a third list
tallies_dir: "Optional[path]" = None  # folder with sources.csv, tallies.csv, bodies.csv (None: the shipped evidence table) {folder}
# fmt: on

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import (
    capture_histories,
    history_counts,
    incident_events,
    links_from_incidents,
    links_from_matches,
    match_events,
    mse_compare,
    mse_match_sensitivity,
    read_acled,
    read_ucdp_ged,
)
from analysis.display import md_code, md_escape, record
from analysis.harmonize.schema import conform_events
from analysis.harmonize.selection import select_events
from analysis.sources.tallies import load_evidence

acled_all, ucdp_all = read_acled(acled_path), read_ucdp_ged(ucdp_path)
first = max(acled_all["date_start"].min(), ucdp_all["date_start"].min())
last = min(acled_all["date_start"].max(), ucdp_all["date_start"].max())
first = pd.Timestamp(start) if start else first
last = pd.Timestamp(end) if end else last
acled = select_events(acled_all, start=first, end=last, civilian_only=civilian_only)
ucdp = select_events(ucdp_all, start=first, end=last, civilian_only=civilian_only)
record("n_acled", len(acled))
record("n_ucdp", len(ucdp))
display(
    Markdown(
        f"**{len(acled):,} ACLED events** and **{len(ucdp):,} UCDP events** from "
        f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
        + (", each with civilian victims by its source's own rule." if civilian_only else ".")
    )
)

# %% [markdown]
# ## Matching
#
# Candidate pairs are events whose start dates and end dates each differ by at most
# `max_days` days and that lie at most `max_km` km apart (the window rule of MELTT). Each
# candidate is scored by a Fellegi-Sunter model (days apart, kilometres apart, fatalities,
# perpetrator group; fitted to these exports), and pairs at or above `threshold` are
# matched one to one, best first. On SYNTHETIC pairs with known truth the default threshold
# keeps precision and recall near 0.97 (`benchmarks/README.md`); on real exports, whose
# coders differ in other ways, neither is known.

# %%
pairs = match_events(acled, ucdp, threshold=threshold, max_days=max_days, max_km=max_km)
n_matched = int(pairs["matched"].sum())
record("n_candidates", len(pairs))
record("n_matched", n_matched)
display(
    Markdown(
        f"{len(pairs):,} candidate pairs in the window; **{n_matched:,} matched** one to one "
        f"at probability >= {threshold}. Model fitted by: {md_escape(pairs.attrs['training'])}."
    )
)
pairs[pairs["matched"]].head(20)

# %% [markdown]
# ## Capture histories
#
# Each digit says whether a list saw the case: ACLED, UCDP, and (when included) the
# evidence table's incidents, linked to the ACLED and UCDP events in their place and days.
# Records joined by any link are one case, so an incident linked to two events counts once.

# %%
lists = {"acled": acled["event_id"], "ucdp": ucdp["event_id"]}
extra_lists, extra_links = {}, []
if include_incidents:
    tallies = load_evidence(tallies_dir)["tallies"]
    linked = incident_events(tallies, conform_events(pd.concat([acled, ucdp], ignore_index=True)))
    linked = linked[linked["place_match"] != "admin1"]
    if linked.empty:
        display(
            Markdown(
                "No incident of the evidence table has events of these exports in its place "
                "and days: the incidents are left out as a list."
            )
        )
    else:
        extra_lists = {"incidents": sorted(linked["incident_id"].unique())}
        extra_links = [links_from_incidents(linked)]
histories = capture_histories(
    {**lists, **extra_lists},
    [links_from_matches(pairs, left="acled", right="ucdp"), *extra_links],
)
counts = history_counts(histories)
record("histories", counts.to_dict())
display(
    Markdown(f"Lists, in the order of the digits: {md_code(', '.join([*lists, *extra_lists]))}.")
)
counts.to_frame()

# %% [markdown]
# ## The estimate, by model
#
# With two lists only the independence model can be fitted; with three, each two-way
# dependence can be tried, and models that fit the seen cells equally well can disagree
# widely about the cell nobody saw: read the spread, not only the top row.

# %%
k = len(lists) + len(extra_lists)
names = [*lists, *extra_lists]
models = {"independence": []}
if k > 2:
    for i in range(k):
        for j in range(i + 1, k):
            models[f"{names[i]} x {names[j]}"] = [(i, j)]
estimates = mse_compare(counts, models)
record("estimates", estimates[["model", "n_hat", "ci_low", "ci_high", "note"]])
estimates

# %% [markdown]
# ## How the estimate moves with the match threshold
#
# A lower threshold matches more pairs (some false), which lowers the estimate; a higher
# one misses true matches, which raises it.

# %%
sensitivity = mse_match_sensitivity(
    pairs,
    left_ids=acled["event_id"],
    right_ids=ucdp["event_id"],
    thresholds=[0.05, 0.2, 0.5, 0.8, 0.95, 0.99],
    extra_lists=extra_lists,
    extra_links=extra_links,
    models=models,
)
record("sensitivity", sensitivity[["threshold", "model", "matched", "n_hat"]])
sensitivity[["threshold", "matched", "histories", "model", "n_hat", "ci_low", "ci_high", "note"]]

# %% [markdown]
# ## Assumptions, in words
#
# - **Closed population**: every event in the period could have been coded by every list.
#   The evidence table's incidents are a handful of notable massacres, not a list drawn from
#   the same events: as a third list they show overlap, and bias any model that includes them.
# - **Perfect matching**: a false match or a missed one moves the overlap and the estimate
#   (the table above).
# - **The model describes how the lists depend on one another**: ACLED and UCDP draw on the
#   same press and local reporting, so they see the same events more often than independent
#   lists would, and the independence model then underestimates what both missed.
# - **Events, not deaths**: these are counts of events. Published estimates of deaths from
#   multiple lists are built from lists of victims, stratified by region and period;
#   aggregate tables such as published totals give no capture histories and cannot reproduce
#   them.
