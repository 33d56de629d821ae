"""The coordinator's renewal page in headless Chromium: a lapsed group is renewed with one click,
becomes active again, and its sign leaves the list of signs in areas without an active group."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import TokenFactory
from tests.e2e.test_browser import CHROMIUM, Screens, sign_in
from tests.lifecycle.world import group_with, village

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


async def test_coordinator_renews_a_lapsed_group(
    server: str,
    browser: object,
    conn: asyncpg.Connection,
    auth: TokenFactory,
    tmp_path: Path,
) -> None:
    headers = await auth("coordinator", "2283")
    async with httpx.AsyncClient(base_url=server) as api:
        area_id, hh = await village(api, headers, n=10)  # type: ignore[arg-type]  # the same calls as the test client
        group_id = await group_with(api, headers, area_id, hh[:8], [(hh[0], None)])  # type: ignore[arg-type]
        await api.post(f"/api/v1/groups/{group_id}/establish", json={"established_on": "2024-01-10"}, headers=headers)
        await api.post(f"/api/v1/groups/{group_id}/signs", json={"label": "Skylt vid infarten", "placed_on": "2024-02-01"}, headers=headers)
        await api.post(f"/api/v1/groups/{group_id}/lapse", json={"on": "2025-06-01"}, headers=headers)
    context = await browser.new_context()  # type: ignore[attr-defined]
    page = await context.new_page()
    screens = Screens(tmp_path)
    await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))
    await page.goto(f"{server}/omraden/{area_id}")
    await page.get_by_role("link", name="Årlig förnyelse i kommunen").click()
    await page.wait_for_url("**/fornyelse")
    row = page.locator(f"#grupp-{group_id}")
    assert "Vilande" in await row.inner_text()
    assert "Skylt vid infarten" in await page.locator("#orphan-signs").inner_text()
    await screens.shot(page, "fornyelse-vilande")
    await row.get_by_role("button", name="Förnya Linden").click()
    await page.wait_for_url("**lc=ateraktiverad**")
    assert "aktiv igen" in await page.locator("#notice").inner_text()
    assert "Aktiv" in await page.locator(f"#grupp-{group_id}").inner_text()
    assert await page.locator("#orphan-signs").count() == 0
    await screens.shot(page, "fornyelse-aktiv")
    assert await conn.fetchval("select status from watch_group where id = $1", group_id) == "active"
    await context.close()
