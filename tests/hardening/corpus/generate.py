"""Write the bad-input corpus (SYNTHETIC files) and its manifest ``corpus.csv``.

Run from the project folder: ``python tests/hardening/corpus/generate.py``. Every file is made up
here from synthetic rows (no real figure, no real export); the manifest says which reader reads
it and what must happen: ``reads`` (a real file can look like that) or an error of the project
with its ``rule``, ``line`` and ``column`` when the reader gives them.

The event exports start from the package's SYNTHETIC fixture writers (``analysis.testing``) and
are then broken by hand, cell by cell, with the standard library.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "corpus.csv"
FIELDS = ["file", "reader", "expect", "rule", "line", "column", "message", "what"]

# ---------------------------------------------------------------- the evidence table (synthetic)

TALLIES_COLUMNS = [
    "tally_id", "source_id", "reporting_body", "incident_id", "period_start", "period_end",
    "country", "admin1", "admin2", "place", "measure", "victim_group", "perpetrator_claimed",
    "perpetrator_group", "qualifier", "value", "value_low", "value_high", "excludes", "claim",
    "derivation", "notes",
]  # fmt: skip


def tally(tally_id: str, start: str, end: str, value: str, **extra: str) -> dict[str, str]:
    row = {
        "tally_id": tally_id,
        "source_id": "src-a-2022",
        "reporting_body": "body_a",
        "period_start": start,
        "period_end": end,
        "country": "Mali",
        "measure": "killed",
        "victim_group": "civilians",
        "perpetrator_group": "all",
        "qualifier": "exact",
        "value": value,
        "claim": "Synthetic claim.",
        "notes": "SYNTHETIC TEST ROW",
    }
    row.update(extra)
    return row


def good_tallies() -> list[dict[str, str]]:
    return [
        tally("body_a-001", "2022-01-01", "2022-03-31", "40"),
        tally("body_a-002", "2022-04-01", "2022-06-30", "30"),
        tally("body_a-003", "2022-07-01", "2022-09-30", "20"),
    ]


SOURCES_COLUMNS = [
    "source_id", "reporting_body", "body_type", "title", "publisher", "published", "url",
    "copy_url", "grade", "language",
]  # fmt: skip
GOOD_SOURCE = {
    "source_id": "src-a-2022",
    "reporting_body": "body_a",
    "body_type": "un",
    "title": "Synthetic quarterly note",
    "publisher": "Synthetic publisher",
    "published": "2023-02-01",
    "url": "https://example.org/a",
    "grade": "P",
    "language": "en",
}
BODIES_COLUMNS = [
    "reporting_body", "name", "body_type", "victim_definition", "inclusion_rules",
    "exclusion_rules", "attribution_categories", "counting_unit", "verification_standard",
    "rounding_conventions", "coverage_start", "coverage_end", "notes",
]  # fmt: skip
GOOD_BODY = {
    "reporting_body": "body_a",
    "name": "Synthetic body A",
    "body_type": "un",
    "victim_definition": "civilians killed (synthetic)",
    "counting_unit": "victims",
}
INTERVENTIONS_COLUMNS = [
    "intervention_id", "date", "date_precision", "kind", "label", "is_default", "description",
    "source_title", "publisher", "published", "url", "copy_url", "grade",
]  # fmt: skip


def intervention(iid: str, date: str, default: str) -> dict[str, str]:
    return {
        "intervention_id": iid,
        "date": date,
        "date_precision": "month",
        "kind": "arrival",
        "label": "Synthetic arrival",
        "is_default": default,
        "source_title": "Synthetic source",
        "publisher": "Synthetic publisher",
        "url": "https://example.org/i",
        "grade": "P",
    }


def csv_text(columns: list[str], rows: list[dict[str, str]], *, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in columns})
    return buffer.getvalue()


MANIFEST_ROWS: list[dict[str, str]] = []


def add(
    name: str,
    content: str | bytes,
    reader: str,
    expect: str,
    what: str,
    *,
    rule: str = "",
    line: int | None = None,
    column: str = "",
    message: str = "",
) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    (HERE / name).write_bytes(data)
    MANIFEST_ROWS.append(
        {
            "file": name,
            "reader": reader,
            "expect": expect,
            "rule": rule,
            "line": "" if line is None else str(line),
            "column": column,
            "message": message,
            "what": what,
        }
    )


def evidence_table() -> None:
    good = csv_text(TALLIES_COLUMNS, good_tallies())
    lines = good.splitlines(keepends=True)

    add("tallies_bom.csv", "\ufeff" + good, "tallies", "reads", "UTF-8 byte-order mark")
    add("tallies_crlf.csv", good.replace("\n", "\r\n"), "tallies", "reads", "Windows line ends")
    shuffled = TALLIES_COLUMNS[::-1]
    add("tallies_columns_shuffled.csv", csv_text(shuffled, good_tallies()), "tallies", "reads",
        "columns in another order (read by name)")  # fmt: skip
    add("tallies_blank_lines.csv", lines[0] + lines[1] + "\n,,,\n" + "".join(lines[2:]),
        "tallies", "reads", "blank and all-empty lines between records")  # fmt: skip
    add("tallies_truncated.csv", good[: good.rindex("2022-09-30") + 4], "tallies", "DataError",
        "file cut off in the middle of the last record", rule="field_count", line=4)  # fmt: skip
    add("tallies_semicolon.csv", csv_text(TALLIES_COLUMNS, good_tallies(), delimiter=";"),
        "tallies", "DataError", "semicolon-separated (a European spreadsheet's CSV)",
        rule="delimiter", line=1)  # fmt: skip
    add("tallies_header_only.csv", lines[0], "tallies", "DataError", "a header and no rows",
        rule="empty", line=1)  # fmt: skip
    add("tallies_empty.csv", b"", "tallies", "DataError", "zero bytes", rule="empty", line=1)
    renamed = ["tally id" if c == "tally_id" else c for c in TALLIES_COLUMNS]
    add("tallies_column_renamed.csv", ",".join(renamed) + "\n" + "".join(lines[1:]), "tallies",
        "DataError", "a column renamed by hand", rule="unknown_column", line=1,
        column="tally id")  # fmt: skip
    dup_col = (
        lines[0].rstrip("\n")
        + ",notes\n"
        + "".join(line.rstrip("\n") + ",x\n" for line in lines[1:])
    )
    add("tallies_duplicate_column.csv", dup_col, "tallies", "DataError",
        "the same column twice in the header", rule="duplicate_column", line=1,
        column="notes")  # fmt: skip
    rows = good_tallies()
    rows[1]["value"] = "thirty"
    add("tallies_text_in_value.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "words in the numeric column value", rule="integer", line=3, column="value")  # fmt: skip
    rows = good_tallies()
    rows[2]["value"] = "1,200"
    add("tallies_thousands_separator.csv", csv_text(TALLIES_COLUMNS, rows), "tallies",
        "DataError", "a thousands separator inside a quoted count", rule="integer", line=4,
        column="value")  # fmt: skip
    rows = good_tallies()
    rows[0]["value"] = "-5"
    add("tallies_negative_value.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "a negative count", rule="integer", line=2, column="value")  # fmt: skip
    rows = good_tallies()
    rows[0]["period_end"] = "2022-02-30"
    add("tallies_impossible_date.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "30 February", rule="date", line=2, column="period_end")  # fmt: skip
    rows = good_tallies()
    rows[1]["period_start"] = "03/04/2022"
    add("tallies_date_format.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "a day/month/year date", rule="date", line=3, column="period_start")  # fmt: skip
    rows = good_tallies()
    rows[2]["period_start"], rows[2]["period_end"] = "2022-09-30", "2022-07-01"
    add("tallies_period_reversed.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "a window ending before it starts", rule="period_order", line=4,
        column="period_start")  # fmt: skip
    rows = good_tallies()
    rows[2]["claim"] = "x" * 25_000
    add("tallies_enormous_field.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "a 25,000-character claim", rule="field_size", line=4, column="claim")  # fmt: skip
    rows = good_tallies()
    rows[1]["claim"] = "Synthetic claim about S\u00e9gou."
    add("tallies_latin1.csv", csv_text(TALLIES_COLUMNS, rows).encode("latin-1"), "tallies",
        "DataError", "saved as Latin-1 (mixed encodings)", rule="encoding", line=3)  # fmt: skip
    rows = good_tallies()
    rows[2]["claim"] = "\u201cSynthetic\u201d claim"
    add("tallies_cp1252_quotes.csv", csv_text(TALLIES_COLUMNS, rows).encode("cp1252"),
        "tallies", "DataError", "Windows-1252 curly quotes", rule="encoding", line=4)  # fmt: skip
    add("tallies_utf16.csv", good.encode("utf-16"), "tallies", "DataError",
        "saved as UTF-16 by a spreadsheet", rule="encoding", line=1)  # fmt: skip
    add("tallies_nul_byte.csv", good.replace("Synthetic claim.", "Synthetic\x00claim.", 1),
        "tallies", "DataError", "a NUL byte (a binary file)", rule="encoding",
        line=2)  # fmt: skip
    rows = good_tallies()
    rows[2]["tally_id"] = "body_a-001"
    add("tallies_duplicate_id.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "the same tally_id twice", rule="unique", line=4, column="tally_id")  # fmt: skip
    add("tallies_unclosed_quote.csv",
        good.replace("Synthetic claim.", '"Synthetic claim.', 1).replace("\n", "\n", 1),
        "tallies", "DataError", "a quote opened and never closed", rule="csv",
        line=2)  # fmt: skip
    extra_field = lines[0] + lines[1] + lines[2].rstrip("\n") + ",surplus\n" + lines[3]
    add("tallies_extra_field.csv", extra_field, "tallies", "DataError",
        "an unquoted comma: one field too many", rule="field_count", line=3)  # fmt: skip
    rows = good_tallies()
    rows[0]["qualifier"] = "approximately"
    add("tallies_bad_qualifier.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "a qualifier outside the vocabulary", rule="allowed_values", line=2,
        column="qualifier")  # fmt: skip
    rows = good_tallies()
    rows[1].update(qualifier="between", value="", value_low="20")
    add("tallies_between_open.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "'between' with no upper bound", rule="qualifier_bounds", line=3,
        column="value_high")  # fmt: skip
    rows = good_tallies()
    rows[2]["source_id"] = "src-missing"
    add("tallies_unknown_source.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "a source_id with no document", rule="foreign_key", line=4,
        column="source_id")  # fmt: skip
    rows = good_tallies()
    rows[0]["tally_id"] = ""
    add("tallies_missing_id.csv", csv_text(TALLIES_COLUMNS, rows), "tallies", "DataError",
        "a required value left blank", rule="required", line=2, column="tally_id")  # fmt: skip
    missing_col = [c for c in TALLIES_COLUMNS if c != "qualifier"]
    add("tallies_missing_column.csv", csv_text(missing_col, good_tallies()), "tallies",
        "DataError", "a required column deleted", rule="required_column", line=1,
        column="qualifier")  # fmt: skip

    source = dict(GOOD_SOURCE, url="javascript:alert(1)")
    add("sources_javascript_url.csv", csv_text(SOURCES_COLUMNS, [source]), "sources",
        "DataError", "a javascript: address", rule="url", line=2, column="url")  # fmt: skip
    add("sources_tab_delimited.csv", csv_text(SOURCES_COLUMNS, [GOOD_SOURCE], delimiter="\t"),
        "sources", "DataError", "tab-separated", rule="delimiter", line=1)  # fmt: skip
    source = dict(GOOD_SOURCE, grade="A")
    add("sources_bad_grade.csv", csv_text(SOURCES_COLUMNS, [source]).replace("\n", "\r\n"),
        "sources", "DataError", "a grade outside P/M/S/D (CRLF file)", rule="allowed_values",
        line=2, column="grade")  # fmt: skip
    multiline = dict(GOOD_SOURCE, title="A title\nover two lines")
    second = dict(GOOD_SOURCE, source_id="src-b", published="2023-13-01")
    add("sources_multiline_then_bad_date.csv", csv_text(SOURCES_COLUMNS, [multiline, second]),
        "sources", "DataError", "a quoted line break, then a month 13 on the next record",
        rule="date", line=4, column="published")  # fmt: skip
    body = dict(GOOD_BODY, coverage_start="2023-01-01", coverage_end="2022-01-01")
    add("bodies_coverage_reversed.csv", csv_text(BODIES_COLUMNS, [body]), "bodies", "DataError",
        "coverage ending before it starts", rule="period_order", line=2,
        column="coverage_start")  # fmt: skip
    add("bodies_bom_crlf.csv", ("\ufeff" + csv_text(BODIES_COLUMNS, [GOOD_BODY])).replace(
        "\n", "\r\n"), "bodies", "reads", "BOM and CRLF together (Excel's 'CSV UTF-8')")  # fmt: skip
    rows = [intervention("a", "2021-12-01", "true"), intervention("b", "2022-01-01", "TRUE")]
    add("interventions_two_defaults.csv", csv_text(INTERVENTIONS_COLUMNS, rows),
        "interventions", "DataError", "two default dates", rule="one_default",
        column="is_default")  # fmt: skip
    rows = [intervention("a", "2021-12-01", "maybe")]
    add("interventions_bad_bool.csv", csv_text(INTERVENTIONS_COLUMNS, rows), "interventions",
        "DataError", "a boolean that is neither", rule="boolean", line=2,
        column="is_default")  # fmt: skip
    rows = [intervention("Wagner Arrival", "2021-12-01", "true")]
    add("interventions_bad_id.csv", csv_text(INTERVENTIONS_COLUMNS, rows), "interventions",
        "DataError", "an id with capitals and a space", rule="identifier", line=2,
        column="intervention_id")  # fmt: skip
    add("known_issues_no_set_aside.csv",
        "issue_id,check,tally_ids,explanation\nk1,copies_disagree,a-001;a-002,Synthetic.\n",
        "known_issues", "reads", "the optional set_aside column left out")  # fmt: skip
    add("known_issues_bad_check.csv",
        "issue_id,check,tally_ids,explanation\nk1,vibes,a-001,Synthetic.\n",
        "known_issues", "DataError", "an audit check that does not exist",
        rule="allowed_values", line=2, column="check")  # fmt: skip
    add("tallies_cr_line_ends.csv", good.replace("\n", "\r"), "tallies", "reads",
        "old Mac line ends (carriage return only)")  # fmt: skip
    far = [tally("body_a-001", "2022-01-01", "2300-03-31", "40"), *good_tallies()[1:]]
    add("tallies_year_2300.csv", csv_text(TALLIES_COLUMNS, far), "tallies", "DataError",
        "a window ending in 2300 (past the dates pandas holds)", rule="date", line=2,
        column="period_end")  # fmt: skip
    early = [*good_tallies()[:2], tally("body_a-003", "0001-07-01", "2022-09-30", "20")]
    add("tallies_year_0001.csv", csv_text(TALLIES_COLUMNS, early), "tallies", "DataError",
        "a window starting in the year 1", rule="date", line=4,
        column="period_start")  # fmt: skip
    boolean = [*good_tallies()[:1], tally("body_a-002", "2022-04-01", "2022-06-30", "TRUE"),
               *good_tallies()[2:]]  # fmt: skip
    add("tallies_true_in_value.csv", csv_text(TALLIES_COLUMNS, boolean), "tallies",
        "DataError", "TRUE where a count belongs", rule="integer", line=3,
        column="value")  # fmt: skip


# ---------------------------------------------------------------- the actor table (synthetic)

ACTORS_HEADER = "pattern,match_type,perpetrator_group,wagner,note\n"


def actor_tables() -> None:
    # (the zero-byte case is the sweep's, test_hostile_sweep.py; a committed copy would be
    # byte-identical to tallies_empty.csv)
    add("actors_bom_only.csv", "\ufeff", "actors", "DataError",
        "a byte-order mark and nothing else (an empty sheet saved as CSV)", rule="empty",
        line=1)  # fmt: skip
    add("actors_header_only.csv", ACTORS_HEADER, "actors", "DataError", "a header and no rules",
        rule="empty", line=1)  # fmt: skip
    add("actors_unclosed_quote.csv",
        ACTORS_HEADER + 'Synthetic Band,contains,militias,false,"never closed\n'
        "Other Band,contains,militias,false,x\n",
        "actors", "DataError", "a quote opened and never closed", rule="csv",
        line=2)  # fmt: skip
    add("actors_quote_swallows_rules.csv",
        ACTORS_HEADER + 'Synthetic Band,contains,militias,false,"opened here\n'
        "Other Band,contains,wagner,true,swallowed\n"
        'Third Band,contains,militias,false,closed here"\n',
        "actors", "DataError", "a stray quote swallowing the next rule into a note",
        rule="line_break", line=2, column="note")  # fmt: skip
    add("actors_blank_lines_then_bad_group.csv",
        ACTORS_HEADER + "\nSynthetic Band,contains,militias,false,x\n\n\n"
        "Other Band,contains,pirates,false,x\n",
        "actors", "DataError", "blank lines, then a group outside the vocabulary (physical line)",
        rule="allowed_values", line=6, column="perpetrator_group")  # fmt: skip
    add("actors_malformed_header.csv", "pattern;match_type;perpetrator_group;wagner;note\n"
        "Synthetic Band;contains;militias;false;x\n", "actors", "DataError",
        "semicolon-separated", rule="delimiter", line=1)  # fmt: skip


# ---------------------------------------------------------------- suite files and parameters


def suites() -> None:
    item = "- name: synthetic\n  notebook: incident\n"
    add("suite_bom_crlf.yml", ("\ufeff" + item).replace("\n", "\r\n"), "suite", "reads",
        "BOM and CRLF")  # fmt: skip
    add("suite_traversal_name.yml", "- name: ../../outside\n  notebook: incident\n", "suite",
        "reads", "a name climbing out of the output folder (sanitised)")  # fmt: skip
    add("suite_not_a_list.yml", "notebook: incident\n", "suite", "ParameterError",
        "a mapping where a list is expected", message="a YAML list")  # fmt: skip
    add("suite_empty.yml", b"\n", "suite", "ParameterError", "a blank line only",
        message="a YAML list")  # fmt: skip
    add("suite_bad_yaml.yml", "- name: a\n  notebook: [incident\n", "suite", "ParameterError",
        "an unclosed bracket", message="not valid YAML")  # fmt: skip
    add("suite_nested_too_deep.yml", "- " + "[" * 100_000 + "]" * 100_000 + "\n", "suite",
        "ParameterError", "lists nested 100,000 deep (past Python's recursion limit)",
        message="nested too deeply")  # fmt: skip
    add("suite_unknown_key.yml", "- notebook: incident\n  parameter: {}\n", "suite",
        "ParameterError", "a misspelt key", message="unknown key")  # fmt: skip
    add("suite_unknown_notebook.yml", "- notebook: incidents\n", "suite", "ParameterError",
        "a notebook that does not exist", message="unknown notebook")  # fmt: skip
    add("suite_impossible_date.yml",
        "- notebook: source_comparison\n  parameters:\n    start: 2022-02-30\n", "suite",
        "ParameterError", "30 February as a YAML date", message="2022-02-30")  # fmt: skip
    add("suite_latin1.yml", "- name: caf\u00e9\n  notebook: incident\n".encode("latin-1"),
        "suite", "ParameterError", "saved as Latin-1", message="line 1")  # fmt: skip
    add("suite_duplicate_names.yml",
        "- name: a\n  notebook: incident\n- name: a\n  notebook: before_after\n", "suite",
        "ParameterError", "two reports named alike", message="used twice")  # fmt: skip
    add("suite_python_tag.yml",
        "- notebook: incident\n  parameters:\n    incident_id: !!python/object/apply:os.getcwd []\n",
        "suite", "ParameterError", "a YAML tag that would run Python",
        message="not valid YAML")  # fmt: skip
    add("suite_string_number.yml",
        "- notebook: before_after\n  parameters:\n    seed: '7'\n", "suite", "ParameterError",
        "a quoted number for an int parameter", message="seed")  # fmt: skip


def parameters() -> None:
    def params(name: str, notebook: str, cli: list[str], expect: str, what: str, **kw) -> None:
        text = json.dumps({"notebook": notebook, "cli": cli}, indent=1) + "\n"
        add(name, text, "params", expect, what, **kw)

    params("params_quotes_newlines.json", "incident",
           ["incident_id=a'b\"c\\d\nimport os; os.getcwd()"], "reads",
           "quotes, a backslash, a newline and code in a string")  # fmt: skip
    params("params_impossible_date.json", "source_comparison", ["start=2022-02-30"],
           "ParameterError", "30 February", message="start")  # fmt: skip
    params("params_date_format.json", "source_comparison", ["start=01/02/2022"],
           "ParameterError", "a day/month/year date", message="YYYY-MM-DD")  # fmt: skip
    params("params_nested_json_list.json", "source_comparison",
           ["bodies=" + "[" * 100_000 + "]" * 100_000], "ParameterError",
           "a JSON list nested 100,000 deep", message="JSON list")  # fmt: skip
    params("params_end_before_start.json", "source_comparison",
           ["start=2023-01-01", "end=2022-01-01"], "ParameterError", "the end before the start",
           message="before start")  # fmt: skip
    params("params_typo.json", "before_after", ["arival_date=2021-12-01"], "ParameterError",
           "a misspelt name", message="did you mean 'arrival_date'")  # fmt: skip
    params("params_text_for_int.json", "before_after", ["seed=seven"], "ParameterError",
           "text for an integer", message="integer")  # fmt: skip
    params("params_nan.json", "incident", ["about_width=nan"], "ParameterError",
           "a float that is not a number", message="finite")  # fmt: skip
    params("params_out_of_range.json", "incident", ["about_width=1"], "ParameterError",
           "a width at its exclusive maximum", message="< 1")  # fmt: skip
    params("params_broken_json_list.json", "before_after", ["alternative_dates=[2022-01-01"],
           "ParameterError", "a JSON list not closed", message="JSON")  # fmt: skip
    params("params_missing_dir.json", "incident", ["tallies_dir=does/not/exist"],
           "ParameterError", "a folder that does not exist", message="names no folder")  # fmt: skip
    params("params_nul_path.json", "incident", ["tallies_dir=a\u0000b"], "ParameterError",
           "a NUL character in a path", message="NUL")  # fmt: skip
    params("params_bad_bool_word.json", "before_after", ["seasonality=2.5"], "ParameterError",
           "a fraction for an integer", message="integer")  # fmt: skip
    params("params_no_equals.json", "incident", ["incident_id"], "ParameterError",
           "-p without NAME=VALUE", message="NAME=VALUE")  # fmt: skip
    params("params_unknown_notebook.json", "incidents", [], "ParameterError",
           "a notebook that does not exist", message="unknown notebook")  # fmt: skip


# ---------------------------------------------------------------- event exports (synthetic)


def _rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def _csv(rows: list[list[str]], *, delimiter: str = ",", terminator: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=terminator).writerows(rows)
    return buffer.getvalue()


def _set(rows: list[list[str]], line: int, column: str, value: str) -> list[list[str]]:
    """A copy of ``rows`` with the cell of physical ``line`` (header = 1) in ``column`` set."""
    out = [list(row) for row in rows]
    out[line - 1][out[0].index(column)] = value
    return out


def events(scratch: Path) -> None:
    from analysis import testing

    acled = _rows(testing.write_acled_csv(scratch / "a.csv", n_events=6, seed=3))
    good = _csv(acled)
    add("acled_bom_crlf.csv", "\ufeff" + _csv(acled, terminator="\r\n"), "acled", "reads",
        "BOM and Windows line ends", message="6")  # fmt: skip
    hxl = _rows(testing.write_acled_csv(scratch / "h.csv", n_events=6, seed=3, hxl=True))
    add("acled_hxl.csv", _csv(hxl), "acled", "reads", "an HXL hashtag row under the header",
        message="6")  # fmt: skip
    upper = [[name.upper() for name in acled[0]], *acled[1:]]
    add("acled_upper_case_header.csv", _csv(upper), "acled", "reads",
        "column names in upper case", message="6")  # fmt: skip
    blank = _set(_set(acled, 2, "assoc_actor_1", ""), 3, "assoc_actor_2", "")
    add("acled_blank_associated_actors.csv", _csv(blank), "acled", "reads",
        "associated actors left blank", message="6")  # fmt: skip
    order = list(range(len(acled[0])))[::-1]
    add("acled_columns_shuffled.csv", _csv([[row[i] for i in order] for row in acled]),
        "acled", "reads", "columns in reverse order", message="6")  # fmt: skip
    add("acled_truncated.csv", good[: good.rindex("\n", 0, len(good) - 1) + 40], "acled",
        "DataError", "cut off 40 characters into the last record", rule="field_count",
        line=7)  # fmt: skip
    add("acled_semicolon.csv", _csv(acled, delimiter=";"), "acled", "reads",
        "semicolon-separated (a European spreadsheet's CSV)", message="6")  # fmt: skip
    add("acled_header_only.csv", _csv(acled[:1]), "acled", "DataError", "a header and no rows",
        rule="empty", line=2)  # fmt: skip
    add("acled_text_in_fatalities.csv", _csv(_set(acled, 4, "fatalities", "several")), "acled",
        "DataError", "words in the fatalities column", rule="count", line=4,
        column="fatalities")  # fmt: skip
    add("acled_impossible_date.csv", _csv(_set(acled, 5, "event_date", "2022-02-30")), "acled",
        "DataError", "30 February", rule="date", line=5, column="event_date")  # fmt: skip
    add("acled_two_digit_year.csv", _csv(_set(acled, 3, "event_date", "05 March 22")),
        "acled", "DataError", "a two-digit year (read as the year 22)", rule="date", line=3,
        column="event_date")  # fmt: skip
    add("acled_leading_zero_year.csv", _csv(_set(acled, 4, "event_date", "0025-03-05")),
        "acled", "DataError", "the year 2025 written 0025", rule="date", line=4,
        column="event_date")  # fmt: skip
    slashed = [list(row) for row in acled]
    unsettled = ("03/04/2022", "01/02/2022", "05/06/2022", "07/08/2022", "09/10/2022", "11/12/2022")
    for line, day in enumerate(unsettled, start=2):
        slashed = _set(slashed, line, "event_date", day)
    add("acled_day_month_unsettled.csv", _csv(slashed), "acled", "DataError",
        "dd/mm/yyyy dates with no day above 12 (03/04/2022: March or April?)", rule="date",
        line=2, column="event_date")  # fmt: skip
    settled = _set(slashed, 7, "event_date", "25/12/2022")
    add("acled_day_month_settled.csv", _csv(settled), "acled", "reads",
        "dd/mm/yyyy dates, one with a day above 12 settling the order", message="6")  # fmt: skip
    add("acled_decades_ahead.csv", _csv(_set(acled, 6, "event_date", "2092-01-15")), "acled",
        "DataError", "an event dated decades ahead (2092)", rule="date", line=6,
        column="event_date")  # fmt: skip
    stamp = acled[3][acled[0].index("timestamp")]
    add("acled_timestamp_milliseconds.csv", _csv(_set(acled, 4, "timestamp", stamp + "000")),
        "acled", "DataError", "a timestamp in milliseconds", rule="timestamp", line=4,
        column="timestamp")  # fmt: skip
    latin = _csv(_set(acled, 3, "location", "S\u00e9gou")).encode("latin-1")
    add("acled_latin1.csv", latin, "acled", "DataError", "one record saved as Latin-1",
        rule="encoding", line=3)  # fmt: skip
    dup = _set(acled, 6, "event_id_cnty", acled[2][acled[0].index("event_id_cnty")])
    dup = _set(dup, 6, "timestamp", acled[2][acled[0].index("timestamp")])
    add("acled_duplicate_event_id.csv", _csv(dup), "acled", "DataError",
        "the same event id and timestamp twice, with different content",
        rule="conflicting_duplicate", line=6)  # fmt: skip
    newer = _set(_set(dup, 6, "timestamp", "1900000000"), 6, "fatalities", "99")
    add("acled_updated_event.csv", _csv(newer), "acled", "reads",
        "an event repeated with a later timestamp (an update: the later row is kept)",
        message="5")  # fmt: skip
    drop = acled[0].index("fatalities")
    add("acled_missing_column.csv", _csv([row[:drop] + row[drop + 1 :] for row in acled]),
        "acled", "DataError", "the fatalities column deleted", rule="required", line=1,
        column="fatalities")  # fmt: skip
    renamed = [["deaths" if name == "fatalities" else name for name in acled[0]], *acled[1:]]
    add("acled_column_renamed.csv", _csv(renamed), "acled", "DataError",
        "fatalities renamed deaths", rule="required", line=1,
        column="fatalities")  # fmt: skip
    add("acled_enormous_notes.csv", _csv(_set(acled, 3, "notes", "n" * 140_000)), "acled",
        "reads", "a 140,000-character notes field (long notes exist)", message="6")  # fmt: skip
    add("acled_cr_line_ends.csv", good.replace("\n", "\r"), "acled", "DataError",
        "old Mac line ends (carriage return only)", rule="line_ends", line=1)  # fmt: skip
    huge = _csv(_set(acled, 3, "fatalities", "9" * 400))
    add("acled_huge_fatalities.csv", huge, "acled", "DataError",
        "a 400-digit count", rule="count", line=3, column="fatalities")  # fmt: skip
    add("acled_true_in_fatalities.csv", _csv(_set(acled, 5, "fatalities", "TRUE")), "acled",
        "DataError", "TRUE where a count belongs", rule="count", line=5,
        column="fatalities")  # fmt: skip
    multiline = _set(acled, 3, "notes", "first line\nsecond line\nthird line")
    multiline = _set(multiline, 5, "fatalities", "several")
    text = _csv(multiline)
    text = text[: text.index("\n") + 1] + "\n" + text[text.index("\n") + 1 :]
    add("acled_blank_line_and_multiline_notes.csv", text, "acled", "DataError",
        "a blank line and a 3-line quoted note, then words in fatalities (physical line)",
        rule="count", line=8, column="fatalities")  # fmt: skip

    payload = json.loads(testing.write_acled_json(scratch / "a.json", n_events=3).read_text())
    text = json.dumps(payload)
    add("acled_truncated.json", text[: len(text) // 2], "acled", "DataError",
        "the API's JSON cut in half", rule="json")  # fmt: skip
    add("acled_data_not_a_list.json", json.dumps({**payload, "data": {"x": 1}}), "acled",
        "DataError", "'data' is an object, not a list", rule="json")  # fmt: skip
    bad = json.loads(text)
    bad["data"][1]["fatalities"] = "a few"
    add("acled_text_in_fatalities.json", json.dumps(bad), "acled", "DataError",
        "words in the fatalities of the second record", rule="count",
        column="fatalities")  # fmt: skip
    add("acled_empty_data.json", json.dumps({**payload, "count": 0, "data": []}), "acled",
        "DataError", "the API answered with no events", rule="empty")  # fmt: skip
    add("acled_nested.json", '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}", "acled",
        "DataError", "arrays nested 100,000 deep (past Python's recursion limit)",
        rule="json")  # fmt: skip
    long_number = text.replace('"fatalities": ', '"fatalities": ' + "9" * 5000 + ', "x": ', 1)
    add("acled_huge_integer.json", long_number, "acled", "DataError",
        "a 5,000-digit number (past Python's integer conversion limit)",
        rule="json")  # fmt: skip

    ucdp = _rows(testing.write_ucdp_ged_csv(scratch / "u.csv", n_events=4, seed=3))
    add("ucdp_crlf.csv", _csv(ucdp, terminator="\r\n"), "ucdp", "reads",
        "Windows line ends", message="4")  # fmt: skip
    add("ucdp_text_in_best.csv", _csv(_set(ucdp, 3, "best", "12 or 13")), "ucdp", "DataError",
        "text in the best estimate", rule="count", line=3, column="best")  # fmt: skip
    add("ucdp_negative_best.csv", _csv(_set(ucdp, 2, "best", "-4")), "ucdp", "DataError",
        "a negative death count", rule="count", line=2, column="best")  # fmt: skip
    add("ucdp_impossible_date.csv", _csv(_set(ucdp, 4, "date_start", "2021-13-01")), "ucdp",
        "DataError", "month 13", rule="date", line=4, column="date_start")  # fmt: skip
    add("ucdp_leading_zero_year.csv", _csv(_set(ucdp, 3, "date_start", "0021-06-01")), "ucdp",
        "DataError", "the year 2021 written 0021", rule="date", line=3,
        column="date_start")  # fmt: skip
    add("ucdp_decades_ahead.csv", _csv(_set(ucdp, 2, "date_end", "2090-01-01")), "ucdp",
        "DataError", "an event ending decades ahead (2090)", rule="date", line=2,
        column="date_end")  # fmt: skip
    drop = ucdp[0].index("best")
    add("ucdp_missing_best.csv", _csv([row[:drop] + row[drop + 1 :] for row in ucdp]), "ucdp",
        "DataError", "the best column deleted", rule="required", line=1,
        column="best")  # fmt: skip
    add("ucdp_tab_delimited.csv", _csv(ucdp, delimiter="\t"), "ucdp", "reads",
        "tab-separated", message="4")  # fmt: skip
    add("ucdp_cr_line_ends.csv", _csv(ucdp, terminator="\r"), "ucdp", "DataError",
        "old Mac line ends (carriage return only)", rule="line_ends", line=1)  # fmt: skip
    best = ucdp[2][ucdp[0].index("best")]
    add("ucdp_civilians_above_best.csv",
        _csv(_set(ucdp, 3, "deaths_civilians", str(int(best) + 5))), "ucdp", "DataError",
        "more civilian deaths than the best estimate of all deaths", rule="civilian_deaths",
        line=3, column="deaths_civilians")  # fmt: skip
    add("ucdp_huge_low.csv", _csv(_set(ucdp, 4, "low", "9" * 400)), "ucdp", "DataError",
        "a 400-digit low estimate", rule="count", line=4, column="low")  # fmt: skip

    hapi_path = testing.write_hapi_csv(scratch / "p.csv", n_events=30, start="2022-01-01",
                                       end="2022-01-31")  # fmt: skip
    hapi = _rows(hapi_path)
    add("hapi_bom.csv", hapi_path.read_bytes(), "hdx", "reads", "HAPI's byte-order mark",
        message=str(len(hapi) - 1))  # fmt: skip
    add("hapi_text_in_events.csv", _csv(_set(hapi, 3, "events", "n/a")), "hdx", "DataError",
        "text in the events count", rule="count", line=3, column="events")  # fmt: skip
    add("hapi_header_only.csv", _csv(hapi[:1]), "hdx", "DataError", "a header and no rows",
        rule="empty", line=2)  # fmt: skip
    add("hapi_cr_line_ends.csv", _csv(hapi, terminator="\r"), "hdx", "DataError",
        "old Mac line ends (carriage return only)", rule="line_ends", line=1)  # fmt: skip

    import openpyxl

    book_path = testing.write_hdx_workbook(scratch / "w.xlsx", n_events=30, start="2022-01-01",
                                           end="2022-01-31")  # fmt: skip
    book = openpyxl.load_workbook(book_path)
    book["Data"]["J3"] = "many"
    book.save(scratch / "w_text.xlsx")
    add("hdx_political_violence_text_in_fatalities.xlsx", (scratch / "w_text.xlsx").read_bytes(),
        "hdx", "DataError", "text in a workbook's fatalities", rule="count", line=3,
        column="fatalities")  # fmt: skip
    book = openpyxl.load_workbook(book_path)
    book["Data"].delete_cols(9)
    book.save(scratch / "w_cols.xlsx")
    add("hdx_political_violence_missing_events.xlsx", (scratch / "w_cols.xlsx").read_bytes(),
        "hdx", "DataError", "the Events column deleted", rule="wrong_kind")  # fmt: skip
    data = book_path.read_bytes()
    add("hdx_political_violence_truncated.xlsx", data[: len(data) // 2], "hdx", "DataError",
        "a workbook cut in half (a broken download)", rule="parse")  # fmt: skip
    add("hdx_political_violence_csv_renamed.xlsx", _csv(acled), "hdx", "DataError",
        "an ACLED CSV named .xlsx: read as CSV, told it is ACLED", rule="wrong_kind")  # fmt: skip
    for name, cell, value, what, rule, column in (
        ("formula_no_result", "J4", "=I4*2", "a formula saved without its result (read as "
         "empty)", "formula", ""),
        ("true_in_events", "I5", True, "TRUE in the events count (read as 1)", "count",
         "events"),
        ("huge_events", "I3", 10**30, "a 31-digit events count", "count", "events"),
    ):  # fmt: skip
        book = openpyxl.load_workbook(book_path)
        book["Data"][cell] = value
        book.save(scratch / f"w_{name}.xlsx")
        add(f"hdx_political_violence_{name}.xlsx", (scratch / f"w_{name}.xlsx").read_bytes(),
            "hdx", "DataError", what, rule=rule, line=int(cell[1:]), column=column,
            message=f"cell {cell}" if rule == "formula" else "")  # fmt: skip
    add("hdx_name_without_indicator.xlsx", data, "hdx", "DataError",
        "a workbook whose name does not say its indicator", rule="indicator")  # fmt: skip
    book = openpyxl.load_workbook(book_path)
    book["Data"].insert_rows(3, 2)
    book["Data"]["J7"] = "many"
    book.save(scratch / "w_blank.xlsx")
    add("hdx_political_violence_blank_rows.xlsx", (scratch / "w_blank.xlsx").read_bytes(), "hdx",
        "DataError", "two empty rows (skipped), then text in fatalities (the sheet's row)",
        rule="count", line=7, column="fatalities")  # fmt: skip
    sheet_book = openpyxl.Workbook()
    column = acled[0].index("fatalities")
    for number, row in enumerate(acled, start=1):
        cells: list[object] = list(row)
        if number > 1:
            cells[column] = True if number == 4 else int(row[column])
        sheet_book.active.append(cells)
    sheet_book.save(scratch / "a_true.xlsx")
    add("acled_true_in_fatalities.xlsx", (scratch / "a_true.xlsx").read_bytes(), "acled",
        "DataError", "TRUE in a workbook's whole-number fatalities (pandas would read 1)",
        rule="count", column="fatalities", message="'True'")  # fmt: skip


def main() -> None:
    for old in HERE.iterdir():
        if old.suffix in {".csv", ".yml", ".json", ".xlsx"} and old.name != MANIFEST.name:
            old.unlink()
    MANIFEST_ROWS.clear()
    evidence_table()
    actor_tables()
    suites()
    parameters()
    with tempfile.TemporaryDirectory() as scratch:
        events(Path(scratch))
    with MANIFEST.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(MANIFEST_ROWS)
    print(f"{len(MANIFEST_ROWS)} corpus files written to {HERE.name}/")


if __name__ == "__main__":
    main()
