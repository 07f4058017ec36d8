"""Transponder replies per track: the Mode A code (squawk) and IFF Mode 5.

The tracker carries a track's ICAO address and callsign, and the time of the
latest IFF Mode 5 reply among the plots it took, not the rest of what a
transponder says, so the identifier reads the squawk from the window's plots:

* the **Mode A code** of an ADS-B report or a Mode S reply belongs to the track
  with the same ICAO address; the latest non-zero code of each address is kept;
* an **IFF Mode 5** reply (a plot with ``mode5``) belongs to the track that took
  its plot (the tracker's association, as a reply correlates with a radar's
  plot); a track has valid Mode 5 while its latest reply is at most ``valid_s``
  old.

Squawk codes are the four octal digits read as a decimal number (7500 is 7500).
"""

from __future__ import annotations

import numpy as np
from pydantic import ConfigDict, Field

from flankwatch.plain_numbers import NumbersAsWritten
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch

EMERGENCY_SQUAWKS = {7500: "unlawful interference", 7600: "radio failure", 7700: "emergency"}
"""The emergency Mode A codes and their meanings (ICAO Doc 8168 PANS-OPS, Vol. I)."""


class Mode5Settings(NumbersAsWritten):
    """How long IFF Mode 5 replies count."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    valid_s: float = Field(30.0, gt=0.0, description="a reply counts this long, s (assumed)")


class TransponderReplies:
    """The latest squawk of each ICAO address; the Mode 5 validity of tracks."""

    def __init__(self, settings: Mode5Settings) -> None:
        self.settings = settings
        self._squawk_icao = np.empty(0, np.uint32)
        self._squawk_code = np.empty(0, np.int16)

    def observe(self, plots: PlotBatch) -> None:
        """Take the window's squawks, by ICAO address."""
        coded = np.flatnonzero((plots.icao24 != 0) & (plots.squawk != 0))
        if len(coded):
            order = coded[np.argsort(plots.t_s[coded], kind="stable")]
            icao, code = plots.icao24[order], plots.squawk[order]
            icao_all = np.concatenate((self._squawk_icao, icao))
            code_all = np.concatenate((self._squawk_code, code))
            by_icao = icao_all.argsort(kind="stable")
            sorted_icao = icao_all[by_icao]
            last = by_icao[np.concatenate((sorted_icao[1:] != sorted_icao[:-1], [True]))]
            self._squawk_icao, self._squawk_code = icao_all[last], code_all[last]

    def squawk(self, tracks: TrackBatch, rows: np.ndarray) -> np.ndarray:
        """The latest Mode A code of the tracks at ``rows`` (by ICAO address), 0 if none."""
        icao = tracks.icao24[rows]
        pos = np.searchsorted(self._squawk_icao, icao)
        pos = np.minimum(pos, max(len(self._squawk_icao) - 1, 0))
        if not len(self._squawk_icao):
            return np.zeros(len(rows), np.int16)
        found = (self._squawk_icao[pos] == icao) & (icao != 0)
        return np.where(found, self._squawk_code[pos], 0).astype(np.int16)

    def mode5(self, tracks: TrackBatch, rows: np.ndarray, now_s: float) -> np.ndarray:
        """Whether the tracks at ``rows`` answered Mode 5 within ``valid_s`` of ``now_s``."""
        with np.errstate(invalid="ignore"):
            return now_s - tracks.mode5_t_s[rows] <= self.settings.valid_s
