"""The quick log form on a phone: a police officer in Ramsele logs the month's visit in headless
Chromium at a phone's width, and the promise's card shows it. Screenshots go to /tmp/screens/."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.domain.access import SYSTEM
from grannsamverkan.domain.calendar import today_in_sweden
from grannsamverkan.services import promises
from tests.conftest import TokenFactory
from tests.e2e.test_browser import CHROMIUM, Screens, sign_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


async def test_police_log_on_a_phone(
    server: str,
    browser: object,
    conn: asyncpg.Connection,
    auth: TokenFactory,
    tmp_path: Path,
) -> None:
    year = today_in_sweden().year
    promise = await promises.create_promise(
        conn,
        SYSTEM,
        promises.PromiseInput(
            kommun="2283",
            year=year,
            promisor="polisen",
            title="Polis på plats i Ramsele",
            measure="schedule",
            rhythm="monthly",
            except_months=[6, 7, 8],
            activity_kind="polis_pa_plats",
        ),
    )
    headers = await auth("police", "2283")
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[attr-defined]
    page = await context.new_page()
    screens = Screens(tmp_path)
    await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))
    await page.goto(f"{server}/loften?kommun=2283")
    await screens.shot(page, "loften-mobil")
    await page.get_by_role("link", name="Logga aktivitet").last.click()
    await page.wait_for_url(f"**/loften/logga?kommun=2283&lofte={promise.id}")
    # Nothing sticks out sideways at a phone's width, and the fields are large enough to tap.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = await page.get_by_label("Plats").bounding_box()
    assert box["height"] >= 40 and box["width"] >= 300
    await page.get_by_label("Plats").fill("Medborgarkontoret Ramsele")
    await page.get_by_label("Antal deltagare").fill("6")
    await screens.shot(page, "logga-mobil")
    await page.get_by_role("button", name="Spara aktiviteten").click()
    await page.wait_for_url("**klart=aktivitet**")
    assert "Aktiviteten är loggad." in await page.content()
    await screens.shot(page, "loggad-mobil")
    row = await conn.fetchrow("select kind, place, participants from activity where promise_id = $1", promise.id)
    assert tuple(row) == ("polis_pa_plats", "Medborgarkontoret Ramsele", 6)
    await context.close()
