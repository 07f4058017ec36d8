"""Gating: chi-square gate sizes and candidate pairs found through a k-d tree."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import gammaincinv

BRUTE_FORCE_PAIRS = 4096
"""Largest number of centre-point distances computed outright instead of with k-d trees."""


def gate_threshold(probability: float, dof: int) -> float:
    """Squared Mahalanobis distance inside which a true plot falls with ``probability``: the
    chi-square quantile, computed as SciPy's ``chi2.ppf`` computes it (``scipy.stats``
    itself takes about 0.3 s to load, most of ``flankwatch track``'s start on a small file)."""
    return float(2.0 * gammaincinv(dof / 2.0, probability))


def candidate_pairs(
    centres: np.ndarray, radii: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, point) index pairs closer than the centre's radius (Euclidean).

    ``centres`` ``(n, d)`` with ``radii`` ``(n,)`` and ``points`` ``(m, d)``, in
    the same units. Up to ``BRUTE_FORCE_PAIRS`` centre-point pairs, every distance is
    computed outright (building trees costs more on a few points). Otherwise centres
    are grouped by radius (within a factor of four) and each group's k-d tree is
    matched against the points' k-d tree, so the cost grows as ``(n + m) log(n + m)``
    plus the number of pairs, not ``n m``.
    """
    empty = np.empty(0, np.intp)
    if len(centres) == 0 or len(points) == 0:
        return empty, empty
    radii = np.broadcast_to(np.asarray(radii, float), (len(centres),))
    if len(centres) * len(points) <= BRUTE_FORCE_PAIRS:
        offset = centres[:, None, :] - points[None, :, :]
        distance2 = np.einsum("cpd,cpd->cp", offset, offset)
        centre, point = np.nonzero(distance2 <= (radii * radii)[:, None])
        return centre.astype(np.intp), point.astype(np.intp)
    point_tree = cKDTree(points)
    size_class = np.ceil(np.log2(np.maximum(radii, 1e-9)) / 2.0).astype(np.int64)
    centre_parts, point_parts = [empty], [empty]
    for size in np.unique(size_class):
        members = np.flatnonzero(size_class == size)
        found = cKDTree(centres[members]).sparse_distance_matrix(
            point_tree, float(radii[members].max()), output_type="ndarray"
        )
        centre = members[found["i"]]
        inside = found["v"] <= radii[centre]
        centre_parts.append(centre[inside])
        point_parts.append(found["j"][inside].astype(np.intp))
    return np.concatenate(centre_parts), np.concatenate(point_parts)
