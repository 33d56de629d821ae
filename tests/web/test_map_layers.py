"""Issue 16, maps: the layers the pages' Leaflet maps draw (GeoJSON in WGS 84, by role), an area
drawn or reshaped on the map, and the refusals that say where on the map the problem is (the
overlap, the crossing, the part outside the kommun) in ``errors[].geometry``."""

from __future__ import annotations

import html
import re
from typing import Any

import asyncpg
import pytest
import shapely
from litestar.testing import AsyncTestClient
from shapely.geometry import shape

from grannsamverkan.app import create_app
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry
from grannsamverkan.settings import ConfigurationError, Settings
from tests.api.test_priority_api import BURGLARY_DAYS, CENTRES, kommun_with_burglaries
from tests.conftest import TokenFactory
from tests.geodata import RAMSELE, area_feature, grid_points, households_csv, square
from tests.places.world import X, Y, households_at
from tests.web.test_pages import csrf_for, sign_in, token_of
from tests.web.test_pages_at_scale import AREAS, town

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


# --- the priority page's and the places list's maps ----------------------------------------------------

PRIORITY_2024 = "kommun=2283&metod=rate&fran=2024-01-01&till=2024-12-31"
SVG_AREA = re.compile(r'<a href="/omraden/(\d+)" class="map-link"><title>[^<]*</title><path class="area ([^"]+)"')
TABLE_ROW = re.compile(r'<td class="num" data-value="(\d+)">\1</td>\s*<td data-value="[^"]*"><a href="/omraden/(\d+)">')


def of_layer(features: list[dict[str, Any]], layer: str) -> list[dict[str, Any]]:
    return [f for f in features if f["properties"]["layer"] == layer]


async def layers_of_page(client: AsyncTestClient, path: str) -> tuple[str, list[dict[str, Any]]]:
    """The page, and the layers its live map asks for (its ``data-layers``)."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'data-layers="([^"]+)"', page.text)
    assert found, "no live map on " + path
    answer = await client.get(html.unescape(found.group(1)))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/geo+json")
    return page.text, answer.json()["features"]


async def test_the_priority_map_ranks_and_colours_the_areas_as_the_page(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    ids = await kommun_with_burglaries(client, headers)
    located = "external_ref,occurred_from,occurred_to,category,lon,lat\n" + "".join(
        f"{ref}-{i},{day}T12:00,{day}T12:00,villa,{CENTRES[ref][0]},{CENTRES[ref][1]}\n"
        for ref, days in BURGLARY_DAYS.items()
        for i, day in enumerate(days)
    )  # the same burglaries, now with their points
    again = await client.post(
        "/api/v1/burglaries/import?kommun=2283", content=located.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert again.status_code == 200 and again.json()["updated"] == 15, again.text
    await sign_in(client, token_of(headers))
    page, features = await layers_of_page(client, f"/prioritering?{PRIORITY_2024}")
    assert f'data-layers="/prioritering/karta.geojson?{PRIORITY_2024.replace("&", "&amp;")}"' in page
    assert {f["properties"]["layer"] for f in features} == {"kommun", "area", "burglary"}
    areas = of_layer(features, "area")
    ranked = sorted((f for f in areas if "rank" in f["properties"]), key=lambda f: f["properties"]["rank"])
    table = [(int(rank), int(area_id)) for rank, area_id in TABLE_ROW.findall(page)]
    assert [(f["properties"]["rank"], f["properties"]["id"]) for f in ranked] == table
    assert [f["properties"]["id"] for f in ranked] == [ids[r] for r in "cabd"]  # rate: the hamlet first
    svg_class = {int(area_id): css for area_id, css in SVG_AREA.findall(page)}
    assert len(svg_class) == len(areas) == 5
    assert {f["properties"]["id"]: f["properties"]["state"].removesuffix(" top") for f in areas} == svg_class
    first = ranked[0]["properties"]
    assert first["tip"] == "1. By C" and first["state"] == f"{svg_class[ids['c']]} top"
    assert first["label"] == "1. By C – 500 inbrott per 1 000 hushåll"  # 1 burglary, 2 households
    assert first["popup"] == ["1. By C – 500 inbrott per 1 000 hushåll", "1 inbrott, 2 hushåll"]
    assert ranked[1]["properties"]["label"] == "2. By A – 80 inbrott per 1 000 hushåll"
    covered = next(f["properties"] for f in areas if f["properties"]["id"] == ids["e"])
    assert covered["state"] == "covered" and "rank" not in covered and not covered.get("tip")
    assert len(of_layer(features, "burglary")) == 15

    # The page's period and method: the burglaries of June–December 2024, the EB words.
    _, autumn = await layers_of_page(client, "/prioritering?kommun=2283&metod=eb&fran=2024-06-01&till=2024-12-31")
    assert len(of_layer(autumn, "burglary")) == 8
    assert all("inbrott per 1 000 hushåll, EB" in f["properties"]["label"] for f in of_layer(autumn, "area") if "rank" in f["properties"])
    reversed_period = await client.get("/prioritering/karta.geojson?kommun=2283&fran=2024-12-31&till=2024-01-01")
    assert reversed_period.status_code == 422

    # The police may see the priority map (no households in it); another kommun's coordinator not.
    await sign_in(client, token_of(await auth("police", "2283")))
    police = await client.get(f"/prioritering/karta.geojson?{PRIORITY_2024}")
    assert police.status_code == 200
    assert [
        f["properties"]["id"] for f in sorted(of_layer(police.json()["features"], "area"), key=lambda f: f["properties"].get("rank", 99))
    ][:4] == [ids[r] for r in "cabd"]
    assert '"household"' not in police.text and "Storgatan" not in police.text
    await sign_in(client, token_of(await auth("coordinator", "2505")))
    assert (await client.get(f"/prioritering/karta.geojson?{PRIORITY_2024}")).status_code == 404


async def test_the_priority_map_of_450_areas_is_small(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    imported = await client.post(
        "/api/v1/areas/import?crs=EPSG:3006", content=town(AREAS), headers={**headers, "content-type": "application/geo+json"}
    )
    assert imported.status_code == 200, imported.text
    answer = await client.get("/prioritering/karta.geojson?kommun=2283&metod=rate", headers=headers)
    assert answer.status_code == 200, answer.text
    areas = of_layer(answer.json()["features"], "area")
    assert sorted(f["properties"]["rank"] for f in areas) == list(range(1, AREAS + 1))
    assert all(len(f["geometry"]["coordinates"][0]) == 5 for f in areas)  # simplified: a square stays 4 corners
    assert len(answer.content) < 10_000 + AREAS * 550, len(answer.content)
    places = await client.get("/platser/karta.geojson?kommun=2283", headers=headers)
    assert places.status_code == 200
    assert len(of_layer(places.json()["features"], "area")) == AREAS
    assert len(places.content) < 10_000 + AREAS * 550, len(places.content)


async def test_the_places_map_shows_what_the_list_shows_by_role(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    coordinator = await auth("coordinator", "2283")
    await world(client, auth)
    lamp = {"kommun": "2283", "category": "belysning", "what": "Mörk gångväg", "location": {"type": "Point", "coordinates": list(RAMSELE)}}
    published = (await client.post("/api/v1/places", json=lamp, headers=coordinator)).json()
    pending = (await client.post("/api/v1/places", json={**lamp, "category": "trafik"}, headers=coordinator)).json()
    await households_at(conn, "2283", [(X, Y)] * 5)
    assert (await client.post(f"/api/v1/places/{published['id']}/publish", headers=coordinator)).status_code == 200
    moved = await client.post(f"/api/v1/places/{published['id']}/status", json={"status": "in_progress"}, headers=coordinator)
    assert moved.status_code == 200, moved.text
    public_point = (await client.get(f"/api/v1/places/{published['id']}", headers=coordinator)).json()["public_location"]

    page, features = await layers_of_page(client, "/platser?kommun=2283")
    assert {f["properties"]["layer"] for f in features} == {"kommun", "area", "place"}
    assert {f["properties"]["state"] for f in of_layer(features, "area")} == {"plain"}
    points = {f["properties"]["href"]: f for f in of_layer(features, "place")}
    assert set(points) == {f"/platser/{published['id']}", f"/platser/{pending['id']}"}
    lit = points[f"/platser/{published['id']}"]
    assert lit["properties"]["state"] == "status-in_progress"
    assert (
        lit["properties"]["popup"] == ["Belysning", "Status: Utreds", "Källa: Trygghetsvandring"]
        and lit["properties"]["link"] == f"Öppna rapport {published['id']}"
    )
    assert lit["geometry"]["coordinates"] == pytest.approx(list(RAMSELE))  # the kommun's coordinators: the exact point
    # The list's filters: the same reports on the map as in the table.
    _, filtered = await layers_of_page(client, "/platser?kommun=2283&kategori=trafik&status=open")
    assert [f["properties"]["href"] for f in of_layer(filtered, "place")] == [f"/platser/{pending['id']}"]

    await sign_in(client, token_of(await auth("police", "2283")))
    page, features = await layers_of_page(client, "/platser?kommun=2283")
    assert 'data-layers="/platser/karta.geojson?kommun=2283"' in page and "hushall.geojson" not in page
    [seen] = of_layer(features, "place")
    assert seen["properties"]["href"] == f"/platser/{published['id']}"
    assert seen["geometry"] == public_point and seen["geometry"]["coordinates"] != pytest.approx(list(RAMSELE), abs=1e-6)
    asked = await client.get("/platser/karta.geojson?kommun=2283&granskning=pending")
    assert asked.status_code == 200 and not of_layer(asked.json()["features"], "place")
    assert '"household"' not in asked.text
    await sign_in(client, token_of(await auth("coordinator", "2505")))
    assert (await client.get("/platser/karta.geojson?kommun=2283")).status_code == 404
