"""Where threats will be: the cone of a track's motion model, straight-line
extrapolation, the assessment's threat table, and the corridor of a predicted path.

Distances are horizontal (east and north of the run's local ENU frame): a
threat over an airport at any height counts as over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import ncx2

from flankwatch.alert.base import AirPicture, Approach, Target, ThreatPredictor

__all__ = [
    "CombinedPredictor",
    "ConePredictor",
    "StraightLinePredictor",
    "ThreatTablePredictor",
    "corridor_enu",
]


@dataclass(frozen=True)
class StraightLinePredictor:
    """Extrapolates each track along its current velocity.

    A track reaches a target when its predicted horizontal distance falls to
    the reach distance within the horizon; the time is that of entering
    (0 when it is already inside).
    """

    def approach(
        self,
        picture: AirPicture,
        targets: Sequence[Target],
        reach_m: np.ndarray,
        horizon_s: float,
    ) -> Approach:
        n, m = len(picture), len(targets)
        if n == 0 or m == 0:
            return Approach.none(n, m)
        where = np.array([t.enu_m[:2] for t in targets], float)  # (m, 2)
        rel = where[None, :, :] - picture.position_m[:, None, :2]  # (n, m, 2)
        vel = picture.velocity_mps[:, None, :2]  # (n, 1, 2)
        a = np.sum(vel * vel, axis=-1)  # (n, 1)
        b = np.sum(rel * vel, axis=-1)  # (n, m)
        c = np.sum(rel * rel, axis=-1)  # (n, m)
        moving = a > 1e-12
        safe_a = np.where(moving, a, 1.0)
        t_cpa = np.clip(np.where(moving, b / safe_a, 0.0), 0.0, horizon_s)
        miss = np.sqrt(np.maximum(c - 2.0 * b * t_cpa + a * t_cpa**2, 0.0))
        reach_sq = np.asarray(reach_m, float)[None, :] ** 2
        inside = c <= reach_sq
        disc = b * b - a * (c - reach_sq)
        t_enter = np.where(moving, (b - np.sqrt(np.maximum(disc, 0.0))) / safe_a, np.inf)
        t_enter = np.where(inside, 0.0, t_enter)
        reach = miss <= np.asarray(reach_m, float)[None, :]
        t_reach = np.where(reach, np.clip(t_enter, 0.0, horizon_s), np.inf)
        return Approach(reach, t_reach, miss)


@dataclass(frozen=True)
class ConePredictor:
    """The track's motion model's uncertainty: a cone about its course, not a line.

    At the nominal time of closest approach ``t`` (on the current course, within
    the horizon) the track's horizontal position is taken as Gaussian about
    ``p + v t``, with covariance ``P + t^2 diag(var_vx, var_vy) + mu s(t)^2 I``:
    its present position covariance ``P``, its velocity variances, and a
    manoeuvre term, ``s(t) = |v| t sin(manoeuvre_heading_sigma_deg)``, weighted
    by the IMM probability ``mu`` of a turn mode. A target counts as reached
    when the chance that the miss distance is under its reach distance is at
    least ``reach_probability`` (the covariance taken as round, with its mean
    variance: a non-central chi-square of two degrees of freedom).

    A track flying straight with a settled filter has a narrow cone and reaches
    what its course reaches; a weaving one, a wide cone whose chance of passing
    within the distance of any one place is small until it is close. Pictures
    without covariances give the straight line's answer.
    """

    reach_probability: float = 0.3
    manoeuvre_heading_sigma_deg: float = 20.0

    def reach_chance(
        self, picture: AirPicture, targets: Sequence[Target], reach_m: np.ndarray, horizon_s: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(chance, t_cpa_s, miss_m)`` as ``(n, m)`` arrays: the chance of passing
        within ``reach_m[j]`` of target ``j``, at the nominal closest approach
        ``t_cpa_s`` (s from now, within the horizon) and its nominal miss
        distance (m)."""
        n, m = len(picture), len(targets)
        where = np.array([t.enu_m[:2] for t in targets], float).reshape(m, 2)
        rel = where[None, :, :] - picture.position_m[:, None, :2]  # (n, m, 2)
        vel = picture.velocity_mps[:, :2]  # (n, 2)
        speed_sq = np.sum(vel * vel, axis=-1)[:, None]  # (n, 1)
        along = np.einsum("nmk,nk->nm", rel, vel)
        moving = speed_sq > 1e-12
        t_cpa = np.clip(
            np.where(moving, along / np.where(moving, speed_sq, 1.0), 0.0), 0, horizon_s
        )
        miss = rel - vel[:, None, :] * t_cpa[..., None]
        miss_m = np.hypot(miss[..., 0], miss[..., 1])
        var_m2 = np.zeros((n, m))
        if picture.position_cov_m2 is not None:
            var_m2 += np.trace(picture.position_cov_m2, axis1=1, axis2=2)[:, None] / 2.0
        if picture.velocity_var_m2ps2 is not None:
            var_m2 += t_cpa**2 * np.sum(picture.velocity_var_m2ps2, axis=1)[:, None] / 2.0
        if picture.manoeuvre_prob is not None:
            spread = np.sin(np.radians(self.manoeuvre_heading_sigma_deg))
            var_m2 += picture.manoeuvre_prob[:, None] * speed_sq * (t_cpa * spread) ** 2
        sigma_m = np.sqrt(np.maximum(var_m2, 1.0))
        reach = np.broadcast_to(np.asarray(reach_m, float)[None, :], (n, m))
        chance = ncx2.cdf((reach / sigma_m) ** 2, 2, (miss_m / sigma_m) ** 2)
        return np.asarray(chance, float).reshape(n, m), t_cpa, miss_m

    def approach(
        self,
        picture: AirPicture,
        targets: Sequence[Target],
        reach_m: np.ndarray,
        horizon_s: float,
    ) -> Approach:
        n, m = len(picture), len(targets)
        if n == 0 or m == 0:
            return Approach.none(n, m)
        chance, t_cpa, miss_m = self.reach_chance(picture, targets, reach_m, horizon_s)
        line = StraightLinePredictor().approach(picture, targets, reach_m, horizon_s)
        reach = chance >= self.reach_probability
        t_reach = np.where(reach, np.where(line.reach, line.t_reach_s, t_cpa), np.inf)
        return Approach(reach, t_reach, miss_m)


@dataclass(frozen=True)
class ThreatTablePredictor:
    """Reads the assessment's threat table: a row of a track and a target counts when
    its closest approach is within the reach distance and its time within the horizon.

    Rows are matched to targets by name (an airport's ICAO code or name, an
    asset's name), case-blind. Times are moved from the assessment's time to
    the picture's.
    """

    def approach(
        self,
        picture: AirPicture,
        targets: Sequence[Target],
        reach_m: np.ndarray,
        horizon_s: float,
    ) -> Approach:
        n, m = len(picture), len(targets)
        result = Approach.none(n, m)
        table = picture.threats
        if n == 0 or m == 0 or table is None or table.num_rows == 0:
            return result
        row_of_track = {int(t): i for i, t in enumerate(picture.track_id)}
        col_of_name: dict[str, int] = {}
        for col, target in enumerate(targets):
            for name in (target.name, target.icao, *target.names):
                if name:
                    col_of_name.setdefault(name.strip().lower(), col)
        age_s = picture.t_s - picture.threats_t_s
        columns = table.to_pydict()
        for track, asset, cpa_m, tcpa_s in zip(
            columns["track_id"],
            columns["asset"],
            columns["cpa_m"],
            columns["tcpa_s"],
            strict=True,
        ):
            i = row_of_track.get(int(track))
            j = col_of_name.get(str(asset).strip().lower())
            if i is None or j is None or not np.isfinite(cpa_m) or not np.isfinite(tcpa_s):
                continue
            t_s = max(float(tcpa_s) - age_s, 0.0)
            if cpa_m <= reach_m[j] and t_s <= horizon_s:
                result.reach[i, j] = True
                result.t_reach_s[i, j] = min(result.t_reach_s[i, j], t_s)
            result.miss_m[i, j] = min(result.miss_m[i, j], float(cpa_m))
        return result


@dataclass(frozen=True)
class CombinedPredictor:
    """Any of several predictors: a reach if one of them says so, at the earliest time."""

    parts: tuple[ThreatPredictor, ...]

    def approach(
        self,
        picture: AirPicture,
        targets: Sequence[Target],
        reach_m: np.ndarray,
        horizon_s: float,
    ) -> Approach:
        result = Approach.none(len(picture), len(targets))
        for part in self.parts:
            result = result.merge(part.approach(picture, targets, reach_m, horizon_s))
        return result


def corridor_enu(
    start_m: np.ndarray,
    velocity_mps: np.ndarray,
    duration_s: float,
    half_width_m: float,
    arc_points: int = 8,
) -> np.ndarray:
    """A closed ring ``(k, 2)`` (east, north in m) around a straight path.

    The path starts at ``start_m`` and runs along ``velocity_mps`` for
    ``duration_s``; the ring is the set of points within ``half_width_m`` of
    it (a stadium: two sides and two half circles). The first point is
    repeated at the end. A still track gives a circle.
    """
    p0 = np.asarray(start_m, float)[:2]
    v = np.asarray(velocity_mps, float)[:2]
    speed = float(np.hypot(v[0], v[1]))
    heading = np.arctan2(v[1], v[0]) if speed > 1e-9 else 0.0
    p1 = p0 + v * duration_s
    # Half circle about the end, from the right side (heading - 90 deg) to the left,
    # then about the start from left to right: counter-clockwise in ENU.
    ahead = heading + np.linspace(-np.pi / 2, np.pi / 2, arc_points + 1)
    behind = heading + np.linspace(np.pi / 2, 3 * np.pi / 2, arc_points + 1)
    ring = np.vstack(
        (
            p1 + half_width_m * np.column_stack((np.cos(ahead), np.sin(ahead))),
            p0 + half_width_m * np.column_stack((np.cos(behind), np.sin(behind))),
        )
    )
    return np.vstack((ring, ring[:1]))
