"""Pace and status of each kind of promise, against hand-computed cases."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from grannsamverkan.domain import promises as walk_protocol
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
    period_elapsed,
    scheduled_months,
    tenths_down,
    year_period,
)
from grannsamverkan.errors import FieldError, InvalidInput

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


# --- a promise as it is saved ---------------------------------------------------------------------


def test_a_promise_is_for_a_calendar_year_by_default() -> None:
    assert year_period(2024) == (date(2024, 1, 1), date(2024, 12, 31))


def rule_of(**fields: object) -> PromiseRule:
    base: dict[str, object] = {"measure": "qualitative", "period_start": date(2017, 1, 1), "period_end": date(2017, 12, 31)}
    return PromiseRule(**{**base, **fields})  # type: ignore[arg-type]


def refused(rule: PromiseRule) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        check_rule(rule)
    assert info.value.status == 422
    return info.value


def test_a_count_promise_without_what_it_counts_and_a_target_names_both() -> None:
    error = refused(rule_of(measure="count"))
    assert error.errors == [
        FieldError(field="counts", message="Ett löfte om antal behöver veta vad som räknas.", code="promise.counts_missing"),
        FieldError(field="target", message="Ett löfte om antal behöver ett mål.", code="promise.target_missing"),
    ]
    assert error.detail == "Löftet går inte att spara: counts: Ett löfte om antal behöver veta vad som räknas."
    assert refused(rule_of(measure="count", counts="new_groups")).errors == [
        FieldError(field="target", message="Ett löfte om antal behöver ett mål.", code="promise.target_missing")
    ]
    check_rule(rule_of(measure="count", counts="new_groups", target=0))


def test_what_each_measure_needs_is_asked_of_that_measure_only() -> None:
    assert refused(rule_of(measure="schedule")).errors == [
        FieldError(field="rhythm", message="Ett återkommande löfte behöver en rytm (monthly).", code="promise.rhythm_missing")
    ]
    assert refused(rule_of(measure="one_off")).errors == [
        FieldError(field="due_on", message="En engångsinsats behöver ett datum då den ska vara gjord.", code="promise.due_missing")
    ]
    check_rule(rule_of(measure="schedule", rhythm="monthly"))
    check_rule(rule_of(measure="one_off", due_on=date(2017, 9, 30)))
    check_rule(rule_of(measure="qualitative"))


def test_a_period_is_at_most_ten_years_and_may_be_a_single_day() -> None:
    start = date(2017, 1, 1)
    check_rule(rule_of(period_start=start, period_end=start))
    check_rule(rule_of(period_start=start, period_end=start + timedelta(days=3660)))
    assert refused(rule_of(period_start=start, period_end=start + timedelta(days=3661))).errors == [
        FieldError(field="period_end", message="Perioden får vara högst tio år.", code="promise.period_too_long")
    ]
    assert refused(rule_of(period_start=start, period_end=start - timedelta(days=1))).errors == [
        FieldError(field="period_end", message="Slutar före periodens start.", code="promise.period_reversed")
    ]


@pytest.mark.parametrize("months, ok", [((1, 12), True), ((6, 7, 8), True), ((0,), False), ((13,), False), ((6, 13), False)])
def test_excepted_months_are_1_to_12(months: tuple[int, ...], ok: bool) -> None:
    rule = rule_of(measure="schedule", rhythm="monthly", except_months=months)
    if ok:
        check_rule(rule)
    else:
        assert refused(rule).errors == [FieldError(field="except_months", message="Månader är 1–12.", code="promise.months")]


def test_a_target_is_never_negative() -> None:
    assert refused(rule_of(measure="count", counts="info_meetings", target=-1)).errors == [
        FieldError(field="target", message="Får inte vara negativt.", code="promise.target_negative")
    ]
    check_rule(rule_of(measure="qualitative", target=0))


# --- count ----------------------------------------------------------------------------------------


def test_the_first_day_of_the_period_already_counts() -> None:
    start, end = date(2024, 1, 1), date(2024, 12, 31)
    assert period_elapsed(start, end, date(2023, 12, 31)) == 0
    assert period_elapsed(start, end, start) == 1
    assert period_elapsed(start, end, end) == 366
    assert period_elapsed(start, end, date(2030, 1, 1)) == 366
    assert expected_count(366, start, end, start) == 1
    assert count_status(0, 10, start, end, date(2023, 12, 31)) == "not_started"
    assert count_status(10, 10, start, end, date(2023, 12, 31)) == "not_started"


def test_a_count_on_the_last_day_is_behind_and_the_day_after_missed() -> None:
    start, end = date(2017, 7, 1), date(2018, 6, 30)
    assert count_status(5, 6, start, end, end) == "behind"
    assert count_status(5, 6, start, end, date(2018, 7, 1)) == "missed"
    assert count_status(6, 6, start, end, date(2018, 7, 1)) == "achieved"


def test_a_count_promise_reports_its_pace_to_two_decimals() -> None:
    rule = PromiseRule(measure="count", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), counts="new_groups", target=10)
    progress = evaluate_promise(
        rule, as_of=date(2024, 2, 29), count=1, activity_dates=[date(2024, 1, 5), date(2024, 2, 29), date(2024, 3, 1)]
    )
    # 10 × 60 / 366 = 1.639…
    assert (progress.count, progress.target, progress.expected, progress.expected_floor) == (1, 10, 1.64, 1)
    assert (progress.status, progress.activities) == ("on_track", 2)
    assert describe(progress, "new_groups") == "1 av 10 nya grupper, väntat 1,6"
    # on the first day nothing is expected yet: "väntat 0,0"
    first = evaluate_promise(rule, as_of=date(2024, 1, 1))
    assert describe(first, "info_meetings") == "0 av 10 informationsträffar, väntat 0,0"
    assert describe(first) == "0 av 10 aktiviteter, väntat 0,0"
    assert describe(evaluate_promise(rule, as_of=date(2024, 12, 14), count=2)) == "2 av 10 aktiviteter, väntat 9,5"


def test_a_count_promise_saved_without_a_target_counts_against_0() -> None:
    rule = PromiseRule(measure="count", period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), counts="activities")
    progress = evaluate_promise(rule, as_of=date(2024, 6, 1))
    assert (progress.status, progress.target, progress.expected, progress.expected_floor) == ("achieved", 0, 0.0, 0)


def test_a_group_not_yet_established_does_not_count() -> None:
    start, end = date(2017, 7, 1), date(2018, 6, 30)
    groups = [
        GroupRecord(
            id=i,
            name=f"G{i}",
            area_id=i,
            area_name=None,
            kommun=kommun,
            kind="byavakt",
            status="active" if on else "forming",
            established_on=on,
            registered_as_existing=False,
        )
        for i, (on, kommun) in enumerate([(None, "2283"), (date(2017, 8, 1), "2283"), (date(2017, 8, 1), "2284")])
    ]
    assert count_new_groups(groups, ["2283"], start, end, end) == 1
    assert count_new_groups(groups, ["2283", "2284"], start, end, end) == 2
    assert count_new_groups(groups, ["2283"], start, end, date(2017, 7, 31)) == 0
    assert count_new_groups(groups, ["2283"], start, end, date(2017, 8, 1)) == 1


# --- schedule -------------------------------------------------------------------------------------


def test_a_period_ending_on_the_first_of_a_month_touches_that_month() -> None:
    assert scheduled_months(date(2017, 10, 15), date(2017, 12, 1)) == [(2017, 10), (2017, 11), (2017, 12)]
    # December's occurrence is due when the period ends, on 1 December, not at the end of the month
    assert due_months(date(2017, 10, 15), date(2017, 12, 1), (), date(2017, 12, 1)) == [(2017, 10), (2017, 11), (2017, 12)]
    assert due_months(date(2017, 10, 15), date(2017, 12, 1), (), date(2017, 11, 30)) == [(2017, 10), (2017, 11)]


def test_only_activities_within_the_period_fill_a_month() -> None:
    rule = PromiseRule(measure="schedule", period_start=date(2017, 10, 15), period_end=date(2017, 12, 15), rhythm="monthly")
    # 10 October is before the period, 20 December after it: October and December were missed
    visits = [date(2017, 10, 10), date(2017, 11, 2), date(2017, 12, 20)]
    after = evaluate_promise(rule, as_of=date(2018, 1, 10), activity_dates=visits)
    assert (after.status, after.missed_months, after.done_occurrences, after.activities) == (
        "missed",
        ["oktober 2017", "december 2017"],
        1,
        3,
    )
    # on the last day of the period, December is due and missed, and the period still runs
    last = evaluate_promise(rule, as_of=date(2017, 12, 15), activity_dates=[*visits, date(2017, 10, 15)])
    assert (last.status, last.missed_months, last.due_occurrences) == ("behind", ["december 2017"], 3)


def test_a_schedule_kept_every_month_is_achieved_when_the_period_is_over() -> None:
    rule = PromiseRule(measure="schedule", period_start=date(2017, 9, 1), period_end=date(2017, 11, 30), rhythm="monthly")
    visits = [date(2017, 9, 5), date(2017, 10, 5), date(2017, 11, 30)]
    assert evaluate_promise(rule, as_of=date(2017, 11, 29), activity_dates=visits).status == "on_track"
    done = evaluate_promise(rule, as_of=date(2017, 11, 30), activity_dates=visits)
    assert (done.status, done.due_occurrences, done.done_occurrences, done.done_ahead) == ("achieved", 3, 3, [])
    assert describe(done) == "3 av 3 tillfällen"
    assert evaluate_promise(rule, as_of=date(2018, 3, 1), activity_dates=visits).status == "achieved"


# --- one-off and qualitative ----------------------------------------------------------------------


def test_a_one_off_done_on_the_day_judged_and_on_its_due_date() -> None:
    walk = PromiseRule(measure="one_off", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31), due_on=date(2017, 9, 30))
    done = evaluate_promise(walk, as_of=date(2017, 9, 30), activity_dates=[date(2017, 10, 2), date(2017, 9, 30)])
    assert (done.status, done.done_on, done.late, done.activities) == ("achieved", date(2017, 9, 30), False, 1)
    assert describe(done, due_on=walk.due_on) == "gjort 2017-09-30"
    twice = evaluate_promise(walk, as_of=date(2017, 12, 1), activity_dates=[date(2017, 10, 2), date(2017, 9, 12)])
    assert (twice.done_on, twice.late, twice.activities) == (date(2017, 9, 12), False, 2)
    late = evaluate_promise(walk, as_of=date(2017, 12, 1), activity_dates=[date(2017, 10, 2)])
    assert describe(late, due_on=walk.due_on) == "gjort 2017-10-02 (försenat, skulle vara gjort senast 2017-09-30)"
    assert evaluate_promise(walk, as_of=date(2016, 12, 31)).status == "not_started"


def test_a_one_off_without_a_due_date_is_due_at_the_end_of_the_period() -> None:
    rule = PromiseRule(measure="one_off", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31))
    assert evaluate_promise(rule, as_of=date(2017, 12, 31)).status == "on_track"
    missed = evaluate_promise(rule, as_of=date(2018, 1, 1))
    assert missed.status == "missed"
    assert describe(missed) == "inte gjort"
    assert evaluate_promise(rule, as_of=date(2018, 1, 1), activity_dates=[date(2017, 12, 31)]).late is False
    assert evaluate_promise(rule, as_of=date(2018, 1, 2), activity_dates=[date(2018, 1, 1)]).late is True


def test_a_qualitative_promise_starts_with_the_period_and_is_missed_only_after_it() -> None:
    rule = PromiseRule(measure="qualitative", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31))
    early = [date(2016, 12, 1)]
    assert evaluate_promise(rule, as_of=date(2016, 12, 31), activity_dates=early).status == "not_started"
    assert evaluate_promise(rule, as_of=date(2017, 1, 1), activity_dates=early).status == "on_track"
    assert evaluate_promise(rule, as_of=date(2017, 12, 31)).status == "not_started"
    assert evaluate_promise(rule, as_of=date(2018, 1, 1)).status == "missed"
    started = PromiseRule(measure="qualitative", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31), owner_status="paborjad")
    progress = evaluate_promise(started, as_of=date(2016, 6, 1))
    assert (progress.status, progress.owner_status) == ("on_track", "paborjad")
    assert describe(progress) == "påbörjad, 0 aktiviteter loggade"
    two = evaluate_promise(rule, as_of=date(2017, 6, 1), activity_dates=[date(2017, 2, 1), date(2017, 3, 1)])
    assert describe(two) == "ingen status satt, 2 aktiviteter loggade"


@pytest.mark.parametrize(("value", "text"), [(8.24, "8,2"), (8.29, "8,2"), (0.05, "0,0"), (12.0, "12,0"), (Fraction(199, 10), "19,9")])
def test_the_expected_figure_is_shown_to_tenths_rounded_down(value: float | Fraction, text: str) -> None:
    assert tenths_down(value) == text


def test_december_is_due_on_31_december_in_a_period_across_the_new_year() -> None:
    start, end = date(2017, 7, 1), date(2018, 6, 30)
    assert due_months(start, end, (6, 7, 8), date(2017, 12, 30))[-1] == (2017, 11)
    assert due_months(start, end, (6, 7, 8), date(2017, 12, 31))[-1] == (2017, 12)


def test_a_schedule_judged_on_its_first_day_has_started() -> None:
    rule = PromiseRule(measure="schedule", period_start=date(2017, 9, 1), period_end=date(2017, 11, 30), rhythm="monthly")
    first = evaluate_promise(rule, as_of=date(2017, 9, 1))
    assert (first.status, first.measure, first.due_occurrences, first.total_occurrences) == ("on_track", "schedule", 0, 3)
    assert evaluate_promise(rule, as_of=date(2017, 8, 31)).status == "not_started"
    one_off = PromiseRule(measure="one_off", period_start=date(2017, 9, 1), period_end=date(2017, 11, 30), due_on=date(2017, 10, 1))
    assert evaluate_promise(one_off, as_of=date(2017, 9, 1)).status == "on_track"


def test_the_owner_saying_it_will_not_be_done_is_missed_at_once() -> None:
    rule = PromiseRule(measure="qualitative", period_start=date(2017, 1, 1), period_end=date(2017, 12, 31), owner_status="inte_genomford")
    progress = evaluate_promise(rule, as_of=date(2017, 6, 1), activity_dates=[date(2017, 2, 1)])
    assert (progress.status, progress.measure, progress.owner_status, progress.activities) == ("missed", "qualitative", "inte_genomford", 1)
    assert describe(progress) == "inte genomförd, 1 aktivitet loggad"


@pytest.mark.parametrize(
    ("place_status", "word"),
    [
        ("open", "oppen"),
        ("in_progress", "pagar"),
        ("action_scheduled", "pagar"),
        ("fixed", "atgardad"),
        ("not_kommun_responsible", "atgardad"),
        ("duplicate", "atgardad"),
        ("closed", "atgardad"),
    ],
)
def test_a_walk_point_reads_its_place_reports_status(place_status: str, word: str) -> None:
    """The protocol's three words for the report's seven statuses: open is öppen, a handled case åtgärdad, the rest pågår."""
    assert walk_protocol.walk_status_of(place_status) == word


@pytest.mark.parametrize("word", ["oppen", "pagar", "atgardad"])
def test_marking_a_walk_point_reads_back_as_the_same_word(word: str) -> None:
    assert walk_protocol.walk_status_of(walk_protocol.PLACE_STATUS_OF_WALK[word]) == word
