"""Priority areas: rank target areas by burglary statistics.

Three methods, all pure and vectorised with numpy (see ``docs/ranking.md``):

``rate``
    Burglaries per 1,000 households in ``[period_from, period_to)`` with an exact Poisson 95 %
    interval (Garwood, chi-square form). Burglaries are counted aoristically: one whose time is
    only known to lie in a window ``[occurred_from, occurred_to]`` adds the share of the window
    that falls inside the period; one with a known time adds 1 when ``period_from <= t <
    period_to``.
``eb``
    Empirical Bayes rate (Marshall 1991, global moment estimator), shrunk toward the kommun mean so
    that one burglary in a three-household hamlet does not top the list.
``near_repeat``
    Prospective score at ``period_to`` (Bowers, Johnson & Pease 2004): every burglary known by
    ``period_to`` adds ``(1 - d / bandwidth) * (1 - age / window)`` to each area whose point lies
    within ``bandwidth`` metres, while its age is below ``window`` days.

Every method fills every field of :class:`RankedArea`; ``score`` is the field the order follows.
Decisions where the rule is silent:

* Incidents without ``area_id`` (or with an ``area_id`` not among ``areas``) count for no area, so
  they are not in any rate nor in the EB mean ``m`` (households are known per area only). They do
  count for ``near_repeat`` when they have a point.
* Areas with 0 households have no defined rate: ``rate_per_1000``, the interval and the EB rate are
  reported as 0.0, they take no part in the EB estimate, and they are ranked after every area with
  households, whatever the method.
* Aoristic counts are not whole numbers, so the Poisson interval uses the gamma form, which equals
  the chi-square form for whole ``k``: ``low = Gamma(k).ppf(0.025)`` (0 when ``k == 0``),
  ``high = Gamma(k + 1).ppf(0.975)``.
* The EB prior is estimated per kommun over all given areas with households, covered or not; if
  the moment estimate of the between-area variance ``a`` is <= 0, every area gets the mean ``m``.
* ``near_repeat`` takes a windowed burglary's age from ``occurred_to`` (when it was known at the
  latest) and leaves out burglaries with ``occurred_to > period_to`` (not yet known). A burglary
  with an ``area_id`` counts at distance 0 for its own area, wherever that area's point lies;
  one without a point is placed at its area's point.
* Ties: more households first, then the smaller ``area_id``.
* Every sum is independent of the order the areas and incidents come in (sums over areas are
  exact, :func:`math.fsum`; sums per area add their terms in a canonical order), so an exact tie
  stays an exact tie and the tie rule above decides it, whatever order the input was read in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, get_args

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import spatial, stats

from grannsamverkan import messages
from grannsamverkan.errors import FieldError, InvalidInput

__all__ = [
    "DEFAULT_BANDWIDTH_M",
    "DEFAULT_TIME_WINDOW_DAYS",
    "METHODS",
    "METHOD_WORDS",
    "AreaTable",
    "Incident",
    "IncidentTable",
    "Method",
    "RankedArea",
    "RankingArea",
    "Scores",
    "aoristic_weights",
    "area_counts",
    "eb_rates",
    "near_repeat_scores",
    "order",
    "poisson_interval",
    "rank_areas",
    "score_areas",
    "sum_by",
]

Method = Literal["rate", "eb", "near_repeat"]
METHODS: Final[tuple[Method, ...]] = get_args(Method)
#: Each method in the words of the priority page (web/wording.py), for a message that lists them.
METHOD_WORDS: Final[dict[str, str]] = {
    "rate": "inbrott per 1 000 hushåll",
    "eb": "empirisk Bayes",
    "near_repeat": "upprepade inbrott nära i tid och rum",
}

DEFAULT_BANDWIDTH_M: Final = 400.0
DEFAULT_TIME_WINDOW_DAYS: Final = 56.0
_DAY_S: Final = 86_400.0

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class RankingArea(msgspec.Struct, frozen=True, kw_only=True):
    """An area as ranking sees it; ``x``, ``y`` is a representative point in SWEREF 99 TM (m)."""

    area_id: int
    name: str
    kommun: str
    households: int
    x: float
    y: float
    has_active_group: bool


class Incident(msgspec.Struct, frozen=True, kw_only=True):
    """A burglary; tz-aware times, ``occurred_from == occurred_to`` for a known time."""

    occurred_from: datetime
    occurred_to: datetime
    area_id: int | None = None
    x: float | None = None
    y: float | None = None


class RankedArea(msgspec.Struct, frozen=True, kw_only=True):
    """One item of ``GET /api/v1/priority-areas``."""

    rank: int
    area_id: int
    name: str
    kommun: str
    households: int
    burglaries: float
    rate_per_1000: float
    rate_ci_low: float
    rate_ci_high: float
    eb_rate_per_1000: float
    near_repeat_score: float
    has_active_group: bool
    score: float


# --------------------------------------------------------------------------------------------
# Columnar forms


class AreaTable:
    """Areas as numpy columns, in the order given."""

    __slots__ = ("area_id", "areas", "covered", "households", "index_of", "kommun_index", "xy")

    def __init__(self, areas: Sequence[RankingArea]) -> None:
        errors: list[FieldError] = []
        self.areas = tuple(areas)
        self.area_id: IntArray = np.fromiter((a.area_id for a in self.areas), np.int64, len(self.areas))
        self.households: FloatArray = np.fromiter((a.households for a in self.areas), np.float64, len(self.areas))
        self.xy: FloatArray = np.array([(a.x, a.y) for a in self.areas], np.float64).reshape(-1, 2)
        self.covered = np.fromiter((a.has_active_group for a in self.areas), bool, len(self.areas))
        kommuns = {k: i for i, k in enumerate(dict.fromkeys(a.kommun for a in self.areas))}
        self.kommun_index: IntArray = np.fromiter((kommuns[a.kommun] for a in self.areas), np.int64, len(self.areas))
        self.index_of: dict[int, int] = {}
        for i, a in enumerate(self.areas):
            if a.area_id in self.index_of:
                errors.append(FieldError.of(f"areas[{i}].area_id", "ranking.duplicate_area"))
            self.index_of[a.area_id] = i
            if a.households < 0:
                errors.append(FieldError.of(f"areas[{i}].households", "eligibility.not_negative"))
            if not (math.isfinite(a.x) and math.isfinite(a.y)):
                errors.append(FieldError.of(f"areas[{i}].x", "ranking.finite"))
        if errors:
            raise InvalidInput("ranking.invalid_areas", errors)

    def __len__(self) -> int:
        return len(self.areas)


class IncidentTable:
    """Incidents as numpy columns: POSIX seconds, area index into an :class:`AreaTable`, point.

    Build it once with :meth:`build` when the same incidents are ranked many times (backtests);
    ``area`` is -1 for an incident without a known area, ``x``/``y`` are NaN without a point
    (filled from the area's point when the area is known).
    """

    __slots__ = ("area", "area_ids", "t_from", "t_to", "x", "y")

    def __init__(
        self,
        t_from: FloatArray,
        t_to: FloatArray,
        area: IntArray,
        x: FloatArray,
        y: FloatArray,
        area_ids: IntArray,
    ) -> None:
        self.t_from, self.t_to, self.area, self.x, self.y = t_from, t_to, area, x, y
        #: The ``area_id`` column of the AreaTable that ``area`` indexes into.
        self.area_ids = area_ids

    def __len__(self) -> int:
        return len(self.t_from)

    @classmethod
    def build(cls, incidents: Sequence[Incident], areas: AreaTable) -> IncidentTable:
        n = len(incidents)
        froms = [inc.occurred_from for inc in incidents]
        tos = [inc.occurred_to for inc in incidents]
        errors = [
            FieldError.of(f"incidents[{i}].occurred_from", "ranking.tz_aware")
            for i, (f, t) in enumerate(zip(froms, tos, strict=True))
            if f.tzinfo is None or t.tzinfo is None
        ]
        if errors:
            raise InvalidInput("ranking.invalid_incidents", errors[:100])
        t_from = np.fromiter(map(datetime.timestamp, froms), np.float64, n)
        t_to = np.fromiter(map(datetime.timestamp, tos), np.float64, n)
        backwards = np.flatnonzero(t_to < t_from)
        if len(backwards):
            raise InvalidInput(
                "ranking.invalid_incidents",
                [FieldError.of(f"incidents[{i}].occurred_to", "ranking.to_before_from") for i in backwards[:100].tolist()],
            )
        get = areas.index_of.get
        area = np.fromiter((-1 if inc.area_id is None else get(inc.area_id, -1) for inc in incidents), np.int64, n)
        x = np.array([inc.x for inc in incidents], np.float64).reshape(n)
        y = np.array([inc.y for inc in incidents], np.float64).reshape(n)
        no_point = np.isnan(x) | np.isnan(y)
        x[no_point] = np.nan
        y[no_point] = np.nan
        fill = no_point & (area >= 0)
        x[fill] = areas.xy[area[fill], 0]
        y[fill] = areas.xy[area[fill], 1]
        return cls(t_from, t_to, area, x, y, areas.area_id)


# --------------------------------------------------------------------------------------------
# The pieces


def aoristic_weights(t_from: FloatArray, t_to: FloatArray, p0: float, p1: float) -> FloatArray:
    """Share of each incident's window ``[t_from, t_to]`` inside the period ``[p0, p1)``.

    A point event (``t_from == t_to``) weighs 1 when ``p0 <= t < p1``, else 0. Works on any
    consistent time unit (seconds in this module).
    """
    t_from = np.asarray(t_from, np.float64)
    t_to = np.asarray(t_to, np.float64)
    width = t_to - t_from
    overlap = np.clip(np.minimum(t_to, p1) - np.maximum(t_from, p0), 0.0, None)
    point = ((t_from >= p0) & (t_from < p1)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(width > 0, overlap / np.where(width > 0, width, 1.0), point)
    return np.minimum(spread, 1.0)


def sum_by(index: IntArray, weights: FloatArray, length: int) -> FloatArray:
    """``out[i] = Σ weights[index == i]``, the same floats whatever order the pairs come in.

    Float addition is not associative, so each sum adds its terms in a canonical order: by value
    (``bincount`` adds in array order, so sorting all terms by value sorts every sum's terms).
    Zero terms change no sum and are dropped first.
    """
    nonzero = weights != 0
    index, weights = index[nonzero], weights[nonzero]
    ascending = np.argsort(weights, kind="stable")
    return np.bincount(index[ascending], weights=weights[ascending], minlength=length).astype(np.float64)


def area_counts(areas: AreaTable, incidents: IncidentTable, p0: float, p1: float) -> FloatArray:
    """Aoristic burglary count per area in ``[p0, p1)`` (POSIX seconds), unassigned left out."""
    w = aoristic_weights(incidents.t_from, incidents.t_to, p0, p1)
    known = incidents.area >= 0
    return sum_by(incidents.area[known], w[known], len(areas))


def poisson_interval(k: FloatArray, confidence: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood) Poisson interval for the mean of a count ``k``, in the gamma form.

    For whole ``k`` this is ``chi2.ppf(α/2, 2k)/2`` and ``chi2.ppf(1-α/2, 2k+2)/2``; for aoristic
    (fractional) counts the gamma form interpolates smoothly. ``low`` is 0 when ``k == 0``.
    """
    k = np.asarray(k, np.float64)
    alpha = 1.0 - confidence
    low = np.zeros_like(k)
    pos = k > 0
    low[pos] = stats.gamma.ppf(alpha / 2, k[pos])
    high = stats.gamma.ppf(1 - alpha / 2, k + 1.0)
    return low, np.asarray(high, np.float64)


def eb_rates(counts: FloatArray, households: FloatArray, groups: IntArray | None = None) -> FloatArray:
    """Marshall (1991) global Empirical Bayes rates per household, one prior per group (kommun).

    Per group over areas with ``n_i > 0``: ``m = Σk/Σn``, ``s² = Σ n_i (r_i − m)² / Σn``,
    ``a = s² − m / n̄``. When ``a <= 0`` every area gets ``m``; else
    ``eb_i = w_i r_i + (1 − w_i) m`` with ``w_i = a / (a + m / n_i)``. Areas with ``n_i == 0``
    get 0. The sums are exact (:func:`math.fsum`), so the areas' order does not change a result.
    """
    k = np.asarray(counts, np.float64)
    n = np.asarray(households, np.float64)
    g = np.zeros(len(k), np.int64) if groups is None else np.asarray(groups, np.int64)
    out = np.zeros(len(k))
    for group in np.unique(g):
        sel = (g == group) & (n > 0)
        if not sel.any():
            continue
        kk, nn = k[sel], n[sel]
        total = math.fsum(nn.tolist())
        m = math.fsum(kk.tolist()) / total
        r = kk / nn
        s2 = math.fsum((nn * (r - m) ** 2).tolist()) / total
        a = s2 - m / (total / len(nn))
        if a <= 0 or m <= 0:
            out[sel] = m
        else:
            w = a / (a + m / nn)
            out[sel] = w * r + (1 - w) * m
    return out


def near_repeat_scores(
    areas: AreaTable,
    incidents: IncidentTable,
    at: float,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
) -> FloatArray:
    """Σ (1 − d/bandwidth)⁺ (1 − age/window)⁺ over burglaries known by ``at`` (POSIX seconds)."""
    age = (at - incidents.t_to) / _DAY_S
    live = (age >= 0) & (age < time_window_days)
    idx = np.flatnonzero(live)
    tw = 1.0 - age[idx] / time_window_days
    own = incidents.area[idx]
    score = np.zeros(len(areas))
    if len(idx) == 0 or len(areas) == 0:
        return score
    has_point = ~np.isnan(incidents.x[idx])
    pts = np.column_stack((incidents.x[idx][has_point], incidents.y[idx][has_point]))
    sub = np.flatnonzero(has_point)  # positions within idx
    has_own_pair = np.zeros(len(idx), bool)
    near_area = np.zeros(0, np.int64)
    near_weight = np.zeros(0)
    if len(pts):
        pairs = spatial.cKDTree(pts).sparse_distance_matrix(spatial.cKDTree(areas.xy), bandwidth_m, output_type="ndarray")
        i = sub[pairs["i"]]
        near_area = pairs["j"].astype(np.int64)
        dw = np.clip(1.0 - pairs["v"] / bandwidth_m, 0.0, None)
        is_own = near_area == own[i]
        dw[is_own] = 1.0
        has_own_pair[i[is_own]] = True
        near_weight = dw * tw[i]
    extra = (own >= 0) & ~has_own_pair
    return sum_by(
        np.concatenate((near_area, own[extra])),
        np.concatenate((near_weight, tw[extra])),
        len(areas),
    )


def order(score: FloatArray, households: FloatArray, area_id: IntArray) -> IntArray:
    """Indices best first: areas with households before those without, then higher score,
    more households, smaller ``area_id``."""
    return np.lexsort((area_id, -households, -score, households <= 0)).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Ranking


@dataclass(frozen=True, slots=True, kw_only=True)
class Scores:
    """Every per-area number, aligned with the :class:`AreaTable` (not yet ordered)."""

    burglaries: FloatArray
    rate_per_1000: FloatArray
    rate_ci_low: FloatArray
    rate_ci_high: FloatArray
    eb_rate_per_1000: FloatArray
    near_repeat_score: FloatArray
    score: FloatArray


def _validate(
    method: str,
    period_from: datetime,
    period_to: datetime,
    bandwidth_m: float,
    time_window_days: float,
    limit: int | None,
) -> None:
    errors: list[FieldError] = []
    if method not in METHODS:
        errors.append(FieldError.of("method", "ranking.method_unknown", methods=messages.choices(METHOD_WORDS, METHODS)))
    aware = True
    for field, value in (("from", period_from), ("to", period_to)):
        if value.utcoffset() is None:
            errors.append(FieldError.of(field, "ranking.tz_aware"))
            aware = False
    if aware and not period_from < period_to:
        errors.append(FieldError.of("to", "ranking.after", start="from"))
    if not (math.isfinite(bandwidth_m) and bandwidth_m > 0):
        errors.append(FieldError.of("bandwidth_m", "ranking.positive"))
    if not (math.isfinite(time_window_days) and time_window_days > 0):
        errors.append(FieldError.of("time_window_days", "ranking.positive"))
    if limit is not None and limit < 1:
        errors.append(FieldError.of("limit", "ranking.at_least_one"))
    if errors:
        raise InvalidInput("ranking.invalid_parameters", errors)


def score_areas(
    method: Method,
    areas: AreaTable,
    incidents: IncidentTable,
    period_from: datetime,
    period_to: datetime,
    *,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
) -> Scores:
    """All per-area numbers for one period, aligned with ``areas``; ``score`` follows ``method``."""
    _validate(method, period_from, period_to, bandwidth_m, time_window_days, None)
    p0, p1 = period_from.timestamp(), period_to.timestamp()
    k = area_counts(areas, incidents, p0, p1)
    n = areas.households
    has = n > 0
    per_1000 = np.where(has, 1000.0 / np.where(has, n, 1.0), 0.0)
    low, high = poisson_interval(k)
    # k·1000/n rounds once, so equal rates (1 in 3, 3 in 9) are equal floats and tie
    rate = np.where(has, k * 1000.0 / np.where(has, n, 1.0), 0.0)
    eb = eb_rates(k, n, areas.kommun_index) * 1000.0
    nr = near_repeat_scores(areas, incidents, p1, bandwidth_m, time_window_days)
    chosen = {"rate": rate, "eb": eb, "near_repeat": nr}[method]
    return Scores(
        burglaries=k,
        rate_per_1000=rate,
        rate_ci_low=low * per_1000,
        rate_ci_high=high * per_1000,
        eb_rate_per_1000=eb,
        near_repeat_score=nr,
        score=chosen,
    )


def rank_areas(
    method: Method,
    areas: Sequence[RankingArea],
    incidents: Sequence[Incident] | IncidentTable,
    period_from: datetime,
    period_to: datetime,
    *,
    include_covered: bool = False,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
    limit: int | None = None,
) -> list[RankedArea]:
    """Rank ``areas`` by ``method`` over ``[period_from, period_to)``; best first, ranks from 1.

    Areas with an active group are left out unless ``include_covered``; they still inform the EB
    prior. ``incidents`` may be an :class:`IncidentTable` built for the same ``areas``.
    """
    _validate(method, period_from, period_to, bandwidth_m, time_window_days, limit)
    table = AreaTable(areas)
    if isinstance(incidents, IncidentTable):
        if not np.array_equal(incidents.area_ids, table.area_id):
            raise InvalidInput.at("incidents", "ranking.incidents_other_areas")
        inc = incidents
    else:
        inc = IncidentTable.build(incidents, table)
    s = score_areas(
        method,
        table,
        inc,
        period_from,
        period_to,
        bandwidth_m=bandwidth_m,
        time_window_days=time_window_days,
    )
    idx = _ranked_indices(s, table, include_covered=include_covered, limit=limit)
    return _ranked_areas(s, table, idx)


def _ranked_indices(s: Scores, table: AreaTable, *, include_covered: bool, limit: int | None) -> IntArray:
    """Positions in ``table``, best first, without the covered areas (unless included), at most ``limit``."""
    idx = order(s.score, table.households, table.area_id)
    if not include_covered:
        idx = idx[~table.covered[idx]]
    if limit is not None:
        idx = idx[:limit]
    return idx


def _ranked_areas(s: Scores, table: AreaTable, idx: IntArray) -> list[RankedArea]:
    """One :class:`RankedArea` per position of ``idx``, ranked from 1 in that order."""
    cols = [
        c[idx].tolist()
        for c in (
            s.burglaries,
            s.rate_per_1000,
            s.rate_ci_low,
            s.rate_ci_high,
            s.eb_rate_per_1000,
            s.near_repeat_score,
            s.score,
        )
    ]
    out = []
    for rank, (i, k, rate, low, high, eb, nr, score) in enumerate(zip(idx.tolist(), *cols, strict=True), 1):
        a = table.areas[i]
        out.append(
            RankedArea(
                rank=rank,
                area_id=a.area_id,
                name=a.name,
                kommun=a.kommun,
                households=a.households,
                burglaries=k,
                rate_per_1000=rate,
                rate_ci_low=low,
                rate_ci_high=high,
                eb_rate_per_1000=eb,
                near_repeat_score=nr,
                has_active_group=a.has_active_group,
                score=score,
            )
        )
    return out
