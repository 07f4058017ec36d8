"""Areas and lines on the ground (national airspace, origin countries, borders) in a
run's local frame.

A geometry given in longitude/latitude degrees is projected once, vertex by
vertex, into the frame's tangent-plane x, y (m): the same ground coordinates as
:class:`~flankwatch.assess.kinematics.Kinematics` gives tracks. It is first
clipped to :data:`CLIP_DEG` around the frame's origin (a tangent plane is no
use half a world away, and a country such as Russia would otherwise fold over
itself) and densified so that long straight edges follow the earth's curve.

:class:`ProjectedArea` answers, for whole arrays of points, whether they lie
inside, and where a set of straight paths first meets its boundary.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from flankwatch.assess.kernels import first_meetings
from flankwatch.geo.frames import LocalFrame

CLIP_DEG = (20.0, 12.0)
"""Half-width in longitude and latitude (degrees) of the box kept around the origin."""
DENSIFY_DEG = 0.1
"""Longest edge (degrees) left after densifying, before projection."""


def clip_fault(geometry: BaseGeometry, lat_deg: float, lon_deg: float) -> str | None:
    """Why the lon/lat area ``geometry`` cannot be watched from a frame whose origin is at
    ``lat_deg``, ``lon_deg``: none of it lies in the box kept around the origin
    (:data:`CLIP_DEG`), or a part of it crosses the box's edge (and would be cut); None if
    every part near the origin lies wholly inside."""
    half_lon, half_lat = CLIP_DEG
    box = shapely.box(
        lon_deg - half_lon, lat_deg - half_lat, lon_deg + half_lon, lat_deg + half_lat
    )
    near = [part for part in shapely.get_parts(geometry) if part.intersects(box)]
    where = (
        f"within {half_lon:g} degrees of longitude and {half_lat:g} of latitude of the frame's "
        f"origin ({lat_deg:g}, {lon_deg:g})"
    )
    if not near:
        return f"has no part {where}"
    if not all(box.contains(part) for part in near):
        return f"does not lie wholly {where}: put the origin nearer the airspace"
    return None


def project(frame: LocalFrame, geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat geometry clipped around ``frame``'s origin and projected to its ground x, y (m)."""
    half_lon, half_lat = CLIP_DEG
    clipped = shapely.clip_by_rect(
        geometry,
        frame.lon_deg - half_lon,
        frame.lat_deg - half_lat,
        frame.lon_deg + half_lon,
        frame.lat_deg + half_lat,
    )
    dense = shapely.segmentize(clipped, DENSIFY_DEG)
    return shapely.transform(dense, lambda lonlat: project_points(frame, lonlat))


def project_points(frame: LocalFrame, lonlat: np.ndarray) -> np.ndarray:
    """Points ``(n, 2)`` of longitude, latitude (degrees) on the ellipsoid to ground x, y (m)."""
    lonlat = np.asarray(lonlat, float)
    return frame.geodetic_to_enu(lonlat[:, 1], lonlat[:, 0], 0.0)[:, :2]


def unproject(
    frame: LocalFrame, radius_m: float, x_m: ArrayLike, y_m: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Ground x, y (m) back to latitude and longitude (degrees), over a sphere of ``radius_m``."""
    x, y = np.broadcast_arrays(np.asarray(x_m, float), np.asarray(y_m, float))
    z = np.sqrt(np.maximum(radius_m**2 - x * x - y * y, 0.0)) - radius_m - frame.alt_m
    lat, lon, _ = frame.enu_to_geodetic(np.stack((x, y, z), axis=-1))
    return lat, lon


class ProjectedArea:
    """A (multi)polygon in a frame's ground x, y (m), with its boundary as straight edges."""

    def __init__(self, polygon: BaseGeometry, name: str = "") -> None:
        if polygon.is_empty or polygon.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"area {name!r} is not a polygon near the frame's origin")
        self.polygon = polygon
        self.name = name
        shapely.prepare(self.polygon)

    @classmethod
    def from_lonlat(
        cls, geometry: BaseGeometry, frame: LocalFrame, name: str = ""
    ) -> ProjectedArea:
        """The area of a lon/lat (multi)polygon, projected into ``frame``."""
        projected = shapely.make_valid(project(frame, geometry))
        polygons = [g for g in getattr(projected, "geoms", [projected]) if g.area > 0]
        if not polygons:
            raise ValueError(f"area {name!r} has no part near the frame's origin")
        return cls(shapely.multipolygons(polygons) if len(polygons) > 1 else polygons[0], name)

    def contains(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """True where the points lie inside (points on the boundary count as outside)."""
        return np.asarray(shapely.contains_xy(self.polygon, x_m, y_m), bool)

    @cached_property
    def edges_m(self) -> np.ndarray:
        """Every boundary edge, ``(m, 2, 2)``: start and end x, y (m)."""
        rings = shapely.get_rings(shapely.get_parts(self.polygon))
        edges = []
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            edges.append(np.stack((xy[:-1], xy[1:]), axis=1))
        return np.concatenate(edges)

    @cached_property
    def _edge_tree(self) -> shapely.STRtree:
        return shapely.STRtree(shapely.linestrings(self.edges_m))

    def first_hit(
        self, x_m: np.ndarray, y_m: np.ndarray, dx_m: np.ndarray, dy_m: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Where each path from ``(x, y)`` to ``(x + dx, y + dy)`` first meets the boundary.

        Returns the fraction of the path (0 to 1; NaN if it never meets the
        boundary) and the index of the edge met into :attr:`edges_m` (-1 if none).
        """
        n = len(x_m)
        frac = np.full(n, np.nan)
        edge = np.full(n, -1, np.int64)
        moving = np.flatnonzero((dx_m != 0) | (dy_m != 0))
        if not len(moving):
            return frac, edge
        start = np.empty((len(moving), 2))
        start[:, 0], start[:, 1] = x_m[moving], y_m[moving]
        step = np.empty((len(moving), 2))
        step[:, 0], step[:, 1] = dx_m[moving], dy_m[moving]
        paths = shapely.linestrings(np.stack((start, start + step), axis=1))
        path_i, edge_i = self._edge_tree.query(paths)
        frac[moving], edge[moving] = first_meetings(path_i, edge_i, start, step, self.edges_m)
        return frac, edge

    def edge_normals(self, edge: np.ndarray) -> np.ndarray:
        """Unit normals ``(k, 2)`` of the edges at ``edge`` (direction arbitrary)."""
        return self._edge_normals[edge]

    @cached_property
    def _edge_normals(self) -> np.ndarray:
        """The unit normal of every edge of :attr:`edges_m`, ``(m, 2)``."""
        along = self.edges_m[:, 1] - self.edges_m[:, 0]
        length = np.hypot(along[:, 0], along[:, 1])
        return (
            np.column_stack((-along[:, 1], along[:, 0])) / np.where(length > 0, length, 1)[:, None]
        )
