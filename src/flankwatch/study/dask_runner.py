"""Runs of a study on dask.distributed: a local cluster of processes, or an existing one.

By default a :class:`~dask.distributed.LocalCluster` of ``workers`` processes
(one thread each: a run is single-threaded NumPy work) bound to the loopback
interface, with no dashboard (its scheduler's HTTP server, which Dask always starts, on a
free loopback port rather than 8787, so studies side by side neither clash nor warn), is
started for the study and shut down after it. Its
workers run without Dask's statistical profiler and with a slow event-loop tick
(:data:`QUIET_WORKERS`): both interrupt the run's thread for the interpreter lock, which
cost a study about a fifth of its time. They keep freed memory for reuse
(:mod:`flankwatch.allocator`) instead of Dask's default, which gives it back to the
system at once (a run then paid half as many page faults again and twice the system
time).
With ``scheduler`` (``tcp://HOST:PORT``) the runs go to an existing cluster
whose workers have flankwatch installed (a run carries its scenario and its policy's
rules: no file of the study needs to exist on the workers); runs that record are sent only
once every worker has been seen to share their folder
(:mod:`~flankwatch.study.shared_folder`).

Results come back in the order of the runs given, whatever order they finish
in and however many workers there are, so a study's table does not depend on
the cluster.

Ctrl-C stops a study cleanly: the client cancels the runs, shuts a local cluster down and
raises :class:`StudyInterrupted`. A terminal sends SIGINT to every process of the command,
so a local cluster's processes ignore it (the client stops them), and while the study waits
SIGINT only sets a flag the client looks at between its waits: raised in the middle of
Dask's own calls, it made them log errors on the way out.

Dask does not stop a task already running when its future is cancelled (it marks it
``cancelled`` on its worker), so each run looks at its task's state after every window:
the runs going on the workers end at their next window when the study stops (Ctrl-C, or
a run that failed), on an existing cluster too. The study waits up to
:data:`STOP_WAIT_S` for them and logs a warning naming how many had not ended by then.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dask
from dask.distributed import Client, Future, LocalCluster, Worker, as_completed, get_worker

from flankwatch.allocator import ENVIRON, user_settings
from flankwatch.store.recording import RunInterrupted
from flankwatch.study.runs import RunResult, RunSpec, run_one
from flankwatch.study.shared_folder import check_shared

log = logging.getLogger(__name__)

QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
"""Dask settings of a local cluster's workers: no statistical profiler (it samples the
running thread's stack every 10 ms), an event-loop tick of 1 s instead of 20 ms and a
system monitor read every 5 s instead of 0.5 s (no dashboard shows either)."""


def worker_settings() -> dict[str, object]:
    """Dask settings of a local cluster: :data:`QUIET_WORKERS`, and the workers started with
    the allocator settings of :mod:`flankwatch.allocator` in their environment (in place of
    Dask's own ``MALLOC_TRIM_THRESHOLD_=65536``), unless the user has their own."""
    settings: dict[str, object] = dict(QUIET_WORKERS)
    if not user_settings():
        environ = "distributed.nanny.pre-spawn-environ"
        settings.update({f"{environ}.{name}": value for name, value in ENVIRON.items()})
    return settings


CONNECT_TIMEOUT_S = 10.0
"""How long to wait for an existing scheduler to answer, s."""

SPAWN_TIMEOUT_S = 30.0
"""Longest wait for a local cluster's worker processes to be started, s."""

POLL_S = 0.2
"""How often the client looks for finished runs and for an interrupt while a study runs, s."""

STOP_LOOK_S = 0.05
"""How often a stopping study looks whether its runs going on the workers have ended, s."""

STOP_WAIT_S = 30.0
"""Longest wait for the runs going on the workers to end once a study stops, s (each ends
at its next window, a recording's last part written)."""

Done = Callable[[RunResult], None]
"""Called with each run's result as it finishes."""


class SchedulerError(ValueError):
    """The scheduler given cannot be reached."""


class StudyRunError(RuntimeError):
    """A run of the study failed; the message names its policy and seed."""


class StudyStopped(RunInterrupted):
    """Raised through a run on a worker whose study has stopped."""


class StudyInterrupted(Exception):
    """The study was interrupted (SIGINT, Ctrl-C) after ``finished`` of its ``total`` runs."""

    def __init__(self, finished: int, total: int) -> None:
        super().__init__(f"interrupted after {finished} of {total} runs")
        self.finished = finished
        self.total = total


def default_workers(runs: int) -> int:
    """Worker processes of a local cluster: one per core, no more than there are runs."""
    return max(1, min(os.cpu_count() or 1, runs))


@contextmanager
def study_client(scheduler: str | None, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a local cluster of ``workers``
    processes (started here and shut down on leaving)."""
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as error:
            raise SchedulerError(
                f"cannot reach the Dask scheduler {scheduler!r}: {error}"
            ) from None
        with client:
            yield client
        return
    with (
        dask.config.set(worker_settings()),
        _local_cluster(workers) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _local_cluster(workers: int) -> LocalCluster:
    """A local cluster whose ``workers`` worker processes ignore SIGINT (still starting:
    entering the cluster waits for them).

    A process inherits the ignoring of a signal from the process that starts it, so this
    one ignores SIGINT from asking for the workers until their processes exist (a few
    milliseconds; only from the main thread, where signals are handled).
    """
    cluster = LocalCluster(
        n_workers=0,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.CRITICAL,
    )
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        before = set(multiprocessing.active_children())
        cluster.scale(workers)
        deadline = time.monotonic() + SPAWN_TIMEOUT_S
        while len(set(multiprocessing.active_children()) - before) < workers:
            if time.monotonic() > deadline:
                break  # waiting for the workers will name what went wrong
            time.sleep(0.005)
    except BaseException:
        cluster.close()
        raise
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return cluster


@contextmanager
def _interrupt_flag() -> Iterator[threading.Event]:
    """An event that SIGINT sets while inside, instead of raising KeyboardInterrupt
    wherever the main thread is; off the main thread SIGINT is left as it is."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def run_study(
    specs: Sequence[RunSpec],
    scheduler: str | None = None,
    workers: int | None = None,
    done: Done | None = None,
) -> list[RunResult]:
    """Run every spec on the cluster; results in the order of ``specs``.

    The first run that fails cancels the others; raises :class:`StudyRunError` naming
    it (its error chained). SIGINT (Ctrl-C) cancels them all and raises
    :class:`StudyInterrupted`. Either way the runs going on the workers end at their next
    window; those that have not ended :data:`STOP_WAIT_S` later are counted in a logged
    warning. On an existing cluster, runs that record go out only when every worker
    reads a file written into their folders on this machine; else
    :class:`~flankwatch.study.shared_folder.SharedFolderError` names the workers that do
    not (a ``ValueError``) and no run is sent.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"--workers must be 1 or more, not {workers}")
    with (
        _interrupt_flag() as interrupted,
        study_client(scheduler, workers or default_workers(len(specs))) as client,
    ):
        folders = [spec.out.parent for spec in specs if spec.out is not None]
        if scheduler is not None and folders:
            check_shared(client, Path(os.path.commonpath(folders)))
        futures: list[Future] = [
            client.submit(_run_until_stopped, spec, pure=False) for spec in specs
        ]
        position = {future.key: index for index, future in enumerate(futures)}
        results: list[RunResult | None] = [None] * len(specs)
        finished = as_completed(futures)
        try:
            while True:
                for future in finished.next_batch(block=False):
                    index = position[future.key]
                    results[index] = result = _result(future, specs[index])
                    if done is not None:
                        done(result)
                if finished.is_empty():
                    break
                if interrupted.is_set():
                    raise StudyInterrupted(len(specs) - results.count(None), len(specs))
                time.sleep(POLL_S)
        except BaseException:
            going = _stop(client, futures)
            if going:
                fate = "left running on the cluster" if scheduler else "ended with the cluster"
                log.warning(
                    "%d run(s) had not ended %g s after the study stopped: %s (a recording "
                    "of theirs may be incomplete)",
                    going,
                    STOP_WAIT_S,
                    fate,
                )
            raise
    return [result for result in results if result is not None]


def _stop(client: Client, futures: list[Future]) -> int:
    """Cancel the runs of a study and wait (up to :data:`STOP_WAIT_S`) for those going on
    the workers to end, their recordings closed as interrupted; how many had not ended."""
    client.cancel(futures)
    keys = [future.key for future in futures]
    deadline = time.monotonic() + STOP_WAIT_S
    try:
        while going := sum(client.run(_going, keys).values()):
            if time.monotonic() >= deadline:
                return going
            time.sleep(STOP_LOOK_S)
    except (OSError, TimeoutError):  # a cluster gone has no runs left
        return 0
    return 0


def _going(keys: list[str], dask_worker: Worker) -> int:
    """How many of the tasks ``keys`` are still running on ``dask_worker`` (a cancelled task
    runs on until it returns)."""
    tasks = dask_worker.state.tasks
    return sum(
        1
        for key in keys
        if key in tasks and tasks[key].state in ("executing", "long-running", "cancelled")
    )


def _run_until_stopped(spec: RunSpec) -> RunResult:
    """:func:`~flankwatch.study.runs.run_one` as a task on a Dask worker, raising
    :class:`StudyStopped` at the first window after its task was cancelled (the worker
    marks a running task ``cancelled`` when its client cancels it)."""
    worker = get_worker()
    key = worker.get_current_task()

    def look(now_s: float) -> None:
        task = worker.state.tasks.get(key)
        if task is None or task.state == "cancelled":
            raise StudyStopped(f"the study stopped this run at {now_s:,.0f} s")

    return run_one(spec, look)


def _result(future: Future, spec: RunSpec) -> RunResult:
    """The result of the finished run of ``spec``; :class:`StudyRunError` naming it if it
    failed (its error chained)."""
    try:
        result: RunResult = future.result()
    except Exception as error:
        raise StudyRunError(
            f"{spec.source}: the run under {spec.policy} with seed {spec.seed} failed: "
            f"{type(error).__name__}: {error}"
        ) from error
    return result
