"""Threat kinematics: objects fly their plans at their speed, turn, climb and end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.geodesy import distance_azimuth, forward, wrap_angle
from flankwatch.scenario.catalogue import builtin_threat_types
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.kinematics import ENDED, FLYING, WAITING, Kinematics
from flankwatch.sim.plans import FlightPlans, draw_plans

LAUNCH = (52.0, 22.0)
STEP_S = 1.0


@dataclass
class Flight:
    """Every object's state after each step: arrays of shape (steps, objects)."""

    plans: FlightPlans
    kinematics: Kinematics
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    heading_rad: np.ndarray
    phase: np.ndarray
    flown_m: np.ndarray

    def flying(self, obj: int) -> np.ndarray:
        """Indices of the steps after which object ``obj`` had moved (flying or just ended)."""
        return np.flatnonzero(np.isfinite(self.lat_deg[:, obj]))


def _fly(scenario: Scenario, steps: int, seed: int = 0) -> Flight:
    plans = draw_plans(scenario, np.random.default_rng(seed))
    kinematics = Kinematics(plans)
    records: dict[str, list[np.ndarray]] = {
        name: [] for name in ("lat_deg", "lon_deg", "alt_m", "heading_rad", "phase", "flown_m")
    }
    for k in range(steps):
        kinematics.advance(k * STEP_S, STEP_S)
        moved = np.zeros(len(plans), dtype=bool)
        moved[kinematics.phase != WAITING] = True
        for name in records:
            value = getattr(kinematics, name).astype(float)
            # positions are frozen once an object ends; keep only its steps in the air
            if name in ("lat_deg", "lon_deg", "alt_m"):
                value = np.where(moved, value, np.nan)
            records[name].append(value.copy())
    arrays = {name: np.array(values) for name, values in records.items()}
    ended_before = np.vstack([np.zeros(len(plans), bool), arrays["phase"][:-1] == ENDED])
    for name in ("lat_deg", "lon_deg", "alt_m"):
        arrays[name][ended_before] = np.nan
    return Flight(plans, kinematics, **arrays)


def _raid(**fields: Any) -> dict[str, Any]:
    raid: dict[str, Any] = {"name": "raid", "threat": "geran-2", "count": 1}
    if "launched_from" not in fields:
        raid["launch"] = list(LAUNCH)
    raid.update(fields)
    return raid


def _point(distance_m: float, azimuth_deg: float, start: tuple[float, float] = LAUNCH) -> list:
    lat, lon, _ = forward(start[0], start[1], np.radians(azimuth_deg), distance_m)
    return [float(lat), float(lon)]


Make = Callable[[dict[str, Any]], Scenario]


def test_an_object_flies_at_its_speed(base_scenario: dict, make_scenario: Make) -> None:
    base_scenario["raids"] = [_raid(speed_mps=50.0, target=_point(60_000.0, 90.0))]
    flight = _fly(make_scenario(base_scenario), 600)
    steps = flight.flying(0)
    assert len(steps) == 600  # 30 km flown, not yet arrived
    step_m, _ = distance_azimuth(
        flight.lat_deg[steps[:-1], 0],
        flight.lon_deg[steps[:-1], 0],
        flight.lat_deg[steps[1:], 0],
        flight.lon_deg[steps[1:], 0],
    )
    assert step_m == pytest.approx(np.full(len(step_m), 50.0 * STEP_S), rel=1e-6)
    assert flight.flown_m[-1, 0] == pytest.approx(600 * 50.0 * STEP_S)


def test_an_object_reaches_its_target_and_ends_there(
    base_scenario: dict, make_scenario: Make
) -> None:
    speed, distance = 50.0, 20_000.0
    target = _point(distance, 40.0)
    base_scenario["raids"] = [_raid(speed_mps=speed, target=target, first_launch=30.0)]
    flight = _fly(make_scenario(base_scenario), 800)
    assert flight.phase[-1, 0] == ENDED
    last = flight.flying(0)[-1]
    miss_m, _ = distance_azimuth(flight.lat_deg[last, 0], flight.lon_deg[last, 0], *target)
    assert miss_m < 3 * speed * STEP_S
    # a straight flight: it ends after the distance at its speed, one step either way
    end_t_s = flight.kinematics.end_t_s[0]
    assert end_t_s == pytest.approx(30.0 + distance / speed, abs=2 * STEP_S)
    assert flight.phase[int(30.0 / STEP_S) - 1, 0] == WAITING


def test_an_object_turns_at_a_waypoint_no_faster_than_its_turn_rate(
    base_scenario: dict, make_scenario: Make
) -> None:
    corner = _point(15_000.0, 90.0)
    base_scenario["raids"] = [
        _raid(
            speed_mps=50.0,
            route=[
                {"at": corner, "alt_m": 500.0},
                {"at": _point(15_000.0, 0.0, tuple(corner)), "alt_m": 0.0},
            ],
        )
    ]
    flight = _fly(make_scenario(base_scenario), 900)
    steps = flight.flying(0)
    heading = flight.heading_rad[steps, 0]
    turn_deg = np.degrees(np.abs(wrap_angle(np.diff(heading))))
    max_turn_deg = builtin_threat_types()["geran-2"].turn_rate_deg_s * STEP_S
    assert turn_deg.max() <= max_turn_deg + 1e-6
    # it did turn: from east to north
    assert np.degrees(wrap_angle(heading[0])) == pytest.approx(90.0, abs=1.0)
    assert np.degrees(wrap_angle(heading[-1])) == pytest.approx(0.0, abs=1.0)
    # the turn took at least 90 degrees at the turn rate
    assert np.count_nonzero(turn_deg > 0.1) >= 90.0 / max_turn_deg - 1


def test_an_object_climbs_and_descends_no_faster_than_its_climb_rate(
    base_scenario: dict, make_scenario: Make
) -> None:
    base_scenario["raids"] = [
        _raid(
            speed_mps=50.0,
            route=[
                {"at": _point(30_000.0, 90.0), "alt_m": 1_500.0},
                {"at": _point(70_000.0, 90.0), "alt_m": 0.0},
            ],
        )
    ]
    flight = _fly(make_scenario(base_scenario), 1_500)
    climb = builtin_threat_types()["geran-2"].climb_rate_mps
    alt = flight.alt_m[flight.flying(0), 0]
    change = np.diff(np.concatenate([[0.0], alt]))
    assert np.abs(change).max() <= climb * STEP_S + 1e-6
    assert alt.max() == pytest.approx(1_500.0)  # it reached the waypoint's altitude
    assert change.max() == pytest.approx(climb * STEP_S)  # climbing at the full rate
    assert change.min() == pytest.approx(-climb * STEP_S)  # descending at the full rate


@pytest.mark.parametrize("target_alt_m", [0.0, 300.0])
def test_an_object_descends_to_the_target_altitude_on_arrival(
    base_scenario: dict, make_scenario: Make, target_alt_m: float
) -> None:
    base_scenario["raids"] = [
        _raid(
            speed_mps=50.0,
            target=_point(40_000.0, 200.0),
            target_alt_m=target_alt_m,
            cruise_alt_m=1_200.0,
        )
    ]
    flight = _fly(make_scenario(base_scenario), 900)
    assert flight.phase[-1, 0] == ENDED
    alt = flight.alt_m[flight.flying(0), 0]
    assert alt.max() == pytest.approx(1_200.0)
    climb = builtin_threat_types()["geran-2"].climb_rate_mps
    assert alt[-1] == pytest.approx(target_alt_m, abs=2 * climb * STEP_S)


def test_a_ballistic_missile_peaks_at_its_apogee_halfway(
    base_scenario: dict, make_scenario: Make
) -> None:
    distance = 300_000.0
    base_scenario["raids"] = [_raid(threat="iskander-m", target=_point(distance, 100.0))]
    flight = _fly(make_scenario(base_scenario), 400)
    apogee = builtin_threat_types()["iskander-m"].manoeuvre.apogee_m
    assert apogee > 0.0
    steps = flight.flying(0)
    alt = flight.alt_m[steps, 0]
    top = int(np.argmax(alt))
    assert alt[top] == pytest.approx(apogee, rel=0.01)
    assert flight.flown_m[steps[top], 0] == pytest.approx(distance / 2, rel=0.02)
    assert alt[-1] == pytest.approx(0.0, abs=0.02 * apogee)
    assert flight.phase[-1, 0] == ENDED


def _cross_track_m(flight: Flight, obj: int, target: list) -> np.ndarray:
    steps = flight.flying(obj)
    d, az = distance_azimuth(*LAUNCH, flight.lat_deg[steps, obj], flight.lon_deg[steps, obj])
    _, course = distance_azimuth(*LAUNCH, *target)
    return d * np.sin(az - course)


def test_a_weaving_object_deviates_from_the_straight_course(
    base_scenario: dict, make_scenario: Make
) -> None:
    target = _point(150_000.0, 60.0)
    speed = 250.0
    base_scenario["raids"] = [
        _raid(name="weave", threat="kh-101", speed_mps=speed, target=target),
        _raid(name="straight", threat="geran-2", speed_mps=speed, target=target),
    ]
    flight = _fly(make_scenario(base_scenario), 700)
    weave = builtin_threat_types()["kh-101"].manoeuvre
    assert weave.kind == "weave"
    # a heading offset A sin(2 pi t / P) at speed v moves a path v A P / (2 pi) aside
    expected_m = speed * np.radians(weave.amplitude_deg) * weave.period_s / (2 * np.pi)
    weaving = _cross_track_m(flight, 0, target)
    straight = _cross_track_m(flight, 1, target)
    assert np.abs(straight).max() < 5.0
    assert np.abs(weaving).max() > 0.5 * expected_m
    assert np.abs(weaving).max() < 3.0 * expected_m
    assert weaving.max() > 0.0 > weaving.min()  # to both sides
    # and it still gets there
    assert flight.phase[-1, 0] == ENDED
    last = flight.flying(0)[-1]
    miss_m, _ = distance_azimuth(flight.lat_deg[last, 0], flight.lon_deg[last, 0], *target)
    assert miss_m < 3 * speed * STEP_S


def test_objects_launched_from_a_parent_start_at_its_position(
    base_scenario: dict, make_scenario: Make
) -> None:
    base_scenario["raids"] = [
        _raid(
            name="bombers",
            threat="tu-95ms",
            count=2,
            interval_s=60.0,
            target=_point(900_000.0, 270.0),
        ),
        _raid(
            name="missiles",
            threat="kh-101",
            count=4,
            launched_from="bombers",
            first_launch=300.0,
            interval_s=20.0,
            target=_point(200_000.0, 0.0),
        ),
    ]
    plans = draw_plans(make_scenario(base_scenario), np.random.default_rng(0))
    assert list(plans.parent) == [-1, -1, 0, 1, 0, 1]
    kinematics = Kinematics(plans)
    started: dict[int, np.ndarray] = {}
    for k in range(400):
        t_s = k * STEP_S
        motion = kinematics.advance(t_s, STEP_S)
        at = {int(i): motion.start_ecef_m[row] for row, i in enumerate(motion.object_id)}
        for child in range(2, 6):
            if child in at and child not in started:
                started[child] = at[child]
                parent = int(plans.parent[child])
                assert np.linalg.norm(at[child] - at[parent]) < 1e-3
                assert t_s == pytest.approx(np.ceil(plans.launch_t_s[child]))
    assert sorted(started) == [2, 3, 4, 5]
    # the bombers had flown from their site, so the missiles did not start there
    frame = LocalFrame(*LAUNCH)
    for child, ecef in started.items():
        assert np.linalg.norm(frame.ecef_to_enu(ecef)[:2]) > 10_000.0, child


def test_an_object_ends_when_its_range_is_flown(
    base_scenario: dict, make_scenario: Make, probe_threat: dict
) -> None:
    speed, range_m = 50.0, 20_000.0
    probe_threat.update(range_m=range_m, speed_mps=[speed, speed], climb_rate_mps=5.0)
    base_scenario["catalogue"] = {"threats": {"short-legged": probe_threat}}
    base_scenario["raids"] = [_raid(threat="short-legged", target=_point(100_000.0, 120.0))]
    flight = _fly(make_scenario(base_scenario), 600)
    assert flight.phase[-1, 0] == ENDED
    assert flight.kinematics.flown_m[0] == pytest.approx(range_m, abs=speed * STEP_S)
    assert flight.kinematics.end_t_s[0] == pytest.approx(range_m / speed, abs=STEP_S)
    last = flight.flying(0)[-1]
    from_launch, _ = distance_azimuth(*LAUNCH, flight.lat_deg[last, 0], flight.lon_deg[last, 0])
    assert from_launch == pytest.approx(range_m, abs=speed * STEP_S)
    assert flight.phase[int(range_m / speed) - 5, 0] == FLYING


def _catch_up_flight(
    make_scenario: Make, base_scenario: dict, raid: dict[str, Any], early_s: float
) -> tuple[Flight, Flight]:
    """The same raid flown twice: launched at ``early_s`` before the start, and launched
    at the start of a run that began ``early_s`` earlier (the reference)."""
    base_scenario["raids"] = [{**raid, "first_launch": -early_s}]
    late = _fly(make_scenario(base_scenario), 300)
    base_scenario["raids"] = [{**raid, "first_launch": 0.0}]
    reference = _fly(make_scenario(base_scenario), int(early_s / STEP_S) + 300)
    return late, reference


def test_an_object_launched_before_the_start_is_in_flight_at_the_start(
    base_scenario: dict, make_scenario: Make
) -> None:
    early_s = 600.0
    corner = _point(10_000.0, 90.0)
    raid = _raid(
        speed_mps=50.0,
        route=[
            {"at": corner, "alt_m": 800.0},
            {"at": _point(60_000.0, 10.0, tuple(corner)), "alt_m": 0.0},
        ],
    )
    late, reference = _catch_up_flight(make_scenario, base_scenario, raid, early_s)
    assert late.plans.launch_t_s[0] == pytest.approx(-early_s)
    assert late.phase[0, 0] == FLYING and late.kinematics.launched[0]
    # not at the launch site: where the reference was after the same time in the air,
    # having turned at the corner and climbed
    offset = int(early_s / STEP_S)
    from_launch_m, _ = distance_azimuth(*LAUNCH, late.lat_deg[0, 0], late.lon_deg[0, 0])
    assert from_launch_m > 20_000.0
    for name in ("lat_deg", "lon_deg", "alt_m", "heading_rad", "flown_m"):
        got = getattr(late, name)[:, 0]
        want = getattr(reference, name)[offset : offset + len(got), 0]
        assert got == pytest.approx(want, abs=1e-9), name
    assert late.alt_m[0, 0] == pytest.approx(800.0)


def test_a_weaving_object_launched_before_the_start_keeps_its_weave(
    base_scenario: dict, make_scenario: Make
) -> None:
    weave = builtin_threat_types()["kh-101"].manoeuvre
    # the weave runs on the run's clock: launched whole periods earlier, the same weave
    early_s = 5 * weave.period_s
    raid = _raid(threat="kh-101", speed_mps=250.0, target=_point(400_000.0, 45.0))
    late, reference = _catch_up_flight(make_scenario, base_scenario, raid, early_s)
    offset = int(early_s / STEP_S)
    got, want = late.heading_rad[:, 0], reference.heading_rad[offset : offset + 300, 0]
    assert got == pytest.approx(want, abs=1e-9)
    assert np.ptp(np.degrees(got)) > 5.0  # it is weaving, not flying straight


def test_an_object_that_ended_before_the_start_never_appears(
    base_scenario: dict, make_scenario: Make
) -> None:
    base_scenario["raids"] = [
        _raid(name="gone", speed_mps=50.0, target=_point(5_000.0, 90.0), first_launch=-400.0),
        _raid(name="flying", speed_mps=50.0, target=_point(50_000.0, 90.0), first_launch=-400.0),
    ]
    plans = draw_plans(make_scenario(base_scenario), np.random.default_rng(0))
    kinematics = Kinematics(plans)
    motion = kinematics.advance(0.0, STEP_S)
    assert list(motion.object_id) == [1]
    assert kinematics.phase[0] == ENDED and not kinematics.launched[0]
    assert kinematics.launched[1]
    assert kinematics.end_t_s[0] == pytest.approx(-300.0, abs=2 * STEP_S)


def test_a_payload_launched_before_the_start_leaves_its_platform_in_flight(
    base_scenario: dict, make_scenario: Make
) -> None:
    base_scenario["raids"] = [
        _raid(
            name="bombers", threat="tu-95ms", first_launch=-900.0, target=_point(900_000.0, 270.0)
        ),
        _raid(
            name="missiles",
            threat="kh-101",
            launched_from="bombers",
            first_launch=-300.0,
            target=_point(300_000.0, 0.0),
        ),
    ]
    plans = draw_plans(make_scenario(base_scenario), np.random.default_rng(0))
    kinematics = Kinematics(plans)
    motion = kinematics.advance(0.0, STEP_S)
    assert sorted(motion.object_id.tolist()) == [0, 1]
    # the missile has flown from where the bomber was 300 s ago, not from the bomber now
    apart_m = np.linalg.norm(motion.start_ecef_m[0] - motion.start_ecef_m[1])
    assert apart_m > 0.5 * 300.0 * plans.speed_mps[1]
    assert kinematics.flown_m[1] == pytest.approx(300.0 * plans.speed_mps[1], rel=0.02)


def test_steps_advanced_together_are_those_advanced_one_at_a_time(
    base_scenario: dict, make_scenario: Make
) -> None:
    base_scenario["raids"] = [
        _raid(name="early", speed_mps=60.0, target=_point(20_000.0, 90.0), first_launch=-30.0),
        _raid(name="late", speed_mps=80.0, target=_point(2_000.0, 0.0), first_launch=3.0),
    ]
    plans = draw_plans(make_scenario(base_scenario), np.random.default_rng(0))
    alone, together = Kinematics(plans), Kinematics(plans)
    for window in range(0, 60, 5):
        starts = [float(t) for t in range(window, window + 5)]
        one_by_one = [alone.advance(t_s, STEP_S) for t_s in starts]
        at_once = together.advance_steps(starts, STEP_S)
        assert len(at_once) == len(one_by_one)
        for got, want in zip(at_once, one_by_one, strict=True):
            for name in ("object_id", "start_ecef_m", "end_ecef_m", "start_alt_m", "end_alt_m"):
                np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
    # the late object launched inside a window and ended inside another
    assert alone.phase[1] == ENDED and np.isfinite(alone.end_t_s[1])
