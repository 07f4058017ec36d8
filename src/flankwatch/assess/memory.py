"""Per-track memory of an assessment part: parallel arrays keyed by track number.

Each part that remembers something between steps (the previous heading, the
smoothed class probabilities, the identity, where a track was) keeps it in a
:class:`TrackMemory`: one sorted array of track numbers and one array per
quantity, so that a whole batch is looked up and written in a few vectorised
operations.
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
        self._spec = columns
        self.track_id = np.empty(0, np.int64)
        self._data = {
            name: np.empty((0, *shape), dtype) for name, (dtype, _, shape) in columns.items()
        }

    def __len__(self) -> int:
        return len(self.track_id)

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name]

    def rows(self, track_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of ``track_id`` (unique numbers), adding unknown tracks.

        Returns the positions and a mask of the tracks that were new; new rows
        hold each column's fill value.
        """
        track_id = np.asarray(track_id, np.int64)
        pos = np.searchsorted(self.track_id, track_id)
        known = pos < len(self.track_id)
        known[known] = self.track_id[pos[known]] == track_id[known]
        if not known.all():
            added = np.sort(track_id[~known])
            order = np.argsort(np.concatenate((self.track_id, added)), kind="stable")
            self.track_id = np.concatenate((self.track_id, added))[order]
            for name, (dtype, fill, shape) in self._spec.items():
                block = np.full((len(added), *shape), fill, dtype)
                self._data[name] = np.concatenate((self._data[name], block))[order]
            pos = np.searchsorted(self.track_id, track_id)
        return pos, ~known

    def forget(self, track_id: np.ndarray) -> None:
        """Drop the rows of ``track_id`` (unknown numbers are ignored)."""
        keep = ~np.isin(self.track_id, track_id)
        if keep.all():
            return
        self.track_id = self.track_id[keep]
        for name in self._data:
            self._data[name] = self._data[name][keep]
