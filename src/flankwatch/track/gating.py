"""Gating: chi-square gate sizes and candidate pairs found through a grid of cells."""

from __future__ import annotations

import math

import numpy as np

from flankwatch.compiled import kernel
from flankwatch.track.chi_square import quantile

CELLS_PER_POINT = 4
"""The grid of :func:`candidate_pairs` holds at most about this many cells per point."""
ALL_PAIRS_UP_TO = 4096
"""Up to this many centre-point pairs, :func:`candidate_pairs` measures every one (setting
up a grid costs more on a few points)."""


def gate_threshold(probability: float, dof: int) -> float:
    """Squared Mahalanobis distance inside which a true plot falls with ``probability``
    in ``dof`` dimensions: the chi-square quantile (:mod:`flankwatch.track.chi_square`)."""
    return quantile(probability, dof)


def candidate_pairs(
    centres: np.ndarray, radii: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, point) index pairs no farther apart than the centre's radius
    (Euclidean), ordered by centre and then by point.

    ``centres`` ``(n, d)`` with ``radii`` ``(n,)`` and ``points`` ``(m, d)``, in the same
    units, ``d >= 2``. The points are sorted into a grid of square cells over the two
    coordinates along which they spread most, the cell's side the median radius, widened
    so that the grid holds about ``CELLS_PER_POINT`` cells a point at most; each centre
    looks only into the cells its ball overlaps (up to ``ALL_PAIRS_UP_TO`` centre-point pairs,
    every pair is measured instead). So the cost grows with ``n + m`` and the
    number of pairs, not ``n m``, while one very uncertain track costs at most one look at
    each cell and each point. Points with a coordinate that is not finite are never
    paired; nor are centres whose radius is negative or NaN.
    """
    dims = (np.shape(centres)[-1], np.shape(points)[-1])
    if dims[0] != dims[1] or dims[0] < 2:
        raise ValueError(f"centres and points need the same 2 or more coordinates, not {dims}")
    empty = np.empty(0, np.intp)
    if len(centres) == 0 or len(points) == 0:
        return empty, empty
    centres = np.ascontiguousarray(centres, float)
    radii = np.asarray(radii, float)
    if radii.shape != (len(centres),):
        radii = np.broadcast_to(radii, (len(centres),))
    radii = np.ascontiguousarray(radii)
    if len(centres) * len(points) <= ALL_PAIRS_UP_TO:
        return _all_pairs(centres, radii, np.ascontiguousarray(points, float))
    return _grid_search(centres, radii, np.ascontiguousarray(points, float))


@kernel(cache=True)
def _grid_search(
    centres: np.ndarray, radii: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of :func:`candidate_pairs` through a grid (:func:`_grid_pairs`) laid over
    the finite ``points``: over the two coordinates along which they spread most (of
    equal spreads, the later coordinate), the cell's side the median of the positive
    finite ``radii`` (1 without any), widened to about ``CELLS_PER_POINT`` cells a point
    at most."""
    m, d = points.shape
    keep = np.empty(m, np.intp)
    n_finite = 0
    for k in range(m):
        finite = True
        for axis in range(d):
            if not np.isfinite(points[k, axis]):
                finite = False
        if finite:
            keep[n_finite] = k
            n_finite += 1
    if n_finite == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    finite_rows = keep[:n_finite].copy()
    kept = np.empty((n_finite, d))
    for k in range(n_finite):
        kept[k] = points[finite_rows[k]]
    low_all, high_all = kept[0].copy(), kept[0].copy()
    for k in range(1, n_finite):
        for axis in range(d):
            low_all[axis] = min(low_all[axis], kept[k, axis])
            high_all[axis] = max(high_all[axis], kept[k, axis])
    axes = np.sort(np.argsort(high_all - low_all, kind="mergesort")[-2:])
    low = np.array([low_all[axes[0]], low_all[axes[1]]])
    high = np.array([high_all[axes[0]], high_all[axes[1]]])
    usable = radii[np.isfinite(radii) & (radii > 0.0)]
    side = float(np.median(usable)) if len(usable) else 1.0
    width, height = high[0] - low[0], high[1] - low[1]
    most = CELLS_PER_POINT * n_finite
    side = max(side, math.sqrt(width * height / most), max(width, height) / most, 1e-9)
    centre, point = _grid_pairs(centres, radii, kept, axes, low, high, side)
    return centre, finite_rows[point]


@kernel(cache=True)
def _all_pairs(
    centres: np.ndarray, radii: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of :func:`candidate_pairs`, every centre measured to every point."""
    n, d = centres.shape
    m = points.shape[0]
    finite = np.ones(m, np.bool_)
    for k in range(m):
        for axis in range(d):
            if not np.isfinite(points[k, axis]):
                finite[k] = False
    out_centre = np.empty(n * m, np.intp)
    out_point = np.empty(n * m, np.intp)
    count = 0
    for i in range(n):
        if not radii[i] >= 0.0:
            continue
        r2 = radii[i] * radii[i]
        for k in range(m):
            if finite[k] and _distance2(centres, i, points, k, d) <= r2:
                out_centre[count], out_point[count] = i, k
                count += 1
    return out_centre[:count].copy(), out_point[:count].copy()


@kernel(cache=True)
def _grid_pairs(
    centres: np.ndarray,
    radii: np.ndarray,
    points: np.ndarray,
    axes: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    side: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of :func:`candidate_pairs` (finite ``points``), through a grid of cells of
    ``side`` over the points' coordinates ``axes`` (two; ``low`` to ``high``)."""
    a, b = axes[0], axes[1]
    n, d = centres.shape
    m = points.shape[0]
    nx = int((high[0] - low[0]) / side) + 1
    ny = int((high[1] - low[1]) / side) + 1
    cell = np.empty(m, np.int64)
    for k in range(m):
        ix = min(int((points[k, a] - low[0]) / side), nx - 1)
        iy = min(int((points[k, b] - low[1]) / side), ny - 1)
        cell[k] = ix * ny + iy
    first = np.zeros(nx * ny + 1, np.int64)  # where each cell's points start in by_cell
    for k in range(m):
        first[cell[k] + 1] += 1
    for c in range(nx * ny):
        first[c + 1] += first[c]
    by_cell = np.empty(m, np.int64)  # the points cell by cell, in order within each
    filled = first[:-1].copy()
    for k in range(m):
        by_cell[filled[cell[k]]] = k
        filled[cell[k]] += 1
    out_centre = np.empty(4 * (n + m) + 64, np.intp)
    out_point = np.empty(len(out_centre), np.intp)
    count = 0
    for i in range(n):
        r = radii[i]
        if not r >= 0.0:
            continue
        r2 = r * r
        x0 = _cell_index((centres[i, a] - r - low[0]) / side, nx)
        x1 = _cell_index((centres[i, a] + r - low[0]) / side, nx)
        y0 = _cell_index((centres[i, b] - r - low[1]) / side, ny)
        y1 = _cell_index((centres[i, b] + r - low[1]) / side, ny)
        if x1 < 0 or y1 < 0 or x0 >= nx or y0 >= ny:
            continue
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, nx - 1), min(y1, ny - 1)
        if 4 * (x1 - x0 + 1) * (y1 - y0 + 1) > nx * ny:
            # a ball over most of the grid: every point, in order
            for k in range(m):
                if _distance2(centres, i, points, k, d) <= r2:
                    out_centre, out_point, count = _append(out_centre, out_point, count, i, k)
            continue
        start = count
        for ix in range(x0, x1 + 1):
            for iy in range(y0, y1 + 1):
                c = ix * ny + iy
                for slot in range(first[c], first[c + 1]):
                    k = by_cell[slot]
                    if _distance2(centres, i, points, k, d) <= r2:
                        out_centre, out_point, count = _append(out_centre, out_point, count, i, k)
        if count - start > 1:
            out_point[start:count].sort()
    return out_centre[:count].copy(), out_point[:count].copy()


@kernel(cache=True)
def squared_gaps(
    centres: np.ndarray, points: np.ndarray, centre: np.ndarray, point: np.ndarray
) -> np.ndarray:
    """The squared distance (m^2) of each pair of centre ``centre[k]`` and point
    ``point[k]`` (rows of ``centres`` and ``points``, the same coordinates, m)."""
    out = np.empty(len(centre))
    for k in range(len(centre)):
        out[k] = _distance2(centres, centre[k], points, point[k], centres.shape[1])
    return out


@kernel(cache=True, inline="always")
def _cell_index(position: float, n_cells: int) -> int:
    """The cell holding a position (in cells from the grid's start), clipped to one cell
    beyond either end of a grid of ``n_cells`` so that it fits an integer."""
    return int(math.floor(min(max(position, -1.0), float(n_cells))))


@kernel(cache=True, inline="always")
def _distance2(centres: np.ndarray, i: int, points: np.ndarray, k: int, d: int) -> float:
    """Squared distance between centre ``i`` and point ``k``."""
    total = 0.0
    for axis in range(d):
        gap = centres[i, axis] - points[k, axis]
        total += gap * gap
    return total


@kernel(cache=True, inline="always")
def _append(
    out_centre: np.ndarray, out_point: np.ndarray, count: int, centre: int, point: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """The pair columns with the pair ``(centre, point)`` written at ``count`` (into twice
    the room when they are full), and the new count."""
    if count == len(out_centre):
        wider = 2 * count
        grown_centre, grown_point = np.empty(wider, np.intp), np.empty(wider, np.intp)
        grown_centre[:count], grown_point[:count] = out_centre, out_point
        out_centre, out_point = grown_centre, grown_point
    out_centre[count], out_point[count] = centre, point
    return out_centre, out_point, count + 1
