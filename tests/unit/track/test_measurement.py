"""Measurement models: position and bearing innovations."""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch, PlotKind
from flankwatch.track.measurement import BearingMeasurement, PositionMeasurement
from flankwatch.track.motion import ConstantVelocity
from flankwatch.track.predictor import KalmanPredictor


def _one_track_prediction(state: np.ndarray, cov: np.ndarray):
    predictor = KalmanPredictor(ConstantVelocity(1.0, 1.0))
    return predictor.predict(
        np.ones((1, 1)), state[None, None], cov[None, None], np.zeros(1), np.zeros(1)
    )


def test_position_innovation_is_plot_minus_prediction() -> None:
    state = np.array([10.0, 20.0, 30.0, 1.0, 2.0, 3.0])
    cov = np.diag([4.0, 4.0, 4.0, 1.0, 1.0, 1.0])
    plots = PlotBatch.build(
        1,
        x_m=[11.0],
        y_m=[18.0],
        z_m=[30.5],
        cov_xx_m2=[9.0],
        cov_yy_m2=[9.0],
        cov_zz_m2=[9.0],
        cov_xy_m2=[0.0],
        cov_xz_m2=[0.0],
        cov_yz_m2=[0.0],
        t_s=[0.0],
    )
    innovation = PositionMeasurement().innovation(_one_track_prediction(state, cov), plots)
    assert np.allclose(innovation.residual[0, 0], [1.0, -2.0, 0.5])
    assert np.allclose(innovation.cov[0, 0], np.eye(3) * 13.0)
    assert np.allclose(innovation.cov_inv[0, 0] @ innovation.cov[0, 0], np.eye(3))


def test_bearing_jacobian_matches_finite_differences() -> None:
    state = np.array([3000.0, 4000.0, 100.0, 0.0, 0.0, 0.0])
    sensor = np.array([500.0, -200.0, 0.0])
    plots = PlotBatch.build(
        1,
        t_s=[0.0],
        kind=[PlotKind.ACOUSTIC],
        bearing_rad=[0.6],
        sigma_azimuth_rad=[0.01],
        sensor_x_m=[sensor[0]],
        sensor_y_m=[sensor[1]],
        sensor_z_m=[sensor[2]],
    )
    model = BearingMeasurement()
    cov = np.eye(6)
    innovation = model.innovation(_one_track_prediction(state, cov), plots)
    jacobian = innovation.cross[0, 0, :, 0]  # cov = I, so cross = H^T
    step = 1e-3
    numeric = np.zeros(6)
    for i in range(6):
        moved = state.copy()
        moved[i] += step
        shifted = model.innovation(_one_track_prediction(moved, cov), plots)
        numeric[i] = -(shifted.residual[0, 0, 0] - innovation.residual[0, 0, 0]) / step
    assert np.allclose(jacobian, numeric, atol=1e-7)
    predicted = np.arctan2(state[0] - sensor[0], state[1] - sensor[1])
    assert np.isclose(innovation.residual[0, 0, 0], 0.6 - predicted)
    assert np.isclose(innovation.cov[0, 0, 0, 0], jacobian @ jacobian + 0.01**2)
