"""Signing in with name and password in Chromium, signing out, and the old session cookie refused
(issue 16: "sign out and see the old session refused"). Screenshots of the sign-in page at 360 and
1280 px go to /tmp/screens/."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from tests.e2e.test_browser import CHROMIUM, Screens, pytestmark  # noqa: F401  (pytestmark: the skip without chromium)
from tests.factories import PASSWORD, account


async def test_sign_in_with_name_and_password_and_out_again(server: str, browser: object, conn: asyncpg.Connection, tmp_path: Path) -> None:
    await account(conn, "Åsa.Berg@solleftea.se", "coordinator", "2283")
    screens = Screens(tmp_path)
    narrow = await browser.new_context(viewport={"width": 360, "height": 780}, locale="sv-SE")  # type: ignore[attr-defined]
    small = await narrow.new_page()
    await small.goto(f"{server}/logga-in")
    await screens.shot(small, "konto-logga-in-360")
    assert await small.evaluate("document.documentElement.scrollWidth") <= 360
    await narrow.close()

    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")  # type: ignore[attr-defined]
    page = await context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{server}/kommun/2283")
    assert "/logga-in?nasta=/kommun/2283" in page.url
    # The name field comes first and has the focus order of the page's main form.
    await page.get_by_label("Namn eller e-postadress").fill("åsa.berg@solleftea.se")
    await page.get_by_label("Lösenord").fill("fel-lösenord-här")
    await page.get_by_role("button", name="Logga in", exact=True).click()
    await page.get_by_text("Fel namn eller lösenord").wait_for()
    assert await page.get_by_label("Namn eller e-postadress").input_value() == "åsa.berg@solleftea.se"
    await screens.shot(page, "konto-fel-losenord")

    await page.get_by_label("Lösenord").fill(PASSWORD)
    await page.get_by_role("button", name="Logga in", exact=True).click()
    await page.wait_for_url(f"{server}/kommun/2283")
    assert "Åsa.Berg@solleftea.se" in await page.locator("header").inner_text()
    cookie = next(c for c in await context.cookies() if c["name"] == "gsv_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and PASSWORD not in cookie["value"]
    await screens.shot(page, "konto-inloggad")

    await page.get_by_role("button", name="Logga ut").click()
    await page.get_by_text("Du är utloggad.").wait_for()
    assert not [c for c in await context.cookies() if c["name"] == "gsv_session"]
    assert await conn.fetchval("select count(*) from web_session") == 0

    # The cookie, put back by hand (as someone who copied it would), is refused by the server.
    await context.add_cookies([cookie])
    await page.goto(f"{server}/kommun/2283")
    assert "/logga-in" in page.url
    await page.get_by_role("heading", name="Logga in").wait_for()
    # (The wrong password's page is answered with 401, which Chromium reports as a failed load.)
    assert [e for e in console_errors if "status of 401" not in e] == []
    await context.close()
