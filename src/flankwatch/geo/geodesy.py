"""Geodesics on the WGS-84 ellipsoid: distance, azimuth and forward steps (pyproj.Geod).

Angles at the interface are in degrees where they are geographic coordinates
(latitude, longitude) and in radians for azimuths, measured clockwise from
true north. Distances are in metres. All functions take arrays.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

WGS84 = Geod(ellps="WGS84")


def float_arrays(*values: ArrayLike) -> tuple[np.ndarray, ...]:
    """``values`` as float arrays broadcast to one shape; those already of one shape are
    returned as they are, without the cost of broadcasting (called every simulation step)."""
    arrays = tuple(np.asarray(value, float) for value in values)
    shape = arrays[0].shape
    if all(array.shape == shape for array in arrays[1:]):
        return arrays
    return tuple(np.broadcast_arrays(*arrays))


def distance_azimuth(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (m) and initial azimuth (rad, from north) from point 1 to point 2."""
    lat1, lon1, lat2, lon2 = float_arrays(lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    az_deg, _, dist_m = WGS84.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist_m), np.radians(np.asarray(az_deg))


def forward(
    lat_deg: ArrayLike, lon_deg: ArrayLike, azimuth_rad: ArrayLike, distance_m: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The point ``distance_m`` along the geodesic leaving at ``azimuth_rad``.

    Returns latitude and longitude (degrees) and the azimuth of travel there (rad).
    """
    lat, lon, az, dist = float_arrays(lat_deg, lon_deg, azimuth_rad, distance_m)
    lon2, lat2, back_az_deg = WGS84.fwd(lon, lat, np.degrees(az), dist)
    travel_az = np.radians(np.asarray(back_az_deg)) + np.pi
    return np.asarray(lat2), np.asarray(lon2), wrap_angle(travel_az)


def wrap_angle(angle_rad: ArrayLike) -> np.ndarray:
    """Angles wrapped into [-pi, pi)."""
    return (np.asarray(angle_rad, float) + np.pi) % (2 * np.pi) - np.pi
