"""Point-in-polygon assignment of households and burglaries to areas, vectorised.

The areas' bounding boxes are laid on a uniform grid once (about one area per cell); each point
looks up the areas of its cell, and ``shapely.intersects_xy`` tests all (point, area) candidate
pairs in one call on prepared polygons. No Point objects are made and nothing loops over areas in
Python, so a million points and two thousand areas take a fraction of a second. A point keeps the
lowest area id that holds it, so a point on a border shared by two areas goes to the lower id.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

UNASSIGNED = -1
MAX_CELLS = 1 << 22  # the grid never gets more cells than this, whatever the areas' sizes


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

    @classmethod
    def build(cls, area_ids: ArrayLike, geometries: Sequence[shapely.Geometry | bytes | None]) -> AreaGrid:
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
        cell = max(float(np.median(sizes)), float(np.sqrt(max(width * height, 1.0) / MAX_CELLS)), 1e-6)
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
        return cls(ids, geoms, float(x0), float(y0), cell, columns, rows, first, area_of[order])

    def assign(self, xs: ArrayLike, ys: ArrayLike) -> NDArray[np.int64]:
        """The id of the area holding each point (border included), or -1; NaN points are -1."""
        x = np.asarray(xs, dtype=np.float64).ravel()
        y = np.asarray(ys, dtype=np.float64).ravel()
        if len(x) != len(y):
            raise ValueError("xs and ys differ in length")
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
