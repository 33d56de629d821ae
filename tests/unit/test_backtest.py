"""Backtests of priority-area rankings on hand-built kommuns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grannsamverkan.domain.backtest import (
    BacktestMethod,
    BacktestResult,
    backtest,
    backtest_scores,
    rolling_backtest,
    yearly_folds,
)
from grannsamverkan.domain.ranking import AreaTable, Incident, IncidentTable, RankingArea
from grannsamverkan.errors import InvalidInput

TRAIN_FROM = datetime(2023, 1, 1, tzinfo=UTC)
TRAIN_TO = datetime(2024, 1, 1, tzinfo=UTC)
TEST_TO = datetime(2025, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def area(area_id: int, households: int, x: float, *, covered: bool = False) -> RankingArea:
    return RankingArea(
        area_id=area_id,
        name=f"A{area_id}",
        kommun="2283",
        households=households,
        x=x,
        y=0.0,
        has_active_group=covered,
    )


def at(when: datetime, area_id: int | None, x: float | None = None) -> Incident:
    return Incident(
        occurred_from=when, occurred_to=when, area_id=area_id, x=x, y=None if x is None else 0.0
    )


def many(area_id: int, k: int, when: datetime) -> list[Incident]:
    return [at(when, area_id) for _ in range(k)]


# A: 100 households, B: 100, C: 200, D: 600 (1,000 in all), 5 km apart.
AREAS = [area(1, 100, 0), area(2, 100, 5000), area(3, 200, 10_000), area(4, 600, 15_000)]
TRAIN = [
    *many(1, 5, TRAIN_FROM + 30 * DAY),
    *many(2, 1, TRAIN_FROM + 30 * DAY),
    *many(3, 2, TRAIN_FROM + 30 * DAY),
]
TRAIN += many(4, 3, TRAIN_FROM + 30 * DAY)
TEST = [
    *many(1, 4, TRAIN_TO + 30 * DAY),
    *many(3, 2, TRAIN_TO + 30 * DAY),
    *many(4, 4, TRAIN_TO + 30 * DAY),
]
TEST.append(at(TRAIN_TO + 30 * DAY, None, 0.0))  # kommun-level: not in any area, not counted
INCIDENTS = TRAIN + TEST


def run(method: str, coverage: float, **kwargs: object) -> BacktestResult:
    return backtest(
        method, AREAS, INCIDENTS, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, coverage, **kwargs
    )  # type: ignore[arg-type]


def test_naive_flags_the_area_with_most_burglaries() -> None:
    # order by training count: A 5, D 3, C 2, B 1. 10 % of 1,000 households = A alone.
    r = run("naive", 0.1)
    assert r == BacktestResult(
        method="naive",
        coverage=0.1,
        hit_rate=0.4,
        pai=4.0,
        households_share=0.1,
        burglaries_test=10.0,
    )


def test_the_area_crossing_the_coverage_line_is_flagged_whole() -> None:
    # 15 %: A (0 before it) and D (100 before it, < 150) are flagged: 700 households.
    r = run("naive", 0.15)
    assert r.households_share == pytest.approx(0.7)
    assert r.hit_rate == pytest.approx(0.8)
    assert r.pai == pytest.approx(0.8 / 0.7)


def test_rate_orders_by_rate_and_breaks_ties_by_households() -> None:
    # rates per 1000: A 50, B 10, C 10, D 5; the tie goes to C (200 households).
    # 30 %: A and C flagged (300 households), catching 4 + 2 of 10.
    r = run("rate", 0.3)
    assert (r.households_share, r.hit_rate, r.pai) == pytest.approx((0.3, 0.6, 2.0))


def test_eb_and_near_repeat_run_through_the_same_flagging() -> None:
    eb = run("eb", 0.1)
    assert eb.method == "eb"
    assert eb.households_share == pytest.approx(0.1)  # A has the highest EB rate too
    # a fresh burglary next to B just before train_to: near_repeat flags B, which is quiet later
    fresh = at(TRAIN_TO - DAY, None, 5100.0)
    r = backtest(
        "near_repeat", AREAS, [*INCIDENTS, fresh], TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1
    )
    assert (r.households_share, r.hit_rate, r.pai) == (0.1, 0.0, 0.0)


def test_explicit_scores() -> None:
    r = backtest_scores([0, 0, 0, 1], AREAS, INCIDENTS, TRAIN_TO, TEST_TO, 0.1, method="truth")
    assert r.method == "truth"
    assert (r.households_share, r.hit_rate) == pytest.approx((0.6, 0.4))
    assert r.pai == pytest.approx(0.4 / 0.6)
    with pytest.raises(InvalidInput):
        backtest_scores([1, 2], AREAS, INCIDENTS, TRAIN_TO, TEST_TO)


def test_a_windowed_test_burglary_counts_aoristically() -> None:
    straddling = Incident(occurred_from=TEST_TO - DAY, occurred_to=TEST_TO + DAY, area_id=2)
    r = backtest_scores([0, 1, 0, 0], AREAS, [*INCIDENTS, straddling], TRAIN_TO, TEST_TO, 0.1)
    assert r.burglaries_test == pytest.approx(10.5)
    assert r.hit_rate == pytest.approx(0.5 / 10.5)


def test_no_test_burglaries_gives_zero_not_an_error() -> None:
    r = backtest("naive", AREAS, TRAIN, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1)
    assert (r.burglaries_test, r.hit_rate, r.pai, r.households_share) == (0.0, 0.0, 0.0, 0.1)


def test_covered_areas_take_part_unless_left_out() -> None:
    areas = [area(1, 100, 0, covered=True), *AREAS[1:]]
    assert (
        backtest("naive", areas, INCIDENTS, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1).pai == 4.0
    )
    # without A: 900 households, 6 test burglaries; D (600) is the best left
    r = backtest(
        "naive",
        areas,
        INCIDENTS,
        TRAIN_FROM,
        TRAIN_TO,
        TRAIN_TO,
        TEST_TO,
        0.1,
        include_covered=False,
    )
    assert (r.households_share, r.hit_rate, r.burglaries_test) == pytest.approx(
        (600 / 900, 4 / 6, 6.0)
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"coverage": 0.0}, "coverage"),
        ({"coverage": 1.5}, "coverage"),
        ({"method": "magic"}, "method"),
        ({"train_to": TRAIN_FROM}, "train_to"),
        ({"test_from": TEST_TO}, "test_to"),
    ],
)
def test_invalid_parameters(args: dict[str, object], field: str) -> None:
    call: dict[str, object] = {
        "method": "naive",
        "train_from": TRAIN_FROM,
        "train_to": TRAIN_TO,
        "test_from": TRAIN_TO,
        "test_to": TEST_TO,
        "coverage": 0.1,
    } | args
    with pytest.raises(InvalidInput) as info:
        backtest(areas=AREAS, incidents=INCIDENTS, **call)  # type: ignore[arg-type]
    assert [e.field for e in info.value.errors] == [field]


def test_no_households_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        backtest("naive", [area(1, 0, 0)], [], TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO)


def test_yearly_folds() -> None:
    folds = yearly_folds(datetime(2020, 2, 29, tzinfo=UTC), 3)
    assert [(f.train_from.date().isoformat(), f.test_to.date().isoformat()) for f in folds] == [
        ("2020-02-29", "2022-02-28"),
        ("2021-02-28", "2023-02-28"),
        ("2022-02-28", "2024-02-29"),
    ]
    assert all(f.train_to == f.test_from for f in folds)


def test_rolling_backtest_is_one_backtest_per_fold() -> None:
    start = datetime(2022, 1, 1, tzinfo=UTC)
    incidents = [*INCIDENTS, *many(2, 7, start + 40 * DAY)]
    results = rolling_backtest("rate", AREAS, incidents, start, folds=2, coverage=0.1)
    assert len(results) == 2
    # fold 0: train 2022 (only B, 7 burglaries), test 2023 (B has 1 of 11)
    assert results[0] == backtest(
        "rate", AREAS, incidents, start, TRAIN_FROM, TRAIN_FROM, TRAIN_TO, 0.1
    )
    assert results[0].hit_rate == pytest.approx(1 / 11)
    # fold 1: train 2023 (A leads), test 2024 (A has 4 of 10)
    assert results[1].pai == pytest.approx(4.0)


def test_a_prebuilt_table_is_accepted() -> None:
    table = AreaTable(AREAS)
    incidents = IncidentTable.build(INCIDENTS, table)
    assert backtest("eb", table, incidents, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO) == run(
        "eb", 0.1
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.integers(0, 5), st.integers(0, 5)),
        min_size=1,
        max_size=15,
    ),
    st.floats(min_value=0.01, max_value=1.0),
    st.sampled_from(["naive", "rate", "eb", "near_repeat"]),
)
def test_flagging_reaches_coverage_and_overshoots_by_less_than_one_area(
    rows: list[tuple[int, int, int]], coverage: float, method: BacktestMethod
) -> None:
    areas = [area(i, n, 1000.0 * i) for i, (n, _, _) in enumerate(rows, 1)]
    total = sum(n for n, _, _ in rows)
    incidents = [
        inc
        for i, (_, train, test) in enumerate(rows, 1)
        for inc in [*many(i, train, TRAIN_TO - 3 * DAY), *many(i, test, TRAIN_TO + 3 * DAY)]
    ]
    if total == 0:
        with pytest.raises(InvalidInput):
            backtest(method, areas, incidents, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, coverage)
        return
    r = backtest(method, areas, incidents, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, coverage)
    assert r.households_share >= coverage - 1e-12
    assert r.households_share - coverage < max(n for n, _, _ in rows) / total + 1e-12
    assert 0.0 <= r.hit_rate <= 1.0 + 1e-12
    assert r.burglaries_test == sum(test for _, _, test in rows)
    assert r.pai == pytest.approx(r.hit_rate / r.households_share)
    assert np.isfinite(r.pai)
