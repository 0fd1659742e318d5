"""read_hdx_aggregates on SYNTHETIC HDX workbooks and HAPI CSVs.

The workbooks hold monthly counts of :func:`analysis.testing.synthetic_acled_events`; expected
totals are computed from that table with pandas, independently of the reader.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from analysis import DataError, read_hdx_aggregates
from analysis.harmonize.schema import HDX_COLUMNS
from analysis.testing import synthetic_acled_events, write_hapi_csv, write_hdx_workbook

N = 300
SEED = 5


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    frame = synthetic_acled_events(N, seed=SEED)
    frame["month"] = pd.to_datetime(frame["event_date"]).dt.to_period("M").dt.to_timestamp()
    frame["deaths"] = frame["fatalities"].astype(int)
    return frame


def test_data_sheet_workbook(tmp_path: Path, events: pd.DataFrame) -> None:
    """Political violence per month equals the synthetic events' monthly counts."""
    path = write_hdx_workbook(tmp_path / "mali_political_violence.xlsx", n_events=N, seed=SEED)
    agg = read_hdx_aggregates(path)
    assert list(agg.columns) == list(HDX_COLUMNS)
    assert set(agg["indicator"]) == {"political_violence"}
    violent = events[events["disorder_type"] == "Political violence"]
    expected = violent.groupby("month").agg(events=("deaths", "size"), deaths=("deaths", "sum"))
    got = agg.groupby("month")[["events", "fatalities"]].sum()
    got = got[got["events"] > 0]
    assert (got["events"].to_numpy() == expected["events"].to_numpy()).all()
    assert (got["fatalities"].to_numpy() == expected["deaths"].to_numpy()).all()
    assert (agg["admin_level"] == 2).all()
    assert agg["origin"].iloc[0] == "mali_political_violence.xlsx[Data]:2"
    assert (agg["month"].dt.day == 1).all()


def test_region_sheets_and_country_sheet(tmp_path: Path, events: pd.DataFrame) -> None:
    """One sheet per region group plus a country-level sheet; the TOU sheet is skipped."""
    path = write_hdx_workbook(
        tmp_path / "x.xlsx", n_events=N, seed=SEED, indicator="civilian_targeting", layout="regions"
    )
    agg = read_hdx_aggregates(path, indicator="civilian_targeting")
    mali = agg[agg["country"] == "Mali"]
    civilian = events[events["civilian_targeting"] != ""]
    assert mali["events"].sum() == len(civilian)
    assert mali["fatalities"].sum() == civilian["deaths"].sum()
    senegal = agg[agg["country"] == "Senegal"]
    assert len(senegal) > 0
    assert (senegal["admin_level"] == 0).all()
    assert senegal["admin2"].isna().all()
    sheets = set(agg["origin"].str.extract(r"\[(\w+)\]")[0])
    assert sheets == {"HRP_1", "HRP_2", "Non_HRP"}


def test_indicator_from_name_or_argument(tmp_path: Path) -> None:
    path = write_hdx_workbook(tmp_path / "export.xlsx", n_events=50, seed=1)
    with pytest.raises(ValueError, match="indicator"):
        read_hdx_aggregates(path)
    with pytest.raises(ValueError, match="indicator must be one of"):
        read_hdx_aggregates(path, indicator="battles")  # type: ignore[arg-type]
    agg = read_hdx_aggregates(path, indicator="political_violence")
    assert set(agg["indicator"]) == {"political_violence"}


def test_hapi_csv(tmp_path: Path, events: pd.DataFrame) -> None:
    """HAPI rows: three indicators, demonstrations without fatalities, a BOM handled."""
    path = write_hapi_csv(tmp_path / "hapi.csv", n_events=N, seed=SEED)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    agg = read_hdx_aggregates(path)
    assert set(agg["indicator"]) == {"political_violence", "civilian_targeting", "demonstrations"}
    demos = agg[agg["indicator"] == "demonstrations"]
    assert demos["fatalities"].isna().all()
    assert demos["events"].sum() == (events["disorder_type"] == "Demonstrations").sum()
    civ = agg[agg["indicator"] == "civilian_targeting"]
    assert civ["fatalities"].sum() == events.loc[events["civilian_targeting"] != "", "deaths"].sum()
    assert (agg["iso3"] == "MLI").all()
    assert agg["country"].isna().all()
    only = read_hdx_aggregates(path, indicator="civilian_targeting")
    assert set(only["indicator"]) == {"civilian_targeting"}
    assert len(only) == len(civ)


def test_bad_month_names_the_row(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Country": ["Mali", "Mali"],
            "Month": ["January", "Janvier"],
            "Year": [2020, 2020],
            "Events": [1, 2],
            "Fatalities": [0, 3],
        }
    )
    path = tmp_path / "bad_political_violence.xlsx"
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="Data", index=False)
    with pytest.raises(DataError) as info:
        read_hdx_aggregates(path)
    assert info.value.line == 3
    assert info.value.column == "month"


def test_negative_events_in_hapi(tmp_path: Path) -> None:
    path = write_hapi_csv(tmp_path / "hapi.csv", n_events=40, seed=2, bom=False)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[5][rows[0].index("events")] = "-2"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_hdx_aggregates(path)
    assert (info.value.line, info.value.column) == (6, "events")
    assert "negative" in info.value.message


def test_an_acled_event_file_is_refused(tmp_path: Path) -> None:
    from analysis.testing import write_acled_csv

    path = write_acled_csv(tmp_path / "acled.csv", n_events=10, seed=1)
    with pytest.raises(DataError) as info:
        read_hdx_aggregates(path)
    assert info.value.rule == "wrong_kind"
    assert "ACLED event export" in str(info.value)
