"""Point-in-polygon assignment."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from grannsamverkan.geo.assign import AreaGrid, assign_points, points_in_area
from grannsamverkan.geo.geojson import to_wkb

WEST = shapely.box(614000, 7006000, 615000, 7007000)
EAST = shapely.box(615000, 7006000, 616000, 7007000)  # shares the border x = 615000
DONUT = shapely.Polygon(
    [(620000, 7000000), (621000, 7000000), (621000, 7001000), (620000, 7001000)],
    [[(620400, 7000400), (620600, 7000400), (620600, 7000600), (620400, 7000600)]],
)


def test_inside_outside_border_and_missing() -> None:
    xs = [614500, 615500, 615000, 613000, np.nan, 620500, 620100]
    ys = [7006500, 7006500, 7006500, 7006500, np.nan, 7000500, 7000100]
    got = assign_points(xs, ys, [20, 10, 30], [EAST, WEST, DONUT])
    # Border point goes to the lowest id (EAST=20 vs WEST=10 -> 10); the hole is outside.
    assert got.tolist() == [10, 20, 10, -1, -1, -1, 30]
    assert got.dtype == np.int64


def test_wkb_none_and_empty_geometries() -> None:
    got = assign_points([614500, 615500], [7006500, 7006500], [1, 2, 3], [to_wkb(WEST), None, shapely.Polygon()])
    assert got.tolist() == [1, -1]


def test_no_points_no_areas() -> None:
    assert assign_points([], [], [1], [WEST]).tolist() == []
    assert assign_points([614500], [7006500], [], []).tolist() == [-1]


def test_points_in_area() -> None:
    mask = points_in_area(np.array([614500, 615000, 616500, np.nan]), np.array([7006500, 7006500, 7006500, np.nan]), WEST)
    assert mask.tolist() == [True, True, False, False]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(613000, 617000), st.floats(7005500, 7007500)), max_size=50))
def test_matches_plain_shapely(points: list[tuple[float, float]]) -> None:
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    got = assign_points(xs, ys, [2, 1], [EAST, WEST])
    for (x, y), area in zip(points, got.tolist(), strict=True):
        p = shapely.Point(x, y)
        expected = 1 if WEST.intersects(p) else 2 if EAST.intersects(p) else -1
        assert area == expected


def test_many_points_many_areas_grid() -> None:
    cells = [
        shapely.box(600000 + i * 1000, 7000000 + j * 1000, 601000 + i * 1000, 7001000 + j * 1000) for i in range(40) for j in range(50)
    ]
    ids = np.arange(1, len(cells) + 1)
    rng = np.random.default_rng(7)
    xs = rng.uniform(599000, 641000, 200_000)
    ys = rng.uniform(6999000, 7051000, 200_000)
    got = assign_points(xs, ys, ids, cells)
    inside = (xs >= 600000) & (xs <= 640000) & (ys >= 7000000) & (ys <= 7050000)
    assert ((got > 0) == inside).all()
    i = np.floor((xs[inside] - 600000) / 1000).clip(0, 39).astype(int)
    j = np.floor((ys[inside] - 7000000) / 1000).clip(0, 49).astype(int)
    assert (got[inside] == i * 50 + j + 1).all()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 5000), st.floats(0, 5000), st.floats(1, 3000), st.floats(1, 800)), min_size=1, max_size=12),
    st.integers(0, 2**32 - 1),
)
def test_areas_of_mixed_sizes_match_plain_shapely(boxes: list[tuple[float, float, float, float]], seed: int) -> None:
    """Large and small, overlapping areas: a large one spans many grid cells, and the lowest id holding a point wins."""
    areas = [shapely.box(x, y, x + w, y + h) for x, y, w, h in boxes]
    ids = np.arange(len(areas), 0, -1)  # ids not in list order
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(-100, 8200, 300), rng.uniform(-100, 6000, 300)
    got = assign_points(xs, ys, ids, [shapely.to_wkb(a) for a in areas])
    for x, y, area in zip(xs, ys, got.tolist(), strict=True):
        holders = [int(i) for i, a in zip(ids, areas, strict=True) if a.intersects(shapely.Point(x, y))]
        assert area == (min(holders) if holders else -1)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 5000), st.floats(0, 5000), st.floats(1, 3000), st.integers(3, 40)), min_size=1, max_size=12),
    st.integers(0, 2**32 - 1),
)
def test_the_fine_grid_answers_as_the_tests_do(shapes: list[tuple[float, float, float, int]], seed: int) -> None:
    """Overlapping polygons with holes and slanted edges; points anywhere, on outlines and on
    vertices: the answers read from the fine grid are those of testing every point."""
    areas = [
        shapely.Point(x, y).buffer(r, quad_segs=max(1, n // 4)).difference(shapely.Point(x + r / 3, y).buffer(r / 4))
        for x, y, r, n in shapes
    ]
    ids = np.arange(len(areas), 0, -1)
    grid = AreaGrid.build(ids, areas, points=10**9)
    assert grid.cover is not None
    rng = np.random.default_rng(seed)
    outline = shapely.get_coordinates(shapely.boundary(np.array(areas)))
    middle = (outline[:-1] + outline[1:]) / 2  # on an edge (or across from one ring to the next)
    xs = np.concatenate([rng.uniform(-3100, 8100, 5000), outline[:, 0], middle[:, 0], [np.nan]])
    ys = np.concatenate([rng.uniform(-3100, 8100, 5000), outline[:, 1], middle[:, 1], [np.nan]])
    tested = AreaGrid.build(ids, areas).assign(xs, ys)
    assert np.array_equal(grid.assign(xs, ys), tested)
    assert (tested[5000:-1] >= 0).any()  # the outline points lie in an area
