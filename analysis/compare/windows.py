"""Another body's figure against the reference body's figures over the same window.

:func:`compare_windows` takes every figure over a period of time (no ``incident_id``) of every
body but the reference one, and sets it against the reference body's regular figures (by
default MINUSMA's quarterly notes) summed over the same window, as intervals, with the ratio of
the two and the share of the window the reference figures cover. A figure that cannot be set
against them (it counts events, it covers one region, the reference has no figure for part of
its window...) keeps its row, with ``comparable`` False and the reason in one sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.compare._vocabulary import (
    NOT_CIVILIANS,
    NOT_DEATHS,
    PEOPLE_APART,
    TALLY_COLUMNS,
    as_string,
)
from analysis.compare.sentences import what_is_counted
from analysis.harmonize.periods import (
    DEATH_MEASURES,
    Freq,
    calendar_periods,
    figure_bounds,
    require_tally_columns,
    tally_series,
    window_days,
)
from analysis.tables import fmt_window

__all__ = ["WindowMethod", "compare_windows"]

WindowMethod = Literal["sum", "prorate"]

_UNIT = {"MS": "month", "QS": "quarter", "YS": "year"}

COLUMNS = [
    "reporting_body",
    "tally_id",
    "source_id",
    "measure",
    "victim_group",
    "perpetrator_group",
    "qualifier",
    "value",
    "window_start",
    "window_end",
    "window_days",
    "figure_low",
    "figure_high",
    "figure_point",
    "figure_open",
    "reference_body",
    "reference_low",
    "reference_high",
    "reference_point",
    "reference_open",
    "reference_periods",
    "prorated_periods",
    "prorated",
    "reference_tally_ids",
    "reference_terms",
    "coverage",
    "ratio",
    "ratio_low",
    "ratio_high",
    "comparable",
    "reason",
    "note",
    "method",
]


def _cap(low: np.ndarray, high: np.ndarray, open_width: float | None) -> np.ndarray:
    """Open upper ends kept (``None``) or capped at ``low * (1 + open_width)``."""
    if open_width is None:
        return high
    return np.where(np.isinf(high), low * (1 + open_width), high)


def _ratio_interval(
    figure: tuple[float, float, float], reference: tuple[float, float, float]
) -> tuple[float, float, float]:
    """Point, low and high of figure / reference for two intervals of non-negative counts."""
    f_low, f_high, f_point = figure
    r_low, r_high, r_point = reference
    with np.errstate(divide="ignore", invalid="ignore"):
        point = f_point / r_point if r_point > 0 and np.isfinite(r_point) else np.nan
        low = 0.0 if np.isinf(r_high) else (f_low / r_high if r_high > 0 else np.nan)
        if r_low > 0:
            high = f_high / r_low
        else:
            high = np.inf if f_high > 0 else np.nan
    return float(point), float(low), float(high)


def _not_counted(measure: str, victims: str, measures: Sequence[str], groups: Sequence[str]):
    """The reason a figure does not count deaths of the chosen victims, or None."""
    if measure not in measures:
        if measure in NOT_DEATHS:
            return f"It {NOT_DEATHS[measure]}."
        return f"It counts {measure.replace('_', ' ')}, a measure not compared here."
    if victims not in groups:
        if victims in NOT_CIVILIANS:
            return f"It {NOT_CIVILIANS[victims]}."
        if victims == "people":
            return f"It {PEOPLE_APART}; pass victim_groups with 'people' to compare it."
        return f"It counts {victims.replace('_', ' ')}, a victim group not compared here."
    return None


def _reference_series(
    reference: pd.DataFrame,
    *,
    reference_body: str,
    measures: Sequence[str],
    victim_groups: Sequence[str],
    perpetrator_group: str,
    freq: Freq,
    about_width: float,
) -> pd.DataFrame | None:
    """The reference body's regular series for one perpetrator group (None when it has none)."""
    try:
        return tally_series(
            reference,
            reporting_body=reference_body,
            measure=tuple(measures),
            victim_group=tuple(victim_groups),
            perpetrator_group=perpetrator_group,
            freq=freq,
            conflict="range",
            about_width=about_width,
        )
    except ValueError:
        return None


def compare_windows(
    tallies: pd.DataFrame,
    *,
    reference_body: str = "minusma",
    bodies: Sequence[str] | None = None,
    victim_groups: Sequence[str] = ("civilians", "people"),
    measures: Sequence[str] = DEATH_MEASURES,
    freq: Freq = "QS",
    method: WindowMethod = "sum",
    about_width: float = 0.1,
    open_width: float | None = None,
) -> pd.DataFrame:
    r"""Each period figure of another body against the reference body's sum over its window.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`; pass
        ``load_evidence()["usable"]`` to leave out the copies set aside as misprints). Only
        figures over a period of time (no ``incident_id``) are taken: an incident's toll is
        compared figure by figure in :func:`~analysis.compare.incident.compare_incident`.
    reference_body
        The body whose regular figures the others are set against (default MINUSMA, whose
        quarterly notes give the longest regular series).
    bodies
        The bodies whose figures are compared (default: every body but the reference). An
        id without a period figure in ``tallies`` raises a ValueError naming it.
    victim_groups
        Victim groups counted as the same thing on both sides (default civilians and
        people: MINUSMA's copies say "people" in some quarters). Both sides must count one
        of these.
    measures
        Measures counted as the same thing (default the death measures ``killed``,
        ``executed`` and ``fatalities``).
    freq
        The reference body's regular periods: ``"MS"``, ``"QS"`` (default) or ``"YS"``.
        Only reference figures whose window is exactly one such period are used, merged
        as :func:`~analysis.harmonize.periods.tally_series` merges copies (disagreeing
        copies keep their range and no point).
    method
        ``"sum"`` (default): the window must be a run of whole reference periods, and their
        figures are summed; a window that starts or ends inside a period is not compared.
        ``"prorate"``: a period only partly inside the window contributes the share of its
        days inside it (a constant rate within the period is assumed); such periods are
        counted in ``prorated_periods``.
    about_width
        Relative half-width of "about" (and lower reach of "nearly"); see
        :func:`analysis.sources.tallies.tally_bounds`.
    open_width
        ``None`` (default): an open figure ("at least 107") keeps its open end, and a sum
        with an open figure in it is open too (``high`` is ``inf``). A number :math:`w` caps
        every open interval at :math:`[v, (1 + w) v]`, as
        :func:`analysis.trends.simulate_bounds` does (0.5 there): an assumption, to be
        varied.

    Returns
    -------
    pandas.DataFrame
        One row per period figure of the compared bodies, sorted by body and window:

        - ``reporting_body, tally_id, source_id, measure, victim_group, perpetrator_group,
          qualifier, value``: the figure as in the evidence table;
        - ``window_start, window_end, window_days``: its window (both days included);
        - ``figure_low, figure_high, figure_point, figure_open``: the interval its
          qualifier allows (``inf`` when open and not capped), the published point, and
          whether it is open above;
        - ``reference_body``; ``reference_low, reference_high, reference_point,
          reference_open``: the reference figures summed over the window (NaN when not
          comparable; the point is NaN when a period's copies disagree);
        - ``reference_periods``: how many reference periods enter the sum;
          ``prorated_periods`` and ``prorated``: how many of them only partly (method
          ``"prorate"``);
        - ``reference_tally_ids``: the ``;``-joined ids of every reference figure used;
          ``reference_terms``: the sum written out, one term per period with its ids
          (``"190 (minusma-027) + 128 × 31/92 (minusma-029)"``; ``≥`` an open figure,
          ``[a–b]`` an interval, ``× days inside / days`` a prorated period);
        - ``coverage``: the share of the window's days that reference periods with a figure
          cover (whole or partly inside the window);
        - ``ratio, ratio_low, ratio_high``: figure over reference sum, point and the range
          the two intervals allow;
        - ``comparable`` (bool) and ``reason`` (one sentence, NA when comparable);
        - ``note``: what a reader must know about a comparable row (a "people" figure on
          either side, reference figures that leave an incident out, derived reference
          figures, reference copies that disagree, the periods prorated), NA when nothing;
        - ``method``.

    Notes
    -----
    With the window :math:`W` and the reference periods :math:`P_k` that overlap it, each
    with interval :math:`[l_k, h_k]` and point :math:`v_k`, the share of a period inside the
    window is :math:`s_k = |W \cap P_k| / |P_k|` (1 for a whole period; with ``"sum"`` every
    :math:`s_k` must be 1). The reference sum is

    .. math:: R = [\textstyle\sum_k s_k l_k,\ \sum_k s_k h_k], \quad
              \hat R = \textstyle\sum_k s_k v_k,

    and with the other figure's interval :math:`[a, b]` and point :math:`x` the ratio is
    :math:`x / \hat R` within :math:`[a / \sum_k s_k h_k,\ b / \sum_k s_k l_k]` (0 below
    an open reference sum, :math:`\infty` above an open figure). The range is what the
    published words allow, not a confidence interval: neither side's sampling noise is in it.
    Coverage is :math:`\sum_{k:\,\text{figure}} |W \cap P_k| / |W|`; a row is comparable only
    when it is 1. Checked on the shipped table: the Secretary-General's 1,556 civilians
    killed from 1 July 2021 to 30 June 2022 against MINUSMA's quarters 190 + 128 + 543 +
    317 = 1,178 (``tests/compare/test_compare_windows_shipped.py``).

    Examples
    --------
    >>> from analysis.sources.tallies import load_evidence  # doctest: +SKIP
    >>> compare_windows(load_evidence()["usable"], method="prorate")  # doctest: +SKIP
    """
    check_option("method", method, WindowMethod)
    check_option("freq", freq, Freq)
    if open_width is not None and not (np.isfinite(open_width) and open_width >= 0):
        raise ValueError(f"open_width must be None or a non-negative number, got {open_width!r}")
    require_tally_columns(tallies, TALLY_COLUMNS, "compare_windows")
    measures = (measures,) if isinstance(measures, str) else tuple(measures)
    victim_groups = (victim_groups,) if isinstance(victim_groups, str) else tuple(victim_groups)
    periods_only = as_string(tallies["incident_id"]).isna().to_numpy()
    table = tallies.loc[periods_only]
    body = as_string(table["reporting_body"])
    national = np.ones(len(table), dtype=bool)
    for column in ("admin1", "admin2"):
        if column in table.columns:
            national &= as_string(table[column]).isna().to_numpy()
    reference = table.loc[(body == reference_body).to_numpy() & national]
    if reference.empty:
        raise ValueError(
            f"reference_body {reference_body!r} has no national figure over a period in the table"
        )
    others = sorted(set(body.dropna()) - {reference_body})
    if bodies is not None:
        unknown = sorted(set(bodies) - set(others))
        if unknown:
            raise ValueError(
                f"no period figure from the bodies {unknown} (other than the reference "
                f"{reference_body!r}); bodies that have one: {others}"
            )
        others = [b for b in others if b in set(bodies)]
    figures = table.loc[body.isin(others).fillna(False).to_numpy()]
    figures = figures.sort_values(["reporting_body", "period_start", "period_end", "tally_id"])
    if figures.empty:
        return pd.DataFrame(columns=COLUMNS)
    start_days, end_days = window_days(figures, "compare_windows")
    bounds = figure_bounds(figures, about_width)
    f_low = bounds["low"].to_numpy(dtype=float)
    f_high = _cap(f_low, bounds["high"].to_numpy(dtype=float), open_width)
    f_point = bounds["point"].to_numpy(dtype=float)
    unit = _UNIT[freq]
    people_ids = set(
        as_string(reference["tally_id"])[
            (as_string(reference["victim_group"]) == "people").fillna(False)
        ]
    )
    series_cache: dict[str, pd.DataFrame | None] = {}
    rows = []
    for i in range(len(figures)):
        fig = figures.iloc[i]
        start, end = pd.Timestamp(fig["period_start"]), pd.Timestamp(fig["period_end"])
        n_days = int(end_days[i] - start_days[i] + 1)
        row: dict[str, object] = {
            "reporting_body": fig["reporting_body"],
            "tally_id": fig["tally_id"],
            "source_id": fig["source_id"],
            "measure": fig["measure"],
            "victim_group": fig["victim_group"],
            "perpetrator_group": fig["perpetrator_group"],
            "qualifier": fig["qualifier"],
            "value": fig["value"],
            "window_start": start,
            "window_end": end,
            "window_days": n_days,
            "figure_low": f_low[i],
            "figure_high": f_high[i],
            "figure_point": f_point[i],
            "figure_open": bool(np.isinf(f_high[i])),
            "reference_body": reference_body,
            "reference_low": np.nan,
            "reference_high": np.nan,
            "reference_point": np.nan,
            "reference_open": False,
            "reference_periods": 0,
            "prorated_periods": 0,
            "prorated": False,
            "reference_tally_ids": pd.NA,
            "reference_terms": pd.NA,
            "coverage": np.nan,
            "ratio": np.nan,
            "ratio_low": np.nan,
            "ratio_high": np.nan,
            "comparable": False,
            "reason": pd.NA,
            "note": pd.NA,
            "method": method,
        }
        rows.append(row)
        reason = _not_counted(
            str(fig["measure"]), str(fig["victim_group"]), measures, victim_groups
        )
        place = [str(fig[c]) for c in ("admin1", "admin2") if c in fig.index and pd.notna(fig[c])]
        if reason is None and place:
            reason = (
                f"It covers part of the country ({', '.join(place)}), and the reference "
                "figures cover the whole of it."
            )
        perpetrator = str(fig["perpetrator_group"])
        what = what_is_counted(fig["measure"], fig["victim_group"], perpetrator)
        if reason is None:
            if perpetrator not in series_cache:
                series_cache[perpetrator] = _reference_series(
                    reference,
                    reference_body=reference_body,
                    measures=measures,
                    victim_groups=victim_groups,
                    perpetrator_group=perpetrator,
                    freq=freq,
                    about_width=about_width,
                )
            series = series_cache[perpetrator]
            if series is None:
                reason = f"The reference body published no {unit}ly figure of {what}."
        if reason is not None:
            row["reason"] = reason
            continue
        assert series is not None
        grid = calendar_periods(start, end, freq=freq)
        found = series.set_index("period_start")
        overlap = (
            np.minimum(grid["period_end"], end) - np.maximum(grid["period_start"], start)
        ).dt.days.to_numpy() + 1
        share = overlap / grid["period_days"].to_numpy()
        lows, highs, points, ids, terms, missing, partial = [], [], [], [], [], [], []
        covered = 0
        flagged: dict[str, list[str]] = {
            "excludes": [],
            "people": [],
            "derived": [],
            "conflict": [],
        }
        for j, period_start in enumerate(grid["period_start"]):
            label = fmt_window(period_start, grid["period_end"].iloc[j])
            ref = found.loc[period_start] if period_start in found.index else None
            if ref is None or pd.isna(ref["count_low"]):
                missing.append(label)
                continue
            covered += int(overlap[j])
            if share[j] < 1:
                partial.append(
                    f"{label} ({int(overlap[j])} of {int(grid['period_days'].iloc[j])} days)"
                )
            lows.append(share[j] * float(ref["count_low"]))
            high = _cap(
                np.array([float(ref["count_low"])]),
                np.array([float(ref["count_high"])]),
                open_width,
            )[0]
            highs.append(share[j] * high)
            points.append(share[j] * float(ref["count"]))
            ids.append(str(ref["tally_ids"]))
            terms.append(_term(ref, int(overlap[j]), int(grid["period_days"].iloc[j])))
            if pd.notna(ref["excludes"]):
                flagged["excludes"].append(f"{label} leaves out {ref['excludes']}")
            if set(str(ref["tally_ids"]).split(";")) & people_ids:
                flagged["people"].append(label)
            if bool(ref["derived"]):
                flagged["derived"].append(label)
            if bool(ref["conflict"]):
                flagged["conflict"].append(label)
        row["coverage"] = covered / n_days
        row["reference_tally_ids"] = ";".join(ids) if ids else pd.NA
        if missing:
            of_what = "" if perpetrator == "all" else f" of {what}"
            row["reason"] = (
                f"The reference body has no figure{of_what} for {_listing(missing)}: its {unit}s "
                f"cover {covered:,} of the window's {n_days:,} days ({covered / n_days:.0%})."
            )
            continue
        if method == "sum" and partial:
            row["reason"] = (
                f"The window starts or ends part-way through a {unit} ({_listing(partial)}), "
                f"so no run of whole {unit}s matches it; method 'prorate' spreads those "
                f"{unit}s over their days."
            )
            continue
        ref_low, ref_high = float(np.sum(lows)), float(np.sum(highs))
        ref_point = float(np.sum(points))
        point, low, high = _ratio_interval(
            (f_low[i], f_high[i], f_point[i]), (ref_low, ref_high, ref_point)
        )
        notes = _notes(fig, flagged, partial)
        row.update(
            reference_low=ref_low,
            reference_high=ref_high,
            reference_point=ref_point,
            reference_open=bool(np.isinf(ref_high)),
            reference_terms=" + ".join(terms),
            reference_periods=len(ids),
            prorated_periods=len(partial),
            prorated=bool(partial),
            ratio=point,
            ratio_low=low,
            ratio_high=high,
            comparable=True,
            note=(notes[0][0].upper() + "; ".join(notes)[1:] + ".") if notes else pd.NA,
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    types = {
        "reporting_body": "string", "tally_id": "string", "source_id": "string",
        "measure": "string", "victim_group": "string", "perpetrator_group": "string",
        "qualifier": "string", "value": "Int64", "window_days": "int64",
        "figure_low": "float64", "figure_high": "float64", "figure_point": "float64",
        "figure_open": "bool", "reference_body": "string", "reference_low": "float64",
        "reference_high": "float64", "reference_point": "float64", "reference_open": "bool",
        "reference_periods": "int64", "prorated_periods": "int64", "prorated": "bool",
        "reference_tally_ids": "string", "reference_terms": "string", "coverage": "float64", "ratio": "float64",
        "ratio_low": "float64", "ratio_high": "float64", "comparable": "bool",
        "reason": "string", "note": "string", "method": "string",
    }  # fmt: skip
    return out.astype(types).reset_index(drop=True)


def _term(period: pd.Series, overlap: int, days: int) -> str:
    """One reference period in the sum: ``"128 × 31/92 (minusma-029)"``."""
    low, high, point = (float(period[c]) for c in ("count_low", "count_high", "count"))
    if np.isinf(high):
        value = f"≥{low:,.0f}"
    elif low == high:
        value = f"{low:,.0f}"
    else:
        value = (
            f"[{low:,.0f}–{high:,.0f}]"
            if np.isnan(point)
            else f"{point:,.0f} [{low:,.0f}–{high:,.0f}]"
        )
    share = "" if overlap == days else f" × {overlap}/{days}"
    return f"{value}{share} ({period['tally_ids']})"


def _notes(figure: pd.Series, flagged: dict[str, list[str]], partial: list[str]) -> list[str]:
    """What a reader must know about a comparable row, one clause each."""
    notes = []
    if str(figure["victim_group"]) == "people":
        notes.append(f"the figure {PEOPLE_APART}")
    if flagged["excludes"]:
        notes.append(f"the reference figure for {_listing(flagged['excludes'])}")
    if flagged["people"]:
        one = len(flagged["people"]) == 1
        notes.append(
            f"the reference {'figure' if one else 'figures'} for {_listing(flagged['people'])} "
            f"{'counts' if one else 'count'} people, not only civilians"
        )
    if flagged["derived"]:
        one = len(flagged["derived"]) == 1
        notes.append(
            f"the reference {'figure' if one else 'figures'} for {_listing(flagged['derived'])} "
            f"{'is' if one else 'are'} derived from other published figures"
        )
    if flagged["conflict"]:
        notes.append(
            f"the reference copies for {_listing(flagged['conflict'])} disagree (their range "
            "is used)"
        )
    if partial:
        notes.append(f"prorated by days: {_listing(partial)}")
    return notes


def _listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
