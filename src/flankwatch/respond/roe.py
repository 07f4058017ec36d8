"""Rules of engagement as data: whom, where, and where the debris must not fall.

A shot at a track is allowed only if

1. the track is declared hostile (the assessment's ``identity``: a declaration
   by an authority, not a sensor rule);
2. the track is inside the engagement zone: the deployment's
   ``defence.engagement_zone`` if given, else the national airspace (the
   assessment's ``inside``);
3. the track is fresh: a plot updated it at most ``max_track_age_s`` before the shot
   (a track coasting longer is a guess: the weapon's fire-control radar or seeker,
   cued on it, may find nothing there);
4. the expected debris does not fall in a no-engagement area: the towns of the
   gazetteer of populated places of at least ``places_min_population``
   inhabitants (circles of ``place_radius_m``) and the named ``areas``, each
   grown by ``debris_margin_m`` (where debris falls is uncertain: the kill point,
   the wreck's tumble, the track's error) and, for each shot, by ``debris_sigmas``
   standard deviations of where its target will be at impact (given by the caller:
   the track's uncertainty over the weapon's time of flight; 0 by default).

The first rule broken gives the reason, ``not declared hostile``, ``outside the
engagement zone``, ``track not updated within <N> s`` or ``debris would fall on <area
name>``, and the rule's short key (one of ``RULES``). Areas and the zone are projected
once into the run's local frame (ground x, y, m).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree
from shapely.geometry import Polygon

from flankwatch.assess.area import ProjectedArea, project_points
from flankwatch.deployment import Deployment
from flankwatch.geo.admin import populated_places
from flankwatch.geo.frames import LocalFrame
from flankwatch.scenario.defence import Defence

HOSTILE = "hostile"
"""The declared identity that may be engaged."""
NOT_HOSTILE = "not declared hostile"
OUTSIDE_ZONE = "outside the engagement zone"
AWAITING_APPROVAL = "awaiting an operator's approval"
"""Why a shot the rules allow is withheld when the defence asks for approval."""


class Holding(NamedTuple):
    """Why a shot is withheld: the rule that holds it, as a short key (one of ``RULES``),
    and the reason in words."""

    rule: str
    reason: str


RULES = ("not-hostile", "outside-zone", "stale-track", "debris", "miss-debris", "approval")
"""The rules a shot may be withheld by: not declared hostile, outside the engagement zone,
no plot on its track lately, the target's debris or the weapon's (had it missed) on a
no-engagement area, and awaiting an operator's approval."""


def stale_reason(max_age_s: float) -> str:
    """The reason a shot is withheld because its track is older than ``max_age_s`` (s)."""
    return f"track not updated within {max_age_s:g} s"


def debris_reason(area: str) -> str:
    """The reason a shot is withheld because its debris would fall on ``area``."""
    return f"debris would fall on {area}"


def miss_debris_reason(area: str) -> str:
    """The reason a shot is withheld because the weapon's debris would fall on ``area`` if
    it missed."""
    return debris_reason(area) + " if the shot missed"


class Circles:
    """Circular areas on the ground: centres x, y (m), radii (m) and names, in order."""

    def __init__(
        self,
        x_m: NDArray[np.float64],
        y_m: NDArray[np.float64],
        radius_m: NDArray[np.float64],
        name: NDArray[np.str_],
    ) -> None:
        self.x_m, self.y_m, self.radius_m, self.name = x_m, y_m, radius_m, name
        self._tree = cKDTree(np.column_stack((x_m, y_m)))

    def __len__(self) -> int:
        return len(self.name)

    def first_at(
        self,
        x_m: NDArray[np.float64],
        y_m: NDArray[np.float64],
        extra_m: NDArray[np.float64] | None = None,
    ) -> NDArray[np.str_]:
        """The name of the first circle (in order) holding each point, every circle grown
        by the point's ``extra_m`` (m; none by default); "" for none."""
        out = np.full(x_m.shape, "", dtype=object)
        if not len(self) or not len(x_m):
            return out
        points = np.column_stack((x_m, y_m))
        extra = np.zeros(len(points)) if extra_m is None else np.asarray(extra_m, float)
        finite = np.all(np.isfinite(points), axis=1)
        largest = float(self.radius_m.max())
        for i in np.flatnonzero(finite):
            reach = largest + extra[i]
            near = np.asarray(self._tree.query_ball_point(points[i], reach), dtype=np.int64)
            if not len(near):
                continue
            near.sort()
            d2 = (self.x_m[near] - x_m[i]) ** 2 + (self.y_m[near] - y_m[i]) ** 2
            inside = near[d2 <= (self.radius_m[near] + extra[i]) ** 2]
            if len(inside):
                out[i] = self.name[inside[0]]
        return out


class RulesOfEngagement:
    """Whether shots at tracks are allowed, and which no-engagement area a point lies in.

    ``zone`` is None when the engagement zone is the national airspace (then the
    assessment's ``inside`` decides). Named areas are checked before towns.
    """

    def __init__(
        self,
        circles: Circles,
        polygons: list[ProjectedArea],
        zone: ProjectedArea | None = None,
        debris_sigmas: float = 0.0,
        max_track_age_s: float | None = None,
    ) -> None:
        self.circles = circles
        self.polygons = polygons
        self.zone = zone
        self.debris_sigmas = debris_sigmas
        self.max_track_age_s = max_track_age_s
        """Oldest last plot of a track that may be fired at, s (None: any)."""

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> RulesOfEngagement:
        """The rules of a deployment's ``defence`` (none: only hostility and the airspace).

        Raises ValueError naming the fault if the populated places of the deployment's
        country are not known or an area is no polygon near the frame.
        """
        return cls.from_defence(
            deployment.defence or Defence(), deployment.frame, deployment.country or "POL"
        )

    @classmethod
    def from_defence(cls, defence: Defence, frame: LocalFrame, country: str) -> RulesOfEngagement:
        """The rules of ``defence`` in ``frame``; towns are those of ``country``."""
        rules = defence.no_engagement
        named = [a for a in rules.areas if a.at is not None and a.radius_m is not None]
        lat = [a.at.lat for a in named if a.at is not None]
        lon = [a.at.lon for a in named if a.at is not None]
        margin = rules.debris_margin_m
        radius = [float(a.radius_m) + margin for a in named if a.radius_m is not None]
        names = [a.name for a in named]
        if rules.places_min_population is not None:
            towns = populated_places(country)
            big = towns.select(towns.population >= rules.places_min_population)
            lat += big.lat_deg.tolist()
            lon += big.lon_deg.tolist()
            radius += [rules.place_radius_m + margin] * len(big)
            names += big.name.tolist()
        xy = project_points(frame, np.column_stack((lon, lat))) if names else np.zeros((0, 2))
        circles = Circles(
            xy[:, 0].copy(), xy[:, 1].copy(), np.asarray(radius, float), np.asarray(names, str)
        )
        polygons = [
            ProjectedArea.from_lonlat(Polygon(a.polygon), frame, a.name)
            for a in rules.areas
            if a.polygon is not None
        ]
        if margin > 0.0:
            polygons = [ProjectedArea(p.polygon.buffer(margin), p.name) for p in polygons]
        zone = None
        if defence.engagement_zone is not None:
            zone = ProjectedArea.from_lonlat(
                Polygon(defence.engagement_zone), frame, "engagement zone"
            )
        return cls(circles, polygons, zone, rules.debris_sigmas, defence.max_track_age_s)

    def area_at(self, points_m: ArrayLike, extra_m: ArrayLike | None = None) -> NDArray[np.str_]:
        """The no-engagement area each ground point ``(n, 2)`` (x, y m) lies in ("" for
        none; NaN points lie in none), each area grown by the point's ``extra_m`` (n,) (m;
        none by default)."""
        points = np.atleast_2d(np.asarray(points_m, dtype=float)).reshape(-1, 2)
        x, y = points[:, 0], points[:, 1]
        extra = None if extra_m is None else np.asarray(extra_m, float).reshape(len(points))
        grown = extra is not None and bool(np.any(extra > 0.0))
        if grown:
            finite = np.isfinite(x) & np.isfinite(y)
            spots = shapely.points(np.where(finite, x, 0.0), np.where(finite, y, 0.0))
        out = np.full(len(points), "", dtype=object)
        for area in self.polygons:
            if grown:
                hit = finite & np.asarray(shapely.dwithin(area.polygon, spots, extra), bool)
            else:
                hit = np.asarray(shapely.contains_xy(area.polygon, x, y), bool)
            out[(out == "") & hit] = area.name
        free = out == ""
        if free.any():
            out[free] = self.circles.first_at(
                x[free], y[free], None if extra is None else extra[free]
            )
        return out.astype(str)

    def check(
        self,
        identity: ArrayLike,
        inside: ArrayLike,
        positions_m: ArrayLike,
        debris_m: ArrayLike,
        impact_sigma_m: ArrayLike | None = None,
        track_age_s: ArrayLike | None = None,
    ) -> tuple[NDArray[np.bool_], NDArray[np.str_], NDArray[np.str_]]:
        """Whether shots at n tracks are allowed, why not and by which of ``RULES`` ("" where
        allowed).

        ``identity`` (n,) declared identities, ``inside`` (n,) inside the national
        airspace, ``positions_m`` (n, 2 or 3) the tracks' ground x, y (m),
        ``debris_m`` (n, 2) the expected debris ground points (m), ``impact_sigma_m``
        (n,) the standard deviation of where each target will be at impact (m; the areas
        grow by ``debris_sigmas`` of it, unless it is not given), ``track_age_s`` (n,)
        the time since each track's last plot (s; not checked unless given).
        """
        ident = np.asarray(identity, dtype=str).reshape(-1)
        n = len(ident)
        if self.zone is None:
            in_zone = np.asarray(inside, dtype=bool).reshape(-1)
        else:
            xy = np.asarray(positions_m, dtype=float).reshape(n, -1)
            in_zone = self.zone.contains(xy[:, 0], xy[:, 1])
        reasons = np.full(n, "", dtype=object)
        rules = np.full(n, "", dtype=object)

        def hold(rows: NDArray[np.bool_] | NDArray[np.intp], rule: str, reason: object) -> None:
            reasons[rows], rules[rows] = reason, rule

        if track_age_s is not None and self.max_track_age_s is not None:
            age = np.asarray(track_age_s, dtype=float).reshape(n)
            hold(~(age <= self.max_track_age_s), "stale-track", stale_reason(self.max_track_age_s))
        hold(~in_zone, "outside-zone", OUTSIDE_ZONE)
        hold(ident != HOSTILE, "not-hostile", NOT_HOSTILE)
        open_ = reasons == ""
        if open_.any():
            extra = None
            if impact_sigma_m is not None and self.debris_sigmas > 0.0:
                sigma = np.asarray(impact_sigma_m, dtype=float).reshape(n)[open_]
                extra = self.debris_sigmas * np.nan_to_num(sigma, nan=0.0, posinf=0.0)
            areas = self.area_at(np.asarray(debris_m, dtype=float).reshape(n, 2)[open_], extra)
            hit = areas != ""
            hold(np.flatnonzero(open_)[hit], "debris", [debris_reason(a) for a in areas[hit]])
        return reasons == "", reasons.astype(str), rules.astype(str)
