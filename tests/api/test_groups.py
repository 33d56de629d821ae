from __future__ import annotations

import asyncio

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.db.pool import create_pool
from grannsamverkan.domain.access import SYSTEM
from grannsamverkan.errors import Conflict
from grannsamverkan.services import groups as group_cases
from grannsamverkan.services.groups import withdraw_signup
from tests.conftest import TokenFactory, assert_problem
from tests.factories import api_village
from tests.geodata import ARVIDSJAUR, RAMSELE


async def test_the_ramsele_story(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    area_id, household_ids = await api_village(client, headers)
    group = await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "Byavakt Ramsele"}, headers=headers)
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    assert group.json()["status"] == "forming"

    eligibility = (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()
    assert eligibility == {
        "group_id": group_id,
        "households_total": 10,
        "households_signed_up": 0,
        "share": 0.0,
        "threshold": 0.7,
        "required_signups": 7,
        "missing_signups": 7,
        "has_contact_person": False,
        "eligible": False,
        "reasons": ["below_threshold", "no_contact_person"],
    }
    for household_id in household_ids[:6]:
        assert (
            await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_id}, headers=headers)
        ).status_code == 201
    assert_problem(await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_ids[0]}, headers=headers), 409)

    # A contact person's household must be signed up.
    assert_problem(
        await client.post(
            f"/api/v1/groups/{group_id}/contacts", json={"household_id": household_ids[9], "name": "Åsa Öberg"}, headers=headers
        ),
        409,
    )
    contact = await client.post(
        f"/api/v1/groups/{group_id}/contacts",
        json={"household_id": household_ids[0], "name": "Åsa Öberg", "phone": "070-123 45 67", "email": "asa@example.se"},
        headers=headers,
    )
    assert contact.status_code == 201, contact.text

    refused = assert_problem(await client.post(f"/api/v1/groups/{group_id}/establish", json={}, headers=headers), 409)
    assert "färre än 70 % av hushållen är anmälda" in refused["detail"]

    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_ids[6]}, headers=headers)
    eligibility = (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()
    assert eligibility["households_signed_up"] == 7 and eligibility["eligible"] is True and eligibility["reasons"] == []
    assert eligibility["share"] == 0.7 and eligibility["missing_signups"] == 0

    established = await client.post(f"/api/v1/groups/{group_id}/establish", json={"established_on": "2026-05-04"}, headers=headers)
    assert established.status_code == 200, established.text
    assert established.json()["status"] == "active" and established.json()["established_on"] == "2026-05-04"
    not_forming = (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()
    assert not_forming["reasons"] == ["not_forming"]

    # At most one group that is not dissolved per area.
    assert_problem(
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "grannsamverkan", "name": "Andra"}, headers=headers), 409
    )
    dissolved = await client.post(f"/api/v1/groups/{group_id}/dissolve", json={"dissolved_on": "2026-10-01"}, headers=headers)
    assert dissolved.json()["status"] == "dissolved"
    assert (
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "grannsamverkan", "name": "Andra"}, headers=headers)
    ).status_code == 201


async def test_withdrawal_and_household_outside_the_area(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("admin")
    area_id, household_ids = await api_village(client, headers, n=3)
    _, far_away = await api_village(client, headers, n=1, kommun="2505", center=ARVIDSJAUR)
    group_id = (await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "B"}, headers=headers)).json()[
        "id"
    ]
    body = assert_problem(await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": far_away[0]}, headers=headers), 422)
    assert body["errors"][0]["field"] == "household_id"
    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_ids[0]}, headers=headers)
    await client.post(f"/api/v1/groups/{group_id}/contacts", json={"household_id": household_ids[0], "name": "Kim"}, headers=headers)
    # The household holds the contact person: refused until the erasure is confirmed (issue 13, item 3).
    assert_problem(await client.delete(f"/api/v1/groups/{group_id}/signups/{household_ids[0]}", headers=headers), 409)
    assert (await client.delete(f"/api/v1/groups/{group_id}/signups/{household_ids[0]}?bekrafta=1", headers=headers)).status_code == 204
    assert_problem(await client.delete(f"/api/v1/groups/{group_id}/signups/{household_ids[0]}", headers=headers), 404)
    eligibility = (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()
    assert eligibility["households_signed_up"] == 0 and eligibility["has_contact_person"] is False


async def test_existing_group_is_registered_active_with_its_past_date(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    area_id, _ = await api_village(client, headers, n=2)
    created = await client.post(
        "/api/v1/groups",
        json={"area_id": area_id, "kind": "grannsamverkan", "name": "Sedan 2012", "status": "active", "established_on": "2012-03-01"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["registered_as_existing"] is True and created.json()["established_on"] == "2012-03-01"
    assert_problem(
        await client.post(
            "/api/v1/groups", json={"area_id": area_id, "kind": "grannsamverkan", "name": "x", "status": "active"}, headers=headers
        ),
        422,
    )
    future = {"area_id": area_id, "kind": "grannsamverkan", "name": "x", "status": "active", "established_on": "2999-01-01"}
    assert_problem(await client.post("/api/v1/groups", json=future, headers=headers), 422)
    second = {**future, "established_on": "2013-01-01"}
    assert_problem(await client.post("/api/v1/groups", json=second, headers=headers), 409)


async def test_bad_group_input(client: AsyncTestClient, auth: TokenFactory) -> None:
    headers = await auth("coordinator", "2283")
    area_id, _ = await api_village(client, headers, n=1)
    body = assert_problem(
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "kvartersvakt", "name": "x"}, headers=headers), 422
    )
    assert any("kind" in e["field"] for e in body["errors"])
    assert_problem(
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "x", "extra": 1}, headers=headers), 422
    )
    assert_problem(await client.post("/api/v1/groups", content=b"{not json", headers={**headers, "content-type": "application/json"}), 400)
    assert_problem(await client.post("/api/v1/groups", json={"area_id": 999999, "kind": "byavakt", "name": "x"}, headers=headers), 422)


async def test_police_see_contacts_but_no_households_or_signups(client: AsyncTestClient, auth: TokenFactory) -> None:
    coordinator = await auth("coordinator", "2283")
    police = await auth("police", "2283")
    area_id, household_ids = await api_village(client, coordinator, n=2)
    group_id = (await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "B"}, headers=coordinator)).json()[
        "id"
    ]
    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_ids[0]}, headers=coordinator)
    await client.post(
        f"/api/v1/groups/{group_id}/contacts",
        json={"household_id": household_ids[0], "name": "Kontakt Person", "phone": "070-123 45 67"},
        headers=coordinator,
    )

    contacts = await client.get(f"/api/v1/groups/{group_id}/contacts", headers=police)
    assert contacts.status_code == 200 and contacts.json()["items"][0]["name"] == "Kontakt Person"
    assert (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=police)).status_code == 200
    for path in (
        f"/api/v1/groups/{group_id}/signups",
        f"/api/v1/areas/{area_id}/households",
        f"/api/v1/households/{household_ids[0]}",
        "/api/v1/households?kommun=2283",
    ):
        assert_problem(await client.get(path, headers=police), 403)
    assert_problem(await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_ids[1]}, headers=police), 403)


async def test_foreign_kommun_sees_nothing_of_a_group(client: AsyncTestClient, auth: TokenFactory) -> None:
    solleftea = await auth("coordinator", "2283")
    arvidsjaur = await auth("coordinator", "2505")
    arvidsjaur_police = await auth("police", "2505")
    area_id, household_ids = await api_village(client, solleftea, n=2)
    group_id = (await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "B"}, headers=solleftea)).json()[
        "id"
    ]
    for headers in (arvidsjaur, arvidsjaur_police):
        for path in (f"/api/v1/groups/{group_id}", f"/api/v1/groups/{group_id}/eligibility", f"/api/v1/groups/{group_id}/contacts"):
            assert_problem(await client.get(path, headers=headers), 404)
        assert (await client.get("/api/v1/groups", headers=headers)).json()["total"] == 0
    assert_problem(await client.get(f"/api/v1/households/{household_ids[0]}", headers=arvidsjaur), 404)
    assert_problem(
        await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_ids[0]}, headers=arvidsjaur), 404
    )
    assert_problem(await client.post(f"/api/v1/groups/{group_id}/establish", json={}, headers=arvidsjaur), 404)
    assert_problem(await client.delete(f"/api/v1/households/{household_ids[0]}", headers=arvidsjaur), 404)
    assert_problem(await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "x"}, headers=arvidsjaur), 422)


async def test_concurrent_signups_are_all_counted_and_establish_never_uses_a_stale_count(
    client: AsyncTestClient, auth: TokenFactory, database_url: str
) -> None:
    headers = await auth("coordinator", "2283")
    area_id, household_ids = await api_village(client, headers, n=40)
    group_id = (await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "B"}, headers=headers)).json()[
        "id"
    ]
    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_ids[0]}, headers=headers)
    await client.post(f"/api/v1/groups/{group_id}/contacts", json={"household_id": household_ids[0], "name": "K"}, headers=headers)
    pool = await create_pool(database_url, min_size=8, max_size=8)

    async def sign(household_id: int) -> None:
        async with pool.acquire() as conn:
            await group_cases.sign_up(conn, SYSTEM, group_id, household_id)

    async def withdraw(household_id: int) -> None:
        async with pool.acquire() as conn:
            await withdraw_signup(conn, SYSTEM, group_id, household_id)

    outcomes: list[str] = []

    async def establish() -> None:
        async with pool.acquire() as conn:
            try:
                result = await group_cases.establish(conn, SYSTEM, group_id, __import__("datetime").date(2026, 6, 1))
                # The decision was made on the count at that moment, under the group row's lock.
                actual = await conn.fetchval("select count(*) from signup where group_id = $1", group_id)
                outcomes.append(f"established:{result.households_signed_up}:{actual}")
            except Conflict:
                outcomes.append("refused")

    try:
        # 27 more sign-ups (28 of 40 = 70 %) racing with withdrawals of 5 of them and establish attempts.
        tasks = [sign(h) for h in household_ids[1:28]] + [establish() for _ in range(5)]
        await asyncio.gather(*tasks)
        await asyncio.gather(*(withdraw(h) for h in household_ids[1:6]))
        async with pool.acquire() as conn:
            counted = await conn.fetchval("select households_signed_up from watch_group where id = $1", group_id)
            actual = await conn.fetchval("select count(*) from signup where group_id = $1", group_id)
    finally:
        await pool.close()
    assert counted == actual == 23
    established = [o for o in outcomes if o.startswith("established")]
    assert len(established) <= 1
    for outcome in established:
        _, seen, at_commit = outcome.split(":")
        assert int(seen) >= 28 and int(seen) <= int(at_commit)


async def test_erasing_a_household_removes_its_personal_data_everywhere(
    client: AsyncTestClient, auth: TokenFactory, conn: asyncpg.Connection
) -> None:
    headers = await auth("coordinator", "2283")
    area_id, _household_ids = await api_village(client, headers, n=2)
    created = await client.post(
        "/api/v1/households",
        json={
            "kommun": "2283",
            "street": "Hemliga vägen 7",
            "postcode": "880 40",
            "city": "Ramsele",
            "location": {"type": "Point", "coordinates": list(RAMSELE)},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    household_id = created.json()["id"]
    assert created.json()["area_id"] == area_id
    group_id = (await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "B"}, headers=headers)).json()[
        "id"
    ]
    await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": household_id}, headers=headers)
    await client.post(
        f"/api/v1/groups/{group_id}/contacts",
        json={"household_id": household_id, "name": "Greta Hemlig", "phone": "070-999 88 77", "email": "greta@hemlig.se"},
        headers=headers,
    )
    assert (await client.delete(f"/api/v1/households/{household_id}", headers=headers)).status_code == 204
    dump = await conn.fetchval(
        """select string_agg(t::text, ' ') from (
            select row_to_json(h)::text as t from household h union all
            select row_to_json(c)::text from contact_person c union all
            select row_to_json(a)::text from audit_event a) all_rows"""
    )
    for secret in ("Hemliga vägen", "Greta Hemlig", "070-999 88 77", "greta@hemlig.se"):
        assert secret not in dump
    actions = await conn.fetch("select action from audit_event where table_name = 'household' and row_id = $1", household_id)
    assert {r["action"] for r in actions} == {"insert", "erase"}
    eligibility = (await client.get(f"/api/v1/groups/{group_id}/eligibility", headers=headers)).json()
    assert eligibility["households_total"] == 2 and eligibility["households_signed_up"] == 0
