"""The public page /trygghet and the coordinator pages, through the test client."""

from __future__ import annotations

import re

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory
from tests.places.world import AX, AY, X, Y, households_at
from tests.web.test_pages import csrf_for, sign_in, token_of


def form(csrf: str, **fields: object) -> dict[str, str]:
    base = {
        "_csrf_token": csrf,
        "kategori": "belysning",
        "tid": "morker",
        "upplevelse": "otrygg",
        "beskrivning": "Gångvägen bakom skolan är helt mörk",
        "forslag": "Laga lamporna",
        "epost": "",
        "plats": "",
        "webbplats": "",
        "x": str(X),
        "y": str(Y),
    }
    base.update({k: str(v) for k, v in fields.items()})
    return base


async def test_public_page_shows_the_emergency_numbers_before_the_form(client: AsyncTestClient) -> None:
    response = await client.get("/trygghet/2283")
    assert response.status_code == 200, response.text
    html = response.text
    assert html.index("Ring 112 vid pågående brott, 114 14 annars") < html.index('<form method="post" action="/trygghet/2283"')
    assert 'name="viewport" content="width=device-width' in html
    assert 'class="kommun-outline"' in html and "data-pin-picker" in html and 'name="webbplats"' in html
    assert "/static/places.js" in html and "https://" not in html.split("<body>")[1].replace("https://grannsamverkan", "")
    assert response.cookies.get("gsv_reporter") or "gsv_reporter" in response.headers.get("set-cookie", "")
    assert (await client.get("/static/places.js")).status_code == 200
    assert (await client.get("/trygghet/9999")).status_code in (404, 422)
    chooser = await client.get("/trygghet")
    assert chooser.status_code == 200 and "Sollefteå" in chooser.text


async def test_a_citizen_reports_without_signing_in(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    response = await client.post("/trygghet/2283", data=form(csrf, epost="anna@example.se"), follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/trygghet/2283/tack"
    row = await conn.fetchrow("select kommun, category, x, y, review, source from place_report")
    assert dict(row) == {"kommun": "2283", "category": "belysning", "x": X, "y": Y, "review": "pending", "source": "medborgare"}
    assert await conn.fetchval("select email from place_contact") == "anna@example.se"
    # not on the public page before review
    assert "Gångvägen bakom skolan" not in (await client.get("/trygghet/2283")).text


async def test_wrong_input_is_answered_on_the_page_in_swedish(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    outside = await client.post("/trygghet/2283", data=form(csrf, x=AX, y=AY))
    assert outside.status_code == 422 and "utanför kommunen" in outside.text
    nothing = await client.post("/trygghet/2283", data=form(csrf, x="", y="", plats=""))
    assert nothing.status_code == 422 and "beskriv var" in nothing.text
    long = await client.post("/trygghet/2283", data=form(csrf, beskrivning="å" * 4001))
    assert long.status_code == 422 and "4000" in long.text
    assert await conn.fetchval("select count(*) from place_report") == 0


async def test_honeypot_stores_nothing_and_missing_csrf_is_refused(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    robot = await client.post("/trygghet/2283", data=form(csrf, webbplats="http://spam.example"), follow_redirects=False)
    assert robot.status_code == 303
    forged = await client.post("/trygghet/2283", data=form("0" * 64), follow_redirects=False)
    assert forged.status_code == 403
    assert await conn.fetchval("select count(*) from place_report") == 0


async def test_body_size_limit_is_checked_before_parsing(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    big = await client.post("/trygghet/2283", data=form(csrf, forslag="x" * 200_000))
    assert big.status_code == 413
    assert await conn.fetchval("select count(*) from place_report") == 0


async def test_rate_limit_per_client(client: AsyncTestClient, conn: asyncpg.Connection, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client.app.state.settings = msgspec.structs.replace(client.app.state.settings, places_submissions_per_hour=3)
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    codes = []
    for i in range(5):
        r = await client.post("/trygghet/2283", data=form(csrf, x=X + 300 * i, kategori="trafik"), follow_redirects=False)
        codes.append(r.status_code)
    assert codes == [303, 303, 303, 429, 429]
    last = await client.post("/trygghet/2283", data=form(csrf), follow_redirects=False)
    assert last.status_code == 429 and int(last.headers["retry-after"]) > 0 and "Försök igen" in last.text
    assert await conn.fetchval("select count(*) from place_report") == 3


async def test_nearby_reports_are_offered_and_jag_tycker_ocksa_counts_once(
    client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory
) -> None:
    await households_at(conn, "2283", [(X + i, Y + i) for i in range(6)])
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    await client.post("/trygghet/2283", data=form(csrf), follow_redirects=False)
    report_id = await conn.fetchval("select id from place_report")
    coordinator = await auth("coordinator", "2283")
    assert (await client.post(f"/api/v1/places/{report_id}/publish", headers=coordinator)).status_code == 200
    # a second person 120 m away is offered the first report before submitting
    client.cookies.clear()
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    offered = await client.post("/trygghet/2283", data=form(csrf, x=X + 120, beskrivning="Mörkt"))
    assert offered.status_code == 200 and "Finns platsen redan här?" in offered.text
    assert f"/trygghet/rapporter/{report_id}/instam" in offered.text and 'name="ny_anda"' in offered.text
    assert await conn.fetchval("select count(*) from place_report") == 1
    agree = await client.post(f"/trygghet/rapporter/{report_id}/instam", data={"_csrf_token": csrf}, follow_redirects=False)
    assert agree.status_code == 303 and agree.headers["location"].endswith("instamt=ja")
    again = await client.post(f"/trygghet/rapporter/{report_id}/instam", data={"_csrf_token": csrf}, follow_redirects=False)
    assert again.headers["location"].endswith("instamt=redan")
    assert await conn.fetchval("select count(*) from place_supporter where report_id = $1", report_id) == 2
    # or they send anyway
    anyway = await client.post("/trygghet/2283", data=form(csrf, x=X + 120, ny_anda="1"), follow_redirects=False)
    assert anyway.status_code == 303
    # a different category is not offered
    other = await client.post("/trygghet/2283", data=form(csrf, x=X + 120, kategori="trafik"), follow_redirects=False)
    assert other.status_code == 303


async def test_public_map_shows_published_reports_at_the_blurred_position_only(
    client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory
) -> None:
    await households_at(conn, "2283", [(X + i, Y + i) for i in range(6)])
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    await client.post("/trygghet/2283", data=form(csrf, beskrivning="Mörk stig vid älven"), follow_redirects=False)
    report_id = await conn.fetchval("select id from place_report")
    await client.post(f"/api/v1/places/{report_id}/publish", headers=await auth("coordinator", "2283"))
    html = (await client.get("/trygghet/2283")).text
    assert "Mörk stig vid älven" in html
    dots = re.findall(r'<circle class="dot dot-place-otrygg[^"]*" cx="([0-9.]+)" cy="([0-9.]+)"', html)
    assert len(dots) == 1
    public_x, public_y = await conn.fetchrow("select public_x, public_y from place_report")
    assert (public_x, public_y) != (X, Y) and public_x % 100 == 50


async def test_coordinator_handles_a_report_on_the_pages(client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory) -> None:
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    await client.post("/trygghet/2283", data=form(csrf, beskrivning="Ring mig 070-123 45 67", epost="a@example.se"), follow_redirects=False)
    report_id = await conn.fetchval("select id from place_report")
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    listing = await client.get("/platser?kommun=2283")
    assert listing.status_code == 200 and "Att granska (1)" in listing.text and "telefonnummer" in listing.text
    filtered = await client.get("/platser?kommun=2283&kategori=belysning&granskning=pending&fran=2026-01-01")
    assert "/platser/export.csv?kommun=2283&amp;category=belysning&amp;review=pending&amp;from=2026-01-01" in filtered.text
    exported = await client.get("/platser/export.csv?kommun=2283&category=trafik")  # the page route, with the session
    assert exported.status_code == 200 and exported.text.count("\r\n") == 1  # the header only
    csrf, page = await csrf_for(client, f"/platser/{report_id}")
    assert "a@example.se" not in page and "070-123 45 67" in page
    refused = await client.post(f"/platser/{report_id}/publicera", data={"_csrf_token": csrf})
    assert refused.status_code == 409 and "personuppgifter" in refused.text
    fixed = await client.post(
        f"/platser/{report_id}/personuppgifter",
        data={"_csrf_token": csrf, "beskrivning": "Mörkt här", "forslag": "", "x": "", "y": ""},
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    assert (await client.post(f"/platser/{report_id}/publicera", data={"_csrf_token": csrf}, follow_redirects=False)).status_code == 303
    status = await client.post(
        f"/platser/{report_id}/status",
        data={"_csrf_token": csrf, "status": "fixed", "ansvarig": "kommun", "anteckning": "Nya lampor"},
        follow_redirects=False,
    )
    assert status.status_code == 303
    shown = await client.get(f"/platser/{report_id}?klar=status")
    assert "Statusen är ändrad." in shown.text and "Nya lampor" in shown.text
    assert await conn.fetchval("select count(*) from mail_outbox") == 1


async def test_police_see_published_reports_only_without_exact_points(
    client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory
) -> None:
    csrf, _ = await csrf_for(client, "/trygghet/2283")
    await client.post("/trygghet/2283", data=form(csrf), follow_redirects=False)
    report_id = await conn.fetchval("select id from place_report")
    await sign_in(client, token_of(await auth("police", "2283")))
    assert (await client.get(f"/platser/{report_id}")).status_code == 404
    assert "0 rapporter" in (await client.get("/platser?kommun=2283")).text
