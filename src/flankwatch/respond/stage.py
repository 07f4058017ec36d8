"""The response stage: plan, order, steer, fire, resolve, and show own forces.

Each window, at ``now_s`` (the window's end):

1. own aircraft and launchers move on to ``now_s`` (take-offs, flight, landings,
   re-loads: :mod:`.forces`);
2. shots due by ``now_s`` are resolved with the stage's generator; kills become
   :class:`~flankwatch.loop.Kill` effects (:mod:`.shots`); a track counted killed
   that plots go on updating is still flying (:mod:`.damage`): a
   ``target-survived`` event, and it is a target again;
3. the weapon-target assignment is re-planned (:mod:`.planner`); platforms
   standing by that get a target are ordered up (fighters scramble, ground units
   react), the others are re-tasked or released;
4. every engaging platform whose target is inside one of its assigned weapons'
   envelopes (slant range, capped by what the weapon's seeker and the
   platform's own sensors hold of the target's class, and target height) fires
   one shot, or more when its rate of fire allows more than one a window (each
   shot counted from when the platform's last came due, see
   :meth:`~flankwatch.respond.forces.Forces.fire`: a NASAMS firing every 3 s
   fires 5 shots in 3 windows of 5 s, each at another target), at most one shot
   per target at a time (shoot-look-shoot) and at most the effector type's
   ``max_shots_per_target`` from one element at one target in a sortie (then it is
   left to others: a ``target-left`` event), aimed at the lead point of the
   TRACK (never the truth), if the rules of engagement allow it: the track
   declared hostile, inside the engagement zone, the expected debris of the
   target (if killed there) and of the weapon (if it misses) outside every
   no-engagement area, and, when the defence says ``operator_approval``, an
   operator approved engaging the track; otherwise the shot is withheld with the
   reason (an event each time the reason for a platform and track changes) and
   tried again later;
5. fighters are re-aimed at the intercept point of their track;
6. one :class:`~flankwatch.respond.step.OwnForces` effect lists every own
   aircraft, missile and interceptor drone in flight (an empty one when the
   last has landed; none when none ever flew).

A track an operator vetoed (:attr:`~flankwatch.loop.Picture.vetoed`) is no
target: no platform is ordered against it and none fires at it (a shot already in
flight flies on).

A weapon aimed by eye (``daylight_only``, a gun) takes no part at night: when
the sun is below :data:`~flankwatch.respond.envelope.NIGHT_SUN_ELEVATION_DEG`
at the frame's origin (one verdict for the whole region; sunrise differs by
about half an hour across Poland).

With no hostile track, nothing in flight and every platform standing by, a step
returns the picture unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from flankwatch.assess.kinematics import earth_radius_m
from flankwatch.deployment import Deployment
from flankwatch.events import Event, EventKind
from flankwatch.loop import Effect, Picture
from flankwatch.respond.catalogue import effector_catalogue
from flankwatch.respond.damage import DamageAssessment
from flankwatch.respond.debris import debris_point, miss_debris_point
from flankwatch.respond.envelope import in_envelope, is_night
from flankwatch.respond.forces import Forces
from flankwatch.respond.intercept import intercept
from flankwatch.respond.planner import Plan, Planner, PlannerSettings
from flankwatch.respond.policy import Policy
from flankwatch.respond.roe import (
    AWAITING_APPROVAL,
    HOSTILE,
    Holding,
    RulesOfEngagement,
    miss_debris_reason,
)
from flankwatch.respond.shots import FLYING_KINDS, Flight, ShotsInFlight, own_force_rows
from flankwatch.respond.step import OwnForces, ResponseStep, Shot
from flankwatch.respond.targets import (
    Targets,
    class_index,
    ground_height_m,
    ground_xy,
    z_at_height_m,
)
from flankwatch.respond.units import ENGAGING, ForcesSettings, IdCounter, UnitSpec
from flankwatch.track.output import TrackBatch


@dataclass(frozen=True)
class ResponseSettings:
    """Settings of the response stage."""

    planner: PlannerSettings = PlannerSettings()
    forces: ForcesSettings = ForcesSettings()
    check_miss_debris: bool = True
    """Withhold a shot whose weapon would fall in a no-engagement area if it missed."""
    min_kill_radius_m: float = 300.0
    """Smallest radius of a Kill effect, m."""
    survival_updates: int = 2
    """A track counted killed is still flying once plots have updated it in this many
    windows after the kill's (see :mod:`.damage`)."""


def unit_specs(deployment: Deployment) -> list[UnitSpec]:
    """The deployment's defence units with their catalogue types, in its frame.

    Raises ValueError naming the unit whose type the catalogue does not know.
    """
    defence = deployment.defence
    if defence is None:
        return []
    catalogue = effector_catalogue(defence.catalogue)
    specs = []
    for k, unit in enumerate(defence.units):
        if unit.type not in catalogue.effectors:
            raise ValueError(
                f"defence.units[{k}] ({unit.name}): unknown effector type {unit.type!r}; "
                f"known: {', '.join(sorted(catalogue.effectors))}"
            )
        x, y, z = deployment.frame.geodetic_to_enu(unit.at.lat, unit.at.lon, 0.0)
        start_s, end_s = unit.active_window_s(deployment.start)
        specs.append(
            UnitSpec(
                unit.name,
                unit.type,
                catalogue.effectors[unit.type],
                catalogue.weapons_of(unit.type),
                (float(x), float(y), float(z)),
                unit.count,
                start_s,
                end_s,
            )
        )
    return specs


class ResponseStage:
    """Weapon-target assignment each window, and the engagements it leads to."""

    def __init__(
        self, deployment: Deployment, policy: Policy, settings: ResponseSettings | None = None
    ) -> None:
        self.settings = settings or ResponseSettings()
        self.radius_m = earth_radius_m(deployment.frame)
        self.origin_alt_m = deployment.origin.alt_m
        self.roe = RulesOfEngagement.from_deployment(deployment)
        self.ids = IdCounter()
        self.forces = Forces(
            unit_specs(deployment),
            self.ids,
            self.settings.forces,
            self.radius_m,
            self.origin_alt_m,
        )
        self.planner = Planner(
            policy,
            self.forces,
            self.roe,
            self.radius_m,
            self.origin_alt_m,
            self.settings.planner,
            threats_only=deployment.defence is not None and deployment.defence.engage_threats_only,
        )
        self.start = deployment.start
        self.origin = (deployment.origin.lat, deployment.origin.lon)
        self.daylight_only = np.array([w.daylight_only for w in self.forces.weapons], bool)
        self.shots = ShotsInFlight(
            lambda p, v: debris_point(p, v, self.radius_m, self.origin_alt_m),
            self.roe.area_at,
            self.settings.min_kill_radius_m,
        )
        self.destroyed = DamageAssessment(self.settings.survival_updates)
        self.next_shot_id = 0
        self.needs_approval = (
            deployment.defence is not None and deployment.defence.operator_approval
        )
        self.withheld: dict[tuple[int, int], str] = {}
        self.showing_own_forces = False
        self.last_step_s: float | None = None
        """The time of the previous step (s): the start of the present window."""

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        """The window's response at ``now_s`` (s); see the module docstring."""
        assessment = picture.assessment
        if assessment is None:
            raise ValueError("the response stage needs the assessment stage before it")
        since_s, self.last_step_s = self.last_step_s, now_s
        idle = not (
            self.forces.busy or len(self.shots) or self.showing_own_forces or len(self.forces) == 0
        )
        if idle and not np.any(assessment.identity == HOSTILE):
            return picture
        tracks = picture.tracks
        events = self.forces.update(now_s)
        resolved = self.shots.resolve(now_s, rng, tracks, self.destroyed)
        events += resolved.events
        self.destroyed.count(resolved.kills, tracks)
        hostile = assessment.identity == HOSTILE
        survived, assessed = self.destroyed.still_flying(tracks, hostile, now_s)
        events += assessed
        not_targets = self.destroyed.track_ids() | picture.vetoed
        targets = self.planner.targets(tracks, assessment, not_targets, self.shots)
        plan = self.planner.plan(targets, now_s, self._usable(now_s))
        events += self._order(plan, now_s)
        shots, fired = self._fire(plan, picture, now_s, since_s)
        events += fired
        self._aim(tracks, now_s)
        own = self._own_forces(now_s)
        effects: tuple[Effect, ...] = resolved.kills + ((own,) if own is not None else ())
        response = ResponseStep(
            shots=tuple(shots),
            outcomes=resolved.outcomes,
            own_forces=own,
            events=tuple(events),
            survived=tuple(survived),
        )
        return picture.but(response=response, effects=picture.effects + effects)

    def _usable(self, now_s: float) -> np.ndarray:
        """(K,) the weapons that may be used at ``now_s``: all but those aimed by eye at
        night."""
        if not self.daylight_only.any():
            return ~self.daylight_only
        night = is_night(*self.origin, self.start + timedelta(seconds=now_s))
        return ~(self.daylight_only & night)

    def _order(self, plan: Plan, now_s: float) -> list[Event]:
        """Give each free platform its first assigned target; release the others."""
        f = self.forces
        events: list[Event] = []
        targets = plan.targets
        first = plan.first_targets(len(f))
        for p in np.flatnonzero(f.available(now_s)):
            j = int(first[p])
            if j < 0:
                f.release(int(p), now_s)
                continue
            events += f.order(int(p), int(targets.track_id[j]), str(targets.category[j]), now_s)
        return events

    def _fire(
        self, plan: Plan, picture: Picture, now_s: float, since_s: float | None
    ) -> tuple[list[Shot], list[Event]]:
        """The shots of the window from ``since_s`` to ``now_s`` (s): each engaging platform
        fires at its best assigned targets in reach while its rate of fire allows (see the
        module docstring); each target at most one shot in flight; the picture's
        ``approved`` tracks are those operators approved engaging."""
        f, targets = self.forces, plan.targets
        shots: list[Shot] = []
        events: list[Event] = []
        if not len(targets):
            return shots, events
        under_fire = {flight.shot.track_id for flight in self.shots.flights}
        ready = (f.phase == ENGAGING) & (f.next_fire_s <= now_s)
        for p in np.unique(plan.platform[ready[plan.platform]]):
            for w, j in self._choices(plan, int(p), under_fire):
                if f.phase[p] != ENGAGING or f.next_fire_s[p] > now_s:
                    break
                track_id, k = int(targets.track_id[j]), int(plan.weapon[w])
                if track_id in under_fire or f.ammo[p, k] <= 0:
                    continue
                cleared = not self.needs_approval or track_id in picture.approved
                fired = self._shot(int(p), k, j, targets, picture, now_s, cleared)
                if isinstance(fired, Holding):
                    events += self._withheld(int(p), track_id, fired, now_s)
                    continue
                shot, flight = fired
                self.withheld.pop((int(p), track_id), None)
                self.shots.add(flight)
                under_fire.add(track_id)
                shots.append(shot)
                events.append(_fired_event(shot, flight, str(f.callsign[p])))
                events += f.count_shot(int(p), track_id, now_s)
                events += f.fire(int(p), k, now_s, since_s)
        return shots, events

    def _choices(self, plan: Plan, p: int, under_fire: set[int]) -> list[tuple[int, int]]:
        """Platform ``p``'s (weapon row, target) pairs it may fire now: assigned, weapons
        left, the target not under fire and inside the weapon's envelope; the best kill
        probability first, then the cheaper weapon, then the plan's order."""
        f, targets = self.forces, plan.targets
        height = ground_height_m(targets.position_m, self.radius_m, self.origin_alt_m)
        slant = np.linalg.norm(targets.position_m - f.position_m[p], axis=1)
        classes = class_index(targets.category)
        choices = []
        for w in np.flatnonzero(plan.platform == p):
            k = int(plan.weapon[w])
            weapon = f.weapons[k]
            if f.ammo[p, k] <= 0:
                continue
            held = slant <= f.reach_m[p, k, classes]
            reach = in_envelope(weapon, slant, height) & held & (plan.counts[w] > 0)
            for j in np.flatnonzero(reach):
                if int(targets.track_id[j]) not in under_fire:
                    pk = weapon.pk(str(targets.category[j]))
                    choices.append((-pk, weapon.cost_eur, int(w), int(j)))
        return [(w, j) for _, _, w, j in sorted(choices)]

    def _shot(
        self,
        p: int,
        k: int,
        j: int,
        targets: Targets,
        picture: Picture,
        now_s: float,
        cleared: bool,
    ) -> tuple[Shot, Flight] | Holding:
        """The shot (and its flight) platform ``p`` would fire with weapon ``k`` at target
        ``j``, or why it is held: the rules' reason not to (checked first), or
        :data:`~flankwatch.respond.roe.AWAITING_APPROVAL` when the shot is allowed but not
        ``cleared`` by an operator."""
        assessment = picture.assessment
        assert assessment is not None, "checked by step"
        f = self.forces
        weapon, key = f.weapons[k], f.weapon_keys[k]
        shooter = f.position_m[p][None, :]
        position = targets.position_m[j][None, :]
        velocity = targets.velocity_mps[j][None, :]
        tof, aim = intercept(shooter, position, velocity, weapon.speed_mps)
        if not np.isfinite(tof[0]):
            tof, aim = np.array([np.linalg.norm(position - shooter) / weapon.speed_mps]), position
        debris = debris_point(aim, velocity, self.radius_m, self.origin_alt_m)
        row = int(targets.row[j])
        sigma = impact_sigma_m(picture.tracks, row, float(tof[0]))
        allowed, reasons, rules = self.roe.check(
            assessment.identity[row : row + 1],
            assessment.inside[row : row + 1],
            ground_xy(aim, self.radius_m, self.origin_alt_m),
            debris,
            sigma,
            now_s - picture.tracks.last_update_s[row : row + 1],
        )
        miss = miss_debris_point(shooter, aim, weapon, self.radius_m, self.origin_alt_m)
        if not allowed[0]:
            return Holding(str(rules[0]), str(reasons[0]))
        if self.settings.check_miss_debris:
            area = str(self.roe.area_at(miss)[0])
            if area:
                return Holding("miss-debris", miss_debris_reason(area))
        if not cleared:
            return Holding("approval", AWAITING_APPROVAL)
        track_id = int(targets.track_id[j])
        shot = Shot(
            t_s=now_s,
            shot_id=self.next_shot_id,
            unit=str(f.unit[p]),
            effector=str(f.effector[p]),
            weapon=key,
            track_id=track_id,
            category=str(targets.category[j]),
            cost_eur=weapon.cost_eur,
            shooter_m=_triple(shooter[0]),
            aim_m=_triple(aim[0]),
            impact_t_s=now_s + float(tof[0]),
            debris_m=(float(debris[0, 0]), float(debris[0, 1])),
        )
        self.next_shot_id += 1
        flying = weapon.kind in FLYING_KINDS
        flight = Flight(
            shot,
            weapon.pk(shot.category),
            weapon.kind,
            weapon.soft_kill,
            _triple(velocity[0]),
            (float(miss[0, 0]), float(miss[0, 1])),
            self.ids.take() if flying else -1,
            f"{f.callsign[p]} {key.upper()} {shot.shot_id}" if flying else "",
            float(sigma[0]),
        )
        return shot, flight

    def _withheld(self, p: int, track_id: int, holding: Holding, now_s: float) -> list[Event]:
        """A withheld-shot event when the reason for this platform and track is new."""
        if self.withheld.get((p, track_id)) == holding.reason:
            return []
        self.withheld[(p, track_id)] = holding.reason
        f = self.forces
        return [
            Event(
                now_s,
                EventKind.SHOT_WITHHELD,
                f"{f.callsign[p]} holds fire at track {track_id}: {holding.reason}",
                track_id=track_id,
                subject=str(f.unit[p]),
                data={
                    "callsign": str(f.callsign[p]),
                    "reason": holding.reason,
                    "rule": holding.rule,
                },
            )
        ]

    def _aim(self, tracks: TrackBatch, now_s: float) -> None:
        """Point each fighter with a target at the lead-pursuit intercept point of its track
        (its present position if it cannot be caught), at the track's present height (at
        least :attr:`~flankwatch.respond.units.ForcesSettings.min_height_m`): a track's
        vertical speed is too uncertain to carry over minutes (5 m/s off over the 400 s to
        a far drone is 2 km); a lost track is a lost target."""
        f = self.forces
        chasing = f.flies & (f.target >= 0)
        if not chasing.any():
            return
        rows = np.flatnonzero(chasing)
        where = {int(t): k for k, t in enumerate(tracks.track_id)}
        found = np.array([int(f.target[p]) in where for p in rows], bool)
        for p in rows[~found]:
            f.release(int(p), now_s)
        rows = rows[found]
        if not len(rows):
            return
        k = np.array([where[int(f.target[p])] for p in rows])
        position = np.column_stack((tracks.x_m[k], tracks.y_m[k], tracks.z_m[k]))
        velocity = np.column_stack((tracks.vx_mps[k], tracks.vy_mps[k], tracks.vz_mps[k]))
        start = np.where((f.phase[rows] == ENGAGING)[:, None], f.position_m[rows], f.home_m[rows])
        _, point = intercept(start, position, velocity, f.speed_mps[rows], f.delay_s(now_s)[rows])
        height = ground_height_m(position, self.radius_m, self.origin_alt_m)
        height = np.maximum(height, f.settings.min_height_m)
        point[:, 2] = z_at_height_m(point, height, self.radius_m, self.origin_alt_m)
        f.goal_m[rows] = point

    def _own_forces(self, now_s: float) -> OwnForces | None:
        """Own aircraft and flying weapons at ``now_s``; an empty set once after the last
        one landed; None when none flies and none did."""
        f = self.forces
        rows = [
            (int(f.object_id[p]), "fighter", str(f.callsign[p]), f.position_m[p], f.velocity_mps[p])
            for p in f.in_flight()
        ]
        rows += own_force_rows(self.shots.in_flight(now_s), now_s)
        if not rows and not self.showing_own_forces:
            return None
        self.showing_own_forces = bool(rows)
        position = np.array([r[3] for r in rows], float).reshape(-1, 3)
        velocity = np.array([r[4] for r in rows], float).reshape(-1, 3)
        return OwnForces(
            t_s=now_s,
            object_id=np.array([r[0] for r in rows], np.int64),
            kind=np.array([r[1] for r in rows], object),
            callsign=np.array([r[2] for r in rows], object),
            x_m=position[:, 0],
            y_m=position[:, 1],
            z_m=position[:, 2],
            vx_mps=velocity[:, 0],
            vy_mps=velocity[:, 1],
            vz_mps=velocity[:, 2],
        )


def impact_sigma_m(tracks: TrackBatch, row: int, flight_s: float) -> np.ndarray:
    """(1,) the standard deviation (m) of where the target of track ``row`` will be on the
    ground after ``flight_s`` (s): the root of its horizontal position variance plus
    ``flight_s`` squared times its horizontal velocity variance (straight flight)."""
    position_var = tracks.cov_xx_m2[row] + tracks.cov_yy_m2[row]
    velocity_var = tracks.var_vx_m2ps2[row] + tracks.var_vy_m2ps2[row]
    return np.array([np.sqrt(max(position_var + flight_s**2 * velocity_var, 0.0))])


def _triple(values: np.ndarray) -> tuple[float, float, float]:
    return float(values[0]), float(values[1]), float(values[2])


def _fired_event(shot: Shot, flight: Flight, callsign: str) -> Event:
    x, y = shot.debris_m
    range_km = float(np.linalg.norm(np.subtract(shot.aim_m, shot.shooter_m))) / 1000.0
    return Event(
        shot.t_s,
        EventKind.SHOT_FIRED,
        f"{callsign} fired {shot.weapon} ({shot.cost_eur:,.0f} EUR) at track {shot.track_id} "
        f"({shot.category}): {range_km:.1f} km, impact in {shot.impact_t_s - shot.t_s:.0f} s, "
        f"kill probability {flight.kill_prob:.2f}; debris expected at "
        f"({x / 1000:.1f} km E, {y / 1000:.1f} km N)",
        track_id=shot.track_id,
        subject=shot.unit,
        data={
            "shot_id": shot.shot_id,
            "callsign": callsign,
            "weapon": shot.weapon,
            "cost_eur": shot.cost_eur,
            "impact_t_s": shot.impact_t_s,
            "debris_x_m": x,
            "debris_y_m": y,
            "no_engagement_area": shot.no_engagement_area,
        },
    )
