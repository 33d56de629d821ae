"""The mail outbox: rows written in the transaction of the change they tell of, delivered later.

A delivered row is deleted, so no address stays in the database after delivery; a row that keeps
failing is retried with a growing pause and deleted after MAX_ATTEMPTS (the failure is logged
without the address). Queuing a mail notifies the server's sender when the transaction commits.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

MAX_ATTEMPTS = 8


class Mail(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    report_id: int | None
    recipient: str
    subject: str
    body: str
    attempts: int
    created_at: datetime


# The server's sender wakes up when the transaction commits (db/notify.py's OUTBOX channel).
ENQUEUE = """
with queued as (
    insert into mail_outbox (kommun, report_id, recipient, subject, body) values ($1, $2, $3, $4, $5) returning id
)
select id, pg_notify('grannsamverkan_outbox', '') from queued
"""


async def enqueue(conn: asyncpg.Connection, *, kommun: str, report_id: int | None, recipient: str, subject: str, body: str) -> int:
    return int(
        await conn.fetchval(
            ENQUEUE,
            kommun,
            report_id,
            recipient,
            subject,
            body,
        )
    )


DUE = """
select id, kommun, report_id, recipient, subject, body, attempts, created_at
from mail_outbox
where next_attempt_at <= now()
order by id
limit $1
for update skip locked
"""


async def claim_due(conn: asyncpg.Connection, limit: int) -> list[Mail]:
    """Due mail, locked for this transaction (a second sender skips them)."""
    return [Mail(**dict(r)) for r in await conn.fetch(DUE, limit)]


DELETE_MAIL = "delete from mail_outbox where id = $1"


async def delivered(conn: asyncpg.Connection, mail_id: int) -> None:
    await conn.execute(DELETE_MAIL, mail_id)


COUNT_FAILURE = """
update mail_outbox set attempts = attempts + 1, last_error = $2, next_attempt_at = now() + make_interval(secs => $3)
where id = $1
returning attempts
"""


async def failed(conn: asyncpg.Connection, mail_id: int, error: str, retry_in_seconds: float) -> bool:
    """Count a failed attempt; True when the mail was given up (deleted)."""
    attempts = await conn.fetchval(
        COUNT_FAILURE,
        mail_id,
        error[:500],
        retry_in_seconds,
    )
    if attempts is not None and attempts >= MAX_ATTEMPTS:
        await conn.execute(DELETE_MAIL, mail_id)
        return True
    return False


COUNT_PENDING = "select count(*) from mail_outbox"


async def pending(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval(COUNT_PENDING))


PURGE_OLDER_THAN = "delete from mail_outbox where created_at < now() - make_interval(days => $1)"


async def purge_older_than(conn: asyncpg.Connection, days: int) -> int:
    status = await conn.execute(PURGE_OLDER_THAN, days)
    return int(status.split()[-1])
