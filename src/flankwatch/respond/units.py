"""What the own forces are made of: a defence unit resolved from the scenario
(:class:`UnitSpec`), the phases of a platform's cycle (:class:`Phase`; the diagram is in
:mod:`~flankwatch.respond.forces`), the assumed constants of own aircraft
(:class:`ForcesSettings`) and the numbering of own-force objects (:class:`IdCounter`).

Positions in the run's local ENU frame (m), times in s since the run's start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from flankwatch.respond.catalogue import EffectorType, WeaponType

OWN_OBJECT_ID_BASE = 1_000_000
"""Own-force object ids (aircraft sorties, missiles, interceptor drones) count up from
here: above any scenario's object numbers (at most 100,000), so they never collide."""


class Phase(IntEnum):
    """Where a platform is in its cycle (the diagram is in :mod:`~flankwatch.respond.forces`).
    The order counts:
    the phases up to PREPARING are on the ground, up to ENGAGING may take a target."""

    STANDBY = 0
    PREPARING = 1
    ENGAGING = 2
    RETURNING = 3
    REARMING = 4
    INACTIVE = 5


STANDBY, PREPARING, ENGAGING, RETURNING, REARMING, INACTIVE = (int(phase) for phase in Phase)
"""The phases as plain ints, for comparisons with the phase array (NumPy compares an
array with an enum member several times slower than with an int)."""


@dataclass(frozen=True)
class UnitSpec:
    """One unit of the defence, resolved: its type, weapons, place (ENU, m) and times (s)."""

    name: str
    effector_key: str
    effector: EffectorType
    weapons: dict[str, WeaponType]
    position_m: tuple[float, float, float]
    count: int = 1
    active_from_s: float = -np.inf
    active_until_s: float = np.inf


@dataclass(frozen=True)
class ForcesSettings:
    """Assumed constants of own aircraft (no public source: flankwatch's choices)."""

    turn_rad_s: float = 0.15
    """Sustained turn rate, rad/s (about 8.6 degrees a second; assumed)."""
    idle_return_s: float = 900.0
    """An airborne fighter with no target this long returns to base, s (assumed)."""
    landing_radius_m: float = 3_000.0
    """A returning fighter this close to its base has landed, m."""
    cap_leg_m: float = 40_000.0
    """Length of the straight legs a fighter with no target flies while it waits, m
    (a combat air patrol racetrack; assumed)."""
    cap_turn_rad_s: float = 0.05
    """Turn rate at the racetrack's ends, rad/s (about 3 degrees a second, a standard
    rate turn; assumed)."""
    min_height_m: float = 300.0
    """Lowest height above the earth a fighter flies to on its way to a target or waits at,
    m: 1,000 ft,
    the least obstacle clearance of instrument flight over flat country (ICAO Annex 2,
    5.1.2), taken above the sphere (the ground of eastern Poland lies 100-300 m above
    the sea; assumed). A track's height near the ground is uncertain by hundreds of m."""
    glide_slope_rad: float = math.radians(3.0)
    """A returning fighter holds its height until this descent path to its base, rad
    (3 degrees, the standard instrument approach glide path)."""


class IdCounter:
    """Hands out own-force object ids in order, from :data:`OWN_OBJECT_ID_BASE`."""

    def __init__(self) -> None:
        self.next_id = OWN_OBJECT_ID_BASE

    def take(self) -> int:
        """A new id."""
        self.next_id += 1
        return self.next_id - 1
