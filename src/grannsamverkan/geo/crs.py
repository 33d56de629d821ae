"""The coordinate reference systems the registry accepts, and moving coordinates between them.

Two CRSs are accepted on input: EPSG:4326 (WGS 84, always longitude first, as in GeoJSON) and
EPSG:3006 (SWEREF 99 TM, easting first). Everything is stored in SWEREF 99 TM, where distances
and areas are in metres; output is WGS 84 lon/lat (RFC 7946).

``urn:ogc:def:crs:EPSG::4326`` officially means latitude first, but GeoJSON writers that emit it
still write longitude first, so 4326 is always read as lon/lat here; coordinates that really are
lat/lon are caught by the swapped-coordinates check of :func:`explain_outside`.
"""

from __future__ import annotations

import math
import re
import threading
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from pyproj import Transformer

from grannsamverkan import messages
from grannsamverkan.errors import InvalidInput

WGS84: Final = 4326
SWEREF99TM: Final = 3006
SUPPORTED_CRS: Final = (WGS84, SWEREF99TM)
CRS_NAMES: Final = {WGS84: "EPSG:4326 (WGS 84, lon/lat)", SWEREF99TM: "EPSG:3006 (SWEREF 99 TM)"}

# Sweden's extent, a little generous (the country spans lon 10.96-24.17, lat 55.34-69.06;
# SWEREF 99 TM x 266000-922000, y 6130000-7680000).
WGS84_EXTENT: Final = (10.0, 55.0, 24.5, 69.2)  # min lon, min lat, max lon, max lat
SWEREF_EXTENT: Final = (180_000.0, 6_100_000.0, 1_000_000.0, 7_700_000.0)  # min x, min y, max x, max y

_EPSG_CODE = re.compile(
    r"""^(?:
        (?:epsg:{1,2})?(?P<code>\d+)                                  # EPSG:3006, 3006
      | urn:ogc:def:crs:epsg:[0-9.]*:(?P<urn>\d+)                     # urn:ogc:def:crs:EPSG::3006
      | https?://www\.opengis\.net/def/crs/epsg/[0-9.]+/(?P<url>\d+)  # OGC http URI
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_CRS84 = re.compile(
    r"^(?:(?:ogc:)?crs:?84|urn:ogc:def:crs:ogc:[0-9.]*:crs84|https?://www\.opengis\.net/def/crs/ogc/[0-9.]+/crs84)$",
    re.IGNORECASE,
)


def parse_crs(value: str | int | None, *, field: str = "crs") -> int:
    """The EPSG code named by a query parameter or a CRS name; ``None`` or ``""`` means 4326.

    Accepts ``EPSG:3006``, ``3006``, ``urn:ogc:def:crs:EPSG::3006``, the OGC http URIs and
    ``CRS84`` / ``urn:ogc:def:crs:OGC:1.3:CRS84`` (which is 4326 in lon/lat order). Raises
    :class:`InvalidInput` for anything else, including valid CRSs the registry does not accept.
    """
    if value is None:
        return WGS84
    if isinstance(value, bool):  # bool is an int; True is no CRS
        raise _crs_error(repr(value), field)
    if isinstance(value, int):
        code = value
    else:
        text = value.strip()
        if not text:
            return WGS84
        if _CRS84.match(text):
            return WGS84
        m = _EPSG_CODE.match(text)
        if m is None:
            raise _crs_error(repr(value), field)
        code = int(m.group("code") or m.group("urn") or m.group("url"))
    if code not in SUPPORTED_CRS:
        raise _crs_error(f"EPSG:{code}", field)
    return code


def _crs_error(shown: str, field: str) -> InvalidInput:
    return InvalidInput.at(field, "crs.unsupported", crs=shown)


def crs_from_geojson(member: object, *, field: str = "crs") -> int | None:
    """The EPSG code of a legacy GeoJSON ``crs`` member (as QGIS writes), or ``None`` if absent.

    ``{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}``. Linked CRSs
    (``"type": "link"``) cannot be resolved offline and are refused.
    """
    if member is None:
        return None
    if not isinstance(member, dict):
        raise _member_error(field, "crs.member_object")
    kind = member.get("type")
    props = member.get("properties")
    if kind != "name" or not isinstance(props, dict) or not isinstance(props.get("name"), str):
        raise _member_error(field, "crs.member_named")
    return parse_crs(props["name"], field=f"{field}.properties.name")


def _member_error(field: str, code: str, **values: Any) -> InvalidInput:
    return InvalidInput.at(field, code, **values)


def resolve_crs(query_crs: int | None, member_crs: int | None) -> int:
    """The CRS to read with: the query parameter and the ``crs`` member must agree when both given."""
    if query_crs is not None and member_crs is not None and query_crs != member_crs:
        raise InvalidInput.at("crs", "crs.disagree", query_crs=query_crs, member_crs=member_crs)
    if query_crs is not None:
        return query_crs
    return member_crs if member_crs is not None else WGS84


# --- transformations -------------------------------------------------------------------------

_local = threading.local()


def transformer(src: int, dst: int) -> Transformer:
    """A cached ``always_xy`` Transformer (one per thread: pyproj objects are not shared across threads)."""
    cache: dict[tuple[int, int], Transformer] | None = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (src, dst)
    t = cache.get(key)
    if t is None:
        from pyproj import Transformer  # loaded when first needed: a file in SWEREF 99 TM never needs it

        t = cache[key] = Transformer.from_crs(f"EPSG:{src}", f"EPSG:{dst}", always_xy=True)
    return t


def to_sweref(xs: ArrayLike, ys: ArrayLike, crs: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinates in ``crs`` (4326 lon/lat or 3006) as SWEREF 99 TM x (east), y (north) arrays.

    NaN stays NaN. No extent check; use :func:`outside_sweden` first.
    """
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    if crs == SWEREF99TM:
        return x.copy(), y.copy()
    if crs != WGS84:
        raise ValueError(f"unsupported CRS EPSG:{crs}")
    ex, ny = transformer(WGS84, SWEREF99TM).transform(x, y)
    return np.asarray(ex, dtype=np.float64), np.asarray(ny, dtype=np.float64)


def sweref_to_wgs84(xs: ArrayLike, ys: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """SWEREF 99 TM x, y arrays as WGS 84 lon, lat arrays."""
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    lon, lat = transformer(SWEREF99TM, WGS84).transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def transform_geometry(geom: shapely.Geometry, src: int, dst: int) -> shapely.Geometry:
    """A shapely geometry moved from ``src`` to ``dst`` (x/y order, vectorised over all vertices)."""
    if src == dst:
        return geom
    t = transformer(src, dst)

    def move(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack((x, y))

    return shapely.transform(geom, move)


# --- Sweden's extent --------------------------------------------------------------------------


def inside_sweden(xs: ArrayLike, ys: ArrayLike, crs: int) -> NDArray[np.bool_]:
    """Per coordinate: does it lie within Sweden's (generous) extent in ``crs``? NaN is False."""
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    minx, miny, maxx, maxy = WGS84_EXTENT if crs == WGS84 else SWEREF_EXTENT
    return (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)


def outside_sweden(xs: ArrayLike, ys: ArrayLike, crs: int) -> NDArray[np.intp]:
    """Indices of the coordinates outside Sweden's extent (or not finite), in order."""
    return np.flatnonzero(~inside_sweden(xs, ys, crs))


def _inside(x: float, y: float, extent: tuple[float, float, float, float]) -> bool:
    return extent[0] <= x <= extent[2] and extent[1] <= y <= extent[3]


def format_point(x: float, y: float, crs: int) -> str:
    """``(17.27, 63.17)`` for WGS 84 (6 decimals at most), ``(620123.4, 7012345.6)`` for SWEREF."""
    if crs == WGS84:
        return f"({_trim(x, 6)}, {_trim(y, 6)})"
    return f"({_trim(x, 1)}, {_trim(y, 1)})"


def _trim(v: float, decimals: int) -> str:
    if not math.isfinite(v):
        return repr(v)
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def explain_outside(
    x: float,
    y: float,
    crs: int,
    *,
    order: Literal["geojson", "columns"] = "geojson",
) -> str:
    """Why a coordinate is refused, for a message: swapped, wrong CRS, not a number, or outside Sweden.

    ``order="columns"`` words the swapped hint for CSV columns (lon/lat, x/y) instead of GeoJSON
    position order.
    """
    code = _outside_code(x, y, crs)
    columns = order == "columns"
    return messages.text(code + (".columns" if columns and code + ".columns" in messages.CATALOG else ""), point=format_point(x, y, crs))


def _outside_code(x: float, y: float, crs: int) -> str:
    """The catalog's code for why a coordinate is refused."""
    if not (math.isfinite(x) and math.isfinite(y)):
        return "coordinates.not_finite"
    if crs == WGS84:
        if _inside(y, x, WGS84_EXTENT):
            return "coordinates.lat_lon_swapped"
        if _inside(x, y, SWEREF_EXTENT):
            return "coordinates.sweref_as_degrees"
        if _inside(y, x, SWEREF_EXTENT):
            return "coordinates.sweref_north_east"
        return "coordinates.outside_sweden_wgs84"
    if _inside(y, x, SWEREF_EXTENT):
        return "coordinates.x_y_swapped"
    if _inside(x, y, WGS84_EXTENT):
        return "coordinates.degrees_as_sweref"
    if _inside(y, x, WGS84_EXTENT):
        return "coordinates.lat_lon_as_sweref"
    return "coordinates.outside_sweden_sweref"
