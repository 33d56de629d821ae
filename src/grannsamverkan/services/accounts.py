"""Personal accounts and signing in to the pages: the use cases the command line and the sign-in
page call.

Passwords are hashed with argon2id (RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes), in
a worker thread so the event loop keeps serving. A password is never logged, audited, stored or
part of a message; the audit trail records that an account was made, disabled or given a new
password, by whom and when.

Signing in fails the same way, in about the same time, whether the name is unknown, the password
wrong or the account disabled: an unknown name is checked against a dummy hash of the same cost.
"""

from __future__ import annotations

import asyncio
from typing import Final

import asyncpg
import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from grannsamverkan.db import accounts, audit, sessions, tokens
from grannsamverkan.db import kommuner as kommun_table
from grannsamverkan.db.accounts import AccountInfo
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.accounts import (
    MAX_NAME_LENGTH,
    checked_name,
    checked_password,
    checked_scope,
    name_key,
    sign_in_password,
)

__all__ = [
    "AccountInfo",
    "SignedIn",
    "change_password",
    "create_account",
    "disable_account",
    "list_accounts",
    "sign_in_with_password",
    "sign_in_with_token",
    "sign_out",
]

HASHER: Final = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
# A hash of a random, forgotten password with HASHER's parameters: what an unknown name is checked
# against, so that it costs as much as a known one.
DUMMY_HASH: Final = "$argon2id$v=19$m=65536,t=3,p=4$3zxmD8GG3eLwQsTho5ToOw$PXDg0bAGUr21igKH7Ui768OvOO5x/fSpJzht8zA0G1w"


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    """A new session: its id goes to the browser's cookie, and whom it answers."""

    session: str
    principal: Principal


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def _hash(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


# --- managing accounts (the command line) --------------------------------------------------------


async def create_account(
    conn: asyncpg.Connection, actor: Principal, *, name: str, role: str, kommuner: list[str], password: str
) -> AccountInfo:
    """A new account with the same role and kommun scope rules as an API token."""
    name = checked_name(name)
    checked_role, scope = checked_scope(role, kommuner)
    password = checked_password(password)
    await kommun_table.require_known(conn, scope, field="kommun")
    password_hash = await _hash(password)
    async with conn.transaction():
        info = await accounts.insert_account(
            conn, name=name, name_key=name_key(name), role=checked_role, kommuner=scope, password_hash=password_hash
        )
        after = {"name": info.name, "role": info.role, "kommuner": info.kommuner}
        await audit.record(conn, actor, kommun=None, table="account", row_id=info.id, action="insert", after=after)
    return info


async def list_accounts(conn: asyncpg.Connection) -> list[AccountInfo]:
    return await accounts.list_accounts(conn)


async def disable_account(conn: asyncpg.Connection, actor: Principal, name_or_id: str) -> AccountInfo:
    """The account can no longer sign in, and its sessions end at once."""
    async with conn.transaction():
        before = await accounts.find_account(conn, name_key(name_or_id), name_or_id)
        info = await accounts.disable(conn, before.id)
        await sessions.end_account_sessions(conn, info.id)
        await _record_disabled_change(conn, actor, before, info)
    return info


async def enable_account(conn: asyncpg.Connection, actor: Principal, name_or_id: str) -> AccountInfo:
    """A disabled account may sign in again (with the password it had; its old sessions stay ended)."""
    async with conn.transaction():
        before = await accounts.find_account(conn, name_key(name_or_id), name_or_id)
        info = await accounts.enable(conn, before.id)
        await _record_disabled_change(conn, actor, before, info)
    return info


async def _record_disabled_change(conn: asyncpg.Connection, actor: Principal, before: AccountInfo, after: AccountInfo) -> None:
    """The audit event of an account disabled or enabled (none when nothing changed)."""
    if before.disabled_at == after.disabled_at:
        return

    def when(info: AccountInfo) -> str | None:
        return info.disabled_at.isoformat() if info.disabled_at else None

    await audit.record(
        conn,
        actor,
        kommun=None,
        table="account",
        row_id=after.id,
        action="update",
        before={"name": before.name, "disabled_at": when(before)},
        after={"name": after.name, "disabled_at": when(after)},
    )


async def change_password(conn: asyncpg.Connection, actor: Principal, name_or_id: str, password: str) -> AccountInfo:
    """A new password; every session the account had ends (whoever knew the old one is out)."""
    password = checked_password(password)
    found = await accounts.find_account(conn, name_key(name_or_id), name_or_id)
    password_hash = await _hash(password)
    async with conn.transaction():
        info = await accounts.set_password(conn, found.id, password_hash)
        await sessions.end_account_sessions(conn, info.id)
        await audit.record(
            conn,
            actor,
            kommun=None,
            table="account",
            row_id=info.id,
            action="update",
            after={"name": info.name, "password_changed_at": info.password_changed_at.isoformat()},
        )
    return info


# --- signing in and out (the pages) --------------------------------------------------------------


async def sign_in_with_password(
    pool: asyncpg.Pool | asyncpg.Connection, name: str, password: str, *, hours: float, replacing: str | None = None
) -> SignedIn | None:
    """A session for the account when the name and password match and it is not disabled; None
    otherwise (without saying which). ``replacing`` is the session id the browser had: it ends."""
    typed = sign_in_password(password)
    row = await accounts.for_sign_in(pool, name_key(name)) if 0 < len(name.strip()) <= MAX_NAME_LENGTH else None
    matches = await asyncio.to_thread(_verify, row.password_hash if row else DUMMY_HASH, typed or "")
    if row is None or typed is None or not matches or row.disabled:
        return None
    if HASHER.check_needs_rehash(row.password_hash):
        await accounts.rehash(pool, row.id, row.password_hash, await _hash(typed))
    session = await sessions.open_account_session(pool, row.id, hours=hours, replacing=replacing)
    return SignedIn(session=session, principal=row.principal())


async def sign_in_with_token(
    pool: asyncpg.Pool | asyncpg.Connection, token: str, *, hours: float, replacing: str | None = None
) -> SignedIn | None:
    """A session for an API token (pasted on the sign-in page), None when it is unknown or revoked."""
    principal = await tokens.principal_for(pool, token)
    if principal is None:
        return None
    session = await sessions.open_token_session(pool, principal.token_id, hours=hours, replacing=replacing)
    return SignedIn(session=session, principal=principal)


async def sign_out(pool: asyncpg.Pool | asyncpg.Connection, session: str) -> bool:
    """The session ends on the server (answers whether it existed)."""
    return await sessions.end_session(pool, session)
