"""Reporting windows onto calendar periods.

Published figures come over whatever window their document chose: a quarter (MINUSMA's trend
notes), a half-year, 1 July to 30 June (the Secretary-General's reports), a few days (an
incident), "since December 2021" up to the publication date. Comparing them, or fitting a
before/after model, needs them on one calendar grid. Two functions do that here:

:func:`align_periods`
    every figure spread over the calendar periods its window touches, either prorated (by days
    or by an event series) or as the bounds the figure implies for each period;
:func:`tally_series`
    the regular series of one body's figures whose window *is* a calendar period (no
    prorating at all), the input of the before/after functions.

The windows are inclusive: ``period_start`` and ``period_end`` are both days of the window, so a
window's length in days is ``period_end - period_start + 1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.errors import DataError

__all__ = [
    "DEATH_MEASURES",
    "Freq",
    "calendar_periods",
    "align_periods",
    "incident_dates",
    "tally_series",
    "series_tallies",
]

Freq = Literal["MS", "QS", "YS"]
AlignMethod = Literal["prorate", "bounds"]
Conflict = Literal["error", "range"]

#: measures that count deaths (the evidence table's vocabulary)
DEATH_MEASURES: tuple[str, ...] = ("killed", "executed", "fatalities")

_PERIOD_ALIAS = {"MS": "M", "QS": "Q", "YS": "Y"}
_WINDOW_COLUMNS = ("tally_id", "period_start", "period_end")
#: The evidence-table columns that state a figure: what it counts, of whom, by whom, and the
#: number with its qualifier.
FIGURE_CONTENT_COLUMNS = (
    "measure",
    "victim_group",
    "perpetrator_group",
    "qualifier",
    "value",
    "value_low",
    "value_high",
)
_KEEP = (
    "tally_id",
    "reporting_body",
    "source_id",
    "incident_id",
    "measure",
    "victim_group",
    "perpetrator_group",
    "qualifier",
)


def require_tally_columns(tallies: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(tallies, pd.DataFrame):
        raise TypeError(f"{what} needs a pandas DataFrame of tallies, got {type(tallies).__name__}")
    for column in columns:
        if column not in tallies.columns:
            raise DataError(
                f"{what} needs the column {column!r} (see load_tallies)",
                column=column,
                rule="required",
            )


def _line(tallies: pd.DataFrame, position: int) -> int | None:
    if "line" not in tallies.columns:
        return None
    value = tallies["line"].iloc[position]
    return None if pd.isna(value) else int(value)


def _days(values: pd.Series) -> np.ndarray:
    """Dates as integer day numbers (days since 1970-01-01), whatever the datetime unit."""
    dates = pd.to_datetime(values)
    return dates.to_numpy().astype("datetime64[D]").astype(np.int64)


def window_days(tallies: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Start and end day numbers of each window, refusing missing or reversed windows."""
    require_tally_columns(tallies, _WINDOW_COLUMNS, what)
    for column in ("period_start", "period_end"):
        missing = np.flatnonzero(tallies[column].isna().to_numpy())
        if missing.size:
            i = int(missing[0])
            raise DataError(
                f"figure {tallies['tally_id'].iloc[i]!r} has no {column}; a window needs both "
                "ends (for 'since ...' figures the end is the publication date)",
                line=_line(tallies, i),
                column=column,
                rule="required",
            )
    start, end = _days(tallies["period_start"]), _days(tallies["period_end"])
    reversed_ = np.flatnonzero(end < start)
    if reversed_.size:
        i = int(reversed_[0])
        raise DataError(
            f"figure {tallies['tally_id'].iloc[i]!r} ends before it starts",
            line=_line(tallies, i),
            column="period_end",
            rule="period_order",
        )
    return start, end


def figure_bounds(tallies: pd.DataFrame, about_width: float) -> pd.DataFrame:
    from analysis.sources.tallies import tally_bounds

    return tally_bounds(tallies, about_width=about_width)


def calendar_periods(start: object, end: object, *, freq: Freq = "QS") -> pd.DataFrame:
    """The calendar periods from the one holding ``start`` to the one holding ``end``.

    Parameters
    ----------
    start, end
        Dates (anything :func:`pandas.Timestamp` reads).
    freq
        ``"MS"`` (months), ``"QS"`` (calendar quarters) or ``"YS"`` (calendar years).

    Returns
    -------
    pandas.DataFrame
        ``period_start``, ``period_end`` (inclusive last day) and ``period_days``.

    Examples
    --------
    >>> calendar_periods("2021-11-15", "2022-02-01", freq="QS")["period_days"].tolist()
    [92, 90]
    """
    check_option("freq", freq, Freq)
    periods = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq=_PERIOD_ALIAS[freq])
    first = pd.DatetimeIndex(periods.start_time).normalize()
    last = pd.DatetimeIndex(periods.end_time).normalize()
    return pd.DataFrame(
        {
            "period_start": first,
            "period_end": last,
            "period_days": (last - first).days.to_numpy() + 1,
        }
    )


def _daily_weights(weights: pd.DataFrame) -> tuple[int, np.ndarray, np.ndarray]:
    """An event series as a daily intensity: (first day, intensity, covered) arrays."""
    require_tally_columns(weights, ("period_start", "count"), "align_periods(weights=...)")
    w = weights.loc[weights["period_start"].notna()]
    start = _days(w["period_start"])
    end = _days(w["period_end"]) if "period_end" in w.columns else start
    count = pd.to_numeric(w["count"], errors="coerce").astype("float64").to_numpy()
    if np.any(end < start):
        raise DataError("a weight row ends before it starts", column="period_end", rule="order")
    if np.any(np.isnan(count)) or np.any(count < 0):
        raise DataError(
            "weights need a non-negative count in every row", column="count", rule="non_negative"
        )
    origin = int(start.min()) if start.size else 0
    size = int(end.max()) - origin + 1 if start.size else 0
    intensity = np.zeros(size)
    covered = np.zeros(size, dtype=bool)
    for s, e, c in zip(start, end, count, strict=True):
        n = e - s + 1
        intensity[s - origin : e - origin + 1] += c / n
        covered[s - origin : e - origin + 1] = True
    return origin, intensity, covered


def align_periods(
    tallies: pd.DataFrame,
    *,
    freq: Freq = "QS",
    method: AlignMethod = "prorate",
    weights: pd.DataFrame | None = None,
    about_width: float = 0.1,
) -> pd.DataFrame:
    """Put figures published over arbitrary windows onto calendar periods.

    Parameters
    ----------
    tallies
        Rows of the evidence table (:func:`analysis.load_tallies`); needs ``tally_id``,
        ``period_start``, ``period_end``, ``qualifier``, ``value``, ``value_low``,
        ``value_high``. Filter it first to the figures you want (one measure, one victim
        group...): every row is aligned.
    freq
        Calendar periods: ``"MS"`` months, ``"QS"`` quarters, ``"YS"`` years.
    method
        ``"prorate"``: the figure shared out over its window's periods in proportion to days
        (or to ``weights``). ``"bounds"``: what the figure implies for each period at least and
        at most, with no assumption about how the deaths fell inside the window.
    weights
        Optional event series to prorate by instead of days (``method="prorate"`` only), with
        ``period_start``, optional ``period_end`` (inclusive; a single day when absent) and a
        non-negative ``count``, such as the output of ``aggregate_events`` or of
        :func:`tally_series`. Each row's count is spread evenly over its days.
    about_width
        Passed to :func:`analysis.sources.tallies.tally_bounds` ("about" = +/- 10 % by default).

    Returns
    -------
    pandas.DataFrame
        One row per (figure, calendar period its window touches), sorted by ``tally_id`` and
        ``period_start``:

        - ``tally_id``, ``reporting_body``, ``source_id``, ``incident_id``, ``measure``,
          ``victim_group``, ``perpetrator_group``, ``qualifier`` (copied when present);
        - ``window_start``, ``window_end``, ``window_days``: the figure's own window;
        - ``period_start``, ``period_end``, ``period_days``: the calendar period;
        - ``overlap_days``: days of the window inside the period;
        - ``coverage``: ``overlap_days / period_days``, the share of the period the window
          covers (1 = the whole period is inside the window);
        - ``partial``: ``coverage < 1``, the period is only partly covered by the window;
        - ``window_within_period``: the whole window lies inside the period;
        - ``share``: the share of the figure attributed to the period (prorate; by days or by
          events), NaN for bounds;
        - ``weighting``: ``"days"``, ``"events"``, or ``"days (...)"`` with the reason events
          could not be used for that figure; ``"none"`` for bounds;
        - ``count``, ``count_low``, ``count_high``: the prorated point, low and high of the
          figure's interval (prorate); for bounds, ``count_low``/``count_high`` are the least
          and most the figure implies for the period and ``count`` is the published point only
          when the whole window lies in the period (NaN otherwise);
        - ``method``.

    Notes
    -----
    **Prorating by days.** A figure with interval :math:`[l, h]` and point :math:`v` over a
    window :math:`W` of :math:`|W|` days gives the period :math:`P` the share
    :math:`s_P = |W \\cap P| / |W|` of each: :math:`v s_P, l s_P, h s_P`
    (:math:`\\infty` stays :math:`\\infty`). The shares add up to 1 over the periods, so the
    prorated counts of one figure add up to the figure whatever the calendar: splitting a period
    in two leaves the totals unchanged. The assumption is a constant rate inside the window.

    **Prorating by events.** With a daily event intensity :math:`e(t)` (each weight row spread
    evenly over its days), :math:`s_P = \\sum_{t \\in W \\cap P} e(t) / \\sum_{t \\in W} e(t)`.
    When the event series does not cover every day of the window, or has no events in it, the
    figure falls back to days and ``weighting`` says why.

    **Bounds.** A figure over :math:`W` with interval :math:`[l, h]` says nothing about how its
    deaths fell inside :math:`W`. For a period :math:`P` that holds the whole window the count
    is in :math:`[l, h]`; for a period that holds only part of it, the count is in
    :math:`[0, h]` (all of the deaths may have fallen in it, or none). A "since December 2021"
    figure has its window end at the publication date (the evidence table records it so).

    References
    ----------
    The day-proportional allocation is the usual areal-interpolation rule in time (Goodchild &
    Lam 1980, "Areal interpolation: a variant of the traditional spatial problem",
    *Geo-Processing* 1: 297-312), applied to intervals of days.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"tally_id": ["x-001"], "period_start": [pd.Timestamp("2021-07-01")],
    ...                   "period_end": [pd.Timestamp("2022-06-30")], "qualifier": ["exact"],
    ...                   "value": [365], "value_low": [None], "value_high": [None]})
    >>> align_periods(t, freq="QS")["count"].round(1).tolist()
    [92.0, 92.0, 90.0, 91.0]
    """
    check_option("freq", freq, Freq)
    check_option("method", method, AlignMethod)
    if weights is not None and method != "prorate":
        raise ValueError("weights are only used with method='prorate'")
    start, end = window_days(tallies, "align_periods")
    bounds = figure_bounds(tallies, about_width)
    if weights is not None:
        origin, intensity, covered = _daily_weights(weights)
        cumulative = np.concatenate([[0.0], np.cumsum(intensity)])
    rows: list[dict[str, object]] = []
    keep = [c for c in _KEEP if c in tallies.columns]
    for i in range(len(tallies)):
        s, e = int(start[i]), int(end[i])
        n_window = e - s + 1
        grid = calendar_periods(_as_date(s), _as_date(e), freq=freq)
        p_start = _days(grid["period_start"])
        p_end = _days(grid["period_end"])
        overlap = np.minimum(p_end, e) - np.maximum(p_start, s) + 1
        low, high, point = (float(bounds[c].iloc[i]) for c in ("low", "high", "point"))
        weighting = "none"
        if method == "prorate":
            share = overlap / n_window
            weighting = "days"
            if weights is not None:
                lo, hi = s - origin, e - origin
                if lo < 0 or hi >= len(intensity) or not covered[lo : hi + 1].all():
                    weighting = "days (the event series does not cover the whole window)"
                else:
                    total = cumulative[hi + 1] - cumulative[lo]
                    if total <= 0:
                        weighting = "days (no events in the window)"
                    else:
                        a = np.maximum(p_start, s) - origin
                        b = np.minimum(p_end, e) - origin
                        share = (cumulative[b + 1] - cumulative[a]) / total
                        weighting = "events"
            count = point * share
            count_low = low * share
            count_high = np.where(share > 0, high * np.where(share > 0, share, 1.0), 0.0)
        else:
            share = np.full(len(grid), np.nan)
            within = (p_start <= s) & (p_end >= e)
            count = np.where(within, point, np.nan)
            count_low = np.where(within, low, 0.0 if not np.isnan(low) else np.nan)
            count_high = np.full(len(grid), high)
        base = {c: tallies[c].iloc[i] for c in keep}
        for j in range(len(grid)):
            rows.append(
                {
                    **base,
                    "window_start": _as_date(s),
                    "window_end": _as_date(e),
                    "window_days": n_window,
                    "period_start": grid["period_start"].iloc[j],
                    "period_end": grid["period_end"].iloc[j],
                    "period_days": int(grid["period_days"].iloc[j]),
                    "overlap_days": int(overlap[j]),
                    "coverage": overlap[j] / grid["period_days"].iloc[j],
                    "partial": bool(overlap[j] < grid["period_days"].iloc[j]),
                    "window_within_period": bool(p_start[j] <= s and p_end[j] >= e),
                    "share": float(share[j]),
                    "weighting": weighting,
                    "count": float(count[j]),
                    "count_low": float(count_low[j]),
                    "count_high": float(count_high[j]),
                    "method": method,
                }
            )
    columns = [
        *keep,
        "window_start",
        "window_end",
        "window_days",
        "period_start",
        "period_end",
        "period_days",
        "overlap_days",
        "coverage",
        "partial",
        "window_within_period",
        "share",
        "weighting",
        "count",
        "count_low",
        "count_high",
        "method",
    ]
    out = pd.DataFrame(rows, columns=columns)
    for column in ("window_start", "window_end", "period_start", "period_end"):
        out[column] = pd.to_datetime(out[column])
    if out.empty:
        return out
    out = out.sort_values(["tally_id", "period_start"], kind="stable").reset_index(drop=True)
    return out


def _as_date(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def _mentions(text: object, incident_id: str) -> bool:
    if text is None or pd.isna(text):
        return False
    return re.search(rf"(?<![\w-]){re.escape(incident_id)}(?![\w-])", str(text)) is not None


def _as_str(series: pd.Series) -> pd.Series:
    return series.astype("string")


def period_intervals(rows: pd.DataFrame, about_width: float) -> pd.DataFrame:
    """One row per figure: ``tally_id``, the day its period starts, and the interval
    (``low``, ``high``, ``point``) its qualifier allows."""
    bounds = figure_bounds(rows, about_width)
    return pd.DataFrame(
        {
            "tally_id": rows["tally_id"].astype(str).to_numpy(),
            "period_start": pd.to_datetime(rows["period_start"]).dt.normalize().to_numpy(),
            "low": bounds["low"].to_numpy(),
            "high": bounds["high"].to_numpy(),
            "point": bounds["point"].to_numpy(),
        }
    )


def exact_period_rows(tallies: pd.DataFrame, freq: Freq) -> np.ndarray:
    """Which rows have a window that is exactly one calendar period."""
    start = pd.to_datetime(tallies["period_start"])
    end = pd.to_datetime(tallies["period_end"])
    ok = start.notna() & end.notna()
    result = np.zeros(len(tallies), dtype=bool)
    if not ok.any():
        return result
    periods = start[ok].dt.to_period(_PERIOD_ALIAS[freq])
    first = pd.DatetimeIndex(periods.dt.start_time).normalize()
    last = pd.DatetimeIndex(periods.dt.end_time).normalize()
    same = (start[ok].dt.normalize().to_numpy() == first.to_numpy()) & (
        end[ok].dt.normalize().to_numpy() == last.to_numpy()
    )
    result[np.flatnonzero(ok.to_numpy())] = same
    return result


def merge_copies(
    group: pd.DataFrame, conflict: Conflict, period: pd.Timestamp, what: str
) -> dict[str, object]:
    """One period's figures (copies of the same figure) merged, disagreements shown.

    Equal figures merge. Figures whose intervals are nested in one of them (106 against "at
    least 100") merge to that tightest figure, which every other copy allows, with a note.
    Anything else is a disagreement: raised, or kept as the range of the copies.
    """
    ids = group["tally_id"].astype(str).tolist()
    values = group[["low", "high", "point"]].to_numpy(dtype=float)
    excludes = sorted({str(x) for x in group.get("excludes", pd.Series()).dropna()})
    derived = bool(group["derived"].any()) if "derived" in group.columns else False
    row: dict[str, object] = {
        "tally_ids": ";".join(ids),
        "n_figures": len(group),
        "derived": derived,
        "excludes": "; ".join(excludes) if excludes else pd.NA,
        "conflict": False,
        "note": pd.NA,
    }

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.all(np.isclose(a, b, rtol=0.0, atol=1e-9, equal_nan=True)))

    if all(same(v, values[0]) for v in values):
        row.update(count=values[0, 2], count_low=values[0, 0], count_high=values[0, 1])
        return row
    low, high = values[:, 0], values[:, 1]
    tight = [
        i
        for i in range(len(values))
        if not np.isnan(low[i]) and np.all(low[i] >= low - 1e-9) and np.all(high[i] <= high + 1e-9)
    ]
    if tight and all(same(values[i], values[tight[0]]) for i in tight):
        t = tight[0]
        row.update(count=values[t, 2], count_low=low[t], count_high=high[t])
        others = [ids[i] for i in range(len(ids)) if not same(values[i], values[t])]
        row["note"] = f"{';'.join(ids[i] for i in tight)} lies within the looser {';'.join(others)}"
        return row
    listing = ", ".join(
        f"{t}: {p:g} [{lo:g}, {hi:g}]" for t, (lo, hi, p) in zip(ids, values, strict=True)
    )
    if conflict == "error":
        raise DataError(
            f"{what}: the figures for the period starting {period:%Y-%m-%d} disagree "
            f"({listing}); pass conflict='range' to keep the disagreement as a range",
            rule="copies_disagree",
        )
    row.update(
        count=np.nan,
        count_low=float(np.nanmin(low)),
        count_high=float(np.nanmax(high)),
        conflict=True,
        note=f"copies disagree: {listing}",
    )
    return row


def incident_dates(figures: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates of an incident: the days that at least half of its figures' windows cover.

    Bodies date an incident differently (Moura: 27-31 March in most reports, the month of
    March in one, 27 March to 1 April in another, the first day alone in a part count), so
    neither the union nor the intersection of their windows is its date. The days covered by
    at least half of the figures are, and their first and last day are returned.

    Parameters
    ----------
    figures
        The incident's rows of the evidence table (``period_start``, ``period_end``).

    Returns
    -------
    tuple of pandas.Timestamp
        First and last day (inclusive).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"tally_id": ["a", "b", "c"],
    ...     "period_start": pd.to_datetime(["2022-03-27", "2022-03-01", "2022-03-27"]),
    ...     "period_end": pd.to_datetime(["2022-03-31", "2022-03-31", "2022-04-01"])})
    >>> [d.strftime("%d %b") for d in incident_dates(f)]
    ['27 Mar', '31 Mar']
    """
    start, end = window_days(figures, "incident_dates")
    first = int(start.min())
    cover = np.zeros(int(end.max()) - first + 1, dtype=int)
    for s, e in zip(start, end, strict=True):
        cover[s - first : e - first + 1] += 1
    days = np.flatnonzero(cover * 2 >= len(start))
    return _as_date(first + int(days.min())), _as_date(first + int(days.max()))


def tally_series(
    tallies: pd.DataFrame,
    *,
    reporting_body: str,
    measure: str | Sequence[str] = "killed",
    victim_group: str | Sequence[str] = "civilians",
    perpetrator_group: str = "all",
    freq: Freq = "QS",
    exclude_incidents: Sequence[str] = (),
    conflict: Conflict = "error",
    about_width: float = 0.1,
) -> pd.DataFrame:
    """The regular calendar series of one body's figures whose window is one calendar period.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`).
    reporting_body
        The body whose figures make the series (``"minusma"``...).
    measure, victim_group, perpetrator_group
        What the figures must count (exact matches; ``measure`` and ``victim_group`` may be
        lists, e.g. ``victim_group=("civilians", "people")`` for a body whose copies say
        "people" in some quarters; figures of different kinds for the same period are then
        merged like copies, so a disagreement between them shows).
    freq
        ``"MS"``, ``"QS"`` or ``"YS"``. Only figures whose window is exactly one such period
        enter the series (a quarterly note, or a quarter derived from a half-year and a
        quarter); nothing is prorated.
    exclude_incidents
        Incident ids to leave out (e.g. ``("moura-2022-03",)``). A period that overlaps the
        incident's dates (:func:`incident_dates`: the days at least half of the incident's
        figures cover) keeps its figure only when the figure already leaves the incident out
        (its ``excludes`` text names the incident id); otherwise the period's count becomes NA
        with a ``note``, because removing an incident from a total that includes it would need
        another body's number for the incident.
    conflict
        What to do when two figures give the same period different values (two copies of a
        note, a derived quarter against a published one): ``"error"`` raises a
        :class:`analysis.errors.DataError` naming the figures and values; ``"range"`` keeps the
        disagreement: ``count_low`` = the lowest low, ``count_high`` = the highest high,
        ``count`` NA (no copy is picked) and ``conflict`` True, with the values in ``note``.
        Two cases are not disagreements: equal figures merge (all their ids kept), and when
        one figure's interval lies inside every other's (106 against "at least 100"), the
        figures are consistent and the tightest one gives the counts, with a ``note`` naming
        both; that is the conjunction of what the copies say, not a choice between them.
    about_width
        Passed to :func:`analysis.sources.tallies.tally_bounds`.

    Returns
    -------
    pandas.DataFrame
        One row per calendar period from the first to the last covered, in order:
        ``period_start``, ``period_end``, ``count`` (the published point), ``count_low``,
        ``count_high`` (the qualifier interval; ``inf`` when open above), ``exposure_days``
        (days in the period), ``tally_ids`` (";"-joined), ``n_figures``, ``derived`` (a figure
        of the period was derived arithmetic), ``conflict`` (copies disagree), ``excludes``
        (what the figures say they leave out), ``note``. Periods without a figure are present
        with NA counts and ``n_figures`` 0: a missing figure is never a zero.

    Notes
    -----
    The series is what the before/after functions take (``count`` with ``exposure_days`` as
    the exposure). Figures whose window is not one calendar period (a half-year, an incident,
    "since December 2021") are left out here; :func:`align_periods` shows what they imply.

    Examples
    --------
    >>> from analysis import load_tallies  # doctest: +SKIP
    >>> tally_series(load_tallies(), reporting_body="minusma")  # doctest: +SKIP
    """
    check_option("freq", freq, Freq)
    check_option("conflict", conflict, Conflict)
    if isinstance(exclude_incidents, str):
        exclude_incidents = (exclude_incidents,)
    measures = (measure,) if isinstance(measure, str) else tuple(measure)
    victims = (victim_group,) if isinstance(victim_group, str) else tuple(victim_group)
    needed = (*_WINDOW_COLUMNS, "reporting_body", *FIGURE_CONTENT_COLUMNS)
    require_tally_columns(tallies, needed, "tally_series")
    what = f"tally_series({reporting_body!r}, {'/'.join(measures)}, {'/'.join(victims)})"
    incident_windows: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = {}
    for incident in exclude_incidents:
        if "incident_id" not in tallies.columns:
            raise DataError("exclude_incidents needs the column 'incident_id'", rule="required")
        rows = tallies.loc[_as_str(tallies["incident_id"]) == incident]
        if rows.empty:
            raise ValueError(f"exclude_incidents: no figure has incident_id {incident!r}")
        incident_windows[incident] = incident_dates(rows)

    chosen = (
        (_as_str(tallies["reporting_body"]) == reporting_body)
        & _as_str(tallies["measure"]).isin(measures)
        & _as_str(tallies["victim_group"]).isin(victims)
        & (_as_str(tallies["perpetrator_group"]) == perpetrator_group)
    ).fillna(False)
    rows = tallies.loc[chosen.to_numpy()]
    rows = rows.loc[exact_period_rows(rows, freq)]
    if rows.empty:
        raise ValueError(
            f"{what}: no figure whose window is exactly one calendar period at freq={freq!r}"
        )
    window_days(rows, "tally_series")
    work = (
        period_intervals(rows, about_width)
        .assign(
            derived=(
                rows["derivation"].notna().to_numpy()
                if "derivation" in rows.columns
                else np.zeros(len(rows), dtype=bool)
            ),
            excludes=(
                _as_str(rows["excludes"]).to_numpy(dtype=object)
                if "excludes" in rows.columns
                else np.full(len(rows), None, dtype=object)
            ),
        )
        .sort_values(["period_start", "tally_id"], kind="stable")
    )
    merged = {
        period: merge_copies(group, conflict, period, what)
        for period, group in work.groupby("period_start", sort=True)
    }
    grid = calendar_periods(work["period_start"].min(), work["period_start"].max(), freq=freq)
    out_rows = []
    for _, period in grid.iterrows():
        row: dict[str, object] = {
            "period_start": period["period_start"],
            "period_end": period["period_end"],
            "count": np.nan,
            "count_low": np.nan,
            "count_high": np.nan,
            "exposure_days": int(period["period_days"]),
            "tally_ids": pd.NA,
            "n_figures": 0,
            "derived": False,
            "conflict": False,
            "excludes": pd.NA,
            "note": pd.NA,
        }
        found = merged.get(period["period_start"])
        if found is not None:
            row.update(found)
        notes = [] if pd.isna(row["note"]) else [str(row["note"])]
        for incident, (i_start, i_end) in incident_windows.items():
            overlaps = i_start <= period["period_end"] and i_end >= period["period_start"]
            if found is None or not overlaps:
                continue
            if _mentions(row["excludes"], incident):
                notes.append(f"the figure already leaves {incident} out")
            else:
                row.update(count=np.nan, count_low=np.nan, count_high=np.nan)
                notes.append(f"left out: the figure may include {incident}")
        if notes:
            row["note"] = "; ".join(notes)
        out_rows.append(row)
    out = pd.DataFrame(out_rows)
    for column in ("count", "count_low", "count_high"):
        out[column] = out[column].astype("float64")
    out["n_figures"] = out["n_figures"].astype("int64")
    out["exposure_days"] = out["exposure_days"].astype("int64")
    for column in ("tally_ids", "excludes", "note"):
        out[column] = out[column].astype("string")
    return out[
        [
            "period_start",
            "period_end",
            "count",
            "count_low",
            "count_high",
            "exposure_days",
            "tally_ids",
            "n_figures",
            "derived",
            "conflict",
            "excludes",
            "note",
        ]
    ]


def series_tallies(tallies: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """The evidence-table rows behind a :func:`tally_series`, one per period with a point.

    Where a period merged several equal copies, the first listed id is taken (they carry the
    same figure); periods without a point count (no figure, or copies that disagree) are left
    out. The rows keep every column of ``tallies``, so their qualifiers can be carried into
    :func:`analysis.trends.simulate_bounds`.
    """
    require_tally_columns(series, ("tally_ids", "count"), "series_tallies")
    first_ids = series.loc[series["count"].notna() & series["tally_ids"].notna(), "tally_ids"]
    ids = [str(joined).split(";")[0] for joined in first_ids]
    rows = tallies[tallies["tally_id"].isin(ids)]
    return rows.sort_values("period_start").reset_index(drop=True)
