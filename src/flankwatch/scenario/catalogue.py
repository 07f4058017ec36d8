"""Catalogues of threat types and sensor types.

The built-in catalogues are YAML files beside this module (``catalogue/``),
each value commented with its public source; values no public source gives are
listed under ``assumed`` in their entry. A scenario may add types or replace
built-in ones under its own ``catalogue:`` key. Every figure must be finite and
within the physically possible bounds below.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, model_validator

from flankwatch.plain_numbers import NumbersAsWritten

MAX_SPEED_MPS = 8_000.0
"""Fastest object, m/s (about orbital speed; ballistic missiles fly at 2-3 km/s)."""
MAX_ALT_M = 100_000.0
"""Highest cruise or waypoint altitude, m."""
MAX_APOGEE_M = 2_000_000.0
"""Highest ballistic apogee, m."""
MAX_FLIGHT_RANGE_M = 40_075_000.0
"""Longest flight, m (once round the earth)."""
MAX_RCS_M2 = 10_000.0
"""Largest mean radar cross-section, m^2."""
MAX_SENSOR_RANGE_M = 3_000_000.0
"""Longest instrumented range of a sensor, m (over-the-horizon radars reach about this)."""
MAX_ACOUSTIC_RANGE_M = 50_000.0
"""Longest nominal range of an acoustic node, m (a node hears twice this at most)."""
MIN_SCAN_PERIOD_S = 0.1
MAX_SCAN_PERIOD_S = 3_600.0
"""Bounds of a sensor's revisit (scan or report) period, s."""
MAX_FALSE_ALARMS_PER_SCAN = 1_000.0
"""Most false plots per scan (per node for acoustic nodes), mean: a radar's CFAR keeps
real rates to a few per scan; more would only flood the tracker and memory."""


def _ordered(band: tuple[float, float]) -> tuple[float, float]:
    if band[0] > band[1]:
        raise ValueError(f"a band is [low, high]: {band[0]} is above {band[1]}")
    return band


_Speed = Annotated[float, Field(gt=0.0, le=MAX_SPEED_MPS)]
_Altitude = Annotated[float, Field(ge=0.0, le=MAX_ALT_M)]
_Rcs = Annotated[float, Field(gt=0.0, le=MAX_RCS_M2)]
_Cost = Annotated[float, Field(ge=0.0, le=1e12)]

SpeedBand = Annotated[tuple[_Speed, _Speed], AfterValidator(_ordered)]
"""Speeds, m/s: (low, high)."""
AltitudeBand = Annotated[tuple[_Altitude, _Altitude], AfterValidator(_ordered)]
"""Altitudes, m: (low, high)."""
RcsBand = Annotated[tuple[_Rcs, _Rcs], AfterValidator(_ordered)]
"""Mean radar cross-sections, m^2: (low, high)."""
CostBand = Annotated[tuple[_Cost, _Cost], AfterValidator(_ordered)]
"""Unit costs, USD: (low, high)."""

Range = tuple[float, float]
"""A (low, high) pair; each simulated object draws its own value in it."""


class _Entry(NumbersAsWritten):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    label: str
    sources: list[str] = Field(default_factory=list, description="public sources of the values")
    assumed: list[str] = Field(
        default_factory=list, description="fields whose values are assumptions, not sourced"
    )

    @model_validator(mode="after")
    def _assumed_are_fields(self) -> _Entry:
        unknown = set(self.assumed) - set(type(self).model_fields)
        if unknown:
            raise ValueError(f"assumed names unknown field(s) {sorted(unknown)}")
        return self


ThreatCategory = Literal[
    "one-way-attack-drone",
    "decoy",
    "cruise-missile",
    "ballistic-missile",
    "bomber",
    "fighter",
    "airliner",
    "light-aircraft",
    "helicopter",
]


class Manoeuvre(NumbersAsWritten):
    """How an object deviates from its route.

    ``straight``: flies the legs, turning at waypoints. ``weave``: adds a
    sinusoidal heading offset of ``amplitude_deg`` with ``period_s``.
    ``ballistic``: a parabolic altitude profile peaking at ``apogee_m``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["straight", "weave", "ballistic"] = "straight"
    amplitude_deg: float = Field(0.0, ge=0.0, le=90.0)
    period_s: float = Field(60.0, ge=1.0, le=86_400.0)
    apogee_m: float = Field(0.0, ge=0.0, le=MAX_APOGEE_M)


class ThreatType(_Entry):
    """One kind of air object: its performance, radar cross-section and sound."""

    category: ThreatCategory
    speed_mps: SpeedBand = Field(description="cruise speed over ground, m/s")
    altitude_m: AltitudeBand = Field(description="cruise altitude band, m")
    climb_rate_mps: float = Field(
        ge=0.01, le=10_000.0, description="greatest climb or descent rate, m/s"
    )
    turn_rate_deg_s: float = Field(
        ge=0.01, le=360.0, description="greatest turn rate, degrees per second"
    )
    manoeuvre: Manoeuvre = Field(default_factory=Manoeuvre)
    rcs_m2: RcsBand = Field(description="mean radar cross-section, m^2 (drawn log-uniformly)")
    swerling: Literal[0, 1, 3] = Field(1, description="radar cross-section fluctuation model")
    sound_db: float = Field(
        ge=0.0, le=250.0, description="sound pressure level at 1 m, dB re 20 uPa"
    )
    cooperative: bool = Field(False, description="broadcasts ADS-B with an ICAO address")
    range_m: float = Field(gt=0.0, le=MAX_FLIGHT_RANGE_M, description="greatest flight distance, m")
    unit_cost_usd: CostBand | None = None


class _SensorEntry(_Entry):
    platform: Literal["ground", "airborne", "aerostat"] = "ground"
    range_m: float = Field(gt=0.0, le=MAX_SENSOR_RANGE_M, description="instrumented range, m")
    scan_period_s: float = Field(
        ge=MIN_SCAN_PERIOD_S,
        le=MAX_SCAN_PERIOD_S,
        description="time between two looks at a target, s",
    )
    height_m: float = Field(
        ge=0.0, le=30_000.0, description="default antenna height above ground, m"
    )
    unit_cost_usd: float | None = Field(None, ge=0.0, le=1e12)


class RadarType(_SensorEntry):
    """A scanning radar: range, azimuth and elevation of echoes above a threshold.

    Its sensitivity is given as the range at which a target of
    ``reference_rcs_m2`` (Swerling 1) is detected with ``reference_pd``.
    """

    kind: Literal["radar"] = "radar"
    reference_range_m: float = Field(gt=0.0, le=MAX_SENSOR_RANGE_M)
    reference_rcs_m2: float = Field(1.0, gt=0.0, le=MAX_RCS_M2)
    reference_pd: float = Field(0.5, gt=0.0, lt=1.0)
    pfa: float = Field(1e-6, gt=0.0, lt=0.1, description="false-alarm probability per cell")
    false_alarms_per_scan: float = Field(
        ge=0.0, le=MAX_FALSE_ALARMS_PER_SCAN, description="mean false plots per scan"
    )
    sigma_range_m: float = Field(gt=0.0, le=100_000.0)
    sigma_azimuth_deg: float = Field(gt=0.0, le=180.0)
    sigma_elevation_deg: float = Field(gt=0.0, le=90.0)
    min_range_m: float = Field(0.0, ge=0.0)
    max_elevation_deg: float = Field(90.0, gt=0.0, le=90.0)
    ssr: bool = Field(
        False,
        description="a co-mounted secondary radar (IFF/Mode S): plots of transponder-equipped "
        "aircraft carry their ICAO address and callsign",
    )

    @model_validator(mode="after")
    def _sound_figures(self) -> RadarType:
        if self.min_range_m >= self.range_m:
            raise ValueError(
                f"min_range_m ({self.min_range_m} m) must be less than range_m ({self.range_m} m)"
            )
        if self.reference_pd <= self.pfa:
            raise ValueError(f"reference_pd ({self.reference_pd}) must exceed pfa ({self.pfa})")
        return self


class AdsbType(_SensorEntry):
    """An ADS-B ground station: positions and identities broadcast by cooperative aircraft."""

    kind: Literal["adsb"] = "adsb"
    pd: float = Field(gt=0.0, le=1.0, description="probability that a position report arrives")
    sigma_m: float = Field(gt=0.0, le=10_000.0, description="horizontal position error, m")
    sigma_alt_m: float = Field(gt=0.0, le=10_000.0, description="barometric altitude error, m")


class AcousticType(_SensorEntry):
    """A passive acoustic node: a bearing to a loud object within a few kilometres.

    It detects a source of ``reference_sound_db`` out to ``range_m``; louder or
    quieter sources are heard farther or nearer by spherical spreading.
    """

    kind: Literal["acoustic"] = "acoustic"
    range_m: float = Field(
        gt=0.0, le=MAX_ACOUSTIC_RANGE_M, description="nominal range, m, for reference_sound_db"
    )
    reference_sound_db: float = Field(ge=0.0, le=250.0)
    pd: float = Field(gt=0.0, le=1.0)
    sigma_azimuth_deg: float = Field(gt=0.0, le=180.0)
    false_alarms_per_scan: float = Field(
        0.0,
        ge=0.0,
        le=MAX_FALSE_ALARMS_PER_SCAN,
        description="mean false bearings per node and scan",
    )


SensorType = Annotated[RadarType | AdsbType | AcousticType, Field(discriminator="kind")]

_THREATS = TypeAdapter(dict[str, ThreatType])
_SENSORS = TypeAdapter(dict[str, SensorType])


@cache
def builtin_threat_types() -> dict[str, ThreatType]:
    """The built-in threat catalogue, by key."""
    return _THREATS.validate_python(_load("threats.yaml"))


@cache
def builtin_sensor_types() -> dict[str, RadarType | AdsbType | AcousticType]:
    """The built-in sensor catalogue, by key."""
    return _SENSORS.validate_python(_load("sensors.yaml"))


def threat_types(extra: dict[str, ThreatType] | None = None) -> dict[str, ThreatType]:
    """The built-in threat types with a scenario's own added or replacing them."""
    return {**builtin_threat_types(), **(extra or {})}


def sensor_types(
    extra: dict[str, RadarType | AdsbType | AcousticType] | None = None,
) -> dict[str, RadarType | AdsbType | AcousticType]:
    """The built-in sensor types with a scenario's own added or replacing them."""
    return {**builtin_sensor_types(), **(extra or {})}


def _load(name: str) -> object:
    return yaml.safe_load(
        files("flankwatch.scenario").joinpath("catalogue").joinpath(name).read_text()
    )
