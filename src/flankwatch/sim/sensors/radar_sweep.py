"""The radars of a run observing a window together: one vectorised pass for all of them.

The geometry of every radar's looks (who is near, when the beam passes, range,
elevation, visibility, detection probability) and the conversion of the plots
into the run's frame are computed for all radars of a :class:`RadarGroup` at
once; each radar then draws its own random numbers (:meth:`Radar.draw`) in the
order it would alone, so a radar's plots are the same whichever radars it
observes with. The per-plot rotations are compiled loops computing each row alone
(:mod:`flankwatch.sim.sensors.radar_kernels`), not BLAS products, which round a row
differently for different numbers of rows.
See :mod:`flankwatch.sim.sensors.radar` for the radar model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from flankwatch.geo.horizon import above_horizon
from flankwatch.sim.sensors.base import FixedPose, Scene
from flankwatch.sim.sensors.detection import detection_probability_at, radar_snr
from flankwatch.sim.sensors.radar_kernels import plots_in_frame, turn_rows
from flankwatch.sim.sensors.schedule import report_times_each
from flankwatch.stream import PlotColumns, PlotKind, position_columns

if TYPE_CHECKING:
    from flankwatch.sim.sensors.radar import Radar, RadarDraws

TWO_PI = 2.0 * np.pi


@dataclass(frozen=True)
class _Window:
    """Where the group's radars are in one window, from ``t0_s`` to ``t1_s`` (s): ECEF
    positions (m, (k, 3)) at its start and end, ECEF-to-ENU rotations at its start
    ((k, 3, 3)), beam azimuths at its start (rad) and how far from each radar an
    object's reference position can be for the radar to see it (m). ``turns`` holds each
    radar's rotation as its pose gives it (:meth:`Radar.to_frame` keeps its product)."""

    t0_s: float
    t1_s: float
    position0_m: np.ndarray
    position1_m: np.ndarray
    turns: tuple[np.ndarray, ...]
    beam0_rad: np.ndarray
    reach_m: np.ndarray

    def sensor_at(self, radar: np.ndarray, t_s: np.ndarray) -> np.ndarray:
        """ECEF positions (m, (n, 3)) of radars ``radar`` at times ``t_s`` (s), moving in
        a straight line through the window."""
        fraction = ((t_s - self.t0_s) / (self.t1_s - self.t0_s))[:, None]
        return self.position0_m[radar] * (1.0 - fraction) + self.position1_m[radar] * fraction


class _Looks(NamedTuple):
    """Looks of the group's radars at objects in view, ordered by radar, object and time."""

    radar: np.ndarray
    """Index of the looking radar in the group."""
    row: np.ndarray
    """Scene row of the object looked at."""
    t_s: np.ndarray
    local_m: np.ndarray
    """The object's position in the radar's ENU axes, m, (n, 3)."""
    range_m: np.ndarray
    elevation_rad: np.ndarray


class RadarGroup:
    """Radars observing the same windows, in a fixed order (the order of their plots)."""

    def __init__(self, radars: tuple[Radar, ...]) -> None:
        self.radars = radars
        specs = [radar.spec for radar in radars]
        self.period_s = np.array([spec.scan_period_s for spec in specs])
        self.rate = np.array([TWO_PI / spec.scan_period_s for spec in specs])
        """Beam turning rates, rad/s."""
        self.range_m = np.array([spec.range_m for spec in specs])
        self.min_range_m = np.array([spec.min_range_m for spec in specs])
        self.max_elevation_rad = np.array([radar.max_elevation_rad for radar in radars])
        self.height_m = np.array([radar.pose.height_m for radar in radars])
        self.snr_ref = np.array([radar.snr_ref for radar in radars])
        self.reference_range_m = np.array([spec.reference_range_m for spec in specs])
        self.reference_rcs_m2 = np.array([spec.reference_rcs_m2 for spec in specs])
        self.threshold = np.array([radar.threshold for radar in radars])
        self.ssr = np.array([spec.ssr for spec in specs], bool)
        self.sensor_id = np.array([radar.sensor_id for radar in radars])
        self.sigma_range_m = np.array([spec.sigma_range_m for spec in specs])
        self.sigma_azimuth_rad = np.array([radar.sigmas[0] for radar in radars])
        self.sigma_elevation_rad = np.array([radar.sigmas[1] for radar in radars])
        self.beam_phase_rad = np.array([radar.beam_phase_rad for radar in radars])
        self._moving = [
            j for j, radar in enumerate(radars) if not isinstance(radar.pose, FixedPose)
        ]
        """The radars whose pose moves (on aircraft): the others' are taken once, here."""
        placed = [radar.pose.at(0.0) for radar in radars]
        self._position_m = np.array([position for position, _ in placed])
        self._turns = [turn for _, turn in placed]
        self._frames = _Frames(
            np.array([radar.frame.origin_ecef_m for radar in radars]),
            np.array([radar.frame.rotation for radar in radars]),
            np.array([radar.sigma2 for radar in radars]),
        )

    def observe(self, scene: Scene) -> list[PlotColumns]:
        """The plots of every radar of the group in the scene's window: by radar, each
        radar's detections (in the order of its looks) before its false alarms."""
        window = self._window(scene)
        looks = self._looks(scene, window)
        snr = radar_snr(
            looks.range_m,
            scene.rcs_m2[looks.row],
            self.snr_ref[looks.radar],
            self.reference_range_m[looks.radar],
            self.reference_rcs_m2[looks.radar],
        )
        pd = detection_probability_at(snr, self.threshold[looks.radar], scene.swerling[looks.row])
        bounds = _bounds(looks.radar, len(self.radars))
        draws = [
            radar.draw(window.t0_s, window.t1_s, float(window.beam0_rad[j]), pd[s:e])
            for j, (radar, s, e) in enumerate(
                zip(self.radars, bounds[:-1], bounds[1:], strict=True)
            )
        ]
        return [self._plots(scene, window, looks, draws)]

    def _window(self, scene: Scene) -> _Window:
        """Where the radars are in the scene's window (see :class:`_Window`)."""
        t0, t1 = scene.t0_s, scene.t1_s
        position0, position1 = self._position_m, self._position_m
        rotation, moved_m = self._turns, np.zeros(len(self.radars))
        if self._moving:
            position0, position1 = position0.copy(), position1.copy()
            rotation = list(rotation)
            for j in self._moving:
                pose = self.radars[j].pose
                (start, turn), (end, _) = pose.at(t0), pose.at(t1)
                position0[j], position1[j], rotation[j] = start, end, turn
                moved_m[j] = 0.0 if end is start else np.linalg.norm(end - start)
        beam0 = (self.beam_phase_rad + TWO_PI * t0 / self.period_s) % TWO_PI
        reach = self.range_m + scene.max_travel_m + moved_m
        return _Window(t0, t1, position0, position1, tuple(rotation), beam0, reach)

    def _looks(self, scene: Scene, window: _Window) -> _Looks:
        """Each radar's looks in the window at the objects it can see then: within its
        instrumented range, beyond its minimum range, under its greatest elevation and
        above its horizon."""
        t0, t1 = window.t0_s, window.t1_s
        turns = np.array(window.turns)
        offset = (scene.reference_ecef_m[None, :, :] - window.position0_m[:, None, :]) @ (
            turns.transpose(0, 2, 1)
        )
        near = np.einsum("kij,kij->ki", offset, offset) <= (window.reach_m**2)[:, None]
        radar, row = np.nonzero(near)
        azimuth0 = np.arctan2(offset[radar, row, 0], offset[radar, row, 1])
        phase = t0 + ((azimuth0 - window.beam0_rad[radar]) % TWO_PI) / self.rate[radar]
        pair, t_look = report_times_each(t0, t1, self.period_s[radar], phase)
        radar, row = radar[pair], row[pair]
        target_at, target_alt = scene.at(row, t_look)
        line_of_sight = target_at - window.sensor_at(radar, t_look)
        local = turn_rows(line_of_sight, turns, radar)
        range_m = np.linalg.norm(local, axis=1)
        with np.errstate(invalid="ignore"):
            sin_elevation = local[:, 2] / np.maximum(range_m, 1e-9)
            elevation = np.arcsin(np.minimum(np.maximum(sin_elevation, -1.0), 1.0))
            visible = (
                (range_m <= self.range_m[radar])
                & (range_m >= self.min_range_m[radar])
                & (elevation <= self.max_elevation_rad[radar])
                & above_horizon(range_m, self.height_m[radar], target_alt)
            )
        return _Looks(
            radar[visible],
            row[visible],
            t_look[visible],
            local[visible],
            range_m[visible],
            elevation[visible],
        )

    def _plots(
        self, scene: Scene, window: _Window, looks: _Looks, draws: list[RadarDraws]
    ) -> PlotColumns:
        """The plots of the looks that detect and of the false alarms, in the order of
        :meth:`observe`, measured with the drawn noise."""
        measured = _Measured.of(looks, draws)
        radar = measured.radar
        sensor_ecef = window.sensor_at(radar, measured.t_s)
        to_frame = np.array(
            [r.to_frame(turn) for r, turn in zip(self.radars, window.turns, strict=True)]
        )
        conversion = _Conversion.of(measured, sensor_ecef, self._frames, to_frame)
        truth_id = np.full(len(radar), -1)
        shown = np.flatnonzero(measured.row >= 0)
        truth_id[shown] = scene.object_id[measured.row[shown]]
        plots = {
            "t_s": measured.t_s,
            "sensor_id": self.sensor_id[radar],
            "kind": PlotKind.RADAR,
            **position_columns(conversion.position_m, conversion.cov_m2),
            "range_m": measured.range_m,
            "azimuth_rad": conversion.azimuth_rad,
            "elevation_rad": measured.elevation_rad,
            "bearing_rad": np.arctan2(conversion.direction[:, 0], conversion.direction[:, 1]),
            "sigma_range_m": self.sigma_range_m[radar],
            "sigma_azimuth_rad": self.sigma_azimuth_rad[radar],
            "sigma_elevation_rad": self.sigma_elevation_rad[radar],
            "sensor_x_m": conversion.sensor_local_m[:, 0],
            "sensor_y_m": conversion.sensor_local_m[:, 1],
            "sensor_z_m": conversion.sensor_local_m[:, 2],
            "truth_id": truth_id,
        }
        return {**plots, **_replies(scene, measured, self.ssr[radar])}


class _Measured(NamedTuple):
    """The plots of a window's detections and false alarms: which radar made each (index in
    the group), the scene row of the object it shows (-1 for a false alarm), its time (s)
    and measured range (m), azimuth and elevation (rad); by radar, detections first."""

    radar: np.ndarray
    row: np.ndarray
    t_s: np.ndarray
    range_m: np.ndarray
    azimuth_rad: np.ndarray
    elevation_rad: np.ndarray

    @classmethod
    def of(cls, looks: _Looks, draws: list[RadarDraws]) -> _Measured:
        """The detections among ``looks`` (true values plus the drawn noise) and the drawn
        false alarms, ordered by radar."""
        detected = np.concatenate([d.detected for d in draws])
        local = looks.local_m[detected]
        noise = [np.concatenate([d.noise[i] for d in draws]) for i in range(3)]
        true = (
            looks.range_m[detected],
            np.arctan2(local[:, 0], local[:, 1]),
            looks.elevation_rad[detected],
        )
        false_counts = [len(d.false_t_s) for d in draws]
        false_radar = np.repeat(np.arange(len(draws)), false_counts)
        radar = np.concatenate((looks.radar[detected], false_radar))
        order = np.argsort(radar, kind="stable")
        columns = [
            np.concatenate((true[i] + noise[i], *(d.false_polar[i] for d in draws)))
            for i in range(3)
        ]
        row = np.concatenate((looks.row[detected], np.full(len(false_radar), -1)))
        t_s = np.concatenate((looks.t_s[detected], *(d.false_t_s for d in draws)))
        return cls(radar[order], row[order], t_s[order], *(c[order] for c in columns))


class _Frames(NamedTuple):
    """What turns each radar's plots into the run's frame: the frame's ECEF origin (m,
    (k, 3)) and ECEF-to-ENU rotation ((k, 3, 3)) as each radar holds them, and each
    radar's measurement variances (m^2, rad^2, rad^2; (k, 3))."""

    origin_ecef_m: np.ndarray
    rotation: np.ndarray
    sigma2: np.ndarray


class _Conversion(NamedTuple):
    """Measured plots turned into the run's frame: azimuth wrapped into [0, 2 pi) (rad),
    position (m, (n, 3)), covariance (m^2, (n, 3, 3)), direction of the azimuth (unit
    vector, (n, 3)) and the radar's position (m, (n, 3)), all in the run's ENU frame."""

    azimuth_rad: np.ndarray
    position_m: np.ndarray
    cov_m2: np.ndarray
    direction: np.ndarray
    sensor_local_m: np.ndarray

    @classmethod
    def of(
        cls,
        measured: _Measured,
        sensor_ecef_m: np.ndarray,
        frames: _Frames,
        to_frame: np.ndarray,
    ) -> _Conversion:
        """The conversion of ``measured``, made by radars at ECEF positions
        ``sensor_ecef_m`` (m) whose axes ``to_frame`` ``(k, 3, 3)`` turns into the run's
        frame; covariances are the first-order ones."""
        n = len(measured.t_s)
        range_m, elevation_rad = measured.range_m, measured.elevation_rad
        azimuth_rad = measured.azimuth_rad % TWO_PI
        cos_el, sin_el = np.cos(elevation_rad), np.sin(elevation_rad)
        cos_az, sin_az = np.cos(azimuth_rad), np.sin(azimuth_rad)
        unit = np.empty((n, 3))
        unit[:, 0], unit[:, 1], unit[:, 2] = cos_el * sin_az, cos_el * cos_az, sin_el
        jacobian = np.empty((n, 3, 3))
        jacobian[:, :, 0] = unit
        jacobian[:, 0, 1] = cos_el * cos_az * range_m
        jacobian[:, 1, 1] = -cos_el * sin_az * range_m
        jacobian[:, 2, 1] = 0 * sin_el * range_m
        jacobian[:, 0, 2] = -sin_el * sin_az * range_m
        jacobian[:, 1, 2] = -sin_el * cos_az * range_m
        jacobian[:, 2, 2] = cos_el * range_m
        position, cov, direction, sensor_local = plots_in_frame(
            measured.radar,
            range_m,
            unit,
            jacobian,
            sensor_ecef_m,
            frames.origin_ecef_m,
            frames.rotation,
            to_frame,
            frames.sigma2,
        )
        return cls(azimuth_rad, position, cov, direction, sensor_local)


def _replies(scene: Scene, measured: _Measured, ssr: np.ndarray) -> PlotColumns:
    """The secondary radar's columns of the plots (``ssr``: made by a radar with one):
    every detection of an own aircraft has its Mode 5 Level 2 reply (with the aircraft's
    :func:`mode5_pin`), every detection of a cooperative aircraft its ICAO address,
    callsign and Mode A code."""
    n = len(measured.t_s)
    asked = np.flatnonzero(ssr & (measured.row >= 0))
    seen = measured.row[asked]
    replying = asked[scene.cooperative[seen]]
    icao24 = np.zeros(n, np.uint32)
    callsign = np.full(n, "", object)
    squawk = np.zeros(n, np.int16)
    mode5 = np.zeros(n, bool)
    icao24[replying] = scene.icao24[measured.row[replying]]
    callsign[replying] = scene.callsign[measured.row[replying]]
    squawk[replying] = scene.squawk[measured.row[replying]]
    mode5[asked] = scene.mode5[seen]
    pin = np.zeros(n, np.uint16)
    pin[mode5] = mode5_pin(scene.object_id[measured.row[mode5]])
    return {
        "icao24": icao24,
        "callsign": callsign,
        "squawk": squawk,
        "mode5": mode5,
        "mode5_pin": pin,
    }


MODE5_PINS = 16383
"""Platform Identification Numbers a Mode 5 Level 2 reply can carry (1 to 16383: 14 bits,
0 unused)."""


def mode5_pin(object_id: np.ndarray) -> np.ndarray:
    """The Mode 5 Platform Identification Number (PIN) each simulated object answers with:
    its own for each of the first 16,383 objects, ``1 + object_id mod 16383``."""
    return (1 + np.asarray(object_id, np.int64) % MODE5_PINS).astype(np.uint16)


def _bounds(radar: np.ndarray, k: int) -> list[int]:
    """Where each of ``k`` radars' rows start in rows ordered by radar index ``radar``,
    and where the last ends (``k + 1`` offsets)."""
    return [0, *np.cumsum(np.bincount(radar, minlength=k)).tolist()]
