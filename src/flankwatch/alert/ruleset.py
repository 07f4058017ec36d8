"""Alert rules: what closes an airport, what warns the public, what a CAP message says.

The defaults live in ``rules/alerts.yaml`` beside this module; a user's rule
file overrides any part of them (fields left out keep the defaults). Every
field is typed and validated by pydantic; a bad file raises
:class:`AlertRuleError` naming the file, the field path and its line.
Distances are in metres and times in seconds.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flankwatch.yamlfile import YamlFileError, read_text, validate_yaml

__all__ = [
    "AirportRule",
    "AlertRuleError",
    "AlertRules",
    "CapSettings",
    "PublicRule",
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
    """Unknown fields are errors; rules are frozen; every number is finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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


class AlertRuleError(YamlFileError):
    """A rule file that cannot be read or is not valid; names the file and each field."""

    what = "alert rule file"


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
    text = read_text(path, AlertRuleError)
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str, *, base: AlertRules | None = None) -> AlertRules:
    """Validate a rule file's YAML text laid over ``base`` (default: the built-in rules).

    ``source`` names the text in errors.
    """
    base = base if base is not None else default_rules()
    return validate_yaml(
        text, source, AlertRules, AlertRuleError, lambda data: _merge(base.model_dump(), data)
    )


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``, mapping by mapping (lists are replaced whole)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
