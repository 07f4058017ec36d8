"""Which column of the track table's ``sensor_t_s`` each position sensor has.

Each track keeps the time of its latest plot from each of the first
:data:`~flankwatch.track.table.SENSOR_SLOTS` position sensors the tracker meets
(to time the sensors' revisits, estimate the detection probability and tell twin
tracks from two targets). Sensors get the free columns in the order they come;
those met after every column was taken get :data:`NO_SLOT` and are left out of
that bookkeeping.
"""

from __future__ import annotations

import numpy as np

from flankwatch.track.table import SENSOR_SLOTS

NO_SLOT = -1
"""Column of a sensor met when every column was taken."""


class SensorColumns:
    """The column of each sensor met so far, found by sensor id."""

    def __init__(self) -> None:
        self._ids = np.empty(0, np.int64)
        """The sensor ids met, sorted."""
        self._columns = np.empty(0, np.int64)
        """Their columns (``NO_SLOT``: none left for it)."""
        self._in_use: np.ndarray | None = None
        """:meth:`sensors`, kept until a sensor is met."""

    def of(self, sensor_id: np.ndarray) -> np.ndarray:
        """The column of each of ``sensor_id`` (``NO_SLOT``: none), giving sensors not met
        before the free columns in the order they come."""
        ids, columns = self._ids, self._columns
        at = np.minimum(np.searchsorted(ids, sensor_id), max(len(ids) - 1, 0))
        if not len(ids) or not np.all(ids[at] == sensor_id):
            seen = ids[at] == sensor_id if len(ids) else np.zeros(len(sensor_id), bool)
            for new in np.unique(sensor_id[~seen]).tolist():
                free = int(np.count_nonzero(columns >= 0))
                ids = np.append(ids, new)
                columns = np.append(columns, free if free < SENSOR_SLOTS else NO_SLOT)
            order = np.argsort(ids)
            self._ids, self._columns = ids[order], columns[order]
            self._in_use = None
            ids, columns = self._ids, self._columns
            at = np.searchsorted(ids, sensor_id)
        return columns[at]

    def sensors(self) -> np.ndarray:
        """The sensor id of each column in use, in column order."""
        if self._in_use is None:
            used = self._columns >= 0
            self._in_use = self._ids[used][np.argsort(self._columns[used])]
            self._in_use.flags.writeable = False
        return self._in_use
