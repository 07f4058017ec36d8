"""What one server serves: a recording (replay mode) or a scenario run (run mode).

:class:`Served` holds the timeline the server streams, the deployment and sensors
of the base map, the recording folder (the replayed one, or the one the run is
writing), the operator token (if any) and, in run mode, the :class:`LiveRun`.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import pyarrow as pa

from flankwatch.deployment import Deployment
from flankwatch.pipeline import RunOptions
from flankwatch.scenario.schema import Scenario
from flankwatch.sim.source import SimulationSource
from flankwatch.store.recording import check_out_folder
from flankwatch.web.live import LiveRun, check_speed
from flankwatch.web.recorded import airport_names, load_recording
from flankwatch.web.timeline import Timeline

Mode = Literal["replay", "run"]


@dataclass
class Served:
    """A recording or a running scenario, as the server serves it; see the module docstring.

    ``duration_s`` and ``batch_s`` in s; ``speed`` the default pace (times real time).
    """

    mode: Mode
    name: str
    seed: int
    start: datetime
    duration_s: float
    batch_s: float
    exercise: bool
    deployment: Deployment
    sensors: pa.Table
    timeline: Timeline
    recording: Path
    speed: float
    token: str | None = None
    run: LiveRun | None = None

    @property
    def operator(self) -> bool:
        """Whether decisions can be taken: a run with an operator token."""
        return self.mode == "run" and self.token is not None

    def token_matches(self, given: str) -> bool:
        """Whether ``given`` is the operator token (compared in constant time)."""
        if self.token is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))


def serve_recording(folder: Path, speed: float, token: str | None = None) -> Served:
    """A recording to replay; raises :class:`RecordingError` (or a deployment error) for a
    folder that is not a readable recording."""
    recorded = load_recording(folder)
    metadata = recorded.metadata
    timeline = recorded.timeline
    duration = metadata.get("duration_s")
    return Served(
        mode="replay",
        name=recorded.name,
        seed=int(metadata.get("seed") or 0),
        start=recorded.start,
        duration_s=float(duration) if duration is not None else timeline.t1_s[-1],
        batch_s=timeline.batch_s,
        exercise=bool(metadata.get("exercise", True)),
        deployment=recorded.deployment,
        sensors=recorded.sensors,
        timeline=timeline,
        recording=Path(folder),
        speed=check_speed(speed),
        token=token,
    )


def serve_run(
    scenario: Scenario,
    scenario_text: str,
    out: Path,
    speed: float,
    token: str | None = None,
    options: RunOptions | None = None,
) -> Served:
    """A scenario to run and serve as it goes, recorded into ``out`` (started by
    :meth:`LiveRun.start`). Raises :class:`RecordingError` when ``out`` cannot take a
    recording."""
    check_out_folder(Path(out), options.force if options else False)
    source = SimulationSource(scenario, scenario_text)
    info = source.info
    deployment = info.deployment
    timeline = Timeline(info.batch_s, airport_names(deployment))
    run = LiveRun(source, out, timeline, deployment.frame, speed, options)
    return Served(
        mode="run",
        name=info.name,
        seed=info.seed,
        start=deployment.start,
        duration_s=info.duration_s if math.isfinite(info.duration_s) else 0.0,
        batch_s=info.batch_s,
        exercise=info.exercise,
        deployment=deployment,
        sensors=info.sensors,
        timeline=timeline,
        recording=Path(out),
        speed=check_speed(speed),
        token=token,
        run=run,
    )
