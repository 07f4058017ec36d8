"""Alert rules: what closes an airport, what warns the public, what a CAP message says.

The defaults live in ``rules/alerts.yaml`` beside this module; a user's rule
file overrides any part of them (fields left out keep the defaults). Every
field is typed and validated by pydantic; a bad file raises
:class:`AlertRuleError` naming the file, the field path and its line.
Distances are in metres and times in seconds.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from string import Formatter
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.yamlfile import YamlFileError, read_text, validate_yaml

__all__ = [
    "AirportRule",
    "AlertRuleError",
    "AlertRules",
    "CapSettings",
    "CapText",
    "NotamRule",
    "PublicRule",
    "default_rules",
    "load_rules",
    "parse_rules",
]

Identity = Literal[
    "pending", "unknown", "assumed-friend", "friend", "neutral", "suspect", "hostile"
]
"""A NATO standard identity, as :data:`flankwatch.assess.assessment.IDENTITIES`."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no message text may hold: controls other than tab and line ends (XML 1.0
refuses them, and a NOTAM or CAP text has no use for them)."""


def _plain_text(value: str) -> str:
    """``value`` if it is text a NOTAM or CAP message can carry; ValueError otherwise."""
    found = _CONTROL.search(value)
    if found is not None:
        raise ValueError(
            f"holds the control character {found.group()!r} at position {found.start() + 1}"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"is not text: position {error.start + 1} is a lone surrogate") from None
    return value


MessageText = Annotated[str, AfterValidator(_plain_text)]
"""Text that goes into a warning message (a CAP message's words, a NOTAM's item E)."""

TrackStatusName = Literal["tentative", "confirmed", "coasting"]
AssetKindName = Literal["city", "airport", "military", "infrastructure"]


class _Strict(NumbersAsWritten):
    """Unknown fields are errors; rules are frozen; every number is finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


Seconds = Annotated[float, Field(ge=0.0, le=86_400.0)]
"""A time of at most a day, in seconds."""


class _HeldThreat(_Strict):
    """What airport closures and public warnings share: how long a threat must hold
    before its alert, how long it must be gone before the alert ends, and the
    course spread of a manoeuvring track."""

    persist_updates: int = Field(
        3, ge=1, le=10_000, description="track updates in a row a threat must hold before its alert"
    )
    persist_s: Seconds = Field(20.0, description="time the threat must hold before its alert")
    clear_s: Seconds = Field(120.0, description="time without a threat before the alert ends")
    manoeuvre_heading_sigma_deg: float = Field(
        20.0, ge=0.0, le=90.0, description="course spread of a manoeuvring track (1 sigma)"
    )

    def held(self, updates: int, span_s: float) -> bool:
        """Whether a threat seen on ``updates`` track updates in a row, over ``span_s``,
        has held long enough for its alert."""
        return updates >= self.persist_updates and span_s >= self.persist_s


class AirportRule(_HeldThreat):
    """When an airport is closed and reopened; see ``rules/alerts.yaml``."""

    identities: list[Identity] = Field(
        default=["suspect", "hostile"], min_length=1, description="identities that close it"
    )
    distance_m: float = Field(
        30_000.0, gt=0.0, le=1e6, description="predicted distance that closes it"
    )
    horizon_s: float = Field(
        1200.0, gt=0.0, le=86_400.0, description="how far ahead the prediction looks"
    )
    predictor: Literal["cone", "straight-line"] = Field(
        "cone", description="the motion model's uncertainty cone, or the current course"
    )
    reach_probability: float = Field(
        0.3, gt=0.0, lt=1.0, description="cone: chance of passing within distance_m that counts"
    )
    persist_s: Seconds = Field(30.0, description="time the prediction must hold before closing")
    min_closed_s: Seconds = Field(1800.0, description="shortest closure")
    clear_s: Seconds = Field(1800.0, description="clear time before it reopens")
    reclose_guard_s: Seconds = Field(
        900.0, description="stay closed while a track could close it again this soon (0: off)"
    )
    use_threat_table: bool = Field(False, description="also close on the assessment's threats")
    reason: MessageText = Field(
        "UNKNOWN AIRBORNE OBJECTS", min_length=1, description="NOTAM reason"
    )
    hostile_reason: MessageText | None = Field(
        None, min_length=1, description="NOTAM reason once a hostile track closes it"
    )


class PublicRule(_HeldThreat):
    """When the public is warned (CAP), updated and told how the threat ended;
    see ``rules/alerts.yaml``."""

    identities: list[Identity] = Field(default=["hostile"], min_length=1)
    asset_kinds: list[AssetKindName] = Field(default=["city"])
    airports: bool = Field(True, description="warn for the scenario's airports too")
    airport_radius_m: float = Field(10_000.0, gt=0.0, le=1e6)
    margin_m: float = Field(0.0, ge=0.0, le=1e6, description="added to each asset's radius")
    horizon_s: float = Field(1800.0, gt=0.0, le=86_400.0)
    use_threat_table: bool = True
    places: bool = Field(True, description="warn for the towns and villages on the path")
    min_population: int = Field(
        1000, ge=0, description="smallest town or village warned for (inhabitants)"
    )
    max_places_named: int = Field(
        8, ge=1, le=100, description="places named per voivodeship in a message"
    )
    min_update_interval_s: Seconds = Field(
        300.0, description="shortest time between two Updates of an alert"
    )
    lost_lapse_s: Seconds = Field(900.0, description="a lost track's warning lapses after this")
    down_height_m: float = Field(
        500.0, ge=0.0, le=20_000.0, description="below this height (ellipsoid) a track is low"
    )
    down_descent_mps: float = Field(
        1.0, ge=0.0, le=1000.0, description="sinking faster than this, a low track came down"
    )
    down_sigmas: float = Field(
        2.0,
        ge=0.0,
        le=10.0,
        description="the sinking must hold this many standard deviations of the climb rate",
    )
    path_horizon_s: float = Field(
        1200.0, gt=0.0, le=86_400.0, description="length of the warning corridor"
    )
    corridor_half_width_m: float = Field(10_000.0, gt=0.0, le=1e6)
    corridor_spread_sigmas: float = Field(
        1.0, ge=0.0, le=10.0, description="corridor widened by this many sigmas of the cone"
    )
    corridor_max_half_width_m: float = Field(
        30_000.0, gt=0.0, le=1e6, description="widest corridor half width"
    )
    immediate_within_s: Seconds = 600.0


CapLanguage = Literal["pl-PL", "en-GB"]
"""The languages public warnings are written in."""


class CapText(_Strict):
    """The fixed words of the public messages in one language."""

    sender_name: MessageText = Field(
        min_length=1, description="the authority, as the public knows it"
    )
    event: MessageText = Field(min_length=1)
    instruction: MessageText = Field(min_length=1, description="what to do while warned")
    lost_instruction: MessageText = Field(min_length=1, description="when contact is lost")
    ended_instruction: MessageText = Field(min_length=1, description="when the threat has ended")
    moved_away_instruction: MessageText = Field(min_length=1, description="when it moved away")
    lapsed_instruction: MessageText = Field(min_length=1, description="when the warning lapses")


_DEFAULT_TEXT: dict[CapLanguage, CapText] = {
    "pl-PL": CapText(
        sender_name="Rządowe Centrum Bezpieczeństwa",
        event="Zagrożenie atakiem z powietrza",
        instruction="Schroń się w budynku, z dala od okien.",
        lost_instruction="Zachowaj czujność i śledź komunikaty.",
        ended_instruction="Nie zbliżaj się do szczątków; zgłoś je pod numer 112.",
        moved_away_instruction="Zachowaj czujność i śledź komunikaty.",
        lapsed_instruction="Zachowaj czujność i śledź komunikaty.",
    ),
    "en-GB": CapText(
        sender_name="Government Centre for Security (RCB)",
        event="Air attack threat",
        instruction="Take shelter in a building, away from windows.",
        lost_instruction="Stay alert and follow official messages.",
        ended_instruction="Do not approach any debris; report it on 112.",
        moved_away_instruction="Stay alert and follow official messages.",
        lapsed_instruction="Stay alert and follow official messages.",
    ),
}


class CapSettings(_Strict):
    """Fixed parts of every CAP message: sender, status and the words per language."""

    sender: str = Field("flankwatch", pattern=r"^[^\s,<&]+$", description="no spaces or commas")
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"] = "Exercise"
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"] = "Severe"
    certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"] = "Likely"
    languages: list[CapLanguage] = Field(
        default=["pl-PL", "en-GB"], min_length=1, description="one info block each, in order"
    )
    text: dict[CapLanguage, CapText] = Field(default_factory=lambda: dict(_DEFAULT_TEXT))

    @model_validator(mode="after")
    def _text_for_each_language(self) -> CapSettings:
        repeated = sorted({lang for lang in self.languages if self.languages.count(lang) > 1})
        if repeated:
            raise ValueError(f"language(s) {repeated} listed twice (one info block each)")
        missing = [language for language in self.languages if language not in self.text]
        if missing:
            raise ValueError(f"no text for language(s) {missing} (under cap.text)")
        return self


NOTAM_FIELDS = ("reason", "aerodrome", "distance_km", "distance_nm")
"""The names a NOTAM item E template may use (each filled in as text)."""
MAX_ITEM_E_CHARS = 2000
"""Longest item E a template may write with one-character fields."""


class NotamRule(_Strict):
    """How airport NOTAMs are numbered and written (ICAO format); see ``rules/alerts.yaml``."""

    series: str = Field("A", pattern=r"^[A-Z]$", description="NOTAM series letter")
    first_number: int = Field(1, ge=1, le=9999, description="number of a run's first NOTAM")
    fir: str = Field("EPWW", pattern=r"^[A-Z]{4}$", description="FIR of the Q) line")
    fir_by_aerodrome: dict[str, str] = Field(
        default_factory=dict, description="FIR of particular aerodromes (ICAO code to FIR)"
    )
    closed_code: str = Field("QFALC", pattern=r"^Q[A-Z]{4}$", description="Q-code: AD closed")
    reopened_code: str = Field(
        "QFAAK", pattern=r"^Q[A-Z]{4}$", description="Q-code of the NOTAMC: resumed normal ops"
    )
    traffic: Literal["I", "V", "IV", "K"] = "IV"
    purpose: Literal["NBO", "BO", "B", "M", "K"] = "NBO"
    scope: Literal["A", "E", "W", "AE", "AW", "K"] = "A"
    lower_fl: int = Field(0, ge=0, le=999, description="Q) lower limit, flight level")
    upper_fl: int = Field(999, ge=0, le=999, description="Q) upper limit, flight level")
    radius_nm: int = Field(5, ge=1, le=999, description="Q) radius of influence, NM")
    closed_text: MessageText = Field(
        "AD CLSD DUE TO {reason}. AIRSPACE SAFETY MEASURES IN FORCE.", min_length=1
    )
    reopened_text: MessageText = Field("AD OPEN. CLOSURE DUE TO {reason} CANCELLED.", min_length=1)

    @field_validator("fir_by_aerodrome")
    @classmethod
    def _four_letters(cls, value: dict[str, str]) -> dict[str, str]:
        for code, fir in value.items():
            for text in (code, fir):
                if re.fullmatch(r"[A-Z]{4}", text) is None:
                    raise ValueError(f"{text!r} is not a four-letter ICAO code")
        return value

    @field_validator("closed_text", "reopened_text")
    @classmethod
    def _known_fields(cls, value: str) -> str:
        try:
            names = [name for _, name, _, _ in Formatter().parse(value) if name is not None]
        except ValueError as error:
            raise ValueError(f"bad template: {error}") from None
        unknown = sorted(set(names) - set(NOTAM_FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {unknown}; known: {list(NOTAM_FIELDS)}")
        try:  # the fields are text when a NOTAM is written: a spec must suit text
            written = value.format_map(dict.fromkeys(NOTAM_FIELDS, "X"))
        except (ValueError, TypeError) as error:
            raise ValueError(f"bad template: {error}") from None
        if len(written) > MAX_ITEM_E_CHARS:
            raise ValueError(f"the text written is over {MAX_ITEM_E_CHARS} characters")
        return value

    @model_validator(mode="after")
    def _limits_in_order(self) -> NotamRule:
        if self.lower_fl > self.upper_fl:
            raise ValueError(f"lower_fl {self.lower_fl} above upper_fl {self.upper_fl}")
        return self


class AlertRules(_Strict):
    """All alert rules; see ``rules/alerts.yaml`` for the defaults and their meaning."""

    track_statuses: list[TrackStatusName] = Field(default=["confirmed", "coasting"], min_length=1)
    airports: AirportRule = Field(default_factory=AirportRule)
    public: PublicRule = Field(default_factory=PublicRule)
    cap: CapSettings = Field(default_factory=CapSettings)
    notam: NotamRule = Field(default_factory=NotamRule)


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
