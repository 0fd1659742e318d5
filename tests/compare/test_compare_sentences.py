"""Formatting and plain-English sentences for the comparison tables (SYNTHETIC rows)."""

from __future__ import annotations

import doctest

import pytest

from analysis.compare import sentences
from analysis.compare.sentences import (
    describe_body_before_after,
    describe_window_comparison,
)
from analysis.tables import fmt_ci, fmt_count, fmt_window


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(sentences, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 1
    assert result.failed == 0


def test_counts_and_intervals_in_sentences_use_the_reader_formats():
    assert fmt_count(500, open_high=True) == "≥ 500"
    assert fmt_count(1335.96, open_high=True) == "≥ 1,336.0"
    assert fmt_ci(0.96, 2.8) == "(95% CI 0.96–2.80)"
    assert fmt_ci(1, float("inf"), label="range") == "(range 1.00–∞)"


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2022-01-01", "2022-03-31", "January–March 2022"),
        ("2022-03-01", "2022-03-31", "March 2022"),
        ("2022-01-01", "2022-12-31", "2022"),
        ("2021-07-01", "2022-06-30", "1 July 2021 – 30 June 2022"),
        ("2022-02-01", "2022-04-30", "1 February 2022 – 30 April 2022"),
    ],
)
def test_windows_in_words(start, end, text):
    assert fmt_window(start, end) == text


BASE = {
    "reporting_body": "oth",
    "reference_body": "ref",
    "tally_id": "oth-001",
    "measure": "killed",
    "victim_group": "civilians",
    "perpetrator_group": "all",
    "window_start": "2021-12-01",
    "window_end": "2022-03-15",
}


def test_a_comparable_window_reads_figure_sum_and_ratio():
    row = BASE | {
        "qualifier": "at_least",
        "value": 1070,
        "comparable": True,
        "reference_low": 4895.97,
        "reference_high": 4895.97,
        "reference_point": 4895.97,
        "reference_periods": 2,
        "prorated_periods": 2,
        "ratio": 0.21855,
        "ratio_low": 0.21855,
        "ratio_high": float("inf"),
        "note": "Prorated by days: two quarters.",
    }
    text = describe_window_comparison(row, names={"oth": "Other body", "ref": "Reference"})
    assert text.startswith("Other body: at least 1,070 civilians killed from 1 December 2021")
    assert "(oth-001)" in text
    assert "Reference's figures add up to 4,896.0 (2 figures, 2 prorated by days)" in text
    assert "the ratio is at least 0.22." in text
    assert text.endswith("Prorated by days: two quarters.")


def test_a_window_with_a_qualifier_range_shows_the_point_and_the_range():
    row = BASE | {
        "qualifier": "about",
        "value": 500,
        "comparable": True,
        "reference_low": 573.2,
        "reference_high": 573.2,
        "reference_point": 573.2,
        "reference_periods": 5,
        "prorated_periods": 0,
        "ratio": 0.8723,
        "ratio_low": 0.785,
        "ratio_high": 0.9595,
        "note": None,
    }
    text = describe_window_comparison(row)
    assert "about 500 civilians killed" in text
    assert "the ratio is 0.87 (range the qualifiers allow 0.79–0.96)." in text
    assert "None" not in text and "nan" not in text


def test_a_window_that_cannot_be_compared_gives_the_reason():
    row = BASE | {
        "qualifier": "exact",
        "value": 298,
        "measure": "events",
        "victim_group": "not_applicable",
        "perpetrator_group": "wagner",
        "comparable": False,
        "reason": "It counts events, not deaths.",
    }
    text = describe_window_comparison(row, names={"oth": "Other"})
    assert text == (
        "Other: 298 events by the Wagner Group from 1 December 2021 to 15 March 2022 (oth-001) "
        "cannot be set against ref's figures. It counts events, not deaths."
    )


def test_a_series_row_reads_rates_windows_and_a_confidence_interval():
    row = {
        "reporting_body": "ser",
        "date": "2021-12-01",
        "basis": "series",
        "before_start": "2020-04-01",
        "before_end": "2021-12-31",
        "before_windows": 7,
        "after_start": "2022-01-01",
        "after_end": "2023-03-31",
        "after_windows": 5,
        "rate_before": 1.8422,
        "rate_before_low": 1.8422,
        "rate_before_high": 1.8422,
        "rate_after": 3.0154,
        "rate_after_low": 3.0154,
        "rate_after_high": 3.0154,
        "ratio": 1.63685,
        "ratio_low": 0.8036,
        "ratio_high": 3.3343,
        "interval": "95% CI",
        "note": None,
    }
    text = describe_body_before_after(row, names={"ser": "Series body"})
    assert text == (
        "Series body: 1.84 deaths a day from 1 April 2020 to 31 December 2021 (7 periods), "
        "before 1 December 2021, and 3.02 deaths a day from 1 January 2022 to 31 March 2023 (5 periods); the "
        "ratio after to before is 1.64 (95% CI 0.80–3.33)."
    )
    pooled = describe_body_before_after(row | {"interval": "95% CI (pooled over qualifier draws)"})
    assert "(95% CI 0.80–3.33, pooled over qualifier draws)." in pooled


def test_a_body_without_a_ratio_reads_its_note():
    row = {"reporting_body": "inc", "ratio": float("nan"), "ratio_low": float("nan"),
           "note": "It published figures for single incidents only."}  # fmt: skip
    assert describe_body_before_after(row, names={"inc": "Inc"}) == (
        "Inc: It published figures for single incidents only."
    )
