"""NOTAMs of aerodrome closures in the ICAO format.

The format is that of ICAO Annex 15 (Aeronautical Information Services) and
PANS-AIM (Doc 10066), Appendix 3 "NOTAM format"::

    A0001/25 NOTAMN
    Q) EPWW/QFALC/IV/NBO/A/000/999/5210N02058E005
    A) EPWA B) 2509100015 C) UFN
    E) AD CLSD DUE TO UNKNOWN AIRBORNE OBJECTS. AIRSPACE SAFETY MEASURES IN FORCE.

- The first line: series letter, four-digit number and two-digit year, then
  ``NOTAMN`` (new), ``NOTAMR`` followed by the NOTAM it replaces, or
  ``NOTAMC`` followed by the NOTAM it cancels.
- ``Q)``: the FIR, the NOTAM code (``QFALC``: FA aerodrome, LC closed; a
  NOTAMC's ``QFAAK``: AK resumed normal operation), traffic (``IV``: IFR and
  VFR), purpose (``NBO``: for operators, briefing and flight operations),
  scope (``A``: aerodrome), lower and upper limits as flight levels, and the
  aerodrome's position to the nearest minute with a radius in NM.
- ``A)`` the aerodrome's ICAO location indicator; ``B)`` from and ``C)`` until,
  UTC as ``YYMMDDhhmm`` (``UFN``: until further notice; a NOTAMC has no
  ``C)``); ``D)`` an optional schedule; ``E)`` plain language in capitals with
  ICAO abbreviations.

Item E comes from the rule's template and never carries track numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from flankwatch.alert.base import Target
from flankwatch.alert.ruleset import NotamRule

__all__ = ["Notam", "NotamBook", "NotamKind", "notam_text", "notam_time", "q_position"]

NotamKind = Literal["NOTAMN", "NOTAMR", "NOTAMC"]

METRES_PER_NM = 1852.0
"""The international nautical mile, m (exact by definition)."""


def notam_time(when: datetime) -> str:
    """A UTC time as NOTAM items B and C write it: ``2509092345``.

    Raises ``ValueError`` for a time without a time zone.
    """
    if when.tzinfo is None:
        raise ValueError(f"NOTAM time {when} has no time zone")
    return when.astimezone(UTC).strftime("%y%m%d%H%M")


def q_position(lat_deg: float, lon_deg: float, radius_nm: int) -> str:
    """The Q) line's position and radius: ``5210N02058E005``.

    Degrees and minutes rounded to the nearest minute; radius in NM, three digits.
    """
    lat_min = round(abs(lat_deg) * 60.0)
    lon_min = round(abs(lon_deg) * 60.0)
    ns = "N" if lat_deg >= 0.0 else "S"
    ew = "E" if lon_deg >= 0.0 else "W"
    return (
        f"{lat_min // 60:02d}{lat_min % 60:02d}{ns}"
        f"{lon_min // 60:03d}{lon_min % 60:02d}{ew}{radius_nm:03d}"
    )


@dataclass(frozen=True)
class Notam:
    """One NOTAM: its number, kind, the NOTAM it replaces or cancels, and items Q to E."""

    number: str
    kind: NotamKind
    cites: str
    """The NOTAM a NOTAMR replaces or a NOTAMC cancels ("" for a NOTAMN)."""
    q_line: str
    aerodrome: str
    start: datetime
    end: datetime | None
    """Item C; ``None`` writes ``UFN`` (a NOTAMC has no item C)."""
    item_e: str
    item_d: str = ""

    def text(self) -> str:
        """The NOTAM as it is sent (:func:`notam_text`)."""
        return notam_text(self)


def notam_text(notam: Notam) -> str:
    """A NOTAM as it is sent: the number line, ``Q)``, ``A) B) C)``, ``D)`` if any, ``E)``."""
    head = f"{notam.number} {notam.kind}" + (f" {notam.cites}" if notam.cites else "")
    times = f"A) {notam.aerodrome} B) {notam_time(notam.start)}"
    if notam.kind != "NOTAMC":
        times += f" C) {notam_time(notam.end) if notam.end is not None else 'UFN'}"
    lines = [head, f"Q) {notam.q_line}", times]
    if notam.item_d:
        lines.append(f"D) {notam.item_d}")
    lines.append(f"E) {notam.item_e}")
    return "\n".join(lines)


class NotamBook:
    """Numbers and writes the NOTAMs of one run, in one series.

    Numbers run from the rule's ``first_number`` and start again at it in a new
    year (of the issue time, UTC).
    """

    def __init__(self, rule: NotamRule) -> None:
        self.rule = rule
        self._next: dict[int, int] = {}

    def number(self, when: datetime) -> str:
        """The next number, as ``A0001/25``."""
        year = when.astimezone(UTC).year
        n = self._next.get(year, self.rule.first_number)
        if n > 9999:
            raise ValueError(f"NOTAM series {self.rule.series} of {year} is full (9999)")
        self._next[year] = n + 1
        return f"{self.rule.series}{n:04d}/{year % 100:02d}"

    def q_line(self, aerodrome: Target, code: str) -> str:
        """The Q) line for an aerodrome and a NOTAM code."""
        rule = self.rule
        fir = rule.fir_by_aerodrome.get(aerodrome.icao, rule.fir)
        where = q_position(aerodrome.lat_deg, aerodrome.lon_deg, rule.radius_nm)
        return (
            f"{fir}/{code}/{rule.traffic}/{rule.purpose}/{rule.scope}/"
            f"{rule.lower_fl:03d}/{rule.upper_fl:03d}/{where}"
        )

    def _item_e(self, template: str, aerodrome: Target, reason: str, distance_m: float) -> str:
        text = template.format(
            reason=reason,
            aerodrome=aerodrome.icao,
            distance_km=f"{distance_m / 1000.0:.0f}",
            distance_nm=f"{distance_m / METRES_PER_NM:.0f}",
        )
        return " ".join(text.upper().split())

    def closed(
        self,
        aerodrome: Target,
        when: datetime,
        reason: str,
        distance_m: float,
        replaces: str = "",
    ) -> Notam:
        """A NOTAMN closing the aerodrome from ``when``, or a NOTAMR of ``replaces``."""
        return Notam(
            number=self.number(when),
            kind="NOTAMR" if replaces else "NOTAMN",
            cites=replaces,
            q_line=self.q_line(aerodrome, self.rule.closed_code),
            aerodrome=aerodrome.icao,
            start=when,
            end=None,
            item_e=self._item_e(self.rule.closed_text, aerodrome, reason, distance_m),
        )

    def reopened(
        self, aerodrome: Target, when: datetime, reason: str, distance_m: float, cancels: str
    ) -> Notam:
        """A NOTAMC cancelling the closure NOTAM ``cancels`` at ``when``."""
        return Notam(
            number=self.number(when),
            kind="NOTAMC",
            cites=cancels,
            q_line=self.q_line(aerodrome, self.rule.reopened_code),
            aerodrome=aerodrome.icao,
            start=when,
            end=None,
            item_e=self._item_e(self.rule.reopened_text, aerodrome, reason, distance_m),
        )
