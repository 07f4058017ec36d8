"""The record of one public alert and the CAP messages written for it.

Each message has one ``info`` block per language of the CAP settings, carries
the CAP status the alerter was built with (``cap_status``, ``Exercise`` unless
told otherwise), and cites only the alert's previous message. Beside each
message goes the life-cycle event that names its track and reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from flankwatch.alert.base import AlertMessage, AlertStep, MsgType, life_cycle_step
from flankwatch.alert.cap import CapArea, CapInfo, CapReference, ResponseType, Urgency, build_cap
from flankwatch.alert.public_text import Language
from flankwatch.alert.ruleset import CapSettings
from flankwatch.events import EventData, EventKind

__all__ = ["CapStatus", "CapWriter", "PublicAlert"]

CapStatus = Literal["Actual", "Exercise", "System", "Test", "Draft"]
"""The CAP 1.2 ``status`` of a message."""


@dataclass
class PublicAlert:
    """The state of one public alert (one track's).

    ``state`` is ``warning`` while the track is seen, ``lost`` after contact
    was lost. ``last_seen`` holds the track's last height (m above the
    ellipsoid), vertical speed (m/s) and whether it was inside the watched
    airspace.
    """

    alert_id: str
    track_id: int
    issued_s: float
    last_sent_s: float
    last_threat_s: float
    targets: tuple[str, ...]
    units: tuple[str, ...] = ()
    places: frozenset[str] = frozenset()
    urgency: str = "Expected"
    previous: CapReference | None = None
    areas: dict[Language, tuple[CapArea, ...]] = field(default_factory=dict)
    what: str = ""
    state: Literal["warning", "lost"] = "warning"
    lost_s: float = math.inf
    last_seen_s: float = 0.0
    last_height_m: float = math.inf
    last_climb_mps: float = 0.0
    last_climb_sigma_mps: float = 0.0
    last_inside: bool = True
    last_lat_deg: float = math.nan
    last_lon_deg: float = math.nan
    messages: int = 0


class CapWriter:
    """Writes the CAP messages of a run's public alerts: the fixed parts come from
    ``cap``, the status from ``status``; times are seconds after ``start``."""

    def __init__(self, cap: CapSettings, status: CapStatus, start: datetime) -> None:
        if status not in get_args(CapStatus):
            raise ValueError(f"not a CAP status: {status!r}")
        self.cap = cap
        self.status: CapStatus = status
        self.start = start

    @property
    def exercise(self) -> bool:
        """Whether the messages are an exercise's (their texts say so)."""
        return self.status == "Exercise"

    def utc(self, t_s: float) -> datetime:
        """The UTC time ``t_s`` seconds after the run's start."""
        return (self.start + timedelta(seconds=t_s)).astimezone(UTC)

    def info(
        self,
        language: Language,
        urgency: Urgency,
        headline: str,
        description: str,
        instruction: str,
        areas: tuple[CapArea, ...],
        response_types: tuple[ResponseType, ...],
        effective: datetime,
        expires: datetime | None,
        *,
        severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"] | None = None,
        certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"] | None = None,
    ) -> CapInfo:
        """One language's ``info`` block; severity and certainty default to the settings'."""
        return CapInfo(
            event=self.cap.text[language].event,
            urgency=urgency,
            severity=severity or self.cap.severity,
            certainty=certainty or self.cap.certainty,
            headline=headline,
            description=description,
            instruction=instruction,
            areas=areas,
            response_types=response_types,
            effective=effective,
            expires=expires,
            sender_name=self.cap.text[language].sender_name,
            language=language,
        )

    def send(
        self,
        kind: EventKind,
        msg_type: MsgType,
        alert: PublicAlert,
        message_id: str,
        now_s: float,
        infos: list[CapInfo],
        reason: str,
        t_reach_s: float | None,
        extra: EventData,
    ) -> AlertStep:
        """The CAP message ``message_id`` of ``alert`` at ``now_s`` and its life-cycle
        event; the message cites the alert's previous one and becomes its previous."""
        now = self.utc(now_s)
        references = [alert.previous] if alert.previous is not None else []
        body = build_cap(
            message_id,
            self.cap.sender,
            now,
            msg_type,
            infos,
            status=self.status,
            references=references,
        )
        alert.previous = CapReference(self.cap.sender, message_id, now)
        alert.messages += 1
        data: EventData = {
            "alert": "public",
            "message_id": message_id,
            "msg_type": msg_type,
            "targets": ",".join(alert.targets),
            "t_reach_s": t_reach_s,
        }
        data.update(extra)
        message = AlertMessage(now_s, "cap", msg_type, alert.alert_id, message_id, body)
        return life_cycle_step(kind, now_s, alert.alert_id, alert.track_id, reason, data, [message])
