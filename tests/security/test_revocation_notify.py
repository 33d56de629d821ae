"""A disabled account, a revoked token or a session signed out elsewhere (the command line, another
server process) is refused at the next request, even by a server process that has just cached it:
the change notifies every listening process (db/notify.py), which empties its token cache. When
the listening connection is lost, the process stops caching until it listens again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.app import create_app
from grannsamverkan.cli import cli_actor
from grannsamverkan.db import sessions, tokens
from grannsamverkan.db.notify import APPLICATION_NAME
from grannsamverkan.services import accounts
from grannsamverkan.settings import Settings
from tests.conftest import TokenFactory
from tests.factories import account
from tests.web.test_account_pages import sign_in_as
from tests.web.test_pages import sign_in, token_of

# How long a notification may take to arrive: a bound to wait for, not a timing goal.
NOTICE_SECONDS = 2.0


@pytest.fixture
async def cached(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    """The app with a cache that would trust a verified sign-in for a minute."""
    long_cache = msgspec.structs.replace(settings, token_cache_seconds=60)
    async with AsyncTestClient(app=create_app(long_cache, run_migrations=False)) as client:
        yield client


async def answer_within(client: AsyncTestClient, path: str, seconds: float = NOTICE_SECONDS, **kwargs: object) -> httpx.Response:
    """The first answer to ``path`` that is not 200, or the last 200 after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        response = await client.get(path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
        if response.status_code != 200 or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.05)


def signed_out(response: httpx.Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/logga-in")


async def test_a_disabled_account_is_refused_at_once_despite_the_cache(cached: AsyncTestClient, conn: asyncpg.Connection) -> None:
    await account(conn, "anna")
    assert (await sign_in_as(cached, "anna")).status_code == 303  # type: ignore[attr-defined]
    assert (await cached.get("/kommun/2283")).status_code == 200  # now in the cache for 60 s
    assert (await cached.get("/kommun/2283")).status_code == 200
    await accounts.disable_account(conn, cli_actor(), "anna")  # another connection, as the CLI
    assert signed_out(await answer_within(cached, "/kommun/2283"))


async def test_a_revoked_token_is_refused_at_once_despite_the_cache(
    cached: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    headers = await auth("coordinator", "2283", name="revoked-soon")
    assert (await cached.get("/api/v1/kommuner", headers=headers)).status_code == 200
    await tokens.revoke_token(conn, "revoked-soon")
    response = await answer_within(cached, "/api/v1/kommuner", headers=headers)
    assert response.status_code == 401


async def test_a_session_ended_elsewhere_is_refused_at_once(cached: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    """Signing out in one server process ends the session in every other one too."""
    await sign_in(cached, token_of(await auth("coordinator", "2283")))
    assert (await cached.get("/kommun/2283")).status_code == 200
    assert await sessions.end_session(conn, cached.cookies["gsv_session"])
    assert signed_out(await answer_within(cached, "/kommun/2283"))


async def listener_pid(conn: asyncpg.Connection, *, other_than: int | None = None, seconds: float = 10.0) -> int:
    """The server process of the app's listening connection (waits for a new one after a loss)."""
    deadline = time.monotonic() + seconds
    while True:
        pid = await conn.fetchval(
            "select pid from pg_stat_activity where application_name = $1 and datname = current_database() and pid <> $2",
            APPLICATION_NAME,
            other_than or 0,
        )
        if pid is not None:
            return int(pid)
        assert time.monotonic() < deadline, "the app does not listen (again)"
        await asyncio.sleep(0.05)


async def test_a_lost_listening_connection_stops_the_cache_until_it_is_back(cached: AsyncTestClient, conn: asyncpg.Connection) -> None:
    for name in ("anna", "bertil"):
        await account(conn, name)
    assert (await sign_in_as(cached, "anna")).status_code == 303  # type: ignore[attr-defined]
    assert (await cached.get("/kommun/2283")).status_code == 200  # cached
    lost = await listener_pid(conn)
    assert await conn.fetchval("select pg_terminate_backend($1)", lost)
    # A change while nobody listens: the notification reaches no one, yet the cache is not trusted.
    await accounts.disable_account(conn, cli_actor(), "anna")
    assert signed_out(await answer_within(cached, "/kommun/2283"))
    # The process listens again, and notifications work as before.
    await listener_pid(conn, other_than=lost)
    assert (await sign_in_as(cached, "bertil")).status_code == 303  # type: ignore[attr-defined]
    assert (await cached.get("/kommun/2283")).status_code == 200
    await accounts.disable_account(conn, cli_actor(), "bertil")
    assert signed_out(await answer_within(cached, "/kommun/2283"))
