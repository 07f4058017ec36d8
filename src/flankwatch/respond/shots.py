"""Shots in flight and how they end.

A fired :class:`~flankwatch.respond.step.Shot` flies from its shooter to its
aim point (the lead-pursuit point on the track when it was fired) in a straight
line, arriving at ``impact_t_s``. Missiles and interceptor drones in flight are
own-force objects (:meth:`ShotsInFlight.in_flight`); gun bursts and jamming are
not.

At the first step whose time is at or past a shot's impact, the shot is
resolved (:meth:`ShotsInFlight.resolve`): one uniform draw from the stage's
generator per shot, in impact-time then shot-id order, kills with the shot's
kill probability. A shot whose target another shot already destroyed misses.
A kill becomes a :class:`~flankwatch.loop.Kill` effect at the track's position
predicted to the impact time (from its state in the step's tracks), with a
radius of three times the root of the trace of the track's position covariance
(at least ``min_kill_radius_m``); if the track is gone, at the aim point with
three times the standard deviation of where the target was expected at impact
when the shot was fired (the guided weapon met the target wherever it was); the
target's debris falls where the debris model puts it. A miss leaves the
weapon's debris where the miss model put it when the shot was fired.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field

import numpy as np

from flankwatch.events import Event, EventKind
from flankwatch.loop import Kill
from flankwatch.respond.step import Shot, ShotOutcome
from flankwatch.track.output import TrackBatch

DebrisModel = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""(n, 3) positions (m) and (n, 3) velocities (m/s) of killed targets to (n, 2)
ground points (ENU east, north, m) where their debris falls."""
AreaLookup = Callable[[np.ndarray], np.ndarray]
"""(n, 2) ground points (m) to the names of the no-engagement areas they lie in
("" for none)."""

FLYING_KINDS = {"missile": "missile", "drone": "interceptor-drone"}
"""Own-force kind of a weapon kind whose shots are objects in flight."""


@dataclass(frozen=True)
class Flight:
    """A shot in flight and what resolving it needs."""

    shot: Shot
    kill_prob: float
    weapon_kind: str
    soft_kill: bool
    target_mps: tuple[float, float, float]
    """The track's velocity when fired (m/s), for its debris if it is gone at impact."""
    miss_debris_m: tuple[float, float]
    """Where the weapon falls if it misses (ENU east, north, m)."""
    object_id: int = -1
    """Own-force object id while in flight (-1: not an object, e.g. a gun burst)."""
    callsign: str = ""
    aim_sigma_m: float = 0.0
    """Standard deviation of where the target was expected at impact when fired, m."""

    def position_at(self, t_s: float) -> np.ndarray:
        """(3,) where it is at ``t_s`` (m): on the straight line from shooter to aim point."""
        shot = self.shot
        span_s = shot.impact_t_s - shot.t_s
        part = 1.0 if span_s <= 0.0 else min(max((t_s - shot.t_s) / span_s, 0.0), 1.0)
        start, aim = np.array(shot.shooter_m), np.array(shot.aim_m)
        result: np.ndarray = start + (aim - start) * part
        return result

    def velocity(self) -> np.ndarray:
        """(3,) its constant velocity (m/s)."""
        span_s = max(self.shot.impact_t_s - self.shot.t_s, 1e-9)
        result: np.ndarray = (np.array(self.shot.aim_m) - np.array(self.shot.shooter_m)) / span_s
        return result


@dataclass(frozen=True)
class Resolution:
    """What the shots resolved in one step produced."""

    outcomes: tuple[ShotOutcome, ...] = ()
    kills: tuple[Kill, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass
class ShotsInFlight:
    """The shots fired and not yet resolved, in firing order."""

    debris: DebrisModel
    area_at: AreaLookup
    min_kill_radius_m: float = 300.0
    """Smallest radius of a Kill effect around the predicted target position, m."""
    flights: list[Flight] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.flights)

    def add(self, flight: Flight) -> None:
        """A shot just fired."""
        self.flights.append(flight)

    def on_track(self, track_id: int) -> list[Flight]:
        """The shots in flight at ``track_id``."""
        return [f for f in self.flights if f.shot.track_id == track_id]

    def in_flight(self, now_s: float) -> list[Flight]:
        """The shots that are own-force objects (missiles, interceptor drones) at ``now_s``."""
        return [f for f in self.flights if f.object_id >= 0 and f.shot.impact_t_s > now_s]

    def resolve(
        self,
        now_s: float,
        rng: np.random.Generator,
        tracks: TrackBatch,
        destroyed: Container[int],
    ) -> Resolution:
        """Resolve every shot due by ``now_s`` (s); ``destroyed``: the track ids already
        killed (a shot at one misses). See the module docstring."""
        due = sorted(
            (f for f in self.flights if f.shot.impact_t_s <= now_s),
            key=lambda f: (f.shot.impact_t_s, f.shot.shot_id),
        )
        if not due:
            return Resolution()
        self.flights = [f for f in self.flights if f.shot.impact_t_s > now_s]
        draws = rng.random(len(due))
        row_of = {int(t): k for k, t in enumerate(tracks.track_id)}
        outcomes: list[ShotOutcome] = []
        kills: list[Kill] = []
        events: list[Event] = []
        killed_now: set[int] = set()
        for flight, draw in zip(due, draws, strict=True):
            shot = flight.shot
            gone = shot.track_id in destroyed or shot.track_id in killed_now
            if not gone and draw < flight.kill_prob:
                killed_now.add(shot.track_id)
                kill, debris_m = self._kill(flight, now_s, tracks, row_of.get(shot.track_id))
                kills.append(kill)
                area = str(self.area_at(np.array([debris_m]))[0])
                outcome = ShotOutcome(
                    shot.impact_t_s, shot.shot_id, shot.track_id, True, debris_m, area
                )
                events.append(_destroyed_event(flight, outcome))
            else:
                debris_m = flight.miss_debris_m
                area = str(self.area_at(np.array([debris_m]))[0])
                outcome = ShotOutcome(
                    shot.impact_t_s, shot.shot_id, shot.track_id, False, debris_m, area
                )
                events.append(_missed_event(flight, outcome, gone))
            outcomes.append(outcome)
        return Resolution(tuple(outcomes), tuple(kills), tuple(events))

    def _kill(
        self, flight: Flight, now_s: float, tracks: TrackBatch, row: int | None
    ) -> tuple[Kill, tuple[float, float]]:
        shot = flight.shot
        if row is None:
            position = np.array(shot.aim_m)
            velocity = np.array(flight.target_mps)
            radius_m = max(self.min_kill_radius_m, 3.0 * flight.aim_sigma_m)
        else:
            velocity = np.array([tracks.vx_mps[row], tracks.vy_mps[row], tracks.vz_mps[row]])
            now_m = np.array([tracks.x_m[row], tracks.y_m[row], tracks.z_m[row]])
            position = now_m + velocity * (shot.impact_t_s - now_s)
            trace_m2 = tracks.cov_xx_m2[row] + tracks.cov_yy_m2[row] + tracks.cov_zz_m2[row]
            radius_m = max(self.min_kill_radius_m, 3.0 * float(np.sqrt(max(trace_m2, 0.0))))
        ground = self.debris(position[None, :], velocity[None, :])[0]
        cause = f"{shot.weapon} from {shot.unit} (shot {shot.shot_id})"
        kill = Kill(
            shot.impact_t_s,
            shot.track_id,
            float(position[0]),
            float(position[1]),
            float(position[2]),
            radius_m,
            cause,
        )
        return kill, (float(ground[0]), float(ground[1]))


def _where(outcome: ShotOutcome) -> str:
    x, y = outcome.debris_m
    if not np.isfinite(x):
        return "nowhere (no debris)"
    place = (
        f" in the no-engagement area {outcome.no_engagement_area}"
        if outcome.no_engagement_area
        else ""
    )
    return f"({x / 1000:.1f} km E, {y / 1000:.1f} km N){place}"


def _data(flight: Flight, outcome: ShotOutcome) -> dict[str, float | int | str | bool | None]:
    return {
        "shot_id": outcome.shot_id,
        "weapon": flight.shot.weapon,
        "debris_x_m": _finite(outcome.debris_m[0]),
        "debris_y_m": _finite(outcome.debris_m[1]),
        "no_engagement_area": outcome.no_engagement_area,
    }


def _finite(value: float) -> float | None:
    return value if np.isfinite(value) else None


def _destroyed_event(flight: Flight, outcome: ShotOutcome) -> Event:
    shot = flight.shot
    how = "brought down or diverted by jamming" if flight.soft_kill else "destroyed"
    return Event(
        outcome.t_s,
        EventKind.TARGET_DESTROYED,
        f"Track {shot.track_id} ({shot.category}) {how} by {shot.weapon} from {shot.unit} "
        f"(shot {shot.shot_id}, kill probability {flight.kill_prob:.2f}); "
        f"debris falls at {_where(outcome)}",
        track_id=shot.track_id,
        subject=shot.unit,
        data=_data(flight, outcome),
    )


def _missed_event(flight: Flight, outcome: ShotOutcome, gone: bool) -> Event:
    shot = flight.shot
    why = (
        "its target was already destroyed"
        if gone
        else f"it missed (kill probability {flight.kill_prob:.2f})"
    )
    return Event(
        outcome.t_s,
        EventKind.SHOT_MISSED,
        f"Shot {shot.shot_id} ({shot.weapon} from {shot.unit}) at track {shot.track_id}: "
        f"{why}; the weapon falls at {_where(outcome)}",
        track_id=shot.track_id,
        subject=shot.unit,
        data=_data(flight, outcome),
    )


def own_force_rows(
    flights: Iterable[Flight], now_s: float
) -> list[tuple[int, str, str, np.ndarray, np.ndarray]]:
    """Each flying shot at ``now_s``: (object id, kind, callsign, (3,) position m,
    (3,) velocity m/s)."""
    return [
        (f.object_id, FLYING_KINDS[f.weapon_kind], f.callsign, f.position_at(now_s), f.velocity())
        for f in flights
        if f.weapon_kind in FLYING_KINDS
    ]
