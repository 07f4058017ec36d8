"""Cursor on Target as a sink of the run loop.

:class:`CotSink` streams the held tracks (confirmed and coasting; tentative
tracks stay inside) every window, and each airport whenever its status
changes. A track a response stage reports killed is sent once more, already
stale (a TAK client drops it from the map), and no longer while it coasts on;
one the response then finds still flying is streamed again. All goes through a
background :class:`~flankwatch.io.cot_stream.CotSender` that never blocks the run
and never stops it. The destination URL says where and how (``tcp://``,
``udp://`` or ``tls://``, as CoT XML or with ``?protocol=tak`` as TAK protocol
version 1): see :mod:`flankwatch.io.cot_stream`.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from flankwatch.alert.engine import AlertEngine
from flankwatch.assess.assessment import Assessment
from flankwatch.deployment import Deployment
from flankwatch.io.cot import DEFAULT_STALE_S, airport_status_event, track_events
from flankwatch.io.cot_stream import CotSender, CotStats
from flankwatch.loop import Picture
from flankwatch.sim.truth import TruthBatch
from flankwatch.track.output import TrackBatch, TrackStatus

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
        self.destroyed: set[int] = set()
        """Tracks the response reported killed (and not since found still flying)."""
        self.stats: CotStats | None = None

    def consume(self, picture: Picture, truth: TruthBatch | None) -> None:
        """Queue the window's events (never blocks, never raises)."""
        tracks, assessment = picture.tracks, picture.assessment
        if assessment is None:
            return
        response = picture.response
        killed = response.killed
        self.destroyed = (self.destroyed | set(killed)) - set(response.survived)
        held = np.isin(tracks.status, HELD)
        self._send(tracks, assessment, held & ~np.isin(tracks.track_id, list(self.destroyed)))
        self._send(tracks, assessment, held & np.isin(tracks.track_id, killed), stale_s=0.0)
        if self.alerts is None:
            return
        when = self.start + timedelta(seconds=picture.now_s)
        for status in self.alerts.airport_status().values():
            if self.closed.get(status.icao) != status.closed:
                self.closed[status.icao] = status.closed
                self.sender.send(airport_status_event(status, when))

    def _send(
        self,
        tracks: TrackBatch,
        assessment: Assessment,
        rows: np.ndarray,
        stale_s: float = DEFAULT_STALE_S,
    ) -> None:
        """Queue the events of the tracks at ``rows`` (a mask), stale ``stale_s`` (s) after
        their time."""
        if rows.any():
            events = track_events(
                tracks.take(rows),
                self.frame,
                self.start,
                assessment.identity[rows],
                assessment.category[rows],
                stale_s,
            )
            self.sender.send_many(events)

    def close(self) -> None:
        """Deliver what is queued (within the sender's time limit) and stop; keep the counts."""
        self.stats = self.sender.close()

    def abort(self, error: BaseException) -> None:
        """Stop sending."""
        self.stats = self.sender.close()
