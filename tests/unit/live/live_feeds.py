"""Simulated aircraft written as receiver feeds (SBS, AVR, Beast, aircraft.json), for the
live inputs' tests; the message encoders are the ADS-B decoders' test-side ones."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "io" / "adsb"))

from adsb_encoders import (  # noqa: E402
    airborne_position,
    aircraft_json,
    avr_line,
    beast_frame,
    identification,
    operational_status,
    sbs_line,
)

from flankwatch.geo.frames import LocalFrame  # noqa: E402

FRAME = LocalFrame(52.0, 21.0)
"""The frame of the tests' deployment (origin 52 N, 21 E)."""
START_EPOCH_S = 1_757_540_000.0
"""Unix time of the feeds' first message: 2025-09-10 21:33:20 UTC."""
FEET = 0.3048
FUTURE_SBS_LINE = (
    "MSG,3,1,1,48AE01,1,2099/09/10,21:33:30.000,2099/09/10,21:33:30.000,,35000,,,"
    "52.04458,20.70850,,,0,0,0,0"
)
"""An SBS position line dated 2099 (a corrupt timestamp)."""
TICKS_PER_S = 12_000_000


@dataclass(frozen=True)
class Flight:
    """An aircraft flying straight and level from (``x_m``, ``y_m``) of :data:`FRAME`."""

    icao24: int
    callsign: str
    x_m: float
    y_m: float
    east_mps: float
    north_mps: float
    alt_ft: float = 35_000.0

    def lat_lon(self, t_s: float) -> tuple[float, float]:
        """Where it is at ``t_s`` (s since the feed's start), deg."""
        enu = np.array([self.x_m + self.east_mps * t_s, self.y_m + self.north_mps * t_s, 0.0])
        lat, lon, _ = FRAME.enu_to_geodetic(enu)
        return float(lat), float(lon)

    def enu_m(self, t_s: float) -> np.ndarray:
        """Where it is at ``t_s`` in :data:`FRAME`, as the live plots place it, m."""
        lat, lon = self.lat_lon(t_s)
        return FRAME.geodetic_to_enu(lat, lon, self.alt_ft * FEET).reshape(3)


FLIGHTS = (
    Flight(0x48AE01, "LOT3921", -20_000.0, 5_000.0, 200.0, 50.0),
    Flight(0x3C6512, "DLH1LK", 15_000.0, -10_000.0, -120.0, 180.0, alt_ft=28_000.0),
)
"""Two airliners near the frame's origin."""


def times(duration_s: float, period_s: float = 0.5) -> np.ndarray:
    """Message times of a feed, s since its start."""
    return np.arange(0.0, duration_s, period_s)


def messages(duration_s: float, flights: tuple[Flight, ...] = FLIGHTS) -> list[tuple[float, str]]:
    """Mode S messages (hex) with their times: positions every 0.5 s (even and odd in
    turn), identification and NACp every 5 s."""
    out = []
    for k, t in enumerate(times(duration_s)):
        for flight in flights:
            if k % 10 == 0:
                out.append((t, identification(flight.icao24, flight.callsign)))
                out.append((t, operational_status(flight.icao24, 9)))
            lat, lon = flight.lat_lon(t)
            out.append((t, airborne_position(flight.icao24, lat, lon, flight.alt_ft, k % 2)))
    return out


def avr_text(duration_s: float) -> str:
    """AVR ``@`` lines of :func:`messages`, timed by the 12 MHz counter."""
    base = 5 * TICKS_PER_S
    lines = [avr_line(m, base + round(t * TICKS_PER_S)) for t, m in messages(duration_s)]
    return "\n".join(lines) + "\n"


def beast_bytes(duration_s: float) -> bytes:
    """Beast frames of :func:`messages`, timed by the 12 MHz counter."""
    base = 7 * TICKS_PER_S
    return b"".join(
        beast_frame(m, base + round(t * TICKS_PER_S), 200) for t, m in messages(duration_s)
    )


def sbs_lines(
    duration_s: float, flights: tuple[Flight, ...] = FLIGHTS, start_epoch_s: float = START_EPOCH_S
) -> list[tuple[float, str]]:
    """SBS lines with their times: a position (MSG,3) every 0.5 s, the callsign (MSG,1)
    every 5 s; dated from ``start_epoch_s`` (UTC)."""
    out = []
    for k, t in enumerate(times(duration_s)):
        for flight in flights:
            stamp = datetime.fromtimestamp(start_epoch_s + t, UTC)
            date, clock = stamp.strftime("%Y/%m/%d"), stamp.strftime("%H:%M:%S.%f")[:-3]
            if k % 10 == 0:
                out.append(
                    (t, _dated(sbs_line(flight.icao24, 1, callsign=flight.callsign), date, clock))
                )
            lat, lon = flight.lat_lon(t)
            line = sbs_line(
                flight.icao24, 3, altitude=round(flight.alt_ft), lat=f"{lat:.5f}", lon=f"{lon:.5f}"
            )
            out.append((t, _dated(line, date, clock)))
    return out


def _dated(line: str, date: str, clock: str) -> str:
    fields = line.split(",")
    fields[6:10] = [date, clock, date, clock]
    return ",".join(fields)


def json_documents(duration_s: float, period_s: float = 1.0) -> list[tuple[float, str]]:
    """``aircraft.json`` snapshots every ``period_s``, with ``now`` in Unix time."""
    out = []
    for t in np.arange(0.0, duration_s, period_s):
        entries = []
        for flight in FLIGHTS:
            lat, lon = flight.lat_lon(t)
            entries.append(
                {
                    "hex": f"{flight.icao24:06x}",
                    "type": "adsb_icao",
                    "flight": flight.callsign,
                    "alt_baro": flight.alt_ft,
                    "lat": lat,
                    "lon": lon,
                    "nac_p": 9,
                    "seen_pos": 0.0,
                    "seen": 0.0,
                }
            )
        out.append((float(t), aircraft_json(entries, now=START_EPOCH_S + float(t))))
    return out


def nearest_error_m(flight: Flight, t_s: np.ndarray, enu_m: np.ndarray) -> np.ndarray:
    """Distance of each position ``enu_m`` (n, 3) at ``t_s`` from where ``flight`` was, m."""
    truth = np.array([flight.enu_m(float(t)) for t in t_s]).reshape(-1, 3)
    return np.linalg.norm(enu_m - truth, axis=1)


def horizontal_speed_mps(flight: Flight) -> float:
    return math.hypot(flight.east_mps, flight.north_mps)
