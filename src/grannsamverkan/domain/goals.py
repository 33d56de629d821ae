"""Yearly goals per kommun: new groups (and, optionally, information meetings) against a target.

Counting rules
--------------
- A group counts once, for the calendar year of its ``established_on``, and only once that date
  has come (``established_on <= as_of``). Groups without ``established_on`` never count.
- Groups registered after the fact as already existing (``registered_as_existing``) never count
  as new, in any year.
- A group established and dissolved in the same year still counts; its status is shown.
- A meeting counts for the year of ``held_on`` once ``held_on <= as_of``.

Pro rata
--------
``expected_by_now = target × elapsed / days_in_year`` where ``elapsed`` is the number of days of
the year up to and including ``as_of`` (0 before the year, all of it after) and ``days_in_year``
is 366 in leap years. It is computed as a :class:`~fractions.Fraction`; the API shows it rounded
to two decimals, but every decision uses the exact value.

Status
------
- ``not_started``: ``as_of`` is before 1 January of the year.
- ``achieved``: count >= target (so a target of 0 is achieved as soon as the year has started).
- ``behind``: the year is over (``as_of`` >= 1 January of the next year) and not achieved.
- ``on_track``: count >= floor(expected_by_now). The tolerance is deliberate: groups come in
  whole numbers, so you are on track when you have at least the whole number of groups the
  pro-rata line has reached. With a target of 10, 1.95 groups are expected on 11 March; one group
  is on track, none is behind. On 31 December the floor equals the target, so the year can only
  end achieved or behind.
- ``behind``: otherwise.

With a meeting target the overall ``status`` is the worse of the two
(``behind`` < ``on_track`` < ``achieved``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction
from typing import Final, Literal

import msgspec

from grannsamverkan.domain.eligibility import (
    GroupKind,
    GroupStatus,
    required_signups,
)
from grannsamverkan.domain.lifecycle import PRE_ACTIVE
from grannsamverkan.errors import FieldError, InvalidInput

__all__ = [
    "GOAL_STATUSES",
    "CountedGroup",
    "FormingGroup",
    "GoalStatus",
    "GoalStatusCode",
    "GroupRecord",
    "MeetingRecord",
    "MonthPoint",
    "ProgressSeries",
    "ProgressStep",
    "counted_groups",
    "counted_meetings",
    "cumulative_series",
    "days_elapsed",
    "days_in_year",
    "evaluate_goal",
    "expected_by",
    "progress_status",
    "worse",
]

GoalStatusCode = Literal["achieved", "on_track", "behind", "not_started"]
GOAL_STATUSES: Final[tuple[GoalStatusCode, ...]] = ("achieved", "on_track", "behind", "not_started")
#: The statuses in Swedish, the same words in the report and on the command line.
GOAL_STATUS_LABELS: Final[dict[GoalStatusCode, str]] = {
    "achieved": "Uppnått",
    "on_track": "I fas",
    "behind": "Efter plan",
    "not_started": "Ej påbörjat",
}
_SEVERITY: Final[dict[GoalStatusCode, int]] = {
    "not_started": 0,
    "achieved": 1,
    "on_track": 2,
    "behind": 3,
}


class GroupRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What the goal needs to know about one group (the db layer builds these)."""

    id: int
    name: str
    area_id: int | None
    area_name: str | None
    kommun: str
    kind: GroupKind
    status: GroupStatus
    established_on: date | None = None
    dissolved_on: date | None = None
    registered_as_existing: bool = False
    households_total: int = 0
    households_signed_up: int = 0


class MeetingRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An information meeting held in the kommun."""

    held_on: date
    locality: str
    topic: str
    attendees: int | None = None


class CountedGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A group counted as new in the goal's year (an item of ``GoalStatus.groups``)."""

    id: int
    name: str
    area_id: int | None
    area_name: str | None
    kind: GroupKind
    established_on: date
    status: GroupStatus
    dissolved_on: date | None
    households_total: int
    households_signed_up: int
    share: float


class FormingGroup(msgspec.Struct, frozen=True, kw_only=True):
    """A group still forming in the kommun, with how far it is from the 70 % rule."""

    id: int
    name: str
    area_id: int | None
    area_name: str | None
    kind: GroupKind
    households_total: int
    households_signed_up: int
    share: float
    required_signups: int
    missing_signups: int


class GoalStatus(msgspec.Struct, frozen=True, kw_only=True):
    """The answer of ``GET /api/v1/goals/{kommun}/{year}``.

    ``status`` is the overall status; ``groups_status`` and ``meetings_status`` (null without a
    meeting target) are its two parts.
    """

    kommun: str
    year: int
    as_of: date
    target_new_groups: int
    target_info_meetings: int | None
    new_groups: int
    groups: list[CountedGroup]
    expected_by_now: float
    status: GoalStatusCode
    groups_status: GoalStatusCode
    forming_groups: list[FormingGroup]
    info_meetings: int
    expected_meetings_by_now: float | None
    meetings_status: GoalStatusCode | None


def _check_year(year: int) -> None:
    if not 1 <= year <= 9998:
        raise InvalidInput("goal.year_range", [FieldError.of("year", "goal.year_bounds")], year=year)


def days_in_year(year: int) -> int:
    """365, or 366 in a leap year."""
    _check_year(year)
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def days_elapsed(year: int, as_of: date) -> int:
    """Days of ``year`` up to and including ``as_of``: 0 before the year, all after it."""
    _check_year(year)
    start = date(year, 1, 1)
    if as_of < start:
        return 0
    return min((as_of - start).days + 1, days_in_year(year))


def expected_by(target: int, year: int, as_of: date) -> Fraction:
    """The pro-rata target at the end of ``as_of``, exactly."""
    return Fraction(target * days_elapsed(year, as_of), days_in_year(year))


def progress_status(count: int, target: int, year: int, as_of: date) -> GoalStatusCode:
    """The status of one count against its target (see the module docstring)."""
    if as_of < date(year, 1, 1):
        return "not_started"
    if count >= target:
        return "achieved"
    if as_of >= date(year + 1, 1, 1):
        return "behind"
    # floor(target * elapsed / days) without leaving the integers
    if count >= (target * days_elapsed(year, as_of)) // days_in_year(year):
        return "on_track"
    return "behind"


def worse(a: GoalStatusCode, b: GoalStatusCode | None) -> GoalStatusCode:
    """The worse of two statuses; ``None`` (no such target) does not count."""
    if b is None:
        return a
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def _share(signed_up: int, total: int) -> float:
    return signed_up / total if total else 0.0


def counted_groups(groups: Iterable[GroupRecord], kommun: str, year: int, as_of: date) -> list[CountedGroup]:
    """The groups that count as new for ``kommun`` in ``year``, by date then id."""
    counted = [
        CountedGroup(
            id=g.id,
            name=g.name,
            area_id=g.area_id,
            area_name=g.area_name,
            kind=g.kind,
            established_on=g.established_on,
            status=g.status,
            dissolved_on=g.dissolved_on,
            households_total=g.households_total,
            households_signed_up=g.households_signed_up,
            share=_share(g.households_signed_up, g.households_total),
        )
        for g in groups
        if g.kommun == kommun
        and g.established_on is not None
        and not g.registered_as_existing
        and g.established_on.year == year
        and g.established_on <= as_of
    ]
    counted.sort(key=lambda c: (c.established_on, c.id))
    return counted


def counted_meetings(meetings: Iterable[MeetingRecord], year: int, as_of: date) -> list[MeetingRecord]:
    """Meetings held in ``year`` up to and including ``as_of``, by date."""
    held = [m for m in meetings if m.held_on.year == year and m.held_on <= as_of]
    held.sort(key=lambda m: m.held_on)
    return held


def _forming(groups: Iterable[GroupRecord], kommun: str) -> list[FormingGroup]:
    forming = []
    for g in groups:
        if g.kommun != kommun or g.status not in PRE_ACTIVE:  # forming, or under the staged approval
            continue
        required = required_signups(g.households_total)
        forming.append(
            FormingGroup(
                id=g.id,
                name=g.name,
                area_id=g.area_id,
                area_name=g.area_name,
                kind=g.kind,
                households_total=g.households_total,
                households_signed_up=g.households_signed_up,
                share=_share(g.households_signed_up, g.households_total),
                required_signups=required,
                missing_signups=max(0, required - g.households_signed_up),
            )
        )
    # closest to establishment first
    forming.sort(key=lambda f: (f.missing_signups, f.name, f.id))
    return forming


def evaluate_goal(
    kommun: str,
    year: int,
    target_new_groups: int,
    target_info_meetings: int | None,
    groups: Iterable[GroupRecord],
    meetings: Iterable[MeetingRecord],
    as_of: date,
) -> GoalStatus:
    """Count the year's new groups (and meetings) up to ``as_of`` and judge them.

    ``groups`` may hold any groups (other kommuner and years are ignored); ``forming_groups`` are
    the kommun's groups whose status is currently ``forming``. ``meetings`` are the kommun's.
    """
    _check_year(year)
    errors = []
    if target_new_groups < 0:
        errors.append(FieldError.of("target_new_groups", "goal.negative"))
    if target_info_meetings is not None and target_info_meetings < 0:
        errors.append(FieldError.of("target_info_meetings", "goal.negative"))
    if errors:
        raise InvalidInput("goal.invalid", errors)

    groups = list(groups)
    counted = counted_groups(groups, kommun, year, as_of)
    groups_status = progress_status(len(counted), target_new_groups, year, as_of)

    held = counted_meetings(meetings, year, as_of)
    meetings_status: GoalStatusCode | None = None
    expected_meetings: float | None = None
    if target_info_meetings is not None:
        meetings_status = progress_status(len(held), target_info_meetings, year, as_of)
        expected_meetings = round(float(expected_by(target_info_meetings, year, as_of)), 2)

    return GoalStatus(
        kommun=kommun,
        year=year,
        as_of=as_of,
        target_new_groups=target_new_groups,
        target_info_meetings=target_info_meetings,
        new_groups=len(counted),
        groups=counted,
        expected_by_now=round(float(expected_by(target_new_groups, year, as_of)), 2),
        status=worse(groups_status, meetings_status),
        groups_status=groups_status,
        forming_groups=_forming(groups, kommun),
        info_meetings=len(held),
        expected_meetings_by_now=expected_meetings,
        meetings_status=meetings_status,
    )


# --- the series behind the chart -------------------------------------------------------------


class ProgressStep(msgspec.Struct, frozen=True, kw_only=True):
    """One counted group: the cumulative count rises to ``cumulative`` on ``on``."""

    on: date
    cumulative: int
    group_id: int
    name: str


class MonthPoint(msgspec.Struct, frozen=True, kw_only=True):
    """The end of one month: groups so far (null for months not yet begun) and the goal line."""

    month: int
    end: date
    actual: int | None
    expected: float


class ProgressSeries(msgspec.Struct, frozen=True, kw_only=True):
    """Cumulative new groups through the year against the straight goal line.

    The goal line runs from 0 at the start of 1 January to ``target`` at the end of 31 December;
    at the end of day *d* it stands at ``target × d / days_in_year`` (``expected_by_now``).
    ``through`` is the last day with data (``as_of``, at most 31 December; null before the year).
    """

    year: int
    target: int
    days_in_year: int
    through: date | None
    steps: list[ProgressStep]
    months: list[MonthPoint]


def cumulative_series(goal: GoalStatus) -> ProgressSeries:
    """The chart's data: one step per counted group and month-end values."""
    year, target = goal.year, goal.target_new_groups
    n_days = days_in_year(year)
    start, last = date(year, 1, 1), date(year, 12, 31)
    through = None if goal.as_of < start else min(goal.as_of, last)

    ordered = sorted(goal.groups, key=lambda g: (g.established_on, g.id))
    steps = [ProgressStep(on=g.established_on, cumulative=i, group_id=g.id, name=g.name) for i, g in enumerate(ordered, start=1)]

    months = []
    for month in range(1, 13):
        end = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
        begun = through is not None and date(year, month, 1) <= through
        cutoff = min(end, through) if through is not None else None
        actual = sum(1 for s in steps if cutoff is not None and s.on <= cutoff) if begun else None
        months.append(
            MonthPoint(
                month=month,
                end=end,
                actual=actual,
                expected=round(float(expected_by(target, year, end)), 2),
            )
        )
    return ProgressSeries(year=year, target=target, days_in_year=n_days, through=through, steps=steps, months=months)
