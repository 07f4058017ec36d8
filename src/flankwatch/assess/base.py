"""The parts of the assessment, each behind a small interface.

Composed by keyword into :class:`~flankwatch.assess.assessor.Assessor`, each
part sees a whole batch at once (arrays aligned with the :class:`TrackBatch`),
remembers what it needs per track, and forgets deleted tracks when told:

* :class:`Classifier` - class probabilities over :data:`CATEGORIES`;
* :class:`AirspaceMonitor` - inside the watched airspace, border crossings and
  predicted crossings;
* :class:`Identifier` - NATO standard identities: proposed by rules, declared by
  an authority or an operator, and their changes;
* :class:`Ranker` - the threat table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa

from flankwatch.assess.kinematics import Kinematics
from flankwatch.events import Event
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch


@dataclass(frozen=True, slots=True)
class AirspaceState:
    """One step's airspace columns, aligned with the batch."""

    inside: np.ndarray
    crossing_t_s: np.ndarray
    """Predicted time of entering, s since run start (NaN if none)."""
    crossing_sigma_s: np.ndarray
    """Its standard deviation, s (NaN if none)."""
    events: list[Event]


@dataclass(frozen=True, slots=True)
class IdentityStep:
    """One step's identities, aligned with the batch: codes into ``IDENTITIES``."""

    declared: np.ndarray
    """The identity in force, declared by an authority or an operator."""
    proposed: np.ndarray
    """What the identity rules propose."""
    events: list[Event]


class Classifier(Protocol):
    """Class probabilities of tracks."""

    def classify(self, tracks: TrackBatch, kin: Kinematics) -> np.ndarray:
        """Probabilities ``(n, len(CATEGORIES))``, rows summing to 1, in the batch's order."""
        ...

    def forget(self, track_id: np.ndarray) -> None:
        """Drop what is remembered of these tracks."""
        ...


class AirspaceMonitor(Protocol):
    """Where tracks are relative to the watched airspace."""

    def observe(self, tracks: TrackBatch, kin: Kinematics, now_s: float) -> AirspaceState:
        """Inside, predicted crossing times and their events, in the batch's order."""
        ...

    def forget(self, track_id: np.ndarray) -> None:
        """Drop what is remembered of these tracks."""
        ...


class Identifier(Protocol):
    """Standard identities of tracks."""

    def identify(
        self,
        tracks: TrackBatch,
        kin: Kinematics,
        category: np.ndarray,
        category_prob: np.ndarray,
        inside: np.ndarray,
        now_s: float,
        plots: PlotBatch | None = None,
    ) -> IdentityStep:
        """Declared and proposed identity codes (indices into :data:`IDENTITIES`), events;
        ``plots`` are the window's plots (transponder replies), when there are any."""
        ...

    def declare(self, track_id: int, identity: str, who: str, why: str, t_s: float) -> None:
        """Queue an operator's declaration of a track's identity for the next step."""
        ...

    def forget(self, track_id: np.ndarray) -> None:
        """Drop what is remembered of these tracks."""
        ...


class Ranker(Protocol):
    """The threat table."""

    def rank(
        self, tracks: TrackBatch, kin: Kinematics, identity: np.ndarray, now_s: float
    ) -> pa.Table:
        """Threat rows (:data:`THREAT_SCHEMA`), best first, for identity codes ``identity``."""
        ...
