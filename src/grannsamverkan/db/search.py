"""Search by name: areas, groups and household addresses of some kommuner (a substring, any case)."""

from __future__ import annotations

import asyncpg
import msgspec


class AreaHit(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    name: str
    kind: str


class GroupHit(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    area_id: int
    area_name: str
    name: str
    status: str


class AddressHit(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    area_id: int | None
    street: str | None
    postcode: str | None
    city: str | None


def like_pattern(text: str) -> str:
    """``text`` as a substring pattern for ``ilike … escape '\\'``: its %, _ and \\ match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SEARCH_AREAS = """
select id, kommun, name, kind from area
where ($1::text[] is null or kommun = any($1::text[])) and name ilike $2 escape '\\'
order by lower(name), id limit $3
"""

SEARCH_GROUPS = """
select g.id, g.kommun, g.area_id, a.name as area_name, g.name, g.status
from watch_group g join area a on a.id = g.area_id
where ($1::text[] is null or g.kommun = any($1::text[])) and g.name ilike $2 escape '\\'
order by g.status = 'dissolved', lower(g.name), g.id limit $3
"""

SEARCH_ADDRESSES = """
select id, kommun, area_id, street, postcode, city from household
where ($1::text[] is null or kommun = any($1::text[]))
  and (street ilike $2 escape '\\' or postcode ilike $2 escape '\\' or city ilike $2 escape '\\')
order by lower(street), id limit $3
"""


async def search_areas(conn: asyncpg.Connection, in_kommuner: list[str] | None, text: str, limit: int) -> list[AreaHit]:
    rows = await conn.fetch(SEARCH_AREAS, in_kommuner, like_pattern(text), limit)
    return [AreaHit(**dict(r)) for r in rows]


async def search_groups(conn: asyncpg.Connection, in_kommuner: list[str] | None, text: str, limit: int) -> list[GroupHit]:
    rows = await conn.fetch(SEARCH_GROUPS, in_kommuner, like_pattern(text), limit)
    return [GroupHit(**dict(r)) for r in rows]


async def search_addresses(conn: asyncpg.Connection, in_kommuner: list[str] | None, text: str, limit: int) -> list[AddressHit]:
    rows = await conn.fetch(SEARCH_ADDRESSES, in_kommuner, like_pattern(text), limit)
    return [AddressHit(**dict(r)) for r in rows]
