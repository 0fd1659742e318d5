"""The runner end to end on synthetic fixture notebooks: papermill, HTML export, index, footer.

One suite of the four fixture notebooks is rendered once for the module (two at a time); the
tests read what it wrote. Kernel starts are the slow part, so few runs are made.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from analysis.cli import main
from analysis.files import sha256_file
from analysis.reports import runner
from analysis.reports.kernels import FORKED, NEW_PROCESS, forking_supported
from analysis.reports.lock import LOCK_NAME
from analysis.reports.provenance import collect_run_info
from analysis.reports.runner import RunSummary, run_reports
from analysis.reports.suite import make_job

pytestmark = pytest.mark.notebook

TRICKY = 'quote " apostrophe \' backslash \\ n\\n newline\nend """ {x} $(y) é'
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def suite_run(
    tmp_path_factory: pytest.TempPathFactory, register_specs
) -> Iterator[tuple[RunSummary, Path]]:
    out = tmp_path_factory.mktemp("reports")
    data = tmp_path_factory.mktemp("data") / "input.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")  # synthetic input file
    with pytest.MonkeyPatch.context() as patch:
        register_specs(patch)
        jobs = [
            make_job(
                "echo",
                {"text": TRICKY, "items": ["a", "b,c"], "source_path": str(data)},
                name="echo",
            ),
            make_job("figure", name="figure"),
            make_job("fails", {"message": "bad <script>alert(3)</script>"}, name="fails"),
            make_job("script", name="script"),
        ]
        summary = run_reports(
            jobs,
            output_dir=out,
            notebooks_dir=FIXTURES,
            root=ROOT,
            n_jobs=2,
        )
    yield summary, out


def _result(summary: RunSummary, name: str):
    return next(result for result in summary.results if result.name == name)


def test_one_failure_does_not_stop_the_others(suite_run) -> None:
    summary, out = suite_run
    assert {r.name: r.status for r in summary.results} == {
        "echo": "ok",
        "figure": "ok",
        "fails": "failed",
        "script": "ok",
    }
    failed = _result(summary, "fails")
    assert "ValueError" in failed.error and "alert(3)" in failed.error
    assert not (out / "fails" / "fails.html").exists()
    partial = nbformat.read(out / "fails" / "fails.failed.ipynb", as_version=4)
    outputs = [o.get("text", "") for c in partial.cells if c.cell_type == "code" for o in c.outputs]
    assert "before the error\n" in outputs


def test_html_and_executed_notebook_sit_side_by_side(suite_run) -> None:
    summary, out = suite_run
    for name in ("echo", "figure", "script"):
        assert (out / name / f"{name}.html").is_file()
        assert (out / name / f"{name}.ipynb").is_file()
    leftovers = [p for p in out.rglob("*") if p.name.startswith(".") and p.name != LOCK_NAME]
    assert leftovers == []


def test_string_parameters_arrive_intact_and_inert(suite_run) -> None:
    summary, out = suite_run
    executed = nbformat.read(out / "echo" / "echo.ipynb", as_version=4)
    printed = "".join(
        o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs
    )
    line = next(row for row in printed.splitlines() if row.startswith("ECHO "))
    echoed = json.loads(line[len("ECHO ") :])
    assert echoed["text"] == TRICKY
    assert echoed["items"] == ["a", "b,c"]
    assert echoed["day"] == "2020-01-01"
    assert echoed["number"] == 1
    assert Path(echoed["source_path"]).is_absolute()


def test_code_is_hidden_and_nothing_loads_from_the_network(suite_run) -> None:
    summary, out = suite_run
    page = (out / "echo" / "echo.html").read_text(encoding="utf-8")
    assert "SECRET_SOURCE_MARKER" not in page
    assert "ECHO " in page  # the output is there
    assert re.search(r"<script", page, re.IGNORECASE) is None
    assert re.search(r"""(src|href)=["']?(https?:)?//""", page) is None


def test_figures_are_embedded_as_data_uris(suite_run) -> None:
    summary, out = suite_run
    page = (out / "figure" / "figure.html").read_text(encoding="utf-8")
    images = re.findall(r"<img\s[^>]*src=\"([^\"]{0,40})", page)
    assert images, "no image in the figure report"
    assert all(src.startswith("data:image/png;base64,") for src in images)


def test_markup_from_data_is_escaped_never_live(suite_run) -> None:
    summary, out = suite_run
    page = (out / "script" / "script.html").read_text(encoding="utf-8")
    assert re.search(r"<script", page, re.IGNORECASE) is None
    assert "onerror" not in page.replace("&quot;onerror", "")
    # shown as text, in the table, the Markdown, the HTML output, the stream and the footer
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5


def test_provenance_footer_names_inputs_with_checksums(suite_run) -> None:
    summary, out = suite_run
    page = (out / "echo" / "echo.html").read_text(encoding="utf-8")
    footer = page[page.index('id="provenance"') :]
    assert footer.index("</footer>") < footer.index("</body>")
    assert sha256_file(FIXTURES / "echo.ipynb") in footer
    for item in _result(summary, "echo").inputs:
        assert item.sha256 in footer and item.path in footer
    if collect_run_info(ROOT).commit:  # commits may land meanwhile: check the form only
        assert re.search(r"git commit <code>[0-9a-f]{40}</code>", footer)
    for package in ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "papermill"):
        assert f"<td>{package}</td>" in footer
    assert "nbconvert" in footer
    kernel = _result(summary, "echo").kernel
    assert kernel == (FORKED if forking_supported() else NEW_PROCESS)
    assert f"Kernel: {kernel}." in footer
    assert "&lt;script&gt;alert(1)" not in footer  # echo had no such parameter
    assert html.escape(json.dumps(TRICKY, ensure_ascii=False)) in footer  # escaped


def test_index_lists_every_report_with_status_and_error(suite_run) -> None:
    summary, out = suite_run
    index = summary.index.read_text(encoding="utf-8")
    assert summary.index == out / "index.html"
    for name in ("echo", "figure", "fails", "script"):
        assert f">{name}<" in index
    assert 'href="echo/echo.html"' in index
    assert index.count('class="report"') == 3  # the rendered ones, each with its details
    assert "<h2>Failed</h2>" in index and index.count("<strong>fails</strong>") == 1
    assert "bad &lt;script&gt;alert(3)&lt;/script&gt;" in index
    assert re.search(r"<script", index, re.IGNORECASE) is None
    manifest = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [entry["name"] for entry in manifest["reports"]] == ["echo", "figure", "fails", "script"]
    assert {entry["kernel"] for entry in manifest["reports"]} == {_result(summary, "echo").kernel}
    assert f"Kernels: 4 {_result(summary, 'echo').kernel}." in index


def test_show_code_keeps_the_code_and_adhoc_runs_merge_into_the_index(
    suite_run, fixture_specs, capsys: pytest.CaptureFixture[str]
) -> None:
    summary, out = suite_run
    code = main(
        [
            "report",
            "--notebook",
            "echo",
            "-p",
            "number=3",
            "--show-code",
            "--jobs",
            "1",
            "--output-dir",
            str(out),
            "--notebooks-dir",
            str(FIXTURES),
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out / "index.html")
    assert "[1/1] ok" in captured.err
    page = (out / "echo-number-3" / "echo-number-3.html").read_text(encoding="utf-8")
    assert "SECRET_SOURCE_MARKER" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert ">echo-number-3<" in index and ">figure<" in index


def test_failing_adhoc_report_exits_non_zero(
    tmp_path: Path, fixture_specs, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "report",
            "--notebook",
            "fails",
            "--jobs",
            "1",
            "--no-preload",  # the kernel is a new process: that path fails the same way
            "--output-dir",
            str(tmp_path),
            "--notebooks-dir",
            str(FIXTURES),
        ]
    )
    assert code == 1
    assert "1 of 1 reports failed: fails" in capsys.readouterr().err
    manifest = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert manifest["reports"][0]["kernel"] == NEW_PROCESS


def test_an_interrupted_export_leaves_no_html(
    tmp_path: Path, fixture_specs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "insert_footer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_reports(
            [make_job("figure", name="figure")],
            output_dir=tmp_path,
            notebooks_dir=FIXTURES,
            root=ROOT,
            n_jobs=1,
        )
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert not [p for p in written if p.endswith(".html")]
    assert not [p for p in written if Path(p).name.startswith(".") and p != LOCK_NAME]


def test_a_missing_notebook_is_a_failed_report(tmp_path: Path) -> None:
    summary = run_reports(
        [make_job("incident", name="incident-x")],
        output_dir=tmp_path,
        notebooks_dir=tmp_path / "no-notebooks",
        root=ROOT,
        n_jobs=1,
    )
    assert summary.results[0].status == "failed"
    assert "does not exist" in summary.results[0].error


def test_index_groups_reports_and_shows_their_headlines() -> None:
    """Reports are grouped (overview, before/after, incidents, event data) in that order,
    each line with its recorded title and headline (escaped); failed reports apart."""
    from analysis.reports.index import render_index
    from analysis.reports.provenance import RunInfo
    from analysis.reports.results import ReportResult

    def result(name, notebook, headline=None, status="ok"):
        return ReportResult(
            name, notebook, {}, status, 1.0, html=f"{name}/{name}.html",
            title=f"Title of {name}", headline=headline,
            error=None if status == "ok" else "Traceback...\nValueError: no series",
        )  # fmt: skip

    results = [
        result("moura", "incident", "Six bodies published <b>25</b> figures."),
        result("ba", "before_after", "The rate is not distinguishable."),
        result("overview", "source_comparison", "The table holds 121 figures."),
        result("broken", "event_trends", status="failed"),
    ]
    info = RunInfo(version="0", commit=None, dirty=False, packages=(), run_date="2026-01-01")
    page = render_index(results, [], info)
    order = [page.index(h) for h in ("<h2>Overview", "<h2>Before and after", "<h2>Incidents")]
    assert order == sorted(order)
    assert "Six bodies published &lt;b&gt;25&lt;/b&gt; figures." in page
    assert ">Title of ba</a>" in page and "<details>" in page
    assert "<h2>Failed</h2>" in page and "ValueError: no series" in page
    assert "<h2>Event data" not in page  # the only event report failed
