"""Parameter declarations read from each notebook's own ``parameters`` cell.

A report notebook declares its parameters once, in its ``parameters`` cell, one per line::

    family: str = "quasipoisson"  # count model of the fits {one of: poisson, quasipoisson, negbin}
    seasonality: int = 0  # number of seasonal harmonics {min: 0}
    end: "Optional[date]" = None  # last day (None: the export's last) {not before: start}
    events_path: "path" = "data/raw/acled/export.csv"  # the export {required; file; input: event export}

The annotation is the type, the value the default, the comment the help, and the braces at the
comment's end the constraints. papermill's own inspection (``papermill --help-notebook``,
:func:`papermill.inspect_notebook`) reads the same name, type, default and help; this module
reads the cell through papermill's Python translator, so the two cannot disagree, then parses the
constraints and checks the defaults against them. An edit made in JupyterLab is therefore the new
default of ``tallies report``, ``tallies params`` and the validation, or it is refused with a
:class:`~analysis.errors.ParameterError` naming the notebook, the line and what is wrong.

Types (as annotations; quote the ones that are not Python names):

================== =========================================================
annotation          value
================== =========================================================
``str``             text
``int``, ``float``  numbers
``bool``            ``True`` / ``False``
``"date"``          a date written ``"YYYY-MM-DD"``
``"Optional[date]"`` a date or ``None``
``"list[str]"``     a list of texts
``"list[date]"``    a list of dates
``"path"``          a file or folder path
``"Optional[path]"`` a path or ``None``
================== =========================================================

Constraints, separated by ``;`` inside the braces (no ``=`` anywhere in the line but the
assignment's, which papermill's inspection needs):

* ``required``: the value must be given (the cell's value is only a placeholder for interactive use);
* ``file`` / ``folder``: a path must name an existing file / folder;
* ``one of: a, b``: the allowed values (of each item, for a list);
* ``min: x``, ``max: x`` (inclusive), ``above: x``, ``below: x`` (exclusive): bounds of a number;
* ``pattern: regex``: a text must match the regular expression in full;
* ``not before: other``: a date is not before another date parameter (when both are given);
* ``between: first, last``: a date lies between two other date parameters (when all are given);
* ``input: what``: the parameter names the data file the notebook reads (``what`` says what it
  is, e.g. ``event export``), so a suite can render one report per file.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path

from analysis._checks import did_you_mean
from analysis.errors import ParameterError
from analysis.reports.params import NotebookSpec, Param, Rule, inside_rule, order_rule

__all__ = [
    "ANNOTATIONS",
    "CONSTRAINT_WORDS",
    "read_notebook_spec",
    "read_notebook_specs",
    "NotebookRegistry",
    "NOTEBOOKS",
    "parameters_markdown",
]

#: annotation in a ``parameters`` cell -> the parameter type of :class:`~analysis.reports.params.Param`
ANNOTATIONS: dict[str, str] = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "date": "date",
    "Optional[date]": "date | None",
    "list[str]": "list[str]",
    "list[date]": "list[date]",
    "path": "path",
    "Optional[path]": "path | None",
}

#: the words a constraint may start with
CONSTRAINT_WORDS = (
    "required",
    "file",
    "folder",
    "one of",
    "min",
    "max",
    "above",
    "below",
    "pattern",
    "not before",
    "between",
    "input",
)

_BRACES = re.compile(r"\{(?P<body>[^{}]*)\}\s*$")
_NUMBER_BOUNDS = {
    "min": "minimum",
    "max": "maximum",
    "above": "exclusive_minimum",
    "below": "exclusive_maximum",
}


def read_notebook_spec(path: str | os.PathLike[str]) -> NotebookSpec:
    """The declaration of one notebook, read from its ``parameters`` cell.

    Parameters
    ----------
    path
        A ``.ipynb`` file with a code cell tagged ``parameters``.

    Returns
    -------
    NotebookSpec
        Named after the file's stem, titled by the notebook's first Markdown heading.

    Raises
    ------
    analysis.errors.ParameterError
        No ``parameters`` cell; an assignment papermill's inspection does not read, without an
        annotation, of an unknown type, with a value that is not a literal; an unknown or
        malformed constraint; a default that breaks its own constraints.
    """
    import nbformat

    path = Path(path)
    try:
        notebook = nbformat.read(os.fspath(path), as_version=4)
    except (OSError, ValueError) as error:
        raise ParameterError(f"{path}: cannot read the notebook ({error})") from None
    cell = next(
        (
            c
            for c in notebook.cells
            if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])
        ),
        None,
    )
    if cell is None:
        raise ParameterError(f"{path}: no code cell is tagged 'parameters'")
    where = f"{path.name}, parameters cell"
    values = _literal_values(cell.source, where)
    inspected = {item.name: item for item in _inspect(cell)}
    params: list[Param] = []
    rules: list[Rule] = []
    input_param, input_role = None, ""
    for name, (lineno, value) in values.items():
        at = f"{where} line {lineno}"
        found = inspected.get(name)
        annotation = found.inferred_type_name if found is not None else "None"
        if annotation == "None":
            raise ParameterError(
                f"{at}: {name!r} has no type annotation papermill can read; write it as "
                f"`{name}: TYPE = VALUE  # what it is {{constraints}}` with TYPE one of "
                + ", ".join(ANNOTATIONS)
            )
        kind = ANNOTATIONS.get(annotation)
        if kind is None:
            raise ParameterError(
                f"{at}: {name!r} has the type {annotation!r}{did_you_mean(annotation, ANNOTATIONS)};"
                f" the types are {', '.join(ANNOTATIONS)}"
            )
        text, options, rule, role = _constraints(found.help, name, at)
        if role is not None:
            if input_param is not None:
                raise ParameterError(f"{at}: only one parameter may be the notebook's input")
            input_param, input_role = name, role
        if rule is not None:
            rules.append(rule)
        param = Param(name, kind, value, help=text, **options)  # type: ignore[arg-type]
        if not param.required:
            _check_default(param, at)
        params.append(param)
    names = {param.name for param in params}
    for rule in rules:
        missing = sorted(set(rule.names) - names)  # type: ignore[attr-defined]
        if missing:
            raise ParameterError(
                f"{where}: a constraint names {', '.join(map(repr, missing))}, which the cell "
                "does not declare"
            )
    spec = NotebookSpec(
        path.stem,
        _title(notebook, path.stem),
        tuple(params),
        rules=tuple(rules),
        input_param=input_param,
        input_role=input_role,
    )
    problems = [message for rule in spec.rules if (message := rule(spec.defaults())) is not None]
    if problems:
        raise ParameterError(f"{where}: the defaults break a rule: " + "; ".join(problems))
    return spec


def read_notebook_specs(folder: str | os.PathLike[str]) -> dict[str, NotebookSpec]:
    """The declarations of every ``*.ipynb`` in ``folder``, by notebook name."""
    return {path.stem: read_notebook_spec(path) for path in sorted(Path(folder).glob("*.ipynb"))}


class NotebookRegistry(MutableMapping[str, NotebookSpec]):
    """Notebook name -> declaration, read from a folder when first asked and again when it changes.

    Each look-up checks the folder's notebooks' sizes and modification times, so a notebook
    saved in JupyterLab is read again by the next command. Entries set by hand (tests register
    synthetic notebooks this way) take precedence over the folder's.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._stamp: tuple[tuple[str, int, int], ...] | None = None
        self._read: dict[str, NotebookSpec] = {}
        self._extra: dict[str, NotebookSpec] = {}

    @property
    def folder(self) -> Path:
        """The folder whose notebooks are declared (default: the project's ``notebooks/``)."""
        if self._folder is not None:
            return self._folder
        from analysis import paths

        return paths.notebooks_dir()

    def use_folder(self, folder: str | os.PathLike[str] | None) -> None:
        """Read the declarations from ``folder`` from now on (``None``: the project's)."""
        self._folder = Path(folder) if folder is not None else None
        self._stamp = None

    @contextlib.contextmanager
    def reading(self, folder: str | os.PathLike[str] | None) -> Iterator[NotebookRegistry]:
        """Read the declarations from ``folder`` inside the ``with`` block only."""
        before = self._folder
        self.use_folder(folder)
        try:
            yield self
        finally:
            self.use_folder(before)

    def _current(self) -> dict[str, NotebookSpec]:
        try:
            files = sorted(self.folder.glob("*.ipynb"))
            stamp = tuple((p.name, (s := p.stat()).st_size, s.st_mtime_ns) for p in files)
        except OSError as error:
            raise ParameterError(
                f"{self.folder}: cannot read the notebooks' declarations ({error.strerror})"
            ) from None
        if stamp != self._stamp:
            self._read = {path.stem: read_notebook_spec(path) for path in files}
            self._stamp = stamp
        return {**self._read, **self._extra}

    def __getitem__(self, name: str) -> NotebookSpec:
        if name in self._extra:  # set by hand: the folder need not be read
            return self._extra[name]
        return self._current()[name]

    def __setitem__(self, name: str, spec: NotebookSpec) -> None:
        self._extra[name] = spec

    def __delitem__(self, name: str) -> None:
        del self._extra[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


#: every report notebook's declaration, by name (read from the project's ``notebooks/``)
NOTEBOOKS = NotebookRegistry()


def parameters_markdown(specs: Mapping[str, NotebookSpec]) -> str:
    """The parameters of ``specs`` as Markdown tables, one per notebook (for the README)."""
    from analysis.reports.params import literal

    blocks = []
    for name, spec in specs.items():
        lines = [
            f"**`{name}`**: {spec.title}",
            "",
            "| parameter | type | default | allowed | meaning |",
            "|---|---|---|---|---|",
        ]
        for param in spec.params:
            default = "(required)" if param.required else f"`{literal(param.default)}`"
            cells = (param.type.replace("|", "or"), param.describe_range(markdown=True), param.help)
            kind, allowed, meaning = (cell.replace("|", "\\|") for cell in cells)
            lines.append(f"| `{param.name}` | {kind} | {default} | {allowed} | {meaning} |")
        if spec.rules:
            lines.append("")
            lines.append(" ".join(f"Also checked: {rule.__doc__}." for rule in spec.rules))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


# -- reading the cell --------------------------------------------------------------------------


def _inspect(cell: object) -> list[object]:
    """papermill's own reading of the cell: name, inferred type, default text, help."""
    from papermill.translators import papermill_translators

    return papermill_translators.find_translator("python", "python").inspect(cell)


def _literal_values(source: str, where: str) -> dict[str, tuple[int, object]]:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ParameterError(
            f"{where} line {error.lineno}: not valid Python ({error.msg})"
        ) from None
    values: dict[str, tuple[int, object]] = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring-like note
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            raise ParameterError(
                f"{where} line {node.lineno}: only `name: TYPE = VALUE` lines belong in a "
                "parameters cell"
            )
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            raise ParameterError(f"{where} line {node.lineno}: assign one name per line")
        if node.end_lineno != node.lineno:
            raise ParameterError(
                f"{where} line {node.lineno}: write {targets[0].id!r} on one line (papermill's "
                "inspection reads a parameter's help from its line)"
            )
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(
                f"{where} line {node.lineno}: the value of {targets[0].id!r} is not a literal"
            ) from None
        if targets[0].id in values:
            raise ParameterError(f"{where} line {node.lineno}: {targets[0].id!r} is set twice")
        values[targets[0].id] = (node.lineno, value)
    return values


def _constraints(
    help_text: str, name: str, at: str
) -> tuple[str, dict[str, object], Rule | None, str | None]:
    """Split a help comment into its text, the :class:`Param` options, a rule, an input role."""
    match = _BRACES.search(help_text)
    if match is None:
        return help_text.strip(), {}, None, None
    text = help_text[: match.start()].strip()
    options: dict[str, object] = {}
    rule: Rule | None = None
    role: str | None = None
    for raw in match.group("body").split(";"):
        item = raw.strip()
        if not item:
            continue
        word, colon, argument = item.partition(":")
        word, argument = word.strip(), argument.strip()
        if word not in CONSTRAINT_WORDS:
            raise ParameterError(
                f"{at}: unknown constraint {word!r}{did_you_mean(word, CONSTRAINT_WORDS)}; "
                f"the constraints are {', '.join(CONSTRAINT_WORDS)}"
            )
        takes_argument = word not in ("required", "file", "folder")
        if takes_argument != bool(colon and argument):
            expected = f"'{word}: ...'" if takes_argument else f"{word!r} alone"
            raise ParameterError(f"{at}: write the constraint {item!r} as {expected}")
        if word == "required":
            options["required"] = True
        elif word in ("file", "folder"):
            options["exists"] = "file" if word == "file" else "dir"
        elif word == "one of":
            options["allowed"] = tuple(part.strip() for part in argument.split(","))
        elif word in _NUMBER_BOUNDS:
            try:
                options[_NUMBER_BOUNDS[word]] = float(argument.replace("_", ""))
            except ValueError:
                raise ParameterError(f"{at}: {word!r} needs a number, not {argument!r}") from None
        elif word == "pattern":
            try:
                re.compile(argument)
            except re.error as error:
                raise ParameterError(
                    f"{at}: the pattern {argument!r} is invalid ({error})"
                ) from None
            options["pattern"] = argument
        elif word == "not before":
            rule = order_rule(argument, name)
        elif word == "between":
            first, comma, last = argument.partition(",")
            if not comma:
                raise ParameterError(f"{at}: write 'between: first, last'")
            rule = inside_rule(name, first.strip(), last.strip())
        else:  # input
            role = argument
    return text, options, rule, role


def _check_default(param: Param, at: str) -> None:
    try:
        param.coerce(param.default, check_exists=False)
    except ParameterError as error:
        raise ParameterError(f"{at}: the default breaks its declaration: {error}") from None


def _title(notebook: object, fallback: str) -> str:
    for cell in notebook.cells:  # type: ignore[attr-defined]
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback
