"""Place reports, their supporters, contact details and status history: the SQL.

Every query filters by kommun (``$n::text[] is null`` means every kommun, for admins). The e-mail
address is read only by the outbox writer; no other query returns it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from grannsamverkan.domain.places import BLUR_CELLS, cell_bounds
from grannsamverkan.errors import NotFound


class PlaceRecord(msgspec.Struct, kw_only=True):
    """A report row as stored, plus its number of supporters and whether anyone awaits mail."""

    id: int
    kommun: str
    category: str
    time_of_day: str
    feeling: str
    what: str
    would_help: str | None
    place_text: str | None
    x: float | None
    y: float | None
    area_id: int | None
    area_name: str | None
    public_x: float | None
    public_y: float | None
    public_cell: int | None
    review: str
    reject_reason: str | None
    personal_data: list[str]
    status: str
    status_note: str | None
    responsible: str | None
    duplicate_of: int | None
    source: str
    source_client: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    handled_at: datetime | None
    supporters: int
    has_contact: bool


COLUMNS = """
p.id, p.kommun, p.category, p.time_of_day, p.feeling, p.what, p.would_help, p.place_text, p.x, p.y,
p.area_id, a.name as area_name, p.public_x, p.public_y, p.public_cell, p.review, p.reject_reason,
p.personal_data, p.status, p.status_note, p.responsible, p.duplicate_of, p.source, p.source_client,
p.created_at, p.updated_at, p.published_at, p.handled_at,
(select count(*) from place_supporter s where s.report_id = p.id)::int as supporters,
exists (select 1 from place_contact c where c.report_id = p.id) as has_contact
"""
FROM = " from place_report p left join area a on a.id = p.area_id "


def _record(row: asyncpg.Record) -> PlaceRecord:
    values = {k: row[k] for k in PlaceRecord.__struct_fields__}
    values["personal_data"] = list(values["personal_data"] or [])
    return PlaceRecord(**values)


def reporter_key(raw: str) -> bytes:
    """What is stored of a reporter's anonymous key: a sha256, never the key itself."""
    return hashlib.sha256(("place-supporter:" + raw).encode("utf-8")).digest()


INSERT_REPORT = """
insert into place_report (kommun, category, time_of_day, feeling, what, would_help, place_text, x, y,
                          area_id, personal_data, source, source_client)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
returning id
"""


async def insert_report(conn: asyncpg.Connection, values: dict[str, Any]) -> int:
    return int(
        await conn.fetchval(
            INSERT_REPORT,
            values["kommun"],
            values["category"],
            values["time_of_day"],
            values["feeling"],
            values["what"],
            values["would_help"],
            values["place_text"],
            values["x"],
            values["y"],
            values["area_id"],
            values["personal_data"],
            values["source"],
            values["source_client"],
        )
    )


ADD_SUPPORTER = "insert into place_supporter (report_id, kommun, reporter_key) values ($1, $2, $3) on conflict do nothing"
ADD_CONTACT = "insert into place_contact (report_id, kommun, email) values ($1, $2, $3)"
CONTACT_EMAILS = "select distinct email from place_contact where report_id = $1 order by email"
ERASE_CONTACTS = "delete from place_contact where report_id = any($1::bigint[])"


async def add_supporter(conn: asyncpg.Connection, report_id: int, kommun: str, key: bytes) -> bool:
    """True when this reporter was not yet counted for the place."""
    status = await conn.execute(ADD_SUPPORTER, report_id, kommun, key)
    return status.endswith(" 1")


async def add_contact(conn: asyncpg.Connection, report_id: int, kommun: str, email: str) -> None:
    await conn.execute(ADD_CONTACT, report_id, kommun, email)


async def contact_emails(conn: asyncpg.Connection, report_id: int) -> list[str]:
    rows = await conn.fetch(CONTACT_EMAILS, report_id)
    return [r["email"] for r in rows]


async def erase_contacts(conn: asyncpg.Connection, report_ids: list[int]) -> int:
    status = await conn.execute(ERASE_CONTACTS, report_ids)
    return int(status.split()[-1])


EXPIRED_CONTACTS = """
delete from place_contact where created_at < now() - make_interval(days => $1)
returning report_id, kommun
"""


async def erase_expired_contacts(conn: asyncpg.Connection, days: int) -> list[asyncpg.Record]:
    return await conn.fetch(EXPIRED_CONTACTS, days)


LOCK_REPORT = "select 1 from place_report where id = $1 for update"
GET_REPORT = "select " + COLUMNS + FROM + " where p.id = $1 and ($2::text[] is null or p.kommun = any($2::text[]))"


async def get_report(conn: asyncpg.Connection, report_id: int, scope: list[str] | None, *, for_update: bool = False) -> PlaceRecord:
    if for_update:
        await conn.execute(LOCK_REPORT, report_id)
    row = await conn.fetchrow(GET_REPORT, report_id, scope)
    if row is None:
        raise NotFound("place.not_found", report_id=report_id)
    return _record(row)


class PlaceFilter(msgspec.Struct, kw_only=True):
    kommuner: list[str] | None = None
    category: str | None = None
    status: str | None = None
    review: str | None = None
    feeling: str | None = None
    area_id: int | None = None
    source: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    ids: list[int] | None = None


LIST_REPORTS = (
    "select "
    + COLUMNS
    + ", count(*) over () as total"
    + FROM
    + """
where ($1::text[] is null or p.kommun = any($1::text[]))
  and ($2::text is null or p.category = $2)
  and ($3::text is null or p.status = $3)
  and ($4::text is null or p.review = $4)
  and ($5::text is null or p.feeling = $5)
  and ($6::bigint is null or p.area_id = $6)
  and ($7::text is null or p.source = $7)
  and ($8::timestamptz is null or p.created_at >= $8)
  and ($9::timestamptz is null or p.created_at < $9)
  and ($10::bigint[] is null or p.id = any($10::bigint[]))
order by p.id desc
limit $11 offset $12
"""
)


async def list_reports(conn: asyncpg.Connection, f: PlaceFilter, *, limit: int, offset: int) -> tuple[list[PlaceRecord], int]:
    rows = await conn.fetch(
        LIST_REPORTS,
        f.kommuner,
        f.category,
        f.status,
        f.review,
        f.feeling,
        f.area_id,
        f.source,
        f.created_from,
        f.created_to,
        f.ids,
        limit,
        offset,
    )
    return [_record(r) for r in rows], (rows[0]["total"] if rows else 0)


NEARBY = (
    "select "
    + COLUMNS
    + ", sqrt((p.x - $3) ^ 2 + (p.y - $4) ^ 2) as distance"
    + FROM
    + """
where p.kommun = $1 and p.category = $2 and p.review = 'published' and p.status not in ('duplicate', 'closed')
  and p.x between $3 - $5 and $3 + $5 and p.y between $4 - $5 and $4 + $5
  and (p.x - $3) ^ 2 + (p.y - $4) ^ 2 <= $5 ^ 2
order by distance, p.id
limit 10
"""
)


async def nearby(conn: asyncpg.Connection, kommun: str, category: str, x: float, y: float, radius: float) -> list[PlaceRecord]:
    """Published, open reports of the category within ``radius`` metres of the exact point."""
    return [_record(r) for r in await conn.fetch(NEARBY, kommun, category, x, y, radius)]


def _households_in_cells_sql() -> str:
    parts = [
        f"count(*) filter (where x >= ${4 * i + 2} and x < ${4 * i + 3} and y >= ${4 * i + 4} and y < ${4 * i + 5})::int as c{i}"
        for i in range(len(BLUR_CELLS))
    ]
    last = 4 * (len(BLUR_CELLS) - 1)
    return (
        f"select {', '.join(parts)} from household where kommun = $1 "
        f"and x >= ${last + 2} and x < ${last + 3} and y >= ${last + 4} and y < ${last + 5}"
    )


HOUSEHOLDS_IN_CELLS = _households_in_cells_sql()


async def households_in_cells(conn: asyncpg.Connection, kommun: str, x: float, y: float) -> dict[int, int]:
    """The number of the kommun's households in each blur cell (BLUR_CELLS) around the point."""
    args: list[Any] = [kommun]
    for cell in BLUR_CELLS:
        x0, y0, x1, y1 = cell_bounds(x, y, cell)
        args += [x0, x1, y0, y1]
    row = await conn.fetchrow(HOUSEHOLDS_IN_CELLS, *args)
    return {cell: row[f"c{i}"] for i, cell in enumerate(BLUR_CELLS)}


AREA_CANDIDATES = """
select id, geom_wkb from area where kommun = $1 and bbox @> box(point($2, $3), point($2, $3)) order by id
"""


async def area_candidates(conn: asyncpg.Connection, kommun: str, x: float, y: float) -> list[asyncpg.Record]:
    return await conn.fetch(AREA_CANDIDATES, kommun, x, y)


# A template: the SET list names columns, which the code (never the input) chooses.
UPDATE_REPORT = "update place_report set {sets}, updated_at = now() where id = $1"


async def update_report(conn: asyncpg.Connection, report_id: int, changes: dict[str, Any]) -> None:
    """Set the named columns (names come from the code, never from input)."""
    allowed = {
        "what",
        "would_help",
        "place_text",
        "x",
        "y",
        "area_id",
        "public_x",
        "public_y",
        "public_cell",
        "review",
        "reject_reason",
        "personal_data",
        "status",
        "status_note",
        "responsible",
        "duplicate_of",
        "published_at",
        "handled_at",
    }
    assert set(changes) <= allowed, set(changes) - allowed
    names = list(changes)
    sets = ", ".join(f"{n} = ${i + 2}" for i, n in enumerate(names))
    await conn.execute(UPDATE_REPORT.format(sets=sets), report_id, *[changes[n] for n in names])


RECORD_STATUS = """
insert into place_status_change (report_id, kommun, from_status, to_status, note, responsible, actor)
values ($1, $2, $3, $4, $5, $6, $7)
"""


async def record_status(
    conn: asyncpg.Connection, report: PlaceRecord, to_status: str, note: str | None, responsible: str | None, actor: str
) -> None:
    await conn.execute(RECORD_STATUS, report.id, report.kommun, report.status, to_status, note, responsible, actor)


class StatusChange(msgspec.Struct, kw_only=True):
    from_status: str | None
    to_status: str
    note: str | None
    responsible: str | None
    actor: str
    changed_at: datetime


HISTORY = """
select from_status, to_status, note, responsible, actor, changed_at from place_status_change where report_id = $1 order by id
"""
MOVE_SUPPORTERS = """
insert into place_supporter (report_id, kommun, reporter_key, created_at)
select $2, kommun, reporter_key, created_at from place_supporter where report_id = $1
on conflict do nothing
"""
MOVE_CONTACTS = "update place_contact set report_id = $2 where report_id = $1"


async def history(conn: asyncpg.Connection, report_id: int) -> list[StatusChange]:
    rows = await conn.fetch(HISTORY, report_id)
    return [StatusChange(**dict(r)) for r in rows]


async def move_supporters(conn: asyncpg.Connection, source_id: int, target_id: int) -> None:
    await conn.execute(MOVE_SUPPORTERS, source_id, target_id)


async def move_contacts(conn: asyncpg.Connection, source_id: int, target_id: int) -> None:
    await conn.execute(MOVE_CONTACTS, source_id, target_id)


# --- Open311 api keys ------------------------------------------------------------------------------


def key_hash(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


CREATE_CLIENT = "insert into open311_client (name, kommuner, key_hash) values ($1, $2, $3) returning id"
FIND_CLIENT = "select id, name, kommuner from open311_client where key_hash = $1 and revoked_at is null"


async def create_client(conn: asyncpg.Connection, name: str, kommuner: list[str], key: str) -> int:
    return int(
        await conn.fetchval(
            CREATE_CLIENT,
            name,
            sorted(set(kommuner)),
            key_hash(key),
        )
    )


async def find_client(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(FIND_CLIENT, key_hash(key))


# --- figures for the yearly report ---------------------------------------------------------------


YEAR_COUNTS = """
select category, status, feeling, count(*)::int as n,
       count(*) filter (where handled_at >= $2 and handled_at < $3)::int as handled
from place_report
where kommun = $1 and review <> 'rejected' and created_at < $3
  and (created_at >= $2 or handled_at is null or handled_at >= $2)
group by category, status, feeling
order by category, status, feeling
"""


async def year_counts(conn: asyncpg.Connection, kommun: str, start: datetime, end: datetime) -> list[asyncpg.Record]:
    return await conn.fetch(YEAR_COUNTS, kommun, start, end)


MOST_SUPPORTED = (
    "select "
    + COLUMNS
    + FROM
    + """
where p.kommun = $1 and p.review = 'published' and p.created_at < $3 and (p.handled_at is null or p.handled_at >= $2)
order by supporters desc, p.id
limit $4
"""
)


async def most_supported(conn: asyncpg.Connection, kommun: str, start: datetime, end: datetime, limit: int) -> list[PlaceRecord]:
    return [_record(r) for r in await conn.fetch(MOST_SUPPORTED, kommun, start, end, limit)]
