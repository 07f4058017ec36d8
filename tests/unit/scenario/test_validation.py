"""What `validate` refuses so that `run` never has to: bounds, finiteness, cross-field rules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from flankwatch.cli import app
from flankwatch.scenario.catalogue import (
    MAX_ACOUSTIC_RANGE_M,
    MAX_FALSE_ALARMS_PER_SCAN,
    MAX_SENSOR_RANGE_M,
)
from flankwatch.scenario.loader import ScenarioError, parse_scenario, with_changes
from flankwatch.scenario.schema import (
    MAX_FALSE_PLOTS_PER_S,
    MAX_OBJECTS,
    MAX_ORIGIN_LAT_DEG,
    MAX_SENSOR_ROWS,
    Scenario,
)

BASE: dict[str, Any] = yaml.safe_load(
    """
name: validation-test
start: 2025-09-10T00:00:00+00:00
duration_s: 600
seed: 3
sensors:
  - {name: radar, type: gap-filler, at: [52.0, 22.0]}
  - {name: nodes, type: acoustic-node, line: {start: [52.0, 23.0], end: [52.1, 23.0], count: 5}}
  - name: awacs
    type: awacs
    orbit: {center: [52.4, 19.6], radius_m: 40000, alt_m: 9000, speed_mps: 180}
raids:
  - {name: bombers, threat: tu-95ms, count: 2, launch: [51.5, 24.0], target: [52.0, 22.5]}
  - {name: salvo, threat: kh-101, count: 4, launched_from: bombers, target: czosnowka}
civil_traffic:
  - {name: shuttle, departure: EPWA, arrival: EPGD, count: 1}
assets:
  - {name: Warsaw, kind: city, at: warsaw}
"""
)
"""A valid scenario of every kind of placement and a launch from platforms."""

Change = Callable[[dict[str, Any]], object]


def _text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def _refused(change: Change) -> ScenarioError:
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(_text(data), "bad.yaml")
    assert "bad.yaml" in str(caught.value)
    return caught.value


def _at(error: ScenarioError, field: str) -> str:
    """The message of the fault at ``field``; it must be there, with a line."""
    found = [p for p in error.problems if p.field == field]
    assert found, f"no fault at {field}: {error}"
    assert found[0].line is not None
    return found[0].message


def _set(path: str, value: object) -> Change:
    """A change that sets ``path`` (``sensors.0.range_m``) to ``value``."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = data
        for part in parents:
            node = node[part]
        node[last] = value

    return change


def test_the_base_is_valid() -> None:
    assert isinstance(parse_scenario(_text(BASE), "good.yaml"), Scenario)


# --- launches from platforms --------------------------------------------------------------------


def test_a_raid_launched_from_a_later_raid_is_refused() -> None:
    def swap(data: dict[str, Any]) -> None:
        data["raids"].reverse()

    message = _at(_refused(swap), "raids[0].launched_from")
    assert "'bombers' comes later" in message


def test_a_launch_cycle_is_refused_and_named() -> None:
    def cycle(data: dict[str, Any]) -> None:
        bombers = data["raids"][0]
        del bombers["launch"]
        bombers["launched_from"] = "salvo"

    message = _at(_refused(cycle), "raids[0].launched_from")
    assert "bombers -> salvo -> bombers" in message


def test_a_raid_cannot_launch_from_itself_or_from_nothing() -> None:
    assert "itself" in _at(
        _refused(_set("raids.1.launched_from", "salvo")), "raids[1].launched_from"
    )
    assert "no raid 'nobody'" in _at(
        _refused(_set("raids.1.launched_from", "nobody")), "raids[1].launched_from"
    )


# --- the frame's origin -------------------------------------------------------------------------


@pytest.mark.parametrize("lat", [90.0, -90.0, MAX_ORIGIN_LAT_DEG + 0.01, -89.0])
def test_an_origin_at_or_near_a_pole_is_refused(lat: float) -> None:
    message = _at(_refused(_set("origin", [lat, 10.0])), "origin")
    assert f"{MAX_ORIGIN_LAT_DEG:g} degrees" in message


def test_an_origin_just_inside_the_pole_bound_is_refused_only_as_far_from_the_airspace() -> None:
    def far_north(data: dict[str, Any]) -> None:
        data["origin"] = [MAX_ORIGIN_LAT_DEG, 10.0]

    message = _at(_refused(far_north), "origin")
    assert "watched airspace POL has no part within" in message
    assert "of the equator" not in message


@pytest.mark.parametrize(
    ("origin", "fault"),
    [
        ((50.6, 180.0), "has no part within 20 degrees of longitude and 12 of latitude"),
        ((0.0, 0.0), "has no part within"),
        ((50.0, 40.0), "does not lie wholly within"),  # Poland would be cut at 20 deg E
    ],
)
def test_an_origin_too_far_from_the_watched_airspace_is_refused(
    origin: tuple[float, float], fault: str
) -> None:
    # before, such a scenario validated and its run ended in a traceback (or watched a
    # Poland cut at the edge of the frame's box)
    def far(data: dict[str, Any]) -> None:
        data["origin"] = list(origin)

    assert fault in _at(_refused(far), "origin")


def test_an_origin_near_the_watched_airspace_is_accepted() -> None:
    data = copy.deepcopy(BASE)
    data["origin"] = [55.0, 30.0]  # Belarus, east of Poland: all of Poland within the box
    assert parse_scenario(_text(data), "good.yaml").origin is not None


def test_sensors_around_a_pole_without_an_origin_are_refused() -> None:
    def polar(data: dict[str, Any]) -> None:
        data["sensors"] = [
            {"name": "a", "type": "gap-filler", "at": [88.0, 0.0]},
            {"name": "b", "type": "gap-filler", "at": [89.0, 180.0]},
        ]

    error = _refused(polar)
    assert any("default origin" in p.message for p in error.problems), error


# --- finite numbers and physical bounds -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("sensors.0.range_m", float("inf"), "sensors[0].range_m"),
        ("sensors.0.range_m", float("nan"), "sensors[0].range_m"),
        ("sensors.0.scan_period_s", float("inf"), "sensors[0].scan_period_s"),
        ("sensors.0.height_m", float("nan"), "sensors[0].height_m"),
        ("sensors.0.false_alarms_per_scan", float("inf"), "sensors[0].false_alarms_per_scan"),
        ("sensors.1.line.start", [float("nan"), 23.0], "sensors[1].line.start.lat"),
        ("sensors.2.orbit.radius_m", float("inf"), "sensors[2].orbit.radius_m"),
        ("sensors.2.orbit.speed_mps", float("nan"), "sensors[2].orbit.speed_mps"),
        ("raids.0.speed_mps", float("inf"), "raids[0].speed_mps"),
        ("raids.0.interval_s", float("nan"), "raids[0].interval_s"),
        ("raids.0.jitter_s", float("inf"), "raids[0].jitter_s"),
        ("raids.0.spread_m", float("inf"), "raids[0].spread_m"),
        ("raids.0.first_launch", float("inf"), "raids[0].first_launch"),
        ("raids.0.cruise_alt_m", float("nan"), "raids[0].cruise_alt_m"),
        ("raids.0.launch", [52.0, float("inf")], "raids[0].launch.lon"),
        ("duration_s", float("inf"), "duration_s"),
        ("step_s", float("nan"), "step_s"),
        ("truth_period_s", float("inf"), "truth_period_s"),
        ("assets.0.radius_m", float("inf"), "assets[0].radius_m"),
        ("assets.0.value", float("nan"), "assets[0].value"),
        ("civil_traffic.0.interval_s", float("inf"), "civil_traffic[0].interval_s"),
    ],
)
def test_infinite_and_nan_numbers_are_refused(path: str, value: float, field: str) -> None:
    assert "finite" in _at(_refused(_set(path, value)), field)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("seed", True, "seed"),
        ("raids.0.count", True, "raids[0].count"),
        ("raids.0.count", "14", "raids[0].count"),
        ("duration_s", "600", "duration_s"),
        ("raids.0.cruise_alt_m", "9500", "raids[0].cruise_alt_m"),
        ("assets.0.value", True, "assets[0].value"),
        ("sensors.0.range_m", False, "sensors[0].range_m"),
    ],
)
def test_a_number_written_as_text_or_yes_no_is_refused(
    path: str, value: object, field: str
) -> None:
    assert "should be a valid" in _at(_refused(_set(path, value)), field)


@pytest.mark.parametrize("value", [2025, 1711241100, 1711241100.5])
def test_a_start_written_as_a_number_is_refused(value: float) -> None:
    # read as seconds after 1970 before: 'start: 2025' ran in January 1970
    assert "valid datetime" in _at(_refused(_set("start", value)), "start")


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("raids.0.speed_mps", -50.0, "raids[0].speed_mps"),
        ("raids.0.speed_mps", 1e6, "raids[0].speed_mps"),
        ("raids.0.interval_s", -1.0, "raids[0].interval_s"),
        ("raids.0.jitter_s", -1.0, "raids[0].jitter_s"),
        ("raids.0.count", -2, "raids[0].count"),
        ("raids.0.spread_m", -10.0, "raids[0].spread_m"),
        ("raids.0.target_alt_m", -10.0, "raids[0].target_alt_m"),
        ("raids.0.first_launch", 1e12, "raids[0].first_launch"),
        ("sensors.0.scan_period_s", 0.0, "sensors[0].scan_period_s"),
        ("sensors.0.range_m", -5.0, "sensors[0].range_m"),
        ("sensors.0.range_m", MAX_SENSOR_RANGE_M * 2, "sensors[0].range_m"),
        ("sensors.0.false_alarms_per_scan", 1e8, "sensors[0].false_alarms_per_scan"),
        ("sensors.0.false_alarms_per_scan", -1.0, "sensors[0].false_alarms_per_scan"),
        ("sensors.0.height_m", -1.0, "sensors[0].height_m"),
        ("sensors.1.range_m", MAX_ACOUSTIC_RANGE_M * 2, "sensors[1].range_m"),
        ("sensors.1.line.count", -3, "sensors[1].line.count"),
        ("sensors.2.orbit.radius_m", 0.0, "sensors[2].orbit.radius_m"),
        ("sensors.2.orbit.alt_m", -100.0, "sensors[2].orbit.alt_m"),
        ("step_s", 1e-9, "step_s"),
        ("step_s", -1.0, "step_s"),
        ("duration_s", -600.0, "duration_s"),
        ("seed", -1, "seed"),
        ("seed", 2**80, "seed"),
        ("assets.0.radius_m", -1.0, "assets[0].radius_m"),
        ("civil_traffic.0.count", 0, "civil_traffic[0].count"),
        ("civil_traffic.0.jitter_s", -5.0, "civil_traffic[0].jitter_s"),
    ],
)
def test_values_outside_their_physical_range_are_refused(
    path: str, value: float, field: str
) -> None:
    _at(_refused(_set(path, value)), field)


def test_the_false_alarm_bound_is_physically_sensible() -> None:
    assert 10.0 <= MAX_FALSE_ALARMS_PER_SCAN <= 10_000.0
    message = _at(
        _refused(_set("sensors.0.false_alarms_per_scan", 1e8)), "sensors[0].false_alarms_per_scan"
    )
    assert f"{MAX_FALSE_ALARMS_PER_SCAN:g}" in message


def test_many_sensors_together_may_not_flood_the_run_with_false_plots() -> None:
    # each of the five nodes at the most it may have: 2,500 per second together
    error = _refused(_set("sensors.1.false_alarms_per_scan", MAX_FALSE_ALARMS_PER_SCAN))
    assert "false plots per second" in _at(error, "sensors")
    assert f"{MAX_FALSE_PLOTS_PER_S:,.0f}" in _at(error, "sensors")


def test_too_many_objects_or_sensors_are_refused() -> None:
    def crowd(data: dict[str, Any]) -> None:
        data["raids"][0]["count"] = MAX_OBJECTS
        data["raids"][1]["count"] = 10

    assert "objects" in _at(_refused(crowd), "(top)")
    lines = _refused(_set("sensors.1.line.count", MAX_SENSOR_ROWS))
    assert "sensors" in _at(lines, "sensors")


def test_a_long_route_for_many_objects_is_refused() -> None:
    def long_routes(data: dict[str, Any]) -> None:
        raid = data["raids"][0]
        del raid["target"]
        raid["route"] = [{"at": [52.0, 22.0 + i * 1e-3], "alt_m": 100} for i in range(1000)]
        raid["count"] = 20_000

    assert "longest route" in _at(_refused(long_routes), "(top)")


# --- the clock ------------------------------------------------------------------------------


def test_the_window_must_be_a_whole_number_of_steps() -> None:
    def steps(data: dict[str, Any]) -> None:
        data.update(step_s=2.0, batch_s=5.0, truth_period_s=4.0)

    assert "whole number of steps" in _at(_refused(steps), "batch_s")


def test_truth_is_recorded_on_whole_steps() -> None:
    def truth(data: dict[str, Any]) -> None:
        data.update(step_s=1.0, batch_s=5.0, truth_period_s=2.5)

    assert "whole number of steps" in _at(_refused(truth), "truth_period_s")


def test_a_run_lasts_at_least_one_window() -> None:
    assert "one window" in _at(_refused(_set("duration_s", 2.0)), "duration_s")


def test_a_radar_scans_no_faster_than_the_step() -> None:
    def slow_steps(data: dict[str, Any]) -> None:
        data.update(step_s=5.0, batch_s=5.0, truth_period_s=5.0)
        data["sensors"][0]["scan_period_s"] = 2.0

    assert "shorter than the step" in _at(_refused(slow_steps), "sensors[0].scan_period_s")


def test_a_start_so_late_that_its_end_cannot_be_told_is_refused() -> None:
    error = _refused(_set("start", "9999-12-31T23:00:00+00:00"))
    assert "between" in _at(error, "start")


def test_a_launch_time_far_from_the_start_is_refused() -> None:
    error = _refused(_set("raids.0.first_launch", "1800-01-01T00:00:00+00:00"))
    assert "days from the start" in _at(error, "raids[0].first_launch")


# --- sensors and their types ------------------------------------------------------------------


def test_an_override_is_checked_against_the_type() -> None:
    error = _refused(_set("sensors.0.range_m", 100.0))  # inside the gap-filler's minimum range
    assert "min_range_m" in _at(error, "sensors[0]")


def test_a_line_needs_two_ends() -> None:
    error = _refused(_set("sensors.1.line.end", [52.0, 23.0]))
    assert "two different ends" in _at(error, "sensors[1].line")


def test_a_placement_that_is_not_a_mapping_is_refused() -> None:
    assert "mapping" in _at(_refused(_set("sensors.2.orbit", 5)), "sensors[2]")


def test_a_catalogue_type_must_be_physically_possible() -> None:
    def bad_types(data: dict[str, Any]) -> None:
        data["catalogue"] = {
            "threats": {
                "odd": {
                    "label": "reversed bands, no cross-section",
                    "category": "decoy",
                    "speed_mps": [60.0, 40.0],
                    "altitude_m": [100.0, float("inf")],
                    "climb_rate_mps": 3.0,
                    "turn_rate_deg_s": 3.0,
                    "rcs_m2": [0.0, 1.0],
                    "sound_db": 100.0,
                    "range_m": 1e5,
                }
            }
        }

    error = _refused(bad_types)
    assert "low, high" in _at(error, "catalogue.threats.odd.speed_mps")
    assert "finite" in _at(error, "catalogue.threats.odd.altitude_m[1]")
    _at(error, "catalogue.threats.odd.rcs_m2[0]")


# --- names ------------------------------------------------------------------------------------


def test_names_are_unique_across_raids_and_civil_flows() -> None:
    error = _refused(_set("civil_traffic.0.name", "bombers"))
    assert "used twice" in _at(error, "civil_traffic[0].name")


def test_an_airport_listed_twice_is_refused() -> None:
    assert "twice" in _at(_refused(_set("airports", ["EPWA", "EPWA"])), "airports[1]")


def test_a_flight_from_an_airport_to_itself_is_refused() -> None:
    assert "both EPWA" in _at(_refused(_set("civil_traffic.0.arrival", "EPWA")), "civil_traffic[0]")


# --- validate and run refuse the same files ---------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        _set("sensors.0.range_m", float("inf")),
        _set("origin", [90.0, 0.0]),
        _set("sensors.0.false_alarms_per_scan", 1e8),
    ],
)
def test_validate_and_run_both_exit_2_naming_the_fault(change: Change, tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(_text(data), encoding="utf-8")
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "run")]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "bad.yaml" in result.output
    assert not (tmp_path / "run").exists()


def test_validate_exits_2_on_bytes_that_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"name: \xff\xfe\x00\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "UTF-8" in result.output


# --- a run's own changes (--seed, --duration) are checked too -----------------------------------


def test_changes_for_a_run_are_checked_as_a_file_is() -> None:
    scenario = parse_scenario(_text(BASE), "base.yaml")
    changed = with_changes(scenario, "base.yaml", seed=11, duration_s=60.0)
    assert changed == scenario.model_copy(update={"seed": 11, "duration_s": 60.0})
    assert with_changes(scenario, "base.yaml") == scenario
    for change, field in (({"seed": -1}, "seed"), ({"duration_s": 1.0}, "duration_s")):
        with pytest.raises(ScenarioError) as caught:
            with_changes(scenario, "base.yaml", **change)
        assert [p.field for p in caught.value.problems] == [field]
