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
from typing import TYPE_CHECKING

from analysis.files import atomic_write
from analysis.reports.provenance import InputFile, RunInfo
from analysis.reports.suite import SuiteNote

if TYPE_CHECKING:
    from analysis.reports.runner import ReportResult

__all__ = ["write_index", "render_index", "DATA_ROLES"]

DATA_ROLES = ("evidence table", "event export")

_CSS = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1200px;
  padding: 0 1em; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font-size: 12px; }
.ok { color: #1a7f37; font-weight: 600; } .failed { color: #b42318; font-weight: 600; }
pre.error { white-space: pre-wrap; background: #fff4f2; border-left: 3px solid #b42318;
  padding: 6px 8px; margin: 4px 0 0; font-size: 12px; }
ul.params, ul.data { margin: 0; padding-left: 1.1em; }
.meta { color: #555; font-size: 13px; }
"""


def write_index(
    output_dir: Path,
    results: Sequence[ReportResult],
    notes: Sequence[SuiteNote],
    info: RunInfo,
    *,
    merge: bool = False,
) -> Path:
    """Write ``index.html`` and ``index.json`` into ``output_dir``; return the HTML's path.

    With ``merge``, reports of the previous index that this run did not render are kept.
    """
    from analysis.reports.runner import ReportResult

    entries = [_to_dict(result) for result in results]
    kept_notes = [asdict(note) for note in notes]
    manifest_path = output_dir / "index.json"
    if merge and manifest_path.is_file():
        try:
            previous = json.loads(manifest_path.read_text(encoding="utf-8"))
            names = {entry["name"] for entry in entries}
            entries = [
                e for e in previous.get("reports", []) if e.get("name") not in names
            ] + entries
            kept_notes = previous.get("notes", []) + kept_notes
        except (OSError, ValueError, TypeError, AttributeError):
            pass  # an unreadable old index is replaced
    manifest = {
        "run_date": info.run_date,
        "version": info.version,
        "commit": info.commit,
        "reports": entries,
        "notes": kept_notes,
    }
    with atomic_write(manifest_path) as handle:
        json.dump(manifest, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    shown = []
    for entry in entries:
        inputs = [InputFile(**item) for item in entry.get("inputs", [])]
        shown.append(ReportResult(**{**entry, "inputs": inputs}))
    notes_shown = [SuiteNote(**note) for note in kept_notes]
    target = output_dir / "index.html"
    with atomic_write(target) as handle:
        handle.write(render_index(shown, notes_shown, info))
    return target


def _to_dict(result: ReportResult) -> dict:
    data = asdict(result)
    data["duration"] = round(result.duration, 3)
    return data


def render_index(results: Sequence[ReportResult], notes: Sequence[SuiteNote], info: RunInfo) -> str:
    """The index page as one HTML document (no scripts, everything escaped)."""
    e = html.escape
    ok = sum(result.status == "ok" for result in results)
    failed = len(results) - ok
    rows = []
    for result in results:
        link = f'<a href="{e(result.html)}">{e(result.name)}</a>' if result.html else e(result.name)
        if result.ipynb:
            link += f' <span class="meta">(<a href="{e(result.ipynb)}">notebook</a>)</span>'
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
        status = f'<span class="{e(result.status)}">{e(result.status)}</span>'
        if result.error:
            status += f'<pre class="error">{e(result.error)}</pre>'
        rows.append(
            f"<tr><td>{link}</td><td><code>{e(result.notebook)}</code></td>"
            f'<td><ul class="params">{params}</ul></td><td>{status}</td>'
            f"<td>{result.duration:.1f}&nbsp;s</td>"
            f'<td><ul class="data">{data or "<li>none</li>"}</ul></td></tr>'
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
        f"<title>Reports</title><style>{_CSS}</style></head><body>"
        "<h1>Civilian-death tallies for Mali: reports</h1>"
        f'<p class="meta">{len(results)} report{"s" if len(results) != 1 else ""}: '
        f"{ok} rendered, {failed} failed. Run {e(info.run_date)}, analysis {e(info.version)}, "
        f"git commit <code>{commit}</code>."
        + (f" Kernels: {kernels}." if kernels else "")
        + " The data column gives the sha256 of the files "
        "each report read (the evidence table or the event export); every report ends with "
        "the full list.</p>"
        "<table><thead><tr><th>report</th><th>notebook</th><th>parameters</th><th>status</th>"
        "<th>duration</th><th>data (sha256)</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + (f"<h2>Not rendered</h2><ul>{note_items}</ul>" if note_items else "")
        + "</body></html>\n"
    )


def _literal(value: object) -> str:
    return "None" if value is None else json.dumps(value, ensure_ascii=False)
