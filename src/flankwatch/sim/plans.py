"""Flight plans: every simulated object's type, launch time, route and draws, as arrays.

A scenario's raids and civil flights become one table of objects. Each object
gets its own launch time (interval plus jitter), speed and cross-section (drawn
in its type's ranges) and route (the raid's waypoints, each moved by the raid's
spread). Routes are padded arrays of waypoints; ``n_waypoints`` says how many
of each row are real.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from flankwatch.geo.airports import airport
from flankwatch.geo.geodesy import distance_azimuth, forward
from flankwatch.scenario.catalogue import ThreatType, threat_types
from flankwatch.scenario.schema import (
    DEFAULT_SQUAWK,
    CivilFlights,
    Raid,
    Scenario,
    civil_callsign,
)

MANOEUVRES = ("straight", "weave", "ballistic")
"""Manoeuvre kinds, indexed by :attr:`FlightPlans.manoeuvre`."""


@dataclass(frozen=True)
class FlightPlans:
    """All objects of a run, one row each. Angles in degrees only for lat/lon."""

    name: np.ndarray  # str, "<raid>-<n>"
    group: np.ndarray  # str, the raid or civil-traffic entry
    threat: np.ndarray  # str, catalogue key
    category: np.ndarray  # str, catalogue category
    origin: np.ndarray  # str, where it comes from
    launch_t_s: np.ndarray  # float64, s after start (negative: launched before it)
    parent: np.ndarray  # int32, object launching it (-1: a launch site)
    launch_lat_deg: np.ndarray  # float64 (NaN when launched from a parent)
    launch_lon_deg: np.ndarray  # float64
    launch_alt_m: np.ndarray  # float64
    waypoint_lat_deg: np.ndarray  # (n, w) float64
    waypoint_lon_deg: np.ndarray  # (n, w) float64
    waypoint_alt_m: np.ndarray  # (n, w) float64
    n_waypoints: np.ndarray  # int32
    speed_mps: np.ndarray
    cruise_alt_m: np.ndarray  # altitude held before the final descent when no waypoint says
    climb_rate_mps: np.ndarray
    turn_rate_rad_s: np.ndarray
    manoeuvre: np.ndarray  # int8, index into MANOEUVRES
    weave_amplitude_rad: np.ndarray
    weave_period_s: np.ndarray
    weave_phase_rad: np.ndarray
    apogee_m: np.ndarray
    range_m: np.ndarray
    rcs_m2: np.ndarray
    swerling: np.ndarray  # int8
    sound_db: np.ndarray
    cooperative: np.ndarray  # bool
    icao24: np.ndarray  # uint32, 0 if none
    callsign: np.ndarray  # str, "" if none
    squawk: np.ndarray  # int16, Mode A code as its octal digits read in decimal, 0 if none
    squawk_to: np.ndarray  # int16, the code set from squawk_from_s on
    squawk_from_s: np.ndarray  # float64, s after start (inf: never)
    mode5: np.ndarray  # bool, answers IFF Mode 5 (own aircraft)

    def squawk_at(self, ids: np.ndarray, t_s: float) -> np.ndarray:
        """The Mode A codes objects ``ids`` show at ``t_s`` (s), 0 if none."""
        return np.where(t_s >= self.squawk_from_s[ids], self.squawk_to[ids], self.squawk[ids])

    def __len__(self) -> int:
        return len(self.launch_t_s)

    def to_arrow(self) -> pa.Table:
        """The static part of the plans, one row per object (the recording's ``objects``)."""
        return pa.table(
            {
                "object_id": np.arange(len(self), dtype=np.int32),
                "name": self.name.astype(str),
                "group": self.group.astype(str),
                "threat": self.threat.astype(str),
                "category": self.category.astype(str),
                "origin": self.origin.astype(str),
                "launch_t_s": self.launch_t_s,
                "parent_id": self.parent,
                "speed_mps": self.speed_mps,
                "rcs_m2": self.rcs_m2,
                "cooperative": self.cooperative,
                "icao24": self.icao24,
                "callsign": self.callsign.astype(str),
            }
        )


@dataclass
class _Row:
    """One object while the plans are being drawn."""

    name: str
    group: str
    threat_key: str
    threat: ThreatType
    origin: str
    launch_t_s: float
    parent: int
    launch: tuple[float, float, float]
    waypoints: list[tuple[float, float, float]]
    speed_mps: float
    cruise_alt_m: float
    icao24: int = 0
    callsign: str = ""
    squawk: int = 0
    squawk_to: int = 0
    squawk_from_s: float = np.inf
    mode5: bool = False


def draw_plans(scenario: Scenario, rng: np.random.Generator) -> FlightPlans:
    """Draw every object of ``scenario``: raids first, in order, then civil flights."""
    threats = threat_types(scenario.catalogue.threats)
    rows: list[_Row] = []
    first_of_raid: dict[str, tuple[int, int]] = {}
    for raid in scenario.raids:
        start = len(rows)
        rows.extend(_raid_rows(scenario, raid, threats[raid.threat], first_of_raid, start, rng))
        first_of_raid[raid.name] = (start, len(rows))
    for flights in scenario.civil_traffic:
        rows.extend(_civil_rows(scenario, flights, threats[flights.aircraft], len(rows), rng))
    return _to_arrays(rows, rng)


def _raid_rows(
    scenario: Scenario,
    raid: Raid,
    threat: ThreatType,
    raids_so_far: dict[str, tuple[int, int]],
    first_id: int,
    rng: np.random.Generator,
) -> list[_Row]:
    """A raid's objects; those of a cooperative type get an ICAO address and a callsign."""
    first = scenario.seconds_after_start(raid.first_launch)
    times = first + raid.interval_s * np.arange(raid.count)
    times = times + rng.normal(0.0, raid.jitter_s, raid.count) if raid.jitter_s else times
    cruise = (
        raid.cruise_alt_m if raid.cruise_alt_m is not None else float(np.mean(threat.altitude_m))
    )
    route = raid.waypoints()
    speeds = (
        np.full(raid.count, raid.speed_mps)
        if raid.speed_mps is not None
        else rng.uniform(*threat.speed_mps, raid.count)
    )
    rows = []
    for i in range(raid.count):
        if raid.launched_from is not None:
            start, stop = raids_so_far[raid.launched_from]
            parent, launch = start + i % (stop - start), (np.nan, np.nan, np.nan)
        elif raid.launch is not None:
            parent, launch = -1, (raid.launch.lat, raid.launch.lon, 0.0)
        else:
            raise ValueError(f"raid {raid.name} has neither a launch site nor platforms")
        waypoints = [_spread(point, raid.spread_m, rng) for point in route]
        rows.append(
            _Row(
                name=f"{raid.name}-{i + 1}",
                group=raid.name,
                threat_key=raid.threat,
                threat=threat,
                origin=raid.origin,
                launch_t_s=float(times[i]),
                parent=parent,
                launch=launch,
                waypoints=waypoints,
                speed_mps=float(speeds[i]),
                cruise_alt_m=cruise,
                icao24=_icao24("RAI", first_id + i) if threat.cooperative else 0,
                callsign=f"{_callsign_prefix(raid.name)}{i + 1}" if threat.cooperative else "",
                mode5=raid.iff_mode5,
            )
        )
    return rows


def _callsign_prefix(name: str) -> str:
    """Up to four letters of a raid's name, upper case, for its objects' callsigns."""
    letters = "".join(c for c in name.upper() if c.isalpha())
    return (letters or "OBJ")[:4]


def _civil_rows(
    scenario: Scenario,
    flights: CivilFlights,
    aircraft: ThreatType,
    first_id: int,
    rng: np.random.Generator,
) -> list[_Row]:
    dep, arr = airport(flights.departure), airport(flights.arrival)
    first = scenario.seconds_after_start(flights.first_departure)
    times = first + flights.interval_s * np.arange(flights.count)
    if flights.jitter_s:
        times = times + rng.normal(0.0, flights.jitter_s, flights.count)
    speeds = rng.uniform(*aircraft.speed_mps, flights.count)
    rows = []
    for i in range(flights.count):
        object_id = first_id + i
        waypoints = [(arr.lat_deg, arr.lon_deg, 0.0)]
        divert, squawk = flights.divert, flights.squawk
        if divert is not None and divert.flight == i + 1:
            waypoints = _diverted(
                (dep.lat_deg, dep.lon_deg),
                waypoints[0],
                float(speeds[i]) * (divert.at_s - float(times[i])),
                flights.cruise_alt_m,
                divert.to.point,
            )
        emergency = squawk is not None and squawk.flight == i + 1
        rows.append(
            _Row(
                name=f"{flights.name}-{i + 1}",
                group=flights.name,
                threat_key=flights.aircraft,
                threat=aircraft,
                origin=flights.departure,
                launch_t_s=float(times[i]),
                parent=-1,
                launch=(dep.lat_deg, dep.lon_deg, 0.0),
                waypoints=waypoints,
                speed_mps=float(speeds[i]),
                cruise_alt_m=flights.cruise_alt_m,
                icao24=_icao24(flights.callsign_prefix, object_id),
                callsign=civil_callsign(flights.callsign_prefix, object_id),
                squawk=int(DEFAULT_SQUAWK),
                squawk_to=int(squawk.code) if squawk is not None and emergency else 0,
                squawk_from_s=squawk.from_s if squawk is not None and emergency else np.inf,
            )
        )
    return rows


def _diverted(
    departure: tuple[float, float],
    arrival: tuple[float, float, float],
    flown_m: float,
    cruise_alt_m: float,
    to: tuple[float, float],
) -> list[tuple[float, float, float]]:
    """The route of a flight that leaves its filed route after ``flown_m`` (m) for ``to``.

    It turns where it is then (on the geodesic from departure to arrival) and lands at
    ``to``; a flight that would already have arrived keeps its route.
    """
    total_m, azimuth = distance_azimuth(*departure, arrival[0], arrival[1])
    if flown_m >= float(total_m):
        return [arrival]
    lat, lon, _ = forward(*departure, azimuth, max(flown_m, 0.0))
    return [(float(lat), float(lon), cruise_alt_m), (to[0], to[1], 0.0)]


def _icao24(prefix: str, object_id: int) -> int:
    """A 24-bit address, unique within the run, never 0."""
    seed = sum(ord(c) << (8 * k) for k, c in enumerate(prefix))
    return (seed * 4099 + object_id * 2654435761 + 1) % 0xFFFFFF or 1


def _spread(
    point: tuple[float, float, float], spread_m: float, rng: np.random.Generator
) -> tuple[float, float, float]:
    """``point`` moved by a normal offset of ``spread_m`` per horizontal axis."""
    if spread_m <= 0.0:
        return point
    east, north = rng.normal(0.0, spread_m, 2)
    lat, lon, _ = forward(point[0], point[1], np.arctan2(east, north), np.hypot(east, north))
    return float(lat), float(lon), point[2]


def _to_arrays(rows: list[_Row], rng: np.random.Generator) -> FlightPlans:
    n = len(rows)
    width = max((len(r.waypoints) for r in rows), default=1)
    wp = np.full((n, width, 3), np.nan)
    for i, row in enumerate(rows):
        wp[i, : len(row.waypoints)] = row.waypoints
    low_rcs = np.array([r.threat.rcs_m2[0] for r in rows], float)
    high_rcs = np.array([r.threat.rcs_m2[1] for r in rows], float)
    rcs = np.exp(rng.uniform(np.log(low_rcs), np.log(high_rcs))) if n else np.empty(0)
    manoeuvres = [r.threat.manoeuvre for r in rows]

    def column(values: list, dtype: type | str = float) -> np.ndarray:
        return np.asarray(values, dtype=dtype)

    return FlightPlans(
        name=column([r.name for r in rows], object),
        group=column([r.group for r in rows], object),
        threat=column([r.threat_key for r in rows], object),
        category=column([r.threat.category for r in rows], object),
        origin=column([r.origin for r in rows], object),
        launch_t_s=column([r.launch_t_s for r in rows]),
        parent=column([r.parent for r in rows], np.int32),
        launch_lat_deg=column([r.launch[0] for r in rows]),
        launch_lon_deg=column([r.launch[1] for r in rows]),
        launch_alt_m=column([r.launch[2] for r in rows]),
        waypoint_lat_deg=wp[:, :, 0],
        waypoint_lon_deg=wp[:, :, 1],
        waypoint_alt_m=wp[:, :, 2],
        n_waypoints=column([len(r.waypoints) for r in rows], np.int32),
        speed_mps=column([r.speed_mps for r in rows]),
        cruise_alt_m=column([r.cruise_alt_m for r in rows]),
        climb_rate_mps=column([r.threat.climb_rate_mps for r in rows]),
        turn_rate_rad_s=np.radians(column([r.threat.turn_rate_deg_s for r in rows])),
        manoeuvre=column([MANOEUVRES.index(m.kind) for m in manoeuvres], np.int8),
        weave_amplitude_rad=np.radians(column([m.amplitude_deg for m in manoeuvres])),
        weave_period_s=column([m.period_s for m in manoeuvres]),
        weave_phase_rad=rng.uniform(0.0, 2 * np.pi, n),
        apogee_m=column([m.apogee_m for m in manoeuvres]),
        range_m=column([r.threat.range_m for r in rows]),
        rcs_m2=rcs,
        swerling=column([r.threat.swerling for r in rows], np.int8),
        sound_db=column([r.threat.sound_db for r in rows]),
        cooperative=column([r.threat.cooperative for r in rows], bool),
        icao24=column([r.icao24 for r in rows], np.uint32),
        callsign=column([r.callsign for r in rows], object),
        squawk=column([r.squawk for r in rows], np.int16),
        squawk_to=column([r.squawk_to for r in rows], np.int16),
        squawk_from_s=column([r.squawk_from_s for r in rows]),
        mode5=column([r.mode5 for r in rows], bool),
    )
