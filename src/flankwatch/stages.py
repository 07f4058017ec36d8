"""The standard stages of a run: tracking, assessment, alerts.

Each wraps one of the project's engines as a :class:`flankwatch.loop.Stage`:
it takes the window's picture and adds its part. The engines themselves are
pure (handed the data and ``now_s``, reading no clock and no file).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from flankwatch.alert.engine import AlertEngine
from flankwatch.assess.assessor import Assessor
from flankwatch.loop import Picture
from flankwatch.track.tracker import Tracker


class TrackingStage:
    """Plots to tracks: the multi-sensor tracker, each sensor's revisit period known."""

    def __init__(self, tracker: Tracker, sensors: pa.Table) -> None:
        self.tracker = tracker
        tracker.set_revisit_periods(
            np.asarray(sensors.column("sensor_id")), np.asarray(sensors.column("scan_period_s"))
        )

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        """The window's tracks, all predicted to ``now_s`` (s)."""
        return picture.but(tracks=self.tracker.step(picture.window.plots, now_s=now_s))


class AssessmentStage:
    """Tracks to class, identity, airspace violations and ranked threats (the window's
    plots give the transponder replies: squawks and IFF Mode 5)."""

    def __init__(self, assessor: Assessor) -> None:
        self.assessor = assessor

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        """The window's assessment at ``now_s`` (s)."""
        assessment = self.assessor.step(picture.tracks, now_s, picture.window.plots)
        return picture.but(assessment=assessment)


class AlertStage:
    """Tracks and their assessment to airport advisories and public warnings; after a
    response stage, the tracks its shots killed end their warnings as all clear (and a
    track it then finds still flying is warned for again)."""

    def __init__(self, engine: AlertEngine) -> None:
        self.engine = engine

    def step(self, picture: Picture, now_s: float, rng: np.random.Generator) -> Picture:
        """The window's alert life-cycle events and messages at ``now_s`` (s)."""
        if picture.assessment is None:
            raise ValueError("the alert stage needs the assessment stage before it")
        response = picture.response
        killed = response.killed
        if killed or response.survived:
            self.engine.mark_destroyed(killed)
            self.engine.mark_survived(response.survived)
        return picture.but(alerts=self.engine.step(picture.tracks, picture.assessment, now_s))
