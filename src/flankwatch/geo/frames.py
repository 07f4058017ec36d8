"""Coordinate frames: WGS-84 geodetic, Earth-centred Earth-fixed (ECEF) and local ENU.

Geodetic coordinates are latitude and longitude in degrees (only at the edges
of the system) and height above the WGS-84 ellipsoid in metres. ECEF and ENU
coordinates are in metres. Every function works on arrays of any shape
(broadcast together) as well as on scalars.

The geodetic <-> ECEF conversions use PROJ (through pyproj); ECEF <-> ENU is
a rotation and a shift about the frame's origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

from flankwatch.geo.geodesy import float_arrays

_TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
_FROM_ECEF = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


def geodetic_to_ecef(
    lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS-84 latitude, longitude (degrees) and ellipsoidal height (m) to ECEF x, y, z (m)."""
    lat, lon, alt = float_arrays(lat_deg, lon_deg, alt_m)
    x, y, z = _TO_ECEF.transform(lon, lat, alt)
    return np.asarray(x), np.asarray(y), np.asarray(z)


def geodetic_to_ecef_points(lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike) -> np.ndarray:
    """:func:`geodetic_to_ecef` as points: ECEF x, y, z (m) along a last axis of 3."""
    x, y, z = geodetic_to_ecef(lat_deg, lon_deg, alt_m)
    points = np.empty((*x.shape, 3))
    points[..., 0], points[..., 1], points[..., 2] = x, y, z
    return points


def ecef_to_geodetic(
    x_m: ArrayLike, y_m: ArrayLike, z_m: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF x, y, z (m) to WGS-84 latitude, longitude (degrees) and ellipsoidal height (m)."""
    x, y, z = float_arrays(x_m, y_m, z_m)
    lon, lat, alt = _FROM_ECEF.transform(x, y, z)
    return np.asarray(lat), np.asarray(lon), np.asarray(alt)


def enu_rotation(lat_deg: float, lon_deg: float) -> np.ndarray:
    """The 3x3 matrix that turns an ECEF vector into east, north, up at a point."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    sin_lon, cos_lon = np.sin(lon), np.cos(lon)
    return np.array(
        [
            [-sin_lon, cos_lon, 0.0],
            [-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat],
            [cos_lat * cos_lon, cos_lat * sin_lon, sin_lat],
        ]
    )


@dataclass(frozen=True)
class LocalFrame:
    """A local east-north-up frame tangent to the WGS-84 ellipsoid at an origin.

    The whole of a run (sensors, tracks, truth) is expressed in one such frame.
    """

    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0
    rotation: np.ndarray = field(init=False, repr=False, compare=False)
    origin_ecef_m: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rotation", enu_rotation(self.lat_deg, self.lon_deg))
        origin = np.array(geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_m), float)
        object.__setattr__(self, "origin_ecef_m", origin)

    def ecef_to_enu(self, ecef_m: np.ndarray) -> np.ndarray:
        """ECEF points, shape ``(..., 3)`` in m, to ENU points in this frame, same shape."""
        return (np.asarray(ecef_m, float) - self.origin_ecef_m) @ self.rotation.T

    def enu_to_ecef(self, enu_m: np.ndarray) -> np.ndarray:
        """ENU points of this frame, shape ``(..., 3)`` in m, to ECEF points, same shape."""
        return np.asarray(enu_m, float) @ self.rotation + self.origin_ecef_m

    def geodetic_to_enu(
        self, lat_deg: ArrayLike, lon_deg: ArrayLike, alt_m: ArrayLike
    ) -> np.ndarray:
        """Latitude, longitude (degrees), height (m) to ENU points ``(..., 3)`` in m."""
        return self.ecef_to_enu(geodetic_to_ecef_points(lat_deg, lon_deg, alt_m))

    def enu_to_geodetic(self, enu_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ENU points ``(..., 3)`` in m to latitude, longitude (degrees) and height (m)."""
        ecef = self.enu_to_ecef(enu_m)
        return ecef_to_geodetic(ecef[..., 0], ecef[..., 1], ecef[..., 2])

    def rotation_from(self, other: LocalFrame) -> np.ndarray:
        """The 3x3 matrix that turns a vector of ``other``'s ENU axes into this frame's."""
        return self.rotation @ other.rotation.T
