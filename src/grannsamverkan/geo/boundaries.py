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

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape

from grannsamverkan import messages
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


def inside_kommun(kommun: str, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Per point (SWEREF 99 TM): inside the kommun or within TOLERANCE_M of its outline (vectorised)."""
    wide = _widened(kommun)
    if wide is None:
        return np.zeros(len(xs), dtype=np.bool_)
    inside = shapely.contains_xy(wide, xs, ys)
    if not inside.all():  # a point on the widened outline itself counts too
        rest = ~inside
        inside[rest] = shapely.intersects_xy(wide, np.asarray(xs)[rest], np.asarray(ys)[rest])
    return inside


def point_outside_kommun(kommun: str, x: float, y: float) -> str:
    """The message for a point outside ``kommun``, naming the kommun it lies in."""
    tree, codes = _tree()
    found = [codes[k] for k in tree.query(shapely.Point(x, y), predicate="intersects").tolist()]
    values = {"x": f"{x:.0f}", "y": f"{y:.0f}", "kommun": kommun_name(kommun), "tolerance": f"{TOLERANCE_M:.0f}"}
    if found:
        return messages.text("boundary.point_in_other", found=kommun_name(found[0]), **values)
    return messages.text("boundary.point_in_none", **values)


def require_inside(kommun: str, x: float, y: float, *, field: str = "position") -> None:
    """422 when the point (SWEREF 99 TM) lies outside the kommun."""
    if not contains(kommun, x, y):
        raise InvalidInput(
            "boundary.point_outside", [FieldError.of(field, "boundary.outside_short")], x=f"{x:.0f}", y=f"{y:.0f}", kommun=kommun
        )


# --- areas and their kommun ---------------------------------------------------------------------

# An area may stick out of its kommun's simplified outline by this much (the outline is simplified
# to about 60 m, so a real boundary can lie that far from it, and a drawn area follows the real one).
AREA_TOLERANCE_M: Final = TOLERANCE_M


@functools.cache
def _names() -> dict[str, str]:
    data = json.loads((geodata_dir() / FILE).read_text(encoding="utf-8"))
    return {f["properties"]["kommun"]: f["properties"].get("name", f["properties"]["kommun"]) for f in data["features"]}


def kommun_name(kommun: str) -> str:
    """``Sollefteå (2283)``: the kommun's name and code, for messages."""
    name = _names().get(kommun)
    return f"{name} ({kommun})" if name else kommun


@functools.cache
def _tree() -> tuple[shapely.STRtree, list[str]]:
    codes = list(_boundaries())
    return shapely.STRtree([_boundaries()[c] for c in codes]), codes


@functools.cache
def _widened(kommun: str) -> shapely.Geometry | None:
    geom = boundary(kommun)
    if geom is None:
        return None
    wide = shapely.buffer(geom, AREA_TOLERANCE_M)
    shapely.prepare(wide)
    return wide


def kommuner_of(geom: shapely.Geometry) -> list[tuple[str, float]]:
    """The kommuner a geometry (SWEREF 99 TM) lies in, with the share of its area in each, largest first."""
    tree, codes = _tree()
    total = float(shapely.area(geom)) or 1.0
    out = []
    for k in tree.query(geom, predicate="intersects").tolist():
        share = float(shapely.area(shapely.intersection(geom, _boundaries()[codes[k]]))) / total
        if share > 0.0:
            out.append((codes[k], share))
    out.sort(key=lambda item: -item[1])
    return out


def kommun_of_area(geom: shapely.Geometry) -> str | None:
    """The kommun holding the larger part of the area, or None when it lies in none."""
    found = kommuner_of(geom)
    return found[0][0] if found else None


def area_outside_kommun(kommun: str, geom: shapely.Geometry) -> str | None:
    """Why the area (SWEREF 99 TM) does not lie inside ``kommun``, naming where it does lie; None when it does
    (within AREA_TOLERANCE_M of the simplified outline)."""
    wide = _widened(kommun)
    if wide is None or shapely.covers(wide, geom):
        return None
    found = kommuner_of(geom)
    if not found:
        return messages.text("boundary.in_no_kommun", kommun=kommun_name(kommun))
    if len(found) == 1 or found[0][1] > 0.999:
        return messages.text("boundary.in_other_kommun", found=kommun_name(found[0][0]), kommun=kommun_name(kommun))
    parts = ", ".join(f"{kommun_name(c)} {share:.0%}".replace("%", " %") for c, share in found[:3])
    return messages.text("boundary.crosses", kommun=kommun_name(kommun), tolerance=f"{AREA_TOLERANCE_M:.0f}", parts=parts)
