"""The promises pages: at a glance, the quick log form (the police in Ramsele, on a phone), the report page."""

from __future__ import annotations

from datetime import date

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.domain.access import SYSTEM
from grannsamverkan.domain.calendar import today_in_sweden
from grannsamverkan.services import promises
from tests.conftest import TokenFactory
from tests.web.test_pages import csrf_for, sign_in, token_of


async def test_police_log_a_visit_from_the_phone_form(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
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
            text="Polisen finns på plats på medborgarkontoret i Ramsele en gång i månaden, utom juni–augusti.",
        ),
    )
    await sign_in(client, token_of(await auth("police", "2283")))
    page = await client.get("/loften", params={"kommun": "2283"})
    assert page.status_code == 200, page.text
    assert "Polis på plats i Ramsele" in page.text and f"/loften/logga?kommun=2283&amp;lofte={promise.id}" in page.text

    csrf, form = await csrf_for(client, f"/loften/logga?kommun=2283&lofte={promise.id}")
    assert 'name="viewport"' in form and f'<option value="{promise.id}" selected>' in form and 'type="date"' in form
    bad = await client.post(
        "/loften/logga", data={"_csrf_token": csrf, "kommun": "2283", "promise_id": str(promise.id), "held_on": "igår", "place": "Ramsele"}
    )
    assert bad.status_code == 422 and "ÅÅÅÅ-MM-DD" in bad.text and 'value="Ramsele"' in bad.text
    today = today_in_sweden()
    response = await client.post(
        "/loften/logga",
        data={
            "_csrf_token": csrf,
            "kommun": "2283",
            "promise_id": str(promise.id),
            "held_on": today.isoformat(),
            "kind": "",
            "place": "Medborgarkontoret Ramsele",
            "participants": "6",
            "who": "Kommunpolis",
            "note": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/loften?kommun=2283&ar={today.year}&klart=aktivitet"
    logged = await conn.fetchrow("select kind, place, participants, promise_id from activity where promise_id = $1", promise.id)
    assert tuple(logged) == ("polis_pa_plats", "Medborgarkontoret Ramsele", 6, promise.id)
    page = await client.get(response.headers["location"])
    assert "Aktiviteten är loggad." in page.text
    actor = await conn.fetchval("select actor from audit_event where table_name = 'activity' and action = 'insert'")
    assert actor.startswith("police")


async def test_report_page_and_other_kommun(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    promise = await promises.create_promise(
        conn,
        SYSTEM,
        promises.PromiseInput(
            kommun="2283",
            year=2017,
            promisor="tillsammans",
            title="Trygghetsvandring i centrum",
            measure="one_off",
            due_on=date(2017, 10, 31),
            activity_kind="trygghetsvandring",
        ),
    )
    await promises.log_activity(
        conn,
        SYSTEM,
        promises.ActivityInput(
            promise_id=promise.id,
            held_on=date(2017, 9, 19),
            place="Sollefteå centrum",
            walk_points=[promises.WalkPointInput(place="Gångtunneln", problem="Trasig belysning")],
        ),
    )
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    page = await client.get("/loften/rapport", params={"kommun": "2283", "ar": 2017})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "style-src 'unsafe-inline'" in page.headers["content-security-policy"]
    assert "Trygghetsvandring i centrum" in page.text and "Gångtunneln" in page.text and "uppfyllt" in page.text
    # the protocol links each point's place report, with the report's status
    report_id = await conn.fetchval("select place_report_id from walk_point")
    assert f'<a href="/platser/{report_id}">{report_id}</a> (inkommen)' in page.text and '<th scope="col">Platsrapport</th>' in page.text
    await sign_in(client, token_of(await auth("coordinator", "2505")))
    assert (await client.get("/loften/rapport", params={"kommun": "2283", "ar": 2017})).status_code == 404
    assert (await client.get("/loften", params={"kommun": "2283"})).status_code == 404
    # Police of Arvidsjaur may not log in Sollefteå's promise.
    await sign_in(client, token_of(await auth("police", "2505")))
    csrf, _ = await csrf_for(client, "/loften/logga?kommun=2505")
    refused = await client.post(
        "/loften/logga", data={"_csrf_token": csrf, "kommun": "2283", "promise_id": str(promise.id), "held_on": "2017-09-20"}
    )
    assert refused.status_code in (403, 404)


async def test_owner_sets_the_status_of_a_qualitative_promise(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    year = today_in_sweden().year
    promise = await promises.create_promise(
        conn, SYSTEM, promises.PromiseInput(kommun="2283", year=year, promisor="tillsammans", title="Vuxna på stan", measure="qualitative")
    )
    await sign_in(client, token_of(await auth("police", "2283")))
    assert "Sätt status" not in (await client.get("/loften", params={"kommun": "2283"})).text
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    csrf, page = await csrf_for(client, "/loften?kommun=2283")
    assert "Sätt status" in page
    response = await client.post(
        f"/loften/{promise.id}/status",
        data={"_csrf_token": csrf, "owner_status": "genomford", "status_comment": "Fyra helger med föreningarna."},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = (await client.get(response.headers["location"])).text
    assert "Löftets status är sparad." in page and "Uppfyllt" in page and "Fyra helger med föreningarna." in page
    assert await conn.fetchval("select owner_status from promise where id = $1", promise.id) == "genomford"
    bad = await client.post(f"/loften/{promise.id}/status", data={"_csrf_token": csrf, "owner_status": "klar"})
    assert bad.status_code == 422


async def test_follow_up_walk_marks_points_on_the_page(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    year = today_in_sweden().year
    promise = await promises.create_promise(
        conn,
        SYSTEM,
        promises.PromiseInput(
            kommun="2283",
            year=year,
            promisor="tillsammans",
            title="Trygghetsvandring i centrum",
            measure="one_off",
            due_on=date(year, 12, 31),
            activity_kind="trygghetsvandring",
        ),
    )
    walk = await promises.log_activity(
        conn,
        SYSTEM,
        promises.ActivityInput(
            promise_id=promise.id,
            held_on=date(year, 1, 1),
            place="Sollefteå centrum",
            walk_points=[promises.WalkPointInput(place="Gångtunneln", problem="Trasig belysning", responsible="Gatuenheten")],
        ),
    )
    point_id = walk.walk_points[0].id
    await sign_in(client, token_of(await auth("police", "2283")))
    csrf, page = await csrf_for(client, "/loften?kommun=2283")
    assert "Protokoll från trygghetsvandringen" in page and "Gångtunneln" in page and f'action="/loften/punkter/{point_id}"' in page
    # the point is followed up as its place report, linked from the protocol
    report_id = walk.walk_points[0].place_report_id
    assert f'<a href="/platser/{report_id}">platsrapport {report_id}</a> (inkommen)' in page
    response = await client.post(f"/loften/punkter/{point_id}", data={"_csrf_token": csrf, "status": "atgardad"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith(f"klart=punkt#lofte-{promise.id}")
    assert await conn.fetchval("select status from place_report where id = $1", report_id) == "fixed"
    page = (await client.get(response.headers["location"])).text
    assert f"platsrapport {report_id}</a> (åtgärdad)" in page
    assert (await client.post(f"/loften/punkter/{point_id}", data={"_csrf_token": csrf, "status": "klar"})).status_code == 422
    await sign_in(client, token_of(await auth("police", "2505")))
    csrf, _ = await csrf_for(client, "/loften?kommun=2505")
    assert (await client.post(f"/loften/punkter/{point_id}", data={"_csrf_token": csrf, "status": "oppen"})).status_code == 404
