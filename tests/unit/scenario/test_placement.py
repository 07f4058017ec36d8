"""A sensor's placement: written `at`/`orbit`/`line`, validated into a tagged union."""

from __future__ import annotations

import numpy as np
import pytest

from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.geodesy import distance_azimuth
from flankwatch.scenario.loader import ScenarioError, parse_scenario
from flankwatch.scenario.schema import (
    FixedPlacement,
    LinePlacement,
    OrbitPlacement,
    Scenario,
    Sensor,
    frame_anchor_points,
)
from flankwatch.sim.sensors.base import FixedPose, OrbitPose
from flankwatch.sim.sensors.factory import build_sensors

HEAD = """\
name: placement-test
start: 2025-09-10T00:00:00+00:00
duration_s: 60
seed: 1
sensors:
"""

SENSORS = """\
  - name: radar
    type: gap-filler
    at: warsaw
  - name: awacs
    type: awacs
    orbit: {center: [52.4, 19.6], radius_m: 40000, alt_m: 9000, speed_mps: 180}
  - name: picket
    type: acoustic-node
    line:
      start: [51.0, 23.0]
      end: [51.0, 24.0]
      count: 11
"""


def _scenario(sensors: str = SENSORS) -> Scenario:
    return parse_scenario(HEAD + sensors, "placement.yaml")


def _fault(sensors: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        _scenario(sensors)
    return caught.value


def _line(text: str, fragment: str) -> int:
    (found,) = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return found


def test_each_key_becomes_its_kind_of_placement() -> None:
    radar, awacs, picket = _scenario().sensors
    assert isinstance(radar.placement, FixedPlacement)
    assert radar.placement.kind == "fixed"
    assert radar.placement.at.name  # the gazetteer name was resolved
    assert isinstance(awacs.placement, OrbitPlacement)
    assert awacs.placement.radius_m == 40_000
    assert isinstance(picket.placement, LinePlacement)
    assert picket.placement.count == 11


def test_anchor_points_are_the_point_the_centre_or_the_two_ends() -> None:
    radar, awacs, picket = _scenario().sensors
    assert radar.placement.anchor_points() == [(radar.placement.at.lat, radar.placement.at.lon)]
    assert awacs.placement.anchor_points() == [(52.4, 19.6)]
    assert picket.placement.anchor_points() == [(51.0, 23.0), (51.0, 24.0)]
    scenario = _scenario()
    assert frame_anchor_points(scenario) == [
        point for sensor in scenario.sensors for point in sensor.placement.anchor_points()
    ]


def test_a_sensor_can_be_made_in_code_either_way() -> None:
    by_key = Sensor.model_validate({"name": "r", "type": "gap-filler", "at": [52.0, 21.0]})
    tagged = Sensor(
        name="r", type="gap-filler", placement=FixedPlacement(at={"lat": 52.0, "lon": 21.0})
    )
    assert by_key == tagged


@pytest.mark.parametrize(
    ("sensors", "field", "fragment"),
    [
        (SENSORS.replace("radius_m: 40000", "radius_m: -1"), "sensors[1].orbit.radius_m", "orbit:"),
        (SENSORS.replace("at: warsaw", "at: atlantis"), "sensors[0].at", "at: atlantis"),
        (SENSORS.replace("count: 11", "count: 1"), "sensors[2].line.count", "count: 1"),
        (SENSORS.replace("end: [51.0, 24.0]", "end: [51.0]"), "sensors[2].line.end", "end:"),
        (SENSORS.replace(", speed_mps: 180", ""), "sensors[1].orbit.speed_mps", "orbit:"),
        (SENSORS.replace("alt_m: 9000", "alt_m: 9000, tilt: 3"), "sensors[1].orbit.tilt", "orbit:"),
    ],
)  # fmt: skip
def test_a_fault_inside_a_placement_is_named_by_the_key_written(
    sensors: str, field: str, fragment: str
) -> None:
    error = _fault(sensors)
    found = [p for p in error.problems if p.field == field]
    assert found, str(error)
    assert found[0].line == _line(HEAD + sensors, fragment)


@pytest.mark.parametrize(
    "sensor",
    [
        "  - {name: r, type: gap-filler}\n",
        "  - {name: r, type: gap-filler, at: warsaw, line: {start: [1, 1], end: [1, 2]}}\n",
    ],
)
def test_exactly_one_placement_is_given(sensor: str) -> None:
    (problem,) = _fault(sensor).problems
    assert problem.field == "sensors[0]"
    assert "exactly one of at, orbit or line" in problem.message


@pytest.mark.parametrize(
    ("sensor", "field", "words"),
    [
        ("  - {name: a, type: awacs, at: warsaw}\n", "sensors[0]", "needs an orbit"),
        (
            "  - {name: r, type: gap-filler, orbit: {center: warsaw, radius_m: 5000,"
            " alt_m: 100, speed_mps: 50}}\n",
            "sensors[0].orbit",
            "cannot fly an orbit",
        ),
        (
            "  - {name: r, type: gap-filler, line: {start: [52, 21], end: [52, 22], count: 3}}\n",
            "sensors[0].line",
            "only acoustic nodes",
        ),
    ],
)
def test_a_placement_must_suit_the_sensor_type(sensor: str, field: str, words: str) -> None:
    error = _fault(sensor)
    assert any(p.field == field and words in p.message for p in error.problems), str(error)


def test_the_factory_builds_a_pose_per_placement() -> None:
    scenario = _scenario()
    seeds = np.random.SeedSequence(1).spawn(len(scenario.sensors))
    radar, awacs, picket = build_sensors(scenario, LocalFrame(52.0, 21.0), seeds)
    assert isinstance(radar.pose, FixedPose)  # type: ignore[attr-defined]
    assert isinstance(awacs.pose, OrbitPose)  # type: ignore[attr-defined]
    assert awacs.pose.radius_m == 40_000  # type: ignore[attr-defined]
    nodes = picket.poses  # type: ignore[attr-defined]
    assert len(nodes) == 11
    assert (nodes[0].lat_deg, nodes[0].lon_deg) == pytest.approx((51.0, 23.0))
    assert (nodes[-1].lat_deg, nodes[-1].lon_deg) == pytest.approx((51.0, 24.0))
    gaps, _ = distance_azimuth(
        [n.lat_deg for n in nodes[:-1]],
        [n.lon_deg for n in nodes[:-1]],
        [n.lat_deg for n in nodes[1:]],
        [n.lon_deg for n in nodes[1:]],
    )
    assert np.ptp(gaps) < 1e-3  # evenly spaced
