"""The pages of a group's life: coverage on the area (group) page, the group's life page with the
staged approval (the police approve by form), and the coordinator's renewal page."""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory
from tests.lifecycle.world import group_with, village
from tests.web.test_pages import csrf_for, sign_in, token_of


async def test_coverage_on_the_area_page_and_the_staged_approval_by_form(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    coord = await auth("coordinator", "2283")
    area_id, hh = await village(client, coord, n=31)
    group_id = await group_with(client, coord, area_id, hh[:22], [(hh[4], None), (hh[21], None)])
    await sign_in(client, token_of(coord))
    page = await client.get(f"/omraden/{area_id}")
    assert page.status_code == 200, page.text
    assert "1 av 31 hushåll saknar kontaktombud i närheten; 1 kontaktombud för lite." in page.text
    assert "1 kontaktombud per 15 hushåll" in page.text and "22 anmälda, 0 tackade nej, 9 inte nådda" in page.text

    csrf, life = await csrf_for(client, f"/grupper/{group_id}/liv")
    assert "Föreslå gruppen" in life and "under bildande" in life
    for step in ("propose", "review"):
        r = await client.post(f"/grupper/{group_id}/steg", data={"_csrf_token": csrf, "step": step}, follow_redirects=False)
        assert r.status_code == 303, r.text
    # the coordinator has no approve form and may not post one
    life = (await client.get(f"/grupper/{group_id}/liv")).text
    assert "Godkänn (polisen)" not in life and "granskad av kommunen" in life
    assert (await client.post(f"/grupper/{group_id}/godkann", data={"_csrf_token": csrf})).status_code == 403
    await client.post("/logga-ut", data={"_csrf_token": csrf})

    await sign_in(client, token_of(await auth("police", "2283", name="polis-ramsele")))
    csrf, life = await csrf_for(client, f"/grupper/{group_id}/liv")
    assert "Godkänn (polisen)" in life and "1 av 31 hushåll saknar kontaktombud" in life
    r = await client.post(f"/grupper/{group_id}/godkann", data={"_csrf_token": csrf, "note": "ok"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    life = (await client.get(r.headers["location"])).text
    assert "Steget är registrerat." in life and "godkänd av polisen" in life and "polis-ramsele, polisen" in life
    # the police cannot take the kommun's steps
    assert (await client.post(f"/grupper/{group_id}/steg", data={"_csrf_token": csrf, "step": "lapse"})).status_code == 403
    assert await conn.fetchval("select status from watch_group where id = $1", group_id) == "approved"


async def test_renewal_page(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    coord = await auth("coordinator", "2283")
    area_id, hh = await village(client, coord, n=10)
    group_id = await group_with(client, coord, area_id, hh[:8], [(hh[0], None)])
    await client.post(f"/api/v1/groups/{group_id}/establish", json={"established_on": "2024-01-10"}, headers=coord)
    await client.post(f"/api/v1/groups/{group_id}/signs", json={"label": "Skylt vid infarten", "placed_on": "2024-02-01"}, headers=coord)
    await client.post(f"/api/v1/groups/{group_id}/lapse", json={"on": "2025-06-01"}, headers=coord)
    await sign_in(client, token_of(coord))
    csrf, page = await csrf_for(client, "/fornyelse?kommun=2283")
    assert "Vilande" in page and "Skylt vid infarten i Kvarteret Linden" in page
    r = await client.post(f"/fornyelse/{group_id}", data={"_csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "lc=ateraktiverad" in r.headers["location"]
    page = (await client.get(r.headers["location"])).text
    assert "aktiv igen (räknas inte som ny)" in page and "Skylt vid infarten" not in page
    assert await conn.fetchval("select status from watch_group where id = $1", group_id) == "active"
    # other kommuner: 404
    assert (await client.get("/fornyelse?kommun=2505")).status_code == 404
