"""Public alerts as OASIS Common Alerting Protocol (CAP) 1.2 messages.

A message is ``<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">`` with, in
the schema's order: ``identifier``, ``sender``, ``sent``, ``status``,
``msgType``, ``scope``, ``references`` (Update and Cancel only: the messages
it follows as ``sender,identifier,sent`` triples separated by spaces) and one
``info`` block per language (``language``, ``category``, ``event``, ``responseType``,
``urgency``, ``severity``, ``certainty``, ``effective``, ``expires``,
``senderName``, ``headline``, ``description``, ``instruction``, ``area``).
An ``area`` holds ``areaDesc``, its polygons and its geocodes (``valueName``
and ``value``, e.g. ``ISO3166-2`` and ``PL-06``).

Times are written ``YYYY-MM-DDThh:mm:ss+00:00``: CAP 1.2 requires an explicit
offset and no fractional seconds (a ``Z`` suffix fails the schema). An
``area`` polygon is a closed ring of at least four ``lat,lon`` pairs (WGS-84
degrees) separated by spaces, the first pair repeated last.

:func:`validate_cap` checks a message against the official OASIS CAP 1.2 XSD
(http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd), shipped unmodified
inside flankwatch as ``flankwatch/alert/schema/CAP-v1.2.xsd`` (its source and
licence are in the ``README.md`` beside it), with lxml.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Literal

__all__ = [
    "CAP_NAMESPACE",
    "CapArea",
    "CapInfo",
    "CapReference",
    "build_cap",
    "cap_polygon",
    "cap_schema",
    "cap_time",
    "validate_cap",
]

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
"""The XML namespace of CAP 1.2."""

Urgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Certainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
ResponseType = Literal[
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"
]


def cap_time(when: datetime) -> str:
    """A UTC-aware time as CAP writes it: ``2025-09-10T00:15:00+00:00``, whole seconds."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("CAP times must be time-zone aware")
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def cap_polygon(lat_deg: Iterable[float], lon_deg: Iterable[float]) -> str:
    """A CAP polygon: ``lat,lon`` pairs separated by spaces, closed (first pair last).

    The ring is closed here if it is not already; it needs at least 3 distinct points.
    """
    pairs = [
        f"{float(lat):.5f},{float(lon):.5f}" for lat, lon in zip(lat_deg, lon_deg, strict=True)
    ]
    if pairs and pairs[0] != pairs[-1]:
        pairs.append(pairs[0])
    if len(pairs) < 4:
        raise ValueError("a CAP polygon needs at least 4 pairs (3 points and the closing one)")
    return " ".join(pairs)


@dataclass(frozen=True)
class CapReference:
    """An earlier message that an Update or Cancel refers to."""

    sender: str
    identifier: str
    sent: datetime

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{cap_time(self.sent)}"


@dataclass(frozen=True)
class CapArea:
    """The area a message concerns: a description, polygons (see :func:`cap_polygon`) and
    geocodes, ``(valueName, value)`` pairs such as ``("ISO3166-2", "PL-06")``."""

    description: str
    polygons: tuple[str, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CapInfo:
    """The ``info`` block of a message (category Security)."""

    event: str
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    headline: str
    description: str
    instruction: str
    areas: tuple[CapArea, ...] = ()
    response_types: tuple[ResponseType, ...] = ()
    effective: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    language: str = "en-US"
    categories: tuple[str, ...] = ("Security",)
    parameters: dict[str, str] = field(default_factory=dict)


def build_cap(
    identifier: str,
    sender: str,
    sent: datetime,
    msg_type: Literal["Alert", "Update", "Cancel"],
    info: CapInfo | Sequence[CapInfo] | None,
    *,
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"] = "Exercise",
    scope: Literal["Public", "Restricted", "Private"] = "Public",
    references: Sequence[CapReference] = (),
    note: str = "",
) -> str:
    """A CAP 1.2 ``alert`` document as XML text (UTF-8 declaration included).

    ``info`` is one block or several (one per language, in order).
    """
    for name, value in (("identifier", identifier), ("sender", sender)):
        if not value or any(c in value for c in " ,<&\t\n"):
            raise ValueError(f"a CAP {name} must not be empty or hold spaces, commas, < or &")
    if msg_type != "Alert" and not references:
        raise ValueError(f"a CAP {msg_type} must reference the message(s) it follows")
    ET.register_namespace("", CAP_NAMESPACE)
    root = ET.Element(_q("alert"))
    _sub(root, "identifier", identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", status)
    _sub(root, "msgType", msg_type)
    _sub(root, "scope", scope)
    if note:
        _sub(root, "note", note)
    if references:
        _sub(root, "references", " ".join(str(r) for r in references))
    infos = () if info is None else (info,) if isinstance(info, CapInfo) else tuple(info)
    for block in infos:
        _add_info(root, block)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _add_info(root: ET.Element, info: CapInfo) -> None:
    block = _sub(root, "info")
    _sub(block, "language", info.language)
    for category in info.categories:
        _sub(block, "category", category)
    _sub(block, "event", info.event)
    for response in info.response_types:
        _sub(block, "responseType", response)
    _sub(block, "urgency", info.urgency)
    _sub(block, "severity", info.severity)
    _sub(block, "certainty", info.certainty)
    if info.effective is not None:
        _sub(block, "effective", cap_time(info.effective))
    if info.expires is not None:
        _sub(block, "expires", cap_time(info.expires))
    if info.sender_name:
        _sub(block, "senderName", info.sender_name)
    _sub(block, "headline", info.headline)
    _sub(block, "description", info.description)
    if info.instruction:
        _sub(block, "instruction", info.instruction)
    for name, value in info.parameters.items():
        parameter = _sub(block, "parameter")
        _sub(parameter, "valueName", name)
        _sub(parameter, "value", value)
    for area in info.areas:
        element = _sub(block, "area")
        _sub(element, "areaDesc", area.description)
        for polygon in area.polygons:
            _sub(element, "polygon", polygon)
        for name, value in area.geocodes:
            geocode = _sub(element, "geocode")
            _sub(geocode, "valueName", name)
            _sub(geocode, "value", value)


def _q(tag: str) -> str:
    return f"{{{CAP_NAMESPACE}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    if text is not None:
        element.text = text
    return element


_SCHEMA_FILE = "CAP-v1.2.xsd"
"""The name of the OASIS CAP 1.2 XSD in the package's ``alert/schema`` folder."""


def cap_schema() -> Traversable:
    """The official OASIS CAP 1.2 XSD, shipped inside flankwatch (``alert/schema``)."""
    return files("flankwatch.alert").joinpath("schema").joinpath(_SCHEMA_FILE)


@cache
def _schema() -> Any:
    from lxml import etree

    with cap_schema().open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle))


def validate_cap(xml: str | bytes) -> list[str]:
    """The faults of a CAP message against the OASIS CAP 1.2 XSD; empty when valid.

    Each fault is ``line N: message``, N the line of the message's XML.
    """
    from lxml import etree

    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        document = etree.fromstring(data)
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
