"""What the demo loader (services/demo.py) asks the database: the seed's areas by reference, and
whether a seed was loaded before (so that ``grannsamverkan demo`` can run again)."""

from __future__ import annotations

import asyncpg

AREA_BY_REF = "select id from area where external_ref = $1"
AREA_HAS_GROUP = "select exists (select 1 from watch_group where area_id = $1 and status <> 'dissolved')"
HOUSEHOLDS_OF_AREA = "select id from household where area_id = $1 order by id"
GROUPS_IN_AREAS_LIKE = """
select count(*) from watch_group
where area_id in (select id from area where external_ref like any($1::text[]))
"""
GOAL_PROMISE = "select id from promise where kommun = $1 and goal_year = $2 and counts = 'new_groups'"
PROMISES_TITLED = "select count(*) from promise where kommun = $1 and title = any($2::text[])"
MEETINGS_IN_YEAR = "select count(*) from info_meeting where kommun = $1 and extract(year from held_on) = $2"


async def area_id(conn: asyncpg.Connection, ref: str) -> int | None:
    found = await conn.fetchval(AREA_BY_REF, ref)
    return None if found is None else int(found)


async def area_has_group(conn: asyncpg.Connection, area: int) -> bool:
    return bool(await conn.fetchval(AREA_HAS_GROUP, area))


async def households_of_area(conn: asyncpg.Connection, area: int) -> list[int]:
    return [row["id"] for row in await conn.fetch(HOUSEHOLDS_OF_AREA, area)]


async def groups_in_areas_like(conn: asyncpg.Connection, patterns: list[str]) -> int:
    return int(await conn.fetchval(GROUPS_IN_AREAS_LIKE, patterns))


async def goal_promise_id(conn: asyncpg.Connection, kommun: str, year: int) -> int:
    return int(await conn.fetchval(GOAL_PROMISE, kommun, year))


async def promises_titled(conn: asyncpg.Connection, kommun: str, titles: list[str]) -> int:
    return int(await conn.fetchval(PROMISES_TITLED, kommun, titles))


async def meetings_in_year(conn: asyncpg.Connection, kommun: str, year: int) -> int:
    return int(await conn.fetchval(MEETINGS_IN_YEAR, kommun, year))
