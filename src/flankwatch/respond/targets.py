"""A cycle's targets and where they are over the ground.

:class:`Targets` holds the tracks a plan may go after (which tracks qualify is the
planner's business: :meth:`~flankwatch.respond.planner.Planner.targets`);
:func:`ground_height_m`, :func:`z_at_height_m` and :func:`ground_xy` put points of the
run's local ENU frame (m) on the sphere the assessment and the rules of engagement use;
:func:`class_index` turns track classes into the catalogue's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from flankwatch.respond.catalogue import TARGET_CATEGORIES


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
    deadline_s: np.ndarray
    """(T,) time until the target passes the last defended asset it threatens, s (its
    latest time of closest approach in the threat table; inf when the table does not
    list it)."""
    fresh: np.ndarray
    """(T,) whether a plot updated the track within the rules' ``max_track_age_s`` (all
    true when the rules set no limit): the rules hold every shot at a track that is not."""

    def __len__(self) -> int:
        return len(self.track_id)


def ground_height_m(points_m: np.ndarray, radius_m: float, origin_alt_m: float) -> np.ndarray:
    """Heights (m) above a sphere of ``radius_m`` of ENU points ``(n, 3)`` (origin
    ``origin_alt_m`` above the sphere); an infinite radius is a flat earth."""
    points = np.asarray(points_m, float)
    if math.isinf(radius_m):
        flat: np.ndarray = points[:, 2] + origin_alt_m
        return flat
    centre = points + np.array([0.0, 0.0, radius_m + origin_alt_m])
    result: np.ndarray = np.linalg.norm(centre, axis=1) - radius_m
    return result


def z_at_height_m(
    points_m: np.ndarray, height_m: np.ndarray, radius_m: float, origin_alt_m: float
) -> np.ndarray:
    """(n,) the ENU ``z`` (m) at which points with the ``(x, y)`` of ``points_m`` ``(n, 3)``
    are ``height_m`` (n,) above the sphere of :func:`ground_height_m`."""
    if math.isinf(radius_m):
        flat: np.ndarray = np.asarray(height_m, float) - origin_alt_m
        return flat
    points = np.asarray(points_m, float)
    across = points[:, 0] ** 2 + points[:, 1] ** 2
    result: np.ndarray = np.sqrt((radius_m + height_m) ** 2 - across) - radius_m - origin_alt_m
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
