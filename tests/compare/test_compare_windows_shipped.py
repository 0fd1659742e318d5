"""compare_windows and bodies_before_after on the shipped evidence table (data/tallies).

The expected figures are the published ones, read from the documents the table cites, not
outputs of the code: MINUSMA's quarterly notes on human rights trends (civilians killed:
Q1 2021 106, Q2 2021 160, Q3 2021 190 (its H2 2021 318 minus Q4's 128), Q4 2021 128,
Q1 2022 543, Q2 2022 317, Q4 2020 96); the Secretary-General's report on Mali (1 July 2021
to 30 June 2022: 1,556 civilians killed); ACLED data relayed by AP (about 500 civilians
killed from December 2020 to November 2021, more than 2,000 from December 2021 to
15 January 2023); Human Rights Watch (at least 107 civilians killed from December 2021 to
15 March 2022).
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from analysis.compare import (
    bodies_before_after,
    compare_windows,
    describe_body_before_after,
    describe_window_comparison,
)
from analysis.sources.tallies import load_evidence

ARRIVAL = "2021-12-01"


@pytest.fixture(scope="module")
def usable() -> pd.DataFrame:
    return load_evidence()["usable"]


@pytest.fixture(scope="module")
def summed(usable) -> pd.DataFrame:
    return compare_windows(usable, method="sum")


@pytest.fixture(scope="module")
def prorated(usable) -> pd.DataFrame:
    return compare_windows(usable, method="prorate")


@pytest.fixture(scope="module")
def panel(usable) -> pd.DataFrame:
    return bodies_before_after(usable, date=ARRIVAL, n=200)


def _row(frame: pd.DataFrame, tally_id: str) -> pd.Series:
    found = frame.loc[frame["tally_id"] == tally_id]
    assert len(found) == 1, tally_id
    return found.iloc[0]


def _value(usable: pd.DataFrame, tally_id: str) -> int:
    return int(usable.loc[usable["tally_id"] == tally_id, "value"].iloc[0])


def test_the_secretary_general_acled_and_hrw_have_rows_against_minusma(summed, prorated):
    for frame in (summed, prorated):
        assert {"un_sg", "acled", "hrw"} <= set(frame["reporting_body"])
        assert (frame["reference_body"] == "minusma").all()
        blocked = frame.loc[~frame["comparable"]]
        assert blocked["reason"].notna().all()
        assert blocked["reason"].str.endswith(".").all()
        assert frame.loc[frame["comparable"], "reason"].isna().all()
    assert "un_sg" in set(summed.loc[summed["comparable"], "reporting_body"])
    assert {"un_sg", "acled", "hrw"} <= set(prorated.loc[prorated["comparable"], "reporting_body"])


def test_every_id_in_a_row_is_a_figure_of_the_table(prorated, usable):
    known = set(usable["tally_id"])
    assert set(prorated["tally_id"]) <= known
    used = {
        part
        for joined in prorated["reference_tally_ids"].dropna()
        for part in str(joined).split(";")
    }
    assert used and used <= set(usable.loc[usable["reporting_body"] == "minusma", "tally_id"])


def test_the_secretary_generals_year_against_minusmas_four_quarters(summed, usable):
    row = _row(summed, "un_sg-001")
    quarters = ["minusma-027", "minusma-029", "minusma-034", "minusma-043"]
    # Q1 2022's 543 is carried by two copies (Mali Presse, Tanakra): both are listed, counted once
    copies = ["minusma-027", "minusma-029", "minusma-034", "minusma-319", "minusma-043"]
    assert _value(usable, "minusma-319") == _value(usable, "minusma-034")
    assert bool(row["comparable"]) and row["coverage"] == 1.0
    assert row["reference_tally_ids"] == ";".join(copies)
    hand_sum = sum(_value(usable, q) for q in quarters)
    assert hand_sum == 190 + 128 + 543 + 317 == 1178
    assert row["reference_point"] == hand_sum
    assert row["reference_low"] == row["reference_high"] == hand_sum
    assert row["ratio"] == pytest.approx(1556 / 1178)
    assert row["reference_terms"] == (
        "190 (minusma-027) + 128 (minusma-029) + 543 (minusma-034;minusma-319) + 317 (minusma-043)"
    )
    assert "leaves out moura-2022-03" in row["note"]


def test_every_summed_row_equals_the_hand_sum_of_the_quarters_it_covers(summed, usable):
    comparable = summed.loc[summed["comparable"]]
    assert len(comparable) >= 1
    for _, row in comparable.iterrows():
        ids = str(row["reference_tally_ids"]).split(";")
        figures = usable.loc[usable["tally_id"].isin(ids)]
        quarters = figures.groupby("period_start")["value"].max()  # copies merge to one
        assert quarters.index.min() == row["window_start"]
        assert float(quarters.sum()) == row["reference_point"], row["tally_id"]


def test_acled_twelve_months_before_the_arrival_prorates_two_quarters(prorated, usable):
    row = _row(prorated, "acled-003")
    expected = (
        _value(usable, "minusma-006") * 31 / 92  # December 2020 of Q4 2020's 96
        + _value(usable, "minusma-009")  # Q1 2021: 106
        + _value(usable, "minusma-020")  # Q2 2021: 160
        + _value(usable, "minusma-027")  # Q3 2021: 190
        + _value(usable, "minusma-029") * 61 / 92  # October-November 2021 of Q4 2021's 128
    )
    assert row["reference_point"] == pytest.approx(expected)
    assert row["prorated_periods"] == 2 and bool(row["prorated"])
    assert (row["figure_low"], row["figure_high"]) == pytest.approx((450, 550))
    assert (row["ratio_low"], row["ratio_high"]) == pytest.approx((450 / expected, 550 / expected))


def test_hrw_at_least_107_is_at_least_a_share_of_minusmas_prorated_sum(prorated, usable):
    row = _row(prorated, "hrw-003")
    expected = _value(usable, "minusma-029") * 31 / 92 + _value(usable, "minusma-034") * 74 / 90
    assert row["reference_point"] == pytest.approx(expected)
    assert row["ratio_low"] == pytest.approx(107 / expected)
    assert math.isinf(row["ratio_high"])


def test_windows_minusma_did_not_cover_are_not_compared(summed):
    row = _row(summed, "un_sg-003")  # 1 July 2022 to 22 May 2023; MINUSMA has no Q2 2023
    assert not bool(row["comparable"])
    assert "April–June 2023" in row["reason"]
    assert row["coverage"] == pytest.approx(274 / 326)


def test_the_panel_has_one_row_per_body_and_a_reason_for_every_missing_ratio(panel, usable):
    assert panel["reporting_body"].is_unique
    assert set(panel["reporting_body"]) == set(usable["reporting_body"])
    no_ratio = panel.loc[panel["ratio"].isna()]
    assert no_ratio["note"].notna().all()
    assert (no_ratio["basis"] == "none").all()


def test_minusmas_panel_row_is_the_quarterly_series_of_the_before_after_report(panel, usable):
    row = panel.loc[panel["reporting_body"] == "minusma"].iloc[0]
    assert row["basis"] == "series"
    assert (row["before_windows"], row["after_windows"]) == (7, 5)
    assert row["before_start"] == pd.Timestamp("2020-04-01")
    assert row["after_end"] == pd.Timestamp("2023-03-31")
    # Q1 2023 is "at least 95": an open figure, so the interval is pooled over draws
    assert row["interval"].startswith("95% CI (pooled")
    assert row["ratio_low"] < row["ratio"] < row["ratio_high"]
    before = [323, 176, 96, 106, 160, 190, 128]  # Q2 2020 to Q4 2021
    days = [91, 92, 92, 90, 91, 92, 92]
    assert row["rate_before"] == pytest.approx(sum(before) / sum(days))


def test_acleds_panel_row_is_its_own_pair_of_windows(panel):
    row = panel.loc[panel["reporting_body"] == "acled"].iloc[0]
    assert row["basis"] == "two windows" and row["interval"] == "qualifier range"
    assert row["tally_ids"] == "acled-003;acled-002"
    assert row["ratio"] == pytest.approx((2000 / 411) / (500 / 365))
    assert row["ratio_low"] == pytest.approx((2000 / 411) / (550 / 365))
    assert math.isinf(row["ratio_high"])


def test_bodies_without_a_window_before_the_arrival_say_so(panel):
    notes = panel.set_index("reporting_body")["note"]
    assert "none ends before it" in notes["hrw"]
    # the Secretary-General's reports cover windows on both sides, one report each, at
    # irregular intervals: no ratio, and the note says why
    assert panel.set_index("reporting_body").loc["un_sg", "basis"] == "none"
    assert "not in one document nor as a regular series" in notes["un_sg"]
    assert "single incidents only" in notes["gov_mali"]


def test_every_row_reads_as_a_sentence_without_placeholders(summed, prorated, panel):
    names = {"minusma": "MINUSMA", "un_sg": "The Secretary-General", "acled": "ACLED"}
    texts = [describe_window_comparison(r, names=names) for _, r in summed.iterrows()]
    texts += [describe_window_comparison(r, names=names) for _, r in prorated.iterrows()]
    texts += [describe_body_before_after(r, names=names) for _, r in panel.iterrows()]
    for text in texts:
        assert not re.search(r"\bnan\b|\bNone\b(?! of)|<NA>|\bNaT\b|\binf\b", text), text
        assert text.endswith(".")
    sg = describe_window_comparison(_row(summed, "un_sg-001"), names=names)
    assert "1,556 civilians killed from 1 July 2021 to 30 June 2022 (un_sg-001)" in sg
    assert "MINUSMA's figures add up to 1,178 (4 figures); the ratio is 1.32." in sg
    part = describe_window_comparison(_row(prorated, "un_sg-014"), names=names)
    assert "MINUSMA's figure, prorated by days, gives ≥ 58.1; the ratio is at most 1.45." in part
