"""How each report of a run went: shared by the runner, which fills it, and the index, which shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from analysis.reports.provenance import InputFile

__all__ = ["ReportResult", "Status"]

Status = Literal["ok", "failed"]


@dataclass
class ReportResult:
    """How one report went. Paths are relative to the output folder."""

    name: str
    notebook: str
    parameters: dict[str, object]
    status: Status
    duration: float
    inputs: list[InputFile] = field(default_factory=list)
    html: str | None = None
    ipynb: str | None = None
    error: str | None = None
    execute_seconds: float = 0.0
    export_seconds: float = 0.0
    kernel: str | None = None  # how its kernel was started (analysis.reports.kernels)
    title: str | None = None  # the report's title, as the notebook recorded it
    headline: str | None = None  # the finding the report opens with, as recorded
