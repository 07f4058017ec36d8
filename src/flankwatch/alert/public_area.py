"""The area of a public warning: the corridor of a track's predicted path, the
towns and villages in it, and the voivodeships it crosses, as CAP areas.

The corridor is the next ``path_horizon_s`` of the track's course,
``corridor_half_width_m`` either side, widened by the spread of the track's
motion model (a weaving missile's cone) up to ``corridor_max_half_width_m``.
The area is one CAP ``area`` per voivodeship on the path (``areaDesc`` naming
it and its places, geocodes ``ISO3166-2`` and ``TERYT``, the corridor's part in
it as polygon); a path that crosses none is described as the predicted path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from flankwatch.alert.base import AirPicture, Target
from flankwatch.alert.cap import CapArea, cap_polygon
from flankwatch.alert.predict import corridor_enu
from flankwatch.alert.public_text import Language, PlaceOnPath, UnitOnPath
from flankwatch.alert.ruleset import PublicRule
from flankwatch.geo.admin import AdminUnit, PopulatedPlaces, admin_unit, admin_unit_of
from flankwatch.geo.frames import LocalFrame

__all__ = ["Threat", "WarningArea"]


@dataclass(frozen=True)
class Threat:
    """What one track threatens now: targets (earliest first) and the path's places.

    ``row`` is the track's row in the picture; ``t_reach_s`` and ``t_places_s``
    are the times (s from now) it reaches each target and passes each place.
    """

    row: int
    targets: tuple[Target, ...]
    t_reach_s: tuple[float, ...]
    corridor: Polygon
    places: PopulatedPlaces | None
    t_places_s: np.ndarray

    @property
    def t_first_s(self) -> float:
        times = list(self.t_reach_s)
        if self.places is not None and len(self.places):
            times.append(float(np.min(self.t_places_s)))
        return min(times) if times else math.inf


class WarningArea:
    """The corridors, places and voivodeships of a run's public warnings.

    ``places`` are the towns and villages warned for (``None``: only the
    targets); those under the rule's ``min_population`` are left out, and all
    of them when the rule's ``places`` is off.
    """

    def __init__(self, rule: PublicRule, frame: LocalFrame, places: PopulatedPlaces | None) -> None:
        self.rule = rule
        self.frame = frame
        self.places = None
        if places is not None and rule.places:
            self.places = places.select(places.population >= rule.min_population)
        self._places_enu = (
            frame.geodetic_to_enu(
                self.places.lat_deg, self.places.lon_deg, np.zeros(len(self.places))
            )[:, :2]
            if self.places is not None
            else np.zeros((0, 2))
        )

    # -- the corridor and its places ------------------------------------------

    def half_width_m(self, picture: AirPicture, i: int) -> float:
        """The corridor's half width: the set width widened by the motion model's spread
        (1 sigma, m) at the far end of the path, times ``corridor_spread_sigmas``."""
        horizon_s = self.rule.path_horizon_s
        var_m2 = 0.0
        if picture.position_cov_m2 is not None:
            var_m2 += float(np.trace(picture.position_cov_m2[i])) / 2.0
        if picture.velocity_var_m2ps2 is not None:
            var_m2 += horizon_s**2 * float(np.sum(picture.velocity_var_m2ps2[i])) / 2.0
        if picture.manoeuvre_prob is not None:
            speed_mps = float(np.hypot(*picture.velocity_mps[i, :2]))
            spread = math.sin(math.radians(self.rule.manoeuvre_heading_sigma_deg))
            var_m2 += float(picture.manoeuvre_prob[i]) * (speed_mps * horizon_s * spread) ** 2
        width_m = self.rule.corridor_half_width_m
        width_m += self.rule.corridor_spread_sigmas * math.sqrt(max(var_m2, 0.0))
        return min(
            width_m, max(self.rule.corridor_max_half_width_m, self.rule.corridor_half_width_m)
        )

    def corridor(self, picture: AirPicture, i: int) -> Polygon:
        """The corridor of the predicted path of the picture's row ``i``, in lon/lat."""
        ring = corridor_enu(
            picture.position_m[i],
            picture.velocity_mps[i],
            self.rule.path_horizon_s,
            self.half_width_m(picture, i),
        )
        lat, lon, _ = self.frame.enu_to_geodetic(np.column_stack((ring, np.zeros(len(ring)))))
        return Polygon(np.column_stack((lon, lat)))

    def places_on_path(
        self, picture: AirPicture, i: int, corridor: Polygon
    ) -> tuple[PopulatedPlaces | None, np.ndarray]:
        """The places in the corridor and when (s from now) row ``i`` passes each."""
        if self.places is None:
            return None, np.zeros(0)
        mask = np.asarray(
            shapely.contains_xy(corridor, self.places.lon_deg, self.places.lat_deg), bool
        )
        on_path = self.places.select(mask)
        rel = self._places_enu[mask] - picture.position_m[i, :2]
        velocity = picture.velocity_mps[i, :2]
        speed_sq = float(velocity @ velocity)
        t_s = rel @ velocity / speed_sq if speed_sq > 1e-12 else np.zeros(len(rel))
        return on_path, np.clip(t_s, 0.0, None)

    def nearest_place(self, lat_deg: float, lon_deg: float) -> str:
        """The name of the warned place nearest a point, if one is within about 0.1 deg."""
        if self.places is None or len(self.places) == 0:
            return ""
        scale = math.cos(math.radians(lat_deg))
        d2 = (self.places.lat_deg - lat_deg) ** 2 + ((self.places.lon_deg - lon_deg) * scale) ** 2
        j = int(np.argmin(d2))
        return str(self.places.name[j]) if d2[j] <= 0.1**2 else ""

    # -- voivodeships and CAP areas ---------------------------------------------

    def units(self, threat: Threat) -> list[AdminUnit]:
        """The voivodeships on the path: those of its places (as the gazetteer has them)
        and of its targets."""
        found: dict[str, AdminUnit] = {}
        if threat.places is not None:
            for code in sorted(set(threat.places.admin1_code.tolist())):
                if code:
                    found.setdefault(code, admin_unit(code))
        for target in threat.targets:
            unit = admin_unit_of(target.lat_deg, target.lon_deg)
            if unit is not None:
                found.setdefault(unit.code, unit)
        return sorted(found.values(), key=lambda u: u.code)

    def units_on_path(self, threat: Threat, now: datetime) -> list[tuple[AdminUnit, UnitOnPath]]:
        """Each voivodeship on the path with the places it names (the largest, in the
        order they are passed) and how many more there are."""
        result = []
        for unit in self.units(threat):
            named: list[PlaceOnPath] = []
            more = 0
            if threat.places is not None:
                order = np.flatnonzero(threat.places.admin1_code == unit.code)
                order = order[np.argsort(threat.t_places_s[order], kind="stable")]
                by_size = order[np.argsort(-threat.places.population[order], kind="stable")]
                keep = set(by_size[: self.rule.max_places_named].tolist())
                named = [
                    PlaceOnPath(
                        str(threat.places.name[j]),
                        int(threat.places.population[j]),
                        now + timedelta(seconds=float(threat.t_places_s[j])),
                    )
                    for j in order
                    if j in keep
                ]
                more = len(order) - len(named)
            result.append(
                (unit, UnitOnPath(unit.code, unit.name, unit.name_pl, tuple(named), more))
            )
        return result

    def areas(
        self, threat: Threat, units: list[tuple[AdminUnit, UnitOnPath]], language: Language
    ) -> tuple[CapArea, ...]:
        """The CAP areas of a warning in one language: see the module docstring."""
        areas = []
        for unit, on_path in units:
            part = threat.corridor.intersection(unit.polygon)
            shape: BaseGeometry = part if not part.is_empty else unit.polygon
            polygons = tuple(_cap_polygons(shape))
            areas.append(
                CapArea(
                    on_path.area_description(language),
                    polygons,
                    (("ISO3166-2", unit.code), ("TERYT", unit.teryt)),
                )
            )
        if not areas:
            lon, lat = threat.corridor.exterior.coords.xy
            words = "Przewidywana trasa obiektu" if language == "pl-PL" else "Predicted path"
            areas.append(CapArea(words, (cap_polygon(lat, lon),)))
        return tuple(areas)


def _cap_polygons(shape: BaseGeometry) -> list[str]:
    """The outer rings of a (multi)polygon in lon/lat as CAP polygons, slightly simplified."""
    polygons = []
    for part in getattr(shape, "geoms", [shape]):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        ring = part.simplify(0.002, preserve_topology=True).exterior
        lon, lat = ring.coords.xy
        if len(lon) >= 4:
            polygons.append(cap_polygon(lat, lon))
    return polygons
