"""Measurement models: Cartesian position (radar, ADS-B) and bearing (acoustic nodes).

Also the conversion of a radar's polar plot (range, azimuth, elevation) to a
Cartesian position with its covariance, for plots that come without one.
"""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.base import Innovation, Prediction
from flankwatch.track.position_kernels import position_innovation


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


class PositionMeasurement:
    """A measured Cartesian position with its covariance (radar after conversion, ADS-B)."""

    dof = 3

    def innovation(
        self, prediction: Prediction, plots: PlotBatch, index: np.ndarray | None = None
    ) -> Innovation:
        """Position residuals ``(p, M, 3)`` (m), ``S`` (m^2) and state-measurement covariances
        of the plots at ``index`` (all by default)."""
        if index is None:
            index = np.arange(len(plots))
        residual, s, s_inv = position_innovation(
            np.ascontiguousarray(prediction.at_mean, float),
            np.ascontiguousarray(prediction.at_cov, float),
            np.asarray(index, np.int64),
            (plots.x_m, plots.y_m, plots.z_m),
            (
                plots.cov_xx_m2,
                plots.cov_xy_m2,
                plots.cov_xz_m2,
                plots.cov_yy_m2,
                plots.cov_yz_m2,
                plots.cov_zz_m2,
            ),
        )
        return Innovation(residual, s, prediction.cross[..., :, :3], s_inv)


class BearingMeasurement:
    """An azimuth from north (rad) in the local ENU frame, from a sensor at a known position.

    The model is non-linear; it is linearised about the predicted state (an
    extended Kalman filter). The noise is ``sigma_azimuth_rad`` of the plot.
    """

    dof = 1

    def innovation(
        self, prediction: Prediction, plots: PlotBatch, index: np.ndarray | None = None
    ) -> Innovation:
        """Bearing residuals ``(p, M, 1)`` (rad, wrapped), ``S`` (rad^2) and cross-covariances
        of the plots at ``index`` (all by default)."""
        if index is None:
            index = np.arange(len(plots))
        dx = prediction.at_mean[..., 0] - plots.sensor_x_m[index, None]
        dy = prediction.at_mean[..., 1] - plots.sensor_y_m[index, None]
        rho2 = np.maximum(dx * dx + dy * dy, 1e-6)
        predicted = np.arctan2(dx, dy)
        residual = np.angle(np.exp(1j * (plots.bearing_rad[index, None] - predicted)))
        h = np.stack((dy / rho2, -dx / rho2), axis=-1)
        s = np.einsum("pmi,pmij,pmj->pm", h, prediction.at_cov[..., :2, :2], h)
        s = s + plots.sigma_azimuth_rad[index, None] ** 2
        cross = np.einsum("pmij,pmj->pmi", prediction.cross[..., :, :2], h)
        return Innovation(
            residual[..., None], s[..., None, None], cross[..., None], 1.0 / s[..., None, None]
        )

    def stacked_innovation(
        self,
        prediction: Prediction,
        plots: PlotBatch,
        index: np.ndarray,
        valid: np.ndarray,
        f_xy: np.ndarray,
        q_xy: np.ndarray,
    ) -> Innovation:
        """Several bearings of each track as one measurement vector (a stacked extended
        Kalman update): residuals ``(p, M, B)`` (rad, wrapped), ``S`` ``(p, M, B, B)``
        (rad^2) and cross-covariances ``(p, M, 6, B)``.

        Row ``b`` of track ``i`` is the plot at ``index[i, b]``; rows where ``valid`` is
        false are padding (no residual, no gain, unit noise, so they change neither the
        update nor the mode weights). ``prediction`` holds each track at one reference
        time; ``f_xy`` ``(p, M, B, 2, 6)`` and ``q_xy`` ``(p, M, B, 2, 2)`` are the
        horizontal rows of each mode's transition and process noise from that time to
        each row's own time. Each row is linearised at its own time (``H = J F``) and
        carries the process noise of its gap to the reference time on its own noise;
        the correlation of that noise between rows is neglected (it is small over the
        seconds a group spans).
        """
        mask = valid[:, None, :]
        position = f_xy @ prediction.at_mean[:, :, None, :, None]
        dx = position[..., 0, 0] - plots.sensor_x_m[index][:, None, :]
        dy = position[..., 1, 0] - plots.sensor_y_m[index][:, None, :]
        rho2 = np.maximum(dx * dx + dy * dy, 1e-6)
        predicted = np.arctan2(dx, dy)
        measured = plots.bearing_rad[index][:, None, :]
        residual = np.where(mask, np.angle(np.exp(1j * (measured - predicted))), 0.0)
        jac = np.stack((dy / rho2, -dx / rho2), axis=-1) * mask[..., None]
        h = (jac[..., None, :] @ f_xy)[..., 0, :]
        noise = np.where(valid, plots.sigma_azimuth_rad[index] ** 2, 1.0)[:, None, :]
        noise = noise + np.einsum("pmbi,pmbij,pmbj->pmb", jac, q_xy, jac)
        h_t = np.swapaxes(h, -1, -2)
        s = h @ prediction.at_cov @ h_t
        diag = np.arange(s.shape[-1])
        s[..., diag, diag] += noise
        cross = prediction.cross @ h_t
        return Innovation(residual, s, cross, np.linalg.inv(s))
