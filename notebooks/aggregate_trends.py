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
# # Monthly aggregates before and after the arrival date
#
# ACLED publishes monthly counts of events and fatalities per area on HDX (Excel workbooks)
# and through HDX HAPI (CSV). They are the only series here that a researcher can download
# freely across Wagner's arrival. This report turns one such file into a monthly series and
# compares the rates before and after the date with the same functions as the event reports:
# a mean-rate ratio, an interrupted time series, and the ratio region by region. A section the
# file cannot support says why, and the others still render.

# %% tags=["parameters"]
# fmt: off
aggregates_path: "path" = "data/raw/hdx/aggregates.xlsx"  # the HDX workbook or HAPI CSV {required; file; input: aggregate table}
indicator: str = "auto"  # which counts (auto: the file's only one, else civilian targeting) {one of: auto, political_violence, civilian_targeting, demonstrations}
country: str = "Mali"  # country kept, by name or ISO 3166 alpha-3 code (others are counted) {pattern: \S.*}
arrival_date: "date" = "2021-12-01"  # the intervention date {between: start, end}
start: "Optional[date]" = None  # first month (None: the file's first)
end: "Optional[date]" = None  # last month (None: the file's last) {not before: start}
freq: str = "MS"  # period length {one of: MS, QS, YS}
family: str = "quasipoisson"  # count model of the fits {one of: poisson, quasipoisson, negbin}
# fmt: on

# %%
import os

import pandas as pd
from IPython.display import Markdown, display

from analysis import before_after, its_fit, plots, read_hdx_aggregates
from analysis.display import md_code, md_escape, record
from analysis.estimability import PERIOD_WORDS, before_after_gap
from analysis.files import sha256_file
from analysis.findings import series_findings
from analysis.harmonize.monthly import aggregate_series, choose_indicator
from analysis.harmonize.selection import scope_events
from analysis.result_tables import its_terms_table, rate_ratio_table

table = read_hdx_aggregates(aggregates_path)
in_scope, left_out = scope_events(table, country=country, start=start, end=end)
present = sorted(str(v) for v in pd.unique(in_scope["indicator"].dropna()))
chosen = choose_indicator(in_scope, None if indicator == "auto" else indicator) if present else None
rows = in_scope[in_scope["indicator"].astype("string") == chosen] if chosen else in_scope
unit = PERIOD_WORDS[freq]
what = chosen.replace("_", " ") if chosen else "no indicator"
lines = [
    f"**{len(rows):,} rows** of {md_escape(what)} counts in {md_escape(country)} of the file's "
    f"{len(table):,}"
    + (
        f", months {rows['month'].min():%B %Y} to {rows['month'].max():%B %Y}: "
        f"{int(rows['events'].sum()):,} events and {int(rows['fatalities'].sum()):,} fatalities."
        if len(rows)
        else "."
    )
]
if len(present) > 1:
    lines.append(
        f"The file also holds {', '.join(md_escape(p) for p in present if p != chosen)}; "
        "indicators overlap and are never added up."
    )
if len(left_out):
    lines.append("Left out of every number below:")
    lines.extend(
        f"- {row.n_rows:,} rows "
        + {
            "other_country": f"of other countries ({md_escape(row.detail)})",
            "before_start": f"dated {row.detail}",
            "after_end": f"dated {row.detail}",
        }[row.reason]
        for row in left_out.itertuples()
    )
display(Markdown("\n".join(lines)))
record("n_file_rows", len(table))
record("n_rows", len(rows))
record("indicator", chosen)
record("left_out", left_out)
record("title", f"Monthly aggregates: {what}, {country} ({os.path.basename(str(aggregates_path))})")

# %% [markdown]
# ## Key findings

# %%
series = (
    aggregate_series(in_scope, indicator=chosen, freq=freq)
    if chosen
    else pd.DataFrame(columns=["period_start", "events", "fatalities", "exposure_days"])
)
headline, findings = series_findings(
    series,
    date=arrival_date,
    count="fatalities",
    what=f"the series of {what} fatalities",
    freq=freq,
    family=family,
)
headline = f"ACLED's monthly {what} fatalities in {country}: {headline[0].lower()}{headline[1:]}"
record("headline", headline)
record("findings", findings)
display(
    Markdown(
        f"**{md_escape(headline)}**\n\n"
        + "\n".join(f"- {md_escape(sentence)}" for sentence in findings)
        + "\n\nThe aggregates count political violence of every kind, not only violence "
        "against civilians; the intervals assume that the months are independent of each other."
    )
)

# %% [markdown]
# ## The series
#
# Events and fatalities per period, summed over the areas. A period the file does not cover is
# left blank, never drawn as a zero.

# %%
record(
    "series_totals",
    {"events": int(series["events"].sum()), "fatalities": int(series["fatalities"].sum())},
)
skipped = {}
if series["events"].notna().any():
    missing = int(series["events"].isna().sum())
    if missing:
        display(Markdown(f"{missing:,} of {len(series):,} {unit} have no row in the file."))
    long = series.melt(
        id_vars=["period_start"], value_vars=["events", "fatalities"], var_name="measure"
    )
    display(
        plots.series_by_body(
            long,
            body="measure",
            value="value",
            low=None,
            high=None,
            arrival_date=arrival_date,
            ylabel=f"count per {unit[:-1]}",
            title=f"{what.capitalize()}: events and fatalities",
            source=f"Source: ACLED aggregates via HDX, {os.path.basename(str(aggregates_path))}.",
        )
    )
else:
    skipped["series"] = (
        f"Not drawn: the file has no {md_escape(what)} rows for {md_escape(country)}."
        if chosen
        else f"Not drawn: the file has no rows for {md_escape(country)}."
    )
    display(Markdown(skipped["series"]))

# %% [markdown]
# ## Mean rates before and after
#
# The ratio of the mean daily rate after the date to the rate before (`analysis.before_after`,
# the months' days as exposure, standard errors allowing for overdispersion), for events and
# for fatalities. No trend is modelled here; the next section adds one.

# %%
ratios = []
for count in ("events", "fatalities"):
    reason = before_after_gap(
        series, date=arrival_date, count=count, freq=freq, what=f"the series of {count}"
    )
    if reason is None:
        ratio = before_after(
            series, date=arrival_date, count=count, exposure="exposure_days", family=family
        )
        ratios.append(ratio.assign(count=count))
    else:
        skipped[f"ratio_{count}"] = reason
        display(Markdown(reason))
if ratios:
    ratios = pd.concat(ratios, ignore_index=True)
    record("before_after", ratios[["count", "estimate", "ci_low", "ci_high"]])
    display(
        rate_ratio_table(
            ratios.assign(count=ratios["count"].str.capitalize()),
            label="count",
            label_name="Counts of",
            freq=freq,
        )
    )

# %% [markdown]
# ## Interrupted time series of fatalities
#
# A log-linear model with a trend and a step at the date (`level_change`, a rate ratio), the
# months' days as exposure, and standard errors scaled for overdispersion.

# %%
fit = None
skipped["its"] = before_after_gap(
    series, date=arrival_date, count="fatalities", freq=freq, what="the series of fatalities"
)
if skipped["its"] is None:
    fit = its_fit(
        series, date=arrival_date, count="fatalities", exposure="exposure_days", family=family
    )
    record("its_level_change", fit.summary_frame().loc[["level_change"]].reset_index())
    display(its_terms_table(fit, freq=freq))
    display(
        plots.its_counterfactual(
            fit.counterfactual(),
            date=arrival_date,
            ylabel=f"fatalities per {unit[:-1]} (count)",
            title="Observed, fitted, and the series without the step",
            source=f"Source: ACLED aggregates via HDX; model: analysis.its_fit ({family}).",
        )
    )
else:
    display(Markdown(skipped["its"]))

# %% [markdown]
# ## Region by region
#
# The same mean-rate ratio of fatalities for each first-level region. Regions whose series
# cannot support it are listed with the reason.

# %%
by_region = (
    aggregate_series(in_scope, indicator=chosen, freq=freq, by="admin1")
    if chosen and in_scope["admin1"].notna().any()
    else pd.DataFrame(columns=["admin1", "period_start", "fatalities"])
)
region_rows, region_notes = [], []
for region, part in by_region.groupby("admin1", sort=True):
    reason = before_after_gap(
        part, date=arrival_date, count="fatalities", freq=freq, what=f"{region}'s series"
    )
    if reason is None:
        result = before_after(
            part, date=arrival_date, count="fatalities", exposure="exposure_days", family=family
        )
        region_rows.append(result.assign(admin1=region))
    else:
        region_notes.append(f"- {md_escape(region)}: {md_escape(reason)}")
if region_rows:
    regions = pd.concat(region_rows, ignore_index=True)
    record("regions", regions[["admin1", "estimate", "ci_low", "ci_high"]])
    display(rate_ratio_table(regions, label="admin1", label_name="Region", freq=freq))
if region_notes and not region_rows and skipped["its"] is not None:
    display(
        Markdown(
            f"Not estimated for any of the {len(region_notes)} regions: each region's series is "
            "a part of the whole one, which cannot support it (above)."
        )
    )
elif region_notes:
    display(Markdown("\n".join(region_notes)))
if not region_rows and not region_notes:
    skipped["regions"] = (
        "Not estimated: the file names no first-level regions."
        if len(rows)
        else f"Not estimated: the file has no rows for {md_escape(country)}."
    )
    display(Markdown(skipped["regions"]))

# %%
if len(by_region) and by_region["fatalities"].notna().any():
    display(
        plots.region_month_heatmap(
            by_region,
            region="admin1",
            value="fatalities",
            arrival_date=arrival_date,
            title=f"Fatalities by region ({what})",
            source=f"Source: ACLED aggregates via HDX, {os.path.basename(str(aggregates_path))}.",
        )
    )
record("skipped", {key: value for key, value in skipped.items() if value is not None})

# %% [markdown]
# ## Caveats
#
# - These are ACLED's counts, aggregated by ACLED: the same coverage limits as its events
#   (press and local partners; reporting fell in areas closed after MINUSMA left in 2023).
# - Political violence counts every perpetrator, not only violence against civilians;
#   civilian targeting counts events ACLED flags as targeting civilians.
# - The last month of a file may be incomplete if the file was extracted during it.

# %% [markdown]
# ## The data behind these numbers

# %%
first_origin = rows["origin"].iloc[0] if len(rows) else None
last_origin = rows["origin"].iloc[-1] if len(rows) else None
display(
    Markdown(
        f"- File: {md_code(aggregates_path)}, sha256 `{sha256_file(aggregates_path)}`; "
        f"{len(rows):,} rows used"
        + (f", from {md_code(first_origin)} to {md_code(last_origin)}" if len(rows) else "")
        + "; each row's `origin` gives the sheet and row (or the line) it was read from."
    )
)
