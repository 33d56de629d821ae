"""Queries of a group's life: per-kommun rules, steps, renewals, declined households, signs and
near-repeat alerts (migration 0013). The rules themselves are in domain/lifecycle.py."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg
import msgspec

from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.lifecycle import DEFAULT_RULES, KommunRules
from grannsamverkan.errors import NotFound

# --- per-kommun rules --------------------------------------------------------------------------------

RULE_FIELDS = ("households_per_contact", "renewal_month", "renewal_day", "grace_days", "approval_required")

RULES = """
select households_per_contact, renewal_month, renewal_day, grace_days, approval_required from kommun_lifecycle where kommun = $1
"""

SET_RULES = """
insert into kommun_lifecycle (kommun, households_per_contact, renewal_month, renewal_day, grace_days, approval_required)
values ($1, $2, $3, $4, $5, $6)
on conflict (kommun) do update set households_per_contact = $2, renewal_month = $3, renewal_day = $4,
    grace_days = $5, approval_required = $6, updated_at = now()
"""


async def rules(conn: asyncpg.Connection, kommun: str) -> KommunRules:
    row = await conn.fetchrow(RULES, kommun)
    return DEFAULT_RULES if row is None else KommunRules(**{k: row[k] for k in RULE_FIELDS})


async def set_rules(conn: asyncpg.Connection, kommun: str, value: KommunRules) -> None:
    await conn.execute(
        SET_RULES,
        kommun,
        value.households_per_contact,
        value.renewal_month,
        value.renewal_day,
        value.grace_days,
        value.approval_required,
    )


# --- the group row and its steps ---------------------------------------------------------------------


GROUP_ROW = """
select g.id, g.kommun, g.area_id, g.name, g.status, g.established_on, g.dissolved_on, g.lapsed_on,
       g.contact_persons, g.households_total, g.households_signed_up, g.registered_as_existing
from watch_group g
where g.id = $1 and ($2::text[] is null or g.kommun = any($2::text[]))
"""
GROUP_ROW_FOR_UPDATE = GROUP_ROW + " for update"

SET_STATUS = """
update watch_group set status = $2, established_on = coalesce($3, established_on),
       dissolved_on = coalesce($4, dissolved_on),
       lapsed_on = case when $2 = 'lapsed' then $5 when $2 = 'active' then null else lapsed_on end,
       updated_at = now()
where id = $1
"""


async def group_row(conn: asyncpg.Connection, group_id: int, scope: list[str] | None, *, lock: bool = False) -> asyncpg.Record:
    row = await conn.fetchrow(GROUP_ROW_FOR_UPDATE if lock else GROUP_ROW, group_id, scope)
    if row is None:
        raise NotFound("group.not_found", group_id=group_id)
    return row


async def set_status(
    conn: asyncpg.Connection,
    group_id: int,
    status: str,
    *,
    established_on: date | None = None,
    dissolved_on: date | None = None,
    lapsed_on: date | None = None,
) -> None:
    """A new status; a date given is set, ``lapsed_on`` is cleared when the group is active again."""
    await conn.execute(
        SET_STATUS,
        group_id,
        status,
        established_on,
        dissolved_on,
        lapsed_on,
    )


class GroupStep(msgspec.Struct, kw_only=True):
    id: int
    group_id: int
    step: str
    from_status: str
    to_status: str
    on_date: date
    actor_name: str
    actor_role: str
    note: str
    at: datetime


STEP_COLUMNS = "id, group_id, step, from_status, to_status, on_date, actor_name, actor_role, note, at"

INSERT_STEP = f"""
insert into group_step (group_id, kommun, step, from_status, to_status, on_date, actor_name, actor_role, note)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
returning {STEP_COLUMNS}
"""
LIST_STEPS = f"select {STEP_COLUMNS} from group_step where group_id = $1 order by id"


async def insert_step(
    conn: asyncpg.Connection,
    actor: Principal,
    *,
    group_id: int,
    kommun: str,
    step: str,
    from_status: str,
    to_status: str,
    on: date,
    note: str = "",
) -> GroupStep:
    row = await conn.fetchrow(
        INSERT_STEP,
        group_id,
        kommun,
        step,
        from_status,
        to_status,
        on,
        actor.name,
        actor.role,
        note,
    )
    return GroupStep(**dict(row))


async def list_steps(conn: asyncpg.Connection, group_id: int) -> list[GroupStep]:
    rows = await conn.fetch(LIST_STEPS, group_id)
    return [GroupStep(**dict(r)) for r in rows]


# --- renewal -------------------------------------------------------------------------------------------

INSERT_RENEWAL = """
insert into group_renewal (group_id, kommun, renewed_on, contact_persons, actor_name) values ($1, $2, $3, $4, $5)
"""


async def insert_renewal(conn: asyncpg.Connection, actor: Principal, group: asyncpg.Record, on: date) -> None:
    await conn.execute(
        INSERT_RENEWAL,
        group["id"],
        group["kommun"],
        on,
        group["contact_persons"],
        actor.name,
    )


# The day a group last confirmed its contact persons: its last renewal, or the day it was
# established or re-activated, whichever is latest.
LAST_CONFIRMED = """
greatest(
    g.established_on,
    (select max(r.renewed_on) from group_renewal r where r.group_id = g.id),
    (select max(s.on_date) from group_step s where s.group_id = g.id and s.step in ('establish', 'reactivate'))
)
"""
LAST_CONFIRMED_OF_GROUP = f"select {LAST_CONFIRMED} from watch_group g where g.id = $1"
GROUPS_TO_RENEW = f"""
select g.id, g.kommun, g.name, a.name as area_name, g.status, g.contact_persons,
       {LAST_CONFIRMED} as last_confirmed_on
from watch_group g join area a on a.id = g.area_id
where ($1::text[] is null or g.kommun = any($1::text[])) and g.status = any($2::text[])
order by g.kommun, g.id
"""


async def last_confirmed(conn: asyncpg.Connection, group_id: int) -> date | None:
    return await conn.fetchval(LAST_CONFIRMED_OF_GROUP, group_id)


class RenewalRow(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    name: str
    area_name: str
    status: str
    contact_persons: int
    last_confirmed_on: date | None


async def groups_to_renew(
    conn: asyncpg.Connection, in_kommuner: list[str] | None, statuses: tuple[str, ...] = ("active", "lapsed")
) -> list[RenewalRow]:
    """Active and lapsed groups of these kommuner (None: all) with their last confirmation."""
    rows = await conn.fetch(GROUPS_TO_RENEW, in_kommuner, list(statuses))
    return [RenewalRow(**dict(r)) for r in rows]


# --- coverage ------------------------------------------------------------------------------------------

AREA_HOUSEHOLDS = "select id, x, y from household where kommun = $1 and area_id = $2 order by id"
CONTACT_POINTS = """
select c.id, h.x, h.y, c.role from contact_person c
join household h on h.id = c.household_id and h.kommun = c.kommun
where c.group_id = $1 order by c.id
"""
SET_CONTACT_ROLE = """
update contact_person c set role = $3
from (select id, role from contact_person where id = $2 and group_id = $1 for update) old
where c.id = old.id
returning old.role
"""


async def coverage_inputs(
    conn: asyncpg.Connection, group: asyncpg.Record
) -> tuple[list[tuple[int, float | None, float | None]], list[tuple[int, float | None, float | None]], dict[int, str]]:
    """The area's households (id, x, y), the contact persons (id, x, y of their household) and their roles."""
    households = await conn.fetch(AREA_HOUSEHOLDS, group["kommun"], group["area_id"])
    contacts = await conn.fetch(CONTACT_POINTS, group["id"])
    return (
        [(r["id"], r["x"], r["y"]) for r in households],
        [(r["id"], r["x"], r["y"]) for r in contacts],
        {r["id"]: r["role"] for r in contacts},
    )


async def set_contact_role(conn: asyncpg.Connection, group_id: int, contact_id: int, role: str) -> str | None:
    """The contact person's new role; answers the old one (None: no such contact person in the group)."""
    return await conn.fetchval(SET_CONTACT_ROLE, group_id, contact_id, role)


# --- declined households -------------------------------------------------------------------------------

HOUSEHOLD_IN_AREA = """
select h.id, exists (select 1 from signup s where s.group_id = $1 and s.household_id = h.id) as signed
from household h where h.id = $2 and h.kommun = $3 and h.area_id = $4
"""
INSERT_DECLINED = """
insert into household_declined (group_id, household_id, kommun, declined_on) values ($1, $2, $3, $4)
on conflict (group_id, household_id) do update set declined_on = excluded.declined_on
"""
DELETE_DECLINED = "delete from household_declined where group_id = $1 and household_id = $2 returning 1"
COUNT_DECLINED = "select count(*) from household_declined where group_id = $1"
LIST_DECLINED = "select household_id, declined_on from household_declined where group_id = $1 order by household_id"


async def insert_declined(conn: asyncpg.Connection, group: asyncpg.Record, household_id: int, on: date) -> str:
    """'declined', 'signed_up' (refused: the household is signed up) or 'outside' (not in the area)."""
    row = await conn.fetchrow(
        HOUSEHOLD_IN_AREA,
        group["id"],
        household_id,
        group["kommun"],
        group["area_id"],
    )
    if row is None:
        return "outside"
    if row["signed"]:
        return "signed_up"
    await conn.execute(INSERT_DECLINED, group["id"], household_id, group["kommun"], on)
    return "declined"


async def delete_declined(conn: asyncpg.Connection, group_id: int, household_id: int) -> bool:
    return await conn.fetchval(DELETE_DECLINED, group_id, household_id) is not None


async def count_declined(conn: asyncpg.Connection, group_id: int) -> int:
    return int(await conn.fetchval(COUNT_DECLINED, group_id))


async def list_declined(conn: asyncpg.Connection, group_id: int) -> list[tuple[int, date]]:
    rows = await conn.fetch(LIST_DECLINED, group_id)
    return [(r["household_id"], r["declined_on"]) for r in rows]


# --- signs ---------------------------------------------------------------------------------------------


class Sign(msgspec.Struct, kw_only=True):
    id: int
    group_id: int
    kommun: str
    label: str
    ordered_on: date | None
    delivered_on: date | None
    placed_on: date | None
    taken_down_on: date | None
    x: float | None
    y: float | None
    place: str


SIGN_COLUMNS = "id, group_id, kommun, label, ordered_on, delivered_on, placed_on, taken_down_on, x, y, place"
SIGN_FIELDS = ("label", "ordered_on", "delivered_on", "placed_on", "taken_down_on", "x", "y", "place")

INSERT_SIGN = f"""
insert into group_sign (group_id, kommun, label, ordered_on, delivered_on, placed_on, taken_down_on, x, y, place)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
returning {SIGN_COLUMNS}
"""
UPDATE_SIGN = f"""
update group_sign set label = $3, ordered_on = $4, delivered_on = $5, placed_on = $6, taken_down_on = $7,
       x = $8, y = $9, place = $10
where id = $2 and group_id = $1
returning {SIGN_COLUMNS}
"""
GET_SIGN = f"select {SIGN_COLUMNS} from group_sign where id = $2 and group_id = $1"
LIST_SIGNS = f"select {SIGN_COLUMNS} from group_sign where group_id = $1 order by id"
ORPHAN_SIGNS = f"""
select {", ".join("s." + c for c in SIGN_COLUMNS.split(", "))}, g.name as group_name, g.status as group_status,
       a.name as area_name
from group_sign s join watch_group g on g.id = s.group_id join area a on a.id = g.area_id
where ($1::text[] is null or s.kommun = any($1::text[])) and g.status in ('dissolved', 'lapsed')
  and s.placed_on is not null and s.taken_down_on is null
order by s.kommun, g.id, s.id
"""


async def insert_sign(conn: asyncpg.Connection, group: asyncpg.Record, values: dict[str, object]) -> Sign:
    row = await conn.fetchrow(INSERT_SIGN, group["id"], group["kommun"], *(values[f] for f in SIGN_FIELDS))
    return Sign(**dict(row))


async def update_sign(conn: asyncpg.Connection, group_id: int, sign_id: int, values: dict[str, object]) -> Sign | None:
    row = await conn.fetchrow(UPDATE_SIGN, group_id, sign_id, *(values[f] for f in SIGN_FIELDS))
    return None if row is None else Sign(**dict(row))


async def get_sign(conn: asyncpg.Connection, group_id: int, sign_id: int) -> Sign | None:
    row = await conn.fetchrow(GET_SIGN, group_id, sign_id)
    return None if row is None else Sign(**dict(row))


async def list_signs(conn: asyncpg.Connection, group_id: int) -> list[Sign]:
    rows = await conn.fetch(LIST_SIGNS, group_id)
    return [Sign(**dict(r)) for r in rows]


class OrphanSign(msgspec.Struct, kw_only=True):
    sign: Sign
    group_name: str
    group_status: str
    area_name: str


async def orphan_signs(conn: asyncpg.Connection, in_kommuner: list[str] | None) -> list[OrphanSign]:
    """Signs still up (placed, not taken down) in areas whose group is dissolved or lapsed."""
    rows = await conn.fetch(ORPHAN_SIGNS, in_kommuner)
    return [
        OrphanSign(
            sign=Sign(**{k: r[k] for k in Sign.__struct_fields__}),
            group_name=r["group_name"],
            group_status=r["group_status"],
            area_name=r["area_name"],
        )
        for r in rows
    ]


# --- near-repeat alerts ------------------------------------------------------------------------------

RECENT_LOCATED_BURGLARIES = """
select id, occurred_from, occurred_to, category, x, y from burglary
where kommun = $1 and x is not null and occurred_to >= $2 order by id
"""
KOMMUNER_WITH_LOCATED_BURGLARIES = "select distinct kommun from burglary where x is not null and occurred_to >= $1 order by kommun"
ACTIVE_GROUP_AREAS = """
select g.id, g.name, a.name as area_name, a.geom_wkb from watch_group g join area a on a.id = g.area_id
where g.kommun = $1 and g.status = 'active' order by g.id
"""
CLAIM_ALERT = """
insert into near_repeat_alert (burglary_id, group_id, kommun, distance_m, recipients)
values ($1, $2, $3, $4, $5) on conflict do nothing returning true
"""
ALERT_RECIPIENTS = "select email from contact_person where group_id = $1 and email is not null order by id"
COUNT_ALERTS = "select count(*) from near_repeat_alert where group_id = $1"


async def recent_located_burglaries(conn: asyncpg.Connection, kommun: str, since: datetime) -> list[asyncpg.Record]:
    return await conn.fetch(RECENT_LOCATED_BURGLARIES, kommun, since)


async def kommuner_with_located_burglaries(conn: asyncpg.Connection, since: datetime) -> list[str]:
    rows = await conn.fetch(KOMMUNER_WITH_LOCATED_BURGLARIES, since)
    return [r["kommun"] for r in rows]


async def active_group_areas(conn: asyncpg.Connection, kommun: str) -> list[asyncpg.Record]:
    return await conn.fetch(ACTIVE_GROUP_AREAS, kommun)


async def claim_alert(conn: asyncpg.Connection, burglary_id: int, group_id: int, kommun: str, distance: float, recipients: int) -> bool:
    """Record the alert of one incident to one group; False when it was already sent."""
    return await conn.fetchval(CLAIM_ALERT, burglary_id, group_id, kommun, distance, recipients) is not None


async def alert_recipients(conn: asyncpg.Connection, group_id: int) -> list[str]:
    rows = await conn.fetch(ALERT_RECIPIENTS, group_id)
    return [r["email"] for r in rows]


async def count_alerts(conn: asyncpg.Connection, group_id: int) -> int:
    return int(await conn.fetchval(COUNT_ALERTS, group_id))


# --- the demo ------------------------------------------------------------------------------------------

DEMO_AREAS = ("arv-centrum", "lang-by", "sol-nipan")
DEMO_GROUPS = """
select g.id, g.name, g.status from watch_group g join area a on a.id = g.area_id
where a.external_ref = any($1::text[]) and g.status <> 'dissolved' order by g.id
"""
HAS_STEPS = "select exists (select 1 from group_step where group_id = any($1::bigint[]) and step = any($2::text[]))"
NOT_SIGNED_UP = """
select h.id from watch_group g join household h on h.area_id = g.area_id and h.kommun = g.kommun
where g.id = $1 and not exists (select 1 from signup s where s.group_id = g.id and s.household_id = h.id)
order by h.id desc limit $2
"""


async def demo_groups(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(DEMO_GROUPS, list(DEMO_AREAS))


async def has_steps(conn: asyncpg.Connection, group_ids: list[int], steps: tuple[str, ...]) -> bool:
    return bool(await conn.fetchval(HAS_STEPS, group_ids, list(steps)))


async def not_signed_up(conn: asyncpg.Connection, group_id: int, limit: int) -> list[int]:
    """Some households of the group's area that have not signed up (the demo's declined ones)."""
    rows = await conn.fetch(NOT_SIGNED_UP, group_id, limit)
    return [r["id"] for r in rows]
