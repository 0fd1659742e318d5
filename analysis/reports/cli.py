"""The ``tallies report`` and ``tallies params`` sub-commands (argument wiring only).

Examples
--------
``tallies report``
    Render the default suite (``reports/suite.yml``) into ``reports/``.
``tallies report --notebook before_after -p arrival_date=2021-12-23``
    Render one report ad hoc (added to the existing index).
``tallies params before_after``
    List a notebook's parameters with their types and defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

__all__ = ["add_report_commands"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``report`` and ``params`` on the ``tallies`` parser."""
    report = commands.add_parser(
        "report",
        help="render a report suite (or one notebook) into HTML",
        description=(
            "Run notebooks with papermill and export them to self-contained HTML, with an "
            "index page. Without --notebook, renders the suite file (default "
            "reports/suite.yml)."
        ),
    )
    which = report.add_mutually_exclusive_group()
    which.add_argument("--suite", type=Path, default=None, help="the suite file (YAML)")
    which.add_argument("--notebook", default=None, help="render one notebook ad hoc")
    report.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of --notebook (repeatable); lists are comma-separated",
    )
    report.add_argument("--name", default=None, help="the report's name (with --notebook)")
    report.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        help="reports rendered at the same time (default: the number of cores)",
    )
    report.add_argument(
        "--output-dir", type=Path, default=None, help="where reports go (default: reports/)"
    )
    report.add_argument(
        "--notebooks-dir",
        type=Path,
        default=None,
        help="where the notebooks are (default: notebooks/)",
    )
    report.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    report.add_argument(
        "--timeout", type=float, default=None, help="time limit per cell, in seconds"
    )
    report.add_argument(
        "--no-preload",
        action="store_true",
        help=(
            "start every kernel as a new Python process, instead of forking it from a server "
            "that has imported pandas, matplotlib and the package once (Linux only)"
        ),
    )
    report.add_argument(
        "--no-wait",
        action="store_true",
        help="fail at once if another run is writing into the output folder (default: wait)",
    )
    report.set_defaults(handler=_report)

    params = commands.add_parser(
        "params",
        help="list a notebook's parameters with their types and defaults",
    )
    params.add_argument("notebook", nargs="?", default=None, help="the notebook (omit: list all)")
    params.add_argument(
        "--notebooks-dir",
        default=None,
        help="read the declarations of the notebooks in this folder (default: notebooks/)",
    )
    params.add_argument(
        "--markdown",
        action="store_true",
        help="print every notebook's parameters as Markdown tables (the README's)",
    )
    params.set_defaults(handler=_params)


def _report(args: argparse.Namespace) -> int:
    from analysis import paths
    from analysis.errors import ParameterError
    from analysis.reports.declarations import NOTEBOOKS
    from analysis.reports.kernels import KernelServer, forking_supported
    from analysis.reports.lock import check_output_folder
    from analysis.reports.params import parse_cli_parameters
    from analysis.reports.runner import run_reports
    from analysis.reports.suite import load_suite, make_job

    root = paths.project_root()
    here = Path.cwd()  # relative paths are where the user wrote them
    output_dir = (here / args.output_dir).resolve() if args.output_dir else paths.reports_dir()
    notebooks_dir = (
        (here / args.notebooks_dir).resolve() if args.notebooks_dir else paths.notebooks_dir()
    )
    if args.notebook is None and (args.parameters or args.name):
        raise ParameterError("-p and --name go with --notebook, not with a suite")
    check_output_folder(output_dir)  # an unwritable folder is refused before any input is read
    with contextlib.ExitStack() as stack:
        # the parameters are those that the notebooks to be run declare
        stack.enter_context(NOTEBOOKS.reading(notebooks_dir))
        server = None
        if not args.no_preload and forking_supported():
            # it imports the heavy modules while the suite is read
            server = stack.enter_context(KernelServer())
        if args.notebook is None:
            suite = load_suite((here / args.suite) if args.suite else paths.suite_file())
            jobs, notes = suite.jobs, suite.notes
        else:
            values = parse_cli_parameters(args.notebook, args.parameters, base_dir=Path.cwd())
            jobs = [make_job(args.notebook, values, name=args.name, base_dir=Path.cwd())]
            notes = []
        summary = run_reports(
            jobs,
            output_dir=output_dir,
            notebooks_dir=notebooks_dir,
            root=root,
            notes=notes,
            n_jobs=args.jobs,
            show_code=args.show_code,
            timeout=args.timeout,
            preload=False if args.no_preload else None,
            kernel_server=server,
            wait=not args.no_wait,
        )
    failed = summary.failed
    if failed:
        print(
            f"{len(failed)} of {len(summary.results)} reports failed: "
            + ", ".join(result.name for result in failed),
            file=sys.stderr,
        )
    print(summary.index)
    return 1 if failed else 0


def _params(args: argparse.Namespace) -> int:
    from analysis.reports.declarations import NOTEBOOKS, parameters_markdown
    from analysis.reports.params import describe_parameters, get_spec

    folder = (Path.cwd() / args.notebooks_dir).resolve() if args.notebooks_dir else None
    with NOTEBOOKS.reading(folder):
        if args.markdown:
            names = [args.notebook] if args.notebook else list(NOTEBOOKS)
            sys.stdout.write(parameters_markdown({name: get_spec(name) for name in names}))
        elif args.notebook is None:
            for name, spec in NOTEBOOKS.items():
                print(f"{name:20} {spec.title}")
        else:
            sys.stdout.write(describe_parameters(args.notebook))
    return 0
