"""Matching events across two event tables (ACLED and UCDP, or two releases of one).

:func:`match_events` pairs the events of two canonical event tables that code the same
incident. Candidate pairs come from a window on dates and distance (the rule of MELTT, Donnay
et al. 2019), made near-linear by blocking on cells of days and kilometres; each candidate is
scored by a Fellegi-Sunter model fitted with Splink on DuckDB (u probabilities from random
pairs, m probabilities by expectation maximisation), and the pairs are then resolved one to
one. ``method="window"`` is MELTT's rule without the model: every pair in the window is a
candidate, and the best-agreeing pair wins. :func:`match_quality` measures either against a
known truth (see :func:`analysis.link.synthetic.synthetic_event_pairs`).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from analysis.errors import DataError, ParameterError
from analysis.harmonize.schema import check_events

__all__ = ["MATCH_COLUMNS", "match_events", "match_quality", "resolve_one_to_one"]

Method = Literal["fellegi_sunter", "window"]
Training = Literal["em", "prior"]

_EARTH_KM = 6371.0088
#: fewest random pairs sampled to estimate the u probabilities (more for large tables: ten per
#: event, so that the rare close levels are still seen among random pairs of a global export)
_U_SAMPLE_PAIRS = 1e6
_KM_PER_DEGREE = 111.32

#: The columns of the table :func:`match_events` returns, in order.
MATCH_COLUMNS: tuple[str, ...] = (
    "left_event_id",
    "right_event_id",
    "probability",
    "match_weight",
    "matched",
    "days_start",
    "days_end",
    "days_apart",
    "km_apart",
    "fatalities_left",
    "fatalities_right",
    "fatalities_diff",
    "perpetrator_left",
    "perpetrator_right",
    "same_perpetrator",
)

#: Levels of the Fellegi-Sunter comparisons: upper bounds (days, km) of each level; the last
#: level of each runs to the window (``max_days``, ``max_km``).
_DAY_LEVELS = (0, 1, 3, 7, 14, 30)
_KM_LEVELS = (2.0, 5.0, 10.0, 25.0, 50.0, 100.0)

#: Starting m probabilities (share of true matches in each level, best level first), used as
#: the model when ``train="prior"`` and as EM's starting point otherwise. They state what the
#: model expects before it sees the data: coders mostly agree on the day and place.
_PRIOR_M = {
    "days": (0.6, 0.2, 0.12, 0.05, 0.02, 0.01),
    "km": (0.4, 0.3, 0.15, 0.1, 0.04, 0.01),
    "fatalities": (0.6, 0.3, 0.1),
    "perpetrator": (0.85, 0.15),
}


def _option(name: str, value: object, kind: object) -> None:
    allowed = get_args(kind)
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {list(allowed)}, got {value!r}")


def _positive(name: str, value: object, *, upper: float = math.inf) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, got {value!r}") from None
    if not (0 < number <= upper) or math.isnan(number):
        raise ParameterError(f"{name} must lie in (0, {upper}], got {value!r}")
    return number


def _check_table(frame: object, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{name} must be a canonical event table (a DataFrame)", file=name)
    check_events(frame, where=name)
    ids = frame["event_id"]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise DataError(
            f"event_id is missing in row {row} (origin {frame['origin'].iloc[row]!r})",
            file=name,
            column="event_id",
            rule="required",
        )
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)[:2]
        raise DataError(
            f"event_id {ids.iloc[rows[0]]!r} appears more than once (rows {rows[0]} and "
            f"{rows[1]}, origins {frame['origin'].iloc[rows[0]]!r} and "
            f"{frame['origin'].iloc[rows[1]]!r}); match one table of unique events",
            file=name,
            column="event_id",
            rule="unique",
        )
    return frame


def _prepare(events: pd.DataFrame, *, days: int, km: float, lon_width: float) -> pd.DataFrame:
    """The columns the model and the blocking read, one row per event."""
    d0 = events["date_start"].to_numpy().astype("datetime64[D]")
    d1 = events["date_end"].to_numpy().astype("datetime64[D]")
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    cell = km / _KM_PER_DEGREE
    with np.errstate(invalid="ignore"):
        cy = np.floor(lat / cell)
        cx = np.floor(lon / lon_width)
    d0i = np.where(np.isnat(d0), np.iinfo(np.int64).min, d0.astype(np.int64))
    d1i = np.where(np.isnat(d1), d0i, d1.astype(np.int64))
    return pd.DataFrame(
        {
            "unique_id": events["event_id"].astype(str).to_numpy(),
            "d0": pd.array(np.where(np.isnat(d0), None, d0i), dtype="Int64"),
            "d1": pd.array(np.where(np.isnat(d0), None, d1i), dtype="Int64"),
            "lat": lat,
            "lon": lon,
            "fat": events["fatalities"].astype("Float64"),
            "grp": events["perpetrator_group"].astype("string"),
            "tb": pd.array(np.where(np.isnat(d0), None, d0i // max(days, 1)), dtype="Int64"),
            "cy": pd.array(np.where(np.isnan(cy), None, cy), dtype="Int64"),
            "cx": pd.array(np.where(np.isnan(cx), None, cx), dtype="Int64"),
        }
    )


def _haversine_sql(l: str, r: str) -> str:  # noqa: E741
    lat_l, lat_r = l.format("lat"), r.format("lat")
    lon_l, lon_r = l.format("lon"), r.format("lon")
    return (
        f"2 * {_EARTH_KM} * asin(sqrt(pow(sin(radians({lat_r} - {lat_l}) / 2), 2) + "
        f"cos(radians({lat_l})) * cos(radians({lat_r})) * "
        f"pow(sin(radians({lon_r} - {lon_l}) / 2), 2)))"
    )


def _window_sql(days: int, km: float) -> str:
    return (
        f"abs(l.d0 - r.d0) <= {days} AND abs(l.d1 - r.d1) <= {days} AND "
        f"{_haversine_sql('l.{}', 'r.{}')} <= {km!r}"
    )


def _blocking_rules(days: int, km: float) -> list[str]:
    """MELTT's window as 27 equi-join rules over neighbouring cells of days and kilometres.

    An event's cell is ``(floor(d0 / days), floor(lat / km), floor(lon / km))`` (in degrees of
    that many km); any two events within the window lie in the same or neighbouring cells, so
    joining each cell to its 27 neighbours (itself included) finds every pair, and each pair
    once.
    """
    window = _window_sql(days, km)
    rules = []
    for dt in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                rules.append(
                    f"l.tb = r.tb + ({dt}) AND l.cy = r.cy + ({dy}) AND l.cx = r.cx + ({dx}) "
                    f"AND {window}"
                )
    return rules


def _level(condition: str, label: str, m: float | None = None, *, null: bool = False) -> dict:
    level: dict = {"sql_condition": condition, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if m is not None:
        level["m_probability"] = m
    return level


def _within_window(
    name: str,
    window: float,
    levels: tuple[float, ...],
    *,
    measure: str,
    missing: str,
    missing_label: str,
    band_label: str,
) -> dict:
    """A comparison of ``measure`` in bands: within each of ``levels`` below ``window``, then
    within ``window``; a null level (``missing``) first and "outside the window" last.

    ``band_label`` formats a band's bound (``"within {} days"``). The prior m probabilities
    are :data:`_PRIOR_M`'s for ``name``; those of levels beyond the window fold into the last
    band.
    """
    bounds = [b for b in levels if b < window] + [window]
    m = list(_PRIOR_M[name][: len(bounds)])
    m[-1] += sum(_PRIOR_M[name][len(bounds) :])
    if len(bounds) > len(m):
        # a window wider than the widest level: the widest level's prior is shared with the
        # band beyond it (the priors still sum to one)
        m[-1] /= 2
        m.append(m[-1])
    return {
        "output_column_name": name,
        "comparison_levels": [
            _level(missing, missing_label, null=True),
            *(
                _level(f"{measure} <= {b!r}", band_label.format(b), m_band)
                for b, m_band in zip(bounds, m, strict=True)
            ),
            _level("ELSE", "outside the window", 1e-9),
        ],
    }


def _comparisons(days: int, km: float) -> list[dict]:
    return [
        _within_window(
            "days",
            days,
            _DAY_LEVELS,
            measure="greatest(abs(d0_l - d0_r), abs(d1_l - d1_r))",
            missing="d0_l IS NULL OR d0_r IS NULL",
            missing_label="date missing",
            band_label="within {} days",
        ),
        _within_window(
            "km",
            km,
            _KM_LEVELS,
            measure=_haversine_sql("{}_l", "{}_r"),
            missing="lat_l IS NULL OR lat_r IS NULL",
            missing_label="place missing",
            band_label="within {:g} km",
        ),
        {
            "output_column_name": "fatalities",
            "comparison_levels": [
                _level("fat_l IS NULL OR fat_r IS NULL", "fatalities missing", null=True),
                _level("fat_l = fat_r", "same fatalities", _PRIOR_M["fatalities"][0]),
                _level(
                    "abs(fat_l - fat_r) <= 2 OR greatest(fat_l, fat_r) <= 1.5 * least(fat_l, fat_r)",
                    "within 2 or 50%",
                    _PRIOR_M["fatalities"][1],
                ),
                _level("ELSE", "different fatalities", _PRIOR_M["fatalities"][2]),
            ],
        },
        {
            "output_column_name": "perpetrator",
            "comparison_levels": [
                _level("grp_l IS NULL OR grp_r IS NULL", "group missing", null=True),
                _level("grp_l = grp_r", "same perpetrator group", _PRIOR_M["perpetrator"][0]),
                _level("ELSE", "different group", _PRIOR_M["perpetrator"][1]),
            ],
        },
    ]


@contextlib.contextmanager
def _quiet_splink():
    """Keep Splink's progress and advice messages out of the caller's output."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _splink_pairs(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    days: int,
    km: float,
    expected_share: float,
    train: str,
    seed: int,
) -> tuple[pd.DataFrame, str]:
    """Candidate pairs with Splink's probability and weight, and how the model was trained."""
    from splink import DuckDBAPI, Linker

    n_pairs = len(left) * len(right)
    settings = {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": min(
            1.0, expected_share * min(len(left), len(right)) / n_pairs
        ),
        "blocking_rules_to_generate_predictions": _blocking_rules(days, km),
        "comparisons": _comparisons(days, km),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
    }
    with _quiet_splink():
        db = DuckDBAPI()
        tables = [
            db.register(left, dataset_display_name="events_left"),
            db.register(right, dataset_display_name="events_right"),
        ]
        linker = Linker(tables, settings, log_level=None)
        linker.training.estimate_u_using_random_sampling(
            max_pairs=float(min(n_pairs, max(_U_SAMPLE_PAIRS, 10 * (len(left) + len(right))))),
            seed=seed,
        )
        trained = "prior"
        if train == "em":
            # pairs in one cell: the rule names none of the compared columns, so EM
            # estimates the m probabilities of all four comparisons at once
            em_rule = "l.tb = r.tb AND l.cy = r.cy AND l.cx = r.cx"
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(em_rule)
                trained = "em"
            except Exception as err:  # too few pairs to estimate from: keep the prior
                trained = f"prior (expectation maximisation failed: {type(err).__name__})"
        predicted = linker.inference.predict().as_pandas_dataframe()
    pairs = pd.DataFrame(
        {
            "left_event_id": predicted["unique_id_l"].astype(str),
            "right_event_id": predicted["unique_id_r"].astype(str),
            "probability": predicted["match_probability"].astype(float),
            "match_weight": predicted["match_weight"].astype(float),
        }
    )
    return pairs, trained


def _window_pairs(left: pd.DataFrame, right: pd.DataFrame, *, days: int, km: float):
    """Every pair inside the window, found with the same cells as the model's blocking."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("events_left", left)
        con.register("events_right", right)
        offsets = "SELECT * FROM (VALUES (-1), (0), (1)) AS t(o)"
        sql = f"""
            WITH rk AS (
                SELECT r.*, r.tb + a.o AS ktb, r.cy + b.o AS kcy, r.cx + c.o AS kcx
                FROM events_right r, ({offsets}) a, ({offsets}) b, ({offsets}) c
            )
            SELECT l.unique_id AS left_event_id, r.unique_id AS right_event_id
            FROM events_left l JOIN rk r
              ON l.tb = r.ktb AND l.cy = r.kcy AND l.cx = r.kcx
            WHERE {_window_sql(days, km)}
        """
        pairs = con.execute(sql).df()
    finally:
        con.close()
    pairs["probability"] = np.nan
    pairs["match_weight"] = np.nan
    return pairs


def _distances(pairs: pd.DataFrame, left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    li = pd.Index(left["unique_id"]).get_indexer(pairs["left_event_id"])
    ri = pd.Index(right["unique_id"]).get_indexer(pairs["right_event_id"])
    d0 = right["d0"].to_numpy(dtype=float, na_value=np.nan)[ri]
    d0 = d0 - left["d0"].to_numpy(dtype=float, na_value=np.nan)[li]
    d1 = right["d1"].to_numpy(dtype=float, na_value=np.nan)[ri]
    d1 = d1 - left["d1"].to_numpy(dtype=float, na_value=np.nan)[li]
    lat1, lon1 = np.radians(left["lat"].to_numpy()[li]), np.radians(left["lon"].to_numpy()[li])
    lat2, lon2 = np.radians(right["lat"].to_numpy()[ri]), np.radians(right["lon"].to_numpy()[ri])
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    fl = left["fat"].to_numpy(dtype=float, na_value=np.nan)[li]
    fr = right["fat"].to_numpy(dtype=float, na_value=np.nan)[ri]
    gl = left["grp"].array[li]
    gr = right["grp"].array[ri]
    same = pd.array(np.asarray(gl == gr, dtype=object), dtype="boolean")
    same[pd.isna(gl) | pd.isna(gr)] = pd.NA
    out = pairs.copy()
    out["days_start"] = pd.array(d0, dtype="Int64")
    out["days_end"] = pd.array(d1, dtype="Int64")
    out["days_apart"] = pd.array(np.fmax(np.abs(d0), np.abs(d1)), dtype="Int64")
    out["km_apart"] = 2 * _EARTH_KM * np.arcsin(np.sqrt(h))
    out["fatalities_left"] = pd.array(fl, dtype="Int64")
    out["fatalities_right"] = pd.array(fr, dtype="Int64")
    out["fatalities_diff"] = pd.array(np.abs(fl - fr), dtype="Int64")
    out["perpetrator_left"] = pd.array(gl, dtype="string")
    out["perpetrator_right"] = pd.array(gr, dtype="string")
    out["same_perpetrator"] = same
    return out


def resolve_one_to_one(
    pairs: pd.DataFrame, *, by: Sequence[str], ascending: Sequence[bool], eligible: np.ndarray
) -> np.ndarray:
    """Greedy one-to-one assignment: best pair first, each event used at most once.

    Parameters
    ----------
    pairs
        Candidate pairs with ``left_event_id`` and ``right_event_id``.
    by, ascending
        Columns that rank the pairs (best first) and their directions; ties are broken by the
        two ids so that the result does not depend on row order.
    eligible
        Boolean mask of the pairs that may be matched (e.g. probability >= threshold).

    Returns
    -------
    numpy.ndarray
        Boolean mask of the matched pairs, aligned with ``pairs``.

    Notes
    -----
    MELTT assigns matches the same way (best score first, one to one). Greedy assignment is
    not the maximum-weight matching, but it never pairs an event with a worse candidate while
    a better one is free, and it is what a reader of the pair list would do by hand.
    """
    order = pairs.assign(_pos=np.arange(len(pairs))).sort_values(
        [*by, "left_event_id", "right_event_id"],
        ascending=[*ascending, True, True],
        kind="stable",
        na_position="last",
    )
    order = order[np.asarray(eligible)[order["_pos"].to_numpy()]]
    left_codes, _ = pd.factorize(order["left_event_id"])
    right_codes, _ = pd.factorize(order["right_event_id"])
    used_left = np.zeros(left_codes.max() + 1 if len(left_codes) else 0, dtype=bool)
    used_right = np.zeros(right_codes.max() + 1 if len(right_codes) else 0, dtype=bool)
    matched = np.zeros(len(pairs), dtype=bool)
    for pos, a, b in zip(order["_pos"].to_numpy(), left_codes, right_codes, strict=True):
        if not used_left[a] and not used_right[b]:
            used_left[a] = used_right[b] = True
            matched[pos] = True
    return matched


def match_events(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    method: Method = "fellegi_sunter",
    threshold: float = 0.5,
    max_days: int = 7,
    max_km: float = 25.0,
    expected_share: float = 0.5,
    train: Training = "em",
    seed: int = 0,
) -> pd.DataFrame:
    r"""Pair the events of two event tables that code the same incident.

    Parameters
    ----------
    left, right
        Canonical event tables (:data:`analysis.harmonize.schema.EVENT_COLUMNS`), e.g. from
        :func:`analysis.read_acled` and :func:`analysis.read_ucdp_ged`; event ids must be
        unique within each.
    method
        ``"fellegi_sunter"`` (default): candidates in the window, scored by a Fellegi-Sunter
        model fitted with Splink. ``"window"``: MELTT's rule, every candidate in the window
        eligible, best agreement first (no probability).
    threshold
        Smallest match probability a pair needs to be matched (``fellegi_sunter`` only).
    max_days
        Window on dates: both the start dates and the end dates differ by at most this many
        days (MELTT's ``twindow``).
    max_km
        Window on places: at most this many kilometres apart (MELTT's ``spatwindow``).
    expected_share
        Share of the smaller table's events expected to have a counterpart: sets the prior
        probability that two random events match, :math:`\lambda = s \min(n_l, n_r) / (n_l
        n_r)`.
    train
        ``"em"`` (default): m probabilities estimated by expectation maximisation from the
        pairs in the window, starting from the prior; ``"prior"``: the prior m probabilities
        as they stand. If there are too few pairs for EM, the prior is kept and
        ``attrs["training"]`` says so.
    seed
        Seed of the random pairs that estimate the u probabilities.

    Returns
    -------
    pandas.DataFrame
        One row per candidate pair (both events inside the window), best first:
        ``left_event_id``, ``right_event_id``; ``probability`` and ``match_weight`` (log2
        Bayes factor plus prior; NaN for ``window``); ``matched`` (bool: the pair is kept in
        the one-to-one resolution); ``days_start``, ``days_end`` (right minus left, days),
        ``days_apart`` (the larger of the two, absolute); ``km_apart`` (great-circle);
        ``fatalities_left``, ``fatalities_right``, ``fatalities_diff`` (absolute);
        ``perpetrator_left``, ``perpetrator_right`` (harmonised perpetrator groups),
        ``same_perpetrator`` (NA when either is missing). ``attrs`` records ``method``,
        ``threshold``, ``max_days``, ``max_km``, ``training`` and ``unplaced`` (events
        without a date or coordinates, which cannot be candidates), per side.

    Notes
    -----
    *Window (MELTT's rule, Donnay et al. 2019).* Two events from different tables are
    candidates when :math:`|s_l - s_r| \le` ``max_days``, :math:`|e_l - e_r| \le`
    ``max_days`` (start and end dates) and their great-circle distance is at most
    ``max_km``. MELTT then scores candidates by agreement on user taxonomies and assigns
    them one to one; here ``method="window"`` ranks candidates by agreement of perpetrator
    group, then fewer days, then fewer km, then closer fatalities.

    *Blocking.* The window is enforced as 27 equi-join rules over cells of ``max_days``
    days by ``max_km`` km (each cell joined to its neighbours), so the work grows with the
    number of candidate pairs, not with :math:`n_l n_r`.

    *Model (Fellegi and Sunter 1969).* Each candidate is compared on four things: days
    apart (levels 0, 1, 3, 7, ... up to ``max_days``), kilometres apart (2, 5, 10, 25, ...
    up to ``max_km``), fatalities (equal; within 2 or 50 %; else) and perpetrator group
    (equal; else); missing values are neutral. The match weight is :math:`\log_2
    \frac{\lambda}{1-\lambda} + \sum_k \log_2 (m_k / u_k)` and the probability :math:`2^w /
    (1 + 2^w)`. u probabilities come from random pairs (Splink's random sampling; at least
    a million, and ten per event, since close levels are rare among random pairs of a large
    table and their u estimates otherwise too noisy), m
    probabilities from EM on the pairs within the window (Splink, DuckDB back end). The
    comparisons are taken as independent given match status, which days and place are not
    quite: probabilities are a ranking more than calibrated chances, which is why
    :func:`match_quality` and ``benchmarks/matching.py`` measure precision and recall.

    *One to one.* Pairs at or above ``threshold`` are assigned greedily, highest
    probability first (:func:`resolve_one_to_one`). An incident that one source split into
    two events is matched to one of them; the other stays unmatched.

    Measured on :func:`analysis.link.synthetic.synthetic_event_pairs` (default mix): see
    ``benchmarks/README.md``.

    References
    ----------
    Donnay K, Dunford ET, McGrath EC, Backer D, Cunningham DE (2019). Integrating conflict
    event data. Journal of Conflict Resolution 63(5):1337-1364 (MELTT).
    Fellegi IP, Sunter AB (1969). A theory for record linkage. JASA 64:1183-1210.
    Linacre R et al. (2022). Splink: free software for probabilistic record linkage at scale.
    International Journal of Population Data Science 7(3).

    Examples
    --------
    >>> from analysis.link.synthetic import synthetic_event_pairs
    >>> left, right, truth = synthetic_event_pairs(400, 100, seed=2)
    >>> pairs = match_events(left, right)
    >>> bool(pairs.loc[pairs["matched"], "probability"].ge(0.5).all())
    True
    """
    _option("method", method, Method)
    _option("train", train, Training)
    threshold = _positive("threshold", threshold, upper=1.0)
    km = _positive("max_km", max_km, upper=20000.0)
    if isinstance(max_days, bool) or not isinstance(max_days, int | np.integer) or max_days < 0:
        raise ParameterError(f"max_days must be a whole number of days >= 0, got {max_days!r}")
    days = int(max_days)
    expected_share = _positive("expected_share", expected_share, upper=1.0)
    left = _check_table(left, "left")
    right = _check_table(right, "right")
    lats = pd.concat([left["latitude"], right["latitude"]]).abs()
    top = float(lats.max()) if lats.notna().any() else 0.0
    lon_width = km / (_KM_PER_DEGREE * math.cos(math.radians(min(top, 85.0))))
    lp = _prepare(left, days=max(days, 1), km=km, lon_width=lon_width)
    rp = _prepare(right, days=max(days, 1), km=km, lon_width=lon_width)
    placed_l = lp["tb"].notna() & lp["cy"].notna()
    placed_r = rp["tb"].notna() & rp["cy"].notna()
    lp, rp = lp[placed_l].reset_index(drop=True), rp[placed_r].reset_index(drop=True)
    trained = "none (no candidates)"
    if len(lp) and len(rp):
        if method == "fellegi_sunter":
            pairs, trained = _splink_pairs(
                lp, rp, days=days, km=km, expected_share=expected_share, train=train, seed=seed
            )
        else:
            pairs, trained = _window_pairs(lp, rp, days=days, km=km), "none (window rule)"
    else:
        pairs = pd.DataFrame(
            {
                "left_event_id": pd.Series(dtype=str),
                "right_event_id": pd.Series(dtype=str),
                "probability": pd.Series(dtype=float),
                "match_weight": pd.Series(dtype=float),
            }
        )
    out = _distances(pairs, lp, rp)
    if method == "fellegi_sunter":
        rank = (["probability", "days_apart", "km_apart"], [False, True, True])
        eligible = out["probability"].to_numpy() >= threshold
    else:
        out["_agree"] = out["same_perpetrator"].fillna(False).astype(bool)
        rank = (["_agree", "days_apart", "km_apart", "fatalities_diff"], [False, True, True, True])
        eligible = np.ones(len(out), dtype=bool)
    out["matched"] = resolve_one_to_one(out, by=rank[0], ascending=rank[1], eligible=eligible)
    out = out.sort_values(
        [*rank[0], "left_event_id", "right_event_id"],
        ascending=[*rank[1], True, True],
        kind="stable",
        na_position="last",
    )
    out = out[list(MATCH_COLUMNS)].reset_index(drop=True)
    out["left_event_id"] = out["left_event_id"].astype(str)
    out["right_event_id"] = out["right_event_id"].astype(str)
    out.attrs = {
        "method": method,
        "threshold": threshold if method == "fellegi_sunter" else None,
        "max_days": days,
        "max_km": km,
        "training": trained,
        "unplaced": {"left": int((~placed_l).sum()), "right": int((~placed_r).sum())},
    }
    return out


def match_quality(
    pairs: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    thresholds: Sequence[float] | None = None,
) -> pd.DataFrame:
    r"""Precision and recall of matched pairs against a known truth, over thresholds.

    Parameters
    ----------
    pairs
        The result of :func:`match_events`.
    truth
        True pairs with ``left_event_id``, ``right_event_id`` and ``incident`` (events of one
        incident share it), as :func:`analysis.link.synthetic.synthetic_event_pairs` returns.
    thresholds
        Probability thresholds at which to re-resolve the pairs one to one; ``None`` scores
        the ``matched`` column as it stands.

    Returns
    -------
    pandas.DataFrame
        One row per threshold: ``threshold`` (NaN for the ``matched`` column as given),
        ``matched`` (pairs kept), ``true_positives``, ``incidents`` (true incidents),
        ``precision``, ``recall``, ``f1``.

    Notes
    -----
    A matched pair is correct when both events code the same incident (any pair of the
    truth). Recall counts incidents: an incident is found when one of its true pairs is
    matched, since one-to-one matching can only find one pair of a split or a merge.
    :math:`\mathrm{precision} = TP / \mathrm{matched}`, :math:`\mathrm{recall} = TP /
    \mathrm{incidents}`.
    """
    for column in ("left_event_id", "right_event_id", "incident"):
        if column not in truth.columns:
            raise DataError("truth table lacks a column", file="truth", column=column)
    for column in ("left_event_id", "right_event_id", "probability", "matched"):
        if column not in pairs.columns:
            raise DataError("pairs table lacks a column", file="pairs", column=column)
    key = truth.set_index(["left_event_id", "right_event_id"])["incident"]
    key = key[~key.index.duplicated()]
    incidents = truth["incident"].nunique()
    rows = []
    levels: list[float | None] = [None] if thresholds is None else list(thresholds)
    for level in levels:
        if level is None:
            kept = pairs["matched"].to_numpy(dtype=bool)
        else:
            kept = resolve_one_to_one(
                pairs,
                by=["probability", "days_apart", "km_apart"],
                ascending=[False, True, True],
                eligible=pairs["probability"].to_numpy() >= level,
            )
        chosen = pairs.loc[kept, ["left_event_id", "right_event_id"]]
        found = key.reindex(pd.MultiIndex.from_frame(chosen))
        tp = int(found.notna().sum())
        n = len(chosen)
        found_incidents = found.dropna().nunique()
        precision = tp / n if n else math.nan
        recall = found_incidents / incidents if incidents else math.nan
        f1 = (
            2 * precision * recall / (precision + recall)
            if n and incidents and precision + recall
            else math.nan
        )
        rows.append(
            {
                "threshold": math.nan if level is None else float(level),
                "matched": n,
                "true_positives": tp,
                "incidents": incidents,
                "precision": precision,
                "recall": recall,
                "f1": f1,
            }
        )
    return pd.DataFrame(rows)
