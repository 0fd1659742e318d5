"""Numbers and rows of the comparisons in plain English, one sentence per row.

Numbers are formatted by :mod:`analysis.tables`;
:func:`describe_window_comparison` and :func:`describe_body_before_after` compose one sentence
for a row of :func:`~analysis.compare.windows.compare_windows` and of
:func:`~analysis.compare.published.bodies_before_after`. The sentences are built from the
row's values only: nothing is typed by hand, so a changed figure changes the sentence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.tables import MISSING, fmt_ci, fmt_count, fmt_date, fmt_ratio, fmt_window

__all__ = ["describe_body_before_after", "describe_window_comparison", "what_is_counted"]

_PERPETRATORS = {
    "all": "",
    "state_forces": "by state forces",
    "state_forces_with_foreign": "by state forces and foreign personnel",
    "wagner": "by the Wagner Group",
    "jnim": "by JNIM",
    "isgs": "by the Islamic State in the Sahel",
    "islamist_armed_groups": "by Islamist armed groups",
    "militias": "by militias",
    "separatists": "by separatist groups",
    "international_forces": "by international forces",
    "unknown": "by unidentified perpetrators",
}
_MEASURES = {"killed": "killed", "executed": "executed", "fatalities": "killed"}
_VICTIMS = {"civilians": "civilians", "people": "people"}


def _number(x: object) -> float:
    """A cell as a float (NaN when missing or not a number)."""
    if x is None or x is pd.NA:
        return math.nan
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _name(body: object, names: Mapping[str, str] | None) -> str:
    key = str(body)
    return (names or {}).get(key, key)


def what_is_counted(measure: object, victims: object, perpetrator: object) -> str:
    """What a figure counts, in words.

    Examples
    --------
    >>> what_is_counted("killed", "civilians", "state_forces_with_foreign")
    'civilians killed by state forces and foreign personnel'
    >>> what_is_counted("fatalities", "people", "all")
    'people killed'
    """
    if str(measure) in ("events", "percent_events"):
        noun = "events" if str(measure) == "events" else "per cent of events"
        by = _PERPETRATORS.get(str(perpetrator), f"by {str(perpetrator).replace('_', ' ')}")
        return " ".join(part for part in (noun, by) if part)
    noun = _VICTIMS.get(str(victims), str(victims).replace("_", " "))
    verb = _MEASURES.get(str(measure), str(measure).replace("_", " "))
    by = _PERPETRATORS.get(str(perpetrator), f"by {str(perpetrator).replace('_', ' ')}")
    return " ".join(part for part in (noun, verb, by) if part)


def _window_words(start: object, end: object) -> str:
    """``"in January–March 2022"`` for a calendar period, else ``"from a to b"``."""
    label = fmt_window(start, end)
    if " – " in label:
        return f"from {fmt_date(start, long=True)} to {fmt_date(end, long=True)}"
    return f"in {label}"


def _figure_words(row: Mapping[str, object]) -> str:
    """The other body's figure as published: "at least 107", "about 500", "1,556"."""
    qualifier = str(row.get("qualifier"))
    if qualifier == "between":
        return f"between {fmt_count(row.get('figure_low'))} and {fmt_count(row.get('figure_high'))}"
    number = fmt_count(row.get("value"))
    words = {"exact": "", "more_than": "more than", "up_to": "up to", "at_least": "at least"}
    prefix = words.get(qualifier, qualifier.replace("_", " "))
    return f"{prefix} {number}".strip()


def _interval_words(low: object, high: object, point: object) -> str:
    """A sum as a reader reads it: one number, "≥ a", or "a to b" (point in between)."""
    lo, hi, pt = _number(low), _number(high), _number(point)
    if math.isnan(lo) and math.isnan(hi):
        return MISSING
    if math.isinf(hi):
        return fmt_count(lo, open_high=True)
    if np.isclose(lo, hi, rtol=0, atol=1e-9):
        return fmt_count(lo)
    middle = "" if math.isnan(pt) else f", {fmt_count(pt)} as published"
    return f"{fmt_count(lo)} to {fmt_count(hi)}{middle}"


def _ratio_words(point: object, low: object, high: object) -> str:
    lo, hi, pt = _number(low), _number(high), _number(point)
    if math.isnan(lo) and math.isnan(hi) and math.isnan(pt):
        return MISSING

    def same(a: float, b: float) -> bool:
        return bool(np.isclose(a, b, rtol=1e-9, atol=0))

    if not math.isnan(lo) and not math.isnan(hi) and same(lo, hi):
        return fmt_ratio(lo)
    if not math.isnan(pt) and math.isinf(hi) and same(lo, pt):
        return f"at least {fmt_ratio(pt)}"
    if not math.isnan(pt) and lo == 0 and same(hi, pt):
        return f"at most {fmt_ratio(pt)}"
    if math.isnan(pt):
        if math.isinf(hi):
            return f"at least {fmt_ratio(lo)}"
        if lo == 0:
            return f"at most {fmt_ratio(hi)}"
        return f"between {fmt_ratio(lo)} and {fmt_ratio(hi)}"
    return f"{fmt_ratio(pt)} {fmt_ci(lo, hi, label='range the qualifiers allow')}"


def describe_window_comparison(
    row: Mapping[str, object] | pd.Series, *, names: Mapping[str, str] | None = None
) -> str:
    """One sentence for a row of :func:`~analysis.compare.windows.compare_windows`.

    Parameters
    ----------
    row
        A row (a :class:`pandas.Series` or a mapping with the same keys).
    names
        Body ids to the names a reader knows (``{"un_sg": "the UN Secretary-General"}``);
        ids without a name are shown as they are.

    Returns
    -------
    str
        For a comparable row: the other body's figure and window, the reference body's sum
        over the same window (how many periods, how many prorated) and the ratio of the
        two, with the range the published qualifiers allow when they allow more than one
        value. For a row that cannot be compared: the figure and the ``reason``.

    Examples
    --------
    >>> row = {"reporting_body": "un_sg", "reference_body": "minusma", "tally_id": "un_sg-001",
    ...        "measure": "killed", "victim_group": "civilians", "perpetrator_group": "all",
    ...        "qualifier": "exact", "value": 1556, "figure_low": 1556.0,
    ...        "window_start": "2021-07-01", "window_end": "2022-06-30", "comparable": True,
    ...        "reference_low": 1178.0, "reference_high": 1178.0, "reference_point": 1178.0,
    ...        "reference_periods": 4, "prorated_periods": 0, "ratio": 1.3209,
    ...        "ratio_low": 1.3209, "ratio_high": 1.3209, "reference_tally_ids": "m-1;m-2"}
    >>> describe_window_comparison(row, names={"un_sg": "The Secretary-General",
    ...                                        "minusma": "MINUSMA"})  # doctest: +NORMALIZE_WHITESPACE
    "The Secretary-General: 1,556 civilians killed from 1 July 2021 to 30 June 2022
    (un_sg-001); over the same window MINUSMA's figures add up to 1,178 (4 figures); the ratio
    is 1.32."
    """
    get = row.get
    body = _name(get("reporting_body"), names)
    reference = _name(get("reference_body"), names)
    window = _window_words(get("window_start"), get("window_end"))
    what = what_is_counted(get("measure"), get("victim_group"), get("perpetrator_group"))
    figure = f"{_figure_words(row)} {what} {window} ({get('tally_id')})"
    if not bool(get("comparable")):
        return f"{body}: {figure} cannot be set against {reference}'s figures. {get('reason')}"
    n_periods = int(_number(get("reference_periods")))
    n_prorated = int(_number(get("prorated_periods")) or 0)
    prorated = _number(get("prorated_periods")) > 0
    total = _interval_words(get("reference_low"), get("reference_high"), get("reference_point"))
    ratio = _ratio_words(get("ratio"), get("ratio_low"), get("ratio_high"))
    if n_periods == 1:
        how = ", prorated by days," if prorated else ""
        sum_words = f"{reference}'s figure{how} gives {total}"
    else:
        counted = f"{n_periods} figures" + (f", {n_prorated} prorated by days" if prorated else "")
        sum_words = f"{reference}'s figures add up to {total} ({counted})"
    sentence = f"{body}: {figure}; over the same window {sum_words}; the ratio is {ratio}."
    note = get("note")
    if note is not None and not pd.isna(note) and str(note):
        sentence += f" {note}"
    return sentence


def describe_body_before_after(
    row: Mapping[str, object] | pd.Series, *, names: Mapping[str, str] | None = None
) -> str:
    """One sentence for a row of :func:`~analysis.compare.published.bodies_before_after`.

    Parameters
    ----------
    row
        A row (a :class:`pandas.Series` or a mapping with the same keys).
    names
        Body ids to the names a reader knows; ids without a name are shown as they are.

    Returns
    -------
    str
        The body's rate per day before and after the date (with the range its qualifiers
        allow when that is more than one number), the windows, and the ratio: with its
        confidence interval when a model estimated one ("95% CI"), with "the range the
        qualifiers allow" when only two windows were published (not a confidence
        interval). A body without a ratio gets its ``note``.

    Examples
    --------
    >>> row = {"reporting_body": "acled", "date": "2021-12-01", "basis": "two windows",
    ...        "before_start": "2020-12-01", "before_end": "2021-11-30", "before_windows": 1,
    ...        "after_start": "2021-12-01", "after_end": "2023-01-15", "after_windows": 1,
    ...        "rate_before": 500 / 365, "rate_before_low": 450 / 365,
    ...        "rate_before_high": 550 / 365, "rate_after": 2000 / 411,
    ...        "rate_after_low": 2000 / 411, "rate_after_high": float("inf"),
    ...        "ratio": 3.5523, "ratio_low": 3.2294, "ratio_high": float("inf"),
    ...        "interval": "qualifier range", "note": None}
    >>> describe_body_before_after(row, names={"acled": "ACLED"})  # doctest: +NORMALIZE_WHITESPACE
    'ACLED: 1.37 deaths a day (1.23 to 1.51) from 1 December 2020 to 30 November 2021, before
    1 December 2021, and ≥ 4.87 deaths a day from 1 December 2021 to 15 January 2023; the ratio after
    to before is 3.55 (range the qualifiers allow 3.23–∞; two windows only, not a confidence
    interval).'
    """
    get = row.get
    body = _name(get("reporting_body"), names)
    date = fmt_date(get("date"), long=True)
    ratio = _number(get("ratio"))
    if math.isnan(ratio) and math.isnan(_number(get("ratio_low"))):
        return f"{body}: {get('note')}"

    def rate(side: str) -> str:
        low, high = _number(get(f"rate_{side}_low")), _number(get(f"rate_{side}_high"))
        point = _number(get(f"rate_{side}"))
        if math.isinf(high):
            text = f"≥ {fmt_ratio(low)} deaths a day"
        else:
            text = f"{fmt_ratio(point)} deaths a day"
            if not np.isclose(low, high, rtol=1e-9, atol=0):
                text += f" ({fmt_ratio(low)} to {fmt_ratio(high)})"
        n = int(_number(get(f"{side}_windows")))
        window = f"from {fmt_date(get(f'{side}_start'), long=True)} to {fmt_date(get(f'{side}_end'), long=True)}"
        if str(get("basis")) == "series":
            unit = "period" if n == 1 else "periods"
            window += f" ({n} {unit})"
        return f"{text} {window}"

    interval = str(get("interval"))
    if interval == "qualifier range":
        detail = fmt_ci(get("ratio_low"), get("ratio_high"), label="range the qualifiers allow")
        detail = detail[:-1] + "; two windows only, not a confidence interval)"
    else:
        label, _, extra = interval.partition(" (")
        detail = fmt_ci(get("ratio_low"), get("ratio_high"), label=label)
        if extra:
            detail = f"{detail[:-1]}, {extra.rstrip(')')})"
    sentence = (
        f"{body}: {rate('before')}, before {date}, and {rate('after')}; the ratio after to "
        f"before is {fmt_ratio(ratio)} {detail}."
    )
    note = get("note")
    if note is not None and not pd.isna(note) and str(note):
        sentence += f" {note}"
    return sentence
