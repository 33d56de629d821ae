"""Issue 13, items 3 and 13: a contact person's (kontaktombud's) details are checked on the server,
a household has at most one, and none disappears without an explicit, audited erasure."""

from __future__ import annotations

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from grannsamverkan.domain.contact import check_contact_details
from grannsamverkan.errors import InvalidInput
from tests.conftest import TokenFactory, assert_problem
from tests.geodata import RAMSELE, area_feature, grid_points, households_csv
from tests.web.test_pages import csrf_for, sign_in, token_of


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "+46 70 123 45 67",
        "0701234567",
        "+46701234567",
        "0046 70 123 45 67",
        "08-123 456 78",
        "0620-123 45",
        "+46 (0)70-123 45 67",
        "+47 22 12 34 56",
    ],
)
def test_swedish_and_international_phone_numbers_are_accepted(phone: str) -> None:
    assert check_contact_details("Anna", phone, None).phone == phone


@pytest.mark.parametrize(
    "phone",
    [
        "abc",
        "070",
        "070-123 45 67 89 01",
        "12345678",
        "+46 0",
        "070-abc 45 67",
        "+",
        "07O-123 45 67",
        "070–123–45–67",
        "x" * 41,
    ],
)
def test_what_is_not_a_phone_number_is_refused_naming_the_field(phone: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_contact_details("Anna", phone, None)
    assert [e.field for e in info.value.errors] == ["phone"]
    assert "Telefonnumret" in info.value.errors[0].message


@pytest.mark.parametrize("email", ["anna.berg@example.se", "a+grannar@sollefteå-kommun.example.se".replace("å", "a"), "x@y.se"])
def test_email_addresses_are_accepted(email: str) -> None:
    assert check_contact_details("Anna", None, email).email == email


@pytest.mark.parametrize(
    "email",
    [
        "inte-en-epost",
        "anna@",
        "@example.se",
        "anna@example",
        "anna berg@example.se",
        "anna@@example.se",
        "anna..berg@example.se",
        ".anna@example.se",
        "anna@-example.se",
        "anna@example..se",
        "a" * 65 + "@example.se",
    ],
)
def test_what_is_not_an_email_address_is_refused_naming_the_field(email: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_contact_details("Anna", None, email)
    assert [e.field for e in info.value.errors] == ["email"]
    assert "E-postadressen" in info.value.errors[0].message


def test_names_are_trimmed_and_need_content_without_control_characters() -> None:
    assert check_contact_details("  Anna Berg ", " 070-123 45 67 ", "") == check_contact_details("Anna Berg", "070-123 45 67", None)
    for name in ("", "   ", "Anna\x1b[31m", "A\x00", "x" * 201):
        with pytest.raises(InvalidInput) as info:
            check_contact_details(name, None, None)
        assert [e.field for e in info.value.errors] == ["name"]


async def _signed_up_household(client: AsyncTestClient, headers: dict[str, str], n: int = 3) -> tuple[int, int, list[int]]:
    area_id = (await client.post("/api/v1/areas", json=area_feature("Byn", "2283", RAMSELE), headers=headers)).json()["properties"]["id"]
    imported = await client.post(
        "/api/v1/households/import?kommun=2283",
        content=households_csv("k-", grid_points(RAMSELE, n)).encode(),
        headers={**headers, "content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    ids = [h["id"] for h in (await client.get(f"/api/v1/areas/{area_id}/households", headers=headers)).json()["items"]]
    group_id = (
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "Byavakten"}, headers=headers)
    ).json()["id"]
    for household_id in ids:
        signed = await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_id}, headers=headers)
        assert signed.status_code == 201, signed.text
    return area_id, group_id, ids


async def test_the_api_refuses_bad_contact_details_with_swedish_422s(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    headers = await auth("coordinator", "2283")
    _, group_id, ids = await _signed_up_household(client, headers)
    url = f"/api/v1/groups/{group_id}/contacts"
    body = assert_problem(await client.post(url, json={"household_id": ids[0], "name": "Anna", "phone": "abc"}, headers=headers), 422)
    assert [e["field"] for e in body["errors"]] == ["phone"] and "Telefonnumret är inte giltigt" in body["detail"]
    body = assert_problem(
        await client.post(url, json={"household_id": ids[0], "name": "Anna", "email": "inte-en-epost"}, headers=headers), 422
    )
    assert [e["field"] for e in body["errors"]] == ["email"] and "E-postadressen är inte giltig" in body["detail"]
    body = assert_problem(
        await client.post(url, json={"household_id": ids[0], "name": " ", "phone": "abc", "email": "x"}, headers=headers), 422
    )
    assert [e["field"] for e in body["errors"]] == ["name", "phone", "email"]
    assert await conn.fetchval("select count(*) from contact_person") == 0

    created = await client.post(
        url, json={"household_id": ids[0], "name": "Anna", "phone": "+46 70 123 45 67", "email": "anna@example.se"}, headers=headers
    )
    assert created.status_code == 201, created.text


async def test_one_contact_person_per_household(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    headers = await auth("coordinator", "2283")
    _, group_id, ids = await _signed_up_household(client, headers)
    url = f"/api/v1/groups/{group_id}/contacts"
    assert (await client.post(url, json={"household_id": ids[0], "name": "Anna"}, headers=headers)).status_code == 201
    body = assert_problem(await client.post(url, json={"household_id": ids[0], "name": "Bo"}, headers=headers), 409)
    assert body["errors"][0]["field"] == "household_id" and "redan en kontaktperson" in body["detail"]
    # Another household of the group may have one.
    assert (await client.post(url, json={"household_id": ids[1], "name": "Bo"}, headers=headers)).status_code == 201
    # The database holds the rule too (the last line against a path that forgets to check).
    group_kommun = await conn.fetchval("select kommun from watch_group where id = $1", group_id)
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute(
            "insert into contact_person (group_id, household_id, kommun, name, consent_at) values ($1, $2, $3, 'Cecilia', now())",
            group_id,
            ids[0],
            group_kommun,
        )


async def test_withdrawing_a_contact_persons_sign_up_needs_confirmation(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    headers = await auth("coordinator", "2283")
    _, group_id, ids = await _signed_up_household(client, headers)
    contact = (
        await client.post(
            f"/api/v1/groups/{group_id}/contacts",
            json={"household_id": ids[0], "name": "Anna Kvarsson", "phone": "070-123 45 67"},
            headers=headers,
        )
    ).json()
    body = assert_problem(await client.delete(f"/api/v1/groups/{group_id}/signups/{ids[0]}", headers=headers), 409)
    assert "kontaktperson" in body["detail"] and "bekrafta=1" in body["detail"] and str(contact["id"]) in body["detail"]
    assert "ingen kontaktperson" in body["detail"]  # the group would fall below the rule: said
    # Nothing changed.
    assert await conn.fetchval("select count(*) from contact_person") == 1
    assert await conn.fetchval("select count(*) from signup where group_id = $1", group_id) == 3
    # A household without a role withdraws as before.
    assert (await client.delete(f"/api/v1/groups/{group_id}/signups/{ids[1]}", headers=headers)).status_code == 204

    assert (await client.delete(f"/api/v1/groups/{group_id}/signups/{ids[0]}?bekrafta=1", headers=headers)).status_code == 204
    assert await conn.fetchval("select count(*) from contact_person") == 0
    # Recorded as an erasure of the contact person, whose values are gone from the trail.
    events = await conn.fetch(
        "select action, before, after, erased_at from audit_event where table_name = 'contact_person' and row_id = $1 order by id",
        contact["id"],
    )
    assert [e["action"] for e in events] == ["insert", "erase"]
    assert events[0]["erased_at"] is not None and events[0]["after"] is None
    assert "Kvarsson" not in str(events[1]["after"])
    eligibility = (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()
    assert eligibility["has_contact_person"] is False and eligibility["households_signed_up"] == 1


async def test_the_pages_ask_before_a_contact_person_goes(client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection) -> None:
    headers = await auth("coordinator", "2283")
    area_id, group_id, ids = await _signed_up_household(client, headers)
    await sign_in(client, token_of(headers))
    csrf, _ = await csrf_for(client, f"/omraden/{area_id}")
    refused = await client.post(
        f"/grupper/{group_id}/kontaktpersoner", data={"_csrf_token": csrf, "household_id": str(ids[0]), "name": "Anna", "phone": "abc"}
    )
    assert refused.status_code == 422 and "Telefonnumret är inte giltigt" in refused.text
    added = await client.post(
        f"/grupper/{group_id}/kontaktpersoner",
        follow_redirects=False,
        data={"_csrf_token": csrf, "household_id": str(ids[0]), "name": "Anna", "phone": "070-123 45 67"},
    )
    assert added.status_code == 303
    again = await client.post(
        f"/grupper/{group_id}/kontaktpersoner",
        data={"_csrf_token": csrf, "household_id": str(ids[0]), "name": "Bo", "email": "bo@example.se"},
    )
    assert again.status_code == 409 and "redan en kontaktperson" in again.text

    html = (await client.get(f"/omraden/{area_id}")).text
    assert 'name="bekrafta"' in html  # the row of the contact person's household has the box
    withdraw = {"_csrf_token": csrf, "household_id": str(ids[0]), "atgard": "ta-bort"}
    refused = await client.post(f"/grupper/{group_id}/anmalan", data=withdraw)
    assert refused.status_code == 409 and "bekräfta" in refused.text.lower()
    assert await conn.fetchval("select count(*) from contact_person") == 1
    done = await client.post(f"/grupper/{group_id}/anmalan", data={**withdraw, "bekrafta": "1"}, follow_redirects=False)
    assert done.status_code == 303
    assert await conn.fetchval("select count(*) from contact_person") == 0
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'contact_person' and action = 'erase'") == 1
