"""Global nearest neighbour association, solved per cluster of gated pairs.

The gated track-plot pairs form a bipartite graph; its connected components
(clusters) are independent assignment problems. Pairs whose track and plot are
in no other pair are taken at once; of the rest, a cluster with one track or
one plot is solved by taking its cheapest pair, all such clusters at once;
the others each by the Hungarian method on their own small cost matrix, where a
missing pair costs 0 (the same as leaving both unused), all in one compiled loop
(:func:`_solve_clusters`; the same choice as :func:`scipy.optimize.linear_sum_assignment`
on each matrix, without a call and two arrays per cluster).
"""

from __future__ import annotations

import numpy as np

from flankwatch.compiled import kernel


def pair_clusters(
    track_index: np.ndarray, plot_index: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cluster label ``(p,)`` of each pair (pairs sharing a track or a plot, directly or
    through other pairs, share a label), and the number of tracks and of plots in
    each cluster. Clusters are numbered in the order of their first track.

    The clusters are the connected components of the graph of tracks and plots, found by
    union-find (:func:`_component_minimum`)."""
    n_tracks, track_node = _dense(track_index)
    n_plots, plot_node = _dense(plot_index)
    label = _component_minimum(track_node, n_tracks + plot_node, n_tracks + n_plots)
    n_clusters, labels = _dense(label)
    tracks_in = np.bincount(labels[:n_tracks], minlength=n_clusters)
    plots_in = np.bincount(labels[n_tracks:], minlength=n_clusters)
    return labels[track_node], tracks_in, plots_in


@kernel(cache=True)
def _component_minimum(a: np.ndarray, b: np.ndarray, n_nodes: int) -> np.ndarray:
    """For a graph of ``n_nodes`` nodes and the edges ``a[k]``-``b[k]``: the least node
    of each node's connected component (union-find, the smaller root kept)."""
    parent = np.arange(n_nodes)
    for k in range(len(a)):
        root_a, root_b = _root(parent, a[k]), _root(parent, b[k])
        if root_a < root_b:
            parent[root_b] = root_a
        elif root_b < root_a:
            parent[root_a] = root_b
    for node in range(n_nodes):
        parent[node] = _root(parent, node)
    return parent


@kernel(cache=True)
def _root(parent: np.ndarray, node: int) -> int:
    """The root of ``node``'s tree, halving the path on the way."""
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = parent[node]
    return node


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
            picked = _solve_clusters(row, col, cost[rest], starts, ends)
            chosen.append(rest[picked])
        return np.concatenate((usable[alone], usable[shared[np.concatenate(chosen)]]))


@kernel(cache=True)
def _solve_clusters(
    row: np.ndarray, col: np.ndarray, cost: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """The pairs chosen in each cluster: positions of the pairs of least total cost, no two
    sharing a row or a column. Cluster ``k`` holds the pairs ``starts[k]`` to ``ends[k]``,
    at ``row`` and ``col`` of its own matrix (ranks from 0), of cost ``cost``; a missing
    pair costs 0."""
    picked = np.empty(len(row), np.intp)
    n_picked = 0
    for k in range(len(starts)):
        start, end = starts[k], ends[k]
        n_rows = row[start:end].max() + 1
        n_cols = col[start:end].max() + 1
        transpose = n_rows > n_cols
        n, m = (n_cols, n_rows) if transpose else (n_rows, n_cols)
        matrix = np.zeros((n, m))
        pair_at = np.full((n, m), -1, np.intp)
        for at in range(start, end):
            r, c = (col[at], row[at]) if transpose else (row[at], col[at])
            matrix[r, c] = cost[at]
            pair_at[r, c] = at
        column_of = _hungarian(matrix)
        for r in range(n):
            at = pair_at[r, column_of[r]]
            if at >= 0:
                picked[n_picked] = at
                n_picked += 1
    return picked[:n_picked].copy()


@kernel(cache=True)
def _hungarian(cost: np.ndarray) -> np.ndarray:
    """The column assigned to each row of ``cost`` ``(n, m)``, ``n <= m``, for the least
    total cost: the Hungarian method with potentials, one shortest augmenting path per
    row (O(n^2 m))."""
    n, m = cost.shape
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    row_of = np.zeros(m + 1, np.intp)  # 1-based row holding each column; column 0 is a root
    way = np.zeros(m + 1, np.intp)
    for i in range(1, n + 1):
        row_of[0] = i
        j0 = 0
        least = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, np.bool_)
        while True:
            used[j0] = True
            i0 = row_of[j0]
            delta = np.inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[i0 - 1, j - 1] - u[i0] - v[j]
                    if reduced < least[j]:
                        least[j] = reduced
                        way[j] = j0
                    if least[j] < delta:
                        delta = least[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[row_of[j]] += delta
                    v[j] -= delta
                else:
                    least[j] -= delta
            j0 = j1
            if row_of[j0] == 0:
                break
        while j0 != 0:
            j1 = way[j0]
            row_of[j0] = row_of[j1]
            j0 = j1
    column_of = np.empty(n, np.intp)
    for j in range(1, m + 1):
        if row_of[j] != 0:
            column_of[row_of[j] - 1] = j - 1
    return column_of
