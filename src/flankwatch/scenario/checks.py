"""The checks across fields of a scenario: what its fields must satisfy together for a
run to go through (see :func:`cross_field_faults`)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import ValidationError

from flankwatch.assess.area import clip_fault
from flankwatch.geo.borders import country
from flankwatch.scenario.catalogue import (
    AcousticType,
    AdsbType,
    RadarType,
    sensor_types,
    threat_types,
)
from flankwatch.scenario.defence import defence_faults
from flankwatch.scenario.limits import (
    EARLIEST_START,
    LATEST_END,
    MAX_FALSE_PLOTS_PER_S,
    MAX_OBJECTS,
    MAX_ORIGIN_LAT_DEG,
    MAX_SENSOR_ROWS,
    MAX_TIME_OFFSET_S,
    MAX_WAYPOINT_TABLE,
    WATCHED_AIRSPACE,
)
from flankwatch.scenario.model import Scenario
from flankwatch.scenario.sensors import (
    SENSOR_OVERRIDES,
    LinePlacement,
    OrbitPlacement,
    Sensor,
    frame_anchor_points,
    overridden_type,
    sensor_rows,
)
from flankwatch.scenario.traffic import CivilFlights, Raid
from flankwatch.yamlfile import Location as FieldPath

Fault = tuple[FieldPath, str]


def cross_field_faults(scenario: Scenario) -> list[Fault]:
    """Faults across fields, each with its field path; empty when ``flankwatch run`` can
    run the scenario.

    Names must be unique and must name catalogue entries or earlier raids; the
    time step must divide the window and the truth period; the frame origin must
    be away from the poles; placements and overrides must suit their sensor
    type; the defence's units, catalogue and policy must fit together (see
    :func:`~flankwatch.scenario.defence.defence_faults`); and the totals (objects,
    sensors, waypoints, false plots) are bounded.
    """
    threats = threat_types(scenario.catalogue.threats)
    sensors = sensor_types(scenario.catalogue.sensors)
    faults = _time_faults(scenario) + _origin_faults(scenario) + _name_faults(scenario)
    for i, raid in enumerate(scenario.raids):
        if raid.threat not in threats:
            faults.append(
                (
                    ("raids", i, "threat"),
                    f"unknown threat {raid.threat!r}; known: {sorted(threats)}",
                )
            )
    faults += _launch_faults(scenario)
    for i, sensor in enumerate(scenario.sensors):
        if sensor.type not in sensors:
            faults.append(
                (("sensors", i, "type"), f"unknown type {sensor.type!r}; known: {sorted(sensors)}")
            )
            continue
        faults.extend(
            (("sensors", i, *where), message)
            for where, message in _sensor_faults(sensor, sensors[sensor.type], scenario.step_s)
        )
    for i, flights in enumerate(scenario.civil_traffic):
        if flights.aircraft not in threats:
            faults.append((("civil_traffic", i, "aircraft"), f"unknown type {flights.aircraft!r}"))
    faults += _activity_faults(scenario)
    if scenario.defence is not None:
        faults += defence_faults(scenario.defence, scenario.start)
    if not faults:
        faults += _size_faults(scenario, sensors)
    return faults


def _activity_faults(scenario: Scenario) -> list[Fault]:
    """A sensor's watch ends after it begins and lies within 30 days of the start."""
    faults: list[Fault] = []
    for i, sensor in enumerate(scenario.sensors):
        times = {}
        for field in ("active_from", "active_until"):
            when = getattr(sensor, field)
            if when is None:
                continue
            times[field] = scenario.seconds_after_start(when)
            if abs(times[field]) > MAX_TIME_OFFSET_S:
                faults.append(
                    (
                        ("sensors", i, field),
                        f"more than {MAX_TIME_OFFSET_S / 86_400:.0f} days from the start",
                    )
                )
        if len(times) == 2 and times["active_until"] <= times["active_from"]:
            faults.append(
                (("sensors", i, "active_until"), "a sensor's watch must end after it begins")
            )
    return faults


def _time_faults(scenario: Scenario) -> list[Fault]:
    """The clock's rules: windows and truth periods of whole steps, a run inside its era,
    launches and departures within :data:`MAX_TIME_OFFSET_S` of the start."""
    faults: list[Fault] = []
    step = scenario.step_s
    for field in ("batch_s", "truth_period_s"):
        value = getattr(scenario, field)
        steps = value / step
        if abs(steps - round(steps)) > 1e-9 * max(1.0, steps) or round(steps) < 1:
            faults.append(
                ((field,), f"{field} ({value} s) must be a whole number of steps of {step} s")
            )
    if scenario.duration_s < scenario.batch_s:
        faults.append(
            (("duration_s",), f"a run lasts at least one window (batch_s = {scenario.batch_s} s)")
        )
    if not EARLIEST_START <= scenario.start or not scenario.start <= LATEST_END - timedelta(
        seconds=scenario.duration_s
    ):
        faults.append(
            (("start",), f"a run must lie between {EARLIEST_START:%Y} and {LATEST_END:%Y}")
        )
    groups: list[tuple[str, list[Raid] | list[CivilFlights], str]] = [
        ("raids", scenario.raids, "first_launch"),
        ("civil_traffic", scenario.civil_traffic, "first_departure"),
    ]
    for what, entries, field in groups:
        for i, entry in enumerate(entries):
            offset = scenario.seconds_after_start(getattr(entry, field))
            if abs(offset) > MAX_TIME_OFFSET_S:
                faults.append(
                    (
                        (what, i, field),
                        f"more than {MAX_TIME_OFFSET_S / 86_400:.0f} days from the start",
                    )
                )
    return faults


def _origin_faults(scenario: Scenario) -> list[Fault]:
    """The frame's origin, given or the mean of the sensors' anchor points: away from a
    pole, and near enough the watched airspace for all of it to be projected."""
    where: FieldPath = ()
    if scenario.origin is not None:
        lat, lon, where = scenario.origin.lat, scenario.origin.lon, ("origin",)
    else:
        points = frame_anchor_points(scenario)
        lat = round(sum(p[0] for p in points) / len(points), 4)
        lon = round(sum(p[1] for p in points) / len(points), 4)
    what = "the origin" if where else "the mean sensor position (the default origin)"
    if abs(lat) > MAX_ORIGIN_LAT_DEG:
        return [
            (
                where,
                f"{what} is at latitude {lat:g}: the local frame needs an origin within "
                f"{MAX_ORIGIN_LAT_DEG:g} degrees of the equator (give an origin)",
            )
        ]
    fault = clip_fault(country(WATCHED_AIRSPACE), lat, lon)
    if fault is None:
        return []
    return [(where, f"the watched airspace {WATCHED_AIRSPACE} {fault}")]


def _name_faults(scenario: Scenario) -> list[Fault]:
    """Names that must be unique: raids and civil flows (both name objects), sensors,
    assets, airports."""
    faults: list[Fault] = []
    groups = [("raids", i, r.name) for i, r in enumerate(scenario.raids)] + [
        ("civil_traffic", i, f.name) for i, f in enumerate(scenario.civil_traffic)
    ]
    lists = [
        groups,
        [("sensors", i, s.name) for i, s in enumerate(scenario.sensors)],
        [("assets", i, a.name) for i, a in enumerate(scenario.assets)],
    ]
    for entries in lists:
        seen: set[str] = set()
        for what, i, name in entries:
            if name in seen:
                faults.append(((what, i, "name"), f"the name {name!r} is used twice"))
            seen.add(name)
    for i, code in enumerate(scenario.airports):
        if code in scenario.airports[:i]:
            faults.append((("airports", i), f"the airport {code} is listed twice"))
    return faults


def _launch_faults(scenario: Scenario) -> list[Fault]:
    """A raid launched from platforms names an earlier raid: the platforms' objects
    exist before their payloads' (so no raid launches from itself or a later one)."""
    faults: list[Fault] = []
    order = {raid.name: i for i, raid in enumerate(scenario.raids)}
    for i, raid in enumerate(scenario.raids):
        parent = raid.launched_from
        if parent is None:
            continue
        where = ("raids", i, "launched_from")
        if parent not in order:
            faults.append((where, f"no raid {parent!r}"))
        elif parent == raid.name:
            faults.append((where, "a raid cannot launch from itself"))
        elif order[parent] > i:
            cycle = _launch_cycle(scenario, i)
            faults.append(
                (
                    where,
                    f"launch cycle {' -> '.join(cycle)}"
                    if cycle
                    else f"raid {parent!r} comes later: list a raid's platforms before it",
                )
            )
    return faults


def _launch_cycle(scenario: Scenario, first: int) -> list[str]:
    """The raids' names around a launched_from cycle through raid ``first``, if any."""
    parent_of = {raid.name: raid.launched_from for raid in scenario.raids}
    path = [scenario.raids[first].name]
    while (parent := parent_of.get(path[-1])) is not None and len(path) <= len(parent_of):
        if parent == path[0]:
            return [*path, parent]
        if parent in path:
            return []
        path.append(parent)
    return []


def _sensor_faults(
    sensor: Sensor, spec: RadarType | AdsbType | AcousticType, step_s: float
) -> list[Fault]:
    """A sensor's placement must suit its type (orbits fly, lines are acoustic pickets),
    and its type with the sensor's overrides must be a valid type."""
    faults: list[Fault] = []
    placement = sensor.placement
    if not isinstance(placement, OrbitPlacement) and spec.platform == "airborne":
        faults.append(((), f"type {sensor.type} is airborne: it needs an orbit"))
    if isinstance(placement, OrbitPlacement) and spec.platform != "airborne":
        faults.append((("orbit",), f"type {sensor.type} ({spec.platform}) cannot fly an orbit"))
    if isinstance(placement, LinePlacement) and spec.kind != "acoustic":
        faults.append((("line",), "only acoustic nodes stand on a line"))
    if sensor.false_alarms_per_scan is not None and spec.kind == "adsb":
        faults.append((("false_alarms_per_scan",), "an ADS-B station has no false alarms"))
        return faults
    try:
        overridden = overridden_type(spec, sensor)
    except ValidationError as fault:
        for err in fault.errors(include_url=False):
            field = str(err["loc"][0]) if err["loc"] else ""
            where: FieldPath = (field,) if field in SENSOR_OVERRIDES else ()
            said = f"{field}: " if field and not where else ""
            faults.append((where, f"{said}{err['msg']}"))
        return faults
    if spec.kind == "radar" and overridden.scan_period_s < step_s:
        faults.append(
            (
                ("scan_period_s",),
                f"scan period {overridden.scan_period_s} s is shorter than the step {step_s} s",
            )
        )
    return faults


def _size_faults(
    scenario: Scenario, types: dict[str, RadarType | AdsbType | AcousticType]
) -> list[Fault]:
    """Totals bounded so that a run's memory is: objects, sensors, waypoints, false plots."""
    faults: list[Fault] = []
    objects = sum(r.count for r in scenario.raids) + sum(f.count for f in scenario.civil_traffic)
    if objects > MAX_OBJECTS:
        faults.append(((), f"{objects:,} objects: a scenario may have at most {MAX_OBJECTS:,}"))
    longest = max([len(r.route) for r in scenario.raids] + [1])
    if objects * longest > MAX_WAYPOINT_TABLE:
        faults.append(
            (
                (),
                f"{objects:,} objects with routes of up to {longest} waypoints: objects x "
                f"longest route may be at most {MAX_WAYPOINT_TABLE:,}",
            )
        )
    rows = sum(sensor_rows(s) for s in scenario.sensors)
    if rows > MAX_SENSOR_ROWS:
        faults.append((("sensors",), f"{rows:,} sensors: at most {MAX_SENSOR_ROWS:,}"))
    false_per_s = 0.0
    for sensor in scenario.sensors:
        spec = overridden_type(types[sensor.type], sensor)
        if not isinstance(spec, AdsbType):
            false_per_s += spec.false_alarms_per_scan * sensor_rows(sensor) / spec.scan_period_s
    if false_per_s > MAX_FALSE_PLOTS_PER_S:
        faults.append(
            (
                ("sensors",),
                f"the sensors make {false_per_s:,.0f} false plots per second together: at "
                f"most {MAX_FALSE_PLOTS_PER_S:,.0f}",
            )
        )
    return faults
