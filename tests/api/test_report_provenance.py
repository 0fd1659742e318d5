"""Reports name the pull's date and dataset version of every event export a pull wrote."""

from __future__ import annotations

from analysis.reports.index import render_index
from analysis.reports.provenance import collect_run_info, footer_html, hash_inputs
from analysis.reports.runner import ReportResult
from analysis.sources.api.acled_pull import pull_acled
from analysis.testing import write_acled_csv
from tests.api.conftest import FAST


def test_footer_and_index_name_the_pull(server, acled, account, clock, tmp_path) -> None:
    pulled = pull_acled(
        "Mali",
        base_url=server.url,
        raw_dir=tmp_path,
        credentials=account,
        retry=FAST,
        clock=clock,
    )
    by_hand = write_acled_csv(tmp_path / "acled" / "by-hand.csv", n_events=5, seed=1)
    inputs = hash_inputs([(pulled.path, "event export"), (by_hand, "event export")], tmp_path)
    pulled_note, hand_note = inputs[0].note, inputs[1].note
    assert pulled_note.startswith("ACLED API pull of 2025-02-01T00:00:00Z; dataset version:")
    assert f"timestamp {pulled.latest_timestamp}" in pulled_note
    assert hand_note == ""  # an export placed by hand has no pull to name
    info = collect_run_info(tmp_path)
    footer = footer_html(
        name="event_trends",
        notebook="event_trends",
        parameters={},
        notebook_file=None,
        inputs=inputs,
        info=info,
    )
    assert "ACLED API pull of 2025-02-01T00:00:00Z" in footer
    result = ReportResult("event_trends", "event_trends", {}, "ok", 1.0, inputs)
    assert "ACLED API pull of 2025-02-01T00:00:00Z" in render_index([result], [], info)
    # a file edited after the pull is flagged
    with open(pulled.path, "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert (
        "differs from the one the pull wrote"
        in hash_inputs([(pulled.path, "event export")], tmp_path)[0].note
    )
