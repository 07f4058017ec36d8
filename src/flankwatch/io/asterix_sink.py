"""The picture's tracks as ASTERIX CAT062 system tracks over UDP, every window.

:class:`AsterixSink` sends, each window, one CAT062 record per track that the outside
world may see: confirmed and coasting tracks (I062/080 CST set for coasting), and the
last record of a track it has sent before once the tracker deletes it (TSE set).
Tentative tracks stay inside. Records go in data blocks of at most 1400 bytes, one
block per datagram, to ``udp://HOST:PORT`` (a host, or a multicast group reached with
the sink's TTL).

What each record carries, from the track's state in the run's local ENU frame:

- I062/010: the sink's SAC and SIC; I062/040: the track number (``track_id``; a track
  whose number passes 65535 is refused, not wrapped);
- I062/070: the state's time as the time of day (``t_s`` placed on the deployment's
  start, UTC);
- I062/105: WGS-84 latitude and longitude from the deployment's frame; I062/130: the
  height above the WGS-84 ellipsoid (geometric altitude);
- I062/100 and I062/185: position and velocity in the run's local east-north plane
  (tangent to the ellipsoid at the deployment's origin, x east, y north), m and m/s;
  I062/220: the vertical rate, m/s;
- I062/380 and I062/245: the ICAO address and callsign the track learnt from ADS-B.

Every value passes the encoder's range checks first (:mod:`flankwatch.io.asterix`):
refused rows and values left out are counted in :class:`AsterixStats`, never sent
wrapped. Sending never blocks and never raises: a failed send is counted and logged.

The codec (and ``libasterix``, slow to import) is imported when a sink is made, not
with this module.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import numpy as np

from flankwatch.deployment import Deployment
from flankwatch.loop import Picture, SinkBase
from flankwatch.sim.truth import TruthBatch
from flankwatch.track.output import TrackBatch, TrackStatus

if TYPE_CHECKING:
    from flankwatch.io.asterix import Cat062Tracks

__all__ = ["AsterixSink", "AsterixStats", "parse_udp_url"]

log = logging.getLogger(__name__)

SENT = (TrackStatus.CONFIRMED, TrackStatus.COASTING)
"""Track states sent every window."""
DEFAULT_SAC, DEFAULT_SIC = 0, 1
"""The SAC and SIC (I062/010) of the records sent when none are given."""
MAX_TRACK_NUMBER = 0xFFFF
"""The largest track number I062/040 holds."""


@dataclass(frozen=True)
class AsterixStats:
    """What a sink has sent so far.

    ``windows``: windows consumed; ``records``: CAT062 records sent; ``datagrams``:
    datagrams (data blocks) sent; ``refused``: track rows not sent because a value the
    record cannot go without is out of range (track number, time of day, position);
    ``omitted``: values left out of sent records because their item cannot hold them,
    by column; ``send_errors``: datagrams the network refused; ``last_error``: the
    latest refusal or send error, ``""`` if none.
    """

    windows: int = 0
    records: int = 0
    datagrams: int = 0
    refused: int = 0
    omitted: dict[str, int] = field(default_factory=dict)
    send_errors: int = 0
    last_error: str = ""


def parse_udp_url(url: str) -> tuple[str, int]:
    """``(host, port)`` of ``udp://HOST:PORT``.

    Raises :class:`ValueError` naming the part that is wrong.
    """
    where = f"ASTERIX destination {url!r}"
    try:
        parts = urlsplit(url)
    except ValueError as error:  # an unclosed IPv6 bracket
        raise ValueError(f"{where}: {error}") from None
    if parts.scheme != "udp":
        raise ValueError(f"{where}: scheme {parts.scheme!r} is not udp (as in udp://host:8600)")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{where}: port: {error}") from error
    if not parts.hostname or not port:
        raise ValueError(f"{where}: no host or no port (as in udp://host:port)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{where}: nothing may follow the port")
    return parts.hostname, port


class AsterixSink(SinkBase):
    """Sends each window's tracks as CAT062 to ``url``; see the module docstring.

    ``sac`` and ``sic`` (0-255) identify this system as the data source; ``edition``
    is a CAT062 edition of :data:`flankwatch.io.asterix.EDITIONS` (None: the default);
    ``multicast_ttl`` applies when the host is a multicast group.

    Raises :class:`ValueError` naming a wrong URL, host, SAC, SIC or edition.
    """

    def __init__(
        self,
        url: str,
        deployment: Deployment,
        sac: int,
        sic: int,
        *,
        edition: str | None = None,
        max_block_bytes: int = 1400,
        multicast_ttl: int = 1,
    ) -> None:
        from flankwatch.io import asterix  # here, not at import: libasterix is slow to load

        self._asterix = asterix
        host, port = parse_udp_url(url)
        for name, value in (("SAC", sac), ("SIC", sic)):
            if not 0 <= value <= 255:
                raise ValueError(f"ASTERIX {name} {value} is outside 0-255")
        self.url, self.sac, self.sic = f"udp://{host}:{port}", sac, sic
        self.edition, self.max_block_bytes = edition, max_block_bytes
        self.frame, self.start = deployment.frame, deployment.start
        asterix.encode_cat062(self._columns(TrackBatch.empty()), edition, max_block_bytes)
        try:
            family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        except OSError as error:
            raise ValueError(f"ASTERIX destination {self.url}: host {host!r}: {error}") from error
        self.address = address
        self._socket = socket.socket(family, socket.SOCK_DGRAM)
        self._socket.setblocking(False)
        if ipaddress.ip_address(address[0]).is_multicast:
            level, option = (
                (socket.IPPROTO_IP, socket.IP_MULTICAST_TTL)
                if family == socket.AF_INET
                else (socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS)
            )
            self._socket.setsockopt(level, option, multicast_ttl)
        self._sent_ids: set[int] = set()
        self._counts = Counter[str]()
        self._omitted = Counter[str]()
        self._last_error = ""

    def stats(self) -> AsterixStats:
        """A snapshot of the counters."""
        return AsterixStats(
            windows=self._counts["windows"],
            records=self._counts["records"],
            datagrams=self._counts["datagrams"],
            refused=self._counts["refused"],
            omitted=dict(self._omitted),
            send_errors=self._counts["send_errors"],
            last_error=self._last_error,
        )

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Send the window's tracks (never blocks, never raises for the network)."""
        self._counts["windows"] += 1
        if self._socket.fileno() < 0:
            return
        tracks = picture.tracks
        held = np.isin(tracks.status, SENT)
        ended = (tracks.status == TrackStatus.DELETED) & np.isin(
            tracks.track_id, list(self._sent_ids)
        )
        rows = tracks.take(np.flatnonzero(held | ended))
        self._sent_ids.update(int(i) for i in tracks.track_id[held])
        self._sent_ids.difference_update(int(i) for i in tracks.track_id[ended])
        if not len(rows):
            return
        encoded = self._asterix.encode_cat062(
            self._columns(rows), self.edition, self.max_block_bytes
        )
        self._counts["records"] += encoded.records
        self._counts["refused"] += len(encoded.refused)
        self._omitted.update(encoded.omitted)
        if encoded.refused:
            self._last_error = f"refused track row: {encoded.refused[-1].message}"
        for block in encoded.blocks:
            try:
                self._socket.sendto(block, self.address)
            except OSError as error:
                self._counts["send_errors"] += 1
                self._last_error = f"{type(error).__name__}: {error}"
                if self._counts["send_errors"] <= 3 or self._counts["send_errors"] % 100 == 0:
                    log.warning("ASTERIX sink to %s: %s", self.url, self._last_error)
            else:
                self._counts["datagrams"] += 1

    def close(self) -> None:
        """Stop sending; keep the counts."""
        self._socket.close()

    def abort(self, error: BaseException) -> None:
        """Stop sending."""
        self._socket.close()

    def _columns(self, tracks: TrackBatch) -> Cat062Tracks:
        """The CAT062 columns of ``tracks`` (see the module docstring)."""
        n = len(tracks)
        lat, lon, height = self.frame.enu_to_geodetic(tracks.position())
        status = tracks.status
        return self._asterix.Cat062Tracks(
            sac=np.full(n, self.sac, np.uint8),
            sic=np.full(n, self.sic, np.uint8),
            tod_s=self._asterix.t_s_to_tod(tracks.time_s, self.start),
            # past 65535 the encoder refuses the row (rather than a wrapped number)
            track_number=np.minimum(tracks.track_id, MAX_TRACK_NUMBER + 1).astype(np.int32),
            lat_deg=np.asarray(lat, float).reshape(n),
            lon_deg=np.asarray(lon, float).reshape(n),
            x_m=tracks.x_m,
            y_m=tracks.y_m,
            vx_mps=tracks.vx_mps,
            vy_mps=tracks.vy_mps,
            alt_geom_m=np.asarray(height, float).reshape(n),
            alt_baro_m=np.full(n, np.nan),
            vertical_rate_mps=tracks.vz_mps,
            squawk=np.zeros(n, np.int16),
            icao24=tracks.icao24.astype(np.uint32),
            callsign=tracks.callsign,
            tentative=status == TrackStatus.TENTATIVE,
            coasting=status == TrackStatus.COASTING,
            ended=status == TrackStatus.DELETED,
        )
