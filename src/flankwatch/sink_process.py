"""The alerts and the sinks of a run in a process of their own.

After the response, a window's alerts, counts, evaluation, recording and streams
(CoT, ASTERIX) change nothing upstream: the next window's simulation, tracking,
assessment and response never wait for them. :class:`SinksApart` runs them in a
child process (:func:`serve`): the run's own process sends each window's picture
(without its alerts) and truth there and goes on at once to the next window; the
child adds the window's alerts with the alert stage, by the run's own random stream
for alerts, and hands the picture to the same sinks a run in one process has
(:class:`~flankwatch.run_sinks.RunSinks`), in the same order. Every output is the
same, byte for byte, and the child sends back the run's summary.

The windows travel on a pipe that the run's own thread writes, widened to
:data:`~flankwatch.processes.PIPE_BYTES`. A multiprocessing queue would pickle and write
them in a thread of its own, which contends with the run for the interpreter at every
window: on the Polish night's first two hours the run's simulation, tracking and
assessment then took a quarter more CPU time than in one process.

The child ignores SIGINT (Ctrl-C stops the run in the parent, which has the child keep
what its sinks wrote, as a failed run in one process does), and ends when the parent
asks, when the parent is gone, or after a sink or the alert stage fails (the error goes
back to the parent, which raises it at its next window or at the end).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from flankwatch.loop import Picture, SinkBase, SourceInfo
from flankwatch.processes import sendable, widen
from flankwatch.run_sinks import RunSinks, alert_engine
from flankwatch.sim.truth import TruthBatch
from flankwatch.stages import AlertStage
from flankwatch.store.recording import mark_failed
from flankwatch.summary import RunSummary

if TYPE_CHECKING:
    from flankwatch.pipeline import RunOptions

log = logging.getLogger(__name__)

LOOK_S = 1.0
"""How often either side, waiting for the other, looks whether it is still there, s."""
END_WAIT_S = 60.0
"""How long the child is given to end once it has sent the summary or been told the run
failed (its sinks keep what they wrote), s; then it is terminated."""


class SinkProcessError(RuntimeError):
    """The sinks' process failed or ended before the run did."""


class SinksApart:
    """The alert stage and the sinks of a run in a child process (see the module
    docstring); a context manager that starts the child, waits until its sinks are
    made (raising what stopped them, such as a recording folder that is not free), and
    always ends it.

    ``alert_stream`` is the run's random stream for alerts; the other arguments are
    those of :class:`~flankwatch.run_sinks.RunSinks`.
    """

    def __init__(
        self,
        info: SourceInfo,
        options: RunOptions,
        out: Path | None,
        metadata: dict[str, Any] | None,
        alert_stream: int,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        child_end, self._requests = context.Pipe(duplex=False)
        widen(self._requests)
        self._results: Any = context.Queue()
        self._process = context.Process(
            target=serve,
            args=(
                info,
                options,
                out,
                metadata,
                alert_stream,
                child_end,
                self._results,
                os.getpid(),
            ),
            name="flankwatch-sinks",
            daemon=True,
        )
        self._out = out
        self.summary: RunSummary | None = None
        """The run's summary, once the sinks have closed."""

    def __enter__(self) -> SinksApart:
        self._process.start()
        try:
            kind, value = self._answer("to start")
            if kind != "ready":
                self._fail(kind, value)
        except BaseException as error:
            self.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process.is_alive():
            self._process.join(END_WAIT_S)
        if self._process.is_alive():
            log.warning("the sinks' process did not end; terminating it")
            self._process.terminate()
            self._process.join(END_WAIT_S)
        code = self._process.exitcode
        if self._out is not None and code is not None and code != 0:
            # killed, the child could not say so in its recording
            mark_failed(self._out, f"the sinks' process ended (exit code {code})")
        self._requests.close()
        self._results.close()

    def sink(self) -> _ForwardingSink:
        """The sink that sends each window to the child."""
        return _ForwardingSink(self)

    def send(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Send a window to the child, first raising a failure it reported (returns at once
        unless the child is a pipe's worth of windows behind)."""
        try:
            kind, value = self._results.get_nowait()
        except queue.Empty:
            pass
        else:
            self._fail(kind, value)
        self._send((picture, truth))

    def close(self) -> None:
        """The run has ended: the child closes its sinks; keeps the run's summary."""
        self._send(None)
        kind, value = self._answer("at the end of the run")
        if kind != "done":
            self._fail(kind, value)
        self.summary = value

    def abort(self, error: BaseException) -> None:
        """The run failed with ``error``: the child's sinks keep what they wrote."""
        try:
            self._requests.send(("abort", sendable(error)))
        except OSError:  # the child has ended already
            pass

    def _send(self, request: Any) -> None:
        """Send ``request`` to the child, raising what it reported if it has ended."""
        try:
            self._requests.send(request)
        except OSError:  # the child's end is closed: it failed, or was ended
            kind, value = self._answer("while the run went on", LOOK_S)
            self._fail(kind, value)

    def _answer(self, when: str, patience_s: float = np.inf) -> tuple[str, Any]:
        """The child's next message, waiting for it while the child lives."""
        waited = 0.0
        while True:
            try:
                answer: tuple[str, Any] = self._results.get(timeout=LOOK_S)
                return answer
            except queue.Empty:
                waited += LOOK_S
                if not self._process.is_alive() or waited > patience_s:
                    raise SinkProcessError(
                        f"the sinks' process ended (exit code {self._process.exitcode}) {when}"
                    ) from None

    @staticmethod
    def _fail(kind: str, value: Any) -> None:
        """Raise what the child reported: its error, naming its window if it had one."""
        index, error = value
        if index is None:
            raise error
        raise SinkProcessError(
            f"the alerts or sinks failed at window {index}: {type(error).__name__}: {error}"
        ) from error


class _ForwardingSink(SinkBase):
    """Each window to the sinks' process (see :meth:`SinksApart.sink`)."""

    def __init__(self, apart: SinksApart) -> None:
        self.apart = apart

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Send the window on."""
        self.apart.send(picture, truth)

    def close(self) -> None:
        """Have the child close its sinks."""
        self.apart.close()

    def abort(self, error: BaseException) -> None:
        """Have the child's sinks keep what they wrote."""
        self.apart.abort(error)


def serve(
    info: SourceInfo,
    options: RunOptions,
    out: Path | None,
    metadata: dict[str, Any] | None,
    alert_stream: int,
    requests: Any,
    results: Any,
    parent_pid: int,
) -> None:
    """The child's body: make the alert stage and the sinks, answer ``("ready", None)``
    (or ``("failed", (None, error))``), then take each ``(picture, truth)`` from
    ``requests`` through the alert stage into the sinks; on ``None`` close the sinks and
    answer ``("done", summary)``; on ``("abort", error)`` have the sinks keep what they
    wrote. A failure is answered ``("failed", (window index, error))`` and ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        engine = alert_engine(info, options)
        stage = AlertStage(engine)
        sinks = RunSinks(info, options, engine, out, metadata)
    except Exception as error:  # sent to the parent, which raises it
        results.put(("failed", (None, sendable(error))))
        return
    rng = np.random.default_rng(np.random.SeedSequence(info.seed, spawn_key=(alert_stream,)))
    every = sinks.ordered((), ())
    results.put(("ready", None))
    index = -1
    try:
        while True:
            try:
                if not requests.poll(LOOK_S):
                    if os.getppid() != parent_pid:
                        raise EOFError
                    continue
                request = requests.recv()
            except EOFError:  # the run's end of the pipe is gone, or the run itself
                raise SinkProcessError("the run's process is gone") from None
            if request is None:
                for sink in every:
                    sink.close()
                results.put(("done", sinks.summary()))
                return
            if request[0] == "abort":
                for sink in every:
                    sink.abort(request[1])
                return
            picture, truth = request
            index = picture.window.index
            picture = stage.step(picture, picture.window.t1_s, rng)
            for sink in every:
                sink.consume(picture, truth)
    except Exception as error:  # sent to the parent, which raises it
        for sink in every:
            sink.abort(error)
        results.put(("failed", (index, sendable(error))))
    finally:
        sinks.release()
