"""Notebook parameters: their declaration objects and the validation of values against them.

The declarations themselves live in each notebook's ``parameters`` cell and are read by
:mod:`analysis.reports.declarations`; this module holds what they become (:class:`Param`,
:class:`NotebookSpec`) and what is done with them:

* validation before anything runs (:func:`validate_parameters`): an unknown name, a wrong type, a
  value outside the allowed set or range, or an end date before the start is refused with a
  :class:`~analysis.errors.ParameterError` (papermill itself only warns on unknown names);
* ``-p name=value`` texts of the command line (:func:`parse_cli_parameters`);
* ``tallies params NOTEBOOK`` (:func:`describe_parameters`).

Values reach papermill as plain Python literals: dates as ``"YYYY-MM-DD"`` strings (validated
here; a notebook turns them back into dates with ``pd.Timestamp``), lists as lists of strings,
paths as absolute path strings or ``None``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from analysis._checks import did_you_mean
from analysis.errors import ParameterError

__all__ = [
    "Param",
    "NotebookSpec",
    "ParamType",
    "Rule",
    "order_rule",
    "inside_rule",
    "literal",
    "get_spec",
    "validate_parameters",
    "parse_cli_parameters",
    "describe_parameters",
]

ParamType = Literal[
    "str",
    "int",
    "float",
    "bool",
    "date",
    "date | None",
    "list[str]",
    "list[date]",
    "path",
    "path | None",
]
_PARAM_TYPES: tuple[str, ...] = get_args(ParamType)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_NONE = {"", "none", "null"}


@dataclass(frozen=True)
class Param:
    """One notebook parameter.

    Parameters
    ----------
    name
        The variable name in the notebook's ``parameters`` cell.
    type
        One of ``str, int, float, bool, date, date | None, list[str], list[date], path,
        path | None``. Dates travel as ``"YYYY-MM-DD"`` strings; paths as absolute strings.
    default
        The default, in the form the notebook's ``parameters`` cell holds it.
    allowed
        The allowed values (for a list type: of each element), or ``None`` for any.
    required
        A required parameter has no usable default and must be given.
    help
        One line for ``tallies params``.
    minimum, maximum
        Inclusive bounds for numbers.
    exclusive_minimum, exclusive_maximum
        Exclusive bounds for numbers.
    pattern
        A regular expression a string must match in full.
    exists
        For a path: it must be an existing ``"file"`` or ``"dir"``.
    """

    name: str
    type: ParamType
    default: object
    allowed: tuple[str, ...] | None = None
    required: bool = False
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    pattern: str | None = None
    exists: Literal["file", "dir"] | None = None

    def __post_init__(self) -> None:
        if self.type not in _PARAM_TYPES:
            raise ValueError(f"type must be one of {_PARAM_TYPES}, not {self.type!r}")
        if not self.name.isidentifier():
            raise ValueError(f"parameter name {self.name!r} is not a Python identifier")

    # -- conversion ------------------------------------------------------------------------------

    def coerce(
        self, value: object, *, base_dir: Path | None = None, check_exists: bool = True
    ) -> object:
        """Check a typed value (from Python or YAML) and return its papermill form.

        ``check_exists=False`` skips the check that a path names an existing file or folder
        (a notebook's own default is checked that way: it may name a file of another machine).
        """
        kind = self.type
        if value is None:
            if kind in ("date | None", "path | None"):
                return None
            raise self._error(f"must be a {kind}, not None")
        if kind == "str":
            if not isinstance(value, str):
                raise self._error(f"must be a string, not {_show(value)} (quote it in YAML)")
            out: object = value
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise self._error(f"must be an integer, not {_show(value)}")
            out = value
        elif kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self._error(f"must be a number, not {_show(value)}")
            try:
                out = float(value)
            except OverflowError:
                out = math.inf
            if not math.isfinite(out):
                raise self._error(f"must be a finite number, not {value!r}")
        elif kind == "bool":
            if not isinstance(value, bool):
                raise self._error(f"must be true or false, not {_show(value)}")
            out = value
        elif kind in ("date", "date | None"):
            out = self._date(value)
        elif kind == "list[str]":
            items = self._list(value)
            for item in items:
                if not isinstance(item, str):
                    raise self._error(f"must be a list of strings; {_show(item)} is not a string")
            out = list(items)
        elif kind == "list[date]":
            out = [self._date(item) for item in self._list(value)]
        else:  # path, path | None
            if not isinstance(value, str | os.PathLike) or str(value) == "":
                raise self._error(f"must be a file path, not {_show(value)}")
            if "\x00" in str(value):
                raise self._error("a path cannot contain a NUL character")
            path = Path(value).expanduser()
            if not path.is_absolute():
                path = (base_dir or Path.cwd()) / path
            path = path.resolve()
            if check_exists and self.exists == "file" and not path.is_file():
                raise self._error(f"names no file: {str(value)!r}")
            if check_exists and self.exists == "dir" and not path.is_dir():
                raise self._error(f"names no folder: {str(value)!r}")
            out = str(path)
        self._check_constraints(out)
        return out

    def parse_text(self, text: str, *, base_dir: Path | None = None) -> object:
        """Turn command-line text (``-p name=text``) into a value and check it.

        Lists are comma-separated (``a,b``) or a JSON list; ``none`` or an empty text is ``None``
        for an optional date or path; booleans are ``true``/``false``.
        """
        kind = self.type
        stripped = text.strip()
        value: object
        if kind in ("date | None", "path | None") and stripped.lower() in _NONE:
            value = None
        elif kind == "int":
            if not _INTEGER.match(stripped):
                raise self._error(f"must be an integer, not {text!r}")
            value = int(stripped)
        elif kind == "float":
            try:
                value = float(stripped)
            except ValueError:
                raise self._error(f"must be a number, not {text!r}") from None
        elif kind == "bool":
            lowered = stripped.lower()
            if lowered not in _TRUE | _FALSE:
                raise self._error(f"must be true or false, not {text!r}")
            value = lowered in _TRUE
        elif kind in ("list[str]", "list[date]"):
            if stripped.startswith("["):
                try:
                    value = json.loads(stripped)
                except json.JSONDecodeError as error:
                    raise self._error(f"is not a valid JSON list: {error.msg}") from None
                except (ValueError, RecursionError):  # nested too deeply, or too long a number
                    raise self._error("is not a JSON list this project can read") from None
            else:
                value = [part.strip() for part in stripped.split(",") if part.strip()]
        elif kind == "str":
            value = text
        else:
            value = stripped
        return self.coerce(value, base_dir=base_dir)

    # -- helpers ---------------------------------------------------------------------------------

    def _error(self, message: str) -> ParameterError:
        return ParameterError(f"parameter {self.name!r} {message}")

    def _list(self, value: object) -> list[object]:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            raise self._error(f"must be a list, not {_show(value)}")
        return list(value)

    def _date(self, value: object) -> str:
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0):
                raise self._error(f"must be a date without a time, not {value.isoformat()!r}")
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            if not _ISO_DATE.match(value.strip()):
                raise self._error(f"must be a date written YYYY-MM-DD, not {value!r}")
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError as error:
                raise self._error(f"is not a valid date: {value!r} ({error})") from None
        raise self._error(f"must be a date written YYYY-MM-DD, not {_show(value)}")

    def _check_constraints(self, value: object) -> None:
        if value is None:
            return
        items = value if isinstance(value, list) else [value]
        for item in items:
            if self.allowed is not None and item not in self.allowed:
                choices = ", ".join(self.allowed)
                raise self._error(f"must be one of {choices}; got {item!r}")
            if self.pattern is not None and isinstance(item, str):
                if not re.fullmatch(self.pattern, item):
                    raise self._error(f"must match {self.pattern!r}; got {item!r}")
            if isinstance(item, int | float) and not isinstance(item, bool):
                self._check_range(item)

    def _check_range(self, number: float) -> None:
        if self.minimum is not None and number < self.minimum:
            raise self._error(f"must be >= {self.minimum:g}; got {number!r}")
        if self.maximum is not None and number > self.maximum:
            raise self._error(f"must be <= {self.maximum:g}; got {number!r}")
        if self.exclusive_minimum is not None and number <= self.exclusive_minimum:
            raise self._error(f"must be > {self.exclusive_minimum:g}; got {number!r}")
        if self.exclusive_maximum is not None and number >= self.exclusive_maximum:
            raise self._error(f"must be < {self.exclusive_maximum:g}; got {number!r}")

    def describe_range(self, *, markdown: bool = False) -> str:
        """The allowed values, range and existence check in words (empty when unconstrained).

        With ``markdown``, values and patterns are set as code.
        """
        code = (lambda text: f"`{text}`") if markdown else (lambda text: text)
        parts = []
        if self.allowed is not None:
            parts.append("one of " + ", ".join(code(value) for value in self.allowed))
        if self.minimum is not None:
            parts.append(f">= {self.minimum:g}")
        if self.exclusive_minimum is not None:
            parts.append(f"> {self.exclusive_minimum:g}")
        if self.maximum is not None:
            parts.append(f"<= {self.maximum:g}")
        if self.exclusive_maximum is not None:
            parts.append(f"< {self.exclusive_maximum:g}")
        if self.pattern is not None:
            parts.append(f"matching {code(self.pattern)}")
        if self.exists is not None:
            parts.append("an existing " + ("file" if self.exists == "file" else "folder"))
        return "; ".join(parts)


Rule = Callable[[Mapping[str, object]], str | None]


@dataclass(frozen=True)
class NotebookSpec:
    """The parameters of one notebook and the rules that tie them together.

    ``rules`` are functions of the validated values returning an error message or ``None``.
    ``input_param`` names the parameter holding the data file the notebook reads
    (``events_path`` for an event export, ``aggregates_path`` for HDX aggregates) when it
    reads one rather than the evidence table; ``input_role`` says what that file is.
    """

    name: str
    title: str
    params: tuple[Param, ...]
    rules: tuple[Rule, ...] = field(default=())
    input_param: str | None = None
    input_role: str = ""

    @property
    def uses_events(self) -> bool:
        """Whether the notebook reads a data file of its own instead of the evidence table."""
        return self.input_param is not None

    def __post_init__(self) -> None:
        names = [param.name for param in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: duplicate parameter names")

    @property
    def by_name(self) -> dict[str, Param]:
        return {param.name: param for param in self.params}

    def defaults(self) -> dict[str, object]:
        """The declared defaults, as the ``parameters`` cell holds them."""
        return {param.name: param.default for param in self.params}


def order_rule(first: str, second: str) -> Rule:
    """The rule that date ``second`` is not before date ``first`` (when both are given)."""

    def rule(values: Mapping[str, object]) -> str | None:
        low, high = values.get(first), values.get(second)
        if isinstance(low, str) and isinstance(high, str) and high < low:
            return f"{second} ({high}) is before {first} ({low})"
        return None

    rule.__doc__ = f"{second} is not before {first}"
    rule.names = (first, second)  # type: ignore[attr-defined]
    return rule


def inside_rule(name: str, first: str, second: str) -> Rule:
    """The rule that date ``name`` lies in ``[first, second]`` (when all three are given)."""

    def rule(values: Mapping[str, object]) -> str | None:
        date, low, high = values.get(name), values.get(first), values.get(second)
        if not all(isinstance(v, str) for v in (date, low, high)):
            return None
        if not low <= date <= high:  # type: ignore[operator]
            return f"{name} ({date}) is outside [{first}, {second}] = [{low}, {high}]"
        return None

    rule.__doc__ = f"{name} lies in [{first}, {second}] when both are given"
    rule.names = (name, first, second)  # type: ignore[attr-defined]
    return rule


def get_spec(notebook: str) -> NotebookSpec:
    """The declaration of ``notebook``; a :class:`ParameterError` names the known ones."""
    from analysis.reports.declarations import NOTEBOOKS

    try:
        return NOTEBOOKS[notebook]
    except KeyError:
        known = ", ".join(sorted(NOTEBOOKS))
        raise ParameterError(f"unknown notebook {notebook!r}; known notebooks: {known}") from None


def validate_parameters(
    notebook: str,
    values: Mapping[str, object] | None = None,
    *,
    base_dir: Path | None = None,
) -> dict[str, object]:
    """Check ``values`` against ``notebook``'s declaration and fill in the defaults.

    Parameters
    ----------
    notebook
        A declared notebook name (``source_comparison``, ``before_after``, ...).
    values
        Typed values (from Python or a YAML suite file); missing ones take their default.
    base_dir
        Relative paths are resolved against it (default: the current directory).

    Returns
    -------
    dict
        Every declared parameter in declaration order, in the form papermill writes as literals.

    Raises
    ------
    analysis.errors.ParameterError
        An unknown name, a missing required value, a wrong type, a value outside its allowed set
        or range, or a broken cross-field rule (an end before the start, ...).
    """
    spec = get_spec(notebook)
    values = dict(values or {})
    declared = spec.by_name
    unknown = [name for name in values if name not in declared]
    if unknown:
        hints = []
        for name in unknown:
            hints.append(f"{name!r}{did_you_mean(name, declared)}")
        raise ParameterError(
            f"{notebook}: unknown parameter {', '.join(hints)}; known: {', '.join(declared)}"
        )
    out: dict[str, object] = {}
    for param in spec.params:
        if param.name in values:
            try:
                out[param.name] = param.coerce(values[param.name], base_dir=base_dir)
            except ParameterError as error:
                raise ParameterError(f"{notebook}: {error}") from None
        elif param.required:
            raise ParameterError(f"{notebook}: parameter {param.name!r} is required")
        else:
            out[param.name] = param.coerce(param.default, base_dir=base_dir)
    problems = [message for rule in spec.rules if (message := rule(out)) is not None]
    if problems:
        raise ParameterError(f"{notebook}: " + "; ".join(problems))
    return out


def parse_cli_parameters(
    notebook: str, assignments: Sequence[str], *, base_dir: Path | None = None
) -> dict[str, object]:
    """Turn ``-p name=value`` texts into typed values (not yet validated as a whole)."""
    spec = get_spec(notebook)
    declared = spec.by_name
    values: dict[str, object] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"-p expects NAME=VALUE, got {assignment!r}")
        if name in values:
            raise ParameterError(f"parameter {name!r} is given twice")
        param = declared.get(name)
        if param is None:
            # validate_parameters words the error (with a suggestion)
            values[name] = text
            continue
        values[name] = param.parse_text(text, base_dir=base_dir)
    return values


def describe_parameters(notebook: str) -> str:
    """A plain-text table of ``notebook``'s parameters: name, type, default, allowed, help."""
    spec = get_spec(notebook)
    rows = [("name", "type", "default", "allowed", "description")]
    for param in spec.params:
        default = "(required)" if param.required else literal(param.default)
        rows.append((param.name, param.type, default, param.describe_range(), param.help))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"{spec.name}: {spec.title}", ""]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    if spec.rules:
        lines.append("")
        lines.extend(f"Also checked: {rule.__doc__}." for rule in spec.rules)
    return "\n".join(lines) + "\n"


def literal(value: object) -> str:
    """A default as ``tallies params`` shows it: JSON, or ``None``."""
    return "None" if value is None else json.dumps(value)


def _show(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"
