"""A kommun's map as inline SVG: its outline (from ``geo/boundaries.py``), its areas and dots, with
the projection written on the SVG so a script can turn a tap into SWEREF 99 TM coordinates.

Any page that wants the whole kommun (the public report page, the places list, the priority page)
uses :func:`kommun_map`; the pin picker in ``static/places.js`` reads ``data-x0``, ``data-y1`` and
``data-scale`` (map unit = (x - x0) * scale, (y1 - y) * scale).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import shapely

from grannsamverkan.geo.boundaries import boundary
from grannsamverkan.web.maps import WIDTH, AreaOnMap, MapDot, Projection, bounds_of


class KommunMap(msgspec.Struct, kw_only=True):
    width: float
    height: float
    outline: str
    areas: list[tuple[str, str]]  # (path, name)
    dots: list[MapDot]
    x0: float
    y1: float
    scale: float
    scale_bar_m: int
    scale_bar_px: float
    pin: tuple[float, float] | None = None  # a pin already placed (map units)


def kommun_map(
    kommun: str,
    areas: Sequence[AreaOnMap] = (),
    dots: Sequence[tuple[float, float, str, str]] = (),
    *,
    pin: tuple[float, float] | None = None,
) -> KommunMap:
    """The kommun's outline with ``areas`` and ``dots`` ``(x, y, css_class, title)`` in SWEREF 99 TM."""
    outline = boundary(kommun)
    shapes: list[shapely.Geometry] = [outline] if outline is not None else [a.geometry for a in areas]
    proj = Projection(bounds_of(shapes, [(d[0], d[1]) for d in dots]))
    metres, px = proj.scale_bar()
    return KommunMap(
        width=WIDTH,
        height=round(proj.height, 1),
        outline=proj.path(outline) if outline is not None else "",
        areas=[(proj.path(a.geometry), a.name) for a in areas],
        dots=[
            MapDot(x=round(p[0], 1), y=round(p[1], 1), css_class=c, title=t) for p, c, t in ((proj.xy(x, y), c, t) for x, y, c, t in dots)
        ],
        x0=proj.x0,
        y1=proj.y1,
        scale=proj.scale,
        scale_bar_m=metres,
        scale_bar_px=round(px, 1),
        pin=tuple(round(v, 1) for v in proj.xy(*pin)) if pin else None,  # type: ignore[arg-type]
    )
