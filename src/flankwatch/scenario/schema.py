"""The scenario schema: what a scenario file may say, validated by pydantic.

A scenario declares a run: when it starts and how long it lasts, its seed and
time step, the threats (raids), the sensors, the defended assets and airports,
and the civil traffic. Units are SI (metres, seconds, metres per second) except
latitude and longitude, which are degrees, and angles that say ``_deg``.

Locations (``at``, ``launch``, ``target``, waypoints) are written either as a
place name from the gazetteer (``czosnowka``), as ``{lat: .., lon: ..}``, or as
``[lat, lon]``. Times of launches and departures are either seconds after the
scenario's start or an absolute UTC time with an offset.

Every number must be finite and within a physically possible range (the bounds
below); :func:`cross_field_faults` then checks what the fields must satisfy
together for a run to go through: names that refer to catalogue entries or to
earlier raids, placements that suit the sensor type, steps that divide the
windows, a frame origin away from the poles, and totals that keep a run's
memory bounded. A scenario that passes both is one ``flankwatch run`` can run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from flankwatch.geo.airports import airport
from flankwatch.geo.places import place
from flankwatch.scenario.catalogue import (
    MAX_ALT_M,
    MAX_SPEED_MPS,
    AcousticType,
    AdsbType,
    RadarType,
    SensorType,
    ThreatType,
    sensor_types,
    threat_types,
)
from flankwatch.yamlfile import Location as FieldPath

MAX_ORIGIN_LAT_DEG = 85.0
"""The run's local ENU frame needs an origin no nearer a pole than this (degrees):
its east axis degenerates at the pole."""

MIN_STEP_S = 0.01
"""Shortest simulation time step, s."""

MAX_WINDOW_S = 60.0
"""Longest time step and sensor window (``batch_s``), s."""

MAX_DURATION_S = 7 * 86_400.0
"""Longest run, s (a week)."""

MAX_TIME_OFFSET_S = 30 * 86_400.0
"""Launch and departure times, intervals and jitters lie within 30 days of the start, s."""

MAX_SPREAD_M = 500_000.0
"""Largest random offset (standard deviation) of a raid's waypoints, m."""

MAX_ROUTE_WAYPOINTS = 1_000
"""Most waypoints in one route."""

MAX_OBJECTS = 100_000
"""Most simulated objects in a scenario: raids and civil flights together."""

MAX_SENSOR_ROWS = 100_000
"""Most sensors in a scenario, every node of an acoustic line counted."""

MAX_WAYPOINT_TABLE = 10_000_000
"""Most cells of the flight plans' padded waypoint table (objects x longest route)."""

MAX_FALSE_PLOTS_PER_S = 1_000.0
"""Most false plots per second the scenario's sensors may make together (mean): a
60 s window then holds some 60,000 of them, each a row and a tentative track."""

MAX_SEED = 2**63 - 1
"""Largest seed (it is stored as a 64-bit integer)."""

MAX_NAME_LENGTH = 100
"""Longest name of a scenario, raid, sensor, asset or civil flow (it names folders)."""

EARLIEST_START = datetime.fromisoformat("1900-01-01T00:00:00+00:00")
LATEST_END = datetime.fromisoformat("2200-01-01T00:00:00+00:00")
"""A run lies between these UTC times."""


class _Strict(BaseModel):
    """Base of every scenario model: unknown fields are errors, models are frozen, every
    number is finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Location(_Strict):
    """A point on the earth: latitude and longitude in degrees."""

    lat: float = Field(ge=-90.0, le=90.0, description="latitude, degrees north")
    lon: float = Field(ge=-180.0, le=180.0, description="longitude, degrees east")
    name: str = Field("", description="the gazetteer name it came from, if any")

    @property
    def point(self) -> tuple[float, float]:
        """(latitude, longitude), degrees."""
        return self.lat, self.lon


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

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
Seconds = Annotated[float, Field(ge=0.0, le=MAX_TIME_OFFSET_S)]
"""A non-negative span of time, s (an interval or a jitter)."""
Altitude = Annotated[float, Field(ge=0.0, le=MAX_ALT_M)]
"""Height above the ellipsoid, m."""

_SECONDS: TypeAdapter[float] = TypeAdapter(
    Annotated[float, Field(ge=-MAX_TIME_OFFSET_S, le=MAX_TIME_OFFSET_S, allow_inf_nan=False)]
)
_UTC_TIME: TypeAdapter[datetime] = TypeAdapter(AwareDatetime)


def _when(value: object) -> float | datetime:
    """Seconds after the start (a number) or a UTC time with an offset; one fault if neither."""
    if isinstance(value, bool):
        raise ValueError("give seconds after the start or a UTC time with an offset")
    try:
        if isinstance(value, int | float):
            return _SECONDS.validate_python(value)
        return _UTC_TIME.validate_python(value)
    except ValidationError as fault:
        raise ValueError(fault.errors(include_url=False)[0]["msg"]) from None


When = Annotated[float | AwareDatetime, PlainValidator(_when)]
"""A launch or departure time: seconds after the start (negative: before it), or a UTC
time with an offset."""


class Waypoint(_Strict):
    """A point of a route, with the altitude (m above the ellipsoid) to reach there."""

    at: Place
    alt_m: Altitude


class Raid(_Strict):
    """A group of threats of one type launched from one site along one route."""

    name: Name
    threat: str = Field(description="a key of the threat catalogue")
    count: int = Field(gt=0, le=MAX_OBJECTS)
    launch: Place | None = Field(None, description="launch site; or use launched_from")
    launched_from: str | None = Field(
        None, description="name of an earlier raid of launch platforms (e.g. bombers)"
    )
    first_launch: When = Field(
        0.0, description="seconds after the start, or a UTC time with offset"
    )
    interval_s: Seconds = 0.0
    jitter_s: Seconds = Field(0.0, description="standard deviation of each launch time")
    route: list[Waypoint] = Field(default_factory=list, max_length=MAX_ROUTE_WAYPOINTS)
    target: Place | None = None
    target_alt_m: Altitude = Field(0.0, description="altitude at the target")
    cruise_alt_m: Altitude | None = Field(
        None, description="altitude between launch and target; default mid of the band"
    )
    spread_m: float = Field(
        0.0, ge=0.0, le=MAX_SPREAD_M, description="standard deviation of each waypoint, m"
    )
    speed_mps: float | None = Field(
        None, gt=0.0, le=MAX_SPEED_MPS, description="overrides the catalogue"
    )
    origin: str = Field("", description="country or area it comes from, for the reports")
    iff_mode5: bool = Field(
        False, description="own aircraft answering IFF Mode 5 interrogations (friend)"
    )

    @model_validator(mode="after")
    def _launch_and_route(self) -> Raid:
        if (self.launch is None) == (self.launched_from is None):
            raise ValueError("give exactly one of launch or launched_from")
        if not self.route and self.target is None:
            raise ValueError("give a route or a target")
        if self.route and self.target is not None:
            raise ValueError("give a route or a target, not both")
        return self

    def waypoints(self) -> list[tuple[float, float, float]]:
        """The route as (lat_deg, lon_deg, alt_m) points: its waypoints, or the target."""
        if self.target is not None:
            return [(self.target.lat, self.target.lon, self.target_alt_m)]
        return [(w.at.lat, w.at.lon, w.alt_m) for w in self.route]


# --- where a sensor is: a tagged union ---------------------------------------------------------


class FixedPlacement(_Strict):
    """A sensor at a fixed point (written ``at: <location>``)."""

    kind: Literal["fixed"] = "fixed"
    at: Place

    def anchor_points(self) -> list[tuple[float, float]]:
        """The (lat_deg, lon_deg) points the run's default frame origin is averaged from."""
        return [self.at.point]


class OrbitPlacement(_Strict):
    """An airborne sensor flying a circular orbit (written ``orbit: {center, ...}``)."""

    kind: Literal["orbit"] = "orbit"
    center: Place
    radius_m: float = Field(ge=1_000.0, le=500_000.0)
    alt_m: float = Field(gt=0.0, le=20_000.0)
    speed_mps: float = Field(gt=0.0, le=400.0)

    def anchor_points(self) -> list[tuple[float, float]]:
        """The orbit's centre, (lat_deg, lon_deg)."""
        return [self.center.point]


class LinePlacement(_Strict):
    """Many sensors of one type evenly spaced on a line, ends included (a picket of
    acoustic nodes; written ``line: {start, end, count}``)."""

    kind: Literal["line"] = "line"
    start: Place
    end: Place
    count: int = Field(ge=2, le=MAX_SENSOR_ROWS)

    @model_validator(mode="after")
    def _two_ends(self) -> LinePlacement:
        if self.start.point == self.end.point:
            raise ValueError("a line needs two different ends")
        return self

    def anchor_points(self) -> list[tuple[float, float]]:
        """The line's two ends, (lat_deg, lon_deg) each."""
        return [self.start.point, self.end.point]


Placement = Annotated[FixedPlacement | OrbitPlacement | LinePlacement, Field(discriminator="kind")]
"""Where a sensor is: fixed, on an orbit, or a line of nodes."""

PLACEMENT_KEYS = {"at": "fixed", "orbit": "orbit", "line": "line"}
"""The key a scenario file writes for each kind of placement."""


class Sensor(_Strict):
    """A sensor instance: its type from the catalogue, where it is, and overrides.

    A file gives the placement by one of the keys ``at``, ``orbit`` or ``line``;
    it is validated into :attr:`placement`, a :data:`Placement` tagged by kind.
    ``active_from`` and ``active_until`` bound when it observes (an airborne sensor
    arriving on station and leaving it); outside them it makes no plots.
    """

    name: Name
    type: str = Field(description="a key of the sensor catalogue")
    placement: Placement
    height_m: float | None = Field(
        None, ge=0.0, le=30_000.0, description="antenna height above ground: mast or tether"
    )
    scan_period_s: float | None = Field(None, gt=0.0)
    range_m: float | None = Field(None, gt=0.0)
    false_alarms_per_scan: float | None = Field(None, ge=0.0)
    active_from: When | None = Field(
        None, description="on watch from: seconds after the start or a UTC time; default the start"
    )
    active_until: When | None = Field(
        None, description="on watch until: seconds after the start or a UTC time; default the end"
    )

    @model_validator(mode="before")
    @classmethod
    def _placement_from_its_key(cls, data: Any) -> Any:
        """Move ``at``/``orbit``/``line`` into ``placement``, tagged with its kind."""
        if not isinstance(data, dict):
            return data
        given = [key for key in PLACEMENT_KEYS if key in data]
        if "placement" in data and not given:
            return data
        if len(given) != 1 or "placement" in data:
            raise ValueError(f"give exactly one of at, orbit or line (got {given or 'none'})")
        (key,) = given
        data = dict(data)
        value = data.pop(key)
        if key == "at":
            data["placement"] = {"kind": "fixed", "at": value}
        elif isinstance(value, dict):
            data["placement"] = {**value, "kind": PLACEMENT_KEYS[key]}
        else:
            raise ValueError(f"{key} must be a mapping, not {type(value).__name__}")
        return data


def file_location(loc: FieldPath) -> FieldPath:
    """A validation error's location written as the file's keys: a placement's
    ``("placement", "orbit", "radius_m")`` is the file's ``("orbit", "radius_m")``."""
    for i, part in enumerate(loc[:-1]):
        if part == "placement" and loc[i + 1] in ("fixed", "orbit", "line"):
            key = () if loc[i + 1] == "fixed" else (loc[i + 1],)
            return (*loc[:i], *key, *loc[i + 2 :])
    return loc


AssetKind = Literal["city", "airport", "military", "infrastructure"]


class Asset(_Strict):
    """A defended asset: a place that threats must not reach."""

    name: Name
    kind: AssetKind
    at: Place
    radius_m: float = Field(5_000.0, gt=0.0, le=500_000.0)
    value: float = Field(
        1.0, gt=0.0, le=1_000_000.0, description="relative worth, for threat ranking"
    )


def _known_icao(code: str) -> str:
    try:
        airport(code)
    except LookupError as error:
        raise ValueError(str(error.args[0]) if error.args else str(error)) from None
    return code.upper()


IcaoCode = Annotated[str, Field(max_length=8), AfterValidator(_known_icao)]
"""An airport's ICAO code, known to the airport database."""


DEFAULT_SQUAWK = "1000"
"""The Mode A code a civil flight sets when none is given: 1000, the conspicuity code of
Mode S flights in European airspace (assumed for every flight)."""


class Squawk(_Strict):
    """One flight of a flow sets a Mode A code from a time on (7500, 7600, 7700: emergencies)."""

    code: str = Field(pattern=r"^[0-7]{4}$", description="four octal digits, e.g. 7500")
    from_s: float = Field(ge=-MAX_TIME_OFFSET_S, le=MAX_TIME_OFFSET_S, description="s after start")
    flight: int = Field(1, ge=1, le=10_000, description="which flight of the flow, 1 the first")


class Divert(_Strict):
    """One flight of a flow leaves its filed route at a time and flies to a place instead."""

    at_s: float = Field(ge=-MAX_TIME_OFFSET_S, le=MAX_TIME_OFFSET_S, description="s after start")
    to: Place
    flight: int = Field(1, ge=1, le=10_000, description="which flight of the flow, 1 the first")


class CivilFlights(_Strict):
    """Scheduled civil flights between two airports, with transponders (ADS-B).

    Each flight files a flight plan (its callsign, airports and scheduled time);
    ``squawk`` and ``divert`` make one of them set an emergency code or leave its plan.
    """

    name: Name
    departure: IcaoCode
    arrival: IcaoCode
    aircraft: str = Field("airliner", description="a key of the threat catalogue")
    count: int = Field(gt=0, le=10_000)
    first_departure: When = 0.0
    interval_s: Seconds = 3600.0
    jitter_s: Seconds = 0.0
    cruise_alt_m: float = Field(10_000.0, gt=0.0, le=15_000.0)
    callsign_prefix: str = Field("FLW", pattern=r"^[A-Z]{3}$")
    squawk: Squawk | None = None
    divert: Divert | None = None

    @model_validator(mode="after")
    def _two_airports(self) -> CivilFlights:
        if self.departure == self.arrival:
            raise ValueError(f"departure and arrival are both {self.departure}")
        for what in (self.squawk, self.divert):
            if what is not None and what.flight > self.count:
                raise ValueError(f"flight {what.flight} of a flow of {self.count}")
        return self


def civil_callsign(prefix: str, object_id: int) -> str:
    """The callsign of the civil flight that is object ``object_id`` of a run."""
    return f"{prefix}{100 + object_id % 9000:d}"


def civil_object_ids(scenario: Scenario) -> list[int]:
    """The object number of each civil flow's first flight: raids come first, in order."""
    first = sum(raid.count for raid in scenario.raids)
    starts = []
    for flights in scenario.civil_traffic:
        starts.append(first)
        first += flights.count
    return starts


class Catalogues(_Strict):
    """Threat and sensor types a scenario adds to (or replaces in) the built-in catalogues."""

    threats: dict[str, ThreatType] = Field(default_factory=dict)
    sensors: dict[str, SensorType] = Field(default_factory=dict)


class Scenario(_Strict):
    """A whole scenario, as validated from a scenario file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=MAX_NAME_LENGTH)
    description: str = ""
    sources: list[str] = Field(default_factory=list, description="public sources it rests on")
    start: AwareDatetime = Field(description="UTC start time, with offset")
    duration_s: float = Field(gt=0.0, le=MAX_DURATION_S)
    seed: int = Field(ge=0, le=MAX_SEED)
    step_s: float = Field(1.0, ge=MIN_STEP_S, le=MAX_WINDOW_S, description="simulation time step")
    batch_s: float = Field(
        5.0,
        gt=0.0,
        le=MAX_WINDOW_S,
        description="sensors observe, and plots are batched, this often",
    )
    truth_period_s: float = Field(
        5.0, gt=0.0, le=MAX_DURATION_S, description="how often truth is recorded"
    )
    origin: Place | None = Field(None, description="origin of the local frame; default centre")
    catalogue: Catalogues = Field(default_factory=Catalogues)
    raids: list[Raid] = Field(default_factory=list)
    sensors: list[Sensor] = Field(min_length=1)
    assets: list[Asset] = Field(default_factory=list)
    airports: list[IcaoCode] = Field(default_factory=list)
    civil_traffic: list[CivilFlights] = Field(default_factory=list)

    @property
    def end(self) -> datetime:
        """The UTC end time."""
        return self.start + timedelta(seconds=self.duration_s)

    def seconds_after_start(self, when: float | datetime) -> float:
        """A launch or departure time as seconds after the start."""
        if isinstance(when, datetime):
            return (when - self.start).total_seconds()
        return float(when)


# --- faults across fields ----------------------------------------------------------------------

Fault = tuple[FieldPath, str]


def cross_field_faults(scenario: Scenario) -> list[Fault]:
    """Faults across fields, each with its field path; empty when ``flankwatch run`` can
    run the scenario.

    Names must be unique and must name catalogue entries or earlier raids; the
    time step must divide the window and the truth period; the frame origin must
    be away from the poles; placements and overrides must suit their sensor
    type; and the totals (objects, sensors, waypoints, false plots) are bounded.
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


def frame_anchor_points(scenario: Scenario) -> list[tuple[float, float]]:
    """The (lat_deg, lon_deg) points whose mean is the run's default frame origin."""
    return [point for sensor in scenario.sensors for point in sensor.placement.anchor_points()]


def _origin_faults(scenario: Scenario) -> list[Fault]:
    """The frame's origin, given or the mean of the sensors' anchor points, away from a pole."""
    where: FieldPath = ()
    if scenario.origin is not None:
        lat, where = scenario.origin.lat, ("origin",)
    else:
        points = frame_anchor_points(scenario)
        lat = round(sum(p[0] for p in points) / len(points), 4)
    if abs(lat) <= MAX_ORIGIN_LAT_DEG:
        return []
    what = "the origin" if where else "the mean sensor position (the default origin)"
    return [
        (
            where,
            f"{what} is at latitude {lat:g}: the local frame needs an origin within "
            f"{MAX_ORIGIN_LAT_DEG:g} degrees of the equator (give an origin)",
        )
    ]


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


_OVERRIDES = ("scan_period_s", "range_m", "false_alarms_per_scan")


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
            where: FieldPath = (field,) if field in _OVERRIDES else ()
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


def overridden_type(
    spec: RadarType | AdsbType | AcousticType, sensor: Sensor
) -> RadarType | AdsbType | AcousticType:
    """The catalogue type with the sensor's own scan period, range and false-alarm rate,
    validated as a type (raises :class:`pydantic.ValidationError` if that breaks a bound)."""
    changes = {name: value for name in _OVERRIDES if (value := getattr(sensor, name)) is not None}
    if not changes:
        return spec
    return type(spec).model_validate({**spec.model_dump(), **changes})


def sensor_rows(sensor: Sensor) -> int:
    """How many sensors an entry stands for: the nodes of a line, else one."""
    return sensor.placement.count if isinstance(sensor.placement, LinePlacement) else 1


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
