"""Capture histories from matched lists, and the estimate over match thresholds (SYNTHETIC)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import (
    DataError,
    ParameterError,
    capture_histories,
    chapman,
    history_counts,
    lincoln_petersen,
    links_from_incidents,
    links_from_matches,
    match_events,
    mse_loglinear,
    mse_match_sensitivity,
)
from analysis.link.synthetic import synthetic_event_pairs


def _links(rows):
    return pd.DataFrame(rows, columns=["list_a", "id_a", "list_b", "id_b"])


def test_histories_join_linked_records_into_cases() -> None:
    lists = {"acled": ["a1", "a2", "a3", "a4"], "ucdp": ["u1", "u2"], "tallies": ["t1"]}
    links = _links(
        [
            ("acled", "a1", "ucdp", "u1"),
            ("acled", "a2", "ucdp", "u1"),  # a split: a1 and a2 are one case with u1
            ("tallies", "t1", "acled", "a2"),
            ("acled", "a3", "ucdp", "u2"),
        ]
    )
    histories = capture_histories(lists, links)
    assert sorted(histories["history"]) == ["100", "110", "111"]
    case = histories[histories["history"] == "111"].iloc[0]
    assert case["records"] == 4
    assert set(case["ids"].split("; ")) == {"acled:a1", "acled:a2", "ucdp:u1", "tallies:t1"}
    assert history_counts(histories).to_dict() == {"100": 1, "110": 1, "111": 1}


@pytest.fixture(scope="module")
def matched():
    left, right, _ = synthetic_event_pairs(600, 200, seed=9)
    return left, right, match_events(left, right)


def test_two_matched_lists_give_the_lincoln_petersen_estimate(matched) -> None:
    left, right, pairs = matched
    histories = capture_histories(
        {"acled": left["event_id"], "ucdp": right["event_id"]},
        links_from_matches(pairs, left="acled", right="ucdp"),
    )
    counts = history_counts(histories)
    m = int(pairs["matched"].sum())
    assert counts["11"] == m
    assert counts["10"] == len(left) - m and counts["01"] == len(right) - m
    fit = mse_loglinear(counts)
    lp = lincoln_petersen(len(left), len(right), m)["estimate"].iloc[0]
    assert fit.n_hat == pytest.approx(lp, rel=1e-6)
    assert chapman(len(left), len(right), m)["estimate"].iloc[0] < fit.n_hat


def test_sensitivity_to_the_threshold(matched) -> None:
    left, right, pairs = matched
    table = mse_match_sensitivity(
        pairs, left_ids=left["event_id"], right_ids=right["event_id"], thresholds=[0.01, 0.5, 0.999]
    )
    assert table["threshold"].tolist() == [0.01, 0.5, 0.999]
    assert table["matched"].is_monotonic_decreasing
    assert table["n_hat"].is_monotonic_increasing  # fewer matches: more missed by both
    middle = table.iloc[1]
    assert middle["matched"] == pairs["matched"].sum()
    assert middle["histories"].endswith(f"11={int(pairs['matched'].sum())}")


def test_three_lists_with_incidents(matched) -> None:
    left, right, pairs = matched
    chosen = left.iloc[:30]
    linked = pd.DataFrame(
        {
            "incident_id": [f"inc-{i % 10}" for i in range(30)],
            "source": "acled",
            "event_id": chosen["event_id"].to_numpy(),
        }
    )
    table = mse_match_sensitivity(
        pairs,
        left_ids=left["event_id"],
        right_ids=right["event_id"],
        thresholds=[0.5],
        extra_lists={"incidents": [f"inc-{i}" for i in range(10)]},
        extra_links=[links_from_incidents(linked)],
    )
    assert set(table["model"]) >= {"independence", "acled x ucdp"}
    assert all(len(h.split("=")[0]) == 3 for h in table["histories"].iloc[0].split("; "))


def test_bad_links() -> None:
    with pytest.raises(DataError, match="not a member"):
        capture_histories({"a": ["x"], "b": ["y"]}, _links([("a", "x", "b", "z")]))
    with pytest.raises(DataError, match="lacks columns"):
        capture_histories({"a": ["x"], "b": ["y"]}, pd.DataFrame({"list_a": ["a"]}))
    with pytest.raises(ParameterError, match="two lists"):
        capture_histories({"a": ["x"]}, [])
