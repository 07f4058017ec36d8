"""A study's recordings go out to an existing cluster only when its workers share the folder."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dask.distributed import Client, LocalCluster
from study_scenario import defended_spec

from flankwatch.study import dask_runner
from flankwatch.study.shared_folder import SharedFolderError, check_shared


@pytest.fixture
def scheduler() -> Iterator[str]:
    """An in-process scheduler with no worker, on loopback."""
    with LocalCluster(
        n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def test_workers_that_share_the_folder_pass_and_the_check_leaves_no_file(
    tmp_path: Path,
) -> None:
    with LocalCluster(n_workers=2, processes=True, host="127.0.0.1", dashboard_address=None) as c:
        with Client(c) as client:
            check_shared(client, tmp_path / "rec" / "layered")
    assert (tmp_path / "rec" / "layered").is_dir()
    assert list((tmp_path / "rec").rglob("*")) == [tmp_path / "rec" / "layered"]


def _can_mount_privately() -> bool:
    """Whether a process here can get its own mount namespace (``unshare``, root)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "mount", "-t", "tmpfs", "none", "/mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_privately(), reason="needs a private mount namespace")
def test_a_worker_on_another_filesystem_is_named_no_run_goes_out_and_made_folders_go(
    tmp_path: Path, scheduler: str
) -> None:
    # The worker sees an empty filesystem of its own over tmp_path: a machine of its own.
    command = (
        f"mount -t tmpfs none {shlex.quote(str(tmp_path))} && exec {shlex.quote(sys.executable)} "
        f"-m distributed.cli.dask_worker {scheduler} --nthreads 1 --no-dashboard"
    )
    worker = subprocess.Popen(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with Client(scheduler) as client:
            client.wait_for_workers(1, timeout=60)
            address = next(iter(client.scheduler_info()["workers"]))
        (tmp_path / "mine").mkdir()
        record = tmp_path / "mine" / "new" / "rec"
        specs = [defended_spec(5, record), defended_spec(7, record)]
        with pytest.raises(SharedFolderError) as refused:
            dask_runner.run_study(specs, scheduler=scheduler)
        with Client(scheduler) as client:
            tasks = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
    finally:
        worker.terminate()
        worker.wait(30)
    assert str(refused.value).startswith(f"{record / 'layered'}: worker(s) {address} do not see")
    assert "--record must be on a filesystem every worker shares" in str(refused.value)
    assert tasks == 0  # no run went out
    # the folders the check made are gone, the one that was there stays
    assert list((tmp_path / "mine").iterdir()) == []


def test_a_folder_something_else_wrote_into_stays(tmp_path: Path) -> None:
    class Blind:
        """A client whose one worker sees nothing (and meanwhile a file appears)."""

        def run(self, function: object, path: str, token: str) -> dict[str, bool]:
            (Path(path).parent / "theirs.txt").write_text("not ours")
            return {"tcp://10.0.0.9:4000": False}

    folder = tmp_path / "made" / "rec"
    with pytest.raises(SharedFolderError, match="tcp://10.0.0.9:4000"):
        check_shared(Blind(), folder)  # type: ignore[arg-type]
    assert [p.name for p in folder.iterdir()] == ["theirs.txt"]
    assert (tmp_path / "made").is_dir()


def test_a_local_cluster_is_not_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[Path] = []
    monkeypatch.setattr(dask_runner, "check_shared", lambda client, folder: asked.append(folder))
    dask_runner.run_study([defended_spec(5, tmp_path)], workers=1)
    assert asked == []
    assert (tmp_path / "layered" / "defended-5" / "metadata.json").exists()


def test_a_folder_that_cannot_be_made_is_named_and_nothing_is_left(tmp_path: Path) -> None:
    class Gone:
        """A client whose cluster is gone."""

        def run(self, function: object, path: str, token: str) -> dict[str, bool]:
            raise TimeoutError("no scheduler")

    (tmp_path / "a-file").write_text("mine")
    with pytest.raises(SharedFolderError, match="a-file/rec: cannot write into this folder"):
        check_shared(Gone(), tmp_path / "a-file" / "rec")  # type: ignore[arg-type]
    with pytest.raises(TimeoutError):
        check_shared(Gone(), tmp_path / "made" / "rec")  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert (tmp_path / "a-file").read_text() == "mine"
