"""Kommun boundaries: all 290 kommuner, simplified, shipped in ``geodata/kommuner-simplified.geojson``.

Source: the public GitHub repository okfse/sweden-geojson ("feel free to reuse"), simplified to about
60 m in SWEREF 99 TM and shipped in SWEREF 99 TM rounded to whole metres (``tools/kommuner_to_sweref.py``),
so that no transformation (and no pyproj) is needed to read it. Read once, for maps of a kommun and
for "does this point lie in the kommun?". Any page or check that needs a kommun's outline uses
:func:`boundary`.
"""

from __future__ import annotations

import functools
from typing import Any, Final

import msgspec
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape

from grannsamverkan import messages
from grannsamverkan.domain import numbers
from grannsamverkan.errors import FieldError, InvalidInput
from grannsamverkan.geo.assign import FINE_POINTS_PER_AREA, AreaGrid
from grannsamverkan.resources import geodata_dir

FILE: Final = "kommuner-simplified.geojson"
# A point this close outside the simplified outline still counts as inside (the simplification
# moves the line by up to ~60 m; a pin on the shore should not be refused).
TOLERANCE_M: Final = 150.0


@functools.cache
def _file() -> dict[str, Any]:
    """The shipped file, read once (msgspec: about a third of the json module's time, and an
    import starts its kommun check with it)."""
    data: dict[str, Any] = msgspec.json.decode((geodata_dir() / FILE).read_bytes())
    return data


@functools.cache
def _features() -> dict[str, dict[str, object]]:
    """Each kommun's geometry as the file has it (SWEREF 99 TM), by code."""
    return {feature["properties"]["kommun"]: feature["geometry"] for feature in _file()["features"]}


@functools.cache
def boundary(kommun: str) -> shapely.Geometry | None:
    """The kommun's outline in SWEREF 99 TM (metres), or None for an unknown code (each outline is
    made a shapely geometry when first asked for: an import needs one kommun's, not 290)."""
    feature = _features().get(kommun)
    if feature is None:
        return None
    geom = shape(feature)
    shapely.prepare(geom)
    return geom


def _boundaries() -> dict[str, shapely.Geometry]:
    return {code: geom for code in _features() if (geom := boundary(code)) is not None}


def contains(kommun: str, x: float, y: float) -> bool:
    geom = boundary(kommun)
    if geom is None:
        return False
    return bool(shapely.contains_xy(geom, x, y) or shapely.distance(geom, shapely.Point(x, y)) <= TOLERANCE_M)


def inside_kommun(kommun: str, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Per point (SWEREF 99 TM): inside the kommun or within TOLERANCE_M of its outline, the
    widened outline itself included (vectorised; most points are answered by the fine grid of
    ``geo.assign`` without a test)."""
    grid = _widened_grid(kommun)
    if grid is None:
        return np.zeros(len(xs), dtype=np.bool_)
    return grid.assign(xs, ys) >= 0


@functools.cache
def _widened_grid(kommun: str) -> AreaGrid | None:
    wide = _widened(kommun)
    # One outline: a fine grid of about a kilometre's cells in a kommun of a hundred.
    return None if wide is None else AreaGrid.build([0], [wide], points=FINE_POINTS_PER_AREA, fine_cells=128)


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
# A straddling area's warning names the other kommuner holding at least this share of it.
MENTIONED_SHARE: Final = 0.01


@functools.cache
def _names() -> dict[str, str]:
    return {f["properties"]["kommun"]: f["properties"].get("name", f["properties"]["kommun"]) for f in _file()["features"]}


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


def _percent(share: float) -> str:
    """A share of an area's surface to the nearest whole percent ("13 %"): a measure, not a count
    against a threshold, so it is rounded, not rounded down as ``numbers.share`` does."""
    return f"{numbers.decimal(share * 100, 0)} %"


class AreaFit(msgspec.Struct, frozen=True, kw_only=True):
    """How an area lies in the kommun it is given: ``refusal`` says why it cannot be stored there
    (naming where it lies); ``warning`` that it is stored there although a part lies elsewhere."""

    refusal: str | None = None
    warning: str | None = None


def area_fit(kommun: str, geom: shapely.Geometry) -> AreaFit:
    """Whether the area (SWEREF 99 TM) may be stored in ``kommun``.

    Inside the kommun (within AREA_TOLERANCE_M of its simplified outline): accepted. Otherwise it is
    accepted when the largest part of it lies in ``kommun`` and less than half of it lies beyond the
    tolerance, with a warning naming the share in each other kommun ("13 % ligger i Stockholm
    (0180)"): the police draw some areas across a kommun boundary. An area whose largest part lies
    in another kommun is refused, naming where it lies.
    """
    wide = _widened(kommun)
    if wide is None or shapely.covers(wide, geom):
        return AreaFit()
    found = kommuner_of(geom)
    if not found:
        return AreaFit(refusal=messages.text("boundary.in_no_kommun", kommun=kommun_name(kommun)))
    largest, largest_share = found[0]
    if largest != kommun:
        if len(found) == 1 or largest_share > 0.999:
            return AreaFit(refusal=messages.text("boundary.in_other_kommun", found=kommun_name(largest), kommun=kommun_name(kommun)))
        parts = ", ".join(f"{kommun_name(c)} {_percent(s)}" for c, s in found[:3])
        return AreaFit(
            refusal=messages.text("boundary.mostly_in_other", found=kommun_name(largest), kommun=kommun_name(kommun), parts=parts)
        )
    beyond = float(shapely.area(shapely.difference(geom, wide))) / (float(shapely.area(geom)) or 1.0)
    if beyond >= 0.5:
        parts = ", ".join(f"{kommun_name(c)} {_percent(s)}" for c, s in found[:3])
        return AreaFit(
            refusal=messages.text("boundary.half_outside", kommun=kommun_name(kommun), tolerance=f"{AREA_TOLERANCE_M:.0f}", parts=parts)
        )
    others = [(c, s) for c, s in found[1:] if s >= MENTIONED_SHARE]
    if not others:
        return AreaFit()
    first, *rest = others
    more = "".join(messages.text("boundary.straddles_more", share=_percent(s), kommun=kommun_name(c)) for c, s in rest)
    return AreaFit(warning=messages.text("boundary.straddles", share=_percent(first[1]), kommun=kommun_name(first[0]), more=more))
