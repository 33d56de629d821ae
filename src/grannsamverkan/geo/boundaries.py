"""Kommun boundaries: all 290 kommuner, simplified, shipped in ``geodata/kommuner-simplified.geojson``.

Source: the public GitHub repository okfse/sweden-geojson ("feel free to reuse"), simplified to about
60 m in SWEREF 99 TM and rounded to five decimals (about 1 m). Read once, kept in SWEREF 99 TM, for
maps of a kommun and for "does this point lie in the kommun?". Any page or check that needs a
kommun's outline uses :func:`boundary`.
"""

from __future__ import annotations

import functools
import json
from typing import Final

import shapely
from shapely.geometry import shape

from grannsamverkan.errors import FieldError, InvalidInput
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry
from grannsamverkan.resources import geodata_dir

FILE: Final = "kommuner-simplified.geojson"
# A point this close outside the simplified outline still counts as inside (the simplification
# moves the line by up to ~60 m; a pin on the shore should not be refused).
TOLERANCE_M: Final = 150.0


@functools.cache
def _boundaries() -> dict[str, shapely.Geometry]:
    data = json.loads((geodata_dir() / FILE).read_text(encoding="utf-8"))
    result = {}
    for feature in data["features"]:
        geom = transform_geometry(shape(feature["geometry"]), WGS84, SWEREF99TM)
        shapely.prepare(geom)
        result[feature["properties"]["kommun"]] = geom
    return result


def boundary(kommun: str) -> shapely.Geometry | None:
    """The kommun's outline in SWEREF 99 TM (metres), or None for an unknown code."""
    return _boundaries().get(kommun)


def contains(kommun: str, x: float, y: float) -> bool:
    geom = boundary(kommun)
    if geom is None:
        return False
    return bool(shapely.contains_xy(geom, x, y) or shapely.distance(geom, shapely.Point(x, y)) <= TOLERANCE_M)


def require_inside(kommun: str, x: float, y: float, *, field: str = "position") -> None:
    """422 when the point (SWEREF 99 TM) lies outside the kommun."""
    if not contains(kommun, x, y):
        raise InvalidInput(
            f"platsen (x {x:.0f}, y {y:.0f} i SWEREF 99 TM) ligger utanför kommunen {kommun}",
            [FieldError(field=field, message="utanför kommunen")],
        )
