"""The asyncpg pool and the mapping of database failures to the project's errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from grannsamverkan.errors import Conflict, DatabaseUnavailable, FieldError, InvalidInput

# Errors that mean the server is gone or not reachable, not that the query was wrong.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
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
        return "a number in the request is out of range (at most 9223372036854775807)"
    if isinstance(exc, asyncpg.exceptions.CharacterNotInRepertoireError | asyncpg.exceptions.UntranslatableCharacterError):
        return "text in the request contains a character that cannot be stored (such as NUL, \\u0000)"
    return None


async def _init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        command_timeout=60,
        # Prepared statements are cached per connection; the hot path reuses them.
        statement_cache_size=256,
    )


async def connect(url: str) -> asyncpg.Connection:
    """One connection with the same codecs as the pool (CLI commands, tests)."""
    conn = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn


# Constraint name -> (field, message): the database is the last line against bad data.
_CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "area_external_ref_unique": ("external_ref", "an area with this external_ref exists in the kommun"),
    "household_external_ref_unique": ("external_ref", "a household with this external_ref exists in the kommun"),
    "watch_group_one_live_per_area": ("area_id", "the area already has a group that is not dissolved"),
    "signup_pkey": ("household_id", "the household is already signed up"),
    "burglary_source_ref_unique": ("external_ref", "a burglary with this source and external_ref exists"),
    "contact_person_signup_fkey": ("household_id", "the contact person's household must be signed up"),
    "household_kommun_fkey": ("kommun", "unknown kommun code"),
    "household_area_fkey": ("area_id", "no such area in the household's kommun"),
}


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Map constraint violations to domain errors by constraint name."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        field, message = _CONSTRAINT_MESSAGES.get(exc.constraint_name or "", ("", "duplicate"))
        raise Conflict(message, [FieldError(field=field, message=message)]) from exc
    except asyncpg.ForeignKeyViolationError as exc:
        field, message = _CONSTRAINT_MESSAGES.get(
            exc.constraint_name or "", ("", f"refers to a row that does not exist ({exc.constraint_name})")
        )
        raise Conflict(message, [FieldError(field=field, message=message)]) from exc
    except asyncpg.CheckViolationError as exc:
        message = f"the value breaks the rule {exc.constraint_name}"
        raise InvalidInput(message, [FieldError(field=exc.constraint_name or "", message=message)]) from exc
