"""The scenario schema: what a scenario file may say, validated by pydantic.

A scenario declares a run: when it starts and how long it lasts, its seed and
time step, the threats (raids), the sensors, the defended assets and airports,
and the civil traffic. Units are SI (metres, seconds, metres per second) except
latitude and longitude, which are degrees, and angles that say ``_deg``.

Locations (``at``, ``launch``, ``target``, waypoints) are written either as a
place name from the gazetteer (``czosnowka``), as ``{lat: .., lon: ..}``, or as
``[lat, lon]``. Times of launches and departures are either seconds after the
scenario's start or an absolute UTC time with an offset.

Every number must be finite and within a physically possible range (the bounds
below); :func:`cross_field_faults` then checks what the fields must satisfy
together for a run to go through: names that refer to catalogue entries or to
earlier raids, placements that suit the sensor type, steps that divide the
windows, a frame origin away from the poles, and totals that keep a run's
memory bounded. A scenario that passes both is one ``flankwatch run`` can run.

The schema is split by job, and every public name is re-exported here:
:mod:`~flankwatch.scenario.limits` (the bounds),
:mod:`~flankwatch.scenario.fields` (locations, times, names, airports),
:mod:`~flankwatch.scenario.traffic` (raids and civil flights),
:mod:`~flankwatch.scenario.sensors` (sensors and their placements),
:mod:`~flankwatch.scenario.model` (assets, catalogues and the :class:`Scenario` itself) and
:mod:`~flankwatch.scenario.checks` (the checks across fields).
"""

from __future__ import annotations

from flankwatch.scenario.checks import Fault, cross_field_faults
from flankwatch.scenario.fields import Altitude, IcaoCode, Location, Name, Place, Seconds, When
from flankwatch.scenario.limits import (
    EARLIEST_START,
    LATEST_END,
    MAX_DURATION_S,
    MAX_FALSE_PLOTS_PER_S,
    MAX_NAME_LENGTH,
    MAX_OBJECTS,
    MAX_ORIGIN_LAT_DEG,
    MAX_ROUTE_WAYPOINTS,
    MAX_SEED,
    MAX_SENSOR_ROWS,
    MAX_SPREAD_M,
    MAX_TIME_OFFSET_S,
    MAX_WAYPOINT_TABLE,
    MAX_WINDOW_S,
    MIN_STEP_S,
)
from flankwatch.scenario.model import Asset, AssetKind, Catalogues, Scenario
from flankwatch.scenario.sensors import (
    PLACEMENT_KEYS,
    FixedPlacement,
    LinePlacement,
    OrbitPlacement,
    Placement,
    Sensor,
    file_location,
    frame_anchor_points,
    overridden_type,
    sensor_rows,
)
from flankwatch.scenario.traffic import (
    DEFAULT_SQUAWK,
    CivilFlights,
    Divert,
    Raid,
    Squawk,
    Waypoint,
    civil_callsign,
    civil_object_ids,
)

__all__ = [
    "EARLIEST_START",
    "LATEST_END",
    "MAX_DURATION_S",
    "MAX_FALSE_PLOTS_PER_S",
    "MAX_NAME_LENGTH",
    "MAX_OBJECTS",
    "MAX_ORIGIN_LAT_DEG",
    "MAX_ROUTE_WAYPOINTS",
    "MAX_SEED",
    "MAX_SENSOR_ROWS",
    "MAX_SPREAD_M",
    "MAX_TIME_OFFSET_S",
    "MAX_WAYPOINT_TABLE",
    "MAX_WINDOW_S",
    "MIN_STEP_S",
    "Location",
    "Place",
    "Name",
    "Seconds",
    "Altitude",
    "When",
    "IcaoCode",
    "Waypoint",
    "Raid",
    "DEFAULT_SQUAWK",
    "Squawk",
    "Divert",
    "CivilFlights",
    "civil_callsign",
    "civil_object_ids",
    "FixedPlacement",
    "OrbitPlacement",
    "LinePlacement",
    "Placement",
    "PLACEMENT_KEYS",
    "Sensor",
    "file_location",
    "frame_anchor_points",
    "overridden_type",
    "sensor_rows",
    "AssetKind",
    "Asset",
    "Catalogues",
    "Scenario",
    "Fault",
    "cross_field_faults",
]
