"""Sensors get the track table's ``sensor_t_s`` columns in the order they come."""

import numpy as np

from flankwatch.track.sensor_columns import NO_SLOT, SensorColumns
from flankwatch.track.table import SENSOR_SLOTS


def test_sensors_take_free_columns_in_the_order_they_come():
    columns = SensorColumns()
    assert columns.of(np.array([40, 7, 40])).tolist() == [1, 0, 1]
    assert columns.of(np.array([3, 7])).tolist() == [2, 0]
    assert columns.sensors().tolist() == [7, 40, 3]


def test_sensors_beyond_the_columns_have_none():
    columns = SensorColumns()
    ids = np.arange(SENSOR_SLOTS + 3) * 10
    got = columns.of(ids)
    assert got[:SENSOR_SLOTS].tolist() == list(range(SENSOR_SLOTS))
    assert (got[SENSOR_SLOTS:] == NO_SLOT).all()
    assert columns.sensors().tolist() == ids[:SENSOR_SLOTS].tolist()
    assert columns.of(ids[-1:]).tolist() == [NO_SLOT]
