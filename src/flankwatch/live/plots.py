"""ADS-B reports to plots: the run's local frame, an accuracy, and the aircraft's identity.

Every report that carries a position becomes one :class:`~flankwatch.stream.PlotKind`
``ADSB`` plot of the input's sensor. Other reports (identification, velocity, status,
Mode S replies) are remembered per aircraft, so that each plot carries the latest
callsign, Mode A code and NACp heard from its aircraft, and a position message without
a height takes the last one heard (at most :data:`HEIGHT_MEMORY_S` old).

Height: the geometric (GNSS) height if given, else the pressure altitude used as a
height above the ellipsoid (off by the weather and the geoid: hence its larger
assumed error). An aircraft on the ground with no height is put at 0 m.

Horizontal accuracy: from the aircraft's NACp, the 95 % bound of its position error
(EPU) as a standard deviation, EPU / 2.448 for a circular Gaussian, never below
:data:`MIN_SIGMA_M`; without a NACp, the input's assumed ``sigma_m`` (default
:data:`DEFAULT_SIGMA_M`). Multilaterated and rebroadcast positions take
:data:`MLAT_SIGMA_M`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.io.adsb import AdsbReports, AdsbSource
from flankwatch.io.adsb.positions import FORGET_S
from flankwatch.stream import PlotColumns, PlotKind

NACP_EPU_M: dict[int, float] = {
    11: 3.0, 10: 10.0, 9: 30.0, 8: 92.6, 7: 185.2, 6: 555.6,
    5: 926.0, 4: 1852.0, 3: 3704.0, 2: 7408.0, 1: 18520.0,
}  # fmt: skip
"""NACp to the 95 % bound of the horizontal position error (EPU), m: 3, 10 and 30 m, then
0.05, 0.1, 0.3, 0.5, 1, 2, 4 and 10 NM (RTCA DO-260B, as tabled in J. Sun, "The 1090
Megahertz Riddle", 2nd ed., chapter "ADS-B uncertainty"); NACp 0 is unknown."""
EPU_PER_SIGMA = math.sqrt(-2.0 * math.log(0.05))
"""Radius holding 95 % of a circular 2-D Gaussian, in standard deviations (2.448)."""
DEFAULT_SIGMA_M = 50.0
"""Horizontal standard deviation of an ADS-B position without a NACp, m (assumed)."""
MIN_SIGMA_M = 10.0
"""Smallest horizontal standard deviation used, m (assumed: a report is timed when it is
received, not when its position was measured)."""
MLAT_SIGMA_M = 200.0
"""Horizontal standard deviation of a multilaterated or TIS-B position, m (assumed)."""
SIGMA_GEOMETRIC_M = 15.0
"""Standard deviation of a GNSS height, m (assumed)."""
SIGMA_PRESSURE_M = 75.0
"""Standard deviation of a pressure altitude taken as a height, m (assumed: weather and
geoid)."""
SIGMA_GROUND_M = 150.0
"""Standard deviation of the height of an aircraft on the ground put at 0 m (assumed)."""
HEIGHT_MEMORY_S = 30.0
"""Oldest height of an aircraft still given to its position messages, s."""


@dataclass
class _Aircraft:
    """What is remembered of one aircraft between reports."""

    callsign: str = ""
    squawk: int = 0
    nacp: int = -1
    height_m: float = math.nan
    height_sigma_m: float = math.nan
    height_t_s: float = math.nan
    heard_t_s: float = -math.inf


class PlotMaker:
    """Makes the plots of one input (sensor ``sensor_id``) in the run's ``frame``.

    ``receiver_m``: the receiver's position in the frame (ENU, m), given to every plot
    as its sensor position; ``sigma_m``: assumed horizontal accuracy without a NACp, m.
    """

    def __init__(
        self,
        sensor_id: int,
        frame: LocalFrame,
        receiver_m: np.ndarray,
        sigma_m: float | None = None,
    ) -> None:
        self.sensor_id = sensor_id
        self.frame = frame
        self.receiver_m = np.asarray(receiver_m, float)
        self.sigma_m = sigma_m if sigma_m is not None else DEFAULT_SIGMA_M
        self.aircraft: dict[int, _Aircraft] = {}
        self.without_height = 0
        """Positions dropped so far because no height was known for them."""

    def plots(self, reports: AdsbReports) -> PlotColumns:
        """The plots of ``reports`` (in their order), as a part of a plot batch."""
        n = len(reports)
        keep = np.zeros(n, bool)
        height = np.full(n, math.nan)
        sigma_h = np.full(n, math.nan)
        sigma_v = np.full(n, math.nan)
        callsign = np.full(n, "", dtype=object)
        squawk = np.zeros(n, np.int16)
        for i in range(n):
            memory = self._remember(reports, i)
            if not (math.isfinite(reports.lat_deg[i]) and math.isfinite(reports.lon_deg[i])):
                continue
            t_s = float(reports.t_s[i])
            if 0.0 <= t_s - memory.height_t_s <= HEIGHT_MEMORY_S:
                height[i], sigma_v[i] = memory.height_m, memory.height_sigma_m
            elif reports.on_ground[i]:
                height[i], sigma_v[i] = 0.0, SIGMA_GROUND_M
            else:
                self.without_height += 1
                continue
            keep[i] = True
            sigma_h[i] = self._sigma_m(int(reports.source[i]), memory.nacp)
            callsign[i], squawk[i] = memory.callsign, memory.squawk
        self._forget(float(np.max(reports.t_s)) if n else -math.inf)
        rows = np.flatnonzero(keep)
        if not len(rows):
            return {}
        position = self.frame.geodetic_to_enu(
            reports.lat_deg[rows], reports.lon_deg[rows], height[rows]
        ).reshape(-1, 3)
        var_h, var_v = sigma_h[rows] ** 2, sigma_v[rows] ** 2
        return {
            "t_s": reports.t_s[rows],
            "sensor_id": self.sensor_id,
            "kind": PlotKind.ADSB,
            "x_m": position[:, 0],
            "y_m": position[:, 1],
            "z_m": position[:, 2],
            "cov_xx_m2": var_h,
            "cov_xy_m2": 0.0,
            "cov_xz_m2": 0.0,
            "cov_yy_m2": var_h,
            "cov_yz_m2": 0.0,
            "cov_zz_m2": var_v,
            "sensor_x_m": self.receiver_m[0],
            "sensor_y_m": self.receiver_m[1],
            "sensor_z_m": self.receiver_m[2],
            "icao24": reports.icao24[rows],
            "callsign": callsign[rows],
            "squawk": squawk[rows],
        }

    def _remember(self, reports: AdsbReports, i: int) -> _Aircraft:
        """The memory of row ``i``'s aircraft, updated with what the row carries."""
        icao24 = int(reports.icao24[i])
        memory = self.aircraft.setdefault(icao24, _Aircraft())
        t_s = float(reports.t_s[i])
        memory.heard_t_s = max(memory.heard_t_s, t_s)
        if reports.callsign[i]:
            memory.callsign = str(reports.callsign[i])
        if reports.squawk[i]:
            memory.squawk = int(reports.squawk[i])
        if reports.nacp[i] >= 0:
            memory.nacp = int(reports.nacp[i])
        if math.isfinite(reports.alt_geom_m[i]):
            memory.height_m, memory.height_sigma_m = float(reports.alt_geom_m[i]), SIGMA_GEOMETRIC_M
            memory.height_t_s = t_s
        elif math.isfinite(reports.alt_baro_m[i]):
            memory.height_m, memory.height_sigma_m = float(reports.alt_baro_m[i]), SIGMA_PRESSURE_M
            memory.height_t_s = t_s
        return memory

    def _sigma_m(self, source: int, nacp: int) -> float:
        """Horizontal standard deviation of a position from ``source`` with ``nacp``, m."""
        if source in (AdsbSource.MLAT, AdsbSource.TISB):
            return MLAT_SIGMA_M
        if nacp in NACP_EPU_M:
            return max(NACP_EPU_M[nacp] / EPU_PER_SIGMA, MIN_SIGMA_M)
        return self.sigma_m

    def _forget(self, now_s: float) -> None:
        """Forget aircraft not heard for :data:`~flankwatch.io.adsb.positions.FORGET_S`."""
        stale = [a for a, m in self.aircraft.items() if m.heard_t_s < now_s - FORGET_S]
        for icao24 in stale:
            del self.aircraft[icao24]
