"""Weapon envelopes and kill probabilities over arrays of targets.

A weapon can engage a target whose slant range from the shooter lies in
``[min_range_m, max_range_m]`` and whose height above the ground lies in
``[min_alt_m, max_alt_m]`` (both bounds included). Its kill probability against
a target is :attr:`~flankwatch.respond.catalogue.WeaponType.kill_prob` of the
target's class (0 for a class it cannot engage).
"""

from __future__ import annotations

from collections.abc import Sequence

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
