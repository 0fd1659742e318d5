"""Actor names -> perpetrator groups, from the shipped table and from user tables.

The names below are actor names as ACLED and UCDP spell them (public naming conventions, not
data); the expected groups follow the vocabulary documented in data/hand/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import DataError, harmonize_actors, load_actor_table, read_acled, unmatched_actors
from analysis.harmonize.actors import match_actor
from analysis.harmonize.schema import PERPETRATOR_GROUPS
from analysis.testing import WAGNER_ARRIVAL, synthetic_acled_events, write_acled_csv

EXPECTED = {
    # the Malian armed forces under every era name ACLED has used
    "Military Forces of Mali (1992-2002)": "state_forces",
    "Military Forces of Mali (2002-2012)": "state_forces",
    "Military Forces of Mali (2012-2013)": "state_forces",
    "Military Forces of Mali (2013-)": "state_forces",
    "Military Forces of Mali (2013-2020)": "state_forces",
    "Military Forces of Mali (2020-2021)": "state_forces",
    "Military Forces of Mali (2021-)": "state_forces",
    "Military Forces of Mali (2013-) Operational Coordination Mechanism": "state_forces",
    "Police Forces of Mali (2013-) Gendarmerie": "state_forces",
    "Police Forces of Mali (2020-2021)": "state_forces",
    "Government of Mali": "state_forces",
    # Russians
    "Wagner Group": "wagner",
    "Africa Corps": "wagner",
    "Military Forces of Russia (2000-) Wagner Group": "wagner",
    # without a country and date, Russia's forces are its state forces (see the scope tests)
    "Military Forces of Russia (2000-)": "other",
    # JNIM and its katibas
    "JNIM: Group for Support of Islam and Muslims": "jnim",
    "Katiba Macina": "jnim",
    "Katiba Serma": "jnim",
    "Ansar Dine": "jnim",
    "JNIM": "jnim",
    # IS Sahel
    "Islamic State (Greater Sahara)": "isgs",
    "Islamic State (West Africa) - Greater Sahara Faction": "isgs",
    "Islamic State Sahel Province": "isgs",
    "IS": "isgs",
    # militias, separatists, international forces, unknown
    "Dan Na Ambassagou": "militias",
    "Dozo Communal Militia (Mali)": "militias",
    "Dozo Militia": "militias",
    "Fulani Ethnic Militia (Mali)": "militias",
    "CMA: Coordination of Movements of the Azawad": "separatists",
    "FLA: Azawad Liberation Front": "separatists",
    "MNLA: National Movement for the Liberation of Azawad": "separatists",
    "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2013-)": (
        "international_forces"
    ),
    "Military Forces of France (2017-) Operation Barkhane": "international_forces",
    "Takuba Task Force": "international_forces",
    "Unidentified Armed Group (Mali)": "unknown",
    "Civilians (Mali)": "civilians",
    "JNIM: Group for Support of Islam and Muslims and/or Islamic State (Greater Sahara)": (
        "islamist_armed_groups"
    ),
}


def test_shipped_table_is_valid() -> None:
    table = load_actor_table()
    assert set(table["perpetrator_group"]) <= set(PERPETRATOR_GROUPS)
    assert table["wagner"].dtype == bool
    assert table[table["wagner"]]["perpetrator_group"].eq("wagner").all()


@pytest.mark.parametrize(("name", "group"), sorted(EXPECTED.items()))
def test_names_map_to_groups(name: str, group: str) -> None:
    found = match_actor(name)
    assert found is not None, name
    assert found[0] == group
    assert found[1] == (group == "wagner")


@pytest.mark.parametrize(
    ("name", "country", "date", "expected"),
    [
        # UCDP's side names: Russia's army in Chechnya in 2002 is not Wagner
        ("Government of Russia (Soviet Union)", "Russia (Soviet Union)", "2002-05-01", "other"),
        ("Government of Russia (Soviet Union)", "Mali", "2023-03-01", "wagner"),
        ("Government of Russia (Soviet Union)", "MLI", "2023-03-01", "wagner"),
        # in Mali before Wagner's arrival (December 2021) Russian forces are not Wagner either
        ("Government of Russia (Soviet Union)", "Mali", "2021-11-30", "other"),
        ("Military Forces of Russia (2000-)", "Mali", "2021-12-01", "wagner"),
        ("Military Forces of Russia (2000-)", "Syria", "2016-01-01", "other"),
        ("Military Forces of Russia (2000-)", "Ukraine", "2023-03-01", "other"),
        # the names of Wagner and Africa Corps say who they are, wherever they appear
        ("Wagner Group", "Central African Republic", "2019-01-01", "wagner"),
        ("Africa Corps", "Mali", "2024-07-01", "wagner"),
    ],
)
def test_russian_forces_are_wagner_only_where_and_when_it_operated(
    name: str, country: str, date: str, expected: str
) -> None:
    group, wagner = match_actor(name, country=country, date=date)
    assert group == expected
    assert wagner == (expected == "wagner")


def test_scoped_rules_apply_per_event_in_a_table() -> None:
    # UCDP-style sides, one event in Chechnya 2002 and one in Mali 2023, same name
    events = _events(
        [
            {
                "actor1": "Government of Russia (Soviet Union)",
                "actor2": "Civilians",
                "country": "Russia (Soviet Union)",
                "iso3": None,
                "date_start": pd.Timestamp("2002-05-01"),
            },
            {
                "actor1": "Government of Russia (Soviet Union)",
                "actor2": "Civilians",
                "country": "Mali",
                "iso3": "MLI",
                "date_start": pd.Timestamp("2023-03-01"),
            },
            # ACLED's associated-actor coding: Russians with the Malian army, 2020 and 2022
            {
                "actor1": "Military Forces of Mali (2020-2021)",
                "assoc_actor1": "Military Forces of Russia (2000-)",
                "country": "Mali",
                "iso3": "MLI",
                "date_start": pd.Timestamp("2020-10-01"),
            },
            {
                "actor1": "Military Forces of Mali (2021-)",
                "assoc_actor1": "Military Forces of Russia (2000-); Wagner Group",
                "country": "Mali",
                "iso3": "MLI",
                "date_start": pd.Timestamp("2022-03-27"),
            },
            {
                "actor1": "Military Forces of Mali (2021-)",
                "assoc_actor1": "Military Forces of Russia (2000-)",
                "country": "Mali",
                "iso3": "MLI",
                "date_start": pd.Timestamp("2024-07-01"),
            },
        ]
    )
    out = harmonize_actors(events)
    assert out["perpetrator_group"].tolist() == [
        "other",
        "wagner",
        "state_forces",
        "state_forces_with_foreign",
        "state_forces_with_foreign",
    ]
    assert out["wagner_involved"].tolist() == [False, True, False, True, True]
    # every name matched some row, whatever its scope
    assert unmatched_actors(events).empty


def test_scope_columns_are_checked(tmp_path: Path) -> None:
    header = "pattern,match_type,perpetrator_group,wagner,note,countries,start,end\n"
    bad_date = tmp_path / "bad_date.csv"
    bad_date.write_text(header + "Wagner,contains,wagner,true,,Mali,01/12/2021,\n")
    with pytest.raises(DataError) as error:
        load_actor_table(bad_date)
    assert (error.value.line, error.value.column, error.value.rule) == (2, "start", "date")
    reversed_dates = tmp_path / "reversed.csv"
    reversed_dates.write_text(header + "Wagner,contains,wagner,true,,,2022-01-01,2021-01-01\n")
    with pytest.raises(DataError) as error:
        load_actor_table(reversed_dates)
    assert (error.value.line, error.value.column, error.value.rule) == (2, "end", "date_order")
    # a table without the scope columns is still read, every row unscoped
    plain = tmp_path / "plain.csv"
    plain.write_text(
        "pattern,match_type,perpetrator_group,wagner,note\nWagner,contains,wagner,true,\n"
    )
    table = load_actor_table(plain)
    assert table["countries"].tolist() == [""] and table["start"].isna().all()


def _events(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for field in ("actor1", "assoc_actor1", "actor2", "assoc_actor2"):
        if field not in frame:
            frame[field] = None
        frame[field] = frame[field].astype("category")
    return frame


def test_state_forces_with_wagner_become_state_forces_with_foreign() -> None:
    events = _events(
        [
            {"actor1": "Military Forces of Mali (2021-)", "assoc_actor1": "Wagner Group"},
            {"actor1": "Military Forces of Mali (2021-)", "actor2": "Civilians (Mali)"},
            {"actor1": "Military Forces of Mali (2021-)", "assoc_actor2": "Africa Corps"},
            {"actor1": "Wagner Group", "actor2": "Civilians (Mali)"},
            {"actor1": "JNIM: Group for Support of Islam and Muslims", "actor2": "Wagner Group"},
            {"actor1": "Somebody Unknown To The Table"},
        ]
    )
    out = harmonize_actors(events)
    assert out["perpetrator_group"].iloc[:5].tolist() == [
        "state_forces_with_foreign",
        "state_forces",
        "state_forces_with_foreign",
        "wagner",
        "jnim",
    ]
    assert out["perpetrator_group"].isna().iloc[5]
    assert out["wagner_involved"].tolist() == [True, False, True, True, True, False]
    # the input is not modified
    assert "perpetrator_group" not in events


def test_associated_actor_lists_are_split() -> None:
    events = _events(
        [
            {
                "actor1": "Military Forces of Mali (2021-)",
                "assoc_actor1": "Police Forces of Mali (2021-); Wagner Group",
            }
        ]
    )
    out = harmonize_actors(events)
    assert out["perpetrator_group"].iloc[0] == "state_forces_with_foreign"
    assert out["wagner_involved"].iloc[0]


def test_unmatched_actors_lists_names_and_counts() -> None:
    events = _events(
        [
            {"actor1": "Brand New Militia", "assoc_actor2": "Farmers (Mali); Odd Group"},
            {"actor1": "Brand New Militia", "actor2": "Odd Group"},
            {"actor1": "JNIM: Group for Support of Islam and Muslims"},
        ]
    )
    out = unmatched_actors(events)
    assert out.to_dict("records") == [
        {"actor": "Brand New Militia", "n_events": 2, "fields": "actor1"},
        {"actor": "Odd Group", "n_events": 2, "fields": "actor2; assoc_actor2"},
    ]


def test_user_table_extends_the_mapping(tmp_path: Path) -> None:
    table = tmp_path / "actors.csv"
    table.write_text(
        "pattern,match_type,perpetrator_group,wagner,note\n"
        "Brand New Militia,exact,militias,false,seen in a synthetic test\n"
        "^Odd,regex,unknown,false,\n",
        encoding="utf-8",
    )
    events = _events([{"actor1": "brand new militia  "}, {"actor1": "Odd Group"}])
    out = harmonize_actors(events, table=table)
    assert out["perpetrator_group"].tolist() == ["militias", "unknown"]
    assert unmatched_actors(events, table=table).empty


@pytest.mark.parametrize(
    ("row", "column", "rule"),
    [
        ("X,fuzzy,militias,false,", "match_type", "allowed_values"),
        ("X,exact,pirates,false,", "perpetrator_group", "allowed_values"),
        ("X,exact,militias,maybe,", "wagner", "allowed_values"),
        ("(unclosed,regex,militias,false,", "pattern", "regex"),
        (",exact,militias,false,", "pattern", "required"),
    ],
)
def test_bad_actor_tables(tmp_path: Path, row: str, column: str, rule: str) -> None:
    table = tmp_path / "actors.csv"
    table.write_text(
        "pattern,match_type,perpetrator_group,wagner,note\nJNIM,exact,jnim,false,\n" + row + "\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        load_actor_table(table)
    assert (info.value.line, info.value.column, info.value.rule) == (3, column, rule)
    assert str(table) in str(info.value)


def test_synthetic_series_names_wagner_only_after_arrival(tmp_path: Path) -> None:
    """In the synthetic 2019-2024 series, wagner_involved is true exactly for the events whose
    actor fields name Wagner or Africa Corps (checked on the raw text), all after Dec 2021."""
    truth = synthetic_acled_events(400, seed=12)
    fields = truth[["actor1", "assoc_actor_1", "actor2", "assoc_actor_2"]].agg(" ".join, axis=1)
    named = fields.str.contains("Wagner|Africa Corps").to_numpy()
    events = read_acled(write_acled_csv(tmp_path / "w.csv", n_events=400, seed=12))
    events = events.set_index("event_id").loc[truth["event_id_cnty"]]
    assert (events["wagner_involved"].to_numpy() == named).all()
    assert named.any()
    assert (events.loc[events["wagner_involved"], "date_start"] >= WAGNER_ARRIVAL).all()
    with_foreign = events["perpetrator_group"] == "state_forces_with_foreign"
    assert with_foreign.any()
    assert events.loc[with_foreign, "actor1"].str.startswith("Military Forces of Mali").all()
    assert unmatched_actors(events.reset_index()).empty
