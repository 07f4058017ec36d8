"""Identification: rules *propose* each track's NATO standard identity, an authority
*declares* it.

The rules are data (``rules/identity.yaml`` by default; its header explains the
format), validated by :class:`IdentityRules`. A new track's proposal is
``pending``. Proposals only escalate along :data:`HOSTILITY` unless a rule says
``override: true``; at each step the first rule (in file order) that applies to
a track, has held for its ``persist`` conditions (consecutive updates and
seconds) and would change it (or that overrides) decides, so at most one rule
changes a proposal per step and every change is one ``identity-proposed`` event
naming that rule. The proposals go to the
:class:`~flankwatch.assess.authority.IdentificationAuthority`, which declares
them (by the authority rule after its delay, or by an operator); the declared
identity is what alerts and threat ranking act on.

Transponder facts come from the window's plots
(:class:`~flankwatch.assess.replies.TransponderReplies`: squawk and IFF Mode 5)
and from the filed flight plans
(:class:`~flankwatch.assess.flightplan.FlightPlanBook`).

Conditions are evaluated only on the tracks a rule could still change, the
cheap ones first: the plain ones for every rule at once
(:class:`~flankwatch.assess.conditions.ConditionTable`), then the lookups per
rule; where a track comes from (a point-in-polygon test against the origin
countries) is worked out only for the few tracks that get that far.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import shapely
from pydantic import AfterValidator, ConfigDict, Field, model_validator

from flankwatch.assess.area import ProjectedArea
from flankwatch.assess.assessment import CATEGORIES, IDENTITIES
from flankwatch.assess.authority import AuthoritySettings, IdentificationAuthority
from flankwatch.assess.base import IdentityStep
from flankwatch.assess.conditions import ConditionTable
from flankwatch.assess.flightplan import CORRELATION, CorrelationSettings, FlightPlanBook
from flankwatch.assess.kernels import persisting
from flankwatch.assess.kinematics import Kinematics
from flankwatch.assess.memory import TrackMemory
from flankwatch.assess.replies import EMERGENCY_SQUAWKS, Mode5Settings, TransponderReplies
from flankwatch.assess.rulefile import load_rule_file, parse_rules
from flankwatch.events import Event, EventKind
from flankwatch.geo.borders import country, country_codes
from flankwatch.geo.frames import LocalFrame
from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

DEFAULT_IDENTITY_FILE = "identity.yaml"

HOSTILITY = ("friend", "assumed-friend", "neutral", "pending", "unknown", "suspect", "hostile")
"""Identities from least to most hostile: without ``override`` a rule may only move a
track to the right."""

IdentityName = Literal[IDENTITIES]  # type: ignore[valid-type]
CategoryName = Literal[CATEGORIES]  # type: ignore[valid-type]
StatusName = Literal["tentative", "confirmed", "coasting"]
CorrelationName = Literal[CORRELATION]  # type: ignore[valid-type]
SquawkCode = Annotated[str, Field(pattern=r"^[0-7]{4}$")]
"""A Mode A code: four octal digits, as written ("7500")."""

_RANK = np.array([HOSTILITY.index(name) for name in IDENTITIES])
"""Hostility rank of each identity code (the index into :data:`IDENTITIES`)."""
PENDING = IDENTITIES.index("pending")
_EMERGENCY_CODES = np.array(list(EMERGENCY_SQUAWKS), np.int64)


def _known_country(code: str) -> str:
    if code.upper() not in country_codes():
        raise ValueError(f"no country with code {code!r} (ISO 3166-1 alpha-3)")
    return code.upper()


class _Strict(NumbersAsWritten):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """What must hold of a track for a rule to apply; every given field must hold."""

    status: list[StatusName] | None = None
    identity: list[IdentityName] | None = Field(None, description="its identity now")
    adsb: bool | None = Field(None, description="it carries an ICAO address")
    own: bool | None = Field(None, description="it is one of the own forces")
    category: list[CategoryName] | None = Field(None, description="its most likely class")
    min_category_prob: float = Field(0.0, ge=0.0, le=1.0)
    min_speed_mps: float | None = Field(None, ge=0.0)
    max_speed_mps: float | None = Field(None, ge=0.0)
    max_speed_sigma_mps: float | None = Field(
        None, ge=0.0, description="its speed is known at least this well (standard deviation)"
    )
    min_alt_m: float | None = None
    max_alt_m: float | None = None
    from_origin: bool | None = Field(None, description="it comes from an origin country")
    inside: bool | None = Field(None, description="it is inside the watched airspace")
    squawk: list[SquawkCode] | None = Field(None, description="its Mode A code is one of these")
    mode5: bool | None = Field(None, description="it answers IFF Mode 5 interrogations")
    flight_plan: list[CorrelationName] | None = Field(
        None, description="its correlation with the filed flight plans is one of these"
    )


class Persistence(_Strict):
    """How long a rule's conditions must hold before it proposes: both must be met."""

    updates: int = Field(1, ge=1, le=1000, description="consecutive track updates")
    duration_s: float = Field(0.0, ge=0.0, description="seconds since they first held")


class Rule(_Strict):
    """Conditions and the identity they give."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    when: Condition = Field(default_factory=Condition)
    identity: IdentityName
    override: bool = Field(False, description="may lower the identity, not only raise it")
    persist: Persistence = Field(default_factory=Persistence)
    reason: str = ""


class OwnForces(_Strict):
    """How the defence's own aircraft are recognised."""

    callsign_prefixes: list[Annotated[str, Field(pattern=r"^[A-Z0-9]+$")]] = Field(
        default_factory=list
    )
    icao24: list[Annotated[str, Field(pattern=r"^[0-9A-Fa-f]{6}$")]] = Field(
        default_factory=list, description="ICAO addresses, 6 hex digits"
    )


class Origin(_Strict):
    """The countries threats are expected from."""

    countries: list[Annotated[str, AfterValidator(_known_country)]] = Field(default_factory=list)
    lookback_m: float = Field(50_000.0, gt=0.0, description="how far back along its course, m")


class IdentityRules(_Strict):
    """An identity rule file."""

    own_forces: OwnForces = Field(default_factory=OwnForces)
    origin: Origin = Field(default_factory=Origin)
    iff_mode5: Mode5Settings = Field(default_factory=Mode5Settings)
    flight_plans: CorrelationSettings = Field(default_factory=CorrelationSettings)
    authority: AuthoritySettings = Field(default_factory=AuthoritySettings)
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> IdentityRules:
        names = [rule.name for rule in self.rules]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"rule names used more than once: {twice}")
        return self


def load_identity_rules(path: Path | None = None) -> IdentityRules:
    """The identity rules in ``path``, or the built-in ones; raises ``RuleError``."""
    if path is not None:
        return load_rule_file(Path(path), IdentityRules)
    text = files("flankwatch.assess").joinpath("rules", DEFAULT_IDENTITY_FILE).read_text("utf-8")
    return parse_rules(text, f"built-in {DEFAULT_IDENTITY_FILE}", IdentityRules)


class _StepFacts:
    """What the per-track lookups look at in one step, computed for the rows that need it."""

    def __init__(
        self,
        identifier: RuleIdentifier,
        tracks: TrackBatch,
        kin: Kinematics,
        origin_seen: np.ndarray,
        now_s: float,
    ) -> None:
        self.now_s = now_s
        self._correlation: np.ndarray | None = None
        self.identifier = identifier
        self.tracks = tracks
        self.kin = kin
        self.origin_seen = origin_seen

    def own(self, idx: np.ndarray) -> np.ndarray:
        prefixes = self.identifier.own_prefixes
        found = _any_of(self.tracks.icao24[idx], self.identifier.own_icao24)
        if prefixes:
            callsigns = self.tracks.callsign[idx]
            for j in np.flatnonzero(callsigns != ""):  # few tracks carry a callsign
                found[j] |= str(callsigns[j]).startswith(prefixes)
        return found

    def from_origin(self, idx: np.ndarray) -> np.ndarray:
        area = self.identifier.origin_area
        if area is None:
            return np.zeros(len(idx), bool)
        kin = self.kin
        x, y = kin.ground_x_m[idx], kin.ground_y_m[idx]
        speed = np.hypot(kin.ground_vx_mps[idx], kin.ground_vy_mps[idx])
        back = self.identifier.rules.origin.lookback_m / np.where(speed > 0, speed, np.inf)
        came = area.contains(x - kin.ground_vx_mps[idx] * back, y - kin.ground_vy_mps[idx] * back)
        return self.origin_seen[idx] | area.contains(x, y) | came

    def squawk(self, idx: np.ndarray) -> np.ndarray:
        return self.identifier.replies.squawk(self.tracks, idx)

    def mode5(self, idx: np.ndarray) -> np.ndarray:
        return self.identifier.replies.mode5(self.tracks, idx, self.now_s)

    def flight_plan(self, idx: np.ndarray) -> np.ndarray:
        if self._correlation is None:  # once a step, for every track that has a callsign
            self._correlation = self.identifier.flight_plans.correlate(self.tracks)
        return self._correlation[idx]


def _lookups(when: Condition) -> list[Callable[[_StepFacts, np.ndarray], np.ndarray]]:
    """The tests of a rule's conditions that look things up per track (the others are in
    :class:`ConditionTable`), cheapest first; each maps row indices to a mask."""
    tests: list[Callable[[_StepFacts, np.ndarray], np.ndarray]] = []
    if when.own is not None:
        own = when.own
        tests.append(lambda f, i: f.own(i) == own)
    if when.squawk is not None:
        squawks = np.array([int(code) for code in when.squawk], np.int64)
        tests.append(lambda f, i: _any_of(f.squawk(i), squawks))
    if when.mode5 is not None:
        mode5 = when.mode5
        tests.append(lambda f, i: f.mode5(i) == mode5)
    if when.flight_plan is not None:
        plan_in = np.zeros(len(CORRELATION), bool)
        plan_in[[CORRELATION.index(name) for name in when.flight_plan]] = True
        tests.append(lambda f, i: plan_in[f.flight_plan(i)])
    if when.from_origin is not None:
        from_origin = when.from_origin
        tests.append(lambda f, i: f.from_origin(i) == from_origin)
    return tests


def _any_of(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """True where ``values`` is one of the few ``wanted`` (``np.isin`` without its sort)."""
    if not len(wanted):
        return np.zeros(len(values), bool)
    return (values[:, None] == wanted[None, :]).any(axis=1)


class RuleIdentifier:
    """Identities proposed by :class:`IdentityRules` and declared by an authority, per
    track, with events for every proposal, declaration and emergency squawk."""

    def __init__(
        self,
        rules: IdentityRules,
        frame: LocalFrame,
        flight_plans: FlightPlanBook | None = None,
    ) -> None:
        self.rules = rules
        self.own_icao24 = np.array([int(a, 16) for a in rules.own_forces.icao24], np.uint32)
        self.own_prefixes = tuple(rules.own_forces.callsign_prefixes)
        statuses = {status.name.lower(): int(status) for status in TrackStatus}
        self._conditions = ConditionTable([rule.when for rule in rules.rules], statuses)
        self._lookups = [
            (k, tests) for k, rule in enumerate(rules.rules) if (tests := _lookups(rule.when))
        ]
        self._target = np.array([IDENTITIES.index(rule.identity) for rule in rules.rules])
        self._target_rank = _RANK[self._target]
        self._override = np.array([rule.override for rule in rules.rules])
        self._updates = np.array([rule.persist.updates for rule in rules.rules])
        self._duration_s = np.array([rule.persist.duration_s for rule in rules.rules])
        self._rule_names = np.array(["", *(rule.name for rule in rules.rules)], object)
        """Rule names by rule index + 1 ("" for none)."""
        self.origin_area = (
            ProjectedArea.from_lonlat(
                shapely.union_all([country(code) for code in rules.origin.countries]),
                frame,
                "+".join(rules.origin.countries),
            )
            if rules.origin.countries
            else None
        )
        self.flight_plans = flight_plans or FlightPlanBook(rules.flight_plans)
        self.replies = TransponderReplies(rules.iff_mode5)
        self.authority = IdentificationAuthority(rules.authority)
        k = len(rules.rules)
        self.memory = TrackMemory(
            {
                "identity": (np.int8, PENDING, ()),
                "rule": (np.int16, -1, ()),
                "origin_seen": (bool, False, ()),
                "last_update_s": (np.float64, -np.inf, ()),
                "held": (np.int32, 0, (k,)),
                "held_since_s": (np.float64, np.nan, (k,)),
                "squawk": (np.int16, 0, ()),
            }
        )

    def declare(self, track_id: int, identity: str, who: str, why: str, t_s: float) -> None:
        """An operator's declaration, applied at the next step (see the authority)."""
        self.authority.declare(track_id, identity, who, why, t_s)

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
        """Declared and proposed identity codes (indices into :data:`IDENTITIES`), events.

        ``category`` holds each track's most likely class (index into
        :data:`CATEGORIES`), ``category_prob`` its probability, ``inside`` whether
        it is inside the watched airspace; ``plots`` are the window's plots (their
        squawks; Mode 5 replies come with the tracks). Deleted tracks keep their identity.
        """
        if plots is not None:
            self.replies.observe(plots)
        mem = self.memory
        rows, new = mem.rows(tracks.track_id)
        if self.origin_area is not None and new.any():
            mem["origin_seen"][rows[new]] = self.origin_area.contains(
                kin.ground_x_m[new], kin.ground_y_m[new]
            )
        current = mem["identity"][rows].astype(np.int64)
        facts = _StepFacts(self, tracks, kin, mem["origin_seen"][rows], now_s)
        updated = tracks.last_update_s > mem["last_update_s"][rows]
        mem["last_update_s"][rows] = np.maximum(mem["last_update_s"][rows], tracks.last_update_s)
        holding = self._holding(facts, current, category, category_prob, inside)
        fired = self._persisting(rows, holding, updated, now_s)
        result = np.where(fired >= 0, self._target[fired], current)
        mem["identity"][rows] = result
        changed = np.flatnonzero(result != current)
        mem["rule"][rows[changed]] = fired[changed]
        events = [
            self._event(tracks, int(i), current[i], result[i], fired[i], now_s) for i in changed
        ]
        events.extend(self._squawk_events(tracks, rows, now_s))
        declared, declared_events = self.authority.step(
            tracks, result, self._rule_names[mem["rule"][rows] + 1], now_s
        )
        return IdentityStep(declared, result, events + declared_events)

    def _holding(
        self,
        facts: _StepFacts,
        current: np.ndarray,
        category: np.ndarray,
        category_prob: np.ndarray,
        inside: np.ndarray,
    ) -> np.ndarray:
        """Where each rule's conditions hold now, ``(n, k)``: track by rule; only for live
        tracks the rule could change (it overrides, or it raises the proposal ``current``)."""
        tracks = facts.tracks
        live = tracks.status != int(TrackStatus.DELETED)
        raises = _RANK[current][:, None] < self._target_rank[None, :]
        holding = live[:, None] & (self._override[None, :] | raises)
        holding &= self._conditions.holds(
            tracks, facts.kin, current, category, category_prob, inside
        )
        for k, tests in self._lookups:
            idx = holding[:, k].nonzero()[0]
            for test in tests:
                if not len(idx):
                    break
                passed = test(facts, idx)
                holding[idx[~passed], k] = False
                idx = idx[passed]
        return holding

    def _persisting(
        self, rows: np.ndarray, holding: np.ndarray, updated: np.ndarray, now_s: float
    ) -> np.ndarray:
        """The first rule (index; -1: none) of each track that has held for its ``persist``
        conditions; counts the updates (``updated``: the track has a new plot) and keeps
        the time (s) since each rule has held, at memory ``rows``."""
        held = self.memory["held"][rows]
        since = self.memory["held_since_s"][rows]
        fired = persisting(holding, held, since, updated, now_s, self._updates, self._duration_s)
        self.memory["held"][rows] = held
        self.memory["held_since_s"][rows] = since
        return fired

    def _squawk_events(self, tracks: TrackBatch, rows: np.ndarray, now_s: float) -> list[Event]:
        """An event for every track that starts squawking an emergency code."""
        cooperative = np.flatnonzero(tracks.icao24 != 0)
        if not len(cooperative):
            return []
        code = self.replies.squawk(tracks, cooperative)
        before = self.memory["squawk"][rows[cooperative]]
        self.memory["squawk"][rows[cooperative]] = code
        events = []
        for j in np.flatnonzero((code != before) & _any_of(code, _EMERGENCY_CODES)):
            i = int(cooperative[j])
            track_id, squawk = int(tracks.track_id[i]), int(code[j])
            meaning = EMERGENCY_SQUAWKS[squawk]
            events.append(
                Event(
                    t_s=now_s,
                    kind=EventKind.SQUAWK_EMERGENCY,
                    message=f"track {track_id} squawks {squawk:04d} ({meaning})",
                    track_id=track_id,
                    subject=f"{squawk:04d}",
                    data={"squawk": f"{squawk:04d}", "meaning": meaning},
                )
            )
        return events

    def _event(
        self, tracks: TrackBatch, i: int, before: int, after: int, rule_index: int, now_s: float
    ) -> Event:
        rule = self.rules.rules[rule_index]
        track_id = int(tracks.track_id[i])
        old, new = IDENTITIES[before], IDENTITIES[after]
        reason = f": {rule.reason}" if rule.reason else ""
        return Event(
            t_s=now_s,
            kind=EventKind.IDENTITY_PROPOSED,
            message=f"track {track_id} proposed {old} -> {new} by rule {rule.name}{reason}",
            track_id=track_id,
            subject=rule.name,
            data={"from": old, "to": new, "rule": rule.name},
        )

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the remembered state of these tracks."""
        self.memory.forget(track_id)
        self.authority.forget(track_id)
