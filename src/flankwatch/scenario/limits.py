"""The bounds a scenario must keep: physically possible values, and totals that keep a
run's memory bounded. Units are SI (metres, seconds) except angles, which say ``_deg``."""

from __future__ import annotations

from datetime import datetime

MAX_ORIGIN_LAT_DEG = 85.0
"""The run's local ENU frame needs an origin no nearer a pole than this (degrees):
its east axis degenerates at the pole."""

WATCHED_AIRSPACE = "POL"
"""The airspace a scenario's run watches (its country code): it must lie wholly within the
box that the frame keeps around its origin (:data:`flankwatch.assess.area.CLIP_DEG`)."""

MIN_STEP_S = 0.01
"""Shortest simulation time step, s."""

MAX_WINDOW_S = 60.0
"""Longest time step and sensor window (``batch_s``), s."""

MAX_DURATION_S = 7 * 86_400.0
"""Longest run, s (a week)."""

MAX_TIME_OFFSET_S = 30 * 86_400.0
"""Launch and departure times, intervals and jitters lie within 30 days of the start, s."""

MAX_SPREAD_M = 500_000.0
"""Largest random offset (standard deviation) of a raid's waypoints, m."""

MAX_ROUTE_WAYPOINTS = 1_000
"""Most waypoints in one route."""

MAX_OBJECTS = 100_000
"""Most simulated objects in a scenario: raids and civil flights together."""

MAX_SENSOR_ROWS = 100_000
"""Most sensors in a scenario, every node of an acoustic line counted."""

MAX_WAYPOINT_TABLE = 10_000_000
"""Most cells of the flight plans' padded waypoint table (objects x longest route)."""

MAX_FALSE_PLOTS_PER_S = 1_000.0
"""Most false plots per second the scenario's sensors may make together (mean): a
60 s window then holds some 60,000 of them, each a row and a tentative track."""

MAX_SEED = 2**63 - 1
"""Largest seed (it is stored as a 64-bit integer)."""

MAX_NAME_LENGTH = 100
"""Longest name of a scenario, raid, sensor, asset or civil flow (it names folders)."""

EARLIEST_START = datetime.fromisoformat("1900-01-01T00:00:00+00:00")
LATEST_END = datetime.fromisoformat("2200-01-01T00:00:00+00:00")
"""A run lies between these UTC times."""
