"""A generated plot set ("scene"): the plots exactly as a plots file holds them, the truth
kept beside, and the building blocks the family generators share.

Times are in s from the run's start, positions in m in a local ENU frame (x east,
y north, z up), angles in degrees as the plots file has them. Plot times are rounded
to the millisecond, as a radar's time stamps are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BATCH_S = 1.0
"""Batch length of ``flankwatch track`` (its ``--batch-s`` default), s: tracks are reported
at each batch's last plot time, and the truth is written at those times."""

TIME_RESOLUTION_S = 1e-3
"""Plot time stamps are rounded to this, s."""


@dataclass(frozen=True)
class Trajectories:
    """Positions of ``n`` targets at knot times, linearly interpolated between them.

    Constant-velocity targets need two knots only (the interpolation is then exact);
    manoeuvring ones are integrated on a fine grid of knots.
    """

    knot_t_s: np.ndarray
    """Knot times ``(k,)``, ascending, s."""
    knot_pos_m: np.ndarray
    """Positions at the knots ``(k, n, 3)``, m."""

    @property
    def n_targets(self) -> int:
        """Number of targets."""
        return int(self.knot_pos_m.shape[1])

    def at(self, t_s: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Positions ``(m, 3)`` of targets ``target`` (indices) at times ``t_s`` (s)."""
        t = np.clip(np.asarray(t_s, float), self.knot_t_s[0], self.knot_t_s[-1])
        i = np.clip(np.searchsorted(self.knot_t_s, t, side="right") - 1, 0, len(self.knot_t_s) - 2)
        t0, t1 = self.knot_t_s[i], self.knot_t_s[i + 1]
        w = ((t - t0) / (t1 - t0))[:, None]
        return (1.0 - w) * self.knot_pos_m[i, target] + w * self.knot_pos_m[i + 1, target]

    @staticmethod
    def constant_velocity(
        start_m: np.ndarray, velocity_mps: np.ndarray, duration_s: float
    ) -> Trajectories:
        """Straight, constant-speed flights from ``start_m`` ``(n, 3)`` at ``velocity_mps``."""
        knots = np.array([0.0, duration_s])
        return Trajectories(knots, np.stack((start_m, start_m + velocity_mps * duration_s)))


@dataclass(frozen=True)
class Sensor:
    """A sensor of a family: where it is, how often it looks, how well, and its clutter."""

    sensor_id: int
    revisit_s: float
    """Time between two looks at the same direction, s (a rotating radar's scan period)."""
    sigma_m: float = 0.0
    """Cartesian plots: standard deviation of each position coordinate, m."""
    pd: float = 0.9
    """Probability of detecting a target at each look."""
    clutter_per_scan: float = 0.0
    """Mean number of false plots per scan (Poisson), spread uniformly over the area."""
    position_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Sensor position, m; its rotation starts north at ``offset_s`` and turns clockwise."""
    offset_s: float = 0.0
    """Time of the first scan's start, s."""
    rotating: bool = True
    """True: a plot's time is the time the beam passes the target's azimuth; False: every
    plot of a scan has the scan's start time."""
    sigma_range_m: float = 0.0
    """Polar plots: range noise standard deviation, m."""
    sigma_azimuth_deg: float = 0.0
    """Polar plots: azimuth noise standard deviation, deg."""
    sigma_elevation_deg: float = 0.0
    """Polar plots: elevation noise standard deviation, deg."""


@dataclass(frozen=True)
class Scene:
    """One family's plots, truth and description, for one size and seed."""

    family: str
    n_targets: int
    n_scans: int
    scan_s: float
    """Scan period counted in a target-scan (the family's fastest sensor), s."""
    plots: dict[str, np.ndarray]
    """Columns of the plots file (the README's Cartesian or polar layout), sorted by time."""
    origin: np.ndarray
    """Per plot: index of the target it comes from, -1 for clutter, -2 where the generator
    does not say (not in the file)."""
    truth_t_s: np.ndarray
    """Truth rows: time, s (each batch's last plot time)."""
    truth_id: np.ndarray
    """Truth rows: target index."""
    truth_pos_m: np.ndarray
    """Truth rows: position ``(n, 2)`` for a 2-D file, ``(n, 3)`` for a 3-D one, m."""
    sensors: list[Sensor]
    planar: bool
    polar: bool
    area_half_side_m: float
    """Targets start within this distance of the origin along x and y, m."""
    trajectories: Trajectories | None = None
    """The targets' flights, where the generator keeps them."""
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    """Family-specific truth kept for checks (for instance turn rates), per target."""

    @property
    def target_scans(self) -> int:
        """Targets times scans: the unit of the time per target-scan."""
        return self.n_targets * self.n_scans


def scan_times(sensor: Sensor, duration_s: float) -> np.ndarray:
    """Start times of the sensor's scans within ``[0, duration_s)``, s."""
    return np.arange(sensor.offset_s, duration_s, sensor.revisit_s)


def look_times(sensor: Sensor, scan_start_s: float, position_m: np.ndarray) -> np.ndarray:
    """When the sensor's beam, starting north at ``scan_start_s`` and turning clockwise once
    per revisit, passes each position ``(n, 3)``; the scan start for a staring sensor, s."""
    if not sensor.rotating:
        return np.full(len(position_m), scan_start_s)
    d = position_m[:, :2] - np.asarray(sensor.position_m[:2])
    azimuth = np.mod(np.arctan2(d[:, 0], d[:, 1]), 2.0 * np.pi)
    return scan_start_s + sensor.revisit_s * azimuth / (2.0 * np.pi)


def observe(
    sensor: Sensor,
    trajectories: Trajectories,
    duration_s: float,
    half_side_m: float,
    rng: np.random.Generator,
    altitude_band_m: tuple[float, float] = (0.0, 0.0),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sensor's plots over a run: times ``(m,)`` (s), true positions of the plots
    ``(m, 3)`` (m; noise is added by the caller in the plot's own coordinates) and origin
    ``(m,)`` (target index, -1 for clutter spread uniformly over the square and the
    altitude band)."""
    n = trajectories.n_targets
    every = np.arange(n)
    times, positions, origins = [], [], []
    for start in scan_times(sensor, duration_s):
        seen = every[rng.random(n) < sensor.pd]
        # the beam's time at a target: from where it is at the scan's start (it moves
        # little during one rotation), then its position at that time
        t = look_times(sensor, start, trajectories.at(np.full(len(seen), start), seen))
        times.append(t)
        positions.append(trajectories.at(t, seen))
        origins.append(seen)
        n_clutter = int(rng.poisson(sensor.clutter_per_scan))
        clutter = np.column_stack(
            (
                rng.uniform(-half_side_m, half_side_m, (n_clutter, 2)),
                rng.uniform(*altitude_band_m, n_clutter),
            )
        )
        times.append(look_times(sensor, start, clutter))
        positions.append(clutter)
        origins.append(np.full(n_clutter, -1))
    return np.concatenate(times), np.concatenate(positions), np.concatenate(origins)


def round_times(t_s: np.ndarray) -> np.ndarray:
    """Times rounded to :data:`TIME_RESOLUTION_S`, s."""
    return np.round(np.asarray(t_s) / TIME_RESOLUTION_S) * TIME_RESOLUTION_S


def report_times(plot_t_s: np.ndarray) -> np.ndarray:
    """The times ``flankwatch track`` reports tracks at: each batch's last plot time, s
    (batches of :data:`BATCH_S` from the first plot, as the plot reader groups them)."""
    t = np.sort(plot_t_s)
    slot = np.floor((t - t[0]) / BATCH_S).astype(np.int64)
    last = np.flatnonzero(np.diff(slot)) if len(t) else np.empty(0, np.int64)
    return np.append(t[last], t[-1]) if len(t) else t


def truth_rows(
    trajectories: Trajectories, times_s: np.ndarray, planar: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truth rows (time s, target index, position m) of every target at every time."""
    n = trajectories.n_targets
    t = np.repeat(times_s, n)
    target = np.tile(np.arange(n), len(times_s))
    pos = trajectories.at(t, target)
    return t, target, pos[:, :2] if planar else pos


def sorted_by_time(
    columns: dict[str, np.ndarray], origin: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Columns and origins in time order (stable)."""
    order = np.argsort(columns["time_s"], kind="stable")
    return {name: values[order] for name, values in columns.items()}, origin[order]
