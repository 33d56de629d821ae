"""Issue 13, item 5: the API takes bearer tokens only. A browser's cookies (the web session, or
an API token put in a cookie) are no credential there, so a cross-site request that carries
them cannot write (the review created a meeting with a text/plain POST and dissolved a group with
an empty form POST, with only the cookie)."""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem
from tests.web.test_pages import sign_in, token_of


async def test_the_web_session_cookie_is_no_api_credential(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    coordinator = await auth("coordinator", "2283")
    await sign_in(client, token_of(coordinator))
    assert (await client.get("/kommun/2283")).status_code == 200  # the session works on the pages
    assert_problem(await client.get("/api/v1/groups?kommun=2283"), 401)
    meeting = '{"kommun": "2283", "held_on": "2026-05-01", "locality": "Ramsele", "topic": "byavakt"}'
    response = await client.post("/api/v1/meetings", content=meeting, headers={"content-type": "text/plain"})
    assert_problem(response, 401)
    assert await conn.fetchval("select count(*) from info_meeting") == 0


async def test_an_api_token_in_a_cookie_is_no_credential(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    token = token_of(await auth("coordinator", "2283"))
    area = {"type": "Feature", "properties": {"name": "x", "kommun": "2283"}, "geometry": None}
    for name in ("gsv_token", "gsv_session", "__Host-gsv_session"):
        client.cookies.clear()
        client.cookies.set(name, token)
        assert_problem(
            await client.post("/api/v1/groups/1/dissolve", content=b"", headers={"content-type": "application/x-www-form-urlencoded"}), 401
        )
        assert_problem(await client.post("/api/v1/areas", json=area), 401)
        # Nor on the pages: a page's cookie is a session id, and a token is none.
        assert (await client.get("/kommun/2283", follow_redirects=False)).status_code == 303


async def test_bearer_tokens_work_as_before(client: AsyncTestClient, auth: TokenFactory) -> None:
    assert (await client.get("/api/v1/kommuner", headers=await auth("police", "2283"))).status_code == 200
