from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem
from tests.geodata import ARVIDSJAUR, RAMSELE, SOLLEFTEA, area_feature, grid_points, households_csv


async def test_create_area_answers_the_feature_with_measured_area(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    response = await client.post("/api/v1/areas", json=area_feature("Ramsele by", "2283", RAMSELE, kind="by"), headers=headers)
    assert response.status_code == 201, response.text
    feature = response.json()
    props = feature["properties"]
    assert props["name"] == "Ramsele by" and props["kommun"] == "2283" and props["kind"] == "by"
    assert props["households_total"] == 0 and props["group_id"] is None
    # 0.008° × 0.008° at 63.5° N: about 0.89 km × 0.40 km
    assert 0.33 < props["area_km2"] < 0.38
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert abs(lon - (RAMSELE[0] - 0.004)) < 1e-6 and abs(lat - (RAMSELE[1] - 0.004)) < 1e-6
    got = await client.get(f"/api/v1/areas/{props['id']}", headers=headers)
    assert got.json()["properties"]["name"] == "Ramsele by"


async def test_bad_geometries_are_refused_with_the_reason(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    lon, lat = SOLLEFTEA
    bow_tie = area_feature("Fluga", "2283", SOLLEFTEA)
    bow_tie["geometry"]["coordinates"] = [[[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat], [lon, lat + 0.01], [lon, lat]]]
    body = assert_problem(await client.post("/api/v1/areas", json=bow_tie, headers=headers), 422)
    assert "korsar sig själv" in body["detail"].lower()

    empty = area_feature("Tom", "2283", SOLLEFTEA)
    empty["geometry"]["coordinates"] = []
    assert_problem(await client.post("/api/v1/areas", json=empty, headers=headers), 422)

    swapped = area_feature("Omvänd", "2283", (SOLLEFTEA[1], SOLLEFTEA[0]))
    body = assert_problem(await client.post("/api/v1/areas", json=swapped, headers=headers), 422)
    assert "omkastade" in body["detail"].lower()

    helsinki = area_feature("Helsingfors", "2283", (24.94, 60.17))
    body = assert_problem(await client.post("/api/v1/areas", json=helsinki, headers=headers), 422)
    assert "utanför sverige" in body["detail"].lower()

    no_kommun = area_feature("Okänd", "9999", SOLLEFTEA)
    body = assert_problem(await client.post("/api/v1/areas", json=no_kommun, headers=await auth("admin")), 422)
    assert "9999" in body["detail"]

    malformed = await client.post("/api/v1/areas", content=b'{"type": "Feature",', headers=headers)
    assert_problem(malformed, 400)


async def test_overlapping_area_is_refused_naming_the_other(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    assert (await client.post("/api/v1/areas", json=area_feature("Centrum", "2283", SOLLEFTEA), headers=headers)).status_code == 201
    shifted = area_feature("Centrum öst", "2283", (SOLLEFTEA[0] + 0.004, SOLLEFTEA[1]))
    body = assert_problem(await client.post("/api/v1/areas", json=shifted, headers=headers), 409)
    assert "Centrum" in body["detail"]
    # The refusal says where, for a map: the shared half, in WGS 84.
    overlap = body["errors"][0]["geometry"]
    assert overlap["type"] == "Polygon"
    _assert_bounds(overlap, (SOLLEFTEA[0], SOLLEFTEA[1] - 0.004, SOLLEFTEA[0] + 0.004, SOLLEFTEA[1] + 0.004))
    # Sharing only a border is fine.
    neighbour = area_feature("Centrum öst", "2283", (SOLLEFTEA[0] + 0.008, SOLLEFTEA[1]))
    assert (await client.post("/api/v1/areas", json=neighbour, headers=headers)).status_code == 201


async def test_a_changed_shape_refused_by_the_api_says_where(client: AsyncTestClient, auth: TokenFactory) -> None:
    """PATCH of a geometry: an overlap (409) and a part outside the kommun (422) carry the part
    of the map that is wrong, as the drawing page shows it."""
    headers = await auth("coordinator", "2283")
    assert (await client.post("/api/v1/areas", json=area_feature("Centrum", "2283", SOLLEFTEA), headers=headers)).status_code == 201
    east = await client.post("/api/v1/areas", json=area_feature("Öster", "2283", (SOLLEFTEA[0] + 0.008, SOLLEFTEA[1])), headers=headers)
    east_id = east.json()["properties"]["id"]
    moved = area_feature("Öster", "2283", (SOLLEFTEA[0] + 0.006, SOLLEFTEA[1]))
    body = assert_problem(await client.patch(f"/api/v1/areas/{east_id}", json={"geometry": moved["geometry"]}, headers=headers), 409)
    assert body["errors"][0]["field"] == "geometry"
    _assert_bounds(body["errors"][0]["geometry"], (SOLLEFTEA[0] + 0.002, SOLLEFTEA[1] - 0.004, SOLLEFTEA[0] + 0.004, SOLLEFTEA[1] + 0.004))

    in_arvidsjaur = area_feature("Öster", "2283", ARVIDSJAUR)
    body = assert_problem(
        await client.patch(f"/api/v1/areas/{east_id}", json={"geometry": in_arvidsjaur["geometry"]}, headers=headers), 422
    )
    assert "Arvidsjaur" in body["detail"]
    _assert_bounds(
        body["errors"][0]["geometry"], (ARVIDSJAUR[0] - 0.004, ARVIDSJAUR[1] - 0.004, ARVIDSJAUR[0] + 0.004, ARVIDSJAUR[1] + 0.004)
    )


def _assert_bounds(geometry: dict, expected: tuple[float, float, float, float]) -> None:
    """A GeoJSON geometry's bounds (lon/lat) within about 10 m of ``expected``."""
    positions = [p for ring in (geometry["coordinates"] if geometry["type"] == "Polygon" else []) for p in ring]
    assert positions, geometry
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    got = (min(lons), min(lats), max(lons), max(lats))
    assert all(abs(a - b) < 1e-4 for a, b in zip(got, expected, strict=True)), (got, expected)


async def test_sweref_input_by_query_and_by_legacy_crs_member(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2505")
    ring = [[730000, 7280000], [730500, 7280000], [730500, 7280400], [730000, 7280400], [730000, 7280000]]
    feature = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": "Arvidsjaur SWEREF", "kommun": "2505"},
    }
    response = await client.post("/api/v1/areas?crs=EPSG:3006", json=feature, headers=headers)
    assert response.status_code == 201, response.text
    assert abs(response.json()["properties"]["area_km2"] - 0.2) < 1e-6

    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": [
            {
                **feature,
                "properties": {"name": "QGIS-område", "kommun": "2505", "external_ref": "q1"},
                "geometry": {"type": "Polygon", "coordinates": [[[x + 1000, y] for x, y in ring]]},
            }
        ],
    }
    response = await client.post("/api/v1/areas/import", json=collection, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 1


async def test_import_is_all_or_nothing_and_idempotent(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    features = [area_feature(f"By {i}", "2283", (16.40 + 0.01 * i, 63.50), external_ref=f"by-{i}") for i in range(3)]
    bad = area_feature("Trasig", "2283", (16.50, 63.50), external_ref="bad")
    bad["geometry"]["coordinates"] = [[[16.5, 63.5], [16.51, 63.51], [16.51, 63.5], [16.5, 63.51], [16.5, 63.5]]]
    body = assert_problem(
        await client.post("/api/v1/areas/import", json={"type": "FeatureCollection", "features": [*features, bad]}, headers=headers), 422
    )
    assert body["errors"][0]["feature"] == 3
    listed = await client.get("/api/v1/areas?kommun=2283", headers=headers)
    assert listed.json()["total"] == 0

    collection = {"type": "FeatureCollection", "features": features}
    first = await client.post("/api/v1/areas/import", json=collection, headers=headers)
    assert first.json() == {"inserted": 3, "updated": 0, "unchanged": 0}
    again = await client.post("/api/v1/areas/import", json=collection, headers=headers)
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 3}
    features[0]["properties"]["name"] = "By noll"
    changed = await client.post("/api/v1/areas/import", json=collection, headers=headers)
    assert changed.json() == {"inserted": 0, "updated": 1, "unchanged": 2}
    assert (await client.get("/api/v1/areas?kommun=2283", headers=headers)).json()["total"] == 3


async def test_households_follow_area_changes(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    csv = households_csv("h", grid_points(RAMSELE, 10))
    imported = await client.post(
        "/api/v1/households/import?kommun=2283", content=csv.encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert imported.json() == {"inserted": 10, "updated": 0, "assigned": 0, "unassigned": 10}
    area = (await client.post("/api/v1/areas", json=area_feature("Ramsele", "2283", RAMSELE), headers=headers)).json()
    area_id = area["properties"]["id"]
    assert area["properties"]["households_total"] == 10
    # Shrink the area to its western half: about half the households leave it.
    lon, lat = RAMSELE
    half = {
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [lon - 0.004, lat - 0.004],
                    [lon - 0.0005, lat - 0.004],
                    [lon - 0.0005, lat + 0.004],
                    [lon - 0.004, lat + 0.004],
                    [lon - 0.004, lat - 0.004],
                ]
            ],
        }
    }
    patched = await client.patch(f"/api/v1/areas/{area_id}", json=half, headers=headers)
    assert patched.status_code == 200, patched.text
    inside = patched.json()["properties"]["households_total"]
    assert 0 < inside < 10
    listed = await client.get(f"/api/v1/areas/{area_id}/households", headers=headers)
    assert listed.json()["total"] == inside
    assert (await client.delete(f"/api/v1/areas/{area_id}", headers=headers)).status_code == 204
    everyone = (await client.get("/api/v1/households?kommun=2283", headers=headers)).json()
    assert everyone["total"] == 10 and all(h["area_id"] is None for h in everyone["items"])


async def test_area_with_a_group_cannot_be_deleted_or_moved_to_another_kommun(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("admin")
    area_id = (await client.post("/api/v1/areas", json=area_feature("Byn", "2283", RAMSELE), headers=headers)).json()["properties"]["id"]
    assert (
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "Byavakten"}, headers=headers)
    ).status_code == 201
    assert_problem(await client.delete(f"/api/v1/areas/{area_id}", headers=headers), 409)
    body = assert_problem(await client.patch(f"/api/v1/areas/{area_id}", json={"properties": {"kommun": "2505"}}, headers=headers), 409)
    assert "kommun" in body["detail"]


async def test_kommun_scoping_of_areas(client: AsyncTestClient, auth: TokenFactory) -> None:
    solleftea = await auth("coordinator", "2283")
    arvidsjaur = await auth("coordinator", "2505")
    police = await auth("police", "2283")
    area_id = (await client.post("/api/v1/areas", json=area_feature("Centrum", "2283", SOLLEFTEA), headers=solleftea)).json()["properties"][
        "id"
    ]
    await client.post("/api/v1/areas", json=area_feature("Arvidsjaur C", "2505", ARVIDSJAUR), headers=arvidsjaur)

    assert_problem(await client.get(f"/api/v1/areas/{area_id}", headers=arvidsjaur), 404)
    assert_problem(await client.delete(f"/api/v1/areas/{area_id}", headers=arvidsjaur), 404)
    assert_problem(await client.patch(f"/api/v1/areas/{area_id}", json={"properties": {"name": "x"}}, headers=arvidsjaur), 404)
    assert_problem(await client.post("/api/v1/areas", json=area_feature("Intrång", "2283", RAMSELE), headers=arvidsjaur), 403)
    names = [f["properties"]["name"] for f in (await client.get("/api/v1/areas", headers=arvidsjaur)).json()["features"]]
    assert names == ["Arvidsjaur C"]
    assert (await client.get("/api/v1/areas?kommun=2283", headers=arvidsjaur)).json()["total"] == 0

    assert (await client.get(f"/api/v1/areas/{area_id}", headers=police)).status_code == 200
    assert_problem(await client.post("/api/v1/areas", json=area_feature("Polisens", "2283", RAMSELE), headers=police), 403)
    assert_problem(await client.get(f"/api/v1/areas/{area_id}/households", headers=police), 403)
