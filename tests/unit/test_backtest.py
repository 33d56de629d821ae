"""Backtests of priority-area rankings on hand-built kommuns."""

from __future__ import annotations

import math
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
    training_scores,
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
    return Incident(occurred_from=when, occurred_to=when, area_id=area_id, x=x, y=None if x is None else 0.0)


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
    return backtest(method, AREAS, INCIDENTS, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, coverage, **kwargs)  # type: ignore[arg-type]


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
    r = backtest("near_repeat", AREAS, [*INCIDENTS, fresh], TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1)
    assert (r.households_share, r.hit_rate, r.pai) == (0.1, 0.0, 0.0)


def test_explicit_scores() -> None:
    r = backtest_scores([0, 0, 0, 1], AREAS, INCIDENTS, TRAIN_TO, TEST_TO, 0.1, method="truth")
    assert r.method == "truth"
    assert (r.households_share, r.hit_rate) == pytest.approx((0.6, 0.4))
    assert r.pai == pytest.approx(0.4 / 0.6)
    with pytest.raises(InvalidInput):
        backtest_scores([1, 2], AREAS, INCIDENTS, TRAIN_TO, TEST_TO)


def test_explicit_scores_may_be_flags() -> None:
    # True for the areas someone would patrol: the same as scores 1 and 0
    flags = backtest_scores([False, False, False, True], AREAS, INCIDENTS, TRAIN_TO, TEST_TO, 0.1)
    assert flags == backtest_scores([0, 0, 0, 1], AREAS, INCIDENTS, TRAIN_TO, TEST_TO, 0.1)


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
    assert backtest("naive", areas, INCIDENTS, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1).pai == 4.0
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
    assert (r.households_share, r.hit_rate, r.burglaries_test) == pytest.approx((600 / 900, 4 / 6, 6.0))


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
    with pytest.raises(InvalidInput) as info:
        backtest("naive", [area(1, 0, 0)], [], TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO)
    assert info.value.detail == "Det finns inga hushåll att peka ut."
    assert [(e.field, e.message) for e in info.value.errors] == [("areas", "Områdena har inga hushåll.")]


NAIVE = datetime(2024, 6, 1)


@pytest.mark.parametrize(
    ("args", "detail", "errors"),
    [
        ({"test_from": NAIVE}, "Utvärderingens värden är inte giltiga.", [("test_from", "Tiden behöver en tidszon.")]),
        ({"test_to": NAIVE}, "Utvärderingens värden är inte giltiga.", [("test_from", "Tiden behöver en tidszon.")]),
        ({"test_from": TEST_TO}, "Utvärderingens värden är inte giltiga.", [("test_to", "Ska vara efter test_from.")]),
        ({"coverage": math.inf}, "Utvärderingens värden är inte giltiga.", [("coverage", "Ska vara större än 0 och högst 1.")]),
        # coverage first, then the test period
        (
            {"coverage": 2.0, "test_to": NAIVE},
            "Utvärderingens värden är inte giltiga.",
            [("coverage", "Ska vara större än 0 och högst 1."), ("test_from", "Tiden behöver en tidszon.")],
        ),
        ({"train_from": NAIVE}, "Träningsperioden är inte giltig.", [("train_from", "Tiden behöver en tidszon.")]),
        ({"train_to": NAIVE}, "Träningsperioden är inte giltig.", [("train_from", "Tiden behöver en tidszon.")]),
        ({"train_to": TRAIN_FROM}, "Träningsperioden är inte giltig.", [("train_to", "Ska vara efter train_from.")]),
        (
            {"method": "magic"},
            "Okänd metod; ska vara en av: inbrott per 1 000 hushåll (rate), empirisk Bayes (eb), upprepade inbrott nära i tid och rum (near_repeat), förra periodens antal inbrott (naive).",
            [
                (
                    "method",
                    "Okänd metod; ska vara en av: inbrott per 1 000 hushåll (rate), empirisk Bayes (eb), upprepade inbrott nära i tid och rum (near_repeat), förra periodens antal inbrott (naive).",
                )
            ],
        ),
    ],
)
def test_invalid_parameters_are_named_with_what_is_wrong(args: dict[str, object], detail: str, errors: list[tuple[str, str]]) -> None:
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
    assert info.value.detail == detail
    assert [(e.field, e.message) for e in info.value.errors] == [(f, m) for f, m in errors]


def test_explicit_scores_report_every_problem_at_once() -> None:
    with pytest.raises(InvalidInput) as info:
        backtest_scores([1, 2], AREAS, INCIDENTS, TEST_TO, TRAIN_TO, 0.0)
    assert info.value.detail == "Utvärderingens värden är inte giltiga."
    assert [(e.field, e.message) for e in info.value.errors] == [
        ("test_to", "Ska vara efter test_from."),
        ("coverage", "Ska vara större än 0 och högst 1."),
        ("scores", "Det behövs ett värde per område."),
    ]


def test_an_incident_table_for_other_areas_is_refused() -> None:
    table = IncidentTable.build(INCIDENTS, AreaTable(AREAS[::-1]))
    for call in (
        lambda: backtest("naive", AREAS, table, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO),
        lambda: rolling_backtest("naive", AREAS, table, TRAIN_FROM, folds=1),
    ):
        with pytest.raises(InvalidInput) as info:
            call()
        assert info.value.detail == "Inbrottstabellen byggdes för andra områden."
        assert [(e.field, e.message) for e in info.value.errors] == [("incidents", "Inbrottstabellen byggdes för andra områden.")]


def test_a_single_test_burglary_is_all_of_the_hit_rate() -> None:
    incidents = [*TRAIN, at(TRAIN_TO + DAY, 1)]
    r = backtest("naive", AREAS, incidents, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1)
    assert (r.burglaries_test, r.hit_rate, r.pai) == (1.0, 1.0, 10.0)
    half = Incident(occurred_from=TEST_TO - DAY, occurred_to=TEST_TO + DAY, area_id=1)
    r = backtest("naive", AREAS, [*TRAIN, half], TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1)
    assert (r.burglaries_test, r.hit_rate, r.pai) == (0.5, 1.0, 10.0)


def test_near_repeat_parameters_reach_the_training_scores() -> None:
    # one burglary 3 km from B and 40 days before train_to: outside the default 400 m and 56 days
    # only with a wider bandwidth; with a shorter window it is forgotten again
    far = [at(TRAIN_TO - 40 * DAY, None, 8000.0)]
    table, incidents = AreaTable(AREAS), IncidentTable.build(far, AreaTable(AREAS))
    default = training_scores("near_repeat", table, incidents, TRAIN_FROM, TRAIN_TO)
    wide = training_scores("near_repeat", table, incidents, TRAIN_FROM, TRAIN_TO, bandwidth_m=4000.0)
    short = training_scores("near_repeat", table, incidents, TRAIN_FROM, TRAIN_TO, bandwidth_m=4000.0, time_window_days=30.0)
    assert default.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert wide.tolist() == pytest.approx([0.0, 0.25 * 16 / 56, 0.5 * 16 / 56, 0.0])
    assert short.tolist() == [0.0, 0.0, 0.0, 0.0]
    # and through backtest and rolling_backtest: C (the nearer, 200 households) is flagged on the
    # wide bandwidth; with all scores 0 the tie goes to D, the most households
    test = [*far, *many(3, 1, TRAIN_TO + DAY)]
    kwargs = {"bandwidth_m": 4000.0, "time_window_days": 56.0}
    narrow = backtest("near_repeat", AREAS, test, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1)
    assert narrow.hit_rate == 0.0
    wide_r = backtest("near_repeat", AREAS, test, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.2, **kwargs)
    assert wide_r.hit_rate == 1.0
    rolled = rolling_backtest("near_repeat", AREAS, test, TRAIN_FROM, folds=1, coverage=0.2, **kwargs)
    assert rolled == [wide_r]
    shorter = rolling_backtest("near_repeat", AREAS, test, TRAIN_FROM, folds=1, coverage=0.2, bandwidth_m=4000.0, time_window_days=30.0)
    assert shorter[0].hit_rate == 0.0


def test_rolling_backtest_can_leave_covered_areas_out() -> None:
    areas = [area(1, 100, 0, covered=True), *AREAS[1:]]
    rolled = rolling_backtest("naive", areas, INCIDENTS, TRAIN_FROM, folds=1, include_covered=False)
    assert rolled == [backtest("naive", areas, INCIDENTS, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO, 0.1, include_covered=False)]
    assert rolled[0].burglaries_test == 6.0


def test_yearly_folds() -> None:
    folds = yearly_folds(datetime(2020, 2, 29, tzinfo=UTC), 3)
    assert [(f.train_from.date().isoformat(), f.test_to.date().isoformat()) for f in folds] == [
        ("2020-02-29", "2022-02-28"),
        ("2021-02-28", "2023-02-28"),
        ("2022-02-28", "2024-02-29"),
    ]
    assert all(f.train_to == f.test_from for f in folds)
    one = yearly_folds(TRAIN_FROM, 1)
    assert [(f.train_from, f.train_to, f.test_from, f.test_to) for f in one] == [(TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO)]


@pytest.mark.parametrize("folds", [0, -1])
def test_at_least_one_fold(folds: int) -> None:
    with pytest.raises(InvalidInput) as info:
        yearly_folds(TRAIN_FROM, folds)
    assert info.value.detail == "Antalet omgångar är inte giltigt."
    assert [(e.field, e.message) for e in info.value.errors] == [("folds", "Ska vara minst 1.")]


def test_rolling_backtest_is_one_backtest_per_fold() -> None:
    start = datetime(2022, 1, 1, tzinfo=UTC)
    incidents = [*INCIDENTS, *many(2, 7, start + 40 * DAY)]
    results = rolling_backtest("rate", AREAS, incidents, start, folds=2, coverage=0.1)
    assert len(results) == 2
    # fold 0: train 2022 (only B, 7 burglaries), test 2023 (B has 1 of 11)
    assert results[0] == backtest("rate", AREAS, incidents, start, TRAIN_FROM, TRAIN_FROM, TRAIN_TO, 0.1)
    assert results[0].hit_rate == pytest.approx(1 / 11)
    # fold 1: train 2023 (A leads), test 2024 (A has 4 of 10)
    assert results[1].pai == pytest.approx(4.0)


def test_a_prebuilt_table_is_accepted() -> None:
    table = AreaTable(AREAS)
    incidents = IncidentTable.build(INCIDENTS, table)
    assert backtest("eb", table, incidents, TRAIN_FROM, TRAIN_TO, TRAIN_TO, TEST_TO) == run("eb", 0.1)


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
