"""Comparing reporting bodies: figure by figure for an incident, and period by period.

:func:`compare_incident`
    every figure published about one incident, which of them count the same thing, and how far
    apart those are (envelope, consensus interval, spread);
:func:`incidents_with_bodies`
    the incidents that at least ``min_bodies`` bodies published figures about;
:func:`align_periods`
    (from :mod:`analysis.harmonize.periods`) figures over arbitrary windows onto calendar
    periods;
:func:`compare_periods`
    each body's figure per calendar period, its log ratio to a reference body, and how well
    the bodies agree over the periods they share (:func:`agreement`).

"Counting the same thing". Two figures are compared only when both count deaths (``killed``,
``executed`` or ``fatalities``) of compatible victims. ``civilians`` figures compare with each
other. A ``people`` figure (everyone killed, as in OHCHR's "at least 500 people" in Moura)
counts civilians and anyone else killed, so as a count of civilians it leans high; by default it
is compared (``people="compare"``) and flagged in the ``victim_group`` column and the summary's
``includes_people``, since in a massacre of unarmed villagers it is the figure a body gives;
``people="apart"`` lists it apart instead. ``suspected_militants`` and ``combatants`` are never
compared with civilians (the army's "203 terrorists neutralised" and HRW's "about 300
civilians" describe the same dead in opposite terms; they are shown side by side, apart);
``violations`` are not deaths (MINUSMA counts one violation per victim of any abuse).
Within one body, a figure wholly below the body's own larger figure about the same incident
(children, women, one day of it), or an "at least" below the body's own larger lower bound
("at least 238 named" beside "at least 500"), counts a part, not the toll, and is listed apart
too (``body_parts="compare"`` keeps it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.harmonize.periods import (
    DEATH_MEASURES,
    Freq,
    _as_str,
    _bounds,
    _check_option,
    _exact_period_rows,
    _merge_copies,
    _period_intervals,
    _require,
    _window_days,
    align_periods,
)

__all__ = [
    "IncidentComparison",
    "PeriodComparison",
    "agreement",
    "align_periods",
    "compare_incident",
    "compare_periods",
    "incidents_with_bodies",
    "published_before_after",
]

People = Literal["compare", "apart"]
BodyParts = Literal["apart", "compare"]
Fill = Literal["exact", "prorate"]
Scale = Literal["log", "raw"]

_NOT_DEATHS = {
    "violations": "counts violations and abuses (one per victim of any abuse: killings, "
    "injuries, abductions...), not deaths",
    "injured": "counts people injured, not deaths",
    "abducted": "counts people abducted, not deaths",
    "arrested": "counts people arrested, not deaths",
    "sexual_violence": "counts victims of sexual violence, not deaths",
    "events": "counts events, not deaths",
    "percent_events": "is a share of events, not a count of deaths",
}
_NOT_CIVILIANS = {
    "suspected_militants": "counts suspected militants ('terrorists'), not civilians",
    "combatants": "counts combatants, not civilians",
    "not_applicable": "does not count people",
}
_PEOPLE_APART = "counts people of any status (may include fighters), not civilians only"

_FIGURE_COLUMNS = [
    "tally_id",
    "reporting_body",
    "source_id",
    "grade",
    "measure",
    "victim_group",
    "perpetrator_group",
    "qualifier",
    "value",
    "low",
    "high",
    "point",
    "open_high",
    "period_start",
    "period_end",
    "comparable",
    "reason",
    "claim",
    "line",
]


def _reasons(
    frame: pd.DataFrame,
    bounds: pd.DataFrame,
    *,
    people: People,
    perpetrator_group: str | None,
) -> list[object]:
    """Why each figure does not count the same thing (NA when it does)."""
    measures = _as_str(frame["measure"]).to_numpy(dtype=object)
    victims = _as_str(frame["victim_group"]).to_numpy(dtype=object)
    perpetrators = _as_str(frame["perpetrator_group"]).to_numpy(dtype=object)
    no_number = (bounds["low"].isna() & bounds["point"].isna()).to_numpy()
    out: list[object] = []
    for m, v, p, empty in zip(measures, victims, perpetrators, no_number, strict=True):
        if empty:
            out.append("gives no number")
        elif m not in DEATH_MEASURES:
            out.append(_NOT_DEATHS.get(m, f"counts {m}, not deaths"))
        elif v in _NOT_CIVILIANS:
            out.append(_NOT_CIVILIANS[v])
        elif v == "people" and people == "apart":
            out.append(_PEOPLE_APART)
        elif v not in ("civilians", "people"):
            out.append(f"counts {v}, not civilians")
        elif perpetrator_group is not None and p != perpetrator_group:
            out.append(f"counts deaths attributed to {p}, not to {perpetrator_group}")
        else:
            out.append(pd.NA)
    return out


def _own_parts(
    bodies: np.ndarray, ids: np.ndarray, low: np.ndarray, high: np.ndarray, reason: list[object]
) -> list[object]:
    """Within each body, the figures that count a part of what its own larger figure counts.

    A body does not contradict itself about one quantity. When one of its figures about an
    incident lies wholly below another of its figures (7 children, about 20 women, against at
    least 500 people), the smaller counts a part of the victims or of the days. When an
    open-ended figure ("at least 238 identified by name", "at least 20 on the first day") has a
    lower bound below another of the body's figures' lower bound, it is a part too, or at most
    a weaker statement of the same toll. Copies that disagree on a qualifier only (a press copy's
    plain 500 against the report's "at least 500") share their lower bound and both stay, so
    the disagreement shows.
    """
    out = list(reason)
    comparable = [i for i in range(len(out)) if pd.isna(out[i])]
    for body in sorted({str(bodies[i]) for i in comparable}):
        mine = [i for i in comparable if str(bodies[i]) == body]
        for i in mine:
            others = [j for j in mine if j != i]
            below = [j for j in others if high[i] < low[j]]
            weaker = [j for j in others if np.isinf(high[i]) and low[i] < low[j]]
            found = below or weaker
            if not found:
                continue
            j = min(found, key=lambda k: (-low[k], str(ids[k])))
            kind = "lies wholly below" if below else "is a lower bound below"
            out[i] = (
                f"{kind} {body}'s own figure {ids[j]} ({low[j]:g} or more): counts a part of "
                "the victims or of the days, not the whole toll"
            )
    return out


@dataclass(frozen=True)
class IncidentComparison:
    """What :func:`compare_incident` returns.

    Attributes
    ----------
    figures
        One row per figure about the incident (see :func:`compare_incident`).
    summary
        One row: the envelope, consensus interval and spread of the comparable figures.
    """

    figures: pd.DataFrame
    summary: pd.DataFrame

    @property
    def comparable(self) -> pd.DataFrame:
        """The figures that count the same thing (those the summary is computed from)."""
        return self.figures.loc[self.figures["comparable"]].reset_index(drop=True)

    @property
    def apart(self) -> pd.DataFrame:
        """The figures that count something else, each with its ``reason``."""
        return self.figures.loc[~self.figures["comparable"]].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Every figure, comparable or not (a copy of ``figures``)."""
        return self.figures.copy()


def _summary(incident_id: str, figures: pd.DataFrame) -> pd.DataFrame:
    comp = figures.loc[figures["comparable"]]
    row: dict[str, object] = {
        "incident_id": incident_id,
        "n_figures": len(figures),
        "n_bodies": figures["reporting_body"].nunique(),
        "n_comparable": len(comp),
        "n_bodies_comparable": comp["reporting_body"].nunique(),
        "bodies_comparable": ";".join(sorted(comp["reporting_body"].astype(str).unique())),
        "includes_people": bool((comp["victim_group"].astype(str) == "people").any()),
        "envelope_low": np.nan,
        "envelope_high": np.nan,
        "consensus_low": np.nan,
        "consensus_high": np.nan,
        "consensus_empty": False,
        "binding_low_tally": pd.NA,
        "binding_high_tally": pd.NA,
        "point_min": np.nan,
        "point_max": np.nan,
        "spread": np.nan,
        "spread_low_tally": pd.NA,
        "spread_high_tally": pd.NA,
    }
    if len(comp):
        low = comp["low"].to_numpy(dtype=float)
        high = comp["high"].to_numpy(dtype=float)
        ids = comp["tally_id"].astype(str).to_numpy()
        i_low, i_high = int(np.argmax(low)), int(np.argmin(high))
        empty = bool(low[i_low] > high[i_high])
        row.update(
            envelope_low=float(low.min()),
            envelope_high=float(high.max()),
            consensus_low=np.nan if empty else float(low[i_low]),
            consensus_high=np.nan if empty else float(high[i_high]),
            consensus_empty=empty,
            binding_low_tally=ids[i_low],
            binding_high_tally=ids[i_high],
        )
        point = comp["point"].to_numpy(dtype=float)
        positive = np.flatnonzero(point > 0)
        if positive.size:
            j_min = positive[np.argmin(point[positive])]
            j_max = positive[np.argmax(point[positive])]
            row.update(
                point_min=float(point[j_min]),
                point_max=float(point[j_max]),
                spread=float(point[j_max] / point[j_min]),
                spread_low_tally=ids[j_min],
                spread_high_tally=ids[j_max],
            )
    out = pd.DataFrame([row])
    for column in (
        "bodies_comparable",
        "binding_low_tally",
        "binding_high_tally",
        "spread_low_tally",
        "spread_high_tally",
    ):
        out[column] = out[column].astype("string")
    return out


def compare_incident(
    tallies: pd.DataFrame,
    incident_id: str,
    *,
    sources: pd.DataFrame | None = None,
    people: People = "compare",
    perpetrator_group: str | None = None,
    body_parts: BodyParts = "apart",
    about_width: float = 0.1,
) -> IncidentComparison:
    """Every figure published about one incident, and how far apart those that agree in kind are.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`).
    incident_id
        The incident (``"moura-2022-03"``...).
    sources
        The documents table (:func:`analysis.load_sources`), to add each figure's ``grade``
        (how close the copy read is to the publisher). Without it ``grade`` is NA.
    people
        ``"compare"`` (default): ``people`` figures are compared with civilian figures (see the
        module notes: as a civilian count they lean high); ``"apart"``: listed apart.
    perpetrator_group
        Compare only figures attributed to this group; others are listed apart. ``None``
        (default) pools all attributions, the incident fixing what is counted.
    body_parts
        ``"apart"`` (default): a body's figures that count a part of its own larger figure are
        listed apart: a figure wholly below another of the same body (OHCHR's "seven children"
        and "some 20 women" among "at least 500 people"), and an open-ended figure whose lower
        bound is below another of the body's lower bounds ("at least 238 identified by name",
        "at least 20 killed on the first day"). A body does not contradict itself about one
        quantity, so such a figure counts a subset of the victims or of the days. Copies that
        differ only in their qualifier (a plain 500 against "at least 500") both stay.
        ``"compare"``: keep every figure.
    about_width
        Passed to :func:`analysis.sources.tallies.tally_bounds`.

    Returns
    -------
    IncidentComparison
        ``.figures``: one row per figure, comparable first, with ``tally_id``,
        ``reporting_body``, ``source_id``, ``grade``, ``measure``, ``victim_group``,
        ``perpetrator_group``, ``qualifier``, ``value`` (as published), ``low``, ``high``,
        ``point`` (the qualifier interval and point from ``tally_bounds``), ``open_high``,
        ``period_start``, ``period_end``, ``comparable`` (bool), ``reason`` (why not, in plain
        words; NA when comparable), ``claim``, ``line``.
        ``.summary``: one row with ``incident_id``, ``n_figures``, ``n_bodies``,
        ``n_comparable``, ``n_bodies_comparable``, ``bodies_comparable``,
        ``includes_people``, ``envelope_low``/``envelope_high`` (lowest low, highest high),
        ``consensus_low``/``consensus_high`` (the intersection of the intervals; NaN when
        empty), ``consensus_empty``, ``binding_low_tally``/``binding_high_tally`` (the figures
        whose bounds set the intersection, or clash when it is empty), ``point_min``,
        ``point_max``, ``spread`` (highest over lowest point) with ``spread_low_tally`` and
        ``spread_high_tally``. ``.apart`` and ``.comparable`` split ``figures``.

    Notes
    -----
    With comparable figures :math:`i = 1..k`, intervals :math:`[l_i, h_i]` and points
    :math:`v_i`:

    - envelope :math:`[\\min_i l_i, \\max_i h_i]`: every value some body's figure allows;
    - consensus :math:`[\\max_i l_i, \\min_i h_i]`: the values every figure allows; empty when
      :math:`\\max_i l_i > \\min_i h_i` (at least two bodies cannot both be right about the
      same quantity, or they do not count quite the same dead);
    - spread :math:`\\max_i v_i / \\min_i v_i` over positive points.

    Open-ended figures ("at least 500") have :math:`h_i = \\infty`. Intervals come from the
    qualifiers as :func:`analysis.sources.tallies.tally_bounds` reads them ("about" = +/- 10 %).

    Examples
    --------
    >>> from analysis import load_tallies  # doctest: +SKIP
    >>> moura = compare_incident(load_tallies(), "moura-2022-03")  # doctest: +SKIP
    >>> moura.summary[["envelope_low", "envelope_high", "consensus_empty"]]  # doctest: +SKIP
    """
    _check_option("people", people, People)
    _check_option("body_parts", body_parts, BodyParts)
    needed = (
        "tally_id",
        "reporting_body",
        "incident_id",
        "measure",
        "victim_group",
        "perpetrator_group",
        "qualifier",
        "value",
        "value_low",
        "value_high",
    )
    _require(tallies, needed, "compare_incident")
    rows = tallies.loc[(_as_str(tallies["incident_id"]) == incident_id).fillna(False).to_numpy()]
    if rows.empty:
        known = sorted(_as_str(tallies["incident_id"]).dropna().unique())
        raise ValueError(
            f"no figure has incident_id {incident_id!r}; known incidents: {known[:20]}"
            + (" ..." if len(known) > 20 else "")
        )
    bounds = _bounds(rows, about_width)
    reason = _reasons(rows, bounds, people=people, perpetrator_group=perpetrator_group)
    if body_parts == "apart":
        reason = _own_parts(
            rows["reporting_body"].astype(str).to_numpy(),
            rows["tally_id"].astype(str).to_numpy(),
            bounds["low"].to_numpy(dtype=float),
            bounds["high"].to_numpy(dtype=float),
            reason,
        )
    figures = pd.DataFrame(
        {
            "tally_id": rows["tally_id"].astype("string").to_numpy(),
            "reporting_body": rows["reporting_body"].astype("string").to_numpy(),
            "source_id": (
                rows["source_id"].astype("string").to_numpy()
                if "source_id" in rows.columns
                else pd.array([pd.NA] * len(rows), dtype="string")
            ),
            "measure": _as_str(rows["measure"]).to_numpy(),
            "victim_group": _as_str(rows["victim_group"]).to_numpy(),
            "perpetrator_group": _as_str(rows["perpetrator_group"]).to_numpy(),
            "qualifier": _as_str(rows["qualifier"]).to_numpy(),
            "value": pd.array(rows["value"], dtype="Int64"),
            "low": bounds["low"].to_numpy(),
            "high": bounds["high"].to_numpy(),
            "point": bounds["point"].to_numpy(),
            "open_high": bounds["open_high"].to_numpy(),
            "period_start": (
                pd.to_datetime(rows["period_start"]).to_numpy()
                if "period_start" in rows.columns
                else pd.NaT
            ),
            "period_end": (
                pd.to_datetime(rows["period_end"]).to_numpy()
                if "period_end" in rows.columns
                else pd.NaT
            ),
            "reason": pd.array(reason, dtype="string"),
            "claim": (
                rows["claim"].astype("string").to_numpy()
                if "claim" in rows.columns
                else pd.array([pd.NA] * len(rows), dtype="string")
            ),
            "line": (
                pd.array(rows["line"], dtype="Int64")
                if "line" in rows.columns
                else pd.array([pd.NA] * len(rows), dtype="Int64")
            ),
        }
    )
    figures["comparable"] = figures["reason"].isna().to_numpy()
    grade = pd.array([pd.NA] * len(figures), dtype="string")
    if sources is not None:
        _require(sources, ("source_id", "grade"), "compare_incident(sources=...)")
        lookup = dict(
            zip(
                sources["source_id"].astype(str),
                sources["grade"].astype("string"),
                strict=True,
            )
        )
        grade = pd.array([lookup.get(str(s), pd.NA) for s in figures["source_id"]], dtype="string")
    figures["grade"] = grade
    figures = figures.sort_values(
        ["comparable", "reporting_body", "tally_id"],
        ascending=[False, True, True],
        kind="stable",
    ).reset_index(drop=True)[_FIGURE_COLUMNS]
    return IncidentComparison(figures=figures, summary=_summary(incident_id, figures))


def incidents_with_bodies(tallies: pd.DataFrame, *, min_bodies: int = 2) -> pd.DataFrame:
    """The incidents that figures from at least ``min_bodies`` reporting bodies speak of.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`).
    min_bodies
        The least number of distinct reporting bodies (default 2), at least 1.

    Returns
    -------
    pandas.DataFrame
        ``incident_id``, ``n_bodies``, ``bodies`` (";"-joined, sorted), ``n_figures``; most
        bodies first, then by ``incident_id``. Every figure counts, whatever it measures.

    Examples
    --------
    >>> from analysis import load_tallies  # doctest: +SKIP
    >>> incidents_with_bodies(load_tallies())  # doctest: +SKIP
    """
    if isinstance(min_bodies, bool) or not isinstance(min_bodies, int | np.integer):
        raise ValueError(f"min_bodies must be an integer, got {min_bodies!r}")
    if min_bodies < 1:
        raise ValueError(f"min_bodies must be at least 1, got {min_bodies!r}")
    _require(tallies, ("incident_id", "reporting_body", "tally_id"), "incidents_with_bodies")
    frame = pd.DataFrame(
        {
            "incident_id": _as_str(tallies["incident_id"]).to_numpy(),
            "reporting_body": _as_str(tallies["reporting_body"]).to_numpy(),
        }
    ).dropna(subset=["incident_id"])
    grouped = frame.groupby("incident_id", sort=True)["reporting_body"]
    out = pd.DataFrame(
        {
            "n_bodies": grouped.nunique(),
            "bodies": grouped.agg(lambda s: ";".join(sorted(s.dropna().astype(str).unique()))),
            "n_figures": grouped.size(),
        }
    ).reset_index()
    out = out.loc[out["n_bodies"] >= min_bodies]
    out = out.sort_values(["n_bodies", "incident_id"], ascending=[False, True], kind="stable")
    out = out.astype({"incident_id": "string", "bodies": "string"})
    out["n_bodies"] = out["n_bodies"].astype("int64")
    out["n_figures"] = out["n_figures"].astype("int64")
    return out.reset_index(drop=True)[["incident_id", "n_bodies", "bodies", "n_figures"]]


_SPEARMAN_EXACT_MAX = 9


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float, str]:
    """Spearman's rho with an exact permutation p-value for n <= 9, else the t approximation."""
    import itertools

    from scipy import stats

    n = len(x)
    rx, ry = stats.rankdata(x), stats.rankdata(y)

    def pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a = a - a.mean(axis=-1, keepdims=True)
        b = b - b.mean(axis=-1, keepdims=True)
        return (a * b).sum(axis=-1) / np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))

    rho = float(pearson(rx, ry))
    if n <= _SPEARMAN_EXACT_MAX:
        perms = np.array(list(itertools.permutations(ry)), dtype=float)
        null = pearson(np.broadcast_to(rx, perms.shape), perms)
        p = float(np.mean(np.abs(null) >= abs(rho) - 1e-12))
        return rho, p, "exact permutation p-value"
    p = float(stats.spearmanr(x, y).pvalue)
    return rho, p, "p-value from the t approximation"


def agreement(
    reference: Sequence[float] | np.ndarray | pd.Series,
    other: Sequence[float] | np.ndarray | pd.Series,
    *,
    scale: Scale = "log",
    conf_level: float = 0.95,
    loa_z: float = 1.96,
) -> pd.DataFrame:
    """How well two sets of paired figures agree: Lin's CCC, Spearman, bias, limits of agreement.

    Parameters
    ----------
    reference, other
        Paired values (same length, e.g. two bodies' counts for the same periods). Pairs with
        a missing value are dropped. On the log scale all values must be positive.
    scale
        ``"log"`` (default): the statistics are computed on :math:`\\log` values, so the
        difference is a log ratio (counts of deaths vary over orders of magnitude and their
        disagreements are multiplicative). ``"raw"``: on the values themselves.
    conf_level
        Confidence level of the intervals (default 0.95).
    loa_z
        Multiplier of the standard deviation in the limits of agreement (1.96; Bland & Altman
        1986 used 2).

    Returns
    -------
    pandas.DataFrame
        One row per statistic with ``statistic``, ``estimate``, ``ci_low``, ``ci_high``,
        ``p_value``, ``note`` (how the p-value was computed, where that varies), ``n``:

        - ``lin_ccc``: Lin's concordance correlation coefficient with its interval on the
          Fisher z scale (needs n >= 3);
        - ``spearman_rho``: Spearman's rank correlation and its two-sided p-value (no
          interval): exact, from every permutation of the ranks, for up to 9 pairs (as R's
          ``cor.test(method="spearman")``); from the t approximation beyond, which ``note``
          says;
        - ``mean_log_ratio`` (``mean_difference`` on the raw scale): the mean of
          :math:`d = \\text{other} - \\text{reference}` with its t interval and the one-sample
          t test of zero;
        - ``ratio`` (log scale only): :math:`e^{\\bar d}`, the geometric-mean ratio of other to
          reference, with the back-transformed interval;
        - ``sd_log_ratio`` (``sd_difference``): the standard deviation of :math:`d`;
        - ``loa_low``, ``loa_high``: Bland-Altman limits of agreement
          :math:`\\bar d \\mp z s_d` with Bland & Altman's approximate intervals.

    Notes
    -----
    With :math:`x` the reference and :math:`y` the other values (logged when
    ``scale="log"``), :math:`n` pairs, means :math:`\\bar x, \\bar y`, variances
    :math:`s_x^2, s_y^2` and covariance :math:`s_{xy}` with divisor :math:`n` (Lin 1989):

    .. math::

        \\hat\\rho_c = \\frac{2 s_{xy}}{s_x^2 + s_y^2 + (\\bar x - \\bar y)^2}
                    = r \\, C_b .

    Its interval is built on :math:`z = \\operatorname{artanh} \\hat\\rho_c` with (Lin 1989,
    corrected in Lin 2000) :math:`u = (\\bar y - \\bar x) / \\sqrt{s_x s_y}` and

    .. math::

        \\widehat{\\operatorname{var}}(z) = \\frac{1}{n-2} \\left[
          \\frac{(1-r^2)\\rho_c^2}{(1-\\rho_c^2) r^2}
          + \\frac{2 \\rho_c^3 (1-\\rho_c) u^2}{r (1-\\rho_c^2)^2}
          - \\frac{\\rho_c^4 u^4}{2 r^2 (1-\\rho_c^2)^2} \\right],

    back-transformed with :math:`\\tanh` (as in R's ``DescTools::CCC`` and ``epiR::epi.ccc``,
    ``ci = "z-transform"``). The bias :math:`\\bar d` has the interval
    :math:`\\bar d \\pm t_{n-1} s_d / \\sqrt n`; each limit of agreement
    :math:`\\bar d \\pm z s_d` has the approximate standard error
    :math:`\\sqrt{3 s_d^2 / n}` and the interval :math:`\\pm t_{n-1}` of it (Bland & Altman
    1986). The statistics assume independent pairs; for counts in consecutive periods the
    intervals are optimistic when the disagreement itself is autocorrelated.

    References
    ----------
    Lin, L. I. (1989). A concordance correlation coefficient to evaluate reproducibility.
    *Biometrics* 45: 255-268; correction, *Biometrics* 56 (2000): 324-325.
    Bland, J. M. & Altman, D. G. (1986). Statistical methods for assessing agreement between
    two methods of clinical measurement. *The Lancet* 327: 307-310.

    Checked against Bland & Altman's (1986) peak-flow example (mean difference, SD, limits and
    the interval of the lower limit as printed) and hand-computed cases (see the tests).

    Examples
    --------
    >>> agreement([1, 2, 3, 4, 5], [2, 3, 4, 5, 6], scale="raw").set_index("statistic").loc[
    ...     "lin_ccc", "estimate"]
    np.float64(0.8)
    """
    from scipy import stats

    _check_option("scale", scale, Scale)
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must lie in (0, 1), got {conf_level!r}")
    if not loa_z > 0:
        raise ValueError(f"loa_z must be positive, got {loa_z!r}")
    x = np.asarray(pd.to_numeric(pd.Series(reference), errors="coerce"), dtype=float)
    y = np.asarray(pd.to_numeric(pd.Series(other), errors="coerce"), dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"reference and other must be paired (lengths {x.size} and {y.size})")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if scale == "log":
        if np.any(x <= 0) or np.any(y <= 0) or np.any(np.isinf(x)) or np.any(np.isinf(y)):
            raise ValueError("on the log scale every value must be positive and finite")
        x, y = np.log(x), np.log(y)
    n = x.size
    alpha = 1 - conf_level
    zq = stats.norm.ppf(1 - alpha / 2)
    nan = float("nan")
    rows: list[dict[str, object]] = []

    def add(name: str, est: float, lo: float = nan, hi: float = nan, p: float = nan) -> None:
        row = {"statistic": name, "estimate": est, "ci_low": lo, "ci_high": hi, "p_value": p}
        rows.append({**row, "note": ""})

    # Lin's concordance correlation coefficient
    ccc = lo = hi = nan
    if n >= 2:
        mx, my = x.mean(), y.mean()
        sx2, sy2 = x.var(), y.var()
        sxy = np.mean((x - mx) * (y - my))
        denominator = sx2 + sy2 + (mx - my) ** 2
        ccc = 2 * sxy / denominator if denominator > 0 else nan
        if n >= 3 and sx2 > 0 and sy2 > 0 and abs(ccc) < 1:
            r = sxy / np.sqrt(sx2 * sy2)
            u = (my - mx) / (sx2 * sy2) ** 0.25
            var_z = (
                (1 - r**2) * ccc**2 / ((1 - ccc**2) * r**2)
                + 2 * ccc**3 * (1 - ccc) * u**2 / (r * (1 - ccc**2) ** 2)
                - ccc**4 * u**4 / (2 * r**2 * (1 - ccc**2) ** 2)
            ) / (n - 2)
            if var_z >= 0:
                z = np.arctanh(ccc)
                lo, hi = np.tanh(z - zq * np.sqrt(var_z)), np.tanh(z + zq * np.sqrt(var_z))
    add("lin_ccc", float(ccc), float(lo), float(hi))

    # Spearman's rho
    rho = p_rho = nan
    if n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0:
        rho, p_rho, how = _spearman(x, y)
    add("spearman_rho", rho, p=p_rho)
    if not np.isnan(rho):
        rows[-1]["note"] = how

    # bias, its interval, and the limits of agreement
    d = y - x
    label = "log_ratio" if scale == "log" else "difference"
    mean_d = float(d.mean()) if n else nan
    sd_d = float(d.std(ddof=1)) if n >= 2 else nan
    if n >= 2:
        tq = stats.t.ppf(1 - alpha / 2, n - 1)
        se = sd_d / np.sqrt(n)
        p_mean = float(2 * stats.t.sf(abs(mean_d) / se, n - 1)) if se > 0 else nan
        mean_ci = (mean_d - tq * se, mean_d + tq * se)
        se_limit = np.sqrt(3 * sd_d**2 / n)
    else:
        tq = p_mean = se_limit = nan
        mean_ci = (nan, nan)
    add(f"mean_{label}", mean_d, float(mean_ci[0]), float(mean_ci[1]), p_mean)
    if scale == "log":
        add("ratio", float(np.exp(mean_d)), float(np.exp(mean_ci[0])), float(np.exp(mean_ci[1])))
    add(f"sd_{label}", sd_d)
    for name, limit in (("loa_low", mean_d - loa_z * sd_d), ("loa_high", mean_d + loa_z * sd_d)):
        add(name, float(limit), float(limit - tq * se_limit), float(limit + tq * se_limit))
    out = pd.DataFrame(rows)
    out["n"] = n
    out["statistic"] = out["statistic"].astype("string")
    return out


@dataclass(frozen=True)
class PeriodComparison:
    """What :func:`compare_periods` returns.

    Attributes
    ----------
    periods
        One row per (body, calendar period) with a figure, and its log ratio to the reference.
    agreement
        One row per (body, statistic) over the periods shared with the reference body.
    reference_body
        The body every other is compared with.
    """

    periods: pd.DataFrame
    agreement: pd.DataFrame
    reference_body: str

    def to_frame(self) -> pd.DataFrame:
        """The per-period table (a copy of ``periods``)."""
        return self.periods.copy()


def _body_periods(rows: pd.DataFrame, freq: Freq, fill: Fill, about_width: float) -> pd.DataFrame:
    """One body's figure per calendar period: exact windows first, then (optionally) prorated."""
    exact = _exact_period_rows(rows, freq)
    found: dict[pd.Timestamp, dict[str, object]] = {}
    if exact.any():
        work = _period_intervals(rows.loc[exact], about_width)
        for period, group in work.groupby("period_start", sort=True):
            row = _merge_copies(group, "range", period, "compare_periods")
            row.update(prorated=False, window_days=np.nan)
            found[pd.Timestamp(period)] = row
    if fill == "prorate" and (~exact).any():
        aligned = align_periods(
            rows.loc[~exact], freq=freq, method="prorate", about_width=about_width
        )
        aligned = aligned.loc[aligned["coverage"] >= 1]
        aligned = aligned.loc[~aligned["period_start"].isin(list(found))]
        for period, group in aligned.groupby("period_start", sort=True):
            shortest = group.loc[group["window_days"] == group["window_days"].min()]
            work = shortest.rename(columns={"count": "point", "count_low": "low"})
            work = work.rename(columns={"count_high": "high"})
            row = _merge_copies(work, "range", period, "compare_periods")
            row.update(prorated=True, window_days=float(shortest["window_days"].iloc[0]))
            found[pd.Timestamp(period)] = row
    out = pd.DataFrame.from_dict(found, orient="index")
    if out.empty:
        return out
    out.index.name = "period_start"
    return out.reset_index()


def compare_periods(
    tallies: pd.DataFrame,
    *,
    freq: Freq = "QS",
    reference_body: str = "minusma",
    measure: str | Sequence[str] = DEATH_MEASURES,
    victim_group: str = "civilians",
    perpetrator_group: str = "all",
    fill: Fill = "exact",
    conf_level: float = 0.95,
    about_width: float = 0.1,
) -> PeriodComparison:
    """Each body's figure per calendar period, its log ratio to a reference body, and agreement.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`). Only period figures (no
        ``incident_id``) of the chosen measure, victims and perpetrators are used: an
        incident's toll is part of a period's total, not a figure of it.
    freq
        ``"MS"``, ``"QS"`` or ``"YS"``.
    reference_body
        The body every other is compared with (default MINUSMA, whose quarterly notes give
        the longest regular series).
    measure, victim_group, perpetrator_group
        What the figures must count; ``measure`` may be several death measures (default
        ``killed``, ``executed``, ``fatalities``).
    fill
        ``"exact"`` (default): a body has a figure for a period only when one of its windows is
        exactly that period. ``"prorate"``: periods without one get the body's figure over the
        shortest window that covers the whole period, prorated by days
        (:func:`align_periods`), flagged ``prorated``; an assumption of a constant rate.
    conf_level
        Confidence level of the agreement intervals.
    about_width
        Passed to :func:`analysis.sources.tallies.tally_bounds`.

    Returns
    -------
    PeriodComparison
        ``.periods``: one row per body and period with ``reporting_body``, ``period_start``,
        ``period_end``, ``count``, ``count_low``, ``count_high``, ``tally_ids``,
        ``n_figures``, ``conflict`` (copies disagree: ``count`` is NA and the range is kept),
        ``prorated``, ``window_days`` (of the prorated window), ``reference_count``,
        ``reference_tally_ids``, ``log_ratio`` (:math:`\\log(\\text{count} / \\text{reference\\_count})`, NaN unless
        both are positive). ``.agreement``: for each other body with shared periods, the
        statistics of :func:`agreement` on the log scale (``reporting_body``,
        ``reference_body``, ``statistic``, ``estimate``, ``ci_low``, ``ci_high``,
        ``p_value``, ``n``).

    Notes
    -----
    The shared periods of a body are those where both it and the reference have a positive
    point count; periods with a zero, a conflict or an open bound only (no point) are shown in
    ``periods`` but left out of the agreement statistics. Prorating repeats one published
    figure over several periods; a pair of the same published figures with the same log ratio
    (a body's year against the reference's year, both prorated to quarters) is counted once,
    so ``n`` is the number of distinct pairs of figures, not of periods. Prorated periods that
    pair one figure with several different reference figures still share that figure, so with
    ``fill="prorate"`` the intervals are optimistic. A prorated figure ignores what the body
    published for sub-periods of its window (a year is spread evenly even where the body's
    own quarter is known). With few shared periods (fewer than
    3) most statistics are NaN rather than invented. See :func:`agreement` for the formulas
    and the published values they were checked against.

    Examples
    --------
    >>> from analysis import load_tallies  # doctest: +SKIP
    >>> compare_periods(load_tallies(), freq="YS", fill="prorate").agreement  # doctest: +SKIP
    """
    _check_option("freq", freq, Freq)
    _check_option("fill", fill, Fill)
    measures = (measure,) if isinstance(measure, str) else tuple(measure)
    needed = (
        "tally_id",
        "reporting_body",
        "incident_id",
        "period_start",
        "period_end",
        "measure",
        "victim_group",
        "perpetrator_group",
        "qualifier",
        "value",
        "value_low",
        "value_high",
    )
    _require(tallies, needed, "compare_periods")
    chosen = (
        _as_str(tallies["incident_id"]).isna()
        & _as_str(tallies["measure"]).isin(measures)
        & (_as_str(tallies["victim_group"]) == victim_group)
        & (_as_str(tallies["perpetrator_group"]) == perpetrator_group)
    ).fillna(False)
    rows = tallies.loc[chosen.to_numpy()]
    if rows.empty:
        raise DataError(
            f"compare_periods: no period figure counts {'/'.join(measures)} of {victim_group} "
            f"by {perpetrator_group}",
            rule="no_figures",
        )
    _window_days(rows, "compare_periods")
    bodies = sorted(_as_str(rows["reporting_body"]).dropna().unique())
    if reference_body not in bodies:
        raise ValueError(
            f"reference_body {reference_body!r} has no period figure of this kind; "
            f"bodies that do: {bodies}"
        )
    parts = []
    for body in bodies:
        per = _body_periods(
            rows.loc[(_as_str(rows["reporting_body"]) == body).to_numpy()],
            freq,
            fill,
            about_width,
        )
        if not per.empty:
            per.insert(0, "reporting_body", body)
            parts.append(per)
    periods = pd.concat(parts, ignore_index=True)
    grid = pd.DatetimeIndex(periods["period_start"])
    alias = {"MS": "M", "QS": "Q", "YS": "Y"}[freq]
    periods["period_start"] = grid
    periods["period_end"] = pd.DatetimeIndex(grid.to_period(alias).end_time).normalize()
    ref = periods.loc[
        periods["reporting_body"] == reference_body, ["period_start", "count", "tally_ids"]
    ]
    ref = ref.rename(columns={"count": "reference_count", "tally_ids": "reference_tally_ids"})
    periods = periods.merge(ref, on="period_start", how="left")
    count = periods["count"].astype(float).to_numpy()
    ref_count = periods["reference_count"].astype(float).to_numpy()
    ok = (count > 0) & (ref_count > 0) & np.isfinite(count) & np.isfinite(ref_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        periods["log_ratio"] = np.where(ok, np.log(count) - np.log(ref_count), np.nan)
    periods = periods.sort_values(["reporting_body", "period_start"], kind="stable")
    periods = periods.reset_index(drop=True)
    columns = [
        "reporting_body",
        "period_start",
        "period_end",
        "count",
        "count_low",
        "count_high",
        "tally_ids",
        "n_figures",
        "conflict",
        "prorated",
        "window_days",
        "reference_count",
        "reference_tally_ids",
        "log_ratio",
    ]
    periods = periods[columns].astype(
        {
            "reporting_body": "string",
            "tally_ids": "string",
            "count": "float64",
            "count_low": "float64",
            "count_high": "float64",
            "n_figures": "int64",
            "conflict": "bool",
            "prorated": "bool",
            "window_days": "float64",
            "reference_count": "float64",
            "reference_tally_ids": "string",
        }
    )
    stats_rows = []
    for body in bodies:
        if body == reference_body:
            continue
        mine = periods.loc[(periods["reporting_body"] == body) & periods["log_ratio"].notna()]
        # one pair of published figures is one observation, however many periods it spans
        key = mine[["tally_ids", "reference_tally_ids"]].assign(r=mine["log_ratio"].round(9))
        mine = mine.loc[~key.duplicated().to_numpy()]
        if mine.empty:
            continue
        table = agreement(
            mine["reference_count"].to_numpy(),
            mine["count"].to_numpy(),
            scale="log",
            conf_level=conf_level,
        )
        table.insert(0, "reference_body", reference_body)
        table.insert(0, "reporting_body", body)
        stats_rows.append(table)
    agreement_columns = [
        "reporting_body",
        "reference_body",
        "statistic",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "n",
    ]
    table = (
        pd.concat(stats_rows, ignore_index=True)
        if stats_rows
        else pd.DataFrame(columns=agreement_columns)
    )
    table = table[agreement_columns].astype(
        {"reporting_body": "string", "reference_body": "string", "statistic": "string"}
    )
    return PeriodComparison(periods=periods, agreement=table, reference_body=reference_body)


_PAIR_KEYS = ("reporting_body", "source_id", "measure", "victim_group", "perpetrator_group")


def published_before_after(
    tallies: pd.DataFrame, *, date: object, about_width: float = 0.1
) -> pd.DataFrame:
    """What bodies themselves published for a window before ``date`` and one after it.

    A pair is two period figures (no ``incident_id``) from the same document that count the
    same thing (measure, victims, perpetrators, place), one window ending before ``date`` and
    one starting on or after it: e.g. ACLED's "more than 2,000 civilians killed since December
    2021, against about 500 in the previous twelve months". Figures are turned into rates per
    day of their window, as published; nothing is prorated.

    Parameters
    ----------
    tallies
        The evidence table (:func:`analysis.load_tallies`).
    date
        The date the windows must fall either side of.
    about_width
        Passed to :func:`analysis.sources.tallies.tally_bounds`.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``reporting_body, source_id, measure, victim_group,
        perpetrator_group``, ``before_start, before_end, before_figure`` (the figure in words),
        ``after_start, after_end, after_figure``, ``before_per_day``, ``after_per_day`` (point
        rates), ``ratio`` (after over before, point), ``ratio_low``, ``ratio_high`` (the ratio
        the qualifier intervals allow: after's low over before's high, after's high over
        before's low; ``inf`` when the after figure is open-ended), ``tally_ids``.

    Notes
    -----
    With windows of :math:`d_b` and :math:`d_a` days and intervals :math:`[l_b, h_b]`,
    :math:`[l_a, h_a]`: ratio :math:`= (v_a/d_a)/(v_b/d_b)`, bounds
    :math:`[(l_a/d_a)/(h_b/d_b), (h_a/d_a)/(l_b/d_b)]`. Rates per day assume the deaths
    fall evenly over each window, which a window of a few weeks around a massacre does not.
    """
    from analysis.sources.tallies import tally_bounds

    when = pd.Timestamp(date)
    periods = tallies[tallies["incident_id"].isna()].copy()
    bounds = tally_bounds(periods, about_width=about_width)
    periods[["low", "high", "point"]] = bounds[["low", "high", "point"]]
    periods["days"] = (periods["period_end"] - periods["period_start"]).dt.days + 1
    keys = [*_PAIR_KEYS, "country", "admin1", "admin2"]
    key_frame = periods[keys].astype("string").fillna("")
    rows = []
    for _, group in periods.groupby([key_frame[k] for k in keys], sort=True):
        before = group[group["period_end"] < when]
        after = group[group["period_start"] >= when]
        for _, b in before.iterrows():
            for _, a in after.iterrows():
                rate_b, rate_a = b["point"] / b["days"], a["point"] / a["days"]
                with np.errstate(divide="ignore", invalid="ignore"):
                    low = (a["low"] / a["days"]) / (b["high"] / b["days"])
                    high = (a["high"] / a["days"]) / (b["low"] / b["days"])
                rows.append(
                    {
                        **{k: b[k] for k in _PAIR_KEYS},
                        "before_start": b["period_start"],
                        "before_end": b["period_end"],
                        "before_figure": _in_words(b),
                        "after_start": a["period_start"],
                        "after_end": a["period_end"],
                        "after_figure": _in_words(a),
                        "before_per_day": rate_b,
                        "after_per_day": rate_a,
                        "ratio": rate_a / rate_b if rate_b > 0 else np.nan,
                        "ratio_low": low,
                        "ratio_high": high,
                        "tally_ids": f"{b['tally_id']};{a['tally_id']}",
                    }
                )
    columns = [
        *_PAIR_KEYS, "before_start", "before_end", "before_figure", "after_start", "after_end",
        "after_figure", "before_per_day", "after_per_day", "ratio", "ratio_low", "ratio_high",
        "tally_ids",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _in_words(row: pd.Series) -> str:
    if row["qualifier"] == "between":
        return f"between {row['value_low']} and {row['value_high']}"
    words = str(row["qualifier"]).replace("_", " ")
    return str(row["value"]) if words == "exact" else f"{words} {row['value']}"
