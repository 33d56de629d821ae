"""API tokens: opaque bearer tokens of which only a sha256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import asyncpg
import msgspec

from grannsamverkan import messages
from grannsamverkan.db import audit
from grannsamverkan.db import kommuner as kommun_table
from grannsamverkan.domain import glossary
from grannsamverkan.domain.access import ROLES, SYSTEM, Principal, Role
from grannsamverkan.errors import Conflict, FieldError, InvalidInput, NotFound

TOKEN_PREFIX = "gsv_"


def hash_token(token: str) -> bytes:
    # Tokens carry 256 random bits, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(token.encode("utf-8")).digest()


class TokenInfo(msgspec.Struct, kw_only=True):
    id: int
    name: str
    role: str
    kommuner: list[str]
    created_at: datetime
    revoked_at: datetime | None


INSERT_TOKEN = """
insert into api_token (name, role, kommuner, token_hash) values ($1, $2, $3, $4)
returning id, name, role, kommuner, created_at, revoked_at
"""


async def create_token(
    conn: asyncpg.Connection, *, role: str, kommuner: list[str], name: str | None, actor: Principal = SYSTEM
) -> tuple[TokenInfo, str]:
    """Make a token; answer its record and the token itself (shown once, never stored)."""
    if role not in ROLES:
        roles = messages.choices(glossary.ROLES, ROLES)
        raise InvalidInput("token.role_unknown", [FieldError.of("role", "account.role_one_of", roles=roles)], role=repr(role))
    if role != "admin" and not kommuner:
        raise InvalidInput("token.kommun_needed", [FieldError.of("kommun", "token.kommun_required")])
    await kommun_table.require_known(conn, kommuner, field="kommun")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    name = name or f"{role}-{secrets.token_hex(4)}"
    try:
        async with conn.transaction():
            row = await conn.fetchrow(INSERT_TOKEN, name, role, sorted(set(kommuner)), hash_token(token))
            await audit.record(
                conn,
                actor,
                kommun=None,
                table="api_token",
                row_id=row["id"],
                action="insert",
                after={"name": name, "role": role, "kommuner": sorted(set(kommuner))},
            )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict("token.name_taken", [FieldError.of("name", "token.taken")], name=repr(name)) from exc
    return TokenInfo(**dict(row)), token


LIST_TOKENS = "select id, name, role, kommuner, created_at, revoked_at from api_token order by id"


async def list_tokens(conn: asyncpg.Connection) -> list[TokenInfo]:
    rows = await conn.fetch(LIST_TOKENS)
    return [TokenInfo(**dict(r)) for r in rows]


REVOKE = """
update api_token set revoked_at = coalesce(revoked_at, now())
where name = $1 or id::text = $1
returning id, name, role, kommuner, created_at, revoked_at
"""


async def revoke_token(conn: asyncpg.Connection, name_or_id: str, actor: Principal = SYSTEM) -> TokenInfo:
    async with conn.transaction():
        row = await conn.fetchrow(REVOKE, name_or_id)
        if row is None:
            raise NotFound("token.not_found", name=repr(name_or_id))
        await audit.record(
            conn,
            actor,
            kommun=None,
            table="api_token",
            row_id=row["id"],
            action="update",
            after={"name": row["name"], "revoked_at": row["revoked_at"].isoformat()},
        )
    return TokenInfo(**dict(row))


FIND_ACTIVE = """
select id, name, role, kommuner from api_token where token_hash = $1 and revoked_at is null
"""


async def principal_for(conn: asyncpg.Connection | asyncpg.Pool, token: str) -> Principal | None:
    row = await conn.fetchrow(FIND_ACTIVE, hash_token(token))
    if row is None:
        return None
    role: Role = row["role"]
    return Principal(token_id=row["id"], name=row["name"], role=role, kommuner=tuple(row["kommuner"]))
