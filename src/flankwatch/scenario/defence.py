"""A scenario's ``defence:`` section: the effector units, the rules on where not to
engage, the engagement zone, the default policy and catalogue additions.

Written in a scenario (and carried unchanged by its deployment)::

    defence:
      policy: fighters-only            # default policy (a built-in name)
      units:
        - {name: lask-qra, type: f16-qra, at: [51.55, 19.18], count: 2}
        - {name: patriot, type: patriot-pac3, at: rzeszow, count: 2,
           active_from: 2025-09-09T22:00:00+00:00}
      no_engagement:
        places_min_population: 5000    # every town of at least 5,000 inhabitants...
        place_radius_m: 3000           # ...is a circle of this radius
        areas:
          - {name: Wyryki-Wola, at: wyryki-wola, radius_m: 1500}
          - {name: reservoir, polygon: [[21.0, 52.5], [21.1, 52.5], [21.1, 52.6]]}
        debris_margin_m: 1000          # every area grown by 1 km for where debris may fall
        debris_sigmas: 2               # and each shot's by 2 sigma of its target at impact
      engage_threats_only: true        # only tracks threatening a defended asset
      max_track_age_s: 20              # fire only at a track a plot updated this recently
      operator_approval: false         # true: no shot before an operator approves it
      engagement_zone: [[22.0, 50.0], [24.5, 50.0], [24.5, 54.0], [22.0, 54.0]]
      catalogue: {weapons: {}, effectors: {}}

Places are written as in the rest of a scenario (a gazetteer name, ``[lat, lon]``
or ``{lat, lon}``); polygons as ``[lon, lat]`` vertices like the airspace.
Times are seconds after the start or UTC times with an offset.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from pydantic import Field, PlainSerializer, field_validator, model_validator

from flankwatch.respond.catalogue import EffectorCatalogue, builtin_catalogue
from flankwatch.respond.policy import PolicyError, builtin_policy_names, load_policy
from flankwatch.scenario.fields import Name, Place, StrictModel, When
from flankwatch.scenario.limits import MAX_TIME_OFFSET_S
from flankwatch.yamlfile import Location as FieldPath

MAX_UNIT_COUNT = 1_000
"""Most aircraft or launchers of one unit."""
MAX_AREA_RADIUS_M = 200_000.0
"""Largest radius of a circular no-engagement area, m."""
MAX_POLYGON_VERTICES = 10_000
"""Most vertices of one polygon."""


def _when_json(when: float | datetime) -> float | str:
    return when.isoformat() if isinstance(when, datetime) else when


AlertTime = Annotated[When, PlainSerializer(_when_json, when_used="json")]
"""A :data:`~flankwatch.scenario.fields.When` that writes itself to JSON and YAML as a
number or an ISO 8601 time."""

LonLatPolygon = list[tuple[float, float]]
"""A polygon as [lon, lat] vertices in degrees (closed implicitly)."""


def _check_polygon(polygon: LonLatPolygon) -> LonLatPolygon:
    if not 3 <= len(polygon) <= MAX_POLYGON_VERTICES:
        raise ValueError(f"a polygon needs 3 to {MAX_POLYGON_VERTICES} [lon, lat] vertices")
    for lon, lat in polygon:
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            raise ValueError(f"vertex [{lon}, {lat}] is not a [lon, lat] pair in degrees")
    return polygon


class DefenceUnit(StrictModel):
    """An effector unit: ``count`` aircraft (or launchers, guns, teams) of one type at a base."""

    name: Name
    type: str = Field(description="a key of the effector catalogue")
    at: Place = Field(description="the base, battery or team position")
    count: int = Field(1, ge=1, le=MAX_UNIT_COUNT, description="aircraft or launchers")
    active_from: AlertTime | None = Field(
        None, description="on alert from this time (default: start)"
    )
    active_until: AlertTime | None = Field(
        None, description="stood down at this time (default: never)"
    )

    def active_window_s(self, start: datetime) -> tuple[float, float]:
        """When the unit is on alert, s after ``start`` (-inf and inf where not bounded)."""
        return (
            _seconds(self.active_from, start, float("-inf")),
            _seconds(self.active_until, start, float("inf")),
        )


def _seconds(when: float | datetime | None, start: datetime, default: float) -> float:
    if when is None:
        return default
    if isinstance(when, datetime):
        return (when - start).total_seconds()
    return float(when)


class NoEngagementArea(StrictModel):
    """A named area where debris must not fall: a circle (``at`` and ``radius_m``) or a
    ``polygon`` of [lon, lat] vertices."""

    name: Name
    at: Place | None = None
    radius_m: float | None = Field(None, gt=0.0, le=MAX_AREA_RADIUS_M)
    polygon: LonLatPolygon | None = None

    @field_validator("polygon")
    @classmethod
    def _polygon(cls, value: LonLatPolygon | None) -> LonLatPolygon | None:
        return None if value is None else _check_polygon(value)

    @model_validator(mode="after")
    def _one_shape(self) -> NoEngagementArea:
        circle = self.at is not None or self.radius_m is not None
        if circle == (self.polygon is not None):
            raise ValueError("give either at and radius_m (a circle) or a polygon")
        if circle and (self.at is None or self.radius_m is None):
            raise ValueError("a circular area needs both at and radius_m")
        return self


class NoEngagement(StrictModel):
    """Where debris must not fall: towns from the gazetteer of populated places, and
    named areas."""

    places_min_population: int | None = Field(
        None, ge=0, description="every populated place this big is an area (None: none)"
    )
    place_radius_m: float = Field(
        2_000.0, gt=0.0, le=MAX_AREA_RADIUS_M, description="radius of such a place's area, m"
    )
    areas: list[NoEngagementArea] = Field(default_factory=list)
    debris_margin_m: float = Field(
        0.0,
        ge=0.0,
        le=MAX_AREA_RADIUS_M,
        description="every area grown by this much for the uncertainty of where debris falls, m",
    )
    debris_sigmas: float = Field(
        0.0,
        ge=0.0,
        le=10.0,
        description="each shot's areas grown further by this many standard deviations of where "
        "its target will be at impact (its track's position and velocity uncertainty over "
        "the weapon's time of flight); 0: not at all",
    )


class Defence(StrictModel):
    """The defence of a scenario or deployment: units, rules on areas, zone and policy."""

    units: list[DefenceUnit] = Field(default_factory=list)
    no_engagement: NoEngagement = Field(default_factory=NoEngagement)
    engagement_zone: LonLatPolygon | None = Field(
        None, description="[lon, lat] polygon where engaging is allowed (default: the airspace)"
    )
    max_track_age_s: float | None = Field(
        20.0,
        gt=0.0,
        le=3_600.0,
        description="fire only at a track a plot updated at most this long ago, s: a track "
        "coasting longer is a guess the weapon's own fire control may not find (20 s: two "
        "scans of the slowest surveillance radars); null: any age",
    )
    engage_threats_only: bool = Field(
        False,
        description="engage only hostile tracks that threaten a defended asset (listed in "
        "the threat ranking); other hostile tracks are watched, not engaged",
    )
    operator_approval: bool = Field(
        False,
        description="every engagement waits for an operator's approval of its track "
        "(operators decide through `flankwatch serve --run`)",
    )
    policy: str = Field("fighters-only", min_length=1, description="default policy name")
    catalogue: EffectorCatalogue = Field(
        default_factory=EffectorCatalogue, description="types added to the effector catalogue"
    )

    @field_validator("engagement_zone")
    @classmethod
    def _zone(cls, value: LonLatPolygon | None) -> LonLatPolygon | None:
        return None if value is None else _check_polygon(value)


def defence_faults(defence: Defence, start: datetime) -> list[tuple[FieldPath, str]]:
    """Faults across the fields of a defence, with paths from the scenario's top.

    Units must have unique names and a type of the catalogue (the built-in one with
    the section's additions, whose loadouts must name known weapons); a unit's alert
    must end after it begins, within 30 days of ``start``; the policy must be a
    built-in one whose effectors the catalogue knows.
    """
    top: FieldPath = ("defence",)
    catalogue = builtin_catalogue().merged(defence.catalogue)
    faults: list[tuple[FieldPath, str]] = [
        ((*top, "catalogue", *where), message) for where, message in catalogue.faults()
    ]
    seen: set[str] = set()
    for i, unit in enumerate(defence.units):
        where = (*top, "units", i)
        if unit.name in seen:
            faults.append(((*where, "name"), f"the name {unit.name!r} is used twice"))
        seen.add(unit.name)
        if unit.type not in catalogue.effectors:
            faults.append(
                (
                    (*where, "type"),
                    f"unknown type {unit.type!r}; known: {sorted(catalogue.effectors)}",
                )
            )
        begin, end = unit.active_window_s(start)
        for field, value in (("active_from", begin), ("active_until", end)):
            if math.isfinite(value) and abs(value) > MAX_TIME_OFFSET_S:
                faults.append(
                    (
                        (*where, field),
                        f"more than {MAX_TIME_OFFSET_S / 86_400:.0f} days from the start",
                    )
                )
        if end <= begin:
            faults.append(((*where, "active_until"), "a unit's alert must end after it begins"))
    if defence.policy not in builtin_policy_names():
        faults.append(
            (
                (*top, "policy"),
                f"unknown policy {defence.policy!r}; known: {builtin_policy_names()}",
            )
        )
    elif not any(where[:2] == (*top, "catalogue") for where, _ in faults):
        try:
            load_policy(defence.policy, catalogue)
        except PolicyError as error:
            faults.extend(
                ((*top, "policy"), f"policy {defence.policy!r}: {problem}")
                for problem in error.problems
            )
    return faults
