"""Yearly goals: counting new groups and meetings, pro rata, status boundaries."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannsamverkan.domain.goals import (
    GroupRecord,
    MeetingRecord,
    cumulative_series,
    days_elapsed,
    days_in_year,
    evaluate_goal,
    expected_by,
    progress_status,
    worse,
)
from grannsamverkan.errors import FieldError, InvalidInput

K = "2283"


def group(
    id: int,
    established_on: date | None,
    *,
    status: str = "active",
    kommun: str = K,
    existing: bool = False,
    dissolved_on: date | None = None,
    total: int = 10,
    signed: int = 7,
) -> GroupRecord:
    return GroupRecord(
        id=id,
        name=f"Grupp {id}",
        area_id=100 + id,
        area_name=f"Område {id}",
        kommun=kommun,
        kind="grannsamverkan",
        status=status,  # type: ignore[arg-type]
        established_on=established_on,
        dissolved_on=dissolved_on,
        registered_as_existing=existing,
        households_total=total,
        households_signed_up=signed,
    )


def goal(groups, as_of, *, year=2026, target=10, meetings=(), target_meetings=None):
    return evaluate_goal(K, year, target, target_meetings, groups, meetings, as_of)


# --- year boundaries -------------------------------------------------------------------------


def test_established_on_31_december_counts_for_that_year_only() -> None:
    g = [group(1, date(2025, 12, 31))]
    assert goal(g, date(2025, 12, 31), year=2025).new_groups == 1
    assert goal(g, date(2026, 6, 1), year=2025).new_groups == 1
    assert goal(g, date(2026, 6, 1), year=2026).new_groups == 0


def test_established_on_1_january_counts_for_the_new_year() -> None:
    g = [group(1, date(2026, 1, 1))]
    assert goal(g, date(2026, 1, 1)).new_groups == 1
    assert goal(g, date(2026, 12, 31), year=2025).new_groups == 0


def test_future_establishment_does_not_count_yet() -> None:
    g = [group(1, date(2026, 5, 2))]
    assert goal(g, date(2026, 5, 1)).new_groups == 0
    assert goal(g, date(2026, 5, 2)).new_groups == 1


def test_dissolved_in_the_same_year_still_counts_with_its_status() -> None:
    g = [group(1, date(2026, 2, 1), status="dissolved", dissolved_on=date(2026, 9, 1))]
    status = goal(g, date(2026, 10, 1))
    assert status.new_groups == 1
    assert status.groups[0].status == "dissolved"
    assert status.groups[0].dissolved_on == date(2026, 9, 1)


def test_existing_groups_never_count() -> None:
    g = [group(1, date(2026, 3, 1), existing=True), group(2, date(2019, 3, 1), existing=True)]
    for year in (2019, 2026):
        assert goal(g, date(2026, 12, 31), year=year).new_groups == 0


def test_only_groups_with_a_date_and_of_the_kommun_count() -> None:
    g = [
        group(1, None, status="forming", signed=3),
        group(2, None, status="dissolved"),
        group(3, date(2026, 3, 1), kommun="2505"),
        group(4, date(2026, 3, 1)),
    ]
    status = goal(g, date(2026, 6, 1))
    assert [c.id for c in status.groups] == [4]
    assert [f.id for f in status.forming_groups] == [1]
    forming = status.forming_groups[0]
    assert (forming.households_signed_up, forming.required_signups, forming.missing_signups) == (3, 7, 4)


def test_shares_of_counted_and_forming_groups() -> None:
    g = [
        group(1, date(2026, 2, 1), total=8, signed=6),
        group(2, date(2026, 2, 2), total=0, signed=0),  # an area emptied after establishment
        group(3, None, status="forming", total=4, signed=1),
        group(4, None, status="forming", total=0, signed=0),
    ]
    status = goal(g, date(2026, 6, 1))
    assert [(c.id, c.share) for c in status.groups] == [(1, 0.75), (2, 0.0)]
    forming = {f.id: f for f in status.forming_groups}
    assert forming[3].share == 0.25
    assert (forming[4].share, forming[4].required_signups, forming[4].missing_signups) == (0.0, 0, 0)


def test_a_forming_group_already_past_70_percent_misses_nothing() -> None:
    status = goal([group(1, None, status="forming", total=10, signed=9)], date(2026, 6, 1))
    forming = status.forming_groups[0]
    assert (forming.required_signups, forming.missing_signups, forming.share) == (7, 0, 0.9)


def test_forming_groups_closest_to_establishment_first_then_by_name() -> None:
    def forming(id: int, name: str, total: int, signed: int) -> GroupRecord:
        return msgspec.structs.replace(group(id, None, status="forming", total=total, signed=signed), name=name)

    g = [
        forming(1, "Björkvägen", 10, 2),  # 5 missing
        forming(2, "Aspvägen", 10, 6),  # 1 missing
        forming(3, "Cedervägen", 10, 6),  # 1 missing
        forming(4, "Aspvägen", 10, 6),  # 1 missing, same name as 2
        forming(5, "Almvägen", 10, 5),  # 2 missing
    ]
    status = goal(g, date(2026, 6, 1))
    assert [(f.id, f.missing_signups) for f in status.forming_groups] == [
        (2, 1),
        (4, 1),
        (3, 1),
        (5, 2),
        (1, 5),
    ]


def test_groups_are_listed_by_date() -> None:
    g = [group(3, date(2026, 5, 1)), group(1, date(2026, 2, 1)), group(2, date(2026, 2, 1))]
    assert [c.id for c in goal(g, date(2026, 6, 1)).groups] == [1, 2, 3]


# --- pro rata --------------------------------------------------------------------------------


def test_leap_year_pro_rata() -> None:
    assert days_in_year(2028) == 366
    assert days_in_year(2026) == 365
    assert days_elapsed(2028, date(2028, 2, 29)) == 60
    assert expected_by(10, 2028, date(2028, 2, 29)) == Fraction(600, 366)
    assert goal([], date(2028, 2, 29), year=2028).expected_by_now == 1.64


def test_expected_by_now_at_the_edges() -> None:
    assert goal([], date(2025, 12, 31)).expected_by_now == 0.0
    assert goal([], date(2026, 1, 1)).expected_by_now == round(10 / 365, 2)
    assert goal([], date(2026, 12, 31)).expected_by_now == 10.0
    assert goal([], date(2027, 3, 1)).expected_by_now == 10.0


# --- status ----------------------------------------------------------------------------------


def test_not_started_before_the_year() -> None:
    assert goal([], date(2025, 12, 31)).status == "not_started"
    assert goal([], date(2025, 12, 31), target=0).status == "not_started"


def test_target_zero_is_achieved() -> None:
    assert goal([], date(2026, 1, 1), target=0).status == "achieved"


def test_exact_on_track_boundary() -> None:
    # target 10 in 2026: the line reaches 1 at the end of day 36.5 -> floor 1 from 6 February
    # (day 37: 370/365 = 1.01) and 0 on 5 February (day 36: 360/365 = 0.99).
    assert expected_by(10, 2026, date(2026, 2, 5)) < 1 <= expected_by(10, 2026, date(2026, 2, 6))
    assert goal([], date(2026, 2, 5)).status == "on_track"
    assert goal([], date(2026, 2, 6)).status == "behind"
    assert goal([group(1, date(2026, 1, 20))], date(2026, 2, 6)).status == "on_track"


def test_exact_integer_boundary_on_track() -> None:
    # target 365: exactly d groups expected at the end of day d
    assert expected_by(365, 2026, date(2026, 1, 10)) == 10
    g = [group(i, date(2026, 1, 1)) for i in range(10)]
    assert goal(g, date(2026, 1, 10), target=365).status == "on_track"
    assert goal(g[:9], date(2026, 1, 10), target=365).status == "behind"


def test_achieved_and_behind_after_the_year() -> None:
    g = [group(i, date(2026, 6, 1)) for i in range(10)]
    assert goal(g, date(2026, 6, 1)).status == "achieved"
    assert goal(g[:9], date(2026, 12, 31)).status == "behind"
    assert goal(g[:9], date(2027, 1, 1)).status == "behind"
    assert goal(g, date(2030, 1, 1)).status == "achieved"


@given(
    target=st.integers(min_value=0, max_value=50),
    count=st.integers(min_value=0, max_value=60),
    day=st.integers(min_value=-5, max_value=370),
    year=st.sampled_from([2026, 2028]),
)
def test_status_matches_fraction_rule(target: int, count: int, day: int, year: int) -> None:
    as_of = date(year, 1, 1) + timedelta(days=day)
    status = progress_status(count, target, year, as_of)
    start, n = date(year, 1, 1), days_in_year(year)
    if as_of < start:
        assert status == "not_started"
        return
    elapsed = min((as_of - start).days + 1, n)
    expected = Fraction(target * elapsed, n)
    if count >= target:
        assert status == "achieved"
    elif as_of.year > year:
        assert status == "behind"
    else:
        assert status == ("on_track" if count >= int(expected) else "behind")


# --- meetings --------------------------------------------------------------------------------


def meeting(d: date) -> MeetingRecord:
    return MeetingRecord(held_on=d, locality="Näsåker", topic="Grannsamverkan", attendees=12)


def test_meetings_count_and_worse_status_wins() -> None:
    g = [group(i, date(2026, 1, 5)) for i in range(10)]
    ms = [meeting(date(2025, 12, 31)), meeting(date(2026, 3, 1)), meeting(date(2026, 8, 1))]
    status = goal(g, date(2026, 7, 1), meetings=ms, target_meetings=6)
    assert status.info_meetings == 1
    assert status.groups_status == "achieved"
    assert status.meetings_status == "behind"  # 6 × 182/365 = 2.99 → 2 expected
    assert status.expected_meetings_by_now == 2.99
    assert status.status == "behind"


def test_no_meeting_target() -> None:
    status = goal([], date(2026, 7, 1), meetings=[meeting(date(2026, 3, 1))])
    assert status.info_meetings == 1
    assert status.meetings_status is None
    assert status.expected_meetings_by_now is None


def test_worse() -> None:
    assert worse("achieved", "on_track") == "on_track"
    assert worse("behind", "on_track") == "behind"
    assert worse("on_track", None) == "on_track"


def test_invalid_targets() -> None:
    with pytest.raises(InvalidInput) as info:
        goal([], date(2026, 1, 1), target=-1)
    assert info.value.detail == "Målet är inte giltigt."
    assert info.value.errors == [FieldError(field="target_new_groups", message="Ska vara 0 eller mer.", code="goal.negative")]
    with pytest.raises(InvalidInput) as info:
        goal([], date(2026, 1, 1), target=-1, target_meetings=-1)
    assert info.value.errors == [
        FieldError(field="target_new_groups", message="Ska vara 0 eller mer.", code="goal.negative"),
        FieldError(field="target_info_meetings", message="Ska vara 0 eller mer.", code="goal.negative"),
    ]


def test_a_meeting_target_of_zero_is_a_target_met() -> None:
    status = goal([], date(2026, 7, 1), target=0, target_meetings=0)
    assert status.target_info_meetings == 0
    assert status.meetings_status == "achieved"
    assert status.expected_meetings_by_now == 0.0
    assert status.status == "achieved"


def test_a_meeting_held_on_the_day_asked_about_counts() -> None:
    ms = [meeting(date(2026, 3, 2)), meeting(date(2026, 3, 1)), meeting(date(2026, 3, 3))]
    status = goal([], date(2026, 3, 2), meetings=ms, target_meetings=1)
    assert status.info_meetings == 2
    assert status.meetings_status == "achieved"


@pytest.mark.parametrize("year", [0, -1, 9999, 10_000])
def test_a_year_out_of_range_is_invalid_input_naming_the_year(year: int) -> None:
    for call in (
        lambda: days_in_year(year),
        lambda: days_elapsed(year, date(2026, 1, 1)),
        lambda: goal([], date(2026, 1, 1), year=year),
    ):
        with pytest.raises(InvalidInput) as info:
            call()
        assert info.value.detail == f"År {year} ligger utanför det tillåtna intervallet."
        assert info.value.errors == [FieldError(field="year", message="Året ska vara mellan 1 och 9998.", code="goal.year_bounds")]


def test_the_first_and_last_years_are_accepted() -> None:
    assert days_in_year(1) == 365
    assert days_in_year(9998) == 365
    assert goal([], date(9998, 12, 31), year=9998).status == "behind"
    assert goal([], date(1, 1, 1), year=1, target=0).status == "achieved"


def test_json_fields() -> None:
    fields = set(msgspec.to_builtins(goal([], date(2026, 7, 1))))
    assert {
        "kommun",
        "year",
        "target_new_groups",
        "target_info_meetings",
        "new_groups",
        "groups",
        "expected_by_now",
        "status",
        "forming_groups",
        "info_meetings",
        "expected_meetings_by_now",
    } <= fields


# --- series ----------------------------------------------------------------------------------


def test_cumulative_series() -> None:
    g = [group(1, date(2026, 1, 15)), group(2, date(2026, 3, 1)), group(3, date(2026, 3, 1))]
    series = cumulative_series(goal(g, date(2026, 3, 20), target=12))
    assert [(s.on, s.cumulative) for s in series.steps] == [
        (date(2026, 1, 15), 1),
        (date(2026, 3, 1), 2),
        (date(2026, 3, 1), 3),
    ]
    assert series.through == date(2026, 3, 20)
    assert [m.actual for m in series.months] == [1, 1, 3] + [None] * 9
    assert series.months[-1].expected == 12.0
    assert series.months[0].expected == round(12 * 31 / 365, 2)


@pytest.mark.parametrize(("year", "february"), [(2026, 28), (2028, 29)])
def test_every_month_point_is_the_last_day_of_its_month(year: int, february: int) -> None:
    series = cumulative_series(goal([], date(year, 6, 1), year=year, target=days_in_year(year)))
    lengths = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert [m.month for m in series.months] == list(range(1, 13))
    assert [m.end for m in series.months] == [date(year, month, day) for month, day in enumerate(lengths, start=1)]
    # with a target of one group a day the line stands at the day of the year at each month end
    days = [sum(lengths[:i]) for i in range(1, 13)]
    assert [m.expected for m in series.months] == [float(d) for d in days]
    assert series.days_in_year == days_in_year(year)


def test_a_group_established_on_the_last_day_of_a_month_counts_in_that_month() -> None:
    g = [group(1, date(2026, 1, 31)), group(2, date(2026, 2, 28))]
    series = cumulative_series(goal(g, date(2026, 3, 15)))
    assert [m.actual for m in series.months[:3]] == [1, 2, 2]


def test_a_month_that_begins_on_the_day_asked_about_has_a_value() -> None:
    g = [group(1, date(2026, 1, 31)), group(2, date(2026, 3, 1))]
    series = cumulative_series(goal(g, date(2026, 3, 1)))
    assert [m.actual for m in series.months[:4]] == [1, 1, 2, None]


def test_progress_on_1_january_has_that_day_and_later_than_the_year_stops_at_31_december() -> None:
    series = cumulative_series(goal([group(1, date(2026, 1, 1))], date(2026, 1, 1)))
    assert series.through == date(2026, 1, 1)
    assert [m.actual for m in series.months[:2]] == [1, None]
    after = cumulative_series(goal([group(1, date(2026, 12, 31))], date(2027, 2, 1)))
    assert after.through == date(2026, 12, 31)
    assert [m.actual for m in after.months] == [0] * 11 + [1]


def test_cumulative_series_before_the_year() -> None:
    series = cumulative_series(goal([], date(2025, 11, 1)))
    assert series.through is None
    assert all(m.actual is None for m in series.months)
