"""Rows sorted into groups (a track's plots, a sensor's plots of a window): where groups
start, a row's rank in its group, and what applying a group's rows one by one sees."""

from __future__ import annotations

import numpy as np

from flankwatch.stream import PlotBatch


def group_starts(*keys: np.ndarray) -> np.ndarray:
    """For rows sorted by ``keys``, true where a row's keys differ from the previous row's."""
    start = np.zeros(len(keys[0]), bool)
    start[0] = True
    for key in keys:
        start[1:] |= key[1:] != key[:-1]
    return start


def identity_rank(
    batch: PlotBatch, identity: np.ndarray, sensor: np.ndarray, window: np.ndarray
) -> np.ndarray:
    """For plots carrying an identity (``identity``, the batch's
    :attr:`~flankwatch.stream.PlotBatch.identity`), their order (0, 1, ...) among the plots
    of the same aircraft from the same sensor in the same window, by time; 0 for the
    others. Splitting on it gives each aircraft one plot per group."""
    rank = np.zeros(len(batch), np.int64)
    identified = np.flatnonzero(identity != 0)
    if len(identified):
        keys = (batch.t_s, identity, window, sensor)
        order = identified[np.lexsort(tuple(key[identified] for key in keys))]
        first = group_starts(sensor[order], window[order], identity[order])
        start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
        rank[order] = np.arange(len(order)) - start
    return rank


def one_by_one(
    starts: np.ndarray, period_s: np.ndarray, period_before_s: np.ndarray, t_s: np.ndarray,
    last_before_s: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """For several plots per track (``starts`` true at each track's first, then in time
    order, at ``t_s``), what applying them one by one would see before each: the track's
    revisit period (s; a plot's sensor's, when known, replaces it) and last update time
    (s), from the track's ``period_before_s`` and ``last_before_s`` at its first plot;
    and the track's revisit period after each plot."""
    index = np.arange(len(t_s))
    source = np.maximum.accumulate(np.where(np.isfinite(period_s), index, -1))
    first = np.maximum.accumulate(np.where(starts, index, 0))
    after = np.where(source >= first, period_s[np.maximum(source, 0)], period_before_s)
    previous = np.where(starts, period_before_s, _shifted(after))
    last = np.maximum(np.where(starts, last_before_s, _shifted(t_s)), last_before_s)
    return previous, last, after


def _shifted(values: np.ndarray) -> np.ndarray:
    """``values`` moved one row on, the last row first (``np.roll(values, 1)`` for one
    axis, without its cost on short columns)."""
    out = np.empty_like(values)
    if len(values):
        out[0], out[1:] = values[-1], values[:-1]
    return out
