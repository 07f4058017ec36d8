"""Cursor on Target as a sink of the run loop.

:class:`CotSink` streams the held tracks (confirmed and coasting; tentative
tracks stay inside) every window, and each airport whenever its status
changes, through a background :class:`~flankwatch.io.cot_stream.CotSender`
that never blocks the run and never stops it. The destination URL says where
and how (``tcp://``, ``udp://`` or ``tls://``, as CoT XML or with ``?protocol=tak``
as TAK protocol version 1): see :mod:`flankwatch.io.cot_stream`.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from flankwatch.alert.engine import AlertEngine
from flankwatch.deployment import Deployment
from flankwatch.io.cot import airport_status_event, track_events
from flankwatch.io.cot_stream import CotSender, CotStats
from flankwatch.loop import Picture
from flankwatch.sim.truth import TruthBatch
from flankwatch.track.output import TrackStatus

HELD = (TrackStatus.CONFIRMED, TrackStatus.COASTING)
"""Track states shared with the outside world."""


class CotSink:
    """Streams tracks and airport status to a CoT destination URL.

    Raises :class:`ValueError` naming the part of ``url`` that is wrong.
    """

    def __init__(self, url: str, deployment: Deployment, alerts: AlertEngine | None) -> None:
        self.sender = CotSender(url).start()
        self.frame = deployment.frame
        self.start = deployment.start
        self.alerts = alerts
        self.closed: dict[str, bool] = {}
        self.stats: CotStats | None = None

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Queue the window's events (never blocks, never raises)."""
        tracks, assessment = picture.tracks, picture.assessment
        if assessment is None:
            return
        held = np.isin(tracks.status, HELD)
        self.sender.send_many(
            track_events(
                tracks.take(held),
                self.frame,
                self.start,
                assessment.identity[held],
                assessment.category[held],
            )
        )
        if self.alerts is None:
            return
        when = self.start + timedelta(seconds=picture.now_s)
        for status in self.alerts.airport_status().values():
            if self.closed.get(status.icao) != status.closed:
                self.closed[status.icao] = status.closed
                self.sender.send(airport_status_event(status, when))

    def close(self) -> None:
        """Deliver what is queued (within the sender's time limit) and stop; keep the counts."""
        self.stats = self.sender.close()

    def abort(self, error: BaseException) -> None:
        """Stop sending."""
        self.stats = self.sender.close()
