"""Migration 0009 keeps the goals and the information meetings: goals become count promises,
meetings become activities with their ids."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from grannsamverkan.db.embedded import with_database
from grannsamverkan.db.migrate import load_migrations, migrate


@pytest.fixture
async def empty_database(server_url: str):  # type: ignore[no-untyped-def]
    name = f"gsv_empty_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'create database "{name}"')
    await admin.close()
    yield with_database(server_url, name)
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'drop database if exists "{name}" with (force)')
    await admin.close()


async def test_migration_keeps_goals_and_meetings(empty_database: str) -> None:
    await migrate(empty_database, [m for m in load_migrations() if m.version < 9])
    conn = await asyncpg.connect(empty_database)
    try:
        await conn.execute(
            "insert into goal (kommun, year, target_new_groups, target_info_meetings) values ('2283', 2017, 10, 4), ('2505', 2025, 3, null)"
        )
        meeting_ids = [
            await conn.fetchval(
                "insert into info_meeting (kommun, held_on, locality, topic, attendees) values ('2283', $1, $2, $3, $4) returning id",
                held_on,
                place,
                topic,
                n,
            )
            for held_on, place, topic, n in ((date(2017, 2, 12), "Ramsele", "byavakt", 23), (date(2017, 3, 5), "Junsele", "byavakt", 0))
        ]
        goals_before = await conn.fetch("select * from goal order by kommun")
        await migrate(empty_database)

        assert await conn.fetch("select * from goal order by kommun") == goals_before
        promises = await conn.fetch(
            "select kommun, goal_year, measure, counts, target, period_start, period_end from promise order by kommun, counts"
        )
        assert [tuple(r) for r in promises] == [
            ("2283", 2017, "count", "info_meetings", 4, date(2017, 1, 1), date(2017, 12, 31)),
            ("2283", 2017, "count", "new_groups", 10, date(2017, 1, 1), date(2017, 12, 31)),
            ("2505", 2025, "count", "new_groups", 3, date(2025, 1, 1), date(2025, 12, 31)),
        ]
        activities = await conn.fetch("select id, kommun, held_on, kind, place, topic, participants from activity order by id")
        assert [tuple(r) for r in activities] == [
            (meeting_ids[0], "2283", date(2017, 2, 12), "informationstraff", "Ramsele", "byavakt", 23),
            (meeting_ids[1], "2283", date(2017, 3, 5), "informationstraff", "Junsele", "byavakt", 0),
        ]
        # The old name still reads, new activities get new ids.
        assert await conn.fetchval("select count(*) from info_meeting") == 2
        new_id = await conn.fetchval(
            "insert into activity (kommun, held_on, kind, place) values ('2283', '2017-04-01', 'polis_pa_plats', 'Ramsele') returning id"
        )
        assert new_id > max(meeting_ids)
        # Goals stay in step: a new target, a meeting target dropped, a new goal.
        await conn.execute("update goal set target_new_groups = 12, target_info_meetings = null where kommun = '2283'")
        await conn.execute("insert into goal (kommun, year, target_new_groups) values ('2283', 2018, 5)")
        rows = await conn.fetch("select goal_year, counts, target from promise where kommun = '2283' order by goal_year, counts")
        assert [tuple(r) for r in rows] == [(2017, "new_groups", 12), (2018, "new_groups", 5)]
    finally:
        await conn.close()
