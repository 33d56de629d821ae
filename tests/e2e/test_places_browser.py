"""End to end in headless Chromium: a citizen reports a dark path on a 360 px phone page, a
coordinator publishes it and marks it fixed, the citizen's mail arrives at a real SMTP server, and
the public map shows the place at its blurred position only."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from aiosmtpd.controller import Controller

from grannsamverkan.services import mail
from tests.conftest import TokenFactory
from tests.e2e.test_browser import Screens, sign_in
from tests.places.test_mail import Inbox, free_port

TO_SCREEN = """([x, y]) => {
  const svg = document.querySelector('figure[data-pin-picker] svg');
  const vp = svg.querySelector('g.viewport');
  const u = (x - parseFloat(svg.dataset.x0)) * parseFloat(svg.dataset.scale);
  const v = (parseFloat(svg.dataset.y1) - y) * parseFloat(svg.dataset.scale);
  const p = svg.createSVGPoint(); p.x = u; p.y = v;
  const s = p.matrixTransform(vp.getScreenCTM());
  return [s.x, s.y];
}"""
PUBLIC_DOT = """([x, y]) => {
  const svg = document.querySelector('figure.public-map svg');
  const dot = svg.querySelector('circle.dot');
  const u = (x - parseFloat(svg.dataset.x0)) * parseFloat(svg.dataset.scale);
  const v = (parseFloat(svg.dataset.y1) - y) * parseFloat(svg.dataset.scale);
  return [parseFloat(dot.getAttribute('cx')) - u, parseFloat(dot.getAttribute('cy')) - v, svg.querySelectorAll('circle.dot').length];
}"""


async def test_dark_path_reported_on_a_phone_published_fixed_and_mailed(
    server: str,
    browser: object,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    screens = Screens(tmp_path)
    from tests.places.world import X, Y

    phone = await browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,  # type: ignore[attr-defined]
        locale="sv-SE",
    )
    page = await phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) and not r.url.startswith("data:") else None)

    await page.goto(f"{server}/trygghet/2283")
    body = page.locator("body")
    assert await page.get_by_text("Ring 112 vid pågående brott, 114 14 annars").is_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    await page.locator("figure[data-pin-picker] svg").scroll_into_view_if_needed()
    sx, sy = await page.evaluate(TO_SCREEN, [X, Y])
    await page.mouse.click(sx, sy)
    assert "Platsen är vald" in await page.locator(".pin-status").inner_text()
    await page.get_by_label("Vad gäller det?").select_option("odslig")
    await page.get_by_label("I mörker").check()
    await page.get_by_label("Vad gör platsen otrygg (eller trygg)?").fill("Stigen mellan skolan och badet är helt mörk")
    await page.get_by_label("Vad skulle hjälpa?").fill("Belysning längs stigen")
    await page.get_by_label("E-post om du vill få veta vad som händer").fill("medborgare@example.se")
    await screens.shot(page, "trygghet-telefon")
    await page.get_by_role("button", name="Skicka").click()
    await page.wait_for_url(f"{server}/trygghet/2283/tack")
    assert "Din rapport har kommit in" in await body.inner_text()
    assert not errors and not outside, (errors, outside)

    row = await conn.fetchrow("select id, x, y, category, time_of_day from place_report")
    assert (row["category"], row["time_of_day"]) == ("odslig", "morker")
    assert abs(row["x"] - X) < 600 and abs(row["y"] - Y) < 600  # a tap on a 360 px map of the whole kommun
    await conn.executemany(
        "insert into household (kommun, street, x, y) values ('2283', 'Gata', $1, $2)", [(row["x"] + i, row["y"] + i) for i in range(5)]
    )

    # The coordinator publishes it and marks it fixed.
    coordinator = (await auth("coordinator", "2283", name="Samordnare"))["Authorization"].removeprefix("Bearer ")
    desk = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")  # type: ignore[attr-defined]
    admin_page = await desk.new_page()
    await sign_in(admin_page, server, coordinator)
    await admin_page.goto(f"{server}/platser?kommun=2283")
    await admin_page.get_by_role("link", name=f"#{row['id']} Ödslig eller mörk plats").click()
    assert "medborgare@example.se" not in await admin_page.content()
    await admin_page.get_by_role("button", name="Publicera", exact=True).click()
    assert "Rapporten är publicerad." in await admin_page.locator("main").inner_text()
    await admin_page.get_by_label("Ny status").select_option("fixed")
    await admin_page.get_by_label("Ansvarig").select_option("kommun")
    await admin_page.get_by_label("Anteckning").fill("Belysning är uppsatt längs stigen.")
    await admin_page.get_by_role("button", name="Spara status").click()
    assert "Statusen är ändrad." in await admin_page.locator("main").inner_text()
    await screens.shot(admin_page, "plats-atgardad")

    # The citizen's mail arrives at a real SMTP server.
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        assert (await mail.deliver_all(conn, mail.smtp_target(f"smtp://127.0.0.1:{port}"))).sent == 1
    finally:
        smtp.stop()
    [message] = inbox.messages
    assert message["To"] == "medborgare@example.se" and "Belysning är uppsatt längs stigen." in message.get_content()

    # The public map shows it at the blurred position only.
    await page.goto(f"{server}/trygghet/2283")
    public_x, public_y, cell = await conn.fetchrow("select public_x, public_y, public_cell from place_report")
    assert cell == 100 and (public_x, public_y) != (row["x"], row["y"])
    dx, dy, count = await page.evaluate(PUBLIC_DOT, [public_x, public_y])
    assert count == 1 and abs(dx) < 0.2 and abs(dy) < 0.2
    html = await page.content()
    assert f"{row['x']}" not in html and f"{row['y']}" not in html
    assert "Stigen mellan skolan och badet är helt mörk" in html and "Åtgärdad" in html
    await screens.shot(page, "trygghet-publicerad")
