"""The suite file (``reports/suite.yml``): which reports to render, validated before anything runs.

A suite file is a YAML list. Each item is one of:

``{name, notebook, parameters}``
    One report. ``name`` is optional (default: the notebook's name); ``parameters`` too.

``{notebook: incident, foreach: {incidents_with_min_bodies: 2}, name: "incident-{incident_id}"}``
    One report per incident with figures from at least that many distinct reporting bodies in
    the evidence table; ``{incident_id}`` in the name is replaced by the id.

``{notebook: event_trends, when: event_export, name: event_trends, parameters: {...}}``
    Joins only when an ACLED or UCDP event export sits anywhere under ``data/raw/`` (recognised
    by its content, not its folder or name): one report per export, with ``events_path`` and
    ``source`` filled in. Without one, the index says how to add one; a file there that no
    reader takes is listed in the index with what it looks like.

``{notebook: aggregate_trends, when: aggregate_export, name: aggregate_trends}``
    The same for HDX/HAPI monthly aggregate tables (``aggregates_path`` filled in).

Every report name is sanitised (letters, digits, ``.``, ``_``, ``-``), so no name or parameter
can make the runner write outside the output folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis import paths
from analysis.errors import AnalysisError, ParameterError
from analysis.reports.params import get_spec, validate_parameters
from analysis.sources.api.store import is_sidecar

__all__ = [
    "ReportJob",
    "SuiteNote",
    "Suite",
    "load_suite",
    "expand_suite",
    "make_job",
    "safe_name",
    "adhoc_name",
    "find_event_exports",
    "find_aggregate_files",
    "find_exports",
    "incidents_with_min_bodies",
    "job_inputs",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 100


@dataclass(frozen=True)
class ReportJob:
    """One validated report to render."""

    name: str
    notebook: str
    parameters: dict[str, object]
    inputs: tuple[tuple[Path, str], ...] = ()  # (file, role)


@dataclass(frozen=True)
class SuiteNote:
    """A suite item that did not produce a report, with the reason and what to do."""

    name: str
    notebook: str
    message: str


@dataclass
class Suite:
    """The reports of a suite file after expansion, and the notes about items left out."""

    jobs: list[ReportJob] = field(default_factory=list)
    notes: list[SuiteNote] = field(default_factory=list)


def safe_name(text: str) -> str:
    """A file-system-safe report name: no separators, no leading dot, at most 100 characters.

    Runs of other characters (and of dots) become ``-``; a name too long is cut and given a short hash of the
    original, so two long names stay distinct.
    """
    cleaned = re.sub(r"\.{2,}", "-", _UNSAFE.sub("-", text))
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-.")
    if len(cleaned) > _MAX_NAME:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        cleaned = cleaned[: _MAX_NAME - 9].rstrip("-.") + "-" + digest
    return cleaned or "report"


def adhoc_name(notebook: str, parameters: Mapping[str, object]) -> str:
    """The name of a one-off report: the notebook, then each parameter given, ``name-value``."""
    parts = [notebook]
    for key, value in parameters.items():
        shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        if key.endswith("_path") or key.endswith("_dir"):
            shown = Path(shown).stem if value is not None else "none"
        parts.append(f"{key}-{shown}")
    return safe_name("-".join(parts))


def make_job(
    notebook: str,
    parameters: Mapping[str, object] | None = None,
    *,
    name: str | None = None,
    base_dir: Path | None = None,
) -> ReportJob:
    """Validate one report (raising :class:`ParameterError`) and list the files it will read."""
    values = validate_parameters(notebook, parameters, base_dir=base_dir)
    job_name = safe_name(name) if name else adhoc_name(notebook, dict(parameters or {}))
    return ReportJob(job_name, notebook, values, tuple(job_inputs(notebook, values)))


def job_inputs(notebook: str, parameters: Mapping[str, object]) -> list[tuple[Path, str]]:
    """The data files a report reads: the evidence table (or the event export) and ``data/hand``.

    An incident report also reads the exports given as ``acled_path`` and ``ucdp_path``.

    The evidence table is every ``*.csv`` of ``tallies_dir`` (default: the shipped
    ``data/tallies``); the hand-made lookups every file of ``data/hand``.
    """
    spec = get_spec(notebook)
    files: list[tuple[Path, str]] = []
    if spec.input_param is not None:
        files.append((Path(str(parameters[spec.input_param])), spec.input_role))
    else:
        folder = parameters.get("tallies_dir")
        tallies = Path(str(folder)) if folder else paths.tallies_dir()
        files.extend((path, "evidence table") for path in _files(tallies, "*.csv"))
        for name in ("acled_path", "ucdp_path"):  # exports shown beside an incident's figures
            if parameters.get(name):
                files.append((Path(str(parameters[name])), "event export"))
    files.extend((path, "hand lookup") for path in _files(paths.hand_dir(), "*"))
    return files


def _files(folder: Path, pattern: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.glob(pattern)
        if path.is_file() and not path.name.startswith(".") and path.name != "README.md"
    )


def find_exports(raw: Path | None = None) -> list[tuple[Path, str | None, str]]:
    """Every file under ``data/raw/`` (any depth) with the reader its content calls for.

    Returns
    -------
    list of (path, source, reason)
        ``source`` is ``"acled"``, ``"ucdp"`` or ``"hdx"`` (see
        :func:`analysis.sources.formats.detect_source`), or ``None`` for a file no reader
        takes, with ``reason`` saying what it looks like. Sorted by path; hidden files and
        folders (unfinished pulls lie in ``.partial/``), ``README.md``, the provenance
        sidecars of pulled files (``*.provenance.json``) and the previous versions an update
        keeps (``previous/``) are skipped.
    """
    from analysis.errors import DataError
    from analysis.sources.formats import ACCEPTED, detect_source, sniff_format

    raw = raw if raw is not None else paths.raw_dir()
    if not raw.is_dir():
        return []
    found: list[tuple[Path, str | None, str]] = []
    for path in sorted(raw.rglob("*")):
        relative = path.relative_to(raw)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.name == "README.md" or is_sidecar(path) or "previous" in relative.parts[:-1]:
            continue
        source = detect_source(path)
        reason = ""
        if source is None:
            try:
                sniffed = sniff_format(path)
                reason = (
                    f"a {sniffed.format} table that is not an ACLED, UCDP or HDX export "
                    f"(accepted: {ACCEPTED})"
                )
            except DataError as error:
                reason = error.message
        found.append((path, source, reason))
    return found


def find_event_exports(raw: Path | None = None) -> list[tuple[Path, str]]:
    """Event exports under ``data/raw/`` (any folder), recognised by content: ``(file, source)``
    with source ``"acled"`` or ``"ucdp"``."""
    return [(p, s) for p, s, _ in find_exports(raw) if s in ("acled", "ucdp")]


def find_aggregate_files(raw: Path | None = None) -> list[Path]:
    """HDX/HAPI aggregate tables under ``data/raw/`` (any folder), recognised by content."""
    return [p for p, s, _ in find_exports(raw) if s == "hdx"]


def incidents_with_min_bodies(min_bodies: int, tallies_dir: Path | None = None) -> list[str]:
    """Incident ids with figures from at least ``min_bodies`` distinct reporting bodies.

    Reads the evidence table of ``tallies_dir`` (default: the shipped one) with
    :func:`analysis.load_tallies` and asks :func:`analysis.compare.incidents_with_bodies`.
    Sorted by id.
    """
    from analysis.compare import incidents_with_bodies
    from analysis.sources.tallies import load_tallies

    tallies = load_tallies((tallies_dir or paths.tallies_dir()) / "tallies.csv")
    found = incidents_with_bodies(tallies, min_bodies=min_bodies)
    return sorted(str(value) for value in found["incident_id"])


def load_suite(
    path: str | os.PathLike[str],
    *,
    raw_dir: Path | None = None,
    tallies_dir: Path | None = None,
) -> Suite:
    """Read, expand and validate a suite file.

    Parameters
    ----------
    path
        The YAML suite file.
    raw_dir
        Where event exports are looked for (default ``data/raw``).
    tallies_dir
        The evidence table used to expand ``foreach`` items (default: the shipped one).

    Raises
    ------
    analysis.errors.ParameterError
        The file is not a list of items, an item has unknown keys, a notebook or parameter is
        unknown or invalid, or two reports have the same name. Every message names the file and
        the item.
    """
    import yaml

    suite_path = Path(path)
    try:
        raw = suite_path.read_bytes()
    except OSError as error:
        raise ParameterError(f"cannot read the suite file {suite_path}: {error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ParameterError(
            f"{suite_path}: line {line}: bytes that are not valid UTF-8; save the file as UTF-8"
        ) from None
    try:
        items = yaml.load(text, Loader=_suite_loader())  # a SafeLoader
    except yaml.YAMLError as error:
        raise ParameterError(f"{suite_path}: not valid YAML: {error}") from None
    except RecursionError:
        raise ParameterError(
            f"{suite_path}: not valid YAML: lists or mappings nested too deeply to read"
        ) from None
    if not isinstance(items, list):
        raise ParameterError(f"{suite_path}: a suite file is a YAML list of reports")
    return expand_suite(
        items,
        origin=str(suite_path),
        raw_dir=raw_dir,
        tallies_dir=tallies_dir,
        base_dir=suite_path.resolve().parent,
    )


def _suite_loader() -> type:
    """YAML's safe loader, with an impossible date (``2022-02-30``) a YAML error at its line.

    The safe loader itself lets the ``ValueError`` of ``datetime.date`` escape, without a line.
    """
    import yaml

    class SuiteLoader(yaml.SafeLoader):
        pass

    def timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date ({error})", node.start_mark
            ) from None

    SuiteLoader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return SuiteLoader


_KEYS = {"name", "notebook", "parameters", "foreach", "when"}
#: suffixes left out of a report's name (``mali.csv.gz`` gives ``mali``)
_DATA_SUFFIXES = {
    ".csv",
    ".tsv",
    ".txt",
    ".gz",
    ".zip",
    ".json",
    ".xlsx",
    ".parquet",
    ".rda",
    ".rds",
    ".rdata",
}
#: ``when`` conditions -> the note shown when nothing matches
_WHEN = {
    "event_export": (
        "not rendered: no ACLED or UCDP event export found under data/raw/. Put an export "
        "there (any folder; CSV, xlsx, parquet, JSON, R data, gzip or zip; see "
        "data/raw/README.md) and run `make report` again, or run `tallies report --notebook "
        "event_trends -p events_path=PATH`."
    ),
    "aggregate_export": (
        "not rendered: no HDX or HAPI aggregate table found under data/raw/. Put ACLED's "
        "monthly aggregates from HDX (the .xlsx workbook) or a HAPI conflict-event CSV there "
        "and run `make report` again, or run `tallies report --notebook aggregate_trends -p "
        "aggregates_path=PATH`."
    ),
}


def expand_suite(
    items: Sequence[object],
    *,
    origin: str = "suite",
    raw_dir: Path | None = None,
    tallies_dir: Path | None = None,
    base_dir: Path | None = None,
) -> Suite:
    """Expand and validate suite items (see the module docstring for their forms).

    Relative paths in parameters are resolved against ``base_dir``: the suite file's folder
    when read by :func:`load_suite` (default: the current directory).
    """
    suite = Suite()
    base_dir = base_dir if base_dir is not None else Path.cwd()
    for number, item in enumerate(items, start=1):
        where = f"{origin}: item {number}"
        if not isinstance(item, dict):
            raise ParameterError(f"{where}: each item is a mapping with at least 'notebook'")
        unknown = set(item) - _KEYS
        if unknown:
            raise ParameterError(
                f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                f"known: {', '.join(sorted(_KEYS))}"
            )
        notebook = item.get("notebook")
        if not isinstance(notebook, str):
            raise ParameterError(f"{where}: 'notebook' must name a notebook")
        parameters = item.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise ParameterError(f"{where}: 'parameters' must be a mapping")
        name = item.get("name", notebook)
        if not isinstance(name, str):
            raise ParameterError(f"{where}: 'name' must be text")
        try:
            for params, job_name in _instances(
                item, notebook, name, parameters, where, raw_dir, tallies_dir, suite, base_dir
            ):
                suite.jobs.append(make_job(notebook, params, name=job_name, base_dir=base_dir))
        except ParameterError as error:
            if str(error).startswith(origin):
                raise
            raise ParameterError(f"{where} ({notebook}): {error}") from None
    seen: dict[str, int] = {}
    for job in suite.jobs:
        seen[job.name] = seen.get(job.name, 0) + 1
    doubled = sorted(name for name, count in seen.items() if count > 1)
    if doubled:
        raise ParameterError(f"{origin}: report names used twice: {', '.join(doubled)}")
    return suite


def _instances(
    item: Mapping[str, object],
    notebook: str,
    name: str,
    parameters: dict[str, object],
    where: str,
    raw_dir: Path | None,
    tallies_dir: Path | None,
    suite: Suite,
    base_dir: Path,
) -> list[tuple[dict[str, object], str]]:
    foreach, when = item.get("foreach"), item.get("when")
    if foreach is not None and when is not None:
        raise ParameterError(f"{where}: use either 'foreach' or 'when', not both")
    if foreach is not None:
        if not isinstance(foreach, dict) or set(foreach) != {"incidents_with_min_bodies"}:
            raise ParameterError(f"{where}: foreach supports only incidents_with_min_bodies: N")
        minimum = foreach["incidents_with_min_bodies"]
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
            raise ParameterError(f"{where}: incidents_with_min_bodies must be a positive integer")
        if "incident_id" in parameters:
            raise ParameterError(f"{where}: foreach sets incident_id; do not give it too")
        folder = parameters.get("tallies_dir")
        source = (base_dir / str(folder)).resolve() if folder else tallies_dir
        try:
            incidents = incidents_with_min_bodies(minimum, source)
        except (AnalysisError, OSError) as error:
            raise ParameterError(f"{where}: cannot list the incidents: {error}") from None
        if not incidents:
            suite.notes.append(
                SuiteNote(name, notebook, f"no incident has figures from {minimum} bodies")
            )
        template = name if "{incident_id}" in name else name + "-{incident_id}"
        return [
            ({**parameters, "incident_id": incident}, template.replace("{incident_id}", incident))
            for incident in incidents
        ]
    if when is not None:
        if when not in _WHEN:
            raise ParameterError(f"{where}: 'when' supports only {' or '.join(_WHEN)}")
        raw = raw_dir if raw_dir is not None else paths.raw_dir()
        found = find_exports(raw)
        if when == "event_export":
            for path, _, reason in (f for f in found if f[1] is None):
                suite.notes.append(
                    SuiteNote(
                        safe_name(f"unread-{path.relative_to(raw)}"),
                        notebook,
                        f"data/raw/{path.relative_to(raw).as_posix()} was not read: {reason}",
                    )
                )
        wanted = ("acled", "ucdp") if when == "event_export" else ("hdx",)
        exports = [(path, source) for path, source, _ in found if source in wanted]
        if not exports:
            suite.notes.append(SuiteNote(name, notebook, _WHEN[when]))
            return []
        input_param = get_spec(notebook).input_param or "events_path"
        several = len(exports) > 1
        instances = []
        for path, source in exports:
            values = {**parameters, input_param: str(path)}
            if when == "event_export":
                values["source"] = source
            label = path.relative_to(raw)
            while label.suffix.lower() in _DATA_SUFFIXES:  # mali.csv.gz -> mali
                label = label.with_suffix("")
            instances.append((values, safe_name(f"{name}-{label.as_posix()}") if several else name))
        return instances
    return [(parameters, name)]
