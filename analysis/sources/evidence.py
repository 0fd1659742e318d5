"""The evidence table as a whole: the shipped folder, and a researcher's own figures merged in.

A researcher adds figures without editing the shipped files: an *overlay* folder holds any of
``sources.csv``, ``bodies.csv``, ``tallies.csv``, ``known_issues.csv`` and
``stated_changes.csv``, with the columns of the codebook (``data/tallies/README.md``). Its rows
are validated by the same rules, may refer to the shipped documents, bodies and figures (and
the other way round is never needed), must not reuse a shipped identifier, and are marked
``origin = "researcher"`` (the shipped rows ``"shipped"``).

The overlay is given as an argument, or by the environment variable ``TALLIES_OVERLAY_DIR``
(read by :func:`load_evidence`, so the notebooks and the reports pick it up too).
:func:`check_evidence` collects every problem of every file in one pass instead of stopping at
the first, for ``tallies data check``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.errors import DataError
from analysis.sources._csvtable import IDENTIFIER, TableSpec, read_records, report
from analysis.sources.tallies import (
    BODIES_SPEC,
    KNOWN_ISSUES_SPEC,
    SOURCES_SPEC,
    STATED_CHANGES_SPEC,
    TALLIES_SPEC,
    _check_reference,
    check_tally_references,
    load_bodies,
    load_known_issues,
    load_sources,
    load_stated_changes,
    read_tallies,
    set_aside,
)

__all__ = ["OVERLAY_ENV", "ORIGINS", "overlay_dir", "load_evidence", "check_evidence"]

#: the environment variable naming a researcher's overlay folder
OVERLAY_ENV = "TALLIES_OVERLAY_DIR"
#: values of the ``origin`` column
ORIGINS = ("shipped", "researcher")

# table name -> (file, spec, loader, required in the shipped folder)
_FILES: dict[str, tuple[str, TableSpec, Callable[..., pd.DataFrame], bool]] = {
    "sources": ("sources.csv", SOURCES_SPEC, load_sources, True),
    "bodies": ("bodies.csv", BODIES_SPEC, load_bodies, True),
    "tallies": ("tallies.csv", TALLIES_SPEC, read_tallies, True),
    "known_issues": ("known_issues.csv", KNOWN_ISSUES_SPEC, load_known_issues, False),
    "stated_changes": ("stated_changes.csv", STATED_CHANGES_SPEC, load_stated_changes, False),
}


def overlay_dir(overlay: str | Path | None = None) -> Path | None:
    """The overlay folder: ``overlay`` when given, else ``$TALLIES_OVERLAY_DIR``, else None."""
    if overlay is not None:
        return Path(overlay)
    value = os.environ.get(OVERLAY_ENV, "").strip()
    return Path(value) if value else None


def load_evidence(
    directory: str | Path | None = None, *, overlay: str | Path | None = None
) -> dict[str, pd.DataFrame]:
    """Load and cross-validate the evidence table, with a researcher's overlay merged in.

    Parameters
    ----------
    directory
        The folder of the table; defaults to the shipped ``data/tallies/`` (or the
        ``tallies/`` folder of ``$TALLIES_DATA_DIR``).
    overlay
        A folder of the researcher's own rows; defaults to ``$TALLIES_OVERLAY_DIR`` (none when
        unset).

    Returns
    -------
    dict of pandas.DataFrame
        ``sources``, ``bodies``, ``tallies`` (every figure), ``known_issues``,
        ``stated_changes`` (empty when there are none), ``usable`` (the figures without the
        copies set aside as misprints) and ``set_aside`` (those copies, with the
        ``explanation``). Every table has ``line`` (the row's line in its file) and ``origin``
        (``shipped`` or ``researcher``).

    Raises
    ------
    analysis.errors.DataError
        At the first broken rule, naming the file (the shipped one or the researcher's), the
        line, the column and the rule.

    Examples
    --------
    >>> evidence = load_evidence()  # doctest: +SKIP
    >>> evidence["tallies"]["origin"].unique().tolist()  # doctest: +SKIP
    ['shipped']
    """
    evidence = _load(directory, overlay, problems=None)
    assert evidence is not None
    return evidence


def check_evidence(
    directory: str | Path | None = None, *, overlay: str | Path | None = None
) -> tuple[dict[str, pd.DataFrame], list[DataError]]:
    """Validate every file of the table (and of the overlay), collecting every problem.

    Returns ``(evidence, problems)``: the table as :func:`load_evidence` returns it, without the
    rows that broke a rule, and the list of problems (empty when everything is valid), each a
    :class:`~analysis.errors.DataError` naming file, line, column and rule, with a "did you
    mean" for a value close to one of a vocabulary or of the identifiers it must resolve in.
    """
    problems: list[DataError] = []
    evidence = _load(directory, overlay, problems=problems)
    return evidence, problems


def _load(
    directory: str | Path | None,
    overlay: str | Path | None,
    *,
    problems: list[DataError] | None,
) -> dict[str, pd.DataFrame]:
    folder = Path(directory) if directory is not None else paths.tallies_dir()
    extra = overlay_dir(overlay)
    parts: list[tuple[str, Path]] = [("shipped", folder)]
    if extra is not None:
        _check_overlay_folder(extra, problems)
        parts.append(("researcher", extra))

    pieces: dict[str, list[tuple[Path, pd.DataFrame]]] = {name: [] for name in _FILES}
    for origin, base in parts:
        for name, (file, _spec, loader, required) in _FILES.items():
            path = base / file
            if not path.exists() and not (required and origin == "shipped"):
                continue
            try:
                frame = loader(path, problems=problems)
            except DataError as error:
                report(problems, error)
                continue
            pieces[name].append((path, frame.assign(origin=origin)))

    _drop_reused_keys(pieces, problems)
    tables = {name: _concat(pieces[name], _FILES[name][1]) for name in _FILES}

    body_ids = set(tables["bodies"]["reporting_body"].dropna())
    source_ids = set(tables["sources"]["source_id"].dropna())
    tally_ids = set(tables["tallies"]["tally_id"].dropna())
    for path, frame in pieces["sources"]:
        _check_reference(frame, "reporting_body", body_ids, "bodies", path, problems=problems)
    for path, frame in pieces["tallies"]:
        check_tally_references(
            frame,
            path,
            source_ids=source_ids,
            body_ids=body_ids,
            tally_ids=tally_ids,
            problems=problems,
        )

    if problems is not None:
        # rows left out for another problem still have their references checked, so that one
        # run of `tallies data check` lists every problem of a row, not one kind per run
        # (an id of a row left out still exists in its file: naming it is not a new problem)
        left_out = {
            name: [
                (path, _rows_left_out(path, _FILES[name][1], frame, columns))
                for path, frame in pieces[name]
            ]
            for name, columns in (
                ("bodies", ("reporting_body",)),
                ("sources", ("source_id", "reporting_body")),
                ("tallies", ("tally_id", "source_id", "reporting_body", "derivation")),
            )
        }
        key_of = {"bodies": "reporting_body", "sources": "source_id", "tallies": "tally_id"}
        every = {
            name: ids | {v for _, rows in left_out[name] for v in rows[key_of[name]].dropna()}
            for name, ids in (("bodies", body_ids), ("sources", source_ids), ("tallies", tally_ids))
        }
        for path, rows in left_out["sources"]:
            _check_reference(
                rows, "reporting_body", every["bodies"], "bodies", path, problems=problems
            )
        for path, rows in left_out["tallies"]:
            check_tally_references(
                rows,
                path,
                source_ids=every["sources"],
                body_ids=every["bodies"],
                tally_ids=every["tallies"],
                problems=problems,
            )

    known = tables["known_issues"]
    try:
        usable, aside = set_aside(tables["tallies"], known)
    except DataError as error:
        known_path = pieces["known_issues"][-1][0] if pieces["known_issues"] else None
        report(
            problems,
            DataError(error.message, file=known_path, column="set_aside", rule="foreign_key"),
        )
        usable, aside = set_aside(tables["tallies"], None)
    return {**tables, "usable": usable, "set_aside": aside}


def _rows_left_out(
    path: Path, spec: TableSpec, kept: pd.DataFrame, columns: tuple[str, ...]
) -> pd.DataFrame:
    """The raw ``columns`` of the records of ``path`` that are not in ``kept`` (left out for a
    problem already reported), with their ``line``; cells that are not identifiers are blank,
    since their own problem is reported already."""
    records, lines = read_records(path, spec, problems=[])
    kept_lines = set(kept["line"].dropna().astype(int))
    rows = []
    for record, line in zip(records, lines, strict=True):
        if line in kept_lines:
            continue
        row: dict[str, object] = {"line": line}
        for column in columns:
            value = (record.get(column) or "").strip()
            usable = value and (column == "derivation" or IDENTIFIER.match(value))
            row[column] = value if usable else None
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["line", *columns])
    return frame.astype({column: "string" for column in columns})


def _check_overlay_folder(folder: Path, problems: list[DataError] | None) -> None:
    if not folder.is_dir():
        raise DataError("the overlay folder does not exist", file=folder, rule="missing_file")
    if not any((folder / file).exists() for file, *_ in _FILES.values()):
        names = ", ".join(file for file, *_ in _FILES.values())
        report(
            problems,
            DataError(
                f"the overlay folder holds none of the table's files ({names})",
                file=folder,
                rule="empty_overlay",
            ),
        )


def _drop_reused_keys(
    pieces: dict[str, list[tuple[Path, pd.DataFrame]]], problems: list[DataError] | None
) -> None:
    """A researcher's row may not reuse an identifier of the shipped table."""
    for name, entries in pieces.items():
        key = _FILES[name][1].key
        if key is None or len(entries) < 2:
            continue
        shipped_path, shipped = entries[0]
        first_line = dict(zip(shipped[key], shipped["line"], strict=True))
        for j, (path, frame) in enumerate(entries[1:], start=1):
            reused = frame[key].isin(list(first_line)).to_numpy()
            for i in reused.nonzero()[0]:
                value = frame[key].iloc[int(i)]
                report(
                    problems,
                    DataError(
                        f"{value!r} is already used by the shipped table (line "
                        f"{first_line[value]} of {shipped_path.name}); give your row another id",
                        file=path,
                        line=int(frame["line"].iloc[int(i)]),
                        column=key,
                        rule="unique",
                    ),
                )
            if reused.any():
                entries[j] = (path, frame[~reused].reset_index(drop=True))


def _concat(entries: list[tuple[Path, pd.DataFrame]], spec: TableSpec) -> pd.DataFrame:
    if not entries:
        return pd.DataFrame(columns=[*spec.names, "line", "origin"])
    if len(entries) == 1:
        return entries[0][1]
    frame = pd.concat([frame for _, frame in entries], ignore_index=True)
    # keep the vocabularies categorical with the declared categories
    for column in spec.columns:
        if column.kind == "category" and column.allowed is not None:
            frame[column.name] = pd.Categorical(frame[column.name], categories=list(column.allowed))
    return frame
