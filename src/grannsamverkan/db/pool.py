"""The asyncpg pool and the mapping of database failures to the project's errors."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from grannsamverkan.errors import Conflict, InvalidInput

# Errors that mean the server is gone or not reachable, not that the query was wrong.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    ConnectionError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    # A connection the server terminated mid-operation (restart, pg_terminate_backend) can fail its
    # reset on release with "cannot switch to state N; another operation is in progress".
    asyncpg.exceptions.InternalClientError,
)


def invalid_argument(exc: BaseException) -> str | None:
    """Why the database refused a value the caller sent, when that is all that went wrong: a number
    beyond bigint (asyncpg cannot encode it) or text PostgreSQL cannot hold (a NUL character).
    None for every other error."""
    if isinstance(exc, asyncpg.exceptions.DataError) and isinstance(exc.__cause__, OverflowError):
        return "ett tal i begäran är för stort (högst 9223372036854775807)"
    if isinstance(exc, asyncpg.exceptions.CharacterNotInRepertoireError | asyncpg.exceptions.UntranslatableCharacterError):
        return "texten i begäran innehåller ett tecken som inte kan sparas (till exempel NUL, \\u0000)"
    return None


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _release_without_reset_query(conn: asyncpg.Connection) -> None:
    """The pool's reset on release: nothing beyond what asyncpg always does.

    Before it calls this, asyncpg rolls back a transaction left open and drops the connection's
    listeners. Its default reset would then send ``pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`` to the server: a round trip on every release, as costly as the hot
    path's own query. Our code leaves none of that behind on a pooled connection: locks are
    ``pg_advisory_xact_lock`` (the migrator's session lock has a connection of its own), cursors
    only live inside transactions, nothing LISTENs, settings are only changed with SET LOCAL, and
    temporary tables are ``on commit drop``. tests/db/test_pool.py checks both: what a released
    connection looks like, and that the db modules keep to these rules.
    """


PING = "select 1"


async def ping(conn: asyncpg.Connection, *, within_seconds: float) -> None:
    """Does the database answer? Raises one of ``UNAVAILABLE_ERRORS`` or ``TimeoutError`` when not."""
    await conn.fetchval(PING, timeout=within_seconds)


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_release_without_reset_query,
        command_timeout=60,
        # Prepared statements are cached per connection; the hot path reuses them.
        statement_cache_size=256,
    )


async def connect(url: str) -> asyncpg.Connection:
    """One connection with the same codecs as the pool (CLI commands, tests)."""
    conn = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn


# Constraint name -> (field, message code): the database is the last line against bad data.
_CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "area_external_ref_unique": ("external_ref", "constraint.area_external_ref"),
    "household_external_ref_unique": ("external_ref", "constraint.household_external_ref"),
    "watch_group_one_live_per_area": ("area_id", "constraint.one_live_group"),
    "signup_pkey": ("household_id", "constraint.signed_up_already"),
    "burglary_kommun_source_ref_unique": ("external_ref", "constraint.burglary_external_ref"),
    "contact_person_signup_fkey": ("household_id", "constraint.contact_not_signed_up"),
    "contact_person_household_unique": ("household_id", "constraint.contact_household"),
    "contact_person_household_left_area": ("contact_person", "constraint.contact_left_area"),
    "household_kommun_fkey": ("kommun", "constraint.unknown_kommun"),
    "household_area_fkey": ("area_id", "constraint.unknown_area"),
}


# A kommun's household partition names its constraints `household_k2283_<rule>` (0006).
_PARTITION_CONSTRAINT = re.compile(r"^household_(?:k[0-9]{4}|other)_")


def _messages(constraint: str | None, default: tuple[str, str]) -> tuple[str, str]:
    name = _PARTITION_CONSTRAINT.sub("household_", constraint or "")
    return _CONSTRAINT_MESSAGES.get(name, default)


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Map constraint violations to domain errors by constraint name."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        field, code = _messages(exc.constraint_name, ("", "constraint.duplicate"))
        raise Conflict.at(field, code, constraint=exc.constraint_name) from exc
    except asyncpg.ForeignKeyViolationError as exc:
        field, code = _messages(exc.constraint_name, ("", "constraint.missing_row"))
        raise Conflict.at(field, code, constraint=exc.constraint_name) from exc
    except asyncpg.RestrictViolationError as exc:
        field, code = _messages(exc.constraint_name, ("", "constraint.restricted"))
        raise Conflict.at(field, code, constraint=exc.constraint_name) from exc
    except asyncpg.CheckViolationError as exc:
        raise InvalidInput.at(exc.constraint_name or "", "constraint.check", constraint=exc.constraint_name) from exc
