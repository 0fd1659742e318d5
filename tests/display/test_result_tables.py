"""The statistics' result frames as reader tables (SYNTHETIC series and frames)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import before_after, its_fit, share_change
from analysis.result_tables import (
    diagnostics_table,
    its_terms_table,
    period_label,
    rate_ratio_table,
    share_change_table,
)


def _html(table) -> str:
    return table.data if hasattr(table, "data") else str(table)


def _series() -> pd.DataFrame:
    """A SYNTHETIC monthly series that doubles at 2021-12."""
    months = pd.date_range("2020-01-01", periods=36, freq="MS")
    counts = np.random.default_rng(1).poisson(np.where(months >= "2021-12-01", 60, 30))
    return pd.DataFrame({"period_start": months, "count": counts})


def test_its_terms_are_named_and_intervals_in_one_cell() -> None:
    fit = its_fit(_series(), date="2021-12-01")
    html = _html(its_terms_table(fit, freq="MS"))
    assert f"One trend for both segments (quasipoisson, {fit.reference} intervals)" in html
    level = fit.summary_frame().loc["level_change"]
    assert "Level change at the date" in html and "Trend (ratio per month)" in html
    assert f"{level['estimate']:.2f} ({level['ci_low']:.2f}–{level['ci_high']:.2f})" in html
    assert "level_change" not in html and "coef" not in html  # no raw names or columns


def test_rate_ratios_read_before_and_after() -> None:
    ratio = before_after(_series(), date="2021-12-01").assign(count="Fatalities")
    html = _html(rate_ratio_table(ratio, label="count", label_name="Counts of", freq="MS"))
    row = ratio.iloc[0]
    assert "Months before / after" in html
    assert f"{int(row['periods_before'])} / {int(row['periods_after'])}" in html
    assert f"{int(row['count_before']):,} / {int(row['count_after']):,}" in html
    assert "e-" not in html  # no scientific notation


def test_share_changes_carry_signs_and_names() -> None:
    shares = share_change(
        {"jnim": 100.0, "state_forces": 300.0}, {"jnim": 300.0, "state_forces": 100.0}
    )
    html = _html(share_change_table(shares))
    assert "JNIM" in html and "Malian state forces" in html
    assert "+50.0 (" in html and "\u221250.0 (" in html and " to " in html


def test_diagnostics_and_period_labels() -> None:
    html = _html(diagnostics_table(its_fit(_series(), date="2021-12-01").diagnostics()))
    assert "Durbin-Watson" in html and "Ljung-Box" in html
    assert period_label("2022-01-01", "QS") == "2022Q1"
    assert period_label("2022-03-01", "MS") == "March 2022"
    assert period_label("2022-01-01", "YS") == "2022"
