"""Per-track memory in arrays keyed by track number."""

import numpy as np

from flankwatch.assess.memory import INITIAL_CAPACITY, TrackMemory


def test_rows_add_new_tracks_with_fill_values():
    memory = TrackMemory({"a": (float, np.nan, ()), "p": (float, 0.5, (2,))})
    rows, new = memory.rows(np.array([5, 2]))
    assert new.tolist() == [True, True]
    memory["a"][rows] = [50.0, 20.0]
    rows, new = memory.rows(np.array([9, 5]))
    assert new.tolist() == [True, False]
    assert memory["a"][rows][1] == 50.0
    assert np.isnan(memory["a"][rows][0])
    assert memory["p"][rows].tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert memory.track_id.tolist() == [2, 5, 9]


def test_forget():
    memory = TrackMemory({"a": (int, 0, ())})
    rows, _ = memory.rows(np.array([1, 2, 3]))
    memory["a"][rows] = [10, 20, 30]
    memory.forget(np.array([2, 7]))
    assert memory.track_id.tolist() == [1, 3]
    assert memory["a"].tolist() == [10, 30]


def test_a_track_numbered_between_remembered_ones_keeps_the_rows_sorted():
    memory = TrackMemory({"a": (int, -1, ()), "p": (float, 0.5, (2,))})
    rows, _ = memory.rows(np.array([2, 9]))
    memory["a"][rows] = [20, 90]
    rows, new = memory.rows(np.array([9, 5, 11]))
    assert new.tolist() == [False, True, True]
    assert memory.track_id.tolist() == [2, 5, 9, 11]
    assert memory["a"].tolist() == [20, -1, 90, -1]
    assert memory["a"][rows].tolist() == [90, -1, -1]
    assert memory["p"][rows[1]].tolist() == [0.5, 0.5]


def test_find_adds_nothing():
    memory = TrackMemory({"a": (int, 0, ())})
    pos, known = memory.find(np.array([4]))
    assert known.tolist() == [False]
    rows, _ = memory.rows(np.array([1, 3]))
    memory["a"][rows] = [10, 30]
    pos, known = memory.find(np.array([3, 2, 7]))
    assert known.tolist() == [True, False, False]
    assert memory["a"][pos[known]].tolist() == [30]
    assert memory.track_id.tolist() == [1, 3]


def test_rows_survive_growing_the_buffer_and_forgetting_in_between():
    memory = TrackMemory({"a": (np.int64, -1, ()), "p": (float, 0.5, (3,))})
    first = np.arange(100, 100 + INITIAL_CAPACITY)
    rows, _ = memory.rows(first)
    memory["a"][rows] = first
    memory.forget(first[::3])
    more = np.array([1, 5000, 103, 7])  # new numbers before, between (forgotten) and after
    rows, new = memory.rows(np.concatenate((first[1:3], more)))
    assert new.tolist() == [False, False, True, True, True, True]
    kept = np.setdiff1d(first, first[::3])
    assert memory.track_id.tolist() == sorted([*kept.tolist(), *more.tolist()])
    assert memory["a"][rows].tolist() == [101, 102, -1, -1, -1, -1]
    assert memory["p"][rows[2:]].tolist() == [[0.5] * 3] * 4
    assert memory["a"][memory.find(kept)[0]].tolist() == kept.tolist()


def test_new_tracks_out_of_order_are_sorted():
    memory = TrackMemory({"a": (int, 0, ())})
    rows, _ = memory.rows(np.array([30, 10, 20]))
    memory["a"][rows] = [3, 1, 2]
    assert memory.track_id.tolist() == [10, 20, 30]
    assert memory["a"].tolist() == [1, 2, 3]
