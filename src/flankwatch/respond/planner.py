"""Each cycle's weapon-target assignment: which platform's weapon goes after which track.

Targets are the tracks declared hostile (the only identity that may be engaged)
that are inside the national airspace, predicted to enter it, or inside the
configured engagement zone, and not already destroyed; with ``threats_only``
(the defence's ``engage_threats_only``) only those the assessment's threat
ranking lists against a defended asset. A target's value is the
sum of its scores in the assessment's threat table (the defended assets it
threatens, weighted by closeness and urgency), at least
:attr:`PlannerSettings.floor_value` (a hostile in the airspace matters even if
it threatens no listed asset), times the chance it survives the shots already
flying at it.

Weapons are (platform, weapon type) pairs of the platforms free to act, with
the shots left (at most :attr:`PlannerSettings.max_uses` a cycle). A pair's
kill probability against a target is the weapon's against the track's class if

* the policy allows the platform's effector against that class, and no
  platform of an earlier tier of the policy can reach the target (tiers are
  strict: "guns first" means fighters only where no gun can engage);
* the platform can bring the target inside the weapon's range (capped by the
  weapon's seeker and the platform's acquisition range against the target's
  class: :attr:`~flankwatch.respond.forces.Forces.reach_m`) within
  :attr:`PlannerSettings.horizon_s`: a fighter after its readiness (if still
  on the ground), flying the lead-pursuit path at its speed and climb rate, and
  with fuel for it; a ground unit after its reaction time, when the track's
  course brings it within range; the target's height lies in the weapon's band;

discounted by ``exp(-time / reach_scale_s)`` (a later engagement is less sure:
the track may turn, or reach its target first; this also keeps assignments
stable from one cycle to the next). Cost enters through the policy's
``cost_weight``. Weapons that may not be used now (a gun at night) take no part.

The problem, cut down to the weapon rows and targets with anything to gain, goes
to the assignment heuristic (:mod:`flankwatch.respond.wta.heuristic`): a
problem of one weapon row, or of one target when money does not count, is
solved exactly by its greedy start alone (each further use gains less than the
one before; with one target and no cost every use is worth spending); others get
at most :attr:`PlannerSettings.max_patience` restarts. A plan is re-made every
:attr:`PlannerSettings.replan_s` or when the situation changes, so a full search
each time buys little: on the 8 h Poland night the full search's plans were at
most a few per cent better in expected surviving value, at about 100 times the cost.

Positions in the run's local ENU frame (m), times in s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flankwatch.assess.assessment import Assessment
from flankwatch.respond.catalogue import TARGET_CATEGORIES
from flankwatch.respond.forces import Forces, Phase
from flankwatch.respond.intercept import time_to_reach, time_with_climb
from flankwatch.respond.policy import NOT_ALLOWED, Policy
from flankwatch.respond.roe import HOSTILE, RulesOfEngagement
from flankwatch.respond.shots import ShotsInFlight
from flankwatch.respond.wta import WtaProblem
from flankwatch.respond.wta.heuristic import default_patience, solve_heuristic
from flankwatch.track.output import TrackBatch, TrackStatus


@dataclass(frozen=True)
class PlannerSettings:
    """Constants of the plan (assumed: flankwatch's choices, not public figures)."""

    horizon_s: float = 1_800.0
    """Farthest ahead an engagement is planned, s."""
    reach_scale_s: float = 3_600.0
    """Time over which a planned kill probability falls by a factor e, s."""
    floor_value: float = 1.0
    """Least value of a target (threat-value units)."""
    max_uses: int = 4
    """Most shots of one platform's weapon planned in one cycle."""
    max_kill_prob: float = 0.999
    """Planned kill probabilities are capped below 1 (the assignment needs it)."""
    replan_s: float = 30.0
    """An unchanged situation is re-planned at least this often, s."""
    time_limit_s: float = 2.0
    """Time limit of the assignment solver, s (its heuristic is deterministic within it)."""
    max_patience: int = 2
    """Most restarts without improvement of the assignment heuristic in one plan."""


@dataclass(frozen=True)
class Targets:
    """This cycle's targets, one row each."""

    row: np.ndarray
    """Rows of the step's tracks (and assessment)."""
    track_id: np.ndarray
    category: np.ndarray
    value: np.ndarray
    position_m: np.ndarray
    """(T, 3), m."""
    velocity_mps: np.ndarray
    """(T, 3), m/s."""

    def __len__(self) -> int:
        return len(self.track_id)


@dataclass(frozen=True)
class Plan:
    """One cycle's assignment: W weapon rows (platform, weapon) by T targets."""

    targets: Targets
    platform: np.ndarray
    """(W,) platform row of each weapon row."""
    weapon: np.ndarray
    """(W,) weapon index (into ``Forces.weapon_keys``) of each weapon row."""
    reach_s: np.ndarray
    """(W, T) time until the target is in the weapon's range, s (inf: never)."""
    counts: np.ndarray
    """(W, T) shots assigned."""

    def first_targets(self, n_platforms: int) -> np.ndarray:
        """(P,) each platform's first assigned target (as :meth:`assigned` lists them),
        -1 for one with none."""
        if not len(self.targets):
            return np.full(n_platforms, -1, np.int64)
        given = self.counts > 0
        soonest = np.full((n_platforms, len(self.targets)), np.inf)
        np.minimum.at(soonest, self.platform, np.where(given, self.reach_s, np.inf))
        any_given = np.zeros(n_platforms, bool)
        any_given[self.platform[given.any(axis=1)]] = True
        return np.where(any_given, np.argmin(soonest, axis=1), -1).astype(np.int64)

    def assigned(self, platform: int) -> list[int]:
        """The targets (indices) assigned to ``platform``, soonest reached first."""
        rows = self.platform == platform
        if not rows.any():
            return []
        counts = self.counts[rows].sum(axis=0)
        reach = np.where(self.counts[rows] > 0, self.reach_s[rows], np.inf).min(axis=0)
        chosen = np.flatnonzero(counts > 0)
        return [int(j) for j in chosen[np.argsort(reach[chosen], kind="stable")]]


def ground_height_m(points_m: np.ndarray, radius_m: float, origin_alt_m: float) -> np.ndarray:
    """Heights (m) above a sphere of ``radius_m`` of ENU points ``(n, 3)`` (origin
    ``origin_alt_m`` above the sphere)."""
    centre = np.asarray(points_m, float) + np.array([0.0, 0.0, radius_m + origin_alt_m])
    result: np.ndarray = np.linalg.norm(centre, axis=1) - radius_m
    return result


def ground_xy(points_m: np.ndarray, radius_m: float, origin_alt_m: float) -> np.ndarray:
    """Ground points ``(n, 2)`` (x, y m, as the assessment and the rules of engagement
    use them) below ENU points ``(n, 3)``."""
    points = np.asarray(points_m, float)
    centre = points + np.array([0.0, 0.0, radius_m + origin_alt_m])
    scale = radius_m / np.linalg.norm(centre, axis=1)
    result: np.ndarray = points[:, :2] * scale[:, None]
    return result


_CLASS_INDEX = {c: k for k, c in enumerate(TARGET_CATEGORIES)}


def class_index(categories: np.ndarray) -> np.ndarray:
    """(T,) index of each track class in :data:`~flankwatch.respond.catalogue.TARGET_CATEGORIES`
    (an unknown name counts as ``unknown``)."""
    unknown = _CLASS_INDEX["unknown"]
    return np.array([_CLASS_INDEX.get(str(c), unknown) for c in categories], np.int64)


class Planner:
    """Builds and solves each cycle's assignment for ``forces`` under ``policy``."""

    def __init__(
        self,
        policy: Policy,
        forces: Forces,
        roe: RulesOfEngagement,
        radius_m: float,
        origin_alt_m: float = 0.0,
        settings: PlannerSettings | None = None,
        threats_only: bool = False,
    ) -> None:
        self.policy = policy
        self.threats_only = threats_only
        self.forces = forces
        self.roe = roe
        self.radius_m = radius_m
        self.origin_alt_m = origin_alt_m
        self.settings = settings or PlannerSettings()
        self._last: tuple[tuple[bytes, ...], float, Plan] | None = None

    def targets(
        self,
        tracks: TrackBatch,
        assessment: Assessment,
        destroyed: set[int],
        shots: ShotsInFlight,
    ) -> Targets:
        """The hostile tracks worth engaging this cycle, with their values."""
        hostile = (assessment.identity == HOSTILE) & (tracks.status != TrackStatus.DELETED)
        if destroyed:
            hostile &= ~np.isin(tracks.track_id, np.fromiter(destroyed, np.int64))
        rows = np.flatnonzero(hostile)
        position = tracks.position()[rows]
        entering = assessment.inside[rows] | np.isfinite(assessment.crossing_t_s[rows])
        if self.roe.zone is not None:
            xy = ground_xy(position, self.radius_m, self.origin_alt_m)
            entering |= self.roe.zone.contains(xy[:, 0], xy[:, 1])
        rows, position = rows[entering], position[entering]
        score = self._threat_scores(assessment, tracks.track_id[rows])
        if self.threats_only:
            rows, position, score = rows[score > 0], position[score > 0], score[score > 0]
        track_id = tracks.track_id[rows]
        value = np.maximum(score, self.settings.floor_value)
        if len(shots):
            where = {int(t): j for j, t in enumerate(track_id)}
            for flight in shots.flights:
                j = where.get(flight.shot.track_id)
                if j is not None:
                    value[j] *= 1.0 - flight.kill_prob
        velocity = np.column_stack((tracks.vx_mps, tracks.vy_mps, tracks.vz_mps))[rows]
        return Targets(
            rows, track_id, assessment.category[rows].astype(object), value, position, velocity
        )

    @staticmethod
    def _threat_scores(assessment: Assessment, track_id: np.ndarray) -> np.ndarray:
        table = assessment.threats
        if not len(table) or not len(track_id):
            return np.zeros(len(track_id))
        ids = np.asarray(table.column("track_id"))
        score = np.asarray(table.column("score"), float)
        order = np.argsort(track_id, kind="stable")
        k = np.searchsorted(track_id, ids, sorter=order).clip(0, len(track_id) - 1)
        found = track_id[order[k]] == ids
        total: np.ndarray = np.bincount(
            order[k[found]], weights=score[found], minlength=len(track_id)
        )
        return total

    def plan(self, targets: Targets, now_s: float, usable: np.ndarray | None = None) -> Plan:
        """The assignment at ``now_s`` (s) of the weapons ``usable`` now ((K,) bool over
        ``Forces.weapon_keys``; default all); empty when there is nothing to assign.

        The last assignment is kept (for the present target positions) while the
        targets, the free platforms, their phases and their weapons left are the same
        and it is less than :attr:`PlannerSettings.replan_s` old.
        """
        f = self.forces
        free = f.ammo * f.available(now_s)[:, None]
        if usable is not None:
            free = free * usable[None, :]
        platform, weapon = np.nonzero(free > 0)
        n_w, n_t = len(platform), len(targets)
        empty = np.zeros((n_w, n_t))
        if not n_w or not n_t:
            self._last = None
            return Plan(targets, platform, weapon, empty + np.inf, empty.astype(np.int64))
        key = (
            targets.track_id.tobytes(),
            platform.tobytes(),
            weapon.tobytes(),
            f.phase[platform].tobytes(),
            f.ammo[platform, weapon].tobytes(),
        )
        if self._last is not None and self._last[0] == key:
            made_s, last = self._last[1], self._last[2]
            if now_s - made_s < self.settings.replan_s:
                return Plan(targets, platform, weapon, last.reach_s, last.counts)
        plan = self._solve(targets, platform, weapon, now_s)
        self._last = (key, now_s, plan)
        return plan

    def _solve(
        self, targets: Targets, platform: np.ndarray, weapon: np.ndarray, now_s: float
    ) -> Plan:
        """A new assignment of the weapon rows (``platform``, ``weapon``) to ``targets``."""
        f = self.forces
        reach = self._reach_s(platform, weapon, targets, now_s)
        pk = self._kill_prob(platform, weapon, targets, reach)
        s = self.settings
        planned = np.minimum(pk * np.exp(-reach / s.reach_scale_s), s.max_kill_prob)
        planned = np.where(np.isfinite(reach), planned, 0.0)
        if not planned.any():
            return Plan(targets, platform, weapon, reach, np.zeros(planned.shape, np.int64))
        uses = np.minimum(f.ammo[platform, weapon], s.max_uses)
        cost = np.array([f.weapons[k].cost_eur for k in weapon], float)
        rows = np.flatnonzero(planned.any(axis=1))
        cols = np.flatnonzero(planned.any(axis=0))
        problem = WtaProblem(
            targets.value[cols],
            planned[np.ix_(rows, cols)],
            uses[rows],
            cost[rows],
            self.policy.cost_weight,
        )
        greedy_is_exact = len(rows) == 1 or (len(cols) == 1 and not problem.use_cost.any())
        patience = 0 if greedy_is_exact else min(default_patience(problem), s.max_patience)
        solution = solve_heuristic(problem, s.time_limit_s, patience)
        counts = np.zeros(planned.shape, np.int64)
        counts[np.ix_(rows, cols)] = solution.counts
        return Plan(targets, platform, weapon, reach, counts)

    def _reach_s(
        self, platform: np.ndarray, weapon: np.ndarray, targets: Targets, now_s: float
    ) -> np.ndarray:
        """(W, T) time until each target is inside each weapon row's range, s (inf: not
        within the horizon, the fuel left or the weapon's height band)."""
        f = self.forces
        n_w, n_t = len(platform), len(targets)
        p = np.repeat(platform, n_t)
        w = np.repeat(weapon, n_t)
        j = np.tile(np.arange(n_t), n_w)
        on_ground = f.phase[p] <= Phase.PREPARING
        shooter = np.where(on_ground[:, None], f.home_m[p], f.position_m[p])
        max_range = f.reach_m[p, w, class_index(targets.category)[j]]
        delay = f.delay_s(now_s)[p]
        speed = np.where(f.flies[p], f.speed_mps[p], 0.0)
        target, velocity = targets.position_m[j], targets.velocity_mps[j]
        t = time_to_reach(shooter, target, velocity, speed, max_range, delay)
        climbing = f.flies[p]
        t[climbing] = time_with_climb(
            t[climbing],
            shooter[climbing, 2],
            target[climbing, 2],
            velocity[climbing, 2],
            f.climb_mps[p][climbing],
            max_range[climbing],
            delay[climbing],
        )
        height = ground_height_m(target, self.radius_m, self.origin_alt_m)
        low = np.array([wt.min_alt_m for wt in f.weapons])[w]
        high = np.array([wt.max_alt_m for wt in f.weapons])[w]
        ok = (t <= self.settings.horizon_s) & (t <= f.fuel_left_s(now_s)[p])
        ok &= (height >= low) & (height <= high)
        return np.where(ok, t, np.inf).reshape(n_w, n_t)

    def _kill_prob(
        self, platform: np.ndarray, weapon: np.ndarray, targets: Targets, reach: np.ndarray
    ) -> np.ndarray:
        """(W, T) one shot's kill probability where the policy allows the pair and the
        target is reachable, keeping only each target's earliest tier able to engage."""
        f = self.forces
        categories = [str(c) for c in targets.category]
        pk = np.array([[f.weapons[k].pk(c) for c in categories] for k in weapon], float)
        tiers = self.policy.tier_matrix(
            [str(e) for e in f.effector[platform]], [str(k) for k in f.kind[platform]], categories
        )
        pk = np.where((tiers != NOT_ALLOWED) & np.isfinite(reach), pk, 0.0)
        able = np.where(pk > 0.0, tiers, np.iinfo(np.int64).max)
        first = able.min(axis=0)
        result: np.ndarray = np.where(tiers == first[None, :], pk, 0.0)
        return result
