"""Threat kinematics: every object flies its route, one fixed time step at a time.

All objects are advanced together as arrays. An object is launched at its
launch time, from its launch site or from its parent's current position (one
whose parent is not flying then is never launched), and flies great-circle legs
toward its waypoints:

- **heading**: it steers toward the next waypoint at no more than its turn
  rate, so it turns in arcs at waypoints; a weaving object adds a sinusoidal
  offset to the heading it steers for (dropped near its final waypoint).
- **waypoints**: it switches to the next waypoint within one turn radius
  (speed / turn rate) of the current one.
- **altitude**: toward an intermediate waypoint it climbs or descends at its
  climb rate to that waypoint's altitude and holds it; toward its final
  waypoint it holds the altitude of the previous waypoint (or its cruise
  altitude) and then descends, at its climb rate, to arrive at the final
  altitude. A ballistic object instead follows a parabola peaking at its
  apogee halfway along its route.
- **end**: it ends on reaching its final waypoint, on flying past it, or when it
  has flown its range.
- **before the start**: an object launched before the run's first step (a
  negative launch time) is flown, by these same rules and steps, from its launch
  time up to that first step, so it starts the run in flight where it would be
  by then; one that would have ended before then never appears.

Altitudes are above the ellipsoid and taken as heights above the ground
(terrain is not modelled). Positions are WGS-84 latitude and longitude (degrees)
inside this module and ECEF metres at its interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from flankwatch.geo.frames import geodetic_to_ecef_points
from flankwatch.geo.geodesy import distance_azimuth, forward
from flankwatch.sim.plans import MANOEUVRES, FlightPlans
from flankwatch.sim.steering import above_ground, ballistic_arc, climb, steer

WAITING, FLYING, ENDED = 0, 1, 2
"""Object phases."""

_WEAVE = MANOEUVRES.index("weave")
_BALLISTIC = MANOEUVRES.index("ballistic")


@dataclass(frozen=True)
class Motion:
    """Where the objects flying during one step were at its start and at its end.

    ``object_id`` indexes the flight plans; positions are ECEF, m; heights in m.
    """

    object_id: np.ndarray
    start_ecef_m: np.ndarray  # (n, 3)
    end_ecef_m: np.ndarray  # (n, 3)
    start_alt_m: np.ndarray
    end_alt_m: np.ndarray
    end_lat_deg: np.ndarray
    end_lon_deg: np.ndarray

    def __len__(self) -> int:
        return len(self.object_id)


class _Step(NamedTuple):
    """One step of :meth:`Kinematics.advance_steps` before the ECEF conversion: the objects
    flying (``ids``), which of them had no ECEF position yet (``new``), their heights at
    the start (m), where those ``new`` ones started and where all of them ended (latitude
    and longitude in degrees, height in m)."""

    ids: np.ndarray
    new: np.ndarray
    start_alt_m: np.ndarray
    fresh: tuple[np.ndarray, np.ndarray, np.ndarray]
    end: tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _Fleet:
    """The plan columns of the objects ``ids`` that :meth:`Kinematics._fly` reads every
    step of ``step_s`` (s), gathered once while the same objects fly (see
    :meth:`Kinematics._fleet`)."""

    ids: np.ndarray
    step_s: float
    speed_mps: np.ndarray
    turn_rate_rad_s: np.ndarray
    turn_radius_m: np.ndarray
    travel_m: np.ndarray  # distance flown in a step
    max_turn_rad: np.ndarray  # heading change in a step at most
    climb_m: np.ndarray  # height change in a step at the climb rate
    steep_climb_m: np.ndarray  # height change in a step at twice the climb rate
    weaves: np.ndarray  # bool
    any_weaves: bool
    weave_amplitude_rad: np.ndarray
    weave_period_s: np.ndarray
    weave_phase_rad: np.ndarray
    last_waypoint: np.ndarray  # index of each route's final waypoint
    range_m: np.ndarray
    climb_rate_mps: np.ndarray
    cruise_alt_m: np.ndarray
    ballistic: np.ndarray  # bool
    any_ballistic: bool
    apogee_m: np.ndarray

    @classmethod
    def of(cls, plans: FlightPlans, ids: np.ndarray, step_s: float) -> _Fleet:
        """The columns of objects ``ids`` of ``plans``, for steps of ``step_s`` (s)."""
        speed, turn_rate = plans.speed_mps[ids], plans.turn_rate_rad_s[ids]
        climb = plans.climb_rate_mps[ids]
        weaves = plans.manoeuvre[ids] == _WEAVE
        ballistic = plans.manoeuvre[ids] == _BALLISTIC
        return cls(
            ids=ids.copy(),
            step_s=step_s,
            speed_mps=speed,
            turn_rate_rad_s=turn_rate,
            turn_radius_m=speed / turn_rate,
            travel_m=speed * step_s,
            max_turn_rad=turn_rate * step_s,
            climb_m=climb * step_s,
            steep_climb_m=2.0 * climb * step_s,
            weaves=weaves,
            any_weaves=bool(weaves.any()),
            weave_amplitude_rad=plans.weave_amplitude_rad[ids],
            weave_period_s=plans.weave_period_s[ids],
            weave_phase_rad=plans.weave_phase_rad[ids],
            last_waypoint=plans.n_waypoints[ids] - 1,
            range_m=plans.range_m[ids],
            climb_rate_mps=climb,
            cruise_alt_m=plans.cruise_alt_m[ids],
            ballistic=ballistic,
            any_ballistic=bool(ballistic.any()),
            apogee_m=plans.apogee_m[ids],
        )

    def holds(self, ids: np.ndarray, step_s: float) -> bool:
        """True when these are the columns of exactly ``ids`` for steps of ``step_s`` (s)."""
        return self.step_s == step_s and len(self.ids) == len(ids) and bool((self.ids == ids).all())


@dataclass(frozen=True)
class _Legs:
    """The legs the objects of ``fleet`` fly: toward waypoints ``next_waypoint``, kept
    while they fly the same legs (see :meth:`Kinematics._legs`)."""

    fleet: _Fleet
    next_waypoint: np.ndarray
    lat_deg: np.ndarray  # of the next waypoint
    lon_deg: np.ndarray
    alt_m: np.ndarray
    last: np.ndarray  # bool: the next waypoint is the final one
    hold_alt_m: np.ndarray  # altitude held toward the final waypoint before descending
    descent_m: np.ndarray  # distance before the final waypoint where the descent begins

    @classmethod
    def of(cls, plans: FlightPlans, fleet: _Fleet, nxt: np.ndarray) -> _Legs:
        """The legs of ``fleet`` toward waypoints ``nxt``."""
        ids = fleet.ids
        wp_alt = plans.waypoint_alt_m[ids, nxt]
        previous = plans.waypoint_alt_m[ids, np.maximum(nxt - 1, 0)]
        hold = np.where(nxt > 0, previous, fleet.cruise_alt_m)
        return cls(
            fleet=fleet,
            next_waypoint=nxt,
            lat_deg=plans.waypoint_lat_deg[ids, nxt],
            lon_deg=plans.waypoint_lon_deg[ids, nxt],
            alt_m=wp_alt,
            last=nxt == fleet.last_waypoint,
            hold_alt_m=hold,
            descent_m=np.abs(hold - wp_alt) * fleet.speed_mps / fleet.climb_rate_mps,
        )

    def holds(self, fleet: _Fleet, nxt: np.ndarray) -> bool:
        """True when these are the legs of ``fleet`` toward waypoints ``nxt``."""
        return self.fleet is fleet and bool((self.next_waypoint == nxt).all())


class Kinematics:
    """The state of every object of a run, advanced by :meth:`advance`."""

    def __init__(self, plans: FlightPlans) -> None:
        n = len(plans)
        self.plans = plans
        self.phase = np.full(n, WAITING, dtype=np.int8)
        self.lat_deg = np.full(n, np.nan)
        self.lon_deg = np.full(n, np.nan)
        self.alt_m = np.full(n, np.nan)
        self.heading_rad = np.zeros(n)
        self.next_waypoint = np.zeros(n, dtype=np.int32)
        self.flown_m = np.zeros(n)
        self.route_m = np.zeros(n)
        self.start_alt_m = np.zeros(n)
        self.end_t_s = np.full(n, np.nan)
        self.launched = np.zeros(n, dtype=bool)
        self._caught_up = False
        self._ecef_m = np.full((n, 3), np.nan)
        """Each object's ECEF position (m) at the end of the last :meth:`advance` it flew in
        (the next step's start), where ``_ecef_known``."""
        self._ecef_known = np.zeros(n, dtype=bool)
        self._kept_fleet: _Fleet | None = None
        self._kept_legs: _Legs | None = None
        self._next_launch_s = float(plans.launch_t_s.min()) if n else np.inf
        """No object waiting is launched before this time, s (see :meth:`_launch`)."""

    def advance(self, t_s: float, step_s: float) -> Motion:
        """Launch what is due by ``t_s`` and fly everything from ``t_s`` to ``t_s + step_s``.

        On the first call, objects launched before ``t_s`` are first flown up to it
        (:meth:`catch_up`).
        """
        return self.advance_steps([t_s], step_s)[0]

    def advance_steps(self, starts_s: Sequence[float], step_s: float) -> list[Motion]:
        """:meth:`advance` through consecutive steps of ``step_s`` (s) starting at
        ``starts_s`` (s): one motion per step. The positions of all the steps are turned
        into ECEF in one call (PROJ converts each point alone, so they are those of one
        step at a time)."""
        if not self._caught_up and len(starts_s):
            self.catch_up(starts_s[0], step_s)
        steps = [self._step(t_s, step_s) for t_s in starts_s]
        lat, lon, alt = (
            np.concatenate([part for step in steps for part in (step.fresh[i], step.end[i])])
            for i in range(3)
        )
        ecef = geodetic_to_ecef_points(lat, lon, alt)
        motions, at = [], 0
        for step in steps:
            n_fresh, n = len(step.fresh[0]), len(step.ids)
            start_ecef = self._ecef_m[step.ids]
            start_ecef[step.new] = ecef[at : at + n_fresh]
            end_ecef = ecef[at + n_fresh : at + n_fresh + n]
            at += n_fresh + n
            self._ecef_m[step.ids] = end_ecef
            end_lat, end_lon, end_alt = step.end
            motions.append(
                Motion(step.ids, start_ecef, end_ecef, step.start_alt_m, end_alt, end_lat, end_lon)
            )
        return motions

    def _step(self, t_s: float, step_s: float) -> _Step:
        """Launch what is due by ``t_s`` and fly everything one step of ``step_s`` (s); where
        the objects were (those whose ECEF position is not known) and are, geodetic."""
        self._launch(t_s)
        ids = np.flatnonzero(self.phase == FLYING)
        start_alt = self.alt_m[ids]
        new = ~self._ecef_known[ids]
        fresh = ids[new]
        where_fresh = (self.lat_deg[fresh], self.lon_deg[fresh], start_alt[new])
        ended = ids[self._fly(ids, t_s, step_s)]
        self.phase[ended] = ENDED
        self.end_t_s[ended] = t_s + step_s
        self._ecef_known[ids] = True
        end = (self.lat_deg[ids], self.lon_deg[ids], self.alt_m[ids])
        return _Step(ids, new, start_alt, where_fresh, end)

    def catch_up(self, t_s: float, step_s: float) -> None:
        """Fly the objects launched before ``t_s`` (s) up to ``t_s``, in steps of ``step_s`` (s).

        The steps lie on the grid of ``t_s`` and ``step_s``, so launches fall on the same
        step boundaries as during the run. Only objects that could still fly at ``t_s``
        (launched less than their range at their speed earlier) and the platforms they
        are launched from are flown; the others end unseen. Objects ended before ``t_s``
        are left ended and not marked launched, so they never appear.
        """
        self._caught_up = True
        plans = self.plans
        early = plans.launch_t_s < t_s
        if not early.any():
            return
        endurance_s = plans.range_m / plans.speed_mps
        needed = early & (plans.launch_t_s + endurance_s > t_s)
        ancestor = plans.parent[needed]
        while (ancestor := ancestor[ancestor >= 0]).size:
            needed[ancestor] = True
            ancestor = plans.parent[ancestor]
        self.phase[early & ~needed] = ENDED
        if not needed.any():
            return
        first_s = float(plans.launch_t_s[needed].min())
        n_steps = int(np.ceil((t_s - first_s) / step_s - 1e-9))
        for k in range(n_steps, 0, -1):
            now_s = t_s - k * step_s
            self._launch(now_s)
            ids = np.flatnonzero(self.phase == FLYING)
            ended = self._fly(ids, now_s, step_s)
            self.phase[ids[ended]] = ENDED
            self.end_t_s[ids[ended]] = now_s + step_s
        self.launched[self.phase == ENDED] = False

    def destroy(self, object_ids: np.ndarray, t_s: float) -> np.ndarray:
        """End the flying objects among ``object_ids`` at ``t_s`` (s), where they are now.

        Returns the ids that were flying and are now ended.
        """
        ids = np.unique(np.asarray(object_ids, np.int64))
        ids = ids[self.phase[ids] == FLYING]
        self.phase[ids] = ENDED
        self.end_t_s[ids] = t_s
        return ids

    def _launch(self, t_s: float) -> None:
        """Launch the objects waiting whose launch time is at or before ``t_s`` (s)."""
        if t_s < self._next_launch_s:
            return
        plans = self.plans
        waiting = self.phase == WAITING
        due = np.flatnonzero(waiting & (plans.launch_t_s <= t_s))
        waiting[due] = False
        self._next_launch_s = float(plans.launch_t_s[waiting].min()) if waiting.any() else np.inf
        if not len(due):
            return
        parent = plans.parent[due]
        from_parent = parent >= 0
        parent_flying = np.zeros(len(due), dtype=bool)
        parent_flying[from_parent] = self.phase[parent[from_parent]] == FLYING
        orphaned = from_parent & ~parent_flying
        self.phase[due[orphaned]] = ENDED
        due, parent, from_parent = due[~orphaned], parent[~orphaned], from_parent[~orphaned]
        if not len(due):
            return
        lat = np.where(from_parent, self.lat_deg[parent], plans.launch_lat_deg[due])
        lon = np.where(from_parent, self.lon_deg[parent], plans.launch_lon_deg[due])
        alt = np.where(from_parent, self.alt_m[parent], plans.launch_alt_m[due])
        self.lat_deg[due], self.lon_deg[due], self.alt_m[due] = lat, lon, alt
        self.start_alt_m[due] = alt
        distance, azimuth = distance_azimuth(
            lat, lon, plans.waypoint_lat_deg[due, 0], plans.waypoint_lon_deg[due, 0]
        )
        self.heading_rad[due] = azimuth
        self.route_m[due] = distance + self._route_after_first(due)
        self.phase[due] = FLYING
        self.launched[due] = True

    def _route_after_first(self, ids: np.ndarray) -> np.ndarray:
        """Length of each route from its first waypoint to its last, m."""
        plans = self.plans
        lat, lon = plans.waypoint_lat_deg[ids], plans.waypoint_lon_deg[ids]
        if lat.shape[1] < 2:
            return np.zeros(len(ids))
        legs, _ = distance_azimuth(lat[:, :-1], lon[:, :-1], lat[:, 1:], lon[:, 1:])
        return np.nansum(legs, axis=1)

    def _fleet(self, ids: np.ndarray, step_s: float) -> _Fleet:
        """The plan columns of the flying objects ``ids``, kept while the same objects fly."""
        kept = self._kept_fleet
        if kept is None or not kept.holds(ids, step_s):
            kept = self._kept_fleet = _Fleet.of(self.plans, ids, step_s)
        return kept

    def _legs(self, fleet: _Fleet) -> _Legs:
        """The legs the objects of ``fleet`` fly now, kept while they fly the same legs."""
        nxt = self.next_waypoint[fleet.ids]
        kept = self._kept_legs
        if kept is None or not kept.holds(fleet, nxt):
            kept = self._kept_legs = _Legs.of(self.plans, fleet, nxt)
        return kept

    def _fly(self, ids: np.ndarray, t_s: float, step_s: float) -> np.ndarray:
        """Move objects ``ids`` by one step; return the mask of those that ended."""
        fleet = self._fleet(ids, step_s)
        legs = self._legs(fleet)
        last = legs.last
        turn_radius = fleet.turn_radius_m
        lat, lon = self.lat_deg[ids], self.lon_deg[ids]
        distance, bearing = distance_azimuth(lat, lon, legs.lat_deg, legs.lon_deg)

        offset = self._weave_offset(fleet, last, distance, t_s)
        azimuth, step_m, arrived, passed = steer(
            distance,
            bearing,
            offset,
            self.heading_rad[ids],
            fleet.max_turn_rad,
            fleet.travel_m,
            last,
            turn_radius,
        )
        new_lat, new_lon, new_heading = forward(lat, lon, azimuth, step_m)
        self.lat_deg[ids], self.lon_deg[ids] = new_lat, new_lon
        self.heading_rad[ids] = new_heading
        flown = self.flown_m[ids] + step_m
        self.flown_m[ids] = flown

        self.alt_m[ids] = self._altitude(fleet, legs, distance - step_m, flown)
        switch = ~last & (distance < np.maximum(turn_radius, fleet.travel_m))
        if switch.any():
            self.next_waypoint[ids[switch]] += 1
        out_of_range = flown >= fleet.range_m
        return arrived | passed | out_of_range

    @staticmethod
    def _weave_offset(
        fleet: _Fleet, last: np.ndarray, distance_m: np.ndarray, t_s: float
    ) -> np.ndarray:
        """What weaving adds at ``t_s`` (s) to the heading each object steers for, rad
        (zeros when none of them weaves); ``distance_m`` is to the next waypoint."""
        if not fleet.any_weaves:
            return np.zeros(len(fleet.ids))
        weave = fleet.weaves & ~(last & (distance_m < 5 * fleet.turn_radius_m))
        offset = fleet.weave_amplitude_rad * np.sin(
            2 * np.pi * t_s / fleet.weave_period_s + fleet.weave_phase_rad
        )
        return np.where(weave, offset, 0.0)

    def _altitude(
        self, fleet: _Fleet, legs: _Legs, remaining_m: np.ndarray, flown_m: np.ndarray
    ) -> np.ndarray:
        """Altitude (m) after the step of the objects of ``fleet`` flying ``legs``, with
        ``remaining_m`` (m) left to the next waypoint and ``flown_m`` (m) flown, by the rules
        in the module docstring."""
        ids = fleet.ids
        new_alt = climb(
            self.alt_m[ids],
            remaining_m,
            legs.alt_m,
            legs.hold_alt_m,
            legs.descent_m,
            legs.last,
            fleet.climb_m,
            fleet.steep_climb_m,
        )
        if fleet.any_ballistic:
            new_alt = ballistic_arc(
                new_alt,
                fleet.ballistic,
                flown_m,
                self.route_m[ids],
                self.start_alt_m[ids],
                fleet.apogee_m,
            )
        return above_ground(new_alt)
