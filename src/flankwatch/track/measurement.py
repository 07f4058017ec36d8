"""Measurement models: Cartesian position (radar, ADS-B) and bearing (acoustic nodes).

A radar's polar plots are converted to positions before they get here
(:func:`flankwatch.geo.polar.polar_to_cartesian`).
"""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch
from flankwatch.track.base import Innovation, Prediction
from flankwatch.track.position_kernels import position_innovation


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
