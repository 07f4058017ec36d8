"""Building a scenario's sensor models, through a registry of sensor kinds.

A new kind of sensor plugs in by adding a builder to :data:`BUILDERS`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.geodesy import distance_azimuth, forward
from flankwatch.scenario.catalogue import AcousticType, AdsbType, RadarType, sensor_types
from flankwatch.scenario.schema import Scenario, Sensor
from flankwatch.sim.sensors.acoustic import AcousticNodes
from flankwatch.sim.sensors.adsb import AdsbStation
from flankwatch.sim.sensors.base import FixedPose, OrbitPose, Pose, SensorModel
from flankwatch.sim.sensors.radar import Radar

SensorSpec = RadarType | AdsbType | AcousticType
Builder = Callable[
    [int, Sensor, SensorSpec, LocalFrame, np.random.Generator], tuple[SensorModel, int]
]


def _pose(sensor: Sensor, spec: SensorSpec, rng: np.random.Generator) -> Pose:
    """Where the sensor is; the schema has checked that the placement suits the type."""
    if sensor.orbit is not None:
        orbit = sensor.orbit
        return OrbitPose(
            orbit.center.lat,
            orbit.center.lon,
            orbit.radius_m,
            orbit.alt_m,
            orbit.speed_mps,
            float(rng.uniform(0.0, 2 * np.pi)),
        )
    height = sensor.height_m if sensor.height_m is not None else spec.height_m
    return FixedPose(sensor.at.lat, sensor.at.lon, height)


def _build_radar(
    sensor_id: int, sensor: Sensor, spec: SensorSpec, frame: LocalFrame, rng: np.random.Generator
) -> tuple[SensorModel, int]:
    return Radar(sensor_id, sensor.name, sensor.type, spec, _pose(sensor, spec, rng), frame, rng), 1


def _build_adsb(
    sensor_id: int, sensor: Sensor, spec: SensorSpec, frame: LocalFrame, rng: np.random.Generator
) -> tuple[SensorModel, int]:
    pose = FixedPose(sensor.at.lat, sensor.at.lon, sensor.height_m or spec.height_m)
    return AdsbStation(sensor_id, sensor.name, sensor.type, spec, pose, frame, rng), 1


def _build_acoustic(
    sensor_id: int, sensor: Sensor, spec: SensorSpec, frame: LocalFrame, rng: np.random.Generator
) -> tuple[SensorModel, int]:
    height = sensor.height_m if sensor.height_m is not None else spec.height_m
    if sensor.line is not None:
        line = sensor.line
        length, azimuth = distance_azimuth(
            line.start.lat, line.start.lon, line.end.lat, line.end.lon
        )
        lat, lon, _ = forward(
            line.start.lat, line.start.lon, azimuth, np.linspace(0.0, float(length), line.count)
        )
        poses = [FixedPose(float(a), float(o), height) for a, o in zip(lat, lon, strict=True)]
    else:
        poses = [FixedPose(sensor.at.lat, sensor.at.lon, height)]
    return AcousticNodes(sensor_id, sensor.name, sensor.type, spec, poses, frame, rng), len(poses)


BUILDERS: dict[str, Builder] = {
    "radar": _build_radar,
    "adsb": _build_adsb,
    "acoustic": _build_acoustic,
}
"""Sensor builders by kind of sensor type."""


def build_sensors(
    scenario: Scenario, frame: LocalFrame, seeds: list[np.random.SeedSequence]
) -> list[SensorModel]:
    """One model per scenario sensor entry, each with its own generator from ``seeds``."""
    types = sensor_types(scenario.catalogue.sensors)
    models: list[SensorModel] = []
    next_id = 0
    for sensor, seed in zip(scenario.sensors, seeds, strict=True):
        spec = _with_overrides(types[sensor.type], sensor)
        model, n_ids = BUILDERS[spec.kind](
            next_id, sensor, spec, frame, np.random.default_rng(seed)
        )
        models.append(model)
        next_id += n_ids
    return models


def _with_overrides(spec: SensorSpec, sensor: Sensor) -> SensorSpec:
    """The catalogue type with the instance's own scan period, range and false-alarm rate."""
    changes = {
        name: value
        for name in ("scan_period_s", "range_m", "false_alarms_per_scan")
        if (value := getattr(sensor, name)) is not None
    }
    return spec.model_copy(update=changes)
