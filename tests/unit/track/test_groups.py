"""What applying a track's plots one by one sees before each."""

import numpy as np

from flankwatch.track.groups import one_by_one


def test_each_plot_sees_the_period_and_time_its_track_had_after_the_plot_before():
    # track A: plots at 10 (sensor period 4), 11 (unknown), 12 (period 6); track B: one plot
    starts = np.array([True, False, False, True])
    period = np.array([4.0, np.nan, 6.0, np.nan])
    t = np.array([10.0, 11.0, 12.0, 13.0])
    period_before = np.array([5.0, 5.0, 5.0, 2.0])
    last_before = np.array([8.0, 8.0, 8.0, 9.0])
    previous, last, after = one_by_one(starts, period, period_before, t, last_before)
    assert previous.tolist() == [5.0, 4.0, 4.0, 2.0]
    assert last.tolist() == [8.0, 10.0, 11.0, 9.0]
    assert after.tolist() == [4.0, 4.0, 6.0, 2.0]
