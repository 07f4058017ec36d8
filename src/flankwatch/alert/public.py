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
it as polygon); each message has one ``info`` block per language. Updates and
Cancels cite only the previous message. Public text never carries a track
number, nor the word decoy (see :mod:`flankwatch.alert.public_text`).

Every message carries the CAP status the alerter was built with
(``cap_status``, ``Exercise`` unless told otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from flankwatch.alert.base import (
    ALERT_CANCELLED,
    ALERT_ISSUED,
    ALERT_UPDATED,
    AirPicture,
    AlertMessage,
    AlertStep,
    Approach,
    MsgType,
    Target,
    ThreatPredictor,
)
from flankwatch.alert.cap import (
    CapArea,
    CapInfo,
    CapReference,
    ResponseType,
    Urgency,
    build_cap,
    cap_polygon,
)
from flankwatch.alert.predict import corridor_enu
from flankwatch.alert.public_text import (
    Ending,
    Language,
    PlaceOnPath,
    UnitOnPath,
    ending_text,
    lost_text,
    warning_text,
)
from flankwatch.alert.ruleset import CapSettings, PublicRule
from flankwatch.events import Event, EventKind
from flankwatch.geo.admin import AdminUnit, PopulatedPlaces, admin_unit, admin_unit_of
from flankwatch.geo.borders import inside as inside_country
from flankwatch.geo.frames import LocalFrame

__all__ = ["CapStatus", "PublicAlert", "PublicAlerter"]

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
    last_vz_mps: float = 0.0
    last_inside: bool = True
    last_lat_deg: float = math.nan
    last_lon_deg: float = math.nan
    messages: int = 0


@dataclass
class _Pending:
    """A threat not yet warned for: how long and on how many updates it has held."""

    first_s: float
    updates: int
    last_update_s: float


@dataclass(frozen=True)
class _Threat:
    """What one track threatens now: targets (earliest first) and the path's places."""

    row: int
    targets: tuple[Target, ...]
    t_reach_s: tuple[float, ...]
    corridor: Polygon
    places: PopulatedPlaces | None
    t_places_s: np.ndarray

    @property
    def t_first_s(self) -> float:
        times = list(self.t_reach_s)
        if self.places is not None and len(self.places):
            times.append(float(np.min(self.t_places_s)))
        return min(times) if times else math.inf


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
        self.airspace_country = airspace_country
        self.places = None
        if places is not None and rule.places:
            self.places = places.select(places.population >= rule.min_population)
        self._places_enu = (
            frame.geodetic_to_enu(
                self.places.lat_deg, self.places.lon_deg, np.zeros(len(self.places))
            )[:, :2]
            if self.places is not None
            else np.zeros((0, 2))
        )
        self._active: dict[int, PublicAlert] = {}
        self._pending: dict[int, _Pending] = {}
        self._destroyed: set[int] = set()
        self._count = 0

    def active(self) -> dict[int, PublicAlert]:
        """The alerts in force, by track number."""
        return dict(self._active)

    def mark_destroyed(self, track_ids: Iterable[int]) -> None:
        """Tracks seen destroyed (by a response stage): their warnings end as all clear."""
        self._destroyed.update(int(t) for t in track_ids)

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

    def _threats(self, picture: AirPicture) -> dict[int, _Threat]:
        watched = np.isin(picture.identity.astype(str), list(self.rule.identities))
        reach = np.array([t.radius_m + self.rule.margin_m for t in self.targets], float)
        if self.targets:
            approach = self.predictor.approach(picture, self.targets, reach, self.rule.horizon_s)
        else:
            approach = Approach.none(len(picture), 0)
        threats: dict[int, _Threat] = {}
        for i in np.flatnonzero(watched):
            cols = np.flatnonzero(approach.reach[i])
            cols = cols[np.argsort(approach.t_reach_s[i, cols], kind="stable")]
            corridor = self._corridor(picture, int(i))
            places, t_places = self._places_on_path(picture, int(i), corridor)
            if len(cols) == 0 and (places is None or len(places) == 0):
                continue
            threats[int(picture.track_id[i])] = _Threat(
                int(i),
                tuple(self.targets[j] for j in cols),
                tuple(float(approach.t_reach_s[i, j]) for j in cols),
                corridor,
                places,
                t_places,
            )
        return threats

    def _half_width_m(self, picture: AirPicture, i: int) -> float:
        """The corridor's half width: the set width widened by the motion model's spread
        (1 sigma, m) at the far end of the path, times ``corridor_spread_sigmas``."""
        horizon_s = self.rule.path_horizon_s
        var_m2 = 0.0
        if picture.position_cov_m2 is not None:
            var_m2 += float(np.trace(picture.position_cov_m2[i])) / 2.0
        if picture.velocity_var_m2ps2 is not None:
            var_m2 += horizon_s**2 * float(np.sum(picture.velocity_var_m2ps2[i])) / 2.0
        if picture.manoeuvre_prob is not None:
            speed_mps = float(np.hypot(*picture.velocity_mps[i, :2]))
            spread = math.sin(math.radians(self.rule.manoeuvre_heading_sigma_deg))
            var_m2 += float(picture.manoeuvre_prob[i]) * (speed_mps * horizon_s * spread) ** 2
        width_m = self.rule.corridor_half_width_m
        width_m += self.rule.corridor_spread_sigmas * math.sqrt(max(var_m2, 0.0))
        return min(
            width_m, max(self.rule.corridor_max_half_width_m, self.rule.corridor_half_width_m)
        )

    def _corridor(self, picture: AirPicture, i: int) -> Polygon:
        ring = corridor_enu(
            picture.position_m[i],
            picture.velocity_mps[i],
            self.rule.path_horizon_s,
            self._half_width_m(picture, i),
        )
        lat, lon, _ = self.frame.enu_to_geodetic(np.column_stack((ring, np.zeros(len(ring)))))
        return Polygon(np.column_stack((lon, lat)))

    def _places_on_path(
        self, picture: AirPicture, i: int, corridor: Polygon
    ) -> tuple[PopulatedPlaces | None, np.ndarray]:
        if self.places is None:
            return None, np.zeros(0)
        mask = np.asarray(
            shapely.contains_xy(corridor, self.places.lon_deg, self.places.lat_deg), bool
        )
        on_path = self.places.select(mask)
        rel = self._places_enu[mask] - picture.position_m[i, :2]
        velocity = picture.velocity_mps[i, :2]
        speed_sq = float(velocity @ velocity)
        t_s = rel @ velocity / speed_sq if speed_sq > 1e-12 else np.zeros(len(rel))
        return on_path, np.clip(t_s, 0.0, None)

    def _persisted(self, track_id: int, picture: AirPicture, row: int) -> bool:
        now_s = picture.t_s
        update_s = float(picture.last_update_s[row]) if picture.last_update_s is not None else now_s
        pending = self._pending.get(track_id)
        if pending is None:
            pending = self._pending[track_id] = _Pending(now_s, 1, update_s)
        elif update_s != pending.last_update_s:
            pending.updates += 1
            pending.last_update_s = update_s
        held = (
            pending.updates >= self.rule.persist_updates
            and now_s - pending.first_s >= self.rule.persist_s
        )
        if held:
            del self._pending[track_id]
        return held

    def _urgency(self, threat: _Threat) -> Urgency:
        return "Immediate" if threat.t_first_s <= self.rule.immediate_within_s else "Expected"

    def _material(self, current: PublicAlert, picture: AirPicture, threat: _Threat) -> bool:
        """Whether an Update is due: see the module docstring."""
        if current.state == "lost":
            return True
        if self._urgency(threat) == "Immediate" and current.urgency != "Immediate":
            return True
        if picture.t_s - current.last_sent_s < self.rule.min_update_interval_s:
            return False
        units = {u.code for u in self._units(threat)}
        places = {str(n) for n in threat.places.name} if threat.places is not None else set()
        targets = {t.name for t in threat.targets}
        return bool(
            units - set(current.units) or places - current.places or targets - set(current.targets)
        )

    def _remember(self, picture: AirPicture, present: dict[int, int]) -> None:
        """Keep the last height, climb and airspace of every warned track still seen."""
        rows = [(a, present[t]) for t, a in self._active.items() if t in present]
        if not rows:
            return
        index = np.array([i for _, i in rows])
        lat, lon, height = self.frame.enu_to_geodetic(picture.position_m[index])
        lat, lon, height = np.atleast_1d(lat), np.atleast_1d(lon), np.atleast_1d(height)
        if self.airspace_country is not None:
            inside = np.atleast_1d(inside_country(self.airspace_country, lat, lon))
        else:
            inside = np.ones(len(index), bool)
        for k, (alert, i) in enumerate(rows):
            alert.last_seen_s = picture.t_s
            alert.last_height_m = float(height[k])
            alert.last_vz_mps = float(picture.velocity_mps[i, 2])
            alert.last_inside = bool(inside[k])
            alert.last_lat_deg, alert.last_lon_deg = float(lat[k]), float(lon[k])

    # -- areas ---------------------------------------------------------------

    def _units(self, threat: _Threat) -> list[AdminUnit]:
        """The voivodeships on the path: those of its places (as the gazetteer has them)
        and of its targets."""
        found: dict[str, AdminUnit] = {}
        if threat.places is not None:
            for code in sorted(set(threat.places.admin1_code.tolist())):
                if code:
                    found.setdefault(code, admin_unit(code))
        for target in threat.targets:
            unit = admin_unit_of(target.lat_deg, target.lon_deg)
            if unit is not None:
                found.setdefault(unit.code, unit)
        return sorted(found.values(), key=lambda u: u.code)

    def _units_on_path(self, threat: _Threat, now: datetime) -> list[tuple[AdminUnit, UnitOnPath]]:
        result = []
        for unit in self._units(threat):
            named: list[PlaceOnPath] = []
            more = 0
            if threat.places is not None:
                order = np.flatnonzero(threat.places.admin1_code == unit.code)
                order = order[np.argsort(threat.t_places_s[order], kind="stable")]
                by_size = order[np.argsort(-threat.places.population[order], kind="stable")]
                keep = set(by_size[: self.rule.max_places_named].tolist())
                named = [
                    PlaceOnPath(
                        str(threat.places.name[j]),
                        int(threat.places.population[j]),
                        now + timedelta(seconds=float(threat.t_places_s[j])),
                    )
                    for j in order
                    if j in keep
                ]
                more = len(order) - len(named)
            result.append(
                (unit, UnitOnPath(unit.code, unit.name, unit.name_pl, tuple(named), more))
            )
        return result

    def _areas(
        self, threat: _Threat, units: list[tuple[AdminUnit, UnitOnPath]], language: Language
    ) -> tuple[CapArea, ...]:
        areas = []
        for unit, on_path in units:
            part = threat.corridor.intersection(unit.polygon)
            shape: BaseGeometry = part if not part.is_empty else unit.polygon
            polygons = tuple(_cap_polygons(shape))
            areas.append(
                CapArea(
                    on_path.area_description(language),
                    polygons,
                    (("ISO3166-2", unit.code), ("TERYT", unit.teryt)),
                )
            )
        if not areas:
            lon, lat = threat.corridor.exterior.coords.xy
            words = "Przewidywana trasa obiektu" if language == "pl-PL" else "Predicted path"
            areas.append(CapArea(words, (cap_polygon(lat, lon),)))
        return tuple(areas)

    # -- messages ------------------------------------------------------------

    def _send(
        self, msg_type: MsgType, picture: AirPicture, threat: _Threat, current: PublicAlert | None
    ) -> AlertStep:
        now_s = picture.t_s
        now = self._utc(now_s)
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
        units = self._units_on_path(threat, now)
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
                self.cap_status == "Exercise",
            )
            areas = self._areas(threat, units, language)
            current.areas[language] = areas
            infos.append(
                self._info(
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
        body = self._body(message_id, now, msg_type, infos, current)
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
        data = {"targets": ",".join(current.targets), "units": ",".join(current.units)}
        data["places"] = ",".join(sorted(current.places))
        return self._output(
            kind, msg_type, current, message_id, now_s, reason, body, threat.t_first_s, data
        )

    def _end_or_wait(self, current: PublicAlert, now_s: float, seen: bool) -> AlertStep:
        """End a warning whose track threatens nothing now, or keep it while waiting."""
        if current.track_id in self._destroyed:
            return self._cancel(current, now_s, "destroyed")
        if not seen:
            if self._came_down(current):
                return self._cancel(current, now_s, "down")
            if current.state == "warning":
                return self._lost(current, now_s)
            if now_s - current.lost_s >= self.rule.lost_lapse_s:
                return self._cancel(current, now_s, "lapsed")
            return AlertStep()
        if now_s - current.last_threat_s >= self.rule.clear_s:
            return self._cancel(current, now_s, "moved-away" if current.last_inside else "left")
        return AlertStep()

    def _came_down(self, current: PublicAlert) -> bool:
        return (
            current.last_height_m <= self.rule.down_height_m
            and current.last_vz_mps <= -self.rule.down_descent_mps
        )

    def _lost(self, current: PublicAlert, now_s: float) -> AlertStep:
        now = self._utc(now_s)
        last_seen = self._utc(current.last_seen_s)
        message_id = f"{current.alert_id}-U{current.messages}"
        infos = []
        for language in self.cap.languages:
            headline, description = lost_text(
                language, current.what, last_seen, self.cap_status == "Exercise"
            )
            infos.append(
                self._info(
                    language,
                    "Expected",
                    headline,
                    description,
                    self.cap.text[language].lost_instruction,
                    current.areas.get(language, ()),
                    ("Monitor",),
                    now,
                    now + timedelta(seconds=self.rule.lost_lapse_s),
                    certainty="Possible",
                )
            )
        body = self._body(message_id, now, "Update", infos, current)
        current.state = "lost"
        current.lost_s = now_s
        reason = f"track {current.track_id} lost without an observed end: contact lost"
        return self._output(
            ALERT_UPDATED,
            "Update",
            current,
            message_id,
            now_s,
            reason,
            body,
            None,
            {"status": "contact-lost"},
        )

    def _cancel(self, current: PublicAlert, now_s: float, ending: Ending) -> AlertStep:
        now = self._utc(now_s)
        message_id = f"{current.alert_id}-C"
        near = ""
        if ending == "down" and not math.isnan(current.last_lat_deg):
            near = self._nearest_place(current.last_lat_deg, current.last_lon_deg)
        since = self._utc(current.last_seen_s)
        ended = ending in ("down", "destroyed", "left")
        infos = []
        for language in self.cap.languages:
            text = self.cap.text[language]
            headline, description = ending_text(
                language, ending, current.what, since, near, self.cap_status == "Exercise"
            )
            instruction = {
                "down": text.ended_instruction,
                "destroyed": text.ended_instruction,
                "left": text.ended_instruction,
                "moved-away": text.moved_away_instruction,
                "lapsed": text.lapsed_instruction,
            }[ending]
            response: ResponseType = "AllClear" if ended else "Monitor"
            infos.append(
                self._info(
                    language,
                    "Past",
                    headline,
                    description,
                    instruction,
                    current.areas.get(language, ()),
                    (response,),
                    now,
                    None,
                    severity="Minor",
                    certainty="Observed" if ended else "Unknown",
                )
            )
        body = self._body(message_id, now, "Cancel", infos, current)
        del self._active[current.track_id]
        self._destroyed.discard(current.track_id)
        reason = {
            "down": f"track {current.track_id} came down: the threat has ended",
            "destroyed": f"track {current.track_id} was destroyed: the threat has ended",
            "left": f"track {current.track_id} left the watched airspace: the threat has ended",
            "moved-away": f"track {current.track_id} no longer threatens the warned area",
            "lapsed": f"track {current.track_id} lost; the warning lapsed without an observed end",
        }[ending]
        return self._output(
            ALERT_CANCELLED,
            "Cancel",
            current,
            message_id,
            now_s,
            reason,
            body,
            None,
            {"ending": ending},
        )

    def _nearest_place(self, lat_deg: float, lon_deg: float) -> str:
        if self.places is None or len(self.places) == 0:
            return ""
        scale = math.cos(math.radians(lat_deg))
        d2 = (self.places.lat_deg - lat_deg) ** 2 + ((self.places.lon_deg - lon_deg) * scale) ** 2
        j = int(np.argmin(d2))
        return str(self.places.name[j]) if d2[j] <= 0.1**2 else ""

    def _info(
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

    def _body(
        self,
        message_id: str,
        now: datetime,
        msg_type: MsgType,
        infos: list[CapInfo],
        current: PublicAlert,
    ) -> str:
        """The CAP document; it cites only the alert's previous message."""
        references = [current.previous] if current.previous is not None else []
        body = build_cap(
            message_id,
            self.cap.sender,
            now,
            msg_type,
            infos,
            status=self.cap_status,
            references=references,
        )
        current.previous = CapReference(self.cap.sender, message_id, now)
        current.messages += 1
        return body

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
        extra: dict[str, str],
    ) -> AlertStep:
        data: dict[str, str | float | None] = {
            "alert": "public",
            "message_id": message_id,
            "msg_type": msg_type,
            "targets": ",".join(alert.targets),
            "t_reach_s": t_reach_s,
        }
        data.update(extra)
        event = Event(
            t_s=now_s,
            kind=kind,
            message=reason,
            track_id=alert.track_id,
            subject=alert.alert_id,
            data=data,
        )
        message = AlertMessage(now_s, "cap", msg_type, alert.alert_id, message_id, body)
        return AlertStep([event], [message])

    def _utc(self, t_s: float) -> datetime:
        return (self.start + timedelta(seconds=t_s)).astimezone(UTC)


def _cap_polygons(shape: BaseGeometry) -> list[str]:
    """The outer rings of a (multi)polygon in lon/lat as CAP polygons, slightly simplified."""
    polygons = []
    for part in getattr(shape, "geoms", [shape]):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        ring = part.simplify(0.002, preserve_topology=True).exterior
        lon, lat = ring.coords.xy
        if len(lon) >= 4:
            polygons.append(cap_polygon(lat, lon))
    return polygons
