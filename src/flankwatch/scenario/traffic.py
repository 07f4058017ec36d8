"""What flies in a scenario: raids of threats along their routes, and civil flights
between airports with their flight plans."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from flankwatch.scenario.catalogue import MAX_SPEED_MPS
from flankwatch.scenario.fields import (
    Altitude,
    IcaoCode,
    Name,
    Place,
    Seconds,
    StrictModel,
    When,
)
from flankwatch.scenario.limits import (
    MAX_OBJECTS,
    MAX_ROUTE_WAYPOINTS,
    MAX_SPREAD_M,
    MAX_TIME_OFFSET_S,
)

if TYPE_CHECKING:
    from flankwatch.scenario.model import Scenario


class Waypoint(StrictModel):
    """A point of a route, with the altitude (m above the ellipsoid) to reach there."""

    at: Place
    alt_m: Altitude


class Raid(StrictModel):
    """A group of threats of one type launched from one site along one route."""

    name: Name
    threat: str = Field(description="a key of the threat catalogue")
    count: int = Field(gt=0, le=MAX_OBJECTS)
    launch: Place | None = Field(None, description="launch site; or use launched_from")
    launched_from: str | None = Field(
        None, description="name of an earlier raid of launch platforms (e.g. bombers)"
    )
    first_launch: When = Field(
        0.0, description="seconds after the start, or a UTC time with offset"
    )
    interval_s: Seconds = 0.0
    jitter_s: Seconds = Field(0.0, description="standard deviation of each launch time")
    route: list[Waypoint] = Field(default_factory=list, max_length=MAX_ROUTE_WAYPOINTS)
    target: Place | None = None
    target_alt_m: Altitude = Field(0.0, description="altitude at the target")
    cruise_alt_m: Altitude | None = Field(
        None, description="altitude between launch and target; default mid of the band"
    )
    spread_m: float = Field(
        0.0, ge=0.0, le=MAX_SPREAD_M, description="standard deviation of each waypoint, m"
    )
    speed_mps: float | None = Field(
        None, gt=0.0, le=MAX_SPEED_MPS, description="overrides the catalogue"
    )
    origin: str = Field("", description="country or area it comes from, for the reports")
    iff_mode5: bool = Field(
        False, description="own aircraft answering IFF Mode 5 interrogations (friend)"
    )

    @model_validator(mode="after")
    def _launch_and_route(self) -> Raid:
        if (self.launch is None) == (self.launched_from is None):
            raise ValueError("give exactly one of launch or launched_from")
        if not self.route and self.target is None:
            raise ValueError("give a route or a target")
        if self.route and self.target is not None:
            raise ValueError("give a route or a target, not both")
        return self

    def waypoints(self) -> list[tuple[float, float, float]]:
        """The route as (lat_deg, lon_deg, alt_m) points: its waypoints, or the target."""
        if self.target is not None:
            return [(self.target.lat, self.target.lon, self.target_alt_m)]
        return [(w.at.lat, w.at.lon, w.alt_m) for w in self.route]


DEFAULT_SQUAWK = "1000"
"""The Mode A code a civil flight sets when none is given: 1000, the conspicuity code of
Mode S flights in European airspace (assumed for every flight)."""


class Squawk(StrictModel):
    """One flight of a flow sets a Mode A code from a time on (7500, 7600, 7700: emergencies)."""

    code: str = Field(pattern=r"^[0-7]{4}$", description="four octal digits, e.g. 7500")
    from_s: float = Field(ge=-MAX_TIME_OFFSET_S, le=MAX_TIME_OFFSET_S, description="s after start")
    flight: int = Field(1, ge=1, le=10_000, description="which flight of the flow, 1 the first")


class Divert(StrictModel):
    """One flight of a flow leaves its filed route at a time and flies to a place instead."""

    at_s: float = Field(ge=-MAX_TIME_OFFSET_S, le=MAX_TIME_OFFSET_S, description="s after start")
    to: Place
    flight: int = Field(1, ge=1, le=10_000, description="which flight of the flow, 1 the first")


class CivilFlights(StrictModel):
    """Scheduled civil flights between two airports, with transponders (ADS-B).

    Each flight files a flight plan (its callsign, airports and scheduled time);
    ``squawk`` and ``divert`` make one of them set an emergency code or leave its plan.
    """

    name: Name
    departure: IcaoCode
    arrival: IcaoCode
    aircraft: str = Field("airliner", description="a key of the threat catalogue")
    count: int = Field(gt=0, le=10_000)
    first_departure: When = 0.0
    interval_s: Seconds = 3600.0
    jitter_s: Seconds = 0.0
    cruise_alt_m: float = Field(10_000.0, gt=0.0, le=15_000.0)
    callsign_prefix: str = Field("FLW", pattern=r"^[A-Z]{3}$")
    squawk: Squawk | None = None
    divert: Divert | None = None

    @model_validator(mode="after")
    def _two_airports(self) -> CivilFlights:
        if self.departure == self.arrival:
            raise ValueError(f"departure and arrival are both {self.departure}")
        for what in (self.squawk, self.divert):
            if what is not None and what.flight > self.count:
                raise ValueError(f"flight {what.flight} of a flow of {self.count}")
        return self


def civil_callsign(prefix: str, object_id: int) -> str:
    """The callsign of the civil flight that is object ``object_id`` of a run."""
    return f"{prefix}{100 + object_id % 9000:d}"


def civil_object_ids(scenario: Scenario) -> list[int]:
    """The object number of each civil flow's first flight: raids come first, in order."""
    first = sum(raid.count for raid in scenario.raids)
    starts = []
    for flights in scenario.civil_traffic:
        starts.append(first)
        first += flights.count
    return starts
