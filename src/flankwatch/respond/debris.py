"""Where the debris of an engagement is expected to fall.

The model (an assumption, chosen to be simple and stated here, not a published
one): a body falls from its point under gravity with linear drag, the same in
every direction, with time constant ``drag_time_s``:

    dv/dt = -g up - v / tau

so its fall speed tends to ``g tau`` and its horizontal speed decays as
``exp(-t / tau)``. The height above the ground then follows
``h(t) = h0 - g tau t + tau (w0 + g tau) (1 - exp(-t / tau))`` (``w0`` the
vertical speed), whose later root has a closed form with Lambert's W function;
the horizontal drift by then is ``u0 tau (1 - exp(-t / tau))``. Wind, lift and
terrain are ignored (the ground is the sphere below).

* A target killed at a point falls from there with its velocity; a wreck of a
  small drone has ``tau`` = :data:`TARGET_DRAG_TIME_S` (about 40 m/s fall speed,
  assumed).
* A weapon that missed flies on along its line of fire past the aim point for its
  ``miss_flyout_m`` (motor spent or self-destruct, assumed per weapon in the
  catalogue), then falls with its fly-out speed and ``tau`` =
  :data:`WEAPON_DRAG_TIME_S`; if the line meets the ground first it lands there. A
  jammer leaves no debris (NaN).

Positions are in the run's local ENU frame (m), a plane tangent at the frame's
origin; the earth is a sphere of ``radius_m`` as in
:class:`~flankwatch.assess.kinematics.Kinematics`, and a ground point is given
by its x, y (m) like a track's ground point there.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import lambertw

from flankwatch.respond.catalogue import WeaponType

G_MPS2 = 9.80665
"""Standard gravity, m/s^2."""
EARTH_RADIUS_M = 6_371_008.8
"""Mean earth radius, m (pass the frame's own, as the assessment uses, where known)."""
TARGET_DRAG_TIME_S = 4.0
"""Drag time constant of a killed target's wreck, s: falls at about 39 m/s (assumed)."""
WEAPON_DRAG_TIME_S = 15.0
"""Drag time constant of a spent missile or shell, s: falls at about 150 m/s (assumed)."""
_BRANCH_POINT = -np.exp(-1.0) + 1e-15
"""Just above Lambert W's branch point -1/e (scipy returns NaN at it)."""


def debris_point(
    position_m: ArrayLike,
    velocity_mps: ArrayLike,
    radius_m: float = EARTH_RADIUS_M,
    origin_alt_m: float = 0.0,
    drag_time_s: float = TARGET_DRAG_TIME_S,
) -> NDArray[np.float64]:
    """Ground points ``(n, 2)`` (x, y m) where bodies at ``position_m`` ``(n, 3)`` moving
    at ``velocity_mps`` ``(n, 3)`` land (see the module's model)."""
    p = np.atleast_2d(np.asarray(position_m, dtype=float))
    v = np.atleast_2d(np.asarray(velocity_mps, dtype=float))
    centre = p + np.array([0.0, 0.0, radius_m + origin_alt_m])
    dist = np.linalg.norm(centre, axis=1)
    up = centre / dist[:, None]
    height = np.maximum(dist - radius_m, 0.0)
    w0 = np.einsum("ij,ij->i", v, up)
    horizontal = v - w0[:, None] * up
    tau = drag_time_s
    scale = G_MPS2 * tau * tau
    a = tau * (w0 + G_MPS2 * tau)
    c = (height + a) / scale
    d = a / scale
    arg = -d * np.exp(-c)
    # At the branch point -1/e (a body on the ground, still) W is -1; scipy gives NaN there.
    w = np.where(arg <= _BRANCH_POINT, -1.0, lambertw(np.maximum(arg, _BRANCH_POINT), 0).real)
    s = np.maximum(c + w, 0.0)
    drift = horizontal * (tau * -np.expm1(-s))[:, None]
    landing = radius_m * up + drift
    ground = radius_m * landing / np.linalg.norm(landing, axis=1)[:, None]
    return ground[:, :2]


def miss_debris_point(
    shooter_m: ArrayLike,
    aim_m: ArrayLike,
    weapon: WeaponType,
    radius_m: float = EARTH_RADIUS_M,
    origin_alt_m: float = 0.0,
) -> NDArray[np.float64]:
    """Ground points ``(n, 2)`` (x, y m) where missed shots of ``weapon`` fired from
    ``shooter_m`` ``(n, 3)`` at ``aim_m`` ``(n, 3)`` land; NaN for a jammer."""
    shooter = np.atleast_2d(np.asarray(shooter_m, dtype=float))
    aim = np.atleast_2d(np.asarray(aim_m, dtype=float))
    if weapon.kind == "jammer":
        return np.full((len(aim), 2), np.nan)
    line = aim - shooter
    length = np.linalg.norm(line, axis=1)
    direction = line / np.where(length > 0, length, 1.0)[:, None]
    centre = aim + np.array([0.0, 0.0, radius_m + origin_alt_m])
    dist = np.linalg.norm(centre, axis=1)
    height = np.maximum(dist - radius_m, 0.0)
    slope = np.einsum("ij,ij->i", direction, centre / dist[:, None])
    to_ground = np.where(slope < 0, height / np.where(slope < 0, -slope, 1.0), np.inf)
    hits = to_ground <= weapon.miss_flyout_m
    end = aim + direction * np.minimum(to_ground, weapon.miss_flyout_m)[:, None]
    falls = debris_point(
        end, direction * weapon.speed_mps, radius_m, origin_alt_m, WEAPON_DRAG_TIME_S
    )
    end_centre = end + np.array([0.0, 0.0, radius_m + origin_alt_m])
    hit_ground = radius_m * end_centre / np.linalg.norm(end_centre, axis=1)[:, None]
    return np.where(hits[:, None], hit_ground[:, :2], falls)
