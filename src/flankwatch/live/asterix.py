"""ASTERIX input: data blocks to plots of the run (CAT021 ADS-B, CAT048 radar plots,
CAT062 system tracks), with :mod:`flankwatch.io.asterix` decoding the records.

A stream (TCP, a file) is cut into data blocks by their length field, and bytes that are
no data block are passed over until the blocks are found again
(:mod:`~flankwatch.live.asterix_framing`); a datagram is framed the same way, whole.
Every record is timed by its own time of day, placed on the date of the run's start
(:func:`~flankwatch.io.asterix.tod_to_t_s`), so sockets and files are timed alike. A
record timed more than :data:`~flankwatch.live.decoders.MAX_AHEAD_S` ahead of its
reception (sockets, captures) or of the input's latest time (files) is skipped as
``future`` (:class:`~flankwatch.live.decoders.TimeGuard`).

- CAT021 reports go through :class:`~flankwatch.live.plots.PlotMaker` like any ADS-B
  report (returned as :class:`~flankwatch.io.adsb.AdsbReports`);
- CAT048 plots (one radar per input: the input's ``lat``/``lon`` is its position, at
  0 m above the ellipsoid) are turned into radar plots from range, azimuth and a height
  (the radar's measured height, else the Mode C altitude, taken as a height above the
  ellipsoid), in the radar's own axes and then the run's, assuming :data:`SIGMA_RANGE_M` and
  :data:`SIGMA_AZIMUTH_RAD`; a plot without a height, or an input without the radar's
  position, is counted and not used;
- CAT062 system tracks become position plots of another system (kind radar), assumed
  accurate to :data:`SIGMA_TRACK_M`.

Radar and track plots carry the Mode S address, callsign and Mode 3/A code they came
with, so the assessment sees their transponder replies.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime

import numpy as np

from flankwatch.geo.frames import LocalFrame
from flankwatch.geo.polar import polar_to_cartesian
from flankwatch.io import asterix
from flankwatch.io.adsb import AdsbReports, AdsbSource, Skip, SkipKind
from flankwatch.live.asterix_framing import frame
from flankwatch.live.decoders import Decoded, TimeGuard
from flankwatch.stream import PlotBatch, PlotColumns, PlotKind, position_columns

SIGMA_RANGE_M = 50.0
"""Range standard deviation of a CAT048 plot, m (assumed: an en-route secondary radar)."""
SIGMA_AZIMUTH_RAD = math.radians(0.08)
"""Azimuth standard deviation of a CAT048 plot, rad (assumed)."""
SIGMA_HEIGHT_M = 75.0
"""Standard deviation of the height a CAT048 plot's elevation comes from, m (assumed)."""
SIGMA_TRACK_M = 100.0
"""Position standard deviation of a CAT062 system track, m (assumed), each axis."""
EFFECTIVE_EARTH_RADIUS_M = 4.0 / 3.0 * 6_371_000.0
"""Earth radius that bends radar rays by standard refraction (4/3 earth), m."""


class AsterixDecoder:
    """One ASTERIX input of sensor ``sensor_id``: blocks in; ADS-B reports, radar and
    track plots (:attr:`plots`, taken by the caller after each call) and skips out
    (records decoded but not used are skips at the offset of the data they came in).

    ``start_utc``: the run's start (dates the times of day); ``receiver_deg``: the
    radar's latitude and longitude (deg), needed for CAT048; ``receiver_m``: its
    position in ``frame`` (ENU, m).
    """

    def __init__(
        self,
        sensor_id: int,
        start_utc: datetime,
        frame: LocalFrame,
        receiver_deg: tuple[float, float] | None,
        receiver_m: np.ndarray,
    ) -> None:
        self.sensor_id = sensor_id
        self.start_utc = start_utc
        self.frame = frame
        self.radar_frame = LocalFrame(*receiver_deg) if receiver_deg is not None else None
        self.receiver_m = np.asarray(receiver_m, float)
        self.buffer = b""
        self.offset = 0
        self.last_s = 0.0
        self.guard = TimeGuard(start_utc.timestamp())
        self.received_s: float | None = None
        """Reception time of the data being decoded, s since the run's start (None: a
        plain file's)."""
        self.plots = PlotBatch.empty()
        """Radar and track plots of the latest call (replaced by each call)."""
        self._unused: list[Skip] = []

    def feed(self, data: bytes, received_s: float | None) -> Decoded:
        """The records of the data blocks completed by ``data`` (records carry their own
        time; ``received_s``, s since the run's start, bounds how far ahead it may be)."""
        self.buffer += data
        return self._framed(received_s, final=False)

    def end(self, received_s: float | None) -> Decoded:
        """What is left (a datagram, or the tail of a stream) is framed as it is: its whole
        blocks decoded, the rest skipped."""
        return self._framed(received_s, final=True)

    def _framed(self, received_s: float | None, final: bool) -> Decoded:
        """Decode the whole data blocks at the start of the buffer and skip the bytes that
        are none (see :func:`~flankwatch.live.asterix_framing.frame`); keep the rest."""
        self.received_s = received_s
        framed = frame(self.buffer, final)
        parts = [(a, b, True) for a, b in framed.spans] + [(a, b, False) for a, b in framed.passed]
        base = self.offset
        reports, skips, plots = [], [], []
        for start, stop, whole in sorted(parts):
            self.offset = base + start
            if whole:
                found, more = self._decode(self.buffer[start:stop])
                reports.append(found)
                skips += more
                plots.append(self.plots)
            else:
                message = f"{stop - start} bytes that are no ASTERIX data block, passed over"
                skips.append(Skip(SkipKind.FRAMING, base + start, message, stop - start))
        self.offset = base + framed.used
        self.buffer = self.buffer[framed.used :]
        self.plots = PlotBatch.concat(plots) if plots else PlotBatch.empty()
        return (AdsbReports.concat(reports) if reports else AdsbReports.empty()), skips

    def _decode(self, data: bytes) -> Decoded:
        if not data:
            self.plots = PlotBatch.empty()
            return AdsbReports.empty(), []
        decoded = asterix.decode(data, offset=self.offset)
        skips = [
            Skip(_KINDS[s.kind], s.at, f"CAT{s.category:03d}: {s.message}", s.size)
            for s in decoded.skips
        ]
        reports = self._cat021(decoded.cat021)
        parts = [self._cat048(decoded.cat048), self._cat062(decoded.cat062)]
        self.plots = PlotBatch.from_parts(parts)
        skips += self._unused
        self._unused = []
        self.offset += len(data)
        return reports, skips

    def _times(self, tod_s: np.ndarray) -> np.ndarray:
        t_s = asterix.tod_to_t_s(tod_s, self.start_utc, self.last_s)
        if len(t_s):
            self.last_s = float(t_s[-1])
        return t_s

    def _plausible(self, t_s: np.ndarray) -> np.ndarray:
        """Which records, timed ``t_s`` (s), are not too far ahead; the others skipped."""
        plausible = self.guard.take_all(t_s, self.received_s)
        self._unused.extend(
            Skip(SkipKind.FUTURE, self.offset, self.guard.refusal(t, self.received_s))
            for t in t_s[~plausible].tolist()
        )
        return plausible

    def _cat021(self, cat: asterix.Cat021Reports) -> AdsbReports:
        """CAT021 reports as ADS-B reports (their other columns missing)."""
        reports = AdsbReports.from_rows([{"source": AdsbSource.ADSB}] * len(cat))
        columns = {name: getattr(cat, name) for name in _CAT021_COLUMNS}
        t_s = self._times(cat.tod_s)
        reports = dataclasses.replace(reports, t_s=t_s, **columns)
        return reports.take(self._plausible(t_s))

    def _cat048(self, cat: asterix.Cat048Plots) -> PlotColumns:
        if not len(cat):
            return {}
        t_s = self._times(cat.tod_s)
        height = np.where(np.isfinite(cat.height_m), cat.height_m, cat.alt_baro_m)
        whole = np.isfinite(height) & np.isfinite(cat.range_m) & (cat.range_m > 0)
        if self.radar_frame is None:
            self._skip(SkipKind.UNSUPPORTED, "CAT048 plot: no radar position (lat, lon)", len(cat))
            return {}
        plausible = self._plausible(t_s)
        use = plausible & whole
        missing = int(np.count_nonzero(plausible & ~whole))
        self._skip(SkipKind.FIELD, "CAT048 plot without a height", missing)
        r, az = cat.range_m[use], cat.azimuth_rad[use]
        # elevation of a target at this height (the radar at 0 m) and range, 4/3 earth
        sin_el = np.clip(height[use] / r - r / (2.0 * EFFECTIVE_EARTH_RADIUS_M), -1.0, 1.0)
        el = np.arcsin(sin_el)
        sigma_el = SIGMA_HEIGHT_M / (r * np.maximum(np.cos(el), 1e-3))
        n = len(r)
        local, local_cov = polar_to_cartesian(
            r, az, el, np.full(n, SIGMA_RANGE_M), np.full(n, SIGMA_AZIMUTH_RAD), sigma_el,
            np.zeros((n, 3)),
        )  # fmt: skip
        # from the radar's own east-north-up axes into the run's
        position = self.frame.ecef_to_enu(self.radar_frame.enu_to_ecef(local))
        turn = self.frame.rotation_from(self.radar_frame)
        cov = turn @ local_cov @ turn.T
        direction = local @ turn.T
        bearing = np.mod(np.arctan2(direction[:, 0], direction[:, 1]), 2.0 * np.pi)
        return {
            "t_s": t_s[use],
            **position_columns(position, cov),
            **self._common(n),
            "range_m": r,
            "azimuth_rad": az,
            "elevation_rad": el,
            "bearing_rad": bearing,
            "sigma_range_m": SIGMA_RANGE_M,
            "sigma_azimuth_rad": SIGMA_AZIMUTH_RAD,
            "sigma_elevation_rad": sigma_el,
            "icao24": cat.icao24[use],
            "callsign": cat.callsign[use],
            "squawk": cat.squawk[use],
            "mode5": cat.mode5[use],
            "mode5_pin": cat.mode5_pin[use],
        }

    def _cat062(self, cat: asterix.Cat062Tracks) -> PlotColumns:
        if not len(cat):
            return {}
        t_s = self._times(cat.tod_s)
        height = np.where(np.isfinite(cat.alt_geom_m), cat.alt_geom_m, cat.alt_baro_m)
        whole = np.isfinite(cat.lat_deg) & np.isfinite(cat.lon_deg) & np.isfinite(height)
        plausible = self._plausible(t_s)
        use = plausible & whole
        missing = int(np.count_nonzero(plausible & ~whole))
        self._skip(SkipKind.FIELD, "CAT062 track without a WGS 84 position and height", missing)
        n = int(np.count_nonzero(use))
        if not n:
            return {}
        position = self.frame.geodetic_to_enu(cat.lat_deg[use], cat.lon_deg[use], height[use])
        cov = np.broadcast_to(np.eye(3) * SIGMA_TRACK_M**2, (n, 3, 3))
        return {
            "t_s": t_s[use],
            **position_columns(position.reshape(n, 3), cov),
            **self._common(n),
            "icao24": cat.icao24[use],
            "callsign": cat.callsign[use],
            "squawk": cat.squawk[use],
        }

    def _common(self, n: int) -> PlotColumns:
        return {
            "sensor_id": np.full(n, self.sensor_id),
            "kind": np.full(n, PlotKind.RADAR),
            "sensor_x_m": self.receiver_m[0],
            "sensor_y_m": self.receiver_m[1],
            "sensor_z_m": self.receiver_m[2],
        }

    def _skip(self, kind: SkipKind, message: str, n: int) -> None:
        """Count ``n`` records of the data being decoded as not used (at its offset)."""
        self._unused.extend(Skip(kind, self.offset, message) for _ in range(n))


def asterix_epochs_s(head: bytes, day: datetime) -> list[float]:
    """The Unix times (s) of the records in the whole data blocks of ``head`` (the start
    of a file; bytes that are no data block passed over), their times of day put on the
    date nearest ``day``."""
    decoded = [asterix.decode(head[a:b]) for a, b in frame(head, final=False).spans]
    tods = [c.tod_s for d in decoded for c in (d.cat021, d.cat048, d.cat062) if len(c)]
    if not tods:
        return []
    t_s = asterix.tod_to_t_s(np.concatenate(tods), day)
    return (day.timestamp() + t_s).tolist()


_CAT021_COLUMNS = (
    "lat_deg", "lon_deg", "alt_geom_m", "alt_baro_m", "icao24", "callsign", "squawk",
    "ground_speed_mps", "track_rad", "vertical_rate_mps",
)  # fmt: skip
"""CAT021 columns an ADS-B report has too (same names, units and dtypes)."""

_KINDS = {
    asterix.SkipKind.BLOCK: SkipKind.FRAMING,
    asterix.SkipKind.CATEGORY: SkipKind.UNSUPPORTED,
    asterix.SkipKind.RECORD: SkipKind.SYNTAX,
    asterix.SkipKind.MISSING: SkipKind.FIELD,
    asterix.SkipKind.RANGE: SkipKind.FIELD,
}
"""The codec's skip kinds as the live inputs count them."""
