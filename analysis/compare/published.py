"""Each body's own figures for windows before and after a date: :func:`published_before_after`."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["published_before_after"]


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
        before's low; ``inf`` when the after figure is open-ended), ``tally_ids``.

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
    keys = [*_PAIR_KEYS, "country", "admin1", "admin2"]
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
                        "before_figure": _in_words(b),
                        "after_start": a["period_start"],
                        "after_end": a["period_end"],
                        "after_figure": _in_words(a),
                        "before_per_day": rate_b,
                        "after_per_day": rate_a,
                        "ratio": rate_a / rate_b if rate_b > 0 else np.nan,
                        "ratio_low": low,
                        "ratio_high": high,
                        "tally_ids": f"{b['tally_id']};{a['tally_id']}",
                    }
                )
    columns = [
        *_PAIR_KEYS, "before_start", "before_end", "before_figure", "after_start", "after_end",
        "after_figure", "before_per_day", "after_per_day", "ratio", "ratio_low", "ratio_high",
        "tally_ids",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _in_words(row: pd.Series) -> str:
    if row["qualifier"] == "between":
        return f"between {row['value_low']} and {row['value_high']}"
    words = str(row["qualifier"]).replace("_", " ")
    return str(row["value"]) if words == "exact" else f"{words} {row['value']}"
