"""Areas: polygons stored as WKB in SWEREF 99 TM with a GiST-indexed bounding box."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec
import shapely
from asyncpg.types import Box

from grannsamverkan import messages
from grannsamverkan.db import audit, kommuner
from grannsamverkan.db.households import reassign_within
from grannsamverkan.db.locks import lock_kommun
from grannsamverkan.db.pool import translated_errors
from grannsamverkan.domain import numbers
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.area import AreaProperties, area_properties
from grannsamverkan.errors import Conflict, FieldError, InvalidInput, NotFound
from grannsamverkan.geo.boundaries import area_fit
from grannsamverkan.geo.geojson import (
    AreaFeature,
    area_km2,
    bbox,
    find_overlaps,
    find_overlaps_among,
    from_wkb,
    geometry_to_geojson_wgs84,
    same_geometry,
    to_wkb,
)
from grannsamverkan.geo.problem_geometry import outside_part, overlap_part, to_geojson_wgs84


class AreaRecord(msgspec.Struct, kw_only=True):
    id: int
    kommun: str
    name: str
    kind: str
    external_ref: str | None
    geometry: shapely.Geometry
    area_m2: float
    households_total: int
    group_id: int | None
    updated_at: datetime

    def to_feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": geometry_to_geojson_wgs84(self.geometry),
            "properties": {
                "id": self.id,
                "name": self.name,
                "kommun": self.kommun,
                "kind": self.kind,
                "external_ref": self.external_ref,
                "households_total": self.households_total,
                "area_km2": round(self.area_m2 / 1_000_000.0, 6),
                "group_id": self.group_id,
            },
        }


SELECT_AREAS = """
select a.id, a.kommun, a.name, a.kind, a.external_ref, a.geom_wkb, a.area_m2, a.households_total,
       a.updated_at, g.id as group_id, count(*) over () as total
from area a
left join watch_group g on g.area_id = a.id and g.status <> 'dissolved'
"""


def _record(row: asyncpg.Record) -> AreaRecord:
    return AreaRecord(
        id=row["id"],
        kommun=row["kommun"],
        name=row["name"],
        kind=row["kind"],
        external_ref=row["external_ref"],
        geometry=from_wkb(row["geom_wkb"]),
        area_m2=row["area_m2"],
        households_total=row["households_total"],
        group_id=row["group_id"],
        updated_at=row["updated_at"],
    )


LOCK_AREA = "select 1 from area where id = $1 for update"
GET_AREA = SELECT_AREAS + " where a.id = $1 and ($2::text[] is null or a.kommun = any($2::text[]))"
LIST_AREAS = SELECT_AREAS + " where ($1::text[] is null or a.kommun = any($1::text[])) order by a.id limit $2 offset $3"


async def get_area(conn: asyncpg.Connection, area_id: int, scope: list[str] | None, *, for_update: bool = False) -> AreaRecord:
    if for_update:
        await conn.execute(LOCK_AREA, area_id)
    row = await conn.fetchrow(GET_AREA, area_id, scope)
    if row is None:
        raise NotFound("area.not_found", area_id=area_id)
    return _record(row)


async def list_areas(conn: asyncpg.Connection, in_kommuner: list[str] | None, *, limit: int, offset: int) -> tuple[list[AreaRecord], int]:
    rows = await conn.fetch(LIST_AREAS, in_kommuner, limit, offset)
    return [_record(r) for r in rows], (rows[0]["total"] if rows else 0)


def _box(geom: shapely.Geometry) -> Box:
    minx, miny, maxx, maxy = bbox(geom)
    return Box((maxx, maxy), (minx, miny))


OVERLAP_CANDIDATES = """
select id, name, geom_wkb from area
where kommun = $1 and bbox && $2::box and not (id = any($3::bigint[]))
"""


async def _refuse_overlaps(
    conn: asyncpg.Connection, kommun: str, geom: shapely.Geometry, *, ignore_ids: list[int], feature: int | None = None
) -> None:
    candidates = await conn.fetch(OVERLAP_CANDIDATES, kommun, _box(geom), ignore_ids)
    overlaps = find_overlaps(geom, [(r["id"], r["name"], r["geom_wkb"]) for r in candidates])
    if overlaps:
        first = overlaps[0]
        where = messages.text("place.feature", feature=feature) if feature is not None else ""
        values: dict[str, Any] = {"where": where, "name": repr(first.name), "id": first.id, "m2": numbers.count(round(first.area_m2))}
        field = f"features[{feature}].geometry" if feature is not None else "geometry"
        other = next(r["geom_wkb"] for r in candidates if r["id"] == first.id)
        error = FieldError.of(field, "area.overlap", feature=feature, **values)
        error = msgspec.structs.replace(error, geometry=to_geojson_wgs84(overlap_part(geom, from_wkb(other))))
        raise Conflict("area.overlap", [error], extra={"overlapping_area_id": first.id}, **values)


INSERT_AREA = """
insert into area (kommun, name, kind, external_ref, geom_wkb, bbox, area_m2, point_x, point_y)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
returning id
"""

UPDATE_AREA = """
update area set kommun = $2, name = $3, kind = $4, external_ref = $5, geom_wkb = $6, bbox = $7,
    area_m2 = $8, point_x = $9, point_y = $10, updated_at = now()
where id = $1
"""


def _geometry_columns(geom: shapely.Geometry) -> tuple[bytes, Box, float, float, float]:
    point = shapely.point_on_surface(geom)
    return to_wkb(geom), _box(geom), area_km2(geom) * 1_000_000.0, float(shapely.get_x(point)), float(shapely.get_y(point))


def _audit_values(props: AreaProperties, geom: shapely.Geometry) -> dict[str, Any]:
    return {**msgspec.to_builtins(props), "area_m2": round(float(shapely.area(geom)), 1), "bounds": list(bbox(geom))}


async def create_area(conn: asyncpg.Connection, actor: Principal, feature: AreaFeature) -> int:
    props = area_properties(feature.properties)
    actor.require_kommun(props.kommun)
    await kommuner.require_known(conn, [props.kommun], field="properties.kommun")
    geom = feature.geometry_sweref
    _refuse_outside_kommun(props.kommun, geom)
    async with conn.transaction(), translated_errors():
        await lock_kommun(conn, props.kommun)
        await _refuse_overlaps(conn, props.kommun, geom, ignore_ids=[])
        area_id = await conn.fetchval(INSERT_AREA, props.kommun, props.name, props.kind, props.external_ref, *_geometry_columns(geom))
        await reassign_within(conn, actor, props.kommun, [bbox(geom)], what="Det nya området")
        await audit.record(
            conn, actor, kommun=props.kommun, table="area", row_id=area_id, action="insert", after=_audit_values(props, geom)
        )
    return area_id


def _refuse_outside_kommun(kommun: str, geom: shapely.Geometry) -> None:
    """422 when the area does not lie (mostly) in its kommun (see ``boundaries.area_fit``)."""
    refusal = area_fit(kommun, geom).refusal
    if refusal:
        error = FieldError.of("geometry", "area.outside_kommun", reason=refusal)
        where = to_geojson_wgs84(outside_part(kommun, geom))  # the part outside, for a map
        raise InvalidInput("area.outside_kommun", [msgspec.structs.replace(error, geometry=where)], reason=refusal)


GROUPS_OF_AREA = "select id, status from watch_group where area_id = $1 order by id"


async def _groups_of(conn: asyncpg.Connection, area_id: int) -> list[asyncpg.Record]:
    """The area's groups (id, status), oldest first."""
    return await conn.fetch(GROUPS_OF_AREA, area_id)


async def update_area(
    conn: asyncpg.Connection,
    actor: Principal,
    area_id: int,
    changes: dict[str, Any],
    geometry: shapely.Geometry | None,
    *,
    erase_contacts: bool = False,
) -> int:
    """PATCH: properties in ``changes`` (name, kind, external_ref, kommun) and/or a new geometry.

    A new shape that moves households out of a group's area where they hold the contact person is
    refused (409 naming them) unless ``erase_contacts`` confirms their erasure. Answers the number
    of contact persons erased."""
    erased = 0
    async with conn.transaction(), translated_errors():
        current = await get_area(conn, area_id, actor.scope, for_update=True)
        merged = {"name": current.name, "kommun": current.kommun, "kind": current.kind, "external_ref": current.external_ref, **changes}
        props = area_properties(merged)
        if props.kommun != current.kommun:
            actor.require_kommun(props.kommun)
            await kommuner.require_known(conn, [props.kommun], field="properties.kommun")
            if await _groups_of(conn, area_id):
                raise Conflict.at("properties.kommun", "area.kommun_fixed")
        if geometry is not None and same_geometry(geometry, current.geometry):
            geometry = None  # no change: no re-assignment, and the audit records none
        geom = geometry if geometry is not None else current.geometry
        if geometry is not None or props.kommun != current.kommun:
            _refuse_outside_kommun(props.kommun, geom)
        await lock_kommun(conn, props.kommun)
        if geometry is not None or props.kommun != current.kommun:
            await _refuse_overlaps(conn, props.kommun, geom, ignore_ids=[area_id])
        await conn.execute(UPDATE_AREA, area_id, props.kommun, props.name, props.kind, props.external_ref, *_geometry_columns(geom))
        if geometry is not None or props.kommun != current.kommun:
            erased += await reassign_within(
                conn, actor, current.kommun, [bbox(current.geometry), bbox(geom)], erase_contacts=erase_contacts, what="Den nya formen"
            )
            if props.kommun != current.kommun:
                erased += await reassign_within(
                    conn, actor, props.kommun, [bbox(geom)], erase_contacts=erase_contacts, what="Den nya formen"
                )
        before = _audit_values(
            AreaProperties(
                name=current.name,
                kommun=current.kommun,
                kind=current.kind,  # type: ignore[arg-type]
                external_ref=current.external_ref,
            ),
            current.geometry,
        )
        await audit.record(
            conn, actor, kommun=props.kommun, table="area", row_id=area_id, action="update", before=before, after=_audit_values(props, geom)
        )
    return erased


DELETE_AREA = "delete from area where id = $1"


async def delete_area(conn: asyncpg.Connection, actor: Principal, area_id: int) -> None:
    async with conn.transaction():
        current = await get_area(conn, area_id, actor.scope, for_update=True)
        actor.require_kommun(current.kommun)
        groups = await _groups_of(conn, area_id)
        if groups:
            ids = ", ".join(f"{g['id']} ({g['status']})" for g in groups)
            raise Conflict.at("id", "area.has_groups", groups=ids)
        await conn.execute(DELETE_AREA, area_id)
        await audit.record(
            conn,
            actor,
            kommun=current.kommun,
            table="area",
            row_id=area_id,
            action="delete",
            before=_audit_values(
                AreaProperties(
                    name=current.name,
                    kommun=current.kommun,
                    kind=current.kind,  # type: ignore[arg-type]
                    external_ref=current.external_ref,
                ),
                current.geometry,
            ),
        )


class ImportSummary(msgspec.Struct, kw_only=True, omit_defaults=True):
    inserted: int
    updated: int
    unchanged: int
    contact_persons_erased: int = 0
    # Areas stored in their kommun although a part lies in another ("… 13 % ligger i Stockholm (0180)").
    warnings: list[str] = msgspec.field(default_factory=list)


EXISTING_BY_REF = """
select id, kommun, name, kind, external_ref, geom_wkb from area
where kommun = any($1::text[]) and external_ref = any($2::text[])
"""

Parsed = list[tuple[AreaFeature, AreaProperties]]


def _parsed(features: list[AreaFeature]) -> Parsed:
    """Each feature with its checked properties; 422 listing every feature's problems."""
    errors: list[FieldError] = []
    parsed: Parsed = []
    for f in features:
        try:
            parsed.append((f, area_properties(f.properties, feature=f.index, prefix=f"features[{f.index}].properties.")))
        except InvalidInput as exc:
            errors.extend(exc.errors)
    _raise_if_any(errors)
    return parsed


def _raise_if_any(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput("area.import_problems", errors, count=len(errors))


def _kommun_fit(parsed: Parsed) -> tuple[list[FieldError], list[str]]:
    """Areas refused for lying (mostly) outside their kommun, and warnings for those stored in it
    although a part lies in another (``boundaries.area_fit``)."""
    errors: list[FieldError] = []
    warnings: list[str] = []
    for f, p in parsed:
        fit = area_fit(p.kommun, f.geometry_sweref)
        if fit.refusal:
            where = messages.text("place.feature_named", feature=f.index, name=repr(p.name))
            errors.append(
                FieldError.of(f"features[{f.index}].geometry", "area.outside_kommun_at", feature=f.index, where=where, reason=fit.refusal)
            )
        elif fit.warning:
            warnings.append(f"{p.name}: {fit.warning}")
    return errors, warnings


def _repeated_refs(parsed: Parsed) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: dict[tuple[str, str], int] = {}
    for f, p in parsed:
        if not p.external_ref:
            continue
        key = (p.kommun, p.external_ref)
        if key in seen:
            errors.append(
                FieldError.of(
                    f"features[{f.index}].properties.external_ref",
                    "area.external_ref_repeats",
                    feature=f.index,
                    index=f.index,
                    ref=repr(p.external_ref),
                    first=seen[key],
                )
            )
        seen[key] = f.index
    return errors


def _overlaps_within(parsed: Parsed) -> list[FieldError]:
    """Areas of the file that overlap each other in the same kommun."""
    errors: list[FieldError] = []
    for i, j, overlap in find_overlaps_among([f.geometry_sweref for f, _ in parsed]):
        (fi, pi), (fj, pj) = parsed[i], parsed[j]
        if pi.kommun == pj.kommun:
            errors.append(
                FieldError.of(
                    f"features[{fj.index}].geometry",
                    "area.features_overlap",
                    feature=fj.index,
                    index=fj.index,
                    name=repr(pj.name),
                    other=fi.index,
                    other_name=repr(pi.name),
                    m2=numbers.count(round(overlap)),
                )
            )
    return errors


class _Written(msgspec.Struct, kw_only=True):
    """What the import wrote: counts, and per kommun the boxes whose households are re-assigned."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    touched: dict[str, list[tuple[float, float, float, float]]] = msgspec.field(default_factory=dict)


async def _write_one(
    conn: asyncpg.Connection, actor: Principal, f: AreaFeature, p: AreaProperties, old: asyncpg.Record | None, written: _Written
) -> None:
    """Insert the area, or update the existing one of its external_ref when anything changed."""
    geom = f.geometry_sweref
    if old is None:
        area_id = await conn.fetchval(INSERT_AREA, p.kommun, p.name, p.kind, p.external_ref, *_geometry_columns(geom))
        written.inserted += 1
        await audit.record(conn, actor, kommun=p.kommun, table="area", row_id=area_id, action="insert", after=_audit_values(p, geom))
        written.touched.setdefault(p.kommun, []).append(bbox(geom))
        return
    old_geom = from_wkb(old["geom_wkb"])
    if (old["name"], old["kind"]) == (p.name, p.kind) and same_geometry(old_geom, geom):
        written.unchanged += 1
        return
    await conn.execute(UPDATE_AREA, old["id"], p.kommun, p.name, p.kind, p.external_ref, *_geometry_columns(geom))
    written.updated += 1
    before = {"name": old["name"], "kind": old["kind"], "bounds": list(bbox(old_geom))}
    await audit.record(
        conn, actor, kommun=p.kommun, table="area", row_id=old["id"], action="update", before=before, after=_audit_values(p, geom)
    )
    written.touched.setdefault(p.kommun, []).extend([bbox(old_geom), bbox(geom)])


async def _write_all(conn: asyncpg.Connection, actor: Principal, parsed: Parsed, kommun_codes: list[str]) -> _Written:
    """Every area, refusing (409) one that overlaps a stored area other than those the file updates."""
    for code in kommun_codes:
        await lock_kommun(conn, code)
    refs = [p.external_ref for _, p in parsed if p.external_ref]
    existing_rows = await conn.fetch(EXISTING_BY_REF, kommun_codes, refs)
    existing = {(r["kommun"], r["external_ref"]): r for r in existing_rows}
    updated_ids = [r["id"] for r in existing_rows]
    written = _Written()
    for f, p in parsed:
        try:
            await _refuse_overlaps(conn, p.kommun, f.geometry_sweref, ignore_ids=updated_ids, feature=f.index)
        except Conflict as exc:
            raise Conflict("area.import_overlap", exc.errors, problem=exc.detail) from None
        old = existing.get((p.kommun, p.external_ref)) if p.external_ref else None
        await _write_one(conn, actor, f, p, old, written)
    return written


async def import_areas(
    conn: asyncpg.Connection, actor: Principal, features: list[AreaFeature], *, erase_contacts: bool = False
) -> ImportSummary:
    """A FeatureCollection, all or nothing; features with a known external_ref update that area.
    Households that leave a group's area holding its contact person: as in ``update_area``.
    An area lying partly in another kommun is stored in its own with a warning (``boundaries.area_fit``)."""
    parsed = _parsed(features)
    kommun_codes = sorted({p.kommun for _, p in parsed})
    for code in kommun_codes:
        actor.require_kommun(code)
    await kommuner.require_known(conn, kommun_codes, field="properties.kommun")
    errors, warnings = _kommun_fit(parsed)
    _raise_if_any(errors + _repeated_refs(parsed) + _overlaps_within(parsed))
    async with conn.transaction(), translated_errors():
        written = await _write_all(conn, actor, parsed, kommun_codes)
        erased = 0
        for code, boxes in written.touched.items():
            erased += await reassign_within(conn, actor, code, boxes, erase_contacts=erase_contacts, what="Importen")
    return ImportSummary(
        inserted=written.inserted, updated=written.updated, unchanged=written.unchanged, contact_persons_erased=erased, warnings=warnings
    )


EXPORT_AREAS = "select name, kommun, kind, external_ref, geom_wkb from area where kommun = $1 order by id"


async def export_areas(conn: asyncpg.Connection, kommun: str) -> list[dict[str, Any]]:
    """The kommun's areas for an export file: geometry (SWEREF 99 TM), name, kommun, kind, external_ref."""
    await kommuner.require_known(conn, [kommun], field="kommun")
    rows = await conn.fetch(EXPORT_AREAS, kommun)
    return [
        {
            "name": r["name"],
            "kommun": r["kommun"],
            "kind": r["kind"],
            "external_ref": r["external_ref"],
            "geometry": from_wkb(r["geom_wkb"]),
        }
        for r in rows
    ]
