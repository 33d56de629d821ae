"""Issue 16, maps: the layers the pages' Leaflet maps draw (GeoJSON in WGS 84, by role), an area
drawn or reshaped on the map, and the refusals that say where on the map the problem is (the
overlap, the crossing, the part outside the kommun) in ``errors[].geometry``."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
import shapely
from litestar.testing import AsyncTestClient
from shapely.geometry import shape

from grannsamverkan.app import create_app
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry
from grannsamverkan.settings import ConfigurationError, Settings
from tests.conftest import TokenFactory
from tests.geodata import RAMSELE, area_feature, grid_points, households_csv, square
from tests.web.test_pages import csrf_for, sign_in, token_of

CENTRE = (RAMSELE[0], RAMSELE[1] + 0.05)  # open land north of Ramsele, inside Sollefteå (2283)


def polygon(ring: list[tuple[float, float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[list(p) for p in [*ring, ring[0]]]]}


def box(lon: float, lat: float, half: float = 0.004) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": square((lon, lat), half)}


def sweref(geometry: dict[str, Any]) -> shapely.Geometry:
    return transform_geometry(shape(geometry), WGS84, SWEREF99TM)


async def world(client: AsyncTestClient, auth: TokenFactory) -> tuple[dict[str, str], int]:
    """A coordinator of 2283 signed in, and one area (with households, one signed up) north of Ramsele."""
    headers = await auth("coordinator", "2283")
    made = await client.post("/api/v1/areas", json=area_feature("Norrbyn", "2283", CENTRE), headers=headers)
    assert made.status_code == 201, made.text
    area_id = made.json()["properties"]["id"]
    body = households_csv("n", grid_points(CENTRE, 4), city="Ramsele")
    imported = await client.post("/api/v1/households/import?kommun=2283", content=body, headers={**headers, "content-type": "text/csv"})
    assert imported.status_code == 200, imported.text
    group = await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "grannsamverkan", "name": "GS Norrbyn"}, headers=headers)
    assert group.status_code == 201, group.text
    households = (await client.get(f"/api/v1/households?kommun=2283&area_id={area_id}", headers=headers)).json()["items"]
    signup = await client.post(f"/api/v1/groups/{group.json()['id']}/signups", json={"household_id": households[0]["id"]}, headers=headers)
    assert signup.status_code == 201, signup.text
    await sign_in(client, token_of(headers))
    return headers, area_id


async def post_shape(client: AsyncTestClient, url: str, csrf: str, geometry: Any, **fields: str) -> Any:
    import json

    data = {"_csrf_token": csrf, "geometry": json.dumps(geometry) if not isinstance(geometry, str) else geometry, **fields}
    return await client.post(url, data=data)


# --- layers ------------------------------------------------------------------------------------------


async def test_the_kommun_layers_hold_outline_areas_by_state_and_no_households(client: AsyncTestClient, auth: TokenFactory) -> None:
    _, area_id = await world(client, auth)
    answer = await client.get("/kommun/2283/karta.geojson")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/geo+json")
    features = answer.json()["features"]
    layers = {f["properties"]["layer"] for f in features}
    assert layers <= {"kommun", "area", "burglary", "place"}, layers
    outline = next(f for f in features if f["properties"]["layer"] == "kommun")
    assert shape(outline["geometry"]).contains(shapely.Point(CENTRE))  # WGS 84: lon/lat
    area = next(f for f in features if f["properties"]["layer"] == "area")
    expected = {"id": area_id, "name": "Norrbyn", "href": f"/omraden/{area_id}", "state": "state-forming-low"}
    assert expected.items() <= area["properties"].items()
    assert "grupp bildas" in area["properties"]["label"]
    assert shape(area["geometry"]).contains(shapely.Point(CENTRE))
    assert not [f for f in features if f["properties"]["layer"] == "household"]


async def test_households_are_a_layer_for_coordinators_only(client: AsyncTestClient, auth: TokenFactory) -> None:
    _, area_id = await world(client, auth)
    own = (await client.get(f"/omraden/{area_id}/hushall.geojson")).json()["features"]
    assert len(own) == 4
    assert sorted(f["properties"]["state"] for f in own) == ["open", "open", "open", "signed"]
    assert all(f["geometry"]["type"] == "Point" for f in own)
    kommun = (await client.get("/kommun/2283/hushall.geojson")).json()["features"]
    assert {f["properties"]["state"] for f in kommun} == {"in-area"}

    await sign_in(client, token_of(await auth("police", "2283")))
    for path in (f"/omraden/{area_id}/hushall.geojson", "/kommun/2283/hushall.geojson"):
        refused = await client.get(path)
        assert refused.status_code == 403, (path, refused.text)
        assert "Storgatan" not in refused.text
    layers = await client.get(f"/omraden/{area_id}/karta.geojson")
    assert layers.status_code == 200
    assert "Storgatan" not in layers.text and '"household"' not in layers.text
    page = await client.get(f"/omraden/{area_id}")
    assert "hushall.geojson" not in page.text and 'data-layers="/omraden/' in page.text

    await sign_in(client, token_of(await auth("coordinator", "2505")))
    assert (await client.get(f"/omraden/{area_id}/karta.geojson")).status_code == 404
    assert (await client.get("/kommun/2283/karta.geojson")).status_code == 404


async def test_the_area_layers_keep_every_vertex_of_the_area(client: AsyncTestClient, auth: TokenFactory) -> None:
    _, area_id = await world(client, auth)
    features = (await client.get(f"/omraden/{area_id}/karta.geojson")).json()["features"]
    current = [f for f in features if f["properties"]["layer"] == "area" and f["properties"]["current"]]
    assert len(current) == 1
    assert shape(current[0]["geometry"]).equals_exact(shape(box(*CENTRE)), tolerance=1e-6)


# --- drawing --------------------------------------------------------------------------------------------


async def test_a_drawn_area_overlapping_another_is_refused_with_the_overlap(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    await world(client, auth)
    csrf, page = await csrf_for(client, "/kommun/2283")
    assert 'data-draw="new"' in page and "/static/vendor/leaflet/leaflet.js" in page
    drawn = box(CENTRE[0] + 0.006, CENTRE[1], 0.004)  # a third of it over Norrbyn
    refused = await post_shape(client, "/kommun/2283/omraden", csrf, drawn, name="Östra Norrbyn", kind="villa")
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert "överlappar Norrbyn" in problem["detail"]
    [error] = problem["errors"]
    assert error["field"] == "geometry" and "överlappar Norrbyn" in error["message"]
    where = sweref(error["geometry"])
    expected = shapely.intersection(sweref(drawn), sweref(box(*CENTRE)))
    assert where.geom_type == "Polygon"
    assert abs(where.area - expected.area) < 0.01 * expected.area
    assert where.symmetric_difference(expected).area < 0.01 * expected.area
    assert await conn.fetchval("select count(*) from area where name = 'Östra Norrbyn'") == 0

    fixed = box(CENTRE[0] + 0.008, CENTRE[1], 0.004)  # moved: now it only meets Norrbyn
    saved = await post_shape(client, "/kommun/2283/omraden", csrf, fixed, name="Östra Norrbyn", kind="villa")
    assert saved.status_code == 201, saved.text
    new_id = saved.json()["id"]
    assert saved.json()["href"].startswith(f"/omraden/{new_id}")
    row = await conn.fetchrow("select kommun, name, kind from area where id = $1", new_id)
    assert dict(row) == {"kommun": "2283", "name": "Östra Norrbyn", "kind": "villa"}
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'area' and row_id = $1", new_id) == 1


async def test_a_boundary_crossing_itself_is_refused_with_the_crossing_point(client: AsyncTestClient, auth: TokenFactory) -> None:
    await world(client, auth)
    csrf, _ = await csrf_for(client, "/kommun/2283")
    lon, lat = CENTRE[0] + 0.02, CENTRE[1]
    bowtie = polygon([(lon, lat), (lon + 0.01, lat + 0.01), (lon + 0.01, lat), (lon, lat + 0.01)])
    refused = await post_shape(client, "/kommun/2283/omraden", csrf, bowtie, name="Fluga", kind="villa")
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert "korsar sig själv" in error["message"]
    assert error["geometry"]["type"] == "MultiPoint"
    [point] = error["geometry"]["coordinates"]
    assert point == pytest.approx([lon + 0.005, lat + 0.005], abs=2e-5)


async def test_a_drawn_area_outside_the_kommun_is_refused_with_the_part_outside(client: AsyncTestClient, auth: TokenFactory) -> None:
    await world(client, auth)
    csrf, _ = await csrf_for(client, "/kommun/2283")
    across = box(19.176, 65.592, 0.004)  # Arvidsjaur, far outside Sollefteå
    refused = await post_shape(client, "/kommun/2283/omraden", csrf, across, name="Fel kommun", kind="by")
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert "utanför Sollefteå" in error["message"]
    assert sweref(error["geometry"]).area == pytest.approx(sweref(across).area, rel=0.01)


async def test_name_kind_and_a_missing_shape_are_named(client: AsyncTestClient, auth: TokenFactory) -> None:
    await world(client, auth)
    csrf, _ = await csrf_for(client, "/kommun/2283")
    answer = await client.post("/kommun/2283/omraden", data={"_csrf_token": csrf, "name": "", "kind": "slott"})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"name", "kind"}
    answer = await client.post("/kommun/2283/omraden", data={"_csrf_token": csrf, "name": "A", "kind": "villa"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "geometry", "message": "Rita området på kartan först.", "code": "area.draw_first"}]
    two_corners = {"type": "Polygon", "coordinates": [[[CENTRE[0], CENTRE[1]], [CENTRE[0] + 0.01, CENTRE[1]], [CENTRE[0], CENTRE[1]]]]}
    answer = await post_shape(client, "/kommun/2283/omraden", csrf, two_corners, name="A", kind="villa")
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["message"].startswith("Områdets gräns går inte att använda (") and "geometry" not in error
    no_csrf = await client.post("/kommun/2283/omraden", data={"name": "A", "kind": "villa", "geometry": "{}"})
    assert no_csrf.status_code == 403


async def test_moving_a_corner_onto_a_neighbour_is_refused_then_saved(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    headers, area_id = await world(client, auth)
    east = await client.post("/api/v1/areas", json=area_feature("Östby", "2283", (CENTRE[0] + 0.008, CENTRE[1])), headers=headers)
    assert east.status_code == 201
    csrf, page = await csrf_for(client, f"/omraden/{area_id}/andra")
    assert 'data-draw="edit"' in page and f'data-action="/omraden/{area_id}/grans"' in page
    lon, lat, h = CENTRE[0], CENTRE[1], 0.004
    # The north-east corner dragged 0.002° east, into Östby.
    moved = polygon([(lon - h, lat - h), (lon + h, lat - h), (lon + h + 0.002, lat + h), (lon - h, lat + h)])
    refused = await post_shape(client, f"/omraden/{area_id}/grans", csrf, moved)
    assert refused.status_code == 409, refused.text
    [error] = refused.json()["errors"]
    assert "överlappar Östby" in error["message"]
    assert sweref(error["geometry"]).within(sweref(box(CENTRE[0] + 0.008, CENTRE[1])).buffer(0.01))
    fixed = polygon([(lon - h, lat - h), (lon + h, lat - h), (lon + h, lat + h), (lon - h - 0.002, lat + h)])
    saved = await post_shape(client, f"/omraden/{area_id}/grans", csrf, fixed)
    assert saved.status_code == 200, saved.text
    stored = (await client.get(f"/api/v1/areas/{area_id}", headers=headers)).json()
    assert shape(stored["geometry"]).equals_exact(shape(fixed), tolerance=1e-6)


# --- tiles and the Content-Security-Policy --------------------------------------------------------------


async def test_pages_allow_images_from_the_tile_host_and_no_other(settings: Settings, auth: TokenFactory) -> None:
    for tile_url, img_src in (
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "img-src 'self' data: https://tile.openstreetmap.org;"),
        ("https://{s}.tiles.example.se/topo/{z}/{y}/{x}.png", "img-src 'self' data: https://*.tiles.example.se;"),
        ("none", "img-src 'self' data:;"),
    ):
        app = create_app(
            Settings(**{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "map_tile_url": tile_url}), run_migrations=False
        )
        async with AsyncTestClient(app) as client:
            await sign_in(client, token_of(await auth("coordinator", "2283")))
            page = await client.get("/kommun/2283")
            assert page.status_code == 200
            assert img_src in page.headers["content-security-policy"], page.headers["content-security-policy"]
            expected = "" if tile_url == "none" else tile_url
            assert f'data-tiles="{expected}"' in page.text
            if expected:
                assert 'data-attribution="© OpenStreetMap-bidragsgivare"' in page.text


def test_tile_settings_from_the_environment() -> None:
    assert Settings.from_env({}).tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert Settings.from_env({"GRANNSAMVERKAN_MAP_TILE_URL": "none"}).tile_url is None
    custom = Settings.from_env({"GRANNSAMVERKAN_MAP_TILE_URL": "https://kartor.example.se/{z}/{x}/{y}.png"})
    assert custom.tile_origin == "https://kartor.example.se"
    for bad in ("ftp://x/{z}/{x}/{y}", "https://x.se/tiles.png", "https://x.se/{z}/{x}/{y}.png; script-src *"):
        with pytest.raises(ConfigurationError, match="GRANNSAMVERKAN_MAP_TILE_URL"):
            Settings.from_env({"GRANNSAMVERKAN_MAP_TILE_URL": bad})


async def test_split_an_area_along_a_drawn_line(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    import json

    _, area_id = await world(client, auth)
    csrf, page = await csrf_for(client, f"/omraden/{area_id}/andra")
    assert 'data-draw="split"' in page
    lon, lat = CENTRE
    short = {"type": "LineString", "coordinates": [[lon, lat - 0.001], [lon, lat + 0.001]]}  # inside only: cuts nothing
    refused = await client.post(f"/omraden/{area_id}/dela", data={"_csrf_token": csrf, "line": json.dumps(short), "name": "Östra delen"})
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "line" and "delar inte området" in error["message"]
    assert error["geometry"]["type"] == "LineString"

    across = {"type": "LineString", "coordinates": [[lon + 0.0005, lat - 0.01], [lon + 0.0005, lat + 0.01]]}
    split = await client.post(f"/omraden/{area_id}/dela", data={"_csrf_token": csrf, "line": json.dumps(across), "name": "Östra delen"})
    assert split.status_code == 201, split.text
    new_id = split.json()["id"]
    rows = {
        r["id"]: r
        for r in await conn.fetch("select id, name, kind, households_total from area where id = any($1::bigint[])", [area_id, new_id])
    }
    assert rows[area_id]["households_total"] == 3 and rows[new_id]["households_total"] == 1
    assert rows[new_id]["name"] == "Östra delen" and rows[new_id]["kind"] == rows[area_id]["kind"]
    assert await conn.fetchval("select area_id from watch_group where name = 'GS Norrbyn'") == area_id
    features = (await client.get(f"/omraden/{area_id}/karta.geojson")).json()["features"]
    pieces = [shape(f["geometry"]) for f in features if f["properties"]["layer"] == "area"]
    whole = shape(box(*CENTRE))
    assert (
        shapely.union_all(pieces).symmetric_difference(whole).area < 1e-4 * whole.area
    )  # the pieces make up the area (a few m²: straight in SWEREF 99 TM)
