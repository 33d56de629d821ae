"""The audit trail: who changed what, when, with the values before and after."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from grannsamverkan.domain.access import Principal

log = logging.getLogger("grannsamverkan")

INSERT_EVENT = """
insert into audit_event (actor, kommun, table_name, row_id, action, before, after)
values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
"""


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, asyncpg.Record):
        value = dict(value)
    return msgspec.to_builtins(value, builtin_types=(), enc_hook=_encode_extra)


def _encode_extra(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray | memoryview):
        return None  # geometry blobs are not useful in the trail; the GeoJSON is kept elsewhere
    return str(obj)


async def record(
    conn: asyncpg.Connection,
    actor: Principal,
    *,
    kommun: str | None,
    table: str,
    row_id: int | None,
    action: str,
    before: Any = None,
    after: Any = None,
) -> None:
    await conn.execute(INSERT_EVENT, actor.name, kommun, table, row_id, action, _plain(before), _plain(after))


ERASE_VALUES = """
update audit_event
set before = null, after = null, erased_at = now()
where table_name = $1 and row_id = any($2::bigint[]) and erased_at is null
"""


async def erase_values(conn: asyncpg.Connection, table: str, row_ids: list[int]) -> None:
    """Erase personal data from the trail's values; the fact that a change happened stays."""
    await conn.execute(ERASE_VALUES, table, row_ids)


QUOTE_IDENT = "select quote_ident($1)"
# Templates for a table name quoted by QUOTE_IDENT (an identifier cannot be a $n parameter).
LOCK_TABLE_NOWAIT = "lock table {table} in access exclusive mode nowait"
VACUUM = "vacuum {table}"
VACUUM_FULL = "vacuum (full) {table}"


async def scrub(conn: asyncpg.Connection, tables: list[str]) -> None:
    """Rewrite ``tables`` so that erased values leave their data files, after the erasure committed.

    Deleting a row (or replacing an audit event's values) only marks the old row version dead;
    its bytes stay in the table's and the indexes' pages until they are rewritten. A plain VACUUM
    frees the space but can leave the bytes in it; ``VACUUM (FULL)`` writes new files and drops
    the old ones. It locks the table for the time of the rewrite (small tables: milliseconds), so
    it first checks that nobody holds the table (a NOWAIT lock in a transaction of its own): when a
    long import does, a plain VACUUM runs instead and the scheduled ``vacuum (full)`` (README,
    "Personal data") finishes the job. Runs outside a transaction (VACUUM cannot run in one).
    """
    if conn.is_in_transaction():
        log.warning("rensningen hoppades över: den anropades inuti en transaktion")
        return
    for table in tables:
        name = await conn.fetchval(QUOTE_IDENT, table)
        try:
            async with conn.transaction():
                await conn.execute(LOCK_TABLE_NOWAIT.format(table=name))
        except asyncpg.LockNotAvailableError:
            log.warning("rensningen av %s sköts upp: tabellen användes; en vanlig vacuum kördes i stället", table)
            await conn.execute(VACUUM.format(table=name))
            continue
        await conn.execute(VACUUM_FULL.format(table=name))


class AuditEvent(msgspec.Struct, kw_only=True):
    id: int
    occurred_at: datetime
    actor: str
    kommun: str | None
    table: str
    row_id: int | None
    action: str
    before: Any
    after: Any
    erased_at: datetime | None


LIST_EVENTS = """
select id, occurred_at, actor, kommun, table_name, row_id, action, before, after, erased_at,
       count(*) over () as total
from audit_event
where ($1::text[] is null or kommun = any($1::text[]))
  and ($2::text is null or table_name = $2)
  and ($3::bigint is null or row_id = $3)
order by id desc
limit $4 offset $5
"""


async def list_events(
    conn: asyncpg.Connection,
    *,
    kommuner: list[str] | None,
    table: str | None,
    row_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[AuditEvent], int]:
    rows = await conn.fetch(LIST_EVENTS, kommuner, table, row_id, limit, offset)
    total = rows[0]["total"] if rows else 0
    events = [
        AuditEvent(
            id=r["id"],
            occurred_at=r["occurred_at"],
            actor=r["actor"],
            kommun=r["kommun"],
            table=r["table_name"],
            row_id=r["row_id"],
            action=r["action"],
            before=r["before"],
            after=r["after"],
            erased_at=r["erased_at"],
        )
        for r in rows
    ]
    return events, total
