"""What counts as "the same thing" across bodies: option sets and the reasons a figure is set apart."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from analysis.harmonize.periods import FIGURE_CONTENT_COLUMNS

People = Literal["compare", "apart"]
BodyParts = Literal["apart", "compare"]
Fill = Literal["exact", "prorate"]
Scale = Literal["log", "raw"]
#: whose deaths :func:`analysis.compare.compare_incident` compares
VictimGroup = Literal["civilians", "combatants", "suspected_militants", "auto"]
#: the victim groups of fighters, in the order that breaks a tie when ``victim_group="auto"``
FIGHTER_GROUPS = ("combatants", "suspected_militants")
#: how a report names the dead of each compared victim group
VICTIM_GROUP_WORDS = {
    "civilians": "civilians",
    "combatants": "fighters",
    "suspected_militants": "suspected militants",
}

NOT_DEATHS = {
    "violations": "counts violations and abuses (one per victim of any abuse: killings, "
    "injuries, abductions...), not deaths",
    "injured": "counts people injured, not deaths",
    "abducted": "counts people abducted, not deaths",
    "arrested": "counts people arrested, not deaths",
    "sexual_violence": "counts victims of sexual violence, not deaths",
    "events": "counts events, not deaths",
    "percent_events": "is a share of events, not a count of deaths",
}
NOT_CIVILIANS = {
    "suspected_militants": "counts suspected militants ('terrorists'), not civilians",
    "combatants": "counts combatants, not civilians",
    "not_applicable": "does not count people",
}
#: why a figure the body relays without endorsing it is not set against others' counts
ALLEGED = "relays an allegation the body does not give as its own count"
PEOPLE_APART = "counts people of any status (may include fighters), not civilians only"

FIGURE_COLUMNS = [
    "tally_id",
    "reporting_body",
    "source_id",
    "grade",
    "measure",
    "victim_group",
    "perpetrator_group",
    "qualifier",
    "value",
    "low",
    "high",
    "point",
    "open_high",
    "period_start",
    "period_end",
    "comparable",
    "reason",
    "claim",
    "line",
    "unverified",
]


def as_string(series: pd.Series) -> pd.Series:
    """A column as pandas' string dtype."""
    return series.astype("string")


def in_words(row: pd.Series) -> str:
    """A figure as its qualifier and number read: ``"at least 107"``, ``"between 200 and 400"``."""
    if row["qualifier"] == "between":
        return f"between {row['value_low']} and {row['value_high']}"
    words = str(row["qualifier"]).replace("_", " ")
    return str(row["value"]) if words == "exact" else f"{words} {row['value']}"


#: The evidence-table columns the period comparisons read (``compare_windows``,
#: ``bodies_before_after``).
TALLY_COLUMNS = (
    "tally_id", "source_id", "reporting_body", "incident_id", "period_start", "period_end",
    *FIGURE_CONTENT_COLUMNS,
)  # fmt: skip
