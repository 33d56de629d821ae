"""Households: addresses (personal data), a location in SWEREF 99 TM, and the area they lie in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
import numpy as np
import shapely
from asyncpg.types import Box, Point

from grannsamverkan.db import audit, kommuner
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import FieldError, InvalidInput, NotFound
from grannsamverkan.geo.assign import assign_points
from grannsamverkan.geo.geojson import from_wkb, point_to_geojson_wgs84
from grannsamverkan.geo.tabular import HouseholdChunk


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


SELECT_HOUSEHOLDS = """
select id, kommun, external_ref, street, postcode, city, x, y, area_id, updated_at, count(*) over () as total
from household
"""


def _household(row: asyncpg.Record) -> Household:
    return Household(
        id=row["id"], kommun=row["kommun"], external_ref=row["external_ref"], street=row["street"],
        postcode=row["postcode"], city=row["city"], location=point_to_geojson_wgs84(row["x"], row["y"]),
        area_id=row["area_id"], updated_at=row["updated_at"],
    )


async def get_household(conn: asyncpg.Connection, household_id: int, scope: list[str] | None) -> Household:
    row = await conn.fetchrow(
        SELECT_HOUSEHOLDS + " where id = $1 and ($2::text[] is null or kommun = any($2::text[]))", household_id, scope
    )
    if row is None:
        raise NotFound(f"no household {household_id}")
    return _household(row)


async def list_households(
    conn: asyncpg.Connection, *, kommuner_: list[str] | None, area_id: int | None, limit: int, offset: int
) -> tuple[list[Household], int]:
    rows = await conn.fetch(
        SELECT_HOUSEHOLDS
        + """ where ($1::text[] is null or kommun = any($1::text[])) and ($2::bigint is null or area_id = $2)
        order by id limit $3 offset $4""",
        kommuner_, area_id, limit, offset,
    )
    return [_household(r) for r in rows], (rows[0]["total"] if rows else 0)


# --- assignment to areas ---------------------------------------------------------------------

AREAS_IN_BOX = """
select id, geom_wkb from area where kommun = $1 and ($2::box is null or bbox && $2::box) order by id
"""


class AreaIndex(msgspec.Struct):
    """The areas of a kommun (or of a box in it), decoded once for many point lookups."""

    ids: list[int]
    geometries: list[shapely.Geometry]

    def assign(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return assign_points(xs, ys, self.ids, self.geometries)


async def area_index(conn: asyncpg.Connection, kommun: str, box: Box | None = None) -> AreaIndex:
    rows = await conn.fetch(AREAS_IN_BOX, kommun, box)
    return AreaIndex([r["id"] for r in rows], [from_wkb(r["geom_wkb"]) for r in rows])


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
    conn: asyncpg.Connection, kommun: str, boxes: list[tuple[float, float, float, float]]
) -> int:
    """Re-assign the located households of ``kommun`` inside ``boxes`` after areas changed there."""
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
    if changed_ids:
        await conn.execute(SET_AREAS, changed_ids, changed_areas)
    return len(changed_ids)


async def _area_at(conn: asyncpg.Connection, kommun: str, x: float, y: float) -> int | None:
    rows = await conn.fetch(
        "select id, geom_wkb from area where kommun = $1 and bbox @> $2::point order by id", kommun, Point(x, y)
    )
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
        area_id = data.area_id
        if data.x is not None and data.y is not None:
            located = await _area_at(conn, data.kommun, data.x, data.y)
            if area_id is not None and area_id != located:
                message = (
                    f"the location lies in {'area ' + str(located) if located else 'no area'}, not in area {area_id}; "
                    "leave area_id out to have it assigned from the location"
                )
                raise InvalidInput(message, [FieldError(field="area_id", message=message)])
            area_id = located
        elif area_id is not None:
            owner = await conn.fetchval("select kommun from area where id = $1", area_id)
            if owner != data.kommun:
                message = f"no area {area_id} in kommun {data.kommun}"
                raise InvalidInput(message, [FieldError(field="area_id", message=message)])
        data = msgspec.structs.replace(data, area_id=area_id)
        household_id = await conn.fetchval(
            INSERT_HOUSEHOLD, data.kommun, data.external_ref, data.street, data.postcode, data.city,
            data.x, data.y, data.area_id,
        )
        await audit.record(conn, actor, kommun=data.kommun, table="household", row_id=household_id,
                           action="insert", after=_audit_values(data))
    return household_id


async def erase_household(conn: asyncpg.Connection, actor: Principal, household_id: int) -> None:
    """Delete the household with its sign-ups and contact persons, and erase their personal data
    from the audit trail's values (the fact that changes happened stays)."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "select id, kommun, area_id from household where id = $1 and ($2::text[] is null or kommun = any($2::text[])) for update",
            household_id, actor.scope,
        )
        if row is None:
            raise NotFound(f"no household {household_id}")
        actor.require_kommun(row["kommun"])
        contact_ids = [r["id"] for r in await conn.fetch(
            "select id from contact_person where household_id = $1", household_id)]
        groups = [r["group_id"] for r in await conn.fetch("select group_id from signup where household_id = $1", household_id)]
        await conn.execute("delete from household where id = $1", household_id)
        await audit.erase_values(conn, "household", [household_id])
        await audit.erase_values(conn, "contact_person", contact_ids)
        await audit.record(conn, actor, kommun=row["kommun"], table="household", row_id=household_id,
                           action="erase", after={"area_id": row["area_id"], "signups_withdrawn": groups,
                                                  "contact_persons_erased": len(contact_ids)})


# --- CSV import ----------------------------------------------------------------------------------


class ImportResult(msgspec.Struct, kw_only=True):
    inserted: int
    updated: int
    assigned: int
    unassigned: int


CREATE_STAGING = """
create temp table household_staging (
    external_ref text collate "C" not null, street text, postcode text, city text,
    x double precision, y double precision, area_id bigint
) on commit drop
"""
STAGING_COLUMNS = ["external_ref", "street", "postcode", "city", "x", "y", "area_id"]
HOUSEHOLD_COLUMNS = ["kommun", *STAGING_COLUMNS]

EXISTING_REFS = "select external_ref from household where kommun = $1 and external_ref is not null"

# Households already in the registry change only where they differ.
UPDATE_FROM_STAGING = """
update household h
set street = s.street, postcode = s.postcode, city = s.city, x = s.x, y = s.y, area_id = s.area_id,
    updated_at = now()
from household_staging s
where h.kommun = $1 and h.external_ref = s.external_ref
  and (h.street, h.postcode, h.city, h.x, h.y, h.area_id)
      is distinct from (s.street, s.postcode, s.city, s.x, s.y, s.area_id)
"""


def _count(status: str) -> int:
    """Rows of an ``UPDATE n`` command status."""
    return int(status.rsplit(" ", 1)[-1])


class _PreparedChunk(msgspec.Struct):
    new_rows: list[tuple[Any, ...]]  # for household, in external_ref order
    known_rows: list[tuple[Any, ...]]  # for household_staging
    assigned: int
    bytes_consumed: int
    total_bytes: int


def _prepare(chunk: HouseholdChunk, index: AreaIndex, kommun: str, existing: set[str]) -> _PreparedChunk:
    """Point-in-polygon and row tuples for one chunk; split into new and known households."""
    areas = index.assign(chunk.x_sweref, chunk.y_sweref)
    located = ~np.isnan(chunk.x_sweref)
    xs = np.where(located, chunk.x_sweref, 0.0).tolist()
    ys = np.where(located, chunk.y_sweref, 0.0).tolist()
    area_list = areas.tolist()
    new_rows, known_rows = [], []
    for i, flag in enumerate(located.tolist()):
        area = area_list[i]
        ref = chunk.external_ref[i]
        row = (ref, chunk.street[i], chunk.postcode[i], chunk.city[i],
               xs[i] if flag else None, ys[i] if flag else None, area if area >= 0 else None)
        if ref in existing:
            known_rows.append(row)
        else:
            new_rows.append((kommun, *row))
    # In key order, so the unique index on (kommun, external_ref) grows in runs, not at random pages.
    new_rows.sort(key=lambda r: r[1].encode("utf-8"))
    return _PreparedChunk(new_rows, known_rows, int((areas >= 0).sum()), chunk.bytes_consumed, chunk.total_bytes)


async def _prepared_chunks(
    chunks: Iterable[HouseholdChunk], index: AreaIndex, kommun: str, existing: set[str]
) -> AsyncIterator[_PreparedChunk]:
    """Parse and prepare the next chunk in a thread while the database stores the current one."""
    source = iter(chunks)

    def produce() -> _PreparedChunk | None:
        chunk = next(source, None)
        return None if chunk is None else _prepare(chunk, index, kommun, existing)

    pending = asyncio.ensure_future(asyncio.to_thread(produce))
    try:
        while (prepared := await pending) is not None:
            pending = asyncio.ensure_future(asyncio.to_thread(produce))
            yield prepared
    finally:
        # Reached early only when storing failed; a failing parse (a bad line) has already raised
        # from ``await pending`` above, and either way the caller's transaction rolls back.
        if pending.done():
            if not pending.cancelled():
                pending.exception()  # retrieved, so it is not reported as lost
        else:
            pending.cancel()


async def import_households(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    chunks: Iterable[HouseholdChunk],
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """All or nothing, idempotent by external_ref. New households are COPYed straight into the
    table chunk by chunk (while the next chunk is parsed); known ones are staged and updated where
    they differ, in the same transaction."""
    actor.require_kommun(kommun)
    await kommuner.require_known(conn, [kommun])
    inserted = assigned = total = 0
    async with conn.transaction(), translated_errors():
        # Areas cannot change under the import, nor can another import of the kommun run: both
        # take this lock.
        await conn.execute("select pg_advisory_xact_lock(hashtext('area:' || $1))", kommun)
        index = await area_index(conn, kommun)
        existing = {r[0] for r in await conn.fetch(EXISTING_REFS, kommun)}
        await conn.execute(CREATE_STAGING)
        async for prepared in _prepared_chunks(chunks, index, kommun, existing):
            if prepared.new_rows:
                await conn.copy_records_to_table("household", records=prepared.new_rows, columns=HOUSEHOLD_COLUMNS)
            if prepared.known_rows:
                await conn.copy_records_to_table("household_staging", records=prepared.known_rows, columns=STAGING_COLUMNS)
            inserted += len(prepared.new_rows)
            assigned += prepared.assigned
            total += len(prepared.new_rows) + len(prepared.known_rows)
            if on_progress:
                on_progress(prepared.bytes_consumed, prepared.total_bytes)
        updated = _count(await conn.execute(UPDATE_FROM_STAGING, kommun)) if existing else 0
        result = ImportResult(inserted=inserted, updated=updated, assigned=assigned, unassigned=total - assigned)
        await audit.record(conn, actor, kommun=kommun, table="household", row_id=None, action="import",
                           after=msgspec.to_builtins(result))
    return result
