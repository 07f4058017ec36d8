"""The recording as a sink of the run loop.

:class:`RecordingSink` writes a run's recording folder (see
:mod:`flankwatch.store.recording`) as the run goes: the sensors, the simulated
objects and the deployment first; then, each window, a row of the ``windows``
table (its span and how many plots and truth rows it holds, so that a replay
cuts the same windows), the plots, the truth (when there is any), the tracks,
the events (the assessment's, the alerts' and the response's), the threat
ranking, the alert messages, the response's shots, their outcomes and its own
forces in flight, and every CAP message as a file under ``cap/``. At the end
the run's summary goes into the metadata.

Response tables (positions in the run's local ENU frame, m; times in s since
the run's start; money in EUR):

- ``shots``: one row per shot fired: ``t_s, shot_id, unit, effector, weapon,
  track_id, category, cost_eur``, where from (``shooter_x_m`` ...), the aim
  point (``aim_x_m`` ...), ``impact_t_s``, the predicted debris ground point
  (``debris_x_m, debris_y_m, debris_lat_deg, debris_lon_deg``) and the
  ``no_engagement_area`` it falls in ("" if none);
- ``shot_outcomes``: one row per shot resolved: ``t_s, shot_id, track_id,
  kill``, where the debris fell and the no-engagement area it fell in;
- ``own_forces``: one row per own aircraft or weapon in flight per window, at
  the window's end: ``t_s, object_id`` (the response's id), ``truth_id`` (the
  same object in the truth and the plots' ``truth_id``; -1 without a
  simulation), ``kind, callsign``, position, velocity (``vx_mps`` ...) and
  ``lat_deg, lon_deg, alt_m`` (WGS-84, height above the ellipsoid).
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
from flankwatch.geo.frames import LocalFrame
from flankwatch.loop import Picture, SourceInfo
from flankwatch.respond.step import OwnForces, Shot, ShotOutcome
from flankwatch.sim.truth import TRUTH_SCHEMA, TruthBatch
from flankwatch.store.recording import RecordingWriter
from flankwatch.stream import PLOT_SCHEMA
from flankwatch.track.output import TRACK_SCHEMA

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


def _schema(columns: str, kind: pa.DataType) -> list[tuple[str, pa.DataType]]:
    """Schema fields of one type for the space-separated ``columns``."""
    return [(name, kind) for name in columns.split()]


SHOT_SCHEMA = pa.schema(
    [
        ("t_s", pa.float64()),
        ("shot_id", pa.int64()),
        *_schema("unit effector weapon", pa.string()),
        ("track_id", pa.int64()),
        ("category", pa.string()),
        ("cost_eur", pa.float64()),
        *_schema("shooter_x_m shooter_y_m shooter_z_m aim_x_m aim_y_m aim_z_m", pa.float64()),
        *_schema("impact_t_s debris_x_m debris_y_m debris_lat_deg debris_lon_deg", pa.float64()),
        ("no_engagement_area", pa.string()),
    ]
)
"""One row per shot fired; see the module docstring."""

SHOT_OUTCOME_SCHEMA = pa.schema(
    [
        ("t_s", pa.float64()),
        ("shot_id", pa.int64()),
        ("track_id", pa.int64()),
        ("kill", pa.bool_()),
        *_schema("debris_x_m debris_y_m debris_lat_deg debris_lon_deg", pa.float64()),
        ("no_engagement_area", pa.string()),
    ]
)
"""One row per shot resolved; see the module docstring."""

OWN_FORCES_SCHEMA = pa.schema(
    [
        ("t_s", pa.float64()),
        ("object_id", pa.int64()),
        ("truth_id", pa.int64()),
        *_schema("kind callsign", pa.string()),
        *_schema("x_m y_m z_m vx_mps vy_mps vz_mps lat_deg lon_deg alt_m", pa.float64()),
    ]
)
"""One row per own aircraft or weapon in flight per window; see the module docstring."""

TABLES = {
    "windows": WINDOW_SCHEMA,
    "plots": PLOT_SCHEMA,
    "truth": TRUTH_SCHEMA,
    "tracks": TRACK_SCHEMA,
    "events": EVENT_SCHEMA,
    "alerts": ALERT_SCHEMA,
    "threat_ranking": THREAT_SCHEMA.append(pa.field("t_s", pa.float64())),
    "shots": SHOT_SCHEMA,
    "shot_outcomes": SHOT_OUTCOME_SCHEMA,
    "own_forces": OWN_FORCES_SCHEMA,
}
"""The recording's growing tables."""

_NO_EVENTS = EVENT_SCHEMA.empty_table()
_NO_SHOTS = SHOT_SCHEMA.empty_table()
_NO_OUTCOMES = SHOT_OUTCOME_SCHEMA.empty_table()
_NO_ALERTS = ALERT_SCHEMA.empty_table()
"""Tables with no rows, for the windows with nothing to add (one serves every window)."""


class InvalidCapError(RuntimeError):
    """A CAP message the alert stage made that the OASIS CAP 1.2 schema rejects (a bug)."""


PART_S = 600.0
"""A recording's tables are written in parts of this much data time, s."""
LIVE_PART_S = 10.0
"""...and of this much for a live source, so that a killed run loses little, s."""


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
        self.live = info.live
        """A live source: it may end at any moment, so parts are written often and the
        recording's duration is the time reached so far."""
        deployment = info.deployment
        self.frame = deployment.frame
        self.n_planned = info.objects.num_rows if info.objects is not None else None
        """Planned objects: own-force truth ids follow theirs (None: no simulation)."""
        self.writer = RecordingWriter(
            folder,
            {
                "flankwatch_version": __version__,
                "scenario": info.name,
                "seed": info.seed,
                "start": deployment.start.isoformat(),
                "duration_s": None if self.live else info.duration_s,
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
            part_period_s=LIVE_PART_S if self.live else PART_S,
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
        """Write one window (its rows written out with the parts they fall in, on the
        writer's own thread: see :class:`~flankwatch.store.recording.RecordingWriter`)."""
        writer, window, t1 = self.writer, picture.window, picture.now_s
        if self.live:
            writer.metadata["duration_s"] = t1
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
        response = picture.response
        events = [
            *(assessment.events if assessment else []),
            *picture.alerts.events,
            *response.events,
        ]
        writer.append("events", events_to_arrow(events) if events else _NO_EVENTS, t1)
        shots = shots_table(response.shots, self.frame) if response.shots else _NO_SHOTS
        writer.append("shots", shots, t1)
        outcomes = (
            outcomes_table(response.outcomes, self.frame) if response.outcomes else _NO_OUTCOMES
        )
        writer.append("shot_outcomes", outcomes, t1)
        if response.own_forces is not None:
            table = own_forces_table(response.own_forces, self.frame, self.n_planned)
            writer.append("own_forces", table, t1)
        messages = picture.alerts.messages
        writer.append("alerts", _alerts_table(messages) if messages else _NO_ALERTS, t1)
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


def shots_table(shots: tuple[Shot, ...], frame: LocalFrame) -> pa.Table:
    """Shots as rows of the ``shots`` table (``frame``: the run's, for the debris lat/lon)."""
    debris = np.array([shot.debris_m for shot in shots], float).reshape(-1, 2)
    lat, lon = _ground_geodetic(debris, frame)
    shooter = np.array([shot.shooter_m for shot in shots], float).reshape(-1, 3)
    aim = np.array([shot.aim_m for shot in shots], float).reshape(-1, 3)
    columns: dict[str, Any] = {
        name: [getattr(shot, name) for shot in shots]
        for name in ("t_s", "shot_id", "unit", "effector", "weapon", "track_id", "category")
    }
    columns["cost_eur"] = [shot.cost_eur for shot in shots]
    for point, values in (("shooter", shooter), ("aim", aim)):
        columns |= {f"{point}_{axis}_m": values[:, k] for k, axis in enumerate("xyz")}
    columns["impact_t_s"] = [shot.impact_t_s for shot in shots]
    columns |= {"debris_x_m": debris[:, 0], "debris_y_m": debris[:, 1]}
    columns |= {"debris_lat_deg": lat, "debris_lon_deg": lon}
    columns["no_engagement_area"] = [shot.no_engagement_area for shot in shots]
    return pa.table(columns, schema=SHOT_SCHEMA)


def outcomes_table(outcomes: tuple[ShotOutcome, ...], frame: LocalFrame) -> pa.Table:
    """Shot outcomes as rows of the ``shot_outcomes`` table."""
    debris = np.array([outcome.debris_m for outcome in outcomes], float).reshape(-1, 2)
    lat, lon = _ground_geodetic(debris, frame)
    columns: dict[str, Any] = {
        name: [getattr(outcome, name) for outcome in outcomes]
        for name in ("t_s", "shot_id", "track_id", "kill")
    }
    columns |= {"debris_x_m": debris[:, 0], "debris_y_m": debris[:, 1]}
    columns |= {"debris_lat_deg": lat, "debris_lon_deg": lon}
    columns["no_engagement_area"] = [outcome.no_engagement_area for outcome in outcomes]
    return pa.table(columns, schema=SHOT_OUTCOME_SCHEMA)


def own_forces_table(forces: OwnForces, frame: LocalFrame, n_planned: int | None) -> pa.Table:
    """Own forces in flight at ``forces.t_s`` as rows of the ``own_forces`` table.

    ``n_planned``: the number of planned objects, whose ids the own forces' truth ids
    follow (None: no simulation, truth ids -1).
    """
    object_id = np.asarray(forces.object_id, np.int64)
    n = len(object_id)
    enu = np.column_stack([np.asarray(getattr(forces, f"{a}_m"), float) for a in "xyz"])
    lat, lon, alt = frame.enu_to_geodetic(enu.reshape(n, 3))
    columns: dict[str, Any] = {
        "t_s": np.full(n, float(forces.t_s)),
        "object_id": object_id,
        "truth_id": object_id + n_planned if n_planned is not None else np.full(n, -1),
        "kind": [str(kind) for kind in forces.kind],
        "callsign": [str(callsign) for callsign in forces.callsign],
    }
    for name in ("x_m", "y_m", "z_m", "vx_mps", "vy_mps", "vz_mps"):
        columns[name] = np.asarray(getattr(forces, name), float)
    columns |= {"lat_deg": lat, "lon_deg": lon, "alt_m": alt}
    return pa.table(columns, schema=OWN_FORCES_SCHEMA)


def _ground_geodetic(points_m: np.ndarray, frame: LocalFrame) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (degrees) of ground points ``(n, 2)`` (ENU east, north, m)."""
    enu = np.column_stack((points_m, np.zeros(len(points_m))))
    lat, lon, _ = frame.enu_to_geodetic(enu)
    return np.asarray(lat, float).reshape(-1), np.asarray(lon, float).reshape(-1)


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
