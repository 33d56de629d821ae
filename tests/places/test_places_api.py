"""The places API: roles, every status transition over HTTP, merge, exports."""

from __future__ import annotations

import csv
import io

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.domain import places as rules
from tests.conftest import TokenFactory, assert_problem
from tests.geodata import ARVIDSJAUR, RAMSELE
from tests.places.world import X, Y, households_at


def point(lonlat: tuple[float, float] = RAMSELE) -> dict:
    return {"type": "Point", "coordinates": list(lonlat)}


async def create(client: AsyncTestClient, headers: dict[str, str], **extra: object) -> dict:
    body = {"kommun": "2283", "category": "belysning", "what": "Mörk gångväg", "location": point(), **extra}
    response = await client.post("/api/v1/places", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_coordinator_records_and_publishes_police_sees_it_blurred(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    coordinator, police = await auth("coordinator", "2283"), await auth("police", "2283")
    created = await create(client, coordinator)
    assert created["review"] == "pending" and created["location"]["coordinates"] == pytest.approx(list(RAMSELE))
    assert created["source"] == "trygghetsvandring" and "email" not in created
    # police do not see it before review
    assert (await client.get("/api/v1/places", headers=police)).json()["total"] == 0
    assert_problem(await client.get(f"/api/v1/places/{created['id']}", headers=police), 404)
    assert_problem(await client.post(f"/api/v1/places/{created['id']}/publish", headers=police), 403)
    await households_at(conn, "2283", [(X, Y)] * 5)
    published = (await client.post(f"/api/v1/places/{created['id']}/publish", headers=coordinator)).json()
    assert published["review"] == "published" and published["public_location"] is not None
    seen = (await client.get(f"/api/v1/places/{created['id']}", headers=police)).json()
    assert seen["location"] is None and seen["has_contact"] is None and seen["public_location"] == published["public_location"]


async def test_a_scoped_token_cannot_write_in_another_kommun(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    response = await client.post(
        "/api/v1/places", json={"kommun": "2505", "category": "trafik", "what": "x", "location": point(ARVIDSJAUR)}, headers=coordinator
    )
    assert_problem(response, 403)
    bad = await client.post(
        "/api/v1/places", json={"kommun": "2283", "category": "ufo", "what": "x", "location": point()}, headers=coordinator
    )
    assert_problem(bad, 400 if bad.status_code == 400 else 422)
    long = await client.post(
        "/api/v1/places", json={"kommun": "2283", "category": "trafik", "what": "x" * 4001, "location": point()}, headers=coordinator
    )
    assert long.status_code in (400, 422)


@pytest.mark.parametrize("current", [s for s in rules.STATUSES if s != "duplicate"])
@pytest.mark.parametrize("new", list(rules.STATUSES))
async def test_every_status_transition_over_http(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection, current: str, new: str
) -> None:
    coordinator = await auth("coordinator", "2283")
    created = await create(client, coordinator)
    await conn.execute(
        "update place_report set status = $2, handled_at = case when $2 = 'open' then null else now() end where id = $1",
        created["id"],
        current,
    )
    response = await client.post(
        f"/api/v1/places/{created['id']}/status",
        json={"status": new, "note": "Anteckning", "responsible": "fastighetsagare"},
        headers=coordinator,
    )
    if new != "duplicate" and new in rules.TRANSITIONS[current]:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == new and body["status_note"] == "Anteckning"
        assert (body["handled_at"] is not None) == (new in rules.HANDLED)
    else:
        assert_problem(response, 409)


async def test_reject_merge_history_and_exports(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator, police = await auth("coordinator", "2283"), await auth("police", "2283")
    a = await create(client, coordinator)
    b = await create(client, coordinator, what="Samma gångväg")
    c = await create(client, coordinator, what="Skräp")
    rejected = await client.post(f"/api/v1/places/{c['id']}/reject", json={"reason": "Inte en plats"}, headers=coordinator)
    assert rejected.json()["review"] == "rejected" and rejected.json()["reject_reason"] == "Inte en plats"
    merged = await client.post(f"/api/v1/places/{b['id']}/merge", json={"into": a["id"]}, headers=coordinator)
    assert merged.status_code == 200 and merged.json()["id"] == a["id"] and merged.json()["supporters"] == 1
    hist = (await client.get(f"/api/v1/places/{b['id']}/history", headers=coordinator)).json()
    assert [h["to_status"] for h in hist] == ["duplicate"]
    await client.post(f"/api/v1/places/{a['id']}/publish", headers=coordinator)
    exported = await client.get("/api/v1/places/export.csv", headers=coordinator)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 3 and {r["precision_m"] for r in rows} == {"0"}
    police_rows = list(csv.DictReader(io.StringIO((await client.get("/api/v1/places/export.csv", headers=police)).text)))
    assert [int(r["id"]) for r in police_rows] == [a["id"]] and police_rows[0]["lon"] == ""  # no households: no position
    geo = (await client.get("/api/v1/places/export.geojson?status=duplicate", headers=coordinator)).json()
    assert geo["type"] == "FeatureCollection" and [f["id"] for f in geo["features"]] == [b["id"]]
    assert geo["features"][0]["geometry"]["type"] == "Point"
