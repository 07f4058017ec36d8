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
A Mode 5 reply is assumed to come with every detection of such an aircraft, and to be a
Level 2 reply: it carries the aircraft's Platform Identification Number (``mode5_pin``,
one per simulated object: :func:`~flankwatch.sim.sensors.radar_sweep.mode5_pin`), which
the tracker holds the aircraft's track by, as it holds an airliner's by its ICAO address.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.catalogue import RadarType
from flankwatch.sim.sensors.base import Pose, Scene, SensorInfo
from flankwatch.sim.sensors.detection import detection_threshold, reference_snr
from flankwatch.sim.sensors.radar_sweep import TWO_PI, RadarGroup
from flankwatch.stream import PlotColumns


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
        self.threshold = detection_threshold(spec.pfa)
        """The detector's threshold (power ratio) for the type's false-alarm probability."""
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
        """Detections and false alarms of the beam's sweeps during the scene's window (the
        simulation observes with radars in groups: :mod:`~flankwatch.sim.sensors.radar_sweep`)."""
        return RadarGroup((self,)).observe(scene)

    def draw(self, t0: float, t1: float, beam0: float, pd: np.ndarray) -> RadarDraws:
        """The window's random draws, always in this order: whether each look (with
        detection probability ``pd``) detects, when there are looks; the false alarms;
        the noise of each detection's range, azimuth and elevation, when there are looks.
        ``beam0`` is the beam's azimuth at ``t0`` (rad)."""
        if not len(pd):
            nothing = np.zeros(0)
            false_t, false_polar = self._false_alarms(t0, t1, beam0)
            return RadarDraws(np.zeros(0, bool), false_t, false_polar, (nothing,) * 3)
        detected = self.rng.random(len(pd)) < pd
        n = int(detected.sum())
        false_t, false_polar = self._false_alarms(t0, t1, beam0)
        noise = (
            self.rng.normal(0.0, self.noise[0], n),
            self.rng.normal(0.0, self.noise[1], n),
            self.rng.normal(0.0, self.noise[2], n),
        )
        return RadarDraws(detected, false_t, false_polar, noise)

    def _false_alarms(
        self, t0: float, t1: float, beam0: float
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Times (s) and polar positions (range m, azimuth and elevation rad) of false plots."""
        rate = TWO_PI / self.spec.scan_period_s
        sweep = rate * (t1 - t0)
        n = int(self.rng.poisson(self.spec.false_alarms_per_scan * sweep / TWO_PI))
        along = self.rng.uniform(0.0, sweep, n)
        low, high = self.spec.min_range_m, self.spec.range_m
        ranges = np.sqrt(self.rng.uniform(low**2, high**2, n))
        elevations = self.rng.uniform(0.0, self.max_elevation_rad / 4.0, n)
        return t0 + along / rate, (ranges, beam0 + along, elevations)

    def to_frame(self, rotation: np.ndarray) -> np.ndarray:
        """The matrix turning the radar's own ENU axes (ECEF-to-ENU ``rotation``) into the
        run's frame (kept while the radar's rotation stays the same: a fixed radar)."""
        kept = self._frame_rotation
        if kept is not None and kept[0] is rotation:
            return kept[1]
        to_frame = self.frame.rotation @ rotation.T
        self._frame_rotation = (rotation, to_frame)
        return to_frame


class RadarDraws(NamedTuple):
    """One radar's random draws in a window (see :meth:`Radar.draw`)."""

    detected: np.ndarray
    """Whether each look detects (bool)."""
    false_t_s: np.ndarray
    """Times of the false alarms, s."""
    false_polar: tuple[np.ndarray, np.ndarray, np.ndarray]
    """Range (m), azimuth and elevation (rad) of the false alarms."""
    noise: tuple[np.ndarray, np.ndarray, np.ndarray]
    """Noise of each detection's range (m), azimuth and elevation (rad)."""
