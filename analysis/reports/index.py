"""The index page (``reports/index.html``) and its machine-readable twin (``index.json``).

The index lists every report of the run: name (linked), notebook, parameters, status, duration,
the sha256 of the data it used (the evidence-table files, or the event export) and, for a failed
report, the error. Suite items that produced no report (no event export yet, say) are listed with
what to do. Every text is HTML-escaped.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from analysis.files import write_together
from analysis.reports.provenance import InputFile, RunInfo
from analysis.reports.results import ReportResult
from analysis.reports.styles import PRINT_CSS
from analysis.reports.suite import SuiteNote

__all__ = ["write_index", "render_index", "DATA_ROLES"]

DATA_ROLES = ("evidence table", "event export")

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1200px;
  padding: 0 1em; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
a { text-decoration: underline; }
code { font-size: 12px; }
.ok { color: #1a7f37; font-weight: 600; } .failed { color: #b42318; font-weight: 600; }
pre.error { white-space: pre-wrap; background: #fff4f2; border-left: 3px solid #b42318;
  padding: 6px 8px; margin: 4px 0 0; font-size: 12px; }
ul.params, ul.data { margin: 0; padding-left: 1.1em; }
.meta { color: #555; font-size: 13px; }
ul.reports { list-style: none; padding: 0; }
li.report { border-bottom: 1px solid #ddd; padding: 0.6em 0; }
li.report h3 { font-size: 15px; margin: 0 0 0.2em; }
p.headline { margin: 0.2em 0; }
details summary { cursor: pointer; color: #555; font-size: 13px; }
@media print { details { display: none; } a { color: inherit; } }
"""


def write_index(
    output_dir: Path,
    results: Sequence[ReportResult],
    notes: Sequence[SuiteNote],
    info: RunInfo,
) -> Path:
    """Write ``index.html`` and ``index.json`` into ``output_dir``; return the HTML's path.

    The index lists this run's reports and keeps those of the previous index that this run did
    not render and whose page (or notebook) is still in the folder: a suite run, an ad-hoc
    run, or two runs one after the other never drop each other's reports. (The runner holds the
    folder's lock, :mod:`analysis.reports.lock`, so no other run writes it meanwhile.)
    """
    entries = [_to_dict(result) for result in results]
    kept_notes = [asdict(note) for note in notes]
    previous_entries, previous_notes = _previous(output_dir / "index.json")
    names = {entry["name"] for entry in entries}
    kept = [
        entry
        for entry in previous_entries
        if entry.get("name") not in names and _still_there(output_dir, entry)
    ]
    entries = kept + entries
    names |= {note["name"] for note in kept_notes}
    kept_notes = [note for note in previous_notes if note.get("name") not in names] + kept_notes
    manifest_path = output_dir / "index.json"
    manifest = {
        "run_date": info.run_date,
        "version": info.version,
        "commit": info.commit,
        "reports": entries,
        "notes": kept_notes,
    }
    shown = []
    for entry in entries:
        inputs = [InputFile(**item) for item in entry.get("inputs", [])]
        shown.append(ReportResult(**{**entry, "inputs": inputs}))
    notes_shown = [SuiteNote(**note) for note in kept_notes]
    target = output_dir / "index.html"
    write_together(
        {
            manifest_path: json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
            target: render_index(shown, notes_shown, info),
        }
    )
    return target


def _previous(manifest_path: Path) -> tuple[list[dict], list[dict]]:
    """The reports and notes of the index already there (none if it is missing or unreadable:
    it is then replaced)."""
    try:
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
        reports = [entry for entry in previous.get("reports", []) if isinstance(entry, dict)]
        notes = [note for note in previous.get("notes", []) if isinstance(note, dict)]
        for entry in reports:
            ReportResult(**{**entry, "inputs": [InputFile(**i) for i in entry.get("inputs", [])]})
        for note in notes:
            SuiteNote(**note)
    except (OSError, ValueError, TypeError, AttributeError):
        return [], []
    return reports, notes


def _still_there(output_dir: Path, entry: dict) -> bool:
    """Whether a previous report's page or notebook is still in the output folder."""
    for key in ("html", "ipynb"):
        relative = entry.get(key)
        if isinstance(relative, str) and (output_dir / relative).is_file():
            return True
    return False


def _to_dict(result: ReportResult) -> dict:
    data = asdict(result)
    data["duration"] = round(result.duration, 3)
    return data


#: The index's groups, in order, and the notebooks each holds (others go to "Other reports").
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Overview", ("source_comparison",)),
    ("Before and after", ("before_after", "aggregate_trends")),
    ("Incidents", ("incident",)),
    ("Event data", ("event_trends",)),
)


def _group(notebook: str) -> str:
    for title, notebooks in GROUPS:
        if notebook in notebooks:
            return title
    return "Other reports"


def _details(result: ReportResult) -> str:
    """Parameters, inputs with checksums, notebook and timing, behind a "details" toggle."""
    e = html.escape
    params = "".join(
        f"<li><code>{e(key)}</code> = <code>{e(_literal(value))}</code></li>"
        for key, value in result.parameters.items()
    )
    data = "".join(
        f'<li title="{e(item.path)}"><code>{e(Path(item.path).name)}</code> '
        f'<code title="{e(item.sha256)}">{e(item.sha256[:16])}…</code>'
        + (f'<br><span class="meta">{e(item.note)}</span>' if item.note else "")
        + "</li>"
        for item in result.inputs
        if item.role in DATA_ROLES
    )
    notebook = f'<a href="{e(result.ipynb)}">executed notebook</a>, ' if result.ipynb else ""
    return (
        '<details><summary>details</summary><div class="meta">'
        f"{notebook}<code>{e(result.notebook)}</code>, {result.duration:.1f}&nbsp;s"
        + (f", kernel {e(result.kernel)}" if result.kernel else "")
        + f'<ul class="params">{params or "<li>default parameters</li>"}</ul>'
        f'data (sha256): <ul class="data">{data or "<li>none</li>"}</ul></div></details>'
    )


def render_index(results: Sequence[ReportResult], notes: Sequence[SuiteNote], info: RunInfo) -> str:
    """The index page as one HTML document (no scripts, everything escaped).

    Reports are grouped (:data:`GROUPS`); each line gives the report's title, the headline
    finding it opens with, and a "details" toggle with its parameters, inputs and checksums.
    Failed reports are listed apart, with the reason.
    """
    e = html.escape
    ok = [result for result in results if result.status == "ok"]
    failed = [result for result in results if result.status != "ok"]
    sections = []
    order = [title for title, _ in GROUPS] + ["Other reports"]
    for group in order:
        members = [result for result in ok if _group(result.notebook) == group]
        if not members:
            continue
        items = []
        for result in members:
            title = e(result.title or result.name)
            link = f'<a href="{e(result.html)}">{title}</a>' if result.html else title
            headline = (
                f'<p class="headline">{e(result.headline)}</p>'
                if result.headline
                else '<p class="headline meta">This report records no headline finding.</p>'
            )
            items.append(f'<li class="report"><h3>{link}</h3>{headline}{_details(result)}</li>')
        sections.append(f'<h2>{e(group)}</h2><ul class="reports">{"".join(items)}</ul>')
    failed_items = "".join(
        f"<li><strong>{e(result.name)}</strong> (<code>{e(result.notebook)}</code>): "
        f"{e(_first_line(result.error))}"
        + (f' <a href="{e(result.ipynb)}">partial notebook</a>' if result.ipynb else "")
        + (f' <a href="{e(result.html)}">page of an earlier run (kept)</a>' if result.html else "")
        + (f'<pre class="error">{e(result.error)}</pre>' if result.error else "")
        + "</li>"
        for result in failed
    )
    note_items = "".join(
        f"<li><code>{e(note.name)}</code> (<code>{e(note.notebook)}</code>): {e(note.message)}</li>"
        for note in notes
    )
    commit = e(info.commit) if info.commit else "not a git checkout"
    if info.commit and info.dirty:
        commit += " (with uncommitted changes)"
    starts = Counter(result.kernel for result in results if result.kernel)
    kernels = "; ".join(f"{count} {e(how)}" for how, count in sorted(starts.items()))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Civilian-death tallies for Mali: reports</title><style>{_CSS}{PRINT_CSS}</style>"
        "</head><body><main><h1>Civilian-death tallies for Mali: reports</h1>"
        "<p>These reports compare what reporting bodies (Human Rights Watch, the UN mission "
        "MINUSMA and the UN human rights office, the UN Secretary-General, ACLED, UCDP, the "
        "Malian government, armed groups and the press) published about civilians killed in "
        "Mali, across bodies and before and after the arrival of the Wagner Group (December "
        "2021). Every figure comes from a document cited in the report that shows it; "
        "where bodies disagree, the disagreement is shown.</p>"
        f'<p class="meta">{len(results)} report{"s" if len(results) != 1 else ""}: '
        f"{len(ok)} rendered, {len(failed)} failed. Run {e(info.run_date)}, analysis "
        f"{e(info.version)}, git commit <code>{commit}</code>."
        + (f" Kernels: {kernels}." if kernels else "")
        + "</p>"
        + "".join(sections)
        + (f"<h2>Failed</h2><ul>{failed_items}</ul>" if failed_items else "")
        + (f"<h2>Not rendered</h2><ul>{note_items}</ul>" if note_items else "")
        + "</main></body></html>\n"
    )


def _first_line(text: str | None) -> str:
    if not text:
        return "failed without a message."
    return text.strip().splitlines()[-1] if text.strip() else "failed without a message."


def _literal(value: object) -> str:
    return "None" if value is None else json.dumps(value, ensure_ascii=False)
