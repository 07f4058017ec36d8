"""The live load benchmark's traffic: aircraft flying straight lines, written as CAT048
radar plots and BaseStation (SBS) lines, and sent at a paced rate with send times kept.

- :class:`Traffic`: ``n`` aircraft (positions, velocities, m, m/s in a local frame) with
  their ICAO addresses and callsigns; half-open split into radar-seen (CAT048) and
  ADS-B (SBS) aircraft;
- :func:`cat048_record`: one CAT048 record (I010, I140, I020, I040, I070, I090, I220,
  I240), written here from the item layout of EUROCONTROL's CAT048 specification (so
  the sender costs little CPU), checked against flankwatch's own decoder by
  :func:`check_cat048`;
- :class:`Sender`: every tick, the plots that are due, sent as UDP datagrams of whole
  CAT048 data blocks and one TCP write of SBS lines; every send's wall time (Unix s)
  is kept with the aircraft it carried.
"""

from __future__ import annotations

import math
import socket
import struct
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from flankwatch.geo.frames import LocalFrame

NM_M = 1852.0
FT_M = 0.3048
MAX_DATAGRAM_BYTES = 1400
"""Largest CAT048 data block sent in one datagram, bytes (fits an Ethernet frame)."""
_IA5 = {
    **{chr(ord("A") + k): 1 + k for k in range(26)},
    " ": 32,
    **{str(k): 48 + k for k in range(10)},
}
"""The 6-bit codes of ICAO Annex 10's aircraft identification characters."""


@dataclass(frozen=True)
class Traffic:
    """Aircraft flying straight and level in ``frame`` (east, north, up; m and m/s)."""

    frame: LocalFrame
    start_m: np.ndarray
    """(n, 3) positions at the feed's start, m."""
    velocity_mps: np.ndarray
    """(n, 3) velocities, m/s."""
    icao24: np.ndarray
    callsign: list[str]
    radar: np.ndarray
    """Whether each aircraft is seen by the radar (CAT048), else by ADS-B (SBS)."""

    @classmethod
    def random(
        cls, frame: LocalFrame, n: int, asterix_share: float, rng: np.random.Generator
    ) -> Traffic:
        """``n`` aircraft within 150 km of ``frame``'s origin at FL200-FL400, 180-250 m/s
        on random headings; the first ``asterix_share`` of them radar-seen."""
        radius = 150_000.0 * np.sqrt(rng.uniform(0.0, 1.0, n))
        bearing = rng.uniform(0.0, 2 * math.pi, n)
        height = rng.uniform(20_000.0, 40_000.0, n) * FT_M
        start = np.column_stack((radius * np.sin(bearing), radius * np.cos(bearing), height))
        speed, heading = rng.uniform(180.0, 250.0, n), rng.uniform(0.0, 2 * math.pi, n)
        velocity = np.column_stack((speed * np.sin(heading), speed * np.cos(heading), np.zeros(n)))
        return cls(
            frame=frame,
            start_m=start,
            velocity_mps=velocity,
            icao24=0x480000 + np.arange(n),
            callsign=[f"LD{k:04d}" for k in range(n)],
            radar=np.arange(n) < round(asterix_share * n),
        )

    def __len__(self) -> int:
        return len(self.icao24)

    def lat_lon_alt(self, index: np.ndarray, t_s: float) -> tuple[np.ndarray, ...]:
        """Latitude and longitude (deg) and height (m) of aircraft ``index`` at ``t_s``."""
        enu = self.start_m[index] + self.velocity_mps[index] * t_s
        lat, lon, alt = self.frame.enu_to_geodetic(enu)
        return tuple(np.atleast_1d(np.asarray(v, float)) for v in (lat, lon, alt))


def tod_s(epoch_s: float) -> float:
    """ASTERIX time of day of a Unix time: s since midnight UTC."""
    return epoch_s % 86_400.0


def cat048_record(
    sac: int,
    sic: int,
    tod: float,
    range_m: float,
    azimuth_deg: float,
    fl: float,
    squawk_octal: int,
    icao24: int,
    callsign: str,
) -> bytes:
    """One CAT048 record: FSPEC, then I010, I140, I020 (SSR + PSR), I040, I070, I090,
    I220 and I240 in the order of the standard's user application profile."""
    fspec = bytes((0b1111_1101, 0b1100_0000))  # FRN 1-6, FX; FRN 8 (I220), 9 (I240)
    time_lsb = round(tod * 128) % (1 << 24)
    rho = min(round(range_m / NM_M * 256), 0xFFFF)
    theta = round(azimuth_deg % 360.0 / 360.0 * 65536) % 65536
    level = round(fl * 4) & 0x3FFF
    chars = 0
    for letter in callsign.ljust(8)[:8]:
        chars = chars << 6 | _IA5[letter]
    return b"".join(
        (
            fspec,
            struct.pack(">BB", sac, sic),
            time_lsb.to_bytes(3, "big"),
            bytes((3 << 5,)),  # TYP 3: SSR + PSR plot; no FX
            struct.pack(">HH", rho, theta),
            struct.pack(">H", squawk_octal & 0x0FFF),
            struct.pack(">H", level),
            int(icao24).to_bytes(3, "big"),
            chars.to_bytes(6, "big"),
        )
    )


def cat048_blocks(records: list[bytes]) -> list[tuple[bytes, int, int]]:
    """``records`` packed into CAT048 data blocks of at most :data:`MAX_DATAGRAM_BYTES`:
    (block, first record index, end record index)."""
    blocks, start, size = [], 0, 3
    for k, record in enumerate(records):
        if size + len(record) > MAX_DATAGRAM_BYTES and k > start:
            blocks.append((_block(records[start:k]), start, k))
            start, size = k, 3
        size += len(record)
    if start < len(records):
        blocks.append((_block(records[start:]), start, len(records)))
    return blocks


def _block(records: list[bytes]) -> bytes:
    body = b"".join(records)
    return struct.pack(">BH", 48, 3 + len(body)) + body


def check_cat048() -> None:
    """Raise :class:`AssertionError` unless flankwatch's decoder reads a record of
    :func:`cat048_record` back to the values written."""
    from flankwatch.io import asterix

    record = cat048_record(1, 2, 3600.5, 100_000.0, 123.4, 350.0, 0o1234, 0x48AB12, "LOT12AB")
    plots = asterix.decode(_block([record])).cat048
    assert len(plots) == 1, "the decoder did not read the benchmark's CAT048 record"
    assert abs(plots.range_m[0] - 100_000.0) < NM_M / 256
    assert abs(math.degrees(plots.azimuth_rad[0]) - 123.4) < 0.01
    assert abs(plots.tod_s[0] - 3600.5) < 1 / 128
    assert abs(plots.alt_baro_m[0] - 350.0 * 100 * FT_M) < 1.0
    assert plots.icao24[0] == 0x48AB12 and plots.callsign[0] == "LOT12AB"
    assert plots.squawk[0] == 1234


def sbs_line(
    icao24: int, callsign: str, when: datetime, lat: float, lon: float, alt_ft: float
) -> str:
    """A BaseStation ``MSG,3`` (airborne position) line; the callsign rides along so that
    the track carries it."""
    day, clock = when.strftime("%Y/%m/%d"), when.strftime("%H:%M:%S.%f")[:-3]
    return (
        f"MSG,3,1,1,{icao24:06X},1,{day},{clock},{day},{clock},{callsign},{alt_ft:.0f},,,"
        f"{lat:.5f},{lon:.5f},,,0,0,0,0"
    )


@dataclass
class Sent:
    """What the sender sent: per aircraft, the wall times (Unix s) of the sends that
    carried one of its plots, in order; and the totals."""

    times: dict[int, list[float]] = field(default_factory=dict)
    asterix_plots: int = 0
    asterix_datagrams: int = 0
    sbs_plots: int = 0
    sbs_bytes: int = 0
    behind_ticks: int = 0
    """Ticks that started later than one tick period after they were due."""

    def stamp(self, icao24: np.ndarray, when_s: float) -> None:
        """Record a send at ``when_s`` carrying plots of aircraft ``icao24``."""
        for address in icao24.tolist():
            self.times.setdefault(address, []).append(when_s)


class Sender:
    """Sends ``traffic``'s plots at ``rate_pps`` plots per second in total (each
    aircraft at the same period), CAT048 by UDP to ``udp_address`` from a radar at
    ``radar_deg`` and SBS lines on ``sbs_connection``; every ``tick_s``."""

    def __init__(
        self,
        traffic: Traffic,
        rate_pps: float,
        radar_deg: tuple[float, float],
        udp_address: tuple[str, int],
        sbs_connection: socket.socket,
        tick_s: float = 0.02,
    ) -> None:
        self.traffic, self.tick_s = traffic, tick_s
        self.period_s = len(traffic) / rate_pps
        self.radar_frame = LocalFrame(*radar_deg)
        self.udp_address, self.sbs = udp_address, sbs_connection
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sent = Sent()

    def run(self, duration_s: float) -> Sent:
        """Send for ``duration_s`` of wall time from now; the record of what was sent."""
        traffic = self.traffic
        start = time.time()
        due = start + np.random.default_rng(1).uniform(0.0, self.period_s, len(traffic))
        tick = 0
        while True:
            tick += 1
            target = start + tick * self.tick_s
            pause = target - time.time()
            if pause > 0:
                time.sleep(pause)
            elif pause < -self.tick_s:
                self.sent.behind_ticks += 1
            now = time.time()
            if now - start >= duration_s:
                return self.sent
            ready = np.flatnonzero(due <= now)
            if not len(ready):
                continue
            due[ready] += self.period_s
            self._send(ready[traffic.radar[ready]], now - start)
            self._send_sbs(ready[~traffic.radar[ready]], now - start)

    def _send(self, index: np.ndarray, t_s: float) -> None:
        """CAT048 plots of aircraft ``index`` at ``t_s`` since the start, in datagrams."""
        if not len(index):
            return
        lat, lon, alt = self.traffic.lat_lon_alt(index, t_s)
        enu = np.atleast_2d(self.radar_frame.geodetic_to_enu(lat, lon, alt))
        slant_m = np.linalg.norm(enu, axis=-1)
        azimuth = np.degrees(np.arctan2(enu[:, 0], enu[:, 1]))
        tod = tod_s(time.time())
        records = [
            cat048_record(
                1,
                2,
                tod,
                slant_m[j],
                azimuth[j],
                alt[j] / FT_M / 100,
                0o2000 + (i % 0o777),
                int(self.traffic.icao24[i]),
                self.traffic.callsign[i],
            )  # fmt: skip
            for j, i in enumerate(index.tolist())
        ]
        for block, first, end in cat048_blocks(records):
            when = time.time()
            self.udp.sendto(block, self.udp_address)
            self.sent.stamp(self.traffic.icao24[index[first:end]], when)
            self.sent.asterix_datagrams += 1
        self.sent.asterix_plots += len(records)

    def _send_sbs(self, index: np.ndarray, t_s: float) -> None:
        """SBS position lines of aircraft ``index`` at ``t_s``, in one TCP write."""
        if not len(index):
            return
        lat, lon, alt = self.traffic.lat_lon_alt(index, t_s)
        when = datetime.now(UTC)
        text = "".join(
            sbs_line(
                int(self.traffic.icao24[i]), self.traffic.callsign[i], when,
                lat[j], lon[j], alt[j] / FT_M,
            ) + "\r\n"
            for j, i in enumerate(index.tolist())
        )  # fmt: skip
        data = text.encode()
        stamp = time.time()
        self.sbs.sendall(data)
        self.sent.stamp(self.traffic.icao24[index], stamp)
        self.sent.sbs_plots += len(index)
        self.sent.sbs_bytes += len(data)

    def close(self) -> None:
        """Close the UDP socket (the SBS connection belongs to the caller)."""
        self.udp.close()
