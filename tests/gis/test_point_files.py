"""Households and burglaries from GIS files (GeoPackage, shapefile plain and zipped, GeoJSON), by the
API, the command line and the import page: the points go through the CSV import, errors name features."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
import pytest
import shapely
from litestar.testing import AsyncTestClient

from grannsamverkan.cli import main
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry
from grannsamverkan.geo.gis_points import PointFields, households_csv, is_gis_file
from tests.conftest import TokenFactory, assert_problem
from tests.geodata import SOLLEFTEA, area_feature
from tests.gis.files import across_the_border, geojson_bytes, geopackage, saved_file, shapefile, zipped

HOUSEHOLD_QUERY = "kommun=2283&ref_field=ID&street_field=GATA&postcode_field=POSTNR&city_field=ORT"
LINK = "/kommun/2283/utanfor-omraden"


def _sweref(lon: float, lat: float) -> shapely.Point:
    return transform_geometry(shapely.Point(lon, lat), WGS84, SWEREF99TM)


def _households(crs: int = SWEREF99TM) -> list[tuple[shapely.Geometry | None, dict[str, Any]]]:
    """Two points in Sollefteå's centre and one household without a geometry, with Swedish field names."""
    lon, lat = SOLLEFTEA
    points: list[shapely.Geometry | None] = [shapely.Point(lon, lat), shapely.Point(lon + 0.001, lat), None]
    if crs == SWEREF99TM:
        points = [None if p is None else _sweref(p.x, p.y) for p in points]  # type: ignore[attr-defined]
    rows = [("h1", "Storgatan 1", "881 30"), ("h2", "Åsvägen 2", "881 31"), ("h3", "Nipvägen 3", "881 32")]
    return [
        (p, {"ID": ref, "GATA": street, "POSTNR": post, "ORT": "Sollefteå"}) for p, (ref, street, post) in zip(points, rows, strict=True)
    ]


async def _stored(conn: asyncpg.Connection) -> list[tuple[str, str, bool, bool]]:
    rows = await conn.fetch(
        "select external_ref, street, x is not null as placed, area_id is not null as in_area from household order by 1"
    )
    return [(r["external_ref"], r["street"], r["placed"], r["in_area"]) for r in rows]


async def test_api_imports_households_from_a_geopackage_with_its_own_field_names(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    headers = await auth("admin")
    area = await client.post("/api/v1/areas/import", content=geojson_bytes([area_feature("Centrum", "2283", SOLLEFTEA)]), headers=headers)
    assert area.status_code == 200, area.text
    path = geopackage(tmp_path, _households(), name="hushall", geometry_type="Point")
    response = await client.post(f"/api/v1/households/import?{HOUSEHOLD_QUERY}", content=path.read_bytes(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "inserted": 3,
        "updated": 0,
        "assigned": 2,
        "unassigned": 1,
        "without_position": 1,
        "warnings": [f"1 hushåll saknar position och räknas inte i något område; de listas på {LINK}"],
    }
    assert await _stored(conn) == [("h1", "Storgatan 1", True, True), ("h2", "Åsvägen 2", True, True), ("h3", "Nipvägen 3", False, False)]
    x = await conn.fetchval("select x from household where external_ref = 'h1'")
    assert x == pytest.approx(_sweref(*SOLLEFTEA).x, abs=0.001)
    again = await client.post(f"/api/v1/households/import?{HOUSEHOLD_QUERY}", content=path.read_bytes(), headers=headers)
    assert again.json()["inserted"] == again.json()["updated"] == 0


def test_cli_imports_households_from_a_latin1_shapefile_without_cpg_in_wgs84(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    rows = _households(WGS84)[:2]
    shp = shapefile(tmp_path, rows=rows, name="hushall", crs="EPSG:4326", encoding="ISO-8859-1", cpg=False, geometry_type="Point")
    assert not shp.with_suffix(".cpg").exists()
    assert b"\xc5sv\xe4gen" in shp.with_suffix(".dbf").read_bytes()  # latin-1 on disk
    args = ["import", "households", str(shp), "--kommun", "2283", "--ref-field", "ID", "--street-field", "GATA"]
    assert main([*args, "--postcode-field", "POSTNR", "--city-field", "ORT", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"inserted": 2, "updated": 0, "assigned": 0, "unassigned": 2}
    # Without the mapping the file's fields are listed.
    assert main(["import", "households", str(shp), "--kommun", "2283", "--json"]) == 2
    problem = json.loads(capsys.readouterr().out)
    assert problem["status"] == 422 and "ID, GATA, POSTNR, ORT" in problem["detail"] and "--ref-field" in problem["detail"]


async def test_gis_household_errors_name_the_feature_not_a_line(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    headers = await auth("admin")
    inside, across = _sweref(*SOLLEFTEA), across_the_border(1_000.0)
    path = geopackage(tmp_path, [(inside, {"ID": "a"}), (across, {"ID": "b"})], name="gransen", geometry_type="Point")
    problem = assert_problem(
        await client.post("/api/v1/households/import?kommun=2283&ref_field=ID", content=path.read_bytes(), headers=headers), 422
    )
    [error] = problem["errors"]
    assert error["feature"] == 1 and "line" not in error and error["field"] == "position"
    assert error["message"].startswith("objekt 1: ") and "Kramfors (2282)" in error["message"]
    # A polygon is no household.
    polygons = geopackage(tmp_path, [(inside.buffer(10), {"ID": "a"})], name="ytor", geometry_type="Polygon")
    problem = assert_problem(
        await client.post("/api/v1/households/import?kommun=2283&ref_field=ID", content=polygons.read_bytes(), headers=headers), 422
    )
    assert problem["errors"] == [
        {
            "field": "features[0].geometry",
            "message": "Objekt 0 är en yta (Polygon); ett hushåll eller inbrott är en punkt.",
            "feature": 0,
            "code": "gis.point_expected",
        }
    ]
    assert await conn.fetchval("select count(*) from household") == 0


async def test_burglaries_from_a_geopackage_with_a_date_field_and_a_zipped_shapefile(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    headers = await auth("admin")
    lon, lat = SOLLEFTEA
    rows: list[tuple[shapely.Geometry | None, dict[str, Any]]] = [
        (_sweref(lon, lat), {"NR": "b1", "DATUM": np.datetime64("2026-01-05"), "TYP": "villa"}),
        (_sweref(lon + 0.001, lat), {"NR": "b2", "DATUM": np.datetime64("2026-01-07"), "TYP": "lägenhet"}),
    ]
    path = geopackage(tmp_path, rows, name="inbrott", geometry_type="Point")
    query = "kommun=2283&ref_field=NR&occurred_from_field=DATUM&category_field=TYP"
    response = await client.post(f"/api/v1/burglaries/import?{query}", content=path.read_bytes(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 2
    stored = await conn.fetch("select external_ref, category, occurred_from, occurred_to from burglary order by 1")
    assert [(r["external_ref"], r["category"]) for r in stored] == [("b1", "villa"), ("b2", "lagenhet")]
    assert (stored[0]["occurred_to"] - stored[0]["occurred_from"]).total_seconds() == 24 * 3600 - 1  # a date is its whole day
    # A zipped shapefile in WGS 84, by the same route; a missing category names the feature.
    bad = [
        (shapely.Point(lon, lat), {"NR": "c1", "DATUM": "2026-01-08", "TYP": "villa"}),
        (shapely.Point(lon, lat), {"NR": "c2", "DATUM": "2026-01-09", "TYP": "slott"}),
    ]
    shp = shapefile(tmp_path, rows=bad, name="inbrott", crs="EPSG:4326", geometry_type="Point")
    problem = assert_problem(await client.post(f"/api/v1/burglaries/import?{query}", content=zipped(shp), headers=headers), 422)
    assert [(e["feature"], e["field"]) for e in problem["errors"]] == [(1, "category")]
    assert problem["errors"][0]["message"].startswith("objekt 1: ")
    assert await conn.fetchval("select count(*) from burglary") == 2


def test_cli_imports_burglaries_from_a_zipped_shapefile(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    lon, lat = SOLLEFTEA
    rows = [(shapely.Point(lon, lat), {"NR": "z1", "DATUM": "2026-02-01T14:30", "TYP": "förråd"})]
    shp = shapefile(tmp_path, rows=rows, name="inbrott", crs="EPSG:4326", geometry_type="Point")
    archive = saved_file(tmp_path, "inbrott.zip", zipped(shp))
    args = ["import", "burglaries", str(archive), "--kommun", "2283", "--ref-field", "NR", "--occurred-from-field", "DATUM"]
    assert main([*args, "--category-field", "TYP"]) == 0
    out = capsys.readouterr().out
    assert "inbrott inbrott.zip (GIS-fil, källa 'csv') till 2283: 1 nytt, 0 ändrade" in out


def test_what_is_a_gis_file_and_the_csv_it_becomes(tmp_path: Path) -> None:
    assert not is_gis_file(b"external_ref,x,y\n1,620000,7006000\n")
    assert not is_gis_file(b'[{"id": 1}]')  # the police's events
    assert is_gis_file(b'\xef\xbb\xbf{"type": "FeatureCollection", "features": []}')
    lon, lat = SOLLEFTEA
    data = geojson_bytes(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat, 12.0]},
                "properties": {"nr": 7, "gata": "Storgatan\n1"},
            },
            {"type": "Feature", "geometry": None, "properties": {"nr": 8, "gata": "Nipvägen 3"}},
        ],
        bom=True,
    )
    text = households_csv(data, PointFields.of(external_ref="nr", street="gata")).decode()
    p = _sweref(lon, lat)
    assert text == f"external_ref,street,postcode,city,x,y\n7,Storgatan 1,,,{p.x:.3f},{p.y:.3f}\n8,Nipvägen 3,,,,\n"


async def test_households_without_a_position_are_listed_first_with_a_link_to_edit_them(
    client: AsyncTestClient, auth: TokenFactory, tmp_path: Path
) -> None:
    from tests.web.test_pages import sign_in, token_of

    headers = await auth("admin")
    path = geopackage(tmp_path, _households(), name="hushall", geometry_type="Point")
    response = await client.post(f"/api/v1/households/import?{HOUSEHOLD_QUERY}", content=path.read_bytes(), headers=headers)
    assert response.status_code == 200, response.text
    h3 = next(h for h in (await client.get("/api/v1/households?kommun=2283", headers=headers)).json()["items"] if h["external_ref"] == "h3")
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    html = (await client.get(LINK)).text
    assert "3 hushåll i Sollefteå ligger inte i något område" in html
    assert "Utan position (1)" in html and "Med position utanför alla områden (2)" in html
    assert html.index("Utan position (1)") < html.index("Nipvägen 3") < html.index("Med position utanför") < html.index("Storgatan 1")
    assert f'href="/hushall/{h3["id"]}/andra"' in html


async def test_import_page_takes_a_household_geopackage_and_links_the_unplaced(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    from tests.web.test_pages import csrf_for, sign_in, token_of

    await sign_in(client, token_of(await auth("admin")))
    csrf, _ = await csrf_for(client, "/import")
    rows = [
        (p, {"external_ref": props["ID"], "street": props["GATA"], "postcode": props["POSTNR"], "city": props["ORT"]})
        for p, props in _households()
    ]
    path = geopackage(tmp_path, rows, name="hushall", geometry_type="Point")
    response = await client.post(
        "/import/hushall",
        data={"_csrf_token": csrf, "kommun": "2283"},
        files={"file": ("hushall.gpkg", path.read_bytes(), "application/geopackage+sqlite3")},
    )
    assert response.status_code == 200, response.text
    assert "Importen är klar" in response.text and f'<a href="{LINK}">' in response.text
    assert [r[0] for r in await _stored(conn)] == ["h1", "h2", "h3"]
