"""The ``tallies`` command: parses arguments and calls the package; no analysis of its own.

Sub-commands
------------
``tallies data check``
    Validate the evidence table (and a researcher's overlay) and run the consistency audit.
``tallies report``
    Render a report suite (or one notebook) into HTML under ``reports/``.
``tallies params NOTEBOOK``
    List a notebook's parameters with their types and defaults.
``tallies events pull acled|ucdp``, ``tallies events update acled``
    Pull a country's events from ACLED's or UCDP's API into ``data/raw/``; update the ACLED copy.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from analysis import __version__
from analysis.errors import AnalysisError


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tallies",
        description="Civilian-death tallies for Mali, compared across reporting bodies.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = commands.add_parser("data", help="work with the evidence table")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    check = data_commands.add_parser(
        "check", help="validate the evidence table and audit its consistency"
    )
    check.add_argument(
        "--dir",
        dest="tallies_dir",
        default=None,
        help="folder holding sources.csv, tallies.csv and bodies.csv (default: the shipped table)",
    )
    check.add_argument(
        "--overlay",
        default=None,
        metavar="DIR",
        help="a folder of your own sources.csv/tallies.csv/... rows, merged with the table and "
        "validated with it (default: $TALLIES_OVERLAY_DIR when set)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="exit non-zero on warnings too, not only on errors",
    )
    check.add_argument(
        "--show-known",
        action="store_true",
        help="list the findings explained in known_issues.csv (by default only their count)",
    )
    check.set_defaults(handler=_data_check)

    from analysis.reports.cli import add_report_commands  # light: no papermill at import

    add_report_commands(commands)

    from analysis.sources.api.cli import add_events_commands  # light: no httpx at import

    add_events_commands(commands)
    return parser


def _data_check(args: argparse.Namespace) -> int:
    from analysis.audit import run_check

    return run_check(
        tallies_dir=args.tallies_dir,
        overlay=args.overlay,
        strict=args.strict,
        show_known=args.show_known,
        out=sys.stdout,
        err=sys.stderr,
    )


# Control characters (ESC starts a terminal escape sequence; C1 codes act alike), DEL and the
# bidirectional overrides that reorder displayed text. Tab, line feed and carriage return (the
# progress bars redraw their line with it) are kept.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with the characters a terminal would act on instead of showing removed.

    Examples
    --------
    >>> terminal_safe("Gao\x1b[2J\x1b]0;owned\x07 region")
    'Gao[2J]0;owned region'
    """
    return _UNSAFE.sub("", text)


class _TerminalSafe:
    """A text stream passing what is written through :func:`terminal_safe` (a plain class, not
    an ``io`` one: its finaliser would close the stream it wraps)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", "utf-8")

    def close(self) -> None:
        self._stream.close()


@contextmanager
def _terminal_safe_output() -> Iterator[None]:
    """Within the block, text names from the data reach stdout and stderr without escapes."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(sys.stdout), _TerminalSafe(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tallies`` console script; returns the exit status.

    Everything the command writes to stdout and stderr passes through :func:`terminal_safe`:
    names and values from the data cannot move the cursor, retitle or clear the terminal.
    ``SIGTERM``, ``SIGINT`` or ``SIGHUP`` stop the command cleanly (child processes ended,
    temporary files removed; :mod:`analysis.reports.processes`) with the exit status 128 plus
    the signal's number and a one-line message.
    """
    from analysis.paths import absolute_environment
    from analysis.reports.processes import Stopped, stop_on_signals

    parser = _build_parser()
    args = parser.parse_args(argv)
    absolute_environment()  # before any kernel starts: kernels run in notebooks/
    with _terminal_safe_output():
        try:
            with stop_on_signals():
                return int(args.handler(args) or 0)
        except Stopped as stop:
            after = (
                " (the reports finished before the stop are written and listed in the index)"
                if args.command == "report"
                else ""
            )
            print(
                f"tallies: {stop}; child processes ended and temporary files removed{after}",
                file=sys.stderr,
            )
            return stop.exit_code
        except AnalysisError as error:
            print(f"tallies: error: {error}", file=sys.stderr)
            return 2
        except BrokenPipeError:  # output piped into `head` and closed early
            sys.stderr.close()
            return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
