"""Issue 13, item 7: an area's rings and positions are bounded as a whole, not only per ring, and
a GeoJSON body is bounded before it is decoded (a polygon with 200,000 holes took 13 s to create,
blocked the server 8.3 s and made the kommun page 12 MB; a 47 MB GeoJSON took 609 MB to parse)."""

from __future__ import annotations

import math
import time

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.errors import PayloadTooLarge
from grannsamverkan.geo.geojson import MAX_AREA_POSITIONS, MAX_AREA_RINGS, MAX_JSON_BYTES, decode_json, parse_feature
from tests.conftest import TokenFactory, assert_problem
from tests.geodata import SOLLEFTEA, area_feature

JSON = {"content-type": "application/json"}


def circle(center: tuple[float, float], radius: float, n: int) -> list[list[float]]:
    ring = [[center[0] + radius * math.cos(2 * math.pi * k / n), center[1] + radius * math.sin(2 * math.pi * k / n) / 2] for k in range(n)]
    return [*ring, ring[0]]


def holed(holes: int) -> dict:
    lon, lat = SOLLEFTEA
    outer = [
        [lon - 0.05, lat - 0.02],
        [lon + 0.05, lat - 0.02],
        [lon + 0.05, lat + 0.02],
        [lon - 0.05, lat + 0.02],
        [lon - 0.05, lat - 0.02],
    ]
    side = math.ceil(math.sqrt(holes))
    rings = [outer]
    for k in range(holes):
        x, y = lon - 0.045 + 0.09 * (k % side) / side, lat - 0.018 + 0.036 * (k // side) / side
        d = 0.02 / side
        rings.append(
            [
                [x, y],
                [x + d, y],
                [x + d, y + d / 2],
                [x, y],
            ]
        )
        rings[-1].insert(3, [x, y + d / 2])
    feature = area_feature("Hålig", "2283", SOLLEFTEA)
    feature["geometry"] = {"type": "Polygon", "coordinates": rings}
    return feature


async def test_an_area_with_too_many_holes_is_refused_at_once(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("coordinator", "2283"), **JSON}
    body = msgspec.json.encode(holed(20_000))
    started = time.monotonic()
    problem = assert_problem(await client.post("/api/v1/areas", content=body, headers=headers), 422)
    assert time.monotonic() - started < 5
    assert f"högst {MAX_AREA_RINGS:,}".replace(",", " ") in problem["errors"][0]["message"], problem
    # Within the bound, holes are fine.
    assert (await client.post("/api/v1/areas", content=msgspec.json.encode(holed(9)), headers=headers)).status_code == 201


async def test_positions_are_counted_over_the_whole_area(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("coordinator", "2283"), **JSON}
    lon, lat = SOLLEFTEA
    per_ring = MAX_AREA_POSITIONS // 2 + 10  # each ring alone is allowed, together they are not
    feature = area_feature("Stor", "2283", SOLLEFTEA)
    feature["geometry"] = {
        "type": "MultiPolygon",
        "coordinates": [[circle((lon - 0.02, lat), 0.005, per_ring)], [circle((lon + 0.02, lat), 0.005, per_ring)]],
    }
    problem = assert_problem(await client.post("/api/v1/areas", content=msgspec.json.encode(feature), headers=headers), 422)
    assert "positioner" in problem["errors"][0]["message"], problem


def test_geojson_above_the_limit_is_refused_before_decoding() -> None:
    data = b"[" + b"0," * (MAX_JSON_BYTES // 2) + b"0]"
    started = time.monotonic()
    with pytest.raises(PayloadTooLarge):
        decode_json(data)
    assert time.monotonic() - started < 0.1
    assert decode_json(b"[1]") == [1]


async def test_a_big_json_body_is_413_before_the_handler(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("coordinator", "2283"), **JSON}
    body = b'{"type": "FeatureCollection", "features": [' + b" " * MAX_JSON_BYTES + b"]}"
    problem = assert_problem(await client.post("/api/v1/areas/import", content=body, headers=headers), 413)
    assert "byte" in problem["detail"]


def test_parse_feature_takes_an_area_at_the_bound() -> None:
    lon, lat = SOLLEFTEA
    feature = area_feature("Rund", "2283", SOLLEFTEA)
    feature["geometry"] = {"type": "Polygon", "coordinates": [circle((lon, lat), 0.005, MAX_AREA_POSITIONS - 1)]}
    assert parse_feature(feature).geometry_sweref.is_valid
