"""Medborgarlöften in the database: promises, activities (with a trygghetsvandring's walk points),
areas offered grannsamverkan, the council's last meeting of the year, and what the rules count.

Queries only; ``services/promises.py`` opens the transactions and writes the audit trail. A
promise is visible to a caller who sees its ``kommun`` or one of its ``also_kommuner``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec

from grannsamverkan.domain.goals import GroupRecord
from grannsamverkan.domain.places import STATUSES as PLACE_STATUSES
from grannsamverkan.domain.promises import PromiseRule, walk_status_of
from grannsamverkan.errors import NotFound
from grannsamverkan.geo.crs import sweref_to_wgs84

# --- promises -------------------------------------------------------------------------------------


class Promise(msgspec.Struct, kw_only=True):
    """A stored promise. ``goal_year`` is set when it is a yearly goal of ``/api/v1/goals``."""

    id: int
    kommun: str
    also_kommuner: list[str]
    period_start: date
    period_end: date
    promisor: str
    title: str
    text: str
    measure: str
    counts: str | None
    target: int | None
    activity_kind: str | None
    rhythm: str | None
    except_months: list[int]
    due_on: date | None
    owner_status: str | None
    status_comment: str
    goal_year: int | None
    position: int
    updated_at: datetime

    def rule(self) -> PromiseRule:
        return rule_from(msgspec.structs.asdict(self))

    @property
    def kommuner(self) -> list[str]:
        return [self.kommun, *self.also_kommuner]


def rule_from(values: dict[str, Any]) -> PromiseRule:
    """The measure of a promise from its column values."""
    return PromiseRule(
        measure=values["measure"],
        period_start=values["period_start"],
        period_end=values["period_end"],
        counts=values["counts"],
        target=values["target"],
        rhythm=values["rhythm"],
        except_months=tuple(values["except_months"]),
        due_on=values["due_on"],
        owner_status=values["owner_status"],
    )


PROMISE_COLUMNS = (
    "id, kommun, also_kommuner, period_start, period_end, promisor, title, text, measure, counts, target, "
    "activity_kind, rhythm, except_months, due_on, owner_status, status_comment, goal_year, position, updated_at"
)
#: The fields a caller writes (everything but id, goal_year and updated_at), in insert order.
PROMISE_FIELDS = (
    "kommun",
    "also_kommuner",
    "period_start",
    "period_end",
    "promisor",
    "title",
    "text",
    "measure",
    "counts",
    "target",
    "activity_kind",
    "rhythm",
    "except_months",
    "due_on",
    "owner_status",
    "status_comment",
    "position",
)
VISIBLE = "($S::text[] is null or kommun = any($S::text[]) or also_kommuner && $S::text[])"


def _visible(n: int) -> str:
    return VISIBLE.replace("$S", f"${n}")


def promise_from_row(row: asyncpg.Record) -> Promise:
    values = dict(row)
    values["except_months"] = list(values["except_months"])
    values["also_kommuner"] = list(values["also_kommuner"])
    return Promise(**{k: values[k] for k in Promise.__struct_fields__})


INSERT_PROMISE = f"""
insert into promise ({", ".join(PROMISE_FIELDS)})
values ({", ".join(f"${i}" for i in range(1, len(PROMISE_FIELDS) + 1))})
returning {PROMISE_COLUMNS}
"""

UPDATE_PROMISE = f"""
update promise set {", ".join(f"{f} = ${i}" for i, f in enumerate(PROMISE_FIELDS[1:], start=2))}, updated_at = now()
where id = $1
returning {PROMISE_COLUMNS}
"""

GET_PROMISE = f"select {PROMISE_COLUMNS} from promise where id = $1 and {_visible(2)}"
GET_PROMISE_FOR_UPDATE = GET_PROMISE + " for update"


async def insert_promise(conn: asyncpg.Connection, values: dict[str, Any]) -> Promise:
    return promise_from_row(await conn.fetchrow(INSERT_PROMISE, *(values[f] for f in PROMISE_FIELDS)))


async def update_promise(conn: asyncpg.Connection, promise_id: int, values: dict[str, Any]) -> Promise:
    return promise_from_row(await conn.fetchrow(UPDATE_PROMISE, promise_id, *(values[f] for f in PROMISE_FIELDS[1:])))


async def get_promise(conn: asyncpg.Connection, promise_id: int, scope: list[str] | None, *, for_update: bool = False) -> Promise:
    row = await conn.fetchrow(GET_PROMISE_FOR_UPDATE if for_update else GET_PROMISE, promise_id, scope)
    if row is None:
        raise NotFound("promise.not_found", promise_id=promise_id)
    return promise_from_row(row)


LIST_PROMISES = f"""
select {PROMISE_COLUMNS}
from promise
where {_visible(1)}
  and ($2::text[] is null or kommun = any($2::text[]) or also_kommuner && $2::text[])
  and ($3::date is null or (period_start <= $4 and period_end >= $3))
order by kommun, period_start, position, id
"""


async def list_promises(
    conn: asyncpg.Connection, *, scope: list[str] | None, in_kommuner: list[str] | None, start: date | None, end: date | None
) -> list[Promise]:
    """The promises the caller sees, of these kommuner (all when None), whose period meets start..end."""
    rows = await conn.fetch(LIST_PROMISES, scope, in_kommuner, start, end)
    return [promise_from_row(r) for r in rows]


DELETE_PROMISE = "delete from promise where id = $1"


async def delete_promise(conn: asyncpg.Connection, promise_id: int) -> None:
    await conn.execute(DELETE_PROMISE, promise_id)


# --- activities -------------------------------------------------------------------------------------


class WalkPoint(msgspec.Struct, kw_only=True):
    """One point of a trygghetsvandring's protocol, followed up as its place report: ``status`` is
    the protocol's word for the report's status (``place_status``), which the places workflow keeps."""

    id: int
    activity_id: int
    kommun: str
    place: str
    problem: str
    action: str
    responsible: str
    deadline: date | None
    status: str
    lon: float | None = None
    lat: float | None = None
    place_report_id: int
    place_report_url: str
    place_status: str
    place_status_name: str


class Activity(msgspec.Struct, kw_only=True):
    """An activity logged in a kommun, against a promise or not; its point (if any) in WGS 84
    (stored as SWEREF 99 TM)."""

    id: int
    kommun: str
    promise_id: int | None
    held_on: date
    kind: str
    place: str
    area_id: int | None
    area_name: str | None
    lon: float | None
    lat: float | None
    participants: int | None
    who: str
    note: str
    topic: str | None
    created_at: datetime
    walk_points: list[WalkPoint] = []


ACTIVITY_FIELDS = (
    "kommun",
    "promise_id",
    "held_on",
    "kind",
    "place",
    "area_id",
    "point_x",
    "point_y",
    "participants",
    "who",
    "note",
    "topic",
)
ACTIVITY_COLUMNS = (
    "t.id, t.kommun, t.promise_id, t.held_on, t.kind, t.place, t.area_id, a.name as area_name, t.point_x, t.point_y, "
    "t.participants, t.who, t.note, t.topic, t.created_at"
)
ACTIVITY_SELECT = f"select {ACTIVITY_COLUMNS} from activity t left join area a on a.id = t.area_id\n"
WALK_POINT_COLUMNS = (
    "w.id, w.activity_id, w.kommun, w.place, w.problem, w.action, w.responsible, w.deadline, w.point_x, w.point_y, "
    "w.place_report_id, r.status as place_status"
)
WALK_POINT_SELECT = f"select {WALK_POINT_COLUMNS} from walk_point w join place_report r on r.id = w.place_report_id\n"
WALK_POINT_FIELDS = (
    "activity_id",
    "kommun",
    "place",
    "problem",
    "action",
    "responsible",
    "deadline",
    "point_x",
    "point_y",
    "place_report_id",
)

INSERT_ACTIVITY = f"""
insert into activity ({", ".join(ACTIVITY_FIELDS)})
values ({", ".join(f"${i}" for i in range(1, len(ACTIVITY_FIELDS) + 1))})
returning id
"""
INSERT_WALK_POINT = f"""
insert into walk_point ({", ".join(WALK_POINT_FIELDS)})
values ({", ".join(f"${i}" for i in range(1, len(WALK_POINT_FIELDS) + 1))})
returning id
"""
GET_WALK_POINT = WALK_POINT_SELECT + "where w.id = $1 and ($2::text[] is null or w.kommun = any($2::text[]))"
GET_WALK_POINT_FOR_UPDATE = GET_WALK_POINT + " for update of w"
TOUCH_WALK_POINT = "update walk_point set updated_at = now() where id = $1"
WALK_POINTS = WALK_POINT_SELECT + "where w.activity_id = any($1::bigint[]) order by w.activity_id, w.id"
GET_ACTIVITY = ACTIVITY_SELECT + "where t.id = $1 and ($2::text[] is null or t.kommun = any($2::text[]))"


def _with_lon_lat(row: asyncpg.Record, fields: tuple[str, ...]) -> dict[str, Any]:
    """The row's values for ``fields``, its SWEREF 99 TM point as WGS 84 ``lon`` and ``lat``."""
    values = {k: row[k] for k in fields if k not in ("walk_points", "lon", "lat")}
    values["lon"] = values["lat"] = None
    if row["point_x"] is not None:
        lon, lat = sweref_to_wgs84([row["point_x"]], [row["point_y"]])
        values["lon"], values["lat"] = round(float(lon[0]), 6), round(float(lat[0]), 6)
    return values


def _activity(row: asyncpg.Record, points: list[WalkPoint] | None = None) -> Activity:
    return Activity(**_with_lon_lat(row, Activity.__struct_fields__), walk_points=points or [])


def _walk_point(row: asyncpg.Record) -> WalkPoint:
    computed = ("status", "place_report_url", "place_status", "place_status_name")
    values = _with_lon_lat(row, tuple(f for f in WalkPoint.__struct_fields__ if f not in computed))
    return WalkPoint(
        **values,
        status=walk_status_of(row["place_status"]),
        place_report_url=f"/platser/{row['place_report_id']}",
        place_status=row["place_status"],
        place_status_name=PLACE_STATUSES[row["place_status"]],
    )


async def insert_activity(conn: asyncpg.Connection, values: dict[str, Any]) -> int:
    return await conn.fetchval(INSERT_ACTIVITY, *(values[f] for f in ACTIVITY_FIELDS))


async def insert_walk_point(conn: asyncpg.Connection, values: dict[str, Any]) -> WalkPoint:
    point_id = await conn.fetchval(INSERT_WALK_POINT, *(values[f] for f in WALK_POINT_FIELDS))
    return await get_walk_point(conn, point_id, None)


async def get_walk_point(conn: asyncpg.Connection, point_id: int, scope: list[str] | None, *, for_update: bool = False) -> WalkPoint:
    row = await conn.fetchrow(GET_WALK_POINT_FOR_UPDATE if for_update else GET_WALK_POINT, point_id, scope)
    if row is None:
        raise NotFound("walk_point.not_found", point_id=point_id)
    return _walk_point(row)


async def touch_walk_point(conn: asyncpg.Connection, point_id: int) -> None:
    """Mark the point followed up (its status is its place report's, changed through places)."""
    await conn.execute(TOUCH_WALK_POINT, point_id)


async def walk_points(conn: asyncpg.Connection, activity_ids: list[int]) -> dict[int, list[WalkPoint]]:
    out: dict[int, list[WalkPoint]] = {}
    rows = await conn.fetch(WALK_POINTS, activity_ids)
    for r in rows:
        out.setdefault(r["activity_id"], []).append(_walk_point(r))
    return out


async def get_activity(conn: asyncpg.Connection, activity_id: int, scope: list[str] | None) -> Activity:
    row = await conn.fetchrow(GET_ACTIVITY, activity_id, scope)
    if row is None:
        raise NotFound("activity.not_found", activity_id=activity_id)
    return _activity(row, (await walk_points(conn, [activity_id])).get(activity_id))


LIST_ACTIVITIES = f"""
select {ACTIVITY_COLUMNS}, count(*) over () as total
from activity t left join area a on a.id = t.area_id
where ($1::text[] is null or t.kommun = any($1::text[]))
  and ($2::date is null or t.held_on >= $2) and ($3::date is null or t.held_on <= $3)
  and ($4::bigint is null or t.promise_id = $4)
  and ($5::text is null or t.kind = $5)
order by t.held_on, t.id
limit $6 offset $7
"""


async def list_activities(
    conn: asyncpg.Connection,
    *,
    in_kommuner: list[str] | None,
    start: date | None = None,
    end: date | None = None,
    promise_id: int | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Activity]:
    return (
        await page_of_activities(
            conn, in_kommuner=in_kommuner, start=start, end=end, promise_id=promise_id, kind=kind, limit=limit, offset=offset
        )
    )[0]


async def page_of_activities(
    conn: asyncpg.Connection,
    *,
    in_kommuner: list[str] | None,
    start: date | None = None,
    end: date | None = None,
    promise_id: int | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Activity], int]:
    """A page of activities and how many match in all."""
    rows = await conn.fetch(LIST_ACTIVITIES, in_kommuner, start, end, promise_id, kind, limit, offset)
    points = await walk_points(conn, [r["id"] for r in rows if r["kind"] == "trygghetsvandring"])
    return [_activity(r, points.get(r["id"])) for r in rows], (rows[0]["total"] if rows else 0)


DELETE_ACTIVITY = """
delete from activity where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
returning id, kommun, promise_id, held_on, kind, place
"""
AREA_KOMMUN = "select kommun from area where id = $1"


async def delete_activity(conn: asyncpg.Connection, activity_id: int, scope: list[str] | None) -> asyncpg.Record | None:
    return await conn.fetchrow(DELETE_ACTIVITY, activity_id, scope)


async def area_kommun(conn: asyncpg.Connection, area_id: int) -> str | None:
    return await conn.fetchval(AREA_KOMMUN, area_id)


# --- offered areas ------------------------------------------------------------------------------------


class AreaOffer(msgspec.Struct, kw_only=True):
    """An area offered grannsamverkan, and the group it has formed since (if any)."""

    id: int
    kommun: str
    area_id: int
    area_name: str
    offered_on: date
    how: str
    priority_rank: int | None
    promise_id: int | None
    note: str
    group_id: int | None = None
    group_name: str | None = None
    group_status: str | None = None
    group_established_on: date | None = None


OFFER_SELECT = """
select o.id, o.kommun, o.area_id, a.name as area_name, o.offered_on, o.how, o.priority_rank, o.promise_id, o.note,
       g.id as group_id, g.name as group_name, g.status as group_status, g.established_on as group_established_on
from area_offer o
join area a on a.id = o.area_id
left join lateral (
    select id, name, status, established_on from watch_group w
    where w.area_id = o.area_id and w.status <> 'dissolved' and not w.registered_as_existing
      and (w.established_on is null or w.established_on >= o.offered_on)
    order by w.id desc limit 1
) g on true
"""

INSERT_OFFER = """
insert into area_offer (kommun, area_id, offered_on, how, priority_rank, promise_id, note)
values ($1, $2, $3, $4, $5, $6, $7)
returning id
"""
GET_OFFER = OFFER_SELECT + "where o.id = $1"
LIST_OFFERS = (
    OFFER_SELECT
    + """where ($1::text[] is null or o.kommun = any($1::text[]))
  and ($2::date is null or o.offered_on >= $2) and ($3::date is null or o.offered_on <= $3)
order by o.offered_on, o.id
"""
)
DELETE_OFFER = """
delete from area_offer where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
returning id, kommun, area_id, offered_on, how
"""


def _offer(row: asyncpg.Record) -> AreaOffer:
    return AreaOffer(**{k: row[k] for k in AreaOffer.__struct_fields__})


async def insert_offer(conn: asyncpg.Connection, values: dict[str, Any]) -> AreaOffer:
    offer_id = await conn.fetchval(
        INSERT_OFFER,
        values["kommun"],
        values["area_id"],
        values["offered_on"],
        values["how"],
        values["priority_rank"],
        values["promise_id"],
        values["note"],
    )
    return _offer(await conn.fetchrow(GET_OFFER, offer_id))


async def list_offers(
    conn: asyncpg.Connection,
    *,
    in_kommuner: list[str] | None,
    start: date | None = None,
    end: date | None = None,
) -> list[AreaOffer]:
    rows = await conn.fetch(LIST_OFFERS, in_kommuner, start, end)
    return [_offer(r) for r in rows]


async def delete_offer(conn: asyncpg.Connection, offer_id: int, scope: list[str] | None) -> asyncpg.Record | None:
    return await conn.fetchrow(DELETE_OFFER, offer_id, scope)


# --- the council's last meeting of the year ------------------------------------------------------------

COUNCIL_MEETINGS = "select kommun, last_meeting_on from council_meeting where kommun = any($1::text[]) and year = $2"
COUNCIL_MEETING_FOR_UPDATE = "select last_meeting_on from council_meeting where kommun = $1 and year = $2 for update"
PUT_COUNCIL_MEETING = """
insert into council_meeting (kommun, year, last_meeting_on) values ($1, $2, $3)
on conflict on constraint council_meeting_pkey do update set last_meeting_on = excluded.last_meeting_on, updated_at = now()
"""


async def council_meetings(conn: asyncpg.Connection, in_kommuner: list[str], year: int) -> dict[str, date]:
    rows = await conn.fetch(COUNCIL_MEETINGS, in_kommuner, year)
    return {r["kommun"]: r["last_meeting_on"] for r in rows}


async def put_council_meeting(conn: asyncpg.Connection, kommun: str, year: int, day: date) -> date | None:
    """Set the day; answers the day it replaced (None when new)."""
    before = await conn.fetchval(COUNCIL_MEETING_FOR_UPDATE, kommun, year)
    await conn.execute(PUT_COUNCIL_MEETING, kommun, year, day)
    return before


# --- what the rules count -----------------------------------------------------------------------------

PERIOD_GROUPS = """
select g.id, g.name, g.area_id, a.name as area_name, a.kommun, g.kind, g.status, g.established_on,
       g.dissolved_on, g.registered_as_existing, a.households_total, g.households_signed_up
from watch_group g join area a on a.id = g.area_id
where a.kommun = any($1::text[]) and g.established_on >= $2 and g.established_on <= $3
order by g.established_on, g.id
"""

ACTIVITY_DAYS = """
select kommun, promise_id, kind, held_on from activity
where kommun = any($1::text[]) and held_on >= $2 and held_on <= $3
order by held_on, id
"""
OFFER_DAYS = "select kommun, offered_on from area_offer where kommun = any($1::text[]) and offered_on >= $2 and offered_on <= $3"
LINKED_ACTIVITY_DAYS = "select promise_id, held_on from activity where promise_id = any($1::bigint[]) order by held_on, id"


async def groups_established(conn: asyncpg.Connection, in_kommuner: list[str], start: date, end: date) -> list[GroupRecord]:
    """Groups of these kommuner (by the area's kommun) established between start and end."""
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
        for r in await conn.fetch(PERIOD_GROUPS, in_kommuner, start, end)
    ]


async def activity_days(
    conn: asyncpg.Connection, in_kommuner: list[str], start: date, end: date
) -> list[tuple[str, int | None, str, date]]:
    """(kommun, promise_id, kind, held_on) of every activity of these kommuner between start and end."""
    rows = await conn.fetch(ACTIVITY_DAYS, in_kommuner, start, end)
    return [(r["kommun"], r["promise_id"], r["kind"], r["held_on"]) for r in rows]


async def offer_days(conn: asyncpg.Connection, in_kommuner: list[str], start: date, end: date) -> list[tuple[str, date]]:
    rows = await conn.fetch(OFFER_DAYS, in_kommuner, start, end)
    return [(r["kommun"], r["offered_on"]) for r in rows]


async def linked_activity_days(conn: asyncpg.Connection, promise_ids: list[int]) -> dict[int, list[date]]:
    """The days of the activities logged against each of these promises."""
    out: dict[int, list[date]] = {p: [] for p in promise_ids}
    for r in await conn.fetch(LINKED_ACTIVITY_DAYS, promise_ids):
        out[r["promise_id"]].append(r["held_on"])
    return out
