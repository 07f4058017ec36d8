"""Sending CoT events to a TAK server or a multicast group, in the background.

:class:`CotSender` owns a thread running an asyncio loop. The run hands it
events with :meth:`CotSender.send`, which never blocks and never raises: events
wait in a bounded queue (the oldest are dropped, and counted, when it is full)
and are written as they come, back to back on a stream or one datagram each. A
refused, failed or dropped connection is retried with exponential backoff; every
failure is counted and logged (naming only ``scheme://host:port``), and reported
by :meth:`CotSender.stats` as a :class:`CotStats`.

Destinations are URLs (TAK's default ports: TCP 8087, TLS 8089, multicast
239.2.3.1:6969); ``protocol=tak`` sends TAK protocol version 1 (protobuf mesh
datagrams or stream frames, :mod:`flankwatch.io.tak`) instead of CoT XML, from
the first byte (the sender does not negotiate the protocol with a server)::

    tcp://HOST:PORT[?protocol=xml|tak]
    udp://HOST:PORT[?protocol=xml|tak][&ttl=N][&iface=IPV4]
    tls://HOST:PORT?cert=PEM&key=PEM[&ca=PEM][&server_name=NAME][&password_env=VAR][&protocol=..]

``ttl``: multicast TTL (default 1); ``iface``: the address of the interface multicast
leaves by. ``cert``, ``key``: the client certificate and its key (PEM files, both or
neither); ``ca``: the authorities the server's certificate must chain to (default:
the system's; the server's certificate is always checked); ``server_name``: the name
it must carry (default ``HOST``); ``password_env``: the environment variable holding
an encrypted key's password (never the password itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from flankwatch.io.tak import mesh_frame, stream_frame

__all__ = ["CotDestination", "CotSender", "CotStats", "parse_cot_url", "parse_destination"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CotStats:
    """What a sender has done so far.

    ``sent``: events written to the network; ``dropped``: events thrown away
    (queue full, or still queued when the sender closed); ``refused``: events
    not converted to ``protocol=tak`` (not CoT XML); ``pending``: events
    waiting; ``connects``: connections made; ``reconnects``: attempts made
    again after a refused or failed attempt or a dropped connection;
    ``failures``: attempts refused or failed and connections dropped;
    ``last_error``: the latest failure, ``""`` if none; ``connected``: whether
    a connection is open now.
    """

    sent: int = 0
    dropped: int = 0
    refused: int = 0
    pending: int = 0
    connects: int = 0
    reconnects: int = 0
    failures: int = 0
    last_error: str = ""
    connected: bool = False


_PARAMETERS = {
    "tcp": {"protocol"},
    "udp": {"protocol", "ttl", "iface"},
    "tls": {"protocol", "cert", "key", "ca", "server_name", "password_env"},
}
"""The query parameters each scheme takes."""


@dataclass(frozen=True)
class CotDestination:
    """Where and how CoT events go: a parsed destination URL (see the module docstring)."""

    scheme: str
    host: str
    port: int
    protocol: str = "xml"
    multicast_ttl: int | None = None
    interface: str | None = None
    cert: Path | None = None
    key: Path | None = None
    ca: Path | None = None
    server_name: str | None = None
    password_env: str | None = None

    def __str__(self) -> str:
        """``scheme://host:port``, for logs: no file names, no query."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS client context of a ``tls://`` destination (None for the others).

        Raises :class:`ValueError` naming the file that cannot be used.
        """
        if self.scheme != "tls":
            return None
        password = os.environ.get(self.password_env or "", "")
        if self.password_env and not password:
            raise ValueError(f"CoT destination {self}: {self.password_env} is not set")
        try:
            context = ssl.create_default_context(cafile=None if self.ca is None else str(self.ca))
        except (ssl.SSLError, OSError) as error:
            raise ValueError(f"CoT destination {self}: ca {self.ca}: {error}") from error
        try:
            if self.cert is not None and self.key is not None:
                context.load_cert_chain(self.cert, self.key, password=lambda: password)
        except (ssl.SSLError, OSError) as error:  # an encrypted key needs password_env
            raise ValueError(
                f"CoT destination {self}: cert {self.cert} and key {self.key}: {error}"
            ) from error
        return context


def _usable(name: str, path: Path) -> str:
    """``path`` as text once it is known to be a readable file; ValueError naming ``name``."""
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ValueError(f"CoT destination: {name} {path} is not a readable file")
    return str(path)


def parse_destination(url: str) -> CotDestination:
    """The :class:`CotDestination` of ``url`` (see the module docstring).

    Raises :class:`ValueError` naming the part of the URL that is wrong.
    """
    where = f"CoT destination {url.split('?', 1)[0]!r}"
    try:
        parts = urlsplit(url)
    except ValueError as error:  # an unclosed IPv6 bracket
        raise ValueError(f"{where}: {error}") from None
    if parts.scheme not in _PARAMETERS:
        raise ValueError(f"{where}: scheme {parts.scheme!r} is not tcp, udp or tls")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"{where}: port: {error}") from error
    if not parts.hostname or not port:
        raise ValueError(f"{where}: no host or no port (as in {parts.scheme}://host:port)")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError(f"{where}: unexpected path or fragment {parts.path + parts.fragment!r}")
    query = _query(where, parts.query, _PARAMETERS[parts.scheme])
    if query.get("protocol", "xml") not in ("xml", "tak"):
        raise ValueError(f"{where}: protocol {query['protocol']!r} is not xml or tak")
    ttl = query.get("ttl")
    if ttl is not None and not (ttl.isdigit() and int(ttl) <= 255):
        raise ValueError(f"{where}: ttl {ttl!r} is not an integer in 0-255")
    try:
        ipaddress.IPv4Address(query.get("iface", "0.0.0.0"))
    except ValueError as error:
        raise ValueError(f"{where}: iface {query['iface']!r} is no IPv4 address") from error
    files = {name: Path(query[name]) for name in ("cert", "key", "ca") if name in query}
    if ("cert" in files) != ("key" in files):
        raise ValueError(f"{where}: give cert and key together (the client certificate)")
    for name, path in files.items():
        _usable(name, path)
    return CotDestination(
        parts.scheme,
        parts.hostname,
        port,
        query.get("protocol", "xml"),
        None if ttl is None else int(ttl),
        query.get("iface"),
        files.get("cert"),
        files.get("key"),
        files.get("ca"),
        query.get("server_name"),
        query.get("password_env"),
    )


def _query(where: str, text: str, known: set[str]) -> dict[str, str]:
    """The query's parameters by name; ValueError for an unknown, empty or repeated one."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError as error:
        raise ValueError(f"{where}: query {text!r} is not name=value&...") from error
    query: dict[str, str] = {}
    for name, value in pairs:
        if name not in known:
            raise ValueError(f"{where}: unknown parameter {name!r} (known: {sorted(known)})")
        if name in query or not value:
            raise ValueError(f"{where}: parameter {name!r} is repeated or empty")
        query[name] = value
    return query


def parse_cot_url(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a destination URL; see :func:`parse_destination`."""
    where = parse_destination(url)
    return where.scheme, where.host, where.port


class _Connection:
    """An open TCP stream or UDP socket."""

    def __init__(
        self,
        writer: asyncio.StreamWriter | None = None,
        reader: asyncio.StreamReader | None = None,
        sock: socket.socket | None = None,
        address: tuple[str, int] | None = None,
    ) -> None:
        self.writer, self.reader, self.sock, self.address = writer, reader, sock, address
        self.lost = asyncio.Event()

    async def send(self, data: bytes) -> None:
        if self.lost.is_set():
            raise ConnectionError("connection closed by the peer")
        if self.writer is not None:
            self.writer.write(data)
            await self.writer.drain()
        elif self.sock is not None and self.address is not None:
            await asyncio.get_running_loop().sock_sendto(self.sock, data, self.address)

    async def watch(self) -> None:
        """Read and discard what a TCP peer sends; mark the connection lost at its end."""
        if self.reader is None:
            return
        try:
            while await self.reader.read(65536):
                pass
        except OSError:
            pass
        self.lost.set()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.sock is not None:
            self.sock.close()


class CotSender:
    """Streams CoT events to ``url`` from a background thread; see the module docstring.

    Use as a context manager, or call :meth:`start` and :meth:`close`. The URL is
    checked, and a TLS client context built, here: :class:`ValueError` names what
    is wrong. ``multicast_ttl`` applies where the URL gives no ``ttl``.
    """

    def __init__(
        self,
        url: str,
        *,
        queue_size: int = 10_000,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        multicast_ttl: int = 1,
    ) -> None:
        self.destination = where = parse_destination(url)
        self.scheme, self.host, self.port = where.scheme, where.host, where.port
        self.url = str(where)
        self.queue_size = queue_size
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.connect_timeout_s = connect_timeout_s
        self.multicast_ttl = multicast_ttl if where.multicast_ttl is None else where.multicast_ttl
        # each event as XML, or as a TAK mesh datagram or stream frame (ValueError if not CoT)
        tak_frame = mesh_frame if self.scheme == "udp" else stream_frame
        self._frame: Callable[[bytes], bytes] = tak_frame if where.protocol == "tak" else bytes
        self._ssl = where.ssl_context()
        self._lock = threading.Lock()
        self._pending: deque[bytes] = deque()
        self._counts = dict.fromkeys(
            ("sent", "dropped", "refused", "connects", "reconnects", "failures"), 0
        )
        self._last_error = ""
        self._connected = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._closing = False
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # The run's side: never blocks, never raises.

    def start(self) -> CotSender:
        """Start the background thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name="cot-sender", daemon=True)
            self._thread.start()
            self._ready.wait(5.0)
        return self

    def send(self, event: str | bytes) -> bool:
        """Queue one XML event in the destination's protocol; ``False`` if it could not
        be converted (counted as refused) or the queue was full and the oldest was dropped.
        """
        try:
            data = self._frame(event.encode("utf-8") if isinstance(event, str) else bytes(event))
        except ValueError as error:
            with self._lock:
                self._counts["refused"] += 1
                self._last_error = f"refused event: {error}"
            return False
        kept = True
        with self._lock:
            if self._closing:
                self._counts["dropped"] += 1
                return False
            if len(self._pending) >= self.queue_size:
                self._pending.popleft()
                self._counts["dropped"] += 1
                kept = False
            self._pending.append(data)
        self._notify()
        return kept

    def send_many(self, events: list[str] | list[bytes]) -> int:
        """Queue several events; the number queued without dropping an older one."""
        return sum(self.send(event) for event in events)

    def stats(self) -> CotStats:
        """A snapshot of the counters."""
        with self._lock:
            return CotStats(
                pending=len(self._pending),
                last_error=self._last_error,
                connected=self._connected,
                **self._counts,
            )

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until the queue is empty (``True``) or ``timeout_s`` has passed (``False``)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(0.01)
        with self._lock:
            return not self._pending

    def close(self, timeout_s: float = 5.0) -> CotStats:
        """Send what is queued (for at most ``timeout_s``), stop the thread, return the stats.

        Events still queued then are counted as dropped.
        """
        if self._thread is not None:
            self.flush(timeout_s)
        with self._lock:
            self._closing = True
            self._counts["dropped"] += len(self._pending)
            self._pending.clear()
        self._notify()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        return self.stats()

    def __enter__(self) -> CotSender:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _notify(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just stopped
                loop.call_soon_threadsafe(wake.set)

    # The background thread's side.

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as error:  # never let the thread die silently
            log.exception("CoT sender to %s stopped: %s", self.url, error)
            self._failed(error)

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._ready.set()
        backoff_s = self.backoff_initial_s
        retry = False
        while not self._closing:
            if retry:
                with self._lock:
                    self._counts["reconnects"] += 1
            try:
                connection = await self._connect()
            except (TimeoutError, OSError) as error:
                self._failed(error)
                retry = True
                await self._sleep(backoff_s)
                backoff_s = min(backoff_s * 2.0, self.backoff_max_s)
                continue
            with self._lock:
                self._counts["connects"] += 1
                self._connected = True
            log.info("CoT sender connected to %s", self.url)
            backoff_s = self.backoff_initial_s
            watcher = asyncio.create_task(connection.watch())
            try:
                await self._pump(connection)
                retry = False
            except (OSError, ConnectionError) as error:
                self._failed(error)
                retry = True
            finally:
                watcher.cancel()
                connection.close()
                with self._lock:
                    self._connected = False
            if retry:
                await self._sleep(backoff_s)
                backoff_s = min(backoff_s * 2.0, self.backoff_max_s)

    async def _pump(self, connection: _Connection) -> None:
        """Write queued events until closing; raises when the connection fails."""
        assert self._wake is not None
        while True:
            with self._lock:
                data = self._pending[0] if self._pending else None
            if data is None:
                if self._closing:
                    return
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), 0.5)
                if connection.lost.is_set():
                    raise ConnectionError("connection closed by the peer")
                continue
            await connection.send(data)
            with self._lock:
                if self._pending and self._pending[0] is data:
                    self._pending.popleft()
                self._counts["sent"] += 1

    async def _connect(self) -> _Connection:
        if self.scheme in ("tcp", "tls"):
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.host,
                    self.port,
                    ssl=self._ssl,
                    server_hostname=self.destination.server_name if self._ssl else None,
                ),
                self.connect_timeout_s,
            )
            return _Connection(writer=writer, reader=reader)
        infos = await asyncio.get_running_loop().getaddrinfo(
            self.host, self.port, type=socket.SOCK_DGRAM
        )
        family, _, _, _, address = infos[0]
        host, port = address[0], address[1]
        if not isinstance(host, str) or not isinstance(port, int):
            raise OSError(f"{self.host} has no IP address")
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        if ipaddress.ip_address(host).is_multicast:
            level, option = (
                (socket.IPPROTO_IP, socket.IP_MULTICAST_TTL)
                if family == socket.AF_INET
                else (socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS)
            )
            sock.setsockopt(level, option, self.multicast_ttl)
            if self.destination.interface is not None and family == socket.AF_INET:
                interface = socket.inet_aton(self.destination.interface)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, interface)
        return _Connection(sock=sock, address=(host, port))

    async def _sleep(self, seconds: float) -> None:
        """Wait before retrying, cut short when closing."""
        deadline = time.monotonic() + seconds
        while not self._closing and time.monotonic() < deadline:
            await asyncio.sleep(min(0.05, deadline - time.monotonic()))

    def _failed(self, error: BaseException) -> None:
        text = f"{type(error).__name__}: {error}"
        with self._lock:
            self._counts["failures"] += 1
            self._last_error = text
            self._connected = False
            failures = self._counts["failures"]
        # Log the first failures in full, then only every hundredth.
        if failures <= 3 or failures % 100 == 0:
            log.warning("CoT sender to %s: %s (failure %d)", self.url, text, failures)
