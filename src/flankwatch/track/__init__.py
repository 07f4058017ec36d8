"""Multi-sensor multi-target tracking: plot batches in, track batches out, and its metrics."""

from flankwatch.track.metrics import GOSPAResult, TrackQuality, gospa, track_quality
from flankwatch.track.output import TRACK_SCHEMA, TrackBatch, TrackStatus
from flankwatch.track.settings import TrackerSettings
from flankwatch.track.tracker import Tracker, build_tracker, track_stream

__all__ = [
    "TRACK_SCHEMA",
    "GOSPAResult",
    "TrackBatch",
    "TrackQuality",
    "TrackStatus",
    "Tracker",
    "TrackerSettings",
    "build_tracker",
    "gospa",
    "track_quality",
    "track_stream",
]
