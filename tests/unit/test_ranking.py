"""Priority-area ranking, checked against hand-computed values and a few properties."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from random import Random

import msgspec
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from grannsamverkan.domain.ranking import (
    AreaTable,
    Incident,
    IncidentTable,
    Method,
    RankedArea,
    RankingArea,
    aoristic_weights,
    eb_rates,
    poisson_interval,
    rank_areas,
    sum_by,
)
from grannsamverkan.errors import InvalidInput

P0 = datetime(2024, 1, 1, tzinfo=UTC)
P1 = datetime(2025, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)

API_FIELDS = [
    "rank",
    "area_id",
    "name",
    "kommun",
    "households",
    "burglaries",
    "rate_per_1000",
    "rate_ci_low",
    "rate_ci_high",
    "eb_rate_per_1000",
    "near_repeat_score",
    "has_active_group",
    "score",
]


def area(
    area_id: int,
    households: int,
    x: float = 0.0,
    y: float = 0.0,
    *,
    covered: bool = False,
    kommun: str = "2283",
) -> RankingArea:
    return RankingArea(
        area_id=area_id,
        name=f"A{area_id}",
        kommun=kommun,
        households=households,
        x=x,
        y=y,
        has_active_group=covered,
    )


def at(when: datetime, area_id: int | None = None, x: float | None = None, y: float | None = None) -> Incident:
    return Incident(occurred_from=when, occurred_to=when, area_id=area_id, x=x, y=y)


def burglaries(area_id: int, k: int, when: datetime = P0 + 10 * DAY) -> list[Incident]:
    return [at(when, area_id) for _ in range(k)]


def by_id(ranked: list[RankedArea]) -> dict[int, RankedArea]:
    return {r.area_id: r for r in ranked}


# --- the output shape ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["rate", "eb", "near_repeat"])
def test_every_method_fills_exactly_the_api_fields(method: Method) -> None:
    ranked = rank_areas(method, [area(1, 10), area(2, 20, 50)], burglaries(1, 1), P0, P1)
    assert list(msgspec.structs.asdict(ranked[0])) == API_FIELDS
    assert [r.rank for r in ranked] == [1, 2]
    for r in ranked:
        for name in API_FIELDS:
            value = getattr(r, name)
            assert value is not None
            if isinstance(value, float):
                assert math.isfinite(value)
    payload = msgspec.json.decode(msgspec.json.encode(ranked))
    assert payload[0]["kommun"] == "2283"


# --- rate and its Poisson interval ------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "low", "high"),
    [
        (0, 0.0, 3.688879),  # -ln(0.025)
        (1, 0.025318, 5.571643),  # Garwood's table
        (5, 1.623486, 11.668332),
    ],
)
def test_poisson_interval_known_values(k: int, low: float, high: float) -> None:
    lo, hi = poisson_interval(np.array([float(k)]))
    assert lo[0] == pytest.approx(low, abs=1e-6)
    assert hi[0] == pytest.approx(high, abs=1e-6)
    # and it is the chi-square form
    assert hi[0] == pytest.approx(stats.chi2.ppf(0.975, 2 * k + 2) / 2)
    if k:
        assert lo[0] == pytest.approx(stats.chi2.ppf(0.025, 2 * k) / 2)


def test_fractional_counts_interpolate_the_interval() -> None:
    lo, hi = poisson_interval(np.array([1.0, 1.5, 2.0]))
    assert lo[0] < lo[1] < lo[2]
    assert hi[0] < hi[1] < hi[2]


def test_rate_per_1000_households_with_interval() -> None:
    ranked = rank_areas("rate", [area(1, 500)], burglaries(1, 5), P0, P1)
    r = ranked[0]
    assert r.burglaries == 5.0
    assert r.rate_per_1000 == pytest.approx(10.0)
    assert r.rate_ci_low == pytest.approx(1.623486 * 2, abs=1e-5)
    assert r.rate_ci_high == pytest.approx(11.668332 * 2, abs=1e-5)
    assert r.score == r.rate_per_1000


def test_burglaries_outside_the_period_or_without_area_do_not_count() -> None:
    incidents = [
        at(P0 - DAY, 1),
        at(P1, 1),  # the period is half-open
        at(P0, 1),
        at(P0 + DAY, None, 0.0, 0.0),  # kommun-level only
        at(P0 + DAY, 99),  # unknown area: kommun-level too
    ]
    r = rank_areas("rate", [area(1, 100)], incidents, P0, P1)[0]
    assert r.burglaries == 1.0
    assert r.rate_per_1000 == pytest.approx(10.0)


def test_areas_without_households_come_last_with_zero_rates() -> None:
    areas = [area(1, 0), area(2, 100), area(3, 100)]
    incidents = burglaries(1, 3) + burglaries(2, 1)
    for method in ("rate", "eb", "near_repeat"):
        ranked = rank_areas(method, areas, incidents, P0, P1)  # type: ignore[arg-type]
        assert ranked[-1].area_id == 1, method
        empty = ranked[-1]
        assert empty.burglaries == 3.0
        assert (
            empty.rate_per_1000,
            empty.rate_ci_low,
            empty.rate_ci_high,
            empty.eb_rate_per_1000,
        ) == (0, 0, 0, 0)


# --- aoristic weighting ----------------------------------------------------------------------


def test_a_window_spreads_over_two_periods() -> None:
    dec = datetime(2023, 12, 1, tzinfo=UTC)
    jan = datetime(2024, 1, 1, tzinfo=UTC)
    feb = datetime(2024, 2, 1, tzinfo=UTC)
    # found on 2 January, left on the evening of 30 December: 1 of 3 days in January
    window = Incident(
        occurred_from=datetime(2023, 12, 30, tzinfo=UTC),
        occurred_to=datetime(2024, 1, 2, tzinfo=UTC),
        area_id=1,
    )
    december = rank_areas("rate", [area(1, 1000)], [window], dec, jan)[0]
    january = rank_areas("rate", [area(1, 1000)], [window], jan, feb)[0]
    assert december.burglaries == pytest.approx(2 / 3)
    assert january.burglaries == pytest.approx(1 / 3)
    assert december.rate_per_1000 == pytest.approx(2 / 3)
    # the interval follows the weighted count in the gamma form
    assert january.rate_ci_high == pytest.approx(stats.gamma.ppf(0.975, 1 / 3 + 1))


def test_a_one_second_window_across_the_end_of_the_period_counts_half() -> None:
    half_second = timedelta(milliseconds=500)
    window = Incident(occurred_from=P1 - half_second, occurred_to=P1 + half_second, area_id=1)
    assert rank_areas("rate", [area(1, 1000)], [window], P0, P1)[0].burglaries == 0.5


def test_aoristic_point_events_and_edges() -> None:
    t_from = np.array([0.0, 10.0, 5.0, 8.0, 12.0])
    t_to = np.array([0.0, 10.0, 5.0, 12.0, 14.0])
    w = aoristic_weights(t_from, t_to, 0.0, 10.0)
    # t == p0 counts, t == p1 does not, inside counts, half a window, a window outside
    assert w.tolist() == [1.0, 0.0, 1.0, 0.5, 0.0]


times = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(
    times,
    st.floats(min_value=0, max_value=1e5),
    times,
    st.floats(min_value=1e-3, max_value=1e5),
    st.floats(min_value=1e-3, max_value=1e5),
)
def test_aoristic_weights_sum_to_at_most_one(start: float, width: float, p0: float, len1: float, len2: float) -> None:
    t_from, t_to = np.array([start]), np.array([start + width])
    a = aoristic_weights(t_from, t_to, p0, p0 + len1)[0]
    b = aoristic_weights(t_from, t_to, p0 + len1, p0 + len1 + len2)[0]
    assert 0.0 <= a <= 1.0
    assert 0.0 <= b <= 1.0
    assert a + b <= 1.0 + 1e-9
    if width > 0 and p0 <= start and start + width <= p0 + len1 + len2:
        assert a + b == pytest.approx(1.0)


# --- Empirical Bayes -------------------------------------------------------------------------


def hamlet_example() -> tuple[list[RankingArea], list[Incident]]:
    areas = [
        area(1, 2),
        area(2, 100, 10_000),
        area(3, 100, 20_000),
        area(4, 100, 30_000),
        area(5, 100, 40_000),
    ]
    incidents = burglaries(1, 1) + burglaries(2, 10) + burglaries(3, 2) + burglaries(5, 4)
    return areas, incidents


def test_a_hamlet_with_one_burglary_tops_rate_but_not_eb() -> None:
    areas, incidents = hamlet_example()
    rate = rank_areas("rate", areas, incidents, P0, P1)
    eb = rank_areas("eb", areas, incidents, P0, P1)
    assert rate[0].area_id == 1
    assert rate[0].rate_per_1000 == pytest.approx(500.0)
    assert eb[0].area_id == 2
    assert by_id(eb)[1].rank > 1
    # By hand (exact fractions): m = 17/402 = 0.0422886, s² = 0.00244053, n̄ = 80.4,
    # a = s² − m/n̄ = 0.00191456;
    #   hamlet: w = a/(a + m/2) = 0.0830292, eb = w·0.5 + (1 − w)·m = 0.0802920
    #   area 2: w = a/(a + m/100) = 0.8190819, eb = w·0.1 + (1 − w)·m = 0.0895590
    assert by_id(eb)[1].eb_rate_per_1000 == pytest.approx(80.2920, abs=1e-4)
    assert by_id(eb)[2].eb_rate_per_1000 == pytest.approx(89.5590, abs=1e-4)
    assert eb[0].score == eb[0].eb_rate_per_1000


def test_eb_collapses_to_the_mean_when_the_variance_is_not_above_poisson_noise() -> None:
    # rates 10 and 20 per 1000: s² = 0.000025 < m / n̄ = 0.00015, so a < 0
    areas = [area(1, 100), area(2, 100, 5000)]
    ranked = rank_areas("eb", areas, burglaries(1, 1) + burglaries(2, 2), P0, P1)
    assert [r.eb_rate_per_1000 for r in ranked] == pytest.approx([15.0, 15.0])
    # equal scores: more households first, then the smaller area_id
    assert [r.area_id for r in ranked] == [1, 2]


def test_eb_without_burglaries_is_zero() -> None:
    assert eb_rates(np.zeros(3), np.array([10.0, 20.0, 30.0])).tolist() == [0.0, 0.0, 0.0]


def test_eb_prior_is_per_kommun() -> None:
    k = np.array([1.0, 2.0, 30.0, 30.0])
    n = np.array([100.0, 100.0, 100.0, 100.0])
    eb = eb_rates(k, n, np.array([0, 0, 1, 1]))
    assert eb.tolist() == pytest.approx([0.015, 0.015, 0.3, 0.3])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=2000), st.floats(min_value=0, max_value=300)),
        min_size=1,
        max_size=30,
    )
)
def test_eb_lies_between_the_raw_rate_and_the_mean(rows: list[tuple[int, float]]) -> None:
    n = np.array([r[0] for r in rows], np.float64)
    k = np.array([r[1] for r in rows], np.float64)
    eb = eb_rates(k, n)
    has = n > 0
    assert np.all(eb[~has] == 0)
    if not has.any():
        return
    m = k[has].sum() / n[has].sum()
    r = k[has] / n[has]
    lo, hi = np.minimum(r, m), np.maximum(r, m)
    tol = 1e-9 * (1 + np.abs(hi))
    assert np.all(eb[has] >= lo - tol)
    assert np.all(eb[has] <= hi + tol)


def test_each_kommun_is_shrunk_toward_its_own_mean() -> None:
    # Two kommuner in one list: a quiet one (10 and 20 per 1000) and a busy one (300 and 310).
    # Within each the spread is Poisson noise, so every area gets its own kommun's mean.
    areas = [
        area(1, 100, kommun="2283"),
        area(2, 100, 5000, kommun="2283"),
        area(3, 100, 10_000, kommun="0180"),
        area(4, 100, 15_000, kommun="0180"),
    ]
    incidents = burglaries(1, 1) + burglaries(2, 2) + burglaries(3, 30) + burglaries(4, 31)
    ranked = by_id(rank_areas("eb", areas, incidents, P0, P1))
    assert ranked[1].eb_rate_per_1000 == pytest.approx(15.0)
    assert ranked[2].eb_rate_per_1000 == pytest.approx(15.0)
    assert ranked[3].eb_rate_per_1000 == pytest.approx(305.0)
    assert ranked[4].eb_rate_per_1000 == pytest.approx(305.0)


def test_a_kommun_without_households_does_not_stop_the_next_kommun() -> None:
    # the first kommun's only area is empty; the second still gets its EB rates
    areas = [area(1, 0, kommun="2283"), area(2, 100, 5000, kommun="0180"), area(3, 100, 9000, kommun="0180")]
    incidents = burglaries(1, 2) + burglaries(2, 1) + burglaries(3, 3)
    ranked = by_id(rank_areas("eb", areas, incidents, P0, P1))
    assert ranked[1].eb_rate_per_1000 == 0.0
    assert ranked[2].eb_rate_per_1000 == pytest.approx(20.0)
    assert ranked[3].eb_rate_per_1000 == pytest.approx(20.0)
    assert ranked[1].rank == 3


@pytest.mark.parametrize("method", ["rate", "eb", "near_repeat"])
def test_an_area_of_one_household_is_an_area_with_households(method: Method) -> None:
    areas = [area(1, 0), area(2, 1, 5000), area(3, 100, 10_000)]
    incidents = [at(P1 - DAY, 1, 0, 0), at(P1 - DAY, 2, 5000, 0)]
    ranked = rank_areas(method, areas, incidents, P0, P1)  # type: ignore[arg-type]
    one = by_id(ranked)[2]
    assert one.rate_per_1000 == 1000.0
    assert one.rate_ci_high > one.rate_per_1000
    assert one.eb_rate_per_1000 > 0.0
    assert one.rank == 1  # the empty area 1 has as many burglaries, yet comes last
    assert ranked[-1].area_id == 1


def test_an_area_without_households_comes_last_even_with_the_highest_near_repeat_score() -> None:
    areas = [area(1, 0), area(2, 10, 5000), area(3, 10, 10_000)]
    incidents = [at(P1 - DAY, 1, 0, 0), at(P1 - DAY, 1, 0, 0), at(P1 - 20 * DAY, 2, 5000, 0)]
    ranked = rank_areas("near_repeat", areas, incidents, P0, P1)
    assert [r.area_id for r in ranked] == [2, 3, 1]
    assert ranked[-1].near_repeat_score > ranked[0].near_repeat_score


# --- near repeat -----------------------------------------------------------------------------


def test_a_fresh_burglary_next_to_a_raises_a_above_b() -> None:
    areas = [area(1, 50, 0, 0), area(2, 50, 1000, 0)]
    old_near_b = at(P1 - 50 * DAY, 2, 1000, 0)
    before = rank_areas("near_repeat", areas, [old_near_b], P0, P1)
    assert [r.area_id for r in before] == [2, 1]
    fresh_near_a = at(P1 - DAY, None, 100, 0)
    after = by_id(rank_areas("near_repeat", areas, [old_near_b, fresh_near_a], P0, P1))
    # A: (1 − 100/400)·(1 − 1/56); B: 1·(1 − 50/56)
    assert after[1].near_repeat_score == pytest.approx(0.75 * 55 / 56)
    assert after[2].near_repeat_score == pytest.approx(6 / 56)
    assert after[1].rank == 1
    assert after[1].score == after[1].near_repeat_score


@pytest.mark.parametrize(
    ("distance", "age_days", "expected"),
    [
        (0.0, 0.0, 1.0),
        (399.0, 0.0, 1 / 400),
        (400.0, 0.0, 0.0),
        (401.0, 0.0, 0.0),
        (0.0, 55.0, 1 / 56),
        (0.0, 56.0, 0.0),
        (200.0, 28.0, 0.25),
        (0.0, -1.0, 0.0),  # not yet happened at period_to
    ],
)
def test_near_repeat_cut_offs(distance: float, age_days: float, expected: float) -> None:
    incident = at(P1 - age_days * DAY, None, distance, 0)
    score = rank_areas("near_repeat", [area(1, 10)], [incident], P0, P1)[0].near_repeat_score
    assert score == pytest.approx(expected, abs=1e-12)


def test_near_repeat_bandwidth_and_window_are_parameters() -> None:
    incident = at(P1 - 10 * DAY, None, 500, 0)
    score = rank_areas("near_repeat", [area(1, 10)], [incident], P0, P1, bandwidth_m=1000, time_window_days=20)
    assert score[0].near_repeat_score == pytest.approx(0.5 * 0.5)


def test_near_repeat_windowed_burglary_counts_from_when_it_was_found() -> None:
    found_later = Incident(occurred_from=P1 - 30 * DAY, occurred_to=P1 - 14 * DAY, x=0.0, y=0.0)
    not_yet_found = Incident(occurred_from=P1 - 2 * DAY, occurred_to=P1 + DAY, x=0.0, y=0.0)
    score = rank_areas("near_repeat", [area(1, 10)], [found_later, not_yet_found], P0, P1)[0]
    assert score.near_repeat_score == pytest.approx(1 - 14 / 56)


def test_near_repeat_own_area_counts_at_distance_zero_and_area_only_points() -> None:
    # a big rural area: its point is 2 km from the farm that was hit
    areas = [area(1, 10, 0, 0), area(2, 10, 2300, 0)]
    in_area_1 = at(P1, 1, 2000, 0)
    ranked = by_id(rank_areas("near_repeat", areas, [in_area_1], P0, P1))
    assert ranked[1].near_repeat_score == pytest.approx(1.0)
    assert ranked[2].near_repeat_score == pytest.approx(0.25)  # 300 m from the point
    # within the bandwidth of its own area's point: still distance 0 for its own area, once
    near_own_point = at(P1, 1, 200, 0)
    ranked = by_id(rank_areas("near_repeat", areas, [near_own_point], P0, P1))
    assert ranked[1].near_repeat_score == pytest.approx(1.0)
    assert ranked[2].near_repeat_score == 0.0
    # no point: placed at its area's point
    only_area = at(P1, 1)
    ranked = by_id(rank_areas("near_repeat", [area(1, 10, 0, 0), area(2, 10, 200, 0)], [only_area], P0, P1))
    assert ranked[1].near_repeat_score == pytest.approx(1.0)
    assert ranked[2].near_repeat_score == pytest.approx(0.5)


def test_a_burglary_known_only_by_its_kommun_adds_no_near_repeat_score() -> None:
    # no point and no area: nowhere to put it
    ranked = rank_areas("near_repeat", [area(1, 10), area(2, 10, 300)], [at(P1 - DAY)], P0, P1)
    assert [r.near_repeat_score for r in ranked] == [0.0, 0.0]
    with_one = rank_areas("near_repeat", [area(1, 10)], [at(P1 - DAY), at(P1, 1)], P0, P1)
    assert with_one[0].near_repeat_score == 1.0


def test_an_old_burglary_far_from_its_own_areas_point_still_fades_with_time() -> None:
    # a farm 2 km from its area's point, hit 28 of 56 days ago: half the weight, at distance 0
    ranked = by_id(rank_areas("near_repeat", [area(1, 10), area(2, 10, 9000)], [at(P1 - 28 * DAY, 1, 2000, 0)], P0, P1))
    assert ranked[1].near_repeat_score == pytest.approx(0.5)
    assert ranked[2].near_repeat_score == 0.0


def test_a_burglary_without_a_point_is_placed_at_its_areas_point_wherever_that_is() -> None:
    areas = [area(1, 10, 100_000, 6_500_000), area(2, 10, 100_200, 6_500_000), area(3, 10, 100_000, 6_500_300)]
    ranked = by_id(rank_areas("near_repeat", areas, [at(P1, 1)], P0, P1))
    assert ranked[1].near_repeat_score == 1.0
    assert ranked[2].near_repeat_score == pytest.approx(0.5)  # 200 m east
    assert ranked[3].near_repeat_score == pytest.approx(0.25)  # 300 m north


@pytest.mark.parametrize(("x", "y"), [(150.0, None), (None, 150.0), (math.nan, 150.0)])
def test_a_burglary_with_half_a_point_is_placed_at_its_areas_point(x: float | None, y: float | None) -> None:
    areas = [area(1, 10, 0, 0), area(2, 10, 200, 0), area(3, 10, 0, 300)]
    ranked = by_id(rank_areas("near_repeat", areas, [at(P1, 1, x, y)], P0, P1))
    assert [ranked[i].near_repeat_score for i in (1, 2, 3)] == pytest.approx([1.0, 0.5, 0.25])
    # and one without an area counts for no one
    alone = by_id(rank_areas("near_repeat", areas, [at(P1, None, x, y)], P0, P1))
    assert [alone[i].near_repeat_score for i in (1, 2, 3)] == [0.0, 0.0, 0.0]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1000, 1000), st.floats(-1000, 1000), st.floats(0, 80)), max_size=20),
    st.tuples(st.floats(-1000, 1000), st.floats(-1000, 1000), st.floats(0, 80)),
)
def test_adding_a_burglary_never_lowers_a_near_repeat_score(
    existing: list[tuple[float, float, float]], extra: tuple[float, float, float]
) -> None:
    areas = [area(i, 10, x, y) for i, (x, y) in enumerate([(0, 0), (300, 0), (0, 300), (-500, -500)], 1)]

    def scores(rows: list[tuple[float, float, float]]) -> dict[int, float]:
        incidents = [at(P1 - age * DAY, None, x, y) for x, y, age in rows]
        return {r.area_id: r.near_repeat_score for r in rank_areas("near_repeat", areas, incidents, P0, P1)}

    before, after = scores(existing), scores([*existing, extra])
    for area_id, value in before.items():
        assert after[area_id] >= value - 1e-12


# --- filtering, order, limits ------------------------------------------------------------------


def test_covered_areas_are_left_out_unless_asked_for() -> None:
    areas = [area(1, 100, covered=True), area(2, 100, 5000), area(3, 100, 10_000)]
    incidents = burglaries(1, 5) + burglaries(2, 1)
    default = rank_areas("rate", areas, incidents, P0, P1)
    assert [(r.rank, r.area_id) for r in default] == [(1, 2), (2, 3)]
    everything = rank_areas("rate", areas, incidents, P0, P1, include_covered=True)
    assert [(r.rank, r.area_id, r.has_active_group) for r in everything] == [
        (1, 1, True),
        (2, 2, False),
        (3, 3, False),
    ]
    # covered areas still inform the EB mean: m = 6/300
    eb = rank_areas("eb", areas, incidents, P0, P1)
    assert eb[-1].area_id == 3
    assert eb[-1].eb_rate_per_1000 < 20.0 + 1e-9


def test_ties_more_households_then_smaller_id() -> None:
    areas = [area(5, 10), area(3, 20, 5000), area(4, 20, 10_000)]
    ranked = rank_areas("rate", areas, [], P0, P1)
    assert [r.area_id for r in ranked] == [3, 4, 5]


def test_limit() -> None:
    areas = [area(i, 10 * i, 1000 * i) for i in range(1, 6)]
    assert [r.rank for r in rank_areas("rate", areas, [], P0, P1, limit=2)] == [1, 2]
    assert [r.area_id for r in rank_areas("rate", areas, [], P0, P1, limit=1)] == [5]


def test_a_small_bandwidth_and_a_short_window_are_accepted() -> None:
    # half a metre and half a day: only a burglary on the spot and within 12 hours counts
    incidents = [at(P1 - 0.25 * DAY, None, 0.25, 0), at(P1 - DAY, None, 0, 0), at(P1, None, 1, 0)]
    ranked = rank_areas("near_repeat", [area(1, 10)], incidents, P0, P1, bandwidth_m=0.5, time_window_days=0.5)
    assert ranked[0].near_repeat_score == pytest.approx(0.5 * 0.5)


def test_sum_by_adds_per_index_in_the_same_order_whatever_the_input_order() -> None:
    weights = np.array([0.1, 0.2, 0.3, 1e16, -1e16, 0.7, 2.0])
    index = np.array([0, 0, 0, 1, 1, 1, 3])
    expected = sum_by(index, weights, 5)
    assert expected[0] == pytest.approx(0.6)
    assert expected[2] == expected[4] == 0.0
    assert expected[3] == 2.0
    assert len(expected) == 5
    for seed in range(20):
        perm = np.random.default_rng(seed).permutation(len(weights))
        assert sum_by(index[perm], weights[perm], 5).tolist() == expected.tolist()


@settings(max_examples=50, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["rate", "eb", "near_repeat"]))
# Areas 11 and 6 tie exactly under EB; summed in input order they came out as 200.0 in one order
# and 199.99999999999994 in the other, and swapped places.
@example(rnd=Random(1002), method="eb")
def test_ranking_does_not_depend_on_input_order(rnd: Random, method: Method) -> None:
    areas = [area(i, rnd.choice([0, 5, 10, 10, 50]), rnd.uniform(0, 2000), 0) for i in range(1, 12)]
    incidents = [
        at(
            P1 - rnd.uniform(0, 90) * DAY,
            rnd.choice([None, *range(1, 12)]),
            rnd.uniform(0, 2000),
            0,
        )
        for _ in range(rnd.randint(0, 30))
    ]
    first = rank_areas(method, areas, incidents, P0, P1, include_covered=True)
    rnd.shuffle(areas)
    rnd.shuffle(incidents)
    second = rank_areas(method, areas, incidents, P0, P1, include_covered=True)
    assert [r.area_id for r in first] == [r.area_id for r in second]
    assert [r.score for r in first] == pytest.approx([r.score for r in second])
    scores = [r.score for r in first if r.households > 0]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=50, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["rate", "eb", "near_repeat"]))
@example(rnd=Random(1002), method="eb")
@example(rnd=Random(7), method="rate")
def test_shuffled_input_gives_the_same_list_to_the_last_digit(rnd: Random, method: Method) -> None:
    # Two kommuner, burglaries with a time window (fractional counts), equal and unequal rates.
    areas = [
        area(
            i,
            rnd.choice([0, 3, 9, 10, 15, 45]),
            rnd.choice([0.0, 150.0, 300.0, 1000.0]),
            0,
            covered=rnd.random() < 0.2,
            kommun=rnd.choice(["2283", "0180"]),
        )
        for i in range(1, 15)
    ]
    incidents = []
    for _ in range(rnd.randint(0, 40)):
        start = P1 - rnd.uniform(0, 120) * DAY
        incidents.append(
            Incident(
                occurred_from=start,
                occurred_to=start + rnd.choice([0, 0.5, 1, 3]) * DAY,
                area_id=rnd.choice([None, *range(1, 15)]),
                x=rnd.choice([None, 0.0, 200.0]),
                y=0.0,
            )
        )
    first = rank_areas(method, areas, incidents, P0, P1, include_covered=True)
    rnd.shuffle(areas)
    rnd.shuffle(incidents)
    assert rank_areas(method, areas, incidents, P0, P1, include_covered=True) == first


def test_equal_rates_are_a_tie_that_more_households_win() -> None:
    # 1 burglary in 15 households and 3 in 45: both 66.67 per 1000, so the bigger area first
    areas = [area(1, 15), area(2, 45, 5000)]
    ranked = rank_areas("rate", areas, burglaries(1, 1) + burglaries(2, 3), P0, P1)
    assert [r.area_id for r in ranked] == [2, 1]
    assert ranked[0].score == ranked[1].score


def test_a_prebuilt_incident_table_gives_the_same_answer() -> None:
    areas, incidents = hamlet_example()
    table = IncidentTable.build(incidents, AreaTable(areas))
    assert rank_areas("eb", areas, table, P0, P1) == rank_areas("eb", areas, incidents, P0, P1)
    with pytest.raises(InvalidInput) as info:
        rank_areas("eb", areas[::-1], table, P0, P1)
    assert info.value.detail == "Inbrottstabellen byggdes för andra områden."
    assert [(e.field, e.message) for e in info.value.errors] == [("incidents", "Inbrottstabellen byggdes för andra områden.")]
    assert len(table) == len(incidents)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"method": "hotspot"},
            "method",
            "Okänd metod; ska vara en av: inbrott per 1 000 hushåll (rate), empirisk Bayes (eb), upprepade inbrott nära i tid och rum (near_repeat).",
        ),
        ({"period_from": P1, "period_to": P0}, "to", "Ska vara efter from."),
        ({"period_from": P0, "period_to": P0}, "to", "Ska vara efter from."),
        ({"period_from": datetime(2024, 1, 1)}, "from", "Tiden behöver en tidszon."),
        ({"period_to": datetime(2025, 1, 1)}, "to", "Tiden behöver en tidszon."),
        ({"bandwidth_m": 0.0}, "bandwidth_m", "Ska vara större än 0."),
        ({"bandwidth_m": -5.0}, "bandwidth_m", "Ska vara större än 0."),
        ({"bandwidth_m": math.nan}, "bandwidth_m", "Ska vara större än 0."),
        ({"time_window_days": 0.0}, "time_window_days", "Ska vara större än 0."),
        ({"time_window_days": math.inf}, "time_window_days", "Ska vara större än 0."),
        ({"limit": 0}, "limit", "Ska vara minst 1."),
    ],
)
def test_invalid_parameters(kwargs: dict[str, object], field: str, message: str) -> None:
    args: dict[str, object] = {"method": "rate", "period_from": P0, "period_to": P1} | kwargs
    with pytest.raises(InvalidInput) as info:
        rank_areas(
            args.pop("method"),  # type: ignore[arg-type]
            [area(1, 10)],
            [],
            args.pop("period_from"),  # type: ignore[arg-type]
            args.pop("period_to"),  # type: ignore[arg-type]
            **args,  # type: ignore[arg-type]
        )
    assert info.value.detail == "Rangordningens värden är inte giltiga."
    assert [(e.field, e.message) for e in info.value.errors] == [(field, message)]


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as info:
        rank_areas(
            "hotspot",  # type: ignore[arg-type]
            [area(1, 10)],
            [],
            datetime(2024, 1, 1),
            P0,
            bandwidth_m=0.0,
            time_window_days=-1.0,
            limit=0,
        )
    # a naive time is not also compared with the other one
    assert [e.field for e in info.value.errors] == [
        "method",
        "from",
        "bandwidth_m",
        "time_window_days",
        "limit",
    ]


def test_invalid_incidents_and_areas() -> None:
    backwards = Incident(occurred_from=P0 + DAY, occurred_to=P0, area_id=1)
    with pytest.raises(InvalidInput) as info:
        rank_areas("rate", [area(1, 10)], [at(P0, 1), backwards], P0, P1)
    assert [e.field for e in info.value.errors] == ["incidents[1].occurred_to"]
    with pytest.raises(InvalidInput) as info:
        rank_areas("rate", [area(1, 10)], [at(datetime(2024, 3, 1), 1)], P0, P1)
    assert info.value.errors[0].field == "incidents[0].occurred_from"
    with pytest.raises(InvalidInput) as info:
        rank_areas("rate", [area(1, 10), area(1, 20), area(2, -1)], [], P0, P1)
    assert info.value.detail == "Områdena är inte giltiga."
    assert [(e.field, e.message) for e in info.value.errors] == [
        ("areas[1].area_id", "Samma area_id förekommer två gånger."),
        ("areas[2].households", "Ska vara 0 eller mer."),
    ]


@pytest.mark.parametrize(("x", "y"), [(math.nan, 0.0), (0.0, math.inf), (-math.inf, 0.0), (0.0, math.nan)])
def test_an_area_point_must_be_finite(x: float, y: float) -> None:
    with pytest.raises(InvalidInput) as info:
        rank_areas("rate", [area(1, 10), area(2, 10, x, y)], [], P0, P1)
    assert info.value.detail == "Områdena är inte giltiga."
    assert [(e.field, e.message) for e in info.value.errors] == [("areas[1].x", "Koordinaterna ska vara ändliga tal.")]


@pytest.mark.parametrize("naive", ["from", "to"])
def test_one_naive_time_is_enough_to_refuse_a_burglary(naive: str) -> None:
    aware, plain = P0 + DAY, datetime(2024, 3, 1)
    incident = Incident(
        occurred_from=plain if naive == "from" else aware - DAY,
        occurred_to=plain if naive == "to" else aware,
        area_id=1,
    )
    with pytest.raises(InvalidInput) as info:
        rank_areas("rate", [area(1, 10)], [at(P0, 1), incident], P0, P1)
    assert info.value.detail == "Inbrotten är inte giltiga."
    assert [(e.field, e.message) for e in info.value.errors] == [("incidents[1].occurred_from", "Tiden behöver en tidszon.")]


def test_at_most_100_errors_about_burglaries_are_reported() -> None:
    naive = [at(datetime(2024, 3, 1), 1) for _ in range(150)]
    with pytest.raises(InvalidInput) as info:
        rank_areas("rate", [area(1, 10)], naive, P0, P1)
    assert [e.field for e in info.value.errors] == [f"incidents[{i}].occurred_from" for i in range(100)]
    backwards = [Incident(occurred_from=P0 + DAY, occurred_to=P0, area_id=1) for _ in range(150)]
    with pytest.raises(InvalidInput) as info:
        rank_areas("rate", [area(1, 10)], [at(P0, 1), *backwards], P0, P1)
    assert info.value.detail == "Inbrotten är inte giltiga."
    assert [(e.field, e.message) for e in info.value.errors] == [
        (f"incidents[{i}].occurred_to", "occurred_to ligger före occurred_from.") for i in range(1, 101)
    ]


def test_no_areas_no_items() -> None:
    assert rank_areas("near_repeat", [], [at(P0, None, 0, 0)], P0, P1) == []
