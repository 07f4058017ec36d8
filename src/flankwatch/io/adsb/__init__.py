"""ADS-B and Mode S from civil receivers (dump1090, readsb): pure decoders from bytes or
text to :class:`AdsbReports` columns, each returning its skipped input as
:class:`Skip` records instead of raising.

- Beast binary: :func:`split_beast`, then :func:`decode_frames`;
- AVR text lines: :func:`parse_avr`, then :func:`decode_frames`;
- SBS BaseStation CSV lines: :func:`parse_sbs`;
- ``aircraft.json`` documents: :func:`parse_aircraft_json`.

Positions of Mode S messages need memory between calls: :class:`DecoderState` goes
in and comes out of :func:`decode_frames`.
"""

from flankwatch.io.adsb.columns import AdsbReports, AdsbSource
from flankwatch.io.adsb.errors import Skip, SkipKind, count_skips
from flankwatch.io.adsb.frames import ModeSFrames, parse_avr, split_beast
from flankwatch.io.adsb.modes import decode_frames
from flankwatch.io.adsb.positions import DecoderState
from flankwatch.io.adsb.readsb_json import parse_aircraft_json
from flankwatch.io.adsb.sbs import parse_sbs

__all__ = [
    "AdsbReports",
    "AdsbSource",
    "DecoderState",
    "ModeSFrames",
    "Skip",
    "SkipKind",
    "count_skips",
    "decode_frames",
    "parse_aircraft_json",
    "parse_avr",
    "parse_sbs",
    "split_beast",
]
