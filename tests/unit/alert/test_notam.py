"""NOTAMs in the ICAO format: numbers, the Q) line, items A) to E), citations, templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from flankwatch.alert.base import Target
from flankwatch.alert.notam import NotamBook, notam_time, q_position
from flankwatch.alert.ruleset import AlertRuleError, NotamRule, parse_rules

EPWA = Target("Warsaw Chopin Airport", "airport", 52.1657, 20.9671, np.zeros(3), 0.0, icao="EPWA")
WHEN = datetime(2025, 9, 10, 0, 15, tzinfo=UTC)


def test_times_are_utc_year_month_day_hour_minute() -> None:
    assert notam_time(datetime(2025, 9, 10, 1, 45, tzinfo=timezone(timedelta(hours=2)))) == (
        "2509092345"
    )
    with pytest.raises(ValueError, match="no time zone"):
        notam_time(datetime(2025, 9, 10))  # noqa: DTZ001 (a naive time on purpose)


@pytest.mark.parametrize(
    ("lat_deg", "lon_deg", "radius_nm", "text"),
    [
        (52.1657, 20.9671, 5, "5210N02058E005"),
        (50.11, 22.019, 12, "5007N02201E012"),
        (-33.9461, -118.4, 100, "3357S11824W100"),
        (51.9999, 0.0, 5, "5200N00000E005"),
    ],
)
def test_the_q_position_is_degrees_and_minutes_and_a_radius(
    lat_deg: float, lon_deg: float, radius_nm: int, text: str
) -> None:
    assert q_position(lat_deg, lon_deg, radius_nm) == text


def test_a_closure_a_replacement_and_a_cancellation_cite_each_other() -> None:
    book = NotamBook(NotamRule(series="B", first_number=123))
    new = book.closed(EPWA, WHEN, "UNKNOWN AIRBORNE OBJECTS", 30_000.0)
    replaced = book.closed(
        EPWA, WHEN + timedelta(minutes=5), "HOSTILE AIRBORNE OBJECTS", 30_000.0, new.number
    )
    cancelled = book.reopened(
        EPWA, WHEN + timedelta(hours=2), "HOSTILE AIRBORNE OBJECTS", 30_000.0, replaced.number
    )
    assert new.text().splitlines() == [
        "B0123/25 NOTAMN",
        "Q) EPWW/QFALC/IV/NBO/A/000/999/5210N02058E005",
        "A) EPWA B) 2509100015 C) UFN",
        "E) AD CLSD DUE TO UNKNOWN AIRBORNE OBJECTS. AIRSPACE SAFETY MEASURES IN FORCE.",
    ]
    assert replaced.text().splitlines()[0] == "B0124/25 NOTAMR B0123/25"
    assert replaced.text().splitlines()[2] == "A) EPWA B) 2509100020 C) UFN"
    assert cancelled.text().splitlines() == [
        "B0125/25 NOTAMC B0124/25",
        "Q) EPWW/QFAAK/IV/NBO/A/000/999/5210N02058E005",
        "A) EPWA B) 2509100215",
        "E) AD OPEN. CLOSURE DUE TO HOSTILE AIRBORNE OBJECTS CANCELLED.",
    ]


def test_numbers_start_again_in_a_new_year_and_stop_at_9999() -> None:
    book = NotamBook(NotamRule(first_number=9998))
    assert book.number(datetime(2025, 12, 31, 23, 59, tzinfo=UTC)) == "A9998/25"
    assert book.number(datetime(2026, 1, 1, 0, 1, tzinfo=UTC)) == "A9998/26"
    assert book.number(datetime(2025, 12, 31, 23, 59, tzinfo=UTC)) == "A9999/25"
    with pytest.raises(ValueError, match="full"):
        book.number(datetime(2025, 12, 31, 23, 59, tzinfo=UTC))


def test_the_q_line_and_item_e_follow_the_rules() -> None:
    rule = NotamRule(
        fir="EPXX",
        fir_by_aerodrome={"EPWA": "EPWW"},
        lower_fl=0,
        upper_fl=150,
        radius_nm=16,
        closed_text="ad clsd   due to {reason} wi {distance_km}km ({distance_nm}nm) of {aerodrome}",
    )
    book = NotamBook(rule)
    notam = book.closed(EPWA, WHEN, "drones", 30_000.0)
    assert notam.q_line == "EPWW/QFALC/IV/NBO/A/000/150/5210N02058E016"
    assert notam.item_e == "AD CLSD DUE TO DRONES WI 30KM (16NM) OF EPWA"
    other = Target("Other", "airport", 50.0, 20.0, np.zeros(3), 0.0, icao="EPKK")
    assert book.q_line(other, "QFALC").startswith("EPXX/QFALC/")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("notam: {series: AB}", "notam.series"),
        ("notam: {fir: epww}", "notam.fir"),
        ("notam: {closed_text: 'AD CLSD {track_id}'}", "notam.closed_text"),
        ("notam: {reopened_text: 'AD OPEN {'}", "notam.reopened_text"),
        ("notam: {lower_fl: 200, upper_fl: 100}", "notam"),
        ("notam: {fir_by_aerodrome: {EPWA: epww}}", "notam.fir_by_aerodrome"),
        ("notam: {closed_code: XFALC}", "notam.closed_code"),
        ("airports: {reach_probability: 1.5}", "airports.reach_probability"),
        ("airports: {persist_updates: 0}", "airports.persist_updates"),
    ],
)
def test_bad_notam_and_airport_rules_are_named(text: str, field: str) -> None:
    with pytest.raises(AlertRuleError) as raised:
        parse_rules(text, "rules.yaml")
    message = str(raised.value)
    assert "rules.yaml" in message and field in message


def test_a_template_cannot_name_a_track() -> None:
    with pytest.raises(ValueError, match="track"):
        NotamRule(closed_text="AD CLSD DUE TO TRACK {track}")
