"""Compiled kernels (Numba) for the radars' per-plot 3 x 3 arithmetic.

A window's looks and plots belong to a dozen radars, each with its own rotation. Done
with NumPy, every radar's rows took their own matrix products, and those calls, not the
arithmetic, took the time. Here each row is turned by its own radar's matrices in one
loop. Every row is computed alone, in a fixed order, so a radar's plots do not depend on
the radars it observes with (BLAS rounds a product differently for different numbers of
rows; these loops do not).
"""

from __future__ import annotations

import numpy as np

from flankwatch.compiled import kernel


@kernel(cache=True)
def turn_rows(vectors: np.ndarray, turns: np.ndarray, radar: np.ndarray) -> np.ndarray:
    """Each of ``vectors`` ``(n, 3)`` turned by its radar's matrix: ``turns[radar[i]] @
    vectors[i]``, with ``turns`` ``(k, 3, 3)``; ``(n, 3)``."""
    out = np.empty((len(vectors), 3))
    for i in range(len(vectors)):
        turn = turns[radar[i]]
        for r in range(3):
            out[i, r] = (
                turn[r, 0] * vectors[i, 0] + turn[r, 1] * vectors[i, 1] + turn[r, 2] * vectors[i, 2]
            )
    return out


@kernel(cache=True)
def plots_in_frame(
    radar: np.ndarray,
    range_m: np.ndarray,
    unit: np.ndarray,
    jacobian: np.ndarray,
    sensor_ecef_m: np.ndarray,
    origin_ecef_m: np.ndarray,
    rotation: np.ndarray,
    to_frame: np.ndarray,
    sigma2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Radar plots turned into the run's ENU frame.

    Plot ``i`` was made by radar ``radar[i]`` at ECEF ``sensor_ecef_m[i]`` (m), at
    ``range_m[i]`` (m) along the unit vector ``unit[i]`` of its own ENU axes, with the
    polar-to-Cartesian Jacobian ``jacobian[i]`` (3 x 3, columns range, azimuth,
    elevation). Radar ``j`` has the frame origin ``origin_ecef_m[j]`` (m) and
    ECEF-to-ENU ``rotation[j]`` of the run, the rotation ``to_frame[j]`` from its own
    axes to the run's, and the variances ``sigma2[j]`` (m^2, rad^2, rad^2).

    Returns, each in the run's frame: the plots' positions ``(n, 3)`` (m), their
    first-order covariances ``(n, 3, 3)`` (m^2), the unit vectors of their azimuths
    ``(n, 3)`` and the radars' positions ``(n, 3)`` (m).
    """
    n = len(radar)
    position = np.empty((n, 3))
    cov = np.empty((n, 3, 3))
    direction = np.empty((n, 3))
    sensor_local = np.empty((n, 3))
    offset = np.empty(3)
    turned = np.empty((3, 3))
    for i in range(n):
        j = radar[i]
        turn, rot, s2 = to_frame[j], rotation[j], sigma2[j]
        for c in range(3):
            offset[c] = sensor_ecef_m[i, c] - origin_ecef_m[j, c]
        for r in range(3):
            sensor_local[i, r] = (
                rot[r, 0] * offset[0] + rot[r, 1] * offset[1] + rot[r, 2] * offset[2]
            )
            along = turn[r, 0] * unit[i, 0] + turn[r, 1] * unit[i, 1] + turn[r, 2] * unit[i, 2]
            direction[i, r] = along
            position[i, r] = sensor_local[i, r] + range_m[i] * along
            for c in range(3):
                turned[r, c] = (
                    turn[r, 0] * jacobian[i, 0, c]
                    + turn[r, 1] * jacobian[i, 1, c]
                    + turn[r, 2] * jacobian[i, 2, c]
                )
        for r in range(3):
            for c in range(r, 3):
                value = (
                    turned[r, 0] * s2[0] * turned[c, 0]
                    + turned[r, 1] * s2[1] * turned[c, 1]
                    + turned[r, 2] * s2[2] * turned[c, 2]
                )
                cov[i, r, c] = value
                cov[i, c, r] = value
    return position, cov, direction, sensor_local
