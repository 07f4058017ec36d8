"""Factories of plot batches for the tracker tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from flankwatch.stream import PlotBatch, PlotKind


def _position_plots(
    t_s: np.ndarray | float,
    xyz_m: np.ndarray,
    sigma_m: float = 5.0,
    sensor_id: int = 0,
    kind: PlotKind = PlotKind.RADAR,
    icao24: np.ndarray | int = 0,
    callsign: np.ndarray | str = "",
    truth_id: np.ndarray | int = -1,
    mode5: np.ndarray | bool = False,
    mode5_pin: np.ndarray | int = 0,
) -> PlotBatch:
    xyz = np.atleast_2d(np.asarray(xyz_m, float))
    n = len(xyz)
    zeros = np.zeros(n)
    return PlotBatch.build(
        n,
        t_s=np.broadcast_to(np.asarray(t_s, float), (n,)),
        sensor_id=np.full(n, sensor_id),
        kind=np.full(n, kind),
        x_m=xyz[:, 0],
        y_m=xyz[:, 1],
        z_m=xyz[:, 2],
        cov_xx_m2=np.full(n, sigma_m**2),
        cov_yy_m2=np.full(n, sigma_m**2),
        cov_zz_m2=np.full(n, sigma_m**2),
        cov_xy_m2=zeros,
        cov_xz_m2=zeros,
        cov_yz_m2=zeros,
        icao24=np.broadcast_to(np.asarray(icao24, np.uint32), (n,)),
        callsign=np.broadcast_to(np.asarray(callsign, object), (n,)),
        truth_id=np.broadcast_to(np.asarray(truth_id, np.int32), (n,)),
        mode5=np.broadcast_to(np.asarray(mode5, bool), (n,)),
        mode5_pin=np.broadcast_to(np.asarray(mode5_pin, np.uint16), (n,)),
    )


def _bearing_plots(
    t_s: float,
    sensor_xyz_m: np.ndarray,
    bearing_rad: np.ndarray,
    sigma_rad: float,
    sensor_id: int = 7,
) -> PlotBatch:
    bearing = np.atleast_1d(np.asarray(bearing_rad, float))
    n = len(bearing)
    sensor = np.broadcast_to(np.asarray(sensor_xyz_m, float), (n, 3))
    return PlotBatch.build(
        n,
        t_s=np.full(n, t_s),
        sensor_id=np.full(n, sensor_id),
        kind=np.full(n, PlotKind.ACOUSTIC),
        bearing_rad=bearing,
        azimuth_rad=bearing,
        sigma_azimuth_rad=np.full(n, sigma_rad),
        sensor_x_m=sensor[:, 0],
        sensor_y_m=sensor[:, 1],
        sensor_z_m=sensor[:, 2],
    )


@pytest.fixture
def position_plots() -> Callable[..., PlotBatch]:
    """Factory: a batch of Cartesian position plots (radar by default) with a diagonal
    covariance of ``sigma_m``."""
    return _position_plots


@pytest.fixture
def bearing_plots() -> Callable[..., PlotBatch]:
    """Factory: a batch of acoustic bearings from one node."""
    return _bearing_plots
