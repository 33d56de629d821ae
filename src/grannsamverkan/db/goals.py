"""Yearly goals, information meetings, and what the goal check and the report read.

The counting rules live in ``domain/goals.py``; this module only loads the rows they need:
a kommun's groups established in the year plus those still forming (by the *area's* kommun, so
a group counts where its area lies), its meetings of the year, and, for the report, the areas
and burglaries that the ranking orders.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Final, Literal

import asyncpg
import msgspec
from msgspec import Meta

from grannsamverkan.db import audit, kommuner
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.calendar import STOCKHOLM, check_days
from grannsamverkan.domain.goals import GoalStatus, GroupRecord, MeetingRecord, evaluate_goal
from grannsamverkan.errors import FieldError, InvalidInput, NotFound

if TYPE_CHECKING:  # the ranking (numpy, scipy) loads when a report ranks, not for `goals check`
    from grannsamverkan.domain.ranking import RankedArea

#: The years the ``goal`` table accepts (its check constraint).
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100

Topic = Literal["grannsamverkan", "byavakt"]


def check_year(year: int, field: str = "year") -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        bounds = FieldError.of(field, "goal.year_between", first=FIRST_YEAR, last=LAST_YEAR)
        raise InvalidInput("goal.year_outside", [bounds], year=year, first=FIRST_YEAR, last=LAST_YEAR)


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


# --- goals ------------------------------------------------------------------------------------


class GoalTargets(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``PUT /api/v1/goals/{kommun}/{year}``."""

    target_new_groups: Annotated[int, Meta(ge=0, le=100_000, description="new groups to establish during the year")]
    target_info_meetings: Annotated[int, Meta(ge=0, le=100_000, description="information meetings to hold during the year")] | None = None


class Goal(msgspec.Struct, kw_only=True):
    """A stored goal."""

    kommun: str
    year: int
    target_new_groups: int
    target_info_meetings: int | None
    updated_at: datetime


GOAL_COLUMNS = "kommun, year, target_new_groups, target_info_meetings, updated_at"

UPSERT_GOAL = f"""
insert into goal (kommun, year, target_new_groups, target_info_meetings)
values ($1, $2, $3, $4)
on conflict on constraint goal_pkey do update
set target_new_groups = excluded.target_new_groups,
    target_info_meetings = excluded.target_info_meetings,
    updated_at = now()
returning {GOAL_COLUMNS}
"""

GOAL_FOR_UPDATE = f"select {GOAL_COLUMNS} from goal where kommun = $1 and year = $2 for update"

GET_GOAL = f"""
select {GOAL_COLUMNS} from goal where kommun = $1 and year = $2 and ($3::text[] is null or kommun = any($3::text[]))
"""


def _goal(row: asyncpg.Record) -> Goal:
    return Goal(
        kommun=row["kommun"],
        year=row["year"],
        target_new_groups=row["target_new_groups"],
        target_info_meetings=row["target_info_meetings"],
        updated_at=row["updated_at"],
    )


def _goal_values(goal: Goal) -> dict[str, object]:
    return {"year": goal.year, "target_new_groups": goal.target_new_groups, "target_info_meetings": goal.target_info_meetings}


async def put_goal(conn: asyncpg.Connection, actor: Principal, kommun: str, year: int, targets: GoalTargets) -> tuple[Goal, bool]:
    """Set (or replace) the goal of ``kommun`` for ``year``; answers the goal and whether it is new."""
    check_year(year)
    await kommuner.require_known(conn, [kommun])
    actor.require_kommun(kommun)
    async with conn.transaction(), translated_errors():
        before = await conn.fetchrow(GOAL_FOR_UPDATE, kommun, year)
        row = await conn.fetchrow(UPSERT_GOAL, kommun, year, targets.target_new_groups, targets.target_info_meetings)
        goal = _goal(row)
        await audit.record(
            conn,
            actor,
            kommun=kommun,
            table="goal",
            row_id=None,
            action="insert" if before is None else "update",
            before=None if before is None else _goal_values(_goal(before)),
            after=_goal_values(goal),
        )
    return goal, before is None


async def get_goal(conn: asyncpg.Connection, kommun: str, year: int, scope: list[str] | None) -> Goal:
    """A goal the caller may see; 422 for an unknown kommun, 404 outside the scope or when none is set."""
    check_year(year)
    await kommuner.require_known(conn, [kommun])
    row = await conn.fetchrow(GET_GOAL, kommun, year, scope)
    if row is None:
        raise NotFound("goal.not_set", kommun=kommun, year=year)
    return _goal(row)


LIST_GOALS = f"""
select {GOAL_COLUMNS}, count(*) over () as total
from goal
where ($1::text[] is null or kommun = any($1::text[]))
  and ($2::integer is null or year = $2)
order by year desc, kommun
limit $3 offset $4
"""


async def list_goals(
    conn: asyncpg.Connection, *, in_kommuner: list[str] | None, year: int | None, limit: int | None, offset: int = 0
) -> tuple[list[Goal], int]:
    rows = await conn.fetch(LIST_GOALS, in_kommuner, year, limit, offset)
    return [_goal(r) for r in rows], (rows[0]["total"] if rows else 0)


# --- what the goal counts -------------------------------------------------------------------------

GROUP_RECORDS = """
select g.id, g.name, g.area_id, a.name as area_name, a.kommun, g.kind, g.status, g.established_on,
       g.dissolved_on, g.registered_as_existing, a.households_total, g.households_signed_up
from watch_group g join area a on a.id = g.area_id
where a.kommun = any($1::text[])
  and (g.status in ('forming', 'proposed', 'reviewed', 'approved') or (g.established_on >= $2 and g.established_on < $3))
order by g.id
"""


async def group_records(conn: asyncpg.Connection, in_kommuner: list[str], year: int) -> list[GroupRecord]:
    """The groups of these kommuner established in ``year`` (any status, existing ones included,
    so the domain can leave them out) and those still forming."""
    start, end = _year_bounds(year)
    rows = await conn.fetch(GROUP_RECORDS, in_kommuner, start, end)
    return [
        GroupRecord(
            id=r["id"],
            name=r["name"],
            area_id=r["area_id"],
            area_name=r["area_name"],
            kommun=r["kommun"],
            kind=r["kind"],
            status=r["status"],
            established_on=r["established_on"],
            dissolved_on=r["dissolved_on"],
            registered_as_existing=r["registered_as_existing"],
            households_total=r["households_total"],
            households_signed_up=r["households_signed_up"],
        )
        for r in rows
    ]


# Information meetings are activities of the kind "informationstraff" (migration 0009).
MEETING_RECORDS = """
select kommun, held_on, place as locality, topic, coalesce(participants, 0) as attendees
from activity
where kind = 'informationstraff' and kommun = any($1::text[]) and held_on >= $2 and held_on < $3
order by held_on, id
"""


async def meeting_records(conn: asyncpg.Connection, in_kommuner: list[str], year: int) -> dict[str, list[MeetingRecord]]:
    """The meetings held in ``year``, per kommun."""
    start, end = _year_bounds(year)
    out: dict[str, list[MeetingRecord]] = {k: [] for k in in_kommuner}
    for r in await conn.fetch(MEETING_RECORDS, in_kommuner, start, end):
        out.setdefault(r["kommun"], []).append(
            MeetingRecord(held_on=r["held_on"], locality=r["locality"], topic=r["topic"], attendees=r["attendees"])
        )
    return out


async def evaluate(conn: asyncpg.Connection, goals: list[Goal], as_of: date) -> list[GoalStatus]:
    """Each goal judged at ``as_of``, in the order given (two queries per year, whatever the count)."""
    check_days(as_of=as_of)
    out: dict[tuple[str, int], GoalStatus] = {}
    for year in sorted({g.year for g in goals}):
        of_year = [g for g in goals if g.year == year]
        codes = [g.kommun for g in of_year]
        groups = await group_records(conn, codes, year)
        meetings = await meeting_records(conn, codes, year)
        for g in of_year:
            out[(g.kommun, year)] = evaluate_goal(
                g.kommun,
                year,
                g.target_new_groups,
                g.target_info_meetings,
                [r for r in groups if r.kommun == g.kommun],
                meetings.get(g.kommun, []),
                as_of,
            )
    return [out[(g.kommun, g.year)] for g in goals]


async def goal_status(conn: asyncpg.Connection, kommun: str, year: int, as_of: date, scope: list[str] | None) -> GoalStatus:
    """``GET /api/v1/goals/{kommun}/{year}``: the goal judged at ``as_of``."""
    goal = await get_goal(conn, kommun, year, scope)
    return (await evaluate(conn, [goal], as_of))[0]


class GoalCheck(msgspec.Struct, kw_only=True):
    """One line of ``goals check``."""

    kommun_name: str
    goal: GoalStatus


async def check_goals(conn: asyncpg.Connection, year: int, in_kommuner: list[str] | None, as_of: date) -> list[GoalCheck]:
    """The goals of ``year`` for these kommuner (all with a goal when None), judged at ``as_of``.

    A kommun named but without a goal for the year is an error (a cron job checking nothing
    must not pass silently), as is a year without any goal.
    """
    check_year(year)
    if in_kommuner:
        await kommuner.require_known(conn, in_kommuner, field="kommun")
    goals, _ = await list_goals(conn, in_kommuner=in_kommuner or None, year=year, limit=None)
    if in_kommuner:
        missing = sorted(set(in_kommuner) - {g.kommun for g in goals})
        if missing:
            raise NotFound(
                "goal.not_set_in",
                [FieldError.of("kommun", "goal.not_set", kommun=k, year=year) for k in missing],
                year=year,
                kommuner=", ".join(missing),
            )
    elif not goals:
        raise NotFound("goal.none", year=year)
    goals.sort(key=lambda g: g.kommun)
    names = {k.code: k.name for k in await kommuner.list_kommuner(conn)}
    statuses = await evaluate(conn, goals, as_of)
    return [GoalCheck(kommun_name=names.get(s.kommun, s.kommun), goal=s) for s in statuses]


# --- information meetings ---------------------------------------------------------------------------


class MeetingCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /api/v1/meetings``."""

    kommun: Annotated[str, Meta(pattern=r"^[0-9]{4}$", description="SCB kommun code, e.g. 2283")]
    held_on: date
    locality: Annotated[str, Meta(min_length=1, max_length=200, description="village or district, e.g. Ramsele")]
    topic: Topic
    attendees: Annotated[int, Meta(ge=0, le=1_000_000)] = 0


class Meeting(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    held_on: date
    locality: str
    topic: str
    attendees: int
    created_at: datetime


MEETING_COLUMNS = "id, kommun, held_on, place as locality, topic, coalesce(participants, 0) as attendees, created_at"
IS_MEETING = "kind = 'informationstraff'"

INSERT_MEETING = f"""
insert into activity (kommun, held_on, kind, place, topic, participants)
values ($1, $2, 'informationstraff', $3, $4, $5)
returning {MEETING_COLUMNS}
"""

GET_MEETING = f"""
select {MEETING_COLUMNS} from activity where id = $1 and {IS_MEETING} and ($2::text[] is null or kommun = any($2::text[]))
"""

DELETE_MEETING = f"""
delete from activity where id = $1 and {IS_MEETING} and ($2::text[] is null or kommun = any($2::text[]))
returning {MEETING_COLUMNS}
"""


def _meeting(row: asyncpg.Record) -> Meeting:
    return Meeting(**{k: row[k] for k in Meeting.__struct_fields__})


async def create_meeting(conn: asyncpg.Connection, actor: Principal, data: MeetingCreate) -> Meeting:
    check_year(data.held_on.year, "held_on")
    locality = data.locality.strip()
    if not locality:
        raise InvalidInput("meeting.locality_empty", [FieldError.of("locality", "meeting.blank")])
    await kommuner.require_known(conn, [data.kommun])
    actor.require_kommun(data.kommun)
    async with conn.transaction(), translated_errors():
        row = await conn.fetchrow(INSERT_MEETING, data.kommun, data.held_on, locality, data.topic, data.attendees)
        meeting = _meeting(row)
        await audit.record(conn, actor, kommun=meeting.kommun, table="info_meeting", row_id=meeting.id, action="insert", after=meeting)
    return meeting


async def get_meeting(conn: asyncpg.Connection, meeting_id: int, scope: list[str] | None) -> Meeting:
    row = await conn.fetchrow(GET_MEETING, meeting_id, scope)
    if row is None:
        raise NotFound("meeting.not_found", meeting_id=meeting_id)
    return _meeting(row)


LIST_MEETINGS = f"""
select {MEETING_COLUMNS}, count(*) over () as total
from activity
where {IS_MEETING} and ($1::text[] is null or kommun = any($1::text[]))
  and ($2::date is null or (held_on >= $2 and held_on < $3))
order by held_on, id
limit $4 offset $5
"""


async def list_meetings(
    conn: asyncpg.Connection, *, in_kommuner: list[str] | None, year: int | None, limit: int, offset: int
) -> tuple[list[Meeting], int]:
    start, end = _year_bounds(year) if year is not None else (None, None)
    rows = await conn.fetch(LIST_MEETINGS, in_kommuner, start, end, limit, offset)
    return [_meeting(r) for r in rows], (rows[0]["total"] if rows else 0)


async def delete_meeting(conn: asyncpg.Connection, actor: Principal, meeting_id: int) -> None:
    async with conn.transaction():
        row = await conn.fetchrow(DELETE_MEETING, meeting_id, actor.scope)
        if row is None:
            raise NotFound("meeting.not_found", meeting_id=meeting_id)
        await audit.record(
            conn, actor, kommun=row["kommun"], table="info_meeting", row_id=meeting_id, action="delete", before=_meeting(row)
        )


# --- the report -----------------------------------------------------------------------------------------

RANKING_AREAS = """
select a.id, a.name, a.kommun, a.households_total, a.point_x, a.point_y,
       exists (select 1 from watch_group g where g.area_id = a.id and g.status <> 'dissolved') as has_group
from area a
where a.kommun = $1
order by a.id
"""

RANKING_BURGLARIES = """
select occurred_from, occurred_to, area_id, x, y
from burglary
where kommun = $1 and occurred_to >= $2 and occurred_from < $3
"""


async def priority_areas_without_group(
    conn: asyncpg.Connection, kommun: str, as_of: date, *, months: int = 12, limit: int = 10
) -> list[RankedArea]:
    """The top areas by the Empirical Bayes rate over the ``months`` up to and including ``as_of``,
    leaving out areas that have a group (forming or active): the report's "areas without a group".

    Every area of the kommun informs the EB prior, covered or not.
    """
    from grannsamverkan.domain.ranking import Incident, RankingArea, rank_areas

    end = datetime.combine(as_of + timedelta(days=1), time(0), STOCKHOLM)
    start = datetime.combine(_months_before(as_of + timedelta(days=1), months), time(0), STOCKHOLM)
    areas = [
        RankingArea(
            area_id=r["id"],
            name=r["name"],
            kommun=r["kommun"],
            households=r["households_total"],
            x=r["point_x"],
            y=r["point_y"],
            has_active_group=r["has_group"],
        )
        for r in await conn.fetch(RANKING_AREAS, kommun)
    ]
    if not areas:
        return []
    incidents = [
        Incident(occurred_from=r["occurred_from"], occurred_to=r["occurred_to"], area_id=r["area_id"], x=r["x"], y=r["y"])
        for r in await conn.fetch(RANKING_BURGLARIES, kommun, start, end)
    ]
    return rank_areas("eb", areas, incidents, start, end, include_covered=False, limit=limit)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has fewer)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


class ReportSource(msgspec.Struct, kw_only=True):
    """What the yearly report shows, as the database and the domain give it."""

    kommun: str
    kommun_name: str
    year: int
    as_of: date
    goal: GoalStatus | None
    meetings: list[MeetingRecord]
    priority_areas: list[RankedArea]


async def report_source(
    conn: asyncpg.Connection, kommun: str, year: int, as_of: date, scope: list[str] | None, *, top: int = 10
) -> ReportSource:
    status = await goal_status(conn, kommun, year, as_of, scope)
    meetings = (await meeting_records(conn, [kommun], year)).get(kommun, [])
    return ReportSource(
        kommun=kommun,
        kommun_name=(await kommuner.get_kommun(conn, kommun)).name,
        year=year,
        as_of=as_of,
        goal=status,
        meetings=meetings,
        priority_areas=await priority_areas_without_group(conn, kommun, as_of, limit=top),
    )
