"""Per-track memory of an assessment part: parallel arrays keyed by track number.

Each part that remembers something between steps (the previous heading, the
smoothed class probabilities, the identity, where a track was) keeps it in a
:class:`TrackMemory`: one sorted array of track numbers and one array per
quantity, so that a whole batch is looked up and written in a few vectorised
operations. The quantities are the fields of one structured array, so that
adding and dropping tracks (every step: tentative tracks come and go) moves
whole rows at once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike


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
        self.track_id = np.empty(0, np.int64)
        self._rows = np.empty(0, row)

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
        pos = self.track_id.searchsorted(track_id)
        known = self._found(pos, track_id)
        if not known.all():
            self._add(np.sort(track_id[~known]))
            pos = self.track_id.searchsorted(track_id)
        return pos, ~known

    def find(self, track_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of ``track_id`` and a mask of the remembered ones (adds nothing:
        the positions of the others mean nothing)."""
        track_id = np.asarray(track_id, np.int64)
        pos = self.track_id.searchsorted(track_id)
        return pos, self._found(pos, track_id)

    def _add(self, added: np.ndarray) -> None:
        """New rows, holding each column's fill value, for the sorted new ``added``."""
        track_id = np.concatenate((self.track_id, added))
        rows = np.empty(len(track_id), self._rows.dtype)
        rows[: len(self._rows)] = self._rows
        rows[len(self._rows) :] = self._fill
        # Track numbers grow: new tracks usually sort after every remembered one.
        if len(self.track_id) and added[0] < self.track_id[-1]:
            order = np.argsort(track_id, kind="stable")
            track_id, rows = track_id[order], rows[order]
        self.track_id, self._rows = track_id, rows

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the rows of ``track_id`` (unknown numbers are ignored)."""
        track_id = np.asarray(track_id, np.int64)
        pos = self.track_id.searchsorted(track_id)
        gone = pos[self._found(pos, track_id)]
        if not len(gone):
            return
        keep = np.ones(len(self.track_id), bool)
        keep[gone] = False
        self.track_id = self.track_id[keep]
        self._rows = self._rows[keep]

    def _found(self, pos: np.ndarray, track_id: np.ndarray) -> np.ndarray:
        """True where ``pos`` (from ``searchsorted``) is the row of ``track_id``."""
        if not len(self.track_id):
            return np.zeros(len(track_id), bool)
        return self.track_id.take(pos, mode="clip") == track_id
