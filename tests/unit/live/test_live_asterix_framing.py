"""Cutting ASTERIX streams into data blocks: garbage, corrupt lengths and cut blocks are
passed over and the blocks after them found again."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from live_feeds import FLIGHTS

from flankwatch.deployment import Deployment, Origin
from flankwatch.io.adsb import SkipKind
from flankwatch.live import LiveSource, parse_input
from flankwatch.live.asterix_framing import MAX_HELD_BYTES, frame
from flankwatch.stream import PlotBatch

sys.path.insert(0, str(Path(__file__).parent))

from test_live_asterix import START, _cat062, _decoder  # noqa: E402

BLOCKS = [block for t in range(20) for block in _cat062(np.array([float(t)]))]
"""Twenty CAT062 data blocks, one a second, each with a record of every flight."""
DATA = b"".join(BLOCKS)


def _starts() -> list[int]:
    return np.cumsum([0] + [len(b) for b in BLOCKS]).tolist()


def _plots(data: bytes, piece: int | None = None) -> tuple[PlotBatch, list]:
    """The plots and skips of ``data`` fed whole, or in pieces of ``piece`` bytes."""
    decoder = _decoder()
    found, skips = [], []
    for k in range(0, len(data), piece or len(data)):
        _, more = decoder.feed(data[k : k + (piece or len(data))], None)
        found.append(decoder.plots)
        skips += more
    _, more = decoder.end(None)
    return PlotBatch.concat([*found, decoder.plots]), skips + more


def test_whole_blocks_are_framed_as_they_are() -> None:
    for final in (True, False):
        framed = frame(DATA, final)
        assert framed.spans == [(0, len(DATA))] and not framed.passed
        assert framed.used == len(DATA)
    # a block not yet whole waits for the rest of the stream; at its end it is passed over
    cut = DATA[: _starts()[3] + 10]
    assert frame(cut, final=False).used == _starts()[3]
    assert frame(cut, final=True).passed == [(_starts()[3], len(cut))]


def test_garbage_before_the_first_block_costs_nothing_else() -> None:
    garbage = b"\x00\x01garbage! \x3e\x00"
    plots, skips = _plots(garbage + DATA)
    assert len(plots) == 20 * len(FLIGHTS)
    assert [(s.kind, s.at, s.size) for s in skips] == [(SkipKind.FRAMING, 0, len(garbage))]


def test_a_corrupt_block_length_costs_at_most_its_own_block() -> None:
    starts = _starts()
    for length in (0, 3, 40, 5000, 65535):
        bad = bytearray(DATA)
        bad[starts[5] + 1 : starts[5] + 3] = length.to_bytes(2, "big")
        plots, skips = _plots(bytes(bad))
        counts = np.bincount(plots.t_s.astype(int), minlength=20)
        # every other block whole; of the bad one, what its length still held
        assert np.delete(counts, 5).tolist() == [len(FLIGHTS)] * 19, length
        assert counts[5] < len(FLIGHTS)
        # every skip lies within the bad block (a few of its bytes may pass for a small block
        # of another category, skipped as such)
        assert skips and all(starts[5] <= s.at < starts[6] for s in skips), skips
        assert SkipKind.FRAMING in {s.kind for s in skips} or counts[5], skips


def test_garbage_between_blocks_costs_at_most_the_block_before_it_in_any_pieces() -> None:
    starts = _starts()
    garbage = bytes(range(7, 60))
    data = DATA[: starts[8]] + garbage + DATA[starts[8] :]
    whole, skips = _plots(data)
    assert len(whole) >= 19 * len(FLIGHTS)
    assert SkipKind.FRAMING in {s.kind for s in skips}
    for piece in (1, 7, 64, 1000):
        plots, _ = _plots(data, piece)
        assert len(plots) >= 19 * len(FLIGHTS), piece


def test_an_asterix_file_with_garbage_at_its_head_is_read_from_its_first_block(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tracks.ast"
    path.write_bytes(b"\xffnot asterix\x00" + DATA)
    deployment = Deployment(name="t", start=START, origin=Origin(lat=52.0, lon=21.0))
    with LiveSource([parse_input(f"asterix@file://{path}")], deployment, batch_s=5.0) as source:
        windows = [window for window, _ in source.windows()]
    assert source.info.deployment.start == START
    assert sum(len(w.plots) for w in windows) == 20 * len(FLIGHTS)
    assert dict(source.stats[0].skips) == {"framing": 1}


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400), final=st.booleans(), at=st.integers(0, len(DATA)))
def test_every_byte_is_framed_or_passed_over_or_waits(data: bytes, final: bool, at: int) -> None:
    stream = DATA[:at] + data + DATA[at:]
    framed = frame(stream, final)
    parts = sorted(framed.spans + framed.passed)
    assert all(a < b for a, b in parts)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(parts, parts[1:], strict=False))
    covered = sum(b - a for a, b in parts)
    assert covered == framed.used and (framed.used == len(stream) or not final)
    assert framed.used >= len(stream) - 3 * 65_535 - 2


def test_a_stream_of_something_else_is_never_held_past_the_bound() -> None:
    # a block header every 60,000 bytes whose blocks run past what has come: before, the
    # decoder waited for ever, holding the whole stream (2.4 MB of 2.4 MB fed)
    unit = b"\x3e\xff\xff" + bytes(60_000)
    decoder = _decoder()
    most = 0
    for _ in range(40):
        for k in range(0, len(unit), 4096):
            decoder.feed(unit[k : k + 4096], None)
            most = max(most, len(decoder.buffer))
    assert most <= MAX_HELD_BYTES + 65_535 + 4096
    assert not len(decoder.plots)
