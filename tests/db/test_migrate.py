from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.db.embedded import with_database
from grannsamverkan.db.migrate import Migration, load_migrations, migrate, status
from grannsamverkan.errors import MigrationError


@pytest.fixture
async def empty_database(server_url: str):
    name = f"gsv_empty_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    yield with_database(server_url, name)
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'drop database if exists "{name}" with (force)')
    await admin.close()


async def test_migrations_apply_in_order_and_record_checksums(empty_database: str) -> None:
    applied = await migrate(empty_database)
    files = load_migrations()
    assert [m.version for m in applied] == [m.version for m in files]
    conn = await asyncpg.connect(empty_database)
    rows = await conn.fetch("select version, checksum from schema_migration order by version")
    kommuner = await conn.fetchval("select count(*) from kommun")
    await conn.close()
    assert [(r["version"], r["checksum"]) for r in rows] == [(m.version, m.checksum) for m in files]
    assert kommuner == 290
    assert await migrate(empty_database) == []


async def test_changed_applied_migration_is_refused(empty_database: str) -> None:
    await migrate(empty_database)
    files = load_migrations()
    tampered = [*files[:-1], Migration(files[-1].version, files[-1].name, "0" * 64, files[-1].sql + "\n-- edited")]
    with pytest.raises(MigrationError, match="har ändrats efter att den körts"):
        await migrate(empty_database, tampered)
    states = await status(empty_database, tampered)
    assert states[-1].state == "changed"


async def test_failing_migration_leaves_nothing_half_done(empty_database: str) -> None:
    files = load_migrations()
    broken = Migration(9999, "broken", "x" * 64, "create table half_done (id int); select 1/0;")
    with pytest.raises(asyncpg.DivisionByZeroError):
        await migrate(empty_database, [*files, broken])
    conn = await asyncpg.connect(empty_database)
    assert await conn.fetchval("select to_regclass('half_done')") is None
    assert await conn.fetchval("select max(version) from schema_migration") == files[-1].version
    await conn.close()


def test_two_processes_migrating_at_once_apply_each_file_once(empty_database: str) -> None:
    script = "import asyncio, sys; from grannsamverkan.db.migrate import migrate; print(len(asyncio.run(migrate(sys.argv[1]))))"
    procs = [subprocess.Popen([sys.executable, "-c", script, empty_database], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    counts = sorted(int(p.communicate(timeout=60)[0].strip()) for p in procs)
    assert counts == [0, len(load_migrations())]

    async def versions() -> list[int]:
        conn = await asyncpg.connect(empty_database)
        rows = await conn.fetch("select version from schema_migration order by version")
        await conn.close()
        return [r["version"] for r in rows]

    assert asyncio.run(versions()) == [m.version for m in load_migrations()]


def test_migration_files_ship_in_the_package_tree() -> None:
    from grannsamverkan.resources import sql_dir

    assert (sql_dir() / "migrations" / "0001_platform.sql").is_file()
    assert Path(sql_dir()).name == "sql"


# The tables of registry data: each row carries its kommun.
REGISTRY_TABLES = {
    "area",
    "household",
    "watch_group",
    "signup",
    "contact_person",
    "burglary",
    "goal",
    "promise",
    "activity",
    "walk_point",
    "area_offer",
    "council_meeting",
    "place_report",
    "place_supporter",
    "place_status_change",
    "place_contact",
    "mail_outbox",
    "group_renewal",
    "group_sign",
    "group_step",
    "household_declined",
    "kommun_lifecycle",
    "near_repeat_alert",
}


async def test_migrations_reproduce_the_documented_schema(conn: asyncpg.Connection) -> None:
    tables = {
        r["table_name"]
        for r in await conn.fetch(
            "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'"
        )
    }
    assert {
        "schema_migration",
        "kommun",
        "api_token",
        "audit_event",
        "account",
        "web_session",
        "open311_client",
    } | REGISTRY_TABLES <= tables
    # Every table of registry data carries its kommun (the authorisation scope).
    for table in REGISTRY_TABLES:
        column = await conn.fetchval(
            "select is_nullable from information_schema.columns where table_name = $1 and column_name = 'kommun'", table
        )
        assert column == "NO", table
    live = await conn.fetchval("select indexdef from pg_indexes where indexname = 'watch_group_one_live_per_area'")
    assert "UNIQUE" in live and "dissolved" in live
    token_columns = {
        r["column_name"] for r in await conn.fetch("select column_name from information_schema.columns where table_name = 'api_token'")
    }
    assert "token_hash" in token_columns and "token" not in token_columns


async def test_partitioning_households_keeps_rows_ids_sign_ups_and_counters(empty_database: str) -> None:
    files = load_migrations()
    before = [m for m in files if m.version < 6]
    await migrate(empty_database, before)
    conn = await asyncpg.connect(empty_database)
    try:
        area = await conn.fetchval(
            "insert into area (kommun, name, geom_wkb, bbox, area_m2, point_x, point_y) "
            "values ('2283', 'Ramsele', '\\x00', box(point(0, 0), point(1, 1)), 1, 0, 0) returning id"
        )
        ids = [
            await conn.fetchval(
                "insert into household (kommun, external_ref, street, area_id) values ('2283', $1, 'Storgatan', $2) returning id",
                f"h{i}",
                area,
            )
            for i in range(3)
        ]
        group = await conn.fetchval(
            "insert into watch_group (kommun, area_id, kind, name) values ('2283', $1, 'byavakt', 'Ramsele') returning id", area
        )
        await conn.execute("insert into signup (group_id, household_id, kommun) values ($1, $2, '2283')", group, ids[0])
        await migrate(empty_database)  # 0006 and later
        rows = await conn.fetch("select id, external_ref, tableoid::regclass::text as part from household order by id")
        assert [(r["id"], r["external_ref"], r["part"]) for r in rows] == [(i, f"h{n}", "household_other") for n, i in enumerate(ids)]
        assert await conn.fetchval("select households_total from area where id = $1", area) == 3
        assert await conn.fetchval("select households_signed_up from watch_group where id = $1", group) == 1
        # 0007 copied the area's total and the contact persons' count onto the group row.
        copies = await conn.fetchrow("select households_total, contact_persons from watch_group where id = $1", group)
        assert tuple(copies) == (3, 0)
        # New ids follow the old ones; sign-ups still refer to their households (and cascade).
        new_id = await conn.fetchval("insert into household (kommun, external_ref) values ('2283', 'h3') returning id")
        assert new_id > max(ids)
        await conn.execute("delete from household where id = $1", ids[0])
        assert await conn.fetchval("select count(*) from signup") == 0
        assert await conn.fetchval("select households_signed_up from watch_group where id = $1", group) == 0
        assert await conn.fetchval("select households_total from watch_group where id = $1", group) == 2
    finally:
        await conn.close()
