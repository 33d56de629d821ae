from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.conftest import TokenFactory, assert_problem
from tests.geodata import RAMSELE, SOLLEFTEA, area_feature, grid_points, households_csv

CSV = {"content-type": "text/csv"}


async def test_windows_1252_semicolon_csv_with_swedish_letters(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("coordinator", "2283"), **CSV}
    await client.post(
        "/api/v1/areas", json=area_feature("Ramsele", "2283", RAMSELE), headers=headers | {"content-type": "application/json"}
    )
    lon, lat = RAMSELE
    text = (
        "external_ref;street;postcode;city;lon;lat\r\n"
        f"å1;Åkervägen 1;880 40;Ramsele;{str(lon).replace('.', ',')};{str(lat).replace('.', ',')}\r\n"
        "ä2;Älvstigen 2;880 40;Ramsele;;\r\n"
        f"ö3;Östra Ösvägen 3;880 40;Ramsele;{lon + 0.001};{lat}\r\n"
    )
    response = await client.post("/api/v1/households/import?kommun=2283", content=text.encode("cp1252"), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "inserted": 3,
        "updated": 0,
        "assigned": 2,
        "unassigned": 1,
        "without_position": 1,
        "warnings": ["1 hushåll saknar position och räknas inte i något område; de listas på /kommun/2283/utanfor-omraden"],
    }
    items = (await client.get("/api/v1/households?kommun=2283", headers=headers)).json()["items"]
    assert sorted(h["street"] for h in items) == ["Älvstigen 2", "Åkervägen 1", "Östra Ösvägen 3"]
    located = next(h for h in items if h["external_ref"] == "å1")
    assert located["location"]["coordinates"] == [lon, lat]


async def test_sweref_columns_and_utf8_bom(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("coordinator", "2505"), **CSV}
    text = "\ufeffexternal_ref,street,postcode,city,e,n\nx1,Storgatan 1,933 31,Arvidsjaur,692445.11,7280824.61\n"
    response = await client.post("/api/v1/households/import?kommun=2505", content=text.encode("utf-8"), headers=headers)
    assert response.status_code == 200, response.text
    item = (await client.get("/api/v1/households?kommun=2505", headers=headers)).json()["items"][0]
    lon, lat = item["location"]["coordinates"]
    assert abs(lon - 19.176) < 0.001 and abs(lat - 65.592) < 0.001


async def test_import_errors_name_the_line_and_nothing_is_written(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("coordinator", "2283"), **CSV}
    good = households_csv("g", grid_points(SOLLEFTEA, 3)).splitlines()
    missing_column = "\n".join([*good, "g9,Storgatan 9,881 30"]) + "\n"
    body = assert_problem(await client.post("/api/v1/households/import?kommun=2283", content=missing_column.encode(), headers=headers), 422)
    assert body["errors"][0]["line"] == 5
    swapped = "\n".join([*good, f"g9,Storgatan 9,881 30,Sollefteå,{SOLLEFTEA[1]},{SOLLEFTEA[0]}"]) + "\n"
    body = assert_problem(await client.post("/api/v1/households/import?kommun=2283", content=swapped.encode(), headers=headers), 422)
    assert body["errors"][0]["line"] == 5 and "omkastade" in body["errors"][0]["message"]
    assert (await client.get("/api/v1/households?kommun=2283", headers=headers)).json()["total"] == 0
    body = assert_problem(
        await client.post("/api/v1/households/import?kommun=9999", content="\n".join(good).encode(), headers=headers), 403
    )
    body = assert_problem(
        await client.post(
            "/api/v1/households/import?kommun=9999", content="\n".join(good).encode(), headers={**await auth("admin"), **CSV}
        ),
        422,
    )


async def test_reimport_is_idempotent_and_updates_changed_rows(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = {**await auth("coordinator", "2283"), **CSV}
    csv = households_csv("h", grid_points(SOLLEFTEA, 5))
    first = await client.post("/api/v1/households/import?kommun=2283", content=csv.encode(), headers=headers)
    assert first.json()["inserted"] == 5
    again = await client.post("/api/v1/households/import?kommun=2283", content=csv.encode(), headers=headers)
    assert again.json() == {"inserted": 0, "updated": 0, "assigned": 0, "unassigned": 5}
    changed = await client.post(
        "/api/v1/households/import?kommun=2283", content=csv.replace("Storgatan 1,", "Storgatan 1A,").encode(), headers=headers
    )
    assert changed.json()["inserted"] == 0 and changed.json()["updated"] == 1
    assert (await client.get("/api/v1/households?kommun=2283", headers=headers)).json()["total"] == 5


async def test_single_household_validation(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    swapped = {"kommun": "2283", "street": "a", "location": {"type": "Point", "coordinates": [SOLLEFTEA[1], SOLLEFTEA[0]]}}
    body = assert_problem(await client.post("/api/v1/households", json=swapped, headers=headers), 422)
    assert "omkastade" in body["detail"]
    sweref = {"kommun": "2283", "street": "b", "location": {"type": "Point", "coordinates": [620000, 7005000]}}
    assert (await client.post("/api/v1/households?crs=EPSG:3006", json=sweref, headers=headers)).status_code == 201
    assert_problem(await client.post("/api/v1/households", json={"kommun": "22830"}, headers=headers), 422)
    assert_problem(await client.post("/api/v1/households", json={"kommun": "2505"}, headers=headers), 403)
