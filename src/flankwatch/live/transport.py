"""Getting an input's bytes: socket readers in threads, and files read as fast as read.

Everything an input produces is a :data:`Message`: a :class:`Chunk` of bytes, a
:class:`Broken` stream (a dropped connection, the end of a file) or a :class:`Link`
event of a connection (connected, lost, retrying after a delay). Socket readers put
them on a queue shared by all inputs; a file is read on demand
(:func:`file_messages`). Times are seconds since the run's start: a socket's
reception time on the :class:`RunClock`, a capture's packet time, or None for a
plain file (its format's own timestamps then time it).

A TCP input connects as a client of the receiver and, when the connection cannot be
made or drops, tries again after a delay doubling from ``backoff.first_s`` up to
``backoff.max_s`` (reset once connected). A UDP input binds its address when it is
made (a bad address fails at once) and joins a multicast group.
"""

from __future__ import annotations

import itertools
import queue
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from flankwatch.live.capture import CaptureError, CaptureReader, is_capture
from flankwatch.live.inputs import InputError, InputSpec

READ_BYTES = 65_536
"""Bytes read from a socket or a file at a time."""
POLL_S = 0.2
"""How often a blocked reader looks whether it must stop, s."""
CONNECT_TIMEOUT_S = 5.0
"""Longest wait for a TCP connection to be made, s."""


@dataclass(frozen=True)
class Chunk:
    """Bytes of input ``index`` received at ``received_s`` (None: a plain file's);
    ``whole``: a datagram, complete in itself."""

    index: int
    data: bytes
    received_s: float | None
    whole: bool = False


@dataclass(frozen=True)
class Broken:
    """The stream of input ``index`` broke at ``received_s``; ``final``: no more will come."""

    index: int
    received_s: float | None
    final: bool
    reason: str


@dataclass(frozen=True)
class Link:
    """A connection event of input ``index``: ``connected``, ``failed`` (connecting
    failed; trying again in ``retry_s``) or ``lost`` (trying again in ``retry_s``)."""

    index: int
    event: str
    detail: str
    retry_s: float = 0.0


Message = Chunk | Broken | Link
"""What an input produces."""


class RunClock:
    """Seconds since the run's start, from a monotonic clock; ``start_epoch_s`` is the
    Unix time of the start."""

    def __init__(self) -> None:
        self.start_epoch_s = time.time()
        self._start = time.monotonic()

    def now_s(self) -> float:
        """Seconds since the run's start."""
        return time.monotonic() - self._start


@dataclass(frozen=True)
class Backoff:
    """Delays between connection attempts: ``first_s`` doubling up to ``max_s``, s."""

    first_s: float = 0.5
    max_s: float = 30.0

    def delay_s(self, failures: int) -> float:
        """The delay after ``failures`` attempts in a row have failed (1 or more), s."""
        return min(self.first_s * 2.0 ** (failures - 1), self.max_s)


class TcpReader(threading.Thread):
    """Connects to a receiver and puts what it sends on ``out``, reconnecting as needed."""

    def __init__(
        self,
        index: int,
        spec: InputSpec,
        out: queue.Queue[Message],
        clock: RunClock,
        stop: threading.Event,
        backoff: Backoff,
    ) -> None:
        super().__init__(name=f"live-input-{index}", daemon=True)
        self.index, self.spec, self.out = index, spec, out
        self.clock, self.stop, self.backoff = clock, stop, backoff

    def run(self) -> None:
        """Connect, read, and connect again, until told to stop."""
        failures = 0
        while not self.stop.is_set():
            try:
                connection = socket.create_connection(
                    (self.spec.host, self.spec.port), timeout=CONNECT_TIMEOUT_S
                )
            except OSError as error:
                failures += 1
                delay = self.backoff.delay_s(failures)
                self.out.put(Link(self.index, "failed", _reason(error), delay))
                self.stop.wait(delay)
                continue
            failures = 0
            self.out.put(Link(self.index, "connected", f"{self.spec.host}:{self.spec.port}"))
            with connection:
                reason = self._read(connection)
            if self.stop.is_set():
                break
            self.out.put(Broken(self.index, self.clock.now_s(), final=False, reason=reason))
            failures = 1
            delay = self.backoff.delay_s(failures)
            self.out.put(Link(self.index, "lost", reason, delay))
            self.stop.wait(delay)

    def _read(self, connection: socket.socket) -> str:
        """Read until the connection drops (returns why) or the reader must stop."""
        connection.settimeout(POLL_S)
        while not self.stop.is_set():
            try:
                data = connection.recv(READ_BYTES)
            except TimeoutError:
                continue
            except OSError as error:
                return _reason(error)
            if not data:
                return "closed by the receiver"
            self.out.put(Chunk(self.index, data, self.clock.now_s()))
        return "stopped"


class UdpReader(threading.Thread):
    """Listens on a UDP address or multicast group and puts each datagram on ``out``.

    The socket is bound when the reader is made; :attr:`port` is the port bound (the
    one chosen when the spec asks for port 0).
    """

    def __init__(
        self,
        index: int,
        spec: InputSpec,
        out: queue.Queue[Message],
        clock: RunClock,
        stop: threading.Event,
    ) -> None:
        super().__init__(name=f"live-input-{index}", daemon=True)
        self.index, self.spec, self.out, self.clock, self.stop = index, spec, out, clock, stop
        self.socket = _udp_socket(spec)
        self.port: int = self.socket.getsockname()[1]

    def run(self) -> None:
        """Receive datagrams until told to stop; then close the socket."""
        with self.socket:
            self.socket.settimeout(POLL_S)
            while not self.stop.is_set():
                try:
                    data = self.socket.recv(READ_BYTES)
                except TimeoutError:
                    continue
                except OSError as error:
                    self.out.put(Link(self.index, "failed", _reason(error), POLL_S))
                    self.stop.wait(POLL_S)
                    continue
                self.out.put(Chunk(self.index, data, self.clock.now_s(), whole=True))


def _udp_socket(spec: InputSpec) -> socket.socket:
    """A UDP socket bound to the spec's address (a multicast group joined)."""
    family = socket.AF_INET6 if ":" in spec.host else socket.AF_INET
    if spec.multicast and family == socket.AF_INET6:
        raise InputError(f"--input {spec.text!r}: IPv6 multicast groups are not supported")
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if spec.multicast:
            sock.bind(("", spec.port))
            request = struct.pack("4s4s", socket.inet_aton(spec.host), socket.inet_aton("0.0.0.0"))
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, request)
        else:
            sock.bind((spec.host, spec.port))
    except OSError as error:
        sock.close()
        raise InputError(f"--input {spec.text!r}: cannot listen: {_reason(error)}") from None
    return sock


def file_messages(index: int, spec: InputSpec, start_epoch_s: float) -> Iterator[Message]:
    """The chunks of a file input, as fast as it is read, then its final :class:`Broken`.

    A capture gives one whole chunk per UDP datagram, timed by its capture time
    (``start_epoch_s``: the Unix time of the run's start); any other file gives its
    bytes untimed. Raises :class:`InputError` for a capture that cannot be read.
    """
    assert spec.path is not None
    with spec.path.open("rb") as file:
        if not is_capture(spec.path):
            while data := file.read(READ_BYTES):
                yield Chunk(index, data, None)
            yield Broken(index, None, final=True, reason="end of file")
            return
        try:
            capture = CaptureReader(file, spec.capture_port)
        except CaptureError as error:
            raise InputError(f"--input {spec.text!r}: {error}") from None
        last_s: float | None = None
        for t_epoch_s, payload in capture:
            last_s = t_epoch_s - start_epoch_s
            yield Chunk(index, payload, last_s, whole=True)
        reason = capture.broken or "end of capture"
        if capture.ignored:
            reason += f" ({capture.ignored:,} packets not UDP datagrams to read)"
        yield Broken(index, last_s, final=True, reason=reason)


def capture_epochs_s(spec: InputSpec, most: int) -> list[float]:
    """The Unix times (s) of a capture's first ``most`` UDP datagrams; raises
    :class:`InputError` for a capture that cannot be read."""
    assert spec.path is not None
    with spec.path.open("rb") as file:
        try:
            capture = CaptureReader(file, spec.capture_port)
        except CaptureError as error:
            raise InputError(f"--input {spec.text!r}: {error}") from None
        return [t for t, _ in itertools.islice(capture, most)]


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__
