"""What the response stage adds to a window's picture, and what it asks of the world.

- :class:`Shot`: one use of a weapon on a track (a missile fired, a gun burst, an
  interceptor drone launched, a jamming attempt), with where its debris is
  expected to fall.
- :class:`ShotOutcome`: how a shot ended (its kill probability drawn with the
  run's seed): a kill or a miss, and where its debris fell.
- :class:`OwnForces`: an effect, the state of every own aircraft and weapon in
  flight at ``t_s``; a simulated source shows them to its sensors until the
  next such effect (an object missing from it has landed or ended).
- :class:`ResponseStep`: a window's shots, outcomes, own forces and events.

Positions are in the run's local ENU frame (m), velocities in m/s, times in s
since the run's start, money in EUR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flankwatch.events import Event


@dataclass(frozen=True)
class Shot:
    """One use of a weapon on a track, fired at ``t_s``."""

    t_s: float
    shot_id: int
    """Unique in the run, in firing order."""
    unit: str
    """The effector unit that fired (its name in the deployment)."""
    effector: str
    """The unit's effector type (catalogue key)."""
    weapon: str
    """The weapon type (catalogue key)."""
    track_id: int
    category: str
    """The track's class when fired at."""
    cost_eur: float
    shooter_m: tuple[float, float, float]
    """Where it was fired from (ENU, m)."""
    aim_m: tuple[float, float, float]
    """The predicted intercept point (ENU, m)."""
    impact_t_s: float
    """When it reaches the aim point, s."""
    debris_m: tuple[float, float]
    """Predicted ground point of the debris (ENU east, north, m)."""
    no_engagement_area: str = ""
    """The no-engagement area the predicted debris falls in ("" if none; the rules of
    engagement normally forbid such a shot, so this is set only when they allow it)."""


@dataclass(frozen=True)
class ShotOutcome:
    """How shot ``shot_id`` ended at ``t_s``."""

    t_s: float
    shot_id: int
    track_id: int
    kill: bool
    debris_m: tuple[float, float]
    """Where the debris fell (ENU east, north, m): the target's on a kill, else the weapon's."""
    no_engagement_area: str = ""
    """The no-engagement area the debris fell in ("" if none)."""


@dataclass(frozen=True)
class OwnForces:
    """An effect: every own aircraft and weapon in flight at ``t_s`` (one row each).

    Rows are aligned arrays. ``object_id`` is stable for an object's whole flight
    and unique in the run; ``kind`` is ``fighter``, ``missile``,
    ``interceptor-drone`` (or another own platform); ``callsign`` is what it
    broadcasts (own forces answer IFF Mode 5).
    """

    t_s: float
    object_id: np.ndarray
    kind: np.ndarray
    callsign: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    z_m: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    vz_mps: np.ndarray

    def __len__(self) -> int:
        return len(self.object_id)


@dataclass(frozen=True)
class ResponseStep:
    """What the response stage decided and saw happen in one window."""

    shots: tuple[Shot, ...] = ()
    outcomes: tuple[ShotOutcome, ...] = ()
    own_forces: OwnForces | None = None
    """Own aircraft and weapons in flight at the window's end (None: none at all)."""
    events: tuple[Event, ...] = field(default_factory=tuple)
    """Scrambles, shots, kills, misses, withheld shots, leakers, magazines spent."""
    survived: tuple[int, ...] = ()
    """Tracks a shot was counted to have killed that plots still update: targets again."""

    @property
    def killed(self) -> list[int]:
        """The tracks this window's shots killed (by track number)."""
        return [outcome.track_id for outcome in self.outcomes if outcome.kill]


NO_RESPONSE = ResponseStep()
"""The response of a picture no response stage has filled (shared: never changed)."""
