"""The statistics' result frames as tables made for reading.

Each function takes what a function of :mod:`analysis.trends` returns and gives the table a
report shows: estimates with their interval in one cell, p-values as "< 0.001", counts with
separators, rates to three significant digits, terms and groups by name. The frames themselves
stay as they are for scripts; these are only for display (:func:`analysis.tables.display_table`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.estimability import PERIOD_WORDS
from analysis.tables import (
    GROUP_LABELS,
    display_table,
    fmt_count,
    fmt_interval,
    fmt_number,
    fmt_p,
    fmt_ratio,
    fmt_share,
    key_value_table,
)

__all__ = [
    "its_terms_table",
    "rate_ratio_table",
    "share_change_table",
    "diagnostics_table",
    "period_label",
]


def _period(freq: str) -> str:
    """One period of ``freq`` in words: ``"quarter"``."""
    return PERIOD_WORDS.get(freq, "periods")[:-1]


def period_label(date: object, freq: str) -> str:
    """A period start as a reader names the period: ``2022Q1``, ``March 2022``, ``2022``."""
    stamp = pd.Timestamp(date)
    if freq == "QS":
        return f"{stamp.year}Q{stamp.quarter}"
    if freq == "YS":
        return str(stamp.year)
    return f"{stamp:%B %Y}"


def its_terms_table(fit: Any, *, freq: str, caption: str | None = None) -> Any:
    """The terms of an interrupted time series (:func:`analysis.its_fit`) as rate ratios.

    ``freq`` names the period of the trend ("Trend (ratio per quarter)"). The caption says the
    model, from the fit itself, unless one is given: "One trend for both segments
    (quasipoisson, t(9) intervals)".
    """
    if caption is None:
        shape = (
            "A trend and a change of trend at the date"
            if "slope_change" in fit.terms
            else "One trend for both segments"
        )
        caption = f"{shape} ({fit.family}, {fit.reference} intervals)"
    period = _period(freq)
    names = {
        "baseline": f"Rate per day in the first {period}",
        "trend": f"Trend (ratio per {period})",
        "level_change": "Level change at the date",
        "slope_change": "Change of trend after the date",
    }
    frame = fit.summary_frame().reset_index()
    return display_table(
        frame,
        columns={"term": "Term", "est": "Estimate (95% CI)", "p_value": "p"},
        formats={
            "term": lambda term: names.get(term, str(term).replace("_", " ")),
            "est": lambda row: fmt_interval(row["estimate"], row["ci_low"], row["ci_high"]),
            "p_value": fmt_p,
        },
        numeric=("Estimate (95% CI)", "p"),
        caption=caption,
    )


def rate_ratio_table(
    frame: pd.DataFrame,
    *,
    label: str | None = None,
    label_name: str = "",
    freq: str = "MS",
    caption: str | None = None,
) -> Any:
    """Rows of :func:`analysis.before_after` (one per series or region) as a table.

    ``label`` is the column naming each row (``"count"``, ``"admin1"``...), shown as
    ``label_name``.
    """
    unit = _period(freq)
    columns = {label: label_name} if label else {}
    columns |= {
        "periods": f"{unit.capitalize()}s before / after",
        "counts": "Count before / after",
        "rates": "Rate a day before / after",
        "ratio": "After / before (95% CI)",
        "p_value": "p",
    }
    return display_table(
        frame,
        columns=columns,
        formats={
            "periods": lambda row: (
                f"{fmt_count(row['periods_before'])} / {fmt_count(row['periods_after'])}"
            ),
            "counts": lambda row: (
                f"{fmt_count(row['count_before'])} / {fmt_count(row['count_after'])}"
            ),
            "rates": lambda row: (
                f"{fmt_ratio(row['rate_before'])} / {fmt_ratio(row['rate_after'])}"
            ),
            "ratio": lambda row: fmt_interval(row["estimate"], row["ci_low"], row["ci_high"]),
            "p_value": fmt_p,
        },
        numeric=tuple(name for key, name in columns.items() if key != label),
        caption=caption,
    )


def share_change_table(shares: pd.DataFrame, *, caption: str | None = None) -> Any:
    """:func:`analysis.share_change`'s rows: each group's share before and after, and the change."""
    return display_table(
        shares,
        columns={
            "group": "Perpetrator group",
            "counts": "Count before / after",
            "share_before": "Share before",
            "share_after": "Share after",
            "change": "Change in points (95% CI)",
            "p_value": "p",
        },
        formats={
            "group": lambda group: GROUP_LABELS.get(group, str(group)),
            "counts": lambda row: (
                f"{fmt_count(row['count_before'])} / {fmt_count(row['count_after'])}"
            ),
            "share_before": fmt_share,
            "share_after": fmt_share,
            "change": lambda row: _signed_interval(
                100 * row["estimate"], 100 * row["ci_low"], 100 * row["ci_high"]
            ),
            "p_value": fmt_p,
        },
        numeric=(
            "Count before / after",
            "Share before",
            "Share after",
            "Change in points (95% CI)",
            "p",
        ),
        caption=caption,
    )


def _signed(x: float) -> str:
    """A signed difference, with a true minus sign: ``+7.0``, ``−5.8``, ``0.0``."""
    text = fmt_number(abs(x), 1)
    return text if text == fmt_number(0, 1) else ("+" if x > 0 else "\u2212") + text


def _signed_interval(estimate: float, low: float, high: float) -> str:
    """``"−5.8 (−7.8 to −3.9)"``: "to" rather than a dash, which reads as a minus sign here."""
    if pd.isna(estimate):
        return fmt_number(estimate)
    if pd.isna(low) or pd.isna(high):
        return _signed(estimate)
    return f"{_signed(estimate)} ({_signed(low)} to {_signed(high)})"


def diagnostics_table(diagnostics: pd.DataFrame, *, caption: str | None = None) -> Any:
    """An ITS fit's diagnostics (:meth:`ITSResult.diagnostics`) as what / value rows."""
    row = diagnostics.iloc[0]
    return key_value_table(
        [
            (
                "Periods (residual degrees of freedom)",
                f"{fmt_count(row['n_obs'])} ({fmt_count(row['df_resid'])})",
            ),
            ("Dispersion (1 for Poisson counts)", fmt_ratio(row["dispersion"])),
            ("Durbin-Watson (2 when residuals are independent)", fmt_number(row["durbin_watson"])),
            (
                f"Ljung-Box, {fmt_count(row['lb_lags'])} lags: p",
                fmt_p(row["lb_p_value"]),
            ),
        ],
        caption=caption,
    )
