"""Beast binary and AVR text framing."""

from __future__ import annotations

import math

import pytest
from adsb_encoders import airborne_position, all_call, avr_line, beast_frame, identification

from flankwatch.io.adsb import ModeSFrames, SkipKind, parse_avr, split_beast
from flankwatch.io.adsb.frames import signal_dbfs

# an address and a timestamp full of 0x1a, so that the frame needs escaping
ESCAPED = identification(0x1A1A1A, "SP1A")
MESSAGES = [ESCAPED, all_call(0x1A2B3C), airborne_position(0x48AE21, 52.0, 21.0, 3000, 0)]
TICKS = [0x1A1A1A1A1A1A, 12_000_000, 0]
LEVELS = [0x1A, 255, 128]


def _stream() -> bytes:
    return b"".join(beast_frame(m, t, s) for m, t, s in zip(MESSAGES, TICKS, LEVELS, strict=True))


def test_beast_round_trip_with_escaped_bytes() -> None:
    frames, skips, tail = split_beast(_stream(), offset=100)
    assert skips == [] and tail == b""
    assert list(frames.message_hex) == MESSAGES
    assert list(frames.mlat_ticks) == TICKS
    assert frames.signal_dbfs[1] == 0.0
    assert frames.signal_dbfs[0] == pytest.approx(20 * math.log10(0x1A / 255))
    first = len(beast_frame(MESSAGES[0], TICKS[0], LEVELS[0]))
    assert list(frames.at[:2]) == [100, 100 + first]


@pytest.mark.parametrize("cut", range(1, 60, 3))
def test_beast_split_anywhere_gives_the_same_frames(cut: int) -> None:
    data = _stream()
    first, skips_a, tail = split_beast(data[:cut])
    consumed = cut - len(tail)
    second, skips_b, rest = split_beast(tail + data[cut:], offset=consumed)
    assert skips_a == skips_b == [] and rest == b""
    joined = ModeSFrames.concat([first, second])
    assert list(joined.message_hex) == MESSAGES
    assert list(joined.mlat_ticks) == TICKS
    whole, _, _ = split_beast(data)
    assert list(joined.at) == list(whole.at)


def test_beast_garbage_mode_ac_and_cut_frames_are_counted_skips() -> None:
    good = beast_frame(MESSAGES[1], 5, 10)
    mode_ac = b"\x1a1" + bytes(7) + b"\x12\x34"
    cut = beast_frame(MESSAGES[2])[:9]  # a frame that stops where the next one begins
    data = b"\x00\xff\x1a\x1a" + good + mode_ac + cut + good + b"\x1a9xyz" + good[:5]
    frames, skips, tail = split_beast(data)
    assert len(frames) == 2
    assert [(s.kind, s.at, s.size) for s in skips] == [
        (SkipKind.FRAMING, 0, 4),
        (SkipKind.UNSUPPORTED, 4 + len(good), len(mode_ac)),
        (SkipKind.FRAMING, 4 + len(good) + len(mode_ac), len(cut)),
        (SkipKind.FRAMING, 4 + 2 * len(good) + len(mode_ac) + len(cut), 5),
    ]
    assert tail == good[:5]


def test_signal_level_is_amplitude_in_dbfs() -> None:
    assert signal_dbfs(255) == 0.0
    assert signal_dbfs(128) == pytest.approx(-5.99, abs=0.01)
    assert math.isnan(signal_dbfs(0))


def test_avr_lines_with_and_without_counter() -> None:
    lines = [avr_line(MESSAGES[0]), avr_line(MESSAGES[1].lower(), mlat_ticks=0xABCDEF012345)]
    frames, skips = parse_avr([line + "\r\n" for line in lines], first_line=10)
    assert skips == []
    assert list(frames.message_hex) == MESSAGES[:2]
    assert list(frames.mlat_ticks) == [0, 0xABCDEF012345]
    assert list(frames.at) == [10, 11]


def test_bad_avr_lines_are_skipped_by_kind() -> None:
    lines = ["", "*8D4840;", "*8D4840D6202CC371C32CE057609G;", "@0012;", "*7700;", "hello"]
    frames, skips = parse_avr(lines)
    assert len(frames) == 0
    assert [(s.kind, s.at) for s in skips] == [
        (SkipKind.SYNTAX, 1),
        (SkipKind.LENGTH, 2),
        (SkipKind.HEX, 3),
        (SkipKind.LENGTH, 4),
        (SkipKind.UNSUPPORTED, 5),
        (SkipKind.SYNTAX, 6),
    ]
