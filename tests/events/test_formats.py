"""Formats are told by content, not by name; every form of one export gives the same events."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import DataError, read_acled, read_hdx_aggregates, read_ucdp_ged
from analysis.sources.formats import detect_source, sniff_format
from analysis.testing import (
    write_acled_csv,
    write_acled_json,
    write_hapi_csv,
    write_hdx_workbook,
    write_ucdp_ged_csv,
    write_ucdp_ged_rdata,
)

_KEY = ["event_id", "date_start", "fatalities", "actor1", "perpetrator_group", "civilian_victims"]


def _same_events(a: pd.DataFrame, b: pd.DataFrame) -> None:
    left = a[_KEY].sort_values("event_id").reset_index(drop=True)
    right = b[_KEY].sort_values("event_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_categorical=False)


@pytest.fixture
def acled_csv(tmp_path: Path) -> Path:
    return write_acled_csv(tmp_path / "plain.csv", n_events=60, seed=11, hxl=True)


def _rewrite_delimited(source: Path, target: Path, delimiter: str) -> Path:
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.to_csv(target, sep=delimiter, index=False)
    return target


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_csv(acled_csv: Path, tmp_path: Path, delimiter: str) -> None:
    other = _rewrite_delimited(acled_csv, tmp_path / "export.txt", delimiter)
    assert sniff_format(other).delimiter == delimiter
    _same_events(read_acled(other, cache=False), read_acled(acled_csv, cache=False))


def test_gzip_and_zip_with_one_export_whatever_their_names(acled_csv: Path, tmp_path: Path) -> None:
    packed = tmp_path / "export.dat"  # no telling suffix
    packed.write_bytes(gzip.compress(acled_csv.read_bytes()))
    assert sniff_format(packed).packing == "gzip"
    expected = read_acled(acled_csv, cache=False)
    _same_events(read_acled(packed), expected)
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(acled_csv, "2024-01-01-2024-12-31-Mali.csv")
        handle.writestr("README.txt", "SYNTHETIC: documentation files are ignored")
    sniffed = sniff_format(archive)
    assert (sniffed.packing, sniffed.member) == ("zip", "2024-01-01-2024-12-31-Mali.csv")
    _same_events(read_acled(archive), expected)
    before = archive.read_bytes()
    read_acled(archive)  # unpacked once, then from the cache; the archive is never changed
    assert archive.read_bytes() == before


def test_zip_with_several_exports_is_refused(acled_csv: Path, tmp_path: Path) -> None:
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(acled_csv, "a.csv")
        handle.write(acled_csv, "b.csv")
    with pytest.raises(DataError, match="holding 2 data files"):
        read_acled(archive)


def test_xlsx_as_acled_exports_it_with_the_hxl_row(acled_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(acled_csv, dtype=str, keep_default_na=False)  # the HXL row is row 0
    assert frame.iloc[0, 0].startswith("#")
    workbook = tmp_path / "export.xlsx"
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Sheet1", index=False)
    assert sniff_format(workbook).format == "xlsx"
    events = read_acled(workbook, cache=False)
    _same_events(events, read_acled(acled_csv, cache=False))
    assert not events["actor1"].astype(str).str.startswith("#").any()
    assert events["origin"].iloc[0].startswith("export.xlsx:Sheet1[")


def test_parquet_and_json_with_an_hxl_record(acled_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(acled_csv, dtype=str, keep_default_na=False)
    table = tmp_path / "export.bin"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), table)
    assert sniff_format(table).format == "parquet"
    expected = read_acled(acled_csv, cache=False)
    _same_events(read_acled(table, cache=False), expected)
    api = write_acled_json(tmp_path / "api.json", n_events=30, seed=2)
    payload = api.read_text(encoding="utf-8")
    tags = '{"event_id_cnty": "#event+code", "event_date": "#date+occurred", "actor1": "#group"}, '
    hxl = tmp_path / "api_hxl.json"
    hxl.write_text(payload.replace('"data": [', '"data": [' + tags, 1), encoding="utf-8")
    _same_events(read_acled(hxl, cache=False), read_acled(api, cache=False))


def test_ucdp_csv_with_hxl_tab_gzip_and_rds(tmp_path: Path) -> None:
    plain = write_ucdp_ged_csv(tmp_path / "ged.csv", n_events=40, seed=5)
    expected = read_ucdp_ged(plain, cache=False)
    frame = pd.read_csv(plain, dtype=str, keep_default_na=False)
    tags = pd.DataFrame([{c: (f"#{c}" if c in ("id", "best") else "") for c in frame.columns}])
    tagged = tmp_path / "ged_hxl.tsv"
    pd.concat([tags, frame]).to_csv(tagged, sep="\t", index=False)
    _same_events(read_ucdp_ged(tagged, cache=False), expected)
    packed = tmp_path / "ged.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    _same_events(read_ucdp_ged(packed), expected)
    rds = write_ucdp_ged_rdata(tmp_path / "ged.rds", n_events=40, seed=5)
    assert sniff_format(rds).format == "rds"
    _same_events(read_ucdp_ged(rds, cache=False), expected)


def test_hdx_workbook_with_an_hxl_row(tmp_path: Path) -> None:
    book = write_hdx_workbook(tmp_path / "mali_political_violence.xlsx", n_events=80, seed=1)
    sheet = pd.read_excel(book, sheet_name="Data")
    tags = {
        "Country": "#country+name",
        "Admin1": "#adm1+name",
        "Admin2": "#adm2+name",
        "Events": "#affected+events",
    }
    tagged_sheet = pd.concat([pd.DataFrame([{c: tags.get(c, "") for c in sheet.columns}]), sheet])
    tagged = tmp_path / "tagged_political_violence.xlsx"
    with pd.ExcelWriter(tagged, engine="openpyxl") as writer:
        tagged_sheet.to_excel(writer, sheet_name="Data", index=False)
    plain = read_hdx_aggregates(book, cache=False)
    with_tags = read_hdx_aggregates(tagged, cache=False)
    assert len(with_tags) == len(plain)
    assert not with_tags["admin1"].astype(str).str.startswith("#").any()
    assert with_tags["events"].sum() == plain["events"].sum()
    assert with_tags["origin"].iloc[0].endswith("[Data]:3")  # the header is 1, the tags 2


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (b"%PDF-1.7\n%SYNTHETIC\n", "a PDF document"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "an HTML page"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old-style Excel .xls"),
        ("event_id_cnty,event_date\n".encode("utf-16"), "UTF-16"),
        (b"just one line of words with no columns\n", "text without a header row"),
    ],
)
def test_other_files_are_told_what_they_look_like(
    tmp_path: Path, content: bytes, looks_like: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    for reader in (read_acled, read_ucdp_ged, read_hdx_aggregates):
        with pytest.raises(DataError) as error:
            reader(path)
        assert looks_like in str(error.value) and "accepted:" in str(error.value)
        assert Path(error.value.file).name == "export.csv"
        assert error.value.rule == "unknown_format"


def test_detect_source_by_content(tmp_path: Path) -> None:
    acled = write_acled_csv(tmp_path / "a.dat", n_events=10, seed=1)
    monadic = write_acled_csv(tmp_path / "m.csv", n_events=10, seed=1, layout="monadic")
    ucdp = write_ucdp_ged_rdata(tmp_path / "u.rda", n_events=10, seed=1)
    book = write_hdx_workbook(tmp_path / "h.xlsx", n_events=10, seed=1)
    hapi = write_hapi_csv(tmp_path / "hapi.csv", n_events=10, seed=1)
    json = write_acled_json(tmp_path / "j.json", n_events=10, seed=1)
    notes = tmp_path / "notes.csv"
    notes.write_text("title,text\nSYNTHETIC,not an export\n")
    found = {p.name: detect_source(p) for p in (acled, monadic, ucdp, book, hapi, json, notes)}
    assert found == {
        "a.dat": "acled",
        "m.csv": "acled",
        "u.rda": "ucdp",
        "h.xlsx": "hdx",
        "hapi.csv": "hdx",
        "j.json": "acled",
        "notes.csv": None,
    }


def test_the_31_column_dyadic_shape_reads_with_its_hxl_row(tmp_path: Path) -> None:
    from analysis.testing import synthetic_acled_events, write_acled_dyadic_31

    path = write_acled_dyadic_31(tmp_path / "dyadic.csv", n_events=80, seed=3)
    header, tags = path.read_text(encoding="utf-8").splitlines()[:2]
    assert len(header.split(",")) == 31 and tags.startswith(",,#event+code,")
    events = read_acled(path, cache=False)
    truth = synthetic_acled_events(80, seed=3)
    assert sorted(events["event_id"]) == sorted(truth["event_id_cnty"])
    assert events["fatalities"].sum() == truth["fatalities"].astype(int).sum()
    assert events["origin"].iloc[0] == "dyadic.csv:3"  # the header is line 1, the tags line 2
