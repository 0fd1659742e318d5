"""Render reports: papermill executes each notebook, nbconvert exports it to one HTML file.

Layout of the output folder (default ``reports/``)::

    reports/index.html              every report in the folder, with status and checksums
    reports/index.json              the same, machine-readable (each run merges into it)
    reports/<name>/<name>.html      the report: self-contained, code hidden, provenance footer
    reports/<name>/<name>.ipynb     the executed notebook it was exported from
    reports/<name>/<name>.failed.ipynb   the executed notebook of a failed run, up to the error

Each report runs in one kernel (``python3``: the ipykernel of the environment running the
command) whose working directory is the notebook's folder, as in JupyterLab. Reports run in
parallel worker processes (``jobs``); one failing report does not stop the others.

Every file is written with :func:`analysis.files.atomic_write`: an interrupted or failed run
leaves no half-written HTML. A report's page and notebook are replaced together
(:func:`analysis.files.write_together`): a re-run that fails, or finds the disk full, leaves
the previous page and notebook as they were, and the index marks the report failed with a link
to the page kept.

One run at a time writes into an output folder (:mod:`analysis.reports.lock`); the index
lists this run's reports and keeps those of earlier runs still in the folder. A run stopped by
a signal ends its workers, kernels and kernel server and removes its temporary files
(:mod:`analysis.reports.processes`); a run killed outright leaves temporary files that the next
run removes, saying so.

The exported HTML loads nothing from the network (no require.js, MathJax or widget scripts);
images are embedded as ``data:`` URIs; HTML and Markdown *outputs* are sanitised (``<script>``
and event-handler attributes come out as inert text), so text from the data can never run in a
reader's browser.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import os
import re
import shutil
import signal
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from analysis.display import read_records
from analysis.errors import ReportError
from analysis.files import (
    atomic_write,
    output_error,
    remove_stale_temporaries,
    temporary_folder,
    write_together,
)
from analysis.reports.assets import add_page_assets
from analysis.reports.kernels import (
    kill_started_kernels,
    last_kernel_start,
    remove_stale_kernel_folders,
)
from analysis.reports.lock import output_lock
from analysis.reports.processes import Stopped, die_with_parent
from analysis.reports.provenance import (
    InputFile,
    RunInfo,
    footer_html,
    hash_inputs,
    insert_footer,
)
from analysis.reports.results import ReportResult
from analysis.reports.styles import REPORT_CSS
from analysis.reports.suite import ReportJob, SuiteNote, safe_name

if TYPE_CHECKING:  # pragma: no cover
    from analysis.reports.kernels import KernelServer

__all__ = [
    "ReportResult",
    "RunSummary",
    "render_report",
    "run_reports",
    "report_dir",
    "export_html",
    "clean_output_html",
]


# The lab template without any script loaded from the network, with HTML/Markdown outputs
# passed through the sanitiser, figures carrying their alt text (the ``alt`` of the output's
# ``image/png`` metadata, see analysis._figure.ReportFigure), and the reports' style sheet
# (print included, analysis.reports.styles).
_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block data_html scoped -%}
<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output {{ extra_class }}"
 data-mime-type="text/html">
{{ output.data['text/html'] | report_clean_html }}
</div>
{%- endblock data_html %}
{% block data_markdown scoped -%}
<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-OutputArea-output {{ extra_class }}"
 data-mime-type="text/markdown">
{{ output.data['text/markdown'] | markdown2html | report_clean_html }}
</div>
{%- endblock data_markdown %}
{% block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- set alttext = output | get_metadata('alt', 'image/png') %}
{%- if alttext %} alt="{{ alttext | escape_html }}"{% endif %}>
</div>
{%- endblock data_png %}
{%- block data_javascript scoped %}{%- endblock -%}
{%- block data_widget_view scoped %}{%- endblock -%}
{% block notebook_css %}
{{ super() }}
<style type="text/css">
{{ resources.report_css }}
</style>
{% endblock notebook_css %}
"""

_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
        "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s",
        "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "lang"],
    "a": ["href", "title", "rel", "download"],
    "img": ["src", "alt", "width", "height"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "scope", "align"],
    "table": ["border"],
}


def clean_output_html(fragment: object) -> str:
    """Sanitise an HTML (or rendered Markdown) output of a notebook.

    ``<style>`` blocks (pandas' table styling) are dropped; tags outside a list of harmless
    ones (tables, headings, lists, text markup, images) are escaped into visible, inert text;
    attributes are limited to a few harmless ones (no ``on*`` handlers, no ``style``); links
    and images may use only ``http``, ``https``, ``mailto`` and ``data``.
    """
    import bleach

    text = fragment.decode() if isinstance(fragment, bytes) else str(fragment)
    text = _STYLE_BLOCK.sub("", text)
    return bleach.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        protocols={"http", "https", "mailto", "data"},
        strip=False,
        strip_comments=True,
    )


@functools.lru_cache(maxsize=4)
def _exporter(show_code: bool):
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab",
        template_file="report.html.j2",
        extra_loaders=[DictLoader({"report.html.j2": _TEMPLATE})],
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    exporter.register_filter("report_clean_html", clean_output_html)
    tags = TagRemovePreprocessor(
        remove_cell_tags={"remove-cell"},
        remove_input_tags=set() if show_code else {"remove-input"},
        remove_all_outputs_tags={"remove-output"},
        enabled=True,
    )
    exporter.register_preprocessor(tags, enabled=True)
    return exporter


def export_html(notebook: object, *, title: str, show_code: bool = False) -> str:
    """Export an executed notebook (an ``nbformat`` node) to one self-contained HTML page."""
    exporter = _exporter(show_code)
    with warnings.catch_warnings():
        # outputs carrying only a machine-readable mimetype (for tests) are left out quietly
        warnings.filterwarnings(
            "ignore", message="Your element with mimetype", category=UserWarning
        )
        body, _ = exporter.from_notebook_node(
            notebook, resources={"metadata": {"name": title}, "report_css": REPORT_CSS}
        )
    return add_page_assets(body)


@dataclass
class RunSummary:
    """The results of a run, the suite notes, and where the index was written."""

    results: list[ReportResult]
    notes: list[SuiteNote]
    index: Path

    @property
    def failed(self) -> list[ReportResult]:
        return [result for result in self.results if result.status != "ok"]


def report_dir(output_dir: Path, name: str) -> Path:
    """The folder of report ``name``: always a direct child of ``output_dir``.

    Raises
    ------
    analysis.errors.ReportError
        ``name`` is not a sanitised name, or would resolve outside ``output_dir``.
    """
    if name != safe_name(name) or name in {".", ".."}:
        raise ReportError(f"report name {name!r} is not a safe file name")
    root = output_dir.resolve()
    target = (root / name).resolve()
    if target.parent != root:
        raise ReportError(f"report {name!r} would be written outside {output_dir}")
    return target


def render_report(
    job: ReportJob,
    *,
    output_dir: Path,
    notebooks_dir: Path,
    info: RunInfo,
    inputs: list[InputFile],
    show_code: bool = False,
    kernel_name: str = "python3",
    timeout: float | None = None,
    kernel_server: str | None = None,
) -> ReportResult:
    """Execute one report's notebook and export it; never raises for a failing notebook.

    Returns a :class:`ReportResult` with ``status`` ``"failed"`` and the error text when the
    notebook raises, is missing, or cannot be exported. ``kernel_server`` is the address of a
    :class:`analysis.reports.kernels.KernelServer` to fork the kernel from (None: a new
    process).
    """
    started = time.perf_counter()
    result = ReportResult(job.name, job.notebook, dict(job.parameters), "failed", 0.0, inputs)
    target = None
    try:
        target = report_dir(output_dir, job.name)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise output_error(error, target.parent) from error
        source = notebooks_dir / f"{job.notebook}.ipynb"
        if not source.is_file():
            raise ReportError(f"notebook {source} does not exist")
        notebook_file = hash_inputs([(source, "notebook")], notebooks_dir.parent)[0]
        executed = _execute(
            job, source, target, kernel_name=kernel_name, timeout=timeout, server=kernel_server
        )
        result.execute_seconds = time.perf_counter() - started
        result.kernel = last_kernel_start()
        if isinstance(executed, _Failure):
            result.error = executed.message
            result.ipynb = f"{job.name}/{job.name}.failed.ipynb" if executed.saved else None
        else:
            recorded = read_records(executed)
            result.title = _text_or_none(recorded.get("title"))
            result.headline = _text_or_none(recorded.get("headline"))
            page = export_html(executed, title=result.title or job.name, show_code=show_code)
            footer = footer_html(
                name=job.name,
                notebook=job.notebook,
                parameters=job.parameters,
                notebook_file=notebook_file,
                inputs=inputs,
                info=info,
                kernel=result.kernel,
            )
            import nbformat

            # both or neither: a failure here leaves the previous run's pair as it was
            write_together(
                {
                    target / f"{job.name}.ipynb": nbformat.writes(executed),
                    target / f"{job.name}.html": insert_footer(page, footer),
                }
            )
            with contextlib.suppress(FileNotFoundError):
                (target / f"{job.name}.failed.ipynb").unlink()
            result.status = "ok"
            result.export_seconds = time.perf_counter() - started - result.execute_seconds
            result.html = f"{job.name}/{job.name}.html"
            result.ipynb = f"{job.name}/{job.name}.ipynb"
    except Exception as error:  # one report's failure is reported, not raised
        result.error = f"{type(error).__name__}: {error}"
    if result.status != "ok" and target is not None and (target / f"{job.name}.html").is_file():
        result.html = f"{job.name}/{job.name}.html"  # the previous run's page, kept
        result.error = f"{result.error}\n(the page of an earlier run is kept)"
    result.duration = time.perf_counter() - started
    return result


def _text_or_none(value: object) -> str | None:
    """A recorded title or headline as one line of text (None when not recorded)."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


@dataclass
class _Failure:
    message: str
    saved: bool


def _execute(
    job: ReportJob, source: Path, target: Path, *, kernel_name: str, timeout, server: str | None
):
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.reports.kernels import kernel_manager_class

    # the kernel is stopped at once when the last cell is done: every output has arrived by
    # then, and nothing else runs in it
    logging.getLogger("papermill").disabled = False  # see _off_the_main_thread
    engine_options = {
        "shutdown_kernel": "immediate",
        "kernel_manager_class": kernel_manager_class(server),
    }

    # in a private folder: removing it stops a notebook abandoned by a stop from writing
    running_folder = temporary_folder(target / f"{job.name}.ipynb", suffix=".running")
    running = running_folder / f"{job.name}.ipynb"
    try:
        try:
            return _off_the_main_thread(
                papermill.execute_notebook,
                str(source),
                str(running),
                parameters=job.parameters,
                kernel_name=kernel_name,
                progress_bar=False,
                log_output=False,
                cwd=str(source.parent),
                execution_timeout=timeout,
                # quiet the kernel's own log (its TCP notice, the interrupt jupyter_client
                # sends before every shutdown); a kernel that dies still fails the report
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                **engine_options,
            )
        except PapermillExecutionError as error:
            message = f"cell {error.exec_count}: {error.ename}: {error.evalue}"
            saved = False
            with contextlib.suppress(Exception):
                partial = nbformat.read(str(running), as_version=4)
                _write_notebook(partial, target / f"{job.name}.failed.ipynb")
                saved = True
            return _Failure(message, saved)
    finally:
        shutil.rmtree(running_folder, ignore_errors=True)


def _off_the_main_thread(function, *args, **kwargs):
    """Call ``function`` in a thread of its own and wait for it here.

    Run in the main thread, nbclient (under papermill) replaces the ``SIGINT`` and ``SIGTERM``
    handlers while a notebook runs, and afterwards leaves the defaults in their place: a stop
    signal would then kill the process without any clean-up. In another thread it leaves them
    alone, so :func:`analysis.reports.processes.stop_on_signals` (or a worker's handler) stays
    in charge. When the wait is interrupted (a :class:`Stopped`), the notebook's kernel is
    killed and the call abandoned (the caller removes the folder it writes into); what it
    logs about its dead kernel is silenced while the run stops.
    """
    import threading

    outcome: dict[str, object] = {}
    finished = threading.Event()  # not Thread.join: a join interrupted by a signal may
    # mark the thread finished while it still runs (CPython before 3.13)

    def call() -> None:
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the waiting thread
            outcome["error"] = error
        finally:
            finished.set()

    threading.Thread(target=call, name="tallies-notebook", daemon=True).start()
    try:
        finished.wait()
    except BaseException:
        # the abandoned call would log that its kernel died; the next notebook logs again
        logging.getLogger("papermill").disabled = True
        kill_started_kernels()
        raise
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


def _write_notebook(notebook: object, path: Path) -> None:
    import nbformat

    with atomic_write(path) as handle:
        handle.write(nbformat.writes(notebook))


_in_task = False


def _worker_started(parent: int | None) -> None:
    """In a report worker, first: a stop signal ends the worker (a report being rendered
    first removes its temporary files and kernel, see :func:`_render_task`), and the worker is
    sent ``SIGTERM`` if the runner (``parent``) dies."""

    def stop(signum: int, frame: object) -> None:
        if _in_task:
            raise Stopped(signum)
        os._exit(128 + signum)  # idle: nothing to clean up

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, stop)
    die_with_parent(signal.SIGTERM, parent)


def _render_task(kwargs: dict) -> ReportResult:
    """Render one report in a pool worker (the worker ends if a stop signal comes)."""
    global _in_task
    _in_task = True
    try:
        return render_report(**kwargs)
    except Stopped as stop:
        # the report's ``finally`` blocks have removed its temporaries; end its kernel and
        # the worker (a worker returning to the pool would wait for work for ever)
        kill_started_kernels()
        os._exit(stop.exit_code)
    finally:
        _in_task = False


def _worker_context():
    """How report workers are started: forked from this process (they inherit papermill and
    the exporter, already loaded) when it runs a single thread, as the ``tallies`` command
    does; from a fresh fork server otherwise. Forking a process that runs other threads (a
    notebook executed in-process before, as in a test session, leaves ZeroMQ and asyncio
    threads behind) can copy a lock that one of them holds, and the worker then waits for
    ever."""
    import multiprocessing
    import threading

    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["papermill", "nbconvert", "analysis.reports.runner"])
    return context


def _render_all(tasks: list[dict], workers: int, done) -> None:
    """Render every task, ``workers`` at a time; ``done`` is called with each result."""
    if workers == 1:  # here, in this process (a stop signal raises Stopped through it)
        for task in tasks:
            done(render_report(**task))
        return
    context = _worker_context()
    parent = os.getpid() if context.get_start_method() == "fork" else None
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_started,
        initargs=(parent,),
    ) as pool:
        futures = [pool.submit(_render_task, task) for task in tasks]
        try:
            for future in concurrent.futures.as_completed(futures):
                try:
                    done(future.result())
                except Exception as error:  # a worker died
                    task = tasks[futures.index(future)]
                    job = task["job"]
                    done(
                        ReportResult(job.name, job.notebook, dict(job.parameters), "failed",
                                     0.0, task["inputs"], error=f"worker failed: {error}")
                    )  # fmt: skip
        except BaseException:
            _end_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _end_workers(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop a pool's worker processes: ``SIGTERM`` (each removes its report's temporaries and
    kernel), then ``SIGKILL`` for any still running after five seconds."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, AttributeError):
            process.terminate()
    deadline = time.monotonic() + 5
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)


def run_reports(
    jobs: Sequence[ReportJob],
    *,
    output_dir: Path,
    notebooks_dir: Path,
    root: Path,
    notes: Sequence[SuiteNote] = (),
    n_jobs: int | None = None,
    show_code: bool = False,
    timeout: float | None = None,
    progress: IO[str] | None = None,
    info: RunInfo | None = None,
    preload: bool | None = None,
    kernel_server: KernelServer | None = None,
    wait: bool = True,
) -> RunSummary:
    """Render ``jobs`` (in parallel) and write the index; returns the results.

    Parameters
    ----------
    jobs
        Validated reports (see :func:`analysis.reports.suite.load_suite`, ``make_job``).
    output_dir
        Where reports and the index go (created).
    notebooks_dir
        The folder holding ``<notebook>.ipynb``.
    root
        The project root: input paths are shown relative to it; its git commit is recorded.
    notes
        Suite items that produced no report, shown on the index.
    n_jobs
        Reports rendered at the same time (default: the number of cores).
    show_code
        Keep the code cells in the HTML.
    timeout
        Per-cell time limit in seconds (default: none).
    progress
        Where progress lines go (default ``sys.stderr``).
    preload
        Fork each report's kernel from a server that has imported the heavy modules once
        (:mod:`analysis.reports.kernels`); None (the default): wherever that is supported
        (Linux). False: every kernel is a new Python process.
    kernel_server
        A kernel server already started by the caller (so it preloads while the caller gets
        the jobs ready); used instead of starting one, and left running.
    wait
        When another run is writing into ``output_dir``: wait for it (True) or raise.

    Raises
    ------
    analysis.errors.OutputError
        ``output_dir`` cannot be written (read-only, not writable, full disk).
    analysis.errors.ReportError
        Another run is writing into ``output_dir`` and ``wait`` is False.
    """
    from analysis.reports.provenance import collect_run_info

    out = progress if progress is not None else sys.stderr
    with output_lock(output_dir, wait=wait, out=out):
        _say_removed(remove_stale_temporaries(output_dir), out)
        try:
            return _run_locked(
                jobs, output_dir=output_dir, notebooks_dir=notebooks_dir, root=root,
                notes=notes, n_jobs=n_jobs, show_code=show_code, timeout=timeout, out=out,
                info=info or collect_run_info(root), preload=preload,
                kernel_server=kernel_server,
            )  # fmt: skip
        except BaseException:
            # the workers are gone, and this process abandoned what it was writing
            remove_stale_temporaries(output_dir, finished=frozenset({os.getpid()}))
            remove_stale_kernel_folders()
            raise


def _say_removed(removed: list[Path], out: IO[str]) -> None:
    if removed:
        names = ", ".join(path.name for path in removed[:3]) + (", ..." if len(removed) > 3 else "")
        print(
            f"removed {len(removed)} temporary file{'s' if len(removed) != 1 else ''} left by an "
            f"interrupted run whose process no longer exists ({names})",
            file=out,
            flush=True,
        )


def _run_locked(
    jobs: Sequence[ReportJob],
    *,
    output_dir: Path,
    notebooks_dir: Path,
    root: Path,
    notes: Sequence[SuiteNote],
    n_jobs: int | None,
    show_code: bool,
    timeout: float | None,
    out: IO[str],
    info: RunInfo,
    preload: bool | None,
    kernel_server: KernelServer | None,
) -> RunSummary:
    """:func:`run_reports` once the output folder is locked."""
    cache: dict[Path, str] = {}
    tasks = []
    early: list[ReportResult] = []
    for job in jobs:
        try:
            inputs = hash_inputs(job.inputs, root, cache)
        except OSError as error:
            early.append(
                ReportResult(job.name, job.notebook, dict(job.parameters), "failed", 0.0,
                             error=f"cannot read an input file: {error}")
            )  # fmt: skip
            continue
        tasks.append(
            {
                "job": job,
                "output_dir": output_dir,
                "notebooks_dir": notebooks_dir,
                "info": info,
                "inputs": inputs,
                "show_code": show_code,
                "timeout": timeout,
            }
        )
    workers = max(1, min(n_jobs or os.cpu_count() or 1, len(tasks) or 1))
    total = len(jobs)
    print(
        f"rendering {total} report{'s' if total != 1 else ''} "
        f"({workers} at a time) into {output_dir}",
        file=out,
        flush=True,
    )
    results: list[ReportResult] = []

    def done(result: ReportResult) -> None:
        results.append(result)
        status = "ok    " if result.status == "ok" else "FAILED"
        line = f"[{len(results)}/{total}] {status} {result.name} ({result.duration:.1f} s)"
        if result.error:
            line += f": {result.error.splitlines()[0][:300]}"
        print(line, file=out, flush=True)

    for result in early:
        done(result)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet kernels' debugger
    if tasks:
        from analysis.reports.kernels import KernelServer, forking_supported

        with contextlib.ExitStack() as stack:
            server = kernel_server
            if server is None and (forking_supported() if preload is None else preload):
                # started first: it imports the heavy modules while the rest gets ready
                server = stack.enter_context(KernelServer())
            if server is not None:
                for task in tasks:
                    task["kernel_server"] = server.address
            # Import papermill and build the exporter once, here: forked workers inherit them.
            import papermill  # noqa: F401

            _exporter(show_code)
            try:
                _render_all(tasks, workers, done)
            except Stopped:
                # the reports finished before the stop are listed (the others keep what the
                # index said of them); then the stop goes on to the command
                _write_sorted_index(output_dir, jobs, results, notes, info)
                raise
    index = _write_sorted_index(output_dir, jobs, results, notes, info)
    return RunSummary(results, list(notes), index)


def _write_sorted_index(
    output_dir: Path,
    jobs: Sequence[ReportJob],
    results: list[ReportResult],
    notes: Sequence[SuiteNote],
    info: RunInfo,
) -> Path:
    """Write the index with ``results`` in the order of ``jobs`` (sorts ``results`` in place)."""
    from analysis.reports.index import write_index

    order = {job.name: position for position, job in enumerate(jobs)}
    results.sort(key=lambda result: order.get(result.name, len(order)))
    return write_index(output_dir, results, notes, info)
