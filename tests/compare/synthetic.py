"""A SYNTHETIC evidence table, typed like ``load_tallies``' output, for the comparison tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.sources.tallies import MEASURES, PERPETRATOR_GROUPS, QUALIFIERS, VICTIM_GROUPS

SYNTHETIC = "SYNTHETIC TEST ROW"

DEFAULTS = {
    "source_id": "src-x",
    "incident_id": None,
    "country": "Mali",
    "measure": "killed",
    "victim_group": "civilians",
    "perpetrator_group": "all",
    "qualifier": "exact",
    "value": None,
    "value_low": None,
    "value_high": None,
    "excludes": None,
    "claim": SYNTHETIC,
    "derivation": None,
}


def typed_tallies(rows: list[dict], **defaults: object) -> pd.DataFrame:
    """Rows (over ``DEFAULTS`` and ``defaults``) typed as ``load_tallies`` types them."""
    base = {**DEFAULTS, **defaults}
    frame = pd.DataFrame([{**base, **row} for row in rows])
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    for column, vocabulary in (
        ("measure", MEASURES),
        ("victim_group", VICTIM_GROUPS),
        ("perpetrator_group", PERPETRATOR_GROUPS),
        ("qualifier", QUALIFIERS),
    ):
        frame[column] = pd.Categorical(frame[column], categories=vocabulary)
    for column in ("value", "value_low", "value_high"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    for column in ("tally_id", "source_id", "reporting_body", "incident_id", "excludes", "claim",
                   "derivation"):  # fmt: skip
        frame[column] = frame[column].astype("string")
    frame["line"] = np.arange(2, len(frame) + 2)
    return frame
