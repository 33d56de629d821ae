"""Where on the map an area's shape goes wrong, for the map to draw it: the part that overlaps
another area, the points where a boundary crosses itself, the part outside the kommun.

Geometries come in SWEREF 99 TM (metres); :func:`to_geojson_wgs84` writes any of them as RFC 7946
GeoJSON (lon/lat, 7 decimals, about a centimetre), the form a ``FieldError.geometry`` carries.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Final

import numpy as np
import shapely

from grannsamverkan.geo.boundaries import AREA_TOLERANCE_M, boundary
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry

DECIMALS: Final = 7


def to_geojson_wgs84(geom_sweref: shapely.Geometry) -> dict[str, Any]:
    """Any SWEREF 99 TM geometry (point, line, polygon, collection) as GeoJSON in WGS 84."""
    wgs = transform_geometry(geom_sweref, SWEREF99TM, WGS84)
    wgs = shapely.transform(wgs, lambda c: np.round(c, DECIMALS))
    result: dict[str, Any] = json.loads(shapely.to_geojson(wgs))
    return result


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a geometry (an intersection may also hold lines and points where areas only touch)."""
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon) and not p.is_empty]
    if not parts:
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def overlap_part(geom: shapely.Geometry, other: shapely.Geometry) -> shapely.Geometry:
    """What ``geom`` and ``other`` have in common, as polygons."""
    return polygonal(shapely.intersection(shapely.make_valid(geom), other))


def crossings(rings: list[list[tuple[float, float]]]) -> shapely.Geometry:
    """The points where the rings (each a closed list of positions) cross or touch themselves or
    each other: the nodes where more than two pieces of boundary meet once the lines are split
    at every crossing. An empty MultiPoint when there is none."""
    lines = [shapely.LineString(r) for r in rings if len(r) >= 2]
    if not lines:
        return shapely.MultiPoint()
    noded = shapely.unary_union(shapely.MultiLineString(lines))
    ends: Counter[tuple[float, float]] = Counter()
    for part in shapely.get_parts(noded):
        coords = shapely.get_coordinates(part)
        if len(coords) >= 2:
            ends[(round(float(coords[0][0]), 3), round(float(coords[0][1]), 3))] += 1
            ends[(round(float(coords[-1][0]), 3), round(float(coords[-1][1]), 3))] += 1
    # A ring's own start meets its end (2); a crossing splits both lines there (4), a touch 3 or more.
    points = [p for p, n in ends.items() if n > 2]
    if not points:
        reason = shapely.is_valid_reason(shapely.Polygon(rings[0]) if rings and len(rings[0]) >= 4 else shapely.Polygon())
        located = _reason_point(reason)
        return shapely.MultiPoint([located] if located else [])
    return shapely.MultiPoint(sorted(points))


def _reason_point(reason: str) -> tuple[float, float] | None:
    """The point GEOS names in a validity reason, e.g. ``Self-intersection[620123.4 7012345.6]``."""
    if "[" not in reason:
        return None
    try:
        x, y = reason[reason.index("[") + 1 : reason.index("]")].split()[:2]
        return float(x), float(y)
    except ValueError:
        return None


def outside_part(kommun: str, geom: shapely.Geometry) -> shapely.Geometry:
    """The part of ``geom`` outside the kommun (beyond the tolerance its simplified outline is given)."""
    outline = boundary(kommun)
    if outline is None:
        return polygonal(geom)
    return polygonal(shapely.difference(geom, shapely.buffer(outline, AREA_TOLERANCE_M)))
