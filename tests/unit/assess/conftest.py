"""Factories of track batches and shared, slow-to-build assessment parts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from flankwatch.assess.kinematics import Kinematics, earth_radius_m
from flankwatch.geo.frames import LocalFrame
from flankwatch.track.output import TrackBatch, TrackStatus

FRAME = LocalFrame(52.0, 21.5)
"""The frame of the tests: central-eastern Poland, as in the built-in scenario."""


def make_tracks(
    xyz_m: np.ndarray,
    vel_mps: np.ndarray,
    t_s: float = 0.0,
    track_id: np.ndarray | None = None,
    status: int | np.ndarray = TrackStatus.CONFIRMED,
    icao24: int | np.ndarray = 0,
    callsign: str | np.ndarray = "",
    pos_sigma_m: float = 50.0,
    vel_sigma_mps: float = 2.0,
    mode5_t_s: float | np.ndarray = np.nan,
) -> TrackBatch:
    """A batch of tracks at positions ``(n, 3)`` and velocities ``(n, 3)``, local ENU."""
    xyz = np.atleast_2d(np.asarray(xyz_m, float))
    vel = np.broadcast_to(np.atleast_2d(np.asarray(vel_mps, float)), xyz.shape)
    n = len(xyz)
    cov = np.zeros((n, 6, 6))
    cov[:, [0, 1, 2], [0, 1, 2]] = pos_sigma_m**2
    cov[:, [3, 4, 5], [3, 4, 5]] = vel_sigma_mps**2
    return TrackBatch.from_states(
        time_s=np.full(n, t_s),
        track_id=np.arange(1, n + 1) if track_id is None else np.asarray(track_id),
        status=np.broadcast_to(np.asarray(status, np.int8), (n,)),
        state=np.hstack((xyz, vel)),
        cov=cov,
        manoeuvre_prob=np.zeros(n),
        last_update_s=np.full(n, t_s),
        icao24=np.broadcast_to(np.asarray(icao24, np.uint32), (n,)),
        callsign=np.broadcast_to(np.asarray(callsign, object), (n,)),
        mode5_t_s=np.broadcast_to(np.asarray(mode5_t_s, float), (n,)),
    )


def at(lat_deg: float, lon_deg: float, alt_m: float = 0.0) -> np.ndarray:
    """A point given in degrees and metres, in :data:`FRAME` (m)."""
    return FRAME.geodetic_to_enu(lat_deg, lon_deg, alt_m)


def heading_to(a: np.ndarray, b: np.ndarray, speed_mps: float) -> np.ndarray:
    """Level velocity (m/s) from ENU point ``a`` toward ``b`` at ``speed_mps``."""
    d = (b - a)[:2]
    v = d / np.linalg.norm(d) * speed_mps
    return np.array([v[0], v[1], 0.0])


def kinematics(tracks: TrackBatch) -> Kinematics:
    """The kinematics of ``tracks`` in :data:`FRAME`."""
    return Kinematics.of(tracks, earth_radius_m(FRAME), FRAME.alt_m)


@pytest.fixture(scope="session", name="make_tracks")
def _make_tracks() -> Callable[..., TrackBatch]:
    """:func:`make_tracks`."""
    return make_tracks


@pytest.fixture(scope="session", name="frame")
def _frame() -> LocalFrame:
    """:data:`FRAME`."""
    return FRAME


@pytest.fixture(scope="session", name="at")
def _at() -> Callable[..., np.ndarray]:
    """:func:`at`."""
    return at


@pytest.fixture(scope="session", name="heading_to")
def _heading_to() -> Callable[..., np.ndarray]:
    """:func:`heading_to`."""
    return heading_to


@pytest.fixture(scope="session", name="kinematics")
def _kinematics() -> Callable[[TrackBatch], Kinematics]:
    """:func:`kinematics`."""
    return kinematics
