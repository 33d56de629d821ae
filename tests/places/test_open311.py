"""Open311 GeoReport v2: every route, answers validated against the Open311 community's JSON Schemas."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.db import places as place_db
from tests.conftest import TokenFactory
from tests.geodata import ARVIDSJAUR, RAMSELE
from tests.places.world import X, Y, households_at

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "data" / "open311-georeport-v2"
if not SCHEMAS.is_dir():  # a worktree sits two levels deeper than a clone
    SCHEMAS = Path("/work/shared/data/open311-georeport-v2")


def validator(name: str) -> Any:
    if not SCHEMAS.is_dir():
        pytest.skip("../shared/data/open311-georeport-v2 is not there (a user's clone has none)")
    jsonschema_rs = pytest.importorskip("jsonschema_rs")

    def retrieve(uri: str) -> Any:
        return json.loads((SCHEMAS / uri.rsplit("/", 1)[-1]).read_text(encoding="utf-8"))

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, retriever=retrieve, base_uri="https://open311.test/schema/", validate_formats=True)


def valid(name: str, value: Any) -> Any:
    errors = [str(e) for e in validator(name).iter_errors(value)]
    assert not errors, errors
    return value


async def api_key(conn: asyncpg.Connection, *kommuner: str) -> str:
    key = "o311_test_" + "-".join(kommuner)
    await place_db.create_client(conn, "Felanmälan-appen " + "-".join(kommuner), list(kommuner), key)
    return key


async def post_request(client: AsyncTestClient, key: str, **fields: str) -> Any:
    body = {
        "api_key": key,
        "service_code": "belysning",
        "lat": str(RAMSELE[1]),
        "long": str(RAMSELE[0]),
        "description": "Gatlampan vid bron är trasig",
        "attribute[time_of_day]": "natt",
        **fields,
    }
    return await client.post("/open311/v2/requests.json", data=body)


async def test_discovery_services_and_definitions(client: AsyncTestClient) -> None:
    discovery = await client.get("/open311/v2/discovery.json")
    assert discovery.status_code == 200 and discovery.json()["endpoints"][0]["url"].endswith("/open311/v2")
    services = valid("services.json", (await client.get("/open311/v2/services.json")).json())
    assert [s["service_code"] for s in services][:2] == ["belysning", "vaxtlighet"]
    definition = valid("service-definition.json", (await client.get("/open311/v2/services/belysning.json")).json())
    time_of_day = next(a for a in definition["attributes"] if a["code"] == "time_of_day")
    assert time_of_day["datatype"] == "singlevaluelist" and {v["key"] for v in time_of_day["values"]} == {"dag", "kvall", "natt", "morker"}
    missing = await client.get("/open311/v2/services/ufo.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404 and missing.json()[0]["description"]
    xml = await client.get("/open311/v2/services.xml")
    assert xml.headers["content-type"].startswith("text/xml") or xml.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(xml.text)
    assert root.tag == "services" and root.find("service/service_code").text == "belysning"


async def test_post_then_read_only_once_published_and_blurred(
    client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory
) -> None:
    key = await api_key(conn, "2283")
    created = await post_request(client, key, email="app-user@example.se", device_id="device-1")
    assert created.status_code == 201, created.text
    request_id = created.json()[0]["service_request_id"]
    row = await conn.fetchrow("select source, source_client, time_of_day, review from place_report where id = $1", int(request_id))
    assert dict(row) == {"source": "open311", "source_client": "Felanmälan-appen 2283", "time_of_day": "natt", "review": "pending"}
    assert (await client.get(f"/open311/v2/requests/{request_id}.json")).status_code == 404
    assert valid("requests.json", (await client.get("/open311/v2/requests.json")).json()) == []
    await households_at(conn, "2283", [(X, Y)] * 5)
    assert (await client.post(f"/api/v1/places/{request_id}/publish", headers=await auth("coordinator", "2283"))).status_code == 200
    listed = valid("requests.json", (await client.get("/open311/v2/requests.json?jurisdiction_id=2283")).json())
    assert [r["service_request_id"] for r in listed] == [request_id]
    one = valid("requests.json", (await client.get(f"/open311/v2/requests/{request_id}.json")).json())[0]
    assert one["status"] == "open" and one["service_code"] == "belysning"
    text = json.dumps(one)
    assert "app-user@example.se" not in text and "device-1" not in text
    assert (one["lat"], one["long"]) != (pytest.approx(RAMSELE[1], abs=1e-6), pytest.approx(RAMSELE[0], abs=1e-6))
    public_x, public_y = await conn.fetchrow("select public_x, public_y from place_report where id = $1", int(request_id))
    assert public_x % 100 == 50 and public_y % 100 == 50
    xml = ET.fromstring((await client.get(f"/open311/v2/requests/{request_id}.xml")).text)
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text == request_id


async def test_filters_defaults_and_closed_status(client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory) -> None:
    key = await api_key(conn, "2283")
    coordinator = await auth("coordinator", "2283")
    ids = []
    for code in ("belysning", "trafik", "nedskrapning"):
        ids.append((await post_request(client, key, service_code=code)).json()[0]["service_request_id"])
        await client.post(f"/api/v1/places/{ids[-1]}/publish", headers=coordinator)
    await client.post(f"/api/v1/places/{ids[1]}/status", json={"status": "fixed"}, headers=coordinator)
    await conn.execute("update place_report set created_at = now() - interval '120 days' where id = $1", int(ids[2]))

    async def get(query: str) -> list[str]:
        response = await client.get("/open311/v2/requests.json?" + query)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in valid("requests.json", response.json())]

    assert await get("") == [ids[1], ids[0]]  # 90 days by default, newest first
    assert await get("status=closed") == [ids[1]]
    assert await get("service_code=belysning") == [ids[0]]
    assert await get(f"service_request_id={ids[2]},{ids[0]}") == [ids[2], ids[0]]
    assert await get("start_date=2000-01-01T00:00:00Z") == [ids[2], ids[1], ids[0]]
    assert await get("jurisdiction_id=2505") == []
    bad = await client.get("/open311/v2/requests.json?start_date=igår")
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    for edge in ("end_date=0001-01-01T00:00:00Z", "start_date=9999-12-31T23:59:59Z"):
        far = await client.get("/open311/v2/requests.json?" + edge)
        assert far.status_code == 400 and far.json()[0]["code"] == 400


async def test_post_errors(client: AsyncTestClient, conn: asyncpg.Connection) -> None:
    key = await api_key(conn, "2283")
    no_key = await client.post("/open311/v2/requests.json", data={"service_code": "belysning"})
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403
    wrong_key = await post_request(client, "o311_nope")
    assert wrong_key.status_code == 403
    outside = await post_request(client, key, lat=str(ARVIDSJAUR[1]), long=str(ARVIDSJAUR[0]))
    assert outside.status_code == 400 and "utanför kommunen" in outside.json()[0]["description"]
    foreign = await post_request(client, key, jurisdiction_id="2505", lat=str(ARVIDSJAUR[1]), long=str(ARVIDSJAUR[0]))
    assert foreign.status_code == 403, foreign.text
    unknown = await post_request(client, key, service_code="ufo")
    assert unknown.status_code == 404
    nowhere = await client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "belysning", "description": "x"})
    assert nowhere.status_code == 400 and "lat" in nowhere.json()[0]["description"]
    long = await post_request(client, key, description="x" * 4001)
    assert long.status_code == 400
    xml_error = await client.post("/open311/v2/requests.xml", data={"service_code": "belysning"})
    assert xml_error.status_code == 403 and ET.fromstring(xml_error.text).tag == "errors"
    assert await conn.fetchval("select count(*) from place_report") == 0
