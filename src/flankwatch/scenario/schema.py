"""The scenario schema: what a scenario file may say, validated by pydantic.

A scenario declares a run: when it starts and how long it lasts, its seed and
time step, the threats (raids), the sensors, the defended assets and airports,
and the civil traffic. Units are SI (metres, seconds, metres per second) except
latitude and longitude, which are degrees, and angles that say ``_deg``.

Locations (``at``, ``launch``, ``target``, waypoints) are written either as a
place name from the gazetteer (``czosnowka``), as ``{lat: .., lon: ..}``, or as
``[lat, lon]``. Times of launches and departures are either seconds after the
scenario's start or an absolute UTC time with an offset.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from flankwatch.geo.airports import airport
from flankwatch.geo.places import place
from flankwatch.scenario.catalogue import SensorType, ThreatType
from flankwatch.yamlfile import Location as FieldPath


class _Strict(BaseModel):
    """Base of every scenario model: unknown fields are errors, models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(_Strict):
    """A point on the earth: latitude and longitude in degrees."""

    lat: float = Field(ge=-90.0, le=90.0, description="latitude, degrees north")
    lon: float = Field(ge=-180.0, le=180.0, description="longitude, degrees east")
    name: str = Field("", description="the gazetteer name it came from, if any")


def _parse_location(value: object) -> object:
    """Accept a place name, ``[lat, lon]`` or ``{lat, lon}`` for a :class:`Location`."""
    if isinstance(value, str):
        try:
            found = place(value)
        except LookupError as error:
            raise ValueError(str(error.args[0]) if error.args else str(error)) from None
        return {"lat": found.lat_deg, "lon": found.lon_deg, "name": found.name}
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError("a location list must be [lat, lon]")
        return {"lat": value[0], "lon": value[1]}
    return value


Place = Annotated[Location, BeforeValidator(_parse_location)]
"""A location written as a place name, ``[lat, lon]`` or ``{lat, lon}``."""

Seconds = Annotated[float, Field(ge=0.0)]


class Waypoint(_Strict):
    """A point of a route, with the altitude (m above the ellipsoid) to reach there."""

    at: Place
    alt_m: float = Field(ge=0.0, le=100_000.0)


class Raid(_Strict):
    """A group of threats of one type launched from one site along one route."""

    name: str = Field(min_length=1)
    threat: str = Field(description="a key of the threat catalogue")
    count: int = Field(gt=0, le=100_000)
    launch: Place | None = Field(None, description="launch site; or use launched_from")
    launched_from: str | None = Field(
        None, description="name of a raid of launch platforms (e.g. bombers) to launch from"
    )
    first_launch: float | AwareDatetime = Field(
        0.0, description="seconds after the start, or a UTC time with offset"
    )
    interval_s: Seconds = 0.0
    jitter_s: Seconds = Field(0.0, description="standard deviation of each launch time")
    route: list[Waypoint] = Field(default_factory=list)
    target: Place | None = None
    target_alt_m: float = Field(0.0, ge=0.0, description="altitude at the target")
    cruise_alt_m: float | None = Field(
        None, ge=0.0, description="altitude between launch and target; default mid of the band"
    )
    spread_m: Seconds = Field(0.0, description="standard deviation of each waypoint, m")
    speed_mps: float | None = Field(None, gt=0.0, description="overrides the catalogue")
    origin: str = Field("", description="country or area it comes from, for the reports")

    @model_validator(mode="after")
    def _launch_and_route(self) -> Raid:
        if (self.launch is None) == (self.launched_from is None):
            raise ValueError("give exactly one of launch or launched_from")
        if not self.route and self.target is None:
            raise ValueError("give a route or a target")
        if self.route and self.target is not None:
            raise ValueError("give a route or a target, not both")
        return self


class Orbit(_Strict):
    """A circular orbit of an airborne sensor."""

    center: Place
    radius_m: float = Field(gt=0.0, le=500_000.0)
    alt_m: float = Field(gt=0.0, le=20_000.0)
    speed_mps: float = Field(gt=0.0, le=400.0)


class NodeLine(_Strict):
    """Many sensors of one type evenly spaced on a line (a picket of acoustic nodes)."""

    start: Place
    end: Place
    count: int = Field(ge=2, le=100_000)


class Sensor(_Strict):
    """A sensor instance: its type from the catalogue, where it is, and overrides."""

    name: str = Field(min_length=1)
    type: str = Field(description="a key of the sensor catalogue")
    at: Place | None = None
    orbit: Orbit | None = None
    line: NodeLine | None = None
    height_m: float | None = Field(
        None, ge=0.0, le=30_000.0, description="antenna height above ground: mast or tether"
    )
    scan_period_s: float | None = Field(None, gt=0.0)
    range_m: float | None = Field(None, gt=0.0)
    false_alarms_per_scan: float | None = Field(None, ge=0.0)

    @model_validator(mode="after")
    def _one_position(self) -> Sensor:
        given = [name for name in ("at", "orbit", "line") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of at, orbit or line (got {given or 'none'})")
        return self


AssetKind = Literal["city", "airport", "military", "infrastructure"]


class Asset(_Strict):
    """A defended asset: a place that threats must not reach."""

    name: str = Field(min_length=1)
    kind: AssetKind
    at: Place
    radius_m: float = Field(5_000.0, gt=0.0)
    value: float = Field(1.0, gt=0.0, description="relative worth, for threat ranking")


def _known_icao(code: str) -> str:
    try:
        airport(code)
    except LookupError as error:
        raise ValueError(str(error.args[0]) if error.args else str(error)) from None
    return code.upper()


IcaoCode = Annotated[str, AfterValidator(_known_icao)]
"""An airport's ICAO code, known to the airport database."""


class CivilFlights(_Strict):
    """Scheduled civil flights between two airports, with transponders (ADS-B)."""

    name: str = Field(min_length=1)
    departure: IcaoCode
    arrival: IcaoCode
    aircraft: str = Field("airliner", description="a key of the threat catalogue")
    count: int = Field(gt=0, le=10_000)
    first_departure: float | AwareDatetime = 0.0
    interval_s: Seconds = 3600.0
    jitter_s: Seconds = 0.0
    cruise_alt_m: float = Field(10_000.0, gt=0.0, le=15_000.0)
    callsign_prefix: str = Field("FLW", pattern=r"^[A-Z]{3}$")


class Catalogues(_Strict):
    """Threat and sensor types a scenario adds to (or replaces in) the built-in catalogues."""

    threats: dict[str, ThreatType] = Field(default_factory=dict)
    sensors: dict[str, SensorType] = Field(default_factory=dict)


class Scenario(_Strict):
    """A whole scenario, as validated from a scenario file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    sources: list[str] = Field(default_factory=list, description="public sources it rests on")
    start: AwareDatetime = Field(description="UTC start time, with offset")
    duration_s: float = Field(gt=0.0, le=7 * 86_400.0)
    seed: int = Field(ge=0)
    step_s: float = Field(1.0, gt=0.0, le=60.0, description="simulation time step")
    batch_s: float = Field(
        5.0, gt=0.0, le=60.0, description="sensors observe, and plots are batched, this often"
    )
    truth_period_s: float = Field(5.0, gt=0.0, description="how often truth is recorded")
    origin: Place | None = Field(None, description="origin of the local frame; default centre")
    catalogue: Catalogues = Field(default_factory=Catalogues)
    raids: list[Raid] = Field(default_factory=list)
    sensors: list[Sensor] = Field(min_length=1)
    assets: list[Asset] = Field(default_factory=list)
    airports: list[IcaoCode] = Field(default_factory=list)
    civil_traffic: list[CivilFlights] = Field(default_factory=list)

    @model_validator(mode="after")
    def _batch_of_steps(self) -> Scenario:
        steps = self.batch_s / self.step_s
        if abs(steps - round(steps)) > 1e-9 or round(steps) < 1:
            raise ValueError(f"batch_s ({self.batch_s}) must be a whole number of steps")
        return self

    @property
    def end(self) -> datetime:
        """The UTC end time."""
        return self.start + timedelta(seconds=self.duration_s)

    def seconds_after_start(self, when: float | datetime) -> float:
        """A launch or departure time as seconds after the start."""
        if isinstance(when, datetime):
            return (when - self.start).total_seconds()
        return float(when)


def reference_faults(scenario: Scenario) -> list[tuple[FieldPath, str]]:
    """Faults across fields: names that must be unique or must name catalogue entries,
    raids or placements that suit their sensor type. Empty when the scenario is sound."""
    from flankwatch.scenario.catalogue import sensor_types, threat_types

    threats = threat_types(scenario.catalogue.threats)
    sensors = sensor_types(scenario.catalogue.sensors)
    faults: list[tuple[FieldPath, str]] = []
    raid_names = [raid.name for raid in scenario.raids]
    for what, names in (("raids", raid_names), ("sensors", [s.name for s in scenario.sensors])):
        for i, name in enumerate(names):
            if name in names[:i]:
                faults.append(((what, i, "name"), f"the name {name!r} is used twice"))
    for i, raid in enumerate(scenario.raids):
        if raid.threat not in threats:
            faults.append(
                (
                    ("raids", i, "threat"),
                    f"unknown threat {raid.threat!r}; known: {sorted(threats)}",
                )
            )
        if raid.launched_from is not None and raid.launched_from not in raid_names:
            faults.append((("raids", i, "launched_from"), f"no raid {raid.launched_from!r}"))
        if raid.launched_from == raid.name:
            faults.append((("raids", i, "launched_from"), "a raid cannot launch from itself"))
    for i, sensor in enumerate(scenario.sensors):
        if sensor.type not in sensors:
            faults.append(
                (("sensors", i, "type"), f"unknown type {sensor.type!r}; known: {sorted(sensors)}")
            )
            continue
        faults.extend(
            (("sensors", i, *where), message)
            for where, message in _placement_faults(sensor, sensors[sensor.type], scenario.step_s)
        )
    for i, flights in enumerate(scenario.civil_traffic):
        if flights.aircraft not in threats:
            faults.append((("civil_traffic", i, "aircraft"), f"unknown type {flights.aircraft!r}"))
    return faults


def _placement_faults(
    sensor: Sensor, spec: SensorType, step_s: float
) -> list[tuple[FieldPath, str]]:
    """A sensor's placement must suit its type: orbits fly, lines are acoustic pickets."""
    faults: list[tuple[FieldPath, str]] = []
    if sensor.orbit is None and spec.platform == "airborne":
        faults.append(((), f"type {sensor.type} is airborne: it needs an orbit"))
    if sensor.orbit is not None and spec.platform != "airborne":
        faults.append((("orbit",), f"type {sensor.type} ({spec.platform}) cannot fly an orbit"))
    if sensor.line is not None and spec.kind != "acoustic":
        faults.append((("line",), "only acoustic nodes stand on a line"))
    period = sensor.scan_period_s or spec.scan_period_s
    if spec.kind == "radar" and period < step_s:
        faults.append(
            (("scan_period_s",), f"scan period {period} s is shorter than the step {step_s} s")
        )
    if sensor.false_alarms_per_scan is not None and spec.kind == "adsb":
        faults.append((("false_alarms_per_scan",), "an ADS-B station has no false alarms"))
    return faults
