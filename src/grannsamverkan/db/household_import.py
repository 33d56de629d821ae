"""The household import: a CSV file's households into a kommun, all or nothing, idempotent by
external_ref.

The pipeline, each stage on its own thread so that two cores are kept busy:

1. reading: the fast Arrow reader (``geo.columnar.clean_batches``) or, when it hands over, the
   careful one (``geo.columnar.household_batches``), up to 16 batches ahead (``ReadAhead``);
2. preparing: each batch's households assigned to areas, split into new ones and changed known
   ones, the new ones encoded in PostgreSQL's binary COPY format (``_prepare``, in a worker thread);
3. storing: one binary COPY of every new household, fed batch by batch (``_copy_new``); the
   changed known households go through a staging table and one ``update``.

A kommun's first import (it has no households yet) loads a table of its own, created in the same
transaction and without indexes (on the embedded server, with ``wal_level = minimal``, written
without WAL; on every server, frozen by ``COPY FREEZE``), builds the three indexes once, sorted,
and attaches it as the kommun's partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator

import asyncpg
import msgspec
import numpy as np
import pgpq
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from numpy.typing import NDArray

from grannsamverkan.db import audit, groups, kommuner
from grannsamverkan.db.households import area_index
from grannsamverkan.db.locks import lock_kommun
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import Conflict
from grannsamverkan.geo.assign import AreaGrid
from grannsamverkan.geo.columnar import NotClean, clean_batches, household_batches
from grannsamverkan.geo.household_csv import HouseholdBatch

# A line of a household CSV is rarely shorter than this: how many households the area index
# expects, to decide whether its fine grid pays off.
SHORTEST_LINE_BYTES = 40


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
# The loaded pages go to disk while the COPY and the index builds run, not all at the commit: a
# table loaded without WAL (the embedded server) is synced when the transaction commits, and that
# sync then finds little left to write (1M rows: 0.12 s → 0.06 s at the commit, embedded PG 18).
FLUSH_AS_WRITTEN = "set local backend_flush_after = '2MB'"
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


# --- what the kommun has ----------------------------------------------------------------------------


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


# --- preparing a batch ---------------------------------------------------------------------------------


class _Target(msgspec.Struct, frozen=True):
    """Where the new households go: the kommun's own load table (first import) or ``household``."""

    table: str
    kommun: str
    first_load: bool

    @property
    def schema(self) -> pa.Schema:
        return ROW_SCHEMA if self.first_load else PARENT_SCHEMA


class _Tally(msgspec.Struct, frozen=True):
    """What the stored batches add up to (``area_counts``: new households per area, first import)."""

    rows: int = 0
    inserted: int = 0
    assigned: int = 0
    unlocated: int = 0
    area_counts: dict[int, int] = msgspec.field(default_factory=dict)

    def plus(self, other: _Tally) -> _Tally:
        counts = dict(self.area_counts)
        for area, n in other.area_counts.items():
            counts[area] = counts.get(area, 0) + n
        return _Tally(
            rows=self.rows + other.rows,
            inserted=self.inserted + other.inserted,
            assigned=self.assigned + other.assigned,
            unlocated=self.unlocated + other.unlocated,
            area_counts=counts,
        )


class _Prepared(msgspec.Struct):
    """One batch, ready to store: its new households encoded for the COPY, the known ones that
    changed, and what it adds to the import's counts."""

    encoded: bytes
    changed_rows: pa.RecordBatch  # ROW_SCHEMA
    counts: _Tally
    bytes_consumed: int
    total_bytes: int


def _distinct(a: pa.Array, b: pa.Array) -> pa.Array:
    """Per row: ``a is distinct from b`` (two nulls are equal, a null and a value differ)."""
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.if_else(both_null, False, pc.fill_null(pc.not_equal(a, b), True))


def _rows(batch: HouseholdBatch, areas: NDArray[np.int64]) -> pa.RecordBatch:
    located = ~np.isnan(batch.x_sweref)
    return pa.RecordBatch.from_arrays(
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


def _split_known(rows: pa.RecordBatch, existing: _Existing | None) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """The batch's new households, and its known ones that differ from what the kommun has."""
    if existing is None or not existing.position:
        return rows, rows.slice(0, 0)
    refs = rows.column("external_ref").to_pylist()
    where = np.fromiter((existing.position.get(r, -1) for r in refs), np.int64, count=len(refs))
    known = where >= 0
    positions = where[known]
    if existing.named[positions].any() or len(np.unique(positions)) != len(positions):
        raise NotClean("a repeated external_ref")
    existing.named[positions] = True
    before = existing.rows.take(pa.array(np.where(known, where, 0)))
    changed = np.zeros(len(refs), dtype=np.bool_)
    for name in ROW_COLUMNS[1:]:
        changed |= _distinct(rows.column(name), before.column(name).combine_chunks()).to_numpy(zero_copy_only=False)
    return rows.filter(pa.array(~known)), rows.filter(pa.array(known & changed))


def _for_copy(new_rows: pa.RecordBatch, target: _Target) -> pa.RecordBatch:
    """The new households as the target table takes them."""
    if target.first_load:
        return new_rows  # the load table's kommun column has the kommun as its default
    # In key order, so that the unique index on (external_ref, kommun) grows in runs.
    rows = new_rows.take(pc.sort_indices(new_rows.column("external_ref")))
    return rows.append_column("kommun", pa.array([target.kommun] * rows.num_rows, pa.string()))


def _area_counts(new_rows: pa.RecordBatch) -> dict[int, int]:
    areas = new_rows.column("area_id").drop_null().to_numpy()
    return {int(area): int(n) for area, n in zip(*np.unique(areas, return_counts=True), strict=True)}


def _prepare(
    batch: HouseholdBatch, index: AreaGrid, existing: _Existing | None, target: _Target, encoder: pgpq.ArrowToPostgresBinaryEncoder
) -> _Prepared:
    """Point-in-polygon, the batch split into new households and changed known ones, the new
    ones encoded for the COPY."""
    areas = index.assign(batch.x_sweref, batch.y_sweref)
    new_rows, changed_rows = _split_known(_rows(batch, areas), existing)
    counts = _Tally(
        rows=len(batch),
        inserted=new_rows.num_rows,
        assigned=int((areas >= 0).sum()),
        unlocated=int(np.isnan(batch.x_sweref).sum()),
        area_counts=_area_counts(new_rows) if target.first_load else {},
    )
    encoded = encoder.write_batch(_for_copy(new_rows, target))
    return _Prepared(encoded, changed_rows, counts, batch.bytes_consumed, batch.total_bytes)


# --- reading ahead --------------------------------------------------------------------------------------

_END = object()


class ReadAhead:
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


async def _prepared_batches(
    reader: ReadAhead, index: AreaGrid, existing: _Existing | None, target: _Target, encoder: pgpq.ArrowToPostgresBinaryEncoder
) -> AsyncIterator[_Prepared]:
    """Prepare the next batch in a thread while the database stores the current one."""

    def produce() -> _Prepared | None:
        batch = reader.take()
        return None if batch is None else _prepare(batch, index, existing, target, encoder)

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


# --- storing ----------------------------------------------------------------------------------------------


class _Stored(msgspec.Struct, frozen=True):
    """What the COPY of the new households stored, and the known households that changed."""

    tally: _Tally
    changed: list[pa.RecordBatch]


async def _copy_new(
    conn: asyncpg.Connection,
    target: _Target,
    batches: AsyncIterator[_Prepared],
    encoder: pgpq.ArrowToPostgresBinaryEncoder,
    on_progress: Callable[[int, int], None] | None,
) -> _Stored:
    """One binary COPY of the new households. The COPY reads from a channel that ``feed`` fills
    batch by batch; ``feed`` adds up the batches and returns the sum when the COPY has all of them."""
    channel: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=2)

    async def feed() -> _Stored:
        tally, changed = _Tally(), []
        try:
            await channel.put(encoder.write_header())
            async for prepared in batches:
                tally = tally.plus(prepared.counts)
                if prepared.changed_rows.num_rows:
                    changed.append(prepared.changed_rows)
                if on_progress:
                    on_progress(prepared.bytes_consumed, prepared.total_bytes)
                await channel.put(prepared.encoded)
            await channel.put(encoder.finish())
            await channel.put(None)
        except asyncio.CancelledError:  # the COPY failed: nobody reads the channel any more
            raise
        except BaseException as exc:  # reading or preparing failed: the COPY ends with it, and the import raises it
            await channel.put(exc)
            raise
        return _Stored(tally, changed)

    async def drain() -> AsyncIterator[bytes]:
        while (chunk := await channel.get()) is not None:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk

    feeding = asyncio.ensure_future(feed())
    try:
        # A first load's table was made in this transaction: COPY FREEZE writes its rows frozen and
        # its pages all-visible, so the index builds read them without checking each row's
        # transaction, and no vacuum rewrites them later (1M rows, embedded: about 0.1 s less).
        # PostgreSQL's documented cost: a repeatable-read transaction older than the commit sees
        # the rows once it is committed; the registry reads in read committed.
        freeze = True if target.first_load else None
        await conn.copy_to_table(target.table, source=drain(), columns=target.schema.names, format="binary", freeze=freeze)
    except BaseException:
        feeding.cancel()
        with contextlib.suppress(BaseException):
            await feeding
        raise
    return await feeding


async def _copy_rows(conn: asyncpg.Connection, table: str, schema: pa.Schema, batches: list[pa.RecordBatch]) -> None:
    encoder = pgpq.ArrowToPostgresBinaryEncoder(schema)
    encoded = [encoder.write_header(), *(encoder.write_batch(b) for b in batches), encoder.finish()]

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in encoded:
            yield chunk

    await conn.copy_to_table(table, source=chunks(), columns=schema.names, format="binary")


async def _attach_first_load(conn: asyncpg.Connection, kommun: str, area_counts: dict[int, int]) -> None:
    """Counters and the area check that the triggers on ``household`` do for other writes, then
    the indexes and the attachment."""
    ids, counts = list(area_counts), list(area_counts.values())
    status = await conn.execute(ADD_AREA_COUNTS, ids, counts, kommun)
    if _count(status) != len(ids):  # areas come from the kommun's own, under the lock: a bug if hit
        raise Conflict.at("area_id", "household.area_missing")
    await conn.execute(INDEX_BUILD_MEMORY)
    await conn.execute(ATTACH_PARTITION, kommun)


async def _update_changed(
    conn: asyncpg.Connection, actor: Principal, kommun: str, changed: list[pa.RecordBatch], erase_contacts: bool
) -> tuple[int, int]:
    """The known households that changed, through a staging table: ``(updated, contact persons erased)``."""
    await conn.execute(CREATE_STAGING)
    await _copy_rows(conn, "household_staging", ROW_SCHEMA, changed)
    erased = 0
    moved = await conn.fetch(MOVED_BY_STAGING, kommun)
    if moved:
        leaving = await groups.departures(conn, [r["id"] for r in moved], [r["area_id"] for r in moved])
        erased = await groups.settle_departures(conn, actor, leaving, confirmed=erase_contacts, what="Importen")
    return _count(await conn.execute(UPDATE_FROM_STAGING, kommun)), erased


# --- the import -----------------------------------------------------------------------------------------


def start_reading(csv: bytes, kommun: str) -> ReadAhead:
    """The fast reader of ``csv``, started now: a caller that has the file before it has its
    connection (the command line, while it connects and checks the migrations) hands it to
    :func:`import_households`, whose COPY then finds the first batches ready. Close it when the
    import does not take it."""
    return ReadAhead(clean_batches(csv, kommun=kommun))


async def import_households(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    csv: bytes,
    *,
    erase_contacts: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    started: ReadAhead | None = None,
) -> ImportResult:
    """The households of a CSV file: all or nothing, idempotent by external_ref.

    The fast reader streams a clean file (``started``: the one :func:`start_reading` started for
    this file and kommun); when it finds anything it does not accept, the transaction is rolled
    back and the careful reader reads the file again (and names the lines that are wrong, if any).

    Households that the file moves out of the area of a group where they hold the contact person
    are refused (409 naming them) unless ``erase_contacts``: their contact persons are then erased,
    audited (``groups.settle_departures``).
    """
    fast = started or ReadAhead(clean_batches(csv, kommun=kommun))
    try:
        actor.require_kommun(kommun)
        await kommuner.require_known(conn, [kommun])
    except BaseException:
        fast.close()
        raise
    job = _Job(actor, kommun, len(csv) // SHORTEST_LINE_BYTES, on_progress, erase_contacts)
    try:
        return await _import(conn, job, fast)
    except NotClean:
        return await _import(conn, job, ReadAhead(household_batches(csv, kommun=kommun)))


class _Job(msgspec.Struct, frozen=True):
    """What an import is asked to do, the same for the fast reader's attempt and the careful
    one's: who, which kommun, how many households to expect (the area index's size), whom to
    tell of progress, and whether moved households may take their contact persons with them."""

    actor: Principal
    kommun: str
    expected: int
    on_progress: Callable[[int, int], None] | None
    erase_contacts: bool


async def _import(conn: asyncpg.Connection, job: _Job, reader: ReadAhead) -> ImportResult:
    try:
        async with conn.transaction(), translated_errors():
            return await _store(conn, job, reader)
    finally:
        reader.close()


async def _store(conn: asyncpg.Connection, job: _Job, reader: ReadAhead) -> ImportResult:
    # Areas cannot change under the import, nor can another import of the kommun run, nor a
    # household be added to it: all take this lock.
    kommun = job.kommun
    await lock_kommun(conn, kommun)
    index = await area_index(conn, kommun, points=job.expected)
    target = await _target(conn, kommun)
    existing = None if target.first_load else await _existing(conn, kommun)
    encoder = pgpq.ArrowToPostgresBinaryEncoder(target.schema)
    try:
        prepared = _prepared_batches(reader, index, existing, target, encoder)
        stored = await _copy_new(conn, target, prepared, encoder, job.on_progress)
        if target.first_load:
            await _attach_first_load(conn, kommun, stored.tally.area_counts)
    except asyncpg.UniqueViolationError:
        # New households repeat an external_ref (known ones are caught in _split_known): the
        # careful reader names the lines.
        raise NotClean("a repeated external_ref") from None
    updated, erased = await _update_changed(conn, job.actor, kommun, stored.changed, job.erase_contacts) if stored.changed else (0, 0)
    tally = stored.tally
    result = ImportResult(
        inserted=tally.inserted,
        updated=updated,
        assigned=tally.assigned,
        unassigned=tally.rows - tally.assigned,
        contact_persons_erased=erased,
        without_position=tally.unlocated,
        warnings=[without_position_warning(tally.unlocated)] if tally.unlocated else [],
    )
    await audit.record(conn, job.actor, kommun=kommun, table="household", row_id=None, action="import", after=msgspec.to_builtins(result))
    return result


async def _target(conn: asyncpg.Connection, kommun: str) -> _Target:
    """A kommun without households gets a load table of its own (its first import); else ``household``."""
    first_load = not await conn.fetchval(HAS_OWN_PARTITION, kommun) and not await conn.fetchval(HAS_HOUSEHOLDS, kommun)
    if not first_load:
        return _Target("household", kommun, first_load=False)
    await conn.execute(FLUSH_AS_WRITTEN)
    await conn.execute(CREATE_PARTITION, kommun)
    return _Target(await conn.fetchval(PARTITION_NAME, kommun), kommun, first_load=True)
