"""The tracker's state: every live track as one row of a set of parallel arrays."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flankwatch.track.base import STATE_DIM
from flankwatch.track.kernels import compact_rows, put_rows, track_summaries
from flankwatch.track.output import TrackStatus
from flankwatch.track.predictor import combine

SENSOR_SLOTS = 32
"""Sensors whose latest plot time each track keeps (to time the sensors' revisits, estimate
the detection probability and tell twin tracks from two targets). The built-in scenarios
have up to 15 position sensors; with 8, the Polish night's AEW aircraft and some of its
ADS-B stations had none. Sensors beyond these are left out of that bookkeeping."""


class TrackTable:
    """All live tracks, in columns.

    ``mean`` ``(n, M, 6)`` (m, m/s), ``cov`` ``(n, M, 6, 6)`` and ``prob`` ``(n, M)``
    hold each track's mode-conditioned states at its own time ``t_s`` (s);
    :meth:`state` gives the combined ``(n, 6)`` states and ``(n, 6, 6)``
    covariances. ``first_s`` is the time of a track's first plot (s) and ``hits``
    the plots that count towards its confirmation (see the initiator);
    ``updated`` marks the tracks updated in the current step.

    A summary of each state, refreshed whenever the state changes, lets the
    tracker find candidate tracks without predicting them all: ``ref_state``
    ``(n, 6)`` the combined state at ``t_s``, ``ref_pos_sigma_m`` and
    ``ref_vel_sigma_mps`` the roots of its position and velocity covariance
    traces, ``ref_speed_mps`` the largest speed of its modes.

    ``score`` is a tentative track's score at its last update (see
    :mod:`~flankwatch.track.score`) and ``period_s`` the revisit period (s) of
    the sensor of its latest plot (NaN when unknown); ``sensor_t_s``
    ``(n, SENSOR_SLOTS)`` the time of its latest plot from each of the first
    ``SENSOR_SLOTS`` position sensors the tracker met (NaN: none yet). ``identity`` (an
    ICAO address, or a Mode 5 PIN: :attr:`~flankwatch.stream.PlotBatch.identity`) comes
    from the plots a track took, ``callsign`` from its ADS-B and Mode S plots,
    ``mode5_t_s`` is the time of the
    latest plot it took that carried an IFF Mode 5 reply (s; NaN: none yet).

    Columns are views of the first ``n`` rows of arrays with spare capacity, so
    that adding tracks costs in proportion to the tracks added.
    """

    _COLUMNS: tuple[str, ...] = (
        "track_id",
        "status",
        "t_s",
        "prob",
        "mean",
        "cov",
        "last_update_s",
        "first_s",
        "hits",
        "updated",
        "identity",
        "callsign",
        "mode5_t_s",
        "ref_state",
        "ref_pos_sigma_m",
        "ref_vel_sigma_mps",
        "ref_speed_mps",
        "score",
        "period_s",
        "sensor_t_s",
    )

    track_id: np.ndarray
    status: np.ndarray
    t_s: np.ndarray
    prob: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    last_update_s: np.ndarray
    first_s: np.ndarray
    hits: np.ndarray
    updated: np.ndarray
    identity: np.ndarray
    callsign: np.ndarray
    mode5_t_s: np.ndarray
    ref_state: np.ndarray
    ref_pos_sigma_m: np.ndarray
    ref_vel_sigma_mps: np.ndarray
    ref_speed_mps: np.ndarray
    score: np.ndarray
    period_s: np.ndarray
    sensor_t_s: np.ndarray

    def __init__(self, n_modes: int) -> None:
        m, d = n_modes, STATE_DIM
        self.n_modes = n_modes
        self._n = 0
        self._shapes: dict[str, tuple[tuple[int, ...], Any]] = {
            "track_id": ((), np.int64),
            "status": ((), np.int8),
            "t_s": ((), np.float64),
            "prob": ((m,), np.float64),
            "mean": ((m, d), np.float64),
            "cov": ((m, d, d), np.float64),
            "last_update_s": ((), np.float64),
            "first_s": ((), np.float64),
            "hits": ((), np.int32),
            "updated": ((), bool),
            "identity": ((), np.uint32),
            "callsign": ((), object),
            "mode5_t_s": ((), np.float64),
            "ref_state": ((d,), np.float64),
            "ref_pos_sigma_m": ((), np.float64),
            "ref_vel_sigma_mps": ((), np.float64),
            "ref_speed_mps": ((), np.float64),
            "score": ((), np.float64),
            "period_s": ((), np.float64),
            "sensor_t_s": ((SENSOR_SLOTS,), np.float64),
        }
        self._data = {
            name: np.empty((0, *shape), dtype) for name, (shape, dtype) in self._shapes.items()
        }

    def __len__(self) -> int:
        return self._n

    def _reserve(self, n: int) -> None:
        capacity = len(self._data["t_s"])
        if n <= capacity:
            return
        capacity = max(n, 2 * capacity, 64)
        for name, (shape, dtype) in self._shapes.items():
            grown = np.empty((capacity, *shape), dtype)
            grown[: self._n] = self._data[name][: self._n]
            self._data[name] = grown

    def append(
        self,
        track_id: np.ndarray,
        t_s: np.ndarray,
        prob: np.ndarray,
        mean: np.ndarray,
        cov: np.ndarray,
        identity: np.ndarray,
        callsign: np.ndarray,
        period_s: np.ndarray | float = np.nan,
        mode5_t_s: np.ndarray | float = np.nan,
    ) -> np.ndarray:
        """Add new tentative tracks from one plot each (at ``t_s``), counted as updated in the
        current step with one hit and a score of 0, revisited every ``period_s`` (s) by
        the plot's sensor, with an IFF Mode 5 reply at ``mode5_t_s`` (s; NaN: none); their
        row indices."""
        k, start = len(track_id), self._n
        self._reserve(start + k)
        rows = slice(start, start + k)
        data = self._data
        data["track_id"][rows] = track_id
        data["status"][rows] = TrackStatus.TENTATIVE
        data["t_s"][rows] = t_s
        data["prob"][rows] = prob
        data["mean"][rows] = mean
        data["cov"][rows] = cov
        data["last_update_s"][rows] = t_s
        data["first_s"][rows] = t_s
        data["hits"][rows] = 1
        data["updated"][rows] = True
        data["identity"][rows] = identity
        data["callsign"][rows] = callsign
        data["mode5_t_s"][rows] = mode5_t_s
        data["score"][rows] = 0.0
        data["period_s"][rows] = period_s
        data["sensor_t_s"][rows] = np.nan
        self._n = start + k
        index = np.arange(start, start + k)
        self.refresh(index)
        return index

    def keep(self, mask: np.ndarray) -> None:
        """Drop the tracks where ``mask`` is false."""
        kept = np.flatnonzero(mask)
        for column in self._data.values():
            if column.dtype == object:
                column[: len(kept)] = column[kept]
            else:  # in place, no copy of the whole column (rows flattened: any shape)
                compact_rows(column.reshape(len(column), math.prod(column.shape[1:])), kept)
        self._n = len(kept)

    def put_modes(
        self, rows: np.ndarray, prob: np.ndarray, mean: np.ndarray, cov: np.ndarray
    ) -> None:
        """Give the tracks at ``rows`` the modes ``prob`` ``(p, M)``, ``mean`` ``(p, M, 6)``
        and ``cov`` ``(p, M, 6, 6)``, as ``column[rows] = values`` would (each broadcast to
        its rows' shape), by the compiled :func:`~flankwatch.track.kernels.put_rows`."""
        rows = np.asarray(rows, np.intp)
        if len(rows) and not (0 <= rows.min() and rows.max() < self._n):
            raise IndexError(f"track rows must lie in 0..{self._n - 1}")
        for name, values in (("prob", prob), ("mean", mean), ("cov", cov)):
            column = self._data[name]
            shaped = np.broadcast_to(values, (len(rows), *column.shape[1:]))
            put_rows(
                column.reshape(len(column), -1),
                rows,
                np.ascontiguousarray(shaped, column.dtype).reshape(len(rows), -1),
            )

    def refresh(self, rows: np.ndarray) -> None:
        """Recompute the summary of the tracks at ``rows`` from their states."""
        data = self._data
        track_summaries(
            data["prob"],
            data["mean"],
            data["cov"],
            np.asarray(rows, np.intp),
            data["ref_state"],
            data["ref_pos_sigma_m"],
            data["ref_vel_sigma_mps"],
            data["ref_speed_mps"],
        )

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Combined states ``(n, 6)`` and covariances ``(n, 6, 6)`` at each track's own time."""
        return combine(self.prob, self.mean, self.cov)


def _column(name: str) -> property:
    def get(table: TrackTable) -> np.ndarray:
        return table._data[name][: table._n]

    def put(table: TrackTable, value: np.ndarray) -> None:
        table._data[name][: table._n] = value

    return property(get, put, doc=f"The ``{name}`` column of the live tracks.")


for _name in TrackTable._COLUMNS:
    setattr(TrackTable, _name, _column(_name))
