"""Medborgarlöften over HTTP: who may do what, the four measures judged from logged activities,
a trygghetsvandring's protocol, offered areas, goals as count promises, and the report."""

from __future__ import annotations

from datetime import date

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem
from tests.db.test_goals_db import established, insert_area, insert_group

RAMSELE = {
    "kommun": "2283",
    "year": 2017,
    "promisor": "polisen",
    "title": "Polis på plats i Ramsele",
    "text": "Polisen finns på plats på medborgarkontoret i Ramsele en gång i månaden, utom juni–augusti.",
    "measure": "schedule",
    "rhythm": "monthly",
    "except_months": [6, 7, 8],
    "activity_kind": "polis_pa_plats",
}


async def test_police_log_the_ramsele_schedule(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    police = await auth("police", "2283")
    assert_problem(await client.post("/api/v1/promises", json=RAMSELE, headers=police), 403)
    r = await client.post("/api/v1/promises", json=RAMSELE, headers=coordinator)
    assert r.status_code == 201, r.text
    promise_id = r.json()["promise"]["id"]
    for month in (1, 2, 3, 4, 5, 9, 11, 12):
        r = await client.post(
            "/api/v1/activities",
            json={
                "promise_id": promise_id,
                "held_on": f"2017-{month:02d}-14",
                "place": "Medborgarkontoret Ramsele",
                "participants": 5,
                "who": "Kommunpolis",
            },
            headers=police,
        )
        assert r.status_code == 201, r.text
    assert r.json()["kind"] == "polis_pa_plats" and r.json()["kommun"] == "2283"

    r = await client.get(f"/api/v1/promises/{promise_id}", params={"as_of": "2018-01-10"}, headers=police)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["progress"]["status"] == "missed" and body["status_label"] == "ej uppfyllt"
    assert (body["progress"]["due_occurrences"], body["progress"]["done_occurrences"]) == (9, 8)
    assert body["progress"]["missed_months"] == ["oktober 2017"]
    r = await client.get("/api/v1/promises", params={"kommun": "2283", "year": 2017, "as_of": "2017-10-30"}, headers=police)
    assert [(s["promise"]["title"], s["progress"]["status"]) for s in r.json()["items"]] == [("Polis på plats i Ramsele", "on_track")]
    # Another kommun's token sees nothing of it.
    other = await auth("coordinator", "2505")
    assert_problem(await client.get(f"/api/v1/promises/{promise_id}", headers=other), 404)
    assert (await client.get("/api/v1/promises", params={"kommun": "2283"}, headers=other)).json()["items"] == []
    assert_problem(await client.post("/api/v1/activities", json={"promise_id": promise_id, "held_on": "2017-10-02"}, headers=other), 404)


async def test_measures_are_checked_in_swedish(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    body = assert_problem(
        await client.post(
            "/api/v1/promises",
            json={"kommun": "2283", "year": 2017, "promisor": "tillsammans", "title": "Trygghetsvandring i centrum", "measure": "one_off"},
            headers=coordinator,
        ),
        422,
    )
    assert "engångsinsats" in body["detail"]
    body = assert_problem(
        await client.post(
            "/api/v1/promises",
            json={"kommun": "2283", "promisor": "tillsammans", "title": "X", "measure": "qualitative"},
            headers=coordinator,
        ),
        422,
    )
    assert "period_start" in body["detail"]
    assert_problem(await client.post("/api/v1/promises", json={**RAMSELE, "kommun": "2505"}, headers=coordinator), 403)


async def test_trygghetsvandring_with_its_protocol(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    police = await auth("police", "2283")
    r = await client.post(
        "/api/v1/promises",
        json={
            "kommun": "2283",
            "year": 2017,
            "promisor": "tillsammans",
            "title": "Trygghetsvandring i centrum",
            "measure": "one_off",
            "due_on": "2017-10-31",
            "activity_kind": "trygghetsvandring",
        },
        headers=coordinator,
    )
    promise_id = r.json()["promise"]["id"]
    assert (await client.get(f"/api/v1/promises/{promise_id}", params={"as_of": "2017-11-01"}, headers=police)).json()["progress"][
        "status"
    ] == "missed"
    assert_problem(
        await client.post(
            "/api/v1/activities",
            json={
                "promise_id": promise_id,
                "held_on": "2017-09-19",
                "kind": "ovrigt",
                "walk_points": [{"place": "Busstorget", "problem": "Klotter"}],
            },
            headers=coordinator,
        ),
        422,
    )
    r = await client.post(
        "/api/v1/activities",
        json={
            "promise_id": promise_id,
            "held_on": "2017-09-19",
            "place": "Sollefteå centrum",
            "participants": 24,
            "walk_points": [
                {
                    "place": "Gångtunneln",
                    "problem": "Trasig belysning",
                    "action": "Byta armaturer",
                    "responsible": "Gatuenheten",
                    "deadline": "2017-11-30",
                    "lon": 17.2668,
                    "lat": 63.1655,
                },
                {"place": "Busstorget", "problem": "Klotter"},
            ],
        },
        headers=coordinator,
    )
    assert r.status_code == 201, r.text
    walk = r.json()
    assert walk["kind"] == "trygghetsvandring" and len(walk["walk_points"]) == 2
    point = walk["walk_points"][0]
    assert point["status"] == "oppen" and abs(point["lon"] - 17.2668) < 1e-5 and abs(point["lat"] - 63.1655) < 1e-5
    # The contract's fields stay as they were; each point also names the place report that follows it up.
    assert set(point) == {
        *("id", "activity_id", "kommun", "place", "problem", "action", "responsible", "deadline", "status", "lon", "lat"),
        *("place_report_id", "place_report_url", "place_status", "place_status_name"),
    }
    assert (point["activity_id"], point["kommun"], point["place"], point["problem"]) == (
        walk["id"],
        "2283",
        "Gångtunneln",
        "Trasig belysning",
    )
    assert (point["action"], point["responsible"], point["deadline"]) == ("Byta armaturer", "Gatuenheten", "2017-11-30")
    assert point["place_report_url"] == f"/platser/{point['place_report_id']}"
    assert (point["place_status"], point["place_status_name"]) == ("open", "Inkommen")
    report = (await client.get(f"/api/v1/places/{point['place_report_id']}", headers=coordinator)).json()
    assert (report["source"], report["source_name"], report["category"], report["what"], report["would_help"]) == (
        "trygghetsvandring",
        "Trygghetsvandring",
        "annat",
        "Trasig belysning",
        "Byta armaturer",
    )
    assert (report["review"], report["responsible"], report["has_contact"], report["place_text"]) == (
        "published",
        "kommun",
        False,
        "Gångtunneln",
    )
    words = walk["walk_points"][1]
    assert (words["lon"], words["status"], words["place_status"]) == (None, "oppen", "open")
    assert (await client.get(f"/api/v1/places/{words['place_report_id']}", headers=coordinator)).json()["review"] == "pending"
    # The follow-up walk (police may do it) marks the point as done.
    r = await client.put(f"/api/v1/walk-points/{point['id']}/status", json={"status": "atgardad"}, headers=police)
    assert r.status_code == 200 and r.json()["status"] == "atgardad" and r.json()["place_status"] == "fixed"
    assert (await client.get(f"/api/v1/places/{point['place_report_id']}", headers=police)).json()["status"] == "fixed"
    assert (await client.get(f"/api/v1/activities/{walk['id']}", headers=police)).json()["walk_points"][0]["status"] == "atgardad"
    other = await auth("police", "2505")
    assert_problem(await client.put(f"/api/v1/walk-points/{point['id']}/status", json={"status": "oppen"}, headers=other), 404)
    state = (await client.get(f"/api/v1/promises/{promise_id}", params={"as_of": "2017-11-01"}, headers=police)).json()
    assert (state["progress"]["status"], state["progress"]["done_on"], state["summary"]) == ("achieved", "2017-09-19", "gjort 2017-09-19")
    # The police may log but not delete.
    assert_problem(await client.delete(f"/api/v1/activities/{walk['id']}", headers=police), 403)
    assert (await client.delete(f"/api/v1/activities/{walk['id']}", headers=coordinator)).status_code == 204
    # The place reports stay in the places workflow.
    assert (await client.get(f"/api/v1/places/{point['place_report_id']}", headers=coordinator)).json()["status"] == "fixed"
    assert (await client.get(f"/api/v1/promises/{promise_id}", params={"as_of": "2017-11-01"}, headers=police)).json()["progress"][
        "status"
    ] == "missed"


async def test_offered_areas_count_and_show_their_groups(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    coordinator = await auth("coordinator", "2505")
    r = await client.post(
        "/api/v1/promises",
        json={
            "kommun": "2505",
            "year": 2025,
            "promisor": "tillsammans",
            "title": "Erbjuda fler områden grannsamverkan",
            "measure": "count",
            "counts": "offered_areas",
            "target": 2,
        },
        headers=coordinator,
    )
    promise_id = r.json()["promise"]["id"]
    glommers, moskosel = await insert_area(conn, "2505", "Glommersträsk"), await insert_area(conn, "2505", "Moskosel")
    for area_id, day, how, rank in ((glommers, "2025-03-12", "mote", 1), (moskosel, "2025-04-07", "brev", 2)):
        r = await client.post(
            "/api/v1/area-offers",
            json={"area_id": area_id, "offered_on": day, "how": how, "priority_rank": rank, "promise_id": promise_id},
            headers=coordinator,
        )
        assert r.status_code == 201, r.text
    assert_problem(
        await client.post(
            "/api/v1/area-offers", json={"area_id": glommers, "offered_on": "2025-03-12", "how": "mote"}, headers=coordinator
        ),
        409,
    )
    assert_problem(
        await client.post(
            "/api/v1/area-offers",
            json={"area_id": glommers, "offered_on": "2025-03-13", "how": "mote"},
            headers=await auth("coordinator", "2283"),
        ),
        404,
    )
    await insert_group(conn, glommers, name="Byavakt Glommersträsk", kind="byavakt", established_on=date(2025, 9, 15))
    offers = (await client.get("/api/v1/area-offers", params={"kommun": "2505", "year": 2025}, headers=coordinator)).json()["items"]
    assert [(o["area_name"], o["group_name"]) for o in offers] == [("Glommersträsk", "Byavakt Glommersträsk"), ("Moskosel", None)]
    state = (await client.get(f"/api/v1/promises/{promise_id}", params={"as_of": "2025-03-31"}, headers=coordinator)).json()
    assert (state["progress"]["count"], state["progress"]["status"]) == (1, "on_track")
    state = (await client.get(f"/api/v1/promises/{promise_id}", params={"as_of": "2025-04-07"}, headers=coordinator)).json()
    assert (state["progress"]["count"], state["progress"]["status"]) == (2, "achieved")


async def test_goals_are_count_promises(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    coordinator = await auth("coordinator", "2283")
    await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 10, "target_info_meetings": 4}, headers=coordinator)
    for i in range(3):
        await established(conn, "2283", date(2026, 2, 1 + i), f"Ny {i}")
    await client.post(
        "/api/v1/meetings", json={"kommun": "2283", "held_on": "2026-02-10", "locality": "Ramsele", "topic": "byavakt"}, headers=coordinator
    )
    items = (
        await client.get("/api/v1/promises", params={"kommun": "2283", "year": 2026, "as_of": "2026-11-23"}, headers=coordinator)
    ).json()["items"]
    assert [(s["promise"]["counts"], s["progress"]["count"], s["progress"]["target"], s["summary"]) for s in items] == [
        ("new_groups", 3, 10, "3 av 10 nya grupper, väntat 8,9"),
        ("info_meetings", 1, 4, "1 av 4 informationsträffar, väntat 3,5"),
    ]
    goal = (await client.get("/api/v1/goals/2283/2026", params={"as_of": "2026-11-23"}, headers=coordinator)).json()
    assert (goal["new_groups"], goal["info_meetings"], goal["status"]) == (3, 1, "behind")
    promise = items[0]["promise"]
    words = {k: promise[k] for k in ("kommun", "period_start", "period_end", "measure", "counts", "target")}
    r = await client.put(
        f"/api/v1/promises/{promise['id']}",
        json={**words, "promisor": "polisen", "title": "Tio nya grupper", "text": "Målet är 10 nya grupper."},
        headers=coordinator,
    )
    assert r.status_code == 200 and r.json()["promise"]["title"] == "Tio nya grupper"
    body = assert_problem(
        await client.put(
            f"/api/v1/promises/{promise['id']}", json={**words, "target": 12, "promisor": "polisen", "title": "Tolv"}, headers=coordinator
        ),
        422,
    )
    assert "PUT /api/v1/goals/2283/2026" in body["detail"]
    assert_problem(await client.delete(f"/api/v1/promises/{promise['id']}", headers=coordinator), 422)


async def test_council_meeting_and_report(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    police = await auth("police", "2283")
    assert (await client.get("/api/v1/council-meetings/2283/2017", headers=police)).json()["last_meeting_on"] is None
    assert_problem(await client.get("/api/v1/council-meetings/2505/2017", headers=police), 404)
    r = await client.put("/api/v1/council-meetings/2283/2017", json={"last_meeting_on": "2017-12-18"}, headers=coordinator)
    assert r.status_code == 200, r.text
    assert (await client.get("/api/v1/council-meetings/2283/2017", headers=police)).json()["last_meeting_on"] == "2017-12-18"
    assert_problem(await client.put("/api/v1/council-meetings/2283/2017", json={"last_meeting_on": "2018-01-10"}, headers=coordinator), 422)
    # Without a goal or a promise there is no report; a promise alone makes one (no goal figures).
    assert_problem(await client.get("/api/v1/reports/2283/2017", headers=police), 404)
    promise_id = (await client.post("/api/v1/promises", json=RAMSELE, headers=coordinator)).json()["promise"]["id"]
    await client.post("/api/v1/activities", json={"promise_id": promise_id, "held_on": "2017-01-17", "place": "Ramsele"}, headers=police)
    r = await client.get("/api/v1/reports/2283/2017", params={"format": "md", "as_of": "2018-01-10"}, headers=police)
    assert r.status_code == 200, r.text
    text = r.text
    assert "## Medborgarlöften" in text and "Polis på plats i Ramsele" in text and "**ej uppfyllt**" in text
    assert "Missade tillfällen: februari 2017, mars 2017" in text and "fullmäktiges sista möte 18 december 2017" in text
    assert "## Mål och utfall" not in text
    html = (await client.get("/api/v1/reports/2283/2017", params={"as_of": "2018-01-10"}, headers=police)).text
    assert "status-missed" in html and "<svg" not in html


async def test_activities_list_pages_and_filters(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    promise_id = (await client.post("/api/v1/promises", json=RAMSELE, headers=coordinator)).json()["promise"]["id"]
    for month in (1, 2, 3):
        await client.post("/api/v1/activities", json={"promise_id": promise_id, "held_on": f"2017-{month:02d}-14"}, headers=coordinator)
    await client.post(
        "/api/v1/meetings", json={"kommun": "2283", "held_on": "2017-02-01", "locality": "Junsele", "topic": "byavakt"}, headers=coordinator
    )
    r = await client.get("/api/v1/activities", params={"kommun": "2283", "year": 2017, "limit": 2}, headers=coordinator)
    assert r.json()["total"] == 4 and [a["held_on"] for a in r.json()["items"]] == ["2017-01-14", "2017-02-01"]
    r = await client.get("/api/v1/activities", params={"promise_id": promise_id, "offset": 2}, headers=coordinator)
    assert r.json()["total"] == 3 and [a["held_on"] for a in r.json()["items"]] == ["2017-03-14"]
    r = await client.get("/api/v1/activities", params={"kind": "informationstraff"}, headers=coordinator)
    assert [(a["place"], a["topic"]) for a in r.json()["items"]] == [("Junsele", "byavakt")]
    other = await auth("police", "2505")
    assert (await client.get("/api/v1/activities", params={"kommun": "2283"}, headers=other)).json() == {"items": [], "total": 0}
    assert_problem(
        await client.post(
            "/api/v1/activities", json={"kommun": "2283", "held_on": "2017-02-01", "kind": "informationstraff"}, headers=coordinator
        ),
        422,
    )


async def test_a_promise_of_two_kommuner(client: AsyncTestClient, auth: TokenFactory) -> None:
    solleftea, kramfors = await auth("coordinator", "2283"), await auth("police", "2282")
    r = await client.post(
        "/api/v1/promises",
        json={
            "kommun": "2283",
            "also_kommuner": ["2282"],
            "period_start": "2017-07-01",
            "period_end": "2018-06-30",
            "promisor": "polisen",
            "title": "Informationsträffar i Ådalen",
            "measure": "count",
            "counts": "info_meetings",
            "target": 4,
        },
        headers=solleftea,
    )
    assert r.status_code == 201, r.text
    promise_id = r.json()["promise"]["id"]
    for kommun, day in (("2283", "2017-09-05"), ("2282", "2017-10-03"), ("2282", "2018-02-06"), ("2282", "2018-08-01")):
        r = await client.post(
            "/api/v1/activities",
            json={
                "kommun": kommun,
                "promise_id": promise_id,
                "held_on": day,
                "kind": "informationstraff",
                "place": "Bygdegården",
                "topic": "byavakt",
            },
            headers=solleftea if kommun == "2283" else kramfors,
        )
        assert r.status_code == 201, r.text
    listed = (
        await client.get("/api/v1/promises", params={"kommun": "2282", "year": 2018, "as_of": "2018-07-01"}, headers=kramfors)
    ).json()["items"]
    assert [(s["promise"]["id"], s["progress"]["count"], s["progress"]["status"]) for s in listed] == [(promise_id, 3, "missed")]
    assert_problem(
        await client.put(f"/api/v1/promises/{promise_id}/status", json={"owner_status": None}, headers=await auth("coordinator", "2282")),
        403,
    )
    assert_problem(
        await client.post(
            "/api/v1/activities", json={"kommun": "2505", "promise_id": promise_id, "held_on": "2017-10-03"}, headers=await auth("admin")
        ),
        422,
    )
