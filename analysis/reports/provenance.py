"""The provenance footer closing every report: what produced it, from which files, when.

The footer lists the report's parameters, the package version, the git commit (when the project is
a git checkout), every input file with its sha256, the versions of the key packages (installed,
and the pin of ``requirements.lock`` when it differs) and the date of the run. All text is
HTML-escaped: a parameter or a path can never inject markup.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from analysis import __version__
from analysis.files import sha256_file
from analysis.sources.api.store import describe_pull

__all__ = [
    "KEY_PACKAGES",
    "InputFile",
    "RunInfo",
    "collect_run_info",
    "git_commit",
    "hash_inputs",
    "footer_html",
    "insert_footer",
]

KEY_PACKAGES: tuple[str, ...] = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "papermill",
    "nbconvert",
)

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class InputFile:
    """One file a report read: where it is (shown relative to the project), its role and sha256.

    ``note`` says where an event export came from when an API pull wrote it: the service, the
    pull's date and the dataset version (from its provenance sidecar).
    """

    path: str
    role: str
    sha256: str
    note: str = ""


@dataclass(frozen=True)
class RunInfo:
    """What is the same for every report of one run (computed once)."""

    version: str
    commit: str | None
    dirty: bool | None
    packages: tuple[tuple[str, str | None, str | None], ...]  # name, installed, pinned
    run_date: str
    extra: Mapping[str, str] = field(default_factory=dict)


def git_commit(root: Path) -> tuple[str | None, bool | None]:
    """The commit checked out in ``root`` and whether tracked files differ from it.

    Asks ``git rev-parse HEAD``; without git (or outside a checkout) reads ``.git/HEAD`` and the
    ref it names. Returns ``(None, None)`` when there is no commit to name.
    """
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        commit = done.stdout.strip()
        if done.returncode == 0 and _SHA.match(commit):
            status = subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
            dirty = bool(status.stdout.strip()) if status.returncode == 0 else None
            return commit, dirty
    except (OSError, subprocess.SubprocessError):
        pass
    return _read_git_head(root / ".git"), None


def _read_git_head(git_dir: Path) -> str | None:
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if _SHA.match(head):
            return head
        if not head.startswith("ref: "):
            return None
        ref = head[5:].strip()
        ref_file = git_dir / ref
        if ref_file.is_file():
            value = ref_file.read_text(encoding="utf-8").strip()
            return value if _SHA.match(value) else None
        packed = git_dir / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref and _SHA.match(parts[0]):
                    return parts[0]
    except OSError:
        return None
    return None


def _pins(lock: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    if not lock.is_file():
        return pins
    for line in lock.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            pins[_normalise(name)] = version.strip()
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def collect_run_info(root: Path, *, now: dt.datetime | None = None) -> RunInfo:
    """Package version, git commit, key package versions and the run date (UTC)."""
    commit, dirty = git_commit(root)
    pins = _pins(root / "requirements.lock")
    packages = []
    for name in KEY_PACKAGES:
        try:
            installed: str | None = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        packages.append((name, installed, pins.get(_normalise(name))))
    moment = now or dt.datetime.now(dt.UTC)
    return RunInfo(
        version=__version__,
        commit=commit,
        dirty=dirty,
        packages=tuple(packages),
        run_date=moment.strftime("%Y-%m-%d %H:%M:%S UTC"),
    )


def hash_inputs(
    files: Iterable[tuple[Path, str]], root: Path, cache: dict[Path, str] | None = None
) -> list[InputFile]:
    """sha256 of each ``(path, role)``; paths inside ``root`` are shown relative to it."""
    out = []
    for path, role in files:
        resolved = path.resolve()
        if cache is not None and resolved in cache:
            digest = cache[resolved]
        else:
            digest = sha256_file(resolved)
            if cache is not None:
                cache[resolved] = digest
        note = (describe_pull(resolved) or "") if role == "event export" else ""
        out.append(
            InputFile(path=display_path(resolved, root), role=role, sha256=digest, note=note)
        )
    return out


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, else as given."""
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


FOOTER_CSS = """
.report-provenance { margin: 3em auto 2em; padding: 1em 1.5em; max-width: 1100px;
  border-top: 2px solid #888; font: 13px/1.45 system-ui, sans-serif; color: #222; }
.report-provenance h2 { font-size: 15px; margin: 0 0 .6em; }
.report-provenance table { border-collapse: collapse; margin: .4em 0 1em; }
.report-provenance th, .report-provenance td { text-align: left; padding: 2px 10px 2px 0;
  vertical-align: top; }
.report-provenance code { font-size: 12px; word-break: break-all; }
"""


def footer_html(
    *,
    name: str,
    notebook: str,
    parameters: Mapping[str, object],
    notebook_file: InputFile | None,
    inputs: Iterable[InputFile],
    info: RunInfo,
    kernel: str | None = None,
) -> str:
    """The provenance footer of one report, as an HTML fragment (everything escaped).
    ``kernel`` says how the notebook's kernel was started."""
    e = html.escape
    rows = "".join(
        f"<tr><th><code>{e(key)}</code></th><td><code>{e(_literal(value))}</code></td></tr>"
        for key, value in parameters.items()
    )
    files = list(inputs)
    if notebook_file is not None:
        files = [notebook_file, *files]
    file_rows = "".join(
        f"<tr><td><code>{e(item.path)}</code></td><td>{e(item.role)}"
        + (f"<br>{e(item.note)}" if item.note else "")
        + "</td>"
        f"<td><code>{e(item.sha256)}</code></td></tr>"
        for item in files
    )
    if info.commit is None:
        commit = "not a git checkout"
    else:
        commit = f"<code>{e(info.commit)}</code>"
        if info.dirty:
            commit += " (with uncommitted changes to tracked files)"
    package_rows = "".join(
        f"<tr><td>{e(pkg)}</td><td><code>{e(installed or 'not installed')}</code></td>"
        f"<td>{_pin_note(installed, pinned)}</td></tr>"
        for pkg, installed, pinned in info.packages
    )
    return (
        f"<style>{FOOTER_CSS}</style>"
        '<footer class="report-provenance" id="provenance">'
        "<h2>Provenance</h2>"
        f"<p>Report <code>{e(name)}</code> from notebook <code>{e(notebook)}</code>, "
        f"rendered {e(info.run_date)} by analysis {e(info.version)}; git commit {commit}."
        + (f" Kernel: {e(kernel)}." if kernel else "")
        + "</p>"
        f"<table><caption>Parameters</caption>{rows}</table>"
        "<table><caption>Input files (sha256)</caption>"
        f"<tr><th>file</th><th>role</th><th>sha256</th></tr>{file_rows}</table>"
        "<table><caption>Key packages</caption>"
        f"<tr><th>package</th><th>installed</th><th>requirements.lock</th></tr>{package_rows}"
        "</table></footer>"
    )


def _pin_note(installed: str | None, pinned: str | None) -> str:
    if pinned is None:
        return "not pinned"
    if installed == pinned:
        return "same"
    return f"<strong>pinned {html.escape(pinned)}</strong>"


def _literal(value: object) -> str:
    return "None" if value is None else json.dumps(value, ensure_ascii=False)


def insert_footer(document: str, footer: str) -> str:
    """Put ``footer`` just before the document's closing ``</body>`` (or at its end)."""
    at = document.lower().rfind("</body>")
    if at == -1:
        return document + footer
    return document[:at] + footer + document[at:]
