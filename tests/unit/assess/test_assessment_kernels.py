"""The assessment's compiled kernels give the bits of the array expressions they replace.

Each reference below is the NumPy code a kernel took over, written out; the kernels
must match it exactly (``assert_array_equal`` compares NaN with NaN and every bit
of the other values), on random inputs with the awkward values mixed in: zero
speeds, NaN, ties.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from flankwatch.assess import kernels

RNG_SEED = 20261206


@pytest.fixture(name="rng")
def _rng() -> np.random.Generator:
    return np.random.default_rng(RNG_SEED)


def test_ground_motion_matches_the_array_code(rng):
    n, radius_m, origin_alt_m = 200, 6_371_000.0, 120.0
    x, y, z = rng.normal(0, 2e5, n), rng.normal(0, 2e5, n), rng.uniform(-5e3, 1e4, n)
    vx, vy, vz = rng.normal(0, 100, n), rng.normal(0, 100, n), rng.normal(0, 5, n)
    vx[:10] = vy[:10] = vz[:10] = 0.0  # standing still
    vz[10:20] = 0.0
    var = rng.uniform(0.1, 30, (3, n))
    out = kernels.ground_motion((x, y, z), (vx, vy, vz), tuple(var), radius_m, origin_alt_m)

    zz = z + radius_m + origin_alt_m
    dist = np.sqrt(x * x + y * y + zz * zz)
    scale = radius_m / dist
    climb = (x * vx + y * vy + zz * vz) / dist
    speed2 = vx * vx + vy * vy + vz * vz
    speed = np.sqrt(speed2)
    safe = np.where(speed > 0, speed, 1.0)
    speed_var = (vx * vx * var[0] + vy * vy * var[1] + vz * vz * var[2]) / (safe * safe)
    expected = {
        "ground_x_m": x * scale,
        "ground_y_m": y * scale,
        "ground_vx_mps": vx * scale,
        "ground_vy_mps": vy * scale,
        "alt_m": dist - radius_m,
        "climb_mps": climb,
        "speed_mps": speed,
        "ground_speed_mps": np.sqrt(np.maximum(speed2 - climb * climb, 0.0)),
        "speed_var_m2ps2": np.where(speed > 0, speed_var, var[0]),
    }
    for name, row in zip(kernels.GROUND_ROWS, out, strict=True):
        assert_array_equal(row, expected[name], err_msg=name)


def test_band_likelihoods_match_the_array_code(rng):
    n, p = 60, 9
    feature = np.abs(rng.normal(0, 200, (4, n)))
    feature[3, :5] = 0.0
    feature[0, 5] = np.nan
    low = rng.uniform(0, 100, (4, p))
    high = low + rng.uniform(0, 200, (4, p))
    low[:, 0], high[:, 0] = feature[:, 6], feature[:, 6]  # on a band's edge
    sigma = rng.uniform(1, 20, (4, n))
    known = rng.random(n) < 0.7
    adsb = rng.random(n) < 0.3
    prior, adsb_prob = rng.uniform(0.1, 2, p), rng.uniform(0, 1, p)

    value, lo, hi = feature[:, None], low[:, :, None], high[:, :, None]
    d = np.maximum(np.maximum(lo - value, value - hi), 0.0) / sigma[:, None]
    exponent = kernels.band_exponents(feature, low, high, sigma)
    assert_array_equal(np.exp(exponent), np.exp(-0.5 * d * d))

    band = np.exp(-0.5 * d * d)
    like = band[0] * band[1]
    like *= band[2]
    like *= np.where(~known, 1.0, band[3])
    like = np.ascontiguousarray(like.T)
    like *= prior * np.where(adsb[:, None], adsb_prob, 1.0 - adsb_prob)
    got = kernels.profile_likelihoods(band, known, adsb, prior, adsb_prob, 1.0 - adsb_prob)
    assert_array_equal(got, like)


def _first_meetings_reference(path_i, edge_i, start, step, edges):
    """The array code: intersect every candidate pair, keep each path's least fraction."""
    frac = np.full(len(start), np.nan)
    edge = np.full(len(start), -1, np.int64)
    p, d = start[path_i], step[path_i]
    q = edges[edge_i, 0]
    e = edges[edge_i, 1] - q
    denom = d[:, 0] * e[:, 1] - d[:, 1] * e[:, 0]
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * e[:, 1] - qp[:, 1] * e[:, 0]) / denom
        u = (qp[:, 0] * d[:, 1] - qp[:, 1] * d[:, 0]) / denom
    meets = (denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    path_i, edge_i, t = path_i[meets], edge_i[meets], t[meets]
    if len(path_i):
        order = np.lexsort((t, path_i))
        by_path = path_i[order]
        first = order[np.flatnonzero(np.concatenate(([True], by_path[1:] != by_path[:-1])))]
        frac[path_i[first]] = t[first]
        edge[path_i[first]] = edge_i[first]
    return frac, edge


def test_first_meetings_match_the_array_code(rng):
    edges = rng.uniform(-10, 10, (40, 2, 2))
    edges[1] = edges[0]  # the same edge twice: the first listed wins the tie
    edges[2, 1] = edges[2, 0]  # an edge of no length
    start = rng.uniform(-10, 10, (30, 2))
    step = rng.uniform(-15, 15, (30, 2))
    step[0] = edges[3, 1] - edges[3, 0]  # parallel to an edge
    mid, along = edges[0].mean(axis=0), edges[0, 1] - edges[0, 0]
    normal = np.array([-along[1], along[0]]) / np.hypot(*along)
    start[1], step[1] = mid + 1e-3 * normal, -2e-3 * normal  # a short path across edge 0
    candidate = rng.random((30, 40)) < 0.6
    candidate[1, :2] = True  # path 1 crosses edge 0 and its twin, at the same fraction
    pairs = np.argwhere(candidate)
    path_i, edge_i = pairs[:, 0].copy(), pairs[:, 1].copy()
    frac, edge = kernels.first_meetings(path_i, edge_i, start, step, edges)
    expected_frac, expected_edge = _first_meetings_reference(path_i, edge_i, start, step, edges)
    assert_array_equal(frac, expected_frac)
    assert_array_equal(edge, expected_edge)
    assert (edge >= 0).sum() > 5  # the test meets something
    assert edge[1] == 0


def test_announcements_match_the_array_code(rng):
    n = 300
    crossing = rng.uniform(100, 2000, n)
    crossing[rng.random(n) < 0.3] = np.nan
    announced = crossing + rng.normal(0, 60, n)
    announced[rng.random(n) < 0.3] = np.nan
    announced[:5] = crossing[:5]
    t_s = rng.uniform(0, 100, n)
    confirmed, inside = rng.random(n) < 0.7, rng.random(n) < 0.2

    with np.errstate(invalid="ignore"):
        moved = np.abs(crossing - announced) > np.maximum(30.0, 0.1 * (crossing - t_s))
    predicted = ~np.isnan(crossing)
    news = np.flatnonzero(confirmed & predicted & (np.isnan(announced) | moved))
    cancelled = np.flatnonzero(confirmed & ~inside & ~predicted & ~np.isnan(announced))
    after = announced.copy()
    after[news] = crossing[news]
    after[inside | ~confirmed | ~predicted] = np.nan

    got_news, got_cancelled = kernels.announcements(
        crossing, announced, t_s, confirmed, inside, 30.0, 0.1
    )
    assert_array_equal(got_news, news)
    assert_array_equal(got_cancelled, cancelled)
    assert_array_equal(announced, after)


def test_persisting_matches_the_array_code(rng):
    n, k, now_s = 80, 6, 500.0
    holding = rng.random((n, k)) < 0.6
    held = rng.integers(0, 5, (n, k)).astype(np.int32)
    since = np.where(rng.random((n, k)) < 0.5, rng.uniform(400, 500, (n, k)), np.nan)
    updated = rng.random(n) < 0.5
    updates, duration_s = rng.integers(1, 4, k), rng.choice([0.0, 15.0, 60.0], k)

    new_held = np.where(holding, held + updated[:, None], 0)
    new_since = np.where(holding, np.where(np.isnan(since), now_s, since), np.nan)
    lasting = holding & (new_held >= updates) & (now_s - new_since >= duration_s)
    first = np.where(lasting.any(axis=1), lasting.argmax(axis=1), -1)

    fired = kernels.persisting(holding, held, since, updated, now_s, updates, duration_s)
    assert_array_equal(fired, first)
    assert_array_equal(held, new_held)
    assert_array_equal(since, new_since)
    assert (first >= 0).any() and (first < 0).any()


def test_closest_approach_matches_the_array_code(rng):
    n, a, horizon_s = 25, 12, 3600.0
    x, y = rng.normal(0, 1e5, n), rng.normal(0, 1e5, n)
    vx, vy = rng.normal(0, 80, n), rng.normal(0, 80, n)
    vx[:3] = vy[:3] = 0.0
    vx[3] = 1e-3  # far beyond the horizon
    dt = rng.uniform(0, 5, n)
    ax, ay = rng.normal(0, 1e5, a), rng.normal(0, 1e5, a)

    rx = ax[None, :] - (x + vx * dt)[:, None]
    ry = ay[None, :] - (y + vy * dt)[:, None]
    wx, wy = vx[:, None], vy[:, None]
    speed2 = wx * wx + wy * wy
    with np.errstate(invalid="ignore", divide="ignore"):
        tcpa = np.where(speed2 > 0, (rx * wx + ry * wy) / speed2, 0.0)
    tcpa = np.clip(tcpa, 0.0, horizon_s)

    got_tcpa, off_x, off_y = kernels.closest_approach(x, y, vx, vy, dt, ax, ay, horizon_s)
    assert_array_equal(got_tcpa, tcpa)
    assert_array_equal(off_x, rx - wx * tcpa)
    assert_array_equal(off_y, ry - wy * tcpa)
    assert (tcpa == 0).any() and (tcpa == horizon_s).any()
