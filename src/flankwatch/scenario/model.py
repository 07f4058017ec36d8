"""The scenario model itself: the run's clock, seed and frame, and everything in it
(raids, sensors, defended assets, airports, civil traffic)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, Field

from flankwatch.scenario.catalogue import SensorType, ThreatType
from flankwatch.scenario.defence import Defence
from flankwatch.scenario.fields import IcaoCode, Name, Place, StrictModel
from flankwatch.scenario.limits import (
    MAX_DURATION_S,
    MAX_NAME_LENGTH,
    MAX_SEED,
    MAX_WINDOW_S,
    MIN_STEP_S,
)
from flankwatch.scenario.sensors import Sensor
from flankwatch.scenario.traffic import CivilFlights, Raid

AssetKind = Literal["city", "airport", "military", "infrastructure"]


class Asset(StrictModel):
    """A defended asset: a place that threats must not reach."""

    name: Name
    kind: AssetKind
    at: Place
    radius_m: float = Field(5_000.0, gt=0.0, le=500_000.0)
    value: float = Field(
        1.0, gt=0.0, le=1_000_000.0, description="relative worth, for threat ranking"
    )


class Catalogues(StrictModel):
    """Threat and sensor types a scenario adds to (or replaces in) the built-in catalogues."""

    threats: dict[str, ThreatType] = Field(default_factory=dict)
    sensors: dict[str, SensorType] = Field(default_factory=dict)


class Scenario(StrictModel):
    """A whole scenario, as validated from a scenario file."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=MAX_NAME_LENGTH)
    description: str = ""
    sources: list[str] = Field(default_factory=list, description="public sources it rests on")
    start: AwareDatetime = Field(description="UTC start time, with offset")
    duration_s: float = Field(gt=0.0, le=MAX_DURATION_S)
    seed: int = Field(ge=0, le=MAX_SEED)
    step_s: float = Field(1.0, ge=MIN_STEP_S, le=MAX_WINDOW_S, description="simulation time step")
    batch_s: float = Field(
        5.0,
        gt=0.0,
        le=MAX_WINDOW_S,
        description="sensors observe, and plots are batched, this often",
    )
    truth_period_s: float = Field(
        5.0, gt=0.0, le=MAX_DURATION_S, description="how often truth is recorded"
    )
    origin: Place | None = Field(None, description="origin of the local frame; default centre")
    catalogue: Catalogues = Field(default_factory=Catalogues)
    raids: list[Raid] = Field(default_factory=list)
    sensors: list[Sensor] = Field(min_length=1)
    assets: list[Asset] = Field(default_factory=list)
    airports: list[IcaoCode] = Field(default_factory=list)
    civil_traffic: list[CivilFlights] = Field(default_factory=list)
    defence: Defence | None = Field(None, description="effector units, rules and policy")

    @property
    def end(self) -> datetime:
        """The UTC end time."""
        return self.start + timedelta(seconds=self.duration_s)

    def seconds_after_start(self, when: float | datetime) -> float:
        """A launch or departure time as seconds after the start."""
        if isinstance(when, datetime):
            return (when - self.start).total_seconds()
        return float(when)
