"""Migration 0009 keeps the goals and the information meetings: goals become count promises,
meetings become activities with their ids. Migration 0015 makes every walk point a place report."""

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


async def test_migration_0015_makes_every_walk_point_a_place_report(empty_database: str) -> None:
    """Each existing walk point gets its report (source trygghetsvandring): published at the blurred
    point when it has a position, waiting for its pin when described only in words; the status and
    the responsible body carried over, the status then read from the report."""
    await migrate(empty_database, [m for m in load_migrations() if m.version < 15])
    conn = await asyncpg.connect(empty_database)
    try:
        x, y = 600_123.0, 6_990_071.0  # SWEREF 99 TM, inside the 100 m cell 600100..600200 / 6990000..6990100
        await conn.executemany(
            "insert into household (kommun, street, x, y) values ('2283', 'Gata', $1, $2)", [(x + i, y + i) for i in range(5)]
        )
        activity_id = await conn.fetchval(
            "insert into activity (kommun, held_on, kind, place) values ('2283', '2017-09-19', 'trygghetsvandring', 'Centrum') returning id"
        )
        points = [
            ("Gångtunneln", "Trasig belysning", "Byta armaturer", "Kommunens gatuenhet", "atgardad", x, y),
            ("Busstorget", "Klotter", "", "Vägföreningen", "pagar", None, None),
            ("Parkeringen", "Skymmande buskar", "", "", "oppen", x + 5000, y),
        ]
        ids = [
            await conn.fetchval(
                "insert into walk_point (kommun, activity_id, place, problem, action, responsible, status, point_x, point_y)"
                " values ('2283', $1, $2, $3, $4, $5, $6, $7, $8) returning id",
                activity_id,
                *p,
            )
            for p in points
        ]
        await migrate(empty_database)

        rows = await conn.fetch(
            "select w.id, r.kommun, r.source, r.category, r.what, r.would_help, r.place_text, r.x, r.y, r.public_x, r.public_y,"
            " r.public_cell, r.review, r.status, r.responsible, r.status_note, r.personal_data, r.handled_at is not null as handled,"
            " (select count(*) from place_contact c where c.report_id = r.id) as contacts"
            " from walk_point w join place_report r on r.id = w.place_report_id order by w.id"
        )
        assert [r["id"] for r in rows] == ids
        assert {(r["kommun"], r["source"], r["category"], r["contacts"]) for r in rows} == {("2283", "trygghetsvandring", "annat", 0)}
        assert all(r["personal_data"] == [] for r in rows)
        lit, words, far = rows
        # with a position: published at once, at the centre of the 100 m cell holding five households
        assert (lit["what"], lit["would_help"], lit["place_text"]) == ("Trasig belysning", "Byta armaturer", "Gångtunneln")
        assert (lit["x"], lit["y"], lit["review"]) == (x, y, "published")
        assert (lit["public_x"], lit["public_y"], lit["public_cell"]) == (600_150.0, 6_990_050.0, 100)
        assert (lit["status"], lit["responsible"], lit["status_note"], lit["handled"]) == ("fixed", "kommun", None, True)
        # without a position: the place in words, waiting for the coordinator's pin before publishing
        assert (words["x"], words["place_text"], words["review"], words["would_help"]) == (None, "Busstorget", "pending", None)
        assert (words["status"], words["responsible"]) == ("in_progress", "annan")
        assert words["status_note"] == "Ansvarig enligt trygghetsvandringen: Vägföreningen"
        # no cell around it holds five households: published without a public position
        assert (far["review"], far["public_x"], far["public_cell"], far["status"], far["responsible"]) == (
            "published",
            None,
            None,
            "open",
            None,
        )
        # the status lives in the report only, its change is in the report's history
        columns = {
            r["column_name"] for r in await conn.fetch("select column_name from information_schema.columns where table_name = 'walk_point'")
        }
        assert "status" not in columns and "place_report_id" in columns
        history = await conn.fetch("select from_status, to_status from place_status_change order by id")
        assert [tuple(r) for r in history] == [("open", "fixed"), ("open", "in_progress")]
        with pytest.raises(asyncpg.NotNullViolationError):
            await conn.execute(
                "insert into walk_point (kommun, activity_id, place, problem) values ('2283', $1, 'Torget', 'Mörkt')", activity_id
            )
    finally:
        await conn.close()
