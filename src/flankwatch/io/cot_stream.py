"""Sending CoT events to a TAK server or a multicast group, in the background.

:class:`CotSender` owns a thread running an asyncio loop. The run hands it
events with :meth:`CotSender.send`, which never blocks and never raises: events
wait in a bounded queue (the oldest are dropped, and counted, when it is full)
and are written as they come, back to back as XML (the TAK streaming
protocol). A refused, failed or dropped connection is retried with exponential
backoff; every failure is counted and logged, and reported by
:meth:`CotSender.stats` as a :class:`CotStats`.

Destinations are URLs: ``tcp://host:port`` (a TAK server's plain TCP input,
8087 by default in TAK) or ``udp://host:port``; a multicast group
(``udp://239.2.3.1:6969``, the TAK default) is sent to with the given TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["CotSender", "CotStats", "parse_cot_url"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CotStats:
    """What a sender has done so far.

    ``sent``: events written to the network; ``dropped``: events thrown away
    (queue full, or still queued when the sender closed); ``pending``: events
    waiting; ``connects``: connections made; ``reconnects``: attempts made
    again after a refused or failed attempt or a dropped connection;
    ``failures``: attempts refused or failed and connections dropped;
    ``last_error``: the latest failure, ``""`` if none; ``connected``: whether
    a connection is open now.
    """

    sent: int = 0
    dropped: int = 0
    pending: int = 0
    connects: int = 0
    reconnects: int = 0
    failures: int = 0
    last_error: str = ""
    connected: bool = False


def parse_cot_url(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a ``tcp://host:port`` or ``udp://host:port`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("tcp", "udp") or not parts.hostname or parts.port is None:
        raise ValueError(f"a CoT destination is tcp://host:port or udp://host:port, not {url!r}")
    return parts.scheme, parts.hostname, parts.port


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

    Use as a context manager, or call :meth:`start` and :meth:`close`.
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
        self.scheme, self.host, self.port = parse_cot_url(url)
        self.url = url
        self.queue_size = queue_size
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.connect_timeout_s = connect_timeout_s
        self.multicast_ttl = multicast_ttl
        self._lock = threading.Lock()
        self._pending: deque[bytes] = deque()
        self._counts = {"sent": 0, "dropped": 0, "connects": 0, "reconnects": 0, "failures": 0}
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
        """Queue one event; ``False`` if the queue was full and the oldest was dropped."""
        data = event.encode("utf-8") if isinstance(event, str) else bytes(event)
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
                await self._sleep(backoff_s)
                backoff_s = min(backoff_s * 2.0, self.backoff_max_s)
            finally:
                watcher.cancel()
                connection.close()
                with self._lock:
                    self._connected = False

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
        if self.scheme == "tcp":
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self.connect_timeout_s
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
            failures = self._counts["failures"]
        # Log the first failures in full, then only every hundredth.
        if failures <= 3 or failures % 100 == 0:
            log.warning("CoT sender to %s: %s (failure %d)", self.url, text, failures)
