"""The maps' drawing at scale: outlines simplified and written relatively but still where the
geometry is, markers that never cover each other, a size that grows by a few hundred bytes an area;
and the pager of long tables."""

from __future__ import annotations

import re

import numpy as np
import shapely

from grannsamverkan.web.maps import DETAIL, MARKER_RADIUS, AreaOnMap, Projection, draw
from grannsamverkan.web.paging import paginate

NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
X0, Y0 = 600_000.0, 6_900_000.0  # SWEREF 99 TM, metres


def rings_of(path: str) -> list[np.ndarray]:
    """The absolute points of each ring of path data written as ``M x y l dx dy … z``."""
    rings = []
    for ring in re.findall(r"M([^l]*)l([^z]*)z", path):
        start = np.array([float(v) for v in NUMBER.findall(ring[0])])
        steps = np.array([float(v) for v in NUMBER.findall(ring[1])]).reshape(-1, 2)
        rings.append(np.vstack([start, start + np.cumsum(steps, axis=0)]))
    return rings


def wobbly(x: float, y: float, radius: float, n: int, seed: int) -> shapely.Polygon:
    rng = np.random.default_rng(seed)
    angles = np.arange(n) * 2 * np.pi / n
    radii = radius * rng.uniform(0.8, 1.0, n)
    return shapely.Polygon(np.column_stack([x + radii * np.cos(angles), y + radii * np.sin(angles)]))


def test_paths_stay_on_the_geometry_within_the_detail_and_rounding() -> None:
    holed = shapely.box(X0, Y0, X0 + 900, Y0 + 600).difference(shapely.box(X0 + 300, Y0 + 200, X0 + 500, Y0 + 400))
    multi = shapely.MultiPolygon([wobbly(X0 + 2000, Y0 + 300, 250, 60, 1), shapely.box(X0 + 2600, Y0, X0 + 2700, Y0 + 80)])
    proj = Projection((X0, Y0, X0 + 2700, Y0 + 600))
    for geom, path in zip([holed, multi], proj.paths([holed, multi]), strict=True):
        drawn = rings_of(path)
        expected = [ring for polygon in getattr(geom, "geoms", [geom]) for ring in [polygon.exterior, *polygon.interiors]]
        assert len(drawn) == len(expected)
        for ring, original in zip(drawn, expected, strict=True):
            coords = np.asarray(original.coords)
            projected = shapely.LineString(np.column_stack(proj.xy_array(coords[:, 0], coords[:, 1])))
            # every drawn point is on the projected outline, and the outline is near the drawing
            assert shapely.hausdorff_distance(shapely.LinearRing(ring), projected) <= DETAIL + 0.1
    assert " -" not in "".join(proj.paths([holed])) and "," not in "".join(proj.paths([holed]))


def test_a_town_of_2000_areas_is_a_few_hundred_bytes_an_area() -> None:
    """2,000 areas of 40 vertices over 20 km: the map's path data is about half of every vertex
    written absolutely to a tenth (the page's first way), under 250 bytes an area; no two markers overlap."""
    side = 45
    areas = [
        AreaOnMap(
            area_id=i,
            name=f"Område {i}",
            css_class="state-none",
            label=f"Område {i}",
            geometry=wobbly(X0 + 450 * (i % side), Y0 + 450 * (i // side), 180, 40, i),
        )
        for i in range(2000)
    ]
    svg = draw(areas)
    proj = Projection((X0, Y0, X0 + 450 * side, Y0 + 450 * (2000 // side)))
    absolute = 0
    for a in areas:
        coords = np.asarray(a.geometry.exterior.coords)
        xs, ys = proj.xy_array(coords[:, 0], coords[:, 1])
        absolute += len("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True)) + "Z")
    drawn = sum(len(s.path) for s in svg.shapes)
    assert drawn < 250 * 2000 and drawn < 0.55 * absolute, (drawn, absolute)
    assert not svg.show_labels
    markers = np.array([(s.cx, s.cy) for s in svg.shapes if s.marker])
    assert 0 < len(markers) < 2000
    distances = np.hypot(*(markers[:, None, :] - markers[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distances, np.inf)
    assert distances.min() >= 2 * MARKER_RADIUS - 0.2


def test_villages_far_apart_each_keep_their_marker() -> None:
    villages = [
        AreaOnMap(
            area_id=i,
            name=f"By {i}",
            css_class="state-none",
            label=f"By {i}",
            geometry=shapely.box(X0 + 15_000 * i, Y0, X0 + 15_000 * i + 300, Y0 + 300),
        )
        for i in range(5)
    ]
    svg = draw(villages)
    assert [s.marker for s in svg.shapes] == [True] * 5
    assert svg.show_labels and len({(s.lx, s.ly) for s in svg.shapes}) >= 1


def test_paginate_clamps_and_keeps_the_other_parameters() -> None:
    rows = list(range(450))
    shown, pages = paginate(rows, 3, "/prioritering", {"kommun": "2283", "metod": "eb", "fran": None, "sida": "3"})
    assert shown == list(range(400, 450)) and (pages.first, pages.last, pages.count, pages.total) == (401, 450, 3, 450)
    assert pages.links[0] == (1, "/prioritering?kommun=2283&metod=eb")
    assert pages.previous == "/prioritering?kommun=2283&metod=eb&sida=2" and pages.next is None
    assert paginate(rows, 99, "/k")[1].number == 3 and paginate(rows, -1, "/k")[1].number == 1
    empty, pages = paginate([], 1, "/k")
    assert empty == [] and (pages.count, pages.first, pages.last) == (1, 0, 0)


def test_among_thousands_of_areas_the_top_of_a_ranking_keeps_its_marker_and_label() -> None:
    """The priority page's top five: on a map of 2,000 areas only they are labelled, and their
    markers are placed before the others so none of them is left out."""
    side = 45
    areas = [
        AreaOnMap(
            area_id=i,
            name=f"Område {i}",
            css_class="prio-1",
            label=f"Område {i}",
            short=str(i // 300 + 1) if i % 300 == 7 else "",
            geometry=shapely.box(X0 + 450 * (i % side), Y0 + 450 * (i // side), X0 + 450 * (i % side) + 300, Y0 + 450 * (i // side) + 300),
        )
        for i in range(2000)
    ]
    svg = draw(areas)
    top = [s for s in svg.shapes if s.short]
    assert len(top) == 7 and all(s.marker and s.labelled for s in top)
    assert svg.show_labels and sum(s.labelled for s in svg.shapes) == 7
    assert not draw(areas[8:49]).show_labels  # 41 areas, none with a short text: no labels
    assert all(s.labelled for s in draw(areas[:40]).shapes)
