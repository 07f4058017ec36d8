"""Live input specs: ``FORMAT@URL`` strings, checked into :class:`InputSpec`.

Formats (:data:`FORMATS`): ``sbs`` (BaseStation CSV lines, port 30003), ``beast``
(Beast binary, port 30005), ``avr`` (AVR text lines, port 30002), ``readsb-json``
(``aircraft.json`` documents, or readsb's JSON lines, one object per line) and
``asterix`` (data blocks of CAT021 ADS-B reports, CAT048 radar plots and CAT062 system
tracks).

URLs:

- ``tcp://HOST:PORT``: we connect, as a client of the receiver, and reconnect when
  the connection drops;
- ``udp://ADDRESS:PORT``: we listen; a multicast group (224.0.0.0 to 239.255.255.255)
  is joined, any other address is bound as it is (``0.0.0.0`` for every interface);
  port 0 picks a free port;
- ``file://PATH``: a dump of the format (text or binary), or a pcap/pcapng capture
  of the format's UDP datagrams; ``file:///abs/path`` and ``file://rel/path`` both
  work.

Optional query parameters: ``lat`` and ``lon`` (the receiver's position, degrees:
it lets a single Mode S position be decoded, places an ASTERIX radar's CAT048 plots,
and is the sensor's position),
``sigma_m`` (assumed horizontal accuracy of positions without a NACp, m), ``name``
(the sensor's name) and, for a capture, ``port`` (only UDP datagrams to that port).
Example: ``beast@tcp://192.168.1.20:30005?lat=52.23&lon=21.01``.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl

FORMATS = ("sbs", "beast", "avr", "readsb-json", "asterix")
"""The input formats understood."""
SCHEMES = ("tcp", "udp", "file")
"""The URL schemes understood."""
_PARAMETERS = ("lat", "lon", "sigma_m", "name", "port")


class InputError(ValueError):
    """An input spec that cannot be used; the message names the spec and the fault."""


@dataclass(frozen=True)
class InputSpec:
    """One checked input: its format, where it comes from, and what is assumed of it."""

    text: str
    """The spec as the user wrote it (names the input in messages)."""
    format: str
    scheme: str
    host: str = ""
    """Host to connect to (``tcp``) or address to listen on (``udp``)."""
    port: int = 0
    path: Path | None = None
    """The file of a ``file`` input."""
    receiver_deg: tuple[float, float] | None = None
    """The receiver's latitude and longitude, deg, if given."""
    sigma_m: float | None = None
    """Assumed horizontal accuracy of a position without a NACp, m (None: the default)."""
    name: str = ""
    capture_port: int | None = None
    """Only UDP datagrams to this port are read from a capture (None: all)."""

    @property
    def is_socket(self) -> bool:
        """Whether the input is a network socket (else a file)."""
        return self.scheme != "file"

    @property
    def multicast(self) -> bool:
        """Whether a ``udp`` input listens on a multicast group."""
        return self.scheme == "udp" and ipaddress.ip_address(self.host).is_multicast


def parse_input(text: str) -> InputSpec:
    """The :class:`InputSpec` of ``FORMAT@URL`` text; raises :class:`InputError` naming
    the spec and what is wrong with it."""
    fmt, at, url = text.strip().partition("@")
    if not at:
        raise _error(text, f"expected FORMAT@URL, formats: {', '.join(FORMATS)}")
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise _error(text, f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise _error(text, f"URL {url!r} must start with tcp://, udp:// or file://")
    location, _, query = rest.partition("?")
    options = _options(text, query)
    spec = InputSpec(
        text=text,
        format=fmt,
        scheme=scheme,
        receiver_deg=_receiver(text, options),
        sigma_m=_positive(text, options, "sigma_m"),
        name=options.get("name", ""),
    )
    if scheme == "file":
        if not location:
            raise _error(text, "file:// needs a path")
        path = Path(location)
        if not path.is_file():
            raise _error(text, f"no such file: {path}")
        capture_port = None
        if "port" in options:
            capture_port = _port(text, options["port"], allow_zero=False)
        return replace(spec, path=path, capture_port=capture_port)
    if "port" in options:
        raise _error(text, "the 'port' parameter is for file:// captures only")
    host, port = _host_port(text, location)
    if scheme == "tcp" and port == 0:
        raise _error(text, "a tcp:// input needs a port above 0")
    if scheme == "udp":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise _error(text, f"udp:// needs an IP address or group, not {host!r}") from None
    return replace(spec, host=host, port=port)


def _error(text: str, message: str) -> InputError:
    return InputError(f"--input {text!r}: {message}")


def _options(text: str, query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _error(text, f"query {query!r} is not NAME=VALUE&...") from None
    options: dict[str, str] = {}
    for key, value in pairs:
        if key not in _PARAMETERS:
            raise _error(text, f"unknown parameter {key!r}; known: {', '.join(_PARAMETERS)}")
        if key in options:
            raise _error(text, f"parameter {key!r} given twice")
        options[key] = value
    return options


def _number(text: str, options: dict[str, str], key: str) -> float | None:
    if key not in options:
        return None
    try:
        value = float(options[key])
    except ValueError:
        raise _error(text, f"{key}={options[key]!r} is not a number") from None
    if not math.isfinite(value):
        raise _error(text, f"{key}={options[key]!r} is not a finite number")
    return value


def _receiver(text: str, options: dict[str, str]) -> tuple[float, float] | None:
    lat, lon = _number(text, options, "lat"), _number(text, options, "lon")
    if (lat is None) != (lon is None):
        raise _error(text, "lat and lon must be given together")
    if lat is None or lon is None:
        return None
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 180.0:
        raise _error(text, f"lat={lat:g}, lon={lon:g} is not a position (deg)")
    return lat, lon


def _positive(text: str, options: dict[str, str], key: str) -> float | None:
    value = _number(text, options, key)
    if value is not None and value <= 0.0:
        raise _error(text, f"{key} must be above 0")
    return value


def _port(text: str, value: str, allow_zero: bool) -> int:
    try:
        port = int(value)
    except ValueError:
        raise _error(text, f"port {value!r} is not a whole number") from None
    if not (0 if allow_zero else 1) <= port <= 65535:
        raise _error(text, f"port {port} is out of range (1-65535)")
    return port


def _host_port(text: str, location: str) -> tuple[str, int]:
    if location.startswith("["):  # [IPv6]:port
        host, bracket, after = location[1:].partition("]")
        if not bracket or not after.startswith(":"):
            raise _error(text, f"{location!r} is not [ADDRESS]:PORT")
        port_text = after[1:]
    else:
        host, colon, port_text = location.rpartition(":")
        if not colon:
            raise _error(text, f"{location!r} is not HOST:PORT")
    if not host:
        raise _error(text, f"{location!r} has no host")
    return host, _port(text, port_text, allow_zero=True)
