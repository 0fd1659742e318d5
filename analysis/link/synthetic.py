"""A seeded generator of SYNTHETIC event pairs with known truth, for measuring matching.

Two canonical event tables are drawn from one set of invented incidents: the *left* table
codes them as ACLED does (one date, ACLED's actor names), the *right* table as UCDP does (a
date range, UCDP's actor names), and both are perturbed the way two coders differ: dates off
by days, places off by kilometres, fatalities reported differently, the perpetrator named
differently or not at all, one incident coded as two events (a split) or two incidents coded
as one (a merge). Each table also holds events the other does not have. The truth table lists
which events describe the same incident.

Nothing here describes anything that happened: event ids start with ``SYN-``, and every note
says ``SYNTHETIC TEST DATA``. Places are drawn around real Malian towns so that the density of
nearby, unrelated events resembles a Mali-sized export.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from analysis.harmonize.schema import conform_events
from analysis.testing import _PLACES, SYNTHETIC_LABEL

__all__ = ["Perturbation", "DEFAULT_PERTURBATION", "synthetic_event_pairs"]

_KM_PER_DEGREE = 111.32
#: perpetrator groups drawn for the invented incidents, with ACLED-style and UCDP-style names
_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("jnim", "JNIM: Group for Support of Islam and Muslims", "JNIM"),
    ("isgs", "Islamic State Sahel Province", "IS"),
    ("state_forces", "Military Forces of Mali (2021-)", "Government of Mali"),
    ("wagner", "Wagner Group", "Wagner Group"),
    ("militias", "Dan Na Ambassagou", "Dan Na Ambassagou"),
    ("unknown", "Unidentified Armed Group (Mali)", "Unknown"),
)


@dataclass(frozen=True)
class Perturbation:
    """How the two codings of one incident differ (shares are of matched incidents).

    Attributes
    ----------
    date_shift_share
        Share of incidents whose left date is moved by 1 to ``max_date_shift`` days.
    max_date_shift
        Largest date shift, in days.
    range_share
        Share of right events given a date range (end 1 to 3 days after start).
    km_sigma
        Standard deviation, in km, of each coordinate's coding error (both tables).
    far_share
        Share of incidents placed 10 to 25 km away in the left table (another village).
    fatality_share
        Share of incidents whose two fatality figures differ.
    actor_share
        Share of incidents whose perpetrator group differs between the tables.
    actor_missing_share
        Share of events (each table) with no perpetrator group.
    split_share
        Share of matched incidents coded as two left events (deaths divided between them).
    merge_share
        Share of matched incidents coded as two right events.
    """

    date_shift_share: float = 0.3
    max_date_shift: int = 3
    range_share: float = 0.15
    km_sigma: float = 2.0
    far_share: float = 0.05
    fatality_share: float = 0.4
    actor_share: float = 0.1
    actor_missing_share: float = 0.05
    split_share: float = 0.04
    merge_share: float = 0.04

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_share") and not 0 <= value <= 1:
                raise ValueError(f"{f.name} must lie in [0, 1], got {value!r}")
        if self.max_date_shift < 1:
            raise ValueError(f"max_date_shift must be at least 1, got {self.max_date_shift!r}")
        if self.km_sigma < 0:
            raise ValueError(f"km_sigma must be non-negative, got {self.km_sigma!r}")
        if self.split_share + self.merge_share > 1:
            raise ValueError("split_share + merge_share must not exceed 1")


#: The default mix of perturbations the benchmark and the tests measure against.
DEFAULT_PERTURBATION = Perturbation()


def _incidents(
    n: int, rng: np.random.Generator, first: pd.Timestamp, days: int, regions: int
) -> dict:
    """Invented incidents: day, place (around the towns, a fifth anywhere), group, deaths.

    With several regions, each incident is placed in one of ``regions`` copies of the Mali
    layout, 30 degrees of longitude and 15 of latitude apart, with the same distances in km.
    """
    towns = np.array([(p[3], p[4]) for p in _PLACES])
    around = rng.integers(0, len(towns), n)
    lat = towns[around, 0] + rng.normal(0, 40 / _KM_PER_DEGREE, n)
    lon = towns[around, 1] + rng.normal(0, 40 / _KM_PER_DEGREE, n)
    anywhere = rng.random(n) < 0.2
    lat[anywhere] = rng.uniform(11.0, 17.0, anywhere.sum())
    lon[anywhere] = rng.uniform(-9.0, 3.0, anywhere.sum())
    if regions > 1:
        region = rng.integers(0, regions, n)
        lat = lat + 15.0 * (region // 12) - 30.0
        # keep distances in km as in Mali (about 14 degrees north) at the new latitude
        stretch = np.cos(np.radians(14.0)) / np.cos(np.radians(lat))
        lon = 30.0 * (region % 12) - 165.0 + (lon + 3.0) * stretch
    return {
        "day": rng.integers(0, days, n),
        "lat": lat,
        "lon": lon,
        "group": rng.integers(0, len(_GROUPS), n),
        "deaths": rng.negative_binomial(1, 0.25, n),
        "admin": around,
        "civilian": rng.random(n) < 0.5,
    }


def _take(incidents: dict, rows: np.ndarray) -> dict:
    return {key: value[rows] for key, value in incidents.items()}


def _shift_place(lat, lon, km_sigma, rng, far=None):
    lat = lat + rng.normal(0, km_sigma / _KM_PER_DEGREE, len(lat))
    lon = lon + rng.normal(0, km_sigma / _KM_PER_DEGREE, len(lon)) / np.cos(np.radians(lat))
    if far is not None and far.any():
        distance = rng.uniform(10, 25, far.sum()) / _KM_PER_DEGREE
        angle = rng.uniform(0, 2 * np.pi, far.sum())
        lat[far] += distance * np.sin(angle)
        lon[far] += distance * np.cos(angle) / np.cos(np.radians(lat[far]))
    return lat, lon


def _table(
    rows: dict,
    *,
    source: str,
    prefix: str,
    first: pd.Timestamp,
    span: np.ndarray,
    missing_group: np.ndarray,
) -> pd.DataFrame:
    n = len(rows["day"])
    start = first + pd.to_timedelta(rows["day"], unit="D")
    names = np.array([g[1] if source == "acled" else g[2] for g in _GROUPS], dtype=object)
    groups = np.array([g[0] for g in _GROUPS], dtype=object)
    group = groups[rows["group"]]
    group[missing_group] = None
    admin1 = np.array([p[0] for p in _PLACES], dtype=object)[rows["admin"]]
    admin2 = np.array([p[1] for p in _PLACES], dtype=object)[rows["admin"]]
    frame = pd.DataFrame(
        {
            "source": source,
            "event_id": [f"SYN-{prefix}{i}" for i in range(n)],
            "date_start": start,
            "date_end": start + pd.to_timedelta(span, unit="D"),
            "date_precision": "day",
            "country": "Mali",
            "iso3": "MLI",
            "admin1": admin1,
            "admin2": admin2,
            "location": admin2,
            "latitude": np.round(rows["lat"], 4),
            "longitude": np.round(rows["lon"], 4),
            "actor1": names[rows["group"]],
            "perpetrator_group": group,
            "wagner_involved": group == "wagner",
            "civilian_victims": rows["civilian"],
            "fatalities": pd.array(rows["deaths"], dtype="Int64"),
            "notes": SYNTHETIC_LABEL,
            "origin": [f"synthetic:{prefix}{i}" for i in range(n)],
        }
    )
    return conform_events(frame)


def synthetic_event_pairs(
    n_left: int = 2000,
    n_right: int = 500,
    *,
    matched_share: float = 0.7,
    perturbation: Perturbation = DEFAULT_PERTURBATION,
    seed: int = 0,
    start: str = "2019-01-01",
    end: str = "2024-12-31",
    regions: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two SYNTHETIC canonical event tables coding overlapping incidents, and the truth.

    Parameters
    ----------
    n_left, n_right
        Sizes of the left (ACLED-like) and right (UCDP-like) tables.
    matched_share
        Share of the right table's incidents that the left table also codes.
    perturbation
        How the two codings differ; see :class:`Perturbation`.
    seed
        Seed of the random generator (same arguments, same tables).
    start, end
        Date range of the incidents.
    regions
        Number of copies of the Mali layout (1 to 60) the incidents are spread over: a large
        table with many regions has the density of a global export, not of one country.

    Returns
    -------
    left, right : pandas.DataFrame
        Canonical event tables (:data:`analysis.harmonize.schema.EVENT_COLUMNS`), ids
        ``SYN-L<i>`` and ``SYN-R<i>``; the right table's events are in random order.
    truth : pandas.DataFrame
        One row per pair of events coding the same incident: ``left_event_id``,
        ``right_event_id``, ``incident`` (a number shared by the events of one incident) and
        ``kind`` (``one_to_one``, ``split``: the incident is two left events, ``merge``: two
        right events).

    Notes
    -----
    Of ``n_right`` right events, about ``matched_share`` code an incident the left table also
    codes; splits and merges add a second event on one side (within a day and a few km of the
    first, deaths divided between the two). The rest of both tables are unrelated incidents
    drawn the same way, so unrelated events near in time and space occur as often as the
    tables' density implies. Raises ``ValueError`` when the tables cannot hold the matched
    incidents.

    Examples
    --------
    >>> left, right, truth = synthetic_event_pairs(200, 50, seed=1)
    >>> len(left), len(right), truth["right_event_id"].isin(right["event_id"]).all()
    (200, 50, np.True_)
    """
    if not 0 <= matched_share <= 1:
        raise ValueError(f"matched_share must lie in [0, 1], got {matched_share!r}")
    if not 1 <= regions <= 60:
        raise ValueError(f"regions must lie in 1..60, got {regions!r}")
    if n_left < 1 or n_right < 1:
        raise ValueError("n_left and n_right must be at least 1")
    p = perturbation
    rng = np.random.default_rng(seed)
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    days = (last - first).days + 1
    if days < 1:
        raise ValueError(f"end ({end}) is before start ({start})")

    # matched incidents: each is one-to-one, split (two left events) or merge (two right)
    n_target = round(n_right * matched_share)  # right events with a counterpart
    kind = rng.choice(
        3, n_target, p=[1 - p.split_share - p.merge_share, p.split_share, p.merge_share]
    )
    used = np.arange(1, n_target + 1) + np.cumsum(kind == 2)  # a merge is two right events
    n_matched = int((used <= n_target).sum())
    kind = kind[:n_matched]
    n_merge = int((kind == 2).sum())
    n_split = int((kind == 1).sum())
    right_matched = n_matched + n_merge
    left_matched = n_matched + n_split
    if left_matched > n_left:
        raise ValueError(
            f"n_left ({n_left}) is too small for {left_matched} matched events; "
            "lower matched_share or raise n_left"
        )
    base = _incidents(n_matched, rng, first, days, regions)

    # the right table's coding of the matched incidents (and the second half of merges)
    second_r = np.flatnonzero(kind == 2)
    r_rows = _take(base, np.concatenate([np.arange(n_matched), second_r]))
    r_rows["day"] = r_rows["day"].copy()
    r_rows["day"][n_matched:] += rng.integers(0, 2, n_merge)
    r_rows["lat"], r_rows["lon"] = _shift_place(r_rows["lat"], r_rows["lon"], p.km_sigma, rng)
    r_rows["lat"][n_matched:], r_rows["lon"][n_matched:] = _shift_place(
        r_rows["lat"][n_matched:], r_rows["lon"][n_matched:], 3.0, rng
    )
    deaths = r_rows["deaths"].copy()
    half = deaths[second_r] // 2
    deaths[second_r] -= half
    deaths[n_matched:] = half
    r_rows["deaths"] = deaths

    # the left table's coding: perturbed dates, places, deaths, groups; splits add an event
    second_l = np.flatnonzero(kind == 1)
    l_rows = _take(base, np.concatenate([np.arange(n_matched), second_l]))
    n_l = len(l_rows["day"])
    shifted = rng.random(n_l) < p.date_shift_share
    step = rng.integers(1, p.max_date_shift + 1, n_l) * rng.choice([-1, 1], n_l)
    l_rows["day"] = np.clip(l_rows["day"] + np.where(shifted, step, 0), 0, days - 1)
    l_rows["day"][n_matched:] = np.clip(
        l_rows["day"][n_matched:] + rng.integers(0, 2, n_split), 0, days - 1
    )
    far = rng.random(n_l) < p.far_share
    far[n_matched:] = False
    l_rows["lat"], l_rows["lon"] = _shift_place(l_rows["lat"], l_rows["lon"], p.km_sigma, rng, far)
    l_rows["lat"][n_matched:], l_rows["lon"][n_matched:] = _shift_place(
        l_rows["lat"][n_matched:], l_rows["lon"][n_matched:], 3.0, rng
    )
    deaths = l_rows["deaths"].copy()
    differ = rng.random(n_l) < p.fatality_share
    factor = np.exp(rng.normal(0, 0.5, n_l))
    delta = rng.integers(-2, 3, n_l)
    deaths = np.where(differ, np.maximum(0, np.round(deaths * factor) + delta), deaths)
    deaths = deaths.astype(np.int64)
    half = deaths[second_l] // 2
    deaths[second_l] -= half
    deaths[n_matched:] = half
    l_rows["deaths"] = deaths
    other_group = rng.random(n_l) < p.actor_share
    l_rows["group"] = np.where(
        other_group, (l_rows["group"] + rng.integers(1, len(_GROUPS), n_l)) % len(_GROUPS),
        l_rows["group"],
    )  # fmt: skip

    # unrelated events on each side
    l_extra = _incidents(n_left - n_l, rng, first, days, regions)
    r_extra = _incidents(n_right - right_matched, rng, first, days, regions)
    l_all = {k: np.concatenate([l_rows[k], l_extra[k]]) for k in l_rows}
    r_all = {k: np.concatenate([r_rows[k], r_extra[k]]) for k in r_rows}
    r_span = np.where(rng.random(n_right) < p.range_share, rng.integers(1, 4, n_right), 0)

    # shuffle so that row order carries no information; keep the maps for the truth
    l_order = rng.permutation(n_left)
    r_order = rng.permutation(n_right)
    left = _table(
        _take(l_all, l_order),
        source="acled",
        prefix="L",
        first=first,
        span=np.zeros(n_left, dtype=np.int64),
        missing_group=rng.random(n_left) < p.actor_missing_share,
    )
    right = _table(
        _take(r_all, r_order),
        source="ucdp",
        prefix="R",
        first=first,
        span=r_span,
        missing_group=rng.random(n_right) < p.actor_missing_share,
    )
    l_pos = np.empty(n_left, dtype=np.int64)
    l_pos[l_order] = np.arange(n_left)
    r_pos = np.empty(n_right, dtype=np.int64)
    r_pos[r_order] = np.arange(n_right)

    # truth: incident i is left row i (and n_matched + j for the j-th split) and right row i
    # (and n_matched + j for the j-th merge)
    incident = np.arange(n_matched)
    l_of = [incident, second_l, incident[kind == 2]]
    l_idx = [l_pos[incident], l_pos[n_matched + np.arange(n_split)], l_pos[second_r]]
    r_idx = [r_pos[incident], r_pos[second_l], r_pos[n_matched + np.arange(n_merge)]]
    labels = np.where(kind == 1, "split", np.where(kind == 2, "merge", "one_to_one"))
    truth = pd.DataFrame(
        {
            "left_event_id": left["event_id"].to_numpy()[np.concatenate(l_idx)],
            "right_event_id": right["event_id"].to_numpy()[np.concatenate(r_idx)],
            "incident": np.concatenate(l_of),
            "kind": np.concatenate([labels, labels[second_l], labels[kind == 2]]),
        }
    )
    truth = truth.sort_values(["incident", "left_event_id", "right_event_id"], kind="stable")
    return left, right, truth.reset_index(drop=True)
