"""Goals in the database: what counts as new in a year, meetings, the audit trail, the report's ranking."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest
import shapely

from grannsamverkan.db import goals
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import Forbidden, InvalidInput, NotFound

COORDINATOR = Principal(token_id=1, name="samordnare-solleftea", role="coordinator", kommuner=("2283",))

# A point in Sollefteå (2283) and in Arvidsjaur (2505), SWEREF 99 TM metres.
ORIGIN = {"2283": (620_000.0, 7_000_000.0), "2505": (700_000.0, 7_280_000.0)}
_area_count = 0


async def insert_area(
    conn: asyncpg.Connection, kommun: str = "2283", name: str | None = None, *, households: int = 10, size: float = 200.0
) -> int:
    """A square area, placed next to the previous one so no two overlap."""
    global _area_count
    _area_count += 1
    x0, y0 = ORIGIN[kommun]
    x0 += (_area_count % 50) * 1_000.0
    y0 += (_area_count // 50) * 1_000.0
    square = shapely.box(x0, y0, x0 + size, y0 + size)
    return await conn.fetchval(
        """insert into area (kommun, name, kind, geom_wkb, bbox, area_m2, point_x, point_y, households_total)
           values ($1, $2, 'by', $3, box(point($4, $5), point($6, $7)), $8, $9, $10, $11) returning id""",
        kommun,
        name or f"Område {_area_count}",
        shapely.to_wkb(square),
        x0,
        y0,
        x0 + size,
        y0 + size,
        square.area,
        x0 + size / 2,
        y0 + size / 2,
        households,
    )


async def insert_group(
    conn: asyncpg.Connection,
    area_id: int,
    *,
    name: str = "Grupp",
    kind: str = "grannsamverkan",
    status: str = "active",
    established_on: date | None = None,
    dissolved_on: date | None = None,
    existing: bool = False,
    signed_up: int = 0,
) -> int:
    return await conn.fetchval(
        """insert into watch_group (kommun, area_id, kind, name, status, established_on, dissolved_on,
                                    registered_as_existing, households_signed_up)
           select kommun, id, $2, $3, $4, $5, $6, $7, $8 from area where id = $1 returning id""",
        area_id,
        kind,
        name,
        status,
        established_on,
        dissolved_on,
        existing,
        signed_up,
    )


async def established(conn: asyncpg.Connection, kommun: str, on: date, name: str, **kw: object) -> int:
    """An area with a group established on ``on`` (one area each: one live group per area)."""
    return await insert_group(conn, await insert_area(conn, kommun), name=name, established_on=on, **kw)  # type: ignore[arg-type]


async def put(conn: asyncpg.Connection, kommun: str, year: int, target: int, meetings: int | None = None) -> None:
    await goals.put_goal(
        conn,
        COORDINATOR if kommun == "2283" else SYSTEM_ADMIN,
        kommun,
        year,
        goals.GoalTargets(target_new_groups=target, target_info_meetings=meetings),
    )


SYSTEM_ADMIN = Principal(token_id=0, name="admin", role="admin")


async def test_year_boundaries_and_counting_rules(conn: asyncpg.Connection) -> None:
    await established(conn, "2283", date(2025, 12, 31), "Nyårsafton 2025")
    await established(conn, "2283", date(2026, 1, 1), "Nyårsdagen 2026")
    await established(conn, "2283", date(2026, 12, 31), "Nyårsafton 2026")
    await established(conn, "2283", date(2027, 1, 1), "Nyårsdagen 2027")
    await established(conn, "2283", date(2026, 3, 1), "Gammal grupp", existing=True)
    await established(conn, "2283", date(2026, 4, 1), "Upplöst i höstas", status="dissolved", dissolved_on=date(2026, 10, 1))
    await established(conn, "2505", date(2026, 5, 5), "Arvidsjaurs grupp")
    await insert_group(conn, await insert_area(conn, "2283", households=10), name="Under bildande", status="forming", signed_up=5)
    for year in (2025, 2026, 2027):
        await put(conn, "2283", year, 10)

    y2025, y2026, y2027 = await goals.evaluate(
        conn, [await goals.get_goal(conn, "2283", y, None) for y in (2025, 2026, 2027)], date(2027, 12, 31)
    )
    assert [g.name for g in y2025.groups] == ["Nyårsafton 2025"]
    assert [g.name for g in y2026.groups] == ["Nyårsdagen 2026", "Upplöst i höstas", "Nyårsafton 2026"]
    assert [g.name for g in y2027.groups] == ["Nyårsdagen 2027"]
    dissolved = y2026.groups[1]
    assert (dissolved.status, dissolved.dissolved_on) == ("dissolved", date(2026, 10, 1))
    assert [f.name for f in y2026.forming_groups] == ["Under bildande"]
    assert (y2026.forming_groups[0].required_signups, y2026.forming_groups[0].missing_signups) == (7, 2)

    # On 31 December the group of that day has come; on 30 December it has not.
    before = await goals.goal_status(conn, "2283", 2026, date(2026, 12, 30), None)
    assert before.new_groups == 2
    on = await goals.goal_status(conn, "2283", 2026, date(2026, 12, 31), None)
    assert (on.new_groups, on.status) == (3, "behind")


async def test_a_group_counts_in_its_areas_kommun_only(conn: asyncpg.Connection) -> None:
    await established(conn, "2505", date(2026, 5, 5), "Arvidsjaurs grupp")
    await put(conn, "2283", 2026, 1)
    await put(conn, "2505", 2026, 1)
    solleftea = await goals.goal_status(conn, "2283", 2026, date(2026, 6, 1), None)
    arvidsjaur = await goals.goal_status(conn, "2505", 2026, date(2026, 6, 1), None)
    assert (solleftea.new_groups, arvidsjaur.new_groups) == (0, 1)
    assert arvidsjaur.status == "achieved"


async def test_put_goal_upserts_and_is_audited(conn: asyncpg.Connection) -> None:
    goal, created = await goals.put_goal(conn, COORDINATOR, "2283", 2026, goals.GoalTargets(target_new_groups=10))
    assert created and goal.target_info_meetings is None
    goal, created = await goals.put_goal(conn, COORDINATOR, "2283", 2026, goals.GoalTargets(target_new_groups=12, target_info_meetings=4))
    assert not created and (goal.target_new_groups, goal.target_info_meetings) == (12, 4)
    events = await conn.fetch("select actor, kommun, action, before, after from audit_event where table_name = 'goal' order by id")
    assert [(e["actor"], e["kommun"], e["action"]) for e in events] == [
        ("samordnare-solleftea", "2283", "insert"),
        ("samordnare-solleftea", "2283", "update"),
    ]
    assert events[1]["before"]["target_new_groups"] == 10 and events[1]["after"]["target_new_groups"] == 12


async def test_put_goal_refuses_other_kommun_unknown_kommun_and_bad_year(conn: asyncpg.Connection) -> None:
    with pytest.raises(Forbidden):
        await goals.put_goal(conn, COORDINATOR, "2505", 2026, goals.GoalTargets(target_new_groups=1))
    with pytest.raises(InvalidInput):
        await goals.put_goal(conn, COORDINATOR, "9999", 2026, goals.GoalTargets(target_new_groups=1))
    with pytest.raises(InvalidInput):
        await goals.put_goal(conn, COORDINATOR, "2283", 1999, goals.GoalTargets(target_new_groups=1))
    assert await conn.fetchval("select count(*) from goal") == 0
    with pytest.raises(NotFound):
        await goals.get_goal(conn, "2283", 2026, None)


async def test_meetings_count_for_their_year_and_are_audited(conn: asyncpg.Connection) -> None:
    await put(conn, "2283", 2026, 0, meetings=3)
    for held_on, locality in (
        (date(2025, 12, 31), "Junsele"),
        (date(2026, 2, 10), "Ramsele"),
        (date(2026, 9, 1), "Näsåker"),
        (date(2027, 1, 1), "Långsele"),
    ):
        await goals.create_meeting(
            conn, COORDINATOR, goals.MeetingCreate(kommun="2283", held_on=held_on, locality=locality, topic="byavakt", attendees=12)
        )
    status = await goals.goal_status(conn, "2283", 2026, date(2026, 6, 30), None)
    assert (status.info_meetings, status.meetings_status) == (1, "on_track")  # 1.48 expected, floor 1
    status = await goals.goal_status(conn, "2283", 2026, date(2026, 12, 31), None)
    assert (status.info_meetings, status.status) == (2, "behind")
    items, total = await goals.list_meetings(conn, in_kommuner=["2283"], year=2026, limit=10, offset=0)
    assert total == 2 and [m.locality for m in items] == ["Ramsele", "Näsåker"]
    assert await conn.fetchval("select count(*) from audit_event where table_name = 'info_meeting'") == 4


async def test_check_goals_names_what_is_missing(conn: asyncpg.Connection) -> None:
    with pytest.raises(NotFound, match="Ingen kommun har ett mål för 2026"):
        await goals.check_goals(conn, 2026, None, date(2026, 6, 1))
    await put(conn, "2283", 2026, 10)
    with pytest.raises(NotFound, match="2505"):
        await goals.check_goals(conn, 2026, ["2283", "2505"], date(2026, 6, 1))
    with pytest.raises(InvalidInput):
        await goals.check_goals(conn, 2026, ["0000"], date(2026, 6, 1))
    (check,) = await goals.check_goals(conn, 2026, None, date(2026, 6, 1))
    assert check.kommun_name == "Sollefteå" and check.goal.status == "behind"


def _burglary(area_id: int, when: datetime, ref: str) -> tuple[object, ...]:
    return ("2283", "test", ref, when, when, area_id)


async def test_priority_areas_leave_out_areas_with_a_group_and_old_burglaries(conn: asyncpg.Connection) -> None:
    hot = await insert_area(conn, "2283", "Hett område", households=20)
    covered = await insert_area(conn, "2283", "Täckt område", households=20)
    forming = await insert_area(conn, "2283", "Bildas", households=20)
    old = await insert_area(conn, "2283", "Gamla inbrott", households=20)
    await insert_area(conn, "2283", "Lugnt", households=20)  # no burglaries, no group
    await insert_group(conn, covered, established_on=date(2025, 1, 1))
    await insert_group(conn, forming, status="forming")
    as_of = date(2026, 11, 30)
    recent = datetime(2026, 6, 1, 12, tzinfo=UTC)
    rows = [_burglary(a, recent + timedelta(days=i), f"{a}-{i}") for a in (hot, covered, forming) for i in range(4)]
    rows += [_burglary(old, datetime(2025, 11, 30, 12, tzinfo=UTC) - timedelta(days=i), f"old-{i}") for i in range(6)]
    await conn.executemany(
        "insert into burglary (kommun, source, external_ref, occurred_from, occurred_to, area_id) values ($1, $2, $3, $4, $5, $6)",
        rows,
    )
    ranked = await goals.priority_areas_without_group(conn, "2283", as_of)
    # Areas with a group (active or forming) are left out; equal scores go by the smaller id.
    assert [r.name for r in ranked] == ["Hett område", "Gamla inbrott", "Lugnt"]
    assert ranked[0].area_id == hot and ranked[0].burglaries == 4
    assert next(r for r in ranked if r.area_id == old).burglaries == 0


def test_months_before() -> None:
    assert goals._months_before(date(2026, 12, 1), 12) == date(2025, 12, 1)
    assert goals._months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert goals._months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert goals._months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)
