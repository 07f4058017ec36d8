"""Threat ranking: which suspect and hostile tracks threaten which defended assets, best first.

For every such track and every asset (tracks x assets arrays, ground plane of
the run's frame) the track's current course is extrapolated in a straight line:

* ``tcpa_s``: time to the closest point of approach, clipped to ``[0, horizon_s]``
  (0 for a track already moving away);
* ``cpa_m``: distance from the asset's centre at that time;
* ``score = value * weight(identity) * closeness * urgency`` with
  ``closeness = exp(-miss^2 / 2 miss_scale_m^2)``, ``miss = max(cpa_m - radius_m, 0)``
  (1 for a course through the asset's radius, falling off for a near miss since
  a course can change), and ``urgency = urgency_s / (urgency_s + tcpa_s)``
  (1 now, 1/2 at ``urgency_s``).

A pair is listed when its miss distance is at most ``max_miss_m``; the table
follows :data:`~flankwatch.assess.assessment.THREAT_SCHEMA`, ranked by score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from flankwatch.assess.area import project_points
from flankwatch.assess.assessment import IDENTITIES, THREAT_SCHEMA
from flankwatch.assess.kernels import closest_approach
from flankwatch.assess.kinematics import Kinematics
from flankwatch.deployment import Deployment
from flankwatch.geo.airports import airport
from flankwatch.track.output import TrackBatch, TrackStatus


@dataclass(frozen=True)
class DefendedAssets:
    """Defended assets in columns: name, kind, ground position (m), radius (m), value."""

    name: np.ndarray
    kind: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    radius_m: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.name)


def defended_assets(
    deployment: Deployment,
    airport_radius_m: float = 5_000.0,
    airport_value: float = 3.0,
) -> DefendedAssets:
    """The deployment's assets and its airports (named by ICAO code), in its frame.

    An airport of ``deployment.airports`` that ``deployment.assets`` already names
    is not added twice. Airports get ``airport_radius_m`` and ``airport_value``.
    """
    rows = [(a.name, a.kind, a.at.lon, a.at.lat, a.radius_m, a.value) for a in deployment.assets]
    named = {a.name.upper() for a in deployment.assets}
    for code in deployment.airports:
        if code.upper() not in named:
            found = airport(code)
            rows.append(
                (
                    found.icao,
                    "airport",
                    found.lon_deg,
                    found.lat_deg,
                    airport_radius_m,
                    airport_value,
                )
            )
    if not rows:
        empty = np.empty(0)
        return DefendedAssets(np.empty(0, object), np.empty(0, object), empty, empty, empty, empty)
    name, kind, lon, lat, radius, value = zip(*rows, strict=True)
    xy = project_points(deployment.frame, np.column_stack((lon, lat)))
    return DefendedAssets(
        name=np.array(name, object),
        kind=np.array(kind, object),
        x_m=xy[:, 0],
        y_m=xy[:, 1],
        radius_m=np.array(radius, float),
        value=np.array(value, float),
    )


@dataclass(frozen=True)
class ThreatSettings:
    """Constants of the threat score; see the module docstring."""

    horizon_s: float = 3600.0
    """Farthest look ahead along a course, s."""
    miss_scale_m: float = 10_000.0
    """Miss distance at which closeness falls to exp(-1/2), m."""
    max_miss_m: float = 30_000.0
    """Pairs missing the asset's radius by more than this are not listed, m."""
    urgency_s: float = 600.0
    """Time to closest approach at which urgency halves, s."""
    weights: dict[str, float] = field(default_factory=lambda: {"hostile": 1.0, "suspect": 0.5})
    """Identities ranked, and the weight of each."""


_NO_THREATS = THREAT_SCHEMA.empty_table()
"""The threat table with no rows (Arrow tables never change: one serves every step)."""
_THREAT_TYPES = THREAT_SCHEMA.types
"""The Arrow types of the threat table's columns, in order."""


class ThreatRanker:
    """Ranks (track, asset) pairs for the tracks of the weighted identities."""

    def __init__(self, assets: DefendedAssets, settings: ThreatSettings | None = None) -> None:
        self.assets = assets
        self.settings = settings or ThreatSettings()
        self._weight = np.zeros(len(IDENTITIES))
        for name, weight in self.settings.weights.items():
            self._weight[IDENTITIES.index(name)] = weight

    def rank(
        self, tracks: TrackBatch, kin: Kinematics, identity: np.ndarray, now_s: float
    ) -> pa.Table:
        """The threat table of the tracks with identity codes ``identity`` at ``now_s``."""
        s, assets = self.settings, self.assets
        weight = self._weight[identity]
        i = np.flatnonzero((weight > 0) & (tracks.status != int(TrackStatus.DELETED)))
        if not len(i) or not len(assets):
            return _NO_THREATS
        tcpa, off_x, off_y = closest_approach(
            kin.ground_x_m[i],
            kin.ground_y_m[i],
            kin.ground_vx_mps[i],
            kin.ground_vy_mps[i],
            now_s - tracks.time_s[i],
            assets.x_m,
            assets.y_m,
            s.horizon_s,
        )
        cpa = np.hypot(off_x, off_y)
        miss = np.maximum(cpa - assets.radius_m[None, :], 0.0)
        closeness = np.exp(-0.5 * (miss / s.miss_scale_m) ** 2)
        urgency = s.urgency_s / (s.urgency_s + tcpa)
        score = assets.value[None, :] * weight[i, None] * closeness * urgency
        track_k, asset_k = np.nonzero(miss <= s.max_miss_m)
        if not len(track_k):
            return _NO_THREATS
        track_id = tracks.track_id[i][track_k]
        pair_score = score[track_k, asset_k]
        order = np.lexsort((track_id, -pair_score))
        track_k, asset_k = track_k[order], asset_k[order]
        columns = (
            np.arange(1, len(order) + 1, dtype=np.int32),
            track_id[order],
            assets.name[asset_k],
            assets.kind[asset_k],
            cpa[track_k, asset_k],
            tcpa[track_k, asset_k],
            pair_score[order],
        )
        return pa.Table.from_arrays(
            [pa.array(column, kind) for column, kind in zip(columns, _THREAT_TYPES, strict=True)],
            schema=THREAT_SCHEMA,
        )
