"""Sensors of a scenario and where they are: fixed, on an orbit, or a line of nodes.

A sensor's placement is a tagged union (:data:`Placement`); a file writes it by one of
the keys ``at``, ``orbit`` or ``line``, and :func:`file_location` turns a validation
error's location back into the file's keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, model_validator

from flankwatch.scenario.catalogue import AcousticType, AdsbType, RadarType
from flankwatch.scenario.fields import Name, Place, StrictModel, When
from flankwatch.scenario.limits import MAX_SENSOR_ROWS
from flankwatch.yamlfile import Location as FieldPath

if TYPE_CHECKING:
    from flankwatch.scenario.model import Scenario


class FixedPlacement(StrictModel):
    """A sensor at a fixed point (written ``at: <location>``)."""

    kind: Literal["fixed"] = "fixed"
    at: Place

    def anchor_points(self) -> list[tuple[float, float]]:
        """The (lat_deg, lon_deg) points the run's default frame origin is averaged from."""
        return [self.at.point]


class OrbitPlacement(StrictModel):
    """An airborne sensor flying a circular orbit (written ``orbit: {center, ...}``)."""

    kind: Literal["orbit"] = "orbit"
    center: Place
    radius_m: float = Field(ge=1_000.0, le=500_000.0)
    alt_m: float = Field(gt=0.0, le=20_000.0)
    speed_mps: float = Field(gt=0.0, le=400.0)

    def anchor_points(self) -> list[tuple[float, float]]:
        """The orbit's centre, (lat_deg, lon_deg)."""
        return [self.center.point]


class LinePlacement(StrictModel):
    """Many sensors of one type evenly spaced on a line, ends included (a picket of
    acoustic nodes; written ``line: {start, end, count}``)."""

    kind: Literal["line"] = "line"
    start: Place
    end: Place
    count: int = Field(ge=2, le=MAX_SENSOR_ROWS)

    @model_validator(mode="after")
    def _two_ends(self) -> LinePlacement:
        if self.start.point == self.end.point:
            raise ValueError("a line needs two different ends")
        return self

    def anchor_points(self) -> list[tuple[float, float]]:
        """The line's two ends, (lat_deg, lon_deg) each."""
        return [self.start.point, self.end.point]


Placement = Annotated[FixedPlacement | OrbitPlacement | LinePlacement, Field(discriminator="kind")]
"""Where a sensor is: fixed, on an orbit, or a line of nodes."""

PLACEMENT_KEYS = {"at": "fixed", "orbit": "orbit", "line": "line"}
"""The key a scenario file writes for each kind of placement."""


class Sensor(StrictModel):
    """A sensor instance: its type from the catalogue, where it is, and overrides.

    A file gives the placement by one of the keys ``at``, ``orbit`` or ``line``;
    it is validated into :attr:`placement`, a :data:`Placement` tagged by kind.
    ``active_from`` and ``active_until`` bound when it observes (an airborne sensor
    arriving on station and leaving it); outside them it makes no plots.
    """

    name: Name
    type: str = Field(description="a key of the sensor catalogue")
    placement: Placement
    height_m: float | None = Field(
        None, ge=0.0, le=30_000.0, description="antenna height above ground: mast or tether"
    )
    scan_period_s: float | None = Field(None, gt=0.0)
    range_m: float | None = Field(None, gt=0.0)
    false_alarms_per_scan: float | None = Field(None, ge=0.0)
    active_from: When | None = Field(
        None, description="on watch from: seconds after the start or a UTC time; default the start"
    )
    active_until: When | None = Field(
        None, description="on watch until: seconds after the start or a UTC time; default the end"
    )

    @model_validator(mode="before")
    @classmethod
    def _placement_from_its_key(cls, data: Any) -> Any:
        """Move ``at``/``orbit``/``line`` into ``placement``, tagged with its kind."""
        if not isinstance(data, dict):
            return data
        given = [key for key in PLACEMENT_KEYS if key in data]
        if "placement" in data and not given:
            return data
        if len(given) != 1 or "placement" in data:
            raise ValueError(f"give exactly one of at, orbit or line (got {given or 'none'})")
        (key,) = given
        data = dict(data)
        value = data.pop(key)
        if key == "at":
            data["placement"] = {"kind": "fixed", "at": value}
        elif isinstance(value, dict):
            data["placement"] = {**value, "kind": PLACEMENT_KEYS[key]}
        else:
            raise ValueError(f"{key} must be a mapping, not {type(value).__name__}")
        return data


def file_location(loc: FieldPath) -> FieldPath:
    """A validation error's location written as the file's keys: a placement's
    ``("placement", "orbit", "radius_m")`` is the file's ``("orbit", "radius_m")``."""
    for i, part in enumerate(loc[:-1]):
        if part == "placement" and loc[i + 1] in ("fixed", "orbit", "line"):
            key = () if loc[i + 1] == "fixed" else (loc[i + 1],)
            return (*loc[:i], *key, *loc[i + 2 :])
    return loc


SENSOR_OVERRIDES = ("scan_period_s", "range_m", "false_alarms_per_scan")
"""The fields of a sensor that override its catalogue type."""


def overridden_type(
    spec: RadarType | AdsbType | AcousticType, sensor: Sensor
) -> RadarType | AdsbType | AcousticType:
    """The catalogue type with the sensor's own scan period, range and false-alarm rate,
    validated as a type (raises :class:`pydantic.ValidationError` if that breaks a bound)."""
    changes = {
        name: value for name in SENSOR_OVERRIDES if (value := getattr(sensor, name)) is not None
    }
    if not changes:
        return spec
    return type(spec).model_validate({**spec.model_dump(), **changes})


def sensor_rows(sensor: Sensor) -> int:
    """How many sensors an entry stands for: the nodes of a line, else one."""
    return sensor.placement.count if isinstance(sensor.placement, LinePlacement) else 1


def frame_anchor_points(scenario: Scenario) -> list[tuple[float, float]]:
    """The (lat_deg, lon_deg) points whose mean is the run's default frame origin."""
    return [point for sensor in scenario.sensors for point in sensor.placement.anchor_points()]
