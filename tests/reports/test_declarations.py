"""Each notebook declares its parameters once, in its ``parameters`` cell.

The declarations are read from the cells through papermill's own inspection; these tests check
that papermill and the project read the same thing, that an edit made in a notebook is the new
default everywhere, and that an edit the declaration cannot hold is refused with the line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from analysis import paths
from analysis.cli import main
from analysis.errors import ParameterError
from analysis.reports.declarations import (
    ANNOTATIONS,
    NOTEBOOKS,
    NotebookRegistry,
    parameters_markdown,
    read_notebook_spec,
)
from analysis.reports.params import validate_parameters

SHIPPED = sorted(paths.notebooks_dir().glob("*.ipynb"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_papermill_and_the_project_read_the_same_declaration(path: Path) -> None:
    spec = read_notebook_spec(path)
    inspected = papermill.inspect_notebook(path)
    assert list(inspected) == [param.name for param in spec.params]
    for param in spec.params:
        seen = inspected[param.name]
        assert ANNOTATIONS[seen["inferred_type_name"]] == param.type
        assert seen["help"].startswith(param.help)
        assert param.help, f"{path.stem}.{param.name} has no help text"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_notebook_validates_its_own_defaults(path: Path) -> None:
    spec = read_notebook_spec(path)
    given = {p.name: "/" if p.exists == "file" else None for p in spec.params if p.required}
    # a required path must name a file: the notebook itself is one
    given = {name: str(path) for name in given}
    values = validate_parameters(spec.name, given)
    for param in spec.params:
        if not param.required and param.type not in ("path", "path | None"):
            assert values[param.name] == param.default


def _copy(name: str, folder: Path) -> Path:
    target = folder / f"{name}.ipynb"
    shutil.copy(paths.notebooks_dir() / f"{name}.ipynb", target)
    return target


def _edit_parameters(path: Path, old: str, new: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            assert old in cell.source, f"{old!r} is not in the parameters cell"
            cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, path)


def test_an_edit_in_the_notebook_is_the_new_default(tmp_path: Path) -> None:
    path = _copy("before_after", tmp_path)
    registry = NotebookRegistry(tmp_path)
    assert registry["before_after"].by_name["n_simulations"].default == 1000
    _edit_parameters(path, "n_simulations: int = 1000", "n_simulations: int = 250")
    assert registry["before_after"].by_name["n_simulations"].default == 250


def test_the_command_takes_the_notebooks_it_runs(tmp_path: Path, capsys) -> None:
    path = _copy("before_after", tmp_path)
    _edit_parameters(path, "seed: int = 0", "seed: int = 7")
    with NOTEBOOKS.reading(tmp_path):
        assert validate_parameters("before_after")["seed"] == 7
    assert main(["params", "before_after", "--notebooks-dir", str(tmp_path)]) == 0
    assert "seed               int          7 " in capsys.readouterr().out
    assert validate_parameters("before_after")["seed"] == 0


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('family: str = "quasipoisson"', 'family: str = "gaussian"', "must be one of"),
        ("seasonality: int = 0", "seasonality = 0", "has no type annotation"),
        ("seasonality: int = 0", 'seasonality: "integer" = 0', "did you mean"),
        ("{min: 0; max: 2}", "{minimum: 0; max: 2}", "unknown constraint 'minimum'"),
        ("{min: 0; max: 2}", "{min: zero}", "needs a number"),
        ("n_simulations: int = 1000", "n_simulations: int = 0", "must be > 0"),
        (
            'arrival_date: "date" = "2021-12-01"',
            'arrival_date: "date" = "1 Dec 2021"',
            "YYYY-MM-DD",
        ),
        ("seed: int = 0", "seed: int = 0\nextra = print('x')", "not a literal"),
    ],
)
def test_an_edit_the_declaration_cannot_hold_is_refused_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _copy("before_after", tmp_path)
    _edit_parameters(path, old, new)
    with pytest.raises(ParameterError, match="before_after.ipynb, parameters cell") as error:
        read_notebook_spec(path)
    assert message in str(error.value)


def test_a_rule_naming_an_undeclared_parameter_is_refused(tmp_path: Path) -> None:
    path = _copy("event_trends", tmp_path)
    _edit_parameters(path, "{not before: start}", "{not before: begin}")
    with pytest.raises(ParameterError, match="'begin'"):
        read_notebook_spec(path)


def test_cross_field_rules_come_from_the_cell() -> None:
    spec = read_notebook_spec(paths.notebooks_dir() / "event_trends.ipynb")
    assert spec.input_param == "events_path"
    assert spec.input_role == "event export"
    assert {rule.__doc__ for rule in spec.rules} == {
        "end is not before start",
        "arrival_date lies in [start, end] when both are given",
    }
    with pytest.raises(ParameterError, match="end .* is before start"):
        validate_parameters(
            "event_trends",
            {
                "events_path": str(paths.notebooks_dir() / "event_trends.ipynb"),
                "start": "2022-01-01",
                "end": "2021-01-01",
            },
        )


def test_the_readme_parameter_tables_are_the_notebooks() -> None:
    readme = (paths.project_root() / "README.md").read_text(encoding="utf-8")
    begin, end = "<!-- parameters: begin -->\n", "<!-- parameters: end -->"
    assert begin in readme and end in readme
    shown = readme[readme.index(begin) + len(begin) : readme.index(end)]
    assert shown.strip() == parameters_markdown(dict(NOTEBOOKS.items())).strip(), (
        "README's parameter tables differ from the notebooks: run `tallies params --markdown` "
        "and paste its output between the markers"
    )
