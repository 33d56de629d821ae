"""Goals, meetings and the yearly report over HTTP: who may do what, pro rata, and the report's numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem
from tests.db.test_goals_db import established, insert_area, insert_group


async def test_coordinator_sets_police_reads(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    police = await auth("police", "2283")
    r = await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 10}, headers=coordinator)
    assert r.status_code == 201, r.text
    assert r.json()["target_new_groups"] == 10 and r.json()["kommun"] == "2283"
    r = await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 10, "target_info_meetings": 4}, headers=coordinator)
    assert r.status_code == 200 and r.json()["target_info_meetings"] == 4

    r = await client.get("/api/v1/goals/2283/2026", params={"as_of": "2026-03-11"}, headers=police)
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"kommun", "year", "target_new_groups", "new_groups", "groups", "expected_by_now", "status", "forming_groups"} <= body.keys()
    # 10 × 70 / 365 = 1.92 expected; none established, the floor is 1: behind
    assert (body["new_groups"], body["expected_by_now"], body["status"]) == (0, 1.92, "behind")
    assert body["as_of"] == "2026-03-11"

    r = await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 3}, headers=police)
    assert_problem(r, 403)

    r = await client.get("/api/v1/goals", params={"year": 2026}, headers=police)
    assert r.status_code == 200 and r.json()["total"] == 1
    assert r.json()["items"][0]["kommun"] == "2283" and "groups" not in r.json()["items"][0]


async def test_kommun_scoping(client: AsyncTestClient, auth: TokenFactory) -> None:
    admin = await auth("admin")
    other = await auth("coordinator", "2505")
    other_police = await auth("police", "2505")
    assert (await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 10}, headers=admin)).status_code == 201

    assert_problem(await client.get("/api/v1/goals/2283/2026", headers=other), 404)
    assert_problem(await client.get("/api/v1/goals/2283/2026", headers=other_police), 404)
    assert_problem(await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 1}, headers=other), 403)
    r = await client.get("/api/v1/goals", headers=other)
    assert r.json() == {"items": [], "total": 0}
    r = await client.get("/api/v1/goals", params={"kommun": "2283"}, headers=other)
    assert r.json() == {"items": [], "total": 0}
    assert_problem(await client.get("/api/v1/reports/2283/2026", headers=other), 404)
    assert_problem(
        await client.post(
            "/api/v1/meetings",
            json={
                "kommun": "2283",
                "held_on": "2026-02-01",
                "locality": "Ramsele",
                "topic": "byavakt",
                "attendees": 3,
            },
            headers=other,
        ),
        403,
    )
    # the goal is unchanged
    r = await client.get("/api/v1/goals/2283/2026", headers=admin)
    assert r.json()["target_new_groups"] == 10


async def test_bad_input(client: AsyncTestClient, auth: TokenFactory) -> None:
    admin = await auth("admin")
    coordinator = await auth("coordinator", "2283")
    body = assert_problem(await client.put("/api/v1/goals/9999/2026", json={"target_new_groups": 1}, headers=admin), 422)
    assert body["errors"][0]["field"] == "kommun"
    assert_problem(await client.get("/api/v1/goals/9999/2026", headers=admin), 422)
    assert_problem(await client.get("/api/v1/goals", params={"kommun": "9999"}, headers=admin), 422)
    assert_problem(await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": -1}, headers=coordinator), 422)
    assert_problem(await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 1, "target": 2}, headers=coordinator), 422)
    assert_problem(await client.put("/api/v1/goals/2283/1899", json={"target_new_groups": 1}, headers=coordinator), 422)
    assert_problem(await client.get("/api/v1/goals/2283/2026", headers=coordinator), 404)  # not set yet
    body = assert_problem(await client.get("/api/v1/goals/2283/2026", params={"as_of": "2026-02-30"}, headers=coordinator), 422)
    assert body["errors"][0]["field"] == "as_of"
    assert_problem(
        await client.post(
            "/api/v1/meetings",
            json={
                "kommun": "2283",
                "held_on": "2026-02-01",
                "locality": "Ramsele",
                "topic": "kaffe",
                "attendees": 3,
            },
            headers=coordinator,
        ),
        422,
    )
    assert_problem(await client.get("/api/v1/goals/2283/2026"), 401)


async def test_leap_year_pro_rata(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    admin = await auth("admin")
    for year in (2023, 2024):
        await client.put(f"/api/v1/goals/2283/{year}", json={"target_new_groups": 12}, headers=admin)

    async def at(year: int, day: str) -> dict:
        r = await client.get(f"/api/v1/goals/2283/{year}", params={"as_of": day}, headers=admin)
        assert r.status_code == 200, r.text
        return r.json()

    # 30 June is day 181 of 2023 and day 182 of 2024 (366 days)
    assert (await at(2023, "2023-06-30"))["expected_by_now"] == 5.95  # 12 × 181 / 365
    assert (await at(2024, "2024-06-30"))["expected_by_now"] == 5.97  # 12 × 182 / 366
    assert (await at(2024, "2024-02-29"))["expected_by_now"] == 1.97  # 12 × 60 / 366
    assert (await at(2024, "2024-12-30"))["expected_by_now"] == 11.97  # 12 × 365 / 366
    assert (await at(2024, "2024-12-31"))["expected_by_now"] == 12.0
    assert (await at(2024, "2023-12-31"))["status"] == "not_started"
    for i in range(5):
        await established(conn, "2283", date(2024, 1, 10 + i), f"Grupp {i}")
    assert (await at(2024, "2024-06-30"))["status"] == "on_track"  # 5 ≥ floor(5.97)
    assert (await at(2023, "2023-02-28"))["status"] == "behind"  # 12 × 59 / 365 = 1.94, 0 < 1
    assert (await at(2024, "2024-12-31"))["status"] == "behind"
    assert (await at(2024, "2025-06-01"))["status"] == "behind"


async def test_meetings(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283", name="samordnare")
    police = await auth("police", "2283")
    admin = await auth("admin")
    r = await client.post(
        "/api/v1/meetings",
        json={
            "kommun": "2283",
            "held_on": "2026-02-01",
            "locality": "Ramsele",
            "topic": "byavakt",
            "attendees": 23,
        },
        headers=coordinator,
    )
    assert r.status_code == 201, r.text
    meeting = r.json()
    assert meeting["locality"] == "Ramsele" and meeting["id"] >= 1
    await client.post(
        "/api/v1/meetings",
        json={
            "kommun": "2283",
            "held_on": "2025-11-01",
            "locality": "Junsele",
            "topic": "grannsamverkan",
        },
        headers=coordinator,
    )
    assert_problem(
        await client.post(
            "/api/v1/meetings", json={"kommun": "2283", "held_on": "2026-02-01", "locality": "x", "topic": "byavakt"}, headers=police
        ),
        403,
    )

    r = await client.get("/api/v1/meetings", params={"kommun": "2283", "year": 2026}, headers=police)
    assert r.json()["total"] == 1 and r.json()["items"][0]["attendees"] == 23
    r = await client.get("/api/v1/meetings", headers=police)
    assert r.json()["total"] == 2
    await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 0, "target_info_meetings": 2}, headers=coordinator)
    r = await client.get("/api/v1/goals/2283/2026", params={"as_of": "2026-03-01"}, headers=police)
    # groups: target 0, achieved; meetings: 1 ≥ floor(2 × 60 / 365); overall the worse of the two
    assert (r.json()["info_meetings"], r.json()["groups_status"], r.json()["meetings_status"], r.json()["status"]) == (
        1,
        "achieved",
        "on_track",
        "on_track",
    )

    assert (await client.delete(f"/api/v1/meetings/{meeting['id']}", headers=coordinator)).status_code == 204
    assert_problem(await client.get(f"/api/v1/meetings/{meeting['id']}", headers=coordinator), 404)
    r = await client.get("/api/v1/audit", params={"table": "info_meeting"}, headers=admin)
    assert [(e["action"], e["actor"]) for e in r.json()["items"]] == [
        ("delete", "samordnare"),
        ("insert", "samordnare"),
        ("insert", "samordnare"),
    ]
    r = await client.get("/api/v1/audit", params={"table": "goal"}, headers=admin)
    assert r.json()["items"][0]["after"] == {"year": 2026, "target_new_groups": 0, "target_info_meetings": 2}


async def _sollefteå_year(conn: asyncpg.Connection) -> None:
    """Sollefteå 2026 as of 23 November: 3 new groups, one existing, one forming, two meetings, burglaries."""
    a1 = await insert_area(conn, "2283", "Ramsele by", households=10)
    a2 = await insert_area(conn, "2283", "Näsåker", households=12)
    a3 = await insert_area(conn, "2283", "Junsele centrum", households=40)
    a4 = await insert_area(conn, "2283", "Gamla Sollefteå", households=30)
    a5 = await insert_area(conn, "2283", "Långsele", households=9)
    hot = await insert_area(conn, "2283", "Graninge", households=25)
    await insert_area(conn, "2283", "Helgum", households=15)
    await insert_group(conn, a1, name="Ramsele byavakt", kind="byavakt", established_on=date(2026, 1, 1), signed_up=7)
    await insert_group(conn, a2, name="Näsåkers grannar", established_on=date(2026, 5, 20), signed_up=11)
    await insert_group(
        conn, a3, name="Junsele", established_on=date(2026, 8, 3), status="dissolved", dissolved_on=date(2026, 10, 1), signed_up=30
    )
    await insert_group(conn, a4, name="Sedan länge", established_on=date(2019, 4, 1), existing=True, signed_up=25)
    await insert_group(conn, a5, name="Långsele under bildande", status="forming", signed_up=4)
    await conn.executemany(
        "insert into info_meeting (kommun, held_on, locality, topic, attendees) values ('2283', $1, $2, $3, $4)",
        [
            (date(2026, 3, 14), "Ramsele", "byavakt", 31),
            (date(2026, 9, 2), "Junsele", "grannsamverkan", 1234),
            (date(2026, 12, 1), "Helgum", "byavakt", 5),
        ],
    )
    await conn.executemany(
        "insert into burglary (kommun, source, external_ref, occurred_from, occurred_to, area_id) values ('2283', 't', $1, $2, $2, $3)",
        [(f"b{i}", datetime(2026, 7, 1 + i, tzinfo=UTC), hot) for i in range(5)]
        + [(f"c{i}", datetime(2026, 7, 1 + i, tzinfo=UTC), a2) for i in range(9)],
    )


async def test_report_numbers(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    coordinator = await auth("coordinator", "2283")
    police = await auth("police", "2283")
    await _sollefteå_year(conn)
    await client.put("/api/v1/goals/2283/2026", json={"target_new_groups": 10, "target_info_meetings": 4}, headers=coordinator)
    params = {"as_of": "2026-11-23"}

    r = await client.get("/api/v1/goals/2283/2026", params=params, headers=police)
    goal = r.json()
    assert [g["name"] for g in goal["groups"]] == ["Ramsele byavakt", "Näsåkers grannar", "Junsele"]
    assert (goal["new_groups"], goal["expected_by_now"], goal["status"]) == (3, 8.96, "behind")  # 10 × 327 / 365
    assert goal["groups"][2]["status"] == "dissolved"
    assert [(f["name"], f["missing_signups"]) for f in goal["forming_groups"]] == [("Långsele under bildande", 3)]

    r = await client.get("/api/v1/reports/2283/2026", params=params, headers=police)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<svg" in html and "3 av 10 nya grupper" in html
    assert "2 av 4 informationsmöten" in html  # the meeting on 1 December has not been held yet
    assert "7 av 10 hushåll (70 %)" in html and "11 av 12 hushåll (91,6 %)" in html
    assert "30 av 40 hushåll (75 %)" in html
    assert "Sedan länge" not in html  # an existing group is not new
    assert "1\u00a0234" in html  # attendees with a Swedish thousands separator
    # the chart is well-formed SVG with one step per counted group
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", html, re.S).group(0))
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}circle"))) == 3
    # priority areas without a group: Graninge (5 burglaries) first; Näsåker has a group
    prio = html.split('id="prio"')[1]
    assert "Graninge" in prio and "Helgum" in prio and "Näsåker" not in prio and "Långsele" not in prio
    assert prio.index("Graninge") < prio.index("Helgum")

    r = await client.get("/api/v1/reports/2283/2026", params=params, headers={**police, "Accept": "text/markdown"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    md = r.text
    assert "**3 av 10 nya grupper**" in md and "<svg" not in md
    assert "| 1 | Graninge | 25 | 5 |" in md
    assert "| Ramsele byavakt | Byavakt | Ramsele by | 2026-01-01 | 7 av 10 hushåll (70 %) | Aktiv |" in md
    assert "| Junsele | Grannsamverkan | Junsele centrum | 2026-08-03 | 30 av 40 hushåll (75 %) | Upplöst 2026-10-01 |" in md
    assert "| nov | 3 | 9,1 |" in md  # 10 × 334 / 365 = 9.15 at the end of November, shown as everywhere: one decimal, down
    r = await client.get("/api/v1/reports/2283/2026", params={**params, "format": "md"}, headers=police)
    assert r.text == md

    assert_problem(await client.get("/api/v1/reports/2283/2026", headers={**police, "Accept": "application/json"}), 406)
    assert_problem(await client.get("/api/v1/reports/2283/2025", headers=police), 404)
