"""Public warnings: one CAP alert per threatening track, in Polish and English.

A track of a watched identity (by default hostile) threatens when it is
predicted within reach of a target (a defended asset of a watched kind, or an
airport) within the horizon, or when towns and villages of at least
``min_population`` inhabitants lie in the corridor of its predicted path (the
next ``path_horizon_s`` of its course, ``corridor_half_width_m`` either side,
widened by the spread of the track's motion model: a weaving missile's cone).
Its warning is

* issued (CAP ``Alert``) once the threat has held on ``persist_updates`` track
  updates in a row spanning at least ``persist_s``;
* updated (CAP ``Update``) only when it changes materially: new voivodeships,
  places or targets on the path (at most once per ``min_update_interval_s``),
  or at once when the urgency becomes Immediate or a lost track is seen again;
* ended by a CAP ``Cancel`` that says how: *all clear* only when the threat is
  seen to end (the track came down, was destroyed, or left the watched
  airspace and threatened nothing for ``clear_s``); *moved away from this
  area* when it is still tracked inside but threatens nothing for ``clear_s``;
  and when the track is lost without such an end, first an ``Update``
  *contact lost, stay alert*, then after ``lost_lapse_s`` a Cancel saying the
  warning lapsed.

The area is one CAP ``area`` per voivodeship on the path (``areaDesc`` naming
it and its places, geocodes ``ISO3166-2`` and ``TERYT``, the corridor's part in
it as polygon; see :mod:`flankwatch.alert.public_area`); each message has one
``info`` block per language. Updates and Cancels cite only the previous
message (:mod:`flankwatch.alert.public_cap`); how a warning ends is
:mod:`flankwatch.alert.public_ending`. Public text never carries a track
number, nor the word decoy (see :mod:`flankwatch.alert.public_text`).

Every message carries the CAP status the alerter was built with
(``cap_status``, ``Exercise`` unless told otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from flankwatch.alert.base import (
    ALERT_ISSUED,
    ALERT_UPDATED,
    AirPicture,
    AlertStep,
    Approach,
    MsgType,
    Target,
    ThreatPredictor,
)
from flankwatch.alert.cap import Urgency
from flankwatch.alert.public_area import Threat, WarningArea
from flankwatch.alert.public_cap import CapStatus, CapWriter, PublicAlert
from flankwatch.alert.public_ending import cancel_message, ending_due, lost_message
from flankwatch.alert.public_text import warning_text
from flankwatch.alert.ruleset import CapSettings, PublicRule
from flankwatch.events import EventData
from flankwatch.geo.admin import PopulatedPlaces
from flankwatch.geo.borders import inside as inside_country
from flankwatch.geo.frames import LocalFrame

__all__ = ["CapStatus", "PublicAlert", "PublicAlerter"]


@dataclass
class _Pending:
    """A threat not yet warned for: how long and on how many updates it has held."""

    first_s: float
    updates: int
    last_update_s: float


class PublicAlerter:
    """Issues, updates and ends the public CAP alerts of a run; see the module docstring.

    ``places`` are the towns and villages warned for (``None``: only the
    targets); ``airspace_country`` the watched country (ISO 3166-1 alpha-3),
    whose leaving ends a threat (``None``: never seen to leave). Tracks that a
    later stage reports destroyed are handed in with :meth:`mark_destroyed`.
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
        places: PopulatedPlaces | None = None,
        airspace_country: str | None = None,
    ) -> None:
        self._writer = CapWriter(cap, cap_status, start)
        self.targets = list(targets)
        self.rule = rule
        self.cap = cap
        self.predictor = predictor
        self.frame = frame
        self.start = start
        self.id_prefix = id_prefix
        self.cap_status: CapStatus = cap_status
        self.airspace_country = airspace_country
        self._area = WarningArea(rule, frame, places)
        self.places = self._area.places
        self._active: dict[int, PublicAlert] = {}
        self._pending: dict[int, _Pending] = {}
        self._destroyed: set[int] = set()
        self._count = 0

    def active(self) -> dict[int, PublicAlert]:
        """The alerts in force, by track number."""
        return dict(self._active)

    def mark_destroyed(self, track_ids: Iterable[int]) -> None:
        """Tracks seen destroyed (by a response stage): their warnings end as all clear,
        and they are not warned for again (a track coasts on after its target is gone)."""
        self._destroyed.update(int(t) for t in track_ids)

    def mark_survived(self, track_ids: Iterable[int]) -> None:
        """Tracks seen destroyed that are still flying after all: warned for again."""
        self._destroyed.difference_update(int(t) for t in track_ids)

    def step(self, picture: AirPicture) -> AlertStep:
        now_s = picture.t_s
        present = {int(t): i for i, t in enumerate(picture.track_id)}
        self._remember(picture, present)
        threats = self._threats(picture)
        step = AlertStep()
        for track_id, threat in threats.items():
            if track_id in self._destroyed:
                continue
            current = self._active.get(track_id)
            if current is None:
                if self._persisted(track_id, picture, threat.row):
                    step += self._send("Alert", picture, threat, None)
                continue
            current.last_threat_s = now_s
            if self._material(current, picture, threat):
                step += self._send("Update", picture, threat, current)
        for track_id in list(self._pending):
            if track_id not in threats:
                del self._pending[track_id]
        for track_id, current in list(self._active.items()):
            if track_id in threats and track_id not in self._destroyed:
                continue
            step += self._end_or_wait(current, now_s, track_id in present)
        return step

    # -- threats and persistence -------------------------------------------

    def _threats(self, picture: AirPicture) -> dict[int, Threat]:
        watched = np.isin(picture.identity.astype(str), list(self.rule.identities))
        reach = np.array([t.radius_m + self.rule.margin_m for t in self.targets], float)
        if self.targets:
            approach = self.predictor.approach(picture, self.targets, reach, self.rule.horizon_s)
        else:
            approach = Approach.none(len(picture), 0)
        threats: dict[int, Threat] = {}
        for i in np.flatnonzero(watched):
            cols = np.flatnonzero(approach.reach[i])
            cols = cols[np.argsort(approach.t_reach_s[i, cols], kind="stable")]
            corridor = self._area.corridor(picture, int(i))
            places, t_places = self._area.places_on_path(picture, int(i), corridor)
            if len(cols) == 0 and (places is None or len(places) == 0):
                continue
            threats[int(picture.track_id[i])] = Threat(
                int(i),
                tuple(self.targets[j] for j in cols),
                tuple(float(approach.t_reach_s[i, j]) for j in cols),
                corridor,
                places,
                t_places,
            )
        return threats

    def _persisted(self, track_id: int, picture: AirPicture, row: int) -> bool:
        now_s = picture.t_s
        update_s = float(picture.last_update_s[row]) if picture.last_update_s is not None else now_s
        pending = self._pending.get(track_id)
        if pending is None:
            pending = self._pending[track_id] = _Pending(now_s, 1, update_s)
        elif update_s != pending.last_update_s:
            pending.updates += 1
            pending.last_update_s = update_s
        held = self.rule.held(pending.updates, now_s - pending.first_s)
        if held:
            del self._pending[track_id]
        return held

    def _urgency(self, threat: Threat) -> Urgency:
        return "Immediate" if threat.t_first_s <= self.rule.immediate_within_s else "Expected"

    def _material(self, current: PublicAlert, picture: AirPicture, threat: Threat) -> bool:
        """Whether an Update is due: see the module docstring."""
        if current.state == "lost":
            return True
        if self._urgency(threat) == "Immediate" and current.urgency != "Immediate":
            return True
        if picture.t_s - current.last_sent_s < self.rule.min_update_interval_s:
            return False
        units = {u.code for u in self._area.units(threat)}
        places = {str(n) for n in threat.places.name} if threat.places is not None else set()
        targets = {t.name for t in threat.targets}
        return bool(
            units - set(current.units) or places - current.places or targets - set(current.targets)
        )

    def _remember(self, picture: AirPicture, present: dict[int, int]) -> None:
        """Keep the last height, climb and airspace of every warned track still seen.

        The climb rate is the height's rate of change (m/s), so it is measured in the
        track's own vertical, not in the frame's: far from the frame's origin a level
        track has an ENU vertical velocity. Its standard deviation is the ENU vertical
        velocity's."""
        rows = [(a, present[t]) for t, a in self._active.items() if t in present]
        if not rows:
            return
        index = np.array([i for _, i in rows])
        position = picture.position_m[index]
        lat, lon, height = self.frame.enu_to_geodetic(position)
        lat, lon, height = np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(height)
        ahead = self.frame.enu_to_geodetic(position + picture.velocity_mps[index])[2]
        climb = np.atleast_1d(ahead) - height
        if picture.vertical_var_m2ps2 is not None:
            climb_sigma = np.sqrt(np.maximum(picture.vertical_var_m2ps2[index], 0.0))
        else:
            climb_sigma = np.zeros(len(index))
        if self.airspace_country is not None:
            inside = np.atleast_1d(inside_country(self.airspace_country, lat, lon))
        else:
            inside = np.ones(len(index), bool)
        for k, (alert, _) in enumerate(rows):
            alert.last_seen_s = picture.t_s
            alert.last_height_m = float(height[k])
            alert.last_climb_mps = float(climb[k])
            alert.last_climb_sigma_mps = float(climb_sigma[k])
            alert.last_inside = bool(inside[k])
            alert.last_lat_deg, alert.last_lon_deg = float(lat[k]), float(lon[k])

    # -- messages ------------------------------------------------------------

    def _send(
        self, msg_type: MsgType, picture: AirPicture, threat: Threat, current: PublicAlert | None
    ) -> AlertStep:
        now_s = picture.t_s
        now = self._writer.utc(now_s)
        i = threat.row
        track_id = int(picture.track_id[i])
        what = str(picture.category[i])
        velocity = picture.velocity_mps[i]
        speed_kmh = float(np.hypot(velocity[0], velocity[1])) * 3.6
        course_deg = math.degrees(math.atan2(velocity[0], velocity[1])) % 360.0
        urgency = self._urgency(threat)
        if current is None:
            self._count += 1
            alert_id = f"{self.id_prefix}-PA-{self._count}"
            current = PublicAlert(alert_id, track_id, now_s, now_s, now_s, ())
            self._active[track_id] = current
            message_id = alert_id
        else:
            message_id = f"{current.alert_id}-U{current.messages}"
        units = self._area.units_on_path(threat, now)
        targets = [
            (t.name, now + timedelta(seconds=dt))
            for t, dt in zip(threat.targets, threat.t_reach_s, strict=True)
        ]
        infos = []
        for language in self.cap.languages:
            text = self.cap.text[language]
            headline, description = warning_text(
                language,
                text.event,
                what,
                course_deg,
                speed_kmh,
                [u for _, u in units],
                targets,
                self._writer.exercise,
            )
            areas = self._area.areas(threat, units, language)
            current.areas[language] = areas
            infos.append(
                self._writer.info(
                    language,
                    urgency,
                    headline,
                    description,
                    text.instruction,
                    areas,
                    ("Shelter",),
                    now,
                    now + timedelta(seconds=self.rule.path_horizon_s),
                )
            )
        was_lost = current.state == "lost"
        old_units = current.units
        current.state = "warning"
        current.lost_s = math.inf
        current.last_sent_s = current.last_threat_s = now_s
        current.targets = tuple(t.name for t in threat.targets)
        current.units = tuple(u.code for u, _ in units)
        current.places = frozenset(
            str(n) for n in (threat.places.name if threat.places is not None else ())
        )
        current.urgency = urgency
        current.what = what
        where = ", ".join(current.units + current.targets)
        if msg_type == "Alert":
            kind, reason = ALERT_ISSUED, f"{what} track {track_id}: warning for {where}"
        elif was_lost:
            kind, reason = ALERT_UPDATED, f"track {track_id} seen again; warning for {where}"
        elif current.units != old_units:
            kind, reason = ALERT_UPDATED, f"track {track_id} now threatens {where}"
        else:
            kind, reason = ALERT_UPDATED, f"track {track_id} moved; warning for {where}"
        data: EventData = {"targets": ",".join(current.targets), "units": ",".join(current.units)}
        data["places"] = ",".join(sorted(current.places))
        return self._writer.send(
            kind, msg_type, current, message_id, now_s, infos, reason, threat.t_first_s, data
        )

    def _end_or_wait(self, current: PublicAlert, now_s: float, seen: bool) -> AlertStep:
        """End a warning whose track threatens nothing now, or keep it while waiting."""
        due = ending_due(self.rule, current, now_s, seen, current.track_id in self._destroyed)
        if due is None:
            return AlertStep()
        if due == "lost":
            return lost_message(self._writer, self.rule, current, now_s)
        del self._active[current.track_id]
        return cancel_message(self._writer, self._area, current, now_s, due)
