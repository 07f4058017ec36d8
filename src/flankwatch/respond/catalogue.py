"""The catalogue of effectors and the weapons they carry.

A :class:`WeaponType` is one kind of shot (a missile, a gun burst, an
interceptor drone, a jamming attempt): its cost, its envelope (range and target
altitude), its fly-out speed and its kill probability by target class. An
:class:`EffectorType` is what a scenario deploys (a quick-reaction pair's
aircraft, a launcher, a gun, an interceptor-drone team, a jammer, an enabler
such as a tanker): its readiness, speed, endurance and loadout of weapons.

The built-in catalogue is ``catalogue/effectors.yaml`` beside this module, each
value commented with its public source; values no public source gives (most
kill probabilities among them) are listed under ``assumed`` in their entry. A
scenario's ``defence.catalogue`` adds types or replaces built-in ones.

What a platform may fire at is bounded by what it can hold: a weapon's
``seeker_range_m`` (its seeker's lock-on range before launch, by target class),
an effector's ``acquisition_range_m`` (how far its own sensors hold a target
of the class well enough to fire) and its ``identification_range_m`` (how far
its pilot identifies the target by sight, where the rules ask for that before
a shot) cap the weapon's ``max_range_m``; a
weapon marked ``daylight_only`` (a gun, aimed by eye) is not fired at night.

Money is in EUR. A weapon's cost may be written in USD (``cost_usd``), converted
at :data:`USD_TO_EUR`, or for a gun as ``rounds_per_shot`` times
``cost_per_round_eur``; :attr:`WeaponType.cost_eur` is always filled in.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Annotated, Any, Literal, TypeGuard, get_args

import numpy as np
import yaml
from pydantic import ConfigDict, Field, TypeAdapter, model_validator

from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.scenario.catalogue import MAX_ALT_M, MAX_SPEED_MPS

USD_TO_EUR = 0.92
"""EUR per USD (assumed: about the 2024-2025 average; costs are known to tens of per cent)."""

SPEED_OF_LIGHT_MPS = 299_792_458.0
"""A jammer's effect travels at this speed (its fly-out time is nil in practice)."""

MAX_WEAPON_RANGE_M = 500_000.0
"""Longest reach of a weapon, m."""
MAX_COST_EUR = 1e10
"""Dearest single shot, EUR."""
MAX_LOADOUT = 10_000
"""Most shots of one weapon per aircraft or launcher (a gun's bursts included)."""
MAX_TIME_S = 7 * 86_400.0
"""Longest readiness, endurance or reload, s."""
MAX_ELEMENT_SIZE = 4
"""Most aircraft in one element (a pair is 2, a four-ship 4)."""

TargetCategory = Literal[
    "one-way-attack-drone",
    "decoy",
    "cruise-missile",
    "ballistic-missile",
    "fixed-wing",
    "helicopter",
    "unknown",
]
"""The classes the assessment gives tracks (its ``CATEGORIES``)."""
TARGET_CATEGORIES: tuple[str, ...] = get_args(TargetCategory)

WeaponKind = Literal["missile", "gun", "drone", "jammer"]
EffectorKind = Literal["fighter", "ground", "interceptor-drone", "jammer", "enabler"]
EFFECTOR_KINDS: tuple[str, ...] = get_args(EffectorKind)

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
_Money = Annotated[float, Field(ge=0.0, le=MAX_COST_EUR)]
_Time = Annotated[float, Field(ge=0.0, le=MAX_TIME_S)]
_Range = Annotated[float, Field(gt=0.0, le=MAX_WEAPON_RANGE_M)]


class _Entry(NumbersAsWritten):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    label: str
    sources: list[str] = Field(default_factory=list, description="public sources of the values")
    assumed: list[str] = Field(
        default_factory=list, description="fields whose values are assumptions, not sourced"
    )

    @model_validator(mode="after")
    def _assumed_are_fields(self) -> _Entry:
        unknown = set(self.assumed) - set(type(self).model_fields)
        if unknown:
            raise ValueError(f"assumed names unknown field(s) {sorted(unknown)}")
        return self


class WeaponType(_Entry):
    """One kind of shot: its cost (EUR), envelope, fly-out speed and kill probabilities.

    The envelope bounds the slant range from shooter to target (m) and the
    target's height above the ground (m). ``kill_prob`` gives, per target class,
    the chance one shot destroys (or, for a soft kill, brings down or diverts)
    the target; a class not listed cannot be engaged.
    """

    kind: WeaponKind
    cost_eur: _Money = Field(description="cost of one shot (a gun: one burst), EUR")
    cost_usd: _Money | None = Field(
        None, description="cost of one shot in USD, if given so (converted at USD_TO_EUR)"
    )
    rounds_per_shot: int = Field(1, ge=1, le=100_000, description="rounds in one shot (a burst)")
    cost_per_round_eur: _Money | None = Field(None, description="cost of one round, EUR")
    min_range_m: float = Field(0.0, ge=0.0, le=MAX_WEAPON_RANGE_M)
    max_range_m: float = Field(gt=0.0, le=MAX_WEAPON_RANGE_M)
    min_alt_m: float = Field(0.0, ge=0.0, le=MAX_ALT_M, description="lowest target height, m")
    max_alt_m: float = Field(gt=0.0, le=MAX_ALT_M, description="highest target height, m")
    speed_mps: float = Field(
        gt=0.0, le=SPEED_OF_LIGHT_MPS, description="mean fly-out speed, m/s (time of flight)"
    )
    kill_prob: dict[TargetCategory, Probability] = Field(
        default_factory=dict, description="chance one shot kills, by target class; absent: 0"
    )
    soft_kill: bool = Field(False, description="brings the target down or diverts it (jamming)")
    miss_flyout_m: float = Field(
        0.0,
        ge=0.0,
        le=MAX_WEAPON_RANGE_M,
        description="after a miss, how far past the aim point it flies before it falls, m",
    )
    seeker_range_m: dict[TargetCategory, _Range] = Field(
        default_factory=dict,
        description="farthest its seeker locks on a target of the class before launch, m "
        "(absent: max_range_m)",
    )
    daylight_only: bool = Field(
        False, description="needs to see its target (a gun pass): not fired at night"
    )

    @model_validator(mode="before")
    @classmethod
    def _fill_cost(cls, data: Any) -> Any:
        """Fill ``cost_eur`` from ``cost_usd`` or from the rounds' cost when not given."""
        if not isinstance(data, dict) or data.get("cost_eur") is not None:
            return data
        usd, per_round = data.get("cost_usd"), data.get("cost_per_round_eur")
        rounds = data.get("rounds_per_shot", 1)
        if _number(usd):
            return {**data, "cost_eur": round(usd * USD_TO_EUR, 2)}
        if _number(per_round) and _number(rounds):
            return {**data, "cost_eur": round(per_round * rounds, 2)}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> WeaponType:
        if self.min_range_m >= self.max_range_m:
            raise ValueError(
                f"min_range_m ({self.min_range_m} m) must be less than "
                f"max_range_m ({self.max_range_m} m)"
            )
        if self.min_alt_m >= self.max_alt_m:
            raise ValueError(
                f"min_alt_m ({self.min_alt_m} m) must be less than max_alt_m ({self.max_alt_m} m)"
            )
        if self.kind != "jammer" and self.speed_mps > MAX_SPEED_MPS:
            raise ValueError(f"speed_mps of a {self.kind} is at most {MAX_SPEED_MPS:g} m/s")
        if self.soft_kill != (self.kind == "jammer"):
            raise ValueError("soft_kill is true for a jammer and only for a jammer")
        derived = []
        if self.cost_usd is not None:
            derived.append(("cost_usd x USD_TO_EUR", self.cost_usd * USD_TO_EUR))
        if self.cost_per_round_eur is not None:
            derived.append(
                (
                    "rounds_per_shot x cost_per_round_eur",
                    self.rounds_per_shot * self.cost_per_round_eur,
                )
            )
        for what, value in derived:
            if abs(value - self.cost_eur) > 0.01 * max(self.cost_eur, 1.0):
                raise ValueError(f"cost_eur ({self.cost_eur}) disagrees with {what} ({value:.2f})")
        return self

    def pk(self, category: str) -> float:
        """The kill probability of one shot against a target of ``category`` (0: cannot)."""
        return next((p for c, p in self.kill_prob.items() if c == category), 0.0)

    def reach_m(self, category: str) -> float:
        """Farthest it may be fired at a target of ``category``, m: its range, or its
        seeker's lock-on range against the class if shorter."""
        lock = next((r for c, r in self.seeker_range_m.items() if c == category), np.inf)
        return float(min(self.max_range_m, lock))


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


class EffectorType(_Entry):
    """What a scenario deploys: one aircraft, launcher, gun, drone team, jammer or enabler.

    ``readiness_s`` is, for a fighter, the time from the alert to airborne; for
    the others the reaction time from the order to the first shot. ``loadout``
    gives the shots of each weapon (a catalogue weapon key) one aircraft or one
    launcher carries; ``reload_s`` is a fighter's turnaround on the ground (re-arm
    and refuel) or a launcher's time to re-load its magazine. Fighters of a unit fly
    in elements of ``element_size`` aircraft that take one target at a time; against
    a class listed in ``preferred_weapons`` an element fires those weapons first;
    ``max_shots_per_target`` is the doctrine's most shots at one target.
    """

    kind: EffectorKind
    readiness_s: _Time = Field(description="alert to airborne (fighter) or to first shot, s")
    speed_mps: float = Field(
        0.0, ge=0.0, le=MAX_SPEED_MPS, description="cruise/dash speed in flight, m/s; 0 on ground"
    )
    climb_mps: float = Field(0.0, ge=0.0, le=1_000.0, description="rate of climb, m/s")
    endurance_s: _Time = Field(0.0, description="time airborne on one sortie, s")
    loadout: dict[str, int] = Field(
        default_factory=dict, description="shots per aircraft or launcher, by weapon key"
    )
    reload_s: _Time = Field(0.0, description="turnaround (fighter) or magazine re-load, s")
    fire_interval_s: _Time = Field(
        0.0, description="least time between two shots of one aircraft or launcher, s"
    )
    acquisition_range_m: dict[TargetCategory, _Range] = Field(
        default_factory=dict,
        description="farthest its own sensors hold a target of the class well enough to "
        "fire at it, m (absent: no limit but the weapon's)",
    )
    identification_range_m: dict[TargetCategory, _Range] = Field(
        default_factory=dict,
        description="farthest its pilot identifies a target of the class with his own eyes "
        "(at night through night-vision goggles or a targeting pod), m: it fires only at "
        "what it has identified (absent: no such rule)",
    )
    element_size: int = Field(
        1,
        ge=1,
        le=MAX_ELEMENT_SIZE,
        description="aircraft of a unit that fly and engage as one element (a quick-reaction "
        "pair: 2): one target at a time, the others support",
    )
    preferred_weapons: dict[TargetCategory, list[str]] = Field(
        default_factory=dict,
        description="against a class, the weapons (loadout keys) fired while the element "
        "holds any of them; its other weapons only after",
    )
    max_shots_per_target: int | None = Field(
        None,
        ge=1,
        le=MAX_LOADOUT,
        description="most shots an element (or a ground unit) fires at one track, one at a "
        "time with a look at each outcome, before it leaves the track to others: in a sortie "
        "for fighters (counted again after landing), over the run for ground units (absent: "
        "no limit but the magazine)",
    )

    def acquisition_m(self, category: str) -> float:
        """Farthest its sensors hold a target of ``category`` to fire at it, m (inf: no
        limit of its own)."""
        return next((r for c, r in self.acquisition_range_m.items() if c == category), np.inf)

    def identification_m(self, category: str) -> float:
        """Farthest its pilot identifies a target of ``category`` by sight, m (inf: no
        visual identification needed)."""
        return next((r for c, r in self.identification_range_m.items() if c == category), np.inf)

    def preferred(self, category: str) -> list[str]:
        """The weapons it fires first against ``category`` (empty: no preference)."""
        return next((keys for c, keys in self.preferred_weapons.items() if c == category), [])

    @model_validator(mode="after")
    def _consistent(self) -> EffectorType:
        for key, shots in self.loadout.items():
            if not 1 <= shots <= MAX_LOADOUT:
                raise ValueError(f"loadout[{key!r}] must be 1 to {MAX_LOADOUT} shots, not {shots}")
        if self.kind == "enabler":
            if self.loadout:
                raise ValueError("an enabler carries no weapons: its loadout must be empty")
        elif not self.loadout:
            raise ValueError(f"a {self.kind} needs a loadout of at least one weapon")
        if self.element_size > 1 and self.kind != "fighter":
            raise ValueError(f"only fighters fly as elements: a {self.kind} has element_size 1")
        for category, keys in self.preferred_weapons.items():
            unknown = sorted(set(keys) - set(self.loadout))
            if not keys or unknown:
                raise ValueError(
                    f"preferred_weapons[{category!r}] must name weapons of the loadout "
                    f"({sorted(self.loadout)}), not {keys}"
                )
        if self.kind in ("fighter", "interceptor-drone", "enabler"):
            if self.speed_mps <= 0.0:
                raise ValueError(f"a {self.kind} flies: speed_mps must be positive")
            if self.kind != "interceptor-drone" and self.endurance_s <= 0.0:
                raise ValueError(f"a {self.kind} flies: endurance_s must be positive")
        elif self.speed_mps != 0.0:
            raise ValueError(f"a {self.kind} unit stays on the ground: speed_mps must be 0")
        return self


class EffectorCatalogue(NumbersAsWritten):
    """Weapon and effector types by key: the built-in catalogue, or a scenario's additions."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    weapons: dict[str, WeaponType] = Field(default_factory=dict)
    effectors: dict[str, EffectorType] = Field(default_factory=dict)

    def merged(self, extra: EffectorCatalogue | None) -> EffectorCatalogue:
        """This catalogue with ``extra``'s types added or replacing its own (not checked)."""
        if extra is None:
            return self
        return EffectorCatalogue(
            weapons={**self.weapons, **extra.weapons},
            effectors={**self.effectors, **extra.effectors},
        )

    def faults(self) -> list[tuple[tuple[str, ...], str]]:
        """Loadouts that name no weapon of this catalogue, each with its field path."""
        return [
            (
                ("effectors", key, "loadout", weapon),
                f"unknown weapon {weapon!r}; known: {sorted(self.weapons)}",
            )
            for key, effector in self.effectors.items()
            for weapon in effector.loadout
            if weapon not in self.weapons
        ]

    def weapons_of(self, effector: str) -> dict[str, WeaponType]:
        """The weapon types an effector type carries, by key (its loadout's order)."""
        return {key: self.weapons[key] for key in self.effectors[effector].loadout}


class CatalogueError(ValueError):
    """A catalogue whose effectors carry weapons it does not define."""


_CATALOGUE = TypeAdapter(EffectorCatalogue)


@cache
def builtin_catalogue() -> EffectorCatalogue:
    """The built-in effector catalogue (``catalogue/effectors.yaml``)."""
    text = files("flankwatch.respond").joinpath("catalogue").joinpath("effectors.yaml").read_text()
    return checked(_CATALOGUE.validate_python(yaml.safe_load(text)))


def effector_catalogue(extra: EffectorCatalogue | None = None) -> EffectorCatalogue:
    """The built-in catalogue with a scenario's own types added or replacing built-in ones.

    Raises :class:`CatalogueError` if a loadout then names an unknown weapon.
    """
    return checked(builtin_catalogue().merged(extra))


def checked(catalogue: EffectorCatalogue) -> EffectorCatalogue:
    """``catalogue`` itself if every loadout names one of its weapons; else CatalogueError."""
    faults = catalogue.faults()
    if faults:
        raise CatalogueError(
            "; ".join(".".join(where) + ": " + message for where, message in faults)
        )
    return catalogue
