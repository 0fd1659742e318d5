"""Benchmark: the default report suite with ``--jobs 2`` against its floor.

The floor is what rendering cannot avoid: papermill plus nbconvert on an empty notebook (one
empty code cell), once per report of the suite, one after another, in one process whose imports
are already done. The target is: the suite takes at most twice the floor.

Usage::

    .venv/bin/python benchmarks/reports.py            # the real notebooks and evidence table
    .venv/bin/python benchmarks/reports.py --stand-in # stand-in notebooks (see below)

``--stand-in`` replaces every notebook by a stand-in holding the declared parameters cell, then
importing pandas, matplotlib and the package, displaying a small synthetic table and drawing one
figure: the shape of a thin report notebook, for measuring the runner before the real notebooks
and evidence table exist. When the suite's incident list cannot be computed (no evidence table),
one incident report stands in for the expanded list.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STAND_IN_BODY = [
    "import matplotlib.pyplot as plt\nimport pandas as pd\n\nimport analysis",
    "table = pd.DataFrame({'period': pd.period_range('2020Q1', periods=12, freq='Q').astype(str),"
    " 'killed': range(12)})  # synthetic\ntable",
    "fig, ax = plt.subplots(figsize=(7, 3.5))\nax.plot(table['period'], table['killed'])\n"
    "ax.set_ylabel('people killed')\nplt.show()",
]


def _notebook(cells: list[str], parameters: str | None = None):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    notebook = new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    if parameters is not None:
        notebook.cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    notebook.cells.extend(new_code_cell(source) for source in cells)
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    nbformat.validate(notebook)
    return notebook


def write_stand_ins(folder: Path) -> None:
    """One stand-in notebook per declared notebook, with the declared parameters cell."""
    import json

    import nbformat

    from analysis.reports.declarations import NOTEBOOKS

    for name, spec in NOTEBOOKS.items():
        cell = "\n".join(
            f"{param.name} = {'None' if param.default is None else json.dumps(param.default)}"
            for param in spec.params
        )
        nbformat.write(_notebook(STAND_IN_BODY, cell), folder / f"{name}.ipynb")


def suite_jobs(stand_in: bool):
    from analysis.errors import ParameterError
    from analysis.reports.suite import load_suite, make_job

    try:
        return load_suite(ROOT / "reports" / "suite.yml").jobs
    except ParameterError as error:
        if not stand_in:
            raise
        print(f"(suite not expandable: {error}; one incident stands in)", file=sys.stderr)
        return [
            make_job("source_comparison", name="source_comparison"),
            make_job("before_after", name="before_after"),
            make_job("incident", name="incident-moura-2022-03"),
        ]


def floor(n_reports: int, work: Path) -> list[float]:
    """papermill + nbconvert on an empty notebook, ``n_reports`` times, one after another;
    returns the time each took."""
    import papermill
    from nbconvert import HTMLExporter

    empty = _notebook([""])
    exporter = HTMLExporter(template_name="lab", exclude_input=True)
    times = []
    for number in range(n_reports):
        started = time.perf_counter()
        executed = papermill.execute_notebook(
            empty,
            str(work / f"empty-{number}.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        body, _ = exporter.from_notebook_node(executed)
        (work / f"empty-{number}.html").write_text(body, encoding="utf-8")
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stand-in", action="store_true", help="use stand-in notebooks")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of floor + suite; medians are compared"
    )
    parser.add_argument(
        "--no-preload",
        action="store_true",
        help="start every kernel as a new process (no kernel server), as tallies report --no-preload",
    )
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="render the suite this many times over in one run (a larger suite; the floor too)",
    )
    args = parser.parse_args(argv)

    from analysis.reports.provenance import collect_run_info
    from analysis.reports.runner import run_reports

    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    jobs = suite_jobs(args.stand_in)
    jobs = [
        dataclasses.replace(job, name=job.name if copy == 0 else f"{job.name}-copy{copy}")
        for copy in range(max(1, args.copies))
        for job in jobs
    ]
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as scratch:
        work = Path(scratch)
        notebooks = ROOT / "notebooks"
        if args.stand_in:
            notebooks = work / "notebooks"
            notebooks.mkdir()
            write_stand_ins(notebooks)
        info = collect_run_info(ROOT)
        floor(1, work)  # warm up: imports and the first kernel start are not counted
        floors, suites = [], []
        for _ in range(max(1, args.repeat)):  # alternate, so both see the same machine load
            floors.append(floor(len(jobs), work))
            started = time.perf_counter()
            summary = run_reports(
                jobs,
                output_dir=work / "reports",
                notebooks_dir=notebooks,
                root=ROOT,
                n_jobs=args.jobs,
                info=info,
                progress=io.StringIO(),
                preload=False if args.no_preload else None,
            )
            suites.append(time.perf_counter() - started)
    # A stock papermill run now and then stalls for 3 to 4 s; one stall in a round inflates that
    # round's floor. So the floor compared is robust: the median single empty notebook (over
    # every round) times the number of reports. The rounds' sums are printed too.
    singles = [seconds for round_ in floors for seconds in round_]
    floor_seconds = statistics.median(singles) * len(jobs)
    sums = [sum(round_) for round_ in floors]
    suite_seconds = statistics.median(suites)
    failed = [result.name for result in summary.results if result.status != "ok"]
    ratio = suite_seconds / floor_seconds
    print(f"reports: {len(jobs)} ({'stand-in' if args.stand_in else 'real'} notebooks)")
    kernels = "new processes" if args.no_preload else "forked from the kernel server"
    print(f"cores: {os.cpu_count()}, jobs: {args.jobs}, kernels: {kernels}")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"floor (empty notebook x {len(jobs)}, sequential): {floor_seconds:.2f} s"
        f" = {len(jobs)} x median single {statistics.median(singles):.2f} s"
        f" (min {min(singles):.2f}, max {max(singles):.2f});"
        f" rounds' sums {', '.join(f'{x:.2f}' for x in sums)}"
    )
    print(
        f"suite (--jobs {args.jobs}): median {suite_seconds:.2f} s"
        f" of {', '.join(f'{x:.2f}' for x in suites)}"
    )
    print(f"ratio: {ratio:.2f} (target <= 2.00: {'met' if ratio <= 2 else 'NOT met'})")
    print("last round, per report:")
    for result in summary.results:
        print(
            f"  {result.name:40} {result.status:6} {result.duration:6.2f} s"
            f" (execute {result.execute_seconds:.2f} s, export {result.export_seconds:.2f} s)"
        )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
