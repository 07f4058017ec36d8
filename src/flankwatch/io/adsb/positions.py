"""Streaming position decoding: what is remembered of each aircraft between messages.

A position is decoded from the current frame and earlier ones only, never a later
one, so that a report made at frame *k* does not change when frames after *k* arrive:

1. global: the current airborne frame with the latest frame of the other parity, if
   that one is at most :data:`PAIR_MAX_S` older (the current frame is the later one);
2. local against the aircraft's last decoded position, if at most :data:`FIX_MAX_S` old;
3. local against the receiver's position, if the caller gives it (right only for
   aircraft within about 300 km of the receiver: half a CPR zone);
4. otherwise no position yet.

Surface frames are decoded only by 2 or 3 (their zones are 90 degrees wide).

The memory is explicit: :class:`DecoderState` goes into each decoding call and a new
one comes out; the one passed in is never changed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from flankwatch.io.adsb import cpr

PAIR_MAX_S = 10.0
"""Longest time between the even and odd frame of a global decoding, s (Doc 9871)."""
FIX_MAX_S = 60.0
"""Oldest last position still used as the reference of a local decoding, s."""
FORGET_S = 300.0
"""An aircraft not heard for this long is forgotten by :meth:`DecoderState.pruned`, s."""


@dataclass(frozen=True, slots=True)
class CprFrame:
    """One received CPR position: its coordinates, its time (s) and whether on the surface."""

    lat_cpr: int
    lon_cpr: int
    t_s: float
    surface: bool


@dataclass(frozen=True, slots=True)
class AircraftMemory:
    """What is remembered of one aircraft.

    ``even`` and ``odd`` are the latest frames of each parity; ``lat_deg``,
    ``lon_deg`` the last decoded position (NaN if none) at ``fix_t_s``; ``heard_t_s``
    the last time a message with a checked address came from it (s; NaN if never).
    """

    even: CprFrame | None = None
    odd: CprFrame | None = None
    lat_deg: float = math.nan
    lon_deg: float = math.nan
    fix_t_s: float = math.nan
    heard_t_s: float = math.nan

    def last_t_s(self) -> float:
        """The latest time anything was learnt about the aircraft, s."""
        times = [self.heard_t_s, self.fix_t_s]
        times += [f.t_s for f in (self.even, self.odd) if f is not None]
        finite = [t for t in times if not math.isnan(t)]
        return max(finite) if finite else -math.inf


@dataclass(frozen=True, slots=True)
class DecoderState:
    """Memory of every aircraft, by 24-bit address, between decoding calls."""

    aircraft: Mapping[int, AircraftMemory] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, icao24: int) -> AircraftMemory:
        """The memory of one aircraft (an empty one if it was never heard)."""
        return self.aircraft.get(icao24, _EMPTY)

    def with_aircraft(self, updates: Mapping[int, AircraftMemory]) -> DecoderState:
        """A new state with the memories in ``updates`` replacing the old ones."""
        return DecoderState(MappingProxyType({**self.aircraft, **updates}))

    def pruned(self, now_s: float, forget_s: float = FORGET_S) -> DecoderState:
        """A new state without the aircraft last heard more than ``forget_s`` before
        ``now_s`` (both s)."""
        return DecoderState(
            MappingProxyType(
                {
                    icao: memory
                    for icao, memory in self.aircraft.items()
                    if memory.last_t_s() >= now_s - forget_s
                }
            )
        )


_EMPTY = AircraftMemory()


def heard(memory: AircraftMemory, t_s: float) -> AircraftMemory:
    """The memory after a message with a checked address at ``t_s`` (s)."""
    return replace(memory, heard_t_s=t_s)


def recently_heard(memory: AircraftMemory, t_s: float, within_s: float = FORGET_S) -> bool:
    """Whether a message with a checked address came at most ``within_s`` before ``t_s``."""
    return not math.isnan(memory.heard_t_s) and 0.0 <= t_s - memory.heard_t_s <= within_s


def locate(
    memory: AircraftMemory,
    frame: CprFrame,
    parity: int,
    receiver_deg: tuple[float, float] | None = None,
) -> tuple[float, float, AircraftMemory]:
    """The position (lat, lon, deg; NaN if not yet known) of ``frame`` of ``parity``
    (0 even, 1 odd), decoded from it and earlier frames in ``memory`` as the module
    docstring says, and the memory after it."""
    even, odd = memory.even, memory.odd
    if parity:
        odd = frame
    else:
        even = frame
    other = even if parity else odd
    position = None
    if (
        not frame.surface
        and other is not None
        and not other.surface
        and 0.0 <= frame.t_s - other.t_s <= PAIR_MAX_S
    ):
        first, second = (other, frame) if parity else (frame, other)
        position = cpr.global_airborne(
            (first.lat_cpr, second.lat_cpr), (first.lon_cpr, second.lon_cpr), parity
        )
    if position is None:
        reference = None
        if not math.isnan(memory.fix_t_s) and 0.0 <= frame.t_s - memory.fix_t_s <= FIX_MAX_S:
            reference = (memory.lat_deg, memory.lon_deg)
        elif receiver_deg is not None:
            reference = receiver_deg
        if reference is not None:
            position = cpr.local(
                frame.lat_cpr, frame.lon_cpr, parity, *reference, surface=frame.surface
            )
    updated = replace(memory, even=even, odd=odd)
    if position is None:
        return math.nan, math.nan, updated
    lat, lon = position
    return lat, lon, replace(updated, lat_deg=lat, lon_deg=lon, fix_t_s=frame.t_s)
