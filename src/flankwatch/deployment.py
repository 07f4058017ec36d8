"""What is defended: the deployment a run's stages work for.

A :class:`Deployment` holds the local frame of the run (its origin), the time
base (the UTC time of ``t_s = 0``), the watched airspace and the countries
whose borders name its crossings, the airports and the defended assets. The
assessment, alert (and response) stages take a deployment, never a scenario,
so the same stages serve a simulated scenario, a replayed recording and a live
feed that has no scenario at all.

A deployment is built from a scenario (:meth:`Deployment.from_scenario`) or
read from a small YAML file of its own (:func:`load_deployment`)::

    name: polish-border
    start: 2025-09-09T21:30:00+00:00      # the time base: t_s = 0
    origin: {lat: 52.0, lon: 21.0}        # the local ENU frame's origin (alt_m optional)
    airspace: POL                         # a country code, or [[lon, lat], ...]
    airports: [EPWA, EPMO]
    assets:
      - {name: Warsaw, kind: city, at: warsaw, radius_m: 15000, value: 5}
    flight_plans:                         # filed plans of civil flights (optional)
      - {callsign: LOT3921, departure: EPKK, arrival: EPWA,
         off_block: 2025-09-10T03:30:00+00:00, speed_mps: 200}

Every recording carries its run's deployment as ``deployment.yaml``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import yaml
from pydantic import (
    AwareDatetime,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)
from shapely.geometry import Polygon

from flankwatch.assess.area import clip_fault
from flankwatch.geo.borders import UnknownCountryError, country
from flankwatch.geo.frames import LocalFrame
from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.scenario.catalogue import MAX_SPEED_MPS, threat_types
from flankwatch.scenario.defence import Defence
from flankwatch.scenario.limits import WATCHED_AIRSPACE
from flankwatch.scenario.schema import (
    MAX_ORIGIN_LAT_DEG,
    Asset,
    IcaoCode,
    Place,
    Scenario,
    civil_callsign,
    civil_object_ids,
    frame_anchor_points,
)
from flankwatch.yamlfile import YamlFileError, read_text, validate_yaml


class DeploymentError(YamlFileError):
    """A deployment file that cannot be read or is not a valid deployment."""

    what = "deployment"


class Origin(NumbersAsWritten):
    """The origin of the run's local east-north-up frame."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    lat: float = Field(ge=-MAX_ORIGIN_LAT_DEG, le=MAX_ORIGIN_LAT_DEG, description="degrees north")
    lon: float = Field(ge=-180.0, le=180.0, description="degrees east")
    alt_m: float = Field(0.0, ge=-500.0, le=20_000.0, description="m above the ellipsoid")


class FiledPlan(NumbersAsWritten):
    """A civil flight's filed flight plan: who, from where to where, when and how fast.

    The route runs from the departure aerodrome through ``route`` (optional points)
    to the arrival aerodrome, flown at ``speed_mps`` from ``off_block``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    callsign: str = Field(pattern=r"^[A-Z0-9]{2,8}$")
    departure: IcaoCode
    arrival: IcaoCode
    off_block: AwareDatetime = Field(description="planned departure time, UTC")
    speed_mps: float = Field(gt=0.0, le=MAX_SPEED_MPS, description="planned ground speed, m/s")
    route: list[Place] = Field(default_factory=list, description="points between the airports")


class Deployment(NumbersAsWritten):
    """The frame, time base, airspace, airports and assets a run defends."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(min_length=1, description="names the run's alerts and messages")
    start: AwareDatetime = Field(description="UTC time of t_s = 0")
    origin: Origin
    airspace: str | list[tuple[float, float]] = Field(
        "POL", description="the watched airspace: a country code or a [lon, lat] polygon"
    )
    neighbours: list[str] | None = Field(
        None, description="countries whose borders name crossings (default: the code's own)"
    )
    airports: list[IcaoCode] = Field(default_factory=list)
    assets: list[Asset] = Field(default_factory=list)
    flight_plans: list[FiledPlan] = Field(
        default_factory=list, description="filed plans of the civil flights expected"
    )
    defence: Defence | None = Field(None, description="effector units, rules and policy")

    _frame: LocalFrame = PrivateAttr()

    def model_post_init(self, context: object, /) -> None:
        """Build the local frame once."""
        self._frame = LocalFrame(self.origin.lat, self.origin.lon, self.origin.alt_m)

    @field_validator("airspace")
    @classmethod
    def _polygon_or_code(
        cls, value: str | list[tuple[float, float]]
    ) -> str | list[tuple[float, float]]:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError("an airspace code must not be empty")
            return value.upper()
        if len(value) < 3:
            raise ValueError("an airspace polygon needs at least 3 [lon, lat] points")
        return value

    @model_validator(mode="after")
    def _airspace_near_origin(self) -> Deployment:
        """The watched airspace must lie wholly near the frame's origin (see
        :func:`~flankwatch.assess.area.clip_fault`)."""
        if isinstance(self.airspace, str):
            try:
                area = country(self.airspace)
            except UnknownCountryError as error:
                raise ValueError(f"airspace: {error}") from None
        else:
            area = Polygon(self.airspace)
        fault = clip_fault(area, self.origin.lat, self.origin.lon)
        if fault is not None:
            name = self.airspace if isinstance(self.airspace, str) else "polygon"
            raise ValueError(f"airspace: the watched airspace {name} {fault}")
        return self

    @property
    def frame(self) -> LocalFrame:
        """The run's local ENU frame."""
        return self._frame

    @property
    def country(self) -> str | None:
        """The watched country's code, or ``None`` when the airspace is a polygon."""
        return self.airspace if isinstance(self.airspace, str) else None

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Deployment:
        """The deployment a scenario declares: its origin (or the mean sensor position),
        start, airports, assets and its civil flights' filed plans; the watched airspace
        is :data:`~flankwatch.scenario.limits.WATCHED_AIRSPACE` (Poland's)."""
        return cls(
            name=scenario.name,
            start=scenario.start,
            origin=scenario_origin(scenario),
            airspace=WATCHED_AIRSPACE,
            airports=list(scenario.airports),
            assets=list(scenario.assets),
            flight_plans=filed_plans(scenario),
            defence=scenario.defence,
        )

    def to_yaml(self) -> str:
        """The deployment as a deployment file's text (read back by :func:`parse_deployment`)."""
        data = self.model_dump(mode="json", exclude_none=True)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def filed_plans(scenario: Scenario) -> list[FiledPlan]:
    """The plans a scenario's civil flights file: each flight's callsign and scheduled
    departure (without its jitter, which is the flight's own deviation), and the middle
    of its aircraft type's speed band as the planned speed."""
    types = threat_types(scenario.catalogue.threats)
    plans: list[FiledPlan] = []
    for flights, first_id in zip(scenario.civil_traffic, civil_object_ids(scenario), strict=True):
        first = scenario.start + timedelta(
            seconds=scenario.seconds_after_start(flights.first_departure)
        )
        speed_mps = float(np.mean(types[flights.aircraft].speed_mps))
        plans.extend(
            FiledPlan(
                callsign=civil_callsign(flights.callsign_prefix, first_id + k),
                departure=flights.departure,
                arrival=flights.arrival,
                off_block=first + timedelta(seconds=k * flights.interval_s),
                speed_mps=speed_mps,
            )
            for k in range(flights.count)
        )
    return plans


def scenario_origin(scenario: Scenario) -> Origin:
    """A scenario's frame origin: its ``origin``, or the mean position of its sensors
    (rounded to 1e-4 degree)."""
    if scenario.origin is not None:
        return Origin(lat=scenario.origin.lat, lon=scenario.origin.lon)
    points = frame_anchor_points(scenario)
    lat, lon = np.mean(points, axis=0)
    return Origin(lat=round(float(lat), 4), lon=round(float(lon), 4))


def parse_deployment(text: str, source: str) -> Deployment:
    """Validate a deployment file's YAML text; ``source`` names it in errors."""
    return validate_yaml(text, source, Deployment, DeploymentError)


def load_deployment(path: Path) -> Deployment:
    """Read and validate a deployment file; raises :class:`DeploymentError` naming the fault."""
    return parse_deployment(read_text(Path(path), DeploymentError), str(path))
