"""The copies on the group row that the eligibility read uses (migration 0007): the area's
household total and the number of contact persons. Every way households, areas and contact
persons change must keep them equal to what they copy."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
import shapely

from grannsamverkan.cli import cli_actor
from grannsamverkan.db import areas, groups, household_import, households
from grannsamverkan.db.locks import lock_kommun
from grannsamverkan.services import groups as group_cases
from grannsamverkan.services import households as household_cases
from tests.factories import area, group
from tests.geodata import (
    ARVIDSJAUR,
    RAMSELE,
    SOLLEFTEA,
    grid_points,
    households_csv,
)


async def _copies_match(conn: asyncpg.Connection) -> int:
    """Assert every group's copies equal their sources; answer how many groups there are."""
    rows = await conn.fetch("""
        select g.id, g.households_total, a.households_total as area_total,
               g.contact_persons, (select count(*) from contact_person c where c.group_id = g.id) as contacts
        from watch_group g join area a on a.id = g.area_id""")
    for r in rows:
        assert (r["households_total"], r["contact_persons"]) == (r["area_total"], r["contacts"]), dict(r)
    return len(rows)


async def test_copies_follow_imports_erasures_area_changes_and_contact_persons(conn: asyncpg.Connection) -> None:
    centre = await area(conn, "Centrum", "2283", SOLLEFTEA)
    ramsele = await area(conn, "Ramsele", "2283", RAMSELE)
    by = await area(conn, "By", "2505", ARVIDSJAUR)
    # A group before any household, one per area.
    group_ids = [await group(conn, area_id, name) for area_id, name in ((centre, "C"), (ramsele, "R"), (by, "B"))]
    assert await _copies_match(conn) == 3

    # A kommun's first import (its own partition, counts added directly), then a later one.
    await household_import.import_households(conn, cli_actor(), "2283", households_csv("c", grid_points(SOLLEFTEA, 9)).encode())
    await household_import.import_households(
        conn,
        cli_actor(),
        "2283",
        (households_csv("c", grid_points(SOLLEFTEA, 9)) + households_csv("r", grid_points(RAMSELE, 4)).split("\n", 1)[1]).encode(),
    )
    await household_import.import_households(conn, cli_actor(), "2505", households_csv("b", grid_points(ARVIDSJAUR, 3)).encode())
    await _copies_match(conn)
    assert (await groups.eligibility(conn, group_ids[0], None)).households_total == 9
    assert (await groups.eligibility(conn, group_ids[1], None)).households_total == 4

    # A household added one by one, and one erased.
    x, y = 620_000.0, 7_004_000.0  # nowhere near an area: unassigned, nothing changes
    await households.create_household(conn, cli_actor(), households.HouseholdInput(kommun="2283", x=x, y=y))
    some = await conn.fetchval("select id from household where area_id = $1 limit 1", centre)
    await household_cases.erase_household(conn, cli_actor(), some)
    await _copies_match(conn)

    # Contact persons: added, removed, and removed with the sign-up they hang on.
    member_ids = [r["id"] for r in await conn.fetch("select id from household where area_id = $1 order by id", ramsele)]
    for household_id in member_ids:
        await group_cases.sign_up(conn, cli_actor(), group_ids[1], household_id)
    first = await group_cases.add_contact(conn, cli_actor(), group_ids[1], groups.ContactInput(household_id=member_ids[0], name="Anna"))
    await group_cases.add_contact(conn, cli_actor(), group_ids[1], groups.ContactInput(household_id=member_ids[1], name="Bo"))
    assert await _copies_match(conn) and (await groups.eligibility(conn, group_ids[1], None)).has_contact_person
    await group_cases.erase_contact(conn, cli_actor(), group_ids[1], first.id)
    # Takes Bo's role with it: only when the erasure is confirmed (issue 13, item 3).
    await group_cases.withdraw_signup(conn, cli_actor(), group_ids[1], member_ids[1], confirm_erasure=True)
    await _copies_match(conn)
    assert not (await groups.eligibility(conn, group_ids[1], None)).has_contact_person

    # A new geometry for Ramsele that leaves its households outside: the total follows.
    far = shapely.box(600_000, 7_000_000, 600_100, 7_000_100)
    await areas.update_area(conn, cli_actor(), ramsele, {}, far)
    await _copies_match(conn)
    assert (await groups.eligibility(conn, group_ids[1], None)).households_total == 0


async def test_a_new_group_waits_for_a_household_write_to_its_area(database_url: str, conn: asyncpg.Connection) -> None:
    """A group created while another transaction changes its area's total copies the total that
    transaction commits, not the one before it."""
    area_id = await area(conn, "Centrum", "2283", SOLLEFTEA)
    writer = await asyncpg.connect(database_url)
    try:
        tx = writer.transaction()
        await tx.start()
        await writer.execute("update area set households_total = households_total + 5 where id = $1", area_id)
        creating = asyncio.ensure_future(group(conn, area_id, "C"))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(creating), 0.5)  # blocked on the area row
        await tx.commit()
        group_id = await creating
    finally:
        await writer.close()
    assert (await groups.eligibility(conn, group_id, None)).households_total == 5


async def test_an_erasure_waits_for_an_area_change_before_it_locks_the_household(database_url: str, conn: asyncpg.Connection) -> None:
    """Area changes and imports hold the kommun's lock alone and then lock areas, households and
    groups. An erasure takes that lock (shared) before it locks anything, so it never holds a
    household such a writer needs (the other order could deadlock)."""
    area_id = await area(conn, "Centrum", "2283", SOLLEFTEA)
    await household_import.import_households(conn, cli_actor(), "2283", households_csv("c", grid_points(SOLLEFTEA, 3)).encode())
    group_id = await group(conn, area_id, "C")
    household_id = await conn.fetchval("select min(id) from household where area_id = $1", area_id)
    await group_cases.sign_up(conn, cli_actor(), group_id, household_id)
    writer = await asyncpg.connect(database_url)
    try:
        tx = writer.transaction()
        await tx.start()
        await writer.execute("set local lock_timeout = '3s'")
        await lock_kommun(writer, "2283")  # as update_area does
        erasing = asyncio.ensure_future(household_cases.erase_household(conn, cli_actor(), household_id))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(erasing), 0.5)  # waits for the kommun's lock
        await writer.execute("select 1 from area where id = $1 for no key update", area_id)
        await writer.execute("update household set street = street where id = $1", household_id)
        await tx.commit()
        await erasing
    finally:
        await writer.close()
    assert await _copies_match(conn) == 1
    assert (await groups.eligibility(conn, group_id, None)).households_total == 2
