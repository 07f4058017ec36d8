"""Where threats will be: straight-line extrapolation, the assessment's threat table,
and the corridor of a predicted path.

Distances are horizontal (east and north of the run's local ENU frame): a
threat over an airport at any height counts as over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flankwatch.alert.base import AirPicture, Approach, Target

__all__ = [
    "CombinedPredictor",
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

    parts: tuple[StraightLinePredictor | ThreatTablePredictor, ...]

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
