"""Random and corrupted input never raises, and every input unit is a row or a skip."""

from __future__ import annotations

import json

import numpy as np
from adsb_encoders import (
    airborne_position,
    aircraft_json,
    all_call,
    avr_line,
    beast_frame,
    emergency,
    identification,
    sbs_line,
    surveillance_altitude,
    velocity,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from flankwatch.io.adsb import (
    DecoderState,
    ModeSFrames,
    decode_frames,
    parse_aircraft_json,
    parse_avr,
    parse_sbs,
    split_beast,
)

ICAO = 0x4B1805
VALID = [
    airborne_position(ICAO, 47.4, 8.5, 20000, 0),
    airborne_position(ICAO, 47.41, 8.51, 20000, 1),
    identification(ICAO, "SWR12"),
    velocity(ICAO, 200, -100, 640),
    emergency(ICAO, "7600"),
    all_call(ICAO),
    surveillance_altitude(ICAO, 20000),
]


@st.composite
def corrupted_messages(draw: st.DrawFn) -> str:
    """A valid message with some bits flipped, bytes cut or added, or none of that."""
    message = bytearray.fromhex(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(message) * 8 - 1))
        message[position // 8] ^= 0x80 >> (position % 8)
    action = draw(st.sampled_from(["keep", "cut", "add"]))
    if action == "cut":
        message = message[: draw(st.integers(0, len(message)))]
    elif action == "add":
        message += draw(st.binary(min_size=1, max_size=8))
    return message.hex().upper()


messages = st.one_of(corrupted_messages(), st.text(max_size=30))


@settings(max_examples=150, deadline=None)
@given(st.lists(messages, max_size=20), st.booleans())
def test_decoding_any_messages_counts_every_frame(batch: list[str], with_receiver: bool) -> None:
    n = len(batch)
    frames = ModeSFrames.from_lists(batch, [0] * n, [0.0] * n, list(range(n)))
    times = np.sort(np.arange(n) * 0.7)
    receiver = (47.0, 8.0) if with_receiver else None
    reports, skips, _ = decode_frames(frames, times, DecoderState(), receiver)
    assert len(reports) + len(skips) == n
    assert len({s.at for s in skips}) == len(skips)


def _frame_bytes(frames: ModeSFrames) -> int:
    """The wire length of the frames, re-encoded (escaping and all)."""
    total = 0
    for message, ticks, dbfs in zip(
        frames.message_hex, frames.mlat_ticks, frames.signal_dbfs, strict=True
    ):
        level = 0 if np.isnan(dbfs) else round(255 * 10 ** (dbfs / 20))
        total += len(beast_frame(message, int(ticks), level))
    return total


beast_pieces = st.one_of(
    st.binary(max_size=12),
    st.builds(beast_frame, st.sampled_from(VALID), st.integers(0, 2**48 - 1), st.integers(0, 255)),
    st.just(b"\x1a"),
    st.just(b"\x1a\x1a"),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(beast_pieces, max_size=20), st.integers(0, 10**9))
def test_every_beast_byte_is_in_a_frame_a_skip_or_the_tail(
    pieces: list[bytes], offset: int
) -> None:
    data = b"".join(pieces)
    frames, skips, tail = split_beast(data, offset)
    assert _frame_bytes(frames) + sum(s.size for s in skips) + len(tail) == len(data)
    assert data.endswith(tail)
    starts = sorted([*frames.at.tolist(), *(s.at for s in skips)])
    assert all(offset <= a < offset + len(data) for a in starts)
    reports, decode_skips, _ = decode_frames(frames, 0.0, DecoderState())
    assert len(reports) + len(decode_skips) == len(frames)


avr_lines = st.one_of(
    st.text(max_size=40),
    st.builds(avr_line, messages),
    st.builds(avr_line, messages, st.integers(0, 2**48 - 1)),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(avr_lines, max_size=12), st.integers(1, 10**6))
def test_avr_lines_are_frames_or_skips(lines: list[str], first: int) -> None:
    frames, skips = parse_avr(lines, first_line=first)
    assert len(frames) + len(skips) == len(lines)
    assert sorted([*frames.at.tolist(), *(s.at for s in skips)]) == list(
        range(first, first + len(lines))
    )


sbs_lines = st.one_of(
    st.text(max_size=60),
    st.builds(
        sbs_line,
        st.integers(0, 2**24 - 1),
        st.integers(-1, 10),
        st.sampled_from(["MSG", "MLAT", "SEL", "XYZ"]),
        callsign=st.text(alphabet="ABC123 ,", max_size=8),
        altitude=st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=4)),
        lat=st.one_of(st.none(), st.floats(-100, 100)),
        lon=st.one_of(st.none(), st.floats(-200, 200)),
        squawk=st.one_of(st.none(), st.text(alphabet="0123456789", max_size=5)),
    ),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(sbs_lines, max_size=12))
def test_sbs_lines_are_rows_or_skips(lines: list[str]) -> None:
    reports, skips = parse_sbs(lines, t_s=5.0)
    assert len(reports) + len(skips) == len(lines)
    assert (reports.t_s == 5.0).all()


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
entry_keys = st.sampled_from(
    ["hex", "type", "flight", "alt_baro", "gs", "track", "lat", "lon", "nic", "squawk", "seen"]
)
entries = st.one_of(json_values, st.dictionaries(entry_keys, json_values, max_size=8))


@settings(max_examples=50, deadline=None)
@given(st.lists(entries, max_size=6))
def test_aircraft_entries_are_rows_or_skips(aircraft: list[object]) -> None:
    document = aircraft_json(aircraft)  # type: ignore[arg-type]
    reports, skips = parse_aircraft_json(document, now_s=0.0)
    assert len(reports) + len(skips) == len(aircraft)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=100), st.text(max_size=100), json_values.map(json.dumps)))
def test_any_document_never_raises(document: bytes | str) -> None:
    reports, skips = parse_aircraft_json(document, now_s=0.0)
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    aircraft = parsed.get("aircraft") if isinstance(parsed, dict) else None
    expected = len(aircraft) if isinstance(aircraft, list) else 1
    assert len(reports) + len(skips) == expected
