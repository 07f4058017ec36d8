"""Weapon envelopes and kill probabilities over arrays of targets.

A weapon can engage a target whose slant range from the shooter lies in
``[min_range_m, max_range_m]`` and whose height above the ground lies in
``[min_alt_m, max_alt_m]`` (both bounds included). Its kill probability against
a target is :attr:`~flankwatch.respond.catalogue.WeaponType.kill_prob` of the
target's class (0 for a class it cannot engage).

A platform may fire only at a target it holds: the farthest shot is the
weapon's range capped by its seeker's lock-on range and the platform's own
acquisition range against the target's class (see
:mod:`~flankwatch.respond.catalogue`). A weapon aimed by eye (``daylight_only``)
is not fired at night: :func:`is_night` tells from the sun's elevation
(:func:`sun_elevation_deg`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from flankwatch.respond.catalogue import WeaponType


def in_envelope(
    weapon: WeaponType, slant_range_m: ArrayLike, alt_m: ArrayLike
) -> NDArray[np.bool_]:
    """True where a target at ``slant_range_m`` (m) and height ``alt_m`` (m) is in reach
    (arrays broadcast together)."""
    r = np.asarray(slant_range_m, dtype=float)
    h = np.asarray(alt_m, dtype=float)
    return (
        (r >= weapon.min_range_m)
        & (r <= weapon.max_range_m)
        & (h >= weapon.min_alt_m)
        & (h <= weapon.max_alt_m)
    )


def kill_probability(
    weapon: WeaponType, categories: Sequence[str] | NDArray[np.str_]
) -> NDArray[np.float64]:
    """One shot's kill probability against targets of each class in ``categories``."""
    classes = np.asarray(categories, dtype=str)
    out = np.zeros(classes.shape, dtype=float)
    for category, pk in weapon.kill_prob.items():
        out[classes == category] = pk
    return out


def time_of_flight_s(weapon: WeaponType, slant_range_m: ArrayLike) -> NDArray[np.float64]:
    """Time for a shot to fly ``slant_range_m`` (m) at the weapon's mean speed, s."""
    return np.asarray(slant_range_m, dtype=float) / weapon.speed_mps


def engageable_kill_probability(
    weapon: WeaponType,
    categories: Sequence[str] | NDArray[np.str_],
    slant_range_m: ArrayLike,
    alt_m: ArrayLike,
) -> NDArray[np.float64]:
    """The kill probability where the target is in the envelope, else 0."""
    pk = kill_probability(weapon, categories)
    return np.where(in_envelope(weapon, slant_range_m, alt_m), pk, 0.0)


NIGHT_SUN_ELEVATION_DEG = -6.0
"""Below this sun elevation (the end of civil twilight) a pilot cannot see a small
drone to aim a gun at it (assumed: no natural light is left to see by)."""
_J2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)


def sun_elevation_deg(lat_deg: float, lon_deg: float, when: datetime) -> float:
    """The sun's elevation above the horizon (degrees) at a place and UTC-aware time.

    The approximate solar coordinates of the US Naval Observatory (good to about a
    hundredth of a degree in 1950-2050, far better than the twilight needs);
    refraction is ignored.
    """
    d = (when - _J2000).total_seconds() / 86_400.0
    g = math.radians(357.529 + 0.98560028 * d)
    q = 280.459 + 0.98564736 * d
    ecliptic = math.radians(q + 1.915 * math.sin(g) + 0.020 * math.sin(2.0 * g))
    tilt = math.radians(23.439 - 0.00000036 * d)
    right_ascension = math.atan2(math.cos(tilt) * math.sin(ecliptic), math.cos(ecliptic))
    declination = math.asin(math.sin(tilt) * math.sin(ecliptic))
    sidereal = math.radians(280.46061837 + 360.98564736629 * d + lon_deg)
    hour_angle = sidereal - right_ascension
    lat = math.radians(lat_deg)
    sine = math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(declination) * math.cos(
        hour_angle
    )
    return math.degrees(math.asin(max(-1.0, min(1.0, sine))))


def is_night(lat_deg: float, lon_deg: float, when: datetime) -> bool:
    """Whether the sun is below :data:`NIGHT_SUN_ELEVATION_DEG` at the place and time."""
    return sun_elevation_deg(lat_deg, lon_deg, when) < NIGHT_SUN_ELEVATION_DEG
