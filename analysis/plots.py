"""One function per figure: each takes a tidy table and returns a matplotlib Figure.

The functions never compute statistics (they draw what :mod:`analysis.compare`,
:mod:`analysis.trends` and :mod:`analysis.harmonize` return), use the Okabe-Ito colour-blind-safe
palette, label both axes with their units, and print a source line under the figure. Text that
comes from data (body names, places, actor names) is shown literally: matplotlib's mathtext is
neutralised by escaping ``$``.

matplotlib is imported inside the functions, so importing this module is cheap. The figures are
:class:`analysis._figure.ReportFigure` objects: drawn on an Agg canvas, not registered with
pyplot (so ``plt.show()`` does not see them). In a notebook, end the cell with the figure to show
it (once); elsewhere ``fig.savefig("figure.png")``.

Each function also sets the figure's ``alt``: a text alternative composed from the data it draws
(the kind of chart, its title, what is on the axes, the span of dates, the extremes, the marked
dates), which the exported HTML carries as the image's ``alt`` attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PALETTE",
    "plain",
    "incident_intervals",
    "series_by_body",
    "its_counterfactual",
    "perpetrator_shares",
    "arrival_sensitivity_curve",
    "region_month_heatmap",
    "GROUP_COLOURS",
    "BODY_COLOURS",
    "date_label",
    "with_gaps",
]

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
#: deficiency. Black is kept for reference lines.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
GREY = "#8C8C8C"
#: Further colours for figures with more series than the Okabe-Ito palette has (Tol, 2021,
#: "Colour Schemes", SRON/EPS/TN/09-002: the "muted" scheme, colour-blind safe).
EXTRA = ("#332288", "#117733", "#882255", "#44AA99", "#AA4499", "#DDCC77", "#88CCEE", "#999933")

#: One fixed colour per perpetrator group, the same in every report (Okabe-Ito, then Tol's
#: muted scheme; grey for unknown perpetrators, sand for names the actor table misses).
GROUP_COLOURS: dict[str, str] = {
    "state_forces": "#0072B2",
    "state_forces_with_foreign": "#56B4E9",
    "wagner": "#D55E00",
    "jnim": "#009E73",
    "isgs": "#882255",
    "islamist_armed_groups": "#117733",
    "militias": "#E69F00",
    "separatists": "#CC79A7",
    "international_forces": "#332288",
    "unknown": GREY,
    "civilians": "#F0E442",
    "other": "#AA4499",
    "all": "#44AA99",
    "<NA>": "#DDCC77",
}
#: One fixed colour per reporting body, the same in every report (Okabe-Ito, then Tol's muted
#: scheme). Bodies not listed take the spare colours in order.
BODY_COLOURS: dict[str, str] = {
    "minusma": "#0072B2",
    "ohchr": "#009E73",
    "un_sg": "#56B4E9",
    "hrw": "#E69F00",
    "acled": "#D55E00",
    "ucdp": "#CC79A7",
    "gov_mali": "#332288",
    "amnesty": "#882255",
    "fla": "#117733",
    "csp": "#44AA99",
}
_FIXED = {**GROUP_COLOURS, **BODY_COLOURS}
_LINESTYLES = ("-", "--", ":", "-.")


def plain(text: object) -> str:
    """Text from data, made safe for a matplotlib label (no mathtext, no NA).

    Every ``$`` is escaped, so no pair can open mathtext; matplotlib then shows ``\\$`` as
    ``$`` and leaves other backslashes as they are, so the label reads exactly as the data.
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return str(text).replace("$", r"\$")


def _figure(width: float = 8.0, height: float = 4.5) -> tuple[Figure, Axes]:
    from analysis._figure import ReportFigure

    fig = ReportFigure(figsize=(width, height), layout="constrained")
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _finish(fig: Figure, ax: Axes, title: str | None, source: str) -> Figure:
    """The title over the axes, and the source line under them, inside the figure (the layout
    makes room for it)."""
    if title:
        ax.set_title(plain(title), loc="left", fontsize=11)
    if source:
        fig.supxlabel(plain(source), x=0.01, ha="left", fontsize=7.5, color="#444444", wrap=True)
    return fig


def _colours(keys: Iterable[str]) -> dict[str, str]:
    """A colour per key: a perpetrator group's or a body's fixed one (:data:`GROUP_COLOURS`,
    :data:`BODY_COLOURS`), others from the palettes in order, skipping colours already taken,
    so no two keys share one while colours last (then :func:`_styles` varies the line style)."""
    unique = list(dict.fromkeys(keys))
    fixed = {key: _FIXED[key] for key in unique if key in _FIXED}
    if len(set(fixed.values())) < len(fixed):  # a group and a body in one figure: keep one
        seen: set[str] = set()
        for key in list(fixed):
            if fixed[key] in seen:
                del fixed[key]
            else:
                seen.add(fixed[key])
    taken = set(fixed.values())
    spare = [c for c in (*PALETTE[:-1], *EXTRA) if c not in taken]
    out: dict[str, str] = {}
    i = 0
    for key in unique:
        if key in fixed:
            out[key] = fixed[key]
        else:
            out[key] = spare[i % len(spare)] if spare else GREY
            i += 1
    return out


def _styles(keys: Iterable[str]) -> dict[str, str]:
    """A line style per key: solid until the colours run out, then dashed, dotted, ..."""
    spare = len(PALETTE) - 1 + len(EXTRA)
    out: dict[str, str] = {}
    i = 0
    for key in dict.fromkeys(keys):
        if key in _FIXED:
            out[key] = "-"
        else:
            out[key] = _LINESTYLES[(i // spare) % len(_LINESTYLES)]
            i += 1
    return out


def _month_number(dates: pd.Series) -> np.ndarray:
    stamps = pd.DatetimeIndex(pd.to_datetime(dates))
    return (stamps.year * 12 + stamps.month - 1).to_numpy()


def with_gaps(x: pd.Series, y: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The points of one series with a missing value put where periods are missing, so a line
    drawn through them breaks there instead of bridging the gap.

    The series' own step is the smallest distance between consecutive periods (in months, or
    in days below a month); a larger distance is a gap.
    """
    order = np.argsort(pd.to_datetime(x).to_numpy(), kind="stable")
    x = pd.Series(pd.to_datetime(x).to_numpy()[order])
    y = pd.Series(np.asarray(y, dtype=float)[order])
    if len(x) < 3:
        return x, y
    months = _month_number(x)
    steps = np.diff(months)
    if (steps == 0).any():  # finer than monthly: use days
        steps = np.diff(x.to_numpy().astype("datetime64[D]").astype(np.int64))
    positive = steps[steps > 0]
    if not len(positive):
        return x, y
    gaps = np.flatnonzero(steps > positive.min())
    if not len(gaps):
        return x, y
    xs, ys = list(x), list(y)
    for at in gaps[::-1]:
        middle = x.iloc[at] + (x.iloc[at + 1] - x.iloc[at]) / 2
        xs.insert(at + 1, middle)
        ys.insert(at + 1, np.nan)
    return pd.Series(xs), pd.Series(ys, dtype=float)


def date_label(date: object) -> str:
    """The label of a date line: the name ``data/hand/interventions.csv`` gives that date, and
    the date (``"Wagner Group arrives in Mali (2021-12-01)"``); a date the table does not list
    is shown as ``"date used (YYYY-MM-DD)"``."""
    day = pd.Timestamp(date).normalize()
    names = _intervention_names()
    return f"{names.get(day, 'date used')} ({day:%Y-%m-%d})"


def _intervention_names() -> dict[pd.Timestamp, str]:
    from analysis.errors import AnalysisError
    from analysis.sources.tallies import load_interventions

    try:
        table = load_interventions()
    except (AnalysisError, OSError):
        return {}
    return {
        pd.Timestamp(d).normalize(): str(label)
        for d, label in zip(table["date"], table["label"], strict=True)
        if not pd.isna(d)
    }


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {missing}; got {list(frame.columns)}")


def _alt(kind: str, title: str | None, *parts: str) -> str:
    """A figure's text alternative: its kind, its title (quoted), then what it shows."""
    head = f'{kind}, "{title}"' if title else kind
    body = "; ".join(part for part in parts if part)
    return f"{head}. {body}." if body else f"{head}."


def _count(value: object) -> str:
    """A drawn value as the alt text says it: whole numbers with thousands separators, others
    as they are."""
    number = float(value)
    if np.isfinite(number) and number.is_integer():
        return f"{int(number):,}"
    return np.format_float_positional(number, trim="-")


def _day(value: object) -> str:
    return f"{pd.Timestamp(value):%-d %B %Y}"


def _periods(values: Iterable[object]) -> list[str]:
    """Period starts as labels: quarters (2022Q1) when every date opens a quarter, months
    (2022-01) when every date opens a month, else days (2022-01-15)."""
    dates = pd.DatetimeIndex(pd.to_datetime(list(values)))
    if len(dates) and (dates.day == 1).all():
        if dates.month.isin([1, 4, 7, 10]).all() and len(dates.unique()) > 1:
            gaps = np.diff(np.sort(dates.unique().to_numpy())).astype("timedelta64[D]")
            if gaps.min() >= np.timedelta64(89, "D"):
                return [f"{d.year}Q{d.quarter}" for d in dates]
        return [f"{d:%Y-%m}" for d in dates]
    return [f"{d:%Y-%m-%d}" for d in dates]


def incident_intervals(
    figures: pd.DataFrame,
    *,
    title: str | None = None,
    source: str = "Sources: the documents listed under the figure (data/tallies/sources.csv).",
    label: str = "reporting_body",
    comparable: str | None = "comparable",
    counted: str = "people killed",
) -> Figure:
    """Interval plot of every figure published about one incident, one row per figure.

    Parameters
    ----------
    figures
        One row per figure with ``low``, ``high`` (``inf`` when open-ended), ``point``,
        ``qualifier``, the ``label`` column (default ``reporting_body``), ``measure`` and
        ``victim_group``; optionally a boolean ``comparable`` column: figures that count
        something else are drawn in grey.
    counted
        What the x axis counts, in words (``"people killed"``; ``"fighters killed"`` when the
        figures compared count fighters).

    Notes
    -----
    "At least" figures are drawn as an arrow running to the right edge: their interval has no
    upper end. The x axis is a count.
    """
    _require(figures, ["low", "high", "point", "qualifier", label], "incident_intervals")
    fig, ax = _figure(8.0, 0.55 * max(len(figures), 3) + 1.4)
    finite = np.concatenate([figures["low"].to_numpy(float), figures["high"].to_numpy(float)])
    finite = finite[np.isfinite(finite)]
    right = (finite.max() if finite.size else 1.0) * 1.25 + 1
    colours = _colours(figures[label].astype(str))
    rows = figures.reset_index(drop=True)
    for y, row in rows.iterrows():
        same = bool(row[comparable]) if comparable and comparable in rows.columns else True
        colour = colours[str(row[label])] if same else GREY
        low, high, point = float(row["low"]), float(row["high"]), float(row["point"])
        if np.isinf(high):
            ax.annotate(
                "",
                xy=(right, y),
                xytext=(low, y),
                arrowprops={"arrowstyle": "->", "color": colour, "lw": 2},
            )
        else:
            ax.plot([low, high], [y, y], color=colour, lw=3, solid_capstyle="butt")
        if np.isfinite(point):
            ax.plot(point, y, "o", color=colour, ms=6, mec="white", mew=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_figure_label(row, label) for _, row in rows.iterrows()], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, right)
    ax.set_xlabel(f"{counted} (count; arrow = open-ended 'at least')")
    ax.grid(axis="x", color="#DDDDDD", lw=0.6)
    fig.alt = _alt(
        "Interval chart",
        title,
        f"{len(rows)} published figure{'s' if len(rows) != 1 else ''} of {counted}, "
        "one row each, top to bottom",
        "; ".join(_interval_alt(row, label, comparable) for _, row in rows.iterrows()),
    )
    return _finish(fig, ax, title, source)


def _interval_alt(row: pd.Series, label: str, comparable: str | None) -> str:
    """One figure of an interval chart, in words: who, what, and the interval drawn."""
    what = " ".join(
        str(row[column]).replace("_", " ")
        for column in ("measure", "victim_group")
        if column in row.index and not pd.isna(row[column])
    )
    low, high, point = float(row["low"]), float(row["high"]), float(row["point"])
    if np.isinf(high):
        drawn = f"at least {_count(low)}"
    elif low == high:
        drawn = _count(low)
    else:
        drawn = f"{_count(low)} to {_count(high)}"
    if np.isfinite(point) and point not in (low, high):
        drawn += f" (point {_count(point)})"
    grey = comparable and comparable in row.index and not bool(row[comparable])
    who = f"{row[label]} ({what})" if what else f"{row[label]}"
    return f"{who}: {drawn}" + (", in grey: counts something else" if grey else "")


def _figure_label(row: pd.Series, label: str) -> str:
    parts = [plain(row[label])]
    for column in ("measure", "victim_group"):
        if column in row.index and not pd.isna(row[column]):
            parts.append(plain(row[column]).replace("_", " "))
    qualifier = plain(row["qualifier"]).replace("_", " ")
    return f"{parts[0]} — {' '.join(parts[1:])} ({qualifier})"


def series_by_body(
    series: pd.DataFrame,
    *,
    arrival_date: object,
    alternative_dates: Sequence[object] = (),
    body: str = "reporting_body",
    time: str = "period_start",
    value: str = "count",
    low: str | None = "count_low",
    high: str | None = "count_high",
    ylabel: str = "civilians killed per quarter (count)",
    title: str | None = None,
    source: str = "Sources: data/tallies/sources.csv.",
) -> Figure:
    """Per-period series of one or more bodies, with the arrival date and its alternatives marked.

    Parameters
    ----------
    series
        Long table: one row per body and period with ``time`` and ``value`` columns, and
        optionally ``low``/``high`` (drawn as a band where they differ from the value).
    arrival_date, alternative_dates
        Drawn as a solid and dashed vertical lines.
    """
    _require(series, [body, time, value], "series_by_body")
    fig, ax = _figure()
    keys = series[body].astype("string").fillna("<NA>")
    colours = _colours(keys)
    styles = _styles(keys)
    described, banded = [], False
    for name, group in series.sort_values(time).groupby(keys, sort=False, observed=True):
        colour = colours[str(name)]
        x = pd.to_datetime(group[time])
        y = pd.to_numeric(group[value], errors="coerce").astype(float)
        gx, gy = with_gaps(x, y)
        label = "(actor not in the table)" if name == "<NA>" else plain(name)
        ax.plot(gx, gy, marker="o", ms=4, lw=1.6, color=colour, ls=styles[str(name)], label=label)
        described.append(_series_alt(label, x, y))
        if low and high and low in group and high in group:
            lo = pd.to_numeric(group[low], errors="coerce").astype(float)
            hi = pd.to_numeric(group[high], errors="coerce").astype(float)
            hi = hi.where(np.isfinite(hi))
            if ((lo != y) | (hi != y)).any():
                ax.fill_between(x, lo, hi, color=colour, alpha=0.15, lw=0)
                banded = True
    _mark_dates(ax, arrival_date, alternative_dates)
    ax.set_xlabel("period start")
    ax.set_ylabel(plain(ylabel))
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8, ncols=2)
    fig.alt = _alt(
        "Line chart",
        title,
        f"{ylabel} by period start, one line per {body.replace('_', ' ')}",
        "; ".join(described),
        "shaded bands: the range where a period's figures differ" if banded else "",
        _dates_alt(arrival_date, alternative_dates),
    )
    return _finish(fig, ax, title, source)


def _series_alt(name: object, x: pd.Series, y: pd.Series) -> str:
    """One line of a line chart, in words: its span and its highest and lowest values."""
    drawn = y.notna().to_numpy()
    if not drawn.any():
        return f"{name}: no values"
    labels = _periods(x)
    shown = [label for label, keep in zip(labels, drawn, strict=True) if keep]
    values = y.to_numpy()[drawn]
    top, bottom = int(np.argmax(values)), int(np.argmin(values))
    return (
        f"{name}: {len(shown)} value{'s' if len(shown) != 1 else ''} from {shown[0]} to "
        f"{shown[-1]}, highest {_count(values[top])} ({shown[top]}), lowest "
        f"{_count(values[bottom])} ({shown[bottom]})"
    )


def _dates_alt(arrival_date: object, alternative_dates: Sequence[object]) -> str:
    text = f"a solid vertical line marks the arrival date, {_day(arrival_date)}"
    if len(alternative_dates):
        others = ", ".join(_day(date) for date in alternative_dates)
        text += f", dashed lines the alternative dates {others}"
    return text


def _mark_dates(ax: Axes, arrival_date: object, alternative_dates: Sequence[object]) -> None:
    ax.axvline(
        pd.Timestamp(arrival_date), color="black", lw=1.2, label=plain(date_label(arrival_date))
    )
    for i, date in enumerate(alternative_dates):
        ax.axvline(
            pd.Timestamp(date),
            color="black",
            lw=0.9,
            ls=_LINESTYLES[1 + i % (len(_LINESTYLES) - 1)],
            alpha=0.6,
            label=plain(date_label(date)),
        )


def its_counterfactual(
    frame: pd.DataFrame,
    *,
    date: object,
    time: str = "time",
    observed: str = "count",
    fitted: str = "fitted",
    counterfactual: str = "counterfactual",
    ci_low: str = "cf_ci_low",
    ci_high: str = "cf_ci_high",
    ylabel: str = "count per period",
    title: str | None = None,
    source: str = "",
) -> Figure:
    """Interrupted time series: observed counts, the fit, and the counterfactual with its band.

    Parameters
    ----------
    frame
        One row per period, as ``its_fit(...).counterfactual()`` returns it: ``time``, the
        observed ``count``, ``fitted`` and the ``counterfactual`` (the fitted series without
        the interruption) with its interval ``cf_ci_low``/``cf_ci_high``.
    """
    _require(frame, [time, observed, fitted, counterfactual], "its_counterfactual")
    fig, ax = _figure()
    x = pd.to_datetime(frame[time])
    after = x >= pd.Timestamp(date)
    ax.plot(x, frame[observed], "o", color=PALETTE[0], ms=4, label="observed")
    ax.plot(*with_gaps(x, frame[fitted]), color=PALETTE[0], lw=1.6, label="fitted")
    ax.plot(
        *with_gaps(x[after], frame[counterfactual][after]),
        color=PALETTE[5],
        lw=1.4,
        ls="--",
        label="counterfactual (no interruption)",
    )
    if ci_low in frame and ci_high in frame:
        ax.fill_between(
            x[after],
            frame[ci_low][after],
            frame[ci_high][after],
            color=PALETTE[5],
            alpha=0.15,
            lw=0,
            label="counterfactual 95% interval",
        )
    ax.axvline(pd.Timestamp(date), color="black", lw=1.0, label=plain(date_label(date)))
    ax.set_xlabel("period start")
    ax.set_ylabel(plain(ylabel))
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8)
    labels = _periods(x)
    last = len(frame) - 1
    fig.alt = _alt(
        "Line chart",
        title,
        f"{ylabel}: observed values as dots and the fitted model as a line, {len(frame)} "
        f"periods from {labels[0]} to {labels[-1]}"
        if len(frame)
        else f"{ylabel}: no periods",
        f"a vertical line marks {_day(date)}; after it a dashed line shows the counterfactual "
        "(the fit without the interruption)"
        + (" with its 95% interval shaded" if ci_low in frame and ci_high in frame else ""),
        f"in the last period ({labels[-1]}) observed {_count(frame[observed].iloc[last])}, "
        f"fitted {float(frame[fitted].iloc[last]):.1f}, counterfactual "
        f"{float(frame[counterfactual].iloc[last]):.1f}"
        if len(frame) and bool(after.iloc[last])
        else "",
    )
    return _finish(fig, ax, title, source)


def perpetrator_shares(
    shares: pd.DataFrame,
    *,
    group: str = "group",
    before: str = "share_before",
    after: str = "share_after",
    title: str | None = None,
    source: str = "",
) -> Figure:
    """Perpetrator shares before and after, side by side (one pair of bars per group)."""
    _require(shares, [group, before, after], "perpetrator_shares")
    fig, ax = _figure(8.0, 0.45 * max(len(shares), 3) + 1.4)
    y = np.arange(len(shares))
    ax.barh(y - 0.2, shares[before] * 100, height=0.38, color=PALETTE[4], label="before")
    ax.barh(y + 0.2, shares[after] * 100, height=0.38, color=PALETTE[5], label="after")
    ax.set_yticks(y)
    ax.set_yticklabels([plain(g).replace("_", " ") for g in shares[group]], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("share of the period's total (%)")
    ax.legend(frameon=False, fontsize=8)
    fig.alt = _alt(
        "Horizontal bar chart",
        title,
        f"share of the period's total by {group.replace('_', ' ')}, before and after, "
        "one pair of bars each",
        "; ".join(
            f"{str(name).replace('_', ' ')} {float(b) * 100:.1f}% before, "
            f"{float(a) * 100:.1f}% after"
            for name, b, a in zip(shares[group], shares[before], shares[after], strict=True)
        ),
    )
    return _finish(fig, ax, title, source)


def arrival_sensitivity_curve(
    sensitivity: pd.DataFrame,
    *,
    default_date: object | None = None,
    date: str = "date",
    estimate: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    placebo: str | None = "placebo",
    ylabel: str = "level change (rate ratio, log scale)",
    title: str | None = None,
    source: str = "",
) -> Figure:
    """The level change re-estimated over a grid of dates, with its interval.

    ``sensitivity`` is :func:`analysis.trends.arrival_sensitivity`'s table, optionally with the
    rows of :func:`analysis.trends.placebo_dates` appended: rows whose ``placebo`` column is
    true are drawn in grey, apart from the candidate arrival dates.
    """
    _require(sensitivity, [date, estimate, ci_low, ci_high], "arrival_sensitivity_curve")
    fig, ax = _figure()
    frame = sensitivity.sort_values(date)
    is_placebo = (
        frame[placebo].fillna(False).astype(bool)
        if placebo and placebo in frame
        else pd.Series(False, index=frame.index)
    )
    groups = [("candidate dates", frame[~is_placebo]), ("placebo dates", frame[is_placebo])]
    for i, (name, part) in enumerate(groups):
        if part.empty:
            continue
        colour = GREY if i == 1 else PALETTE[0]
        x = pd.to_datetime(part[date])
        ax.errorbar(
            x,
            part[estimate],
            yerr=[part[estimate] - part[ci_low], part[ci_high] - part[estimate]],
            fmt="o",
            color=colour,
            ms=4,
            capsize=2,
            label=name,
        )
    ax.axhline(1.0, color="black", lw=0.8)
    if default_date is not None:
        ax.axvline(
            pd.Timestamp(default_date),
            color="black",
            lw=1.0,
            ls=":",
            label=plain(date_label(default_date)),
        )
    ax.set_yscale("log")
    ax.set_xlabel("assumed date of the interruption")
    ax.set_ylabel(plain(ylabel))
    ax.legend(frameon=False, fontsize=8)
    fig.alt = _alt(
        "Dot chart with 95% intervals",
        title,
        f"{ylabel} by assumed date of the interruption",
        *(
            f"{len(part)} {name if len(part) != 1 else name[:-1]} in "
            f"{'grey' if i == 1 else 'blue'}, from {_day(part[date].min())} to "
            f"{_day(part[date].max())}, estimates from {float(part[estimate].min()):.2f} to "
            f"{float(part[estimate].max()):.2f}"
            for i, (name, part) in enumerate(groups)
            if not part.empty
        ),
        "a horizontal line marks 1 (no change)",
        f"a dotted vertical line marks {_day(default_date)}" if default_date is not None else "",
    )
    return _finish(fig, ax, title, source)


def region_month_heatmap(
    table: pd.DataFrame,
    *,
    region: str = "admin1",
    time: str = "period_start",
    value: str = "fatalities",
    arrival_date: object | None = None,
    title: str | None = None,
    source: str = "",
) -> Figure:
    """Region by month heatmap of an event-data aggregate (e.g. civilian fatalities)."""
    _require(table, [region, time, value], "region_month_heatmap")
    numbers = pd.to_numeric(table[value], errors="coerce").astype(float)
    pivot = (
        numbers.groupby([table[region].astype("string"), pd.to_datetime(table[time])])
        .sum(min_count=1)  # a period without a value stays blank, not zero
        .unstack()
    )
    pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False).index]
    fig, ax = _figure(9.0, 0.35 * max(len(pivot), 4) + 1.6)
    image = ax.imshow(
        np.ma.masked_invalid(pivot.to_numpy(float)),
        aspect="auto",
        cmap="viridis",
        interpolation="nearest",
    )
    ax.set_yticks(range(len(pivot)))
    ax.set_yticklabels([plain(r) for r in pivot.index], fontsize=8)
    months = pd.to_datetime(pivot.columns)
    step = max(1, len(months) // 12)
    ax.set_xticks(range(0, len(months), step))
    ax.set_xticklabels([f"{m:%Y-%m}" for m in months[::step]], rotation=45, ha="right", fontsize=8)
    if arrival_date is not None and len(months):
        position = np.searchsorted(months.values, np.datetime64(pd.Timestamp(arrival_date)))
        ax.axvline(position - 0.5, color="white", lw=1.2)
        ax.annotate(
            plain(date_label(arrival_date)),
            xy=(position - 0.5, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7.5,
        )
    fig.colorbar(image, ax=ax, label=plain(f"{value.replace('_', ' ')} (count)"))
    ax.set_xlabel("month")
    ax.set_ylabel(plain(region))
    fig.alt = _alt(
        "Heatmap",
        title,
        f"{value.replace('_', ' ')} (count) by {region} (rows) and month (columns), darker "
        "is fewer, yellow is most",
        _heatmap_alt(pivot, region, months),
        "a white vertical line marks the arrival date, " + _day(arrival_date)
        if arrival_date is not None and len(months)
        else "",
    )
    return _finish(fig, ax, title, source)


def _heatmap_alt(pivot: pd.DataFrame, region: str, months: pd.DatetimeIndex) -> str:
    """The rows, the span of months, the total and the largest cell of a heatmap."""
    if pivot.empty:
        return "no values"
    values = pivot.to_numpy(float)
    row, column = np.unravel_index(int(np.argmax(values)), values.shape)
    names = [str(name) for name in pivot.index]
    listed = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return (
        f"{len(names)} {region} rows, largest total first: {listed}; months {months[0]:%Y-%m} "
        f"to {months[-1]:%Y-%m}; total {_count(values.sum())}; largest cell "
        f"{_count(values[row, column])} ({names[row]}, {months[column]:%Y-%m})"
    )
