"""Property tests: bad bytes never raise, every row is sent or refused, round trips hold."""

from __future__ import annotations

import math

import numpy as np
from asterix_records import CAT021, CAT048, FT, block, cat021, cat048
from hypothesis import given, settings
from hypothesis import strategies as st

from flankwatch.io.asterix import Cat062Tracks, Decoded, SkipKind, decode, encode_cat062

SETTINGS = settings(max_examples=150, deadline=None)

VALID = (
    block(CAT048, [cat048(tod_s=1.0, address=0xABCDEF, callsign="AB12", track_number=9)])
    + block(CAT021, [cat021(), cat021(tod_s=2.0, track_number=3)])
    + block(CAT048, [cat048(tod_s=3.0, speed_mps=100.0), cat048(tod_s=4.0, height_m=500.0)])
)
"""A datagram of three blocks and five records."""


def _check(decoded: Decoded, data: bytes) -> None:
    """Skips lie inside the data and rows have their columns' dtypes."""
    for skip in decoded.skips:
        assert 0 <= skip.at and skip.at + skip.size <= len(data), skip
        assert skip.size >= 1 and skip.message
    for batch in (decoded.cat048, decoded.cat021, decoded.cat062):
        for name, dtype in batch.DTYPES.items():
            assert getattr(batch, name).dtype == dtype


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data: bytes) -> None:
    _check(decode(data), data)


@SETTINGS
@given(st.sampled_from([21, 48, 62, 34]), st.binary(max_size=120))
def test_random_records_in_well_framed_blocks_never_raise(category: int, body: bytes) -> None:
    data = bytes([category]) + (3 + len(body)).to_bytes(2, "big") + body
    decoded = decode(data)
    _check(decoded, data)
    if category == 34:
        assert [s.kind for s in decoded.skips] == [SkipKind.CATEGORY]
    else:
        # a block's records either become rows or are skipped, and a record skip ends it
        kinds = [s.kind for s in decoded.skips]
        assert SkipKind.RECORD not in kinds[:-1]


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=6),
    st.integers(0, len(VALID)),
)
def test_corrupted_datagrams_never_raise(changes: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(VALID)
    for index, value in changes:
        data[index] = value
    corrupted = bytes(data[:cut])
    _check(decode(corrupted), corrupted)


def test_uncorrupted_datagram_decodes_whole() -> None:
    decoded = decode(VALID)
    assert decoded.skips == () and len(decoded.cat048) == 3 and len(decoded.cat021) == 2


FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e5, 1e5),
)


@st.composite
def track_rows(draw: st.DrawFn) -> dict[str, object]:
    """A track row with any values: in range, out of range, NaN or infinite."""
    return {
        "sac": draw(st.integers(0, 255)),
        "sic": draw(st.integers(0, 255)),
        "tod_s": draw(st.one_of(st.floats(0.0, 86_399.99), FLOATS)),
        "track_number": draw(st.integers(-10, 70_000)),
        "lat_deg": draw(st.one_of(st.floats(-90.0, 90.0), FLOATS)),
        "lon_deg": draw(st.one_of(st.floats(-180.0, 180.0), FLOATS)),
        "x_m": draw(st.one_of(st.floats(-4e6, 4e6), FLOATS)),
        "y_m": draw(st.one_of(st.floats(-4e6, 4e6), FLOATS)),
        "vx_mps": draw(FLOATS),
        "vy_mps": draw(FLOATS),
        "alt_geom_m": draw(FLOATS),
        "alt_baro_m": draw(FLOATS),
        "vertical_rate_mps": draw(FLOATS),
        "squawk": draw(st.integers(-1, 9999)),
        "icao24": draw(st.integers(0, 2**25)),
        "callsign": draw(st.text(max_size=10)),
        "tentative": draw(st.booleans()),
        "coasting": draw(st.booleans()),
        "ended": draw(st.booleans()),
    }


# half a step of each CAT062 quantity, SI (deg for latitude and longitude)
HALF_STEP = {
    "tod_s": 1 / 256,
    "lat_deg": 180 / 2**25 / 2,
    "lon_deg": 180 / 2**25 / 2,
    "x_m": 0.25,
    "y_m": 0.25,
    "vx_mps": 0.125,
    "vy_mps": 0.125,
    "alt_geom_m": 6.25 * FT / 2,
    "alt_baro_m": 25 * FT / 2,
    "vertical_rate_mps": 6.25 * FT / 60 / 2,
}


@settings(max_examples=100, deadline=None)
@given(st.lists(track_rows(), max_size=8))
def test_every_row_is_sent_or_refused_and_sent_values_come_back(rows: list[dict]) -> None:
    tracks = Cat062Tracks.from_rows(rows)
    encoded = encode_cat062(tracks)
    assert encoded.records + len(encoded.refused) == len(tracks)
    decoded = decode(b"".join(encoded.blocks))
    assert decoded.skips == ()
    back = decoded.cat062
    sent = np.setdiff1d(np.arange(len(tracks)), [skip.at for skip in encoded.refused])
    assert len(back) == len(sent)
    sent_rows = tracks.take(sent)
    assert back.track_number.tolist() == sent_rows.track_number.tolist()
    for name, half in HALF_STEP.items():
        for given_value, got in zip(getattr(sent_rows, name), getattr(back, name), strict=True):
            if math.isnan(got):
                continue  # absent, or left out and counted
            if name == "tod_s" and got == 0.0 and given_value > 86_399.0:
                continue  # rounded up to midnight
            assert abs(got - given_value) <= half * (1 + 1e-9), (name, given_value, got)
    omitted = sum(encoded.omitted.values())
    left_out = sum(
        int(math.isfinite(a) and math.isnan(b))
        for name in ("alt_geom_m", "alt_baro_m", "vertical_rate_mps")
        for a, b in zip(getattr(sent_rows, name), getattr(back, name), strict=True)
    )
    assert left_out <= omitted
