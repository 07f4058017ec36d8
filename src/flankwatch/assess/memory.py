"""Per-track memory of an assessment part: parallel arrays keyed by track number.

Each part that remembers something between steps (the previous heading, the
smoothed class probabilities, the identity, where a track was) keeps it in a
:class:`TrackMemory`: one sorted array of track numbers and one array per
quantity, so that a whole batch is looked up and written in a few vectorised
operations. The quantities are the fields of one structured array, so that
adding and dropping tracks (every step: tentative tracks come and go) moves
whole rows at once. The rows live at the start of a larger buffer: new tracks,
whose numbers usually sort after every remembered one, are written in place
after the last row, and dropped rows are closed up in place, without a new
array per step. Looking rows up, adding and dropping them are compiled loops
(:mod:`.kernels`) working on the rows as raw bytes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from flankwatch.assess.kernels import append_rows, drop_rows, find_rows

INITIAL_CAPACITY = 64
"""Rows the buffer holds at first; it doubles whenever it is full."""


class TrackMemory:
    """Columns of per-track state, one row per remembered track, sorted by track number.

    ``columns`` maps a name to ``(dtype, fill, shape)``: the value a new track
    starts with and the shape of one row (``()`` for a scalar per track).
    """

    def __init__(self, columns: dict[str, tuple[DTypeLike, object, tuple[int, ...]]]) -> None:
        row = np.dtype([(name, dtype, shape) for name, (dtype, _, shape) in columns.items()])
        self._fill = np.empty((), row)
        for name, (_, fill, _) in columns.items():
            self._fill[name] = fill
        self._fill_bytes = self._fill.reshape(1).view(np.uint8)
        """One row of fill values, as bytes."""
        self._id_buffer = np.empty(INITIAL_CAPACITY, np.int64)
        self._row_buffer = np.empty(INITIAL_CAPACITY, row)
        self._byte_buffer = _bytes(self._row_buffer)
        self._size = 0
        self.track_id = self._id_buffer[:0]
        """The remembered track numbers, sorted (a view of the buffer's first rows)."""
        self._rows = self._row_buffer[:0]

    def __len__(self) -> int:
        return len(self.track_id)

    def __getitem__(self, name: str) -> np.ndarray:
        """The column ``name``: a view, one row per remembered track (writable)."""
        return self._rows[name]

    def rows(self, track_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of ``track_id`` (unique numbers), adding unknown tracks.

        Returns the positions and a mask of the tracks that were new; new rows
        hold each column's fill value.
        """
        track_id = np.asarray(track_id, np.int64)
        pos, new = find_rows(self.track_id, track_id)
        if new.any():
            self._add(track_id, new)
            pos, _ = find_rows(self.track_id, track_id)
        return pos, new

    def find(self, track_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of ``track_id`` and a mask of the remembered ones (adds nothing:
        the positions of the others mean nothing)."""
        pos, new = find_rows(self.track_id, np.asarray(track_id, np.int64))
        return pos, ~new

    def _add(self, track_id: np.ndarray, new: np.ndarray) -> None:
        """New rows, holding each column's fill value, for the ``new`` tracks of
        ``track_id``."""
        n = self._size
        if n + len(track_id) > len(self._id_buffer):
            self._grow(n + len(track_id))
        # Track numbers grow: new tracks usually sort after every remembered one.
        size = append_rows(self._id_buffer, self._byte_buffer, n, self._fill_bytes, track_id, new)
        if size < 0:
            added = np.sort(track_id[new])
            size = n + len(added)
            self._id_buffer[n:size] = added
            self._byte_buffer[n:size] = self._fill_bytes
            order = np.argsort(self._id_buffer[:size], kind="stable")
            self._id_buffer[:size] = self._id_buffer[order]
            self._byte_buffer[:size] = self._byte_buffer[order]
        self._resize(size)

    def _grow(self, size: int) -> None:
        """A buffer of at least ``size`` rows, holding the remembered ones."""
        capacity = max(size, 2 * len(self._id_buffer))
        id_buffer = np.empty(capacity, np.int64)
        row_buffer = np.empty(capacity, self._row_buffer.dtype)
        id_buffer[: self._size] = self.track_id
        row_buffer[: self._size] = self._rows
        self._id_buffer, self._row_buffer = id_buffer, row_buffer
        self._byte_buffer = _bytes(row_buffer)

    def _resize(self, size: int) -> None:
        """Remember the buffer's first ``size`` rows."""
        self._size = size
        self.track_id = self._id_buffer[:size]
        self._rows = self._row_buffer[:size]

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the rows of ``track_id`` (unknown numbers are ignored)."""
        track_id = np.asarray(track_id, np.int64)
        self._resize(drop_rows(self._id_buffer, self._byte_buffer, self._size, track_id))


def _bytes(rows: np.ndarray) -> np.ndarray:
    """The structured array ``rows`` as raw bytes ``(len, itemsize)``, sharing its memory
    (whole rows move faster as bytes than field by field)."""
    return rows.view(np.uint8).reshape(len(rows), rows.dtype.itemsize)
