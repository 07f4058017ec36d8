"""The words of public warnings, in Polish (``pl-PL``) and English (``en-GB``).

Public text describes what a citizen can act on: what kind of object (a drone,
a missile), where it is heading, which voivodeships, towns and villages lie on
its predicted path and when, and what to do. It never carries internal track
numbers, and never calls an object a decoy: a decoy may carry explosives (as the
drone that fell at Osiny on 10 September 2025 did), so the public hears only
"drone". Times are Polish local time (Europe/Warsaw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "LANGUAGES",
    "Ending",
    "Language",
    "PlaceOnPath",
    "UnitOnPath",
    "compass_word",
    "ending_text",
    "local_time",
    "lost_text",
    "object_words",
    "warning_text",
]

Language = Literal["pl-PL", "en-GB"]
LANGUAGES: tuple[Language, ...] = ("pl-PL", "en-GB")
"""The languages public warnings can be written in."""

Ending = Literal["down", "destroyed", "left", "moved-away", "lapsed"]

_LOCAL = ZoneInfo("Europe/Warsaw")

# Class of the assessment -> what the public is told. Anything unlisted is an
# unidentified airborne object; any class naming a drone or a decoy is a drone.
_OBJECT_WORDS: dict[str, dict[Language, str]] = {
    "drone": {"pl-PL": "bezzałogowy statek powietrzny (dron)", "en-GB": "drone"},
    "cruise-missile": {"pl-PL": "pocisk manewrujący", "en-GB": "cruise missile"},
    "ballistic-missile": {"pl-PL": "pocisk balistyczny", "en-GB": "ballistic missile"},
    "missile": {"pl-PL": "pocisk", "en-GB": "missile"},
    "aircraft": {"pl-PL": "statek powietrzny", "en-GB": "aircraft"},
    "unknown": {
        "pl-PL": "niezidentyfikowany obiekt powietrzny",
        "en-GB": "unidentified airborne object",
    },
}

_COMPASS: dict[Language, tuple[str, ...]] = {
    "pl-PL": (
        "na północ",
        "na północny wschód",
        "na wschód",
        "na południowy wschód",
        "na południe",
        "na południowy zachód",
        "na zachód",
        "na północny zachód",
    ),
    "en-GB": (
        "north",
        "north-east",
        "east",
        "south-east",
        "south",
        "south-west",
        "west",
        "north-west",
    ),
}


@dataclass(frozen=True)
class PlaceOnPath:
    """A town or village on the predicted path, and when the object may pass it (UTC)."""

    name: str
    population: int
    at: datetime | None


@dataclass(frozen=True)
class UnitOnPath:
    """A voivodeship on the predicted path and the places named in it."""

    code: str
    name: str
    name_pl: str
    places: tuple[PlaceOnPath, ...] = ()
    more_places: int = 0

    def label(self, language: Language) -> str:
        """The unit as the public names it: ``województwo lubelskie`` / ``Lublin Voivodeship``."""
        if language == "pl-PL":
            return f"województwo {self.name_pl}"
        return f"{self.name} Voivodeship"

    def area_description(self, language: Language) -> str:
        """The unit and its places on the path, for a CAP ``areaDesc``."""
        names = [p.name for p in self.places]
        if not names:
            return self.label(language)
        listed = ", ".join(names)
        if self.more_places:
            if language == "pl-PL":
                listed += f" i {self.more_places} innych miejscowości"
            else:
                listed += f" and {self.more_places} other places"
        return f"{self.label(language)}: {listed}"


def object_words(category: str, language: Language) -> str:
    """What the public is told an object of the assessment's ``category`` is."""
    key = category.lower()
    if key in _OBJECT_WORDS:
        return _OBJECT_WORDS[key][language]
    if "drone" in key or "decoy" in key or "uav" in key:
        return _OBJECT_WORDS["drone"][language]
    if "missile" in key:
        return _OBJECT_WORDS["missile"][language]
    return _OBJECT_WORDS["unknown"][language]


def compass_word(course_deg: float, language: Language) -> str:
    """A course (degrees from north, clockwise) as one of eight directions in words."""
    return _COMPASS[language][round((course_deg % 360.0) / 45.0) % 8]


def local_time(when: datetime) -> str:
    """``HH:MM`` in Polish local time."""
    return when.astimezone(_LOCAL).strftime("%H:%M")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _locative(adjective: str) -> str:
    """A voivodeship's adjective in the locative: ``lubelskie`` -> ``lubelskim``."""
    return adjective[:-2] + "im" if adjective.endswith("ie") else adjective


def _places_clause(units: Sequence[UnitOnPath], language: Language) -> str:
    parts = []
    for unit in units:
        named = [
            f"{p.name} ({'ok.' if language == 'pl-PL' else 'about'} {local_time(p.at)})"
            if p.at is not None
            else p.name
            for p in unit.places
        ]
        if not named:
            continue
        more = ""
        if unit.more_places:
            more = (
                f" i {unit.more_places} innych miejscowości"
                if language == "pl-PL"
                else f" and {unit.more_places} other places"
            )
        where = (
            f"w województwie {_locative(unit.name_pl)}"
            if language == "pl-PL"
            else f"in {unit.label(language)}"
        )
        parts.append(f"{', '.join(named)}{more} {where}")
    return "; ".join(parts)


def warning_text(
    language: Language,
    event: str,
    what: str,
    course_deg: float,
    speed_kmh: float,
    units: Sequence[UnitOnPath],
    targets: Sequence[tuple[str, datetime]],
    exercise: bool,
) -> tuple[str, str]:
    """``(headline, description)`` of a warning (Alert or Update) in ``language``.

    ``what`` is the category of the assessment; ``targets`` the threatened
    cities and airports with the predicted time of arrival (UTC).
    """
    obj = object_words(what, language)
    heading = compass_word(course_deg, language)
    where = ", ".join(u.label(language) for u in units) or ", ".join(t for t, _ in targets)
    headline = f"{event}: {where}" if where else event
    if language == "pl-PL":
        text = f"{_sentence(obj)} leci {heading} z prędkością około {speed_kmh:.0f} km/h."
        places = _places_clause(units, language)
        if places:
            text += f" Może przelecieć nad miejscowościami: {places}."
        if targets:
            near = ", ".join(f"{name} (ok. {local_time(at)})" for name, at in targets)
            text += f" Zagrożone: {near}."
        text += " Godziny według czasu polskiego."
        if exercise:
            text += " To jest ćwiczenie: zagrożenie jest symulowane."
    else:
        article = "An" if obj[:1] in "aeiou" else "A"
        text = f"{article} {obj} is flying {heading} at about {speed_kmh:.0f} km/h."
        places = _places_clause(units, language)
        if places:
            text += f" It may pass over {places}."
        if targets:
            near = ", ".join(f"{name} (about {local_time(at)})" for name, at in targets)
            text += f" Threatened: {near}."
        text += " Times are Polish local time."
        if exercise:
            text += " This is an exercise: the threat is simulated."
    return headline, text


def lost_text(
    language: Language, what: str, last_seen: datetime, exercise: bool
) -> tuple[str, str]:
    """``(headline, description)`` of the Update sent when contact with the object is lost."""
    obj = object_words(what, language)
    if language == "pl-PL":
        headline = "Utracono kontakt z obiektem: zachowaj czujność"
        text = (
            f"{_sentence(obj)} nie jest widoczny od {local_time(last_seen)}. Nie wiadomo, "
            "czy zagrożenie minęło: obiekt może nadal lecieć nisko."
        )
        if exercise:
            text += " To jest ćwiczenie."
    else:
        headline = "Contact lost: stay alert"
        text = (
            f"The {obj} has not been seen since {local_time(last_seen)} (Polish time). "
            "It is not known whether the threat has passed: it may still be flying low."
        )
        if exercise:
            text += " This is an exercise."
    return headline, text


_ENDING_TEXT: dict[Ending, dict[Language, tuple[str, str]]] = {
    "down": {
        "pl-PL": ("Koniec zagrożenia", "{Obj} spadł na ziemię{near}."),
        "en-GB": ("All clear: the threat has ended", "The {obj} came down{near}."),
    },
    "destroyed": {
        "pl-PL": ("Koniec zagrożenia", "{Obj} został zniszczony."),
        "en-GB": ("All clear: the threat has ended", "The {obj} was destroyed."),
    },
    "left": {
        "pl-PL": ("Koniec zagrożenia", "{Obj} opuścił polską przestrzeń powietrzną."),
        "en-GB": ("All clear: the threat has ended", "The {obj} has left Polish airspace."),
    },
    "moved-away": {
        "pl-PL": (
            "Zagrożenie oddaliło się od tego obszaru",
            "{Obj} nie leci już nad ten obszar, ale jest nadal w powietrzu.",
        ),
        "en-GB": (
            "The threat has moved away from this area",
            "The {obj} is no longer heading over this area but is still airborne.",
        ),
    },
    "lapsed": {
        "pl-PL": (
            "Ostrzeżenie wygasło",
            "Od {since} brak nowych informacji o obiekcie. Ostrzeżenie wygasa; "
            "nie potwierdzono, że zagrożenie minęło.",
        ),
        "en-GB": (
            "The warning has lapsed",
            "No news of the {obj} since {since} (Polish time). The warning lapses; "
            "it has not been confirmed that the threat has ended.",
        ),
    },
}


def ending_text(
    language: Language,
    ending: Ending,
    what: str,
    since: datetime,
    near: str,
    exercise: bool,
) -> tuple[str, str]:
    """``(headline, description)`` of the Cancel that ends a warning.

    Only ``down``, ``destroyed`` and ``left`` say the threat has ended;
    ``moved-away`` and ``lapsed`` say it has not been seen to end.
    """
    headline, template = _ENDING_TEXT[ending][language]
    if near:
        near = f" w pobliżu: {near}" if language == "pl-PL" else f" near {near}"
    obj = object_words(what, language)
    text = template.format(obj=obj, Obj=_sentence(obj), since=local_time(since), near=near)
    if exercise:
        text += " To jest ćwiczenie." if language == "pl-PL" else " This is an exercise."
    return headline, text
