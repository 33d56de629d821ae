"""Personal accounts: a name, an argon2id password hash, a role and the kommuner it sees.

The hash is made and checked in ``services/accounts.py``; this module only stores and finds it.
No query here answers the hash except ``FIND_FOR_SIGN_IN`` (and nothing logs or audits it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import asyncpg
import msgspec

from grannsamverkan.domain.access import Principal, Role
from grannsamverkan.errors import Conflict, FieldError, NotFound

NAME_TAKEN: Final = "account_name_key"


class AccountInfo(msgspec.Struct, kw_only=True):
    """An account as it is listed (never its hash)."""

    id: int
    name: str
    role: str
    kommuner: list[str]
    created_at: datetime
    password_changed_at: datetime
    disabled_at: datetime | None


class SignInRow(msgspec.Struct, frozen=True, kw_only=True):
    """What signing in needs: the hash to check and whom the session will answer."""

    id: int
    name: str
    role: Role
    kommuner: tuple[str, ...]
    password_hash: str
    disabled: bool

    def principal(self) -> Principal:
        return Principal(token_id=0, name=self.name, role=self.role, kommuner=self.kommuner)


_INFO_COLUMNS = "id, name, role, kommuner, created_at, password_changed_at, disabled_at"

INSERT_ACCOUNT: Final = f"""
insert into account (name, name_key, role, kommuner, password_hash) values ($1, $2, $3, $4, $5)
returning {_INFO_COLUMNS}
"""

LIST_ACCOUNTS: Final = f"select {_INFO_COLUMNS} from account order by name_key"

# By name (compared as name_key) or by id, as the command line names an account.
FIND_BY_NAME_OR_ID: Final = f"""
select {_INFO_COLUMNS} from account where name_key = $1 or id::text = $2
order by (name_key = $1) desc limit 1
"""

FIND_FOR_SIGN_IN: Final = """
select id, name, role, kommuner, password_hash, disabled_at is not null as disabled
from account where name_key = $1
"""

DISABLE: Final = f"""
update account set disabled_at = coalesce(disabled_at, now()) where id = $1
returning {_INFO_COLUMNS}
"""

ENABLE: Final = f"""
update account set disabled_at = null where id = $1
returning {_INFO_COLUMNS}
"""

SET_PASSWORD: Final = f"""
update account set password_hash = $2, password_changed_at = now() where id = $1
returning {_INFO_COLUMNS}
"""

# A stronger hash of the same password after signing in (new parameters); only when the password
# was not changed in the meantime.
REHASH: Final = "update account set password_hash = $3 where id = $1 and password_hash = $2"


async def insert_account(
    conn: asyncpg.Connection, *, name: str, name_key: str, role: Role, kommuner: list[str], password_hash: str
) -> AccountInfo:
    try:
        row = await conn.fetchrow(INSERT_ACCOUNT, name, name_key, role, kommuner, password_hash)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name != NAME_TAKEN:
            raise
        raise Conflict("account.name_taken", [FieldError.of("name", "account.name_taken_short")], name=repr(name)) from exc
    return AccountInfo(**dict(row))


async def list_accounts(conn: asyncpg.Connection) -> list[AccountInfo]:
    return [AccountInfo(**dict(r)) for r in await conn.fetch(LIST_ACCOUNTS)]


async def find_account(conn: asyncpg.Connection, name_key: str, name_or_id: str) -> AccountInfo:
    """The account named (or numbered) so; 404 naming it otherwise."""
    row = await conn.fetchrow(FIND_BY_NAME_OR_ID, name_key, name_or_id)
    if row is None:
        raise NotFound("account.not_found", name=repr(name_or_id))
    return AccountInfo(**dict(row))


async def for_sign_in(conn: asyncpg.Connection | asyncpg.Pool, name_key: str) -> SignInRow | None:
    row = await conn.fetchrow(FIND_FOR_SIGN_IN, name_key)
    if row is None:
        return None
    return SignInRow(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        kommuner=tuple(row["kommuner"]),
        password_hash=row["password_hash"],
        disabled=row["disabled"],
    )


async def disable(conn: asyncpg.Connection, account_id: int) -> AccountInfo:
    return AccountInfo(**dict(await conn.fetchrow(DISABLE, account_id)))


async def enable(conn: asyncpg.Connection, account_id: int) -> AccountInfo:
    return AccountInfo(**dict(await conn.fetchrow(ENABLE, account_id)))


async def set_password(conn: asyncpg.Connection, account_id: int, password_hash: str) -> AccountInfo:
    return AccountInfo(**dict(await conn.fetchrow(SET_PASSWORD, account_id, password_hash)))


async def rehash(conn: asyncpg.Connection | asyncpg.Pool, account_id: int, old_hash: str, new_hash: str) -> None:
    await conn.execute(REHASH, account_id, old_hash, new_hash)
