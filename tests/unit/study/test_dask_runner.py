"""Studies on dask.distributed: the same results on two workers as on one, and as in one
process, in order."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import pytest
import yaml
from dask.distributed import LocalCluster
from study_scenario import defended_data, defended_spec

from flankwatch.allocator import ENVIRON
from flankwatch.pipeline import Progress
from flankwatch.scenario.loader import parse_scenario
from flankwatch.store.recording import read_metadata
from flankwatch.study import dask_runner
from flankwatch.study.dask_runner import (
    SchedulerError,
    StudyInterrupted,
    StudyRunError,
    run_study,
)
from flankwatch.study.runs import RunResult, RunSpec, draw_seeds, run_one, study_specs


def test_two_workers_give_what_one_worker_and_one_process_give_in_the_same_order() -> None:
    text = yaml.safe_dump(defended_data(), sort_keys=False)
    scenario = parse_scenario(text, "defended")
    specs = study_specs(scenario, text, "defended", ["fighters-only", "layered"], draw_seeds(3, 2))
    one = [run_one(spec) for spec in specs]
    seen: list[RunResult] = []
    two = run_study(specs, workers=2, done=seen.append)
    assert two == one
    assert run_study(specs, workers=1) == two
    assert [(r.policy, r.seed) for r in two] == [(s.policy, s.seed) for s in specs]
    assert sorted(seen, key=two.index) == two  # each run reported once, as it finished
    # the two policies answer the same raids differently: the gun fires only under layered
    layered = [r.response for r in one if r.policy == "layered"]
    fighters = [r.response for r in one if r.policy == "fighters-only"]
    assert all(r.threats_inside == 2 for r in layered + fighters)
    assert not any(w.endswith("35mm") for r in fighters for w in r.shots_by_weapon)


def test_an_unreachable_scheduler_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT_S", 0.5)
    with pytest.raises(SchedulerError, match="127.0.0.1:9"):
        with dask_runner.study_client("tcp://127.0.0.1:9", 1):
            pass


def test_a_local_clusters_workers_run_without_the_profiler_and_with_a_slow_tick() -> None:
    def settings() -> tuple[object, object]:
        import dask

        return (
            dask.config.get("distributed.worker.profile.enabled"),
            dask.config.get("distributed.admin.tick.interval"),
        )

    before = settings()
    with dask_runner.study_client(None, 2) as client:
        seen = client.run(settings)
    assert len(seen) == 2
    assert set(seen.values()) == {(False, "1s")}
    assert settings() == before != (False, "1s")  # the calling process keeps its settings


def test_a_local_clusters_workers_keep_freed_memory_in_place_of_dasks_own_trimming(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def environ() -> dict[str, str | None]:
        import os

        return {name: os.environ.get(name) for name in ENVIRON}

    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    for name in ENVIRON:
        monkeypatch.delenv(name, raising=False)
    with dask_runner.study_client(None, 2) as client:
        seen = client.run(environ)
    assert list(seen.values()) == [ENVIRON, ENVIRON]  # Dask's default trims at 64 KiB
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")  # the user's own
    assert "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_" not in (
        dask_runner.worker_settings()
    )


def test_a_local_cluster_has_no_dashboard_and_leaves_port_8787_alone() -> None:
    with socket.socket() as taken:  # held by another study, or by any program
        with contextlib.suppress(OSError):  # if it cannot be bound, something holds it
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with dask_runner.study_client(None, 1) as client:
                port = client.scheduler_info()["services"]["dashboard"]
                base = f"http://127.0.0.1:{port}"
                with urllib.request.urlopen(f"{base}/health", timeout=10) as health:
                    assert health.read() == b"ok"  # the HTTP server Dask always starts
                with pytest.raises(urllib.error.HTTPError) as page:
                    urllib.request.urlopen(f"{base}/status", timeout=10)
                assert page.value.code == 404  # but no dashboard
    assert port != 8787
    assert not [w for w in caught if "8787" in str(w.message)]


@pytest.mark.usefixtures("default_ctrl_c")
def test_a_local_clusters_workers_ignore_ctrl_c_and_the_caller_keeps_its_handler() -> None:
    def sigint_handler() -> object:
        return signal.getsignal(signal.SIGINT)

    before = sigint_handler()
    with dask_runner.study_client(None, 2) as client:
        seen = client.run(sigint_handler)
        assert sigint_handler() is before  # Ctrl-C reaches the caller while the study runs
    assert list(seen.values()) == [signal.SIG_IGN, signal.SIG_IGN]
    assert sigint_handler() is before is not signal.SIG_IGN


def test_ctrl_c_during_a_study_cancels_the_runs_left_and_says_how_many_finished() -> None:
    text = yaml.safe_dump(defended_data(), sort_keys=False)
    specs = study_specs(
        parse_scenario(text, "defended"), text, "defended", ["layered"], draw_seeds(5, 3)
    )
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(StudyInterrupted) as interrupted:
        # one worker runs them one by one: Ctrl-C as the first finishes
        run_study(specs, workers=1, done=lambda _: signal.raise_signal(signal.SIGINT))
    assert 1 <= interrupted.value.finished < 3 and interrupted.value.total == 3
    assert str(interrupted.value).endswith("of 3 runs")
    assert signal.getsignal(signal.SIGINT) is before


def test_a_stopped_study_stops_the_run_going_on_an_existing_cluster(tmp_path: Path) -> None:
    specs = [defended_spec(5, tmp_path), defended_spec(5, tmp_path, hours=10.0)]
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        worker = next(iter(cluster.workers.values()))

        def interrupt_once_the_long_run_goes(_: RunResult) -> None:
            deadline = time.monotonic() + 30.0
            while worker.state.executing_count == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert worker.state.executing_count == 1
            signal.raise_signal(signal.SIGINT)

        with pytest.raises(StudyInterrupted, match="after 1 of 2 runs"):
            run_study(
                specs, scheduler=cluster.scheduler_address, done=interrupt_once_the_long_run_goes
            )
        # Dask leaves a cancelled task running; the run saw its task cancelled and ended,
        # and the study waited for that: its recording is closed as interrupted
        assert worker.state.executing_count == 0
    finished, stopped = (
        read_metadata(tmp_path / "layered" / f"{name}-5") for name in ("defended", "defended-long")
    )
    assert finished["status"] == "complete"
    assert stopped["status"] == "interrupted" and "error" not in stopped


def test_a_failing_run_stops_the_run_going_beside_it_and_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [defended_spec(5, tmp_path, hours=10.0), defended_spec(7)]
    long_run = tmp_path / "layered" / "defended-long-5"

    def run_or_fail(spec: RunSpec, progress: Progress | None = None) -> RunResult:
        if spec.seed != 7:
            return run_one(spec, progress)
        deadline = time.monotonic() + 30.0  # fail once the long run is recording
        while not (long_run / "metadata.json").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise RuntimeError("a fault in the run")

    monkeypatch.setattr(dask_runner, "run_one", run_or_fail)  # the cluster runs in this process
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        worker = next(iter(cluster.workers.values()))
        with pytest.raises(StudyRunError) as failed:
            run_study(specs, scheduler=cluster.scheduler_address)
        assert worker.state.executing_count == 0
    assert str(failed.value) == (
        "defended: the run under layered with seed 7 failed: RuntimeError: a fault in the run"
    )
    assert read_metadata(long_run)["status"] == "interrupted"


def test_runs_that_do_not_end_when_the_study_stops_are_counted_in_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    started, release = threading.Event(), threading.Event()

    def deaf_or_failing(spec: RunSpec, progress: Progress | None = None) -> RunResult:
        if spec.seed == 7:
            started.wait(30.0)
            raise RuntimeError("a fault in the run")
        started.set()
        release.wait(30.0)  # a run that does not look at its task's state
        return run_one(spec)

    monkeypatch.setattr(dask_runner, "run_one", deaf_or_failing)
    monkeypatch.setattr(dask_runner, "STOP_WAIT_S", 0.5)
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        with caplog.at_level(logging.WARNING, logger=dask_runner.__name__):
            with pytest.raises(StudyRunError, match="seed 7"):
                run_study([defended_spec(7), defended_spec(8)], scheduler=cluster.scheduler_address)
        release.set()
    ours = [record for record in caplog.records if record.name == dask_runner.__name__]
    assert [(record.levelname, record.getMessage()) for record in ours] == [
        (
            "WARNING",
            "1 run(s) had not ended 0.5 s after the study stopped: left running on the "
            "cluster (a recording of theirs may be incomplete)",
        )
    ]
