"""Engagement policies: which effectors may engage which threat classes, in what order.

A policy is data (YAML)::

    name: layered
    description: guns, interceptor drones and jammers first; fighters next; missiles last
    cost_weight: 1.0e-6        # one EUR weighs 1e-6 units of threat value in the plan
    rules:
      - classes: [one-way-attack-drone, decoy]
        effectors: [jammer, interceptor-drone, skynex, gepard-35mm, fighter]
      - classes: [cruise-missile]
        effectors: [fighter, nasams, camm-launcher, patriot-pac3]

Each rule lists track classes (the assessment's categories) and the effectors
allowed against them, each an effector kind (``fighter``, ``ground``,
``interceptor-drone``, ``jammer``) or a catalogue type key, in order of
preference: the entry's position is its tier (0 first). A class no rule names is
engaged by nothing. ``cost_weight`` is how much one EUR spent counts against one
unit of threat value (the defended assets' ``value``) in the weapon-target
assignment's objective.

The built-in policies live in ``policies/`` beside this module (see
:func:`builtin_policy_names`); :func:`load_policy` reads one by name or any
policy file by path.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import numpy as np
from pydantic import Field, model_validator

from flankwatch.respond.catalogue import (
    EFFECTOR_KINDS,
    EffectorCatalogue,
    TargetCategory,
    builtin_catalogue,
)
from flankwatch.scenario.fields import StrictModel
from flankwatch.yamlfile import Problem, YamlFileError, raise_faults, read_text, validate_yaml

NOT_ALLOWED = -1
"""The tier of an effector a policy does not allow against a class."""


class PolicyError(YamlFileError):
    """A policy that cannot be found or read, or is not a valid policy."""

    what = "policy"


class PolicyRule(StrictModel):
    """Threat classes and the effectors (kinds or type keys) allowed against them, in tiers."""

    classes: list[TargetCategory] = Field(min_length=1)
    effectors: list[str] = Field(min_length=1, description="in order of preference (tiers)")

    @model_validator(mode="after")
    def _unique(self) -> PolicyRule:
        for what, entries in (("classes", self.classes), ("effectors", self.effectors)):
            if len(set(entries)) != len(entries):
                raise ValueError(f"{what} lists an entry twice")
        if "enabler" in self.effectors:
            raise ValueError("enablers carry no weapons and cannot engage")
        return self


class Policy(StrictModel):
    """Which effectors may engage which classes, in which order, and what money weighs."""

    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    cost_weight: float = Field(
        0.0, ge=0.0, le=1.0, description="units of threat value one EUR spent counts as"
    )
    rules: list[PolicyRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_rule_per_class(self) -> Policy:
        seen: set[str] = set()
        for rule in self.rules:
            twice = seen.intersection(rule.classes)
            if twice:
                raise ValueError(f"class(es) {sorted(twice)} named by more than one rule")
            seen.update(rule.classes)
        return self

    def tiers(self, category: str) -> list[str]:
        """The effector kinds and keys allowed against ``category``, first preferred."""
        for rule in self.rules:
            if category in rule.classes:
                return list(rule.effectors)
        return []

    def tier(self, category: str, effector_key: str, effector_kind: str) -> int:
        """The tier (0 first) of an effector type against ``category``, or :data:`NOT_ALLOWED`.

        An entry naming the type key itself takes precedence over one naming its kind.
        """
        entries = self.tiers(category)
        for entry in (effector_key, effector_kind):
            if entry in entries:
                return entries.index(entry)
        return NOT_ALLOWED

    def tier_matrix(
        self,
        effector_keys: Sequence[str],
        effector_kinds: Sequence[str],
        categories: Sequence[str],
    ) -> np.ndarray:
        """Tiers ``(W, T)`` int of W weapons (their effector key and kind) against T tracks
        (their class); :data:`NOT_ALLOWED` where the policy forbids."""
        pairs = list(zip(effector_keys, effector_kinds, strict=True))
        distinct = {(c, k, kind) for c in set(categories) for k, kind in set(pairs)}
        table = {(c, k, kind): self.tier(c, k, kind) for c, k, kind in distinct}
        out = np.full((len(pairs), len(categories)), NOT_ALLOWED, dtype=np.int64)
        for w, (key, kind) in enumerate(pairs):
            for t, category in enumerate(categories):
                out[w, t] = table[(category, key, kind)]
        return out

    def unknown_effectors(self, catalogue: EffectorCatalogue) -> list[tuple[int, int, str]]:
        """Entries naming no effector kind nor catalogue type: (rule, index, entry)."""
        return [
            (r, i, entry)
            for r, rule in enumerate(self.rules)
            for i, entry in enumerate(rule.effectors)
            if entry not in EFFECTOR_KINDS and entry not in catalogue.effectors
        ]


def builtin_policy_names() -> list[str]:
    """The names of the built-in policies."""
    folder = files("flankwatch.respond").joinpath("policies")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_policy(name_or_path: str | Path, catalogue: EffectorCatalogue | None = None) -> Policy:
    """A built-in policy by name, or a policy file by path, checked against ``catalogue``
    (default: the built-in one): every effector entry must be a kind or a catalogue type.

    Raises :class:`PolicyError` naming the file, the field and the fault.
    """
    text, source = _policy_text(str(name_or_path))
    policy = validate_yaml(text, source, Policy, PolicyError)
    unknown = policy.unknown_effectors(catalogue or builtin_catalogue())
    known = sorted({*EFFECTOR_KINDS} - {"enabler"})
    raise_faults(
        [
            (
                ("rules", r, "effectors", i),
                f"{entry!r} is neither an effector kind ({', '.join(known)}) "
                "nor an effector type of the catalogue",
            )
            for r, i, entry in unknown
        ],
        text,
        source,
        PolicyError,
    )
    return policy


def _policy_text(name_or_path: str) -> tuple[str, str]:
    """The policy file's text and the name it goes by in errors."""
    if name_or_path in builtin_policy_names():
        folder = files("flankwatch.respond").joinpath("policies")
        return folder.joinpath(f"{name_or_path}.yaml").read_text(), f"policy {name_or_path}"
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml") and not path.exists():
        raise PolicyError(
            name_or_path,
            [
                Problem(
                    "(name)",
                    f"no built-in policy of this name (known: {', '.join(builtin_policy_names())}) "
                    "and no such file",
                )
            ],
        )
    return read_text(path, PolicyError), str(path)
