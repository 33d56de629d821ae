"""Groups, sign-ups, contact persons and the eligibility read (the hot path)."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg
import msgspec

from grannsamverkan.db import audit
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.eligibility import Eligibility, evaluate
from grannsamverkan.errors import Conflict, FieldError, InvalidInput, NotFound


class Group(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    area_id: int
    area_name: str
    kind: str
    name: str
    status: str
    established_on: date | None
    dissolved_on: date | None
    registered_as_existing: bool
    households_total: int
    households_signed_up: int
    created_at: datetime


class ContactPerson(msgspec.Struct, kw_only=True):
    id: int
    group_id: int
    household_id: int
    name: str
    phone: str | None
    email: str | None
    consent_at: datetime
    role: str = "kontaktombud"


class Signup(msgspec.Struct, kw_only=True):
    group_id: int
    household_id: int
    signed_up_at: datetime


SELECT_GROUPS = """
select g.id, g.kommun, g.area_id, a.name as area_name, g.kind, g.name, g.status, g.established_on,
       g.dissolved_on, g.registered_as_existing, a.households_total, g.households_signed_up, g.created_at,
       count(*) over () as total
from watch_group g join area a on a.id = g.area_id
"""

GET_GROUP = SELECT_GROUPS + " where g.id = $1 and ($2::text[] is null or g.kommun = any($2::text[]))"

LIST_GROUPS = (
    SELECT_GROUPS
    + """ where ($1::text[] is null or g.kommun = any($1::text[])) and ($2::text is null or g.status = $2)
          and ($3::text is null or g.kind = $3) order by g.id limit $4 offset $5"""
)


def _group(row: asyncpg.Record) -> Group:
    return Group(**{k: row[k] for k in Group.__struct_fields__})


async def get_group(conn: asyncpg.Connection, group_id: int, scope: list[str] | None) -> Group:
    row = await conn.fetchrow(GET_GROUP, group_id, scope)
    if row is None:
        raise NotFound("group.not_found", group_id=group_id)
    return _group(row)


async def list_groups(
    conn: asyncpg.Connection,
    *,
    in_kommuner: list[str] | None,
    status: str | None,
    kind: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Group], int]:
    rows = await conn.fetch(LIST_GROUPS, in_kommuner, status, kind, limit, offset)
    return [_group(r) for r in rows], (rows[0]["total"] if rows else 0)


class GroupInput(msgspec.Struct, kw_only=True):
    area_id: int
    kind: str
    name: str
    status: str = "forming"
    established_on: date | None = None


INSERT_GROUP = """
insert into watch_group (kommun, area_id, kind, name, status, established_on, registered_as_existing)
values ($1, $2, $3, $4, $5, $6, $7)
returning id
"""


AREA_KOMMUN_IN_SCOPE = """
select kommun from area where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
"""


async def area_kommun(conn: asyncpg.Connection, area_id: int, scope: list[str] | None) -> str:
    """The kommun of an area the caller may see; a field error on ``area_id`` otherwise."""
    kommun = await conn.fetchval(AREA_KOMMUN_IN_SCOPE, area_id, scope)
    if kommun is None:
        raise InvalidInput.at("area_id", "area.not_found", area_id=area_id)
    return kommun


async def insert_group(conn: asyncpg.Connection, kommun: str, data: GroupInput, *, existing: bool) -> int:
    return await conn.fetchval(INSERT_GROUP, kommun, data.area_id, data.kind, data.name, data.status, data.established_on, existing)


# --- eligibility: one primary-key read of the group row, whose counters triggers keep ---------------

# households_total (the area's), households_signed_up and contact_persons are kept on the group
# row by triggers (migrations 0003 and 0007), so the hot path reads one row and no other table.
# Unlike the other reads here, the kommun scope is checked on the row in Python: the query then
# has one integer parameter, as cheap to send and plan as a bare primary-key lookup.
ELIGIBILITY = """
select g.id, g.kommun, g.status, g.households_signed_up, g.households_total,
       g.contact_persons > 0 as has_contact_person
from watch_group g
where g.id = $1
"""
ELIGIBILITY_FOR_UPDATE = ELIGIBILITY + " for update of g"


async def eligibility(
    conn: asyncpg.Connection | asyncpg.Pool, group_id: int, scope: list[str] | None, *, lock: bool = False
) -> Eligibility:
    row = await conn.fetchrow(ELIGIBILITY_FOR_UPDATE if lock else ELIGIBILITY, group_id)
    if row is None or (scope is not None and row["kommun"] not in scope):
        raise NotFound("group.not_found", group_id=group_id)
    return evaluate(
        group_id=row["id"],
        status=row["status"],
        households_total=row["households_total"],
        households_signed_up=row["households_signed_up"],
        has_contact_person=row["has_contact_person"],
    )


MARK_ESTABLISHED = """
update watch_group set status = 'active', established_on = $2, updated_at = now() where id = $1 returning kommun
"""

GROUP_TO_DISSOLVE = """
select kommun, status, established_on from watch_group
where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
for update
"""

MARK_DISSOLVED = """
update watch_group set status = 'dissolved', dissolved_on = $2, updated_at = now() where id = $1
"""


async def mark_established(conn: asyncpg.Connection, group_id: int, on: date) -> str:
    """forming -> active on ``on``; answers the group's kommun."""
    return await conn.fetchval(MARK_ESTABLISHED, group_id, on)


async def group_to_dissolve(conn: asyncpg.Connection, group_id: int, scope: list[str] | None) -> asyncpg.Record:
    """The group's kommun, status and established_on, its row locked; 404 outside the scope."""
    row = await conn.fetchrow(GROUP_TO_DISSOLVE, group_id, scope)
    if row is None:
        raise NotFound("group.not_found", group_id=group_id)
    return row


async def mark_dissolved(conn: asyncpg.Connection, group_id: int, on: date) -> None:
    await conn.execute(MARK_DISSOLVED, group_id, on)


# --- sign-ups ---------------------------------------------------------------------------------------

INSERT_SIGNUP = """
insert into signup (group_id, household_id, kommun)
select g.id, h.id, g.kommun
from watch_group g join household h on h.area_id = g.area_id and h.kommun = g.kommun
where g.id = $1 and h.id = $2 and g.status <> 'dissolved'
returning signed_up_at
"""

GROUP_FOR_WRITE = "select id, kommun, area_id, status from watch_group where id = $1 and ($2::text[] is null or kommun = any($2::text[]))"
GROUP_FOR_WRITE_FOR_UPDATE = GROUP_FOR_WRITE + " for update"


async def group_for_write(conn: asyncpg.Connection, actor: Principal, group_id: int, *, lock: bool = False) -> asyncpg.Record:
    """The group's id, kommun, area and status, in the actor's scope; ``lock`` holds its row."""
    row = await conn.fetchrow(GROUP_FOR_WRITE_FOR_UPDATE if lock else GROUP_FOR_WRITE, group_id, actor.scope)
    if row is None:
        raise NotFound("group.not_found", group_id=group_id)
    return row


HOUSEHOLD_AREA = "select area_id from household where id = $1 and kommun = $2"

DELETE_SIGNUP = "delete from signup where group_id = $1 and household_id = $2 returning household_id"

LIST_SIGNUPS = """
select group_id, household_id, signed_up_at, count(*) over () as total from signup
where group_id = $1 order by household_id limit $2 offset $3
"""


async def insert_signup(conn: asyncpg.Connection, group_id: int, household_id: int) -> datetime | None:
    """The sign-up's time, or None when the household is not in the group's area or the group is dissolved."""
    return await conn.fetchval(INSERT_SIGNUP, group_id, household_id)


async def household_area(conn: asyncpg.Connection, household_id: int, kommun: str) -> asyncpg.Record | None:
    return await conn.fetchrow(HOUSEHOLD_AREA, household_id, kommun)


async def delete_signup(conn: asyncpg.Connection, group_id: int, household_id: int) -> bool:
    """Delete one sign-up (its household must hold no contact person in the group any more)."""
    deleted = await conn.fetchval(DELETE_SIGNUP, group_id, household_id)
    return deleted is not None


async def list_signups(
    conn: asyncpg.Connection, group_id: int, scope: list[str] | None, *, limit: int, offset: int
) -> tuple[list[Signup], int]:
    await get_group(conn, group_id, scope)
    rows = await conn.fetch(LIST_SIGNUPS, group_id, limit, offset)
    return [Signup(group_id=r["group_id"], household_id=r["household_id"], signed_up_at=r["signed_up_at"]) for r in rows], (
        rows[0]["total"] if rows else 0
    )


# --- contact persons (kontaktombud) -------------------------------------------------------------------


class ContactInput(msgspec.Struct, kw_only=True):
    household_id: int
    name: str
    phone: str | None = None
    email: str | None = None
    consent_at: datetime | None = None
    role: str = "kontaktombud"


INSERT_CONTACT = """
insert into contact_person (group_id, household_id, kommun, name, phone, email, consent_at, role)
values ($1, $2, $3, $4, $5, $6, coalesce($7, now()), $8)
returning id, group_id, household_id, name, phone, email, consent_at, role
"""

CONTACTS_OF_HOUSEHOLD = "select id from contact_person where group_id = $1 and household_id = $2 order by id"
CONTACT_EXISTS = "select 1 from contact_person where id = $1 and group_id = $2"
CONTACTS_HELD_BY = "select id, group_id, household_id from contact_person where household_id = $1 order by id"
LIST_CONTACTS = """
select id, group_id, household_id, name, phone, email, consent_at, role from contact_person where group_id = $1 order by id
"""
DELETE_CONTACTS = """
delete from contact_person where id = any($1::bigint[]) and kommun = $2 returning id, group_id, household_id
"""


async def insert_contact(conn: asyncpg.Connection, group: asyncpg.Record, data: ContactInput) -> ContactPerson:
    """Store a checked contact person of ``group`` (a row of group_for_write); 409 when the
    household is not signed up or already has one."""
    try:
        row = await conn.fetchrow(
            INSERT_CONTACT,
            group["id"],
            data.household_id,
            group["kommun"],
            data.name,
            data.phone,
            data.email,
            data.consent_at,
            data.role,
        )
    except asyncpg.ForeignKeyViolationError:
        raise Conflict.at("household_id", "contact.not_signed_up", household_id=data.household_id, group_id=group["id"]) from None
    except asyncpg.UniqueViolationError:
        raise _second_contact(group["id"], data.household_id) from None
    return ContactPerson(**{k: row[k] for k in ContactPerson.__struct_fields__})


def _second_contact(group_id: int, household_id: int) -> Conflict:
    return Conflict.at("household_id", "contact.second", household_id=household_id, group_id=group_id)


async def contacts_of_household(conn: asyncpg.Connection, group_id: int, household_id: int) -> list[int]:
    rows = await conn.fetch(CONTACTS_OF_HOUSEHOLD, group_id, household_id)
    return [r["id"] for r in rows]


async def contact_exists(conn: asyncpg.Connection, group_id: int, contact_id: int) -> bool:
    return bool(await conn.fetchval(CONTACT_EXISTS, contact_id, group_id))


async def contacts_held_by(conn: asyncpg.Connection, household_id: int) -> list[asyncpg.Record]:
    """The household's contact persons, in every group: id, group_id, household_id."""
    return await conn.fetch(CONTACTS_HELD_BY, household_id)


async def refuse_second_contact(conn: asyncpg.Connection, group_id: int, household_id: int) -> None:
    if await contacts_of_household(conn, group_id, household_id):
        raise _second_contact(group_id, household_id)


async def list_contacts(conn: asyncpg.Connection, group_id: int, scope: list[str] | None) -> list[ContactPerson]:
    await get_group(conn, group_id, scope)
    rows = await conn.fetch(LIST_CONTACTS, group_id)
    return [ContactPerson(**{k: r[k] for k in ContactPerson.__struct_fields__}) for r in rows]


async def erase_contacts(conn: asyncpg.Connection, actor: Principal, kommun: str, contact_ids: list[int], *, reason: str) -> list[int]:
    """Delete contact persons and erase their values from the audit trail; one ``erase`` event each
    (without values: it says that, by whom and why). Answers the ids that were there."""
    rows = await conn.fetch(DELETE_CONTACTS, contact_ids, kommun)
    return await record_erasures(conn, actor, kommun, rows, reason=reason)


async def record_erasures(conn: asyncpg.Connection, actor: Principal, kommun: str, rows: list[asyncpg.Record], *, reason: str) -> list[int]:
    """The audit side of erasing contact persons that are gone (``rows``: id, group_id,
    household_id): their values erased from the trail, one ``erase`` event each."""
    erased = [r["id"] for r in rows]
    await audit.erase_values(conn, "contact_person", erased)
    for r in rows:
        await audit.record(
            conn,
            actor,
            kommun=kommun,
            table="contact_person",
            row_id=r["id"],
            action="erase",
            after={"group_id": r["group_id"], "household_id": r["household_id"], "reason": reason},
        )
    return erased


# --- households that leave their area ------------------------------------------------------------

# What moving households (id -> new area) take out of the groups whose area they leave: their
# sign-ups (withdrawn by the trigger of 0003/0008) and the contact persons they hold there (which
# the trigger refuses to remove: they are erased explicitly, or the move is refused).
LEAVING_SIGNUPS = """
select s.group_id, s.household_id, g.kommun, c.id as contact_id
from unnest($1::bigint[], $2::bigint[]) as m(id, area_id)
join signup s on s.household_id = m.id
join watch_group g on g.id = s.group_id
left join contact_person c on c.group_id = s.group_id and c.household_id = s.household_id
where g.area_id is distinct from m.area_id
order by s.group_id, s.household_id
"""


class Departures(msgspec.Struct, kw_only=True):
    """Sign-ups that moving households leave behind, and the contact persons among them."""

    signups: list[tuple[int, int]]  # (group_id, household_id)
    contacts: list[tuple[int, int, int]]  # (contact_id, group_id, household_id)
    kommun: str | None


async def departures(conn: asyncpg.Connection, household_ids: list[int], new_areas: list[int | None]) -> Departures:
    rows = await conn.fetch(LEAVING_SIGNUPS, household_ids, new_areas)
    return Departures(
        signups=[(r["group_id"], r["household_id"]) for r in rows],
        contacts=[(r["contact_id"], r["group_id"], r["household_id"]) for r in rows if r["contact_id"] is not None],
        kommun=rows[0]["kommun"] if rows else None,
    )


CONFIRM_PARAMETER = "bekrafta=1"


async def settle_departures(conn: asyncpg.Connection, actor: Principal, leaving: Departures, *, confirmed: bool, what: str) -> int:
    """Before households leave their area: refuse (409) when they hold contact persons there,
    unless the caller ``confirmed`` their erasure; erase them explicitly then. The sign-ups the
    trigger withdraws are recorded in the audit trail, one event per group. Answers the number of
    contact persons erased."""
    if not leaving.signups:
        return 0
    assert leaving.kommun is not None
    if leaving.contacts and not confirmed:
        named = ", ".join(f"hushåll {h} (kontaktperson {c} i grupp {g})" for c, g, h in leaving.contacts[:20])
        more = f" och {len(leaving.contacts) - 20} till" if len(leaving.contacts) > 20 else ""
        raise Conflict(
            "contact.would_leave_area",
            [
                FieldError.of("contact_person", "contact.would_be_erased", contact_id=c, group_id=g, household_id=h)
                for c, g, h in leaving.contacts
            ],
            extra={"contact_person_ids": [c for c, _, _ in leaving.contacts]},
            what=what,
            named=named,
            more=more,
            confirm=CONFIRM_PARAMETER,
        )
    erased = await erase_contacts(
        conn, actor, leaving.kommun, [c for c, _, _ in leaving.contacts], reason="the household left the group's area"
    )
    by_group: dict[int, list[int]] = {}
    for g, h in leaving.signups:
        by_group.setdefault(g, []).append(h)
    for group_id, household_ids in by_group.items():
        await audit.record(
            conn,
            actor,
            kommun=leaving.kommun,
            table="signup",
            row_id=group_id,
            action="delete",
            before={"group_id": group_id, "household_ids": household_ids},
            after={"reason": "the households left the group's area"},
        )
    return len(erased)


GROUPS_WITH_CONTACT = "select distinct group_id from contact_person where group_id = any($1::bigint[])"


async def groups_with_contact(conn: asyncpg.Connection, group_ids: list[int]) -> set[int]:
    """Which of the groups have at least one contact person."""
    rows = await conn.fetch(GROUPS_WITH_CONTACT, group_ids)
    return {r["group_id"] for r in rows}


# --- edits from the pages ------------------------------------------------------------------------------

GROUP_NAME = "select name from watch_group where id = $1"
RENAME_GROUP = "update watch_group set name = $2, updated_at = now() where id = $1"


async def group_name(conn: asyncpg.Connection, group_id: int) -> str | None:
    return await conn.fetchval(GROUP_NAME, group_id)


async def rename_group(conn: asyncpg.Connection, group_id: int, name: str) -> None:
    await conn.execute(RENAME_GROUP, group_id, name)


SELECT_CONTACT = """
select id, group_id, household_id, name, phone, email, consent_at, role from contact_person
where group_id = $1 and id = $2
"""
SELECT_CONTACT_FOR_UPDATE = SELECT_CONTACT + " for update"
UPDATE_CONTACT = "update contact_person set name = $2, phone = $3, email = $4 where id = $1"


async def get_contact(conn: asyncpg.Connection, group_id: int, contact_id: int, *, lock: bool = False) -> ContactPerson:
    row = await conn.fetchrow(SELECT_CONTACT_FOR_UPDATE if lock else SELECT_CONTACT, group_id, contact_id)
    if row is None:
        raise NotFound("contact.not_found", group_id=group_id, contact_id=contact_id)
    return ContactPerson(**{k: row[k] for k in ContactPerson.__struct_fields__})


async def update_contact(conn: asyncpg.Connection, contact_id: int, name: str, phone: str | None, email: str | None) -> None:
    await conn.execute(UPDATE_CONTACT, contact_id, name, phone, email)
