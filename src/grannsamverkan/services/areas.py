"""Use cases of areas that the pages and the API share: an import of an area file, a new name or
kind, and an area drawn or reshaped on the map (refusals say where on the map the problem is)."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import asyncpg
import numpy as np
import shapely
from shapely.ops import split

from grannsamverkan import messages
from grannsamverkan.db import areas, audit
from grannsamverkan.domain import numbers
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.area import AREA_KINDS, MAX_TEXT
from grannsamverkan.domain.text import one_line
from grannsamverkan.errors import Conflict, FieldError, InvalidInput
from grannsamverkan.geo import gis
from grannsamverkan.geo.boundaries import area_fit, kommun_name
from grannsamverkan.geo.crs import WGS84, to_sweref
from grannsamverkan.geo.geojson import Area, AreaFeature, decode_json, parse_geometry
from grannsamverkan.geo.problem_geometry import crossings, outside_part, overlap_part, to_geojson_wgs84
from grannsamverkan.services.groups import CONTACT_TABLES

E = TypeVar("E", InvalidInput, Conflict)


async def import_area_file(
    conn: asyncpg.Connection,
    actor: Principal,
    data: bytes,
    *,
    crs: str | None = None,
    mapping: gis.FieldMapping | None = None,
    erase_contacts: bool = False,
) -> areas.ImportSummary:
    """A GeoJSON FeatureCollection, GeoPackage or zipped shapefile of areas (``gis.read_areas``),
    all or nothing (``db.areas.import_areas``). Contact persons it erases (when confirmed) are
    scrubbed from the data files too."""
    # Parsing 32 MiB of GeoJSON takes seconds of CPU: off the event loop, so that the server keeps
    # answering other requests meanwhile.
    features = await asyncio.to_thread(gis.read_areas, data, crs=crs, mapping=mapping)
    summary = await areas.import_areas(conn, actor, features, erase_contacts=erase_contacts)
    if summary.contact_persons_erased:
        await audit.scrub(conn, CONTACT_TABLES)
    return summary


def _checked(name: str | None, kind: str | None) -> dict[str, str]:
    errors: list[FieldError] = []
    clean = one_line(name or "")
    if not clean:
        errors.append(FieldError.of("name", "area.name_missing"))
    elif len(clean) > MAX_TEXT:
        errors.append(FieldError.of("name", "group.name_too_long", max=MAX_TEXT))
    if kind not in AREA_KINDS:
        errors.append(FieldError.of("kind", "area.kind_choose"))
    if errors:
        raise InvalidInput("area.invalid", errors, problems=" ".join(e.message for e in errors))
    return {"name": clean, "kind": str(kind)}


async def edit_area(conn: asyncpg.Connection, actor: Principal, area_id: int, name: str | None, kind: str | None) -> None:
    """An area's name and kind (checked in Swedish, 422 naming the field); the area's audit event."""
    await areas.update_area(conn, actor, area_id, _checked(name, kind), None)


# --- an area's shape, drawn on the map --------------------------------------------------------------
# The page sends the drawn polygon as GeoJSON in WGS 84. A refusal carries, in its FieldError's
# ``geometry``, where on the map the problem is (the overlap, the crossing, the part outside the
# kommun), so the map draws it there.


def drawn_shape(geometry: Any) -> Area:
    """The drawn GeoJSON Polygon (WGS 84; an object or its JSON text) in SWEREF 99 TM; a shape
    crossing itself is refused with the crossing points."""
    if not geometry:
        raise InvalidInput.at("geometry", "area.draw_first")
    if isinstance(geometry, str):
        geometry = decode_json(geometry)
    try:
        return parse_geometry(geometry, crs=WGS84, field="geometry")
    except InvalidInput as exc:
        rings = _rings_sweref(geometry)
        points = crossings(rings) if rings else None
        if points is None or shapely.is_empty(points):
            reason = exc.errors[0].message if exc.errors else exc.detail
            raise InvalidInput.at("geometry", "area.boundary_unusable", reason=reason) from exc
        code = "area.crosses_itself_many" if len(shapely.get_parts(points)) > 1 else "area.crosses_itself"
        raise _refusal(InvalidInput, "geometry", code, points) from exc


def _refusal(
    kind: type[E], field: str, code: str, where: shapely.Geometry, /, *, extra: dict[str, object] | None = None, **values: Any
) -> E:
    """A refusal about ``field`` whose field error carries ``where`` (SWEREF 99 TM) for the map."""
    error = FieldError(field=field, message=messages.text(code, **values), geometry=to_geojson_wgs84(where), code=code)
    return kind(code, [error], extra=extra, **values)


def _rings_sweref(geometry: Any) -> list[list[tuple[float, float]]]:
    """The rings of a GeoJSON Polygon or MultiPolygon in SWEREF 99 TM, or [] when they cannot be read."""
    try:
        kind, coordinates = geometry["type"], geometry["coordinates"]
        polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
        rings = []
        for polygon in polygons:
            for ring in polygon:
                xs, ys = to_sweref([float(p[0]) for p in ring], [float(p[1]) for p in ring], WGS84)
                rings.append(list(zip(xs.tolist(), ys.tolist(), strict=True)))
        return rings
    except (KeyError, TypeError, ValueError, IndexError):
        return []


def _refuse_outside(kommun: str, geom: Area) -> None:
    if area_fit(kommun, geom).refusal is None:
        return
    raise _refusal(InvalidInput, "geometry", "area.drawn_outside", outside_part(kommun, geom), kommun=kommun_name(kommun))


async def _with_overlap(conn: asyncpg.Connection, actor: Principal, geom: shapely.Geometry, exc: Conflict) -> Conflict:
    """The refusal of an overlap, in Swedish, with the overlapping part."""
    other_id = exc.extra.get("overlapping_area_id")
    if not isinstance(other_id, int):
        return exc
    other = await areas.get_area(conn, other_id, actor.scope)
    part = overlap_part(geom, other.geometry)
    m2 = numbers.count(round(float(shapely.area(part))))
    return _refusal(Conflict, "geometry", "area.drawn_overlap", part, extra={"overlapping_area_id": other_id}, name=other.name, m2=m2)


async def draw_area(conn: asyncpg.Connection, actor: Principal, kommun: str, name: str | None, kind: str | None, geometry: Any) -> int:
    """A new area drawn on the kommun's map; answers its id."""
    props = _checked(name, kind)
    actor.require_kommun(kommun)
    geom = drawn_shape(geometry)
    _refuse_outside(kommun, geom)
    try:
        return await areas.create_area(conn, actor, AreaFeature(index=0, geometry_sweref=geom, properties={**props, "kommun": kommun}))
    except Conflict as exc:
        raise await _with_overlap(conn, actor, geom, exc) from None


async def reshape_area(conn: asyncpg.Connection, actor: Principal, area_id: int, geometry: Any, *, erase_contacts: bool = False) -> int:
    """An area's new boundary drawn on its map; answers the number of contact persons erased."""
    current = await areas.get_area(conn, area_id, actor.scope)
    actor.require_kommun(current.kommun)
    geom = drawn_shape(geometry)
    _refuse_outside(current.kommun, geom)
    try:
        return await areas.update_area(conn, actor, area_id, {}, geom, erase_contacts=erase_contacts)
    except Conflict as exc:
        raise await _with_overlap(conn, actor, geom, exc) from None


def _drawn_line(line: Any) -> shapely.LineString:
    """A drawn GeoJSON LineString (WGS 84; an object or its JSON text) in SWEREF 99 TM."""
    if isinstance(line, str) and line:
        line = decode_json(line)
    try:
        if line["type"] != "LineString" or len(line["coordinates"]) < 2:
            raise ValueError
        lons = [float(p[0]) for p in line["coordinates"]]
        lats = [float(p[1]) for p in line["coordinates"]]
        xs, ys = to_sweref(lons, lats, WGS84)
        if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
            raise ValueError
    except (KeyError, TypeError, ValueError, IndexError):
        raise InvalidInput.at("line", "area.line_first") from None
    return shapely.LineString(np.column_stack((xs, ys)))


def split_parts(geom: shapely.Geometry, cut: shapely.LineString) -> tuple[Area, Area] | None:
    """The area cut along the line: its largest piece, and the others together; None when the line
    does not cut it in two."""
    pieces = sorted(shapely.get_parts(split(geom, cut)), key=lambda p: -float(shapely.area(p)))
    if len(pieces) < 2:
        return None
    rest = shapely.union_all(pieces[1:])
    return pieces[0], rest if isinstance(rest, shapely.Polygon | shapely.MultiPolygon) else shapely.MultiPolygon(pieces[1:])


async def split_area(
    conn: asyncpg.Connection, actor: Principal, area_id: int, line: Any, new_name: str | None, *, erase_contacts: bool = False
) -> int:
    """The area split along a line drawn across it: the largest piece stays the area (with its
    group), the rest becomes a new area named ``new_name`` of the same kind; answers its id.
    Households are placed in the piece they lie in (in one transaction)."""
    current = await areas.get_area(conn, area_id, actor.scope)
    actor.require_kommun(current.kommun)
    props = _checked(new_name, current.kind)
    cut = _drawn_line(line)
    parts = split_parts(current.geometry, cut)
    if parts is None:
        raise _refusal(InvalidInput, "line", "area.line_no_split", cut)
    keep, rest = parts
    async with conn.transaction():
        await areas.update_area(conn, actor, area_id, {}, keep, erase_contacts=erase_contacts)
        return await areas.create_area(
            conn, actor, AreaFeature(index=0, geometry_sweref=rest, properties={**props, "kommun": current.kommun})
        )
