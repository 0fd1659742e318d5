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
# # Before and after the arrival date
#
# A published quarterly series (by default MINUSMA's civilians killed, from its quarterly notes
# on human rights violations) compared before and after the arrival of the Wagner Group in
# Mali. The report leads with the comparison of mean rates and the verdict of the robustness
# checks; the interrupted time series, the alternative and placebo dates, the published
# qualifiers and each body's own before/after figures follow as sensitivity analyses.

# %% tags=["parameters"]
# fmt: off
arrival_date: "date" = "2021-12-01"  # the intervention date
alternative_dates: "list[date]" = ["2021-12-23", "2022-01-01"]  # other arrival dates for the sensitivity analysis
series: str = "minusma:killed"  # the published series, as body:measure {pattern: [a-z0-9_]+:[a-z0-9_]+}
victim_groups: "list[str]" = ["civilians", "people"]  # victim groups the series keeps (a body may label its count either way) {one of: civilians, people, combatants, suspected_militants, not_applicable}
family: str = "quasipoisson"  # count model of the fits {one of: poisson, quasipoisson, negbin}
seasonality: int = 0  # number of seasonal harmonics {min: 0; max: 2}
exclude_incidents: "list[str]" = []  # incident ids left out of the series
n_simulations: int = 1000  # draws of the interval simulation {above: 0; max: 100000}
seed: int = 0  # random seed of the simulation {min: 0}
tallies_dir: "Optional[path]" = None  # folder with sources.csv, tallies.csv, bodies.csv (None: the shipped evidence table) {folder}
# fmt: on

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import (
    arrival_sensitivity,
    before_after,
    its_fit,
    placebo_dates,
    plots,
    published_before_after,
    robustness,
    simulate_bounds,
    tally_series,
)
from analysis.audit import audit_folder
from analysis.display import (
    cited_documents,
    documents_markdown,
    md_code,
    md_escape,
    record,
    warning_banner,
)
from analysis.findings import audit_banner
from analysis.harmonize.periods import series_tallies
from analysis.result_tables import its_terms_table
from analysis.sources.tallies import load_evidence
from analysis.tables import (
    body_names,
    display_table,
    fmt_bounds,
    fmt_count,
    fmt_date,
    fmt_interval,
    fmt_number,
    fmt_p,
    fmt_ratio,
    fmt_share,
    key_value_table,
)
from analysis.trends import RULES, placebo_grid

evidence = load_evidence(tallies_dir)
names = body_names(evidence["bodies"])
tallies = evidence["usable"]  # every figure but the copies set aside as misprints (listed below)
body, measure = series.split(":")
quarterly = tally_series(
    tallies,
    reporting_body=body,
    measure=measure,
    victim_group=victim_groups,
    freq="QS",
    exclude_incidents=exclude_incidents,
    conflict="range",
)
victims = " or ".join(md_escape(v) for v in victim_groups)
body_name = names.get(body, body)
record("title", f"Before and after {fmt_date(arrival_date)}: {body_name}, {measure} by quarter")
display(
    Markdown(
        f"**Series:** {md_escape(body_name)} ({md_code(body)}), {md_escape(measure)} "
        f"({victims}), by quarter; the date: {fmt_date(arrival_date)}."
    )
)
warnings_here = audit_banner(
    audit_folder(tallies_dir, evidence=evidence),
    tally_ids=[t for ids in quarterly["tally_ids"].dropna() for t in str(ids).split(";")],
)
record("warnings", warnings_here)
if warnings_here:
    display(warning_banner(warnings_here))

# %% [markdown]
# ## Key findings

# %%
checks = robustness(
    quarterly,
    date=arrival_date,
    exposure="exposure_days",
    family=family,
)
record("verdict", checks.verdict)
record("headline", checks.headline)
record("findings", checks.findings)
findings_list = "\n".join(f"- {md_escape(sentence)}" for sentence in checks.findings["sentence"])
display(Markdown(f"**{md_escape(checks.headline)}**\n\n{findings_list}"))

# %% [markdown]
# Each sentence above is composed from the computed results by a documented rule
# (`analysis.trends.RULES`, listed at the end of this report). The intervals assume that the
# quarters are independent of each other; if quiet and violent quarters come in runs, every
# interval here is too narrow.

# %% [markdown]
# ## The series
#
# One row per calendar quarter. A quarter no document covered stays empty (never zero); a
# quarter whose copies disagree keeps the range and no point; both are left out of the models
# below. `derived` marks a quarter computed from published figures (e.g. a half-year minus a
# quarter): its arithmetic is in the evidence table.

# %%
record("series_counts", quarterly[["period_start", "count"]])
display_table(
    quarterly,
    columns={
        "period_start": "Quarter",
        "count_shown": "Count",
        "exposure_days": "Days",
        "tally_ids": "Figures (tally ids)",
        "how": "Note",
    },
    formats={
        "period_start": lambda d: f"{pd.Timestamp(d).year}Q{pd.Timestamp(d).quarter}",
        "count_shown": lambda row: fmt_bounds(row["count_low"], row["count_high"]),
        "exposure_days": fmt_count,
        "how": lambda row: (
            "; ".join(
                text
                for text in (
                    "derived from published figures" if row["derived"] is True else "",
                    "copies disagree: the range is shown" if row["conflict"] is True else "",
                    f"excludes {row['excludes']}" if isinstance(row["excludes"], str) else "",
                    row["note"] if isinstance(row["note"], str) else "",
                )
                if text
            )
            or "—"
        ),
    },
    numeric=("Count", "Days"),
    raw=quarterly,
    csv_name=f"{body}-{measure}-quarterly.csv",
)

# %%
fig = plots.series_by_body(
    quarterly.assign(reporting_body=body),
    arrival_date=arrival_date,
    alternative_dates=alternative_dates,
    ylabel=f"{measure} per quarter (count)",
    title=f"{body}: {measure} by quarter",
    source="Source: quarterly figures of the evidence table (data/tallies), documents listed below.",
)
fig

# %% [markdown]
# ## The lead estimate: mean rate before and after
#
# The rate per day before and after the date, and their ratio, from a count model with the
# days of each quarter as exposure. The default quasi-Poisson model lets counts vary more
# from quarter to quarter than chance alone would make them (overdispersion, which
# civilian-death counts show), estimates how much from the series, and so uses a t interval;
# it was chosen because its 95% intervals cover the truth about 95% of the time on simulated
# series of this length (`benchmarks/README.md`). No trend is modelled here: the trend is the
# subject of the next section.

# %%
ratio = before_after(quarterly, date=arrival_date, exposure="exposure_days", family=family)
record("before_after", ratio)
r = ratio.iloc[0]
key_value_table(
    [
        ("Quarters before / after", f"{r['periods_before']} / {r['periods_after']}"),
        (
            "Deaths before / after",
            f"{fmt_count(r['count_before'])} / {fmt_count(r['count_after'])}",
        ),
        ("Rate per day before", fmt_number(r["rate_before"])),
        ("Rate per day after", fmt_number(r["rate_after"])),
        ("Ratio after / before (95% CI)", fmt_interval(r["estimate"], r["ci_low"], r["ci_high"])),
        ("p (no change)", fmt_p(r["p_value"])),
        (
            "Model",
            f"{r['family']}, {r['reference']} interval, dispersion {fmt_number(r['dispersion'])}",
        ),
    ]
)

# %% [markdown]
# ## How sure are we
#
# ### Trend: the interrupted time series under different assumptions
#
# An interrupted time series models a trend and a step at the date (the level change, as a
# rate ratio). On twelve quarters the trend and the step are hard to tell apart, and the
# answer depends on how the trend is modelled: one trend for both segments (a decline after
# the date steepens it and inflates the step), a trend from the quarters before the date
# only, projected, or a trend with a change of slope. Each family of count model, and the
# series without its largest quarter, are shown too.

# %%
record("specifications", checks.specifications)
display_table(
    checks.specifications,
    columns={
        "specification": "Specification",
        "level": "Change at the date (95% CI)",
        "p_value": "p",
        "reference": "Reference",
        "note": "Note",
    },
    formats={
        "level": lambda row: fmt_interval(row["estimate"], row["ci_low"], row["ci_high"]),
        "p_value": fmt_p,
        "note": lambda x: x or "—",
    },
    numeric=("Change at the date (95% CI)", "p"),
)

# %%
fit = its_fit(
    quarterly,
    date=arrival_date,
    exposure="exposure_days",
    seasonality=seasonality,
    family=family,
)
record("its_level_change", fit.summary_frame().loc[["level_change"]].reset_index())
its_terms_table(fit, freq="QS")

# %%
d = fit.diagnostics().iloc[0]
key_value_table(
    [
        ("Dispersion (Pearson chi-square / df)", fmt_number(d["dispersion"])),
        ("Durbin-Watson (2: no autocorrelation)", fmt_number(d["durbin_watson"])),
        (f"Ljung-Box, {int(d['lb_lags'])} lags: p", fmt_p(d["lb_p_value"])),
    ],
    caption="Residual checks of the interrupted time series",
)

# %%
fig = plots.its_counterfactual(
    fit.counterfactual(),
    date=arrival_date,
    ylabel=f"{measure} per quarter (count)",
    title="Observed, fitted, and the series without the step (one trend for both segments)",
    source=f"Model: {family} segmented regression (analysis.its_fit); data as above.",
)
fig

# %% [markdown]
# ### Placebo dates
#
# The lead estimate refitted on the quarters before the date, split at each earlier quarter,
# where nothing is supposed to have happened. Changes as large as the real one say that the
# series swings that much anyway.

# %%
record("placebo", checks.placebo)
display_table(
    checks.placebo,
    columns={"date": "Placebo split at", "est": "Ratio after / before (95% CI)", "p_value": "p"},
    formats={
        "date": lambda d: f"{pd.Timestamp(d).year}Q{pd.Timestamp(d).quarter}",
        "est": lambda row: fmt_interval(row["estimate"], row["ci_low"], row["ci_high"]),
        "p_value": fmt_p,
    },
    numeric=("Ratio after / before (95% CI)", "p"),
)

# %% [markdown]
# ### The arrival date itself
#
# The ITS level change at the default date, each alternative date, and placebo dates in the
# pre-period. On a quarterly series, dates inside the same quarter split the series the same
# way.

# %%
its_options = {"exposure": "exposure_days", "seasonality": seasonality, "family": family}
sensitivity = arrival_sensitivity(
    quarterly, dates=[arrival_date, *alternative_dates], **its_options
)
placebo = placebo_dates(
    quarterly,
    dates=placebo_grid(quarterly, date=arrival_date),
    actual_date=arrival_date,
    **its_options,
)
record("sensitivity", sensitivity[["date", "estimate", "ci_low", "ci_high"]])
display_table(
    pd.concat([sensitivity.assign(placebo=False), placebo], ignore_index=True),
    columns={"date": "Date", "kind": "Kind", "est": "Level change (95% CI)", "p_value": "p"},
    formats={
        "date": fmt_date,
        "kind": lambda row: "placebo" if row["placebo"] is True else "arrival date",
        "est": lambda row: (
            fmt_interval(row["estimate"], row["ci_low"], row["ci_high"])
            if pd.notna(row["estimate"])
            else row["note"]
        ),
        "p_value": fmt_p,
    },
    numeric=("Level change (95% CI)", "p"),
)

# %%
fig = plots.arrival_sensitivity_curve(
    pd.concat([sensitivity, placebo], ignore_index=True),
    default_date=arrival_date,
    title="ITS level change by assumed date (grey: placebo dates)",
    source="Model: analysis.arrival_sensitivity and analysis.placebo_dates.",
)
fig

# %% [markdown]
# ### Where does a single step fit best?
#
# A step with no trend fitted at every quarter; the weight says how well each split fits
# compared with the others (it says where a step fits best, not whether there is one).

# %%
record("change_points", checks.change_points)
display_table(
    checks.change_points,
    columns={"step": "Step at", "ratio": "Ratio after / before", "posterior": "Weight"},
    formats={
        "step": lambda row: (
            f"{row['period_start'].year}Q{row['period_start'].quarter}"
            + (" (best fit)" if row["best"] else "")
        ),
        "ratio": fmt_ratio,
        "posterior": fmt_share,
    },
    numeric=("Ratio after / before", "Weight"),
)

# %% [markdown]
# ### Carrying the qualifiers through
#
# Some figures are published as "at least" or "about" a number. Each draw picks a count inside
# every figure's interval, the model is fitted to the drawn series, and the fits are pooled
# (Rubin's rules): the pooled confidence interval carries both the vagueness of the words and
# the quarter-to-quarter noise. The qualifier range alone (`qualifier_low` to
# `qualifier_high`) is how much the words could move the ratio: it is not a confidence
# interval. Open-ended figures need an upper cap, which is an assumption (`open_width`).

# %%
simulation = simulate_bounds(
    series_tallies(tallies, quarterly), date=arrival_date, n=n_simulations, seed=seed,
    exclude_incidents=exclude_incidents,
)  # fmt: skip
record("simulation", simulation.summary_frame())
sim = simulation.summary_frame().iloc[0]
key_value_table(
    [
        (
            "Ratio, qualifiers and noise pooled (95% CI)",
            fmt_interval(sim["estimate"], sim["ci_low"], sim["ci_high"])
            if pd.notna(sim["estimate"])
            else sim["note"],
        ),
        (
            "Range the qualifiers alone allow (central 95% of draws)",
            f"{fmt_ratio(sim['qualifier_low'])}–{fmt_ratio(sim['qualifier_high'])}",
        ),
        ("Ratio of the published numbers", fmt_ratio(sim["point_estimate"])),
        (
            "Share of the variance due to the qualifiers",
            fmt_share(sim["fraction_missing_information"]),
        ),
        ("Draws (seed)", f"{fmt_count(sim['n_draws'])} ({sim['seed']})"),
        (
            "Cap on open figures ('at least v' read as v to ...)",
            f"{fmt_number(1 + sim['open_width'])} v",
        ),
    ]
)

# %% [markdown]
# ## What each body's own before/after figures say
#
# Figures that a body itself published for a window before and a window after the date (for
# example ACLED's "more than 2,000 civilians killed since December 2021, against about 500 in
# the previous twelve months"), turned into rates per day as published. These are totals over
# long windows: no model of their noise is possible from two numbers, so the ranges shown are
# what the published words allow, not confidence intervals.

# %%
published = published_before_after(tallies, date=arrival_date)
record("published_pairs", len(published))
display_table(
    published,
    columns={
        "reporting_body": "Body",
        "before": "Before",
        "after": "After",
        "rates": "Per day, before → after",
        "ratio_shown": "Ratio the words allow",
        "tally_ids": "Figures",
    },
    formats={
        "reporting_body": lambda b: names.get(b, b),
        "before": lambda row: (
            f"{row['before_figure']} ({fmt_date(row['before_start'])} to {fmt_date(row['before_end'])})"
        ),
        "after": lambda row: (
            f"{row['after_figure']} ({fmt_date(row['after_start'])} to {fmt_date(row['after_end'])})"
        ),
        "rates": lambda row: (
            f"{fmt_number(row['before_per_day'])} → {fmt_number(row['after_per_day'])}"
        ),
        "ratio_shown": lambda row: (
            f"{fmt_ratio(row['ratio'])} ({fmt_bounds(row['ratio_low'], row['ratio_high'], fmt=fmt_ratio)})"
        ),
    },
)

# %% [markdown]
# ## Caveats
#
# - MINUSMA's quarterly notes leave out the Moura killings of March 2022 (counted separately
#   by OHCHR); a period total that includes an incident cannot be cleaned of it here.
# - MINUSMA left Mali in 2023: its series ends, and every body's coverage thins after it.
# - Counts are minimums of what could be documented; documentation itself changed over the
#   period (access, the mission's presence), so a change in counts is not only a change in
#   killings.
# - A short series cannot separate a trend from a step with much confidence; the placebo
#   dates show how large "changes" get where nothing happened.

# %% [markdown]
# ## How the findings are worded
#
# The rules that turn each check into a sentence:

# %%
display(
    Markdown(
        "\n".join(f"- **{md_escape(name)}**: {md_escape(rule)}" for name, rule in RULES.items())
    )
)

# %% [markdown]
# ## Copies set aside
#
# Press copies whose figure is a documented misprint (the explanation says how it was
# established) are left out of the series; they stay in the evidence table and in the audit.

# %%
display_table(
    evidence["set_aside"],
    columns={
        "tally_id": "Figure",
        "source_id": "Document",
        "period_start": "Period from",
        "value": "Value",
        "explanation": "Why it is set aside",
    },
    formats={"period_start": fmt_date, "value": fmt_count},
    numeric=("Value",),
)

# %% [markdown]
# ## The documents behind these numbers

# %%
documents = cited_documents(
    tallies, evidence["sources"], tally_ids=[*quarterly["tally_ids"], *published["tally_ids"]]
)
record("documents", documents["source_id"].tolist())
display(Markdown(documents_markdown(documents)))
