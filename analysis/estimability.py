"""Whether a before/after comparison can be estimated from a series, and if not, why.

An export covers the period its user downloaded: ACLED files that end in 2020 have no month
after Wagner's arrival, a filtered export may hold a few months only. The report notebooks ask
these functions before fitting; a section that cannot be estimated says why in one sentence,
with the numbers, and the rest of the report renders.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["PERIOD_WORDS", "before_after_gap", "shares_gap"]

#: period length -> the plural noun used in sentences
PERIOD_WORDS: dict[str, str] = {"MS": "months", "QS": "quarters", "YS": "years"}


def before_after_gap(
    series: pd.DataFrame,
    *,
    date: object,
    count: str,
    time: str = "period_start",
    freq: str = "MS",
    min_before: int = 3,
    min_after: int = 3,
    what: str = "the series",
) -> str | None:
    """Why a before/after model cannot be fitted to ``series``, or ``None`` when it can.

    Parameters
    ----------
    series
        One row per period (e.g. from :func:`analysis.aggregate_events`); rows whose ``count``
        is missing are not observed periods.
    date
        The interruption: periods starting on or after it are "after".
    count, time
        The count and period-start columns.
    freq
        The period length (``"MS"``, ``"QS"``, ``"YS"``), used to word the sentence.
    min_before, min_after
        Observed periods needed on each side. The defaults (3 and 3) leave an interrupted time
        series with a trend and a step (3 terms, plus the dispersion) at least one residual
        degree of freedom, and give the trend before the date more than two points.
    what
        What the counts are, for the sentence (``"civilian fatalities"``).

    Returns
    -------
    str or None
        One sentence naming the numbers: observed periods on each side and the span of the
        series, or that the counts on one side are all zero; ``None`` when the comparison can
        be estimated.

    Examples
    --------
    >>> s = pd.DataFrame({"period_start": pd.date_range("2019-01-01", periods=4, freq="MS"),
    ...                   "fatalities": [1, 2, 3, 4]})
    >>> before_after_gap(s, date="2021-12-01", count="fatalities")
    'Not estimated: the series has 4 months before 2021-12-01 and none from it on (January 2019 to April 2019); a before/after estimate needs at least 3 on each side.'
    """
    if min_before < 1 or min_after < 1:
        raise ValueError("min_before and min_after must be at least 1")
    when = pd.Timestamp(date)
    unit = PERIOD_WORDS.get(freq, "periods")
    observed = series.loc[pd.to_numeric(series[count], errors="coerce").notna()]
    times = pd.to_datetime(observed[time])
    if observed.empty:
        return f"Not estimated: {what} has no observed {unit}."
    after = (times >= when).to_numpy()
    n_before, n_after = int((~after).sum()), int(after.sum())
    span = f"{times.min():%B %Y} to {times.max():%B %Y}"
    if n_before < min_before or n_after < min_after:
        shown_after = f"{n_after}" if n_after else "none"
        shown_before = (
            f"{n_before} {unit if n_before != 1 else unit[:-1]}" if n_before else (f"no {unit}")
        )
        return (
            f"Not estimated: {what} has {shown_before} before {when:%Y-%m-%d} and "
            f"{shown_after} from it on ({span}); a before/after estimate needs at least "
            f"{min_before if n_before < min_before else min_after} on each side."
        )
    values = pd.to_numeric(observed[count], errors="coerce").to_numpy()
    total_before, total_after = float(values[~after].sum()), float(values[after].sum())
    for total, side, n in ((total_before, "before", n_before), (total_after, "from", n_after)):
        if total == 0:
            where = f"before {when:%Y-%m-%d}" if side == "before" else f"from {when:%Y-%m-%d} on"
            return (
                f"Not estimated: {what} is 0 in all {n} {unit} {where} ({span}), so a rate "
                "ratio has no finite estimate."
            )
    return None


def shares_gap(
    before: pd.Series,
    after: pd.Series,
    *,
    date: object,
    what: str = "civilian fatalities",
) -> str | None:
    """Why group shares before and after ``date`` cannot be compared, or ``None``.

    Parameters
    ----------
    before, after
        Totals by group on each side (from :func:`analysis.harmonize.selection.split_counts`).
    date
        The date splitting them.
    what
        What the totals count, for the sentence.

    Returns
    -------
    str or None
        One sentence with both totals when either side sums to zero; ``None`` otherwise.

    Examples
    --------
    >>> shares_gap(pd.Series({"jnim": 5}), pd.Series(dtype=float), date="2021-12-01")
    'Not compared: there are 5 civilian fatalities before 2021-12-01 and 0 from it on.'
    """
    when = pd.Timestamp(date)
    total_before = int(before.sum()) if len(before) else 0
    total_after = int(after.sum()) if len(after) else 0
    if total_before > 0 and total_after > 0:
        return None
    return (
        f"Not compared: there are {total_before:,} {what} before {when:%Y-%m-%d} and "
        f"{total_after:,} from it on."
    )
