"""Comparing reporting bodies: figure by figure for an incident, and period by period.

:func:`compare_incident`
    every figure published about one incident, which of them count the same thing, and how far
    apart those are (envelope, consensus interval, spread);
:func:`incidents_with_bodies`
    the incidents that at least ``min_bodies`` bodies published figures about;
:func:`align_periods`
    (from :mod:`analysis.harmonize.periods`) figures over arbitrary windows onto calendar
    periods;
:func:`compare_periods`
    each body's figure per calendar period, its log ratio to a reference body, and how well
    the bodies agree over the periods they share (:func:`agreement`).

"Counting the same thing". Two figures are compared only when both count deaths (``killed``,
``executed`` or ``fatalities``) of compatible victims. ``civilians`` figures compare with each
other. A ``people`` figure (everyone killed, as in OHCHR's "at least 500 people" in Moura)
counts civilians and anyone else killed, so as a count of civilians it leans high; by default it
is compared (``people="compare"``) and flagged in the ``victim_group`` column and the summary's
``includes_people``, since in a massacre of unarmed villagers it is the figure a body gives;
``people="apart"`` lists it apart instead. ``suspected_militants`` and ``combatants`` are never
compared with civilians (the army's "203 terrorists neutralised" and HRW's "about 300
civilians" describe the same dead in opposite terms; they are shown side by side, apart);
``violations`` are not deaths (MINUSMA counts one violation per victim of any abuse).
Within one body, a figure wholly below the body's own larger figure about the same incident
(children, women, one day of it), or an "at least" below the body's own larger lower bound
("at least 238 named" beside "at least 500"), counts a part, not the toll, and is listed apart
too (``body_parts="compare"`` keeps it).

:func:`published_before_after`
    each body's own figures for a window before and a window after a date, as rates;
:func:`bodies_before_after`
    every body's own change across a date side by side, one row per body;
:func:`compare_windows`
    each figure of another body over a period against the reference body's figures summed
    (or prorated) over the same window, as intervals, with the reason when it cannot be;
:func:`describe_window_comparison`, :func:`describe_body_before_after`
    one plain-English sentence per row of those two tables (:mod:`~analysis.compare.sentences`
    also formats counts, ratios, intervals and windows for a reader).

One module per concern: :mod:`~analysis.compare.incident`, :mod:`~analysis.compare.agreement`,
:mod:`~analysis.compare.periods`, :mod:`~analysis.compare.published`,
:mod:`~analysis.compare.windows`, :mod:`~analysis.compare.sentences`; what counts as the same
thing is in :mod:`~analysis.compare._vocabulary`.
"""

from analysis.compare.agreement import agreement
from analysis.compare.incident import IncidentComparison, compare_incident, incidents_with_bodies
from analysis.compare.periods import PeriodComparison, compare_periods
from analysis.compare.published import bodies_before_after, published_before_after
from analysis.compare.sentences import (
    describe_body_before_after,
    describe_window_comparison,
    what_is_counted,
)
from analysis.compare.windows import compare_windows
from analysis.harmonize.periods import align_periods

__all__ = [
    "IncidentComparison",
    "PeriodComparison",
    "agreement",
    "align_periods",
    "bodies_before_after",
    "compare_incident",
    "compare_periods",
    "compare_windows",
    "describe_body_before_after",
    "describe_window_comparison",
    "incidents_with_bodies",
    "published_before_after",
    "what_is_counted",
]
