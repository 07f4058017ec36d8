"""The run's evaluation leaves own forces in flight out: not scored, not false tracks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from flankwatch.deployment import Deployment, Origin
from flankwatch.loop import Picture, Window
from flankwatch.stream import PlotBatch
from flankwatch.summary import EvaluationSink
from flankwatch.track.output import TrackBatch, TrackStatus
from truth_builders import truth_at


def test_an_own_fighter_and_its_track_are_neither_scored_nor_false() -> None:
    deployment = Deployment(
        name="test", start=datetime(2025, 9, 10, tzinfo=UTC), origin=Origin(lat=52.0, lon=22.0)
    )
    objects = pa.table(
        {
            "name": ["drone-1"],
            "category": ["decoy"],
            "origin": ["BLR"],
            "launch_t_s": [0.0],
            "cooperative": [False],
        }
    )
    sink = EvaluationSink(objects, deployment)
    for t_s in (5.0, 10.0, 15.0):
        truth = truth_at(deployment.frame, t_s, [(52.0, 22.0), (52.1, 22.1)], 3000.0)
        object_id = np.array([0, 1_000_000], np.int32)  # the second: an own fighter
        truth = dataclasses.replace(truth, object_id=object_id)
        plots = PlotBatch.build(
            2,
            t_s=np.full(2, t_s),
            x_m=truth.x_m,
            y_m=truth.y_m,
            z_m=truth.z_m,
            truth_id=object_id,
        )
        state = np.column_stack((truth.x_m, truth.y_m, truth.z_m, np.zeros((2, 3))))
        tracks = TrackBatch.from_states(
            np.full(2, t_s),
            np.array([1, 2]),
            np.full(2, TrackStatus.CONFIRMED),
            state,
            np.tile(np.eye(6) * 100.0, (2, 1, 1)),
            np.zeros(2),
            np.full(2, t_s),
            np.zeros(2, np.uint32),
            np.array(["", ""], object),
        )
        sink.consume(Picture(Window(int(t_s // 5), t_s - 5.0, t_s, plots), tracks=tracks), truth)
    score = sink.scorer.score()
    assert score.targets == 1
    assert score.false_tracks == 0
    assert score.tracks == 1
