"""Transponder replies per track: the Mode A code (squawk) and IFF Mode 5.

The tracker carries a track's ICAO address and callsign, not the rest of what
a transponder says, so the identifier reads it from the window's plots:

* the **Mode A code** of an ADS-B report or a Mode S reply belongs to the track
  with the same ICAO address; the latest non-zero code of each address is kept;
* an **IFF Mode 5** reply (a plot with ``mode5``) belongs to the track nearest
  to it (its position carried to the plot's time along its velocity) within
  ``gate_m``; a track has valid Mode 5 while its latest reply is at most
  ``valid_s`` old.

Squawk codes are the four octal digits read as a decimal number (7500 is 7500).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from flankwatch.assess.memory import TrackMemory
from flankwatch.stream import PlotBatch
from flankwatch.track.output import TrackBatch, TrackStatus

EMERGENCY_SQUAWKS = {7500: "unlawful interference", 7600: "radio failure", 7700: "emergency"}
"""The emergency Mode A codes and their meanings (ICAO Doc 8168 PANS-OPS, Vol. I)."""


class Mode5Settings(BaseModel):
    """How IFF Mode 5 replies are given to tracks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gate_m: float = Field(3000.0, gt=0.0, description="greatest reply-to-track distance, m")
    valid_s: float = Field(30.0, gt=0.0, description="a reply counts this long, s (assumed)")


class TransponderReplies:
    """The latest squawk of each ICAO address and Mode 5 time of each track."""

    def __init__(self, settings: Mode5Settings) -> None:
        self.settings = settings
        self._squawk_icao = np.empty(0, np.uint32)
        self._squawk_code = np.empty(0, np.int16)
        self.memory = TrackMemory({"mode5_t_s": (np.float64, -np.inf, ())})

    def observe(self, plots: PlotBatch, tracks: TrackBatch) -> None:
        """Take the window's replies: squawks by address, Mode 5 replies by position."""
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
        replies = np.flatnonzero(plots.mode5)
        live = np.flatnonzero(tracks.status != int(TrackStatus.DELETED))
        if not len(replies) or not len(live):
            return
        dt = plots.t_s[replies][:, None] - tracks.time_s[live][None, :]
        gap = np.stack(
            [
                plots.x_m[replies][:, None] - (tracks.x_m[live] + tracks.vx_mps[live] * dt),
                plots.y_m[replies][:, None] - (tracks.y_m[live] + tracks.vy_mps[live] * dt),
                plots.z_m[replies][:, None] - (tracks.z_m[live] + tracks.vz_mps[live] * dt),
            ]
        )
        gap2 = gap**2
        gap2[np.isnan(gap2)] = 0.0  # no height in a 2-D plot
        distance = np.sqrt(gap2.sum(axis=0))
        nearest = np.argmin(distance, axis=1)
        near = distance[np.arange(len(replies)), nearest] <= self.settings.gate_m
        owners = live[nearest[near]]
        rows, _ = self.memory.rows(tracks.track_id[owners])
        times = self.memory["mode5_t_s"]
        np.maximum.at(times, rows, plots.t_s[replies][near])

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
        pos, known = self.memory.find(tracks.track_id[rows])
        reply_t_s = np.full(len(pos), -np.inf)
        reply_t_s[known] = self.memory["mode5_t_s"][pos[known]]
        return now_s - reply_t_s <= self.settings.valid_s

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the Mode 5 replies of these tracks."""
        self.memory.forget(track_id)
