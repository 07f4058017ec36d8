"""Runs of a study on dask.distributed: a local cluster of processes, or an existing one.

By default a :class:`~dask.distributed.LocalCluster` of ``workers`` processes
(one thread each: a run is single-threaded NumPy work) bound to the loopback
interface, with no dashboard, is started for the study and shut down after it. Its
workers run without Dask's statistical profiler and with a slow event-loop tick
(:data:`QUIET_WORKERS`): both interrupt the run's thread for the interpreter lock, which
cost a study about a fifth of its time.
With ``scheduler`` (``tcp://HOST:PORT``) the runs go to an existing cluster
whose workers have flankwatch installed (a policy given as a file must be
readable at the same path on the workers).

Results come back in the order of the runs given, whatever order they finish
in and however many workers there are, so a study's table does not depend on
the cluster.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import dask
from dask.distributed import Client, Future, LocalCluster, as_completed

from flankwatch.study.runs import RunResult, RunSpec, run_one

QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
"""Dask settings of a local cluster's workers: no statistical profiler (it samples the
running thread's stack every 10 ms), an event-loop tick of 1 s instead of 20 ms and a
system monitor read every 5 s instead of 0.5 s (no dashboard shows either)."""

CONNECT_TIMEOUT_S = 10.0
"""How long to wait for an existing scheduler to answer, s."""

Done = Callable[[RunResult], None]
"""Called with each run's result as it finishes."""


class SchedulerError(ValueError):
    """The scheduler given cannot be reached."""


class StudyRunError(RuntimeError):
    """A run of the study failed; the message names its policy and seed."""


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
        dask.config.set(QUIET_WORKERS),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_study(
    specs: Sequence[RunSpec],
    scheduler: str | None = None,
    workers: int | None = None,
    done: Done | None = None,
) -> list[RunResult]:
    """Run every spec on the cluster; results in the order of ``specs``.

    The first run that fails cancels the others; raises :class:`StudyRunError` naming
    it (its error chained).
    """
    if workers is not None and workers < 1:
        raise ValueError(f"--workers must be 1 or more, not {workers}")
    with study_client(scheduler, workers or default_workers(len(specs))) as client:
        futures: list[Future] = [client.submit(run_one, spec, pure=False) for spec in specs]
        position = {future.key: index for index, future in enumerate(futures)}
        results: list[RunResult | None] = [None] * len(specs)
        try:
            for future in as_completed(futures):
                spec = specs[position[future.key]]
                try:
                    result: RunResult = future.result()
                except Exception as error:
                    raise StudyRunError(
                        f"{spec.source}: the run under {spec.policy} with seed {spec.seed} "
                        f"failed: {type(error).__name__}: {error}"
                    ) from error
                results[position[future.key]] = result
                if done is not None:
                    done(result)
        except BaseException:
            client.cancel(futures)
            raise
    return [result for result in results if result is not None]
