"""The alert stage's parts and what passes between them.

An :class:`AlertEngine <flankwatch.alert.engine.AlertEngine>` turns each step's
tracks and assessment into an :class:`AirPicture` (arrays, one row per
considered track, extrapolated to the step's time) and hands it to its
advisors (:class:`Advisor`), each of which keeps the life cycle of its own
alerts and returns the events and messages of the step (:class:`AlertStep`).
Where a threat will be is asked of a :class:`ThreatPredictor`.

Life-cycle events have kinds :data:`ALERT_ISSUED`, :data:`ALERT_UPDATED` and
:data:`ALERT_CANCELLED` (the members of :class:`~flankwatch.events.EventKind`
of those names), the alert's identifier as subject and the reason as message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pyarrow as pa

from flankwatch.assess.assessment import Assessment
from flankwatch.events import Event, EventData, EventKind
from flankwatch.track.output import TrackBatch, TrackStatus

__all__ = [
    "ALERT_CANCELLED",
    "ALERT_ISSUED",
    "ALERT_UPDATED",
    "Advisor",
    "AirPicture",
    "AlertMessage",
    "AlertStep",
    "Approach",
    "Target",
    "ThreatPredictor",
    "life_cycle_step",
]

ALERT_ISSUED = EventKind.ALERT_ISSUED
ALERT_UPDATED = EventKind.ALERT_UPDATED
ALERT_CANCELLED = EventKind.ALERT_CANCELLED

MsgType = Literal["Alert", "Update", "Cancel"]


@dataclass(frozen=True)
class AlertMessage:
    """One message for the outside world: a NOTAM-like text or a CAP 1.2 XML document.

    ``alert_id`` names the alert (shared by its Alert, Update and Cancel messages);
    ``message_id`` names this message.
    """

    t_s: float
    format: Literal["notam", "cap"]
    msg_type: MsgType
    alert_id: str
    message_id: str
    body: str


@dataclass(frozen=True)
class AlertStep:
    """What the alert stage decided at one step: life-cycle events and messages."""

    events: list[Event] = field(default_factory=list)
    messages: list[AlertMessage] = field(default_factory=list)

    def __add__(self, other: AlertStep) -> AlertStep:
        return AlertStep(self.events + other.events, self.messages + other.messages)


def life_cycle_step(
    kind: EventKind,
    t_s: float,
    alert_id: str,
    track_id: int,
    reason: str,
    data: EventData,
    messages: Sequence[AlertMessage] = (),
) -> AlertStep:
    """One life-cycle event of an alert (its identifier as subject, the reason as
    message) and the messages sent with it."""
    event = Event(
        t_s=t_s, kind=kind, message=reason, track_id=track_id, subject=alert_id, data=data
    )
    return AlertStep([event], list(messages))


@dataclass(frozen=True)
class Target:
    """A place that threats are watched against: an airport or a defended asset.

    ``names`` are the names it may go by in the assessment's threat table
    (an airport's ICAO code and name, an asset's name), compared case-blind.
    """

    name: str
    kind: str
    lat_deg: float
    lon_deg: float
    enu_m: np.ndarray
    radius_m: float
    icao: str = ""
    names: tuple[str, ...] = ()


_STATUS_BY_NAME = {
    "tentative": TrackStatus.TENTATIVE,
    "confirmed": TrackStatus.CONFIRMED,
    "coasting": TrackStatus.COASTING,
}


def _rows_of(known_id: np.ndarray, track_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``track_id`` is in ``known_id`` (unique numbers, at least one), and
    which are there at all (the rows of the others are meaningless)."""
    order = np.argsort(known_id, kind="stable")
    at = np.minimum(np.searchsorted(known_id[order], track_id), len(order) - 1)
    rows = order[at]
    return rows, known_id[rows] == track_id


@dataclass(frozen=True)
class AirPicture:
    """The tracks the alert stage considers at one time, in columns.

    ==================  =========  =============================================
    column              shape      meaning
    ==================  =========  =============================================
    track_id            (n,)       track number
    position_m          (n, 3)     ENU position extrapolated to ``t_s``, m
    velocity_mps        (n, 3)     ENU velocity, m/s
    identity            (n,)       standard identity from the assessment
    category            (n,)       class from the assessment
    position_cov_m2     (n, 2, 2)  horizontal position covariance at ``t_s``, m^2
    velocity_var_m2ps2  (n, 2)     east and north velocity variances, (m/s)^2
    vertical_var_m2ps2  (n,)       up velocity variance, (m/s)^2
    manoeuvre_prob      (n,)       IMM probability of a turn mode (0 for CV)
    last_update_s       (n,)       time of the track's latest plot, s
    ==================  =========  =============================================

    The last five are ``None`` in a picture built without them (a
    predictor then treats the tracks as exactly known).

    ``threats`` is the assessment's threat table; its times are as of
    ``threats_t_s``.
    """

    t_s: float
    track_id: np.ndarray
    position_m: np.ndarray
    velocity_mps: np.ndarray
    identity: np.ndarray
    category: np.ndarray
    threats: pa.Table
    threats_t_s: float
    position_cov_m2: np.ndarray | None = None
    velocity_var_m2ps2: np.ndarray | None = None
    vertical_var_m2ps2: np.ndarray | None = None
    manoeuvre_prob: np.ndarray | None = None
    last_update_s: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.track_id)

    @classmethod
    def build(
        cls,
        tracks: TrackBatch,
        assessment: Assessment,
        now_s: float,
        statuses: Sequence[str] = ("confirmed", "coasting"),
    ) -> AirPicture:
        """The picture of the tracks whose status is one of ``statuses`` at ``now_s``.

        Identity and class are joined from ``assessment`` by track number; a
        track it does not cover is ``pending`` and ``unknown``.
        """
        wanted = [int(_STATUS_BY_NAME[name]) for name in statuses]
        keep = np.isin(tracks.status, wanted)
        batch = tracks.take(keep)
        velocity = np.column_stack((batch.vx_mps, batch.vy_mps, batch.vz_mps))
        dt_s = (now_s - batch.time_s)[:, None]
        position = batch.position() + velocity * dt_s
        n = len(batch)
        identity = np.full(n, "pending", dtype=object)
        category = np.full(n, "unknown", dtype=object)
        if len(assessment):
            rows, found = _rows_of(np.asarray(assessment.track_id), batch.track_id)
            identity[found] = np.asarray(assessment.identity, dtype=object)[rows[found]]
            category[found] = np.asarray(assessment.category, dtype=object)[rows[found]]
        return cls(
            t_s=float(now_s),
            track_id=np.asarray(batch.track_id, np.int64),
            position_m=position.reshape(n, 3),
            velocity_mps=velocity.reshape(n, 3),
            identity=identity,
            category=category,
            threats=assessment.threats,
            threats_t_s=float(assessment.t_s),
            position_cov_m2=_horizontal_cov(batch, dt_s[:, 0]),
            velocity_var_m2ps2=np.column_stack((batch.var_vx_m2ps2, batch.var_vy_m2ps2)).reshape(
                n, 2
            ),
            vertical_var_m2ps2=np.asarray(batch.var_vz_m2ps2, float),
            manoeuvre_prob=np.asarray(batch.manoeuvre_prob, float),
            last_update_s=np.asarray(batch.last_update_s, float),
        )


def _horizontal_cov(batch: TrackBatch, dt_s: np.ndarray) -> np.ndarray:
    """Horizontal position covariances ``(n, 2, 2)`` (m^2) carried ``dt_s`` ahead
    with the velocity variances."""
    n = len(batch)
    cov = np.empty((n, 2, 2))
    cov[:, 0, 0] = batch.cov_xx_m2 + dt_s**2 * batch.var_vx_m2ps2
    cov[:, 1, 1] = batch.cov_yy_m2 + dt_s**2 * batch.var_vy_m2ps2
    cov[:, 0, 1] = cov[:, 1, 0] = batch.cov_xy_m2
    return cov


@dataclass(frozen=True)
class Approach:
    """Which tracks are predicted to reach which targets, as ``(n tracks, m targets)`` arrays.

    ``reach`` says a track comes within the target's reach distance within the
    horizon; ``t_reach_s`` is when (seconds from the picture's time, ``inf``
    where it does not); ``miss_m`` is the closest predicted distance within the
    horizon (``inf`` where unknown).
    """

    reach: np.ndarray
    t_reach_s: np.ndarray
    miss_m: np.ndarray

    @classmethod
    def none(cls, n: int, m: int) -> Approach:
        """No track reaches any target."""
        return cls(np.zeros((n, m), bool), np.full((n, m), np.inf), np.full((n, m), np.inf))

    def merge(self, other: Approach) -> Approach:
        """Either prediction: a reach if either reaches, the earlier time, the closer miss."""
        return Approach(
            self.reach | other.reach,
            np.minimum(self.t_reach_s, other.t_reach_s),
            np.minimum(self.miss_m, other.miss_m),
        )


class ThreatPredictor(Protocol):
    """Says which tracks of a picture reach which targets, and when."""

    def approach(
        self,
        picture: AirPicture,
        targets: Sequence[Target],
        reach_m: np.ndarray,
        horizon_s: float,
    ) -> Approach:
        """Tracks within ``reach_m[j]`` of target ``j`` within ``horizon_s`` of now."""
        ...


class Advisor(Protocol):
    """Keeps the life cycle of one kind of alert."""

    def step(self, picture: AirPicture) -> AlertStep:
        """The events and messages due at the picture's time."""
        ...
