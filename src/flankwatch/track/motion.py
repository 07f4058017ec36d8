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

    def propagate(
        self, mean: np.ndarray, cov: np.ndarray, dt_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``F x`` ``(p, 6)`` and ``F P F' + Q`` ``(p, 6, 6)`` over steps ``dt_s`` (s), in
        closed form: with ``P = [[A, B], [B', C]]`` in 3x3 blocks, the result is
        ``[[A + dt (B + B') + dt^2 C, B + dt C], [B' + dt C, C]]`` plus ``Q``."""
        dt = np.asarray(dt_s, float)
        d = dt[:, None, None]
        out_mean = mean.copy()
        out_mean[:, :3] += dt[:, None] * mean[:, 3:]
        top_right = cov[:, :3, 3:] + d * cov[:, 3:, 3:]
        out = np.empty_like(cov)
        out[:, :3, :3] = cov[:, :3, :3] + d * (np.swapaxes(cov[:, :3, 3:], 1, 2) + top_right)
        out[:, :3, 3:] = top_right
        out[:, 3:, :3] = np.swapaxes(top_right, 1, 2)
        out[:, 3:, 3:] = cov[:, 3:, 3:]
        a = np.abs(dt)
        for axis, q in enumerate((self.noise_m2ps3, self.noise_m2ps3, self.vertical_noise_m2ps3)):
            if q:
                out[:, axis, axis] += q * a**3 / 3.0
                cross = q * a**2 / 2.0
                out[:, axis, axis + 3] += cross
                out[:, axis + 3, axis] += cross
                out[:, axis + 3, axis + 3] += q * a
        return out_mean, out

    def reach_m(self, speed_mps: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        """Standard deviation of the position noise added over ``dt_s`` (s), m: the
        prediction never strays further from a straight line."""
        q = 2.0 * self.noise_m2ps3 + self.vertical_noise_m2ps3
        return np.sqrt(q * np.abs(dt_s) ** 3 / 3.0)


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

    def propagate(
        self, mean: np.ndarray, cov: np.ndarray, dt_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``F x`` ``(p, 6)`` and ``F P F' + Q`` ``(p, 6, 6)`` over steps ``dt_s`` (s)."""
        dt = np.asarray(dt_s, float)
        w = self.turn_rate_rps
        sin, cos = np.sin(w * dt), np.cos(w * dt)
        f = np.empty((len(dt), STATE_DIM, STATE_DIM))
        f[:] = np.eye(STATE_DIM)
        f[:, 0, 3] = f[:, 1, 4] = sin / w
        f[:, 1, 3] = (1.0 - cos) / w
        f[:, 0, 4] = -f[:, 1, 3]
        f[:, 3, 3] = f[:, 4, 4] = cos
        f[:, 4, 3] = sin
        f[:, 3, 4] = -sin
        f[:, 2, 5] = dt
        out_mean = np.einsum("pij,pj->pi", f, mean)
        out = f @ cov @ np.swapaxes(f, 1, 2)
        a = np.abs(dt)
        for axis, q in enumerate((self.noise_m2ps3, self.noise_m2ps3, self.vertical_noise_m2ps3)):
            if q:
                out[:, axis, axis] += q * a**3 / 3.0
                cross = q * a**2 / 2.0
                out[:, axis, axis + 3] += cross
                out[:, axis + 3, axis] += cross
                out[:, axis + 3, axis + 3] += q * a
        return out_mean, out

    def reach_m(self, speed_mps: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        """A bound, m, on how far a prediction over ``dt_s`` (s) of a state moving at
        ``speed_mps`` strays from the straight line: the turn's offset
        (``speed w dt^2 / 2``, at most ``2 speed dt``) plus the noise's standard deviation."""
        dt = np.abs(dt_s)
        q = 2.0 * self.noise_m2ps3 + self.vertical_noise_m2ps3
        bend = speed_mps * np.minimum(0.5 * abs(self.turn_rate_rps) * dt * dt, 2.0 * dt)
        return bend + np.sqrt(q * dt**3 / 3.0)
