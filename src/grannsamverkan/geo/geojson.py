"""GeoJSON areas in, GeoJSON out; geometry helpers on SWEREF 99 TM polygons.

Input is already-decoded JSON (dicts and lists, from msgspec or json); :func:`decode_json` turns
raw bytes into that and answers broken JSON with :class:`MalformedInput`. Polygons are validated
strictly and never repaired: rings must be closed, have four positions or more, hold numbers only,
lie in Sweden, and the polygon must be valid in the OGC sense (no self-intersections, holes
inside their shell, ...). Every error names the feature index and, where it can, the ring and the
place, in the input's CRS.

Accepted input orientation is either (RFC 7946 says parsers must not refuse the other); output
follows the right-hand rule (exterior counter-clockwise) with lon/lat rounded to 7 decimals (~1 cm).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

import msgspec
import numpy as np
import shapely
from numpy.typing import NDArray

from grannsamverkan import messages
from grannsamverkan.errors import FieldError, InvalidInput, MalformedInput, PayloadTooLarge
from grannsamverkan.geo.crs import (
    SWEREF99TM,
    WGS84,
    crs_from_geojson,
    explain_outside,
    format_point,
    inside_sweden,
    parse_crs,
    resolve_crs,
    sweref_to_wgs84,
    to_sweref,
    transform_geometry,
)

Area = shapely.Polygon | shapely.MultiPolygon

OUTPUT_DECIMALS: Final = 7
# Two geometries are the same area when, in SWEREF 99 TM, every vertex of either's boundary (outer
# rings and holes) lies within this distance of the other's boundary (a discrete Hausdorff distance:
# ring orientation and start vertex do not count). 7 decimals of a degree are at most 1.1 cm
# (latitude), so anything the output carries re-imports as unchanged.
# Used by imports (unchanged or updated), exports and the audit trail (no event for no change).
SAME_GEOMETRY_M: Final = 0.02
OVERLAP_TOLERANCE_M2: Final = 1.0
MAX_ERRORS: Final = 50
# A neighbourhood's boundary needs hundreds of vertices, not millions; this keeps memory and the
# answer (which echoes the geometry) bounded.
MAX_RING_POSITIONS: Final = 100_000
# The same bounds for an area as a whole: all its rings together, and how many rings (outer rings
# and holes, over all polygons) it has. 200,000 holes took 13 s to build and made the kommun page
# 12 MB; a real area has a few rings.
MAX_AREA_POSITIONS: Final = 100_000
MAX_AREA_RINGS: Final = 1_000
# JSON costs about ten times its size in memory once decoded into Python objects (README,
# "Limits"); a larger GeoJSON is refused before it is decoded.
MAX_JSON_BYTES: Final = 32 * 1024 * 1024


class AreaFeature(msgspec.Struct, kw_only=True):
    """One parsed area: its index in the input, its geometry in SWEREF 99 TM, its properties."""

    index: int
    geometry_sweref: Area
    properties: dict[str, Any]
    feature_id: str | int | None = None  # the Feature's own "id" member, if any


class Overlap(msgspec.Struct, frozen=True, kw_only=True):
    """An existing (or other new) area that a geometry overlaps, and by how many square metres."""

    id: int
    name: str
    area_m2: float


def decode_json(data: bytes | str, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Decoded JSON, or :class:`MalformedInput` saying where it broke; :class:`PayloadTooLarge`
    above ``max_bytes`` (before decoding)."""
    if len(data) > max_bytes:
        raise PayloadTooLarge("json.too_large", size=_n(len(data)), max=_n(max_bytes))
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise MalformedInput("file.json_invalid", reason=str(exc)) from None
    except RecursionError:
        raise MalformedInput("request.too_deep") from None


# --- parsing ----------------------------------------------------------------------------------


class _Collector:
    """Errors of one input, up to MAX_ERRORS."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, where: str, feature: int | None, code: str, **values: Any) -> None:
        """An error at ``field``: ``where`` ("objekt 3: ") and the catalog's text for ``code``."""
        if len(self.errors) < MAX_ERRORS:
            message = where + messages.text(code, **values)
            self.errors.append(FieldError(field=field, message=message, feature=feature, code=code))

    def raise_if_any(self, code: str) -> None:
        if self.errors:
            first = self.errors[0].message
            more = messages.text("errors.more", count=len(self.errors) - 1) if len(self.errors) > 1 else ""
            raise InvalidInput(code, self.errors, first=first, more=more)


def parse_areas(obj: Any, *, crs: str | int | None = None) -> list[AreaFeature]:
    """A GeoJSON Feature or FeatureCollection of Polygon/MultiPolygon areas, in SWEREF 99 TM.

    ``crs`` is the query parameter (``None`` when not given); a legacy ``crs`` member of the
    object is honoured too, and the two must agree. Raises :class:`InvalidInput` with every
    problem found (up to 50), each naming its feature index.
    """
    if not isinstance(obj, dict):
        raise _invalid("", "geojson.feature_or_collection", got=_kind(obj))
    kind = obj.get("type")
    if kind == "Feature":
        return [parse_feature(obj, crs=crs)]
    if kind == "FeatureCollection":
        return parse_feature_collection(obj, crs=crs)
    raise _invalid("type", "geojson.type_feature_or_collection", got=repr(kind))


def parse_feature(obj: Any, *, crs: str | int | None = None) -> AreaFeature:
    """A single GeoJSON Feature (``POST /areas``) in SWEREF 99 TM."""
    if not isinstance(obj, dict):
        raise _invalid("", "geojson.feature", got=_kind(obj))
    if obj.get("type") != "Feature":
        raise _invalid("type", "geojson.type_feature", got=repr(obj.get("type")))
    read_crs = _read_crs(obj, crs)
    errors = _Collector()
    feature = _parse_one(obj, read_crs, None, "", errors)
    errors.raise_if_any("geojson.invalid_area")
    assert feature is not None
    return feature


def parse_feature_collection(obj: Any, *, crs: str | int | None = None) -> list[AreaFeature]:
    """A GeoJSON FeatureCollection (``POST /areas/import``) in SWEREF 99 TM; all or nothing."""
    if not isinstance(obj, dict):
        raise _invalid("", "geojson.collection", got=_kind(obj))
    if obj.get("type") != "FeatureCollection":
        raise _invalid("type", "geojson.type_collection", got=repr(obj.get("type")))
    features = obj.get("features")
    if not isinstance(features, list):
        raise _invalid("features", "geojson.features_array")
    if not features:
        raise _invalid("features", "geojson.no_features")
    read_crs = _read_crs(obj, crs)
    errors = _Collector()
    out: list[AreaFeature] = []
    for i, f in enumerate(features):
        if len(errors.errors) >= MAX_ERRORS:
            break
        parsed = _parse_one(f, read_crs, i, f"features[{i}].", errors)
        if parsed is not None:
            out.append(parsed)
    errors.raise_if_any("geojson.invalid_areas")
    return out


def parse_geometry(obj: Any, *, crs: str | int | None = None, field: str = "geometry") -> Area:
    """A bare GeoJSON Polygon or MultiPolygon (e.g. a PATCH body's geometry) in SWEREF 99 TM."""
    read_crs = parse_crs(crs) if crs is not None else WGS84
    errors = _Collector()
    geom = _parse_geometry(obj, read_crs, None, field, errors)
    errors.raise_if_any("geojson.invalid_geometry")
    assert geom is not None
    return geom


def parse_point(obj: Any, *, crs: str | int | None = None, field: str = "location") -> tuple[float, float]:
    """A GeoJSON Point (a household's or burglary's location) as SWEREF 99 TM ``(x, y)``."""
    read_crs = parse_crs(crs) if crs is not None else WGS84
    if not isinstance(obj, dict) or obj.get("type") != "Point":
        raise _invalid(field, "geojson.point", field=field)
    pos = obj.get("coordinates")
    problem = _position_problem(pos)
    if problem:
        raise _invalid(f"{field}.coordinates", "geojson.at_field", field=field, problem=problem)
    assert isinstance(pos, list)
    x, y = float(pos[0]), float(pos[1])
    if not inside_sweden([x], [y], read_crs)[0]:
        raise _invalid(f"{field}.coordinates", "geojson.at_field", field=field, problem=explain_outside(x, y, read_crs))
    xs, ys = to_sweref([x], [y], read_crs)
    return float(xs[0]), float(ys[0])


def _read_crs(obj: dict[str, Any], query: str | int | None) -> int:
    query_crs = parse_crs(query) if query is not None else None
    member_crs = crs_from_geojson(obj.get("crs")) if "crs" in obj else None
    return resolve_crs(query_crs, member_crs)


def _parse_one(
    obj: Any,
    crs: int,
    index: int | None,
    prefix: str,
    errors: _Collector,
) -> AreaFeature | None:
    where = _where(index)
    if not isinstance(obj, dict):
        errors.add(prefix.rstrip("."), where, index, "geojson.feature", got=_kind(obj))
        return None
    if obj.get("type") != "Feature":
        errors.add(f"{prefix}type", where, index, "geojson.type_feature", got=repr(obj.get("type")))
        return None
    props = obj.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        errors.add(f"{prefix}properties", where, index, "geojson.properties")
        return None
    if index is not None and "crs" in obj and crs_from_geojson(obj.get("crs")) != crs:
        errors.add(f"{prefix}crs", where, index, "geojson.feature_crs")
        return None
    fid = obj.get("id")
    if fid is not None and (isinstance(fid, bool) or not isinstance(fid, (str, int))):
        errors.add(f"{prefix}id", where, index, "geojson.id")
        return None
    if "geometry" not in obj or obj["geometry"] is None:
        errors.add(f"{prefix}geometry", where, index, "geojson.no_geometry")
        return None
    geom = _parse_geometry(obj["geometry"], crs, index, f"{prefix}geometry", errors)
    if geom is None:
        return None
    return AreaFeature(index=index or 0, geometry_sweref=geom, properties=props, feature_id=fid)


def _parse_geometry(
    obj: Any,
    crs: int,
    index: int | None,
    field: str,
    errors: _Collector,
) -> Area | None:
    """A Polygon or MultiPolygon in SWEREF 99 TM, or None with its first problem in ``errors``:
    its shape (type and coordinates), its rings' positions, Sweden's extent, then OGC validity."""
    where = _where(index)
    polygons = _polygons(obj, where, field, index, errors)
    if polygons is None:
        return None
    multi = obj["type"] == "MultiPolygon"
    rings_xy = _rings_xy(polygons, multi, where, field, index, errors)
    if rings_xy is None or not _inside_sweden(rings_xy, crs, where, field, index, errors):
        return None
    return _built(rings_xy, crs, multi, where, field, index, errors)


def _polygons(obj: Any, where: str, field: str, index: int | None, errors: _Collector) -> list[Any] | None:
    """The geometry's polygons (one for a Polygon) when its type, coordinates and size are acceptable."""
    if not isinstance(obj, dict):
        errors.add(field, where, index, "geojson.geometry_object", got=_kind(obj))
        return None
    kind = obj.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        errors.add(f"{field}.type", where, index, "geojson.geometry_type", kind=repr(kind))
        return None
    coords = obj.get("coordinates")
    if not isinstance(coords, list):
        errors.add(f"{field}.coordinates", where, index, "geojson.no_coordinates", kind=kind)
        return None
    if not coords:
        errors.add(f"{field}.coordinates", where, index, "geojson.empty", kind=kind)
        return None
    polygons = coords if kind == "MultiPolygon" else [coords]
    if not _within_bounds(polygons, where, f"{field}.coordinates", index, errors):
        return None
    return polygons


def _rings_xy(
    polygons: list[Any], multi: bool, where: str, field: str, index: int | None, errors: _Collector
) -> list[list[NDArray[np.float64]]] | None:
    """Each polygon's rings as arrays of closed positions of numbers (all problems reported)."""
    rings_xy: list[list[NDArray[np.float64]]] = []
    ok = True
    for p, rings in enumerate(polygons):
        pname = f"polygon {p} " if multi else ""
        pfield = f"{field}.coordinates[{p}]" if multi else f"{field}.coordinates"
        if not isinstance(rings, list) or not rings:
            errors.add(pfield, where, index, "geojson.no_rings", polygon=pname or "polygonen ")
            ok = False
            continue
        arrays = [_ring_array(ring, f"{pname}ring {r}", f"{pfield}[{r}]", where, index, errors) for r, ring in enumerate(rings)]
        ok = ok and all(a is not None for a in arrays)
        rings_xy.append([a for a in arrays if a is not None])
    return rings_xy if ok else None


def _inside_sweden(
    rings_xy: list[list[NDArray[np.float64]]], crs: int, where: str, field: str, index: int | None, errors: _Collector
) -> bool:
    """Sweden's extent, on the input coordinates, vectorised; one message per geometry."""
    all_xy = np.concatenate([a for rings in rings_xy for a in rings])
    bad = np.flatnonzero(~inside_sweden(all_xy[:, 0], all_xy[:, 1], crs))
    if bad.size:
        x, y = all_xy[bad[0]]
        count = messages.text("geojson.outside_count", bad=_n(bad.size), all=_n(len(all_xy))) if bad.size > 1 else ""
        errors.add(f"{field}.coordinates", where, index, "geojson.outside", reason=explain_outside(float(x), float(y), crs), count=count)
        return False
    return True


def _built(
    rings_xy: list[list[NDArray[np.float64]]], crs: int, multi: bool, where: str, field: str, index: int | None, errors: _Collector
) -> Area | None:
    """Built in SWEREF 99 TM and checked for OGC validity there (what is stored is what is checked)."""
    parts = []
    for arrays in rings_xy:
        sw = []
        for a in arrays:
            ex, ny = to_sweref(a[:, 0], a[:, 1], crs)
            sw.append(np.column_stack((ex, ny)))
        parts.append(shapely.Polygon(sw[0], sw[1:]))
    geom: Area = shapely.MultiPolygon(parts) if multi else parts[0]
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        errors.add(f"{field}.coordinates", where, index, "geojson.invalid_shape", reason=_explain_invalid(geom, reason, crs, multi))
        return None
    if geom.area <= 0.0:
        kind = "MultiPolygon" if multi else "Polygon"
        errors.add(f"{field}.coordinates", where, index, "geojson.no_area", kind=kind)
        return None
    return geom


def _within_bounds(polygons: list[Any], where: str, field: str, index: int | None, errors: _Collector) -> bool:
    """The area's rings and positions counted from the arrays' lengths, before any is read (a
    single ring above MAX_RING_POSITIONS is reported by ``_ring_array``, naming the ring)."""
    rings = [ring for p in polygons if isinstance(p, list) for ring in p]
    if len(rings) > MAX_AREA_RINGS:
        errors.add(field, where, index, "geojson.too_many_rings", rings=_n(len(rings)), max=_n(MAX_AREA_RINGS))
        return False
    sizes = [len(ring) for ring in rings if isinstance(ring, list)]
    if sum(sizes) > MAX_AREA_POSITIONS and max(sizes) <= MAX_RING_POSITIONS:
        errors.add(field, where, index, "geojson.too_many_positions", positions=_n(sum(sizes)), max=_n(MAX_AREA_POSITIONS))
        return False
    return True


def _n(number: int) -> str:
    """A count as Swedish writes it: 100 000."""
    return f"{number:,}".replace(",", " ")


def _ring_array(
    ring: Any,
    rname: str,
    rfield: str,
    where: str,
    index: int | None,
    errors: _Collector,
) -> NDArray[np.float64] | None:
    if not isinstance(ring, list):
        errors.add(rfield, where, index, "geojson.ring_array", ring=rname, got=_kind(ring))
        return None
    if len(ring) > MAX_RING_POSITIONS:
        errors.add(rfield, where, index, "geojson.ring_too_long", ring=rname, positions=_n(len(ring)), max=_n(MAX_RING_POSITIONS))
        return None
    for k, pos in enumerate(ring):
        problem = _position_problem(pos)
        if problem:
            errors.add(f"{rfield}[{k}]", where, index, "geojson.position_at", ring=rname, k=k, problem=problem)
            return None
    if len(ring) < 4:
        errors.add(rfield, where, index, "geojson.ring_too_short", ring=rname, positions=len(ring))
        return None
    arr = np.array([(p[0], p[1]) for p in ring], dtype=np.float64)
    if not np.array_equal(arr[0], arr[-1]):
        errors.add(rfield, where, index, "geojson.ring_open", ring=rname, last=_raw(arr[-1]), first=_raw(arr[0]))
        return None
    return arr


def _position_problem(pos: Any) -> str | None:
    """Why ``pos`` is no position (the catalog's text), or None."""
    if not isinstance(pos, list):
        return messages.text("geojson.position_array", value=_kind(pos))
    if not 2 <= len(pos) <= 3:
        return messages.text("geojson.position_length", value=len(pos))
    for v in pos:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return messages.text("geojson.position_numbers", value=repr(v))
        if not math.isfinite(v):
            return messages.text("geojson.position_finite", value=repr(v))
    return None


_REASON = re.compile(r"^(?P<what>[^\[]+?)\s*\[(?P<x>\S+) (?P<y>\S+)(?: \S+)?\]$")


def _explain_invalid(geom: Area, reason: str, crs: int, multi: bool) -> str:
    """GEOS's reason (``Self-intersection[620123.4 7012345.6]``) as a message naming rings."""
    m = _REASON.match(reason)
    if m is None:
        return messages.text("shape.invalid", reason=reason)
    what = m["what"].strip()
    px, py = float(m["x"]), float(m["y"])
    if crs == SWEREF99TM:
        at = f"{format_point(px, py, SWEREF99TM)} EPSG:3006"
    else:
        lon, lat = sweref_to_wgs84([px], [py])
        at = f"{format_point(float(lon[0]), float(lat[0]), WGS84)} lon/lat"
    rings = _rings_at(geom, px, py, multi)
    names = " och ".join(rings) if rings else "geometrin"
    many = len(rings) > 1
    key = what.lower()
    code = _SHAPE_CODES.get(key, "shape.other")
    if key == "self-intersection" and many:
        code = "shape.overlap" if multi and len({r.split(" ring")[0] for r in rings}) > 1 else "shape.cross"
    return messages.text(code, names=names, at=at, what=what)


#: GEOS's reasons, by the catalog's code of their explanation.
_SHAPE_CODES: Final = {
    "self-intersection": "shape.self_intersection",
    "ring self-intersection": "shape.ring_touches_itself",
    "hole lies outside shell": "shape.hole_outside",
    "nested holes": "shape.nested_holes",
    "interior is disconnected": "shape.disconnected",
    "nested shells": "shape.nested_shells",
    "duplicate rings": "shape.duplicate_rings",
    "too few points": "shape.too_few_points",
}


def _rings_at(geom: Area, x: float, y: float, multi: bool) -> list[str]:
    """Names of the rings passing within a centimetre of (x, y)."""
    point = shapely.Point(x, y)
    polys: list[shapely.Polygon] = list(geom.geoms) if isinstance(geom, shapely.MultiPolygon) else [geom]
    names = []
    for p, poly in enumerate(polys):
        rings = [poly.exterior, *poly.interiors]
        for r, ring in enumerate(rings):
            if ring.distance(point) < 0.01:
                names.append(f"polygon {p} ring {r}" if multi else f"ring {r}")
    return names


def _raw(pos: NDArray[np.float64]) -> str:
    return f"[{float(pos[0])!r}, {float(pos[1])!r}]"


def _kind(obj: Any) -> str:
    if obj is None:
        return "null"
    return {dict: "ett objekt", list: "en lista", str: "en text", bool: "ett sanningsvärde"}.get(
        type(obj), "ett tal" if isinstance(obj, (int, float)) else type(obj).__name__
    )


def _where(index: int | None) -> str:
    return messages.text("place.feature", feature=index) if index is not None else ""


def _invalid(at: str, code: str, /, **values: Any) -> InvalidInput:
    return InvalidInput.at(at or "body", code, **values)


# --- output and geometry helpers ----------------------------------------------------------------


def geometry_to_geojson_wgs84(geom_sweref: shapely.Geometry) -> dict[str, Any]:
    """A SWEREF 99 TM Polygon/MultiPolygon as an RFC 7946 geometry: lon/lat, 7 decimals, CCW shells."""
    wgs = transform_geometry(geom_sweref, SWEREF99TM, WGS84)
    wgs = shapely.orient_polygons(wgs, exterior_cw=False)

    def ring(r: shapely.LinearRing) -> list[list[float]]:
        return np.round(shapely.get_coordinates(r), OUTPUT_DECIMALS).tolist()

    def polygon(p: shapely.Polygon) -> list[list[list[float]]]:
        return [ring(p.exterior), *(ring(h) for h in p.interiors)]

    if isinstance(wgs, shapely.MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [polygon(p) for p in wgs.geoms]}
    if isinstance(wgs, shapely.Polygon):
        return {"type": "Polygon", "coordinates": polygon(wgs)}
    raise TypeError(f"expected a Polygon or MultiPolygon, got {type(wgs).__name__}")


def point_to_geojson_wgs84(x: float | None, y: float | None) -> dict[str, Any] | None:
    """A SWEREF 99 TM point as a GeoJSON Point in lon/lat (7 decimals); ``None`` for no location."""
    if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
        return None
    lon, lat = sweref_to_wgs84([x], [y])
    return {"type": "Point", "coordinates": [round(float(lon[0]), OUTPUT_DECIMALS), round(float(lat[0]), OUTPUT_DECIMALS)]}


def area_km2(geom_sweref: shapely.Geometry) -> float:
    """Area in square kilometres (SWEREF 99 TM is a metric projection; scale error < 0.1 %)."""
    return float(shapely.area(geom_sweref)) / 1_000_000.0


def bbox(geom_sweref: shapely.Geometry) -> tuple[float, float, float, float]:
    """``(minx, miny, maxx, maxy)`` in SWEREF 99 TM, e.g. for a PostgreSQL ``box``."""
    minx, miny, maxx, maxy = shapely.bounds(geom_sweref).tolist()
    return (minx, miny, maxx, maxy)


def to_wkb(geom: shapely.Geometry) -> bytes:
    """2D little-endian ISO WKB without SRID (the SRID is always 3006 in storage)."""
    return bytes(shapely.to_wkb(geom, output_dimension=2, byte_order=1, include_srid=False))


def same_geometry(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    """The one definition of "the same area" (see SAME_GEOMETRY_M)."""
    if shapely.equals_exact(a, b, tolerance=SAME_GEOMETRY_M):
        return True
    return bool(shapely.hausdorff_distance(shapely.boundary(a), shapely.boundary(b)) <= SAME_GEOMETRY_M)


def from_wkb(data: bytes | bytearray | memoryview) -> shapely.Geometry:
    """The geometry of a WKB ``bytea``."""
    return shapely.from_wkb(bytes(data))


def find_overlaps(
    geom_sweref: shapely.Geometry,
    candidates: Iterable[tuple[int, str, shapely.Geometry | bytes]],
    *,
    tolerance_m2: float = OVERLAP_TOLERANCE_M2,
) -> list[Overlap]:
    """The candidates (id, name, geometry or WKB) that overlap ``geom_sweref`` by more than 1 m².

    Sharing a border, or a sliver up to ``tolerance_m2``, is not an overlap. Largest overlap first.
    """
    items = list(candidates)
    if not items:
        return []
    geoms = np.array([from_wkb(g) if isinstance(g, (bytes, bytearray, memoryview)) else g for _, _, g in items], dtype=object)
    shapely.prepare(geom_sweref)
    maybe = shapely.intersects(geom_sweref, geoms) & ~shapely.touches(geom_sweref, geoms)
    out: list[Overlap] = []
    for k in np.flatnonzero(maybe):
        a = float(shapely.area(shapely.intersection(geom_sweref, geoms[k])))
        if a > tolerance_m2:
            out.append(Overlap(id=int(items[k][0]), name=str(items[k][1]), area_m2=a))
    out.sort(key=lambda o: (-o.area_m2, o.id))
    return out


def find_overlaps_among(
    geoms_sweref: Sequence[shapely.Geometry],
    *,
    tolerance_m2: float = OVERLAP_TOLERANCE_M2,
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, area_m2)`` with i < j of geometries in one batch overlapping by more than 1 m²."""
    arr = np.array(list(geoms_sweref), dtype=object)
    if arr.size < 2:
        return []
    tree = shapely.STRtree(arr)
    left, right = tree.query(arr, predicate="intersects")
    keep = left < right
    out = []
    for i, j in zip(left[keep].tolist(), right[keep].tolist(), strict=True):
        a = float(shapely.area(shapely.intersection(arr[i], arr[j])))
        if a > tolerance_m2:
            out.append((i, j, a))
    return out
