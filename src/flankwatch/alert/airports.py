"""Airport advisories: closing an airport when a threat is predicted near it, and
reopening it once the sky around it has been clear for a while.

Each closure is one alert: issued when the airport closes (a NOTAMN-like
text), updated when further tracks threaten it (NOTAMR), cancelled when it
reopens (NOTAMC). Texts follow the ICAO NOTAM layout in spirit: item A) the
aerodrome, B) from, C) until (``UFN``: until further notice), E) the plain-language
text in capitals with ICAO abbreviations (``AD CLSD`` aerodrome closed).
Times are UTC, ``YYMMDDhhmm`` in items B and C.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

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
from flankwatch.alert.ruleset import AirportRule
from flankwatch.events import Event, EventKind

__all__ = ["AirportAdvisor", "AirportStatus", "notam_text", "notam_time"]


@dataclass(frozen=True)
class AirportStatus:
    """Whether an airport is open, since when, and why it is closed."""

    icao: str
    name: str
    closed: bool
    since_s: float | None
    """Time of the latest change, s since run start (``None``: open since the start)."""
    since: datetime | None
    """The same as a UTC time."""
    reason: str = ""
    alert_id: str = ""
    track_ids: tuple[int, ...] = ()
    last_threat_s: float | None = None
    """When a threat was last predicted near it, s since run start."""


def notam_time(when: datetime) -> str:
    """A UTC time as NOTAM items B and C write it: ``2509092345``."""
    return when.astimezone(UTC).strftime("%y%m%d%H%M")


def notam_text(
    kind: str,
    target: Target,
    when: datetime,
    detail: str,
    reason: str = "UNKNOWN AIRBORNE OBJECTS",
    series: str = "",
) -> str:
    """The NOTAM-like text of a closure (``NOTAMN``), its update (``NOTAMR``) or its
    cancellation (``NOTAMC``) for an airport, issued at UTC time ``when``."""
    head = f"{series} {kind}".strip()
    name = target.name.upper()
    if kind == "NOTAMC":
        item_e = f"AD OPEN. AD CLSD DUE TO {reason} CANCELLED. {detail}".strip()
        return f"{head}\nA) {target.icao} ({name})\nB) {notam_time(when)}\nE) {item_e}"
    item_e = f"AD CLSD DUE TO {reason}. {detail}".strip()
    return f"{head}\nA) {target.icao} ({name})\nB) {notam_time(when)} C) UFN\nE) {item_e}"


class AirportAdvisor:
    """Closes and reopens the airports of a run; see the module docstring.

    ``start`` is the run's UTC start; the airports are given as targets (their
    ``icao`` set). The current status of each is :meth:`status`.
    """

    def __init__(
        self,
        airports: Sequence[Target],
        rule: AirportRule,
        predictor: ThreatPredictor,
        start: datetime,
        id_prefix: str = "flankwatch",
    ) -> None:
        self.airports = list(airports)
        self.rule = rule
        self.predictor = predictor
        self.start = start
        self.id_prefix = id_prefix
        self._count: dict[str, int] = {}
        self._messages = 0
        self._status = {
            a.icao: AirportStatus(a.icao, a.name, False, None, None) for a in self.airports
        }

    def status(self) -> dict[str, AirportStatus]:
        """Each airport's status by ICAO code."""
        return dict(self._status)

    def step(self, picture: AirPicture) -> AlertStep:
        now_s = picture.t_s
        watched = np.isin(picture.identity.astype(str), list(self.rule.identities))
        reach = np.full(len(self.airports), self.rule.distance_m)
        approach = self.predictor.approach(picture, self.airports, reach, self.rule.horizon_s)
        step = AlertStep()
        for j, target in enumerate(self.airports):
            hits = np.flatnonzero(approach.reach[:, j] & watched)
            current = self._status[target.icao]
            if len(hits):
                step += self._threatened(target, current, picture, hits, approach.t_reach_s[:, j])
            elif current.closed and now_s - (current.last_threat_s or now_s) >= self.rule.clear_s:
                step += self._reopen(target, current, now_s)
        return step

    def _threatened(
        self,
        target: Target,
        current: AirportStatus,
        picture: AirPicture,
        hits: np.ndarray,
        t_reach_s: np.ndarray,
    ) -> AlertStep:
        now_s = picture.t_s
        now = self.start + timedelta(seconds=now_s)
        order = hits[np.argsort(t_reach_s[hits])]
        track_ids = tuple(int(picture.track_id[i]) for i in order)
        first = order[0]
        eta = now + timedelta(seconds=float(t_reach_s[first]))
        what = f"{picture.identity[first]} {picture.category[first]}".upper().replace("-", " ")
        detail = (
            f"{what} TRACK {track_ids[0]} PREDICTED WI {self.rule.distance_m / 1000:.0f}KM OF AD "
            f"AT {eta.astimezone(UTC):%H%M} UTC"
        )
        plain = (
            f"{what.lower()} track {track_ids[0]} predicted within "
            f"{self.rule.distance_m / 1000:.0f} km at {eta.astimezone(UTC):%H:%M} UTC"
        )
        if len(track_ids) > 1:
            detail += f". {len(track_ids)} TRACKS: {', '.join(map(str, track_ids))}"
            plain += f" ({len(track_ids)} tracks)"
        detail += "."
        if not current.closed:
            n = self._count.get(target.icao, 0) + 1
            self._count[target.icao] = n
            alert_id = f"{self.id_prefix}-AD-{target.icao}-{n}"
            self._status[target.icao] = replace(
                current,
                closed=True,
                since_s=now_s,
                since=now,
                reason=detail,
                alert_id=alert_id,
                track_ids=track_ids,
                last_threat_s=now_s,
            )
            return self._output(
                ALERT_ISSUED,
                "NOTAMN",
                "Alert",
                target,
                alert_id,
                now_s,
                now,
                detail,
                track_ids[0],
                f"{target.icao} closed: {plain}",
            )
        new = set(track_ids) - set(current.track_ids)
        self._status[target.icao] = replace(
            current,
            last_threat_s=now_s,
            track_ids=tuple(sorted(set(current.track_ids) | set(track_ids))),
        )
        if not new:
            return AlertStep()
        self._status[target.icao] = replace(self._status[target.icao], reason=detail)
        return self._output(
            ALERT_UPDATED,
            "NOTAMR",
            "Update",
            target,
            current.alert_id,
            now_s,
            now,
            detail,
            min(new, key=track_ids.index),
            f"{target.icao} still closed, new threat: {plain}",
        )

    def _reopen(self, target: Target, current: AirportStatus, now_s: float) -> AlertStep:
        now = self.start + timedelta(seconds=now_s)
        last = self.start + timedelta(seconds=current.last_threat_s or now_s)
        detail = (
            f"NO THREAT PREDICTED WI {self.rule.distance_m / 1000:.0f}KM "
            f"SINCE {last.astimezone(UTC):%H%M} UTC."
        )
        self._status[target.icao] = replace(
            current, closed=False, since_s=now_s, since=now, reason="", track_ids=()
        )
        return self._output(
            ALERT_CANCELLED,
            "NOTAMC",
            "Cancel",
            target,
            current.alert_id,
            now_s,
            now,
            detail,
            -1,
            f"{target.icao} reopened: clear for {self.rule.clear_s / 60:.0f} min",
        )

    def _output(
        self,
        kind: EventKind,
        notam: str,
        msg_type: MsgType,
        target: Target,
        alert_id: str,
        now_s: float,
        now: datetime,
        detail: str,
        track_id: int,
        message: str,
    ) -> AlertStep:
        self._messages += 1
        message_id = f"{alert_id}-{msg_type.lower()}-{self._messages}"
        text = notam_text(notam, target, now, detail, self.rule.reason)
        event = Event(
            t_s=now_s,
            kind=kind,
            message=message,
            track_id=track_id,
            subject=alert_id,
            data={
                "alert": "airport",
                "icao": target.icao,
                "closed": kind != ALERT_CANCELLED,
                "message_id": message_id,
                "msg_type": msg_type,
            },
        )
        return AlertStep(
            [event],
            [AlertMessage(now_s, "notam", msg_type, alert_id, message_id, text)],
        )
