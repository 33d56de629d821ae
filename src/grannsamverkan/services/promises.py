"""Medborgarlöften: the use cases the API, the pages and the command line share.

Each write checks the rule (``domain/promises.py``), opens the transaction, calls the queries
(``db/promises.py``) and records the audit event. Reads judge promises with the domain's rules.

How the old goal routes map onto promises: a goal (``PUT /api/v1/goals/{kommun}/{year}``) *is* a
count promise of new groups for that calendar year, plus one of information meetings when it has
a meeting target (kept in step by a trigger, migration 0009; they carry ``goal_year``). Their
measure, target and period change only through the goal route; title, text, promisor and order
may be edited here. ``POST /api/v1/meetings`` logs an activity of the kind ``informationstraff``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final, Literal

import asyncpg
import msgspec
from msgspec import Meta

from grannsamverkan.db import audit, kommuner
from grannsamverkan.db import promises as db
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.calendar import check_days
from grannsamverkan.domain.promises import (
    FAILING,
    PLACE_STATUS_OF_WALK,
    PROMISE_STATUSES,
    SUMMARY_WARNING_DAYS,
    ActivityKind,
    Counts,
    Measure,
    OfferHow,
    OwnerStatus,
    PromiseProgress,
    Promisor,
    Rhythm,
    WalkPointStatus,
    check_rule,
    count_new_groups,
    describe,
    evaluate_promise,
    year_period,
)
from grannsamverkan.errors import FieldError, InvalidInput, NotFound
from grannsamverkan.services import places

KommunCode = Annotated[str, Meta(pattern=r"^[0-9]{4}$", description="SCB kommun code, e.g. 2283")]
Text200 = Annotated[str, Meta(max_length=200)]
Text2000 = Annotated[str, Meta(max_length=2000)]
Lon = Annotated[float, Meta(ge=10.0, le=25.0, description="WGS 84 longitude")]
Lat = Annotated[float, Meta(ge=55.0, le=69.5, description="WGS 84 latitude")]
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100


def _invalid(field: str, code: str, **values: Any) -> InvalidInput:
    error = FieldError.of(field, code, **values)
    return InvalidInput("promise.field", [error], field=field, problem=error.message)


def check_year(year: int, field: str = "year") -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _invalid(field, "promise.year_range", year=year, first=FIRST_YEAR, last=LAST_YEAR)


# --- inputs --------------------------------------------------------------------------------------


class PromiseInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /api/v1/promises`` and ``PUT /api/v1/promises/{id}``.

    The period is ``year`` (1 January .. 31 December) or ``period_start`` and ``period_end``.
    What the measure needs: ``count`` → ``counts`` and ``target``; ``schedule`` → ``rhythm``
    (``monthly``) and optionally ``except_months``; ``one_off`` → ``due_on``.
    """

    kommun: KommunCode
    also_kommuner: list[KommunCode] = []
    year: Annotated[int, Meta(ge=FIRST_YEAR, le=LAST_YEAR)] | None = None
    period_start: date | None = None
    period_end: date | None = None
    promisor: Promisor
    title: Annotated[str, Meta(min_length=1, max_length=200, description="short name, e.g. Polis i Ramsele")]
    text: Annotated[str, Meta(max_length=4000, description="the promise as written")] = ""
    measure: Measure
    counts: Counts | None = None
    target: Annotated[int, Meta(ge=0, le=100_000)] | None = None
    activity_kind: ActivityKind | None = None
    rhythm: Rhythm | None = None
    except_months: list[Annotated[int, Meta(ge=1, le=12)]] = []
    due_on: date | None = None
    owner_status: OwnerStatus | None = None
    status_comment: Text2000 = ""
    position: Annotated[int, Meta(ge=0, le=10_000, description="order within the kommun's promises")] = 0


class OwnerStatusInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``PUT /api/v1/promises/{id}/status``: the owner's word on the promise."""

    owner_status: OwnerStatus | None
    status_comment: Text2000 = ""


class WalkPointInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One point found on a trygghetsvandring."""

    place: Annotated[str, Meta(min_length=1, max_length=200)]
    problem: Annotated[str, Meta(min_length=1, max_length=2000)]
    action: Text2000 = ""
    responsible: Text200 = ""
    deadline: date | None = None
    status: WalkPointStatus = "oppen"
    lon: Lon | None = None
    lat: Lat | None = None


class ActivityInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /api/v1/activities``. ``kommun`` defaults to the promise's; ``kind`` to
    the promise's ``activity_kind`` (else ``ovrigt``). ``who`` names roles or organisations
    ("Polisen, kommunpolis"), not private persons."""

    kommun: KommunCode | None = None
    promise_id: Annotated[int, Meta(ge=1)] | None = None
    held_on: date
    kind: ActivityKind | None = None
    place: Text200 = ""
    area_id: Annotated[int, Meta(ge=1)] | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    participants: Annotated[int, Meta(ge=0, le=1_000_000)] | None = None
    who: Text200 = ""
    note: Text2000 = ""
    topic: Literal["grannsamverkan", "byavakt"] | None = None
    walk_points: list[WalkPointInput] = []


class WalkPointStatusInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    status: WalkPointStatus


class OfferInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /api/v1/area-offers``: an area offered grannsamverkan."""

    area_id: Annotated[int, Meta(ge=1)]
    offered_on: date
    how: OfferHow
    priority_rank: Annotated[int, Meta(ge=1, le=100_000, description="its place on the priority list")] | None = None
    promise_id: Annotated[int, Meta(ge=1)] | None = None
    note: Text2000 = ""


class CouncilMeetingInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``PUT /api/v1/council-meetings/{kommun}/{year}``."""

    last_meeting_on: date


# --- promises ------------------------------------------------------------------------------------


def _period(data: PromiseInput) -> tuple[date, date]:
    if data.year is not None:
        if data.period_start is not None or data.period_end is not None:
            raise _invalid("year", "promise.year_or_period")
        return year_period(data.year)
    if data.period_start is None or data.period_end is None:
        raise _invalid("period_start", "promise.period_missing")
    check_days(period_start=data.period_start, period_end=data.period_end)
    return data.period_start, data.period_end


def _values(data: PromiseInput) -> dict[str, Any]:
    start, end = _period(data)
    values = msgspec.structs.asdict(data)
    del values["year"]
    values.update(
        period_start=start,
        period_end=end,
        title=data.title.strip(),
        text=data.text.strip(),
        also_kommuner=sorted(set(data.also_kommuner) - {data.kommun}),
        except_months=sorted(set(data.except_months)),
    )
    if not values["title"]:
        raise _invalid("title", "promise.title_empty")
    if data.due_on is not None:
        check_days(due_on=data.due_on)
    check_rule(db.rule_from(values))
    return values


async def _check_kommuner(conn: asyncpg.Connection, actor: Principal, values: dict[str, Any]) -> None:
    await kommuner.require_known(conn, [values["kommun"], *values["also_kommuner"]])
    actor.require_kommun(values["kommun"])


async def create_promise(conn: asyncpg.Connection, actor: Principal, data: PromiseInput) -> db.Promise:
    values = _values(data)
    await _check_kommuner(conn, actor, values)
    async with conn.transaction(), translated_errors():
        promise = await db.insert_promise(conn, values)
        await audit.record(conn, actor, kommun=promise.kommun, table="promise", row_id=promise.id, action="insert", after=promise)
    return promise


GOAL_OWNED: Final = ("kommun", "also_kommuner", "period_start", "period_end", "measure", "counts", "target")


async def replace_promise(conn: asyncpg.Connection, actor: Principal, promise_id: int, data: PromiseInput) -> db.Promise:
    values = _values(data)
    await db.get_promise(conn, promise_id, actor.scope)  # 404 before any word about the body's kommun
    await _check_kommuner(conn, actor, values)
    async with conn.transaction(), translated_errors():
        before = await db.get_promise(conn, promise_id, actor.scope, for_update=True)
        actor.require_kommun(before.kommun)
        if before.goal_year is not None:
            changed = [f for f in GOAL_OWNED if getattr(before, f) != values[f]]
            if changed:
                raise InvalidInput(
                    "promise.goal_owned",
                    [FieldError.of(f, "promise.goal_owned_field") for f in changed],
                    year=before.goal_year,
                    fields=", ".join(changed),
                    kommun=before.kommun,
                )
        promise = await db.update_promise(conn, promise_id, values)
        await audit.record(
            conn, actor, kommun=promise.kommun, table="promise", row_id=promise.id, action="update", before=before, after=promise
        )
    return promise


async def set_owner_status(conn: asyncpg.Connection, actor: Principal, promise_id: int, data: OwnerStatusInput) -> db.Promise:
    async with conn.transaction(), translated_errors():
        before = await db.get_promise(conn, promise_id, actor.scope, for_update=True)
        actor.require_kommun(before.kommun)
        values = {f: getattr(before, f) for f in db.PROMISE_FIELDS}
        values.update(owner_status=data.owner_status, status_comment=data.status_comment.strip())
        promise = await db.update_promise(conn, promise_id, values)
        await audit.record(
            conn,
            actor,
            kommun=promise.kommun,
            table="promise",
            row_id=promise.id,
            action="update",
            before={"owner_status": before.owner_status, "status_comment": before.status_comment},
            after={"owner_status": promise.owner_status, "status_comment": promise.status_comment},
        )
    return promise


async def delete_promise(conn: asyncpg.Connection, actor: Principal, promise_id: int) -> None:
    """Remove a promise (its activities stay, no longer linked). A goal's promise goes with its goal."""
    async with conn.transaction():
        before = await db.get_promise(conn, promise_id, actor.scope, for_update=True)
        actor.require_kommun(before.kommun)
        if before.goal_year is not None:
            raise _invalid("id", "promise.goal_not_deleted", year=before.goal_year)
        await db.delete_promise(conn, promise_id)
        await audit.record(conn, actor, kommun=before.kommun, table="promise", row_id=promise_id, action="delete", before=before)


# --- activities --------------------------------------------------------------------------------------


def _sweref(lon: float | None, lat: float | None, field: str) -> tuple[float | None, float | None]:
    if (lon is None) != (lat is None):
        raise _invalid(field, "promise.lon_lat")
    if lon is None or lat is None:
        return None, None
    from grannsamverkan.geo.crs import WGS84, to_sweref

    xs, ys = to_sweref([lon], [lat], WGS84)
    return float(xs[0]), float(ys[0])


async def log_activity(conn: asyncpg.Connection, actor: Principal, data: ActivityInput) -> db.Activity:
    """Log an activity (and a trygghetsvandring's walk points) in one transaction."""
    check_days(held_on=data.held_on)
    promise = await db.get_promise(conn, data.promise_id, actor.scope) if data.promise_id is not None else None
    kommun = data.kommun or (promise.kommun if promise else None)
    if kommun is None:
        raise _invalid("kommun", "activity.kommun_missing")
    await kommuner.require_known(conn, [kommun])
    actor.require_kommun(kommun)
    if promise is not None and kommun not in promise.kommuner:
        raise _invalid("promise_id", "promise.other_kommun", promise_id=promise.id, kommun=kommun)
    kind = data.kind or (promise.activity_kind if promise else None) or "ovrigt"
    if kind == "informationstraff" and (not data.place.strip() or data.topic is None):
        raise _invalid("topic" if data.place.strip() else "place", "activity.meeting_needs")
    if data.walk_points and kind != "trygghetsvandring":
        raise _invalid("walk_points", "activity.walk_points")
    if data.area_id is not None and await db.area_kommun(conn, data.area_id) != kommun:
        raise _invalid("area_id", "area.not_in_kommun", area_id=data.area_id, kommun=kommun)
    x, y = _sweref(data.lon, data.lat, "lon")
    values = msgspec.structs.asdict(data)
    values.update(kommun=kommun, kind=kind, place=data.place.strip(), point_x=x, point_y=y, who=data.who.strip(), note=data.note.strip())
    async with conn.transaction(), translated_errors():
        activity_id = await db.insert_activity(conn, values)
        for i, point in enumerate(data.walk_points):
            await _log_walk_point(conn, actor, activity_id, kommun, point, f"walk_points[{i}]")
        activity = await db.get_activity(conn, activity_id, None)
        await audit.record(conn, actor, kommun=kommun, table="activity", row_id=activity_id, action="insert", after=activity)
    return activity


async def _log_walk_point(
    conn: asyncpg.Connection, actor: Principal, activity_id: int, kommun: str, point: WalkPointInput, field: str
) -> db.WalkPoint:
    """A point of the protocol and its place report (source trygghetsvandring), which follows it up."""
    if point.deadline is not None:
        check_days(deadline=point.deadline)
    px, py = _sweref(point.lon, point.lat, f"{field}.lon")
    report = await places.from_walk(
        conn,
        actor,
        places.WalkFinding(
            kommun=kommun,
            place=point.place.strip(),
            problem=point.problem.strip(),
            action=point.action.strip(),
            responsible=point.responsible.strip(),
            status=PLACE_STATUS_OF_WALK[point.status],
            x=px,
            y=py,
        ),
    )
    values = {**msgspec.structs.asdict(point), "activity_id": activity_id, "kommun": kommun, "point_x": px, "point_y": py}
    return await db.insert_walk_point(conn, {**values, "place_report_id": report.id})


async def delete_activity(conn: asyncpg.Connection, actor: Principal, activity_id: int) -> None:
    async with conn.transaction():
        row = await db.delete_activity(conn, activity_id, actor.scope)
        if row is None:
            raise NotFound("activity.not_found", activity_id=activity_id)
        await audit.record(conn, actor, kommun=row["kommun"], table="activity", row_id=activity_id, action="delete", before=row)


async def set_walk_point_status(conn: asyncpg.Connection, actor: Principal, point_id: int, status: str) -> db.WalkPoint:
    """The follow-up walk marks a point ``pagar`` or ``atgardad``: its place report moves along the
    places workflow (open, in_progress, fixed; a move the workflow refuses is refused here too)."""
    async with conn.transaction():
        before = await db.get_walk_point(conn, point_id, actor.scope, for_update=True)
        if status != before.status:
            update = places.StatusUpdate(status=PLACE_STATUS_OF_WALK[status])
            await places.set_status(conn, actor, before.place_report_id, update)
            await db.touch_walk_point(conn, point_id)
        point = await db.get_walk_point(conn, point_id, None)
        await audit.record(
            conn,
            actor,
            kommun=point.kommun,
            table="walk_point",
            row_id=point_id,
            action="update",
            before={"status": before.status, "place_status": before.place_status},
            after={"status": point.status, "place_status": point.place_status, "place_report_id": point.place_report_id},
        )
    return point


# --- offered areas and the council's meeting -----------------------------------------------------------


async def offer_area(conn: asyncpg.Connection, actor: Principal, data: OfferInput) -> db.AreaOffer:
    check_days(offered_on=data.offered_on)
    kommun = await db.area_kommun(conn, data.area_id)
    if kommun is None or not actor.sees(kommun):
        raise NotFound("area.not_found", area_id=data.area_id)
    if data.promise_id is not None:
        promise = await db.get_promise(conn, data.promise_id, actor.scope)
        if kommun not in promise.kommuner:
            raise _invalid("promise_id", "promise.other_kommun", promise_id=promise.id, kommun=kommun)
    async with conn.transaction(), translated_errors():
        offer = await db.insert_offer(conn, {**msgspec.structs.asdict(data), "kommun": kommun, "note": data.note.strip()})
        await audit.record(conn, actor, kommun=kommun, table="area_offer", row_id=offer.id, action="insert", after=offer)
    return offer


async def withdraw_offer(conn: asyncpg.Connection, actor: Principal, offer_id: int) -> None:
    async with conn.transaction():
        row = await db.delete_offer(conn, offer_id, actor.scope)
        if row is None:
            raise NotFound("offer.not_found", offer_id=offer_id)
        await audit.record(conn, actor, kommun=row["kommun"], table="area_offer", row_id=offer_id, action="delete", before=row)


async def set_council_meeting(conn: asyncpg.Connection, actor: Principal, kommun: str, year: int, day: date) -> None:
    """The day of the council's last meeting of ``year``, when the written summary is due."""
    check_year(year)
    if day.year != year:
        raise _invalid("last_meeting_on", "promise.day_not_in_year", day=day.isoformat(), year=year)
    await kommuner.require_known(conn, [kommun])
    actor.require_kommun(kommun)
    async with conn.transaction():
        before = await db.put_council_meeting(conn, kommun, year, day)
        await audit.record(
            conn,
            actor,
            kommun=kommun,
            table="council_meeting",
            row_id=None,
            action="insert" if before is None else "update",
            before=None if before is None else {"year": year, "last_meeting_on": before},
            after={"year": year, "last_meeting_on": day},
        )


# --- judging ------------------------------------------------------------------------------------------


class PromiseState(msgspec.Struct, kw_only=True):
    """A promise and its progress on ``progress.as_of``; ``summary`` in Swedish."""

    promise: db.Promise
    progress: PromiseProgress
    status_label: str
    summary: str


async def evaluate(conn: asyncpg.Connection, promises: list[db.Promise], as_of: date) -> list[PromiseState]:
    """Each promise judged at ``as_of``, in the order given (four queries, whatever the count)."""
    check_days(as_of=as_of)
    if not promises:
        return []
    codes = sorted({k for p in promises for k in p.kommuner})
    start = min(p.period_start for p in promises)
    end = max(p.period_end for p in promises)
    groups = await db.groups_established(conn, codes, start, end)
    activities = await db.activity_days(conn, codes, start, end)
    offers = await db.offer_days(conn, codes, start, end)
    linked = await db.linked_activity_days(conn, [p.id for p in promises])
    out = []
    for p in promises:
        last = min(p.period_end, as_of)
        count = 0
        if p.counts == "new_groups":
            count = count_new_groups(groups, p.kommuner, p.period_start, p.period_end, as_of)
        elif p.counts == "info_meetings":
            count = sum(
                1 for k, _, kind, d in activities if kind == "informationstraff" and k in p.kommuner and p.period_start <= d <= last
            )
        elif p.counts == "offered_areas":
            count = sum(1 for k, d in offers if k in p.kommuner and p.period_start <= d <= last)
        elif p.counts == "activities":
            count = sum(1 for d in linked[p.id] if p.period_start <= d <= last)
        progress = evaluate_promise(p.rule(), as_of=as_of, count=count, activity_dates=linked[p.id])
        out.append(
            PromiseState(
                promise=p,
                progress=progress,
                status_label=PROMISE_STATUSES[progress.status],
                summary=describe(progress, p.counts, p.due_on),  # type: ignore[arg-type]
            )
        )
    return out


async def promise_states(
    conn: asyncpg.Connection, scope: list[str] | None, in_kommuner: list[str] | None, year: int | None, as_of: date
) -> list[PromiseState]:
    """The promises the caller sees (of these kommuner, whose period meets ``year``), judged."""
    if year is not None:
        check_year(year)
    if in_kommuner:
        await kommuner.require_known(conn, in_kommuner)
    start, end = year_period(year) if year is not None else (None, None)
    found = await db.list_promises(conn, scope=scope, in_kommuner=in_kommuner or None, start=start, end=end)
    return await evaluate(conn, found, as_of)


async def promise_state(conn: asyncpg.Connection, promise_id: int, scope: list[str] | None, as_of: date) -> PromiseState:
    return (await evaluate(conn, [await db.get_promise(conn, promise_id, scope)], as_of))[0]


# --- the check ---------------------------------------------------------------------------------------


class SummaryDue(msgspec.Struct, kw_only=True):
    """When the written summary is due: the council's last meeting of the year."""

    kommun: str
    kommun_name: str
    last_meeting_on: date
    days_left: int
    warn: bool


class CheckLine(msgspec.Struct, kw_only=True):
    kommun_name: str
    state: PromiseState
    line: str


class PromiseCheck(msgspec.Struct, kw_only=True):
    """``promises check``: one line per promise, and the summaries due."""

    year: int
    as_of: date
    ok: bool
    lines: list[CheckLine]
    summaries: list[SummaryDue]


def _period_text(p: db.Promise) -> str:
    if (p.period_start, p.period_end) == year_period(p.period_start.year):
        return str(p.period_start.year)
    return f"{p.period_start.isoformat()}–{p.period_end.isoformat()}"


def check_line(kommun_name: str, state: PromiseState) -> str:
    """``2283 Sollefteå 2017 · Polis i Ramsele: 8 av 9 tillfällen …, missat: oktober 2017 – ej uppfyllt``."""
    p = state.promise
    return f"{p.kommun} {kommun_name} {_period_text(p)} · {p.title}: {state.summary} – {state.status_label}"


def summary_line(due: SummaryDue) -> str:
    when = "i dag" if due.days_left == 0 else f"om {due.days_left} dagar" if due.days_left > 0 else f"för {-due.days_left} dagar sedan"
    prefix = "OBS: " if due.warn else ""
    return (
        f"{prefix}{due.kommun} {due.kommun_name}: skriftlig sammanfattning till fullmäktiges sista möte "
        f"{due.last_meeting_on.isoformat()} ({when})"
    )


async def check_promises(conn: asyncpg.Connection, year: int, in_kommuner: list[str] | None, as_of: date) -> PromiseCheck:
    """The promises of ``year`` (by period) for these kommuner (every kommun with one when None).

    A kommun named without promises in the year is an error, as is a year without any: a cron
    job that checks nothing must not pass silently.
    """
    check_year(year)
    states = await promise_states(conn, None, in_kommuner, year, as_of)
    if in_kommuner:
        missing = sorted(set(in_kommuner) - {k for s in states for k in s.promise.kommuner})
        if missing:
            raise NotFound(
                "promise.none_in_kommuner",
                [FieldError.of("kommun", "promise.none_in_kommun", kommun=k, year=year) for k in missing],
                year=year,
                kommuner=", ".join(missing),
            )
    elif not states:
        raise NotFound("promise.none", year=year)
    names = {k.code: k.name for k in await kommuner.list_kommuner(conn)}
    lines = [CheckLine(kommun_name=names[s.promise.kommun], state=s, line=check_line(names[s.promise.kommun], s)) for s in states]
    codes = sorted({s.promise.kommun for s in states})
    meetings = await db.council_meetings(conn, codes, year)
    summaries = []
    for code in codes:
        if code in meetings:
            days_left = (meetings[code] - as_of).days
            summaries.append(
                SummaryDue(
                    kommun=code,
                    kommun_name=names[code],
                    last_meeting_on=meetings[code],
                    days_left=days_left,
                    warn=0 <= days_left <= SUMMARY_WARNING_DAYS,
                )
            )
    ok = not any(s.progress.status in FAILING for s in states)
    return PromiseCheck(year=year, as_of=as_of, ok=ok, lines=lines, summaries=summaries)
