"""HDX/HAPI aggregates -> regular series for the before/after functions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import aggregate_events, before_after, read_hdx_aggregates
from analysis.harmonize.monthly import aggregate_series, choose_indicator
from analysis.testing import write_hapi_csv, write_hdx_workbook


def _table(months: list[str], rows: list[tuple[str, int, int | None]]) -> pd.DataFrame:
    """A small aggregate table: for each month, rows (admin1, events, fatalities)."""
    records = []
    for month in months:
        for admin1, events, fatalities in rows:
            records.append(
                {
                    "indicator": "political_violence",
                    "country": "Mali",
                    "iso3": "MLI",
                    "admin1": admin1,
                    "month": pd.Timestamp(month),
                    "events": events,
                    "fatalities": fatalities,
                }
            )
    return pd.DataFrame(records)


def test_totals_are_preserved_and_unpublished_months_stay_missing() -> None:
    table = _table(["2021-01-01", "2021-02-01", "2021-05-01"], [("Gao", 2, 3), ("Mopti", 1, 0)])
    series = aggregate_series(table)
    assert series["period_start"].dt.strftime("%Y-%m").tolist() == [
        "2021-01", "2021-02", "2021-03", "2021-04", "2021-05",
    ]  # fmt: skip
    assert series["events"].tolist() == [3, 3, pd.NA, pd.NA, 3]
    assert series["fatalities"].sum() == table["fatalities"].sum() == 9
    assert series["exposure_days"].tolist() == [31, 28, 0, 0, 31]
    quarterly = aggregate_series(table, freq="QS")
    assert quarterly["events"].tolist() == [6, 3]
    assert quarterly["exposure_days"].tolist() == [59, 31]  # only the months published


def test_areas_are_zero_filled_within_published_months() -> None:
    table = pd.concat(
        [
            _table(["2021-01-01"], [("Gao", 2, 3), ("Mopti", 1, 1)]),
            _table(["2021-02-01"], [("Gao", 4, 0)]),
        ]  # fmt: skip
    )
    by_region = aggregate_series(table, by="admin1")
    mopti = by_region[by_region["admin1"] == "Mopti"]
    assert mopti["events"].tolist() == [1, 0]
    with pytest.raises(ValueError, match="area columns"):
        aggregate_series(table, by="perpetrator_group")


def test_missing_fatalities_are_counted_apart() -> None:
    table = _table(["2021-01-01"], [("Gao", 2, None), ("Mopti", 1, 4)])
    table["fatalities"] = table["fatalities"].astype("Int64")
    series = aggregate_series(table)
    assert series[["fatalities", "fatalities_missing"]].iloc[0].tolist() == [4, 1]


def test_indicators_are_chosen_never_summed(tmp_path: Path) -> None:
    hapi = read_hdx_aggregates(write_hapi_csv(tmp_path / "hapi.csv", n_events=120, seed=4))
    assert choose_indicator(hapi) == "civilian_targeting"
    assert choose_indicator(hapi, "demonstrations") == "demonstrations"
    with pytest.raises(ValueError, match="hold no 'x'"):
        choose_indicator(hapi, "x")
    violence = aggregate_series(hapi, indicator="political_violence")
    expected = hapi.loc[hapi["indicator"] == "political_violence", "events"].sum()
    assert violence["events"].sum() == expected
    with pytest.raises(ValueError, match="several indicators"):
        aggregate_events(hapi)
    civilian = aggregate_events(hapi, civilian_only=True)
    assert (
        civilian["events"].sum()
        == hapi.loc[hapi["indicator"] == "civilian_targeting", "events"].sum()
    )


def test_a_workbook_series_goes_into_before_after(tmp_path: Path) -> None:
    book = write_hdx_workbook(tmp_path / "mali_political_violence.xlsx", n_events=300, seed=6)
    table = read_hdx_aggregates(book)
    series = aggregate_events(table, freq="MS")  # the same as aggregate_series(table)
    pd.testing.assert_frame_equal(series, aggregate_series(table))
    result = before_after(
        series, date="2021-12-01", count="events", exposure="exposure_days", family="poisson"
    )
    before = series["period_start"] < pd.Timestamp("2021-12-01")
    assert result["count_before"].iloc[0] == series.loc[before, "events"].sum()
    assert result["exposure_before"].iloc[0] == series.loc[before, "exposure_days"].sum()
    rate = series.loc[~before, "events"].sum() / series.loc[~before, "exposure_days"].sum()
    assert np.isclose(result["rate_after"].iloc[0], rate)
