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

* the track is fresh (a plot updated it within the rules' ``max_track_age_s``), or
  the platform is an aircraft: the rules hold every shot at a stale track, and a
  ground unit can only wait for the sensors to find it again, while a fighter flies
  on to where it should be and searches there (the tiers below are decided as if
  the track were fresh: a later tier is not sent after a track an earlier one's
  ground units only wait for);
* the platform's element has not yet fired at the target the most shots its type's
  doctrine allows in a sortie (``max_shots_per_target``; then it leaves the target to
  others);
* the policy allows the platform's effector against that class, and no
  platform of an earlier tier of the policy can reach the target in time (tiers
  are strict: "guns first" means fighters only where no gun can engage). In
  time is before the target passes the last defended asset it threatens (its
  latest time of closest approach in the threat table; any time within the
  horizon for a target the table does not list): fighters 15 min from their
  runway do not hold back the missiles beside a city that a cruise missile
  reaches in 4 min. When no tier can reach a target in time, the earliest tier
  that can reach it at all engages;
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
from flankwatch.respond.forces import Forces
from flankwatch.respond.intercept import time_to_reach, time_with_climb
from flankwatch.respond.policy import NOT_ALLOWED, Policy
from flankwatch.respond.roe import HOSTILE, RulesOfEngagement
from flankwatch.respond.shots import ShotsInFlight
from flankwatch.respond.targets import Targets, class_index, ground_height_m, ground_xy
from flankwatch.respond.units import PREPARING
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
    element: np.ndarray | None = None
    """(P,) element leader of each platform (None: every platform acts alone)."""

    def first_targets(self, n_platforms: int) -> np.ndarray:
        """(P,) each platform's first assigned target (as :meth:`assigned` lists them),
        -1 for one with none; every member of an element gets the element's first."""
        if not len(self.targets):
            return np.full(n_platforms, -1, np.int64)
        given = self.counts > 0
        soonest = np.full((n_platforms, len(self.targets)), np.inf)
        np.minimum.at(soonest, self.platform, np.where(given, self.reach_s, np.inf))
        if self.element is not None:
            leader = np.arange(n_platforms)
            leader[: len(self.element)] = self.element[:n_platforms]
            together = np.full_like(soonest, np.inf)
            np.minimum.at(together, leader, soonest)
            soonest = together[leader]
        any_given = np.isfinite(soonest).any(axis=1)
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
        self._last: tuple[tuple[object, ...], float, Plan] | None = None
        tiers = policy.tier_matrix(
            [str(e) for e in forces.effector], [str(k) for k in forces.kind], TARGET_CATEGORIES
        )
        self._waits = ~forces.flies & (tiers != NOT_ALLOWED).any(axis=1)
        """(P,) platforms that the policy may use and that do not fly: they are planned
        only on fresh tracks."""

    def targets(
        self,
        tracks: TrackBatch,
        assessment: Assessment,
        destroyed: set[int],
        shots: ShotsInFlight,
    ) -> Targets:
        """The hostile tracks worth engaging this cycle, with their values."""
        hostile = (assessment.identity == HOSTILE) & (tracks.status != int(TrackStatus.DELETED))
        rows = np.flatnonzero(hostile)
        if destroyed:
            alive = (int(t) not in destroyed for t in tracks.track_id[rows])
            rows = rows[np.fromiter(alive, bool, len(rows))]
        position = np.column_stack((tracks.x_m[rows], tracks.y_m[rows], tracks.z_m[rows]))
        entering = assessment.inside[rows] | np.isfinite(assessment.crossing_t_s[rows])
        if self.roe.zone is not None:
            xy = ground_xy(position, self.radius_m, self.origin_alt_m)
            entering |= self.roe.zone.contains(xy[:, 0], xy[:, 1])
        rows, position = rows[entering], position[entering]
        score, deadline = self._threat_scores(assessment, tracks.track_id[rows])
        if self.threats_only:
            listed = score > 0
            rows, position, score, deadline = (
                rows[listed],
                position[listed],
                score[listed],
                deadline[listed],
            )
        track_id = tracks.track_id[rows]
        value = np.maximum(score, self.settings.floor_value)
        if len(shots):
            where = {int(t): j for j, t in enumerate(track_id)}
            for flight in shots.flights:
                j = where.get(flight.shot.track_id)
                if j is not None:
                    value[j] *= 1.0 - flight.kill_prob
        velocity = np.column_stack((tracks.vx_mps[rows], tracks.vy_mps[rows], tracks.vz_mps[rows]))
        category = assessment.category[rows].astype(object)
        fresh = np.ones(len(rows), bool)
        if self.roe.max_track_age_s is not None:
            fresh = tracks.time_s[rows] - tracks.last_update_s[rows] <= self.roe.max_track_age_s
        return Targets(rows, track_id, category, value, position, velocity, deadline, fresh)

    def _preference_allows(
        self,
        platform: np.ndarray,
        weapon: np.ndarray,
        classes: np.ndarray,
        free_platform: np.ndarray,
        free_weapon: np.ndarray,
    ) -> np.ndarray:
        """(W, T) whether weapon row (``platform``, ``weapon``) may be used against each
        target class: always, unless the platform prefers other weapons against the
        class and its element still holds one of them (in the free rows)."""
        f = self.forces
        held = np.zeros((len(f), len(f.weapon_keys)), bool)
        held[f.element[free_platform], free_weapon] = True
        preferred = f.preferred[platform][:, classes, :]
        has_preference = preferred.any(axis=2)
        holds_preferred = (preferred & held[f.element[platform]][:, None, :]).any(axis=2)
        is_preferred = preferred[np.arange(len(platform)), :, weapon]
        result: np.ndarray = ~has_preference | is_preferred | ~holds_preferred
        return result

    @staticmethod
    def _threat_scores(
        assessment: Assessment, track_id: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(T,) the sum of each track's scores in the threat table and (T,) the latest of
        its times of closest approach there (s; inf for a track the table does not list),
        in the table's order (a handful of rows: a loop beats sorting and searching)."""
        total = np.zeros(len(track_id))
        latest = np.full(len(track_id), -np.inf)
        table = assessment.threats
        if len(table) and len(track_id):
            where = {t: j for j, t in enumerate(track_id.tolist())}
            columns = (table.column(name).to_pylist() for name in ("track_id", "score", "tcpa_s"))
            for t, score, tcpa_s in zip(*columns, strict=True):
                j = where.get(t)
                if j is not None:
                    total[j] += score
                    latest[j] = max(latest[j], tcpa_s)
        return total, np.where(np.isneginf(latest), np.inf, latest)

    def plan(self, targets: Targets, now_s: float, usable: np.ndarray | None = None) -> Plan:
        """The assignment at ``now_s`` (s) of the weapons ``usable`` now ((K,) bool over
        ``Forces.weapon_keys``; default all); empty when there is nothing to assign.

        The last assignment is kept (for the present target positions) while the
        targets, the free platforms, their phases, their weapons left and their shots
        at each target are the same and it is less than :attr:`PlannerSettings.replan_s`
        old.
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
            return Plan(
                targets, platform, weapon, empty + np.inf, empty.astype(np.int64), f.element
            )
        key = (
            targets.track_id.tobytes(),
            targets.fresh.tobytes() if self._waits[platform].any() else b"",
            platform.tobytes(),
            weapon.tobytes(),
            f.phase[platform].tobytes(),
            f.ammo[platform, weapon].tobytes(),
            tuple(sorted(f.shots_at.items())),
        )
        if self._last is not None and self._last[0] == key:
            made_s, last = self._last[1], self._last[2]
            if now_s - made_s < self.settings.replan_s:
                return Plan(targets, platform, weapon, last.reach_s, last.counts, f.element)
        plan = self._solve(targets, platform, weapon, now_s)
        self._last = (key, now_s, plan)
        return plan

    def _solve(
        self, targets: Targets, platform: np.ndarray, weapon: np.ndarray, now_s: float
    ) -> Plan:
        """A new assignment of the weapon rows (``platform``, ``weapon``) to ``targets``.

        The rows of one element's members with the same weapon are pooled into one
        row of the assignment (the members fly together); its answer is given back to
        each member's row.
        """
        f = self.forces
        pooled = np.column_stack((f.element[platform], weapon))
        _, first, group = np.unique(pooled, axis=0, return_index=True, return_inverse=True)
        group = group.reshape(-1)
        lead, kind = platform[first], weapon[first]
        reach = self._reach_s(lead, kind, targets, now_s)
        pk = self._kill_prob(lead, kind, targets, reach, platform, weapon)
        s = self.settings
        planned = np.minimum(pk * np.exp(-reach / s.reach_scale_s), s.max_kill_prob)
        planned = np.where(np.isfinite(reach), planned, 0.0)
        ammo = np.bincount(group, weights=f.ammo[platform, weapon], minlength=len(first))
        uses = np.minimum(ammo.astype(np.int64), s.max_uses)
        cost = np.array([f.weapons[k].cost_eur for k in kind], float)
        single = self._element_size(lead) > 1
        counts = self._assign(targets.value, planned, uses, cost, f.element[lead], single)
        return Plan(targets, platform, weapon, reach[group], counts[group], f.element)

    def _element_size(self, rows: np.ndarray) -> np.ndarray:
        """(n,) members of each platform's element."""
        sizes = np.bincount(self.forces.element, minlength=len(self.forces))
        result: np.ndarray = sizes[self.forces.element[rows]]
        return result

    def _assign(
        self,
        value: np.ndarray,
        planned: np.ndarray,
        uses: np.ndarray,
        cost: np.ndarray,
        element: np.ndarray,
        single: np.ndarray,
    ) -> np.ndarray:
        """(G, T) shots of each pooled row at each target: the assignment, with every
        element of several aircraft (``single`` rows) held to one target at a time.

        Each round solves the assignment for the rows still free; elements given one
        target are fixed on it; of those given several, the one whose shots at one
        target gain the most is fixed on that target alone; the targets' values are
        reduced by the shots fixed so far and the free rows are assigned again, until
        no element holds more than one target.
        """
        counts = np.zeros(planned.shape, np.int64)
        free: np.ndarray = np.asarray(planned.any(axis=1))
        value = value.copy()
        while free.any():
            rows = np.flatnonzero(free)
            answer = np.zeros(planned.shape, np.int64)
            answer[rows] = self._wta(value, planned[rows], uses[rows], cost[rows])
            split: list[np.ndarray] = []
            for e in np.unique(element[rows[single[rows]]]):
                members = rows[element[rows] == e]
                given = np.flatnonzero(answer[members].sum(axis=0) > 0)
                if len(given) == 1:
                    self._fix(counts, answer, planned, value, free, members, int(given[0]))
                elif len(given) > 1:
                    split.append(members)
            if not split:
                loose = rows[~single[rows]]
                counts[loose] = answer[loose]
                break
            survive = [np.prod((1.0 - planned[m]) ** answer[m], axis=0) for m in split]
            gain = [value * (1.0 - q) for q in survive]
            best = int(np.argmax([g.max() for g in gain]))
            keep = int(np.argmax(gain[best]))
            self._fix(counts, answer, planned, value, free, split[best], keep)
        return counts

    @staticmethod
    def _fix(
        counts: np.ndarray,
        answer: np.ndarray,
        planned: np.ndarray,
        value: np.ndarray,
        free: np.ndarray,
        members: np.ndarray,
        keep: int,
    ) -> None:
        """Fix the pooled rows ``members`` (one element) on target ``keep`` with the
        shots ``answer`` gives them; the target's value falls by their kill chances."""
        counts[members, keep] = answer[members, keep]
        free[members] = False
        value[keep] *= np.prod((1.0 - planned[members, keep]) ** answer[members, keep])

    def _wta(
        self, value: np.ndarray, planned: np.ndarray, uses: np.ndarray, cost: np.ndarray
    ) -> np.ndarray:
        """(W, T) shots of the assignment of weapon rows ``planned`` (kill probabilities)
        with ``uses`` and ``cost`` to targets worth ``value``, by the heuristic."""
        counts = np.zeros(planned.shape, np.int64)
        rows = np.flatnonzero(planned.any(axis=1))
        cols = np.flatnonzero(planned.any(axis=0))
        if not len(rows):
            return counts
        problem = WtaProblem(
            value[cols],
            planned[np.ix_(rows, cols)],
            uses[rows],
            cost[rows],
            self.policy.cost_weight,
        )
        greedy_is_exact = len(rows) == 1 or (len(cols) == 1 and not problem.use_cost.any())
        patience = (
            0 if greedy_is_exact else min(default_patience(problem), self.settings.max_patience)
        )
        solution = solve_heuristic(problem, self.settings.time_limit_s, patience)
        counts[np.ix_(rows, cols)] = solution.counts
        return counts

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
        on_ground = f.phase[p] <= PREPARING
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
        self,
        platform: np.ndarray,
        weapon: np.ndarray,
        targets: Targets,
        reach: np.ndarray,
        free_platform: np.ndarray,
        free_weapon: np.ndarray,
    ) -> np.ndarray:
        """(W, T) one shot's kill probability where the policy allows the pair, the
        target is reachable and the platform's element has shots left for it under its
        doctrine (``max_shots_per_target``), keeping only each target's earliest tier
        able to engage in time (before its deadline; the earliest able at all when none
        is), and there only the platforms that fly when the track is stale (a ground
        unit's tier waits for the sensors: a later tier is not sent instead), and only
        the preferred weapons against a class while the element holds one (among the
        free rows ``free_platform``, ``free_weapon``)."""
        f = self.forces
        categories = [str(c) for c in targets.category]
        pk = np.array([[f.weapons[k].pk(c) for c in categories] for k in weapon], float)
        pk *= self._preference_allows(
            platform, weapon, class_index(targets.category), free_platform, free_weapon
        )
        pk[f.spent_on(platform, targets.track_id)] = 0.0
        tiers = self.policy.tier_matrix(
            [str(e) for e in f.effector[platform]], [str(k) for k in f.kind[platform]], categories
        )
        pk = np.where((tiers != NOT_ALLOWED) & np.isfinite(reach), pk, 0.0)
        none = np.iinfo(np.int64).max
        able = np.where(pk > 0.0, tiers, none)
        timely = np.where(reach <= targets.deadline_s[None, :], able, none).min(axis=0)
        first = np.where(timely < none, timely, able.min(axis=0))
        searches = f.flies[platform][:, None] | targets.fresh[None, :]
        result: np.ndarray = np.where((tiers == first[None, :]) & searches, pk, 0.0)
        return result
