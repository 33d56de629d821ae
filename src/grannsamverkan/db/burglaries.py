"""Burglary incidents: import (CSV or the Swedish Police events feed), listing, and the data the
priority-area ranking and its backtest read.

Import rules (``POST /api/v1/burglaries/import`` and ``grannsamverkan import burglaries``):

* The body is the Police events JSON array when the content type says JSON or the first
  non-space byte is ``[``; otherwise a CSV (see :func:`grannsamverkan.geo.burglary_csv.parse_burglaries_csv`).
* All or nothing, idempotent by ``(source, external_ref)`` within the kommun: staged with binary COPY, then one
  upsert in the same transaction; a re-run changes nothing (``unchanged``). The source is
  ``csv`` for a CSV and ``polisen`` for the feed unless one is given.
* Area: a CSV line's point is assigned by point-in-polygon; a line's ``area_external_ref`` names
  the area directly (an unknown reference is 422 naming the line; a point lying in another area
  than the one named is 422 too).
* Police events: only burglary types are kept. The feed's ``gps`` is the centre of the place named
  in ``location.name`` (the kommun or a county), not the burglary's place, so such events count
  for the kommun with no area and no location (a kommun centre would mislead the near-repeat
  score). Events whose ``location.name`` is another place than the importing kommun (another
  kommun, a county) are skipped, as are other types and repeated copies of an event.
* ``skipped`` counts input items not stored; ``inserted + updated + unchanged`` the stored ones,
  which are either ``assigned`` to an area or ``unassigned``.
* References are unique per kommun and source (migration 0008): another kommun may store the same
  ``(source, external_ref)``, so an import neither learns of nor is blocked by another kommun's
  burglaries, and no answer names another kommun.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import asyncpg
import msgspec
import numpy as np

from grannsamverkan import messages
from grannsamverkan.db import audit, kommuner
from grannsamverkan.db.households import area_index
from grannsamverkan.db.locks import lock_kommun
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.backtest import BacktestMethod, BacktestResult, backtest
from grannsamverkan.domain.calendar import STOCKHOLM, check_days
from grannsamverkan.domain.ranking import (
    DEFAULT_BANDWIDTH_M,
    DEFAULT_TIME_WINDOW_DAYS,
    AreaTable,
    IncidentTable,
    Method,
    RankedArea,
    RankingArea,
    rank_areas,
)
from grannsamverkan.errors import FieldError, InvalidInput
from grannsamverkan.geo.burglary_csv import BurglaryRecord, parse_burglaries_csv
from grannsamverkan.geo.crs import sweref_to_wgs84
from grannsamverkan.geo.police import SOURCE as POLICE_SOURCE
from grannsamverkan.geo.police import is_json_array, parse_police_events

CSV_SOURCE: Final = "csv"
COPY_BATCH: Final = 10_000
MAX_ERRORS: Final = 50

# --- reading a body ---------------------------------------------------------------------------------


class ParsedBurglaries(msgspec.Struct, kw_only=True):
    """The burglaries of one body, before they meet the database."""

    format: str  # "csv" | "police"
    source: str
    records: list[BurglaryRecord]
    skipped: int = 0  # police: events of other types and repeated copies
    skipped_types: dict[str, int] = {}


def _check_source(source: str) -> str:
    source = source.strip()
    if not 1 <= len(source) <= 100:
        raise InvalidInput.at("source", "burglary.source_length")
    return source


def parse_body(
    data: bytes, *, content_type: str | None = None, source: str | None = None, now: datetime | None = None, kommun: str | None = None
) -> ParsedBurglaries:
    """CSV or Police events JSON, by the content type or the first non-space byte ``[``."""
    police = "json" in (content_type or "").lower() or is_json_array(data)
    if police:
        src = _check_source(source or POLICE_SOURCE)
        parsed = parse_police_events(data, source=src)
        return ParsedBurglaries(
            format="police",
            source=src,
            records=parsed.records,
            skipped=parsed.skipped + parsed.duplicates,
            skipped_types=parsed.skipped_types,
        )
    src = _check_source(source or CSV_SOURCE)
    return ParsedBurglaries(format="csv", source=src, records=parse_burglaries_csv(data, now=now, kommun=kommun))


# --- import -----------------------------------------------------------------------------------------


class ImportResult(msgspec.Struct, kw_only=True):
    """``{"inserted","updated","skipped","assigned","unassigned"}`` plus ``unchanged`` (stored as is)."""

    inserted: int
    updated: int
    unchanged: int
    skipped: int
    assigned: int
    unassigned: int


CREATE_STAGING = """
create temp table burglary_staging (
    line integer not null, external_ref text not null, occurred_from timestamptz not null,
    occurred_to timestamptz not null, category text not null,
    x double precision, y double precision, area_id bigint
) on commit drop
"""
STAGING_COLUMNS = ["line", "external_ref", "occurred_from", "occurred_to", "category", "x", "y", "area_id"]

UPSERT_FROM_STAGING = """
with upserted as (
    insert into burglary as b (kommun, source, external_ref, occurred_from, occurred_to, category, x, y, area_id)
    select $1, $2, external_ref, occurred_from, occurred_to, category, x, y, area_id from burglary_staging
    on conflict (kommun, source, external_ref) do update
        set occurred_from = excluded.occurred_from, occurred_to = excluded.occurred_to,
            category = excluded.category, x = excluded.x, y = excluded.y, area_id = excluded.area_id
        where b.kommun = excluded.kommun
          and (b.occurred_from, b.occurred_to, b.category, b.x, b.y, b.area_id)
              is distinct from (excluded.occurred_from, excluded.occurred_to, excluded.category,
                                excluded.x, excluded.y, excluded.area_id)
    returning (xmax = 0) as inserted
)
select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated
from upserted
"""


def _place_key(name: str) -> str:
    key = " ".join(name.split()).casefold()
    return key.removesuffix(" kommun")


KOMMUN_NAME = "select name from kommun where code = $1"


async def _kommun_name(conn: asyncpg.Connection, kommun: str) -> str:
    return await conn.fetchval(KOMMUN_NAME, kommun)


def _line_of(record: BurglaryRecord, index: int) -> tuple[str, int | None, int | None]:
    """``(where, line, feature)`` for an error message about a record."""
    if record.line is not None:
        return messages.text("place.line", line=record.line), record.line, None
    return messages.text("place.event", event=index), None, index


AREAS_BY_REF = "select external_ref, id from area where kommun = $1 and external_ref = any($2::text[])"


async def _resolve_areas(
    conn: asyncpg.Connection,
    kommun: str,
    records: Sequence[BurglaryRecord],
    located: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
) -> list[int | None]:
    """The area of every record: by its point, or by its ``area_external_ref``."""
    index = await area_index(conn, kommun)
    by_point = index.assign(np.where(located, xs, np.nan), np.where(located, ys, np.nan)).tolist()
    refs = sorted({r.area_external_ref for r in records if r.area_external_ref})
    known: dict[str, int] = {}
    if refs:
        rows = await conn.fetch(AREAS_BY_REF, kommun, refs)
        known = {r["external_ref"]: r["id"] for r in rows}
    errors: list[FieldError] = []
    out: list[int | None] = []
    values: dict[str, object]
    for i, record in enumerate(records):
        point_area = by_point[i] if by_point[i] >= 0 else None
        ref = record.area_external_ref
        if not ref:
            out.append(point_area)
            continue
        where, line, feature = _line_of(record, i)
        named = known.get(ref)
        if named is None:
            if len(errors) < MAX_ERRORS:
                code, values = "burglary.no_area", {"ref": repr(ref), "kommun": kommun}
                errors.append(
                    FieldError(
                        field="area_external_ref", line=line, feature=feature, message=where + messages.text(code, **values), code=code
                    )
                )
        elif point_area is not None and point_area != named and len(errors) < MAX_ERRORS:
            code, values = "burglary.other_area", {"point_area": point_area, "ref": repr(ref), "named": named}
            errors.append(
                FieldError(field="area_external_ref", line=line, feature=feature, message=where + messages.text(code, **values), code=code)
            )
        out.append(named)
    if errors:
        more = messages.text("errors.more", count=len(errors) - 1) if len(errors) > 1 else ""
        raise InvalidInput("burglary.invalid", errors, first=errors[0].message, more=more)
    return out


async def _records_of_kommun(conn: asyncpg.Connection, kommun: str, parsed: ParsedBurglaries) -> tuple[list[BurglaryRecord], int]:
    """The records to import and the number skipped: a Police feed's events of other places are left out."""
    records = parsed.records
    skipped = parsed.skipped
    if parsed.format == "police":
        own = _place_key(await _kommun_name(conn, kommun))
        kept = [r for r in records if r.place is None or _place_key(r.place) == own]
        skipped += len(records) - len(kept)
        records = kept
    return records, skipped


def _points(records: Sequence[BurglaryRecord]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(located, xs, ys)``: whether a record has its own point (not a centroid), and its SWEREF 99 TM x and y."""
    located = np.array([r.x_sweref is not None and not r.location_is_centroid for r in records], bool)
    xs = np.array([r.x_sweref if r.x_sweref is not None else math.nan for r in records], np.float64)
    ys = np.array([r.y_sweref if r.y_sweref is not None else math.nan for r in records], np.float64)
    return located, xs, ys


def _staging_rows(
    records: Sequence[BurglaryRecord], located: np.ndarray, xs: np.ndarray, ys: np.ndarray, area_ids: list[int | None]
) -> list[tuple[object, ...]]:
    """The rows of ``burglary_staging`` (STAGING_COLUMNS), one per record."""
    loc = located.tolist()
    x_list, y_list = xs.tolist(), ys.tolist()
    return [
        (
            r.line if r.line is not None else i,
            r.external_ref,
            r.occurred_from,
            r.occurred_to,
            r.category,
            x_list[i] if loc[i] else None,
            y_list[i] if loc[i] else None,
            area_ids[i],
        )
        for i, r in enumerate(records)
    ]


async def _copy_to_staging(
    conn: asyncpg.Connection, rows: list[tuple[object, ...]], on_progress: Callable[[int, int], None] | None
) -> None:
    """Binary COPY in batches of COPY_BATCH, reporting ``(done, total)`` after each."""
    n = len(rows)
    for start in range(0, n, COPY_BATCH):
        await conn.copy_records_to_table("burglary_staging", records=rows[start : start + COPY_BATCH], columns=STAGING_COLUMNS)
        if on_progress:
            on_progress(min(start + COPY_BATCH, n), n)


async def import_burglaries(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    parsed: ParsedBurglaries,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """All or nothing: stage with binary COPY, then one upsert by (source, external_ref)."""
    actor.require_kommun(kommun)
    await kommuner.require_known(conn, [kommun])
    records, skipped = await _records_of_kommun(conn, kommun, parsed)
    n = len(records)
    located, xs, ys = _points(records)
    async with conn.transaction(), translated_errors():
        # Areas cannot change under the import: it holds the same lock area writers take.
        await lock_kommun(conn, kommun)
        area_ids = await _resolve_areas(conn, kommun, records, located, xs, ys)
        await conn.execute(CREATE_STAGING)
        await _copy_to_staging(conn, _staging_rows(records, located, xs, ys, area_ids), on_progress)
        counts = await conn.fetchrow(UPSERT_FROM_STAGING, kommun, parsed.source)
        assigned = sum(a is not None for a in area_ids)
        result = ImportResult(
            inserted=counts["inserted"],
            updated=counts["updated"],
            unchanged=n - counts["inserted"] - counts["updated"],
            skipped=skipped,
            assigned=assigned,
            unassigned=n - assigned,
        )
        await audit.record(
            conn,
            actor,
            kommun=kommun,
            table="burglary",
            row_id=None,
            action="import",
            after={"source": parsed.source, "format": parsed.format, **msgspec.to_builtins(result)},
        )
    return result


async def import_file(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    data: bytes,
    *,
    source: str | None = None,
    content_type: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Parse a body (CSV or Police JSON) and import it; see :func:`import_burglaries`."""
    actor.require_kommun(kommun)
    parsed = parse_body(data, content_type=content_type, source=source, kommun=kommun)
    return await import_burglaries(conn, actor, kommun, parsed, on_progress=on_progress)


# --- listing ----------------------------------------------------------------------------------------


class Burglary(msgspec.Struct, kw_only=True):
    """An incident as the API shows it (no personal data: no addresses, no free text)."""

    id: int
    kommun: str
    occurred_from: datetime
    occurred_to: datetime
    category: str
    location: dict[str, Any] | None
    area_id: int | None
    source: str
    external_ref: str


LIST_BURGLARIES = """
select id, kommun, source, external_ref, occurred_from, occurred_to, category, x, y, area_id,
       count(*) over () as total
from burglary
where ($1::text[] is null or kommun = any($1::text[]))
  and ($2::timestamptz is null or occurred_to >= $2)
  and ($3::timestamptz is null or occurred_from < $3)
  and ($4::bigint is null or area_id = $4)
order by occurred_from desc, id desc
limit $5 offset $6
"""


async def list_burglaries(
    conn: asyncpg.Connection,
    *,
    in_kommuner: list[str] | None,
    since: datetime | None,
    until: datetime | None,
    area_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Burglary], int]:
    """Incidents whose time (window) touches ``[since, until)``, newest first."""
    rows = await conn.fetch(LIST_BURGLARIES, in_kommuner, since, until, area_id, limit, offset)
    if not rows:
        return [], 0
    xs = np.array([r["x"] if r["x"] is not None else math.nan for r in rows], np.float64)
    ys = np.array([r["y"] if r["y"] is not None else math.nan for r in rows], np.float64)
    has = ~np.isnan(xs)
    lon = np.full(len(rows), math.nan)
    lat = np.full(len(rows), math.nan)
    if has.any():
        lon[has], lat[has] = sweref_to_wgs84(xs[has], ys[has])
    items = [
        Burglary(
            id=r["id"],
            kommun=r["kommun"],
            occurred_from=r["occurred_from"],
            occurred_to=r["occurred_to"],
            category=r["category"],
            location={"type": "Point", "coordinates": [round(float(lon[i]), 7), round(float(lat[i]), 7)]} if has[i] else None,
            area_id=r["area_id"],
            source=r["source"],
            external_ref=r["external_ref"],
        )
        for i, r in enumerate(rows)
    ]
    return items, rows[0]["total"]


# --- periods ----------------------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in Sweden."""
    return datetime.combine(day, time(0), STOCKHOLM)


def period(first: date, last: date, *, field: str = "from") -> tuple[datetime, datetime]:
    """``[first 00:00, last + 1 day 00:00)`` in Sweden: both days included."""
    check_days(**{field: first, "to": last})
    if last < first:
        raise InvalidInput(
            "period.reversed",
            [FieldError.of(field, "period.after_last", last=last.isoformat())],
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return day_start(first), day_start(last + timedelta(days=1))


# --- ranking data -----------------------------------------------------------------------------------

RANKING_AREAS = """
select a.id, a.name, a.kommun, a.households_total, a.point_x, a.point_y,
       exists (select 1 from watch_group g where g.area_id = a.id and g.status = 'active') as has_active_group
from area a
where a.kommun = $1
order by a.id
"""

# Read with binary COPY: timestamptz travels as int64 microseconds since 2000-01-01 UTC, so no
# per-row conversion happens on either side (extract(epoch ...) alone cost 20 ms per 20,000 rows).
RANKING_INCIDENTS = """
select occurred_from, occurred_to, coalesce(area_id, -1), coalesce(x, 'NaN'::float8), coalesce(y, 'NaN'::float8)
from burglary
where kommun = $1 and occurred_to >= $2 and occurred_from < $3
"""
_COPY_HEADER: Final = 19  # signature (11), flags (4), extension length (4)
_COPY_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("len_from", ">i4"),
        ("t_from", ">i8"),
        ("len_to", ">i4"),
        ("t_to", ">i8"),
        ("len_area", ">i4"),
        ("area", ">i8"),
        ("len_x", ">i4"),
        ("x", ">f8"),
        ("len_y", ">i4"),
        ("y", ">f8"),
    ]
)
_PG_EPOCH_US: Final = 946_684_800_000_000  # 2000-01-01 in POSIX microseconds


class _Buffer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    async def write(self, data: bytes) -> None:
        self.parts.append(bytes(data))


async def _incident_columns(conn: asyncpg.Connection, kommun: str, since: datetime, until: datetime) -> np.ndarray:
    buffer = _Buffer()
    await conn.copy_from_query(RANKING_INCIDENTS, kommun, since, until, output=buffer.write, format="binary")
    raw = b"".join(buffer.parts)
    body = raw[_COPY_HEADER:-2]  # the trailer is a field count of -1
    if raw[:11] != b"PGCOPY\n\xff\r\n\x00" or len(body) % _COPY_ROW.itemsize:
        raise RuntimeError("unexpected binary COPY layout from the server")
    rows = np.frombuffer(body, _COPY_ROW)
    if len(rows) and not ((rows["fields"] == 5).all() and (rows["len_from"] == 8).all()):
        raise RuntimeError("unexpected binary COPY row layout from the server")
    return rows


class RankingData(msgspec.Struct, kw_only=True):
    """A kommun's areas and the burglaries touching a time span, in the ranking's columnar form."""

    areas: list[RankingArea]
    area_table: AreaTable
    incidents: IncidentTable


async def ranking_data(conn: asyncpg.Connection, kommun: str, since: datetime, until: datetime) -> RankingData:
    """Areas (households, representative point, active group) and the incidents whose time window
    touches ``[since, until)``; an incident without a point is placed at its area's point."""
    area_rows = await conn.fetch(RANKING_AREAS, kommun)
    areas = [
        RankingArea(
            area_id=r["id"],
            name=r["name"],
            kommun=r["kommun"],
            households=r["households_total"],
            x=r["point_x"],
            y=r["point_y"],
            has_active_group=r["has_active_group"],
        )
        for r in area_rows
    ]
    table = AreaTable(areas)
    rows = await _incident_columns(conn, kommun, since, until)
    # Whole microseconds since 1970 divided once: the same float as datetime.timestamp() gives.
    t_from = (rows["t_from"].astype(np.int64) + _PG_EPOCH_US).astype(np.float64) / 1e6
    t_to = (rows["t_to"].astype(np.int64) + _PG_EPOCH_US).astype(np.float64) / 1e6
    ids = rows["area"].astype(np.int64)
    area = np.full(len(rows), -1, np.int64)
    if len(rows) and len(table):
        # area_id -> position in the table (RANKING_AREAS orders by id, so area_id is sorted)
        pos = np.searchsorted(table.area_id, ids)
        pos = np.clip(pos, 0, len(table) - 1)
        known = (ids >= 0) & (table.area_id[pos] == ids)
        area[known] = pos[known]
    x = rows["x"].astype(np.float64)
    y = rows["y"].astype(np.float64)
    fill = np.isnan(x) & (area >= 0)
    if fill.any():
        x[fill] = table.xy[area[fill], 0]
        y[fill] = table.xy[area[fill], 1]
    return RankingData(areas=areas, area_table=table, incidents=IncidentTable(t_from, t_to, area, x, y, table.area_id))


async def priority_areas(
    conn: asyncpg.Connection,
    kommun: str,
    first: date,
    last: date,
    method: Method,
    *,
    include_covered: bool = False,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
) -> list[RankedArea]:
    """Every area of ``kommun`` ranked over the days ``first``..``last`` (both included).

    The caller checks the kommun against the caller's scope."""
    p0, p1 = period(first, last)
    since = min(p0, p1 - timedelta(days=time_window_days)) if time_window_days > 0 else p0
    data = await ranking_data(conn, kommun, since, p1)
    if not data.areas:
        return []
    return rank_areas(
        method,
        data.areas,
        data.incidents,
        p0,
        p1,
        include_covered=include_covered,
        bandwidth_m=bandwidth_m,
        time_window_days=time_window_days,
    )


# What a ranking of the kommun over [$2, $3) reads, as a fingerprint: per table, its rows and a sum of
# a 64-bit hash of each row's xmin (the transaction that wrote that version of the row). A commit
# that inserts or updates a row adds a version whose xmin no row had before; a delete lowers the
# count. So every committed change of the kommun's areas (households_total included), groups or
# burglaries in the span changes the fingerprint, unless two hash sums happen to agree (about 2^-64),
# and an untouched kommun keeps it. Row locks set xmax, not xmin: they change nothing.
RANKING_INPUTS = """
select a.n, a.versions, g.n, g.versions, b.n, b.versions
from (select count(*) as n, coalesce(sum(hashtextextended(xmin::text, 0)), 0) as versions
      from area where kommun = $1) a,
     (select count(*) as n, coalesce(sum(hashtextextended(xmin::text, 0)), 0) as versions
      from watch_group where kommun = $1) g,
     (select count(*) as n, coalesce(sum(hashtextextended(xmin::text, 0)), 0) as versions
      from burglary where kommun = $1 and occurred_to >= $2 and occurred_from < $3) b
"""


async def ranking_inputs(conn: asyncpg.Connection, kommun: str, first: date, last: date) -> tuple[int, ...]:
    """A fingerprint of the rows :func:`priority_areas` reads for these days (with the default time
    window): equal fingerprints, equal rankings. Read it in the ranking's snapshot (one repeatable
    read transaction), so that it describes the rows the ranking read."""
    p0, p1 = period(first, last)
    # No later than priority_areas' own start, min(p0, p1 - window): the burglaries it reads, and a few more.
    since = p0 - timedelta(days=max(DEFAULT_TIME_WINDOW_DAYS, 0))
    row = await conn.fetchrow(RANKING_INPUTS, kommun, since, p1)
    return tuple(int(v) for v in row.values())


async def backtest_kommun(
    conn: asyncpg.Connection,
    kommun: str,
    train: tuple[date, date],
    test: tuple[date, date],
    methods: Sequence[BacktestMethod],
    coverage: float,
    *,
    include_covered: bool = True,
    bandwidth_m: float = DEFAULT_BANDWIDTH_M,
    time_window_days: float = DEFAULT_TIME_WINDOW_DAYS,
) -> list[BacktestResult]:
    """Train on ``train`` (days, both included), flag ``coverage`` of households, judge on ``test``;
    one result per method, from one read of the data."""
    train_from, train_to = period(*train, field="train_from")
    test_from, test_to = period(*test, field="test_from")
    since = min(train_from, test_from, train_to - timedelta(days=max(time_window_days, 0)))
    data = await ranking_data(conn, kommun, since, max(train_to, test_to))
    if not data.areas:
        raise InvalidInput.at("kommun", "ranking.no_areas", kommun=kommun)
    return [
        backtest(
            method,
            data.area_table,
            data.incidents,
            train_from,
            train_to,
            test_from,
            test_to,
            coverage,
            include_covered=include_covered,
            bandwidth_m=bandwidth_m,
            time_window_days=time_window_days,
        )
        for method in methods
    ]


DATA_SPAN = "select min(occurred_from) as first, max(occurred_to) as last from burglary where kommun = $1"


async def data_span(conn: asyncpg.Connection, kommun: str) -> tuple[date, date] | None:
    """The first and last day (in Sweden) with a burglary of ``kommun``, or None."""
    row = await conn.fetchrow(DATA_SPAN, kommun)
    if row["first"] is None:
        return None
    return row["first"].astimezone(STOCKHOLM).date(), row["last"].astimezone(STOCKHOLM).date()
