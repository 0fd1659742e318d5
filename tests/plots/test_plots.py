"""Each figure function returns a labelled matplotlib Figure from a tidy (synthetic) table."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation

from analysis import plots


@pytest.fixture
def incident() -> pd.DataFrame:
    """SYNTHETIC figures for one incident, shaped like compare_incident's figure table."""
    return pd.DataFrame(
        {
            "reporting_body": ["body_a", "body_b", "body_c"],
            "low": [300.0, 350.0, 203.0],
            "high": [np.inf, 380.0, 203.0],
            "point": [300.0, 365.0, 203.0],
            "qualifier": ["at_least", "between", "exact"],
            "measure": ["killed"] * 3,
            "victim_group": ["civilians", "people", "suspected_militants"],
            "comparable": [True, True, False],
        }
    )


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def test_incident_intervals_open_ended_arrow_and_labels(incident) -> None:
    fig = plots.incident_intervals(incident, title="Synthetic incident")
    ax = fig.axes[0]
    arrows = [a for a in ax.findobj(Annotation)]
    assert len(arrows) == 1  # only the "at least" figure is open-ended
    assert ax.get_xlabel().startswith("people killed")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("body_a") and "(at least)" in labels[0]
    assert any(t.startswith("Sources") for t in _texts(fig))
    fighters = plots.incident_intervals(incident, counted="fighters killed")
    assert fighters.axes[0].get_xlabel().startswith("fighters killed")
    assert "figures of fighters killed" in fighters.alt


def test_data_text_is_not_mathtext(incident) -> None:
    incident.loc[0, "reporting_body"] = "$\\alpha$ <script>alert(1)</script>"
    fig = plots.incident_intervals(incident)
    label = fig.axes[0].get_yticklabels()[0].get_text()
    assert label.startswith(r"\$\alpha\$")
    fig.canvas.draw()  # renders without a mathtext parse


def test_series_by_body_marks_dates() -> None:
    series = pd.DataFrame(
        {
            "reporting_body": ["body_a"] * 6 + ["body_b"] * 6,
            "period_start": list(pd.date_range("2021-01-01", periods=6, freq="QS")) * 2,
            "count": [10, 20, np.nan, 40, 50, 60, 5, 6, 7, 8, 9, 10],
        }
    )
    fig = plots.series_by_body(series, arrival_date="2021-12-01", alternative_dates=["2021-12-23"])
    ax = fig.axes[0]
    assert len(ax.lines) == 2 + 2  # two series, two date lines
    assert ax.get_ylabel().startswith("civilians killed")


def test_other_figures_return_figures() -> None:
    t = pd.date_range("2019-01-01", periods=24, freq="MS")
    its = pd.DataFrame(
        {
            "time": t,
            "count": np.arange(24.0),
            "fitted": np.arange(24.0),
            "counterfactual": np.arange(24.0) / 2,
            "cf_ci_low": np.arange(24.0) / 3,
            "cf_ci_high": np.arange(24.0),
        }
    )
    assert isinstance(plots.its_counterfactual(its, date="2020-01-01"), Figure)
    shares = pd.DataFrame(
        {"group": ["a", "b"], "share_before": [0.4, 0.6], "share_after": [0.7, 0.3]}
    )
    assert isinstance(plots.perpetrator_shares(shares), Figure)
    sens = pd.DataFrame(
        {
            "date": pd.date_range("2021-10-01", periods=4, freq="MS"),
            "estimate": [1.5, 2.0, 2.2, 1.8],
            "ci_low": [1.0, 1.4, 1.5, 1.1],
            "ci_high": [2.2, 2.9, 3.1, 2.7],
            "placebo": [True, np.nan, np.nan, np.nan],
        }
    )
    assert isinstance(plots.arrival_sensitivity_curve(sens, default_date="2021-12-01"), Figure)
    heat = pd.DataFrame(
        {
            "admin1": ["Mopti", "Gao"] * 3,
            "period_start": np.repeat(t[:3], 2),
            "fatalities": range(6),
        }
    )
    fig = plots.region_month_heatmap(heat, arrival_date="2019-02-01")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Gao", "Mopti"]


def test_missing_columns_are_named(incident) -> None:
    with pytest.raises(ValueError, match="low"):
        plots.incident_intervals(incident.drop(columns="low"))


def test_figures_stay_out_of_pyplot_and_show_once_as_png(incident) -> None:
    import struct

    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = plots.incident_intervals(incident, title="Synthetic incident")
    assert plt.get_fignums() == before  # not registered: pyplot never shows it a second time
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    inches = fig.get_size_inches()
    assert (width, height) == (round(inches[0] * 100), round(inches[1] * 100))
    # the source line is laid out inside the figure, under the axes
    source = fig._supxlabel
    assert source is not None and source.get_text().startswith("Sources")
    renderer = fig.canvas.get_renderer()
    box = source.get_window_extent(renderer)
    axes_box = fig.axes[0].get_tightbbox(renderer)
    assert box.y0 >= 0 and box.y1 <= axes_box.y0 + 1


def test_gaps_stay_gaps() -> None:
    # quarterly series with one quarter absent (no row) and one missing value
    times = pd.to_datetime(["2021-01-01", "2021-04-01", "2021-10-01", "2022-01-01", "2022-04-01"])
    series = pd.DataFrame(
        {"reporting_body": "body_a", "period_start": times, "count": [1, 2, 3, np.nan, 5]}
    )
    fig = plots.series_by_body(series, arrival_date="2021-12-01", low=None, high=None)
    line = fig.axes[0].lines[0]
    y = np.asarray(line.get_ydata(), dtype=float)
    # a break is inserted between 2021-04 and 2021-10, and the missing value stays missing
    assert len(y) == 6 and np.isnan(y).sum() == 2
    assert np.isnan(y[2]) and np.isnan(y[4])
    x, filled = plots.with_gaps(pd.Series(times[:2]), pd.Series([1.0, 2.0]))
    assert len(x) == 2 and not np.isnan(filled).any()


def test_date_lines_carry_their_label_and_date() -> None:
    assert plots.date_label("2021-12-01") == "Wagner Group arrives in Mali (2021-12-01)"
    assert plots.date_label("2023-06-30").endswith("resolution 2690) (2023-06-30)")
    assert plots.date_label("2021-12-02") == "date used (2021-12-02)"
    series = pd.DataFrame(
        {
            "reporting_body": "body_a",
            "period_start": pd.date_range("2021-01-01", periods=6, freq="QS"),
            "count": np.arange(6.0),
        }
    )
    fig = plots.series_by_body(series, arrival_date="2021-12-01", alternative_dates=["2022-01-06"])
    labels = [line.get_label() for line in fig.axes[0].lines[1:]]
    assert labels == [
        "Wagner Group arrives in Mali (2021-12-01)",
        "Russian soldiers deployed to Timbuktu (2022-01-06)",
    ]
    assert "arrival (default)" not in labels


def test_each_perpetrator_group_keeps_its_colour() -> None:
    from analysis.harmonize.schema import PERPETRATOR_GROUPS

    assert set(PERPETRATOR_GROUPS) <= set(plots.GROUP_COLOURS)
    assert len(set(plots.GROUP_COLOURS.values())) == len(plots.GROUP_COLOURS)
    groups = list(PERPETRATOR_GROUPS)
    frame = pd.DataFrame(
        {
            "perpetrator_group": groups * 3,
            "period_start": np.repeat(
                pd.date_range("2021-01-01", periods=3, freq="MS"), len(groups)
            ),
            "count": 1.0,
        }
    )
    colours = {}
    for subset in (groups, groups[::-1][:4]):  # all twelve groups, and four in another order
        fig = plots.series_by_body(
            frame[frame["perpetrator_group"].isin(subset)],
            body="perpetrator_group",
            arrival_date="2021-12-01",
            low=None,
            high=None,
        )
        for line in fig.axes[0].lines[: len(subset)]:
            colours.setdefault(line.get_label(), set()).add(line.get_color())
    assert all(len(seen) == 1 for seen in colours.values())
    assert len({next(iter(c)) for c in colours.values()}) == len(groups)


def test_many_other_series_do_not_share_a_colour_and_style() -> None:
    names = [f"body_{i}" for i in range(20)]
    frame = pd.DataFrame(
        {
            "reporting_body": names * 2,
            "period_start": np.repeat(pd.date_range("2021-01-01", periods=2, freq="QS"), 20),
            "count": 1.0,
        }
    )
    fig = plots.series_by_body(frame, arrival_date="2021-12-01", low=None, high=None)
    looks = {(line.get_color(), line.get_linestyle()) for line in fig.axes[0].lines[:20]}
    assert len(looks) == 20


def test_every_body_keeps_its_colour_in_every_figure():
    """A body's colour does not depend on which other bodies a figure shows."""
    from analysis.plots import BODY_COLOURS, _colours

    assert len(set(BODY_COLOURS.values())) == len(BODY_COLOURS)
    alone = _colours(["acled"])
    together = _colours(["minusma", "hrw", "acled", "some_press"])
    assert alone["acled"] == together["acled"] == BODY_COLOURS["acled"]
    assert len(set(together.values())) == len(together)  # no two in one figure share one


def test_alt_text_of_the_interval_chart_lists_each_figure(incident) -> None:
    alt = plots.incident_intervals(incident, title="Synthetic incident").alt
    assert alt.startswith('Interval chart, "Synthetic incident". 3 published figures')
    # in the order drawn, with the interval each row shows; the grey one says why
    assert "body_a (killed civilians): at least 300;" in alt
    assert "body_b (killed people): 350 to 380 (point 365);" in alt
    assert alt.endswith("body_c (killed suspected militants): 203, in grey: counts something else.")
    incident.loc[1, "high"] = 390.0
    assert "350 to 390 (point 365)" in plots.incident_intervals(incident).alt


def test_alt_text_of_the_line_chart_gives_span_extremes_and_dates() -> None:
    series = pd.DataFrame(
        {
            "reporting_body": ["body_a"] * 6 + ["body_b"] * 3,
            "period_start": list(pd.date_range("2021-01-01", periods=6, freq="QS"))
            + list(pd.date_range("2021-01-01", periods=3, freq="QS")),
            "count": [10, 20, np.nan, 1450, 50, 60, 5, 6, 7],
        }
    )
    alt = plots.series_by_body(
        series, arrival_date="2021-12-01", alternative_dates=["2021-12-23"], title="Synthetic"
    ).alt
    assert alt.startswith('Line chart, "Synthetic". civilians killed per quarter (count)')
    # the missing quarter is not counted; thousands are separated
    assert (
        "body_a: 5 values from 2021Q1 to 2022Q2, highest 1,450 (2021Q4), lowest 10 (2021Q1)" in alt
    )
    assert "body_b: 3 values from 2021Q1 to 2021Q3, highest 7 (2021Q3), lowest 5 (2021Q1)" in alt
    assert "arrival date, 1 December 2021, dashed lines the alternative dates 23 December" in alt
    assert "shaded" not in alt  # no band drawn
    monthly = series.assign(period_start=list(pd.date_range("2021-01-01", periods=9, freq="MS")))
    assert "from 2021-01 to 2021-06" in plots.series_by_body(monthly, arrival_date="2021-03-01").alt


def test_alt_text_of_the_other_figures_comes_from_their_data() -> None:
    t = pd.date_range("2019-01-01", periods=24, freq="MS")
    its = pd.DataFrame(
        {
            "time": t,
            "count": np.arange(24.0),
            "fitted": np.arange(24.0) + 0.25,
            "counterfactual": np.arange(24.0) / 2,
        }
    )
    alt = plots.its_counterfactual(its, date="2020-01-01").alt
    assert "24 periods from 2019-01 to 2020-12" in alt
    assert "a vertical line marks 1 January 2020" in alt and "interval" not in alt
    assert alt.endswith("observed 23, fitted 23.2, counterfactual 11.5.")
    shares = pd.DataFrame(
        {"group": ["state_forces", "b"], "share_before": [0.4, 0.6], "share_after": [0.725, 0.275]}
    )
    alt = plots.perpetrator_shares(shares).alt
    assert alt.endswith("state forces 40.0% before, 72.5% after; b 60.0% before, 27.5% after.")
    heat = pd.DataFrame(
        {
            "admin1": ["Mopti", "Gao"] * 3,
            "period_start": np.repeat(t[:3], 2),
            "fatalities": [0, 1, 2, 3, 4, 1200],
        }
    )
    alt = plots.region_month_heatmap(heat, arrival_date="2019-02-01").alt
    assert "2 admin1 rows, largest total first: Gao, Mopti; months 2019-01 to 2019-03" in alt
    assert "total 1,210; largest cell 1,200 (Gao, 2019-03)" in alt


def test_the_alt_text_travels_with_the_png(incident) -> None:
    from IPython.core.formatters import DisplayFormatter

    fig = plots.incident_intervals(incident, title="Synthetic incident")
    data, metadata = DisplayFormatter().format(fig)
    assert data["image/png"].startswith(b"\x89PNG")
    assert metadata["image/png"]["alt"] == fig.alt
    assert data["text/plain"] == fig.alt  # what a text-only front end shows
