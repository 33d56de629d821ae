"""Point-in-polygon assignment of households and burglaries to areas, vectorised.

The areas' bounding boxes are laid on a uniform grid once (about one area per cell); each point
looks up the areas of its cell, and ``shapely.intersects_xy`` tests all (point, area) candidate
pairs in one call on prepared polygons. No Point objects are made and nothing loops over areas in
Python, so a million points and two thousand areas take a fraction of a second. A point keeps the
lowest area id that holds it, so a point on a border shared by two areas goes to the lower id.

Most points are not tested at all: a finer grid (:class:`_Cover`, about 16 cells across a typical
area) marks the cells that an outline passes through; every other cell lies wholly inside the
same areas, so a run of such cells along a row gets the answer of its first cell's centre, and a
point there takes its cell's answer. Only points in marked cells are tested, which is about a
quarter of them for areas of a few hundred metres.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import msgspec
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

UNASSIGNED = -1
MIXED = -2  # a cell of the fine grid that an outline passes through: its points are tested
MAX_CELLS = 1 << 22  # the grid never gets more cells than this, whatever the areas' sizes
FINE_CELLS_PER_AREA = 16  # cells of the fine grid across an area of the median size
MAX_FINE_CELLS = 1 << 22
FINE_POINTS_PER_AREA = 100  # the fine grid pays off from about this many points per area


def _geometries(geometries: Sequence[shapely.Geometry | bytes | None]) -> NDArray[np.object_]:
    out = np.empty(len(geometries), dtype=object)
    out[:] = [bytes(g) if isinstance(g, (bytearray, memoryview)) else g for g in geometries]
    wkb = np.fromiter((isinstance(g, bytes) for g in out), np.bool_, count=len(out))
    if wkb.any():
        out[wkb] = shapely.from_wkb(out[wkb])  # one call for all of them
    return out


class AreaGrid(msgspec.Struct):
    """Areas on a grid of their bounding boxes: per cell, the areas whose box touches it (in
    ascending id order), as compressed rows (``first[c]`` .. ``first[c + 1]`` in ``areas``)."""

    ids: NDArray[np.int64]
    geometries: NDArray[np.object_]
    x0: float
    y0: float
    cell: float
    columns: int
    rows: int
    first: NDArray[np.int64]
    areas: NDArray[np.int64]
    cover: _Cover | None = None

    @classmethod
    def build(
        cls,
        area_ids: ArrayLike,
        geometries: Sequence[shapely.Geometry | bytes | None],
        *,
        points: int = 0,
        fine_cells: int = FINE_CELLS_PER_AREA,
    ) -> AreaGrid:
        """The grid; with ``points`` (how many are expected) of ``FINE_POINTS_PER_AREA`` per area
        or more, also the fine grid (``fine_cells`` across an area of the median size) that
        answers most points without a test."""
        ids = np.asarray(area_ids, dtype=np.int64).ravel()
        if len(ids) != len(geometries):
            raise ValueError("area_ids and geometries differ in length")
        geoms = _geometries(geometries)
        valid = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms))) if len(geoms) else np.zeros(0, np.int64)
        valid = valid[np.argsort(ids[valid], kind="stable")]
        shapely.prepare(geoms[valid])
        if not len(valid):
            return cls(ids, geoms, 0.0, 0.0, 1.0, 0, 0, np.zeros(1, np.int64), np.zeros(0, np.int64))
        bounds = shapely.bounds(geoms[valid])
        x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
        width, height = bounds[:, 2].max() - x0, bounds[:, 3].max() - y0
        sizes = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        median_size = _median(sizes)
        cell = max(median_size, float(np.sqrt(max(width * height, 1.0) / MAX_CELLS)), 1e-6)
        columns, rows = int(width // cell) + 1, int(height // cell) + 1
        lo_x = ((bounds[:, 0] - x0) // cell).astype(np.int64)
        hi_x = ((bounds[:, 2] - x0) // cell).astype(np.int64)
        lo_y = ((bounds[:, 1] - y0) // cell).astype(np.int64)
        hi_y = ((bounds[:, 3] - y0) // cell).astype(np.int64)
        # Every (cell, area) pair of each box, row by row, without a loop over the areas.
        width_cells = hi_x - lo_x + 1
        per_area = width_cells * (hi_y - lo_y + 1)
        nth = np.arange(int(per_area.sum())) - np.repeat(np.cumsum(per_area) - per_area, per_area)
        span = np.repeat(width_cells, per_area)
        gx = np.repeat(lo_x, per_area) + nth % span
        gy = np.repeat(lo_y, per_area) + nth // span
        cell_of = gy * columns + gx
        area_of = np.repeat(valid, per_area)
        order = np.argsort(cell_of, kind="stable")  # stable: ascending id within a cell
        counts = np.bincount(cell_of, minlength=columns * rows)
        first = np.concatenate([[0], np.cumsum(counts)])
        grid = cls(ids, geoms, float(x0), float(y0), cell, columns, rows, first, area_of[order])
        if points >= FINE_POINTS_PER_AREA * len(valid):
            fine = max(median_size / fine_cells, float(np.sqrt(max(width * height, 1.0) / MAX_FINE_CELLS)), 1e-6)
            grid.cover = _Cover.build(grid, geoms[valid], fine)
        return grid

    def assign(self, xs: ArrayLike, ys: ArrayLike) -> NDArray[np.int64]:
        """The id of the area holding each point (border included), or -1; NaN points are -1."""
        x = np.asarray(xs, dtype=np.float64).ravel()
        y = np.asarray(ys, dtype=np.float64).ravel()
        if len(x) != len(y):
            raise ValueError("xs and ys differ in length")
        if self.cover is None or not len(x):
            return self._tested(x, y)
        result = self.cover.answers(x, y)
        mixed = np.flatnonzero(result == MIXED)
        if len(mixed):
            result[mixed] = self._tested(x[mixed], y[mixed])
        return result

    def _tested(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """Each point tested against the areas of its cell."""
        result = np.full(len(x), UNASSIGNED, dtype=np.int64)
        if not len(x) or not len(self.areas):
            return result
        with np.errstate(invalid="ignore"):
            gx = np.floor((x - self.x0) / self.cell)
            gy = np.floor((y - self.y0) / self.cell)
        on_grid = np.flatnonzero((gx >= 0) & (gx < self.columns) & (gy >= 0) & (gy < self.rows))
        cell = gy[on_grid].astype(np.int64) * self.columns + gx[on_grid].astype(np.int64)
        start, count = self.first[cell], self.first[cell + 1] - self.first[cell]
        total = int(count.sum())
        if not total:
            return result
        point = np.repeat(on_grid, count)
        step = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        area = self.areas[np.repeat(start, count) + step]
        hit = shapely.intersects_xy(self.geometries[area], x[point], y[point])
        # Candidates come point by point, each point's in ascending id order: the first hit wins.
        points_hit, first_hit = np.unique(point[hit], return_index=True)
        result[points_hit] = self.ids[area[hit][first_hit]]
        return result


class _Cover(msgspec.Struct):
    """A fine grid over the areas: per cell (row-major), the area id that holds every point of the
    cell, ``UNASSIGNED`` when no area holds any of them, or ``MIXED`` when an outline passes
    through the cell (cells are half-open: a point on a cell's lower or left edge belongs to it)."""

    x0: float
    y0: float
    cell: float
    columns: int
    rows: int
    answer: NDArray[np.int64]

    @classmethod
    def build(cls, grid: AreaGrid, geometries: NDArray[np.object_], cell: float) -> _Cover:
        columns = int((grid.columns * grid.cell) // cell) + 1
        rows = int((grid.rows * grid.cell) // cell) + 1
        cover = cls(grid.x0, grid.y0, cell, columns, rows, np.empty(0, np.int64))
        marked = np.zeros(rows * columns, dtype=np.bool_)
        for cells in cover._outline_cells(geometries):
            marked[cells] = True
        # Along a row, a run of unmarked cells is one piece of the plane that no outline crosses:
        # every point in it lies in the same areas as the centre of its first cell.
        free = ~marked.reshape(rows, columns)
        starts = free & ~np.concatenate([np.zeros((rows, 1), np.bool_), free[:, :-1]], axis=1)
        start_rows, start_columns = np.nonzero(starts)
        centre_x = cover.x0 + (start_columns + 0.5).astype(np.float64) * cell
        centre_y = cover.y0 + (start_rows + 0.5).astype(np.float64) * cell
        run_answer = grid._tested(centre_x, centre_y)
        flat_free = free.ravel()
        run_of_cell = np.cumsum(starts.ravel()) - 1
        answer = np.full(rows * columns, MIXED, dtype=np.int64)
        answer[flat_free] = run_answer[run_of_cell[flat_free]]
        cover.answer = answer
        return cover

    def _outline_cells(self, geometries: NDArray[np.object_]) -> Iterator[NDArray[np.int64]]:
        """The cells (row-major index) that an outline (exterior or hole) may pass through: along
        each edge, steps of at most half a cell in x and in y, and for each step every cell
        within a hair of the box it spans, so that no rounding leaves a cell out."""
        rings = shapely.get_rings(shapely.get_parts(geometries))
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        u = (coords[:, 0] - self.x0) / self.cell  # in cells
        v = (coords[:, 1] - self.y0) / self.cell
        same = ring[1:] == ring[:-1]
        u0, v0 = u[:-1][same], v[:-1][same]
        du, dv = u[1:][same] - u0, v[1:][same] - v0
        steps = np.maximum(np.ceil(2 * np.maximum(np.abs(du), np.abs(dv))), 1).astype(np.int64)
        edge = np.repeat(np.arange(len(steps)), steps)
        nth = np.arange(int(steps.sum())) - np.repeat(np.cumsum(steps) - steps, steps)
        at, to = nth / steps[edge], (nth + 1) / steps[edge]
        hair = 1e-9 * max(self.columns, self.rows)
        bounds = []
        for start, delta, most in ((u0, du, self.columns - 1), (v0, dv, self.rows - 1)):
            a, b = start[edge] + at * delta[edge], start[edge] + to * delta[edge]
            low = np.maximum(np.floor(np.minimum(a, b) - hair), 0).astype(np.int64)
            high = np.minimum(np.floor(np.maximum(a, b) + hair), most).astype(np.int64)
            bounds.append((low, high))
        (low_x, high_x), (low_y, high_y) = bounds
        for dy in range(3):  # a step spans at most three cells per axis (two, and a hair)
            row = np.minimum(low_y + dy, high_y) * self.columns
            for dx in range(3):
                yield row + np.minimum(low_x + dx, high_x)

    def answers(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """Each point's answer from its cell (``MIXED``: to be tested); off the grid or NaN: ``UNASSIGNED``."""
        result = np.full(len(x), UNASSIGNED, dtype=np.int64)
        with np.errstate(invalid="ignore"):
            gx = np.floor((x - self.x0) / self.cell)
            gy = np.floor((y - self.y0) / self.cell)
        on_grid = np.flatnonzero((gx >= 0) & (gx < self.columns) & (gy >= 0) & (gy < self.rows))
        result[on_grid] = self.answer[gy[on_grid].astype(np.int64) * self.columns + gx[on_grid].astype(np.int64)]
        return result


def assign_points(
    xs: ArrayLike,
    ys: ArrayLike,
    area_ids: ArrayLike,
    geometries: Sequence[shapely.Geometry | bytes | None],
) -> NDArray[np.int64]:
    """The id of the area holding each SWEREF 99 TM point (border included), or -1.

    ``geometries[k]`` (shapely or WKB, SWEREF 99 TM) belongs to ``area_ids[k]``. NaN points (no
    location) and ``None``/empty geometries are -1 / skipped. A point on a shared border, or in
    an overlap, gets the lowest id. For many calls with the same areas, build an
    :class:`AreaGrid` once.
    """
    return AreaGrid.build(area_ids, geometries).assign(xs, ys)


def points_in_area(xs: ArrayLike, ys: ArrayLike, geometry: shapely.Geometry) -> NDArray[np.bool_]:
    """Per SWEREF 99 TM point: does it lie in ``geometry`` (border included)? NaN is False.

    For "households already stored inside a new polygon": fetch the candidates by bounding box,
    then keep these.
    """
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    out = np.zeros(x.shape, dtype=np.bool_)
    if ok.any():
        shapely.prepare(geometry)
        out[ok] = shapely.intersects_xy(geometry, x[ok], y[ok])
    return out


def _median(values: NDArray[np.float64]) -> float:
    """The median of a non-empty array. Not ``np.median``: its first call imports ``numpy.ma``
    (about 70 ms), which every command that builds a grid would pay at start-up."""
    ordered = np.sort(values)
    n = len(ordered)
    return float((ordered[(n - 1) // 2] + ordered[n // 2]) / 2)
