"""The ``tallies report`` and ``tallies params`` sub-commands (argument wiring only)."""

from __future__ import annotations

import argparse


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``report`` and ``params`` on the ``tallies`` parser."""
    # Filled in by the report runner; registered here so that `tallies --help` lists them.
