"""Building a scenario's sensor models, through a registry of sensor kinds.

A new kind of sensor plugs in by adding a builder to :data:`BUILDERS`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.geodesy import distance_azimuth, forward
from flankwatch.scenario.catalogue import AcousticType, AdsbType, RadarType, sensor_types
from flankwatch.scenario.schema import (
    FixedPlacement,
    LinePlacement,
    OrbitPlacement,
    Scenario,
    Sensor,
    overridden_type,
)
from flankwatch.sim.sensors.acoustic import AcousticNodes
from flankwatch.sim.sensors.adsb import AdsbStation
from flankwatch.sim.sensors.base import FixedPose, OrbitPose, Pose, SensorModel
from flankwatch.sim.sensors.radar import Radar

SensorSpec = RadarType | AdsbType | AcousticType
Builder = Callable[
    [int, Sensor, SensorSpec, LocalFrame, np.random.Generator], tuple[SensorModel, int]
]


def _height(sensor: Sensor, spec: SensorSpec) -> float:
    """Antenna height above the ground, m: the sensor's own or its type's."""
    return sensor.height_m if sensor.height_m is not None else spec.height_m


def _poses(sensor: Sensor, spec: SensorSpec, rng: np.random.Generator) -> list[Pose]:
    """Where the sensor is (one pose per node of a line); the schema has checked that
    the placement suits the type."""
    match sensor.placement:
        case FixedPlacement(at=at):
            return [FixedPose(at.lat, at.lon, _height(sensor, spec))]
        case OrbitPlacement() as orbit:
            phase = float(rng.uniform(0.0, 2 * np.pi))
            return [
                OrbitPose(
                    orbit.center.lat,
                    orbit.center.lon,
                    orbit.radius_m,
                    orbit.alt_m,
                    orbit.speed_mps,
                    phase,
                )
            ]
        case LinePlacement() as line:
            length, azimuth = distance_azimuth(
                line.start.lat, line.start.lon, line.end.lat, line.end.lon
            )
            lat, lon, _ = forward(
                line.start.lat,
                line.start.lon,
                azimuth,
                np.linspace(0.0, float(length), line.count),
            )
            height = _height(sensor, spec)
            return [FixedPose(float(a), float(o), height) for a, o in zip(lat, lon, strict=True)]
    raise TypeError(f"unknown placement {sensor.placement!r}")


def _fixed_poses(sensor: Sensor, spec: SensorSpec, rng: np.random.Generator) -> list[FixedPose]:
    poses = _poses(sensor, spec, rng)
    if not all(isinstance(pose, FixedPose) for pose in poses):
        raise TypeError(f"sensor {sensor.name} of type {sensor.type} must stand still")
    return [pose for pose in poses if isinstance(pose, FixedPose)]


def _build_radar(
    sensor_id: int, sensor: Sensor, spec: SensorSpec, frame: LocalFrame, rng: np.random.Generator
) -> tuple[SensorModel, int]:
    if not isinstance(spec, RadarType):
        raise TypeError(f"sensor {sensor.name}: {sensor.type} is not a radar")
    (pose,) = _poses(sensor, spec, rng)
    return Radar(sensor_id, sensor.name, sensor.type, spec, pose, frame, rng), 1


def _build_adsb(
    sensor_id: int, sensor: Sensor, spec: SensorSpec, frame: LocalFrame, rng: np.random.Generator
) -> tuple[SensorModel, int]:
    if not isinstance(spec, AdsbType):
        raise TypeError(f"sensor {sensor.name}: {sensor.type} is not an ADS-B station")
    (pose,) = _fixed_poses(sensor, spec, rng)
    return AdsbStation(sensor_id, sensor.name, sensor.type, spec, pose, frame, rng), 1


def _build_acoustic(
    sensor_id: int, sensor: Sensor, spec: SensorSpec, frame: LocalFrame, rng: np.random.Generator
) -> tuple[SensorModel, int]:
    if not isinstance(spec, AcousticType):
        raise TypeError(f"sensor {sensor.name}: {sensor.type} is not an acoustic node")
    poses = _fixed_poses(sensor, spec, rng)
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
        spec = overridden_type(types[sensor.type], sensor)
        model, n_ids = BUILDERS[spec.kind](
            next_id, sensor, spec, frame, np.random.default_rng(seed)
        )
        models.append(model)
        next_id += n_ids
    return models
