"""Airport advisories: closing an airport when a threat persists near it, and
reopening it once the sky around it has been clear for a while.

An airport closes when a track of the rule's identities has been predicted
within ``distance_m`` of it (within ``horizon_s``) on ``persist_updates`` of
its updates in a row, spanning at least ``persist_s``: one noisy update
closes nothing. A closure lasts at least ``min_closed_s``; it ends when no
such track has been predicted near the airport for ``clear_s`` and none is
near enough to close it again within ``reclose_guard_s``: none could come
within ``distance_m`` at its present speed, in any direction, within
``horizon_s + reclose_guard_s`` (so an airport does not reopen only to close
again; ``reclose_guard_s: 0`` turns this off).

Each closure is one alert: issued when the airport closes (a NOTAMN),
updated when further tracks threaten it (a NOTAMR, replacing the NOTAM in
force, only when item E changes: a hostile track where ``hostile_reason`` is
set), cancelled when it reopens (a NOTAMC citing the NOTAM in force). The
NOTAMs are in the ICAO format (:mod:`flankwatch.alert.notam`); the life-cycle
events name the tracks, the NOTAMs never do.
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
    life_cycle_step,
)
from flankwatch.alert.notam import Notam, NotamBook, notam_text, notam_time
from flankwatch.alert.ruleset import AirportRule, NotamRule
from flankwatch.events import EventData, EventKind

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
    notam: str = ""
    """Number of the NOTAM in force for its closure ("" when open)."""


@dataclass
class _Streak:
    """A track predicted near an airport on consecutive steps."""

    first_s: float
    updates: int
    last_update_s: float


class AirportAdvisor:
    """Closes and reopens the airports of a run; see the module docstring.

    ``start`` is the run's UTC start; the airports are given as targets (their
    ``icao`` set). NOTAMs are numbered and written by the ``notam`` rule. The
    current status of each airport is :meth:`status`.
    """

    def __init__(
        self,
        airports: Sequence[Target],
        rule: AirportRule,
        predictor: ThreatPredictor,
        start: datetime,
        id_prefix: str = "flankwatch",
        notam: NotamRule | None = None,
    ) -> None:
        self.airports = list(airports)
        self.rule = rule
        self.predictor = predictor
        self.start = start
        self.id_prefix = id_prefix
        self.notams = NotamBook(notam if notam is not None else NotamRule())
        self._count: dict[str, int] = {}
        self._messages = 0
        self._status = {
            a.icao: AirportStatus(a.icao, a.name, False, None, None) for a in self.airports
        }
        self._streaks: dict[str, dict[int, _Streak]] = {a.icao: {} for a in self.airports}
        self._reason: dict[str, str] = {}

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
            held = self._hold(target.icao, picture, hits)
            current = self._status[target.icao]
            if len(hits):
                current = replace(current, last_threat_s=now_s)
                self._status[target.icao] = current
            if len(held):
                step += self._threatened(target, current, picture, held, approach.t_reach_s[:, j])
            elif current.closed and self._may_reopen(target, current, picture, watched):
                step += self._reopen(target, current, now_s)
        return step

    def _hold(self, icao: str, picture: AirPicture, hits: np.ndarray) -> np.ndarray:
        """Rows of ``hits`` whose prediction has persisted as the rule asks."""
        now_s = picture.t_s
        streaks = self._streaks[icao]
        kept: dict[int, _Streak] = {}
        held = []
        for i in hits:
            track = int(picture.track_id[i])
            updated_s = (
                float(picture.last_update_s[i]) if picture.last_update_s is not None else now_s
            )
            streak = streaks.get(track)
            if streak is None:
                streak = _Streak(now_s, 1, updated_s)
            elif updated_s > streak.last_update_s:
                streak.updates += 1
                streak.last_update_s = updated_s
            kept[track] = streak
            if self.rule.held(streak.updates, now_s - streak.first_s):
                held.append(i)
        self._streaks[icao] = kept
        return np.asarray(held, np.int64)

    def _may_reopen(
        self, target: Target, current: AirportStatus, picture: AirPicture, watched: np.ndarray
    ) -> bool:
        """Closed long enough, clear long enough, and no watched track within reach."""
        now_s = picture.t_s
        rule = self.rule
        if now_s - (current.since_s if current.since_s is not None else now_s) < rule.min_closed_s:
            return False
        if now_s - (current.last_threat_s if current.last_threat_s is not None else now_s) < (
            rule.clear_s
        ):
            return False
        if rule.reclose_guard_s <= 0.0 or not watched.any():
            return True
        offset = picture.position_m[watched, :2] - target.enu_m[None, :2]
        distance_m = np.hypot(offset[:, 0], offset[:, 1])
        speed_mps = np.hypot(picture.velocity_mps[watched, 0], picture.velocity_mps[watched, 1])
        reach_s = rule.horizon_s + rule.reclose_guard_s
        return bool(np.all(distance_m > rule.distance_m + speed_mps * reach_s))

    def _reason_for(self, picture: AirPicture, rows: np.ndarray) -> str:
        hostile = np.any(picture.identity[rows].astype(str) == "hostile")
        if hostile and self.rule.hostile_reason:
            return self.rule.hostile_reason
        return self.rule.reason

    def _threatened(
        self,
        target: Target,
        current: AirportStatus,
        picture: AirPicture,
        held: np.ndarray,
        t_reach_s: np.ndarray,
    ) -> AlertStep:
        now_s = picture.t_s
        now = self.start + timedelta(seconds=now_s)
        order = held[np.argsort(t_reach_s[held], kind="stable")]
        track_ids = tuple(int(picture.track_id[i]) for i in order)
        first = order[0]
        eta = now + timedelta(seconds=float(min(t_reach_s[first], self.rule.horizon_s)))
        what = f"{picture.identity[first]} {picture.category[first]}".replace("-", " ")
        plain = (
            f"{what} track {track_ids[0]} predicted within "
            f"{self.rule.distance_m / 1000:.0f} km at {eta.astimezone(UTC):%H:%M} UTC"
        )
        if len(track_ids) > 1:
            plain += f" ({len(track_ids)} tracks)"
        reason = self._reason_for(picture, order)
        if not current.closed:
            n = self._count.get(target.icao, 0) + 1
            self._count[target.icao] = n
            alert_id = f"{self.id_prefix}-AD-{target.icao}-{n}"
            notam = self.notams.closed(target, now, reason, self.rule.distance_m)
            self._reason[target.icao] = reason
            self._status[target.icao] = replace(
                current,
                closed=True,
                since_s=now_s,
                since=now,
                reason=plain,
                alert_id=alert_id,
                track_ids=track_ids,
                last_threat_s=now_s,
                notam=notam.number,
            )
            return self._output(
                ALERT_ISSUED,
                "Alert",
                target,
                alert_id,
                now_s,
                notam,
                track_ids[0],
                f"{target.icao} closed: {plain}",
            )
        new = set(track_ids) - set(current.track_ids)
        known = tuple(sorted(set(current.track_ids) | set(track_ids)))
        self._status[target.icao] = replace(current, track_ids=known)
        if not new:
            return AlertStep()
        newest = min(new, key=track_ids.index)
        row = order[track_ids.index(newest)]
        eta = now + timedelta(seconds=float(min(t_reach_s[row], self.rule.horizon_s)))
        message = (
            f"{target.icao} still closed, new threat: "
            f"{picture.identity[row]} {picture.category[row]}".replace("-", " ")
            + f" track {newest} predicted within {self.rule.distance_m / 1000:.0f} km "
            f"at {eta.astimezone(UTC):%H:%M} UTC ({len(known)} tracks so far)"
        )
        self._status[target.icao] = replace(self._status[target.icao], reason=plain)
        if reason == self._reason.get(target.icao, reason):
            return self._output(
                ALERT_UPDATED, "Update", target, current.alert_id, now_s, None, newest, message
            )
        notam = self.notams.closed(target, now, reason, self.rule.distance_m, current.notam)
        self._reason[target.icao] = reason
        self._status[target.icao] = replace(self._status[target.icao], notam=notam.number)
        return self._output(
            ALERT_UPDATED, "Update", target, current.alert_id, now_s, notam, newest, message
        )

    def _reopen(self, target: Target, current: AirportStatus, now_s: float) -> AlertStep:
        now = self.start + timedelta(seconds=now_s)
        last_s = current.last_threat_s if current.last_threat_s is not None else now_s
        reason = self._reason.pop(target.icao, self.rule.reason)
        notam = self.notams.reopened(target, now, reason, self.rule.distance_m, current.notam)
        self._status[target.icao] = replace(
            current, closed=False, since_s=now_s, since=now, reason="", track_ids=(), notam=""
        )
        return self._output(
            ALERT_CANCELLED,
            "Cancel",
            target,
            current.alert_id,
            now_s,
            notam,
            -1,
            f"{target.icao} reopened: closed {(now_s - (current.since_s or 0.0)) / 60:.0f} min, "
            f"no threat predicted within {self.rule.distance_m / 1000:.0f} km for "
            f"{(now_s - last_s) / 60:.0f} min",
        )

    def _output(
        self,
        kind: EventKind,
        msg_type: MsgType,
        target: Target,
        alert_id: str,
        now_s: float,
        notam: Notam | None,
        track_id: int,
        message: str,
    ) -> AlertStep:
        """The life-cycle event, and the NOTAM's message if one is sent."""
        message_id = ""
        messages = []
        if notam is not None:
            self._messages += 1
            message_id = f"{alert_id}-{msg_type.lower()}-{self._messages}"
            messages.append(
                AlertMessage(now_s, "notam", msg_type, alert_id, message_id, notam_text(notam))
            )
        data: EventData = {
            "alert": "airport",
            "icao": target.icao,
            "closed": kind != ALERT_CANCELLED,
            "message_id": message_id,
            "msg_type": msg_type,
            "notam": notam.number if notam is not None else "",
        }
        return life_cycle_step(kind, now_s, alert_id, track_id, message, data, messages)
