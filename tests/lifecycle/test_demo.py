"""The demo shows a group's life: a lapsed group with a sign left up, a group under staged
approval, and coverage on every group's page."""

from __future__ import annotations

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.cli import main
from tests.conftest import TokenFactory
from tests.web.test_pages import sign_in, token_of


async def test_the_demo_has_a_lapsed_group_and_one_under_approval(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    import asyncio

    assert await asyncio.to_thread(main, ["demo", "--no-serve"]) == 0
    statuses = dict(await conn.fetch("select name, status from watch_group"))
    assert statuses["Grannsamverkan Arvidsjaur centrum"] == "lapsed"
    assert statuses["Byavakt Långsele"] == "reviewed"
    admin = await auth("admin")
    await sign_in(client, token_of(admin))
    for group_id, area_id in await conn.fetch("select id, area_id from watch_group order by id"):
        page = await client.get(f"/omraden/{area_id}")
        assert page.status_code == 200 and "Kontaktombud och täckning" in page.text, group_id
        assert (await client.get(f"/grupper/{group_id}/liv")).status_code == 200
    renewals = (await client.get("/fornyelse?kommun=2505")).text
    assert "Grannsamverkan-skylt i Arvidsjaur centrum" in renewals
    # run again: nothing doubles
    assert await asyncio.to_thread(main, ["demo", "--no-serve"]) == 0
    assert await conn.fetchval("select count(*) from group_step where step = 'lapse'") == 1
