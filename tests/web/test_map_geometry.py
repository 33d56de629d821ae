"""Issue 16, maps: where a shape goes wrong (geo/problem_geometry.py), without a database."""

from __future__ import annotations

import shapely
from shapely.geometry import shape

from grannsamverkan.geo.boundaries import boundary
from grannsamverkan.geo.crs import SWEREF99TM, WGS84, transform_geometry
from grannsamverkan.geo.problem_geometry import crossings, outside_part, overlap_part, to_geojson_wgs84

X, Y = 560_000.0, 7_040_000.0  # SWEREF 99 TM, near Ramsele (2283)


def test_a_bowtie_crosses_itself_in_its_middle() -> None:
    ring = [(X, Y), (X + 100, Y + 100), (X + 100, Y), (X, Y + 100), (X, Y)]
    points = crossings([ring])
    assert [(p.x, p.y) for p in shapely.get_parts(points)] == [(X + 50, Y + 50)]


def test_a_ring_crossing_itself_three_times_has_three_points_and_a_square_none() -> None:
    # A "figure eight" with three lobes: the line crosses itself at x = 150.
    ring = [(X, Y), (X + 300, Y + 100), (X + 300, Y), (X, Y + 100), (X, Y)]
    thrice = [
        (X, Y),
        (X + 100, Y + 100),
        (X + 200, Y),
        (X + 300, Y + 100),
        (X + 300, Y),
        (X + 200, Y + 100),
        (X + 100, Y),
        (X, Y + 100),
        (X, Y),
    ]
    assert len(shapely.get_parts(crossings([ring]))) == 1
    assert sorted((round(p.x), round(p.y)) for p in shapely.get_parts(crossings([thrice]))) == [
        (X + 50, Y + 50),
        (X + 150, Y + 50),
        (X + 250, Y + 50),
    ]
    square = [(X, Y), (X + 100, Y), (X + 100, Y + 100), (X, Y + 100), (X, Y)]
    assert shapely.is_empty(crossings([square]))


def test_the_overlap_is_the_common_polygon_only() -> None:
    a = shapely.box(X, Y, X + 100, Y + 100)
    b = shapely.box(X + 60, Y, X + 200, Y + 100)
    assert overlap_part(a, b).equals(shapely.box(X + 60, Y, X + 100, Y + 100))
    touching = shapely.box(X + 100, Y, X + 200, Y + 100)
    assert shapely.is_empty(overlap_part(a, touching))  # a shared border is no overlap to draw


def test_the_part_outside_the_kommun() -> None:
    outline = boundary("2283")
    assert outline is not None
    inside = shapely.box(X, Y, X + 500, Y + 500)
    assert outline.contains(inside)
    assert shapely.is_empty(outside_part("2283", inside))
    _, miny, maxx, maxy = outline.bounds
    edge = shapely.boundary(outline)
    on_edge = edge.interpolate(edge.project(shapely.Point(maxx + 50_000, (miny + maxy) / 2)))
    across = shapely.box(on_edge.x - 5_000, on_edge.y - 5_000, on_edge.x + 5_000, on_edge.y + 5_000)
    out = outside_part("2283", across)
    assert 0 < out.area < across.area
    assert not out.intersects(outline.buffer(100))  # beyond the tolerance only


def test_geojson_in_wgs84_for_points_and_polygons() -> None:
    point = to_geojson_wgs84(shapely.MultiPoint([(X, Y)]))
    assert point["type"] == "MultiPoint"
    lon, lat = point["coordinates"][0]
    assert 16.0 < lon < 17.5 and 63.0 < lat < 64.0
    square = shapely.box(X, Y, X + 100, Y + 100)
    back = transform_geometry(shape(to_geojson_wgs84(square)), WGS84, SWEREF99TM)
    assert back.symmetric_difference(square).area < 1.0  # 7 decimals: about a centimetre
