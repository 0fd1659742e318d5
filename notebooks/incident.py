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
# # Every figure published about one incident
#
# Each reporting body's figure for the incident, with its qualifier read as an interval
# ("at least 300" runs on to the right), what it counts, and the document it comes from.
# Figures that count something else — suspected militants rather than civilians, violations
# rather than deaths — are listed apart with the reason, never averaged in.

# %% tags=["parameters"]
incident_id = "moura-2022-03"
about_width = 0.1
tallies_dir = None

# %%
from IPython.display import Markdown, display

from analysis import compare_incident, plots
from analysis.display import cited_documents, documents_markdown, md_code, md_escape, record
from analysis.sources.tallies import load_evidence

evidence = load_evidence(tallies_dir)
comparison = compare_incident(
    evidence["tallies"], incident_id, sources=evidence["sources"], about_width=about_width
)
summary = comparison.summary.iloc[0]
display(Markdown(f"## Incident {md_code(incident_id)}"))
record("n_figures", int(summary["n_figures"]))
record("n_bodies", int(summary["n_bodies"]))

# %% [markdown]
# ## The figures
#
# `low` and `high` are the interval the published words allow (`inf`: no upper end);
# `point` is the published number (the midpoint of a range). An "about" figure is given a
# relative half-width of `about_width`, a convention of this report, not of the source.

# %%
columns = [
    "reporting_body", "measure", "victim_group", "perpetrator_group", "qualifier",
    "value", "low", "high", "point", "grade", "source_id", "tally_id",
]  # fmt: skip
comparison.comparable[columns]

# %%
fig = plots.incident_intervals(
    comparison.comparable,
    title=f"Figures published about {incident_id}",
    source="Sources: the documents listed at the end of this report (data/tallies/sources.csv).",
)
fig

# %% [markdown]
# The figure shows the figures that count the same thing; those that count something else are
# listed below with the reason.
#
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
comparison.summary[summary_columns].T.rename(columns={0: "value"})

# %% [markdown]
# ## Figures that count something else
#
# Listed apart with the reason they are not compared (a different victim group, a measure
# that is not a death count, ...).

# %%
comparison.apart[["reporting_body", "measure", "victim_group", "qualifier", "value", "reason"]]

# %% [markdown]
# ## Caveats
#
# - Definitions differ: a body that counts *people* killed includes anyone killed; one that
#   counts *civilians* excludes those it judged to be fighters; a government figure of
#   *terrorists neutralised* counts the same dead as combatants.
# - Human Rights Watch's counts are minimums documented by its own interviews, not totals.
# - Press figures relay a body's number; where copies disagree, each is shown.

# %% [markdown]
# ## The documents behind these numbers

# %%
documents = cited_documents(comparison.figures, evidence["sources"])
record("documents", documents["source_id"].tolist())
display(Markdown(documents_markdown(documents)))
