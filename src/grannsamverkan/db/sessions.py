"""Web sign-ins: a random session id in the browser's cookie, its sha256 hash here.

A session belongs to a personal account (signed in with name and password, ``account_id``) or to
the API token it was opened with (``token_id``), never both (0014). It answers the same principal
while the account is not disabled (or the token not revoked) and the session has not expired or
been ended (signed out, replaced at the next sign-in, or the account's password changed).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Final

import asyncpg

from grannsamverkan.db.tokens import hash_token
from grannsamverkan.domain.access import Principal, Role

SESSION_PREFIX: Final = "gsvs_"

OPEN_FOR_TOKEN: Final = """
insert into web_session (session_hash, token_id, expires_at) values ($1, $2, now() + $3::interval)
"""

OPEN_FOR_ACCOUNT: Final = """
insert into web_session (session_hash, account_id, expires_at) values ($1, $2, now() + $3::interval)
"""

FIND_ACTIVE: Final = """
select coalesce(t.id, 0) as token_id, coalesce(t.name, a.name) as name,
       coalesce(t.role, a.role) as role, coalesce(t.kommuner, a.kommuner) as kommuner
from web_session s
left join api_token t on t.id = s.token_id and t.revoked_at is null
left join account a on a.id = s.account_id and a.disabled_at is null
where s.session_hash = $1 and s.expires_at > now() and (t.id is not null or a.id is not null)
"""

END: Final = "delete from web_session where session_hash = $1"

END_FOR_ACCOUNT: Final = "delete from web_session where account_id = $1"

END_EXPIRED: Final = "delete from web_session where expires_at <= now()"


def new_session_id() -> str:
    return SESSION_PREFIX + secrets.token_urlsafe(32)


async def _open(conn: asyncpg.Connection | asyncpg.Pool, *, account: bool, owner: int, hours: float, replacing: str | None) -> str:
    """A new session id; the one the browser had (``replacing``) ends in the same step, so signing
    in always rotates the id and a cookie planted before it is never promoted."""
    session = new_session_id()
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as one:
            return await _open(one, account=account, owner=owner, hours=hours, replacing=replacing)
    async with conn.transaction():
        await conn.execute(END_EXPIRED)
        if replacing:
            await conn.execute(END, hash_token(replacing))
        await conn.execute(OPEN_FOR_ACCOUNT if account else OPEN_FOR_TOKEN, hash_token(session), owner, timedelta(hours=hours))
    return session


async def open_token_session(conn: asyncpg.Connection | asyncpg.Pool, token_id: int, *, hours: float, replacing: str | None = None) -> str:
    """A new session for an API token; answers the session id (for the cookie only)."""
    return await _open(conn, account=False, owner=token_id, hours=hours, replacing=replacing)


async def open_account_session(
    conn: asyncpg.Connection | asyncpg.Pool, account_id: int, *, hours: float, replacing: str | None = None
) -> str:
    """A new session for a personal account; answers the session id (for the cookie only)."""
    return await _open(conn, account=True, owner=account_id, hours=hours, replacing=replacing)


async def principal_for(conn: asyncpg.Connection | asyncpg.Pool, session: str) -> Principal | None:
    row = await conn.fetchrow(FIND_ACTIVE, hash_token(session))
    if row is None:
        return None
    role: Role = row["role"]
    return Principal(token_id=row["token_id"], name=row["name"], role=role, kommuner=tuple(row["kommuner"]))


async def end_session(conn: asyncpg.Connection | asyncpg.Pool, session: str) -> bool:
    """Sign out: the session stops working at once (answers whether it existed)."""
    return await conn.execute(END, hash_token(session)) != "DELETE 0"


async def end_account_sessions(conn: asyncpg.Connection, account_id: int) -> int:
    """Every session of the account ends (it was disabled or its password changed)."""
    done = await conn.execute(END_FOR_ACCOUNT, account_id)
    return int(done.split()[-1])
