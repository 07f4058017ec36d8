"""Radar horizon over a smooth earth with standard refraction (the 4/3-earth model).

A radar at height h_r sees a target at height h_t only within
d = sqrt(2 k R h_r) + sqrt(2 k R h_t), with R the earth's mean radius and
k = 4/3 for standard atmospheric refraction; this is the familiar
d_km = 4.12 (sqrt(h_r_m) + sqrt(h_t_m)). Terrain is not modelled.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

EARTH_MEAN_RADIUS_M = 6_371_008.8
"""IUGG mean earth radius, m."""

EFFECTIVE_EARTH_FACTOR = 4.0 / 3.0
"""k of the 4/3-earth model of standard refraction."""


def horizon_range_m(sensor_height_m: ArrayLike, target_height_m: ArrayLike) -> np.ndarray:
    """The greatest distance (m) at which a sensor and a target see each other.

    Heights are above the ground (m); negative heights count as zero.
    """
    k_r = 2.0 * EFFECTIVE_EARTH_FACTOR * EARTH_MEAN_RADIUS_M
    h_s = np.maximum(np.asarray(sensor_height_m, float), 0.0)
    h_t = np.maximum(np.asarray(target_height_m, float), 0.0)
    return np.sqrt(k_r * h_s) + np.sqrt(k_r * h_t)


def above_horizon(
    distance_m: ArrayLike, sensor_height_m: ArrayLike, target_height_m: ArrayLike
) -> np.ndarray:
    """True where a target at ``distance_m`` is within the sensor's radar horizon."""
    return np.asarray(distance_m, float) <= horizon_range_m(sensor_height_m, target_height_m)
