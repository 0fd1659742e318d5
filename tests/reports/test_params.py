"""Parameter declarations and validation (no notebook is executed here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.cli import main
from analysis.errors import ParameterError
from analysis.reports.declarations import NOTEBOOKS
from analysis.reports.params import (
    Param,
    describe_parameters,
    parse_cli_parameters,
    validate_parameters,
)


def test_defaults_fill_every_declared_parameter() -> None:
    values = validate_parameters("before_after", {"arrival_date": "2021-12-23"})
    assert list(values) == [param.name for param in NOTEBOOKS["before_after"].params]
    assert values["arrival_date"] == "2021-12-23"
    assert values["alternative_dates"] == ["2021-12-23", "2022-01-01"]
    assert values["n_simulations"] == 1000


def test_yaml_dates_become_iso_strings() -> None:
    values = validate_parameters(
        "source_comparison", {"start": dt.date(2021, 1, 1), "end": dt.date(2021, 6, 30)}
    )
    assert (values["start"], values["end"]) == ("2021-01-01", "2021-06-30")


@pytest.mark.parametrize(
    ("notebook", "values", "message"),
    [
        ("before_after", {"arival_date": "2021-12-23"}, "did you mean 'arrival_date'"),
        ("before_after", {"seasonality": -1}, "must be >= 0"),
        ("before_after", {"n_simulations": 0}, "must be > 0"),
        ("before_after", {"seasonality": 1.5}, "must be an integer"),
        ("before_after", {"seasonality": True}, "must be an integer"),
        ("before_after", {"family": "ols"}, "must be one of poisson, quasipoisson, negbin"),
        ("before_after", {"arrival_date": "2021-13-01"}, "not a valid date"),
        ("before_after", {"arrival_date": "01/12/2021"}, "YYYY-MM-DD"),
        ("before_after", {"series": "minusma"}, "must match"),
        ("before_after", {"alternative_dates": "2021-12-23"}, "must be a list"),
        ("source_comparison", {"country": 7}, "must be a string"),
        ("source_comparison", {"start": "2024-01-01", "end": "2023-12-31"}, "before start"),
        ("source_comparison", {"victim_group": "soldiers"}, "civilians, people, any"),
        ("source_comparison", {"freq": "MS"}, "one of QS, YS"),
        ("incident", {"about_width": 1.0}, "must be < 1"),
        ("incident", {"about_width": -0.1}, "must be >= 0"),
        ("incident", {"about_width": float("nan")}, "finite"),
        ("event_trends", {}, "'events_path' is required"),
        ("nope", {}, "unknown notebook 'nope'"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(
    notebook: str, values: dict, message: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        validate_parameters(notebook, values)
    assert message in str(caught.value)


def test_event_trends_cross_field_rules(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"  # synthetic, empty: only its existence matters here
    export.write_text("event_id\n", encoding="utf-8")
    ok = validate_parameters(
        "event_trends",
        {"events_path": str(export), "start": "2021-01-01", "end": "2022-12-31"},
    )
    assert ok["events_path"] == str(export.resolve())
    with pytest.raises(ParameterError, match="arrival_date .* is outside"):
        validate_parameters(
            "event_trends",
            {"events_path": str(export), "start": "2022-01-01", "end": "2022-12-31"},
        )
    with pytest.raises(ParameterError, match="end .* is before start"):
        validate_parameters(
            "event_trends",
            {"events_path": str(export), "start": "2022-01-01", "end": "2021-12-31"},
        )
    # only one bound: the arrival date is not checked against it
    assert validate_parameters("event_trends", {"events_path": str(export), "end": "2020-01-01"})


def test_paths_must_exist_and_are_made_absolute(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="names no file"):
        validate_parameters("event_trends", {"events_path": str(tmp_path / "missing.csv")})
    with pytest.raises(ParameterError, match="names no folder"):
        validate_parameters("incident", {"tallies_dir": str(tmp_path / "nowhere")})
    values = validate_parameters("incident", {"tallies_dir": "."}, base_dir=tmp_path)
    assert values["tallies_dir"] == str(tmp_path.resolve())


def test_command_line_texts_are_typed() -> None:
    values = parse_cli_parameters(
        "before_after",
        [
            "arrival_date=2021-12-23",
            "alternative_dates=2021-11-01, 2022-02-01",
            'exclude_incidents=["moura-2022-03"]',
            "seasonality=2",
            "tallies_dir=none",
        ],
    )
    assert values == {
        "arrival_date": "2021-12-23",
        "alternative_dates": ["2021-11-01", "2022-02-01"],
        "exclude_incidents": ["moura-2022-03"],
        "seasonality": 2,
        "tallies_dir": None,
    }
    assert parse_cli_parameters("before_after", ["exclude_incidents="]) == {"exclude_incidents": []}
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_cli_parameters("before_after", ["seasonality"])
    with pytest.raises(ParameterError, match="must be an integer"):
        parse_cli_parameters("before_after", ["seasonality=two"])
    with pytest.raises(ParameterError, match="given twice"):
        parse_cli_parameters("before_after", ["seed=1", "seed=2"])


def test_bool_parameters_parse_words() -> None:
    param = Param("flag", "bool", False)
    assert param.parse_text("yes") is True
    assert param.parse_text("False") is False
    with pytest.raises(ParameterError, match="true or false"):
        param.parse_text("maybe")
    with pytest.raises(ParameterError, match="true or false"):
        param.coerce(1)


@given(st.text())
def test_any_string_is_accepted_verbatim_by_a_str_parameter(text: str) -> None:
    assert Param("claim", "str", "").coerce(text) == text
    assert Param("claim", "str", "").parse_text(text) == text


def test_describe_lists_types_defaults_and_allowed_values() -> None:
    text = describe_parameters("before_after")
    for name in ("arrival_date", "alternative_dates", "family", "n_simulations"):
        assert name in text
    assert '"quasipoisson"' in text and "one of poisson, quasipoisson, negbin" in text
    assert "list[date]" in text and '["2021-12-23", "2022-01-01"]' in text
    assert "(required)" in describe_parameters("event_trends")


def test_params_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "before_after"]) == 0
    out = capsys.readouterr().out
    assert "arrival_date" in out and "date" in out and '"2021-12-01"' in out
    assert main(["params"]) == 0
    assert set(NOTEBOOKS) <= set(capsys.readouterr().out.split())
    assert main(["params", "nope"]) == 2
    assert "unknown notebook" in capsys.readouterr().err


def test_report_command_refuses_bad_parameters_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "report",
            "--notebook",
            "before_after",
            "-p",
            "arival_date=2021-12-23",
            "--output-dir",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "did you mean 'arrival_date'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
