"""Decoding datagrams: CAT048 and CAT021 records built by libasterix, framing, skips."""

from __future__ import annotations

import math

import numpy as np
import pytest
from asterix_records import CAT021, CAT048, CAT062, FT, NM, block, cat021, cat048

from flankwatch.io.asterix import EDITIONS, SkipKind, count_skips, decode
from flankwatch.io.asterix.items import Quantity, element_class
from flankwatch.io.asterix.records import READERS

# half a step of each item, in the decoded unit
HALF_RHO_M = NM / 256 / 2
HALF_ANGLE_RAD = math.radians(360 / 2**16) / 2
HALF_TOD_S = 1 / 128 / 2


def test_cat048_plot_values() -> None:
    record = cat048(
        sac=9,
        sic=17,
        tod_s=45_296.25,
        range_m=123_456.0,
        azimuth_deg=271.5,
        fl=355.25,
        height_m=9_000.0,
        squawk="7612",
        address=0x3C6DD4,
        callsign="DLH4AB",
        track_number=4001,
        speed_mps=240.0,
        heading_deg=12.0,
        report_type=5,
    )
    decoded = decode(block(CAT048, [record]))
    assert decoded.skips == ()
    plots = decoded.cat048
    assert len(plots) == 1 and len(decoded.cat021) == 0 and len(decoded.cat062) == 0
    assert (plots.sac[0], plots.sic[0]) == (9, 17)
    assert plots.tod_s[0] == pytest.approx(45_296.25, abs=HALF_TOD_S)
    assert plots.range_m[0] == pytest.approx(123_456.0, abs=HALF_RHO_M)
    assert plots.azimuth_rad[0] == pytest.approx(math.radians(271.5), abs=HALF_ANGLE_RAD)
    assert plots.alt_baro_m[0] == pytest.approx(355.25 * 100 * FT)
    assert plots.height_m[0] == pytest.approx(9_000.0, abs=25 * FT / 2)
    assert plots.squawk[0] == 7612
    assert plots.icao24[0] == 0x3C6DD4
    assert plots.callsign[0] == "DLH4AB"
    assert plots.track_number[0] == 4001
    assert plots.ground_speed_mps[0] == pytest.approx(240.0, abs=NM * 2**-14 / 2)
    assert plots.heading_rad[0] == pytest.approx(math.radians(12.0), abs=HALF_ANGLE_RAD)
    assert plots.report_type[0] == 5


def test_cat048_absent_items_take_missing_values() -> None:
    record = cat048(fl=None, squawk=None, report_type=None)
    plots = decode(block(CAT048, [record])).cat048
    assert math.isnan(plots.alt_baro_m[0]) and math.isnan(plots.height_m[0])
    assert math.isnan(plots.ground_speed_mps[0]) and math.isnan(plots.heading_rad[0])
    assert plots.squawk[0] == 0 and plots.icao24[0] == 0 and plots.callsign[0] == ""
    assert plots.track_number[0] == -1 and plots.report_type[0] == -1
    assert not plots.mode5[0] and plots.mode5_pin[0] == 0


@pytest.mark.parametrize(
    ("summary", "replied"),
    [((1, 1, 0), True), ((1, 0, 1), True), ((1, 0, 0), False), ((0, 1, 0), False)],
)
def test_cat048_mode5_reply_and_pin_from_the_reserved_expansion_field(
    summary: tuple[int, int, int], replied: bool
) -> None:
    """An authenticated Mode 5 reply (M5 with ID or DA, I048/RE MD5) gives ``mode5`` and
    its PIN; an interrogation without an authenticated reply, or no interrogation, gives
    neither."""
    record = cat048(mode5=(*summary, 16383 if replied else 77))
    decoded = decode(block(CAT048, [record, cat048()]))
    assert decoded.skips == ()
    plots = decoded.cat048
    assert plots.mode5.tolist() == [replied, False]
    assert plots.mode5_pin.tolist() == [16383 if replied else 0, 0]


def test_an_unreadable_reserved_expansion_field_skips_its_record() -> None:
    """A Reserved Expansion Field whose content is not the expansion's layout is counted
    as a skip of its record, and the next record is still read."""
    broken = cat048(drop=("RE",))
    items = {name: broken.get_item(name) for name in ("010", "140", "040")}
    record = CAT048.cv_record.create(
        {**{k: v.variation for k, v in items.items() if v is not None}, "RE": b"\xff"}
    )
    decoded = decode(block(CAT048, [record, cat048()]))
    assert len(decoded.cat048) == 1
    assert [skip.kind for skip in decoded.skips] == [SkipKind.RECORD]
    assert "I048/RE" in decoded.skips[0].message


@pytest.mark.parametrize("flags", [(1, 0), (0, 1)])
def test_cat048_flight_level_not_validated_or_garbled_is_dropped(flags: tuple[int, int]) -> None:
    plots = decode(block(CAT048, [cat048(fl=100.0, flags_090=flags)])).cat048
    assert math.isnan(plots.alt_baro_m[0])


def test_negative_flight_level_is_signed() -> None:
    plots = decode(block(CAT048, [cat048(fl=-10.5)])).cat048
    assert plots.alt_baro_m[0] == pytest.approx(-10.5 * 100 * FT)


def test_cat021_report_values() -> None:
    record = cat021(
        tod_s=86_399.5,
        lat_deg=-33.9461,
        lon_deg=151.1772,
        alt_geom_m=11_000.0,
        fl=360.0,
        address=0x7C4775,
        callsign="QFA1",
        squawk="4421",
        speed_mps=250.0,
        track_deg=300.0,
        geometric_rate_mps=10.0,
        track_number=77,
    )
    reports = decode(block(CAT021, [record])).cat021
    assert len(reports) == 1
    assert (reports.sac[0], reports.sic[0]) == (3, 4)
    assert reports.tod_s[0] == pytest.approx(86_399.5, abs=HALF_TOD_S)
    assert reports.lat_deg[0] == pytest.approx(-33.9461, abs=180 / 2**30 / 2)
    assert reports.lon_deg[0] == pytest.approx(151.1772, abs=180 / 2**30 / 2)
    assert reports.alt_geom_m[0] == pytest.approx(11_000.0, abs=6.25 * FT / 2)
    assert reports.alt_baro_m[0] == pytest.approx(36_000 * FT)
    assert reports.icao24[0] == 0x7C4775
    assert reports.callsign[0] == "QFA1"
    assert reports.squawk[0] == 4421
    assert reports.ground_speed_mps[0] == pytest.approx(250.0, abs=NM * 2**-14 / 2)
    assert reports.track_rad[0] == pytest.approx(math.radians(300.0), abs=HALF_ANGLE_RAD)
    assert reports.vertical_rate_mps[0] == pytest.approx(10.0, abs=6.25 * FT / 60 / 2)
    assert reports.track_number[0] == 77


def test_cat021_low_resolution_position_and_other_time_items() -> None:
    record = cat021(tod_item="071", tod_s=10.0, high_resolution=False, lat_deg=45.5)
    reports = decode(block(CAT021, [record])).cat021
    assert reports.tod_s[0] == pytest.approx(10.0)
    assert reports.lat_deg[0] == pytest.approx(45.5, abs=180 / 2**23 / 2)
    sent = decode(block(CAT021, [cat021(tod_item="077", tod_s=20.0)])).cat021
    assert sent.tod_s[0] == pytest.approx(20.0)


def test_cat021_flagged_speed_and_barometric_rate() -> None:
    record = cat021(speed_flagged=True, geometric_rate_mps=None, barometric_rate_mps=-3.0)
    reports = decode(block(CAT021, [record])).cat021
    assert math.isnan(reports.ground_speed_mps[0])
    assert reports.vertical_rate_mps[0] == pytest.approx(-3.0, abs=6.25 * FT / 60 / 2)


def test_several_records_per_block_and_blocks_per_datagram_keep_order() -> None:
    first = block(CAT048, [cat048(tod_s=1.0), cat048(tod_s=2.0), cat048(tod_s=3.0)])
    adsb = block(CAT021, [cat021(tod_s=4.0), cat021(tod_s=5.0)])
    second = block(CAT048, [cat048(tod_s=6.0)])
    decoded = decode(first + adsb + second)
    assert decoded.skips == ()
    np.testing.assert_allclose(decoded.cat048.tod_s, [1.0, 2.0, 3.0, 6.0])
    np.testing.assert_allclose(decoded.cat021.tod_s, [4.0, 5.0])


def test_unknown_category_is_skipped_with_its_offset() -> None:
    plots = block(CAT048, [cat048()])
    other = bytes([34, 0, 7, 0xC0, 1, 2, 1])  # a CAT034 north marker
    decoded = decode(plots + other + plots, offset=1000)
    assert len(decoded.cat048) == 2
    assert [(s.kind, s.at, s.size, s.category) for s in decoded.skips] == [
        (SkipKind.CATEGORY, 1000 + len(plots), 7, 34)
    ]


@pytest.mark.parametrize(
    "tail", [b"\x30", b"\x30\x00", b"\x30\x00\x02", b"\x30\x00\x09\x01", b"\x30\xff\xff"]
)
def test_bad_block_framing_skips_the_rest_of_the_datagram(tail: bytes) -> None:
    plots = block(CAT048, [cat048()])
    decoded = decode(plots + tail)
    assert len(decoded.cat048) == 1
    (skip,) = decoded.skips
    assert (skip.kind, skip.at, skip.size) == (SkipKind.BLOCK, len(plots), len(tail))


def test_record_that_does_not_parse_skips_the_rest_of_its_block() -> None:
    good = cat048(tod_s=1.0).unparse().to_bytes()  # type: ignore[attr-defined]
    cut = cat048(tod_s=2.0).unparse().to_bytes()[:-2]  # type: ignore[attr-defined]
    body = good + cut
    data = bytes([48]) + (3 + len(body)).to_bytes(2, "big") + body
    decoded = decode(data + block(CAT048, [cat048(tod_s=3.0)]))
    np.testing.assert_allclose(decoded.cat048.tod_s, [1.0, 3.0])
    (skip,) = decoded.skips
    assert skip.kind == SkipKind.RECORD and skip.category == 48
    assert (skip.at, skip.size) == (3 + len(good), len(cut))


def test_fspec_past_the_last_item_is_a_record_skip() -> None:
    # every FSPEC bit set, FX too, for more octets than CAT048 defines
    body = bytes([0xFF] * 6 + [0xFE]) + bytes(40)
    data = bytes([48]) + (3 + len(body)).to_bytes(2, "big") + body
    decoded = decode(data)
    assert len(decoded.cat048) == 0
    assert [s.kind for s in decoded.skips] == [SkipKind.RECORD]


def test_records_without_time_or_position_are_missing() -> None:
    records = [cat048(drop=("140",)), cat048(drop=("040",)), cat048(drop=("010",)), cat048()]
    decoded = decode(block(CAT048, records))
    assert len(decoded.cat048) == 1
    assert count_skips(decoded.skips) == {SkipKind.MISSING: 3}
    assert "I048/140" in decoded.skips[0].message
    sizes = [len(r.unparse().to_bytes()) for r in records]  # type: ignore[attr-defined]
    assert [s.at for s in decoded.skips] == [3, 3 + sizes[0], 3 + sizes[0] + sizes[1]]


def test_values_outside_their_defined_range_are_skipped() -> None:
    late = cat048(tod_s=90_000.0)  # the 24-bit item holds up to 131072 s
    off_earth = cat021(lat_deg=120.0)
    decoded = decode(block(CAT048, [late]) + block(CAT021, [off_earth, cat021()]))
    assert len(decoded.cat048) == 0 and len(decoded.cat021) == 1
    assert count_skips(decoded.skips) == {SkipKind.RANGE: 2}


def test_cat062_without_track_number_is_missing() -> None:
    record = CAT062.cv_record.create(
        {"010": (("SAC", 1), ("SIC", 2)), "070": (1.0, "s"), "100": (("X", 0), ("Y", 0))}
    )
    decoded = decode(block(CAT062, [record]))
    assert len(decoded.cat062) == 0
    assert "I062/040" in decoded.skips[0].message


def test_other_edition_is_used_when_asked() -> None:
    older = EDITIONS[48]["1.27"]
    record = older.cv_record.create({"010": 0x0102, "140": (5.0, "s"), "040": 0})
    decoded = decode(block(older, [record]), editions={48: "1.27"})
    assert decoded.cat048.tod_s.tolist() == [5.0]


@pytest.mark.parametrize("editions", [{48: "9.9"}, {34: "1.29"}])
def test_unsupported_editions_are_refused_by_name(editions: dict[int, str]) -> None:
    with pytest.raises(ValueError, match="not supported"):
        decode(b"", editions=editions)


# every item path the readers and the encoder use, by category
PATHS = {
    48: [("010", "SAC"), ("140",), ("040", "RHO"), ("040", "THETA"), ("070", "MODE3A"),
         ("090", "FL"), ("090", "V"), ("090", "G"), ("110", "3DH"), ("220",), ("240",),
         ("161", "TRN"), ("200", "GSP"), ("200", "HDG"), ("020", "TYP")],
    21: [("010", "SIC"), ("073",), ("071",), ("077",), ("130", "LAT"), ("131", "LON"),
         ("140",), ("145",), ("080",), ("170",), ("070", "MODE3A"), ("160", "GS"),
         ("160", "TA"), ("157", "GVR"), ("155", "BVR"), ("161", "TRNUM")],
    62: [("010", "SAC"), ("070",), ("040",), ("105", "LAT"), ("100", "X"), ("185", "VY"),
         ("130",), ("135", "CTB"), ("220",), ("060", "MODE3A"), ("380", "ADR"), ("380", "ID"),
         ("245", "CHR"), ("080", "CNF"), ("080", "TSE"), ("080", "CST")],
}  # fmt: skip


@pytest.mark.parametrize(("category", "name"), [(c, n) for c in EDITIONS for n in EDITIONS[c]])
def test_every_supported_edition_has_the_items_read(category: int, name: str) -> None:
    spec = EDITIONS[category][name]
    assert spec.cv_category == category
    assert category in READERS
    for path in PATHS[category]:
        element_class(spec, path)
    assert Quantity.of(spec, PATHS[category][1]).unit == "s"  # the time of day
