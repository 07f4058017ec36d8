"""Alert rules: what closes an airport, what warns the public, what a CAP message says.

The defaults live in ``rules/alerts.yaml`` beside this module; a user's rule
file overrides any part of them (fields left out keep the defaults). Every
field is typed and validated by pydantic; a bad file raises
:class:`AlertRuleError` naming the file, the field path and its line.
Distances are in metres and times in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "AirportRule",
    "AlertRuleError",
    "AlertRules",
    "CapSettings",
    "PublicRule",
    "RuleProblem",
    "default_rules",
    "load_rules",
    "parse_rules",
]

Identity = Literal[
    "pending", "unknown", "assumed-friend", "friend", "neutral", "suspect", "hostile"
]
"""A NATO standard identity, as :data:`flankwatch.assess.assessment.IDENTITIES`."""

TrackStatusName = Literal["tentative", "confirmed", "coasting"]
AssetKindName = Literal["city", "airport", "military", "infrastructure"]


class _Strict(BaseModel):
    """Unknown fields are errors; rules are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AirportRule(_Strict):
    """When an airport is closed and reopened."""

    identities: list[Identity] = Field(
        default=["suspect", "hostile"], min_length=1, description="identities that close it"
    )
    distance_m: float = Field(30_000.0, gt=0.0, description="predicted distance that closes it")
    horizon_s: float = Field(1200.0, gt=0.0, description="how far ahead the prediction looks")
    clear_s: float = Field(1800.0, ge=0.0, description="clear time before it reopens")
    use_threat_table: bool = Field(True, description="also close on the assessment's threats")
    reason: str = Field("UNKNOWN AIRBORNE OBJECTS", min_length=1, description="NOTAM reason")


class PublicRule(_Strict):
    """When the public is warned (CAP), updated and told the threat has passed."""

    identities: list[Identity] = Field(default=["hostile"], min_length=1)
    asset_kinds: list[AssetKindName] = Field(default=["city"])
    airports: bool = Field(True, description="warn for the scenario's airports too")
    airport_radius_m: float = Field(10_000.0, gt=0.0)
    margin_m: float = Field(0.0, ge=0.0, description="added to each asset's radius")
    horizon_s: float = Field(1800.0, gt=0.0)
    use_threat_table: bool = True
    update_interval_s: float = Field(60.0, gt=0.0)
    clear_s: float = Field(60.0, ge=0.0)
    path_horizon_s: float = Field(1200.0, gt=0.0, description="length of the warning corridor")
    corridor_half_width_m: float = Field(10_000.0, gt=0.0)
    immediate_within_s: float = Field(600.0, ge=0.0)


class CapSettings(_Strict):
    """Fixed parts of every CAP message."""

    sender: str = Field("flankwatch", pattern=r"^[^\s,<&]+$", description="no spaces or commas")
    sender_name: str = "flankwatch air defence"
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"] = "Exercise"
    language: str = Field("en-US", pattern=r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
    event: str = Field("Air attack warning", min_length=1)
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"] = "Severe"
    certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"] = "Likely"
    instruction: str = "Go indoors at once and stay away from windows."
    cancel_instruction: str = "The air threat has passed. Resume normal activities."


class AlertRules(_Strict):
    """All alert rules; see ``rules/alerts.yaml`` for the defaults and their meaning."""

    track_statuses: list[TrackStatusName] = Field(default=["confirmed", "coasting"], min_length=1)
    airports: AirportRule = Field(default_factory=AirportRule)
    public: PublicRule = Field(default_factory=PublicRule)
    cap: CapSettings = Field(default_factory=CapSettings)


@dataclass(frozen=True)
class RuleProblem:
    """One thing wrong in a rule file: the field path, the message and the line."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.field} (line {self.line})" if self.line else self.field
        return f"{where}: {self.message}"


class AlertRuleError(Exception):
    """A rule file that cannot be read or is not valid; names the file and each field."""

    def __init__(self, source: str, problems: list[RuleProblem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source}: not a valid alert rule file:\n{lines}")


DEFAULT_RULES_NAME = "built-in alert rules (rules/alerts.yaml)"


def default_text() -> str:
    """The YAML text of the built-in rules."""
    return files("flankwatch.alert").joinpath("rules").joinpath("alerts.yaml").read_text("utf-8")


def default_rules() -> AlertRules:
    """The built-in rules."""
    return parse_rules(default_text(), DEFAULT_RULES_NAME, base=AlertRules())


def load_rules(path: str | Path | None = None) -> AlertRules:
    """The built-in rules, overridden by the rule file at ``path`` if given.

    Raises :class:`AlertRuleError` naming the file, the field and the fault.
    """
    if path is None:
        return default_rules()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AlertRuleError(
            str(path), [RuleProblem("(file)", error.strerror or str(error))]
        ) from None
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str, *, base: AlertRules | None = None) -> AlertRules:
    """Validate a rule file's YAML text laid over ``base`` (default: the built-in rules).

    ``source`` names the text in errors.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise AlertRuleError(
            source, [RuleProblem("(yaml)", str(error).replace("\n", " "), line)]
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AlertRuleError(source, [RuleProblem("(top)", "a rule file is a mapping of fields")])
    if base is None:
        base = default_rules()
    try:
        return AlertRules.model_validate(_merge(base.model_dump(), data))
    except ValidationError as error:
        problems = [
            RuleProblem(_dotted(err["loc"]), err["msg"], _line_of(node, err["loc"]))
            for err in error.errors(include_url=False)
        ]
        raise AlertRuleError(source, problems) from None


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``, mapping by mapping (lists are replaced whole)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _dotted(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as ``public.identities[1]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top)"


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc``, as deep as the path can be followed."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            matches = [value for key, value in node.value if key.value == part]
            if not matches:
                break
            node = matches[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
