"""Own forces: every aircraft and launcher of the deployment's defence, in aligned arrays.

One row (a *platform*) per aircraft of a fighter unit (a quick-reaction base
holds ``count`` aircraft) and per launcher, gun, drone team or jammer of a
ground unit. Enablers (tankers, AEW aircraft) carry no weapons and get no row.

A platform's :class:`~flankwatch.respond.units.Phase`::

    STANDBY ──order──▶ PREPARING ──ready_s──▶ ENGAGING ──▶ RETURNING ──home──▶ REARMING
       ▲                                        ▲  (fighters: weapons, fuel,          │
       └──────── fighters: ready_s ─────────────┼── no target for a while)            │
                                                └──── ground units: ready_s ──────────┘

- a fighter ordered up is airborne ``readiness_s`` later at its base and flies
  toward its goal (the intercept point on its track, set each window) at its
  speed, turning at most :attr:`ForcesSettings.turn_rad_s` and climbing at its
  ``climb_mps`` (in height above the earth, not in the frame's ``z``); with no
  target it flies a racetrack (a combat air patrol): straight legs of
  :attr:`ForcesSettings.cap_leg_m` from where it lost its target along its heading
  and back, turning at the ends at :attr:`ForcesSettings.cap_turn_rad_s` (rather
  than circling a point), level and at least :attr:`ForcesSettings.min_height_m` up;
  it returns (holding its height until the glide path down to its base) when its
  weapons are spent, when the fuel left just brings it home (``endurance_s`` from
  take-off), when it has had no target for :attr:`ForcesSettings.idle_return_s`, or
  when its unit's active time ends;
  after landing it is turned round in ``reload_s`` and back at readiness;
- fighters of a unit fly in *elements* of the type's ``element_size`` aircraft
  (a quick-reaction pair): the planner gives an element one target at a time
  and every member the same; a member whose weapons are spent stays with its
  element in support (it takes its armed mate's target and path) and the
  element goes home together: when none of its members has a weapon left, or
  when one of them must (fuel, no target for a while, the unit's active time);
- an element (or a ground unit) fires at most its type's ``max_shots_per_target``
  at one track (:meth:`Forces.count_shot`; a fighter's count starts again after
  landing), then the planner leaves the track to others;
- a ground unit (launcher, gun, interceptor-drone team, jammer) ordered to
  engage may fire ``readiness_s`` later (its reaction time) and stays on alert;
  when its magazine is empty it re-loads for ``reload_s``.

Positions in the run's local ENU frame (m), times in s since the run's start.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from flankwatch.events import Event, EventKind
from flankwatch.respond.catalogue import TARGET_CATEGORIES, EffectorType, WeaponType
from flankwatch.respond.intercept import steer
from flankwatch.respond.targets import ground_height_m, z_at_height_m
from flankwatch.respond.units import (
    ENGAGING,
    INACTIVE,
    PREPARING,
    REARMING,
    RETURNING,
    STANDBY,
    ForcesSettings,
    IdCounter,
    UnitSpec,
)


class Forces:
    """All platforms' state in aligned arrays (one row each); see the module docstring."""

    def __init__(
        self,
        units: Sequence[UnitSpec],
        ids: IdCounter,
        settings: ForcesSettings | None = None,
        radius_m: float = math.inf,
        origin_alt_m: float = 0.0,
    ) -> None:
        self.settings = settings or ForcesSettings()
        self.ids = ids
        self.radius_m = radius_m
        """Radius of the sphere aircraft climb above (m); infinite: heights are ``z``."""
        self.origin_alt_m = origin_alt_m
        """Height of the frame's origin above that sphere, m."""
        armed = [u for u in units if u.effector.kind != "enabler"]
        keys = sorted({w for u in armed for w in u.weapons})
        self.weapon_keys: tuple[str, ...] = tuple(keys)
        self.weapons: tuple[WeaponType, ...] = tuple(
            next(u.weapons[k] for u in armed if k in u.weapons) for k in keys
        )
        rows = [(u, k) for u in armed for k in range(u.count)]
        n = len(rows)
        self.unit = np.array([u.name for u, _ in rows], object)
        self.effector = np.array([u.effector_key for u, _ in rows], object)
        self.kind = np.array([u.effector.kind for u, _ in rows], object)
        self.callsign = np.array(
            [u.name if u.count == 1 else f"{u.name} {k + 1}" for u, k in rows], object
        )
        self.flies = self.kind == "fighter"
        self.element = _elements([(u.count, u.effector.element_size) for u in armed])
        """(P,) row of each platform's element leader (itself when it acts alone)."""
        self.full = np.array(
            [[u.effector.loadout.get(key, 0) for key in keys] for u, _ in rows], np.int64
        ).reshape(n, len(keys))
        self.ammo = self.full.copy()
        self.home_m = np.array([u.position_m for u, _ in rows], float).reshape(n, 3)
        self.position_m = self.home_m.copy()
        self.velocity_mps = np.zeros((n, 3))
        self.goal_m = self.home_m.copy()
        self.speed_mps = np.array([u.effector.speed_mps for u, _ in rows], float)
        self.climb_mps = np.array([u.effector.climb_mps for u, _ in rows], float)
        self.endurance_s = np.array([u.effector.endurance_s for u, _ in rows], float)
        self.readiness_s = np.array([u.effector.readiness_s for u, _ in rows], float)
        self.reload_s = np.array([u.effector.reload_s for u, _ in rows], float)
        self.interval_s = np.array([u.effector.fire_interval_s for u, _ in rows], float)
        self.max_shots = np.array([u.effector.max_shots_per_target or 0 for u, _ in rows], np.int64)
        """(P,) most shots each platform's element fires at one target (a sortie's, for
        fighters); 0 where the type sets no limit (only the magazine's)."""
        self.shots_at: dict[tuple[int, int], int] = {}
        """Shots fired by (element leader row, track number) in the present sortie, for
        the platforms whose type sets a limit."""
        self.active_from_s = np.array([u.active_from_s for u, _ in rows], float)
        self.active_until_s = np.array([u.active_until_s for u, _ in rows], float)
        self.phase = np.full(n, INACTIVE, np.int8)
        self.ready_s = np.zeros(n)
        self.airborne_s = np.zeros(n)
        self.idle_since_s = np.zeros(n)
        self.next_fire_s = np.full(n, -np.inf)
        self.target = np.full(n, -1, np.int64)
        self.object_id = np.full(n, -1, np.int64)
        self.return_reason = np.full(n, "", object)
        self.cap_m = np.repeat(self.home_m[:, None, :], 2, axis=1)
        self.cap_end = np.zeros(n, np.int64)
        self.reach_m = np.array(
            [
                [
                    [min(w.reach_m(c), _held_m(u.effector, c)) for c in TARGET_CATEGORIES]
                    for w in self.weapons
                ]
                for u, _ in rows
            ],
            float,
        ).reshape(n, len(keys), len(TARGET_CATEGORIES))
        """(P, K, C) farthest shot of each platform's weapon at each class (m): the
        weapon's reach against the class, capped by the platform's acquisition range
        and its pilot's identification range."""
        self.preferred = np.array(
            [
                [[k in u.effector.preferred(c) for k in keys] for c in TARGET_CATEGORIES]
                for u, _ in rows
            ],
            bool,
        ).reshape(n, len(TARGET_CATEGORIES), len(keys))
        """(P, C, K) the weapons each platform fires first against each class (none
        marked: no preference)."""
        self.last_s = -np.inf

    def __len__(self) -> int:
        return len(self.unit)

    @property
    def busy(self) -> bool:
        """Whether any platform is doing anything but waiting (nothing moves otherwise)."""
        return bool(((self.phase != STANDBY) & (self.phase != INACTIVE)).any())

    def update(self, now_s: float) -> list[Event]:
        """Advance every platform to ``now_s``: phase changes by time, flight, landing."""
        events: list[Event] = []
        self._activity(now_s)
        before_s = self.last_s if np.isfinite(self.last_s) else now_s
        since_s = np.full(len(self), before_s)
        up = (self.phase == PREPARING) & (self.ready_s <= now_s)
        if up.any():
            since_s[up] = self.ready_s[up]
            self._take_off(np.flatnonzero(up & self.flies))
            self.phase[up] = ENGAGING
        done = (self.phase == REARMING) & (self.ready_s <= now_s)
        if done.any():
            self.ammo[done] = self.full[done]
            self.phase[done] = np.where(self.flies[done], STANDBY, ENGAGING)
        self._follow()
        self._fly(now_s, np.maximum(now_s - since_s, 0.0), events)
        self.last_s = now_s
        return events

    def mates(self, p: int) -> np.ndarray:
        """Row indices of the other members of platform ``p``'s element."""
        same = self.element == self.element[p]
        same[p] = False
        return np.flatnonzero(same)

    def _armed(self, rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` are engaging with a weapon left."""
        return np.asarray((self.phase[rows] == ENGAGING) & (self.ammo[rows].sum(axis=1) > 0))

    def _follow(self) -> None:
        """Airborne members with no weapon left take the target and path of an armed mate
        of their element (support); with none armed, they go home."""
        spent = self.flies & (self.phase == ENGAGING) & (self.ammo.sum(axis=1) == 0)
        for p in np.flatnonzero(spent):
            mates = self.mates(int(p))
            armed = mates[self._armed(mates)]
            if not len(armed):
                self._send_home(int(p), "weapons spent")
                continue
            lead = int(armed[0])
            self.target[p] = self.target[lead]
            self.goal_m[p] = self.goal_m[lead]
            self.cap_m[p] = self.cap_m[lead]
            self.cap_end[p] = self.cap_end[lead]
            self.idle_since_s[p] = self.idle_since_s[lead]

    def _activity(self, now_s: float) -> None:
        active = (self.active_from_s <= now_s) & (now_s < self.active_until_s)
        self.phase[(self.phase == INACTIVE) & active] = STANDBY
        if active.all():
            return
        waiting = (self.phase <= PREPARING) | ((self.phase == ENGAGING) & ~self.flies)
        self.phase[waiting & ~active] = INACTIVE
        self.target[waiting & ~active] = -1
        for p in np.flatnonzero((self.phase == ENGAGING) & self.flies & ~active):
            self._send_home(int(p), "its unit's active time ended")

    def _take_off(self, rows: np.ndarray) -> None:
        for p in rows:
            self.object_id[p] = self.ids.take()
            self.airborne_s[p] = self.ready_s[p]
            self.position_m[p] = self.home_m[p]
            self.velocity_mps[p] = 0.0
            if self.target[p] < 0:
                self.idle_since_s[p] = self.ready_s[p]
                self._start_cap(int(p))

    def _fly(self, now_s: float, dt_s: np.ndarray, events: list[Event]) -> None:
        flying = self.flies & ((self.phase == ENGAGING) | (self.phase == RETURNING))
        if not flying.any():
            return
        rows = np.flatnonzero(flying)
        waiting = (self.phase[rows] == ENGAGING) & (self.target[rows] < 0)
        self._next_leg(rows[waiting])
        returning = self.phase[rows] == RETURNING
        goal = np.where(returning[:, None], self.home_m[rows], self.goal_m[rows])
        goal[returning, 2] = self._approach_z(rows[returning])
        goal[waiting] = self.cap_m[rows[waiting], self.cap_end[rows[waiting]]]
        turn = np.where(waiting, self.settings.cap_turn_rad_s, self.settings.turn_rad_s)
        self.position_m[rows], self.velocity_mps[rows] = steer(
            self.position_m[rows],
            self.velocity_mps[rows],
            goal,
            self.speed_mps[rows],
            self.climb_mps[rows],
            turn,
            dt_s[rows],
            self.radius_m,
            self.origin_alt_m,
        )
        home_m = np.linalg.norm(self.position_m - self.home_m, axis=1)
        landed = flying & (self.phase == RETURNING) & (home_m <= self._land_radius(dt_s))
        for p in np.flatnonzero(landed):
            self._land(int(p), now_s, events)
        engaging = flying & (self.phase == ENGAGING)
        home_s = np.divide(home_m, self.speed_mps, out=np.zeros(len(self)), where=self.flies)
        bingo = engaging & (now_s - self.airborne_s + home_s >= self.endurance_s)
        for p in np.flatnonzero(bingo):
            self._send_home(int(p), "fuel for the way home only")
        idle = engaging & ~bingo & (self.target < 0)
        idle &= now_s - self.idle_since_s >= self.settings.idle_return_s
        for p in np.flatnonzero(idle):
            minutes = self.settings.idle_return_s / 60.0
            self._send_home(int(p), f"no target for {minutes:.0f} min")

    def _approach_z(self, rows: np.ndarray) -> np.ndarray:
        """ENU ``z`` (m) over their bases of the returning fighters ``rows``: they hold their
        height until the glide path (:attr:`ForcesSettings.glide_slope_rad`) down to the
        base, rather than flying home at ground level."""
        home = self.home_m[rows]
        distance_m = np.hypot(*(self.position_m[rows] - home)[:, :2].T)
        sphere = (self.radius_m, self.origin_alt_m)
        height = np.minimum(
            ground_height_m(self.position_m[rows], *sphere),
            ground_height_m(home, *sphere) + distance_m * math.tan(self.settings.glide_slope_rad),
        )
        return z_at_height_m(home, height, *sphere)

    def _next_leg(self, rows: np.ndarray) -> None:
        """Racetracks whose fighter is within a turn's width of the leg's end turn back."""
        if not len(rows):
            return
        end = self.cap_m[rows, self.cap_end[rows]]
        near = np.hypot(*(end - self.position_m[rows])[:, :2].T)
        turn_m = 2.0 * self.speed_mps[rows] / self.settings.cap_turn_rad_s
        self.cap_end[rows[near <= turn_m]] ^= 1

    def _land_radius(self, dt_s: np.ndarray) -> np.ndarray:
        result: np.ndarray = np.maximum(self.settings.landing_radius_m, self.speed_mps * dt_s)
        return result

    def _send_home(self, p: int, reason: str) -> None:
        """Platform ``p`` and the airborne members of its element return to base."""
        together = np.append(self.mates(p), p)
        together = together[(self.phase[together] == ENGAGING) & self.flies[together]]
        for q in np.append(together, p):
            self.phase[q] = RETURNING
            self.target[q] = -1
            self.return_reason[q] = reason

    def _land(self, p: int, now_s: float, events: list[Event]) -> None:
        self.phase[p] = REARMING
        leader = int(self.element[p])
        for key in [key for key in self.shots_at if key[0] == leader]:
            del self.shots_at[key]
        self.ready_s[p] = now_s + self.reload_s[p]
        self.position_m[p] = self.home_m[p]
        self.velocity_mps[p] = 0.0
        self.object_id[p] = -1
        events.append(
            Event(
                now_s,
                EventKind.RETURNED_TO_BASE,
                f"{self.callsign[p]} landed ({self.return_reason[p]}); ready again in "
                f"{self.reload_s[p] / 60:.0f} min",
                subject=str(self.unit[p]),
                data={"callsign": str(self.callsign[p]), "reason": str(self.return_reason[p])},
            )
        )

    def available(self, now_s: float) -> np.ndarray:
        """(P,) bool: platforms that may be given a target now (standing by, preparing or
        engaging, with weapons left)."""
        return np.asarray((self.phase <= ENGAGING) & (self.ammo.sum(axis=1) > 0))

    def delay_s(self, now_s: float) -> np.ndarray:
        """(P,) time until each platform could act (airborne or able to fire), s."""
        wait = np.where(self.phase == STANDBY, self.readiness_s, 0.0)
        wait = np.where(self.phase == PREPARING, self.ready_s - now_s, wait)
        return np.asarray(np.maximum(wait, np.maximum(self.next_fire_s - now_s, 0.0)))

    def fuel_left_s(self, now_s: float) -> np.ndarray:
        """(P,) time a fighter may still spend before it must turn home, s (ground: inf)."""
        home_s = np.linalg.norm(self.position_m - self.home_m, axis=1) / np.where(
            self.flies, self.speed_mps, 1.0
        )
        airborne = self.flies & (self.phase == ENGAGING)
        left = np.where(airborne, self.endurance_s - (now_s - self.airborne_s) - home_s, np.inf)
        return np.where(self.flies & ~airborne, self.endurance_s, left)

    def order(self, p: int, track_id: int, category: str, now_s: float) -> list[Event]:
        """Give platform ``p`` the track ``track_id``; one standing by is ordered up."""
        self.target[p] = track_id
        if self.phase[p] != STANDBY:
            return []
        self.phase[p] = PREPARING
        self.ready_s[p] = now_s + self.readiness_s[p]
        if not self.flies[p]:
            return []
        return [
            Event(
                now_s,
                EventKind.SCRAMBLED,
                f"{self.callsign[p]} scrambled against track {track_id} ({category}): "
                f"airborne in {self.readiness_s[p] / 60:.0f} min",
                track_id=track_id,
                subject=str(self.unit[p]),
                data={"callsign": str(self.callsign[p]), "airborne_t_s": float(self.ready_s[p])},
            )
        ]

    def release(self, p: int, now_s: float) -> None:
        """Platform ``p`` has no target any more (it waits, then returns if it flies; in
        the air it flies a racetrack from where it is)."""
        if self.target[p] >= 0:
            self.idle_since_s[p] = now_s
            if self.flies[p] and self.object_id[p] >= 0:
                self._start_cap(p)
        self.target[p] = -1

    def _start_cap(self, p: int) -> None:
        """A racetrack for fighter ``p``: from its position, one leg along its heading
        (toward its base's bearing if it has none), level: both ends at its height above
        the earth, or :attr:`ForcesSettings.min_height_m` if it is lower (just off the
        runway, say)."""
        start = self.position_m[p]
        heading = self.velocity_mps[p, :2]
        if not np.hypot(*heading) > 0.0:
            heading = (self.goal_m[p] - start)[:2]
        norm = float(np.hypot(*heading))
        direction = heading / norm if norm > 0.0 else np.array([0.0, 1.0])
        end = start.copy()
        end[:2] += direction * self.settings.cap_leg_m
        legs = np.stack((start, end))
        height = ground_height_m(start[None, :], self.radius_m, self.origin_alt_m)
        height = np.maximum(height, self.settings.min_height_m)
        legs[:, 2] = z_at_height_m(legs, np.repeat(height, 2), self.radius_m, self.origin_alt_m)
        self.cap_m[p] = legs
        self.cap_end[p] = 1

    def fire(self, p: int, k: int, now_s: float, since_s: float | None = None) -> list[Event]:
        """Platform ``p`` used one shot of weapon ``k`` at ``now_s`` (s); an empty magazine
        re-loads (ground) or sends the aircraft home.

        ``since_s`` is the start of the window the shot closes (s): a platform whose next
        shot came due inside it (after ``since_s``) is counted as firing when it came due,
        so its following shot may come due by ``now_s`` too and a platform firing faster
        than the windows come keeps its own rate of fire over the night (its shots leave
        at the windows' ends). Without ``since_s`` the shot counts at ``now_s``."""
        self.ammo[p, k] -= 1
        due_s = self.next_fire_s[p]
        counted_s = due_s if since_s is not None and since_s < due_s <= now_s else now_s
        self.next_fire_s[p] = counted_s + self.interval_s[p]
        if self.ammo[p].sum() > 0:
            return []
        if self.flies[p] and self._armed(self.mates(p)).any():
            then = "stays with its element in support"
        elif self.flies[p]:
            then = "returns to base"
            self._send_home(p, "weapons spent")
        else:
            then = f"re-loads in {self.reload_s[p] / 60:.0f} min"
            self.phase[p] = REARMING
            self.ready_s[p] = now_s + self.reload_s[p]
            self.target[p] = -1
        return [
            Event(
                now_s,
                EventKind.MAGAZINE_EMPTY,
                f"{self.callsign[p]} has used its last weapon and {then}",
                subject=str(self.unit[p]),
                data={"callsign": str(self.callsign[p])},
            )
        ]

    def count_shot(self, p: int, track_id: int, now_s: float) -> list[Event]:
        """Platform ``p`` fired at track ``track_id`` at ``now_s`` (s): counted against its
        element's most shots at one target; an event when that is the last one."""
        if self.max_shots[p] == 0:
            return []
        key = (int(self.element[p]), track_id)
        self.shots_at[key] = fired = self.shots_at.get(key, 0) + 1
        if fired < self.max_shots[p]:
            return []
        return [
            Event(
                now_s,
                EventKind.TARGET_LEFT,
                f"{self.callsign[p]} has fired {fired} shots at track {track_id}, the most "
                "its doctrine allows at one target, and leaves it to others",
                track_id=track_id,
                subject=str(self.unit[p]),
                data={"callsign": str(self.callsign[p]), "shots": fired},
            )
        ]

    def spent_on(self, platform: np.ndarray, track_id: np.ndarray) -> np.ndarray:
        """(n, T) whether each of the platforms ``platform`` (rows) has fired, with its
        element, the most shots its doctrine allows at each track of ``track_id``."""
        spent = np.zeros((len(platform), len(track_id)), bool)
        if not self.shots_at:
            return spent
        where = {int(t): j for j, t in enumerate(track_id)}
        leaders = self.element[platform]
        for (leader, t), fired in self.shots_at.items():
            j = where.get(t)
            if j is not None:
                rows = leaders == leader
                spent[rows, j] = fired >= self.max_shots[platform[rows]]
        return spent

    def in_flight(self) -> np.ndarray:
        """Row indices of the aircraft in the air (own-force objects)."""
        return np.flatnonzero(self.object_id >= 0)


def _elements(units: Sequence[tuple[int, int]]) -> np.ndarray:
    """(P,) row of each platform's element leader, for units given as (aircraft or
    launchers, element size) in row order: consecutive aircraft of a unit form its
    elements (a last, smaller one if the count does not divide)."""
    leaders: list[int] = []
    for count, size in units:
        start = len(leaders)
        leaders += [start + (k // size) * size for k in range(count)]
    return np.array(leaders, np.int64)


def _held_m(effector: EffectorType, category: str) -> float:
    """Farthest an effector may fire at a target of ``category``, m: its sensors must
    hold it and, where the rules ask for it, its pilot must have identified it by sight."""
    return min(effector.acquisition_m(category), effector.identification_m(category))
