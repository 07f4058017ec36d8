"""What every sensor model sees and must provide.

A sensor model is handed a :class:`Scene` (the objects flying during one step,
with their positions at its start and end) and returns the plots it makes in
that step. Each model owns its seeded random generator, so adding a sensor to a
scenario leaves every other sensor's draws unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Protocol

import numpy as np

from flankwatch.geo.frames import LocalFrame, enu_rotation, geodetic_to_ecef
from flankwatch.geo.geodesy import forward
from flankwatch.stream import PlotColumns


@dataclass(frozen=True)
class Scene:
    """The objects flying between ``t0_s`` and ``t1_s`` and what sensors can sense of them.

    ``ecef_m`` holds each object's ECEF position (m) at the window's instants
    ``t0_s + k step_s`` (shape (n, k + 1, 3)) and ``alt_m`` its heights (m);
    both are NaN at instants when the object was not flying. A position in
    between two instants is interpolated linearly. Per-object arrays are in
    the order of ``object_id``: ``squawk`` is the Mode A code each shows during
    the window (its four octal digits read as a decimal number, 0 if none) and
    ``mode5`` whether it answers IFF Mode 5 interrogations (own aircraft).
    ``squitter_error`` (n, k, 3) is the error, in standard deviations (east, north, up),
    of the position a cooperative aircraft broadcasts in each step: its own navigation
    error, so every station that hears one squitter hears the same position.
    """

    t0_s: float
    t1_s: float
    step_s: float
    frame: LocalFrame
    object_id: np.ndarray
    ecef_m: np.ndarray
    alt_m: np.ndarray
    rcs_m2: np.ndarray
    swerling: np.ndarray
    sound_db: np.ndarray
    cooperative: np.ndarray
    icao24: np.ndarray
    callsign: np.ndarray
    squawk: np.ndarray
    mode5: np.ndarray
    squitter_error: np.ndarray
    _kept: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.object_id)

    def kept(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, called once per scene and ``key``: what several sensors derive alike
        from the scene (the same squitters heard by every ADS-B station) is derived once."""
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]

    def at(self, rows: np.ndarray, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ECEF positions (m, shape (n, 3)) and heights (m) of objects ``rows`` at ``t_s``.

        NaN where the object was not flying at that time.
        """
        instants = self.ecef_m.shape[1]
        position = (np.asarray(t_s) - self.t0_s) / self.step_s
        k = np.floor(position).astype(np.intp)
        np.maximum(k, 0, out=k)
        np.minimum(k, instants - 2, out=k)
        f = position - k
        start = np.asarray(rows) * instants + k
        end = start + 1
        ecef, alt = self._flat_positions
        start_ecef, end_ecef, start_alt, end_alt = ecef[start], ecef[end], alt[start], alt[end]
        position = start_ecef + (end_ecef - start_ecef) * f[:, None]
        return position, start_alt + (end_alt - start_alt) * f

    @cached_property
    def _flat_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """``ecef_m`` as (n (k + 1), 3) and ``alt_m`` as (n (k + 1),): one index per
        object and instant."""
        return self.ecef_m.reshape(-1, 3), self.alt_m.reshape(-1)

    def squitter_errors(self, rows: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """The broadcast position error (standard deviations, (n, 3)) of objects ``rows``
        in squitters sent at ``t_s`` (s): that of the step each falls in."""
        step = np.floor((np.asarray(t_s) - self.t0_s) / self.step_s).astype(np.intp)
        last = self.squitter_error.shape[1] - 1
        return self.squitter_error[rows, np.minimum(np.maximum(step, 0), last)]

    @cached_property
    def max_travel_m(self) -> float:
        """The farthest any object gets from its reference position within the window, m."""
        if not len(self):
            return 0.0
        travel = np.linalg.norm(self.ecef_m - self.reference_ecef_m[:, None, :], axis=2)
        return float(np.nanmax(travel))

    @cached_property
    def reference_ecef_m(self) -> np.ndarray:
        """Each object's position at the first instant of the window it was flying, (n, 3)."""
        first = np.argmax(np.isfinite(self.alt_m), axis=1)
        return self.ecef_m[np.arange(len(self)), first]


@dataclass(frozen=True)
class SensorInfo:
    """One row of a run's sensor table (a sensor model may stand for several rows)."""

    sensor_id: int
    name: str
    type: str
    kind: str
    platform: str
    lat_deg: float
    lon_deg: float
    height_m: float
    range_m: float
    scan_period_s: float


class SensorModel(Protocol):
    """A sensor model: one sensor, or a set of identical nodes, and its plots per step."""

    def table(self) -> list[SensorInfo]:
        """The sensor-table rows this model stands for."""
        ...

    def observe(self, scene: Scene) -> list[PlotColumns]:
        """The plots made during the scene's step, in any order, as parts of a batch."""
        ...


class Pose(Protocol):
    """Where a sensor is: its ECEF position and ENU rotation at a time."""

    @property
    def height_m(self) -> float:
        """Height of the sensor above the ground, m."""
        ...

    def at(self, t_s: float) -> tuple[np.ndarray, np.ndarray]:
        """ECEF position (m, shape (3,)) and ECEF-to-ENU rotation (3x3) at ``t_s``."""
        ...


@dataclass(frozen=True)
class FixedPose:
    """A sensor on a mast or tether at a fixed point, ``height_m`` above the ground."""

    lat_deg: float
    lon_deg: float
    height_m: float

    def at(self, t_s: float) -> tuple[np.ndarray, np.ndarray]:
        """ECEF position and ENU rotation (the same at every time)."""
        return self._placement

    @cached_property
    def _placement(self) -> tuple[np.ndarray, np.ndarray]:
        position = np.array(geodetic_to_ecef(self.lat_deg, self.lon_deg, self.height_m), float)
        return position, enu_rotation(self.lat_deg, self.lon_deg)


@dataclass(frozen=True)
class OrbitPose:
    """An aircraft flying a circle of ``radius_m`` about a centre at ``height_m``, ``speed_mps``."""

    lat_deg: float
    lon_deg: float
    radius_m: float
    height_m: float
    speed_mps: float
    phase_rad: float

    def at(self, t_s: float) -> tuple[np.ndarray, np.ndarray]:
        """ECEF position and ENU rotation on the orbit at ``t_s`` (read-only arrays; see
        :class:`_OrbitPath` for when they are computed)."""
        return _orbit_path(self).at(t_s)


ORBIT_BLOCK = 256
"""Times on an orbit computed together (see :class:`_OrbitPath`)."""


class _OrbitPath:
    """Where an orbiting sensor is, computed a block of times at a time: asked at a time
    not known yet, a fixed gap after the time asked before (a run's windows are), it
    computes that time and the ``ORBIT_BLOCK - 1`` following it at the same gap in one
    vectorised call, and keeps the times known (up to ``4 * ORBIT_BLOCK``, then only the
    newest block). PROJ and the rotation take each time alone, so a position is the same
    whichever block it was computed in."""

    def __init__(self, pose: OrbitPose) -> None:
        self.pose = pose
        self._known: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        self._last_s: float | None = None

    def at(self, t_s: float) -> tuple[np.ndarray, np.ndarray]:
        """The ECEF position (m) and ECEF-to-ENU rotation at ``t_s`` (s)."""
        found = self._known.get(t_s)
        if found is None:
            last = self._last_s
            gap = t_s - last if last is not None and t_s > last else 0.0
            times = t_s + gap * np.arange(ORBIT_BLOCK) if gap > 0.0 else np.array([t_s])
            block = dict(zip(times.tolist(), _orbit_points(self.pose, times), strict=True))
            if len(self._known) + len(block) > 4 * ORBIT_BLOCK:
                self._known = {}
            self._known.update(block)
            found = block[t_s]
        self._last_s = t_s
        return found


@lru_cache(maxsize=64)
def _orbit_path(pose: OrbitPose) -> _OrbitPath:
    """The one :class:`_OrbitPath` of ``pose``."""
    return _OrbitPath(pose)


def _orbit_points(pose: OrbitPose, times_s: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """ECEF position (m) and ECEF-to-ENU rotation on ``pose``'s orbit at each of ``times_s``
    (s), as read-only arrays."""
    angle = pose.phase_rad + pose.speed_mps * times_s / pose.radius_m
    lat, lon, _ = forward(pose.lat_deg, pose.lon_deg, angle, pose.radius_m)
    x, y, z = geodetic_to_ecef(lat, lon, pose.height_m)
    points = []
    for k in range(len(times_s)):
        position = np.array([x[k], y[k], z[k]])
        rotation = enu_rotation(float(lat[k]), float(lon[k]))
        position.flags.writeable = rotation.flags.writeable = False
        points.append((position, rotation))
    return points
