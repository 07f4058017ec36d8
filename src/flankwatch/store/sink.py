"""The recording as a sink of the run loop.

:class:`RecordingSink` writes a run's recording folder (see
:mod:`flankwatch.store.recording`) as the run goes: the sensors, the simulated
objects and the deployment first; then, each window, a row of the ``windows``
table (its span and how many plots and truth rows it holds, so that a replay
cuts the same windows), the plots, the truth (when there is any), the tracks,
the events, the threat ranking, the alert messages and every CAP message as a
file under ``cap/``. At the end the run's summary goes into the metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from flankwatch import __version__
from flankwatch.alert import AlertMessage, validate_cap
from flankwatch.assess.assessment import THREAT_SCHEMA
from flankwatch.events import EVENT_SCHEMA, events_to_arrow
from flankwatch.loop import Picture, SourceInfo
from flankwatch.sim.truth import TRUTH_SCHEMA, TruthBatch
from flankwatch.store.recording import RecordingWriter
from flankwatch.stream import PLOT_SCHEMA
from flankwatch.track import TRACK_SCHEMA

DEPLOYMENT_FILE = "deployment.yaml"
"""The run's deployment inside a recording."""

WINDOW_SCHEMA = pa.schema(
    [
        ("index", pa.int64()),
        ("t0_s", pa.float64()),
        ("t1_s", pa.float64()),
        ("plots", pa.int64()),
        ("truth", pa.int64()),
    ]
)
"""One row per window: its index, span (s since the run's start) and row counts."""

ALERT_SCHEMA = pa.schema(
    [
        ("t_s", pa.float64()),
        ("format", pa.string()),
        ("msg_type", pa.string()),
        ("alert_id", pa.string()),
        ("message_id", pa.string()),
        ("body", pa.string()),
    ]
)

TABLES = {
    "windows": WINDOW_SCHEMA,
    "plots": PLOT_SCHEMA,
    "truth": TRUTH_SCHEMA,
    "tracks": TRACK_SCHEMA,
    "events": EVENT_SCHEMA,
    "alerts": ALERT_SCHEMA,
    "threat_ranking": THREAT_SCHEMA.append(pa.field("t_s", pa.float64())),
}
"""The recording's growing tables."""


class InvalidCapError(RuntimeError):
    """A CAP message the alert stage made that the OASIS CAP 1.2 schema rejects (a bug)."""


class RecordingSink:
    """Writes the run into a recording folder; ``summary`` is asked for at close."""

    def __init__(
        self,
        folder: Path,
        info: SourceInfo,
        summary: Callable[[], dict[str, Any]],
        *,
        force: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.summary = summary
        deployment = info.deployment
        self.writer = RecordingWriter(
            folder,
            {
                "flankwatch_version": __version__,
                "scenario": info.name,
                "seed": info.seed,
                "start": deployment.start.isoformat(),
                "duration_s": info.duration_s,
                "batch_s": info.batch_s,
                "exercise": info.exercise,
                "frame": {
                    "lat_deg": deployment.frame.lat_deg,
                    "lon_deg": deployment.frame.lon_deg,
                    "alt_m": deployment.frame.alt_m,
                },
                **(metadata or {}),
            },
            info.scenario_text,
            force=force,
        )
        writer = self.writer
        writer.write_file(DEPLOYMENT_FILE, deployment.to_yaml())
        writer.write_table("sensors", info.sensors)
        if info.objects is not None:
            writer.write_table("objects", info.objects)
        for name, schema in TABLES.items():
            if name != "truth" or info.objects is not None:
                writer.declare(name, schema)

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Write one window."""
        writer, window, t1 = self.writer, picture.window, picture.now_s
        n_truth = len(truth) if truth is not None else 0
        writer.append(
            "windows",
            pa.table(
                {
                    "index": [window.index],
                    "t0_s": [window.t0_s],
                    "t1_s": [window.t1_s],
                    "plots": [len(window.plots)],
                    "truth": [n_truth],
                },
                schema=WINDOW_SCHEMA,
            ),
            t1,
        )
        writer.append("plots", window.plots.to_arrow(), t1)
        if truth is not None:
            writer.append("truth", truth.to_arrow(), t1)
        writer.append("tracks", picture.tracks.to_arrow(), t1)
        assessment = picture.assessment
        events = [*(assessment.events if assessment else []), *picture.alerts.events]
        writer.append("events", events_to_arrow(events), t1)
        writer.append("alerts", _alerts_table(picture.alerts.messages), t1)
        if assessment is not None:
            ranked = assessment.threats.append_column(
                "t_s", pa.array(np.full(len(assessment.threats), t1), pa.float64())
            )
            writer.append("threat_ranking", ranked, t1)
        for message in picture.alerts.messages:
            if message.format == "cap":
                _check_cap(message)
                writer.write_file(f"cap/{message.message_id}.xml", message.body)

    def close(self) -> None:
        """Write what is left, with the run's summary; the recording is complete."""
        self.writer.close(self.summary())

    def abort(self, error: BaseException) -> None:
        """Keep every part written so far and mark the recording failed."""
        self.writer.__exit__(type(error), error, None)


def _alerts_table(messages: list[AlertMessage]) -> pa.Table:
    return pa.table(
        {
            "t_s": [m.t_s for m in messages],
            "format": [m.format for m in messages],
            "msg_type": [m.msg_type for m in messages],
            "alert_id": [m.alert_id for m in messages],
            "message_id": [m.message_id for m in messages],
            "body": [m.body for m in messages],
        },
        schema=ALERT_SCHEMA,
    )


def _check_cap(message: AlertMessage) -> None:
    """Refuse to write a CAP message that the OASIS schema rejects."""
    faults = validate_cap(message.body)
    if faults:
        raise InvalidCapError(f"CAP message {message.message_id} is not valid: {faults}")
