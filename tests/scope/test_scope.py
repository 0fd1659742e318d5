"""Scope (country and window), the reasons a before/after section is not estimated, id ranges."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.display import id_span, natural_key
from analysis.estimability import before_after_gap, shares_gap
from analysis.harmonize.countries import country_iso3, country_mask
from analysis.harmonize.selection import scope_events


def _events() -> pd.DataFrame:
    rows = [
        ("Mali", "MLI", "2019-03-01"),
        ("Mali", "MLI", "2021-12-05"),
        ("Mali", None, "2023-01-10"),
        ("Russia (Soviet Union)", None, "2002-05-01"),
        ("Syria", None, "2016-01-01"),
        ("Syria", None, "2016-02-01"),
        (None, "MLI", "2024-06-01"),
    ]
    frame = pd.DataFrame(rows, columns=["country", "iso3", "date_start"])
    frame["country"] = frame["country"].astype("category")
    frame["iso3"] = frame["iso3"].astype("category")
    frame["date_start"] = pd.to_datetime(frame["date_start"])
    return frame


def test_country_by_name_or_code() -> None:
    events = _events()
    by_name = country_mask(events, "mali")
    assert by_name.tolist() == [True, True, True, False, False, False, True]
    assert (country_mask(events, "MLI") == by_name).all()
    # a parenthetical suffix is ignored: UCDP's "Russia (Soviet Union)"
    assert country_mask(events, "Russia").tolist() == [False] * 3 + [True] + [False] * 3
    assert country_iso3("Mali") == "MLI" and country_iso3("Atlantis") is None
    with pytest.raises(ValueError):
        country_mask(events, " ")


def test_scope_counts_what_it_leaves_out() -> None:
    events = _events()
    kept, left_out = scope_events(events, country="Mali", start="2020-01-01", end="2023-12-31")
    assert kept.index.tolist() == [1, 2]
    reasons = dict(zip(left_out["reason"], left_out["n_rows"], strict=True))
    assert reasons == {"other_country": 3, "before_start": 1, "after_end": 1}
    assert len(kept) + left_out["n_rows"].sum() == len(events)
    detail = left_out.set_index("reason")["detail"]
    assert detail["other_country"] == "Syria 2; Russia (Soviet Union) 1"
    # no window: only other countries are left out
    kept, left_out = scope_events(events, country="Mali")
    assert len(kept) == 4 and left_out["reason"].tolist() == ["other_country"]


def test_scope_names_the_five_largest_countries_and_sums_the_rest() -> None:
    names = [f"Country{i}" for i in range(8) for _ in range(8 - i)]
    frame = pd.DataFrame({"country": names, "iso3": None, "date_start": pd.Timestamp("2020-01-01")})
    _, left_out = scope_events(frame, country="Mali")
    assert left_out["n_rows"].tolist() == [len(names)]
    assert left_out["detail"].iloc[0] == (
        "Country0 8; Country1 7; Country2 6; Country3 5; Country4 4; and 6 in 3 more"
    )


def _series(start: str, n: int, counts: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_start": pd.date_range(start, periods=n, freq="MS"),
            "fatalities": counts if counts is not None else list(range(1, n + 1)),
        }
    )


def test_series_ending_before_the_date_is_not_estimated_with_its_numbers() -> None:
    reason = before_after_gap(
        _series("2018-01-01", 31), date="2021-12-01", count="fatalities", what="the series"
    )
    assert reason == (
        "Not estimated: the series has 31 months before 2021-12-01 and none from it on "
        "(January 2018 to July 2020); a before/after estimate needs at least 3 on each side."
    )


def test_too_few_periods_after_and_all_zero_sides() -> None:
    short = before_after_gap(_series("2021-06-01", 8), date="2021-12-01", count="fatalities")
    assert short is not None and "6 months before" in short and "2 from it on" in short
    assert before_after_gap(_series("2021-06-01", 9), date="2021-12-01", count="fatalities") is None
    zeros = _series("2021-06-01", 12, [3, 1, 2, 4, 1, 2] + [0] * 6)
    reason = before_after_gap(zeros, date="2021-12-01", count="fatalities")
    assert reason is not None and "is 0 in all 6 months from 2021-12-01 on" in reason
    # missing counts are not observed periods
    gappy = _series("2021-06-01", 12).astype({"fatalities": "float64"})
    gappy.loc[gappy.index[-4:], "fatalities"] = float("nan")
    assert "2 from it on" in before_after_gap(gappy, date="2021-12-01", count="fatalities")
    assert "no observed months" in before_after_gap(
        gappy.iloc[0:0], date="2021-12-01", count="fatalities"
    )


def test_shares_need_both_sides() -> None:
    assert shares_gap(pd.Series({"a": 3}), pd.Series({"a": 2}), date="2021-12-01") is None
    assert shares_gap(pd.Series({"a": 1234}), pd.Series(dtype="float64"), date="2021-12-01") == (
        "Not compared: there are 1,234 civilian fatalities before 2021-12-01 and 0 from it on."
    )


def test_ids_sort_by_their_number() -> None:
    ids = ["MLI999", "MLI1000", "MLI1", "MLI12"]
    assert sorted(ids, key=natural_key) == ["MLI1", "MLI12", "MLI999", "MLI1000"]
    assert id_span(ids) == ("MLI1", "MLI1000")
    assert id_span([]) is None
    assert id_span(["500123", "98"]) == ("98", "500123")
