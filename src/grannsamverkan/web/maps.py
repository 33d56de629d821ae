"""Maps as inline SVG, drawn from the stored geometry (SWEREF 99 TM, metres; no tile server).

SWEREF 99 TM is a metric projection, so a map is the geometry scaled and flipped (north up).
Areas too small to see at the map's scale also get a round marker, so a kommun whose villages
lie tens of kilometres apart still shows every area.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import msgspec
import numpy as np
import shapely

from grannsamverkan.geo.crs import WGS84, to_sweref

WIDTH: Final = 1000.0
MIN_HEIGHT: Final = 420.0
MAX_HEIGHT: Final = 1100.0
MARKER_BELOW: Final = 26.0  # areas narrower than this (map units) get a marker
MARKER_RADIUS: Final = 13.0


class MapShape(msgspec.Struct, kw_only=True):
    """One area: its outline, where its marker/label goes, its colour class and link."""

    area_id: int
    name: str
    href: str
    path: str
    cx: float
    cy: float
    css_class: str
    label: str  # spoken and shown as a tooltip: name and state
    marker: bool
    short: str = ""  # short text by the marker, e.g. "55 %" or "#1"
    lx: float = 0.0  # the label's offset from (cx, cy) in em, and how it is anchored
    ly: float = 0.0
    anchor: str = "start"

    @property
    def text(self) -> str:
        return f"{self.name} · {self.short}" if self.short else self.name


class MapDot(msgspec.Struct, kw_only=True):
    x: float
    y: float
    css_class: str
    title: str


class SvgMap(msgspec.Struct, kw_only=True):
    width: float
    height: float
    shapes: list[MapShape]
    dots: list[MapDot]
    scale_bar_m: int
    scale_bar_px: float
    show_labels: bool


class Projection:
    """SWEREF 99 TM metres to map units: fits ``bounds`` into WIDTH × height with a margin."""

    def __init__(self, bounds: tuple[float, float, float, float], *, min_span_m: float = 300.0) -> None:
        minx, miny, maxx, maxy = bounds
        dx, dy = max(maxx - minx, min_span_m), max(maxy - miny, min_span_m)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        dx, dy = dx * 1.12, dy * 1.12  # margin
        self.scale = min(WIDTH / dx, MAX_HEIGHT / dy)
        self.height = max(MIN_HEIGHT, dy * self.scale)
        self.x0 = cx - WIDTH / 2 / self.scale
        self.y1 = cy + self.height / 2 / self.scale

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.x0) * self.scale, (self.y1 - y) * self.scale

    def path(self, geom: shapely.Geometry) -> str:
        parts: list[str] = []
        for polygon in getattr(geom, "geoms", [geom]):
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = np.asarray(ring.coords)
                xs = (coords[:, 0] - self.x0) * self.scale
                ys = (self.y1 - coords[:, 1]) * self.scale
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True))
                parts.append(f"M{points}Z")
        return "".join(parts)

    def scale_bar(self) -> tuple[int, float]:
        """A round length (m) about a fifth of the map's width, and its length in map units."""
        target = WIDTH / 5 / self.scale
        magnitude = 10 ** int(np.floor(np.log10(target)))
        metres = max(int(step * magnitude) for step in (1, 2, 5) if step * magnitude <= target)
        return metres, metres * self.scale


def bounds_of(geoms: Iterable[shapely.Geometry], points: Sequence[tuple[float, float]] = ()) -> tuple[float, float, float, float]:
    boxes = [g.bounds for g in geoms]
    boxes += [(x, y, x, y) for x, y in points]
    if not boxes:
        return (600_000.0, 6_900_000.0, 600_000.0, 6_900_000.0)
    b = np.array(boxes, dtype=float)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


class AreaOnMap(msgspec.Struct, kw_only=True):
    area_id: int
    name: str
    geometry: shapely.Geometry
    css_class: str
    label: str
    short: str = ""


def draw(areas: Sequence[AreaOnMap], dots: Sequence[tuple[float, float, str, str]] = (), *,
         href: str = "/omraden/{id}") -> SvgMap:
    """A map of ``areas`` (SWEREF 99 TM geometries) and ``dots`` ``(x, y, css_class, title)``."""
    proj = Projection(bounds_of([a.geometry for a in areas], [(d[0], d[1]) for d in dots]))
    shapes = []
    for a in areas:
        minx, miny, maxx, maxy = a.geometry.bounds
        size = max(maxx - minx, maxy - miny) * proj.scale
        point = a.geometry.representative_point() if size >= MARKER_BELOW else a.geometry.centroid
        cx, cy = proj.xy(point.x, point.y)
        shapes.append(MapShape(
            area_id=a.area_id, name=a.name, href=href.format(id=a.area_id), path=proj.path(a.geometry),
            cx=round(cx, 1), cy=round(cy, 1), css_class=a.css_class, label=a.label, marker=size < MARKER_BELOW,
            short=a.short,
        ))
    place_labels(shapes, proj.height)
    metres, px = proj.scale_bar()
    return SvgMap(
        width=WIDTH, height=round(proj.height, 1), shapes=shapes,
        dots=[MapDot(x=round(p[0], 1), y=round(p[1], 1), css_class=c, title=t)
              for p, c, t in ((proj.xy(x, y), c, t) for x, y, c, t in dots)],
        scale_bar_m=metres, scale_bar_px=round(px, 1), show_labels=len(areas) <= 40,
    )


LABEL_SIZE: Final = 24.0  # font size in map units (the CSS says the same)
Box = tuple[float, float, float, float]


def _label_box(x: float, y: float, anchor: str, text: str) -> Box:
    width = 0.58 * LABEL_SIZE * len(text)
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return left, y - LABEL_SIZE * 0.8, left + width, y + LABEL_SIZE * 0.25


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(shapes: list[MapShape], height: float) -> None:
    """Beside each marker (right, left, below, above) or in the middle of a large area, where the
    label stays on the map and clear of the labels and markers already placed.

    The label is anchored at the marker and offset in ``em``, so it stays beside the marker when
    the map is zoomed and the page scales markers and labels back to their size on screen."""
    r = MARKER_RADIUS + 4
    taken: list[Box] = [(s.cx - r, s.cy - r, s.cx + r, s.cy + r) for s in shapes if s.marker]
    for s in shapes:
        if s.marker:
            offsets = [(r + 2, 8, "start"), (-r - 2, 8, "end"), (0, r + 24, "middle"), (0, -r - 8, "middle"),
                       (r + 2, 34, "start"), (-r - 2, -18, "end")]
        else:
            offsets = [(0, 8, "middle"), (0, 38, "middle"), (0, -22, "middle")]
        own = (s.cx - r, s.cy - r, s.cx + r, s.cy + r) if s.marker else None

        def box(o: tuple[float, float, str], s: MapShape = s) -> Box:
            return _label_box(s.cx + o[0], s.cy + o[1], o[2], s.text)

        fits = [o for o in offsets if _inside(box(o), height)] or offsets
        free = [o for o in fits if not any(_overlaps(box(o), t) for t in taken if t != own)]
        chosen = (free or fits)[0]
        s.lx, s.ly, s.anchor = round(chosen[0] / LABEL_SIZE, 3), round(chosen[1] / LABEL_SIZE, 3), chosen[2]
        taken.append(box(chosen))


def _inside(box: Box, height: float) -> bool:
    return box[0] >= 4 and box[2] <= WIDTH - 4 and box[1] >= 4 and box[3] <= height - 40


def lonlat_to_sweref(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    if not points:
        return []
    xs, ys = to_sweref([p[0] for p in points], [p[1] for p in points], WGS84)
    return list(zip(xs.tolist(), ys.tolist(), strict=True))
