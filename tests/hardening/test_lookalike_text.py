"""Look-alike text in actor names (SYNTHETIC names): Cyrillic and Greek letters drawn like Latin
ones, zero-width and other format characters, full-width letters; and control characters from
the data kept from the terminal."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import confusable_actors, harmonize_actors, paths, unmatched_actors
from analysis.cli import main, terminal_safe
from analysis.harmonize.actors import normalise_actor_name

CORPUS = Path(__file__).parent / "corpus"

CYRILLIC_A = "\u0430"  # а
ZERO_WIDTH_SPACE = "\u200b"


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _events(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for field in ("actor1", "assoc_actor1", "actor2", "assoc_actor2"):
        if field not in frame:
            frame[field] = None
        frame[field] = frame[field].astype("category")
    return frame


@pytest.mark.parametrize(
    ("written", "expected", "replaced"),
    [
        (f"W{CYRILLIC_A}gner Group", "Wagner Group", True),
        ("\u0412amako Militia", "Bamako Militia", True),  # Cyrillic capital Ve, drawn like B
        (f"Wag{ZERO_WIDTH_SPACE}ner Group", "Wagner Group", False),
        ("Wag\u00adner Group", "Wagner Group", False),  # soft hyphen
        (_full_width("Wagner") + " Group", "Wagner Group", False),
        ("\ufeffWagner Group", "Wagner Group", False),  # byte-order mark pasted in
        ("Wagner\x1b[31m Group", "Wagner[31m Group", False),  # a control character dropped
    ],
)
def test_normalised_names(written: str, expected: str, replaced: bool) -> None:
    assert normalise_actor_name(written) == (expected, replaced)


def test_name_wholly_in_another_script_is_left_as_written() -> None:
    assert normalise_actor_name("\u0412\u0430\u0433\u043d\u0435\u0440") == (
        "\u0412\u0430\u0433\u043d\u0435\u0440",
        False,
    )


def test_look_alike_names_are_recognised_and_flagged() -> None:
    mali = "Military Forces of Mali (2021-)"
    events = _events(
        [
            {"actor1": f"W{CYRILLIC_A}gner Group", "actor2": "Civilians (Mali)"},
            {"actor1": mali, "assoc_actor1": f"Wag{ZERO_WIDTH_SPACE}ner Group"},
            {"actor1": _full_width("Wagner") + " Group"},
            {"actor1": f"JNIM: Group for Support of Isl{CYRILLIC_A}m and Muslims"},
            {"actor1": mali, "assoc_actor2": f"Afric{CYRILLIC_A} Corps"},
        ]
    )
    out = harmonize_actors(events)
    assert out["perpetrator_group"].tolist() == [
        "wagner",
        "state_forces_with_foreign",
        "wagner",
        "jnim",
        "state_forces_with_foreign",
    ]
    assert out["wagner_involved"].tolist() == [True, True, True, False, True]
    assert unmatched_actors(events).empty
    flagged = confusable_actors(events)
    assert flagged.columns.tolist() == ["actor", "read_as", "n_events", "fields"]
    assert sorted(flagged["read_as"]) == [
        "Africa Corps",
        "JNIM: Group for Support of Islam and Muslims",
        "Wagner Group",
    ]
    # the zero-width space and the full-width letters are normalised, not flagged
    assert ZERO_WIDTH_SPACE not in "".join(flagged["actor"])
    row = flagged.set_index("read_as").loc["Africa Corps"]
    assert row["actor"] == f"Afric{CYRILLIC_A} Corps"
    assert row["n_events"] == 1 and row["fields"] == "assoc_actor2"


def test_no_look_alikes_gives_an_empty_table() -> None:
    events = _events([{"actor1": "Wagner Group"}, {"actor1": "Brand New Militia"}])
    flagged = confusable_actors(events)
    assert flagged.empty
    assert flagged.columns.tolist() == ["actor", "read_as", "n_events", "fields"]


# -- terminal escapes from data ------------------------------------------------------------------

ESCAPES = "\x1b[2J\x1b]0;retitled\x07\x9b31m\u202e"


def test_terminal_safe_removes_what_a_terminal_acts_on() -> None:
    shown = terminal_safe(f"Gao{ESCAPES} region\tline\n")
    assert shown == "Gao[2J]0;retitled31m region\tline\n"
    assert not any(ord(ch) < 0x20 and ch not in "\t\n" for ch in shown)


def test_cli_output_of_names_from_data_carries_no_escape(tmp_path: Path) -> None:
    # SYNTHETIC: a folder named with escape codes, holding a broken evidence table: the error
    # names the file, and its name reaches the terminal without the escapes
    copy = tmp_path / f"tallies{ESCAPES}"
    shutil.copytree(paths.project_root() / "data" / "tallies", copy)
    (copy / "tallies.csv").write_bytes((CORPUS / "tallies_truncated.csv").read_bytes())
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["data", "check", "--dir", str(copy)])
    text = err.getvalue()
    assert status == 2 and "tallies[2J]0;retitled31m" in text and "tallies.csv" in text
    assert not set(text) & {"\x1b", "\x07", "\x9b", "\u202e"}
