"""Builders of a small SYNTHETIC evidence table for tests (not real figures)."""

from __future__ import annotations

import csv
from pathlib import Path

SYNTHETIC = "SYNTHETIC TEST ROW"

BODIES = [
    {
        "reporting_body": "body_a",
        "name": "Synthetic body A",
        "body_type": "un",
        "victim_definition": "civilians killed (synthetic)",
        "counting_unit": "victims",
        "notes": SYNTHETIC,
    },
    {
        "reporting_body": "body_b",
        "name": "Synthetic body B",
        "body_type": "ngo",
        "victim_definition": "civilians killed (synthetic)",
        "counting_unit": "victims",
        "notes": SYNTHETIC,
    },
]

SOURCES = [
    {
        "source_id": "src-a-2022",
        "reporting_body": "body_a",
        "body_type": "un",
        "title": "Synthetic quarterly note",
        "publisher": "Synthetic publisher",
        "published": "2023-02-01",
        "url": "https://example.org/a",
        "grade": "P",
        "language": "en",
    },
    {
        "source_id": "src-b-2022",
        "reporting_body": "body_b",
        "body_type": "ngo",
        "title": "Synthetic release",
        "publisher": "Synthetic NGO",
        "published": "2022-04-05",
        "url": "https://example.org/b",
        "copy_url": "https://mirror.example.org/b",
        "grade": "M",
        "language": "en",
    },
]


def _tally(tally_id, start, end, value, **extra):
    row = {
        "tally_id": tally_id,
        "source_id": "src-a-2022",
        "reporting_body": "body_a",
        "period_start": start,
        "period_end": end,
        "country": "Mali",
        "measure": "killed",
        "victim_group": "civilians",
        "perpetrator_group": "all",
        "qualifier": "exact",
        "value": str(value),
        "claim": "Synthetic claim.",
        "notes": SYNTHETIC,
    }
    row.update(extra)
    return row


TALLIES = [
    _tally("body_a-001", "2022-01-01", "2022-03-31", 40),
    _tally("body_a-002", "2022-04-01", "2022-06-30", 30),
    _tally("body_a-003", "2022-07-01", "2022-09-30", 20),
    _tally("body_a-004", "2022-10-01", "2022-12-31", 10),
    _tally("body_a-005", "2022-01-01", "2022-12-31", 100),
    _tally(
        "body_b-001",
        "2022-03-27",
        "2022-03-31",
        300,
        source_id="src-b-2022",
        reporting_body="body_b",
        incident_id="place-2022-03",
        qualifier="at_least",
        perpetrator_group="state_forces_with_foreign",
    ),
    _tally(
        "body_b-002",
        "2022-03-27",
        "2022-03-31",
        "",
        source_id="src-b-2022",
        reporting_body="body_b",
        incident_id="place-2022-03",
        qualifier="between",
        value_low="200",
        value_high="400",
    ),
    _tally(
        "body_a-006",
        "2022-07-01",
        "2022-09-30",
        20,
        derivation="body_a-005 - body_a-001 - body_a-002 - body_a-004",
    ),
]


def write_table(path: Path, spec, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=spec.names, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in spec.names})
    return path
