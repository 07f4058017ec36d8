"""Public warnings: one CAP alert per threatening track, updated as it moves, cancelled
when it is gone or no longer threatens anything.

A track of a watched identity (by default hostile) threatens a target (a
defended asset of a watched kind, or an airport) when it is predicted within
the target's radius plus a margin within the horizon. Its alert is

* issued (CAP ``Alert``) when it first threatens something;
* updated (CAP ``Update``) when the set of targets it threatens changes, and
  otherwise at most every ``update_interval_s`` while it threatens;
* cancelled (CAP ``Cancel``) when the track is gone (deleted or no longer
  considered), or has threatened nothing for ``clear_s``.

Each message's area is a corridor around the track's predicted straight path
for the next ``path_horizon_s``.

Every message carries the CAP status the alerter was built with (``cap_status``),
``Exercise`` unless told otherwise; the status in the rules is for live runs
only, whose wiring passes it in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import numpy as np

from flankwatch.alert.base import (
    ALERT_CANCELLED,
    ALERT_ISSUED,
    ALERT_UPDATED,
    AirPicture,
    AlertMessage,
    AlertStep,
    MsgType,
    Target,
    ThreatPredictor,
)
from flankwatch.alert.cap import CapArea, CapInfo, CapReference, build_cap, cap_polygon
from flankwatch.alert.predict import corridor_enu
from flankwatch.alert.ruleset import CapSettings, PublicRule
from flankwatch.events import Event, EventKind
from flankwatch.geo.frames import LocalFrame

__all__ = ["CapStatus", "PublicAlert", "PublicAlerter"]

CapStatus = Literal["Actual", "Exercise", "System", "Test", "Draft"]
"""The CAP 1.2 ``status`` of a message."""


@dataclass
class PublicAlert:
    """The state of one public alert (one track's)."""

    alert_id: str
    track_id: int
    issued_s: float
    last_sent_s: float
    last_threat_s: float
    targets: tuple[str, ...]
    references: list[CapReference] = field(default_factory=list)
    area: CapArea | None = None
    what: str = ""


@dataclass(frozen=True)
class _Threat:
    """What one track threatens now, earliest first."""

    row: int
    targets: tuple[Target, ...]
    t_reach_s: tuple[float, ...]


class PublicAlerter:
    """Issues, updates and cancels the public CAP alerts of a run; see the module docstring.

    ``cap`` gives the fixed parts of every message except its status, which is
    ``cap_status`` (``Exercise`` by default, whatever ``cap.status`` says).
    """

    def __init__(
        self,
        targets: Sequence[Target],
        rule: PublicRule,
        cap: CapSettings,
        predictor: ThreatPredictor,
        frame: LocalFrame,
        start: datetime,
        id_prefix: str = "flankwatch",
        *,
        cap_status: CapStatus = "Exercise",
    ) -> None:
        if cap_status not in get_args(CapStatus):
            raise ValueError(f"not a CAP status: {cap_status!r}")
        self.targets = list(targets)
        self.rule = rule
        self.cap = cap
        self.predictor = predictor
        self.frame = frame
        self.start = start
        self.id_prefix = id_prefix
        self.cap_status: CapStatus = cap_status
        self._active: dict[int, PublicAlert] = {}
        self._count = 0

    def active(self) -> dict[int, PublicAlert]:
        """The alerts in force, by track number."""
        return dict(self._active)

    def step(self, picture: AirPicture) -> AlertStep:
        now_s = picture.t_s
        threats = self._threats(picture)
        step = AlertStep()
        for track_id, threat in threats.items():
            current = self._active.get(track_id)
            names = tuple(t.name for t in threat.targets)
            if current is None:
                step += self._send("Alert", picture, threat, None)
                continue
            current.last_threat_s = now_s
            if (
                names != current.targets
                or now_s - current.last_sent_s >= self.rule.update_interval_s
            ):
                step += self._send("Update", picture, threat, current)
        present = {int(t): i for i, t in enumerate(picture.track_id)}
        for track_id, current in list(self._active.items()):
            if track_id in threats:
                continue
            if track_id not in present:
                step += self._cancel(current, now_s, f"track {track_id} is no longer tracked")
            elif now_s - current.last_threat_s >= self.rule.clear_s:
                step += self._cancel(
                    current, now_s, f"track {track_id} no longer threatens a defended place"
                )
        return step

    def _threats(self, picture: AirPicture) -> dict[int, _Threat]:
        watched = np.isin(picture.identity.astype(str), list(self.rule.identities))
        reach = np.array([t.radius_m + self.rule.margin_m for t in self.targets], float)
        approach = self.predictor.approach(picture, self.targets, reach, self.rule.horizon_s)
        threats: dict[int, _Threat] = {}
        for i in np.flatnonzero(watched & approach.reach.any(axis=1)):
            cols = np.flatnonzero(approach.reach[i])
            cols = cols[np.argsort(approach.t_reach_s[i, cols], kind="stable")]
            threats[int(picture.track_id[i])] = _Threat(
                int(i),
                tuple(self.targets[j] for j in cols),
                tuple(float(approach.t_reach_s[i, j]) for j in cols),
            )
        return threats

    def _send(
        self, msg_type: MsgType, picture: AirPicture, threat: _Threat, current: PublicAlert | None
    ) -> AlertStep:
        now_s = picture.t_s
        now = self._utc(now_s)
        i = threat.row
        track_id = int(picture.track_id[i])
        what = f"{picture.identity[i]} {str(picture.category[i]).replace('-', ' ')}"
        velocity = picture.velocity_mps[i]
        speed_kmh = float(np.hypot(velocity[0], velocity[1])) * 3.6
        course_deg = math.degrees(math.atan2(velocity[0], velocity[1])) % 360.0
        first, t_first = threat.targets[0], threat.t_reach_s[0]
        minutes = max(round(t_first / 60.0), 0)
        if current is None:
            self._count += 1
            alert_id = f"{self.id_prefix}-PA-{self._count}-T{track_id}"
            message_id = alert_id
            current = PublicAlert(alert_id, track_id, now_s, now_s, now_s, ())
            self._active[track_id] = current
        else:
            message_id = f"{current.alert_id}-U{len(current.references)}"
        ring = corridor_enu(
            picture.position_m[i],
            velocity,
            self.rule.path_horizon_s,
            self.rule.corridor_half_width_m,
        )
        lat, lon, _ = self.frame.enu_to_geodetic(np.column_stack((ring, np.zeros(len(ring)))))
        area = CapArea(
            f"Predicted path of the {what} (track {track_id}) over the next "
            f"{self.rule.path_horizon_s / 60:.0f} min, towards {first.name}",
            (cap_polygon(lat, lon),),
        )
        when = ", ".join(
            f"{t.name} at {self._utc(now_s + dt):%H:%M} UTC"
            for t, dt in zip(threat.targets, threat.t_reach_s, strict=True)
        )
        headline = f"Air attack warning for {first.name}: {what} expected"
        headline += " now" if minutes == 0 else f" in {minutes} min"
        description = (
            f"A {what} (track {track_id}) is flying at {speed_kmh:.0f} km/h on course "
            f"{course_deg:03.0f} and is predicted to reach {when}."
        )
        if self.cap_status == "Exercise":
            description += " This is an exercise: the threat is simulated."
        info = CapInfo(
            event=self.cap.event,
            urgency="Immediate" if t_first <= self.rule.immediate_within_s else "Expected",
            severity=self.cap.severity,
            certainty=self.cap.certainty,
            headline=headline,
            description=description,
            instruction=self.cap.instruction,
            areas=(area,),
            response_types=("Shelter",),
            effective=now,
            expires=now + timedelta(seconds=self.rule.path_horizon_s),
            sender_name=self.cap.sender_name,
            language=self.cap.language,
        )
        body = build_cap(
            message_id,
            self.cap.sender,
            now,
            msg_type,
            info,
            status=self.cap_status,
            references=list(current.references),
        )
        current.references.append(CapReference(self.cap.sender, message_id, now))
        current.last_sent_s = now_s
        current.last_threat_s = now_s
        old = current.targets
        current.targets = tuple(t.name for t in threat.targets)
        current.area = area
        current.what = what
        names = ", ".join(current.targets)
        if msg_type == "Alert":
            kind, reason = ALERT_ISSUED, f"{what} track {track_id} predicted to reach {when}"
        elif current.targets != old:
            kind, reason = ALERT_UPDATED, f"track {track_id} now threatens {names}: {when}"
        else:
            kind, reason = ALERT_UPDATED, f"track {track_id} moved; predicted to reach {when}"
        return self._output(kind, msg_type, current, message_id, now_s, reason, body, t_first)

    def _cancel(self, current: PublicAlert, now_s: float, reason: str) -> AlertStep:
        now = self._utc(now_s)
        message_id = f"{current.alert_id}-C"
        targets = ", ".join(current.targets)
        info = CapInfo(
            event=self.cap.event,
            urgency="Past",
            severity="Minor",
            certainty="Observed",
            headline=f"All clear for {targets}: the {current.what} no longer threatens",
            description=f"Cancelled: {reason}.",
            instruction=self.cap.cancel_instruction,
            areas=(current.area,) if current.area is not None else (),
            response_types=("AllClear",),
            effective=now,
            sender_name=self.cap.sender_name,
            language=self.cap.language,
        )
        body = build_cap(
            message_id,
            self.cap.sender,
            now,
            "Cancel",
            info,
            status=self.cap_status,
            references=list(current.references),
        )
        del self._active[current.track_id]
        return self._output(
            ALERT_CANCELLED, "Cancel", current, message_id, now_s, reason, body, None
        )

    def _output(
        self,
        kind: EventKind,
        msg_type: MsgType,
        alert: PublicAlert,
        message_id: str,
        now_s: float,
        reason: str,
        body: str,
        t_reach_s: float | None,
    ) -> AlertStep:
        event = Event(
            t_s=now_s,
            kind=kind,
            message=reason,
            track_id=alert.track_id,
            subject=alert.alert_id,
            data={
                "alert": "public",
                "message_id": message_id,
                "msg_type": msg_type,
                "targets": ",".join(alert.targets),
                "t_reach_s": t_reach_s,
            },
        )
        message = AlertMessage(now_s, "cap", msg_type, alert.alert_id, message_id, body)
        return AlertStep([event], [message])

    def _utc(self, t_s: float) -> datetime:
        return (self.start + timedelta(seconds=t_s)).astimezone(UTC)
