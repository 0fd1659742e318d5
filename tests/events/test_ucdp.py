"""read_ucdp_ged on SYNTHETIC GED files (CSV, candidate CSV, .rda, .rds).

Expected values are computed with pandas directly from the written CSV, independently of the
reader.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import DataError, read_ucdp_ged
from analysis.harmonize.schema import check_events
from analysis.testing import write_acled_csv, write_ucdp_ged_csv, write_ucdp_ged_rdata


@pytest.fixture
def ged(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    path = write_ucdp_ged_csv(tmp_path / "ged.csv", n_events=120, seed=11)
    return path, pd.read_csv(path)


def test_counts_and_definitions(ged) -> None:
    """best/low/high/deaths_civilians are carried over; one-sided violence (type 3) is the
    civilian-victim flag (UCDP codebook)."""
    path, raw = ged
    events = check_events(read_ucdp_ged(path)).set_index("event_id")
    raw = raw.set_index(raw["id"].astype(str))
    raw = raw.loc[events.index]
    assert len(events) == 120
    assert (events["fatalities"].to_numpy() == raw["best"].to_numpy()).all()
    assert (events["fatalities_low"].to_numpy() == raw["low"].to_numpy()).all()
    assert (events["fatalities_high"].to_numpy() == raw["high"].to_numpy()).all()
    assert (events["civilian_fatalities"].to_numpy() == raw["deaths_civilians"].to_numpy()).all()
    assert (
        events["civilian_victims"].to_numpy() == (raw["type_of_violence"] == 3).to_numpy()
    ).all()
    first = raw["side_a"].str.split(", ").str[0]
    assert (events["actor1"].astype(str).to_numpy() == first.to_numpy()).all()
    assert (events["iso3"] == "MLI").all()
    assert (events["source"] == "ucdp").all()
    starts = pd.to_datetime(raw["date_start"].str[:10]).to_numpy()
    assert (events["date_start"].to_numpy() == starts).all()
    assert (events["date_end"] >= events["date_start"]).all()
    assert events["source_timestamp"].isna().all()


def test_event_types_and_precision(ged) -> None:
    path, raw = ged
    events = read_ucdp_ged(path)
    names = {1: "state-based", 2: "non-state", 3: "one-sided"}
    assert events["event_type"].value_counts().to_dict() == {
        names[k]: v for k, v in raw["type_of_violence"].value_counts().to_dict().items()
    }
    assert set(events["date_precision"].dropna()) <= {"day", "week", "month", "year"}


def test_candidate_release_dates(tmp_path: Path, ged) -> None:
    """The candidate CSV writes dates without a time of day; same events."""
    path, _ = ged
    candidate = write_ucdp_ged_csv(tmp_path / "cand.csv", n_events=120, seed=11, candidate=True)
    a = read_ucdp_ged(path).drop(columns="origin")
    b = read_ucdp_ged(candidate).drop(columns="origin")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("suffix", [".rda", ".RData", ".rds"])
def test_r_data_files_equal_the_csv(tmp_path: Path, ged, suffix: str) -> None:
    """UCDP's R releases (read through pyreadr) give the same table as the CSV."""
    path, _ = ged
    rfile = write_ucdp_ged_rdata(tmp_path / f"ged{suffix}", n_events=120, seed=11)
    from_r = read_ucdp_ged(rfile)
    from_csv = read_ucdp_ged(path)
    pd.testing.assert_frame_equal(from_csv.drop(columns="origin"), from_r.drop(columns="origin"))
    label = "rds" if suffix == ".rds" else "ucdpged"
    assert from_r["origin"].iloc[0] == f"ged{suffix}:{label}[1]"


def test_actor_mapping_on_ucdp_names(ged) -> None:
    """UCDP's comma-separated sides ("Government of Mali, Wagner Group") become actor1 plus
    associates, so Malian forces with Wagner are state_forces_with_foreign."""
    path, _ = ged
    events = read_ucdp_ged(path)
    gov = (events["actor1"] == "Government of Mali") & events["assoc_actor1"].isna()
    assert (events.loc[gov, "perpetrator_group"] == "state_forces").all()
    jnim = events["actor1"] == "JNIM"
    assert (events.loc[jnim, "perpetrator_group"] == "jnim").all()
    joint = events["assoc_actor1"] == "Wagner Group"
    assert joint.any()
    assert (events.loc[joint, "actor1"] == "Government of Mali").all()
    assert (events.loc[joint, "perpetrator_group"] == "state_forces_with_foreign").all()
    assert events.loc[joint, "wagner_involved"].all()
    wagner = events["actor1"] == "Wagner Group"
    assert wagner.any()
    assert (events.loc[wagner, "perpetrator_group"] == "wagner").all()
    assert events.loc[wagner, "wagner_involved"].all()
    assert (events.loc[wagner, "date_start"] >= "2021-12-01").all()


def test_an_acled_file_is_refused(tmp_path: Path) -> None:
    path = write_acled_csv(tmp_path / "acled.csv", n_events=10, seed=1)
    with pytest.raises(DataError) as info:
        read_ucdp_ged(path)
    assert info.value.rule == "wrong_kind"
    assert "ACLED" in str(info.value)
    assert info.value.line == 1


def test_duplicate_ids_with_different_content(tmp_path: Path, ged) -> None:
    _, raw = ged
    bad = pd.concat([raw, raw.iloc[[3]].assign(best=raw["best"].iloc[3] + 1)], ignore_index=True)
    bad.to_csv(tmp_path / "dup.csv", index=False)
    with pytest.raises(DataError) as info:
        read_ucdp_ged(tmp_path / "dup.csv")
    assert info.value.rule == "conflicting_duplicate"
    assert info.value.line in (5, len(bad) + 1)
