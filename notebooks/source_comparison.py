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
# # What each body published, side by side
#
# The figures each reporting body published about civilian deaths over the period, what each
# body counts, how their period figures line up against a reference body once put on the same
# calendar periods, and where the published record disagrees with itself.

# %% tags=["parameters"]
country = "Mali"
start = "2020-01-01"
end = "2024-12-31"
bodies = []
victim_group = "civilians"
freq = "QS"
reference_body = "minusma"
tallies_dir = None

# %%
from IPython.display import Markdown, display

from analysis import compare_periods, plots
from analysis.audit import audit_folder
from analysis.display import (
    cited_documents,
    definitions_markdown,
    documents_markdown,
    md_escape,
    record,
)
from analysis.sources.tallies import figures_by_body, load_evidence, select_tallies

evidence = load_evidence(tallies_dir)
selected = select_tallies(
    evidence["tallies"],
    country=country,
    start=start,
    end=end,
    bodies=bodies,
    victim_group=victim_group,
)
display(
    Markdown(
        f"**{len(selected)} figures** from {selected['reporting_body'].nunique()} bodies, "
        f"{md_escape(country)}, {md_escape(start)} to {md_escape(end)}, victims: "
        f"{md_escape(victim_group)}."
    )
)
record("n_figures", len(selected))
figures_by_body(selected)

# %% [markdown]
# ## The figures
#
# One row per published figure, as published: the window it covers, what it counts and the
# words around the number (`qualifier`). Figures over different windows and definitions are
# not comparable as they stand; the next sections put them on common periods.

# %%
columns = [
    "reporting_body", "period_start", "period_end", "incident_id", "measure", "victim_group",
    "perpetrator_group", "qualifier", "value", "value_low", "value_high", "excludes", "tally_id",
]  # fmt: skip
selected[columns].sort_values(["period_start", "reporting_body"])

# %% [markdown]
# ## What each body counts
#
# The definitions card of each body in the table: who counts as a victim, what is included
# and left out, the unit counted, how figures are verified and rounded.

# %%
display(Markdown(definitions_markdown(evidence["bodies"], selected["reporting_body"].unique())))

# %% [markdown]
# ## Agreement over aligned periods
#
# Each body's death figures whose window is exactly one calendar period, beside the reference
# body's for the same period, with the log ratio between them. The agreement statistics (Lin's
# concordance, Spearman's rho, the mean log ratio with its interval, Bland-Altman limits) use
# only the periods both bodies cover; with few shared periods they are left empty rather than
# guessed.

# %%
comparison = compare_periods(
    selected[~selected["tally_id"].isin(evidence["set_aside"]["tally_id"])],
    freq=freq,
    reference_body=reference_body,
    victim_group=victim_group if victim_group != "any" else "civilians",
)
record("periods", comparison.periods[["reporting_body", "period_start", "count"]])
comparison.periods

# %%
comparison.agreement

# %%
fig = plots.series_by_body(
    comparison.periods,
    arrival_date="2021-12-01",
    ylabel="civilians killed per period (count)",
    title="Period figures by body (vertical line: Wagner's arrival, December 2021)",
    source="Sources: the documents listed at the end of this report (data/tallies/sources.csv).",
)
fig

# %% [markdown]
# ## Where the published record disagrees with itself
#
# The consistency audit of the whole evidence table: sub-period figures against published
# totals, derived figures, stated percentage changes, and copies that carry different values.
# Known inconsistencies of the published record are shown with their explanation.

# %%
findings = audit_folder(tallies_dir, evidence=evidence)
record("findings", len(findings))
findings

# %% [markdown]
# ## Caveats
#
# - Definitions differ between bodies (civilians or people; deaths or violations; victims
#   documented or fatalities reported in the press); the definitions card above says which.
# - Counts are minimums of what each body could document or verify.
# - MINUSMA's quarterly notes leave out the Moura killings of March 2022, which OHCHR
#   reported separately.
# - MINUSMA left Mali in 2023: coverage by every body falls after it.

# %% [markdown]
# ## The documents behind these numbers

# %%
documents = cited_documents(selected, evidence["sources"])
record("documents", documents["source_id"].tolist())
display(Markdown(documents_markdown(documents)))
