"""Transponder replies per track: the Mode A code (squawk) and IFF Mode 5.

The tracker carries a track's ICAO address and callsign, not the rest of what
a transponder says, so the identifier reads it from the window's plots:

* the **Mode A code** of an ADS-B report or a Mode S reply belongs to the track
  with the same ICAO address; the latest non-zero code of each address is kept;
* an **IFF Mode 5** reply (a plot with ``mode5``) belongs to the track it is
  statistically nearest to (the track's position carried to the plot's time along
  its velocity; the distance weighed by the track's and the plot's covariances),
  within the chi-square gate of ``gate_probability`` and ``gate_m``: a fighter's
  reply is not given to the drone it passes a kilometre away, whose track is known
  to within a hundred metres. A track has valid Mode 5 while its latest reply is at
  most ``valid_s`` old.

Squawk codes are the four octal digits read as a decimal number (7500 is 7500).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from flankwatch.assess.memory import TrackMemory
from flankwatch.stream import PlotBatch
from flankwatch.track.gating import gate_threshold
from flankwatch.track.output import TrackBatch, TrackStatus
from flankwatch.track.pair_gate import mahalanobis2

EMERGENCY_SQUAWKS = {7500: "unlawful interference", 7600: "radio failure", 7700: "emergency"}
"""The emergency Mode A codes and their meanings (ICAO Doc 8168 PANS-OPS, Vol. I)."""


class Mode5Settings(BaseModel):
    """How IFF Mode 5 replies are given to tracks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gate_m: float = Field(3000.0, gt=0.0, description="greatest reply-to-track distance, m")
    gate_probability: float = Field(
        0.999,
        gt=0.0,
        lt=1.0,
        description="chi-square gate (3 degrees of freedom) of a reply about a track",
    )
    valid_s: float = Field(30.0, gt=0.0, description="a reply counts this long, s (assumed)")


class TransponderReplies:
    """The latest squawk of each ICAO address and Mode 5 time of each track."""

    def __init__(self, settings: Mode5Settings) -> None:
        self.settings = settings
        self._squawk_icao = np.empty(0, np.uint32)
        self._squawk_code = np.empty(0, np.int16)
        self.memory = TrackMemory({"mode5_t_s": (np.float64, -np.inf, ())})
        self._gate = gate_threshold(settings.gate_probability, 3)

    def observe(self, plots: PlotBatch, tracks: TrackBatch) -> None:
        """Take the window's replies: squawks by address, Mode 5 replies by position."""
        coded = np.flatnonzero((plots.icao24 != 0) & (plots.squawk != 0))
        if len(coded):
            order = coded[np.argsort(plots.t_s[coded], kind="stable")]
            icao, code = plots.icao24[order], plots.squawk[order]
            icao_all = np.concatenate((self._squawk_icao, icao))
            code_all = np.concatenate((self._squawk_code, code))
            last = len(icao_all) - 1 - np.unique(icao_all[::-1], return_index=True)[1]
            self._squawk_icao, self._squawk_code = icao_all[last], code_all[last]
        replies = np.flatnonzero(plots.mode5)
        live = np.flatnonzero(tracks.status != TrackStatus.DELETED)
        if not len(replies) or not len(live):
            return
        d2, distance = _reply_distances(plots, replies, tracks, live)
        d2 = np.where((distance <= self.settings.gate_m) & (d2 < self._gate), d2, np.inf)
        nearest = np.argmin(d2, axis=1)
        near = np.isfinite(d2[np.arange(len(replies)), nearest])
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
        pos, _ = self.memory.rows(tracks.track_id[rows])
        return now_s - self.memory["mode5_t_s"][pos] <= self.settings.valid_s

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the Mode 5 replies of these tracks."""
        self.memory.forget(track_id)


COVARIANCE_UPPER = ("xx", "xy", "xz", "yy", "yz", "zz")
"""Position covariance columns (``cov_xx_m2`` ...) in the pair gate's upper-form order."""


def _reply_distances(
    plots: PlotBatch, replies: np.ndarray, tracks: TrackBatch, live: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Squared Mahalanobis and Euclidean distances (m) ``(r, t)`` of the plots at
    ``replies`` from the tracks at ``live``, each track carried along its velocity to the
    plot's time. The covariance is the track's position covariance, its velocity
    variances over the time gap and the plot's covariance (none where a plot has none)."""
    dt = plots.t_s[replies][:, None] - tracks.time_s[live][None, :]
    gap = np.stack(
        [
            plots.x_m[replies][:, None] - (tracks.x_m[live] + tracks.vx_mps[live] * dt),
            plots.y_m[replies][:, None] - (tracks.y_m[live] + tracks.vy_mps[live] * dt),
            plots.z_m[replies][:, None] - (tracks.z_m[live] + tracks.vz_mps[live] * dt),
        ],
        axis=-1,
    )
    track_cov = np.stack(
        [getattr(tracks, f"cov_{name}_m2")[live] for name in COVARIANCE_UPPER], axis=-1
    )
    plot_cov = np.stack(
        [getattr(plots, f"cov_{name}_m2")[replies] for name in COVARIANCE_UPPER], axis=-1
    )
    cov = track_cov[None, :, :] + np.nan_to_num(plot_cov)[:, None, :]
    velocity_var = np.stack(
        [tracks.var_vx_m2ps2[live], tracks.var_vy_m2ps2[live], tracks.var_vz_m2ps2[live]],
        axis=-1,
    )
    cov[..., [0, 3, 5]] += dt[..., None] ** 2 * velocity_var[None, :, :]
    shape = gap.shape[:2]
    d2 = mahalanobis2(gap.reshape(-1, 3), cov.reshape(-1, 6)).reshape(shape)
    distance = np.sqrt(np.einsum("rti,rti->rt", gap, gap))
    return np.where(np.isfinite(d2), d2, np.inf), np.where(np.isfinite(distance), distance, np.inf)
