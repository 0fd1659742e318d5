"""``tallies events``: pull ACLED or UCDP events into ``data/raw/`` and update the ACLED copy.

Thin: parses the arguments, shows progress on a terminal, prints the outcome; the work is done
by :mod:`analysis.sources.api`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO, Any

__all__ = ["add_events_commands"]

_EXAMPLES = """examples:
  tallies events pull acled --country Mali --start 2021-01-01
  tallies events update acled
  tallies events pull ucdp --country Mali --version 25.1 --candidate 25.0.11

credentials: ACLED_USERNAME and ACLED_PASSWORD (an ACLED account), UCDP_TOKEN; as environment
variables or in ~/.config/tallies/config.toml (or the file named by TALLIES_CONFIG)."""


def add_events_commands(commands: Any) -> None:
    """Add ``events pull`` and ``events update`` to the ``tallies`` parser."""
    events = commands.add_parser(
        "events",
        help="pull ACLED or UCDP events into data/raw/ and keep them current",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = events.add_subparsers(dest="events_command", required=True, metavar="ACTION")

    pull = actions.add_parser("pull", help="pull a country's events from an API")
    services = pull.add_subparsers(dest="service", required=True, metavar="SERVICE")
    acled = services.add_parser("acled", help="ACLED's API (OAuth account)")
    acled.add_argument(
        "--country",
        action="append",
        required=True,
        help="country as ACLED writes it (repeat for several)",
    )
    acled.add_argument("--start", default=None, help="first event date, YYYY-MM-DD")
    acled.add_argument("--end", default=None, help="last event date, YYYY-MM-DD")
    _common(acled, "https://acleddata.com")
    acled.set_defaults(handler=_pull_acled)

    ucdp = services.add_parser("ucdp", help="UCDP's GED API (token)")
    ucdp.add_argument(
        "--country", required=True, help="country name or Gleditsch-Ward code (Mali: 432)"
    )
    ucdp.add_argument("--version", required=True, help="final GED release, e.g. 25.1")
    ucdp.add_argument(
        "--candidate",
        action="append",
        default=[],
        help="candidate release whose months after the final one are added, e.g. 25.0.11 "
        "(repeat for several)",
    )
    _common(ucdp, "https://ucdpapi.pcr.uu.se")
    ucdp.set_defaults(handler=_pull_ucdp)

    update = actions.add_parser("update", help="bring pulled events up to date")
    update_services = update.add_subparsers(dest="service", required=True, metavar="SERVICE")
    acled_update = update_services.add_parser(
        "acled", help="apply deletions and fetch new and changed events"
    )
    acled_update.add_argument(
        "--file",
        action="append",
        default=None,
        help="a pulled file to update (default: every pulled file in data/raw/acled/)",
    )
    _common(acled_update, "the address it was pulled from")
    acled_update.set_defaults(handler=_update_acled)


def _common(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--base-url",
        default=None,
        help=f"scheme and host of the service or a mirror (default: {default})",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar (never shown outside a terminal)"
    )


def _show_progress(args: argparse.Namespace, stream: IO[str]) -> bool:
    if args.quiet or os.environ.get("CI"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class _Bar:
    """A tqdm progress bar fed by the pulls' progress callbacks (or nothing)."""

    def __init__(self, enabled: bool, unit: str) -> None:
        self.enabled = enabled
        self.unit = unit
        self.bar: Any = None

    def __call__(self, step: Any) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=step.total, unit=self.unit, file=sys.stderr, leave=False)
        self.bar.update(step.done - self.bar.n)
        self.bar.set_postfix_str(f"{step.label}, {step.events:,} events", refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _run(bar: _Bar, work: Callable[[], Any], partial_hint: str) -> Any:
    try:
        return work()
    except KeyboardInterrupt:
        bar.close()
        print(
            f"tallies: interrupted; {partial_hint}. Run the same command again to resume.",
            file=sys.stderr,
        )
        raise SystemExit(130) from None
    finally:
        bar.close()


def _pull(
    args: argparse.Namespace,
    *,
    service: str,
    unit: str,
    default_url: str,
    fetch: Callable[..., Any],
    summary: Callable[[Any], None],
) -> int:
    """Run one pull from ``--base-url`` (else ``default_url``) with its progress bar in ``unit``
    steps, and print its ``summary``.

    ``fetch`` is the service's pull with its own arguments bound; it is given ``base_url`` and
    ``progress``. A ``ValueError`` (arguments the service refuses) is a usage error; an
    interruption says where the steps fetched so far are kept.
    """
    bar = _Bar(_show_progress(args, sys.stderr), unit)
    try:
        result = _run(
            bar,
            lambda: fetch(base_url=args.base_url or default_url, progress=bar),
            f"the {unit}s fetched so far are kept in data/raw/{service}/.partial/",
        )
    except ValueError as error:
        return _usage(error)
    summary(result)
    return 0


def _pull_acled(args: argparse.Namespace) -> int:
    from analysis.sources.api.acled_api import ACLED_BASE_URL
    from analysis.sources.api.acled_pull import pull_acled

    return _pull(
        args,
        service="acled",
        unit="part",
        default_url=ACLED_BASE_URL,
        fetch=partial(pull_acled, args.country, start=args.start, end=args.end),
        summary=_print_acled_pull,
    )


def _print_acled_pull(result: Any) -> None:
    from analysis.sources.api.store import utc_text

    resumed = f" ({result.resumed_parts} of {result.parts} parts resumed)" * bool(
        result.resumed_parts
    )
    print(
        f"wrote {_shown(result.path)}: {result.events:,} events{resumed}, latest timestamp "
        f"{result.latest_timestamp} ({utc_text(result.latest_timestamp)}); "
        f"{result.caught_up:,} changed and {result.deleted_during:,} deleted while pulling; "
        f"provenance in {result.sidecar.name}"
    )
    if result.previous is not None:
        print(f"the file it replaced is kept as {_shown(result.previous)}")


def _pull_ucdp(args: argparse.Namespace) -> int:
    from analysis.sources.api.ucdp_api import UCDP_BASE_URL
    from analysis.sources.api.ucdp_pull import pull_ucdp

    return _pull(
        args,
        service="ucdp",
        unit="page",
        default_url=UCDP_BASE_URL,
        fetch=partial(pull_ucdp, args.country, version=args.version, candidates=args.candidate),
        summary=_print_ucdp_pull,
    )


def _print_ucdp_pull(result: Any) -> None:
    versions = ", ".join(f"{n:,} from {v}" for v, n in result.by_version.items())
    resumed = f", {result.resumed_pages} resumed" * bool(result.resumed_pages)
    print(
        f"wrote {_shown(result.path)}: {result.events:,} events ({versions}); "
        f"{result.pages} pages{resumed}; provenance in {result.sidecar.name}"
    )


def _list(ids: tuple[str, ...], limit: int = 20) -> str:
    if not ids:
        return ""
    shown = ", ".join(ids[:limit])
    more = f" and {len(ids) - limit:,} more" if len(ids) > limit else ""
    return f": {shown}{more}"


def _update_acled(args: argparse.Namespace) -> int:
    from analysis.errors import DataError
    from analysis.sources.api.acled_pull import pulled_acled_files, update_acled
    from analysis.sources.api.store import utc_text

    files = [Path(f) for f in args.file] if args.file else pulled_acled_files()
    if not files:
        raise DataError(
            "no pulled ACLED file (with its .provenance.json) in data/raw/acled/; run "
            "`tallies events pull acled --country NAME` first",
            rule="required",
        )
    for path in files:
        bar = _Bar(False, "")
        result = _run(
            bar,
            lambda path=path: update_acled(path, base_url=args.base_url),
            "the file was left as it was",
        )
        print(
            f"{_shown(result.path)}: events uploaded since {result.since} "
            f"({utc_text(result.since)}) refetched: {result.refetched:,}; "
            f"deletions listed by ACLED since then (all countries): {result.deletions_listed:,}"
        )
        print(f"  added {len(result.added):,}{_list(result.added)}")
        print(f"  changed {len(result.changed):,}{_list(result.changed)}")
        print(f"  deleted {len(result.deleted):,}{_list(result.deleted)}")
        print(f"  unchanged {result.unchanged:,}; now {result.events:,} events")
        if result.previous is not None:
            print(f"  the version replaced is kept as {_shown(result.previous)}")
        else:
            print("  nothing changed; the file was left as it was")
    return 0


def _usage(error: ValueError) -> int:
    print(f"tallies: error: {error}", file=sys.stderr)
    return 2
