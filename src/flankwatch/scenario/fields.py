"""Field types of a scenario: locations, times, names and airports.

Locations are written either as a place name from the gazetteer (``czosnowka``), as
``{lat: .., lon: ..}``, or as ``[lat, lon]``. Times of launches and departures are
either seconds after the scenario's start or an absolute UTC time with an offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
)

from flankwatch.geo.airports import airport
from flankwatch.geo.places import place
from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.scenario.catalogue import MAX_ALT_M
from flankwatch.scenario.limits import MAX_NAME_LENGTH, MAX_TIME_OFFSET_S


class StrictModel(NumbersAsWritten):
    """Base of every scenario model: unknown fields are errors, models are frozen, every
    number is finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Location(StrictModel):
    """A point on the earth: latitude and longitude in degrees."""

    lat: float = Field(ge=-90.0, le=90.0, description="latitude, degrees north")
    lon: float = Field(ge=-180.0, le=180.0, description="longitude, degrees east")
    name: str = Field("", description="the gazetteer name it came from, if any")

    @property
    def point(self) -> tuple[float, float]:
        """(latitude, longitude), degrees."""
        return self.lat, self.lon


def _parse_location(value: object) -> object:
    """Accept a place name, ``[lat, lon]`` or ``{lat, lon}`` for a :class:`Location`."""
    if isinstance(value, str):
        try:
            found = place(value)
        except LookupError as error:
            raise ValueError(str(error.args[0]) if error.args else str(error)) from None
        return {"lat": found.lat_deg, "lon": found.lon_deg, "name": found.name}
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError("a location list must be [lat, lon]")
        return {"lat": value[0], "lon": value[1]}
    return value


Place = Annotated[Location, BeforeValidator(_parse_location)]
"""A location written as a place name, ``[lat, lon]`` or ``{lat, lon}``."""

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
Seconds = Annotated[float, Field(ge=0.0, le=MAX_TIME_OFFSET_S)]
"""A non-negative span of time, s (an interval or a jitter)."""
Altitude = Annotated[float, Field(ge=0.0, le=MAX_ALT_M)]
"""Height above the ellipsoid, m."""

_SECONDS: TypeAdapter[float] = TypeAdapter(
    Annotated[float, Field(ge=-MAX_TIME_OFFSET_S, le=MAX_TIME_OFFSET_S, allow_inf_nan=False)]
)
_UTC_TIME: TypeAdapter[datetime] = TypeAdapter(AwareDatetime)


def _when(value: object) -> float | datetime:
    """Seconds after the start (a number) or a UTC time with an offset; one fault if neither."""
    if isinstance(value, bool):
        raise ValueError("give seconds after the start or a UTC time with an offset")
    try:
        if isinstance(value, int | float):
            return _SECONDS.validate_python(value)
        return _UTC_TIME.validate_python(value)
    except ValidationError as fault:
        raise ValueError(fault.errors(include_url=False)[0]["msg"]) from None


When = Annotated[float | AwareDatetime, PlainValidator(_when)]
"""A launch or departure time: seconds after the start (negative: before it), or a UTC
time with an offset."""


def _known_icao(code: str) -> str:
    try:
        airport(code)
    except LookupError as error:
        raise ValueError(str(error.args[0]) if error.args else str(error)) from None
    return code.upper()


IcaoCode = Annotated[str, Field(max_length=8), AfterValidator(_known_icao)]
"""An airport's ICAO code, known to the airport database."""
