"""Passive acoustic nodes: bearings to loud objects a few kilometres away.

A set of identical nodes (one node, or a picket line of many) shares one model.
A node hears a source of sound level ``L`` (dB at 1 m) out to
``range_m * 10^((L - reference_sound_db) / 20)`` (spherical spreading), at most
twice its nominal range. Each node reports every scan period, at its own phase;
a heard object is reported with probability ``pd`` as a bearing with Gaussian
noise. False bearings arrive as a Poisson number per node and scan. Node-object
pairs are found with a k-d tree, never by an all-pairs loop.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from flankwatch.geo.frames import LocalFrame, enu_rotation
from flankwatch.scenario.catalogue import AcousticType
from flankwatch.sim.sensors.base import FixedPose, Scene, SensorInfo
from flankwatch.sim.sensors.schedule import report_times
from flankwatch.stream import PlotColumns, PlotKind

MAX_RANGE_FACTOR = 2.0
"""Greatest detection range as a multiple of the nominal range."""


class AcousticNodes:
    """Identical acoustic nodes at fixed points; see the module docstring for the model."""

    def __init__(
        self,
        first_sensor_id: int,
        name: str,
        type_key: str,
        spec: AcousticType,
        poses: list[FixedPose],
        frame: LocalFrame,
        rng: np.random.Generator,
    ) -> None:
        self.first_sensor_id = first_sensor_id
        self.name = name
        self.type_key = type_key
        self.spec = spec
        self.poses = poses
        self.frame = frame
        self.rng = rng
        self.position_ecef_m = np.array([pose.at(0.0)[0] for pose in poses])
        self.position_local_m = frame.ecef_to_enu(self.position_ecef_m)
        rotations = np.array([enu_rotation(p.lat_deg, p.lon_deg) for p in poses])
        self.rotation = rotations
        self.to_frame = np.einsum("ij,nkj->nik", frame.rotation, rotations)
        self.tree = cKDTree(self.position_ecef_m)
        self.phase_s = rng.uniform(0.0, spec.scan_period_s, len(poses))
        self.sigma_rad = np.radians(spec.sigma_azimuth_deg)

    def table(self) -> list[SensorInfo]:
        """One sensor-table row per node."""
        suffix = len(self.poses) > 1
        return [
            SensorInfo(
                self.first_sensor_id + i,
                f"{self.name}-{i + 1}" if suffix else self.name,
                self.type_key,
                "acoustic",
                self.spec.platform,
                pose.lat_deg,
                pose.lon_deg,
                pose.height_m,
                self.spec.range_m,
                self.spec.scan_period_s,
            )
            for i, pose in enumerate(self.poses)
        ]

    def observe(self, scene: Scene) -> list[PlotColumns]:
        """Bearings reported by every node during the scene's step."""
        return [self._detections(scene), self._false_alarms(scene)]

    def _detections(self, scene: Scene) -> PlotColumns:
        if not len(scene):
            return {}
        reach = MAX_RANGE_FACTOR * self.spec.range_m
        objects = scene.kept("objects' k-d tree", lambda: cKDTree(scene.reference_ecef_m))
        pairs = objects.sparse_distance_matrix(
            self.tree, reach + scene.max_travel_m, output_type="ndarray"
        )
        if not len(pairs):
            return {}
        order = np.lexsort((pairs["j"], pairs["i"]))
        rows, nodes = pairs["i"][order].astype(np.int64), pairs["j"][order].astype(np.int64)
        pair, t = report_times(scene.t0_s, scene.t1_s, self.spec.scan_period_s, self.phase_s[nodes])
        rows, nodes = rows[pair], nodes[pair]
        line_of_sight = scene.at(rows, t)[0] - self.position_ecef_m[nodes]
        distance = np.linalg.norm(line_of_sight, axis=1)
        heard_to = np.minimum(
            self.spec.range_m * 10 ** ((scene.sound_db[rows] - self.spec.reference_sound_db) / 20),
            reach,
        )
        with np.errstate(invalid="ignore"):
            heard = (distance <= heard_to) & (self.rng.random(len(rows)) < self.spec.pd)
        rows, nodes, t = rows[heard], nodes[heard], t[heard]
        local = np.einsum("nij,nj->ni", self.rotation[nodes], line_of_sight[heard])
        azimuth = np.arctan2(local[:, 0], local[:, 1])
        azimuth = azimuth + self.rng.normal(0.0, self.sigma_rad, len(rows))
        return self._plots(t, nodes, azimuth, scene.object_id[rows])

    def _false_alarms(self, scene: Scene) -> PlotColumns:
        step = scene.t1_s - scene.t0_s
        mean = self.spec.false_alarms_per_scan * len(self.poses) * step / self.spec.scan_period_s
        n = int(self.rng.poisson(mean))
        if n == 0:
            return {}
        nodes = self.rng.integers(0, len(self.poses), n)
        t = self.rng.uniform(scene.t0_s, scene.t1_s, n)
        return self._plots(t, nodes, self.rng.uniform(0.0, 2 * np.pi, n), np.full(n, -1))

    def _plots(
        self, t_s: np.ndarray, nodes: np.ndarray, azimuth_rad: np.ndarray, truth_id: np.ndarray
    ) -> PlotColumns:
        n = len(t_s)
        if n == 0:
            return {}
        azimuth_rad = azimuth_rad % (2 * np.pi)
        horizontal = np.column_stack((np.sin(azimuth_rad), np.cos(azimuth_rad), np.zeros(n)))
        direction = np.einsum("nij,nj->ni", self.to_frame[nodes], horizontal)
        sensor = self.position_local_m[nodes]
        return {
            "t_s": t_s,
            "sensor_id": self.first_sensor_id + nodes,
            "kind": PlotKind.ACOUSTIC,
            "azimuth_rad": azimuth_rad,
            "bearing_rad": np.arctan2(direction[:, 0], direction[:, 1]),
            "sigma_azimuth_rad": self.sigma_rad,
            "sensor_x_m": sensor[:, 0],
            "sensor_y_m": sensor[:, 1],
            "sensor_z_m": sensor[:, 2],
            "truth_id": truth_id,
        }
