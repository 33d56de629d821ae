"""Issue 13, items 2, 3 and 9, and "keep it fixed": after every path that erases a contact person
or a household (the DELETE routes, a confirmed withdrawal, an area reshape, a household re-import)
none of the erased values is left in a dump of the whole database, in the PostgreSQL server's log,
or in the data files of the database (tables, indexes, TOAST, catalogs) after a checkpoint. The
reshape and the re-import are refused with 409 naming the households and contact persons unless
the caller confirms the erasure; the trigger refuses any path that forgets.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import Clones, TokenFactory, assert_problem
from tests.db.test_personal_data import _leaks, _variants, whole_database
from tests.geodata import RAMSELE, SOLLEFTEA, area_feature, grid_points, households_csv, square

N = 6


async def data_files(conn: asyncpg.Connection) -> bytes:
    """The bytes of every relation of the database (after a checkpoint writes the pages out),
    read by the server itself (superuser): the test works with an external server too."""
    await conn.execute("checkpoint")
    rows = await conn.fetch(
        "select c.oid::regclass::text as name, pg_relation_filepath(c.oid) as path from pg_class c "
        "where c.relpersistence = 'p' and c.reltablespace <> (select oid from pg_tablespace where spcname = 'pg_global') "
        "and pg_relation_filepath(c.oid) is not null"
    )
    assert len(rows) > 100  # catalogs included (pg_statistic, for one)
    parts = []
    for r in rows:
        try:
            parts.append(await conn.fetchval("select pg_read_binary_file($1)", r["path"]))
        except asyncpg.UndefinedFileError:
            continue  # a relation without a main fork file yet
    return b"\n".join(parts)


async def server_log(conn: asyncpg.Connection) -> str:
    """The server's log: the logging collector's current file, or the file the embedded server
    writes (``<data directory>/log``, db/embedded.py)."""
    for query in ("select pg_read_file(pg_current_logfile())", "select pg_read_file('log')"):
        try:
            text = await conn.fetchval(query)
        except (asyncpg.PostgresError, TypeError):
            continue
        if text:
            return text
    if os.environ.get("TEST_DATABASE_URL"):
        return ""  # an external server may log elsewhere (syslog, a collector outside the data directory)
    raise AssertionError("the embedded server's log was not found")


def _in_files(files: bytes, secrets: dict[str, str]) -> list[str]:
    return [f"{what} ({value!r})" for what, value in secrets.items() for form in _variants(value) if form.encode() in files]


def contact_values(tag: str) -> dict[str, str]:
    digits = "".join(random.choice("0123456789") for _ in range(7))
    return {
        "name": f"Hemlig Kontaktsson {tag}",
        "phone": f"070-{digits[:3]} {digits[3:5]} {digits[5:]}",
        "email": f"hemlig.{tag}@example.se",
    }


@dataclass
class World:
    headers: dict[str, str]
    area_id: int
    group_id: int
    household_ids: list[int]
    west: int  # a household in the west part of the area (it leaves when the area shrinks to the east)
    tag: str


@pytest.fixture
async def world(client: AsyncTestClient, auth: TokenFactory, clones: Clones) -> World:
    await clones.settled()  # no CREATE DATABASE may hold back the VACUUM FULL of the erasure
    headers = await auth("coordinator", "2283")
    tag = uuid.uuid4().hex[:10]  # the server log is shared by every test: values unique to this one
    area_id = (await client.post("/api/v1/areas", json=area_feature("Byn", "2283", RAMSELE), headers=headers)).json()["properties"]["id"]
    imported = await client.post(
        "/api/v1/households/import?kommun=2283", content=_csv(tag).encode(), headers={**headers, "content-type": "text/csv"}
    )
    assert imported.status_code == 200 and imported.json()["assigned"] == N, imported.text
    items = (await client.get(f"/api/v1/areas/{area_id}/households", headers=headers)).json()["items"]
    west = min(items, key=lambda h: (h["location"]["coordinates"][0], h["id"]))["id"]
    group_id = (
        await client.post("/api/v1/groups", json={"area_id": area_id, "kind": "byavakt", "name": "Byavakten"}, headers=headers)
    ).json()["id"]
    for h in items:
        assert (await client.post(f"/api/v1/groups/{group_id}/signups", json={"household_id": h["id"]}, headers=headers)).status_code == 201
    return World(headers, area_id, group_id, [h["id"] for h in items], west, tag)


def _csv(tag: str, moved: dict[int, tuple[float, float]] | None = None) -> str:
    points = grid_points(RAMSELE, N)
    for i, point in (moved or {}).items():
        points[i] = point
    return households_csv(f"e-{tag}-", points)


async def add_contact(client: AsyncTestClient, w: World, household_id: int) -> tuple[int, dict[str, str]]:
    values = contact_values(w.tag + str(household_id))
    response = await client.post(f"/api/v1/groups/{w.group_id}/contacts", json={"household_id": household_id, **values}, headers=w.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"], values


async def assert_gone(conn: asyncpg.Connection, database_url: str, secrets: dict[str, str]) -> None:
    dump = await whole_database(conn, database_url)
    assert not _leaks(dump, secrets), "left in the database: " + ", ".join(_leaks(dump, secrets))
    files = await data_files(conn)
    assert not _in_files(files, secrets), "left in the data files: " + ", ".join(_in_files(files, secrets))
    log = await server_log(conn)
    assert not _leaks(log, secrets), "written to the server log: " + ", ".join(_leaks(log, secrets))


async def assert_present(conn: asyncpg.Connection, database_url: str, secrets: dict[str, str]) -> None:
    """The searches find the values while they exist (or their finding nothing would prove nothing)."""
    dump = await whole_database(conn, database_url)
    files = await data_files(conn)
    for what, value in secrets.items():
        assert value in dump, what
        assert value.encode() in files, what


def _contact_secrets(values: dict[str, str]) -> dict[str, str]:
    return {f"contact {k}": v for k, v in values.items()}


async def test_delete_routes_and_confirmed_withdrawal_leave_nothing(
    client: AsyncTestClient, conn: asyncpg.Connection, database_url: str, world: World
) -> None:
    w = world
    by_household, household_values = await add_contact(client, w, w.household_ids[0])
    by_route, route_values = await add_contact(client, w, w.household_ids[1])
    by_withdrawal, withdrawal_values = await add_contact(client, w, w.household_ids[2])
    street = await conn.fetchval("select street || ' ' || external_ref from household where id = $1", w.household_ids[0])
    ref = await conn.fetchval("select external_ref from household where id = $1", w.household_ids[0])
    secrets = {
        "household external_ref": ref,
        **_contact_secrets(household_values),
        **_contact_secrets(route_values),
        **_contact_secrets(withdrawal_values),
    }
    assert street
    await assert_present(conn, database_url, secrets)
    # ANALYZE (autovacuum runs it too) samples values into pg_statistic, which no erasure reaches:
    # the columns with personal data have no statistics (0008).
    await conn.execute("analyze")
    assert not await conn.fetchval("select count(*) from pg_stats where tablename like 'household%' and attname = 'street'")

    assert (await client.delete(f"/api/v1/households/{w.household_ids[0]}", headers=w.headers)).status_code == 204
    assert (await client.delete(f"/api/v1/groups/{w.group_id}/contacts/{by_route}", headers=w.headers)).status_code == 204
    assert (
        await client.delete(f"/api/v1/groups/{w.group_id}/signups/{w.household_ids[2]}?bekrafta=1", headers=w.headers)
    ).status_code == 204
    await assert_gone(conn, database_url, secrets)
    erased = await conn.fetch("select row_id from audit_event where table_name = 'contact_person' and action = 'erase' order by row_id")
    assert [r["row_id"] for r in erased] == sorted([by_household, by_route, by_withdrawal])


async def test_an_area_reshape_is_refused_until_the_contact_persons_erasure_is_confirmed(
    client: AsyncTestClient, conn: asyncpg.Connection, database_url: str, world: World
) -> None:
    w = world
    contact_id, values = await add_contact(client, w, w.west)
    staying_id, _ = await add_contact(client, w, next(h for h in w.household_ids if h != w.west))
    secrets = _contact_secrets(values)
    await assert_present(conn, database_url, secrets)
    # The eastern part of the area: the western households leave it.
    east = {"geometry": {"type": "Polygon", "coordinates": square((RAMSELE[0] + 0.0022, RAMSELE[1]), 0.0029)}}

    refused = assert_problem(await client.patch(f"/api/v1/areas/{w.area_id}", json=east, headers=w.headers), 409)
    assert f"hushåll {w.west}" in refused["detail"] and f"kontaktperson {contact_id}" in refused["detail"]
    assert "bekrafta=1" in refused["detail"] and values["name"] not in refused["detail"]
    # Nothing changed: the shape, the sign-ups, the contact person.
    assert await conn.fetchval("select count(*) from signup where group_id = $1", w.group_id) == N
    assert await conn.fetchval("select count(*) from contact_person") == 2
    assert await conn.fetchval("select area_id from household where id = $1", w.west) == w.area_id

    changed = await client.patch(f"/api/v1/areas/{w.area_id}?bekrafta=1", json=east, headers=w.headers)
    assert changed.status_code == 200, changed.text
    left = [r["id"] for r in await conn.fetch("select id from household where area_id is distinct from $1", w.area_id)]
    assert w.west in left and len(left) < N
    assert [r["id"] for r in await conn.fetch("select id from contact_person")] == [staying_id]
    await assert_gone(conn, database_url, secrets)
    # Audited: the erasure, and the sign-ups the households left behind.
    assert (
        await conn.fetchval(
            "select count(*) from audit_event where table_name = 'contact_person' and row_id = $1 and action = 'erase'", contact_id
        )
        == 1
    )
    withdrawn = await conn.fetchval(
        "select before from audit_event where table_name = 'signup' and action = 'delete' and row_id = $1", w.group_id
    )
    assert sorted(withdrawn["household_ids"]) == sorted(left)
    eligibility = (await client.get(f"/api/v1/groups/{w.group_id}/eligibility", headers=w.headers)).json()
    assert eligibility["households_signed_up"] == N - len(left) and eligibility["has_contact_person"] is True


async def test_a_household_reimport_is_refused_until_the_contact_persons_erasure_is_confirmed(
    client: AsyncTestClient, conn: asyncpg.Connection, database_url: str, world: World
) -> None:
    w = world
    moving = w.household_ids[0]
    contact_id, values = await add_contact(client, w, moving)
    secrets = _contact_secrets(values)
    await assert_present(conn, database_url, secrets)
    ref = await conn.fetchval("select external_ref from household where id = $1", moving)
    index = int(ref.rsplit("-", 1)[1])
    moved = _csv(w.tag, {index: SOLLEFTEA}).encode()  # to Sollefteå town: in the kommun, in no area
    url = "/api/v1/households/import?kommun=2283"
    csv = {**w.headers, "content-type": "text/csv"}

    refused = assert_problem(await client.post(url, content=moved, headers=csv), 409)
    assert f"hushåll {moving}" in refused["detail"] and f"kontaktperson {contact_id}" in refused["detail"]
    assert await conn.fetchval("select area_id from household where id = $1", moving) == w.area_id
    assert await conn.fetchval("select count(*) from contact_person") == 1

    imported = await client.post(url + "&bekrafta=1", content=moved, headers=csv)
    assert imported.status_code == 200, imported.text
    assert imported.json()["updated"] == 1 and imported.json()["contact_persons_erased"] == 1
    assert await conn.fetchval("select area_id from household where id = $1", moving) is None
    assert await conn.fetchval("select count(*) from contact_person") == 0
    assert await conn.fetchval("select count(*) from signup where household_id = $1", moving) == 0
    await assert_gone(conn, database_url, secrets)
    # An import that moves no contact person's household needs no confirmation.
    back = await client.post(url, content=_csv(w.tag).encode(), headers=csv)
    assert back.status_code == 200 and back.json()["updated"] == 1, back.text


async def test_the_database_refuses_to_drop_a_contact_person_with_a_moving_household(
    client: AsyncTestClient, conn: asyncpg.Connection, world: World
) -> None:
    """The last line, for a path that forgets: the trigger that withdraws the sign-ups of a
    household that left its area refuses when the household holds a contact person there."""
    contact_id, _ = await add_contact(client, world, world.west)
    with pytest.raises(asyncpg.RestrictViolationError) as info:
        await conn.execute("update household set area_id = null where id = $1", world.west)
    assert info.value.constraint_name == "contact_person_household_left_area"
    assert str(world.west) in str(info.value) and str(contact_id) in str(info.value)
    assert await conn.fetchval("select count(*) from contact_person where id = $1", contact_id) == 1
    # Without a contact person the household moves and its sign-up goes, as before.
    other = next(h for h in world.household_ids if h != world.west)
    await conn.execute("update household set area_id = null where id = $1", other)
    assert await conn.fetchval("select count(*) from signup where household_id = $1", other) == 0
