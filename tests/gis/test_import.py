"""GIS files through the API, the CLI and the database: imports, the kommun's boundary, round trips."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.cli import main
from grannsamverkan.geo import boundaries
from tests.conftest import TokenFactory, assert_problem
from tests.geodata import ARVIDSJAUR, RAMSELE, SOLLEFTEA, area_feature, square
from tests.gis.files import geojson_bytes, geopackage, saved_file, shapefile, straddling_area, zipped

POLICE_QUERY = "name_field=NAMN&ref_field=SPECIALOMR"


async def _stored(conn: asyncpg.Connection) -> list[tuple[str, str, str | None]]:
    rows = await conn.fetch("select name, kommun, external_ref from area order by external_ref")
    return [(r["name"], r["kommun"], r["external_ref"]) for r in rows]


@pytest.mark.parametrize("kind", ["gpkg", "zip"])
async def test_api_imports_a_geopackage_and_a_zipped_shapefile_told_by_their_bytes(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
    kind: str,
) -> None:
    headers = await auth("admin")
    body = geopackage(tmp_path).read_bytes() if kind == "gpkg" else zipped(shapefile(tmp_path))
    content_type = {"gpkg": "application/geopackage+sqlite3", "zip": "application/zip"}[kind]
    response = await client.post(f"/api/v1/areas/import?{POLICE_QUERY}", content=body, headers={**headers, "content-type": content_type})
    assert response.status_code == 200, response.text
    assert response.json() == {"inserted": 3, "updated": 0, "unchanged": 0}
    assert await _stored(conn) == [("Ramsele", "2283", "11"), ("Långsele centrum", "2283", "12"), ("Arvidsjaur", "2505", "13")]
    again = await client.post(f"/api/v1/areas/import?{POLICE_QUERY}", content=body, headers=headers)
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 3}


async def test_api_missing_field_lists_the_files_fields(client: AsyncTestClient, auth: TokenFactory, tmp_path: Path) -> None:
    headers = await auth("admin")
    response = await client.post("/api/v1/areas/import?name_field=NAME", content=geopackage(tmp_path).read_bytes(), headers=headers)
    body = assert_problem(response, 422)
    assert "'NAME'" in body["detail"] and "NAMN, ORT, SPECIALOMR" in body["detail"]
    assert len(body["errors"]) == 1


async def test_area_saved_with_the_wrong_kommun_is_refused_naming_where_it_lies(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
) -> None:
    headers = await auth("admin")
    wrong = area_feature("Arvidsjaur centrum", "2283", ARVIDSJAUR, external_ref="a")
    response = await client.post("/api/v1/areas/import", content=geojson_bytes([wrong], bom=True), headers=headers)
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "features[0].geometry"
    assert "Området ligger i Arvidsjaur (2505), inte i Sollefteå (2283)." in body["errors"][0]["message"]
    assert await _stored(conn) == []


async def test_409_and_422_name_the_feature_the_same_way(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("admin")
    first = await client.post(
        "/api/v1/areas/import", content=geojson_bytes([area_feature("A", "2283", SOLLEFTEA, external_ref="a")]), headers=headers
    )
    assert first.status_code == 200, first.text
    overlapping = [area_feature("B", "2283", RAMSELE, external_ref="b"), area_feature("C", "2283", SOLLEFTEA, external_ref="c")]
    conflict = assert_problem(await client.post("/api/v1/areas/import", content=geojson_bytes(overlapping), headers=headers), 409)
    assert [e["field"] for e in conflict["errors"]] == ["features[1].geometry"]
    overlapping[0]["geometry"]["coordinates"] = square(SOLLEFTEA, 0.001)
    invalid = assert_problem(await client.post("/api/v1/areas/import", content=geojson_bytes(overlapping), headers=headers), 422)
    assert [e["field"] for e in invalid["errors"]] == ["features[1].geometry"]


async def test_the_apis_own_output_and_an_rfc7946_rewrite_reimport_as_unchanged(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    headers = await auth("admin")
    # SWEREF 99 TM input with millimetres: the output (7 decimals of a degree, ~1 cm) cannot carry them.
    imported = await client.post(f"/api/v1/areas/import?{POLICE_QUERY}", content=geopackage(tmp_path).read_bytes(), headers=headers)
    assert imported.status_code == 200, imported.text
    events = await conn.fetchval("select count(*) from audit_event where table_name = 'area'")
    output = (await client.get("/api/v1/areas?kommun=2283", headers=headers)).json()
    again = await client.post("/api/v1/areas/import", content=json.dumps(output).encode(), headers=headers)
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 2}
    # The same layer written by another program: clockwise shells, another start vertex.
    for feature in output["features"]:
        ring = feature["geometry"]["coordinates"][0]
        feature["geometry"]["coordinates"][0] = list(reversed(ring[1:] + ring[1:2]))
    again = await client.post("/api/v1/areas/import", content=json.dumps(output).encode(), headers=headers)
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 2}
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'area'") == events


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_cli_export_reimports_as_unchanged(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", "areas", str(shapefile(tmp_path)), "--name-field", "NAMN", "--ref-field", "SPECIALOMR"]) == 0
    assert "områden: 3 nya" in capsys.readouterr().out
    exported = tmp_path / f"export{suffix}"
    assert main(["export", "areas", "--kommun", "2283", str(exported)]) == 0
    assert "skrev 2 områden till" in capsys.readouterr().out
    assert main(["import", "areas", str(exported), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"inserted": 0, "updated": 0, "unchanged": 2}


def test_cli_json_errors_go_to_stdout_as_json(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = saved_file(tmp_path, "trasig.geojson", b'\xef\xbb\xbf{"type": ')
    assert main(["import", "areas", str(path), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == 400 and "Filen" in out["detail"] and "body" not in out["detail"]
    gpkg = geopackage(tmp_path)
    assert main(["import", "areas", str(gpkg), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == 422 and out["errors"][0]["field"] == "name_field"


def test_cli_error_names_a_feature_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    feature = area_feature("Ramsele", "2283", RAMSELE)
    feature["properties"]["kind"] = "slott"
    path = saved_file(tmp_path, "fel.geojson", geojson_bytes([feature]))
    assert main(["import", "areas", str(path)]) == 2
    err = capsys.readouterr().err
    assert "objekt 0: features[0].properties.kind: objekt 0:" not in err
    assert "features[0].properties.kind: objekt 0:" in err


async def test_import_page_takes_a_geopackage_with_field_names(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    from tests.web.test_pages import csrf_for, sign_in, token_of

    await sign_in(client, token_of(await auth("admin")))
    csrf, page = await csrf_for(client, "/import")
    assert 'name="name_field"' in page and ".gpkg" in page
    gpkg = geopackage(tmp_path).read_bytes()
    response = await client.post(
        "/import/omraden",
        data={"_csrf_token": csrf, "crs": "", "name_field": "NAMNET"},
        files={"file": ("omraden.gpkg", gpkg, "application/geopackage+sqlite3")},
    )
    assert response.status_code == 422 and "NAMN, ORT, SPECIALOMR" in response.text
    assert 'value="NAMNET"' in response.text
    assert await _stored(conn) == []
    response = await client.post(
        "/import/omraden",
        data={"_csrf_token": csrf, "crs": "", "name_field": "NAMN", "ref_field": "SPECIALOMR"},
        files={"file": ("omraden.gpkg", gpkg, "application/geopackage+sqlite3")},
    )
    assert response.status_code == 200, response.text
    assert "Importen är klar" in response.text
    assert await _stored(conn) == [("Ramsele", "2283", "11"), ("Långsele centrum", "2283", "12"), ("Arvidsjaur", "2505", "13")]


async def test_drawing_an_area_in_another_kommun_is_refused(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("admin")
    response = await client.post("/api/v1/areas", json=area_feature("Arvidsjaur", "2283", ARVIDSJAUR), headers=headers)
    body = assert_problem(response, 422)
    [error] = body["errors"]
    where = error.pop("geometry")  # the part outside Sollefteå, for a map: here the whole square
    assert error == {
        "field": "geometry",
        "message": "Området ligger i Arvidsjaur (2505), inte i Sollefteå (2283).",
        "code": "area.outside_kommun",
    }
    corners = [p for ring in where["coordinates"] for p in ring]
    expected = [p for ring in square(ARVIDSJAUR) for p in ring]
    assert where["type"] == "Polygon"
    assert {(round(x, 4), round(y, 4)) for x, y in corners} == {(round(x, 4), round(y, 4)) for x, y in expected}
    created = await client.post("/api/v1/areas", json=area_feature("Arvidsjaur", "2505", ARVIDSJAUR), headers=headers)
    assert created.status_code == 201, created.text
    moved = await client.patch(
        f"/api/v1/areas/{created.json()['id']}", json={"geometry": {"type": "Polygon", "coordinates": square(RAMSELE)}}, headers=headers
    )
    assert assert_problem(moved, 422)["detail"] == "Området ligger i Sollefteå (2283), inte i Arvidsjaur (2505)."


async def test_an_area_mostly_in_its_kommun_is_stored_there_with_a_warning_naming_the_share(
    client: AsyncTestClient,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    headers = await auth("admin")
    area = straddling_area()
    elsewhere = round(boundaries.kommuner_of(area)[1][1] * 100)
    path = geopackage(tmp_path, [(area, {"name": "Gränsbyn", "external_ref": "g1"})], name="grans", geometry_type="Polygon")
    response = await client.post("/api/v1/areas/import", content=path.read_bytes(), headers=headers)
    assert response.status_code == 200, response.text
    warning = f"Gränsbyn: {elsewhere} % ligger i Kramfors (2282)"
    assert response.json() == {"inserted": 1, "updated": 0, "unchanged": 0, "warnings": [warning]}
    assert await _stored(conn) == [("Gränsbyn", "2283", "g1")]
    again = await client.post("/api/v1/areas/import", content=path.read_bytes(), headers=headers)
    assert again.json() == {"inserted": 0, "updated": 0, "unchanged": 1, "warnings": [warning]}
    # Saved in the kommun holding its smaller part, it is refused naming where the larger part lies.
    other_rows = [(area, {"name": "Gränsbyn", "kommun": "2282", "external_ref": "g2"})]
    other = geopackage(tmp_path, other_rows, name="grans-2282", geometry_type="Polygon")
    problem = assert_problem(await client.post("/api/v1/areas/import", content=other.read_bytes(), headers=headers), 422)
    assert "Största delen av området ligger i Sollefteå (2283), inte i Kramfors (2282)" in problem["errors"][0]["message"]
    assert await _stored(conn) == [("Gränsbyn", "2283", "g1")]
