"""Households: addresses (personal data), a location in SWEREF 99 TM, and the area they lie in."""

from __future__ import annotations

import asyncio
import contextlib
import io
import queue
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
import numpy as np
import pgpq
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely
from asyncpg.types import Box, Point
from numpy.typing import NDArray

from grannsamverkan.db import audit, groups, kommuner
from grannsamverkan.db.locks import lock_kommun
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import Conflict, InvalidInput, NotFound
from grannsamverkan.geo.assign import AreaGrid
from grannsamverkan.geo.columnar import HouseholdBatch, NotClean, clean_batches, household_batches
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


SELECT_HOUSEHOLDS = """
select id, kommun, external_ref, street, postcode, city, x, y, area_id, updated_at, count(*) over () as total
from household
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
    row = await conn.fetchrow(
        SELECT_HOUSEHOLDS + " where id = $1 and ($2::text[] is null or kommun = any($2::text[]))", household_id, scope
    )
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    return _household(row)


async def list_households(
    conn: asyncpg.Connection, *, in_kommuner: list[str] | None, area_id: int | None, limit: int, offset: int
) -> tuple[list[Household], int]:
    rows = await conn.fetch(
        SELECT_HOUSEHOLDS
        + """ where ($1::text[] is null or kommun = any($1::text[])) and ($2::bigint is null or area_id = $2)
        order by id limit $3 offset $4""",
        in_kommuner,
        area_id,
        limit,
        offset,
    )
    return [_household(r) for r in rows], (rows[0]["total"] if rows else 0)


# --- assignment to areas ---------------------------------------------------------------------

AREAS_IN_BOX = """
select id, geom_wkb from area where kommun = $1 and ($2::box is null or bbox && $2::box) order by id
"""


async def area_index(conn: asyncpg.Connection, kommun: str, box: Box | None = None) -> AreaGrid:
    """The areas of a kommun (or of a box in it) on a grid, for many point lookups."""
    rows = await conn.fetch(AREAS_IN_BOX, kommun, box)
    return AreaGrid.build([r["id"] for r in rows], [r["geom_wkb"] for r in rows])


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
    erased = await groups.settle_departures(conn, actor, leaving, erase_contacts_=erase_contacts, what=what)
    await conn.execute(SET_AREAS, changed_ids, changed_areas)
    return erased


async def _area_at(conn: asyncpg.Connection, kommun: str, x: float, y: float) -> int | None:
    rows = await conn.fetch("select id, geom_wkb from area where kommun = $1 and bbox @> $2::point order by id", kommun, Point(x, y))
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
            owner = await conn.fetchval("select kommun from area where id = $1", area_id)
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
    row = await conn.fetchrow(ERASURE_TARGET + " for update", household_id, actor.scope)
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    return row


async def signed_up_groups(conn: asyncpg.Connection, household_id: int) -> list[int]:
    return [r["group_id"] for r in await conn.fetch("select group_id from signup where household_id = $1 order by group_id", household_id)]


async def delete_household(conn: asyncpg.Connection, household_id: int) -> None:
    """Delete the row (its sign-ups go by the foreign key) and erase its audit values."""
    await conn.execute("delete from household where id = $1", household_id)
    await audit.erase_values(conn, "household", [household_id])


# --- CSV import ----------------------------------------------------------------------------------


class ImportResult(msgspec.Struct, kw_only=True, omit_defaults=True):
    inserted: int
    updated: int
    assigned: int
    unassigned: int
    contact_persons_erased: int = 0
    without_position: int = 0  # households of the file without a position: they count in no area
    warnings: list[str] = msgspec.field(default_factory=list)


def without_position_warning(count: int) -> str:
    return f"{count} hushåll saknar position och räknas inte i något område"


CREATE_STAGING = """
create temp table household_staging (
    external_ref text collate "C" not null, street text, postcode text, city text,
    x double precision, y double precision, area_id bigint
) on commit drop
"""
ROW_COLUMNS = ["external_ref", "street", "postcode", "city", "x", "y", "area_id"]
ROW_SCHEMA = pa.schema(
    [
        ("external_ref", pa.string()),
        ("street", pa.string()),
        ("postcode", pa.string()),
        ("city", pa.string()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        ("area_id", pa.int64()),
    ]
)
PARENT_SCHEMA = ROW_SCHEMA.append(pa.field("kommun", pa.string()))

HAS_OWN_PARTITION = "select to_regclass(household_partition_name($1)) is not null"
HAS_HOUSEHOLDS = "select exists (select 1 from household where kommun = $1)"
PARTITION_NAME = "select household_partition_name($1)"
CREATE_PARTITION = "select household_partition_create($1)"
ATTACH_PARTITION = "select household_partition_attach($1)"
# Room for the index builds to sort a million keys in memory.
INDEX_BUILD_MEMORY = "set local maintenance_work_mem = '256MB'"
ADD_AREA_COUNTS = """
update area a set households_total = a.households_total + v.n
from unnest($1::bigint[], $2::integer[]) as v(id, n)
where a.id = v.id and a.kommun = $3
"""

# What the kommun has, to tell new, changed and unchanged households apart.
EXISTING_HOUSEHOLDS = """
select external_ref, street, postcode, city, x, y, area_id from household
where kommun = $1 and external_ref is not null
"""

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


# Known households whose area the import changes.
MOVED_BY_STAGING = """
select h.id, s.area_id from household_staging s
join household h on h.kommun = $1 and h.external_ref = s.external_ref
where h.area_id is distinct from s.area_id
"""


def _count(status: str) -> int:
    """Rows of an ``UPDATE n`` command status."""
    return int(status.rsplit(" ", 1)[-1])


class _Existing(msgspec.Struct):
    """The kommun's households with an external_ref: row position by ref, the rows, and which of
    them the file has named so far (a second time means a repeated external_ref)."""

    position: dict[str, int]
    rows: pa.Table
    named: NDArray[np.bool_]


async def _existing(conn: asyncpg.Connection, kommun: str) -> _Existing:
    buffer = io.BytesIO()
    await conn.copy_from_query(EXISTING_HOUSEHOLDS, kommun, output=buffer, format="csv")
    rows = (
        pacsv.read_csv(
            pa.py_buffer(buffer.getbuffer()),
            read_options=pacsv.ReadOptions(column_names=ROW_COLUMNS),
            convert_options=pacsv.ConvertOptions(
                column_types=ROW_SCHEMA, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False
            ),
        )
        if buffer.tell()
        else ROW_SCHEMA.empty_table()
    )
    refs = rows.column("external_ref").to_pylist()
    return _Existing({ref: i for i, ref in enumerate(refs)}, rows, np.zeros(len(refs), dtype=np.bool_))


class _PreparedBatch(msgspec.Struct):
    new_rows: pa.RecordBatch  # ROW_SCHEMA
    changed_rows: pa.RecordBatch  # ROW_SCHEMA
    assigned: int
    rows: int
    bytes_consumed: int
    total_bytes: int
    unlocated: int = 0


def _distinct(a: pa.Array, b: pa.Array) -> pa.Array:
    """Per row: ``a is distinct from b`` (two nulls are equal, a null and a value differ)."""
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.if_else(both_null, False, pc.fill_null(pc.not_equal(a, b), True))


def _prepare(batch: HouseholdBatch, index: AreaGrid, existing: _Existing | None) -> _PreparedBatch:
    """Point-in-polygon, then the batch split into new households and changed known ones."""
    areas = index.assign(batch.x_sweref, batch.y_sweref)
    located = ~np.isnan(batch.x_sweref)
    rows = pa.RecordBatch.from_arrays(
        [
            batch.external_ref,
            batch.street,
            batch.postcode,
            batch.city,
            pa.array(batch.x_sweref, mask=~located),
            pa.array(batch.y_sweref, mask=~located),
            pa.array(areas, mask=areas < 0),
        ],
        schema=ROW_SCHEMA,
    )
    if existing is None or not existing.position:
        new_rows, changed_rows = rows, rows.slice(0, 0)
    else:
        where = np.fromiter((existing.position.get(r, -1) for r in batch.external_ref.to_pylist()), np.int64, count=len(batch))
        known = where >= 0
        positions = where[known]
        if existing.named[positions].any() or len(np.unique(positions)) != len(positions):
            raise NotClean("a repeated external_ref")
        existing.named[positions] = True
        before = existing.rows.take(pa.array(np.where(known, where, 0)))
        changed = np.zeros(len(batch), dtype=np.bool_)
        for name in ROW_COLUMNS[1:]:
            changed |= _distinct(rows.column(name), before.column(name).combine_chunks()).to_numpy(zero_copy_only=False)
        new_rows = rows.filter(pa.array(~known))
        changed_rows = rows.filter(pa.array(known & changed))
    return _PreparedBatch(
        new_rows, changed_rows, int((areas >= 0).sum()), len(batch), batch.bytes_consumed, batch.total_bytes, int((~located).sum())
    )


_END = object()


class _ReadAhead:
    """Reads the batches in a thread of its own, up to ``depth`` ahead of the import, from the
    moment the import starts: the first ones while the database answers the setup queries (and,
    on a re-import, sends what the kommun has), the next ones while it stores the current one."""

    def __init__(self, batches: Iterable[HouseholdBatch], depth: int = 16) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(iter(batches),), name="household-reader", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _read(self, source: Iterator[HouseholdBatch]) -> None:
        try:
            for batch in source:
                if not self._put(batch):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the import, which raises it
            self._put(exc)

    def take(self) -> HouseholdBatch | None:
        """The next batch (``None`` at the end); blocks, so call it in a thread. Raises what reading raised."""
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return None if item is _END else item  # type: ignore[return-value]

    def close(self) -> None:
        """Stop reading; a ``take`` waiting for a batch gets ``None``."""
        self._stop.set()
        self._thread.join()
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(_END)


async def _prepared_batches(reader: _ReadAhead, index: AreaGrid, existing: _Existing | None) -> AsyncIterator[_PreparedBatch]:
    """Prepare the next batch in a thread while the database stores the current one."""

    def produce() -> _PreparedBatch | None:
        batch = reader.take()
        return None if batch is None else _prepare(batch, index, existing)

    pending = asyncio.ensure_future(asyncio.to_thread(produce))
    try:
        while (prepared := await pending) is not None:
            pending = asyncio.ensure_future(asyncio.to_thread(produce))
            yield prepared
    finally:
        # Reached early only when storing failed, or reading did (raised above): either way the
        # transaction rolls back. Stop reading so the pending call returns, and retrieve it.
        if not pending.done():
            reader.close()
        with contextlib.suppress(Exception):
            await pending


class _Tally(msgspec.Struct):
    inserted: int = 0
    assigned: int = 0
    rows: int = 0
    unlocated: int = 0
    area_counts: dict[int, int] = msgspec.field(default_factory=dict)


async def _binary_copy(schema: pa.Schema, batches: AsyncIterable[pa.RecordBatch]) -> AsyncIterator[bytes]:
    """PostgreSQL's binary COPY format for Arrow batches (pgpq encodes it in Rust)."""
    encoder = pgpq.ArrowToPostgresBinaryEncoder(schema)
    yield encoder.write_header()
    async for batch in batches:
        yield encoder.write_batch(batch)
    yield encoder.finish()


async def _each(batches: list[pa.RecordBatch]) -> AsyncIterator[pa.RecordBatch]:
    for batch in batches:
        yield batch


async def import_households(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    csv: bytes,
    *,
    erase_contacts: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """The households of a CSV file: all or nothing, idempotent by external_ref.

    The fast reader streams a clean file; when it finds anything it does not accept, the
    transaction is rolled back and the careful reader reads the file again (and names the lines
    that are wrong, if any).

    Households that the file moves out of the area of a group where they hold the contact person
    are refused (409 naming them) unless ``erase_contacts``: their contact persons are then erased,
    audited (``groups.settle_departures``).
    """
    actor.require_kommun(kommun)
    await kommuner.require_known(conn, [kommun])
    try:
        return await _import(conn, actor, kommun, clean_batches(csv, kommun=kommun), on_progress, erase_contacts)
    except NotClean:
        return await _import(conn, actor, kommun, household_batches(csv, kommun=kommun), on_progress, erase_contacts)


async def _import(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    batches: Iterable[HouseholdBatch],
    on_progress: Callable[[int, int], None] | None,
    erase_contacts: bool = False,
) -> ImportResult:
    """New households are streamed in one binary COPY while the next batch is parsed. A kommun's
    first import (it has no households yet) loads a table of its own without indexes, builds the
    indexes once and attaches it as the kommun's partition; later imports COPY into ``household``
    and update the known households that changed, in the same transaction."""
    reader = _ReadAhead(batches)
    try:
        return await _store(conn, actor, kommun, reader, on_progress, erase_contacts)
    finally:
        reader.close()


async def _store(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    reader: _ReadAhead,
    on_progress: Callable[[int, int], None] | None,
    erase_contacts: bool,
) -> ImportResult:
    tally = _Tally()
    changed: list[pa.RecordBatch] = []
    async with conn.transaction(), translated_errors():
        # Areas cannot change under the import, nor can another import of the kommun run, nor a
        # household be added to it: all take this lock.
        await lock_kommun(conn, kommun)
        index = await area_index(conn, kommun)
        first_load = not await conn.fetchval(HAS_OWN_PARTITION, kommun) and not await conn.fetchval(HAS_HOUSEHOLDS, kommun)
        existing = None if first_load else await _existing(conn, kommun)
        if first_load:
            await conn.execute(CREATE_PARTITION, kommun)
            target, schema = await conn.fetchval(PARTITION_NAME, kommun), ROW_SCHEMA
        else:
            target, schema = "household", PARENT_SCHEMA

        async def new_rows() -> AsyncIterator[pa.RecordBatch]:
            async for prepared in _prepared_batches(reader, index, existing):
                tally.rows += prepared.rows
                tally.assigned += prepared.assigned
                tally.unlocated += prepared.unlocated
                tally.inserted += prepared.new_rows.num_rows
                if first_load:
                    areas = prepared.new_rows.column("area_id").drop_null().to_numpy()
                    for area, n in zip(*np.unique(areas, return_counts=True), strict=True):
                        tally.area_counts[int(area)] = tally.area_counts.get(int(area), 0) + int(n)
                if prepared.changed_rows.num_rows:
                    changed.append(prepared.changed_rows)
                if on_progress:
                    on_progress(prepared.bytes_consumed, prepared.total_bytes)
                rows = prepared.new_rows
                if not first_load:
                    # In key order, so the unique index on (external_ref, kommun) grows in runs.
                    rows = rows.take(pc.sort_indices(rows.column("external_ref")))
                    rows = rows.append_column("kommun", pa.array([kommun] * rows.num_rows, pa.string()))
                yield rows

        try:
            await conn.copy_to_table(target, source=_binary_copy(schema, new_rows()), columns=schema.names, format="binary")
            if first_load:
                await _attach_first_load(conn, kommun, tally.area_counts)
        except asyncpg.UniqueViolationError:
            # New households repeat an external_ref (known ones are caught in _prepare): the
            # careful reader names the lines.
            raise NotClean("a repeated external_ref") from None
        updated = erased = 0
        if changed:
            await conn.execute(CREATE_STAGING)
            await conn.copy_to_table(
                "household_staging", source=_binary_copy(ROW_SCHEMA, _each(changed)), columns=ROW_COLUMNS, format="binary"
            )
            moved = await conn.fetch(MOVED_BY_STAGING, kommun)
            if moved:
                leaving = await groups.departures(conn, [r["id"] for r in moved], [r["area_id"] for r in moved])
                erased = await groups.settle_departures(conn, actor, leaving, erase_contacts_=erase_contacts, what="Importen")
            updated = _count(await conn.execute(UPDATE_FROM_STAGING, kommun))
        result = ImportResult(
            inserted=tally.inserted,
            updated=updated,
            assigned=tally.assigned,
            unassigned=tally.rows - tally.assigned,
            contact_persons_erased=erased,
            without_position=tally.unlocated,
            warnings=[without_position_warning(tally.unlocated)] if tally.unlocated else [],
        )
        await audit.record(conn, actor, kommun=kommun, table="household", row_id=None, action="import", after=msgspec.to_builtins(result))
    return result


async def _attach_first_load(conn: asyncpg.Connection, kommun: str, area_counts: dict[int, int]) -> None:
    """Counters and the area check that the triggers on ``household`` do for other writes, then
    the indexes and the attachment."""
    ids, counts = list(area_counts), list(area_counts.values())
    status = await conn.execute(ADD_AREA_COUNTS, ids, counts, kommun)
    if _count(status) != len(ids):  # areas come from the kommun's own, under the lock: a bug if hit
        raise Conflict.at("area_id", "household.area_missing")
    await conn.execute(INDEX_BUILD_MEMORY)
    await conn.execute(ATTACH_PARTITION, kommun)


# --- an address edited on the pages -----------------------------------------------------------------

ADDRESS_FOR_UPDATE = """
select id, kommun, area_id, street, postcode, city from household
where id = $1 and ($2::text[] is null or kommun = any($2::text[]))
"""

UPDATE_ADDRESS = """
update household set street = $3, postcode = $4, city = $5, updated_at = now()
where id = $1 and kommun = $2
"""


async def address_for_update(conn: asyncpg.Connection, actor: Principal, household_id: int) -> asyncpg.Record:
    """The household's id, kommun, area and address, locked (in a transaction), in the actor's scope."""
    row = await conn.fetchrow(ADDRESS_FOR_UPDATE, household_id, actor.scope)
    if row is None:
        raise NotFound("household.not_found", household_id=household_id)
    actor.require_kommun(row["kommun"])
    # The kommun's lock first, shared (as a single new household): an import holds it alone.
    await lock_kommun(conn, row["kommun"], shared=True)
    row = await conn.fetchrow(ADDRESS_FOR_UPDATE + " for update", household_id, actor.scope)
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
order by id limit $2
"""


async def outside_areas(conn: asyncpg.Connection, kommun: str, limit: int) -> tuple[list[Household], int]:
    """A kommun's households that lie in no area (at most ``limit`` of them), and how many there are."""
    rows = await conn.fetch(OUTSIDE_AREAS, kommun, limit)
    return [_household(r) for r in rows], (rows[0]["total"] if rows else 0)
