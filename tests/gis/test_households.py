"""Households: a position needs no address, no position is a warning, a position outside --kommun is refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import asyncpg
import pytest
import shapely
from litestar.testing import AsyncTestClient

from grannsamverkan.geo import boundaries
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry
from tests.conftest import TokenFactory, assert_problem
from tests.gis.files import across_the_border, csv_bytes

DEMONSTRATIONS = Path("/work/shared/data/real/demonstrationer_2022_A466.302-2024.csv")


def _demonstrations() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(DEMONSTRATIONS.read_text(encoding="utf-8-sig")), delimiter=";"))


def _lonlat(p: shapely.Point) -> tuple[float, float]:
    q = transform_geometry(p, SWEREF99TM, WGS84)
    return round(q.x, 7), round(q.y, 7)


async def test_positions_need_no_address_and_a_household_without_one_is_a_warning(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
) -> None:
    headers = await auth("admin")
    body = csv_bytes(
        ["external_ref", "street", "postcode", "city", "x", "y"],
        [["p1", None, None, None, 620000, 7006000], ["p2", "Storgatan 1", "881 30", "Sollefteå", None, None]],
    )
    response = await client.post("/api/v1/households/import?kommun=2283", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "inserted": 2,
        "updated": 0,
        "assigned": 0,
        "unassigned": 2,
        "without_position": 1,
        "warnings": ["1 hushåll saknar position och räknas inte i något område; de listas på /kommun/2283/utanfor-omraden"],
    }
    rows = await conn.fetch("select external_ref, street, postcode, city from household order by external_ref")
    assert [tuple(r) for r in rows] == [("p1", None, None, None), ("p2", "Storgatan 1", "881 30", "Sollefteå")]
    # No address columns at all: a file of points.
    points = csv_bytes(["external_ref", "x", "y"], [["q1", 620010, 7006010]], delimiter=";")
    response = await client.post("/api/v1/households/import?kommun=2283", content=points, headers=headers)
    assert response.json() == {"inserted": 1, "updated": 0, "assigned": 0, "unassigned": 1}
    # Still: without a position the address is needed.
    response = await client.post(
        "/api/v1/households/import?kommun=2283",
        content=csv_bytes(["external_ref", "x", "y"], [["q2", None, None]], delimiter=";"),
        headers=headers,
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["line"] == 2 and "ingen position" in problem["errors"][0]["message"]


async def test_a_point_just_across_the_kommun_border_is_refused_with_its_line(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
) -> None:
    headers = await auth("admin")
    far, near = across_the_border(1_000.0), across_the_border(50.0)
    assert boundaries.boundary("2283").distance(near) < boundaries.TOLERANCE_M
    (flon, flat), (nlon, nlat) = _lonlat(far), _lonlat(near)
    header = ["external_ref", "street", "postcode", "city", "lon", "lat"]
    body = csv_bytes(header, [["n1", None, None, None, nlon, nlat], ["f1", None, None, None, flon, flat]])
    response = await client.post("/api/v1/households/import?kommun=2283", content=body, headers=headers)
    problem = assert_problem(response, 422)
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [(3, "position")]
    assert "ligger i Kramfors (2282), inte i Sollefteå (2283)" in problem["errors"][0]["message"]
    assert await conn.fetchval("select count(*) from household") == 0
    ok = csv_bytes(header, [["n1", None, None, None, nlon, nlat]])
    response = await client.post("/api/v1/households/import?kommun=2283", content=ok, headers=headers)
    assert response.status_code == 200, response.text


@pytest.mark.skipif(not DEMONSTRATIONS.exists(), reason="no real data in /work/shared/data/real")
async def test_the_polices_demonstration_points_are_refused_outside_malmo(client: AsyncTestClient, auth: TokenFactory) -> None:
    # Real points: BOM, ';', coord1 = latitude, coord2 = longitude (see the real data README).
    rows = _demonstrations()
    body = csv_bytes(
        ["external_ref", "lon", "lat"], [[f"d{r['nr']}", r["coord2"], r["coord1"]] for r in rows], delimiter=";", final_newline=False
    )
    response = await client.post("/api/v1/households/import?kommun=1280", content=body, headers=await auth("admin"))
    problem = assert_problem(response, 422)
    assert len(problem["errors"]) == 14  # 3 of the 17 lie in Malmö
    assert all("inte i Malmö (1280)" in e["message"] for e in problem["errors"])
    refused = {e["line"] for e in problem["errors"]}
    assert not any("Malmö" in rows[line - 2]["Plats som framgår i ansökan"] for line in refused)
    named = {e["message"].split(" ligger i ")[1].split(",")[0] for e in problem["errors"]}
    assert len(named) == 8 and "Örebro (1880)" in named  # the README's nine kommuner but Malmö


async def test_a_burglary_across_the_kommun_border_is_refused_with_its_line(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
) -> None:
    (flon, flat), (nlon, nlat) = _lonlat(across_the_border(1_000.0)), _lonlat(across_the_border(50.0))
    body = csv_bytes(
        ["external_ref", "occurred_from", "occurred_to", "category", "lon", "lat"],
        [["b1", "2026-01-05", None, "villa", nlon, nlat], ["b2", "2026-01-06", None, "villa", flon, flat]],
    )
    response = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=body, headers={**await auth("admin"), "content-type": "text/csv"}
    )
    problem = assert_problem(response, 422)
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [(3, "position")]
    assert "Kramfors (2282)" in problem["errors"][0]["message"]
    assert await conn.fetchval("select count(*) from burglary") == 0
