"""Identification: each track's NATO standard identity, by an ordered list of rules.

The rules are data (``rules/identity.yaml`` by default; its header explains the
format), validated by :class:`IdentityRules`. A new track starts ``pending``.
Identities only escalate along :data:`HOSTILITY` unless a rule says
``override: true``; at each step the first rule (in file order) that applies to
a track and would change it (or that overrides) decides, so at most one rule
changes a track per step and every change is one ``identity-changed`` event
naming that rule.

Conditions are evaluated only on the tracks a rule could still change, the
cheap ones first: where a track comes from (a point-in-polygon test against the
origin countries) is worked out only for the few tracks that get that far.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import shapely
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from flankwatch.assess.area import ProjectedArea
from flankwatch.assess.assessment import CATEGORIES, IDENTITIES
from flankwatch.assess.kinematics import Kinematics
from flankwatch.assess.memory import TrackMemory
from flankwatch.assess.rulefile import load_rule_file, parse_rules
from flankwatch.events import Event, EventKind
from flankwatch.geo.borders import country, country_codes
from flankwatch.geo.frames import LocalFrame
from flankwatch.track.output import TrackBatch, TrackStatus

DEFAULT_IDENTITY_FILE = "identity.yaml"

HOSTILITY = ("friend", "assumed-friend", "neutral", "pending", "unknown", "suspect", "hostile")
"""Identities from least to most hostile: without ``override`` a rule may only move a
track to the right."""

IdentityName = Literal[IDENTITIES]  # type: ignore[valid-type]
CategoryName = Literal[CATEGORIES]  # type: ignore[valid-type]
StatusName = Literal["tentative", "confirmed", "coasting"]

_RANK = np.array([HOSTILITY.index(name) for name in IDENTITIES])
"""Hostility rank of each identity code (the index into :data:`IDENTITIES`)."""
PENDING = IDENTITIES.index("pending")


def _known_country(code: str) -> str:
    if code.upper() not in country_codes():
        raise ValueError(f"no country with code {code!r} (ISO 3166-1 alpha-3)")
    return code.upper()


class _Strict(BaseModel):
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


class Rule(_Strict):
    """Conditions and the identity they give."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    when: Condition = Field(default_factory=Condition)
    identity: IdentityName
    override: bool = Field(False, description="may lower the identity, not only raise it")
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
    """What the conditions look at in one step, computed for the rows that need it."""

    def __init__(
        self,
        identifier: RuleIdentifier,
        tracks: TrackBatch,
        kin: Kinematics,
        category: np.ndarray,
        category_prob: np.ndarray,
        inside: np.ndarray,
        current: np.ndarray,
        origin_seen: np.ndarray,
    ) -> None:
        self.identifier = identifier
        self.tracks = tracks
        self.kin = kin
        self.category = category
        self.category_prob = category_prob
        self.inside = inside
        self.current = current
        self.origin_seen = origin_seen

    def own(self, idx: np.ndarray) -> np.ndarray:
        forces = self.identifier.rules.own_forces
        found = np.isin(self.tracks.icao24[idx], self.identifier.own_icao24)
        if forces.callsign_prefixes:
            callsign = self.tracks.callsign[idx].astype(str)
            for prefix in forces.callsign_prefixes:
                found |= np.char.startswith(callsign, prefix)
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


def _conditions(
    when: Condition, statuses: dict[str, int]
) -> list[Callable[[_StepFacts, np.ndarray], np.ndarray]]:
    """The tests of a rule's conditions, cheapest first; each maps row indices to a mask."""
    tests: list[Callable[[_StepFacts, np.ndarray], np.ndarray]] = []
    if when.status is not None:
        codes = [statuses[name] for name in when.status]
        tests.append(lambda f, i: np.isin(f.tracks.status[i], codes))
    if when.identity is not None:
        wanted = [IDENTITIES.index(name) for name in when.identity]
        tests.append(lambda f, i: np.isin(f.current[i], wanted))
    if when.adsb is not None:
        adsb = when.adsb
        tests.append(lambda f, i: (f.tracks.icao24[i] != 0) == adsb)
    if when.inside is not None:
        inside = when.inside
        tests.append(lambda f, i: f.inside[i] == inside)
    for name, bound, above in (
        ("speed_mps", when.min_speed_mps, True),
        ("speed_mps", when.max_speed_mps, False),
        ("alt_m", when.min_alt_m, True),
        ("alt_m", when.max_alt_m, False),
    ):
        if bound is not None:
            tests.append(_bound_test(name, bound, above))
    if when.max_speed_sigma_mps is not None:
        variance = when.max_speed_sigma_mps**2
        tests.append(lambda f, i: f.kin.speed_var_m2ps2[i] <= variance)
    if when.category is not None:
        wanted = [CATEGORIES.index(name) for name in when.category]
        least = when.min_category_prob
        tests.append(lambda f, i: np.isin(f.category[i], wanted) & (f.category_prob[i] >= least))
    if when.own is not None:
        own = when.own
        tests.append(lambda f, i: f.own(i) == own)
    if when.from_origin is not None:
        from_origin = when.from_origin
        tests.append(lambda f, i: f.from_origin(i) == from_origin)
    return tests


def _bound_test(
    name: str, bound: float, above: bool
) -> Callable[[_StepFacts, np.ndarray], np.ndarray]:
    if above:
        return lambda f, i: getattr(f.kin, name)[i] >= bound
    return lambda f, i: getattr(f.kin, name)[i] <= bound


class RuleIdentifier:
    """Identities by :class:`IdentityRules`, remembered per track, with events for changes."""

    def __init__(self, rules: IdentityRules, frame: LocalFrame) -> None:
        self.rules = rules
        self.own_icao24 = np.array([int(a, 16) for a in rules.own_forces.icao24], np.uint32)
        statuses = {status.name.lower(): int(status) for status in TrackStatus}
        self._tests = [_conditions(rule.when, statuses) for rule in rules.rules]
        self._target = np.array([IDENTITIES.index(rule.identity) for rule in rules.rules])
        self.origin_area = (
            ProjectedArea.from_lonlat(
                shapely.union_all([country(code) for code in rules.origin.countries]),
                frame,
                "+".join(rules.origin.countries),
            )
            if rules.origin.countries
            else None
        )
        self.memory = TrackMemory(
            {"identity": (np.int8, PENDING, ()), "origin_seen": (bool, False, ())}
        )

    def identify(
        self,
        tracks: TrackBatch,
        kin: Kinematics,
        category: np.ndarray,
        category_prob: np.ndarray,
        inside: np.ndarray,
        now_s: float,
    ) -> tuple[np.ndarray, list[Event]]:
        """Identity codes (indices into :data:`IDENTITIES`) of the tracks, and the changes.

        ``category`` holds each track's most likely class (index into
        :data:`CATEGORIES`), ``category_prob`` its probability, ``inside`` whether
        it is inside the watched airspace. Deleted tracks keep their identity.
        """
        rows, new = self.memory.rows(tracks.track_id)
        if self.origin_area is not None and new.any():
            self.memory["origin_seen"][rows[new]] = self.origin_area.contains(
                kin.ground_x_m[new], kin.ground_y_m[new]
            )
        current = self.memory["identity"][rows].astype(np.int64)
        facts = _StepFacts(
            self,
            tracks,
            kin,
            category,
            category_prob,
            inside,
            current,
            self.memory["origin_seen"][rows],
        )
        result = current.copy()
        fired = np.full(len(tracks), -1)
        open_ = tracks.status != TrackStatus.DELETED
        for k, (rule, tests) in enumerate(zip(self.rules.rules, self._tests, strict=True)):
            target = self._target[k]
            candidates = open_ if rule.override else open_ & (_RANK[current] < _RANK[target])
            idx = np.flatnonzero(candidates)
            for test in tests:
                if not len(idx):
                    break
                idx = idx[test(facts, idx)]
            open_[idx] = False
            result[idx] = target
            fired[idx] = k
        self.memory["identity"][rows] = result
        changed = np.flatnonzero(result != current)
        return result, [
            self._event(tracks, int(i), current[i], result[i], fired[i], now_s) for i in changed
        ]

    def _event(
        self, tracks: TrackBatch, i: int, before: int, after: int, rule_index: int, now_s: float
    ) -> Event:
        rule = self.rules.rules[rule_index]
        track_id = int(tracks.track_id[i])
        old, new = IDENTITIES[before], IDENTITIES[after]
        reason = f": {rule.reason}" if rule.reason else ""
        return Event(
            t_s=now_s,
            kind=EventKind.IDENTITY_CHANGED,
            message=f"track {track_id} {old} -> {new} by rule {rule.name}{reason}",
            track_id=track_id,
            subject=rule.name,
            data={"from": old, "to": new, "rule": rule.name},
        )

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the remembered state of these tracks."""
        self.memory.forget(track_id)
