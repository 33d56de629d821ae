"""Pace and status of each kind of promise, against hand-computed cases."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from grannsamverkan.domain.goals import GroupRecord, expected_by, progress_status
from grannsamverkan.domain.promises import (
    PromiseRule,
    check_rule,
    count_new_groups,
    count_status,
    describe,
    due_months,
    evaluate_promise,
    expected_count,
    period_days,
    scheduled_months,
)
from grannsamverkan.errors import InvalidInput

RAMSELE = PromiseRule(
    measure="schedule", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31), rhythm="monthly", except_months=(6, 7, 8)
)
# Police at the medborgarkontor every month except June–August, but not in October.
RAMSELE_VISITS = [date(2017, m, 14) for m in (1, 2, 3, 4, 5, 9, 11, 12)] + [date(2017, 7, 5), date(2017, 3, 28)]


def test_ramsele_has_nine_occurrences_in_2017() -> None:
    assert len(scheduled_months(RAMSELE.period_start, RAMSELE.period_end, RAMSELE.except_months)) == 9
    assert len(due_months(RAMSELE.period_start, RAMSELE.period_end, (6, 7, 8), date(2017, 12, 31))) == 9
    # A month is due at its end: on 30 May four were due, on 31 May five.
    assert len(due_months(RAMSELE.period_start, RAMSELE.period_end, (6, 7, 8), date(2017, 5, 30))) == 4
    assert len(due_months(RAMSELE.period_start, RAMSELE.period_end, (6, 7, 8), date(2017, 5, 31))) == 5
    # Summer months are not due: on 31 August still five.
    assert len(due_months(RAMSELE.period_start, RAMSELE.period_end, (6, 7, 8), date(2017, 8, 31))) == 5


def test_ramsele_missed_october() -> None:
    year_end = evaluate_promise(RAMSELE, as_of=date(2017, 12, 31), activity_dates=RAMSELE_VISITS)
    assert (year_end.due_occurrences, year_end.done_occurrences, year_end.total_occurrences) == (9, 8, 9)
    assert year_end.missed_months == ["oktober 2017"]
    assert year_end.status == "behind"  # the period still runs on 31 December
    after = evaluate_promise(RAMSELE, as_of=date(2018, 1, 10), activity_dates=RAMSELE_VISITS)
    assert after.status == "missed"
    assert describe(after) == "8 av 9 tillfällen, missat: oktober 2017"
    # Before October ended nothing was missed; the visit on 5 July (an excepted month) fills nothing.
    october_30 = evaluate_promise(RAMSELE, as_of=date(2017, 10, 30), activity_dates=RAMSELE_VISITS)
    assert (october_30.status, october_30.due_occurrences, october_30.done_occurrences) == ("on_track", 6, 6)
    every_month = [date(2017, m, 2) for m in (1, 2, 3, 4, 5, 9, 10, 11, 12)]
    early = evaluate_promise(RAMSELE, as_of=date(2017, 12, 2), activity_dates=every_month)
    assert (early.status, early.due_occurrences, early.done_occurrences, early.done_ahead) == ("achieved", 8, 8, ["december 2017"])
    # December's visit before any other: none of the eight due months was done.
    alone = evaluate_promise(RAMSELE, as_of=date(2017, 12, 2), activity_dates=[date(2017, 12, 1)])
    assert (alone.status, alone.done_occurrences, len(alone.missed_months)) == ("behind", 0, 8)
    assert describe(alone).startswith("0 av 8 tillfällen hittills (av 9 under perioden), missat: januari 2017")
    assert describe(alone).endswith(", gjort för december 2017")
    assert evaluate_promise(RAMSELE, as_of=date(2016, 12, 31), activity_dates=every_month).status == "not_started"


def test_one_off_due_date_passed() -> None:
    walk = PromiseRule(measure="one_off", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31), due_on=date(2017, 9, 30))
    assert evaluate_promise(walk, as_of=date(2017, 9, 30)).status == "on_track"
    missed = evaluate_promise(walk, as_of=date(2017, 10, 1))
    assert missed.status == "missed" and missed.done_on is None
    assert describe(missed, due_on=walk.due_on) == "inte gjort senast 2017-09-30"
    done = evaluate_promise(walk, as_of=date(2017, 10, 1), activity_dates=[date(2017, 9, 12)])
    assert (done.status, done.done_on, done.late) == ("achieved", date(2017, 9, 12), False)
    late = evaluate_promise(walk, as_of=date(2017, 11, 1), activity_dates=[date(2017, 10, 20)])
    assert (late.status, late.late) == ("achieved", True)
    # An activity logged for a later day does not count yet.
    assert evaluate_promise(walk, as_of=date(2017, 10, 1), activity_dates=[date(2017, 10, 20)]).status == "missed"


def test_count_across_a_leap_year() -> None:
    start, end = date(2024, 1, 1), date(2024, 12, 31)
    assert period_days(start, end) == 366
    # 29 February is day 60 of 366: 10 × 60 / 366 = 100/61 = 1.639…
    assert expected_count(10, start, end, date(2024, 2, 29)) == Fraction(100, 61)
    assert count_status(1, 10, start, end, date(2024, 2, 29)) == "on_track"
    assert count_status(0, 10, start, end, date(2024, 2, 29)) == "behind"
    # On 12 April (day 103) 10 × 103 / 366 = 2.81: one group is behind, two are on track.
    assert count_status(1, 10, start, end, date(2024, 4, 12)) == "behind"
    assert count_status(2, 10, start, end, date(2024, 4, 12)) == "on_track"
    # A calendar-year count promise agrees with today's goals on every day of the leap year.
    day = start
    while day <= end:
        for count in (0, 1, 5, 9):
            goal = progress_status(count, 10, 2024, day)
            assert count_status(count, 10, start, end, day) == goal, day
        assert expected_count(10, start, end, day) == expected_by(10, 2024, day)
        day = date.fromordinal(day.toordinal() + 1)
    assert count_status(9, 10, start, end, date(2025, 1, 1)) == "missed"
    assert count_status(10, 10, start, end, date(2024, 12, 1)) == "achieved"


def test_promise_spanning_two_years() -> None:
    start, end = date(2017, 7, 1), date(2018, 6, 30)
    assert period_days(start, end) == 365
    # On 31 December 2017, 184 of 365 days have passed: 6 × 184 / 365 = 3.02…
    assert expected_count(6, start, end, date(2017, 12, 31)) == Fraction(6 * 184, 365)
    rule = PromiseRule(measure="count", period_start=start, period_end=end, counts="new_groups", target=6)
    assert evaluate_promise(rule, as_of=date(2017, 12, 31), count=3).status == "on_track"
    assert evaluate_promise(rule, as_of=date(2017, 12, 31), count=2).status == "behind"
    progress = evaluate_promise(rule, as_of=date(2018, 7, 1), count=5)
    assert (progress.status, progress.expected, progress.expected_floor) == ("missed", 6.0, 6)
    assert describe(progress, "new_groups") == "5 av 6 nya grupper, väntat 6,0"
    groups = [
        GroupRecord(
            id=i,
            name=f"G{i}",
            area_id=i,
            area_name=None,
            kommun="2283",
            kind="byavakt",
            status="active",
            established_on=d,
            registered_as_existing=existing,
        )
        for i, (d, existing) in enumerate(
            [
                (date(2017, 6, 30), False),
                (date(2017, 7, 1), False),
                (date(2018, 2, 1), False),
                (date(2018, 3, 1), True),
                (date(2018, 6, 30), False),
                (date(2018, 7, 1), False),
            ]
        )
    ]
    assert count_new_groups(groups, ["2283"], start, end, date(2018, 12, 31)) == 3
    assert count_new_groups(groups, ["2283"], start, end, date(2018, 1, 31)) == 1
    assert count_new_groups(groups, ["2505"], start, end, date(2018, 12, 31)) == 0
    # A schedule across the new year: July 2017 .. June 2018 without the summer has 9 months.
    schedule = PromiseRule(measure="schedule", period_start=start, period_end=end, rhythm="monthly", except_months=(6, 7, 8))
    assert [f"{y}-{m:02d}" for y, m in scheduled_months(start, end, (6, 7, 8))] == [
        "2017-09",
        "2017-10",
        "2017-11",
        "2017-12",
        "2018-01",
        "2018-02",
        "2018-03",
        "2018-04",
        "2018-05",
    ]
    assert evaluate_promise(
        schedule, as_of=date(2018, 1, 31), activity_dates=[date(2017, 9, 1), date(2017, 10, 1), date(2017, 11, 1), date(2018, 1, 3)]
    ).missed_months == ["december 2017"]


def test_qualitative_follows_the_owner_and_the_activities() -> None:
    rule = PromiseRule(measure="qualitative", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31))
    assert evaluate_promise(rule, as_of=date(2017, 3, 1)).status == "not_started"
    assert evaluate_promise(rule, as_of=date(2017, 3, 1), activity_dates=[date(2017, 2, 1)]).status == "on_track"
    assert evaluate_promise(rule, as_of=date(2018, 1, 1)).status == "missed"
    for owner, status in (("genomford", "achieved"), ("paborjad", "on_track"), ("inte_genomford", "missed")):
        with_owner = PromiseRule(measure="qualitative", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31), owner_status=owner)  # type: ignore[arg-type]
        assert evaluate_promise(with_owner, as_of=date(2018, 1, 1)).status == status
    assert describe(evaluate_promise(rule, as_of=date(2017, 3, 1), activity_dates=[date(2017, 2, 1)])) == (
        "ingen status satt, 1 aktivitet loggad"
    )


@pytest.mark.parametrize(
    "rule, field",
    [
        (PromiseRule(measure="count", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31)), "counts"),
        (PromiseRule(measure="schedule", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31)), "rhythm"),
        (PromiseRule(measure="one_off", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31)), "due_on"),
        (PromiseRule(measure="qualitative", period_start=date(2017, 1, 2), period_end=date(2017, 1, 1)), "period_end"),
    ],
)
def test_rules_name_what_is_missing(rule: PromiseRule, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_rule(rule)
    assert raised.value.errors[0].field == field
