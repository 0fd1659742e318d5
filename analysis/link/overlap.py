"""Overlapping lists from matched events: capture histories and their sensitivity.

Multiple systems estimation (:mod:`analysis.mse`) needs, for every case seen by at least one
list, which lists saw it. Here the lists are event tables (ACLED, UCDP) and the evidence
table's incidents, and the overlaps come from :func:`analysis.match_events` (event to event)
and :func:`analysis.incident_events` (incident to event). :func:`capture_histories` joins the
links into cases (connected groups of linked records), and :func:`mse_match_sensitivity`
refits the estimate at several match thresholds, since the threshold decides the overlaps and
the overlaps drive the estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.errors import DataError, ParameterError
from analysis.link.match import resolve_one_to_one

__all__ = [
    "links_from_matches",
    "links_from_incidents",
    "capture_histories",
    "history_counts",
    "mse_match_sensitivity",
]

_LINK_COLUMNS = ["list_a", "id_a", "list_b", "id_b"]


def links_from_matches(pairs: pd.DataFrame, *, left: str, right: str) -> pd.DataFrame:
    """The matched pairs of :func:`analysis.match_events` as links between two lists.

    Returns
    -------
    pandas.DataFrame
        ``list_a`` (= ``left``), ``id_a``, ``list_b`` (= ``right``), ``id_b``: one row per
        pair with ``matched`` true.
    """
    for column in ("left_event_id", "right_event_id", "matched"):
        if column not in pairs.columns:
            raise DataError("the pairs table lacks a column", file="pairs", column=column)
    kept = pairs[pairs["matched"].astype(bool)]
    return pd.DataFrame(
        {
            "list_a": left,
            "id_a": kept["left_event_id"].astype(str).to_numpy(),
            "list_b": right,
            "id_b": kept["right_event_id"].astype(str).to_numpy(),
        },
        columns=_LINK_COLUMNS,
    )


def links_from_incidents(linked: pd.DataFrame, *, incidents: str = "incidents") -> pd.DataFrame:
    """The rows of :func:`analysis.incident_events` as links from incidents to events.

    Returns
    -------
    pandas.DataFrame
        ``list_a`` (= ``incidents``), ``id_a`` (the incident id), ``list_b`` (the event's
        ``source``), ``id_b`` (its event id).
    """
    for column in ("incident_id", "source", "event_id"):
        if column not in linked.columns:
            raise DataError("the incident-event table lacks a column", file="linked", column=column)
    return pd.DataFrame(
        {
            "list_a": incidents,
            "id_a": linked["incident_id"].astype(str).to_numpy(),
            "list_b": linked["source"].astype(str).to_numpy(),
            "id_b": linked["event_id"].astype(str).to_numpy(),
        },
        columns=_LINK_COLUMNS,
    )


def capture_histories(
    lists: Mapping[str, Sequence[str] | pd.Series], links: pd.DataFrame | Sequence[pd.DataFrame]
) -> pd.DataFrame:
    """One row per case: which lists saw it, from the lists' members and the links between them.

    Parameters
    ----------
    lists
        List name -> the ids of its members, e.g. ``{"acled": acled["event_id"], "ucdp":
        ucdp["event_id"]}``. The order of the names is the order of the history's digits.
    links
        Links between members of different lists (``list_a, id_a, list_b, id_b``; see
        :func:`links_from_matches` and :func:`links_from_incidents`), one table or several.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case`` (0, 1, ...), one boolean column per list (the case is on
        it), ``history`` (``"110"``: on the first two lists), ``records`` (how many records
        the case joins) and ``ids`` (``list:id`` of every record, ``"; "``-joined).

    Notes
    -----
    A case is a connected group of linked records: records linked directly or through other
    records are one case, so an incident linked to two ACLED events, or a split matched to
    one UCDP event, is counted once. A link to an id that is not on its list raises
    :class:`~analysis.errors.DataError`.

    Examples
    --------
    >>> links = pd.DataFrame(
    ...     {"list_a": ["acled"], "id_a": ["a1"], "list_b": ["ucdp"], "id_b": ["u1"]}
    ... )
    >>> capture_histories({"acled": ["a1", "a2"], "ucdp": ["u1"]}, links)["history"].tolist()
    ['11', '10']
    """
    names = list(lists)
    if len(names) < 2:
        raise ParameterError("capture histories need at least two lists")
    nodes: list[tuple[str, str]] = []
    for name in names:
        ids = pd.Index(pd.Series(lists[name], dtype="string").dropna().unique())
        nodes.extend((name, str(i)) for i in ids)
    index = {node: i for i, node in enumerate(nodes)}
    tables = [links] if isinstance(links, pd.DataFrame) else list(links)
    a_idx: list[int] = []
    b_idx: list[int] = []
    for t, table in enumerate(tables):
        missing = [c for c in _LINK_COLUMNS if c not in table.columns]
        if missing:
            raise DataError(
                f"link table {t} lacks columns {missing}", file="links", column=missing[0]
            )
        for row, (la, ia, lb, ib) in enumerate(table[_LINK_COLUMNS].itertuples(index=False)):
            a, b = index.get((str(la), str(ia))), index.get((str(lb), str(ib)))
            if a is None or b is None:
                bad = (la, ia) if a is None else (lb, ib)
                raise DataError(
                    f"link table {t}, row {row}: {bad[1]!r} is not a member of list {bad[0]!r}",
                    file="links",
                    column="id_a" if a is None else "id_b",
                    rule="unknown_member",
                )
            a_idx.append(a)
            b_idx.append(b)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(nodes)
    graph = coo_matrix((np.ones(len(a_idx)), (a_idx, b_idx)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    frame = pd.DataFrame(
        {
            "component": component,
            "list": [node[0] for node in nodes],
            "label": [f"{node[0]}:{node[1]}" for node in nodes],
        }
    )
    on = pd.crosstab(frame["component"], frame["list"]).reindex(columns=names, fill_value=0) > 0
    grouped = frame.groupby("component")["label"]
    out = pd.DataFrame({"case": np.arange(len(on))})
    for name in names:
        out[name] = on[name].to_numpy()
    out["history"] = ["".join("1" if v else "0" for v in row) for row in on.to_numpy()]
    out["records"] = grouped.size().reindex(on.index).to_numpy()
    out["ids"] = grouped.agg("; ".join).reindex(on.index).to_numpy()
    return out


def history_counts(histories: pd.DataFrame) -> pd.Series:
    """Cases per capture history (the input of :func:`analysis.mse_loglinear`)."""
    return histories["history"].value_counts().sort_index().rename("cases")


def mse_match_sensitivity(
    pairs: pd.DataFrame,
    *,
    left_ids: Sequence[str] | pd.Series,
    right_ids: Sequence[str] | pd.Series,
    thresholds: Sequence[float],
    left: str = "acled",
    right: str = "ucdp",
    extra_lists: Mapping[str, Sequence[str] | pd.Series] | None = None,
    extra_links: Sequence[pd.DataFrame] = (),
    models: Mapping[str, Sequence[Sequence[int]]] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Multiple systems estimates from matched event lists, at several match thresholds.

    Parameters
    ----------
    pairs
        Candidate pairs from :func:`analysis.match_events` (``method="fellegi_sunter"``).
    left_ids, right_ids
        Every event id of the two matched tables (unmatched events are cases too).
    thresholds
        Match probability thresholds; at each the pairs are resolved one to one again.
    left, right
        Names of the two lists.
    extra_lists, extra_links
        More lists (e.g. ``{"incidents": ids}``) and their links to the events (e.g.
        :func:`links_from_incidents`), the same at every threshold.
    models
        Interaction sets for :func:`analysis.mse_compare`, by name; default: independence
        only (two lists), or independence and each single two-way interaction.
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per (threshold, model): ``threshold``, ``matched`` (pairs kept), ``histories``
        (``"10=812; 01=240; 11=300"``), then :func:`analysis.mse_compare`'s columns
        (``model, n_hat, se, ci_low, ci_high, deviance, df, aic, bic, delta_aic, aic_weight,
        note``).

    Notes
    -----
    The estimate assumes what every multiple systems estimate does: a closed population
    (the same incidents could have been on every list), perfect matching, and that the model
    describes how the lists depend on one another (with two lists, that they are
    independent, which conflict-event sources drawing on the same press are not: they
    overlap more than chance, and the estimate is then too low). Matching errors move the
    overlap: false matches lower the estimate, missed matches raise it; hence the estimate at
    each threshold. Events are not victims: these are counts of *events*, and a table of
    aggregates (such as a published total) cannot give capture histories, nor reproduce an
    estimate stratified by region or period.
    """
    from analysis.mse import mse_compare

    extra = dict(extra_lists or {})
    lists = {left: left_ids, right: right_ids, **extra}
    k = len(lists)
    if models is None:
        models = {"independence": []}
        if k > 2:
            for i in range(k):
                for j in range(i + 1, k):
                    models[f"{list(lists)[i]} x {list(lists)[j]}"] = [(i, j)]
    rows = []
    for level in thresholds:
        level = float(level)
        if not 0 <= level <= 1:
            raise ParameterError(f"thresholds must lie in [0, 1], got {level!r}")
        kept = resolve_one_to_one(
            pairs,
            by=["probability", "days_apart", "km_apart"],
            ascending=[False, True, True],
            eligible=pairs["probability"].to_numpy() >= level,
        )
        links = [links_from_matches(pairs.assign(matched=kept), left=left, right=right)]
        histories = capture_histories(lists, [*links, *extra_links])
        counts = history_counts(histories)
        fits = mse_compare(counts, models, alpha=alpha)
        fits.insert(0, "histories", "; ".join(f"{h}={n}" for h, n in counts.items()))
        fits.insert(0, "matched", int(kept.sum()))
        fits.insert(0, "threshold", level)
        rows.append(fits)
    return pd.concat(rows, ignore_index=True)
