"""Flight-plan correlation: does a transponder track fly a plan that was filed?

A civil flight files a plan (callsign, aerodromes, off-block time, speed; see
:class:`flankwatch.deployment.FiledPlan`). A track that carries a callsign is
*correlated* when a plan of that callsign exists and the track is within
``corridor_m`` of the plan's route (measured across it, horizontally) and
within ``time_tolerance_s`` of the time the plan puts the flight at that point
of the route (off-block time plus the distance flown over the planned speed);
it is *deviating* when the plan exists but either test fails, and
*uncorrelated* when no plan carries its callsign. A track without a callsign
has no correlation (``none``).

Routes are followed on the ellipsoid (a point every ``ROUTE_STEP_M``) and
compared in the run's local frame (east and north, m).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from pydantic import ConfigDict, Field

from flankwatch.deployment import Deployment, FiledPlan
from flankwatch.geo.airports import airport
from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.geodesy import distance_azimuth, forward
from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.track.output import TrackBatch

CORRELATION = ("none", "correlated", "uncorrelated", "deviating")
"""Flight-plan correlation of a track, indexed by the codes :meth:`FlightPlanBook.correlate`
returns."""
NONE, CORRELATED, UNCORRELATED, DEVIATING = range(4)

ROUTE_STEP_M = 20_000.0
"""Spacing of the points a filed route is followed by, m."""


class CorrelationSettings(NumbersAsWritten):
    """How close to its filed plan a flight must be to correlate with it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    corridor_m: float = Field(
        20_000.0, gt=0.0, description="greatest distance across the route, m (assumed)"
    )
    time_tolerance_s: float = Field(
        1800.0,
        gt=0.0,
        description="greatest lead or lag on the plan's timing along the route, s (assumed)",
    )


@dataclass(frozen=True)
class _Route:
    """One filed plan in the local frame: the route's points and their planned times."""

    xy_m: np.ndarray  # (k, 2) east, north
    along_m: np.ndarray  # (k,) distance flown to each point
    off_block_s: float  # planned departure, s since the run's start
    speed_mps: float
    leg_m: np.ndarray = field(init=False)  # (k - 1, 2) from each point to the next
    leg2_m2: np.ndarray = field(init=False)  # (k - 1,) squared length of each leg

    def __post_init__(self) -> None:
        leg = self.xy_m[1:] - self.xy_m[:-1]
        object.__setattr__(self, "leg_m", leg)
        object.__setattr__(self, "leg2_m2", np.einsum("ij,ij->i", leg, leg))


class FlightPlanBook:
    """The filed plans of a deployment, by callsign, ready to correlate tracks with."""

    def __init__(self, settings: CorrelationSettings) -> None:
        """An empty book: every track with a callsign is uncorrelated."""
        self.settings = settings
        self._routes: dict[str, list[_Route]] = {}

    @classmethod
    def of(cls, deployment: Deployment, settings: CorrelationSettings) -> FlightPlanBook:
        """The book of ``deployment``'s filed plans, in its frame and time base."""
        book = cls(settings)
        for plan in deployment.flight_plans:
            route = _route(plan, deployment.frame, plan.off_block - deployment.start)
            book._routes.setdefault(plan.callsign, []).append(route)
        return book

    def correlate(self, tracks: TrackBatch, rows: np.ndarray | None = None) -> np.ndarray:
        """Correlation codes (indices into :data:`CORRELATION`) of ``tracks`` (or its ``rows``).

        Each track is compared at its own time (``time_s``, s since the run's start).
        """
        idx = np.arange(len(tracks)) if rows is None else np.asarray(rows, np.intp)
        codes = np.full(len(idx), NONE, np.int8)
        callsigns = tracks.callsign[idx]
        for k in np.flatnonzero(callsigns != ""):
            routes = self._routes.get(str(callsigns[k]).strip())
            if not routes:
                codes[k] = UNCORRELATED
                continue
            i = idx[k]
            point = np.array([tracks.x_m[i], tracks.y_m[i]])
            on_plan = any(self._fits(route, point, float(tracks.time_s[i])) for route in routes)
            codes[k] = CORRELATED if on_plan else DEVIATING
        return codes

    def _fits(self, route: _Route, point: np.ndarray, t_s: float) -> bool:
        across_m, along_m = _nearest_on(route, point)
        if across_m > self.settings.corridor_m:
            return False
        planned_t_s = route.off_block_s + along_m / route.speed_mps
        return abs(t_s - planned_t_s) <= self.settings.time_tolerance_s


def _route(plan: FiledPlan, frame: LocalFrame, off_block: timedelta) -> _Route:
    """The plan's route sampled every :data:`ROUTE_STEP_M` in ``frame``; ``off_block`` is
    its planned departure after the run's start."""
    dep, arr = airport(plan.departure), airport(plan.arrival)
    corners = [(dep.lat_deg, dep.lon_deg), *(p.point for p in plan.route)]
    corners.append((arr.lat_deg, arr.lon_deg))
    lat, lon = [corners[0][0]], [corners[0][1]]
    for (lat0, lon0), (lat1, lon1) in zip(corners[:-1], corners[1:], strict=True):
        length_m, azimuth = distance_azimuth(lat0, lon0, lat1, lon1)
        steps = max(int(np.ceil(float(length_m) / ROUTE_STEP_M)), 1)
        la, lo, _ = forward(lat0, lon0, azimuth, np.linspace(0.0, float(length_m), steps + 1)[1:])
        lat.extend(np.atleast_1d(la).tolist())
        lon.extend(np.atleast_1d(lo).tolist())
    xy = frame.geodetic_to_enu(np.array(lat), np.array(lon), np.zeros(len(lat)))[:, :2]
    legs = np.hypot(*np.diff(xy, axis=0).T)
    along_m = np.concatenate(([0.0], np.cumsum(legs)))
    return _Route(xy, along_m, off_block.total_seconds(), plan.speed_mps)


def _nearest_on(route: _Route, point: np.ndarray) -> tuple[float, float]:
    """Distance (m) from ``point`` to the route, and how far along the route its foot is (m)."""
    start, leg, length2 = route.xy_m[:-1], route.leg_m, route.leg2_m2
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.clip(np.einsum("ij,ij->i", point - start, leg) / length2, 0.0, 1.0)
    f = np.where(np.isnan(f), 0.0, f)  # a leg of no length
    foot = start + leg * f[:, None]
    across = np.hypot(*(point - foot).T)
    best = int(np.argmin(across))
    return float(across[best]), float(route.along_m[best] + f[best] * np.sqrt(length2[best]))
