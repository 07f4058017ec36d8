"""A live feed as a source of the run loop: inputs merged into time-ordered windows.

:class:`LiveSource` reads every input (see :mod:`flankwatch.live.inputs`), decodes
it (:mod:`flankwatch.live.decoders`, :mod:`flankwatch.live.asterix`), makes its plots
(:mod:`flankwatch.live.plots`; input *k* is sensor *k*) and yields them in windows of ``batch_s``:

- socket inputs are read in threads and timed on reception; a window is cut when
  the clock passes its end (plus :data:`LATENCY_S`), so the run keeps pace with the
  feed; the run ends after ``duration_s``, or when :meth:`LiveSource.stop` is called;
- file inputs are read as fast as they go, timed by their own timestamps; a window
  is cut when every unfinished file has reached its end; the run ends with the
  files (or after ``duration_s`` of their data).

Mixing the two kinds is refused (their clocks have nothing in common). Bad input
never stops the run: every skipped unit is counted by kind for its input
(:attr:`LiveSource.stats`) and logged with its position in the input (the first
:data:`LOGGED_SKIPS` of each input as warnings, the rest at debug level). A plot
older than the window being filled (a late report) is counted as ``late`` and
dropped; one timed implausibly far ahead is skipped by its decoder as ``future``
(:class:`~flankwatch.live.decoders.TimeGuard`), so that it moves no input's time on
and the windows do not run ahead to it. An input silent for longer than ``stale_s``
is reported stale (once, until data comes again). A live feed has no truth, and stage
effects are ignored.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import queue
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from flankwatch.deployment import Deployment
from flankwatch.io.adsb import AdsbReports, Skip
from flankwatch.live.capture import is_capture
from flankwatch.live.decoders import (
    DECODERS,
    HEAD_UNITS,
    JsonSplitter,
    StreamDecoder,
    plausible_start_s,
    sbs_epoch_s,
)
from flankwatch.live.inputs import InputError, InputSpec
from flankwatch.live.plots import PlotMaker
from flankwatch.live.transport import (
    Backoff,
    Broken,
    Chunk,
    Link,
    Message,
    RunClock,
    TcpReader,
    UdpReader,
    capture_epochs_s,
    file_messages,
)
from flankwatch.loop import Effect, SourceInfo, Window
from flankwatch.sim.truth import TruthBatch
from flankwatch.stream import PlotBatch

if TYPE_CHECKING:
    from flankwatch.live.asterix import AsterixDecoder

log = logging.getLogger(__name__)

LATENCY_S = 0.05
"""How long after a window's end (s, on the clock) socket data is still waited for."""
LOGGED_SKIPS = 10
"""Skips of each input logged as warnings; the rest are logged at debug level."""
RECEIVER_RANGE_M = 400_000.0
"""Range given to a receiver in the sensor table, m (assumed: line of sight to aircraft at
cruise altitude, as the catalogue's ADS-B ground station)."""
RECEIVER_PERIOD_S = 1.0
"""Revisit period given to a receiver in the sensor table, s (assumed: position messages
come about twice a second)."""
PRESCAN_BYTES = 4 * 2**20
"""Bytes of a file read at the start to find its first timestamp."""
_JOIN_S = 2.0


@dataclass
class InputStats:
    """What one input has produced so far."""

    spec: str
    bytes: int = 0
    reports: int = 0
    plots: int = 0
    skips: Counter[str] = field(default_factory=Counter)
    """Skipped units by kind (the decoders' kinds, and ``late`` and ``no_height`` plots)."""
    connects: int = 0
    drops: int = 0
    """Connections lost or refused."""
    stale: bool = False
    stale_periods: int = 0
    last_data_s: float = 0.0
    """When data last came, s since the run's start."""
    ended: str = ""
    """Why the input ended ("" while it goes on)."""


class LiveSource:
    """Live inputs as a :class:`~flankwatch.loop.Source`; see the module docstring.

    ``deployment``: the deployment defended; its ``start`` is replaced by the run's
    start (the clock's for sockets, the first timestamp of the files, else the
    deployment's own). Use as a context manager, or call :meth:`close`, so that the
    sockets are closed even if no window is ever read. Raises :class:`InputError`
    for inputs that cannot be used (mixed kinds, a socket that cannot listen, an
    unreadable capture, a format not supported).
    """

    def __init__(
        self,
        specs: Sequence[InputSpec],
        deployment: Deployment,
        *,
        batch_s: float = 1.0,
        duration_s: float | None = None,
        stale_s: float = 30.0,
        backoff: Backoff | None = None,
        name: str = "live",
    ) -> None:
        if not specs:
            raise InputError("no --input given")
        kinds = {spec.is_socket for spec in specs}
        if len(kinds) > 1:
            raise InputError("--input: socket and file inputs cannot be mixed in one run")
        if not batch_s > 0.0 or (duration_s is not None and not duration_s > 0.0):
            raise ValueError("batch_s and duration_s must be above 0 s")
        self.specs = list(specs)
        self.realtime = specs[0].is_socket
        self.batch_s = batch_s
        self.duration_s = duration_s if duration_s is not None else math.inf
        self.stale_s = stale_s
        self.clock = RunClock()
        start_epoch_s: float | None
        if self.realtime:
            firsts: list[float | None] = [None] * len(specs)
            start_epoch_s = self.clock.start_epoch_s
        else:
            firsts = [_first_epoch_s(spec, deployment.start) for spec in specs]
            found = [first for first in firsts if first is not None]
            start_epoch_s = float(math.floor(min(found))) if found else None
        if start_epoch_s is None:
            log.info("no timestamp in the files: t_s = 0 is the deployment's start")
            start_epoch_s = deployment.start.timestamp()
        self.start_epoch_s = start_epoch_s
        deployment = deployment.model_copy(
            update={"start": datetime.fromtimestamp(start_epoch_s, UTC)}
        )
        self.frame = deployment.frame
        self.stats = [InputStats(spec.text) for spec in specs]
        self.ignored_effects = 0
        self._stop = threading.Event()
        self._queue: queue.Queue[Message] = queue.Queue()
        receivers = [self._receiver(spec) for spec in specs]
        self._decoders: list[StreamDecoder | AsterixDecoder] = [
            _asterix_decoder()(k, deployment.start, self.frame, spec.receiver_deg, position)
            if spec.format == "asterix"
            else DECODERS[spec.format](start_epoch_s, spec.receiver_deg)
            for k, (spec, (_, position)) in enumerate(zip(specs, receivers, strict=True))
        ]
        for decoder, first in zip(self._decoders, firsts, strict=True):
            if first is not None:  # a file's first unit far ahead of the rest is refused too
                decoder.guard.expect(first - start_epoch_s)
        self._makers = [
            PlotMaker(k, self.frame, position, spec.sigma_m)
            for k, (spec, (_, position)) in enumerate(zip(specs, receivers, strict=True))
        ]
        self._pending: list[PlotBatch] = []
        self._t0_s = 0.0
        self._threads: list[TcpReader | UdpReader] = []
        self._files: dict[int, Iterator[Message]] = {}
        self._reached_s = [-math.inf] * len(specs)
        if self.realtime:
            backoff = backoff or Backoff()
            for k, spec in enumerate(specs):
                if spec.scheme == "udp":
                    try:
                        self._threads.append(
                            UdpReader(k, spec, self._queue, self.clock, self._stop)
                        )
                    except InputError:
                        self.close()
                        raise
                else:
                    self._threads.append(
                        TcpReader(k, spec, self._queue, self.clock, self._stop, backoff)
                    )
        else:
            self._files = {k: file_messages(k, spec, start_epoch_s) for k, spec in enumerate(specs)}
        self.info = SourceInfo(
            name=name,
            seed=0,
            deployment=deployment,
            sensors=_sensor_table(specs, [lat_lon for lat_lon, _ in receivers]),
            duration_s=self.duration_s,
            batch_s=batch_s,
            exercise=False,
            live=True,
        )
        for thread in self._threads:  # sockets are read from the clock's start on
            thread.start()

    @property
    def ports(self) -> list[int]:
        """The port each UDP input listens on (0 for other inputs)."""
        ports = {t.index: t.port for t in self._threads if isinstance(t, UdpReader)}
        return [ports.get(k, 0) for k in range(len(self.specs))]

    def __enter__(self) -> LiveSource:
        return self

    def __exit__(
        self, kind: type | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def stop(self) -> None:
        """End the run after the window being filled (safe from any thread)."""
        self._stop.set()

    def close(self) -> None:
        """Stop the readers, close their sockets, and wait for them to end."""
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(_JOIN_S)
            elif isinstance(thread, UdpReader):  # not started: its socket is still open
                thread.socket.close()
        for messages in self._files.values():
            close = getattr(messages, "close", None)
            if close is not None:
                close()

    def apply(self, effects: Sequence[Effect]) -> None:
        """A live feed cannot be changed: effects are counted and otherwise ignored."""
        self.ignored_effects += len(effects)

    def windows(self) -> Iterator[tuple[Window, TruthBatch | None]]:
        """Windows of ``batch_s`` until the inputs end, the duration passes or
        :meth:`stop` is called; no truth."""
        try:
            index = 0
            while True:
                t0 = index * self.batch_s
                t1 = min(t0 + self.batch_s, self.duration_s)
                self._t0_s = t0
                going = self._fill_realtime(t1) if self.realtime else self._fill_files(t1)
                plots = self._take(t1)
                self._check_stale(t1)
                yield Window(index, t0, t1, plots), None
                index += 1
                if t1 >= self.duration_s or not (going or self._pending):
                    break
        finally:
            self.close()
            self._drain()

    def _fill_realtime(self, t1_s: float) -> bool:
        """Handle socket messages until the clock passes ``t1_s``; False once stopped."""
        while not self._stop.is_set():
            wait_s = t1_s + LATENCY_S - self.clock.now_s()
            if wait_s <= 0.0:  # and what came while the run was busy is this window's too
                self._handle_queued()
                return True
            try:
                message = self._queue.get(timeout=min(wait_s, 0.2))
            except queue.Empty:
                continue
            self._handle(message)
        self._drain()
        return False

    def _handle_queued(self) -> None:
        """Handle the messages queued now (not those coming in meanwhile: a busy feed
        would never let the window end)."""
        for _ in range(self._queue.qsize()):
            try:
                self._handle(self._queue.get_nowait())
            except queue.Empty:
                return

    def _drain(self) -> None:
        """Handle the messages already queued."""
        while True:
            try:
                self._handle(self._queue.get_nowait())
            except queue.Empty:
                return

    def _fill_files(self, t1_s: float) -> bool:
        """Read the files until each has data past ``t1_s`` or has ended; False once all
        have ended (or :meth:`stop` was called)."""
        while self._files and not self._stop.is_set():
            behind = [k for k in self._files if self._reached_s[k] < t1_s]
            if not behind:
                return True
            for k in behind:
                message = next(self._files[k])
                self._handle(message)
                if isinstance(message, Broken) and message.final:
                    del self._files[k]
        return False

    def _handle(self, message: Message) -> None:
        k = message.index
        stats, spec = self.stats[k], self.specs[k]
        if isinstance(message, Link):
            if message.event == "connected":
                stats.connects += 1
                log.info("input %d (%s): connected to %s", k, spec.text, message.detail)
            else:
                stats.drops += 1
                what = "connection lost" if message.event == "lost" else "cannot connect"
                log.warning(
                    "input %d (%s): %s (%s); retrying in %.1f s",
                    k, spec.text, what, message.detail, message.retry_s,
                )  # fmt: skip
            return
        decoder = self._decoders[k]
        asterix = spec.format == "asterix"  # only then is the ASTERIX decoder imported
        if isinstance(message, Chunk):
            stats.bytes += len(message.data)
            reports, skips = decoder.feed(message.data, message.received_s)
            if message.whole:
                if asterix and isinstance(decoder, _asterix_decoder()):  # the datagram's plots
                    self._accept_plots(k, decoder.plots)
                more, more_skips = decoder.end(message.received_s)
                reports, skips = AdsbReports.concat([reports, more]), skips + more_skips
            if message.received_s is not None:
                self._heard(k, message.received_s)
        else:
            reports, skips = decoder.end(message.received_s)
            if message.final:
                stats.ended = message.reason
                log.info("input %d (%s): %s", k, spec.text, message.reason)
        self._accept(k, reports, skips)
        if asterix and isinstance(decoder, _asterix_decoder()):
            self._accept_plots(k, decoder.plots)

    def _accept(self, k: int, reports: AdsbReports, skips: list[Skip]) -> None:
        """Count the skips, drop late reports and turn the rest into pending plots."""
        stats = self.stats[k]
        for skip in skips:
            stats.skips[str(skip.kind)] += 1
            level = logging.WARNING if stats.skips.total() <= LOGGED_SKIPS else logging.DEBUG
            log.log(
                level, "input %d (%s): skipped at %d: %s: %s",
                k, stats.spec, skip.at, skip.kind, skip.message,
            )  # fmt: skip
        stats.reports += len(reports)
        if not len(reports):
            return
        late = self._late(k, reports.t_s)
        if np.any(late):
            stats.skips["late"] += int(np.count_nonzero(late))
            reports = reports.take(~late)
        maker = self._makers[k]
        before = maker.without_height
        plots = PlotBatch.from_parts([maker.plots(reports)])
        if maker.without_height > before:
            stats.skips["no_height"] += maker.without_height - before
        stats.plots += len(plots)
        if len(plots):
            self._pending.append(plots)

    def _accept_plots(self, k: int, plots: PlotBatch) -> None:
        """Take plots an input made itself (ASTERIX radar plots and tracks), late ones
        counted and dropped."""
        if not len(plots):
            return
        late = self._late(k, plots.t_s)
        if np.any(late):
            self.stats[k].skips["late"] += int(np.count_nonzero(late))
            plots = plots.take(~late)
        self.stats[k].reports += len(plots)
        self.stats[k].plots += len(plots)
        self._pending.append(plots)

    def _late(self, k: int, t_s: np.ndarray) -> np.ndarray:
        """Which of input ``k``'s report times (in input order) are late: before the
        window being filled, or before the window of a later time the input already gave
        (so that how a file is cut into chunks changes nothing)."""
        reached = np.maximum.accumulate(np.concatenate(([self._reached_s[k]], t_s)))
        self._reached_s[k] = float(reached[-1])
        window_start = np.floor(reached[:-1] / self.batch_s) * self.batch_s
        return t_s < np.maximum(window_start, self._t0_s)

    def _heard(self, k: int, t_s: float) -> None:
        stats = self.stats[k]
        if stats.stale:
            log.info(
                "input %d (%s): data again after %.0f s", k, stats.spec, t_s - stats.last_data_s
            )
            stats.stale = False
        stats.last_data_s = max(stats.last_data_s, t_s)

    def _take(self, t1_s: float) -> PlotBatch:
        """The pending plots before ``t1_s``, in time order; the rest stay pending."""
        pending = PlotBatch.concat(self._pending).sorted_by_time()
        split = int(np.searchsorted(pending.t_s, t1_s, side="left"))
        rest = pending.take(np.arange(split, len(pending)))
        self._pending = [rest] if len(rest) else []
        window = pending.take(np.arange(split))
        if not self.realtime:  # a file is heard when its data's time comes
            for k in np.unique(window.sensor_id):
                self._heard(int(k), float(window.t_s[window.sensor_id == k][-1]))
        return window

    def _check_stale(self, now_s: float) -> None:
        for k, stats in enumerate(self.stats):
            if stats.ended or stats.stale or now_s - stats.last_data_s <= self.stale_s:
                continue
            stats.stale = True
            stats.stale_periods += 1
            log.warning(
                "input %d (%s): no data for %.0f s: stale", k, stats.spec, now_s - stats.last_data_s
            )

    def _receiver(self, spec: InputSpec) -> tuple[tuple[float, float], np.ndarray]:
        """The receiver's latitude and longitude (deg; the frame's origin if not given)
        and its position in the frame (ENU, m)."""
        lat, lon = spec.receiver_deg or (self.frame.lat_deg, self.frame.lon_deg)
        return (lat, lon), self.frame.geodetic_to_enu(lat, lon, 0.0).reshape(3)


def _sensor_table(specs: Sequence[InputSpec], positions: Sequence[tuple[float, float]]) -> pa.Table:
    """One row per input: a receiver at the given latitude and longitude (deg)."""
    n = len(specs)
    return pa.table(
        {
            "sensor_id": pa.array(range(n), pa.int32()),
            "name": [spec.name or spec.text for spec in specs],
            "type": ["adsb-receiver"] * n,
            "kind": ["adsb"] * n,
            "platform": ["ground"] * n,
            "lat_deg": [lat for lat, _ in positions],
            "lon_deg": [lon for _, lon in positions],
            "height_m": [0.0] * n,
            "range_m": [RECEIVER_RANGE_M] * n,
            "scan_period_s": [RECEIVER_PERIOD_S] * n,
            "active_from_s": [0.0] * n,
            "active_until_s": [math.inf] * n,
        }
    )


def _asterix_decoder() -> type[AsterixDecoder]:
    """The ASTERIX decoder class, imported when first needed: libasterix takes seconds
    to import, and most runs read no ASTERIX."""
    from flankwatch.live.asterix import AsterixDecoder

    return AsterixDecoder


def _first_epoch_s(spec: InputSpec, day: datetime) -> float | None:
    """Where a file input's time starts (Unix time, s; ASTERIX times of day put on the date
    nearest ``day``): of the first timestamps in its head, the earliest that the others
    bear out (:func:`~flankwatch.live.decoders.plausible_start_s`); None if its format has
    no time or its head none."""
    assert spec.path is not None
    if is_capture(spec.path):
        return plausible_start_s(capture_epochs_s(spec, HEAD_UNITS))
    if spec.format == "asterix":
        from flankwatch.live.asterix import asterix_epochs_s

        with spec.path.open("rb") as file:
            return plausible_start_s(asterix_epochs_s(file.read(PRESCAN_BYTES), day))
    if spec.format not in ("sbs", "readsb-json"):
        return None
    with spec.path.open("rb") as file:
        head = file.read(PRESCAN_BYTES).decode("utf-8", "replace")
    if spec.format == "sbs":
        times = map(sbs_epoch_s, head.splitlines())
    else:
        times = map(_json_now, JsonSplitter().feed(head)[0])
    found = (t for t in times if t is not None)
    return plausible_start_s(list(itertools.islice(found, HEAD_UNITS)))


def _json_now(text: str) -> float | None:
    """The ``now`` (Unix time, s) of a JSON document, if it has a finite one."""
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None
    now = parsed.get("now") if isinstance(parsed, dict) else None
    if isinstance(now, int | float) and not isinstance(now, bool) and math.isfinite(now):
        return float(now)
    return None
