"""The pages a coordinator works in all day: the door-knocking list (page, CSV, Excel), existing and
falling groups, search, and editing from the pages."""

from __future__ import annotations

import csv
import io

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from tests.conftest import TokenFactory
from tests.geodata import RAMSELE, area_feature, grid_points
from tests.web.test_pages import csrf_for, sign_in, token_of

STREETS = [
    "Granvägen 16",
    "Granvägen 4B",
    "Granvägen 11",
    "Granvägen 4",
    "Granvägen 13",
    "Granvägen 7",
    "Granvägen 4A",
    '=HYPERLINK("http://x")',
    "Björkvägen 2",
]
# (a sign sorts before the letters, as in a dictionary)
READING_ORDER = [
    '=HYPERLINK("http://x")',
    "Björkvägen 2",
    "Granvägen 4",
    "Granvägen 4A",
    "Granvägen 4B",
    "Granvägen 7",
    "Granvägen 11",
    "Granvägen 13",
    "Granvägen 16",
]


async def granvagen(client: AsyncTestClient, headers: dict[str, str], streets: list[str] = STREETS) -> tuple[int, dict[str, int]]:
    """An area in Ramsele with one household per street address; answers the area id and the
    household ids by street."""
    created = await client.post("/api/v1/areas", json=area_feature("Granvägen", "2283", RAMSELE, kind="villa"), headers=headers)
    assert created.status_code == 201, created.text
    area_id = created.json()["properties"]["id"]
    ids = {}
    for street, (lon, lat) in zip(streets, grid_points(RAMSELE, len(streets)), strict=True):
        made = await client.post(
            "/api/v1/households",
            headers=headers,
            json={
                "kommun": "2283",
                "street": street,
                "postcode": "880 40",
                "city": "Ramsele",
                "location": {"type": "Point", "coordinates": [lon, lat]},
            },
        )
        assert made.status_code == 201, made.text
        ids[street] = made.json()["id"]
    return area_id, ids


@pytest.fixture
async def coordinator(client: AsyncTestClient, auth: TokenFactory) -> dict[str, str]:
    headers = await auth("coordinator", "2283", name="Samordnare")
    await sign_in(client, token_of(headers))
    return headers


def cells_in_order(html: str, names: list[str]) -> list[str]:
    """The names in the order they appear in the page."""
    return sorted(names, key=lambda n: html.index(n))


async def test_the_door_list_reads_along_the_street(client: AsyncTestClient, coordinator: dict[str, str]) -> None:
    area_id, ids = await granvagen(client, coordinator)
    group = await client.post(
        "/api/v1/groups", headers=coordinator, json={"area_id": area_id, "kind": "grannsamverkan", "name": "Grannsamverkan Granvägen"}
    )
    assert group.status_code == 201, group.text
    await client.post(f"/api/v1/groups/{group.json()['id']}/signups", headers=coordinator, json={"household_id": ids["Granvägen 7"]})
    response = await client.get(f"/omraden/{area_id}/knacklista")
    assert response.status_code == 200, response.text
    html = response.text
    table = html[html.index("<table") :]
    escaped = [s.replace('"', "&#34;") for s in READING_ORDER]
    assert cells_in_order(table, escaped) == escaped
    assert "1 av 9 hushåll anmälda" in html
    assert "Knackat" in html and html.count('class="tickbox"') == 9
    assert "data-print" in html and "knacklista.csv" in html and "knacklista.xlsx" in html
    # the area page links to it
    assert f"/omraden/{area_id}/knacklista" in (await client.get(f"/omraden/{area_id}")).text


async def test_the_csv_is_in_street_order_and_formulas_are_neutralised(client: AsyncTestClient, coordinator: dict[str, str]) -> None:
    area_id, _ = await granvagen(client, coordinator)
    response = await client.get(f"/omraden/{area_id}/knacklista.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Adress", "Postnummer", "Ort", "Anmält", "Kontaktperson", "Knackat", "Anteckning"]
    streets = [r[0] for r in rows[1:]]
    assert streets == ['\'=HYPERLINK("http://x")', *READING_ORDER[1:]]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


async def test_the_excel_file_holds_text_never_formulas(client: AsyncTestClient, coordinator: dict[str, str]) -> None:
    area_id, _ = await granvagen(client, coordinator)
    response = await client.get(f"/omraden/{area_id}/knacklista.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert values == ['\'=HYPERLINK("http://x")', *READING_ORDER[1:]]
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value is not None)


async def test_the_police_never_get_the_door_list(client: AsyncTestClient, auth: TokenFactory, coordinator: dict[str, str]) -> None:
    area_id, _ = await granvagen(client, coordinator)
    await sign_in(client, token_of(await auth("police", "2283")))
    for suffix in ("", ".csv", ".xlsx"):
        response = await client.get(f"/omraden/{area_id}/knacklista{suffix}")
        assert response.status_code == 403, suffix
        assert "Granvägen 4" not in response.text
    area_page = await client.get(f"/omraden/{area_id}")
    assert area_page.status_code == 200 and "knacklista" not in area_page.text


async def test_the_door_list_of_another_kommun_is_not_found(
    client: AsyncTestClient, auth: TokenFactory, coordinator: dict[str, str]
) -> None:
    area_id, _ = await granvagen(client, coordinator)
    await sign_in(client, token_of(await auth("coordinator", "2505")))
    response = await client.get(f"/omraden/{area_id}/knacklista.csv")
    assert response.status_code == 404
    assert "Granvägen" not in response.text


# --- existing groups and groups that fall below the rule --------------------------------------------


async def test_an_existing_group_says_so_instead_of_a_green_zero(client: AsyncTestClient, coordinator: dict[str, str]) -> None:
    area_id, ids = await granvagen(client, coordinator)
    made = await client.post(
        "/api/v1/groups",
        headers=coordinator,
        json={"area_id": area_id, "kind": "grannsamverkan", "name": "Gamla gruppen", "status": "active", "established_on": "2015-05-01"},
    )
    assert made.status_code == 201, made.text
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "Befintlig grupp, registrerad före registret" in html
    assert "Gruppen saknar kontaktperson." in html  # the one thing the registry can say about it
    group_id, household_id = made.json()["id"], ids["Granvägen 4"]
    assert (
        await client.post(f"/api/v1/groups/{group_id}/signups", headers=coordinator, json={"household_id": household_id})
    ).status_code == 201
    assert (
        await client.post(f"/api/v1/groups/{group_id}/contacts", headers=coordinator, json={"household_id": household_id, "name": "Kim"})
    ).status_code == 201
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "Befintlig grupp, registrerad före registret" in html and "i registret: 1 av 9 hushåll" in html
    assert "Aktiv grupp: 0 av" not in html and 'class="badge ok"' not in html
    assert "uppfyller inte längre" not in html
    listing = (await client.get("/kommun/2283")).text
    assert "befintlig grupp, registrerad före registret" in listing and "⚠" not in listing


async def test_an_active_group_below_the_rule_is_flagged(client: AsyncTestClient, coordinator: dict[str, str]) -> None:
    streets = [f"Tallvägen {n}" for n in range(1, 11)]
    area_id, ids = await granvagen(client, coordinator, streets)
    made = await client.post(
        "/api/v1/groups", headers=coordinator, json={"area_id": area_id, "kind": "grannsamverkan", "name": "Tallvägen"}
    )
    group_id = made.json()["id"]
    for street in streets[:7]:
        assert (
            await client.post(f"/api/v1/groups/{group_id}/signups", headers=coordinator, json={"household_id": ids[street]})
        ).status_code == 201
    contact = await client.post(
        f"/api/v1/groups/{group_id}/contacts", headers=coordinator, json={"household_id": ids[streets[0]], "name": "Kim"}
    )
    assert (await client.post(f"/api/v1/groups/{group_id}/establish", headers=coordinator, json={})).status_code == 200
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "Aktiv grupp: 7 av 10 hushåll anmälda (70 %)" in html and "uppfyller inte längre" not in html

    # 6 of 10: below the rule; then no contact person either
    assert (await client.delete(f"/api/v1/groups/{group_id}/signups/{ids[streets[6]]}", headers=coordinator)).status_code == 204
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "Gruppen uppfyller inte längre villkoren" in html
    assert "6 av 10 hushåll anmälda (60 %); minst 7 behövs" in html and "saknar kontaktperson" not in html
    assert 'class="badge ok"' not in html
    listing = (await client.get("/kommun/2283")).text
    assert "aktiv, under 70 % anmälda" in listing
    assert "1 aktiv grupp uppfyller inte längre villkoren" in listing
    await client.delete(f"/api/v1/groups/{group_id}/contacts/{contact.json()['id']}", headers=coordinator)
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "Gruppen saknar kontaktperson." in html
    assert "aktiv, under 70 % anmälda, saknar kontaktperson" in (await client.get("/kommun/2283")).text


# --- search ------------------------------------------------------------------------------------------


async def test_search_finds_areas_groups_and_addresses_in_the_users_kommuner(
    client: AsyncTestClient, auth: TokenFactory, coordinator: dict[str, str]
) -> None:
    area_id, ids = await granvagen(client, coordinator)
    await client.post(
        "/api/v1/groups", headers=coordinator, json={"area_id": area_id, "kind": "grannsamverkan", "name": "Grannsamverkan Granen"}
    )
    other = await auth("coordinator", "2505")
    created = await client.post("/api/v1/areas", json=area_feature("Granvägen norr", "2505", (19.176, 65.592)), headers=other)
    assert created.status_code == 201

    home = await client.get("/")
    assert 'role="search"' in home.text and 'action="/sok"' in home.text
    response = await client.get("/sok", params={"q": "gran"})
    assert response.status_code == 200
    html = response.text
    assert f'href="/omraden/{area_id}">Granvägen</a>' in html  # the area
    assert "Grannsamverkan Granen" in html  # the group
    assert f'href="/omraden/{area_id}#hushall-{ids["Granvägen 4A"]}">Granvägen 4A</a>' in html  # an address
    hits = html[html.index('id="hits-addresses"') :]
    assert hits.index("Granvägen 4<") < hits.index("Granvägen 4A<") < hits.index("Granvägen 11<")
    assert "Granvägen norr" not in html  # another kommun's area


async def test_search_of_the_police_shows_no_addresses(client: AsyncTestClient, auth: TokenFactory, coordinator: dict[str, str]) -> None:
    area_id, _ = await granvagen(client, coordinator)
    await sign_in(client, token_of(await auth("police", "2283")))
    html = (await client.get("/sok", params={"q": "Granvägen"})).text
    assert f'href="/omraden/{area_id}">Granvägen</a>' in html
    assert "Granvägen 4" not in html and "hits-addresses" not in html
    assert "Adresser visas inte för din roll." in html


async def test_search_wildcards_match_themselves_and_short_text_is_refused(client: AsyncTestClient, coordinator: dict[str, str]) -> None:
    await granvagen(client, coordinator)
    html = (await client.get("/sok", params={"q": "%_%"})).text
    assert "Inga träffar på ”%_%”." in html
    short = await client.get("/sok", params={"q": "g"})
    assert short.status_code == 422
    assert "Skriv minst 2 tecken att söka efter." in short.text
    assert (await client.get("/sok")).status_code == 200


# --- editing from the pages ------------------------------------------------------------------------------


async def audit_of(conn: asyncpg.Connection, table: str, row_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "select action, before, after from audit_event where table_name = $1 and row_id = $2 order by id", table, row_id
    )


async def test_a_household_address_is_edited_and_audited(
    client: AsyncTestClient, coordinator: dict[str, str], conn: asyncpg.Connection
) -> None:
    area_id, ids = await granvagen(client, coordinator)
    household_id = ids["Granvägen 4"]
    area_html = (await client.get(f"/omraden/{area_id}")).text
    assert f'href="/hushall/{household_id}/andra"' in area_html
    csrf, html = await csrf_for(client, f"/hushall/{household_id}/andra")
    assert 'value="Granvägen 4"' in html and 'value="880 40"' in html

    refused = await client.post(
        f"/hushall/{household_id}/andra", data={"_csrf_token": csrf, "street": "Granvägen 4C", "postcode": "88O4O", "city": "Ramsele"}
    )
    assert refused.status_code == 422
    assert "Postnumret ska vara fem siffror, till exempel 881 30." in refused.text
    assert 'value="Granvägen 4C"' in refused.text and 'aria-invalid="true"' in refused.text
    assert (await conn.fetchval("select street from household where id = $1", household_id)) == "Granvägen 4"

    saved = await client.post(
        f"/hushall/{household_id}/andra",
        data={"_csrf_token": csrf, "street": "  Granvägen 4C ", "postcode": "88040", "city": "Ramsele"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/omraden/{area_id}?klart=hushall#hushall-{household_id}"
    row = await conn.fetchrow("select street, postcode, city from household where id = $1", household_id)
    assert dict(row) == {"street": "Granvägen 4C", "postcode": "880 40", "city": "Ramsele"}
    events = await audit_of(conn, "household", household_id)
    assert events[-1]["action"] == "update"
    assert events[-1]["after"]["street"] == "Granvägen 4C" and events[-1]["before"]["street"] == "Granvägen 4"
    assert "Adressen är sparad." in (await client.get(f"/omraden/{area_id}?klart=hushall")).text


async def test_a_contact_person_is_edited_with_the_same_checks_as_a_new_one(
    client: AsyncTestClient, coordinator: dict[str, str], conn: asyncpg.Connection
) -> None:
    area_id, ids = await granvagen(client, coordinator)
    group_id = (
        await client.post("/api/v1/groups", headers=coordinator, json={"area_id": area_id, "kind": "grannsamverkan", "name": "Granen"})
    ).json()["id"]
    await client.post(f"/api/v1/groups/{group_id}/signups", headers=coordinator, json={"household_id": ids["Granvägen 7"]})
    contact_id = (
        await client.post(
            f"/api/v1/groups/{group_id}/contacts",
            headers=coordinator,
            json={"household_id": ids["Granvägen 7"], "name": "Kim", "phone": "070-123 45 67"},
        )
    ).json()["id"]
    path = f"/grupper/{group_id}/kontaktpersoner/{contact_id}/andra"
    assert f'href="{path}"' in (await client.get(f"/omraden/{area_id}")).text
    csrf, html = await csrf_for(client, path)
    assert 'value="Kim"' in html

    refused = await client.post(path, data={"_csrf_token": csrf, "name": "Kim Ek", "phone": "abc", "email": "inte-en-epost"})
    assert refused.status_code == 422
    assert "Telefonnumret är inte giltigt" in refused.text and "E-postadressen är inte giltig" in refused.text
    assert (await conn.fetchval("select name from contact_person where id = $1", contact_id)) == "Kim"

    saved = await client.post(
        path, data={"_csrf_token": csrf, "name": "Kim Ek", "phone": "+46 70 123 45 67", "email": "kim@example.se"}, follow_redirects=False
    )
    assert saved.status_code == 303
    row = await conn.fetchrow("select name, phone, email from contact_person where id = $1", contact_id)
    assert dict(row) == {"name": "Kim Ek", "phone": "+46 70 123 45 67", "email": "kim@example.se"}
    assert (await audit_of(conn, "contact_person", contact_id))[-1]["action"] == "update"


async def test_area_name_kind_and_group_name_are_edited(
    client: AsyncTestClient, coordinator: dict[str, str], conn: asyncpg.Connection
) -> None:
    area_id, _ = await granvagen(client, coordinator)
    group_id = (
        await client.post("/api/v1/groups", headers=coordinator, json={"area_id": area_id, "kind": "grannsamverkan", "name": "Granen"})
    ).json()["id"]
    csrf, html = await csrf_for(client, f"/omraden/{area_id}/andra")
    assert 'value="Granvägen"' in html and 'value="Granen"' in html

    refused = await client.post(
        f"/omraden/{area_id}/andra", data={"_csrf_token": csrf, "name": "Granvägen norra", "kind": "slott", "group_name": " "}
    )
    assert refused.status_code == 422
    assert "Skriv gruppens namn." in refused.text
    assert (await conn.fetchval("select name from area where id = $1", area_id)) == "Granvägen"
    refused = await client.post(
        f"/omraden/{area_id}/andra", data={"_csrf_token": csrf, "name": "Granvägen norra", "kind": "slott", "group_name": "Granen"}
    )
    assert refused.status_code == 422 and "Välj en av typerna i listan." in refused.text

    saved = await client.post(
        f"/omraden/{area_id}/andra",
        data={"_csrf_token": csrf, "name": "Granvägen norra", "kind": "radhus", "group_name": "Grannsamverkan Granen"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    area = await conn.fetchrow("select name, kind from area where id = $1", area_id)
    assert dict(area) == {"name": "Granvägen norra", "kind": "radhus"}
    assert await conn.fetchval("select name from watch_group where id = $1", group_id) == "Grannsamverkan Granen"
    assert (await audit_of(conn, "watch_group", group_id))[-1]["action"] == "update"
    html = (await client.get(f"/omraden/{area_id}")).text
    assert "<h1>Granvägen norra</h1>" in html and "Grannsamverkan Granen" in html and "Radhusområde" in html


async def test_a_group_is_dissolved_only_when_confirmed(
    client: AsyncTestClient, coordinator: dict[str, str], conn: asyncpg.Connection
) -> None:
    area_id, _ = await granvagen(client, coordinator)
    group_id = (
        await client.post("/api/v1/groups", headers=coordinator, json={"area_id": area_id, "kind": "grannsamverkan", "name": "Granen"})
    ).json()["id"]
    csrf, html = await csrf_for(client, f"/omraden/{area_id}")
    assert f'action="/grupper/{group_id}/upplos"' in html and "data-confirm=" in html

    refused = await client.post(f"/grupper/{group_id}/upplos", data={"_csrf_token": csrf})
    assert refused.status_code == 422
    assert "Bekräfta att gruppen ska lösas upp: bocka i rutan." in refused.text
    assert await conn.fetchval("select status from watch_group where id = $1", group_id) == "forming"

    done = await client.post(f"/grupper/{group_id}/upplos", data={"_csrf_token": csrf, "bekrafta": "1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/omraden/{area_id}?klart=upplost"
    assert await conn.fetchval("select status from watch_group where id = $1", group_id) == "dissolved"
    again = await client.post(f"/grupper/{group_id}/upplos", data={"_csrf_token": csrf, "bekrafta": "1"})
    assert again.status_code == 409 and "Gruppen är redan upplöst" in again.text


async def test_the_police_cannot_edit(client: AsyncTestClient, auth: TokenFactory, coordinator: dict[str, str]) -> None:
    area_id, ids = await granvagen(client, coordinator)
    await sign_in(client, token_of(await auth("police", "2283")))
    for path in (f"/hushall/{ids['Granvägen 4']}/andra", f"/omraden/{area_id}/andra"):
        assert (await client.get(path)).status_code == 403
    assert "Ändra namn och typ" not in (await client.get(f"/omraden/{area_id}")).text


async def test_households_outside_every_area_have_a_page(client: AsyncTestClient, auth: TokenFactory, coordinator: dict[str, str]) -> None:
    await granvagen(client, coordinator)
    for street, lon in (("Myrvägen 12", 16.2), ("Myrvägen 3", 16.21)):
        made = await client.post(
            "/api/v1/households",
            headers=coordinator,
            json={"kommun": "2283", "street": street, "city": "Ramsele", "location": {"type": "Point", "coordinates": [lon, 63.4]}},
        )
        assert made.status_code == 201 and made.json()["area_id"] is None
    assert 'href="/kommun/2283/utanfor-omraden"' in (await client.get("/kommun/2283")).text
    html = (await client.get("/kommun/2283/utanfor-omraden")).text
    assert "2 hushåll i Sollefteå ligger inte i något område" in html
    assert html.index("Myrvägen 3") < html.index("Myrvägen 12")
    assert "Granvägen 4" not in html
    await sign_in(client, token_of(await auth("police", "2283")))
    assert (await client.get("/kommun/2283/utanfor-omraden")).status_code == 403
    await sign_in(client, token_of(await auth("coordinator", "2505")))
    assert (await client.get("/kommun/2283/utanfor-omraden")).status_code == 404
