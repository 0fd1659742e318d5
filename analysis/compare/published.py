"""Each body's own figures before and after a date.

:func:`published_before_after` lists the pairs of windows one document gives either side of the
date; :func:`bodies_before_after` sets every body's own change side by side, one row per body
(a model on a regular series, or the range of one published pair, or why neither exists).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.compare._vocabulary import TALLY_COLUMNS, as_string, in_words
from analysis.compare.sentences import what_is_counted
from analysis.harmonize.periods import DEATH_MEASURES, Freq
from analysis.tables import fmt_date, fmt_window

__all__ = ["bodies_before_after", "published_before_after"]


_PAIR_KEYS = ("reporting_body", "source_id", "measure", "victim_group", "perpetrator_group")


def published_before_after(
    tallies: pd.DataFrame, *, date: object, about_width: float = 0.1
) -> pd.DataFrame:
    """What bodies themselves published for a window before ``date`` and one after it.

    A pair is two period figures (no ``incident_id``) from the same document that count the
    same thing (measure, victims, perpetrators, place), one window ending before ``date`` and
    one starting on or after it: e.g. ACLED's "more than 2,000 civilians killed since December
    2021, against about 500 in the previous twelve months". Figures are turned into rates per
    day of their window, as published; nothing is prorated.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`).
    date
        The date the windows must fall either side of.
    about_width
        Passed to :func:`analysis.sources.tallies.tally_bounds`.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``reporting_body, source_id, measure, victim_group,
        perpetrator_group``, ``before_start, before_end, before_figure`` (the figure in words),
        ``after_start, after_end, after_figure``, ``before_per_day``, ``after_per_day`` (point
        rates), ``ratio`` (after over before, point), ``ratio_low``, ``ratio_high`` (the ratio
        the qualifier intervals allow: after's low over before's high, after's high over
        before's low; ``inf`` when the after figure is open-ended), ``tally_ids``,
        ``before_low, before_high, after_low, after_high`` (each figure's qualifier interval,
        counts) and ``before_days, after_days`` (the windows' lengths, both days included).

    Notes
    -----
    With windows of :math:`d_b` and :math:`d_a` days and intervals :math:`[l_b, h_b]`,
    :math:`[l_a, h_a]`: ratio :math:`= (v_a/d_a)/(v_b/d_b)`, bounds
    :math:`[(l_a/d_a)/(h_b/d_b), (h_a/d_a)/(l_b/d_b)]`. Rates per day assume the deaths
    fall evenly over each window, which a window of a few weeks around a massacre does not.
    """
    from analysis.sources.tallies import tally_bounds

    when = pd.Timestamp(date)
    periods = tallies[tallies["incident_id"].isna()].copy()
    bounds = tally_bounds(periods, about_width=about_width)
    periods[["low", "high", "point"]] = bounds[["low", "high", "point"]]
    periods["days"] = (periods["period_end"] - periods["period_start"]).dt.days + 1
    keys = [*_PAIR_KEYS, *(c for c in ("country", "admin1", "admin2") if c in periods.columns)]
    key_frame = periods[keys].astype("string").fillna("")
    rows = []
    for _, group in periods.groupby([key_frame[k] for k in keys], sort=True):
        before = group[group["period_end"] < when]
        after = group[group["period_start"] >= when]
        for _, b in before.iterrows():
            for _, a in after.iterrows():
                rate_b, rate_a = b["point"] / b["days"], a["point"] / a["days"]
                with np.errstate(divide="ignore", invalid="ignore"):
                    low = (a["low"] / a["days"]) / (b["high"] / b["days"])
                    high = (a["high"] / a["days"]) / (b["low"] / b["days"])
                rows.append(
                    {
                        **{k: b[k] for k in _PAIR_KEYS},
                        "before_start": b["period_start"],
                        "before_end": b["period_end"],
                        "before_figure": in_words(b),
                        "after_start": a["period_start"],
                        "after_end": a["period_end"],
                        "after_figure": in_words(a),
                        "before_per_day": rate_b,
                        "after_per_day": rate_a,
                        "ratio": rate_a / rate_b if rate_b > 0 else np.nan,
                        "ratio_low": low,
                        "ratio_high": high,
                        "tally_ids": f"{b['tally_id']};{a['tally_id']}",
                        "before_low": b["low"],
                        "before_high": b["high"],
                        "after_low": a["low"],
                        "after_high": a["high"],
                        "before_days": b["days"],
                        "after_days": a["days"],
                    }
                )
    columns = [
        *_PAIR_KEYS, "before_start", "before_end", "before_figure", "after_start", "after_end",
        "after_figure", "before_per_day", "after_per_day", "ratio", "ratio_low", "ratio_high",
        "tally_ids", "before_low", "before_high", "after_low", "after_high", "before_days",
        "after_days",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


BEFORE_AFTER_COLUMNS = [
    "reporting_body",
    "basis",
    "date",
    "before_start",
    "before_end",
    "before_windows",
    "before_days",
    "after_start",
    "after_end",
    "after_windows",
    "after_days",
    "rate_before",
    "rate_before_low",
    "rate_before_high",
    "rate_after",
    "rate_after_low",
    "rate_after_high",
    "ratio",
    "ratio_low",
    "ratio_high",
    "interval",
    "method",
    "p_value",
    "tally_ids",
    "note",
]


def _national(tallies: pd.DataFrame) -> np.ndarray:
    keep = np.ones(len(tallies), dtype=bool)
    for column in ("admin1", "admin2"):
        if column in tallies.columns:
            keep &= as_string(tallies[column]).isna().to_numpy()
    return keep


def _empty_row(body: str, when: pd.Timestamp) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(BEFORE_AFTER_COLUMNS, np.nan)
    row.update(
        reporting_body=body,
        basis="none",
        date=when,
        before_start=pd.NaT,
        before_end=pd.NaT,
        after_start=pd.NaT,
        after_end=pd.NaT,
        before_windows=0,
        after_windows=0,
        interval=pd.NA,
        method=pd.NA,
        tally_ids=pd.NA,
        note=pd.NA,
    )
    return row


def _from_series(
    row: dict[str, object],
    series: pd.DataFrame,
    when: pd.Timestamp,
    *,
    about_width: float,
    open_width: float,
    n: int,
    seed: int,
    alpha: float,
) -> None:
    """Fill ``row`` from a regular series with figures on both sides of ``when``."""
    from analysis.trends import before_after, simulate_bounds

    usable = series.loc[series["count_low"].notna()]
    after = (usable["period_start"] >= when).to_numpy()
    notes = []
    for side, part in (("before", usable.loc[~after]), ("after", usable.loc[after])):
        days = float(part["exposure_days"].sum())
        pointed = part.loc[part["count"].notna()]
        row.update(
            {
                f"{side}_start": part["period_start"].min(),
                f"{side}_end": part["period_end"].max(),
                f"{side}_windows": len(part),
                f"{side}_days": days,
                f"rate_{side}": pointed["count"].sum() / pointed["exposure_days"].sum()
                if len(pointed)
                else np.nan,
                f"rate_{side}_low": part["count_low"].sum() / days,
                f"rate_{side}_high": part["count_high"].sum() / days,
            }
        )
    straddle = usable.loc[(usable["period_start"] < when) & (usable["period_end"] >= when)]
    for _, period in straddle.iterrows():
        notes.append(
            f"The figure for {fmt_window(period['period_start'], period['period_end'])} "
            f"holds {fmt_date(when, long=True)} and counts as before it (a period goes to the side on "
            "which it starts)."
        )
    for _, period in usable.loc[usable["excludes"].notna()].iterrows():
        notes.append(
            f"The figure for {fmt_window(period['period_start'], period['period_end'])} "
            f"leaves out {period['excludes']}."
        )
    gaps = int((series["count_low"].isna()).sum())
    if gaps:
        notes.append(f"{gaps} period{'s' if gaps != 1 else ''} without a figure left out.")
    row["tally_ids"] = ";".join(str(x) for x in usable["tally_ids"])
    row["basis"] = "series"
    level = f"{1 - alpha:.0%} CI"
    exact = bool(
        np.allclose(usable["count_low"], usable["count_high"], rtol=0, atol=1e-9)
        and usable["count"].notna().all()
    )
    if exact:
        fit = before_after(
            usable, date=when, exposure="exposure_days", family="quasipoisson", alpha=alpha
        ).iloc[0]
        row.update(
            ratio=fit["estimate"],
            ratio_low=fit["ci_low"],
            ratio_high=fit["ci_high"],
            p_value=fit["p_value"],
            interval=level,
            method="before_after (quasi-Poisson, t interval)",
        )
    else:
        summary = (
            simulate_bounds(
                usable,
                date=when,
                n=n,
                seed=seed,
                about_width=about_width,
                open_width=open_width,
                alpha=alpha,
            )
            .summary_frame()
            .iloc[0]
        )
        row.update(
            ratio=summary["estimate"],
            ratio_low=summary["ci_low"],
            ratio_high=summary["ci_high"],
            p_value=summary["p_value"],
            interval=f"{level} (pooled over qualifier draws)",
            method=(
                "simulate_bounds (quasi-Poisson per draw, Rubin's rules; open figures capped "
                f"at {1 + open_width:g} times their value)"
            ),
        )
        if summary["note"]:
            notes.append(str(summary["note"]))
    row["note"] = " ".join(notes) if notes else pd.NA


def _from_pair(row: dict[str, object], pair: pd.Series) -> None:
    """Fill ``row`` from one published pair of windows (the qualifier range only)."""
    for side in ("before", "after"):
        days = float(pair[f"{side}_days"])
        row.update(
            {
                f"{side}_start": pair[f"{side}_start"],
                f"{side}_end": pair[f"{side}_end"],
                f"{side}_windows": 1,
                f"{side}_days": days,
                f"rate_{side}": pair[f"{side}_per_day"],
                f"rate_{side}_low": pair[f"{side}_low"] / days,
                f"rate_{side}_high": pair[f"{side}_high"] / days,
            }
        )
    row.update(
        basis="two windows",
        ratio=pair["ratio"],
        ratio_low=pair["ratio_low"],
        ratio_high=pair["ratio_high"],
        interval="qualifier range",
        method="published_before_after (two windows of one document, as published)",
        tally_ids=pair["tally_ids"],
        note=f"Both windows come from one document ({pair['source_id']}).",
    )


def _why_not(body_rows: pd.DataFrame, deaths: pd.DataFrame, when: pd.Timestamp, what: str) -> str:
    """One sentence: why a body has no ratio."""
    periods = body_rows.loc[as_string(body_rows["incident_id"]).isna().to_numpy()]
    if periods.empty:
        return "It published figures for single incidents only, no totals over periods of time."
    if deaths.empty:
        if len(periods) == 1:
            return f"Its one figure over a period does not count {what}."
        return f"None of its {len(periods)} figures over periods counts {what}."
    before = int((deaths["period_end"] < when).sum())
    after = int((deaths["period_start"] >= when).sum())
    around = len(deaths) - before - after
    if before == 0 and around == 0 and after == 1:
        return (
            f"Its one figure of {what} covers a window that starts on or after "
            f"{fmt_date(when, long=True)}; there is no window before it to compare with."
        )
    if before == 0 and around == 0:
        return (
            f"All {after} of its figures of {what} cover windows that start on or after "
            f"{fmt_date(when, long=True)}; none ends before it, so there is no window to compare with."
        )
    if before == 0:
        parts = [f"{after} start on or after {fmt_date(when, long=True)}"] if after else []
        if around:
            parts.append(f"{around} run{'s' if around == 1 else ''} across it")
        return (
            f"Of its {len(deaths)} figures of {what}, {' and '.join(parts)}; none ends before "
            "it, so there is no window to compare with."
        )
    if after == 0:
        return (
            f"Its {len(deaths)} figures of {what} have no window starting on or after "
            f"{fmt_date(when, long=True)}."
        )
    return (
        f"It published {before} window{'s' if before != 1 else ''} of {what} before "
        f"{fmt_date(when, long=True)} and {after} after, but not in one document nor as a regular "
        "series; figures from different documents may count differently, so no ratio is "
        "estimated."
    )


def bodies_before_after(
    tallies: pd.DataFrame,
    *,
    date: object,
    bodies: Sequence[str] | None = None,
    victim_groups: Sequence[str] = ("civilians", "people"),
    measures: Sequence[str] = DEATH_MEASURES,
    perpetrator_group: str = "all",
    freq: Freq = "QS",
    min_periods: int = 3,
    about_width: float = 0.1,
    open_width: float = 0.5,
    n: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Each body's own change across ``date``, one row per body, side by side.

    Parameters
    ----------
    tallies
        The evidence table (pass ``load_evidence()["usable"]`` to leave out the copies set
        aside as misprints). Only national figures over periods (no ``incident_id``, no
        region) are used.
    date
        The date the windows must fall either side of (the arrival date).
    bodies
        The bodies to show (default: every body with a figure in ``tallies``); an unknown id
        raises a ValueError naming it.
    victim_groups, measures, perpetrator_group
        What the figures must count (default: civilians or people killed, by all
        perpetrators).
    freq
        The regular periods of a series (``"MS"``, ``"QS"``, ``"YS"``).
    min_periods
        Periods with a figure a regular series needs (at least 3, and one on each side) to
        fit the model; below that the body is treated as publishing windows.
    about_width
        Relative half-width of "about"; see :func:`analysis.sources.tallies.tally_bounds`.
    open_width, n, seed
        Passed to :func:`analysis.trends.simulate_bounds` (the cap on open figures, the
        number of draws and the seed).
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per body:

        - ``reporting_body``; ``basis``: ``"series"`` (a regular series of
          :func:`~analysis.harmonize.periods.tally_series`), ``"two windows"`` (a pair of
          :func:`published_before_after`) or ``"none"``; ``date``;
        - ``before_start, before_end, before_windows, before_days`` and the same for
          ``after``: the windows used (first day, last day, how many, days covered);
        - ``rate_before, rate_before_low, rate_before_high`` and the same for ``after``:
          deaths per day as published (point) and the range the qualifiers allow;
        - ``ratio, ratio_low, ratio_high``: rate after over rate before and its interval;
          ``interval`` says what that interval is (``"95% CI"``, ``"95% CI (pooled over
          qualifier draws)"`` or ``"qualifier range"``: never call the last a confidence
          interval); ``method``: the function and model used; ``p_value`` (of no change;
          NaN for a qualifier range);
        - ``tally_ids``: every figure used (``;``-joined);
        - ``note``: one or more sentences: why there is no ratio (``basis`` none), or what a
          reader must know (a period that holds the date, a figure that leaves an incident
          out, periods without a figure).

    Notes
    -----
    **A regular series** (at least ``min_periods`` periods with a figure, on both sides):
    when every figure is exact, the lead estimate of the before/after report,
    :func:`analysis.trends.before_after` with quasi-Poisson errors and a t interval,
    :math:`\log E[y_t] = \log d_t + \beta_0 + \beta_1 \mathbf{1}[t \ge \text{date}]`,
    ratio :math:`e^{\beta_1}`. When a figure is an interval ("at least", "about", copies
    that disagree), :func:`analysis.trends.simulate_bounds` on the same series: the model
    fitted to draws from the intervals and pooled by Rubin's rules (with exact figures both
    give the same interval). Rates per day are :math:`\sum y_t / \sum d_t` over the periods
    with a point, and :math:`[\sum l_t / \sum d_t, \sum h_t / \sum d_t]` over the periods
    with an interval. A period is on the side on which it starts.

    **Two windows of one document** (:func:`published_before_after`; when a body has
    several pairs, the one covering the most days): the ratio
    :math:`(v_a/d_a)/(v_b/d_b)` and the range :math:`[(l_a/d_a)/(h_b/d_b),
    (h_a/d_a)/(l_b/d_b)]` the qualifiers allow. With one figure per side there is no
    replication, so no sampling interval can be estimated.

    Checked on the shipped table: MINUSMA's row reproduces the before/after report's
    series (twelve quarters, 1 April 2020 to 31 March 2023) and ACLED's the pair "about 500"
    (1 December 2020 to 30 November 2021) and "more than 2,000" (1 December 2021 to
    15 January 2023) (``tests/compare/test_compare_windows_shipped.py``).

    Examples
    --------
    >>> from analysis.sources.tallies import load_evidence  # doctest: +SKIP
    >>> bodies_before_after(load_evidence()["usable"], date="2021-12-01")  # doctest: +SKIP
    """
    from analysis.harmonize.periods import require_tally_columns, tally_series

    check_option("freq", freq, Freq)
    if not isinstance(min_periods, int) or min_periods < 3:
        raise ValueError(f"min_periods must be a whole number of at least 3, got {min_periods!r}")
    require_tally_columns(tallies, TALLY_COLUMNS, "bodies_before_after")
    when = pd.Timestamp(date)
    measures = (measures,) if isinstance(measures, str) else tuple(measures)
    victim_groups = (victim_groups,) if isinstance(victim_groups, str) else tuple(victim_groups)
    body = as_string(tallies["reporting_body"])
    present = sorted(set(body.dropna()))
    if bodies is None:
        chosen = present
    else:
        unknown = sorted(set(bodies) - set(present))
        if unknown:
            raise ValueError(f"no figure from the bodies {unknown}; bodies with one: {present}")
        chosen = list(dict.fromkeys(bodies))
    periods = tallies.loc[as_string(tallies["incident_id"]).isna().to_numpy() & _national(tallies)]
    kind = (
        as_string(periods["measure"]).isin(measures)
        & as_string(periods["victim_group"]).isin(victim_groups)
        & (as_string(periods["perpetrator_group"]) == perpetrator_group)
    ).fillna(False)
    deaths_all = periods.loc[kind.to_numpy()]
    pairs = published_before_after(deaths_all, date=when, about_width=about_width)
    what = what_is_counted(measures[0], victim_groups[0], perpetrator_group)
    if len(victim_groups) > 1:
        what = what.replace(victim_groups[0], " or ".join(victim_groups), 1)
    rows = []
    for name in chosen:
        row = _empty_row(name, when)
        rows.append(row)
        deaths = deaths_all.loc[(as_string(deaths_all["reporting_body"]) == name).to_numpy()]
        series = None
        if not deaths.empty:
            try:
                series = tally_series(
                    deaths,
                    reporting_body=name,
                    measure=measures,
                    victim_group=victim_groups,
                    perpetrator_group=perpetrator_group,
                    freq=freq,
                    conflict="range",
                    about_width=about_width,
                )
            except ValueError:
                series = None
        if series is not None:
            usable = series.loc[series["count_low"].notna()]
            sides = usable["period_start"] >= when
            if len(usable) >= min_periods and sides.any() and (~sides).any():
                _from_series(
                    row,
                    series,
                    when,
                    about_width=about_width,
                    open_width=open_width,
                    n=n,
                    seed=seed,
                    alpha=alpha,
                )
                continue
        mine = pairs.loc[pairs["reporting_body"] == name]
        if not mine.empty:
            span = mine["before_days"] + mine["after_days"]
            best = mine.assign(span=span).sort_values(
                ["span", "source_id"], ascending=[False, True], kind="stable"
            )
            _from_pair(row, best.iloc[0])
            if len(mine) > 1:
                row["note"] = f"{row['note']} {len(mine) - 1} other pair(s) of windows not shown."
            continue
        body_rows = tallies.loc[(body == name).fillna(False).to_numpy()]
        row["note"] = _why_not(body_rows, deaths, when, what)
    out = pd.DataFrame(rows, columns=BEFORE_AFTER_COLUMNS)
    types = {
        "reporting_body": "string", "basis": "string", "before_windows": "int64",
        "after_windows": "int64", "interval": "string", "method": "string",
        "tally_ids": "string", "note": "string",
    }  # fmt: skip
    float_columns = [
        c for c in BEFORE_AFTER_COLUMNS if c.startswith(("rate_", "ratio")) or c.endswith("_days")
    ]
    types.update(dict.fromkeys([*float_columns, "p_value"], "float64"))
    return out.astype(types)
