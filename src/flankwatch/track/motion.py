"""Motion models on the state ``(x, y, z, vx, vy, vz)``: constant velocity and coordinated turn.

Both are driven by white acceleration noise of spectral density ``q`` (m^2/s^3)
per axis, horizontal and vertical apart; the vertical motion is always constant
velocity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.track.base import STATE_DIM

_POSITION = np.zeros((STATE_DIM, STATE_DIM))
_POSITION[:3, :3] = np.eye(3)
_CROSS = np.zeros((STATE_DIM, STATE_DIM))
_CROSS[:3, 3:] = _CROSS[3:, :3] = np.eye(3)
_VELOCITY = np.zeros((STATE_DIM, STATE_DIM))
_VELOCITY[3:, 3:] = np.eye(3)
_SHIFT = np.zeros((STATE_DIM, STATE_DIM))
_SHIFT[:3, 3:] = np.eye(3)


def _white_acceleration_noise(dt_s: np.ndarray, q_axes: np.ndarray) -> np.ndarray:
    """Process noise ``(p, 6, 6)`` of white acceleration with densities ``q_axes`` (3,)."""
    dt = np.abs(dt_s)[:, None, None]
    scale = np.sqrt(np.tile(q_axes, 2))
    scale = scale[:, None] * scale[None, :]
    return (
        (dt**3 / 3.0) * (_POSITION * scale)
        + (dt**2 / 2.0) * (_CROSS * scale)
        + dt * (_VELOCITY * scale)
    )


@dataclass(frozen=True)
class ConstantVelocity:
    """Nearly constant velocity: white acceleration noise on each axis."""

    noise_m2ps3: float
    """Horizontal acceleration noise spectral density, m^2/s^3."""
    vertical_noise_m2ps3: float
    """Vertical acceleration noise spectral density, m^2/s^3."""

    def transition(self, dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F`` and ``Q`` ``(p, 6, 6)`` for steps ``dt_s`` (s); ``Q`` uses ``|dt_s|``."""
        dt = np.asarray(dt_s, float)
        f = np.eye(STATE_DIM) + dt[:, None, None] * _SHIFT
        q_axes = np.array([self.noise_m2ps3, self.noise_m2ps3, self.vertical_noise_m2ps3])
        return f, _white_acceleration_noise(dt, q_axes)


@dataclass(frozen=True)
class CoordinatedTurn:
    """Horizontal turn at a known rate (positive turns left, anticlockwise seen from above),
    constant vertical velocity."""

    turn_rate_rps: float
    """Turn rate, rad/s; not zero."""
    noise_m2ps3: float
    """Horizontal acceleration noise spectral density, m^2/s^3."""
    vertical_noise_m2ps3: float
    """Vertical acceleration noise spectral density, m^2/s^3."""

    def __post_init__(self) -> None:
        if self.turn_rate_rps == 0.0:
            raise ValueError("a coordinated turn needs a non-zero turn rate")

    def transition(self, dt_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``F`` and ``Q`` ``(p, 6, 6)`` for steps ``dt_s`` (s); ``Q`` uses ``|dt_s|``."""
        dt = np.asarray(dt_s, float)
        w = self.turn_rate_rps
        sin, cos = np.sin(w * dt), np.cos(w * dt)
        f = np.broadcast_to(np.eye(STATE_DIM), (len(dt), STATE_DIM, STATE_DIM)).copy()
        f[:, 0, 3] = sin / w
        f[:, 0, 4] = -(1.0 - cos) / w
        f[:, 1, 3] = (1.0 - cos) / w
        f[:, 1, 4] = sin / w
        f[:, 3, 3] = cos
        f[:, 3, 4] = -sin
        f[:, 4, 3] = sin
        f[:, 4, 4] = cos
        f[:, 2, 5] = dt
        q_axes = np.array([self.noise_m2ps3, self.noise_m2ps3, self.vertical_noise_m2ps3])
        return f, _white_acceleration_noise(dt, q_axes)
