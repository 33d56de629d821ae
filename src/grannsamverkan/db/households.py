"""Households: addresses (personal data), a location in SWEREF 99 TM, and the area they lie in.

One household at a time (create, read, erase, its address edited on the pages) and the
re-assignment after areas change; the bulk import of a CSV file is in ``db.household_import``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
import numpy as np
import shapely
from asyncpg.types import Box, Point

from grannsamverkan.db import audit, groups, kommuner
from grannsamverkan.db.locks import lock_kommun
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import InvalidInput, NotFound
from grannsamverkan.geo.assign import AreaGrid
from grannsamverkan.geo.geojson import from_wkb, point_to_geojson_wgs84


class Household(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    external_ref: str | None
    street: str | None
    postcode: str | None
    city: str | None
    location: dict[str, Any] | None
    area_id: int | None
    updated_at: datetime


class HouseholdInput(msgspec.Struct, kw_only=True):
    kommun: str
    external_ref: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    x: float | None = None  # SWEREF 99 TM
    y: float | None = None
    area_id: int | None = None


HOUSEHOLD_BY_ID = """
select id, kommun, external_ref, street, postcode, city, x, y, area_id, updated_at
from household where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
"""

HOUSEHOLDS_PAGE = """
select id, kommun, external_ref, street, postcode, city, x, y, area_id, updated_at, count(*) over () as total
from household
where ($1::text[] is null or kommun = any($1::text[])) and ($2::bigint is null or area_id = $2)
order by id limit $3 offset $4
"""


def _household(row: asyncpg.Record) -> Household:
    return Household(
        id=row["id"],
        kommun=row["kommun"],
        external_ref=row["external_ref"],
        street=row["street"],
        postcode=row["postcode"],
        city=row["city"],
        location=point_to_geojson_wgs84(row["x"], row["y"]),
        area_id=row["area_id"],
        updated_at=row["updated_at"],
    )


async def get_household(conn: asyncpg.Connection, household_id: int, scope: list[str] | None) -> Household:
    row = await conn.fetchrow(HOUSEHOLD_BY_ID, household_id, scope)
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    return _household(row)


async def list_households(
    conn: asyncpg.Connection, *, in_kommuner: list[str] | None, area_id: int | None, limit: int, offset: int
) -> tuple[list[Household], int]:
    rows = await conn.fetch(HOUSEHOLDS_PAGE, in_kommuner, area_id, limit, offset)
    return [_household(r) for r in rows], (rows[0]["total"] if rows else 0)


# --- assignment to areas ---------------------------------------------------------------------

AREAS_IN_BOX = """
select id, geom_wkb from area where kommun = $1 and ($2::box is null or bbox && $2::box) order by id
"""


async def area_index(conn: asyncpg.Connection, kommun: str, box: Box | None = None, *, points: int = 0) -> AreaGrid:
    """The areas of a kommun (or of a box in it) on a grid, for many point lookups (about
    ``points`` of them: with many, the grid answers most without a test)."""
    rows = await conn.fetch(AREAS_IN_BOX, kommun, box)
    return AreaGrid.build([r["id"] for r in rows], [r["geom_wkb"] for r in rows], points=points)


def _union_box(boxes: Iterable[tuple[float, float, float, float]]) -> Box:
    b = np.array(list(boxes), dtype=float)
    return Box((b[:, 2].max(), b[:, 3].max()), (b[:, 0].min(), b[:, 1].min()))


HOUSEHOLDS_IN_BOX = """
select id, x, y, area_id from household
where kommun = $1 and x between $2 and $3 and y between $4 and $5
"""

SET_AREAS = """
update household h set area_id = v.area_id, updated_at = now()
from unnest($1::bigint[], $2::bigint[]) as v(id, area_id)
where h.id = v.id
"""


async def reassign_within(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    boxes: list[tuple[float, float, float, float]],
    *,
    erase_contacts: bool = False,
    what: str = "Ändringen",
) -> int:
    """Re-assign the located households of ``kommun`` inside ``boxes`` after areas changed there.

    Households that leave the area of a group where they hold the contact person: refused (409
    naming them), or with ``erase_contacts`` their contact persons are erased, audited
    (``groups.settle_departures``). Answers the number of contact persons erased.
    """
    box = _union_box(boxes)
    (maxx, maxy), (minx, miny) = box.high, box.low
    rows = await conn.fetch(HOUSEHOLDS_IN_BOX, kommun, minx, maxx, miny, maxy)
    if not rows:
        return 0
    index = await area_index(conn, kommun, box)
    xs = np.array([r["x"] for r in rows], dtype=float)
    ys = np.array([r["y"] for r in rows], dtype=float)
    assigned = index.assign(xs, ys)
    changed_ids, changed_areas = [], []
    for row, area in zip(rows, assigned.tolist(), strict=True):
        new = None if area < 0 else area
        if new != row["area_id"]:
            changed_ids.append(row["id"])
            changed_areas.append(new)
    if not changed_ids:
        return 0
    leaving = await groups.departures(conn, changed_ids, changed_areas)
    erased = await groups.settle_departures(conn, actor, leaving, confirmed=erase_contacts, what=what)
    await conn.execute(SET_AREAS, changed_ids, changed_areas)
    return erased


AREAS_AT_POINT = "select id, geom_wkb from area where kommun = $1 and bbox @> $2::point order by id"
AREA_KOMMUN = "select kommun from area where id = $1"


async def _area_at(conn: asyncpg.Connection, kommun: str, x: float, y: float) -> int | None:
    rows = await conn.fetch(AREAS_AT_POINT, kommun, Point(x, y))
    for row in rows:
        if shapely.intersects_xy(from_wkb(row["geom_wkb"]), x, y):
            return row["id"]
    return None


# --- writes ------------------------------------------------------------------------------------

INSERT_HOUSEHOLD = """
insert into household (kommun, external_ref, street, postcode, city, x, y, area_id)
values ($1, $2, $3, $4, $5, $6, $7, $8)
returning id
"""


def _audit_values(data: HouseholdInput) -> dict[str, Any]:
    return msgspec.to_builtins(data)


async def create_household(conn: asyncpg.Connection, actor: Principal, data: HouseholdInput) -> int:
    actor.require_kommun(data.kommun)
    await kommuner.require_known(conn, [data.kommun])
    async with conn.transaction(), translated_errors():
        # Shared with other single writes, exclusive against an import of the kommun, which may be
        # giving the kommun a partition of its own.
        await lock_kommun(conn, data.kommun, shared=True)
        area_id = data.area_id
        if data.x is not None and data.y is not None:
            located = await _area_at(conn, data.kommun, data.x, data.y)
            if area_id is not None and area_id != located:
                code = "household.location_other_area" if located else "household.location_no_area"
                raise InvalidInput.at("area_id", code, located=located, area_id=area_id)
            area_id = located
        elif area_id is not None:
            owner = await conn.fetchval(AREA_KOMMUN, area_id)
            if owner != data.kommun:
                raise InvalidInput.at("area_id", "area.not_in_kommun", area_id=area_id, kommun=data.kommun)
        data = msgspec.structs.replace(data, area_id=area_id)
        household_id = await conn.fetchval(
            INSERT_HOUSEHOLD,
            data.kommun,
            data.external_ref,
            data.street,
            data.postcode,
            data.city,
            data.x,
            data.y,
            data.area_id,
        )
        await audit.record(
            conn, actor, kommun=data.kommun, table="household", row_id=household_id, action="insert", after=_audit_values(data)
        )
    return household_id


ERASURE_TARGET = """
select id, kommun, area_id, tableoid::regclass::text as partition from household
where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
"""
ERASURE_TARGET_FOR_UPDATE = ERASURE_TARGET + "for update\n"
SIGNED_UP_GROUPS = "select group_id from signup where household_id = $1 order by group_id"
DELETE_HOUSEHOLD = "delete from household where id = $1"


async def lock_for_erasure(conn: asyncpg.Connection, actor: Principal, household_id: int) -> asyncpg.Record:
    """The household row (id, kommun, area_id and the partition that holds it), locked."""
    row = await conn.fetchrow(ERASURE_TARGET, household_id, actor.scope)
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    actor.require_kommun(row["kommun"])
    # The kommun's lock first (shared, as for a single new household), then the household:
    # imports and area changes hold that lock alone and then lock areas and households, so
    # locking the household first could deadlock with them. (The delete then locks the area
    # row and, by the triggers, the group rows: area before group, as everywhere.)
    await lock_kommun(conn, row["kommun"], shared=True)
    row = await conn.fetchrow(ERASURE_TARGET_FOR_UPDATE, household_id, actor.scope)
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    return row


async def signed_up_groups(conn: asyncpg.Connection, household_id: int) -> list[int]:
    return [r["group_id"] for r in await conn.fetch(SIGNED_UP_GROUPS, household_id)]


async def delete_household(conn: asyncpg.Connection, household_id: int) -> None:
    """Delete the row (its sign-ups go by the foreign key) and erase its audit values."""
    await conn.execute(DELETE_HOUSEHOLD, household_id)
    await audit.erase_values(conn, "household", [household_id])


# --- an address edited on the pages -----------------------------------------------------------------

ADDRESS = """
select id, kommun, area_id, street, postcode, city from household
where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
"""

ADDRESS_FOR_UPDATE = ADDRESS + "for update\n"

UPDATE_ADDRESS = """
update household set street = $3, postcode = $4, city = $5, updated_at = now()
where id = $1 and kommun = $2
"""


async def address_for_update(conn: asyncpg.Connection, actor: Principal, household_id: int) -> asyncpg.Record:
    """The household's id, kommun, area and address, locked (in a transaction), in the actor's scope."""
    row = await conn.fetchrow(ADDRESS, household_id, actor.scope)
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    actor.require_kommun(row["kommun"])
    # The kommun's lock first, shared (as a single new household): an import holds it alone.
    await lock_kommun(conn, row["kommun"], shared=True)
    row = await conn.fetchrow(ADDRESS_FOR_UPDATE, household_id, actor.scope)
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    return row


async def update_address(
    conn: asyncpg.Connection, household_id: int, kommun: str, street: str | None, postcode: str | None, city: str | None
) -> None:
    await conn.execute(UPDATE_ADDRESS, household_id, kommun, street, postcode, city)


OUTSIDE_AREAS = """
select id, kommun, external_ref, street, postcode, city, x, y, area_id, updated_at, count(*) over () as total
from household where kommun = $1 and area_id is null
order by x is not null, id limit $2
"""


async def outside_areas(conn: asyncpg.Connection, kommun: str, limit: int) -> tuple[list[Household], int]:
    """A kommun's households that lie in no area (at most ``limit`` of them, those without a position
    first), and how many there are."""
    rows = await conn.fetch(OUTSIDE_AREAS, kommun, limit)
    return [_household(r) for r in rows], (rows[0]["total"] if rows else 0)
