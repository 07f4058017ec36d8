"""A sensor's polar plot (range, azimuth, elevation) as a local ENU position with its
covariance: how the plots of files, and of ASTERIX reports that carry no position, are
given to the tracker."""

from __future__ import annotations

import numpy as np


def polar_to_cartesian(
    range_m: np.ndarray,
    azimuth_rad: np.ndarray,
    elevation_rad: np.ndarray,
    sigma_range_m: np.ndarray,
    sigma_azimuth_rad: np.ndarray,
    sigma_elevation_rad: np.ndarray,
    sensor_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Polar plots to positions ``(n, 3)`` (m) and covariances ``(n, 3, 3)`` (m^2), local ENU.

    Azimuth is clockwise from north and elevation up from the horizontal, both in
    rad, in axes parallel to the local ENU frame, about the sensor at ``sensor_m``
    ``(n, 3)`` (m). The covariance is the first-order (linearised) transform of the
    diagonal polar covariance.
    """
    r = np.asarray(range_m, float)
    az = np.asarray(azimuth_rad, float)
    el = np.asarray(elevation_rad, float)
    sin_az, cos_az = np.sin(az), np.cos(az)
    sin_el, cos_el = np.sin(el), np.cos(el)
    position = np.asarray(sensor_m, float) + np.column_stack(
        (r * cos_el * sin_az, r * cos_el * cos_az, r * sin_el)
    )
    jacobian = np.empty((len(r), 3, 3))
    jacobian[:, 0] = np.column_stack((cos_el * sin_az, r * cos_el * cos_az, -r * sin_el * sin_az))
    jacobian[:, 1] = np.column_stack((cos_el * cos_az, -r * cos_el * sin_az, -r * sin_el * cos_az))
    jacobian[:, 2] = np.column_stack((sin_el, np.zeros_like(r), r * cos_el))
    sigma2 = (
        np.column_stack(
            (
                np.asarray(sigma_range_m, float),
                np.asarray(sigma_azimuth_rad, float),
                np.asarray(sigma_elevation_rad, float),
            )
        )
        ** 2
    )
    cov = np.einsum("nik,nk,njk->nij", jacobian, sigma2, jacobian)
    return position, cov
