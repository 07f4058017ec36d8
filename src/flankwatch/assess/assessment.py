"""What the assessment stage says of the air picture at one time, in columns.

:class:`Assessment` holds one row per track of the :class:`TrackBatch` it
assessed (same order) and a ranked table of threats:

Per-track columns:

=====================  =======  ===================================================
column                 dtype    meaning
=====================  =======  ===================================================
track_id               int64    the track
category               str      most likely class: one of :data:`CATEGORIES`
category_prob          float64  its probability
identity               str      declared NATO standard identity: one of :data:`IDENTITIES`
proposed               str      the identity the rules propose (declared or not yet)
inside                 bool     the track is inside the watched national airspace
crossing_t_s           float64  predicted time of entering that airspace, s (NaN if none)
crossing_sigma_s       float64  one standard deviation of that prediction, s
=====================  =======  ===================================================

Threat table (one row per suspect or hostile track and defended asset it
threatens, best first): ``rank, track_id, asset, asset_kind, cpa_m`` (closest
point of approach on the current course, m), ``tcpa_s`` (time to that point,
s), ``score`` (higher is more urgent).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from flankwatch.events import Event

CATEGORIES = (
    "one-way-attack-drone",
    "decoy",
    "cruise-missile",
    "ballistic-missile",
    "fixed-wing",
    "helicopter",
    "unknown",
)
"""Classes a track may be given. One-way attack drones and decoys look alike:
their probabilities are usually close."""

IDENTITIES = (
    "pending",
    "unknown",
    "assumed-friend",
    "friend",
    "neutral",
    "suspect",
    "hostile",
)
"""NATO standard identities (STANAG 1241 / APP-6)."""

THREAT_SCHEMA = pa.schema(
    [
        ("rank", pa.int32()),
        ("track_id", pa.int64()),
        ("asset", pa.string()),
        ("asset_kind", pa.string()),
        ("cpa_m", pa.float64()),
        ("tcpa_s", pa.float64()),
        ("score", pa.float64()),
    ]
)


@dataclass(frozen=True)
class Assessment:
    """The assessment of one batch of tracks; see the module docstring for the columns."""

    t_s: float
    track_id: np.ndarray
    category: np.ndarray
    category_prob: np.ndarray
    identity: np.ndarray
    inside: np.ndarray
    crossing_t_s: np.ndarray
    crossing_sigma_s: np.ndarray
    threats: pa.Table
    events: list[Event] = field(default_factory=list)
    proposed: np.ndarray | None = None
    """The rules' proposed identities (str), aligned with ``track_id``; ``None`` is the
    declared ones (an assessment built without proposals)."""

    def __len__(self) -> int:
        return len(self.track_id)
