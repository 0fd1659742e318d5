"""Output safety: text from data never becomes live markup, a formula, a mathtext or code.

A SYNTHETIC evidence table carries ``<script>``, ``<img onerror=...>`` and Markdown link tricks
in its claims, notes, titles, publishers and body names; the ``incident`` and
``source_comparison`` reports are rendered from it and their HTML is parsed tag by tag. CSV
exports neutralise formula-like cells (OWASP, "CSV Injection":
https://owasp.org/www-community/attacks/CSV_Injection), plot labels never turn into mathtext,
and string parameters reach a notebook as inert literals. Every write of the package goes
through :func:`analysis.files.atomic_write` (checked on the source).
"""

from __future__ import annotations

import ast
import csv
import html.parser
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import paths
from analysis.display import definitions_markdown, documents_markdown, md_escape
from analysis.files import neutralise_formula, to_safe_csv
from analysis.plots import plain
from analysis.sources.tallies import BODIES_SPEC, SOURCES_SPEC, TALLIES_SPEC
from tests.tallies.synthetic import BODIES, SOURCES, TALLIES, write_table

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
AUTOLINK = "<javascript:alert(1)>"
PAYLOAD = f"{SCRIPT} {IMG} {LINK} {AUTOLINK} $x$"
INCIDENT = "place-2022-03"  # the synthetic incident with figures from two bodies


class _LiveMarkup(html.parser.HTMLParser):
    """Collects what would run in a browser: script tags, on* attributes, javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed"}:
            self.problems.append(f"<{tag}> tag")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= attribute on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and value:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def live_markup(page: str) -> tuple[list[str], str]:
    parser = _LiveMarkup()
    parser.feed(page)
    parser.close()
    return parser.problems, "".join(parser.text)


def test_the_checker_catches_live_markup() -> None:
    problems, _ = live_markup(f'<p>{SCRIPT}{IMG}<a href=" JavaScript:alert(1)">x</a></p>')
    assert problems == [
        "<script> tag",
        "onerror= attribute on <img>",
        "href=' JavaScript:alert(1)' on <a>",
    ]


# -- Markdown helpers, through the same Markdown renderer and sanitiser as the reports ------------


def _rendered(markdown: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from analysis.reports.runner import clean_output_html

    return clean_output_html(markdown2html_mistune(markdown))


def test_markdown_of_documents_and_definitions_is_inert() -> None:
    documents = pd.DataFrame(
        {
            "source_id": ["src-a"],
            "publisher": [PAYLOAD],
            "title": [PAYLOAD],
            "published": [pd.Timestamp("2022-01-01")],
            "grade": ["P"],
            "url": ["https://example.org/a?x=1)(javascript:alert(1)"],
            "copy_url": ["javascript:alert(1)"],
        }
    )
    bodies = pd.DataFrame(
        {"reporting_body": ["body_a"], "name": [PAYLOAD], "victim_definition": [PAYLOAD]}
    )
    for markdown in (documents_markdown(documents), definitions_markdown(bodies)):
        problems, text = live_markup(_rendered(markdown))
        assert problems == []
        assert SCRIPT in text and "onerror=alert(1)" in text  # shown as text, not dropped


@given(st.text(max_size=80))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_md_escape_never_lets_markup_through(text: str) -> None:
    problems, _ = live_markup(_rendered(f"{md_escape(text)} {md_escape(PAYLOAD + text)}"))
    assert problems == []


# -- plot labels --------------------------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from("ab $\\{}^_"), max_size=30))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_plot_labels_read_as_the_data_never_as_mathtext(text: str) -> None:
    from matplotlib.text import Text

    label = Text(text=plain(text))
    # matplotlib's own decision: mathtext or not, and the string it would draw
    shown, is_math = label._preprocess_math(label.get_text())
    assert is_math is False
    assert shown == text


# -- CSV for spreadsheet users ----------------------------------------------------------------


def test_csv_export_neutralises_formula_injection(tmp_path: Path) -> None:
    cells = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x")']
    frame = pd.DataFrame(
        {
            "claim": pd.array([*cells, "plain text"], dtype="string"),
            "notes": [*cells, None],  # object column
            "value": [-5, 1, 2, 3, 4, 5, 6, 7],  # numbers stay numbers, even negative ones
        }
    )
    path = to_safe_csv(frame, tmp_path / "export.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    shown = ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\t'=1", "'\r=1", '\'=HYPERLINK("http://x")']
    for row, cell in zip(rows, shown, strict=False):
        assert row["claim"] == cell and row["notes"] == cell
    assert rows[-1]["claim"] == "plain text" and rows[-1]["notes"] == ""
    assert [row["value"] for row in rows] == ["-5", "1", "2", "3", "4", "5", "6", "7"]
    assert frame["claim"].iloc[0] == "=1+1", "the caller's frame is not changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"], "no temporary left"


@given(st.text(max_size=20))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_no_neutralised_cell_starts_like_a_formula(text: str) -> None:
    out = neutralise_formula(text)
    assert isinstance(out, str)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    # nor does a cell start like one where a spreadsheet splits at another separator
    for piece in re.split(r"[,;\t|]", out)[1:]:
        assert not piece.lstrip().startswith(("=", "+", "-", "@"))
    assert out.replace("'", "") == text.replace("'", ""), "only quotes are added"


def test_csv_export_neutralises_the_header_the_index_and_after_separators(
    tmp_path: Path,
) -> None:
    frame = pd.DataFrame(
        {
            "=cmd()": ['Gao;=HYPERLINK("http://x")', "a, +1", "a - b", "x|@SUM(A1)"],
            "group": pd.Categorical(["=bad", "ok", "ok", "-x"]),
            "value": [-1, 2, 3, 4],
        },
        index=pd.Index(["=A1", "b", "c", "d"], name="@who"),
    )
    path = to_safe_csv(frame, tmp_path / "export.csv", index=True)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["'@who", "'=cmd()", "group", "value"]
    assert [row[0] for row in rows[1:]] == ["'=A1", "b", "c", "d"]
    assert [row[1] for row in rows[1:]] == [
        'Gao;\'=HYPERLINK("http://x")',
        "a, '+1",
        "a - b",
        "x|'@SUM(A1)",
    ]
    assert [row[2] for row in rows[1:]] == ["'=bad", "ok", "ok", "'-x"]
    assert [row[3] for row in rows[1:]] == ["-1", "2", "3", "4"]
    assert frame.columns[0] == "=cmd()" and frame.index[0] == "=A1", "the caller's frame is kept"


def test_neutralise_leaves_non_text_alone() -> None:
    assert neutralise_formula(-3) == -3 and neutralise_formula(None) is None


# -- parameters -------------------------------------------------------------------------------


@given(st.text(max_size=60))
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_string_parameters_become_inert_literals(text: str) -> None:
    """What papermill writes into the parameters cell evaluates back to the very same string.

    Complements ``tests/reports/test_runner.py``, which runs a notebook with such a string.
    """
    from papermill.translators import PythonTranslator

    from analysis.reports.params import validate_parameters

    values = validate_parameters("incident", {"incident_id": text})
    code = PythonTranslator.codify(values)
    tree = ast.parse(code)
    assert all(isinstance(node, ast.Assign) for node in tree.body), "only assignments"
    for node in tree.body:
        assert isinstance(node, ast.Assign)
        ast.literal_eval(node.value)  # a literal, nothing that calls or imports
    namespace: dict[str, object] = {}
    exec(compile(tree, "<parameters>", "exec"), {}, namespace)
    assert namespace["incident_id"] == text


# -- every write goes through atomic_write ----------------------------------------------------

_WRITERS = {
    "to_csv", "to_parquet", "to_excel", "to_json", "to_feather", "to_pickle", "write_text",
    "write_bytes", "savefig", "write_table", "dump", "writes_to", "write_dataset",
}  # fmt: skip


def _atomic_blocks(tree: ast.AST) -> set[int]:
    """ids of the nodes lexically inside ``with atomic_write(...)``."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With | ast.AsyncWith):
            opens_atomic = any(
                isinstance(item.context_expr, ast.Call)
                and getattr(
                    item.context_expr.func, "id", getattr(item.context_expr.func, "attr", "")
                )
                == "atomic_write"
                for item in node.items
            )
            if opens_atomic:
                for child in node.body:
                    inside.update(id(n) for n in ast.walk(child))
    return inside


def _write_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = _atomic_blocks(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in inside:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "open":
            mode = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "mode":
                    mode = keyword.value
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                found.append((node.lineno, f"{path.name}:{node.lineno} open(..., {mode.value!r})"))
        elif name in _WRITERS:
            found.append((node.lineno, f"{path.name}:{node.lineno} {name}(...)"))
    return [text for _, text in sorted(found)]


def test_every_write_of_the_package_goes_through_atomic_write() -> None:
    package = paths.project_root() / "analysis"
    offenders = [
        call
        for path in sorted(package.rglob("*.py"))
        if path.name != "files.py"  # atomic_write itself
        for call in _write_calls(path)
    ]
    assert offenders == []


def test_the_write_scan_finds_a_bare_write(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(frame, path, fig):\n"
        "    frame.to_csv(path)\n"
        "    with open(path, 'w') as fh:\n"
        "        fh.write('x')\n"
        "    with atomic_write(path) as fh:\n"
        "        frame.to_csv(fh)\n"
        "    fig.savefig(path)\n",
        encoding="utf-8",
    )
    assert _write_calls(sample) == [
        "sample.py:2 to_csv(...)",
        "sample.py:3 open(..., 'w')",
        "sample.py:7 savefig(...)",
    ]


# -- the rendered reports ---------------------------------------------------------------------


def _poisoned_evidence(folder: Path) -> Path:
    """The SYNTHETIC evidence table with markup planted in every free-text field shown."""
    sources = [dict(row, title=f"{row['title']} {PAYLOAD}", publisher=PAYLOAD) for row in SOURCES]
    bodies = [dict(row, name=f"{row['name']} {PAYLOAD}", victim_definition=PAYLOAD)
              for row in BODIES]  # fmt: skip
    tallies = [
        dict(row, claim=f"{row['claim']} {PAYLOAD}", notes=PAYLOAD, place=PAYLOAD,
             perpetrator_claimed=PAYLOAD)
        for row in TALLIES
    ]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    write_table(folder / "sources.csv", SOURCES_SPEC, sources)
    write_table(folder / "bodies.csv", BODIES_SPEC, bodies)
    write_table(folder / "tallies.csv", TALLIES_SPEC, tallies)
    return folder


@pytest.fixture(scope="module")
def poisoned_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from analysis.reports.runner import run_reports
    from analysis.reports.suite import make_job

    base = tmp_path_factory.mktemp("poisoned")
    evidence = _poisoned_evidence(base / "evidence")
    jobs = [
        make_job(
            "incident",
            {"incident_id": INCIDENT, "tallies_dir": str(evidence)},
            name="incident-poisoned",
        ),
        make_job(
            "source_comparison",
            {
                "tallies_dir": str(evidence),
                "start": "2022-01-01",
                "end": "2022-12-31",
                "reference_body": "body_a",
            },
            name="comparison-poisoned",
        ),  # fmt: skip
    ]
    out = base / "out"
    summary = run_reports(
        jobs,
        output_dir=out,
        notebooks_dir=paths.project_root() / "notebooks",
        root=paths.project_root(),
        n_jobs=2,
        progress=open(base / "progress.txt", "w", encoding="utf-8"),
    )
    assert [r.error for r in summary.results] == [None, None]
    pages = {r.name: (out / str(r.html)).read_text(encoding="utf-8") for r in summary.results}
    pages["index"] = (out / "index.html").read_text(encoding="utf-8")
    return pages


@pytest.mark.notebook
@pytest.mark.parametrize("name", ["incident-poisoned", "comparison-poisoned", "index"])
def test_planted_markup_is_shown_as_text_never_live(
    poisoned_reports: dict[str, str], name: str
) -> None:
    from analysis.reports.assets import table_script

    page = poisoned_reports[name]
    # the one script a page may carry is the project's own table script, exactly as the
    # project writes it (no data in it); anything else is live markup
    own = table_script()
    assert page.count("<script") == page.count(own)
    problems, text = live_markup(page.replace(own, ""))
    assert problems == []
    assert "javascript:" not in page.replace("javascript:alert(1)", "").lower()
    if name != "index":
        # the payload reached the page, as visible text
        assert SCRIPT in text and "onerror=alert(1)" in text
        assert "(javascript:alert(1))" in text or "javascript:alert(1)" in text
