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
        raise PayloadTooLarge(
            f"JSON-innehållet är {_n(len(data))} byte; högst {_n(max_bytes)} byte tas emot (dela upp filen eller förenkla geometrierna)"
        )
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise MalformedInput(f"filen (innehållet) är inte giltig JSON: {exc}") from None
    except RecursionError:
        raise MalformedInput("JSON-innehållet är för djupt nästlat") from None


# --- parsing ----------------------------------------------------------------------------------


class _Collector:
    """Errors of one input, up to MAX_ERRORS."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str, feature: int | None) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(FieldError(field=field, message=message, feature=feature))

    def raise_if_any(self, what: str) -> None:
        if self.errors:
            first = self.errors[0].message
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            raise InvalidInput(f"{what}: {first}{more}", errors=self.errors)


def parse_areas(obj: Any, *, crs: str | int | None = None) -> list[AreaFeature]:
    """A GeoJSON Feature or FeatureCollection of Polygon/MultiPolygon areas, in SWEREF 99 TM.

    ``crs`` is the query parameter (``None`` when not given); a legacy ``crs`` member of the
    object is honoured too, and the two must agree. Raises :class:`InvalidInput` with every
    problem found (up to 50), each naming its feature index.
    """
    if not isinstance(obj, dict):
        raise _invalid("", f"expected a GeoJSON Feature or FeatureCollection object, got {_kind(obj)}")
    kind = obj.get("type")
    if kind == "Feature":
        return [parse_feature(obj, crs=crs)]
    if kind == "FeatureCollection":
        return parse_feature_collection(obj, crs=crs)
    raise _invalid("type", f"expected type 'Feature' or 'FeatureCollection', got {kind!r}")


def parse_feature(obj: Any, *, crs: str | int | None = None) -> AreaFeature:
    """A single GeoJSON Feature (``POST /areas``) in SWEREF 99 TM."""
    if not isinstance(obj, dict):
        raise _invalid("", f"expected a GeoJSON Feature object, got {_kind(obj)}")
    if obj.get("type") != "Feature":
        raise _invalid("type", f"expected type 'Feature', got {obj.get('type')!r}")
    read_crs = _read_crs(obj, crs)
    errors = _Collector()
    feature = _parse_one(obj, read_crs, None, "", errors)
    errors.raise_if_any("invalid area")
    assert feature is not None
    return feature


def parse_feature_collection(obj: Any, *, crs: str | int | None = None) -> list[AreaFeature]:
    """A GeoJSON FeatureCollection (``POST /areas/import``) in SWEREF 99 TM; all or nothing."""
    if not isinstance(obj, dict):
        raise _invalid("", f"expected a GeoJSON FeatureCollection object, got {_kind(obj)}")
    if obj.get("type") != "FeatureCollection":
        raise _invalid("type", f"expected type 'FeatureCollection', got {obj.get('type')!r}")
    features = obj.get("features")
    if not isinstance(features, list):
        raise _invalid("features", "a FeatureCollection needs a 'features' array")
    if not features:
        raise _invalid("features", "the FeatureCollection has no features")
    read_crs = _read_crs(obj, crs)
    errors = _Collector()
    out: list[AreaFeature] = []
    for i, f in enumerate(features):
        if len(errors.errors) >= MAX_ERRORS:
            break
        parsed = _parse_one(f, read_crs, i, f"features[{i}].", errors)
        if parsed is not None:
            out.append(parsed)
    errors.raise_if_any("invalid areas")
    return out


def parse_geometry(obj: Any, *, crs: str | int | None = None, field: str = "geometry") -> Area:
    """A bare GeoJSON Polygon or MultiPolygon (e.g. a PATCH body's geometry) in SWEREF 99 TM."""
    read_crs = parse_crs(crs) if crs is not None else WGS84
    errors = _Collector()
    geom = _parse_geometry(obj, read_crs, None, field, errors)
    errors.raise_if_any("invalid geometry")
    assert geom is not None
    return geom


def parse_point(obj: Any, *, crs: str | int | None = None, field: str = "location") -> tuple[float, float]:
    """A GeoJSON Point (a household's or burglary's location) as SWEREF 99 TM ``(x, y)``."""
    read_crs = parse_crs(crs) if crs is not None else WGS84
    if not isinstance(obj, dict) or obj.get("type") != "Point":
        raise _invalid(field, f'{field} must be a GeoJSON Point like {{"type": "Point", "coordinates": [17.27, 63.17]}}')
    pos = obj.get("coordinates")
    problem = _position_problem(pos)
    if problem:
        raise _invalid(f"{field}.coordinates", f"{field}: {problem}")
    assert isinstance(pos, list)
    x, y = float(pos[0]), float(pos[1])
    if not inside_sweden([x], [y], read_crs)[0]:
        raise _invalid(f"{field}.coordinates", f"{field}: {explain_outside(x, y, read_crs)}")
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
    where = f"feature {index}: " if index is not None else ""
    if not isinstance(obj, dict):
        errors.add(prefix.rstrip("."), f"{where}expected a Feature object, got {_kind(obj)}", index)
        return None
    if obj.get("type") != "Feature":
        errors.add(f"{prefix}type", f"{where}expected type 'Feature', got {obj.get('type')!r}", index)
        return None
    props = obj.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        errors.add(f"{prefix}properties", f"{where}'properties' must be an object or null", index)
        return None
    if index is not None and "crs" in obj and crs_from_geojson(obj.get("crs")) != crs:
        errors.add(f"{prefix}crs", f"{where}a feature's 'crs' member differs from the collection's", index)
        return None
    fid = obj.get("id")
    if fid is not None and (isinstance(fid, bool) or not isinstance(fid, (str, int))):
        errors.add(f"{prefix}id", f"{where}'id' must be a string or a number", index)
        return None
    if "geometry" not in obj or obj["geometry"] is None:
        errors.add(f"{prefix}geometry", f"{where}the feature has no geometry; areas need a Polygon or MultiPolygon", index)
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
    where = f"feature {index}: " if index is not None else ""
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
        errors.add(field, f"{where}the geometry must be a GeoJSON object, got {_kind(obj)}", index)
        return None
    kind = obj.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        errors.add(f"{field}.type", f"{where}geometry type {kind!r} is not allowed; use Polygon or MultiPolygon", index)
        return None
    coords = obj.get("coordinates")
    if not isinstance(coords, list):
        errors.add(f"{field}.coordinates", f"{where}the {kind} has no 'coordinates' array", index)
        return None
    if not coords:
        errors.add(f"{field}.coordinates", f"{where}the {kind} is empty; an area needs at least one ring", index)
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
            errors.add(pfield, f"{where}{pname or 'the polygon '}has no rings; it needs an outer ring", index)
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
        count = f" ({bad.size} of {len(all_xy)} positions)" if bad.size > 1 else ""
        errors.add(f"{field}.coordinates", f"{where}{explain_outside(float(x), float(y), crs)}{count}", index)
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
        errors.add(f"{field}.coordinates", f"{where}{_explain_invalid(geom, reason, crs, multi)}", index)
        return None
    if geom.area <= 0.0:
        kind = "MultiPolygon" if multi else "Polygon"
        errors.add(f"{field}.coordinates", f"{where}the {kind} has no area", index)
        return None
    return geom


def _within_bounds(polygons: list[Any], where: str, field: str, index: int | None, errors: _Collector) -> bool:
    """The area's rings and positions counted from the arrays' lengths, before any is read (a
    single ring above MAX_RING_POSITIONS is reported by ``_ring_array``, naming the ring)."""
    rings = [ring for p in polygons if isinstance(p, list) for ring in p]
    if len(rings) > MAX_AREA_RINGS:
        errors.add(field, f"{where}området har {_n(len(rings))} ringar (yttre ringar och hål); högst {_n(MAX_AREA_RINGS)} tas emot", index)
        return False
    sizes = [len(ring) for ring in rings if isinstance(ring, list)]
    if sum(sizes) > MAX_AREA_POSITIONS and max(sizes) <= MAX_RING_POSITIONS:
        errors.add(
            field,
            f"{where}området har {_n(sum(sizes))} positioner; högst {_n(MAX_AREA_POSITIONS)} tas emot (förenkla gränsen, t.ex. i QGIS)",
            index,
        )
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
        errors.add(rfield, f"{where}{rname} must be an array of positions, got {_kind(ring)}", index)
        return None
    if len(ring) > MAX_RING_POSITIONS:
        errors.add(
            rfield,
            f"{where}{rname} has {len(ring):,} positions; at most {MAX_RING_POSITIONS:,} are "
            "accepted (simplify the boundary, e.g. in QGIS)",
            index,
        )
        return None
    for k, pos in enumerate(ring):
        problem = _position_problem(pos)
        if problem:
            errors.add(f"{rfield}[{k}]", f"{where}{rname} position {k}: {problem}", index)
            return None
    if len(ring) < 4:
        errors.add(
            rfield,
            f"{where}{rname} has {len(ring)} positions; a ring needs at least 4 (3 corners and the first repeated at the end)",
            index,
        )
        return None
    arr = np.array([(p[0], p[1]) for p in ring], dtype=np.float64)
    if not np.array_equal(arr[0], arr[-1]):
        errors.add(rfield, f"{where}{rname} is not closed: the last position {_raw(arr[-1])} must repeat the first {_raw(arr[0])}", index)
        return None
    return arr


def _position_problem(pos: Any) -> str | None:
    if not isinstance(pos, list):
        return f"a position must be an array [x, y], got {_kind(pos)}"
    if not 2 <= len(pos) <= 3:
        return f"a position has 2 or 3 numbers, got {len(pos)}"
    for v in pos:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return f"coordinates must be numbers, got {v!r}"
        if not math.isfinite(v):
            return f"coordinates must be finite numbers, got {v!r}"
    return None


_REASON = re.compile(r"^(?P<what>[^\[]+?)\s*\[(?P<x>\S+) (?P<y>\S+)(?: \S+)?\]$")


def _explain_invalid(geom: Area, reason: str, crs: int, multi: bool) -> str:
    """GEOS's reason (``Self-intersection[620123.4 7012345.6]``) as a message naming rings."""
    m = _REASON.match(reason)
    if m is None:
        return f"the geometry is invalid: {reason}"
    what = m["what"].strip()
    px, py = float(m["x"]), float(m["y"])
    if crs == SWEREF99TM:
        at = f"{format_point(px, py, SWEREF99TM)} EPSG:3006"
    else:
        lon, lat = sweref_to_wgs84([px], [py])
        at = f"{format_point(float(lon[0]), float(lat[0]), WGS84)} lon/lat"
    rings = _rings_at(geom, px, py, multi)
    names = " and ".join(rings) if rings else "the geometry"
    many = len(rings) > 1
    key = what.lower()
    if key == "self-intersection":
        if not many:
            return f"{names} self-intersects at {at}"
        if multi and len({r.split(" ring")[0] for r in rings}) > 1:
            return f"{names} overlap or cross at {at}"
        return f"{names} cross each other at {at}"
    template = _INVALID_REASONS.get(key, "the geometry is invalid ({what}) at {at}; {names}")
    return template.format(names=names, at=at, what=what)


# GEOS's reasons (lower case) as messages; {names} are the rings, {at} the place.
_INVALID_REASONS: Final = {
    "ring self-intersection": "{names} touches itself at {at}; split it into separate rings or polygons",
    "hole lies outside shell": "{names}: a hole lies outside its polygon's outer ring at {at}",
    "nested holes": "{names}: a hole lies inside another hole at {at}",
    "interior is disconnected": "the interior is cut in pieces by its holes at {at} ({names})",
    "nested shells": "{names}: one polygon lies inside another at {at}; use a hole instead",
    "duplicate rings": "{names} repeat the same ring at {at}",
    "too few points": "{names} has too few distinct points near {at}",
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
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(obj), "a number" if isinstance(obj, (int, float)) else type(obj).__name__
    )


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors=[FieldError(field=field or "body", message=message)])


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
