"""Every figure published about one incident, compared: :func:`compare_incident`."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis._checks import check_option
from analysis.compare._vocabulary import (
    ALLEGED,
    FIGHTER_GROUPS,
    FIGURE_COLUMNS,
    NOT_CIVILIANS,
    NOT_DEATHS,
    PEOPLE_APART,
    BodyParts,
    People,
    VictimGroup,
    as_string,
)
from analysis.harmonize.periods import DEATH_MEASURES, figure_bounds, require_tally_columns

__all__ = ["IncidentComparison", "compare_incident", "incidents_with_bodies"]


#: words in a claim that name the force whose fighters a figure counts
_FORCE_PATTERNS = {
    "Wagner fighters": re.compile(r"wagner|mercenar|russian", re.IGNORECASE),
    "Malian soldiers": re.compile(r"soldier|\barmy\b", re.IGNORECASE),
}
_FORCE_NOT_NAMED = "fighters (no one force named in the claim)"


def _claimed_force(claim: object) -> str:
    """Whose fighters a combatant figure counts, as its claim names them.

    ``"... it killed 84 Wagner fighters"`` -> ``"Wagner fighters"``; ``"... it killed 47
    Malian soldiers"`` -> ``"Malian soldiers"``. A claim that names both forces, or neither,
    (a rebel group's own losses "in defeating a Malian army battalion supported by Wagner")
    gives :data:`_FORCE_NOT_NAMED`.
    """
    text = "" if claim is None or claim is pd.NA or pd.isna(claim) else str(claim)
    named = [force for force, pattern in _FORCE_PATTERNS.items() if pattern.search(text)]
    return named[0] if len(named) == 1 else _FORCE_NOT_NAMED


def _death_counts(frame: pd.DataFrame, bounds: pd.DataFrame) -> pd.Series:
    """The victim group of each figure that counts deaths with a number (NA otherwise)."""
    measures = as_string(frame["measure"]).reset_index(drop=True)
    victims = as_string(frame["victim_group"]).reset_index(drop=True)
    numbered = ~(bounds["low"].isna() & bounds["point"].isna()).reset_index(drop=True)
    alleged = (
        (as_string(frame["stance"]).reset_index(drop=True) == "alleged").fillna(False)
        if "stance" in frame.columns
        else pd.Series(False, index=victims.index)
    )
    keep = measures.isin(list(DEATH_MEASURES)).fillna(False) & numbered & ~alleged
    return victims.where(keep)


def _choose_victim_group(
    frame: pd.DataFrame, bounds: pd.DataFrame, victim_group: VictimGroup
) -> tuple[str, str]:
    """The victim group compared and, in words, why.

    ``"auto"`` picks ``"civilians"`` when at least one figure counts civilians or people
    killed; else the fighter group that most figures count, a tie going to the first of
    :data:`FIGHTER_GROUPS` (combatants before suspected militants); else ``"civilians"``.
    """
    if victim_group != "auto":
        return victim_group, "chosen"
    counted = _death_counts(frame, bounds).dropna()
    if counted.isin(["civilians", "people"]).any():
        return "civilians", "auto: some figures count civilians or people killed"
    tally = {group: int((counted == group).sum()) for group in FIGHTER_GROUPS}
    most = max(tally.values())
    if most == 0:
        return "civilians", "auto: no figure counts deaths of any group"
    tied = [group for group in FIGHTER_GROUPS if tally[group] == most]
    counts = ", ".join(f"{tally[g]} {g}" for g in FIGHTER_GROUPS)
    if len(tied) > 1:
        return tied[0], (
            f"auto: no figure counts civilians or people killed; figures of deaths count "
            f"{counts}, a tie broken in the fixed order {', '.join(FIGHTER_GROUPS)}"
        )
    return tied[0], (
        f"auto: no figure counts civilians or people killed; figures of deaths count {counts}"
    )


def _fighters_side(
    frame: pd.DataFrame, reason: list[object], victim_group: str
) -> tuple[list[object], str | None]:
    """Keep one side's losses among the comparable figures of fighters killed.

    The table says who killed the fighters (``perpetrator_group``), so the figures attributed
    to one group count the losses of those it fought; a combatant figure's claim also names
    whose fighters it counts (Wagner fighters or Malian soldiers, see :func:`_claimed_force`).
    Only the figures sharing the side most figures count are compared (a tie goes to the
    first side in alphabetical order of attribution, then force); the others are listed
    apart, saying whose losses they count.

    Returns
    -------
    The reasons, and the compared side in words (None when no figure is comparable).
    """
    out = list(reason)
    perpetrators = as_string(frame["perpetrator_group"]).fillna("unknown").to_numpy(dtype=object)
    claims = (
        frame["claim"].to_numpy(dtype=object)
        if "claim" in frame.columns
        else np.full(len(frame), None, dtype=object)
    )
    sides: list[tuple[str, str]] = [
        (str(p), _claimed_force(c) if victim_group == "combatants" else victim_group)
        for p, c in zip(perpetrators, claims, strict=True)
    ]
    comparable = [i for i in range(len(out)) if pd.isna(out[i])]
    if not comparable:
        return out, None
    counts: dict[tuple[str, str], int] = {}
    for i in comparable:
        counts[sides[i]] = counts.get(sides[i], 0) + 1
    chosen = sorted(counts, key=lambda side: (-counts[side], side))[0]

    def words(side: tuple[str, str]) -> str:
        who = "suspected militants" if side[1] == "suspected_militants" else side[1]
        return f"{who} killed by {side[0]}"

    for i in comparable:
        if sides[i] != chosen:
            out[i] = f"counts {words(sides[i])}; the compared figures count {words(chosen)}"
    return out, words(chosen)


def _reasons(
    frame: pd.DataFrame,
    bounds: pd.DataFrame,
    *,
    people: People,
    perpetrator_group: str | None,
    victim_group: str = "civilians",
) -> list[object]:
    """Why each figure does not count the same thing (NA when it does)."""
    measures = as_string(frame["measure"]).to_numpy(dtype=object)
    victims = as_string(frame["victim_group"]).to_numpy(dtype=object)
    perpetrators = as_string(frame["perpetrator_group"]).to_numpy(dtype=object)
    no_number = (bounds["low"].isna() & bounds["point"].isna()).to_numpy()
    alleged = (
        (as_string(frame["stance"]) == "alleged").fillna(False).to_numpy(dtype=bool)
        if "stance" in frame.columns
        else np.zeros(len(frame), dtype=bool)
    )
    out: list[object] = []
    for m, v, p, empty, relayed in zip(
        measures, victims, perpetrators, no_number, alleged, strict=True
    ):
        if empty:
            out.append("gives no number")
        elif relayed:
            out.append(ALLEGED)
        elif m not in DEATH_MEASURES:
            out.append(NOT_DEATHS.get(m, f"counts {m}, not deaths"))
        elif victim_group != "civilians":
            if v != victim_group:
                out.append(f"counts {_GROUP_NAMES.get(v, v)}, not {_GROUP_NAMES[victim_group]}")
            elif perpetrator_group is not None and p != perpetrator_group:
                out.append(f"counts deaths attributed to {p}, not to {perpetrator_group}")
            else:
                out.append(pd.NA)
        elif v in NOT_CIVILIANS:
            out.append(NOT_CIVILIANS[v])
        elif v == "people" and people == "apart":
            out.append(PEOPLE_APART)
        elif v not in ("civilians", "people"):
            out.append(f"counts {v}, not civilians")
        elif perpetrator_group is not None and p != perpetrator_group:
            out.append(f"counts deaths attributed to {p}, not to {perpetrator_group}")
        else:
            out.append(pd.NA)
    return out


_GROUP_NAMES = {
    "civilians": "civilians",
    "people": "people of any status",
    "combatants": "combatants",
    "suspected_militants": "suspected militants ('terrorists')",
    "not_applicable": "no people",
}


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
    victim_group
        Whose deaths were compared: ``"civilians"`` (with people of any status, per the
        ``people`` option), ``"combatants"`` or ``"suspected_militants"``.
    """

    figures: pd.DataFrame
    summary: pd.DataFrame
    victim_group: str = "civilians"

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


def _summary(
    incident_id: str,
    figures: pd.DataFrame,
    *,
    victim_group: str = "civilians",
    victim_group_choice: str = "chosen",
    compared_side: str | None = None,
) -> pd.DataFrame:
    comp = figures.loc[figures["comparable"]]
    row: dict[str, object] = {
        "incident_id": incident_id,
        "victim_group": victim_group,
        "victim_group_choice": victim_group_choice,
        "compared_side": pd.NA if compared_side is None else compared_side,
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
        "victim_group",
        "victim_group_choice",
        "compared_side",
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
    victim_group: VictimGroup = "civilians",
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
    victim_group
        Whose deaths are compared. ``"civilians"`` (default): figures of civilians killed,
        with figures of people of any status per ``people``. ``"combatants"``: figures of
        combatants killed, one side's losses only (see Notes). ``"suspected_militants"``:
        figures of suspected militants ("terrorists") killed, those attributed to one
        perpetrator group only. ``"auto"``: ``"civilians"`` when at least one figure counts
        civilians or people killed; else the fighter group that most figures of deaths count,
        a tie going to ``"combatants"`` before ``"suspected_militants"`` (the summary's
        ``victim_group_choice`` says so). Figures of any other group are listed apart.

    Returns
    -------
    IncidentComparison
        ``.figures``: one row per figure, comparable first, with ``tally_id``,
        ``reporting_body``, ``source_id``, ``grade``, ``measure``, ``victim_group``,
        ``perpetrator_group``, ``qualifier``, ``value`` (as published), ``low``, ``high``,
        ``point`` (the qualifier interval and point from ``tally_bounds``), ``open_high``,
        ``period_start``, ``period_end``, ``comparable`` (bool), ``reason`` (why not, in plain
        words; NA when comparable), ``claim``, ``line``.
        ``.summary``: one row with ``incident_id``, ``victim_group`` (the group compared),
        ``victim_group_choice`` (``"chosen"``, or with ``"auto"`` why that group),
        ``compared_side`` (for fighters: whose losses, killed by whom, in words; NA for
        civilians), ``n_figures``, ``n_bodies``,
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

    Fighters killed in a battle belong to two sides, and a body's figure of the enemy's dead
    is not a count of its own. For ``"combatants"`` and ``"suspected_militants"`` the figures
    are grouped by side: who killed them (``perpetrator_group``, so the figures attributed to
    the separatists count the losses of the forces the separatists fought) and, for
    combatants, whose fighters the claim names ("84 Wagner fighters", "47 Malian soldiers";
    a claim naming both forces, or neither, is its own group). Only the side most figures
    count is compared, a tie going to the first in alphabetical order; the others are listed
    apart saying whose losses they count. At Tinzaouaten (July 2024) this compares the
    figures of Wagner fighters killed by the separatists and lists apart those of Malian
    soldiers, of Wagner fighters JNIM claims to have killed, and of the rebels' own losses.

    Examples
    --------
    >>> from analysis import load_tallies  # doctest: +SKIP
    >>> moura = compare_incident(load_tallies(), "moura-2022-03")  # doctest: +SKIP
    >>> moura.summary[["envelope_low", "envelope_high", "consensus_empty"]]  # doctest: +SKIP
    """
    check_option("people", people, People)
    check_option("body_parts", body_parts, BodyParts)
    check_option("victim_group", victim_group, VictimGroup)
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
    require_tally_columns(tallies, needed, "compare_incident")
    rows = tallies.loc[(as_string(tallies["incident_id"]) == incident_id).fillna(False).to_numpy()]
    if rows.empty:
        known = sorted(as_string(tallies["incident_id"]).dropna().unique())
        raise ValueError(
            f"no figure has incident_id {incident_id!r}; known incidents: {known[:20]}"
            + (" ..." if len(known) > 20 else "")
        )
    bounds = figure_bounds(rows, about_width)
    compared, choice = _choose_victim_group(rows, bounds, victim_group)
    reason = _reasons(
        rows, bounds, people=people, perpetrator_group=perpetrator_group, victim_group=compared
    )
    side = None
    if compared != "civilians":
        reason, side = _fighters_side(rows, reason, compared)
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
            "measure": as_string(rows["measure"]).to_numpy(),
            "victim_group": as_string(rows["victim_group"]).to_numpy(),
            "perpetrator_group": as_string(rows["perpetrator_group"]).to_numpy(),
            "qualifier": as_string(rows["qualifier"]).to_numpy(),
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
            "unverified": (
                rows["unverified"].astype("string").to_numpy()
                if "unverified" in rows.columns
                else pd.array([pd.NA] * len(rows), dtype="string")
            ),
        }
    )
    figures["comparable"] = figures["reason"].isna().to_numpy()
    grade = pd.array([pd.NA] * len(figures), dtype="string")
    if sources is not None:
        require_tally_columns(sources, ("source_id", "grade"), "compare_incident(sources=...)")
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
    ).reset_index(drop=True)[FIGURE_COLUMNS]
    summary = _summary(
        incident_id,
        figures,
        victim_group=compared,
        victim_group_choice=choice,
        compared_side=side,
    )
    return IncidentComparison(figures=figures, summary=summary, victim_group=compared)


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
    require_tally_columns(
        tallies, ("incident_id", "reporting_body", "tally_id"), "incidents_with_bodies"
    )
    frame = pd.DataFrame(
        {
            "incident_id": as_string(tallies["incident_id"]).to_numpy(),
            "reporting_body": as_string(tallies["reporting_body"]).to_numpy(),
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
