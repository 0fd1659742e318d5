"""match_events on SYNTHETIC pairs with known truth: quality, one-to-one, blocking, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import DataError, ParameterError, match_events, match_quality
from analysis.harmonize.schema import conform_events
from analysis.link.match import MATCH_COLUMNS, resolve_one_to_one
from analysis.link.synthetic import Perturbation, synthetic_event_pairs


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_event_pairs(4000, 1000, seed=7)


@pytest.fixture(scope="module")
def matched(synthetic):
    left, right, _ = synthetic
    return match_events(left, right)


def test_quality_targets_hold_on_the_default_mix(synthetic, matched) -> None:
    _, _, truth = synthetic
    quality = match_quality(matched, truth).iloc[0]
    assert quality["precision"] >= 0.95
    assert quality["recall"] >= 0.90
    assert matched.attrs["training"] == "em"


def test_the_model_beats_the_window_rule_on_precision(synthetic, matched) -> None:
    left, right, truth = synthetic
    window = match_events(left, right, method="window")
    assert window["probability"].isna().all()
    # the same blocking: the same candidate pairs
    key = ["left_event_id", "right_event_id"]
    assert set(map(tuple, window[key].to_numpy())) == set(map(tuple, matched[key].to_numpy()))
    ours = match_quality(matched, truth).iloc[0]
    theirs = match_quality(window, truth).iloc[0]
    assert ours["precision"] > theirs["precision"]


def test_precision_rises_and_recall_falls_with_the_threshold(synthetic, matched) -> None:
    _, _, truth = synthetic
    curve = match_quality(matched, truth, thresholds=[0.05, 0.5, 0.99])
    assert curve["matched"].is_monotonic_decreasing
    assert curve["recall"].is_monotonic_decreasing
    assert curve["precision"].iloc[-1] >= curve["precision"].iloc[0]
    at_default = curve[curve["threshold"] == 0.5].iloc[0]
    assert at_default["matched"] == matched["matched"].sum()


def test_columns_and_distances(synthetic, matched) -> None:
    left, right, _ = synthetic
    assert list(matched.columns) == list(MATCH_COLUMNS)
    row = matched.iloc[0]
    a = left.set_index("event_id").loc[row["left_event_id"]]
    b = right.set_index("event_id").loc[row["right_event_id"]]
    assert row["days_start"] == (b["date_start"] - a["date_start"]).days
    assert row["days_end"] == (b["date_end"] - a["date_end"]).days
    lat1, lon1, lat2, lon2 = map(
        np.radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"])
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    assert row["km_apart"] == pytest.approx(2 * 6371.0088 * np.arcsin(np.sqrt(h)))
    assert row["fatalities_diff"] == abs(a["fatalities"] - b["fatalities"])
    assert matched["probability"].is_monotonic_decreasing
    assert matched.loc[matched["matched"], "probability"].min() >= 0.5


def test_one_to_one(matched) -> None:
    kept = matched[matched["matched"]]
    assert not kept["left_event_id"].duplicated().any()
    assert not kept["right_event_id"].duplicated().any()
    # every unmatched pair above the threshold lost to a better pair of one of its events
    above = matched[~matched["matched"] & (matched["probability"] >= 0.5)]
    used = set(kept["left_event_id"]) | set(kept["right_event_id"])
    assert all(
        a in used or b in used
        for a, b in zip(above["left_event_id"], above["right_event_id"], strict=True)
    )


def test_greedy_resolution_takes_the_best_pair_first() -> None:
    pairs = pd.DataFrame(
        {
            "left_event_id": ["a", "a", "b", "b"],
            "right_event_id": ["x", "y", "x", "y"],
            "score": [0.9, 0.8, 0.85, 0.1],
        }
    )
    kept = resolve_one_to_one(
        pairs, by=["score"], ascending=[False], eligible=np.array([True, True, True, False])
    )
    assert kept.tolist() == [True, False, False, False]  # b-y is not eligible, b-x lost to a-x


def test_blocking_finds_every_pair_inside_the_window_and_none_outside() -> None:
    left, right, _ = synthetic_event_pairs(600, 150, seed=3)
    pairs = match_events(left, right, method="window", max_days=5, max_km=30.0)
    l_ = left[["event_id", "date_start", "date_end", "latitude", "longitude"]]
    r_ = right[["event_id", "date_start", "date_end", "latitude", "longitude"]]
    full = l_.merge(r_, how="cross", suffixes=("_l", "_r"))
    lat1, lon1 = np.radians(full["latitude_l"]), np.radians(full["longitude_l"])
    lat2, lon2 = np.radians(full["latitude_r"]), np.radians(full["longitude_r"])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    km = 2 * 6371.0088 * np.arcsin(np.sqrt(h))
    inside = (
        ((full["date_start_l"] - full["date_start_r"]).dt.days.abs() <= 5)
        & ((full["date_end_l"] - full["date_end_r"]).dt.days.abs() <= 5)
        & (km <= 30.0)
    )
    expected = set(zip(full.loc[inside, "event_id_l"], full.loc[inside, "event_id_r"], strict=True))
    assert expected  # the check means something
    assert set(zip(pairs["left_event_id"], pairs["right_event_id"], strict=True)) == expected
    assert len(pairs) < 0.01 * len(full)


def test_windows_wider_than_the_widest_level_are_modelled() -> None:
    """SYNTHETIC: a 60-day, 500-km window (beyond the 30-day and 100-km levels) fits too."""
    left, right, truth = synthetic_event_pairs(400, 100, seed=5)
    wide = match_events(left, right, max_days=60, max_km=500.0)
    assert wide["probability"].notna().all()
    assert match_quality(wide, truth).iloc[0]["recall"] >= 0.8


def test_events_without_place_are_counted_not_matched() -> None:
    left, right, _ = synthetic_event_pairs(200, 50, seed=4)
    left = left.copy()
    left.loc[:9, "latitude"] = np.nan
    pairs = match_events(left, right, train="prior")
    assert pairs.attrs["unplaced"] == {"left": 10, "right": 0}
    assert not pairs["left_event_id"].isin(left.loc[:9, "event_id"]).any()
    assert pairs.attrs["training"] == "prior"


def test_no_overlap_gives_an_empty_table_with_the_columns() -> None:
    left, _, _ = synthetic_event_pairs(50, 20, seed=5, start="2019-01-01", end="2019-06-30")
    _, right, _ = synthetic_event_pairs(50, 20, seed=6, start="2023-01-01", end="2023-06-30")
    pairs = match_events(left, right, method="window")
    assert pairs.empty and list(pairs.columns) == list(MATCH_COLUMNS)


def test_bad_tables_raise_data_errors() -> None:
    left, right, _ = synthetic_event_pairs(50, 20, seed=8)
    with pytest.raises(DataError, match="canonical columns"):
        match_events(left.drop(columns="notes"), right)
    twice = conform_events(pd.concat([right, right.iloc[:1]], ignore_index=True))
    with pytest.raises(DataError, match="appears more than once") as caught:
        match_events(left, twice)
    assert caught.value.file == "right" and caught.value.column == "event_id"
    with pytest.raises(DataError, match="DataFrame"):
        match_events(left, "events.csv")


@pytest.mark.parametrize(
    ("option", "value"),
    [("method", "meltt"), ("threshold", 0), ("threshold", 1.5), ("max_km", -1),
     ("max_days", 2.5), ("train", "supervised"), ("expected_share", 0)],
)  # fmt: skip
def test_bad_options_raise_parameter_errors(option, value) -> None:
    left, right, _ = synthetic_event_pairs(50, 20, seed=8)
    with pytest.raises(ParameterError, match=option):
        match_events(left, right, **{option: value})


def test_the_generator_is_seeded_and_its_truth_consistent() -> None:
    a = synthetic_event_pairs(300, 80, seed=11)
    b = synthetic_event_pairs(300, 80, seed=11)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)
    left, right, truth = a
    assert truth["left_event_id"].isin(left["event_id"]).all()
    assert truth["right_event_id"].isin(right["event_id"]).all()
    assert set(truth["kind"]) <= {"one_to_one", "split", "merge"}
    splits = truth[truth["kind"] == "split"].groupby("incident")
    assert (splits["left_event_id"].nunique() == 2).all()
    assert (left["notes"] == "SYNTHETIC TEST DATA").all()
    with pytest.raises(ValueError, match="split_share"):
        Perturbation(split_share=1.5)


@pytest.mark.parametrize(
    "module",
    [
        "analysis.link.match",
        "analysis.link.synthetic",
        "analysis.link.incidents",
        "analysis.link.overlap",
    ],
)
def test_docstring_examples(module) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
