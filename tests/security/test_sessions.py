"""Issue 13, item 11 (sessions): signing out ends the session on the server, so the cookie it
used stops working everywhere, not only in the browser that dropped it; a revoked token ends its
sessions; a session expires."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from grannsamverkan.app import create_app
from grannsamverkan.settings import Settings
from tests.conftest import TokenFactory
from tests.web.test_pages import csrf_for, sign_in, token_of


async def test_sign_out_revokes_the_session(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    token = token_of(await auth("coordinator", "2283"))
    await sign_in(client, token)
    stolen = client.cookies["gsv_session"]
    assert stolen.startswith("gsvs_") and token not in stolen
    assert await conn.fetchval("select count(*) from web_session") == 1
    csrf, _ = await csrf_for(client, "/")
    out = await client.post("/logga-ut", data={"_csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert await conn.fetchval("select count(*) from web_session") == 0
    # Someone who copied the cookie before the sign-out gets the sign-in page.
    client.cookies.clear()
    client.cookies.set("gsv_session", stolen)
    response = await client.get("/kommun/2283", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")
    # The token itself still works for the API (signing out of the pages is not revoking a token).
    assert (await client.get("/api/v1/kommuner", headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def test_revoking_the_token_ends_its_sessions(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    headers = await auth("coordinator", "2283", name="revoked-later")
    await sign_in(client, token_of(headers))
    assert (await client.get("/kommun/2283")).status_code == 200
    await conn.execute("update api_token set revoked_at = now() where name = 'revoked-later'")
    assert (await client.get("/kommun/2283", follow_redirects=False)).status_code == 303


async def test_a_session_expires(settings: Settings, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    short = msgspec.structs.replace(settings, session_hours=0.0001)  # 0.36 s
    async with AsyncTestClient(app=create_app(short, run_migrations=False)) as client:
        await sign_in(client, token_of(await auth("coordinator", "2283")))
        expires = await conn.fetchval("select expires_at - created_at from web_session")
        assert expires.total_seconds() < 1
        await conn.execute("select pg_sleep(0.5)")
        assert (await client.get("/kommun/2283", follow_redirects=False)).status_code == 303


async def test_a_session_id_is_no_bearer_token_even_when_cached(settings: Settings, auth: TokenFactory) -> None:
    cached = msgspec.structs.replace(settings, token_cache_seconds=60)
    async with AsyncTestClient(app=create_app(cached, run_migrations=False)) as client:
        await sign_in(client, token_of(await auth("coordinator", "2283")))
        assert (await client.get("/kommun/2283")).status_code == 200  # the session is now in the cache
        session = client.cookies["gsv_session"]
        client.cookies.clear()
        for bearer in (session, "s " + session, "session:" + session):
            response = await client.get("/api/v1/kommuner", headers={"Authorization": f"Bearer {bearer}"})
            assert response.status_code == 401, bearer
