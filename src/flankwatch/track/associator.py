"""Global nearest neighbour association, solved per cluster of gated pairs.

The gated track-plot pairs form a bipartite graph; its connected components
(clusters) are independent assignment problems. Pairs whose track and plot are
in no other pair are taken at once; of the rest, a cluster with one track or
one plot is solved by taking its cheapest pair, all such clusters at once;
the others by :func:`scipy.optimize.linear_sum_assignment` on their own small
cost matrix, where a missing pair costs 0 (the same as leaving both unused).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_ROUNDS = 12
"""Rounds of label spreading before :func:`pair_clusters` falls back on scipy."""


def pair_clusters(
    track_index: np.ndarray, plot_index: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cluster label ``(p,)`` of each pair (pairs sharing a track or a plot, directly or
    through other pairs, share a label), and the number of tracks and of plots in
    each cluster.

    Labels spread by repeated minimum over the pairs with pointer jumping, which
    settles in a few rounds on the small, shallow clusters gating leaves; long
    chains fall back on :func:`scipy.sparse.csgraph.connected_components`.
    """
    n_tracks, track_node = _dense(track_index)
    n_plots, plot_node = _dense(plot_index)
    n_nodes = n_tracks + n_plots
    a, b = track_node, n_tracks + plot_node
    label = np.arange(n_nodes)
    for _ in range(_ROUNDS):
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    else:
        graph = coo_matrix(
            (np.ones(len(a), np.int8), (a, b)),
            shape=(n_nodes, n_nodes),
        )
        _, label = connected_components(graph, directed=False)
    n_clusters, labels = _dense(label)
    tracks_in = np.bincount(labels[:n_tracks], minlength=n_clusters)
    plots_in = np.bincount(labels[n_tracks:], minlength=n_clusters)
    return labels[track_node], tracks_in, plots_in


def _cheapest_per_group(group: np.ndarray, cost: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Of ``pairs`` (positions), the cheapest one of each ``group`` label."""
    order = np.lexsort((cost[pairs], group[pairs]))
    ordered = pairs[order]
    first = np.ones(len(ordered), bool)
    first[1:] = group[ordered][1:] != group[ordered][:-1]
    return ordered[first]


def _sparse(index: np.ndarray) -> bool:
    """Whether the values of ``index`` (non-negative integers) are too spread for
    :func:`numpy.bincount`."""
    return int(index.max()) > 8 * len(index) + 4096


def _counts(index: np.ndarray) -> np.ndarray:
    """How many times each element's value occurs in ``index`` (non-negative integers)."""
    if _sparse(index):
        _, inverse, counts = np.unique(index, return_inverse=True, return_counts=True)
        return counts[inverse]
    return np.bincount(index)[index]


def _dense(index: np.ndarray) -> tuple[int, np.ndarray]:
    """The number of distinct values of ``index`` (non-negative integers) and each
    element's rank among them."""
    if _sparse(index):
        values, inverse = np.unique(index, return_inverse=True)
        return len(values), inverse
    present = np.bincount(index) > 0
    rank = np.cumsum(present) - 1
    return int(rank[-1]) + 1, rank[index]


def _rank_in_cluster(cluster: np.ndarray, node: np.ndarray) -> np.ndarray:
    """The rank of each pair's ``node`` among the distinct nodes of its ``cluster`` (0, 1, ...)."""
    order = np.lexsort((node, cluster))
    c, v = cluster[order], node[order]
    new_cluster = np.ones(len(order), bool)
    new_cluster[1:] = c[1:] != c[:-1]
    new_node = new_cluster.copy()
    new_node[1:] |= v[1:] != v[:-1]
    dense = np.cumsum(new_node) - 1
    base = np.maximum.accumulate(np.where(new_cluster, dense, 0))
    rank = np.empty(len(order), np.intp)
    rank[order] = dense - base
    return rank


class GNNAssociator:
    """Global nearest neighbour: the set of pairs of least total cost, per cluster."""

    def associate(
        self, track_index: np.ndarray, plot_index: np.ndarray, cost: np.ndarray
    ) -> np.ndarray:
        """Positions of the chosen pairs in the pair arrays (only pairs with ``cost < 0``)."""
        usable = np.flatnonzero(cost < 0.0)
        if len(usable) == 0:
            return usable
        track_index, plot_index, cost = track_index[usable], plot_index[usable], cost[usable]
        alone = (_counts(track_index) == 1) & (_counts(plot_index) == 1)
        if alone.all():
            return usable
        shared = np.flatnonzero(~alone)
        track_index, plot_index, cost = track_index[shared], plot_index[shared], cost[shared]
        cluster, tracks_in, plots_in = pair_clusters(track_index, plot_index)
        star = (tracks_in == 1) | (plots_in == 1)
        chosen = [_cheapest_per_group(cluster, cost, np.flatnonzero(star[cluster]))]
        rest = np.flatnonzero(~star[cluster])
        if len(rest):
            rest = rest[np.argsort(cluster[rest], kind="stable")]
            row = _rank_in_cluster(cluster[rest], track_index[rest])
            col = _rank_in_cluster(cluster[rest], plot_index[rest])
            bounds = np.flatnonzero(np.diff(cluster[rest])) + 1
            starts = np.concatenate(([0], bounds))
            ends = np.concatenate((bounds, [len(rest)]))
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                r, c = row[start:end], col[start:end]
                matrix = np.zeros((r.max() + 1, c.max() + 1))
                pair_at = np.full(matrix.shape, -1)
                matrix[r, c] = cost[rest[start:end]]
                pair_at[r, c] = rest[start:end]
                picked = pair_at[linear_sum_assignment(matrix)]
                chosen.append(picked[picked >= 0])
        return np.concatenate((usable[alone], usable[shared[np.concatenate(chosen)]]))
