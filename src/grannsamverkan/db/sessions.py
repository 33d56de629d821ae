"""Web sign-ins: a random session id in the browser's cookie, its sha256 hash here.

A session belongs to the API token it was opened with and answers the same principal while that
token is not revoked and the session has not expired or been ended (signed out).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import asyncpg

from grannsamverkan.db.tokens import hash_token
from grannsamverkan.domain.access import Principal, Role

SESSION_PREFIX = "gsvs_"

OPEN = """
insert into web_session (session_hash, token_id, expires_at) values ($1, $2, now() + $3::interval)
"""

FIND_ACTIVE = """
select t.id, t.name, t.role, t.kommuner
from web_session s join api_token t on t.id = s.token_id
where s.session_hash = $1 and s.expires_at > now() and t.revoked_at is null
"""

END = "delete from web_session where session_hash = $1"

END_EXPIRED = "delete from web_session where expires_at <= now()"


async def open_session(conn: asyncpg.Connection | asyncpg.Pool, principal: Principal, *, hours: float) -> str:
    """A new session for the principal's token; answers the session id (for the cookie only)."""
    session = SESSION_PREFIX + secrets.token_urlsafe(32)
    await conn.execute(END_EXPIRED)
    await conn.execute(OPEN, hash_token(session), principal.token_id, timedelta(hours=hours))
    return session


async def principal_for(conn: asyncpg.Connection | asyncpg.Pool, session: str) -> Principal | None:
    row = await conn.fetchrow(FIND_ACTIVE, hash_token(session))
    if row is None:
        return None
    role: Role = row["role"]
    return Principal(token_id=row["id"], name=row["name"], role=role, kommuner=tuple(row["kommuner"]))


async def end_session(conn: asyncpg.Connection | asyncpg.Pool, session: str) -> bool:
    """Sign out: the session stops working at once (answers whether it existed)."""
    return await conn.execute(END, hash_token(session)) != "DELETE 0"
