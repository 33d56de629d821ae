"""The household import's two ways into the table: a kommun's first import loads a partition of
its own; later imports (and kommuner whose households were added one by one) go through
``household``. Both must keep the counters, the keys and the all-or-nothing rule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pgpq
import pyarrow as pa
import pytest

from grannsamverkan.cli import cli_actor
from grannsamverkan.db import household_import, households
from grannsamverkan.errors import Conflict, InvalidInput
from tests.factories import three_areas
from tests.geodata import (
    ARVIDSJAUR,
    RAMSELE,
    SOLLEFTEA,
    grid_points,
    households_csv,
)


async def _partitions(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'household'::regclass order by 1"
    )
    return [r["relname"] for r in rows]


async def _counters_match_rows(conn: asyncpg.Connection) -> None:
    mismatched = await conn.fetch(
        "select a.id, a.households_total, count(h.id) as rows from area a "
        "left join household h on h.area_id = a.id and h.kommun = a.kommun "
        "group by a.id having a.households_total <> count(h.id)"
    )
    assert not mismatched


def _csv(*parts: str) -> bytes:
    header, *rest = parts[0].splitlines()
    lines = [header, *rest]
    for more in parts[1:]:
        lines.extend(more.splitlines()[1:])
    return ("\n".join(lines) + "\n").encode()


async def test_a_first_import_loads_its_own_partition_and_later_ones_go_through_household(conn: asyncpg.Connection) -> None:
    await three_areas(conn)
    centre = households_csv("c", grid_points(SOLLEFTEA, 4))
    outside = households_csv("o", [(17.5, 63.3)])
    first = await household_import.import_households(conn, cli_actor(), "2283", _csv(centre, outside))
    assert (first.inserted, first.updated, first.assigned, first.unassigned) == (5, 0, 4, 1)
    assert await _partitions(conn) == ["household_k2283", "household_other"]
    await _counters_match_rows(conn)

    again = await household_import.import_households(conn, cli_actor(), "2283", _csv(centre, outside))
    assert (again.inserted, again.updated) == (0, 0)

    # One household moves from the centre to Ramsele, one is new in Ramsele.
    moved = centre.replace(centre.splitlines()[1], "c0,Storgatan 1,881 30,Ramsele,{},{}".format(*RAMSELE))
    later = await household_import.import_households(conn, cli_actor(), "2283", _csv(moved, outside, households_csv("r", [RAMSELE])))
    assert (later.inserted, later.updated) == (1, 1)
    await _counters_match_rows(conn)
    assert await conn.fetchval("select count(*) from household_k2283") == 6
    assert await conn.fetchval("select count(*) from household_other") == 0
    # the audit trail has one entry per import
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'household' and action = 'import'") == 3


async def test_a_first_import_leaves_its_rows_frozen_so_no_vacuum_rewrites_them(conn: asyncpg.Connection) -> None:
    """The first load's COPY FREEZE (its table is made in the same transaction) marks every page
    all-visible and all-frozen: no later vacuum or hint-bit write touches the million rows again.
    pg_visibility reads the visibility map; the embedded server's build lacks it, PG 15 has it."""
    if not await conn.fetchval("select exists (select 1 from pg_available_extensions where name = 'pg_visibility')"):
        pytest.skip("this server has no pg_visibility extension")
    await conn.execute("create extension if not exists pg_visibility")
    await three_areas(conn)
    await household_import.import_households(conn, cli_actor(), "2283", _many("f", 5_000).encode())
    pages = await conn.fetchrow(
        "select count(*) as pages, count(*) filter (where all_frozen) as frozen from pg_visibility_map('household_k2283')"
    )
    assert pages["pages"] > 10
    assert pages["frozen"] == pages["pages"]


async def test_households_added_one_by_one_keep_the_kommun_in_the_shared_partition(conn: asyncpg.Connection) -> None:
    await three_areas(conn)
    await households.create_household(conn, cli_actor(), households.HouseholdInput(kommun="2505", external_ref="x0", street="Storgatan 1"))
    result = await household_import.import_households(conn, cli_actor(), "2505", households_csv("x", grid_points(ARVIDSJAUR, 3)).encode())
    assert (result.inserted, result.updated) == (2, 1)  # x0 gets the file's address and location
    assert await _partitions(conn) == ["household_other"]
    assert await conn.fetchval("select count(*) from household_other where kommun = '2505'") == 3
    await _counters_match_rows(conn)


@pytest.mark.parametrize("before", ["nothing", "an import"])
async def test_a_repeated_external_ref_is_refused_with_both_lines(conn: asyncpg.Connection, before: str) -> None:
    await three_areas(conn)
    known = households_csv("k", grid_points(SOLLEFTEA, 2))
    if before == "an import":
        await household_import.import_households(conn, cli_actor(), "2283", known.encode())
    partitions = await _partitions(conn)
    for twice in ("n1", "k0"):  # a new ref twice, a known ref twice
        rows = households_csv("n", grid_points(SOLLEFTEA, 3)).splitlines()
        data = "\n".join([*rows, f"{twice},Storgatan 9,881 30,Sollefteå,,", *known.splitlines()[1:]]) + "\n"
        if twice == "k0":
            data += "k0,Storgatan 8,881 30,Sollefteå,,\n"
        with pytest.raises(InvalidInput) as refused:
            await household_import.import_households(conn, cli_actor(), "2283", data.encode())
        assert "används redan på rad" in refused.value.errors[0].message
    assert await _partitions(conn) == partitions  # nothing half-made
    assert await conn.fetchval("select count(*) from household") == (2 if before == "an import" else 0)


async def test_a_duplicate_in_a_kommun_partition_is_a_conflict_on_external_ref(conn: asyncpg.Connection) -> None:
    await three_areas(conn)
    await household_import.import_households(conn, cli_actor(), "2283", households_csv("h", grid_points(SOLLEFTEA, 2)).encode())
    with pytest.raises(Conflict) as conflict:
        await households.create_household(conn, cli_actor(), households.HouseholdInput(kommun="2283", external_ref="h0"))
    assert conflict.value.errors[0].field == "external_ref"
    created = await households.create_household(conn, cli_actor(), households.HouseholdInput(kommun="2283", external_ref="h9"))
    assert await conn.fetchval("select tableoid::regclass::text from household where id = $1", created) == "household_k2283"


def _many(prefix: str, n: int) -> str:
    """n households in SWEREF 99 TM around Sollefteå: several of the fast reader's batches."""
    lines = ["external_ref,street,postcode,city,x,y"]
    lines += [f"{prefix}{i},Storgatan {i % 90 + 1},881 30,Sollefteå,{620000 + i % 1000},{7005000 + i // 1000}" for i in range(n)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fault", ["a bad value late in the file", "a repeated ref early in the file"])
async def test_a_fault_in_a_long_file_stops_reading_and_writes_nothing(conn: asyncpg.Connection, fault: str) -> None:
    await three_areas(conn)
    await household_import.import_households(conn, cli_actor(), "2283", households_csv("k", grid_points(SOLLEFTEA, 2)).encode())
    lines = _many("n", 150_000).splitlines()
    if fault == "a bad value late in the file":
        lines[140_000] = lines[140_000].replace(",620", ",abc", 1)
        where = 140_001
    else:
        lines[2] = lines[1]
        where = 3
    with pytest.raises(InvalidInput) as refused:
        await household_import.import_households(conn, cli_actor(), "2283", ("\n".join(lines) + "\n").encode())
    assert refused.value.errors[0].line == where
    assert await conn.fetchval("select count(*) from household") == 2


async def test_a_copy_the_database_refuses_ends_with_its_error(conn: asyncpg.Connection) -> None:
    """The COPY fails on a row of the fourth of 200 batches the feeder hands over through its
    channel: the database's error comes back, and nothing waits on the channel. (A first load's
    table is made in the import's transaction, which its COPY FREEZE requires: so is this one.)"""
    transaction = conn.transaction()
    await transaction.start()
    await conn.execute(
        "create temp table refused (external_ref text, street text, postcode text, city text, "
        "x double precision, y double precision, area_id bigint check (area_id < 3))"
    )
    target = household_import._Target("refused", "2283", first_load=True)
    encoder = pgpq.ArrowToPostgresBinaryEncoder(target.schema)

    async def batches() -> AsyncIterator[household_import._Prepared]:
        for n in range(200):
            rows = pa.RecordBatch.from_pydict(
                {"external_ref": [f"h{n}-{i}" for i in range(500)], "street": ["S"] * 500, "postcode": ["881 30"] * 500,
                 "city": ["Ede"] * 500, "x": [620000.0] * 500, "y": [7005000.0] * 500, "area_id": [n] * 500},
                schema=household_import.ROW_SCHEMA,
            )  # fmt: skip
            yield household_import._Prepared(encoder.write_batch(rows), rows.slice(0, 0), household_import._Tally(rows=500), 0, 0)

    try:
        with pytest.raises(asyncpg.CheckViolationError):
            await asyncio.wait_for(household_import._copy_new(conn, target, batches(), encoder, None), 60)
    finally:
        await transaction.rollback()
