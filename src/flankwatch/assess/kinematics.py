"""What the assessment needs of a track's motion, derived once per step.

Tracks come in the run's local ENU frame, a plane tangent to the earth at the
frame's origin. Far from the origin "up" is no longer the frame's z axis: at
300 km the ground lies about 7 km below the plane. The earth is taken here as a
sphere of the ellipsoid's Gaussian radius at the origin (good to tens of metres
within a few hundred kilometres), which gives each track its

* ground point: the point below it, in the frame's x, y (m); national borders
  and defended assets are projected into the same x, y (see :mod:`.area`);
* height above the ground sphere (m), climb rate (m/s, along the local vertical)
  and speeds (m/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.assess.kernels import GROUND_ROWS, ground_motion
from flankwatch.geo.frames import LocalFrame
from flankwatch.track.output import TrackBatch

WGS84_A_M = 6_378_137.0
"""WGS-84 semi-major axis, m."""
WGS84_E2 = 6.694_379_990_14e-3
"""WGS-84 first eccentricity squared."""


def earth_radius_m(frame: LocalFrame) -> float:
    """Gaussian mean radius of curvature of the ellipsoid at the frame's origin, m."""
    s2 = np.sin(np.radians(frame.lat_deg)) ** 2
    meridian = WGS84_A_M * (1 - WGS84_E2) / (1 - WGS84_E2 * s2) ** 1.5
    normal = WGS84_A_M / np.sqrt(1 - WGS84_E2 * s2)
    return float(np.sqrt(meridian * normal))


@dataclass(frozen=True, slots=True)
class Kinematics:
    """Derived motion of a batch of tracks, one entry per row; units in the names."""

    ground_x_m: np.ndarray
    ground_y_m: np.ndarray
    ground_vx_mps: np.ndarray
    ground_vy_mps: np.ndarray
    alt_m: np.ndarray
    climb_mps: np.ndarray
    speed_mps: np.ndarray
    """Speed in three dimensions."""
    ground_speed_mps: np.ndarray
    speed_var_m2ps2: np.ndarray
    """Variance of the speed, from the velocity variances."""
    heading_rad: np.ndarray
    """Direction of travel over ground, clockwise from the frame's north."""

    @classmethod
    def of(cls, tracks: TrackBatch, radius_m: float, origin_alt_m: float = 0.0) -> Kinematics:
        """The kinematics of ``tracks`` over a sphere of ``radius_m`` (frame origin at
        ``origin_alt_m`` above it)."""
        rows = ground_motion(
            (tracks.x_m, tracks.y_m, tracks.z_m),
            (tracks.vx_mps, tracks.vy_mps, tracks.vz_mps),
            (tracks.var_vx_m2ps2, tracks.var_vy_m2ps2, tracks.var_vz_m2ps2),
            float(radius_m),
            float(origin_alt_m),
        )
        return cls(
            **dict(zip(GROUND_ROWS, rows, strict=True)),
            heading_rad=np.arctan2(tracks.vx_mps, tracks.vy_mps),
        )
