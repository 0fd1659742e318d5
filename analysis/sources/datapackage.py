"""The evidence table's schema, declared once: ``data/tallies/datapackage.json``.

The folder ``data/tallies/`` is a Frictionless Data Package: ``datapackage.json`` lists its five
CSV files with a Table Schema each (columns, types, required values, vocabularies, keys and the
foreign keys between the files), so that people working in R, JavaScript or any other language
load and validate the table with their own tools. This module reads that declaration into the
:class:`~analysis.sources._csvtable.TableSpec` objects the loaders use, so the package's rules
and the published schema cannot drift apart.

A Table Schema field becomes a column kind as follows: ``date`` -> ``date``, ``integer`` ->
``int``, ``boolean`` -> ``bool``, ``string`` with an ``enum`` constraint -> ``category``,
``string`` with format ``uri`` -> ``url``, ``string`` with a ``pattern`` constraint -> ``id``,
any other ``string`` -> ``text``; ``constraints.required`` gives ``required``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from analysis import paths
from analysis.errors import DataError
from analysis.sources._csvtable import Column, TableSpec

__all__ = ["package_path", "load_package", "resource_spec", "table_specs", "OPTIONAL_COLUMNS"]

#: columns a CSV file may leave out of its header (the loaders then treat them as blank)
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "tallies": frozenset({"unverified", "stance"}),
    "known_issues": frozenset({"set_aside"}),
}
# names used in messages ("the known issues file does not exist")
_TABLE_NAMES = {"stated_changes": "stated changes", "known_issues": "known issues"}


def package_path() -> Path:
    """The shipped ``datapackage.json`` (beside the shipped table, whatever the data folder)."""
    return paths.shipped_dir("tallies") / "datapackage.json"


@cache
def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            "the evidence table's schema is missing", file=path, rule="missing_file"
        ) from None
    except json.JSONDecodeError as error:
        raise DataError(
            f"not valid JSON: {error.msg}", file=path, line=error.lineno, rule="json"
        ) from None


def load_package(path: str | Path | None = None) -> dict:
    """The Data Package descriptor (a dict), read from ``path`` or the shipped file."""
    return _read(Path(path) if path is not None else package_path())


def resource_spec(resource: dict) -> TableSpec:
    """The :class:`TableSpec` of one tabular resource of the package.

    Parameters
    ----------
    resource
        A resource descriptor with ``name`` and ``schema`` (``fields``, ``primaryKey``).

    Returns
    -------
    TableSpec
        Columns in the schema's order; the key is the first field of ``primaryKey``; the
        columns of :data:`OPTIONAL_COLUMNS` for that resource may be absent from a file.
    """
    name = resource["name"]
    schema = resource["schema"]
    columns = tuple(_column(field) for field in schema["fields"])
    key = schema.get("primaryKey")
    if isinstance(key, list):
        key = key[0] if key else None
    return TableSpec(
        name=_TABLE_NAMES.get(name, name),
        columns=columns,
        key=key,
        optional_columns=OPTIONAL_COLUMNS.get(name, frozenset()),
    )


def table_specs(path: str | Path | None = None) -> dict[str, TableSpec]:
    """Every resource's :class:`TableSpec`, by resource name (``sources``, ``tallies``, ...)."""
    package = load_package(path)
    return {resource["name"]: resource_spec(resource) for resource in package["resources"]}


def _column(field: dict) -> Column:
    constraints = field.get("constraints", {})
    kind = {"date": "date", "integer": "int", "boolean": "bool"}.get(field.get("type", "string"))
    allowed = None
    if kind is None:
        if "enum" in constraints:
            kind, allowed = "category", tuple(constraints["enum"])
        elif field.get("format") == "uri":
            kind = "url"
        elif "pattern" in constraints:
            kind = "id"
        else:
            kind = "text"
    return Column(
        field["name"],
        kind,
        required=bool(constraints.get("required", False)),
        allowed=allowed,
        doc=field.get("description", ""),
    )
