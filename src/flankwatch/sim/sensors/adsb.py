"""An ADS-B ground station: positions and identities broadcast by cooperative aircraft.

Every cooperative aircraft within the station's range and radio horizon has
each periodic position report received with probability ``pd``. A report
carries the aircraft's ICAO address, callsign and Mode A code and its position with a
Gaussian error (``sigma_m`` horizontally, ``sigma_alt_m`` in altitude); its
time phase is set by the aircraft's address, as real squitters are unsynchronised.
The error is the aircraft's own (its navigation solution, drawn with the scene:
:attr:`~flankwatch.sim.sensors.base.Scene.squitter_error`), so stations of one type
that hear the same squitter report the same position at the same time.
"""

from __future__ import annotations

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.horizon import above_horizon
from flankwatch.scenario.catalogue import AdsbType
from flankwatch.sim.sensors.base import FixedPose, Scene, SensorInfo
from flankwatch.sim.sensors.schedule import report_times
from flankwatch.stream import PlotColumns, PlotKind


class AdsbStation:
    """One ADS-B ground station; see the module docstring for its model."""

    def __init__(
        self,
        sensor_id: int,
        name: str,
        type_key: str,
        spec: AdsbType,
        pose: FixedPose,
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
        self.position_ecef_m, _ = pose.at(0.0)
        self.position_local_m = frame.ecef_to_enu(self.position_ecef_m)

    def table(self) -> list[SensorInfo]:
        """This station's row of the sensor table."""
        return [
            SensorInfo(
                self.sensor_id,
                self.name,
                self.type_key,
                "adsb",
                self.spec.platform,
                self.pose.lat_deg,
                self.pose.lon_deg,
                self.pose.height_m,
                self.spec.range_m,
                self.spec.scan_period_s,
            )
        ]

    def observe(self, scene: Scene) -> list[PlotColumns]:
        """The position reports received during the scene's step."""
        period = self.spec.scan_period_s
        squitters = scene.kept(("squitters", period), lambda: _squitters(scene, period))
        rows, t, position, alt = squitters
        if not len(rows):
            return []
        distance = np.linalg.norm(position - self.position_ecef_m, axis=1)
        with np.errstate(invalid="ignore"):
            received = (
                (distance <= self.spec.range_m)
                & above_horizon(distance, self.pose.height_m, alt)
                & (self.rng.random(len(rows)) < self.spec.pd)
            )
        rows, t = rows[received], t[received]
        n = len(rows)
        if n == 0:
            return []
        sigma = np.array([self.spec.sigma_m, self.spec.sigma_m, self.spec.sigma_alt_m])
        error = scene.squitter_errors(rows, t)
        local = self.frame.ecef_to_enu(position[received]) + error * sigma
        return [
            {
                "t_s": t,
                "sensor_id": self.sensor_id,
                "kind": PlotKind.ADSB,
                "x_m": local[:, 0],
                "y_m": local[:, 1],
                "z_m": local[:, 2],
                "cov_xx_m2": sigma[0] ** 2,
                "cov_xy_m2": 0.0,
                "cov_xz_m2": 0.0,
                "cov_yy_m2": sigma[1] ** 2,
                "cov_yz_m2": 0.0,
                "cov_zz_m2": sigma[2] ** 2,
                "sensor_x_m": self.position_local_m[0],
                "sensor_y_m": self.position_local_m[1],
                "sensor_z_m": self.position_local_m[2],
                "icao24": scene.icao24[rows],
                "callsign": scene.callsign[rows],
                "squawk": scene.squawk[rows],
                "truth_id": scene.object_id[rows],
            }
        ]


def _squitters(
    scene: Scene, period_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The position squitters of the scene's cooperative aircraft, each sending every
    ``period_s`` (s) at a phase set by its address: the scene rows of the senders, the
    times (s), and the ECEF positions (m) and heights (m) then. Every station listening
    at that period hears these same squitters."""
    aircraft = np.flatnonzero(scene.cooperative)
    phase = (scene.icao24[aircraft] % 997) / 997.0 * period_s
    which, t = report_times(scene.t0_s, scene.t1_s, period_s, phase)
    rows = aircraft[which]
    position, alt = scene.at(rows, t)
    return rows, t, position, alt
