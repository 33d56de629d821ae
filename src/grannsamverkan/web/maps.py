"""Maps as inline SVG, drawn from the stored geometry (SWEREF 99 TM, metres; no tile server).

The kommun and area pages draw their maps with Leaflet (``static/map.js``, layers from
``web/map_layers.py``) and keep these SVG maps as the fallback without JavaScript; the priority
and places pages use them as they are.

SWEREF 99 TM is a metric projection, so a map is the geometry scaled and flipped (north up).
Areas too small to see at the map's scale also get a round marker, so a kommun whose villages
lie tens of kilometres apart still shows every area; where such markers would cover each other (a
town of a thousand small areas), only those clear of the markers already placed are drawn, and the
areas' own shapes show the rest.

A map is drawn to what its zoom can show, so that a kommun of 2,000 areas stays a page of a few
hundred kilobytes: outlines are simplified to an eighth of a map unit (a pixel at the page's 8×
zoom, the zoom at which single areas of a town are picked), coordinates rounded to a tenth of a
unit and written relative to the previous point; labels are placed only when they are shown (all
of up to 40 areas, else only those with a short text such as a rank, if there are at most 40).
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
DETAIL: Final = 0.125  # map units: outlines are simplified to this (a pixel at 8× zoom)
MAX_LABELS: Final = 40  # more areas than this: labels only for those with a short text (if at most this many)


class MapShape(msgspec.Struct, kw_only=True, gc=False):
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
    labelled: bool = False  # its label is drawn (at lx, ly)
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

    def xy_array(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (xs - self.x0) * self.scale, (self.y1 - ys) * self.scale

    def path(self, geom: shapely.Geometry) -> str:
        return self.paths([geom])[0]

    def paths(self, geoms: Sequence[shapely.Geometry] | np.ndarray) -> list[str]:
        """SVG path data of each (Multi)Polygon, simplified to DETAIL, in tenths of a map unit: the
        first point of each ring absolute, the others relative to the one before (``M``, ``l``).
        One pass over all rings' coordinates; a ring that rounding leaves without area is left out
        (the area's marker shows where it is). Simplified without keeping topology (twice as fast):
        this is a drawing, not data."""
        simplified = shapely.simplify(np.asarray(geoms, dtype=object), DETAIL / self.scale, preserve_topology=False)
        parts, part_geom = shapely.get_parts(simplified, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
        tenths = np.empty(coords.shape, dtype=np.int64)
        tenths[:, 0] = np.rint((coords[:, 0] - self.x0) * self.scale * 10)
        tenths[:, 1] = np.rint((self.y1 - coords[:, 1]) * self.scale * 10)
        starts = np.searchsorted(coord_ring, np.arange(len(rings)))
        closing = np.append(starts[1:], len(coords)) - 1  # each ring's last point repeats its first
        steps = np.diff(tenths, axis=0)
        # A step from point i to i + 1 of the same ring, not onto the closing point, that moves.
        keep = (coord_ring[:-1] == coord_ring[1:]) & (np.arange(1, len(coords)) != closing[coord_ring[:-1]])
        keep &= (steps != 0).any(axis=1)
        kept_ring = coord_ring[:-1][keep]
        per_ring = np.bincount(kept_ring, minlength=len(rings))
        offsets = np.concatenate([[0], np.cumsum(per_ring)]) * 2
        numbers = _format(steps[keep].ravel().tolist())
        first_x, first_y = tenths[starts, 0].tolist(), tenths[starts, 1].tolist()
        # Rings come grouped by geometry, in order: one string per geometry, few objects alive.
        out = [""] * len(geoms)
        current, parts_of_current = -1, list[str]()
        for r, geom_index in enumerate(part_geom[ring_part].tolist()):
            if geom_index != current:
                if parts_of_current:
                    out[current] = "".join(parts_of_current).replace(" -", "-")
                current, parts_of_current = geom_index, list[str]()
            if per_ring[r] >= 2:
                moves = " ".join(numbers[offsets[r] : offsets[r + 1]])
                parts_of_current.append(f"M{_tenths(first_x[r])} {_tenths(first_y[r])}l{moves}z")
        if parts_of_current:
            out[current] = "".join(parts_of_current).replace(" -", "-")
        return out

    def scale_bar(self) -> tuple[int, float]:
        """A round length (m) about a fifth of the map's width, and its length in map units."""
        target = WIDTH / 5 / self.scale
        magnitude = 10 ** int(np.floor(np.log10(target)))
        metres = max(int(step * magnitude) for step in (1, 2, 5) if step * magnitude <= target)
        return metres, metres * self.scale


def bounds_of(geoms: Iterable[shapely.Geometry], points: Sequence[tuple[float, float]] = ()) -> tuple[float, float, float, float]:
    b = np.concatenate(
        [
            shapely.bounds(np.asarray(list(geoms), dtype=object)).reshape(-1, 4),
            np.array([(x, y, x, y) for x, y in points], dtype=float).reshape(-1, 4),
        ]
    )
    if not len(b):
        return (600_000.0, 6_900_000.0, 600_000.0, 6_900_000.0)
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


class AreaOnMap(msgspec.Struct, kw_only=True, gc=False):
    area_id: int
    name: str
    geometry: shapely.Geometry
    css_class: str
    label: str
    short: str = ""


def draw(areas: Sequence[AreaOnMap], dots: Sequence[tuple[float, float, str, str]] = (), *, href: str = "/omraden/{id}") -> SvgMap:
    """A map of ``areas`` (SWEREF 99 TM geometries) and ``dots`` ``(x, y, css_class, title)``."""
    geoms = np.asarray([a.geometry for a in areas], dtype=object)
    proj = Projection(bounds_of(geoms, [(d[0], d[1]) for d in dots]))
    boxes = shapely.bounds(geoms).reshape(-1, 4)
    sizes = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) * proj.scale
    small = sizes < MARKER_BELOW
    # A marker sits on the centroid; a label in a large area on a point inside it.
    points = np.where(small, shapely.centroid(geoms), shapely.point_on_surface(geoms)) if len(areas) else geoms
    xs, ys = proj.xy_array(shapely.get_x(points), shapely.get_y(points))
    # Markers that would cover one already placed are left out; areas with a short text (the
    # top of a ranking, a forming group's share) are placed first.
    markers, marked = Markers(), [False] * len(areas)
    for i in sorted(range(len(areas)), key=lambda i: not areas[i].short):
        marked[i] = bool(small[i]) and markers.place(float(xs[i]), float(ys[i]))
    shapes = [
        MapShape(
            area_id=a.area_id,
            name=a.name,
            href=href.format(id=a.area_id),
            path=path,
            cx=round(cx, 1),
            cy=round(cy, 1),
            css_class=a.css_class,
            label=a.label,
            marker=marker,
            short=a.short,
        )
        for a, path, cx, cy, marker in zip(areas, proj.paths(geoms), xs.tolist(), ys.tolist(), marked, strict=True)
    ]
    labelled = shapes if len(shapes) <= MAX_LABELS else [s for s in shapes if s.short]
    if len(labelled) <= MAX_LABELS:
        place_labels(shapes, proj.height, labelled)
    show_labels = any(s.labelled for s in shapes)
    metres, px = proj.scale_bar()
    return SvgMap(
        width=WIDTH,
        height=round(proj.height, 1),
        shapes=shapes,
        dots=[
            MapDot(x=round(p[0], 1), y=round(p[1], 1), css_class=c, title=t) for p, c, t in ((proj.xy(x, y), c, t) for x, y, c, t in dots)
        ],
        scale_bar_m=metres,
        scale_bar_px=round(px, 1),
        show_labels=show_labels,
    )


class Markers:
    """Markers placed so far, on a grid of cells one marker wide: a new marker is placed only
    where it covers none of them (a look at the nine cells around it, whatever the number)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def place(self, x: float, y: float) -> bool:
        reach = 2 * MARKER_RADIUS
        i, j = int(x // reach), int(y // reach)
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for px, py in self.cells.get((i + di, j + dj), ()):
                    if (px - x) ** 2 + (py - y) ** 2 < reach**2:
                        return False
        self.cells.setdefault((i, j), []).append((x, y))
        return True


def _format(values: list[int]) -> list[str]:
    return [_SHORT[v + _LIMIT] if -_LIMIT <= v <= _LIMIT else _tenths(v) for v in values]


def _tenths(v: int) -> str:
    """Tenths as a short decimal: 123 -> "12.3", -6 -> "-.6", 120 -> "12", 0 -> "0"."""
    whole, tenth = divmod(abs(v), 10)
    text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "") or "0"
    return "-" + text if v < 0 else text


LABEL_SIZE: Final = 24.0  # font size in map units (the CSS says the same)
Box = tuple[float, float, float, float]


def _label_box(x: float, y: float, anchor: str, text: str) -> Box:
    width = 0.58 * LABEL_SIZE * len(text)
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return left, y - LABEL_SIZE * 0.8, left + width, y + LABEL_SIZE * 0.25


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(shapes: list[MapShape], height: float, labelled: list[MapShape] | None = None) -> None:
    """Labels for ``labelled`` (default: all ``shapes``): beside each marker (right, left, below,
    above) or in the middle of a large area, where the label stays on the map and clear of the
    markers of ``shapes`` and the labels already placed.

    The label is anchored at the marker and offset in ``em``, so it stays beside the marker when
    the map is zoomed and the page scales markers and labels back to their size on screen."""
    r = MARKER_RADIUS + 4
    taken: list[Box] = [(s.cx - r, s.cy - r, s.cx + r, s.cy + r) for s in shapes if s.marker]
    for s in shapes if labelled is None else labelled:
        s.labelled = True
        if s.marker:
            offsets = [
                (r + 2, 8, "start"),
                (-r - 2, 8, "end"),
                (0, r + 24, "middle"),
                (0, -r - 8, "middle"),
                (r + 2, 34, "start"),
                (-r - 2, -18, "end"),
            ]
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


_LIMIT: Final = 5000  # steps up to 500 map units are looked up, not formatted
_SHORT: Final = [_tenths(v) for v in range(-_LIMIT, _LIMIT + 1)]
