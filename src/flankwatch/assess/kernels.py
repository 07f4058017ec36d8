"""Compiled kernels (Numba) for the assessment stage's per-step loops.

The assessment sees some fifty tracks a step: on arrays that small, each NumPy
operation costs more in overhead than in arithmetic. These kernels do a part's
work in one loop each: the memory's row lookups, the tracks' motion over the
ground, the classifier's band likelihoods, where paths meet the watched
airspace's boundary and which crossings are news, the identity rules' masks and
persistence, and the threats' closest approach.

They use only the plain IEEE operations (``+ - * /``, square roots,
comparisons), in the order the formulas are written and without fast-math, so
they give the same bits as the same formulas in NumPy (the tests check it);
exponentials, arctangents and ``hypot`` are left to NumPy's callers, as a
compiled one may differ in the last bit. They are compiled on first use and
cached beside this module (or, where that folder cannot be written, in Numba's
user cache).
"""

from __future__ import annotations

import numpy as np

from flankwatch.compiled import kernel


@kernel(cache=True)
def find_rows(remembered: np.ndarray, track_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``track_id`` in the sorted ``remembered`` (where they would be
    inserted, for the others) and a mask of the ones not remembered."""
    pos = np.searchsorted(remembered, track_id)
    new = np.empty(len(track_id), np.bool_)
    for i in range(len(track_id)):
        new[i] = pos[i] == len(remembered) or remembered[pos[i]] != track_id[i]
    return pos, new


@kernel(cache=True)
def append_rows(
    id_buffer: np.ndarray,
    byte_buffer: np.ndarray,
    size: int,
    fill: np.ndarray,
    track_id: np.ndarray,
    new: np.ndarray,
) -> int:
    """Append the ``new`` tracks of ``track_id`` after the first ``size`` rows, each
    row holding ``fill`` (bytes), when they come in increasing order and after every
    remembered one; returns the new size, or -1 (nothing written) if they do not.
    The buffers must hold ``size + new.sum()`` rows."""
    last = id_buffer[size - 1] if size else np.iinfo(np.int64).min
    for i in range(len(track_id)):
        if new[i]:
            if track_id[i] <= last:
                return -1
            last = track_id[i]
    for i in range(len(track_id)):
        if new[i]:
            id_buffer[size] = track_id[i]
            byte_buffer[size] = fill
            size += 1
    return size


@kernel(cache=True)
def drop_rows(
    id_buffer: np.ndarray, byte_buffer: np.ndarray, size: int, track_id: np.ndarray
) -> int:
    """Drop the rows of ``track_id`` (unknown numbers are ignored) from the first
    ``size`` rows, closing up the others in order; returns the new size."""
    gone = np.zeros(size, np.bool_)
    pos = np.searchsorted(id_buffer[:size], track_id)
    for i in range(len(track_id)):
        if pos[i] < size and id_buffer[pos[i]] == track_id[i]:
            gone[pos[i]] = True
    kept = 0
    for row in range(size):
        if not gone[row]:
            if kept != row:
                id_buffer[kept] = id_buffer[row]
                byte_buffer[kept] = byte_buffer[row]
            kept += 1
    return kept


GROUND_ROWS = (
    "ground_x_m",
    "ground_y_m",
    "ground_vx_mps",
    "ground_vy_mps",
    "alt_m",
    "climb_mps",
    "speed_mps",
    "ground_speed_mps",
    "speed_var_m2ps2",
)
"""The rows :func:`ground_motion` returns, in order."""


@kernel(cache=True)
def ground_motion(
    position_m: tuple[np.ndarray, np.ndarray, np.ndarray],
    velocity_mps: tuple[np.ndarray, np.ndarray, np.ndarray],
    velocity_var_m2ps2: tuple[np.ndarray, np.ndarray, np.ndarray],
    radius_m: float,
    origin_alt_m: float,
) -> np.ndarray:
    """The :data:`GROUND_ROWS` ``(9, n)`` of tracks at ``position_m`` (x, y, z in the
    frame) moving at ``velocity_mps`` with ``velocity_var_m2ps2`` (the variances of
    its three components), over a sphere of ``radius_m`` whose surface lies
    ``origin_alt_m`` below the frame's origin; see
    :class:`~flankwatch.assess.kinematics.Kinematics`."""
    x_m, y_m, z_m = position_m
    vx_mps, vy_mps, vz_mps = velocity_mps
    var_vx, var_vy, var_vz = velocity_var_m2ps2
    out = np.empty((len(GROUND_ROWS), len(x_m)))
    for i in range(len(x_m)):
        x, y, z = x_m[i], y_m[i], z_m[i] + radius_m + origin_alt_m
        vx, vy, vz = vx_mps[i], vy_mps[i], vz_mps[i]
        dist = np.sqrt(x * x + y * y + z * z)
        scale = radius_m / dist
        climb = (x * vx + y * vy + z * vz) / dist
        speed2 = vx * vx + vy * vy + vz * vz
        speed = np.sqrt(speed2)
        safe = speed if speed > 0 else 1.0
        speed_var = (vx * vx * var_vx[i] + vy * vy * var_vy[i] + vz * vz * var_vz[i]) / (
            safe * safe
        )
        across2 = speed2 - climb * climb
        out[0, i] = x * scale
        out[1, i] = y * scale
        out[2, i] = vx * scale
        out[3, i] = vy * scale
        out[4, i] = dist - radius_m
        out[5, i] = climb
        out[6, i] = speed
        out[7, i] = np.sqrt(across2 if across2 > 0 or np.isnan(across2) else 0.0)
        out[8, i] = speed_var if speed > 0 else var_vx[i]
    return out


@kernel(cache=True)
def band_exponents(
    feature: np.ndarray, low: np.ndarray, high: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """``-d^2 / 2`` for each feature, profile and track, ``(f, p, n)``, with ``d`` the
    distance of ``feature`` ``(f, n)`` outside the band ``[low, high]`` ``(f, p)`` in
    units of ``sigma`` ``(f, n)`` (0 inside; NaN for a NaN feature)."""
    f, n = feature.shape
    p = low.shape[1]
    out = np.empty((f, p, n))
    for a in range(f):
        for b in range(p):
            for i in range(n):
                below = low[a, b] - feature[a, i]
                above = feature[a, i] - high[a, b]
                d = below if below >= above or np.isnan(below) else above
                d = d if d >= 0.0 or np.isnan(d) else 0.0
                d = d / sigma[a, i]
                out[a, b, i] = -0.5 * d * d
    return out


@kernel(cache=True)
def profile_likelihoods(
    band: np.ndarray,
    turn_known: np.ndarray,
    adsb: np.ndarray,
    prior: np.ndarray,
    adsb_prob: np.ndarray,
    no_adsb_prob: np.ndarray,
) -> np.ndarray:
    """Each track's likelihood of each profile, ``(n, p)``: the product of its band
    likelihoods ``band`` ``(4, p, n)`` (the turn rate's only where ``turn_known``),
    times the profile's prior and its chance of ADS-B (``adsb_prob`` for a track
    that has it, else ``no_adsb_prob``)."""
    p, n = band.shape[1], band.shape[2]
    out = np.empty((n, p))
    for i in range(n):
        for b in range(p):
            like = band[0, b, i] * band[1, b, i]
            like *= band[2, b, i]
            like *= band[3, b, i] if turn_known[i] else 1.0
            like *= prior[b] * (adsb_prob[b] if adsb[i] else no_adsb_prob[b])
            out[i, b] = like
    return out


@kernel(cache=True, error_model="numpy")
def first_meetings(
    path_i: np.ndarray,
    edge_i: np.ndarray,
    start_m: np.ndarray,
    step_m: np.ndarray,
    edges_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Where each path first meets one of its candidate edges.

    Path ``j`` runs from ``start_m[j]`` to ``start_m[j] + step_m[j]`` (``(m, 2)``, m);
    ``path_i`` and ``edge_i`` list its candidate edges (indices into ``edges_m``,
    ``(E, 2, 2)``: start and end x, y). Returns per path the fraction of the path (0
    to 1) at its first meeting, NaN if none, and the edge met there, -1 if none; of
    two meetings at the same fraction the one listed first wins.
    """
    m = len(start_m)
    frac = np.full(m, np.nan)
    edge = np.full(m, -1, np.int64)
    for k in range(len(path_i)):
        j, g = path_i[k], edge_i[k]
        px, py = start_m[j, 0], start_m[j, 1]
        dx, dy = step_m[j, 0], step_m[j, 1]
        qx, qy = edges_m[g, 0, 0], edges_m[g, 0, 1]
        ex, ey = edges_m[g, 1, 0] - qx, edges_m[g, 1, 1] - qy
        denom = dx * ey - dy * ex
        qpx, qpy = qx - px, qy - py
        t = (qpx * ey - qpy * ex) / denom
        u = (qpx * dy - qpy * dx) / denom
        meets = denom != 0 and t >= 0 and t <= 1 and u >= 0 and u <= 1
        if meets and (edge[j] < 0 or t < frac[j]):
            frac[j] = t
            edge[j] = g
    return frac, edge


@kernel(cache=True)
def announcements(
    crossing_t_s: np.ndarray,
    announced_t_s: np.ndarray,
    t_s: np.ndarray,
    confirmed: np.ndarray,
    inside: np.ndarray,
    change_s: float,
    change_fraction: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The tracks whose predicted crossing is news and those whose prediction is
    cancelled (indices), bringing ``announced_t_s`` (NaN: none) up to date in place.

    A confirmed track's prediction ``crossing_t_s`` (s, NaN: none) is news when none
    was announced or it moved by more than ``max(change_s, change_fraction * (crossing
    - t_s))``; it is cancelled when the track, outside, no longer has one. A track
    inside, not confirmed or without a prediction has nothing announced.
    """
    n = len(crossing_t_s)
    news = np.empty(n, np.int64)
    cancelled = np.empty(n, np.int64)
    n_news = n_cancelled = 0
    for i in range(n):
        crossing, before = crossing_t_s[i], announced_t_s[i]
        predicted = not np.isnan(crossing)
        gap = change_fraction * (crossing - t_s[i])
        limit = gap if gap >= change_s or np.isnan(gap) else change_s
        moved = abs(crossing - before) > limit
        if confirmed[i] and predicted and (np.isnan(before) or moved):
            news[n_news] = i
            n_news += 1
            announced_t_s[i] = crossing
        if confirmed[i] and not inside[i] and not predicted and not np.isnan(before):
            cancelled[n_cancelled] = i
            n_cancelled += 1
        if inside[i] or not confirmed[i] or not predicted:
            announced_t_s[i] = np.nan
    return news[:n_news], cancelled[:n_cancelled]


@kernel(cache=True)
def plain_conditions(
    codes: np.ndarray,
    tables: np.ndarray,
    values: np.ndarray,
    bound_column: np.ndarray,
    above: np.ndarray,
    bound: np.ndarray,
    unbounded: np.ndarray,
) -> np.ndarray:
    """Where the plain conditions hold, ``(n, k)``: track by rule.

    ``codes`` ``(c, n)`` are the tracks' codes of ``c`` coded quantities and
    ``tables`` ``(c, largest code + 1, k)`` their lookup tables: a pair passes
    where the table is True at the track's code. ``values`` ``(v, n)`` are the
    bounded quantities; bound ``b`` tests the quantity ``bound_column[b]`` against
    ``bound[b]`` ``(k,)``, from below where ``above[b]`` (``value >= bound``), else
    from above (``value <= bound``), for the rules where ``unbounded[b]`` is False
    (so NaN fails a bound but not its absence).
    """
    n, k = codes.shape[1], tables.shape[2]
    mask = np.empty((n, k), np.bool_)
    for i in range(n):
        for j in range(k):
            ok = True
            for c in range(len(codes)):
                ok = ok and tables[c, codes[c, i], j]
            for b in range(len(bound_column)):
                if ok and not unbounded[b, j]:
                    value = values[bound_column[b], i]
                    ok = value >= bound[b, j] if above[b] else value <= bound[b, j]
            mask[i, j] = ok
    return mask


@kernel(cache=True)
def persisting(
    holding: np.ndarray,
    held: np.ndarray,
    since_s: np.ndarray,
    updated: np.ndarray,
    now_s: float,
    updates: np.ndarray,
    duration_s: np.ndarray,
) -> np.ndarray:
    """The first rule (index; -1: none) of each track that has held long enough.

    ``holding`` ``(n, k)`` is where each rule holds now; ``held`` (updates counted)
    and ``since_s`` (when it began to hold, s; NaN: not holding) are each pair's
    counts so far and are brought up to date in place: a pair that holds counts
    ``updated[i]`` (the track has a new plot) more and keeps its start (``now_s`` if
    it had none), one that does not is reset to 0 and NaN. A rule has held long
    enough where it holds, has counted ``updates[j]`` and began at least
    ``duration_s[j]`` before ``now_s``.
    """
    n, k = holding.shape
    first = np.full(n, -1, np.int64)
    for i in range(n):
        for j in range(k):
            if holding[i, j]:
                held[i, j] += updated[i]
                if np.isnan(since_s[i, j]):
                    since_s[i, j] = now_s
                lasting = held[i, j] >= updates[j] and now_s - since_s[i, j] >= duration_s[j]
                if lasting and first[i] < 0:
                    first[i] = j
            else:
                held[i, j] = 0
                since_s[i, j] = np.nan
    return first


@kernel(cache=True, error_model="numpy")
def closest_approach(
    x_m: np.ndarray,
    y_m: np.ndarray,
    vx_mps: np.ndarray,
    vy_mps: np.ndarray,
    dt_s: np.ndarray,
    asset_x_m: np.ndarray,
    asset_y_m: np.ndarray,
    horizon_s: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time to the closest point of approach of each track to each asset, ``(n, a)``
    (s, clipped to ``[0, horizon_s]``; 0 for a track that does not move), and the
    asset's offset east and north from the track at that time (m).

    Tracks are at ``x_m, y_m`` ``(n,)`` ``dt_s`` before now and move at
    ``vx_mps, vy_mps``; assets at ``asset_x_m, asset_y_m`` ``(a,)``.
    """
    n, a = len(x_m), len(asset_x_m)
    tcpa = np.empty((n, a))
    off_x = np.empty((n, a))
    off_y = np.empty((n, a))
    for i in range(n):
        vx, vy = vx_mps[i], vy_mps[i]
        now_x, now_y = x_m[i] + vx * dt_s[i], y_m[i] + vy * dt_s[i]
        speed2 = vx * vx + vy * vy
        for j in range(a):
            rx, ry = asset_x_m[j] - now_x, asset_y_m[j] - now_y
            t = (rx * vx + ry * vy) / speed2 if speed2 > 0 else 0.0
            t = 0.0 if t < 0.0 else t
            t = horizon_s if t > horizon_s else t
            tcpa[i, j] = t
            off_x[i, j] = rx - vx * t
            off_y[i, j] = ry - vy * t
    return tcpa, off_x, off_y
