"""A rotating surveillance radar: ground-based, on an aerostat or on an aircraft.

The beam turns once per scan period. A target is looked at when the beam's
azimuth passes it, so plots carry the exact time of that look, not the step's
(the azimuth that sets the look time is taken at the window's start).
It is detected when it is within the instrumented range, above the minimum
range, below the greatest elevation and above the 4/3-earth horizon, with the
probability the radar equation and its Swerling case give. Range, azimuth and
elevation get Gaussian noise; the plot's Cartesian position and covariance in
the run's frame are the converted measurement and its first-order covariance.
False alarms arrive as a Poisson number per scan, spread uniformly in range
(by area), azimuth and the lowest quarter of the elevation coverage. A radar
with a co-mounted secondary radar (``ssr``) gives the plots of transponder-equipped
aircraft their ICAO address, callsign and Mode A code, as a Mode S reply would; its
interrogator also gets IFF Mode 5 replies from own aircraft (the plot's ``mode5``).
A Mode 5 reply is assumed to come with every detection of such an aircraft.
"""

from __future__ import annotations

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.horizon import above_horizon
from flankwatch.scenario.catalogue import RadarType
from flankwatch.sim.sensors.base import Pose, Scene, SensorInfo
from flankwatch.sim.sensors.detection import detection_probability, radar_snr, reference_snr
from flankwatch.sim.sensors.schedule import report_times
from flankwatch.stream import PlotColumns, PlotKind, position_columns

TWO_PI = 2.0 * np.pi


class Radar:
    """One radar; see the module docstring for its model."""

    def __init__(
        self,
        sensor_id: int,
        name: str,
        type_key: str,
        spec: RadarType,
        pose: Pose,
        frame: LocalFrame,
        rng: np.random.Generator,
    ) -> None:
        self.sensor_id = sensor_id
        self.name = name
        self.type_key = type_key
        self.spec = spec
        self.pose = pose
        self.frame = frame
        self.rng = rng
        self.snr_ref = reference_snr(spec.reference_pd, spec.pfa)
        self.beam_phase_rad = float(rng.uniform(0.0, TWO_PI))
        self.max_elevation_rad = np.radians(spec.max_elevation_deg)
        self.sigmas = np.radians([spec.sigma_azimuth_deg, spec.sigma_elevation_deg])
        self.sigma2 = np.array([spec.sigma_range_m**2, self.sigmas[0] ** 2, self.sigmas[1] ** 2])
        """Variances of range (m^2), azimuth and elevation (rad^2)."""
        self.noise = (spec.sigma_range_m, *self.sigmas)
        """Standard deviations of range (m), azimuth and elevation (rad)."""
        self._frame_rotation: tuple[np.ndarray, np.ndarray] | None = None

    def table(self) -> list[SensorInfo]:
        """This radar's row of the sensor table."""
        position, _ = self.pose.at(0.0)
        lat, lon, _ = self.frame.enu_to_geodetic(self.frame.ecef_to_enu(position))
        return [
            SensorInfo(
                self.sensor_id,
                self.name,
                self.type_key,
                "radar",
                self.spec.platform,
                float(lat),
                float(lon),
                self.pose.height_m,
                self.spec.range_m,
                self.spec.scan_period_s,
            )
        ]

    def beam_azimuth(self, t_s: float) -> float:
        """Azimuth of the beam at ``t_s``, rad from north in the radar's own frame."""
        return (self.beam_phase_rad + TWO_PI * t_s / self.spec.scan_period_s) % TWO_PI

    def observe(self, scene: Scene) -> list[PlotColumns]:
        """Detections and false alarms of the beam's sweeps during the scene's window."""
        t0, t1 = scene.t0_s, scene.t1_s
        period = self.spec.scan_period_s
        rate = TWO_PI / period
        position0, rotation = self.pose.at(t0)
        position1, _ = self.pose.at(t1)
        beam0 = self.beam_azimuth(t0)

        offset = (scene.reference_ecef_m - position0) @ rotation.T
        moved_m = 0.0 if position1 is position0 else np.linalg.norm(position1 - position0)
        reach = self.spec.range_m + scene.max_travel_m + moved_m
        near = np.flatnonzero(np.einsum("ij,ij->i", offset, offset) <= reach**2)
        if not len(near):
            return self._false_plots(t0, t1, beam0, position0, position1, rotation)
        azimuth0 = np.arctan2(offset[near, 0], offset[near, 1])
        which, t_look = report_times(t0, t1, period, t0 + ((azimuth0 - beam0) % TWO_PI) / rate)
        rows = near[which]
        if not len(rows):
            return self._false_plots(t0, t1, beam0, position0, position1, rotation)
        sensor_at = _interpolate(position0, position1, (t_look - t0) / (t1 - t0))
        target_at, target_alt = scene.at(rows, t_look)
        local = (target_at - sensor_at) @ rotation.T
        rng_m = np.linalg.norm(local, axis=1)
        with np.errstate(invalid="ignore"):
            sin_elevation = local[:, 2] / np.maximum(rng_m, 1e-9)
            elevation = np.arcsin(np.minimum(np.maximum(sin_elevation, -1.0), 1.0))
            visible = (
                (rng_m <= self.spec.range_m)
                & (rng_m >= self.spec.min_range_m)
                & (elevation <= self.max_elevation_rad)
                & above_horizon(rng_m, self.pose.height_m, target_alt)
            )
        rows, t_look, local, rng_m = rows[visible], t_look[visible], local[visible], rng_m[visible]
        if not len(rows):
            return self._false_plots(t0, t1, beam0, position0, position1, rotation)
        snr = radar_snr(
            rng_m,
            scene.rcs_m2[rows],
            self.snr_ref,
            self.spec.reference_range_m,
            self.spec.reference_rcs_m2,
        )
        pd = detection_probability(snr, self.spec.pfa, scene.swerling[rows])
        detected = self.rng.random(len(rows)) < pd
        n = int(detected.sum())
        false_t, false_polar = self._false_alarms(t0, t1, beam0, rate)
        t_s = np.concatenate((t_look[detected], false_t))
        true_polar = (
            rng_m[detected],
            np.arctan2(local[detected, 0], local[detected, 1]),
            elevation[visible][detected],
        )
        range_m, azimuth_rad, elevation_rad = (
            np.concatenate((true + self.rng.normal(0.0, sigma, n), false))
            for true, sigma, false in zip(true_polar, self.noise, false_polar, strict=True)
        )
        truth_id = np.concatenate((scene.object_id[rows[detected]], np.full(len(false_t), -1)))
        sensor_at = _interpolate(position0, position1, (t_s - t0) / (t1 - t0))
        plots = self._plots(t_s, range_m, azimuth_rad, elevation_rad, sensor_at, rotation, truth_id)
        if self.spec.ssr and n:
            seen = rows[detected]
            replying = np.flatnonzero(scene.cooperative[seen])
            icao24 = np.zeros(len(t_s), np.uint32)
            callsign = np.full(len(t_s), "", object)
            squawk = np.zeros(len(t_s), np.int16)
            icao24[replying] = scene.icao24[seen][replying]
            callsign[replying] = scene.callsign[seen][replying]
            squawk[replying] = scene.squawk[seen][replying]
            mode5 = np.zeros(len(t_s), bool)
            mode5[:n] = scene.mode5[seen]
            plots.update(icao24=icao24, callsign=callsign, squawk=squawk, mode5=mode5)
        return [plots]

    def _false_plots(
        self,
        t0: float,
        t1: float,
        beam0: float,
        position0: np.ndarray,
        position1: np.ndarray,
        rotation: np.ndarray,
    ) -> list[PlotColumns]:
        """The plots of a window in which no object is in view: false alarms only (the same
        draws and plots as :meth:`observe` makes then, without its empty arrays)."""
        t_s, (range_m, azimuth_rad, elevation_rad) = self._false_alarms(
            t0, t1, beam0, TWO_PI / self.spec.scan_period_s
        )
        sensor_at = _interpolate(position0, position1, (t_s - t0) / (t1 - t0))
        polar = (range_m, azimuth_rad, elevation_rad)
        return [self._plots(t_s, *polar, sensor_at, rotation, np.full(len(t_s), -1))]

    def _false_alarms(
        self, t0: float, t1: float, beam0: float, rate: float
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Times (s) and polar positions (range m, azimuth and elevation rad) of false plots."""
        sweep = rate * (t1 - t0)
        n = int(self.rng.poisson(self.spec.false_alarms_per_scan * sweep / TWO_PI))
        along = self.rng.uniform(0.0, sweep, n)
        low, high = self.spec.min_range_m, self.spec.range_m
        ranges = np.sqrt(self.rng.uniform(low**2, high**2, n))
        elevations = self.rng.uniform(0.0, self.max_elevation_rad / 4.0, n)
        return t0 + along / rate, (ranges, beam0 + along, elevations)

    def _to_frame(self, rotation: np.ndarray) -> np.ndarray:
        """The matrix turning the radar's own ENU axes (ECEF-to-ENU ``rotation``) into the
        run's frame (kept while the radar's rotation stays the same: a fixed radar)."""
        kept = self._frame_rotation
        if kept is not None and kept[0] is rotation:
            return kept[1]
        to_frame = self.frame.rotation @ rotation.T
        self._frame_rotation = (rotation, to_frame)
        return to_frame

    def _plots(
        self,
        t_s: np.ndarray,
        range_m: np.ndarray,
        azimuth_rad: np.ndarray,
        elevation_rad: np.ndarray,
        sensor_ecef_m: np.ndarray,
        rotation: np.ndarray,
        truth_id: np.ndarray,
    ) -> PlotColumns:
        """Plots of polar measurements, converted into the run's frame with their covariance."""
        n = len(t_s)
        if n == 0:
            return {}
        azimuth_rad = azimuth_rad % TWO_PI
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
        to_frame = self._to_frame(rotation)
        sensor_local = self.frame.ecef_to_enu(sensor_ecef_m)
        position = sensor_local + (range_m[:, None] * unit) @ to_frame.T
        jacobian = to_frame @ jacobian
        cov = np.einsum("nij,j,nkj->nik", jacobian, self.sigma2, jacobian)
        direction = unit @ to_frame.T
        return {
            "t_s": t_s,
            "sensor_id": self.sensor_id,
            "kind": PlotKind.RADAR,
            **position_columns(position, cov),
            "range_m": range_m,
            "azimuth_rad": azimuth_rad,
            "elevation_rad": elevation_rad,
            "bearing_rad": np.arctan2(direction[:, 0], direction[:, 1]),
            "sigma_range_m": self.spec.sigma_range_m,
            "sigma_azimuth_rad": self.sigmas[0],
            "sigma_elevation_rad": self.sigmas[1],
            "sensor_x_m": sensor_local[:, 0],
            "sensor_y_m": sensor_local[:, 1],
            "sensor_z_m": sensor_local[:, 2],
            "truth_id": truth_id,
        }


def _interpolate(start: np.ndarray, end: np.ndarray, fraction: np.ndarray) -> np.ndarray:
    """Points a ``fraction`` of the way from ``start`` to ``end``, shape (n, 3)."""
    fraction = np.asarray(fraction, float)[:, None]
    return start[None, :] * (1.0 - fraction) + end[None, :] * fraction
